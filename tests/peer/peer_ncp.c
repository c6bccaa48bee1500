/* peer_ncp.c - IPCP, IPV6CP and CCP/MPPE of the PPP engine; see peer_ppp.h */
#include <string.h>

#include "ccp.h"
#include "ipcp.h"
#include "ipv6cp.h"
#include "mppe.h"
#include "peer_ppp.h"
#include "ppp.h"


static void ncp_output(void *ctx, cpfsm *f, const uint8_t *info, size_t n)
{
    pppe_send_proto(ctx, f->ppp_proto, info, n);
}

static void ncp_changed(void *ctx, cpfsm *f)
{
    (void)f;
    pppe_check_net_up(ctx);
}

/* ---- IPCP (RFC 1332, RFC 1877) ---------------------------------------------- */

static void ipcp_build(void *ctx, cpfsm *f, popts *o)
{
    (void)f;
    pppe *e = ctx;
    popts_add_be32(o, IPCP_OPT_ADDRESS, e->ip_addr);
    if (e->role == PPPE_CLIENT) {
        if (e->ipcp_want_dns[0])
            popts_add_be32(o, IPCP_OPT_PRIMARY_DNS, e->dns[0]);
        if (e->ipcp_want_nbns[0])
            popts_add_be32(o, IPCP_OPT_PRIMARY_NBNS, e->nbns[0]);
        if (e->ipcp_want_dns[1])
            popts_add_be32(o, IPCP_OPT_SECONDARY_DNS, e->dns[1]);
        if (e->ipcp_want_nbns[1])
            popts_add_be32(o, IPCP_OPT_SECONDARY_NBNS, e->nbns[1]);
    }
}

/* Server: the value it gives for an option type, 0 when it has none. */
static uint32_t ipcp_server_value(const pppe *e, uint8_t type)
{
    switch (type) {
    case IPCP_OPT_ADDRESS: return e->cfg.ip_assign;
    case IPCP_OPT_PRIMARY_DNS: return e->cfg.dns[0];
    case IPCP_OPT_SECONDARY_DNS: return e->cfg.dns[1];
    case IPCP_OPT_PRIMARY_NBNS: return e->cfg.nbns[0];
    case IPCP_OPT_SECONDARY_NBNS: return e->cfg.nbns[1];
    default: return 0;
    }
}

static int ipcp_check(void *ctx, cpfsm *f, const popts *req, popts *resp)
{
    (void)f;
    pppe *e = ctx;
    popts nak, rej;
    popts_clear(&nak);
    popts_clear(&rej);
    for (int i = 0; i < req->n; i++) {
        const popt *o = &req->o[i];
        bool addr_like = o->type == IPCP_OPT_ADDRESS || o->type == IPCP_OPT_PRIMARY_DNS ||
                         o->type == IPCP_OPT_SECONDARY_DNS || o->type == IPCP_OPT_PRIMARY_NBNS ||
                         o->type == IPCP_OPT_SECONDARY_NBNS;
        if (!addr_like || o->len != 4) {
            popts_add(&rej, o->type, o->val, o->len);
            continue;
        }
        if (e->role == PPPE_CLIENT) {
            /* the server tells us its own address; nothing else is asked of us */
            if (o->type != IPCP_OPT_ADDRESS)
                popts_add(&rej, o->type, o->val, o->len);
            continue;
        }
        uint32_t want = ipcp_server_value(e, o->type);
        if (!want)
            popts_add(&rej, o->type, o->val, o->len);
        else if (popt_be32(o) != want)
            popts_add_be32(&nak, o->type, want);
    }
    if (rej.n) {
        *resp = rej;
        return CP_CONF_REJ;
    }
    if (nak.n) {
        *resp = nak;
        return CP_CONF_NAK;
    }
    return CP_CONF_ACK;
}

static void ipcp_nak(void *ctx, cpfsm *f, const popts *nak)
{
    (void)f;
    pppe *e = ctx;
    for (int i = 0; i < nak->n; i++) {
        const popt *o = &nak->o[i];
        uint32_t v = popt_be32(o);
        switch (o->type) {
        case IPCP_OPT_ADDRESS: e->ip_addr = v; break;
        case IPCP_OPT_PRIMARY_DNS: e->dns[0] = v; break;
        case IPCP_OPT_SECONDARY_DNS: e->dns[1] = v; break;
        case IPCP_OPT_PRIMARY_NBNS: e->nbns[0] = v; break;
        case IPCP_OPT_SECONDARY_NBNS: e->nbns[1] = v; break;
        default: break;
        }
    }
}

