/*
 * bench_sensor.c - throughput and memory of the sensor (a benchmark, not a test).
 *
 *   bench_sensor [--sessions N] [--packets-per-session M] [--keep FILE] [--reps R]
 *   (each loop runs R times, default 3; the best time is reported)
 *
 * Builds a synthetic capture (N concurrent outgoing calls, each a TCP/1723 control
 * connection with SCCRQ/SCCRP/OCRQ/OCRP, then M MPPE data packets per call,
 * interleaved across calls, then CDN), then prints in the same run:
 *   - a bare libpcap pcap_next_ex read loop over the file: packets/s (the baseline)
 *   - the sensor with all tracking on and events to /dev/null: packets/s, ns/packet
 *   - the ratio of the two
 *   - peak RSS, and bytes of state per active session at the peak
 */
#include <pcap/pcap.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <time.h>

#include "config.h"
#include "cursor.h"
#include "gre.h"
#include "mppe.h"
#include "pcap_writer.h"
#include "ppp.h"
#include "pptp_ctrl.h"
#include "sensor.h"
#include "sink.h"

static double now_s(void)
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
    uint8_t payload[1500], ppp[1600], out[1700];
    for (size_t i = 0; i < size; i++)
        payload[i] = (uint8_t)(i * 131 + call_id);
    wbuf pw;
    wbuf_init(&pw, ppp, sizeof ppp);
    struct mppe_hdr mh = {.encrypted = true, .coherency_count = (uint16_t)(s->gseq[!from_client] & 0xfff)};
    uint8_t mbuf[1600];
    wbuf mw;
    wbuf_init(&mw, mbuf, sizeof mbuf);
    mppe_encode(&mw, &mh, payload, size);
    struct ppp_frame pf = {.has_acfc_hdr = true, .pfc = false, .protocol = 0x00fd};
    ppp_encode(&pw, &pf, mbuf, wbuf_len(&mw));
    struct gre_hdr g;
    memset(&g, 0, sizeof g);
    g.k = true;
    g.s = true;
    g.version = 1;
    g.protocol = GRE_PROTO_PPP;
    g.call_id = call_id;
    g.has_seq = true;
    g.seq = s->gseq[!from_client]++;
    g.payload_length = (uint16_t)wbuf_len(&pw);
    wbuf gw;
    wbuf_init(&gw, out, sizeof out);
    gre_encode(&gw, &g, ppp, wbuf_len(&pw));
    if (from_client)
        pcapw_write_ip4(w, ts, s->cli, s->srv, 47, out, wbuf_len(&gw));
    else
        pcapw_write_ip4(w, ts, s->srv, s->cli, 47, out, wbuf_len(&gw));
}

