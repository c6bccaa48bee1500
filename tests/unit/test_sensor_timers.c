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
