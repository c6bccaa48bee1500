/* test_tcp.c - TCP decoder/encoder (tcp.h): options (MSS, window scale, SACK,
 * timestamps, unknown), flags, checksums with IPv4/IPv6 pseudo-headers, every
 * prefix, malformed offsets/options, round trips, tshark. */
#include <criterion/criterion.h>
#include <string.h>

#include "ipv4.h"
#include "ipv6.h"
#include "link.h"
#include "link_test_helpers.h"
#include "names.h"
#include "pcap_writer.h"
#include "tcp.h"
#include "test_env.h"

/* 10.0.0.1:49152 -> 10.0.0.2:1723 SYN, seq 0x01020304, window 64240,
 * options MSS 1460, SACK-permitted, TS 0x1234/0, NOP, window scale 7 */
static const uint8_t v_syn[] = {0xc0, 0x00, 0x06, 0xbb, 0x01, 0x02, 0x03, 0x04, 0x00, 0x00, 0x00, 0x00, 0xa0, 0x02,
                                0xfa, 0xf0, 0x5c, 0x17, 0x00, 0x00, 0x02, 0x04, 0x05, 0xb4, 0x04, 0x02, 0x08, 0x0a,
                                0x00, 0x00, 0x12, 0x34, 0x00, 0x00, 0x00, 0x00, 0x01, 0x03, 0x03, 0x07};
/* 10.0.0.2:1723 -> 10.0.0.1:49152 PSH|ACK, NOP NOP TS, NOP NOP SACK x2, "hello" */
static const uint8_t v_sack[] = {0x06, 0xbb, 0xc0, 0x00, 0xa0, 0x00, 0x00, 0x01, 0x01, 0x02, 0x03, 0x05, 0xd0, 0x18,
                                 0x01, 0xf5, 0x1d, 0x7f, 0x00, 0x00, 0x01, 0x01, 0x08, 0x0a, 0x00, 0x00, 0x12, 0x40,
                                 0x00, 0x00, 0x12, 0x34, 0x01, 0x01, 0x05, 0x12, 0x01, 0x02, 0x04, 0x00, 0x01, 0x02,
                                 0x05, 0x00, 0x01, 0x02, 0x06, 0x00, 0x01, 0x02, 0x07, 0x00, 'h', 'e', 'l', 'l', 'o'};
/* 10.0.0.1:1 -> 10.0.0.2:2 ACK: unknown option 30 (4 bytes), MSS with length 3, EOL */
static const uint8_t v_unknown[] = {0x00, 0x01, 0x00, 0x02, 0x00, 0x00, 0x00, 0x03, 0x00, 0x00, 0x00, 0x04, 0x70, 0x10,
                                    0x00, 0x05, 0xaa, 0xe6, 0x00, 0x00, 0x1e, 0x04, 0xab, 0xcd, 0x02, 0x03, 0x05, 0x00};

static struct ip_pair fwd, rev;

static void pairs(void)
{
    ip_pair_v4(&fwd, 0x0a000001, 0x0a000002);
    ip_pair_v4(&rev, 0x0a000002, 0x0a000001);
}

static dec_status dec(const uint8_t *b, size_t n, bool exact, const struct ip_pair *ip, struct tcp_hdr *h, cursor *p,
                      anomaly_set *an)
{
    cursor c;
    if (exact)
        cursor_init_exact(&c, b, n);
    else
        cursor_init(&c, b, n);
    if (an)
        anomaly_clear(an);
    return tcp_decode(&c, ip, h, p, an);
}

