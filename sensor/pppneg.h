/*
 * pppneg.h - follows one call's PPP negotiation in both directions: LCP, the
 * authentication phase (PAP, CHAP-MD5, MS-CHAPv1/v2, EAP), CCP/MPPE, IPCP and
 * IPV6CP, LCP echo and Terminate, MPPE rekeys.  Fed with each PPP frame the call
 * carries (after GRE and the PPP header); tells the caller which session events
 * became due, and fills their fields.  Semantics: docs/ppp-negotiation.md.
 *
 * Direction: PPPNEG_CLIENT = sent by the PNS (client), PPPNEG_SERVER = by the PAC.
 * The struct is embedded in every call: keep it small (no per-frame allocation,
 * no pointers into packet data).  Everything here is read-only for callers
 * except through the functions below.
 */
#ifndef PPTP_SENSOR_PPPNEG_H
#define PPTP_SENSOR_PPPNEG_H

#include <stdbool.h>
#include <stddef.h>
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

#define PPPNEG_USER_MAX 64   /* user name as sent, "DOMAIN\user" (NUL included) */
#define PPPNEG_DOMAIN_MAX 32 /* buffer for the domain part when filling events */
#define PPPNEG_MSG_MAX 40    /* sanitised auth message / LCP terminate reason */
/* Negotiations of one control protocol reported per call: a renegotiation
 * (a new Configure-Request round after Opened) reports again, up to this many. */
#define PPPNEG_MAX_REPORTS 8

/* Configure-Request/Ack matching of one control protocol (LCP, IPCP, IPV6CP, CCP). */
struct pppneg_cp {
    uint32_t req_hash[2];          /* FNV-1a of the options of each side's latest Configure-Request */
    uint8_t req_id[2];             /* its identifier */
    uint8_t flags;                 /* PPPNEG_CPF_* */
    uint8_t reports;               /* times it opened and was reported (saturates) */
};
enum {
    PPPNEG_CPF_REQ0 = 1u << 0,     /* side 0's request seen (complete); REQ1 = REQ0 << 1 */
    PPPNEG_CPF_ACK0 = 1u << 2,     /* side 0's request acked by side 1; ACK1 = ACK0 << 1 */
    PPPNEG_CPF_UP = 1u << 4,       /* both acked in the current negotiation */
};
enum { PPPNEG_CP_LCP = 0, PPPNEG_CP_IPCP, PPPNEG_CP_IPV6CP, PPPNEG_CP_CCP, PPPNEG_CP_COUNT };

struct pppneg_lcp_side {           /* what one side asked for in its acked Configure-Request */
    uint32_t magic;                /* 0: not asked (0 is not a valid magic number) */
    uint16_t mru;                  /* 0: not asked (default 1500) */
    uint16_t auth_proto;           /* 0: none */
    uint8_t auth_alg;              /* CHAP algorithm */
    uint8_t acfc, pfc;
    uint8_t req_id;                /* identifier of the acked Configure-Request */
    uint8_t acked;                 /* the other side acked it (current negotiation) */
};

enum pppneg_auth {
    PPPNEG_AUTH_NONE = 0, PPPNEG_AUTH_PAP, PPPNEG_AUTH_CHAP_MD5, PPPNEG_AUTH_MSCHAPV1,
    PPPNEG_AUTH_MSCHAPV2, PPPNEG_AUTH_EAP,
    PPPNEG_AUTH_CHAP,              /* CHAP with an unknown or other algorithm */
};
enum pppneg_auth_state {
    PPPNEG_AUTH_STATE_NONE = 0, PPPNEG_AUTH_STATE_IN_PROGRESS = 1,
    PPPNEG_AUTH_STATE_SUCCESS = 2, PPPNEG_AUTH_STATE_FAILURE = 3,
};
enum pppneg_rekey_trigger {
    PPPNEG_REKEY_NONE = 0, PPPNEG_REKEY_RESET_REQUEST, PPPNEG_REKEY_COHERENCY_COUNT, PPPNEG_REKEY_FLUSHED,
};

