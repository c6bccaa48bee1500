/* test_pppneg.c - the per-call PPP negotiation tracker (sensor/pppneg.h): full
 * LCP / authentication / CCP-MPPE / IPCP / IPV6CP negotiations built with the
 * decoders' encoders, the event fields they yield, secrets kept out of events,
 * truncated and random frames, and five real captures (../shared/pcaps/external). */
#define _GNU_SOURCE /* memmem */
#include <arpa/inet.h>
#include <criterion/criterion.h>
#include <pcap/pcap.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ccp.h"
#include "chap.h"
#include "dispatch.h"
#include "eap.h"
#include "ipcp.h"
#include "ipv6cp.h"
#include "json.h"
#include "lcp.h"
#include "mppe.h"
#include "mschap.h"
#include "pap.h"
#include "ppp.h"
#include "pppneg.h"
#include "test_env.h"
#include "ppp_frames.h"

enum { C = PPPNEG_CLIENT, S = PPPNEG_SERVER };

static struct pppneg N;
static anomaly_set AN;
static ev E;
static char JSON[EV_JSON_MAX];

static void setup(void)
{
    pppneg_init(&N);
    anomaly_clear(&AN);
    ev_reset(&E);
}

TestSuite(pppneg, .init = setup);

/* A frame as the sensor hands it over: a heap copy of exactly len bytes (so
 * ASan sees any over-read), open ended like a capture. */
static unsigned feed_mode(int dir, uint16_t proto, const uint8_t *b, size_t len, bool exact)
{
    uint8_t *copy = malloc(len ? len : 1);
    cr_assert_not_null(copy);
    if (len)
        memcpy(copy, b, len);
    cursor c;
    if (exact)
        cursor_init_exact(&c, copy, len);
    else
        cursor_init(&c, copy, len);
    unsigned due = pppneg_frame(&N, dir, proto, &c, &AN);
    free(copy);
    return due;
}

static unsigned feed(int dir, uint16_t proto, const uint8_t *b, size_t len) { return feed_mode(dir, proto, b, len, false); }

static const char *json_of(const ev *e)
{
    cr_assert_gt(ev_to_json(e, JSON, sizeof JSON), 0);
    return JSON;
}

static uint64_t get_u(const ev *e, const char *k)
{
    uint64_t v = 0;
    cr_assert(ev_get_uint(e, k, &v), "missing %s", k);
    return v;
}

static bool get_b(const ev *e, const char *k)
{
    bool v = false;
    cr_assert(ev_get_bool(e, k, &v), "missing %s", k);
    return v;
}

static void assert_str(const ev *e, const char *k, const char *want)
{
    const char *v = ev_get_str(e, k, NULL);
    cr_assert_not_null(v, "missing %s", k);
    cr_assert_str_eq(v, want, "%s", k);
}

static bool contains(const char *hay, const char *needle) { return strstr(hay, needle) != NULL; }

/* ---- builders --------------------------------------------------------------- */

static frame lcp_frame_of(uint8_t code, uint8_t id, const lcp_options *o, const cp_option_list *raw)
{
    lcp_packet p;
    memset(&p, 0, sizeof p);
    p.cp.code = code;
    p.cp.id = id;
    if (o)
        p.opts = *o;
    if (raw)
        p.cp.options = *raw;
    frame f;
    wbuf w;
    wbuf_init(&w, f.b, sizeof f.b);
    cr_assert(lcp_encode(&w, &p));
    f.n = wbuf_len(&w);
    return f;
}

static frame lcp_data_frame(uint8_t code, uint8_t id, const char *data)
{
    lcp_packet p;
    memset(&p, 0, sizeof p);
    p.cp.code = code;
    p.cp.id = id;
    p.data = (const uint8_t *)data;
    p.data_len = data ? strlen(data) : 0;
    if (code == CP_ECHO_REQ || code == CP_ECHO_REPLY)
        p.magic = 0x11223344;
    frame f;
    wbuf w;
    wbuf_init(&w, f.b, sizeof f.b);
    cr_assert(lcp_encode(&w, &p));
    f.n = wbuf_len(&w);
    return f;
}

static lcp_options client_lcp(void)
{
    lcp_options o;
    memset(&o, 0, sizeof o);
    o.has_mru = true;
    o.mru = 1400;
    o.has_magic = true;
    o.magic = 0x6f023e93;
    o.pfc = o.acfc = true;
    return o;
}

static lcp_options server_lcp(uint16_t auth, uint8_t alg)
{
    lcp_options o;
    memset(&o, 0, sizeof o);
    if (auth) {
        o.has_auth = true;
        o.auth_protocol = auth;
        o.auth_algorithm = alg;
    }
    o.has_magic = true;
    o.magic = 0x89901122;
    o.pfc = o.acfc = true;
    return o;
}

/* Client and server open LCP in one round; the server asks for auth/alg. */
static void open_lcp(uint16_t auth, uint8_t alg)
{
    lcp_options co = client_lcp(), so = server_lcp(auth, alg);
    frame f = lcp_frame_of(CP_CONF_REQ, 1, &co, NULL);
    cr_assert_eq(feed(C, PPP_PROTO_LCP, f.b, f.n), 0);
    frame g = lcp_frame_of(CP_CONF_REQ, 1, &so, NULL);
    cr_assert_eq(feed(S, PPP_PROTO_LCP, g.b, g.n), 0);
    g.b[0] = CP_CONF_ACK;
    cr_assert_eq(feed(C, PPP_PROTO_LCP, g.b, g.n), 0);
    f.b[0] = CP_CONF_ACK;
    cr_assert_eq(feed(S, PPP_PROTO_LCP, f.b, f.n), PPPNEG_DUE_LCP);
}

static frame ipcp_frame_of(uint8_t code, uint8_t id, const ipcp_options *o)
{
    ipcp_packet p;
    memset(&p, 0, sizeof p);
    p.cp.code = code;
    p.cp.id = id;
    if (o)
        p.opts = *o;
    frame f;
    wbuf w;
    wbuf_init(&w, f.b, sizeof f.b);
    cr_assert(ipcp_encode(&w, &p));
    f.n = wbuf_len(&w);
    return f;
}

static frame ipv6cp_frame_of(uint8_t code, uint8_t id, const uint8_t *ifid)
{
    ipv6cp_packet p;
    memset(&p, 0, sizeof p);
    p.cp.code = code;
    p.cp.id = id;
    if (ifid) {
        p.opts.has_interface_id = true;
        memcpy(p.opts.interface_id, ifid, 8);
    }
    frame f;
    wbuf w;
    wbuf_init(&w, f.b, sizeof f.b);
    cr_assert(ipv6cp_encode(&w, &p));
    f.n = wbuf_len(&w);
    return f;
}

static const uint8_t CHALLENGE16[16] = {0xbe, 0x18, 0x73, 0x45, 0x07, 0xca, 0x5a, 0x24,
                                        0x28, 0xa2, 0xd1, 0x8a, 0xd3, 0xf0, 0x3c, 0xff};

static const char *fmt_failure(char *buf, size_t size, uint32_t code, uint32_t retry, const char *msg)
{
    mschap_failure f;
    memset(&f, 0, sizeof f);
    f.has_error = f.has_retry = f.has_challenge = f.has_version = true;
    f.error = code;
    f.retry = retry;
    f.challenge_len = 16;
    memcpy(f.challenge, CHALLENGE16, 16);
    f.version = 3;
    if (msg) {
        f.has_message = true;
        snprintf(f.message, sizeof f.message, "%s", msg);
        f.message_len = strlen(msg);
    }
    wbuf w;
    wbuf_init(&w, (uint8_t *)buf, size - 1);
    cr_assert(mschap_failure_encode(&w, &f));
    buf[wbuf_len(&w)] = 0;
    return buf;
}

static const char *fmt_success(char *buf, size_t size, const char *msg)
{
    mschapv2_success s;
    memset(&s, 0, sizeof s);
    for (int i = 0; i < 20; i++)
        s.auth_response[i] = (uint8_t)(0x65 + i);
    s.has_message = msg != NULL;
    if (msg) {
        snprintf(s.message, sizeof s.message, "%s", msg);
        s.message_len = strlen(msg);
    }
    wbuf w;
    wbuf_init(&w, (uint8_t *)buf, size - 1);
    cr_assert(mschapv2_success_encode(&w, &s));
    buf[wbuf_len(&w)] = 0;
    return buf;
}

static frame eap_frame_of(uint8_t code, uint8_t id, uint8_t type, const char *text, const uint8_t *value,
                          size_t vlen)
{
    eap_msg m;
    memset(&m, 0, sizeof m);
    m.code = code;
    m.id = id;
    m.type = type;
    if (type == EAP_TYPE_IDENTITY && text) {
        m.text = (const uint8_t *)text;
        m.text_len = strlen(text);
    } else if (type == EAP_TYPE_MD5) {
        m.value = value;
        m.value_size = (uint8_t)vlen;
        if (text) {
            m.name = (const uint8_t *)text;
            m.name_len = strlen(text);
        }
    } else if (value) {
        m.type_data = value;
        m.type_data_len = vlen;
    }
    frame f;
    wbuf w;
    wbuf_init(&w, f.b, sizeof f.b);
    cr_assert(eap_encode(&w, &m));
    f.n = wbuf_len(&w);
    return f;
}

static frame mppe_frame_of(uint16_t cc, bool flushed, bool encrypted)
{
    struct mppe_hdr h = {.flushed = flushed, .encrypted = encrypted, .coherency_count = cc};
    static const uint8_t payload[8] = {1, 2, 3, 4, 5, 6, 7, 8};
    frame f;
    wbuf w;
    wbuf_init(&w, f.b, sizeof f.b);
    cr_assert(mppe_encode(&w, &h, payload, sizeof payload));
    f.n = wbuf_len(&w);
    return f;
}

