/*
 * test_reasm_memcap.c - all control-stream reassembly together stays under
 * --reasm-memcap: thousands of connections each holding out-of-order bytes
 * (a hole that never fills) cannot grow memory past the cap; the excess is
 * dropped and counted (pptp.reassembly_memcap), and processing goes on.
 */
#include <criterion/criterion.h>
#include <stdlib.h>
#include <string.h>

#include "pcap_writer.h"
#include "sensor_run.h"
#include "test_env.h"

static void write_holes(const char *path, int conns)
{
    pcapw *w = pcapw_open(path, 1);
    cr_assert_not_null(w);
    uint8_t junk[1200];
    memset(junk, 'x', sizeof junk);
    uint64_t ts = 1000000;
    for (int i = 0; i < conns; i++) {
        uint32_t cli = 0x0a100000u + (uint32_t)i, srv = 0x0a000001u;
        pcapw_write_tcp4(w, ts, cli, srv, 30000, 1723, 999, 0, 0x02, NULL, 0);
        /* bytes 1000..1099 never arrive; 1100.. is held out of order */
        pcapw_write_tcp4(w, ts + 1, cli, srv, 30000, 1723, 1100, 0, 0x18, junk, sizeof junk);
        ts += 1000; /* 1 ms per connection: periodic stats fall in the middle */
    }
    pcapw_close(w);
}

Test(reasm_memcap, many_held_holes_stay_under_the_cap)
{
    char pcap[4096], ev[4096];
    scratch_path("holes.pcap", pcap, sizeof pcap);
    write_holes(pcap, 3000); /* ~3000 x 1.4 KiB held = ~4 MiB wanted */
    cr_assert_eq(sensor_run(pcap, "--reasm-memcap 1 --stats-interval 1s", "holes", ev, sizeof ev), 0);
    char *v = sensor_query(ev, "stats", "pptp.stats.memory.reassembly_bytes pptp.stats.anomalies.pptp_reassembly_memcap");
    /* the periodic stats events mid-run: never above 1 MiB (plus one segment of slack) */
    int lines = 0, over = 0;
    long dropped_last = 0;
    for (char *line = strtok(v, "\n"); line; line = strtok(NULL, "\n")) {
        long bytes = atol(line);
        char *bar = strchr(line, '|');
        dropped_last = bar ? atol(bar + 1) : 0;
        if (bytes > 1024 * 1024 + 4096)
            over++;
        lines++;
    }
    cr_assert_geq(lines, 2, "periodic stats and the final one");
    cr_assert_eq(over, 0, "reassembly memory went over the cap");
    cr_assert_gt(dropped_last, 0, "held bytes were dropped and counted");
    free(v);
}

Test(reasm_memcap, a_few_holes_are_kept)
{
    char pcap[4096], ev[4096];
    scratch_path("holes-few.pcap", pcap, sizeof pcap);
    write_holes(pcap, 20);
    cr_assert_eq(sensor_run(pcap, "--reasm-memcap 1", "holes-few", ev, sizeof ev), 0);
    char *v = sensor_query(ev, "stats", "pptp.stats.anomalies.pptp_reassembly_memcap");
    cr_assert_str_eq(v, "\n", "nothing dropped under the cap");
    free(v);
}