Test(tcp, syn_with_options, .init = pairs)
{
    struct tcp_hdr h;
    cursor p;
    anomaly_set an;
    cr_assert_eq(dec(v_syn, sizeof v_syn, true, &fwd, &h, &p, &an), DEC_OK);
    cr_assert_eq(h.sport, 49152);
    cr_assert_eq(h.dport, 1723);
    cr_assert_eq(h.seq, 0x01020304);
    cr_assert_eq(h.ack, 0);
    cr_assert_eq(h.hdr_len, 40);
    cr_assert_eq(h.flags, TCP_SYN);
    cr_assert_eq(h.window, 64240);
    cr_assert_eq(h.checksum, 0x5c17);
    cr_assert_eq(h.csum, IP_CSUM_OK);
    cr_assert_eq(h.urgent, 0);
    cr_assert_eq(h.opt_len, 20);
    cr_assert(h.has_mss);
    cr_assert_eq(h.mss, 1460);
    cr_assert(h.sack_permitted);
    cr_assert(h.has_ts);
    cr_assert_eq(h.ts_val, 0x1234);
    cr_assert_eq(h.ts_ecr, 0);
    cr_assert(h.has_wscale);
    cr_assert_eq(h.wscale, 7);
    cr_assert_eq(h.n_sack, 0);
    cr_assert_eq(h.n_unknown, 0);
    cr_assert_eq(cursor_len(&p), 0);
    cr_assert_not(anomaly_any(&an));
    char f[64];
    cr_assert_str_eq(tcp_flags_str(h.flags, f, sizeof f), "SYN");
}

Test(tcp, ack_with_sack_blocks_and_payload, .init = pairs)
{
    struct tcp_hdr h;
    cursor p;
    anomaly_set an;
    cr_assert_eq(dec(v_sack, sizeof v_sack, true, &rev, &h, &p, &an), DEC_OK);
    cr_assert_eq(h.sport, 1723);
    cr_assert_eq(h.flags, TCP_PSH | TCP_ACK);
    cr_assert_eq(h.ack, 0x01020305);
    cr_assert_eq(h.hdr_len, 52);
    cr_assert_eq(h.csum, IP_CSUM_OK);
    cr_assert_not(h.has_mss);
    cr_assert(h.has_ts);
    cr_assert_eq(h.ts_val, 0x1240);
    cr_assert_eq(h.ts_ecr, 0x1234);
    cr_assert_eq(h.n_sack, 2);
    cr_assert_eq(h.sack[0].left, 0x01020400);
    cr_assert_eq(h.sack[0].right, 0x01020500);
    cr_assert_eq(h.sack[1].left, 0x01020600);
    cr_assert_eq(h.sack[1].right, 0x01020700);
    cr_assert_eq(cursor_len(&p), 5);
    cr_assert(memcmp(cursor_data(&p), "hello", 5) == 0);
    cr_assert_not(anomaly_any(&an));
    char f[64];
    cr_assert_str_eq(tcp_flags_str(h.flags, f, sizeof f), "PSH,ACK");
}

Test(tcp, unknown_and_wrong_length_options_kept, .init = pairs)
{
    struct tcp_hdr h;
    cursor p;
    anomaly_set an;
    cr_assert_eq(dec(v_unknown, sizeof v_unknown, true, &fwd, &h, &p, &an), DEC_OK);
    cr_assert_eq(h.csum, IP_CSUM_OK);
    cr_assert_eq(h.n_unknown, 2);
    cr_assert_eq(h.unknown[0].kind, 30);
    cr_assert_eq(h.unknown[0].off, 0);
    cr_assert_eq(h.unknown[0].len, 4);
    cr_assert_eq(h.options[h.unknown[0].off + 2], 0xab);
    cr_assert_eq(h.unknown[1].kind, TCP_OPT_MSS);
    cr_assert_eq(h.unknown[1].off, 4);
    cr_assert_eq(h.unknown[1].len, 3);
    cr_assert_not(h.has_mss, "an MSS option of the wrong length is not an MSS");
    cr_assert(anomaly_has(&an, ANOMALY_TCP_BAD_OPTION_LENGTH));
    cr_assert_str_eq(tcp_option_name(30), "mptcp");
    cr_assert_str_eq(tcp_option_name(2), "mss");
    cr_assert_str_eq(tcp_option_name(99), "unknown");
}

