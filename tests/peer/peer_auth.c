/*
 * peer_auth.c - authentication phase of the PPP engine: PAP (RFC 1334),
 * CHAP-MD5 (RFC 1994), MS-CHAPv1 (RFC 2433), MS-CHAPv2 (RFC 2759) and EAP
 * Identity + MD5-Challenge (RFC 3748), both roles, with the real hashes of
 * decoders/mschap_crypto.h.  See peer_ppp.h.
 *
 * Retries: after a failed attempt the server allows cfg.auth_retries more.
 * MS-CHAP: Failure "E=691 R=1 C=<new challenge>", the client answers the new
 * challenge with Identifier = Failure Identifier + 1 (RFC 2433 section 8,
 * RFC 2759 section 6).  CHAP-MD5: Failure, then a fresh Challenge.  PAP: Nak,
 * the client sends its next Authenticate-Request.  EAP-MD5: a fresh
 * MD5-Challenge instead of EAP-Failure.
 */
#include <stdio.h>
#include <string.h>

#include "chap.h"
#include "eap.h"
#include "mschap.h"
#include "pap.h"
#include "peer_ppp.h"
#include "ppp.h"

static bool is_chap(int m)
{
    return m == PAUTH_CHAP_MD5 || m == PAUTH_MSCHAPV1 || m == PAUTH_MSCHAPV2;
}

static void set_secret(secret *s, const char *pw)
{
    secret_set(s, (const uint8_t *)pw, strlen(pw));
}

static const ppp_user *find_user(const pppe *e, const char *name)
{
    char dom[PPPE_NAME_MAX], user[PPPE_NAME_MAX];
    auth_split_user(name, dom, sizeof dom, user, sizeof user);
    for (int i = 0; i < e->cfg.n_users; i++)
        if (!strcmp(e->cfg.users[i].name, user) || !strcmp(e->cfg.users[i].name, name))
            return &e->cfg.users[i];
    return NULL;
}

/* The user part of a "DOMAIN\user" name (RFC 2759 hashes only that). */
static const char *user_part(const char *name)
{
    const char *b = strrchr(name, '\\');
    return b ? b + 1 : name;
}

static const char *client_password(const pppe *e)
{
    int i = e->auth.attempt < e->cfg.n_attempts ? e->auth.attempt : e->cfg.n_attempts - 1;
    return i >= 0 ? e->cfg.attempts[i] : "";
}

static void auth_done(pppe *e, bool ok)
{
    if (ok) {
        e->auth.state = PA_SUCCESS;
        pppe_emit(e, PPPE_EV_AUTH_OK);
        if (e->phase == PPHASE_AUTH)
            pppe_enter_network(e);
    } else {
        e->auth.state = PA_FAILED;
        pppe_emit(e, PPPE_EV_AUTH_FAIL);
        if (e->role == PPPE_SERVER)
            pppe_close(e, e->now, "Authentication failed");
    }
}

/* ---- CHAP family ---------------------------------------------------------- */

static void send_chap(pppe *e, uint8_t code, uint8_t id, const uint8_t *value, uint8_t vlen, const char *name,
                      const uint8_t *msg, size_t mlen)
{
    chap_msg m;
    memset(&m, 0, sizeof m);
    m.code = code;
    m.id = id;
    m.value_size = vlen;
    m.value = value;
    m.name = (const uint8_t *)name;
    m.name_len = name ? strlen(name) : 0;
    m.message = msg;
    m.message_len = mlen;
    uint8_t buf[1600];
    wbuf w;
    wbuf_init(&w, buf, sizeof buf);
    if (chap_encode(&w, &m))
        pppe_send_proto(e, PPP_PROTO_CHAP, buf, wbuf_len(&w));
}

static size_t challenge_len(int m)
{
    return m == PAUTH_MSCHAPV1 ? 8 : 16;
}

