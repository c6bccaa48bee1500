/*
 * pppneg.h - follows one call's PPP negotiation in both directions: LCP, the
 * authentication phase (PAP, CHAP-MD5, MS-CHAPv1/v2, EAP), CCP/MPPE, IPCP and
 * IPV6CP, LCP echo and Terminate, MPPE rekeys.  Fed with each PPP frame the call
 * carries (after GRE and the PPP header); tells the caller which session events
 * became due, and fills their fields.
 *
 * Direction: PPPNEG_CLIENT = sent by the PNS (client), PPPNEG_SERVER = by the PAC.
 * The struct is embedded in every call: keep it small (no per-frame allocation,
 * no pointers into packet data).
 */
#ifndef PPTP_SENSOR_PPPNEG_H
#define PPTP_SENSOR_PPPNEG_H

#include <stdbool.h>
#include <stdint.h>

#include "anomaly.h"
#include "cursor.h"
#include "event.h"

enum { PPPNEG_CLIENT = 0, PPPNEG_SERVER = 1 };

/* Bits returned by pppneg_frame(): events that became due with this frame. */
enum pppneg_due {
    PPPNEG_DUE_LCP = 1u << 0,         /* lcp_negotiated */
    PPPNEG_DUE_AUTH_SUCCESS = 1u << 1,
    PPPNEG_DUE_AUTH_FAILURE = 1u << 2,
    PPPNEG_DUE_MPPE = 1u << 3,        /* mppe_negotiated */
    PPPNEG_DUE_MPPE_REKEY = 1u << 4,  /* mppe_rekey */
    PPPNEG_DUE_IPCP = 1u << 5,        /* ipcp_negotiated */
    PPPNEG_DUE_IPV6CP = 1u << 6,      /* (ipv6cp_negotiated, an extension) */
    PPPNEG_DUE_LCP_TERMINATE = 1u << 7, /* Terminate-Request seen: the call is ending */
    PPPNEG_DUE_LCP_TERMINATE_ACK = 1u << 8, /* Terminate-Ack answering it: PPP is down */
};

#define PPPNEG_USER_MAX 64
#define PPPNEG_DOMAIN_MAX 32
#define PPPNEG_MSG_MAX 48

struct pppneg_lcp_side {           /* what one side asked for in its acked Configure-Request */
    uint32_t magic;
    uint16_t mru;                  /* 0: not asked (default 1500) */
    uint16_t auth_proto;           /* 0: none */
    uint8_t auth_alg;              /* CHAP algorithm */
    uint8_t acfc, pfc;
    uint8_t req_id;                /* identifier of the latest Configure-Request */
    uint8_t acked;                 /* the other side acked it */
};

struct pppneg {
    struct pppneg_lcp_side lcp[2];         /* [sender of the Configure-Request] */
    struct pppneg_lcp_side lcp_pending[2]; /* latest request, not yet acked */
    uint32_t lcp_rejected;          /* bit n: LCP option type n (< 32) was rejected */
    uint16_t lcp_confreqs[2];       /* Configure-Requests sent (loop detection) */
    uint16_t lcp_naks[2];
    uint32_t lcp_echo_req[2], lcp_echo_rep[2];
    uint8_t lcp_open, lcp_emitted;
    uint8_t lcp_terminated;         /* 1 + direction of the Terminate-Request */
    char terminate_reason[PPPNEG_MSG_MAX];
    /* authentication */
    uint8_t auth_method;            /* enum pppneg_auth */
    uint8_t auth_state;             /* 0 none, 1 in progress, 2 success, 3 failure */
    uint8_t auth_retry;             /* MS-CHAP R=1 */
    uint8_t eap_type;
    uint8_t auth_lm_response;       /* MS-CHAPv1 carried a non-zero LM response */
    uint16_t auth_attempts, auth_failures;
    uint16_t auth_error;            /* MS-CHAP E= code */
    char user[PPPNEG_USER_MAX];
    char auth_message[PPPNEG_MSG_MAX];
    /* CCP / MPPE */
    uint32_t ccp_req_bits[2], ccp_ack_bits[2];
    uint8_t ccp_acked[2], ccp_open, ccp_rejected;
    uint16_t mppe_key_bits;
    uint8_t mppe_stateless;
    uint32_t mppe_rekeys[2];        /* by the direction whose key changed */
    uint32_t ccp_reset_req[2], ccp_reset_ack[2];
    uint16_t mppe_last_cc[2];
    uint8_t mppe_have_cc[2];
    uint8_t mppe_rekey_dir;         /* direction of the latest rekey */
    /* IPCP / IPV6CP */
    uint32_t ipcp_addr[2];          /* host order, acked address of each side */
    uint32_t ipcp_dns[2], ipcp_wins[2]; /* client's acked primary/secondary */
    uint8_t ipcp_acked[2], ipcp_open;
    uint8_t ipv6cp_ifid[2][8];
    uint8_t ipv6cp_acked[2], ipv6cp_open;
    /* data seen */
    uint64_t ip_frames[2];          /* unencrypted IPv4/IPv6 frames */
    uint64_t comp_frames[2];        /* MPPE/MPPC frames */
};

enum pppneg_auth {
    PPPNEG_AUTH_NONE = 0, PPPNEG_AUTH_PAP, PPPNEG_AUTH_CHAP_MD5, PPPNEG_AUTH_MSCHAPV1,
    PPPNEG_AUTH_MSCHAPV2, PPPNEG_AUTH_EAP,
};

/* Zero the state. */
void pppneg_init(struct pppneg *n);
/* One PPP frame (protocol number and information field) sent by dir.
 * Returns the PPPNEG_DUE_* bits of the events this frame made due. Malformed
 * frames add anomalies to an and are otherwise ignored. */
unsigned pppneg_frame(struct pppneg *n, int dir, uint16_t proto, cursor *info, anomaly_set *an);
/* Event fields.  Each writes the fields its event needs into e. */
void pppneg_fill_lcp(const struct pppneg *n, ev *e);
void pppneg_fill_auth(const struct pppneg *n, ev *e);
void pppneg_fill_mppe(const struct pppneg *n, ev *e);
void pppneg_fill_rekey(const struct pppneg *n, ev *e);
void pppneg_fill_ipcp(const struct pppneg *n, ev *e);
void pppneg_fill_ipv6cp(const struct pppneg *n, ev *e);
/* Summary fields for teardown/interim (auth method/outcome, mppe bits, addresses). */
void pppneg_fill_summary(const struct pppneg *n, ev *e);
/* user.name / user.domain from the authenticated (or attempted) identity. */
void pppneg_fill_user(const struct pppneg *n, ev *e);
/* pptp.auth.method string ("pap", "chap-md5", "mschapv1", "mschapv2", "eap-<type>"), or NULL. */
const char *pppneg_auth_method(const struct pppneg *n, char *buf, size_t size);

#endif
