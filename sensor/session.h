/*
 * session.h - the sensor's state: control connections (TCP/1723) and calls (one
 * PPP session each), with the tables that find them.
 *
 * A control connection is keyed by its TCP 4-tuple and owns any number of calls.
 * A call is found from a GRE packet by (destination address, Call ID in the GRE
 * key): PNS-to-PAC packets carry the PAC's Call ID, PAC-to-PNS packets the PNS's.
 * Each call is therefore in the GRE table twice, once per direction.
 */
#ifndef PPTP_SENSOR_SESSION_H
#define PPTP_SENSOR_SESSION_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "addr.h"
#include "call_slab.h"
#include "gre_track.h"
#include "pppneg.h"
#include "tcp_reasm.h"

enum ctrl_state {
    CTRL_STATE_UNKNOWN = 0,     /* picked up mid-stream */
    CTRL_STATE_WAIT_REPLY,      /* SCCRQ seen */
    CTRL_STATE_ESTABLISHED,     /* SCCRP success */
    CTRL_STATE_REFUSED,         /* SCCRP failure */
    CTRL_STATE_STOPPING,        /* StopCCRQ seen */
    CTRL_STATE_CLOSED,
};

enum call_state {
    CALL_STATE_PARTIAL = 0,     /* GRE seen without its call request */
    CALL_STATE_WAIT_REPLY,      /* OCRQ/ICRQ seen */
    CALL_STATE_WAIT_CONNECT,    /* ICRP seen, waiting for ICCN */
    CALL_STATE_ESTABLISHED,
    CALL_STATE_CLEARING,        /* CCRQ seen */
    CALL_STATE_DOWN,
};

enum sn_dir { DIR_CLIENT = 0, DIR_SERVER = 1 }; /* sender: client = PNS, server = PAC */

struct ctrl_conn;
struct detect_call;

struct detect_ctrl;

/* One call = one PPP session, in a slot of the call slab (call_slab.h).  Kept small
 * (docs/performance.md): the per-packet fields come first and fill exactly three
 * cache lines, so with thousands of calls interleaved a data packet touches
 * three lines of its call and the table slot that found it, and the hot lines of
 * all calls (192 bytes each) stay cache resident.  Calls are referred to by
 * slot (1 + index, 0 none) where a reference sits in those lines. */
struct call {
    /* line 0: what the GRE lookup checks, and the activity list */
    _Alignas(64) sn_addr client_ip;
    sn_addr server_ip;             /* GRE endpoints: PNS, PAC */
    uint16_t pns_call_id, pac_call_id;
    uint8_t have_pns_id : 1, have_pac_id : 1;
    uint8_t partial : 1;           /* GRE seen before (or without) its call's set-up */
    uint8_t state;                 /* enum call_state */
    uint16_t mru_limit[2];         /* PPP information limit of frames sent by d (the receiver's MRU); 0: LCP not open */
    uint32_t slot;                 /* index in the call slab (the activity list's links name slots) */
    uint64_t last_data_ns;         /* latest data frame (IP or compressed) */
    uint32_t lru_prev, lru_next;   /* activity list (slots), least recent first, for expiry */
    /* lines 1-2 */
    struct gre_dir gre[2];         /* by sender */
    struct pppneg ppp;             /* its 32-byte data plane ends line 2 */
    /* the rest: control-plane facts, counted anomalies */
    uint64_t last_other_ns;        /* latest other packet (control, GRE without data); see call_last_ns() */
    struct detect_call *det;       /* DETECT: rule state, allocated on first need */
    struct gre_errs gre_err[2];    /* by sender */
    struct call *ctrl_next;        /* calls of the same control connection */
    struct call *im_prev, *im_next;   /* interim list, by next interim time */
    struct ctrl_conn *ctrl;        /* NULL for a GRE-only (partial) session */
    uint64_t session_id;
    uint64_t start_ns, end_ns;
    uint64_t next_interim_ns;
    uint32_t connect_speed;
    uint16_t serial;               /* call serial number (OCRQ/ICRQ) */
    uint32_t frag_count, frag_fragments;
    uint16_t window[2];            /* receive window of each side */
    uint8_t incoming;              /* ICRQ rather than OCRQ */
    uint8_t teardown_initiator;    /* 0 unknown, 1 client, 2 server, 3 sensor */
    uint8_t cdn_result;            /* CDN result code (valid when cdn_seen) */
    uint8_t cdn_seen;
    uint8_t cleared;               /* CCRQ seen */
    uint8_t gre_in;                /* bit dir: in the GRE table under that direction's key */
};
_Static_assert(offsetof(struct call, gre) == 64 && offsetof(struct call, ppp) == 160 && offsetof(struct call, slot) < 64,
               "the per-packet fields of struct call fill lines 0-2");

/* Bytes at the start of struct call that a data packet touches. */
#define CALL_HOT_BYTES (offsetof(struct call, ppp) + offsetof(struct pppneg, ip_frames))

/* Latest activity of the call (any packet). */
static inline uint64_t call_last_ns(const struct call *k)
{
    return k->last_data_ns > k->last_other_ns ? k->last_data_ns : k->last_other_ns;
}

/* The call in slot idx (see call_slab.h). */
static inline struct call *call_slab_get(const struct call_slab *sl, uint32_t idx)
{
    return sl->chunks[idx >> CALL_SLAB_CHUNK_BITS] + (idx & (CALL_SLAB_CHUNK - 1));
}

struct ctrl_conn {
    struct ctrl_conn *next;       /* table chain */
    struct ctrl_conn *lru_prev, *lru_next;
    struct call *calls;
    uint64_t control_id;
    uint64_t start_ns, last_ns;
    sn_addr client_ip, server_ip;
    uint16_t client_port, server_port;
    uint8_t state;                /* enum ctrl_state */
    uint8_t mid_stream;           /* start not seen */
    uint8_t connect_emitted;
    uint8_t closed_by;            /* 0, 1 client, 2 server */
    uint8_t fin[2], rst;
    uint16_t stop_reason;         /* StopCCRQ reason, 0 none */
    uint16_t n_calls;
    uint32_t msgs[2];             /* control messages per direction */
    struct tcp_stream *stream[2]; /* per direction, allocated while bytes are in flight */
    tcp_stream_park park[2];      /* position of a parked (freed) idle stream */
    uint8_t parked[2];
    struct ctrl_info *info;       /* SCCRQ facts until control_connect is emitted */
    struct detect_ctrl *det;      /* DETECT: rule state, allocated on first need */
};

#endif
