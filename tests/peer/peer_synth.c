/*
 * peer_synth.c - synthesis driver: instances of a scenario (one per session),
 * each a PNS and a PAC with their TCP endpoints, control engines and calls
 * (GRE + PPP engines per side), wired through the simulated network; a
 * discrete-event loop runs the script.  See peer_synth.h and docs/peer.md.
 *
 * Loop: poll every running instance (its active directives start actions or
 * notice they are done), fire due timers, deliver one queued packet; repeat.
 * When nothing moves: release held (reordered) GRE packets, let directives
 * waiting for replies give up, then jump the clock to the next deadline
 * (engine timers, waits).  No deadline left while a directive is still
 * waiting = the scenario stalled: an error naming the line.
 */
#include "peer_synth.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ip_common.h"
#include "ipv4.h"
#include "peer_ipdata.h"
#include "peer_tcp.h"

#define MAX_CALLS 64
#define MAX_RUNS 32

typedef struct inst inst;
typedef struct scall scall;

typedef struct sref {
    scall *c;
    int side;
} sref;

struct scall {
    inst *in;
    char name[CALL_NAME_MAX];
    int line;
    int index;         /* order of creation in the instance */
    bool incoming;
    uint16_t id[2];    /* Call ID each side chose (0 until known) */
    bool bound[2];     /* the side's control call is up and its engines run */
    bool failed;       /* refused by OCRP/ICRP */
    bool down[2];
    bool ended;        /* both sides down (or never up) */
    pgre gre[2];
    pppe ppp[2];
    bool gre_on[2], ppp_on[2];
    bool start_pending[2];
    sref ref[2];
    uint32_t replies[2]; /* echo replies / SYN-ACKs received by each side */
    uint32_t rx_ip[2];
    uint16_t ip_id[2];
    uint16_t icmp_seq;
    int auth_failures;
};

typedef struct grefault {
    uint32_t drop, dup;
    bool reorder;
    uint8_t *held;
    size_t held_len;
    scall *held_call;
} grefault;

typedef struct run {
    const directive *d;
    int phase;
    uint32_t sent, base, n;
    ptime wake;
    bool waiting;
    scall *call;
    bool done;
} run;

typedef struct side_ref {
    inst *in;
    int side;
} side_ref;

typedef struct sim sim;

struct inst {
    sim *s;
    int idx;
    prng rng;
    pnet_host client_host;
    pnet_host *host[2];
    ptcp_ep tcp[2];
    bool tcp_paired;
    int conn_gen;
    size_t tcp_split[2];
    bool tcp_coalesce[2];
    unsigned tcp_faults[2];
    pctrl ctrl[2];
    side_ref sref[2];
    scall *calls[MAX_CALLS];
    int n_calls;
    scall *latest;
    grefault gf[2];
    int pc;
    run runs[MAX_RUNS];
    int n_runs;
    bool started, finished;
};

struct sim {
    const scenario *sc;
    synth_opts o;
    pnet net;
    mschap_crypto *cx;
    pnet_host server_host;
    inst *insts;
    int n_insts;
    char *err;
    size_t err_size;
    bool failed;
    synth_stats st;
};

/* ---- diagnostics ----------------------------------------------------------------- */

static void trace(inst *in, const char *fmt, ...)
{
    if (!in->s->o.verbose)
        return;
    ptime t = in->s->net.now;
    fprintf(stderr, "[%5llu.%06llu] #%d ", (unsigned long long)(t / PT_SEC), (unsigned long long)(t % PT_SEC),
            in->idx);
    va_list ap;
    va_start(ap, fmt);
    vfprintf(stderr, fmt, ap);
    va_end(ap);
    fputc('\n', stderr);
}

static void sim_fail(inst *in, const directive *d, const char *fmt, ...)
{
    sim *s = in->s;
    if (s->failed)
        return;
    s->failed = true;
    int n = snprintf(s->err, s->err_size, "%s:%d: ", s->sc->path, d ? d->line : 0);
    if (n < 0 || (size_t)n >= s->err_size)
        return;
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(s->err + n, s->err_size - (size_t)n, fmt, ap);
    va_end(ap);
    if (s->n_insts > 1) {
        size_t k = strlen(s->err);
        snprintf(s->err + k, s->err_size - k, " (session %d)", in->idx);
    }
}

/* ---- calls: GRE and PPP wiring --------------------------------------------------- */

static void gre_deliver_net(void *ctx, const uint8_t *p, size_t n)
{
    sref *r = ctx;
    scall *c = r->c;
    if (c->gre_on[r->side])
        pgre_input(&c->gre[r->side], c->in->s->net.now, p, n);
}

static void send_gre(scall *c, int side, const uint8_t *p, size_t n, unsigned flags)
{
    inst *in = c->in;
    pnet_send(&in->s->net, in->host[side], in->host[1 - side], IP_PROTO_GRE, PNET_CAP_GRE, p, n, flags,
              gre_deliver_net, &c->ref[1 - side]);
}

static void release_held_gre(inst *in, int side)
{
    grefault *f = &in->gf[side];
    if (!f->held)
        return;
    uint8_t *p = f->held;
    f->held = NULL;
    send_gre(f->held_call, side, p, f->held_len, 0);
    free(p);
}

