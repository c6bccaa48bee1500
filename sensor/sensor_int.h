/*
 * sensor_int.h - the sensor's internal state, shared by the pipeline's files
 * (sensor.c, ctrl.c, call.c, emit.c). Not for use outside sensor/.
 */
#ifndef PPTP_SENSOR_INT_H
#define PPTP_SENSOR_INT_H

#include "community_id.h"
#include "detect.h"
#include "dispatch.h"
#include "event.h"
#include "ip_defrag.h"
#include "pptp_ctrl.h"
#include "sensor.h"
#include "session.h"
#include "sink.h"

#define NS_PER_SEC 1000000000ull

/* SCCRQ/SCCRP facts held only until control_connect is emitted. */
struct ctrl_info {
    uint8_t have_rq, have_rp;
    struct pptp_sccrq rq;
    struct pptp_sccrp rp;
};

enum teardown_reason {
    TD_USER_REQUEST, TD_IDLE_TIMEOUT, TD_ADMIN, TD_NETWORK_ERROR, TD_PROTOCOL_FAILURE,
    TD_AUTH_FAILURE, TD_LOST_CARRIER, TD_TCP_RESET, TD_SENSOR_EXPIRED, TD_SENSOR_SHUTDOWN,
};
enum { INIT_UNKNOWN = 0, INIT_CLIENT = 1, INIT_SERVER = 2, INIT_SENSOR = 3 };

/* Why a call is ending, as seen by whoever ends it (the reason actually reported
 * applies the contract's precedence: idle, auth failure, LCP never opened first). */
struct call_end {
    enum teardown_reason cause;
    uint8_t initiator;
};

/* A call found idle (call_collect_idle). */
struct call_idle {
    uint64_t last_ns;  /* its latest activity */
    uint32_t pos;      /* its place in the activity list (the tie-break) */
    uint32_t slot;
};

struct sensor {
    const struct sensor_config *cfg;
    struct sink_set *sinks;
    struct sensor_stats st;
    ev ev;
    uint64_t seq;            /* event.sequence */
    uint64_t now;            /* latest packet time */
    uint64_t first_ns;
    uint64_t next_tick;
    uint64_t next_stats;
    uint64_t id_counter;
    bool finished;
    /* control connections, hashed by (client ip, server ip) */
    struct ctrl_conn **ctrl_tab;
    uint32_t ctrl_mask;
    uint64_t n_ctrl;
    struct ctrl_conn *ctrl_lru_head, *ctrl_lru_tail;
    /* calls: in slab slots; found by (GRE destination, Call ID), each call twice,
     * in an open-addressing table of 8-byte entries (tables.c) */
    struct call_slab calls;
    uint64_t *gre_slots;
    uint32_t gre_mask;
    uint64_t n_gre;
    uint32_t call_lru_head, call_lru_tail; /* slots (1 + index), 0 none; see call_touch_data */
    struct call_idle *idle;                /* call_collect_idle's result buffer */
    size_t idle_cap;
    struct call *im_head, *im_tail;
    uint64_t n_calls;
    /* GRE nobody owns, by address pair (bounded) */
    struct unowned_pair *unowned;
    uint32_t n_unowned, unowned_cap;
    ip_defrag *defrag;
    tcp_stream_limits tcp_lim;
    uint64_t tcp_mem;        /* bytes held by all control-stream reassembly */
    uint64_t tcp_memcap;
    struct pkt pkt;
    struct community_id_memo cid_memo; /* events repeat their flows' Community IDs */
    /* emit.c: per class, the envelope every event starts from (emit_begin) */
    ev envelope[EV_CLASS_COUNT];
    uint8_t envelope_ready[EV_CLASS_COUNT];
    struct detect *det;     /* DETECT: alerts, fragmentation events, nDPI (detect.h) */
    bool det_gre_every;     /* DETECT: detect_on_gre() wants every GRE packet, not only the
                             * out-of-window ones and those from a third address */
};

