/*
 * json.c - event to one-line ASCII JSON (json.h).
 *
 * Size bound (EV_JSON_MAX): every arena byte (key or value, NUL included)
 * becomes at most 6 output bytes (a \u00XX escape; a key segment adds at most
 * `"":{}` and a comma, 6 bytes, per 2 key bytes); integers and booleans take
 * no arena and at most 20 digits + 6 bytes of punctuation each.  So output <=
 * 6 * EV_ARENA_SIZE + 30 * EV_MAX_FIELDS + 2 = 52994 < EV_JSON_MAX.
 */
#include "json.h"

#include <stdbool.h>
#include <stdint.h>
#include <string.h>

typedef struct jw {
    char *p;
    char *end; /* one before the NUL's place */
    bool ovf;
} jw;

static inline void jw_put(jw *w, const void *s, size_t n)
{
    if ((size_t)(w->end - w->p) < n) {
        w->ovf = true;
        w->p = w->end;
        return;
    }
    memcpy(w->p, s, n);
    w->p += n;
}

static inline void jw_c(jw *w, char c)
{
    if (w->p >= w->end) {
        w->ovf = true;
        return;
    }
    *w->p++ = c;
}

/* ---- strings ------------------------------------------------------------- */

/* 1 for bytes written as themselves inside a JSON string. */
static const uint8_t plain[256] = {
#define R16(v) v, v, v, v, v, v, v, v, v, v, v, v, v, v, v, v
    R16(0), R16(0),                                        /* 0x00-0x1f controls */
    1, 1, 0, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1,        /* 0x20-0x2f, '"' */
    R16(1), R16(1),                                        /* 0x30-0x4f */
    1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 0, 1, 1, 1,        /* 0x50-0x5f, '\\' */
    R16(1),                                                /* 0x60-0x6f */
    1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 0,        /* 0x70-0x7f, DEL */
    R16(0), R16(0), R16(0), R16(0), R16(0), R16(0), R16(0), R16(0), /* >= 0x80 */
#undef R16
};

static const char hexd[] = "0123456789abcdef";

static void put_u(jw *w, unsigned v)
{
    char b[6] = {'\\', 'u', hexd[(v >> 12) & 15], hexd[(v >> 8) & 15], hexd[(v >> 4) & 15],
                 hexd[v & 15]};
    jw_put(w, b, 6);
}

/* Length of the well-formed UTF-8 sequence at s (RFC 3629 table 3-7), its
 * code point in *cp; 0 if s does not start one. */
static size_t utf8_seq(const uint8_t *s, size_t n, uint32_t *cp)
{
    uint8_t c = s[0];
    size_t len;
    uint8_t lo = 0x80, hi = 0xbf; /* allowed range of the second byte */
    if (c >= 0xc2 && c <= 0xdf) {
        len = 2;
        *cp = c & 0x1f;
    } else if (c >= 0xe0 && c <= 0xef) {
        len = 3;
        *cp = c & 0x0f;
        if (c == 0xe0)
            lo = 0xa0; /* no overlongs */
        else if (c == 0xed)
            hi = 0x9f; /* no surrogates */
    } else if (c >= 0xf0 && c <= 0xf4) {
        len = 4;
        *cp = c & 0x07;
        if (c == 0xf0)
            lo = 0x90; /* no overlongs */
        else if (c == 0xf4)
            hi = 0x8f; /* <= U+10FFFF */
    } else {
        return 0;
    }
    if (n < len || s[1] < lo || s[1] > hi)
        return 0;
    for (size_t i = 1; i < len; i++) {
        if ((s[i] & 0xc0) != 0x80)
            return 0;
        *cp = (*cp << 6) | (s[i] & 0x3f);
    }
    return len;
}

static void put_escaped(jw *w, const uint8_t *s, size_t n)
{
    size_t i = 0;
    while (i < n) {
        size_t run = i;
        while (run < n && plain[s[run]])
            run++;
        jw_put(w, s + i, run - i);
        if (run == n)
            return;
        uint8_t c = s[run];
        if (c == '"' || c == '\\') {
            char b[2] = {'\\', (char)c};
            jw_put(w, b, 2);
            i = run + 1;
        } else if (c < 0x80) {
            put_u(w, c);
            i = run + 1;
        } else {
            uint32_t cp;
            size_t len = utf8_seq(s + run, n - run, &cp);
            if (len == 0) {
                put_u(w, c); /* not UTF-8: the byte, as Latin-1 */
                i = run + 1;
            } else {
                if (cp >= 0x10000) {
                    cp -= 0x10000;
                    put_u(w, 0xd800 + (cp >> 10));
                    put_u(w, 0xdc00 + (cp & 0x3ff));
                } else {
                    put_u(w, cp);
                }
                i = run + len;
            }
        }
    }
}

