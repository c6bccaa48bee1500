/* test_link.c - link-layer decoders/encoders (link.h): byte vectors per DLT, every
 * prefix, malformed headers, randomised round trips, tshark cross-checks. */
#include <criterion/criterion.h>
#include <string.h>

#include "link.h"
#include "link_test_helpers.h"
#include "names.h"
#include "pcap_writer.h"
#include "test_env.h"

/* ---- vectors ------------------------------------------------------------------ */

#define MAC_A 0x00, 0x11, 0x22, 0x33, 0x44, 0x55
#define MAC_B 0x66, 0x77, 0x88, 0x99, 0xaa, 0xbb
#define IP4_START 0x45, 0x00, 0x00, 0x1c
#define IP6_START 0x60, 0x00, 0x00, 0x00

static const uint8_t eth_ipv4[] = {MAC_A, MAC_B, 0x08, 0x00, IP4_START};
static const uint8_t eth_vlan[] = {MAC_A, MAC_B, 0x81, 0x00, 0x20, 0x64, 0x86, 0xdd, IP6_START};
static const uint8_t eth_qinq[] = {MAC_A, MAC_B, 0x88, 0xa8, 0x30, 0xc8, 0x81, 0x00,
                                   0x00, 0x64, 0x08, 0x00, IP4_START};
static const uint8_t eth_9100[] = {MAC_A, MAC_B, 0x91, 0x00, 0xef, 0xff, 0x08, 0x00, IP4_START};
static const uint8_t eth_five_tags[] = {MAC_A, MAC_B, 0x81, 0x00, 0x00, 0x01, 0x81, 0x00, 0x00, 0x02,
                                        0x81, 0x00, 0x00, 0x03, 0x81, 0x00, 0x00, 0x04,
                                        0x81, 0x00, 0x00, 0x05, 0x08, 0x00, IP4_START};
/* 802.3 length 12 = LLC/SNAP (8) + 4 data bytes, then 6 bytes of padding */
static const uint8_t eth_8023_snap[] = {MAC_A, MAC_B, 0x00, 0x0c, 0xaa, 0xaa, 0x03, 0x00, 0x00, 0x00,
                                        0x08, 0x00, IP4_START, 0, 0, 0, 0, 0, 0};
static const uint8_t eth_8023_stp[] = {MAC_A, MAC_B, 0x00, 0x07, 0x42, 0x42, 0x03, 0x00, 0x00, 0x02, 0x00};
static const uint8_t sll_ipv4[] = {0x00, 0x04, 0x00, 0x01, 0x00, 0x06, 0x02, 0x00, 0x00, 0x00,
                                   0x00, 0x01, 0x00, 0x00, 0x08, 0x00, IP4_START};
static const uint8_t sll_llc[] = {0x00, 0x00, 0x00, 0x01, 0x00, 0x06, 0x02, 0x00, 0x00, 0x00, 0x00, 0x01,
                                  0x00, 0x00, 0x00, 0x04, 0xaa, 0xaa, 0x03, 0x00, 0x00, 0x00, 0x86, 0xdd, IP6_START};
static const uint8_t sll_vlan[] = {0x00, 0x00, 0x00, 0x01, 0x00, 0x06, 0x02, 0x00, 0x00, 0x00, 0x00, 0x01,
                                   0x00, 0x00, 0x81, 0x00, 0x00, 0x07, 0x08, 0x00, IP4_START};
static const uint8_t sll2_ipv6[] = {0x86, 0xdd, 0x00, 0x00, 0x00, 0x00, 0x00, 0x02, 0x00, 0x01,
                                    0x03, 0x06, 0x02, 0x00, 0x00, 0x00, 0x00, 0x02, 0x00, 0x00, IP6_START};
static const uint8_t null_le[] = {0x02, 0x00, 0x00, 0x00, IP4_START};
static const uint8_t null_be[] = {0x00, 0x00, 0x00, 0x02, IP4_START};
static const uint8_t null_v6_darwin[] = {0x1e, 0x00, 0x00, 0x00, IP6_START};
static const uint8_t null_v6_bsd_be[] = {0x00, 0x00, 0x00, 0x18, IP6_START};
static const uint8_t null_v6_freebsd[] = {0x1c, 0x00, 0x00, 0x00, IP6_START};
static const uint8_t null_osi[] = {0x07, 0x00, 0x00, 0x00, 0xfe, 0xfe};
static const uint8_t loop_v4[] = {0x00, 0x00, 0x00, 0x02, IP4_START};
static const uint8_t loop_v6[] = {0x00, 0x00, 0x00, 0x18, IP6_START};
static const uint8_t raw_v4[] = {IP4_START};
static const uint8_t raw_v6[] = {IP6_START};

#define W_BSSID 0x00, 0x0d, 0x0b, 0x01, 0x02, 0x03
#define W_STA 0x00, 0x09, 0x5b, 0x04, 0x05, 0x06
#define W_DST 0x00, 0x0d, 0x0b, 0x07, 0x08, 0x09
#define W_A4 0x02, 0x00, 0x00, 0x00, 0x00, 0x04
/* data, ToDS, duration 44, seq 291 frag 0, LLC/SNAP IPv4 */
static const uint8_t wlan_data[] = {0x08, 0x01, 0x2c, 0x00, W_BSSID, W_STA, W_DST, 0x30, 0x12,
                                    0xaa, 0xaa, 0x03, 0x00, 0x00, 0x00, 0x08, 0x00, IP4_START};
/* QoS data, FromDS, seq 10, TID 5, LLC/SNAP IPv6 */
static const uint8_t wlan_qos[] = {0x88, 0x02, 0x00, 0x00, W_STA, W_BSSID, W_DST, 0xa0, 0x00, 0x05, 0x00,
                                   0xaa, 0xaa, 0x03, 0x00, 0x00, 0x00, 0x86, 0xdd, IP6_START};
/* QoS data, ToDS+FromDS+Order: addr4, QoS (TID 7), HT control */
static const uint8_t wlan_wds_htc[] = {0x88, 0x83, 0x00, 0x00, W_BSSID, W_STA, W_DST, 0x10, 0x00, W_A4,
                                       0x07, 0x00, 0x01, 0x02, 0x03, 0x04,
                                       0xaa, 0xaa, 0x03, 0x00, 0x00, 0x00, 0x08, 0x00, IP4_START};
static const uint8_t wlan_beacon[] = {0x80, 0x00, 0x00, 0x00, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, W_BSSID, W_BSSID,
                                      0x00, 0x00, 0, 0, 0, 0, 0, 0, 0, 0, 0x64, 0x00, 0x01, 0x04};
static const uint8_t wlan_ack[] = {0xd4, 0x00, 0x00, 0x00, W_STA};
static const uint8_t wlan_null[] = {0x48, 0x01, 0x00, 0x00, W_BSSID, W_STA, W_BSSID, 0x00, 0x00};
static const uint8_t wlan_protected[] = {0x08, 0x41, 0x00, 0x00, W_BSSID, W_STA, W_DST, 0x00, 0x00,
                                         0x12, 0x34, 0x56, 0x00, 0xde, 0xad};
static const uint8_t wlan_not_snap[] = {0x08, 0x02, 0x00, 0x00, W_STA, W_BSSID, W_DST, 0x00, 0x00,
                                        0xe0, 0xe0, 0x03, 0xff, 0xff};
