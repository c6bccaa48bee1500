/*
 * sensor.c - the packet path: dispatch, IP defragmentation, routing to the
 * control-connection and call trackers, timers driven by packet time, statistics.
 */
#include <stdlib.h>
#include <string.h>

#include "sensor_int.h"

#define TICK_NS (1 * NS_PER_SEC)

bool sensor_dlt_supported(int dlt) { return link_dlt_supported(dlt); }
const char *sensor_dlt_name(int dlt) { return link_dlt_name(dlt); }

struct sensor *sensor_new(const struct sensor_config *cfg, struct sink_set *sinks)
{
    struct sensor *s = calloc(1, sizeof *s);
    if (!s)
        return NULL;
    s->cfg = cfg;
    s->sinks = sinks;
    if (tables_init(s)) {
        sensor_free(s);
        return NULL;
    }
    ip_defrag_limits lim;
    ip_defrag_limits_default(&lim);
    lim.max_bytes = (size_t)cfg->defrag_memcap_mb * 1024 * 1024;
    lim.timeout_v4_ns = cfg->frag_timeout_ns;
    lim.timeout_v6_ns = cfg->frag_timeout_ns * 2;
    s->defrag = ip_defrag_create(&lim);
    if (!s->defrag) {
        sensor_free(s);
        return NULL;
    }
    tcp_stream_limits_default(&s->tcp_lim);
    s->tcp_memcap = (uint64_t)cfg->reasm_memcap_mb * 1024 * 1024;
    if (detect_init(s)) { /* DETECT */
        sensor_free(s);
        return NULL;
    }
    return s;
}

const struct sensor_stats *sensor_get_stats(const struct sensor *s) { return &s->st; }

uint64_t sensor_state_bytes(const struct sensor *s)
{
    /* calls: the slab's chunks (slots in use and free ones kept for reuse) */
    uint64_t b = call_slab_bytes(&s->calls) + s->st.ctrl_active * sizeof(struct ctrl_conn);
    b += ((uint64_t)s->gre_mask + 1) * sizeof *s->gre_slots + ((uint64_t)s->ctrl_mask + 1) * sizeof(void *);
    for (struct ctrl_conn *c = s->ctrl_lru_head; c; c = c->lru_next)
        for (int d = 0; d < 2; d++)
            if (c->stream[d])
                b += sizeof(struct tcp_stream) + tcp_stream_mem(c->stream[d]);
    return b;
}

static void on_frag_expired(void *user, const ip_defrag_expired *x)
{
    struct sensor *s = user;
    s->st.anomalies[ANOMALY_SENSOR_FRAG_TIMEOUT]++;
    detect_on_frag_expired(s, x); /* DETECT: ip_fragment_timeout */
}

/* Timers fall due at packet time: expiry of silent calls and connections,
 * interim reports, fragment timeouts, periodic stats. */
void sensor_tick(struct sensor *s, uint64_t now)
{
    if (now < s->next_tick)
        return;
    s->next_tick = now + TICK_NS;
    ip_defrag_expire(s->defrag, now, on_frag_expired, s);
    uint64_t exp = s->cfg->expire_timeout_ns;
    /* calls silent for exp or longer, in the order they fell silent */
    if (now >= exp) {
        size_t n = call_collect_idle(s, now - exp);
        for (size_t i = 0; i < n; i++) {
            struct call *k = call_slab_get(&s->calls, s->idle[i].slot);
            struct call_end why = {.cause = TD_SENSOR_EXPIRED, .initiator = INIT_SENSOR};
            call_end(s, k, why, s->idle[i].last_ns + exp);
        }
    }
    while (s->ctrl_lru_head && now - s->ctrl_lru_head->last_ns >= exp) {
        struct ctrl_conn *c = s->ctrl_lru_head;
        bool busy = false;
        for (struct call *o = c->calls; o; o = o->ctrl_next)
            if (now - call_last_ns(o) < exp)
                busy = true;
        if (busy) { /* its calls still carry GRE: keep the control connection */
            c->last_ns = now;
            ctrl_touch(s, c);
            continue;
        }
        ctrl_close(s, c, "sensor_expired", INIT_SENSOR, c->last_ns + exp);
    }
    if (s->cfg->interim_ns) {
        while (s->im_head && s->im_head->next_interim_ns <= now) {
            struct call *k = s->im_head;
            call_interim(s, k, k->next_interim_ns);
            k->next_interim_ns += s->cfg->interim_ns;
            if (k->next_interim_ns <= now) /* a long gap in the capture: one report is enough */
                k->next_interim_ns = now + s->cfg->interim_ns;
            interim_requeue(s, k);
        }
    }
    if (s->cfg->stats_interval_ns) {
        if (!s->next_stats)
            s->next_stats = now + s->cfg->stats_interval_ns;
        else if (now >= s->next_stats) {
            sensor_emit_stats(s, NULL);
            s->next_stats = now + s->cfg->stats_interval_ns;
        }
    }
}

