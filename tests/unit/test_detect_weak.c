/*
 * test_detect_weak.c - weak security rules (docs/alerts.md): PAP, CHAP-MD5,
 * MS-CHAPv1 (LM response), MS-CHAPv2 (informational), no encryption, short and
 * stateful MPPE, downgrades of authentication and key length, cleartext after
 * encryption.  Each: a capture that triggers it and a close one that must not.
 */
#include "detect_helpers.h"
#include "eap.h"

static void pap_session(scn *x, bool ok)
{
    scn_control(x);
    scn_lcp_open(x, LCP_AUTH_PAP, 0, 1400);
    scn_frame(x, CLI, PPP_PROTO_PAP, pap_frame(PAP_AUTH_REQ, 1, "ixia", "S3cr3tPw", NULL));
    scn_frame(x, SRV, PPP_PROTO_PAP, pap_frame(ok ? PAP_AUTH_ACK : PAP_AUTH_NAK, 1, NULL, NULL, ok ? "ok" : "no"));
}

static uint8_t PKT[2048];

static void ip_frames(scn *x, int n)
{
    for (int i = 0; i < n; i++) {
        size_t len = ip4_packet(PKT, sizeof PKT, 1, IP4(10, 9, 0, 2), IP4(10, 9, 0, 1), 0, 0, 0, (const uint8_t *)"ping", 4);
        scn_inner(x, i % 2, PKT, len);
    }
}

Test(detect_weak, pap_says_cleartext_never_logs_the_password)
{
    scn x;
    scn_open(&x, "pap");
    pap_session(&x, true);
    scn_hangup(&x);
    evlist L = run_scn(&x, NULL);
    cr_assert_eq(count_rule(&L, "pptp.weak.pap"), 1);
    const ev *e = find_rule(&L, "pptp.weak.pap");
    cr_expect(gb(e, "pptp.alert.cleartext_password"));
    cr_expect_not_null(strstr(gs(e, "message"), "cleartext"));
    cr_expect_str_eq(gs(e, "user.name"), "ixia");
    cr_expect_str_eq(gs(e, "log.level"), "warning");
    cr_expect_null(strstr(L.json, "S3cr3tPw"));
    check_alerts(&L);
    evlist_free(&L);
    /* a failed PAP attempt still sent the password */
    scn_open(&x, "papnak");
    pap_session(&x, false);
    L = run_scn(&x, NULL);
    cr_expect_eq(count_rule(&L, "pptp.weak.pap"), 1);
    evlist_free(&L);
}

Test(detect_weak, clean_mschapv2_128_is_informational_only)
{
    scn x;
    scn_open(&x, "clean");
    scn_clean_session(&x, "CORP\\alice");
    scn_hangup(&x);
    evlist L = run_scn(&x, NULL);
    int worst = check_alerts(&L);
    cr_expect_leq(worst, 1, "a clean MS-CHAPv2/MPPE-128 session stays at info/notice");
    cr_expect_eq(count_rule(&L, "pptp.weak.mschapv2"), 1);
    cr_expect_str_eq(gs(find_rule(&L, "pptp.weak.mschapv2"), "log.level"), "info");
    cr_expect_eq(count_rule(&L, "pptp.weak.pap") + count_rule(&L, "pptp.weak.no_encryption") +
                     count_rule(&L, "pptp.weak.mppe_key_length") + count_rule(&L, "pptp.weak.mppe_stateful") +
                     count_rule(&L, "pptp.downgrade.mppe") + count_rule(&L, "pptp.downgrade.auth"),
                 0);
    evlist_free(&L);
    scn_open(&x, "clean2");
    scn_clean_session(&x, "CORP\\alice");
    scn_close(&x);
    L = run_pcap_cfg(x.path, "[pptp.weak.mschapv2]\nenabled = no\n");
    cr_expect_eq(check_alerts(&L), -1, "no alert at all");
    evlist_free(&L);
}

