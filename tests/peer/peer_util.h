/*
 * peer_util.h - small things every pptp-peer module shares: time, a seeded
 * PRNG, option lists for PPP control protocols, and text helpers.
 *
 * pptp-peer engines are pure state machines: they never read a clock and
 * never do I/O.  Time is passed in (ptime, microseconds; virtual in synthesis
 * mode, real in a future live mode) and output leaves through callbacks.
 */
#ifndef PPTP_PEER_UTIL_H
#define PPTP_PEER_UTIL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Microseconds.  PT_NEVER: no deadline. */
typedef uint64_t ptime;
#define PT_NEVER UINT64_MAX
#define PT_MS 1000ull
#define PT_SEC 1000000ull

/* Deterministic PRNG (splitmix64).  Never use rand(): reproducibility. */
typedef struct prng {
    uint64_t s;
} prng;

void prng_seed(prng *r, uint64_t seed);
uint64_t prng_next(prng *r);
uint32_t prng_u32(prng *r);
/* Uniform in [0, n) (n > 0). */
uint32_t prng_below(prng *r, uint32_t n);
void prng_bytes(prng *r, uint8_t *out, size_t n);

/* One PPP control-protocol option with inline storage (unlike cp_option,
 * which points into a buffer). */
#define POPT_MAX_VAL 64
#define POPTS_MAX 24
typedef struct popt {
    uint8_t type;
    uint8_t len; /* value length */
    uint8_t val[POPT_MAX_VAL];
} popt;

typedef struct popts {
    int n;
    popt o[POPTS_MAX];
} popts;

void popts_clear(popts *l);
/* Append (false when full or vlen too big). */
bool popts_add(popts *l, uint8_t type, const void *val, size_t vlen);
bool popts_add_u8(popts *l, uint8_t type, uint8_t v);
bool popts_add_be16(popts *l, uint8_t type, uint16_t v);
bool popts_add_be32(popts *l, uint8_t type, uint32_t v);
/* First option of type t, or NULL. */
const popt *popts_find(const popts *l, uint8_t type);
popt *popts_find_mut(popts *l, uint8_t type);
/* Remove every option of type t. */
void popts_remove(popts *l, uint8_t type);
uint16_t popt_be16(const popt *o);
uint32_t popt_be32(const popt *o);

/* Parse a duration "250ms", "3s", "31m", "2h", "1500us" or plain microseconds.
 * Returns false on bad syntax. */
bool parse_duration(const char *s, ptime *out);
/* Parse an unsigned number (decimal or 0x hex) up to max. */
bool parse_uint(const char *s, uint64_t max, uint64_t *out);
/* Parse dotted-quad IPv4 into host order. */
bool parse_ipv4(const char *s, uint32_t *out);
/* Parse an IPv6 address (inet_pton). */
bool parse_ipv6(const char *s, uint8_t out[16]);
/* Upper-case hex of n bytes into out (2n+1 bytes). */
void hex_upper(const uint8_t *p, size_t n, char *out);
/* Parse exactly 2n hex digits into out. */
bool hex_parse(const char *s, size_t slen, uint8_t *out, size_t n);

#endif
