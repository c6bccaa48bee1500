/* test_gre_track.c - GRE sequence accounting: loss, reorder, duplicates, wrap. */
#include <criterion/criterion.h>
#include <string.h>

#include "gre_track.h"

static struct gre_dir feed(const uint32_t *seqs, int n)
{
    struct gre_dir d;
    memset(&d, 0, sizeof d);
    for (int i = 0; i < n; i++)
        gre_track_seq(&d, seqs[i]);
    return d;
}

Test(gre_track, in_order_counts_nothing)
{
    uint32_t s[] = {1, 2, 3, 4, 5};
    struct gre_dir d = feed(s, 5);
    cr_assert_eq(d.lost, 0);
    cr_assert_eq(d.reordered, 0);
    cr_assert_eq(d.duplicates, 0);
    cr_assert_eq(d.max_seq, 5);
}

Test(gre_track, gap_counts_lost)
{
    uint32_t s[] = {1, 2, 5, 6};
    struct gre_dir d = feed(s, 4);
    cr_assert_eq(d.lost, 2);
}

Test(gre_track, swapped_pair_is_one_reordering_not_lost)
{
    uint32_t s[] = {1, 3, 2, 4};
    struct gre_dir d = feed(s, 4);
    cr_assert_eq(d.reordered, 1);
    cr_assert_eq(d.lost, 0);
}

Test(gre_track, duplicate_of_old_and_current)
{
    uint32_t s[] = {1, 2, 2, 3, 1};
    struct gre_dir d = feed(s, 5);
    cr_assert_eq(d.duplicates, 2);
    cr_assert_eq(d.lost, 0);
}

Test(gre_track, wraps_at_32_bits)
{
    uint32_t s[] = {0xfffffffeu, 0xffffffffu, 0, 2, 1};
    struct gre_dir d = feed(s, 5);
    cr_assert_eq(d.lost, 0);
    cr_assert_eq(d.reordered, 1);
    cr_assert_eq(d.max_seq, 2);
}

Test(gre_track, far_values_are_out_of_window)
{
    uint32_t s[] = {1000, 2000, 10, 1000000};
    struct gre_dir d = feed(s, 4);
    cr_assert_eq(d.out_of_window, 2);
    cr_assert_eq(d.lost, 999);
    cr_assert_eq(d.max_seq, 2000);
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
