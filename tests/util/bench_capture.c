/* bench_capture.c - see bench_capture.h */
#include "bench_capture.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "cursor.h"
#include "gre.h"
#include "mppe.h"
#include "pcap_writer.h"
#include "ppp.h"
#include "pptp_ctrl.h"

double bench_now_s(void)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (double)t.tv_sec + (double)t.tv_nsec / 1e9;
}

struct sess {
    uint32_t cli, srv;
    uint16_t cport;
    uint32_t cseq, sseq;
    uint32_t gseq[2];
};

static void ctrl_msg(pcapw *w, uint64_t ts, struct sess *s, int from_client, struct pptp_ctrl_msg *m)
{
    uint8_t buf[256];
    wbuf wb;
    wbuf_init(&wb, buf, sizeof buf);
    pptp_ctrl_encode(&wb, m);
    if (from_client) {
        pcapw_write_tcp4(w, ts, s->cli, s->srv, s->cport, 1723, s->cseq, s->sseq, 0x18, buf, wbuf_len(&wb));
        s->cseq += (uint32_t)wbuf_len(&wb);
    } else {
        pcapw_write_tcp4(w, ts, s->srv, s->cli, 1723, s->cport, s->sseq, s->cseq, 0x18, buf, wbuf_len(&wb));
        s->sseq += (uint32_t)wbuf_len(&wb);
    }
}

static void gre_data(pcapw *w, uint64_t ts, struct sess *s, int from_client, uint16_t call_id, size_t size)
{
    uint32_t seq = s->gseq[!from_client]++;
    pcapw_write_gre_mppe(w, ts, from_client ? s->cli : s->srv, from_client ? s->srv : s->cli, call_id, seq, size,
                         (uint8_t)(call_id + seq));
}

uint64_t bench_make_capture(const char *path, uint32_t n, uint32_t per) { return bench_make_capture_burst(path, n, per, 1); }

uint64_t bench_make_capture_burst(const char *path, uint32_t n, uint32_t per, uint32_t burst)
{
    return bench_make_capture_order(path, n, per, burst, 0);
}

uint64_t bench_make_capture_order(const char *path, uint32_t n, uint32_t per, uint32_t burst, int shuffle)
{
    if (burst < 1)
        burst = 1;
    pcapw *w = pcapw_open(path, 1);
    if (!w) {
        perror(path);
        exit(1);
    }
    struct sess *ss = calloc(n, sizeof *ss);
    uint64_t ts = 1700000000ull * 1000000, pk = 0;
    for (uint32_t i = 0; i < n; i++) {
        struct sess *s = &ss[i];
        s->cli = 0x0a000000u + 2 + i; /* 10.x.y.z clients */
        s->srv = 0xc0a80001u + (i % 64); /* 64 servers, each with unique PAC Call IDs */
        s->cport = (uint16_t)(1024 + (i % 60000));
        s->cseq = 1000;
        s->sseq = 5000;
        pcapw_write_tcp4(w, ts, s->cli, s->srv, s->cport, 1723, s->cseq - 1, 0, 0x02, NULL, 0);
        pcapw_write_tcp4(w, ts, s->srv, s->cli, 1723, s->cport, s->sseq - 1, s->cseq, 0x12, NULL, 0);
        struct pptp_ctrl_msg m;
        memset(&m, 0, sizeof m);
        m.ctrl_type = PPTP_MSG_SCCRQ;
        m.u.sccrq.protocol_version = 0x100;
        strcpy(m.u.sccrq.vendor, "bench");
        ctrl_msg(w, ts, s, 1, &m);
        memset(&m, 0, sizeof m);
        m.ctrl_type = PPTP_MSG_SCCRP;
        m.u.sccrp.protocol_version = 0x100;
        m.u.sccrp.result_code = 1;
        ctrl_msg(w, ts, s, 0, &m);
        memset(&m, 0, sizeof m);
        m.ctrl_type = PPTP_MSG_OCRQ;
        m.u.ocrq.call_id = (uint16_t)(i + 1);
        m.u.ocrq.recv_window = 64;
        ctrl_msg(w, ts, s, 1, &m);
        memset(&m, 0, sizeof m);
        m.ctrl_type = PPTP_MSG_OCRP;
        m.u.ocrp.call_id = (uint16_t)(i / 64 + 1);
        m.u.ocrp.peer_call_id = (uint16_t)(i + 1);
        m.u.ocrp.result_code = 1;
        ctrl_msg(w, ts, s, 0, &m);
        pk += 6;
        ts += 100;
    }
    uint32_t *order = malloc(n * sizeof *order);
    if (!order) {
        perror("bench capture");
        exit(1);
    }
    for (uint32_t i = 0; i < n; i++)
        order[i] = i;
    uint64_t rng = 0x9e3779b97f4a7c15ull; /* xorshift64: the same capture every run */
    for (uint32_t r0 = 0; r0 < per; r0 += burst) {
        for (uint32_t i = n; shuffle && i > 1; i--) { /* Fisher-Yates */
            rng ^= rng << 13;
            rng ^= rng >> 7;
            rng ^= rng << 17;
            uint32_t j = (uint32_t)(rng % i), x = order[i - 1];
            order[i - 1] = order[j];
            order[j] = x;
        }
        for (uint32_t oi = 0; oi < n; oi++) {
            uint32_t i = order[oi];
            for (uint32_t r = r0; r < r0 + burst && r < per; r++) {
                struct sess *s = &ss[i];
                int from_client = (r + i) & 1;
                gre_data(w, ts, s, from_client, from_client ? (uint16_t)(i / 64 + 1) : (uint16_t)(i + 1),
                         from_client ? 100 : 400);
                ts += 10;
                pk++;
            }
        }
    }
    free(order);
    for (uint32_t i = 0; i < n; i++) {
        struct pptp_ctrl_msg m;
        memset(&m, 0, sizeof m);
        m.ctrl_type = PPTP_MSG_CDN;
        m.u.cdn.call_id = (uint16_t)(i / 64 + 1);
        m.u.cdn.result_code = 4;
        ctrl_msg(w, ts, &ss[i], 0, &m);
        pk++;
    }
    pcapw_close(w);
    free(ss);
    return pk;
}