static void send_challenge(pppe *e, uint8_t id)
{
    e->auth.id = id;
    e->auth.chal_len = challenge_len(e->auth_method);
    prng_bytes(&e->rng, e->auth.challenge, e->auth.chal_len);
    e->auth.state = PA_WAIT_PEER;
    send_chap(e, CHAP_CHALLENGE, id, e->auth.challenge, (uint8_t)e->auth.chal_len, e->cfg.auth_name, NULL, 0);
}

/* Client: answer the current challenge with the current password. */
static void send_response(pppe *e)
{
    secret pw;
    set_secret(&pw, client_password(e));
    const char *name = e->cfg.login;
    const char *user = user_part(name);
    uint8_t val[MSCHAP_RESPONSE_LEN];
    uint8_t vlen = 0;
    memset(val, 0, sizeof val);
    if (e->auth_method == PAUTH_CHAP_MD5) {
        chap_md5_response(e->cx, e->auth.id, &pw, e->auth.challenge, e->auth.chal_len, val);
        vlen = 16;
    } else if (e->auth_method == PAUTH_MSCHAPV1) {
        mschapv1_response r;
        memset(&r, 0, sizeof r);
        mschapv1_nt_response(e->cx, e->auth.challenge, &pw, r.nt_response);
        r.use_nt = 1;
        memcpy(e->auth.nt_response, r.nt_response, 24);
        wbuf w;
        wbuf_init(&w, val, sizeof val);
        mschapv1_response_encode(&w, &r);
        vlen = MSCHAP_RESPONSE_LEN;
    } else {
        mschapv2_response r;
        memset(&r, 0, sizeof r);
        prng_bytes(&e->rng, r.peer_challenge, 16);
        mschapv2_generate_nt_response(e->cx, e->auth.challenge, r.peer_challenge, user, strlen(user), &pw,
                                      r.nt_response);
        memcpy(e->auth.peer_challenge, r.peer_challenge, 16);
        memcpy(e->auth.nt_response, r.nt_response, 24);
        wbuf w;
        wbuf_init(&w, val, sizeof val);
        mschapv2_response_encode(&w, &r);
        vlen = MSCHAP_RESPONSE_LEN;
    }
    e->auth.password = pw;
    secret_wipe(&pw);
    e->auth.state = PA_WAIT_RESULT;
    send_chap(e, CHAP_RESPONSE, e->auth.id, val, vlen, name, NULL, 0);
}

static void send_text(pppe *e, uint8_t code, uint8_t id, const char *text)
{
    send_chap(e, code, id, NULL, 0, NULL, (const uint8_t *)text, strlen(text));
}

