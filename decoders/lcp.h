/*
 * lcp.h - PPP Link Control Protocol (RFC 1661; Identification and Time-Remaining
 * RFC 1570; Callback RFC 1570; Multilink MRRU / Endpoint Discriminator RFC 1990;
 * CHAP algorithm values RFC 1994, RFC 2433 (MS-CHAP), RFC 2759 (MS-CHAPv2); EAP
 * RFC 3748).
 *
 * Input: the PPP information field of a protocol-0xc021 frame (cursor at Code).
 * Framing and option lists come from cp.h; this module adds the per-code fields
 * and a typed view of the known options.  Spans point into the caller's input.
 */
#ifndef PPTP_LCP_H
#define PPTP_LCP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "anomaly.h"
#include "cp.h"
#include "cursor.h"

enum lcp_opt {
    LCP_OPT_VENDOR = 0,
    LCP_OPT_MRU = 1,
    LCP_OPT_ACCM = 2,
    LCP_OPT_AUTH = 3,
    LCP_OPT_QUALITY = 4,
    LCP_OPT_MAGIC = 5,
    LCP_OPT_PFC = 7,
    LCP_OPT_ACFC = 8,
    LCP_OPT_FCS_ALT = 9,
    LCP_OPT_SDP = 10,
    LCP_OPT_NUMBERED_MODE = 11,
    LCP_OPT_CALLBACK = 13,
    LCP_OPT_MRRU = 17,
    LCP_OPT_SSNHF = 18,
    LCP_OPT_ENDPOINT_DISC = 19,
    LCP_OPT_LINK_DISC = 23,
    LCP_OPT_INTERNATIONALIZATION = 28,
};

/* Authentication protocols (PPP protocol numbers) and CHAP algorithms. */
#define LCP_AUTH_PAP 0xc023
#define LCP_AUTH_CHAP 0xc223
#define LCP_AUTH_EAP 0xc227
#define LCP_CHAP_MD5 0x05
#define LCP_CHAP_MSCHAP 0x80
#define LCP_CHAP_MSCHAPV2 0x81
/* Quality protocol: Link Quality Report (RFC 1989). */
#define LCP_QUALITY_LQR 0xc025

/*
 * Typed view of the known options of a Configure-* packet.  has_X says option X
 * was present with a valid length (the first occurrence; repeats stay raw).
 * Spans point into the decoded input (or caller memory when encoding).
 */
typedef struct lcp_options {
    bool has_mru;
    uint16_t mru;
    bool has_accm;
    uint32_t accm;
    bool has_auth;
    uint16_t auth_protocol;      /* LCP_AUTH_PAP / CHAP / EAP / other */
    uint8_t auth_algorithm;      /* CHAP only (LCP_CHAP_*) */
    const uint8_t *auth_data;    /* non-CHAP protocols: data after the protocol */
    size_t auth_data_len;
    bool has_quality;
    uint16_t quality_protocol;   /* e.g. LCP_QUALITY_LQR */
    const uint8_t *quality_data; /* e.g. LQR Reporting-Period (4 bytes) */
    size_t quality_data_len;
    bool has_magic;
    uint32_t magic;
    bool pfc;                    /* Protocol-Field-Compression present */
    bool acfc;                   /* Address-and-Control-Field-Compression present */
    bool has_callback;
    uint8_t callback_operation;
    const uint8_t *callback_message;
    size_t callback_message_len;
    bool has_mrru;
    uint16_t mrru;
    bool has_endpoint_disc;
    uint8_t endpoint_class;      /* 0 null, 1 local, 2 IPv4, 3 IEEE 802.1, 4 magic, 5 PSNDN */
    const uint8_t *endpoint_address;
    size_t endpoint_address_len; /* 0-20 */
} lcp_options;

/*
 * One LCP packet.  Which fields mean something depends on cp.code:
 *   Configure-*:            opts (typed) and cp.options (all options, wire order)
 *   Terminate-Request/Ack:  data = reason (opaque, often text)
 *   Code-Reject:            data = the rejected packet
 *   Protocol-Reject:        rejected_protocol, data = the rejected information
 *   Echo-Request/Reply, Discard-Request: magic, data
 *   Identification:         magic, data = message
 *   Time-Remaining:         magic, seconds, data = message
 *   unknown code:           data = whole body
 * Fields of other codes are zero.  When the packet is cut by the capture, fields
 * not fully captured are left zero.
 */
typedef struct lcp_packet {
    cp_packet cp;
    lcp_options opts;
    uint32_t magic;
    uint32_t seconds;
    uint16_t rejected_protocol;
    const uint8_t *data;
    size_t data_len;
} lcp_packet;

/*
 * Decode an LCP packet from c (at Code); consumes all of c (padding included).
 * p is zeroed first; spans point into c's bytes (not owned).  Adds "ppp.lcp.*"
 * anomalies to an (may be NULL).  Returns DEC_OK, DEC_TRUNCATED (the capture
 * stopped inside the packet; what was complete is decoded) or DEC_MALFORMED
 * (Length < 4 or beyond an exact c, a bad option Length, or a body too short for
 * its code's fixed fields).  A known option with a wrong length is an anomaly
 * only: it stays in cp.options with known == false.
 */
dec_status lcp_decode(cursor *c, lcp_packet *p, anomaly_set *an);

/*
 * Fill opts from the options in l, marking the entries used as known.  Adds
 * option anomalies (bad size, duplicates) to an.  Never fails.
 */
void lcp_options_from_list(cp_option_list *l, lcp_options *opts, anomaly_set *an);

/*
 * Append the typed options of o (ascending type order) to w.  Returns wbuf_ok(w);
 * false also when a span is too long for an option.
 */
bool lcp_put_options(wbuf *w, const lcp_options *o);

/*
 * Encode p: cp.code and cp.id, a computed Length, then for Configure-* codes the
 * typed options (lcp_put_options) followed by the entries of cp.options whose
 * known flag is false (unknown or odd options, written verbatim); for the other
 * codes the fixed fields of the code and data.  cp.length/body are ignored.
 * Returns wbuf_ok(w); false when w is too small or a field cannot be encoded.
 */
bool lcp_encode(wbuf *w, const lcp_packet *p);

/* Names.  All return a static string, never NULL. */
const char *lcp_code_name(uint8_t code);            /* "Configure-Request"; "unknown" */
const char *lcp_opt_name(uint8_t type);             /* "MRU", "Magic-Number"; "unknown" */
const char *lcp_auth_protocol_name(uint16_t proto); /* "PAP", "CHAP", "EAP"; "unknown" */
const char *lcp_chap_algorithm_name(uint8_t alg);   /* "MD5", "MS-CHAP", "MS-CHAP-v2"; "unknown" */
/* Event-contract method name (pptp.auth.method) for an Auth-Protocol option:
 * "pap", "chap-md5", "mschapv1", "mschapv2", "eap"; "chap" for CHAP with another
 * algorithm; "unknown" otherwise. */
const char *lcp_auth_method_name(uint16_t proto, uint8_t algorithm);
/* Callback operation name (RFC 1570): "user-authentication", "dialing-string",
 * "location-identifier", "e164", "distinguished-name", "cbcp"; "unknown". */
const char *lcp_callback_op_name(uint8_t op);

#endif
