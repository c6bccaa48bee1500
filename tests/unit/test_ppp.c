/* test_ppp.c - PPP frame header codec (address/control, ACFC, PFC). */
#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "anomaly.h"
#include "cursor.h"
#include "gre.h"
#include "pcap_writer.h"
#include "ppp.h"
#include "test_env.h"

static uint64_t rng_state = 0x2545f4914f6cdd1dull;
static uint32_t rnd(void)
{
    rng_state ^= rng_state << 13;
    rng_state ^= rng_state >> 7;
    rng_state ^= rng_state << 17;
    return (uint32_t)(rng_state >> 16);
}

static dec_status dec(const uint8_t *b, size_t n, bool exact, struct ppp_frame *f, cursor *pl,
                      anomaly_set *an)
{
    cursor c;
    if (exact)
        cursor_init_exact(&c, b, n);
    else
        cursor_init(&c, b, n);
    anomaly_clear(an);
    return ppp_decode(&c, f, pl, an);
}

struct vec {
    const uint8_t *b;
    size_t n;
    size_t hdr;
    bool acfc_hdr, pfc;
    uint16_t proto;
};

static const uint8_t v_full[] = {0xff, 0x03, 0xc0, 0x21, 0x09, 0x01, 0x00, 0x08, 1, 2, 3, 4};
static const uint8_t v_addr_pfc[] = {0xff, 0x03, 0x21, 0x45, 0x00};
static const uint8_t v_acfc[] = {0xc2, 0x23, 0x01, 0x07};
static const uint8_t v_acfc_pfc[] = {0x21, 0x45};
static const uint8_t v_acfc_ip2[] = {0x00, 0x21, 0x45};
static const uint8_t v_comp[] = {0xff, 0x03, 0x00, 0xfd, 0x90, 0x01, 0xaa};
static const uint8_t v_ccp_noinfo[] = {0x80, 0xfd};

static const struct vec vecs[] = {
    {v_full, sizeof v_full, 4, true, false, PPP_PROTO_LCP},
    {v_addr_pfc, sizeof v_addr_pfc, 3, true, true, PPP_PROTO_IP},
    {v_acfc, sizeof v_acfc, 2, false, false, PPP_PROTO_CHAP},
    {v_acfc_pfc, sizeof v_acfc_pfc, 1, false, true, PPP_PROTO_IP},
    {v_acfc_ip2, sizeof v_acfc_ip2, 2, false, false, PPP_PROTO_IP},
    {v_comp, sizeof v_comp, 4, true, false, PPP_PROTO_COMP},
    {v_ccp_noinfo, sizeof v_ccp_noinfo, 2, false, false, PPP_PROTO_CCP},
};

Test(ppp, vectors_decode)
{
    for (size_t i = 0; i < sizeof vecs / sizeof vecs[0]; i++) {
        const struct vec *v = &vecs[i];
        for (int exact = 0; exact < 2; exact++) {
            struct ppp_frame f;
            cursor pl;
            anomaly_set an;
            cr_assert_eq(dec(v->b, v->n, exact, &f, &pl, &an), DEC_OK, "vec %zu", i);
            cr_assert_eq(f.has_acfc_hdr, v->acfc_hdr, "vec %zu", i);
            cr_assert_eq(f.pfc, v->pfc, "vec %zu", i);
            cr_assert_eq(f.protocol, v->proto, "vec %zu", i);
            cr_assert_eq(cursor_len(&pl), v->n - v->hdr, "vec %zu", i);
            cr_assert_eq(cursor_data(&pl), v->b + v->hdr);
            cr_assert_eq(pl.open_end, !exact);
            cr_assert_not(anomaly_any(&an), "ACFC/PFC are normal traffic (vec %zu)", i);
        }
    }
}

