/*
 * mppe.h - the 2-byte header of a PPP compressed datagram (protocol 0x00FD)
 * carrying MPPE (RFC 3078 section 3) and/or MPPC (RFC 2118 section 3).
 *
 *    0                   1
 *    0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5
 *   +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 *   |A|B|C|D|   Coherency Count     |
 *   +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 *
 *   A 0x80  flushed: the history buffer / RC4 tables were reinitialised
 *   B 0x40  MPPC: the data was placed at the front of the history buffer
 *   C 0x20  MPPC: the data is compressed
 *   D 0x10  MPPE: the data is encrypted
 *   coherency count: 12-bit per-packet counter, wraps 0xFFF -> 0x000
 *
 * The decoder does not decrypt or decompress; the payload is opaque.
 */
#ifndef PPTP_MPPE_H
#define PPTP_MPPE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "anomaly.h"
#include "cursor.h"

/* Bits of the first octet (the 16-bit header is these << 8 | count). */
#define MPPE_BIT_A 0x80u /* flushed */
#define MPPE_BIT_B 0x40u /* at front of history */
#define MPPE_BIT_C 0x20u /* compressed */
#define MPPE_BIT_D 0x10u /* encrypted */
#define MPPE_CC_MASK 0x0FFFu
#define MPPE_CC_SPACE 4096u
#define MPPE_HDR_LEN 2

struct mppe_hdr {
    bool flushed;    /* A */
    bool at_front;   /* B */
    bool compressed; /* C */
    bool encrypted;  /* D */
    uint16_t coherency_count; /* 0..0xFFF */
};

/*
 * Decode the header from c; *payload (may be NULL) is the rest of c (keeping its
 * open-endedness).  h is fully overwritten.  Ownership: *payload points into c.
 *
 * Returns DEC_OK (anomalies mppe.empty_payload / mppe.cleartext may be added),
 * DEC_TRUNCATED when an open c has < 2 bytes, DEC_MALFORMED when an exact one has.
 */
dec_status mppe_decode(cursor *c, struct mppe_hdr *h, cursor *payload, anomaly_set *an);

/* Append the header and payload[0..len) to w.  coherency_count is cut to 12 bits.
 * Returns wbuf_ok(w). */
bool mppe_encode(wbuf *w, const struct mppe_hdr *h, const uint8_t *payload, size_t len);

/* Name of one header bit (MPPE_BIT_A..D): "flushed", "at_front", "compressed",
 * "encrypted"; "unknown" otherwise. */
const char *mppe_bit_name(uint8_t bit);

/* Forward distance from prev to cur in the 12-bit count space: 0..4095
 * (0xFFF -> 0x000 is 1).  Both are cut to 12 bits first. */
static inline uint16_t mppe_cc_distance(uint16_t prev, uint16_t cur)
{
    return (uint16_t)((cur - prev) & MPPE_CC_MASK);
}

/* Signed distance in [-2048, 2047]: negative means cur is older than prev (a late
 * or replayed packet). */
static inline int mppe_cc_delta(uint16_t prev, uint16_t cur)
{
    int d = mppe_cc_distance(prev, cur);
    return d >= 2048 ? d - 4096 : d;
}

/*
 * Number of session-key changes a receiver goes through moving from the packet
 * with count prev to the one with count cur (forward distance, RFC 3078
 * "Key Changes"):
 *   stateless: the key changes before every packet, so the distance itself;
 *   stateful:  the key changes before each "flag" packet, the one whose count
 *              has the low octet 0xFF (so once every 256 packets): the number of
 *              such counts in (prev, cur].
 * The A (flushed) bit is separate: it marks an RC4 reinitialisation (always set
 * in stateless mode, and in stateful mode on flag packets and after a CCP
 * Reset-Request); callers treat it as a resynchronisation point.
 */
unsigned mppe_key_changes(uint16_t prev_cc, uint16_t cur_cc, bool stateless);

/* True when mppe_key_changes() > 0, i.e. the packet with cur_cc is encrypted with
 * a different key than the one with prev_cc. */
static inline bool mppe_is_key_change(uint16_t prev_cc, uint16_t cur_cc, bool stateless)
{
    return mppe_key_changes(prev_cc, cur_cc, stateless) > 0;
}

#endif
