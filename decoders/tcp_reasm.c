/*
 * tcp_reasm.c - per-direction TCP stream reassembly (RFC 9293 sequence numbers,
 * modulo 2^32 comparisons); see tcp_reasm.h for the API and policies.
 *
 * Sequence numbers are compared through signed 32-bit differences, so the stream
 * crosses 0xffffffff -> 0 transparently.  Held out-of-order pieces are kept
 * disjoint and sorted (a new segment is cut into the holes it fills), and all of
 * them lie strictly beyond next_seq: whenever next_seq moves, drain_held()
 * delivers every piece that became contiguous.
 */
#include "tcp_reasm.h"

#include <stdlib.h>
#include <string.h>

#include "names.h"

struct tcp_seg {
    struct tcp_seg *next;
    uint32_t seq, len;
    uint8_t data[];
};

#define MIN_BUF 2048u

void tcp_stream_limits_default(tcp_stream_limits *lim)
{
    lim->max_ooo_bytes = 64u << 10;
    lim->max_ooo_segs = 256;
    lim->max_ready_bytes = 64u << 10;
}

void tcp_stream_init(tcp_stream *st, const tcp_stream_limits *lim)
{
    memset(st, 0, sizeof *st);
    tcp_stream_limits_default(&st->lim);
    if (lim) {
        if (lim->max_ooo_bytes)
            st->lim.max_ooo_bytes = lim->max_ooo_bytes;
        if (lim->max_ooo_segs)
            st->lim.max_ooo_segs = lim->max_ooo_segs;
        if (lim->max_ready_bytes)
            st->lim.max_ready_bytes = lim->max_ready_bytes;
    }
    /* keep every sum of two sizes far from 2^32 */
    if (st->lim.max_ooo_bytes > TCP_STREAM_LIMIT_CEILING)
        st->lim.max_ooo_bytes = TCP_STREAM_LIMIT_CEILING;
    if (st->lim.max_ready_bytes > TCP_STREAM_LIMIT_CEILING)
        st->lim.max_ready_bytes = TCP_STREAM_LIMIT_CEILING;
    if (st->lim.max_ooo_segs > TCP_STREAM_LIMIT_CEILING)
        st->lim.max_ooo_segs = TCP_STREAM_LIMIT_CEILING;
}

static void free_held(tcp_stream *st)
{
    tcp_seg *s = st->ooo;
    while (s) {
        tcp_seg *n = s->next;
        free(s);
        s = n;
    }
    st->ooo = NULL;
    st->ooo_bytes = st->ooo_segs = 0;
}

void tcp_stream_destroy(tcp_stream *st)
{
    free_held(st);
    free(st->buf);
    st->buf = NULL;
    st->buf_cap = st->rd_off = st->rd_len = 0;
}

bool tcp_stream_parkable(const tcp_stream *st)
{
    return st->rd_len == 0 && st->ooo == NULL && !st->resync;
}

void tcp_stream_park_save(const tcp_stream *st, tcp_stream_park *pk)
{
    pk->next_seq = st->next_seq;
    pk->fin_seq = st->fin_seq;
    pk->state = st->state;
    pk->flags = (uint8_t)((st->synced ? 1 : 0) | (st->have_isn ? 2 : 0) | (st->midstream ? 4 : 0) |
                          (st->fin_seen ? 8 : 0));
}

void tcp_stream_park_restore(tcp_stream *st, const tcp_stream_limits *lim, const tcp_stream_park *pk)
{
    tcp_stream_init(st, lim);
    st->next_seq = pk->next_seq;
    st->fin_seq = pk->fin_seq;
    st->state = pk->state;
    st->synced = (pk->flags & 1) != 0;
    st->have_isn = (pk->flags & 2) != 0;
    st->midstream = (pk->flags & 4) != 0;
    st->fin_seen = (pk->flags & 8) != 0;
}

bool tcp_stream_park_advance(tcp_stream_park *pk, const tcp_stream_limits *lim, uint32_t seq, size_t len)
{
    tcp_stream_limits l;
    tcp_stream_limits_default(&l);
    if (lim && lim->max_ready_bytes)
        l.max_ready_bytes = lim->max_ready_bytes < TCP_STREAM_LIMIT_CEILING ? lim->max_ready_bytes
                                                                           : TCP_STREAM_LIMIT_CEILING;
    /* what tcp_stream_add() would do: no SYN/RST/FIN handling, no mid-stream
     * pickup, nothing held, and deliver() neither drops nor flags a resync */
    if (len == 0 || len >= l.max_ready_bytes || pk->state != TCP_STREAM_OPEN || !(pk->flags & 1) ||
        (pk->flags & 8) || seq != pk->next_seq)
        return false;
    pk->next_seq += (uint32_t)len;
    return true;
}

