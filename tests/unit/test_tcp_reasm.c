/* test_tcp_reasm.c - per-direction TCP stream reassembly (decoders/tcp_reasm.c). */
#include <criterion/criterion.h>
#include <stdlib.h>
#include <string.h>

#include "anomaly.h"
#include "tcp_reasm.h"

#define SYN TCP_STREAM_SYN
#define FIN TCP_STREAM_FIN
#define RST TCP_STREAM_RST

/* Everything the consumer has read, in order. */
typedef struct sink {
    uint8_t *b;
    size_t len, cap;
} sink;

static void drain(tcp_stream *st, sink *s)
{
    const uint8_t *p;
    size_t n;
    if (!tcp_stream_peek(st, &p, &n))
        return;
    if (s->len + n > s->cap) {
        s->cap = (s->len + n) * 2;
        s->b = realloc(s->b, s->cap);
    }
    memcpy(s->b + s->len, p, n);
    s->len += n;
    tcp_stream_consume(st, n);
}

static size_t add(tcp_stream *st, uint32_t seq, uint8_t flags, const void *p, size_t n, anomaly_set *an)
{
    return tcp_stream_add(st, seq, flags, p, n, 0, an);
}

static void ready_eq(const tcp_stream *st, const void *want, size_t n)
{
    const uint8_t *p;
    size_t len;
    tcp_stream_peek(st, &p, &len);
    cr_assert_eq(len, n, "ready %zu bytes, want %zu", len, n);
    if (n)
        cr_assert_eq(memcmp(p, want, n), 0, "ready bytes differ");
}

Test(tcp_reasm, in_order_after_syn)
{
    tcp_stream st;
    tcp_stream_init(&st, NULL);
    anomaly_set an;
    anomaly_clear(&an);
    cr_assert_eq(tcp_stream_get_state(&st), TCP_STREAM_NONE);
    cr_assert_eq(add(&st, 1000, SYN, NULL, 0, &an), 0);
    cr_assert_eq(tcp_stream_get_state(&st), TCP_STREAM_OPEN);
    cr_assert_eq(tcp_stream_next_seq(&st), 1001);
    cr_assert_not(tcp_stream_resync_needed(&st), "a stream seen from its SYN starts on a message boundary");
    cr_assert_eq(add(&st, 1001, 0, "hello ", 6, &an), 6);
    cr_assert_eq(add(&st, 1007, 0, "world", 5, &an), 5);
    ready_eq(&st, "hello world", 11);
    tcp_stream_consume(&st, 6);
    ready_eq(&st, "world", 5);
    tcp_stream_consume(&st, 100); /* clamped */
    ready_eq(&st, "", 0);
    const tcp_stream_stats *s = tcp_stream_get_stats(&st);
    cr_assert_eq(s->segments, 3);
    cr_assert_eq(s->bytes_delivered, 11);
    cr_assert_eq(s->retransmits + s->overlaps + s->gaps + s->ooo_segments, 0);
    cr_assert_not(anomaly_any(&an));
    tcp_stream_destroy(&st);
}

Test(tcp_reasm, in_order_drained_each_time_allocates_once)
{
    tcp_stream st;
    tcp_stream_init(&st, NULL);
    uint8_t seg[1460];
    memset(seg, 'x', sizeof seg);
    add(&st, 0, SYN, NULL, 0, NULL);
    uint32_t seq = 1;
    add(&st, seq, 0, seg, sizeof seg, NULL);
    seq += sizeof seg;
    tcp_stream_consume(&st, sizeof seg);
    const uint8_t *buf0 = st.buf;
    size_t mem0 = tcp_stream_mem(&st);
    for (int i = 0; i < 1000; i++) {
        cr_assert_eq(add(&st, seq, 0, seg, sizeof seg, NULL), sizeof seg);
        seq += sizeof seg;
        tcp_stream_consume(&st, sizeof seg);
    }
    cr_assert_eq(st.buf, buf0, "the ready buffer is reused");
    cr_assert_eq(tcp_stream_mem(&st), mem0);
    cr_assert_leq(mem0, 2048);
    tcp_stream_destroy(&st);
}

