/*
 * json.c - event to one-line ASCII JSON (json.h).
 *
 * Size bound (EV_JSON_MAX): every arena byte (key or value, NUL included)
 * becomes at most 6 output bytes (a \u00XX escape; a key segment adds at most
 * `"":{}` and a comma, 6 bytes, per 2 key bytes); integers and booleans take
 * no arena and at most 20 digits + 6 bytes of punctuation each.  So output <=
 * 6 * EV_ARENA_SIZE + 30 * EV_MAX_FIELDS + 2 = 52994 < EV_JSON_MAX.
 *
 * Speed: the setters keep the member tree (event.c), so rendering is a walk
 * of it (json.c builds the tree itself only after a key lost its first slot);
 * strings are checked and copied 16 bytes at a time (8 without SSE2), integers
 * written two digits at a time.  Those fast writers store whole chunks and run
 * only when the rest of the buffer surely holds what they write (member());
 * otherwise the byte-exact checked writers do the piece.  Both produce the
 * same bytes.
 */
#include "json.h"

#include <stdbool.h>
#include <stdint.h>
#include <string.h>
#ifdef __SSE2__
#include <emmintrin.h>
#endif

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

static inline size_t jw_room(const jw *w)
{
    return (size_t)(w->end - w->p);
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

/* ---- fast writers --------------------------------------------------------- */

#define ONES 0x0101010101010101ull
#define HIGHS 0x8080808080808080ull

static inline uint64_t ld64(const void *p)
{
    uint64_t x;
    memcpy(&x, p, 8);
    return x;
}

static inline void st64(void *p, uint64_t x)
{
    memcpy(p, &x, 8);
}

/* Word of 8 bytes, first byte lowest, whatever the byte order. */
static inline uint64_t le64(uint64_t x)
{
#if defined(__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_BIG_ENDIAN__
    return __builtin_bswap64(x);
#else
    return x;
#endif
}

/* High bit of each byte of x that is not plain[] (< 0x20, '"', '\\', >= 0x7f).
 * Borrows and carries only flag bytes above a flagged one: the lowest flag is
 * exactly the first such byte. */
static inline uint64_t special_bytes(uint64_t x)
{
    uint64_t q = x ^ (ONES * '"'), b = x ^ (ONES * '\\');
    return (((x - ONES * 0x20) & ~x) | x | (x + ONES) | ((q - ONES) & ~q) | ((b - ONES) & ~b)) & HIGHS;
}

/* One escape for the byte (or UTF-8 sequence) at s[*i], as put_escaped. */
static char *esc_one(char *o, const uint8_t *s, size_t n, size_t *i)
{
    uint8_t c = s[*i];
    uint32_t v = c;
    size_t len = 1;
    if (c == '"' || c == '\\') {
        o[0] = '\\';
        o[1] = (char)c;
        *i += 1;
        return o + 2;
    }
    if (c >= 0x80) {
        uint32_t cp;
        size_t l = utf8_seq(s + *i, n - *i, &cp);
        if (l) {
            len = l;
            v = cp;
            if (cp >= 0x10000) {
                cp -= 0x10000;
                uint32_t hi = 0xd800 + (cp >> 10);
                o[0] = '\\';
                o[1] = 'u';
                o[2] = hexd[hi >> 12];
                o[3] = hexd[(hi >> 8) & 15];
                o[4] = hexd[(hi >> 4) & 15];
                o[5] = hexd[hi & 15];
                o += 6;
                v = 0xdc00 + (cp & 0x3ff);
            }
        }
    }
    o[0] = '\\';
    o[1] = 'u';
    o[2] = hexd[(v >> 12) & 15];
    o[3] = hexd[(v >> 8) & 15];
    o[4] = hexd[(v >> 4) & 15];
    o[5] = hexd[v & 15];
    *i += len;
    return o + 6;
}

/* Escape n bytes of s at o; s may be read up to lim (not beyond).  Writes
 * at most 6 * n + 16 bytes (chunks are stored whole). */
static char *esc_fast(char *o, const uint8_t *s, size_t n, const uint8_t *lim)
{
    size_t i = 0;
#ifdef __SSE2__
    const __m128i c20 = _mm_set1_epi8(0x20), c7f = _mm_set1_epi8(0x7f), cq = _mm_set1_epi8('"'),
                  cb = _mm_set1_epi8('\\');
    while (i < n && (size_t)(lim - s) - i >= 16) {
        __m128i v = _mm_loadu_si128((const __m128i *)(const void *)(s + i));
        _mm_storeu_si128((__m128i *)(void *)o, v);
        /* signed: bytes >= 0x80 are below 0x20 too */
        __m128i sp = _mm_or_si128(_mm_or_si128(_mm_cmplt_epi8(v, c20), _mm_cmpeq_epi8(v, c7f)),
                                  _mm_or_si128(_mm_cmpeq_epi8(v, cq), _mm_cmpeq_epi8(v, cb)));
        unsigned m = (unsigned)_mm_movemask_epi8(sp);
        size_t left = n - i;
        if (left < 16)
            m &= (1u << left) - 1;
        if (!m) {
            size_t adv = left < 16 ? left : 16;
            i += adv;
            o += adv;
            continue;
        }
        size_t k = (size_t)__builtin_ctz(m);
        i += k;
        o += k;
        o = esc_one(o, s, n, &i);
    }
#endif
    while (i < n) {
        if ((size_t)(lim - s) - i >= 8) {
            uint64_t raw = ld64(s + i);
            st64(o, raw);
            uint64_t m = special_bytes(le64(raw));
            size_t left = n - i;
            if (left < 8)
                m &= (1ull << (8 * left)) - 1;
            if (!m) {
                size_t adv = left < 8 ? left : 8;
                i += adv;
                o += adv;
                continue;
            }
            size_t k = (size_t)__builtin_ctzll(m) / 8;
            i += k;
            o += k;
        } else if (plain[s[i]]) {
            *o++ = (char)s[i++];
            continue;
        }
        o = esc_one(o, s, n, &i);
    }
    return o;
}

size_t json_escape(const void *s, size_t len, char *out, size_t cap)
{
    if (cap == 0)
        return JSON_NOFIT;
    jw w = {out, out + cap - 1, false};
    if (len <= (SIZE_MAX - 16) / 6 && jw_room(&w) >= 6 * len + 16)
        w.p = esc_fast(w.p, s, len, (const uint8_t *)s + len);
    else
        put_escaped(&w, (const uint8_t *)s, len);
    if (w.ovf) {
        out[0] = '\0';
        return JSON_NOFIT;
    }
    *w.p = '\0';
    return (size_t)(w.p - out);
}

static const char digit_pairs[201] = "00010203040506070809101112131415161718192021222324252627282930313233343536373839"
                                     "40414243444546474849505152535455565758596061626364656667686970717273747576777879"
                                     "8081828384858687888990919293949596979899";

static const uint64_t pow10[20] = {1ull,
                                   10ull,
                                   100ull,
                                   1000ull,
                                   10000ull,
                                   100000ull,
                                   1000000ull,
                                   10000000ull,
                                   100000000ull,
                                   1000000000ull,
                                   10000000000ull,
                                   100000000000ull,
                                   1000000000000ull,
                                   10000000000000ull,
                                   100000000000000ull,
                                   1000000000000000ull,
                                   10000000000000000ull,
                                   100000000000000000ull,
                                   1000000000000000000ull,
                                   10000000000000000000ull};

/* Decimal digits of v (1..20). */
static inline unsigned ndigits(uint64_t v)
{
    unsigned t = (unsigned)(64 - __builtin_clzll(v | 1)) * 1233 >> 12; /* ~log10 */
    return t + 1 - ((v | 1) < pow10[t]);
}

/* v in decimal at o (exactly ndigits(v) bytes); returns the end. */
static char *u64_fast(char *o, uint64_t v)
{
    unsigned n = ndigits(v);
    char *p = o + n;
    while (v >= 100) {
        uint64_t q = v / 100;
        p -= 2;
        memcpy(p, digit_pairs + 2 * (v - q * 100), 2);
        v = q;
    }
    if (v >= 10) {
        p -= 2;
        memcpy(p, digit_pairs + 2 * v, 2);
    } else {
        *--p = (char)('0' + v);
    }
    return o + n;
}

/* ---- values -------------------------------------------------------------- */

static void put_uint(jw *w, uint64_t v)
{
    char b[24];
    jw_put(w, b, (size_t)(u64_fast(b, v) - b));
}

/* Bytes a value's fast writer may touch (chunks are stored whole). */
static inline size_t value_bound(const ev_field *f)
{
    return f->type == EV_T_STR ? 6u * (size_t)f->v.s.len + 24 : 32;
}

static char *value_fast(char *o, const ev *e, const ev_field *f)
{
    switch (f->type) {
    case EV_T_STR: {
        *o++ = '"';
        const uint8_t *s = (const uint8_t *)ev_field_str(e, f);
        o = esc_fast(o, s, f->v.s.len, (const uint8_t *)e->arena + EV_ARENA_SIZE);
        *o++ = '"';
        return o;
    }
    case EV_T_INT:
        if (f->v.i < 0) {
            *o++ = '-';
            return u64_fast(o, (uint64_t)0 - (uint64_t)f->v.i);
        }
        return u64_fast(o, (uint64_t)f->v.i);
    case EV_T_UINT:
        return u64_fast(o, f->v.u);
    default:
        if (f->v.b) {
            memcpy(o, "true", 4);
            return o + 4;
        }
        memcpy(o, "false", 5);
        return o + 5;
    }
}

/* Checked: exactly what fits, overflow flagged. */
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

/* `,"name":` (the comma unless first, then `{` if obj) for a member named by
 * len bytes of the arena at name; room for len + 24 bytes. */
static inline char *name_fast(char *o, const ev *e, const char *name, size_t len, bool comma, bool obj)
{
    *o = ',';
    o += comma;
    *o++ = '"';
    if ((size_t)(e->arena + EV_ARENA_SIZE - name) >= len + 16) {
        for (size_t i = 0; i < len; i += 16)
            memcpy(o + i, name + i, 16);
    } else {
        memcpy(o, name, len);
    }
    o += len;
    o[0] = '"';
    o[1] = ':';
    o[2] = '{';
    return o + 2 + obj;
}

static void put_name(jw *w, const char *name, size_t len, bool comma, bool obj)
{
    if (comma)
        jw_c(w, ',');
    jw_c(w, '"');
    jw_put(w, name, len);
    jw_c(w, '"');
    jw_c(w, ':');
    if (obj)
        jw_c(w, '{');
}

/*
 * One member at o (end: where the NUL goes): a leaf (slot, its value or the
 * array of its elements) or the opening of an object (slot < 0).  With room
 * for the most it can take, the fast writers; else the checked ones.
 * Returns the new end of the output, NULL when it does not fit.
 */
static char *member(const ev *e, char *o, char *end, const char *name, size_t len, bool comma, int slot)
{
    size_t need = len + 24;
    const ev_field *f = slot >= 0 ? &e->f[slot] : NULL;
    bool array = f && (f->flags & EV_F_ARRAY);
    if (f) {
        need += value_bound(f);
        if (array)
            for (unsigned j = e->elem_next[slot]; j; j = e->elem_next[j])
                need += 1 + value_bound(&e->f[j]);
    }
    if ((size_t)(end - o) >= need) {
        o = name_fast(o, e, name, len, comma, !f);
        if (!f)
            return o;
        if (!array)
            return value_fast(o, e, f);
        *o++ = '[';
        o = value_fast(o, e, f);
        for (unsigned j = e->elem_next[slot]; j; j = e->elem_next[j]) {
            *o++ = ',';
            o = value_fast(o, e, &e->f[j]);
        }
        *o++ = ']';
        return o;
    }
    jw w = {o, end, false};
    put_name(&w, name, len, comma, !f);
    if (array) {
        jw_c(&w, '[');
        put_value(&w, e, f);
        for (unsigned j = e->elem_next[slot]; j; j = e->elem_next[j]) {
            jw_c(&w, ',');
            put_value(&w, e, &e->f[j]);
        }
        jw_c(&w, ']');
    } else if (f) {
        put_value(&w, e, f);
    }
    return w.ovf ? NULL : w.p;
}

static inline char *put_char(char *o, char *end, char c)
{
    if (!o || o >= end)
        return NULL;
    *o = c;
    return o + 1;
}

/* ---- objects: the setters' tree ------------------------------------------ */

/* Walk the member tree event.c keeps (valid when e->tree_ok).  Returns the
 * end of the output, NULL when it does not fit. */
static char *emit_tree(const ev *e, char *o, char *end)
{
    unsigned stack[EV_KEY_DEPTH]; /* open objects below the top level */
    unsigned sp = 0;
    unsigned n = e->obj[0].first;
    bool first = true;
    o = put_char(o, end, '{');
    while (o) {
        if (n == EV_NODE_NONE) {
            o = put_char(o, end, '}');
            if (sp == 0)
                return o;
            n = e->next[stack[--sp]];
            first = false;
        } else if (n < EV_MAX_FIELDS) {
            const ev_field *f = &e->f[n];
            unsigned at = e->leaf_name[n];
            o = member(e, o, end, ev_field_key(e, f) + at, f->key_len - at, !first, (int)n);
            n = e->next[n];
            first = false;
        } else {
            const ev_obj *ob = &e->obj[n - EV_MAX_FIELDS];
            o = member(e, o, end, e->arena + ob->path_off + ob->name_pos, (size_t)(ob->path_len - ob->name_pos),
                       !first, -1);
            stack[sp++] = n;
            n = ob->first;
            first = true;
        }
    }
    return NULL;
}

/* ---- objects: built here ------------------------------------------------- */

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

static char *emit_object(const ev *e, char *o, char *end, const jnode *t, uint16_t node)
{
    for (uint16_t c = t[node].child; c && o; c = t[c].next) {
        bool obj = !t[c].leaf;
        o = member(e, o, end, e->arena + t[c].name_off, t[c].name_len, c != t[node].child, obj ? -1 : t[c].slot);
        if (obj && o)
            o = emit_object(e, o, end, t, c);
    }
    return put_char(o, end, '}');
}

size_t ev_to_json(const ev *e, char *buf, size_t cap)
{
    if (cap == 0)
        return 0;
    char *end = buf + cap - 1, *o;
    if (e->tree_ok) {
        o = emit_tree(e, buf, end);
    } else {
        /* a key lost its first slot since the reset: build the tree from the
         * slots still set */
        jnode t[JSON_NODES];
        build_tree(e, t);
        o = emit_object(e, put_char(buf, end, '{'), end, t, 0);
    }
    if (!o) {
        buf[0] = '\0';
        return 0;
    }
    *o = '\0';
    return (size_t)(o - buf);
}
