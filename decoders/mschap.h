/*
 * mschap.h - the Microsoft CHAP dialects carried in CHAP packets (chap.h):
 *   MS-CHAP v1, RFC 2433: 8-octet challenge; 49-octet response
 *       (24 LM-Response, 24 NT-Response, 1 use-NT flag); Failure text
 *       "E=e R=r C=<16 hex> V=v"; Change-Password packets code 5 (section 9,
 *       Length 72) and code 6 (section 10, Length 1118).
 *   MS-CHAP v2, RFC 2759: 16-octet challenge; 49-octet response
 *       (16 Peer-Challenge, 8 reserved zero, 24 NT-Response, 1 flags zero);
 *       Success text "S=<40 hex> M=<msg>" (section 5); Failure text
 *       "E=e R=r C=<32 hex> V=v M=<msg>" (section 6); Change-Password code 7
 *       (section 7, Length 586).
 * Plus the MS-CHAP error code names and the DOMAIN\user split used for events.
 *
 * All parsers take (pointer, length) spans, usually pointing into a chap_msg
 * that chap_decode() produced; none of them calls another protocol's decoder.
 */
#ifndef PPTP_MSCHAP_H
#define PPTP_MSCHAP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "anomaly.h"
#include "chap.h"
#include "cursor.h"

#define MSCHAPV1_CHALLENGE_LEN 8
#define MSCHAPV2_CHALLENGE_LEN 16
#define MSCHAP_RESPONSE_LEN 49
#define MSCHAP_NT_RESPONSE_LEN 24
#define MSCHAPV2_AUTH_RESPONSE_LEN 20 /* binary form of the 40 hex digits after S= */
#define MSCHAP_MSG_MAX 256            /* bounded copy of M= text */

/* Change-Password body sizes (packet Length minus the 4-byte header). */
#define MSCHAP_CPW1_BODY_LEN 68    /* code 5, Length 72 */
#define MSCHAP_CPW2_BODY_LEN 1114  /* code 6, Length 1118 */
#define MSCHAPV2_CPW_BODY_LEN 582  /* code 7, Length 586 */
#define MSCHAP_ENC_PW_LEN 516      /* encrypted password block (256 UTF-16 chars + length) */

/* MS-CHAP error codes in Failure "E=" (RFC 2433 section 8, RFC 2759 section 6). */
enum mschap_error {
    MSCHAP_ERROR_RESTRICTED_LOGON_HOURS = 646,
    MSCHAP_ERROR_ACCT_DISABLED = 647,
    MSCHAP_ERROR_PASSWD_EXPIRED = 648,
    MSCHAP_ERROR_NO_DIALIN_PERMISSION = 649,
    MSCHAP_ERROR_AUTHENTICATION_FAILURE = 691,
    MSCHAP_ERROR_CHANGING_PASSWORD = 709,
};

/* MS-CHAPv1 Response value (RFC 2433 section 6). */
typedef struct mschapv1_response {
    uint8_t lm_response[24];
    uint8_t nt_response[24];
    uint8_t use_nt; /* 1: use the NT-Response; 0: the LM-Response */
} mschapv1_response;

/* MS-CHAPv2 Response value (RFC 2759 section 4). */
typedef struct mschapv2_response {
    uint8_t peer_challenge[16];
    uint8_t reserved[8]; /* must be zero */
    uint8_t nt_response[24];
    uint8_t flags;       /* must be zero */
} mschapv2_response;

/* MS-CHAPv2 Success message (RFC 2759 section 5). */
typedef struct mschapv2_success {
    uint8_t auth_response[MSCHAPV2_AUTH_RESPONSE_LEN]; /* the S= value as bytes */
    bool has_message;
    char message[MSCHAP_MSG_MAX]; /* M= text, NUL terminated, cut to size */
    size_t message_len;           /* true length of the M= text */
} mschapv2_success;

