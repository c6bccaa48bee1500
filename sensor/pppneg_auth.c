/*
 * pppneg_auth.c - the authentication phase of a call: PAP (RFC 1334), CHAP-MD5
 * (RFC 1994), MS-CHAP v1/v2 (RFC 2433, RFC 2759) and EAP (RFC 3748).
 *
 * Roles come from the message codes (the authenticatee sends Authenticate-
 * Request / Response, the authenticator Challenge / Ack / Nak / Success /
 * Failure), not from the frame direction, so a partial session whose client
 * was guessed wrong is still read right.  What is kept: the user name as sent
 * (never a password: the PAP password is decoded into a `secret` and wiped at
 * once), the outcome, the MS-CHAP error code, retry flag and message text
 * (only the M= part: never the challenge, the response or the authenticator
 * response).  Attempts and outcomes: docs/ppp-negotiation.md.
 */
#include <string.h>

#include "chap.h"
#include "eap.h"
#include "lcp.h"
#include "mschap.h"
#include "pap.h"
#include "pppneg_int.h"
#include "secret.h"

/* ---- attempts and outcomes --------------------------------------------------- */

static void new_attempt(struct pppneg *n)
{
    if (n->auth_attempts < UINT16_MAX)
        n->auth_attempts++;
    n->auth_state = PPPNEG_AUTH_STATE_IN_PROGRESS;
    n->auth_error = 0;
    n->auth_retry = 0;
    n->auth_flags &= (uint8_t) ~(PPPNEG_AF_RETRY_KNOWN | PPPNEG_AF_REQ_ID);
    n->auth_message[0] = '\0';
}

/* PAP, CHAP (any algorithm) or EAP. */
static int method_family(uint8_t m)
{
    switch (m) {
    case PPPNEG_AUTH_CHAP_MD5:
    case PPPNEG_AUTH_MSCHAPV1:
    case PPPNEG_AUTH_MSCHAPV2:
    case PPPNEG_AUTH_CHAP:
        return PPPNEG_AUTH_CHAP;
    default:
        return m;
    }
}

/* Record the method of an auth frame.  When the protocol changes (PAP after
 * CHAP...), identifiers of the previous protocol mean nothing any more. */
static void set_method(struct pppneg *n, uint8_t m)
{
    if (method_family(n->auth_method) != method_family(m)) {
        n->auth_flags &= (uint8_t) ~(PPPNEG_AF_REQ_ID | PPPNEG_AF_OUT_ID);
        if (n->auth_state == PPPNEG_AUTH_STATE_IN_PROGRESS)
            n->auth_state = PPPNEG_AUTH_STATE_NONE; /* that attempt was abandoned */
    }
    n->auth_method = m;
}

/* The authenticatee sent a request/response with identifier id. */
static void attempt(struct pppneg *n, uint8_t id)
{
    if (n->auth_state == PPPNEG_AUTH_STATE_IN_PROGRESS)
        return; /* retransmission, or the next message of the same attempt */
    if (n->auth_state != PPPNEG_AUTH_STATE_NONE && (n->auth_flags & PPPNEG_AF_REQ_ID) && n->auth_req_id == id)
        return; /* retransmission of a request that was already answered */
    new_attempt(n);
    n->auth_req_id = id;
    n->auth_flags |= PPPNEG_AF_REQ_ID;
}

/* The authenticator sent an outcome with identifier id.  Returns false for a
 * duplicate of the outcome already recorded (nothing to report). */
static bool outcome_begin(struct pppneg *n, uint8_t id)
{
    if (n->auth_state == PPPNEG_AUTH_STATE_IN_PROGRESS)
        return true;
    if (n->auth_state != PPPNEG_AUTH_STATE_NONE && (n->auth_flags & PPPNEG_AF_OUT_ID) && n->auth_out_id == id)
        return false;
    new_attempt(n); /* an attempt whose request the capture did not show */
    return true;
}

static unsigned outcome_end(struct pppneg *n, uint8_t id, bool ok)
{
    n->auth_state = ok ? PPPNEG_AUTH_STATE_SUCCESS : PPPNEG_AUTH_STATE_FAILURE;
    if (!ok && n->auth_failures < UINT16_MAX)
        n->auth_failures++;
    n->auth_out_id = id;
    n->auth_flags |= PPPNEG_AF_OUT_ID;
    return ok ? PPPNEG_DUE_AUTH_SUCCESS : PPPNEG_DUE_AUTH_FAILURE;
}

