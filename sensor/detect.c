/*
 * detect.c - the detectors' core: state, event helpers (rule fields, per-rule
 * rate cap), the hooks the pipeline calls, and the GRE rules (unowned Call IDs,
 * packets from a third address or after teardown, Call ID collisions,
 * sequence numbers outside the window).  Rules: docs/alerts.md.
 */
#include <arpa/inet.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "community_id.h"
#include "detect_int.h"

#define MINUTE_NS (60 * NS_PER_SEC)

/* ---- state ---- */

int detect_init(struct sensor *s)
{
    struct detect *d = calloc(1, sizeof *d);
    if (!d)
        return -1;
    if (s->cfg->detect)
        d->cfg = *s->cfg->detect;
    else
        detect_config_defaults(&d->cfg);
    uint32_t cap = d->cfg.max_sources;
    s->det = d;
    /* threshold 0: the sequence rule fires on the first GRE packet of any call */
    s->det_gre_every = d->cfg.r[DR_GRE_SEQUENCE_ANOMALY].threshold == 0;
    if (dtab_init(&d->auth_src, s, cap, sizeof(struct auth_src), NULL) ||
        dtab_init(&d->auth_user, s, cap, sizeof(struct auth_user), NULL) ||
        dtab_init(&d->ctrl_src, s, cap, sizeof(struct ctrl_src), NULL) ||
        dtab_init(&d->servers, s, cap, sizeof(struct server_rec), NULL) ||
        dtab_init(&d->unowned, s, cap, sizeof(struct unowned_rec), NULL)) {
        detect_free(s);
        return -1;
    }
    return 0;
}

void detect_free(struct sensor *s)
{
    struct detect *d = s->det;
    if (!d)
        return;
    det_ndpi_free(s);
    dtab_free(&d->auth_src);
    dtab_free(&d->auth_user);
    dtab_free(&d->ctrl_src);
    dtab_free(&d->servers);
    dtab_free(&d->unowned);
    free(d->ended);
    free(d->frags);
    free(d);
    s->det = NULL;
}

struct detect_call *det_call(struct sensor *s, struct call *k)
{
    if (!k->det && s->det) {
        k->det = calloc(1, sizeof *k->det);
        if (k->det)
            s->det->mem_calls += sizeof *k->det;
    }
    return k->det;
}

struct detect_rare *det_rare(struct sensor *s, struct detect_call *dc)
{
    if (!dc->rare && s->det) {
        dc->rare = calloc(1, sizeof *dc->rare);
        if (dc->rare)
            s->det->mem_calls += sizeof *dc->rare;
    }
    return dc->rare;
}

struct detect_ctrl *det_ctrl(struct sensor *s, struct ctrl_conn *c)
{
    if (!c->det && s->det) {
        c->det = calloc(1, sizeof *c->det);
        if (c->det)
            s->det->mem_calls += sizeof *c->det;
    }
    return c->det;
}

void detect_call_free(struct sensor *s, struct call *k)
{
    if (!k->det)
        return;
    det_ndpi_call_free(s, k->det); /* also after detect_free (sensor_free) */
    if (s->det)
        s->det->mem_calls -= sizeof *k->det + (k->det->rare ? sizeof *k->det->rare : 0);
    free(k->det->rare);
    free(k->det);
    k->det = NULL;
}

void detect_ctrl_free(struct sensor *s, struct ctrl_conn *c)
{
    if (!c->det)
        return;
    if (s->det)
        s->det->mem_calls -= sizeof *c->det;
    free(c->det);
    c->det = NULL;
}

/* ---- events ---- */