Test(ppp, every_prefix_is_truncated)
{
    for (size_t i = 0; i < sizeof vecs / sizeof vecs[0]; i++) {
        const struct vec *v = &vecs[i];
        for (size_t k = 0; k < v->hdr; k++) {
            struct ppp_frame f;
            cursor pl;
            anomaly_set an;
            cr_assert_eq(dec(v->b, k, false, &f, &pl, &an), DEC_TRUNCATED, "vec %zu prefix %zu", i, k);
            cr_assert_eq(dec(v->b, k, true, &f, &pl, &an), DEC_MALFORMED, "vec %zu exact prefix %zu", i, k);
            /* a prefix never yields a wrong protocol */
            cr_assert(f.protocol == 0 || f.protocol == v->proto);
        }
        for (size_t k = v->hdr; k <= v->n; k++) {
            struct ppp_frame f;
            cursor pl;
            anomaly_set an;
            cr_assert_eq(dec(v->b, k, false, &f, &pl, &an), DEC_OK);
            cr_assert_eq(f.protocol, v->proto);
            cr_assert_eq(cursor_len(&pl), k - v->hdr);
        }
    }
}

Test(ppp, empty_frame)
{
    struct ppp_frame f;
    cursor pl;
    anomaly_set an;
    cr_assert_eq(dec(v_full, 0, false, &f, &pl, &an), DEC_TRUNCATED);
    cr_assert(anomaly_has(&an, ANOMALY_PPP_EMPTY));
    cr_assert_eq(dec(v_full, 0, true, &f, &pl, &an), DEC_MALFORMED);
    cr_assert(anomaly_has(&an, ANOMALY_PPP_EMPTY));
}

Test(ppp, bad_address_control)
{
    static const uint8_t b[] = {0xff, 0x05, 0xc0, 0x21};
    struct ppp_frame f;
    cursor pl;
    anomaly_set an;
    cr_assert_eq(dec(b, sizeof b, false, &f, &pl, &an), DEC_MALFORMED);
    cr_assert(anomaly_has(&an, ANOMALY_PPP_BAD_ADDRESS_CONTROL));
    cr_assert_eq(cursor_len(&pl), 2);
}

Test(ppp, bad_protocol)
{
    static const uint8_t b1[] = {0xff, 0x03, 0xc0, 0x22, 0x01};
    static const uint8_t b2[] = {0x00, 0x20};
    struct ppp_frame f;
    cursor pl;
    anomaly_set an;
    cr_assert_eq(dec(b1, sizeof b1, false, &f, &pl, &an), DEC_MALFORMED);
    cr_assert(anomaly_has(&an, ANOMALY_PPP_BAD_PROTOCOL));
    cr_assert_eq(f.protocol, 0xc022);
    cr_assert(f.has_acfc_hdr);
    cr_assert_eq(dec(b2, sizeof b2, true, &f, &pl, &an), DEC_MALFORMED);
    cr_assert(anomaly_has(&an, ANOMALY_PPP_BAD_PROTOCOL));
}

/* Every value of the first two octets (without address/control). */
Test(ppp, every_two_octet_start)
{
    for (uint32_t v = 0; v <= 0xffff; v++) {
        uint8_t b[5] = {(uint8_t)(v >> 8), (uint8_t)v, 0xc0, 0x21, 0x01};
        struct ppp_frame f;
        cursor pl;
        anomaly_set an;
        dec_status st = dec(b, 2, true, &f, &pl, &an);
        uint8_t b0 = b[0], b1 = b[1];
        if (b0 == 0xff) {
            if (b1 != 0x03) {
                cr_assert_eq(st, DEC_MALFORMED);
                cr_assert(anomaly_has(&an, ANOMALY_PPP_BAD_ADDRESS_CONTROL));
            } else {
                cr_assert_eq(st, DEC_MALFORMED, "ff03 with nothing after");
                cr_assert_eq(dec(b, 5, true, &f, &pl, &an), DEC_OK);
                cr_assert_eq(f.protocol, 0xc021);
            }
        } else if (b0 & 1) {
            cr_assert_eq(st, DEC_OK);
            cr_assert(f.pfc);
            cr_assert_eq(f.protocol, b0);
            cr_assert_eq(cursor_len(&pl), 1);
        } else if (b1 & 1) {
            cr_assert_eq(st, DEC_OK);
            cr_assert_not(f.pfc);
            cr_assert_eq(f.protocol, v);
            cr_assert(ppp_protocol_valid((uint16_t)v));
            cr_assert_eq(cursor_len(&pl), 0);
        } else {
            cr_assert_eq(st, DEC_MALFORMED);
            cr_assert(anomaly_has(&an, ANOMALY_PPP_BAD_PROTOCOL));
            cr_assert_not(ppp_protocol_valid((uint16_t)v));
        }
    }
}

