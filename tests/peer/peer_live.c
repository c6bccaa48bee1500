/*
 * peer_live.c - live (TCP/1723 + raw GRE) and stdio (async HDLC) modes: one
 * end of a scenario over real transports.  See peer_live.h and docs/peer.md.
 *
 * One process = one node = our side.  The loop: advance the script (a
 * directive for our side acts, one for the other side waits for its effect),
 * fire engine timers, then poll the sockets with the nearest deadline as the
 * timeout.  GRE is always drained before the control connection so a packet
 * the peer sent before a CDN is counted before the call goes down (the order a
 * capture between us sees).
 */
#define _GNU_SOURCE
#include "peer_live.h"

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netdb.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <signal.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <termios.h>
#include <time.h>
#include <unistd.h>

#include "ccp.h"
#include "cursor.h"
#include "hdlc.h"
#include "peer_ipdata.h"

#define LMAX_CALLS 64
#define LMAX_RUNS 32
#define GRE_IPPROTO 47
#define LOSS_QUIET (1 * PT_SEC)

typedef struct node node;

typedef struct lcall {
    node *n;
    char name[CALL_NAME_MAX];
    int index;
    bool incoming;
    bool own;          /* we initiated it (OCRQ from the PNS / ICRQ from the PAC) */
    bool claimed;      /* a `call` directive owns it */
    bool bound;        /* engines running */
    bool failed;       /* refused by OCRP / ICRP */
    bool down;
    bool clearing;     /* we sent CCRQ: no more GRE from us */
    uint8_t result;
    uint16_t call_id, peer_call_id;
    pgre gre;
    pppe ppp;
    bool gre_on, ppp_on, start_pending;
    uint32_t replies, rx_req, rx_ip, expect_rx;
    uint16_t ip_id, icmp_seq;
    int auth_failures;
    /* counters: GRE at the IP layer (IPv4 total length), PPP frames as carried */
    uint64_t gre_tx, gre_tx_bytes, gre_tx_data, gre_tx_ack, gre_rx, gre_rx_bytes, gre_rx_data, gre_rx_ack;
    uint64_t ppp_tx_frames, ppp_tx_bytes, ppp_rx_frames, ppp_rx_bytes;
    bool reported;
} lcall;

typedef struct lrun {
    const directive *d;
    int phase;
    uint32_t sent, base, n;
    ptime wake, deadline;
    bool waiting;
    lcall *call;
    bool done;
} lrun;

struct node {
    const scenario *sc;
    live_opts o;
    int side;
    mschap_crypto *cx;
    prng rng;
    ptime t0;
    /* sockets */
    int lfd, tfd, gfd;
    struct sockaddr_in peer, local;
    bool tcp_up, tcp_eof, tcp_wr_shut;
    uint8_t *wq;
    size_t wq_len, wq_cap;
    pctrl ctrl;
    bool ctrl_on;
    uint32_t bad_seen;
    /* stdio */
    struct hdlc_decoder hd;
    bool link_down;
    /* GRE faults (ours) */
    uint32_t gf_drop, gf_dup;
    bool gf_reorder;
    uint8_t *held;
    size_t held_len;
    lcall *held_call;
    ptime held_at;
    /* calls */
    lcall *calls[LMAX_CALLS];
    int n_calls;
    lcall *latest;
    int conn_index;
    /* script */
    int pc;
    lrun runs[LMAX_RUNS];
    int n_runs;
    bool finished;
    bool lossy;         /* the script drops GRE: data waits give up after LOSS_QUIET without progress */
    char waitmsg[160];
    /* outcome */
    bool failed;
    char *err;
    size_t err_size;
    uint64_t gre_unowned;
    /* GRE that arrived before the call's reply was read (we drain GRE first) */
    struct pend {
        uint16_t cid;
        size_t tot, len;
        uint8_t *p;
    } pend[16];
    int n_pend;
};

static volatile sig_atomic_t g_signal;

static void on_signal(int sig)
{
    g_signal = sig;
}

static ptime mono_now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (ptime)ts.tv_sec * PT_SEC + (ptime)ts.tv_nsec / 1000u;
}

void live_opts_default(live_opts *o, int mode)
{
    memset(o, 0, sizeof *o);
    o->mode = mode;
    o->side = mode == LIVE_PNS ? SIDE_CLIENT : SIDE_SERVER;
    o->port = 1723;
    o->timeout = 10 * PT_SEC;
    o->accept_timeout = 30 * PT_SEC;
    o->connections = 1;
    o->report = stdout;
    o->in_fd = 0;
    o->out_fd = 1;
}

static const char *mode_name(const node *n)
{
    return n->o.mode == LIVE_PNS ? "pns" : n->o.mode == LIVE_PAC ? "pac" : "stdio";
}

static const char *side_name(int side)
{
    return side == SIDE_CLIENT ? "client" : "server";
}

/* ---- diagnostics ------------------------------------------------------------------ */

static void trace(node *n, const char *fmt, ...)
{
    if (!n->o.verbose)
        return;
    ptime t = mono_now() - n->t0;
    fprintf(stderr, "[%3llu.%06llu] pptp-peer %s: ", (unsigned long long)(t / PT_SEC),
            (unsigned long long)(t % PT_SEC), mode_name(n));
    va_list ap;
    va_start(ap, fmt);
    vfprintf(stderr, fmt, ap);
    va_end(ap);
    fputc('\n', stderr);
}

static void node_fail(node *n, const directive *d, const char *fmt, ...)
{
    if (n->failed)
        return;
    n->failed = true;
    int k = d ? snprintf(n->err, n->err_size, "%s:%d: ", n->sc->path, d->line) : 0;
    if (k < 0 || (size_t)k >= n->err_size)
        return;
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(n->err + k, n->err_size - (size_t)k, fmt, ap);
    va_end(ap);
    trace(n, "failed: %s", n->err);
}

static void fmt_ip(uint32_t a, char *out, size_t cap)
{
    snprintf(out, cap, "%u.%u.%u.%u", a >> 24, (a >> 16) & 255, (a >> 8) & 255, a & 255);
}

/* ---- result lines ------------------------------------------------------------------ */

static const char *call_outcome_name(const lcall *c)
{
    if (c->failed)
        return "refused";
    if (c->ppp.net_up_emitted)
        return "up";
    if (c->auth_failures || c->ppp.auth.state == PA_FAILED)
        return "auth-fail";
    return "down";
}

static void clean_word(const char *s, char *out, size_t cap)
{
    size_t k = 0;
    for (; *s && k + 1 < cap; s++)
        out[k++] = (*s <= ' ' || *s == 0x7f) ? '?' : *s;
    out[k] = '\0';
}

static void report_call(node *n, lcall *c)
{
    if (c->reported || !n->o.report)
        return;
    c->reported = true;
    const pppe *e = &c->ppp;
    char user[300] = "", lip[16] = "-", pip[16] = "-";
    const char *u = n->side == SIDE_CLIENT ? e->cfg.login : e->auth.user;
    clean_word(u && *u ? u : "-", user, sizeof user);
    if (e->ip_addr)
        fmt_ip(e->ip_addr, lip, sizeof lip);
    if (e->ip_peer)
        fmt_ip(e->ip_peer, pip, sizeof pip);
    const char *auth_result = e->auth_method == PAUTH_NONE   ? "none"
                              : e->auth.state == PA_SUCCESS ? "success"
                              : (e->auth.state == PA_FAILED || c->auth_failures) ? "failure"
                                                                                  : "none";
    FILE *f = n->o.report;
    fprintf(f,
            "pptp-peer: call name=%s mode=%s side=%s outcome=%s user=%s auth=%s auth_result=%s auth_failures=%d "
            "mppe_bits=%u mppe_stateless=%d ip_local=%s ip_peer=%s",
            c->name, mode_name(n), side_name(n->side), call_outcome_name(c), user, pauth_method_name(e->auth_method),
            auth_result, c->auth_failures, e->mppe_agreed ? ccp_mppe_key_bits(e->mppe_agreed) : 0u,
            (e->mppe_agreed & CCP_MPPE_H) ? 1 : 0, lip, pip);
    if (n->o.mode != LIVE_STDIO)
        fprintf(f,
                " call_id=%u peer_call_id=%u gre_tx_packets=%llu gre_tx_bytes=%llu gre_tx_data=%llu "
                "gre_tx_ack_only=%llu gre_rx_packets=%llu gre_rx_bytes=%llu gre_rx_data=%llu gre_rx_ack_only=%llu",
                c->call_id, c->peer_call_id, (unsigned long long)c->gre_tx, (unsigned long long)c->gre_tx_bytes,
                (unsigned long long)c->gre_tx_data, (unsigned long long)c->gre_tx_ack, (unsigned long long)c->gre_rx,
                (unsigned long long)c->gre_rx_bytes, (unsigned long long)c->gre_rx_data,
                (unsigned long long)c->gre_rx_ack);
    fprintf(f, " ppp_tx_frames=%llu ppp_tx_bytes=%llu ppp_rx_frames=%llu ppp_rx_bytes=%llu ip_tx=%u ip_rx=%u\n",
            (unsigned long long)c->ppp_tx_frames, (unsigned long long)c->ppp_tx_bytes,
            (unsigned long long)c->ppp_rx_frames, (unsigned long long)c->ppp_rx_bytes, e->ip_out, e->ip_in);
    fflush(n->o.report);
}

