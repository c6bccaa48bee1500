/* test_hdlc.c - RFC 1662 async HDLC-like framing: FCS-16, escaping, streaming
 * decoder with arbitrary chunking. */
#include <criterion/criterion.h>
#include <stdlib.h>
#include <string.h>

#include "anomaly.h"
#include "cursor.h"
#include "hdlc.h"

static uint64_t rng_state = 0xda942042e4dd58b5ull;
static uint32_t rnd(void)
{
    rng_state ^= rng_state << 13;
    rng_state ^= rng_state >> 7;
    rng_state ^= rng_state << 17;
    return (uint32_t)(rng_state >> 16);
}

Test(hdlc, fcs16_known_vector_and_good_residue)
{
    /* CRC-16/X-25 (= the PPP FCS-16) check value of "123456789" is 0x906E. */
    const uint8_t *s = (const uint8_t *)"123456789";
    uint16_t fcs = hdlc_fcs16(HDLC_FCS16_INIT, s, 9);
    cr_assert_eq((uint16_t)~fcs, 0x906e);
    /* RFC 1662: the FCS over data plus its complemented FCS (low octet first)
     * is the good value 0xF0B8. */
    uint8_t buf[11];
    memcpy(buf, s, 9);
    buf[9] = (uint8_t)~fcs;
    buf[10] = (uint8_t)(~fcs >> 8);
    cr_assert_eq(hdlc_fcs16(HDLC_FCS16_INIT, buf, 11), HDLC_FCS16_GOOD);
    cr_assert_eq(hdlc_fcs16(HDLC_FCS16_INIT, NULL, 0), 0xffff);
    for (int i = 0; i < 1000; i++) {
        uint8_t d[64];
        size_t n = rnd() % 62;
        for (size_t j = 0; j < n; j++)
            d[j] = (uint8_t)rnd();
        uint16_t f = (uint16_t)~hdlc_fcs16(HDLC_FCS16_INIT, d, n);
        d[n] = (uint8_t)f;
        d[n + 1] = (uint8_t)(f >> 8);
        cr_assert_eq(hdlc_fcs16(HDLC_FCS16_INIT, d, n + 2), HDLC_FCS16_GOOD);
        /* incremental update equals one-shot */
        size_t cut = n ? rnd() % n : 0;
        cr_assert_eq(hdlc_fcs16(hdlc_fcs16(HDLC_FCS16_INIT, d, cut), d + cut, n - cut),
                     hdlc_fcs16(HDLC_FCS16_INIT, d, n));
    }
}

Test(hdlc, encode_lcp_frame_with_full_accm)
{
    /* LCP Configure-Request id 1, no options: ff 03 c0 21 01 01 00 04 */
    static const uint8_t frame[] = {0xff, 0x03, 0xc0, 0x21, 0x01, 0x01, 0x00, 0x04};
    uint8_t out[64];
    wbuf w;
    wbuf_init(&w, out, sizeof out);
    cr_assert(hdlc_encode(&w, frame, sizeof frame, HDLC_ACCM_ALL));
    uint16_t fcs = (uint16_t)~hdlc_fcs16(HDLC_FCS16_INIT, frame, sizeof frame);
    uint8_t expect[64];
    size_t n = 0;
    static const uint8_t head[] = {0x7e, 0xff, 0x7d, 0x23, 0xc0, 0x21, 0x7d, 0x21, 0x7d, 0x21, 0x7d, 0x20, 0x7d, 0x24};
    memcpy(expect, head, sizeof head);
    n = sizeof head;
    uint8_t fl = (uint8_t)fcs, fh = (uint8_t)(fcs >> 8);
    if (hdlc_must_escape(fl, HDLC_ACCM_ALL)) {
        expect[n++] = 0x7d;
        expect[n++] = fl ^ 0x20;
    } else {
        expect[n++] = fl;
    }
    if (hdlc_must_escape(fh, HDLC_ACCM_ALL)) {
        expect[n++] = 0x7d;
        expect[n++] = fh ^ 0x20;
    } else {
        expect[n++] = fh;
    }
    expect[n++] = 0x7e;
    cr_assert_eq(wbuf_len(&w), n);
    cr_assert_eq(memcmp(out, expect, n), 0);
}

