/* peer_ppp.c - PPP engine core: framing, dispatch, phases; see peer_ppp.h */
#include "peer_ppp.h"

#include <stdio.h>
#include <string.h>

#include "cursor.h"
#include "ppp.h"


static const char *const method_names[PAUTH_COUNT] = {"none", "pap", "chap-md5", "mschapv1", "mschapv2", "eap-md5"};

int pauth_method_from_name(const char *s)
{
    for (int i = 0; i < PAUTH_COUNT; i++)
        if (!strcmp(s, method_names[i]))
            return i;
    if (!strcmp(s, "chap"))
        return PAUTH_CHAP_MD5;
    if (!strcmp(s, "eap"))
        return PAUTH_EAP_MD5;
    return -1;
}

const char *pauth_method_name(int m)
{
    return m >= 0 && m < PAUTH_COUNT ? method_names[m] : "unknown";
}

void pppe_cfg_default(pppe_cfg *c, int role)
{
    memset(c, 0, sizeof *c);
    c->mru = role == PPPE_CLIENT ? 1400 : 1400;
    c->req_magic = true;
    c->max_peer_mru = 0;
    c->restart_time = 3 * PT_SEC;
    c->ipcp = true;
    snprintf(c->auth_name, sizeof c->auth_name, "pptpd");
}

void pppe_emit(pppe *e, int ev)
{
    if (e->event)
        e->event(e->ctx, e, ev);
}

void pppe_init(pppe *e, int role, const pppe_cfg *cfg, mschap_crypto *cx, uint64_t seed, pppe_out_fn out,
               pppe_ip_fn ip, pppe_event_fn event, void *ctx)
{
    memset(e, 0, sizeof *e);
    e->role = role;
    e->cfg = *cfg;
    e->cx = cx;
    prng_seed(&e->rng, seed);
    e->out = out;
    e->ip = ip;
    e->event = event;
    e->ctx = ctx;
    e->phase = PPHASE_DEAD;
    cpfsm_init(&e->lcp, &pppe_lcp_ops, e, CP_LCP, "lcp");
    cpfsm_init(&e->ipcp, &pppe_ipcp_ops, e, CP_IPCP, "ipcp");
    cpfsm_init(&e->ipv6cp, &pppe_ipv6cp_ops, e, CP_IPV6CP, "ipv6cp");
    cpfsm_init(&e->ccp, &pppe_ccp_ops, e, CP_CCP, "ccp");
    cpfsm *all[4] = {&e->lcp, &e->ipcp, &e->ipv6cp, &e->ccp};
    for (int i = 0; i < 4; i++)
        all[i]->restart_time = cfg->restart_time ? cfg->restart_time : 3 * PT_SEC;
    e->want.auth_idx = -1;
}

void pppe_send_proto(pppe *e, uint16_t proto, const uint8_t *info, size_t n)
{
    struct ppp_frame f = {.has_acfc_hdr = true, .pfc = false, .protocol = proto};
    if (proto != PPP_PROTO_LCP) {
        if (e->tx_acfc)
            f.has_acfc_hdr = false;
        if (e->tx_pfc && ppp_protocol_compressible(proto))
            f.pfc = true;
    }
    uint8_t buf[2100];
    wbuf w;
    wbuf_init(&w, buf, sizeof buf);
    if (!ppp_encode(&w, &f, info, n))
        return;
    e->frames_out++;
    if (e->out)
        e->out(e->ctx, e, buf, wbuf_len(&w));
}

void pppe_start(pppe *e, ptime now)
{
    e->now = now;
    if (e->phase != PPHASE_DEAD)
        return;
    e->phase = PPHASE_ESTABLISH;
    e->down_emitted = false;
    e->net_up_emitted = false;
    e->want.mru = e->cfg.mru;
    e->want.accm = e->cfg.req_accm;
    e->want.magic = e->cfg.req_magic;
    do
        e->want.magic_val = prng_u32(&e->rng);
    while (!e->want.magic_val);
    e->want.pfc = e->cfg.req_pfc;
    e->want.acfc = e->cfg.req_acfc;
    e->want.callback = e->cfg.req_callback;
    e->want.mrru = e->cfg.req_mrru;
    e->want.auth_idx = e->role == PPPE_SERVER && e->cfg.n_auth_offer > 0 ? 0 : -1;
    memset(&e->auth, 0, sizeof e->auth);
    pppe_ncp_reset(e);
    cpfsm_open(&e->lcp, now);
}

