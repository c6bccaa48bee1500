/*
 * test_out_engine.c - the output engine (outputs/engine.c, sink.c): each sink's
 * own queue and thread, live mode never blocking (a stalled sink has its
 * events counted dropped), offline backpressure without loss, the stall
 * bound, the bounded shutdown, counters and their invariant; the size cap that
 * shortens an event field by field; spec parsing; the CEF format field by
 * field with its escaping.
 */
#include <criterion/criterion.h>
#include <pthread.h>
#include <sys/socket.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cef.h"
#include "event.h"
#include "json.h"
#include "sink.h"
#include "spec.h"
#include "test_env.h"

static ev E;

static void make_event(ev *e, const char *dataset, int seq, const char *level)
{
    ev_reset(e);
    ev_set_time(e, "@timestamp", 1763627525123456000LL + seq * 1000LL);
    ev_set_str(e, "event.kind", "event");
    ev_set_str(e, "event.dataset", dataset);
    ev_set_str(e, "event.action", "teardown");
    ev_set_int(e, "event.sequence", seq);
    ev_set_str(e, "log.level", level);
    char sid[32];
    snprintf(sid, sizeof sid, "s%04d", seq % 7);
    ev_set_str(e, "pptp.session_id", sid);
}

/* ---- a sink whose delivery can be held, to stall its thread ------------- */

struct slow_sink {
    struct sink base;
    pthread_mutex_t mu;
    pthread_cond_t cv;
    bool hold;           /* write() waits while set (unless the sink must abort) */
    int delay_us;        /* per event */
    uint64_t last_seq;   /* order check */
    bool out_of_order;
    uint64_t got;
    bool saw_ev;         /* write() received an ev (must not, when queued) */
};

static int slow_write(struct sink *s, const struct sink_msg *m)
{
    struct slow_sink *k = (struct slow_sink *)s;
    pthread_mutex_lock(&k->mu);
    while (k->hold && !sink_should_abort(s)) {
        struct timespec ts;
        clock_gettime(CLOCK_REALTIME, &ts);
        ts.tv_nsec += 10 * 1000000;
        if (ts.tv_nsec >= 1000000000) {
            ts.tv_sec++;
            ts.tv_nsec -= 1000000000;
        }
        pthread_cond_timedwait(&k->cv, &k->mu, &ts);
    }
    bool abort_now = k->hold;
    pthread_mutex_unlock(&k->mu);
    if (abort_now) {
        s->c.failed++;
        return 0;
    }
    if (k->delay_us)
        usleep((useconds_t)k->delay_us);
    if (m->e)
        k->saw_ev = true;
    const char *p = strstr(m->line, "\"sequence\":");
    uint64_t seq = p ? strtoull(p + 11, NULL, 10) : 0;
    if (seq <= k->last_seq)
        k->out_of_order = true;
    k->last_seq = seq;
    k->got++;
    s->c.written++;
    s->c.bytes += m->len;
    return 0;
}

static int slow_flush(struct sink *s)
{
    (void)s;
    return 0;
}

static void slow_close(struct sink *s)
{
    struct slow_sink *k = (struct slow_sink *)s;
    pthread_mutex_destroy(&k->mu);
    pthread_cond_destroy(&k->cv);
    free(k);
}

static const struct sink_ops slow_ops = {slow_write, slow_flush, NULL, slow_close, NULL};

static struct slow_sink *slow_open(size_t queue_events, bool hold, int delay_us)
{
    struct slow_sink *k = calloc(1, sizeof *k);
    pthread_mutex_init(&k->mu, NULL);
    pthread_cond_init(&k->cv, NULL);
    k->hold = hold;
    k->delay_us = delay_us;
    struct sink_opts o = {.queue_events = queue_events, .name = "slow"};
    sink_init_common(&k->base, &slow_ops, "slow", "slow", &o);
    char err[128];
    cr_assert_eq(sink_async_start(&k->base, &o, err, sizeof err), 0, "%s", err);
    return k;
}

