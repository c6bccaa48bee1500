/*
 * fuzz_detect.c - the sensor pipeline with every detector on and thresholds at
 * their lowest, fed arbitrary packets: alerts, fragmentation events and their
 * bounded tables must survive anything (no crash, no sanitizer report, no
 * dropped event field).  nDPI is off here (one detection module per input
 * would be too slow; nDPI is fuzzed by its own project).
 *
 * Input: records of [len: 2 bytes big endian][gap: 1 byte][len bytes of a raw
 * IP packet (DLT_RAW)].  gap advances packet time: low 4 bits in milliseconds,
 * high 4 bits in tens of seconds (timers, windows, fragment timeouts).
 * Seeds: tests/fuzz/corpus/fuzz_detect/ (sessions of pcaps/ in this format).
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "config.h"
#include "detect_config.h"
#include "sensor.h"
#include "sink.h"

static int null_write(struct sink *s, const struct sink_msg *m)
{
    if (m->e && ev_dropped(m->e))
        abort(); /* an event lost a field: a key or the slots were wrong */
    s->c.written++;
    return 0;
}
static int null_flush(struct sink *s) { (void)s; return 0; }
static void null_close(struct sink *s) { free(s); }
static const struct sink_ops null_ops = {.write = null_write, .flush = null_flush, .close = null_close};

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static struct sensor_config cfg;
    static struct detect_config dc;
    config_defaults(&cfg);
    cfg.pptp_ports[cfg.n_pptp_ports++] = 1723;
    cfg.observer_name = cfg.observer_hostname = "fuzz";
    detect_config_defaults(&dc);
    for (int r = 0; r < DR_COUNT; r++) {
        dc.r[r].threshold = 1 + (dc.r[r].threshold > 1);
        dc.r[r].high_threshold = 3;
        dc.r[r].max_per_minute = 1000000;
    }
    dc.ndpi.enabled = dc.ndpi.detect_ports = false;
    dc.max_sources = 16; /* exercise LRU eviction */
    cfg.detect = &dc;
    struct sink_set set;
    memset(&set, 0, sizeof set);
    if (sink_set_init(&set))
        return 0;
    struct sink *k = calloc(1, sizeof *k);
    if (!k) {
        sink_set_close(&set);
        return 0;
    }
    sink_init_common(k, &null_ops, "null", "null", NULL);
    sink_set_add(&set, k);
    struct sensor *s = sensor_new(&cfg, &set);
    if (s) {
        uint64_t t = 1700000000ull * 1000000000ull;
        size_t i = 0;
        while (i + 3 <= size) {
            size_t len = (size_t)data[i] << 8 | data[i + 1];
            uint8_t gap = data[i + 2];
            i += 3;
            if (len > size - i)
                len = size - i;
            t += (uint64_t)(gap & 0x0f) * 1000000ull + (uint64_t)(gap >> 4) * 10000000000ull;
            struct capture_packet p = {.ts_ns = t, .dlt = 101, .data = data + i, .caplen = (uint32_t)len,
                                       .wirelen = (uint32_t)len};
            sensor_packet(s, &p);
            i += len;
        }
        sensor_finish(s, NULL);
        if (getenv("FUZZ_DETECT_VERBOSE")) /* how many events an input produced */
            fprintf(stderr, "fuzz_detect: %zu bytes, %llu events\n", size, (unsigned long long)k->c.written);
        sensor_free(s);
    }
    sink_set_close(&set);
    return 0;
}
