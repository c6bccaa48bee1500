/*
 * test_detect_ctrl.c - control-channel rules (docs/alerts.md): malformed and
 * oversized messages, sequence violations, SCCRQ and call-request floods,
 * scans, refused connections, Echo-Request floods and unanswered echoes, tool
 * fingerprints.  Each: a capture that triggers it and a close one that must not.
 */
#include "detect_helpers.h"

static void sccrq_msg(struct pptp_ctrl_msg *m)
{
    memset(m, 0, sizeof *m);
    m->ctrl_type = PPTP_MSG_SCCRQ;
    m->u.sccrq.protocol_version = PPTP_PROTOCOL_VERSION;
    m->u.sccrq.framing_caps = 1;
    m->u.sccrq.bearer_caps = 1;
    snprintf(m->u.sccrq.host_name, sizeof m->u.sccrq.host_name, "pc");
}

Test(detect_ctrl, oversized_sccrq)
{
    struct pptp_ctrl_msg m;
    scn x;
    scn_open(&x, "over");
    scn_handshake(&x);
    sccrq_msg(&m);
    m.extra_len = 100; /* 256 bytes: decoded, longer than its type */
    scn_ctrl(&x, CLI, &m);
    scn_sccrp(&x, 1);
    evlist L = run_scn(&x, NULL);
    cr_assert_eq(count_rule(&L, "pptp.ctrl.malformed"), 1);
    const ev *e = find_rule(&L, "pptp.ctrl.malformed");
    cr_expect(has_elem(e, "pptp.alert.anomalies", "pptp.oversized_message"));
    cr_expect_eq(gu(e, "pptp.alert.length"), 256);
    cr_expect_eq(gu(e, "pptp.alert.expected_length"), 156);
    cr_expect_str_eq(gs(e, "pptp.alert.message_type"), "SCCRQ");
    cr_expect_str_eq(gs(e, "network.transport"), "tcp");
    evlist_free(&L);

    scn_open(&x, "huge");
    scn_handshake(&x);
    sccrq_msg(&m);
    m.extra_len = 600; /* beyond any plausible length: skipped as garbage */
    scn_ctrl(&x, CLI, &m);
    L = run_scn(&x, NULL);
    cr_assert_eq(count_rule(&L, "pptp.ctrl.malformed"), 1);
    e = find_rule(&L, "pptp.ctrl.malformed");
    cr_expect(has_elem(e, "pptp.alert.anomalies", "pptp.oversized_message"));
    cr_expect_eq(gu(e, "pptp.alert.length"), 756);
    evlist_free(&L);

    scn_open(&x, "magic");
    scn_handshake(&x);
    sccrq_msg(&m);
    m.raw_header = true;
    m.msg_type = 1;
    m.magic = 0xdeadbeef;
    scn_ctrl(&x, CLI, &m);
    L = run_scn(&x, NULL);
    cr_assert_eq(count_rule(&L, "pptp.ctrl.malformed"), 1);
    cr_expect(has_elem(find_rule(&L, "pptp.ctrl.malformed"), "pptp.alert.anomalies", "pptp.bad_magic"));
    evlist_free(&L);

    scn_open(&x, "wellformed");
    scn_control(&x);
    L = run_scn(&x, NULL);
    cr_expect_eq(count_rule(&L, "pptp.ctrl.malformed"), 0);
    evlist_free(&L);
}

static void incoming_call(scn *x, int iccn)
{
    scn_handshake(x);
    scn_sccrq(x);
    scn_sccrp(x, 1);
    struct pptp_ctrl_msg m;
    memset(&m, 0, sizeof m);
    m.ctrl_type = PPTP_MSG_ICRQ;
    m.u.icrq.call_id = x->pac_id;
    m.u.icrq.call_serial = 9;
    m.u.icrq.bearer_type = 1;
    scn_ctrl(x, SRV, &m);
    memset(&m, 0, sizeof m);
    m.ctrl_type = PPTP_MSG_ICRP;
    m.u.icrp.call_id = x->pns_id;
    m.u.icrp.peer_call_id = x->pac_id;
    m.u.icrp.result_code = PPTP_ICRP_CONNECT;
    m.u.icrp.recv_window = 16;
    scn_ctrl(x, CLI, &m);
    for (int i = 0; i < iccn; i++)
        scn_simple(x, SRV, PPTP_MSG_ICCN);
}