static void gre_out(void *ctx, pgre *g, const uint8_t *p, size_t n, int kind)
{
    (void)g;
    sref *r = ctx;
    scall *c = r->c;
    inst *in = c->in;
    grefault *f = &in->gf[r->side];
    if (kind == 0 && f->drop) {
        f->drop--;
        send_gre(c, r->side, p, n, PNET_NO_CAPTURE | PNET_NO_DELIVER);
        return;
    }
    if (kind == 0 && f->reorder && !f->held) {
        f->reorder = false;
        f->held = malloc(n);
        if (f->held) {
            memcpy(f->held, p, n);
            f->held_len = n;
            f->held_call = c;
            return;
        }
    }
    send_gre(c, r->side, p, n, 0);
    if (kind == 0 && f->dup) {
        f->dup--;
        send_gre(c, r->side, p, n, 0);
    }
    release_held_gre(in, r->side);
}

static void gre_to_ppp(void *ctx, pgre *g, const uint8_t *p, size_t n)
{
    (void)g;
    sref *r = ctx;
    scall *c = r->c;
    if (c->ppp_on[r->side])
        pppe_input(&c->ppp[r->side], c->in->s->net.now, p, n);
}

static void ppp_out(void *ctx, pppe *e, const uint8_t *p, size_t n)
{
    (void)e;
    sref *r = ctx;
    scall *c = r->c;
    if (c->gre_on[r->side])
        pgre_send(&c->gre[r->side], c->in->s->net.now, p, n);
}

static void ppp_ip(void *ctx, pppe *e, const uint8_t *p, size_t n)
{
    sref *r = ctx;
    scall *c = r->c;
    c->rx_ip[r->side]++;
    int k = ipd_classify(p, n);
    if (k == IPD_ICMP_REPLY || k == IPD_TCP_SYNACK) {
        c->replies[r->side]++;
        return;
    }
    uint8_t out[1600];
    size_t m = ipd_respond(p, n, c->ip_id[r->side]++, 1360, out, sizeof out);
    if (m)
        pppe_send_ip(e, c->in->s->net.now, out, m);
}

static const char *side_name(int side)
{
    return side == SIDE_CLIENT ? "client" : "server";
}

static void ppp_event(void *ctx, pppe *e, int ev)
{
    sref *r = ctx;
    scall *c = r->c;
    static const char *const names[] = {"", "lcp up", "auth ok", "auth failure", "network up", "ppp down",
                                        "mppe reset"};
    if (ev == PPPE_EV_AUTH_FAIL && r->side == SIDE_SERVER)
        c->auth_failures++;
    if (ev > 0 && ev < (int)(sizeof names / sizeof names[0]))
        trace(c->in, "call %s %s: %s%s%s", c->name, side_name(r->side), names[ev],
              ev == PPPE_EV_AUTH_OK || ev == PPPE_EV_AUTH_FAIL ? " " : "",
              ev == PPPE_EV_AUTH_OK || ev == PPPE_EV_AUTH_FAIL ? pauth_method_name(e->auth_method) : "");
}

static void bind_side(scall *c, int side, const pctrl_call *cc)
{
    inst *in = c->in;
    sim *s = in->s;
    c->id[side] = cc->call_id;
    c->bound[side] = true;
    pgre_init(&c->gre[side], &s->sc->gre[side], gre_out, gre_to_ppp, &c->ref[side]);
    pgre_set_peer(&c->gre[side], cc->peer_call_id, cc->peer_window);
    c->gre_on[side] = true;
    /* the server's address pool: one address per call and session */
    pppe_cfg cfg = s->sc->ppp[side];
    if (side == SIDE_SERVER && cfg.ip_assign)
        cfg.ip_assign += (uint32_t)(in->idx * 16 + c->index);
    pppe_init(&c->ppp[side], side == SIDE_CLIENT ? PPPE_CLIENT : PPPE_SERVER, &cfg, s->cx,
              prng_next(&in->rng), ppp_out, ppp_ip, ppp_event, &c->ref[side]);
    c->ppp_on[side] = true;
    c->ip_id[side] = (uint16_t)prng_u32(&in->rng);
    trace(in, "call %s %s: up, call id %u, peer %u", c->name, side_name(side), cc->call_id, cc->peer_call_id);
    /* PPP starts once the call reply has left (the next poll), as pppd is
     * started after pptpd sent it */
    c->start_pending[side] = true;
}

static void start_pending_ppp(inst *in)
{
    for (int i = 0; i < in->n_calls; i++) {
        scall *c = in->calls[i];
        for (int sd = 0; sd < 2; sd++) {
            if (c->start_pending[sd]) {
                c->start_pending[sd] = false;
                if (c->ppp_on[sd])
                    pppe_start(&c->ppp[sd], in->s->net.now);
            }
        }
    }
}

static void unbind_side(scall *c, int side)
{
    if (c->ppp_on[side]) {
        pppe_lower_down(&c->ppp[side]);
        pppe_free(&c->ppp[side]);
        c->ppp_on[side] = false;
    }
    if (c->gre_on[side]) {
        pgre_free(&c->gre[side]);
        c->gre_on[side] = false;
    }
    c->down[side] = true;
    if (c->down[0] && c->down[1])
        c->ended = true;
}

