/* test_ccp.c - CCP codec with the MPPE/MPPC option: every code, option bits,
 * truncation, malformed input, round trips, tshark cross-check, real captures. */
#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ccp.h"
#include "cp_test_helpers.h"
#include "names.h"
#include "test_env.h"

static bool has(const anomaly_set *an, const char *name) { return anomaly_has(an, anomaly_by_name(name)); }

static bool span_eq(const uint8_t *a, size_t la, const uint8_t *b, size_t lb)
{
    return la == lb && (la == 0 || memcmp(a, b, la) == 0);
}

static void ccp_consistent(const ccp_packet *part, const uint8_t *pb, const ccp_packet *full, const uint8_t *fb)
{
    if (part->cp.length == 0)
        return;
    cr_assert_eq(part->cp.code, full->cp.code);
    cr_assert_eq(part->cp.id, full->cp.id);
    cr_assert_eq(part->cp.length, full->cp.length);
    cr_assert_leq(part->cp.options.count, full->cp.options.count);
    for (int i = 0; i < part->cp.options.count; i++) {
        const cp_option *a = &part->cp.options.opt[i], *b = &full->cp.options.opt[i];
        cr_assert_eq(a->type, b->type);
        cr_assert_eq(a->vlen, b->vlen);
        cr_assert_eq(a->known, b->known);
        if (a->vlen)
            cr_assert_eq(a->val - pb, b->val - fb);
    }
    if (part->opts.has_mppe) {
        cr_assert(full->opts.has_mppe);
        cr_assert_eq(part->opts.mppe_bits, full->opts.mppe_bits);
        cr_assert_eq(part->opts.mppe_128, full->opts.mppe_128);
        cr_assert_eq(part->opts.mppe_stateless, full->opts.mppe_stateless);
    }
    if (part->data_len) {
        cr_assert_eq(part->data - pb, full->data - fb);
        cr_assert_leq(part->data_len, full->data_len);
    }
}

static void ccp_ok(const uint8_t *b, size_t n, ccp_packet *p, anomaly_set *an, bool allow_anomaly)
{
    cursor c;
    cursor_init_exact(&c, b, n);
    anomaly_clear(an);
    cr_assert_eq(ccp_decode(&c, p, an), DEC_OK);
    cr_assert_eq(cursor_len(&c), 0);
    if (!allow_anomaly)
        cr_assert_not(anomaly_any(an), "unexpected %s", anomaly_name(anomaly_next(an, ANOMALY_NONE)));
    for (size_t k = 0; k < n; k++) {
        uint8_t *copy = malloc(k ? k : 1);
        memcpy(copy, b, k);
        cursor_init(&c, copy, k);
        ccp_packet part;
        cr_assert_eq(ccp_decode(&c, &part, NULL), DEC_TRUNCATED, "prefix %zu of %zu", k, n);
        cr_assert_eq(cursor_len(&c), 0);
        ccp_consistent(&part, copy, p, b);
        free(copy);
    }
}

static dec_status ccp_open(const uint8_t *b, size_t n, ccp_packet *p, anomaly_set *an)
{
    cursor c;
    cursor_init(&c, b, n);
    anomaly_clear(an);
    return ccp_decode(&c, p, an);
}

/* ---- MPPE option ------------------------------------------------------------- */

Test(ccp, mppe_stateless_128)
{
    static const uint8_t b[] = {0x01, 0x01, 0x00, 0x0a, 0x12, 0x06, 0x01, 0x00, 0x00, 0x40};
    ccp_packet p;
    anomaly_set an;
    ccp_ok(b, sizeof b, &p, &an, false);
    cr_assert_eq(p.cp.code, CP_CONF_REQ);
    cr_assert_str_eq(ccp_code_name(p.cp.code), "Configure-Request");
    cr_assert(p.opts.has_mppe);
    cr_assert_eq(p.opts.mppe_bits, 0x01000040);
    cr_assert(p.opts.mppe_stateless);
    cr_assert(p.opts.mppe_128);
    cr_assert_not(p.opts.mppe_56);
    cr_assert_not(p.opts.mppe_40);
    cr_assert_not(p.opts.mppe_obsolete_d);
    cr_assert_not(p.opts.mppc);
    cr_assert_eq(ccp_mppe_key_bits(p.opts.mppe_bits), 128);
    cr_assert(p.cp.options.opt[0].known);
    cr_assert_str_eq(ccp_opt_name(CCP_OPT_MPPE), "MPPE/MPPC");
}

