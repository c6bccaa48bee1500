/* cursor.c - bounds-checked reader/writer; see cursor.h. */
#include "cursor.h"

#include <string.h>

const char *dec_status_name(dec_status s)
{
    switch (s) {
    case DEC_OK: return "ok";
    case DEC_TRUNCATED: return "truncated";
    case DEC_MALFORMED: return "malformed";
    }
    return "unknown";
}








bool cursor_get_be24(cursor *c, uint32_t *out)
{
    const uint8_t *p;
    if (!cursor_take_(c, 3, &p))
        return false;
    if (out)
        *out = ((uint32_t)p[0] << 16) | ((uint32_t)p[1] << 8) | p[2];
    return true;
}


bool cursor_get_le16(cursor *c, uint16_t *out)
{
    const uint8_t *p;
    if (!cursor_take_(c, 2, &p))
        return false;
    if (out)
        *out = (uint16_t)(p[0] | (p[1] << 8));
    return true;
}

bool cursor_get_le32(cursor *c, uint32_t *out)
{
    const uint8_t *p;
    if (!cursor_take_(c, 4, &p))
        return false;
    if (out)
        *out = (uint32_t)p[0] | ((uint32_t)p[1] << 8) | ((uint32_t)p[2] << 16) | ((uint32_t)p[3] << 24);
    return true;
}







bool cursor_sub_upto(cursor *c, size_t n, cursor *sub)
{
    if (n <= c->len) {
        const uint8_t *p;
        cursor_take_(c, n, &p);
        cursor_init_exact(sub, p, n);
        return true;
    }
    cursor_init(sub, c->data, c->len);
    c->data += c->len;
    c->len = 0;
    return false;
}


bool cursor_get_fixed_str(cursor *c, size_t n, char *dst, size_t dst_size)
{
    const uint8_t *p;
    if (!cursor_take_(c, n, &p))
        return false;
    size_t k = 0;
    while (k < n && p[k] != 0 && k + 1 < dst_size) {
        dst[k] = (char)p[k];
        k++;
    }
    if (dst_size)
        dst[k] = '\0';
    return true;
}

/* ---- writer ---------------------------------------------------------------- */

void wbuf_init(wbuf *w, uint8_t *buf, size_t cap)
{
    w->buf = buf;
    w->cap = buf ? cap : 0;
    w->len = 0;
    w->overflow = false;
}

static uint8_t *room(wbuf *w, size_t n)
{
    if (w->overflow || n > w->cap - w->len) {
        w->overflow = true;
        return NULL;
    }
    uint8_t *p = w->buf + w->len;
    w->len += n;
    return p;
}

void wbuf_put_u8(wbuf *w, uint8_t v)
{
    uint8_t *p = room(w, 1);
    if (p)
        p[0] = v;
}

void wbuf_put_be16(wbuf *w, uint16_t v)
{
    uint8_t *p = room(w, 2);
    if (p) {
        p[0] = (uint8_t)(v >> 8);
        p[1] = (uint8_t)v;
    }
}

void wbuf_put_be24(wbuf *w, uint32_t v)
{
    uint8_t *p = room(w, 3);
    if (p) {
        p[0] = (uint8_t)(v >> 16);
        p[1] = (uint8_t)(v >> 8);
        p[2] = (uint8_t)v;
    }
}

void wbuf_put_be32(wbuf *w, uint32_t v)
{
    uint8_t *p = room(w, 4);
    if (p) {
        p[0] = (uint8_t)(v >> 24);
        p[1] = (uint8_t)(v >> 16);
        p[2] = (uint8_t)(v >> 8);
        p[3] = (uint8_t)v;
    }
}

void wbuf_put_le16(wbuf *w, uint16_t v)
{
    uint8_t *p = room(w, 2);
    if (p) {
        p[0] = (uint8_t)v;
        p[1] = (uint8_t)(v >> 8);
    }
}

void wbuf_put_le32(wbuf *w, uint32_t v)
{
    uint8_t *p = room(w, 4);
    if (p) {
        p[0] = (uint8_t)v;
        p[1] = (uint8_t)(v >> 8);
        p[2] = (uint8_t)(v >> 16);
        p[3] = (uint8_t)(v >> 24);
    }
}

void wbuf_put_bytes(wbuf *w, const void *src, size_t n)
{
    uint8_t *p = room(w, n);
    if (p && n)
        memcpy(p, src, n);
}

void wbuf_put_zeros(wbuf *w, size_t n)
{
    uint8_t *p = room(w, n);
    if (p && n)
        memset(p, 0, n);
}

void wbuf_put_fixed_str(wbuf *w, const char *s, size_t n)
{
    uint8_t *p = room(w, n);
    if (!p)
        return;
    size_t k = s ? strnlen(s, n) : 0;
    if (k)
        memcpy(p, s, k);
    memset(p + k, 0, n - k);
}

void wbuf_patch_be16(wbuf *w, size_t off, uint16_t v)
{
    if (off + 2 > w->len)
        return;
    w->buf[off] = (uint8_t)(v >> 8);
    w->buf[off + 1] = (uint8_t)v;
}

void wbuf_patch_u8(wbuf *w, size_t off, uint8_t v)
{
    if (off + 1 > w->len)
        return;
    w->buf[off] = v;
}