static scall *find_pending(inst *in, int side, uint16_t other_id)
{
    for (int i = in->n_calls - 1; i >= 0; i--) {
        scall *c = in->calls[i];
        if (!c->ended && !c->bound[side] && !c->failed && c->id[1 - side] == other_id && c->id[1 - side])
            return c;
    }
    return NULL;
}

static scall *find_own(inst *in, int side, uint16_t id)
{
    for (int i = in->n_calls - 1; i >= 0; i--) {
        scall *c = in->calls[i];
        if (!c->ended && !c->down[side] && c->id[side] == id)
            return c;
    }
    return NULL;
}

/* ---- control connection wiring ---------------------------------------------------- */

static void ctrl_send(void *ctx, const uint8_t *p, size_t n)
{
    side_ref *r = ctx;
    ptcp_write(&r->in->tcp[r->side], p, n);
}

static void ctrl_event(void *ctx, pctrl *e, int ev, pctrl_call *cc)
{
    side_ref *r = ctx;
    inst *in = r->in;
    int side = r->side;
    (void)e;
    switch (ev) {
    case PCTRL_EV_UP:
        trace(in, "control %s: established", side_name(side));
        break;
    case PCTRL_EV_REFUSED:
        trace(in, "control %s: refused", side_name(side));
        break;
    case PCTRL_EV_DOWN:
        trace(in, "control %s: down", side_name(side));
        break;
    case PCTRL_EV_CALL_UP: {
        scall *c = cc->user ? cc->user : find_own(in, side, cc->call_id);
        if (!c || c->bound[side])
            c = find_pending(in, side, cc->peer_call_id);
        if (!c) {
            trace(in, "control %s: call %u up with no scripted call", side_name(side), cc->call_id);
            break;
        }
        cc->user = c;
        bind_side(c, side, cc);
        break;
    }
    case PCTRL_EV_CALL_FAILED: {
        scall *c = find_own(in, side, cc->call_id);
        if (!c)
            c = find_pending(in, side, cc->peer_call_id);
        if (c) {
            c->failed = true;
            c->down[0] = c->down[1] = true;
            c->ended = true;
            trace(in, "call %s: refused, result %u", c->name, cc->result);
        }
        break;
    }
    case PCTRL_EV_CALL_DOWN: {
        scall *c = cc->user;
        if (c && !c->down[side]) {
            trace(in, "call %s %s: down (result %u)", c->name, side_name(side), cc->result);
            unbind_side(c, side);
        }
        break;
    }
    default:
        break;
    }
}

static void tcp_data(void *ctx, ptcp_ep *ep, const uint8_t *p, size_t n)
{
    inst *in = ctx;
    int side = ep == &in->tcp[SIDE_CLIENT] ? SIDE_CLIENT : SIDE_SERVER;
    pctrl_input(&in->ctrl[side], p, n);
}

static void tcp_event(void *ctx, ptcp_ep *ep, int ev)
{
    inst *in = ctx;
    int side = ep == &in->tcp[SIDE_CLIENT] ? SIDE_CLIENT : SIDE_SERVER;
    switch (ev) {
    case PTCP_EV_CONNECTED:
        trace(in, "tcp %s: connected", side_name(side));
        if (side == SIDE_CLIENT && in->ctrl[SIDE_CLIENT].state == PCTRL_IDLE)
            pctrl_start(&in->ctrl[SIDE_CLIENT]);
        break;
    case PTCP_EV_EOF:
    case PTCP_EV_RESET:
        trace(in, "tcp %s: %s", side_name(side), ev == PTCP_EV_EOF ? "peer closed" : "reset");
        pctrl_transport_down(&in->ctrl[side]);
        break;
    default:
        break;
    }
}

/* Segmentation policy, and one-shot faults waiting for the next segment
 * (set before a connection exists, they apply to its first data). */
static void apply_tcp_policy(inst *in, int side)
{
    in->tcp[side].split = in->tcp_split[side];
    in->tcp[side].coalesce = in->tcp_coalesce[side];
    in->tcp[side].faults |= in->tcp_faults[side];
    in->tcp_faults[side] = 0;
}

static void start_connection(inst *in)
{
    sim *s = in->s;
    const scenario *sc = s->sc;
    if (in->tcp_paired) {
        ptcp_free(&in->tcp[0]);
        ptcp_free(&in->tcp[1]);
    }
    uint16_t port = sc->client_port ? (uint16_t)(sc->client_port + in->conn_gen + in->idx)
                                    : (uint16_t)(49152 + prng_below(&in->rng, 16000));
    in->conn_gen++;
    uint32_t iss0 = prng_u32(&in->rng), iss1 = prng_u32(&in->rng);
    ptcp_pair(&in->tcp[0], &in->tcp[1], &s->net, in->host[0], port, iss0, in->host[1], PPTP_TCP_PORT, iss1);
    in->tcp_paired = true;
    for (int i = 0; i < 2; i++) {
        ptcp_set_callbacks(&in->tcp[i], tcp_data, tcp_event, in);
        apply_tcp_policy(in, i);
        in->sref[i].in = in;
        in->sref[i].side = i;
        pctrl_init(&in->ctrl[i], i == SIDE_CLIENT ? PCTRL_PNS : PCTRL_PAC, &sc->ctrl[i], ctrl_send, ctrl_event,
                   &in->sref[i]);
    }
    trace(in, "tcp: connecting from port %u", port);
    ptcp_connect(&in->tcp[0]);
}

