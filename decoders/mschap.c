/* mschap.c - MS-CHAP v1 (RFC 2433) and v2 (RFC 2759) value formats,
 * Change-Password packets, the whole-packet view and the user name split; see
 * mschap.h.  The Success/Failure text is in mschap_text.c. */
#include "mschap.h"

#include <string.h>

#include "auth_util.h"

/* ---- value formats --------------------------------------------------------- */

bool mschapv1_response_parse(const uint8_t *val, size_t len, mschapv1_response *out, anomaly_set *an)
{
    if (len != MSCHAP_RESPONSE_LEN || !val)
        return false;
    cursor c;
    cursor_init_exact(&c, val, len);
    cursor_get_bytes(&c, out->lm_response, sizeof out->lm_response);
    cursor_get_bytes(&c, out->nt_response, sizeof out->nt_response);
    cursor_get_u8(&c, &out->use_nt);
    if (out->use_nt == 0)
        anomaly_add(an, ANOMALY_MSCHAP_LM_RESPONSE);
    return true;
}

static bool all_zero(const uint8_t *p, size_t n)
{
    uint8_t acc = 0;
    for (size_t i = 0; i < n; i++)
        acc |= p[i];
    return acc == 0;
}

bool mschapv2_response_parse(const uint8_t *val, size_t len, mschapv2_response *out, anomaly_set *an)
{
    if (len != MSCHAP_RESPONSE_LEN || !val)
        return false;
    cursor c;
    cursor_init_exact(&c, val, len);
    cursor_get_bytes(&c, out->peer_challenge, sizeof out->peer_challenge);
    cursor_get_bytes(&c, out->reserved, sizeof out->reserved);
    cursor_get_bytes(&c, out->nt_response, sizeof out->nt_response);
    cursor_get_u8(&c, &out->flags);
    if (!all_zero(out->reserved, sizeof out->reserved))
        anomaly_add(an, ANOMALY_MSCHAPV2_RESERVED_NONZERO);
    if (out->flags)
        anomaly_add(an, ANOMALY_MSCHAPV2_FLAGS_NONZERO);
    return true;
}

bool mschapv1_response_encode(wbuf *w, const mschapv1_response *r)
{
    wbuf_put_bytes(w, r->lm_response, sizeof r->lm_response);
    wbuf_put_bytes(w, r->nt_response, sizeof r->nt_response);
    wbuf_put_u8(w, r->use_nt);
    return wbuf_ok(w);
}

bool mschapv2_response_encode(wbuf *w, const mschapv2_response *r)
{
    wbuf_put_bytes(w, r->peer_challenge, sizeof r->peer_challenge);
    wbuf_put_bytes(w, r->reserved, sizeof r->reserved);
    wbuf_put_bytes(w, r->nt_response, sizeof r->nt_response);
    wbuf_put_u8(w, r->flags);
    return wbuf_ok(w);
}

/* ---- Change-Password bodies -------------------------------------------------- */

dec_status mschap_cpw1_decode(const uint8_t *body, size_t len, mschap_cpw1 *out)
{
    if (len != MSCHAP_CPW1_BODY_LEN || !body)
        return DEC_MALFORMED;
    cursor c;
    cursor_init_exact(&c, body, len);
    cursor_get_bytes(&c, out->enc_lm_old, 16);
    cursor_get_bytes(&c, out->enc_lm_new, 16);
    cursor_get_bytes(&c, out->enc_nt_old, 16);
    cursor_get_bytes(&c, out->enc_nt_new, 16);
    cursor_get_be16(&c, &out->new_password_len);
    cursor_get_be16(&c, &out->flags);
    return cursor_status(&c);
}

dec_status mschap_cpw2_decode(const uint8_t *body, size_t len, mschap_cpw2 *out)
{
    if (len != MSCHAP_CPW2_BODY_LEN || !body)
        return DEC_MALFORMED;
    cursor c;
    cursor_init_exact(&c, body, len);
    cursor_get_span(&c, MSCHAP_ENC_PW_LEN, &out->pw_enc_old_nt);
    cursor_get_bytes(&c, out->old_nt_hash_enc_new_nt, 16);
    cursor_get_span(&c, MSCHAP_ENC_PW_LEN, &out->pw_enc_old_lm);
    cursor_get_bytes(&c, out->old_lm_hash_enc_new_nt, 16);
    cursor_get_bytes(&c, out->lm_response, 24);
    cursor_get_bytes(&c, out->nt_response, 24);
    cursor_get_be16(&c, &out->flags);
    return cursor_status(&c);
}

