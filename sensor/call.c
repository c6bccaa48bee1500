/*
 * call.c - calls (one PPP session each): creation, Call-ID binding, the GRE data
 * path (one hash lookup per packet, no allocation), PPP negotiation events,
 * interim reports and teardown with the contract's reason precedence.
 */
#include <stdlib.h>
#include <string.h>

#include "sensor_int.h"

struct call *call_new(struct sensor *s, struct ctrl_conn *c, uint64_t now)
{
    if (s->st.calls_active >= s->cfg->max_calls) {
        s->st.calls_evicted++;
        return NULL;
    }
    uint32_t slot;
    struct call *k = call_slab_alloc(&s->calls, &slot);
    if (!k)
        return NULL;
    k->slot = slot;
    k->ctrl = c;
    k->start_ns = k->last_other_ns = k->last_data_ns = now;
    k->next_interim_ns = s->cfg->interim_ns ? now + s->cfg->interim_ns : UINT64_MAX;
    if (c) {
        k->client_ip = c->client_ip;
        k->server_ip = c->server_ip;
        k->ctrl_next = c->calls;
        c->calls = k;
        c->n_calls++;
    }
    k->session_id = sensor_new_id(s, now, c ? c->control_id : 0);
    pppneg_init(&k->ppp);
    call_lists_add(s, k);
    s->st.calls_total++;
    s->st.calls_active++;
    return k;
}

void call_set_ids(struct sensor *s, struct call *k, int have_pns, uint16_t pns, int have_pac, uint16_t pac)
{
    /* DIR_SERVER packets are keyed by the PNS's id, DIR_CLIENT packets by the PAC's. */
    detect_on_call_ids(s, k, have_pns, pns, have_pac, pac); /* DETECT: Call ID collisions */
    if (have_pns && (!k->have_pns_id || k->pns_call_id != pns)) {
        gre_remove(s, k, DIR_SERVER);
        k->pns_call_id = pns;
        k->have_pns_id = 1;
        gre_insert(s, k, DIR_SERVER);
    }
    if (have_pac && (!k->have_pac_id || k->pac_call_id != pac)) {
        gre_remove(s, k, DIR_CLIENT);
        k->pac_call_id = pac;
        k->have_pac_id = 1;
        gre_insert(s, k, DIR_CLIENT);
    }
}

static const char *init_name(uint8_t i)
{
    return i == INIT_CLIENT ? "client" : i == INIT_SERVER ? "server" : i == INIT_SENSOR ? "sensor" : NULL;
}

static enum teardown_reason final_reason(const struct sensor *s, const struct call *k, struct call_end why,
                                         uint64_t now)
{
    if (now >= k->last_data_ns && now - k->last_data_ns >= s->cfg->idle_timeout_ns)
        return TD_IDLE_TIMEOUT;
    if (k->ppp.auth_state == 3)
        return TD_AUTH_FAILURE;
    if (!k->partial && !k->ppp.lcp_open)
        return TD_PROTOCOL_FAILURE;
    return why.cause;
}

void call_end(struct sensor *s, struct call *k, struct call_end why, uint64_t now)
{
    if (k->state != CALL_STATE_DOWN) {
        k->state = CALL_STATE_DOWN;
        k->end_ns = now;
        enum teardown_reason r = final_reason(s, k, why, now);
        ev *e = emit_begin(s, EV_CLASS_SESSION, "teardown", now, "info");
        emit_call_identity(s, e, k);
        ev_set_str(e, "pptp.teardown.reason", teardown_reason_name(r));
        const char *in = init_name(why.initiator);
        if (in)
            ev_set_str(e, "pptp.teardown.initiator", in);
        if (k->cdn_seen)
            ev_set_uint(e, "pptp.teardown.cdn_result_code", k->cdn_result);
        if (k->ppp.terminate_reason[0])
            ev_set_str(e, "pptp.teardown.lcp_reason", k->ppp.terminate_reason);
        ev_set_time(e, "event.start", (int64_t)k->start_ns);
        ev_set_time(e, "event.end", (int64_t)now);
        ev_set_uint(e, "event.duration", now >= k->start_ns ? now - k->start_ns : 0);
        emit_call_counters(s, e, k);
        detect_fill_teardown(s, k, e); /* DETECT: pptp.inner.* */
        emit_send(s, e);
        detect_on_teardown(s, k, r, now); /* DETECT */
    }
    detect_call_free(s, k); /* DETECT */
    gre_remove(s, k, DIR_CLIENT);
    gre_remove(s, k, DIR_SERVER);
    if (k->ctrl) {
        for (struct call **pp = &k->ctrl->calls; *pp; pp = &(*pp)->ctrl_next)
            if (*pp == k) {
                *pp = k->ctrl_next;
                break;
            }
    }
    call_lists_remove(s, k);
    if (k->partial && s->st.calls_partial)
        s->st.calls_partial--;
    s->st.calls_active--;
    call_slab_free(&s->calls, k->slot);
}

