/*
 * chap.h - PPP Challenge Handshake Authentication Protocol codec (RFC 1994 section 4).
 *
 * Input is the PPP information field of a protocol 0xC223 frame (cursor at Code):
 *
 *   Challenge (1) / Response (2): Code, Identifier, Length(2), Value-Size(1),
 *                                 Value, Name (the rest, up to Length)
 *   Success (3) / Failure (4):    Code, Identifier, Length(2), Message (the rest)
 *
 * The Microsoft dialects reuse this framing: MS-CHAP (RFC 2433, LCP algorithm
 * 0x80) adds Change-Password codes 5 and 6, MS-CHAPv2 (RFC 2759, algorithm 0x81)
 * code 7.  chap_decode() only splits the generic fields; the meaning of the value,
 * of the Success/Failure text and of codes 5-7 is decoded by mschap.h
 * (mschap_interpret) because it depends on the algorithm LCP negotiated.
 */
#ifndef PPTP_CHAP_H
#define PPTP_CHAP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "anomaly.h"
#include "cursor.h"

enum chap_code {
    CHAP_CHALLENGE = 1,
    CHAP_RESPONSE = 2,
    CHAP_SUCCESS = 3,
    CHAP_FAILURE = 4,
    MSCHAP_CHANGE_PASSWORD_V1 = 5, /* RFC 2433 section 9 */
    MSCHAP_CHANGE_PASSWORD_V2 = 6, /* RFC 2433 section 10 */
    MSCHAPV2_CHANGE_PASSWORD = 7,  /* RFC 2759 section 7 */
};

/* The Algorithm octet of the LCP Authentication-Protocol option for CHAP. */
typedef enum chap_alg {
    CHAP_ALG_UNKNOWN = 0,
    CHAP_ALG_MD5 = 0x05,
    CHAP_ALG_MSCHAP = 0x80,   /* MS-CHAP v1, RFC 2433 */
    CHAP_ALG_MSCHAPV2 = 0x81, /* MS-CHAP v2, RFC 2759 */
} chap_alg;

/* Bounded copy of the Name field (its true length is name_len). */
#define CHAP_NAME_MAX 256

typedef struct chap_msg {
    uint8_t code;
    uint8_t id;
    uint16_t length;     /* decode: the Length field; encode: ignored (computed) */
    uint16_t raw_length; /* encode only: nonzero is written as Length (fault injection) */

    /* Challenge / Response */
    uint8_t value_size;
    const uint8_t *value;      /* value_size bytes */
    const uint8_t *name;       /* name_len bytes (not NUL terminated) */
    size_t name_len;           /* true length, may exceed CHAP_NAME_MAX */
    char name_str[CHAP_NAME_MAX]; /* decode only: NUL-terminated copy, cut to size */

    /* Success / Failure */
    const uint8_t *message;
    size_t message_len;

    /* codes 5-7 and unknown codes: everything after the 4-byte header */
    const uint8_t *data;
    size_t data_len;
} chap_msg;

/* Decode one CHAP packet from c (cursor at Code) into *m, consuming Length bytes.
 * Ownership: value/name/message/data point into c's buffer, which the caller
 * keeps alive while *m is used; name_str is a copy.
 * Failure: DEC_TRUNCATED when the capture ends inside the packet, DEC_MALFORMED
 * when Length < 4, or for Challenge/Response when Length < 5 or Value-Size runs
 * past Length.  Anomalies (an may be NULL): chap.unknown_code, chap.empty_value,
 * chap.name_nul. */
dec_status chap_decode(cursor *c, chap_msg *m, anomaly_set *an);

/* Append the wire form of *m to w: the value (value_size bytes) and name span for
 * codes 1-2, the message span for 3-4, the data span otherwise.  name_str is not
 * used.  Length is computed unless m->raw_length.  Returns wbuf_ok(w) (false
 * also when the packet would exceed 65535 bytes). */
bool chap_encode(wbuf *w, const chap_msg *m);

/* "Challenge", "Response", "Success", "Failure", "Change-Password-v1",
 * "Change-Password-v2", "MSCHAPv2-Change-Password" or "unknown". */
const char *chap_code_name(uint8_t code);
/* "md5", "mschap", "mschapv2" or "unknown" (the LCP algorithm octet). */
const char *chap_alg_name(uint8_t alg);

#endif