static void release(struct slow_sink *k)
{
    pthread_mutex_lock(&k->mu);
    k->hold = false;
    pthread_cond_broadcast(&k->cv);
    pthread_mutex_unlock(&k->mu);
}

static void assert_invariant(const struct sink *s)
{
    cr_assert_eq(s->c.queued, s->c.written + s->c.failed + s->c.dropped + sink_pending(s));
}

Test(out_engine, live_mode_never_blocks_on_a_stalled_output, .timeout = 60)
{
    struct sink_set set;
    cr_assert_eq(sink_set_init(&set), 0);
    sink_set_mode(&set, SINK_MODE_DROP);
    sink_set_flush_timeout(&set, 2 * 1000000000LL);
    struct slow_sink *k = slow_open(64, true, 0);
    sink_set_add(&set, &k->base);
    int64_t worst = 0, t0 = sink_now_ns();
    for (int i = 1; i <= 20000; i++) {
        make_event(&E, "pptp.session", i, "info");
        int64_t a = sink_now_ns();
        sink_set_emit(&set, &E);
        int64_t d = sink_now_ns() - a;
        if (d > worst)
            worst = d;
    }
    int64_t total = sink_now_ns() - t0;
    cr_assert_eq(k->base.c.queued, 20000);
    cr_assert_geq(k->base.c.dropped, 20000 - 64 - 1, "dropped %llu", (unsigned long long)k->base.c.dropped);
    cr_assert_lt(worst, 250 * 1000000LL, "one emit took %lld ns with the output stalled", (long long)worst);
    cr_assert_lt(total, 2000 * 1000000LL, "20000 emits took %lld ns", (long long)total);
    assert_invariant(&k->base);
    /* the output comes back: what was queued is delivered in order, and the
     * next events are accepted again */
    release(k);
    cr_assert(sink_set_drain(&set, 5 * 1000000000LL));
    uint64_t before = k->got;
    cr_assert_geq(before, 64);
    for (int i = 20001; i <= 20100; i++) {
        make_event(&E, "pptp.session", i, "info");
        sink_set_emit(&set, &E);
        if (i % 50 == 0)
            cr_assert(sink_set_drain(&set, 5 * 1000000000LL));
    }
    cr_assert(sink_set_drain(&set, 5 * 1000000000LL));
    cr_assert_eq(k->got, before + 100);
    cr_assert_not(k->out_of_order);
    cr_assert_not(k->saw_ev, "a queued sink gets the rendered line, not the ev");
    struct sink_report rep[SINK_SET_MAX];
    size_t n = 0;
    sink_set_close_report(&set, rep, &n);
    cr_assert_eq(n, 1);
    cr_assert_str_eq(rep[0].name, "slow");
    cr_assert_eq(rep[0].queued, 20100);
    cr_assert_eq(rep[0].queued, rep[0].written + rep[0].failed + rep[0].dropped);
    cr_assert_eq(rep[0].failed, 0);
}

Test(out_engine, offline_mode_applies_backpressure_and_loses_nothing, .timeout = 60)
{
    struct sink_set set;
    cr_assert_eq(sink_set_init(&set), 0);
    sink_set_mode(&set, SINK_MODE_BLOCK);
    struct slow_sink *k = slow_open(16, false, 200); /* 200 us per event: ~5000/s */
    sink_set_add(&set, &k->base);
    int64_t t0 = sink_now_ns();
    for (int i = 1; i <= 2000; i++) {
        make_event(&E, "pptp.alert", i, "warning");
        cr_assert_eq(sink_set_emit(&set, &E), 1);
    }
    int64_t took = sink_now_ns() - t0;
    /* the producer was slowed to the sink's pace: >= (2000-16) * 200 us */
    cr_assert_geq(took, (2000 - 16) * 200 * 1000LL, "emitting took %lld ns: no backpressure?", (long long)took);
    sink_set_close(&set);
    /* (k is freed by close; counters checked before through the report path below) */
}

