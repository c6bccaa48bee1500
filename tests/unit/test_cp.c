/* test_cp.c - the generic PPP control-protocol packet layer (cp.h). */
#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cp.h"

static bool has(const anomaly_set *an, const char *name) { return anomaly_has(an, anomaly_by_name(name)); }

Test(cp, anomaly_names_per_protocol_and_kind)
{
    static const char *const kinds[CP_AN_KIND_COUNT] = {
        "bad_length",        "length_overrun",   "trailing_bytes",   "unknown_code",
        "short_body",        "option_bad_length", "option_truncated", "too_many_options",
        "option_bad_size",   "duplicate_option",
    };
    for (int p = 0; p < CP_PROTO_COUNT; p++) {
        for (int k = 0; k < CP_AN_KIND_COUNT; k++) {
            char want[64];
            snprintf(want, sizeof want, "ppp.%s.%s", cp_proto_name((cp_proto)p), kinds[k]);
            anomaly_id id = cp_anomaly((cp_proto)p, (cp_anomaly_kind)k);
            cr_assert_neq(id, ANOMALY_NONE);
            cr_assert_str_eq(anomaly_name(id), want);
        }
    }
    cr_assert_eq(cp_anomaly(CP_PROTO_COUNT, CP_AN_BAD_LENGTH), ANOMALY_NONE);
    cr_assert_eq(cp_anomaly(CP_LCP, CP_AN_KIND_COUNT), ANOMALY_NONE);
    cr_assert_str_eq(anomaly_name(ANOMALY_CP_CCP_MPPE_UNKNOWN_BITS), "ppp.ccp.mppe_unknown_bits");
}

Test(cp, protocol_names_numbers_and_codes)
{
    cr_assert_str_eq(cp_proto_name(CP_LCP), "lcp");
    cr_assert_str_eq(cp_proto_name(CP_IPV6CP), "ipv6cp");
    cr_assert_str_eq(cp_proto_name(CP_PROTO_COUNT), "unknown");
    cr_assert_eq(cp_proto_number(CP_LCP), 0xc021);
    cr_assert_eq(cp_proto_number(CP_IPCP), 0x8021);
    cr_assert_eq(cp_proto_number(CP_IPV6CP), 0x8057);
    cr_assert_eq(cp_proto_number(CP_CCP), 0x80fd);
    cr_assert_eq(cp_proto_number(CP_PROTO_COUNT), 0);
    for (int code = 0; code < 256; code++) {
        bool lcp = code >= 1 && code <= 13;
        bool ncp = code >= 1 && code <= 7;
        bool ccp = ncp || code == 14 || code == 15;
        cr_assert_eq(cp_code_valid(CP_LCP, (uint8_t)code), lcp, "lcp code %d", code);
        cr_assert_eq(cp_code_valid(CP_IPCP, (uint8_t)code), ncp, "ipcp code %d", code);
        cr_assert_eq(cp_code_valid(CP_IPV6CP, (uint8_t)code), ncp, "ipv6cp code %d", code);
        cr_assert_eq(cp_code_valid(CP_CCP, (uint8_t)code), ccp, "ccp code %d", code);
        cr_assert_not_null(cp_code_name(CP_LCP, (uint8_t)code));
        if (lcp)
            cr_assert_str_neq(cp_code_name(CP_LCP, (uint8_t)code), "unknown");
    }
    cr_assert_str_eq(cp_code_name(CP_LCP, 1), "Configure-Request");
    cr_assert_str_eq(cp_code_name(CP_LCP, 7), "Code-Reject");
    cr_assert_str_eq(cp_code_name(CP_CCP, 15), "Reset-Ack");
    cr_assert_str_eq(cp_code_name(CP_IPCP, 12), "unknown");
}

Test(cp, header_body_and_options)
{
    static const uint8_t b[] = {0x01, 0x2a, 0x00, 0x0c, 0x01, 0x04, 0x05, 0xdc, 0x63, 0x02, 0x07, 0x02};
    cursor c;
    cursor_init(&c, b, sizeof b);
    cp_packet p;
    anomaly_set an;
    anomaly_clear(&an);
    cr_assert_eq(cp_decode(&c, CP_LCP, &p, &an), DEC_OK);
    cr_assert_not(anomaly_any(&an));
    cr_assert_eq(cursor_len(&c), 0);
    cr_assert_eq(p.code, 1);
    cr_assert_eq(p.id, 42);
    cr_assert_eq(p.length, 12);
    cr_assert_eq(p.body_len, 8);
    cr_assert_eq(p.body, b + 4);
    cr_assert_not(p.body_cut);
    cr_assert_eq(p.trailing, 0);
    cr_assert_eq(p.options.count, 3);
    cr_assert_eq(p.options.opt[0].type, 1);
    cr_assert_eq(p.options.opt[0].vlen, 2);
    cr_assert_eq(p.options.opt[0].val, b + 6);
    cr_assert_eq(p.options.opt[1].type, 0x63);
    cr_assert_eq(p.options.opt[1].vlen, 0);
    cr_assert_eq(cp_find_option(&p.options, 7), 2);
    cr_assert_eq(cp_find_option(&p.options, 9), -1);
    /* generic re-encode is byte identical */
    uint8_t out[32];
    wbuf w;
    wbuf_init(&w, out, sizeof out);
    cr_assert(cp_encode(&w, &p));
    cr_assert_eq(wbuf_len(&w), sizeof b);
    cr_assert_arr_eq(out, b, sizeof b);
}

