/*
 * test_peer_engines.c - pptp-peer's protocol engines answer correctly, wired
 * back to back through an in-memory queue (no network, no pcap):
 * control connection and calls, GRE numbering / acks / window, PPP with every
 * authentication method (wrong password -> E=691, retry -> success), LCP
 * Nak / Reject, CCP/MPPE with real RC4, IPCP assignment, IPV6CP.
 */
#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ccp.h"
#include "chap.h"
#include "cursor.h"
#include "gre.h"
#include "lcp.h"
#include "mschap.h"
#include "peer_ctrl.h"
#include "peer_gre.h"
#include "peer_ipdata.h"
#include "peer_ppp.h"
#include "ppp.h"

/* ---- a FIFO of byte strings ---------------------------------------------------- */

#define QN 512
typedef struct msgq {
    struct {
        int to; /* receiver index */
        size_t n;
        uint8_t b[2200];
    } m[QN];
    int head, len;
} msgq;

static msgq *q;

static void q_push(int to, const uint8_t *p, size_t n)
{
    cr_assert_lt(q->len, QN, "queue overflow");
    cr_assert_leq(n, sizeof q->m[0].b);
    int i = (q->head + q->len) % QN;
    q->m[i].to = to;
    q->m[i].n = n;
    memcpy(q->m[i].b, p, n);
    q->len++;
}

/* ---- control engine ------------------------------------------------------------ */

static pctrl ctl[2];
static int ctl_events[2][16];
static pctrl_call *last_call[2];

static void ctl_send(void *ctx, const uint8_t *p, size_t n)
{
    int me = (int)(intptr_t)ctx;
    q_push(1 - me, p, n);
}

static void ctl_event(void *ctx, pctrl *e, int ev, pctrl_call *c)
{
    (void)e;
    int me = (int)(intptr_t)ctx;
    ctl_events[me][ev]++;
    if (c)
        last_call[me] = c;
}

static void ctl_run(void)
{
    while (q->len) {
        int i = q->head;
        q->head = (q->head + 1) % QN;
        q->len--;
        /* deliver in 3-byte chunks: framing must not depend on segmentation */
        for (size_t off = 0; off < q->m[i].n; off += 3) {
            size_t k = q->m[i].n - off < 3 ? q->m[i].n - off : 3;
            pctrl_input(&ctl[q->m[i].to], q->m[i].b + off, k);
        }
    }
}

static void ctl_setup(void)
{
    q = calloc(1, sizeof *q);
    memset(ctl_events, 0, sizeof ctl_events);
    pctrl_cfg c0, c1;
    pctrl_cfg_default(&c0, PCTRL_PNS);
    pctrl_cfg_default(&c1, PCTRL_PAC);
    pctrl_init(&ctl[0], PCTRL_PNS, &c0, ctl_send, ctl_event, (void *)(intptr_t)0);
    pctrl_init(&ctl[1], PCTRL_PAC, &c1, ctl_send, ctl_event, (void *)(intptr_t)1);
}

static void ctl_teardown(void)
{
    free(q);
}

TestSuite(ctrl, .init = ctl_setup, .fini = ctl_teardown);

Test(ctrl, start_call_clear_stop)
{
    cr_assert(pctrl_start(&ctl[0]));
    ctl_run();
    cr_assert_eq(ctl[0].state, PCTRL_ESTABLISHED);
    cr_assert_eq(ctl[1].state, PCTRL_ESTABLISHED);
    cr_assert_eq(ctl_events[0][PCTRL_EV_UP], 1);

    pctrl_set_next_call_id(&ctl[0], 7);
    pctrl_set_next_call_id(&ctl[1], 9);
    pctrl_call *c = pctrl_call_out(&ctl[0], 0);
    cr_assert_not_null(c);
    ctl_run();
    cr_assert_eq(ctl_events[0][PCTRL_EV_CALL_UP], 1);
    cr_assert_eq(ctl_events[1][PCTRL_EV_CALL_UP], 1);
    cr_assert_eq(c->call_id, 7);
    cr_assert_eq(c->peer_call_id, 9, "PNS learns the PAC's Call ID from OCRP");
    pctrl_call *pc = pctrl_find_call(&ctl[1], 9);
    cr_assert_not_null(pc);
    cr_assert_eq(pc->peer_call_id, 7);

    cr_assert(pctrl_echo(&ctl[1]));
    ctl_run();
    cr_assert_eq(ctl_events[1][PCTRL_EV_ECHO_REPLY], 1);

    cr_assert(pctrl_call_clear(&ctl[0], c, 0));
    ctl_run();
    cr_assert_eq(ctl_events[1][PCTRL_EV_CCRQ], 1);
    cr_assert_eq(ctl_events[0][PCTRL_EV_CALL_DOWN], 1);
    cr_assert_eq(ctl_events[1][PCTRL_EV_CALL_DOWN], 1);
    cr_assert_eq(last_call[0] ? 1 : 0, 1);
    cr_assert_eq(pctrl_active_calls(&ctl[0]), 0);
    cr_assert_eq(pctrl_active_calls(&ctl[1]), 0);

    cr_assert(pctrl_stop(&ctl[0], PPTP_STOP_NONE));
    ctl_run();
    cr_assert_eq(ctl[0].state, PCTRL_CLOSED);
    cr_assert_eq(ctl[1].state, PCTRL_CLOSED);
    cr_assert_eq(ctl[1].stop_reason, PPTP_STOP_NONE);
}

