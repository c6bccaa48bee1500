/*
 * addr.h - IPv4/IPv6 addresses as the sensor keeps them (network byte order).
 */
#ifndef PPTP_SENSOR_ADDR_H
#define PPTP_SENSOR_ADDR_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

typedef struct sn_addr {
    uint8_t a[16]; /* IPv4: first 4 bytes */
    uint8_t v6;    /* 0 = IPv4, 1 = IPv6 */
} sn_addr;

/* Written as two whole 64-bit words and the flag: the readers (sn_addr_eq,
 * sn_addr_hash) load 64-bit words, and a load that spans several smaller stores
 * cannot be forwarded from them (a stall on every GRE packet). */
static inline void sn_addr_v4(sn_addr *x, uint32_t host_order)
{
#if defined(__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_BIG_ENDIAN__
    uint64_t w0 = (uint64_t)host_order << 32; /* the 4 bytes first, in network order */
#else
    uint64_t w0 = ((host_order & 0xffu) << 24) | ((host_order & 0xff00u) << 8) | ((host_order >> 8) & 0xff00u) |
                  (host_order >> 24);
#endif
    uint64_t w1 = 0;
    memcpy(x->a, &w0, 8);
    memcpy(x->a + 8, &w1, 8);
    x->v6 = 0;
}

static inline void sn_addr_v6(sn_addr *x, const uint8_t b[16])
{
    memcpy(x->a, b, 16);
    x->v6 = 1;
}

/* Every sn_addr is made by sn_addr_v4() (bytes 4..15 zero) or sn_addr_v6(), so a
 * fixed 16-byte comparison is exact, and it compiles to two 64-bit compares
 * instead of a memcmp call (this runs for every GRE packet). */
static inline bool sn_addr_eq(const sn_addr *x, const sn_addr *y)
{
    uint64_t x0, x1, y0, y1;
    memcpy(&x0, x->a, 8);
    memcpy(&x1, x->a + 8, 8);
    memcpy(&y0, y->a, 8);
    memcpy(&y1, y->a + 8, 8);
    return ((x0 ^ y0) | (x1 ^ y1)) == 0 && x->v6 == y->v6;
}

static inline size_t sn_addr_len(const sn_addr *x) { return x->v6 ? 16 : 4; }

/* Text form into buf (INET6_ADDRSTRLEN is enough). */
const char *sn_addr_str(const sn_addr *x, char *buf, size_t size);

/* 64-bit hash mixing (splitmix64 finaliser). */
static inline uint64_t sn_mix64(uint64_t h)
{
    h ^= h >> 30;
    h *= 0xbf58476d1ce4e5b9ull;
    h ^= h >> 27;
    h *= 0x94d049bb133111ebull;
    h ^= h >> 31;
    return h;
}

static inline uint64_t sn_addr_hash(const sn_addr *x, uint64_t seed)
{
    uint64_t w0, w1 = 0;
    memcpy(&w0, x->a, 8);
    if (!x->v6) /* only the 4 address bytes (little endian load); sn_mix64(0) is 0 */
        return sn_mix64(seed ^ (w0 & 0xffffffffull));
    memcpy(&w1, x->a + 8, 8);
    return sn_mix64(seed ^ w0 ^ sn_mix64(w1 + x->v6));
}

#endif