Test(ppp, encoder_options)
{
    uint8_t buf[16];
    wbuf w;
    struct ppp_frame f = {.has_acfc_hdr = true, .pfc = false, .protocol = PPP_PROTO_IP};
    wbuf_init(&w, buf, sizeof buf);
    cr_assert(ppp_encode(&w, &f, (const uint8_t *)"\x45", 1));
    cr_assert_eq(wbuf_len(&w), 5);
    cr_assert_eq(memcmp(buf, "\xff\x03\x00\x21\x45", 5), 0);
    f.has_acfc_hdr = false;
    f.pfc = true;
    wbuf_init(&w, buf, sizeof buf);
    cr_assert(ppp_encode(&w, &f, (const uint8_t *)"\x45", 1));
    cr_assert_eq(wbuf_len(&w), 2);
    cr_assert_eq(memcmp(buf, "\x21\x45", 2), 0);
    /* PFC does not apply to protocols above 0xff: two octets */
    f.protocol = PPP_PROTO_LCP;
    wbuf_init(&w, buf, sizeof buf);
    cr_assert(ppp_encode(&w, &f, NULL, 0));
    cr_assert_eq(wbuf_len(&w), 2);
    cr_assert_eq(buf[0], 0xc0);
    cr_assert_eq(buf[1], 0x21);
    /* overflow */
    wbuf_init(&w, buf, 3);
    f.has_acfc_hdr = true;
    cr_assert_not(ppp_encode(&w, &f, NULL, 0));
}

static uint16_t random_valid_protocol(void)
{
    static const uint16_t common[] = {PPP_PROTO_IP,  PPP_PROTO_IPV6, PPP_PROTO_COMP, PPP_PROTO_LCP,
                                      PPP_PROTO_PAP, PPP_PROTO_CHAP, PPP_PROTO_CCP,  PPP_PROTO_IPCP,
                                      PPP_PROTO_EAP, PPP_PROTO_VJ_COMP};
    if (rnd() & 1)
        return common[rnd() % (sizeof common / sizeof common[0])];
    uint16_t p = (uint16_t)((rnd() & 0xfeffu) | 1u);
    if ((p >> 8) == 0xff) /* 0xff.. would read as an address octet */
        p &= 0x7fff;
    return p;
}

Test(ppp, random_round_trips)
{
    uint8_t info[200], buf[256];
    for (int i = 0; i < 20000; i++) {
        struct ppp_frame in = {.has_acfc_hdr = rnd() & 1, .protocol = random_valid_protocol()};
        cr_assert(ppp_protocol_valid(in.protocol), "%04x", in.protocol);
        in.pfc = ppp_protocol_compressible(in.protocol) && (rnd() & 1);
        size_t len = rnd() % sizeof info;
        for (size_t j = 0; j < len; j++)
            info[j] = (uint8_t)rnd();
        wbuf w;
        wbuf_init(&w, buf, sizeof buf);
        cr_assert(ppp_encode(&w, &in, info, len));
        struct ppp_frame out;
        cursor pl;
        anomaly_set an;
        cr_assert_eq(dec(buf, wbuf_len(&w), true, &out, &pl, &an), DEC_OK, "proto %04x", in.protocol);
        cr_assert_eq(out.has_acfc_hdr, in.has_acfc_hdr);
        cr_assert_eq(out.pfc, in.pfc);
        cr_assert_eq(out.protocol, in.protocol);
        cr_assert_eq(cursor_len(&pl), len);
        cr_assert_eq(memcmp(cursor_data(&pl), info, len), 0);
        cr_assert_not(anomaly_any(&an));
    }
}