static const val_name state_names[] = {
    {TCP_STREAM_NONE, "none"},     {TCP_STREAM_OPEN, "open"},   {TCP_STREAM_FIN_SEEN, "fin_seen"},
    {TCP_STREAM_CLOSED, "closed"}, {TCP_STREAM_RESET, "reset"},
};

const char *tcp_stream_state_name(tcp_stream_state s) { return VAL_NAME(state_names, s, "unknown"); }

uint64_t tcp_stream_hole_age(const tcp_stream *st, uint64_t now)
{
    if (!st->ooo || now < st->hole_since_ns)
        return 0;
    return now - st->hole_since_ns;
}

size_t tcp_stream_mem(const tcp_stream *st)
{
    return (size_t)st->buf_cap + (size_t)st->ooo_segs * sizeof(tcp_seg) + st->ooo_bytes;
}

/* a - b as a signed distance in sequence space */
static inline int32_t seq_diff(uint32_t a, uint32_t b) { return (int32_t)(a - b); }

/* ---- ready buffer ------------------------------------------------------------ */

static void ready_drop_front(tcp_stream *st, uint32_t n, anomaly_set *an)
{
    if (n == 0)
        return;
    st->rd_off += n;
    st->rd_len -= n;
    if (st->rd_len == 0)
        st->rd_off = 0;
    if (st->rd_contig > st->rd_len)
        st->rd_contig = st->rd_len;
    st->stats.bytes_dropped += n;
    st->resync = true;
    anomaly_add(an, ANOMALY_REASM_TCP_BUFFER_FULL);
}

/* Append in-order bytes for the consumer; drops the oldest ready bytes rather
 * than exceed max_ready_bytes.  Advances next_seq by n. */
static void deliver(tcp_stream *st, const uint8_t *p, uint32_t n, anomaly_set *an)
{
    if (n == 0)
        return;
    st->next_seq += n;
    st->stats.bytes_delivered += n;
    uint32_t cap = st->lim.max_ready_bytes;
    if (n >= cap) { /* keep only the newest cap bytes */
        uint32_t lost = st->rd_len + (n - cap);
        st->rd_off = st->rd_len = st->rd_contig = 0;
        st->stats.bytes_dropped += lost;
        st->resync = true;
        anomaly_add(an, ANOMALY_REASM_TCP_BUFFER_FULL);
        p += n - cap;
        n = cap;
    } else if (st->rd_len + n > cap) {
        ready_drop_front(st, st->rd_len + n - cap, an);
    }
    uint32_t need = st->rd_len + n;
    if (st->rd_off + need > st->buf_cap) {
        if (need > st->buf_cap) {
            uint32_t nc = st->buf_cap ? st->buf_cap : MIN_BUF;
            while (nc < need)
                nc = nc > cap / 2 ? cap : nc * 2;
            if (nc > cap)
                nc = cap;
            uint8_t *nb = malloc(nc);
            if (!nb) { /* out of memory: lose the bytes, never overrun */
                st->stats.bytes_dropped += n;
                st->resync = true;
                st->rd_contig = 0;
                return;
            }
            if (st->rd_len)
                memcpy(nb, st->buf + st->rd_off, st->rd_len);
            free(st->buf);
            st->buf = nb;
            st->buf_cap = nc;
        } else if (st->rd_len) {
            memmove(st->buf, st->buf + st->rd_off, st->rd_len);
        }
        st->rd_off = 0;
    }
    memcpy(st->buf + st->rd_off + st->rd_len, p, n);
    st->rd_len += n;
    st->rd_contig += n;
    if (st->rd_len > st->stats.ready_bytes_peak)
        st->stats.ready_bytes_peak = st->rd_len;
}

bool tcp_stream_peek(const tcp_stream *st, const uint8_t **ptr, size_t *len)
{
    *ptr = st->rd_len ? st->buf + st->rd_off : NULL;
    *len = st->rd_len;
    return st->rd_len > 0;
}

void tcp_stream_consume(tcp_stream *st, size_t n)
{
    if (n > st->rd_len)
        n = st->rd_len;
    st->rd_off += (uint32_t)n;
    st->rd_len -= (uint32_t)n;
    if (st->rd_len == 0)
        st->rd_off = 0;
    if (st->rd_contig > st->rd_len)
        st->rd_contig = st->rd_len;
}