Test(tcp, checksums, .init = pairs)
{
    struct tcp_hdr h;
    cursor p, seg;
    anomaly_set an;
    /* wrong direction's addresses still sum the same; other addresses do not */
    cursor_init_exact(&seg, v_syn, sizeof v_syn);
    cr_assert(tcp_checksum_ok(&fwd, &seg));
    cr_assert(tcp_checksum_ok(&rev, &seg));
    struct ip_pair other;
    ip_pair_v4(&other, 0x0a000003, 0x0a000002);
    cr_assert_not(tcp_checksum_ok(&other, &seg));
    cr_assert_eq(tcp_checksum_verify(&other, &seg), IP_CSUM_BAD);
    cr_assert_eq(tcp_checksum_verify(NULL, &seg), IP_CSUM_UNCHECKED);
    cr_assert_eq(cursor_len(&seg), sizeof v_syn, "not consumed");
    cr_assert_eq(dec(v_syn, sizeof v_syn, true, &other, &h, &p, &an), DEC_OK);
    cr_assert_eq(h.csum, IP_CSUM_BAD);
    cr_assert(anomaly_has(&an, ANOMALY_TCP_BAD_CHECKSUM));
    /* open-ended: the capture may have cut it, so not verified */
    cr_assert_eq(dec(v_syn, sizeof v_syn, false, &other, &h, &p, &an), DEC_OK);
    cr_assert_eq(h.csum, IP_CSUM_UNCHECKED);
    cr_assert_not(anomaly_has(&an, ANOMALY_TCP_BAD_CHECKSUM));
    /* a flipped payload bit */
    uint8_t b[sizeof v_sack];
    memcpy(b, v_sack, sizeof b);
    b[sizeof b - 1] ^= 1;
    cr_assert_eq(dec(b, sizeof b, true, &rev, &h, &p, &an), DEC_OK);
    cr_assert_eq(h.csum, IP_CSUM_BAD);
}

Test(tcp, ipv6_pseudo_header_checksum)
{
    uint8_t s6[16], d6[16];
    lt_seed(99);
    lt_rand_bytes(s6, 16);
    lt_rand_bytes(d6, 16);
    struct ip_pair ip;
    ip_pair_v6(&ip, s6, d6);
    struct tcp_hdr e;
    memset(&e, 0, sizeof e);
    e.sport = 1723;
    e.dport = 40000;
    e.flags = TCP_SYN | TCP_ACK;
    e.has_mss = true;
    e.mss = 1220;
    uint8_t buf[128];
    wbuf w;
    wbuf_init(&w, buf, sizeof buf);
    cr_assert(tcp_encode(&w, &ip, &e, (const uint8_t *)"xyz", 3));
    struct tcp_hdr h;
    cursor p;
    cr_assert_eq(dec(buf, wbuf_len(&w), true, &ip, &h, &p, NULL), DEC_OK);
    cr_assert_eq(h.csum, IP_CSUM_OK);
    cr_assert_eq(h.mss, 1220);
    s6[15] ^= 1;
    ip_pair_v6(&ip, s6, d6);
    cr_assert_eq(dec(buf, wbuf_len(&w), true, &ip, &h, &p, NULL), DEC_OK);
    cr_assert_eq(h.csum, IP_CSUM_BAD);
}