/* Open CCP with the given bits on both sides (after a Nak round on the client's). */
static void open_ccp(uint32_t bits)
{
    frame f = ccp_frame(CP_CONF_REQ, 1, true, CCP_MPPE_H | CCP_MPPE_S | CCP_MPPE_M | CCP_MPPE_L);
    cr_assert_eq(feed(C, PPP_PROTO_CCP, f.b, f.n), 0);
    frame s = ccp_frame(CP_CONF_REQ, 1, true, bits);
    cr_assert_eq(feed(S, PPP_PROTO_CCP, s.b, s.n), 0);
    frame nak = ccp_frame(CP_CONF_NAK, 1, true, bits);
    cr_assert_eq(feed(S, PPP_PROTO_CCP, nak.b, nak.n), 0);
    s.b[0] = CP_CONF_ACK;
    cr_assert_eq(feed(C, PPP_PROTO_CCP, s.b, s.n), 0);
    frame f2 = ccp_frame(CP_CONF_REQ, 2, true, bits);
    cr_assert_eq(feed(C, PPP_PROTO_CCP, f2.b, f2.n), 0);
    f2.b[0] = CP_CONF_ACK;
    cr_assert_eq(feed(S, PPP_PROTO_CCP, f2.b, f2.n), PPPNEG_DUE_MPPE);
}

/* ---- LCP -------------------------------------------------------------------- */

Test(pppneg, lcp_nak_reject_rounds_then_open_once)
{
    /* Client asks MRU 1400, magic, PFC, ACFC and Callback; server asks PAP. */
    lcp_options co = client_lcp();
    cp_option_list cb;
    memset(&cb, 0, sizeof cb);
    const uint8_t cb_val[1] = {6};
    cr_assert(cp_option_list_add(&cb, LCP_OPT_CALLBACK, cb_val, 1));
    frame c1 = lcp_frame_of(CP_CONF_REQ, 1, &co, &cb);
    cr_assert_eq(feed(C, PPP_PROTO_LCP, c1.b, c1.n), 0);
    lcp_options so = server_lcp(LCP_AUTH_PAP, 0);
    frame s1 = lcp_frame_of(CP_CONF_REQ, 1, &so, NULL);
    cr_assert_eq(feed(S, PPP_PROTO_LCP, s1.b, s1.n), 0);
    /* Client Naks PAP, proposing MS-CHAPv2; server rejects Callback. */
    lcp_options nak;
    memset(&nak, 0, sizeof nak);
    nak.has_auth = true;
    nak.auth_protocol = LCP_AUTH_CHAP;
    nak.auth_algorithm = LCP_CHAP_MSCHAPV2;
    frame n1 = lcp_frame_of(CP_CONF_NAK, 1, &nak, NULL);
    cr_assert_eq(feed(C, PPP_PROTO_LCP, n1.b, n1.n), 0);
    frame r1 = lcp_frame_of(CP_CONF_REJ, 1, NULL, &cb);
    cr_assert_eq(feed(S, PPP_PROTO_LCP, r1.b, r1.n), 0);
    /* Second round. */
    so = server_lcp(LCP_AUTH_CHAP, LCP_CHAP_MSCHAPV2);
    frame s2 = lcp_frame_of(CP_CONF_REQ, 2, &so, NULL);
    cr_assert_eq(feed(S, PPP_PROTO_LCP, s2.b, s2.n), 0);
    frame c2 = lcp_frame_of(CP_CONF_REQ, 2, &co, NULL);
    cr_assert_eq(feed(C, PPP_PROTO_LCP, c2.b, c2.n), 0);
    /* A stale Ack of the first server request (old id) is discarded. */
    frame stale = lcp_frame_of(CP_CONF_ACK, 1, &so, NULL);
    cr_assert_eq(feed(C, PPP_PROTO_LCP, stale.b, stale.n), 0);
    cr_assert_eq(N.lcp[S].acked, 0);
    /* An Ack with the right id but other options is discarded too. */
    lcp_options other = server_lcp(LCP_AUTH_PAP, 0);
    frame wrong = lcp_frame_of(CP_CONF_ACK, 2, &other, NULL);
    cr_assert_eq(feed(C, PPP_PROTO_LCP, wrong.b, wrong.n), 0);
    cr_assert_eq(N.lcp[S].acked, 0);
    /* The real Acks. */
    s2.b[0] = CP_CONF_ACK;
    cr_assert_eq(feed(C, PPP_PROTO_LCP, s2.b, s2.n), 0);
    cr_assert_eq(N.lcp[S].acked, 1);
    cr_assert_eq(N.lcp_open, 0);
    c2.b[0] = CP_CONF_ACK;
    cr_assert_eq(feed(S, PPP_PROTO_LCP, c2.b, c2.n), PPPNEG_DUE_LCP);
    cr_assert_eq(N.lcp_open, 1);
    /* Duplicate Acks: nothing more. */
    cr_assert_eq(feed(S, PPP_PROTO_LCP, c2.b, c2.n), 0);
    cr_assert_eq(feed(C, PPP_PROTO_LCP, s2.b, s2.n), 0);

    cr_assert_eq(N.lcp_confreqs[C], 2);
    cr_assert_eq(N.lcp_confreqs[S], 2);
    pppneg_fill_lcp(&N, &E);
    cr_assert_eq(get_u(&E, "pptp.lcp.client.mru"), 1400);
    cr_assert_eq(get_u(&E, "pptp.lcp.server.mru"), 1500); /* not asked: the default */
    assert_str(&E, "pptp.lcp.auth_protocol", "mschapv2");
    cr_assert(get_b(&E, "pptp.lcp.acfc"));
    cr_assert(get_b(&E, "pptp.lcp.pfc"));
    cr_assert(get_b(&E, "pptp.lcp.client.acfc"));
    cr_assert(get_b(&E, "pptp.lcp.server.pfc"));
    cr_assert_eq(get_u(&E, "pptp.lcp.client.magic"), 0x6f023e93);
    cr_assert_eq(get_u(&E, "pptp.lcp.server.magic"), 0x89901122);
    assert_str(&E, "pptp.lcp.rejected_options", "Callback");
    cr_assert_eq(get_u(&E, "pptp.lcp.naks"), 1);
    cr_assert_eq(get_u(&E, "pptp.lcp.rejects"), 1);
    cr_assert_eq(get_u(&E, "pptp.lcp.client.config_requests"), 2);
    cr_assert_not(ev_has(&E, "pptp.lcp.client.auth_protocol"));
    const char *j = json_of(&E);
    cr_assert(contains(j, "\"rejected_options\":[\"Callback\"]"), "%s", j);
    cr_assert_eq(ev_dropped(&E), 0);
}

Test(pppneg, lcp_one_sided_compression_and_no_auth)
{
    lcp_options co = client_lcp(), so = server_lcp(0, 0);
    so.pfc = false;
    frame f = lcp_frame_of(CP_CONF_REQ, 7, &co, NULL);
    feed(C, PPP_PROTO_LCP, f.b, f.n);
    frame g = lcp_frame_of(CP_CONF_REQ, 9, &so, NULL);
    feed(S, PPP_PROTO_LCP, g.b, g.n);
    f.b[0] = CP_CONF_ACK;
    g.b[0] = CP_CONF_ACK;
    cr_assert_eq(feed(S, PPP_PROTO_LCP, f.b, f.n), 0);
    cr_assert_eq(feed(C, PPP_PROTO_LCP, g.b, g.n), PPPNEG_DUE_LCP);
    pppneg_fill_lcp(&N, &E);
    cr_assert_not(get_b(&E, "pptp.lcp.pfc"));
    cr_assert(get_b(&E, "pptp.lcp.client.pfc"));
    cr_assert_not(get_b(&E, "pptp.lcp.server.pfc"));
    cr_assert(get_b(&E, "pptp.lcp.acfc"));
    cr_assert_not(ev_has(&E, "pptp.lcp.auth_protocol"));
    cr_assert_not(ev_has(&E, "pptp.lcp.rejected_options"));
    char buf[32];
    cr_assert_null(pppneg_auth_method(&N, buf, sizeof buf));
}

Test(pppneg, lcp_ack_without_request_seen_is_taken)
{
    /* Capture started after the requests: the Acks alone open LCP. */
    lcp_options co = client_lcp(), so = server_lcp(LCP_AUTH_CHAP, LCP_CHAP_MD5);
    frame a = lcp_frame_of(CP_CONF_ACK, 3, &co, NULL);
    cr_assert_eq(feed(S, PPP_PROTO_LCP, a.b, a.n), 0);
    frame b = lcp_frame_of(CP_CONF_ACK, 4, &so, NULL);
    cr_assert_eq(feed(C, PPP_PROTO_LCP, b.b, b.n), PPPNEG_DUE_LCP);
    cr_assert_eq(N.lcp[C].mru, 1400);
    cr_assert_eq(N.lcp[S].auth_proto, LCP_AUTH_CHAP);
    char buf[32];
    cr_assert_str_eq(pppneg_auth_method(&N, buf, sizeof buf), "chap-md5");
}

Test(pppneg, lcp_renegotiation_reports_again_up_to_the_cap)
{
    open_lcp(LCP_AUTH_CHAP, LCP_CHAP_MSCHAPV2);
    /* IPCP opened under the first LCP goes down with a renegotiation. */
    ipcp_options io;
    memset(&io, 0, sizeof io);
    io.has_address = true;
    io.address = 0x0a000001;
    frame i1 = ipcp_frame_of(CP_CONF_ACK, 1, &io);
    feed(C, PPP_PROTO_IPCP, i1.b, i1.n);
    feed(S, PPP_PROTO_IPCP, i1.b, i1.n);
    cr_assert_eq(N.ipcp_open, 1);
    unsigned reports = 1;
    for (int round = 0; round < 2 * PPPNEG_MAX_REPORTS; round++) {
        lcp_options co = client_lcp(), so = server_lcp(LCP_AUTH_CHAP, LCP_CHAP_MSCHAPV2);
        co.mru = (uint16_t)(1300 + round);
        frame f = lcp_frame_of(CP_CONF_REQ, (uint8_t)(10 + round), &co, NULL);
        cr_assert_eq(feed(C, PPP_PROTO_LCP, f.b, f.n), 0);
        cr_assert_eq(N.cp[PPPNEG_CP_IPCP].flags & PPPNEG_CPF_UP, 0);
        frame g = lcp_frame_of(CP_CONF_REQ, (uint8_t)(20 + round), &so, NULL);
        cr_assert_eq(feed(S, PPP_PROTO_LCP, g.b, g.n), 0);
        g.b[0] = CP_CONF_ACK;
        cr_assert_eq(feed(C, PPP_PROTO_LCP, g.b, g.n), 0);
        f.b[0] = CP_CONF_ACK;
        unsigned due = feed(S, PPP_PROTO_LCP, f.b, f.n);
        if (reports < PPPNEG_MAX_REPORTS) {
            cr_assert_eq(due, PPPNEG_DUE_LCP, "round %d", round);
            reports++;
        } else {
            cr_assert_eq(due, 0, "round %d: over the cap", round);
        }
        cr_assert_eq(N.lcp[C].mru, 1300 + round); /* values always follow the latest */
    }
    cr_assert_eq(N.cp[PPPNEG_CP_LCP].reports, PPPNEG_MAX_REPORTS);
}