void tcp_stream_discard(tcp_stream *st, size_t n)
{
    if (n > st->rd_len)
        n = st->rd_len;
    st->stats.bytes_discarded += n;
    tcp_stream_consume(st, n);
}

/* Compare bytes [seq, seq+n) (all before next_seq) with what is still in the
 * ready buffer; true when some available byte differs.  Only the last rd_contig
 * ready bytes are known to be [next_seq - rd_contig, next_seq): older ones may
 * precede a gap. */
static bool differs_from_ready(const tcp_stream *st, uint32_t seq, const uint8_t *p, uint32_t n)
{
    uint32_t back = st->next_seq - seq; /* distance from seq to next_seq, >= n */
    if (back > st->rd_contig) {         /* the start is no longer available */
        uint32_t gone = back - st->rd_contig;
        if (gone >= n)
            return false;
        p += gone;
        n -= gone;
        back = st->rd_contig;
    }
    const uint8_t *r = st->buf + st->rd_off + (st->rd_len - back);
    return memcmp(r, p, n) != 0;
}

/* ---- held out-of-order pieces ------------------------------------------------ */

static void check_fin(tcp_stream *st)
{
    if (st->fin_seen && st->state == TCP_STREAM_FIN_SEEN && st->next_seq == st->fin_seq)
        st->state = TCP_STREAM_CLOSED;
}

/* Deliver every held piece that became contiguous with next_seq. */
static void drain_held(tcp_stream *st, anomaly_set *an)
{
    tcp_seg *s;
    while ((s = st->ooo) && seq_diff(s->seq, st->next_seq) <= 0) {
        uint32_t skip = st->next_seq - s->seq; /* 0 unless stale */
        if (skip < s->len)
            deliver(st, s->data + skip, s->len - skip, an);
        st->ooo = s->next;
        st->ooo_bytes -= s->len;
        st->ooo_segs--;
        free(s);
    }
    if (!st->ooo)
        st->hole_since_ns = 0;
    check_fin(st);
}

static void record_gap(tcp_stream *st, uint32_t target, anomaly_set *an)
{
    uint32_t n = target - st->next_seq;
    st->stats.gaps++;
    st->stats.bytes_skipped += n;
    st->rd_contig = 0; /* ready bytes now precede a hole */
    st->resync = true;
    anomaly_add(an, ANOMALY_REASM_TCP_GAP);
    st->next_seq = target;
    drain_held(st, an);
}

size_t tcp_stream_skip_gap(tcp_stream *st, anomaly_set *an)
{
    if (!st->ooo || st->state == TCP_STREAM_RESET)
        return 0;
    uint32_t n = st->ooo->seq - st->next_seq;
    record_gap(st, st->ooo->seq, an);
    return n;
}

size_t tcp_stream_skip_to(tcp_stream *st, uint32_t seq, anomaly_set *an)
{
    if (st->state == TCP_STREAM_RESET)
        return 0;
    if (!st->synced) {
        st->synced = true;
        st->midstream = true;
        st->resync = true;
        st->next_seq = seq;
        st->state = TCP_STREAM_OPEN;
        return 0;
    }
    if (st->fin_seen && seq_diff(seq, st->fin_seq) > 0)
        seq = st->fin_seq;
    size_t total = 0;
    while (seq_diff(seq, st->next_seq) > 0) {
        uint32_t target = seq;
        if (st->ooo && seq_diff(st->ooo->seq, seq) < 0)
            target = st->ooo->seq;
        total += target - st->next_seq;
        record_gap(st, target, an);
    }
    return total;
}

bool tcp_stream_ack_beyond(const tcp_stream *st, uint32_t ack)
{
    if (!st->synced || st->state == TCP_STREAM_RESET)
        return false;
    uint32_t lim = st->next_seq + (st->state == TCP_STREAM_CLOSED ? 1u : 0u);
    return seq_diff(ack, lim) > 0;
}

/* Overlap facts of [seq, seq+len) (at or beyond next_seq) against held pieces. */
typedef struct seg_class {
    uint32_t holes, hole_bytes;
    bool overlap, conflict, duplicate;
} seg_class;