static void flush_tcp(inst *in)
{
    if (!in->tcp_paired)
        return;
    ptcp_flush(&in->tcp[0]);
    ptcp_flush(&in->tcp[1]);
}

/* ---- directives ------------------------------------------------------------------------ */

static scall *resolve_call(inst *in, const directive *d)
{
    if (!d->call[0])
        return in->latest;
    for (int i = in->n_calls - 1; i >= 0; i--)
        if (!strcmp(in->calls[i]->name, d->call))
            return in->calls[i];
    return NULL;
}

static scall *need_call(inst *in, const directive *d)
{
    scall *c = resolve_call(in, d);
    if (!c)
        sim_fail(in, d, d->call[0] ? "no call named @%s" : "no call yet", d->call);
    return c;
}

static scall *new_call(inst *in, const directive *d)
{
    if (in->n_calls == MAX_CALLS) {
        sim_fail(in, d, "too many calls (max %d)", MAX_CALLS);
        return NULL;
    }
    scall *c = calloc(1, sizeof *c);
    if (!c) {
        sim_fail(in, d, "out of memory");
        return NULL;
    }
    c->in = in;
    c->line = d->line;
    c->index = in->n_calls;
    c->incoming = d->incoming;
    if (d->call[0])
        snprintf(c->name, sizeof c->name, "%s", d->call);
    else
        snprintf(c->name, sizeof c->name, "c%d", in->n_calls + 1);
    for (int i = 0; i < 2; i++) {
        c->ref[i].c = c;
        c->ref[i].side = i;
    }
    in->calls[in->n_calls++] = c;
    in->latest = c;
    return c;
}

static bool ctrl_ready(inst *in)
{
    return in->tcp_paired && in->ctrl[SIDE_CLIENT].state == PCTRL_ESTABLISHED &&
           in->ctrl[SIDE_SERVER].state == PCTRL_ESTABLISHED;
}

static bool ppp_done(const scall *c, int side)
{
    if (!c->ppp_on[side])
        return c->down[side];
    if (c->start_pending[side])
        return false;
    const pppe *e = &c->ppp[side];
    return pppe_settled(e) || e->phase == PPHASE_TERMINATE;
}

static int call_outcome(const scall *c)
{
    if (c->failed)
        return EXPECT_REFUSED;
    if (c->ppp_on[0] && c->ppp_on[1] && c->ppp[0].net_up_emitted && c->ppp[1].net_up_emitted)
        return EXPECT_UP;
    if (c->auth_failures || (c->ppp_on[1] && c->ppp[1].auth.state == PA_FAILED))
        return EXPECT_AUTH_FAIL;
    return -1;
}

static const char *outcome_name(int o)
{
    switch (o) {
    case EXPECT_UP: return "up";
    case EXPECT_AUTH_FAIL: return "auth-fail";
    case EXPECT_REFUSED: return "refused";
    default: return "down";
    }
}

static bool run_call(inst *in, run *r)
{
    const directive *d = r->d;
    sim *s = in->s;
    switch (r->phase) {
    case 0:
        if (!ctrl_ready(in)) {
            start_connection(in);
            r->phase = 1;
            return false;
        }
        r->phase = 2;
        /* fall through */
    case 1:
        if (r->phase == 1) {
            if (in->ctrl[SIDE_CLIENT].state == PCTRL_CLOSED) {
                sim_fail(in, d, "control connection refused (SCCRP result %u)", in->ctrl[0].peer_result);
                return false;
            }
            if (!ctrl_ready(in))
                return false;
            r->phase = 2;
        }
        /* fall through */
    case 2: {
        scall *c = new_call(in, d);
        if (!c)
            return false;
        r->call = c;
        int init = d->incoming ? SIDE_SERVER : SIDE_CLIENT;
        pctrl_set_next_call_id(&in->ctrl[init], d->id);
        pctrl_set_next_call_id(&in->ctrl[1 - init], d->peer_id);
        pctrl_call *cc = d->incoming ? pctrl_call_in(&in->ctrl[SIDE_SERVER], d->serial)
                                     : pctrl_call_out(&in->ctrl[SIDE_CLIENT], d->serial);
        if (!cc) {
            sim_fail(in, d, "cannot place the call (control connection not up or too many calls)");
            return false;
        }
        cc->user = c;
        c->id[init] = cc->call_id;
        trace(in, "call %s: %s call id %u", c->name, d->incoming ? "incoming" : "outgoing", cc->call_id);
        r->phase = 3;
        return false;
    }
    case 3: {
        scall *c = r->call;
        bool settled = c->failed || (c->bound[0] && c->bound[1] && ppp_done(c, 0) && ppp_done(c, 1)) ||
                       (c->ended && (c->bound[0] || c->bound[1]));
        if (!settled)
            return false;
        int o = call_outcome(c);
        trace(in, "call %s: %s", c->name, outcome_name(o));
        if (o == EXPECT_UP)
            s->st.calls_up++;
        else if (o == EXPECT_AUTH_FAIL)
            s->st.calls_auth_failed++;
        else if (o == EXPECT_REFUSED)
            s->st.calls_refused++;
        if (d->expect && o != d->expect)
            sim_fail(in, d, "call %s ended %s, expected %s", c->name, outcome_name(o), outcome_name(d->expect));
        return true;
    }
    default:
        return true;
    }
}