/* MS-CHAP Failure message (RFC 2433 section 8, RFC 2759 section 6). */
typedef struct mschap_failure {
    bool has_error, has_retry, has_challenge, has_version, has_message;
    uint32_t error;        /* E=, decimal (691 ...) */
    uint32_t retry;        /* R=, 1 when a retry is allowed */
    uint8_t challenge_len; /* C=: 8 (v1) or 16 (v2) bytes */
    uint8_t challenge[16];
    uint32_t version;      /* V=, decimal (3 for MS-CHAPv2) */
    char message[MSCHAP_MSG_MAX]; /* M= text (v2) */
    size_t message_len;
} mschap_failure;

/* Code 5: Change Password Packet version 1 (RFC 2433 section 9). */
typedef struct mschap_cpw1 {
    uint8_t enc_lm_old[16];
    uint8_t enc_lm_new[16];
    uint8_t enc_nt_old[16];
    uint8_t enc_nt_new[16];
    uint16_t new_password_len;
    uint16_t flags; /* 0x0001: use the NT fields */
} mschap_cpw1;

/* Code 6: Change Password Packet version 2 (RFC 2433 section 10).  The two
 * 516-octet blocks point into the input (decode) or the caller's memory (encode). */
typedef struct mschap_cpw2 {
    const uint8_t *pw_enc_old_nt;    /* MSCHAP_ENC_PW_LEN bytes */
    uint8_t old_nt_hash_enc_new_nt[16];
    const uint8_t *pw_enc_old_lm;    /* MSCHAP_ENC_PW_LEN bytes */
    uint8_t old_lm_hash_enc_new_nt[16];
    uint8_t lm_response[24];
    uint8_t nt_response[24];
    uint16_t flags; /* 0x0001: use the NT-Response; 0x0002: the LM blocks are valid */
} mschap_cpw2;

/* Code 7: MS-CHAPv2 Change-Password (RFC 2759 section 7). */
typedef struct mschapv2_cpw {
    const uint8_t *enc_password;     /* MSCHAP_ENC_PW_LEN bytes */
    uint8_t enc_hash[16];
    uint8_t peer_challenge[16];
    uint8_t reserved[8];
    uint8_t nt_response[24];
    uint16_t flags;
} mschapv2_cpw;

/* ---- value formats --------------------------------------------------------- */

/* Split a 49-byte MS-CHAPv1 Response value.  Returns false (out untouched) when
 * len != 49. Adds mschap.lm_response when use_nt is 0 (an may be NULL). */
bool mschapv1_response_parse(const uint8_t *val, size_t len, mschapv1_response *out, anomaly_set *an);
/* Split a 49-byte MS-CHAPv2 Response value.  Returns false when len != 49.
 * Adds mschapv2.reserved_nonzero / mschapv2.flags_nonzero. */
bool mschapv2_response_parse(const uint8_t *val, size_t len, mschapv2_response *out, anomaly_set *an);
/* Append the 49-byte value. Return wbuf_ok(w). */
bool mschapv1_response_encode(wbuf *w, const mschapv1_response *r);
bool mschapv2_response_encode(wbuf *w, const mschapv2_response *r);

/* ---- Success / Failure text ------------------------------------------------ */

/* Parse "S=<40 hex> M=<msg>" (leading/extra spaces tolerated, hex in either
 * case, M= optional).  Ownership: copies into *out.
 * Failure: DEC_MALFORMED (+ mschap.bad_success_message) when S= is missing, not
 * 40 hex digits, or followed by something other than a space; *out is then
 * zeroed.  Text after S= that is not M= adds the anomaly but still returns DEC_OK. */
dec_status mschapv2_success_parse(const uint8_t *msg, size_t len, mschapv2_success *out, anomaly_set *an);
/* Append "S=<40 upper-case hex>" and, when has_message, " M=<message>". */
bool mschapv2_success_encode(wbuf *w, const mschapv2_success *s);

/* Parse "E=eeee R=r C=<hex> V=vvvv M=<msg>" (fields in any order, separated by
 * one or more spaces; M= takes the rest of the text).  C= must be 16 or 32 hex
 * digits.  Unknown keys are skipped (+ mschap.bad_failure_message).
 * Failure: DEC_MALFORMED (+ mschap.bad_failure_message) when E= is missing or
 * a number/hex value is bad or a token has no '='.  Adds mschap.unknown_error
 * when E= is not one of the RFC codes. */
