/*
 * detect_ops.c - operational rules: mass disconnects on one server, LCP
 * negotiations that never converge (Configure-Request loops), unanswered LCP
 * keepalives, and excessive MPPE resets (CCP Reset-Requests, forced rekeys).
 * Rules: docs/alerts.md.
 */
#include <stdio.h>
#include <string.h>

#include "ccp.h"
#include "detect_int.h"
#include "lcp.h"

static uint8_t cp_code_of(const struct pkt *p)
{
    cursor c = p->payload;
    return cursor_len(&c) ? cursor_data(&c)[0] : 0;
}

static void lcp_loop(struct sensor *s, struct call *k, struct detect_call *dc, uint64_t now)
{
    const struct pppneg *n = &k->ppp;
    uint32_t thr = det_rc(s, DR_OPS_LCP_NO_CONVERGENCE)->threshold;
    if (n->lcp_open || (n->lcp_confreqs[0] < thr && n->lcp_confreqs[1] < thr) || !det_on(s, DR_OPS_LCP_NO_CONVERGENCE) ||
        !det_once(&dc->fired, DR_OPS_LCP_NO_CONVERGENCE))
        return;
    ev *e = det_begin(s, DR_OPS_LCP_NO_CONVERGENCE, now, 0);
    if (!e)
        return;
    emit_call_identity(s, e, k);
    ev_set_uint(e, "pptp.alert.client.config_requests", n->lcp_confreqs[0]);
    ev_set_uint(e, "pptp.alert.server.config_requests", n->lcp_confreqs[1]);
    ev_set_uint(e, "pptp.alert.client.naks", n->lcp_naks[0]);
    ev_set_uint(e, "pptp.alert.server.naks", n->lcp_naks[1]);
    ev_set_uint(e, "pptp.alert.client.rejects", n->lcp_rejects[0]);
    ev_set_uint(e, "pptp.alert.server.rejects", n->lcp_rejects[1]);
    ev_set_uint(e, "pptp.alert.threshold", thr);
    det_message(e, "LCP does not converge: %u and %u Configure-Requests (client, server) and the link is still not open",
                n->lcp_confreqs[0], n->lcp_confreqs[1]);
    det_send(s, e);
}

static void echo(struct sensor *s, struct call *k, struct detect_call *dc, int dir, uint8_t code, uint64_t now)
{
    if (code == CP_ECHO_REQ) {
        if (dc->echo_out[dir] < UINT16_MAX)
            dc->echo_out[dir]++;
    } else if (code == CP_ECHO_REPLY) {
        dc->echo_out[1 - dir] = 0;
        return;
    } else {
        return;
    }
    uint32_t thr = det_rc(s, DR_OPS_ECHO_TIMEOUT)->threshold;
    if (dc->echo_out[dir] < thr || !det_on(s, DR_OPS_ECHO_TIMEOUT) || !det_once(&dc->fired, DR_OPS_ECHO_TIMEOUT))
        return;
    ev *e = det_begin(s, DR_OPS_ECHO_TIMEOUT, now, 0);
    if (!e)
        return;
    emit_call_identity(s, e, k);
    ev_set_str(e, "pptp.alert.protocol", "lcp");
    ev_set_str(e, "pptp.alert.direction", det_side(dir));
    ev_set_uint(e, "pptp.alert.unanswered", dc->echo_out[dir]);
    ev_set_uint(e, "pptp.alert.threshold", thr);
    det_message(e, "%u LCP Echo-Requests from the %s went unanswered: the peer or the path is gone", dc->echo_out[dir],
                det_side(dir));
    det_send(s, e);
}

