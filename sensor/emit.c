/*
 * emit.c - building events to the contract (../shared/spec/events.md, documented
 * in docs/events.md): the envelope, the identity of a control connection or a
 * call, and a call's counters.
 */
#include <arpa/inet.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "community_id.h"
#include "sensor_int.h"

static const char *const td_names[] = {
    [TD_USER_REQUEST] = "user_request",         [TD_IDLE_TIMEOUT] = "idle_timeout",
    [TD_ADMIN] = "admin",                       [TD_NETWORK_ERROR] = "network_error",
    [TD_PROTOCOL_FAILURE] = "protocol_failure", [TD_AUTH_FAILURE] = "auth_failure",
    [TD_LOST_CARRIER] = "lost_carrier",         [TD_TCP_RESET] = "tcp_reset",
    [TD_SENSOR_EXPIRED] = "sensor_expired",     [TD_SENSOR_SHUTDOWN] = "sensor_shutdown",
};

const char *teardown_reason_name(enum teardown_reason r)
{
    return (unsigned)r < sizeof td_names / sizeof td_names[0] ? td_names[r] : "unknown";
}

void id_hex(uint64_t id, char out[17])
{
    static const char hex[] = "0123456789abcdef";
    for (int i = 15; i >= 0; i--, id >>= 4)
        out[i] = hex[id & 15];
    out[16] = '\0';
}

/* The per-event fields after @timestamp: action, sequence, creation time, level. */
static void set_action_fields(struct sensor *s, ev *e, const char *action, const char *level)
{
    ev_set_str(e, "event.action", action);
    ev_set_uint(e, "event.sequence", ++s->seq);
    struct timespec now;
    clock_gettime(CLOCK_REALTIME, &now);
    ev_set_time(e, "event.created", (int64_t)now.tv_sec * 1000000000ll + now.tv_nsec);
    ev_set_str(e, "log.level", level);
}

/* The envelope of a class-cls event: the constant fields with their values,
 * the others (NULL: placeholders) in their places. */
static void envelope(struct sensor *s, ev *e, ev_class cls, const char *action, uint64_t ts_ns, const char *level)
{
    static const char *const datasets[] = {"pptp.session", "pptp.alert", "pptp.frag", "pptp.stats"};
    static const char *const kinds[] = {"event", "alert", "event", "metric"};
    ev_reset(e);
    if (action)
        ev_set_time(e, "@timestamp", (int64_t)ts_ns);
    else
        ev_set_placeholder(e, "@timestamp");
    ev_set_str(e, "event.kind", kinds[cls]);
    ev_set_str(e, "event.dataset", datasets[cls]);
    if (action) {
        set_action_fields(s, e, action, level);
    } else {
        ev_set_placeholder(e, "event.action");
        ev_set_uint(e, "event.sequence", 0);
        ev_set_placeholder(e, "event.created");
        ev_set_placeholder(e, "log.level");
    }
    ev_set_str(e, "observer.hostname", s->cfg->observer_hostname);
    ev_set_str(e, "observer.name", s->cfg->observer_name);
    ev_set_str(e, "observer.type", "sensor");
    ev_set_str(e, "observer.product", "pptp-sensor");
    ev_set_str(e, "observer.version", PPTP_SENSOR_VERSION);
    if (s->cfg->interface)
        ev_set_str(e, "observer.ingress.interface.name", s->cfg->interface);
    ev_set_uint(e, "pptp.schema_version", 1);
}

ev *emit_begin(struct sensor *s, ev_class cls, const char *action, uint64_t ts_ns, const char *level)
{
    ev *e = &s->ev;
    if (!action || !*action || !level || !*level) { /* (never so: a placeholder would be left empty) */
        envelope(s, e, cls, action && *action ? action : NULL, ts_ns, level);
        return e;
    }
    /* Copy the class's envelope (built once: its constant fields are a third
     * of a small event's setters) and fill in its placeholders, in place: the
     * same fields, order and arena use as setting them all one by one. */
    if (!s->envelope_ready[cls]) {
        envelope(s, &s->envelope[cls], cls, NULL, 0, NULL);
        s->envelope_ready[cls] = 1;
    }
    ev_copy(e, &s->envelope[cls]);
    ev_set_time(e, "@timestamp", (int64_t)ts_ns);
    set_action_fields(s, e, action, level);
    return e;
}

