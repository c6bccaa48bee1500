/* test_mppe.c - MPPE/MPPC data header and coherency count arithmetic. */
#include <criterion/criterion.h>
#include <string.h>

#include "anomaly.h"
#include "cursor.h"
#include "mppe.h"

static uint64_t rng_state = 0x853c49e6748fea9bull;
static uint32_t rnd(void)
{
    rng_state ^= rng_state << 13;
    rng_state ^= rng_state >> 7;
    rng_state ^= rng_state << 17;
    return (uint32_t)(rng_state >> 16);
}

static dec_status dec(const uint8_t *b, size_t n, bool exact, struct mppe_hdr *h, cursor *pl,
                      anomaly_set *an)
{
    cursor c;
    if (exact)
        cursor_init_exact(&c, b, n);
    else
        cursor_init(&c, b, n);
    anomaly_clear(an);
    return mppe_decode(&c, h, pl, an);
}

Test(mppe, known_vectors)
{
    /* A|D, cc 0x0ff: the stateful "flag" packet */
    static const uint8_t b1[] = {0x90, 0xff, 0xaa, 0xbb};
    struct mppe_hdr h;
    cursor pl;
    anomaly_set an;
    cr_assert_eq(dec(b1, sizeof b1, true, &h, &pl, &an), DEC_OK);
    cr_assert(h.flushed);
    cr_assert_not(h.at_front);
    cr_assert_not(h.compressed);
    cr_assert(h.encrypted);
    cr_assert_eq(h.coherency_count, 0x0ff);
    cr_assert_eq(cursor_len(&pl), 2);
    cr_assert_eq(cursor_data(&pl)[0], 0xaa);
    cr_assert_not(anomaly_any(&an));
    /* D only, cc 0xabc */
    static const uint8_t b2[] = {0x1a, 0xbc, 0x00};
    cr_assert_eq(dec(b2, sizeof b2, true, &h, &pl, &an), DEC_OK);
    cr_assert_not(h.flushed);
    cr_assert(h.encrypted);
    cr_assert_eq(h.coherency_count, 0xabc);
    /* MPPC only: B|C, cc 0 */
    static const uint8_t b3[] = {0x60, 0x00, 0x01};
    cr_assert_eq(dec(b3, sizeof b3, true, &h, &pl, &an), DEC_OK);
    cr_assert(h.at_front);
    cr_assert(h.compressed);
    cr_assert_not(h.encrypted);
    cr_assert_not(anomaly_any(&an));
}

/* All 16 flag combinations with assorted counts; encoder and decoder agree with
 * hand-built bytes. */
Test(mppe, every_flag_combination)
{
    static const uint16_t ccs[] = {0x000, 0x001, 0x0fe, 0x0ff, 0x100, 0x7ff, 0x800, 0xffe, 0xfff};
    for (unsigned bits = 0; bits < 16; bits++) {
        for (size_t i = 0; i < sizeof ccs / sizeof ccs[0]; i++) {
            uint8_t b[3] = {(uint8_t)(bits << 4 | ccs[i] >> 8), (uint8_t)ccs[i], 0x5a};
            struct mppe_hdr h;
            cursor pl;
            anomaly_set an;
            cr_assert_eq(dec(b, sizeof b, true, &h, &pl, &an), DEC_OK);
            cr_assert_eq(h.flushed, (bool)(bits & 8));
            cr_assert_eq(h.at_front, (bool)(bits & 4));
            cr_assert_eq(h.compressed, (bool)(bits & 2));
            cr_assert_eq(h.encrypted, (bool)(bits & 1));
            cr_assert_eq(h.coherency_count, ccs[i]);
            cr_assert_eq(anomaly_has(&an, ANOMALY_MPPE_CLEARTEXT), (bits & 3) == 0);
            uint8_t out[4];
            wbuf w;
            wbuf_init(&w, out, sizeof out);
            cr_assert(mppe_encode(&w, &h, cursor_data(&pl), cursor_len(&pl)));
            cr_assert_eq(wbuf_len(&w), 3);
            cr_assert_eq(memcmp(out, b, 3), 0, "bits %x cc %03x", bits, ccs[i]);
        }
    }
}

Test(mppe, prefixes_are_truncated_and_exact_short_is_malformed)
{
    static const uint8_t b[] = {0x90, 0x01, 0x33};
    struct mppe_hdr h;
    cursor pl;
    anomaly_set an;
    for (size_t k = 0; k < 2; k++) {
        cr_assert_eq(dec(b, k, false, &h, &pl, &an), DEC_TRUNCATED, "prefix %zu", k);
        cr_assert_eq(h.coherency_count, 0);
        cr_assert_eq(dec(b, k, true, &h, &pl, &an), DEC_MALFORMED, "exact prefix %zu", k);
    }
    /* header only: fine when the capture was cut, an anomaly when exact */
    cr_assert_eq(dec(b, 2, false, &h, &pl, &an), DEC_OK);
    cr_assert_not(anomaly_has(&an, ANOMALY_MPPE_EMPTY_PAYLOAD));
    cr_assert_eq(dec(b, 2, true, &h, &pl, &an), DEC_OK);
    cr_assert(anomaly_has(&an, ANOMALY_MPPE_EMPTY_PAYLOAD));
    cr_assert_eq(h.coherency_count, 1);
}