static const uint8_t wlan_frag1[] = {0x08, 0x01, 0x00, 0x00, W_BSSID, W_STA, W_DST, 0x31, 0x12, 1, 2, 3};
/* radiotap: present TSFT+Flags (FCS at end), 17 bytes; then wlan_data + FCS */
#define RT_FCS 0x00, 0x00, 0x11, 0x00, 0x03, 0x00, 0x00, 0x00, 1, 2, 3, 4, 5, 6, 7, 8, 0x10
static const uint8_t radiotap_fcs[] = {RT_FCS, 0x08, 0x01, 0x2c, 0x00, W_BSSID, W_STA, W_DST, 0x30, 0x12,
                                       0xaa, 0xaa, 0x03, 0x00, 0x00, 0x00, 0x08, 0x00, IP4_START,
                                       0xde, 0xad, 0xbe, 0xef};
/* radiotap with an extended present bitmap, Flags 0, 13 bytes */
static const uint8_t radiotap_ext[] = {0x00, 0x00, 0x0d, 0x00, 0x02, 0x00, 0x00, 0x80, 0x00, 0x00, 0x00, 0x00,
                                       0x00, 0x88, 0x02, 0x00, 0x00, W_STA, W_BSSID, W_DST, 0xa0, 0x00, 0x05, 0x00,
                                       0xaa, 0xaa, 0x03, 0x00, 0x00, 0x00, 0x86, 0xdd, IP6_START};

static dec_status dec(int dlt, const uint8_t *b, size_t n, struct link_info *li, cursor *p, anomaly_set *an)
{
    cursor c;
    cursor_init(&c, b, n);
    if (an)
        anomaly_clear(an);
    return link_decode(dlt, &c, li, p, an);
}

static void assert_mac(const uint8_t *got, const uint8_t *want)
{
    cr_assert(memcmp(got, want, 6) == 0, "mac %02x:%02x:%02x:%02x:%02x:%02x", got[0], got[1], got[2], got[3],
              got[4], got[5]);
}

static const uint8_t mac_a[] = {MAC_A}, mac_b[] = {MAC_B};
static const uint8_t w_bssid[] = {W_BSSID}, w_sta[] = {W_STA}, w_dst[] = {W_DST}, w_a4[] = {W_A4};
static const uint8_t ip4_start[] = {IP4_START}, ip6_start[] = {IP6_START};

/* Payload must be exactly want (n bytes). */
static void assert_payload(const cursor *p, const uint8_t *want, size_t n)
{
    cr_assert_eq(cursor_len(p), n, "payload length %zu, want %zu", cursor_len(p), n);
    cr_assert(memcmp(cursor_data(p), want, n) == 0, "payload bytes differ");
}

/* ---- Ethernet / VLAN ------------------------------------------------------------ */

Test(ether, ethernet_ipv4)
{
    struct link_info li;
    cursor p;
    anomaly_set an;
    cr_assert_eq(dec(1, eth_ipv4, sizeof eth_ipv4, &li, &p, &an), DEC_OK);
    assert_mac(li.eth.dst, mac_a);
    assert_mac(li.eth.src, mac_b);
    cr_assert_eq(li.eth.type, 0x0800);
    cr_assert_eq(li.next_proto, ETH_TYPE_IPV4);
    cr_assert_eq(li.n_vlans, 0);
    cr_assert_eq(li.skip, LINK_SKIP_NONE);
    assert_payload(&p, ip4_start, 4);
    cr_assert_not(anomaly_any(&an));
}

Test(ether, single_vlan)
{
    struct link_info li;
    cursor p;
    cr_assert_eq(dec(1, eth_vlan, sizeof eth_vlan, &li, &p, NULL), DEC_OK);
    cr_assert_eq(li.eth.type, 0x8100);
    cr_assert_eq(li.n_vlans, 1);
    cr_assert_eq(li.vlans[0].tpid, 0x8100);
    cr_assert_eq(li.vlans[0].vid, 100);
    cr_assert_eq(li.vlans[0].pcp, 1);
    cr_assert_eq(li.vlans[0].dei, 0);
    cr_assert_eq(li.vlans[0].type, 0x86dd);
    cr_assert_eq(li.next_proto, ETH_TYPE_IPV6);
    assert_payload(&p, ip6_start, 4);
}

Test(ether, qinq_88a8_then_8100)
{
    struct link_info li;
    cursor p;
    cr_assert_eq(dec(1, eth_qinq, sizeof eth_qinq, &li, &p, NULL), DEC_OK);
    cr_assert_eq(li.n_vlans, 2);
    cr_assert_eq(li.vlans[0].tpid, 0x88a8);
    cr_assert_eq(li.vlans[0].vid, 200);
    cr_assert_eq(li.vlans[0].pcp, 1);
    cr_assert_eq(li.vlans[0].dei, 1);
    cr_assert_eq(li.vlans[1].tpid, 0x8100);
    cr_assert_eq(li.vlans[1].vid, 100);
    cr_assert_eq(li.next_proto, ETH_TYPE_IPV4);
    assert_payload(&p, ip4_start, 4);
}

Test(ether, old_qinq_9100)
{
    struct link_info li;
    cursor p;
    cr_assert_eq(dec(1, eth_9100, sizeof eth_9100, &li, &p, NULL), DEC_OK);
    cr_assert_eq(li.n_vlans, 1);
    cr_assert_eq(li.vlans[0].tpid, 0x9100);
    cr_assert_eq(li.vlans[0].vid, 4095);
    cr_assert_eq(li.vlans[0].pcp, 7);
    cr_assert_eq(li.next_proto, ETH_TYPE_IPV4);
}

Test(ether, vlan_stack_is_bounded)
{
    struct link_info li;
    cursor p;
    anomaly_set an;
    cr_assert_eq(dec(1, eth_five_tags, sizeof eth_five_tags, &li, &p, &an), DEC_OK);
    cr_assert_eq(li.n_vlans, LINK_MAX_VLANS);
    for (int i = 0; i < LINK_MAX_VLANS; i++)
        cr_assert_eq(li.vlans[i].vid, i + 1);
    cr_assert_eq(li.next_proto, 0x8100, "stops at the 5th tag's TPID");
    cr_assert(anomaly_has(&an, ANOMALY_LINK_TOO_MANY_VLAN_TAGS));
    /* the caller may continue with vlan_decode() */
    struct vlan_tag t;
    cursor inner;
    cr_assert_eq(vlan_decode(&p, li.next_proto, &t, &inner, NULL), DEC_OK);
    cr_assert_eq(t.vid, 5);
    cr_assert_eq(t.next_proto, ETH_TYPE_IPV4);
    assert_payload(&inner, ip4_start, 4);
}

Test(ether, ieee8023_llc_snap_and_padding)
{
    struct link_info li;
    cursor p;
    cr_assert_eq(dec(1, eth_8023_snap, sizeof eth_8023_snap, &li, &p, NULL), DEC_OK);
    cr_assert_eq(li.eth.type, 12);
    cr_assert(li.eth.has_llc);
    cr_assert(li.eth.llc.snap);
    cr_assert_eq(li.eth.llc.dsap, 0xaa);
    cr_assert_eq(li.eth.llc.control, 0x03);
    cr_assert_eq(li.eth.llc.oui, 0);
    cr_assert_eq(li.eth.llc.pid, 0x0800);
    cr_assert_eq(li.next_proto, ETH_TYPE_IPV4);
    assert_payload(&p, ip4_start, 4); /* padding after the 802.3 length dropped */
}

Test(ether, ieee8023_non_snap_llc_is_other_proto)
{
    struct link_info li;
    cursor p;
    cr_assert_eq(dec(1, eth_8023_stp, sizeof eth_8023_stp, &li, &p, NULL), DEC_OK);
    cr_assert_eq(li.eth.llc.dsap, 0x42);
    cr_assert_not(li.eth.llc.snap);
    cr_assert_eq(li.next_proto, 0);
    cr_assert_eq(li.skip, LINK_SKIP_OTHER_PROTO);
    cr_assert_eq(cursor_len(&p), 4);
}

