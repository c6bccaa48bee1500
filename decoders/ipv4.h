/*
 * ipv4.h - IPv4 header decoder and encoder (RFC 791; fragment fields per RFC 791
 * 3.2; checksum RFC 1071).  Returns the payload cursor and the protocol number;
 * the dispatcher routes it.
 */
#ifndef PPTP_IPV4_H
#define PPTP_IPV4_H

#include <stdbool.h>
#include <stdint.h>

#include "anomaly.h"
#include "cursor.h"
#include "ip_common.h"

#define IPV4_MIN_HDR 20
#define IPV4_MAX_OPT 40

struct ipv4_hdr {
    uint8_t version;         /* 4 */
    uint8_t hdr_len;         /* bytes (IHL * 4), 20..60 */
    uint8_t tos;             /* DSCP << 2 | ECN */
    uint16_t total_len;      /* as on the wire */
    uint16_t id;
    bool reserved_flag;      /* the "evil bit" (anomaly ip.reserved_flag) */
    bool dont_fragment;
    bool more_fragments;
    uint16_t frag_offset;    /* bytes (field * 8) */
    bool is_fragment;        /* more_fragments || frag_offset != 0 */
    uint8_t ttl;
    uint8_t proto;           /* enum ip_proto */
    uint16_t checksum;       /* as on the wire */
    bool checksum_ok;
    uint32_t src, dst;       /* host order: 0x0a000001 = 10.0.0.1 */
    uint8_t opt_len;         /* hdr_len - 20 */
    uint8_t options[IPV4_MAX_OPT];
    bool payload_truncated;  /* the capture ended before total_len */
    /* encoder only: when nonzero, written instead of the computed total length
     * (fault injection); the decoder leaves it 0 */
    uint16_t raw_total_len;
};

/* Decode an IPv4 header from c (consumed up to the end of the packet).
 * payload: the bytes after the header, cut to total_len (anything after it is
 * link padding, not an anomaly).  When total_len exceeds what c holds: if c is open
 * ended the payload is what was captured (open ended, h->payload_truncated), if c is
 * exact DEC_MALFORMED.  total_len 0 (TCP segmentation offload on the capturing host)
 * gives anomaly ip.zero_total_length and the rest of c as payload.
 * A bad header checksum is anomaly ip.bad_checksum, not a failure.
 * DEC_MALFORMED: version != 4, IHL < 5, total_len < header length.
 * DEC_TRUNCATED: c ends inside the header.  Pointers in payload refer to c's data. */
dec_status ipv4_decode(cursor *c, struct ipv4_hdr *h, cursor *payload, anomaly_set *an);

/* Append header (+ options from h->options/opt_len, zero padded to 4 bytes) and
 * payload.  Computed: version, IHL, total length (unless raw_total_len), flags and
 * fragment field from the bools and frag_offset (must be a multiple of 8),
 * checksum.  Returns false on overflow, opt_len > 40, a packet > 65535 bytes or a
 * misaligned frag_offset. */
bool ipv4_encode(wbuf *w, const struct ipv4_hdr *h, const uint8_t *payload, size_t len);

/* The address pair of a decoded header, for pseudo-header checksums. */
void ipv4_pair(const struct ipv4_hdr *h, struct ip_pair *p);

/* Dotted quad of a host-order address into buf (>= 16 bytes); returns buf. */
char *ipv4_addr_str(uint32_t addr, char *buf, size_t size);

#endif