static void chap_session(scn *x, uint8_t alg, bool lm)
{
    scn_control(x);
    scn_lcp_open(x, LCP_AUTH_CHAP, alg, 1400);
    static const uint8_t ch8[8] = {1, 2, 3, 4, 5, 6, 7, 8};
    uint8_t r[49];
    size_t rn;
    if (alg == LCP_CHAP_MD5) {
        scn_frame(x, SRV, PPP_PROTO_CHAP, chap_frame(CHAP_CHALLENGE, 1, DH_CHALLENGE16, 16, "vpn", NULL));
        memset(r, 0x5a, 16);
        rn = 16;
    } else {
        scn_frame(x, SRV, PPP_PROTO_CHAP, chap_frame(CHAP_CHALLENGE, 1, ch8, 8, "vpn", NULL));
        rn = v1_response(r, lm);
    }
    scn_frame(x, CLI, PPP_PROTO_CHAP, chap_frame(CHAP_RESPONSE, 1, r, rn, "bob", NULL));
    scn_frame(x, SRV, PPP_PROTO_CHAP, chap_frame(CHAP_SUCCESS, 1, NULL, 0, NULL, "ok"));
}

Test(detect_weak, chap_md5)
{
    scn x;
    scn_open(&x, "md5");
    chap_session(&x, LCP_CHAP_MD5, false);
    evlist L = run_scn(&x, NULL);
    cr_assert_eq(count_rule(&L, "pptp.weak.chap_md5"), 1);
    cr_expect_str_eq(gs(find_rule(&L, "pptp.weak.chap_md5"), "pptp.alert.auth_method"), "chap-md5");
    cr_expect_eq(count_rule(&L, "pptp.weak.mschapv1"), 0);
    evlist_free(&L);
}

Test(detect_weak, eap_md5)
{
    for (int md5 = 0; md5 < 2; md5++) {
        scn x;
        scn_open(&x, "eapmd5");
        scn_control(&x);
        scn_lcp_open(&x, LCP_AUTH_EAP, 0, 1400);
        eap_msg m;
        uint8_t b[256];
        wbuf w;
        frame f;
        /* Identity request/response, then an MD5 (or an MS-CHAPv2) challenge */
        memset(&m, 0, sizeof m);
        m.code = EAP_REQUEST, m.id = 1, m.type = EAP_TYPE_IDENTITY;
        wbuf_init(&w, b, sizeof b);
        cr_assert(eap_encode(&w, &m));
        memcpy(f.b, b, f.n = wbuf_len(&w));
        scn_frame(&x, SRV, PPP_PROTO_EAP, f);
        memset(&m, 0, sizeof m);
        m.code = EAP_RESPONSE, m.id = 1, m.type = EAP_TYPE_IDENTITY;
        m.text = (const uint8_t *)"wendy", m.text_len = 5;
        wbuf_init(&w, b, sizeof b);
        cr_assert(eap_encode(&w, &m));
        memcpy(f.b, b, f.n = wbuf_len(&w));
        scn_frame(&x, CLI, PPP_PROTO_EAP, f);
        memset(&m, 0, sizeof m);
        m.code = EAP_REQUEST, m.id = 2, m.type = md5 ? EAP_TYPE_MD5 : EAP_TYPE_MSCHAPV2;
        if (md5)
            m.value = DH_CHALLENGE16, m.value_size = 16;
        else
            m.type_data = DH_CHALLENGE16, m.type_data_len = 16;
        wbuf_init(&w, b, sizeof b);
        cr_assert(eap_encode(&w, &m));
        memcpy(f.b, b, f.n = wbuf_len(&w));
        scn_frame(&x, SRV, PPP_PROTO_EAP, f);
        evlist L = run_scn(&x, NULL);
        cr_expect_eq(count_rule(&L, "pptp.weak.eap_md5"), (size_t)md5);
        if (md5)
            cr_expect_str_eq(gs(find_rule(&L, "pptp.weak.eap_md5"), "user.name"), "wendy");
        evlist_free(&L);
    }
}