/* ---- transport: TCP ------------------------------------------------------------------ */

static void tcp_flush(node *n)
{
    while (n->tfd >= 0 && n->wq_len) {
        ssize_t k = send(n->tfd, n->wq, n->wq_len, MSG_NOSIGNAL | MSG_DONTWAIT);
        if (k < 0) {
            if (errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR)
                return;
            trace(n, "tcp send: %s", strerror(errno));
            n->wq_len = 0;
            n->tcp_eof = true;
            return;
        }
        memmove(n->wq, n->wq + k, n->wq_len - (size_t)k);
        n->wq_len -= (size_t)k;
    }
}

static void ctrl_send(void *ctx, const uint8_t *p, size_t len)
{
    node *n = ctx;
    if (n->tfd < 0 || n->tcp_wr_shut)
        return;
    if (n->wq_len + len > n->wq_cap) {
        size_t cap = (n->wq_len + len) * 2 + 1024;
        uint8_t *q = realloc(n->wq, cap);
        if (!q)
            return;
        n->wq = q;
        n->wq_cap = cap;
    }
    memcpy(n->wq + n->wq_len, p, len);
    n->wq_len += len;
    tcp_flush(n);
}

static bool wait_fd(int fd, short ev, ptime timeout)
{
    ptime end = mono_now() + timeout;
    for (;;) {
        ptime now = mono_now();
        if (now >= end)
            return false;
        struct pollfd p = {.fd = fd, .events = ev};
        int ms = (int)((end - now + 999) / 1000);
        int r = poll(&p, 1, ms);
        if (r > 0)
            return true;
        if (r < 0 && errno != EINTR)
            return false;
        if (g_signal)
            return false;
    }
}

static bool resolve4(const char *host, struct in_addr *out)
{
    if (inet_pton(AF_INET, host, out) == 1)
        return true;
    struct addrinfo hints, *res = NULL;
    memset(&hints, 0, sizeof hints);
    hints.ai_family = AF_INET;
    hints.ai_socktype = SOCK_STREAM;
    if (getaddrinfo(host, NULL, &hints, &res) != 0 || !res)
        return false;
    *out = ((struct sockaddr_in *)res->ai_addr)->sin_addr;
    freeaddrinfo(res);
    return true;
}

/* ---- transport: raw GRE ------------------------------------------------------------------ */

static bool gre_open(node *n)
{
    n->gfd = socket(AF_INET, SOCK_RAW | SOCK_NONBLOCK | SOCK_CLOEXEC, GRE_IPPROTO);
    if (n->gfd < 0) {
        int e = errno;
        node_fail(n, NULL, "cannot open a raw GRE socket (IPPROTO_GRE): %s%s", strerror(e),
                  e == EPERM || e == EACCES ? " - live mode needs root or CAP_NET_RAW" : "");
        return false;
    }
    return true;
}

/* Receive only the peer's GRE, sent to the address of our control connection. */
static bool gre_attach(node *n)
{
    struct sockaddr_in l = n->local, p = n->peer;
    l.sin_port = 0;
    p.sin_port = 0;
    if (bind(n->gfd, (struct sockaddr *)&l, sizeof l) < 0 && errno != EINVAL) {
        node_fail(n, NULL, "raw GRE socket: bind: %s", strerror(errno));
        return false;
    }
    if (connect(n->gfd, (struct sockaddr *)&p, sizeof p) < 0) {
        node_fail(n, NULL, "raw GRE socket: connect: %s", strerror(errno));
        return false;
    }
    return true;
}

static lcall *find_bound(node *n, uint16_t call_id)
{
    for (int i = n->n_calls - 1; i >= 0; i--) {
        lcall *c = n->calls[i];
        if (c->bound && !c->down && c->call_id == call_id)
            return c;
    }
    return NULL;
}

static size_t gre_hdr_len(const uint8_t *p, size_t len)
{
    if (len < 8)
        return len;
    size_t h = 8 + ((p[0] & 0x10) ? 4u : 0u) + ((p[1] & 0x80) ? 4u : 0u);
    return h > len ? len : h;
}

static void gre_put(node *n, lcall *c, const uint8_t *p, size_t len)
{
    if (n->gfd < 0)
        return;
    ssize_t k = send(n->gfd, p, len, MSG_DONTWAIT);
    if (k < 0) {
        trace(n, "call %s: GRE send: %s", c->name, strerror(errno));
        return;
    }
    c->gre_tx++;
    c->gre_tx_bytes += 20 + len; /* the kernel's IPv4 header, no options */
    if (p[0] & 0x10) {
        c->gre_tx_data++;
        size_t h = gre_hdr_len(p, len);
        c->ppp_tx_frames++;
        c->ppp_tx_bytes += len - h;
    } else {
        c->gre_tx_ack++;
    }
}

static void release_held(node *n)
{
    if (!n->held)
        return;
    uint8_t *p = n->held;
    n->held = NULL;
    if (n->held_call && n->held_call->bound && !n->held_call->clearing)
        gre_put(n, n->held_call, p, n->held_len);
    free(p);
}

static void gre_out(void *ctx, pgre *g, const uint8_t *p, size_t len, int kind)
{
    (void)g;
    lcall *c = ctx;
    node *n = c->n;
    if (c->clearing || c->down)
        return;
    if (kind == 0 && n->gf_drop) {
        n->gf_drop--;
        trace(n, "call %s: GRE data packet dropped (scripted)", c->name);
        return;
    }
    if (kind == 0 && n->gf_reorder && !n->held) {
        n->gf_reorder = false;
        n->held = malloc(len);
        if (n->held) {
            memcpy(n->held, p, len);
            n->held_len = len;
            n->held_call = c;
            n->held_at = mono_now();
            return;
        }
    }
    gre_put(n, c, p, len);
    if (kind == 0 && n->gf_dup) {
        n->gf_dup--;
        gre_put(n, c, p, len);
    }
    release_held(n);
}

static void gre_deliver(node *n, lcall *c, const uint8_t *g, size_t glen, size_t tot)
{
    c->gre_rx++;
    c->gre_rx_bytes += tot;
    if (g[0] & 0x10) {
        c->gre_rx_data++;
        c->ppp_rx_frames++;
        c->ppp_rx_bytes += glen - gre_hdr_len(g, glen);
    } else {
        c->gre_rx_ack++;
    }
    (void)n;
    pgre_input(&c->gre, mono_now(), g, glen);
}

/* A call whose reply (OCRP, ICCN) is still unread may already get GRE: keep
 * it until the call is bound (the order on the wire is reply, then GRE). */
static bool gre_hold(node *n, uint16_t cid, const uint8_t *g, size_t glen, size_t tot)
{
    if (!n->ctrl_on || !pctrl_find_call(&n->ctrl, cid) || n->n_pend == (int)(sizeof n->pend / sizeof n->pend[0]))
        return false;
    uint8_t *p = malloc(glen);
    if (!p)
        return false;
    memcpy(p, g, glen);
    n->pend[n->n_pend++] = (struct pend){.cid = cid, .tot = tot, .len = glen, .p = p};
    return true;
}

/* Deliver (c != NULL) or drop the held packets of call id cid. */
static void gre_release(node *n, uint16_t cid, lcall *c)
{
    int k = 0;
    for (int i = 0; i < n->n_pend; i++) {
        struct pend *q = &n->pend[i];
        if (q->cid != cid) {
            n->pend[k++] = *q;
            continue;
        }
        if (c && c->gre_on)
            gre_deliver(n, c, q->p, q->len, q->tot);
        else
            n->gre_unowned++;
        free(q->p);
    }
    n->n_pend = k;
}