Test(pppneg, lcp_echo_and_protocol_reject)
{
    for (int i = 0; i < 3; i++) {
        frame q = lcp_data_frame(CP_ECHO_REQ, (uint8_t)i, NULL);
        cr_assert_eq(feed(S, PPP_PROTO_LCP, q.b, q.n), 0);
        frame r = lcp_data_frame(CP_ECHO_REPLY, (uint8_t)i, NULL);
        cr_assert_eq(feed(C, PPP_PROTO_LCP, r.b, r.n), 0);
    }
    cr_assert_eq(N.lcp_echo_req[S], 3);
    cr_assert_eq(N.lcp_echo_rep[C], 3);
    cr_assert_eq(N.lcp_echo_req[C], 0);
    lcp_packet p;
    memset(&p, 0, sizeof p);
    p.cp.code = CP_PROTO_REJ;
    p.cp.id = 2;
    p.rejected_protocol = PPP_PROTO_IPV6CP;
    frame f;
    wbuf w;
    wbuf_init(&w, f.b, sizeof f.b);
    cr_assert(lcp_encode(&w, &p));
    f.n = wbuf_len(&w);
    feed(S, PPP_PROTO_LCP, f.b, f.n);
    cr_assert_eq(N.lcp_proto_rejected, PPPNEG_PREJ_IPV6CP);
    p.rejected_protocol = PPP_PROTO_CCP;
    wbuf_init(&w, f.b, sizeof f.b);
    cr_assert(lcp_encode(&w, &p));
    f.n = wbuf_len(&w);
    feed(C, PPP_PROTO_LCP, f.b, f.n);
    cr_assert_eq(N.ccp_rejected, 1);
    pppneg_fill_summary(&N, &E);
    cr_assert_eq(get_u(&E, "pptp.lcp.echo_requests"), 3);
}

Test(pppneg, lcp_terminate_request_and_ack)
{
    open_lcp(LCP_AUTH_PAP, 0);
    frame t = lcp_data_frame(CP_TERM_REQ, 5, "  User\trequest \x01\xff ");
    cr_assert_eq(feed(C, PPP_PROTO_LCP, t.b, t.n), PPPNEG_DUE_LCP_TERMINATE);
    cr_assert_eq(N.lcp_terminated, 1 + PPPNEG_CLIENT);
    cr_assert_str_eq(N.terminate_reason, "User?request ??");
    /* Retransmission: no second event. */
    cr_assert_eq(feed(C, PPP_PROTO_LCP, t.b, t.n), 0);
    frame a = lcp_data_frame(CP_TERM_ACK, 5, NULL);
    cr_assert_eq(feed(S, PPP_PROTO_LCP, a.b, a.n), PPPNEG_DUE_LCP_TERMINATE_ACK);
    cr_assert_eq(feed(S, PPP_PROTO_LCP, a.b, a.n), 0);
    cr_assert_eq(N.lcp_open, 1); /* sticky: LCP did open in this call */
    cr_assert_eq(N.cp[PPPNEG_CP_LCP].flags & PPPNEG_CPF_UP, 0);
}

Test(pppneg, lcp_terminate_ack_alone_is_not_due)
{
    frame a = lcp_data_frame(CP_TERM_ACK, 1, NULL);
    cr_assert_eq(feed(S, PPP_PROTO_LCP, a.b, a.n), 0);
    frame t = lcp_data_frame(CP_TERM_REQ, 2, NULL);
    cr_assert_eq(feed(S, PPP_PROTO_LCP, t.b, t.n), PPPNEG_DUE_LCP_TERMINATE);
    cr_assert_eq(N.lcp_terminated, 1 + PPPNEG_SERVER);
    cr_assert_str_eq(N.terminate_reason, "");
    cr_assert_eq(feed(C, PPP_PROTO_LCP, a.b, a.n), PPPNEG_DUE_LCP_TERMINATE_ACK);
}

Test(pppneg, lcp_malformed_is_an_anomaly_and_ignored)
{
    const uint8_t bad[] = {CP_CONF_ACK, 1, 0, 2}; /* Length < 4 */
    cr_assert_eq(feed(S, PPP_PROTO_LCP, bad, sizeof bad), 0);
    cr_assert(anomaly_has(&AN, anomaly_by_name("ppp.lcp.bad_length")));
    const uint8_t badopt[] = {CP_CONF_ACK, 1, 0, 6, LCP_OPT_MRU, 1};
    cr_assert_eq(feed_mode(S, PPP_PROTO_LCP, badopt, sizeof badopt, true), 0);
    cr_assert_eq(N.cp[PPPNEG_CP_LCP].flags, 0);
}

/* ---- authentication --------------------------------------------------------- */

Test(pppneg, mschapv2_success_with_domain_user)
{
    open_lcp(LCP_AUTH_CHAP, LCP_CHAP_MSCHAPV2);
    frame ch = chap_frame(CHAP_CHALLENGE, 1, CHALLENGE16, 16, "pptpd", NULL);
    cr_assert_eq(feed(S, PPP_PROTO_CHAP, ch.b, ch.n), 0);
    uint8_t val[49];
    v2_response(val);
    frame rs = chap_frame(CHAP_RESPONSE, 1, val, 49, "CORP\\alice", NULL);
    cr_assert_eq(feed(C, PPP_PROTO_CHAP, rs.b, rs.n), 0);
    cr_assert_eq(N.auth_state, PPPNEG_AUTH_STATE_IN_PROGRESS);
    char text[128];
    frame ok = chap_frame(CHAP_SUCCESS, 1, NULL, 0, NULL, fmt_success(text, sizeof text, "Access granted"));
    cr_assert_eq(feed(S, PPP_PROTO_CHAP, ok.b, ok.n), PPPNEG_DUE_AUTH_SUCCESS);
    /* A retransmitted Response and Success (Success lost): no new attempt, no event. */
    cr_assert_eq(feed(C, PPP_PROTO_CHAP, rs.b, rs.n), 0);
    cr_assert_eq(feed(S, PPP_PROTO_CHAP, ok.b, ok.n), 0);

    pppneg_fill_user(&N, &E);
    pppneg_fill_auth(&N, &E);
    assert_str(&E, "user.name", "alice");
    assert_str(&E, "user.domain", "CORP");
    assert_str(&E, "related.user", "alice");
    assert_str(&E, "pptp.auth.method", "mschapv2");
    assert_str(&E, "pptp.auth.outcome", "success");
    assert_str(&E, "pptp.auth.message", "Access granted");
    cr_assert_eq(get_u(&E, "pptp.auth.attempts"), 1);
    cr_assert_eq(get_u(&E, "pptp.auth.failures"), 0);
    cr_assert_not(ev_has(&E, "pptp.auth.error_code"));
    cr_assert_not(ev_has(&E, "pptp.auth.retry"));
    const char *j = json_of(&E);
    /* Neither the authenticator response, the challenge nor the NT-Response. */
    cr_assert_not(contains(j, "656667"), "%s", j);
    cr_assert_not(contains(j, "S="), "%s", j);
    cr_assert_not(contains(j, "be187345"), "%s", j);
    cr_assert_not(contains(j, "c0c1c2"), "%s", j);
}

Test(pppneg, mschapv2_failure_691_retry_then_success)
{
    open_lcp(LCP_AUTH_CHAP, LCP_CHAP_MSCHAPV2);
    frame ch = chap_frame(CHAP_CHALLENGE, 1, CHALLENGE16, 16, "srv", NULL);
    feed(S, PPP_PROTO_CHAP, ch.b, ch.n);
    uint8_t val[49];
    v2_response(val);
    frame r1 = chap_frame(CHAP_RESPONSE, 1, val, 49, "CORP\\alice", NULL);
    cr_assert_eq(feed(C, PPP_PROTO_CHAP, r1.b, r1.n), 0);
    char text[256];
    frame fail = chap_frame(CHAP_FAILURE, 1, NULL, 0, NULL,
                               fmt_failure(text, sizeof text, 691, 1, "Bad\x01password"));
    cr_assert_eq(feed(S, PPP_PROTO_CHAP, fail.b, fail.n), PPPNEG_DUE_AUTH_FAILURE);
    cr_assert_eq(N.auth_state, PPPNEG_AUTH_STATE_FAILURE);
    pppneg_fill_auth(&N, &E);
    assert_str(&E, "pptp.auth.method", "mschapv2");
    assert_str(&E, "pptp.auth.outcome", "failure");
    cr_assert_eq(get_u(&E, "pptp.auth.error_code"), 691);
    assert_str(&E, "pptp.auth.error", "authentication_failure");
    cr_assert(get_b(&E, "pptp.auth.retry"));
    assert_str(&E, "pptp.auth.message", "Bad?password");
    cr_assert_eq(get_u(&E, "pptp.auth.attempts"), 1);
    cr_assert_eq(get_u(&E, "pptp.auth.failures"), 1);
    const char *j = json_of(&E);
    cr_assert_not(contains(j, "BE187345"), "challenge leaked: %s", j);
    cr_assert_not(contains(j, "be187345"), "challenge leaked: %s", j);
    cr_assert_not(contains(j, "C="), "%s", j);
    /* Retry (RFC 2759 section 6): a new Response, no new Challenge. */
    frame r2 = chap_frame(CHAP_RESPONSE, 2, val, 49, "CORP\\alice", NULL);
    cr_assert_eq(feed(C, PPP_PROTO_CHAP, r2.b, r2.n), 0);
    frame ok = chap_frame(CHAP_SUCCESS, 2, NULL, 0, NULL, fmt_success(text, sizeof text, NULL));
    cr_assert_eq(feed(S, PPP_PROTO_CHAP, ok.b, ok.n), PPPNEG_DUE_AUTH_SUCCESS);
    ev_reset(&E);
    pppneg_fill_auth(&N, &E);
    assert_str(&E, "pptp.auth.outcome", "success");
    cr_assert_eq(get_u(&E, "pptp.auth.attempts"), 2);
    cr_assert_eq(get_u(&E, "pptp.auth.failures"), 1);
    cr_assert_not(ev_has(&E, "pptp.auth.error_code")); /* of the earlier attempt */
    cr_assert_not(ev_has(&E, "pptp.auth.message"));
    ev_reset(&E);
    pppneg_fill_summary(&N, &E);
    assert_str(&E, "pptp.auth.outcome", "success");
    assert_str(&E, "pptp.auth.method", "mschapv2");
}