ev *det_begin(struct sensor *s, enum detect_rule r, uint64_t ts, int bump)
{
    struct detect *d = s->det;
    if (!d || d->quiet || (unsigned)r >= DR_COUNT || !d->cfg.r[r].enabled)
        return NULL;
    const struct detect_rule_cfg *rc = &d->cfg.r[r];
    if (ts >= d->rate[r].win_start + MINUTE_NS) {
        d->rate[r].win_start = ts;
        d->rate[r].count = 0;
    }
    if (d->rate[r].count >= rc->max_per_minute) {
        d->rate[r].suppressed++;
        return NULL;
    }
    d->rate[r].count++;
    int level = (int)rc->level + bump;
    if (level < DL_INFO)
        level = DL_INFO;
    if (level > DL_CRITICAL)
        level = DL_CRITICAL;
    const struct detect_rule_info *ri = detect_rule_info(r);
    bool alert = r < DR_ALERT_COUNT;
    ev *e = emit_begin(s, alert ? EV_CLASS_ALERT : EV_CLASS_FRAG, ri->action, ts, detect_level_name((unsigned)level));
    if (alert) {
        ev_set_str(e, "rule.id", ri->id);
        ev_set_str(e, "rule.name", ri->name);
        ev_set_str(e, "rule.category", ri->category);
        ev_set_str(e, "rule.ruleset", "pptp-sensor");
    }
    return e;
}

void det_message(ev *e, const char *fmt, ...)
{
    char buf[512];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(buf, sizeof buf, fmt, ap);
    va_end(ap);
    ev_set_str(e, "message", buf);
}

void det_send(struct sensor *s, ev *e) { emit_send(s, e); }

const char *det_addr_str(const sn_addr *a, char *buf, size_t n) { return sn_addr_str(a, buf, n); }

void det_set_ip(ev *e, const char *key, const sn_addr *a)
{
    ev_set_ip(e, key, a->v6 ? AF_INET6 : AF_INET, a->a);
}

void det_gre_flow(ev *e, const sn_addr *src, const sn_addr *dst)
{
    char cid[COMMUNITY_ID_BUFSZ];
    ev_set_str(e, "network.transport", "gre");
    ev_set_str(e, "network.type", src->v6 ? "ipv6" : "ipv4");
    if (community_id_v1(0, src->v6 ? AF_INET6 : AF_INET, src->a, dst->a, 47, 0, 0, false, cid))
        ev_set_str(e, "network.community_id", cid);
    else
        ev_unset(e, "network.community_id");
}

void det_add_ip(ev *e, const char *key, const sn_addr *a)
{
    ev_add_ip_array(e, key, a->v6 ? AF_INET6 : AF_INET, a->a);
}

/* ---- GRE rules ---- */

static uint32_t ended_slot(const sn_addr *dst, uint16_t call_id)
{
    return (uint32_t)(sn_addr_hash(dst, 0x51ed27ull + call_id) % DET_ENDED_SLOTS);
}

/* Remember an ended call's two GRE keys for pptp.gre.after_teardown. */
void det_gre_ended(struct sensor *s, struct call *k)
{
    struct detect *d = s->det;
    if (!d || (!d->cfg.r[DR_GRE_AFTER_TEARDOWN].enabled && !d->cfg.r[DR_CTRL_STATE_VIOLATION].enabled))
        return;
    if (!d->ended) {
        d->ended = calloc(DET_ENDED_SLOTS, sizeof *d->ended);
        if (!d->ended)
            return;
    }
    for (int dir = 0; dir < 2; dir++) {
        if (dir == DIR_CLIENT ? !k->have_pac_id : !k->have_pns_id)
            continue;
        const sn_addr *dst = dir == DIR_CLIENT ? &k->server_ip : &k->client_ip;
        uint16_t id = dir == DIR_CLIENT ? k->pac_call_id : k->pns_call_id;
        struct ended_call *x = &d->ended[ended_slot(dst, id)];
        memset(x, 0, sizeof *x);
        x->used = 1;
        x->dst = *dst;
        x->call_id = id;
        x->end_ns = k->end_ns;
        x->session_id = k->session_id;
        x->client_ip = k->client_ip;
        x->server_ip = k->server_ip;
    }
}