Test(ccp, mppe_each_bit)
{
    static const struct {
        uint32_t bits;
        unsigned key;
        bool h, s, m, l, d, c;
    } v[] = {
        {0x01000000, 0, 1, 0, 0, 0, 0, 0},   {0x00000080, 56, 0, 0, 1, 0, 0, 0},
        {0x00000040, 128, 0, 1, 0, 0, 0, 0}, {0x00000020, 40, 0, 0, 0, 1, 0, 0},
        {0x00000010, 0, 0, 0, 0, 0, 1, 0},   {0x00000001, 0, 0, 0, 0, 0, 0, 1},
        {0x010000f1, 128, 1, 1, 1, 1, 1, 1}, {0x000000a0, 56, 0, 0, 1, 1, 0, 0},
    };
    for (size_t i = 0; i < ARRAY_LEN(v); i++) {
        uint8_t b[] = {0x03, (uint8_t)i, 0x00, 0x0a, 0x12, 0x06, (uint8_t)(v[i].bits >> 24),
                       (uint8_t)(v[i].bits >> 16), (uint8_t)(v[i].bits >> 8), (uint8_t)v[i].bits};
        ccp_packet p;
        anomaly_set an;
        ccp_ok(b, sizeof b, &p, &an, false);
        cr_assert_eq(p.opts.mppe_bits, v[i].bits);
        cr_assert_eq(p.opts.mppe_stateless, v[i].h, "case %zu H", i);
        cr_assert_eq(p.opts.mppe_128, v[i].s, "case %zu S", i);
        cr_assert_eq(p.opts.mppe_56, v[i].m, "case %zu M", i);
        cr_assert_eq(p.opts.mppe_40, v[i].l, "case %zu L", i);
        cr_assert_eq(p.opts.mppe_obsolete_d, v[i].d, "case %zu D", i);
        cr_assert_eq(p.opts.mppc, v[i].c, "case %zu C", i);
        cr_assert_eq(ccp_mppe_key_bits(v[i].bits), v[i].key, "case %zu key bits", i);
    }
}

Test(ccp, mppe_unknown_bits_noted_but_decoded)
{
    static const uint8_t b[] = {0x01, 0x01, 0x00, 0x0a, 0x12, 0x06, 0x00, 0x00, 0x01, 0x40};
    ccp_packet p;
    anomaly_set an;
    ccp_ok(b, sizeof b, &p, &an, true);
    cr_assert(has(&an, "ppp.ccp.mppe_unknown_bits"));
    cr_assert(p.opts.has_mppe);
    cr_assert(p.opts.mppe_128);
    cr_assert_eq(p.opts.mppe_bits, 0x140);
}

Test(ccp, mppe_wrong_size_and_duplicate)
{
    static const uint8_t bad[] = {0x01, 0x01, 0x00, 0x09, 0x12, 0x05, 0x01, 0x00, 0x00};
    static const uint8_t dup[] = {0x01, 0x01, 0x00, 0x10, 0x12, 0x06, 0, 0, 0, 0x40, 0x12, 0x06, 0, 0, 0, 0x20};
    ccp_packet p;
    anomaly_set an;
    ccp_ok(bad, sizeof bad, &p, &an, true);
    cr_assert(has(&an, "ppp.ccp.option_bad_size"));
    cr_assert_not(p.opts.has_mppe);
    cr_assert_eq(p.cp.options.count, 1);
    cr_assert_not(p.cp.options.opt[0].known);
    ccp_ok(dup, sizeof dup, &p, &an, true);
    cr_assert(has(&an, "ppp.ccp.duplicate_option"));
    cr_assert_eq(p.opts.mppe_bits, 0x40, "first occurrence wins");
    cr_assert_not(p.cp.options.opt[1].known);
}

