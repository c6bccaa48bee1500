/*
 * detect_int.h - shared by the detector files (detect*.c): state, bounded
 * tables with LRU eviction, sliding-window counters, event helpers.
 * Not for use outside sensor/detect*.c.
 */
#ifndef PPTP_SENSOR_DETECT_INT_H
#define PPTP_SENSOR_DETECT_INT_H

#include <stdarg.h>

#include "detect.h"
#include "detect_config.h"
#include "sensor_int.h"

/* ---- sliding windows ----
 * A count of events over the last `window` of packet time, in SWIN_N buckets
 * of window/SWIN_N: the count covers between (SWIN_N-1)/SWIN_N of the window
 * and the whole window, never more (no event older than the window counts). */
#define SWIN_N 8
struct swin {
    uint64_t base;          /* bucket number of the newest bucket */
    uint16_t b[SWIN_N];     /* saturating */
};
/* Add n at now; returns the count in the window afterwards. */
uint32_t swin_add(struct swin *w, uint64_t now, uint64_t window, uint32_t n);
uint32_t swin_count(struct swin *w, uint64_t now, uint64_t window);

/* ---- bounded hash tables with LRU eviction ----
 * Fixed capacity; when full, the least recently used entry is recycled.
 * Entries live in chunks that never move: a pointer stays valid until that
 * entry is deleted or recycled (a later dtab_get(create) may recycle it). */
struct dkey {
    uint8_t b[40];
};
struct dtab {
    uint32_t psize;       /* payload bytes */
    uint32_t cap, n, used;/* capacity, live entries, slots ever handed out */
    uint32_t nbucket;     /* power of two */
    uint32_t *bucket;     /* index + 1 of the chain head; 0 empty */
    uint8_t **chunk;      /* cap / DTAB_CHUNK chunks, allocated on demand */
    uint32_t lru_head, lru_tail, free_head; /* index + 1 */
    uint64_t evicted;
    void (*on_drop)(struct sensor *s, void *payload); /* release payload resources */
    struct sensor *s;
};
int dtab_init(struct dtab *t, struct sensor *s, uint32_t cap, uint32_t psize, void (*on_drop)(struct sensor *, void *));
void dtab_free(struct dtab *t);
/* The payload for k (zeroed when new: *created = true), made most recent.
 * NULL when absent and !create, or out of memory. */
void *dtab_get(struct dtab *t, const struct dkey *k, bool create, bool *created);
void dtab_del(struct dtab *t, void *payload);
/* Key builders (zero padded). */
void dkey_addr(struct dkey *k, const sn_addr *a);
void dkey_pair(struct dkey *k, const sn_addr *a, const sn_addr *b);
void dkey_u64(struct dkey *k, uint64_t v);
uint64_t detect_hash_str(const char *s);

/* ---- per-source / per-user / per-server records ---- */
#define DET_USERS_PER_SRC 8
#define DET_NAME_LEN 48
#define DET_SRCS_PER_USER 16

struct auth_src {
    struct swin fail, fail_high, fail_recent;
    uint64_t bf_alert_ns, bf_high_alert_ns, spray_alert_ns;
    uint32_t failures_total;
    struct {
        uint64_t h, last_ns;
        char name[DET_NAME_LEN];
    } users[DET_USERS_PER_SRC];
};

struct auth_user {
    char name[DET_NAME_LEN];
    uint64_t alert_ns;
    struct {
        sn_addr ip;
        uint64_t last_ns;
    } src[DET_SRCS_PER_USER];
};

struct ctrl_src {
    struct swin sccrq, calls, scan;
    uint64_t sccrq_alert_ns, calls_alert_ns, scan_alert_ns;
};

struct server_rec {
    struct swin downs;
    uint64_t alert_ns;
    uint32_t reasons[10]; /* teardowns in this window's alert, by reason (evidence) */
};

struct unowned_rec {
    struct swin pkts;
    uint64_t alert_ns, total;
    uint16_t last_call_id;
};

/* Recently ended calls, direct mapped by (GRE destination, Call ID). */
#define DET_ENDED_SLOTS 1024
struct ended_call {
    sn_addr dst;
    uint16_t call_id;
    uint8_t used, alerted;
    uint32_t packets;
    uint64_t end_ns, session_id;
    sn_addr client_ip, server_ip;
};

/* Datagrams in reassembly: what their first fragment said (direct mapped). */
#define DET_FRAG_SLOTS 512
struct frag_rec {
    ip_frag_key key;
    uint8_t used, have_l4, overlap_reported;
    uint16_t call_id;            /* GRE */
    uint16_t sport, dport;       /* TCP */
    uint32_t frags, largest;     /* fragments seen, largest fragment's IP length */
    uint64_t first_ns;
};

/* ---- per-call and per-connection state ---- */
struct inner_state; /* detect_ndpi.c */

struct detect_call {
    uint64_t fired;              /* bit r: rule r raised for this call */
    /* negotiation offers (downgrade) */
    uint8_t auth_offer[2];       /* strongest auth rank side d asked for (rank), 0 none */
    uint8_t auth_nak[2];         /* rank the peer suggested when Naking side d's auth option, 0 none */
    uint8_t auth_rej[2];         /* the peer rejected side d's auth option */
    uint32_t ccp_offer[2];       /* union of the MPPE bits side d requested */
    uint32_t ccp_nak[2];         /* MPPE bits the peer suggested in a Nak of d's request */
    uint8_t ccp_rej[2];
    /* keepalives */
    uint16_t echo_out[2];        /* LCP Echo-Requests sent by d since the last reply */
    uint16_t path_mtu;           /* smallest MTU an ICMP frag-needed advertised for this tunnel */
    /* MPPE: frame counts when it opened (cleartext after encryption) */
    uint32_t comp_clear_at_mppe[2];
    uint64_t ip_at_mppe[2];
    struct detect_rare *rare;    /* counters of rare events, allocated on the first one */
    struct inner_state *inner;   /* nDPI, unencrypted calls only */
};

