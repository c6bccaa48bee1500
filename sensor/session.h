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

/* A call's entry in the GRE table (one per direction; container_of gives the call). */
struct gre_link {
    struct gre_link *next;
    uint16_t call_id; /* copy of the key's Call ID: a chain walk reads only links */
    uint8_t dir;      /* DIR_CLIENT: key of packets the client sends */
    uint8_t in;       /* chained in the table */
};

/* One call = one PPP session. Kept small: see docs/performance.md. */
struct call {
    /* first cache lines: what the GRE lookup and per-packet accounting touch
     * (up to CALL_HOT_BYTES; tables.c prefetches them when the lookup hits) */
    struct gre_link gre_link[2];  /* GRE table entries, [dir of the packets they match] */
    sn_addr client_ip, server_ip;  /* GRE endpoints: PNS, PAC */
    uint16_t pns_call_id, pac_call_id;
    uint8_t have_pns_id, have_pac_id;
    uint8_t state;                 /* enum call_state */
    uint8_t partial;
    /* (cold, placed here to fill what would be padding) */
    uint16_t serial;
    uint8_t incoming;              /* ICRQ rather than OCRQ */
    uint8_t teardown_initiator;    /* 0 unknown, 1 client, 2 server, 3 sensor */
    uint8_t cdn_result;            /* CDN result code (valid when cdn_seen) */
    uint8_t cdn_seen;
    uint64_t last_ns, last_data_ns;
    struct call *lru_prev, *lru_next; /* activity list, oldest first, for expiry */
    struct detect_call *det;       /* DETECT: rule state, allocated on first need */
    struct gre_dir gre[2];         /* by sender */
    struct pppneg ppp;             /* its data-plane fields first: still hot */
    /* the rest: control-plane facts */
    struct call *ctrl_next;       /* calls of the same control connection */
    struct call *im_prev, *im_next;   /* interim list, by next interim time */
    struct ctrl_conn *ctrl;       /* NULL for a GRE-only (partial) session */
    uint64_t session_id;
    uint64_t start_ns, end_ns;
    uint64_t next_interim_ns;
    uint8_t lcp_terminated;
    uint8_t cleared;               /* CCRQ seen */
    uint32_t connect_speed;
    uint16_t window[2];            /* receive window of each side */
    uint32_t frag_count, frag_fragments;
};

/* Bytes at the start of struct call that a data packet touches (call fields,
 * GRE counters, the PPP tracker's data plane with cp[] and lcp[]). */
#define CALL_HOT_BYTES (offsetof(struct call, ppp) + offsetof(struct pppneg, lcp) + 2 * sizeof(struct pppneg_lcp_side))

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