Test(detect_ctrl, iccn_twice_is_a_sequence_violation)
{
    scn x;
    scn_open(&x, "iccn2");
    incoming_call(&x, 2);
    evlist L = run_scn(&x, NULL);
    cr_assert_eq(count_rule(&L, "pptp.ctrl.state_violation"), 1);
    const ev *e = find_rule(&L, "pptp.ctrl.state_violation");
    cr_expect_str_eq(gs(e, "pptp.alert.violation"), "iccn_repeated");
    cr_expect_str_eq(gs(e, "pptp.alert.message_type"), "ICCN");
    cr_expect(ev_has(e, "pptp.session_id"));
    evlist_free(&L);
    scn_open(&x, "iccn1");
    incoming_call(&x, 1);
    L = run_scn(&x, NULL);
    cr_expect_eq(count_action(&L, "call_established"), 1);
    cr_expect_eq(count_rule(&L, "pptp.ctrl.state_violation"), 0);
    evlist_free(&L);
}

Test(detect_ctrl, ccrq_for_an_unknown_call_but_not_crossing_a_cdn)
{
    scn x;
    scn_open(&x, "ccrqunknown");
    scn_control(&x);
    x.pns_id = 0x5555; /* no such call */
    scn_simple(&x, CLI, PPTP_MSG_CCRQ);
    evlist L = run_scn(&x, NULL);
    cr_assert_eq(count_rule(&L, "pptp.ctrl.state_violation"), 1);
    cr_expect_str_eq(gs(find_rule(&L, "pptp.ctrl.state_violation"), "pptp.alert.violation"), "unknown_call");
    cr_expect_eq(gu(find_rule(&L, "pptp.ctrl.state_violation"), "pptp.alert.call_id"), 0x5555);
    evlist_free(&L);
    /* the PAC's CDN and the PNS's CCRQ cross on the wire */
    scn_open(&x, "ccrqcross");
    scn_control(&x);
    scn_simple(&x, SRV, PPTP_MSG_CDN);
    scn_simple(&x, CLI, PPTP_MSG_CCRQ);
    L = run_scn(&x, NULL);
    cr_expect_eq(count_action(&L, "teardown"), 1);
    cr_expect_eq(count_rule(&L, "pptp.ctrl.state_violation"), 0);
    evlist_free(&L);
}

Test(detect_ctrl, call_request_before_sccrp_and_sccrq_repeated)
{
    scn x;
    scn_open(&x, "early");
    scn_handshake(&x);
    scn_sccrq(&x);
    scn_ocrq(&x);
    evlist L = run_scn(&x, NULL);
    cr_assert_eq(count_rule(&L, "pptp.ctrl.state_violation"), 1);
    cr_expect_str_eq(gs(find_rule(&L, "pptp.ctrl.state_violation"), "pptp.alert.violation"), "call_before_established");
    evlist_free(&L);
    scn_open(&x, "again");
    scn_control(&x);
    scn_sccrq(&x);
    L = run_scn(&x, NULL);
    cr_assert_eq(count_rule(&L, "pptp.ctrl.state_violation"), 1);
    cr_expect_str_eq(gs(find_rule(&L, "pptp.ctrl.state_violation"), "pptp.alert.violation"), "sccrq_repeated");
    evlist_free(&L);
}