static void resets(struct sensor *s, struct call *k, struct detect_call *dc, int dir, uint64_t now)
{
    const struct detect_rule_cfg *rc = det_rc(s, DR_MPPE_RESET_FLOOD);
    struct detect_rare *r = det_rare(s, dc);
    if (!r)
        return;
    r->resets_total++;
    uint32_t n = swin_add(&r->resets, now, rc->window_ns, 1);
    if (n < rc->threshold || !det_on(s, DR_MPPE_RESET_FLOOD) ||
        (r->reset_alert_ns && now - r->reset_alert_ns < rc->window_ns))
        return;
    ev *e = det_begin(s, DR_MPPE_RESET_FLOOD, now, 0);
    if (!e)
        return;
    r->reset_alert_ns = now;
    const struct pppneg *p = &k->ppp;
    emit_call_identity(s, e, k);
    ev_set_uint(e, "pptp.alert.count", n);
    ev_set_uint(e, "pptp.alert.threshold", rc->threshold);
    ev_set_uint(e, "pptp.alert.window", rc->window_ns);
    ev_set_uint(e, "pptp.alert.client.reset_requests", p->ccp_reset_req[0]);
    ev_set_uint(e, "pptp.alert.server.reset_requests", p->ccp_reset_req[1]);
    ev_set_uint(e, "pptp.alert.client.rekeys", p->mppe_rekeys[0]);
    ev_set_uint(e, "pptp.alert.server.rekeys", p->mppe_rekeys[1]);
    ev_set_str(e, "pptp.alert.direction", det_side(dir));
    det_message(e, "%u MPPE resets (CCP Reset-Requests and forced rekeys) within %llu s", n,
                (unsigned long long)(rc->window_ns / NS_PER_SEC));
    det_send(s, e);
}

void det_ops_ppp(struct sensor *s, struct call *k, struct detect_call *dc, int dir, const struct pkt *p,
                 unsigned due, uint64_t now)
{
    if (p->ppp.protocol == PPP_PROTO_LCP) {
        uint8_t code = cp_code_of(p);
        if (code == CP_CONF_REQ)
            lcp_loop(s, k, dc, now);
        echo(s, k, dc, dir, code, now);
    } else if (p->ppp.protocol == PPP_PROTO_CCP) {
        if (cp_code_of(p) == CP_RESET_REQ)
            resets(s, k, dc, dir, now);
    } else if ((due & PPPNEG_DUE_MPPE_REKEY) && k->ppp.mppe_rekey_trigger == PPPNEG_REKEY_FLUSHED) {
        resets(s, k, dc, dir, now);
    }
}

static const char *reason_name(int r) { return teardown_reason_name((enum teardown_reason)r); }

void det_ops_teardown(struct sensor *s, struct call *k, int reason, uint64_t now)
{
    if (reason == TD_SENSOR_SHUTDOWN || s->finished || !det_on(s, DR_OPS_MASS_DISCONNECT))
        return;
    const struct detect_rule_cfg *rc = det_rc(s, DR_OPS_MASS_DISCONNECT);
    struct dkey key;
    dkey_addr(&key, &k->server_ip);
    struct server_rec *v = dtab_get(&s->det->servers, &key, true, NULL);
    if (!v)
        return;
    uint32_t n = swin_add(&v->downs, now, rc->window_ns, 1);
    if (n == 1)
        memset(v->reasons, 0, sizeof v->reasons); /* a new run of teardowns */
    if ((unsigned)reason < sizeof v->reasons / sizeof v->reasons[0])
        v->reasons[reason]++;
    if (n < rc->threshold || (v->alert_ns && now - v->alert_ns < rc->window_ns))
        return;
    ev *e = det_begin(s, DR_OPS_MASS_DISCONNECT, now, 0);
    if (!e)
        return;
    v->alert_ns = now;
    char ip[64], key2[64];
    emit_call_identity(s, e, k);
    ev_set_uint(e, "pptp.alert.count", n);
    ev_set_uint(e, "pptp.alert.threshold", rc->threshold);
    ev_set_uint(e, "pptp.alert.window", rc->window_ns);
    det_set_ip(e, "pptp.alert.server_ip", &k->server_ip);
    for (int r = 0; r < (int)(sizeof v->reasons / sizeof v->reasons[0]); r++)
        if (v->reasons[r]) {
            snprintf(key2, sizeof key2, "pptp.alert.reasons.%s", reason_name(r));
            ev_set_uint(e, key2, v->reasons[r]);
        }
    memset(v->reasons, 0, sizeof v->reasons);
    det_message(e, "%u PPTP sessions on server %s ended within %llu s (latest: %s)", n,
                det_addr_str(&k->server_ip, ip, sizeof ip), (unsigned long long)(rc->window_ns / NS_PER_SEC),
                reason_name(reason));
    det_send(s, e);
}