Test(mppe, random_round_trips)
{
    uint8_t payload[100], buf[128];
    for (int i = 0; i < 20000; i++) {
        uint32_t r = rnd();
        struct mppe_hdr in = {.flushed = r & 1, .at_front = r & 2, .compressed = r & 4, .encrypted = r & 8,
                              .coherency_count = (uint16_t)((r >> 4) & 0xfff)};
        size_t len = rnd() % sizeof payload;
        for (size_t j = 0; j < len; j++)
            payload[j] = (uint8_t)rnd();
        wbuf w;
        wbuf_init(&w, buf, sizeof buf);
        cr_assert(mppe_encode(&w, &in, payload, len));
        struct mppe_hdr out;
        cursor pl;
        anomaly_set an;
        cr_assert_eq(dec(buf, wbuf_len(&w), true, &out, &pl, &an), DEC_OK);
        cr_assert_eq(out.flushed, in.flushed);
        cr_assert_eq(out.at_front, in.at_front);
        cr_assert_eq(out.compressed, in.compressed);
        cr_assert_eq(out.encrypted, in.encrypted);
        cr_assert_eq(out.coherency_count, in.coherency_count);
        cr_assert_eq(cursor_len(&pl), len);
        cr_assert_eq(memcmp(cursor_data(&pl), payload, len), 0);
    }
}

Test(mppe, encoder_cuts_count_and_reports_overflow)
{
    struct mppe_hdr h = {.encrypted = true, .coherency_count = 0x1234};
    uint8_t buf[2];
    wbuf w;
    wbuf_init(&w, buf, sizeof buf);
    cr_assert(mppe_encode(&w, &h, NULL, 0));
    cr_assert_eq(buf[0], 0x12);
    cr_assert_eq(buf[1], 0x34);
    wbuf_init(&w, buf, sizeof buf);
    cr_assert_not(mppe_encode(&w, &h, (const uint8_t *)"x", 1));
}

Test(mppe, coherency_distance_wraps)
{
    cr_assert_eq(mppe_cc_distance(0xfff, 0x000), 1);
    cr_assert_eq(mppe_cc_distance(0x000, 0xfff), 4095);
    cr_assert_eq(mppe_cc_distance(0xffe, 0x001), 3);
    cr_assert_eq(mppe_cc_distance(5, 5), 0);
    cr_assert_eq(mppe_cc_delta(0xfff, 0x000), 1);
    cr_assert_eq(mppe_cc_delta(0x000, 0xfff), -1);
    cr_assert_eq(mppe_cc_delta(0x000, 0x7ff), 2047);
    cr_assert_eq(mppe_cc_delta(0x000, 0x800), -2048);
    for (int i = 0; i < 10000; i++) {
        uint16_t a = (uint16_t)(rnd() & 0xfff), d = (uint16_t)(rnd() & 0xfff);
        cr_assert_eq(mppe_cc_distance(a, (uint16_t)((a + d) & 0xfff)), d);
    }
}

/* Reference: walk the counts one by one. */
static unsigned naive_changes(uint16_t prev, uint16_t cur, bool stateless)
{
    unsigned n = 0;
    for (uint16_t x = prev; x != cur;) {
        x = (uint16_t)((x + 1) & 0xfff);
        if (stateless || (x & 0xff) == 0xff)
            n++;
    }
    return n;
}

Test(mppe, key_changes)
{
    /* stateful: the key changes before each count with low octet 0xff */
    cr_assert(mppe_is_key_change(0x0fe, 0x0ff, false));
    cr_assert_not(mppe_is_key_change(0x0ff, 0x100, false));
    cr_assert_not(mppe_is_key_change(0x000, 0x0fe, false));
    cr_assert_eq(mppe_key_changes(0x0ff, 0x1ff, false), 1);
    cr_assert_eq(mppe_key_changes(0x0ff, 0x1fe, false), 0);
    cr_assert_eq(mppe_key_changes(0x000, 0xfff, false), 16);
    /* wrap 0xfff -> 0x000 and on past the next flag packet */
    cr_assert_not(mppe_is_key_change(0xfff, 0x000, false));
    cr_assert_eq(mppe_key_changes(0xfff, 0x0ff, false), 1);
    cr_assert_eq(mppe_key_changes(0xffe, 0xfff, false), 1);
    cr_assert_not(mppe_is_key_change(0x123, 0x123, false));
    /* stateless: every packet */
    cr_assert(mppe_is_key_change(0xfff, 0x000, true));
    cr_assert_eq(mppe_key_changes(0xfff, 0x001, true), 2);
    cr_assert_not(mppe_is_key_change(7, 7, true));
    for (int i = 0; i < 3000; i++) {
        uint16_t a = (uint16_t)(rnd() & 0xfff), b = (uint16_t)(rnd() & 0xfff);
        cr_assert_eq(mppe_key_changes(a, b, false), naive_changes(a, b, false), "%03x -> %03x", a, b);
        cr_assert_eq(mppe_key_changes(a, b, true), naive_changes(a, b, true));
    }
}

Test(mppe, bit_names)
{
    cr_assert_str_eq(mppe_bit_name(MPPE_BIT_A), "flushed");
    cr_assert_str_eq(mppe_bit_name(MPPE_BIT_B), "at_front");
    cr_assert_str_eq(mppe_bit_name(MPPE_BIT_C), "compressed");
    cr_assert_str_eq(mppe_bit_name(MPPE_BIT_D), "encrypted");
    cr_assert_str_eq(mppe_bit_name(0x01), "unknown");
}
