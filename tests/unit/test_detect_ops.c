/*
 * test_detect_ops.c - operational rules (docs/alerts.md): mass disconnects,
 * LCP negotiations that never converge, unanswered LCP echoes, excessive MPPE
 * resets.  Each: a capture that triggers it and a close one that must not.
 */
#include "detect_helpers.h"

static void many_calls_end(scn *x, int n)
{
    for (int i = 0; i < n; i++) {
        x->cli = IP4(192, 0, 2, 100 + i);
        scn_new_conn(x);
        scn_control(x);
        scn_lcp_open(x, LCP_AUTH_CHAP, LCP_CHAP_MSCHAPV2, 1400);
        scn_simple(x, SRV, PPTP_MSG_CDN);
        scn_wait(x, SEC);
    }
}

Test(detect_ops, mass_disconnect)
{
    for (int n = 19; n <= 20; n++) {
        scn x;
        scn_open(&x, "mass");
        many_calls_end(&x, n);
        evlist L = run_scn(&x, NULL);
        cr_expect_eq(count_action(&L, "teardown"), (size_t)n);
        cr_expect_eq(count_rule(&L, "pptp.ops.mass_disconnect"), n == 20, "%d teardowns", n);
        if (n == 20) {
            const ev *e = find_rule(&L, "pptp.ops.mass_disconnect");
            cr_expect_eq(gu(e, "pptp.alert.count"), 20);
            cr_expect_str_eq(gs(e, "pptp.alert.server_ip"), "198.51.100.1");
            cr_expect_eq(gu(e, "pptp.alert.reasons.user_request"), 20);
        }
        evlist_free(&L);
    }
}

Test(detect_ops, sensor_shutdown_is_no_mass_disconnect)
{
    scn x;
    scn_open(&x, "shutdown");
    for (int i = 0; i < 25; i++) {
        x.cli = IP4(192, 0, 2, 100 + i);
        scn_new_conn(&x);
        scn_control(&x);
    }
    evlist L = run_scn(&x, NULL);
    cr_expect_eq(count_action(&L, "teardown"), 25);
    cr_expect_eq(count_rule(&L, "pptp.ops.mass_disconnect"), 0);
    evlist_free(&L);
}

Test(detect_ops, lcp_configure_request_loop)
{
    for (int n = 9; n <= 10; n++) {
        scn x;
        scn_open(&x, "lcploop");
        scn_control(&x);
        lcp_options co = client_lcp(1400);
        for (int i = 0; i < n; i++)
            scn_frame(&x, CLI, PPP_PROTO_LCP, lcp_frame(CP_CONF_REQ, (uint8_t)(i + 1), &co));
        evlist L = run_scn(&x, NULL);
        cr_expect_eq(count_rule(&L, "pptp.ops.lcp_no_convergence"), n == 10, "%d requests", n);
        if (n == 10)
            cr_expect_eq(gu(find_rule(&L, "pptp.ops.lcp_no_convergence"), "pptp.alert.client.config_requests"), 10);
        evlist_free(&L);
    }
}

Test(detect_ops, lcp_echo_timeout)
{
    for (int answered = 0; answered < 2; answered++) {
        scn x;
        scn_open(&x, "lcpecho");
        scn_clean_session(&x, "bob");
        for (int i = 0; i < 4; i++) {
            scn_frame(&x, SRV, PPP_PROTO_LCP, lcp_frame(CP_ECHO_REQ, (uint8_t)(10 + i), NULL));
            if (answered)
                scn_frame(&x, CLI, PPP_PROTO_LCP, lcp_frame(CP_ECHO_REPLY, (uint8_t)(10 + i), NULL));
            scn_wait(&x, 10 * SEC);
        }
        evlist L = run_scn(&x, NULL);
        cr_expect_eq(count_rule(&L, "pptp.ops.echo_timeout"), !answered);
        if (!answered) {
            const ev *e = find_rule(&L, "pptp.ops.echo_timeout");
            cr_expect_str_eq(gs(e, "pptp.alert.protocol"), "lcp");
            cr_expect_str_eq(gs(e, "pptp.alert.direction"), "server");
            cr_expect_eq(gu(e, "pptp.alert.unanswered"), 4);
        }
        evlist_free(&L);
    }
}

Test(detect_ops, mppe_reset_flood)
{
    for (int n = 19; n <= 20; n++) {
        scn x;
        scn_open(&x, "resets");
        scn_control(&x);
        scn_lcp_open(&x, LCP_AUTH_CHAP, LCP_CHAP_MSCHAPV2, 1400);
        scn_mschapv2(&x, 1, "bob", 0);
        scn_ccp_open(&x, CCP_MPPE_S, CCP_MPPE_S); /* stateful */
        for (int i = 0; i < n; i++)
            scn_frame(&x, CLI, PPP_PROTO_CCP, ccp_frame(CP_RESET_REQ, (uint8_t)(20 + i), false, 0));
        evlist L = run_scn(&x, NULL);
        cr_expect_eq(count_rule(&L, "pptp.mppe.reset_flood"), n == 20, "%d resets", n);
        if (n == 20) {
            const ev *e = find_rule(&L, "pptp.mppe.reset_flood");
            cr_expect_eq(gu(e, "pptp.alert.count"), 20);
            cr_expect_eq(gu(e, "pptp.alert.client.reset_requests"), 20);
        }
        evlist_free(&L);
    }
}