Test(tcp_reasm, out_of_order_held_until_gap_fills)
{
    tcp_stream st;
    tcp_stream_init(&st, NULL);
    anomaly_set an;
    anomaly_clear(&an);
    add(&st, 99, SYN, NULL, 0, &an);
    cr_assert_eq(tcp_stream_add(&st, 110, 0, (const uint8_t *)"KLMNO", 5, 5000, &an), 0);
    cr_assert_eq(tcp_stream_add(&st, 105, 0, (const uint8_t *)"FGHIJ", 5, 6000, &an), 0);
    cr_assert_eq(tcp_stream_ooo_bytes(&st), 10);
    cr_assert_eq(tcp_stream_hole_age(&st, 9000), 4000, "age counts from the first held segment");
    ready_eq(&st, "", 0);
    cr_assert_eq(tcp_stream_add(&st, 100, 0, (const uint8_t *)"ABCDE", 5, 7000, &an), 15);
    ready_eq(&st, "ABCDEFGHIJKLMNO", 15);
    cr_assert_eq(tcp_stream_ooo_bytes(&st), 0);
    cr_assert_eq(tcp_stream_hole_age(&st, 9000), 0);
    cr_assert_eq(tcp_stream_get_stats(&st)->ooo_segments, 2);
    cr_assert_eq(tcp_stream_get_stats(&st)->ooo_bytes_peak, 10);
    cr_assert_not(anomaly_any(&an), "reordering is normal traffic");
    tcp_stream_destroy(&st);
}

Test(tcp_reasm, retransmissions_are_counted_and_dropped)
{
    tcp_stream st;
    tcp_stream_init(&st, NULL);
    anomaly_set an;
    anomaly_clear(&an);
    add(&st, 0, SYN, NULL, 0, &an);
    add(&st, 1, 0, "abcd", 4, &an);
    cr_assert_eq(add(&st, 1, 0, "abcd", 4, &an), 0, "delivered segment again");
    add(&st, 9, 0, "ijkl", 4, &an);
    cr_assert_eq(add(&st, 9, 0, "ijkl", 4, &an), 0, "held segment again");
    cr_assert_eq(add(&st, 5, 0, "efgh", 4, &an), 8);
    cr_assert_eq(add(&st, 3, 0, "cdef", 4, &an), 0, "wholly inside delivered data");
    ready_eq(&st, "abcdefghijkl", 12);
    cr_assert_eq(tcp_stream_get_stats(&st)->retransmits, 3);
    cr_assert_eq(tcp_stream_get_stats(&st)->overlaps, 0);
    cr_assert_not(anomaly_any(&an));
    /* a retransmission whose bytes differ from what was delivered is suspicious */
    cr_assert_eq(add(&st, 1, 0, "abXd", 4, &an), 0);
    cr_assert(anomaly_has(&an, ANOMALY_REASM_TCP_OVERLAP_CONFLICT));
    ready_eq(&st, "abcdefghijkl", 12);
    tcp_stream_destroy(&st);
}

Test(tcp_reasm, partial_overlap_first_data_wins)
{
    tcp_stream st;
    tcp_stream_init(&st, NULL);
    anomaly_set an;
    anomaly_clear(&an);
    add(&st, 0, SYN, NULL, 0, &an);
    add(&st, 1, 0, "AAAAAAAAAA", 10, &an);
    /* overlaps delivered [6,11) with other bytes, then adds [11,16) */
    cr_assert_eq(add(&st, 6, 0, "BBBBBBBBBB", 10, &an), 5);
    ready_eq(&st, "AAAAAAAAAABBBBB", 15);
    cr_assert(anomaly_has(&an, ANOMALY_REASM_TCP_OVERLAP));
    cr_assert(anomaly_has(&an, ANOMALY_REASM_TCP_OVERLAP_CONFLICT));
    cr_assert_eq(tcp_stream_get_stats(&st)->overlaps, 1);
    cr_assert_eq(tcp_stream_get_stats(&st)->overlap_conflicts, 1);

    /* overlap among held segments: held [26,31) 'H'; new [21,36) 'N' keeps the held bytes */
    anomaly_clear(&an);
    add(&st, 26, 0, "HHHHH", 5, &an);
    cr_assert_not(anomaly_any(&an));
    cr_assert_eq(add(&st, 21, 0, "NNNNNNNNNNNNNNN", 15, &an), 0);
    cr_assert(anomaly_has(&an, ANOMALY_REASM_TCP_OVERLAP));
    /* an in-order segment overlapping held data: held bytes win there too */
    cr_assert_eq(add(&st, 16, 0, "IIIIIIII", 8, &an), 20);
    ready_eq(&st, "AAAAAAAAAABBBBBIIIIINNNNNHHHHHNNNNN", 35);
    cr_assert_eq(tcp_stream_ooo_bytes(&st), 0);
    tcp_stream_destroy(&st);
}