static void count_pkt_anomalies(struct sensor *s, const struct pkt *p)
{
    for (anomaly_id a = anomaly_next(&p->an, ANOMALY_NONE); a != ANOMALY_NONE; a = anomaly_next(&p->an, a))
        s->st.anomalies[a]++;
}

static void route(struct sensor *s, struct pkt *p, enum pkt_kind kind, uint64_t now, bool reassembled, uint32_t frags)
{
    switch (kind) {
    case PKT_TCP:
        ctrl_tcp(s, p, now);
        break;
    case PKT_GRE:
        call_gre(s, p, now, reassembled, frags);
        break;
    case PKT_ICMP:
    case PKT_ICMP6:
        detect_on_icmp(s, p, now); /* DETECT: icmp_frag_needed */
        s->st.not_pptp++;
        break;
    case PKT_BAD:
        if (p->status == DEC_TRUNCATED)
            s->st.decode_truncated++;
        else
            s->st.decode_malformed++;
        break;
    default:
        s->st.not_pptp++;
        break;
    }
}

void sensor_packet(struct sensor *s, const struct capture_packet *cp)
{
    uint64_t now = cp->ts_ns;
    if (now < s->now) /* time never runs backwards for the timers */
        now = s->now;
    if (!s->first_ns)
        s->first_ns = now;
    s->now = now;
    s->st.packets++;
    s->st.bytes += cp->wirelen;
    sensor_tick(s, now);

    struct pkt *p = &s->pkt;
    if (dispatch_fast(cp->dlt, cp->data, cp->caplen, p)) {
        /* the common case: a GRE frame no decoder would flag (decoders/dispatch_fast.c) */
        s->st.ip_packets++;
        call_gre(s, p, now, false, 0);
        return;
    }
    enum pkt_kind kind = dispatch_packet_full(cp->dlt, cp->data, cp->caplen, p);
    count_pkt_anomalies(s, p);
    if (kind == PKT_SKIPPED) {
        s->st.not_ip++;
        return;
    }
    if (kind == PKT_BAD && p->ip_depth == 0) {
        route(s, p, kind, now, false, 0);
        return;
    }
    s->st.ip_packets++;
    if (kind != PKT_IP_FRAGMENT) {
        route(s, p, kind, now, false, 0);
        return;
    }
    /* Only GRE and TCP matter; non-first fragments carry no port, keep them all. */
    s->st.fragments++;
    ip_frag f;
    memset(&f, 0, sizeof f);
    f.key.af = p->ip.version;
    f.key.proto = p->proto;
    f.key.id = p->frag_id;
    if (p->ip.version == 4) {
        for (int i = 0; i < 4; i++) {
            f.key.src[i] = (uint8_t)(p->ip.src4 >> (24 - 8 * i));
            f.key.dst[i] = (uint8_t)(p->ip.dst4 >> (24 - 8 * i));
        }
    } else {
        memcpy(f.key.src, p->ip.src6, 16);
        memcpy(f.key.dst, p->ip.dst6, 16);
    }
    f.offset = p->frag_offset;
    f.more = p->frag_more;
    f.hdr_len = p->frag_hdr_len;
    f.data = cursor_data(&p->l4);
    f.len = cursor_len(&p->l4);
    ip_defrag_result r;
    anomaly_set an;
    anomaly_clear(&an);
    ip_defrag_status st = ip_defrag_add(s->defrag, &f, now, &r, &an);
    for (anomaly_id a = anomaly_next(&an, ANOMALY_NONE); a != ANOMALY_NONE; a = anomaly_next(&an, a))
        s->st.anomalies[a]++;
    detect_on_fragment(s, p, &f, st, &r, &an, now); /* DETECT: overlaps, fragment sizes */
    if (st != IP_DEFRAG_COMPLETE)
        return;
    s->st.datagrams_reassembled++;
    p->ip_len = (uint32_t)(r.len + (p->ip.version == 4 ? p->frag_hdr_len : 40u + p->frag_hdr_len));
    kind = dispatch_l4(p, r.key.proto, r.data, r.len, true);
    count_pkt_anomalies(s, p);
    route(s, p, kind, now, true, r.frags);
    detect_on_reassembled(s, p, kind, r.frags, now); /* DETECT: ip_fragmented */
}

