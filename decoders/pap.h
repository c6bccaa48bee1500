/*
 * pap.h - PPP Password Authentication Protocol codec (RFC 1334 section 2).
 *
 * Input is the PPP information field of a protocol 0xC023 frame (cursor at Code):
 *
 *   Authenticate-Request (1): Code, Identifier, Length(2), Peer-ID Length(1),
 *                             Peer-ID, Passwd-Length(1), Password
 *   Authenticate-Ack (2) / Authenticate-Nak (3): Code, Identifier, Length(2),
 *                             Msg-Length(1), Message
 *
 * The password only ever decodes into a `secret` (secret.h).
 */
#ifndef PPTP_PAP_H
#define PPTP_PAP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "anomaly.h"
#include "cursor.h"
#include "secret.h"

enum pap_code {
    PAP_AUTH_REQ = 1,
    PAP_AUTH_ACK = 2,
    PAP_AUTH_NAK = 3,
};

/* Room for the longest value a one-octet length allows, plus the NUL. */
#define PAP_STR_MAX 256

typedef struct pap_msg {
    uint8_t code;
    uint8_t id;
    uint16_t length;     /* decode: the Length field; encode: ignored (computed) */
    uint16_t raw_length; /* encode only: nonzero is written as Length (fault injection) */

    /* Authenticate-Request */
    uint8_t peer_id_len;          /* decode: Peer-ID Length as on the wire */
    char peer_id[PAP_STR_MAX];    /* NUL terminated; encode writes strlen(peer_id) bytes */
    secret password;              /* the Password field, never a char array */

    /* Authenticate-Ack / -Nak */
    uint8_t msg_len;              /* decode: Msg-Length as on the wire */
    char message[PAP_STR_MAX];    /* NUL terminated; encode writes strlen(message) bytes */

    /* unknown codes: the bytes after the header, pointing into the input */
    const uint8_t *data;
    size_t data_len;
} pap_msg;

/* Decode one PAP packet from c (cursor at Code) into *m, consuming Length bytes.
 * Ownership: m->data points into c's buffer; everything else is copied.  The
 * caller should secret_wipe(&m->password) when done.
 * Failure: DEC_TRUNCATED when the capture ends inside the packet,
 * DEC_MALFORMED when Length < 4 or a field length runs past Length. *m is
 * zeroed first, so a failed decode leaves no stale password behind.
 * Anomalies (an may be NULL): pap.unknown_code, pap.trailing_data,
 * pap.peer_id_nul, pap.peer_id_empty. */
dec_status pap_decode(cursor *c, pap_msg *m, anomaly_set *an);

/* Append the wire form of *m to w (Length computed unless m->raw_length).
 * Strings longer than 255 bytes are cut to 255. Returns wbuf_ok(w). */
bool pap_encode(wbuf *w, const pap_msg *m);

/* "Authenticate-Request", "Authenticate-Ack", "Authenticate-Nak" or "unknown". */
const char *pap_code_name(uint8_t code);

#endif