Test(tcp_reasm, overlap_with_same_bytes_is_not_a_conflict)
{
    tcp_stream st;
    tcp_stream_init(&st, NULL);
    anomaly_set an;
    anomaly_clear(&an);
    add(&st, 0, SYN, NULL, 0, &an);
    add(&st, 1, 0, "abcdef", 6, &an);
    cr_assert_eq(add(&st, 4, 0, "defghi", 6, &an), 3);
    ready_eq(&st, "abcdefghi", 9);
    cr_assert(anomaly_has(&an, ANOMALY_REASM_TCP_OVERLAP));
    cr_assert_not(anomaly_has(&an, ANOMALY_REASM_TCP_OVERLAP_CONFLICT));
    tcp_stream_destroy(&st);
}

/* A toy framing like PPTP's: 2-byte big-endian total length (>= 3), then a
 * type byte.  Returns the number of complete messages taken from st. */
static int parse_messages(tcp_stream *st, char types[], int max)
{
    int n = 0;
    const uint8_t *p;
    size_t len;
    while (tcp_stream_peek(st, &p, &len) && len >= 2 && n < max) {
        size_t mlen = (size_t)p[0] << 8 | p[1];
        if (mlen < 3 || mlen > 64) { /* not a header: resync by one byte */
            tcp_stream_discard(st, 1);
            continue;
        }
        if (len < mlen)
            break;
        types[n++] = (char)p[2];
        tcp_stream_consume(st, mlen);
        tcp_stream_resync_done(st);
    }
    return n;
}

Test(tcp_reasm, two_messages_in_one_segment)
{
    tcp_stream st;
    tcp_stream_init(&st, NULL);
    add(&st, 5, SYN, NULL, 0, NULL);
    static const uint8_t seg[] = {0, 4, 'a', 1, 0, 5, 'b', 2, 2};
    cr_assert_eq(add(&st, 6, 0, seg, sizeof seg, NULL), sizeof seg);
    char t[4];
    cr_assert_eq(parse_messages(&st, t, 4), 2);
    cr_assert_eq(t[0], 'a');
    cr_assert_eq(t[1], 'b');
    ready_eq(&st, "", 0);
    tcp_stream_destroy(&st);
}

Test(tcp_reasm, one_message_across_three_segments)
{
    tcp_stream st;
    tcp_stream_init(&st, NULL);
    add(&st, 0, SYN, NULL, 0, NULL);
    uint8_t msg[40];
    memset(msg, 'z', sizeof msg);
    msg[0] = 0;
    msg[1] = sizeof msg;
    msg[2] = 'm';
    char t[4];
    add(&st, 1, 0, msg, 1, NULL);
    cr_assert_eq(parse_messages(&st, t, 4), 0);
    add(&st, 2, 0, msg + 1, 20, NULL);
    cr_assert_eq(parse_messages(&st, t, 4), 0);
    add(&st, 22, 0, msg + 21, 19, NULL);
    cr_assert_eq(parse_messages(&st, t, 4), 1);
    cr_assert_eq(t[0], 'm');
    ready_eq(&st, "", 0);
    tcp_stream_destroy(&st);
}