static void gre_read(node *n)
{
    uint8_t buf[65536];
    for (;;) {
        ssize_t k = recv(n->gfd, buf, sizeof buf, MSG_DONTWAIT);
        if (k < 0)
            return;
        if (k < 20 || (buf[0] >> 4) != 4)
            continue;
        size_t ihl = (size_t)(buf[0] & 15) * 4;
        size_t tot = (size_t)buf[2] << 8 | buf[3];
        if (buf[9] != GRE_IPPROTO || ihl < 20 || (size_t)k < ihl + 8)
            continue;
        const uint8_t *g = buf + ihl;
        size_t glen = (size_t)k - ihl;
        if ((g[1] & 7) != 1 || !(g[0] & 0x20) || g[2] != 0x88 || g[3] != 0x0b)
            continue; /* not PPTP enhanced GRE */
        uint16_t cid = (uint16_t)(g[6] << 8 | g[7]);
        lcall *c = find_bound(n, cid);
        if (c && c->gre_on)
            gre_deliver(n, c, g, glen, tot);
        else if (!gre_hold(n, cid, g, glen, tot))
            n->gre_unowned++;
    }
}

/* ---- transport: stdio (async HDLC) ------------------------------------------------------- */

/* Write a whole frame; the stream is non-blocking, a reader that stops
 * reading for opts.timeout is an error (never a hang). */
static bool write_all(node *n, const uint8_t *p, size_t len, char *why, size_t why_size)
{
    while (len) {
        ssize_t k = write(n->o.out_fd, p, len);
        if (k < 0) {
            if (errno == EINTR)
                continue;
            if (errno == EAGAIN || errno == EWOULDBLOCK) {
                if (wait_fd(n->o.out_fd, POLLOUT, n->o.timeout))
                    continue;
                snprintf(why, why_size, "nobody read the PPP stream for %llu ms",
                         (unsigned long long)(n->o.timeout / PT_MS));
                return false;
            }
            snprintf(why, why_size, "writing the PPP stream: %s", strerror(errno));
            return false;
        }
        p += k;
        len -= (size_t)k;
    }
    return true;
}

static void stdio_lower_down(node *n, const char *why);

static void hdlc_out(node *n, lcall *c, const uint8_t *frame, size_t len)
{
    if (n->link_down)
        return;
    uint8_t buf[2 * HDLC_MAX_FRAME + 16];
    wbuf w;
    wbuf_init(&w, buf, sizeof buf);
    if (!hdlc_encode(&w, frame, len, HDLC_ACCM_ALL))
        return;
    char why[96];
    if (!write_all(n, buf, wbuf_len(&w), why, sizeof why)) {
        trace(n, "%s", why);
        stdio_lower_down(n, why);
        return;
    }
    c->ppp_tx_frames++;
    c->ppp_tx_bytes += len;
}

/* ---- calls ------------------------------------------------------------------------------- */

static void ppp_out(void *ctx, pppe *e, const uint8_t *p, size_t len)
{
    (void)e;
    lcall *c = ctx;
    node *n = c->n;
    if (n->o.mode == LIVE_STDIO)
        hdlc_out(n, c, p, len);
    else if (c->gre_on && !c->clearing)
        pgre_send(&c->gre, mono_now(), p, len);
}

static void gre_to_ppp(void *ctx, pgre *g, const uint8_t *p, size_t len)
{
    (void)g;
    lcall *c = ctx;
    if (c->ppp_on)
        pppe_input(&c->ppp, mono_now(), p, len);
}

static void ppp_ip(void *ctx, pppe *e, const uint8_t *p, size_t len)
{
    lcall *c = ctx;
    c->rx_ip++;
    int k = ipd_classify(p, len);
    if (k == IPD_ICMP_REPLY || k == IPD_TCP_SYNACK) {
        c->replies++;
        return;
    }
    c->rx_req++;
    uint8_t out[1600];
    size_t m = ipd_respond(p, len, c->ip_id++, 1360, out, sizeof out);
    if (m)
        pppe_send_ip(e, mono_now(), out, m);
}

static void ppp_event(void *ctx, pppe *e, int ev)
{
    lcall *c = ctx;
    static const char *const names[] = {"", "lcp up", "auth ok", "auth failure", "network up", "ppp down",
                                        "mppe reset"};
    if (ev == PPPE_EV_AUTH_FAIL)
        c->auth_failures++;
    if (ev > 0 && ev < (int)(sizeof names / sizeof names[0]))
        trace(c->n, "call %s: %s%s%s", c->name, names[ev],
              ev == PPPE_EV_AUTH_OK || ev == PPPE_EV_AUTH_FAIL ? " " : "",
              ev == PPPE_EV_AUTH_OK || ev == PPPE_EV_AUTH_FAIL ? pauth_method_name(e->auth_method) : "");
    if (ev == PPPE_EV_NET_UP) {
        char a[16], b[16];
        fmt_ip(e->ip_addr, a, sizeof a);
        fmt_ip(e->ip_peer, b, sizeof b);
        trace(c->n, "call %s: address %s, peer %s, mppe %u%s", c->name, a, b,
              e->mppe_agreed ? ccp_mppe_key_bits(e->mppe_agreed) : 0u,
              (e->mppe_agreed & CCP_MPPE_H) ? " stateless" : "");
    }
}

static lcall *new_call(node *n, const char *name)
{
    if (n->n_calls == LMAX_CALLS) {
        node_fail(n, NULL, "too many calls (max %d)", LMAX_CALLS);
        return NULL;
    }
    lcall *c = calloc(1, sizeof *c);
    if (!c) {
        node_fail(n, NULL, "out of memory");
        return NULL;
    }
    c->n = n;
    c->index = n->n_calls;
    if (name && *name)
        snprintf(c->name, sizeof c->name, "%s", name);
    else
        snprintf(c->name, sizeof c->name, "c%d", n->n_calls + 1);
    n->calls[n->n_calls++] = c;
    return c;
}

static void bind_engines(node *n, lcall *c, uint16_t peer_window)
{
    c->bound = true;
    if (n->o.mode != LIVE_STDIO) {
        pgre_init(&c->gre, &n->sc->gre[n->side], gre_out, gre_to_ppp, c);
        pgre_set_peer(&c->gre, c->peer_call_id, peer_window);
        c->gre_on = true;
    }
    pppe_cfg cfg = n->sc->ppp[n->side];
    if (n->side == SIDE_SERVER && cfg.ip_assign)
        cfg.ip_assign += (uint32_t)(n->conn_index * 16 + c->index);
    pppe_init(&c->ppp, n->side == SIDE_CLIENT ? PPPE_CLIENT : PPPE_SERVER, &cfg, n->cx, prng_next(&n->rng), ppp_out,
              ppp_ip, ppp_event, c);
    c->ppp_on = true;
    c->ip_id = (uint16_t)prng_u32(&n->rng);
    c->start_pending = true;
}

static void unbind(node *n, lcall *c, const char *why)
{
    if (c->down)
        return;
    if (c->ppp_on) {
        if (!pppe_is_dead(&c->ppp))
            pppe_lower_down(&c->ppp);
        pppe_free(&c->ppp);
        c->ppp_on = false;
    }
    if (c->gre_on) {
        pgre_free(&c->gre);
        c->gre_on = false;
    }
    if (n->held_call == c) {
        free(n->held);
        n->held = NULL;
        n->held_call = NULL;
    }
    c->down = true;
    trace(n, "call %s: down (%s)", c->name, why);
    if (c->bound)
        report_call(n, c);
}

static void start_pending_ppp(node *n)
{
    for (int i = 0; i < n->n_calls; i++) {
        lcall *c = n->calls[i];
        if (c->start_pending) {
            c->start_pending = false;
            if (c->ppp_on)
                pppe_start(&c->ppp, mono_now());
        }
    }
}

static void stdio_lower_down(node *n, const char *why)
{
    if (n->link_down)
        return;
    n->link_down = true;
    for (int i = 0; i < n->n_calls; i++)
        unbind(n, n->calls[i], why);
}

/* ---- control connection -------------------------------------------------------------- */