static void connections(scn *x, int n, uint64_t gap)
{
    for (int i = 0; i < n; i++) {
        if (i)
            scn_new_conn(x);
        scn_handshake(x);
        scn_sccrq(x);
        scn_sccrp(x, 1);
        scn_fin(x);
        scn_wait(x, gap);
    }
}

Test(detect_ctrl, sccrq_flood)
{
    scn x;
    scn_open(&x, "flood20");
    connections(&x, 20, SEC);
    evlist L = run_scn(&x, NULL);
    cr_assert_eq(count_rule(&L, "pptp.ctrl.sccrq_flood"), 1);
    const ev *e = find_rule(&L, "pptp.ctrl.sccrq_flood");
    cr_expect_eq(gu(e, "pptp.alert.count"), 20);
    cr_expect_str_eq(gs(e, "pptp.alert.source_ip"), "192.0.2.10");
    evlist_free(&L);
    scn_open(&x, "flood19");
    connections(&x, 19, SEC);
    L = run_scn(&x, NULL);
    cr_expect_eq(count_rule(&L, "pptp.ctrl.sccrq_flood"), 0);
    evlist_free(&L);
}

Test(detect_ctrl, call_request_flood)
{
    for (int n = 29; n <= 30; n++) {
        scn x;
        scn_open(&x, "calls");
        scn_handshake(&x);
        scn_sccrq(&x);
        scn_sccrp(&x, 1);
        for (int i = 0; i < n; i++) {
            x.pns_id = (uint16_t)(100 + i);
            scn_ocrq(&x);
        }
        evlist L = run_scn(&x, NULL);
        cr_expect_eq(count_rule(&L, "pptp.ctrl.call_request_flood"), n == 30, "%d requests", n);
        evlist_free(&L);
    }
}

Test(detect_ctrl, scan_without_sccrq)
{
    for (int n = 4; n <= 5; n++) {
        scn x;
        scn_open(&x, "scan");
        for (int i = 0; i < n; i++) {
            if (i)
                scn_new_conn(&x);
            scn_tcp(&x, CLI, 0x02, NULL, 0);
            scn_tcp(&x, SRV, 0x14, NULL, 0); /* RST+ACK: closed port */
            scn_wait(&x, 10 * SEC);
        }
        evlist L = run_scn(&x, NULL);
        cr_expect_eq(count_rule(&L, "pptp.ctrl.scan"), n == 5, "%d probes", n);
        if (n == 5) {
            const ev *e = find_rule(&L, "pptp.ctrl.scan");
            cr_expect_eq(gu(e, "pptp.alert.count"), 5);
            cr_expect_str_eq(gs(e, "pptp.alert.close_reason"), "tcp_reset");
            cr_expect_eq(gu(e, "destination.port"), 1723);
        }
        evlist_free(&L);
    }
    /* five real connections are no scan */
    scn x;
    scn_open(&x, "noscan");
    connections(&x, 5, 10 * SEC);
    evlist L = run_scn(&x, NULL);
    cr_expect_eq(count_rule(&L, "pptp.ctrl.scan"), 0);
    evlist_free(&L);
}

Test(detect_ctrl, refused_control_connection)
{
    static const struct {
        uint8_t result;
        const char *level;
    } cases[] = {{PPTP_SCCRP_NOT_AUTHORIZED, "warning"}, {PPTP_SCCRP_GENERAL_ERROR, "notice"}, {PPTP_SCCRP_SUCCESS, NULL}};
    for (size_t i = 0; i < 3; i++) {
        scn x;
        scn_open(&x, "refused");
        scn_handshake(&x);
        scn_sccrq(&x);
        scn_sccrp(&x, cases[i].result);
        evlist L = run_scn(&x, NULL);
        cr_expect_eq(count_rule(&L, "pptp.ctrl.refused"), cases[i].level != NULL);
        if (cases[i].level) {
            const ev *e = find_rule(&L, "pptp.ctrl.refused");
            cr_expect_str_eq(gs(e, "log.level"), cases[i].level);
            cr_expect_eq(gu(e, "pptp.alert.result_code"), cases[i].result);
        }
        evlist_free(&L);
    }
}

