/*
 * tcp_reasm.h - one direction of a TCP byte stream (RFC 9293 sequence space) put
 * back in order for a consumer that parses messages (the PPTP control
 * connection).  The sensor keeps two tcp_stream per connection.
 *
 * The engine knows nothing of PPTP: it turns segments (seq, flags, payload) into a
 * contiguous "ready" buffer the consumer reads with tcp_stream_peek() and
 * releases with tcp_stream_consume().  When bytes are lost (a gap the capture
 * missed, or data dropped because the consumer does not keep up) it sets the
 * "resync needed" flag; the consumer then searches the ready bytes for the next
 * valid message header, dropping junk with tcp_stream_discard(), and clears the
 * flag with tcp_stream_resync_done().
 *
 * Policies (see docs/decoders/reassembly.md):
 *   - overlaps: the bytes received first win (held or delivered bytes are never
 *     replaced).  A segment wholly inside data already received is a
 *     retransmission (counted, not an anomaly); a partial overlap is
 *     reasm.tcp_overlap, and reasm.tcp_overlap_conflict when the overlapping
 *     bytes differ from those still available for comparison.
 *   - the first segment seen without SYN starts the stream at its sequence number
 *     (mid-stream pickup; resync needed).
 *   - out-of-order data beyond limits.max_ooo_bytes / max_ooo_segs forces a gap:
 *     the stream jumps to the first held segment.
 *   - more than limits.max_ready_bytes undelivered: the oldest ready bytes are
 *     dropped (reasm.tcp_buffer_full, resync needed).
 *
 * No I/O, no clock (now_ns is the packet timestamp), no globals.  Memory: the
 * ready buffer (allocated once, grown up to max_ready_bytes, then reused) plus
 * held out-of-order segments (one allocation each, bounded by the limits).
 */
#ifndef PPTP_TCP_REASM_H
#define PPTP_TCP_REASM_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "anomaly.h"

/* Flag bits for tcp_stream_add: the TCP header's own bit positions, so the raw
 * flags byte can be passed (other bits are ignored). */
#define TCP_STREAM_FIN 0x01
#define TCP_STREAM_SYN 0x02
#define TCP_STREAM_RST 0x04

/* Largest payload accepted in one segment (bigger ones are ignored). */
#define TCP_STREAM_MAX_SEGMENT (1u << 24)

/* Ceiling for each limit below (larger values are lowered to it). */
#define TCP_STREAM_LIMIT_CEILING (1u << 30)

/* Limits; a zero field means "use the default". */
typedef struct tcp_stream_limits {
    uint32_t max_ooo_bytes;   /* out-of-order payload held: 64 KiB */
    uint32_t max_ooo_segs;    /* out-of-order pieces held: 256 */
    uint32_t max_ready_bytes; /* delivered but not yet consumed: 64 KiB */
} tcp_stream_limits;

typedef struct tcp_stream_stats {
    uint64_t segments;          /* tcp_stream_add calls */
    uint64_t bytes_delivered;   /* bytes appended to the ready buffer, in order */
    uint64_t retransmits;       /* segments wholly inside data already received */
    uint64_t overlaps;          /* segments partially overlapping received data */
    uint64_t overlap_conflicts; /* ... with different bytes */
    uint64_t ooo_segments;      /* segments held out of order */
    uint64_t gaps;              /* times the stream skipped missing bytes */
    uint64_t bytes_skipped;     /* sequence space skipped by gaps */
    uint64_t bytes_dropped;     /* ready bytes dropped because the buffer was full */
    uint64_t bytes_discarded;   /* ready bytes the consumer discarded (resync) */
    uint64_t bytes_after_fin;   /* payload beyond the FIN, dropped */
    uint64_t ignored;           /* segments after RST, oversized segments */
    uint32_t ooo_bytes_peak;    /* most out-of-order payload held at once */
    uint32_t ready_bytes_peak;  /* most undelivered ready bytes at once */
} tcp_stream_stats;

typedef enum tcp_stream_state {
    TCP_STREAM_NONE = 0, /* no segment yet */
    TCP_STREAM_OPEN,     /* sequence known, receiving */
    TCP_STREAM_FIN_SEEN, /* FIN seen, bytes before it still missing */
    TCP_STREAM_CLOSED,   /* every byte up to the FIN delivered */
    TCP_STREAM_RESET,    /* RST seen: aborted, later segments ignored */
} tcp_stream_state;

typedef struct tcp_seg tcp_seg; /* held out-of-order piece (private) */

/* Small and embeddable; treat the fields as private and use the functions. */
typedef struct tcp_stream {
    tcp_stream_limits lim;
    uint8_t state;        /* tcp_stream_state */
    bool synced;          /* next_seq is meaningful */
    bool have_isn;        /* synced from a SYN */
    bool midstream;       /* synced from a segment without SYN */
    bool fin_seen;
    bool resync;          /* bytes were lost: consumer must re-find a message boundary */
    uint32_t isn;
    uint32_t next_seq;    /* sequence number of the next byte to deliver */
    uint32_t fin_seq;     /* sequence number the FIN occupies */
    uint8_t *buf;         /* ready bytes are buf[rd_off .. rd_off+rd_len) */
    uint32_t buf_cap, rd_off, rd_len;
    uint32_t rd_contig;   /* trailing ready bytes contiguous with next_seq */
    uint32_t ooo_bytes, ooo_segs;
    tcp_seg *ooo;         /* held pieces, sorted, disjoint, all beyond next_seq */
    uint64_t hole_since_ns;
    uint64_t last_seen_ns;
    tcp_stream_stats stats;
} tcp_stream;

