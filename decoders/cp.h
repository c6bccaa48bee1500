/*
 * cp.h - the PPP control-protocol packet layer shared by LCP, IPCP, IPV6CP and CCP.
 *
 * RFC 1661 §5 defines one packet format for every PPP control protocol:
 *
 *     Code (1) | Identifier (1) | Length (2, counts the header) | Data ...
 *
 * and, for Configure-Request/Ack/Nak/Reject, Data is a list of options
 * Type (1) | Length (1, counts type and length) | Value (Length - 2).
 *
 * Input is the PPP information field (the PPP protocol number already removed by
 * the caller), a cursor positioned at Code.  Bytes after Length are padding (legal
 * in PPP) and are consumed and counted.  Decoded spans point into the caller's
 * input buffer, which must outlive the decoded struct.
 *
 * The protocol-specific decoders (lcp.h, ipcp.h, ipv6cp.h, ccp.h) build on
 * cp_decode(); use those unless you only need the framing.
 */
#ifndef PPTP_CP_H
#define PPTP_CP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "anomaly.h"
#include "cursor.h"

/* Which control protocol a packet belongs to (selects names and anomaly ids). */
typedef enum cp_proto {
    CP_LCP = 0,
    CP_IPCP,
    CP_IPV6CP,
    CP_CCP,
    CP_PROTO_COUNT
} cp_proto;

/* Codes (one number space; which are valid depends on the protocol). */
enum cp_code {
    CP_CONF_REQ = 1,
    CP_CONF_ACK = 2,
    CP_CONF_NAK = 3,
    CP_CONF_REJ = 4,
    CP_TERM_REQ = 5,
    CP_TERM_ACK = 6,
    CP_CODE_REJ = 7,
    CP_PROTO_REJ = 8,       /* LCP only */
    CP_ECHO_REQ = 9,        /* LCP only */
    CP_ECHO_REPLY = 10,     /* LCP only */
    CP_DISCARD_REQ = 11,    /* LCP only */
    CP_IDENTIFICATION = 12, /* LCP only, RFC 1570 */
    CP_TIME_REMAINING = 13, /* LCP only, RFC 1570 */
    CP_RESET_REQ = 14,      /* CCP only, RFC 1962 */
    CP_RESET_ACK = 15,      /* CCP only, RFC 1962 */
};

#define CP_HEADER_LEN 4
#define CP_MAX_OPTIONS 32 /* options kept per packet; more set too_many_options */
#define CP_OPTION_MAX_VALUE 253

/* One option as on the wire.  val points at vlen bytes (in the decoded input, or
 * in caller memory when encoding).  known: the protocol decoder stored this option
 * in a typed field (encoders then skip it in the raw list: see lcp_encode). */
typedef struct cp_option {
    uint8_t type;
    uint8_t vlen; /* value length = wire Length - 2 */
    bool known;
    const uint8_t *val;
} cp_option;

typedef struct cp_option_list {
    uint8_t count;     /* entries used in opt[] */
    bool overflow;     /* more than CP_MAX_OPTIONS options were present */
    cp_option opt[CP_MAX_OPTIONS];
} cp_option_list;

/* A decoded control-protocol packet (framing only). */
typedef struct cp_packet {
    uint8_t code;
    uint8_t id;
    uint16_t length;       /* Length field as received (encoders compute their own) */
    bool body_cut;         /* the capture ended before Length bytes: body is a prefix */
    size_t trailing;       /* bytes after Length (padding), consumed */
    const uint8_t *body;   /* bytes after the header, up to Length (as captured) */
    size_t body_len;
    cp_option_list options; /* Configure-*: every option, wire order */
} cp_packet;

/* Kinds of framing anomaly; each protocol has its own named id for each kind
 * (e.g. CP_AN_OPTION_BAD_LENGTH of LCP is "ppp.lcp.option_bad_length"). */
typedef enum cp_anomaly_kind {
    CP_AN_BAD_LENGTH = 0,     /* Length field < 4 (malformed) */
    CP_AN_LENGTH_OVERRUN,     /* Length beyond an exact (authoritative) frame end (malformed) */
    CP_AN_TRAILING_BYTES,     /* padding after Length (legal, noted) */
    CP_AN_UNKNOWN_CODE,       /* code not defined for this protocol */
    CP_AN_SHORT_BODY,         /* body too short for the code's fixed fields (malformed) */
    CP_AN_OPTION_BAD_LENGTH,  /* option Length < 2 (malformed) */
    CP_AN_OPTION_TRUNCATED,   /* option runs past the packet's Length (malformed) */
    CP_AN_TOO_MANY_OPTIONS,   /* more than CP_MAX_OPTIONS options (rest validated, not kept) */
    CP_AN_OPTION_BAD_SIZE,    /* known option with a length wrong for its type (kept raw) */
    CP_AN_DUPLICATE_OPTION,   /* known option repeated (first one typed, rest kept raw) */
    CP_AN_KIND_COUNT
} cp_anomaly_kind;

