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
