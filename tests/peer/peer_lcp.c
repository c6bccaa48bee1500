/* peer_lcp.c - LCP option policy of the PPP engine (RFC 1661); see peer_ppp.h */
#include <string.h>

#include "lcp.h"
#include "peer_ppp.h"
#include "ppp.h"

/* Auth-Protocol option value for a method. */
static size_t auth_opt_value(int m, uint8_t v[3])
{
    switch (m) {
    case PAUTH_PAP:
        v[0] = 0xc0, v[1] = 0x23;
        return 2;
    case PAUTH_CHAP_MD5:
        v[0] = 0xc2, v[1] = 0x23, v[2] = LCP_CHAP_MD5;
        return 3;
    case PAUTH_MSCHAPV1:
        v[0] = 0xc2, v[1] = 0x23, v[2] = LCP_CHAP_MSCHAP;
        return 3;
    case PAUTH_MSCHAPV2:
        v[0] = 0xc2, v[1] = 0x23, v[2] = LCP_CHAP_MSCHAPV2;
        return 3;
    case PAUTH_EAP_MD5:
        v[0] = 0xc2, v[1] = 0x27;
        return 2;
    default:
        return 0;
    }
}

static int auth_opt_method(const popt *o)
{
    uint16_t proto = popt_be16(o);
    if (o->len == 2 && proto == LCP_AUTH_PAP)
        return PAUTH_PAP;
    if (o->len == 2 && proto == LCP_AUTH_EAP)
        return PAUTH_EAP_MD5;
    if (o->len == 3 && proto == LCP_AUTH_CHAP) {
        switch (o->val[2]) {
        case LCP_CHAP_MD5: return PAUTH_CHAP_MD5;
        case LCP_CHAP_MSCHAP: return PAUTH_MSCHAPV1;
        case LCP_CHAP_MSCHAPV2: return PAUTH_MSCHAPV2;
        default: return -1;
        }
    }
    return -1;
}

/* Client: the method it prefers among those it accepts. */
static int preferred_method(const pppe *e)
{
    static const int order[] = {PAUTH_MSCHAPV2, PAUTH_MSCHAPV1, PAUTH_CHAP_MD5, PAUTH_EAP_MD5, PAUTH_PAP};
    for (size_t i = 0; i < sizeof order / sizeof order[0]; i++)
        if (e->cfg.auth_accept & (1u << order[i]))
            return order[i];
    return PAUTH_NONE;
}

static void lcp_build(void *ctx, cpfsm *f, popts *o)
{
    (void)f;
    pppe *e = ctx;
    if (e->want.mru)
        popts_add_be16(o, LCP_OPT_MRU, e->want.mru);
    if (e->want.accm)
        popts_add_be32(o, LCP_OPT_ACCM, e->cfg.accm);
    if (e->role == PPPE_SERVER && e->want.auth_idx >= 0) {
        uint8_t v[3];
        size_t n = auth_opt_value(e->cfg.auth_offer[e->want.auth_idx], v);
        if (n)
            popts_add(o, LCP_OPT_AUTH, v, n);
    }
    if (e->want.magic)
        popts_add_be32(o, LCP_OPT_MAGIC, e->want.magic_val);
    if (e->want.pfc)
        popts_add(o, LCP_OPT_PFC, NULL, 0);
    if (e->want.acfc)
        popts_add(o, LCP_OPT_ACFC, NULL, 0);
    if (e->want.callback)
        popts_add_u8(o, LCP_OPT_CALLBACK, e->cfg.callback_op);
    if (e->want.mrru)
        popts_add_be16(o, LCP_OPT_MRRU, e->cfg.mrru);
}

static uint32_t new_magic(pppe *e)
{
    uint32_t m;
    do
        m = prng_u32(&e->rng);
    while (!m);
    return m;
}