static void ipcp_rej(void *ctx, cpfsm *f, const popts *rej)
{
    (void)f;
    pppe *e = ctx;
    for (int i = 0; i < rej->n; i++) {
        switch (rej->o[i].type) {
        case IPCP_OPT_PRIMARY_DNS: e->ipcp_want_dns[0] = false; break;
        case IPCP_OPT_SECONDARY_DNS: e->ipcp_want_dns[1] = false; break;
        case IPCP_OPT_PRIMARY_NBNS: e->ipcp_want_nbns[0] = false; break;
        case IPCP_OPT_SECONDARY_NBNS: e->ipcp_want_nbns[1] = false; break;
        default: break;
        }
    }
}

static void ipcp_up(void *ctx, cpfsm *f)
{
    pppe *e = ctx;
    const popt *o = popts_find(&f->peer_req, IPCP_OPT_ADDRESS);
    e->ip_peer = o ? popt_be32(o) : 0;
    pppe_check_net_up(e);
}

const cp_ops pppe_ipcp_ops = {
    .build_req = ipcp_build,
    .check_req = ipcp_check,
    .got_nak = ipcp_nak,
    .got_rej = ipcp_rej,
    .up = ipcp_up,
    .down = ncp_changed,
    .finished = ncp_changed,
    .output = ncp_output,
};

/* ---- IPV6CP (RFC 5072) -------------------------------------------------------- */

static void random_ifid(pppe *e, uint8_t id[8])
{
    do
        prng_bytes(&e->rng, id, 8);
    while (!memcmp(id, "\0\0\0\0\0\0\0\0", 8));
}

static void ipv6cp_build(void *ctx, cpfsm *f, popts *o)
{
    (void)f;
    pppe *e = ctx;
    popts_add(o, IPV6CP_OPT_INTERFACE_ID, e->ifid, 8);
}

static int ipv6cp_check(void *ctx, cpfsm *f, const popts *req, popts *resp)
{
    (void)f;
    pppe *e = ctx;
    popts nak, rej;
    popts_clear(&nak);
    popts_clear(&rej);
    for (int i = 0; i < req->n; i++) {
        const popt *o = &req->o[i];
        if (o->type != IPV6CP_OPT_INTERFACE_ID || o->len != 8) {
            popts_add(&rej, o->type, o->val, o->len);
            continue;
        }
        if (!memcmp(o->val, "\0\0\0\0\0\0\0\0", 8) || !memcmp(o->val, e->ifid, 8)) {
            uint8_t id[8];
            random_ifid(e, id);
            popts_add(&nak, o->type, id, 8);
        }
    }
    if (rej.n) {
        *resp = rej;
        return CP_CONF_REJ;
    }
    if (nak.n) {
        *resp = nak;
        return CP_CONF_NAK;
    }
    return CP_CONF_ACK;
}

static void ipv6cp_nak(void *ctx, cpfsm *f, const popts *nak)
{
    (void)f;
    pppe *e = ctx;
    const popt *o = popts_find(nak, IPV6CP_OPT_INTERFACE_ID);
    if (o && o->len == 8)
        memcpy(e->ifid, o->val, 8);
}

static void ipv6cp_up(void *ctx, cpfsm *f)
{
    pppe *e = ctx;
    const popt *o = popts_find(&f->peer_req, IPV6CP_OPT_INTERFACE_ID);
    if (o && o->len == 8)
        memcpy(e->peer_ifid, o->val, 8);
    pppe_check_net_up(e);
}

const cp_ops pppe_ipv6cp_ops = {
    .build_req = ipv6cp_build,
    .check_req = ipv6cp_check,
    .got_nak = ipv6cp_nak,
    .up = ipv6cp_up,
    .down = ncp_changed,
    .finished = ncp_changed,
    .output = ncp_output,
};

/* ---- CCP / MPPE (RFC 1962, RFC 3078, RFC 3079) -------------------------------- */

static uint32_t strength_bit(unsigned bits)
{
    return bits == 128 ? CCP_MPPE_S : bits == 56 ? CCP_MPPE_M : bits == 40 ? CCP_MPPE_L : 0;
}

