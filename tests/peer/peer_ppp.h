/*
 * peer_ppp.h - PPP engine of pptp-peer: one instance per end of a call, in
 * the client role (authenticatee, the PNS side) or the server role
 * (authenticator, the PAC side).
 *
 *   LCP      RFC 1661: MRU, ACCM, Auth-Protocol, Magic, PFC, ACFC, Callback,
 *            MRRU; Nak / Reject policy; Echo; Terminate with a reason;
 *            Protocol-Reject of protocols we do not run
 *   auth     PAP (RFC 1334), CHAP-MD5 (RFC 1994), MS-CHAPv1 (RFC 2433),
 *            MS-CHAPv2 (RFC 2759), EAP Identity + MD5-Challenge (RFC 3748),
 *            real crypto (decoders/mschap_crypto.h) against a user table,
 *            retries after failure
 *   CCP      MPPE 40/56/128, stateful or stateless (RFC 3078), keys from
 *            MS-CHAP (RFC 3079), RC4 data (decoders/mppe_crypto.h), Reset-
 *            Request / Reset-Ack after loss in stateful mode
 *   IPCP     address assignment by Nak, DNS / NBNS (RFC 1877), Reject of
 *            what the server does not provide
 *   IPV6CP   Interface-Identifier (RFC 5072)
 *
 * Pure state machine: PPP frames (address/control onward, as carried in GRE)
 * come in through pppe_input() and leave through the out callback; IP
 * packets through pppe_send_ip() / the ip callback.  The owner calls
 * pppe_timer() at pppe_next_timer().
 */
#ifndef PPTP_PEER_PPP_H
#define PPTP_PEER_PPP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "mppe_crypto.h"
#include "mschap_crypto.h"
#include "peer_cp.h"
#include "peer_util.h"
#include "secret.h"

enum pppe_role { PPPE_CLIENT = 0, PPPE_SERVER = 1 };

enum pauth_method {
    PAUTH_NONE = 0,
    PAUTH_PAP,
    PAUTH_CHAP_MD5,
    PAUTH_MSCHAPV1,
    PAUTH_MSCHAPV2,
    PAUTH_EAP_MD5,
    PAUTH_COUNT
};

enum pppe_phase { PPHASE_DEAD = 0, PPHASE_ESTABLISH, PPHASE_AUTH, PPHASE_NETWORK, PPHASE_TERMINATE };

enum pppe_event {
    PPPE_EV_LCP_UP = 1,
    PPPE_EV_AUTH_OK,
    PPPE_EV_AUTH_FAIL,     /* one failed attempt (more may follow) */
    PPPE_EV_NET_UP,        /* every NCP settled */
    PPPE_EV_DOWN,          /* LCP finished: the link is dead */
    PPPE_EV_MPPE_RESET,    /* CCP Reset-Request sent or received */
};

#define PPPE_NAME_MAX 64
#define PPPE_MAX_USERS 8
#define PPPE_MAX_ATTEMPTS 4

typedef struct ppp_user {
    char name[PPPE_NAME_MAX];
    char password[PPPE_NAME_MAX];
} ppp_user;

typedef struct pppe_cfg {
    /* LCP: what we ask for */
    uint16_t mru;          /* 0: no MRU option */
    bool req_accm;
    uint32_t accm;
    bool req_magic;
    bool req_pfc, req_acfc;
    bool req_callback;
    uint8_t callback_op;   /* 6 = CBCP (Windows) */
    bool req_mrru;
    uint16_t mrru;
    /* LCP: what we accept */
    uint16_t max_peer_mru; /* Nak a larger MRU with this (0: accept any) */
    uint32_t reject_opts;  /* bit n: Reject LCP option type n */
    /* authentication */
    int auth_offer[PAUTH_COUNT]; /* server: methods, in order of preference */
    int n_auth_offer;
    uint32_t auth_accept;  /* client: bit per method it will do */
    ppp_user users[PPPE_MAX_USERS]; /* server: the user table */
    int n_users;
    char login[PPPE_NAME_MAX];      /* client: name sent ("DOMAIN\user" for MS-CHAP) */
    char attempts[PPPE_MAX_ATTEMPTS][PPPE_NAME_MAX]; /* client: passwords, in order */
    int n_attempts;
    int auth_retries;      /* server: failed attempts tolerated before the last */
    char auth_name[PPPE_NAME_MAX];  /* server: CHAP/EAP Name */
    /* CCP / MPPE */
    unsigned mppe_bits;    /* 0 (none), 40, 56 or 128 */
    bool mppe_stateless;
    bool mppe_offer_all;   /* first request offers every strength (Windows) */
    /* IPCP */
    bool ipcp;
    uint32_t ip_local;     /* our address (0 on a client: ask the server) */
    uint32_t ip_assign;    /* server: the address it gives the client */
    uint32_t dns[2], nbns[2];  /* server: what it gives (0: reject); */
    bool req_dns, req_nbns;    /* client: ask for DNS / NBNS */
    /* IPV6CP */
    bool ipv6cp;
    /* timers */
    ptime restart_time;
} pppe_cfg;

void pppe_cfg_default(pppe_cfg *c, int role);
/* Map a method name ("pap", "chap-md5", "mschapv1", "mschapv2", "eap-md5",
 * "none") to enum pauth_method; -1 when unknown. */
