/*
 * test_sensor_timers.c - timers run on packet time: idle_timeout precedence,
 * the sensor's own expiry (sensor_expired at the time it fell due), interim
 * reports, and the idle threshold setting.  Uses pcaps/idle_timeout.pcap: one
 * call that goes silent for 31 minutes before the client hangs up.
 */
#include <criterion/criterion.h>
#include <stdlib.h>
#include <string.h>

#include "sensor_run.h"
#include "test_env.h"

static void run(const char *args, const char *tag, char *ev, size_t n)
{
    char pcap[4096];
    source_path("pcaps/idle_timeout.pcap", pcap, sizeof pcap);
    cr_assert_eq(sensor_run(pcap, args, tag, ev, n), 0);
}

static void expect(const char *ev, const char *action, const char *fields, const char *want)
{
    char *got = sensor_query(ev, action, fields);
    cr_expect_str_eq(got, want, "%s [%s]", action, fields);
    free(got);
}

Test(timers, silence_over_the_idle_threshold_is_idle_timeout_whoever_hangs_up)
{
    char ev[4096];
    run("", "timers-default", ev, sizeof ev);
    expect(ev, "teardown", "pptp.teardown.reason pptp.teardown.initiator", "idle_timeout|client\n");
    /* default interim is 10 minutes: one at 10 min, one after the silence */
    cr_expect_eq(sensor_count(ev, "session_interim"), 2);
}

Test(timers, a_higher_idle_threshold_gives_the_hangup_reason)
{
    char ev[4096];
    run("--idle-timeout 40m --interim 5m", "timers-idle40", ev, sizeof ev);
    expect(ev, "teardown", "pptp.teardown.reason", "user_request\n");
    /* 5-minute interims: at 5 min, then one catch-up report after the 31-minute gap */
    expect(ev, "session_interim", "@timestamp", "2025-01-01T00:05:00.006000Z\n2025-01-01T00:21:00.034000Z\n");
}

Test(timers, the_sensor_expires_a_silent_call_when_its_timer_falls_due)
{
    char ev[4096];
    run("--expire 10m", "timers-expire", ev, sizeof ev);
    char *got = sensor_query(ev, "teardown", "@timestamp pptp.teardown.reason pptp.teardown.initiator");
    /* last packet of the call + 10 minutes, reported as sensor_expired */
    cr_expect(strncmp(got, "2025-01-01T00:10:00.", 20) == 0 && strstr(got, "|sensor_expired|sensor\n"), "%s", got);
    free(got);
    got = sensor_query(ev, "control_disconnect", "pptp.ctrl.reason");
    cr_expect(strncmp(got, "sensor_expired\n", 15) == 0, "%s", got);
    free(got);
}

Test(timers, interim_off)
{
    char ev[4096];
    run("--interim 0", "timers-nointerim", ev, sizeof ev);
    cr_expect_eq(sensor_count(ev, "session_interim"), 0);
}

/* ---- expiry order with many calls (the activity list is kept by window) ---- */

#include <time.h>

#include "pcap_writer.h"

#define EXP_CALLS 48
#define EXP_BASE_US 1735689600000000ull /* 2025-01-01T00:00:00Z */
#define EXP_US 5000000ull               /* --expire 5s */

struct exp_pkt {
    uint64_t t; /* microseconds from EXP_BASE_US */
    int call;   /* EXP_CALLS: the clock call */
};

static int exp_pkt_cmp(const void *a, const void *b)
{
    const struct exp_pkt *x = a, *y = b;
    return x->t < y->t ? -1 : x->t > y->t;
}

static uint32_t exp_client(int call) { return call == EXP_CALLS ? 0x0a000201u : 0x0a000101u + (uint32_t)call; }

/* "client|@timestamp|reason\n" for a teardown of call at t microseconds */
static size_t exp_line(char *out, size_t cap, int call, uint64_t t, const char *reason)
{
    uint32_t ip = exp_client(call);
    uint64_t us = EXP_BASE_US + t;
    time_t sec = (time_t)(us / 1000000);
    struct tm tm;
    gmtime_r(&sec, &tm);
    char ts[64];
    strftime(ts, sizeof ts, "%Y-%m-%dT%H:%M:%S", &tm);
    return (size_t)snprintf(out, cap, "%u.%u.%u.%u|%s.%06uZ|%s\n", ip >> 24, (ip >> 16) & 255, (ip >> 8) & 255, ip & 255,
                            ts, (unsigned)(us % 1000000), reason);
}