Test(ctrl, incoming_call_and_cdn_from_pac)
{
    pctrl_start(&ctl[0]);
    ctl_run();
    pctrl_call *c = pctrl_call_in(&ctl[1], 0);
    cr_assert_not_null(c);
    ctl_run();
    cr_assert_eq(ctl_events[0][PCTRL_EV_CALL_UP], 1, "PNS: up at ICCN");
    cr_assert_eq(ctl_events[1][PCTRL_EV_CALL_UP], 1, "PAC: up after ICRP");
    cr_assert_eq(c->state, PPTP_CALL_STATE_ESTABLISHED);
    cr_assert(pctrl_call_clear(&ctl[1], c, PPTP_CDN_ADMIN_SHUTDOWN));
    ctl_run();
    cr_assert_eq(ctl_events[0][PCTRL_EV_CALL_DOWN], 1);
    cr_assert_eq(pctrl_active_calls(&ctl[0]), 0);
}

Test(ctrl, refusals)
{
    ctl[1].cfg.call_result = PPTP_OCRP_BUSY;
    pctrl_start(&ctl[0]);
    ctl_run();
    pctrl_call_out(&ctl[0], 0);
    ctl_run();
    cr_assert_eq(ctl_events[0][PCTRL_EV_CALL_FAILED], 1);
    cr_assert_eq(ctl_events[1][PCTRL_EV_CALL_FAILED], 1);
    cr_assert_eq(pctrl_active_calls(&ctl[0]), 0);
}

Test(ctrl, sccrp_failure)
{
    ctl[1].cfg.sccrp_result = PPTP_SCCRP_NOT_AUTHORIZED;
    pctrl_start(&ctl[0]);
    ctl_run();
    cr_assert_eq(ctl_events[0][PCTRL_EV_REFUSED], 1);
    cr_assert_eq(ctl[0].state, PCTRL_CLOSED);
    cr_assert_eq(ctl[0].peer_result, PPTP_SCCRP_NOT_AUTHORIZED);
}

Test(ctrl, several_calls)
{
    pctrl_start(&ctl[0]);
    ctl_run();
    pctrl_call *a = pctrl_call_out(&ctl[0], 0);
    pctrl_call *b = pctrl_call_out(&ctl[0], 0);
    ctl_run();
    cr_assert_neq(a->call_id, b->call_id);
    cr_assert_neq(a->peer_call_id, b->peer_call_id);
    cr_assert_eq(pctrl_active_calls(&ctl[1]), 2);
    pctrl_stop(&ctl[1], PPTP_STOP_LOCAL_SHUTDOWN);
    ctl_run();
    cr_assert_eq(pctrl_active_calls(&ctl[0]), 0, "StopCCRQ takes the calls down");
    cr_assert_eq(ctl_events[0][PCTRL_EV_CALL_DOWN], 2);
}

/* ---- GRE engine ------------------------------------------------------------------ */

static pgre gre[2];
static int gre_delivered[2], gre_acks_only[2];

static void gre_send(void *ctx, pgre *g, const uint8_t *p, size_t n, int kind)
{
    (void)g;
    int me = (int)(intptr_t)ctx;
    if (kind == 1)
        gre_acks_only[me]++;
    q_push(1 - me, p, n);
}

