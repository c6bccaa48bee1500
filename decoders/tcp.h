/*
 * tcp.h - TCP header decoder and encoder (RFC 9293), with the options of RFC 9293
 * (EOL, NOP, MSS), RFC 7323 (window scale, timestamps) and RFC 2018 (SACK).  The
 * payload is returned as a cursor; stream reassembly is elsewhere.
 */
#ifndef PPTP_TCP_H
#define PPTP_TCP_H

#include <stdbool.h>
#include <stdint.h>

#include "anomaly.h"
#include "cursor.h"
#include "ip_common.h"

#define TCP_MIN_HDR 20
#define TCP_MAX_OPT 40
#define TCP_MAX_SACK 4
#define TCP_MAX_UNKNOWN_OPT 8

enum tcp_flag {
    TCP_FIN = 0x001, TCP_SYN = 0x002, TCP_RST = 0x004, TCP_PSH = 0x008,
    TCP_ACK = 0x010, TCP_URG = 0x020, TCP_ECE = 0x040, TCP_CWR = 0x080,
    TCP_AE = 0x100, /* formerly NS (RFC 3540), now AccECN */
};

enum tcp_opt_kind {
    TCP_OPT_EOL = 0, TCP_OPT_NOP = 1, TCP_OPT_MSS = 2, TCP_OPT_WSCALE = 3,
    TCP_OPT_SACK_PERM = 4, TCP_OPT_SACK = 5, TCP_OPT_TIMESTAMP = 8,
};

struct tcp_sack_block {
    uint32_t left, right;
};

/* An option the decoder does not interpret (or a known one with a wrong length):
 * its bytes are h->options[off .. off + len) (kind and length bytes included). */
struct tcp_opt_ref {
    uint8_t kind, off, len;
};

struct tcp_hdr {
    uint16_t sport, dport;
    uint32_t seq, ack;
    uint8_t hdr_len;          /* bytes (data offset * 4), 20..60 */
    uint8_t reserved;         /* the 3 reserved bits */
    uint16_t flags;           /* enum tcp_flag */
    uint16_t window;          /* unscaled, as on the wire */
    uint16_t checksum;        /* as on the wire */
    uint16_t urgent;
    uint8_t opt_len;          /* hdr_len - 20 */
    uint8_t options[TCP_MAX_OPT];
    /* parsed options */
    bool has_mss;
    uint16_t mss;
    bool has_wscale;
    uint8_t wscale;
    bool sack_permitted;
    uint8_t n_sack;
    struct tcp_sack_block sack[TCP_MAX_SACK];
    bool has_ts;
    uint32_t ts_val, ts_ecr;
    uint8_t n_unknown;        /* options kept uninterpreted (first TCP_MAX_UNKNOWN_OPT) */
    struct tcp_opt_ref unknown[TCP_MAX_UNKNOWN_OPT];
    ip_csum_status csum;      /* result of verification */
};

/* Decode a TCP header.  c: the whole segment (normally the IP payload); consumed.
 * ip: the addresses for checksum verification (NULL: not verified; also not when c
 * is open ended, the capture may have cut the segment).  h filled (zeroed first);
 * payload: the data after header and options (points into c's data).
 * DEC_MALFORMED: data offset < 5, data offset beyond an exact c, an option length
 * < 2 or running past the header.  DEC_TRUNCATED: c ends inside the header.
 * Anomalies (never failures): tcp.bad_checksum, tcp.bad_option_length,
 * tcp.bad_flags, tcp.port_zero. */
dec_status tcp_decode(cursor *c, const struct ip_pair *ip, struct tcp_hdr *h, cursor *payload, anomaly_set *an);

/* Check the checksum of the whole segment seg (not consumed) against the
 * pseudo-header of ip.  UNCHECKED when seg is open ended or ip is NULL. */
ip_csum_status tcp_checksum_verify(const struct ip_pair *ip, const cursor *seg);
/* tcp_checksum_verify() == IP_CSUM_OK. */
bool tcp_checksum_ok(const struct ip_pair *ip, const cursor *seg);

/* Append header, options, payload; checksum computed with ip (NULL: written as 0).
 * Options: h->options/opt_len as raw bytes when opt_len > 0; otherwise built from
 * the parsed fields in the order MSS, NOP+window scale, SACK-permitted,
 * NOP+NOP+timestamps, NOP+NOP+SACK blocks; padded with EOL to 4 bytes.  The data
 * offset is computed.  Returns false on overflow or options > 40 bytes. */
bool tcp_encode(wbuf *w, const struct ip_pair *ip, const struct tcp_hdr *h, const uint8_t *payload, size_t len);

/* Name of an option kind ("mss", "wscale", "sack-perm", "sack", "timestamp", ...). */
const char *tcp_option_name(uint8_t kind);
/* Flags as text, e.g. "SYN,ACK" (empty string for none) into buf; returns buf. */
char *tcp_flags_str(uint16_t flags, char *buf, size_t size);

#endif
