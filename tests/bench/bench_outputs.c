/*
 * bench_outputs.c - what outputs cost (a benchmark, not a test).
 *
 *   bench_outputs [--events N] [--sessions N] [--packets-per-session M]
 *
 * 1. Delivery rate per output: N ~1 KiB events emitted into one queued
 *    output (offline mode: backpressure, nothing dropped) until all are
 *    delivered: JSON file, syslog UDP and TCP to receivers on 127.0.0.1 (threads
 *    that read and discard), Kafka to librdkafka's mock cluster (in process,
 *    3 brokers, acks from the mock).  Events/s.
 * 2. Cost on the capture path: the sensor run on a synthetic capture (the
 *    bench_sensor generator: calls with control messages, MPPE data, CDN) with
 *    no output, then with each output on (live mode: the capture thread only
 *    renders and queues).  Packets/s both ways, the capture thread's extra
 *    time per event, and what that costs at 10,000 events/s (target < 10%).
 */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <librdkafka/rdkafka.h>
#include <librdkafka/rdkafka_mock.h>
#include <netinet/in.h>
#include <pcap/pcap.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "bench_capture.h"
#include "config.h"
#include "json.h"
#include "sensor.h"
#include "sink.h"

/* ---- receivers ------------------------------------------------------------ */

static volatile int stop_rx;
static uint64_t rx_bytes;

static void *udp_rx(void *arg)
{
    int fd = *(int *)arg;
    char buf[65536];
    struct timeval tv = {0, 100000};
    setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
    while (!stop_rx) {
        ssize_t r = recv(fd, buf, sizeof buf, 0);
        if (r > 0)
            __atomic_fetch_add(&rx_bytes, (uint64_t)r, __ATOMIC_RELAXED);
    }
    return NULL;
}