static void set_message(struct pppneg *n, const void *p, size_t len)
{
    pppneg_copy_text(n->auth_message, sizeof n->auth_message, p, len);
}

static void set_user(struct pppneg *n, const void *p, size_t len)
{
    char tmp[PPPNEG_USER_MAX];
    pppneg_copy_user(tmp, sizeof tmp, p, len);
    if (tmp[0])
        memcpy(n->user, tmp, sizeof n->user);
}

/* E=, R=, M= of an MS-CHAP Failure text (never C=). */
static void set_failure(struct pppneg *n, const mschap_failure *f)
{
    if (f->has_error)
        n->auth_error = (uint16_t)(f->error > UINT16_MAX ? UINT16_MAX : f->error);
    if (f->has_retry) {
        n->auth_retry = f->retry == 1;
        n->auth_flags |= PPPNEG_AF_RETRY_KNOWN;
    }
    if (f->has_message)
        set_message(n, f->message, strlen(f->message));
}

/* ---- PAP -------------------------------------------------------------------- */

static unsigned pap_frame(struct pppneg *n, cursor *info, anomaly_set *an)
{
    pap_msg m;
    dec_status st = pap_decode(info, &m, an);
    secret_wipe(&m.password); /* never kept */
    if (st != DEC_OK)
        return 0;
    set_method(n, PPPNEG_AUTH_PAP);
    switch (m.code) {
    case PAP_AUTH_REQ:
        set_user(n, m.peer_id, strlen(m.peer_id));
        attempt(n, m.id);
        return 0;
    case PAP_AUTH_ACK:
    case PAP_AUTH_NAK:
        if (!outcome_begin(n, m.id))
            return 0;
        set_message(n, m.message, strlen(m.message));
        return outcome_end(n, m.id, m.code == PAP_AUTH_ACK);
    default:
        return 0;
    }
}

/* ---- CHAP / MS-CHAP ---------------------------------------------------------- */

static chap_alg chap_algorithm(struct pppneg *n, const chap_msg *m)
{
    /* The algorithm LCP agreed (normally the server asks), else what the wire showed. */
    for (int side = PPPNEG_SERVER; side >= PPPNEG_CLIENT; side--)
        if (n->lcp[side].auth_proto == LCP_AUTH_CHAP && n->lcp[side].auth_alg)
            return (chap_alg)n->lcp[side].auth_alg;
    if (n->chap_alg)
        return (chap_alg)n->chap_alg;
    chap_alg a = mschap_guess_alg(m);
    if (a == CHAP_ALG_UNKNOWN && m->code == CHAP_RESPONSE && m->value_size == 16)
        a = CHAP_ALG_MD5; /* an MD5 digest */
    n->chap_alg = (uint8_t)a;
    return a;
}

static uint8_t chap_method(chap_alg a)
{
    switch (a) {
    case CHAP_ALG_MD5:
        return PPPNEG_AUTH_CHAP_MD5;
    case CHAP_ALG_MSCHAP:
        return PPPNEG_AUTH_MSCHAPV1;
    case CHAP_ALG_MSCHAPV2:
        return PPPNEG_AUTH_MSCHAPV2;
    default:
        return PPPNEG_AUTH_CHAP;
    }
}

static bool all_zero(const uint8_t *p, size_t n)
{
    for (size_t i = 0; i < n; i++)
        if (p[i])
            return false;
    return true;
}