/* Server: a Response arrived. */
static void chap_server_response(pppe *e, const chap_msg *m)
{
    if (e->auth.state != PA_WAIT_PEER || m->id != e->auth.id)
        return;
    snprintf(e->auth.user, sizeof e->auth.user, "%s", m->name_str);
    const ppp_user *u = find_user(e, m->name_str);
    secret pw;
    set_secret(&pw, u ? u->password : "");
    bool match = false;
    if (u && e->auth_method == PAUTH_CHAP_MD5) {
        chap_md5_verify(e->cx, m->id, &pw, e->auth.challenge, e->auth.chal_len, m->value, m->value_size, &match);
    } else if (u && e->auth_method == PAUTH_MSCHAPV1) {
        mschapv1_response r;
        if (mschapv1_response_parse(m->value, m->value_size, &r, NULL)) {
            mschapv1_verify(e->cx, e->auth.challenge, &pw, r.lm_response, r.nt_response, r.use_nt != 0, &match);
            memcpy(e->auth.nt_response, r.nt_response, 24);
        }
    } else if (u) {
        mschapv2_response r;
        if (mschapv2_response_parse(m->value, m->value_size, &r, NULL)) {
            mschapv2_verify(e->cx, e->auth.challenge, r.peer_challenge, m->name_str, &pw, r.nt_response, &match);
            memcpy(e->auth.peer_challenge, r.peer_challenge, 16);
            memcpy(e->auth.nt_response, r.nt_response, 24);
        }
    }
    if (match) {
        e->auth.password = pw;
        if (e->auth_method == PAUTH_MSCHAPV2) {
            mschap_hash h;
            mschapv2_success s;
            memset(&s, 0, sizeof s);
            const char *user = user_part(m->name_str);
            mschap_nt_password_hash(e->cx, &pw, &h);
            mschapv2_generate_authenticator_response(e->cx, &h, e->auth.nt_response, e->auth.peer_challenge,
                                                     e->auth.challenge, user, strlen(user), s.auth_response);
            mschap_hash_wipe(&h);
            s.has_message = true;
            snprintf(s.message, sizeof s.message, "Access granted");
            s.message_len = strlen(s.message);
            uint8_t buf[256];
            wbuf w;
            wbuf_init(&w, buf, sizeof buf);
            mschapv2_success_encode(&w, &s);
            send_chap(e, CHAP_SUCCESS, m->id, NULL, 0, NULL, buf, wbuf_len(&w));
        } else {
            send_text(e, CHAP_SUCCESS, m->id, e->auth_method == PAUTH_CHAP_MD5 ? "Welcome" : "Access granted");
        }
        secret_wipe(&pw);
        auth_done(e, true);
        return;
    }
    secret_wipe(&pw);
    e->auth.failures++;
    e->auth.last_error = MSCHAP_ERROR_AUTHENTICATION_FAILURE;
    bool retry = e->auth.failures <= e->cfg.auth_retries;
    if (e->auth_method == PAUTH_CHAP_MD5) {
        send_text(e, CHAP_FAILURE, m->id, "Access denied");
        if (retry) {
            pppe_emit(e, PPPE_EV_AUTH_FAIL);
            send_challenge(e, (uint8_t)(m->id + 1));
        } else {
            auth_done(e, false);
        }
        return;
    }
    /* MS-CHAP: the new challenge rides in the Failure message */
    mschap_failure f;
    memset(&f, 0, sizeof f);
    f.has_error = f.has_retry = f.has_challenge = f.has_version = true;
    f.error = MSCHAP_ERROR_AUTHENTICATION_FAILURE;
    f.retry = retry ? 1 : 0;
    f.challenge_len = (uint8_t)challenge_len(e->auth_method);
    prng_bytes(&e->rng, f.challenge, f.challenge_len);
    f.version = e->auth_method == PAUTH_MSCHAPV2 ? 3 : 2;
    if (e->auth_method == PAUTH_MSCHAPV2) {
        f.has_message = true;
        snprintf(f.message, sizeof f.message, "Authentication failed");
        f.message_len = strlen(f.message);
    }
    uint8_t buf[256];
    wbuf w;
    wbuf_init(&w, buf, sizeof buf);
    mschap_failure_encode(&w, &f);
    send_chap(e, CHAP_FAILURE, m->id, NULL, 0, NULL, buf, wbuf_len(&w));
    if (retry) {
        memcpy(e->auth.challenge, f.challenge, f.challenge_len);
        e->auth.chal_len = f.challenge_len;
        e->auth.id = (uint8_t)(m->id + 1);
        pppe_emit(e, PPPE_EV_AUTH_FAIL);
    } else {
        auth_done(e, false);
    }
}