Test(ppp, protocol_names)
{
    cr_assert_str_eq(ppp_protocol_name(0x0021), "IPv4");
    cr_assert_str_eq(ppp_protocol_name(0x0057), "IPv6");
    cr_assert_str_eq(ppp_protocol_name(0x002d), "VJ-compressed-TCP/IP");
    cr_assert_str_eq(ppp_protocol_name(0x002f), "VJ-uncompressed-TCP/IP");
    cr_assert_str_eq(ppp_protocol_name(0x00fd), "Compressed-datagram");
    cr_assert_str_eq(ppp_protocol_name(0x00fb), "Link-compressed-datagram");
    cr_assert_str_eq(ppp_protocol_name(0x8021), "IPCP");
    cr_assert_str_eq(ppp_protocol_name(0x8057), "IPV6CP");
    cr_assert_str_eq(ppp_protocol_name(0x80fd), "CCP");
    cr_assert_str_eq(ppp_protocol_name(0x80fb), "Link-CCP");
    cr_assert_str_eq(ppp_protocol_name(0xc021), "LCP");
    cr_assert_str_eq(ppp_protocol_name(0xc023), "PAP");
    cr_assert_str_eq(ppp_protocol_name(0xc025), "LQR");
    cr_assert_str_eq(ppp_protocol_name(0xc223), "CHAP");
    cr_assert_str_eq(ppp_protocol_name(0xc227), "EAP");
    cr_assert_str_eq(ppp_protocol_name(0x003d), "Multilink");
    cr_assert_str_eq(ppp_protocol_name(0x1235), "unknown");
}

/* tshark reads the same protocol numbers from every header variant. */
Test(ppp, tshark_cross_check)
{
    if (!tshark_available())
        cr_skip("tshark not installed");
    char path[4096];
    scratch_path("test_ppp_tshark.pcap", path, sizeof path);
    pcapw *pw = pcapw_open(path, 1);
    cr_assert_not_null(pw);
    static const struct {
        bool acfc_hdr, pfc;
        uint16_t proto;
        uint8_t info[8];
        size_t len;
    } frames[] = {
        {true, false, PPP_PROTO_LCP, {0x09, 0x01, 0x00, 0x08, 0, 0, 0, 1}, 8},  /* echo-request */
        {false, false, PPP_PROTO_LCP, {0x0a, 0x01, 0x00, 0x08, 0, 0, 0, 2}, 8}, /* echo-reply */
        {true, false, PPP_PROTO_CHAP, {0x04, 0x01, 0x00, 0x04}, 4},             /* failure */
        {false, false, PPP_PROTO_IPCP, {0x05, 0x02, 0x00, 0x04}, 4},            /* term-req */
        {true, false, PPP_PROTO_CCP, {0x05, 0x03, 0x00, 0x04}, 4},
        {false, true, PPP_PROTO_COMP, {0x90, 0x05, 1, 2, 3}, 5},
        {true, true, PPP_PROTO_COMP, {0x10, 0x06, 1, 2, 3}, 5},
    };
    size_t nf = sizeof frames / sizeof frames[0];
    for (size_t i = 0; i < nf; i++) {
        uint8_t ppp[32], pkt[64];
        wbuf w;
        struct ppp_frame f = {.has_acfc_hdr = frames[i].acfc_hdr, .pfc = frames[i].pfc, .protocol = frames[i].proto};
        wbuf_init(&w, ppp, sizeof ppp);
        cr_assert(ppp_encode(&w, &f, frames[i].info, frames[i].len));
        size_t n = wbuf_len(&w);
        struct gre_hdr h = {.version = 1, .protocol = GRE_PROTO_PPP, .k = true, .call_id = 7,
                            .has_seq = true, .seq = (uint32_t)i};
        wbuf_init(&w, pkt, sizeof pkt);
        cr_assert(gre_encode(&w, &h, ppp, n));
        cr_assert_eq(pcapw_write_ip4(pw, 1000 * (i + 1), 0x0a000001, 0x0a000002, 47, pkt, wbuf_len(&w)), 0);
    }
    pcapw_close(pw);
    cr_assert_eq(tshark_malformed_count(path), 0);
    static const char *const fields[] = {"ppp.address", "ppp.protocol", NULL};
    char *out = tshark_fields(path, NULL, fields);
    cr_assert_not_null(out);
    char *save = NULL;
    size_t line = 0;
    for (char *l = strtok_r(out, "\n", &save); l; l = strtok_r(NULL, "\n", &save), line++) {
        cr_assert_lt(line, nf);
        char expect[64];
        snprintf(expect, sizeof expect, "%s|0x%04x", frames[line].acfc_hdr ? "0xff" : "", frames[line].proto);
        cr_assert_str_eq(l, expect, "frame %zu", line);
    }
    cr_assert_eq(line, nf);
    free(out);
}