/* Fill lim with the defaults. */
void tcp_stream_limits_default(tcp_stream_limits *lim);

/* Initialise st (lim may be NULL for defaults).  Allocates nothing. */
void tcp_stream_init(tcp_stream *st, const tcp_stream_limits *lim);
/* Free everything st holds; st may be initialised again afterwards. */
void tcp_stream_destroy(tcp_stream *st);

/* Feed one segment of this direction seen at now_ns: its sequence number, flags
 * (TCP_STREAM_SYN/FIN/RST bits) and payload (copied; only read during the call;
 * may be NULL when len is 0).  Anomalies go to an (may be NULL).
 * Returns the number of bytes appended to the ready buffer by this call. */
size_t tcp_stream_add(tcp_stream *st, uint32_t seq, uint8_t flags, const uint8_t *payload, size_t len,
                      uint64_t now_ns, anomaly_set *an);

/* The ready bytes: *ptr and *len point into st, valid until the next call that
 * changes st.  Returns true when len > 0. */
bool tcp_stream_peek(const tcp_stream *st, const uint8_t **ptr, size_t *len);
/* Release the first n ready bytes (clamped to what is ready). */
void tcp_stream_consume(tcp_stream *st, size_t n);
/* Same as consume, counted as discarded (junk skipped while resyncing). */
void tcp_stream_discard(tcp_stream *st, size_t n);

/* Declare the missing bytes before the first held out-of-order segment lost:
 * jump to it and deliver what follows.  Returns bytes skipped (0: nothing held). */
size_t tcp_stream_skip_gap(tcp_stream *st, anomaly_set *an);
/* Declare everything before seq lost (e.g. seq = an ACK from the other direction
 * that tcp_stream_ack_beyond() flagged).  Held data before seq is still delivered;
 * only the holes count as skipped.  Returns bytes skipped. */
size_t tcp_stream_skip_to(tcp_stream *st, uint32_t seq, anomaly_set *an);
/* True when ack (an acknowledgment number seen in the other direction) covers
 * sequence space beyond what this stream has delivered: the peer received bytes
 * the capture did not show us (yet). */
bool tcp_stream_ack_beyond(const tcp_stream *st, uint32_t ack);

/* Resync flag: set on mid-stream pickup, gaps and dropped ready bytes. */
static inline bool tcp_stream_resync_needed(const tcp_stream *st) { return st->resync; }
static inline void tcp_stream_resync_done(tcp_stream *st) { st->resync = false; }

static inline tcp_stream_state tcp_stream_get_state(const tcp_stream *st) { return (tcp_stream_state)st->state; }
/* Every byte up to the FIN is in the ready buffer. */
static inline bool tcp_stream_finished(const tcp_stream *st) { return st->state == TCP_STREAM_CLOSED; }
static inline bool tcp_stream_aborted(const tcp_stream *st) { return st->state == TCP_STREAM_RESET; }
static inline uint32_t tcp_stream_next_seq(const tcp_stream *st) { return st->next_seq; }
static inline const tcp_stream_stats *tcp_stream_get_stats(const tcp_stream *st) { return &st->stats; }
/* Out-of-order payload bytes held now. */
static inline uint32_t tcp_stream_ooo_bytes(const tcp_stream *st) { return st->ooo_bytes; }
/* How long (ns) out-of-order data has been waiting for a hole to fill; 0 when
 * nothing is held.  The sensor calls tcp_stream_skip_gap when this grows old. */
uint64_t tcp_stream_hole_age(const tcp_stream *st, uint64_t now_ns);
/* Heap bytes held by st (ready buffer capacity + held segments + bookkeeping). */
size_t tcp_stream_mem(const tcp_stream *st);

/*
 * Parking: an idle stream (nothing ready, nothing held) reduces to a few words,
 * so a tracker holding many long-lived, mostly silent connections can free the
 * full tcp_stream between messages.  Statistics are not kept across a park.
 */
typedef struct tcp_stream_park {
    uint32_t next_seq;
    uint32_t fin_seq;
    uint8_t state;
    uint8_t flags; /* synced, have_isn, midstream, fin_seen */
} tcp_stream_park;

/* True when st holds no bytes (ready or out of order) and is not resyncing. */
bool tcp_stream_parkable(const tcp_stream *st);
/* Save st's position into pk (st is left unchanged; destroy it afterwards). */
void tcp_stream_park_save(const tcp_stream *st, tcp_stream_park *pk);
/* Initialise st with lim and restore the position saved in pk. */
void tcp_stream_park_restore(tcp_stream *st, const tcp_stream_limits *lim, const tcp_stream_park *pk);
/* A segment of len (> 0) payload bytes at seq, without SYN, FIN or RST, that a
 * stream restored from pk (with limits lim, NULL: defaults) would simply append
 * to its ready bytes: the stream is open, synced, has seen no FIN, seq is its
 * next byte and len is below the ready-bytes limit.  Then advance pk past the
 * segment, as restoring, adding the segment, consuming all of it and parking
 * again would, and return true: the caller uses the bytes in place.  Otherwise
 * return false and leave pk unchanged (take the ordinary path). */
bool tcp_stream_park_advance(tcp_stream_park *pk, const tcp_stream_limits *lim, uint32_t seq, size_t len);
/* Stable name of a state: "none", "open", "fin_seen", "closed", "reset". */
const char *tcp_stream_state_name(tcp_stream_state s);

#endif
