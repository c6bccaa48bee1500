/*
 * detect_ndpi.c - nDPI (Debian 12: libndpi 4.2) in the sensor:
 *   - PPTP control connections on ports other than the configured ones: the
 *     first packets of other TCP connections go to nDPI; when it says PPTP the
 *     server endpoint is remembered, the connection's handshake replayed to the
 *     control tracker and the connection tracked like any other (alert
 *     pptp.ctrl.nonstandard_port reports the port);
 *   - inner traffic of calls without MPPE: PPP IPv4/IPv6 frames are classified
 *     per inner flow; the application protocols seen are reported on teardown
 *     (pptp.inner.protocols) with the number of inner flows (pptp.inner.flows).
 * Memory is bounded: an nDPI flow (688 bytes in 4.2) lives only until nDPI
 * decides or gives up (at most [ndpi] max_packets_per_flow packets), at most
 * max_flows of them sensor-wide, max_flows_per_session flow slots per call,
 * max_candidates other-port connections (LRU).  The detection module is made
 * on first use.  Notes: docs/ndpi.md.
 */
#include <ndpi_api.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "detect_int.h"

#define NDPI_MAX_SERVERS 64
#define INNER_MAX_PROTOS 16
#define PKT_SCRATCH (65535 + 64)

struct ndpi_state {
    struct ndpi_detection_module_struct *mod;
    bool init_failed;
    uint32_t live;                /* nDPI flow structs allocated now */
    uint64_t inspected_flows, detected_pptp;
    struct dtab cand;             /* other-port TCP connections */
    struct {
        sn_addr ip;
        uint16_t port;
    } servers[NDPI_MAX_SERVERS];
    uint32_t nservers, next_server;
    uint8_t *scratch;             /* an IP packet rebuilt for nDPI */
};

struct inner_flow {
    sn_addr a, b;
    uint16_t pa, pb;
    uint8_t proto, done, pkts, pad;
    uint16_t master, app;
    struct ndpi_flow_struct *f;
};

struct inner_state {
    uint32_t uninspected;         /* frames of flows over the caps */
    uint16_t nflows, cap;
    uint8_t nprotos;
    uint16_t protos[INNER_MAX_PROTOS][2]; /* master, app */
    struct inner_flow flows[];
};

struct cand {
    sn_addr cli, srv;             /* as oriented by the SYN; else by the first packet */
    uint16_t cport, sport;
    uint32_t cli_isn, srv_isn;
    uint64_t syn_ns, synack_ns;
    uint8_t have_syn, have_synack, done, pkts;
    struct ndpi_flow_struct *f;
};

const char *detect_ndpi_version(void) { return ndpi_revision(); }

static void flow_free(struct ndpi_state *n, struct ndpi_flow_struct **f)
{
    if (*f) {
        ndpi_free_flow(*f);
        *f = NULL;
        n->live--;
    }
}

static struct ndpi_flow_struct *flow_new(struct sensor *s, struct ndpi_state *n)
{
    if (n->live >= s->det->cfg.ndpi.max_flows)
        return NULL;
    struct ndpi_flow_struct *f = ndpi_flow_malloc(SIZEOF_FLOW_STRUCT);
    if (!f)
        return NULL;
    memset(f, 0, SIZEOF_FLOW_STRUCT);
    n->live++;
    return f;
}

static void cand_drop(struct sensor *s, void *payload)
{
    struct cand *c = payload;
    if (s->det && s->det->ndpi)
        flow_free(s->det->ndpi, &c->f);
}

static struct ndpi_state *state(struct sensor *s)
{
    struct detect *d = s->det;
    if (!d->ndpi) {
        d->ndpi = calloc(1, sizeof *d->ndpi);
        if (!d->ndpi)
            return NULL;
        if (dtab_init(&d->ndpi->cand, s, d->cfg.ndpi.max_candidates, sizeof(struct cand), cand_drop)) {
            free(d->ndpi);
            d->ndpi = NULL;
            return NULL;
        }
    }
    return d->ndpi;
}

static struct ndpi_detection_module_struct *module(struct ndpi_state *n)
{
    if (n->mod || n->init_failed)
        return n->mod;
    n->mod = ndpi_init_detection_module(ndpi_no_prefs);
    if (!n->mod) {
        n->init_failed = true;
        return NULL;
    }
    NDPI_PROTOCOL_BITMASK all;
    NDPI_BITMASK_SET_ALL(all);
    ndpi_set_protocol_detection_bitmask2(n->mod, &all);
    ndpi_finalize_initialization(n->mod);
    return n->mod;
}

