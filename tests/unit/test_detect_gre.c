/*
 * test_detect_gre.c - GRE rules (docs/alerts.md): unowned Call IDs, GRE from a
 * third address, GRE after the call ended, Call ID collisions, sequence
 * numbers outside the window.  Each: a capture that triggers it and a close
 * one that must not.
 */
#include "detect_helpers.h"

static void gre_probe(scn *x, uint32_t src, uint32_t dst, uint16_t call_id, int n, uint64_t gap)
{
    frame f = mppe_frame(1, false, true, 64);
    uint8_t ppp[256];
    size_t len = ppp_wrap(ppp, sizeof ppp, PPP_PROTO_COMP, f.b, f.n);
    for (int i = 0; i < n; i++) {
        scn_gre_from(x, src, dst, call_id, 7000 + (uint32_t)i, ppp, len);
        scn_wait(x, gap);
    }
}

Test(detect_gre, unowned_call_id_ten_packets)
{
    scn x;
    scn_open(&x, "unowned10");
    scn_clean_session(&x, "bob");
    gre_probe(&x, x.cli, x.srv, 0x7777, 10, 100 * MS);
    evlist L = run_scn(&x, NULL);
    cr_assert_eq(count_rule(&L, "pptp.gre.unowned_call_id"), 1);
    const ev *e = find_rule(&L, "pptp.gre.unowned_call_id");
    cr_expect_eq(gu(e, "pptp.alert.call_id"), 0x7777);
    cr_expect_eq(gu(e, "pptp.alert.count"), 10);
    cr_expect_str_eq(gs(e, "source.ip"), "192.0.2.10");
    cr_expect_str_eq(gs(e, "network.transport"), "gre");
    cr_expect(ev_has(e, "pptp.control_id"), "the control connection linking the hosts");
    cr_expect(!ev_has(e, "source.port"));
    /* the GRE flow's Community ID (no ports), not the control connection's */
    cr_expect_str_neq(gs(e, "network.community_id"), gs(e, "pptp.ctrl.community_id"));
    cr_expect_str_eq(gs(e, "network.community_id"), gs(find_action(&L, "teardown", 0), "pptp.gre.community_id"));
    evlist_free(&L);
    scn_open(&x, "unowned9");
    scn_clean_session(&x, "bob");
    gre_probe(&x, x.cli, x.srv, 0x7777, 9, 100 * MS);
    L = run_scn(&x, NULL);
    cr_expect_eq(count_rule(&L, "pptp.gre.unowned_call_id"), 0);
    evlist_free(&L);
}

Test(detect_gre, third_address_injecting_into_a_call)
{
    scn x;
    scn_open(&x, "wrongsrc");
    scn_clean_session(&x, "bob");
    gre_probe(&x, IP4(203, 0, 113, 66), x.cli, x.pns_id, 1, MS);
    evlist L = run_scn(&x, NULL);
    cr_assert_eq(count_rule(&L, "pptp.gre.wrong_source"), 1);
    const ev *e = find_rule(&L, "pptp.gre.wrong_source");
    cr_expect_str_eq(gs(e, "pptp.alert.source_ip"), "203.0.113.66");
    cr_expect_str_eq(gs(e, "pptp.alert.expected_ip"), "198.51.100.1");
    cr_expect(has_elem(e, "related.ip", "203.0.113.66"));
    cr_expect(ev_has(e, "pptp.session_id"));
    evlist_free(&L);
    scn_open(&x, "rightsrc");
    scn_clean_session(&x, "bob");
    gre_probe(&x, x.srv, x.cli, x.pns_id, 3, MS);
    L = run_scn(&x, NULL);
    cr_expect_eq(count_rule(&L, "pptp.gre.wrong_source"), 0);
    evlist_free(&L);
}

Test(detect_gre, gre_after_teardown)
{
    scn x;
    scn_open(&x, "after");
    scn_clean_session(&x, "bob");
    scn_simple(&x, SRV, PPTP_MSG_CDN); /* the call ends; the control connection stays */
    scn_wait(&x, 5 * SEC);
    gre_probe(&x, x.cli, x.srv, x.pac_id, 3, 100 * MS);
    evlist L = run_scn(&x, NULL);
    cr_assert_eq(count_rule(&L, "pptp.gre.after_teardown"), 1);
    const ev *e = find_rule(&L, "pptp.gre.after_teardown");
    cr_expect_eq(gu(e, "pptp.alert.call_id"), x.pac_id);
    cr_expect_eq(gu(e, "pptp.alert.packets"), 3);
    cr_expect_str_eq(gs(e, "pptp.alert.ended_session_id"), gs(find_action(&L, "teardown", 0), "pptp.session_id"));
    cr_expect_eq(count_rule(&L, "pptp.gre.unowned_call_id"), 0, "explained as after-teardown");
    evlist_free(&L);
    /* in flight at the teardown (within the 2 s grace), or only two packets: nothing */
    scn_open(&x, "inflight");
    scn_clean_session(&x, "bob");
    scn_simple(&x, SRV, PPTP_MSG_CDN);
    gre_probe(&x, x.cli, x.srv, x.pac_id, 5, 100 * MS);
    scn_wait(&x, 5 * SEC);
    gre_probe(&x, x.cli, x.srv, x.pac_id, 2, 100 * MS);
    L = run_scn(&x, NULL);
    cr_expect_eq(count_rule(&L, "pptp.gre.after_teardown"), 0);
    evlist_free(&L);
}

