/* test_dispatch_fast.c - the dispatcher's fused fast path (decoders/dispatch_fast.c)
 * against the full decoders: what it accepts, what it leaves to the full path, and
 * that both fill struct pkt the same way on every frame it accepts (hand-made
 * frames, every single-byte mutation of them, every bundled and external capture). */
#include <criterion/criterion.h>
#include <criterion/parameterized.h>
#include <dirent.h>
#include <pcap/pcap.h>
#include <stdio.h>
#include <string.h>

#include "dispatch.h"
#include "pkt_same.h"
#include "test_env.h"

/* Ethernet / IPv4 (DF, TTL 64, 10.0.0.1 -> 10.0.0.2) / GRE v1 K S A (call id
 * 0x1234, seq 7, ack 5) / PPP ff 03 00 fd / 4 bytes of MPPE. */
static const uint8_t base[] = {
    0x02, 0, 0, 0, 0, 2, 0x02, 0, 0, 0, 0, 1, 0x08, 0x00,                /* Ethernet */
    0x45, 0x00, 0x00, 0x2c, 0x12, 0x34, 0x40, 0x00, 0x40, 0x2f, 0, 0,    /* IPv4 (csum at 24) */
    10, 0, 0, 1, 10, 0, 0, 2,
    0x30, 0x81, 0x88, 0x0b, 0x00, 0x08, 0x12, 0x34,                      /* GRE K S A */
    0, 0, 0, 7, 0, 0, 0, 5,
    0xff, 0x03, 0x00, 0xfd, 0x90, 0x01, 0xaa, 0xbb,                      /* PPP / MPPE */
};
#define IP_OFF 14

static void fix_ip_csum(uint8_t *f, size_t ip_off)
{
    f[ip_off + 10] = f[ip_off + 11] = 0;
    uint32_t sum = 0;
    size_t hl = (size_t)(f[ip_off] & 0x0f) * 4;
    for (size_t i = 0; i < hl; i += 2)
        sum += (uint32_t)(f[ip_off + i] << 8 | f[ip_off + i + 1]);
    while (sum >> 16)
        sum = (sum & 0xffff) + (sum >> 16);
    f[ip_off + 10] = (uint8_t)(~sum >> 8);
    f[ip_off + 11] = (uint8_t)~sum;
}

/* Run both paths; when the fast path accepts, they must agree and the full path
 * must have found nothing wrong.  Returns whether the fast path accepted. */
static bool check_frame(int dlt, const uint8_t *f, size_t n)
{
    struct pkt a, b;
    memset(&a, 0x5a, sizeof a); /* stale bytes, as in a reused struct */
    memset(&b, 0xa5, sizeof b);
    bool fast = dispatch_fast(dlt, f, n, &a);
    enum pkt_kind kb = dispatch_packet_full(dlt, f, n, &b);
    if (!fast)
        return false;
    cr_assert_eq(kb, PKT_GRE, "fast path took a frame the full path sees as %s", pkt_kind_name(kb));
    cr_assert_eq(b.status, DEC_OK);
    for (int w = 0; w < ANOMALY_WORDS; w++)
        cr_assert_eq(b.an.bits[w], 0, "fast path took a frame with an anomaly (word %d: %llx)", w,
                     (unsigned long long)b.an.bits[w]);
    const char *diff = pkt_same(&a, &b);
    cr_assert_null(diff, "fast and full paths differ in %s", diff ? diff : "");
    /* dispatch_packet() takes the same frame the same way */
    struct pkt c;
    cr_assert_eq(dispatch_packet(dlt, f, n, &c), PKT_GRE);
    cr_assert_null(pkt_same(&c, &b));
    return true;
}

