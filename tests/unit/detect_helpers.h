/*
 * detect_helpers.h - for the test_detect_*.c tests: build captures of PPTP
 * sessions with the decoders' encoders (a small scenario writer over
 * tests/util/pcap_writer.h), run them through the sensor library with an
 * in-memory sink that keeps every event, and query the events.
 *
 * Every function is static and marked unused: each test file uses a subset.
 */
#ifndef PPTP_TEST_DETECT_HELPERS_H
#define PPTP_TEST_DETECT_HELPERS_H

#include <criterion/criterion.h>
#include <pcap/pcap.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "ccp.h"
#include "chap.h"
#include "config.h"
#include "cp.h"
#include "detect_config.h"
#include "event.h"
#include "gre.h"
#include "ipcp.h"
#include "lcp.h"
#include "mppe.h"
#include "mschap.h"
#include "pap.h"
#include "pcap_writer.h"
#include "ppp.h"
#include "pptp_ctrl.h"
#include "secret.h"
#include "sensor.h"
#include "sink.h"
#include "test_env.h"
#include "ppp_frames.h"

#define U __attribute__((unused)) static

enum { CLI = 0, SRV = 1 };
#define IP4(a, b, c, d) ((uint32_t)(a) << 24 | (uint32_t)(b) << 16 | (uint32_t)(c) << 8 | (uint32_t)(d))
#define MS 1000ull
#define SEC 1000000ull

/* ------------------------------------------------------------------ frames */

U frame lcp_frame(uint8_t code, uint8_t id, const lcp_options *o)
{
    lcp_packet p;
    memset(&p, 0, sizeof p);
    p.cp.code = code;
    p.cp.id = id;
    if (o)
        p.opts = *o;
    if (code == CP_ECHO_REQ || code == CP_ECHO_REPLY)
        p.magic = 0x11223344;
    frame f;
    wbuf w;
    wbuf_init(&w, f.b, sizeof f.b);
    cr_assert(lcp_encode(&w, &p));
    f.n = wbuf_len(&w);
    return f;
}

U frame ipcp_frame(uint8_t code, uint8_t id, uint32_t addr)
{
    ipcp_packet p;
    memset(&p, 0, sizeof p);
    p.cp.code = code;
    p.cp.id = id;
    p.opts.has_address = true;
    p.opts.address = addr;
    frame f;
    wbuf w;
    wbuf_init(&w, f.b, sizeof f.b);
    cr_assert(ipcp_encode(&w, &p));
    f.n = wbuf_len(&w);
    return f;
}

static const uint8_t DH_CHALLENGE16[16] = {0xbe, 0x18, 0x73, 0x45, 0x07, 0xca, 0x5a, 0x24,
                                           0x28, 0xa2, 0xd1, 0x8a, 0xd3, 0xf0, 0x3c, 0xff};

U size_t v1_response(uint8_t out[49], bool lm)
{
    mschapv1_response r;
    memset(&r, 0, sizeof r);
    for (int i = 0; i < 24; i++) {
        r.nt_response[i] = (uint8_t)(0x30 + i);
        r.lm_response[i] = lm ? (uint8_t)(0x70 + i) : 0;
    }
    r.use_nt = 1;
    wbuf w;
    wbuf_init(&w, out, 49);
    cr_assert(mschapv1_response_encode(&w, &r));
    return wbuf_len(&w);
}

U const char *fmt_failure(char *buf, size_t size, uint32_t code)
{
    mschap_failure f;
    memset(&f, 0, sizeof f);
    f.has_error = f.has_retry = f.has_challenge = f.has_version = true;
    f.error = code;
    f.retry = 1;
    f.challenge_len = 16;
    memcpy(f.challenge, DH_CHALLENGE16, 16);
    f.version = 3;
    wbuf w;
    wbuf_init(&w, (uint8_t *)buf, size - 1);
    cr_assert(mschap_failure_encode(&w, &f));
    buf[wbuf_len(&w)] = 0;
    return buf;
}

U const char *fmt_success(char *buf, size_t size)
{
    mschapv2_success s;
    memset(&s, 0, sizeof s);
    for (int i = 0; i < 20; i++)
        s.auth_response[i] = (uint8_t)(0x65 + i);
    s.has_message = true;
    snprintf(s.message, sizeof s.message, "Welcome");
    s.message_len = 7;
    wbuf w;
    wbuf_init(&w, (uint8_t *)buf, size - 1);
    cr_assert(mschapv2_success_encode(&w, &s));
    buf[wbuf_len(&w)] = 0;
    return buf;
}