Test(ccp, other_compression_options_named_and_kept)
{
    static const uint8_t b[] = {0x01, 0x02, 0x00, 0x17, 0x1a, 0x04, 0x78, 0x00, /* Deflate */
                                0x15, 0x03, 0x2f,                               /* BSD-Compress v1 15 */
                                0x01, 0x02,                                     /* Predictor-1 */
                                0x11, 0x05, 0x00, 0x01, 0x03,                   /* Stac LZS */
                                0x12, 0x06, 0x01, 0x00, 0x00};                  /* MPPE (needs 1 more) */
    ccp_packet p;
    anomaly_set an;
    /* Length 23 is one short of the MPPE option: the option runs past Length */
    cr_assert_eq(ccp_open(b, sizeof b, &p, &an), DEC_MALFORMED);
    cr_assert(has(&an, "ppp.ccp.option_truncated"));
    static const uint8_t ok[] = {0x01, 0x02, 0x00, 0x18, 0x1a, 0x04, 0x78, 0x00, 0x15, 0x03, 0x2f, 0x01,
                                 0x02, 0x11, 0x05, 0x00, 0x01, 0x03, 0x12, 0x06, 0x01, 0x00, 0x00, 0x20};
    ccp_ok(ok, sizeof ok, &p, &an, false);
    cr_assert_eq(p.cp.options.count, 5);
    cr_assert_eq(p.cp.options.opt[0].type, CCP_OPT_DEFLATE);
    cr_assert_eq(p.cp.options.opt[0].vlen, 2);
    cr_assert_eq(p.cp.options.opt[0].val[0], 0x78);
    cr_assert_eq(p.cp.options.opt[1].type, CCP_OPT_BSD_COMPRESS);
    cr_assert_eq(p.cp.options.opt[1].val[0], 0x2f);
    cr_assert_eq(p.cp.options.opt[2].vlen, 0);
    cr_assert_eq(p.cp.options.opt[3].vlen, 3);
    cr_assert_not(p.cp.options.opt[0].known);
    cr_assert(p.cp.options.opt[4].known);
    cr_assert(p.opts.mppe_40);
    cr_assert(p.opts.mppe_stateless);
    cr_assert_eq(ccp_mppe_key_bits(p.opts.mppe_bits), 40);
    cr_assert_str_eq(ccp_opt_name(CCP_OPT_DEFLATE), "Deflate");
    cr_assert_str_eq(ccp_opt_name(CCP_OPT_BSD_COMPRESS), "BSD-Compress");
    cr_assert_str_eq(ccp_opt_name(CCP_OPT_PREDICTOR1), "Predictor-1");
    cr_assert_str_eq(ccp_opt_name(CCP_OPT_STAC_LZS), "Stac-LZS");
    cr_assert_str_eq(ccp_opt_name(CCP_OPT_OUI), "OUI");
    cr_assert_str_eq(ccp_opt_name(CCP_OPT_V44), "V.44");
    cr_assert_str_eq(ccp_opt_name(CCP_OPT_GANDALF_FZA), "Gandalf-FZA");
    cr_assert_str_eq(ccp_opt_name(99), "unknown");
    /* re-encoding puts MPPE first, then the raw ones in order */
    uint8_t out[64];
    wbuf w;
    wbuf_init(&w, out, sizeof out);
    cr_assert(ccp_encode(&w, &p));
    cr_assert_eq(wbuf_len(&w), sizeof ok);
    static const uint8_t want[] = {0x01, 0x02, 0x00, 0x18, 0x12, 0x06, 0x01, 0x00, 0x00, 0x20, 0x1a, 0x04,
                                   0x78, 0x00, 0x15, 0x03, 0x2f, 0x01, 0x02, 0x11, 0x05, 0x00, 0x01, 0x03};
    cr_assert_arr_eq(out, want, sizeof want);
}

/* ---- the other codes ------------------------------------------------------- */

