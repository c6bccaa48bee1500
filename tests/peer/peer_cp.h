/*
 * peer_cp.h - the RFC 1661 option-negotiation automaton shared by LCP, IPCP,
 * IPV6CP and CCP in pptp-peer.
 *
 * States and transitions follow RFC 1661 section 4 (Closed .. Opened, restart
 * timer, Max-Configure / Max-Terminate counters).  The lower layer is taken to
 * be up when cpfsm_open() is called (LCP: the call is up; an NCP: the network
 * phase began), so Initial/Starting are folded into Closed.
 *
 * What a protocol asks for and what it accepts is in its cp_ops callbacks;
 * codes beyond 1-7 (LCP Echo, Discard, CCP Reset, ...) go to ops->extra_code.
 * Packets leave through ops->output as a PPP information field (Code onward)
 * for the given protocol number.
 */
#ifndef PPTP_PEER_CP_H
#define PPTP_PEER_CP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "cp.h"
#include "peer_util.h"

enum cps {
    CPS_INITIAL = 0,
    CPS_STARTING = 1,
    CPS_CLOSED = 2,
    CPS_STOPPED = 3,
    CPS_CLOSING = 4,
    CPS_STOPPING = 5,
    CPS_REQSENT = 6,
    CPS_ACKRCVD = 7,
    CPS_ACKSENT = 8,
    CPS_OPENED = 9,
};

typedef struct cpfsm cpfsm;

typedef struct cp_ops {
    /* The Configure-Request to send now. */
    void (*build_req)(void *ctx, cpfsm *f, popts *out);
    /* Judge the peer's request: CP_CONF_ACK, CP_CONF_NAK or CP_CONF_REJ, with
     * resp holding the options to Nak (suggested values) or Reject. */
    int (*check_req)(void *ctx, cpfsm *f, const popts *req, popts *resp);
    /* Our request was acked (acked = what we asked). */
    void (*got_ack)(void *ctx, cpfsm *f, const popts *acked);
    /* Adjust our next request after a Nak / Reject. */
    void (*got_nak)(void *ctx, cpfsm *f, const popts *nak);
    void (*got_rej)(void *ctx, cpfsm *f, const popts *rej);
    void (*up)(void *ctx, cpfsm *f);       /* This-Layer-Up */
    void (*down)(void *ctx, cpfsm *f);     /* This-Layer-Down */
    void (*finished)(void *ctx, cpfsm *f); /* This-Layer-Finished */
    /* Codes other than 1-7; true when handled (else Code-Reject). */
    bool (*extra_code)(void *ctx, cpfsm *f, uint8_t code, uint8_t id, const uint8_t *body, size_t len);
    /* Send info (Code onward) as PPP protocol proto. */
    void (*output)(void *ctx, cpfsm *f, const uint8_t *info, size_t n);
} cp_ops;

struct cpfsm {
    const cp_ops *ops;
    void *ctx;
    cp_proto proto;     /* CP_LCP, CP_IPCP, ... (names and option parsing) */
    uint16_t ppp_proto; /* 0xc021, ... */
    const char *name;
    int state;
    uint8_t next_id;
    uint8_t req_id;     /* Identifier of our outstanding Configure-Request */
    int restart;        /* restart counter */
    ptime deadline;     /* restart timer, PT_NEVER when stopped */
    ptime restart_time;
    int max_configure, max_terminate;
    popts req;          /* our last Configure-Request */
    popts peer_req;     /* the peer's last acked Configure-Request */
    char term_reason[64];    /* Terminate-Request data we send */
    char peer_reason[64];    /* Terminate-Request data we received */
    bool opened_once;
    /* counters */
    uint32_t confreq_sent, naks_sent, rejs_sent, naks_rcvd, rejs_rcvd, codes_rejected;
};

void cpfsm_init(cpfsm *f, const cp_ops *ops, void *ctx, cp_proto proto, const char *name);
/* Open event (lower layer up): send a Configure-Request. */
void cpfsm_open(cpfsm *f, ptime now);
/* Close event: Terminate-Request with reason (may be NULL). */
void cpfsm_close(cpfsm *f, ptime now, const char *reason);
/* The lower layer went away: silently to Initial (This-Layer-Down if opened). */
void cpfsm_lower_down(cpfsm *f);
/* RXJ-: the peer rejected the protocol (Protocol-Reject): give up. */
void cpfsm_proto_rejected(cpfsm *f, ptime now);
/* One received packet (info = Code onward). */
void cpfsm_input(cpfsm *f, ptime now, const uint8_t *info, size_t n);
ptime cpfsm_next_timer(const cpfsm *f);
void cpfsm_timer(cpfsm *f, ptime now);
/* Send a packet of any code with body (Echo, Reset-Request...); id 0 = next. */
void cpfsm_send(cpfsm *f, uint8_t code, uint8_t id, const uint8_t *body, size_t n);
uint8_t cpfsm_new_id(cpfsm *f);

static inline bool cpfsm_is_open(const cpfsm *f) { return f->state == CPS_OPENED; }
/* Settled: opened, or given up / closed (nothing more will happen on its own). */
static inline bool cpfsm_settled(const cpfsm *f)
{
    return f->state == CPS_OPENED || f->state == CPS_STOPPED || f->state == CPS_CLOSED ||
           f->state == CPS_INITIAL;
}
const char *cps_name(int st);

/* Helpers for protocol modules. */
bool popts_from_cp(popts *out, const cp_option_list *l);
/* Encode code/id + options into buf; returns length (0 on overflow). */
size_t cp_build_options(uint8_t *buf, size_t cap, uint8_t code, uint8_t id, const popts *o);

#endif
