/* test_icmp.c - ICMP / ICMPv6 (icmp.h): fragmentation needed with an embedded
 * IPv4+GRE header, packet too big, echo, checksums, prefixes, round trips, tshark. */
#include <criterion/criterion.h>
#include <string.h>

#include "icmp.h"
#include "ipv4.h"
#include "ipv6.h"
#include "link.h"
#include "link_test_helpers.h"
#include "names.h"
#include "pcap_writer.h"
#include "test_env.h"

/* type 3 code 4, next-hop MTU 1400; embedded: IPv4 192.168.1.10 -> 203.0.113.5,
 * total length 1500, DF, GRE; then 12 bytes of GRE v1 (K+S, PPP, len 1476, call 7, seq 42) */
static const uint8_t v_frag_needed[] = {
    0x03, 0x04, 0x39, 0x82, 0x00, 0x00, 0x05, 0x78, 0x45, 0x00, 0x05, 0xdc, 0x0b, 0xad, 0x40, 0x00,
    0x3f, 0x2f, 0x2c, 0x8e, 0xc0, 0xa8, 0x01, 0x0a, 0xcb, 0x00, 0x71, 0x05, 0x30, 0x01, 0x88, 0x0b,
    0x05, 0xc4, 0x00, 0x07, 0x00, 0x00, 0x00, 0x2a};
static const uint8_t v_echo[] = {0x08, 0x00, 0x54, 0x35, 0x12, 0x34, 0x00, 0x01,
                                 'a', 'b', 'c', 'd', 'e', 'f', 'g', 'h'};
/* ICMPv6 packet too big, MTU 1280, from 2001:db8::ff to 2001:db8::1; embedded IPv6
 * 2001:db8::1 -> ::2, payload length 1400, TCP, and 8 bytes of TCP */
#define A6(last) 0x20, 0x01, 0x0d, 0xb8, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, last
static const uint8_t v_ptb[] = {0x02, 0x00, 0xca, 0x31, 0x00, 0x00, 0x05, 0x00, 0x60, 0x00, 0x00, 0x00,
                                0x05, 0x78, 0x06, 0x40, A6(0x01), A6(0x02),
                                0x04, 0x00, 0x06, 0xbb, 0x00, 0x00, 0x00, 0x01};
static const uint8_t v_echo6[] = {0x80, 0x00, 0x43, 0x71, 0x01, 0x02, 0x00, 0x03, 'p', 'i', 'n', 'g'};
static const uint8_t router6[16] = {A6(0xff)}, host6[16] = {A6(0x01)}, peer6[16] = {A6(0x02)};

static dec_status dec4(const uint8_t *b, size_t n, bool exact, struct icmp_msg *m, cursor *p, anomaly_set *an)
{
    cursor c;
    if (exact)
        cursor_init_exact(&c, b, n);
    else
        cursor_init(&c, b, n);
    if (an)
        anomaly_clear(an);
    return icmp4_decode(&c, m, p, an);
}

static dec_status dec6(const uint8_t *b, size_t n, bool exact, struct icmp_msg *m, cursor *p, anomaly_set *an)
{
    cursor c;
    if (exact)
        cursor_init_exact(&c, b, n);
    else
        cursor_init(&c, b, n);
    if (an)
        anomaly_clear(an);
    struct ip_pair ip;
    ip_pair_v6(&ip, router6, host6);
    return icmp6_decode(&c, &ip, m, p, an);
}