static int lcp_check(void *ctx, cpfsm *f, const popts *req, popts *resp)
{
    (void)f;
    pppe *e = ctx;
    popts nak, rej;
    popts_clear(&nak);
    popts_clear(&rej);
    for (int i = 0; i < req->n; i++) {
        const popt *o = &req->o[i];
        bool known = true, bad = false;
        switch (o->type) {
        case LCP_OPT_MRU:
            bad = o->len != 2;
            if (!bad && e->cfg.max_peer_mru && popt_be16(o) > e->cfg.max_peer_mru)
                popts_add_be16(&nak, LCP_OPT_MRU, e->cfg.max_peer_mru);
            break;
        case LCP_OPT_ACCM:
            bad = o->len != 4;
            break;
        case LCP_OPT_AUTH:
            if (e->role == PPPE_SERVER) {
                bad = true; /* we do not authenticate ourselves to the client */
            } else {
                int m = auth_opt_method(o);
                if (m < 0 || !(e->cfg.auth_accept & (1u << m))) {
                    uint8_t v[3];
                    size_t n = auth_opt_value(preferred_method(e), v);
                    if (n)
                        popts_add(&nak, LCP_OPT_AUTH, v, n);
                    else
                        bad = true;
                }
            }
            break;
        case LCP_OPT_MAGIC:
            bad = o->len != 4;
            if (!bad && (popt_be32(o) == 0 || (e->want.magic && popt_be32(o) == e->want.magic_val)))
                popts_add_be32(&nak, LCP_OPT_MAGIC, new_magic(e));
            break;
        case LCP_OPT_PFC:
        case LCP_OPT_ACFC:
            bad = o->len != 0;
            break;
        case LCP_OPT_CALLBACK:
        case LCP_OPT_MRRU:
        case LCP_OPT_ENDPOINT_DISC:
            break;
        default:
            known = false;
            break;
        }
        if (!known || bad || (o->type < 32 && (e->cfg.reject_opts & (1u << o->type))))
            popts_add(&rej, o->type, o->val, o->len);
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

static void lcp_ack(void *ctx, cpfsm *f, const popts *acked)
{
    (void)f;
    pppe *e = ctx;
    const popt *m = popts_find(acked, LCP_OPT_MAGIC);
    e->magic = m ? popt_be32(m) : 0;
}

static void lcp_nak(void *ctx, cpfsm *f, const popts *nak)
{
    (void)f;
    pppe *e = ctx;
    for (int i = 0; i < nak->n; i++) {
        const popt *o = &nak->o[i];
        switch (o->type) {
        case LCP_OPT_MRU:
            if (o->len == 2 && popt_be16(o) >= 128)
                e->want.mru = popt_be16(o);
            break;
        case LCP_OPT_MAGIC:
            e->want.magic_val = new_magic(e);
            break;
        case LCP_OPT_AUTH:
            if (e->role == PPPE_SERVER && e->want.auth_idx >= 0) {
                int m = auth_opt_method(o), next = -1;
                for (int k = 0; k < e->cfg.n_auth_offer; k++)
                    if (e->cfg.auth_offer[k] == m)
                        next = k;
                if (next < 0 && e->want.auth_idx + 1 < e->cfg.n_auth_offer)
                    next = e->want.auth_idx + 1;
                e->want.auth_idx = next;
            }
            break;
        default:
            break;
        }
    }
}

static void lcp_rej(void *ctx, cpfsm *f, const popts *rej)
{
    (void)f;
    pppe *e = ctx;
    for (int i = 0; i < rej->n; i++) {
        uint8_t t = rej->o[i].type;
        if (t < 32)
            e->lcp_rejected_by_peer |= 1u << t;
        switch (t) {
        case LCP_OPT_MRU: e->want.mru = 0; break;
        case LCP_OPT_ACCM: e->want.accm = false; break;
        case LCP_OPT_AUTH: e->want.auth_idx = -1; break;
        case LCP_OPT_MAGIC: e->want.magic = false; break;
        case LCP_OPT_PFC: e->want.pfc = false; break;
        case LCP_OPT_ACFC: e->want.acfc = false; break;
        case LCP_OPT_CALLBACK: e->want.callback = false; break;
        case LCP_OPT_MRRU: e->want.mrru = false; break;
        default: break;
        }
    }
}

static void lcp_up(void *ctx, cpfsm *f)
{
    pppe *e = ctx;
    const popts *peer = &f->peer_req;
    e->tx_acfc = popts_find(peer, LCP_OPT_ACFC) != NULL;
    e->tx_pfc = popts_find(peer, LCP_OPT_PFC) != NULL;
    const popt *o = popts_find(peer, LCP_OPT_MAGIC);
    e->peer_magic = o ? popt_be32(o) : 0;
    o = popts_find(peer, LCP_OPT_MRU);
    e->peer_mru = o ? popt_be16(o) : 1500;
    e->auth_method = PAUTH_NONE;
    if (e->role == PPPE_SERVER) {
        if (popts_find(&f->req, LCP_OPT_AUTH) && e->want.auth_idx >= 0)
            e->auth_method = e->cfg.auth_offer[e->want.auth_idx];
    } else if ((o = popts_find(peer, LCP_OPT_AUTH)) != NULL) {
        int m = auth_opt_method(o);
        e->auth_method = m < 0 ? PAUTH_NONE : m;
    }
    pppe_emit(e, PPPE_EV_LCP_UP);
    if (e->auth_method != PAUTH_NONE) {
        e->phase = PPHASE_AUTH;
        pauth_start(e);
    } else {
        pppe_enter_network(e);
    }
}

static void lcp_down(void *ctx, cpfsm *f)
{
    (void)f;
    pppe *e = ctx;
    cpfsm_lower_down(&e->ccp);
    cpfsm_lower_down(&e->ipcp);
    cpfsm_lower_down(&e->ipv6cp);
    e->mppe_up = false;
    e->tx_acfc = e->tx_pfc = false;
    if (e->phase != PPHASE_DEAD)
        e->phase = PPHASE_TERMINATE;
}

static void lcp_finished(void *ctx, cpfsm *f)
{
    (void)f;
    pppe *e = ctx;
    e->phase = PPHASE_DEAD;
    if (!e->down_emitted) {
        e->down_emitted = true;
        pppe_emit(e, PPPE_EV_DOWN);
    }
}

static bool lcp_extra(void *ctx, cpfsm *f, uint8_t code, uint8_t id, const uint8_t *body, size_t len)
{
    pppe *e = ctx;
    switch (code) {
    case CP_PROTO_REJ: {
        if (len < 2)
            return true;
        uint16_t proto = (uint16_t)(body[0] << 8 | body[1]);
        cpfsm *t = proto == PPP_PROTO_IPCP     ? &e->ipcp
                   : proto == PPP_PROTO_IPV6CP ? &e->ipv6cp
                   : proto == PPP_PROTO_CCP    ? &e->ccp
                                               : NULL;
        if (t) {
            cpfsm_proto_rejected(t, e->now);
            pppe_check_net_up(e);
        }
        return true;
    }
    case CP_ECHO_REQ: {
        if (!cpfsm_is_open(f))
            return true;
        uint8_t rep[1600];
        size_t n = len > sizeof rep ? sizeof rep : len;
        if (n < 4)
            n = 4;
        memset(rep, 0, 4);
        if (len > 4)
            memcpy(rep + 4, body + 4, n - 4);
        rep[0] = (uint8_t)(e->magic >> 24), rep[1] = (uint8_t)(e->magic >> 16);
        rep[2] = (uint8_t)(e->magic >> 8), rep[3] = (uint8_t)e->magic;
        cpfsm_send(f, CP_ECHO_REPLY, id, rep, n);
        return true;
    }
    case CP_ECHO_REPLY:
        e->echo_rcvd++;
        return true;
    case CP_DISCARD_REQ:
    case CP_IDENTIFICATION:
    case CP_TIME_REMAINING:
        return true;
    default:
        return false;
    }
}

static void lcp_output(void *ctx, cpfsm *f, const uint8_t *info, size_t n)
{
    pppe_send_proto(ctx, f->ppp_proto, info, n);
}

const cp_ops pppe_lcp_ops = {
    .build_req = lcp_build,
    .check_req = lcp_check,
    .got_ack = lcp_ack,
    .got_nak = lcp_nak,
    .got_rej = lcp_rej,
    .up = lcp_up,
    .down = lcp_down,
    .finished = lcp_finished,
    .extra_code = lcp_extra,
    .output = lcp_output,
};