struct pppneg {
    /* Data plane first, 32 bytes: an MPPE data frame reads and writes only these
     * (the call places them in its hot cache lines, session.h); keep it so. */
    uint64_t comp_frames[2];        /* MPPE/MPPC frames (protocol 0x00FD), by sender */
    uint32_t mppe_rekeys[2];        /* key changes, by the direction whose key changed (stateless: every frame) */
    uint16_t mppe_last_cc[2];       /* by sender */
    uint8_t mppe_have_cc;           /* bit d: mppe_last_cc[d] is valid */
    uint8_t mppe_reset_pending;     /* bit d: Reset-Request for d's stream not yet answered */
    uint8_t ccp_open;               /* CCP opened with MPPE at least once (sticky) */
    uint8_t dp_flags;               /* PPPNEG_DP_*: the control plane's facts a data frame needs */
    /* the rest: touched by control frames and unencrypted data */
    uint64_t ip_frames[2];          /* unencrypted IPv4/IPv6/VJ frames, by sender */
    uint32_t comp_clear[2];         /* compressed datagrams without the D (encrypted) bit */
    uint32_t ccp_ack_bits[2];       /* MPPE bits of each side's acked request */
    uint8_t ccp_acked[2];           /* that side's acked request carried the MPPE option */
    uint8_t lcp_open;               /* LCP reached Opened at least once (sticky) */
    uint8_t lcp_terminated;         /* 1 + direction of the first Terminate-Request, 0 none */
    struct pppneg_cp cp[PPPNEG_CP_COUNT];  /* Configure matching, [PPPNEG_CP_*] */
    struct pppneg_lcp_side lcp[2];  /* [sender of the Configure-Request], as acked */
    /* control plane, by alignment (no padding: the struct is in every call) */
    uint32_t lcp_rejected;          /* bit n: LCP option type n (< 32) was rejected */
    uint32_t lcp_echo_req[2], lcp_echo_rep[2];
    uint32_t ccp_req_bits[2];       /* MPPE bits of each side's latest Configure-Request */
    uint32_t ccp_reset_req[2], ccp_reset_ack[2]; /* by sender */
    uint32_t ipcp_addr[2];          /* host order, acked IP-Address of each side, 0 none */
    uint32_t ipcp_dns[2], ipcp_wins[2]; /* client's acked primary/secondary, 0 none */
    uint32_t ipcp_nak_addr;         /* address the server suggested in a Nak, 0 none */
    uint16_t lcp_confreqs[2];       /* Configure-Requests sent (loop detection) */
    uint16_t lcp_naks[2];           /* Configure-Naks sent */
    uint16_t lcp_rejects[2];        /* Configure-Rejects sent */
    uint16_t auth_attempts, auth_failures;
    uint16_t auth_error;            /* MS-CHAP E= code, 0 none */
    uint16_t mppe_key_bits;         /* 40/56/128 agreed, 0 none/unknown */
    char terminate_reason[PPPNEG_MSG_MAX]; /* printable ASCII, "" when none */
    char user[PPPNEG_USER_MAX];     /* as sent (control characters replaced), "" unknown */
    char auth_message[PPPNEG_MSG_MAX]; /* printable ASCII, "" none */
    uint8_t lcp_term_acked;         /* its Terminate-Ack was seen */
    uint8_t lcp_proto_rejected;     /* PPPNEG_PREJ_* protocols Protocol-Rejected */
    uint8_t auth_method;            /* enum pppneg_auth, of the latest auth frame */
    uint8_t auth_state;             /* enum pppneg_auth_state (of the latest attempt) */
    uint8_t auth_retry;             /* MS-CHAP R=1 in the latest failure */
    uint8_t eap_type;               /* method of the server's latest EAP Request */
    uint8_t auth_lm_response;       /* MS-CHAPv1 carried a non-zero LM response */
    uint8_t chap_alg;               /* CHAP algorithm learnt from the wire (chap_alg) */
    uint8_t auth_flags;             /* PPPNEG_AF_* */
    uint8_t auth_req_id, auth_out_id; /* identifiers of the latest request and outcome */
    uint8_t ccp_rejected;           /* MPPE option Configure-Rejected, or CCP Protocol-Rejected */
    uint8_t mppe_stateless;         /* H bit agreed in both directions */
    uint8_t mppe_rekey_dir;         /* direction whose key changed in the latest rekey */
    uint8_t mppe_rekey_trigger;     /* enum pppneg_rekey_trigger of the latest rekey */
    uint8_t ipcp_acked[2], ipcp_open; /* ipcp_open: opened at least once (sticky) */
    uint8_t ipv6cp_have_ifid;       /* bit d: ipv6cp_ifid[d] is set */
    uint8_t ipv6cp_ifid[2][8];
    uint8_t ipv6cp_acked[2], ipv6cp_open;
};

/* dp_flags, for the frames sent by d: PPPNEG_DP_KNOWN(d) the receiver's acked CCP
 * request governs them (CCP up), with the H (stateless) and C (MPPC) bits of it;
 * PPPNEG_DP_CLEAR(d) some were sent without encryption (comp_clear[d] > 0). */
#define PPPNEG_DP_KNOWN(d) (1u << (4 * (d)))
#define PPPNEG_DP_H(d) (2u << (4 * (d)))
#define PPPNEG_DP_C(d) (4u << (4 * (d)))
#define PPPNEG_DP_CLEAR(d) (8u << (4 * (d)))

enum { PPPNEG_PREJ_CCP = 1u << 0, PPPNEG_PREJ_IPCP = 1u << 1, PPPNEG_PREJ_IPV6CP = 1u << 2 };
enum {
    PPPNEG_AF_REQ_ID = 1u << 0,     /* auth_req_id valid */
    PPPNEG_AF_OUT_ID = 1u << 1,     /* auth_out_id valid */
    PPPNEG_AF_RETRY_KNOWN = 1u << 2, /* the latest failure carried R= */
};

/* Zero the state. */
void pppneg_init(struct pppneg *n);
/* One PPP frame (protocol number and information field) sent by dir.
 * Returns the PPPNEG_DUE_* bits of the events this frame made due. Malformed
 * frames add anomalies to an (may be NULL) and are otherwise ignored. */
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
/* user.name / user.domain / related.user from the authenticated (or attempted) identity. */
void pppneg_fill_user(const struct pppneg *n, ev *e);
/* pptp.auth.method string ("pap", "chap-md5", "mschapv1", "mschapv2", "eap-<type>",
 * "eap", "chap"), or NULL when no authentication was negotiated or seen.  buf
 * (size >= 32 recommended) is used for the EAP names. */
const char *pppneg_auth_method(const struct pppneg *n, char *buf, size_t size);
/* Stable snake_case name of an MS-CHAP error code (pptp.auth.error):
 * "restricted_logon_hours" (646), "acct_disabled" (647), "passwd_expired" (648),
 * "no_dialin_permission" (649), "authentication_failure" (691),
 * "changing_password" (709); NULL for other codes. */
const char *pppneg_auth_error_name(uint32_t code);
/* pptp.auth.outcome of the latest attempt: "success", "failure" or "none". */
const char *pppneg_auth_outcome(const struct pppneg *n);

#endif