static void chap_client(pppe *e, const chap_msg *m)
{
    switch (m->code) {
    case CHAP_CHALLENGE:
        if (e->auth.state == PA_SUCCESS || m->value_size != challenge_len(e->auth_method))
            return;
        if (e->auth.state == PA_FAILED && e->auth_method == PAUTH_CHAP_MD5) {
            if (e->auth.attempt + 1 >= e->cfg.n_attempts)
                return;
            e->auth.attempt++;
        }
        e->auth.id = m->id;
        e->auth.chal_len = m->value_size;
        memcpy(e->auth.challenge, m->value, m->value_size);
        send_response(e);
        break;
    case CHAP_SUCCESS:
        if (e->auth.state != PA_WAIT_RESULT || m->id != e->auth.id)
            return;
        if (e->auth_method == PAUTH_MSCHAPV2) {
            mschapv2_success s;
            bool match = false;
            if (mschapv2_success_parse(m->message, m->message_len, &s, NULL) == DEC_OK) {
                mschap_hash h;
                const char *user = user_part(e->cfg.login);
                mschap_nt_password_hash(e->cx, &e->auth.password, &h);
                mschapv2_check_authenticator_response(e->cx, &h, e->auth.nt_response, e->auth.peer_challenge,
                                                      e->auth.challenge, user, strlen(user), s.auth_response,
                                                      &match);
                mschap_hash_wipe(&h);
            }
            if (!match) {
                e->auth.state = PA_FAILED;
                pppe_emit(e, PPPE_EV_AUTH_FAIL);
                pppe_close(e, e->now, "Mutual authentication failed");
                return;
            }
        }
        auth_done(e, true);
        break;
    case CHAP_FAILURE: {
        if (e->auth.state != PA_WAIT_RESULT || m->id != e->auth.id)
            return;
        bool more = e->auth.attempt + 1 < e->cfg.n_attempts;
        if (e->auth_method == PAUTH_CHAP_MD5) {
            e->auth.state = PA_FAILED; /* a fresh Challenge may follow */
            pppe_emit(e, PPPE_EV_AUTH_FAIL);
            return;
        }
        mschap_failure f;
        if (mschap_failure_parse(m->message, m->message_len, &f, NULL) != DEC_OK) {
            e->auth.state = PA_FAILED;
            pppe_emit(e, PPPE_EV_AUTH_FAIL);
            return;
        }
        e->auth.last_error = f.error;
        if (f.has_retry && f.retry == 1 && more && f.has_challenge &&
            f.challenge_len == challenge_len(e->auth_method)) {
            pppe_emit(e, PPPE_EV_AUTH_FAIL);
            e->auth.attempt++;
            memcpy(e->auth.challenge, f.challenge, f.challenge_len);
            e->auth.chal_len = f.challenge_len;
            e->auth.id = (uint8_t)(m->id + 1);
            send_response(e);
            return;
        }
        e->auth.state = PA_FAILED;
        pppe_emit(e, PPPE_EV_AUTH_FAIL);
        break;
    }
    default:
        break;
    }
}

/* ---- PAP ---------------------------------------------------------------------- */

static void send_pap_request(pppe *e)
{
    pap_msg m;
    memset(&m, 0, sizeof m);
    m.code = PAP_AUTH_REQ;
    m.id = ++e->auth.id;
    snprintf(m.peer_id, sizeof m.peer_id, "%s", e->cfg.login);
    set_secret(&m.password, client_password(e));
    e->auth.password = m.password;
    uint8_t buf[600];
    wbuf w;
    wbuf_init(&w, buf, sizeof buf);
    bool ok = pap_encode(&w, &m);
    secret_wipe(&m.password);
    e->auth.state = PA_WAIT_RESULT;
    if (ok)
        pppe_send_proto(e, PPP_PROTO_PAP, buf, wbuf_len(&w));
}

static void send_pap_reply(pppe *e, uint8_t code, uint8_t id, const char *msg)
{
    pap_msg m;
    memset(&m, 0, sizeof m);
    m.code = code;
    m.id = id;
    snprintf(m.message, sizeof m.message, "%s", msg);
    uint8_t buf[600];
    wbuf w;
    wbuf_init(&w, buf, sizeof buf);
    if (pap_encode(&w, &m))
        pppe_send_proto(e, PPP_PROTO_PAP, buf, wbuf_len(&w));
}