static bool send_data_packet(inst *in, run *r)
{
    const directive *d = r->d;
    scall *c = r->call;
    int sd = d->side;
    pppe *e = &c->ppp[sd];
    ipd_spec sp;
    memset(&sp, 0, sizeof sp);
    sp.kind = d->ipkind;
    sp.src = e->ip_addr;
    sp.dst = d->dst ? d->dst : e->ip_peer;
    sp.size = d->size;
    sp.ip_id = c->ip_id[sd]++;
    sp.ident = (uint16_t)(0x100 + in->idx);
    sp.seq = ++c->icmp_seq;
    sp.sport = (uint16_t)(50000 + r->sent);
    sp.dport = d->port ? d->port : d->ipkind == IPD_UDP ? 9 : 80; /* UDP: discard */
    sp.mss = d->mss;
    sp.tcp_seq = prng_u32(&in->rng);
    uint8_t pkt[1600];
    size_t n = ipd_build(&sp, pkt, sizeof pkt);
    if (!n) {
        sim_fail(in, d, "cannot build a %u-byte packet", d->size);
        return false;
    }
    if (!pppe_send_ip(e, in->s->net.now, pkt, n)) {
        sim_fail(in, d, "call %s: the %s cannot send IP (IPCP%s not open)", c->name, side_name(sd),
                 e->cfg.mppe_bits ? "/CCP" : "");
        return false;
    }
    return true;
}

static bool run_data(inst *in, run *r, bool idle)
{
    const directive *d = r->d;
    sim *s = in->s;
    if (r->phase == 0) {
        r->call = need_call(in, d);
        if (!r->call)
            return false;
        if (!r->call->ppp_on[d->side] || !r->call->ppp_on[1 - d->side]) {
            sim_fail(in, d, "call %s is not up", r->call->name);
            return false;
        }
        r->base = r->call->replies[d->side];
        r->wake = s->net.now;
        r->phase = 1;
    }
    scall *c = r->call;
    bool expect_reply = !d->noreply && (d->ipkind == IPD_ICMP_ECHO || d->ipkind == IPD_TCP_SYN);
    for (;;) {
        uint32_t got = c->replies[d->side] - r->base;
        r->waiting = expect_reply && got < r->sent;
        if (r->sent == d->count)
            return !r->waiting || idle;
        if (s->net.now < r->wake)
            return false;
        bool lockstep = expect_reply && !d->burst;
        if (lockstep && r->waiting && !idle)
            return false;
        if (!c->ppp_on[d->side]) {
            sim_fail(in, d, "call %s went down during data", c->name);
            return false;
        }
        if (!send_data_packet(in, r))
            return false;
        r->sent++;
        r->wake = s->net.now + d->interval;
        idle = false;
        if (d->interval || lockstep)
            return false;
    }
}

static bool run_hangup(inst *in, run *r)
{
    const directive *d = r->d;
    sim *s = in->s;
    int sd = d->side;
    if (r->phase == 0) {
        r->call = need_call(in, d);
        if (!r->call)
            return false;
        if (r->call->ended)
            return true;
        if (d->lcp && r->call->ppp_on[sd] && !pppe_is_dead(&r->call->ppp[sd])) {
            trace(in, "call %s %s: LCP Terminate-Request \"%s\"", r->call->name, side_name(sd), d->text);
            pppe_close(&r->call->ppp[sd], s->net.now, d->text);
            r->phase = 1;
        } else {
            r->phase = 2;
        }
    }
    scall *c = r->call;
    if (r->phase == 1) {
        if (c->ppp_on[sd]) {
            int st = c->ppp[sd].lcp.state;
            if (st != CPS_CLOSED && st != CPS_STOPPED && st != CPS_INITIAL)
                return false;
        }
        if (d->kind == D_LCP_TERM)
            return true;
        r->phase = 2;
    }
    if (r->phase == 2) {
        if (c->ended || c->down[sd])
            return c->ended;
        pctrl_call *cc = pctrl_find_call(&in->ctrl[sd], c->id[sd]);
        if (!cc) {
            sim_fail(in, d, "call %s: no control call on the %s", c->name, side_name(sd));
            return false;
        }
        trace(in, "call %s: %s clears it%s", c->name, side_name(sd), sd == SIDE_CLIENT ? " (CCRQ)" : " (CDN)");
        pctrl_call_clear(&in->ctrl[sd], cc, d->result);
        r->phase = 3;
        return false;
    }
    return c->ended;
}

static bool tcp_closed_both(inst *in)
{
    return ptcp_is_closed(&in->tcp[0]) && ptcp_is_closed(&in->tcp[1]);
}

