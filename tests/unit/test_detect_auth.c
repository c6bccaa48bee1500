/*
 * test_detect_auth.c - authentication rules (docs/alerts.md): brute force and
 * its high tier, spraying, distributed failures, success after failures,
 * account-state codes.  Each rule: a capture that triggers it and a close one
 * that must not.
 */
#include "detect_helpers.h"

/* n failed MS-CHAPv2 logins from the client of x, one call each, gap apart. */
static void failures(scn *x, int n, const char *const *users, int nusers, uint64_t gap, uint32_t error)
{
    for (int i = 0; i < n; i++) {
        if (i)
            scn_new_conn(x);
        scn_control(x);
        scn_lcp_open(x, LCP_AUTH_CHAP, LCP_CHAP_MSCHAPV2, 1400);
        scn_mschapv2(x, 1, users[i % nusers], error);
        scn_hangup(x);
        scn_wait(x, gap);
    }
}

static const char *const ALICE[] = {"CORP\\alice"};

Test(detect_auth, bruteforce_fires_at_ten_failures_in_five_minutes)
{
    scn x;
    scn_open(&x, "bf10");
    failures(&x, 10, ALICE, 1, 20 * SEC, 691);
    evlist L = run_scn(&x, NULL);
    cr_assert_eq(count_rule(&L, "pptp.auth.bruteforce"), 1);
    const ev *e = find_rule(&L, "pptp.auth.bruteforce");
    cr_expect_str_eq(gs(e, "log.level"), "warning");
    cr_expect_eq(gu(e, "pptp.alert.count"), 10);
    cr_expect_eq(gu(e, "pptp.alert.threshold"), 10);
    cr_expect_eq(gu(e, "pptp.alert.window"), 300ull * 1000000000ull);
    cr_expect_str_eq(gs(e, "pptp.alert.tier"), "normal");
    cr_expect_str_eq(gs(e, "source.ip"), "192.0.2.10");
    cr_expect_eq(gu(e, "pptp.alert.error_code"), 691);
    cr_expect_str_eq(gs(e, "pptp.alert.auth_method"), "mschapv2");
    cr_expect(has_elem(e, "pptp.alert.users", "CORP\\alice"));
    cr_expect(ev_has(e, "pptp.session_id"), "the triggering call's identity");
    cr_expect_str_eq(gs(e, "event.action"), "auth_bruteforce");
    cr_expect_str_eq(gs(e, "rule.category"), "authentication");
    check_alerts(&L);
    evlist_free(&L);
}

Test(detect_auth, nine_failures_or_ten_spread_over_six_minutes_do_not)
{
    scn x;
    scn_open(&x, "bf9");
    failures(&x, 9, ALICE, 1, 20 * SEC, 691);
    evlist L = run_scn(&x, NULL);
    cr_expect_eq(count_rule(&L, "pptp.auth.bruteforce"), 0);
    cr_expect_eq(count_action(&L, "auth_failure"), 9);
    evlist_free(&L);

    scn_open(&x, "bf10slow");
    failures(&x, 10, ALICE, 1, 40 * SEC, 691); /* 10 failures over 6 minutes */
    L = run_scn(&x, NULL);
    cr_expect_eq(count_rule(&L, "pptp.auth.bruteforce"), 0);
    evlist_free(&L);
}

