/*
 * pppneg_fill.c - event fields of the PPP negotiation (lcp_negotiated,
 * auth_success / auth_failure, mppe_negotiated, mppe_rekey, ipcp_negotiated,
 * ipv6cp_negotiated, and the summary on session_interim / teardown).  Every
 * field is listed in docs/ppp-negotiation.md.  Absent means unknown: nothing is
 * written for what was not seen.
 */
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>

#include "ccp.h"
#include "eap.h"
#include "lcp.h"
#include "mschap.h"
#include "names.h"
#include "pppneg_int.h"

static const char *const side_name[2] = {"client", "server"};

/* "prefix.side.leaf" into key (cut to size, always terminated): plain copies,
 * snprintf costs more than setting the field. */
static void set_side_key(char *key, size_t size, const char *prefix, int side, const char *leaf)
{
    const char *parts[3] = {prefix, side_name[side], leaf};
    size_t n = 0;
    for (int i = 0; i < 3 && size; i++) {
        if (i && n + 1 < size)
            key[n++] = '.';
        size_t l = strlen(parts[i]);
        if (l > size - 1 - n)
            l = size - 1 - n;
        memcpy(key + n, parts[i], l);
        n += l;
    }
    if (size)
        key[n] = '\0';
}

/* An IPv4 address held in host order. */
static void set_ip4(ev *e, const char *key, uint32_t a)
{
    uint8_t b[4] = {(uint8_t)(a >> 24), (uint8_t)(a >> 16), (uint8_t)(a >> 8), (uint8_t)a};
    ev_set_ip(e, key, AF_INET, b);
}

static void add_ip4(ev *e, const char *key, uint32_t a)
{
    uint8_t b[4] = {(uint8_t)(a >> 24), (uint8_t)(a >> 16), (uint8_t)(a >> 8), (uint8_t)a};
    ev_add_ip_array(e, key, AF_INET, b);
}

/* ---- names ------------------------------------------------------------------ */

static const val_name auth_error_names[] = {
    {MSCHAP_ERROR_RESTRICTED_LOGON_HOURS, "restricted_logon_hours"},
    {MSCHAP_ERROR_ACCT_DISABLED, "acct_disabled"},
    {MSCHAP_ERROR_PASSWD_EXPIRED, "passwd_expired"},
    {MSCHAP_ERROR_NO_DIALIN_PERMISSION, "no_dialin_permission"},
    {MSCHAP_ERROR_AUTHENTICATION_FAILURE, "authentication_failure"},
    {MSCHAP_ERROR_CHANGING_PASSWORD, "changing_password"},
};

const char *pppneg_auth_error_name(uint32_t code) { return VAL_NAME(auth_error_names, code, NULL); }

static const char *method_name(uint8_t m)
{
    switch (m) {
    case PPPNEG_AUTH_PAP:
        return "pap";
    case PPPNEG_AUTH_CHAP_MD5:
        return "chap-md5";
    case PPPNEG_AUTH_MSCHAPV1:
        return "mschapv1";
    case PPPNEG_AUTH_MSCHAPV2:
        return "mschapv2";
    case PPPNEG_AUTH_EAP:
        return "eap";
    case PPPNEG_AUTH_CHAP:
        return "chap";
    default:
        return NULL;
    }
}

/* The method LCP agreed: the server's request (it authenticates the client),
 * else the client's. */
static uint8_t lcp_method(const struct pppneg *n)
{
    for (int side = PPPNEG_SERVER; side >= PPPNEG_CLIENT; side--) {
        switch (n->lcp[side].auth_proto) {
        case LCP_AUTH_PAP:
            return PPPNEG_AUTH_PAP;
        case LCP_AUTH_EAP:
            return PPPNEG_AUTH_EAP;
        case LCP_AUTH_CHAP:
            switch (n->lcp[side].auth_alg) {
            case LCP_CHAP_MD5:
                return PPPNEG_AUTH_CHAP_MD5;
            case LCP_CHAP_MSCHAP:
                return PPPNEG_AUTH_MSCHAPV1;
            case LCP_CHAP_MSCHAPV2:
                return PPPNEG_AUTH_MSCHAPV2;
            default:
                return PPPNEG_AUTH_CHAP;
            }
        default:
            break;
        }
    }
    return PPPNEG_AUTH_NONE;
}

