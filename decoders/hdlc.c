/*
 * hdlc.c - RFC 1662 asynchronous HDLC-like framing: FCS-16, encoder and a
 * streaming decoder with a fixed buffer.  See hdlc.h.
 */
#include "hdlc.h"

#include <string.h>

enum { ST_HUNT = 0, ST_FRAME = 1, ST_DISCARD = 2 };

uint16_t hdlc_fcs16(uint16_t fcs, const uint8_t *p, size_t len)
{
    for (size_t i = 0; i < len; i++) {
        fcs ^= p[i];
        for (int bit = 0; bit < 8; bit++)
            fcs = (fcs & 1) ? (uint16_t)((fcs >> 1) ^ 0x8408) : (uint16_t)(fcs >> 1);
    }
    return fcs;
}

static void put_escaped(wbuf *w, uint8_t b, uint32_t accm)
{
    if (hdlc_must_escape(b, accm)) {
        wbuf_put_u8(w, HDLC_ESCAPE);
        wbuf_put_u8(w, b ^ HDLC_XOR);
    } else {
        wbuf_put_u8(w, b);
    }
}

bool hdlc_encode(wbuf *w, const uint8_t *frame, size_t len, uint32_t accm)
{
    uint16_t fcs = (uint16_t)~hdlc_fcs16(HDLC_FCS16_INIT, frame, len);
    wbuf_put_u8(w, HDLC_FLAG);
    for (size_t i = 0; i < len; i++)
        put_escaped(w, frame[i], accm);
    put_escaped(w, (uint8_t)fcs, accm); /* low octet first */
    put_escaped(w, (uint8_t)(fcs >> 8), accm);
    wbuf_put_u8(w, HDLC_FLAG);
    return wbuf_ok(w);
}

void hdlc_decoder_init(struct hdlc_decoder *d, uint32_t rx_accm)
{
    memset(d, 0, sizeof *d);
    d->rx_accm = rx_accm;
    d->state = ST_HUNT;
}

/* A flag closed the bytes in buf: true when they are a good frame. */
static bool close_frame(struct hdlc_decoder *d, anomaly_set *an)
{
    size_t n = d->len;
    bool was_escape = d->escape;
    d->escape = false;
    if (was_escape) {
        /* 0x7D 0x7E: the sender aborted the frame. */
        d->stats.aborts++;
        anomaly_add(an, ANOMALY_HDLC_ABORT);
        d->len = 0;
        return false;
    }
    if (n == 0) /* back-to-back flags (inter-frame fill) */
        return false;
    if (n < HDLC_MIN_FRAME) {
        d->stats.runts++;
        anomaly_add(an, ANOMALY_HDLC_RUNT);
        d->len = 0;
        return false;
    }
    if (hdlc_fcs16(HDLC_FCS16_INIT, d->buf, n) != HDLC_FCS16_GOOD) {
        d->stats.bad_fcs++;
        anomaly_add(an, ANOMALY_HDLC_BAD_FCS);
        d->len = 0;
        return false;
    }
    d->stats.frames++;
    return true;
}

bool hdlc_decoder_next(struct hdlc_decoder *d, cursor *in, cursor *frame, anomaly_set *an)
{
    if (d->delivered) {
        d->delivered = false;
        d->len = 0;
    }
    uint8_t b;
    while (cursor_get_u8(in, &b)) {
        if (b == HDLC_FLAG) {
            if (d->state == ST_FRAME && close_frame(d, an)) {
                /* This flag also opens the next frame. */
                d->delivered = true;
                cursor_init_exact(frame, d->buf, d->len - 2);
                return true;
            }
            d->state = ST_FRAME;
            d->len = 0;
            d->escape = false;
            continue;
        }
        if (d->state == ST_HUNT) {
            d->stats.hunt_bytes++;
            continue;
        }
        if (d->state == ST_DISCARD)
            continue;
        if (b < 0x20 && ((d->rx_accm >> b) & 1)) {
            d->stats.accm_dropped++;
            continue;
        }
        if (b == HDLC_ESCAPE && !d->escape) {
            d->escape = true;
            continue;
        }
        if (d->escape) {
            b ^= HDLC_XOR;
            d->escape = false;
        }
        if (d->len >= sizeof d->buf) {
            d->stats.too_long++;
            anomaly_add(an, ANOMALY_HDLC_FRAME_TOO_LONG);
            d->state = ST_DISCARD;
            d->len = 0;
            continue;
        }
        d->buf[d->len++] = b;
    }
    return false;
}