Test(icmp, frag_needed_with_embedded_ipv4_gre)
{
    struct icmp_msg m;
    cursor p;
    anomaly_set an;
    cr_assert_eq(dec4(v_frag_needed, sizeof v_frag_needed, true, &m, &p, &an), DEC_OK);
    cr_assert_eq(m.type, ICMP4_DEST_UNREACH);
    cr_assert_eq(m.code, ICMP4_CODE_FRAG_NEEDED);
    cr_assert_eq(m.checksum, 0x3982);
    cr_assert_eq(m.csum, IP_CSUM_OK);
    cr_assert_eq(m.mtu, 1400);
    cr_assert(m.is_error);
    cr_assert_not(anomaly_any(&an));
    cr_assert_str_eq(icmp4_type_name(m.type), "dest-unreachable");
    cr_assert_str_eq(icmp4_code_name(m.type, m.code), "frag-needed");
    cr_assert_eq(cursor_len(&p), 32);
    cr_assert_eq(p.open_end, 1, "the embedded packet is cut by the sender: open ended");
    /* the caller decodes the embedded packet with the IPv4 decoder */
    struct ipv4_hdr ih;
    cursor gre;
    cr_assert_eq(ipv4_decode(&p, &ih, &gre, NULL), DEC_OK);
    cr_assert_eq(ih.proto, IP_PROTO_GRE);
    cr_assert_eq(ih.total_len, 1500);
    cr_assert(ih.dont_fragment);
    cr_assert(ih.checksum_ok);
    cr_assert_eq(ih.src, 0xc0a8010a);
    cr_assert_eq(ih.dst, 0xcb007105);
    cr_assert(ih.payload_truncated);
    cr_assert_eq(cursor_len(&gre), 12);
    uint16_t flags, proto, len, call;
    cr_assert(cursor_get_be16(&gre, &flags) && cursor_get_be16(&gre, &proto) && cursor_get_be16(&gre, &len) &&
              cursor_get_be16(&gre, &call));
    cr_assert_eq(flags, 0x3001);
    cr_assert_eq(proto, 0x880b);
    cr_assert_eq(call, 7);
}

Test(icmp, echo_request)
{
    struct icmp_msg m;
    cursor p;
    anomaly_set an;
    cr_assert_eq(dec4(v_echo, sizeof v_echo, true, &m, &p, &an), DEC_OK);
    cr_assert_eq(m.type, ICMP4_ECHO_REQUEST);
    cr_assert_eq(m.id, 0x1234);
    cr_assert_eq(m.seq, 1);
    cr_assert_eq(m.csum, IP_CSUM_OK);
    cr_assert_not(m.is_error);
    cr_assert_eq(cursor_len(&p), 8);
    cr_assert_eq(cursor_data(&p)[0], 'a');
    cr_assert_eq(p.open_end, 0);
    cr_assert_not(anomaly_any(&an));
    cr_assert_str_eq(icmp4_type_name(0), "echo-reply");
}

Test(icmp, checksum_bad_or_unchecked)
{
    uint8_t b[sizeof v_frag_needed];
    memcpy(b, v_frag_needed, sizeof b);
    b[39] ^= 0xff;
    struct icmp_msg m;
    cursor p;
    anomaly_set an;
    cr_assert_eq(dec4(b, sizeof b, true, &m, &p, &an), DEC_OK);
    cr_assert_eq(m.csum, IP_CSUM_BAD);
    cr_assert(anomaly_has(&an, ANOMALY_ICMP_BAD_CHECKSUM));
    cr_assert_eq(m.mtu, 1400, "still decoded");
    /* open-ended (possibly cut) message: not verified, no anomaly */
    cr_assert_eq(dec4(b, sizeof b, false, &m, &p, &an), DEC_OK);
    cr_assert_eq(m.csum, IP_CSUM_UNCHECKED);
    cr_assert_not(anomaly_has(&an, ANOMALY_ICMP_BAD_CHECKSUM));
    cr_assert_str_eq(ip_csum_status_name(IP_CSUM_BAD), "bad");
}

Test(icmp, small_mtu_flagged)
{
    uint8_t buf[64];
    wbuf w;
    wbuf_init(&w, buf, sizeof buf);
    struct icmp_msg e = {.type = 3, .code = 4, .mtu = 0};
    cr_assert(icmp4_encode(&w, &e, v_frag_needed + 8, 28));
    struct icmp_msg m;
    cursor p;
    anomaly_set an;
    cr_assert_eq(dec4(buf, wbuf_len(&w), true, &m, &p, &an), DEC_OK);
    cr_assert_eq(m.mtu, 0);
    cr_assert_eq(m.csum, IP_CSUM_OK);
    cr_assert(anomaly_has(&an, ANOMALY_ICMP_FRAG_NEEDED_SMALL_MTU));
}