Test(detect_gre, call_id_collision_behind_one_address)
{
    scn x;
    scn_open(&x, "collide");
    scn_clean_session(&x, "bob");
    /* a second PNS behind the same address picks the same Call ID */
    uint16_t id = x.pns_id;
    scn_new_conn(&x);
    x.pns_id = id;
    scn_control(&x);
    evlist L = run_scn(&x, NULL);
    cr_assert_eq(count_rule(&L, "pptp.gre.call_id_collision"), 1);
    const ev *e = find_rule(&L, "pptp.gre.call_id_collision");
    cr_expect_eq(gu(e, "pptp.alert.call_id"), id);
    cr_expect_str_eq(gs(e, "pptp.alert.call_id_owner"), "pns");
    cr_expect_str_eq(gs(e, "pptp.alert.other_session_id"), gs(find_action(&L, "call_request", 0), "pptp.session_id"));
    evlist_free(&L);
    /* the same Call ID after the first call ended is a reuse, not a collision */
    scn_open(&x, "reuse");
    scn_clean_session(&x, "bob");
    scn_hangup(&x);
    id = x.pns_id;
    scn_new_conn(&x);
    x.pns_id = id;
    scn_control(&x);
    L = run_scn(&x, NULL);
    cr_expect_eq(count_rule(&L, "pptp.gre.call_id_collision"), 0);
    evlist_free(&L);
    /* two PNSs at different addresses may hold the same PAC Call ID (unique per
     * PAC-PNS pair, RFC 2637): neither a collision nor injected GRE */
    scn_open(&x, "twopns");
    scn_clean_session(&x, "bob");
    uint16_t pac = x.pac_id;
    uint32_t first = x.cli;
    scn_new_conn(&x);
    x.cli = IP4(192, 0, 2, 77);
    x.pac_id = pac;
    scn_clean_session(&x, "carol");
    x.cli = first;
    scn_mppe_data(&x, 4, 100);
    L = run_scn(&x, NULL);
    cr_expect_eq(count_rule(&L, "pptp.gre.call_id_collision") + count_rule(&L, "pptp.gre.wrong_source"), 0);
    evlist_free(&L);
}

static void seq_jumps(scn *x, int n)
{
    frame f = mppe_frame(9, false, true, 64);
    uint8_t ppp[256];
    size_t len = ppp_wrap(ppp, sizeof ppp, PPP_PROTO_COMP, f.b, f.n);
    for (int i = 0; i < n; i++)
        scn_gre_from(x, x->cli, x->srv, x->pac_id, 0x40000000u + (uint32_t)i * 0x100000u, ppp, len);
}

Test(detect_gre, sequence_numbers_far_outside_the_window)
{
    scn x;
    scn_open(&x, "seq5");
    scn_clean_session(&x, "bob");
    seq_jumps(&x, 5);
    evlist L = run_scn(&x, NULL);
    cr_assert_eq(count_rule(&L, "pptp.gre.sequence_anomaly"), 1);
    const ev *e = find_rule(&L, "pptp.gre.sequence_anomaly");
    cr_expect_eq(gu(e, "pptp.alert.count"), 5);
    cr_expect_eq(gu(e, "pptp.alert.client.out_of_window"), 5);
    evlist_free(&L);
    scn_open(&x, "seq4");
    scn_clean_session(&x, "bob");
    seq_jumps(&x, 4);
    L = run_scn(&x, NULL);
    cr_expect_eq(count_rule(&L, "pptp.gre.sequence_anomaly"), 0);
    evlist_free(&L);
}

Test(detect_gre, sequence_threshold_one_fires_on_the_first_jump_only)
{
    /* the GRE detector is called only for packets it can act on (call.c): an
     * out-of-window number must still reach it, a clean call must not fire */
    scn x;
    scn_open(&x, "seq1");
    scn_clean_session(&x, "bob");
    scn_mppe_data(&x, 4, 100);
    seq_jumps(&x, 1);
    scn_mppe_data(&x, 4, 100);
    scn_close(&x);
    evlist L = run_pcap_cfg(x.path, "[pptp.gre.sequence_anomaly]\nthreshold = 1\n");
    cr_assert_eq(count_rule(&L, "pptp.gre.sequence_anomaly"), 1);
    cr_expect_eq(gu(find_rule(&L, "pptp.gre.sequence_anomaly"), "pptp.alert.count"), 1);
    evlist_free(&L);
    scn_open(&x, "seq1clean");
    scn_clean_session(&x, "bob");
    scn_mppe_data(&x, 8, 100);
    scn_close(&x);
    L = run_pcap_cfg(x.path, "[pptp.gre.sequence_anomaly]\nthreshold = 1\n");
    cr_expect_eq(count_rule(&L, "pptp.gre.sequence_anomaly"), 0);
    evlist_free(&L);
}