/* A call with this GRE key (destination, Call ID) ended at most `within` ago. */
bool det_recently_ended(const struct sensor *s, const sn_addr *dst, uint16_t call_id, uint64_t now, uint64_t within)
{
    const struct detect *d = s->det;
    if (!d || !d->ended)
        return false;
    const struct ended_call *x = &d->ended[ended_slot(dst, call_id)];
    return x->used && x->call_id == call_id && sn_addr_eq(&x->dst, dst) && now >= x->end_ns && now - x->end_ns <= within;
}

/* GRE after its call ended; true when the packet is explained that way. */
static bool after_teardown(struct sensor *s, const sn_addr *src, const sn_addr *dst, uint16_t call_id, uint64_t now)
{
    struct detect *d = s->det;
    if (!d->ended || !det_on(s, DR_GRE_AFTER_TEARDOWN))
        return false;
    struct ended_call *x = &d->ended[ended_slot(dst, call_id)];
    const struct detect_rule_cfg *rc = det_rc(s, DR_GRE_AFTER_TEARDOWN);
    if (!x->used || x->call_id != call_id || !sn_addr_eq(&x->dst, dst) || now < x->end_ns ||
        now - x->end_ns > rc->window_ns)
        return false;
    if (now - x->end_ns < rc->grace_ns)
        return true; /* in flight when the call ended: normal */
    x->packets++;
    if (x->alerted || x->packets < rc->threshold)
        return true;
    x->alerted = 1;
    ev *e = det_begin(s, DR_GRE_AFTER_TEARDOWN, now, 0);
    if (!e)
        return true;
    char a[64], b[64], id[17];
    det_set_ip(e, "source.ip", src);
    det_set_ip(e, "destination.ip", dst);
    det_add_ip(e, "related.ip", src);
    det_add_ip(e, "related.ip", dst);
    det_gre_flow(e, src, dst);
    id_hex(x->session_id, id);
    ev_set_str(e, "pptp.alert.ended_session_id", id);
    ev_set_uint(e, "pptp.alert.call_id", call_id);
    ev_set_uint(e, "pptp.alert.packets", x->packets);
    ev_set_uint(e, "pptp.alert.since_teardown", now - x->end_ns);
    ev_set_time(e, "pptp.alert.teardown_time", (int64_t)x->end_ns);
    det_message(e, "GRE from %s to %s for Call ID %u continues %.1f s after its call ended (%u packets)",
                det_addr_str(src, a, sizeof a), det_addr_str(dst, b, sizeof b), call_id,
                (double)(now - x->end_ns) / 1e9, x->packets);
    det_send(s, e);
    return true;
}

void detect_on_gre_miss(struct sensor *s, const struct pkt *p, const sn_addr *src, const sn_addr *dst,
                        struct call *k, uint64_t now)
{
    if (!s->det)
        return;
    uint16_t call_id = p->gre.call_id;
    if (after_teardown(s, src, dst, call_id, now) || k || !det_on(s, DR_GRE_UNOWNED))
        return;
    struct dkey key;
    dkey_pair(&key, src, dst);
    struct unowned_rec *u = dtab_get(&s->det->unowned, &key, true, NULL);
    if (!u)
        return;
    const struct detect_rule_cfg *rc = det_rc(s, DR_GRE_UNOWNED);
    u->total++;
    u->last_call_id = call_id;
    uint32_t n = swin_add(&u->pkts, now, rc->window_ns, 1);
    if (n < rc->threshold || (u->alert_ns && now - u->alert_ns < rc->window_ns))
        return;
    ev *e = det_begin(s, DR_GRE_UNOWNED, now, 0);
    if (!e)
        return;
    u->alert_ns = now;
    char a[64], b[64];
    struct ctrl_conn *c = ctrl_find_pair(s, src, dst);
    if (c)
        emit_ctrl_identity(s, e, c);
    det_set_ip(e, "source.ip", src);
    det_set_ip(e, "destination.ip", dst);
    ev_unset(e, "source.port");
    ev_unset(e, "destination.port");
    det_gre_flow(e, src, dst); /* the GRE flow; pptp.ctrl.community_id stays the TCP one */
    det_add_ip(e, "related.ip", src);
    det_add_ip(e, "related.ip", dst);
    ev_set_uint(e, "pptp.alert.call_id", call_id);
    ev_set_uint(e, "pptp.alert.count", n);
    ev_set_uint(e, "pptp.alert.threshold", rc->threshold);
    ev_set_uint(e, "pptp.alert.window", rc->window_ns);
    ev_set_uint(e, "pptp.alert.packets", u->total);
    det_message(e, "%u GRE packets from %s to %s carry Call IDs no call owns (latest %u)%s", n,
                det_addr_str(src, a, sizeof a), det_addr_str(dst, b, sizeof b), call_id,
                c ? " although a PPTP control connection links the two hosts" : "");
    det_send(s, e);
}