static uint64_t make_capture(const char *path, uint32_t n, uint32_t per)
{
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
    for (uint32_t r = 0; r < per; r++)
        for (uint32_t i = 0; i < n; i++) {
            struct sess *s = &ss[i];
            int from_client = (r + i) & 1;
            gre_data(w, ts, s, from_client, from_client ? (uint16_t)(i / 64 + 1) : (uint16_t)(i + 1),
                     from_client ? 100 : 400);
            ts += 10;
            pk++;
        }
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

static long peak_rss_kb(void)
{
    struct rusage ru;
    getrusage(RUSAGE_SELF, &ru);
    return ru.ru_maxrss;
}

int main(int argc, char **argv)
{
    uint32_t n = 5000, per = 400;
    int reps = 3;
    const char *path = "/tmp/pptp-bench.pcap";
    for (int i = 1; i + 1 < argc; i += 2) {
        if (!strcmp(argv[i], "--sessions"))
            n = (uint32_t)atoi(argv[i + 1]);
        else if (!strcmp(argv[i], "--packets-per-session"))
            per = (uint32_t)atoi(argv[i + 1]);
        else if (!strcmp(argv[i], "--keep"))
            path = argv[i + 1];
        else if (!strcmp(argv[i], "--reps"))
            reps = atoi(argv[i + 1]) > 0 ? atoi(argv[i + 1]) : 1;
    }
    double t0 = now_s();
    uint64_t written = make_capture(path, n, per);
    printf("capture: %s, %u sessions, %u data packets each, %llu packets (built in %.1f s)\n", path, n, per,
           (unsigned long long)written, now_s() - t0);

    char err[PCAP_ERRBUF_SIZE];
    /* 1. bare libpcap read loop */
    double best_bare = 1e9;
    uint64_t count = 0;
    for (int rep = 0; rep < reps; rep++) {
        pcap_t *p = pcap_open_offline(path, err);
        struct pcap_pkthdr *h;
        const u_char *d;
        uint64_t sum = 0;
        count = 0;
        double t = now_s();
        while (pcap_next_ex(p, &h, &d) == 1) {
            sum += d[h->caplen - 1];
            count++;
        }
        t = now_s() - t;
        pcap_close(p);
        if (t < best_bare)
            best_bare = t;
        if (sum == 42)
            printf(" ");
    }
    /* 2. the sensor */
    struct sensor_config cfg;
    config_defaults(&cfg);
    cfg.n_pptp_ports = 1;
    cfg.pptp_ports[0] = 1723;
    cfg.observer_name = "bench";
    cfg.observer_hostname = "bench";
    cfg.interim_ns = 0;
    double best_sensor = 1e9;
    uint64_t state_peak = 0, active_peak = 0, events = 0;
    for (int rep = 0; rep < reps; rep++) {
        struct sink_set set;
        sink_set_init(&set);
        struct sink_opts so;
        memset(&so, 0, sizeof so);
        char e2[256];
        sink_set_add(&set, sink_open("/dev/null", &so, e2, sizeof e2));
        struct sensor *s = sensor_new(&cfg, &set);
        pcap_t *p = pcap_open_offline_with_tstamp_precision(path, PCAP_TSTAMP_PRECISION_NANO, err);
        struct pcap_pkthdr *h;
        const u_char *d;
        uint64_t i = 0;
        double t = now_s();
        while (pcap_next_ex(p, &h, &d) == 1) {
            struct capture_packet cp = {.ts_ns = (uint64_t)h->ts.tv_sec * 1000000000ull + (uint64_t)h->ts.tv_usec,
                                        .dlt = 1, .data = d, .caplen = h->caplen, .wirelen = h->len};
            sensor_packet(s, &cp);
            if (++i == written - n) { /* all calls up, before the CDNs */
                uint64_t b = sensor_state_bytes(s);
                if (b > state_peak)
                    state_peak = b;
                active_peak = sensor_get_stats(s)->calls_active;
            }
        }
        t = now_s() - t;
        sensor_finish(s, NULL);
        events = sensor_get_stats(s)->events;
        pcap_close(p);
        sensor_free(s);
        sink_set_close(&set);
        if (t < best_sensor)
            best_sensor = t;
    }
    double bare_pps = (double)count / best_bare, sens_pps = (double)count / best_sensor;
    printf("bare libpcap pcap_next_ex loop: %.2f Mpkt/s (%.1f ns/packet)\n", bare_pps / 1e6, 1e9 / bare_pps);
    printf("pptp-sensor, all tracking, events to /dev/null: %.2f Mpkt/s (%.1f ns/packet), %llu events\n",
           sens_pps / 1e6, 1e9 / sens_pps, (unsigned long long)events);
    printf("ratio sensor/bare: %.1f%% (target >= 70%%)\n", 100.0 * sens_pps / bare_pps);
    printf("active sessions at peak: %llu, state: %llu bytes = %.0f bytes/session (target <= 1024)\n",
           (unsigned long long)active_peak, (unsigned long long)state_peak,
           active_peak ? (double)state_peak / (double)active_peak : 0.0);
    printf("peak RSS: %.1f MiB\n", (double)peak_rss_kb() / 1024.0);
    return 0;
}
