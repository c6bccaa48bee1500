/*
 * test_out_kafka.c - the Kafka output against librdkafka's mock cluster, run as
 * a separate process (tests/tools/kafka_mock.c, 3 brokers, 4 partitions per
 * topic), with kcat consuming as an independent client: counts, topics, keys,
 * one partition per session and per-session order; every event delivered
 * exactly once after injected broker errors (rd_kafka_mock_push_request_errors,
 * idempotent producer); with no broker reachable, a bounded shutdown that
 * reports the undelivered events, for the library and for pptp-sensor.
 */
#include <criterion/criterion.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "event.h"
#include "proc_util.h"
#include "sink.h"
#include "test_env.h"

static pid_t mock_pid = -1;
static int mock_in = -1, mock_out = -1;
static char boot[512];

static const char *bindir(void)
{
    return getenv("PPTP_BINARY_DIR") ? getenv("PPTP_BINARY_DIR") : PPTP_BINARY_DIR;
}

static void setup(void)
{
    if (access("/usr/bin/kcat", X_OK) != 0)
        cr_skip_test("kcat not installed (scripts/install-deps.sh installs it)");
    char exe[4200], err[4200], name[64];
    snprintf(exe, sizeof exe, "%s/tests/kafka-mock", bindir());
    snprintf(name, sizeof name, "kafka-mock-%d.err", (int)getpid());
    scratch_path(name, err, sizeof err);
    char *argv[] = {exe, "-b", "3", "-p", "4", "-t",
                    "pptp.session,pptp.alert,pptp.frag,pptp.stats,pptp.unknown,ids.all", NULL};
    mock_pid = proc_start(argv, &mock_in, &mock_out, err);
    cr_assert_gt(mock_pid, 0);
    cr_assert(proc_read_line(mock_out, boot, sizeof boot, 15000), "kafka-mock printed no bootstrap servers");
    cr_assert(strchr(boot, ':') != NULL, "bootstrap: %s", boot);
}

static void teardown(void)
{
    if (mock_in >= 0)
        close(mock_in);
    proc_stop(mock_pid, 5000);
    if (mock_out >= 0)
        close(mock_out);
    mock_in = mock_out = -1;
    mock_pid = -1;
}

TestSuite(out_kafka, .init = setup, .fini = teardown, .timeout = 180);

static void mock_cmd(const char *cmd)
{
    char line[256];
    cr_assert_eq(write(mock_in, cmd, strlen(cmd)), (ssize_t)strlen(cmd));
    cr_assert(proc_read_line(mock_out, line, sizeof line, 5000));
    cr_assert_str_eq(line, "ok", "kafka-mock: %s", line);
}

static const char *const datasets[] = {"pptp.session", "pptp.alert", "pptp.frag", "pptp.stats"};
static ev E;

static void session_key(int seq, char *out, size_t cap)
{
    snprintf(out, cap, "%016x", 0xabc00 + seq % 11);
}

static void make_event(int seq)
{
    ev_reset(&E);
    ev_set_time(&E, "@timestamp", 1763627525123456000LL + seq * 1000LL);
    ev_set_str(&E, "event.dataset", datasets[seq % 4]);
    ev_set_str(&E, "event.action", "teardown");
    ev_set_uint(&E, "event.sequence", (uint64_t)seq);
    ev_set_str(&E, "log.level", "info");
    if (seq % 4 != 3) { /* stats carry no session */
        char sid[32];
        session_key(seq, sid, sizeof sid);
        ev_set_str(&E, "pptp.session_id", sid);
    }
    ev_set_str(&E, "user.name", "alice");
}

static struct sink_report produce(const char *spec, int n, int64_t flush_timeout_ns)
{
    struct sink_set set;
    cr_assert_eq(sink_set_init(&set), 0);
    sink_set_mode(&set, SINK_MODE_BLOCK);
    sink_set_flush_timeout(&set, flush_timeout_ns);
    char err[512];
    struct sink_opts o = {.queue_events = 512};
    struct sink *s = sink_open(spec, &o, err, sizeof err);
    cr_assert_not_null(s, "%s: %s", spec, err);
    sink_set_add(&set, s);
    for (int i = 1; i <= n; i++) {
        make_event(i);
        sink_set_emit(&set, &E);
    }
    struct sink_report rep[SINK_SET_MAX];
    size_t nr;
    sink_set_close_report(&set, rep, &nr);
    return rep[0];
}