Test(pppneg, mschapv2_without_lcp_is_recognised_on_the_wire)
{
    uint8_t val[49];
    v2_response(val);
    frame r = chap_frame(CHAP_RESPONSE, 9, val, 49, "bob", NULL);
    feed(C, PPP_PROTO_CHAP, r.b, r.n);
    char text[256];
    frame fail = chap_frame(CHAP_FAILURE, 9, NULL, 0, NULL, fmt_failure(text, sizeof text, 649, 0, NULL));
    cr_assert_eq(feed(S, PPP_PROTO_CHAP, fail.b, fail.n), PPPNEG_DUE_AUTH_FAILURE);
    pppneg_fill_auth(&N, &E);
    assert_str(&E, "pptp.auth.method", "mschapv2");
    cr_assert_eq(get_u(&E, "pptp.auth.error_code"), 649);
    assert_str(&E, "pptp.auth.error", "no_dialin_permission");
    cr_assert_not(get_b(&E, "pptp.auth.retry"));
}

Test(pppneg, pap_nak_then_ack_never_leaks_the_password)
{
    open_lcp(LCP_AUTH_PAP, 0);
    static const char *pw1 = "Hunter2Secret", *pw2 = "CorrectHorse99";
    frame q1 = pap_frame(PAP_AUTH_REQ, 1, "EXAMPLE\\bob", pw1, NULL);
    cr_assert_eq(feed(C, PPP_PROTO_PAP, q1.b, q1.n), 0);
    frame nak = pap_frame(PAP_AUTH_NAK, 1, NULL, NULL, "Login incorrect");
    cr_assert_eq(feed(S, PPP_PROTO_PAP, nak.b, nak.n), PPPNEG_DUE_AUTH_FAILURE);
    pppneg_fill_auth(&N, &E);
    assert_str(&E, "pptp.auth.method", "pap");
    assert_str(&E, "pptp.auth.message", "Login incorrect");
    cr_assert_eq(get_u(&E, "pptp.auth.failures"), 1);
    cr_assert_not(ev_has(&E, "pptp.auth.error_code"));
    frame q2 = pap_frame(PAP_AUTH_REQ, 2, "EXAMPLE\\bob", pw2, NULL);
    cr_assert_eq(feed(C, PPP_PROTO_PAP, q2.b, q2.n), 0);
    frame ack = pap_frame(PAP_AUTH_ACK, 2, NULL, NULL, "Login ok");
    cr_assert_eq(feed(S, PPP_PROTO_PAP, ack.b, ack.n), PPPNEG_DUE_AUTH_SUCCESS);
    ev_reset(&E);
    pppneg_fill_user(&N, &E);
    pppneg_fill_auth(&N, &E);
    pppneg_fill_summary(&N, &E);
    pppneg_fill_lcp(&N, &E);
    assert_str(&E, "user.name", "bob");
    assert_str(&E, "user.domain", "EXAMPLE");
    assert_str(&E, "pptp.auth.outcome", "success");
    assert_str(&E, "pptp.auth.message", "Login ok");
    cr_assert_eq(get_u(&E, "pptp.auth.attempts"), 2);
    cr_assert_eq(get_u(&E, "pptp.auth.failures"), 1);
    const char *j = json_of(&E);
    cr_assert_not(contains(j, pw1), "%s", j);
    cr_assert_not(contains(j, pw2), "%s", j);
    cr_assert_not(contains(j, "Hunter"), "%s", j);
    /* Nor anywhere in the tracker's memory. */
    cr_assert_null(memmem(&N, sizeof N, pw1, strlen(pw1)));
    cr_assert_null(memmem(&N, sizeof N, pw2, strlen(pw2)));
}

Test(pppneg, pap_outcome_without_request_counts_an_attempt_once)
{
    frame ack = pap_frame(PAP_AUTH_ACK, 4, NULL, NULL, "");
    cr_assert_eq(feed(S, PPP_PROTO_PAP, ack.b, ack.n), PPPNEG_DUE_AUTH_SUCCESS);
    cr_assert_eq(feed(S, PPP_PROTO_PAP, ack.b, ack.n), 0); /* duplicate */
    cr_assert_eq(N.auth_attempts, 1);
    pppneg_fill_auth(&N, &E);
    cr_assert_not(ev_has(&E, "pptp.auth.message"));
    pppneg_fill_user(&N, &E);
    cr_assert_not(ev_has(&E, "user.name"));
    cr_assert_not(ev_has(&E, "related.user"));
}

Test(pppneg, chap_md5_success_and_wire_guess)
{
    open_lcp(LCP_AUTH_CHAP, LCP_CHAP_MD5);
    frame ch = chap_frame(CHAP_CHALLENGE, 3, CHALLENGE16, 16, "gw", NULL);
    feed(S, PPP_PROTO_CHAP, ch.b, ch.n);
    uint8_t digest[16];
    memset(digest, 0x5a, sizeof digest);
    frame rs = chap_frame(CHAP_RESPONSE, 3, digest, 16, "carol", NULL);
    feed(C, PPP_PROTO_CHAP, rs.b, rs.n);
    frame ok = chap_frame(CHAP_SUCCESS, 3, NULL, 0, NULL, "Welcome in.");
    cr_assert_eq(feed(S, PPP_PROTO_CHAP, ok.b, ok.n), PPPNEG_DUE_AUTH_SUCCESS);
    pppneg_fill_auth(&N, &E);
    pppneg_fill_user(&N, &E);
    assert_str(&E, "pptp.auth.method", "chap-md5");
    assert_str(&E, "pptp.auth.message", "Welcome in.");
    assert_str(&E, "user.name", "carol");
    cr_assert_not(ev_has(&E, "user.domain"));

    /* Without LCP: a 16-byte response value is an MD5 digest. */
    pppneg_init(&N);
    feed(S, PPP_PROTO_CHAP, ch.b, ch.n);
    feed(C, PPP_PROTO_CHAP, rs.b, rs.n);
    frame no = chap_frame(CHAP_FAILURE, 3, NULL, 0, NULL, "Access denied");
    cr_assert_eq(feed(S, PPP_PROTO_CHAP, no.b, no.n), PPPNEG_DUE_AUTH_FAILURE);
    ev_reset(&E);
    pppneg_fill_auth(&N, &E);
    assert_str(&E, "pptp.auth.method", "chap-md5");
    assert_str(&E, "pptp.auth.message", "Access denied");
    cr_assert_not(ev_has(&E, "pptp.auth.error_code"));
}

Test(pppneg, mschapv1_lm_response_is_flagged)
{
    open_lcp(LCP_AUTH_CHAP, LCP_CHAP_MSCHAP);
    frame ch = chap_frame(CHAP_CHALLENGE, 1, CHALLENGE16, 8, "srv", NULL);
    feed(S, PPP_PROTO_CHAP, ch.b, ch.n);
    mschapv1_response r;
    memset(&r, 0, sizeof r);
    memset(r.lm_response, 0x11, sizeof r.lm_response);
    memset(r.nt_response, 0x22, sizeof r.nt_response);
    r.use_nt = 1;
    uint8_t val[49];
    wbuf w;
    wbuf_init(&w, val, sizeof val);
    cr_assert(mschapv1_response_encode(&w, &r));
    frame rs = chap_frame(CHAP_RESPONSE, 1, val, 49, "OLDDOM\\eve", NULL);
    feed(C, PPP_PROTO_CHAP, rs.b, rs.n);
    cr_assert_eq(N.auth_lm_response, 1);
    frame fail = chap_frame(CHAP_FAILURE, 1, NULL, 0, NULL, "E=691 R=0");
    cr_assert_eq(feed(S, PPP_PROTO_CHAP, fail.b, fail.n), PPPNEG_DUE_AUTH_FAILURE);
    pppneg_fill_auth(&N, &E);
    pppneg_fill_user(&N, &E);
    assert_str(&E, "pptp.auth.method", "mschapv1");
    cr_assert(get_b(&E, "pptp.auth.lm_response"));
    cr_assert_eq(get_u(&E, "pptp.auth.error_code"), 691);
    cr_assert_not(get_b(&E, "pptp.auth.retry"));
    assert_str(&E, "user.name", "eve");
    assert_str(&E, "user.domain", "OLDDOM");

    /* An all-zero LM response (NT only) is not flagged. */
    pppneg_init(&N);
    open_lcp(LCP_AUTH_CHAP, LCP_CHAP_MSCHAP);
    memset(r.lm_response, 0, sizeof r.lm_response);
    wbuf_init(&w, val, sizeof val);
    cr_assert(mschapv1_response_encode(&w, &r));
    frame rs0 = chap_frame(CHAP_RESPONSE, 1, val, 49, "eve", NULL);
    feed(C, PPP_PROTO_CHAP, rs0.b, rs0.n);
    cr_assert_eq(N.auth_lm_response, 0);
}