Test(out_engine, offline_counts_are_exact_after_close, .timeout = 60)
{
    struct sink_set set;
    cr_assert_eq(sink_set_init(&set), 0);
    sink_set_mode(&set, SINK_MODE_BLOCK);
    struct slow_sink *k = slow_open(8, false, 50);
    sink_set_add(&set, &k->base);
    for (int i = 1; i <= 1000; i++) {
        make_event(&E, "pptp.frag", i, "notice");
        sink_set_emit(&set, &E);
    }
    cr_assert(sink_set_drain(&set, 10 * 1000000000LL));
    cr_assert_eq(k->got, 1000);
    cr_assert_not(k->out_of_order);
    cr_assert_eq(k->base.c.dropped, 0);
    cr_assert_eq(k->base.c.written, 1000);
    struct sink_report rep[SINK_SET_MAX];
    size_t n;
    sink_set_close_report(&set, rep, &n);
    cr_assert_eq(rep[0].written, 1000);
    cr_assert_eq(rep[0].failed + rep[0].dropped, 0);
}

Test(out_engine, offline_dead_output_is_bounded_by_the_stall_time, .timeout = 60)
{
    struct sink_set set;
    cr_assert_eq(sink_set_init(&set), 0);
    sink_set_mode(&set, SINK_MODE_BLOCK);
    sink_set_flush_timeout(&set, 300 * 1000000LL); /* also the stall bound */
    struct slow_sink *k = slow_open(16, true, 0);   /* never delivers */
    sink_set_add(&set, &k->base);
    int64_t t0 = sink_now_ns();
    for (int i = 1; i <= 500; i++) {
        make_event(&E, "pptp.session", i, "info");
        sink_set_emit(&set, &E);
    }
    int64_t took = sink_now_ns() - t0;
    cr_assert_lt(took, 3000 * 1000000LL, "a dead output held the producer %lld ns", (long long)took);
    cr_assert_geq(took, 250 * 1000000LL, "the producer should wait the stall time once");
    cr_assert_geq(k->base.c.dropped, 500 - 17);
    t0 = sink_now_ns();
    struct sink_report rep[SINK_SET_MAX];
    size_t n;
    sink_set_close_report(&set, rep, &n);
    took = sink_now_ns() - t0;
    cr_assert_lt(took, 3000 * 1000000LL, "close took %lld ns with a 300 ms flush timeout", (long long)took);
    cr_assert_eq(rep[0].written, 0);
    cr_assert_eq(rep[0].queued, 500);
    cr_assert_eq(rep[0].failed + rep[0].dropped, 500, "every event is accounted for");
    cr_assert_geq(rep[0].failed, 1, "what sat in the queue at the deadline is failed");
}

/* ---- the file sink through the engine ----------------------------------- */

Test(out_engine, queued_file_sink_writes_every_event_in_order)
{
    char path[4096];
    scratch_path("engine_file.jsonl", path, sizeof path);
    unlink(path);
    struct sink_set set;
    cr_assert_eq(sink_set_init(&set), 0);
    sink_set_mode(&set, SINK_MODE_BLOCK);
    char spec[4200], err[256];
    snprintf(spec, sizeof spec, "file:%s?queue=32&classes=session,alert&name=evfile", path);
    struct sink *s = sink_open(spec, NULL, err, sizeof err);
    cr_assert_not_null(s, "%s", err);
    cr_assert_str_eq(s->name, "evfile");
    cr_assert_not_null(s->q);
    sink_set_add(&set, s);
    for (int i = 1; i <= 3000; i++) {
        make_event(&E, i % 3 == 0 ? "pptp.stats" : "pptp.session", i, "info");
        sink_set_emit(&set, &E);
    }
    sink_set_close(&set);
    size_t len;
    char *c = read_file(path, &len);
    cr_assert_not_null(c);
    int lines = 0, last = 0;
    for (char *p = c; (p = strstr(p, "\"sequence\":")); p++) {
        int seq = atoi(p + 11);
        cr_assert_gt(seq, last);
        cr_assert_neq(seq % 3, 0, "stats were filtered out");
        last = seq;
        lines++;
    }
    cr_assert_eq(lines, 2000);
    free(c);
}

/* ---- size cap ------------------------------------------------------------ */

