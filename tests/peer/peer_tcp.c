/* peer_tcp.c - small TCP for the simulated network; see peer_tcp.h */
#include "peer_tcp.h"

#include <stdlib.h>
#include <string.h>

#include "cursor.h"
#include "ip_common.h"
#include "tcp.h"

#define SEG_MAX 1600
#define TCP_WINDOW 64240

static bool seq_lt(uint32_t a, uint32_t b) { return (int32_t)(a - b) < 0; }
static bool seq_le(uint32_t a, uint32_t b) { return (int32_t)(a - b) <= 0; }

static void rx(void *ctx, const uint8_t *l4, size_t n);

void ptcp_pair(ptcp_ep *a, ptcp_ep *b, pnet *net, pnet_host *ha, uint16_t pa, uint32_t iss_a, pnet_host *hb,
               uint16_t pb, uint32_t iss_b)
{
    ptcp_ep *eps[2] = {a, b};
    for (int i = 0; i < 2; i++) {
        memset(eps[i], 0, sizeof *eps[i]);
        eps[i]->net = net;
        eps[i]->rto = 200 * PT_MS;
        eps[i]->rto_deadline = PT_NEVER;
        eps[i]->mss = net->cfg.ipv6 ? 1440 : 1460;
    }
    a->host = ha, a->port = pa, a->iss = iss_a, a->peer = b, a->state = PTCP_CLOSED;
    b->host = hb, b->port = pb, b->iss = iss_b, b->peer = a, b->state = PTCP_LISTEN;
    a->snd_una = a->snd_nxt = iss_a;
    b->snd_una = b->snd_nxt = iss_b;
    b->auto_close = true;
    a->auto_close = true;
}

void ptcp_set_callbacks(ptcp_ep *ep, ptcp_data_fn data, ptcp_event_fn ev, void *ctx)
{
    ep->on_data = data;
    ep->on_event = ev;
    ep->ctx = ctx;
}

static void event(ptcp_ep *ep, int ev)
{
    if (ep->on_event)
        ep->on_event(ep->ctx, ep, ev);
}

static size_t build(ptcp_ep *ep, uint32_t seq, uint16_t flags, const uint8_t *data, size_t len, uint8_t *out,
                    size_t cap)
{
    struct tcp_hdr h;
    memset(&h, 0, sizeof h);
    h.sport = ep->port;
    h.dport = ep->peer->port;
    h.seq = seq;
    h.ack = (flags & TCP_ACK) ? ep->rcv_nxt : 0;
    h.flags = flags;
    h.window = TCP_WINDOW;
    if (flags & TCP_SYN) {
        /* MSS, NOP, NOP, SACK-permitted */
        static const uint8_t opt[8] = {2, 4, 0, 0, 1, 1, 4, 2};
        memcpy(h.options, opt, sizeof opt);
        h.options[2] = (uint8_t)(ep->mss >> 8);
        h.options[3] = (uint8_t)ep->mss;
        h.opt_len = sizeof opt;
    }
    struct ip_pair ip;
    if (ep->net->cfg.ipv6)
        ip_pair_v6(&ip, ep->host->ip6, ep->peer->host->ip6);
    else
        ip_pair_v4(&ip, ep->host->ip4, ep->peer->host->ip4);
    wbuf w;
    wbuf_init(&w, out, cap);
    return tcp_encode(&w, &ip, &h, data, len) ? wbuf_len(&w) : 0;
}

static void wire(ptcp_ep *ep, const uint8_t *seg, size_t n, unsigned nflags)
{
    ep->sent_since = true;
    ep->segs_out++;
    pnet_send(ep->net, ep->host, ep->peer->host, IP_PROTO_TCP, PNET_CAP_TCP, seg, n, nflags | PNET_DF, rx,
              ep->peer);
}

static void xmit(ptcp_ep *ep, uint32_t seq, uint16_t flags, const uint8_t *data, size_t len, unsigned nflags)
{
    uint8_t seg[SEG_MAX + 80];
    size_t n = build(ep, seq, flags, data, len, seg, sizeof seg);
    if (n)
        wire(ep, seg, n, nflags);
}