dec_status mschapv2_cpw_decode(const uint8_t *body, size_t len, mschapv2_cpw *out)
{
    if (len != MSCHAPV2_CPW_BODY_LEN || !body)
        return DEC_MALFORMED;
    cursor c;
    cursor_init_exact(&c, body, len);
    cursor_get_span(&c, MSCHAP_ENC_PW_LEN, &out->enc_password);
    cursor_get_bytes(&c, out->enc_hash, 16);
    cursor_get_bytes(&c, out->peer_challenge, 16);
    cursor_get_bytes(&c, out->reserved, 8);
    cursor_get_bytes(&c, out->nt_response, 24);
    cursor_get_be16(&c, &out->flags);
    return cursor_status(&c);
}

static void put_block(wbuf *w, const uint8_t *p, size_t n)
{
    if (p)
        wbuf_put_bytes(w, p, n);
    else
        wbuf_put_zeros(w, n);
}

bool mschap_cpw1_encode(wbuf *w, const mschap_cpw1 *p)
{
    wbuf_put_bytes(w, p->enc_lm_old, 16);
    wbuf_put_bytes(w, p->enc_lm_new, 16);
    wbuf_put_bytes(w, p->enc_nt_old, 16);
    wbuf_put_bytes(w, p->enc_nt_new, 16);
    wbuf_put_be16(w, p->new_password_len);
    wbuf_put_be16(w, p->flags);
    return wbuf_ok(w);
}

bool mschap_cpw2_encode(wbuf *w, const mschap_cpw2 *p)
{
    put_block(w, p->pw_enc_old_nt, MSCHAP_ENC_PW_LEN);
    wbuf_put_bytes(w, p->old_nt_hash_enc_new_nt, 16);
    put_block(w, p->pw_enc_old_lm, MSCHAP_ENC_PW_LEN);
    wbuf_put_bytes(w, p->old_lm_hash_enc_new_nt, 16);
    wbuf_put_bytes(w, p->lm_response, 24);
    wbuf_put_bytes(w, p->nt_response, 24);
    wbuf_put_be16(w, p->flags);
    return wbuf_ok(w);
}

bool mschapv2_cpw_encode(wbuf *w, const mschapv2_cpw *p)
{
    put_block(w, p->enc_password, MSCHAP_ENC_PW_LEN);
    wbuf_put_bytes(w, p->enc_hash, 16);
    wbuf_put_bytes(w, p->peer_challenge, 16);
    wbuf_put_bytes(w, p->reserved, 8);
    wbuf_put_bytes(w, p->nt_response, 24);
    wbuf_put_be16(w, p->flags);
    return wbuf_ok(w);
}

/* ---- whole-packet view ------------------------------------------------------- */

static dec_status cpw_status(dec_status st, anomaly_set *an)
{
    if (st != DEC_OK)
        anomaly_add(an, ANOMALY_MSCHAP_BAD_CPW_LENGTH);
    return st;
}

