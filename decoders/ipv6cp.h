/*
 * ipv6cp.h - PPP IPv6 Control Protocol (RFC 5072).
 *
 * Input: the PPP information field of a protocol-0x8057 frame (cursor at Code).
 * Codes 1-7.  Options: 1 Interface-Identifier (8 bytes), 2 IPv6-Compression-
 * Protocol (protocol + parameters).  Spans point into the caller's input.
 */
#ifndef PPTP_IPV6CP_H
#define PPTP_IPV6CP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "anomaly.h"
#include "cp.h"
#include "cursor.h"

enum ipv6cp_opt {
    IPV6CP_OPT_INTERFACE_ID = 1,
    IPV6CP_OPT_COMPRESSION = 2,
};

#define IPV6CP_IFID_LEN 8

typedef struct ipv6cp_options {
    bool has_interface_id;
    uint8_t interface_id[IPV6CP_IFID_LEN];
    bool has_compression;
    uint16_t compression_protocol;    /* e.g. 0x0061 IPHC, 0x0003 ROHC */
    const uint8_t *compression_data;  /* parameters after the protocol */
    size_t compression_data_len;
} ipv6cp_options;

/* One IPV6CP packet: Configure-* fill opts (and cp.options); other codes put their
 * body in data. */
typedef struct ipv6cp_packet {
    cp_packet cp;
    ipv6cp_options opts;
    const uint8_t *data;
    size_t data_len;
} ipv6cp_packet;

/*
 * Decode an IPV6CP packet from c (at Code); consumes all of c.  p zeroed first;
 * spans point into c's bytes (not owned).  "ppp.ipv6cp.*" anomalies go to an
 * (may be NULL).  Returns DEC_OK, DEC_TRUNCATED or DEC_MALFORMED as ipcp_decode.
 */
dec_status ipv6cp_decode(cursor *c, ipv6cp_packet *p, anomaly_set *an);
/* Fill o from l, marking used entries known; adds option anomalies to an. */
void ipv6cp_options_from_list(cp_option_list *l, ipv6cp_options *o, anomaly_set *an);
/* Append o's typed options to w.  Returns wbuf_ok(w). */
bool ipv6cp_put_options(wbuf *w, const ipv6cp_options *o);
/* Encode p (typed options then cp.options entries with known == false, or data).
 * Returns wbuf_ok(w). */
bool ipv6cp_encode(wbuf *w, const ipv6cp_packet *p);

const char *ipv6cp_code_name(uint8_t code); /* "Configure-Request"...; "unknown" */
const char *ipv6cp_opt_name(uint8_t type);  /* "Interface-Identifier"...; "unknown" */

#endif