void ptcp_connect(ptcp_ep *a)
{
    if (a->state != PTCP_CLOSED)
        return;
    a->state = PTCP_SYN_SENT;
    xmit(a, a->iss, TCP_SYN, NULL, 0, 0);
    a->snd_nxt = a->iss + 1;
}

void ptcp_write(ptcp_ep *ep, const uint8_t *p, size_t n)
{
    if (ep->slen + n > ep->scap) {
        size_t cap = ep->scap ? ep->scap : 1024;
        while (cap < ep->slen + n)
            cap *= 2;
        uint8_t *b = realloc(ep->sbuf, cap);
        if (!b)
            return;
        ep->sbuf = b;
        ep->scap = cap;
    }
    memcpy(ep->sbuf + ep->slen, p, n);
    ep->slen += n;
    if (!ep->coalesce)
        ptcp_flush(ep);
}

static void release_held(ptcp_ep *ep)
{
    if (!ep->held)
        return;
    wire(ep, ep->held, ep->held_len, ep->held_flags);
    free(ep->held);
    ep->held = NULL;
    ep->held_len = 0;
}

void ptcp_flush(ptcp_ep *ep)
{
    if (ep->state != PTCP_ESTABLISHED && ep->state != PTCP_CLOSE_WAIT)
        return;
    while (ep->slen) {
        size_t k = ep->slen < ep->mss ? ep->slen : ep->mss;
        if (ep->split && k > ep->split)
            k = ep->split;
        ptcp_seg *s = malloc(sizeof *s + k);
        if (!s)
            return;
        s->next = NULL;
        s->seq = ep->snd_nxt;
        s->len = k;
        s->fin = false;
        memcpy(s->data, ep->sbuf, k);
        ptcp_seg **pp = &ep->unacked;
        while (*pp)
            pp = &(*pp)->next;
        *pp = s;
        unsigned nflags = 0;
        if (ep->faults & PTCP_F_LOSE) {
            nflags = PNET_NO_CAPTURE | PNET_NO_DELIVER;
            ep->faults &= ~(unsigned)PTCP_F_LOSE;
        } else if (ep->faults & PTCP_F_RETRANSMIT) {
            nflags = PNET_NO_DELIVER;
            ep->faults &= ~(unsigned)PTCP_F_RETRANSMIT;
        } else if (ep->faults & PTCP_F_GAP) {
            nflags = PNET_NO_CAPTURE;
            ep->faults &= ~(unsigned)PTCP_F_GAP;
        }
        uint8_t seg[SEG_MAX + 80];
        size_t n = build(ep, s->seq, TCP_ACK | TCP_PSH, s->data, k, seg, sizeof seg);
        ep->snd_nxt += (uint32_t)k;
        memmove(ep->sbuf, ep->sbuf + k, ep->slen - k);
        ep->slen -= k;
        if (!n)
            continue;
        if ((ep->faults & PTCP_F_REORDER) && ep->slen && !ep->held) {
            ep->faults &= ~(unsigned)PTCP_F_REORDER;
            ep->held = malloc(n);
            if (ep->held) {
                memcpy(ep->held, seg, n);
                ep->held_len = n;
                ep->held_flags = nflags;
                continue;
            }
        }
        wire(ep, seg, n, nflags);
        release_held(ep);
    }
    release_held(ep);
    if (ep->unacked && ep->rto_deadline == PT_NEVER)
        ep->rto_deadline = ep->net->now + ep->rto;
}

void ptcp_close(ptcp_ep *ep)
{
    ptcp_flush(ep);
    if (ep->state == PTCP_ESTABLISHED)
        ep->state = PTCP_FIN_WAIT_1;
    else if (ep->state == PTCP_CLOSE_WAIT)
        ep->state = PTCP_LAST_ACK;
    else
        return;
    ep->fin_seq = ep->snd_nxt;
    ep->fin_sent = true;
    xmit(ep, ep->snd_nxt, TCP_FIN | TCP_ACK, NULL, 0, 0);
    ep->snd_nxt++;
}