dec_status mschap_interpret(const chap_msg *m, chap_alg alg, mschap_info *out, anomaly_set *an)
{
    memset(out, 0, sizeof *out);
    bool v2 = alg == CHAP_ALG_MSCHAPV2;
    if (alg != CHAP_ALG_MSCHAP && !v2)
        return DEC_OK;
    switch (m->code) {
    case CHAP_CHALLENGE: {
        size_t want = v2 ? MSCHAPV2_CHALLENGE_LEN : MSCHAPV1_CHALLENGE_LEN;
        if (m->value_size != want)
            anomaly_add(an, ANOMALY_MSCHAP_BAD_VALUE_SIZE);
        out->kind = MSCHAP_KIND_CHALLENGE;
        out->challenge_len = m->value_size < sizeof out->challenge ? m->value_size : sizeof out->challenge;
        if (out->challenge_len)
            memcpy(out->challenge, m->value, out->challenge_len);
        return DEC_OK;
    }
    case CHAP_RESPONSE:
        if (m->value_size != MSCHAP_RESPONSE_LEN) {
            anomaly_add(an, ANOMALY_MSCHAP_BAD_VALUE_SIZE);
            return DEC_MALFORMED;
        }
        if (v2) {
            out->kind = MSCHAP_KIND_RESPONSE_V2;
            mschapv2_response_parse(m->value, m->value_size, &out->v2, an);
        } else {
            out->kind = MSCHAP_KIND_RESPONSE_V1;
            mschapv1_response_parse(m->value, m->value_size, &out->v1, an);
        }
        return DEC_OK;
    case CHAP_SUCCESS:
        if (!v2) {
            out->kind = MSCHAP_KIND_SUCCESS_V1;
            return DEC_OK;
        }
        out->kind = MSCHAP_KIND_SUCCESS_V2;
        return mschapv2_success_parse(m->message, m->message_len, &out->success, an);
    case CHAP_FAILURE:
        out->kind = MSCHAP_KIND_FAILURE;
        return mschap_failure_parse(m->message, m->message_len, &out->failure, an);
    case MSCHAP_CHANGE_PASSWORD_V1:
        out->kind = MSCHAP_KIND_CPW1;
        return cpw_status(mschap_cpw1_decode(m->data, m->data_len, &out->cpw1), an);
    case MSCHAP_CHANGE_PASSWORD_V2:
        out->kind = MSCHAP_KIND_CPW2;
        return cpw_status(mschap_cpw2_decode(m->data, m->data_len, &out->cpw2), an);
    case MSCHAPV2_CHANGE_PASSWORD:
        out->kind = MSCHAP_KIND_CPW_V2;
        return cpw_status(mschapv2_cpw_decode(m->data, m->data_len, &out->cpw_v2), an);
    default:
        return DEC_OK;
    }
}

chap_alg mschap_guess_alg(const chap_msg *m)
{
    switch (m->code) {
    case CHAP_CHALLENGE:
        return m->value_size == MSCHAPV1_CHALLENGE_LEN ? CHAP_ALG_MSCHAP : CHAP_ALG_UNKNOWN;
    case CHAP_RESPONSE: {
        mschapv2_response r;
        if (!mschapv2_response_parse(m->value, m->value_size, &r, NULL))
            return CHAP_ALG_UNKNOWN;
        if (r.flags == 1)
            return CHAP_ALG_MSCHAP;
        if (r.flags == 0 && all_zero(r.reserved, sizeof r.reserved))
            return CHAP_ALG_MSCHAPV2;
        return CHAP_ALG_UNKNOWN;
    }
    case CHAP_SUCCESS: {
        mschapv2_success s;
        return mschapv2_success_parse(m->message, m->message_len, &s, NULL) == DEC_OK ? CHAP_ALG_MSCHAPV2
                                                                                     : CHAP_ALG_UNKNOWN;
    }
    case CHAP_FAILURE: {
        mschap_failure f;
        if (mschap_failure_parse(m->message, m->message_len, &f, NULL) != DEC_OK || !f.has_challenge)
            return CHAP_ALG_UNKNOWN;
        return f.challenge_len == MSCHAPV2_CHALLENGE_LEN ? CHAP_ALG_MSCHAPV2 : CHAP_ALG_MSCHAP;
    }
    case MSCHAP_CHANGE_PASSWORD_V1:
    case MSCHAP_CHANGE_PASSWORD_V2:
        return CHAP_ALG_MSCHAP;
    case MSCHAPV2_CHANGE_PASSWORD:
        return CHAP_ALG_MSCHAPV2;
    default:
        return CHAP_ALG_UNKNOWN;
    }
}

/* ---- names ------------------------------------------------------------------- */

bool auth_split_user(const char *name, char *domain, size_t domain_size, char *user, size_t user_size)
{
    const char *bs = strrchr(name, '\\');
    if (!bs) {
        domain[0] = '\0';
        auth_copy_str(user, user_size, (const uint8_t *)name, strlen(name));
        return false;
    }
    auth_copy_str(domain, domain_size, (const uint8_t *)name, (size_t)(bs - name));
    auth_copy_str(user, user_size, (const uint8_t *)(bs + 1), strlen(bs + 1));
    return true;
}