void pppe_enter_network(pppe *e)
{
    e->phase = PPHASE_NETWORK;
    if (e->cfg.mppe_bits)
        cpfsm_open(&e->ccp, e->now);
    if (e->cfg.ipcp)
        cpfsm_open(&e->ipcp, e->now);
    if (e->cfg.ipv6cp)
        cpfsm_open(&e->ipv6cp, e->now);
    pppe_check_net_up(e);
}

void pppe_check_net_up(pppe *e)
{
    if (e->net_up_emitted || e->phase != PPHASE_NETWORK)
        return;
    if (pppe_settled(e)) {
        e->net_up_emitted = true;
        pppe_emit(e, PPPE_EV_NET_UP);
    }
}

bool pppe_is_dead(const pppe *e)
{
    return e->phase == PPHASE_DEAD && (e->lcp.state == CPS_INITIAL || e->lcp.state == CPS_CLOSED ||
                                       e->lcp.state == CPS_STOPPED);
}

bool pppe_settled(const pppe *e)
{
    if (pppe_is_dead(e))
        return true;
    if (e->phase != PPHASE_NETWORK)
        return false;
    if (e->cfg.mppe_bits && !cpfsm_settled(&e->ccp))
        return false;
    if (e->cfg.ipcp && !cpfsm_settled(&e->ipcp))
        return false;
    if (e->cfg.ipv6cp && !cpfsm_settled(&e->ipv6cp))
        return false;
    return true;
}

void pppe_close(pppe *e, ptime now, const char *reason)
{
    e->now = now;
    if (e->phase == PPHASE_DEAD)
        return;
    e->phase = PPHASE_TERMINATE;
    cpfsm_lower_down(&e->ccp);
    cpfsm_lower_down(&e->ipcp);
    cpfsm_lower_down(&e->ipv6cp);
    cpfsm_close(&e->lcp, now, reason);
}

void pppe_lower_down(pppe *e)
{
    cpfsm_lower_down(&e->ccp);
    cpfsm_lower_down(&e->ipcp);
    cpfsm_lower_down(&e->ipv6cp);
    cpfsm_lower_down(&e->lcp);
    e->phase = PPHASE_DEAD;
    e->mppe_up = false;
}

bool pppe_lcp_echo(pppe *e, ptime now)
{
    e->now = now;
    if (!cpfsm_is_open(&e->lcp))
        return false;
    uint8_t body[4] = {(uint8_t)(e->magic >> 24), (uint8_t)(e->magic >> 16), (uint8_t)(e->magic >> 8),
                       (uint8_t)e->magic};
    cpfsm_send(&e->lcp, CP_ECHO_REQ, 0, body, sizeof body);
    e->echo_sent++;
    return true;
}

ptime pppe_next_timer(const pppe *e)
{
    ptime t = PT_NEVER;
    const cpfsm *all[4] = {&e->lcp, &e->ipcp, &e->ipv6cp, &e->ccp};
    for (int i = 0; i < 4; i++) {
        ptime d = cpfsm_next_timer(all[i]);
        if (d < t)
            t = d;
    }
    return t;
}

void pppe_timer(pppe *e, ptime now)
{
    e->now = now;
    cpfsm *all[4] = {&e->lcp, &e->ipcp, &e->ipv6cp, &e->ccp};
    for (int i = 0; i < 4; i++)
        cpfsm_timer(all[i], now);
    pppe_check_net_up(e);
}

void pppe_free(pppe *e)
{
    mppe_state_wipe(&e->mppe_tx);
    mppe_state_wipe(&e->mppe_rx);
    secret_wipe(&e->auth.password);
}

