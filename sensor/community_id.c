/*
 * community_id.c - Community ID v1 (community_id.h).
 */
#include "community_id.h"

#include <openssl/evp.h>
#include <openssl/sha.h>
#include <string.h>
#include <sys/socket.h>

bool community_id_v1(uint16_t seed, int af, const void *saddr, const void *daddr, uint8_t proto,
                     uint16_t sport, uint16_t dport, bool has_ports,
                     char out[COMMUNITY_ID_BUFSZ])
{
    out[0] = '\0';
    size_t alen = af == AF_INET ? 4 : af == AF_INET6 ? 16 : 0;
    if (!alen || !saddr || !daddr)
        return false;
    if (!has_ports)
        sport = dport = 0;

    /* order the endpoints: smaller (address, port) first */
    const uint8_t *a = saddr, *b = daddr;
    int cmp = memcmp(a, b, alen);
    if (cmp > 0 || (cmp == 0 && sport > dport)) {
        const uint8_t *t = a;
        a = b;
        b = t;
        uint16_t tp = sport;
        sport = dport;
        dport = tp;
    }

    uint8_t in[2 + 16 + 16 + 2 + 4];
    size_t n = 0;
    in[n++] = (uint8_t)(seed >> 8);
    in[n++] = (uint8_t)seed;
    memcpy(in + n, a, alen);
    n += alen;
    memcpy(in + n, b, alen);
    n += alen;
    in[n++] = proto;
    in[n++] = 0;
    if (has_ports) {
        in[n++] = (uint8_t)(sport >> 8);
        in[n++] = (uint8_t)sport;
        in[n++] = (uint8_t)(dport >> 8);
        in[n++] = (uint8_t)dport;
    }

    uint8_t md[SHA_DIGEST_LENGTH];
    if (!SHA1(in, n, md))
        return false;
    out[0] = '1';
    out[1] = ':';
    /* 20 bytes -> 28 base64 characters + NUL */
    EVP_EncodeBlock((unsigned char *)out + 2, md, SHA_DIGEST_LENGTH);
    return true;
}