Test(detect_weak, mschapv1_with_and_without_lm_response)
{
    scn x;
    scn_open(&x, "v1lm");
    chap_session(&x, LCP_CHAP_MSCHAP, true);
    evlist L = run_scn(&x, NULL);
    cr_assert_eq(count_rule(&L, "pptp.weak.mschapv1"), 1);
    const ev *e = find_rule(&L, "pptp.weak.mschapv1");
    cr_expect(gb(e, "pptp.alert.lm_response"));
    cr_expect_str_eq(gs(e, "log.level"), "error");
    cr_expect_eq(count_rule(&L, "pptp.weak.chap_md5"), 0);
    evlist_free(&L);
    scn_open(&x, "v1nolm");
    chap_session(&x, LCP_CHAP_MSCHAP, false);
    L = run_scn(&x, NULL);
    cr_assert_eq(count_rule(&L, "pptp.weak.mschapv1"), 1);
    e = find_rule(&L, "pptp.weak.mschapv1");
    cr_expect(!gb(e, "pptp.alert.lm_response"));
    cr_expect_str_eq(gs(e, "log.level"), "warning");
    evlist_free(&L);
    /* MS-CHAPv2 is not v1 */
    scn_open(&x, "v2notv1");
    scn_clean_session(&x, "bob");
    L = run_scn(&x, NULL);
    cr_expect_eq(count_rule(&L, "pptp.weak.mschapv1") + count_rule(&L, "pptp.weak.chap_md5"), 0);
    evlist_free(&L);
}

Test(detect_weak, no_encryption_while_ip_flows)
{
    scn x;
    scn_open(&x, "noenc");
    pap_session(&x, true);
    scn_ipcp_open(&x);
    ip_frames(&x, 10);
    evlist L = run_scn(&x, NULL);
    cr_assert_eq(count_rule(&L, "pptp.weak.no_encryption"), 1);
    const ev *e = find_rule(&L, "pptp.weak.no_encryption");
    cr_expect_eq(gu(e, "pptp.alert.frames"), 10);
    /* raised on the 10th frame, before teardown */
    const ev *td = find_action(&L, "teardown", 0);
    cr_assert_not_null(td);
    cr_expect(gu(e, "event.sequence") < gu(td, "event.sequence"));
    evlist_free(&L);
    /* two frames: raised when the call ends */
    scn_open(&x, "noenc2");
    pap_session(&x, true);
    scn_ipcp_open(&x);
    ip_frames(&x, 2);
    scn_hangup(&x);
    L = run_scn(&x, NULL);
    cr_assert_eq(count_rule(&L, "pptp.weak.no_encryption"), 1);
    e = find_rule(&L, "pptp.weak.no_encryption");
    cr_expect_eq(gu(e, "pptp.alert.frames"), 2);
    cr_expect(gu(e, "event.sequence") > gu(find_action(&L, "teardown", 0), "event.sequence"));
    evlist_free(&L);
    /* no data at all, or data only after MPPE: nothing */
    scn_open(&x, "noenc0");
    pap_session(&x, true);
    scn_ipcp_open(&x);
    scn_hangup(&x);
    L = run_scn(&x, NULL);
    cr_expect_eq(count_rule(&L, "pptp.weak.no_encryption"), 0);
    evlist_free(&L);
}

Test(detect_weak, short_and_stateful_mppe)
{
    static const struct {
        uint32_t bits;
        unsigned key;
        bool stateful;
    } cases[] = {
        {CCP_MPPE_H | CCP_MPPE_L, 40, false},
        {CCP_MPPE_H | CCP_MPPE_M, 56, false},
        {CCP_MPPE_S, 128, true},
        {CCP_MPPE_H | CCP_MPPE_S, 128, false},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        scn x;
        scn_open(&x, "mppe");
        scn_control(&x);
        scn_lcp_open(&x, LCP_AUTH_CHAP, LCP_CHAP_MSCHAPV2, 1400);
        scn_mschapv2(&x, 1, "bob", 0);
        scn_ccp_open(&x, cases[i].bits, cases[i].bits);
        evlist L = run_scn(&x, NULL);
        cr_expect_eq(count_rule(&L, "pptp.weak.mppe_key_length"), cases[i].key < 128, "bits %#x", cases[i].bits);
        if (cases[i].key < 128)
            cr_expect_eq(gu(find_rule(&L, "pptp.weak.mppe_key_length"), "pptp.alert.key_bits"), cases[i].key);
        cr_expect_eq(count_rule(&L, "pptp.weak.mppe_stateful"), cases[i].stateful, "bits %#x", cases[i].bits);
        if (cases[i].stateful)
            cr_expect_str_eq(gs(find_rule(&L, "pptp.weak.mppe_stateful"), "log.level"), "notice");
        cr_expect_eq(count_rule(&L, "pptp.downgrade.mppe"), 0);
        evlist_free(&L);
    }
}

