/* test_ipcp.c - IPCP and IPV6CP codecs: every code and option, truncation,
 * malformed input, randomised round trips, tshark cross-check, real captures. */
#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cp_test_helpers.h"
#include "ipcp.h"
#include "ipv6cp.h"
#include "test_env.h"

static bool has(const anomaly_set *an, const char *name) { return anomaly_has(an, anomaly_by_name(name)); }

static bool span_eq(const uint8_t *a, size_t la, const uint8_t *b, size_t lb)
{
    return la == lb && (la == 0 || memcmp(a, b, la) == 0);
}

/* ---- generic checks shared by both protocols --------------------------------- */

/* The framing part of a prefix decode agrees with the full decode. */
static void cp_consistent(const cp_packet *part, const uint8_t *pb, const cp_packet *full, const uint8_t *fb)
{
    if (part->length == 0)
        return;
    cr_assert_eq(part->code, full->code);
    cr_assert_eq(part->id, full->id);
    cr_assert_eq(part->length, full->length);
    cr_assert_leq(part->options.count, full->options.count);
    for (int i = 0; i < part->options.count; i++) {
        const cp_option *a = &part->options.opt[i], *b = &full->options.opt[i];
        cr_assert_eq(a->type, b->type);
        cr_assert_eq(a->vlen, b->vlen);
        cr_assert_eq(a->known, b->known);
        if (a->vlen)
            cr_assert_eq(a->val - pb, b->val - fb);
    }
    cr_assert_leq(part->body_len, full->body_len);
}

static void data_consistent(const uint8_t *pd, size_t pl, const uint8_t *pb, const uint8_t *fd, size_t fl,
                            const uint8_t *fb)
{
    if (!pl)
        return;
    cr_assert_eq(pd - pb, fd - fb);
    cr_assert_leq(pl, fl);
}

