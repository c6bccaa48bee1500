/*
 * pptp_ctrl.h - PPTP control-connection messages (RFC 2637, sections 1.4 and 2),
 * decode and encode.
 *
 * The control connection runs over TCP port 1723.  Every message starts with a
 * 12-byte header (Length, PPTP Message Type = 1, Magic Cookie 0x1A2B3C4D, Control
 * Message Type, Reserved0) followed by a fixed-size body that depends on the control
 * message type.  This module turns one such message into a host-order tagged union
 * (one struct per message, in the spirit of Linux nf_conntrack_pptp.h) and back.
 *
 * It also offers the header helpers the sensor's TCP reassembly uses to frame the
 * byte stream (pptp_ctrl_header_peek) and to find the next message again after a
 * gap (pptp_ctrl_header_plausible), plus the RFC value tables (result codes, error
 * codes, stop reasons, capability bits) and the control/call state enums used by
 * the sensor's state machine.
 *
 * See docs/decoders/pptp_ctrl.md.
 */
#ifndef PPTP_PPTP_CTRL_H
#define PPTP_PPTP_CTRL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "anomaly.h"
#include "cursor.h"

#define PPTP_TCP_PORT 1723
#define PPTP_MAGIC_COOKIE 0x1A2B3C4Du
#define PPTP_PROTOCOL_VERSION 0x0100u /* version 1, revision 0 */
#define PPTP_CTRL_HEADER_LEN 12
/* Largest RFC message (ICRQ). */
#define PPTP_CTRL_MAX_MSG_SIZE 220
/* Upper bound on the length field that pptp_ctrl_header_plausible() accepts when
 * resynchronising: the RFC sizes top out at 220 bytes; anything longer than this is
 * taken to be a false match in the byte stream.  (Decoding itself accepts any
 * length up to 65535; a message longer than its type's size gets
 * "pptp.oversized_message".) */
#define PPTP_CTRL_PLAUSIBLE_MAX_LEN 512

/* Fixed string field sizes on the wire (NUL padded; decoded into char[N + 1]). */
#define PPTP_HOST_NAME_LEN 64
#define PPTP_VENDOR_LEN 64
#define PPTP_PHONE_LEN 64
#define PPTP_SUBADDR_LEN 64
#define PPTP_CALL_STATS_LEN 128

/* PPTP Message Type (header word 2). */
enum pptp_message_class {
    PPTP_MESSAGE_CONTROL = 1,
    PPTP_MESSAGE_MANAGEMENT = 2, /* defined by the RFC, never specified or used */
};

/* Control Message Type (header word 5). */
enum pptp_msg_type {
    PPTP_MSG_SCCRQ = 1,     /* Start-Control-Connection-Request */
    PPTP_MSG_SCCRP = 2,     /* Start-Control-Connection-Reply */
    PPTP_MSG_STOPCCRQ = 3,  /* Stop-Control-Connection-Request */
    PPTP_MSG_STOPCCRP = 4,  /* Stop-Control-Connection-Reply */
    PPTP_MSG_ECHORQ = 5,    /* Echo-Request */
    PPTP_MSG_ECHORP = 6,    /* Echo-Reply */
    PPTP_MSG_OCRQ = 7,      /* Outgoing-Call-Request */
    PPTP_MSG_OCRP = 8,      /* Outgoing-Call-Reply */
    PPTP_MSG_ICRQ = 9,      /* Incoming-Call-Request */
    PPTP_MSG_ICRP = 10,     /* Incoming-Call-Reply */
    PPTP_MSG_ICCN = 11,     /* Incoming-Call-Connected */
    PPTP_MSG_CCRQ = 12,     /* Call-Clear-Request */
    PPTP_MSG_CDN = 13,      /* Call-Disconnect-Notify */
    PPTP_MSG_WEN = 14,      /* WAN-Error-Notify */
    PPTP_MSG_SLI = 15,      /* Set-Link-Info */
    PPTP_MSG_MAX = PPTP_MSG_SLI,
};