static void stats_counter(ev *e, const char *key, uint64_t v) { ev_set_uint(e, key, v); }

void sensor_emit_stats(struct sensor *s, const struct capture_stats *cst)
{
    ev *e = emit_begin(s, EV_CLASS_STATS, "stats", s->now ? s->now : 0, "info");
    const struct sensor_stats *t = &s->st;
    stats_counter(e, "pptp.stats.packets", t->packets);
    stats_counter(e, "pptp.stats.bytes", t->bytes);
    stats_counter(e, "pptp.stats.ip_packets", t->ip_packets);
    stats_counter(e, "pptp.stats.not_ip", t->not_ip);
    stats_counter(e, "pptp.stats.not_pptp", t->not_pptp);
    stats_counter(e, "pptp.stats.tcp_control_segments", t->tcp_ctrl_segments);
    stats_counter(e, "pptp.stats.control_messages", t->ctrl_messages);
    stats_counter(e, "pptp.stats.gre_packets", t->gre_packets);
    stats_counter(e, "pptp.stats.gre_v0_packets", t->gre_v0_packets);
    stats_counter(e, "pptp.stats.gre_unowned", t->gre_unowned);
    stats_counter(e, "pptp.stats.gre_unowned_pairs", t->gre_unowned_pairs);
    stats_counter(e, "pptp.stats.decode_truncated", t->decode_truncated);
    stats_counter(e, "pptp.stats.decode_malformed", t->decode_malformed);
    stats_counter(e, "pptp.stats.fragments", t->fragments);
    stats_counter(e, "pptp.stats.datagrams_reassembled", t->datagrams_reassembled);
    stats_counter(e, "pptp.stats.sessions.active", t->calls_active);
    stats_counter(e, "pptp.stats.sessions.total", t->calls_total);
    stats_counter(e, "pptp.stats.sessions.partial", t->calls_partial);
    stats_counter(e, "pptp.stats.sessions.refused_table_full", t->calls_evicted);
    stats_counter(e, "pptp.stats.control.active", t->ctrl_active);
    stats_counter(e, "pptp.stats.control.total", t->ctrl_total);
    stats_counter(e, "pptp.stats.memory.state_bytes", sensor_state_bytes(s));
    const ip_defrag_stats *ds = ip_defrag_get_stats(s->defrag);
    stats_counter(e, "pptp.stats.memory.defrag_bytes", ds->bytes_in_use);
    stats_counter(e, "pptp.stats.memory.reassembly_bytes", s->tcp_mem);
    detect_fill_stats(s, e); /* DETECT: pptp.stats.detect.*, memory.detect_bytes */
    if (cst) {
        stats_counter(e, "pptp.stats.capture.packets", cst->packets);
        stats_counter(e, "pptp.stats.capture.files_read", cst->files_read);
        stats_counter(e, "pptp.stats.capture.files_damaged", cst->files_damaged);
        if (s->cfg->interface) {
            stats_counter(e, "pptp.stats.capture.kernel_received", cst->kernel_received);
            stats_counter(e, "pptp.stats.capture.kernel_dropped", cst->kernel_dropped);
            stats_counter(e, "pptp.stats.capture.interface_dropped", cst->iface_dropped);
        }
    }
    for (int a = 1; a < ANOMALY_COUNT; a++)
        if (t->anomalies[a]) {
            char key[128];
            snprintf(key, sizeof key, "pptp.stats.anomalies.%s", anomaly_name((anomaly_id)a));
            /* dotted anomaly names would nest: keep them flat by replacing dots */
            for (char *q = key + strlen("pptp.stats.anomalies."); *q; q++)
                if (*q == '.')
                    *q = '_';
            stats_counter(e, key, t->anomalies[a]);
        }
    /* outputs, by name: queued = sent + failed + dropped + pending */
    for (size_t i = 0; i < s->sinks->n; i++) {
        const struct sink *k = s->sinks->sinks[i];
        static const char *const what[] = {"queued", "sent", "failed", "dropped", "truncated"};
        uint64_t v[] = {k->c.queued, k->c.written, k->c.failed, k->c.dropped, k->c.truncated};
        char name[64], key[192];
        size_t n = 0;
        for (const char *c = k->name; *c && n + 1 < sizeof name; c++) /* one key segment */
            name[n++] = (*c == '.' || *c == '"' || *c == '\\' || *c <= ' ' || *c == 0x7f) ? '_' : *c;
        name[n] = '\0';
        for (size_t j = 0; j < sizeof v / sizeof v[0]; j++) {
            snprintf(key, sizeof key, "pptp.stats.outputs.%s.%s", name, what[j]);
            stats_counter(e, key, v[j]);
        }
    }
    stats_counter(e, "pptp.stats.events", t->events + 1);
    emit_send(s, e);
}