Test(tcp, flags_and_anomalies, .init = pairs)
{
    uint8_t b[sizeof v_unknown];
    struct tcp_hdr h;
    cursor p;
    anomaly_set an;
    memcpy(b, v_unknown, sizeof b);
    b[12] = 0x7f; /* data offset 7, reserved 111, AE */
    b[13] = 0xff;
    cr_assert_eq(dec(b, sizeof b, false, NULL, &h, &p, &an), DEC_OK);
    cr_assert_eq(h.flags, 0x1ff);
    cr_assert_eq(h.reserved, 7);
    char f[128];
    cr_assert_str_eq(tcp_flags_str(h.flags, f, sizeof f), "FIN,SYN,RST,PSH,ACK,URG,ECE,CWR,AE");
    cr_assert(anomaly_has(&an, ANOMALY_TCP_BAD_FLAGS));
    b[12] = 0x70;
    b[13] = 0x00; /* null scan */
    cr_assert_eq(dec(b, sizeof b, false, NULL, &h, &p, &an), DEC_OK);
    cr_assert(anomaly_has(&an, ANOMALY_TCP_BAD_FLAGS));
    cr_assert_str_eq(tcp_flags_str(0, f, sizeof f), "");
    b[13] = TCP_SYN | TCP_RST;
    cr_assert_eq(dec(b, sizeof b, false, NULL, &h, &p, &an), DEC_OK);
    cr_assert(anomaly_has(&an, ANOMALY_TCP_BAD_FLAGS));
    b[13] = TCP_ACK;
    b[0] = b[1] = 0;
    cr_assert_eq(dec(b, sizeof b, false, NULL, &h, &p, &an), DEC_OK);
    cr_assert_not(anomaly_has(&an, ANOMALY_TCP_BAD_FLAGS));
    cr_assert(anomaly_has(&an, ANOMALY_TCP_PORT_ZERO));
}

Test(tcp, malformed_offsets_and_options)
{
    uint8_t b[sizeof v_syn];
    struct tcp_hdr h;
    cursor p;
    memcpy(b, v_syn, sizeof b);
    b[12] = 0x40; /* data offset 4 */
    cr_assert_eq(dec(b, sizeof b, false, NULL, &h, &p, NULL), DEC_MALFORMED);
    memcpy(b, v_syn, sizeof b);
    b[12] = 0xb0; /* data offset 11 = 44 bytes: past an exact segment of 40 */
    cr_assert_eq(dec(b, sizeof b, true, NULL, &h, &p, NULL), DEC_MALFORMED);
    cr_assert_eq(dec(b, sizeof b, false, NULL, &h, &p, NULL), DEC_TRUNCATED, "past the capture: truncated");
    memcpy(b, v_syn, sizeof b);
    b[21] = 1; /* MSS option length 1 */
    cr_assert_eq(dec(b, sizeof b, false, NULL, &h, &p, NULL), DEC_MALFORMED);
    memcpy(b, v_syn, sizeof b);
    b[21] = 0; /* length 0 */
    cr_assert_eq(dec(b, sizeof b, false, NULL, &h, &p, NULL), DEC_MALFORMED);
    memcpy(b, v_syn, sizeof b);
    b[38] = 9; /* window scale length runs past the option area */
    cr_assert_eq(dec(b, sizeof b, false, NULL, &h, &p, NULL), DEC_MALFORMED);
    memcpy(b, v_syn, sizeof b);
    b[36] = b[37] = b[38] = 1;
    b[39] = 3; /* kind 3 as the last byte: its length byte is missing */
    cr_assert_eq(dec(b, sizeof b, false, NULL, &h, &p, NULL), DEC_MALFORMED);
}

Test(tcp, every_prefix, .init = pairs)
{
    const struct {
        const uint8_t *b;
        size_t n;
    } vs[] = {{v_syn, sizeof v_syn}, {v_sack, sizeof v_sack}, {v_unknown, sizeof v_unknown}};
    for (size_t v = 0; v < ARRAY_LEN(vs); v++) {
        struct tcp_hdr full, h;
        cursor p;
        cr_assert_eq(dec(vs[v].b, vs[v].n, false, &fwd, &full, &p, NULL), DEC_OK);
        for (size_t n = 0; n < vs[v].n; n++) {
            dec_status st = dec(vs[v].b, n, false, &fwd, &h, &p, NULL);
            if (n < full.hdr_len) {
                cr_assert_eq(st, DEC_TRUNCATED, "vector %zu prefix %zu: %s", v, n, dec_status_name(st));
                cr_assert_eq(dec(vs[v].b, n, true, &fwd, &h, &p, NULL), DEC_MALFORMED, "exact %zu", n);
                continue;
            }
            cr_assert_eq(st, DEC_OK);
            cr_assert(memcmp(&h, &full, sizeof h) == 0, "vector %zu prefix %zu: values differ", v, n);
            cr_assert_eq(cursor_len(&p), n - full.hdr_len);
        }
    }
}