/* Control connection state (RFC 2637 section 3.1 / 5.1), for the sensor. */
enum pptp_ctrl_state {
    PPTP_CTRL_STATE_IDLE = 0,           /* no SCCRQ seen (or after StopCCRP) */
    PPTP_CTRL_STATE_WAIT_CTL_REPLY = 1, /* SCCRQ seen, waiting for SCCRP */
    PPTP_CTRL_STATE_ESTABLISHED = 2,    /* SCCRP with result 1 seen */
    PPTP_CTRL_STATE_WAIT_STOP_REPLY = 3 /* StopCCRQ seen, waiting for StopCCRP */
};

/* Call state (RFC 2637 section 5.2 PAC/PNS call states, seen from the wire). */
enum pptp_call_state {
    PPTP_CALL_STATE_IDLE = 0,            /* no call (or after CDN) */
    PPTP_CALL_STATE_WAIT_REPLY = 1,      /* OCRQ or ICRQ seen, waiting for OCRP / ICRP */
    PPTP_CALL_STATE_WAIT_CONNECT = 2,    /* ICRP (connect) seen, waiting for ICCN */
    PPTP_CALL_STATE_ESTABLISHED = 3,     /* OCRP (connected) or ICCN seen */
    PPTP_CALL_STATE_WAIT_DISCONNECT = 4, /* CCRQ seen, waiting for CDN */
};

/* Result codes, per message. */
enum pptp_sccrp_result {
    PPTP_SCCRP_SUCCESS = 1,        /* successful channel establishment */
    PPTP_SCCRP_GENERAL_ERROR = 2,  /* see the error code */
    PPTP_SCCRP_CHANNEL_EXISTS = 3, /* command channel already exists */
    PPTP_SCCRP_NOT_AUTHORIZED = 4, /* requester is not authorized */
    PPTP_SCCRP_BAD_VERSION = 5,    /* protocol version not supported */
};
enum pptp_stopccrp_result { PPTP_STOPCCRP_OK = 1, PPTP_STOPCCRP_GENERAL_ERROR = 2 };
enum pptp_echorp_result { PPTP_ECHORP_OK = 1, PPTP_ECHORP_GENERAL_ERROR = 2 };
enum pptp_ocrp_result {
    PPTP_OCRP_CONNECTED = 1,
    PPTP_OCRP_GENERAL_ERROR = 2,
    PPTP_OCRP_NO_CARRIER = 3,
    PPTP_OCRP_BUSY = 4,
    PPTP_OCRP_NO_DIAL_TONE = 5,
    PPTP_OCRP_TIMEOUT = 6,
    PPTP_OCRP_DO_NOT_ACCEPT = 7,
};
enum pptp_icrp_result { PPTP_ICRP_CONNECT = 1, PPTP_ICRP_GENERAL_ERROR = 2, PPTP_ICRP_DO_NOT_ACCEPT = 3 };
enum pptp_cdn_result {
    PPTP_CDN_LOST_CARRIER = 1,
    PPTP_CDN_GENERAL_ERROR = 2,
    PPTP_CDN_ADMIN_SHUTDOWN = 3,
    PPTP_CDN_REQUEST = 4,
};

/* General error codes (the Error Code field when the result is "general error"). */
enum pptp_error_code {
    PPTP_ERR_NONE = 0,
    PPTP_ERR_NOT_CONNECTED = 1,
    PPTP_ERR_BAD_FORMAT = 2,
    PPTP_ERR_BAD_VALUE = 3,
    PPTP_ERR_NO_RESOURCE = 4,
    PPTP_ERR_BAD_CALL_ID = 5,
    PPTP_ERR_PAC_ERROR = 6,
};

/* Stop-Control-Connection-Request reason. */
enum pptp_stop_reason {
    PPTP_STOP_NONE = 1,           /* general request to clear the connection */
    PPTP_STOP_PROTOCOL = 2,       /* cannot support the peer's protocol version */
    PPTP_STOP_LOCAL_SHUTDOWN = 3, /* requester is being shut down */
};

/* Framing / bearer capability bits (SCCRQ, SCCRP). */
#define PPTP_FRAMING_CAP_ASYNC 0x1u
#define PPTP_FRAMING_CAP_SYNC 0x2u
#define PPTP_BEARER_CAP_ANALOG 0x1u
#define PPTP_BEARER_CAP_DIGITAL 0x2u
/* Framing / bearer type values (OCRQ, ICRQ, ICCN). */
enum pptp_framing_type { PPTP_FRAMING_ASYNC = 1, PPTP_FRAMING_SYNC = 2, PPTP_FRAMING_ANY = 3 };
enum pptp_bearer_type { PPTP_BEARER_ANALOG = 1, PPTP_BEARER_DIGITAL = 2, PPTP_BEARER_ANY = 3 };

