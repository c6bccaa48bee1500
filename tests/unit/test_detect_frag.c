/*
 * test_detect_frag.c - fragmentation events (docs/fragmentation.md):
 * ip_fragmented (first and rate), ip_fragment_overlap (+ the pptp.frag.overlap
 * alert), ip_fragment_timeout, icmp_frag_needed, mru_exceeded,
 * mss_exceeds_path.  Each: a capture that produces it and a close one that
 * must not.
 */
#include "detect_helpers.h"

/* A GRE packet of the call from the client, carrying an MPPE frame of size bytes. */
static size_t gre_packet(scn *x, uint8_t *out, size_t cap, size_t size)
{
    frame f = mppe_frame(5, false, true, size);
    uint8_t ppp[2100];
    size_t len = ppp_wrap(ppp, sizeof ppp, PPP_PROTO_COMP, f.b, f.n);
    struct gre_hdr h;
    memset(&h, 0, sizeof h);
    h.k = true;
    h.version = GRE_VERSION_PPTP;
    h.protocol = GRE_PROTO_PPP;
    h.call_id = x->pac_id;
    h.has_seq = true;
    h.seq = x->gseq[CLI]++;
    wbuf w;
    wbuf_init(&w, out, cap);
    cr_assert(gre_encode(&w, &h, ppp, len));
    return wbuf_len(&w);
}

/* Send payload as IPv4 fragments of at most chunk bytes (a multiple of 8);
 * overlap: the second fragment starts 8 bytes early with different bytes;
 * drop_last: the last fragment is not sent. */
static void send_frags(scn *x, uint8_t proto, uint32_t src, uint32_t dst, const uint8_t *p, size_t n, size_t chunk,
                       bool overlap, bool drop_last)
{
    uint16_t id = x->ipid++;
    for (size_t off = 0, k = 0; off < n; off += chunk, k++) {
        size_t start = off, len = n - off < chunk ? n - off : chunk;
        bool last = off + len >= n;
        if (last && drop_last)
            break;
        uint8_t tmp[2000];
        if (overlap && k == 1) {
            start -= 8;
            len += 8;
        }
        memcpy(tmp, p + start, len);
        if (overlap && k == 1)
            memset(tmp, 0xee, 8);
        scn_ip_raw(x, src, dst, proto, id, (uint16_t)((last ? 0 : 0x2000) | (start / 8)), tmp, len);
    }
}

Test(detect_frag, gre_in_fragments_first_and_rate)
{
    scn x;
    scn_open(&x, "fragd");
    scn_clean_session(&x, "bob");
    uint8_t g[2000];
    for (int i = 0; i < 6; i++) {
        size_t n = gre_packet(&x, g, sizeof g, 1400);
        send_frags(&x, 47, x.cli, x.srv, g, n, 1000, false, false);
    }
    scn_close(&x);
    evlist L = run_pcap_cfg(x.path, "[frag.ip_fragmented]\nthreshold = 5\nwindow = 1m\n");
    cr_assert_eq(count_action(&L, "ip_fragmented"), 2, "the first, then the rate");
    const ev *e = find_action(&L, "ip_fragmented", 0);
    cr_expect_str_eq(gs(e, "event.dataset"), "pptp.frag");
    cr_expect_str_eq(gs(e, "event.kind"), "event");
    cr_expect_str_eq(gs(e, "pptp.frag.trigger"), "first");
    cr_expect_str_eq(gs(e, "pptp.frag.protocol"), "gre");
    cr_expect_str_eq(gs(e, "pptp.frag.direction"), "client");
    cr_expect_eq(gu(e, "pptp.frag.fragments"), 2);
    cr_expect_eq(gu(e, "pptp.frag.largest_fragment_bytes"), 1020);
    cr_expect_gt(gu(e, "pptp.frag.datagram_bytes"), 1400);
    cr_expect(ev_has(e, "pptp.session_id"));
    e = find_action(&L, "ip_fragmented", 1);
    cr_expect_str_eq(gs(e, "pptp.frag.trigger"), "rate");
    cr_expect_eq(gu(e, "pptp.frag.rate_count"), 5);
    const ev *td = find_action(&L, "teardown", 0);
    cr_expect_eq(gu(td, "pptp.frag.count"), 6);
    evlist_free(&L);
    /* the same traffic unfragmented: nothing */
    scn_open(&x, "nofrag");
    scn_clean_session(&x, "bob");
    for (int i = 0; i < 6; i++) {
        size_t n = gre_packet(&x, g, sizeof g, 1400);
        scn_ip_raw(&x, x.cli, x.srv, 47, x.ipid++, 0x4000, g, n);
    }
    L = run_scn(&x, NULL);
    cr_expect_eq(count_action(&L, "ip_fragmented"), 0);
    evlist_free(&L);
}