Test(ether, impossible_type_and_lying_length_are_malformed)
{
    uint8_t b[sizeof eth_ipv4];
    memcpy(b, eth_ipv4, sizeof b);
    b[12] = 0x05;
    b[13] = 0xdd; /* 1501: neither length nor ethertype */
    struct link_info li;
    cursor p, c;
    cr_assert_eq(dec(1, b, sizeof b, &li, &p, NULL), DEC_MALFORMED);
    /* 802.3 length past an exact frame end */
    b[12] = 0x00;
    b[13] = 0x40;
    cursor_init_exact(&c, b, sizeof b);
    cr_assert_eq(link_decode(1, &c, &li, &p, NULL), DEC_MALFORMED);
    /* ... but past a capture that stopped (inside the LLC header) is truncated */
    cr_assert_eq(dec(1, b, 16, &li, &p, NULL), DEC_TRUNCATED);
}

/* ---- SLL / SLL2 -------------------------------------------------------------------- */

Test(sll, sll_v1)
{
    struct link_info li;
    cursor p;
    static const uint8_t addr[8] = {0x02, 0, 0, 0, 0, 0x01, 0, 0};
    cr_assert_eq(dec(113, sll_ipv4, sizeof sll_ipv4, &li, &p, NULL), DEC_OK);
    cr_assert_eq(li.sll.version, 1);
    cr_assert_eq(li.sll.pkttype, SLL_OUTGOING);
    cr_assert_str_eq(sll_pkttype_name(li.sll.pkttype), "outgoing");
    cr_assert_eq(li.sll.hatype, 1);
    cr_assert_eq(li.sll.halen, 6);
    cr_assert(memcmp(li.sll.addr, addr, 8) == 0);
    cr_assert_eq(li.sll.protocol, 0x0800);
    cr_assert_eq(li.next_proto, ETH_TYPE_IPV4);
    assert_payload(&p, ip4_start, 4);
}

Test(sll, sll_v2)
{
    struct link_info li;
    cursor p;
    cr_assert_eq(dec(276, sll2_ipv6, sizeof sll2_ipv6, &li, &p, NULL), DEC_OK);
    cr_assert_eq(li.sll.version, 2);
    cr_assert_eq(li.sll.protocol, 0x86dd);
    cr_assert_eq(li.sll.ifindex, 2);
    cr_assert_eq(li.sll.hatype, 1);
    cr_assert_eq(li.sll.pkttype, SLL_OTHERHOST);
    cr_assert_eq(li.sll.halen, 6);
    cr_assert_eq(li.sll.addr[5], 0x02);
    cr_assert_eq(li.next_proto, ETH_TYPE_IPV6);
    assert_payload(&p, ip6_start, 4);
}

Test(sll, llc_protocol_and_vlan)
{
    struct link_info li;
    cursor p;
    cr_assert_eq(dec(113, sll_llc, sizeof sll_llc, &li, &p, NULL), DEC_OK);
    cr_assert_eq(li.sll.protocol, 4);
    cr_assert(li.sll.has_llc);
    cr_assert_eq(li.next_proto, ETH_TYPE_IPV6);
    assert_payload(&p, ip6_start, 4);
    cr_assert_eq(dec(113, sll_vlan, sizeof sll_vlan, &li, &p, NULL), DEC_OK);
    cr_assert_eq(li.n_vlans, 1);
    cr_assert_eq(li.vlans[0].vid, 7);
    cr_assert_eq(li.next_proto, ETH_TYPE_IPV4);
    assert_payload(&p, ip4_start, 4);
}

/* ---- null / loop / raw ------------------------------------------------------------- */

Test(null, both_byte_orders_and_families)
{
    struct link_info li;
    cursor p;
    cr_assert_eq(dec(0, null_le, sizeof null_le, &li, &p, NULL), DEC_OK);
    cr_assert_eq(li.null.family, 2);
    cr_assert_not(li.null.big_endian);
    cr_assert_eq(li.next_proto, ETH_TYPE_IPV4);
    assert_payload(&p, ip4_start, 4);
    cr_assert_eq(dec(0, null_be, sizeof null_be, &li, &p, NULL), DEC_OK);
    cr_assert_eq(li.null.family, 2);
    cr_assert(li.null.big_endian);
    cr_assert_eq(li.next_proto, ETH_TYPE_IPV4);
    cr_assert_eq(dec(0, null_v6_darwin, sizeof null_v6_darwin, &li, &p, NULL), DEC_OK);
    cr_assert_eq(li.null.family, 30);
    cr_assert_eq(li.next_proto, ETH_TYPE_IPV6);
    cr_assert_eq(dec(0, null_v6_bsd_be, sizeof null_v6_bsd_be, &li, &p, NULL), DEC_OK);
    cr_assert_eq(li.null.family, 24);
    cr_assert_eq(li.next_proto, ETH_TYPE_IPV6);
    cr_assert_eq(dec(0, null_v6_freebsd, sizeof null_v6_freebsd, &li, &p, NULL), DEC_OK);
    cr_assert_eq(li.null.family, 28);
    cr_assert_eq(li.next_proto, ETH_TYPE_IPV6);
    cr_assert_eq(dec(0, null_osi, sizeof null_osi, &li, &p, NULL), DEC_OK);
    cr_assert_eq(li.next_proto, 0);
    cr_assert_eq(li.skip, LINK_SKIP_OTHER_PROTO);
}

Test(null, loop_is_network_order)
{
    struct link_info li;
    cursor p;
    cr_assert_eq(dec(108, loop_v4, sizeof loop_v4, &li, &p, NULL), DEC_OK);
    cr_assert_eq(li.null.family, 2);
    cr_assert_eq(li.next_proto, ETH_TYPE_IPV4);
    cr_assert_eq(dec(108, loop_v6, sizeof loop_v6, &li, &p, NULL), DEC_OK);
    cr_assert_eq(li.null.family, 24);
    cr_assert_eq(li.next_proto, ETH_TYPE_IPV6);
    assert_payload(&p, ip6_start, 4);
    /* little-endian bytes on DLT_LOOP are a different (unknown) family */
    cr_assert_eq(dec(108, null_le, sizeof null_le, &li, &p, NULL), DEC_OK);
    cr_assert_eq(li.null.family, 0x02000000u);
    cr_assert_eq(li.next_proto, 0);
}

Test(raw, version_nibble_selects_protocol)
{
    static const int dlts[] = {12, 14, 101};
    struct link_info li;
    cursor p;
    anomaly_set an;
    for (size_t i = 0; i < ARRAY_LEN(dlts); i++) {
        cr_assert_eq(dec(dlts[i], raw_v4, sizeof raw_v4, &li, &p, NULL), DEC_OK);
        cr_assert_eq(li.next_proto, ETH_TYPE_IPV4);
        assert_payload(&p, ip4_start, 4);
        cr_assert_eq(dec(dlts[i], raw_v6, sizeof raw_v6, &li, &p, NULL), DEC_OK);
        cr_assert_eq(li.next_proto, ETH_TYPE_IPV6);
        static const uint8_t v5[] = {0x50, 0, 0, 0};
        cr_assert_eq(dec(dlts[i], v5, sizeof v5, &li, &p, &an), DEC_MALFORMED);
        cr_assert(anomaly_has(&an, ANOMALY_LINK_RAW_BAD_VERSION));
        cr_assert_eq(dec(dlts[i], raw_v4, 0, &li, &p, NULL), DEC_TRUNCATED);
    }
    cr_assert_eq(dec(228, raw_v4, sizeof raw_v4, &li, &p, NULL), DEC_OK);
    cr_assert_eq(dec(228, raw_v6, sizeof raw_v6, &li, &p, NULL), DEC_MALFORMED);
    cr_assert_eq(dec(229, raw_v6, sizeof raw_v6, &li, &p, NULL), DEC_OK);
    cr_assert_eq(dec(229, raw_v4, sizeof raw_v4, &li, &p, NULL), DEC_MALFORMED);
}