Test(hdlc, accm_controls_escaping)
{
    uint8_t frame[256];
    for (int i = 0; i < 256; i++)
        frame[i] = (uint8_t)i;
    static const uint32_t maps[] = {0, HDLC_ACCM_ALL, (1u << 0x11) | (1u << 0x13), 0x000a0000u};
    for (size_t m = 0; m < sizeof maps / sizeof maps[0]; m++) {
        uint8_t out[600];
        wbuf w;
        wbuf_init(&w, out, sizeof out);
        cr_assert(hdlc_encode(&w, frame, sizeof frame, maps[m]));
        size_t n = wbuf_len(&w);
        cr_assert_eq(out[0], 0x7e);
        cr_assert_eq(out[n - 1], 0x7e);
        /* no flag inside; no unescaped byte that the map says to escape */
        size_t escapes = 0;
        for (size_t i = 1; i + 1 < n; i++) {
            cr_assert_neq(out[i], 0x7e);
            if (out[i] == 0x7d) {
                escapes++;
                uint8_t orig = out[++i] ^ 0x20;
                cr_assert(hdlc_must_escape(orig, maps[m]), "map %08x escaped %02x", maps[m], orig);
                continue;
            }
            cr_assert_not(hdlc_must_escape(out[i], maps[m]), "map %08x left %02x", maps[m], out[i]);
        }
        /* every byte 0..255 once: 0x7d 0x7e plus the map's bits (FCS bytes may add) */
        size_t expect_min = 2 + (size_t)__builtin_popcount(maps[m]);
        cr_assert_geq(escapes, expect_min);
        cr_assert_leq(escapes, expect_min + 2);
        /* decode */
        struct hdlc_decoder *d = malloc(sizeof *d);
        hdlc_decoder_init(d, 0);
        cursor in, fr;
        cursor_init(&in, out, n);
        cr_assert(hdlc_decoder_next(d, &in, &fr, NULL));
        cr_assert_eq(cursor_len(&fr), 256);
        cr_assert_eq(memcmp(cursor_data(&fr), frame, 256), 0);
        cr_assert_not(hdlc_decoder_next(d, &in, &fr, NULL));
        free(d);
    }
    cr_assert(hdlc_must_escape(0x7e, 0));
    cr_assert(hdlc_must_escape(0x7d, 0));
    cr_assert_not(hdlc_must_escape(0x11, 0));
    cr_assert(hdlc_must_escape(0x11, 1u << 0x11));
    cr_assert_not(hdlc_must_escape(0x20, HDLC_ACCM_ALL));
}

struct stream {
    uint8_t *bytes;
    size_t len;
    uint8_t (*frames)[HDLC_MAX_FRAME];
    size_t *flen;
    size_t nframes;
};

/* nframes random frames (1..max_len bytes) encoded back to back. */
static void make_stream(struct stream *s, size_t nframes, size_t max_len, bool share_flags)
{
    s->nframes = nframes;
    s->frames = malloc(nframes * sizeof *s->frames);
    s->flen = malloc(nframes * sizeof *s->flen);
    size_t cap = nframes * (2 * max_len + 8) + 16;
    s->bytes = malloc(cap);
    wbuf w;
    wbuf_init(&w, s->bytes, cap);
    for (size_t i = 0; i < nframes; i++) {
        size_t n = 2 + rnd() % (max_len - 1); /* >= 2: with the FCS at least HDLC_MIN_FRAME */
        for (size_t j = 0; j < n; j++)
            s->frames[i][j] = (uint8_t)(rnd() % 4 == 0 ? (rnd() % 0x20) : (rnd() % 4 == 0 ? 0x7d + rnd() % 2 : rnd()));
        s->flen[i] = n;
        size_t before = wbuf_len(&w);
        cr_assert(hdlc_encode(&w, s->frames[i], n, rnd()));
        if (share_flags && before > 0) {
            /* drop this frame's opening flag: the previous closing flag serves */
            memmove(s->bytes + before, s->bytes + before + 1, wbuf_len(&w) - before - 1);
            w.len--;
        }
    }
    s->len = wbuf_len(&w);
}

