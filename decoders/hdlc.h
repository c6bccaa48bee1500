/*
 * hdlc.h - PPP in HDLC-like framing, asynchronous (octet-stuffed) variant
 * (RFC 1662 sections 3, 4 and appendix C), as written by pppd to the pty of a
 * PPTP client/server.
 *
 *   0x7E | escaped( address control protocol information FCS-16 ) | 0x7E
 *
 * Escaping: 0x7E and 0x7D are always sent as 0x7D, byte^0x20; a byte below 0x20
 * is escaped when its bit is set in the transmit Async-Control-Character-Map
 * (bit n for byte n).  FCS-16: reflected CRC-CCITT, polynomial 0x8408, initial
 * 0xFFFF, sent complemented, low octet first; over a frame plus its FCS the
 * register ends at 0xF0B8.  FCS-32 is not supported.
 *
 * The streaming decoder takes arbitrary chunks (frames split anywhere), uses one
 * fixed buffer (no allocation), verifies the FCS and hands out complete frames
 * through a pull API.
 */
#ifndef PPTP_HDLC_H
#define PPTP_HDLC_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "anomaly.h"
#include "cursor.h"

#ifndef HDLC_MAX_FRAME
/* Largest frame the decoder keeps, counting unescaped bytes between flags
 * (address/control, protocol, information and the 2 FCS bytes). */
#define HDLC_MAX_FRAME 2048
#endif

#define HDLC_FLAG 0x7E
#define HDLC_ESCAPE 0x7D
#define HDLC_XOR 0x20
#define HDLC_FCS16_INIT 0xFFFFu
#define HDLC_FCS16_GOOD 0xF0B8u
#define HDLC_ACCM_ALL 0xFFFFFFFFu /* escape every control character (LCP default) */
#define HDLC_MIN_FRAME 4          /* shorter frames are silently discarded */

/* Update an FCS-16 register with len bytes (start with HDLC_FCS16_INIT).
 * p may be NULL when len is 0. */
uint16_t hdlc_fcs16(uint16_t fcs, const uint8_t *p, size_t len);

/* True when byte b must be escaped under the transmit map accm. */
static inline bool hdlc_must_escape(uint8_t b, uint32_t accm)
{
    return b == HDLC_FLAG || b == HDLC_ESCAPE || (b < 0x20 && ((accm >> b) & 1));
}

/*
 * Append one framed frame to w: opening flag, frame[0..len) and its FCS-16,
 * escaped under accm, closing flag.  frame is the whole PPP frame (address and
 * control, if used, protocol, information).  Returns wbuf_ok(w).
 */
bool hdlc_encode(wbuf *w, const uint8_t *frame, size_t len, uint32_t accm);

struct hdlc_stats {
    uint64_t frames;          /* good frames delivered */
    uint64_t bad_fcs;         /* frames dropped: FCS mismatch */
    uint64_t too_long;        /* frames dropped: longer than HDLC_MAX_FRAME */
    uint64_t aborts;          /* frames dropped: 0x7D 0x7E abort */
    uint64_t runts;           /* frames dropped: 1..3 bytes */
    uint64_t hunt_bytes;      /* bytes skipped before the first flag */
    uint64_t accm_dropped;    /* unescaped control bytes removed by rx_accm */
};

/* Streaming decoder state.  Zero it with hdlc_decoder_init(); no allocation. */
struct hdlc_decoder {
    uint32_t rx_accm; /* unescaped bytes < 0x20 with their bit set are removed */
    uint8_t state;    /* internal */
    bool escape;      /* internal: the previous byte was 0x7D */
    bool delivered;   /* internal: buf holds the last frame handed out */
    size_t len;       /* bytes in buf */
    struct hdlc_stats stats;
    uint8_t buf[HDLC_MAX_FRAME];
};

/* Reset d.  rx_accm: control characters the peer's equipment may have inserted
 * (0 keeps every byte, RFC 1662 section 7.1). */
void hdlc_decoder_init(struct hdlc_decoder *d, uint32_t rx_accm);

/*
 * Consume bytes from in until one complete frame with a good FCS has been seen
 * (returns true) or in is exhausted (returns false: call again with the next
 * chunk).  On true, *frame is an exact cursor over the frame without its FCS;
 * it points into d->buf and stays valid until the next call on d.  Dropped frames
 * are counted in d->stats and reported in an (hdlc.bad_fcs, hdlc.frame_too_long,
 * hdlc.abort, hdlc.runt); the decoder resynchronises at the next flag.  Bytes
 * before the first flag are skipped.  Call in a loop:
 *     while (hdlc_decoder_next(&d, &chunk, &frame, an)) handle(frame);
 */
bool hdlc_decoder_next(struct hdlc_decoder *d, cursor *in, cursor *frame, anomaly_set *an);

#endif
