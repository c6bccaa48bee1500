/* bench_json.c - cost of a typical teardown event (40 fields, contract names):
 * building it with the setters, rendering it as JSON, and emitting it through
 * a file sink to /dev/null.  Usage: bench_json [iterations] */
#include <arpa/inet.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>

#include "event.h"
#include "json.h"
#include "sink.h"

static ev E;
static char J[EV_JSON_MAX];

static void build_teardown(ev *e, int64_t seq)
{
    static const uint8_t cli[4] = {192, 168, 10, 23}, srv[4] = {203, 0, 113, 5};
    int64_t t0 = 1763627525123456789LL;
    ev_reset(e);
    ev_set_time(e, "@timestamp", t0 + 3600000000000LL);
    ev_set_str(e, "event.kind", "event");
    ev_set_str(e, "event.dataset", "pptp.session");
    ev_set_str(e, "event.action", "teardown");
    ev_set_int(e, "event.sequence", seq);
    ev_set_str(e, "event.outcome", "success");
    ev_set_time(e, "event.start", t0);
    ev_set_time(e, "event.end", t0 + 3600000000000LL);
    ev_set_int(e, "event.duration", 3600000000000LL);
    ev_set_str(e, "log.level", "info");
    ev_set_str(e, "observer.hostname", "sensor-01");
    ev_set_str(e, "observer.type", "sensor");
    ev_set_str(e, "observer.product", "pptp-sensor");
    ev_set_int(e, "pptp.schema_version", 1);
    ev_set_str(e, "pptp.session_id", "c1a2b3c4d5e6f708-0001");
    ev_set_str(e, "pptp.control_id", "c1a2b3c4d5e6f708");
    ev_set_ip(e, "source.ip", AF_INET, cli);
    ev_set_int(e, "source.port", 50123);
    ev_set_ip(e, "destination.ip", AF_INET, srv);
    ev_set_int(e, "destination.port", 1723);
    ev_set_str(e, "network.transport", "gre");
    ev_set_str(e, "network.community_id", "1:+KlEHDT0vJgzs/eNmzHq0aSpRYw=");
    ev_set_str(e, "pptp.ctrl.community_id", "1:LQU9qZlK+B5F3KDmev6m5PMibrg=");
    ev_set_str(e, "pptp.gre.community_id", "1:+KlEHDT0vJgzs/eNmzHq0aSpRYw=");
    ev_set_int(e, "pptp.call.pns_call_id", 16384);
    ev_set_int(e, "pptp.call.pac_call_id", 3);
    ev_set_str(e, "user.name", "jmartin");
    ev_set_str(e, "user.domain", "CORP");
    ev_add_ip_array(e, "related.ip", AF_INET, cli);
    ev_add_ip_array(e, "related.ip", AF_INET, srv);
    ev_add_str_array(e, "related.user", "jmartin");
    ev_set_str(e, "pptp.teardown.reason", "user_request");
    ev_set_str(e, "pptp.teardown.initiator", "client");
    ev_set_uint(e, "source.bytes", 18234567);
    ev_set_uint(e, "source.packets", 20211);
    ev_set_uint(e, "destination.bytes", 254301223);
    ev_set_uint(e, "destination.packets", 190345);
    ev_set_uint(e, "pptp.gre.lost", 12);
    ev_set_uint(e, "pptp.gre.reordered", 3);
    ev_set_uint(e, "pptp.gre.duplicates", 0);
    ev_set_uint(e, "pptp.gre.ack_only", 5012);
    ev_set_uint(e, "pptp.frag.count", 0);
    ev_set_time(e, "pptp.last_activity", t0 + 3599000000000LL);
}

static double now_ns(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec * 1e9 + (double)ts.tv_nsec;
}

int main(int argc, char **argv)
{
    long iters = argc > 1 ? atol(argv[1]) : 200000;
    volatile size_t sink_len = 0;

    build_teardown(&E, 1);
    size_t len = ev_to_json(&E, J, sizeof J);
    printf("event: %zu fields (%u slots), arena %u bytes, JSON %zu bytes, dropped %u\n",
           ev_field_count(&E), E.nfields, E.arena_used, len, ev_dropped(&E));

    double t = now_ns();
    for (long i = 0; i < iters; i++)
        build_teardown(&E, i);
    double build = (now_ns() - t) / (double)iters;

    t = now_ns();
    for (long i = 0; i < iters; i++)
        sink_len += ev_to_json(&E, J, sizeof J);
    double render = (now_ns() - t) / (double)iters;

    struct sink_set set;
    char err[256];
    if (sink_set_init(&set) != 0 || sink_set_add(&set, sink_open("/dev/null", NULL, err, sizeof err)) != 0) {
        fprintf(stderr, "sink: %s\n", err);
        return 1;
    }
    t = now_ns();
    for (long i = 0; i < iters; i++)
        sink_set_emit(&set, &E);
    sink_set_flush(&set);
    double emit = (now_ns() - t) / (double)iters;
    sink_set_close(&set);

    printf("build (setters)        %7.0f ns/event\n", build);
    printf("ev_to_json             %7.0f ns/event  (%.0f MB/s)\n", render,
           (double)len / render * 1e3);
    printf("sink_set_emit (file)   %7.0f ns/event  (render + buffered write to /dev/null)\n", emit);
    printf("%s\n", J);
    return sink_len == 0;
}