static void gre_deliver(void *ctx, pgre *g, const uint8_t *p, size_t n)
{
    (void)g, (void)p, (void)n;
    gre_delivered[(int)(intptr_t)ctx]++;
}

static void gre_run(ptime now)
{
    while (q->len) {
        int i = q->head;
        q->head = (q->head + 1) % QN;
        q->len--;
        pgre_input(&gre[q->m[i].to], now, q->m[i].b, q->m[i].n);
    }
}

static void gre_setup(void)
{
    q = calloc(1, sizeof *q);
    memset(gre_delivered, 0, sizeof gre_delivered);
    memset(gre_acks_only, 0, sizeof gre_acks_only);
    pgre_cfg c = {.seq_start = 0xfffffffe, .ack_delay = 100 * PT_MS};
    pgre_init(&gre[0], &c, gre_send, gre_deliver, (void *)(intptr_t)0);
    c.seq_start = 0;
    pgre_init(&gre[1], &c, gre_send, gre_deliver, (void *)(intptr_t)1);
    pgre_set_peer(&gre[0], 0x80, 4);
    pgre_set_peer(&gre[1], 0x4000, 4);
}

static void gre_teardown(void)
{
    pgre_free(&gre[0]);
    pgre_free(&gre[1]);
    free(q);
}

TestSuite(gre, .init = gre_setup, .fini = gre_teardown);

Test(gre, numbering_wraps_and_key_is_peer_call_id)
{
    uint8_t ppp[4] = {0xff, 0x03, 0xc0, 0x21};
    for (int i = 0; i < 3; i++)
        pgre_send(&gre[0], 0, ppp, sizeof ppp);
    cr_assert_eq(q->len, 3);
    uint32_t want[3] = {0xfffffffe, 0xffffffff, 0};
    for (int i = 0; i < 3; i++) {
        cursor c;
        cursor_init_exact(&c, q->m[i].b, q->m[i].n);
        struct gre_hdr h;
        cr_assert_eq(gre_decode(&c, &h, NULL, NULL), DEC_OK);
        cr_assert(h.has_seq);
        cr_assert_eq(h.seq, want[i]);
        cr_assert_eq(h.call_id, 0x80);
        cr_assert_eq(h.payload_length, 4);
    }
    gre_run(0);
    cr_assert_eq(gre_delivered[1], 3);
    cr_assert_eq(gre[1].rx_max, 0u, "highest received across the wrap");
}

Test(gre, piggyback_and_ack_only)
{
    uint8_t ppp[4] = {0xff, 0x03, 0x00, 0x21};
    pgre_send(&gre[0], 0, ppp, sizeof ppp);
    gre_run(0);
    cr_assert(gre[1].ack_pending);
    cr_assert_eq(pgre_next_timer(&gre[1]), 100 * PT_MS);
    /* data from 1 carries the ack */
    pgre_send(&gre[1], 10, ppp, sizeof ppp);
    cr_assert_not(gre[1].ack_pending);
    gre_run(10);
    cr_assert(gre[0].tx_acked_any);
    cr_assert_eq(gre[0].tx_acked, 0xfffffffe);
    /* nothing to piggyback on: ack-only after the delay */
    cr_assert(gre[0].ack_pending);
    pgre_timer(&gre[0], 50 * PT_MS);
    cr_assert_eq(q->len, 0, "not due yet");
    pgre_timer(&gre[0], 200 * PT_MS);
    cr_assert_eq(q->len, 1);
    cr_assert_eq(gre_acks_only[0], 1);
    gre_run(200 * PT_MS);
    cr_assert_eq(gre[1].rx_ack_only, 1);
    cr_assert_eq(gre[1].tx_acked, 0);
}

Test(gre, window_holds_back)
{
    uint8_t ppp[4] = {0xff, 0x03, 0x00, 0x21};
    for (int i = 0; i < 6; i++)
        pgre_send(&gre[0], 0, ppp, sizeof ppp);
    cr_assert_eq(q->len, 4, "window of 4");
    cr_assert_eq(gre[0].qlen, 2);
    gre_run(0);
    pgre_timer(&gre[1], PT_SEC); /* ack-only for all four */
    gre_run(PT_SEC);
    cr_assert_eq(gre[0].qlen, 0, "the ack opened the window");
    gre_run(PT_SEC);
    cr_assert_eq(gre_delivered[1], 6);
}

