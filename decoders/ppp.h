/*
 * ppp.h - PPP frame header as carried in PPTP's GRE (RFC 1661 section 2 and
 * 6.5/6.6, RFC 1662 section 3.1).
 *
 *   [0xFF 0x03]   address and control; omitted when Address-and-Control-Field-
 *                 Compression (ACFC) is in use
 *   protocol      2 bytes, or 1 byte with Protocol-Field-Compression (PFC)
 *   information   the rest (returned as the payload cursor)
 *
 * Both compressions are accepted on ANY frame (the sensor sees both directions
 * and cannot know whether they were negotiated); neither is an anomaly.
 * A protocol number is valid when the least significant bit of its last octet is
 * 1 and that of its first octet is 0 (RFC 1661 section 2): a first octet with the
 * low bit set is therefore a complete 1-byte (compressed) protocol field.
 *
 * The decoder does not call the decoder of the protocol it carries.
 */
#ifndef PPTP_PPP_H
#define PPTP_PPP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "anomaly.h"
#include "cursor.h"

#define PPP_ADDRESS 0xFF
#define PPP_CONTROL 0x03

enum ppp_protocol {
    PPP_PROTO_IP = 0x0021,
    PPP_PROTO_OSI = 0x0023,
    PPP_PROTO_APPLETALK = 0x0029,
    PPP_PROTO_IPX = 0x002B,
    PPP_PROTO_VJ_COMP = 0x002D,
    PPP_PROTO_VJ_UNCOMP = 0x002F,
    PPP_PROTO_BPDU = 0x0031,
    PPP_PROTO_MP = 0x003D,
    PPP_PROTO_IPV6 = 0x0057,
    PPP_PROTO_LINK_COMP = 0x00FB, /* individual link compressed datagram */
    PPP_PROTO_COMP = 0x00FD,      /* compressed datagram (MPPE/MPPC) */
    PPP_PROTO_MPLS = 0x0281,
    PPP_PROTO_IPCP = 0x8021,
    PPP_PROTO_OSINLCP = 0x8023,
    PPP_PROTO_ATCP = 0x8029,
    PPP_PROTO_IPXCP = 0x802B,
    PPP_PROTO_BCP = 0x8031,
    PPP_PROTO_MPCP = 0x803D,
    PPP_PROTO_IPV6CP = 0x8057,
    PPP_PROTO_LINK_CCP = 0x80FB,
    PPP_PROTO_CCP = 0x80FD,
    PPP_PROTO_MPLSCP = 0x8281,
    PPP_PROTO_LCP = 0xC021,
    PPP_PROTO_PAP = 0xC023,
    PPP_PROTO_LQR = 0xC025,
    PPP_PROTO_CBCP = 0xC029,
    PPP_PROTO_CHAP = 0xC223,
    PPP_PROTO_EAP = 0xC227,
};

struct ppp_frame {
    bool has_acfc_hdr; /* the 0xFF 0x03 address/control bytes are present */
    bool pfc;          /* the protocol field is 1 byte (compressed) */
    uint16_t protocol;
};

/*
 * Decode the PPP header from c; *payload (may be NULL) receives the information
 * field (the rest of c, keeping c's open-endedness).  f is fully overwritten.
 * Ownership: *payload points into c's buffer.
 *
 * Returns
 *   DEC_OK         header decoded (an empty information field is fine).
 *   DEC_TRUNCATED  c ended inside the header and is open ended (an empty open
 *                  c also adds ppp.empty).
 *   DEC_MALFORMED  c is empty (ppp.empty) / ended inside the header and is
 *                  exact; 0xFF not followed by 0x03 (ppp.bad_address_control);
 *                  the second protocol octet is even (ppp.bad_protocol).
 *                  f holds what was read.
 */
dec_status ppp_decode(cursor *c, struct ppp_frame *f, cursor *payload, anomaly_set *an);

/*
 * Append a PPP frame to w: 0xFF 0x03 when f->has_acfc_hdr, the protocol in one
 * byte when f->pfc and protocol <= 0xFF (else two), then info[0..len).
 * Returns wbuf_ok(w).
 */
bool ppp_encode(wbuf *w, const struct ppp_frame *f, const uint8_t *info, size_t len);

/* True when proto is a valid PPP protocol number (first octet even, last odd). */
static inline bool ppp_protocol_valid(uint16_t proto) { return (proto & 0x0100) == 0 && (proto & 1); }
/* True when proto may be sent with PFC (valid and below 0x100). */
static inline bool ppp_protocol_compressible(uint16_t proto) { return proto <= 0xFF && (proto & 1); }

/* "IPv4", "LCP", "CCP", ... or "unknown". */
const char *ppp_protocol_name(uint16_t proto);

#endif