/* Another live call between src and the packet's destination holds this Call ID:
 * two PNSs got the same PAC Call ID (legal: RFC 2637 makes them unique per
 * PAC-PNS pair) and the GRE table, keyed by destination and Call ID, found the
 * other one.  Not an injection. */
static bool other_owner(struct sensor *s, const struct call *k, int dir, const sn_addr *src, uint16_t call_id)
{
    const sn_addr *dst = dir == DIR_CLIENT ? &k->server_ip : &k->client_ip;
    struct ctrl_conn *c = ctrl_find_pair(s, src, dst);
    if (!c)
        return false;
    for (const struct call *o = c->calls; o; o = o->ctrl_next)
        if (o != k && o->state != CALL_STATE_DOWN &&
            (dir == DIR_CLIENT ? o->have_pac_id && o->pac_call_id == call_id : o->have_pns_id && o->pns_call_id == call_id))
            return true;
    return false;
}

void detect_on_gre(struct sensor *s, struct call *k, int dir, const struct pkt *p, const sn_addr *src, bool oow_now,
                   uint64_t now)
{
    if (!s->det || s->det->quiet)
        return;
    const sn_addr *peer = dir == DIR_CLIENT ? &k->client_ip : &k->server_ip;
    bool wrong = !sn_addr_eq(src, peer) && !other_owner(s, k, dir, src, p->gre.call_id);
    uint32_t thr = det_rc(s, DR_GRE_SEQUENCE_ANOMALY)->threshold;
    /* the out-of-window counts move only with out-of-window packets: the common
     * case reads nothing beyond the call's first lines */
    if (!wrong && !oow_now && thr > 0)
        return;
    const struct gre_errs *x0 = &k->gre_err[0], *x1 = &k->gre_err[1];
    uint64_t oow = (uint64_t)x0->out_of_window + x1->out_of_window;
    if (!wrong && oow < thr)
        return; /* nothing to do, nothing allocated */
    struct detect_call *dc = det_call(s, k);
    if (!dc)
        return;
    char a[64], b[64];
    struct detect_rare *rr = wrong ? det_rare(s, dc) : NULL;
    if (rr && det_on(s, DR_GRE_WRONG_SOURCE)) {
        rr->wrong_src_pkts++;
        rr->wrong_src = *src;
        if (rr->wrong_src_pkts >= det_rc(s, DR_GRE_WRONG_SOURCE)->threshold &&
            det_once(&dc->fired, DR_GRE_WRONG_SOURCE)) {
            ev *e = det_begin(s, DR_GRE_WRONG_SOURCE, now, 0);
            if (e) {
                emit_call_identity(s, e, k);
                det_set_ip(e, "pptp.alert.source_ip", src);
                det_set_ip(e, "pptp.alert.expected_ip", peer);
                det_add_ip(e, "related.ip", src);
                ev_set_str(e, "pptp.alert.direction", det_side(dir));
                ev_set_uint(e, "pptp.alert.call_id", p->gre.call_id);
                ev_set_uint(e, "pptp.alert.packets", rr->wrong_src_pkts);
                det_message(e, "GRE for this call's Call ID %u came from %s, not from the tunnel peer %s",
                            p->gre.call_id, det_addr_str(src, a, sizeof a), det_addr_str(peer, b, sizeof b));
                det_send(s, e);
            }
        }
    }
    if (oow >= det_rc(s, DR_GRE_SEQUENCE_ANOMALY)->threshold && det_on(s, DR_GRE_SEQUENCE_ANOMALY) &&
        det_once(&dc->fired, DR_GRE_SEQUENCE_ANOMALY)) {
        ev *e = det_begin(s, DR_GRE_SEQUENCE_ANOMALY, now, 0);
        if (e) {
            emit_call_identity(s, e, k);
            ev_set_uint(e, "pptp.alert.count", oow);
            ev_set_uint(e, "pptp.alert.threshold", det_rc(s, DR_GRE_SEQUENCE_ANOMALY)->threshold);
            ev_set_uint(e, "pptp.alert.client.out_of_window", x0->out_of_window);
            ev_set_uint(e, "pptp.alert.server.out_of_window", x1->out_of_window);
            ev_set_uint(e, "pptp.alert.client.duplicates", x0->duplicates);
            ev_set_uint(e, "pptp.alert.server.duplicates", x1->duplicates);
            ev_set_uint(e, "pptp.alert.client.max_seq", k->gre[0].max_seq);
            ev_set_uint(e, "pptp.alert.server.max_seq", k->gre[1].max_seq);
            ev_set_str(e, "pptp.alert.direction", det_side(dir));
            det_message(e, "%llu GRE sequence numbers of this call were replayed from far behind or jumped far "
                           "ahead of the window (injection or replay)",
                        (unsigned long long)oow);
            det_send(s, e);
        }
    }
}