U frame mppe_frame(uint16_t cc, bool flushed, bool encrypted, size_t payload)
{
    struct mppe_hdr h = {.flushed = flushed, .encrypted = encrypted, .coherency_count = cc};
    static uint8_t data[1600];
    for (size_t i = 0; i < payload && i < sizeof data; i++)
        data[i] = (uint8_t)(i * 7 + 1);
    frame f;
    wbuf w;
    wbuf_init(&w, f.b, sizeof f.b);
    cr_assert(mppe_encode(&w, &h, data, payload));
    f.n = wbuf_len(&w);
    return f;
}

/* An IPv4 packet: UDP (proto 17), TCP SYN (6, with an MSS option when mss != 0)
 * or ICMP echo (1), payload pl. Returns its length. */
U size_t ip4_packet(uint8_t *out, size_t cap, uint8_t proto, uint32_t src, uint32_t dst, uint16_t sp, uint16_t dp,
                    uint16_t mss, const uint8_t *pl, size_t n)
{
    uint8_t l4[1600];
    size_t l = 0;
    if (proto == 17) {
        l4[0] = (uint8_t)(sp >> 8), l4[1] = (uint8_t)sp, l4[2] = (uint8_t)(dp >> 8), l4[3] = (uint8_t)dp;
        l4[4] = (uint8_t)((n + 8) >> 8), l4[5] = (uint8_t)(n + 8), l4[6] = l4[7] = 0;
        l = 8;
    } else if (proto == 6) {
        memset(l4, 0, 24);
        l4[0] = (uint8_t)(sp >> 8), l4[1] = (uint8_t)sp, l4[2] = (uint8_t)(dp >> 8), l4[3] = (uint8_t)dp;
        l4[7] = 1;
        l4[12] = mss ? 0x60 : 0x50;
        l4[13] = 0x02; /* SYN */
        l4[14] = 0xff;
        l = 20;
        if (mss) {
            l4[20] = 2, l4[21] = 4, l4[22] = (uint8_t)(mss >> 8), l4[23] = (uint8_t)mss;
            l = 24;
        }
    } else {
        memset(l4, 0, 8);
        l4[0] = 8;
        l = 8;
    }
    cr_assert(l + n <= sizeof l4);
    if (n)
        memcpy(l4 + l, pl, n);
    return pcapw_build_ip4(out, cap, src, dst, proto, 0x1234, 0, l4, l + n);
}

/* ------------------------------------------------------------------ scenario */

typedef struct scn {
    pcapw *w;
    char path[1024];
    uint64_t t;          /* microseconds */
    uint32_t cli, srv;   /* host order */
    uint16_t cport, sport;
    uint32_t tseq[2];
    uint16_t pns_id, pac_id;
    uint32_t gseq[2];
    uint16_t ipid;
    uint32_t isn[2];
} scn;

U void scn_open(scn *x, const char *name)
{
    memset(x, 0, sizeof *x);
    char file[256];
    snprintf(file, sizeof file, "detect-%s-%d.pcap", name, (int)getpid()); /* tests run in parallel */
    scratch_path(file, x->path, sizeof x->path);
    x->w = pcapw_open(x->path, 1);
    cr_assert_not_null(x->w, "cannot write %s", x->path);
    x->t = 1763600000ull * SEC;
    x->cli = IP4(192, 0, 2, 10);
    x->srv = IP4(198, 51, 100, 1);
    x->cport = 40001;
    x->sport = 1723;
    x->pns_id = 0x1111;
    x->pac_id = 0x2222;
    x->tseq[0] = x->isn[0] = 1000;
    x->tseq[1] = x->isn[1] = 5000;
    x->ipid = 100;
}

U void scn_close(scn *x)
{
    if (x->w)
        pcapw_close(x->w);
    x->w = NULL;
}

U void scn_wait(scn *x, uint64_t usec) { x->t += usec; }

/* A new control connection from the same client (next source port). */
U void scn_new_conn(scn *x)
{
    x->cport++;
    x->tseq[0] = x->isn[0] = x->tseq[0] + 100000;
    x->tseq[1] = x->isn[1] = x->tseq[1] + 100000;
    x->gseq[0] = x->gseq[1] = 0;
    x->pns_id++;
    x->pac_id++;
}