Test(tcp_reasm, gap_then_resync)
{
    tcp_stream st;
    tcp_stream_init(&st, NULL);
    anomaly_set an;
    anomaly_clear(&an);
    add(&st, 0, SYN, NULL, 0, &an);
    /* message 1 [1,6), message 2 [6,16) lost in the middle, message 3 [16,22) */
    static const uint8_t m1[] = {0, 5, 'a', 1, 1};
    static const uint8_t m2_tail[] = {2, 2, 2, 2, 2}; /* second half of message 2 */
    static const uint8_t m3[] = {0, 6, 'c', 3, 3, 3};
    char t[4];
    add(&st, 1, 0, m1, sizeof m1, &an);
    cr_assert_eq(parse_messages(&st, t, 4), 1);
    add(&st, 11, 0, m2_tail, sizeof m2_tail, &an);
    add(&st, 16, 0, m3, sizeof m3, &an);
    cr_assert_eq(parse_messages(&st, t, 4), 0);
    cr_assert_not(tcp_stream_resync_needed(&st));
    cr_assert_eq(tcp_stream_skip_gap(&st, &an), 5);
    cr_assert(tcp_stream_resync_needed(&st));
    cr_assert(anomaly_has(&an, ANOMALY_REASM_TCP_GAP));
    cr_assert_eq(tcp_stream_next_seq(&st), 22);
    /* the consumer discards the tail of message 2 and finds message 3 */
    cr_assert_eq(parse_messages(&st, t, 4), 1);
    cr_assert_eq(t[0], 'c');
    cr_assert_not(tcp_stream_resync_needed(&st));
    const tcp_stream_stats *s = tcp_stream_get_stats(&st);
    cr_assert_eq(s->gaps, 1);
    cr_assert_eq(s->bytes_skipped, 5);
    cr_assert_eq(s->bytes_discarded, 5);
    cr_assert_eq(tcp_stream_skip_gap(&st, &an), 0, "nothing held: nothing to skip");
    tcp_stream_destroy(&st);
}

Test(tcp_reasm, ack_beyond_and_skip_to)
{
    tcp_stream st;
    tcp_stream_init(&st, NULL);
    anomaly_set an;
    anomaly_clear(&an);
    cr_assert_not(tcp_stream_ack_beyond(&st, 12345), "not synced");
    add(&st, 100, SYN, NULL, 0, &an);
    cr_assert_not(tcp_stream_ack_beyond(&st, 101));
    add(&st, 101, 0, "0123456789", 10, &an);
    cr_assert_not(tcp_stream_ack_beyond(&st, 111));
    cr_assert_not(tcp_stream_ack_beyond(&st, 50), "old ack");
    cr_assert(tcp_stream_ack_beyond(&st, 112));
    /* [111,121) never captured, [121,126) held, [126,131) never captured */
    add(&st, 121, 0, "KLMNO", 5, &an);
    cr_assert(tcp_stream_ack_beyond(&st, 131));
    cr_assert_eq(tcp_stream_skip_to(&st, 131, &an), 15);
    ready_eq(&st, "0123456789KLMNO", 15);
    cr_assert_eq(tcp_stream_get_stats(&st)->gaps, 2);
    cr_assert_eq(tcp_stream_get_stats(&st)->bytes_skipped, 15);
    cr_assert_eq(tcp_stream_next_seq(&st), 131);
    cr_assert_not(tcp_stream_ack_beyond(&st, 131));
    cr_assert_eq(tcp_stream_skip_to(&st, 120, &an), 0, "behind: nothing to do");
    /* data that arrives late for the skipped range is old */
    cr_assert_eq(add(&st, 111, 0, "ABCDEFGHIJ", 10, &an), 0);
    cr_assert_eq(add(&st, 131, 0, "xyz", 3, &an), 3);
    tcp_stream_destroy(&st);
}

Test(tcp_reasm, sequence_wraparound)
{
    tcp_stream st;
    tcp_stream_init(&st, NULL);
    anomaly_set an;
    anomaly_clear(&an);
    add(&st, 0xfffffff0u, SYN, NULL, 0, &an);
    uint8_t data[64];
    for (int i = 0; i < 64; i++)
        data[i] = (uint8_t)i;
    uint32_t base = 0xfffffff1u;
    /* out of order across the wrap: [base+32, base+64) (past 0) first */
    add(&st, base + 32, 0, data + 32, 32, &an);
    add(&st, base + 16, 0, data + 16, 16, &an); /* 0x1 .. 0x11 */
    cr_assert_eq(tcp_stream_ooo_bytes(&st), 48);
    cr_assert_eq(add(&st, base, 0, data, 16, &an), 64);
    ready_eq(&st, data, 64);
    cr_assert_eq(tcp_stream_next_seq(&st), base + 64);
    cr_assert_eq(tcp_stream_next_seq(&st), 0x31u);
    /* a retransmission from before the wrap is recognised as old */
    cr_assert_eq(add(&st, base, 0, data, 16, &an), 0);
    cr_assert_eq(tcp_stream_get_stats(&st)->retransmits, 1);
    cr_assert(tcp_stream_ack_beyond(&st, 0x32u));
    cr_assert_not(tcp_stream_ack_beyond(&st, 0xfffffff5u));
    cr_assert_not(anomaly_any(&an));
    tcp_stream_destroy(&st);
}