Test(pppneg, eap_identity_md5_success)
{
    open_lcp(LCP_AUTH_EAP, 0);
    frame rq = eap_frame_of(EAP_REQUEST, 1, EAP_TYPE_IDENTITY, NULL, NULL, 0);
    cr_assert_eq(feed(S, PPP_PROTO_EAP, rq.b, rq.n), 0);
    frame id = eap_frame_of(EAP_RESPONSE, 1, EAP_TYPE_IDENTITY, "LAB\\dave", NULL, 0);
    cr_assert_eq(feed(C, PPP_PROTO_EAP, id.b, id.n), 0);
    frame md5q = eap_frame_of(EAP_REQUEST, 2, EAP_TYPE_MD5, "srv", CHALLENGE16, 16);
    cr_assert_eq(feed(S, PPP_PROTO_EAP, md5q.b, md5q.n), 0);
    uint8_t digest[16];
    memset(digest, 0x77, sizeof digest);
    frame md5r = eap_frame_of(EAP_RESPONSE, 2, EAP_TYPE_MD5, "LAB\\dave", digest, 16);
    cr_assert_eq(feed(C, PPP_PROTO_EAP, md5r.b, md5r.n), 0);
    frame ok = eap_frame_of(EAP_SUCCESS, 2, 0, NULL, NULL, 0);
    cr_assert_eq(feed(S, PPP_PROTO_EAP, ok.b, ok.n), PPPNEG_DUE_AUTH_SUCCESS);
    cr_assert_eq(N.eap_type, EAP_TYPE_MD5);
    pppneg_fill_auth(&N, &E);
    pppneg_fill_user(&N, &E);
    assert_str(&E, "pptp.auth.method", "eap-md5");
    assert_str(&E, "user.name", "dave");
    assert_str(&E, "user.domain", "LAB");
    cr_assert_eq(get_u(&E, "pptp.auth.attempts"), 1);
    char buf[32];
    cr_assert_str_eq(pppneg_auth_method(&N, buf, sizeof buf), "eap-md5");
}

Test(pppneg, eap_peap_failure)
{
    frame id = eap_frame_of(EAP_RESPONSE, 1, EAP_TYPE_IDENTITY, "anonymous", NULL, 0);
    feed(C, PPP_PROTO_EAP, id.b, id.n);
    const uint8_t start[1] = {EAP_TLS_FLAG_S};
    frame peap = eap_frame_of(EAP_REQUEST, 2, EAP_TYPE_PEAP, NULL, start, 1);
    feed(S, PPP_PROTO_EAP, peap.b, peap.n);
    frame no = eap_frame_of(EAP_FAILURE, 3, 0, NULL, NULL, 0);
    cr_assert_eq(feed(S, PPP_PROTO_EAP, no.b, no.n), PPPNEG_DUE_AUTH_FAILURE);
    pppneg_fill_auth(&N, &E);
    assert_str(&E, "pptp.auth.method", "eap-peap");
    assert_str(&E, "pptp.auth.outcome", "failure");
    /* Before any method Request, the method is plain "eap". */
    pppneg_init(&N);
    feed(C, PPP_PROTO_EAP, id.b, id.n);
    char buf[32];
    cr_assert_str_eq(pppneg_auth_method(&N, buf, sizeof buf), "eap");
}

Test(pppneg, auth_error_names_follow_the_rfc_constants)
{
    static const uint32_t codes[] = {646, 647, 648, 649, 691, 709};
    for (size_t i = 0; i < sizeof codes / sizeof codes[0]; i++) {
        const char *rfc = mschap_error_name(codes[i]); /* "ERROR_..." */
        const char *mine = pppneg_auth_error_name(codes[i]);
        cr_assert_not_null(mine);
        char low[64];
        size_t k = 0;
        for (const char *p = rfc + strlen("ERROR_"); *p && k + 1 < sizeof low; p++)
            low[k++] = (char)(*p >= 'A' && *p <= 'Z' ? *p + 32 : *p);
        low[k] = 0;
        cr_assert_str_eq(mine, low);
    }
    cr_assert_null(pppneg_auth_error_name(1234));
}

/* ---- CCP / MPPE ------------------------------------------------------------- */

Test(pppneg, mppe_128_stateless)
{
    open_ccp(CCP_MPPE_H | CCP_MPPE_S);
    pppneg_fill_mppe(&N, &E);
    cr_assert_eq(get_u(&E, "pptp.mppe.key_bits"), 128);
    cr_assert(get_b(&E, "pptp.mppe.stateless"));
    cr_assert_not(get_b(&E, "pptp.mppe.compression"));
    cr_assert(get_b(&E, "pptp.mppe.encrypted"));
    assert_str(&E, "pptp.mppe.client.bits", "0x01000040");
    assert_str(&E, "pptp.mppe.server.bits", "0x01000040");
    cr_assert_eq(N.ccp_req_bits[C], CCP_MPPE_H | CCP_MPPE_S);
    /* Stateless data: the key changes every packet, counted, never reported. */
    for (uint16_t cc = 0; cc < 600; cc++) {
        frame d = mppe_frame_of(cc, true, true);
        cr_assert_eq(feed(C, PPP_PROTO_COMP, d.b, d.n), 0);
    }
    cr_assert_eq(N.mppe_rekeys[C], 599);
    cr_assert_eq(N.comp_frames[C], 600);
    ev_reset(&E);
    pppneg_fill_summary(&N, &E);
    cr_assert_eq(get_u(&E, "pptp.mppe.key_bits"), 128);
    cr_assert(get_b(&E, "pptp.mppe.stateless"));
    cr_assert_eq(get_u(&E, "pptp.ppp.encrypted_frames"), 600);
    cr_assert_eq(get_u(&E, "pptp.ppp.unencrypted_frames"), 0);
}

Test(pppneg, mppe_40_stateful_coherency_count_rekeys)
{
    open_ccp(CCP_MPPE_L);
    pppneg_fill_mppe(&N, &E);
    cr_assert_eq(get_u(&E, "pptp.mppe.key_bits"), 40);
    cr_assert_not(get_b(&E, "pptp.mppe.stateless"));
    /* 300 packets from the client: one flag packet (count 0xff) -> one rekey. */
    unsigned events = 0;
    for (uint16_t cc = 0; cc < 300; cc++) {
        frame d = mppe_frame_of(cc, (cc & 0xff) == 0xff, true);
        unsigned due = feed(C, PPP_PROTO_COMP, d.b, d.n);
        if (due) {
            cr_assert_eq(due, PPPNEG_DUE_MPPE_REKEY);
            cr_assert_eq(cc, 0xff);
            events++;
        }
    }
    cr_assert_eq(events, 1);
    ev_reset(&E);
    pppneg_fill_rekey(&N, &E);
    cr_assert_eq(get_u(&E, "pptp.mppe.rekeys"), 1);
    assert_str(&E, "pptp.mppe.rekey.direction", "client");
    assert_str(&E, "pptp.mppe.rekey.trigger", "coherency_count");
    cr_assert_eq(get_u(&E, "pptp.mppe.key_bits"), 40);
    /* Duplicates and late packets do not move the count back. */
    frame late = mppe_frame_of(10, false, true);
    cr_assert_eq(feed(C, PPP_PROTO_COMP, late.b, late.n), 0);
    cr_assert_eq(N.mppe_last_cc[C], 299);
    /* Across the 12-bit wrap: 0xfff is a flag packet. */
    pppneg_init(&N);
    open_ccp(CCP_MPPE_S);
    events = 0;
    for (unsigned i = 0; i < 200; i++) {
        uint16_t cc = (uint16_t)((4000 + i) & MPPE_CC_MASK);
        frame d = mppe_frame_of(cc, (cc & 0xff) == 0xff, true);
        events += feed(S, PPP_PROTO_COMP, d.b, d.n) != 0;
    }
    cr_assert_eq(events, 1);
    cr_assert_eq(N.mppe_rekeys[S], 1);
    cr_assert_eq(N.mppe_rekey_dir, S);
}

Test(pppneg, mppe_stateful_loss_spanning_flag_packets)
{
    open_ccp(CCP_MPPE_S);
    frame a = mppe_frame_of(0x100, false, true);
    feed(C, PPP_PROTO_COMP, a.b, a.n);
    frame b = mppe_frame_of(0x420, false, true); /* lost 0x1ff, 0x2ff, 0x3ff */
    cr_assert_eq(feed(C, PPP_PROTO_COMP, b.b, b.n), PPPNEG_DUE_MPPE_REKEY);
    cr_assert_eq(N.mppe_rekeys[C], 3);
}

Test(pppneg, ccp_reset_request_is_a_rekey)
{
    open_ccp(CCP_MPPE_S);
    frame d0 = mppe_frame_of(1, false, true);
    feed(S, PPP_PROTO_COMP, d0.b, d0.n);
    frame rr = ccp_frame(CP_RESET_REQ, 7, false, 0);
    cr_assert_eq(feed(C, PPP_PROTO_CCP, rr.b, rr.n), PPPNEG_DUE_MPPE_REKEY);
    pppneg_fill_rekey(&N, &E);
    cr_assert_eq(get_u(&E, "pptp.mppe.rekeys"), 1);
    assert_str(&E, "pptp.mppe.rekey.direction", "server"); /* the server's stream is reset */
    assert_str(&E, "pptp.mppe.rekey.trigger", "reset_request");
    cr_assert_eq(N.ccp_reset_req[C], 1);
    /* The server answers with a flushed packet: no second event. */
    frame d1 = mppe_frame_of(2, true, true);
    cr_assert_eq(feed(S, PPP_PROTO_COMP, d1.b, d1.n), 0);
    frame ra = ccp_frame(CP_RESET_ACK, 7, false, 0);
    cr_assert_eq(feed(S, PPP_PROTO_CCP, ra.b, ra.n), 0);
    cr_assert_eq(N.ccp_reset_ack[S], 1);
    /* A flushed packet without any Reset-Request: the sender reset on its own. */
    frame d2 = mppe_frame_of(3, true, true);
    cr_assert_eq(feed(S, PPP_PROTO_COMP, d2.b, d2.n), PPPNEG_DUE_MPPE_REKEY);
    cr_assert_eq(N.mppe_rekey_trigger, PPPNEG_REKEY_FLUSHED);
    cr_assert_eq(N.mppe_rekeys[S], 2);
}

Test(pppneg, ccp_without_mppe_and_mppe_rejected)
{
    frame c = ccp_frame(CP_CONF_REQ, 1, false, 0);
    feed(C, PPP_PROTO_CCP, c.b, c.n);
    frame s = ccp_frame(CP_CONF_REQ, 1, false, 0);
    feed(S, PPP_PROTO_CCP, s.b, s.n);
    s.b[0] = c.b[0] = CP_CONF_ACK;
    cr_assert_eq(feed(C, PPP_PROTO_CCP, s.b, s.n), 0);
    cr_assert_eq(feed(S, PPP_PROTO_CCP, c.b, c.n), 0); /* up, but no MPPE: no event */
    cr_assert_eq(N.ccp_open, 0);
    frame rr = ccp_frame(CP_RESET_REQ, 2, false, 0);
    cr_assert_eq(feed(C, PPP_PROTO_CCP, rr.b, rr.n), 0); /* other compression: not a rekey */
    frame rej = ccp_frame(CP_CONF_REJ, 3, true, CCP_MPPE_S);
    feed(S, PPP_PROTO_CCP, rej.b, rej.n);
    cr_assert_eq(N.ccp_rejected, 1);
}