Test(detect_frag, control_connection_in_fragments)
{
    scn x;
    scn_open(&x, "fragtcp");
    scn_handshake(&x);
    /* SCCRQ in a TCP segment split into two IP fragments */
    struct pptp_ctrl_msg m;
    memset(&m, 0, sizeof m);
    m.ctrl_type = PPTP_MSG_SCCRQ;
    m.u.sccrq.protocol_version = PPTP_PROTOCOL_VERSION;
    uint8_t msg[200], seg[300];
    wbuf w;
    wbuf_init(&w, msg, sizeof msg);
    cr_assert(pptp_ctrl_encode(&w, &m));
    size_t mn = wbuf_len(&w);
    memset(seg, 0, 20);
    seg[0] = (uint8_t)(x.cport >> 8), seg[1] = (uint8_t)x.cport, seg[2] = 0x06, seg[3] = 0xbb;
    for (int i = 0; i < 4; i++)
        seg[4 + i] = (uint8_t)(x.tseq[CLI] >> (24 - 8 * i)), seg[8 + i] = (uint8_t)(x.tseq[SRV] >> (24 - 8 * i));
    seg[12] = 0x50, seg[13] = 0x18, seg[14] = 0xff;
    memcpy(seg + 20, msg, mn);
    send_frags(&x, 6, x.cli, x.srv, seg, 20 + mn, 96, false, false);
    x.tseq[CLI] += (uint32_t)mn;
    scn_sccrp(&x, 1);
    evlist L = run_scn(&x, NULL);
    cr_expect_eq(count_action(&L, "control_connect"), 1, "the SCCRQ was reassembled and read");
    cr_assert_eq(count_action(&L, "ip_fragmented"), 1);
    const ev *e = find_action(&L, "ip_fragmented", 0);
    cr_expect_str_eq(gs(e, "pptp.frag.protocol"), "tcp");
    cr_expect(ev_has(e, "pptp.control_id"));
    cr_expect_eq(gu(e, "pptp.frag.fragments"), 2);
    evlist_free(&L);
}

Test(detect_frag, overlapping_fragments)
{
    scn x;
    scn_open(&x, "overlap");
    scn_clean_session(&x, "bob");
    uint8_t g[2000];
    size_t n = gre_packet(&x, g, sizeof g, 1400);
    send_frags(&x, 47, x.cli, x.srv, g, n, 1000, true, false);
    evlist L = run_scn(&x, NULL);
    cr_assert_eq(count_action(&L, "ip_fragment_overlap"), 1);
    const ev *e = find_action(&L, "ip_fragment_overlap", 0);
    cr_expect_str_eq(gs(e, "event.dataset"), "pptp.frag");
    cr_expect(gb(e, "pptp.frag.conflict"));
    cr_expect_eq(gu(e, "pptp.frag.offset"), 992);
    cr_expect(ev_has(e, "pptp.session_id"));
    cr_assert_eq(count_rule(&L, "pptp.frag.overlap"), 1);
    cr_expect_str_eq(gs(find_rule(&L, "pptp.frag.overlap"), "log.level"), "warning");
    evlist_free(&L);
    scn_open(&x, "nooverlap");
    scn_clean_session(&x, "bob");
    n = gre_packet(&x, g, sizeof g, 1400);
    send_frags(&x, 47, x.cli, x.srv, g, n, 1000, false, false);
    L = run_scn(&x, NULL);
    cr_expect_eq(count_action(&L, "ip_fragment_overlap") + count_rule(&L, "pptp.frag.overlap"), 0);
    evlist_free(&L);
}