struct exp_live {
    int live;
    uint64_t last;
};

/* End, in the order they fell silent, the live calls the predicate picks. */
static size_t exp_end_all(struct exp_live *lv, uint64_t lim, uint64_t due_add, bool use_due, uint64_t now,
                          const char *reason, char *out, size_t cap)
{
    size_t n = 0;
    for (;;) {
        int pick = -1;
        for (int c = 0; c <= EXP_CALLS; c++)
            if (lv[c].live && lv[c].last <= lim && (pick < 0 || lv[c].last < lv[pick].last))
                pick = c;
        if (pick < 0)
            return n;
        n += exp_line(out + n, cap - n, pick, use_due ? lv[pick].last + due_add : now, reason);
        lv[pick].live = 0;
    }
}

Test(timers, silent_calls_expire_in_the_order_they_fell_silent)
{
    /* 48 GRE-only calls, each a few packets at random times in the first 20 s
     * (distinct timestamps: one call's activity often stays inside one activity
     * window, often crosses several), some active again after their expiry (a
     * new session), a few still active at the end (shutdown), and a clock call
     * every 100 ms for 40 s so the timers run.  The events must match a model of
     * exact least-recently-active expiry. */
    static struct exp_pkt pk[EXP_CALLS * 8 + 500];
    size_t n = 0;
    uint32_t r = 12345;
    for (int c = 0; c < EXP_CALLS; c++) {
        r = r * 1103515245u + 12345u;
        int k = 1 + (int)((r >> 16) % 6);
        for (int j = 0; j < k; j++) {
            r = r * 1103515245u + 12345u;
            pk[n++] = (struct exp_pkt){.t = (uint64_t)((r >> 8) % 20000) * 1000 + (uint64_t)c + 1, .call = c};
        }
        if (c % 8 == 0) /* active near the end: ended at shutdown */
            pk[n++] = (struct exp_pkt){.t = 38000000 + (uint64_t)c * 1000 + 7, .call = c};
    }
    for (uint64_t t = 0; t <= 40000000; t += 100000)
        pk[n++] = (struct exp_pkt){.t = t + 500, .call = EXP_CALLS};
    qsort(pk, n, sizeof pk[0], exp_pkt_cmp);

    char pcap[4096];
    scratch_path("expiry_order.pcap", pcap, sizeof pcap);
    pcapw *w = pcapw_open(pcap, 1);
    cr_assert(w);
    uint32_t seq[EXP_CALLS + 1] = {0};
    for (size_t i = 0; i < n; i++) {
        int c = pk[i].call;
        cr_assert_eq(pcapw_write_gre_mppe(w, EXP_BASE_US + pk[i].t, exp_client(c), 0x0a000001u, (uint16_t)(100 + c),
                                          ++seq[c], 40, 0x5a),
                     0);
    }
    pcapw_close(w);

    /* the model: timers at the first packet at or after each tick (1 s apart),
     * before the packet; expiry ends calls silent for 5 s or more */
    static char want[65536];
    size_t wn = 0;
    struct exp_live lv[EXP_CALLS + 1];
    memset(lv, 0, sizeof lv);
    uint64_t next_tick = 0;
    for (size_t i = 0; i < n; i++) {
        uint64_t now = pk[i].t;
        if (now >= next_tick) {
            next_tick = now + 1000000;
            if (now >= EXP_US)
                wn += exp_end_all(lv, now - EXP_US, EXP_US, true, 0, "sensor_expired", want + wn, sizeof want - wn);
        }
        lv[pk[i].call].live = 1;
        lv[pk[i].call].last = now;
    }
    wn += exp_end_all(lv, UINT64_MAX, 0, false, pk[n - 1].t, "sensor_shutdown", want + wn, sizeof want - wn);

    char ev[4096];
    cr_assert_eq(sensor_run(pcap, "--expire 5s", "timers-expiry-order", ev, sizeof ev), 0);
    char *got = sensor_query(ev, "teardown", "pptp.gre.client_ip @timestamp pptp.teardown.reason");
    cr_expect_str_eq(got, want);
    /* the model is not trivial: many expiries, some calls came back, some were left */
    cr_expect_gt(sensor_count(ev, "teardown"), EXP_CALLS + 3);
    cr_expect(strstr(want, "sensor_shutdown") != NULL);
    free(got);
}