/* ---- 802.11 / radiotap ------------------------------------------------------------- */

Test(wlan, data_with_llc_snap)
{
    struct link_info li;
    cursor p;
    cr_assert_eq(dec(105, wlan_data, sizeof wlan_data, &li, &p, NULL), DEC_OK);
    cr_assert_eq(li.wlan.type, WLAN_TYPE_DATA);
    cr_assert_eq(li.wlan.subtype, 0);
    cr_assert_eq(li.wlan.flags, WLAN_FLAG_TODS);
    cr_assert_eq(li.wlan.duration, 44);
    assert_mac(li.wlan.addr1, w_bssid);
    assert_mac(li.wlan.addr2, w_sta);
    assert_mac(li.wlan.addr3, w_dst);
    cr_assert_not(li.wlan.has_addr4);
    cr_assert_not(li.wlan.has_qos);
    cr_assert_eq(li.wlan.seq, 291);
    cr_assert_eq(li.wlan.frag, 0);
    cr_assert(li.wlan.llc.snap);
    cr_assert_eq(li.next_proto, ETH_TYPE_IPV4);
    cr_assert_eq(li.skip, LINK_SKIP_NONE);
    assert_payload(&p, ip4_start, 4);
}

Test(wlan, qos_data)
{
    struct link_info li;
    cursor p;
    cr_assert_eq(dec(105, wlan_qos, sizeof wlan_qos, &li, &p, NULL), DEC_OK);
    cr_assert_eq(li.wlan.subtype, 8);
    cr_assert_eq(li.wlan.flags, WLAN_FLAG_FROMDS);
    cr_assert(li.wlan.has_qos);
    cr_assert_eq(li.wlan.qos, 5);
    cr_assert_eq(li.wlan.tid, 5);
    cr_assert_eq(li.wlan.seq, 10);
    cr_assert_not(li.wlan.has_htc);
    cr_assert_eq(li.next_proto, ETH_TYPE_IPV6);
    assert_payload(&p, ip6_start, 4);
}

Test(wlan, four_address_qos_with_ht_control)
{
    struct link_info li;
    cursor p;
    cr_assert_eq(dec(105, wlan_wds_htc, sizeof wlan_wds_htc, &li, &p, NULL), DEC_OK);
    cr_assert(li.wlan.has_addr4);
    assert_mac(li.wlan.addr4, w_a4);
    cr_assert_eq(li.wlan.seq, 1);
    cr_assert_eq(li.wlan.tid, 7);
    cr_assert(li.wlan.has_htc);
    cr_assert_eq(li.wlan.htc, 0x04030201u);
    cr_assert_eq(li.next_proto, ETH_TYPE_IPV4);
    assert_payload(&p, ip4_start, 4);
}

Test(wlan, non_data_frames_are_skipped_not_errors)
{
    struct link_info li;
    cursor p;
    anomaly_set an;
    cr_assert_eq(dec(105, wlan_beacon, sizeof wlan_beacon, &li, &p, &an), DEC_OK);
    cr_assert_eq(li.wlan.type, WLAN_TYPE_MGMT);
    cr_assert_eq(li.wlan.subtype, 8);
    cr_assert_eq(li.skip, LINK_SKIP_NOT_DATA);
    cr_assert_eq(li.next_proto, 0);
    cr_assert_not(anomaly_any(&an));
    cr_assert_eq(dec(105, wlan_ack, sizeof wlan_ack, &li, &p, NULL), DEC_OK);
    cr_assert_eq(li.wlan.type, WLAN_TYPE_CTRL);
    cr_assert_eq(li.wlan.subtype, 13);
    cr_assert_eq(li.skip, LINK_SKIP_NOT_DATA);
    cr_assert_eq(dec(105, wlan_null, sizeof wlan_null, &li, &p, NULL), DEC_OK);
    cr_assert_eq(li.skip, LINK_SKIP_NO_BODY);
    cr_assert_eq(li.next_proto, 0);
    cr_assert_eq(dec(105, wlan_protected, sizeof wlan_protected, &li, &p, &an), DEC_OK);
    cr_assert_eq(li.skip, LINK_SKIP_PROTECTED);
    cr_assert(anomaly_has(&an, ANOMALY_LINK_WLAN_PROTECTED));
    cr_assert_eq(li.next_proto, 0);
    cr_assert_eq(dec(105, wlan_not_snap, sizeof wlan_not_snap, &li, &p, NULL), DEC_OK);
    cr_assert_eq(li.skip, LINK_SKIP_OTHER_PROTO);
    cr_assert_eq(dec(105, wlan_frag1, sizeof wlan_frag1, &li, &p, NULL), DEC_OK);
    cr_assert_eq(li.wlan.frag, 1);
    cr_assert_eq(li.skip, LINK_SKIP_UNSUPPORTED);
    cr_assert_str_eq(link_skip_name(LINK_SKIP_NOT_DATA), "not_data");
    cr_assert_str_eq(wlan_type_name(WLAN_TYPE_CTRL), "ctrl");
}

Test(wlan, bad_protocol_version_is_malformed)
{
    static const uint8_t b[] = {0x09, 0x01, 0x00, 0x00};
    struct link_info li;
    cursor p;
    anomaly_set an;
    cr_assert_eq(dec(105, b, sizeof b, &li, &p, &an), DEC_MALFORMED);
    cr_assert(anomaly_has(&an, ANOMALY_LINK_WLAN_BAD_VERSION));
}

Test(radiotap, flags_fcs_is_stripped)
{
    struct link_info li;
    cursor p;
    cr_assert_eq(dec(127, radiotap_fcs, sizeof radiotap_fcs, &li, &p, NULL), DEC_OK);
    cr_assert_eq(li.radiotap.len, 17);
    cr_assert_eq(li.radiotap.present, 3);
    cr_assert(li.radiotap.has_flags);
    cr_assert_eq(li.radiotap.flags, RADIOTAP_F_FCS);
    cr_assert_eq(li.wlan.seq, 291);
    cr_assert_eq(li.next_proto, ETH_TYPE_IPV4);
    assert_payload(&p, ip4_start, 4);
    cr_assert_eq(dec(127, radiotap_ext, sizeof radiotap_ext, &li, &p, NULL), DEC_OK);
    cr_assert_eq(li.radiotap.len, 13);
    cr_assert(li.radiotap.has_flags);
    cr_assert_eq(li.radiotap.flags, 0);
    cr_assert_eq(li.wlan.tid, 5);
    cr_assert_eq(li.next_proto, ETH_TYPE_IPV6);
    assert_payload(&p, ip6_start, 4);
}

