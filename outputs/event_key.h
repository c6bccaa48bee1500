/*
 * event_key.h - internal to outputs/event.c: word-at-a-time byte helpers and the
 * parsing of dotted event keys (validation, dot positions, hash), kept apart so
 * event.c holds the index, the member tree and the setters.  Everything here is
 * inline: it runs for every field of every event.
 */
#ifndef PPTP_EVENT_KEY_H
#define PPTP_EVENT_KEY_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#ifdef __SSE2__
#include <emmintrin.h>
#endif

#include "event.h"

#define INLINE static inline __attribute__((always_inline))
/* x's value unknown to the compiler: keeps a small copy a copy (not a call,
 * not `rep movs`), and a variable-size memcpy a call. */
#define OPAQUE(x) __asm__("" : "+r"(x))

/* ---- words --------------------------------------------------------------- */

INLINE uint64_t ld64(const void *p)
{
    uint64_t x;
    memcpy(&x, p, 8);
    return x;
}

INLINE void st64(void *p, uint64_t x)
{
    memcpy(p, &x, 8);
}

INLINE uint32_t ld32(const void *p)
{
    uint32_t x;
    memcpy(&x, p, 4);
    return x;
}

INLINE void st32(void *p, uint32_t x)
{
    memcpy(p, &x, 4);
}

/* Word of 8 bytes, first byte lowest, whatever the byte order. */
INLINE uint64_t le64(uint64_t x)
{
#if defined(__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_BIG_ENDIAN__
    return __builtin_bswap64(x);
#else
    return x;
#endif
}

/* Copy n bytes; d and s do not overlap.  Loads come before stores. */
INLINE void copy_bytes(char *d, const char *s, size_t n)
{
    if (n >= 8) {
        if (n > 16) {
#ifdef __SSE2__
            if (n <= 32) {
                __m128i a = _mm_loadu_si128((const __m128i *)(const void *)s);
                __m128i b = _mm_loadu_si128((const __m128i *)(const void *)(s + n - 16));
                _mm_storeu_si128((__m128i *)(void *)d, a);
                _mm_storeu_si128((__m128i *)(void *)(d + n - 16), b);
                return;
            }
#endif
            OPAQUE(n);
            memcpy(d, s, n);
            return;
        }
        uint64_t a = ld64(s), b = ld64(s + n - 8);
        st64(d, a);
        st64(d + n - 8, b);
    } else if (n >= 4) {
        uint32_t a = ld32(s), b = ld32(s + n - 4);
        st32(d, a);
        st32(d + n - 4, b);
    } else if (n) {
        char a = s[0], b = s[n / 2], c = s[n - 1];
        d[0] = a;
        d[n / 2] = b;
        d[n - 1] = c;
    }
}

/* n bytes at a and at b are equal. */
INLINE bool bytes_eq(const char *a, const char *b, size_t n)
{
    if (n >= 8) {
        if (n > 16) {
#ifdef __SSE2__
            if (n <= 32) {
                __m128i x = _mm_xor_si128(_mm_loadu_si128((const __m128i *)(const void *)a),
                                          _mm_loadu_si128((const __m128i *)(const void *)b));
                __m128i y = _mm_xor_si128(_mm_loadu_si128((const __m128i *)(const void *)(a + n - 16)),
                                          _mm_loadu_si128((const __m128i *)(const void *)(b + n - 16)));
                return _mm_movemask_epi8(_mm_cmpeq_epi8(_mm_or_si128(x, y), _mm_setzero_si128())) == 0xffff;
            }
#endif
            return memcmp(a, b, n) == 0;
        }
        return ((ld64(a) ^ ld64(b)) | (ld64(a + n - 8) ^ ld64(b + n - 8))) == 0;
    }
    if (n >= 4)
        return ((ld32(a) ^ ld32(b)) | (ld32(a + n - 4) ^ ld32(b + n - 4))) == 0;
    return n == 0 || (a[0] == b[0] && a[n / 2] == b[n / 2] && a[n - 1] == b[n - 1]);
}

/* ---- keys ---------------------------------------------------------------- */

/* A key, parsed: where it is, its length, hash, and where its dots are. */
typedef struct kinfo {
    const char *p; /* the caller's key (the set copies it into the arena) */
    size_t len;
    uint64_t dots[2]; /* bit i: p[i] is a '.' */
    uint16_t hash;
    uint8_t last_dot; /* position of the last dot, if any */
} kinfo;