Test(detect_auth, high_tier_at_hundred_in_a_minute_is_error)
{
    scn x;
    scn_open(&x, "bfhigh");
    /* one control connection, one call, 100 MS-CHAP retries (R=1) within 50 s */
    scn_control(&x);
    scn_lcp_open(&x, LCP_AUTH_CHAP, LCP_CHAP_MSCHAPV2, 1400);
    for (int i = 0; i < 100; i++) {
        scn_mschapv2(&x, (uint8_t)(i + 1), "CORP\\alice", 691);
        scn_wait(&x, 500 * MS);
    }
    scn_hangup(&x);
    evlist L = run_scn(&x, NULL);
    cr_expect_eq(count_action(&L, "auth_failure"), 100);
    cr_assert_eq(count_rule(&L, "pptp.auth.bruteforce"), 2, "normal tier at 10, high tier at 100");
    const ev *hi = NULL;
    for (size_t i = 0; i < L.n; i++)
        if (!strcmp(gs(&L.e[i], "rule.id"), "pptp.auth.bruteforce") && !strcmp(gs(&L.e[i], "pptp.alert.tier"), "high"))
            hi = &L.e[i];
    cr_assert_not_null(hi);
    cr_expect_str_eq(gs(hi, "log.level"), "error");
    cr_expect_eq(gu(hi, "pptp.alert.count"), 100);
    cr_expect_eq(gu(hi, "pptp.alert.window"), 60ull * 1000000000ull);
    evlist_free(&L);
}

Test(detect_auth, bruteforce_thresholds_and_switch_are_configurable)
{
    scn x;
    scn_open(&x, "bfcfg");
    failures(&x, 3, ALICE, 1, SEC, 691);
    scn_close(&x);
    evlist L = run_pcap_cfg(x.path, "[pptp.auth.bruteforce]\nthreshold = 3\nwindow = 1m\n");
    cr_expect_eq(count_rule(&L, "pptp.auth.bruteforce"), 1);
    cr_expect_eq(gu(find_rule(&L, "pptp.auth.bruteforce"), "pptp.alert.window"), 60ull * 1000000000ull);
    evlist_free(&L);
    L = run_pcap_cfg(x.path, "[pptp.auth.bruteforce]\nthreshold = 3\nenabled = no\n");
    cr_expect_eq(count_rule(&L, "pptp.auth.bruteforce"), 0);
    evlist_free(&L);
}

Test(detect_auth, spraying_needs_more_than_three_users)
{
    static const char *const four[] = {"alice", "bob", "carol", "dave"};
    scn x;
    scn_open(&x, "spray4");
    failures(&x, 4, four, 4, 10 * SEC, 691);
    evlist L = run_scn(&x, NULL);
    cr_assert_eq(count_rule(&L, "pptp.auth.spraying"), 1);
    const ev *e = find_rule(&L, "pptp.auth.spraying");
    cr_expect_eq(gu(e, "pptp.alert.count"), 4);
    cr_expect_eq(n_elems(e, "pptp.alert.users"), 4);
    cr_expect(has_elem(e, "pptp.alert.users", "dave"));
    cr_expect(has_elem(e, "related.user", "carol"));
    evlist_free(&L);

    /* three users failing (each twice) is not spraying */
    scn_open(&x, "spray3");
    failures(&x, 6, four, 3, 10 * SEC, 691);
    L = run_scn(&x, NULL);
    cr_expect_eq(count_rule(&L, "pptp.auth.spraying"), 0);
    evlist_free(&L);
}

Test(detect_auth, distributed_one_user_from_five_sources)
{
    scn x;
    scn_open(&x, "dist5");
    for (int i = 0; i < 5; i++) {
        x.cli = IP4(203, 0, 113, 10 + i);
        failures(&x, 1, ALICE, 1, 30 * SEC, 691);
        scn_new_conn(&x);
    }
    evlist L = run_scn(&x, NULL);
    cr_assert_eq(count_rule(&L, "pptp.auth.distributed"), 1);
    const ev *e = find_rule(&L, "pptp.auth.distributed");
    cr_expect_str_eq(gs(e, "pptp.alert.user"), "CORP\\alice");
    cr_expect_eq(n_elems(e, "pptp.alert.sources"), 5);
    cr_expect(has_elem(e, "pptp.alert.sources", "203.0.113.14"));
    cr_expect_eq(count_rule(&L, "pptp.auth.bruteforce"), 0);
    evlist_free(&L);

    /* four sources, or five with different users, do not */
    static const char *const users[] = {"u1", "u2", "u3", "u4", "u5"};
    scn_open(&x, "dist4");
    for (int i = 0; i < 5; i++) {
        x.cli = IP4(203, 0, 113, 10 + (i % 4));
        failures(&x, 1, users + (i % 4 == 0 && i ? 4 : 0), 1, 30 * SEC, 691);
        scn_new_conn(&x);
    }
    L = run_scn(&x, NULL);
    cr_expect_eq(count_rule(&L, "pptp.auth.distributed"), 0);
    evlist_free(&L);
}