Test(ccp, ack_reject_terminate_code_reject)
{
    static const uint8_t ack[] = {0x02, 0x08, 0x00, 0x0a, 0x12, 0x06, 0x01, 0x00, 0x00, 0x40};
    static const uint8_t rej[] = {0x04, 0x09, 0x00, 0x08, 0x1a, 0x04, 0x78, 0x00};
    static const uint8_t treq[] = {0x05, 0x0a, 0x00, 0x04};
    static const uint8_t tack[] = {0x06, 0x0a, 0x00, 0x07, 'e', 'n', 'd'};
    static const uint8_t crej[] = {0x07, 0x0b, 0x00, 0x08, 0x10, 0x01, 0x00, 0x04};
    ccp_packet p;
    anomaly_set an;
    ccp_ok(ack, sizeof ack, &p, &an, false);
    cr_assert_eq(p.cp.code, CP_CONF_ACK);
    cr_assert_eq(p.cp.id, 8);
    cr_assert(p.opts.mppe_128);
    ccp_ok(rej, sizeof rej, &p, &an, false);
    cr_assert_eq(p.cp.code, CP_CONF_REJ);
    cr_assert_not(p.opts.has_mppe);
    cr_assert_eq(p.cp.options.opt[0].type, CCP_OPT_DEFLATE);
    ccp_ok(treq, sizeof treq, &p, &an, false);
    cr_assert_eq(p.cp.code, CP_TERM_REQ);
    cr_assert_eq(p.data_len, 0);
    ccp_ok(tack, sizeof tack, &p, &an, false);
    cr_assert_eq(p.cp.code, CP_TERM_ACK);
    cr_assert_eq(p.data_len, 3);
    cr_assert_arr_eq(p.data, "end", 3);
    ccp_ok(crej, sizeof crej, &p, &an, false);
    cr_assert_eq(p.cp.code, CP_CODE_REJ);
    cr_assert_eq(p.data_len, 4);
    cr_assert_eq(p.data[0], 0x10);
}

Test(ccp, reset_request_and_ack)
{
    static const uint8_t req[] = {0x0e, 0x05, 0x00, 0x04};
    static const uint8_t ack[] = {0x0f, 0x05, 0x00, 0x04};
    static const uint8_t req_data[] = {0x0e, 0x06, 0x00, 0x06, 0xaa, 0xbb};
    ccp_packet p;
    anomaly_set an;
    ccp_ok(req, sizeof req, &p, &an, false);
    cr_assert_eq(p.cp.code, CP_RESET_REQ);
    cr_assert_str_eq(ccp_code_name(CP_RESET_REQ), "Reset-Request");
    cr_assert_eq(p.cp.id, 5);
    cr_assert_eq(p.data_len, 0);
    ccp_ok(ack, sizeof ack, &p, &an, false);
    cr_assert_eq(p.cp.code, CP_RESET_ACK);
    cr_assert_str_eq(ccp_code_name(CP_RESET_ACK), "Reset-Ack");
    cr_assert_eq(p.cp.id, 5);
    ccp_ok(req_data, sizeof req_data, &p, &an, false);
    cr_assert_eq(p.data_len, 2);
    cr_assert_eq(p.data[1], 0xbb);
}

Test(ccp, lcp_code_is_unknown_for_ccp)
{
    static const uint8_t b[] = {0x09, 0x01, 0x00, 0x08, 1, 2, 3, 4};
    ccp_packet p;
    anomaly_set an;
    ccp_ok(b, sizeof b, &p, &an, true);
    cr_assert(has(&an, "ppp.ccp.unknown_code"));
    cr_assert_str_eq(ccp_code_name(9), "unknown");
    cr_assert_eq(p.data_len, 4);
}

Test(ccp, malformed)
{
    static const uint8_t len0[] = {0x0e, 0x01, 0x00, 0x00};
    static const uint8_t opt0[] = {0x01, 0x01, 0x00, 0x06, 0x12, 0x00};
    static const uint8_t opt1[] = {0x01, 0x01, 0x00, 0x06, 0x12, 0x01};
    static const uint8_t past[] = {0x01, 0x01, 0x00, 0x08, 0x12, 0x06, 0x01, 0x00, 0x00, 0x40};
    ccp_packet p;
    anomaly_set an;
    cr_assert_eq(ccp_open(len0, sizeof len0, &p, &an), DEC_MALFORMED);
    cr_assert(has(&an, "ppp.ccp.bad_length"));
    cr_assert_eq(ccp_open(opt0, sizeof opt0, &p, &an), DEC_MALFORMED);
    cr_assert(has(&an, "ppp.ccp.option_bad_length"));
    cr_assert_eq(ccp_open(opt1, sizeof opt1, &p, &an), DEC_MALFORMED);
    cr_assert(has(&an, "ppp.ccp.option_bad_length"));
    cr_assert_eq(ccp_open(past, sizeof past, &p, &an), DEC_MALFORMED);
    cr_assert(has(&an, "ppp.ccp.option_truncated"));
    cr_assert_not(p.opts.has_mppe);
    /* exact frame shorter than Length */
    cursor c;
    static const uint8_t cut[] = {0x01, 0x01, 0x00, 0x0a, 0x12, 0x06};
    cursor_init_exact(&c, cut, sizeof cut);
    anomaly_clear(&an);
    cr_assert_eq(ccp_decode(&c, &p, &an), DEC_MALFORMED);
    cr_assert(has(&an, "ppp.ccp.length_overrun"));
}