static bool run_poll(inst *in, run *r, bool idle)
{
    const directive *d = r->d;
    sim *s = in->s;
    switch (d->kind) {
    case D_CONNECT:
        if (r->phase == 0) {
            if (ctrl_ready(in))
                return true;
            start_connection(in);
            r->phase = 1;
        }
        if (in->ctrl[SIDE_CLIENT].state == PCTRL_CLOSED)
            return true;
        return ctrl_ready(in);
    case D_CALL:
        return run_call(in, r);
    case D_DATA:
        return run_data(in, r, idle);
    case D_ECHO:
        if (r->phase == 0 || (r->phase == 1 && !in->ctrl[d->side].echo_pending)) {
            if (r->n == d->n)
                return true;
            if (!pctrl_echo(&in->ctrl[d->side])) {
                sim_fail(in, d, "no control connection for an echo");
                return false;
            }
            r->n++;
            r->phase = 1;
        }
        return false;
    case D_LCP_ECHO: {
        if (r->phase == 0) {
            r->call = need_call(in, d);
            if (!r->call)
                return false;
            r->phase = 1;
        }
        scall *c = r->call;
        if (!c->ppp_on[d->side])
            return true;
        pppe *e = &c->ppp[d->side];
        if (r->n && e->echo_rcvd - r->base < r->n && !idle)
            return false;
        if (r->n == d->n)
            return true;
        if (!r->n)
            r->base = e->echo_rcvd;
        if (!pppe_lcp_echo(e, s->net.now)) {
            sim_fail(in, d, "LCP is not open");
            return false;
        }
        r->n++;
        return false;
    }
    case D_SLI:
    case D_WEN: {
        scall *c = need_call(in, d);
        int sd = d->kind == D_SLI ? SIDE_CLIENT : SIDE_SERVER;
        pctrl_call *cc = c ? pctrl_find_call(&in->ctrl[sd], c->id[sd]) : NULL;
        if (!cc) {
            sim_fail(in, d, "no such call on the %s", side_name(sd));
            return false;
        }
        bool ok = d->kind == D_SLI ? pctrl_sli(&in->ctrl[sd], cc, 0xffffffff, 0xffffffff)
                                   : pctrl_wen(&in->ctrl[sd], cc, 1);
        if (!ok)
            sim_fail(in, d, "cannot send");
        return ok;
    }
    case D_WAIT:
        if (r->phase == 0) {
            r->wake = s->net.now + d->dur;
            r->phase = 1;
            trace(in, "wait until %llu us", (unsigned long long)r->wake);
        }
        return s->net.now >= r->wake;
    case D_STEP:
        s->net.cfg.step = d->dur;
        return true;
    case D_MTU:
        s->net.cfg.mtu = (uint16_t)d->n;
        return true;
    case D_HANGUP:
    case D_LCP_TERM:
        return run_hangup(in, r);
    case D_DISCONNECT:
        if (r->phase == 0) {
            if (!pctrl_stop(&in->ctrl[d->side], d->result)) {
                sim_fail(in, d, "no established control connection to stop");
                return false;
            }
            r->phase = 1;
        }
        if (r->phase == 1) {
            if (in->ctrl[d->side].state != PCTRL_CLOSED)
                return false;
            ptcp_close(&in->tcp[d->side]);
            r->phase = 2;
        }
        return tcp_closed_both(in);
    case D_CLOSE:
    case D_RST:
        if (r->phase == 0) {
            if (!in->tcp_paired) {
                sim_fail(in, d, "no TCP connection");
                return false;
            }
            if (d->kind == D_CLOSE)
                ptcp_close(&in->tcp[d->side]);
            else
                ptcp_abort(&in->tcp[d->side]);
            pctrl_transport_down(&in->ctrl[d->side]);
            r->phase = 1;
        }
        return d->kind == D_CLOSE ? tcp_closed_both(in) : ptcp_is_closed(&in->tcp[1 - d->side]);
    case D_CAPTURE:
        s->net.capture = d->mode;
        return true;
    case D_TCP: {
        int sd = d->side;
        switch (d->op) {
        case TOP_NORMAL:
            in->tcp_split[sd] = 0;
            in->tcp_coalesce[sd] = false;
            break;
        case TOP_SPLIT: in->tcp_split[sd] = (size_t)d->n; break;
        case TOP_COALESCE: in->tcp_coalesce[sd] = true; break;
        default: break;
        }
        in->tcp_faults[sd] |= d->op == TOP_REORDER      ? PTCP_F_REORDER
                              : d->op == TOP_RETRANSMIT ? PTCP_F_RETRANSMIT
                              : d->op == TOP_LOSE       ? PTCP_F_LOSE
                              : d->op == TOP_GAP        ? PTCP_F_GAP
                                                        : 0u;
        if (in->tcp_paired)
            apply_tcp_policy(in, sd);
        return true;
    }
    case D_GRE: {
        grefault *f = &in->gf[d->side];
        if (d->op == GOP_DROP)
            f->drop += (uint32_t)d->n;
        else if (d->op == GOP_DUPLICATE)
            f->dup += (uint32_t)d->n;
        else
            f->reorder = true;
        return true;
    }
    default:
        return true;
    }
}

/* ---- instances ------------------------------------------------------------------------- */