Test(icmp6, packet_too_big_with_embedded_ipv6)
{
    struct icmp_msg m;
    cursor p;
    anomaly_set an;
    cr_assert_eq(dec6(v_ptb, sizeof v_ptb, true, &m, &p, &an), DEC_OK);
    cr_assert_eq(m.type, ICMP6_PACKET_TOO_BIG);
    cr_assert_eq(m.code, 0);
    cr_assert_eq(m.mtu, 1280);
    cr_assert_eq(m.csum, IP_CSUM_OK);
    cr_assert(m.is_error);
    cr_assert_not(anomaly_any(&an));
    cr_assert_str_eq(icmp6_type_name(m.type), "packet-too-big");
    cr_assert_eq(cursor_len(&p), 48);
    struct ipv6_hdr ih;
    cursor tcp;
    cr_assert_eq(ipv6_decode(&p, &ih, &tcp, NULL), DEC_OK);
    cr_assert_eq(ih.proto, IP_PROTO_TCP);
    cr_assert_eq(ih.payload_len, 1400);
    cr_assert(memcmp(ih.src, host6, 16) == 0);
    cr_assert(memcmp(ih.dst, peer6, 16) == 0);
    cr_assert(ih.payload_truncated);
    cr_assert_eq(cursor_len(&tcp), 8);
}

Test(icmp6, echo_and_checksum)
{
    struct icmp_msg m;
    cursor p;
    anomaly_set an;
    cr_assert_eq(dec6(v_echo6, sizeof v_echo6, true, &m, &p, &an), DEC_OK);
    cr_assert_eq(m.type, ICMP6_ECHO_REQUEST);
    cr_assert_eq(m.id, 0x0102);
    cr_assert_eq(m.seq, 3);
    cr_assert_eq(m.csum, IP_CSUM_OK);
    cr_assert_eq(cursor_len(&p), 4);
    /* the pseudo-header matters: other addresses, bad checksum */
    struct ip_pair other;
    ip_pair_v6(&other, host6, router6);
    cursor c;
    cursor_init_exact(&c, v_ptb, sizeof v_ptb);
    anomaly_clear(&an);
    cr_assert_eq(icmp6_decode(&c, &other, &m, &p, &an), DEC_OK);
    cr_assert_eq(m.csum, IP_CSUM_OK, "swapping src and dst keeps the sum");
    static const uint8_t third[16] = {A6(0x33)};
    ip_pair_v6(&other, third, router6);
    cursor_init_exact(&c, v_ptb, sizeof v_ptb);
    cr_assert_eq(icmp6_decode(&c, &other, &m, &p, &an), DEC_OK);
    cr_assert_eq(m.csum, IP_CSUM_BAD);
    cr_assert(anomaly_has(&an, ANOMALY_ICMP6_BAD_CHECKSUM));
    /* no addresses: not verified */
    cursor_init_exact(&c, v_ptb, sizeof v_ptb);
    cr_assert_eq(icmp6_decode(&c, NULL, &m, &p, NULL), DEC_OK);
    cr_assert_eq(m.csum, IP_CSUM_UNCHECKED);
}

Test(icmp6, small_ptb_mtu_flagged)
{
    uint8_t buf[128];
    wbuf w;
    wbuf_init(&w, buf, sizeof buf);
    struct ip_pair ip;
    ip_pair_v6(&ip, router6, host6);
    struct icmp_msg e = {.type = 2, .mtu = 1000};
    cr_assert(icmp6_encode(&w, &ip, &e, v_ptb + 8, 48));
    struct icmp_msg m;
    cursor p;
    anomaly_set an;
    cr_assert_eq(dec6(buf, wbuf_len(&w), true, &m, &p, &an), DEC_OK);
    cr_assert_eq(m.mtu, 1000);
    cr_assert_eq(m.csum, IP_CSUM_OK);
    cr_assert(anomaly_has(&an, ANOMALY_ICMP6_PTB_SMALL_MTU));
}