Test(tcp_reasm, mid_stream_start)
{
    tcp_stream st;
    tcp_stream_init(&st, NULL);
    cr_assert_eq(add(&st, 777777, 0, "middle", 6, NULL), 6);
    ready_eq(&st, "middle", 6);
    cr_assert(tcp_stream_resync_needed(&st), "no SYN: message boundaries are unknown");
    cr_assert(st.midstream);
    cr_assert_eq(tcp_stream_next_seq(&st), 777783);
    /* the earlier segment arriving late is treated as old */
    cr_assert_eq(add(&st, 777770, 0, "1234567", 7, NULL), 0);
    tcp_stream_destroy(&st);
}

Test(tcp_reasm, syn_after_empty_midstream_pickup_is_adopted)
{
    tcp_stream st;
    tcp_stream_init(&st, NULL);
    add(&st, 501, 0, NULL, 0, NULL); /* pure ACK seen first */
    add(&st, 500, SYN, NULL, 0, NULL);
    cr_assert_not(tcp_stream_resync_needed(&st));
    cr_assert_eq(add(&st, 501, 0, "ab", 2, NULL), 2);
    tcp_stream_destroy(&st);
}

Test(tcp_reasm, syn_with_other_isn_is_anomalous)
{
    tcp_stream st;
    tcp_stream_init(&st, NULL);
    anomaly_set an;
    anomaly_clear(&an);
    add(&st, 10, SYN, NULL, 0, &an);
    add(&st, 10, SYN, NULL, 0, &an); /* retransmitted SYN: fine */
    cr_assert_not(anomaly_any(&an));
    add(&st, 5000, SYN, NULL, 0, &an);
    cr_assert(anomaly_has(&an, ANOMALY_REASM_TCP_SYN_MISMATCH));
    cr_assert_eq(tcp_stream_next_seq(&st), 11);
    tcp_stream_destroy(&st);
}

Test(tcp_reasm, fin_ends_stream_after_all_data)
{
    tcp_stream st;
    tcp_stream_init(&st, NULL);
    anomaly_set an;
    anomaly_clear(&an);
    add(&st, 0, SYN, NULL, 0, &an);
    add(&st, 1, 0, "abc", 3, &an);
    /* FIN with data arrives before the segment in between */
    add(&st, 7, FIN, "ghi", 3, &an);
    cr_assert_eq(tcp_stream_get_state(&st), TCP_STREAM_FIN_SEEN);
    cr_assert_not(tcp_stream_finished(&st));
    add(&st, 4, 0, "def", 3, &an);
    cr_assert(tcp_stream_finished(&st));
    cr_assert_str_eq(tcp_stream_state_name(tcp_stream_get_state(&st)), "closed");
    ready_eq(&st, "abcdefghi", 9);
    cr_assert_not(anomaly_any(&an));
    /* the FIN occupies sequence number 10: an ACK of 11 is not beyond */
    cr_assert_not(tcp_stream_ack_beyond(&st, 11));
    cr_assert(tcp_stream_ack_beyond(&st, 12));
    /* data after the FIN is dropped */
    cr_assert_eq(add(&st, 10, 0, "zz", 2, &an), 0);
    cr_assert(anomaly_has(&an, ANOMALY_REASM_TCP_DATA_AFTER_FIN));
    cr_assert_eq(tcp_stream_get_stats(&st)->bytes_after_fin, 2);
    /* a FIN retransmitted: fine; a FIN elsewhere: anomaly */
    anomaly_clear(&an);
    add(&st, 7, FIN, "ghi", 3, &an);
    add(&st, 10, FIN, NULL, 0, &an);
    cr_assert_not(anomaly_any(&an));
    add(&st, 12, FIN, NULL, 0, &an);
    cr_assert(anomaly_has(&an, ANOMALY_REASM_TCP_FIN_MISMATCH));
    tcp_stream_destroy(&st);
}