/* ---- tables (tables.c) ---- */
int tables_init(struct sensor *s);
void tables_free(struct sensor *s);
struct ctrl_conn *ctrl_find(struct sensor *s, const sn_addr *cli, const sn_addr *srv, uint16_t cport, uint16_t sport);
/* Most recent control connection between two addresses (either orientation). */
struct ctrl_conn *ctrl_find_pair(struct sensor *s, const sn_addr *a, const sn_addr *b);
void ctrl_insert(struct sensor *s, struct ctrl_conn *c);
void ctrl_remove(struct sensor *s, struct ctrl_conn *c);
void ctrl_touch(struct sensor *s, struct ctrl_conn *c);
/* dir: DIR_CLIENT = the key used by packets the client sends (PAC address, PAC Call ID). */
/* The call a GRE packet from src to dst with this Call ID belongs to (one hash lookup). */
struct call *gre_find(struct sensor *s, const sn_addr *src, const sn_addr *dst, uint16_t call_id, int *dir);
void gre_insert(struct sensor *s, struct call *k, int dir);
void gre_remove(struct sensor *s, struct call *k, int dir);
/* The activity list (least recent first) is kept by window of activity, not
 * by the last packet: a data frame moves its call to the tail only when it is
 * the call's first data frame in a new window of 2^CALL_ACT_SHIFT ns (~1.07 s);
 * any other activity always moves it.  The list is then ordered by the window
 * of each call's latest activity (call_last_ns), and relinking, which writes
 * two random calls' lines, is done about once a second per call rather than
 * per packet.  Expiry and shutdown sort the calls they end by their latest
 * activity (call_collect_idle), so events come out in the exact order. */
#define CALL_ACT_SHIFT 30
/* Move k to the tail of the activity list (it was active now). */
void call_touch(struct sensor *s, struct call *k);
/* A data frame of k at time now (now >= the previous one): record it, and
 * relink k if it is the first of a new activity window. */
static inline void call_touch_data(struct sensor *s, struct call *k, uint64_t now)
{
    uint64_t prev = k->last_data_ns;
    k->last_data_ns = now;
    if ((prev ^ now) >> CALL_ACT_SHIFT)
        call_touch(s, k);
}
/* Collect into s->idle the calls whose latest activity is at or before lim,
 * ordered by that time (ties: activity-list order); their number.  Stops
 * early (the rest waits for the next call) if the buffer cannot grow.  Owns
 * nothing: the entries name slots of live calls until one is ended. */
size_t call_collect_idle(struct sensor *s, uint64_t lim);
/* Calls by slot reference (1 + index, 0 none), e.g. the activity list's links. */
static inline struct call *call_ref(const struct sensor *s, uint32_t ref)
{
    return ref ? call_slab_get(&s->calls, ref - 1) : NULL;
}
static inline struct call *call_lru_oldest(const struct sensor *s) { return call_ref(s, s->call_lru_head); }
static inline struct call *call_lru_newer(const struct sensor *s, const struct call *k) { return call_ref(s, k->lru_next); }
void call_lists_add(struct sensor *s, struct call *k);
void call_lists_remove(struct sensor *s, struct call *k);
void interim_requeue(struct sensor *s, struct call *k);
uint64_t sensor_new_id(struct sensor *s, uint64_t a, uint64_t b);

/* ---- control connections (ctrl.c) ---- */
void ctrl_tcp(struct sensor *s, const struct pkt *p, uint64_t now);
void ctrl_close(struct sensor *s, struct ctrl_conn *c, const char *reason, uint8_t initiator, uint64_t now);

/* ---- calls (call.c) ---- */
struct call *call_new(struct sensor *s, struct ctrl_conn *c, uint64_t now);
void call_set_ids(struct sensor *s, struct call *k, int have_pns, uint16_t pns, int have_pac, uint16_t pac);
void call_end(struct sensor *s, struct call *k, struct call_end why, uint64_t now);
void call_gre(struct sensor *s, const struct pkt *p, uint64_t now, bool reassembled, uint32_t frags);
void call_interim(struct sensor *s, struct call *k, uint64_t now);

/* ---- events (emit.c) ---- */
ev *emit_begin(struct sensor *s, ev_class cls, const char *action, uint64_t ts_ns, const char *level);
void emit_ctrl_identity(struct sensor *s, ev *e, const struct ctrl_conn *c);
void emit_call_identity(struct sensor *s, ev *e, const struct call *k);
void emit_call_counters(struct sensor *s, ev *e, const struct call *k);
void emit_send(struct sensor *s, ev *e);
void id_hex(uint64_t id, char out[17]);
const char *teardown_reason_name(enum teardown_reason r);

#endif