Test(dispatch_fast, base_frame_is_taken_with_every_field)
{
    uint8_t f[sizeof base];
    memcpy(f, base, sizeof f);
    fix_ip_csum(f, IP_OFF);
    struct pkt p;
    cr_assert(check_frame(1, f, sizeof f));
    cr_assert(dispatch_fast(1, f, sizeof f, &p));
    cr_assert_eq(p.ip.src4, 0x0a000001u);
    cr_assert_eq(p.ip.dst4, 0x0a000002u);
    cr_assert_eq(p.ttl, 64);
    cr_assert_eq(p.ip_len, 44);
    cr_assert_eq(p.frag_id, 0x1234);
    cr_assert_eq(p.gre.call_id, 0x1234);
    cr_assert_eq(p.gre.payload_length, 8);
    cr_assert(p.gre.has_seq && p.gre.has_ack);
    cr_assert_eq(p.gre.seq, 7);
    cr_assert_eq(p.gre.ack, 5);
    cr_assert(p.has_ppp);
    cr_assert(p.ppp.has_acfc_hdr);
    cr_assert_not(p.ppp.pfc);
    cr_assert_eq(p.ppp.protocol, 0x00fd);
    cr_assert_eq(cursor_len(&p.payload), 4);
    cr_assert_eq(cursor_data(&p.payload)[0], 0x90);
    cr_assert_eq(p.payload.open_end, 0);
}

/* Each row: a change to the base frame and whether the fast path may take it. */
struct variant {
    char what[48]; /* no pointers: Criterion runs each parameter in a new process */
    size_t off;
    uint8_t val;
    bool taken;
};

ParameterizedTestParameters(dispatch_fast, single_changes)
{
    static struct variant v[] = {
        {"DF cleared", IP_OFF + 6, 0x00, true},
        {"TTL 1", IP_OFF + 8, 0x01, true},
        {"TOS set", IP_OFF + 1, 0xb8, true},
        {"MF set", IP_OFF + 6, 0x60, false},
        {"fragment offset", IP_OFF + 7, 0x01, false},
        {"reserved IP flag", IP_OFF + 6, 0xc0, false},
        {"IP options (IHL 6)", IP_OFF + 0, 0x46, false},
        {"IPv6 version nibble", IP_OFF + 0, 0x65, false},
        {"protocol TCP", IP_OFF + 9, 6, false},
        {"total length 0 (TSO)", IP_OFF + 3, 0x00, false},
        {"total length beyond the frame", IP_OFF + 3, 0x2d, false},
        {"total length short of the GRE payload", IP_OFF + 3, 0x2b, false},
        {"GRE checksum bit", 34, 0xb0, false},
        {"GRE routing bit", 34, 0x70, false},
        {"GRE without key", 34, 0x10, false},
        {"GRE strict route bit", 34, 0x38, false},
        {"GRE recursion", 35, 0x82, false},
        {"GRE reserved flags", 35, 0x89, false},
        {"GRE version 0", 35, 0x80, false},
        {"GRE version 2", 35, 0x82, false},
        {"GRE protocol IPv4", 36, 0x08, false},
        {"GRE payload length short (trailing bytes)", 39, 0x07, false},
        {"GRE payload length long", 39, 0x09, false},
        {"PPP bad control", 51, 0x05, false},
        {"PPP protocol with even last octet", 53, 0xfc, false},
        {"PPP protocol 0x01 in one byte (PFC)", 52, 0x01, true},
    };
    return cr_make_param_array(struct variant, v, sizeof v / sizeof v[0]);
}

ParameterizedTest(struct variant *v, dispatch_fast, single_changes)
{
    uint8_t f[sizeof base];
    memcpy(f, base, sizeof f);
    f[v->off] = v->val;
    fix_ip_csum(f, IP_OFF);
    cr_assert_eq(check_frame(1, f, sizeof f), v->taken, "%s: fast path %s", v->what,
                 v->taken ? "refused it" : "took it");
}

Test(dispatch_fast, bad_ip_checksum_goes_to_the_full_path)
{
    uint8_t f[sizeof base];
    memcpy(f, base, sizeof f);
    fix_ip_csum(f, IP_OFF);
    f[IP_OFF + 11] ^= 1;
    struct pkt p;
    cr_assert_not(dispatch_fast(1, f, sizeof f, &p));
    cr_assert_eq(dispatch_packet(1, f, sizeof f, &p), PKT_GRE);
    cr_assert(anomaly_has(&p.an, ANOMALY_IP_BAD_CHECKSUM));
}

