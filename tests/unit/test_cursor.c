/* test_cursor.c - the bounds-checked cursor and writer. */
#include <criterion/criterion.h>
#include <string.h>

#include "anomaly.h"
#include "cursor.h"
#include "names.h"

Test(cursor, reads_big_endian_values)
{
    static const uint8_t b[] = {0x12, 0x34, 0x56, 0x78, 0x9a, 0xbc, 0xde, 0xf0, 0x01, 0x02};
    cursor c;
    cursor_init(&c, b, sizeof b);
    uint8_t u8;
    uint16_t u16;
    uint32_t u32;
    cr_assert(cursor_get_u8(&c, &u8));
    cr_assert_eq(u8, 0x12);
    cr_assert(cursor_get_be16(&c, &u16));
    cr_assert_eq(u16, 0x3456);
    cr_assert(cursor_get_be32(&c, &u32));
    cr_assert_eq(u32, 0x789abcde);
    cr_assert(cursor_get_le16(&c, &u16));
    cr_assert_eq(u16, 0x01f0);
    cr_assert_eq(cursor_len(&c), 1);
    cr_assert_eq(cursor_status(&c), DEC_OK);
}

Test(cursor, running_off_open_end_is_truncated)
{
    static const uint8_t b[] = {1, 2, 3};
    cursor c;
    cursor_init(&c, b, sizeof b);
    uint32_t v = 0xdeadbeef;
    cr_assert_not(cursor_get_be32(&c, &v));
    cr_assert_eq(v, 0xdeadbeef, "a failed read must not write its output");
    cr_assert_eq(cursor_status(&c), DEC_TRUNCATED);
    cr_assert_eq(cursor_len(&c), 3, "a failed read consumes nothing");
}

Test(cursor, running_off_exact_end_is_malformed)
{
    static const uint8_t b[] = {1, 2, 3};
    cursor c;
    cursor_init_exact(&c, b, sizeof b);
    cr_assert_not(cursor_skip(&c, 4));
    cr_assert_eq(cursor_status(&c), DEC_MALFORMED);
}

Test(cursor, sub_carves_exact_region)
{
    static const uint8_t b[] = {0, 3, 0xaa, 0xbb, 0xcc, 0xdd};
    cursor c, sub;
    cursor_init(&c, b, sizeof b);
    uint16_t n;
    cr_assert(cursor_get_be16(&c, &n));
    cr_assert(cursor_sub(&c, n, &sub));
    cr_assert_eq(cursor_len(&sub), 3);
    cr_assert_eq(cursor_len(&c), 1);
    /* reading past the sub's end is malformed: its length was authoritative */
    cr_assert_not(cursor_skip(&sub, 4));
    cr_assert_eq(cursor_status(&sub), DEC_MALFORMED);
    cr_assert_eq(cursor_status(&c), DEC_OK);
}

Test(cursor, sub_longer_than_capture_is_truncated_but_inside_exact_is_malformed)
{
    static const uint8_t b[] = {0xaa, 0xbb};
    cursor c, sub;
    cursor_init(&c, b, sizeof b);
    cr_assert_not(cursor_sub(&c, 5, &sub));
    cr_assert_eq(cursor_status(&c), DEC_TRUNCATED);
    cursor_init_exact(&c, b, sizeof b);
    cr_assert_not(cursor_sub(&c, 5, &sub));
    cr_assert_eq(cursor_status(&c), DEC_MALFORMED);
}

Test(cursor, sub_upto_gives_partial_open_cursor)
{
    static const uint8_t b[] = {1, 2, 3};
    cursor c, sub;
    cursor_init(&c, b, sizeof b);
    cr_assert_not(cursor_sub_upto(&c, 10, &sub));
    cr_assert_eq(cursor_len(&sub), 3);
    cr_assert_eq(sub.open_end, 1);
    cr_assert_eq(cursor_len(&c), 0);
}

Test(cursor, status_is_sticky_first_failure)
{
    static const uint8_t b[] = {1};
    cursor c;
    cursor_init(&c, b, sizeof b);
    cursor_fail(&c, DEC_MALFORMED);
    cr_assert_not(cursor_skip(&c, 2));
    cr_assert_eq(cursor_status(&c), DEC_MALFORMED);
}

Test(cursor, fixed_string_stops_at_nul_and_bounds_dst)
{
    static const uint8_t b[] = {'a', 'b', 'c', 0, 'x', 'y', 'z', 'w'};
    cursor c;
    cursor_init(&c, b, sizeof b);
    char s[16];
    cr_assert(cursor_get_fixed_str(&c, 8, s, sizeof s));
    cr_assert_str_eq(s, "abc");
    cursor_init(&c, b + 4, 4);
    char small[3];
    cr_assert(cursor_get_fixed_str(&c, 4, small, sizeof small));
    cr_assert_str_eq(small, "xy");
}

Test(wbuf, writes_and_overflows_cleanly)
{
    uint8_t buf[6];
    wbuf w;
    wbuf_init(&w, buf, sizeof buf);
    wbuf_put_be16(&w, 0x1234);
    wbuf_put_be32(&w, 0xa1b2c3d4);
    cr_assert(wbuf_ok(&w));
    cr_assert_eq(wbuf_len(&w), 6);
    cr_assert_eq(buf[0], 0x12);
    cr_assert_eq(buf[5], 0xd4);
    wbuf_put_u8(&w, 1);
    cr_assert_not(wbuf_ok(&w));
    cr_assert_eq(wbuf_len(&w), 6);
    wbuf_patch_be16(&w, 0, 0xbeef);
    cr_assert_eq(buf[0], 0xbe);
}

Test(wbuf, fixed_string_pads_with_nul)
{
    uint8_t buf[8];
    wbuf w;
    wbuf_init(&w, buf, sizeof buf);
    memset(buf, 0xff, sizeof buf);
    wbuf_put_fixed_str(&w, "hi", 8);
    cr_assert_eq(buf[0], 'h');
    cr_assert_eq(buf[2], 0);
    cr_assert_eq(buf[7], 0);
}

static const val_name demo_names[] = {{1, "one"}, {2, "two"}};

Test(names, lookup_never_out_of_bounds)
{
    cr_assert_str_eq(VAL_NAME(demo_names, 2, "unknown"), "two");
    cr_assert_str_eq(VAL_NAME(demo_names, 0xffffffffu, "unknown"), "unknown");
}

Test(anomaly, names_are_unique_and_dotted)
{
    for (int i = 1; i < ANOMALY_COUNT; i++) {
        const char *n = anomaly_name((anomaly_id)i);
        cr_assert(strchr(n, '.') != NULL, "anomaly %d name '%s' has no module prefix", i, n);
        cr_assert_eq(anomaly_by_name(n), (anomaly_id)i, "duplicate anomaly name %s", n);
    }
    cr_assert_str_eq(anomaly_name((anomaly_id)100000), "unknown");
}
