/*
 * ccp.h - PPP Compression Control Protocol (RFC 1962) with the Microsoft
 * MPPE/MPPC option (RFC 3078 §2, RFC 2118 §2).
 *
 * Input: the PPP information field of a protocol-0x80fd frame (cursor at Code).
 * Codes 1-7 plus 14 Reset-Request and 15 Reset-Ack.  Option 18 (MPPE/MPPC,
 * length 6) is decoded into named flags; every other option is kept raw in
 * cp.options and named by ccp_opt_name().  Spans point into the caller's input.
 *
 * MPPE Supported Bits (RFC 3078 §2.1; note the letters do not follow key size):
 *   H 0x01000000 stateless mode     M 0x00000080 56-bit keys
 *   S 0x00000040 128-bit keys       L 0x00000020 40-bit keys
 *   D 0x00000010 obsolete           C 0x00000001 MPPC compression (RFC 2118)
 */
#ifndef PPTP_CCP_H
#define PPTP_CCP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "anomaly.h"
#include "cp.h"
#include "cursor.h"

enum ccp_opt {
    CCP_OPT_OUI = 0,
    CCP_OPT_PREDICTOR1 = 1,
    CCP_OPT_PREDICTOR2 = 2,
    CCP_OPT_PUDDLE = 3,
    CCP_OPT_HP_PPC = 16,
    CCP_OPT_STAC_LZS = 17,
    CCP_OPT_MPPE = 18, /* Microsoft PPE/PPC */
    CCP_OPT_GANDALF_FZA = 19,
    CCP_OPT_V42BIS = 20,
    CCP_OPT_BSD_COMPRESS = 21,
    CCP_OPT_LZS_DCP = 23,
    CCP_OPT_MVRCA = 24,
    CCP_OPT_DCE = 25,
    CCP_OPT_DEFLATE = 26,
    CCP_OPT_V44 = 27,
};

#define CCP_MPPE_H 0x01000000u /* stateless (key changes every packet) */
#define CCP_MPPE_M 0x00000080u /* 56-bit session keys */
#define CCP_MPPE_S 0x00000040u /* 128-bit session keys */
#define CCP_MPPE_L 0x00000020u /* 40-bit session keys */
#define CCP_MPPE_D 0x00000010u /* obsolete */
#define CCP_MPPE_C 0x00000001u /* MPPC compression */
#define CCP_MPPE_KNOWN_BITS (CCP_MPPE_H | CCP_MPPE_M | CCP_MPPE_S | CCP_MPPE_L | CCP_MPPE_D | CCP_MPPE_C)

/* Typed view of the known options of a Configure-* packet. */
typedef struct ccp_options {
    bool has_mppe;
    uint32_t mppe_bits;   /* Supported Bits as on the wire */
    bool mppe_stateless;  /* H */
    bool mppe_128;        /* S */
    bool mppe_56;         /* M */
    bool mppe_40;         /* L */
    bool mppe_obsolete_d; /* D */
    bool mppc;            /* C */
} ccp_options;

/* One CCP packet: Configure-* fill opts (and cp.options); Terminate-*, Code-Reject,
 * Reset-Request/Ack and unknown codes put their body in data. */
typedef struct ccp_packet {
    cp_packet cp;
    ccp_options opts;
    const uint8_t *data;
    size_t data_len;
} ccp_packet;

/*
 * Decode a CCP packet from c (at Code); consumes all of c.  p zeroed first;
 * spans point into c's bytes (not owned).  "ppp.ccp.*" anomalies go to an (may
 * be NULL), including ppp.ccp.mppe_unknown_bits.  Returns DEC_OK, DEC_TRUNCATED
 * (cut by the capture: complete options are decoded) or DEC_MALFORMED (Length < 4
 * or beyond an exact c, bad option Length).  An MPPE option whose length is not 6
 * is an anomaly and stays raw.
 */
dec_status ccp_decode(cursor *c, ccp_packet *p, anomaly_set *an);
/* Fill o from l, marking used entries known; adds option anomalies to an. */
void ccp_options_from_list(cp_option_list *l, ccp_options *o, anomaly_set *an);
/* Set o->has_mppe, mppe_bits and the six flags from Supported Bits. */
void ccp_mppe_set_bits(ccp_options *o, uint32_t bits);
/* Supported Bits for o: mppe_bits OR the bits of the flags that are set. */
uint32_t ccp_mppe_bits(const ccp_options *o);
/* Strongest MPPE key length offered by Supported Bits: 128 (S), 56 (M), 40 (L),
 * or 0 when no encryption bit is set. */
unsigned ccp_mppe_key_bits(uint32_t bits);
/* Append o's typed options to w (MPPE with ccp_mppe_bits(o)).  Returns wbuf_ok(w). */
bool ccp_put_options(wbuf *w, const ccp_options *o);
/* Encode p (typed options then cp.options entries with known == false, or data).
 * Returns wbuf_ok(w). */
bool ccp_encode(wbuf *w, const ccp_packet *p);

const char *ccp_code_name(uint8_t code); /* "Reset-Request"...; "unknown" */
const char *ccp_opt_name(uint8_t type);  /* "MPPE/MPPC", "Deflate"...; "unknown" */

#endif