struct msg {
    int partition;
    long offset;
    char key[40];
    long seq;
    char dataset[32];
};

/* Consume a topic from the beginning with kcat; returns the number of messages. */
static int consume(const char *topic, struct msg *out, int cap)
{
    char cmd[1024];
    snprintf(cmd, sizeof cmd, "timeout 30 kcat -C -b '%s' -t '%s' -o beginning -e -q -f '%%p|%%o|%%k|%%s\\n' 2>&1",
             boot, topic);
    int st;
    char *txt = run_capture(cmd, &st);
    cr_assert_not_null(txt);
    cr_assert_eq(st, 0, "kcat: %s", txt);
    int n = 0;
    char *save = NULL;
    for (char *line = strtok_r(txt, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
        cr_assert_lt(n, cap);
        struct msg *m = &out[n++];
        char *p1 = strchr(line, '|'), *p2 = p1 ? strchr(p1 + 1, '|') : NULL, *p3 = p2 ? strchr(p2 + 1, '|') : NULL;
        cr_assert(p3, "kcat line: %s", line);
        m->partition = atoi(line);
        m->offset = atol(p1 + 1);
        snprintf(m->key, sizeof m->key, "%.*s", (int)(p3 - p2 - 1), p2 + 1);
        const char *q = strstr(p3, "\"sequence\":");
        cr_assert_not_null(q, "%s", p3);
        m->seq = atol(q + 11);
        q = strstr(p3, "\"dataset\":\"");
        cr_assert_not_null(q);
        snprintf(m->dataset, sizeof m->dataset, "%.*s", (int)strcspn(q + 11, "\""), q + 11);
    }
    free(txt);
    return n;
}

/* Every event 1..n once; key = its session; one partition per key; order per key. */
static void check_delivery(struct msg *all, int count, int n)
{
    char *seen = calloc((size_t)n + 1, 1);
    for (int i = 0; i < count; i++) {
        struct msg *m = &all[i];
        cr_assert(m->seq >= 1 && m->seq <= n);
        cr_assert_eq(seen[m->seq], 0, "event %ld delivered twice", m->seq);
        seen[m->seq] = 1;
        char want[40] = "";
        if (m->seq % 4 != 3)
            session_key((int)m->seq, want, sizeof want);
        cr_assert_str_eq(m->key, want, "event %ld: key", m->seq);
        for (int j = 0; j < i; j++) {
            struct msg *o = &all[j];
            if (strcmp(o->key, m->key) || !m->key[0])
                continue;
            cr_assert_eq(o->partition, m->partition, "session %s spans partitions", m->key);
            /* within the partition, offsets follow the sequence */
            if (strcmp(o->dataset, m->dataset) == 0)
                cr_assert_eq(o->offset < m->offset, o->seq < m->seq, "session %s out of order", m->key);
        }
    }
    for (int s = 1; s <= n; s++)
        cr_assert(seen[s], "event %d never arrived", s);
    free(seen);
}

Test(out_kafka, topic_per_class_session_key_and_order)
{
    char spec[1024];
    snprintf(spec, sizeof spec, "kafka://%s?compression=lz4", boot);
    const int n = 2000;
    struct sink_report r = produce(spec, n, 20000000000LL);
    cr_assert_eq(r.written, (uint64_t)n, "written %llu failed %llu dropped %llu", (unsigned long long)r.written,
                 (unsigned long long)r.failed, (unsigned long long)r.dropped);
    static struct msg all[4000];
    int total = 0;
    for (int c = 0; c < 4; c++) {
        int got = consume(datasets[c], all + total, 4000 - total);
        cr_assert_eq(got, n / 4, "topic %s: %d messages", datasets[c], got);
        for (int i = total; i < total + got; i++)
            cr_assert_str_eq(all[i].dataset, datasets[c], "event %ld in topic %s", all[i].seq, datasets[c]);
        total += got;
    }
    check_delivery(all, total, n);
}

Test(out_kafka, every_event_arrives_once_after_broker_errors)
{
    /* the next Produce requests (ApiKey 0) fail: not leader, timeouts, not
     * enough replicas, dropped connections */
    mock_cmd("errors 0 6 7 19 -195 6 7 -195 19 7 6\n");
    char spec[1024];
    snprintf(spec, sizeof spec, "kafka://%s?single_topic=ids.all&compression=zstd&X.linger.ms=2&X.batch.num.messages=50",
             boot);
    const int n = 3000;
    struct sink_report r = produce(spec, n, 30000000000LL);
    cr_assert_eq(r.written, (uint64_t)n, "written %llu failed %llu", (unsigned long long)r.written,
                 (unsigned long long)r.failed);
    cr_assert_eq(r.failed, 0);
    static struct msg all[4000];
    int got = consume("ids.all", all, 4000);
    cr_assert_eq(got, n, "ids.all: %d messages, %d produced", got, n);
    check_delivery(all, got, n);
}

Test(out_kafka, no_broker_bounded_shutdown_reports_undelivered)
{
    char spec[256];
    snprintf(spec, sizeof spec, "kafka://127.0.0.1:%d", free_port(false));
    long long t0 = now_ms();
    struct sink_report r = produce(spec, 200, 1000000000LL);
    long long took = now_ms() - t0;
    cr_assert_lt(took, 5000, "shutdown took %lld ms with a 1 s flush timeout", took);
    cr_assert_eq(r.written, 0);
    cr_assert_eq(r.failed, 200, "undelivered events are counted failed (failed %llu dropped %llu)",
                 (unsigned long long)r.failed, (unsigned long long)r.dropped);
}

Test(out_kafka, pptp_sensor_with_a_dead_broker_finishes_within_the_bound)
{
    char pcap[4096];
    if (!external_pcap("packetlife__PPTP_negotiation.cap", pcap, sizeof pcap))
        cr_skip_test("shared/pcaps/external not present");
    char json[4200], cmd[12000];
    scratch_path("kafka-dead.jsonl", json, sizeof json);
    unlink(json);
    snprintf(cmd, sizeof cmd,
             "'%s/sensor/pptp-sensor' -r '%s' -w '%s' -o 'kafka://127.0.0.1:%d' -X message.timeout.ms=60000 "
             "--flush-timeout 1500ms 2>&1",
             bindir(), pcap, json, free_port(false));
    long long t0 = now_ms();
    int st;
    char *out = run_capture(cmd, &st);
    long long took = now_ms() - t0;
    cr_assert_eq(st, 0, "a dead broker must not stop the sensor: %s", out);
    cr_assert_lt(took, 6000, "took %lld ms with --flush-timeout 1500ms", took);
    cr_assert_not_null(strstr(out, "not delivered"), "%s", out);
    int events = wait_file_lines(json, 1000000, 0); /* just count */
    char want[128];
    snprintf(want, sizeof want, "failed %d, dropped 0", events);
    cr_assert_not_null(strstr(out, want), "expected '%s' in: %s", want, out);
    free(out);

    /* and with the mock up, the same run delivers everything */
    snprintf(cmd, sizeof cmd, "'%s/sensor/pptp-sensor' -r '%s' -o 'kafka://%s?name=k' --flush-timeout 10s 2>&1",
             bindir(), pcap, boot);
    out = run_capture(cmd, &st);
    cr_assert_eq(st, 0, "%s", out);
    cr_assert_eq(strlen(out), 0, "nothing lost, nothing to report: %s", out);
    free(out);
    static struct msg all[256];
    int got = 0;
    for (int c = 0; c < 4; c++)
        got += consume(datasets[c], all + got, 256 - got);
    cr_assert_eq(got, events);
}