/* ---- encoding -------------------------------------------------------------- */

Test(ccp, encode_from_flags)
{
    ccp_packet p;
    memset(&p, 0, sizeof p);
    p.cp.code = CP_CONF_REQ;
    p.cp.id = 1;
    p.opts.has_mppe = true;
    p.opts.mppe_stateless = true;
    p.opts.mppe_128 = true;
    uint8_t out[32];
    wbuf w;
    wbuf_init(&w, out, sizeof out);
    cr_assert(ccp_encode(&w, &p));
    static const uint8_t want[] = {0x01, 0x01, 0x00, 0x0a, 0x12, 0x06, 0x01, 0x00, 0x00, 0x40};
    cr_assert_eq(wbuf_len(&w), sizeof want);
    cr_assert_arr_eq(out, want, sizeof want);
    ccp_options o;
    memset(&o, 0, sizeof o);
    ccp_mppe_set_bits(&o, CCP_MPPE_L | CCP_MPPE_C);
    cr_assert(o.has_mppe && o.mppe_40 && o.mppc && !o.mppe_128);
    cr_assert_eq(ccp_mppe_bits(&o), 0x21);
    /* Reset-Ack */
    memset(&p, 0, sizeof p);
    p.cp.code = CP_RESET_ACK;
    p.cp.id = 9;
    wbuf_init(&w, out, sizeof out);
    cr_assert(ccp_encode(&w, &p));
    cr_assert_eq(wbuf_len(&w), 4);
    cr_assert_arr_eq(out, ((uint8_t[]){0x0f, 0x09, 0x00, 0x04}), 4);
}

static uint32_t rnd_state = 777;
static uint32_t rnd(void)
{
    rnd_state ^= rnd_state << 13;
    rnd_state ^= rnd_state >> 17;
    rnd_state ^= rnd_state << 5;
    return rnd_state;
}

Test(ccp, random_round_trip)
{
    static uint8_t pool[4096], out[2048];
    static const uint8_t codes[] = {1, 2, 3, 4, 5, 6, 7, 14, 15, 8, 0, 100};
    static const uint8_t untyped[] = {0, 1, 2, 3, 16, 17, 19, 20, 21, 23, 24, 25, 26, 27, 255};
    for (int iter = 0; iter < 3000; iter++) {
        ccp_packet x, y;
        memset(&x, 0, sizeof x);
        size_t used = 0;
        x.cp.code = codes[rnd() % sizeof codes];
        x.cp.id = (uint8_t)rnd();
        bool odd_bits = false;
        if (cp_code_has_options(x.cp.code)) {
            if (rnd() & 1) {
                uint32_t bits = rnd();
                if (rnd() & 3)
                    bits &= CCP_MPPE_KNOWN_BITS;
                odd_bits = (bits & ~CCP_MPPE_KNOWN_BITS) != 0;
                ccp_mppe_set_bits(&x.opts, bits);
            }
            int extra = (int)(rnd() % 4);
            for (int i = 0; i < extra; i++) {
                size_t n = rnd() % 20;
                for (size_t k = 0; k < n; k++)
                    pool[used + k] = (uint8_t)rnd();
                cp_option_list_add(&x.cp.options, untyped[rnd() % sizeof untyped], n ? pool + used : NULL, n);
                used += n;
            }
        } else if ((x.data_len = rnd() % 40)) {
            for (size_t k = 0; k < x.data_len; k++)
                pool[used + k] = (uint8_t)rnd();
            x.data = pool + used;
            used += x.data_len;
        }
        wbuf w;
        wbuf_init(&w, out, sizeof out);
        cr_assert(ccp_encode(&w, &x));
        cursor c;
        cursor_init_exact(&c, out, wbuf_len(&w));
        anomaly_set an;
        anomaly_clear(&an);
        cr_assert_eq(ccp_decode(&c, &y, &an), DEC_OK);
        if (cp_code_valid(CP_CCP, x.cp.code) && !odd_bits)
            cr_assert_not(anomaly_any(&an), "iteration %d: %s", iter, anomaly_name(anomaly_next(&an, 0)));
        cr_assert_eq(y.cp.code, x.cp.code);
        cr_assert_eq(y.cp.id, x.cp.id);
        cr_assert_eq(y.cp.length, wbuf_len(&w));
        cr_assert_eq(memcmp(&x.opts, &y.opts, sizeof x.opts), 0, "iteration %d: typed options differ", iter);
        int j = 0;
        for (int i = 0; i < x.cp.options.count; i++) {
            while (j < y.cp.options.count && y.cp.options.opt[j].known)
                j++;
            cr_assert_lt(j, y.cp.options.count);
            const cp_option *u = &x.cp.options.opt[i], *v = &y.cp.options.opt[j++];
            cr_assert_eq(u->type, v->type);
            cr_assert(span_eq(u->val, u->vlen, v->val, v->vlen));
        }
        cr_assert(span_eq(x.data, x.data_len, y.data, y.data_len));
    }
}