static void free_list(ptcp_seg **l)
{
    while (*l) {
        ptcp_seg *s = *l;
        *l = s->next;
        free(s);
    }
}

void ptcp_abort(ptcp_ep *ep)
{
    if (ep->state == PTCP_CLOSED || ep->state == PTCP_LISTEN)
        return;
    xmit(ep, ep->snd_nxt, TCP_RST | TCP_ACK, NULL, 0, 0);
    ep->state = PTCP_CLOSED;
    free_list(&ep->unacked);
    ep->rto_deadline = PT_NEVER;
}

ptime ptcp_next_timer(const ptcp_ep *ep)
{
    return ep->unacked ? ep->rto_deadline : PT_NEVER;
}

void ptcp_timer(ptcp_ep *ep, ptime now)
{
    if (!ep->unacked || now < ep->rto_deadline)
        return;
    ptcp_seg *s = ep->unacked;
    ep->retransmits++;
    xmit(ep, s->seq, TCP_ACK | TCP_PSH, s->data, s->len, 0);
    ep->rto_deadline = now + ep->rto;
}

void ptcp_free(ptcp_ep *ep)
{
    free_list(&ep->unacked);
    free_list(&ep->ooo);
    free(ep->sbuf);
    free(ep->held);
    ep->sbuf = ep->held = NULL;
    ep->slen = ep->scap = ep->held_len = 0;
}

/* ---- receiving ---------------------------------------------------------------- */

static void on_ack(ptcp_ep *ep, uint32_t ack)
{
    if (!seq_lt(ep->snd_una, ack) || seq_lt(ep->snd_nxt, ack))
        return;
    ep->snd_una = ack;
    while (ep->unacked && seq_le(ep->unacked->seq + (uint32_t)ep->unacked->len, ack)) {
        ptcp_seg *s = ep->unacked;
        ep->unacked = s->next;
        free(s);
    }
    ep->rto_deadline = ep->unacked ? ep->net->now + ep->rto : PT_NEVER;
}

/* In-order bytes (data starting at rcv_nxt) and maybe the FIN after them. */
static void accept(ptcp_ep *ep, const uint8_t *p, size_t n, bool fin)
{
    ep->rcv_nxt += (uint32_t)n;
    if (n && ep->on_data)
        ep->on_data(ep->ctx, ep, p, n);
    if (!fin || ep->fin_rcvd)
        return;
    ep->rcv_nxt++;
    ep->fin_rcvd = true;
    switch (ep->state) {
    case PTCP_ESTABLISHED:
        ep->state = PTCP_CLOSE_WAIT;
        event(ep, PTCP_EV_EOF);
        if (ep->auto_close && ep->state == PTCP_CLOSE_WAIT)
            ptcp_close(ep);
        break;
    case PTCP_FIN_WAIT_1:
        ep->state = PTCP_CLOSING;
        break;
    case PTCP_FIN_WAIT_2:
        ep->state = PTCP_TIME_WAIT;
        xmit(ep, ep->snd_nxt, TCP_ACK, NULL, 0, 0);
        event(ep, PTCP_EV_CLOSED);
        break;
    default:
        break;
    }
}

static void store_ooo(ptcp_ep *ep, uint32_t seq, const uint8_t *p, size_t n, bool fin)
{
    ptcp_seg **pp = &ep->ooo;
    while (*pp && seq_lt((*pp)->seq, seq))
        pp = &(*pp)->next;
    if (*pp && (*pp)->seq == seq)
        return;
    ptcp_seg *s = malloc(sizeof *s + n);
    if (!s)
        return;
    s->seq = seq;
    s->len = n;
    s->fin = fin;
    memcpy(s->data, p, n);
    s->next = *pp;
    *pp = s;
    ep->ooo_in++;
}