#define HASH_MUL 0xff51afd7ed558ccdull

INLINE uint64_t hmix(uint64_t h, uint64_t x)
{
    return (h ^ x) * HASH_MUL;
}

/* Hash of the n (1..EV_KEY_MAX) bytes at p, from whole-word loads that stay
 * inside them (the last ones overlap the others): keys and object paths with
 * the same bytes hash the same, they share the index. */
INLINE uint16_t name_hash(const char *p, size_t n)
{
    uint64_t h = 0x9e3779b97f4a7c15ull ^ n;
    if (n >= 8) {
        for (size_t i = 0; i + 8 < n; i += 8)
            h = hmix(h, ld64(p + i));
        h = hmix(h, ld64(p + n - 8));
    } else if (n >= 4) {
        h = hmix(h, (uint64_t)ld32(p) << 32 | ld32(p + n - 4));
    } else {
        h = hmix(h, (uint64_t)(unsigned char)p[0] << 16 | (uint64_t)(unsigned char)p[n / 2] << 8 |
                        (unsigned char)p[n - 1]);
    }
    h ^= h >> 31;
    h *= 0xc4ceb9fe1a85ec53ull;
    return (uint16_t)(h >> 48);
}

/* More than EV_KEY_DEPTH - 1 dots (keys of 2 * EV_KEY_DEPTH - 1 bytes or
 * more can have that many). */
INLINE bool too_deep(uint64_t d0, uint64_t d1)
{
#ifdef __POPCNT__
    return __builtin_popcountll(d0) + __builtin_popcountll(d1) >= EV_KEY_DEPTH;
#else
    int allowed = EV_KEY_DEPTH - 1;
    for (; allowed && d0; allowed--)
        d0 &= d0 - 1; /* the lowest dot */
    for (; allowed && d1; allowed--)
        d1 &= d1 - 1;
    return (d0 | d1) != 0;
#endif
}

/* The n (1..7) bytes at p as the low bytes of a word (first byte lowest),
 * the rest zero; reads only those bytes. */
INLINE uint64_t short_word(const char *p, size_t n)
{
    const unsigned char *u = (const unsigned char *)p;
    if (n >= 4) {
        uint64_t lo = (uint64_t)u[0] | (uint64_t)u[1] << 8 | (uint64_t)u[2] << 16 | (uint64_t)u[3] << 24;
        const unsigned char *t = u + n - 4;
        uint64_t hi = (uint64_t)t[0] | (uint64_t)t[1] << 8 | (uint64_t)t[2] << 16 | (uint64_t)t[3] << 24;
        return lo | hi << (8 * (n - 4));
    }
    uint64_t w = u[0];
    if (n >= 2)
        w |= (uint64_t)u[1] << 8 | (uint64_t)u[n - 1] << (8 * (n - 1));
    return w;
}

#ifdef __SSE2__
/* The 16 bytes at p: bit i set when p[i] is no key byte (not 0x21..0x7e, or
 * '"' or '\\'); the '.' bytes in *dots. */
INLINE unsigned key_check16(__m128i v, unsigned *dots)
{
    /* 0x21..0x7e: v - 0x21 <= 0x5d unsigned */
    __m128i t = _mm_sub_epi8(v, _mm_set1_epi8(0x21));
    __m128i ok = _mm_cmpeq_epi8(_mm_min_epu8(t, _mm_set1_epi8(0x5d)), t);
    __m128i no = _mm_or_si128(_mm_cmpeq_epi8(v, _mm_set1_epi8('"')), _mm_cmpeq_epi8(v, _mm_set1_epi8('\\')));
    *dots = (unsigned)_mm_movemask_epi8(_mm_cmpeq_epi8(v, _mm_set1_epi8('.')));
    return (unsigned)_mm_movemask_epi8(_mm_andnot_si128(no, ok)) ^ 0xffffu;
}
#define KEY_LOAD16(p) _mm_loadu_si128((const __m128i *)(const void *)(p))
#define KEY_PAIR(lo, hi) _mm_set_epi64x((long long)(hi), (long long)(lo))
#else
typedef struct key16 {
    uint64_t lo, hi; /* first byte lowest */
} key16;