Test(detect_weak, auth_downgrade_by_nak_to_pap)
{
    scn x;
    scn_open(&x, "dgauth");
    scn_control(&x);
    lcp_options co = client_lcp(1400), so = server_lcp(LCP_AUTH_CHAP, LCP_CHAP_MSCHAPV2), nak;
    memset(&nak, 0, sizeof nak);
    nak.has_auth = true;
    nak.auth_protocol = LCP_AUTH_PAP;
    scn_frame(&x, CLI, PPP_PROTO_LCP, lcp_frame(CP_CONF_REQ, 1, &co));
    scn_frame(&x, SRV, PPP_PROTO_LCP, lcp_frame(CP_CONF_REQ, 1, &so));
    scn_frame(&x, CLI, PPP_PROTO_LCP, lcp_frame(CP_CONF_NAK, 1, &nak));
    so = server_lcp(LCP_AUTH_PAP, 0);
    frame s2 = lcp_frame(CP_CONF_REQ, 2, &so);
    scn_frame(&x, SRV, PPP_PROTO_LCP, s2);
    s2.b[0] = CP_CONF_ACK;
    scn_frame(&x, CLI, PPP_PROTO_LCP, s2);
    frame c = lcp_frame(CP_CONF_ACK, 1, &co);
    scn_frame(&x, SRV, PPP_PROTO_LCP, c);
    evlist L = run_scn(&x, NULL);
    cr_assert_eq(count_action(&L, "lcp_negotiated"), 1);
    cr_assert_eq(count_rule(&L, "pptp.downgrade.auth"), 1);
    const ev *e = find_rule(&L, "pptp.downgrade.auth");
    cr_expect_str_eq(gs(e, "pptp.alert.offered"), "mschapv2");
    cr_expect_str_eq(gs(e, "pptp.alert.agreed"), "pap");
    cr_expect_str_eq(gs(e, "pptp.alert.nak_suggested"), "pap");
    cr_expect_str_eq(gs(e, "pptp.alert.authenticator"), "server");
    cr_expect_str_eq(gs(e, "log.level"), "error");
    evlist_free(&L);
}

Test(detect_weak, eap_naked_to_mschapv2_is_no_downgrade)
{
    scn x;
    scn_open(&x, "eapnak");
    scn_control(&x);
    lcp_options co = client_lcp(1400), so = server_lcp(LCP_AUTH_EAP, 0), nak;
    memset(&nak, 0, sizeof nak);
    nak.has_auth = true;
    nak.auth_protocol = LCP_AUTH_CHAP;
    nak.auth_algorithm = LCP_CHAP_MSCHAPV2;
    scn_frame(&x, CLI, PPP_PROTO_LCP, lcp_frame(CP_CONF_REQ, 1, &co));
    scn_frame(&x, SRV, PPP_PROTO_LCP, lcp_frame(CP_CONF_REQ, 1, &so));
    scn_frame(&x, CLI, PPP_PROTO_LCP, lcp_frame(CP_CONF_NAK, 1, &nak));
    so = server_lcp(LCP_AUTH_CHAP, LCP_CHAP_MSCHAPV2);
    frame s2 = lcp_frame(CP_CONF_REQ, 2, &so);
    scn_frame(&x, SRV, PPP_PROTO_LCP, s2);
    s2.b[0] = CP_CONF_ACK;
    scn_frame(&x, CLI, PPP_PROTO_LCP, s2);
    scn_frame(&x, SRV, PPP_PROTO_LCP, lcp_frame(CP_CONF_ACK, 1, &co));
    evlist L = run_scn(&x, NULL);
    cr_assert_eq(count_action(&L, "lcp_negotiated"), 1);
    cr_expect_eq(count_rule(&L, "pptp.downgrade.auth"), 0);
    evlist_free(&L);
}