Test(tcp, encoder_builds_mss_syn_and_raw_options, .init = pairs)
{
    /* the SYN vector from raw options, byte for byte */
    struct tcp_hdr e;
    memset(&e, 0, sizeof e);
    e.sport = 49152;
    e.dport = 1723;
    e.seq = 0x01020304;
    e.flags = TCP_SYN;
    e.window = 64240;
    e.opt_len = 20;
    memcpy(e.options, v_syn + 20, 20);
    uint8_t buf[128];
    wbuf w;
    wbuf_init(&w, buf, sizeof buf);
    cr_assert(tcp_encode(&w, &fwd, &e, NULL, 0));
    cr_assert_eq(wbuf_len(&w), sizeof v_syn);
    cr_assert(memcmp(buf, v_syn, sizeof v_syn) == 0);
    /* an MSS-only SYN, as a peer inside the tunnel sends it */
    memset(&e, 0, sizeof e);
    e.sport = 40000;
    e.dport = 80;
    e.flags = TCP_SYN;
    e.has_mss = true;
    e.mss = 1360;
    wbuf_init(&w, buf, sizeof buf);
    cr_assert(tcp_encode(&w, &fwd, &e, NULL, 0));
    cr_assert_eq(wbuf_len(&w), 24);
    static const uint8_t mss_opt[4] = {2, 4, 0x05, 0x50};
    cr_assert(memcmp(buf + 20, mss_opt, 4) == 0);
    struct tcp_hdr h;
    cursor p;
    cr_assert_eq(dec(buf, wbuf_len(&w), true, &fwd, &h, &p, NULL), DEC_OK);
    cr_assert_eq(h.mss, 1360);
    cr_assert_eq(h.csum, IP_CSUM_OK);
    /* too many options */
    e.has_ts = e.has_wscale = e.sack_permitted = true;
    e.n_sack = 4;
    cr_assert_not(tcp_encode(&w, &fwd, &e, NULL, 0));
    e.n_sack = 5;
    cr_assert_not(tcp_encode(&w, &fwd, &e, NULL, 0));
    /* no pseudo-header: checksum 0 */
    memset(&e, 0, sizeof e);
    wbuf_init(&w, buf, sizeof buf);
    cr_assert(tcp_encode(&w, NULL, &e, NULL, 0));
    cr_assert_eq(buf[16], 0);
    cr_assert_eq(buf[17], 0);
}