INLINE unsigned key_check16(key16 v, unsigned *dots)
{
    unsigned bad = 0, d = 0;
    for (unsigned j = 0; j < 16; j++) {
        unsigned c = (unsigned)((j < 8 ? v.lo : v.hi) >> (8 * (j % 8))) & 0xff;
        bad |= (unsigned)(c < 0x21 || c > 0x7e || c == '"' || c == '\\') << j;
        d |= (unsigned)(c == '.') << j;
    }
    *dots = d;
    return bad;
}
#define KEY_LOAD16(p) ((key16){le64(ld64(p)), le64(ld64((p) + 8))})
#define KEY_PAIR(l, h) ((key16){(l), (h)}) /* words already first byte lowest */
#endif

/* Dots found in 16 bytes at position at (<= EV_KEY_MAX - 16). */
INLINE void dots_at(uint64_t *d0, uint64_t *d1, unsigned m, size_t at)
{
    if (at < 64) {
        *d0 |= (uint64_t)m << at;
        if (at > 48)
            *d1 |= (uint64_t)m >> (64 - at);
    } else {
        *d1 |= (uint64_t)m << (at - 64);
    }
}

/*
 * Validate and parse key.  Valid: 1..EV_KEY_MAX bytes of 0x21..0x7e except
 * '"' and '\\', at most EV_KEY_DEPTH - 1 dots, no empty segment.  16 bytes at
 * a time, the last 16 (or 8) overlapping the others: no byte beyond the key
 * is read.  Returns the length, 0 when the key is invalid.
 */
INLINE size_t key_parse_n(const char *key, size_t n, kinfo *k)
{
    if (!key)
        return 0;
    if (n - 1 >= EV_KEY_MAX) /* 0 or too long */
        return 0;
    uint64_t d0 = 0, d1 = 0;
    unsigned bad, m;
    if (n >= 16) {
        bad = key_check16(KEY_LOAD16(key), &m);
        d0 = m;
        for (size_t i = 16; i + 16 < n; i += 16) {
            unsigned mi;
            bad |= key_check16(KEY_LOAD16(key + i), &mi);
            dots_at(&d0, &d1, mi, i);
        }
        bad |= key_check16(KEY_LOAD16(key + n - 16), &m);
        dots_at(&d0, &d1, m, n - 16);
    } else if (n >= 8) {
        bad = key_check16(KEY_PAIR(le64(ld64(key)), le64(ld64(key + n - 8))), &m);
        d0 = (m & 0xffu) | (uint64_t)(m >> 8) << (n - 8);
    } else {
        unsigned real = (1u << n) - 1;
        bad = key_check16(KEY_PAIR(short_word(key, n), 0), &m) & real;
        d0 = m & real;
    }
    /* a dot first, last or right after a dot: an empty segment */
    if (bad || (d0 & (1 | d0 << 1)) || (d1 & (d1 << 1 | d0 >> 63)) || (n <= 64 ? d0 >> (n - 1) : d1 >> (n - 65)) ||
        (n >= 2 * EV_KEY_DEPTH - 1 && too_deep(d0, d1)))
        return 0;
    k->p = key;
    k->len = n;
    k->dots[0] = d0;
    k->dots[1] = d1;
    k->last_dot = (uint8_t)(d1 ? 127 - (unsigned)__builtin_clzll(d1) : 63 - (unsigned)__builtin_clzll(d0 | 1));
    k->hash = name_hash(key, n);
    return n;
}

/* The same for a NUL-terminated key (NULL: invalid). */
INLINE size_t key_parse(const char *key, kinfo *k)
{
    return key_parse_n(key, key ? strlen(key) : 0, k);
}

INLINE bool key_has_dot(const kinfo *k)
{
    return (k->dots[0] | k->dots[1]) != 0;
}

/* Positions of the dots of k into dot[]; their number. */
static inline unsigned key_dots(const kinfo *k, uint8_t *dot)
{
    unsigned nd = 0;
    for (unsigned i = 0; i < 2; i++)
        for (uint64_t m = k->dots[i]; m; m &= m - 1)
            dot[nd++] = (uint8_t)(64 * i + (unsigned)__builtin_ctzll(m));
    return nd;
}

static inline const char *kbytes(const kinfo *k)
{
    return k->p;
}

#endif