Test(pppneg, mppe_data_without_ccp_seen_and_clear_frames)
{
    /* Mid-stream: stateless guessed from the A bit, no events. */
    for (uint16_t cc = 0; cc < 300; cc++) {
        frame d = mppe_frame_of(cc, true, true);
        cr_assert_eq(feed(C, PPP_PROTO_COMP, d.b, d.n), 0);
    }
    frame clr = mppe_frame_of(5, false, false); /* MPPC without encryption */
    feed(S, PPP_PROTO_COMP, clr.b, clr.n);
    const uint8_t ip[20] = {0x45};
    feed(C, PPP_PROTO_IP, ip, sizeof ip);
    feed(S, PPP_PROTO_IPV6, ip, sizeof ip);
    feed(S, PPP_PROTO_VJ_COMP, ip, sizeof ip);
    const uint8_t one[1] = {0x90};
    feed(S, PPP_PROTO_COMP, one, 1); /* no header: not counted */
    pppneg_fill_summary(&N, &E);
    cr_assert_eq(get_u(&E, "pptp.ppp.encrypted_frames"), 300);
    cr_assert_eq(get_u(&E, "pptp.ppp.unencrypted_frames"), 4);
    cr_assert_eq(N.ip_frames[C], 1);
    cr_assert_eq(N.ip_frames[S], 2);
    cr_assert_not(ev_has(&E, "pptp.mppe.key_bits"));
    assert_str(&E, "pptp.auth.outcome", "none");
    cr_assert_not(ev_has(&E, "pptp.auth.method"));
}

Test(pppneg, ccp_renegotiation_reports_again)
{
    open_ccp(CCP_MPPE_H | CCP_MPPE_S);
    open_ccp(CCP_MPPE_L); /* a new Configure-Request round after Opened */
    cr_assert_eq(N.mppe_key_bits, 40);
    cr_assert_eq(N.mppe_stateless, 0);
    cr_assert_eq(N.cp[PPPNEG_CP_CCP].reports, 2);
}

/* ---- IPCP / IPV6CP ---------------------------------------------------------- */

Test(pppneg, ipcp_nak_then_ack)
{
    ipcp_options req;
    memset(&req, 0, sizeof req);
    req.has_address = req.has_primary_dns = req.has_secondary_dns = true;
    req.has_primary_nbns = req.has_secondary_nbns = true;
    frame c1 = ipcp_frame_of(CP_CONF_REQ, 1, &req);
    cr_assert_eq(feed(C, PPP_PROTO_IPCP, c1.b, c1.n), 0);
    ipcp_options srv;
    memset(&srv, 0, sizeof srv);
    srv.has_address = true;
    srv.address = 0x0a000001;
    frame s1 = ipcp_frame_of(CP_CONF_REQ, 1, &srv);
    cr_assert_eq(feed(S, PPP_PROTO_IPCP, s1.b, s1.n), 0);
    s1.b[0] = CP_CONF_ACK;
    cr_assert_eq(feed(C, PPP_PROTO_IPCP, s1.b, s1.n), 0);
    ipcp_options sug = req;
    sug.address = 0x0a000064;     /* 10.0.0.100 */
    sug.primary_dns = 0xdf050505; /* 223.5.5.5 */
    sug.secondary_dns = 0xdf060606;
    sug.primary_nbns = 0x0a000005;
    sug.secondary_nbns = 0x0a000006;
    frame nak = ipcp_frame_of(CP_CONF_NAK, 1, &sug);
    cr_assert_eq(feed(S, PPP_PROTO_IPCP, nak.b, nak.n), 0);
    cr_assert_eq(N.ipcp_nak_addr, 0x0a000064);
    frame c2 = ipcp_frame_of(CP_CONF_REQ, 2, &sug);
    cr_assert_eq(feed(C, PPP_PROTO_IPCP, c2.b, c2.n), 0);
    c2.b[0] = CP_CONF_ACK;
    cr_assert_eq(feed(S, PPP_PROTO_IPCP, c2.b, c2.n), PPPNEG_DUE_IPCP);
    cr_assert_eq(feed(S, PPP_PROTO_IPCP, c2.b, c2.n), 0);
    pppneg_fill_ipcp(&N, &E);
    assert_str(&E, "pptp.ipcp.client_ip", "10.0.0.100");
    assert_str(&E, "pptp.ipcp.server_ip", "10.0.0.1");
    assert_str(&E, "pptp.ipcp.suggested_ip", "10.0.0.100");
    const char *j = json_of(&E);
    cr_assert(contains(j, "\"dns\":[\"223.5.5.5\",\"223.6.6.6\"]"), "%s", j);
    cr_assert(contains(j, "\"wins\":[\"10.0.0.5\",\"10.0.0.6\"]"), "%s", j);
    cr_assert(contains(j, "\"related\":{\"ip\":[\"10.0.0.100\",\"10.0.0.1\"]}"), "%s", j);
    ev_reset(&E);
    pppneg_fill_summary(&N, &E);
    assert_str(&E, "pptp.ipcp.client_ip", "10.0.0.100");
}

Test(pppneg, ipcp_terminate_and_reopen)
{
    ipcp_options o;
    memset(&o, 0, sizeof o);
    o.has_address = true;
    o.address = 0xc0a80002;
    frame c = ipcp_frame_of(CP_CONF_REQ, 1, &o);
    frame s = ipcp_frame_of(CP_CONF_REQ, 1, NULL); /* the server asks nothing */
    feed(C, PPP_PROTO_IPCP, c.b, c.n);
    feed(S, PPP_PROTO_IPCP, s.b, s.n);
    c.b[0] = s.b[0] = CP_CONF_ACK;
    feed(C, PPP_PROTO_IPCP, s.b, s.n);
    cr_assert_eq(feed(S, PPP_PROTO_IPCP, c.b, c.n), PPPNEG_DUE_IPCP);
    pppneg_fill_ipcp(&N, &E);
    assert_str(&E, "pptp.ipcp.client_ip", "192.168.0.2");
    cr_assert_not(ev_has(&E, "pptp.ipcp.server_ip"));
    cr_assert_not(ev_has(&E, "pptp.ipcp.dns"));
    frame t = ipcp_frame_of(CP_TERM_REQ, 9, NULL);
    cr_assert_eq(feed(C, PPP_PROTO_IPCP, t.b, t.n), 0);
    cr_assert_eq(N.ipcp_acked[C], 0);
    feed(C, PPP_PROTO_IPCP, s.b, s.n);
    cr_assert_eq(feed(S, PPP_PROTO_IPCP, c.b, c.n), PPPNEG_DUE_IPCP);
}

Test(pppneg, ipv6cp_interface_ids)
{
    const uint8_t cid[8] = {0xa8, 0xdd, 0x1f, 0x39, 0xa6, 0x9e, 0x4f, 0xe0};
    const uint8_t sid[8] = {0, 0, 0, 0, 0, 0, 0, 1};
    frame c = ipv6cp_frame_of(CP_CONF_REQ, 5, cid);
    frame s = ipv6cp_frame_of(CP_CONF_REQ, 1, sid);
    cr_assert_eq(feed(C, PPP_PROTO_IPV6CP, c.b, c.n), 0);
    cr_assert_eq(feed(S, PPP_PROTO_IPV6CP, s.b, s.n), 0);
    c.b[0] = s.b[0] = CP_CONF_ACK;
    cr_assert_eq(feed(S, PPP_PROTO_IPV6CP, c.b, c.n), 0);
    cr_assert_eq(feed(C, PPP_PROTO_IPV6CP, s.b, s.n), PPPNEG_DUE_IPV6CP);
    pppneg_fill_ipv6cp(&N, &E);
    assert_str(&E, "pptp.ipv6cp.client_interface_id", "a8dd:1f39:a69e:4fe0");
    assert_str(&E, "pptp.ipv6cp.server_interface_id", "0000:0000:0000:0001");
}

/* ---- robustness ------------------------------------------------------------- */

/* A complete negotiation as a list of frames. */
typedef struct scripted {
    int dir;
    uint16_t proto;
    frame f;
    bool prefix_quiet; /* no strict prefix may make an event due */
} scripted;