void emit_send(struct sensor *s, ev *e)
{
    sink_set_emit(s->sinks, e);
    s->st.events++;
}

static int af_of(const sn_addr *a) { return a->v6 ? AF_INET6 : AF_INET; }

static void set_ip(ev *e, const char *key, const sn_addr *a)
{
    ev_set_ip(e, key, af_of(a), a->a);
}

/* related.ip is a set: ev_add_str_array() adds only addresses not in it yet. */
static void related_ip(ev *e, const sn_addr *a)
{
    char buf[64];
    sn_addr_str(a, buf, sizeof buf);
    ev_add_str_array(e, "related.ip", buf);
}

static void ctrl_cid(struct sensor *s, const struct ctrl_conn *c, char out[COMMUNITY_ID_BUFSZ])
{
    if (!community_id_v1_memo(&s->cid_memo, 0, af_of(&c->client_ip), c->client_ip.a, c->server_ip.a, 6,
                              c->client_port, c->server_port, true, out))
        out[0] = '\0';
}

static void gre_cid(struct sensor *s, const struct call *k, char out[COMMUNITY_ID_BUFSZ])
{
    if (!community_id_v1_memo(&s->cid_memo, 0, af_of(&k->client_ip), k->client_ip.a, k->server_ip.a, 47, 0, 0,
                              false, out))
        out[0] = '\0';
}

/* The control connection's identity; network.transport and
 * network.community_id are those of the flow the event is about (a call's
 * "gre" and GRE Community ID: set once in their places, not replaced). */
static void ctrl_identity(struct sensor *s, ev *e, const struct ctrl_conn *c, const char *transport,
                          const char *flow_cid)
{
    char id[17], cid[COMMUNITY_ID_BUFSZ];
    id_hex(c->control_id, id);
    ev_set_str(e, "pptp.control_id", id);
    set_ip(e, "source.ip", &c->client_ip);
    ev_set_uint(e, "source.port", c->client_port);
    set_ip(e, "destination.ip", &c->server_ip);
    ev_set_uint(e, "destination.port", c->server_port);
    ev_set_str(e, "network.transport", transport);
    ev_set_str(e, "network.type", c->client_ip.v6 ? "ipv6" : "ipv4");
    ctrl_cid(s, c, cid);
    ev_set_str(e, "network.community_id", flow_cid ? flow_cid : cid);
    ev_set_str(e, "pptp.ctrl.community_id", cid);
    if (c->mid_stream)
        ev_set_bool(e, "pptp.partial", true);
    related_ip(e, &c->client_ip);
    related_ip(e, &c->server_ip);
}

void emit_ctrl_identity(struct sensor *s, ev *e, const struct ctrl_conn *c)
{
    ctrl_identity(s, e, c, "tcp", NULL);
}

