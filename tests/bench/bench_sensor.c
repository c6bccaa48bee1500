/*
 * bench_sensor.c - throughput and memory of the sensor (a benchmark, not a test).
 *
 *   bench_sensor [--sessions N] [--packets-per-session M] [--keep FILE] [--reps R] [--mem-only] [--reuse]
 *                [--burst B] [--order shuffle|rr]
 *   (each loop runs R times, default 3; the best time is reported; --mem-only runs
 *   only the in-memory sensor loop, e.g. under perf; --reuse reads an existing
 *   --keep FILE made by an earlier run with the same N, M, B and order instead of
 *   writing it; --burst B writes B consecutive packets of a call at a time,
 *   default 1: packet by packet across all calls; --order: each round visits the
 *   calls in a new random order (shuffle, the default: the worst case for caches)
 *   or in creation order (rr: a fixed stride through the calls' state, which the
 *   CPU's prefetchers follow, so it flatters))
 *
 * Builds a synthetic capture (N concurrent outgoing calls, each a TCP/1723 control
 * connection with SCCRQ/SCCRP/OCRQ/OCRP, then M MPPE data packets per call,
 * interleaved across calls, then CDN), then prints in the same run:
 *   - a bare libpcap pcap_next_ex read loop over the file: packets/s (the baseline)
 *   - the least a per-call tracker can do over the same file (floor_run below),
 *     with a dense 64-byte record and with the sensor's own footprint per packet
 *   - the sensor with all tracking on and events to /dev/null: packets/s, ns/packet
 *   - the ratio of the two
 *   - the sensor's own cost: the same packets held in memory and fed to the
 *     sensor with no file I/O (ns/packet of compute, the part this code controls)
 *   - peak RSS, and bytes of state per active session at the peak
 */
#include <pcap/pcap.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <time.h>

#include "bench_capture.h"
#include "config.h"
#include "sensor.h"
#include "session.h"
#include "sink.h"

/* The lines of struct call a data packet touches (session.h). */
#define CALL_HOT_LINES ((unsigned)((CALL_HOT_BYTES + 63) / 64))

/* A sensor writing its events to /dev/null. */
struct bench_sensor {
    struct sink_set set;
    struct sensor *s;
};

static void bench_sensor_open(struct bench_sensor *b, const struct sensor_config *cfg)
{
    sink_set_init(&b->set);
    struct sink_opts so;
    memset(&so, 0, sizeof so);
    char err[256];
    sink_set_add(&b->set, sink_open("/dev/null", &so, err, sizeof err));
    b->s = sensor_new(cfg, &b->set);
}

/* Finish (final teardowns and stats), free; the number of events it emitted. */
static uint64_t bench_sensor_close(struct bench_sensor *b)
{
    sensor_finish(b->s, NULL);
    uint64_t events = sensor_get_stats(b->s)->events;
    sensor_free(b->s);
    sink_set_close(&b->set);
    return events;
}

/* A packet of the capture held in memory. */
struct mem_pkt {
    uint64_t ts_ns;
    uint32_t caplen, len;
    size_t off;
};

/* Seconds spent in each phase of the capture (bench_capture.c's layout):
 * set-up (6 packets per session before the first data packet), data, teardown
 * (the CDNs, one per session). */
struct phases {
    double setup, data, teardown;
};

/* Feed every preloaded packet to fn; the elapsed seconds.  When ph is not NULL,
 * the time is also taken at the two phase boundaries (packet indices b1 and b2)
 * and the phases' seconds stored there. */
