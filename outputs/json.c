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
    if (n <= 16) {
        /* short pieces (names, digits): a loop beats an inlined rep movs */
        const char *src = s;
        for (size_t i = 0; i < n; i++)
            w->p[i] = src[i];
    } else {
        memcpy(w->p, s, n);
    }
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
 * The member tree: node 0 is the top-level object; every other node is one
 * member, named by a segment of the key of the slot that created it (name_off
 * points into the arena), an object (children) or a leaf (slot).  Children
 * are kept in the order they were created, that is in order of the first slot
 * under them, which is the documented key order.  A node is created per key
 * segment at most, so EV_MAX_FIELDS * EV_KEY_DEPTH + 1 nodes always suffice.
 */
#define JSON_NODES (EV_MAX_FIELDS * EV_KEY_DEPTH + 1)

typedef struct jnode {
    uint16_t child;    /* first child, 0: none (node 0 is nobody's child) */
    uint16_t next;     /* next sibling, 0: none */
    uint16_t name_off; /* arena offset of the name */
    uint8_t name_len;
    uint8_t slot; /* leaf: its (first) slot */
    uint8_t leaf;
} jnode;

static inline bool name_eq(const char *a, const char *b, size_t n)
{
    for (size_t i = 0; i < n; i++)
        if (a[i] != b[i])
            return false;
    return true;
}

static void build_tree(const ev *e, jnode *t)
{
    size_t n = 1;
    memset(&t[0], 0, sizeof t[0]);
    /* the previous key's path: setters usually group fields of one object */
    uint16_t path[EV_KEY_DEPTH + 1];
    size_t path_len = 0;
    for (int i = 0; i < e->nfields; i++) {
        const ev_field *f = &e->f[i];
        if (f->type == EV_T_NONE)
            continue;
        const char *k = ev_field_key(e, f);
        size_t pos = 0, depth = 0;
        uint16_t node = 0;
        bool on_path = true; /* node is path[depth - 1] (or the root) */
        for (;;) {
            size_t end = pos;
            while (end < f->key_len && k[end] != '.')
                end++;
            size_t len = end - pos;
            bool last = end == f->key_len;
            uint16_t c, prev = 0;
            if (on_path && depth < path_len && t[path[depth]].name_len == len &&
                name_eq(e->arena + t[path[depth]].name_off, k + pos, len)) {
                c = path[depth];
            } else {
                on_path = false;
                c = t[node].child;
                while (c && !(t[c].name_len == len && name_eq(e->arena + t[c].name_off, k + pos, len))) {
                    prev = c;
                    c = t[c].next;
                }
            }
            if (c) {
                /* the name exists: go down an object; a later element of an
                 * array, or a leaf/object clash, is skipped (first one wins) */
                if (last || t[c].leaf)
                    break;
                path[depth++] = c;
                node = c;
                pos = end + 1;
                continue;
            }
            c = (uint16_t)n++;
            t[c].child = 0;
            t[c].next = 0;
            t[c].name_off = (uint16_t)(f->key_off + pos);
            t[c].name_len = (uint8_t)len;
            t[c].slot = (uint8_t)i;
            t[c].leaf = last;
            if (prev)
                t[prev].next = c;
            else
                t[node].child = c;
            path[depth++] = c;
            on_path = false;
            if (last)
                break;
            node = c;
            pos = end + 1;
        }
        path_len = depth;
    }
}

static void emit_leaf(const ev *e, jw *w, int slot)
{
    const ev_field *f = &e->f[slot];
    if (!(f->flags & EV_F_ARRAY)) {
        put_value(w, e, f);
        return;
    }
    jw_c(w, '[');
    put_value(w, e, f);
    for (int j = slot + 1; j < e->nfields; j++)
        if (e->f[j].type != EV_T_NONE && same_key(e, f, &e->f[j])) {
            jw_c(w, ',');
            put_value(w, e, &e->f[j]);
        }
    jw_c(w, ']');
}

static void emit_object(const ev *e, jw *w, const jnode *t, uint16_t node)
{
    jw_c(w, '{');
    for (uint16_t c = t[node].child; c && !w->ovf; c = t[c].next) {
        if (c != t[node].child)
            jw_c(w, ',');
        jw_c(w, '"');
        jw_put(w, e->arena + t[c].name_off, t[c].name_len);
        jw_c(w, '"');
        jw_c(w, ':');
        if (t[c].leaf)
            emit_leaf(e, w, t[c].slot);
        else
            emit_object(e, w, t, c);
    }
    jw_c(w, '}');
}

size_t ev_to_json(const ev *e, char *buf, size_t cap)
{
    if (cap == 0)
        return 0;
    jw w = {buf, buf + cap - 1, false};
    jnode t[JSON_NODES];
    build_tree(e, t);
    emit_object(e, &w, t, 0);
    if (w.ovf) {
        buf[0] = '\0';
        return 0;
    }
    *w.p = '\0';
    return (size_t)(w.p - buf);
}