/* The exact option this side settles on. */
static uint32_t mppe_choice(const pppe *e)
{
    return strength_bit(e->cfg.mppe_bits) | (e->cfg.mppe_stateless ? CCP_MPPE_H : 0);
}

void pppe_ncp_reset(pppe *e)
{
    e->ip_addr = e->cfg.ip_local;
    e->ip_peer = 0;
    memset(e->dns, 0, sizeof e->dns);
    memset(e->nbns, 0, sizeof e->nbns);
    e->ipcp_want_dns[0] = e->ipcp_want_dns[1] = e->cfg.req_dns;
    e->ipcp_want_nbns[0] = e->ipcp_want_nbns[1] = e->cfg.req_nbns;
    random_ifid(e, e->ifid);
    memset(e->peer_ifid, 0, sizeof e->peer_ifid);
    e->mppe_want = mppe_choice(e);
    if (e->role == PPPE_CLIENT && e->cfg.mppe_offer_all)
        e->mppe_want = CCP_MPPE_S | CCP_MPPE_M | CCP_MPPE_L | (e->cfg.mppe_stateless ? CCP_MPPE_H : 0);
    e->mppe_agreed = 0;
    e->mppe_up = false;
    e->mppe_reset_sent = false;
}

static void ccp_build(void *ctx, cpfsm *f, popts *o)
{
    (void)f;
    pppe *e = ctx;
    popts_add_be32(o, CCP_OPT_MPPE, e->mppe_want);
}

static int ccp_check(void *ctx, cpfsm *f, const popts *req, popts *resp)
{
    (void)f;
    pppe *e = ctx;
    popts rej;
    popts_clear(&rej);
    const popt *m = NULL;
    for (int i = 0; i < req->n; i++) {
        const popt *o = &req->o[i];
        if (o->type == CCP_OPT_MPPE && o->len == 4 && !m)
            m = o;
        else
            popts_add(&rej, o->type, o->val, o->len);
    }
    if (rej.n) {
        *resp = rej;
        return CP_CONF_REJ;
    }
    uint32_t choice = mppe_choice(e);
    if (!m || popt_be32(m) != choice) {
        popts_clear(resp);
        popts_add_be32(resp, CCP_OPT_MPPE, choice);
        return CP_CONF_NAK;
    }
    return CP_CONF_ACK;
}

static void ccp_nak(void *ctx, cpfsm *f, const popts *nak)
{
    (void)f;
    pppe *e = ctx;
    const popt *o = popts_find(nak, CCP_OPT_MPPE);
    if (!o || o->len != 4)
        return;
    uint32_t v = popt_be32(o);
    /* take the suggestion when it names one strength we can do */
    uint32_t s = v & (CCP_MPPE_S | CCP_MPPE_M | CCP_MPPE_L);
    bool one = s == CCP_MPPE_S || s == CCP_MPPE_M || s == CCP_MPPE_L;
    if (one && (e->cfg.mppe_offer_all || s == strength_bit(e->cfg.mppe_bits)))
        e->mppe_want = v & (s | CCP_MPPE_H);
    else
        e->mppe_want = mppe_choice(e);
}

static int derive_keys(pppe *e, unsigned bits, mppe_key *tx, mppe_key *rx)
{
    if (e->auth_method == PAUTH_MSCHAPV2) {
        mppe_key c2s, s2c;
        int rc = mppe_start_keys_from_mschapv2(e->cx, &e->auth.password, e->auth.nt_response, bits, &c2s, &s2c);
        if (rc == MPPE_OK) {
            *tx = e->role == PPPE_CLIENT ? c2s : s2c;
            *rx = e->role == PPPE_CLIENT ? s2c : c2s;
        }
        mppe_key_wipe(&c2s);
        mppe_key_wipe(&s2c);
        return rc;
    }
    if (e->auth_method == PAUTH_MSCHAPV1) {
        int rc = mppe_v1_start_key(e->cx, &e->auth.password, e->auth.challenge, bits, tx);
        *rx = *tx;
        return rc;
    }
    return MPPE_ERR_PARAM; /* MPPE needs MS-CHAP keys */
}

