/* test_ipv4.c - IPv4 decoder/encoder (ipv4.h): vectors with options and fragments,
 * checksums, lengths, every prefix, malformed headers, round trips, tshark. */
#include <criterion/criterion.h>
#include <string.h>

#include "ipv4.h"
#include "link.h"
#include "link_test_helpers.h"
#include "names.h"
#include "pcap_writer.h"
#include "test_env.h"

/* 192.168.0.1 -> 10.0.0.2, TOS 0xb8, id 0x1234, DF, TTL 64, GRE, 8 bytes of GRE */
static const uint8_t v_basic[] = {0x45, 0xb8, 0x00, 0x1c, 0x12, 0x34, 0x40, 0x00, 0x40, 0x2f, 0x5d, 0x1c,
                                  0xc0, 0xa8, 0x00, 0x01, 0x0a, 0x00, 0x00, 0x02, 0x30, 0x01, 0x88, 0x0b,
                                  0x00, 0x00, 0x00, 0x05};
/* IHL 7: Record Route (07 07 04 0.0.0.0) + EOL; 10.1.2.3 -> 10.4.5.6, TCP, TTL 128 */
static const uint8_t v_opts[] = {0x47, 0x00, 0x00, 0x24, 0x01, 0x02, 0x00, 0x00, 0x80, 0x06, 0x11, 0xbe,
                                 0x0a, 0x01, 0x02, 0x03, 0x0a, 0x04, 0x05, 0x06, 0x07, 0x07, 0x04, 0x00,
                                 0x00, 0x00, 0x00, 0x00, 0x30, 0x01, 0x88, 0x0b, 0x00, 0x00, 0x00, 0x05};
/* id 0xabcd UDP 1.2.3.4 -> 5.6.7.8: first (MF, 0), middle (MF, 16), last (32, 5 bytes) */
#define P16 0x00, 0x01, 0x02, 0x03, 0x04, 0x05, 0x06, 0x07, 0x08, 0x09, 0x0a, 0x0b, 0x0c, 0x0d, 0x0e, 0x0f
#define ADDRS 0x01, 0x02, 0x03, 0x04, 0x05, 0x06, 0x07, 0x08
static const uint8_t v_frag1[] = {0x45, 0x00, 0x00, 0x24, 0xab, 0xcd, 0x20, 0x00, 0x40, 0x11, 0x9e, 0xe8, ADDRS, P16};
static const uint8_t v_frag2[] = {0x45, 0x00, 0x00, 0x24, 0xab, 0xcd, 0x20, 0x02, 0x40, 0x11, 0x9e, 0xe6, ADDRS, P16};
static const uint8_t v_frag3[] = {0x45, 0x00, 0x00, 0x19, 0xab, 0xcd, 0x00, 0x04, 0x40, 0x11, 0xbe, 0xef, ADDRS,
                                  0x00, 0x01, 0x02, 0x03, 0x04};

static dec_status dec_open(const uint8_t *b, size_t n, struct ipv4_hdr *h, cursor *p, anomaly_set *an)
{
    cursor c;
    cursor_init(&c, b, n);
    if (an)
        anomaly_clear(an);
    return ipv4_decode(&c, h, p, an);
}

static dec_status dec_exact(const uint8_t *b, size_t n, struct ipv4_hdr *h, cursor *p, anomaly_set *an)
{
    cursor c;
    cursor_init_exact(&c, b, n);
    if (an)
        anomaly_clear(an);
    return ipv4_decode(&c, h, p, an);
}