Test(cp, non_configure_body_is_not_parsed_as_options)
{
    static const uint8_t b[] = {0x05, 0x01, 0x00, 0x06, 0x00, 0x00}; /* would be a bad option */
    cursor c;
    cursor_init(&c, b, sizeof b);
    cp_packet p;
    anomaly_set an;
    anomaly_clear(&an);
    cr_assert_eq(cp_decode(&c, CP_IPCP, &p, &an), DEC_OK);
    cr_assert_eq(p.options.count, 0);
    cr_assert_eq(p.body_len, 2);
    uint8_t out[16];
    wbuf w;
    wbuf_init(&w, out, sizeof out);
    cr_assert(cp_encode(&w, &p));
    cr_assert_arr_eq(out, b, sizeof b);
}

Test(cp, every_prefix_is_truncated)
{
    static const uint8_t b[] = {0x02, 0x01, 0x00, 0x0e, 0x01, 0x04, 0x05, 0xdc, 0x05, 0x06, 1, 2, 3, 4};
    for (size_t k = 0; k < sizeof b; k++) {
        uint8_t *copy = malloc(k ? k : 1);
        memcpy(copy, b, k);
        cursor c;
        cursor_init(&c, copy, k);
        cp_packet p;
        anomaly_set an;
        anomaly_clear(&an);
        cr_assert_eq(cp_decode(&c, CP_CCP, &p, &an), DEC_TRUNCATED, "prefix %zu", k);
        cr_assert_not(anomaly_any(&an), "truncation is not an anomaly (prefix %zu)", k);
        cr_assert_eq(p.options.count, k >= 14 ? 2 : k >= 8 ? 1 : 0, "prefix %zu", k);
        if (k >= 4) {
            cr_assert(p.body_cut);
            cr_assert_eq(p.length, 14);
        }
        free(copy);
    }
}

Test(cp, length_errors)
{
    static const uint8_t l3[] = {0x01, 0x01, 0x00, 0x03, 0xff};
    static const uint8_t over[] = {0x01, 0x01, 0x00, 0x08, 0x07, 0x02};
    cursor c;
    cp_packet p;
    anomaly_set an;
    anomaly_clear(&an);
    cursor_init(&c, l3, sizeof l3);
    cr_assert_eq(cp_decode(&c, CP_IPCP, &p, &an), DEC_MALFORMED);
    cr_assert(has(&an, "ppp.ipcp.bad_length"));
    cr_assert_eq(cursor_status(&c), DEC_MALFORMED);
    anomaly_clear(&an);
    cursor_init_exact(&c, over, sizeof over);
    cr_assert_eq(cp_decode(&c, CP_IPCP, &p, &an), DEC_MALFORMED);
    cr_assert(has(&an, "ppp.ipcp.length_overrun"));
    cr_assert_eq(p.options.count, 1, "what was there is still decoded");
    anomaly_clear(&an);
    cursor_init(&c, over, sizeof over);
    cr_assert_eq(cp_decode(&c, CP_IPCP, &p, &an), DEC_TRUNCATED);
    cr_assert_not(anomaly_any(&an));
}

Test(cp, option_errors)
{
    static const uint8_t len0[] = {0x01, 0x01, 0x00, 0x06, 0x03, 0x00};
    static const uint8_t len1[] = {0x04, 0x01, 0x00, 0x06, 0x03, 0x01};
    static const uint8_t past[] = {0x03, 0x01, 0x00, 0x07, 0x03, 0x06, 0x00};
    static const uint8_t lone[] = {0x02, 0x01, 0x00, 0x05, 0x03};
    const uint8_t *v[] = {len0, len1, past, lone};
    size_t n[] = {sizeof len0, sizeof len1, sizeof past, sizeof lone};
    const char *want[] = {"ppp.ccp.option_bad_length", "ppp.ccp.option_bad_length", "ppp.ccp.option_truncated",
                          "ppp.ccp.option_truncated"};
    for (int i = 0; i < 4; i++) {
        cursor c;
        cursor_init(&c, v[i], n[i]);
        cp_packet p;
        anomaly_set an;
        anomaly_clear(&an);
        cr_assert_eq(cp_decode(&c, CP_CCP, &p, &an), DEC_MALFORMED, "case %d", i);
        cr_assert(has(&an, want[i]), "case %d", i);
        cr_assert_eq(cursor_len(&c), 0);
    }
}