Test(detect_frag, incomplete_datagram_times_out)
{
    scn x;
    scn_open(&x, "fragtimeout");
    scn_clean_session(&x, "bob");
    uint8_t g[2000];
    size_t n = gre_packet(&x, g, sizeof g, 1400);
    send_frags(&x, 47, x.cli, x.srv, g, n, 1000, false, true);
    scn_wait(&x, 40 * SEC);
    scn_mppe_data(&x, 2, 100); /* time moves on */
    evlist L = run_scn(&x, NULL);
    cr_assert_eq(count_action(&L, "ip_fragment_timeout"), 1);
    const ev *e = find_action(&L, "ip_fragment_timeout", 0);
    cr_expect(gb(e, "pptp.frag.have_first"));
    cr_expect(!gb(e, "pptp.frag.have_last"));
    cr_expect_eq(gu(e, "pptp.frag.fragments"), 1);
    cr_expect_eq(gu(e, "pptp.frag.bytes_held"), 1000);
    cr_expect(ev_has(e, "pptp.session_id"), "mapped by the Call ID of the first fragment");
    cr_expect_geq(gu(e, "pptp.frag.waited"), 30ull * 1000000000ull);
    evlist_free(&L);
    scn_open(&x, "fragcomplete");
    scn_clean_session(&x, "bob");
    n = gre_packet(&x, g, sizeof g, 1400);
    send_frags(&x, 47, x.cli, x.srv, g, n, 1000, false, false);
    scn_wait(&x, 40 * SEC);
    scn_mppe_data(&x, 2, 100);
    L = run_scn(&x, NULL);
    cr_expect_eq(count_action(&L, "ip_fragment_timeout"), 0);
    evlist_free(&L);
}

/* ICMP type/code from a router to the client quoting a packet (the first 8 bytes of its payload). */
static void icmp_quote(scn *x, uint8_t type, uint8_t code, uint16_t mtu, uint32_t osrc, uint32_t odst, uint8_t proto,
                       const uint8_t *l4, size_t l4n)
{
    uint8_t orig[100], icmp[200];
    size_t on = pcapw_build_ip4(orig, sizeof orig, osrc, odst, proto, 77, 0x4000, l4, l4n);
    /* the quote: the header and 8 bytes, but the total length of the packet that was too big */
    orig[2] = 0x05, orig[3] = 0xdc; /* 1500 */
    memset(icmp, 0, 8);
    icmp[0] = type, icmp[1] = code, icmp[6] = (uint8_t)(mtu >> 8), icmp[7] = (uint8_t)mtu;
    memcpy(icmp + 8, orig, on < 28 ? on : 28);
    size_t n = 8 + (on < 28 ? on : 28);
    uint16_t c = inet_csum(icmp, n, 0);
    icmp[2] = (uint8_t)(c >> 8), icmp[3] = (uint8_t)c;
    scn_ip_raw(x, IP4(203, 0, 113, 1), osrc, 1, x->ipid++, 0, icmp, n);
}