const char *pppneg_auth_method(const struct pppneg *n, char *buf, size_t size)
{
    uint8_t m = n->auth_method ? n->auth_method : lcp_method(n);
    if (m == PPPNEG_AUTH_EAP && n->eap_type && buf && size) {
        snprintf(buf, size, "eap-%s", eap_type_name(n->eap_type));
        return buf;
    }
    return method_name(m);
}

const char *pppneg_auth_outcome(const struct pppneg *n)
{
    switch (n->auth_state) {
    case PPPNEG_AUTH_STATE_SUCCESS:
        return "success";
    case PPPNEG_AUTH_STATE_FAILURE:
        return "failure";
    default:
        return "none";
    }
}

static const char *rekey_trigger_name(uint8_t t)
{
    switch (t) {
    case PPPNEG_REKEY_RESET_REQUEST:
        return "reset_request";
    case PPPNEG_REKEY_COHERENCY_COUNT:
        return "coherency_count";
    case PPPNEG_REKEY_FLUSHED:
        return "flushed";
    default:
        return NULL;
    }
}

/* ---- lcp_negotiated --------------------------------------------------------- */

void pppneg_fill_lcp(const struct pppneg *n, ev *e)
{
    char key[64];
    for (int s = 0; s < 2; s++) {
        const struct pppneg_lcp_side *l = &n->lcp[s];
        set_side_key(key, sizeof key, "pptp.lcp", s, "mru");
        ev_set_uint(e, key, l->mru ? l->mru : 1500);
        set_side_key(key, sizeof key, "pptp.lcp", s, "acfc");
        ev_set_bool(e, key, l->acfc);
        set_side_key(key, sizeof key, "pptp.lcp", s, "pfc");
        ev_set_bool(e, key, l->pfc);
        if (l->magic) {
            set_side_key(key, sizeof key, "pptp.lcp", s, "magic");
            ev_set_uint(e, key, l->magic);
        }
        set_side_key(key, sizeof key, "pptp.lcp", s, "config_requests");
        ev_set_uint(e, key, n->lcp_confreqs[s]);
        if (s == PPPNEG_CLIENT && l->auth_proto) {
            set_side_key(key, sizeof key, "pptp.lcp", s, "auth_protocol");
            ev_set_str(e, key, lcp_auth_method_name(l->auth_proto, l->auth_alg));
        }
    }
    const struct pppneg_lcp_side *srv = &n->lcp[PPPNEG_SERVER];
    if (srv->auth_proto)
        ev_set_str(e, "pptp.lcp.auth_protocol", lcp_auth_method_name(srv->auth_proto, srv->auth_alg));
    ev_set_bool(e, "pptp.lcp.acfc", n->lcp[0].acfc && n->lcp[1].acfc);
    ev_set_bool(e, "pptp.lcp.pfc", n->lcp[0].pfc && n->lcp[1].pfc);
    for (unsigned t = 0; t < 32; t++) {
        if (!(n->lcp_rejected & (1u << t)))
            continue;
        const char *name = lcp_opt_name((uint8_t)t);
        char buf[24];
        if (!strcmp(name, "unknown")) {
            snprintf(buf, sizeof buf, "option-%u", t);
            name = buf;
        }
        ev_add_str_array(e, "pptp.lcp.rejected_options", name);
    }
    ev_set_uint(e, "pptp.lcp.naks", (uint64_t)n->lcp_naks[0] + n->lcp_naks[1]);
    ev_set_uint(e, "pptp.lcp.rejects", (uint64_t)n->lcp_rejects[0] + n->lcp_rejects[1]);
}