static void mppe_nak_round(scn *x, uint32_t nak_bits)
{
    scn_control(x);
    scn_lcp_open(x, LCP_AUTH_CHAP, LCP_CHAP_MSCHAPV2, 1400);
    scn_mschapv2(x, 1, "bob", 0);
    uint32_t all = CCP_MPPE_H | CCP_MPPE_S | CCP_MPPE_M | CCP_MPPE_L;
    scn_frame(x, CLI, PPP_PROTO_CCP, ccp_frame(CP_CONF_REQ, 1, true, all));
    frame s = ccp_frame(CP_CONF_REQ, 1, true, CCP_MPPE_H | CCP_MPPE_S);
    scn_frame(x, SRV, PPP_PROTO_CCP, s);
    scn_frame(x, SRV, PPP_PROTO_CCP, ccp_frame(CP_CONF_NAK, 1, true, nak_bits));
    s.b[0] = CP_CONF_ACK;
    scn_frame(x, CLI, PPP_PROTO_CCP, s);
    frame c2 = ccp_frame(CP_CONF_REQ, 2, true, nak_bits);
    scn_frame(x, CLI, PPP_PROTO_CCP, c2);
    c2.b[0] = CP_CONF_ACK;
    scn_frame(x, SRV, PPP_PROTO_CCP, c2);
}

Test(detect_weak, mppe_downgrade_by_nak_to_40_bits)
{
    scn x;
    scn_open(&x, "dgmppe");
    mppe_nak_round(&x, CCP_MPPE_H | CCP_MPPE_L);
    evlist L = run_scn(&x, NULL);
    cr_assert_eq(count_action(&L, "mppe_negotiated"), 1);
    cr_assert_eq(count_rule(&L, "pptp.downgrade.mppe"), 1);
    const ev *e = find_rule(&L, "pptp.downgrade.mppe");
    cr_expect_eq(gu(e, "pptp.alert.offered_key_bits"), 128);
    cr_expect_eq(gu(e, "pptp.alert.agreed_key_bits"), 40);
    cr_expect_eq(gu(e, "pptp.alert.nak_key_bits"), 40);
    cr_expect_str_eq(gs(e, "pptp.alert.requester"), "client");
    cr_expect_eq(count_rule(&L, "pptp.weak.mppe_key_length"), 1);
    evlist_free(&L);
    /* the usual Nak to 128 bits is no downgrade */
    scn_open(&x, "nak128");
    mppe_nak_round(&x, CCP_MPPE_H | CCP_MPPE_S);
    L = run_scn(&x, NULL);
    cr_assert_eq(count_action(&L, "mppe_negotiated"), 1);
    cr_expect_eq(count_rule(&L, "pptp.downgrade.mppe") + count_rule(&L, "pptp.weak.mppe_key_length"), 0);
    evlist_free(&L);
}

Test(detect_weak, cleartext_after_encryption)
{
    scn x;
    scn_open(&x, "clearafter");
    scn_clean_session(&x, "bob");
    ip_frames(&x, 1);
    evlist L = run_scn(&x, NULL);
    cr_assert_eq(count_rule(&L, "pptp.cleartext_after_encryption"), 1);
    const ev *e = find_rule(&L, "pptp.cleartext_after_encryption");
    cr_expect_str_eq(gs(e, "log.level"), "error");
    cr_expect_eq(gu(e, "pptp.alert.ip_frames"), 1);
    cr_expect_str_eq(gs(e, "pptp.alert.direction"), "client");
    evlist_free(&L);
    /* MPPE frames without the encryption bit after MPPE opened count too */
    scn_open(&x, "clearcomp");
    scn_clean_session(&x, "bob");
    scn_frame(&x, SRV, PPP_PROTO_COMP, mppe_frame(50, false, false, 100));
    L = run_scn(&x, NULL);
    cr_assert_eq(count_rule(&L, "pptp.cleartext_after_encryption"), 1);
    cr_expect_eq(gu(find_rule(&L, "pptp.cleartext_after_encryption"), "pptp.alert.unencrypted_compressed_frames"), 1);
    evlist_free(&L);
    /* encrypted data only: nothing */
    scn_open(&x, "clearnone");
    scn_clean_session(&x, "bob");
    scn_mppe_data(&x, 20, 300);
    L = run_scn(&x, NULL);
    cr_expect_eq(count_rule(&L, "pptp.cleartext_after_encryption"), 0);
    evlist_free(&L);
}