/* Per-call state only a few calls need (kept out of every call's record). */
struct detect_rare {
    uint32_t wrong_src_pkts;
    sn_addr wrong_src;
    struct swin resets;          /* MPPE resets */
    uint64_t reset_alert_ns;
    uint32_t resets_total;
    struct swin frag_win, mru_win;
    uint64_t frag_rate_ns, mru_rate_ns;
    uint32_t frag_events, mru_count[2], mss_count;
};

struct detect_ctrl {
    uint64_t fired;
    uint32_t violations;         /* bit per violation kind reported */
    uint8_t sccrq_seen, sccrq_dir, sccrp_seen, stop_seen, nonstandard, malformed;
    uint8_t lossy;               /* the capture lost control bytes: message order is not known */
    uint16_t echo_out[2];        /* control Echo-Requests sent by d unanswered */
    struct swin echo;
    uint64_t echo_alert_ns;
    uint32_t frag_events;
};

/* ---- the detector ---- */
struct ndpi_state; /* detect_ndpi.c */

struct detect {
    struct detect_config cfg;
    bool quiet;                  /* sensor_free: no events any more */
    struct {
        uint64_t win_start;
        uint32_t count;
        uint64_t suppressed;
    } rate[DR_COUNT];
    struct dtab auth_src, auth_user, ctrl_src, servers, unowned;
    struct ended_call *ended;    /* DET_ENDED_SLOTS, allocated on first use */
    struct frag_rec *frags;      /* DET_FRAG_SLOTS, allocated on first use */
    struct frag_rec last_done;   /* the datagram just reassembled (for detect_on_reassembled) */
    bool have_last_done;
    struct ndpi_state *ndpi;
    uint64_t mem_calls;          /* bytes of per-call / per-connection state */
};

/* ---- helpers (detect.c) ---- */
struct detect_call *det_call(struct sensor *s, struct call *k); /* allocated on first use; NULL on OOM */
struct detect_ctrl *det_ctrl(struct sensor *s, struct ctrl_conn *c);
struct detect_rare *det_rare(struct sensor *s, struct detect_call *dc); /* NULL on OOM */
static inline const struct detect_rule_cfg *det_rc(const struct sensor *s, enum detect_rule r)
{
    return &s->det->cfg.r[r];
}
static inline bool det_on(const struct sensor *s, enum detect_rule r)
{
    return s->det && !s->det->quiet && s->det->cfg.r[r].enabled;
}
/* Begin the event of rule r at ts (its class, action, rule.* fields, log.level =
 * the configured level raised by bump).  NULL when the rule is off or over its
 * per-minute cap: the caller then does nothing. */
ev *det_begin(struct sensor *s, enum detect_rule r, uint64_t ts, int bump);
void det_message(ev *e, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
void det_send(struct sensor *s, ev *e);
/* Once-per-call / per-connection guards: true the first time. */
static inline bool det_once(uint64_t *fired, enum detect_rule r)
{
    if (*fired & (1ull << r))
        return false;
    *fired |= 1ull << r;
    return true;
}
void det_set_ip(ev *e, const char *key, const sn_addr *a);
void det_add_ip(ev *e, const char *key, const sn_addr *a);
/* network.transport gre, network.type, network.community_id of the GRE flow src -> dst. */
void det_gre_flow(ev *e, const sn_addr *src, const sn_addr *dst);
const char *det_addr_str(const sn_addr *a, char *buf, size_t n);
/* "client" / "server" for a sender direction. */
static inline const char *det_side(int dir) { return dir == DIR_CLIENT ? "client" : "server"; }

/* ---- the rule families ---- */
void det_auth_ppp(struct sensor *s, struct call *k, struct detect_call *dc, int dir, unsigned due, uint64_t now);
void det_weak_ppp(struct sensor *s, struct call *k, struct detect_call *dc, int dir, const struct pkt *p,
                  unsigned due, uint64_t now);
void det_ops_ppp(struct sensor *s, struct call *k, struct detect_call *dc, int dir, const struct pkt *p,
                 unsigned due, uint64_t now);
void det_ops_teardown(struct sensor *s, struct call *k, int reason, uint64_t now);
void det_frag_ppp(struct sensor *s, struct call *k, struct detect_call *dc, int dir, const struct pkt *p,
                  uint64_t now);
void det_gre_ended(struct sensor *s, struct call *k);
bool det_recently_ended(const struct sensor *s, const sn_addr *dst, uint16_t call_id, uint64_t now, uint64_t within);
void det_weak_teardown(struct sensor *s, struct call *k, uint64_t now);
bool det_frag_over_mru(const struct sensor *s, const struct call *k, int dir, const struct pkt *p);

uint64_t dtab_mem(const struct dtab *t);

/* nDPI (detect_ndpi.c) */
uint64_t det_ndpi_mem(const struct sensor *s, uint64_t *live_flows, uint64_t *pptp_found);
void det_ndpi_free(struct sensor *s);
void det_ndpi_inner(struct sensor *s, struct call *k, struct detect_call *dc, const struct pkt *p, uint64_t now);
void det_ndpi_fill(struct sensor *s, struct detect_call *dc, ev *e);
void det_ndpi_call_free(struct sensor *s, struct detect_call *dc);
int det_ndpi_other_tcp(struct sensor *s, const struct pkt *p, uint64_t now);

#endif