void det_ndpi_free(struct sensor *s)
{
    struct ndpi_state *n = s->det->ndpi;
    if (!n)
        return;
    dtab_free(&n->cand);
    if (n->mod)
        ndpi_exit_detection_module(n->mod);
    free(n->scratch);
    free(n);
    s->det->ndpi = NULL;
}

static bool detected(ndpi_protocol p) { return p.app_protocol != NDPI_PROTOCOL_UNKNOWN || p.master_protocol != NDPI_PROTOCOL_UNKNOWN; }

/* ---- inner traffic ---- */

static bool inner_key(const struct pkt *p, struct inner_flow *k)
{
    const uint8_t *b = cursor_data(&p->payload);
    size_t n = cursor_len(&p->payload), off;
    memset(k, 0, sizeof *k);
    bool first = true;
    if (p->ppp.protocol == PPP_PROTO_IP) {
        if (n < 20 || (b[0] >> 4) != 4)
            return false;
        off = (size_t)(b[0] & 0x0f) * 4;
        k->proto = b[9];
        sn_addr_v4(&k->a, (uint32_t)b[12] << 24 | (uint32_t)b[13] << 16 | (uint32_t)b[14] << 8 | b[15]);
        sn_addr_v4(&k->b, (uint32_t)b[16] << 24 | (uint32_t)b[17] << 16 | (uint32_t)b[18] << 8 | b[19]);
        first = ((b[6] & 0x1f) | b[7]) == 0;
    } else {
        if (n < 40 || (b[0] >> 4) != 6)
            return false;
        off = 40;
        k->proto = b[6];
        sn_addr_v6(&k->a, b + 8);
        sn_addr_v6(&k->b, b + 24);
    }
    if (first && (k->proto == IP_PROTO_TCP || k->proto == IP_PROTO_UDP) && n >= off + 4) {
        k->pa = (uint16_t)(b[off] << 8 | b[off + 1]);
        k->pb = (uint16_t)(b[off + 2] << 8 | b[off + 3]);
    }
    /* one key for both directions */
    int c = memcmp(k->a.a, k->b.a, 16);
    if (c > 0 || (c == 0 && k->pa > k->pb)) {
        sn_addr t = k->a;
        k->a = k->b;
        k->b = t;
        uint16_t u = k->pa;
        k->pa = k->pb;
        k->pb = u;
    }
    return true;
}

static bool same_flow(const struct inner_flow *x, const struct inner_flow *y)
{
    return x->proto == y->proto && x->pa == y->pa && x->pb == y->pb && sn_addr_eq(&x->a, &y->a) && sn_addr_eq(&x->b, &y->b);
}

static void record(struct inner_state *in, ndpi_protocol p)
{
    if (!detected(p))
        return;
    for (unsigned i = 0; i < in->nprotos; i++)
        if (in->protos[i][0] == p.master_protocol && in->protos[i][1] == p.app_protocol)
            return;
    if (in->nprotos < INNER_MAX_PROTOS) {
        in->protos[in->nprotos][0] = p.master_protocol;
        in->protos[in->nprotos][1] = p.app_protocol;
        in->nprotos++;
    }
}

static void finish_flow(struct ndpi_state *n, struct inner_state *in, struct inner_flow *fl, ndpi_protocol p)
{
    fl->done = 1;
    fl->master = p.master_protocol;
    fl->app = p.app_protocol;
    record(in, p);
    flow_free(n, &fl->f);
}