Test(radiotap, impossible_headers_are_malformed)
{
    struct link_info li;
    cursor p;
    uint8_t b[sizeof radiotap_fcs];
    memcpy(b, radiotap_fcs, sizeof b);
    b[0] = 1; /* version */
    cr_assert_eq(dec(127, b, sizeof b, &li, &p, NULL), DEC_MALFORMED);
    memcpy(b, radiotap_fcs, sizeof b);
    b[2] = 7; /* length < 8 */
    cr_assert_eq(dec(127, b, sizeof b, &li, &p, NULL), DEC_MALFORMED);
    memcpy(b, radiotap_fcs, sizeof b);
    b[2] = 8; /* TSFT + Flags promised but the header is 8 bytes */
    cr_assert_eq(dec(127, b, sizeof b, &li, &p, NULL), DEC_MALFORMED);
    memcpy(b, radiotap_fcs, sizeof b);
    b[2] = 0xff; /* longer than the frame: the capture was cut */
    cr_assert_eq(dec(127, b, sizeof b, &li, &p, NULL), DEC_TRUNCATED);
    memcpy(b, radiotap_fcs, sizeof b);
    b[16] = RADIOTAP_F_BADFCS;
    anomaly_set an;
    cr_assert_eq(dec(127, b, sizeof b, &li, &p, &an), DEC_OK);
    cr_assert(anomaly_has(&an, ANOMALY_LINK_RADIOTAP_BAD_FCS));
}

/* ---- names / unsupported ------------------------------------------------------------- */

Test(link, dlt_support_and_names)
{
    static const int ok[] = {0, 1, 12, 14, 101, 105, 108, 113, 127, 228, 229, 276};
    for (size_t i = 0; i < ARRAY_LEN(ok); i++)
        cr_assert(link_dlt_supported(ok[i]), "dlt %d", ok[i]);
    cr_assert_not(link_dlt_supported(9));
    cr_assert_not(link_dlt_supported(-1));
    cr_assert_str_eq(link_dlt_name(1), "EN10MB");
    cr_assert_str_eq(link_dlt_name(113), "LINUX_SLL");
    cr_assert_str_eq(link_dlt_name(276), "LINUX_SLL2");
    cr_assert_str_eq(link_dlt_name(105), "IEEE802_11");
    cr_assert_str_eq(link_dlt_name(9), "PPP");
    cr_assert_str_eq(link_dlt_name(99999), "unknown");
    cr_assert_str_eq(link_dlt_name(-5), "unknown");
    cr_assert_str_eq(link_ethertype_name(0x0800), "IPv4");
    cr_assert_str_eq(link_ethertype_name(0x88a8), "802.1ad");
    cr_assert_str_eq(link_ethertype_name(0x1234), "unknown");
    struct link_info li;
    cursor p;
    anomaly_set an;
    cr_assert_eq(dec(9, eth_ipv4, sizeof eth_ipv4, &li, &p, &an), DEC_MALFORMED);
    cr_assert(anomaly_has(&an, ANOMALY_LINK_UNSUPPORTED_DLT));
}

/* ---- every prefix ---------------------------------------------------------------------- */

struct vec {
    int dlt;
    const uint8_t *b;
    size_t len;
    size_t hdr; /* bytes the decoder needs before it can succeed */
};

#define V(d, a, h) {d, a, sizeof a, h}
static const struct vec vecs[] = {
    V(1, eth_ipv4, 14),        V(1, eth_vlan, 18),        V(1, eth_qinq, 22),
    V(1, eth_9100, 18),        V(1, eth_five_tags, 30),   V(1, eth_8023_stp, 17),
    V(1, eth_8023_snap, 22),
    V(113, sll_ipv4, 16),      V(113, sll_llc, 24),       V(113, sll_vlan, 20),
    V(276, sll2_ipv6, 20),     V(0, null_le, 4),          V(0, null_be, 4),
    V(0, null_v6_darwin, 4),   V(0, null_osi, 4),         V(108, loop_v4, 4),
    V(108, loop_v6, 4),        V(12, raw_v4, 1),          V(101, raw_v6, 1),
    V(105, wlan_data, 32),     V(105, wlan_qos, 34),      V(105, wlan_wds_htc, 44),
    V(105, wlan_beacon, 2),    V(105, wlan_ack, 2),       V(105, wlan_null, 24),
    V(105, wlan_protected, 24), V(105, wlan_not_snap, 27), V(105, wlan_frag1, 24),
    V(127, radiotap_fcs, 17 + 32 + 4), V(127, radiotap_ext, 13 + 34),
};

Test(link, every_prefix_is_truncated_or_the_same_values)
{
    for (size_t v = 0; v < ARRAY_LEN(vecs); v++) {
        const struct vec *x = &vecs[v];
        struct link_info full, li;
        cursor p;
        cr_assert_eq(dec(x->dlt, x->b, x->len, &full, &p, NULL), DEC_OK, "vector %zu", v);
        size_t full_payload = cursor_len(&p);
        for (size_t n = 0; n < x->len; n++) {
            dec_status st = dec(x->dlt, x->b, n, &li, &p, NULL);
            if (n < x->hdr) {
                cr_assert_eq(st, DEC_TRUNCATED, "vector %zu prefix %zu: %s", v, n, dec_status_name(st));
            } else {
                cr_assert_eq(st, DEC_OK, "vector %zu prefix %zu: %s", v, n, dec_status_name(st));
                cr_assert(memcmp(&li, &full, sizeof li) == 0, "vector %zu prefix %zu: values differ", v, n);
                cr_assert_leq(cursor_len(&p), full_payload);
            }
        }
    }
}

Test(link, exact_cursor_ending_inside_header_is_malformed)
{
    /* e.g. a link header handed over by a tunnel whose length said so */
    struct link_info li;
    cursor c, p;
    cursor_init_exact(&c, eth_vlan, 16);
    cr_assert_eq(link_decode(1, &c, &li, &p, NULL), DEC_MALFORMED);
    cursor_init_exact(&c, wlan_qos, 20);
    cr_assert_eq(link_decode(105, &c, &li, &p, NULL), DEC_MALFORMED);
}

/* ---- randomised round trips ------------------------------------------------------------- */

static const int rt_dlts[] = {1, 113, 276, 105, 127, 0, 108, 101, 12};
static const uint16_t rt_types[] = {0x0800, 0x86dd, 0x0806, 0x880b};
static const uint16_t rt_tpids[] = {0x8100, 0x88a8, 0x9100};

static void random_link(int dlt, struct link_info *li)
{
    memset(li, 0, sizeof *li);
    li->dlt = dlt;
    li->next_proto = rt_types[lt_below(ARRAY_LEN(rt_types))];
    if (dlt == 1 || dlt == 113 || dlt == 276) {
        li->n_vlans = (uint8_t)lt_below(LINK_MAX_VLANS + 1);
        for (int i = 0; i < li->n_vlans; i++) {
            li->vlans[i].tpid = rt_tpids[lt_below(3)];
            li->vlans[i].vid = (uint16_t)lt_below(4096);
            li->vlans[i].pcp = (uint8_t)lt_below(8);
            li->vlans[i].dei = (uint8_t)lt_below(2);
        }
    }
    lt_rand_bytes(li->eth.dst, 6);
    lt_rand_bytes(li->eth.src, 6);
    li->sll.pkttype = (uint16_t)lt_below(dlt == 276 ? 256 : 65536);
    li->sll.hatype = (uint16_t)lt_rand();
    if (li->sll.hatype == 824)
        li->sll.hatype = 1;
    li->sll.halen = (uint16_t)lt_below(dlt == 276 ? 256 : 65536);
    lt_rand_bytes(li->sll.addr, 8);
    li->sll.ifindex = lt_rand();
    li->sll.reserved = (uint16_t)lt_rand();
    li->wlan.type = WLAN_TYPE_DATA;
    li->wlan.subtype = lt_below(2) ? 8 : 0;
    li->wlan.flags = (uint8_t)(lt_rand() & (WLAN_FLAG_TODS | WLAN_FLAG_FROMDS | WLAN_FLAG_RETRY | WLAN_FLAG_PWRMGT |
                                            WLAN_FLAG_MOREDATA | WLAN_FLAG_ORDER));
    li->wlan.duration = (uint16_t)lt_rand();
    lt_rand_bytes(li->wlan.addr1, 6);
    lt_rand_bytes(li->wlan.addr2, 6);
    lt_rand_bytes(li->wlan.addr3, 6);
    lt_rand_bytes(li->wlan.addr4, 6);
    li->wlan.seq = (uint16_t)lt_below(4096);
    li->wlan.qos = (uint16_t)(lt_rand() & ~0x0080u);
    li->wlan.htc = lt_rand();
    li->radiotap.has_flags = lt_below(2);
    li->radiotap.flags = li->radiotap.has_flags ? (uint8_t)(lt_rand() & ~(RADIOTAP_F_FCS | RADIOTAP_F_BADFCS)) : 0;
    static const uint32_t fams[] = {2, 24, 28, 30};
    li->null.family = fams[lt_below(4)];
    li->null.big_endian = dlt == 108 || lt_below(2);
    if (dlt == 0 || dlt == 108)
        li->next_proto = null_family_ethertype(li->null.family);
}