static double mem_loop(const struct mem_pkt *mp, const uint8_t *buf, uint64_t count,
                       void (*fn)(void *, const struct capture_packet *), void *arg, uint64_t b1, uint64_t b2,
                       struct phases *ph)
{
    uint64_t bound[3] = {b1 < count ? b1 : count, b2 < count ? b2 : count, count};
    double tb[4];
    tb[0] = bench_now_s();
    uint64_t i = 0;
    for (int k = 0; k < 3; k++) {
        for (; i < bound[k]; i++) {
            /* a capture hands the sensor a packet it has just copied (in cache):
             * fetch ahead so the loop measures the sensor, not memory streaming
             * (both lines the headers may span, far enough ahead for a slow
             * packet; one line 8 packets ahead left ~20 ns/packet of misses on
             * the packet itself in the random-order run) */
            if (i + 16 < count) {
                __builtin_prefetch(buf + mp[i + 16].off);
                __builtin_prefetch(buf + mp[i + 16].off + 64);
            }
            struct capture_packet cp = {.ts_ns = mp[i].ts_ns, .dlt = 1, .data = buf + mp[i].off,
                                        .caplen = mp[i].caplen, .wirelen = mp[i].len};
            fn(arg, &cp);
        }
        tb[k + 1] = bench_now_s();
    }
    if (ph)
        *ph = (struct phases){tb[1] - tb[0], tb[2] - tb[1], tb[3] - tb[2]};
    return tb[3] - tb[0];
}

/* The least a per-call tracker can do, as a second baseline over the same file:
 * a record per GRE key (destination address, Call ID) found through an
 * open-addressing table of 8-byte entries, with packets, bytes, last time and
 * the sequence number's progress updated per packet; nothing decoded beyond
 * the GRE header, no PPP, no events.  Records are `stride` bytes apart and a
 * packet writes `lines` cache lines of its record: one line of a dense array
 * is the least any tracker needs; three lines of a struct call sized slot is
 * the sensor's own footprint per data packet (CALL_HOT_BYTES), so the gap
 * between that and the sensor is what the sensor's work adds to its misses. */
struct floor_rec {
    uint32_t addr;
    uint16_t call_id, pad;
    uint64_t pkts, bytes, last_ns;
    uint32_t last_seq, lost;
};
struct floor_tab {
    uint64_t *ent; /* 0 = empty; else hash << 32 | record index + 1 */
    uint32_t mask;
    uint8_t *rec;
    uint32_t n, cap;
    size_t stride;
    unsigned lines;
};

static void floor_packet(struct floor_tab *ft, uint64_t ts_ns, const uint8_t *d, uint32_t caplen, uint32_t len)
{
    if (caplen < 14 + 20 + 8 || d[12] != 0x08 || d[13] != 0x00 || d[14 + 9] != 47)
        return;
    uint32_t ihl = (uint32_t)(d[14] & 15) * 4u;
    if (caplen < 14 + ihl + 8)
        return;
    const uint8_t *g = d + 14 + ihl;
    uint32_t addr = (uint32_t)d[30] << 24 | (uint32_t)d[31] << 16 | (uint32_t)d[32] << 8 | d[33];
    uint16_t call_id = (uint16_t)(g[6] << 8 | g[7]);
    uint32_t h = (addr ^ (uint32_t)call_id * 0x9e3779b1u) * 0x85ebca6bu;
    h ^= h >> 15;
    uint32_t i = h & ft->mask;
    struct floor_rec *r = NULL;
    for (;; i = (i + 1) & ft->mask) {
        uint64_t e = ft->ent[i];
        if (!e)
            break;
        if ((uint32_t)(e >> 32) == h) {
            struct floor_rec *c = (struct floor_rec *)(ft->rec + (size_t)((uint32_t)e - 1) * ft->stride);
            if (c->addr == addr && c->call_id == call_id) {
                r = c;
                break;
            }
        }
    }
    if (!r) {
        if (ft->n == ft->cap)
            return;
        r = (struct floor_rec *)(ft->rec + (size_t)ft->n * ft->stride);
        memset(r, 0, ft->stride);
        r->addr = addr, r->call_id = call_id;
        ft->ent[i] = (uint64_t)h << 32 | (++ft->n);
    }
    r->pkts++;
    r->bytes += len;
    r->last_ns = ts_ns;
    if ((g[0] & 0x10) && caplen >= 14 + ihl + 12) {
        uint32_t seq = (uint32_t)g[8] << 24 | (uint32_t)g[9] << 16 | (uint32_t)g[10] << 8 | g[11];
        if (r->pkts > 1 && seq != r->last_seq + 1)
            r->lost += seq - r->last_seq - 1;
        r->last_seq = seq;
    }
    for (unsigned k = 1; k < ft->lines; k++) /* the record's other hot lines: a counter each */
        ((uint64_t *)((uint8_t *)r + 64 * k))[0] += len;
}