Test(icmp, every_prefix_and_exact_short)
{
    const struct {
        const uint8_t *b;
        size_t n;
        int v6;
    } vs[] = {{v_frag_needed, sizeof v_frag_needed, 0}, {v_echo, sizeof v_echo, 0}, {v_ptb, sizeof v_ptb, 1},
              {v_echo6, sizeof v_echo6, 1}};
    for (size_t v = 0; v < ARRAY_LEN(vs); v++) {
        struct icmp_msg full, m;
        cursor p;
        dec_status st = vs[v].v6 ? dec6(vs[v].b, vs[v].n, false, &full, &p, NULL)
                                 : dec4(vs[v].b, vs[v].n, false, &full, &p, NULL);
        cr_assert_eq(st, DEC_OK);
        for (size_t n = 0; n < vs[v].n; n++) {
            st = vs[v].v6 ? dec6(vs[v].b, n, false, &m, &p, NULL) : dec4(vs[v].b, n, false, &m, &p, NULL);
            if (n < ICMP_HDR_LEN) {
                cr_assert_eq(st, DEC_TRUNCATED, "vector %zu prefix %zu", v, n);
                st = vs[v].v6 ? dec6(vs[v].b, n, true, &m, &p, NULL) : dec4(vs[v].b, n, true, &m, &p, NULL);
                cr_assert_eq(st, DEC_MALFORMED, "vector %zu exact %zu", v, n);
                continue;
            }
            cr_assert_eq(st, DEC_OK);
            cr_assert(memcmp(&m, &full, sizeof m) == 0, "vector %zu prefix %zu: values differ", v, n);
            cr_assert_eq(cursor_len(&p), n - ICMP_HDR_LEN);
        }
    }
}

Test(icmp, encoders_reproduce_vectors)
{
    uint8_t buf[128];
    wbuf w;
    wbuf_init(&w, buf, sizeof buf);
    struct icmp_msg e = {.type = 3, .code = 4, .mtu = 1400};
    cr_assert(icmp4_encode(&w, &e, v_frag_needed + 8, sizeof v_frag_needed - 8));
    cr_assert_eq(wbuf_len(&w), sizeof v_frag_needed);
    cr_assert(memcmp(buf, v_frag_needed, sizeof v_frag_needed) == 0);
    wbuf_init(&w, buf, sizeof buf);
    e = (struct icmp_msg){.type = 8, .id = 0x1234, .seq = 1};
    cr_assert(icmp4_encode(&w, &e, v_echo + 8, 8));
    cr_assert(memcmp(buf, v_echo, sizeof v_echo) == 0);
    struct ip_pair ip;
    ip_pair_v6(&ip, router6, host6);
    wbuf_init(&w, buf, sizeof buf);
    e = (struct icmp_msg){.type = 2, .mtu = 1280};
    cr_assert(icmp6_encode(&w, &ip, &e, v_ptb + 8, sizeof v_ptb - 8));
    cr_assert(memcmp(buf, v_ptb, sizeof v_ptb) == 0);
    wbuf_init(&w, buf, sizeof buf);
    e = (struct icmp_msg){.type = 128, .id = 0x0102, .seq = 3};
    cr_assert(icmp6_encode(&w, &ip, &e, v_echo6 + 8, 4));
    cr_assert(memcmp(buf, v_echo6, sizeof v_echo6) == 0);
    cr_assert_not(icmp6_encode(&w, NULL, &e, NULL, 0), "ICMPv6 needs the addresses");
    wbuf_init(&w, buf, 10);
    cr_assert_not(icmp4_encode(&w, &e, v_echo, sizeof v_echo));
}