Test(gre, duplicates_dropped_late_delivered)
{
    uint8_t ppp[4] = {0xff, 0x03, 0x00, 0x21};
    pgre_send(&gre[1], 0, ppp, sizeof ppp); /* seq 0 */
    pgre_send(&gre[1], 0, ppp, sizeof ppp); /* seq 1 */
    /* deliver 1, 0, 1 */
    pgre_input(&gre[0], 0, q->m[1].b, q->m[1].n);
    pgre_input(&gre[0], 0, q->m[0].b, q->m[0].n);
    pgre_input(&gre[0], 0, q->m[1].b, q->m[1].n);
    cr_assert_eq(gre_delivered[0], 2);
    cr_assert_eq(gre[0].rx_late, 1);
    cr_assert_eq(gre[0].rx_dup, 1);
}

/* ---- PPP engine --------------------------------------------------------------------- */

static pppe ppp[2];
static mschap_crypto *cx;
static int ppp_events[2][16];
static int ip_rcvd[2];
static uint8_t last_ip[2][1600];
static size_t last_ip_len[2];
static int chap_codes_seen[8];
static char failure_text[256];

static void ppp_out(void *ctx, pppe *e, const uint8_t *p, size_t n)
{
    (void)e;
    int me = (int)(intptr_t)ctx;
    /* peek at CHAP to check what goes over the wire */
    cursor c, info;
    cursor_init_exact(&c, p, n);
    struct ppp_frame f;
    if (ppp_decode(&c, &f, &info, NULL) == DEC_OK && f.protocol == PPP_PROTO_CHAP) {
        chap_msg m;
        if (chap_decode(&info, &m, NULL) == DEC_OK && m.code < 8) {
            chap_codes_seen[m.code]++;
            if (m.code == CHAP_FAILURE) {
                size_t k = m.message_len < sizeof failure_text - 1 ? m.message_len : sizeof failure_text - 1;
                memcpy(failure_text, m.message, k);
                failure_text[k] = '\0';
            }
        }
    }
    q_push(1 - me, p, n);
}

static void ppp_ip(void *ctx, pppe *e, const uint8_t *p, size_t n)
{
    (void)e;
    int me = (int)(intptr_t)ctx;
    ip_rcvd[me]++;
    memcpy(last_ip[me], p, n);
    last_ip_len[me] = n;
}

static void ppp_event(void *ctx, pppe *e, int ev)
{
    (void)e;
    ppp_events[(int)(intptr_t)ctx][ev]++;
}

static ptime ppp_now;

static void ppp_run(void)
{
    for (int guard = 0; guard < 100000; guard++) {
        if (q->len) {
            int i = q->head;
            q->head = (q->head + 1) % QN;
            q->len--;
            pppe_input(&ppp[q->m[i].to], ppp_now, q->m[i].b, q->m[i].n);
            continue;
        }
        ptime t = pppe_next_timer(&ppp[0]);
        ptime t1 = pppe_next_timer(&ppp[1]);
        if (t1 < t)
            t = t1;
        if (t == PT_NEVER || (pppe_settled(&ppp[0]) && pppe_settled(&ppp[1])))
            return;
        ppp_now = t;
        pppe_timer(&ppp[0], t);
        pppe_timer(&ppp[1], t);
    }
    cr_assert_fail("PPP did not settle");
}

static pppe_cfg pcfg[2];

static void ppp_setup(void)
{
    q = calloc(1, sizeof *q);
    cx = mschap_crypto_new();
    cr_assert_not_null(cx);
    memset(ppp_events, 0, sizeof ppp_events);
    memset(ip_rcvd, 0, sizeof ip_rcvd);
    memset(chap_codes_seen, 0, sizeof chap_codes_seen);
    failure_text[0] = '\0';
    ppp_now = 0;
    pppe_cfg_default(&pcfg[0], PPPE_CLIENT);
    pppe_cfg_default(&pcfg[1], PPPE_SERVER);
    /* server: user table, addresses */
    snprintf(pcfg[1].users[0].name, PPPE_NAME_MAX, "alice");
    snprintf(pcfg[1].users[0].password, PPPE_NAME_MAX, "s3cret");
    pcfg[1].n_users = 1;
    pcfg[1].ip_local = 0xc0a86401;  /* 192.168.100.1 */
    pcfg[1].ip_assign = 0xc0a8640a; /* 192.168.100.10 */
    pcfg[1].dns[0] = 0x08080808;
    pcfg[1].dns[1] = 0x08080404;
    /* client */
    snprintf(pcfg[0].login, PPPE_NAME_MAX, "CORP\\alice");
    snprintf(pcfg[0].attempts[0], PPPE_NAME_MAX, "s3cret");
    pcfg[0].n_attempts = 1;
    pcfg[0].req_dns = pcfg[0].req_nbns = true;
}