size_t json_escape(const void *s, size_t len, char *out, size_t cap)
{
    if (cap == 0)
        return JSON_NOFIT;
    jw w = {out, out + cap - 1, false};
    put_escaped(&w, (const uint8_t *)s, len);
    if (w.ovf) {
        out[0] = '\0';
        return JSON_NOFIT;
    }
    *w.p = '\0';
    return (size_t)(w.p - out);
}

/* ---- values -------------------------------------------------------------- */

static void put_uint(jw *w, uint64_t v)
{
    char b[20];
    size_t i = sizeof b;
    do {
        b[--i] = (char)('0' + v % 10);
        v /= 10;
    } while (v);
    jw_put(w, b + i, sizeof b - i);
}

static void put_value(jw *w, const ev *e, const ev_field *f)
{
    switch (f->type) {
    case EV_T_STR:
        jw_c(w, '"');
        put_escaped(w, (const uint8_t *)ev_field_str(e, f), f->v.s.len);
        jw_c(w, '"');
        break;
    case EV_T_INT:
        if (f->v.i < 0) {
            jw_c(w, '-');
            put_uint(w, (uint64_t)0 - (uint64_t)f->v.i);
        } else {
            put_uint(w, (uint64_t)f->v.i);
        }
        break;
    case EV_T_UINT:
        put_uint(w, f->v.u);
        break;
    default:
        if (f->v.b)
            jw_put(w, "true", 4);
        else
            jw_put(w, "false", 5);
        break;
    }
}

/* ---- objects ------------------------------------------------------------- */

static inline bool same_key(const ev *e, const ev_field *a, const ev_field *b)
{
    return a->key_hash == b->key_hash && a->key_len == b->key_len &&
           memcmp(ev_field_key(e, a), ev_field_key(e, b), a->key_len) == 0;
}

/*
 * Emit the members of the object whose fields are the live, not yet done
 * slots from `start` on whose key begins with the first plen bytes of slot
 * start's key (that prefix ends with '.', or plen is 0 for the top level).
 * Members come in order of their first slot.  A name that is both a leaf and
 * an object keeps whichever came first; the other slots are marked done
 * (skipped).
 */
static void emit_members(const ev *e, jw *w, uint8_t *done, int start, size_t plen)
{
    const char *prefix = ev_field_key(e, &e->f[start]);
    bool first = true;
    for (int i = start; i < e->nfields && !w->ovf; i++) {
        const ev_field *f = &e->f[i];
        if (done[i] || f->type == EV_T_NONE)
            continue;
        const char *k = ev_field_key(e, f);
        if (f->key_len <= plen || memcmp(k, prefix, plen) != 0)
            continue;
        size_t end = plen;
        while (end < f->key_len && k[end] != '.')
            end++;
        if (!first)
            jw_c(w, ',');
        first = false;
        jw_c(w, '"');
        jw_put(w, k + plen, end - plen);
        jw_c(w, '"');
        jw_c(w, ':');
        if (end == f->key_len) {
            /* a leaf: scalar, or array of every slot with this key */
            if (f->flags & EV_F_ARRAY) {
                jw_c(w, '[');
                put_value(w, e, f);
                for (int j = i + 1; j < e->nfields; j++)
                    if (!done[j] && e->f[j].type != EV_T_NONE && same_key(e, f, &e->f[j])) {
                        jw_c(w, ',');
                        put_value(w, e, &e->f[j]);
                        done[j] = 1;
                    }
                jw_c(w, ']');
            } else {
                put_value(w, e, f);
            }
            done[i] = 1;
            /* later "k.x" keys would repeat the name as an object: skip them */
            for (int j = i + 1; j < e->nfields; j++) {
                const ev_field *g = &e->f[j];
                if (g->key_len > end && ev_field_key(e, g)[end] == '.' &&
                    memcmp(ev_field_key(e, g), k, end) == 0)
                    done[j] = 1;
            }
        } else {
            jw_c(w, '{');
            emit_members(e, w, done, i, end + 1);
            jw_c(w, '}');
            /* a later leaf with exactly this name would repeat it: skip it */
            for (int j = i + 1; j < e->nfields; j++) {
                const ev_field *g = &e->f[j];
                if (g->key_len == end && memcmp(ev_field_key(e, g), k, end) == 0)
                    done[j] = 1;
            }
        }
    }
}

size_t ev_to_json(const ev *e, char *buf, size_t cap)
{
    if (cap == 0)
        return 0;
    jw w = {buf, buf + cap - 1, false};
    uint8_t done[EV_MAX_FIELDS];
    memset(done, 0, e->nfields);
    jw_c(&w, '{');
    if (e->nfields)
        emit_members(e, &w, done, 0, 0);
    jw_c(&w, '}');
    if (w.ovf) {
        buf[0] = '\0';
        return 0;
    }
    *w.p = '\0';
    return (size_t)(w.p - buf);
}