void det_ndpi_inner(struct sensor *s, struct call *k, struct detect_call *dc, const struct pkt *p, uint64_t now)
{
    (void)k;
    const struct detect_ndpi_cfg *cfg = &s->det->cfg.ndpi;
    if (!cfg->enabled)
        return;
    struct inner_flow key;
    if (!inner_key(p, &key))
        return;
    struct inner_state *in = dc->inner;
    if (!in) {
        size_t cap = cfg->max_flows_per_session;
        in = calloc(1, sizeof *in + cap * sizeof in->flows[0]);
        if (!in)
            return;
        in->cap = (uint16_t)cap;
        dc->inner = in;
        s->det->mem_calls += sizeof *in + cap * sizeof in->flows[0];
    }
    struct inner_flow *fl = NULL;
    for (unsigned i = 0; i < in->nflows; i++)
        if (same_flow(&in->flows[i], &key)) {
            fl = &in->flows[i];
            break;
        }
    struct ndpi_state *n = state(s);
    if (!n)
        return;
    if (!fl) {
        if (in->nflows >= in->cap) {
            in->uninspected++;
            return;
        }
        fl = &in->flows[in->nflows++];
        *fl = key;
        n->inspected_flows++;
    }
    if (fl->done)
        return;
    struct ndpi_detection_module_struct *mod = module(n);
    if (!mod) {
        fl->done = 1;
        return;
    }
    if (!fl->f) {
        fl->f = flow_new(s, n);
        if (!fl->f) { /* sensor-wide cap reached: the slot stays, unclassified */
            fl->done = 1;
            in->uninspected++;
            return;
        }
    }
    size_t len = cursor_len(&p->payload);
    if (len > 65535)
        len = 65535;
    ndpi_protocol r = ndpi_detection_process_packet(mod, fl->f, cursor_data(&p->payload), (unsigned short)len,
                                                    now / 1000000);
    fl->pkts++;
    if (detected(r)) {
        finish_flow(n, in, fl, r);
    } else if (fl->pkts >= cfg->max_packets_per_flow) {
        uint8_t guessed = 0;
        finish_flow(n, in, fl, ndpi_detection_giveup(mod, fl->f, 0, &guessed));
    }
}

void det_ndpi_fill(struct sensor *s, struct detect_call *dc, ev *e)
{
    struct inner_state *in = dc->inner;
    struct ndpi_state *n = s->det->ndpi;
    if (!in || !in->nflows)
        return;
    /* flows still undecided: take what nDPI can say now */
    for (unsigned i = 0; n && n->mod && i < in->nflows; i++)
        if (!in->flows[i].done && in->flows[i].f) {
            uint8_t guessed = 0;
            finish_flow(n, in, &in->flows[i], ndpi_detection_giveup(n->mod, in->flows[i].f, 0, &guessed));
        }
    ev_set_uint(e, "pptp.inner.flows", in->nflows);
    if (in->uninspected)
        ev_set_uint(e, "pptp.inner.uninspected_frames", in->uninspected);
    for (unsigned i = 0; n && n->mod && i < in->nprotos; i++) {
        ndpi_protocol p = {.master_protocol = in->protos[i][0], .app_protocol = in->protos[i][1]};
        char buf[64];
        if (p.master_protocol == NDPI_PROTOCOL_UNKNOWN || p.master_protocol == p.app_protocol)
            snprintf(buf, sizeof buf, "%s", ndpi_get_proto_name(n->mod, p.app_protocol));
        else if (p.app_protocol == NDPI_PROTOCOL_UNKNOWN)
            snprintf(buf, sizeof buf, "%s", ndpi_get_proto_name(n->mod, p.master_protocol));
        else
            ndpi_protocol2name(n->mod, p, buf, sizeof buf);
        ev_add_str_array(e, "pptp.inner.protocols", buf);
    }
    ev_set_str(e, "pptp.inner.classifier", "ndpi");
}

void det_ndpi_call_free(struct sensor *s, struct detect_call *dc)
{
    struct inner_state *in = dc->inner;
    if (!in)
        return;
    struct ndpi_state *n = s->det ? s->det->ndpi : NULL;
    for (unsigned i = 0; i < in->nflows; i++)
        if (in->flows[i].f) {
            ndpi_free_flow(in->flows[i].f);
            in->flows[i].f = NULL;
            if (n)
                n->live--;
        }
    if (s->det)
        s->det->mem_calls -= sizeof *in + in->cap * sizeof in->flows[0];
    free(in);
    dc->inner = NULL;
}

/* ---- PPTP on other ports ---- */

static int server_side(const struct ndpi_state *n, const sn_addr *src, uint16_t sport, const sn_addr *dst, uint16_t dport)
{
    for (uint32_t i = 0; i < n->nservers; i++) {
        if (n->servers[i].port == dport && sn_addr_eq(&n->servers[i].ip, dst))
            return 1;
        if (n->servers[i].port == sport && sn_addr_eq(&n->servers[i].ip, src))
            return -1;
    }
    return 0;
}

/* Rebuild the IP packet around the TCP segment of p (the L4 bytes are intact in
 * the frame) for nDPI; returns its length, 0 when it cannot. */