static void drain_ooo(ptcp_ep *ep)
{
    while (ep->ooo && seq_le(ep->ooo->seq, ep->rcv_nxt)) {
        ptcp_seg *s = ep->ooo;
        ep->ooo = s->next;
        uint32_t skip = ep->rcv_nxt - s->seq;
        if (skip < s->len || (skip == s->len && s->fin))
            accept(ep, s->data + skip, s->len - skip, s->fin);
        free(s);
    }
}

static void rx(void *ctx, const uint8_t *l4, size_t n)
{
    ptcp_ep *ep = ctx;
    cursor c, pl;
    cursor_init_exact(&c, l4, n);
    struct tcp_hdr h;
    if (tcp_decode(&c, NULL, &h, &pl, NULL) != DEC_OK)
        return;
    if (ep->state == PTCP_CLOSED || ep->state == PTCP_TIME_WAIT)
        return;
    if (h.flags & TCP_RST) {
        ep->state = PTCP_CLOSED;
        free_list(&ep->unacked);
        ep->rto_deadline = PT_NEVER;
        event(ep, PTCP_EV_RESET);
        return;
    }
    ep->sent_since = false;
    if (h.flags & TCP_SYN) {
        if (ep->state == PTCP_LISTEN && !(h.flags & TCP_ACK)) {
            ep->rcv_nxt = h.seq + 1;
            ep->state = PTCP_SYN_RCVD;
            xmit(ep, ep->iss, TCP_SYN | TCP_ACK, NULL, 0, 0);
            ep->snd_nxt = ep->iss + 1;
        } else if (ep->state == PTCP_SYN_SENT && (h.flags & TCP_ACK) && h.ack == ep->iss + 1) {
            ep->rcv_nxt = h.seq + 1;
            ep->snd_una = h.ack;
            ep->state = PTCP_ESTABLISHED;
            xmit(ep, ep->snd_nxt, TCP_ACK, NULL, 0, 0);
            event(ep, PTCP_EV_CONNECTED);
            ptcp_flush(ep);
        }
        return;
    }
    if (h.flags & TCP_ACK) {
        on_ack(ep, h.ack);
        if (ep->state == PTCP_SYN_RCVD && h.ack == ep->snd_nxt) {
            ep->state = PTCP_ESTABLISHED;
            event(ep, PTCP_EV_CONNECTED);
        }
        if (ep->fin_sent && h.ack == ep->fin_seq + 1) {
            if (ep->state == PTCP_FIN_WAIT_1) {
                ep->state = PTCP_FIN_WAIT_2;
            } else if (ep->state == PTCP_CLOSING) {
                ep->state = PTCP_TIME_WAIT;
                event(ep, PTCP_EV_CLOSED);
            } else if (ep->state == PTCP_LAST_ACK) {
                ep->state = PTCP_CLOSED;
                event(ep, PTCP_EV_CLOSED);
            }
        }
    }
    size_t len = cursor_len(&pl);
    bool fin = (h.flags & TCP_FIN) != 0;
    bool owed = false;
    if (len || fin) {
        owed = true;
        const uint8_t *p = cursor_data(&pl);
        if (h.seq == ep->rcv_nxt) {
            accept(ep, p, len, fin);
            drain_ooo(ep);
        } else if (seq_lt(ep->rcv_nxt, h.seq)) {
            store_ooo(ep, h.seq, p, len, fin);
            ep->dup_acks_out++;
        } else if (seq_lt(ep->rcv_nxt, h.seq + (uint32_t)len)) {
            uint32_t skip = ep->rcv_nxt - h.seq;
            accept(ep, p + skip, len - skip, fin);
            drain_ooo(ep);
        } else if (fin && h.seq + (uint32_t)len == ep->rcv_nxt) {
            accept(ep, p, 0, fin);
        }
    }
    if (ep->state == PTCP_CLOSED)
        return;
    ptcp_flush(ep);
    if (owed && !ep->sent_since)
        xmit(ep, ep->snd_nxt, TCP_ACK, NULL, 0, 0);
}