Test(link, random_round_trips)
{
    lt_seed(0x11cc);
    for (int iter = 0; iter < 5000; iter++) {
        int dlt = rt_dlts[lt_below(ARRAY_LEN(rt_dlts))];
        struct link_info in, out;
        random_link(dlt, &in);
        uint8_t buf[256], pl[32];
        wbuf w;
        wbuf_init(&w, buf, sizeof buf);
        cr_assert(link_encode(dlt, &w, &in), "encode dlt %d", dlt);
        size_t plen = lt_below(sizeof pl);
        lt_rand_bytes(pl, plen);
        if (dlt == 101 || dlt == 12) { /* raw: the payload's own version nibble decides */
            pl[0] = (uint8_t)((in.next_proto == ETH_TYPE_IPV6 ? 0x60 : 0x40) | (pl[0] & 0x0f));
            plen = plen ? plen : 1;
            in.next_proto = in.next_proto == ETH_TYPE_IPV6 ? ETH_TYPE_IPV6 : ETH_TYPE_IPV4;
        }
        wbuf_put_bytes(&w, pl, plen);
        cr_assert(wbuf_ok(&w));
        cursor c, p;
        cursor_init(&c, buf, wbuf_len(&w));
        cr_assert_eq(link_decode(dlt, &c, &out, &p, NULL), DEC_OK, "iter %d dlt %d", iter, dlt);
        cr_assert_eq(out.next_proto, in.next_proto, "iter %d dlt %d next %04x != %04x", iter, dlt, out.next_proto,
                     in.next_proto);
        cr_assert_eq(out.n_vlans, in.n_vlans);
        for (int i = 0; i < in.n_vlans; i++) {
            cr_assert_eq(out.vlans[i].tpid, in.vlans[i].tpid);
            cr_assert_eq(out.vlans[i].vid, in.vlans[i].vid);
            cr_assert_eq(out.vlans[i].pcp, in.vlans[i].pcp);
            cr_assert_eq(out.vlans[i].dei, in.vlans[i].dei);
        }
        switch (dlt) {
        case 1:
            cr_assert(memcmp(out.eth.dst, in.eth.dst, 6) == 0 && memcmp(out.eth.src, in.eth.src, 6) == 0);
            break;
        case 113:
        case 276:
            cr_assert_eq(out.sll.pkttype, in.sll.pkttype);
            cr_assert_eq(out.sll.hatype, in.sll.hatype);
            cr_assert_eq(out.sll.halen, in.sll.halen);
            cr_assert(memcmp(out.sll.addr, in.sll.addr, 8) == 0);
            if (dlt == 276) {
                cr_assert_eq(out.sll.ifindex, in.sll.ifindex);
                cr_assert_eq(out.sll.reserved, in.sll.reserved);
            }
            break;
        case 127:
            cr_assert_eq(out.radiotap.has_flags, in.radiotap.has_flags);
            cr_assert_eq(out.radiotap.flags, in.radiotap.flags);
            /* fall through */
        case 105:
            cr_assert_eq(out.wlan.subtype, in.wlan.subtype);
            cr_assert_eq(out.wlan.flags, in.wlan.flags);
            cr_assert_eq(out.wlan.duration, in.wlan.duration);
            cr_assert_eq(out.wlan.seq, in.wlan.seq);
            cr_assert(memcmp(out.wlan.addr1, in.wlan.addr1, 6) == 0);
            cr_assert(memcmp(out.wlan.addr2, in.wlan.addr2, 6) == 0);
            cr_assert(memcmp(out.wlan.addr3, in.wlan.addr3, 6) == 0);
            if (out.wlan.has_addr4)
                cr_assert(memcmp(out.wlan.addr4, in.wlan.addr4, 6) == 0);
            cr_assert_eq(out.wlan.has_qos, in.wlan.subtype == 8);
            if (out.wlan.has_qos) {
                cr_assert_eq(out.wlan.qos, in.wlan.qos);
                cr_assert_eq(out.wlan.has_htc, (in.wlan.flags & WLAN_FLAG_ORDER) != 0);
                if (out.wlan.has_htc)
                    cr_assert_eq(out.wlan.htc, in.wlan.htc);
            }
            break;
        case 0:
        case 108:
            cr_assert_eq(out.null.family, in.null.family);
            cr_assert_eq(out.null.big_endian, in.null.big_endian);
            break;
        default:
            break;
        }
        assert_payload(&p, pl, plen);
    }
}

/* ---- tshark cross-checks -------------------------------------------------------------- */

/* An IPv4 header (no options, checksum right) for frames handed to tshark. */
static size_t ip4_bytes(uint8_t *out, uint32_t src)
{
    static const uint8_t data[4] = {1, 2, 3, 4};
    return pcapw_build_ip4(out, 64, src, 0x0a000002, 253, 7, 0x4000, data, sizeof data);
}

static void write_frame(pcapw *pw, int dlt, const struct link_info *li, const uint8_t *pl, size_t n)
{
    uint8_t buf[512];
    wbuf w;
    wbuf_init(&w, buf, sizeof buf);
    cr_assert(link_encode(dlt, &w, li));
    wbuf_put_bytes(&w, pl, n);
    cr_assert(wbuf_ok(&w));
    cr_assert_eq(pcapw_write(pw, 1000000, buf, wbuf_len(&w)), 0);
}

static char *run_fields(const char *path, const char *const *fields)
{
    char *out = tshark_fields(path, NULL, fields);
    cr_assert_not_null(out, "tshark failed on %s", path);
    cr_assert_eq(tshark_malformed_count(path), 0, "tshark finds malformed packets in %s", path);
    return out;
}