static void ppp_teardown(void)
{
    pppe_free(&ppp[0]);
    pppe_free(&ppp[1]);
    mschap_crypto_free(cx);
    free(q);
}

static void set_auth(int m)
{
    pcfg[1].auth_offer[0] = m;
    pcfg[1].n_auth_offer = m == PAUTH_NONE ? 0 : 1;
    pcfg[0].auth_accept = 1u << m;
}

static void ppp_go(void)
{
    pppe_init(&ppp[0], PPPE_CLIENT, &pcfg[0], cx, 1, ppp_out, ppp_ip, ppp_event, (void *)(intptr_t)0);
    pppe_init(&ppp[1], PPPE_SERVER, &pcfg[1], cx, 2, ppp_out, ppp_ip, ppp_event, (void *)(intptr_t)1);
    pppe_start(&ppp[1], 0);
    pppe_start(&ppp[0], 0);
    ppp_run();
}

static void ping(int from)
{
    ipd_spec s = {.kind = IPD_ICMP_ECHO, .size = 100, .ident = 1, .seq = 1};
    s.src = from == 0 ? ppp[0].ip_addr : ppp[1].ip_addr;
    s.dst = from == 0 ? ppp[1].ip_addr : ppp[0].ip_addr;
    uint8_t pkt[200];
    size_t n = ipd_build(&s, pkt, sizeof pkt);
    cr_assert_eq(n, 100);
    int before = ip_rcvd[1 - from];
    cr_assert(pppe_send_ip(&ppp[from], ppp_now, pkt, n));
    ppp_run();
    cr_assert_eq(ip_rcvd[1 - from], before + 1);
    cr_assert_eq(last_ip_len[1 - from], n);
    cr_assert_eq(memcmp(last_ip[1 - from], pkt, n), 0, "decrypted packet equals what was sent");
}

TestSuite(ppp, .init = ppp_setup, .fini = ppp_teardown);

Test(ppp, mschapv2_mppe128_ipcp)
{
    set_auth(PAUTH_MSCHAPV2);
    pcfg[0].mppe_bits = pcfg[1].mppe_bits = 128;
    pcfg[0].mppe_stateless = pcfg[1].mppe_stateless = true;
    pcfg[0].mppe_offer_all = true;
    ppp_go();
    cr_assert_eq(ppp_events[0][PPPE_EV_AUTH_OK], 1);
    cr_assert_eq(ppp_events[1][PPPE_EV_AUTH_OK], 1);
    cr_assert_eq(ppp_events[0][PPPE_EV_NET_UP], 1);
    cr_assert(ppp[0].mppe_up && ppp[1].mppe_up);
    cr_assert_eq(ppp[0].mppe_agreed, CCP_MPPE_H | CCP_MPPE_S);
    cr_assert_geq(ppp[0].ccp.naks_rcvd, 1, "client offered every strength, server Nak'd to one");
    cr_assert_eq(ppp[0].ip_addr, 0xc0a8640a, "address assigned by Nak");
    cr_assert_eq(ppp[0].dns[0], 0x08080808);
    cr_assert_eq(ppp[0].dns[1], 0x08080404);
    cr_assert_not(ppp[0].ipcp_want_nbns[0], "no WINS on the server: NBNS rejected");
    cr_assert_eq(ppp[0].ip_peer, 0xc0a86401);
    cr_assert_str_eq(ppp[1].auth.user, "CORP\\alice");
    ping(0);
    ping(1);
}

