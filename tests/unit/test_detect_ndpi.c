/*
 * test_detect_ndpi.c - nDPI in the sensor (docs/ndpi.md): application
 * protocols of unencrypted inner traffic on teardown (pptp.inner.*) with its
 * caps, and PPTP control connections found on a non-standard port.
 */
#include "detect_helpers.h"

static const uint8_t DNS_QUERY[] = {0x12, 0x34, 0x01, 0x00, 0x00, 0x01, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
                                    7,    'e',  'x',  'a',  'm',  'p',  'l',  'e',  3,    'c',  'o',  'm',
                                    0,    0x00, 0x01, 0x00, 0x01};

static void unencrypted_session(scn *x)
{
    scn_control(x);
    scn_lcp_open(x, LCP_AUTH_CHAP, LCP_CHAP_MSCHAPV2, 1400);
    scn_mschapv2(x, 1, "bob", 0);
    scn_ipcp_open(x);
}

static void inner_traffic(scn *x, int flows)
{
    uint8_t pkt[600];
    for (int i = 0; i < flows; i++) {
        size_t n = ip4_packet(pkt, sizeof pkt, 17, IP4(10, 9, 0, 2), IP4(10, 9, 0, 53), (uint16_t)(5000 + i), 53, 0,
                              DNS_QUERY, sizeof DNS_QUERY);
        scn_inner(x, CLI, pkt, n);
    }
    size_t n = ip4_packet(pkt, sizeof pkt, 1, IP4(10, 9, 0, 2), IP4(10, 9, 0, 1), 0, 0, 0, (const uint8_t *)"abcdefgh", 8);
    scn_inner(x, CLI, pkt, n);
}

Test(detect_ndpi, inner_protocols_on_teardown)
{
    scn x;
    scn_open(&x, "inner");
    unencrypted_session(&x);
    inner_traffic(&x, 1);
    scn_hangup(&x);
    evlist L = run_scn(&x, NULL);
    const ev *td = find_action(&L, "teardown", 0);
    cr_assert_not_null(td);
    cr_expect_eq(gu(td, "pptp.inner.flows"), 2);
    cr_expect(has_elem(td, "pptp.inner.protocols", "DNS"), "DNS in %s", L.json);
    cr_expect(has_elem(td, "pptp.inner.protocols", "ICMP"));
    cr_expect_str_eq(gs(td, "pptp.inner.classifier"), "ndpi");
    cr_expect_eq(ev_dropped(td), 0);
    evlist_free(&L);
    /* encrypted calls are not inspected: no pptp.inner fields */
    scn_open(&x, "innerenc");
    scn_clean_session(&x, "bob");
    scn_hangup(&x);
    L = run_scn(&x, NULL);
    td = find_action(&L, "teardown", 0);
    cr_assert_not_null(td);
    cr_expect(!ev_has(td, "pptp.inner.flows") && !ev_has(td, "pptp.inner.protocols"));
    evlist_free(&L);
}

Test(detect_ndpi, flows_per_session_are_capped)
{
    scn x;
    scn_open(&x, "innercap");
    unencrypted_session(&x);
    inner_traffic(&x, 4);
    scn_hangup(&x);
    scn_close(&x);
    evlist L = run_pcap_cfg(x.path, "[ndpi]\nmax_flows_per_session = 2\n");
    const ev *td = find_action(&L, "teardown", 0);
    cr_assert_not_null(td);
    cr_expect_eq(gu(td, "pptp.inner.flows"), 2);
    cr_expect_eq(gu(td, "pptp.inner.uninspected_frames"), 3);
    evlist_free(&L);
    L = run_pcap_cfg(x.path, "[ndpi]\nenabled = no\n");
    td = find_action(&L, "teardown", 0);
    cr_expect(!ev_has(td, "pptp.inner.flows"));
    evlist_free(&L);
}

Test(detect_ndpi, pptp_on_a_nonstandard_port)
{
    scn x;
    scn_open(&x, "port8443");
    x.sport = 8443;
    scn_clean_session(&x, "bob");
    scn_hangup(&x);
    evlist L = run_scn(&x, NULL);
    cr_assert_eq(count_rule(&L, "pptp.ctrl.nonstandard_port"), 1, "%s", L.json);
    const ev *e = find_rule(&L, "pptp.ctrl.nonstandard_port");
    cr_expect_eq(gu(e, "pptp.alert.port"), 8443);
    cr_expect_eq(gu(e, "destination.port"), 8443);
    cr_expect(ev_has(e, "pptp.control_id"));
    const ev *cc = find_action(&L, "control_connect", 0);
    cr_assert_not_null(cc, "tracked like any other connection");
    cr_expect_eq(gu(cc, "destination.port"), 8443);
    cr_expect(!ev_has(cc, "pptp.partial"), "the handshake was replayed");
    cr_expect_eq(count_action(&L, "auth_success"), 1);
    cr_expect_eq(count_action(&L, "teardown"), 1);
    cr_expect_str_eq(gs(find_action(&L, "teardown", 0), "pptp.teardown.reason"), "user_request");
    evlist_free(&L);
    /* switched off: the connection is not PPTP to the sensor */
    scn_close(&x);
    L = run_pcap_cfg(x.path, "[ndpi]\ndetect_ports = no\n");
    cr_expect_eq(count_rule(&L, "pptp.ctrl.nonstandard_port") + count_action(&L, "control_connect"), 0);
    evlist_free(&L);
}

Test(detect_ndpi, other_tcp_on_that_port_is_ignored)
{
    scn x;
    scn_open(&x, "http8443");
    x.sport = 8443;
    scn_handshake(&x);
    static const char req[] = "GET / HTTP/1.1\r\nHost: example.com\r\nUser-Agent: curl/8\r\n\r\n";
    scn_tcp(&x, CLI, 0x18, (const uint8_t *)req, sizeof req - 1);
    static const char rsp[] = "HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n";
    scn_tcp(&x, SRV, 0x18, (const uint8_t *)rsp, sizeof rsp - 1);
    scn_fin(&x);
    evlist L = run_scn(&x, NULL);
    cr_expect_eq(count_rule(&L, "pptp.ctrl.nonstandard_port") + count_action(&L, "control_connect"), 0);
    evlist_free(&L);
}

Test(detect_ndpi, sensor_wide_flow_cap_and_release)
{
    scn x;
    scn_open(&x, "ndpicap");
    unencrypted_session(&x);
    uint8_t pkt[200];
    /* three inner TCP SYNs: nDPI cannot decide on a SYN, each flow keeps its nDPI state */
    for (int i = 0; i < 3; i++) {
        size_t n = ip4_packet(pkt, sizeof pkt, 6, IP4(10, 9, 0, 2), IP4(10, 9, 0, 80), (uint16_t)(6000 + i), 80, 1300,
                              NULL, 0);
        scn_inner(&x, CLI, pkt, n);
    }
    scn_hangup(&x);
    scn_close(&x);
    evlist L = run_pcap_cfg(x.path, "[ndpi]\nmax_flows = 1\n");
    const ev *td = find_action(&L, "teardown", 0);
    cr_assert_not_null(td);
    cr_expect_eq(gu(td, "pptp.inner.flows"), 3);
    cr_expect_eq(gu(td, "pptp.inner.uninspected_frames"), 2, "only one nDPI flow may live");
    cr_expect_eq(gu(find_action(&L, "stats", 0), "pptp.stats.detect.ndpi_flows"), 0, "freed with the call");
    evlist_free(&L);
}
