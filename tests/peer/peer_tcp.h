/*
 * peer_tcp.h - a small TCP for the simulated network (RFC 9293 subset): the
 * three-way handshake, sequence and acknowledgment numbers, in-order delivery
 * with an out-of-order buffer, immediate (or piggybacked) ACKs, retransmission
 * after a timeout, FIN and RST close.  No congestion control, no window
 * limits: the control channel carries a few hundred bytes.
 *
 * Segmentation policy per endpoint: one segment per write (default), at most
 * `split` bytes per segment, or `coalesce` (writes are held until
 * ptcp_flush(), so several PPTP messages share one segment).
 *
 * One-shot faults on the next data segment an endpoint sends:
 *   REORDER     held back and sent after the following segment
 *   RETRANSMIT  captured but lost before the receiver: sent again on timeout
 *   LOSE        lost before the capture point: a hole, filled by the
 *               retransmission on timeout
 *   GAP         not captured but delivered: a hole never filled
 */
#ifndef PPTP_PEER_TCP_H
#define PPTP_PEER_TCP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "peer_net.h"
#include "peer_util.h"

enum ptcp_state {
    PTCP_CLOSED = 0,
    PTCP_LISTEN,
    PTCP_SYN_SENT,
    PTCP_SYN_RCVD,
    PTCP_ESTABLISHED,
    PTCP_FIN_WAIT_1,
    PTCP_FIN_WAIT_2,
    PTCP_CLOSE_WAIT,
    PTCP_LAST_ACK,
    PTCP_CLOSING,
    PTCP_TIME_WAIT,
};

enum ptcp_event { PTCP_EV_CONNECTED = 1, PTCP_EV_EOF, PTCP_EV_RESET, PTCP_EV_CLOSED };

enum ptcp_fault { PTCP_F_REORDER = 1, PTCP_F_RETRANSMIT = 2, PTCP_F_LOSE = 4, PTCP_F_GAP = 8 };

typedef struct ptcp_seg {
    struct ptcp_seg *next;
    uint32_t seq;
    size_t len;
    bool fin;
    uint8_t data[];
} ptcp_seg;

typedef struct ptcp_ep ptcp_ep;
typedef void (*ptcp_data_fn)(void *ctx, ptcp_ep *ep, const uint8_t *p, size_t n);
typedef void (*ptcp_event_fn)(void *ctx, ptcp_ep *ep, int ev);

struct ptcp_ep {
    pnet *net;
    pnet_host *host;
    ptcp_ep *peer;       /* the other end (simulation wiring) */
    uint16_t port;
    int state;
    uint32_t iss, snd_una, snd_nxt, rcv_nxt;
    uint32_t fin_seq;
    bool fin_sent, fin_rcvd;
    uint16_t mss;
    /* segmentation */
    size_t split;        /* 0: up to mss */
    bool coalesce;
    uint8_t *sbuf;
    size_t slen, scap;
    unsigned faults;     /* pending one-shot faults (enum ptcp_fault bits) */
    uint8_t *held;       /* a reordered segment (layer-4 bytes) waiting */
    size_t held_len;
    unsigned held_flags;
    /* retransmission */
    ptcp_seg *unacked;
    ptime rto, rto_deadline;
    /* reassembly */
    ptcp_seg *ooo;
    bool sent_since;
    bool auto_close;     /* answer the peer's FIN with our own at once */
    ptcp_data_fn on_data;
    ptcp_event_fn on_event;
    void *ctx;
    /* counters */
    uint32_t segs_out, retransmits, dup_acks_out, ooo_in;
};

/* Wire two endpoints a (client) and b (server) over net. */
void ptcp_pair(ptcp_ep *a, ptcp_ep *b, pnet *net, pnet_host *ha, uint16_t pa, uint32_t iss_a, pnet_host *hb,
               uint16_t pb, uint32_t iss_b);
void ptcp_set_callbacks(ptcp_ep *ep, ptcp_data_fn data, ptcp_event_fn ev, void *ctx);
/* Client: send SYN (the server is listening). */
void ptcp_connect(ptcp_ep *a);
/* Queue bytes; sent at once unless coalescing. */
void ptcp_write(ptcp_ep *ep, const uint8_t *p, size_t n);
/* Send what is queued. */
void ptcp_flush(ptcp_ep *ep);
/* Orderly close: FIN. */
void ptcp_close(ptcp_ep *ep);
/* Abort: RST. */
void ptcp_abort(ptcp_ep *ep);
ptime ptcp_next_timer(const ptcp_ep *ep);
void ptcp_timer(ptcp_ep *ep, ptime now);
/* Free buffers. */
void ptcp_free(ptcp_ep *ep);
static inline bool ptcp_is_open(const ptcp_ep *ep) { return ep->state == PTCP_ESTABLISHED; }
static inline bool ptcp_is_closed(const ptcp_ep *ep)
{
    return ep->state == PTCP_CLOSED || ep->state == PTCP_TIME_WAIT;
}

#endif