static size_t rebuild(struct ndpi_state *n, const struct pkt *p)
{
    const uint8_t *l4 = cursor_data(&p->l4), *pl = cursor_data(&p->payload);
    size_t l4len = cursor_len(&p->l4);
    if (!l4 || pl < l4 || pl + cursor_len(&p->payload) > l4 + l4len)
        return 0; /* reassembled datagram: not examined */
    l4len = (size_t)(pl + cursor_len(&p->payload) - l4);
    if (!n->scratch && !(n->scratch = malloc(PKT_SCRATCH)))
        return 0;
    uint8_t *b = n->scratch;
    size_t h;
    if (p->ip.version == 4) {
        h = 20;
        if (l4len + h > 65535)
            return 0;
        memset(b, 0, h);
        b[0] = 0x45;
        b[2] = (uint8_t)((l4len + h) >> 8);
        b[3] = (uint8_t)(l4len + h);
        b[8] = 64;
        b[9] = IP_PROTO_TCP;
        for (int i = 0; i < 4; i++) {
            b[12 + i] = (uint8_t)(p->ip.src4 >> (24 - 8 * i));
            b[16 + i] = (uint8_t)(p->ip.dst4 >> (24 - 8 * i));
        }
    } else {
        h = 40;
        if (l4len > 65535 - h)
            return 0;
        memset(b, 0, h);
        b[0] = 0x60;
        b[4] = (uint8_t)(l4len >> 8);
        b[5] = (uint8_t)l4len;
        b[6] = IP_PROTO_TCP;
        b[7] = 64;
        memcpy(b + 8, p->ip.src6, 16);
        memcpy(b + 24, p->ip.dst6, 16);
    }
    memcpy(b + h, l4, l4len);
    return h + l4len;
}

static void replay_handshake(struct sensor *s, const struct pkt *p, const struct cand *c)
{
    static const uint8_t none[1] = {0};
    struct pkt f = *p;
    cursor_init(&f.payload, none, 0);
    memset(&f.tcp, 0, sizeof f.tcp);
    bool v4 = p->ip.version == 4;
    for (int i = 0; i < 2; i++) {
        if (i == 0 ? !c->have_syn : !c->have_synack)
            continue;
        const sn_addr *src = i == 0 ? &c->cli : &c->srv, *dst = i == 0 ? &c->srv : &c->cli;
        if (v4) {
            f.ip.src4 = (uint32_t)src->a[0] << 24 | (uint32_t)src->a[1] << 16 | (uint32_t)src->a[2] << 8 | src->a[3];
            f.ip.dst4 = (uint32_t)dst->a[0] << 24 | (uint32_t)dst->a[1] << 16 | (uint32_t)dst->a[2] << 8 | dst->a[3];
        } else {
            memcpy(f.ip.src6, src->a, 16);
            memcpy(f.ip.dst6, dst->a, 16);
        }
        f.tcp.sport = i == 0 ? c->cport : c->sport;
        f.tcp.dport = i == 0 ? c->sport : c->cport;
        f.tcp.seq = i == 0 ? c->cli_isn : c->srv_isn;
        f.tcp.ack = i == 0 ? 0 : c->cli_isn + 1;
        f.tcp.flags = (uint16_t)(i == 0 ? TCP_SYN : TCP_SYN | TCP_ACK);
        f.tcp.hdr_len = 20;
        ctrl_tcp(s, &f, i == 0 ? c->syn_ns : c->synack_ns);
    }
}

static void nonstandard_alert(struct sensor *s, const sn_addr *cli, uint16_t cport, const sn_addr *srv, uint16_t sport,
                              uint64_t now)
{
    struct ctrl_conn *c = ctrl_find(s, cli, srv, cport, sport);
    if (c) {
        struct detect_ctrl *d = det_ctrl(s, c);
        if (d)
            d->nonstandard = 1;
    }
    if (!det_on(s, DR_CTRL_NONSTANDARD_PORT))
        return;
    ev *e = det_begin(s, DR_CTRL_NONSTANDARD_PORT, now, 0);
    if (!e)
        return;
    char a[64];
    if (c) {
        emit_ctrl_identity(s, e, c);
    } else {
        det_set_ip(e, "source.ip", cli);
        ev_set_uint(e, "source.port", cport);
        det_set_ip(e, "destination.ip", srv);
        ev_set_uint(e, "destination.port", sport);
        ev_set_str(e, "network.transport", "tcp");
        det_add_ip(e, "related.ip", cli);
        det_add_ip(e, "related.ip", srv);
    }
    ev_set_uint(e, "pptp.alert.port", sport);
    ev_set_str(e, "pptp.alert.classifier", "ndpi");
    det_message(e, "PPTP control connection to %s on port %u, not a configured PPTP port (found by nDPI)",
                det_addr_str(srv, a, sizeof a), sport);
    det_send(s, e);
}

