/*
 * eap.h - Extensible Authentication Protocol codec (RFC 3748 sections 4-5).
 *
 * Input is the PPP information field of a protocol 0xC227 frame (cursor at Code):
 *
 *   Request (1) / Response (2): Code, Identifier, Length(2), Type, Type-Data
 *   Success (3) / Failure (4):  Code, Identifier, Length(2) = 4
 *
 * Type-Data decoded here:
 *   1 Identity, 2 Notification: text (bounded copy + span)
 *   3 Nak (Response only): the desired authentication types
 *   4 MD5-Challenge: Value-Size, Value, Name (RFC 3748 section 5.4)
 *   13 TLS, 21 TTLS, 25 PEAP: the flags octet and, with the L bit, the 4-octet
 *       TLS Message Length (RFC 5216 section 3.1)
 *   26 EAP-MSCHAPv2 (draft-kamath-pppext-eap-mschapv2): OpCode, MS-CHAPv2-ID,
 *       MS-Length, then Value-Size/Value/Name (Challenge, Response) or the
 *       message text (Success/Failure Request); the values are MS-CHAPv2 values
 *       (mschap.h parses them)
 *   254 Expanded: Vendor-Id (3), Vendor-Type (4), vendor data
 * Other types keep only the Type-Data span.
 */
#ifndef PPTP_EAP_H
#define PPTP_EAP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "anomaly.h"
#include "cursor.h"

enum eap_code {
    EAP_REQUEST = 1,
    EAP_RESPONSE = 2,
    EAP_SUCCESS = 3,
    EAP_FAILURE = 4,
};

enum eap_type {
    EAP_TYPE_IDENTITY = 1,
    EAP_TYPE_NOTIFICATION = 2,
    EAP_TYPE_NAK = 3,
    EAP_TYPE_MD5 = 4,
    EAP_TYPE_OTP = 5,
    EAP_TYPE_GTC = 6,
    EAP_TYPE_TLS = 13,
    EAP_TYPE_LEAP = 17,
    EAP_TYPE_SIM = 18,
    EAP_TYPE_TTLS = 21,
    EAP_TYPE_AKA = 23,
    EAP_TYPE_PEAP = 25,
    EAP_TYPE_MSCHAPV2 = 26,
    EAP_TYPE_FAST = 43,
    EAP_TYPE_PSK = 47,
    EAP_TYPE_IKEV2 = 49,
    EAP_TYPE_AKA_PRIME = 50,
    EAP_TYPE_PWD = 52,
    EAP_TYPE_TEAP = 55,
    EAP_TYPE_EXPANDED = 254,
    EAP_TYPE_EXPERIMENTAL = 255,
};

/* EAP-MSCHAPv2 OpCodes. */
enum eap_mschapv2_op {
    EAP_MSCHAPV2_CHALLENGE = 1,
    EAP_MSCHAPV2_RESPONSE = 2,
    EAP_MSCHAPV2_SUCCESS = 3,
    EAP_MSCHAPV2_FAILURE = 4,
    EAP_MSCHAPV2_CHANGE_PASSWORD = 7,
};

/* TLS-based types: flags octet bits (RFC 5216 section 3.1). */
#define EAP_TLS_FLAG_L 0x80 /* length included */
#define EAP_TLS_FLAG_M 0x40 /* more fragments */
#define EAP_TLS_FLAG_S 0x20 /* start */

#define EAP_TEXT_MAX 256    /* bounded copy of Identity / Notification / names */
#define EAP_NAK_MAX 32      /* desired types kept (nak_count is the true count) */

typedef struct eap_msg {
    uint8_t code;
    uint8_t id;
    uint16_t length;     /* decode: the Length field; encode: ignored (computed) */
    uint16_t raw_length; /* encode only: nonzero is written as Length (fault injection) */
    uint8_t type;        /* Request/Response only */

    /* Everything after the Type octet (for Expanded: after Vendor-Type), pointing
     * into the input (decode).  For encode it is the Type-Data of types without
     * a structured form below (and the vendor data of Expanded). */
    const uint8_t *type_data;
    size_t type_data_len;

    /* Identity / Notification (and the MD5 / MSCHAPv2 Name as text) */
    const uint8_t *text;
    size_t text_len;                 /* true length */
    char text_str[EAP_TEXT_MAX];     /* decode only: NUL terminated, cut */

    /* Nak */
    uint8_t nak_types[EAP_NAK_MAX];
    size_t nak_count;                /* true count (may exceed EAP_NAK_MAX on decode) */

    /* MD5-Challenge; also EAP-MSCHAPv2 Challenge/Response values */
    uint8_t value_size;
    const uint8_t *value;
    const uint8_t *name;             /* the Name after the value */
    size_t name_len;

    /* TLS / TTLS / PEAP */
    uint8_t tls_flags;
    uint32_t tls_length;             /* valid when tls_flags & EAP_TLS_FLAG_L */

    /* EAP-MSCHAPv2 (decode only; encode uses type_data) */
    uint8_t ms_opcode;
    uint8_t ms_id;
    uint16_t ms_length;
    const uint8_t *ms_message;       /* Success/Failure Request text */
    size_t ms_message_len;

    /* Expanded */
    uint32_t vendor_id;              /* 24 bits */
    uint32_t vendor_type;
} eap_msg;

/* Decode one EAP packet from c (cursor at Code), consuming Length bytes.
 * Ownership: every pointer points into c's buffer (kept alive by the caller);
 * text_str and nak_types are copies.
 * Failure: DEC_TRUNCATED when the capture ends inside the packet; DEC_MALFORMED
 * when Length < 4, a Request/Response has no Type (Length < 5), or a
 * structured Type-Data field runs past Length.  Anomalies (an may be NULL):
 * eap.unknown_code, eap.success_failure_data, eap.nak_in_request, eap.empty_nak,
 * eap.mschapv2_length_mismatch. */
dec_status eap_decode(cursor *c, eap_msg *m, anomaly_set *an);

/* Append the wire form of *m.  Request/Response Type-Data is built from: text
 * (Identity, Notification), nak_types[nak_count] (Nak), value_size/value/name
 * (MD5), vendor_id/vendor_type + type_data (Expanded), else type_data.
 * Success/Failure write the bare header.  Length computed unless raw_length.
 * Returns wbuf_ok(w) (false also if nak_count > EAP_NAK_MAX or > 65535 bytes). */
bool eap_encode(wbuf *w, const eap_msg *m);

/* "Request", "Response", "Success", "Failure" or "unknown". */
const char *eap_code_name(uint8_t code);
/* Short lower-case method name for event fields, as in "eap-<name>":
 * "identity", "notification", "nak", "md5", "otp", "gtc", "tls", "leap", "sim",
 * "ttls", "aka", "peap", "mschapv2", "fast", "psk", "ikev2", "aka-prime", "pwd",
 * "teap", "expanded", "experimental"; "unknown" otherwise. */
const char *eap_type_name(uint8_t type);

#endif
