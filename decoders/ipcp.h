/*
 * ipcp.h - PPP Internet Protocol Control Protocol (RFC 1332; DNS/NBNS options
 * RFC 1877; deprecated IP-Addresses option RFC 1172).
 *
 * Input: the PPP information field of a protocol-0x8021 frame (cursor at Code).
 * Codes 1-7 (Configure-*, Terminate-*, Code-Reject).  Addresses are host-order
 * uint32 (0x0a000001 = 10.0.0.1).  Spans point into the caller's input.
 */
#ifndef PPTP_IPCP_H
#define PPTP_IPCP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "anomaly.h"
#include "cp.h"
#include "cursor.h"

enum ipcp_opt {
    IPCP_OPT_ADDRESSES = 1,   /* deprecated: source + destination */
    IPCP_OPT_COMPRESSION = 2, /* IP-Compression-Protocol */
    IPCP_OPT_ADDRESS = 3,
    IPCP_OPT_MOBILE_IPV4 = 4,
    IPCP_OPT_PRIMARY_DNS = 129,
    IPCP_OPT_PRIMARY_NBNS = 130,
    IPCP_OPT_SECONDARY_DNS = 131,
    IPCP_OPT_SECONDARY_NBNS = 132,
};

#define IPCP_COMP_VJ 0x002d   /* Van Jacobson TCP/IP header compression */
#define IPCP_COMP_IPHC 0x0061 /* RFC 2509 IP header compression */

/* Typed view of the known options (first valid occurrence of each). */
typedef struct ipcp_options {
    bool has_addresses;
    uint32_t src_address, dst_address;
    bool has_compression;
    uint16_t compression_protocol;
    uint8_t vj_max_slot_id;       /* IPCP_COMP_VJ only */
    uint8_t vj_comp_slot_id;      /* IPCP_COMP_VJ only: 1 = slot id may be compressed */
    const uint8_t *compression_data; /* other protocols: parameters after the protocol */
    size_t compression_data_len;
    bool has_address;
    uint32_t address;
    bool has_primary_dns;
    uint32_t primary_dns;
    bool has_primary_nbns;
    uint32_t primary_nbns;
    bool has_secondary_dns;
    uint32_t secondary_dns;
    bool has_secondary_nbns;
    uint32_t secondary_nbns;
} ipcp_options;

/* One IPCP packet: Configure-* fill opts (and cp.options); every other code puts
 * its body in data (Terminate reason, Code-Reject's rejected packet, or the body
 * of an unknown code). */
typedef struct ipcp_packet {
    cp_packet cp;
    ipcp_options opts;
    const uint8_t *data;
    size_t data_len;
} ipcp_packet;

/*
 * Decode an IPCP packet from c (at Code); consumes all of c.  p zeroed first;
 * spans point into c's bytes (not owned).  "ppp.ipcp.*" anomalies go to an (may
 * be NULL).  Returns DEC_OK, DEC_TRUNCATED (cut by the capture: complete options
 * are decoded) or DEC_MALFORMED (Length < 4 or beyond an exact c, bad option
 * Length).  A known option of the wrong size is an anomaly and stays raw.
 */
dec_status ipcp_decode(cursor *c, ipcp_packet *p, anomaly_set *an);
/* Fill o from l, marking used entries known; adds option anomalies to an. */
void ipcp_options_from_list(cp_option_list *l, ipcp_options *o, anomaly_set *an);
/* Append o's typed options (ascending type order) to w.  Returns wbuf_ok(w). */
bool ipcp_put_options(wbuf *w, const ipcp_options *o);
/*
 * Encode p: header with computed Length; Configure-* codes: typed options then the
 * cp.options entries with known == false; other codes: data.  Returns wbuf_ok(w).
 */
bool ipcp_encode(wbuf *w, const ipcp_packet *p);

const char *ipcp_code_name(uint8_t code);  /* "Configure-Request"...; "unknown" */
const char *ipcp_opt_name(uint8_t type);   /* "IP-Address", "Primary-DNS"...; "unknown" */
const char *ipcp_compression_name(uint16_t proto); /* "Van-Jacobson", "IPHC", "ROHC"; "unknown" */

#endif