Test(out_engine, over_long_event_is_shortened_field_by_field_and_stays_valid)
{
    static ev scratch;
    static char buf[EV_JSON_MAX + 1], full[EV_JSON_MAX + 1];
    make_event(&E, "pptp.session", 42, "warning");
    ev_set_str(&E, "observer.hostname", "sensor-1");
    ev_set_str(&E, "source.ip", "10.0.0.1");
    char big[3000];
    memset(big, 'A', sizeof big - 1);
    big[sizeof big - 1] = '\0';
    ev_set_str(&E, "pptp.auth.message", big);
    big[1500] = '\0';
    ev_set_str(&E, "user.name", big);
    ev_set_int(&E, "source.port", 1723);
    size_t n = ev_to_json(&E, full, sizeof full);
    cr_assert_gt(n, 4000);
    size_t m = sink_render_max(SINK_FMT_JSON, &E, 2000, &scratch, buf, sizeof buf);
    cr_assert_gt(m, 0);
    cr_assert_leq(m, 2000);
    /* the largest field went first; the envelope and smaller fields stayed */
    cr_assert_null(strstr(buf, "\"message\""));
    cr_assert_not_null(strstr(buf, "\"user\":{\"name\":\"AAAA"));
    cr_assert_not_null(strstr(buf, "\"truncated\":true"));
    cr_assert_not_null(strstr(buf, "\"session_id\":\"s0000\""));
    cr_assert_not_null(strstr(buf, "\"sequence\":42"));
    cr_assert_not_null(strstr(buf, "\"port\":1723"));
    /* valid JSON, checked by Python */
    char path[4096];
    scratch_path("shortened.json", path, sizeof path);
    FILE *f = fopen(path, "w");
    fputs(buf, f);
    fclose(f);
    char cmd[4300];
    snprintf(cmd, sizeof cmd, "python3 -c 'import json,sys; d=json.load(open(sys.argv[1])); "
                              "assert d[\"pptp\"][\"truncated\"] is True; print(\"ok\")' %s", path);
    int st;
    char *out = run_capture(cmd, &st);
    cr_assert_eq(st, 0, "%s", out ? out : "");
    free(out);
    /* a cap below the envelope: nothing fits, 0 */
    cr_assert_eq(sink_render_max(SINK_FMT_JSON, &E, 100, &scratch, buf, sizeof buf), 0);
    /* an event that fits is left alone */
    make_event(&E, "pptp.session", 43, "info");
    n = ev_to_json(&E, full, sizeof full);
    cr_assert_eq(sink_render_max(SINK_FMT_JSON, &E, 2000, &scratch, buf, sizeof buf), n);
    cr_assert_str_eq(buf, full);
}

Test(out_engine, sink_with_a_cap_counts_truncated_events)
{
    struct sink_set set;
    cr_assert_eq(sink_set_init(&set), 0);
    struct slow_sink *k = slow_open(64, false, 0);
    k->base.max_len = 600;
    sink_set_add(&set, &k->base);
    make_event(&E, "pptp.session", 1, "info");
    char big[2000];
    memset(big, 'x', sizeof big - 1);
    big[sizeof big - 1] = '\0';
    ev_set_str(&E, "user.name", big);
    cr_assert_eq(sink_set_emit(&set, &E), 1);
    cr_assert(sink_set_drain(&set, 5 * 1000000000LL));
    cr_assert_eq(k->base.c.truncated, 1);
    cr_assert_eq(k->base.c.written, 1);
    sink_set_close(&set);
}

/* ---- specs --------------------------------------------------------------- */