Test(tshark, ethernet_vlan_qinq)
{
    if (!tshark_available())
        cr_skip("tshark not installed");
    char path[4096];
    scratch_path("link_eth.pcap", path, sizeof path);
    pcapw *pw = pcapw_open(path, 1);
    cr_assert_not_null(pw);
    uint8_t ip[64];
    size_t ipn = ip4_bytes(ip, 0x0a000001);
    struct link_info li;
    memset(&li, 0, sizeof li);
    memcpy(li.eth.dst, mac_a, 6);
    memcpy(li.eth.src, mac_b, 6);
    li.next_proto = ETH_TYPE_IPV4;
    write_frame(pw, 1, &li, ip, ipn);
    li.n_vlans = 1;
    li.vlans[0] = (struct vlan_tag){.tpid = 0x8100, .vid = 100, .pcp = 3};
    write_frame(pw, 1, &li, ip, ipn);
    li.n_vlans = 2;
    li.vlans[0] = (struct vlan_tag){.tpid = 0x88a8, .vid = 200};
    li.vlans[1] = (struct vlan_tag){.tpid = 0x8100, .vid = 300};
    write_frame(pw, 1, &li, ip, ipn);
    pcapw_close(pw);
    static const char *const f[] = {"eth.type", "vlan.id", "ieee8021ad.id", "ip.src", "eth.src", NULL};
    char *out = run_fields(path, f);
    char *lines[8];
    char v[128];
    cr_assert_eq(lt_lines(out, lines, 8), 3);
    cr_assert_str_eq(lt_field(lines[0], 0, v, sizeof v), "0x0800");
    cr_assert_str_eq(lt_field(lines[0], 3, v, sizeof v), "10.0.0.1");
    cr_assert_str_eq(lt_field(lines[0], 4, v, sizeof v), "66:77:88:99:aa:bb");
    cr_assert_str_eq(lt_field(lines[1], 0, v, sizeof v), "0x8100");
    cr_assert_str_eq(lt_field(lines[1], 1, v, sizeof v), "100");
    cr_assert_str_eq(lt_field(lines[2], 0, v, sizeof v), "0x88a8");
    cr_assert_str_eq(lt_field(lines[2], 2, v, sizeof v), "200");
    cr_assert_str_eq(lt_field(lines[2], 1, v, sizeof v), "300");
    cr_assert_str_eq(lt_field(lines[2], 3, v, sizeof v), "10.0.0.1");
    free(out);
}

Test(tshark, sll_and_sll2)
{
    if (!tshark_available())
        cr_skip("tshark not installed");
    uint8_t ip[64];
    size_t ipn = ip4_bytes(ip, 0xc0a80101);
    struct link_info li;
    memset(&li, 0, sizeof li);
    li.next_proto = ETH_TYPE_IPV4;
    li.sll.pkttype = SLL_OUTGOING;
    li.sll.hatype = 1;
    li.sll.halen = 6;
    memcpy(li.sll.addr, mac_a, 6);
    li.sll.ifindex = 7;
    char path[4096];
    for (int v = 1; v <= 2; v++) {
        int dlt = v == 1 ? 113 : 276;
        scratch_path(v == 1 ? "link_sll.pcap" : "link_sll2.pcap", path, sizeof path);
        pcapw *pw = pcapw_open(path, dlt);
        cr_assert_not_null(pw);
        write_frame(pw, dlt, &li, ip, ipn);
        pcapw_close(pw);
        static const char *const f[] = {"sll.pkttype", "sll.hatype", "sll.halen", "sll.etype", "sll.src.eth",
                                        "ip.src", "sll.ifindex", NULL};
        char *out = run_fields(path, f);
        char *lines[4];
        char x[128];
        cr_assert_eq(lt_lines(out, lines, 4), 1);
        cr_assert_str_eq(lt_field(lines[0], 0, x, sizeof x), "4");
        cr_assert_str_eq(lt_field(lines[0], 1, x, sizeof x), "1");
        cr_assert_str_eq(lt_field(lines[0], 2, x, sizeof x), "6");
        cr_assert_str_eq(lt_field(lines[0], 3, x, sizeof x), "0x0800");
        cr_assert_str_eq(lt_field(lines[0], 4, x, sizeof x), "00:11:22:33:44:55");
        cr_assert_str_eq(lt_field(lines[0], 5, x, sizeof x), "192.168.1.1");
        if (v == 2)
            cr_assert_str_eq(lt_field(lines[0], 6, x, sizeof x), "7");
        free(out);
    }
}

Test(tshark, ieee80211_data_and_radiotap)
{
    if (!tshark_available())
        cr_skip("tshark not installed");
    uint8_t ip[64];
    size_t ipn = ip4_bytes(ip, 0xac100001);
    struct link_info li;
    memset(&li, 0, sizeof li);
    li.next_proto = ETH_TYPE_IPV4;
    li.wlan.type = WLAN_TYPE_DATA;
    li.wlan.flags = WLAN_FLAG_TODS;
    memcpy(li.wlan.addr1, w_bssid, 6);
    memcpy(li.wlan.addr2, w_sta, 6);
    memcpy(li.wlan.addr3, w_dst, 6);
    li.wlan.seq = 291;
    char path[4096];
    for (int rt = 0; rt <= 1; rt++) {
        int dlt = rt ? 127 : 105;
        scratch_path(rt ? "link_radiotap.pcap" : "link_wlan.pcap", path, sizeof path);
        pcapw *pw = pcapw_open(path, dlt);
        cr_assert_not_null(pw);
        li.wlan.subtype = 0;
        li.wlan.seq = 291;
        li.wlan.qos = 0;
        li.radiotap.has_flags = rt;
        write_frame(pw, dlt, &li, ip, ipn);
        li.wlan.subtype = 8;
        li.wlan.qos = 6;
        li.wlan.seq = 292;
        write_frame(pw, dlt, &li, ip, ipn);
        pcapw_close(pw);
        static const char *const f[] = {"wlan.fc.type", "wlan.fc.subtype", "wlan.seq", "wlan.bssid", "wlan.sa",
                                        "llc.type", "ip.src", "wlan.qos.tid", NULL};
        char *out = run_fields(path, f);
        char *lines[4];
        char x[128];
        cr_assert_eq(lt_lines(out, lines, 4), 2);
        cr_assert_str_eq(lt_field(lines[0], 0, x, sizeof x), "2");
        cr_assert_str_eq(lt_field(lines[0], 1, x, sizeof x), "0");
        cr_assert_str_eq(lt_field(lines[0], 2, x, sizeof x), "291");
        cr_assert_str_eq(lt_field(lines[0], 3, x, sizeof x), "00:0d:0b:01:02:03");
        cr_assert_str_eq(lt_field(lines[0], 4, x, sizeof x), "00:09:5b:04:05:06");
        cr_assert_str_eq(lt_field(lines[0], 5, x, sizeof x), "0x0800");
        cr_assert_str_eq(lt_field(lines[0], 6, x, sizeof x), "172.16.0.1");
        cr_assert_str_eq(lt_field(lines[1], 1, x, sizeof x), "8");
        cr_assert_str_eq(lt_field(lines[1], 2, x, sizeof x), "292");
        cr_assert_str_eq(lt_field(lines[1], 7, x, sizeof x), "6");
        cr_assert_str_eq(lt_field(lines[1], 6, x, sizeof x), "172.16.0.1");
        free(out);
    }
}

Test(tshark, null_and_loop)
{
    if (!tshark_available())
        cr_skip("tshark not installed");
    uint8_t ip[64];
    size_t ipn = ip4_bytes(ip, 0x7f000001);
    struct link_info li;
    memset(&li, 0, sizeof li);
    li.null.family = 2;
    char path[4096];
    for (int loop = 0; loop <= 1; loop++) {
        int dlt = loop ? 108 : 0;
        scratch_path(loop ? "link_loop.pcap" : "link_null.pcap", path, sizeof path);
        pcapw *pw = pcapw_open(path, dlt);
        cr_assert_not_null(pw);
        li.null.big_endian = loop;
        write_frame(pw, dlt, &li, ip, ipn);
        pcapw_close(pw);
        static const char *const f[] = {"null.family", "ip.src", NULL};
        char *out = run_fields(path, f);
        char *lines[4];
        char x[128];
        cr_assert_eq(lt_lines(out, lines, 4), 1);
        cr_assert_str_eq(lt_field(lines[0], 0, x, sizeof x), "2");
        cr_assert_str_eq(lt_field(lines[0], 1, x, sizeof x), "127.0.0.1");
        free(out);
    }
}