/* Best seconds of reps runs of the least tracker over the capture at path. */
static double floor_run(const char *path, uint32_t sessions, size_t stride, unsigned lines, int reps)
{
    double best = 1e9;
    char err[PCAP_ERRBUF_SIZE];
    for (int rep = 0; rep < reps; rep++) {
        struct floor_tab ft = {.mask = 1, .cap = 2 * sessions + 16, .stride = stride, .lines = lines};
        while ((ft.mask + 1) * 3u < ft.cap * 4u) /* at most 3/4 full */
            ft.mask = ft.mask * 2 + 1;
        ft.ent = calloc((size_t)ft.mask + 1, sizeof *ft.ent);
        ft.rec = aligned_alloc(64, (size_t)ft.cap * stride);
        pcap_t *p = pcap_open_offline_with_tstamp_precision(path, PCAP_TSTAMP_PRECISION_NANO, err);
        if (!ft.ent || !ft.rec || !p) {
            fprintf(stderr, "bench_sensor: least tracker: %s\n", p ? "out of memory" : err);
            exit(1);
        }
        struct pcap_pkthdr *h;
        const u_char *d;
        double t = bench_now_s();
        while (pcap_next_ex(p, &h, &d) == 1)
            floor_packet(&ft, (uint64_t)h->ts.tv_sec * 1000000000ull + (uint64_t)h->ts.tv_usec, d, h->caplen, h->len);
        t = bench_now_s() - t;
        pcap_close(p);
        if (ft.n == 0)
            printf("(least tracker found no GRE) ");
        free(ft.ent);
        free(ft.rec);
        if (t < best)
            best = t;
    }
    return best;
}

/* Keep the smaller of each phase's time. */
static void phases_min(struct phases *best, const struct phases *p)
{
    if (p->setup < best->setup)
        best->setup = p->setup;
    if (p->data < best->data)
        best->data = p->data;
    if (p->teardown < best->teardown)
        best->teardown = p->teardown;
}

/* The harness's stand-in for the sensor: reads one byte of each packet. */
static void harness_sink(void *arg, const struct capture_packet *cp) { *(uint64_t *)arg += cp->data[0]; }

