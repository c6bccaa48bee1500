/*
 * peer_net.h - the simulated network of pptp-peer's synthesis mode.
 *
 * Hosts exchange IP packets (TCP segments for the control channel, GRE for
 * data).  Every packet put on the wire is framed (Ethernet, optionally with
 * 802.1Q tags, or Linux SLL; IPv4 or IPv6; IP fragmentation above the MTU),
 * written to the pcap at the current virtual time, which then advances by
 * one step, and queued for delivery: pnet_step() hands the oldest queued
 * packet's layer-4 bytes to the receiver's callback (FIFO, no loss unless
 * the sender asks for it).
 *
 * A future live mode replaces this module (and peer_tcp.c) with sockets; the
 * engines do not change.
 */
#ifndef PPTP_PEER_NET_H
#define PPTP_PEER_NET_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "peer_util.h"

enum pnet_link { PNET_LINK_ETH = 0, PNET_LINK_SLL = 1 };

/* What the capture records. */
enum pnet_capture {
    PNET_CAP_TCP = 1u << 0,
    PNET_CAP_GRE = 1u << 1,
    PNET_CAP_ALL = PNET_CAP_TCP | PNET_CAP_GRE,
};

/* pnet_send flags */
#define PNET_DF 0x1u         /* IPv4 Don't Fragment */
#define PNET_NO_CAPTURE 0x2u /* lost before the capture point: not recorded */
#define PNET_NO_DELIVER 0x4u /* lost after the capture point: not delivered */

typedef struct pnet_cfg {
    int link;            /* enum pnet_link */
    int n_vlans;
    uint16_t vlans[2];   /* 802.1Q VLAN ids, outermost first */
    bool ipv6;           /* outer IPv6 */
    ptime step;          /* virtual time each packet takes */
    ptime epoch;         /* timestamp of the first packet */
    uint16_t mtu;        /* outer MTU: larger GRE packets are fragmented */
    uint8_t ttl;
} pnet_cfg;

typedef struct pnet_host {
    uint8_t mac[6];
    uint32_t ip4;        /* host order */
    uint8_t ip6[16];
    uint16_t ip_id;      /* next IPv4 Identification */
    uint32_t frag_id;    /* next IPv6 fragment Identification */
    bool capture_side;   /* SLL: packets to this host are "host", from it "outgoing" */
} pnet_host;

typedef void (*pnet_deliver_fn)(void *ctx, const uint8_t *l4, size_t n);

typedef struct pnet_item {
    struct pnet_item *next;
    pnet_deliver_fn fn;
    void *ctx;
    size_t len;
    uint8_t data[];
} pnet_item;

typedef struct pnet {
    pnet_cfg cfg;
    ptime now;           /* virtual time since the epoch */
    FILE *pcap;
    unsigned capture;    /* enum pnet_capture bits */
    pnet_item *head, *tail;
    size_t queued;
    /* counters */
    uint64_t frames, frames_written, fragments, bytes_written;
    bool write_error;
} pnet;

void pnet_cfg_default(pnet_cfg *c);
void pnet_init(pnet *n, const pnet_cfg *cfg);
/* Open the pcap (link type from cfg: 1 Ethernet, 113 Linux SLL). */
bool pnet_open_pcap(pnet *n, const char *path);
/* Close the pcap and free queued packets.  Returns false after a write error. */
bool pnet_close(pnet *n);

/* Put an IP packet (protocol proto, layer-4 bytes l4) on the wire from src to
 * dst, then queue delivery of l4 to fn(ctx) (unless PNET_NO_DELIVER).
 * kind: PNET_CAP_TCP or PNET_CAP_GRE (what the capture filter sees). */
void pnet_send(pnet *n, pnet_host *src, const pnet_host *dst, uint8_t proto, unsigned kind, const uint8_t *l4,
               size_t len, unsigned flags, pnet_deliver_fn fn, void *ctx);
/* Deliver the oldest queued packet; false when none. */
bool pnet_step(pnet *n);
static inline bool pnet_busy(const pnet *n) { return n->head != NULL; }
/* Jump the clock forward to t (never backwards). */
void pnet_advance(pnet *n, ptime t);

#endif