static size_t build_script(scripted *s, size_t cap)
{
    size_t k = 0;
#define ADD(d, p, fr, q) do { cr_assert_lt(k, cap); s[k].dir = (d); s[k].proto = (p); s[k].f = (fr); s[k].prefix_quiet = (q); k++; } while (0)
    lcp_options co = client_lcp(), so = server_lcp(LCP_AUTH_CHAP, LCP_CHAP_MSCHAPV2);
    frame f = lcp_frame_of(CP_CONF_REQ, 1, &co, NULL), g = lcp_frame_of(CP_CONF_REQ, 1, &so, NULL);
    ADD(C, PPP_PROTO_LCP, f, true);
    ADD(S, PPP_PROTO_LCP, g, true);
    g.b[0] = CP_CONF_ACK;
    f.b[0] = CP_CONF_ACK;
    ADD(C, PPP_PROTO_LCP, g, true);
    ADD(S, PPP_PROTO_LCP, f, true);
    ADD(S, PPP_PROTO_CHAP, chap_frame(CHAP_CHALLENGE, 1, CHALLENGE16, 16, "srv", NULL), true);
    static uint8_t val[49];
    v2_response(val);
    ADD(C, PPP_PROTO_CHAP, chap_frame(CHAP_RESPONSE, 1, val, 49, "CORP\\alice", NULL), true);
    static char text[256];
    ADD(S, PPP_PROTO_CHAP, chap_frame(CHAP_FAILURE, 1, NULL, 0, NULL, fmt_failure(text, sizeof text, 691, 1, "no")), true);
    ADD(C, PPP_PROTO_PAP, pap_frame(PAP_AUTH_REQ, 1, "bob", "pw", NULL), true);
    ADD(S, PPP_PROTO_PAP, pap_frame(PAP_AUTH_ACK, 1, NULL, NULL, "ok"), true);
    ADD(C, PPP_PROTO_EAP, eap_frame_of(EAP_RESPONSE, 1, EAP_TYPE_IDENTITY, "x", NULL, 0), true);
    ADD(S, PPP_PROTO_EAP, eap_frame_of(EAP_SUCCESS, 1, 0, NULL, NULL, 0), true);
    frame cc = ccp_frame(CP_CONF_REQ, 1, true, CCP_MPPE_S), sc = ccp_frame(CP_CONF_REQ, 1, true, CCP_MPPE_S);
    ADD(C, PPP_PROTO_CCP, cc, true);
    ADD(S, PPP_PROTO_CCP, sc, true);
    cc.b[0] = sc.b[0] = CP_CONF_ACK;
    ADD(C, PPP_PROTO_CCP, sc, true);
    ADD(S, PPP_PROTO_CCP, cc, true);
    ADD(C, PPP_PROTO_CCP, ccp_frame(CP_RESET_REQ, 2, false, 0), false);
    ipcp_options io;
    memset(&io, 0, sizeof io);
    io.has_address = io.has_primary_dns = true;
    io.address = 0x0a000002;
    io.primary_dns = 0x08080808;
    frame ic = ipcp_frame_of(CP_CONF_REQ, 1, &io), is = ipcp_frame_of(CP_CONF_REQ, 1, NULL);
    ADD(C, PPP_PROTO_IPCP, ic, true);
    ADD(S, PPP_PROTO_IPCP, is, true);
    ADD(S, PPP_PROTO_IPCP, ipcp_frame_of(CP_CONF_NAK, 1, &io), true);
    ic.b[0] = is.b[0] = CP_CONF_ACK;
    ADD(C, PPP_PROTO_IPCP, is, true);
    ADD(S, PPP_PROTO_IPCP, ic, true);
    const uint8_t id[8] = {1, 2, 3, 4, 5, 6, 7, 8};
    frame vc = ipv6cp_frame_of(CP_CONF_REQ, 1, id), vs = ipv6cp_frame_of(CP_CONF_REQ, 1, id);
    ADD(C, PPP_PROTO_IPV6CP, vc, true);
    ADD(S, PPP_PROTO_IPV6CP, vs, true);
    vc.b[0] = vs.b[0] = CP_CONF_ACK;
    ADD(C, PPP_PROTO_IPV6CP, vs, true);
    ADD(S, PPP_PROTO_IPV6CP, vc, true);
    for (uint16_t i = 0; i < 3; i++)
        ADD(C, PPP_PROTO_COMP, mppe_frame_of((uint16_t)(0xfe + i), i == 1, true), false);
    ADD(S, PPP_PROTO_LCP, lcp_data_frame(CP_ECHO_REQ, 1, "echo"), false);
    ADD(C, PPP_PROTO_LCP, lcp_data_frame(CP_TERM_REQ, 2, "bye now"), false);
    ADD(S, PPP_PROTO_LCP, lcp_data_frame(CP_TERM_ACK, 2, NULL), false);
#undef ADD
    return k;
}

Test(pppneg, every_prefix_of_every_frame)
{
    static scripted script[64];
    size_t n = build_script(script, 64);
    for (int exact = 0; exact < 2; exact++) {
        /* Fresh state, and the state reached after the frames before. */
        for (size_t i = 0; i < n; i++) {
            for (size_t len = 0; len < script[i].f.n; len++) {
                pppneg_init(&N);
                for (size_t j = 0; j < i; j++)
                    feed(script[j].dir, script[j].proto, script[j].f.b, script[j].f.n);
                unsigned due = feed_mode(script[i].dir, script[i].proto, script[i].f.b, len, exact);
                if (script[i].prefix_quiet)
                    cr_assert_eq(due, 0, "frame %zu prefix %zu made 0x%x due", i, len, due);
                cr_assert(N.lcp_terminated <= 2);
                cr_assert(N.auth_state <= PPPNEG_AUTH_STATE_FAILURE);
            }
        }
    }
    /* And the whole script makes each event due exactly as expected. */
    pppneg_init(&N);
    unsigned all = 0;
    for (size_t i = 0; i < n; i++)
        all |= feed(script[i].dir, script[i].proto, script[i].f.b, script[i].f.n);
    cr_assert_eq(all, 0x1ff, "all 0x%x", all);
    cr_assert_eq(all, PPPNEG_DUE_LCP | PPPNEG_DUE_AUTH_FAILURE | PPPNEG_DUE_AUTH_SUCCESS | PPPNEG_DUE_MPPE |
                          PPPNEG_DUE_MPPE_REKEY | PPPNEG_DUE_IPCP | PPPNEG_DUE_IPV6CP | PPPNEG_DUE_LCP_TERMINATE |
                          PPPNEG_DUE_LCP_TERMINATE_ACK);
    cr_assert_str_eq(N.terminate_reason, "bye now");
}

Test(pppneg, random_frames_never_crash_and_fill_stays_bounded)
{
    static const uint16_t protos[] = {PPP_PROTO_LCP,  PPP_PROTO_PAP, PPP_PROTO_CHAP, PPP_PROTO_EAP,
                                      PPP_PROTO_IPCP, PPP_PROTO_IPV6CP, PPP_PROTO_CCP, PPP_PROTO_COMP,
                                      PPP_PROTO_IP,   0x4021};
    static scripted script[64];
    size_t n = build_script(script, 64);
    srand(12345);
    for (int iter = 0; iter < 20000; iter++) {
        uint8_t b[96];
        size_t len = (size_t)(rand() % (int)sizeof b);
        if (rand() % 2) { /* mutate a real frame */
            const scripted *s = &script[(size_t)rand() % n];
            len = s->f.n < sizeof b ? s->f.n : sizeof b;
            memcpy(b, s->f.b, len);
            for (int k = 0; k < 3; k++)
                if (len)
                    b[(size_t)rand() % len] = (uint8_t)rand();
        } else {
            for (size_t k = 0; k < len; k++)
                b[k] = (uint8_t)rand();
            if (len > 3) { /* plausible header */
                b[0] = (uint8_t)(1 + rand() % 15);
                b[2] = 0;
                b[3] = (uint8_t)len;
            }
        }
        feed_mode(rand() % 2, protos[(size_t)rand() % (sizeof protos / sizeof protos[0])], b, len, rand() % 2);
        if (iter % 1000 == 0) {
            ev_reset(&E);
            pppneg_fill_lcp(&N, &E);
            pppneg_fill_auth(&N, &E);
            pppneg_fill_user(&N, &E);
            pppneg_fill_mppe(&N, &E);
            pppneg_fill_rekey(&N, &E);
            pppneg_fill_ipcp(&N, &E);
            pppneg_fill_ipv6cp(&N, &E);
            pppneg_fill_summary(&N, &E);
            cr_assert_eq(ev_dropped(&E), 0);
            json_of(&E);
        }
    }
    cr_assert(strlen(N.user) < PPPNEG_USER_MAX);
    cr_assert(strlen(N.auth_message) < PPPNEG_MSG_MAX);
    cr_assert(strlen(N.terminate_reason) < PPPNEG_MSG_MAX);
}

Test(pppneg, null_and_bad_arguments)
{
    static const uint8_t empty[1];
    cursor c;
    cursor_init(&c, empty, 0);
    cr_assert_eq(pppneg_frame(&N, 2, PPP_PROTO_LCP, &c, NULL), 0);
    cr_assert_eq(pppneg_frame(&N, -1, PPP_PROTO_LCP, &c, NULL), 0);
    cr_assert_eq(pppneg_frame(&N, C, PPP_PROTO_LCP, NULL, NULL), 0);
    cr_assert_eq(pppneg_frame(&N, C, PPP_PROTO_LCP, &c, NULL), 0);
}

Test(pppneg, long_user_names_are_cut_on_a_character_boundary)
{
    char name[200];
    memset(name, 'a', sizeof name);
    memcpy(name + PPPNEG_USER_MAX - 3, "\xc3\xa9\xc3\xa9", 4); /* "éé" across the cut */
    name[sizeof name - 1] = 0;
    frame q = pap_frame(PAP_AUTH_REQ, 1, name, "x", NULL);
    feed(C, PPP_PROTO_PAP, q.b, q.n);
    size_t l = strlen(N.user);
    cr_assert_eq(l, PPPNEG_USER_MAX - 3);
    frame q2 = pap_frame(PAP_AUTH_REQ, 2, "ctl\x01\x1b[31m", "x", NULL);
    feed(C, PPP_PROTO_PAP, q2.b, q2.n);
    cr_assert_str_eq(N.user, "ctl??[31m");
}

Test(pppneg, struct_stays_compact)
{
    cr_assert_leq(sizeof(struct pppneg), 450, "struct pppneg is %zu bytes", sizeof(struct pppneg));
}

/* ---- real captures ---------------------------------------------------------- */

/* Events made due while feeding a capture, by PPPNEG_DUE_* bit. */
typedef struct pcap_run {
    unsigned due[9];
    unsigned frames;
} pcap_run;

/* Feed every PPP frame of a capture to N.  The client is the sender of TCP to
 * port 1723; without any, the sender of the first GRE packet (the contract's
 * rule for partial sessions). */
static void feed_pcap(const char *name, pcap_run *r)
{
    char path[1024];
    if (!external_pcap(name, path, sizeof path))
        cr_skip("../shared/pcaps/external/%s absent", name);
    memset(r, 0, sizeof *r);
    char err[PCAP_ERRBUF_SIZE];
    pcap_t *pc = pcap_open_offline(path, err);
    cr_assert_not_null(pc, "%s", err);
    int dlt = pcap_datalink(pc);
    struct pcap_pkthdr *h;
    const u_char *data;
    static struct pkt p;
    uint32_t client = 0;
    bool have_client = false, tcp_client = false;
    while (pcap_next_ex(pc, &h, &data) == 1) {
        enum pkt_kind k = dispatch_packet(dlt, data, h->caplen, &p);
        if (k == PKT_TCP && !tcp_client && p.ip.version == 4 && p.tcp.dport == 1723) {
            client = p.ip.src4;
            have_client = tcp_client = true;
        }
        if (k != PKT_GRE || !p.has_ppp || p.ip.version != 4)
            continue;
        if (!have_client) {
            client = p.ip.src4;
            have_client = true;
        }
        int dir = p.ip.src4 == client ? C : S;
        cursor info = p.payload;
        unsigned due = pppneg_frame(&N, dir, p.ppp.protocol, &info, &AN);
        for (unsigned b = 0; b < 9; b++)
            r->due[b] += (due >> b) & 1u;
        r->frames++;
    }
    pcap_close(pc);
    cr_assert_gt(r->frames, 0);
}