int det_ndpi_other_tcp(struct sensor *s, const struct pkt *p, uint64_t now)
{
    const struct detect_ndpi_cfg *cfg = &s->det->cfg.ndpi;
    if (!cfg->detect_ports || s->det->quiet)
        return 0;
    struct ndpi_state *n = state(s);
    if (!n)
        return 0;
    sn_addr src, dst;
    if (p->ip.version == 4) {
        sn_addr_v4(&src, p->ip.src4);
        sn_addr_v4(&dst, p->ip.dst4);
    } else {
        sn_addr_v6(&src, p->ip.src6);
        sn_addr_v6(&dst, p->ip.dst6);
    }
    const struct tcp_hdr *t = &p->tcp;
    int side = server_side(n, &src, t->sport, &dst, t->dport);
    if (side)
        return side;
    /* one candidate per connection, keyed by both endpoints in a fixed order */
    struct dkey key;
    bool fwd = memcmp(src.a, dst.a, 16) < 0 || (memcmp(src.a, dst.a, 16) == 0 && t->sport < t->dport);
    dkey_pair(&key, fwd ? &src : &dst, fwd ? &dst : &src);
    key.b[34] = (uint8_t)((fwd ? t->sport : t->dport) >> 8);
    key.b[35] = (uint8_t)(fwd ? t->sport : t->dport);
    key.b[36] = (uint8_t)((fwd ? t->dport : t->sport) >> 8);
    key.b[37] = (uint8_t)(fwd ? t->dport : t->sport);
    bool created;
    struct cand *c = dtab_get(&n->cand, &key, true, &created);
    if (!c)
        return 0;
    bool syn = (t->flags & TCP_SYN) && !(t->flags & TCP_ACK), synack = (t->flags & TCP_SYN) && (t->flags & TCP_ACK);
    if (created || syn) {
        if (syn && !created) /* a new connection on the same 4-tuple */
            flow_free(n, &c->f);
        if (syn || created) {
            memset(c, 0, sizeof *c);
            c->cli = src;
            c->srv = dst;
            c->cport = t->sport;
            c->sport = t->dport;
        }
    }
    if (syn) {
        c->have_syn = 1;
        c->cli_isn = t->seq;
        c->syn_ns = now;
    } else if (synack && sn_addr_eq(&src, &c->srv) && t->sport == c->sport) {
        c->have_synack = 1;
        c->srv_isn = t->seq;
        c->synack_ns = now;
    }
    if (c->done)
        return 0;
    struct ndpi_detection_module_struct *mod = module(n);
    if (!mod) {
        c->done = 1;
        return 0;
    }
    if (!c->f && !(c->f = flow_new(s, n)))
        return 0; /* cap reached: try again on a later packet */
    size_t len = rebuild(n, p);
    if (!len)
        return 0;
    ndpi_protocol r = ndpi_detection_process_packet(mod, c->f, n->scratch, (unsigned short)len, now / 1000000);
    c->pkts++;
    bool pptp = r.app_protocol == NDPI_PROTOCOL_PPTP || r.master_protocol == NDPI_PROTOCOL_PPTP;
    if (!pptp && !detected(r) && c->pkts < cfg->max_packets_per_flow)
        return 0;
    c->done = 1;
    flow_free(n, &c->f);
    if (!pptp)
        return 0;
    /* PPTP: the SCCRQ that nDPI recognised goes from the client to the server */
    if (!c->have_syn) {
        c->cli = src;
        c->srv = dst;
        c->cport = t->sport;
        c->sport = t->dport;
    }
    uint32_t i = n->nservers < NDPI_MAX_SERVERS ? n->nservers++ : n->next_server++ % NDPI_MAX_SERVERS;
    n->servers[i].ip = c->srv;
    n->servers[i].port = c->sport;
    n->detected_pptp++;
    struct cand copy = *c;
    replay_handshake(s, p, &copy);
    ctrl_tcp(s, p, now); /* this packet, now on a known PPTP endpoint */
    nonstandard_alert(s, &copy.cli, copy.cport, &copy.srv, copy.sport, now);
    return 0; /* handled here */
}

uint64_t det_ndpi_mem(const struct sensor *s, uint64_t *live_flows, uint64_t *pptp_found)
{
    const struct ndpi_state *n = s->det->ndpi;
    *live_flows = n ? n->live : 0;
    *pptp_found = n ? n->detected_pptp : 0;
    if (!n)
        return 0;
    /* the flows and our tables; the detection module's own tables (some MB,
     * made once) are not counted */
    return sizeof *n + dtab_mem(&n->cand) + (uint64_t)n->live * SIZEOF_FLOW_STRUCT + (n->scratch ? PKT_SCRATCH : 0);
}