/* Ethernet + an IPv4 datagram built by the caller (frag_field: flags+offset word). */
U void scn_ip_raw(scn *x, uint32_t src, uint32_t dst, uint8_t proto, uint16_t id, uint16_t frag_field,
                  const uint8_t *pl, size_t n)
{
    static uint8_t f[70000];
    static const uint8_t macs[12] = {0x02, 0, 0, 0, 0, 2, 0x02, 0, 0, 0, 0, 1};
    memcpy(f, macs, 12);
    f[12] = 0x08, f[13] = 0x00;
    size_t ipn = pcapw_build_ip4(f + 14, sizeof f - 14, src, dst, proto, id, frag_field, pl, n);
    cr_assert(ipn);
    cr_assert_eq(pcapw_write(x->w, x->t, f, 14 + ipn), 0);
    x->t += MS;
}

U void scn_tcp(scn *x, int dir, uint8_t flags, const uint8_t *p, size_t n)
{
    uint32_t src = dir == CLI ? x->cli : x->srv, dst = dir == CLI ? x->srv : x->cli;
    uint16_t sp = dir == CLI ? x->cport : x->sport, dp = dir == CLI ? x->sport : x->cport;
    uint32_t ack = (flags & 0x10) ? x->tseq[!dir] : 0;
    cr_assert_eq(pcapw_write_tcp4(x->w, x->t, src, dst, sp, dp, x->tseq[dir], ack, flags, p, n), 0);
    x->tseq[dir] += (uint32_t)n + ((flags & 0x02) ? 1 : 0) + ((flags & 0x01) ? 1 : 0);
    x->t += MS;
}

U void scn_handshake(scn *x)
{
    scn_tcp(x, CLI, 0x02, NULL, 0);
    scn_tcp(x, SRV, 0x12, NULL, 0);
    scn_tcp(x, CLI, 0x10, NULL, 0);
}

U void scn_ctrl(scn *x, int dir, const struct pptp_ctrl_msg *m)
{
    uint8_t buf[1024];
    wbuf w;
    wbuf_init(&w, buf, sizeof buf);
    cr_assert(pptp_ctrl_encode(&w, m));
    scn_tcp(x, dir, 0x18, buf, wbuf_len(&w));
}

U void scn_sccrq_full(scn *x, const char *host, const char *vendor, uint16_t max_channels, uint16_t fw)
{
    struct pptp_ctrl_msg m;
    memset(&m, 0, sizeof m);
    m.ctrl_type = PPTP_MSG_SCCRQ;
    m.u.sccrq.protocol_version = PPTP_PROTOCOL_VERSION;
    m.u.sccrq.framing_caps = 1;
    m.u.sccrq.bearer_caps = 1;
    m.u.sccrq.max_channels = max_channels;
    m.u.sccrq.firmware_rev = fw;
    snprintf(m.u.sccrq.host_name, sizeof m.u.sccrq.host_name, "%s", host);
    snprintf(m.u.sccrq.vendor, sizeof m.u.sccrq.vendor, "%s", vendor);
    scn_ctrl(x, CLI, &m);
}

U void scn_sccrq(scn *x) { scn_sccrq_full(x, "client-pc", "Microsoft", 0, 2600); }

U void scn_sccrp(scn *x, uint8_t result)
{
    struct pptp_ctrl_msg m;
    memset(&m, 0, sizeof m);
    m.ctrl_type = PPTP_MSG_SCCRP;
    m.u.sccrp.protocol_version = PPTP_PROTOCOL_VERSION;
    m.u.sccrp.result_code = result;
    m.u.sccrp.framing_caps = 3;
    m.u.sccrp.bearer_caps = 3;
    snprintf(m.u.sccrp.host_name, sizeof m.u.sccrp.host_name, "vpn");
    snprintf(m.u.sccrp.vendor, sizeof m.u.sccrp.vendor, "Linux");
    scn_ctrl(x, SRV, &m);
}

U void scn_ocrq(scn *x)
{
    struct pptp_ctrl_msg m;
    memset(&m, 0, sizeof m);
    m.ctrl_type = PPTP_MSG_OCRQ;
    m.u.ocrq.call_id = x->pns_id;
    m.u.ocrq.call_serial = 1;
    m.u.ocrq.min_bps = 300;
    m.u.ocrq.max_bps = 100000000;
    m.u.ocrq.bearer_type = 3;
    m.u.ocrq.framing_type = 3;
    m.u.ocrq.recv_window = 64;
    scn_ctrl(x, CLI, &m);
}