Test(dispatch_fast, capture_cut_short_is_truncated_not_fast)
{
    uint8_t f[sizeof base];
    memcpy(f, base, sizeof f);
    fix_ip_csum(f, IP_OFF);
    struct pkt p;
    for (size_t n = 0; n < sizeof f; n++) {
        cr_assert_not(dispatch_fast(1, f, n, &p), "took a frame cut at %zu bytes", n);
        check_frame(1, f, n);
    }
    /* cut inside the GRE payload: the full path keeps the GRE header, open ended */
    cr_assert_eq(dispatch_packet(1, f, sizeof f - 2, &p), PKT_GRE);
    cr_assert(p.gre.payload_truncated);
    /* cut inside the IPv4 header: truncated, not malformed */
    cr_assert_eq(dispatch_packet(1, f, IP_OFF + 10, &p), PKT_BAD);
    cr_assert_eq(p.status, DEC_TRUNCATED);
}

Test(dispatch_fast, ethernet_padding_after_the_datagram_is_fine)
{
    uint8_t f[sizeof base + 6];
    memset(f, 0, sizeof f);
    memcpy(f, base, sizeof base);
    fix_ip_csum(f, IP_OFF);
    cr_assert(check_frame(1, f, sizeof f));
}

Test(dispatch_fast, vlan_tag_ack_only_and_pfc)
{
    /* one 802.1Q tag (PCP 5, DEI, VID 100) */
    uint8_t v[sizeof base + 4];
    memcpy(v, base, 12);
    const uint8_t tag[] = {0x81, 0x00, 0xb0, 0x64};
    memcpy(v + 12, tag, 4);
    memcpy(v + 16, base + 12, sizeof base - 12);
    fix_ip_csum(v, IP_OFF + 4);
    struct pkt p;
    cr_assert(check_frame(1, v, sizeof v));
    dispatch_fast(1, v, sizeof v, &p);
    cr_assert_eq(p.link.n_vlans, 1);
    cr_assert_eq(p.link.vlans[0].vid, 100);
    cr_assert_eq(p.link.vlans[0].pcp, 5);
    cr_assert_eq(p.link.vlans[0].dei, 1);
    /* QinQ (two tags): left to the full path */
    uint8_t q[sizeof base + 8];
    memcpy(q, base, 12);
    const uint8_t tags[] = {0x88, 0xa8, 0x00, 0x0a, 0x81, 0x00, 0x00, 0x64};
    memcpy(q + 12, tags, 8);
    memcpy(q + 20, base + 12, sizeof base - 12);
    fix_ip_csum(q, IP_OFF + 8);
    cr_assert_not(check_frame(1, q, sizeof q));
    cr_assert_eq(dispatch_packet(1, q, sizeof q, &p), PKT_GRE);

    /* ack only: K A, payload length 0, no PPP */
    uint8_t a[IP_OFF + 20 + 12];
    memcpy(a, base, sizeof a);
    a[IP_OFF + 3] = 20 + 12;
    a[34] = 0x20;
    a[38] = a[39] = 0;
    memcpy(a + 42, base + 46, 4); /* the ack where the sequence number was */
    fix_ip_csum(a, IP_OFF);
    cr_assert(check_frame(1, a, sizeof a));
    dispatch_fast(1, a, sizeof a, &p);
    cr_assert_not(p.has_ppp);
    cr_assert(p.gre.has_ack && !p.gre.has_seq);
    cr_assert_eq(p.gre.ack, 5);
    cr_assert_eq(cursor_len(&p.payload), 0);
    /* K alone (no S, no A): gre.v1_empty, full path */
    a[34] = 0x20;
    a[35] = 0x01;
    fix_ip_csum(a, IP_OFF);
    cr_assert_not(check_frame(1, a, sizeof a));

    /* PFC and no address/control: protocol 0x21 in one byte */
    uint8_t c[sizeof base - 3];
    memcpy(c, base, 50);
    c[50] = 0x21;
    memcpy(c + 51, base + 54, 4);
    c[IP_OFF + 3] = (uint8_t)(sizeof c - IP_OFF);
    c[39] = 5;
    fix_ip_csum(c, IP_OFF);
    cr_assert(check_frame(1, c, sizeof c));
    dispatch_fast(1, c, sizeof c, &p);
    cr_assert(p.ppp.pfc);
    cr_assert_not(p.ppp.has_acfc_hdr);
    cr_assert_eq(p.ppp.protocol, 0x21);
    /* other link types never take the fast path */
    cr_assert_not(dispatch_fast(113, base, sizeof base, &p));
    cr_assert_not(dispatch_fast(12, base + IP_OFF, sizeof base - IP_OFF, &p));
}