static void inst_init(sim *s, inst *in, int idx)
{
    const scenario *sc = s->sc;
    memset(in, 0, sizeof *in);
    in->s = s;
    in->idx = idx;
    prng_seed(&in->rng, s->o.seed + (uint64_t)idx * 0x9e3779b9ull);
    pnet_host *h = &in->client_host;
    h->mac[0] = 0x02;
    h->mac[3] = 0xc0;
    h->mac[4] = (uint8_t)(idx >> 8);
    h->mac[5] = (uint8_t)(0x02 + idx);
    h->ip4 = sc->ip4[SIDE_CLIENT] + (uint32_t)idx;
    memcpy(h->ip6, sc->ip6[SIDE_CLIENT], 16);
    uint16_t low = (uint16_t)(h->ip6[14] << 8 | h->ip6[15]);
    low = (uint16_t)(low + idx);
    h->ip6[14] = (uint8_t)(low >> 8);
    h->ip6[15] = (uint8_t)low;
    h->ip_id = (uint16_t)prng_u32(&in->rng);
    h->frag_id = prng_u32(&in->rng);
    in->host[SIDE_CLIENT] = h;
    in->host[SIDE_SERVER] = &s->server_host;
}

static void inst_free(inst *in)
{
    for (int i = 0; i < in->n_calls; i++) {
        scall *c = in->calls[i];
        for (int sd = 0; sd < 2; sd++) {
            if (c->ppp_on[sd])
                pppe_free(&c->ppp[sd]);
            if (c->gre_on[sd])
                pgre_free(&c->gre[sd]);
        }
        free(c);
    }
    in->n_calls = 0;
    if (in->tcp_paired) {
        ptcp_free(&in->tcp[0]);
        ptcp_free(&in->tcp[1]);
    }
    for (int i = 0; i < 2; i++)
        free(in->gf[i].held);
}

/* Advance an instance's script.  Returns true when something happened. */
static bool inst_poll(inst *in, bool idle)
{
    sim *s = in->s;
    const scenario *sc = s->sc;
    bool progress = false;
    flush_tcp(in);
    start_pending_ppp(in);
    while (!s->failed && !in->finished) {
        bool all_done = true;
        for (int i = 0; i < in->n_runs; i++) {
            run *r = &in->runs[i];
            if (r->done)
                continue;
            int phase = r->phase;
            uint32_t sent = r->sent, n = r->n;
            if (run_poll(in, r, idle)) {
                r->done = true;
                progress = true;
            } else {
                all_done = false;
                if (r->phase != phase || r->sent != sent || r->n != n)
                    progress = true;
            }
            if (s->failed)
                return true;
        }
        flush_tcp(in);
        if (!all_done)
            return progress;
        in->n_runs = 0;
        if (in->pc >= sc->n_dirs) {
            in->finished = true;
            s->st.sessions_done++;
            trace(in, "script done");
            return true;
        }
        const directive *d = &sc->dirs[in->pc++];
        if (d->kind == D_BATCH) {
            while (in->pc < sc->n_dirs && sc->dirs[in->pc].kind != D_END && in->n_runs < MAX_RUNS) {
                memset(&in->runs[in->n_runs], 0, sizeof in->runs[0]);
                in->runs[in->n_runs++].d = &sc->dirs[in->pc++];
            }
            if (in->pc < sc->n_dirs && sc->dirs[in->pc].kind == D_END)
                in->pc++;
        } else if (d->kind != D_END) {
            memset(&in->runs[0], 0, sizeof in->runs[0]);
            in->runs[0].d = d;
            in->n_runs = 1;
        }
        idle = false;
        progress = true;
    }
    return progress;
}

static ptime inst_deadline(inst *in)
{
    ptime t = PT_NEVER;
#define MIN_T(x)                                                                                                 \
    do {                                                                                                         \
        ptime v_ = (x);                                                                                          \
        if (v_ < t)                                                                                              \
            t = v_;                                                                                              \
    } while (0)
    if (in->tcp_paired) {
        MIN_T(ptcp_next_timer(&in->tcp[0]));
        MIN_T(ptcp_next_timer(&in->tcp[1]));
    }
    for (int i = 0; i < in->n_calls; i++) {
        scall *c = in->calls[i];
        for (int sd = 0; sd < 2; sd++) {
            if (c->gre_on[sd])
                MIN_T(pgre_next_timer(&c->gre[sd]));
            if (c->ppp_on[sd])
                MIN_T(pppe_next_timer(&c->ppp[sd]));
        }
    }
    for (int i = 0; i < in->n_runs; i++) {
        run *r = &in->runs[i];
        if (!r->done && r->wake > in->s->net.now)
            MIN_T(r->wake);
    }
#undef MIN_T
    return t;
}

static bool inst_fire(inst *in, ptime now)
{
    bool fired = false;
    if (in->tcp_paired) {
        for (int i = 0; i < 2; i++) {
            if (ptcp_next_timer(&in->tcp[i]) <= now) {
                ptcp_timer(&in->tcp[i], now);
                fired = true;
            }
        }
    }
    for (int i = 0; i < in->n_calls; i++) {
        scall *c = in->calls[i];
        for (int sd = 0; sd < 2; sd++) {
            if (c->gre_on[sd] && pgre_next_timer(&c->gre[sd]) <= now) {
                pgre_timer(&c->gre[sd], now);
                fired = true;
            }
            if (c->ppp_on[sd] && pppe_next_timer(&c->ppp[sd]) <= now) {
                pppe_timer(&c->ppp[sd], now);
                fired = true;
            }
        }
    }
    return fired;
}

static const directive *inst_current(const inst *in)
{
    for (int i = 0; i < in->n_runs; i++)
        if (!in->runs[i].done)
            return in->runs[i].d;
    return NULL;
}

/* ---- the loop ------------------------------------------------------------------------------ */