dec_status mschap_failure_parse(const uint8_t *msg, size_t len, mschap_failure *out, anomaly_set *an);
/* Append the present fields in RFC order "E=.. R=.. C=.. V=.. M=..". */
bool mschap_failure_encode(wbuf *w, const mschap_failure *f);

/* ---- Change-Password bodies (the chap_msg data span) ------------------------ */

/* Each decode wants exactly the body length of its code; else DEC_MALFORMED. */
dec_status mschap_cpw1_decode(const uint8_t *body, size_t len, mschap_cpw1 *out);
dec_status mschap_cpw2_decode(const uint8_t *body, size_t len, mschap_cpw2 *out);
dec_status mschapv2_cpw_decode(const uint8_t *body, size_t len, mschapv2_cpw *out);
/* Append the body (without the CHAP header).  NULL block pointers write zeros. */
bool mschap_cpw1_encode(wbuf *w, const mschap_cpw1 *p);
bool mschap_cpw2_encode(wbuf *w, const mschap_cpw2 *p);
bool mschapv2_cpw_encode(wbuf *w, const mschapv2_cpw *p);

/* ---- whole-packet view ----------------------------------------------------- */

typedef enum mschap_kind {
    MSCHAP_KIND_NONE = 0,   /* not interpreted (alg not MS-CHAP, or unknown code) */
    MSCHAP_KIND_CHALLENGE,  /* challenge[challenge_len] */
    MSCHAP_KIND_RESPONSE_V1,
    MSCHAP_KIND_RESPONSE_V2,
    MSCHAP_KIND_SUCCESS_V1, /* free text: the chap_msg message span */
    MSCHAP_KIND_SUCCESS_V2,
    MSCHAP_KIND_FAILURE,
    MSCHAP_KIND_CPW1,
    MSCHAP_KIND_CPW2,
    MSCHAP_KIND_CPW_V2,
} mschap_kind;

typedef struct mschap_info {
    mschap_kind kind;
    uint8_t challenge_len;
    uint8_t challenge[16];
    mschapv1_response v1;
    mschapv2_response v2;
    mschapv2_success success;
    mschap_failure failure;
    mschap_cpw1 cpw1;
    mschap_cpw2 cpw2;
    mschapv2_cpw cpw_v2;
} mschap_info;

/* Interpret a decoded CHAP packet as MS-CHAP (alg CHAP_ALG_MSCHAP) or MS-CHAPv2
 * (CHAP_ALG_MSCHAPV2).  Other algs give kind NONE and DEC_OK.
 * Ownership: cpw2/cpw_v2 block pointers point into m's buffer.
 * Failure: DEC_MALFORMED when the value size is wrong for a Response (+
 * mschap.bad_value_size), the Success/Failure text is malformed, or a
 * Change-Password body has the wrong length (+ mschap.bad_change_password_length).
 * A Challenge of the wrong size only adds mschap.bad_value_size. */
dec_status mschap_interpret(const chap_msg *m, chap_alg alg, mschap_info *out, anomaly_set *an);

/* Best guess of the dialect from one packet when LCP was not seen:
 * an 8-byte challenge or a 49-byte response with flag 1 -> CHAP_ALG_MSCHAP;
 * a 49-byte response with flag 0 and zero reserved octets, "S=" success, or a
 * failure with a 32-hex C= -> CHAP_ALG_MSCHAPV2; otherwise CHAP_ALG_UNKNOWN. */
chap_alg mschap_guess_alg(const chap_msg *m);

/* ---- names ----------------------------------------------------------------- */

/* "ERROR_AUTHENTICATION_FAILURE" style RFC constant name, or "unknown". */
const char *mschap_error_name(uint32_t code);
/* Human text: "authentication failure", "account disabled", ... or "unknown". */
const char *mschap_error_desc(uint32_t code);

/* Split the NUL-terminated "DOMAIN\user" at the last backslash (as pppd does) into
 * domain and user (both NUL terminated, cut to their sizes; sizes must be > 0).  Without a
 * backslash domain is "" and user is the whole name.  Returns true when a domain
 * part was present.  (RFC 2759 hashes only the user part.) */
bool auth_split_user(const char *name, char *domain, size_t domain_size, char *user, size_t user_size);

#endif