Test(out_engine, spec_parsing)
{
    struct sink_spec sp;
    char err[256];
    cr_assert_eq(sink_spec_parse("udp://127.0.0.1:5514?format=rfc5424&facility=local3&classes=alert,session&max=2048&cee=1",
                                 &sp, err, sizeof err), 0);
    cr_assert_str_eq(sp.transport, "udp");
    cr_assert_str_eq(sp.target, "127.0.0.1:5514");
    cr_assert_str_eq(sink_spec_get(&sp, "facility"), "local3");
    cr_assert_str_eq(sink_spec_get(&sp, "max"), "2048");
    cr_assert_eq(sink_spec_check(&sp, err, sizeof err), -1, "format, cee not asked for yet");
    sink_spec_get(&sp, "format");
    sink_spec_get(&sp, "cee");
    cr_assert_eq(sink_spec_check(&sp, err, sizeof err), 0, "%s", err); /* classes is common */
    sink_spec_free(&sp);

    cr_assert_eq(sink_spec_parse("//h1:9092,h2:9092?topic_prefix=ids.&X.linger.ms=5&ca=%2Fetc%2Fca%20x.pem", &sp, err,
                                 sizeof err), 0);
    cr_assert_null(sp.transport);
    cr_assert_str_eq(sp.target, "h1:9092,h2:9092");
    cr_assert_str_eq(sink_spec_get(&sp, "ca"), "/etc/ca x.pem");
    sink_spec_free(&sp);

    cr_assert_eq(sink_spec_parse("unix:///dev/log", &sp, err, sizeof err), 0);
    cr_assert_str_eq(sp.transport, "unix");
    cr_assert_str_eq(sp.target, "/dev/log");
    sink_spec_free(&sp);
    cr_assert_eq(sink_spec_parse("tcp://h?novalue", &sp, err, sizeof err), -1);

    char host[64];
    unsigned port;
    cr_assert_eq(sink_spec_hostport("[::1]:6514", host, sizeof host, &port, 514), 0);
    cr_assert_str_eq(host, "::1");
    cr_assert_eq(port, 6514);
    cr_assert_eq(sink_spec_hostport("collector", host, sizeof host, &port, 514), 0);
    cr_assert_eq(port, 514);
    cr_assert_eq(sink_spec_hostport("h:99999", host, sizeof host, &port, 514), -1);

    /* sink_open: errors name the problem */
    cr_assert_null(sink_open("syslog+udp://127.0.0.1:5514?bogus=1", NULL, err, sizeof err));
    cr_assert_str_eq(err, "unknown parameter 'bogus'");
    cr_assert_null(sink_open("syslog+udp://127.0.0.1?classes=nope", NULL, err, sizeof err));
    cr_assert_null(sink_open("syslog+carrier-pigeon://x", NULL, err, sizeof err));
    cr_assert_null(sink_open("syslog+udp://127.0.0.1?facility=local9", NULL, err, sizeof err));
    cr_assert_null(sink_open("syslog+udp://127.0.0.1?format=xml", NULL, err, sizeof err));
    cr_assert_null(sink_open("kafka://?x=1", NULL, err, sizeof err));
    cr_assert_null(sink_open("kafka://127.0.0.1:9?X.no.such.property=1", NULL, err, sizeof err));
    cr_assert(strstr(err, "no.such.property") != NULL, "%s", err);
    struct sink *s = sink_open("syslog+udp://127.0.0.1:9?format=rfc3164&format=cef&classes=alert&name=siem", NULL,
                               err, sizeof err);
    cr_assert_not_null(s, "%s", err);
    cr_assert_eq(s->format, SINK_FMT_CEF);
    cr_assert_eq(s->class_mask, EV_CLASS_BIT(EV_CLASS_ALERT));
    cr_assert_str_eq(s->name, "siem");
    cr_assert_str_eq(s->type, "syslog");
    sink_close(s);
}

/* ---- CEF ----------------------------------------------------------------- */

static ev CE;