static void ccp_up(void *ctx, cpfsm *f)
{
    pppe *e = ctx;
    const popt *o = popts_find(&f->req, CCP_OPT_MPPE);
    e->mppe_agreed = o ? popt_be32(o) : 0;
    unsigned bits = ccp_mppe_key_bits(e->mppe_agreed);
    bool stateless = (e->mppe_agreed & CCP_MPPE_H) != 0;
    mppe_key tx, rx;
    memset(&tx, 0, sizeof tx);
    memset(&rx, 0, sizeof rx);
    if (bits && derive_keys(e, bits, &tx, &rx) == MPPE_OK &&
        mppe_state_init(e->cx, &e->mppe_tx, &tx, bits, stateless) == MPPE_OK &&
        mppe_state_init(e->cx, &e->mppe_rx, &rx, bits, stateless) == MPPE_OK)
        e->mppe_up = true;
    else
        e->mppe_errors++;
    mppe_key_wipe(&tx);
    mppe_key_wipe(&rx);
    pppe_check_net_up(e);
}

static void ccp_down(void *ctx, cpfsm *f)
{
    pppe *e = ctx;
    e->mppe_up = false;
    ncp_changed(ctx, f);
}

static bool ccp_extra(void *ctx, cpfsm *f, uint8_t code, uint8_t id, const uint8_t *body, size_t len)
{
    (void)body;
    (void)len;
    pppe *e = ctx;
    if (code == CP_RESET_REQ) {
        if (e->mppe_up)
            mppe_request_flush(&e->mppe_tx);
        e->mppe_resets_rcvd++;
        cpfsm_send(f, CP_RESET_ACK, id, NULL, 0);
        pppe_emit(e, PPPE_EV_MPPE_RESET);
        return true;
    }
    return code == CP_RESET_ACK;
}

const cp_ops pppe_ccp_ops = {
    .build_req = ccp_build,
    .check_req = ccp_check,
    .got_nak = ccp_nak,
    .up = ccp_up,
    .down = ccp_down,
    .finished = ncp_changed,
    .extra_code = ccp_extra,
    .output = ncp_output,
};

/* ---- MPPE data ------------------------------------------------------------------ */

bool pppe_mppe_send(pppe *e, const uint8_t *plain, size_t n)
{
    uint8_t buf[2100];
    if (n + MPPE_HDR_LEN > sizeof buf)
        return false;
    uint16_t cc = 0;
    bool flushed = false;
    if (mppe_encrypt(e->cx, &e->mppe_tx, plain, n, buf + MPPE_HDR_LEN, &cc, &flushed) != MPPE_OK) {
        e->mppe_errors++;
        return false;
    }
    buf[0] = (uint8_t)((flushed ? MPPE_BIT_A : 0) | MPPE_BIT_D | ((cc >> 8) & 0x0f));
    buf[1] = (uint8_t)cc;
    pppe_send_proto(e, PPP_PROTO_COMP, buf, n + MPPE_HDR_LEN);
    return true;
}

void pppe_mppe_input(pppe *e, const uint8_t *data, size_t n)
{
    cursor c, payload;
    cursor_init_exact(&c, data, n);
    struct mppe_hdr h;
    if (mppe_decode(&c, &h, &payload, NULL) != DEC_OK || !h.encrypted) {
        e->mppe_errors++;
        return;
    }
    uint8_t plain[2100];
    size_t len = cursor_len(&payload);
    if (len > sizeof plain || len < 1) {
        e->mppe_errors++;
        return;
    }
    int rc = mppe_decrypt(e->cx, &e->mppe_rx, h.coherency_count, h.flushed, cursor_data(&payload), len, plain);
    if (rc == MPPE_ERR_LOST) {
        if (!e->mppe_reset_sent) {
            e->mppe_reset_sent = true;
            e->mppe_resets_sent++;
            cpfsm_send(&e->ccp, CP_RESET_REQ, 0, NULL, 0);
            pppe_emit(e, PPPE_EV_MPPE_RESET);
        }
        return;
    }
    if (rc != MPPE_OK) {
        e->mppe_errors++;
        return;
    }
    e->mppe_reset_sent = false;
    size_t k;
    uint16_t proto;
    if (plain[0] & 1) {
        proto = plain[0];
        k = 1;
    } else {
        if (len < 2) {
            e->mppe_errors++;
            return;
        }
        proto = (uint16_t)(plain[0] << 8 | plain[1]);
        k = 2;
    }
    if (proto == PPP_PROTO_IP && cpfsm_is_open(&e->ipcp)) {
        e->ip_in++;
        if (e->ip)
            e->ip(e->ctx, e, plain + k, len - k);
    }
}