void detect_on_call_ids(struct sensor *s, struct call *k, int have_pns, uint16_t pns, int have_pac, uint16_t pac)
{
    if (!det_on(s, DR_GRE_CALL_ID_COLLISION))
        return;
    for (int side = 0; side < 2; side++) {
        /* side 0: the PNS's id keys packets to the client; side 1: the PAC's to the server */
        if (side == 0 ? (!have_pns || (k->have_pns_id && k->pns_call_id == pns))
                      : (!have_pac || (k->have_pac_id && k->pac_call_id == pac)))
            continue;
        const sn_addr *dst = side == 0 ? &k->client_ip : &k->server_ip;
        uint16_t id = side == 0 ? pns : pac;
        const sn_addr *src = side == 0 ? &k->server_ip : &k->client_ip;
        int dir;
        struct call *o = gre_find(s, src, dst, id, &dir);
        /* RFC 2637 makes Call IDs unique per PAC-PNS pair: only calls between
         * the same two addresses can collide */
        if (!o || o == k || o->state == CALL_STATE_DOWN || dir != (side == 0 ? DIR_SERVER : DIR_CLIENT) ||
            !sn_addr_eq(&o->client_ip, &k->client_ip) || !sn_addr_eq(&o->server_ip, &k->server_ip))
            continue;
        /* the same Call ID towards one server from two different clients is how
         * pptpd works (it demultiplexes by Call ID and peer): not a collision */
        if (!sn_addr_eq(side == 0 ? &o->server_ip : &o->client_ip, src))
            continue;
        struct detect_call *dc = det_call(s, k);
        if (!dc || !det_once(&dc->fired, DR_GRE_CALL_ID_COLLISION))
            continue;
        ev *e = det_begin(s, DR_GRE_CALL_ID_COLLISION, s->now, 0);
        if (!e)
            continue;
        char oid[17], a[64];
        emit_call_identity(s, e, k);
        /* the identity shows the ids the call had so far: add the colliding one */
        ev_set_uint(e, side == 0 ? "pptp.call.pns_call_id" : "pptp.call.pac_call_id", id);
        id_hex(o->session_id, oid);
        ev_set_str(e, "pptp.alert.other_session_id", oid);
        ev_set_uint(e, "pptp.alert.call_id", id);
        ev_set_str(e, "pptp.alert.call_id_owner", side == 0 ? "pns" : "pac");
        det_set_ip(e, "pptp.alert.gre_destination", dst);
        det_message(e, "Call ID %u towards %s is claimed by two live calls: GRE of one is delivered to the other", id,
                    det_addr_str(dst, a, sizeof a));
        det_send(s, e);
    }
}