/* ---- message bodies (host byte order, wire field order) ------------------- */

struct pptp_sccrq { /* 156 bytes */
    uint16_t protocol_version;
    uint16_t reserved1;
    uint32_t framing_caps;
    uint32_t bearer_caps;
    uint16_t max_channels;
    uint16_t firmware_rev;
    char host_name[PPTP_HOST_NAME_LEN + 1];
    char vendor[PPTP_VENDOR_LEN + 1];
};

struct pptp_sccrp { /* 156 bytes */
    uint16_t protocol_version;
    uint8_t result_code; /* enum pptp_sccrp_result */
    uint8_t error_code;  /* enum pptp_error_code */
    uint32_t framing_caps;
    uint32_t bearer_caps;
    uint16_t max_channels;
    uint16_t firmware_rev;
    char host_name[PPTP_HOST_NAME_LEN + 1];
    char vendor[PPTP_VENDOR_LEN + 1];
};

struct pptp_stopccrq { /* 16 bytes */
    uint8_t reason; /* enum pptp_stop_reason */
    uint8_t reserved1;
    uint16_t reserved2;
};

struct pptp_stopccrp { /* 16 bytes */
    uint8_t result_code; /* enum pptp_stopccrp_result */
    uint8_t error_code;
    uint16_t reserved1;
};

struct pptp_echorq { /* 16 bytes */
    uint32_t identifier;
};

struct pptp_echorp { /* 20 bytes */
    uint32_t identifier;
    uint8_t result_code; /* enum pptp_echorp_result */
    uint8_t error_code;
    uint16_t reserved1;
};

struct pptp_ocrq { /* 168 bytes */
    uint16_t call_id;
    uint16_t call_serial;
    uint32_t min_bps;
    uint32_t max_bps;
    uint32_t bearer_type;  /* enum pptp_bearer_type */
    uint32_t framing_type; /* enum pptp_framing_type */
    uint16_t recv_window;  /* Packet Recv. Window Size */
    uint16_t proc_delay;   /* Packet Processing Delay */
    uint16_t phone_len;    /* Phone Number Length */
    uint16_t reserved1;
    char phone[PPTP_PHONE_LEN + 1];
    char subaddress[PPTP_SUBADDR_LEN + 1];
};

struct pptp_ocrp { /* 32 bytes */
    uint16_t call_id;
    uint16_t peer_call_id;
    uint8_t result_code; /* enum pptp_ocrp_result */
    uint8_t error_code;
    uint16_t cause_code;
    uint32_t connect_speed;
    uint16_t recv_window;
    uint16_t proc_delay;
    uint32_t phys_channel_id;
};

struct pptp_icrq { /* 220 bytes */
    uint16_t call_id;
    uint16_t call_serial;
    uint32_t bearer_type; /* Call Bearer Type */
    uint32_t phys_channel_id;
    uint16_t dialed_len;
    uint16_t dialing_len;
    char dialed[PPTP_PHONE_LEN + 1];  /* Dialed Number (DNIS) */
    char dialing[PPTP_PHONE_LEN + 1]; /* Dialing Number (CLID) */
    char subaddress[PPTP_SUBADDR_LEN + 1];
};

struct pptp_icrp { /* 24 bytes */
    uint16_t call_id;
    uint16_t peer_call_id;
    uint8_t result_code; /* enum pptp_icrp_result */
    uint8_t error_code;
    uint16_t recv_window;
    uint16_t xmit_delay; /* Packet Transmit Delay */
    uint16_t reserved1;
};

struct pptp_iccn { /* 28 bytes */
    uint16_t peer_call_id;
    uint16_t reserved1;
    uint32_t connect_speed;
    uint16_t recv_window;
    uint16_t xmit_delay;
    uint32_t framing_type;
};

struct pptp_ccrq { /* 16 bytes */
    uint16_t call_id;
    uint16_t reserved1;
};

struct pptp_cdn { /* 148 bytes */
    uint16_t call_id;
    uint8_t result_code; /* enum pptp_cdn_result */
    uint8_t error_code;
    uint16_t cause_code;
    uint16_t reserved1;
    char call_stats[PPTP_CALL_STATS_LEN + 1];
};