static void free_stream(struct stream *s)
{
    free(s->bytes);
    free(s->frames);
    free(s->flen);
}

/* Feed s in chunks (chunk sizes from chunker); every frame must come out once,
 * in order, intact. */
static void feed_and_check(const struct stream *s, size_t (*chunker)(void))
{
    struct hdlc_decoder *d = malloc(sizeof *d);
    hdlc_decoder_init(d, 0);
    size_t pos = 0, got = 0;
    while (pos < s->len) {
        size_t k = chunker();
        if (k > s->len - pos)
            k = s->len - pos;
        cursor in, fr;
        cursor_init(&in, s->bytes + pos, k);
        anomaly_set an;
        anomaly_clear(&an);
        while (hdlc_decoder_next(d, &in, &fr, &an)) {
            cr_assert_lt(got, s->nframes);
            cr_assert_eq(cursor_len(&fr), s->flen[got], "frame %zu", got);
            cr_assert_eq(memcmp(cursor_data(&fr), s->frames[got], s->flen[got]), 0, "frame %zu", got);
            got++;
        }
        cr_assert_eq(cursor_len(&in), 0, "a chunk is always consumed");
        cr_assert_not(anomaly_any(&an));
        pos += k;
    }
    cr_assert_eq(got, s->nframes);
    cr_assert_eq(d->stats.frames, s->nframes);
    cr_assert_eq(d->stats.bad_fcs + d->stats.too_long + d->stats.aborts + d->stats.runts, 0);
    free(d);
}

static size_t chunk_one(void) { return 1; }
static size_t chunk_random(void) { return 1 + rnd() % 97; }
static size_t chunk_big(void) { return 1 + rnd() % 5000; }

Test(hdlc, random_frames_random_chunks)
{
    for (int round = 0; round < 20; round++) {
        struct stream s;
        make_stream(&s, 30, round % 2 ? 1500 : 40, round % 3 == 0);
        feed_and_check(&s, chunk_one);
        feed_and_check(&s, chunk_random);
        feed_and_check(&s, chunk_big);
        free_stream(&s);
    }
}

static size_t feed_all(struct hdlc_decoder *d, const uint8_t *b, size_t n, cursor *frames, size_t max,
                       uint8_t (*copies)[HDLC_MAX_FRAME], anomaly_set *an)
{
    cursor in, fr;
    cursor_init(&in, b, n);
    size_t got = 0;
    while (hdlc_decoder_next(d, &in, &fr, an)) {
        cr_assert_lt(got, max);
        memcpy(copies[got], cursor_data(&fr), cursor_len(&fr));
        cursor_init_exact(&frames[got], copies[got], cursor_len(&fr));
        got++;
    }
    return got;
}

static size_t enc(uint8_t *out, size_t cap, const char *frame, uint32_t accm)
{
    wbuf w;
    wbuf_init(&w, out, cap);
    cr_assert(hdlc_encode(&w, (const uint8_t *)frame, strlen(frame), accm));
    return wbuf_len(&w);
}