/* Anomaly id of kind k for protocol p; ANOMALY_NONE when out of range. */
anomaly_id cp_anomaly(cp_proto p, cp_anomaly_kind k);

/* Short protocol name: "lcp", "ipcp", "ipv6cp", "ccp"; "unknown" when out of range. */
const char *cp_proto_name(cp_proto p);
/* PPP protocol number of p (LCP 0xc021, IPCP 0x8021, IPV6CP 0x8057, CCP 0x80fd);
 * 0 when out of range. */
uint16_t cp_proto_number(cp_proto p);
/* Whether code is defined for protocol p (LCP 1-13, IPCP/IPV6CP 1-7, CCP 1-7,14,15). */
bool cp_code_valid(cp_proto p, uint8_t code);
/* RFC name of a code ("Configure-Request", "Reset-Ack"...), "unknown" when the code
 * is not defined for protocol p.  Never NULL. */
const char *cp_code_name(cp_proto p, uint8_t code);
/* Whether code carries an option list (Configure-Request/Ack/Nak/Reject). */
static inline bool cp_code_has_options(uint8_t code) { return code >= CP_CONF_REQ && code <= CP_CONF_REJ; }

/*
 * Decode one packet from c (positioned at Code); consumes the whole rest of c
 * (packet plus padding).  Fills p (zeroed first); for Configure-* codes parses the
 * option list into p->options.  Adds framing anomalies of protocol proto to an
 * (may be NULL).
 * Returns DEC_OK; DEC_TRUNCATED when c is open ended and ran out (the header is
 * incomplete, or Length exceeds the captured bytes: then p->body_cut is set and the
 * complete options present are still decoded); DEC_MALFORMED when Length < 4, an
 * option's Length < 2 or runs past the packet, or Length exceeds an exact c.
 * p's spans point into c's data (not owned).
 */
dec_status cp_decode(cursor *c, cp_proto proto, cp_packet *p, anomaly_set *an);

/*
 * Parse an option list filling all of body (one packet's Data) into l (zeroed
 * first).  body open ended: running out means DEC_TRUNCATED; exact: an option
 * longer than what remains is DEC_MALFORMED.  Complete options before the failure
 * are kept.  Anomalies are those of protocol proto.  Spans point into body.
 */
dec_status cp_decode_options(cursor *body, cp_proto proto, cp_option_list *l, anomaly_set *an);

/* A cursor over p's captured body: exact, or open ended when p->body_cut. */
void cp_body_cursor(const cp_packet *p, cursor *c);

/* Index of the first option of type t in l, or -1. */
int cp_find_option(const cp_option_list *l, uint8_t type);

/* ---- encoding -------------------------------------------------------------- */

/* Start a packet: writes Code, Identifier and a zero Length placeholder.  Returns
 * the packet's start offset in w, to hand to cp_finish(). */
size_t cp_encode_header(wbuf *w, uint8_t code, uint8_t id);
/* Back-patch the Length of the packet started at start to cover everything written
 * since.  Returns false (and marks w overflowed) when the packet exceeds 65535
 * bytes, else wbuf_ok(w). */
bool cp_finish(wbuf *w, size_t start);
/* Append one option type, vlen + 2, val[0..vlen).  val may be NULL when vlen is 0.
 * Returns false (marks w overflowed) when vlen > 253, else wbuf_ok(w). */
bool cp_put_option(wbuf *w, uint8_t type, const void *val, size_t vlen);
/* Begin an option whose value the caller writes next: writes type and a length
 * placeholder, returns the option's start offset for cp_option_end(). */
size_t cp_option_begin(wbuf *w, uint8_t type);
/* Back-patch the option Length.  false (marks w overflowed) when over 255 bytes. */
bool cp_option_end(wbuf *w, size_t start);
/* Append the options of l in order; with unknown_only, those with known == false
 * only.  Returns wbuf_ok(w) (false also when an option is invalid). */
bool cp_put_options(wbuf *w, const cp_option_list *l, bool unknown_only);
/*
 * Encode p generically: Code, Identifier, computed Length, then for Configure-*
 * codes every option of p->options (wire order, known or not) and otherwise
 * p->body[0..body_len).  p->length, body_cut and trailing are ignored.  Use this
 * to echo a received option list verbatim (a Configure-Ack must).  Returns
 * wbuf_ok(w); w's content past its old length is unspecified on failure.
 */
bool cp_encode(wbuf *w, const cp_packet *p);

/* Append an option to l (encoder input); false when l is full. */
bool cp_option_list_add(cp_option_list *l, uint8_t type, const void *val, size_t vlen);

#endif