enum { B_LCP, B_OK, B_FAIL, B_MPPE, B_REKEY, B_IPCP, B_IPV6CP, B_TERM, B_TERM_ACK };

Test(pppneg, real_capture_pptpd_mschapv2_mppe)
{
    pcap_run r;
    feed_pcap("pptp_vpn_sniffer__connect.pcapng", &r);
    /* Facts read with tshark: LCP client MRU 1400, Callback rejected, MS-CHAPv2
     * (user jm) success "Access granted", CCP bits 0x01000040 (H, S) both ways,
     * IPCP 10.0.0.100 / 10.0.0.1 with DNS 223.5.5.5 and 223.6.6.6, IPV6CP
     * Protocol-Rejected, 309 MPPE frames from the client. */
    cr_assert_eq(r.due[B_LCP], 1);
    cr_assert_eq(r.due[B_OK], 1);
    cr_assert_eq(r.due[B_FAIL], 0);
    cr_assert_eq(r.due[B_MPPE], 1);
    cr_assert_eq(r.due[B_REKEY], 0); /* stateless: counted only */
    cr_assert_eq(r.due[B_IPCP], 1);
    cr_assert_eq(r.due[B_IPV6CP], 0);

    pppneg_fill_lcp(&N, &E);
    cr_assert_eq(get_u(&E, "pptp.lcp.client.mru"), 1400);
    cr_assert_eq(get_u(&E, "pptp.lcp.server.mru"), 1500);
    assert_str(&E, "pptp.lcp.auth_protocol", "mschapv2");
    assert_str(&E, "pptp.lcp.rejected_options", "Callback");
    cr_assert_eq(get_u(&E, "pptp.lcp.client.magic"), 0x6f023e93);
    cr_assert_eq(get_u(&E, "pptp.lcp.server.magic"), 0x89901122);
    cr_assert(get_b(&E, "pptp.lcp.acfc"));
    cr_assert(get_b(&E, "pptp.lcp.pfc"));

    ev_reset(&E);
    pppneg_fill_user(&N, &E);
    pppneg_fill_auth(&N, &E);
    assert_str(&E, "user.name", "jm");
    cr_assert_not(ev_has(&E, "user.domain"));
    assert_str(&E, "pptp.auth.method", "mschapv2");
    assert_str(&E, "pptp.auth.outcome", "success");
    assert_str(&E, "pptp.auth.message", "Access granted");
    cr_assert_eq(get_u(&E, "pptp.auth.attempts"), 1);
    const char *j = json_of(&E);
    cr_assert_not(contains(j, "659FF1CE"), "%s", j);

    ev_reset(&E);
    pppneg_fill_mppe(&N, &E);
    cr_assert_eq(get_u(&E, "pptp.mppe.key_bits"), 128);
    cr_assert(get_b(&E, "pptp.mppe.stateless"));
    assert_str(&E, "pptp.mppe.client.bits", "0x01000040");

    ev_reset(&E);
    pppneg_fill_ipcp(&N, &E);
    assert_str(&E, "pptp.ipcp.client_ip", "10.0.0.100");
    assert_str(&E, "pptp.ipcp.server_ip", "10.0.0.1");
    j = json_of(&E);
    cr_assert(contains(j, "\"dns\":[\"223.5.5.5\",\"223.6.6.6\"]"), "%s", j);
    cr_assert_not(ev_has(&E, "pptp.ipcp.wins")); /* NBNS was rejected */
    cr_assert_eq(N.lcp_proto_rejected & PPPNEG_PREJ_IPV6CP, PPPNEG_PREJ_IPV6CP);

    ev_reset(&E);
    pppneg_fill_summary(&N, &E);
    cr_assert_eq(get_u(&E, "pptp.ppp.encrypted_frames"), 309);
    cr_assert_eq(get_u(&E, "pptp.ppp.unencrypted_frames"), 0);
    cr_assert_eq(N.comp_frames[C], 309);
    cr_assert_eq(get_u(&E, "pptp.lcp.echo_requests"), 1);
}

Test(pppneg, real_capture_packetlife_pap)
{
    pcap_run r;
    feed_pcap("packetlife__PPTP_negotiation.cap", &r);
    /* tshark: LCP (server asks PAP), PAP ixia Ack, IPCP Nak then Ack:
     * client 17.1.1.122, server 17.1.1.118; ICMP in clear inside the tunnel. */
    cr_assert_eq(r.due[B_LCP], 1);
    cr_assert_eq(r.due[B_OK], 1);
    cr_assert_eq(r.due[B_IPCP], 1);
    cr_assert_eq(r.due[B_MPPE], 0);
    pppneg_fill_lcp(&N, &E);
    assert_str(&E, "pptp.lcp.auth_protocol", "pap");
    ev_reset(&E);
    pppneg_fill_user(&N, &E);
    pppneg_fill_auth(&N, &E);
    pppneg_fill_ipcp(&N, &E);
    assert_str(&E, "user.name", "ixia");
    assert_str(&E, "pptp.auth.method", "pap");
    cr_assert_not(ev_has(&E, "pptp.auth.message")); /* empty message */
    assert_str(&E, "pptp.ipcp.client_ip", "17.1.1.122");
    assert_str(&E, "pptp.ipcp.server_ip", "17.1.1.118");
    assert_str(&E, "pptp.ipcp.suggested_ip", "17.1.1.122");
    ev_reset(&E);
    pppneg_fill_summary(&N, &E);
    cr_assert_eq(get_u(&E, "pptp.ppp.unencrypted_frames"), 2);
    cr_assert_eq(get_u(&E, "pptp.ppp.encrypted_frames"), 0);
    cr_assert_not(ev_has(&E, "pptp.mppe.key_bits"));
}

Test(pppneg, real_capture_chapcrack_mid_stream)
{
    pcap_run r;
    feed_pcap("chapcrack__pptp.cap", &r);
    /* Only Challenge / Response (moxie) / Success: no LCP, no TCP; the "client"
     * guessed from the first GRE packet is really the server, and roles still
     * come out right from the codes. */
    cr_assert_eq(r.frames, 3);
    cr_assert_eq(r.due[B_OK], 1);
    cr_assert_eq(r.due[B_LCP], 0);
    pppneg_fill_user(&N, &E);
    pppneg_fill_auth(&N, &E);
    assert_str(&E, "user.name", "moxie");
    assert_str(&E, "pptp.auth.method", "mschapv2");
    assert_str(&E, "pptp.auth.message", "Access granted");
    cr_assert_eq(get_u(&E, "pptp.auth.attempts"), 1);
}

Test(pppneg, real_capture_john_lulu)
{
    pcap_run r;
    feed_pcap("john-samples__lulu-password-pptp.pcap", &r);
    /* tshark: server LCP request retransmitted before its Ack, MS-CHAPv2 lulu
     * success, CCP 0x01000040 both ways, IPCP client 192.168.2.234 (after Reject
     * and Nak), server 192.168.2.2, no DNS; 25 MPPE frames from the client. */
    cr_assert_eq(r.due[B_LCP], 1);
    cr_assert_eq(r.due[B_OK], 1);
    cr_assert_eq(r.due[B_MPPE], 1);
    cr_assert_eq(r.due[B_IPCP], 1);
    cr_assert_eq(r.due[B_REKEY], 0);
    cr_assert_eq(N.lcp_confreqs[S], 2);
    pppneg_fill_user(&N, &E);
    pppneg_fill_ipcp(&N, &E);
    pppneg_fill_mppe(&N, &E);
    assert_str(&E, "user.name", "lulu");
    assert_str(&E, "pptp.ipcp.client_ip", "192.168.2.234");
    assert_str(&E, "pptp.ipcp.server_ip", "192.168.2.2");
    cr_assert_not(ev_has(&E, "pptp.ipcp.dns"));
    cr_assert_eq(get_u(&E, "pptp.mppe.key_bits"), 128);
    cr_assert(get_b(&E, "pptp.mppe.stateless"));
    cr_assert_eq(N.comp_frames[C], 25);
}

Test(pppneg, real_capture_asleap_80211_eap_refused)
{
    pcap_run r;
    feed_pcap("asleap__pptp.dump.pcap", &r);
    /* tshark: 802.11 with radio retries; the server first asks EAP, the client
     * Naks it for MS-CHAPv2; MS-CHAPv2 scott success without M=; CCP offers
     * 0x010000e1, Nak'd to 0x01000040 both ways; IPCP client 192.168.2.2,
     * server 192.168.2.1, DNS 192.168.2.1 twice. */
    cr_assert_eq(r.due[B_LCP], 1);
    cr_assert_eq(r.due[B_OK], 1);
    cr_assert_eq(r.due[B_FAIL], 0);
    cr_assert_eq(r.due[B_MPPE], 1);
    cr_assert_eq(r.due[B_IPCP], 1);
    pppneg_fill_lcp(&N, &E);
    assert_str(&E, "pptp.lcp.auth_protocol", "mschapv2");
    cr_assert_eq(get_u(&E, "pptp.lcp.naks"), 1);
    const char *j = json_of(&E);
    cr_assert(contains(j, "\"rejected_options\":[\"Callback\",\"Multilink-MRRU\"]"), "%s", j);
    ev_reset(&E);
    pppneg_fill_user(&N, &E);
    pppneg_fill_auth(&N, &E);
    pppneg_fill_ipcp(&N, &E);
    pppneg_fill_mppe(&N, &E);
    assert_str(&E, "user.name", "scott");
    assert_str(&E, "pptp.auth.method", "mschapv2");
    cr_assert_not(ev_has(&E, "pptp.auth.message"));
    assert_str(&E, "pptp.ipcp.client_ip", "192.168.2.2");
    assert_str(&E, "pptp.ipcp.server_ip", "192.168.2.1");
    j = json_of(&E);
    cr_assert(contains(j, "\"dns\":[\"192.168.2.1\"]"), "%s", j); /* a set: one element */
    cr_assert_eq(get_u(&E, "pptp.mppe.key_bits"), 128);
    cr_assert_eq(N.ccp_req_bits[C], 0x01000040);
}