static bool active(const inst *in)
{
    return in->started && !in->finished;
}

static bool start_instances(sim *s)
{
    int running = 0;
    bool started = false;
    for (int i = 0; i < s->n_insts; i++)
        running += active(&s->insts[i]);
    for (int i = 0; i < s->n_insts && running < s->o.concurrency; i++) {
        inst *in = &s->insts[i];
        if (!in->started) {
            in->started = true;
            running++;
            started = true;
            trace(in, "session starts");
        }
    }
    return started;
}

static void run_loop(sim *s)
{
    pnet *net = &s->net;
    uint64_t guard = 0;
    for (;;) {
        bool progress = true;
        while (progress && !s->failed) {
            progress = start_instances(s);
            for (int i = 0; i < s->n_insts; i++)
                if (active(&s->insts[i]) && inst_poll(&s->insts[i], false))
                    progress = true;
            for (int i = 0; i < s->n_insts; i++)
                if (s->insts[i].started && inst_fire(&s->insts[i], net->now))
                    progress = true;
            if (pnet_step(net))
                progress = true;
            if (++guard > 50000000ull) {
                sim_fail(&s->insts[0], inst_current(&s->insts[0]), "runaway simulation");
                return;
            }
        }
        if (s->failed)
            return;
        bool all = true;
        for (int i = 0; i < s->n_insts; i++)
            all = all && s->insts[i].finished;
        if (all)
            return;
        /* quiet network: reordered GRE packets still held go out now */
        bool moved = false;
        for (int i = 0; i < s->n_insts; i++) {
            inst *in = &s->insts[i];
            for (int sd = 0; sd < 2; sd++) {
                if (in->gf[sd].held) {
                    release_held_gre(in, sd);
                    moved = true;
                }
            }
        }
        if (moved)
            continue;
        for (int i = 0; i < s->n_insts; i++)
            if (active(&s->insts[i]) && inst_poll(&s->insts[i], true))
                moved = true;
        if (moved || pnet_busy(net))
            continue;
        ptime t = PT_NEVER;
        for (int i = 0; i < s->n_insts; i++) {
            if (!s->insts[i].started)
                continue;
            ptime d = inst_deadline(&s->insts[i]);
            if (d < t)
                t = d;
        }
        if (t == PT_NEVER) {
            for (int i = 0; i < s->n_insts; i++) {
                inst *in = &s->insts[i];
                if (active(in)) {
                    sim_fail(in, inst_current(in), "stalled: nothing left to happen (lost packet, refused call, "
                                                   "or an action the peer never answers?)");
                    return;
                }
            }
            return;
        }
        pnet_advance(net, t);
        for (int i = 0; i < s->n_insts; i++)
            if (s->insts[i].started)
                inst_fire(&s->insts[i], net->now);
    }
}

bool synth_run(const scenario *sc, const synth_opts *o, synth_stats *st, char *err, size_t err_size)
{
    sim *s = calloc(1, sizeof *s);
    if (!s) {
        snprintf(err, err_size, "out of memory");
        return false;
    }
    s->sc = sc;
    s->o = *o;
    if (!s->o.seed_set)
        s->o.seed = sc->seed;
    if (s->o.sessions < 1)
        s->o.sessions = 1;
    if (s->o.concurrency < 1)
        s->o.concurrency = 1;
    s->err = err;
    s->err_size = err_size;
    err[0] = '\0';
    pnet_init(&s->net, &sc->net);
    s->cx = mschap_crypto_new();
    bool ok = s->cx != NULL;
    if (!ok)
        snprintf(err, err_size, "cannot create the crypto context");
    if (ok && o->out && !pnet_open_pcap(&s->net, o->out)) {
        snprintf(err, err_size, "%s: cannot write", o->out);
        ok = false;
    }
    pnet_host *h = &s->server_host;
    h->mac[0] = 0x02;
    h->mac[3] = 0x5e;
    h->mac[5] = 0x01;
    h->ip4 = sc->ip4[SIDE_SERVER];
    memcpy(h->ip6, sc->ip6[SIDE_SERVER], 16);
    h->capture_side = true;
    s->n_insts = s->o.sessions;
    s->insts = ok ? calloc((size_t)s->n_insts, sizeof *s->insts) : NULL;
    if (ok && !s->insts) {
        snprintf(err, err_size, "out of memory");
        ok = false;
    }
    if (ok) {
        prng r;
        prng_seed(&r, s->o.seed ^ 0xa5a5a5a5ull);
        h->ip_id = (uint16_t)prng_u32(&r);
        h->frag_id = prng_u32(&r);
        for (int i = 0; i < s->n_insts; i++)
            inst_init(s, &s->insts[i], i);
        run_loop(s);
        ok = !s->failed;
    }
    s->st.frames = s->net.frames;
    s->st.frames_written = s->net.frames_written;
    s->st.fragments = s->net.fragments;
    s->st.duration = s->net.now;
    if (!pnet_close(&s->net) && ok) {
        snprintf(err, err_size, "%s: write error", o->out ? o->out : "pcap");
        ok = false;
    }
    for (int i = 0; s->insts && i < s->n_insts; i++)
        inst_free(&s->insts[i]);
    free(s->insts);
    mschap_crypto_free(s->cx);
    if (st)
        *st = s->st;
    free(s);
    return ok;
}