/* ---- auth_success / auth_failure -------------------------------------------- */

static void fill_method(const struct pppneg *n, ev *e)
{
    char buf[40];
    const char *m = pppneg_auth_method(n, buf, sizeof buf);
    if (m)
        ev_set_str(e, "pptp.auth.method", m);
}

void pppneg_fill_auth(const struct pppneg *n, ev *e)
{
    fill_method(n, e);
    ev_set_str(e, "pptp.auth.outcome", pppneg_auth_outcome(n));
    if (n->auth_error) {
        ev_set_uint(e, "pptp.auth.error_code", n->auth_error);
        const char *name = pppneg_auth_error_name(n->auth_error);
        if (name)
            ev_set_str(e, "pptp.auth.error", name);
    }
    if (n->auth_flags & PPPNEG_AF_RETRY_KNOWN)
        ev_set_bool(e, "pptp.auth.retry", n->auth_retry);
    if (n->auth_message[0])
        ev_set_str(e, "pptp.auth.message", n->auth_message);
    ev_set_uint(e, "pptp.auth.attempts", n->auth_attempts);
    ev_set_uint(e, "pptp.auth.failures", n->auth_failures);
    if (n->auth_lm_response)
        ev_set_bool(e, "pptp.auth.lm_response", true);
}

void pppneg_fill_user(const struct pppneg *n, ev *e)
{
    if (!n->user[0])
        return;
    char domain[PPPNEG_DOMAIN_MAX], user[PPPNEG_USER_MAX];
    auth_split_user(n->user, domain, sizeof domain, user, sizeof user);
    if (!user[0])
        return;
    ev_set_str(e, "user.name", user);
    if (domain[0])
        ev_set_str(e, "user.domain", domain);
    ev_add_str_array(e, "related.user", user);
}

/* ---- mppe_negotiated / mppe_rekey ------------------------------------------- */

static void fill_mppe_mode(const struct pppneg *n, ev *e)
{
    if (n->mppe_key_bits)
        ev_set_uint(e, "pptp.mppe.key_bits", n->mppe_key_bits);
    ev_set_bool(e, "pptp.mppe.stateless", n->mppe_stateless);
}

void pppneg_fill_mppe(const struct pppneg *n, ev *e)
{
    char key[64], val[16];
    fill_mppe_mode(n, e);
    bool enc = ccp_mppe_key_bits(n->ccp_ack_bits[0]) && ccp_mppe_key_bits(n->ccp_ack_bits[1]);
    ev_set_bool(e, "pptp.mppe.encrypted", enc);
    ev_set_bool(e, "pptp.mppe.compression",
                (n->ccp_ack_bits[0] & CCP_MPPE_C) && (n->ccp_ack_bits[1] & CCP_MPPE_C));
    for (int s = 0; s < 2; s++) {
        snprintf(val, sizeof val, "0x%08x", (unsigned)n->ccp_ack_bits[s]);
        set_side_key(key, sizeof key, "pptp.mppe", s, "bits");
        ev_set_str(e, key, val);
    }
}

void pppneg_fill_rekey(const struct pppneg *n, ev *e)
{
    char key[64];
    fill_mppe_mode(n, e);
    ev_set_uint(e, "pptp.mppe.rekeys", (uint64_t)n->mppe_rekeys[0] + n->mppe_rekeys[1]);
    for (int s = 0; s < 2; s++) {
        set_side_key(key, sizeof key, "pptp.mppe", s, "rekeys");
        ev_set_uint(e, key, n->mppe_rekeys[s]);
    }
    ev_set_str(e, "pptp.mppe.rekey.direction", side_name[n->mppe_rekey_dir & 1]);
    const char *t = rekey_trigger_name(n->mppe_rekey_trigger);
    if (t)
        ev_set_str(e, "pptp.mppe.rekey.trigger", t);
    ev_set_uint(e, "pptp.mppe.reset_requests", (uint64_t)n->ccp_reset_req[0] + n->ccp_reset_req[1]);
}