Test(hdlc, bad_fcs_is_dropped_and_counted)
{
    uint8_t b[256];
    size_t n = enc(b, sizeof b, "\xff\x03\xc0\x21hello", HDLC_ACCM_ALL);
    size_t n2 = enc(b + n, sizeof b - n, "\xff\x03\x80\x21world", HDLC_ACCM_ALL);
    b[5] ^= 0x01; /* corrupt the first frame's information */
    struct hdlc_decoder *d = malloc(sizeof *d);
    hdlc_decoder_init(d, 0);
    cursor frames[4];
    static uint8_t copies[4][HDLC_MAX_FRAME];
    anomaly_set an;
    anomaly_clear(&an);
    size_t got = feed_all(d, b, n + n2, frames, 4, copies, &an);
    cr_assert_eq(got, 1);
    cr_assert_eq(cursor_len(&frames[0]), 9);
    cr_assert_eq(memcmp(cursor_data(&frames[0]), "\xff\x03\x80\x21world", 9), 0);
    cr_assert_eq(d->stats.bad_fcs, 1);
    cr_assert_eq(d->stats.frames, 1);
    cr_assert(anomaly_has(&an, ANOMALY_HDLC_BAD_FCS));
    free(d);
}

Test(hdlc, garbage_before_and_between_frames_is_skipped)
{
    uint8_t b[512];
    size_t n = 0;
    memcpy(b, "login: junk\r\n", 13); /* before the first flag: hunt */
    n = 13;
    n += enc(b + n, sizeof b - n, "\xff\x03\xc0\x21one", 0);
    static const uint8_t junk[] = {0x7e, 'x', 'y', 'z', 'z', 'y', 0x7e}; /* a bogus frame */
    memcpy(b + n, junk, sizeof junk);
    n += sizeof junk;
    static const uint8_t runt[] = {0x7e, 0x01, 0x02, 0x7e, 0x7e}; /* 2 bytes and an empty one */
    memcpy(b + n, runt, sizeof runt);
    n += sizeof runt;
    n += enc(b + n, sizeof b - n, "\xff\x03\xc0\x21two", 0);
    for (int mode = 0; mode < 2; mode++) {
        struct hdlc_decoder *d = malloc(sizeof *d);
        hdlc_decoder_init(d, 0);
        cursor frames[4];
        static uint8_t copies[4][HDLC_MAX_FRAME];
        anomaly_set an;
        anomaly_clear(&an);
        size_t got = 0;
        if (mode == 0) {
            got = feed_all(d, b, n, frames, 4, copies, &an);
        } else {
            for (size_t i = 0; i < n; i++)
                got += feed_all(d, b + i, 1, frames + got, 4 - got, copies + got, &an);
        }
        cr_assert_eq(got, 2);
        cr_assert_eq(memcmp(cursor_data(&frames[0]), "\xff\x03\xc0\x21one", 7), 0);
        cr_assert_eq(memcmp(cursor_data(&frames[1]), "\xff\x03\xc0\x21two", 7), 0);
        cr_assert_eq(d->stats.hunt_bytes, 13);
        cr_assert_eq(d->stats.bad_fcs, 1);
        cr_assert_eq(d->stats.runts, 1);
        cr_assert(anomaly_has(&an, ANOMALY_HDLC_RUNT));
        free(d);
    }
}

Test(hdlc, too_long_frame_is_dropped_with_bounded_buffer)
{
    size_t cap = 4 * HDLC_MAX_FRAME + 64;
    uint8_t *b = malloc(cap);
    uint8_t *big = malloc(HDLC_MAX_FRAME);
    memset(big, 0x41, HDLC_MAX_FRAME);
    wbuf w;
    wbuf_init(&w, b, cap);
    /* largest frame that fits: HDLC_MAX_FRAME - 2 bytes + FCS */
    cr_assert(hdlc_encode(&w, big, HDLC_MAX_FRAME - 2, 0));
    /* one byte more: dropped */
    cr_assert(hdlc_encode(&w, big, HDLC_MAX_FRAME - 1, 0));
    cr_assert(hdlc_encode(&w, (const uint8_t *)"\xc0\x21ok", 4, 0));
    struct hdlc_decoder *d = malloc(sizeof *d);
    hdlc_decoder_init(d, 0);
    cursor in, fr;
    cursor_init(&in, b, wbuf_len(&w));
    anomaly_set an;
    anomaly_clear(&an);
    cr_assert(hdlc_decoder_next(d, &in, &fr, &an));
    cr_assert_eq(cursor_len(&fr), HDLC_MAX_FRAME - 2);
    cr_assert(hdlc_decoder_next(d, &in, &fr, &an));
    cr_assert_eq(cursor_len(&fr), 4);
    cr_assert_eq(memcmp(cursor_data(&fr), "\xc0\x21ok", 4), 0);
    cr_assert_not(hdlc_decoder_next(d, &in, &fr, &an));
    cr_assert_eq(d->stats.too_long, 1);
    cr_assert(anomaly_has(&an, ANOMALY_HDLC_FRAME_TOO_LONG));
    free(d);
    free(big);
    free(b);
}