Test(tcp, random_round_trips)
{
    lt_seed(0x7c7c);
    static uint8_t buf[4096], pl[2000];
    for (int iter = 0; iter < 4000; iter++) {
        struct tcp_hdr in;
        memset(&in, 0, sizeof in);
        in.sport = (uint16_t)lt_rand();
        in.dport = (uint16_t)lt_rand();
        in.seq = lt_rand();
        in.ack = lt_rand();
        in.flags = (uint16_t)(lt_rand() & 0x1ff);
        in.reserved = (uint8_t)lt_below(8);
        in.window = (uint16_t)lt_rand();
        in.urgent = (uint16_t)lt_rand();
        in.has_mss = lt_below(2);
        in.mss = (uint16_t)lt_rand();
        in.has_wscale = lt_below(2);
        in.wscale = (uint8_t)lt_below(15);
        in.sack_permitted = lt_below(2);
        in.has_ts = lt_below(2);
        in.ts_val = lt_rand();
        in.ts_ecr = lt_rand();
        /* room left for SACK blocks: 40 - MSS 4 - WS 4 - SP 2 - TS 12 */
        size_t used = (in.has_mss ? 4 : 0) + (in.has_wscale ? 4 : 0) + (in.sack_permitted ? 2 : 0) + (in.has_ts ? 12 : 0);
        size_t room = used + 4 <= 40 ? (40 - used - 4) / 8 : 0;
        in.n_sack = (uint8_t)lt_below((uint32_t)(room < TCP_MAX_SACK ? room : TCP_MAX_SACK) + 1);
        for (int i = 0; i < in.n_sack; i++) {
            in.sack[i].left = lt_rand();
            in.sack[i].right = lt_rand();
        }
        size_t plen = lt_below(sizeof pl);
        lt_rand_bytes(pl, plen);
        struct ip_pair ip;
        if (lt_below(2)) {
            ip_pair_v4(&ip, lt_rand(), lt_rand());
        } else {
            uint8_t a[16], b[16];
            lt_rand_bytes(a, 16);
            lt_rand_bytes(b, 16);
            ip_pair_v6(&ip, a, b);
        }
        wbuf w;
        wbuf_init(&w, buf, sizeof buf);
        cr_assert(tcp_encode(&w, &ip, &in, pl, plen), "iter %d", iter);
        struct tcp_hdr out;
        cursor c, p;
        cursor_init_exact(&c, buf, wbuf_len(&w));
        cr_assert_eq(tcp_decode(&c, &ip, &out, &p, NULL), DEC_OK, "iter %d", iter);
        cr_assert_eq(out.csum, IP_CSUM_OK);
        cr_assert_eq(out.sport, in.sport);
        cr_assert_eq(out.dport, in.dport);
        cr_assert_eq(out.seq, in.seq);
        cr_assert_eq(out.ack, in.ack);
        cr_assert_eq(out.flags, in.flags);
        cr_assert_eq(out.reserved, in.reserved);
        cr_assert_eq(out.window, in.window);
        cr_assert_eq(out.urgent, in.urgent);
        cr_assert_eq(out.hdr_len % 4, 0);
        cr_assert_eq(out.has_mss, in.has_mss);
        if (in.has_mss)
            cr_assert_eq(out.mss, in.mss);
        cr_assert_eq(out.has_wscale, in.has_wscale);
        if (in.has_wscale)
            cr_assert_eq(out.wscale, in.wscale);
        cr_assert_eq(out.sack_permitted, in.sack_permitted);
        cr_assert_eq(out.has_ts, in.has_ts);
        if (in.has_ts) {
            cr_assert_eq(out.ts_val, in.ts_val);
            cr_assert_eq(out.ts_ecr, in.ts_ecr);
        }
        cr_assert_eq(out.n_sack, in.n_sack);
        for (int i = 0; i < in.n_sack; i++) {
            cr_assert_eq(out.sack[i].left, in.sack[i].left);
            cr_assert_eq(out.sack[i].right, in.sack[i].right);
        }
        cr_assert_eq(out.n_unknown, 0);
        cr_assert_eq(cursor_len(&p), plen);
        cr_assert(plen == 0 || memcmp(cursor_data(&p), pl, plen) == 0);
        /* re-encoding the raw options gives the same bytes */
        uint8_t again[4096];
        wbuf w2;
        wbuf_init(&w2, again, sizeof again);
        cr_assert(tcp_encode(&w2, &ip, &out, pl, plen));
        cr_assert_eq(wbuf_len(&w2), wbuf_len(&w));
        cr_assert(memcmp(again, buf, wbuf_len(&w)) == 0);
    }
}

/* ---- tshark ---------------------------------------------------------------------- */

static void write_tcp4(pcapw *pw, uint32_t src, uint32_t dst, const struct tcp_hdr *t, const char *data)
{
    uint8_t seg[512], frame[600];
    wbuf w;
    struct ip_pair ip;
    ip_pair_v4(&ip, src, dst);
    wbuf_init(&w, seg, sizeof seg);
    size_t dl = data ? strlen(data) : 0;
    cr_assert(tcp_encode(&w, &ip, t, (const uint8_t *)data, dl));
    size_t segn = wbuf_len(&w);
    wbuf_init(&w, frame, sizeof frame);
    struct ether_hdr e = {.dst = {2, 0, 0, 0, 0, 2}, .src = {2, 0, 0, 0, 0, 1}, .type = ETH_TYPE_IPV4};
    struct ipv4_hdr h = {.ttl = 64, .proto = IP_PROTO_TCP, .src = src, .dst = dst, .dont_fragment = true};
    cr_assert(ether_encode(&w, &e));
    cr_assert(ipv4_encode(&w, &h, seg, segn));
    cr_assert_eq(pcapw_write(pw, 1, frame, wbuf_len(&w)), 0);
}