/* ---- tshark cross-check ---------------------------------------------------- */

Test(ccp, tshark_agrees_with_encoded_packets)
{
    if (!tshark_available())
        cr_skip("tshark not installed");
    char path[4096];
    scratch_path("ccp_tshark.pcap", path, sizeof path);
    pcapw *pw = pcapw_open(path, 1);
    cr_assert_not_null(pw);
    uint8_t buf[256];
    wbuf w;
    ccp_packet p;
    static const uint32_t bits[] = {0x01000040, 0x000000a0, 0x01000001, 0x00000080};
    uint32_t seq = 1;
    for (int i = 0; i < 4; i++) {
        memset(&p, 0, sizeof p);
        p.cp.code = (uint8_t)(CP_CONF_REQ + i);
        p.cp.id = (uint8_t)(i + 1);
        ccp_mppe_set_bits(&p.opts, bits[i]);
        wbuf_init(&w, buf, sizeof buf);
        cr_assert(ccp_encode(&w, &p));
        cr_assert_eq(cpt_write_gre_ppp(pw, 1000000ull * seq, 0x80fd, buf, wbuf_len(&w), 9, seq), 0);
        seq++;
    }
    /* 5: Configure-Request with Deflate and BSD-Compress written raw */
    memset(&p, 0, sizeof p);
    p.cp.code = CP_CONF_REQ, p.cp.id = 5;
    cp_option_list_add(&p.cp.options, CCP_OPT_DEFLATE, "\x78\x00", 2);
    cp_option_list_add(&p.cp.options, CCP_OPT_BSD_COMPRESS, "\x2f", 1);
    wbuf_init(&w, buf, sizeof buf);
    cr_assert(ccp_encode(&w, &p));
    cr_assert_eq(cpt_write_gre_ppp(pw, 1000000ull * seq, 0x80fd, buf, wbuf_len(&w), 9, seq), 0);
    seq++;
    /* 6, 7: Reset-Request, Reset-Ack; 8: Terminate-Request */
    static const uint8_t codes[] = {CP_RESET_REQ, CP_RESET_ACK, CP_TERM_REQ};
    for (int i = 0; i < 3; i++) {
        memset(&p, 0, sizeof p);
        p.cp.code = codes[i];
        p.cp.id = (uint8_t)(6 + i);
        wbuf_init(&w, buf, sizeof buf);
        cr_assert(ccp_encode(&w, &p));
        cr_assert_eq(cpt_write_gre_ppp(pw, 1000000ull * seq, 0x80fd, buf, wbuf_len(&w), 9, seq), 0);
        seq++;
    }
    pcapw_close(pw);

    cr_assert_eq(tshark_malformed_count(path), 0);
    const char *fields[] = {"frame.number", "ppp.code", "ppp.identifier", "ppp.length", "ccp.opt.supported_bits",
                            "ccp.opt.supported_bits.h", "ccp.opt.supported_bits.m", "ccp.opt.supported_bits.s",
                            "ccp.opt.supported_bits.l", "ccp.opt.supported_bits.c", "ccp.opt.type",
                            "ccp.opt.window", "ccp.opt.vd.vers", "ccp.opt.vd.dict", NULL};
    char *out = tshark_fields(path, "ccp", fields);
    cr_assert_not_null(out);
    char v[128];
#define COL(frame, col, expect)                                                                  \
    do {                                                                                         \
        cr_assert(cpt_tshark_col(out, frame, col, v, sizeof v), "frame %d col %d:\n%s", frame, col, out); \
        cr_assert_str_eq(v, expect, "frame %d col %d", frame, col);                              \
    } while (0)
    COL(1, 1, "1");
    COL(1, 3, "10");
    COL(1, 4, "0x01000040");
    COL(1, 5, "1");
    COL(1, 6, "0");
    COL(1, 7, "1");
    COL(1, 8, "0");
    COL(2, 1, "2");
    COL(2, 4, "0x000000a0");
    COL(2, 6, "1");
    COL(2, 7, "0");
    COL(2, 8, "1");
    COL(3, 1, "3");
    COL(3, 4, "0x01000001");
    COL(3, 9, "1");
    COL(4, 1, "4");
    COL(4, 6, "1");
    COL(5, 10, "26");
    COL(5, 11, "7"); /* window nibble: 2^(7+8) = 32768 */
    COL(5, 12, "1");
    COL(5, 13, "15");
    COL(6, 1, "14");
    COL(6, 2, "6");
    COL(7, 1, "15");
    COL(8, 1, "5");
#undef COL
    free(out);
}

