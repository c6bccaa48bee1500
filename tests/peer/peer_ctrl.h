/*
 * peer_ctrl.h - PPTP control-connection engine (RFC 2637 sections 2 and 5), one
 * instance per end of a TCP/1723 connection, playing the PNS (client, TCP
 * initiator) or the PAC (server).
 *
 * Pure state machine: bytes of the TCP stream come in through pctrl_input()
 * (any chunking: the engine frames messages itself), messages go out through
 * the send callback, and what happened is reported through the event
 * callback.  No I/O, no clock: usable over the simulated network (synthesis)
 * or a real socket.
 *
 * Scope: SCCRQ/SCCRP, StopCCRQ/StopCCRP, Echo-Request/Reply, OCRQ/OCRP,
 * ICRQ/ICRP/ICCN, CCRQ/CDN, SLI, WEN; several calls per control connection.
 * The PAC answers OCRQ and the PNS answers ICRQ on their own, with results
 * taken from the configuration (to script refusals).
 */
#ifndef PPTP_PEER_CTRL_H
#define PPTP_PEER_CTRL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "pptp_ctrl.h"

enum pctrl_role { PCTRL_PNS = 0, PCTRL_PAC = 1 };

enum pctrl_state {
    PCTRL_IDLE = 0,      /* nothing sent or received yet */
    PCTRL_WAIT_REPLY,    /* PNS: SCCRQ sent */
    PCTRL_ESTABLISHED,   /* SCCRP success sent / received */
    PCTRL_WAIT_STOP,     /* StopCCRQ sent */
    PCTRL_CLOSED,        /* stopped (StopCCRP exchanged) or refused */
};

enum pctrl_event {
    PCTRL_EV_UP = 1,      /* control connection established */
    PCTRL_EV_REFUSED,     /* SCCRP with a failure result */
    PCTRL_EV_DOWN,        /* StopCCRP sent or received */
    PCTRL_EV_CALL_UP,     /* call established (OCRP connected / ICCN) */
    PCTRL_EV_CALL_FAILED, /* OCRP / ICRP with a failure result */
    PCTRL_EV_CALL_DOWN,   /* CDN sent or received */
    PCTRL_EV_ECHO_REPLY,  /* our Echo-Request was answered */
    PCTRL_EV_SLI,         /* Set-Link-Info received */
    PCTRL_EV_WEN,         /* WAN-Error-Notify received */
    PCTRL_EV_CCRQ,        /* PAC: Call-Clear-Request received (CDN follows at once) */
};

#define PCTRL_MAX_CALLS 16

typedef struct pctrl_call {
    bool used;
    bool incoming;
    uint16_t call_id;      /* our Call ID */
    uint16_t peer_call_id; /* the other end's Call ID (put in our GRE key) */
    uint16_t serial;
    uint8_t state;         /* enum pptp_call_state */
    uint16_t peer_window;  /* the other end's receive window */
    uint16_t peer_delay;
    uint8_t result;        /* CDN / failure result */
    uint8_t error;
    void *user;            /* owner's binding (the call's PPP/GRE) */
} pctrl_call;

typedef struct pctrl_cfg {
    char host_name[PPTP_HOST_NAME_LEN + 1];
    char vendor[PPTP_VENDOR_LEN + 1];
    uint16_t firmware_rev;
    uint16_t max_channels;
    uint32_t framing_caps, bearer_caps;
    uint16_t recv_window;   /* our GRE receive window (OCRQ/OCRP/ICRP/ICCN) */
    uint16_t proc_delay;    /* in 1/10 s */
    uint32_t min_bps, max_bps, connect_speed;
    char phone[PPTP_PHONE_LEN + 1];     /* OCRQ phone / ICRQ dialed number */
    char dialing[PPTP_PHONE_LEN + 1];   /* ICRQ dialing number */
    uint8_t sccrp_result;   /* PAC: the SCCRP result (1 = success) */
    uint8_t sccrp_error;
    uint8_t call_result;    /* answering side: OCRP / ICRP result (1 = ok) */
    uint8_t call_error;
    uint16_t cause_code;
} pctrl_cfg;

/* Defaults resembling pptpd (PAC) / a Windows client (PNS). */
void pctrl_cfg_default(pctrl_cfg *c, int role);

typedef struct pctrl pctrl;
typedef void (*pctrl_send_fn)(void *ctx, const uint8_t *p, size_t n);
typedef void (*pctrl_event_fn)(void *ctx, pctrl *e, int ev, pctrl_call *call);

struct pctrl {
    int role;
    int state;
    pctrl_cfg cfg;
    pctrl_send_fn send;
    pctrl_event_fn event;
    void *ctx;
    uint8_t rbuf[1024]; /* stream framing */
    size_t rlen;
    pctrl_call calls[PCTRL_MAX_CALLS];
    uint16_t next_call_id;
    uint16_t next_serial;
    uint32_t echo_id;
    uint32_t echo_pending;  /* identifier of our unanswered Echo-Request, 0 none */
    uint8_t stop_reason;    /* of the StopCCRQ sent or received */
    bool stop_initiator;    /* we sent the StopCCRQ */
    uint8_t peer_result;    /* SCCRP result received (PNS) */
    char peer_host[PPTP_HOST_NAME_LEN + 1];
    /* counters */
    uint32_t msgs_in, msgs_out, bad_in;
};

/* Set up e (zeroed) for role with cfg (copied); callbacks get ctx. */
void pctrl_init(pctrl *e, int role, const pctrl_cfg *cfg, pctrl_send_fn send, pctrl_event_fn event, void *ctx);

/* PNS: send Start-Control-Connection-Request.  false when not idle. */
bool pctrl_start(pctrl *e);
/* Feed bytes of the TCP stream (any chunking). */
void pctrl_input(pctrl *e, const uint8_t *p, size_t n);

/* Choose the Call ID the next call we create (or accept) gets; 0 = automatic. */
void pctrl_set_next_call_id(pctrl *e, uint16_t id);
/* PNS: Outgoing-Call-Request.  Returns the new call (state wait_reply) or NULL. */
pctrl_call *pctrl_call_out(pctrl *e, uint16_t serial);
/* PAC: Incoming-Call-Request.  Returns the new call or NULL. */
pctrl_call *pctrl_call_in(pctrl *e, uint16_t serial);
/* Clear a call: the PNS sends Call-Clear-Request (the PAC answers CDN result 4);
 * the PAC sends Call-Disconnect-Notify with result (1 lost carrier, 2 general
 * error, 3 admin shutdown, 4 request).  false when the call is not up. */
bool pctrl_call_clear(pctrl *e, pctrl_call *c, uint8_t result);
/* Echo-Request. */
bool pctrl_echo(pctrl *e);
/* PNS: Set-Link-Info for a call. */
bool pctrl_sli(pctrl *e, pctrl_call *c, uint32_t send_accm, uint32_t recv_accm);
/* PAC: WAN-Error-Notify for a call. */
bool pctrl_wen(pctrl *e, pctrl_call *c, uint32_t crc_errors);
/* Stop-Control-Connection-Request (reason 1 none, 2 protocol, 3 local shutdown). */
bool pctrl_stop(pctrl *e, uint8_t reason);
/* The transport died (TCP RST/FIN): every call and the connection go down
 * without messages. */
void pctrl_transport_down(pctrl *e);

/* Lookups. */
pctrl_call *pctrl_find_call(pctrl *e, uint16_t call_id);
int pctrl_active_calls(const pctrl *e);

const char *pctrl_state_name(int st);

#endif
