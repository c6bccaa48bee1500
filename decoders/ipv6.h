/*
 * ipv6.h - IPv6 decoder and encoder (RFC 8200): fixed header, then the extension
 * header chain (Hop-by-Hop 0, Routing 43, Fragment 44, Destination Options 60,
 * AH 51 (RFC 4302), Mobility 135, HIP 139, Shim6 140, experimental 253/254 per
 * RFC 7045) walked up to IPV6_MAX_EXT headers to reach the upper-layer protocol.
 */
#ifndef PPTP_IPV6_H
#define PPTP_IPV6_H

#include <stdbool.h>
#include <stdint.h>

#include "anomaly.h"
#include "cursor.h"
#include "ip_common.h"

#define IPV6_HDR_LEN 40
#define IPV6_FRAG_HDR_LEN 8
#define IPV6_MAX_EXT 8

struct ipv6_hdr {
    uint8_t version;         /* 6 */
    uint8_t tclass;          /* traffic class */
    uint32_t flow;           /* flow label (20 bits) */
    uint16_t payload_len;    /* as on the wire */
    uint8_t next_header;     /* of the fixed header */
    uint8_t hop_limit;
    uint8_t src[16], dst[16];
    /* walk of the extension headers */
    uint8_t proto;           /* upper-layer protocol: what the payload is (ESP 50 and
                              * No Next Header 59 stop the walk; so does the limit,
                              * leaving an extension header number here) */
    uint8_t n_ext;           /* extension headers walked */
    uint8_t ext[IPV6_MAX_EXT]; /* their types, in order */
    uint16_t ext_len;        /* bytes of extension headers walked */
    /* fragment header (the first one seen) */
    bool has_frag;
    bool is_fragment;        /* has_frag and (frag_offset != 0 or more_fragments) */
    uint16_t frag_offset;    /* bytes */
    bool more_fragments;
    uint32_t frag_id;
    bool payload_truncated;  /* the capture ended before payload_len */
};

/* Decode the fixed header and walk the extension headers.  c consumed.
 * payload: the upper-layer bytes (after the walked headers), cut to payload_len
 * (trailing bytes are link padding).  A non-first fragment (offset != 0) stops the
 * walk at the fragment header: payload is fragment data, proto its next header.
 * payload_len beyond c: open-ended c gives the captured part (payload_truncated),
 * exact c DEC_MALFORMED.  payload_len 0 with a next header other than 59: anomaly
 * ip6.zero_payload_length, the rest of c is used.  An extension header running
 * past payload_len is DEC_MALFORMED (past the capture: DEC_TRUNCATED).
 * version != 6: DEC_MALFORMED. */
dec_status ipv6_decode(cursor *c, struct ipv6_hdr *h, cursor *payload, anomaly_set *an);

/* Append the fixed header, a fragment header when h->has_frag (frag_offset must be
 * a multiple of 8; the fixed header's next header is then 44 and the fragment
 * header's is h->proto, else the fixed header's is h->proto), then payload.
 * payload_len is computed.  h->next_header and the ext walk fields are ignored.
 * Returns false on overflow, a payload > 65535 or a misaligned offset. */
bool ipv6_encode(wbuf *w, const struct ipv6_hdr *h, const uint8_t *payload, size_t len);

/* True for the next-header values walked as extension headers. */
bool ipv6_is_ext_header(uint8_t nh);

/* The address pair of a decoded header, for pseudo-header checksums. */
void ipv6_pair(const struct ipv6_hdr *h, struct ip_pair *p);

/* Text form (RFC 5952: lower case, longest zero run compressed) into buf
 * (>= 46 bytes); returns buf. */
char *ipv6_addr_str(const uint8_t a[16], char *buf, size_t size);

#endif