Test(ipv4, basic_header)
{
    struct ipv4_hdr h;
    cursor p;
    anomaly_set an;
    cr_assert_eq(dec_open(v_basic, sizeof v_basic, &h, &p, &an), DEC_OK);
    cr_assert_eq(h.version, 4);
    cr_assert_eq(h.hdr_len, 20);
    cr_assert_eq(h.tos, 0xb8);
    cr_assert_eq(h.total_len, 28);
    cr_assert_eq(h.id, 0x1234);
    cr_assert(h.dont_fragment);
    cr_assert_not(h.more_fragments);
    cr_assert_not(h.reserved_flag);
    cr_assert_eq(h.frag_offset, 0);
    cr_assert_not(h.is_fragment);
    cr_assert_eq(h.ttl, 64);
    cr_assert_eq(h.proto, IP_PROTO_GRE);
    cr_assert_eq(h.checksum, 0x5d1c);
    cr_assert(h.checksum_ok);
    cr_assert_eq(h.src, 0xc0a80001);
    cr_assert_eq(h.dst, 0x0a000002);
    cr_assert_eq(h.opt_len, 0);
    cr_assert_not(h.payload_truncated);
    cr_assert_eq(cursor_len(&p), 8);
    cr_assert_eq(cursor_data(&p)[0], 0x30);
    cr_assert_eq(p.open_end, 0, "a payload cut by total_len is exact");
    cr_assert_not(anomaly_any(&an));
    char s[16];
    cr_assert_str_eq(ipv4_addr_str(h.src, s, sizeof s), "192.168.0.1");
    cr_assert_str_eq(ip_proto_name(h.proto), "gre");
}

Test(ipv4, options_kept)
{
    struct ipv4_hdr h;
    cursor p;
    anomaly_set an;
    cr_assert_eq(dec_open(v_opts, sizeof v_opts, &h, &p, &an), DEC_OK);
    cr_assert_eq(h.hdr_len, 28);
    cr_assert_eq(h.opt_len, 8);
    cr_assert_eq(h.options[0], 7);
    cr_assert_eq(h.options[1], 7);
    cr_assert_eq(h.options[2], 4);
    cr_assert_eq(h.options[7], 0);
    cr_assert(h.checksum_ok);
    cr_assert_eq(h.proto, IP_PROTO_TCP);
    cr_assert_eq(h.ttl, 128);
    cr_assert_eq(h.src, 0x0a010203);
    cr_assert_eq(cursor_len(&p), 8);
    cr_assert_eq(cursor_data(&p)[0], 0x30);
    cr_assert_not(anomaly_any(&an));
}

Test(ipv4, bad_options_flagged_not_failed)
{
    uint8_t b[sizeof v_opts];
    memcpy(b, v_opts, sizeof b);
    b[21] = 12; /* option length runs past the options */
    struct ipv4_hdr h;
    cursor p;
    anomaly_set an;
    cr_assert_eq(dec_open(b, sizeof b, &h, &p, &an), DEC_OK);
    cr_assert(anomaly_has(&an, ANOMALY_IP_BAD_OPTIONS));
}

Test(ipv4, fragments_first_middle_last)
{
    struct ipv4_hdr h;
    cursor p;
    anomaly_set an;
    cr_assert_eq(dec_open(v_frag1, sizeof v_frag1, &h, &p, &an), DEC_OK);
    cr_assert(h.is_fragment);
    cr_assert(h.more_fragments);
    cr_assert_eq(h.frag_offset, 0);
    cr_assert_eq(h.id, 0xabcd);
    cr_assert_eq(cursor_len(&p), 16);
    cr_assert(h.checksum_ok);
    cr_assert_not(anomaly_any(&an));

    cr_assert_eq(dec_open(v_frag2, sizeof v_frag2, &h, &p, &an), DEC_OK);
    cr_assert(h.is_fragment);
    cr_assert(h.more_fragments);
    cr_assert_eq(h.frag_offset, 16);
    cr_assert(h.checksum_ok);

    cr_assert_eq(dec_open(v_frag3, sizeof v_frag3, &h, &p, &an), DEC_OK);
    cr_assert(h.is_fragment);
    cr_assert_not(h.more_fragments);
    cr_assert_eq(h.frag_offset, 32);
    cr_assert_eq(cursor_len(&p), 5);
    cr_assert(h.checksum_ok);
    cr_assert_not(anomaly_any(&an));
}