Test(hdlc, abort_sequence_drops_frame)
{
    uint8_t b[128];
    size_t n = 0;
    static const uint8_t aborted[] = {0x7e, 0xff, 0x7d, 0x23, 0xc0, 0x21, 0x01, 0x7d, 0x7e};
    memcpy(b, aborted, sizeof aborted);
    n = sizeof aborted;
    /* the 0x7e of the abort also opens the next frame: drop its own opening flag */
    size_t m = enc(b + n, sizeof b - n, "\xff\x03\xc0\x21ok", HDLC_ACCM_ALL);
    memmove(b + n, b + n + 1, m - 1);
    n += m - 1;
    struct hdlc_decoder *d = malloc(sizeof *d);
    hdlc_decoder_init(d, 0);
    cursor frames[2];
    static uint8_t copies[2][HDLC_MAX_FRAME];
    anomaly_set an;
    anomaly_clear(&an);
    cr_assert_eq(feed_all(d, b, n, frames, 2, copies, &an), 1);
    cr_assert_eq(memcmp(cursor_data(&frames[0]), "\xff\x03\xc0\x21ok", 6), 0);
    cr_assert_eq(d->stats.aborts, 1);
    cr_assert(anomaly_has(&an, ANOMALY_HDLC_ABORT));
    free(d);
}

Test(hdlc, receive_accm_removes_inserted_control_bytes)
{
    uint8_t b[128], noisy[256];
    size_t n = enc(b, sizeof b, "\xff\x03\xc0\x21xonxoff", HDLC_ACCM_ALL);
    size_t m = 0;
    for (size_t i = 0; i < n; i++) {
        noisy[m++] = b[i];
        if (i > 0 && i + 1 < n && i % 3 == 0)
            noisy[m++] = 0x11; /* XON inserted by a modem */
    }
    struct hdlc_decoder *d = malloc(sizeof *d);
    cursor frames[2];
    static uint8_t copies[2][HDLC_MAX_FRAME];
    hdlc_decoder_init(d, 1u << 0x11);
    cr_assert_eq(feed_all(d, noisy, m, frames, 2, copies, NULL), 1);
    cr_assert_eq(cursor_len(&frames[0]), 11);
    cr_assert_eq(memcmp(cursor_data(&frames[0]), "\xff\x03\xc0\x21xonxoff", 11), 0);
    cr_assert_gt(d->stats.accm_dropped, 0);
    /* without the receive map the inserted bytes break the FCS */
    hdlc_decoder_init(d, 0);
    cr_assert_eq(feed_all(d, noisy, m, frames, 2, copies, NULL), 0);
    cr_assert_eq(d->stats.bad_fcs, 1);
    free(d);
}

Test(hdlc, encoder_overflow)
{
    uint8_t b[8];
    wbuf w;
    wbuf_init(&w, b, sizeof b);
    cr_assert_not(hdlc_encode(&w, (const uint8_t *)"\xff\x03\xc0\x21", 4, HDLC_ACCM_ALL));
}