static void proto_reject(pppe *e, uint16_t proto, const uint8_t *info, size_t n)
{
    if (!cpfsm_is_open(&e->lcp))
        return;
    uint8_t body[1600];
    if (n > sizeof body - 2)
        n = sizeof body - 2;
    body[0] = (uint8_t)(proto >> 8);
    body[1] = (uint8_t)proto;
    memcpy(body + 2, info, n);
    e->proto_rejects_sent++;
    cpfsm_send(&e->lcp, CP_PROTO_REJ, 0, body, n + 2);
}

static void ncp_input(pppe *e, cpfsm *f, bool enabled, uint16_t proto, const uint8_t *info, size_t n)
{
    if (!enabled || e->phase != PPHASE_NETWORK) {
        if (enabled && e->phase == PPHASE_AUTH)
            return; /* too early: silently discarded (RFC 1661 3.5) */
        proto_reject(e, proto, info, n);
        return;
    }
    cpfsm_input(f, e->now, info, n);
    pppe_check_net_up(e);
}

void pppe_input(pppe *e, ptime now, const uint8_t *frame, size_t n)
{
    e->now = now;
    cursor c, info;
    cursor_init_exact(&c, frame, n);
    struct ppp_frame f;
    if (ppp_decode(&c, &f, &info, NULL) != DEC_OK) {
        e->frames_bad++;
        return;
    }
    e->frames_in++;
    const uint8_t *p = cursor_data(&info);
    size_t len = cursor_len(&info);
    switch (f.protocol) {
    case PPP_PROTO_LCP:
        cpfsm_input(&e->lcp, now, p, len);
        pppe_check_net_up(e);
        break;
    case PPP_PROTO_PAP:
    case PPP_PROTO_CHAP:
    case PPP_PROTO_EAP:
        if (e->phase == PPHASE_AUTH || e->phase == PPHASE_NETWORK)
            pauth_input(e, f.protocol, p, len);
        else if (e->phase != PPHASE_ESTABLISH)
            proto_reject(e, f.protocol, p, len);
        break;
    case PPP_PROTO_IPCP:
        ncp_input(e, &e->ipcp, e->cfg.ipcp, f.protocol, p, len);
        break;
    case PPP_PROTO_IPV6CP:
        ncp_input(e, &e->ipv6cp, e->cfg.ipv6cp, f.protocol, p, len);
        break;
    case PPP_PROTO_CCP:
        ncp_input(e, &e->ccp, e->cfg.mppe_bits != 0, f.protocol, p, len);
        break;
    case PPP_PROTO_IP:
        if (cpfsm_is_open(&e->ipcp)) {
            e->ip_in++;
            if (e->ip)
                e->ip(e->ctx, e, p, len);
        }
        break;
    case PPP_PROTO_COMP:
        if (e->mppe_up)
            pppe_mppe_input(e, p, len);
        else
            proto_reject(e, f.protocol, p, len);
        break;
    default:
        proto_reject(e, f.protocol, p, len);
        break;
    }
}

bool pppe_send_ip(pppe *e, ptime now, const uint8_t *ip, size_t n)
{
    e->now = now;
    if (!cpfsm_is_open(&e->ipcp))
        return false;
    if (e->cfg.mppe_bits && cpfsm_is_open(&e->ccp)) {
        if (!e->mppe_up)
            return false;
        uint8_t plain[2100];
        size_t k = 0;
        if (n + 2 > sizeof plain)
            return false;
        if (e->tx_pfc) {
            plain[k++] = (uint8_t)PPP_PROTO_IP;
        } else {
            plain[k++] = 0;
            plain[k++] = (uint8_t)PPP_PROTO_IP;
        }
        memcpy(plain + k, ip, n);
        e->ip_out++;
        return pppe_mppe_send(e, plain, k + n);
    }
    if (e->cfg.mppe_bits)
        return false; /* encryption required but CCP is not open */
    e->ip_out++;
    pppe_send_proto(e, PPP_PROTO_IP, ip, n);
    return true;
}
