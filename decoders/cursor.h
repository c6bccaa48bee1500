/*
 * cursor.h - the one bounds-checked reader and writer for every byte on the wire.
 *
 * Modelled on BoringSSL's CBS: a cursor is {data, len}; getters consume bytes and
 * return true on success.  On failure the cursor records *why* in a sticky status:
 *
 *   DEC_TRUNCATED  the bytes ran out where the capture stopped (snaplen, short
 *                  file, a prefix of a message): more may have existed on the wire.
 *   DEC_MALFORMED  the bytes ran out inside a region whose end was fixed by a
 *                  length field (a sub-cursor carved by cursor_sub): the length lied.
 *
 * A cursor whose end is where the capture stopped is "open ended"; cursor_init()
 * makes such a cursor, cursor_init_exact() one whose end is authoritative (e.g. a
 * reassembled PPTP message whose length field was already checked).
 * A sub-cursor carved with cursor_sub() is always exact.
 */
#ifndef PPTP_CURSOR_H
#define PPTP_CURSOR_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

typedef enum dec_status {
    DEC_OK = 0,
    DEC_TRUNCATED = 1, /* capture ran short */
    DEC_MALFORMED = 2, /* a length field lies / a value is impossible */
} dec_status;

/* Stable text name of a status: "ok", "truncated", "malformed". */
const char *dec_status_name(dec_status s);

typedef struct cursor {
    const uint8_t *data;
    size_t len;
    uint8_t open_end; /* 1: running off the end means truncated, 0: malformed */
    uint8_t status;   /* sticky dec_status of the first failed read */
} cursor;


/* Cursor over captured bytes (open ended).  Does not own data. */
static inline void cursor_init(cursor *c, const uint8_t *data, size_t len)
{
    c->data = data;
    c->len = data ? len : 0;
    c->open_end = 1;
    c->status = DEC_OK;
}

/* Cursor over a region whose length is authoritative.  Does not own data. */
static inline void cursor_init_exact(cursor *c, const uint8_t *data, size_t len)
{
    cursor_init(c, data, len);
    c->open_end = 0;
}

static inline size_t cursor_len(const cursor *c) { return c->len; }
static inline const uint8_t *cursor_data(const cursor *c) { return c->data; }
static inline dec_status cursor_status(const cursor *c) { return (dec_status)c->status; }
static inline bool cursor_empty(const cursor *c) { return c->len == 0; }


bool cursor_get_be24(cursor *c, uint32_t *out);
bool cursor_get_le16(cursor *c, uint16_t *out);
bool cursor_get_le32(cursor *c, uint32_t *out);
/* Carve up to n bytes: all n when present, else what remains as an open-ended
 * sub-cursor (the capture stopped inside it).  Never fails; returns true when the
 * full n were present. */
bool cursor_sub_upto(cursor *c, size_t n, cursor *sub);
/* Fixed-size NUL-padded string field of n bytes: copies bytes up to the first NUL
 * into dst (dst_size must be > 0; result always NUL terminated; excess truncated). */
bool cursor_get_fixed_str(cursor *c, size_t n, char *dst, size_t dst_size);

/* ---- hot getters, inline: every decoder calls these per field ---------------- */

/* Always inlined: a call per field costs more than the read (gcc's LTO otherwise
 * keeps some of them out of line). */
#define CURSOR_HOT static inline __attribute__((always_inline))

/* Status a read of n bytes would fail with (DEC_OK if it would succeed). */
CURSOR_HOT dec_status cursor_need(const cursor *c, size_t n)
{
    if (n <= c->len)
        return DEC_OK;
    return c->open_end ? DEC_TRUNCATED : DEC_MALFORMED;
}

/* Mark the cursor failed with st (used by decoders for semantic errors). */
CURSOR_HOT void cursor_fail(cursor *c, dec_status st)
{
    if (c->status == DEC_OK)
        c->status = (uint8_t)st;
}

CURSOR_HOT bool cursor_take_(cursor *c, size_t n, const uint8_t **p)
{
    if (__builtin_expect(n > c->len, 0)) {
        cursor_fail(c, c->open_end ? DEC_TRUNCATED : DEC_MALFORMED);
        return false;
    }
    *p = c->data;
    c->data += n;
    c->len -= n;
    return true;
}