Test(cp, padding_is_consumed_and_noted)
{
    static const uint8_t b[] = {0x06, 0x03, 0x00, 0x04, 0x00, 0x00, 0x00};
    cursor c;
    cursor_init(&c, b, sizeof b);
    cp_packet p;
    anomaly_set an;
    anomaly_clear(&an);
    cr_assert_eq(cp_decode(&c, CP_IPV6CP, &p, &an), DEC_OK);
    cr_assert(has(&an, "ppp.ipv6cp.trailing_bytes"));
    cr_assert_eq(p.trailing, 3);
    cr_assert_eq(p.body_len, 0);
    cr_assert_eq(cursor_len(&c), 0);
}

Test(cp, too_many_options_kept_bounded)
{
    uint8_t b[4 + 2 * 40];
    b[0] = 1, b[1] = 1, b[2] = 0, b[3] = sizeof b;
    for (int i = 0; i < 40; i++)
        b[4 + 2 * i] = (uint8_t)(100 + i), b[5 + 2 * i] = 2;
    cursor c;
    cursor_init_exact(&c, b, sizeof b);
    cp_packet p;
    anomaly_set an;
    anomaly_clear(&an);
    cr_assert_eq(cp_decode(&c, CP_LCP, &p, &an), DEC_OK);
    cr_assert(has(&an, "ppp.lcp.too_many_options"));
    cr_assert_eq(p.options.count, CP_MAX_OPTIONS);
    cr_assert(p.options.overflow);
    cr_assert_eq(p.options.opt[31].type, 131);
    /* an error after the kept ones is still found */
    b[4 + 2 * 39 + 1] = 1;
    cursor_init_exact(&c, b, sizeof b);
    cr_assert_eq(cp_decode(&c, CP_LCP, &p, &an), DEC_MALFORMED);
}

Test(cp, encoder_helpers)
{
    uint8_t out[300];
    wbuf w;
    wbuf_init(&w, out, sizeof out);
    size_t s = cp_encode_header(&w, CP_CONF_REQ, 9);
    cr_assert_eq(s, 0);
    size_t o = cp_option_begin(&w, 5);
    wbuf_put_be32(&w, 0x01020304);
    cr_assert(cp_option_end(&w, o));
    cr_assert(cp_put_option(&w, 7, NULL, 0));
    cr_assert(cp_finish(&w, s));
    static const uint8_t want[] = {0x01, 0x09, 0x00, 0x0c, 0x05, 0x06, 1, 2, 3, 4, 0x07, 0x02};
    cr_assert_eq(wbuf_len(&w), sizeof want);
    cr_assert_arr_eq(out, want, sizeof want);

    static uint8_t big[254];
    wbuf_init(&w, out, sizeof out);
    cr_assert_not(cp_put_option(&w, 1, big, 254), "value over 253 bytes");
    cr_assert_not(wbuf_ok(&w));
    wbuf_init(&w, out, sizeof out);
    cr_assert(cp_put_option(&w, 1, big, 253));
    cr_assert_eq(out[1], 255);
    wbuf_init(&w, out, sizeof out);
    o = cp_option_begin(&w, 1);
    wbuf_put_zeros(&w, 254);
    cr_assert_not(cp_option_end(&w, o), "option over 255 bytes");

    static uint8_t huge[70000];
    wbuf_init(&w, huge, sizeof huge);
    s = cp_encode_header(&w, CP_TERM_REQ, 1);
    wbuf_put_zeros(&w, 65531);
    cr_assert(cp_finish(&w, s));
    cr_assert_eq(huge[2], 0xff);
    cr_assert_eq(huge[3], 0xff);
    wbuf_init(&w, huge, sizeof huge);
    s = cp_encode_header(&w, CP_TERM_REQ, 1);
    wbuf_put_zeros(&w, 65532);
    cr_assert_not(cp_finish(&w, s), "packet over 65535 bytes");

    /* a wbuf too small fails */
    wbuf_init(&w, out, 3);
    s = cp_encode_header(&w, 1, 1);
    cr_assert_not(cp_finish(&w, s));

    cp_option_list l;
    memset(&l, 0, sizeof l);
    for (int i = 0; i < CP_MAX_OPTIONS; i++)
        cr_assert(cp_option_list_add(&l, (uint8_t)i, NULL, 0));
    cr_assert_not(cp_option_list_add(&l, 99, NULL, 0));
    cr_assert_not(cp_option_list_add(&(cp_option_list){0}, 1, big, 254));
}