Test(icmp, random_round_trips)
{
    lt_seed(0x1c1c);
    static const uint8_t t4[] = {0, 3, 4, 5, 8, 11, 12, 13, 14, 9, 200};
    static const uint8_t t6[] = {1, 2, 3, 4, 128, 129, 133, 135, 200};
    uint8_t buf[1200], pl[1100];
    struct ip_pair ip;
    for (int iter = 0; iter < 4000; iter++) {
        bool v6 = lt_below(2);
        struct icmp_msg in;
        memset(&in, 0, sizeof in);
        in.type = v6 ? t6[lt_below(ARRAY_LEN(t6))] : t4[lt_below(ARRAY_LEN(t4))];
        in.code = (uint8_t)lt_below(v6 ? 8 : 16);
        in.id = (uint16_t)lt_rand();
        in.seq = (uint16_t)lt_rand();
        in.mtu = v6 ? lt_rand() : (uint16_t)lt_rand();
        in.pointer = v6 ? lt_rand() : (uint8_t)lt_rand();
        in.gateway = lt_rand();
        in.rest = lt_rand();
        size_t plen = lt_below(sizeof pl);
        lt_rand_bytes(pl, plen);
        uint8_t a[16], b[16];
        lt_rand_bytes(a, 16);
        lt_rand_bytes(b, 16);
        ip_pair_v6(&ip, a, b);
        wbuf w;
        wbuf_init(&w, buf, sizeof buf);
        cr_assert(v6 ? icmp6_encode(&w, &ip, &in, pl, plen) : icmp4_encode(&w, &in, pl, plen));
        struct icmp_msg out;
        cursor c, p;
        cursor_init_exact(&c, buf, wbuf_len(&w));
        cr_assert_eq(v6 ? icmp6_decode(&c, &ip, &out, &p, NULL) : icmp4_decode(&c, &out, &p, NULL), DEC_OK);
        cr_assert_eq(out.type, in.type);
        cr_assert_eq(out.code, in.code);
        cr_assert_eq(out.csum, IP_CSUM_OK, "iter %d", iter);
        cr_assert_eq(out.is_error, v6 ? icmp6_is_error(in.type) : icmp4_is_error(in.type));
        bool echo = v6 ? (in.type == 128 || in.type == 129) : (in.type == 0 || in.type == 8 || in.type == 13 || in.type == 14);
        if (echo) {
            cr_assert_eq(out.id, in.id);
            cr_assert_eq(out.seq, in.seq);
        } else if (v6 && in.type == 2) {
            cr_assert_eq(out.mtu, in.mtu);
        } else if (v6 && in.type == 4) {
            cr_assert_eq(out.pointer, in.pointer);
        } else if (!v6 && in.type == 3 && in.code == 4) {
            cr_assert_eq(out.mtu, in.mtu);
        } else if (!v6 && in.type == 5) {
            cr_assert_eq(out.gateway, in.gateway);
        } else if (!v6 && in.type == 12) {
            cr_assert_eq(out.pointer, in.pointer);
        } else {
            cr_assert_eq(out.rest, in.rest);
        }
        cr_assert_eq(cursor_len(&p), plen);
        cr_assert(plen == 0 || memcmp(cursor_data(&p), pl, plen) == 0);
    }
}

Test(icmp, names)
{
    cr_assert_str_eq(icmp4_code_name(3, 3), "port-unreachable");
    cr_assert_str_eq(icmp4_code_name(11, 1), "reassembly-time-exceeded");
    cr_assert_str_eq(icmp4_code_name(3, 200), "unknown");
    cr_assert_str_eq(icmp4_code_name(8, 0), "none");
    cr_assert_str_eq(icmp4_type_name(99), "unknown");
    cr_assert_str_eq(icmp6_type_name(129), "echo-reply");
    cr_assert_str_eq(icmp6_code_name(1, 4), "port-unreachable");
    cr_assert_str_eq(icmp6_code_name(4, 1), "unrecognized-next-header");
    cr_assert_str_eq(ip_proto_name(58), "ipv6-icmp");
    cr_assert_str_eq(ip_proto_name(1), "icmp");
    cr_assert_str_eq(ip_proto_name(17), "udp");
    cr_assert_str_eq(ip_proto_name(6), "tcp");
    cr_assert_str_eq(ip_proto_name(47), "gre");
    cr_assert_str_eq(ip_proto_name(99), "unknown");
}

/* ---- tshark ------------------------------------------------------------------------- */