static unsigned chap_frame(struct pppneg *n, cursor *info, anomaly_set *an)
{
    chap_msg m;
    if (chap_decode(info, &m, an) != DEC_OK)
        return 0;
    chap_alg alg = chap_algorithm(n, &m);
    bool ms = alg == CHAP_ALG_MSCHAP || alg == CHAP_ALG_MSCHAPV2;
    set_method(n, chap_method(alg));
    mschap_info mi;
    dec_status mst = ms ? mschap_interpret(&m, alg, &mi, an) : DEC_OK;
    unsigned due = 0;
    switch (m.code) {
    case CHAP_RESPONSE:
        set_user(n, m.name, m.name_len);
        attempt(n, m.id);
        if (alg == CHAP_ALG_MSCHAP && mst == DEC_OK && mi.kind == MSCHAP_KIND_RESPONSE_V1 &&
            !all_zero(mi.v1.lm_response, sizeof mi.v1.lm_response))
            n->auth_lm_response = 1;
        break;
    case MSCHAP_CHANGE_PASSWORD_V1:
    case MSCHAP_CHANGE_PASSWORD_V2:
    case MSCHAPV2_CHANGE_PASSWORD:
        if (ms)
            attempt(n, m.id);
        break;
    case CHAP_SUCCESS:
        if (!outcome_begin(n, m.id))
            break;
        if (alg == CHAP_ALG_MSCHAPV2) {
            /* "S=<authenticator response> M=<text>": only the text */
            if (mst == DEC_OK && mi.kind == MSCHAP_KIND_SUCCESS_V2 && mi.success.has_message)
                set_message(n, mi.success.message, strlen(mi.success.message));
        } else {
            set_message(n, m.message, m.message_len);
        }
        due = outcome_end(n, m.id, true);
        break;
    case CHAP_FAILURE: {
        if (!outcome_begin(n, m.id))
            break;
        if (ms) {
            if (mst == DEC_OK && mi.kind == MSCHAP_KIND_FAILURE)
                set_failure(n, &mi.failure);
        } else {
            /* Plain CHAP: free text, unless it is in the MS-CHAP form after all
             * (then keep only E/R/M, never C=). */
            mschap_failure f;
            if (mschap_failure_parse(m.message, m.message_len, &f, NULL) == DEC_OK)
                set_failure(n, &f);
            else
                set_message(n, m.message, m.message_len);
        }
        due = outcome_end(n, m.id, false);
        break;
    }
    default:
        break;
    }
    memset(&mi, 0, sizeof mi); /* challenge/response copies */
    return due;
}

/* ---- EAP -------------------------------------------------------------------- */

static bool eap_is_method(uint8_t type)
{
    return type != EAP_TYPE_IDENTITY && type != EAP_TYPE_NOTIFICATION && type != EAP_TYPE_NAK && type != 0;
}

static unsigned eap_frame(struct pppneg *n, cursor *info, anomaly_set *an)
{
    eap_msg m;
    if (eap_decode(info, &m, an) != DEC_OK)
        return 0;
    set_method(n, PPPNEG_AUTH_EAP);
    switch (m.code) {
    case EAP_REQUEST:
        if (!eap_is_method(m.type))
            return 0;
        n->eap_type = m.type;
        if (m.type == EAP_TYPE_MSCHAPV2 && m.ms_opcode == EAP_MSCHAPV2_FAILURE) {
            mschap_failure f;
            if (mschap_failure_parse(m.ms_message, m.ms_message_len, &f, an) == DEC_OK)
                set_failure(n, &f);
        } else if (m.type == EAP_TYPE_MSCHAPV2 && m.ms_opcode == EAP_MSCHAPV2_SUCCESS) {
            mschapv2_success s;
            if (mschapv2_success_parse(m.ms_message, m.ms_message_len, &s, an) == DEC_OK && s.has_message)
                set_message(n, s.message, strlen(s.message));
            memset(&s, 0, sizeof s);
        }
        return 0;
    case EAP_RESPONSE:
        if (m.type == EAP_TYPE_IDENTITY) {
            set_user(n, m.text, m.text_len);
            attempt(n, m.id);
        } else if (eap_is_method(m.type)) {
            if (!n->user[0] && m.name_len)
                set_user(n, m.name, m.name_len);
            attempt(n, m.id);
        }
        return 0;
    case EAP_SUCCESS:
    case EAP_FAILURE:
        if (!outcome_begin(n, m.id))
            return 0;
        return outcome_end(n, m.id, m.code == EAP_SUCCESS);
    default:
        return 0;
    }
}

unsigned pppneg_auth_frame(struct pppneg *n, int dir, enum ppp_kind kind, cursor *info, anomaly_set *an)
{
    (void)dir; /* roles come from the codes: see the file comment */
    switch (kind) {
    case PPP_KIND_PAP:
        return pap_frame(n, info, an);
    case PPP_KIND_CHAP:
        return chap_frame(n, info, an);
    case PPP_KIND_EAP:
        return eap_frame(n, info, an);
    default:
        return 0;
    }
}