static void pap_input(pppe *e, const uint8_t *info, size_t n)
{
    cursor c;
    cursor_init_exact(&c, info, n);
    pap_msg m;
    if (pap_decode(&c, &m, NULL) != DEC_OK)
        return;
    if (e->role == PPPE_SERVER && m.code == PAP_AUTH_REQ) {
        if (e->auth.state != PA_WAIT_PEER) {
            secret_wipe(&m.password);
            return;
        }
        snprintf(e->auth.user, sizeof e->auth.user, "%s", m.peer_id);
        const ppp_user *u = find_user(e, m.peer_id);
        bool ok = u && strlen(u->password) == m.password.len &&
                  !memcmp(u->password, m.password.bytes_, m.password.len);
        if (ok) {
            e->auth.password = m.password;
            secret_wipe(&m.password);
            send_pap_reply(e, PAP_AUTH_ACK, m.id, "Login ok");
            auth_done(e, true);
            return;
        }
        secret_wipe(&m.password);
        send_pap_reply(e, PAP_AUTH_NAK, m.id, "Login incorrect");
        e->auth.failures++;
        if (e->auth.failures <= e->cfg.auth_retries)
            pppe_emit(e, PPPE_EV_AUTH_FAIL);
        else
            auth_done(e, false);
        return;
    }
    secret_wipe(&m.password);
    if (e->role != PPPE_CLIENT || e->auth.state != PA_WAIT_RESULT || m.id != e->auth.id)
        return;
    if (m.code == PAP_AUTH_ACK) {
        auth_done(e, true);
    } else if (m.code == PAP_AUTH_NAK) {
        pppe_emit(e, PPPE_EV_AUTH_FAIL);
        if (e->auth.attempt + 1 < e->cfg.n_attempts) {
            e->auth.attempt++;
            send_pap_request(e);
        } else {
            e->auth.state = PA_FAILED;
        }
    }
}

/* ---- EAP (Identity, MD5-Challenge) -------------------------------------------- */

static void send_eap(pppe *e, const eap_msg *m)
{
    uint8_t buf[600];
    wbuf w;
    wbuf_init(&w, buf, sizeof buf);
    if (eap_encode(&w, m))
        pppe_send_proto(e, PPP_PROTO_EAP, buf, wbuf_len(&w));
}

static void eap_md5_request(pppe *e, uint8_t id)
{
    e->auth.id = id;
    e->auth.chal_len = 16;
    prng_bytes(&e->rng, e->auth.challenge, 16);
    eap_msg m;
    memset(&m, 0, sizeof m);
    m.code = EAP_REQUEST;
    m.id = id;
    m.type = EAP_TYPE_MD5;
    m.value_size = 16;
    m.value = e->auth.challenge;
    m.name = (const uint8_t *)e->cfg.auth_name;
    m.name_len = strlen(e->cfg.auth_name);
    e->auth.state = PA_WAIT_PEER;
    send_eap(e, &m);
}