static void ctrl_event(void *ctx, pctrl *e, int ev, pctrl_call *cc)
{
    node *n = ctx;
    (void)e;
    switch (ev) {
    case PCTRL_EV_UP:
        trace(n, "control connection established (peer host \"%s\")", n->ctrl.peer_host);
        break;
    case PCTRL_EV_REFUSED:
        trace(n, "control connection refused (result %u)", n->ctrl.peer_result);
        break;
    case PCTRL_EV_DOWN:
        trace(n, "control connection down");
        break;
    case PCTRL_EV_CCRQ:
        trace(n, "Call-Clear-Request for call id %u", cc ? cc->call_id : 0);
        break;
    case PCTRL_EV_CALL_UP: {
        lcall *c = cc->user;
        if (!c) {
            c = new_call(n, NULL);
            if (!c)
                break;
            c->incoming = cc->incoming;
            cc->user = c;
        }
        c->call_id = cc->call_id;
        c->peer_call_id = cc->peer_call_id;
        trace(n, "call %s: up, call id %u, peer call id %u, peer window %u", c->name, cc->call_id, cc->peer_call_id,
              cc->peer_window);
        bind_engines(n, c, cc->peer_window);
        if (n->n_pend) {
            /* PPP first, so held LCP packets find it started */
            c->start_pending = false;
            pppe_start(&c->ppp, mono_now());
            gre_release(n, c->call_id, c);
        }
        break;
    }
    case PCTRL_EV_CALL_FAILED: {
        lcall *c = cc->user;
        if (!c) {
            c = new_call(n, NULL);
            if (!c)
                break;
            c->incoming = cc->incoming;
        }
        c->call_id = cc->call_id;
        c->peer_call_id = cc->peer_call_id;
        c->failed = true;
        c->down = true;
        c->result = cc->result;
        gre_release(n, cc->call_id, NULL);
        trace(n, "call %s: refused, result %u", c->name, cc->result);
        report_call(n, c);
        break;
    }
    case PCTRL_EV_CALL_DOWN: {
        lcall *c = cc->user;
        gre_release(n, cc->call_id, NULL);
        if (c) {
            c->result = cc->result;
            char why[48];
            snprintf(why, sizeof why, "call cleared, result %u", cc->result);
            unbind(n, c, why);
        }
        break;
    }
    default:
        break;
    }
}

static void tcp_read(node *n)
{
    uint8_t buf[4096];
    for (;;) {
        ssize_t k = recv(n->tfd, buf, sizeof buf, MSG_DONTWAIT);
        if (k > 0) {
            if (n->ctrl_on)
                pctrl_input(&n->ctrl, buf, (size_t)k);
            if (n->ctrl.bad_in != n->bad_seen) {
                n->bad_seen = n->ctrl.bad_in;
                node_fail(n, NULL, "the %s sent something that is not PPTP on the control connection (%zd bytes, "
                                   "first: %02x %02x %02x %02x)",
                          n->side == SIDE_CLIENT ? "server" : "client", k, buf[0], k > 1 ? buf[1] : 0,
                          k > 2 ? buf[2] : 0, k > 3 ? buf[3] : 0);
                return;
            }
            continue;
        }
        if (k == 0 || (errno != EAGAIN && errno != EWOULDBLOCK && errno != EINTR)) {
            if (!n->tcp_eof)
                trace(n, "tcp: %s", k == 0 ? "peer closed" : strerror(errno));
            n->tcp_eof = true;
            if (n->ctrl_on) {
                /* calls on a dead control connection are gone */
                pctrl_transport_down(&n->ctrl);
            }
        }
        return;
    }
}

static void tcp_close(node *n, bool reset)
{
    if (n->tfd < 0)
        return;
    if (reset) {
        struct linger l = {.l_onoff = 1, .l_linger = 0};
        setsockopt(n->tfd, SOL_SOCKET, SO_LINGER, &l, sizeof l);
    } else {
        tcp_flush(n);
    }
    close(n->tfd);
    n->tfd = -1;
    n->tcp_up = false;
    n->wq_len = 0;
}

static void ctrl_setup(node *n)
{
    pctrl_init(&n->ctrl, n->side == SIDE_CLIENT ? PCTRL_PNS : PCTRL_PAC, &n->sc->ctrl[n->side], ctrl_send, ctrl_event,
               n);
    n->ctrl_on = true;
    n->bad_seen = 0;
}

/* PNS: connect to the server (bounded), attach GRE, set up the control engine. */
static bool pns_connect(node *n, const directive *d)
{
    struct in_addr a;
    if (!resolve4(n->o.addr, &a)) {
        node_fail(n, d, "cannot resolve '%s' to an IPv4 address", n->o.addr);
        return false;
    }
    char where[80];
    snprintf(where, sizeof where, "%s:%u", inet_ntoa(a), n->o.port);
    int fd = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
    if (fd < 0) {
        node_fail(n, d, "socket: %s", strerror(errno));
        return false;
    }
    if (n->o.bind_addr) {
        struct sockaddr_in b;
        memset(&b, 0, sizeof b);
        b.sin_family = AF_INET;
        if (!resolve4(n->o.bind_addr, &b.sin_addr) || bind(fd, (struct sockaddr *)&b, sizeof b) < 0) {
            node_fail(n, d, "cannot bind to %s: %s", n->o.bind_addr, strerror(errno));
            close(fd);
            return false;
        }
    }
    memset(&n->peer, 0, sizeof n->peer);
    n->peer.sin_family = AF_INET;
    n->peer.sin_addr = a;
    n->peer.sin_port = htons(n->o.port);
    trace(n, "connecting to %s", where);
    int r = connect(fd, (struct sockaddr *)&n->peer, sizeof n->peer);
    int e = r == 0 ? 0 : errno;
    if (r < 0 && e == EINPROGRESS) {
        if (!wait_fd(fd, POLLOUT, n->o.timeout)) {
            close(fd);
            node_fail(n, d, g_signal ? "interrupted while connecting to %s"
                                     : "cannot connect to %s: no answer within %llu ms (host down or filtered?)",
                      where, (unsigned long long)(n->o.timeout / PT_MS));
            return false;
        }
        socklen_t sl = sizeof e;
        getsockopt(fd, SOL_SOCKET, SO_ERROR, &e, &sl);
    }
    if (e) {
        close(fd);
        node_fail(n, d, "cannot connect to %s: %s%s", where, strerror(e),
                  e == ECONNREFUSED ? " (nothing listens there)" : "");
        return false;
    }
    socklen_t sl = sizeof n->local;
    getsockname(fd, (struct sockaddr *)&n->local, &sl);
    int one = 1;
    setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one); /* each message at once, like pptpd */
    n->tfd = fd;
    n->tcp_up = true;
    n->tcp_eof = n->tcp_wr_shut = false;
    trace(n, "tcp connected from %s:%u", inet_ntoa(n->local.sin_addr), ntohs(n->local.sin_port));
    if (!gre_attach(n))
        return false;
    ctrl_setup(n);
    pctrl_start(&n->ctrl);
    return true;
}

/* ---- directives ----------------------------------------------------------------------- */

static bool own(const node *n, const directive *d)
{
    return d->side == n->side;
}

static lcall *resolve_call(node *n, const directive *d)
{
    if (!d->call[0])
        return n->latest;
    for (int i = n->n_calls - 1; i >= 0; i--)
        if (n->calls[i]->claimed && !strcmp(n->calls[i]->name, d->call))
            return n->calls[i];
    return NULL;
}

static lcall *need_call(node *n, const directive *d)
{
    lcall *c = resolve_call(n, d);
    if (!c)
        node_fail(n, d, d->call[0] ? "no call named @%s" : "no call yet", d->call);
    return c;
}

static bool ctrl_ready(const node *n)
{
    return n->ctrl_on && n->ctrl.state == PCTRL_ESTABLISHED;
}

static bool ppp_done(const lcall *c)
{
    if (!c->ppp_on)
        return c->down;
    if (c->start_pending)
        return false;
    return pppe_settled(&c->ppp) || c->ppp.phase == PPHASE_TERMINATE;
}

