/* test_lcp.c - LCP codec: every code and option, truncation, malformed input,
 * randomised round trips, tshark cross-check and real captures. */
#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cp_test_helpers.h"
#include "lcp.h"
#include "test_env.h"

/* ---- helpers ---------------------------------------------------------------- */

static bool has(const anomaly_set *an, const char *name) { return anomaly_has(an, anomaly_by_name(name)); }

/* Offsets of a span inside its buffer, so spans of two decodes of copies compare. */
static void same_span(const uint8_t *pa, size_t la, const uint8_t *base_a, const uint8_t *pb, size_t lb,
                      const uint8_t *base_b, bool prefix_ok, const char *what)
{
    if (la == 0)
        return;
    cr_assert(pa && pb, "%s: span missing", what);
    cr_assert_eq(pa - base_a, pb - base_b, "%s: span offset differs", what);
    if (prefix_ok)
        cr_assert_leq(la, lb, "%s: span longer than in the full decode", what);
    else
        cr_assert_eq(la, lb, "%s: span length differs", what);
}

#define SAME_IF(flag, field)                                                                                 \
    do {                                                                                                     \
        if (part->opts.flag) {                                                                               \
            cr_assert(full->opts.flag, #flag " set only in the prefix decode");                              \
            cr_assert_eq(part->opts.field, full->opts.field, #field " differs in a prefix decode");          \
        }                                                                                                    \
    } while (0)

/* Everything a prefix decode shows must agree with the full decode. */
static void lcp_consistent(const lcp_packet *part, const uint8_t *pb, const lcp_packet *full, const uint8_t *fb)
{
    if (part->cp.length == 0)
        return; /* header not complete */
    cr_assert_eq(part->cp.code, full->cp.code);
    cr_assert_eq(part->cp.id, full->cp.id);
    cr_assert_eq(part->cp.length, full->cp.length);
    cr_assert_leq(part->cp.options.count, full->cp.options.count);
    for (int i = 0; i < part->cp.options.count; i++) {
        const cp_option *a = &part->cp.options.opt[i], *b = &full->cp.options.opt[i];
        cr_assert_eq(a->type, b->type);
        cr_assert_eq(a->vlen, b->vlen);
        cr_assert_eq(a->known, b->known);
        same_span(a->val, a->vlen, pb, b->val, b->vlen, fb, false, "option value");
    }
    SAME_IF(has_mru, mru);
    SAME_IF(has_accm, accm);
    SAME_IF(has_auth, auth_protocol);
    SAME_IF(has_auth, auth_algorithm);
    SAME_IF(has_quality, quality_protocol);
    SAME_IF(has_magic, magic);
    SAME_IF(pfc, pfc);
    SAME_IF(acfc, acfc);
    SAME_IF(has_callback, callback_operation);
    SAME_IF(has_mrru, mrru);
    SAME_IF(has_endpoint_disc, endpoint_class);
    same_span(part->opts.auth_data, part->opts.auth_data_len, pb, full->opts.auth_data, full->opts.auth_data_len,
              fb, false, "auth data");
    same_span(part->opts.callback_message, part->opts.callback_message_len, pb, full->opts.callback_message,
              full->opts.callback_message_len, fb, false, "callback message");
    same_span(part->opts.endpoint_address, part->opts.endpoint_address_len, pb, full->opts.endpoint_address,
              full->opts.endpoint_address_len, fb, false, "endpoint address");
    if (part->magic)
        cr_assert_eq(part->magic, full->magic);
    if (part->seconds)
        cr_assert_eq(part->seconds, full->seconds);
    if (part->rejected_protocol)
        cr_assert_eq(part->rejected_protocol, full->rejected_protocol);
    same_span(part->data, part->data_len, pb, full->data, full->data_len, fb, true, "data");
}

/* Every strict prefix of b (copied to an exactly sized heap buffer, so a read past
 * the end is caught by ASan) decodes as DEC_TRUNCATED, consistent with full. */
static void check_prefixes(const uint8_t *b, size_t n, const lcp_packet *full)
{
    for (size_t k = 0; k < n; k++) {
        uint8_t *copy = malloc(k ? k : 1);
        memcpy(copy, b, k);
        cursor c;
        cursor_init(&c, copy, k);
        lcp_packet part;
        anomaly_set an;
        anomaly_clear(&an);
        dec_status st = lcp_decode(&c, &part, &an);
        cr_assert_eq(st, DEC_TRUNCATED, "prefix %zu of %zu: status %s", k, n, dec_status_name(st));
        cr_assert_eq(cursor_len(&c), 0, "prefix %zu not consumed", k);
        lcp_consistent(&part, copy, full, b);
        free(copy);
    }
}

/* Decode b (exact and open ended, both must agree) expecting DEC_OK and, unless
 * allow_anomaly, no anomaly; then check every prefix. */
static void decode_ok(const uint8_t *b, size_t n, lcp_packet *p, anomaly_set *an, bool allow_anomaly)
{
    cursor c;
    cursor_init_exact(&c, b, n);
    anomaly_clear(an);
    cr_assert_eq(lcp_decode(&c, p, an), DEC_OK);
    cr_assert_eq(cursor_len(&c), 0);
    if (!allow_anomaly)
        cr_assert_not(anomaly_any(an), "unexpected anomaly %s", anomaly_name(anomaly_next(an, ANOMALY_NONE)));
    lcp_packet q;
    cursor_init(&c, b, n);
    cr_assert_eq(lcp_decode(&c, &q, NULL), DEC_OK);
    cr_assert_eq(q.cp.length, p->cp.length);
    cr_assert_eq(q.opts.magic, p->opts.magic);
    check_prefixes(b, n, p);
}

static dec_status decode_exact(const uint8_t *b, size_t n, lcp_packet *p, anomaly_set *an)
{
    cursor c;
    cursor_init_exact(&c, b, n);
    anomaly_clear(an);
    return lcp_decode(&c, p, an);
}

static dec_status decode_open(const uint8_t *b, size_t n, lcp_packet *p, anomaly_set *an)
{
    cursor c;
    cursor_init(&c, b, n);
    anomaly_clear(an);
    return lcp_decode(&c, p, an);
}

/* ---- vectors: Configure-* and every option ----------------------------------- */

static const uint8_t conf_req_all[] = {
    0x01, 0x01, 0x00, 0x35,                         /* Configure-Request id 1 len 53 */
    0x01, 0x04, 0x05, 0x78,                         /* MRU 1400 */
    0x02, 0x06, 0x00, 0x0a, 0x00, 0x00,             /* ACCM 0x000a0000 */
    0x03, 0x05, 0xc2, 0x23, 0x81,                   /* Auth CHAP MS-CHAPv2 */
    0x04, 0x08, 0xc0, 0x25, 0x00, 0x00, 0x00, 0x0a, /* Quality LQR period 10 */
    0x05, 0x06, 0x12, 0x34, 0x56, 0x78,             /* Magic */
    0x07, 0x02,                                     /* PFC */
    0x08, 0x02,                                     /* ACFC */
    0x0d, 0x03, 0x06,                               /* Callback CBCP */
    0x11, 0x04, 0x05, 0xdc,                         /* MRRU 1500 */
    0x13, 0x09, 0x03, 0x00, 0x11, 0x22, 0x33, 0x44, 0x55, /* Endpoint class 3 MAC */
};

Test(lcp, configure_request_every_option)
{
    lcp_packet p;
    anomaly_set an;
    decode_ok(conf_req_all, sizeof conf_req_all, &p, &an, false);
    cr_assert_eq(p.cp.code, CP_CONF_REQ);
    cr_assert_eq(p.cp.id, 1);
    cr_assert_eq(p.cp.length, 53);
    cr_assert_eq(p.cp.options.count, 10);
    for (int i = 0; i < 10; i++)
        cr_assert(p.cp.options.opt[i].known, "option %d not typed", i);
    const lcp_options *o = &p.opts;
    cr_assert(o->has_mru);
    cr_assert_eq(o->mru, 1400);
    cr_assert(o->has_accm);
    cr_assert_eq(o->accm, 0x000a0000);
    cr_assert(o->has_auth);
    cr_assert_eq(o->auth_protocol, LCP_AUTH_CHAP);
    cr_assert_eq(o->auth_algorithm, LCP_CHAP_MSCHAPV2);
    cr_assert_str_eq(lcp_auth_method_name(o->auth_protocol, o->auth_algorithm), "mschapv2");
    cr_assert_eq(o->auth_data_len, 0);
    cr_assert(o->has_quality);
    cr_assert_eq(o->quality_protocol, LCP_QUALITY_LQR);
    cr_assert_eq(o->quality_data_len, 4);
    cr_assert_eq(o->quality_data[3], 0x0a);
    cr_assert(o->has_magic);
    cr_assert_eq(o->magic, 0x12345678);
    cr_assert(o->pfc);
    cr_assert(o->acfc);
    cr_assert(o->has_callback);
    cr_assert_eq(o->callback_operation, 6);
    cr_assert_eq(o->callback_message_len, 0);
    cr_assert_str_eq(lcp_callback_op_name(6), "cbcp");
    cr_assert(o->has_mrru);
    cr_assert_eq(o->mrru, 1500);
    cr_assert(o->has_endpoint_disc);
    cr_assert_eq(o->endpoint_class, 3);
    cr_assert_eq(o->endpoint_address_len, 6);
    static const uint8_t mac[] = {0x00, 0x11, 0x22, 0x33, 0x44, 0x55};
    cr_assert_arr_eq(o->endpoint_address, mac, 6);
    cr_assert_null(p.data);
}

Test(lcp, configure_ack_echoes_options)
{
    static const uint8_t b[] = {0x02, 0x07, 0x00, 0x0e, 0x01, 0x04, 0x05, 0xd4, 0x05, 0x06, 0xde, 0xad, 0xbe, 0xef};
    lcp_packet p;
    anomaly_set an;
    decode_ok(b, sizeof b, &p, &an, false);
    cr_assert_eq(p.cp.code, CP_CONF_ACK);
    cr_assert_str_eq(lcp_code_name(p.cp.code), "Configure-Ack");
    cr_assert_eq(p.cp.id, 7);
    cr_assert_eq(p.opts.mru, 1492);
    cr_assert_eq(p.opts.magic, 0xdeadbeef);
    cr_assert_not(p.opts.has_auth);
    /* a Configure-Ack must repeat the options verbatim: cp_encode does that */
    uint8_t out[64];
    wbuf w;
    wbuf_init(&w, out, sizeof out);
    cr_assert(cp_encode(&w, &p.cp));
    cr_assert_eq(wbuf_len(&w), sizeof b);
    cr_assert_arr_eq(out, b, sizeof b);
}

Test(lcp, configure_nak_chap_md5)
{
    static const uint8_t b[] = {0x03, 0x02, 0x00, 0x09, 0x03, 0x05, 0xc2, 0x23, 0x05};
    lcp_packet p;
    anomaly_set an;
    decode_ok(b, sizeof b, &p, &an, false);
    cr_assert_eq(p.cp.code, CP_CONF_NAK);
    cr_assert(p.opts.has_auth);
    cr_assert_eq(p.opts.auth_protocol, 0xc223);
    cr_assert_eq(p.opts.auth_algorithm, 5);
    cr_assert_str_eq(lcp_auth_method_name(0xc223, 5), "chap-md5");
    cr_assert_str_eq(lcp_chap_algorithm_name(5), "MD5");
}

Test(lcp, auth_pap_eap_mschap)
{
    static const uint8_t pap[] = {0x01, 0x02, 0x00, 0x08, 0x03, 0x04, 0xc0, 0x23};
    static const uint8_t eap[] = {0x01, 0x03, 0x00, 0x08, 0x03, 0x04, 0xc2, 0x27};
    static const uint8_t ms1[] = {0x01, 0x04, 0x00, 0x09, 0x03, 0x05, 0xc2, 0x23, 0x80};
    static const uint8_t spap[] = {0x01, 0x05, 0x00, 0x0a, 0x03, 0x06, 0xc0, 0x27, 0xaa, 0xbb};
    lcp_packet p;
    anomaly_set an;
    decode_ok(pap, sizeof pap, &p, &an, false);
    cr_assert_eq(p.opts.auth_protocol, LCP_AUTH_PAP);
    cr_assert_str_eq(lcp_auth_method_name(p.opts.auth_protocol, p.opts.auth_algorithm), "pap");
    cr_assert_str_eq(lcp_auth_protocol_name(p.opts.auth_protocol), "PAP");
    decode_ok(eap, sizeof eap, &p, &an, false);
    cr_assert_eq(p.opts.auth_protocol, LCP_AUTH_EAP);
    cr_assert_str_eq(lcp_auth_method_name(p.opts.auth_protocol, 0), "eap");
    decode_ok(ms1, sizeof ms1, &p, &an, false);
    cr_assert_eq(p.opts.auth_algorithm, LCP_CHAP_MSCHAP);
    cr_assert_str_eq(lcp_auth_method_name(p.opts.auth_protocol, p.opts.auth_algorithm), "mschapv1");
    cr_assert_str_eq(lcp_chap_algorithm_name(0x81), "MS-CHAP-v2");
    decode_ok(spap, sizeof spap, &p, &an, false);
    cr_assert_eq(p.opts.auth_protocol, 0xc027);
    cr_assert_eq(p.opts.auth_data_len, 2);
    cr_assert_eq(p.opts.auth_data[1], 0xbb);
    cr_assert_str_eq(lcp_auth_method_name(0xc027, 0), "unknown");
    cr_assert_str_eq(lcp_auth_method_name(0xc223, 0x42), "chap");
}

Test(lcp, configure_reject_keeps_unknown_option_bytes)
{
    static const uint8_t b[] = {0x04, 0x03, 0x00, 0x0e, 0x0d, 0x03, 0x06, 0x1f, 0x04, 0xde, 0xad,
                                0x0a, 0x03, 0x7f}; /* Callback; type 31 (unknown); SDP (untyped) */
    lcp_packet p;
    anomaly_set an;
    decode_ok(b, sizeof b, &p, &an, false);
    cr_assert_eq(p.cp.code, CP_CONF_REJ);
    cr_assert(p.opts.has_callback);
    cr_assert_eq(p.cp.options.count, 3);
    const cp_option *u = &p.cp.options.opt[1];
    cr_assert_eq(u->type, 0x1f);
    cr_assert_eq(u->vlen, 2);
    cr_assert_not(u->known);
    cr_assert_eq(u->val[0], 0xde);
    cr_assert_eq(u->val[1], 0xad);
    cr_assert_str_eq(lcp_opt_name(0x1f), "unknown");
    cr_assert_eq(p.cp.options.opt[2].type, LCP_OPT_SDP);
    cr_assert_not(p.cp.options.opt[2].known);
    cr_assert_str_eq(lcp_opt_name(LCP_OPT_SDP), "Self-Describing-Padding");
    /* re-encoding keeps both raw options */
    uint8_t out[64];
    wbuf w;
    wbuf_init(&w, out, sizeof out);
    cr_assert(lcp_encode(&w, &p));
    cr_assert_eq(wbuf_len(&w), sizeof b);
    cr_assert_arr_eq(out, b, sizeof b);
}

Test(lcp, endpoint_discriminator_classes)
{
    static const uint8_t ip[] = {0x01, 0x01, 0x00, 0x0b, 0x13, 0x07, 0x02, 0x0a, 0x00, 0x00, 0x01};
    static const uint8_t null_class[] = {0x01, 0x01, 0x00, 0x07, 0x13, 0x03, 0x00};
    static const uint8_t bad_ip[] = {0x01, 0x01, 0x00, 0x0a, 0x13, 0x06, 0x02, 0x0a, 0x00, 0x00};
    lcp_packet p;
    anomaly_set an;
    decode_ok(ip, sizeof ip, &p, &an, false);
    cr_assert_eq(p.opts.endpoint_class, 2);
    cr_assert_eq(p.opts.endpoint_address_len, 4);
    decode_ok(null_class, sizeof null_class, &p, &an, false);
    cr_assert(p.opts.has_endpoint_disc);
    cr_assert_eq(p.opts.endpoint_class, 0);
    cr_assert_eq(p.opts.endpoint_address_len, 0);
    cr_assert_eq(decode_exact(bad_ip, sizeof bad_ip, &p, &an), DEC_OK);
    cr_assert_not(p.opts.has_endpoint_disc);
    cr_assert(has(&an, "ppp.lcp.option_bad_size"));
}

/* ---- vectors: the other codes ----------------------------------------------- */

Test(lcp, terminate_request_and_ack)
{
    static const uint8_t req[] = {0x05, 0x04, 0x00, 0x07, 'b', 'y', 'e'};
    static const uint8_t ack[] = {0x06, 0x04, 0x00, 0x04};
    lcp_packet p;
    anomaly_set an;
    decode_ok(req, sizeof req, &p, &an, false);
    cr_assert_eq(p.cp.code, CP_TERM_REQ);
    cr_assert_str_eq(lcp_code_name(CP_TERM_REQ), "Terminate-Request");
    cr_assert_eq(p.data_len, 3);
    cr_assert_arr_eq(p.data, "bye", 3);
    decode_ok(ack, sizeof ack, &p, &an, false);
    cr_assert_eq(p.cp.code, CP_TERM_ACK);
    cr_assert_eq(p.cp.id, 4);
    cr_assert_eq(p.data_len, 0);
    cr_assert_null(p.data);
}

Test(lcp, code_reject_carries_rejected_packet)
{
    static const uint8_t b[] = {0x07, 0x05, 0x00, 0x0a, 0x0e, 0x01, 0x00, 0x06, 0xaa, 0xbb};
    lcp_packet p;
    anomaly_set an;
    decode_ok(b, sizeof b, &p, &an, false);
    cr_assert_eq(p.cp.code, CP_CODE_REJ);
    cr_assert_eq(p.data_len, 6);
    cr_assert_eq(p.data[0], 0x0e);
    cr_assert_eq(p.data[5], 0xbb);
}

Test(lcp, protocol_reject)
{
    static const uint8_t b[] = {0x08, 0x06, 0x00, 0x0c, 0x80, 0x57, 0x01, 0x05, 0x00, 0x04, 0x00, 0x00};
    lcp_packet p;
    anomaly_set an;
    decode_ok(b, sizeof b, &p, &an, false);
    cr_assert_eq(p.cp.code, CP_PROTO_REJ);
    cr_assert_str_eq(lcp_code_name(CP_PROTO_REJ), "Protocol-Reject");
    cr_assert_eq(p.rejected_protocol, 0x8057);
    cr_assert_eq(p.data_len, 6);
    cr_assert_eq(p.data[1], 0x05);
}

Test(lcp, echo_request_reply_discard)
{
    static const uint8_t req[] = {0x09, 0x07, 0x00, 0x0c, 0x12, 0x34, 0x56, 0x78, 'p', 'i', 'n', 'g'};
    static const uint8_t rep[] = {0x0a, 0x07, 0x00, 0x08, 0x9a, 0xbc, 0xde, 0xf0};
    static const uint8_t dis[] = {0x0b, 0x08, 0x00, 0x0a, 0x12, 0x34, 0x56, 0x78, 0x01, 0x02};
    lcp_packet p;
    anomaly_set an;
    decode_ok(req, sizeof req, &p, &an, false);
    cr_assert_eq(p.cp.code, CP_ECHO_REQ);
    cr_assert_eq(p.magic, 0x12345678);
    cr_assert_eq(p.data_len, 4);
    cr_assert_arr_eq(p.data, "ping", 4);
    decode_ok(rep, sizeof rep, &p, &an, false);
    cr_assert_eq(p.cp.code, CP_ECHO_REPLY);
    cr_assert_str_eq(lcp_code_name(CP_ECHO_REPLY), "Echo-Reply");
    cr_assert_eq(p.magic, 0x9abcdef0);
    cr_assert_eq(p.data_len, 0);
    decode_ok(dis, sizeof dis, &p, &an, false);
    cr_assert_eq(p.cp.code, CP_DISCARD_REQ);
    cr_assert_eq(p.magic, 0x12345678);
    cr_assert_eq(p.data_len, 2);
    cr_assert_eq(p.data[1], 0x02);
}

Test(lcp, identification_and_time_remaining)
{
    static const uint8_t id[] = {0x0c, 0x09, 0x00, 0x12, 0x6f, 0x02, 0x3e, 0x93, 'M', 'S',
                                 'R',  'A',  'S',  'V',  '5',  '.',  '2',  '0'};
    static const uint8_t tr[] = {0x0d, 0x0a, 0x00, 0x11, 0x12, 0x34, 0x56, 0x78, 0x00,
                                 0x00, 0x0e, 0x10, 'h',  'e',  'l',  'l',  'o'};
    lcp_packet p;
    anomaly_set an;
    decode_ok(id, sizeof id, &p, &an, false);
    cr_assert_eq(p.cp.code, CP_IDENTIFICATION);
    cr_assert_eq(p.magic, 0x6f023e93);
    cr_assert_eq(p.data_len, 10);
    cr_assert_arr_eq(p.data, "MSRASV5.20", 10);
    decode_ok(tr, sizeof tr, &p, &an, false);
    cr_assert_eq(p.cp.code, CP_TIME_REMAINING);
    cr_assert_str_eq(lcp_code_name(CP_TIME_REMAINING), "Time-Remaining");
    cr_assert_eq(p.magic, 0x12345678);
    cr_assert_eq(p.seconds, 3600);
    cr_assert_eq(p.data_len, 5);
    cr_assert_arr_eq(p.data, "hello", 5);
}

Test(lcp, unknown_code_keeps_body)
{
    static const uint8_t b[] = {0x20, 0x01, 0x00, 0x06, 0xaa, 0xbb};
    lcp_packet p;
    anomaly_set an;
    decode_ok(b, sizeof b, &p, &an, true);
    cr_assert(has(&an, "ppp.lcp.unknown_code"));
    cr_assert_str_eq(lcp_code_name(0x20), "unknown");
    cr_assert_str_eq(lcp_code_name(CP_RESET_REQ), "unknown", "Reset-Request is CCP only");
    cr_assert_eq(p.data_len, 2);
    cr_assert_eq(p.data[0], 0xaa);
}

/* ---- malformed ------------------------------------------------------------- */

Test(lcp, length_below_header_is_malformed)
{
    static const uint8_t l3[] = {0x01, 0x01, 0x00, 0x03, 0x00, 0x00};
    static const uint8_t l0[] = {0x09, 0x01, 0x00, 0x00};
    lcp_packet p;
    anomaly_set an;
    cr_assert_eq(decode_open(l3, sizeof l3, &p, &an), DEC_MALFORMED);
    cr_assert(has(&an, "ppp.lcp.bad_length"));
    cr_assert_eq(decode_exact(l0, sizeof l0, &p, &an), DEC_MALFORMED);
    cr_assert(has(&an, "ppp.lcp.bad_length"));
}

Test(lcp, length_beyond_exact_frame_is_malformed_but_truncated_when_open)
{
    static const uint8_t b[] = {0x05, 0x01, 0x00, 0x0a, 'x'};
    lcp_packet p;
    anomaly_set an;
    cr_assert_eq(decode_exact(b, sizeof b, &p, &an), DEC_MALFORMED);
    cr_assert(has(&an, "ppp.lcp.length_overrun"));
    cr_assert_eq(decode_open(b, sizeof b, &p, &an), DEC_TRUNCATED);
    cr_assert_not(anomaly_any(&an));
    cr_assert(p.cp.body_cut);
    cr_assert_eq(p.cp.length, 10);
}

Test(lcp, option_length_zero_or_one_is_malformed)
{
    static const uint8_t l0[] = {0x01, 0x01, 0x00, 0x0c, 0x05, 0x06, 0x01, 0x02, 0x03, 0x04, 0x01, 0x00};
    static const uint8_t l1[] = {0x01, 0x01, 0x00, 0x06, 0x07, 0x01};
    lcp_packet p;
    anomaly_set an;
    cr_assert_eq(decode_open(l0, sizeof l0, &p, &an), DEC_MALFORMED);
    cr_assert(has(&an, "ppp.lcp.option_bad_length"));
    cr_assert(p.opts.has_magic, "options before the bad one are still decoded");
    cr_assert_eq(p.opts.magic, 0x01020304);
    cr_assert_eq(decode_open(l1, sizeof l1, &p, &an), DEC_MALFORMED);
    cr_assert(has(&an, "ppp.lcp.option_bad_length"));
}

Test(lcp, option_running_past_packet_length_is_malformed)
{
    /* Length 6 covers only "01 04"; the MRU claims 4 bytes; 05 78 is padding */
    static const uint8_t b[] = {0x01, 0x01, 0x00, 0x06, 0x01, 0x04, 0x05, 0x78};
    static const uint8_t lone[] = {0x01, 0x01, 0x00, 0x05, 0x07};
    lcp_packet p;
    anomaly_set an;
    cr_assert_eq(decode_open(b, sizeof b, &p, &an), DEC_MALFORMED);
    cr_assert(has(&an, "ppp.lcp.option_truncated"));
    cr_assert(has(&an, "ppp.lcp.trailing_bytes"));
    cr_assert_not(p.opts.has_mru);
    cr_assert_eq(decode_open(lone, sizeof lone, &p, &an), DEC_MALFORMED);
    cr_assert(has(&an, "ppp.lcp.option_truncated"));
}

Test(lcp, body_too_short_for_code_is_malformed)
{
    static const uint8_t echo[] = {0x09, 0x01, 0x00, 0x06, 0x12, 0x34};
    static const uint8_t prej[] = {0x08, 0x01, 0x00, 0x05, 0x80};
    static const uint8_t trem[] = {0x0d, 0x01, 0x00, 0x0a, 0, 0, 0, 1, 0, 0};
    lcp_packet p;
    anomaly_set an;
    cr_assert_eq(decode_open(echo, sizeof echo, &p, &an), DEC_MALFORMED);
    cr_assert(has(&an, "ppp.lcp.short_body"));
    cr_assert_eq(p.magic, 0);
    cr_assert_eq(decode_open(prej, sizeof prej, &p, &an), DEC_MALFORMED);
    cr_assert(has(&an, "ppp.lcp.short_body"));
    cr_assert_eq(decode_open(trem, sizeof trem, &p, &an), DEC_MALFORMED);
    cr_assert_eq(p.magic, 0, "half the fixed fields are never shown");
}

Test(lcp, wrong_length_known_option_is_anomaly_and_kept_raw)
{
    static const uint8_t b[] = {0x01, 0x01, 0x00, 0x10, 0x01, 0x03, 0x05, 0x03, 0x04, 0xc2, 0x23,
                                0x05, 0x06, 0x12, 0x34, 0x56}; /* MRU len 3; CHAP without algorithm; magic len 6 */
    lcp_packet p;
    anomaly_set an;
    cr_assert_eq(decode_exact(b, sizeof b, &p, &an), DEC_MALFORMED, "magic runs past Length");
    static const uint8_t d[] = {0x01, 0x01, 0x00, 0x11, 0x01, 0x03, 0x05, 0x03, 0x04, 0xc2, 0x23,
                                0x05, 0x06, 0x12, 0x34, 0x56, 0x78};
    decode_ok(d, sizeof d, &p, &an, true);
    cr_assert(has(&an, "ppp.lcp.option_bad_size"));
    cr_assert_not(p.opts.has_mru);
    cr_assert_not(p.opts.has_auth);
    cr_assert(p.opts.has_magic);
    cr_assert_eq(p.opts.magic, 0x12345678);
    cr_assert_eq(p.cp.options.count, 3);
    cr_assert_not(p.cp.options.opt[0].known);
    cr_assert_eq(p.cp.options.opt[0].vlen, 1);
    cr_assert_not(p.cp.options.opt[1].known);
    cr_assert(p.cp.options.opt[2].known);
}

Test(lcp, duplicate_option_first_wins)
{
    static const uint8_t b[] = {0x01, 0x01, 0x00, 0x10, 0x05, 0x06, 0, 0, 0, 1, 0x05, 0x06, 0, 0, 0, 2};
    lcp_packet p;
    anomaly_set an;
    decode_ok(b, sizeof b, &p, &an, true);
    cr_assert(has(&an, "ppp.lcp.duplicate_option"));
    cr_assert_eq(p.opts.magic, 1);
    cr_assert(p.cp.options.opt[0].known);
    cr_assert_not(p.cp.options.opt[1].known);
}

Test(lcp, padding_after_length_is_noted_and_consumed)
{
    static const uint8_t b[] = {0x0a, 0x07, 0x00, 0x08, 0x9a, 0xbc, 0xde, 0xf0, 0x00, 0x00};
    lcp_packet p;
    anomaly_set an;
    cr_assert_eq(decode_exact(b, sizeof b, &p, &an), DEC_OK);
    cr_assert(has(&an, "ppp.lcp.trailing_bytes"));
    cr_assert_eq(p.cp.trailing, 2);
    cr_assert_eq(p.data_len, 0);
    cr_assert_eq(p.magic, 0x9abcdef0);
}

/* ---- encoding -------------------------------------------------------------- */

Test(lcp, encode_matches_vector)
{
    lcp_packet p;
    memset(&p, 0, sizeof p);
    p.cp.code = CP_CONF_REQ;
    p.cp.id = 1;
    lcp_options *o = &p.opts;
    o->has_mru = true, o->mru = 1400;
    o->has_accm = true, o->accm = 0x000a0000;
    o->has_auth = true, o->auth_protocol = LCP_AUTH_CHAP, o->auth_algorithm = LCP_CHAP_MSCHAPV2;
    static const uint8_t period[] = {0, 0, 0, 10};
    o->has_quality = true, o->quality_protocol = LCP_QUALITY_LQR, o->quality_data = period, o->quality_data_len = 4;
    o->has_magic = true, o->magic = 0x12345678;
    o->pfc = o->acfc = true;
    o->has_callback = true, o->callback_operation = 6;
    o->has_mrru = true, o->mrru = 1500;
    static const uint8_t mac[] = {0x00, 0x11, 0x22, 0x33, 0x44, 0x55};
    o->has_endpoint_disc = true, o->endpoint_class = 3, o->endpoint_address = mac, o->endpoint_address_len = 6;
    uint8_t out[128];
    wbuf w;
    wbuf_init(&w, out, sizeof out);
    cr_assert(lcp_encode(&w, &p));
    cr_assert_eq(wbuf_len(&w), sizeof conf_req_all);
    cr_assert_arr_eq(out, conf_req_all, sizeof conf_req_all);
    /* too small a buffer fails cleanly */
    wbuf_init(&w, out, 20);
    cr_assert_not(lcp_encode(&w, &p));
}

Test(lcp, encode_rejects_oversized_spans)
{
    static uint8_t big[300];
    lcp_packet p;
    memset(&p, 0, sizeof p);
    p.cp.code = CP_CONF_REQ;
    p.opts.has_callback = true;
    p.opts.callback_message = big;
    p.opts.callback_message_len = 253; /* 1 + 253 > 253 */
    uint8_t out[600];
    wbuf w;
    wbuf_init(&w, out, sizeof out);
    cr_assert_not(lcp_encode(&w, &p));
}

/* ---- randomised round trip ------------------------------------------------- */

static uint32_t rnd_state = 12345;
static uint32_t rnd(void)
{
    rnd_state ^= rnd_state << 13;
    rnd_state ^= rnd_state >> 17;
    rnd_state ^= rnd_state << 5;
    return rnd_state;
}

static void rnd_bytes(uint8_t *p, size_t n)
{
    for (size_t i = 0; i < n; i++)
        p[i] = (uint8_t)rnd();
}

static const uint8_t untyped_lcp[] = {0, 6, 9, 10, 11, 12, 14, 15, 16, 18, 20, 21, 22, 23, 24, 25, 30, 77, 200, 255};

/* Build a random packet; spans point into pool. */
static void random_lcp(lcp_packet *p, uint8_t *pool)
{
    memset(p, 0, sizeof p[0]);
    size_t used = 0;
#define TAKE(n) (rnd_bytes(pool + used, (n)), used += (n), pool + used - (n))
    static const uint8_t codes[] = {1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 0, 99};
    p->cp.code = codes[rnd() % sizeof codes];
    p->cp.id = (uint8_t)rnd();
    if (cp_code_has_options(p->cp.code)) {
        lcp_options *o = &p->opts;
        if (rnd() & 1)
            o->has_mru = true, o->mru = (uint16_t)rnd();
        if (rnd() & 1)
            o->has_accm = true, o->accm = rnd();
        if (rnd() & 1) {
            static const uint16_t protos[] = {LCP_AUTH_PAP, LCP_AUTH_CHAP, LCP_AUTH_EAP, 0xc027, 0xc281};
            o->has_auth = true;
            o->auth_protocol = protos[rnd() % 5];
            if (o->auth_protocol == LCP_AUTH_CHAP)
                o->auth_algorithm = (uint8_t)rnd();
            else if (o->auth_protocol != LCP_AUTH_PAP && o->auth_protocol != LCP_AUTH_EAP &&
                     (o->auth_data_len = rnd() % 9))
                o->auth_data = TAKE(o->auth_data_len);
        }
        if (rnd() & 1) {
            o->has_quality = true, o->quality_protocol = (uint16_t)rnd();
            if ((o->quality_data_len = rnd() % 9))
                o->quality_data = TAKE(o->quality_data_len);
        }
        if (rnd() & 1)
            o->has_magic = true, o->magic = rnd();
        o->pfc = rnd() & 1;
        o->acfc = rnd() & 1;
        if (rnd() & 1) {
            o->has_callback = true, o->callback_operation = (uint8_t)rnd();
            if ((o->callback_message_len = rnd() % 12))
                o->callback_message = TAKE(o->callback_message_len);
        }
        if (rnd() & 1)
            o->has_mrru = true, o->mrru = (uint16_t)rnd();
        if (rnd() & 1) {
            static const size_t lens[][2] = {{0, 0}, {0, 20}, {4, 4}, {6, 6}, {4, 20}, {0, 15}, {0, 20}};
            uint8_t cls = (uint8_t)(rnd() % 7);
            size_t n = lens[cls][0] + rnd() % (lens[cls][1] - lens[cls][0] + 1);
            if (cls == 4)
                n &= ~(size_t)3;
            o->has_endpoint_disc = true, o->endpoint_class = cls;
            if ((o->endpoint_address_len = n))
                o->endpoint_address = TAKE(n);
        }
        int extra = (int)(rnd() % 4);
        for (int i = 0; i < extra; i++) {
            size_t n = rnd() % 20;
            cp_option_list_add(&p->cp.options, untyped_lcp[rnd() % sizeof untyped_lcp], n ? TAKE(n) : NULL, n);
        }
    } else {
        switch (p->cp.code) {
        case CP_PROTO_REJ: p->rejected_protocol = (uint16_t)rnd(); break;
        case CP_TIME_REMAINING: p->seconds = rnd(); /* fall through */
        case CP_ECHO_REQ:
        case CP_ECHO_REPLY:
        case CP_DISCARD_REQ:
        case CP_IDENTIFICATION: p->magic = rnd(); break;
        default: break;
        }
        if ((p->data_len = rnd() % 40))
            p->data = TAKE(p->data_len);
    }
#undef TAKE
}

static bool span_eq(const uint8_t *a, size_t la, const uint8_t *b, size_t lb)
{
    return la == lb && (la == 0 || memcmp(a, b, la) == 0);
}

static void assert_lcp_eq(const lcp_packet *x, const lcp_packet *y)
{
    cr_assert_eq(x->cp.code, y->cp.code);
    cr_assert_eq(x->cp.id, y->cp.id);
    const lcp_options *a = &x->opts, *b = &y->opts;
    cr_assert_eq(a->has_mru, b->has_mru);
    cr_assert_eq(a->mru, b->mru);
    cr_assert_eq(a->has_accm, b->has_accm);
    cr_assert_eq(a->accm, b->accm);
    cr_assert_eq(a->has_auth, b->has_auth);
    cr_assert_eq(a->auth_protocol, b->auth_protocol);
    cr_assert_eq(a->auth_algorithm, b->auth_algorithm);
    cr_assert(span_eq(a->auth_data, a->auth_data_len, b->auth_data, b->auth_data_len));
    cr_assert_eq(a->has_quality, b->has_quality);
    cr_assert_eq(a->quality_protocol, b->quality_protocol);
    cr_assert(span_eq(a->quality_data, a->quality_data_len, b->quality_data, b->quality_data_len));
    cr_assert_eq(a->has_magic, b->has_magic);
    cr_assert_eq(a->magic, b->magic);
    cr_assert_eq(a->pfc, b->pfc);
    cr_assert_eq(a->acfc, b->acfc);
    cr_assert_eq(a->has_callback, b->has_callback);
    cr_assert_eq(a->callback_operation, b->callback_operation);
    cr_assert(span_eq(a->callback_message, a->callback_message_len, b->callback_message, b->callback_message_len));
    cr_assert_eq(a->has_mrru, b->has_mrru);
    cr_assert_eq(a->mrru, b->mrru);
    cr_assert_eq(a->has_endpoint_disc, b->has_endpoint_disc);
    cr_assert_eq(a->endpoint_class, b->endpoint_class);
    cr_assert(span_eq(a->endpoint_address, a->endpoint_address_len, b->endpoint_address, b->endpoint_address_len));
    /* raw options not in typed fields, in order */
    int j = 0;
    for (int i = 0; i < x->cp.options.count; i++) {
        if (x->cp.options.opt[i].known)
            continue;
        while (j < y->cp.options.count && y->cp.options.opt[j].known)
            j++;
        cr_assert_lt(j, y->cp.options.count, "raw option %d lost", i);
        const cp_option *u = &x->cp.options.opt[i], *v = &y->cp.options.opt[j++];
        cr_assert_eq(u->type, v->type);
        cr_assert(span_eq(u->val, u->vlen, v->val, v->vlen));
    }
    while (j < y->cp.options.count && y->cp.options.opt[j].known)
        j++;
    cr_assert_eq(j, y->cp.options.count, "extra raw options after the round trip");
    cr_assert_eq(x->magic, y->magic);
    cr_assert_eq(x->seconds, y->seconds);
    cr_assert_eq(x->rejected_protocol, y->rejected_protocol);
    cr_assert(span_eq(x->data, x->data_len, y->data, y->data_len));
}

Test(lcp, random_round_trip)
{
    static uint8_t pool[4096], out[2048];
    for (int iter = 0; iter < 3000; iter++) {
        lcp_packet x, y;
        random_lcp(&x, pool);
        wbuf w;
        wbuf_init(&w, out, sizeof out);
        cr_assert(lcp_encode(&w, &x), "iteration %d: encode failed", iter);
        cursor c;
        cursor_init_exact(&c, out, wbuf_len(&w));
        anomaly_set an;
        anomaly_clear(&an);
        cr_assert_eq(lcp_decode(&c, &y, &an), DEC_OK, "iteration %d", iter);
        cr_assert_eq(y.cp.length, wbuf_len(&w));
        anomaly_id a = anomaly_next(&an, ANOMALY_NONE);
        if (cp_code_valid(CP_LCP, x.cp.code))
            cr_assert_eq(a, ANOMALY_NONE, "iteration %d: anomaly %s", iter, anomaly_name(a));
        assert_lcp_eq(&x, &y);
        /* a second encode of the decoded packet is byte identical */
        static uint8_t out2[2048];
        wbuf w2;
        wbuf_init(&w2, out2, sizeof out2);
        cr_assert(lcp_encode(&w2, &y));
        cr_assert_eq(wbuf_len(&w2), wbuf_len(&w));
        cr_assert_arr_eq(out2, out, wbuf_len(&w));
    }
}

/* ---- tshark cross-check ---------------------------------------------------- */

Test(lcp, tshark_agrees_with_encoded_packets)
{
    if (!tshark_available())
        cr_skip("tshark not installed");
    char path[4096];
    scratch_path("lcp_tshark.pcap", path, sizeof path);
    pcapw *pw = pcapw_open(path, 1);
    cr_assert_not_null(pw);
    uint8_t buf[512];
    wbuf w;
    lcp_packet p;
    uint32_t seq = 1;
#define EMIT()                                                                                         \
    do {                                                                                               \
        cr_assert(wbuf_ok(&w));                                                                        \
        cr_assert_eq(cpt_write_gre_ppp(pw, 1000000ull * seq, 0xc021, buf, wbuf_len(&w), 0x1234, seq), 0); \
        seq++;                                                                                         \
    } while (0)
    /* 1: Configure-Request with every typed option.  The LQR Reporting-Period is
     * left out: tshark 4.0 flags a correct 8-byte RFC 1989 Quality option as
     * malformed (its 4-byte form is accepted). */
    lcp_packet all;
    anomaly_set an;
    cursor c;
    cursor_init_exact(&c, conf_req_all, sizeof conf_req_all);
    cr_assert_eq(lcp_decode(&c, &all, &an), DEC_OK);
    all.opts.quality_data = NULL;
    all.opts.quality_data_len = 0;
    wbuf_init(&w, buf, sizeof buf);
    cr_assert(lcp_encode(&w, &all));
    EMIT();
    /* 2: Configure-Nak CHAP MD5 + unknown option */
    memset(&p, 0, sizeof p);
    p.cp.code = CP_CONF_NAK, p.cp.id = 2;
    p.opts.has_auth = true, p.opts.auth_protocol = LCP_AUTH_CHAP, p.opts.auth_algorithm = LCP_CHAP_MD5;
    wbuf_init(&w, buf, sizeof buf);
    cr_assert(lcp_encode(&w, &p));
    EMIT();
    /* 3: Configure-Reject PAP */
    memset(&p, 0, sizeof p);
    p.cp.code = CP_CONF_REJ, p.cp.id = 3;
    p.opts.has_auth = true, p.opts.auth_protocol = LCP_AUTH_PAP;
    wbuf_init(&w, buf, sizeof buf);
    cr_assert(lcp_encode(&w, &p));
    EMIT();
    /* 4: Terminate-Request "bye" */
    memset(&p, 0, sizeof p);
    p.cp.code = CP_TERM_REQ, p.cp.id = 4, p.data = (const uint8_t *)"bye", p.data_len = 3;
    wbuf_init(&w, buf, sizeof buf);
    cr_assert(lcp_encode(&w, &p));
    EMIT();
    /* 5: Terminate-Ack */
    memset(&p, 0, sizeof p);
    p.cp.code = CP_TERM_ACK, p.cp.id = 5;
    wbuf_init(&w, buf, sizeof buf);
    cr_assert(lcp_encode(&w, &p));
    EMIT();
    /* 6: Protocol-Reject of IPV6CP */
    static const uint8_t v6[] = {0x01, 0x05, 0x00, 0x04};
    memset(&p, 0, sizeof p);
    p.cp.code = CP_PROTO_REJ, p.cp.id = 6, p.rejected_protocol = 0x8057, p.data = v6, p.data_len = 4;
    wbuf_init(&w, buf, sizeof buf);
    cr_assert(lcp_encode(&w, &p));
    EMIT();
    /* 7: Echo-Request */
    memset(&p, 0, sizeof p);
    p.cp.code = CP_ECHO_REQ, p.cp.id = 7, p.magic = 0xcafef00d;
    wbuf_init(&w, buf, sizeof buf);
    cr_assert(lcp_encode(&w, &p));
    EMIT();
    /* 8: Echo-Reply */
    p.cp.code = CP_ECHO_REPLY, p.cp.id = 8, p.magic = 0x0badf00d;
    wbuf_init(&w, buf, sizeof buf);
    cr_assert(lcp_encode(&w, &p));
    EMIT();
    /* 9: Discard-Request */
    p.cp.code = CP_DISCARD_REQ, p.cp.id = 9, p.magic = 0x11111111;
    wbuf_init(&w, buf, sizeof buf);
    cr_assert(lcp_encode(&w, &p));
    EMIT();
    /* 10: Identification */
    p.cp.code = CP_IDENTIFICATION, p.cp.id = 10, p.magic = 0x22222222;
    p.data = (const uint8_t *)"MSRASV5.20", p.data_len = 10;
    wbuf_init(&w, buf, sizeof buf);
    cr_assert(lcp_encode(&w, &p));
    EMIT();
    /* 11: Time-Remaining */
    p.cp.code = CP_TIME_REMAINING, p.cp.id = 11, p.magic = 0x33333333, p.seconds = 3600;
    p.data = (const uint8_t *)"soon", p.data_len = 4;
    wbuf_init(&w, buf, sizeof buf);
    cr_assert(lcp_encode(&w, &p));
    EMIT();
    /* 12: Code-Reject carrying a rejected LCP packet */
    static const uint8_t rej[] = {0x0e, 0x01, 0x00, 0x04};
    memset(&p, 0, sizeof p);
    p.cp.code = CP_CODE_REJ, p.cp.id = 12, p.data = rej, p.data_len = 4;
    wbuf_init(&w, buf, sizeof buf);
    cr_assert(lcp_encode(&w, &p));
    EMIT();
#undef EMIT
    pcapw_close(pw);

    cr_assert_eq(tshark_malformed_count(path), 0);
    const char *fields[] = {"frame.number", "ppp.code", "ppp.identifier", "ppp.length", "lcp.opt.mru",
                            "lcp.opt.asyncmap", "lcp.opt.auth_protocol", "lcp.opt.algorithm",
                            "lcp.opt.magic_number", "lcp.opt.mrru", "lcp.magic_number", "lcp.secs_remaining",
                            "lcp.rej_proto", "lcp.message", "lcp.opt.operation", "lcp.opt.quality_protocol",
                            "lcp.opt.reporting_period", "lcp.opt.ep_disc_class", "lcp.data", NULL};
    char *out = tshark_fields(path, "lcp", fields);
    cr_assert_not_null(out);
    char v[128];
#define COL(frame, col, expect)                                                                           \
    do {                                                                                                  \
        cr_assert(cpt_tshark_col(out, frame, col, v, sizeof v), "frame %d col %d missing:\n%s", frame, col, out); \
        cr_assert_str_eq(v, expect, "frame %d col %d", frame, col);                                       \
    } while (0)
    COL(1, 1, "1");
    COL(1, 2, "1");
    COL(1, 3, "49");
    COL(1, 4, "1400");
    COL(1, 5, "0x000a0000");
    COL(1, 6, "0xc223");
    COL(1, 7, "129");
    COL(1, 8, "0x12345678");
    COL(1, 9, "1500");
    COL(1, 14, "6");
    COL(1, 15, "0xc025");
    COL(1, 17, "3");
    COL(2, 1, "3");
    COL(2, 6, "0xc223");
    COL(2, 7, "5");
    COL(3, 1, "4");
    COL(3, 6, "0xc023");
    COL(4, 1, "5");
    COL(4, 3, "7");
    COL(5, 1, "6");
    COL(5, 3, "4");
    COL(6, 1, "8");
    COL(6, 12, "0x8057");
    COL(7, 1, "9");
    COL(7, 10, "0xcafef00d");
    COL(8, 1, "10");
    COL(8, 10, "0x0badf00d");
    COL(9, 1, "11");
    COL(9, 10, "0x11111111");
    COL(10, 1, "12");
    COL(10, 10, "0x22222222");
    COL(10, 13, "MSRASV5.20");
    COL(11, 1, "13");
    COL(11, 11, "3600");
    COL(11, 13, "soon");
    COL(12, 1, "7");
    COL(12, 2, "12");
#undef COL
    free(out);
}

/* ---- real captures --------------------------------------------------------- */

typedef struct capture_ctx {
    int lcp, bad, ok;
    bool seen_mschapv2, seen_mru, seen_ident, seen_echo, seen_proto_rej, seen_pap;
} capture_ctx;

static void on_ppp(const cpt_ppp *f, void *arg)
{
    capture_ctx *x = arg;
    if (f->proto != 0xc021)
        return;
    x->lcp++;
    lcp_packet p;
    anomaly_set an;
    anomaly_clear(&an);
    cursor c;
    cursor_init_exact(&c, f->info, f->len);
    dec_status st = lcp_decode(&c, &p, &an);
    if (st != DEC_OK || anomaly_any(&an)) {
        x->bad++;
        return;
    }
    x->ok++;
    if (p.cp.code == CP_CONF_REQ && p.opts.has_auth && p.opts.auth_protocol == 0xc223 &&
        p.opts.auth_algorithm == 0x81 && p.opts.magic == 0x89901122 && p.opts.has_accm && p.opts.accm == 0 &&
        p.opts.pfc && p.opts.acfc)
        x->seen_mschapv2 = true;
    if (p.cp.code == CP_CONF_REQ && p.cp.id == 0 && p.opts.has_mru && p.opts.mru == 1400 &&
        p.opts.magic == 0x6f023e93 && p.opts.has_callback && p.opts.callback_operation == 6)
        x->seen_mru = true;
    if (p.cp.code == CP_IDENTIFICATION && p.magic == 0x6f023e93 && p.data_len == 10 &&
        memcmp(p.data, "MSRASV5.20", 10) == 0)
        x->seen_ident = true;
    if (p.cp.code == CP_ECHO_REQ && p.magic == 0x89901122 && p.cp.length == 8)
        x->seen_echo = true;
    if (p.cp.code == CP_PROTO_REJ && p.rejected_protocol == 0x8057 && p.data_len == 14 && p.data[0] == 1)
        x->seen_proto_rej = true;
    if (p.cp.code == CP_CONF_REQ && p.opts.has_auth && p.opts.auth_protocol == LCP_AUTH_PAP &&
        p.opts.magic == 0x0f3f117c)
        x->seen_pap = true;
}

Test(lcp, vpn_sniffer_capture)
{
    char path[4096];
    if (!external_pcap("pptp_vpn_sniffer__connect.pcapng", path, sizeof path))
        cr_skip("external capture pptp_vpn_sniffer__connect.pcapng absent");
    capture_ctx x;
    memset(&x, 0, sizeof x);
    cr_assert_gt(cpt_each_ppp(path, on_ppp, &x), 0);
    cr_assert_eq(x.lcp, 12, "LCP frames (tshark counts 12)");
    cr_assert_eq(x.bad, 0);
    cr_assert(x.seen_mschapv2, "server Configure-Request: CHAP 0x81, magic 0x89901122");
    cr_assert(x.seen_mru, "client Configure-Request: MRU 1400, callback 6");
    cr_assert(x.seen_ident);
    cr_assert(x.seen_echo);
    cr_assert(x.seen_proto_rej);
}

Test(lcp, packetlife_capture)
{
    char path[4096];
    if (!external_pcap("packetlife__PPTP_negotiation.cap", path, sizeof path))
        cr_skip("external capture packetlife__PPTP_negotiation.cap absent");
    capture_ctx x;
    memset(&x, 0, sizeof x);
    cr_assert_gt(cpt_each_ppp(path, on_ppp, &x), 0);
    cr_assert_eq(x.lcp, 5, "LCP frames (tshark counts 5)");
    cr_assert_eq(x.bad, 0);
    cr_assert(x.seen_pap, "Configure-Request: PAP, magic 0x0f3f117c");
}