U void scn_ocrp(scn *x, uint8_t result)
{
    struct pptp_ctrl_msg m;
    memset(&m, 0, sizeof m);
    m.ctrl_type = PPTP_MSG_OCRP;
    m.u.ocrp.call_id = x->pac_id;
    m.u.ocrp.peer_call_id = x->pns_id;
    m.u.ocrp.result_code = result;
    m.u.ocrp.connect_speed = 100000000;
    m.u.ocrp.recv_window = 64;
    scn_ctrl(x, SRV, &m);
}

U void scn_simple(scn *x, int dir, uint16_t type)
{
    struct pptp_ctrl_msg m;
    memset(&m, 0, sizeof m);
    m.ctrl_type = type;
    if (type == PPTP_MSG_ICCN)
        m.u.iccn.peer_call_id = x->pns_id;
    if (type == PPTP_MSG_CDN) {
        m.u.cdn.call_id = x->pac_id;
        m.u.cdn.result_code = PPTP_CDN_REQUEST;
    }
    if (type == PPTP_MSG_CCRQ)
        m.u.ccrq.call_id = x->pns_id;
    if (type == PPTP_MSG_STOPCCRQ)
        m.u.stopccrq.reason = 1;
    if (type == PPTP_MSG_STOPCCRP)
        m.u.stopccrp.result_code = 1;
    if (type == PPTP_MSG_ECHORP)
        m.u.echorp.result_code = 1;
    scn_ctrl(x, dir, &m);
}

/* TCP handshake, SCCRQ/SCCRP (success), OCRQ/OCRP (connected). */
U void scn_control(scn *x)
{
    scn_handshake(x);
    scn_sccrq(x);
    scn_sccrp(x, PPTP_SCCRP_SUCCESS);
    scn_ocrq(x);
    scn_ocrp(x, PPTP_OCRP_CONNECTED);
}

U void scn_fin(scn *x)
{
    scn_tcp(x, CLI, 0x11, NULL, 0);
    scn_tcp(x, SRV, 0x11, NULL, 0);
    scn_tcp(x, CLI, 0x10, NULL, 0);
}

/* CDN from the server, then FIN both ways. */
U void scn_hangup(scn *x)
{
    scn_simple(x, SRV, PPTP_MSG_CDN);
    scn_fin(x);
}

/* GRE v1 from dir with the peer's Call ID, sequence and ack, carrying a PPP frame. */
U void scn_gre_from(scn *x, uint32_t src, uint32_t dst, uint16_t call_id, uint32_t seq, const uint8_t *ppp, size_t n)
{
    struct gre_hdr h;
    memset(&h, 0, sizeof h);
    h.k = true;
    h.version = GRE_VERSION_PPTP;
    h.protocol = GRE_PROTO_PPP;
    h.call_id = call_id;
    h.has_seq = true;
    h.seq = seq;
    uint8_t buf[2200];
    wbuf w;
    wbuf_init(&w, buf, sizeof buf);
    cr_assert(gre_encode(&w, &h, ppp, n));
    scn_ip_raw(x, src, dst, 47, x->ipid++, 0x4000, buf, wbuf_len(&w));
}

U size_t ppp_wrap(uint8_t *out, size_t cap, uint16_t proto, const uint8_t *info, size_t n)
{
    struct ppp_frame f = {.has_acfc_hdr = true, .pfc = false, .protocol = proto};
    wbuf w;
    wbuf_init(&w, out, cap);
    cr_assert(ppp_encode(&w, &f, info, n));
    return wbuf_len(&w);
}

U void scn_ppp(scn *x, int dir, uint16_t proto, const uint8_t *info, size_t n)
{
    uint8_t ppp[2100];
    size_t len = ppp_wrap(ppp, sizeof ppp, proto, info, n);
    uint32_t src = dir == CLI ? x->cli : x->srv, dst = dir == CLI ? x->srv : x->cli;
    scn_gre_from(x, src, dst, dir == CLI ? x->pac_id : x->pns_id, x->gseq[dir]++, ppp, len);
}

U void scn_frame(scn *x, int dir, uint16_t proto, frame f) { scn_ppp(x, dir, proto, f.b, f.n); }