Test(ipv4, fragment_anomalies)
{
    struct ipv4_hdr h;
    cursor p;
    anomaly_set an;
    uint8_t buf[128];
    wbuf w;
    uint8_t pl[13] = {0};
    struct ipv4_hdr e = {.ttl = 1, .proto = 17, .more_fragments = true, .frag_offset = 8};
    wbuf_init(&w, buf, sizeof buf);
    cr_assert(ipv4_encode(&w, &e, pl, sizeof pl));
    cr_assert_eq(dec_open(buf, wbuf_len(&w), &h, &p, &an), DEC_OK);
    cr_assert(anomaly_has(&an, ANOMALY_IP_FRAG_MISALIGNED));
    e.more_fragments = false;
    e.frag_offset = 65528;
    wbuf_init(&w, buf, sizeof buf);
    cr_assert(ipv4_encode(&w, &e, pl, sizeof pl));
    cr_assert_eq(dec_open(buf, wbuf_len(&w), &h, &p, &an), DEC_OK);
    cr_assert(anomaly_has(&an, ANOMALY_IP_FRAG_TOO_LARGE));
    cr_assert_not(anomaly_has(&an, ANOMALY_IP_FRAG_MISALIGNED));
    e.frag_offset = 0;
    e.reserved_flag = true;
    wbuf_init(&w, buf, sizeof buf);
    cr_assert(ipv4_encode(&w, &e, pl, sizeof pl));
    cr_assert_eq(dec_open(buf, wbuf_len(&w), &h, &p, &an), DEC_OK);
    cr_assert(h.reserved_flag);
    cr_assert(anomaly_has(&an, ANOMALY_IP_RESERVED_FLAG));
}

Test(ipv4, bad_checksum_flagged_not_failed)
{
    uint8_t b[sizeof v_basic];
    memcpy(b, v_basic, sizeof b);
    b[11] ^= 0x01;
    struct ipv4_hdr h;
    cursor p;
    anomaly_set an;
    cr_assert_eq(dec_open(b, sizeof b, &h, &p, &an), DEC_OK);
    cr_assert_not(h.checksum_ok);
    cr_assert(anomaly_has(&an, ANOMALY_IP_BAD_CHECKSUM));
    cr_assert_eq(h.proto, IP_PROTO_GRE);
    cr_assert_eq(cursor_len(&p), 8);
    /* a changed TTL also breaks it */
    memcpy(b, v_basic, sizeof b);
    b[8] = 63;
    cr_assert_eq(dec_open(b, sizeof b, &h, &p, &an), DEC_OK);
    cr_assert(anomaly_has(&an, ANOMALY_IP_BAD_CHECKSUM));
}

Test(ipv4, trailing_padding_is_cut_not_anomalous)
{
    uint8_t b[sizeof v_basic + 18];
    memset(b, 0xee, sizeof b);
    memcpy(b, v_basic, sizeof v_basic);
    struct ipv4_hdr h;
    cursor p;
    anomaly_set an;
    cr_assert_eq(dec_open(b, sizeof b, &h, &p, &an), DEC_OK);
    cr_assert_eq(cursor_len(&p), 8);
    cr_assert_not(h.payload_truncated);
    cr_assert_not(anomaly_any(&an));
}

Test(ipv4, total_length_beyond_capture_is_open_ended)
{
    struct ipv4_hdr h;
    cursor p;
    cr_assert_eq(dec_open(v_basic, 24, &h, &p, NULL), DEC_OK);
    cr_assert(h.payload_truncated);
    cr_assert_eq(cursor_len(&p), 4);
    cr_assert_eq(p.open_end, 1);
    /* the same lie inside an exact region (e.g. an IPv6 payload) is malformed */
    cr_assert_eq(dec_exact(v_basic, 24, &h, &p, NULL), DEC_MALFORMED);
}

Test(ipv4, zero_total_length_is_offload)
{
    uint8_t buf[64];
    wbuf w;
    wbuf_init(&w, buf, sizeof buf);
    static const uint8_t pl[6] = {1, 2, 3, 4, 5, 6};
    struct ipv4_hdr e = {.ttl = 64, .proto = 6, .src = 1, .dst = 2};
    cr_assert(ipv4_encode(&w, &e, pl, sizeof pl));
    buf[2] = buf[3] = 0;
    struct ipv4_hdr h;
    cursor p;
    anomaly_set an;
    cr_assert_eq(dec_open(buf, wbuf_len(&w), &h, &p, &an), DEC_OK);
    cr_assert(anomaly_has(&an, ANOMALY_IP_ZERO_TOTAL_LENGTH));
    cr_assert_eq(cursor_len(&p), 6);
}

