/* peer_gre.c - PPTP enhanced-GRE engine; see peer_gre.h */
#include "peer_gre.h"

#include <stdlib.h>
#include <string.h>

#include "cursor.h"
#include "gre.h"

void pgre_init(pgre *g, const pgre_cfg *cfg, pgre_send_fn send, pgre_deliver_fn deliver, void *ctx)
{
    memset(g, 0, sizeof *g);
    g->cfg = *cfg;
    g->send = send;
    g->deliver = deliver;
    g->ctx = ctx;
    g->tx_next = cfg->seq_start;
}

void pgre_set_peer(pgre *g, uint16_t peer_call_id, uint16_t peer_window)
{
    g->peer_call_id = peer_call_id;
    g->peer_window = peer_window;
}

uint32_t pgre_outstanding(const pgre *g)
{
    if (g->tx_acked_any)
        return g->tx_next - 1 - g->tx_acked;
    return g->tx_next - g->cfg.seq_start;
}

static void emit(pgre *g, const uint8_t *ppp, size_t n, bool with_seq)
{
    struct gre_hdr h;
    memset(&h, 0, sizeof h);
    h.k = true;
    h.version = GRE_VERSION_PPTP;
    h.protocol = GRE_PROTO_PPP;
    h.call_id = g->peer_call_id;
    h.key = g->peer_call_id;
    if (with_seq) {
        h.s = h.has_seq = true;
        h.seq = g->tx_next++;
    }
    bool ack = g->rx_any && (!g->ack_sent_any || g->ack_sent != g->rx_max);
    if (!with_seq)
        ack = g->rx_any;
    if (ack) {
        h.a = h.has_ack = true;
        h.ack = g->rx_max;
        g->ack_sent_any = true;
        g->ack_sent = g->rx_max;
        g->ack_pending = false;
    }
    uint8_t buf[PGRE_MAX_FRAME + GRE_MAX_HDR_LEN];
    wbuf w;
    wbuf_init(&w, buf, sizeof buf);
    if (!gre_encode(&w, &h, ppp, n))
        return;
    if (with_seq)
        g->tx_data++;
    else
        g->tx_ack_only++;
    if (g->send)
        g->send(g->ctx, g, buf, wbuf_len(&w), with_seq ? 0 : 1);
}

static bool window_open(const pgre *g)
{
    return !g->peer_window || pgre_outstanding(g) < g->peer_window;
}

static void flush_queue(pgre *g)
{
    while (g->qlen && window_open(g)) {
        struct pgre_q *q = &g->q[g->qhead];
        emit(g, q->data, q->len, true);
        free(q->data);
        q->data = NULL;
        g->qhead = (g->qhead + 1) % PGRE_QMAX;
        g->qlen--;
    }
}

bool pgre_send(pgre *g, ptime now, const uint8_t *ppp, size_t n)
{
    (void)now;
    if (n > PGRE_MAX_FRAME)
        return false;
    if (!g->qlen && window_open(g)) {
        emit(g, ppp, n, true);
        return true;
    }
    if (g->qlen == PGRE_QMAX) {
        g->tx_dropped++;
        return false;
    }
    struct pgre_q *q = &g->q[(g->qhead + g->qlen) % PGRE_QMAX];
    q->data = malloc(n ? n : 1);
    if (!q->data)
        return false;
    memcpy(q->data, ppp, n);
    q->len = (uint16_t)n;
    g->qlen++;
    g->tx_queued++;
    return true;
}

static void on_ack(pgre *g, uint32_t ack)
{
    /* ignore acks for packets never sent */
    if (gre_seq_diff(ack, g->tx_next - 1) > 0)
        return;
    if (!g->tx_acked_any || gre_seq_after(ack, g->tx_acked)) {
        g->tx_acked = ack;
        g->tx_acked_any = true;
    }
    flush_queue(g);
}

/* Record seq; returns false for a duplicate. */
static bool rx_record(pgre *g, uint32_t seq)
{
    if (!g->rx_any) {
        g->rx_any = true;
        g->rx_max = seq;
        g->rx_seen = 1;
        return true;
    }
    int32_t d = gre_seq_diff(seq, g->rx_max);
    if (d > 0) {
        if (d > 1)
            g->rx_gaps += (uint32_t)(d - 1);
        g->rx_seen = d >= 64 ? 1 : (g->rx_seen << d) | 1;
        g->rx_max = seq;
        return true;
    }
    uint32_t back = (uint32_t)-d;
    if (back >= 64) {
        g->rx_late++;
        return true; /* too old to tell: deliver it */
    }
    if (g->rx_seen & (1ull << back)) {
        g->rx_dup++;
        return false;
    }
    g->rx_seen |= 1ull << back;
    g->rx_late++;
    return true;
}

void pgre_input(pgre *g, ptime now, const uint8_t *p, size_t n)
{
    cursor c;
    cursor_init_exact(&c, p, n);
    struct gre_hdr h;
    cursor payload;
    if (gre_decode(&c, &h, &payload, NULL) != DEC_OK || !gre_is_pptp(&h) || h.protocol != GRE_PROTO_PPP) {
        g->rx_bad++;
        return;
    }
    if (h.has_ack)
        on_ack(g, h.ack);
    if (!h.has_seq) {
        g->rx_ack_only++;
        return;
    }
    g->rx_data++;
    if (!rx_record(g, h.seq))
        return;
    if (g->cfg.ack_every) {
        emit(g, NULL, 0, false);
    } else if (!g->ack_pending) {
        g->ack_pending = true;
        g->ack_deadline = now + g->cfg.ack_delay;
    }
    if (g->deliver && cursor_len(&payload))
        g->deliver(g->ctx, g, cursor_data(&payload), cursor_len(&payload));
}

ptime pgre_next_timer(const pgre *g)
{
    return g->ack_pending ? g->ack_deadline : PT_NEVER;
}

void pgre_timer(pgre *g, ptime now)
{
    if (g->ack_pending && now >= g->ack_deadline) {
        g->ack_pending = false;
        if (!g->ack_sent_any || g->ack_sent != g->rx_max)
            emit(g, NULL, 0, false);
    }
}

void pgre_free(pgre *g)
{
    for (int i = 0; i < PGRE_QMAX; i++) {
        free(g->q[i].data);
        g->q[i].data = NULL;
    }
    g->qlen = 0;
}