/* ---- PPP and teardown ---- */

void detect_on_ppp(struct sensor *s, struct call *k, int dir, const struct pkt *p, unsigned due, uint64_t now)
{
    if (!s->det || s->det->quiet)
        return;
    enum ppp_kind kind = dispatch_ppp_kind(p->ppp.protocol);
    if (kind == PPP_KIND_COMPRESSED && !due) {
        /* MPPE data, the hot path: a few comparisons on the call's hot lines,
         * nothing allocated unless the frame is over the MRU or cleartext
         * follows encryption */
        struct detect_call *dc;
        if (det_frag_over_mru(s, k, dir, p) && (dc = det_call(s, k)))
            det_frag_ppp(s, k, dc, dir, p, now);
        if (k->ppp.ccp_open && (k->ppp.dp_flags & PPPNEG_DP_CLEAR(dir)) && (dc = k->det) &&
            k->ppp.comp_clear[dir] != dc->comp_clear_at_mppe[dir])
            det_weak_ppp(s, k, dc, dir, p, due, now);
        return;
    }
    struct detect_call *dc = det_call(s, k);
    if (!dc)
        return;
    if (due & (PPPNEG_DUE_AUTH_FAILURE | PPPNEG_DUE_AUTH_SUCCESS))
        det_auth_ppp(s, k, dc, dir, due, now);
    det_weak_ppp(s, k, dc, dir, p, due, now);
    det_ops_ppp(s, k, dc, dir, p, due, now);
    det_frag_ppp(s, k, dc, dir, p, now);
    if (kind == PPP_KIND_IPV4 || kind == PPP_KIND_IPV6)
        det_ndpi_inner(s, k, dc, p, now);
}

int detect_other_tcp(struct sensor *s, const struct pkt *p, uint64_t now)
{
    return s->det ? det_ndpi_other_tcp(s, p, now) : 0;
}

void detect_fill_teardown(struct sensor *s, struct call *k, ev *e)
{
    if (s->det && k->det)
        det_ndpi_fill(s, k->det, e);
}

void detect_on_teardown(struct sensor *s, struct call *k, int reason, uint64_t now)
{
    if (!s->det || s->det->quiet)
        return;
    det_gre_ended(s, k);
    det_weak_teardown(s, k, now);
    det_ops_teardown(s, k, reason, now);
}

void detect_fill_stats(struct sensor *s, ev *e)
{
    const struct detect *d = s->det;
    if (!d)
        return;
    uint64_t flows, pptp, suppressed = 0;
    uint64_t mem = sizeof *d + dtab_mem(&d->auth_src) + dtab_mem(&d->auth_user) + dtab_mem(&d->ctrl_src) +
                   dtab_mem(&d->servers) + dtab_mem(&d->unowned) + d->mem_calls + det_ndpi_mem(s, &flows, &pptp);
    if (d->ended)
        mem += DET_ENDED_SLOTS * sizeof *d->ended;
    if (d->frags)
        mem += DET_FRAG_SLOTS * sizeof *d->frags;
    for (int r = 0; r < DR_COUNT; r++)
        suppressed += d->rate[r].suppressed;
    ev_set_uint(e, "pptp.stats.memory.detect_bytes", mem);
    ev_set_uint(e, "pptp.stats.detect.suppressed", suppressed);
    ev_set_uint(e, "pptp.stats.detect.evicted", d->auth_src.evicted + d->auth_user.evicted + d->ctrl_src.evicted +
                                                    d->servers.evicted + d->unowned.evicted);
    ev_set_uint(e, "pptp.stats.detect.ndpi_flows", flows);
    ev_set_uint(e, "pptp.stats.detect.ndpi_pptp_ports", pptp);
    ev_set_str(e, "pptp.stats.detect.ndpi_version", detect_ndpi_version());
}