Test(ipv4, malformed_headers)
{
    struct ipv4_hdr h;
    cursor p;
    uint8_t b[sizeof v_basic];
    memcpy(b, v_basic, sizeof b);
    b[0] = 0x44; /* IHL 4 */
    cr_assert_eq(dec_open(b, sizeof b, &h, &p, NULL), DEC_MALFORMED);
    b[0] = 0x55; /* version 5 */
    cr_assert_eq(dec_open(b, sizeof b, &h, &p, NULL), DEC_MALFORMED);
    b[0] = 0x65; /* version 6 */
    cr_assert_eq(dec_open(b, sizeof b, &h, &p, NULL), DEC_MALFORMED);
    memcpy(b, v_basic, sizeof b);
    b[3] = 19; /* total length < header */
    cr_assert_eq(dec_open(b, sizeof b, &h, &p, NULL), DEC_MALFORMED);
    memcpy(b, v_basic, sizeof b);
    b[0] = 0x4f; /* IHL 15 = 60 bytes > total length 28 */
    cr_assert_eq(dec_exact(b, sizeof b, &h, &p, NULL), DEC_MALFORMED);
    cr_assert_eq(dec_open(b, sizeof b, &h, &p, NULL), DEC_TRUNCATED, "header past the capture end");
}

Test(ipv4, every_prefix)
{
    const struct {
        const uint8_t *b;
        size_t n;
    } vs[] = {{v_basic, sizeof v_basic}, {v_opts, sizeof v_opts}, {v_frag1, sizeof v_frag1},
              {v_frag2, sizeof v_frag2}, {v_frag3, sizeof v_frag3}};
    for (size_t v = 0; v < ARRAY_LEN(vs); v++) {
        struct ipv4_hdr full, h;
        cursor p;
        cr_assert_eq(dec_open(vs[v].b, vs[v].n, &full, &p, NULL), DEC_OK);
        for (size_t n = 0; n < vs[v].n; n++) {
            dec_status st = dec_open(vs[v].b, n, &h, &p, NULL);
            if (n < full.hdr_len) {
                cr_assert_eq(st, DEC_TRUNCATED, "vector %zu prefix %zu: %s", v, n, dec_status_name(st));
                continue;
            }
            cr_assert_eq(st, DEC_OK, "vector %zu prefix %zu", v, n);
            cr_assert(h.payload_truncated);
            cr_assert_eq(cursor_len(&p), n - full.hdr_len);
            h.payload_truncated = false;
            cr_assert(memcmp(&h, &full, sizeof h) == 0, "vector %zu prefix %zu: values differ", v, n);
            /* an exact region that short is a lie */
            cr_assert_eq(dec_exact(vs[v].b, n, &h, &p, NULL), DEC_MALFORMED);
        }
    }
}

Test(ipv4, encoder_computes_lengths_and_checksum)
{
    uint8_t buf[64];
    wbuf w;
    wbuf_init(&w, buf, sizeof buf);
    static const uint8_t pl[8] = {0x30, 0x01, 0x88, 0x0b, 0x00, 0x00, 0x00, 0x05};
    struct ipv4_hdr e = {.tos = 0xb8, .id = 0x1234, .dont_fragment = true, .ttl = 64, .proto = 47,
                         .src = 0xc0a80001, .dst = 0x0a000002};
    cr_assert(ipv4_encode(&w, &e, pl, sizeof pl));
    cr_assert_eq(wbuf_len(&w), sizeof v_basic);
    cr_assert(memcmp(buf, v_basic, sizeof v_basic) == 0, "encoder reproduces the vector byte for byte");
    /* raw_total_len override (fault injection) */
    e.raw_total_len = 100;
    wbuf_init(&w, buf, sizeof buf);
    cr_assert(ipv4_encode(&w, &e, pl, sizeof pl));
    cr_assert_eq(buf[3], 100);
    /* refusals */
    e.raw_total_len = 0;
    e.frag_offset = 3;
    wbuf_init(&w, buf, sizeof buf);
    cr_assert_not(ipv4_encode(&w, &e, pl, sizeof pl));
    e.frag_offset = 0;
    e.opt_len = 41;
    cr_assert_not(ipv4_encode(&w, &e, pl, sizeof pl));
    e.opt_len = 0;
    wbuf_init(&w, buf, 20);
    cr_assert_not(ipv4_encode(&w, &e, pl, sizeof pl), "overflow reported");
}

