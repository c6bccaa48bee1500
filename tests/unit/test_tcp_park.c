/* test_tcp_park.c - parking an idle TCP stream keeps its position exactly. */
#include <criterion/criterion.h>
#include <string.h>

#include "tcp_reasm.h"

Test(tcp_park, parked_stream_continues_in_sequence)
{
    tcp_stream st;
    tcp_stream_init(&st, NULL);
    const uint8_t a[] = "hello", b[] = "world";
    tcp_stream_add(&st, 999, TCP_STREAM_SYN, NULL, 0, 1, NULL);
    tcp_stream_add(&st, 1000, 0, a, 5, 2, NULL);
    const uint8_t *p;
    size_t n;
    cr_assert(tcp_stream_peek(&st, &p, &n));
    cr_assert_eq(n, 5);
    cr_assert_not(tcp_stream_parkable(&st), "ready bytes pending");
    tcp_stream_consume(&st, n);
    cr_assert(tcp_stream_parkable(&st));
    tcp_stream_park pk;
    tcp_stream_park_save(&st, &pk);
    tcp_stream_destroy(&st);

    tcp_stream back;
    tcp_stream_park_restore(&back, NULL, &pk);
    cr_assert_eq(tcp_stream_next_seq(&back), 1005);
    /* a retransmission of the parked bytes is not delivered again */
    tcp_stream_add(&back, 1000, 0, a, 5, 3, NULL);
    cr_assert_not(tcp_stream_peek(&back, &p, &n) && n > 0);
    tcp_stream_add(&back, 1005, 0, b, 5, 4, NULL);
    cr_assert(tcp_stream_peek(&back, &p, &n));
    cr_assert_eq(n, 5);
    cr_assert_eq(memcmp(p, "world", 5), 0);
    tcp_stream_destroy(&back);
}

Test(tcp_park, held_out_of_order_data_is_not_parkable)
{
    tcp_stream st;
    tcp_stream_init(&st, NULL);
    const uint8_t a[] = "abc";
    tcp_stream_add(&st, 99, TCP_STREAM_SYN, NULL, 0, 1, NULL);
    tcp_stream_add(&st, 200, 0, a, 3, 2, NULL);
    cr_assert_not(tcp_stream_parkable(&st));
    tcp_stream_destroy(&st);
}

static bool park_eq(const tcp_stream_park *a, const tcp_stream_park *b)
{
    return a->next_seq == b->next_seq && a->fin_seq == b->fin_seq && a->state == b->state && a->flags == b->flags;
}

/* Park of a stream fed seg (seq, flags, len bytes) after a SYN at 999 and
 * consumed, as the sensor does between messages. */
static tcp_stream_park park_after(uint32_t seq, uint8_t flags, size_t len, const tcp_stream_limits *lim)
{
    static const uint8_t data[300];
    tcp_stream st;
    tcp_stream_init(&st, lim);
    tcp_stream_add(&st, 999, TCP_STREAM_SYN, NULL, 0, 1, NULL);
    if (len || flags)
        tcp_stream_add(&st, seq, flags, data, len, 2, NULL);
    const uint8_t *p;
    size_t n;
    if (tcp_stream_peek(&st, &p, &n))
        tcp_stream_consume(&st, n);
    tcp_stream_park pk;
    tcp_stream_park_save(&st, &pk);
    tcp_stream_destroy(&st);
    return pk;
}

Test(tcp_park, advance_matches_restore_add_consume_park)
{
    tcp_stream_park base = park_after(0, 0, 0, NULL);
    tcp_stream_park pk = base;
    cr_assert(tcp_stream_park_advance(&pk, NULL, 1000, 156));
    tcp_stream_park want = park_after(1000, 0, 156, NULL);
    cr_assert(park_eq(&pk, &want));
    /* anything else leaves the park alone: the caller takes the stream path */
    pk = base;
    cr_assert_not(tcp_stream_park_advance(&pk, NULL, 1001, 156), "not the next byte");
    cr_assert_not(tcp_stream_park_advance(&pk, NULL, 1000, 0), "no payload");
    tcp_stream_limits small = {.max_ready_bytes = 100};
    cr_assert_not(tcp_stream_park_advance(&pk, &small, 1000, 156), "beyond the ready-bytes limit");
    cr_assert(park_eq(&pk, &base));
    tcp_stream_park fin = park_after(1000, TCP_STREAM_FIN, 10, NULL);
    cr_assert_not(tcp_stream_park_advance(&fin, NULL, 1010, 5), "after a FIN");
    tcp_stream_park fresh = {0};
    cr_assert_not(tcp_stream_park_advance(&fresh, NULL, 0, 5), "never synced");
}
