/*
 * icmp.h - ICMP for IPv4 (RFC 792; fragmentation-needed next-hop MTU per RFC 1191)
 * and ICMPv6 (RFC 4443): type, code, checksum, echo id/seq, MTU of
 * fragmentation-needed / packet-too-big, and the embedded original packet of error
 * messages, returned as a cursor for the caller to decode with ipv4/ipv6_decode.
 */
#ifndef PPTP_ICMP_H
#define PPTP_ICMP_H

#include <stdbool.h>
#include <stdint.h>

#include "anomaly.h"
#include "cursor.h"
#include "ip_common.h"

#define ICMP_HDR_LEN 8

enum icmp4_type {
    ICMP4_ECHO_REPLY = 0,
    ICMP4_DEST_UNREACH = 3,
    ICMP4_SOURCE_QUENCH = 4,
    ICMP4_REDIRECT = 5,
    ICMP4_ECHO_REQUEST = 8,
    ICMP4_TIME_EXCEEDED = 11,
    ICMP4_PARAM_PROBLEM = 12,
    ICMP4_TIMESTAMP = 13,
    ICMP4_TIMESTAMP_REPLY = 14,
};
enum { ICMP4_CODE_FRAG_NEEDED = 4 }; /* with ICMP4_DEST_UNREACH */

enum icmp6_type {
    ICMP6_DEST_UNREACH = 1,
    ICMP6_PACKET_TOO_BIG = 2,
    ICMP6_TIME_EXCEEDED = 3,
    ICMP6_PARAM_PROBLEM = 4,
    ICMP6_ECHO_REQUEST = 128,
    ICMP6_ECHO_REPLY = 129,
};

struct icmp_msg {
    uint8_t type, code;
    uint16_t checksum;       /* as on the wire */
    ip_csum_status csum;     /* result of verification */
    uint32_t rest;           /* the 4 bytes after the checksum, as on the wire */
    /* views of rest, filled by the decoder for the types they belong to and read by
     * the encoder for those types (other types: rest is written as is) */
    uint16_t id, seq;        /* echo request / reply */
    uint32_t mtu;            /* v4 3/4: next-hop MTU (16 bits); v6 2: MTU */
    uint32_t pointer;        /* parameter problem (v4: 8 bits; v6: 32 bits) */
    uint32_t gateway;        /* v4 redirect: gateway address, host order */
    bool is_error;           /* an error message: the payload is the original packet */
};

/* True for error types whose body is the invoking packet. */
bool icmp4_is_error(uint8_t type);
bool icmp6_is_error(uint8_t type);

/* Decode an ICMPv4 message.  c: the whole message (normally the IPv4 payload);
 * consumed.  payload: for error messages the embedded original IP header + data,
 * always open ended (senders cut it, so running off its end is "truncated"); for
 * echo and others the data after the 8-byte header (c's end kind).  Checksum
 * verified when c is exact (m->csum; mismatch: anomaly icmp.bad_checksum, not a
 * failure).  Fragmentation needed with MTU < 68: anomaly icmp.frag_needed_small_mtu.
 * DEC_TRUNCATED / DEC_MALFORMED when c ends inside the 8-byte header. */
dec_status icmp4_decode(cursor *c, struct icmp_msg *m, cursor *payload, anomaly_set *an);

/* Decode an ICMPv6 message; as icmp4_decode.  ip: the IPv6 addresses for the
 * pseudo-header checksum (NULL: not verified).  Packet too big with MTU < 1280:
 * anomaly icmp6.ptb_small_mtu; bad checksum: anomaly icmp6.bad_checksum. */
dec_status icmp6_decode(cursor *c, const struct ip_pair *ip, struct icmp_msg *m, cursor *payload,
                        anomaly_set *an);

/* Append an ICMPv4 message: type, code, computed checksum, the rest-of-header word
 * built from the view fields of that type (else m->rest), then payload (for error
 * messages: the original IP header + data).  Returns false on overflow. */
bool icmp4_encode(wbuf *w, const struct icmp_msg *m, const uint8_t *payload, size_t len);
/* Append an ICMPv6 message; the checksum needs ip (version 6). */
bool icmp6_encode(wbuf *w, const struct ip_pair *ip, const struct icmp_msg *m, const uint8_t *payload,
                  size_t len);

/* Names ("echo-request", "dest-unreachable", "frag-needed" ...); "unknown" when
 * unlisted.  Static strings. */
const char *icmp4_type_name(uint8_t type);
const char *icmp4_code_name(uint8_t type, uint8_t code);
const char *icmp6_type_name(uint8_t type);
const char *icmp6_code_name(uint8_t type, uint8_t code);

#endif
