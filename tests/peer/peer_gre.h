/*
 * peer_gre.h - PPTP enhanced-GRE engine (RFC 2637 section 4): one instance per
 * end of a call.  Numbers outgoing PPP frames, piggybacks acknowledgments on
 * data, sends ack-only packets when nothing else goes out within ack_delay,
 * and holds frames back while the peer's receive window is full.
 *
 * Pure state machine: pgre_send()/pgre_input() take the current time, the
 * owner calls pgre_timer() at pgre_next_timer().  GRE packets (header +
 * payload, no IP) leave through the send callback; received PPP frames through
 * deliver.
 */
#ifndef PPTP_PEER_GRE_H
#define PPTP_PEER_GRE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "peer_util.h"

#define PGRE_QMAX 64         /* frames held back by the window */
#define PGRE_MAX_FRAME 2048

typedef struct pgre_cfg {
    uint32_t seq_start;   /* first sequence number we send */
    ptime ack_delay;      /* ack-only after this long without data to piggyback on */
    bool ack_every;       /* send an ack-only packet at once for every data packet */
} pgre_cfg;

typedef struct pgre pgre;
/* kind: 0 data (may carry an ack), 1 ack-only. */
typedef void (*pgre_send_fn)(void *ctx, pgre *g, const uint8_t *p, size_t n, int kind);
typedef void (*pgre_deliver_fn)(void *ctx, pgre *g, const uint8_t *ppp, size_t n);

struct pgre {
    pgre_cfg cfg;
    pgre_send_fn send;
    pgre_deliver_fn deliver;
    void *ctx;
    uint16_t peer_call_id; /* written in the key of our packets */
    uint16_t peer_window;  /* 0: unlimited */
    /* transmit */
    uint32_t tx_next;
    bool tx_acked_any;
    uint32_t tx_acked;
    /* receive */
    bool rx_any;
    uint32_t rx_max;
    uint64_t rx_seen;      /* bit i: rx_max - i was received (i < 64) */
    bool ack_pending;
    ptime ack_deadline;
    bool ack_sent_any;
    uint32_t ack_sent;
    /* window queue */
    struct pgre_q {
        uint16_t len;
        uint8_t *data;
    } q[PGRE_QMAX];
    int qhead, qlen;
    /* counters */
    uint32_t tx_data, tx_ack_only, tx_queued, tx_dropped;
    uint32_t rx_data, rx_ack_only, rx_dup, rx_late, rx_gaps, rx_bad;
};

void pgre_init(pgre *g, const pgre_cfg *cfg, pgre_send_fn send, pgre_deliver_fn deliver, void *ctx);
/* The peer's Call ID and receive window (from OCRQ/OCRP/ICRP/ICCN). */
void pgre_set_peer(pgre *g, uint16_t peer_call_id, uint16_t peer_window);
/* Send one PPP frame (queued when the window is full; dropped when the queue is). */
bool pgre_send(pgre *g, ptime now, const uint8_t *ppp, size_t n);
/* One received GRE packet (header and payload). */
void pgre_input(pgre *g, ptime now, const uint8_t *p, size_t n);
/* Deadline of the pending ack, PT_NEVER when none. */
ptime pgre_next_timer(const pgre *g);
void pgre_timer(pgre *g, ptime now);
/* Packets sent and not yet acknowledged. */
uint32_t pgre_outstanding(const pgre *g);
/* Free the queue. */
void pgre_free(pgre *g);

#endif