void sensor_finish(struct sensor *s, const struct capture_stats *cst)
{
    if (s->finished)
        return;
    s->finished = true;
    uint64_t now = s->now;
    while (s->ctrl_lru_head)
        ctrl_close(s, s->ctrl_lru_head, "sensor_shutdown", INIT_SENSOR, now);
    /* the calls left (GRE only), least recently active first */
    struct call_end shut = {.cause = TD_SENSOR_SHUTDOWN, .initiator = INIT_SENSOR};
    while (call_lru_oldest(s)) {
        size_t n = call_collect_idle(s, UINT64_MAX);
        for (size_t i = 0; i < n; i++)
            call_end(s, call_slab_get(&s->calls, s->idle[i].slot), shut, now);
        if (!n) /* nothing collected (no memory): list order */
            call_end(s, call_lru_oldest(s), shut, now);
    }
    ip_defrag_expire(s->defrag, UINT64_MAX, on_frag_expired, s);
    /* let the outputs' threads catch up (bounded) so the final stats show what they sent */
    int64_t drain = (int64_t)(s->cfg->flush_timeout_ns / 2);
    sink_set_drain(s->sinks, drain < 2 * (int64_t)NS_PER_SEC ? drain : 2 * (int64_t)NS_PER_SEC);
    sensor_emit_stats(s, cst);
}

void sensor_free(struct sensor *s)
{
    if (!s)
        return;
    detect_free(s); /* DETECT: first, so nothing below emits alerts */
    /* free without events */
    while (s->ctrl_lru_head) {
        struct ctrl_conn *c = s->ctrl_lru_head;
        while (c->calls) {
            struct call *k = c->calls;
            k->state = CALL_STATE_DOWN;
            struct call_end why = {.cause = TD_SENSOR_SHUTDOWN, .initiator = INIT_SENSOR};
            call_end(s, k, why, s->now);
        }
        c->msgs[0] = c->msgs[1] = 0;
        c->connect_emitted = 0;
        free(c->info);
        c->info = NULL;
        ctrl_close(s, c, "sensor_shutdown", INIT_SENSOR, s->now);
    }
    for (struct call *k; (k = call_lru_oldest(s));) {
        k->state = CALL_STATE_DOWN;
        struct call_end why = {.cause = TD_SENSOR_SHUTDOWN, .initiator = INIT_SENSOR};
        call_end(s, k, why, s->now);
    }
    if (s->defrag)
        ip_defrag_destroy(s->defrag);
    tables_free(s);
    call_slab_destroy(&s->calls);
    community_id_memo_free(&s->cid_memo);
    free(s->unowned);
    free(s);
}