static void *tcp_rx(void *arg)
{
    int lfd = *(int *)arg;
    char buf[65536];
    struct timeval tv = {0, 100000};
    setsockopt(lfd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
    while (!stop_rx) {
        int fd = accept(lfd, NULL, NULL);
        if (fd < 0)
            continue;
        setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
        while (!stop_rx) {
            ssize_t r = recv(fd, buf, sizeof buf, 0);
            if (r == 0)
                break;
            if (r > 0)
                __atomic_fetch_add(&rx_bytes, (uint64_t)r, __ATOMIC_RELAXED);
        }
        close(fd);
    }
    return NULL;
}

static int listen_on(int type, int *port)
{
    int fd = socket(AF_INET, type, 0);
    struct sockaddr_in a = {.sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
    socklen_t l = sizeof a;
    int big = 8 << 20;
    setsockopt(fd, SOL_SOCKET, SO_RCVBUFFORCE, &big, sizeof big);
    if (bind(fd, (struct sockaddr *)&a, sizeof a) || getsockname(fd, (struct sockaddr *)&a, &l) ||
        (type == SOCK_STREAM && listen(fd, 8))) {
        perror("receiver");
        exit(1);
    }
    *port = ntohs(a.sin_port);
    return fd;
}

/* ---- 1. delivery rate ------------------------------------------------------ */

static ev E;

static void teardown_event(uint64_t seq)
{
    uint8_t a[4] = {10, 0, 0, 1}, b[4] = {192, 168, 1, 2};
    ev_reset(&E);
    ev_set_time(&E, "@timestamp", 1763627525123456789LL);
    ev_set_str(&E, "event.kind", "event");
    ev_set_str(&E, "event.dataset", "pptp.session");
    ev_set_str(&E, "event.action", "teardown");
    ev_set_uint(&E, "event.sequence", seq);
    ev_set_str(&E, "event.outcome", "success");
    ev_set_str(&E, "log.level", "info");
    ev_set_str(&E, "observer.hostname", "sensor-1");
    ev_set_str(&E, "observer.name", "pptp-sensor");
    ev_set_str(&E, "observer.type", "sensor");
    ev_set_str(&E, "observer.product", "pptp-sensor");
    ev_set_str(&E, "observer.version", "0.1.0");
    ev_set_uint(&E, "pptp.schema_version", 1);
    char sid[20];
    snprintf(sid, sizeof sid, "%016llx", (unsigned long long)(seq % 1000));
    ev_set_str(&E, "pptp.session_id", sid);
    ev_set_str(&E, "pptp.control_id", "00000000000000aa");
    ev_set_ip(&E, "source.ip", AF_INET, a);
    ev_set_int(&E, "source.port", 50123);
    ev_set_ip(&E, "destination.ip", AF_INET, b);
    ev_set_int(&E, "destination.port", 1723);
    ev_set_str(&E, "network.transport", "gre");
    ev_set_str(&E, "network.community_id", "1:LQU9qZlK+B5F3KDmev6m5PMibrg=");
    ev_set_int(&E, "pptp.call.pns_call_id", 7);
    ev_set_int(&E, "pptp.call.pac_call_id", 4242);
    ev_set_str(&E, "user.name", "alice");
    ev_set_str(&E, "user.domain", "CORP");
    ev_set_str(&E, "pptp.teardown.reason", "user_request");
    ev_set_str(&E, "pptp.teardown.initiator", "client");
    ev_set_uint(&E, "source.bytes", 123456);
    ev_set_uint(&E, "source.packets", 789);
    ev_set_uint(&E, "destination.bytes", 654321);
    ev_set_uint(&E, "destination.packets", 987);
    ev_set_uint(&E, "pptp.gre.lost", 1);
    ev_set_uint(&E, "pptp.gre.reordered", 2);
    ev_set_time(&E, "event.start", 1763627500000000000LL);
    ev_set_time(&E, "event.end", 1763627525123456789LL);
    ev_set_uint(&E, "event.duration", 25123456789ULL);
    ev_add_ip_array(&E, "related.ip", AF_INET, a);
    ev_add_ip_array(&E, "related.ip", AF_INET, b);
    ev_add_str_array(&E, "related.user", "alice");
}

static void delivery(const char *label, const char *spec, uint64_t n)
{
    struct sink_set set;
    sink_set_init(&set);
    sink_set_mode(&set, SINK_MODE_BLOCK);
    sink_set_flush_timeout(&set, 60 * 1000000000LL);
    char err[512];
    struct sink_opts o = {.queue_events = 4096};
    struct sink *s = sink_open(spec, &o, err, sizeof err);
    if (!s) {
        printf("%-14s cannot open %s: %s\n", label, spec, err);
        return;
    }
    sink_set_add(&set, s);
    teardown_event(0);
    char line[EV_JSON_MAX + 1];
    size_t len = ev_to_json(&E, line, sizeof line);
    double t = bench_now_s();
    for (uint64_t i = 1; i <= n; i++) {
        ev_set_uint(&E, "event.sequence", i);
        sink_set_emit(&set, &E);
    }
    double t_emit = bench_now_s() - t;
    struct sink_report rep[SINK_SET_MAX];
    size_t nr;
    sink_set_close_report(&set, rep, &nr);
    t = bench_now_s() - t;
    printf("%-14s %8.0f events/s delivered (%.1f MB/s of %zu-byte JSON events), sent %llu failed %llu dropped %llu; "
           "emit side %.2f us/event\n",
           label, (double)n / t, (double)n * (double)len / t / 1e6, len, (unsigned long long)rep[0].written,
           (unsigned long long)rep[0].failed, (unsigned long long)rep[0].dropped, t_emit / (double)n * 1e6);
}

/* ---- 2. capture path -------------------------------------------------------- */

struct run_result {
    double pps, seconds;
    uint64_t events, dropped;
};

static struct run_result run_sensor(const char *path, const char *spec)
{
    struct sensor_config cfg;
    config_defaults(&cfg);
    cfg.n_pptp_ports = 1;
    cfg.pptp_ports[0] = 1723;
    cfg.observer_name = "bench";
    cfg.observer_hostname = "bench";
    cfg.interim_ns = 0;
    struct run_result best = {0};
    for (int rep = 0; rep < 3; rep++) {
        struct sink_set set;
        sink_set_init(&set);
        sink_set_mode(&set, SINK_MODE_DROP); /* live: never wait */
        char err[512];
        if (spec) {
            struct sink_opts o = {.queue_events = 65536};
            struct sink *k = sink_open(spec, &o, err, sizeof err);
            if (!k) {
                printf("cannot open %s: %s\n", spec, err);
                exit(1);
            }
            sink_set_add(&set, k);
        }
        struct sensor *s = sensor_new(&cfg, &set);
        char e2[PCAP_ERRBUF_SIZE];
        pcap_t *p = pcap_open_offline_with_tstamp_precision(path, PCAP_TSTAMP_PRECISION_NANO, e2);
        struct pcap_pkthdr *h;
        const u_char *d;
        uint64_t count = 0;
        double t = bench_now_s();
        while (pcap_next_ex(p, &h, &d) == 1) {
            struct capture_packet cp = {.ts_ns = (uint64_t)h->ts.tv_sec * 1000000000ull + (uint64_t)h->ts.tv_usec,
                                        .dlt = 1, .data = d, .caplen = h->caplen, .wirelen = h->len};
            sensor_packet(s, &cp);
            count++;
        }
        sensor_finish(s, NULL);
        t = bench_now_s() - t;
        uint64_t events = sensor_get_stats(s)->events, dropped = set.n ? set.sinks[0]->c.dropped : 0;
        pcap_close(p);
        sensor_free(s);
        sink_set_close(&set);
        if (best.seconds == 0 || t < best.seconds) {
            best.seconds = t;
            best.pps = (double)count / t;
            best.events = events;
            best.dropped = dropped;
        }
    }
    return best;
}

int main(int argc, char **argv)
{
    uint64_t n_events = 200000;
    uint32_t n = 20000, per = 10;
    for (int i = 1; i + 1 < argc; i += 2) {
        if (!strcmp(argv[i], "--events"))
            n_events = strtoull(argv[i + 1], NULL, 10);
        else if (!strcmp(argv[i], "--sessions"))
            n = (uint32_t)atoi(argv[i + 1]);
        else if (!strcmp(argv[i], "--packets-per-session"))
            per = (uint32_t)atoi(argv[i + 1]);
    }
    int uport, tport;
    int ufd = listen_on(SOCK_DGRAM, &uport), tfd = listen_on(SOCK_STREAM, &tport);
    pthread_t ut, tt;
    pthread_create(&ut, NULL, udp_rx, &ufd);
    pthread_create(&tt, NULL, tcp_rx, &tfd);
    char err[512];
    rd_kafka_conf_t *kc = rd_kafka_conf_new();
    rd_kafka_conf_set(kc, "log_level", "2", err, sizeof err);
    rd_kafka_t *mrk = rd_kafka_new(RD_KAFKA_PRODUCER, kc, err, sizeof err);
    rd_kafka_mock_cluster_t *mc = rd_kafka_mock_cluster_new(mrk, 3);
    rd_kafka_mock_topic_create(mc, "pptp.session", 4, 3);
    rd_kafka_mock_topic_create(mc, "pptp.stats", 4, 3);

    char file_spec[256], udp_spec[256], tcp_spec[256], kafka_spec[1024];
    snprintf(file_spec, sizeof file_spec, "file:/tmp/pptp-bench-outputs.jsonl");
    snprintf(udp_spec, sizeof udp_spec, "syslog+udp://127.0.0.1:%d", uport);
    snprintf(tcp_spec, sizeof tcp_spec, "syslog+tcp://127.0.0.1:%d", tport);
    snprintf(kafka_spec, sizeof kafka_spec, "kafka://%s?compression=lz4", rd_kafka_mock_cluster_bootstraps(mc));
    const char *labels[] = {"json file", "syslog udp", "syslog tcp", "kafka (mock)"};
    const char *specs[] = {file_spec, udp_spec, tcp_spec, kafka_spec};

    printf("1. delivery rate, %llu events of the 42-field teardown kind, one queued output, offline mode\n",
           (unsigned long long)n_events);
    for (int i = 0; i < 4; i++) {
        unlink("/tmp/pptp-bench-outputs.jsonl");
        delivery(labels[i], specs[i], n_events);
    }

    const char *path = "/tmp/pptp-bench-outputs.pcap";
    uint64_t pk = bench_make_capture(path, n, per);
    printf("\n2. capture path: %u calls, %u data packets each, %llu packets; live mode (drop when full)\n", n, per,
           (unsigned long long)pk);
    struct run_result off = run_sensor(path, NULL);
    printf("%-14s %6.3f Mpkt/s, %llu events (%.0f events/s at this packet rate)\n", "no output", off.pps / 1e6,
           (unsigned long long)off.events, (double)off.events / off.seconds);
    for (int i = 0; i < 4; i++) {
        unlink("/tmp/pptp-bench-outputs.jsonl");
        struct run_result on = run_sensor(path, specs[i]);
        double extra_per_event = (on.seconds - off.seconds) / (double)on.events;
        if (extra_per_event < 0)
            extra_per_event = 0;
        printf("%-14s %6.3f Mpkt/s (%.1f%% of no output), capture thread +%.2f us/event -> %.2f%% of the capture "
               "thread at 10,000 events/s (target < 10%%); dropped %llu\n",
               labels[i], on.pps / 1e6, 100.0 * on.pps / off.pps, extra_per_event * 1e6,
               100.0 * extra_per_event * 10000.0, (unsigned long long)on.dropped);
    }
    stop_rx = 1;
    pthread_join(ut, NULL);
    pthread_join(tt, NULL);
    rd_kafka_mock_cluster_destroy(mc);
    rd_kafka_destroy(mrk);
    unlink(path);
    unlink("/tmp/pptp-bench-outputs.jsonl");
    return 0;
}