U lcp_options client_lcp(uint16_t mru)
{
    lcp_options o;
    memset(&o, 0, sizeof o);
    if (mru) {
        o.has_mru = true;
        o.mru = mru;
    }
    o.has_magic = true;
    o.magic = 0x6f023e93;
    return o;
}

U lcp_options server_lcp(uint16_t auth, uint8_t alg)
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
    return o;
}

/* LCP opens in one round; the server asks for auth/alg, the client for mru (0: none). */
U void scn_lcp_open(scn *x, uint16_t auth, uint8_t alg, uint16_t client_mru)
{
    lcp_options co = client_lcp(client_mru), so = server_lcp(auth, alg);
    frame c = lcp_frame(CP_CONF_REQ, 1, &co), s = lcp_frame(CP_CONF_REQ, 1, &so);
    scn_frame(x, CLI, PPP_PROTO_LCP, c);
    scn_frame(x, SRV, PPP_PROTO_LCP, s);
    s.b[0] = CP_CONF_ACK;
    scn_frame(x, CLI, PPP_PROTO_LCP, s);
    c.b[0] = CP_CONF_ACK;
    scn_frame(x, SRV, PPP_PROTO_LCP, c);
}

/* One MS-CHAPv2 attempt: challenge, response, success (error 0) or failure E=error. */
U void scn_mschapv2(scn *x, uint8_t id, const char *user, uint32_t error)
{
    scn_frame(x, SRV, PPP_PROTO_CHAP, chap_frame(CHAP_CHALLENGE, id, DH_CHALLENGE16, 16, "vpn", NULL));
    uint8_t r[49];
    size_t rn = v2_response(r);
    scn_frame(x, CLI, PPP_PROTO_CHAP, chap_frame(CHAP_RESPONSE, id, r, rn, user, NULL));
    char text[256];
    if (error)
        scn_frame(x, SRV, PPP_PROTO_CHAP, chap_frame(CHAP_FAILURE, id, NULL, 0, NULL, fmt_failure(text, sizeof text, error)));
    else
        scn_frame(x, SRV, PPP_PROTO_CHAP, chap_frame(CHAP_SUCCESS, id, NULL, 0, NULL, fmt_success(text, sizeof text)));
}

/* CCP: each side requests its bits; both Ack. */
U void scn_ccp_open(scn *x, uint32_t client_bits, uint32_t server_bits)
{
    frame c = ccp_frame(CP_CONF_REQ, 1, true, client_bits), s = ccp_frame(CP_CONF_REQ, 1, true, server_bits);
    scn_frame(x, CLI, PPP_PROTO_CCP, c);
    scn_frame(x, SRV, PPP_PROTO_CCP, s);
    s.b[0] = CP_CONF_ACK;
    scn_frame(x, CLI, PPP_PROTO_CCP, s);
    c.b[0] = CP_CONF_ACK;
    scn_frame(x, SRV, PPP_PROTO_CCP, c);
}

U void scn_ipcp_open(scn *x)
{
    frame c = ipcp_frame(CP_CONF_REQ, 1, IP4(10, 9, 0, 2)), s = ipcp_frame(CP_CONF_REQ, 1, IP4(10, 9, 0, 1));
    scn_frame(x, CLI, PPP_PROTO_IPCP, c);
    scn_frame(x, SRV, PPP_PROTO_IPCP, s);
    s.b[0] = CP_CONF_ACK;
    scn_frame(x, CLI, PPP_PROTO_IPCP, s);
    c.b[0] = CP_CONF_ACK;
    scn_frame(x, SRV, PPP_PROTO_IPCP, c);
}

U void scn_mppe_data(scn *x, int n, size_t size)
{
    static uint16_t cc[2];
    for (int i = 0; i < n; i++) {
        int dir = i % 2;
        scn_frame(x, dir, PPP_PROTO_COMP, mppe_frame(cc[dir]++ & 0x0fff, false, true, size));
    }
}

#define MPPE_128_STATELESS (CCP_MPPE_H | CCP_MPPE_S)

/* A clean session: MS-CHAPv2 success, 128-bit stateless MPPE, IPCP, encrypted data. */
U void scn_clean_session(scn *x, const char *user)
{
    scn_control(x);
    scn_lcp_open(x, LCP_AUTH_CHAP, LCP_CHAP_MSCHAPV2, 1400);
    scn_mschapv2(x, 1, user, 0);
    scn_ccp_open(x, MPPE_128_STATELESS, MPPE_128_STATELESS);
    scn_ipcp_open(x);
    scn_mppe_data(x, 6, 200);
}