Test(tshark, tcp_options_flags_checksums)
{
    if (!tshark_available())
        cr_skip("tshark not installed");
    char path[4096];
    scratch_path("tcp.pcap", path, sizeof path);
    pcapw *pw = pcapw_open(path, 1);
    cr_assert_not_null(pw);
    struct tcp_hdr t;
    memset(&t, 0, sizeof t);
    t.sport = 40000;
    t.dport = 40001;
    t.seq = 1000;
    t.flags = TCP_SYN;
    t.window = 29200;
    t.has_mss = true;
    t.mss = 1360;
    t.has_wscale = true;
    t.wscale = 7;
    t.sack_permitted = true;
    t.has_ts = true;
    t.ts_val = 11111;
    t.ts_ecr = 0;
    write_tcp4(pw, 0x0a000001, 0x0a000002, &t, NULL);
    memset(&t, 0, sizeof t);
    t.sport = 40001;
    t.dport = 40000;
    t.seq = 5000;
    t.ack = 1001;
    t.flags = TCP_SYN | TCP_ACK | TCP_ECE;
    t.window = 65535;
    t.has_mss = true;
    t.mss = 1400;
    write_tcp4(pw, 0x0a000002, 0x0a000001, &t, NULL);
    memset(&t, 0, sizeof t);
    t.sport = 40000;
    t.dport = 40001;
    t.seq = 1001;
    t.ack = 5001;
    t.flags = TCP_ACK | TCP_PSH | TCP_URG;
    t.urgent = 3;
    t.window = 229;
    t.has_ts = true;
    t.ts_val = 11112;
    t.ts_ecr = 22222;
    t.n_sack = 2;
    t.sack[0] = (struct tcp_sack_block){6001, 7001};
    t.sack[1] = (struct tcp_sack_block){8001, 9001};
    write_tcp4(pw, 0x0a000001, 0x0a000002, &t, "hello world");
    pcapw_close(pw);
    cr_assert_eq(tshark_malformed_count(path), 0);
    char *out = lt_tshark(path, "-o tcp.check_checksum:TRUE -o tcp.relative_sequence_numbers:FALSE", NULL,
                          "-e tcp.srcport -e tcp.dstport -e tcp.seq_raw -e tcp.ack_raw -e tcp.flags "
                          "-e tcp.window_size_value -e tcp.hdr_len -e tcp.options.mss_val -e tcp.options.wscale.shift "
                          "-e tcp.options.timestamp.tsval -e tcp.options.timestamp.tsecr -e tcp.options.sack.count "
                          "-e tcp.options.sack_le -e tcp.options.sack_re -e tcp.checksum.status -e tcp.urgent_pointer "
                          "-e tcp.option_kind -e tcp.len");
    cr_assert_not_null(out);
    char *l[4];
    char x[256];
    cr_assert_eq(lt_lines(out, l, 4), 3);
    static const char *const want[3][18] = {
        {"40000", "40001", "1000", "0", "0x0002", "29200", "44", "1360", "7", "11111", "0", "", "", "", "1", "0",
         "2,1,3,4,1,1,8,0,0", "0"}, /* 22 option bytes padded with two EOLs */
        {"40001", "40000", "5000", "1001", "0x0052", "65535", "24", "1400", "", "", "", "", "", "", "1", "0", "2", "0"},
        {"40000", "40001", "1001", "5001", "0x0038", "229", "52", "", "", "11112", "22222", "2", "6001,8001",
         "7001,9001", "1", "3", "1,1,8,1,1,5", "11"},
    };
    for (int i = 0; i < 3; i++)
        for (int f = 0; f < 18; f++)
            cr_assert_str_eq(lt_field(l[i], f, x, sizeof x), want[i][f], "packet %d field %d", i, f);
    free(out);
}