void call_interim(struct sensor *s, struct call *k, uint64_t now)
{
    ev *e = emit_begin(s, EV_CLASS_SESSION, "session_interim", now, "info");
    emit_call_identity(s, e, k);
    ev_set_time(e, "event.start", (int64_t)k->start_ns);
    ev_set_uint(e, "event.duration", now >= k->start_ns ? now - k->start_ns : 0);
    emit_call_counters(s, e, k);
    emit_send(s, e);
}

static void ppp_event(struct sensor *s, struct call *k, const char *action, const char *level,
                      const char *outcome, void (*fill)(const struct pppneg *, ev *), uint64_t now)
{
    ev *e = emit_begin(s, EV_CLASS_SESSION, action, now, level);
    emit_call_identity(s, e, k);
    if (outcome)
        ev_set_str(e, "event.outcome", outcome);
    fill(&k->ppp, e);
    emit_send(s, e);
}

/* The frame-size limits the MRU detector checks data frames against (mru_limit:
 * in the call's first line, so MPPE frames need no other line for it). */
static void call_mru_refresh(struct call *k)
{
    for (int d = 0; d < 2; d++) {
        uint16_t mru = k->ppp.lcp[1 - d].mru;
        k->mru_limit[d] = k->ppp.lcp_open ? (mru ? mru : 1500) : 0;
    }
}

static void emit_due(struct sensor *s, struct call *k, unsigned due, uint64_t now)
{
    if (due & PPPNEG_DUE_LCP)
        ppp_event(s, k, "lcp_negotiated", "info", NULL, pppneg_fill_lcp, now);
    if (due & PPPNEG_DUE_AUTH_FAILURE)
        ppp_event(s, k, "auth_failure", "notice", "failure", pppneg_fill_auth, now);
    if (due & PPPNEG_DUE_AUTH_SUCCESS)
        ppp_event(s, k, "auth_success", "info", "success", pppneg_fill_auth, now);
    if (due & PPPNEG_DUE_MPPE)
        ppp_event(s, k, "mppe_negotiated", "info", NULL, pppneg_fill_mppe, now);
    if (due & PPPNEG_DUE_MPPE_REKEY)
        ppp_event(s, k, "mppe_rekey", "info", NULL, pppneg_fill_rekey, now);
    if (due & PPPNEG_DUE_IPCP)
        ppp_event(s, k, "ipcp_negotiated", "info", NULL, pppneg_fill_ipcp, now);
    if (due & PPPNEG_DUE_IPV6CP)
        ppp_event(s, k, "ipv6cp_negotiated", "info", NULL, pppneg_fill_ipv6cp, now);
}

/* Record of GRE nobody owns, per address pair (bounded). */
struct unowned_pair {
    sn_addr a, b;
    uint64_t packets;
};

static void count_unowned(struct sensor *s, const sn_addr *src, const sn_addr *dst)
{
    s->st.gre_unowned++;
    s->st.anomalies[ANOMALY_SENSOR_GRE_UNOWNED]++;
    for (uint32_t i = 0; i < s->n_unowned; i++)
        if (sn_addr_eq(&s->unowned[i].a, src) && sn_addr_eq(&s->unowned[i].b, dst)) {
            s->unowned[i].packets++;
            return;
        }
    if (s->n_unowned == s->unowned_cap) {
        if (s->unowned_cap >= 4096)
            return; /* bounded: further pairs only counted in total */
        uint32_t ncap = s->unowned_cap ? s->unowned_cap * 2 : 16;
        struct unowned_pair *n = realloc(s->unowned, ncap * sizeof *n);
        if (!n)
            return;
        s->unowned = n;
        s->unowned_cap = ncap;
    }
    s->unowned[s->n_unowned].a = *src;
    s->unowned[s->n_unowned].b = *dst;
    s->unowned[s->n_unowned].packets = 1;
    s->n_unowned++;
    s->st.gre_unowned_pairs = s->n_unowned;
}

/* A call waiting to learn the Call ID of packets from src to dst: a partial call
 * with one direction known, or a call whose reply the capture missed (e.g. the
 * OCRP was lost in a gap of the control stream). */
static struct call *find_half_partial(struct sensor *s, struct ctrl_conn *c, const sn_addr *src, const sn_addr *dst)
{
    struct call *k = c ? c->calls : call_lru_oldest(s);
    for (int budget = 4096; k && budget > 0; budget--) {
        if ((k->partial || c) && k->state != CALL_STATE_DOWN && (c || !k->ctrl)) {
            if (sn_addr_eq(&k->client_ip, src) && sn_addr_eq(&k->server_ip, dst) && !k->have_pac_id)
                return k;
            if (sn_addr_eq(&k->server_ip, src) && sn_addr_eq(&k->client_ip, dst) && !k->have_pns_id)
                return k;
        }
        k = c ? k->ctrl_next : call_lru_newer(s, k);
    }
    return NULL;
}

