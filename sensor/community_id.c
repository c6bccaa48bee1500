/*
 * community_id.c - Community ID v1 (community_id.h).
 */
#include "community_id.h"

#include <openssl/evp.h>
#include <openssl/sha.h>
#include <string.h>
#include <sys/socket.h>

/* The spec's hash input for a flow (endpoints ordered); its length, 0 if invalid. */
static size_t cid_input(uint16_t seed, int af, const void *saddr, const void *daddr, uint8_t proto, uint16_t sport,
                        uint16_t dport, bool has_ports, uint8_t in[COMMUNITY_ID_INPUT_MAX])
{
    size_t alen = af == AF_INET ? 4 : af == AF_INET6 ? 16 : 0;
    if (!alen || !saddr || !daddr)
        return 0;
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
    return n;
}

static bool cid_hash(const uint8_t *in, size_t n, char out[COMMUNITY_ID_BUFSZ])
{
    uint8_t md[SHA_DIGEST_LENGTH];
    if (!SHA1(in, n, md))
        return false;
    out[0] = '1';
    out[1] = ':';
    /* 20 bytes -> 28 base64 characters + NUL */
    EVP_EncodeBlock((unsigned char *)out + 2, md, SHA_DIGEST_LENGTH);
    return true;
}

bool community_id_v1(uint16_t seed, int af, const void *saddr, const void *daddr, uint8_t proto,
                     uint16_t sport, uint16_t dport, bool has_ports,
                     char out[COMMUNITY_ID_BUFSZ])
{
    out[0] = '\0';
    uint8_t in[COMMUNITY_ID_INPUT_MAX];
    size_t n = cid_input(seed, af, saddr, daddr, proto, sport, dport, has_ports, in);
    return n && cid_hash(in, n, out);
}

bool community_id_v1_memo(struct community_id_memo *m, uint16_t seed, int af, const void *saddr, const void *daddr,
                          uint8_t proto, uint16_t sport, uint16_t dport, bool has_ports,
                          char out[COMMUNITY_ID_BUFSZ])
{
    out[0] = '\0';
    uint8_t in[COMMUNITY_ID_INPUT_MAX];
    size_t n = cid_input(seed, af, saddr, daddr, proto, sport, dport, has_ports, in);
    if (!n)
        return false;
    uint32_t h = 2166136261u; /* FNV-1a of the input picks the slot */
    for (size_t i = 0; i < n; i++)
        h = (h ^ in[i]) * 16777619u;
    /* FNV's low bits mix poorly (they see only the inputs' low bits): take the
     * top bits of a multiplicative hash of it */
    _Static_assert(COMMUNITY_ID_MEMO_SLOTS == 1024, "slot index below takes 10 bits");
    struct community_id_memo_slot *sl = &m->slot[(h * 0x9e3779b1u) >> 22];
    if (sl->n == n && memcmp(sl->in, in, n) == 0) {
        memcpy(out, sl->out, COMMUNITY_ID_BUFSZ);
        m->hits++;
        return true;
    }
    m->misses++;
    /* SHA1() looks the algorithm up on every call; keep it and a context */
    if (!m->md) {
        m->md = EVP_MD_fetch(NULL, "SHA1", NULL);
        m->ctx = EVP_MD_CTX_new();
    }
    uint8_t md[SHA_DIGEST_LENGTH];
    unsigned mdlen = 0;
    if (m->md && m->ctx) {
        if (!EVP_DigestInit_ex2(m->ctx, m->md, NULL) || !EVP_DigestUpdate(m->ctx, in, n) ||
            !EVP_DigestFinal_ex(m->ctx, md, &mdlen) || mdlen != SHA_DIGEST_LENGTH)
            return false;
        out[0] = '1';
        out[1] = ':';
        EVP_EncodeBlock((unsigned char *)out + 2, md, SHA_DIGEST_LENGTH);
    } else if (!cid_hash(in, n, out)) {
        return false;
    }
    sl->n = (uint8_t)n;
    memcpy(sl->in, in, n);
    memcpy(sl->out, out, COMMUNITY_ID_BUFSZ);
    return true;
}

void community_id_memo_free(struct community_id_memo *m)
{
    EVP_MD_CTX_free(m->ctx);
    EVP_MD_free(m->md);
    m->ctx = NULL;
    m->md = NULL;
}