struct pptp_wen { /* 40 bytes */
    uint16_t peer_call_id;
    uint16_t reserved1;
    uint32_t crc_errors;
    uint32_t framing_errors;
    uint32_t hw_overruns;
    uint32_t buf_overruns;
    uint32_t timeout_errors;
    uint32_t align_errors;
};

struct pptp_sli { /* 24 bytes */
    uint16_t peer_call_id;
    uint16_t reserved1;
    uint32_t send_accm;
    uint32_t recv_accm;
};

/* One control message.  ctrl_type selects the union member. */
struct pptp_ctrl_msg {
    uint16_t length;    /* decode: the Length field as on the wire; encode: ignored */
    uint16_t msg_type;  /* PPTP Message Type; 1 = control (encode: see raw_header) */
    uint32_t magic;     /* Magic Cookie (encode: see raw_header) */
    uint16_t ctrl_type; /* enum pptp_msg_type */
    uint16_t reserved0;
    union {
        struct pptp_sccrq sccrq;
        struct pptp_sccrp sccrp;
        struct pptp_stopccrq stopccrq;
        struct pptp_stopccrp stopccrp;
        struct pptp_echorq echorq;
        struct pptp_echorp echorp;
        struct pptp_ocrq ocrq;
        struct pptp_ocrp ocrp;
        struct pptp_icrq icrq;
        struct pptp_icrp icrp;
        struct pptp_iccn iccn;
        struct pptp_ccrq ccrq;
        struct pptp_cdn cdn;
        struct pptp_wen wen;
        struct pptp_sli sli;
    } u;
    /* Bytes after the decoded body: beyond the type's size for a known type, the
     * whole undecoded body for an unknown type.  Decode: counted, not kept.
     * Encode: that many zero bytes are appended (and counted in the length). */
    uint16_t extra_len;
    /* Encode-only fault injection (decode leaves them 0/false). */
    uint16_t length_override; /* non-zero: written as the Length field instead */
    bool raw_header;          /* true: msg_type and magic written as given,
                                 false: 1 and 0x1A2B3C4D */
};

/* ---- sizes and framing ----------------------------------------------------- */

/* RFC size in bytes (header included) of a control message type: 156, 156, 16, 16,
 * 16, 20, 168, 32, 220, 24, 28, 16, 148, 40, 24 for types 1..15; 0 for an unknown
 * type. */
size_t pptp_ctrl_msg_size(uint16_t ctrl_type);

/* Look at the first bytes of a would-be control message: p[0..n) (not owned, may be
 * shorter than a header).  Checks Length >= 12, PPTP Message Type == 1 and the magic
 * cookie, as far as the n bytes go.
 *   DEC_OK         a full 12-byte header is present and passes; *length and
 *                  *ctrl_type are set (both may be NULL).  The message itself may
 *                  still be incomplete: the caller waits for *length bytes.
 *   DEC_TRUNCATED  fewer than 12 bytes, and those present are consistent with a
 *                  header; *length is set when n >= 2.
 *   DEC_MALFORMED  the bytes present are not a PPTP control header (length < 12,
 *                  message type != 1 or wrong magic); *length set when n >= 2.
 * Does not check the control type or the length against the type's size: the
 * decoder reports those as anomalies. */
dec_status pptp_ctrl_header_peek(const uint8_t *p, size_t n, uint16_t *length, uint16_t *ctrl_type);

/* Stricter test for resynchronising a TCP stream after a gap: true when p[0..n)
 * (not owned) starts with a complete header that passes pptp_ctrl_header_peek(),
 * whose control type is 1..15 and whose length is at least that type's size and at
 * most PPTP_CTRL_PLAUSIBLE_MAX_LEN.  Reserved0 is not checked. */
bool pptp_ctrl_header_plausible(const uint8_t *p, size_t n);

/* ---- decode / encode ------------------------------------------------------- */