#define SAME_IF(flag, field)                                                                    \
    do {                                                                                        \
        if (part->opts.flag) {                                                                  \
            cr_assert(full->opts.flag, #flag " only in the prefix decode");                     \
            cr_assert_eq(part->opts.field, full->opts.field, #field " differs in a prefix");   \
        }                                                                                       \
    } while (0)

static void ipcp_consistent(const ipcp_packet *part, const uint8_t *pb, const ipcp_packet *full, const uint8_t *fb)
{
    cp_consistent(&part->cp, pb, &full->cp, fb);
    SAME_IF(has_addresses, src_address);
    SAME_IF(has_addresses, dst_address);
    SAME_IF(has_compression, compression_protocol);
    SAME_IF(has_compression, vj_max_slot_id);
    SAME_IF(has_compression, vj_comp_slot_id);
    SAME_IF(has_compression, compression_data_len);
    SAME_IF(has_address, address);
    SAME_IF(has_primary_dns, primary_dns);
    SAME_IF(has_primary_nbns, primary_nbns);
    SAME_IF(has_secondary_dns, secondary_dns);
    SAME_IF(has_secondary_nbns, secondary_nbns);
    data_consistent(part->data, part->data_len, pb, full->data, full->data_len, fb);
}

static void ipv6cp_consistent(const ipv6cp_packet *part, const uint8_t *pb, const ipv6cp_packet *full,
                              const uint8_t *fb)
{
    cp_consistent(&part->cp, pb, &full->cp, fb);
    if (part->opts.has_interface_id) {
        cr_assert(full->opts.has_interface_id);
        cr_assert_arr_eq(part->opts.interface_id, full->opts.interface_id, 8);
    }
    SAME_IF(has_compression, compression_protocol);
    SAME_IF(has_compression, compression_data_len);
    data_consistent(part->data, part->data_len, pb, full->data, full->data_len, fb);
}

static void ipcp_ok(const uint8_t *b, size_t n, ipcp_packet *p, anomaly_set *an, bool allow_anomaly)
{
    cursor c;
    cursor_init_exact(&c, b, n);
    anomaly_clear(an);
    cr_assert_eq(ipcp_decode(&c, p, an), DEC_OK);
    if (!allow_anomaly)
        cr_assert_not(anomaly_any(an), "unexpected %s", anomaly_name(anomaly_next(an, ANOMALY_NONE)));
    for (size_t k = 0; k < n; k++) {
        uint8_t *copy = malloc(k ? k : 1);
        memcpy(copy, b, k);
        cursor_init(&c, copy, k);
        ipcp_packet part;
        cr_assert_eq(ipcp_decode(&c, &part, NULL), DEC_TRUNCATED, "prefix %zu of %zu", k, n);
        cr_assert_eq(cursor_len(&c), 0);
        ipcp_consistent(&part, copy, p, b);
        free(copy);
    }
}

static void ipv6cp_ok(const uint8_t *b, size_t n, ipv6cp_packet *p, anomaly_set *an, bool allow_anomaly)
{
    cursor c;
    cursor_init_exact(&c, b, n);
    anomaly_clear(an);
    cr_assert_eq(ipv6cp_decode(&c, p, an), DEC_OK);
    if (!allow_anomaly)
        cr_assert_not(anomaly_any(an), "unexpected %s", anomaly_name(anomaly_next(an, ANOMALY_NONE)));
    for (size_t k = 0; k < n; k++) {
        uint8_t *copy = malloc(k ? k : 1);
        memcpy(copy, b, k);
        cursor_init(&c, copy, k);
        ipv6cp_packet part;
        cr_assert_eq(ipv6cp_decode(&c, &part, NULL), DEC_TRUNCATED, "prefix %zu of %zu", k, n);
        ipv6cp_consistent(&part, copy, p, b);
        free(copy);
    }
}

static dec_status ipcp_open(const uint8_t *b, size_t n, ipcp_packet *p, anomaly_set *an)
{
    cursor c;
    cursor_init(&c, b, n);
    anomaly_clear(an);
    return ipcp_decode(&c, p, an);
}

static dec_status ipv6cp_open(const uint8_t *b, size_t n, ipv6cp_packet *p, anomaly_set *an)
{
    cursor c;
    cursor_init(&c, b, n);
    anomaly_clear(an);
    return ipv6cp_decode(&c, p, an);
}

/* ---- IPCP vectors ------------------------------------------------------------ */

static const uint8_t ipcp_req_all[] = {
    0x01, 0x01, 0x00, 0x32,                                     /* Configure-Request len 50 */
    0x01, 0x0a, 0x0a, 0x00, 0x00, 0x01, 0x0a, 0x00, 0x00, 0x02, /* IP-Addresses */
    0x02, 0x06, 0x00, 0x2d, 0x0f, 0x01,                         /* VJ, max slot 15, comp slot 1 */
    0x03, 0x06, 0x0a, 0x00, 0x00, 0x64,                         /* IP-Address 10.0.0.100 */
    0x81, 0x06, 0xdf, 0x05, 0x05, 0x05,                         /* Primary DNS 223.5.5.5 */
    0x82, 0x06, 0x0a, 0x00, 0x00, 0x05,                         /* Primary NBNS 10.0.0.5 */
    0x83, 0x06, 0xdf, 0x06, 0x06, 0x06,                         /* Secondary DNS 223.6.6.6 */
    0x84, 0x06, 0x0a, 0x00, 0x00, 0x06,                         /* Secondary NBNS 10.0.0.6 */
};

Test(ipcp, configure_request_every_option)
{
    ipcp_packet p;
    anomaly_set an;
    ipcp_ok(ipcp_req_all, sizeof ipcp_req_all, &p, &an, false);
    cr_assert_eq(p.cp.code, CP_CONF_REQ);
    cr_assert_eq(p.cp.length, 50);
    cr_assert_eq(p.cp.options.count, 7);
    const ipcp_options *o = &p.opts;
    cr_assert(o->has_addresses);
    cr_assert_eq(o->src_address, 0x0a000001);
    cr_assert_eq(o->dst_address, 0x0a000002);
    cr_assert(o->has_compression);
    cr_assert_eq(o->compression_protocol, IPCP_COMP_VJ);
    cr_assert_str_eq(ipcp_compression_name(o->compression_protocol), "Van-Jacobson");
    cr_assert_eq(o->vj_max_slot_id, 15);
    cr_assert_eq(o->vj_comp_slot_id, 1);
    cr_assert(o->has_address);
    cr_assert_eq(o->address, 0x0a000064);
    cr_assert(o->has_primary_dns);
    cr_assert_eq(o->primary_dns, 0xdf050505);
    cr_assert(o->has_primary_nbns);
    cr_assert_eq(o->primary_nbns, 0x0a000005);
    cr_assert(o->has_secondary_dns);
    cr_assert_eq(o->secondary_dns, 0xdf060606);
    cr_assert(o->has_secondary_nbns);
    cr_assert_eq(o->secondary_nbns, 0x0a000006);
    cr_assert_str_eq(ipcp_opt_name(IPCP_OPT_SECONDARY_NBNS), "Secondary-NBNS");
    cr_assert_str_eq(ipcp_opt_name(IPCP_OPT_ADDRESS), "IP-Address");
}

Test(ipcp, iphc_compression_keeps_parameters)
{
    static const uint8_t b[] = {0x01, 0x02, 0x00, 0x12, 0x02, 0x0e, 0x00, 0x61, 0x00, 0x0f, 0x00,
                                0x0f, 0x00, 0xff, 0x00, 0x40, 0x00, 0x10};
    ipcp_packet p;
    anomaly_set an;
    ipcp_ok(b, sizeof b, &p, &an, false);
    cr_assert(p.opts.has_compression);
    cr_assert_eq(p.opts.compression_protocol, IPCP_COMP_IPHC);
    cr_assert_eq(p.opts.compression_data_len, 10);
    cr_assert_eq(p.opts.compression_data[1], 0x0f);
    cr_assert_eq(p.opts.compression_data[9], 0x10);
}

Test(ipcp, ack_nak_reject)
{
    static const uint8_t ack[] = {0x02, 0x0b, 0x00, 0x0a, 0x03, 0x06, 0x0a, 0x00, 0x00, 0x64};
    static const uint8_t nak[] = {0x03, 0x0a, 0x00, 0x16, 0x03, 0x06, 0x0a, 0x00, 0x00, 0x64, 0x81,
                                  0x06, 0xdf, 0x05, 0x05, 0x05, 0x83, 0x06, 0xdf, 0x06, 0x06, 0x06};
    static const uint8_t rej[] = {0x04, 0x09, 0x00, 0x10, 0x82, 0x06, 0, 0, 0, 0, 0x84, 0x06, 0, 0, 0, 0};
    ipcp_packet p;
    anomaly_set an;
    ipcp_ok(ack, sizeof ack, &p, &an, false);
    cr_assert_eq(p.cp.code, CP_CONF_ACK);
    cr_assert_eq(p.opts.address, 0x0a000064);
    ipcp_ok(nak, sizeof nak, &p, &an, false);
    cr_assert_eq(p.cp.code, CP_CONF_NAK);
    cr_assert_str_eq(ipcp_code_name(p.cp.code), "Configure-Nak");
    cr_assert_eq(p.opts.address, 0x0a000064);
    cr_assert_eq(p.opts.primary_dns, 0xdf050505);
    cr_assert_eq(p.opts.secondary_dns, 0xdf060606);
    cr_assert_not(p.opts.has_primary_nbns);
    ipcp_ok(rej, sizeof rej, &p, &an, false);
    cr_assert_eq(p.cp.code, CP_CONF_REJ);
    cr_assert(p.opts.has_primary_nbns);
    cr_assert(p.opts.has_secondary_nbns);
    cr_assert_eq(p.opts.primary_nbns, 0);
    cr_assert_not(p.opts.has_address);
}

Test(ipcp, terminate_and_code_reject)
{
    static const uint8_t treq[] = {0x05, 0x01, 0x00, 0x06, 'n', 'o'};
    static const uint8_t tack[] = {0x06, 0x07, 0x00, 0x04};
    static const uint8_t crej[] = {0x07, 0x02, 0x00, 0x08, 0x09, 0x01, 0x00, 0x04};
    ipcp_packet p;
    anomaly_set an;
    ipcp_ok(treq, sizeof treq, &p, &an, false);
    cr_assert_eq(p.cp.code, CP_TERM_REQ);
    cr_assert_eq(p.data_len, 2);
    cr_assert_arr_eq(p.data, "no", 2);
    ipcp_ok(tack, sizeof tack, &p, &an, false);
    cr_assert_eq(p.cp.code, CP_TERM_ACK);
    cr_assert_eq(p.cp.id, 7);
    cr_assert_eq(p.data_len, 0);
    ipcp_ok(crej, sizeof crej, &p, &an, false);
    cr_assert_eq(p.cp.code, CP_CODE_REJ);
    cr_assert_str_eq(ipcp_code_name(CP_CODE_REJ), "Code-Reject");
    cr_assert_eq(p.data_len, 4);
    cr_assert_eq(p.data[0], 0x09);
}

Test(ipcp, lcp_only_code_is_unknown_for_ipcp)
{
    static const uint8_t b[] = {0x09, 0x01, 0x00, 0x08, 1, 2, 3, 4};
    ipcp_packet p;
    anomaly_set an;
    ipcp_ok(b, sizeof b, &p, &an, true);
    cr_assert(has(&an, "ppp.ipcp.unknown_code"));
    cr_assert_str_eq(ipcp_code_name(9), "unknown");
    cr_assert_eq(p.data_len, 4);
}

Test(ipcp, unknown_and_untyped_options_kept)
{
    static const uint8_t b[] = {0x01, 0x01, 0x00, 0x0f, 0x04, 0x06, 0xc0, 0xa8, 0x00, 0x01, 0xc8, 0x05, 0x01, 0x02, 0x03};
    ipcp_packet p;
    anomaly_set an;
    ipcp_ok(b, sizeof b, &p, &an, false);
    cr_assert_eq(p.cp.options.count, 2);
    cr_assert_eq(p.cp.options.opt[0].type, IPCP_OPT_MOBILE_IPV4);
    cr_assert_str_eq(ipcp_opt_name(IPCP_OPT_MOBILE_IPV4), "Mobile-IPv4");
    cr_assert_not(p.cp.options.opt[0].known);
    cr_assert_eq(p.cp.options.opt[1].type, 200);
    cr_assert_eq(p.cp.options.opt[1].vlen, 3);
    cr_assert_arr_eq(p.cp.options.opt[1].val, ((uint8_t[]){1, 2, 3}), 3);
    uint8_t out[64];
    wbuf w;
    wbuf_init(&w, out, sizeof out);
    cr_assert(ipcp_encode(&w, &p));
    cr_assert_eq(wbuf_len(&w), sizeof b);
    cr_assert_arr_eq(out, b, sizeof b);
}

Test(ipcp, wrong_size_options)
{
    static const uint8_t b[] = {0x01, 0x01, 0x00, 0x0f, 0x03, 0x05, 0x0a, 0x00, 0x00, 0x02, 0x04, 0x00, 0x2d, 0x81, 0x02};
    ipcp_packet p;
    anomaly_set an;
    ipcp_ok(b, sizeof b, &p, &an, true);
    cr_assert(has(&an, "ppp.ipcp.option_bad_size"));
    cr_assert_not(p.opts.has_address);
    cr_assert_not(p.opts.has_compression, "VJ needs max/comp slot ids (length 6)");
    cr_assert_not(p.opts.has_primary_dns);
    cr_assert_eq(p.cp.options.count, 3);
}

Test(ipcp, malformed)
{
    static const uint8_t short_len[] = {0x01, 0x01, 0x00, 0x02};
    static const uint8_t opt0[] = {0x01, 0x01, 0x00, 0x06, 0x03, 0x00};
    static const uint8_t opt1[] = {0x01, 0x01, 0x00, 0x06, 0x03, 0x01};
    static const uint8_t past[] = {0x01, 0x01, 0x00, 0x08, 0x03, 0x06, 0x0a, 0x00, 0x00, 0x64};
    ipcp_packet p;
    anomaly_set an;
    cr_assert_eq(ipcp_open(short_len, sizeof short_len, &p, &an), DEC_MALFORMED);
    cr_assert(has(&an, "ppp.ipcp.bad_length"));
    cr_assert_eq(ipcp_open(opt0, sizeof opt0, &p, &an), DEC_MALFORMED);
    cr_assert(has(&an, "ppp.ipcp.option_bad_length"));
    cr_assert_eq(ipcp_open(opt1, sizeof opt1, &p, &an), DEC_MALFORMED);
    cr_assert(has(&an, "ppp.ipcp.option_bad_length"));
    cr_assert_eq(ipcp_open(past, sizeof past, &p, &an), DEC_MALFORMED);
    cr_assert(has(&an, "ppp.ipcp.option_truncated"));
    cr_assert_not(p.opts.has_address);
}

/* ---- IPV6CP vectors ---------------------------------------------------------- */

static const uint8_t v6_req[] = {0x01, 0x05, 0x00, 0x0e, 0x01, 0x0a, 0xa8, 0xdd, 0x1f, 0x39, 0xa6, 0x9e, 0x4f, 0xe0};

Test(ipv6cp, configure_request_interface_identifier)
{
    ipv6cp_packet p;
    anomaly_set an;
    ipv6cp_ok(v6_req, sizeof v6_req, &p, &an, false);
    cr_assert_eq(p.cp.code, CP_CONF_REQ);
    cr_assert_eq(p.cp.id, 5);
    cr_assert(p.opts.has_interface_id);
    static const uint8_t ifid[] = {0xa8, 0xdd, 0x1f, 0x39, 0xa6, 0x9e, 0x4f, 0xe0};
    cr_assert_arr_eq(p.opts.interface_id, ifid, 8);
    cr_assert_not(p.opts.has_compression);
    cr_assert_str_eq(ipv6cp_opt_name(1), "Interface-Identifier");
}

Test(ipv6cp, compression_ack_nak_reject)
{
    static const uint8_t ack[] = {0x02, 0x01, 0x00, 0x12, 0x02, 0x0e, 0x00, 0x61, 0x00, 0x0f, 0x00,
                                  0x0f, 0x00, 0xff, 0x00, 0x40, 0x00, 0x10};
    static const uint8_t nak[] = {0x03, 0x02, 0x00, 0x0e, 0x01, 0x0a, 1, 2, 3, 4, 5, 6, 7, 8};
    static const uint8_t rej[] = {0x04, 0x03, 0x00, 0x08, 0x02, 0x04, 0x00, 0x03};
    ipv6cp_packet p;
    anomaly_set an;
    ipv6cp_ok(ack, sizeof ack, &p, &an, false);
    cr_assert_eq(p.cp.code, CP_CONF_ACK);
    cr_assert(p.opts.has_compression);
    cr_assert_eq(p.opts.compression_protocol, 0x0061);
    cr_assert_eq(p.opts.compression_data_len, 10);
    cr_assert_str_eq(ipv6cp_opt_name(2), "IPv6-Compression-Protocol");
    ipv6cp_ok(nak, sizeof nak, &p, &an, false);
    cr_assert_eq(p.cp.code, CP_CONF_NAK);
    cr_assert_eq(p.opts.interface_id[7], 8);
    ipv6cp_ok(rej, sizeof rej, &p, &an, false);
    cr_assert_eq(p.cp.code, CP_CONF_REJ);
    cr_assert_eq(p.opts.compression_protocol, 0x0003);
    cr_assert_eq(p.opts.compression_data_len, 0);
}

Test(ipv6cp, terminate_code_reject_and_unknown_code)
{
    static const uint8_t treq[] = {0x05, 0x01, 0x00, 0x04};
    static const uint8_t tack[] = {0x06, 0x01, 0x00, 0x04};
    static const uint8_t crej[] = {0x07, 0x02, 0x00, 0x06, 0x0e, 0x01};
    static const uint8_t unk[] = {0x0e, 0x03, 0x00, 0x04};
    ipv6cp_packet p;
    anomaly_set an;
    ipv6cp_ok(treq, sizeof treq, &p, &an, false);
    cr_assert_eq(p.cp.code, CP_TERM_REQ);
    cr_assert_str_eq(ipv6cp_code_name(5), "Terminate-Request");
    ipv6cp_ok(tack, sizeof tack, &p, &an, false);
    cr_assert_eq(p.cp.code, CP_TERM_ACK);
    ipv6cp_ok(crej, sizeof crej, &p, &an, false);
    cr_assert_eq(p.cp.code, CP_CODE_REJ);
    cr_assert_eq(p.data_len, 2);
    ipv6cp_ok(unk, sizeof unk, &p, &an, true);
    cr_assert(has(&an, "ppp.ipv6cp.unknown_code"));
}

Test(ipv6cp, malformed_and_wrong_size)
{
    static const uint8_t bad_ifid[] = {0x01, 0x01, 0x00, 0x0a, 0x01, 0x06, 1, 2, 3, 4};
    static const uint8_t opt1[] = {0x01, 0x01, 0x00, 0x05, 0x01};
    static const uint8_t optlen1[] = {0x01, 0x01, 0x00, 0x06, 0x01, 0x01};
    static const uint8_t len3[] = {0x01, 0x01, 0x00, 0x03};
    ipv6cp_packet p;
    anomaly_set an;
    ipv6cp_ok(bad_ifid, sizeof bad_ifid, &p, &an, true);
    cr_assert(has(&an, "ppp.ipv6cp.option_bad_size"));
    cr_assert_not(p.opts.has_interface_id);
    cr_assert_eq(ipv6cp_open(opt1, sizeof opt1, &p, &an), DEC_MALFORMED);
    cr_assert(has(&an, "ppp.ipv6cp.option_truncated"));
    cr_assert_eq(ipv6cp_open(optlen1, sizeof optlen1, &p, &an), DEC_MALFORMED);
    cr_assert(has(&an, "ppp.ipv6cp.option_bad_length"));
    cr_assert_eq(ipv6cp_open(len3, sizeof len3, &p, &an), DEC_MALFORMED);
    cr_assert(has(&an, "ppp.ipv6cp.bad_length"));
}

/* ---- randomised round trips ---------------------------------------------------- */

static uint32_t rnd_state = 0x9e3779b9;
static uint32_t rnd(void)
{
    rnd_state ^= rnd_state << 13;
    rnd_state ^= rnd_state >> 17;
    rnd_state ^= rnd_state << 5;
    return rnd_state;
}

static const uint8_t *take(uint8_t *pool, size_t *used, size_t n)
{
    for (size_t i = 0; i < n; i++)
        pool[*used + i] = (uint8_t)rnd();
    *used += n;
    return pool + *used - n;
}

static void random_extra(cp_option_list *l, const uint8_t *types, size_t ntypes, uint8_t *pool, size_t *used)
{
    int extra = (int)(rnd() % 4);
    for (int i = 0; i < extra; i++) {
        size_t n = rnd() % 20;
        cp_option_list_add(l, types[rnd() % ntypes], n ? take(pool, used, n) : NULL, n);
    }
}

static void assert_raw_eq(const cp_option_list *x, const cp_option_list *y)
{
    int j = 0;
    for (int i = 0; i < x->count; i++) {
        if (x->opt[i].known)
            continue;
        while (j < y->count && y->opt[j].known)
            j++;
        cr_assert_lt(j, y->count);
        const cp_option *u = &x->opt[i], *v = &y->opt[j++];
        cr_assert_eq(u->type, v->type);
        cr_assert(span_eq(u->val, u->vlen, v->val, v->vlen));
    }
    while (j < y->count && y->opt[j].known)
        j++;
    cr_assert_eq(j, y->count);
}

static const uint8_t codes[] = {1, 2, 3, 4, 5, 6, 7, 8, 9, 14, 0, 200};

Test(ipcp, random_round_trip)
{
    static uint8_t pool[4096], out[2048];
    static const uint8_t untyped[] = {0, 4, 5, 128, 133, 200, 255};
    for (int iter = 0; iter < 3000; iter++) {
        ipcp_packet x, y;
        memset(&x, 0, sizeof x);
        size_t used = 0;
        x.cp.code = codes[rnd() % sizeof codes];
        x.cp.id = (uint8_t)rnd();
        ipcp_options *o = &x.opts;
        if (cp_code_has_options(x.cp.code)) {
            if (rnd() & 1)
                o->has_addresses = true, o->src_address = rnd(), o->dst_address = rnd();
            if (rnd() & 1) {
                o->has_compression = true;
                o->compression_protocol = (rnd() & 1) ? IPCP_COMP_VJ : (uint16_t)rnd();
                if (o->compression_protocol == IPCP_COMP_VJ)
                    o->vj_max_slot_id = (uint8_t)rnd(), o->vj_comp_slot_id = (uint8_t)rnd();
                else if ((o->compression_data_len = rnd() % 16))
                    o->compression_data = take(pool, &used, o->compression_data_len);
            }
            if (rnd() & 1)
                o->has_address = true, o->address = rnd();
            if (rnd() & 1)
                o->has_primary_dns = true, o->primary_dns = rnd();
            if (rnd() & 1)
                o->has_primary_nbns = true, o->primary_nbns = rnd();
            if (rnd() & 1)
                o->has_secondary_dns = true, o->secondary_dns = rnd();
            if (rnd() & 1)
                o->has_secondary_nbns = true, o->secondary_nbns = rnd();
            random_extra(&x.cp.options, untyped, sizeof untyped, pool, &used);
        } else if ((x.data_len = rnd() % 40)) {
            x.data = take(pool, &used, x.data_len);
        }
        wbuf w;
        wbuf_init(&w, out, sizeof out);
        cr_assert(ipcp_encode(&w, &x));
        cursor c;
        cursor_init_exact(&c, out, wbuf_len(&w));
        anomaly_set an;
        anomaly_clear(&an);
        cr_assert_eq(ipcp_decode(&c, &y, &an), DEC_OK);
        if (cp_code_valid(CP_IPCP, x.cp.code))
            cr_assert_not(anomaly_any(&an), "iteration %d: %s", iter, anomaly_name(anomaly_next(&an, 0)));
        cr_assert_eq(y.cp.code, x.cp.code);
        cr_assert_eq(y.cp.id, x.cp.id);
        cr_assert_eq(y.cp.length, wbuf_len(&w));
        const ipcp_options *a = &x.opts, *b = &y.opts;
        cr_assert_eq(a->has_addresses, b->has_addresses);
        cr_assert_eq(a->src_address, b->src_address);
        cr_assert_eq(a->dst_address, b->dst_address);
        cr_assert_eq(a->has_compression, b->has_compression);
        cr_assert_eq(a->compression_protocol, b->compression_protocol);
        cr_assert_eq(a->vj_max_slot_id, b->vj_max_slot_id);
        cr_assert_eq(a->vj_comp_slot_id, b->vj_comp_slot_id);
        cr_assert(span_eq(a->compression_data, a->compression_data_len, b->compression_data, b->compression_data_len));
        cr_assert_eq(a->has_address, b->has_address);
        cr_assert_eq(a->address, b->address);
        cr_assert_eq(a->has_primary_dns, b->has_primary_dns);
        cr_assert_eq(a->primary_dns, b->primary_dns);
        cr_assert_eq(a->has_primary_nbns, b->has_primary_nbns);
        cr_assert_eq(a->primary_nbns, b->primary_nbns);
        cr_assert_eq(a->has_secondary_dns, b->has_secondary_dns);
        cr_assert_eq(a->secondary_dns, b->secondary_dns);
        cr_assert_eq(a->has_secondary_nbns, b->has_secondary_nbns);
        cr_assert_eq(a->secondary_nbns, b->secondary_nbns);
        assert_raw_eq(&x.cp.options, &y.cp.options);
        cr_assert(span_eq(x.data, x.data_len, y.data, y.data_len));
    }
}

Test(ipv6cp, random_round_trip)
{
    static uint8_t pool[4096], out[2048];
    static const uint8_t untyped[] = {0, 3, 4, 9, 200, 255};
    for (int iter = 0; iter < 3000; iter++) {
        ipv6cp_packet x, y;
        memset(&x, 0, sizeof x);
        size_t used = 0;
        x.cp.code = codes[rnd() % sizeof codes];
        x.cp.id = (uint8_t)rnd();
        if (cp_code_has_options(x.cp.code)) {
            if (rnd() & 1) {
                x.opts.has_interface_id = true;
                memcpy(x.opts.interface_id, take(pool, &used, 8), 8);
            }
            if (rnd() & 1) {
                x.opts.has_compression = true;
                x.opts.compression_protocol = (uint16_t)rnd();
                if ((x.opts.compression_data_len = rnd() % 16))
                    x.opts.compression_data = take(pool, &used, x.opts.compression_data_len);
            }
            random_extra(&x.cp.options, untyped, sizeof untyped, pool, &used);
        } else if ((x.data_len = rnd() % 40)) {
            x.data = take(pool, &used, x.data_len);
        }
        wbuf w;
        wbuf_init(&w, out, sizeof out);
        cr_assert(ipv6cp_encode(&w, &x));
        cursor c;
        cursor_init_exact(&c, out, wbuf_len(&w));
        anomaly_set an;
        anomaly_clear(&an);
        cr_assert_eq(ipv6cp_decode(&c, &y, &an), DEC_OK);
        if (cp_code_valid(CP_IPV6CP, x.cp.code))
            cr_assert_not(anomaly_any(&an));
        cr_assert_eq(y.cp.code, x.cp.code);
        cr_assert_eq(y.cp.id, x.cp.id);
        cr_assert_eq(y.cp.length, wbuf_len(&w));
        cr_assert_eq(y.opts.has_interface_id, x.opts.has_interface_id);
        cr_assert_arr_eq(y.opts.interface_id, x.opts.interface_id, 8);
        cr_assert_eq(y.opts.has_compression, x.opts.has_compression);
        cr_assert_eq(y.opts.compression_protocol, x.opts.compression_protocol);
        cr_assert(span_eq(x.opts.compression_data, x.opts.compression_data_len, y.opts.compression_data,
                          y.opts.compression_data_len));
        assert_raw_eq(&x.cp.options, &y.cp.options);
        cr_assert(span_eq(x.data, x.data_len, y.data, y.data_len));
    }
}

/* ---- tshark cross-check ------------------------------------------------------ */

Test(ipcp, tshark_agrees_with_encoded_packets)
{
    if (!tshark_available())
        cr_skip("tshark not installed");
    char path[4096];
    scratch_path("ipcp_tshark.pcap", path, sizeof path);
    pcapw *pw = pcapw_open(path, 1);
    cr_assert_not_null(pw);
    uint8_t buf[512];
    wbuf w;
    uint32_t seq = 1;
    /* 1: IPCP Configure-Request, every option */
    ipcp_packet p;
    memset(&p, 0, sizeof p);
    p.cp.code = CP_CONF_REQ, p.cp.id = 1;
    p.opts.has_addresses = true, p.opts.src_address = 0x0a000001, p.opts.dst_address = 0x0a000002;
    p.opts.has_compression = true, p.opts.compression_protocol = IPCP_COMP_VJ;
    p.opts.vj_max_slot_id = 15, p.opts.vj_comp_slot_id = 1;
    p.opts.has_address = true, p.opts.address = 0xc0a80164;
    p.opts.has_primary_dns = true, p.opts.primary_dns = 0x08080808;
    p.opts.has_primary_nbns = true, p.opts.primary_nbns = 0x0a000005;
    p.opts.has_secondary_dns = true, p.opts.secondary_dns = 0x01010101;
    p.opts.has_secondary_nbns = true, p.opts.secondary_nbns = 0x0a000006;
    wbuf_init(&w, buf, sizeof buf);
    cr_assert(ipcp_encode(&w, &p));
    cr_assert_eq(cpt_write_gre_ppp(pw, 1000000ull * seq, 0x8021, buf, wbuf_len(&w), 7, seq), 0);
    seq++;
    /* 2: IPCP Configure-Nak with IPHC parameters */
    static const uint8_t iphc[] = {0x00, 0x0f, 0x00, 0x0f, 0x00, 0xff, 0x00, 0x40, 0x00, 0x10};
    memset(&p, 0, sizeof p);
    p.cp.code = CP_CONF_NAK, p.cp.id = 2;
    p.opts.has_compression = true, p.opts.compression_protocol = IPCP_COMP_IPHC;
    p.opts.compression_data = iphc, p.opts.compression_data_len = sizeof iphc;
    wbuf_init(&w, buf, sizeof buf);
    cr_assert(ipcp_encode(&w, &p));
    cr_assert_eq(cpt_write_gre_ppp(pw, 1000000ull * seq, 0x8021, buf, wbuf_len(&w), 7, seq), 0);
    seq++;
    /* 3: IPCP Terminate-Ack */
    memset(&p, 0, sizeof p);
    p.cp.code = CP_TERM_ACK, p.cp.id = 3;
    wbuf_init(&w, buf, sizeof buf);
    cr_assert(ipcp_encode(&w, &p));
    cr_assert_eq(cpt_write_gre_ppp(pw, 1000000ull * seq, 0x8021, buf, wbuf_len(&w), 7, seq), 0);
    seq++;
    /* 4: IPV6CP Configure-Request */
    ipv6cp_packet q;
    memset(&q, 0, sizeof q);
    q.cp.code = CP_CONF_REQ, q.cp.id = 4;
    q.opts.has_interface_id = true;
    memcpy(q.opts.interface_id, "\x02\x11\x22\xff\xfe\x33\x44\x55", 8);
    wbuf_init(&w, buf, sizeof buf);
    cr_assert(ipv6cp_encode(&w, &q));
    cr_assert_eq(cpt_write_gre_ppp(pw, 1000000ull * seq, 0x8057, buf, wbuf_len(&w), 7, seq), 0);
    seq++;
    /* 5: IPV6CP Terminate-Request */
    memset(&q, 0, sizeof q);
    q.cp.code = CP_TERM_REQ, q.cp.id = 5;
    wbuf_init(&w, buf, sizeof buf);
    cr_assert(ipv6cp_encode(&w, &q));
    cr_assert_eq(cpt_write_gre_ppp(pw, 1000000ull * seq, 0x8057, buf, wbuf_len(&w), 7, seq), 0);
    pcapw_close(pw);

    cr_assert_eq(tshark_malformed_count(path), 0);
    const char *fields[] = {"frame.number", "ppp.code", "ppp.identifier", "ppp.length", "ipcp.opt.src_address",
                            "ipcp.opt.dst_address", "ipcp.opt.compress_proto", "ipcp.opt.max_slot_id",
                            "ipcp.opt.ip_address", "ipcp.opt.pri_dns_address", "ipcp.opt.pri_nbns_address",
                            "ipcp.opt.sec_dns_address", "ipcp.opt.sec_nbns_address", "ipcp.opt.tcp_space",
                            "ipcp.opt.max_header", "ipv6cp.interface_identifier", NULL};
    char *out = tshark_fields(path, "ipcp || ipv6cp", fields);
    cr_assert_not_null(out);
    char v[128];
#define COL(frame, col, expect)                                                                  \
    do {                                                                                         \
        cr_assert(cpt_tshark_col(out, frame, col, v, sizeof v), "frame %d col %d:\n%s", frame, col, out); \
        cr_assert_str_eq(v, expect, "frame %d col %d", frame, col);                              \
    } while (0)
    COL(1, 1, "1");
    COL(1, 3, "50");
    COL(1, 4, "10.0.0.1");
    COL(1, 5, "10.0.0.2");
    COL(1, 6, "0x002d");
    COL(1, 7, "15");
    COL(1, 8, "192.168.1.100");
    COL(1, 9, "8.8.8.8");
    COL(1, 10, "10.0.0.5");
    COL(1, 11, "1.1.1.1");
    COL(1, 12, "10.0.0.6");
    COL(2, 1, "3");
    COL(2, 6, "0x0061");
    COL(2, 13, "15");
    COL(2, 14, "16");
    COL(3, 1, "6");
    COL(3, 3, "4");
    COL(4, 1, "1");
    COL(4, 2, "4");
    COL(4, 15, "02:11:22:ff:fe:33:44:55");
    COL(5, 1, "5");
#undef COL
    free(out);
}

/* ---- real captures ------------------------------------------------------------ */

typedef struct cap_ctx {
    int ipcp, ipv6cp, bad;
    bool nak_100, ack_100, rej_nbns, term_ack, v6_req, server_ack_10001;
    bool pl_nak_122, pl_req_0;
} cap_ctx;

static void on_ppp(const cpt_ppp *f, void *arg)
{
    cap_ctx *x = arg;
    cursor c;
    cursor_init_exact(&c, f->info, f->len);
    anomaly_set an;
    anomaly_clear(&an);
    if (f->proto == 0x8021) {
        x->ipcp++;
        ipcp_packet p;
        if (ipcp_decode(&c, &p, &an) != DEC_OK || anomaly_any(&an)) {
            x->bad++;
            return;
        }
        const ipcp_options *o = &p.opts;
        if (p.cp.code == CP_CONF_NAK && p.cp.id == 10 && o->address == 0x0a000064 && o->primary_dns == 0xdf050505 &&
            o->secondary_dns == 0xdf060606)
            x->nak_100 = true;
        if (p.cp.code == CP_CONF_ACK && p.cp.id == 11 && o->address == 0x0a000064)
            x->ack_100 = true;
        if (p.cp.code == CP_CONF_ACK && p.cp.id == 1 && o->address == 0x0a000001)
            x->server_ack_10001 = true;
        if (p.cp.code == CP_CONF_REJ && o->has_primary_nbns && o->has_secondary_nbns && !o->has_address)
            x->rej_nbns = true;
        if (p.cp.code == CP_TERM_ACK && p.cp.id == 7 && p.cp.length == 4)
            x->term_ack = true;
        if (p.cp.code == CP_CONF_NAK && o->address == 0x1101017a)
            x->pl_nak_122 = true;
        if (p.cp.code == CP_CONF_REQ && o->has_address && o->address == 0)
            x->pl_req_0 = true;
    } else if (f->proto == 0x8057) {
        x->ipv6cp++;
        ipv6cp_packet p;
        if (ipv6cp_decode(&c, &p, &an) != DEC_OK || anomaly_any(&an)) {
            x->bad++;
            return;
        }
        static const uint8_t ifid[] = {0xa8, 0xdd, 0x1f, 0x39, 0xa6, 0x9e, 0x4f, 0xe0};
        if (p.cp.code == CP_CONF_REQ && p.opts.has_interface_id && memcmp(p.opts.interface_id, ifid, 8) == 0)
            x->v6_req = true;
    }
}

Test(ipcp, vpn_sniffer_capture)
{
    char path[4096];
    if (!external_pcap("pptp_vpn_sniffer__connect.pcapng", path, sizeof path))
        cr_skip("external capture pptp_vpn_sniffer__connect.pcapng absent");
    cap_ctx x;
    memset(&x, 0, sizeof x);
    cr_assert_gt(cpt_each_ppp(path, on_ppp, &x), 0);
    cr_assert_eq(x.ipcp, 10, "IPCP frames (tshark counts 10)");
    cr_assert_eq(x.ipv6cp, 1);
    cr_assert_eq(x.bad, 0);
    cr_assert(x.nak_100, "Configure-Nak assigns 10.0.0.100, DNS 223.5.5.5 / 223.6.6.6");
    cr_assert(x.ack_100);
    cr_assert(x.server_ack_10001, "server address 10.0.0.1 acked");
    cr_assert(x.rej_nbns);
    cr_assert(x.term_ack);
    cr_assert(x.v6_req);
}

Test(ipcp, packetlife_capture)
{
    char path[4096];
    if (!external_pcap("packetlife__PPTP_negotiation.cap", path, sizeof path))
        cr_skip("external capture packetlife__PPTP_negotiation.cap absent");
    cap_ctx x;
    memset(&x, 0, sizeof x);
    cr_assert_gt(cpt_each_ppp(path, on_ppp, &x), 0);
    cr_assert_eq(x.ipcp, 6, "IPCP frames (tshark counts 6)");
    cr_assert_eq(x.bad, 0);
    cr_assert(x.pl_nak_122, "Configure-Nak assigns 17.1.1.122");
    cr_assert(x.pl_req_0);
}