static void classify_held(const tcp_stream *st, uint32_t seq, const uint8_t *p, uint32_t len, seg_class *c)
{
    memset(c, 0, sizeof *c);
    uint32_t base = st->next_seq;
    uint32_t rs = seq - base, re = rs + len, cur = rs;
    for (const tcp_seg *s = st->ooo; s; s = s->next) {
        uint32_t ss = s->seq - base, se = ss + s->len;
        if (se <= rs)
            continue;
        if (ss >= re)
            break;
        if (ss > cur) {
            c->holes++;
            c->hole_bytes += ss - cur;
        }
        uint32_t os = ss > rs ? ss : rs, oe = se < re ? se : re;
        c->overlap = true;
        if (memcmp(s->data + (os - ss), p + (os - rs), oe - os) != 0)
            c->conflict = true;
        else if (ss == rs && se == re)
            c->duplicate = true;
        cur = se;
    }
    if (cur < re) {
        c->holes++;
        c->hole_bytes += re - cur;
    }
}

/* Hold the holes of [seq, seq+len) (strictly beyond next_seq).  Limits were checked. */
static void hold(tcp_stream *st, uint32_t seq, const uint8_t *p, uint32_t len, uint64_t now)
{
    uint32_t base = st->next_seq;
    uint32_t rs = seq - base, re = rs + len, cur = rs;
    tcp_seg **link = &st->ooo;
    bool was_empty = st->ooo == NULL;
    while (cur < re) {
        tcp_seg *s = *link;
        uint32_t ss = s ? s->seq - base : 0, se = s ? ss + s->len : 0;
        if (s && se <= cur) {
            link = &s->next;
            continue;
        }
        uint32_t hole_end = (s && ss < re) ? ss : re;
        if (hole_end > cur) {
            uint32_t n = hole_end - cur;
            tcp_seg *ns = malloc(sizeof *ns + n);
            if (!ns)
                return; /* out of memory: the bytes are simply not held */
            ns->seq = base + cur;
            ns->len = n;
            memcpy(ns->data, p + (cur - rs), n);
            ns->next = s;
            *link = ns;
            link = &ns->next;
            st->ooo_bytes += n;
            st->ooo_segs++;
        }
        if (!s || ss >= re)
            break;
        cur = se;
        link = &s->next;
    }
    if (was_empty && st->ooo)
        st->hole_since_ns = now;
    if (st->ooo_bytes > st->stats.ooo_bytes_peak)
        st->stats.ooo_bytes_peak = st->ooo_bytes;
}

/* Deliver a segment that starts exactly at next_seq, interleaving held pieces:
 * where a held piece covers part of the segment the held bytes win. */
static void deliver_at_next(tcp_stream *st, const uint8_t *p, uint32_t len, anomaly_set *an)
{
    uint32_t start = st->next_seq, end = start + len;
    while (seq_diff(end, st->next_seq) > 0) {
        uint32_t cur = st->next_seq;
        uint32_t upto = end;
        if (st->ooo && seq_diff(st->ooo->seq, end) < 0)
            upto = st->ooo->seq;
        deliver(st, p + (cur - start), upto - cur, an);
        drain_held(st, an); /* next_seq may now be beyond end */
    }
    check_fin(st);
}

static void process(tcp_stream *st, uint32_t seq, const uint8_t *p, uint32_t len, uint64_t now,
                    anomaly_set *an)
{
    bool first = true, overlap_counted = false;
    for (;;) {
        if (seq_diff(seq, st->next_seq) < 0) { /* starts before next_seq */
            uint32_t old = st->next_seq - seq;
            uint32_t n_old = old < len ? old : len;
            if (first && differs_from_ready(st, seq, p, n_old)) {
                st->stats.overlap_conflicts++;
                anomaly_add(an, ANOMALY_REASM_TCP_OVERLAP_CONFLICT);
            }
            if (old >= len) {
                if (first)
                    st->stats.retransmits++;
                return;
            }
            if (first) {
                st->stats.overlaps++;
                anomaly_add(an, ANOMALY_REASM_TCP_OVERLAP);
                overlap_counted = true;
            }
            seq += old;
            p += old;
            len -= old;
        }
        seg_class c;
        classify_held(st, seq, p, len, &c);
        if (first) {
            if (c.duplicate) {
                st->stats.retransmits++;
                return;
            }
            if (c.overlap && !overlap_counted) {
                if (c.holes == 0) {
                    st->stats.retransmits++; /* wholly inside held data */
                } else {
                    st->stats.overlaps++;
                    anomaly_add(an, ANOMALY_REASM_TCP_OVERLAP);
                }
            }
            if (c.conflict) {
                st->stats.overlap_conflicts++;
                anomaly_add(an, ANOMALY_REASM_TCP_OVERLAP_CONFLICT);
            }
        }
        first = false;
        if (seq == st->next_seq) {
            deliver_at_next(st, p, len, an);
            return;
        }
        if (c.holes == 0)
            return;
        if (st->ooo_bytes + c.hole_bytes <= st->lim.max_ooo_bytes &&
            st->ooo_segs + c.holes <= st->lim.max_ooo_segs) {
            st->stats.ooo_segments++;
            hold(st, seq, p, len, now);
            return;
        }
        /* Too much held: declare the oldest hole lost and try again. */
        anomaly_add(an, ANOMALY_REASM_TCP_OOO_LIMIT);
        if (st->ooo)
            record_gap(st, st->ooo->seq, an);
        else
            record_gap(st, seq, an);
    }
}