Test(tcp_reasm, fin_drops_held_data_beyond_it)
{
    tcp_stream st;
    tcp_stream_init(&st, NULL);
    anomaly_set an;
    anomaly_clear(&an);
    add(&st, 0, SYN, NULL, 0, &an);
    add(&st, 11, 0, "0123456789", 10, &an); /* held [11,21) */
    add(&st, 1, FIN, "abcdefghij", 10, &an); /* FIN at 11 */
    cr_assert(tcp_stream_finished(&st));
    ready_eq(&st, "abcdefghij", 10);
    cr_assert_eq(tcp_stream_ooo_bytes(&st), 0);
    cr_assert(anomaly_has(&an, ANOMALY_REASM_TCP_DATA_AFTER_FIN));
    tcp_stream_destroy(&st);
}

Test(tcp_reasm, rst_aborts)
{
    tcp_stream st;
    tcp_stream_init(&st, NULL);
    add(&st, 0, SYN, NULL, 0, NULL);
    add(&st, 1, 0, "abc", 3, NULL);
    add(&st, 10, 0, "held", 4, NULL);
    add(&st, 4, RST, NULL, 0, NULL);
    cr_assert(tcp_stream_aborted(&st));
    cr_assert_eq(tcp_stream_ooo_bytes(&st), 0, "held data is freed");
    cr_assert_eq(add(&st, 4, 0, "defghi", 6, NULL), 0, "ignored after RST");
    cr_assert_eq(tcp_stream_get_stats(&st)->ignored, 1);
    ready_eq(&st, "abc", 3); /* what was delivered remains readable */
    cr_assert_not(tcp_stream_ack_beyond(&st, 1000));
    cr_assert_eq(tcp_stream_skip_gap(&st, NULL), 0);
    tcp_stream_destroy(&st);
}

Test(tcp_reasm, ooo_flood_never_exceeds_limits)
{
    tcp_stream_limits lim = {.max_ooo_bytes = 4096, .max_ooo_segs = 16, .max_ready_bytes = 8192};
    tcp_stream st;
    tcp_stream_init(&st, &lim);
    anomaly_set an;
    anomaly_clear(&an);
    add(&st, 0, SYN, NULL, 0, &an);
    uint8_t seg[500];
    memset(seg, 's', sizeof seg);
    unsigned seed = 7;
    size_t max_mem = 0;
    for (int i = 0; i < 20000; i++) {
        /* far-ahead segments with holes between them: never in order */
        uint32_t seq = tcp_stream_next_seq(&st) + 1 + (uint32_t)(rand_r(&seed) % 100000);
        add(&st, seq, 0, seg, 1 + (size_t)rand_r(&seed) % sizeof seg, &an);
        cr_assert_leq(tcp_stream_ooo_bytes(&st), lim.max_ooo_bytes);
        cr_assert_leq(st.ooo_segs, lim.max_ooo_segs);
        cr_assert_leq(st.rd_len, lim.max_ready_bytes);
        size_t m = tcp_stream_mem(&st);
        if (m > max_mem)
            max_mem = m;
    }
    cr_assert_leq(max_mem, lim.max_ready_bytes + lim.max_ooo_bytes + lim.max_ooo_segs * 32);
    cr_assert(anomaly_has(&an, ANOMALY_REASM_TCP_OOO_LIMIT));
    cr_assert(anomaly_has(&an, ANOMALY_REASM_TCP_GAP));
    cr_assert(anomaly_has(&an, ANOMALY_REASM_TCP_BUFFER_FULL), "nobody consumed");
    cr_assert_gt(tcp_stream_get_stats(&st)->gaps, 100);
    cr_assert_leq(tcp_stream_get_stats(&st)->ooo_bytes_peak, lim.max_ooo_bytes);
    tcp_stream_destroy(&st);
}

Test(tcp_reasm, ready_buffer_full_drops_oldest)
{
    tcp_stream_limits lim = {.max_ready_bytes = 100};
    tcp_stream st;
    tcp_stream_init(&st, &lim);
    anomaly_set an;
    anomaly_clear(&an);
    add(&st, 0, SYN, NULL, 0, &an);
    uint8_t data[300];
    for (int i = 0; i < 300; i++)
        data[i] = (uint8_t)i;
    add(&st, 1, 0, data, 60, &an);
    cr_assert_not(anomaly_any(&an));
    add(&st, 61, 0, data + 60, 60, &an); /* 120 > 100: the oldest 20 go */
    cr_assert(anomaly_has(&an, ANOMALY_REASM_TCP_BUFFER_FULL));
    cr_assert(tcp_stream_resync_needed(&st));
    ready_eq(&st, data + 20, 100);
    add(&st, 121, 0, data + 120, 180, &an); /* larger than the whole buffer */
    ready_eq(&st, data + 200, 100);
    cr_assert_eq(tcp_stream_get_stats(&st)->bytes_dropped, 200);
    cr_assert_eq(tcp_stream_get_stats(&st)->bytes_delivered, 300);
    cr_assert_leq(tcp_stream_mem(&st), 100);
    tcp_stream_destroy(&st);
}

