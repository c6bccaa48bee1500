/*
 * gre.h - GRE header codec: enhanced GRE version 1 as used by PPTP (RFC 2637
 * section 4.1) and recognition of plain GRE version 0 (RFC 1701, RFC 2784,
 * RFC 2890).
 *
 * Wire layout of the first 32 bits (both versions):
 *
 *    0                   1                   2                   3
 *    0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
 *   +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 *   |C|R|K|S|s|Recur|A| Flags | Ver |         Protocol Type         |
 *   +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 *
 * followed by the optional fields, in this order:
 *   checksum + offset (16+16)   if C or R
 *   key (32)                    if K  (v1: payload length 16 + call id 16)
 *   sequence number (32)        if S
 *   acknowledgment number (32)  if A and version 1
 *   source route entries        if R  (list ended by a NULL SRE)
 *
 * An ack-only PPTP packet (S=0, A=1) therefore has the acknowledgment number
 * where a data packet has its sequence number.
 *
 * The decoder does not call the PPP decoder: it returns the payload cursor and
 * the next protocol (h->protocol, 0x880B for PPP).
 */
#ifndef PPTP_GRE_H
#define PPTP_GRE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "anomaly.h"
#include "cursor.h"

#define GRE_PROTO_PPP 0x880Bu /* protocol type of PPTP's enhanced GRE */
#define GRE_VERSION_PLAIN 0   /* RFC 1701/2784/2890 */
#define GRE_VERSION_PPTP 1    /* RFC 2637 enhanced GRE */

/* Bits of the flags-and-version word. */
#define GRE_F_CHECKSUM 0x8000u
#define GRE_F_ROUTING 0x4000u
#define GRE_F_KEY 0x2000u
#define GRE_F_SEQ 0x1000u
#define GRE_F_STRICT 0x0800u
#define GRE_F_RECUR_MASK 0x0700u
#define GRE_F_ACK 0x0080u
#define GRE_F_FLAGS_MASK 0x0078u /* reserved flag bits (4 bits) */
#define GRE_F_VERSION_MASK 0x0007u

#define GRE_MAX_HDR_LEN 20 /* without source routes: 4 + 4 (csum) + 4 + 4 + 4 */

struct gre_hdr {
    /* flags-and-version word */
    bool c;         /* checksum present */
    bool r;         /* routing present */
    bool k;         /* key present */
    bool s;         /* sequence number present */
    bool strict;    /* strict source route ("s") */
    uint8_t recur;  /* recursion control, 0..7 */
    bool a;         /* acknowledgment present (meaningful in v1 only) */
    uint8_t flags;  /* the 4 reserved flag bits, 0..15 (must be 0) */
    uint8_t version;/* 0 plain GRE, 1 PPTP enhanced GRE, else invalid */
    uint16_t protocol; /* next protocol (0x880B = PPP) */

    /* checksum + offset (present when c || r) */
    uint16_t checksum;
    uint16_t offset;
    bool checksum_verified; /* decoder: the checksum could be and was checked */

    /* key (present when k): v1 splits it into payload length and call id */
    uint32_t key;            /* raw 32-bit key (both versions) */
    uint16_t payload_length; /* v1: key high half */
    uint16_t call_id;        /* v1: key low half (the peer's call id) */

    bool has_seq; /* mirrors s */
    uint32_t seq;
    bool has_ack; /* a && version 1 */
    uint32_t ack;

    /* source route entries (when r): points into the input, includes the
     * terminating NULL SRE. */
    const uint8_t *routing;
    size_t routing_len;

    /* decoder output: v1 payload_length is larger than the captured bytes and
     * the capture stopped (open ended cursor): *payload holds what there is. */
    bool payload_truncated;

    /* encoder input: write payload_length / checksum exactly as given instead of
     * computing them (fault injection). */
    bool raw_payload_length;
    bool raw_checksum;
};

/*
 * Decode one GRE header from c.  h is fully overwritten; *payload receives the
 * payload (may be NULL if not wanted).  Anomalies go to an (may be NULL).
 *
 * Ownership: h->routing and *payload point into c's buffer.
 *
 * Returns
 *   DEC_OK         header decoded.  v1 with K: *payload is exactly payload_length
 *                  bytes; when fewer were captured and c is open ended,
 *                  h->payload_truncated is set and *payload (open ended) holds
 *                  the captured part.  v0: *payload is the rest of c.
 *   DEC_TRUNCATED  c ended inside the header (open-ended c).
 *   DEC_MALFORMED  the header is inside an exact region that ended, the version
 *                  is not 0/1 (gre.bad_version), a v1 packet has no key
 *                  (gre.v1_no_key), or an exact c is shorter than the v1 payload
 *                  length (gre.payload_length_exceeds).  In these semantic
 *                  cases h and *payload are still filled as far as possible.
 * Consumes the header and payload from c (trailing bytes after a v1 payload too).
 */
dec_status gre_decode(cursor *c, struct gre_hdr *h, cursor *payload, anomaly_set *an);

/*
 * Append header + payload to w.  Flag bits come from h (S is set when
 * h->s || h->has_seq, A when h->a || h->has_ack); the fields follow the same
 * presence rules as the decoder.  v1: payload_length := len unless
 * raw_payload_length.  C: the checksum is computed over header and payload unless
 * raw_checksum.  R: h->routing/routing_len are written as is (a NULL SRE if
 * routing is NULL).  Returns false when w overflows or len > 65535 in v1.
 */
bool gre_encode(wbuf *w, const struct gre_hdr *h, const uint8_t *payload, size_t len);

/* True when the header is PPTP's enhanced GRE (version 1). */
static inline bool gre_is_pptp(const struct gre_hdr *h) { return h->version == GRE_VERSION_PPTP; }

/*
 * Serial number arithmetic (RFC 1982) on 32-bit sequence/ack numbers.
 * gre_seq_diff(a, b) is the signed distance from b to a, in [-2^31, 2^31);
 * gre_seq_after(a, b) is true when a comes after b (0xfffffffe < 1).  Two numbers
 * exactly 2^31 apart are undefined in RFC 1982; here a is then NOT after b.
 */
static inline int32_t gre_seq_diff(uint32_t a, uint32_t b)
{
    uint32_t d = a - b;
    return d < 0x80000000u ? (int32_t)d : -(int32_t)(~d) - 1;
}
static inline bool gre_seq_after(uint32_t a, uint32_t b) { return gre_seq_diff(a, b) > 0; }
static inline bool gre_seq_before(uint32_t a, uint32_t b) { return gre_seq_diff(a, b) < 0; }

/* "PPP" for 0x880B, "IPv4", ... or "unknown". */
const char *gre_protocol_name(uint16_t proto);
/* "gre" (0), "enhanced-gre" (1), "unknown". */
const char *gre_version_name(uint8_t version);

#endif