static struct call *gre_miss(struct sensor *s, const sn_addr *src, const sn_addr *dst, uint16_t call_id,
                             uint64_t now, int *dir)
{
    struct ctrl_conn *c = ctrl_find_pair(s, src, dst);
    struct call *k = find_half_partial(s, c, src, dst);
    if (!k && c && !c->mid_stream) {
        count_unowned(s, src, dst);
        return NULL;
    }
    if (!k) {
        k = call_new(s, c, now);
        if (!k)
            return NULL;
        k->partial = 1;
        k->state = CALL_STATE_PARTIAL;
        s->st.calls_partial++;
        if (!c) { /* the sender of the first GRE packet is the client */
            k->client_ip = *src;
            k->server_ip = *dst;
        }
    }
    bool from_client = sn_addr_eq(src, &k->client_ip);
    if (from_client)
        call_set_ids(s, k, 0, 0, 1, call_id);
    else
        call_set_ids(s, k, 1, call_id, 0, 0);
    *dir = from_client ? DIR_CLIENT : DIR_SERVER;
    return k;
}

void call_gre(struct sensor *s, const struct pkt *p, uint64_t now, bool reassembled, uint32_t frags)
{
    const struct gre_hdr *g = &p->gre;
    if (!gre_is_pptp(g)) {
        s->st.gre_v0_packets++;
        return;
    }
    s->st.gre_packets++;
    sn_addr src, dst;
    if (p->ip.version == 4) {
        sn_addr_v4(&src, p->ip.src4);
        sn_addr_v4(&dst, p->ip.dst4);
    } else {
        sn_addr_v6(&src, p->ip.src6);
        sn_addr_v6(&dst, p->ip.dst6);
    }
    int dir;
    struct call *k = gre_find(s, &src, &dst, g->call_id, &dir);
    if (!k) {
        k = gre_miss(s, &src, &dst, g->call_id, now, &dir);
        detect_on_gre_miss(s, p, &src, &dst, k, now); /* DETECT: unowned, after teardown */
        if (!k)
            return;
    }
    struct gre_dir *d = &k->gre[dir];
    d->packets++;
    d->bytes += p->ip_len;
    enum gre_seq_verdict v = GRE_SEQ_IN_ORDER;
    if (g->has_seq) {
        v = gre_track_seq(d, &k->gre_err[dir], g->seq);
        d->ppp_bytes += g->payload_length;
    } else if (g->has_ack) {
        k->gre_err[dir].ack_only++;
    }
    if (g->has_ack)
        gre_track_ack(d, g->ack);
    if (reassembled) {
        k->frag_count++;
        k->frag_fragments += frags;
    }
    enum ppp_kind kind = p->has_ppp ? dispatch_ppp_kind(p->ppp.protocol) : PPP_KIND_OTHER;
    if (kind == PPP_KIND_IPV4 || kind == PPP_KIND_IPV6 || kind == PPP_KIND_COMPRESSED || kind == PPP_KIND_VJ) {
        call_touch_data(s, k, now);
    } else {
        k->last_other_ns = now;
        call_touch(s, k);
    }
    /* DETECT: wrong source, sequence; it has nothing to do for the common packet */
    const sn_addr *peer = dir == DIR_CLIENT ? &k->client_ip : &k->server_ip;
    if (v == GRE_SEQ_OUT_OF_WINDOW || !sn_addr_eq(&src, peer) || s->det_gre_every)
        detect_on_gre(s, k, dir, p, &src, v == GRE_SEQ_OUT_OF_WINDOW, now);
    if (!p->has_ppp)
        return;
    cursor info = p->payload;
    anomaly_set an;
    anomaly_clear(&an);
    unsigned due = pppneg_frame(&k->ppp, dir == DIR_CLIENT ? PPPNEG_CLIENT : PPPNEG_SERVER, p->ppp.protocol, &info, &an);
    for (anomaly_id a = anomaly_next(&an, ANOMALY_NONE); a != ANOMALY_NONE; a = anomaly_next(&an, a))
        s->st.anomalies[a]++;
    if (kind == PPP_KIND_LCP)
        call_mru_refresh(k);
    if (due)
        emit_due(s, k, due, now);
    detect_on_ppp(s, k, dir, p, due, now); /* DETECT */
    if ((due & PPPNEG_DUE_LCP_TERMINATE) && !k->teardown_initiator)
        k->teardown_initiator = (uint8_t)(k->ppp.lcp_terminated == 1 + PPPNEG_CLIENT ? INIT_CLIENT : INIT_SERVER);
    /* A GRE-only call ends when LCP is terminated: no control message will end it. */
    if ((due & PPPNEG_DUE_LCP_TERMINATE_ACK) && !k->ctrl) {
        struct call_end why = {.cause = TD_USER_REQUEST, .initiator = k->teardown_initiator};
        call_end(s, k, why, now);
    }
}