static void eap_input(pppe *e, const uint8_t *info, size_t n)
{
    cursor c;
    cursor_init_exact(&c, info, n);
    eap_msg in;
    if (eap_decode(&c, &in, NULL) != DEC_OK)
        return;
    eap_msg m;
    memset(&m, 0, sizeof m);
    if (e->role == PPPE_SERVER) {
        if (in.code != EAP_RESPONSE || in.id != e->auth.id || e->auth.state != PA_WAIT_PEER)
            return;
        if (in.type == EAP_TYPE_IDENTITY) {
            snprintf(e->auth.user, sizeof e->auth.user, "%s", in.text_str);
            e->auth.eap_identity_done = true;
            eap_md5_request(e, (uint8_t)(in.id + 1));
            return;
        }
        if (in.type != EAP_TYPE_MD5 || !e->auth.eap_identity_done)
            return;
        const ppp_user *u = find_user(e, e->auth.user);
        secret pw;
        set_secret(&pw, u ? u->password : "");
        bool match = false;
        if (u)
            chap_md5_verify(e->cx, in.id, &pw, e->auth.challenge, 16, in.value, in.value_size, &match);
        m.id = in.id;
        if (match) {
            e->auth.password = pw;
            secret_wipe(&pw);
            m.code = EAP_SUCCESS;
            send_eap(e, &m);
            auth_done(e, true);
            return;
        }
        secret_wipe(&pw);
        e->auth.failures++;
        if (e->auth.failures <= e->cfg.auth_retries) {
            pppe_emit(e, PPPE_EV_AUTH_FAIL);
            eap_md5_request(e, (uint8_t)(in.id + 1));
            return;
        }
        m.code = EAP_FAILURE;
        send_eap(e, &m);
        auth_done(e, false);
        return;
    }
    /* client */
    if (in.code == EAP_SUCCESS) {
        if (e->auth.state == PA_WAIT_RESULT)
            auth_done(e, true);
        return;
    }
    if (in.code == EAP_FAILURE) {
        if (e->auth.state == PA_WAIT_RESULT) {
            e->auth.state = PA_FAILED;
            pppe_emit(e, PPPE_EV_AUTH_FAIL);
        }
        return;
    }
    if (in.code != EAP_REQUEST || e->auth.state == PA_SUCCESS)
        return;
    m.code = EAP_RESPONSE;
    m.id = in.id;
    if (in.type == EAP_TYPE_IDENTITY) {
        m.type = EAP_TYPE_IDENTITY;
        m.text = (const uint8_t *)e->cfg.login;
        m.text_len = strlen(e->cfg.login);
        send_eap(e, &m);
        return;
    }
    if (in.type != EAP_TYPE_MD5) {
        m.type = EAP_TYPE_NAK;
        m.nak_types[0] = EAP_TYPE_MD5;
        m.nak_count = 1;
        send_eap(e, &m);
        return;
    }
    if (in.value_size == 0 || in.value_size > sizeof e->auth.challenge)
        return;
    if (e->auth.state == PA_WAIT_RESULT) {
        /* a new challenge after an answer: the last one failed */
        pppe_emit(e, PPPE_EV_AUTH_FAIL);
        if (e->auth.attempt + 1 < e->cfg.n_attempts)
            e->auth.attempt++;
    }
    e->auth.id = in.id;
    e->auth.chal_len = in.value_size;
    memcpy(e->auth.challenge, in.value, in.value_size);
    secret pw;
    set_secret(&pw, client_password(e));
    uint8_t resp[16];
    chap_md5_response(e->cx, in.id, &pw, e->auth.challenge, e->auth.chal_len, resp);
    e->auth.password = pw;
    secret_wipe(&pw);
    m.type = EAP_TYPE_MD5;
    m.value_size = 16;
    m.value = resp;
    m.name = (const uint8_t *)e->cfg.login;
    m.name_len = strlen(e->cfg.login);
    e->auth.state = PA_WAIT_RESULT;
    send_eap(e, &m);
}

/* ---- entry points ----------------------------------------------------------------- */

void pauth_start(pppe *e)
{
    e->auth.state = PA_IDLE;
    e->auth.attempt = 0;
    e->auth.failures = 0;
    uint8_t id = (uint8_t)prng_below(&e->rng, 256);
    if (e->role == PPPE_SERVER) {
        if (is_chap(e->auth_method)) {
            send_challenge(e, id);
        } else if (e->auth_method == PAUTH_EAP_MD5) {
            eap_msg m;
            memset(&m, 0, sizeof m);
            m.code = EAP_REQUEST;
            m.id = id;
            m.type = EAP_TYPE_IDENTITY;
            e->auth.id = id;
            e->auth.state = PA_WAIT_PEER;
            send_eap(e, &m);
        } else {
            e->auth.state = PA_WAIT_PEER; /* PAP: the client speaks first */
        }
        return;
    }
    if (e->auth_method == PAUTH_PAP) {
        e->auth.id = id;
        send_pap_request(e);
    } else {
        e->auth.state = PA_WAIT_PEER;
    }
}

void pauth_input(pppe *e, uint16_t proto, const uint8_t *info, size_t n)
{
    if (proto == PPP_PROTO_PAP && e->auth_method == PAUTH_PAP) {
        pap_input(e, info, n);
    } else if (proto == PPP_PROTO_EAP && e->auth_method == PAUTH_EAP_MD5) {
        eap_input(e, info, n);
    } else if (proto == PPP_PROTO_CHAP && is_chap(e->auth_method)) {
        cursor c;
        cursor_init_exact(&c, info, n);
        chap_msg m;
        if (chap_decode(&c, &m, NULL) != DEC_OK)
            return;
        if (e->role == PPPE_SERVER) {
            if (m.code == CHAP_RESPONSE)
                chap_server_response(e, &m);
        } else {
            chap_client(e, &m);
        }
    }
}