Test(tcp_reasm, oversized_segment_ignored)
{
    tcp_stream st;
    tcp_stream_init(&st, NULL);
    static uint8_t one;
    add(&st, 0, SYN, NULL, 0, NULL);
    cr_assert_eq(tcp_stream_add(&st, 1, 0, &one, (size_t)TCP_STREAM_MAX_SEGMENT + 1, 0, NULL), 0);
    cr_assert_eq(tcp_stream_get_stats(&st)->ignored, 1);
    tcp_stream_destroy(&st);
}

/* Random stream cut into random segments, re-sent with other boundaries,
 * duplicated and locally shuffled: the consumer must read the original bytes. */
typedef struct seg {
    uint32_t off, len;
} seg;

Test(tcp_reasm, randomised_shuffle_with_duplicates)
{
    unsigned seed = 4242;
    for (int round = 0; round < 300; round++) {
        size_t total = 1 + (size_t)rand_r(&seed) % 30000;
        uint8_t *data = malloc(total);
        for (size_t i = 0; i < total; i++)
            data[i] = (uint8_t)rand_r(&seed);
        /* two independent segmentations (original and a re-segmented retransmit) */
        size_t cap = 2 * total + 16, n = 0;
        seg *segs = malloc(cap * sizeof *segs);
        for (int pass = 0; pass < 2; pass++) {
            size_t off = 0;
            while (off < total) {
                size_t len = 1 + (size_t)rand_r(&seed) % 1460;
                if (len > total - off)
                    len = total - off;
                if (pass == 0 || rand_r(&seed) % 4 == 0)
                    segs[n++] = (seg){(uint32_t)off, (uint32_t)len};
                off += len;
            }
        }
        /* order mostly by offset, with random displacement up to ~8 KB */
        uint32_t *key = malloc(n * sizeof *key);
        for (size_t i = 0; i < n; i++)
            key[i] = segs[i].off + (uint32_t)(rand_r(&seed) % 8192);
        for (size_t i = 1; i < n; i++) { /* insertion sort by key */
            seg s = segs[i];
            uint32_t k = key[i];
            size_t j = i;
            while (j > 0 && key[j - 1] > k) {
                segs[j] = segs[j - 1];
                key[j] = key[j - 1];
                j--;
            }
            segs[j] = s;
            key[j] = k;
        }
        tcp_stream st;
        tcp_stream_init(&st, NULL);
        anomaly_set an;
        anomaly_clear(&an);
        uint32_t isn = (uint32_t)rand_r(&seed) * 2654435761u; /* any ISN, wraps sometimes */
        add(&st, isn, SYN, NULL, 0, &an);
        sink out = {0};
        for (size_t i = 0; i < n; i++) {
            add(&st, isn + 1 + segs[i].off, 0, data + segs[i].off, segs[i].len, &an);
            if (rand_r(&seed) % 3 == 0) /* the consumer is sometimes slow */
                drain(&st, &out);
        }
        add(&st, isn + 1 + (uint32_t)total, FIN, NULL, 0, &an);
        drain(&st, &out);
        cr_assert(tcp_stream_finished(&st), "round %d", round);
        cr_assert_eq(out.len, total, "round %d: %zu of %zu bytes", round, out.len, total);
        cr_assert_eq(memcmp(out.b, data, total), 0, "round %d: bytes differ", round);
        cr_assert_not(anomaly_has(&an, ANOMALY_REASM_TCP_OVERLAP_CONFLICT));
        cr_assert_not(anomaly_has(&an, ANOMALY_REASM_TCP_GAP));
        cr_assert_eq(tcp_stream_get_stats(&st)->bytes_delivered, total);
        cr_assert_eq(tcp_stream_ooo_bytes(&st), 0);
        tcp_stream_destroy(&st);
        free(out.b);
        free(key);
        free(segs);
        free(data);
    }
}