static void sensor_sink(void *arg, const struct capture_packet *cp) { sensor_packet(arg, cp); }

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
    uint32_t burst = 1;
    int shuffle = 1;
    bool mem_only = false, reuse = false;
    const char *path = "/tmp/pptp-bench.pcap";
    for (int i = 1; i < argc; i++) {
        const char *v = i + 1 < argc ? argv[i + 1] : "0";
        if (!strcmp(argv[i], "--mem-only"))
            mem_only = true;
        else if (!strcmp(argv[i], "--reuse"))
            reuse = true;
        else if (!strcmp(argv[i], "--sessions"))
            n = (uint32_t)atoi(v), i++;
        else if (!strcmp(argv[i], "--packets-per-session"))
            per = (uint32_t)atoi(v), i++;
        else if (!strcmp(argv[i], "--keep"))
            path = v, i++;
        else if (!strcmp(argv[i], "--burst"))
            burst = (uint32_t)atoi(v), i++;
        else if (!strcmp(argv[i], "--order")) {
            if (strcmp(v, "shuffle") && strcmp(v, "rr")) {
                fprintf(stderr, "bench_sensor: --order shuffle|rr\n");
                return 2;
            }
            shuffle = !strcmp(v, "shuffle"), i++;
        }
        else if (!strcmp(argv[i], "--reps"))
            reps = atoi(v) > 0 ? atoi(v) : 1, i++;
    }
    double t0 = bench_now_s();
    uint64_t written = 0;
    FILE *existing = reuse ? fopen(path, "rb") : NULL;
    if (existing) {
        fclose(existing);
        written = (uint64_t)n * per + 7ull * n; /* what bench_make_capture writes */
    } else {
        written = bench_make_capture_order(path, n, per, burst, shuffle);
    }
    printf("capture: %s, %u sessions, %u data packets each, %llu packets, bursts of %u, calls in %s order (built in "
           "%.1f s)\n",
           path, n, per, (unsigned long long)written, burst, shuffle ? "random" : "round-robin", bench_now_s() - t0);

    char err[PCAP_ERRBUF_SIZE];
    /* 1. bare libpcap read loop */
    double best_bare = 1e9;
    uint64_t count = 0;
    for (int rep = 0; rep < (mem_only ? 1 : reps); rep++) {
        pcap_t *p = pcap_open_offline(path, err);
        struct pcap_pkthdr *h;
        const u_char *d;
        uint64_t sum = 0;
        count = 0;
        double t = bench_now_s();
        while (pcap_next_ex(p, &h, &d) == 1) {
            sum += d[h->caplen - 1];
            count++;
        }
        t = bench_now_s() - t;
        pcap_close(p);
        if (t < best_bare)
            best_bare = t;
        if (sum == 42)
            printf(" ");
    }
    /* 1b. the least a per-call tracker does, over the same file: a dense
     * 64-byte record per key, and three lines of a struct call sized slot */
    double best_floor1 = mem_only ? 0 : floor_run(path, n, 64, 1, reps);
    double best_floor3 = mem_only ? 0 : floor_run(path, n, sizeof(struct call), CALL_HOT_LINES, reps);
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
    for (int rep = 0; rep < (mem_only ? 0 : reps); rep++) {
        struct bench_sensor bs;
        bench_sensor_open(&bs, &cfg);
        struct sensor *s = bs.s;
        pcap_t *p = pcap_open_offline_with_tstamp_precision(path, PCAP_TSTAMP_PRECISION_NANO, err);
        struct pcap_pkthdr *h;
        const u_char *d;
        uint64_t i = 0;
        double t = bench_now_s();
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
        t = bench_now_s() - t;
        pcap_close(p);
        events = bench_sensor_close(&bs);
        if (t < best_sensor)
            best_sensor = t;
    }
    /* peak RSS of the two file runs, before the preload below inflates it */
    long rss_files_kb = peak_rss_kb();
    /* 3. the sensor alone: packets preloaded into memory, no file reading */
    struct mem_pkt *mp = calloc(count, sizeof *mp);
    size_t cap = 1 << 20, used = 0;
    uint8_t *buf = malloc(cap);
    {
        pcap_t *p = pcap_open_offline_with_tstamp_precision(path, PCAP_TSTAMP_PRECISION_NANO, err);
        struct pcap_pkthdr *h;
        const u_char *d;
        uint64_t i = 0;
        while (i < count && pcap_next_ex(p, &h, &d) == 1) {
            if (used + h->caplen > cap) {
                while (used + h->caplen > cap)
                    cap *= 2;
                buf = realloc(buf, cap);
            }
            memcpy(buf + used, d, h->caplen);
            mp[i] = (struct mem_pkt){(uint64_t)h->ts.tv_sec * 1000000000ull + (uint64_t)h->ts.tv_usec, h->caplen,
                                     h->len, used};
            used += h->caplen;
            i++;
        }
        pcap_close(p);
    }
    /* the same loop around a function that only reads the first byte: what the
     * harness itself costs, to take off the sensor's figure */
    uint64_t b1 = 6ull * n, b2 = written - n; /* first data packet, first CDN */
    double best_harness = 1e9;
    struct phases harness_ph = {1e9, 1e9, 1e9}, sensor_ph = {1e9, 1e9, 1e9}, ph;
    for (int rep = 0; rep < reps; rep++) {
        uint64_t sum = 0;
        double t = mem_loop(mp, buf, count, harness_sink, &sum, b1, b2, &ph);
        if (sum == 42)
            printf(" ");
        if (t < best_harness)
            best_harness = t;
        phases_min(&harness_ph, &ph);
    }
    double best_mem = 1e9, best_finish = 1e9;
    for (int rep = 0; rep < reps; rep++) {
        struct bench_sensor b;
        bench_sensor_open(&b, &cfg);
        double t = mem_loop(mp, buf, count, sensor_sink, b.s, b1, b2, &ph);
        /* sensor_finish: the control connections' control_disconnect events */
        double tf = bench_now_s();
        sensor_finish(b.s, NULL);
        tf = bench_now_s() - tf;
        bench_sensor_close(&b);
        if (t < best_mem)
            best_mem = t;
        if (tf < best_finish)
            best_finish = tf;
        phases_min(&sensor_ph, &ph);
    }
    free(mp);
    free(buf);

    double bare_pps = (double)count / best_bare, sens_pps = (double)count / best_sensor;
    printf("bare libpcap pcap_next_ex loop: %.2f Mpkt/s (%.1f ns/packet)\n", bare_pps / 1e6, 1e9 / bare_pps);
    if (!mem_only) {
        printf("least per-call tracker, one 64-byte record per key: %.1f ns/packet, %.1f%% of bare\n",
               1e9 * best_floor1 / (double)count, 100.0 * best_bare / best_floor1);
        printf("least per-call tracker, %u lines of a %zu-byte slot per key (the sensor's footprint): %.1f "
               "ns/packet, %.1f%% of bare\n",
               CALL_HOT_LINES, sizeof(struct call), 1e9 * best_floor3 / (double)count, 100.0 * best_bare / best_floor3);
    }
    printf("pptp-sensor, all tracking, events to /dev/null: %.2f Mpkt/s (%.1f ns/packet), %llu events\n",
           sens_pps / 1e6, 1e9 / sens_pps, (unsigned long long)events);
    printf("ratio sensor/bare: %.1f%% (target >= 70%%)\n", 100.0 * sens_pps / bare_pps);
    printf("sensor alone (packets preloaded in memory, no file I/O): %.1f ns/packet (%.2f Mpkt/s), of which the "
           "harness loop %.1f: sensor compute %.1f ns/packet\n",
           1e9 * best_mem / (double)count, (double)count / best_mem / 1e6, 1e9 * best_harness / (double)count,
           1e9 * (best_mem - best_harness) / (double)count);
    {
        /* each phase's best time less the harness loop's over the same packets */
        double su = sensor_ph.setup - harness_ph.setup, da = sensor_ph.data - harness_ph.data,
               td = sensor_ph.teardown - harness_ph.teardown;
        uint64_t ndata = b2 > b1 ? b2 - b1 : 0;
        printf("phases of sensor compute (best of %d each): set-up %.1f ms (%.2f us/session), data %.1f ms "
               "(%.1f ns/packet), teardown %.1f ms (%.2f us/session); sensor_finish %.1f ms (%.2f us/session)\n",
               reps, 1e3 * su, n ? 1e6 * su / n : 0.0, 1e3 * da, ndata ? 1e9 * da / (double)ndata : 0.0, 1e3 * td,
               n ? 1e6 * td / n : 0.0, 1e3 * best_finish, n ? 1e6 * best_finish / n : 0.0);
    }
    printf("active sessions at peak: %llu, state: %llu bytes = %.0f bytes/session (target <= 1024)\n",
           (unsigned long long)active_peak, (unsigned long long)state_peak,
           active_peak ? (double)state_peak / (double)active_peak : 0.0);
    printf("peak RSS: %.1f MiB (file runs: sensor, libpcap, capture building); %.1f MiB with the in-memory "
           "copy of the capture\n",
           (double)rss_files_kb / 1024.0, (double)peak_rss_kb() / 1024.0);
    return 0;
}