Test(detect_ctrl, echo_flood_and_unanswered_echoes)
{
    for (int n = 19; n <= 20; n++) {
        scn x;
        scn_open(&x, "echo");
        scn_control(&x);
        for (int i = 0; i < n; i++) {
            scn_simple(&x, CLI, PPTP_MSG_ECHORQ);
            scn_simple(&x, SRV, PPTP_MSG_ECHORP);
        }
        evlist L = run_scn(&x, NULL);
        cr_expect_eq(count_rule(&L, "pptp.ctrl.echo_flood"), n == 20, "%d echoes", n);
        cr_expect_eq(count_rule(&L, "pptp.ops.echo_timeout"), 0, "answered");
        evlist_free(&L);
    }
    /* keepalives once a minute, the last four unanswered */
    scn x;
    scn_open(&x, "echotimeout");
    scn_control(&x);
    for (int i = 0; i < 7; i++) {
        scn_simple(&x, CLI, PPTP_MSG_ECHORQ);
        if (i < 3)
            scn_simple(&x, SRV, PPTP_MSG_ECHORP);
        scn_wait(&x, 60 * SEC);
    }
    evlist L = run_scn(&x, NULL);
    cr_expect_eq(count_rule(&L, "pptp.ctrl.echo_flood"), 0);
    cr_assert_eq(count_rule(&L, "pptp.ops.echo_timeout"), 1);
    const ev *e = find_rule(&L, "pptp.ops.echo_timeout");
    cr_expect_str_eq(gs(e, "pptp.alert.protocol"), "pptp");
    cr_expect_eq(gu(e, "pptp.alert.unanswered"), 4);
    evlist_free(&L);
}

Test(detect_ctrl, nmap_pptp_version_probe)
{
    scn x;
    scn_open(&x, "nmap");
    scn_handshake(&x);
    scn_sccrq_full(&x, "none", "nmap", 65535, 1);
    scn_sccrp(&x, 1);
    scn_fin(&x);
    evlist L = run_scn(&x, NULL);
    cr_assert_eq(count_rule(&L, "pptp.ctrl.tool_fingerprint"), 1);
    const ev *e = find_rule(&L, "pptp.ctrl.tool_fingerprint");
    cr_expect_str_eq(gs(e, "pptp.alert.tool"), "nmap pptp-version");
    cr_expect_str_eq(gs(e, "pptp.alert.vendor"), "nmap");
    cr_expect_eq(gu(e, "pptp.alert.max_channels"), 65535);
    evlist_free(&L);
    /* the same probe with another vendor string (scanners copy it) */
    scn_open(&x, "nmapstyle");
    scn_handshake(&x);
    scn_sccrq_full(&x, "none", "scanner", 65535, 1);
    L = run_scn(&x, NULL);
    cr_assert_eq(count_rule(&L, "pptp.ctrl.tool_fingerprint"), 1);
    cr_expect_str_eq(gs(find_rule(&L, "pptp.ctrl.tool_fingerprint"), "pptp.alert.tool"), "nmap-style probe");
    evlist_free(&L);
    /* a Windows client, and a configured fingerprint */
    scn_open(&x, "windows");
    scn_handshake(&x);
    scn_sccrq_full(&x, "DESKTOP-1", "Microsoft", 0, 2600);
    scn_close(&x);
    L = run_pcap_cfg(x.path, NULL);
    cr_expect_eq(count_rule(&L, "pptp.ctrl.tool_fingerprint"), 0);
    evlist_free(&L);
    L = run_pcap_cfg(x.path, "[pptp.ctrl.tool_fingerprint]\nhostname = desktop-1\n");
    cr_expect_eq(count_rule(&L, "pptp.ctrl.tool_fingerprint"), 1);
    evlist_free(&L);
}