Test(ipv4, random_round_trips)
{
    lt_seed(0x4444);
    static uint8_t buf[70000], pl[2000];
    for (int iter = 0; iter < 3000; iter++) {
        struct ipv4_hdr in;
        memset(&in, 0, sizeof in);
        in.tos = (uint8_t)lt_rand();
        in.id = (uint16_t)lt_rand();
        in.reserved_flag = lt_below(8) == 0;
        in.dont_fragment = lt_below(2);
        in.more_fragments = lt_below(2);
        in.frag_offset = (uint16_t)(lt_below(8192) * 8);
        in.ttl = (uint8_t)lt_rand();
        in.proto = (uint8_t)lt_rand();
        in.src = lt_rand();
        in.dst = lt_rand();
        in.opt_len = (uint8_t)(lt_below(11) * 4);
        lt_rand_bytes(in.options, in.opt_len);
        size_t plen = lt_below(sizeof pl);
        lt_rand_bytes(pl, plen);
        wbuf w;
        wbuf_init(&w, buf, sizeof buf);
        cr_assert(ipv4_encode(&w, &in, pl, plen));
        struct ipv4_hdr out;
        cursor p;
        cr_assert_eq(dec_exact(buf, wbuf_len(&w), &out, &p, NULL), DEC_OK, "iter %d", iter);
        cr_assert_eq(out.version, 4);
        cr_assert_eq(out.hdr_len, 20 + in.opt_len);
        cr_assert_eq(out.total_len, 20 + in.opt_len + plen);
        cr_assert_eq(out.tos, in.tos);
        cr_assert_eq(out.id, in.id);
        cr_assert_eq(out.reserved_flag, in.reserved_flag);
        cr_assert_eq(out.dont_fragment, in.dont_fragment);
        cr_assert_eq(out.more_fragments, in.more_fragments);
        cr_assert_eq(out.frag_offset, in.frag_offset);
        cr_assert_eq(out.is_fragment, in.more_fragments || in.frag_offset != 0);
        cr_assert_eq(out.ttl, in.ttl);
        cr_assert_eq(out.proto, in.proto);
        cr_assert_eq(out.src, in.src);
        cr_assert_eq(out.dst, in.dst);
        cr_assert_eq(out.opt_len, in.opt_len);
        cr_assert(memcmp(out.options, in.options, in.opt_len) == 0);
        cr_assert(out.checksum_ok);
        cr_assert_eq(cursor_len(&p), plen);
        cr_assert(plen == 0 || memcmp(cursor_data(&p), pl, plen) == 0);
    }
}

/* ---- tshark ------------------------------------------------------------------------ */

static void write_eth_ip4(pcapw *pw, const struct ipv4_hdr *h, const uint8_t *pl, size_t n)
{
    uint8_t buf[2048];
    wbuf w;
    wbuf_init(&w, buf, sizeof buf);
    struct ether_hdr e = {.dst = {2, 0, 0, 0, 0, 2}, .src = {2, 0, 0, 0, 0, 1}, .type = ETH_TYPE_IPV4};
    cr_assert(ether_encode(&w, &e));
    cr_assert(ipv4_encode(&w, h, pl, n));
    cr_assert_eq(pcapw_write(pw, 2000000, buf, wbuf_len(&w)), 0);
}