Test(detect_frag, icmp_frag_needed_for_the_tunnel)
{
    uint8_t gre8[8] = {0x30, 0x81, 0x88, 0x0b, 0x05, 0xb0, 0, 0};
    scn x;
    scn_open(&x, "icmp");
    scn_clean_session(&x, "bob");
    gre8[6] = (uint8_t)(x.pac_id >> 8), gre8[7] = (uint8_t)x.pac_id;
    icmp_quote(&x, 3, 4, 1400, x.cli, x.srv, 47, gre8, 8);
    icmp_quote(&x, 3, 4, 1400, x.cli, x.srv, 47, gre8, 8); /* the same MTU again: counted once */
    evlist L = run_scn(&x, NULL);
    cr_assert_eq(count_action(&L, "icmp_frag_needed"), 1);
    const ev *e = find_action(&L, "icmp_frag_needed", 0);
    cr_expect_eq(gu(e, "pptp.frag.mtu"), 1400);
    cr_expect_eq(gu(e, "pptp.frag.packet_bytes"), 1500);
    cr_expect_eq(gu(e, "pptp.frag.tunnel_mtu"), 1360);
    cr_expect_str_eq(gs(e, "pptp.frag.icmp_source_ip"), "203.0.113.1");
    cr_expect_str_eq(gs(e, "pptp.frag.direction"), "client");
    cr_expect(ev_has(e, "pptp.session_id"));
    evlist_free(&L);
    /* unrelated: a UDP packet, a port unreachable for the tunnel, an unknown Call ID */
    scn_open(&x, "icmpother");
    scn_clean_session(&x, "bob");
    static const uint8_t udp8[8] = {0x13, 0x88, 0, 53, 0, 8, 0, 0};
    icmp_quote(&x, 3, 4, 1400, x.cli, x.srv, 17, udp8, 8);
    icmp_quote(&x, 3, 3, 0, x.cli, x.srv, 47, gre8, 8);
    gre8[6] = 0x99;
    icmp_quote(&x, 3, 4, 1400, x.cli, x.srv, 47, gre8, 8);
    L = run_scn(&x, NULL);
    cr_expect_eq(count_action(&L, "icmp_frag_needed"), 0);
    evlist_free(&L);
}

static void unencrypted_session(scn *x)
{
    scn_control(x);
    scn_lcp_open(x, LCP_AUTH_CHAP, LCP_CHAP_MSCHAPV2, 1400);
    scn_mschapv2(x, 1, "bob", 0);
    scn_ipcp_open(x);
}

Test(detect_frag, frame_over_the_mru)
{
    static uint8_t pkt[2000], pl[1600];
    for (int over = 0; over < 2; over++) {
        scn x;
        scn_open(&x, "mru");
        unencrypted_session(&x);
        /* the client asked for MRU 1400: the server sends it a 1450 (or a 1400) byte packet */
        size_t n = ip4_packet(pkt, sizeof pkt, 17, IP4(10, 9, 0, 1), IP4(10, 9, 0, 2), 53, 5000, 0, pl,
                              over ? 1450 - 28 : 1400 - 28);
        scn_inner(&x, SRV, pkt, n);
        evlist L = run_scn(&x, NULL);
        cr_expect_eq(count_action(&L, "mru_exceeded"), (size_t)over);
        if (over) {
            const ev *e = find_action(&L, "mru_exceeded", 0);
            cr_expect_eq(gu(e, "pptp.frag.mru"), 1400);
            cr_expect_eq(gu(e, "pptp.frag.frame_bytes"), 1450);
            cr_expect_str_eq(gs(e, "pptp.frag.direction"), "server");
            cr_expect_str_eq(gs(e, "pptp.frag.trigger"), "first");
        }
        evlist_free(&L);
    }
}

Test(detect_frag, inner_syn_mss_without_clamping)
{
    static uint8_t pkt[200];
    for (int big = 0; big < 2; big++) {
        scn x;
        scn_open(&x, "mss");
        unencrypted_session(&x);
        size_t n = ip4_packet(pkt, sizeof pkt, 6, IP4(10, 9, 0, 2), IP4(93, 184, 216, 34), 50000, 443,
                              big ? 1460 : 1360, NULL, 0);
        scn_inner(&x, CLI, pkt, n);
        evlist L = run_scn(&x, NULL);
        cr_expect_eq(count_action(&L, "mss_exceeds_path"), (size_t)big);
        if (big) {
            const ev *e = find_action(&L, "mss_exceeds_path", 0);
            cr_expect_eq(gu(e, "pptp.frag.mss"), 1460);
            cr_expect_eq(gu(e, "pptp.frag.max_mss"), 1360);
            cr_expect_eq(gu(e, "pptp.frag.tunnel_mtu"), 1400);
            cr_expect_str_eq(gs(e, "pptp.frag.inner_destination_ip"), "93.184.216.34");
            cr_expect_eq(gu(e, "pptp.frag.inner_destination_port"), 443);
        }
        evlist_free(&L);
    }
}

/* ---- IPv6: packet-too-big about a GRE-only call ---- */

#include "icmp.h"
#include "ipv6.h"