/* ---- external captures ------------------------------------------------------------------ */

#include <dirent.h>
#include <pcap/pcap.h>

#include "ipv4.h"
#include "ipv6.h"
#include "tcp.h"

struct ext_stats {
    int dlt;
    int packets, malformed, truncated;
    int not_data, ip4, ip6, tcp, tcp1723;
    int wlan_snap_ip4;      /* 802.11 data frames with LLC/SNAP IPv4 */
    int vlan100_v6_v4_gre;  /* Ethernet -> VLAN 100 -> IPv6 -> IPv4 (proto 47) */
    char first_bad[256];
};

static void note_bad(struct ext_stats *s, dec_status st, const char *layer)
{
    if (st == DEC_MALFORMED) {
        if (!s->malformed++)
            snprintf(s->first_bad, sizeof s->first_bad, "packet %d: %s malformed", s->packets, layer);
    } else if (st == DEC_TRUNCATED) {
        s->truncated++;
    }
}

/* Decode link, the IP layers (following IP-in-IP), then TCP. */
static void decode_one(const uint8_t *d, size_t n, struct ext_stats *s)
{
    cursor c, p, q;
    struct link_info li;
    cursor_init(&c, d, n);
    dec_status st = link_decode(s->dlt, &c, &li, &p, NULL);
    note_bad(s, st, "link");
    if (st != DEC_OK)
        return;
    if (li.skip == LINK_SKIP_NOT_DATA)
        s->not_data++;
    if (li.dlt == 105 && li.wlan.has_llc && li.wlan.llc.snap && li.next_proto == ETH_TYPE_IPV4)
        s->wlan_snap_ip4++;
    uint16_t et = li.next_proto;
    uint8_t proto = 0;
    bool later_frag = false;
    struct ip_pair pair;
    char chain[8] = {0};
    for (int depth = 0; depth < 4; depth++) {
        if (et == ETH_TYPE_IPV4) {
            struct ipv4_hdr h;
            st = ipv4_decode(&p, &h, &q, NULL);
            note_bad(s, st, "ipv4");
            if (st != DEC_OK)
                return;
            s->ip4++;
            chain[depth] = '4';
            proto = h.proto;
            later_frag = h.frag_offset != 0;
            ipv4_pair(&h, &pair);
        } else if (et == ETH_TYPE_IPV6) {
            struct ipv6_hdr h;
            st = ipv6_decode(&p, &h, &q, NULL);
            note_bad(s, st, "ipv6");
            if (st != DEC_OK)
                return;
            s->ip6++;
            chain[depth] = '6';
            proto = h.proto;
            later_frag = h.frag_offset != 0;
            ipv6_pair(&h, &pair);
        } else {
            return;
        }
        p = q;
        if (later_frag)
            break;
        if (proto == IP_PROTO_IPIP)
            et = ETH_TYPE_IPV4;
        else if (proto == IP_PROTO_IPV6)
            et = ETH_TYPE_IPV6;
        else
            break;
    }
    if (li.n_vlans == 1 && li.vlans[0].vid == 100 && strcmp(chain, "64") == 0 && proto == IP_PROTO_GRE)
        s->vlan100_v6_v4_gre++;
    if (proto != IP_PROTO_TCP || later_frag)
        return;
    struct tcp_hdr t;
    st = tcp_decode(&p, &pair, &t, &q, NULL);
    note_bad(s, st, "tcp");
    if (st != DEC_OK)
        return;
    s->tcp++;
    if (t.sport == 1723 || t.dport == 1723)
        s->tcp1723++;
}

static bool decode_file(const char *path, struct ext_stats *s)
{
    char err[PCAP_ERRBUF_SIZE];
    pcap_t *pc = pcap_open_offline(path, err);
    if (!pc)
        return false;
    memset(s, 0, sizeof *s);
    s->dlt = pcap_datalink(pc);
    struct pcap_pkthdr *ph;
    const u_char *data;
    while (pcap_next_ex(pc, &ph, &data) == 1) {
        s->packets++;
        decode_one(data, ph->caplen, s);
    }
    pcap_close(pc);
    return true;
}

static int tshark_count(const char *path, const char *filter)
{
    char cmd[16384];
    snprintf(cmd, sizeof cmd, "tshark -n -r '%s' -Y '%s' 2>/dev/null | wc -l", path, filter);
    int st = 0;
    char *out = run_capture(cmd, &st);
    int n = out && st == 0 ? atoi(out) : -1;
    free(out);
    return n;
}

Test(external, every_packet_decodes_and_tcp_1723_counts_match_tshark, .timeout = 300)
{
    char readme[4096];
    if (!external_pcap("README.md", readme, sizeof readme))
        cr_skip("../shared/pcaps/external not present");
    char dir[4096];
    snprintf(dir, sizeof dir, "%s", readme);
    *strrchr(dir, '/') = '\0';
    DIR *d = opendir(dir);
    cr_assert_not_null(d);
    bool tshark = tshark_available();
    int files = 0;
    struct dirent *e;
    while ((e = readdir(d))) {
        if (e->d_name[0] == '.' || strcmp(e->d_name, "README.md") == 0)
            continue;
        char path[8192];
        snprintf(path, sizeof path, "%s/%s", dir, e->d_name);
        struct ext_stats s;
        if (!decode_file(path, &s))
            continue;
        files++;
        cr_assert(link_dlt_supported(s.dlt), "%s: dlt %d (%s)", e->d_name, s.dlt, link_dlt_name(s.dlt));
        cr_assert_eq(s.malformed, 0, "%s: %d malformed, first: %s", e->d_name, s.malformed, s.first_bad);
        cr_assert_gt(s.ip4 + s.ip6, 0, "%s: no IP decoded", e->d_name);
        if (tshark) {
            int want = tshark_count(path, "tcp.port==1723");
            cr_assert_eq(s.tcp1723, want, "%s: %d TCP/1723 segments, tshark %d", e->d_name, s.tcp1723, want);
        }
        cr_log_info("%s: dlt %d, %d packets, %d ipv4, %d ipv6, %d tcp, %d tcp/1723, %d truncated", e->d_name, s.dlt,
                    s.packets, s.ip4, s.ip6, s.tcp, s.tcp1723, s.truncated);
    }
    closedir(d);
    cr_assert_gt(files, 0);
}

Test(external, zeek_gre_pptp_is_vlan_ipv6_ipv4_gre)
{
    char path[4096];
    if (!external_pcap("zeek__gre-pptp.pcap", path, sizeof path))
        cr_skip("zeek__gre-pptp.pcap not present");
    struct ext_stats s;
    cr_assert(decode_file(path, &s));
    cr_assert_eq(s.dlt, 1);
    cr_assert_eq(s.packets, 2);
    cr_assert_eq(s.vlan100_v6_v4_gre, 2, "Ethernet -> VLAN 100 -> IPv6 -> IPv4 -> GRE on every packet");
}

Test(external, asleap_is_80211_with_llc_snap_ipv4)
{
    char path[4096];
    if (!external_pcap("asleap__pptp.dump.pcap", path, sizeof path))
        cr_skip("asleap__pptp.dump.pcap not present");
    struct ext_stats s;
    cr_assert(decode_file(path, &s));
    cr_assert_eq(s.dlt, 105);
    cr_assert_eq(s.packets, 297);
    cr_assert_eq(s.malformed, 0, "%s", s.first_bad); /* the damaged management frames are "not data" */
    cr_assert_eq(s.not_data, 9 + 132, "management + control frames");
    cr_assert_eq(s.wlan_snap_ip4, 96);
    cr_assert_eq(s.tcp1723, 15);
}