Test(out_engine, cef_escaping)
{
    char out[256];
    cr_assert_eq(cef_escape_header("a|b\\c\nd", 7, out, sizeof out), 9);
    cr_assert_str_eq(out, "a\\|b\\\\c d");
    cr_assert_eq(cef_escape_value("a=b\\c\nd\re|f", 11, out, sizeof out), 15);
    cr_assert_str_eq(out, "a\\=b\\\\c\\nd\\re|f");
    /* UTF-8 kept, a lone byte becomes U+FFFD, other controls a space */
    cr_assert_neq(cef_escape_value("\xc3\xa9\xff\t", 4, out, sizeof out), (size_t)-1);
    cr_assert_str_eq(out, "\xc3\xa9\xef\xbf\xbd ");
    cr_assert_eq(cef_escape_value("abc", 3, out, 3), (size_t)-1);
    long long ms;
    cr_assert(cef_time_ms("2025-11-20T08:32:05.123456Z", &ms));
    cr_assert_eq(ms, 1763627525123LL);
    cr_assert(cef_time_ms("1970-01-01T00:00:00Z", &ms));
    cr_assert_eq(ms, 0);
    cr_assert_not(cef_time_ms("yesterday", &ms));
}

/* Split a CEF extension into key=value pairs (honouring \= and \\). */
static const char *cef_ext_get(const char *line, const char *key, char *out, size_t cap)
{
    /* the extension starts after the 7th unescaped '|' */
    int bars = 0;
    const char *p = line;
    for (; *p && bars < 7; p++) {
        if (*p == '\\' && p[1]) {
            p++;
            continue;
        }
        if (*p == '|')
            bars++;
    }
    size_t kl = strlen(key);
    while (*p) {
        /* p at a key */
        const char *eq = strchr(p, '=');
        if (!eq)
            return NULL;
        bool match = (size_t)(eq - p) == kl && strncmp(p, key, kl) == 0;
        /* value runs to the next " key=" (a space followed by an unescaped key and '=') */
        const char *v = eq + 1, *q = v;
        size_t n = 0;
        while (*q) {
            if (*q == '\\' && q[1]) {
                char c = q[1] == 'n' ? '\n' : q[1] == 'r' ? '\r' : q[1];
                if (match && n + 1 < cap)
                    out[n++] = c;
                q += 2;
                continue;
            }
            if (*q == ' ') {
                const char *k = q + 1;
                while (*k && *k != ' ' && *k != '=' && *k != '\\')
                    k++;
                if (*k == '=')
                    break;
            }
            if (match && n + 1 < cap)
                out[n++] = *q;
            q++;
        }
        if (match) {
            out[n] = '\0';
            return out;
        }
        p = *q ? q + 1 : q;
    }
    return NULL;
}