static int outcome(const lcall *c)
{
    if (c->failed)
        return EXPECT_REFUSED;
    if (c->ppp.net_up_emitted)
        return EXPECT_UP;
    if (c->auth_failures || c->ppp.auth.state == PA_FAILED)
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

static void waiting(node *n, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(n->waitmsg, sizeof n->waitmsg, fmt, ap);
    va_end(ap);
}

/* Does this side initiate a call of that direction? */
static bool initiates(const node *n, const directive *d)
{
    return n->o.mode != LIVE_STDIO && (d->incoming ? n->side == SIDE_SERVER : n->side == SIDE_CLIENT);
}

/* The control connection died before it was established: say how. */
static bool ctrl_lost(node *n, const directive *d)
{
    if (ctrl_ready(n))
        return false;
    if (n->ctrl_on && n->ctrl.state == PCTRL_CLOSED && n->ctrl.peer_result)
        return false; /* refused by SCCRP: the caller decides */
    if (!n->tcp_eof)
        return false;
    node_fail(n, d, "the %s closed the control connection%s", side_name(1 - n->side),
              n->ctrl_on && n->ctrl.msgs_in ? "" : " without a PPTP message");
    return true;
}

static bool run_call(node *n, lrun *r)
{
    const directive *d = r->d;
    if (r->phase == 0) {
        if (n->o.mode == LIVE_STDIO) {
            /* the PPP stream is the call: the first `call` is it */
            lcall *c = n->n_calls ? n->calls[0] : NULL;
            if (!c || c->claimed) {
                node_fail(n, d, "stdio mode carries one call");
                return false;
            }
            c->claimed = true;
            if (d->call[0])
                snprintf(c->name, sizeof c->name, "%s", d->call);
            r->call = c;
            n->latest = c;
            r->phase = 3;
        } else if (initiates(n, d)) {
            if (!ctrl_ready(n)) {
                if (n->o.mode == LIVE_PNS && n->tfd < 0 && !pns_connect(n, d))
                    return false;
                if (ctrl_lost(n, d))
                    return false;
                if (n->ctrl_on && n->ctrl.state == PCTRL_CLOSED) {
                    node_fail(n, d, "control connection refused (SCCRP result %u)", n->ctrl.peer_result);
                    return false;
                }
                waiting(n, "the control connection (SCCRQ/SCCRP)");
                return false;
            }
            lcall *c = new_call(n, d->call);
            if (!c)
                return false;
            c->claimed = c->own = true;
            c->incoming = d->incoming;
            n->latest = c;
            r->call = c;
            pctrl_set_next_call_id(&n->ctrl, d->id);
            pctrl_call *cc = d->incoming ? pctrl_call_in(&n->ctrl, d->serial) : pctrl_call_out(&n->ctrl, d->serial);
            if (!cc) {
                node_fail(n, d, "cannot place the call (control connection not up or too many calls)");
                return false;
            }
            cc->user = c;
            c->call_id = cc->call_id;
            trace(n, "call %s: %s, call id %u", c->name, d->incoming ? "ICRQ" : "OCRQ", cc->call_id);
            r->phase = 3;
        } else {
            /* the peer places it: claim the oldest call nobody claimed yet */
            if (n->o.mode == LIVE_PNS && n->tfd < 0 && !pns_connect(n, d))
                return false;
            if (ctrl_lost(n, d))
                return false;
            if (n->ctrl_on && d->peer_id)
                pctrl_set_next_call_id(&n->ctrl, d->peer_id);
            lcall *c = NULL;
            for (int i = 0; i < n->n_calls && !c; i++)
                if (!n->calls[i]->claimed)
                    c = n->calls[i];
            if (!c) {
                if (n->tcp_eof || (n->ctrl_on && n->ctrl.state == PCTRL_CLOSED)) {
                    node_fail(n, d, "the control connection ended before the %s placed a call",
                              side_name(1 - n->side));
                    return false;
                }
                waiting(n, "the %s to place a call (%s)", side_name(1 - n->side), d->incoming ? "ICRQ" : "OCRQ");
                return false;
            }
            c->claimed = true;
            if (d->call[0])
                snprintf(c->name, sizeof c->name, "%s", d->call);
            n->latest = c;
            r->call = c;
            r->phase = 3;
        }
    }
    lcall *c = r->call;
    bool settled = c->failed || c->down || (c->bound && ppp_done(c));
    if (!settled) {
        waiting(n, "call %s to come up (PPP %s, LCP %s)", c->name,
                c->ppp_on ? (c->ppp.phase == PPHASE_ESTABLISH ? "establish"
                             : c->ppp.phase == PPHASE_AUTH    ? "auth"
                             : c->ppp.phase == PPHASE_NETWORK ? "network"
                                                               : "terminate")
                          : "not started",
                c->ppp_on ? cps_name(c->ppp.lcp.state) : "-");
        return false;
    }
    int o = outcome(c);
    trace(n, "call %s: %s", c->name, outcome_name(o));
    if (d->expect && o != d->expect) {
        node_fail(n, d, "call %s ended %s, expected %s", c->name, outcome_name(o), outcome_name(d->expect));
        return false;
    }
    return true;
}

static bool send_data_packet(node *n, lrun *r)
{
    const directive *d = r->d;
    lcall *c = r->call;
    pppe *e = &c->ppp;
    ipd_spec sp;
    memset(&sp, 0, sizeof sp);
    sp.kind = d->ipkind;
    sp.src = e->ip_addr;
    sp.dst = d->dst ? d->dst : e->ip_peer;
    sp.size = d->size;
    sp.ip_id = c->ip_id++;
    sp.ident = (uint16_t)(0x100 + c->index);
    sp.seq = ++c->icmp_seq;
    sp.sport = (uint16_t)(50000 + r->sent);
    sp.dport = d->port ? d->port : d->ipkind == IPD_UDP ? 9 : 80;
    sp.mss = d->mss;
    sp.tcp_seq = prng_u32(&n->rng);
    uint8_t pkt[1600];
    size_t len = ipd_build(&sp, pkt, sizeof pkt);
    if (!len) {
        node_fail(n, d, "cannot build a %u-byte packet", d->size);
        return false;
    }
    if (!pppe_send_ip(e, mono_now(), pkt, len)) {
        node_fail(n, d, "call %s cannot send IP (IPCP%s not open)", c->name, e->cfg.mppe_bits ? "/CCP" : "");
        return false;
    }
    return true;
}

static bool run_data(node *n, lrun *r, ptime now)
{
    const directive *d = r->d;
    if (r->phase == 0) {
        r->call = need_call(n, d);
        if (!r->call)
            return false;
        if (!own(n, d)) {
            r->call->expect_rx += d->count;
            r->phase = 2;
        } else {
            if (!r->call->ppp_on || r->call->down) {
                node_fail(n, d, "call %s is not up", r->call->name);
                return false;
            }
            r->base = r->call->replies;
            r->wake = now;
            r->phase = 1;
        }
    }
    lcall *c = r->call;
    /* scripted GRE loss: what is missing after a quiet second is lost (synthesis
     * gives up when the network is idle) */
    bool quiet = n->lossy && now >= r->deadline - n->o.timeout + LOSS_QUIET;
    if (r->phase == 2) {
        /* the peer sends: wait until every packet scripted so far arrived */
        if (c->rx_req >= c->expect_rx)
            return true;
        if (quiet) {
            trace(n, "call %s: %u of %u packets from the %s arrived (the script drops GRE)", c->name, c->rx_req,
                  c->expect_rx, side_name(d->side));
            c->expect_rx = c->rx_req;
            return true;
        }
        if (c->down) {
            node_fail(n, d, "call %s went down after %u of %u packets from the %s", c->name, c->rx_req,
                      c->expect_rx, side_name(d->side));
            return false;
        }
        waiting(n, "packets from the %s on call %s (%u of %u)", side_name(d->side), c->name, c->rx_req,
                c->expect_rx);
        return false;
    }
    bool expect_reply = !d->noreply && (d->ipkind == IPD_ICMP_ECHO || d->ipkind == IPD_TCP_SYN);
    for (;;) {
        uint32_t got = c->replies - r->base;
        r->waiting = expect_reply && got < r->sent && !quiet;
        if (r->sent == d->count && !r->waiting)
            return true;
        if (r->waiting)
            waiting(n, "replies on call %s (%u of %u)", c->name, got, r->sent);
        if (r->sent == d->count)
            return false;
        if (now < r->wake)
            return false;
        if (expect_reply && !d->burst && r->waiting)
            return false;
        if (!c->ppp_on || c->down) {
            node_fail(n, d, "call %s went down during data", c->name);
            return false;
        }
        if (!send_data_packet(n, r))
            return false;
        r->sent++;
        r->wake = now + d->interval;
        if (d->interval || (expect_reply && !d->burst))
            return false;
    }
}

static bool run_hangup(node *n, lrun *r)
{
    const directive *d = r->d;
    ptime now = mono_now();
    if (r->phase == 0) {
        r->call = need_call(n, d);
        if (!r->call)
            return false;
        if (!own(n, d)) {
            r->phase = 10;
        } else if (r->call->down) {
            return true;
        } else if (d->lcp && r->call->ppp_on && !pppe_is_dead(&r->call->ppp)) {
            trace(n, "call %s: LCP Terminate-Request \"%s\"", r->call->name, d->text);
            pppe_close(&r->call->ppp, now, d->text);
            r->phase = 1;
        } else {
            r->phase = 2;
        }
    }
    lcall *c = r->call;
    if (r->phase == 10) {
        /* the other side hangs up: wait for the effect */
        if (d->kind == D_LCP_TERM) {
            if (c->down || !c->ppp_on || c->ppp.phase == PPHASE_TERMINATE || pppe_is_dead(&c->ppp))
                return true;
            waiting(n, "the %s's LCP Terminate-Request on call %s", side_name(d->side), c->name);
            return false;
        }
        if (c->down)
            return true;
        waiting(n, "the %s to hang up call %s", side_name(d->side), c->name);
        return false;
    }
    if (r->phase == 1) {
        if (c->ppp_on && !c->down) {
            int st = c->ppp.lcp.state;
            if (st != CPS_CLOSED && st != CPS_STOPPED && st != CPS_INITIAL) {
                waiting(n, "the LCP Terminate-Ack on call %s", c->name);
                return false;
            }
        }
        if (d->kind == D_LCP_TERM)
            return true;
        r->phase = 2;
    }
    if (r->phase == 2) {
        if (c->down)
            return true;
        if (n->o.mode == LIVE_STDIO) {
            /* our end of the PPP stream closes: the PPTP daemon clears the call */
            trace(n, "closing the PPP stream");
            stdio_lower_down(n, "we hung up");
            return true;
        }
        pctrl_call *cc = pctrl_find_call(&n->ctrl, c->call_id);
        if (!cc) {
            node_fail(n, d, "call %s: no control call", c->name);
            return false;
        }
        trace(n, "call %s: clearing (%s)", c->name, n->side == SIDE_CLIENT ? "CCRQ" : "CDN");
        if (n->side == SIDE_CLIENT)
            c->clearing = true; /* nothing more from us on this call (the capture would see it after the CDN) */
        pctrl_call_clear(&n->ctrl, cc, d->result);
        r->phase = 3;
    }
    if (c->down)
        return true;
    waiting(n, "the call %s to be cleared (CDN)", c->name);
    return false;
}

static bool run_disconnect(node *n, lrun *r)
{
    const directive *d = r->d;
    if (n->o.mode == LIVE_STDIO)
        return true;
    if (r->phase == 0) {
        if (n->tfd < 0)
            return true;
        if (!own(n, d)) {
            r->phase = 10;
        } else if (!ctrl_ready(n) && (n->tcp_eof || (n->ctrl_on && n->ctrl.state == PCTRL_CLOSED))) {
            /* a real peer may close first (pptpd ends the connection with its last call) */
            trace(n, "control connection already closed by the %s: nothing to %s", side_name(1 - n->side),
                  d->kind == D_DISCONNECT ? "stop" : "close");
            tcp_close(n, false);
            return true;
        } else if (d->kind == D_DISCONNECT) {
            if (!pctrl_stop(&n->ctrl, d->result)) {
                node_fail(n, d, "no established control connection to stop");
                return false;
            }
            trace(n, "StopCCRQ (reason %u)", d->result);
            r->phase = 1;
        } else if (d->kind == D_CLOSE) {
            tcp_flush(n);
            shutdown(n->tfd, SHUT_WR);
            n->tcp_wr_shut = true;
            pctrl_transport_down(&n->ctrl);
            r->phase = 3;
        } else {
            pctrl_transport_down(&n->ctrl);
            tcp_close(n, true);
            trace(n, "tcp reset");
            return true;
        }
    }
    if (r->phase == 10) {
        bool need_stop = d->kind == D_DISCONNECT;
        if ((!need_stop || !n->ctrl_on || n->ctrl.state == PCTRL_CLOSED) && n->tcp_eof) {
            tcp_close(n, false);
            return true;
        }
        waiting(n, "the %s to %s", side_name(d->side),
                d->kind == D_DISCONNECT ? "stop the control connection (StopCCRQ, FIN)"
                : d->kind == D_CLOSE    ? "close the control connection (FIN)"
                                        : "reset the control connection (RST)");
        return false;
    }
    if (r->phase == 1) {
        if (n->ctrl.state != PCTRL_CLOSED && !n->tcp_eof) {
            waiting(n, "the StopCCRP");
            return false;
        }
        tcp_flush(n);
        shutdown(n->tfd, SHUT_WR);
        n->tcp_wr_shut = true;
        r->phase = 3;
    }
    if (r->phase == 3) {
        if (!n->tcp_eof) {
            waiting(n, "the %s to close the TCP connection", side_name(1 - n->side));
            return false;
        }
        tcp_close(n, false);
    }
    return true;
}

static bool run_poll(node *n, lrun *r, ptime now)
{
    const directive *d = r->d;
    bool stdio = n->o.mode == LIVE_STDIO;
    switch (d->kind) {
    case D_CONNECT:
        if (stdio)
            return true;
        if (ctrl_ready(n))
            return true;
        if (n->o.mode == LIVE_PNS && n->tfd < 0 && r->phase == 0) {
            if (!pns_connect(n, d))
                return false;
        }
        r->phase = 1;
        if (ctrl_lost(n, d))
            return false;
        if (n->ctrl_on && n->ctrl.state == PCTRL_CLOSED)
            return true; /* refused: like synthesis, `call` then fails */
        waiting(n, "the control connection (SCCRQ/SCCRP)");
        return false;
    case D_CALL:
        return run_call(n, r);
    case D_DATA:
        return run_data(n, r, now);
    case D_ECHO:
        if (stdio || !own(n, d))
            return true;
        if (r->phase == 0 || (r->phase == 1 && !n->ctrl.echo_pending)) {
            if (r->n == d->n)
                return true;
            if (!pctrl_echo(&n->ctrl)) {
                node_fail(n, d, "no control connection for an echo");
                return false;
            }
            r->n++;
            r->phase = 1;
        }
        waiting(n, "the Echo-Reply");
        return false;
    case D_LCP_ECHO: {
        if (!own(n, d))
            return true;
        if (r->phase == 0) {
            r->call = need_call(n, d);
            if (!r->call)
                return false;
            r->phase = 1;
        }
        lcall *c = r->call;
        if (!c->ppp_on)
            return true;
        pppe *e = &c->ppp;
        if (r->n && e->echo_rcvd - r->base < r->n) {
            waiting(n, "LCP Echo-Replies on call %s", c->name);
            return false;
        }
        if (r->n == d->n)
            return true;
        if (!r->n)
            r->base = e->echo_rcvd;
        if (!pppe_lcp_echo(e, now)) {
            node_fail(n, d, "LCP is not open");
            return false;
        }
        r->n++;
        return false;
    }
    case D_SLI:
    case D_WEN: {
        int sd = d->kind == D_SLI ? SIDE_CLIENT : SIDE_SERVER;
        if (stdio || sd != n->side)
            return true;
        lcall *c = need_call(n, d);
        pctrl_call *cc = c ? pctrl_find_call(&n->ctrl, c->call_id) : NULL;
        if (!cc) {
            node_fail(n, d, "no such call");
            return false;
        }
        bool ok = d->kind == D_SLI ? pctrl_sli(&n->ctrl, cc, 0xffffffff, 0xffffffff) : pctrl_wen(&n->ctrl, cc, 1);
        if (!ok)
            node_fail(n, d, "cannot send");
        return ok;
    }
    case D_WAIT:
        if (r->phase == 0) {
            r->wake = now + d->dur;
            r->phase = 1;
        }
        return now >= r->wake;
    case D_HANGUP:
    case D_LCP_TERM:
        return run_hangup(n, r);
    case D_DISCONNECT:
    case D_CLOSE:
    case D_RST:
        return run_disconnect(n, r);
    case D_GRE:
        if (own(n, d) && !stdio) {
            if (d->op == GOP_DROP)
                n->gf_drop += (uint32_t)d->n;
            else if (d->op == GOP_DUPLICATE)
                n->gf_dup += (uint32_t)d->n;
            else
                n->gf_reorder = true;
        }
        return true;
    default:
        /* step, mtu, capture, tcp segmentation and faults: synthesis only */
        return true;
    }
}

/* Waits that depend on the peer, or on time, have no timeout of their own. */
static bool timed(const directive *d)
{
    return d->kind != D_WAIT;
}

/* Advance the script.  Returns true when something moved. */
static bool node_poll(node *n, ptime now)
{
    const scenario *sc = n->sc;
    bool progress = false;
    while (!n->failed && !n->finished) {
        bool all_done = true;
        for (int i = 0; i < n->n_runs; i++) {
            lrun *r = &n->runs[i];
            if (r->done)
                continue;
            int phase = r->phase;
            uint32_t sent = r->sent, cnt = r->n;
            uint32_t rep = r->call ? r->call->replies + r->call->rx_req : 0;
            n->waitmsg[0] = '\0';
            if (run_poll(n, r, now)) {
                r->done = true;
                progress = true;
            } else {
                all_done = false;
                uint32_t rep2 = r->call ? r->call->replies + r->call->rx_req : 0;
                if (r->phase != phase || r->sent != sent || r->n != cnt || rep != rep2) {
                    progress = true;
                    r->deadline = now + n->o.timeout;
                }
                if (!n->failed && timed(r->d) && now >= r->deadline) {
                    node_fail(n, r->d, "timed out after %llu ms waiting for %s",
                              (unsigned long long)(n->o.timeout / PT_MS),
                              n->waitmsg[0] ? n->waitmsg : "the peer");
                }
            }
            if (n->failed)
                return true;
        }
        tcp_flush(n);
        if (!all_done)
            return progress;
        n->n_runs = 0;
        if (n->pc >= sc->n_dirs) {
            n->finished = true;
            trace(n, "script done");
            return true;
        }
        const directive *d = &sc->dirs[n->pc++];
        if (d->kind == D_BATCH) {
            while (n->pc < sc->n_dirs && sc->dirs[n->pc].kind != D_END && n->n_runs < LMAX_RUNS) {
                memset(&n->runs[n->n_runs], 0, sizeof n->runs[0]);
                n->runs[n->n_runs].deadline = now + n->o.timeout;
                n->runs[n->n_runs++].d = &sc->dirs[n->pc++];
            }
            if (n->pc < sc->n_dirs && sc->dirs[n->pc].kind == D_END)
                n->pc++;
        } else if (d->kind != D_END) {
            memset(&n->runs[0], 0, sizeof n->runs[0]);
            n->runs[0].d = d;
            n->runs[0].deadline = now + n->o.timeout;
            n->n_runs = 1;
        }
        progress = true;
    }
    return progress;
}

/* ---- the loop ------------------------------------------------------------------------ */

static ptime node_deadline(node *n, ptime now)
{
    ptime t = now + 200 * PT_MS;
#define MIN_T(x)                                                                                                 \
    do {                                                                                                         \
        ptime v_ = (x);                                                                                          \
        if (v_ < t)                                                                                              \
            t = v_;                                                                                              \
    } while (0)
    for (int i = 0; i < n->n_calls; i++) {
        lcall *c = n->calls[i];
        if (c->gre_on)
            MIN_T(pgre_next_timer(&c->gre));
        if (c->ppp_on)
            MIN_T(pppe_next_timer(&c->ppp));
        if (c->start_pending)
            MIN_T(now);
    }
    for (int i = 0; i < n->n_runs; i++) {
        lrun *r = &n->runs[i];
        if (r->done)
            continue;
        if (r->wake > now)
            MIN_T(r->wake);
        else if (r->d->kind == D_DATA && r->phase == 1 && !r->waiting)
            MIN_T(now);
        if (timed(r->d))
            MIN_T(r->deadline);
        if (n->lossy && r->d->kind == D_DATA)
            MIN_T(r->deadline - n->o.timeout + LOSS_QUIET);
    }
    if (n->held)
        MIN_T(n->held_at + 100 * PT_MS);
#undef MIN_T
    return t;
}

static void node_fire(node *n, ptime now)
{
    for (int i = 0; i < n->n_calls; i++) {
        lcall *c = n->calls[i];
        if (c->gre_on && pgre_next_timer(&c->gre) <= now)
            pgre_timer(&c->gre, now);
        if (c->ppp_on && pppe_next_timer(&c->ppp) <= now)
            pppe_timer(&c->ppp, now);
    }
    if (n->held && now >= n->held_at + 100 * PT_MS)
        release_held(n);
}

static void stdio_read(node *n, lcall *c)
{
    uint8_t buf[4096];
    ssize_t k = read(n->o.in_fd, buf, sizeof buf);
    if (k < 0 && (errno == EAGAIN || errno == EINTR))
        return;
    if (k <= 0) {
        stdio_lower_down(n, k == 0 ? "end of the PPP stream" : strerror(errno));
        return;
    }
    cursor in, frame;
    cursor_init_exact(&in, buf, (size_t)k);
    while (hdlc_decoder_next(&n->hd, &in, &frame, NULL)) {
        if (!c->ppp_on)
            continue;
        c->ppp_rx_frames++;
        c->ppp_rx_bytes += cursor_len(&frame);
        pppe_input(&c->ppp, mono_now(), cursor_data(&frame), cursor_len(&frame));
    }
}

/* Run the script on the current transport until done or failed. */
static void node_loop(node *n)
{
    while (!n->failed && !n->finished) {
        ptime now = mono_now();
        if (g_signal) {
            if (n->o.mode == LIVE_STDIO && !n->link_down) {
                /* pptpd/pptp end the call by killing or hanging up the PPP program */
                stdio_lower_down(n, g_signal == SIGHUP ? "hangup (SIGHUP)" : "terminated by the PPTP daemon");
                g_signal = 0;
                continue;
            }
            node_fail(n, NULL, "interrupted by signal %d", (int)g_signal);
            break;
        }
        start_pending_ppp(n);
        node_poll(n, now);
        if (n->failed || n->finished)
            break;
        now = mono_now();
        node_fire(n, now);
        tcp_flush(n);
        ptime t = node_deadline(n, now);
        int ms = t <= now ? 0 : (int)((t - now + 999) / 1000);
        struct pollfd p[3];
        int np = 0, ig = -1, it = -1, is = -1;
        if (n->gfd >= 0 && n->tfd >= 0) {
            p[np] = (struct pollfd){.fd = n->gfd, .events = POLLIN};
            ig = np++;
        }
        if (n->tfd >= 0 && !n->tcp_eof) {
            p[np] = (struct pollfd){.fd = n->tfd, .events = (short)(POLLIN | (n->wq_len ? POLLOUT : 0))};
            it = np++;
        }
        if (n->o.mode == LIVE_STDIO && !n->link_down) {
            p[np] = (struct pollfd){.fd = n->o.in_fd, .events = POLLIN};
            is = np++;
        }
        int r = poll(p, (nfds_t)np, ms);
        if (r < 0 && errno != EINTR) {
            node_fail(n, NULL, "poll: %s", strerror(errno));
            break;
        }
        if (r <= 0)
            continue;
        if (ig >= 0 && p[ig].revents)
            gre_read(n);
        if (it >= 0 && p[it].revents) {
            if (n->gfd >= 0)
                gre_read(n); /* GRE that arrived before this control message first */
            if (p[it].revents & (POLLIN | POLLHUP | POLLERR))
                tcp_read(n);
            tcp_flush(n);
        }
        if (is >= 0 && p[is].revents)
            stdio_read(n, n->calls[0]);
    }
}

static void reset_script(node *n)
{
    n->pc = 0;
    n->n_runs = 0;
    n->finished = false;
    n->latest = NULL;
    for (int i = 0; i < n->n_calls; i++) {
        lcall *c = n->calls[i];
        if (c->ppp_on)
            pppe_free(&c->ppp);
        if (c->gre_on)
            pgre_free(&c->gre);
        free(c);
    }
    n->n_calls = 0;
}

static void finish_calls(node *n, const char *why)
{
    for (int i = 0; i < n->n_calls; i++) {
        lcall *c = n->calls[i];
        if (c->bound && !c->down)
            unbind(n, c, why);
        else if (c->bound)
            report_call(n, c);
    }
}

/* PAC: listen, then serve connections one after the other. */
static void pac_serve(node *n)
{
    struct sockaddr_in a;
    memset(&a, 0, sizeof a);
    a.sin_family = AF_INET;
    a.sin_port = htons(n->o.port);
    if (n->o.addr && !resolve4(n->o.addr, &a.sin_addr)) {
        node_fail(n, NULL, "cannot resolve listen address '%s'", n->o.addr);
        return;
    }
    n->lfd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    int one = 1;
    if (n->lfd < 0 || setsockopt(n->lfd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one) < 0 ||
        bind(n->lfd, (struct sockaddr *)&a, sizeof a) < 0 || listen(n->lfd, 4) < 0) {
        node_fail(n, NULL, "cannot listen on %s:%u: %s", inet_ntoa(a.sin_addr), n->o.port, strerror(errno));
        return;
    }
    socklen_t sl = sizeof a;
    getsockname(n->lfd, (struct sockaddr *)&a, &sl);
    trace(n, "listening on %s:%u", inet_ntoa(a.sin_addr), ntohs(a.sin_port));
    if (n->o.report) {
        fprintf(n->o.report, "pptp-peer: listening addr=%s port=%u\n", inet_ntoa(a.sin_addr), ntohs(a.sin_port));
        fflush(n->o.report);
    }
    if (n->o.ready_file) {
        FILE *f = fopen(n->o.ready_file, "w");
        if (f) {
            fprintf(f, "%s %u\n", inet_ntoa(a.sin_addr), ntohs(a.sin_port));
            fclose(f);
        }
    }
    for (int k = 0; k < n->o.connections && !n->failed; k++) {
        if (!wait_fd(n->lfd, POLLIN, n->o.accept_timeout)) {
            if (g_signal)
                node_fail(n, NULL, "interrupted by signal %d while waiting for a client", (int)g_signal);
            else
                node_fail(n, NULL, "no client connected within %llu ms",
                          (unsigned long long)(n->o.accept_timeout / PT_MS));
            return;
        }
        sl = sizeof n->peer;
        int fd = accept4(n->lfd, (struct sockaddr *)&n->peer, &sl, SOCK_NONBLOCK | SOCK_CLOEXEC);
        if (fd < 0) {
            node_fail(n, NULL, "accept: %s", strerror(errno));
            return;
        }
        sl = sizeof n->local;
        getsockname(fd, (struct sockaddr *)&n->local, &sl);
        setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
        trace(n, "client %s:%u connected", inet_ntoa(n->peer.sin_addr), ntohs(n->peer.sin_port));
        n->tfd = fd;
        n->tcp_up = true;
        n->tcp_eof = n->tcp_wr_shut = false;
        n->conn_index = k;
        if (k > 0) {
            /* a fresh raw socket: connect() cannot be undone */
            close(n->gfd);
            if (!gre_open(n))
                return;
        }
        if (!gre_attach(n))
            return;
        ctrl_setup(n);
        node_loop(n);
        if (!n->failed && n->tfd >= 0) {
            /* script done with the connection still open: wait (bounded) for the client to close */
            ptime end = mono_now() + n->o.timeout;
            while (!n->tcp_eof && mono_now() < end && !g_signal) {
                if (!wait_fd(n->tfd, POLLIN, end - mono_now()))
                    break;
                gre_read(n);
                tcp_read(n);
                if (n->failed)
                    break;
            }
        }
        finish_calls(n, "end of script");
        tcp_close(n, false);
        n->ctrl_on = false;
        if (k + 1 < n->o.connections)
            reset_script(n);
    }
}

int live_run(const scenario *sc, const live_opts *opts, char *err, size_t err_size)
{
    node *n = calloc(1, sizeof *n);
    if (!n) {
        snprintf(err, err_size, "out of memory");
        return 1;
    }
    n->sc = sc;
    n->o = *opts;
    n->side = opts->side;
    n->err = err;
    n->err_size = err_size;
    n->lfd = n->tfd = n->gfd = -1;
    n->t0 = mono_now();
    err[0] = '\0';
    if (n->o.timeout == 0)
        n->o.timeout = 10 * PT_SEC;
    if (n->o.accept_timeout == 0)
        n->o.accept_timeout = n->o.timeout;
    if (n->o.connections < 1)
        n->o.connections = 1;
    uint64_t seed = opts->seed_set ? opts->seed : sc->seed;
    if (!opts->seed_set && n->o.mode != LIVE_STDIO) {
        /* live: fresh magic numbers and challenges unless a seed is forced */
        seed ^= (uint64_t)time(NULL) << 20 ^ (uint64_t)getpid();
    }
    prng_seed(&n->rng, seed ^ (n->side == SIDE_SERVER ? 0x5eed5eedull : 0));
    for (int i = 0; i < sc->n_dirs; i++)
        if (sc->dirs[i].kind == D_GRE && sc->dirs[i].op == GOP_DROP)
            n->lossy = true;

    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = on_signal;
    sigaction(SIGTERM, &sa, NULL);
    sigaction(SIGINT, &sa, NULL);
    sigaction(SIGHUP, &sa, NULL);
    signal(SIGPIPE, SIG_IGN);
    g_signal = 0;

    n->cx = mschap_crypto_new();
    if (!n->cx) {
        snprintf(err, err_size, "cannot create the crypto context");
        free(n);
        return 1;
    }
    if (n->o.mode == LIVE_STDIO) {
        hdlc_decoder_init(&n->hd, 0);
        int fl = fcntl(n->o.in_fd, F_GETFL);
        if (fl < 0) {
            node_fail(n, NULL, "no PPP stream on fd %d: %s", n->o.in_fd, strerror(errno));
        } else {
            if (isatty(n->o.in_fd)) {
                /* pptpd hands us the slave of a pty: raw, like pppd does */
                struct termios t;
                if (tcgetattr(n->o.in_fd, &t) == 0) {
                    cfmakeraw(&t);
                    t.c_cc[VMIN] = 1;
                    t.c_cc[VTIME] = 0;
                    tcsetattr(n->o.in_fd, TCSANOW, &t);
                }
            }
            fcntl(n->o.in_fd, F_SETFL, fl | O_NONBLOCK);
            int ofl = fcntl(n->o.out_fd, F_GETFL);
            if (ofl >= 0)
                fcntl(n->o.out_fd, F_SETFL, ofl | O_NONBLOCK);
            lcall *c = new_call(n, NULL);
            if (c) {
                n->latest = NULL;
                bind_engines(n, c, 0);
                trace(n, "PPP %s on fd %d/%d", side_name(n->side), n->o.in_fd, n->o.out_fd);
                node_loop(n);
                if (!n->failed && !n->link_down && n->o.verbose)
                    trace(n, "script done, closing the PPP stream");
            }
        }
        finish_calls(n, "end of script");
    } else if (gre_open(n)) {
        if (n->o.mode == LIVE_PNS) {
            if (!n->o.addr) {
                node_fail(n, NULL, "no server address (--server)");
            } else {
                node_loop(n);
                finish_calls(n, n->failed ? "failure" : "end of script");
                if (n->tfd >= 0) {
                    if (!n->failed && n->ctrl_on && n->ctrl.state == PCTRL_ESTABLISHED)
                        trace(n, "script done with the control connection open: closing it");
                    tcp_close(n, false);
                }
            }
        } else {
            pac_serve(n);
            finish_calls(n, n->failed ? "failure" : "end of script");
        }
    }
    if (n->tfd >= 0)
        close(n->tfd);
    if (n->gfd >= 0)
        close(n->gfd);
    if (n->lfd >= 0)
        close(n->lfd);
    if (n->gre_unowned)
        trace(n, "%llu GRE packets for no call of ours ignored", (unsigned long long)n->gre_unowned);
    bool failed = n->failed;
    for (int i = 0; i < n->n_calls; i++) {
        lcall *c = n->calls[i];
        if (c->ppp_on)
            pppe_free(&c->ppp);
        if (c->gre_on)
            pgre_free(&c->gre);
        free(c);
    }
    for (int i = 0; i < n->n_pend; i++)
        free(n->pend[i].p);
    free(n->held);
    free(n->wq);
    mschap_crypto_free(n->cx);
    free(n);
    return failed ? 1 : 0;
}