Test(detect_auth, success_after_five_failures_is_critical)
{
    scn x;
    scn_open(&x, "saf5");
    failures(&x, 5, ALICE, 1, 10 * SEC, 691);
    scn_new_conn(&x);
    scn_clean_session(&x, "CORP\\alice");
    scn_hangup(&x);
    evlist L = run_scn(&x, NULL);
    cr_assert_eq(count_rule(&L, "pptp.auth.success_after_failures"), 1);
    const ev *e = find_rule(&L, "pptp.auth.success_after_failures");
    cr_expect_str_eq(gs(e, "log.level"), "critical");
    cr_expect_eq(gu(e, "pptp.alert.count"), 5);
    cr_expect_str_eq(gs(e, "user.name"), "alice");
    cr_expect_str_eq(gs(e, "user.domain"), "CORP");
    evlist_free(&L);

    scn_open(&x, "saf4");
    failures(&x, 4, ALICE, 1, 10 * SEC, 691);
    scn_new_conn(&x);
    scn_clean_session(&x, "CORP\\alice");
    scn_hangup(&x);
    L = run_scn(&x, NULL);
    cr_expect_eq(count_rule(&L, "pptp.auth.success_after_failures"), 0);
    evlist_free(&L);
}

Test(detect_auth, account_state_codes_are_named)
{
    static const struct {
        uint32_t code;
        const char *name, *level;
    } cases[] = {
        {646, "restricted_logon_hours", "notice"}, {647, "acct_disabled", "warning"},
        {648, "passwd_expired", "notice"},         {649, "no_dialin_permission", "notice"},
        {709, "changing_password", "notice"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        scn x;
        scn_open(&x, "acct");
        failures(&x, 1, ALICE, 1, SEC, cases[i].code);
        evlist L = run_scn(&x, NULL);
        cr_assert_eq(count_rule(&L, "pptp.auth.account_state"), 1, "code %u", cases[i].code);
        const ev *e = find_rule(&L, "pptp.auth.account_state");
        cr_expect_str_eq(gs(e, "pptp.alert.error"), cases[i].name);
        cr_expect_eq(gu(e, "pptp.alert.error_code"), cases[i].code);
        cr_expect_str_eq(gs(e, "log.level"), cases[i].level);
        evlist_free(&L);
    }
    /* the plain wrong password (691) is not an account state */
    scn x;
    scn_open(&x, "acct691");
    failures(&x, 1, ALICE, 1, SEC, 691);
    evlist L = run_scn(&x, NULL);
    cr_expect_eq(count_rule(&L, "pptp.auth.account_state"), 0);
    evlist_free(&L);
}

Test(detect_auth, pap_nak_counts_as_a_failure)
{
    scn x;
    scn_open(&x, "papfail");
    for (int i = 0; i < 10; i++) {
        if (i)
            scn_new_conn(&x);
        scn_control(&x);
        scn_lcp_open(&x, LCP_AUTH_PAP, 0, 1400);
        scn_frame(&x, CLI, PPP_PROTO_PAP, pap_frame(PAP_AUTH_REQ, 1, "bob", "hunter2", NULL));
        scn_frame(&x, SRV, PPP_PROTO_PAP, pap_frame(PAP_AUTH_NAK, 1, NULL, NULL, "bad"));
        scn_hangup(&x);
    }
    evlist L = run_scn(&x, NULL);
    cr_expect_eq(count_rule(&L, "pptp.auth.bruteforce"), 1);
    cr_expect_str_eq(gs(find_rule(&L, "pptp.auth.bruteforce"), "pptp.alert.auth_method"), "pap");
    cr_expect_null(strstr(L.json, "hunter2"), "the PAP password never appears");
    evlist_free(&L);
}