Test(ppp, mschapv2_wrong_password_gets_691_then_retry_succeeds)
{
    set_auth(PAUTH_MSCHAPV2);
    snprintf(pcfg[0].attempts[0], PPPE_NAME_MAX, "wrong");
    snprintf(pcfg[0].attempts[1], PPPE_NAME_MAX, "s3cret");
    pcfg[0].n_attempts = 2;
    pcfg[1].auth_retries = 1;
    ppp_go();
    cr_assert_eq(chap_codes_seen[CHAP_FAILURE], 1);
    cr_assert(strstr(failure_text, "E=691 R=1") == failure_text, "failure text: %s", failure_text);
    cr_assert(strstr(failure_text, " V=3") != NULL);
    cr_assert_eq(chap_codes_seen[CHAP_RESPONSE], 2);
    cr_assert_eq(chap_codes_seen[CHAP_SUCCESS], 1);
    cr_assert_eq(ppp[1].auth.state, PA_SUCCESS);
    cr_assert_eq(ppp[0].auth.state, PA_SUCCESS);
    cr_assert_eq(ppp_events[0][PPPE_EV_NET_UP], 1);
}

Test(ppp, mschapv2_wrong_password_no_retry_terminates)
{
    set_auth(PAUTH_MSCHAPV2);
    snprintf(pcfg[0].attempts[0], PPPE_NAME_MAX, "wrong");
    ppp_go();
    cr_assert(strstr(failure_text, "E=691 R=0") == failure_text, "failure text: %s", failure_text);
    cr_assert_eq(ppp[1].auth.state, PA_FAILED);
    cr_assert_eq(ppp_events[1][PPPE_EV_DOWN], 1, "server terminated LCP");
    cr_assert_str_eq(ppp[0].lcp.peer_reason, "Authentication failed");
    cr_assert_eq(ppp_events[0][PPPE_EV_NET_UP], 0);
}

Test(ppp, mschapv1_mppe40_stateful)
{
    set_auth(PAUTH_MSCHAPV1);
    pcfg[0].mppe_bits = pcfg[1].mppe_bits = 40;
    pcfg[0].mppe_offer_all = true;
    ppp_go();
    cr_assert(ppp[0].mppe_up && ppp[1].mppe_up);
    cr_assert_eq(ppp[1].mppe_agreed, CCP_MPPE_L);
    ping(0);
    ping(1);
    ping(0);
}

Test(ppp, mppe_stateful_loss_resets)
{
    set_auth(PAUTH_MSCHAPV2);
    pcfg[0].mppe_bits = pcfg[1].mppe_bits = 128;
    ppp_go();
    ping(0);
    /* lose one encrypted packet from the client */
    ipd_spec s = {.kind = IPD_UDP, .size = 60, .sport = 1, .dport = 2};
    s.src = ppp[0].ip_addr;
    s.dst = ppp[1].ip_addr;
    uint8_t pkt[200];
    size_t n = ipd_build(&s, pkt, sizeof pkt);
    cr_assert(pppe_send_ip(&ppp[0], 0, pkt, n));
    q->len = 0; /* dropped */
    cr_assert(pppe_send_ip(&ppp[0], 0, pkt, n));
    ppp_run();
    cr_assert_eq(ppp[1].mppe_resets_sent, 1, "receiver asked for a reset");
    cr_assert_eq(ppp[0].mppe_resets_rcvd, 1);
    ping(0); /* flushed packet resynchronises */
}

Test(ppp, chap_md5_retry)
{
    set_auth(PAUTH_CHAP_MD5);
    snprintf(pcfg[0].login, PPPE_NAME_MAX, "alice");
    snprintf(pcfg[0].attempts[0], PPPE_NAME_MAX, "nope");
    snprintf(pcfg[0].attempts[1], PPPE_NAME_MAX, "s3cret");
    pcfg[0].n_attempts = 2;
    pcfg[1].auth_retries = 1;
    ppp_go();
    cr_assert_eq(chap_codes_seen[CHAP_CHALLENGE], 2, "a fresh challenge after the failure");
    cr_assert_eq(chap_codes_seen[CHAP_FAILURE], 1);
    cr_assert_eq(chap_codes_seen[CHAP_SUCCESS], 1);
    cr_assert_eq(ppp_events[0][PPPE_EV_NET_UP], 1);
    ping(0);
}