/* Drop held bytes at or beyond the FIN. */
static void trim_held_after_fin(tcp_stream *st, anomaly_set *an)
{
    uint32_t lim = st->fin_seq - st->next_seq; /* FIN offset from next_seq */
    tcp_seg **link = &st->ooo;
    while (*link) {
        tcp_seg *s = *link;
        uint32_t ss = s->seq - st->next_seq;
        if (ss >= lim) {
            *link = s->next;
            st->stats.bytes_after_fin += s->len;
            st->ooo_bytes -= s->len;
            st->ooo_segs--;
            anomaly_add(an, ANOMALY_REASM_TCP_DATA_AFTER_FIN);
            free(s);
            continue;
        }
        if (ss + s->len > lim) {
            uint32_t cut = ss + s->len - lim;
            s->len -= cut;
            st->ooo_bytes -= cut;
            st->stats.bytes_after_fin += cut;
            anomaly_add(an, ANOMALY_REASM_TCP_DATA_AFTER_FIN);
        }
        link = &s->next;
    }
    if (!st->ooo)
        st->hole_since_ns = 0;
}

size_t tcp_stream_add(tcp_stream *st, uint32_t seq, uint8_t flags, const uint8_t *p, size_t len, uint64_t now,
                      anomaly_set *an)
{
    st->stats.segments++;
    st->last_seen_ns = now;
    if (!p)
        len = 0;
    if (st->state == TCP_STREAM_RESET || len > TCP_STREAM_MAX_SEGMENT) {
        st->stats.ignored++;
        return 0;
    }
    uint64_t before = st->stats.bytes_delivered;

    if (flags & TCP_STREAM_SYN) {
        if (st->have_isn) {
            if (seq != st->isn) {
                anomaly_add(an, ANOMALY_REASM_TCP_SYN_MISMATCH);
                st->stats.ignored++;
                return 0;
            }
            if (len == 0)
                st->stats.retransmits++;
        } else if (!st->synced || (st->stats.bytes_delivered == 0 && !st->ooo && st->rd_len == 0)) {
            /* first SYN, or a mid-stream pickup that has produced nothing yet */
            st->synced = st->have_isn = true;
            st->midstream = false;
            st->resync = false;
            st->isn = seq;
            st->next_seq = seq + 1;
            if (st->state == TCP_STREAM_NONE)
                st->state = TCP_STREAM_OPEN;
        }
        seq += 1; /* the SYN occupies one sequence number; data follows it */
    }
    if (!st->synced) { /* mid-stream pickup */
        st->synced = true;
        st->midstream = true;
        st->resync = true;
        st->next_seq = seq;
        st->state = TCP_STREAM_OPEN;
    }
    if (flags & TCP_STREAM_RST) {
        st->state = TCP_STREAM_RESET;
        free_held(st);
        st->hole_since_ns = 0;
        return 0;
    }
    uint32_t n = (uint32_t)len;
    if (flags & TCP_STREAM_FIN) {
        uint32_t f = seq + n;
        if (!st->fin_seen) {
            /* a FIN before data already delivered cannot move the end back */
            if (seq_diff(f, st->next_seq) < 0)
                f = st->next_seq;
            st->fin_seen = true;
            st->fin_seq = f;
            if (st->state == TCP_STREAM_OPEN)
                st->state = TCP_STREAM_FIN_SEEN;
            trim_held_after_fin(st, an);
        } else if (f != st->fin_seq) {
            anomaly_add(an, ANOMALY_REASM_TCP_FIN_MISMATCH);
        }
    }
    if (st->fin_seen && n) {
        int32_t over = seq_diff(seq + n, st->fin_seq);
        if (over > 0) {
            uint32_t cut = (uint32_t)over < n ? (uint32_t)over : n;
            n -= cut;
            st->stats.bytes_after_fin += cut;
            anomaly_add(an, ANOMALY_REASM_TCP_DATA_AFTER_FIN);
        }
    }
    if (n)
        process(st, seq, p, n, now, an);
    check_fin(st);
    return (size_t)(st->stats.bytes_delivered - before);
}