/* An inner IPv4 packet in a PPP IP frame. */
U void scn_inner(scn *x, int dir, const uint8_t *pkt, size_t n) { scn_ppp(x, dir, PPP_PROTO_IP, pkt, n); }

/* ------------------------------------------------------------------ running */

typedef struct evlist {
    ev *e;
    size_t n, cap;
    char *json; /* every event's JSON line, newline separated */
    size_t json_len, json_cap;
} evlist;

struct msink {
    struct sink base;
    evlist *out;
};

static int msink_write(struct sink *s, const struct sink_msg *m)
{
    evlist *L = ((struct msink *)s)->out;
    cr_assert_not_null(m->e, "the memory sink has no queue: the event is there");
    if (L->n == L->cap) {
        L->cap = L->cap ? L->cap * 2 : 64;
        L->e = realloc(L->e, L->cap * sizeof *L->e);
        cr_assert_not_null(L->e);
    }
    memcpy(&L->e[L->n++], m->e, sizeof *m->e);
    if (L->json_len + m->len + 2 > L->json_cap) {
        L->json_cap = (L->json_len + m->len + 2) * 2;
        L->json = realloc(L->json, L->json_cap);
        cr_assert_not_null(L->json);
    }
    memcpy(L->json + L->json_len, m->line, m->len);
    L->json_len += m->len;
    L->json[L->json_len++] = '\n';
    L->json[L->json_len] = 0;
    s->c.written++;
    return 0;
}
static int msink_flush(struct sink *s) { (void)s; return 0; }
static void msink_close(struct sink *s) { free(s); }
static const struct sink_ops msink_ops = {.write = msink_write, .flush = msink_flush, .close = msink_close};

U void evlist_free(evlist *L)
{
    free(L->e);
    free(L->json);
    memset(L, 0, sizeof *L);
}

/* Run the sensor (defaults, plus config-file text cfg_text when not NULL) on a capture. */
U evlist run_pcap_cfg(const char *pcap_path, const char *cfg_text)
{
    static struct sensor_config cfg;
    config_defaults(&cfg);
    cfg.pptp_ports[cfg.n_pptp_ports++] = 1723;
    cfg.observer_name = "test";
    cfg.observer_hostname = "test";
    if (cfg_text) {
        char path[1024], name[64];
        snprintf(name, sizeof name, "detect-config-%d.ini", (int)getpid());
        scratch_path(name, path, sizeof path);
        FILE *f = fopen(path, "w");
        cr_assert_not_null(f);
        fputs(cfg_text, f);
        fclose(f);
        cr_assert_eq(config_load_file(&cfg, path), 0, "config rejected: %s", cfg_text);
    }
    evlist L;
    memset(&L, 0, sizeof L);
    struct sink_set set;
    memset(&set, 0, sizeof set);
    cr_assert_eq(sink_set_init(&set), 0);
    struct msink *ms = calloc(1, sizeof *ms);
    cr_assert_not_null(ms);
    sink_init_common(&ms->base, &msink_ops, "mem", "mem", NULL);
    ms->out = &L;
    cr_assert_eq(sink_set_add(&set, &ms->base), 0);
    struct sensor *s = sensor_new(&cfg, &set);
    cr_assert_not_null(s);
    char err[PCAP_ERRBUF_SIZE];
    pcap_t *p = pcap_open_offline_with_tstamp_precision(pcap_path, PCAP_TSTAMP_PRECISION_NANO, err);
    cr_assert_not_null(p, "%s: %s", pcap_path, err);
    int dlt = pcap_datalink(p);
    struct pcap_pkthdr *h;
    const u_char *data;
    while (pcap_next_ex(p, &h, &data) == 1) {
        struct capture_packet cp = {
            .ts_ns = (uint64_t)h->ts.tv_sec * 1000000000ull + (uint64_t)h->ts.tv_usec,
            .dlt = dlt,
            .data = data,
            .caplen = h->caplen,
            .wirelen = h->len,
        };
        sensor_packet(s, &cp);
    }
    pcap_close(p);
    sensor_finish(s, NULL);
    sensor_free(s);
    sink_set_close(&set);
    config_free(&cfg);
    return L;
}