/* Decode ONE control message at the cursor: reads its Length field, carves that many
 * bytes with cursor_sub() and decodes header and body into *m (fully overwritten;
 * strings are copied, nothing points into the input).  an may be NULL.
 * On success c is advanced past the message (Length bytes, trailing bytes included).
 * Returns
 *   DEC_OK         decoded.  Also for an unknown control type (anomaly
 *                  "pptp.unknown_ctrl_type"; header only, m->extra_len = length - 12,
 *                  the message is still correctly framed) and for a message longer
 *                  than its type's size ("pptp.oversized_message"; extra bytes
 *                  skipped, counted in m->extra_len).
 *   DEC_TRUNCATED  c is open ended and holds only a prefix of the message; nothing
 *                  consumed (c's sticky status says truncated).
 *   DEC_MALFORMED  Length < 12 or beyond the end of an exact cursor
 *                  ("pptp.bad_length"), wrong magic ("pptp.bad_magic"), message type
 *                  != 1 ("pptp.bad_message_type"), or Length below the type's size
 *                  ("pptp.undersized_message").  The header fields present are still
 *                  filled in; the body is not.  c's sticky status is set.
 * Non-fatal anomalies: "pptp.reserved_nonzero" (header Reserved0 only: the
 * body's reserved fields are decoded but not flagged, real stacks leave junk in
 * them), "pptp.bad_protocol_version", "pptp.number_length_overflow". */
dec_status pptp_ctrl_decode(cursor *c, struct pptp_ctrl_msg *m, anomaly_set *an);

/* Append the wire form of *m to w.  Length is computed (type size + extra_len, or
 * 12 + extra_len for an unknown type) unless m->length_override is set; message type
 * and magic are 1 and 0x1A2B3C4D unless m->raw_header.  Reserved fields are written
 * as given.  Strings are cut to their field size and NUL padded.
 * Returns false when w overflowed (w then holds a partial message; discard it) or
 * the computed length exceeds 65535 (nothing written). */
bool pptp_ctrl_encode(wbuf *w, const struct pptp_ctrl_msg *m);

/* Call IDs a message carries (Call ID: the sender's own ID for the call; Peer's Call
 * ID: the receiver's).  Sets the ones present (pointers may be NULL) and returns a
 * mask of PPTP_HAS_CALL_ID | PPTP_HAS_PEER_CALL_ID (0 for control-connection
 * messages and unknown types). */
#define PPTP_HAS_CALL_ID 0x1u
#define PPTP_HAS_PEER_CALL_ID 0x2u
unsigned pptp_ctrl_call_ids(const struct pptp_ctrl_msg *m, uint16_t *call_id, uint16_t *peer_call_id);

/* ---- names (pptp_ctrl_names.c); all return static strings, never NULL -------- */

/* "SCCRQ" ... "SLI"; "unknown" otherwise. */
const char *pptp_msg_type_name(uint32_t ctrl_type);
/* "Start-Control-Connection-Request" ... "Set-Link-Info"; "unknown" otherwise. */
const char *pptp_msg_type_long_name(uint32_t ctrl_type);
/* Result code meaning for the message that carries it (SCCRP, StopCCRP, ECHORP,
 * OCRP, ICRP, CDN); "unknown" for other types or codes. */
const char *pptp_result_name(uint32_t ctrl_type, uint32_t code);
/* "none", "not-connected", "bad-format", "bad-value", "no-resource", "bad-call-id",
 * "pac-error"; "unknown" otherwise. */
const char *pptp_error_name(uint32_t code);
/* StopCCRQ reason: "none", "stop-protocol", "stop-local-shutdown"; "unknown". */
const char *pptp_stop_reason_name(uint32_t reason);
/* Framing type (1 async, 2 sync, 3 either) and bearer type (1 analog, 2 digital,
 * 3 any); "unknown" otherwise. */
const char *pptp_framing_type_name(uint32_t v);
const char *pptp_bearer_type_name(uint32_t v);
/* Capability bit sets as "async,sync" / "analog,digital"; unknown bits are added as
 * "0x..."; "none" for 0.  Writes at most out_size bytes (always NUL terminated when
 * out_size > 0) and returns out. */
const char *pptp_framing_caps_str(uint32_t caps, char *out, size_t out_size);
const char *pptp_bearer_caps_str(uint32_t caps, char *out, size_t out_size);
/* "idle", "wait_ctl_reply", "established", "wait_stop_reply"; "unknown". */
const char *pptp_ctrl_state_name(uint32_t st);
/* "idle", "wait_reply", "wait_connect", "established", "wait_disconnect"; "unknown". */
const char *pptp_call_state_name(uint32_t st);

#endif