/* ---- real captures --------------------------------------------------------- */

typedef struct cap_ctx {
    int ccp, bad;
    bool client_h_only, server_h_s, nak_h_s, ack_h_s;
} cap_ctx;

static void on_ppp(const cpt_ppp *f, void *arg)
{
    cap_ctx *x = arg;
    if (f->proto != 0x80fd)
        return;
    x->ccp++;
    cursor c;
    cursor_init_exact(&c, f->info, f->len);
    anomaly_set an;
    anomaly_clear(&an);
    ccp_packet p;
    if (ccp_decode(&c, &p, &an) != DEC_OK || anomaly_any(&an)) {
        x->bad++;
        return;
    }
    const ccp_options *o = &p.opts;
    if (p.cp.code == CP_CONF_REQ && p.cp.id == 6 && o->mppe_bits == 0x01000000 && o->mppe_stateless &&
        ccp_mppe_key_bits(o->mppe_bits) == 0)
        x->client_h_only = true;
    if (p.cp.code == CP_CONF_REQ && p.cp.id == 1 && o->mppe_bits == 0x01000040 && o->mppe_128)
        x->server_h_s = true;
    if (p.cp.code == CP_CONF_NAK && p.cp.id == 6 && o->mppe_bits == 0x01000040 &&
        ccp_mppe_key_bits(o->mppe_bits) == 128)
        x->nak_h_s = true;
    if (p.cp.code == CP_CONF_ACK && p.cp.id == 8 && o->mppe_stateless && o->mppe_128)
        x->ack_h_s = true;
}

Test(ccp, vpn_sniffer_capture)
{
    char path[4096];
    if (!external_pcap("pptp_vpn_sniffer__connect.pcapng", path, sizeof path))
        cr_skip("external capture pptp_vpn_sniffer__connect.pcapng absent");
    cap_ctx x;
    memset(&x, 0, sizeof x);
    cr_assert_gt(cpt_each_ppp(path, on_ppp, &x), 0);
    cr_assert_eq(x.ccp, 6, "CCP frames (tshark counts 6)");
    cr_assert_eq(x.bad, 0);
    cr_assert(x.client_h_only, "client offers H only (asks the server to choose)");
    cr_assert(x.server_h_s, "server requests H + S (stateless 128-bit)");
    cr_assert(x.nak_h_s);
    cr_assert(x.ack_h_s);
}

Test(ccp, packetlife_capture_has_no_ccp)
{
    char path[4096];
    if (!external_pcap("packetlife__PPTP_negotiation.cap", path, sizeof path))
        cr_skip("external capture packetlife__PPTP_negotiation.cap absent");
    cap_ctx x;
    memset(&x, 0, sizeof x);
    cr_assert_gt(cpt_each_ppp(path, on_ppp, &x), 0);
    cr_assert_eq(x.ccp, 0, "unencrypted PAP session: no CCP");
}