/* Every value of every byte of the base frame (with and without the checksum
 * repaired): whatever the fast path takes, the full path decodes the same way. */
Test(dispatch_fast, every_single_byte_mutation_agrees)
{
    unsigned taken = 0, total = 0;
    for (size_t off = 0; off < sizeof base; off++)
        for (int val = 0; val < 256; val++)
            for (int fix = 0; fix < 2; fix++) {
                uint8_t f[sizeof base];
                memcpy(f, base, sizeof f);
                fix_ip_csum(f, IP_OFF);
                f[off] = (uint8_t)val;
                if (fix && (f[IP_OFF] >> 4) == 4 && (f[IP_OFF] & 0x0f) == 5)
                    fix_ip_csum(f, IP_OFF);
                taken += check_frame(1, f, sizeof f);
                total++;
            }
    cr_log_info("fast path took %u of %u mutated frames", taken, total);
    cr_assert_gt(taken, 1000);
    cr_assert_lt(taken, total);
}

static unsigned check_pcap(const char *path, unsigned *frames)
{
    char err[PCAP_ERRBUF_SIZE];
    pcap_t *p = pcap_open_offline(path, err);
    cr_assert_not_null(p, "%s: %s", path, err);
    int dlt = pcap_datalink(p);
    struct pcap_pkthdr *h;
    const u_char *d;
    unsigned taken = 0;
    while (pcap_next_ex(p, &h, &d) == 1) {
        taken += check_frame(dlt, d, h->caplen);
        (*frames)++;
    }
    pcap_close(p);
    return taken;
}

/* Every frame of every capture in pcaps/ (generated by the test peer). */
Test(dispatch_fast, bundled_captures_agree)
{
    char dir[4096];
    source_path("pcaps", dir, sizeof dir);
    DIR *dp = opendir(dir);
    cr_assert_not_null(dp);
    unsigned taken = 0, frames = 0, files = 0;
    struct dirent *de;
    while ((de = readdir(dp))) {
        size_t n = strlen(de->d_name);
        if (n < 6 || strcmp(de->d_name + n - 5, ".pcap"))
            continue;
        char path[8192];
        snprintf(path, sizeof path, "%s/%s", dir, de->d_name);
        taken += check_pcap(path, &frames);
        files++;
    }
    closedir(dp);
    cr_log_info("%u captures, fast path took %u of %u frames", files, taken, frames);
    cr_assert_gt(files, 20);
    cr_assert_gt(taken, frames / 4); /* most bundled captures are Ethernet/IPv4 GRE */
}

/* The third-party captures: other stacks, other framing. */
Test(dispatch_fast, external_captures_agree)
{
    static const char *names[] = {
        "asleap__pptp.dump.pcap", "chapcrack__pptp.cap", "john-samples__lulu-password-pptp.pcap",
        "ndpi__pptp.pcap", "packetlife__PPTP_negotiation.cap", "pptp_vpn_sniffer__connect.pcapng",
        "suricata-verify__eth-ip-gre-ppp-max-ip-packet.pcap", "tcpdump__pptp.pcap", "zeek__gre-pptp.pcap",
    };
    unsigned taken = 0, frames = 0, found = 0;
    for (size_t i = 0; i < sizeof names / sizeof names[0]; i++) {
        char path[4096];
        if (!external_pcap(names[i], path, sizeof path))
            continue;
        found++;
        taken += check_pcap(path, &frames);
    }
    if (!found)
        cr_skip("../shared/pcaps/external is absent");
    cr_log_info("%u external captures, fast path took %u of %u frames", found, taken, frames);
    cr_assert_gt(taken, 0);
}