Test(ppp, pap_and_eap_md5)
{
    set_auth(PAUTH_PAP);
    snprintf(pcfg[0].login, PPPE_NAME_MAX, "alice");
    ppp_go();
    cr_assert_eq(ppp[1].auth.state, PA_SUCCESS);
    cr_assert_str_eq(ppp[1].auth.user, "alice");
    pppe_free(&ppp[0]);
    pppe_free(&ppp[1]);

    memset(ppp_events, 0, sizeof ppp_events);
    set_auth(PAUTH_EAP_MD5);
    ppp_go();
    cr_assert_eq(ppp[1].auth.state, PA_SUCCESS);
    cr_assert_eq(ppp_events[0][PPPE_EV_NET_UP], 1);
}

Test(ppp, eap_md5_wrong_password_fails)
{
    set_auth(PAUTH_EAP_MD5);
    snprintf(pcfg[0].attempts[0], PPPE_NAME_MAX, "bad");
    ppp_go();
    cr_assert_eq(ppp[1].auth.state, PA_FAILED);
    cr_assert_eq(ppp[0].auth.state, PA_FAILED);
}

Test(ppp, lcp_nak_auth_and_reject_callback)
{
    /* server offers EAP first; the client only does MS-CHAPv2 and Naks */
    pcfg[1].auth_offer[0] = PAUTH_EAP_MD5;
    pcfg[1].auth_offer[1] = PAUTH_MSCHAPV2;
    pcfg[1].n_auth_offer = 2;
    pcfg[0].auth_accept = 1u << PAUTH_MSCHAPV2;
    pcfg[0].req_callback = true;
    pcfg[0].callback_op = 6;
    pcfg[0].req_pfc = pcfg[0].req_acfc = true;
    pcfg[1].reject_opts = 1u << LCP_OPT_CALLBACK;
    pcfg[1].max_peer_mru = 1300;
    ppp_go();
    cr_assert_eq(ppp[1].auth_method, PAUTH_MSCHAPV2);
    cr_assert_eq(ppp[0].auth_method, PAUTH_MSCHAPV2);
    cr_assert_eq(ppp[1].lcp.naks_rcvd, 1);
    cr_assert(ppp[0].lcp_rejected_by_peer & (1u << LCP_OPT_CALLBACK));
    cr_assert_eq(ppp[1].peer_mru, 1300, "client's MRU Nak'd down");
    cr_assert(ppp[1].tx_acfc && ppp[1].tx_pfc, "server compresses toward the client");
    cr_assert_not(ppp[0].tx_acfc, "server did not ask for ACFC");
    cr_assert_eq(ppp_events[0][PPPE_EV_NET_UP], 1);
}

Test(ppp, ipv6cp_one_side_is_protocol_rejected)
{
    set_auth(PAUTH_NONE);
    pcfg[0].ipv6cp = true;
    ppp_go();
    cr_assert_eq(ppp[1].proto_rejects_sent, 1);
    cr_assert_eq(ppp[0].ipv6cp.state, CPS_STOPPED);
    cr_assert_eq(ppp_events[0][PPPE_EV_NET_UP], 1);

    pppe_free(&ppp[0]);
    pppe_free(&ppp[1]);
    memset(ppp_events, 0, sizeof ppp_events);
    pcfg[1].ipv6cp = true;
    ppp_go();
    cr_assert(cpfsm_is_open(&ppp[0].ipv6cp) && cpfsm_is_open(&ppp[1].ipv6cp));
    cr_assert_eq(memcmp(ppp[0].peer_ifid, ppp[1].ifid, 8), 0);
}

Test(ppp, lcp_echo_and_terminate)
{
    set_auth(PAUTH_NONE);
    ppp_go();
    cr_assert(pppe_lcp_echo(&ppp[0], ppp_now));
    ppp_run();
    cr_assert_eq(ppp[0].echo_rcvd, 1);
    pppe_close(&ppp[0], ppp_now, "User request");
    ppp_run();
    cr_assert_eq(ppp[0].lcp.state, CPS_CLOSED);
    cr_assert_str_eq(ppp[1].lcp.peer_reason, "User request");
    /* the receiver waits one restart period in Stopping, then finishes */
    cr_assert_eq(ppp[1].lcp.state, CPS_STOPPED);
    cr_assert_eq(ppp_events[0][PPPE_EV_DOWN], 1);
    cr_assert_eq(ppp_events[1][PPPE_EV_DOWN], 1);
}
