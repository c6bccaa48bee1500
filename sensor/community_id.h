/*
 * community_id.h - Community ID flow hashing, version 1
 * (https://github.com/corelight/community-id-spec).
 *
 *   "1:" + base64(SHA1(seed . saddr . daddr . proto . 0 . sport . dport))
 *
 * seed: 2 bytes big endian; addresses in network order (4 or 16 bytes); the
 * endpoints ordered so that the smaller (address, port) comes first (address
 * bytes compared as unsigned big-endian numbers, ports when the addresses are
 * equal); proto one byte followed by one zero byte of padding; the two ports
 * (2 bytes each, big endian) only for protocols that have them.  GRE (47), as
 * any protocol without ports, is hashed without the port part: the contract's
 * `pptp.gre.community_id`.  For ICMP/ICMPv6 the caller passes the type/code
 * mapping of the spec as ports; this module applies no ICMP rules.
 *
 * Plain bytes in, text out: no dependency on decoders/.  Uses OpenSSL's SHA1
 * (which may allocate internally and costs microseconds): compute it once per
 * flow and keep it, or let community_id_v1_memo() remember recent flows.
 */
#ifndef PPTP_COMMUNITY_ID_H
#define PPTP_COMMUNITY_ID_H

#include <stdbool.h>
#include <stdint.h>

/* "1:" + 28 base64 characters + NUL */
#define COMMUNITY_ID_LEN 30
#define COMMUNITY_ID_BUFSZ 32

/* Compute the Community ID of a flow into out (COMMUNITY_ID_BUFSZ bytes).
 * af: AF_INET (saddr/daddr 4 bytes) or AF_INET6 (16 bytes), network order.
 * sport/dport: host order, used only when has_ports.  The result does not
 * depend on which endpoint is called source.  Returns false (out = "") for an
 * unknown af or NULL address. */
bool community_id_v1(uint16_t seed, int af, const void *saddr, const void *daddr, uint8_t proto,
                     uint16_t sport, uint16_t dport, bool has_ports,
                     char out[COMMUNITY_ID_BUFSZ]);

/* Longest hash input: seed 2 + two IPv6 addresses + proto and pad 2 + ports 4. */
#define COMMUNITY_ID_INPUT_MAX 40
#define COMMUNITY_ID_MEMO_SLOTS 1024

/* Recent results, by the exact hash input (direct mapped: a slot holds the last
 * flow that hashed to it).  Owned by the caller; zero-initialise before use. */
struct community_id_memo_slot {
    uint8_t n;                      /* input length, 0 = empty */
    uint8_t in[COMMUNITY_ID_INPUT_MAX];
    char out[COMMUNITY_ID_BUFSZ];
};
struct community_id_memo {
    struct community_id_memo_slot slot[COMMUNITY_ID_MEMO_SLOTS];
    uint64_t hits, misses;
    void *md, *ctx; /* the SHA-1 implementation and a digest context, fetched once */
};

/* community_id_v1() through the memo: the same result, without SHA-1 when the
 * flow was hashed recently (events of one session repeat its identity). */
bool community_id_v1_memo(struct community_id_memo *m, uint16_t seed, int af, const void *saddr, const void *daddr,
                          uint8_t proto, uint16_t sport, uint16_t dport, bool has_ports,
                          char out[COMMUNITY_ID_BUFSZ]);
/* Release what the memo fetched (it stays usable: fetched again on need). */
void community_id_memo_free(struct community_id_memo *m);

#endif