/* Getters: consume and return true, or consume nothing, set the status, return false.
 * The out pointer may be NULL for get_u8/16/32 to discard. */
CURSOR_HOT bool cursor_get_u8(cursor *c, uint8_t *out)
{
    const uint8_t *p;
    if (!cursor_take_(c, 1, &p))
        return false;
    if (out)
        *out = p[0];
    return true;
}

CURSOR_HOT bool cursor_get_be16(cursor *c, uint16_t *out)
{
    const uint8_t *p;
    if (!cursor_take_(c, 2, &p))
        return false;
    if (out)
        *out = (uint16_t)((p[0] << 8) | p[1]);
    return true;
}

CURSOR_HOT bool cursor_get_be32(cursor *c, uint32_t *out)
{
    const uint8_t *p;
    if (!cursor_take_(c, 4, &p))
        return false;
    if (out)
        *out = ((uint32_t)p[0] << 24) | ((uint32_t)p[1] << 16) | ((uint32_t)p[2] << 8) | p[3];
    return true;
}

CURSOR_HOT bool cursor_skip(cursor *c, size_t n)
{
    const uint8_t *p;
    return cursor_take_(c, n, &p);
}

/* Point at n bytes in place (no copy). */
CURSOR_HOT bool cursor_get_span(cursor *c, size_t n, const uint8_t **out)
{
    return cursor_take_(c, n, out);
}

/* Carve exactly n bytes into *sub (an exact cursor) and consume them.
 * If fewer than n remain: DEC_TRUNCATED when c is open ended, else DEC_MALFORMED. */
CURSOR_HOT bool cursor_sub(cursor *c, size_t n, cursor *sub)
{
    const uint8_t *p;
    if (!cursor_take_(c, n, &p))
        return false;
    sub->data = p;
    sub->len = n;
    sub->open_end = 0;
    sub->status = DEC_OK;
    return true;
}

/* Peek without consuming; never sets the status. */
CURSOR_HOT bool cursor_peek_u8(const cursor *c, uint8_t *out)
{
    if (c->len < 1)
        return false;
    *out = c->data[0];
    return true;
}

CURSOR_HOT bool cursor_peek_be16(const cursor *c, uint16_t *out)
{
    if (c->len < 2)
        return false;
    *out = (uint16_t)((c->data[0] << 8) | c->data[1]);
    return true;
}

/* Copy n bytes out. */
static inline bool cursor_get_bytes(cursor *c, uint8_t *out, size_t n)
{
    const uint8_t *p;
    if (!cursor_take_(c, n, &p))
        return false;
    for (size_t i = 0; i < n; i++)
        out[i] = p[i];
    return true;
}

/* Take everything that remains (keeps c's open_end). */
static inline void cursor_rest(cursor *c, cursor *sub)
{
    *sub = *c;
    sub->status = DEC_OK;
    c->data += c->len;
    c->len = 0;
}

/* ---- writer ---------------------------------------------------------------- */

/* A bounded output buffer.  Writes past cap set overflow and are dropped;
 * check wbuf_ok() once at the end. Does not own buf. */
typedef struct wbuf {
    uint8_t *buf;
    size_t cap;
    size_t len;
    bool overflow;
} wbuf;

void wbuf_init(wbuf *w, uint8_t *buf, size_t cap);
static inline bool wbuf_ok(const wbuf *w) { return !w->overflow; }
static inline size_t wbuf_len(const wbuf *w) { return w->len; }
void wbuf_put_u8(wbuf *w, uint8_t v);
void wbuf_put_be16(wbuf *w, uint16_t v);
void wbuf_put_be24(wbuf *w, uint32_t v);
void wbuf_put_be32(wbuf *w, uint32_t v);
void wbuf_put_le16(wbuf *w, uint16_t v);
void wbuf_put_le32(wbuf *w, uint32_t v);
void wbuf_put_bytes(wbuf *w, const void *p, size_t n);
void wbuf_put_zeros(wbuf *w, size_t n);
/* Write s into a field of exactly n bytes, NUL padded (s cut to n bytes). */
void wbuf_put_fixed_str(wbuf *w, const char *s, size_t n);
/* Overwrite a be16/u8 already written at offset off (for length back-patching). */
void wbuf_patch_be16(wbuf *w, size_t off, uint16_t v);
void wbuf_patch_u8(wbuf *w, size_t off, uint8_t v);

#endif