Test(tshark, icmp_frag_needed_and_echo)
{
    if (!tshark_available())
        cr_skip("tshark not installed");
    char path[4096];
    scratch_path("icmp4.pcap", path, sizeof path);
    pcapw *pw = pcapw_open(path, 1);
    cr_assert_not_null(pw);
    cr_assert_eq(pcapw_write_ip4(pw, 1, 0x0a000001, 0xc0a8010a, 1, v_frag_needed, sizeof v_frag_needed), 0);
    cr_assert_eq(pcapw_write_ip4(pw, 2, 0xc0a8010a, 0x0a000001, 1, v_echo, sizeof v_echo), 0);
    pcapw_close(pw);
    cr_assert_eq(tshark_malformed_count(path), 0);
    char *out = lt_tshark(path, NULL, NULL,
                          "-e icmp.type -e icmp.code -e icmp.mtu -e icmp.checksum.status -e ip.proto -e ip.src "
                          "-e icmp.ident -e icmp.seq -e gre.proto");
    cr_assert_not_null(out);
    char *l[4];
    char x[128];
    cr_assert_eq(lt_lines(out, l, 4), 2);
    cr_assert_str_eq(lt_field(l[0], 0, x, sizeof x), "3");
    cr_assert_str_eq(lt_field(l[0], 1, x, sizeof x), "4");
    cr_assert_str_eq(lt_field(l[0], 2, x, sizeof x), "1400");
    cr_assert_str_eq(lt_field(l[0], 3, x, sizeof x), "1");
    cr_assert_str_eq(lt_field(l[0], 4, x, sizeof x), "1,47");
    cr_assert_str_eq(lt_field(l[0], 5, x, sizeof x), "10.0.0.1,192.168.1.10");
    cr_assert_str_eq(lt_field(l[0], 8, x, sizeof x), "0x880b");
    cr_assert_str_eq(lt_field(l[1], 0, x, sizeof x), "8");
    cr_assert_str_eq(lt_field(l[1], 3, x, sizeof x), "1");
    cr_assert_str_eq(lt_field(l[1], 6, x, sizeof x), "4660");
    cr_assert_str_eq(lt_field(l[1], 7, x, sizeof x), "1");
    free(out);
}

Test(tshark, icmpv6_packet_too_big_and_echo)
{
    if (!tshark_available())
        cr_skip("tshark not installed");
    char path[4096];
    scratch_path("icmp6.pcap", path, sizeof path);
    pcapw *pw = pcapw_open(path, 1);
    cr_assert_not_null(pw);
    static const uint8_t eth[14] = {2, 0, 0, 0, 0, 2, 2, 0, 0, 0, 0, 1, 0x86, 0xdd};
    struct ipv6_hdr e;
    memset(&e, 0, sizeof e);
    e.hop_limit = 64;
    e.proto = IP_PROTO_ICMPV6;
    memcpy(e.src, router6, 16);
    memcpy(e.dst, host6, 16);
    const uint8_t *msgs[2] = {v_ptb, v_echo6};
    size_t lens[2] = {sizeof v_ptb, sizeof v_echo6};
    for (int i = 0; i < 2; i++) {
        uint8_t buf[256];
        wbuf w;
        wbuf_init(&w, buf, sizeof buf);
        wbuf_put_bytes(&w, eth, 14);
        cr_assert(ipv6_encode(&w, &e, msgs[i], lens[i]));
        cr_assert_eq(pcapw_write(pw, 1, buf, wbuf_len(&w)), 0);
    }
    pcapw_close(pw);
    cr_assert_eq(tshark_malformed_count(path), 0);
    char *out = lt_tshark(path, NULL, NULL,
                          "-e icmpv6.type -e icmpv6.code -e icmpv6.mtu -e icmpv6.checksum.status -e ipv6.nxt "
                          "-e icmpv6.echo.identifier -e icmpv6.echo.sequence_number");
    cr_assert_not_null(out);
    char *l[4];
    char x[128];
    cr_assert_eq(lt_lines(out, l, 4), 2);
    cr_assert_str_eq(lt_field(l[0], 0, x, sizeof x), "2");
    cr_assert_str_eq(lt_field(l[0], 2, x, sizeof x), "1280");
    cr_assert_str_eq(lt_field(l[0], 3, x, sizeof x), "1");
    cr_assert_str_eq(lt_field(l[0], 4, x, sizeof x), "58,6");
    cr_assert_str_eq(lt_field(l[1], 0, x, sizeof x), "128");
    cr_assert_str_eq(lt_field(l[1], 3, x, sizeof x), "1");
    cr_assert_str_eq(lt_field(l[1], 5, x, sizeof x), "0x0102");
    cr_assert_str_eq(lt_field(l[1], 6, x, sizeof x), "3");
    free(out);
}