int pauth_method_from_name(const char *s);
const char *pauth_method_name(int m);

typedef struct pppe pppe;
typedef void (*pppe_out_fn)(void *ctx, pppe *e, const uint8_t *frame, size_t n);
typedef void (*pppe_ip_fn)(void *ctx, pppe *e, const uint8_t *ip, size_t n);
typedef void (*pppe_event_fn)(void *ctx, pppe *e, int ev);

enum pauth_state { PA_IDLE = 0, PA_WAIT_PEER, PA_WAIT_RESULT, PA_SUCCESS, PA_FAILED };

struct pppe {
    int role;
    pppe_cfg cfg;
    mschap_crypto *cx;
    prng rng;
    ptime now;
    pppe_out_fn out;
    pppe_ip_fn ip;
    pppe_event_fn event;
    void *ctx;
    int phase;

    cpfsm lcp, ipcp, ipv6cp, ccp;

    /* LCP: what we currently request, and what was agreed */
    struct {
        uint16_t mru;
        bool accm, magic, pfc, acfc, callback, mrru;
        uint32_t magic_val;
        int auth_idx;     /* server: index into cfg.auth_offer, -1 none */
    } want;
    uint32_t magic;       /* ours, once acked */
    uint32_t peer_magic;
    uint16_t peer_mru;    /* what the peer will receive */
    bool tx_acfc, tx_pfc; /* the peer asked for them and we acked */
    uint32_t lcp_rejected_by_peer; /* bit n: the peer rejected our option n */
    int auth_method;      /* agreed (PAUTH_*) */

    /* authentication */
    struct {
        int state;
        uint8_t id;
        uint8_t challenge[16];
        size_t chal_len;
        int attempt;        /* client: index into cfg.attempts */
        int failures;       /* server: failed attempts so far */
        uint8_t peer_challenge[16];
        uint8_t nt_response[24];
        secret password;    /* what succeeded (key derivation) */
        char user[256];     /* name the peer sent (server) */
        uint32_t last_error;
        bool eap_identity_done;
    } auth;

    /* IPCP */
    uint32_t ip_addr, ip_peer, dns[2], nbns[2];
    bool ipcp_want_dns[2], ipcp_want_nbns[2];
    /* IPV6CP */
    uint8_t ifid[8], peer_ifid[8];

    /* CCP / MPPE */
    uint32_t mppe_want;   /* bits we request now */
    uint32_t mppe_agreed; /* bits of the agreed option */
    bool mppe_up;
    mppe_state mppe_tx, mppe_rx;
    bool mppe_reset_sent;
    uint8_t mppe_reset_id;

    bool net_up_emitted;
    bool down_emitted;

    /* counters */
    uint32_t ip_in, ip_out, mppe_errors, mppe_resets_sent, mppe_resets_rcvd;
    uint32_t echo_sent, echo_rcvd, proto_rejects_sent, frames_in, frames_out, frames_bad;
};

void pppe_init(pppe *e, int role, const pppe_cfg *cfg, mschap_crypto *cx, uint64_t seed, pppe_out_fn out,
               pppe_ip_fn ip, pppe_event_fn event, void *ctx);
/* The call is up: LCP opens. */
void pppe_start(pppe *e, ptime now);
/* One PPP frame received. */
void pppe_input(pppe *e, ptime now, const uint8_t *frame, size_t n);
/* Send an IPv4 packet (encrypted when MPPE is up).  false when IPCP is not open
 * or encryption was agreed but is not up. */
bool pppe_send_ip(pppe *e, ptime now, const uint8_t *ip, size_t n);
/* LCP Terminate-Request with reason. */
void pppe_close(pppe *e, ptime now, const char *reason);
/* The call went away under us. */
void pppe_lower_down(pppe *e);
/* LCP Echo-Request. */
bool pppe_lcp_echo(pppe *e, ptime now);
ptime pppe_next_timer(const pppe *e);
void pppe_timer(pppe *e, ptime now);
/* Wipe key material. */
void pppe_free(pppe *e);
/* Network phase reached with every NCP settled, or the link is dead. */
bool pppe_settled(const pppe *e);
bool pppe_is_dead(const pppe *e);

/* ---- internal (peer_lcp.c, peer_ncp.c, peer_auth.c) -------------------------- */
void pppe_send_proto(pppe *e, uint16_t proto, const uint8_t *info, size_t n);
void pppe_emit(pppe *e, int ev);
void pppe_enter_network(pppe *e);
void pppe_check_net_up(pppe *e);
extern const cp_ops pppe_lcp_ops, pppe_ipcp_ops, pppe_ipv6cp_ops, pppe_ccp_ops;
void pauth_start(pppe *e);
void pauth_input(pppe *e, uint16_t proto, const uint8_t *info, size_t n);
/* NCP and MPPE state back to the start (peer_ncp.c). */
void pppe_ncp_reset(pppe *e);
/* MPPE data (peer_ncp.c). */
bool pppe_mppe_send(pppe *e, const uint8_t *plain, size_t n);
void pppe_mppe_input(pppe *e, const uint8_t *data, size_t n);

#endif