/* ---- ipcp_negotiated / ipv6cp_negotiated ------------------------------------ */

void pppneg_fill_ipcp(const struct pppneg *n, ev *e)
{
    if (n->ipcp_addr[PPPNEG_CLIENT]) {
        set_ip4(e, "pptp.ipcp.client_ip", n->ipcp_addr[PPPNEG_CLIENT]);
        add_ip4(e, "related.ip", n->ipcp_addr[PPPNEG_CLIENT]);
    }
    if (n->ipcp_addr[PPPNEG_SERVER]) {
        set_ip4(e, "pptp.ipcp.server_ip", n->ipcp_addr[PPPNEG_SERVER]);
        add_ip4(e, "related.ip", n->ipcp_addr[PPPNEG_SERVER]);
    }
    for (int i = 0; i < 2; i++)
        if (n->ipcp_dns[i])
            add_ip4(e, "pptp.ipcp.dns", n->ipcp_dns[i]);
    for (int i = 0; i < 2; i++)
        if (n->ipcp_wins[i])
            add_ip4(e, "pptp.ipcp.wins", n->ipcp_wins[i]);
    if (n->ipcp_nak_addr)
        set_ip4(e, "pptp.ipcp.suggested_ip", n->ipcp_nak_addr);
}

static void fmt_ifid(const uint8_t id[8], char out[20])
{
    snprintf(out, 20, "%02x%02x:%02x%02x:%02x%02x:%02x%02x", id[0], id[1], id[2], id[3], id[4], id[5], id[6],
             id[7]);
}

void pppneg_fill_ipv6cp(const struct pppneg *n, ev *e)
{
    char buf[20];
    if (n->ipv6cp_have_ifid & (1u << PPPNEG_CLIENT)) {
        fmt_ifid(n->ipv6cp_ifid[PPPNEG_CLIENT], buf);
        ev_set_str(e, "pptp.ipv6cp.client_interface_id", buf);
    }
    if (n->ipv6cp_have_ifid & (1u << PPPNEG_SERVER)) {
        fmt_ifid(n->ipv6cp_ifid[PPPNEG_SERVER], buf);
        ev_set_str(e, "pptp.ipv6cp.server_interface_id", buf);
    }
}

/* ---- session_interim / teardown --------------------------------------------- */

void pppneg_fill_summary(const struct pppneg *n, ev *e)
{
    fill_method(n, e);
    ev_set_str(e, "pptp.auth.outcome", pppneg_auth_outcome(n));
    if (n->auth_attempts) {
        ev_set_uint(e, "pptp.auth.attempts", n->auth_attempts);
        ev_set_uint(e, "pptp.auth.failures", n->auth_failures);
    }
    if (n->ccp_open)
        fill_mppe_mode(n, e);
    ev_set_uint(e, "pptp.mppe.rekeys", (uint64_t)n->mppe_rekeys[0] + n->mppe_rekeys[1]);
    if (n->ipcp_addr[PPPNEG_CLIENT])
        set_ip4(e, "pptp.ipcp.client_ip", n->ipcp_addr[PPPNEG_CLIENT]);
    ev_set_uint(e, "pptp.lcp.echo_requests", (uint64_t)n->lcp_echo_req[0] + n->lcp_echo_req[1]);
    uint64_t clear = n->ip_frames[0] + n->ip_frames[1] + n->comp_clear[0] + n->comp_clear[1];
    uint64_t comp = n->comp_frames[0] + n->comp_frames[1];
    uint64_t cc = (uint64_t)n->comp_clear[0] + n->comp_clear[1];
    ev_set_uint(e, "pptp.ppp.unencrypted_frames", clear);
    ev_set_uint(e, "pptp.ppp.encrypted_frames", comp >= cc ? comp - cc : 0);
}
