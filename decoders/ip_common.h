/*
 * ip_common.h - things IPv4, IPv6, ICMP and TCP share: IP protocol numbers and their
 * names (IANA "Assigned Internet Protocol Numbers"), the Internet checksum
 * (RFC 1071) and the pseudo-header of upper-layer checksums (RFC 9293 3.1,
 * RFC 8200 8.1).  No decoder lives here.
 */
#ifndef PPTP_IP_COMMON_H
#define PPTP_IP_COMMON_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "cursor.h"

/* IP protocol / IPv6 next-header numbers (IP_PROTO_ to stay clear of <netinet/in.h>). */
enum ip_proto {
    IP_PROTO_HOPOPTS = 0,
    IP_PROTO_ICMP = 1,
    IP_PROTO_IGMP = 2,
    IP_PROTO_IPIP = 4,
    IP_PROTO_TCP = 6,
    IP_PROTO_UDP = 17,
    IP_PROTO_IPV6 = 41,
    IP_PROTO_ROUTING = 43,
    IP_PROTO_FRAGMENT = 44,
    IP_PROTO_GRE = 47,
    IP_PROTO_ESP = 50,
    IP_PROTO_AH = 51,
    IP_PROTO_ICMPV6 = 58,
    IP_PROTO_NONE = 59,
    IP_PROTO_DSTOPTS = 60,
    IP_PROTO_SCTP = 132,
    IP_PROTO_MOBILITY = 135,
    IP_PROTO_HIP = 139,
    IP_PROTO_SHIM6 = 140,
    IP_PROTO_EXP1 = 253,
    IP_PROTO_EXP2 = 254,
};

/* Name of an IP protocol number ("tcp", "gre", "ipv6-icmp"...); "unknown" if unlisted.
 * Returns a static string. */
const char *ip_proto_name(uint8_t proto);

/* The two endpoint addresses of a packet, for pseudo-header checksums.
 * version 4: src4/dst4 are host-order (0x0a000001 = 10.0.0.1); version 6: src6/dst6. */
struct ip_pair {
    uint8_t version;
    uint32_t src4, dst4;
    uint8_t src6[16], dst6[16];
};

/* Fill p for IPv4 / IPv6 endpoints. p is owned by the caller. */
void ip_pair_v4(struct ip_pair *p, uint32_t src, uint32_t dst);
void ip_pair_v6(struct ip_pair *p, const uint8_t src[16], const uint8_t dst[16]);

/* Outcome of a checksum check.  UNCHECKED when it could not be checked: the
 * message's cursor is open ended (the capture may have cut it, so the bytes
 * summed would not be the bytes sent) or no addresses were given. */
typedef enum ip_csum_status {
    IP_CSUM_UNCHECKED = 0,
    IP_CSUM_OK = 1,
    IP_CSUM_BAD = 2,
} ip_csum_status;

/* "unchecked", "ok", "bad". */
const char *ip_csum_status_name(ip_csum_status s);

/* One's complement running sum (not folded, not inverted) of the bytes of c,
 * added to sum.  c is not consumed (read through a copy).  Odd-length inputs are
 * padded with a zero byte, so only the last chunk of a message may be odd. */
uint32_t ip_csum_add(uint32_t sum, const cursor *c);
/* Same over a byte array (used by encoders on their own output). */
uint32_t ip_csum_add_bytes(uint32_t sum, const uint8_t *p, size_t n);
/* Fold sum to 16 bits and invert: the value to put in a checksum field.  A message
 * whose stored checksum is correct sums (with it) to 0 here. */
uint16_t ip_csum_finish(uint32_t sum);
/* Running sum of the pseudo-header for upper-layer protocol proto and upper-layer
 * length len (IPv4: 12-byte form; IPv6: 40-byte form). */
uint32_t ip_pseudo_sum(const struct ip_pair *p, uint8_t proto, uint32_t len);
/* Verify the checksum of a whole upper-layer message msg (checksum field included,
 * as sent).  pseudo NULL: plain checksum (ICMPv4); else pseudo-header with proto.
 * Returns IP_CSUM_UNCHECKED when msg is open ended (see above). */
ip_csum_status ip_csum_verify(const struct ip_pair *pseudo, uint8_t proto, const cursor *msg);

#endif
