/* peer_util.c - see peer_util.h */
#include "peer_util.h"

#include <arpa/inet.h>
#include <ctype.h>
#include <stdlib.h>
#include <string.h>

void prng_seed(prng *r, uint64_t seed)
{
    r->s = seed ^ 0x5deece66dull;
}

uint64_t prng_next(prng *r)
{
    uint64_t z = (r->s += 0x9e3779b97f4a7c15ull);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
    return z ^ (z >> 31);
}

uint32_t prng_u32(prng *r)
{
    return (uint32_t)(prng_next(r) >> 32);
}

uint32_t prng_below(prng *r, uint32_t n)
{
    return n ? (uint32_t)(prng_next(r) % n) : 0;
}

void prng_bytes(prng *r, uint8_t *out, size_t n)
{
    while (n) {
        uint64_t v = prng_next(r);
        for (int i = 0; i < 8 && n; i++, n--) {
            *out++ = (uint8_t)v;
            v >>= 8;
        }
    }
}

void popts_clear(popts *l)
{
    memset(l, 0, sizeof *l);
}

bool popts_add(popts *l, uint8_t type, const void *val, size_t vlen)
{
    if (l->n >= POPTS_MAX || vlen > POPT_MAX_VAL)
        return false;
    popt *o = &l->o[l->n++];
    memset(o, 0, sizeof *o);
    o->type = type;
    o->len = (uint8_t)vlen;
    if (vlen)
        memcpy(o->val, val, vlen);
    return true;
}

bool popts_add_u8(popts *l, uint8_t type, uint8_t v)
{
    return popts_add(l, type, &v, 1);
}

bool popts_add_be16(popts *l, uint8_t type, uint16_t v)
{
    uint8_t b[2] = {(uint8_t)(v >> 8), (uint8_t)v};
    return popts_add(l, type, b, 2);
}

bool popts_add_be32(popts *l, uint8_t type, uint32_t v)
{
    uint8_t b[4] = {(uint8_t)(v >> 24), (uint8_t)(v >> 16), (uint8_t)(v >> 8), (uint8_t)v};
    return popts_add(l, type, b, 4);
}

const popt *popts_find(const popts *l, uint8_t type)
{
    for (int i = 0; i < l->n; i++)
        if (l->o[i].type == type)
            return &l->o[i];
    return NULL;
}

popt *popts_find_mut(popts *l, uint8_t type)
{
    for (int i = 0; i < l->n; i++)
        if (l->o[i].type == type)
            return &l->o[i];
    return NULL;
}

void popts_remove(popts *l, uint8_t type)
{
    int j = 0;
    for (int i = 0; i < l->n; i++)
        if (l->o[i].type != type)
            l->o[j++] = l->o[i];
    for (int i = j; i < l->n; i++)
        memset(&l->o[i], 0, sizeof l->o[i]);
    l->n = j;
}

uint16_t popt_be16(const popt *o)
{
    return o->len >= 2 ? (uint16_t)(o->val[0] << 8 | o->val[1]) : 0;
}

uint32_t popt_be32(const popt *o)
{
    return o->len >= 4 ? (uint32_t)o->val[0] << 24 | (uint32_t)o->val[1] << 16 | (uint32_t)o->val[2] << 8 | o->val[3]
                       : 0;
}

bool parse_uint(const char *s, uint64_t max, uint64_t *out)
{
    if (!s || !*s || *s == '-' || *s == '+')
        return false;
    char *end;
    unsigned long long v = strtoull(s, &end, 0);
    if (*end || v > max)
        return false;
    *out = v;
    return true;
}

bool parse_duration(const char *s, ptime *out)
{
    if (!s || !isdigit((unsigned char)*s))
        return false;
    char *end;
    unsigned long long v = strtoull(s, &end, 10);
    uint64_t mul;
    if (!*end || !strcmp(end, "us"))
        mul = 1;
    else if (!strcmp(end, "ms"))
        mul = PT_MS;
    else if (!strcmp(end, "s"))
        mul = PT_SEC;
    else if (!strcmp(end, "m") || !strcmp(end, "min"))
        mul = 60 * PT_SEC;
    else if (!strcmp(end, "h"))
        mul = 3600 * PT_SEC;
    else
        return false;
    if (v > UINT64_MAX / mul / 2)
        return false;
    *out = v * mul;
    return true;
}

bool parse_ipv4(const char *s, uint32_t *out)
{
    struct in_addr a;
    if (inet_pton(AF_INET, s, &a) != 1)
        return false;
    *out = ntohl(a.s_addr);
    return true;
}

bool parse_ipv6(const char *s, uint8_t out[16])
{
    return inet_pton(AF_INET6, s, out) == 1;
}

void hex_upper(const uint8_t *p, size_t n, char *out)
{
    static const char d[] = "0123456789ABCDEF";
    for (size_t i = 0; i < n; i++) {
        out[2 * i] = d[p[i] >> 4];
        out[2 * i + 1] = d[p[i] & 15];
    }
    out[2 * n] = '\0';
}

static int hexval(char c)
{
    if (c >= '0' && c <= '9')
        return c - '0';
    if (c >= 'a' && c <= 'f')
        return c - 'a' + 10;
    if (c >= 'A' && c <= 'F')
        return c - 'A' + 10;
    return -1;
}

bool hex_parse(const char *s, size_t slen, uint8_t *out, size_t n)
{
    if (slen != 2 * n)
        return false;
    for (size_t i = 0; i < n; i++) {
        int a = hexval(s[2 * i]), b = hexval(s[2 * i + 1]);
        if (a < 0 || b < 0)
            return false;
        out[i] = (uint8_t)(a << 4 | b);
    }
    return true;
}
