/*
 * fuzz_sensor.c - the whole pipeline on hostile input: the input is a list of
 * packets [link-type byte][length byte][time step byte][frame bytes], fed to a
 * fresh sensor, which is then shut down.  Catches crashes, leaks and unbounded
 * growth anywhere between dispatch and event output.
 */
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "config.h"
#include "sensor.h"
#include "sink.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static const int dlts[] = {1, 12, 113, 276, 0, 105};
    struct sensor_config cfg;
    config_defaults(&cfg);
    cfg.n_pptp_ports = 1;
    cfg.pptp_ports[0] = 1723;
    cfg.observer_name = "fuzz";
    cfg.observer_hostname = "fuzz";
    cfg.interim_ns = 60ull * 1000000000ull;
    cfg.expire_timeout_ns = 120ull * 1000000000ull;
    cfg.max_calls = 64;
    cfg.max_ctrl = 64;
    struct sink_set set;
    if (sink_set_init(&set))
        return 0;
    struct sink_opts so;
    memset(&so, 0, sizeof so);
    char err[128];
    struct sink *out = sink_open("/dev/null", &so, err, sizeof err);
    if (out)
        sink_set_add(&set, out);
    struct sensor *s = sensor_new(&cfg, &set);
    if (s) {
        uint64_t ts = 1000000000ull;
        size_t off = 0;
        while (off + 3 <= size) {
            int dlt = dlts[data[off] % (sizeof dlts / sizeof dlts[0])];
            size_t len = data[off + 1];
            ts += (uint64_t)data[off + 2] * 250000000ull; /* up to ~64 s per packet */
            off += 3;
            if (len > size - off)
                len = size - off;
            struct capture_packet cp = {.ts_ns = ts, .dlt = dlt, .data = data + off, .caplen = (uint32_t)len,
                                        .wirelen = (uint32_t)len};
            sensor_packet(s, &cp);
            off += len;
        }
        sensor_finish(s, NULL);
        sensor_free(s);
    }
    sink_set_close(&set);
    return 0;
}