U evlist run_scn(scn *x, const char *cfg_text)
{
    scn_close(x);
    return run_pcap_cfg(x->path, cfg_text);
}

/* ------------------------------------------------------------------ queries */

U const char *ev_action(const ev *e)
{
    const char *a = ev_get_str(e, "event.action", NULL);
    return a ? a : "";
}

U size_t count_action(const evlist *L, const char *action)
{
    size_t n = 0;
    for (size_t i = 0; i < L->n; i++)
        if (!strcmp(ev_action(&L->e[i]), action))
            n++;
    return n;
}

/* The nth (0-based) event with that action, or NULL. */
U const ev *find_action(const evlist *L, const char *action, size_t nth)
{
    for (size_t i = 0; i < L->n; i++)
        if (!strcmp(ev_action(&L->e[i]), action) && nth-- == 0)
            return &L->e[i];
    return NULL;
}

/* Number of alerts of rule id. */
U size_t count_rule(const evlist *L, const char *rule_id)
{
    size_t n = 0;
    for (size_t i = 0; i < L->n; i++) {
        const char *r = ev_get_str(&L->e[i], "rule.id", NULL);
        if (r && !strcmp(r, rule_id))
            n++;
    }
    return n;
}

U const ev *find_rule(const evlist *L, const char *rule_id)
{
    for (size_t i = 0; i < L->n; i++) {
        const char *r = ev_get_str(&L->e[i], "rule.id", NULL);
        if (r && !strcmp(r, rule_id))
            return &L->e[i];
    }
    return NULL;
}

U const char *gs(const ev *e, const char *key)
{
    const char *v = ev_get_str(e, key, NULL);
    return v ? v : "";
}

U uint64_t gu(const ev *e, const char *key)
{
    uint64_t v = 0;
    int64_t i;
    if (!ev_get_uint(e, key, &v) && ev_get_int(e, key, &i))
        v = (uint64_t)i;
    return v;
}

U bool gb(const ev *e, const char *key)
{
    bool b = false;
    ev_get_bool(e, key, &b);
    return b;
}

/* Whether string array key holds val. */
U bool has_elem(const ev *e, const char *key, const char *val)
{
    for (size_t i = 0; i < e->nfields; i++) {
        const ev_field *f = &e->f[i];
        if (f->type == EV_T_STR && !strcmp(ev_field_key(e, f), key) && !strcmp(ev_field_str(e, f), val))
            return true;
    }
    return false;
}

U size_t n_elems(const ev *e, const char *key)
{
    size_t n = 0;
    for (size_t i = 0; i < e->nfields; i++)
        if (e->f[i].type != EV_T_NONE && !strcmp(ev_field_key(e, &e->f[i]), key))
            n++;
    return n;
}

/* Every alert carries the rule fields, a message and no dropped field; returns the
 * highest log.level seen among alerts (0 info .. 4 critical), -1 when none. */
U int check_alerts(const evlist *L)
{
    static const char *const lv[] = {"info", "notice", "warning", "error", "critical"};
    int worst = -1;
    for (size_t i = 0; i < L->n; i++) {
        const ev *e = &L->e[i];
        cr_expect_eq(ev_dropped(e), 0, "event %s dropped fields", ev_action(e));
        if (strcmp(gs(e, "event.kind"), "alert"))
            continue;
        cr_expect(ev_has(e, "rule.id") && ev_has(e, "rule.name") && ev_has(e, "rule.category"), "rule fields");
        cr_expect(strlen(gs(e, "message")) > 10, "message of %s", gs(e, "rule.id"));
        cr_expect_str_eq(gs(e, "event.dataset"), "pptp.alert");
        const char *l = gs(e, "log.level");
        for (int k = 0; k < 5; k++)
            if (!strcmp(l, lv[k]) && k > worst)
                worst = k;
    }
    return worst;
}

U void dump_alerts(const evlist *L)
{
    for (size_t i = 0; i < L->n; i++)
        if (!strcmp(gs(&L->e[i], "event.kind"), "alert") || !strcmp(gs(&L->e[i], "event.dataset"), "pptp.frag"))
            fprintf(stderr, "  %s %s: %s\n", gs(&L->e[i], "log.level"),
                    ev_has(&L->e[i], "rule.id") ? gs(&L->e[i], "rule.id") : ev_action(&L->e[i]), gs(&L->e[i], "message"));
}

#undef U
#endif