void emit_call_identity(struct sensor *s, ev *e, const struct call *k)
{
    char id[17], cid[COMMUNITY_ID_BUFSZ];
    id_hex(k->session_id, id);
    ev_set_str(e, "pptp.session_id", id);
    const struct ctrl_conn *c = k->ctrl;
    gre_cid(s, k, cid);
    if (c) {
        /* the same fields, values and arena use as the control identity
         * followed by network.transport and network.community_id replaced */
        ctrl_identity(s, e, c, "gre", cid);
    } else {
        set_ip(e, "source.ip", &k->client_ip);
        set_ip(e, "destination.ip", &k->server_ip);
        ev_set_str(e, "network.type", k->client_ip.v6 ? "ipv6" : "ipv4");
        ev_set_str(e, "network.transport", "gre");
        ev_set_str(e, "network.community_id", cid);
    }
    ev_set_str(e, "pptp.gre.community_id", cid);
    if (k->have_pns_id)
        ev_set_uint(e, "pptp.call.pns_call_id", k->pns_call_id);
    if (k->have_pac_id)
        ev_set_uint(e, "pptp.call.pac_call_id", k->pac_call_id);
    if (!k->partial)
        ev_set_uint(e, "pptp.call.serial", k->serial);
    if (!k->partial)
        ev_set_str(e, "pptp.call.direction", k->incoming ? "incoming" : "outgoing");
    set_ip(e, "pptp.gre.client_ip", &k->client_ip);
    set_ip(e, "pptp.gre.server_ip", &k->server_ip);
    if (k->partial)
        ev_set_bool(e, "pptp.partial", true);
    /* the control connection's endpoints are already in related.ip */
    if (!c || (!sn_addr_eq(&k->client_ip, &c->client_ip) && !sn_addr_eq(&k->client_ip, &c->server_ip)))
        related_ip(e, &k->client_ip);
    if (!c || (!sn_addr_eq(&k->server_ip, &c->client_ip) && !sn_addr_eq(&k->server_ip, &c->server_ip)))
        related_ip(e, &k->server_ip);
    pppneg_fill_user(&k->ppp, e);
}

/* Per-direction counters; the keys are spelled out (building them with snprintf
 * cost more than the rest of the teardown event). */
static void dir_counters(ev *e, int side, const struct gre_dir *d, const struct gre_errs *x)
{
    static const char *const keys[2][7] = {
        {"pptp.gre.client.packets", "pptp.gre.client.bytes", "pptp.gre.client.lost", "pptp.gre.client.reordered",
         "pptp.gre.client.duplicates", "pptp.gre.client.ack_only", "pptp.gre.client.out_of_window"},
        {"pptp.gre.server.packets", "pptp.gre.server.bytes", "pptp.gre.server.lost", "pptp.gre.server.reordered",
         "pptp.gre.server.duplicates", "pptp.gre.server.ack_only", "pptp.gre.server.out_of_window"},
    };
    const uint64_t v[7] = {d->packets, d->bytes, x->lost, x->reordered, x->duplicates, x->ack_only, x->out_of_window};
    for (int i = 0; i < 7; i++)
        ev_set_uint(e, keys[side][i], v[i]);
}

void emit_call_counters(struct sensor *s, ev *e, const struct call *k)
{
    (void)s;
    const struct gre_dir *c = &k->gre[DIR_CLIENT], *v = &k->gre[DIR_SERVER];
    const struct gre_errs *cx = &k->gre_err[DIR_CLIENT], *vx = &k->gre_err[DIR_SERVER];
    ev_set_uint(e, "source.bytes", c->bytes);
    ev_set_uint(e, "source.packets", c->packets);
    ev_set_uint(e, "destination.bytes", v->bytes);
    ev_set_uint(e, "destination.packets", v->packets);
    ev_set_uint(e, "pptp.gre.lost", cx->lost + vx->lost);
    ev_set_uint(e, "pptp.gre.reordered", (uint64_t)cx->reordered + vx->reordered);
    ev_set_uint(e, "pptp.gre.duplicates", (uint64_t)cx->duplicates + vx->duplicates);
    ev_set_uint(e, "pptp.gre.ack_only", cx->ack_only + vx->ack_only);
    dir_counters(e, 0, c, cx);
    dir_counters(e, 1, v, vx);
    ev_set_uint(e, "pptp.frag.count", k->frag_count);
    ev_set_uint(e, "pptp.frag.fragments", k->frag_fragments);
    ev_set_uint(e, "pptp.ppp.bytes", c->ppp_bytes + v->ppp_bytes);
    ev_set_uint(e, "pptp.ppp.client_bytes", c->ppp_bytes);
    ev_set_uint(e, "pptp.ppp.server_bytes", v->ppp_bytes);
    ev_set_time(e, "pptp.last_activity", (int64_t)call_last_ns(k));
    pppneg_fill_summary(&k->ppp, e);
}