static void eth6(scn *x, const uint8_t src[16], const uint8_t dst[16], uint8_t proto, const uint8_t *pl, size_t n)
{
    static uint8_t f[4096];
    static const uint8_t macs[12] = {0x02, 0, 0, 0, 0, 2, 0x02, 0, 0, 0, 0, 1};
    memcpy(f, macs, 12);
    f[12] = 0x86, f[13] = 0xdd;
    struct ipv6_hdr h;
    memset(&h, 0, sizeof h);
    h.version = 6;
    h.hop_limit = 64;
    h.proto = proto;
    memcpy(h.src, src, 16);
    memcpy(h.dst, dst, 16);
    wbuf w;
    wbuf_init(&w, f + 14, sizeof f - 14);
    cr_assert(ipv6_encode(&w, &h, pl, n));
    cr_assert_eq(pcapw_write(x->w, x->t, f, 14 + wbuf_len(&w)), 0);
    x->t += MS;
}

Test(detect_frag, icmpv6_packet_too_big_for_a_gre_only_call)
{
    static const uint8_t cli[16] = {0x20, 0x01, 0x0d, 0xb8, 0, 0x20, 0, 0, 0, 0, 0, 0, 0, 0, 0, 2};
    static const uint8_t srv[16] = {0x20, 0x01, 0x0d, 0xb8, 0, 0x20, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1};
    static const uint8_t rtr[16] = {0x20, 0x01, 0x0d, 0xb8, 0, 0x99, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1};
    for (int known = 0; known < 2; known++) {
        scn x;
        scn_open(&x, "ptb6");
        /* GRE from the client with Call ID 0x4242: a partial (GRE-only) call */
        frame m = mppe_frame(3, false, true, 200);
        uint8_t ppp[400], gre[500];
        size_t pn = ppp_wrap(ppp, sizeof ppp, PPP_PROTO_COMP, m.b, m.n);
        struct gre_hdr g;
        memset(&g, 0, sizeof g);
        g.k = true, g.version = GRE_VERSION_PPTP, g.protocol = GRE_PROTO_PPP, g.call_id = 0x4242;
        g.has_seq = true, g.seq = 1;
        wbuf w;
        wbuf_init(&w, gre, sizeof gre);
        cr_assert(gre_encode(&w, &g, ppp, pn));
        size_t gn = wbuf_len(&w);
        for (int i = 0; i < 3; i++)
            eth6(&x, cli, srv, 47, gre, gn);
        /* the router quotes the client's packet (its Call ID, or another one) */
        uint8_t quote[600];
        if (!known)
            gre[7] = 0x99;
        struct ipv6_hdr q;
        memset(&q, 0, sizeof q);
        q.version = 6, q.hop_limit = 64, q.proto = 47;
        memcpy(q.src, cli, 16);
        memcpy(q.dst, srv, 16);
        wbuf_init(&w, quote, sizeof quote);
        cr_assert(ipv6_encode(&w, &q, gre, gn));
        size_t qn = wbuf_len(&w);
        struct icmp_msg im;
        memset(&im, 0, sizeof im);
        im.type = ICMP6_PACKET_TOO_BIG;
        im.mtu = 1280;
        struct ip_pair ip;
        ip_pair_v6(&ip, rtr, cli);
        uint8_t icmp[800];
        wbuf_init(&w, icmp, sizeof icmp);
        cr_assert(icmp6_encode(&w, &ip, &im, quote, qn));
        eth6(&x, rtr, cli, 58, icmp, wbuf_len(&w));
        evlist L = run_scn(&x, NULL);
        cr_expect_eq(count_action(&L, "icmp_frag_needed"), (size_t)known);
        if (known) {
            const ev *e = find_action(&L, "icmp_frag_needed", 0);
            cr_expect_eq(gu(e, "pptp.frag.mtu"), 1280);
            cr_expect_eq(gu(e, "pptp.frag.icmp_type"), 2);
            cr_expect_eq(gu(e, "pptp.frag.tunnel_mtu"), 1280 - 60);
            cr_expect_str_eq(gs(e, "pptp.frag.icmp_source_ip"), "2001:db8:99::1");
            cr_expect(gb(e, "pptp.partial"));
        }
        evlist_free(&L);
    }
}