Test(out_engine, cef_line_field_by_field)
{
    static char line[EV_JSON_MAX + 1];
    ev *e = &CE;
    ev_reset(e);
    ev_set_time(e, "@timestamp", 1763627525123456789LL);
    ev_set_str(e, "event.kind", "event");
    ev_set_str(e, "event.dataset", "pptp.session");
    ev_set_str(e, "event.action", "auth_failure");
    ev_set_uint(e, "event.sequence", 17);
    ev_set_str(e, "event.outcome", "failure");
    ev_set_str(e, "log.level", "warning");
    ev_set_str(e, "observer.hostname", "sensor-1");
    ev_set_str(e, "observer.name", "dmz");
    ev_set_str(e, "observer.product", "pptp-sensor");
    ev_set_str(e, "observer.version", "0.1.0");
    ev_set_str(e, "pptp.session_id", "00ab");
    ev_set_str(e, "pptp.control_id", "00cd");
    uint8_t a[4] = {10, 0, 0, 1}, b[4] = {192, 168, 1, 2};
    ev_set_ip(e, "source.ip", AF_INET, a);
    ev_set_int(e, "source.port", 50123);
    ev_set_ip(e, "destination.ip", AF_INET, b);
    ev_set_int(e, "destination.port", 1723);
    ev_set_str(e, "network.transport", "gre");
    ev_set_str(e, "user.name", "ev|il=user\\x\nline2");
    ev_set_str(e, "user.domain", "CORP");
    ev_set_str(e, "pptp.auth.method", "mschapv2");
    ev_set_int(e, "pptp.auth.error_code", 691);
    size_t n = ev_to_cef(e, line, sizeof line);
    cr_assert_gt(n, 0);
    cr_assert_eq(strlen(line), n);
    cr_assert_null(strchr(line, '\n'), "one line");
    const char *hdr = "CEF:0|pptp-sensor|pptp-sensor|0.1.0|pptp.session:auth_failure|auth_failure|6|";
    cr_assert(strncmp(line, hdr, strlen(hdr)) == 0, "%s", line);
    char v[256];
    cr_assert_str_eq(cef_ext_get(line, "suser", v, sizeof v), "ev|il=user\\x\nline2");
    cr_assert_not_null(strstr(line, "suser=ev|il\\=user\\\\x\\nline2 "), "%s", line);
    cr_assert_str_eq(cef_ext_get(line, "sntdom", v, sizeof v), "CORP");
    cr_assert_str_eq(cef_ext_get(line, "rt", v, sizeof v), "1763627525123");
    cr_assert_str_eq(cef_ext_get(line, "src", v, sizeof v), "10.0.0.1");
    cr_assert_str_eq(cef_ext_get(line, "spt", v, sizeof v), "50123");
    cr_assert_str_eq(cef_ext_get(line, "dst", v, sizeof v), "192.168.1.2");
    cr_assert_str_eq(cef_ext_get(line, "dpt", v, sizeof v), "1723");
    cr_assert_str_eq(cef_ext_get(line, "proto", v, sizeof v), "gre");
    cr_assert_str_eq(cef_ext_get(line, "act", v, sizeof v), "auth_failure");
    cr_assert_str_eq(cef_ext_get(line, "cat", v, sizeof v), "pptp.session");
    cr_assert_str_eq(cef_ext_get(line, "outcome", v, sizeof v), "failure");
    cr_assert_str_eq(cef_ext_get(line, "externalId", v, sizeof v), "17");
    cr_assert_str_eq(cef_ext_get(line, "dvchost", v, sizeof v), "sensor-1");
    cr_assert_str_eq(cef_ext_get(line, "deviceExternalId", v, sizeof v), "dmz");
    cr_assert_str_eq(cef_ext_get(line, "cs1", v, sizeof v), "00ab");
    cr_assert_str_eq(cef_ext_get(line, "cs1Label", v, sizeof v), "pptpSessionId");
    cr_assert_str_eq(cef_ext_get(line, "cs2", v, sizeof v), "00cd");
    cr_assert_str_eq(cef_ext_get(line, "cs3", v, sizeof v), "mschapv2");
    cr_assert_str_eq(cef_ext_get(line, "cn1", v, sizeof v), "691");
    cr_assert_str_eq(cef_ext_get(line, "cn1Label", v, sizeof v), "authErrorCode");
    cr_assert_null(cef_ext_get(line, "c6a2", v, sizeof v), "IPv4 goes to src, not c6a2");

    /* an alert: rule.id is the signature, the message the name (| and \ escaped in the header) */
    ev_reset(e);
    ev_set_str(e, "event.dataset", "pptp.alert");
    ev_set_str(e, "event.action", "bruteforce");
    ev_set_str(e, "log.level", "critical");
    ev_set_str(e, "rule.id", "pptp.auth.bruteforce");
    ev_set_str(e, "message", "12 failures for a|b\\c");
    uint8_t a6[16] = {0x20, 0x01, 0x0d, 0xb8, [15] = 1};
    ev_set_ip(e, "source.ip", AF_INET6, a6);
    n = ev_to_cef(e, line, sizeof line);
    cr_assert_gt(n, 0);
    hdr = "CEF:0|pptp-sensor|pptp-sensor|0|pptp.auth.bruteforce|12 failures for a\\|b\\\\c|10|";
    cr_assert(strncmp(line, hdr, strlen(hdr)) == 0, "%s", line);
    cr_assert_str_eq(cef_ext_get(line, "c6a2", v, sizeof v), "2001:db8::1");
    cr_assert_str_eq(cef_ext_get(line, "msg", v, sizeof v), "12 failures for a|b\\c");
    cr_assert_null(cef_ext_get(line, "src", v, sizeof v));
    /* too small a buffer: 0 and "" */
    cr_assert_eq(ev_to_cef(e, line, 20), 0);
    cr_assert_str_eq(line, "");
}