Test(tshark, ipv4_fields_options_fragments)
{
    if (!tshark_available())
        cr_skip("tshark not installed");
    char path[4096];
    scratch_path("ipv4.pcap", path, sizeof path);
    pcapw *pw = pcapw_open(path, 1);
    cr_assert_not_null(pw);
    uint8_t pl[48];
    for (size_t i = 0; i < sizeof pl; i++)
        pl[i] = (uint8_t)i;
    struct ipv4_hdr h = {.tos = 0x10, .id = 0x0101, .dont_fragment = true, .ttl = 63, .proto = 253,
                         .src = 0xc0a80001, .dst = 0x0a000002};
    write_eth_ip4(pw, &h, pl, 8);
    /* options: Record Route with room for 2 addresses + NOP padding */
    static const uint8_t rr[12] = {0x07, 0x0b, 0x04, 0, 0, 0, 0, 0, 0, 0, 0, 0x00};
    h.opt_len = sizeof rr;
    memcpy(h.options, rr, sizeof rr);
    h.id = 0x0202;
    write_eth_ip4(pw, &h, pl, 8);
    h.opt_len = 0;
    h.dont_fragment = false;
    h.id = 0xabcd;
    h.more_fragments = true;
    write_eth_ip4(pw, &h, pl, 16);
    h.frag_offset = 16;
    write_eth_ip4(pw, &h, pl + 16, 16);
    h.more_fragments = false;
    h.frag_offset = 32;
    write_eth_ip4(pw, &h, pl + 32, 5);
    pcapw_close(pw);
    cr_assert_eq(tshark_malformed_count(path), 0);
    char *out = lt_tshark(path, "-o ip.check_checksum:TRUE -o ip.defragment:FALSE", NULL,
                          "-e ip.src -e ip.dst -e ip.id -e ip.flags.df -e ip.flags.mf -e ip.frag_offset -e ip.ttl "
                          "-e ip.proto -e ip.hdr_len -e ip.len -e ip.checksum.status -e ip.opt.type -e ip.dsfield");
    cr_assert_not_null(out);
    char *l[8];
    char x[128];
    cr_assert_eq(lt_lines(out, l, 8), 5);
    static const char *const want[5][11] = {
        {"192.168.0.1", "10.0.0.2", "0x0101", "1", "0", "0", "63", "253", "20", "28", "1"},
        {"192.168.0.1", "10.0.0.2", "0x0202", "1", "0", "0", "63", "253", "32", "40", "1"},
        {"192.168.0.1", "10.0.0.2", "0xabcd", "0", "1", "0", "63", "253", "20", "36", "1"},
        {"192.168.0.1", "10.0.0.2", "0xabcd", "0", "1", "2", "63", "253", "20", "36", "1"},
        {"192.168.0.1", "10.0.0.2", "0xabcd", "0", "0", "4", "63", "253", "20", "25", "1"},
    }; /* tshark 4 shows ip.frag_offset in 8-byte units (16 and 32 bytes encoded) */
    for (int i = 0; i < 5; i++)
        for (int f = 0; f < 11; f++)
            cr_assert_str_eq(lt_field(l[i], f, x, sizeof x), want[i][f], "packet %d field %d", i, f);
    cr_assert(strstr(lt_field(l[1], 11, x, sizeof x), "7") != NULL, "record route option seen: %s", x);
    cr_assert_str_eq(lt_field(l[0], 12, x, sizeof x), "0x10");
    free(out);
}

Test(tshark, ipv4_bad_checksum_agrees)
{
    if (!tshark_available())
        cr_skip("tshark not installed");
    char path[4096];
    scratch_path("ipv4_badsum.pcap", path, sizeof path);
    pcapw *pw = pcapw_open(path, 1);
    cr_assert_not_null(pw);
    uint8_t frame[14 + sizeof v_basic];
    static const uint8_t eth[14] = {2, 0, 0, 0, 0, 2, 2, 0, 0, 0, 0, 1, 0x08, 0x00};
    memcpy(frame, eth, 14);
    memcpy(frame + 14, v_basic, sizeof v_basic);
    frame[14 + 11] ^= 0x40;
    cr_assert_eq(pcapw_write(pw, 1, frame, sizeof frame), 0);
    pcapw_close(pw);
    char *out = lt_tshark(path, "-o ip.check_checksum:TRUE", NULL, "-e ip.checksum.status");
    cr_assert_not_null(out);
    cr_assert_eq(atoi(out), 0, "tshark: bad (0), got %s", out);
    free(out);
    struct ipv4_hdr h;
    cursor p;
    cr_assert_eq(dec_open(frame + 14, sizeof v_basic, &h, &p, NULL), DEC_OK);
    cr_assert_not(h.checksum_ok);
}
