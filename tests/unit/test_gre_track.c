/* test_gre_track.c - GRE sequence accounting: loss, reorder, duplicates, wrap. */
#include <criterion/criterion.h>
#include <string.h>

#include "gre_track.h"

/* Both halves of a direction's state: the hot fields and the error counters. */
struct track {
    struct gre_dir d;
    struct gre_errs x;
};

static struct track feed(const uint32_t *seqs, int n)
{
    struct track t;
    memset(&t, 0, sizeof t);
    for (int i = 0; i < n; i++)
        gre_track_seq(&t.d, &t.x, seqs[i]);
    return t;
}

Test(gre_track, in_order_counts_nothing)
{
    uint32_t s[] = {1, 2, 3, 4, 5};
    struct track t = feed(s, 5);
    cr_assert_eq(t.x.lost, 0);
    cr_assert_eq(t.x.reordered, 0);
    cr_assert_eq(t.x.duplicates, 0);
    cr_assert_eq(t.d.max_seq, 5);
}

Test(gre_track, gap_counts_lost)
{
    uint32_t s[] = {1, 2, 5, 6};
    struct track t = feed(s, 4);
    cr_assert_eq(t.x.lost, 2);
}

Test(gre_track, swapped_pair_is_one_reordering_not_lost)
{
    uint32_t s[] = {1, 3, 2, 4};
    struct track t = feed(s, 4);
    cr_assert_eq(t.x.reordered, 1);
    cr_assert_eq(t.x.lost, 0);
}

Test(gre_track, duplicate_of_old_and_current)
{
    uint32_t s[] = {1, 2, 2, 3, 1};
    struct track t = feed(s, 5);
    cr_assert_eq(t.x.duplicates, 2);
    cr_assert_eq(t.x.lost, 0);
}

Test(gre_track, wraps_at_32_bits)
{
    uint32_t s[] = {0xfffffffeu, 0xffffffffu, 0, 2, 1};
    struct track t = feed(s, 5);
    cr_assert_eq(t.x.lost, 0);
    cr_assert_eq(t.x.reordered, 1);
    cr_assert_eq(t.d.max_seq, 2);
}

Test(gre_track, far_values_are_out_of_window)
{
    uint32_t s[] = {1000, 2000, 10, 1000000};
    struct track t = feed(s, 4);
    cr_assert_eq(t.x.out_of_window, 2);
    cr_assert_eq(t.x.lost, 999);
    cr_assert_eq(t.d.max_seq, 2000);
}

Test(gre_track, ack_tracks_highest_with_wrap)
{
    struct gre_dir d;
    memset(&d, 0, sizeof d);
    gre_track_ack(&d, 0xfffffff0u);
    gre_track_ack(&d, 5);
    gre_track_ack(&d, 3);
    cr_assert_eq(d.last_ack, 5);
}

Test(gre_track, in_order_never_touches_the_error_counters)
{
    /* the per-packet path relies on it: in-order numbers write only struct gre_dir */
    struct gre_dir d;
    memset(&d, 0, sizeof d);
    struct gre_errs x;
    memset(&x, 0xa5, sizeof x);
    struct gre_errs before = x;
    for (uint32_t s = 0xfffffff0u; s != 20; s++)
        cr_assert(gre_track_seq(&d, &x, s) <= GRE_SEQ_IN_ORDER);
    cr_assert_eq(memcmp(&x, &before, sizeof x), 0);
    cr_assert_eq(d.max_seq, 19);
}

Test(gre_track, small_counters_saturate)
{
    struct track t;
    memset(&t, 0, sizeof t);
    gre_track_seq(&t.d, &t.x, 7);
    t.x.duplicates = UINT32_MAX - 1;
    gre_track_seq(&t.d, &t.x, 7);
    gre_track_seq(&t.d, &t.x, 7);
    cr_assert_eq(t.x.duplicates, UINT32_MAX);
}
