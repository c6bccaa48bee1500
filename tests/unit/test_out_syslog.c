/*
 * test_out_syslog.c - the syslog output against a real receiver: Debian's
 * rsyslogd, started by the test on 127.0.0.1 with UDP, TCP (octet counting and
 * LF) and TLS inputs (a CA, server and client certificate made here with
 * openssl; the TLS input demands a client certificate), each parsed by
 * rsyslog's mmjsonparse.  Every event must arrive exactly once, parse as JSON,
 * and carry the right severity, facility, APP-NAME, MSGID and fields; a
 * too-large event arrives shortened and still valid; a collector that comes
 * up late gets everything (reconnect with backoff); pptp-sensor itself, run
 * on a capture, delivers the same bytes to rsyslog as to its JSON file.
 * rsyslogd dies with the test (parent-death signal) on every path.
 */
#include <criterion/criterion.h>
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "event.h"
#include "proc_util.h"
#include "sink.h"
#include "test_env.h"

static char dir[512];
static int port_udp, port_tcp, port_tls, port_lf;
static pid_t rsyslog_pid = -1;

static void sh(const char *fmt, const char *arg)
{
    char cmd[8192];
    snprintf(cmd, sizeof cmd, fmt, arg, arg, arg, arg, arg, arg, arg, arg);
    int st;
    char *out = run_capture(cmd, &st);
    cr_assert_eq(st, 0, "%s failed: %s", cmd, out ? out : "");
    free(out);
}

static void make_certs(void)
{
    sh("cd %s && openssl req -x509 -newkey rsa:2048 -nodes -keyout ca.key -out ca.pem -days 2 -subj /CN=test-ca 2>&1"
       " && openssl req -newkey rsa:2048 -nodes -keyout server.key -out server.csr -subj /CN=localhost 2>&1"
       " && printf 'subjectAltName=IP:127.0.0.1,DNS:localhost\\n' > ext.cnf"
       " && openssl x509 -req -in server.csr -CA ca.pem -CAkey ca.key -CAcreateserial -out server.pem -days 2"
       " -extfile ext.cnf 2>&1"
       " && openssl req -newkey rsa:2048 -nodes -keyout client.key -out client.csr -subj /CN=sensor 2>&1"
       " && openssl x509 -req -in client.csr -CA ca.pem -CAkey ca.key -CAcreateserial -out client.pem -days 2 2>&1"
       " && openssl req -x509 -newkey rsa:2048 -nodes -keyout other.key -out other-ca.pem -days 2 -subj /CN=other 2>&1",
       dir);
}

/* Write an rsyslog config with the inputs whose port is > 0 and start it. */
static pid_t start_rsyslog(const char *d, int udp, int tcp, int tls, int lf)
{
    char conf[4200], path[4200];
    snprintf(conf, sizeof conf, "%s/rsyslog.conf", d);
    FILE *f = fopen(conf, "w");
    cr_assert_not_null(f);
    fprintf(f,
            "global(workDirectory=\"%s\" maxMessageSize=\"64k\"\n"
            "  defaultNetstreamDriverCAFile=\"%s/ca.pem\" defaultNetstreamDriverCertFile=\"%s/server.pem\"\n"
            "  defaultNetstreamDriverKeyFile=\"%s/server.key\")\n"
            "module(load=\"imudp\")\nmodule(load=\"imtcp\" maxSessions=\"50\")\nmodule(load=\"mmjsonparse\")\n"
            "template(name=\"t\" type=\"string\" string=\"%%syslogseverity%%|%%syslogfacility%%|%%app-name%%|"
            "%%msgid%%|%%hostname%%|%%$.ok%%|%%$!event!sequence%%|%%$!event!dataset%%|%%$!pptp!truncated%%|"
            "%%$!user!name%%|%%msg%%\\n\")\n",
            d, dir, dir, dir);
    const char *names[4] = {"udp", "tcp", "tls", "lf"};
    int ports[4] = {udp, tcp, tls, lf};
    for (int i = 0; i < 4; i++) {
        if (ports[i] <= 0)
            continue;
        fprintf(f,
                "ruleset(name=\"%s\") { action(type=\"mmjsonparse\"%s)\n"
                "  if $parsesuccess == \"OK\" then { set $.ok = \"OK\"; } else { set $.ok = \"FAIL\"; }\n"
                "  action(type=\"omfile\" file=\"%s/%s.log\" template=\"t\") }\n",
                names[i], i == 0 ? "" : " cookie=\"\"", d, names[i]);
        if (i == 0)
            fprintf(f, "input(type=\"imudp\" address=\"127.0.0.1\" port=\"%d\" ruleset=\"udp\" rcvbufSize=\"8m\")\n",
                    ports[i]);
        else if (i == 2)
            fprintf(f,
                    "input(type=\"imtcp\" address=\"127.0.0.1\" port=\"%d\" ruleset=\"tls\" streamDriver.name=\"ossl\""
                    " streamDriver.mode=\"1\" streamDriver.authMode=\"x509/certvalid\")\n",
                    ports[i]);
        else
            fprintf(f, "input(type=\"imtcp\" address=\"127.0.0.1\" port=\"%d\" ruleset=\"%s\")\n", ports[i],
                    names[i]);
    }
    fclose(f);
    char pidf[4200];
    snprintf(pidf, sizeof pidf, "%s/rsyslog.pid", d);
    snprintf(path, sizeof path, "%s/rsyslog.err", d);
    char *argv[] = {"rsyslogd", "-n", "-f", conf, "-i", pidf, NULL};
    pid_t pid = proc_start(argv, NULL, NULL, path);
    cr_assert_gt(pid, 0);
    for (int i = 1; i < 4; i++)
        if (ports[i] > 0 && !wait_tcp_port(ports[i], 10000)) {
            proc_stop(pid, 2000);
            char *e = read_file(path, NULL);
            cr_assert_fail("rsyslogd did not listen on %d: %s", ports[i], e ? e : "");
        }
    return pid;
}

static void setup(void)
{
    if (access("/usr/sbin/rsyslogd", X_OK) != 0)
        cr_skip_test("rsyslogd not installed (scripts/install-deps.sh installs it)");
    char name[64];
    snprintf(name, sizeof name, "syslog-%d", (int)getpid());
    scratch_path(name, dir, sizeof dir);
    char cmd[8300];
    snprintf(cmd, sizeof cmd, "rm -rf '%s' && mkdir -p '%s'", dir, dir);
    cr_assert_eq(system(cmd), 0);
    make_certs();
    port_udp = free_port(true);
    port_tcp = free_port(false);
    port_tls = free_port(false);
    port_lf = free_port(false);
    rsyslog_pid = start_rsyslog(dir, port_udp, port_tcp, port_tls, port_lf);
}

static void teardown(void)
{
    proc_stop(rsyslog_pid, 5000);
    rsyslog_pid = -1;
}

TestSuite(out_syslog, .init = setup, .fini = teardown, .timeout = 120);

/* ---- events and what rsyslog wrote ---------------------------------------- */

static const char *const datasets[] = {"pptp.session", "pptp.alert", "pptp.frag", "pptp.stats"};
static const char *const levels[] = {"info", "notice", "warning", "error", "critical"};
static const int severities[] = {6, 5, 4, 3, 2};
static ev E;

static const char *user_for(int seq)
{
    static char u[64];
    snprintf(u, sizeof u, "user %d o'brien \"q\" \\ = \xc3\xa9", seq % 13);
    return u;
}

static void make_event(int seq)
{
    ev_reset(&E);
    ev_set_time(&E, "@timestamp", 1763627525123456000LL + seq * 1000LL);
    ev_set_str(&E, "event.kind", "event");
    ev_set_str(&E, "event.dataset", datasets[seq % 4]);
    ev_set_str(&E, "event.action", "teardown");
    ev_set_uint(&E, "event.sequence", (uint64_t)seq);
    ev_set_str(&E, "log.level", levels[seq % 5]);
    ev_set_str(&E, "observer.name", "pptp-sensor");
    char sid[32];
    snprintf(sid, sizeof sid, "%016x", seq % 11);
    ev_set_str(&E, "pptp.session_id", sid);
    ev_set_str(&E, "user.name", user_for(seq));
    ev_set_uint(&E, "source.bytes", (uint64_t)seq * 1000);
}

static void send_events(const char *spec, int n, enum sink_mode mode, int64_t flush_timeout_ns)
{
    struct sink_set set;
    cr_assert_eq(sink_set_init(&set), 0);
    sink_set_mode(&set, mode);
    sink_set_flush_timeout(&set, flush_timeout_ns);
    char err[512];
    struct sink_opts o = {.queue_events = 256};
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
    cr_assert_eq(rep[0].queued, (uint64_t)n);
    cr_assert_eq(rep[0].written, (uint64_t)n, "%s: written %llu failed %llu dropped %llu", spec,
                 (unsigned long long)rep[0].written, (unsigned long long)rep[0].failed,
                 (unsigned long long)rep[0].dropped);
}

struct rx {
    int sev, fac;
    char app[64], msgid[64], host[256], ok[8], dataset[32], truncated[8], user[128];
    long seq;
    const char *msg;
};

/* Split one output line (fields '|'-separated, msg last). */
static bool parse_rx(char *line, struct rx *r)
{
    char *f[11];
    char *p = line;
    for (int i = 0; i < 10; i++) {
        char *bar = strchr(p, '|');
        if (!bar)
            return false;
        *bar = '\0';
        f[i] = p;
        p = bar + 1;
    }
    f[10] = p;
    r->sev = atoi(f[0]);
    r->fac = atoi(f[1]);
    snprintf(r->app, sizeof r->app, "%s", f[2]);
    snprintf(r->msgid, sizeof r->msgid, "%s", f[3]);
    snprintf(r->host, sizeof r->host, "%s", f[4]);
    snprintf(r->ok, sizeof r->ok, "%s", f[5]);
    r->seq = atol(f[6]);
    snprintf(r->dataset, sizeof r->dataset, "%s", f[7]);
    snprintf(r->truncated, sizeof r->truncated, "%s", f[8]);
    snprintf(r->user, sizeof r->user, "%s", f[9]);
    r->msg = f[10];
    return true;
}

/* When events are missing: which ones (the first few), and what rsyslogd said,
 * so that a failure that does not repeat can still be told apart (lost at the
 * end of the stream, in the middle, or a daemon complaint). */
static void explain_missing(const char *path, int n, char *out, size_t cap)
{
    char *all = read_file(path, NULL);
    char *seen = calloc((size_t)n + 1, 1);
    size_t used = (size_t)snprintf(out, cap, "missing:");
    if (all && seen) {
        char *save = NULL;
        for (char *line = strtok_r(all, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
            struct rx r;
            if (parse_rx(line, &r) && r.seq >= 1 && r.seq <= n)
                seen[r.seq] = 1;
        }
        int listed = 0;
        for (int i = 1; i <= n && used < cap && listed < 20; i++)
            if (!seen[i])
                used += (size_t)snprintf(out + used, cap - used, " %d", i), listed++;
    }
    free(seen);
    free(all);
    char errp[4200];
    snprintf(errp, sizeof errp, "%s/rsyslog.err", dir);
    char *err = read_file(errp, NULL);
    if (used < cap)
        snprintf(out + used, cap - used, "; rsyslogd: %.600s", err && *err ? err : "(nothing)");
    free(err);
}

/* Check that path holds exactly events 1..n once each (in order if ordered). */
static void check_received(const char *log, int n, const char *app, int facility, bool rfc5424, bool ordered)
{
    char path[4200];
    snprintf(path, sizeof path, "%s/%s", dir, log);
    int got = wait_file_lines(path, n, 15000);
    if (got != n) {
        char why[1024];
        explain_missing(path, n, why, sizeof why);
        cr_assert_fail("%s: %d of %d events arrived; %s", log, got, n, why);
    }
    char *all = read_file(path, NULL);
    cr_assert_not_null(all);
    char *seen = calloc((size_t)n + 1, 1);
    long last = 0;
    char *save = NULL;
    for (char *line = strtok_r(all, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
        struct rx r;
        cr_assert(parse_rx(line, &r), "unparsable: %s", line);
        cr_assert_str_eq(r.ok, "OK", "mmjsonparse rejected: %s", r.msg);
        cr_assert(r.seq >= 1 && r.seq <= n, "sequence %ld", r.seq);
        cr_assert_eq(seen[r.seq], 0, "event %ld arrived twice", r.seq);
        seen[r.seq] = 1;
        if (ordered)
            cr_assert_gt(r.seq, last, "out of order: %ld after %ld", r.seq, last);
        last = r.seq;
        cr_assert_eq(r.sev, severities[r.seq % 5], "event %ld: severity %d", r.seq, r.sev);
        cr_assert_eq(r.fac, facility);
        cr_assert_str_eq(r.app, app);
        if (rfc5424)
            cr_assert_str_eq(r.msgid, datasets[r.seq % 4]);
        cr_assert_str_eq(r.dataset, datasets[r.seq % 4]);
        cr_assert_str_eq(r.user, user_for((int)r.seq));
        cr_assert_str_eq(r.truncated, "");
    }
    free(seen);
    free(all);
}

Test(out_syslog, udp_rfc5424_with_cee_cookie)
{
    char spec[512];
    snprintf(spec, sizeof spec, "syslog+udp://127.0.0.1:%d?cee=1&facility=local3&format=rfc5424", port_udp);
    send_events(spec, 1000, SINK_MODE_BLOCK, 5000000000LL);
    check_received("udp.log", 1000, "pptp-sensor", 19, true, false);
}

Test(out_syslog, tcp_octet_counting_in_order)
{
    char spec[512];
    snprintf(spec, sizeof spec, "syslog+tcp://127.0.0.1:%d?facility=daemon&app=pptp-test", port_tcp);
    send_events(spec, 5000, SINK_MODE_BLOCK, 10000000000LL);
    check_received("tcp.log", 5000, "pptp-test", 3, true, true);
}

Test(out_syslog, tcp_lf_framing_rfc3164)
{
    char spec[512];
    snprintf(spec, sizeof spec, "syslog+tcp://127.0.0.1:%d?framing=lf&format=rfc3164&facility=local7", port_lf);
    send_events(spec, 1000, SINK_MODE_BLOCK, 10000000000LL);
    check_received("lf.log", 1000, "pptp-sensor", 23, false, true);
}

Test(out_syslog, tls_with_ca_verification_and_client_certificate)
{
    char spec[8192];
    snprintf(spec, sizeof spec, "syslog+tls://127.0.0.1:%d?ca=%s/ca.pem&cert=%s/client.pem&key=%s/client.key", port_tls,
             dir, dir, dir);
    send_events(spec, 2000, SINK_MODE_BLOCK, 10000000000LL);
    check_received("tls.log", 2000, "pptp-sensor", 16, true, true);
}

Test(out_syslog, tls_refuses_a_server_the_ca_did_not_sign)
{
    char spec[8192];
    snprintf(spec, sizeof spec, "syslog+tls://127.0.0.1:%d?ca=%s/other-ca.pem&cert=%s/client.pem&key=%s/client.key",
             port_tls, dir, dir, dir);
    struct sink_set set;
    cr_assert_eq(sink_set_init(&set), 0);
    sink_set_mode(&set, SINK_MODE_BLOCK);
    sink_set_flush_timeout(&set, 1000000000LL);
    char err[512];
    struct sink_opts o = {.queue_events = 64};
    struct sink *s = sink_open(spec, &o, err, sizeof err);
    cr_assert_not_null(s, "%s", err);
    sink_set_add(&set, s);
    for (int i = 1; i <= 10; i++) {
        make_event(i);
        sink_set_emit(&set, &E);
    }
    long long t0 = now_ms();
    struct sink_report rep[SINK_SET_MAX];
    size_t nr;
    sink_set_close_report(&set, rep, &nr);
    cr_assert_lt(now_ms() - t0, 4000, "shutdown is bounded by the flush timeout");
    cr_assert_eq(rep[0].written, 0);
    cr_assert_eq(rep[0].failed, 10, "undelivered events are counted failed");
    cr_assert_geq(rep[0].errors, 1);
    char path[4200];
    snprintf(path, sizeof path, "%s/tls.log", dir);
    cr_assert_eq(access(path, F_OK), -1, "nothing may reach the untrusted server");
}

Test(out_syslog, too_large_event_arrives_shortened_and_valid)
{
    char spec[512];
    snprintf(spec, sizeof spec, "syslog+tcp://127.0.0.1:%d?max=1024", port_tcp);
    struct sink_set set;
    cr_assert_eq(sink_set_init(&set), 0);
    sink_set_mode(&set, SINK_MODE_BLOCK);
    char err[512];
    struct sink_opts o = {.queue_events = 16};
    struct sink *s = sink_open(spec, &o, err, sizeof err);
    cr_assert_not_null(s, "%s", err);
    sink_set_add(&set, s);
    make_event(1);
    char big[5000];
    memset(big, 'z', sizeof big - 1);
    big[sizeof big - 1] = '\0';
    ev_set_str(&E, "pptp.auth.message", big);
    sink_set_emit(&set, &E);
    make_event(2); /* small: untouched */
    sink_set_emit(&set, &E);
    struct sink_report rep[SINK_SET_MAX];
    size_t nr;
    sink_set_close_report(&set, rep, &nr);
    cr_assert_eq(rep[0].written, 2);
    cr_assert_eq(rep[0].truncated, 1);
    char path[4200];
    snprintf(path, sizeof path, "%s/tcp.log", dir);
    cr_assert_eq(wait_file_lines(path, 2, 15000), 2);
    char *all = read_file(path, NULL);
    char *save = NULL;
    for (char *line = strtok_r(all, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
        struct rx r;
        cr_assert(parse_rx(line, &r));
        cr_assert_str_eq(r.ok, "OK", "shortened event must stay valid JSON: %s", r.msg);
        if (r.seq == 1) {
            cr_assert_str_eq(r.truncated, "true");
            cr_assert_null(strstr(r.msg, "zzzz"), "the big field is gone");
            cr_assert_str_eq(r.user, user_for(1), "smaller fields stay");
            cr_assert_leq(strlen(r.msg), 1024);
        } else {
            cr_assert_eq(r.seq, 2);
            cr_assert_str_eq(r.truncated, "");
        }
    }
    free(all);
}

Test(out_syslog, collector_that_comes_up_late_gets_everything)
{
    /* a second rsyslogd, started 1.5 s after the events were emitted */
    char d2[1024];
    snprintf(d2, sizeof d2, "%s/late", dir);
    mkdir(d2, 0755);
    int port = free_port(false);
    char spec[512];
    snprintf(spec, sizeof spec, "syslog+tcp://127.0.0.1:%d?backoff_max=200", port);
    struct sink_set set;
    cr_assert_eq(sink_set_init(&set), 0);
    sink_set_mode(&set, SINK_MODE_DROP); /* live: the capture path never waits */
    sink_set_flush_timeout(&set, 15000000000LL);
    char err[512];
    struct sink_opts o = {.queue_events = 1000};
    struct sink *s = sink_open(spec, &o, err, sizeof err);
    cr_assert_not_null(s, "%s", err);
    sink_set_add(&set, s);
    long long t0 = now_ms();
    for (int i = 1; i <= 500; i++) {
        make_event(i);
        cr_assert_eq(sink_set_emit(&set, &E), 1);
    }
    cr_assert_lt(now_ms() - t0, 1000, "emitting to a dead collector must not wait");
    usleep(1500000);
    cr_assert_eq(s->c.written, 0);
    cr_assert_geq(s->c.errors, 1, "connection attempts failed");
    pid_t late = start_rsyslog(d2, 0, port, 0, 0);
    struct sink_report rep[SINK_SET_MAX];
    size_t nr;
    sink_set_close_report(&set, rep, &nr);
    char path[4200];
    snprintf(path, sizeof path, "%s/tcp.log", d2);
    int got = wait_file_lines(path, 500, 10000);
    proc_stop(late, 5000);
    cr_assert_eq(rep[0].written, 500, "failed %llu dropped %llu", (unsigned long long)rep[0].failed,
                 (unsigned long long)rep[0].dropped);
    cr_assert_eq(got, 500);
}

Test(out_syslog, pptp_sensor_delivers_the_same_events_as_its_json_file)
{
    char pcap[4096];
    if (!external_pcap("packetlife__PPTP_negotiation.cap", pcap, sizeof pcap))
        cr_skip_test("shared/pcaps/external not present");
    char json[4200], cmd[16384];
    snprintf(json, sizeof json, "%s/sensor.jsonl", dir);
    snprintf(cmd, sizeof cmd,
             "'%s/sensor/pptp-sensor' -r '%s' -w '%s' -o 'syslog+tcp://127.0.0.1:%d?name=siem' "
             "-o 'syslog+tls://127.0.0.1:%d?ca=%s/ca.pem&cert=%s/client.pem&key=%s/client.key&classes=session' "
             "--flush-timeout 10s 2>&1",
             getenv("PPTP_BINARY_DIR") ? getenv("PPTP_BINARY_DIR") : PPTP_BINARY_DIR, pcap, json, port_tcp, port_tls,
             dir, dir, dir);
    int st;
    char *out = run_capture(cmd, &st);
    cr_assert_eq(st, 0, "pptp-sensor: %s", out ? out : "");
    free(out);
    char *file = read_file(json, NULL);
    cr_assert_not_null(file);
    int n = 0, nsession = 0;
    for (char *p = file; (p = strchr(p, '\n')); p++)
        n++;
    for (char *p = file; (p = strstr(p, "\"dataset\":\"pptp.session\"")); p++)
        nsession++;
    cr_assert_gt(n, 3);
    char path[4200];
    snprintf(path, sizeof path, "%s/tcp.log", dir);
    cr_assert_eq(wait_file_lines(path, n, 15000), n);
    snprintf(path, sizeof path, "%s/tls.log", dir);
    cr_assert_eq(wait_file_lines(path, nsession, 15000), nsession);
    snprintf(path, sizeof path, "%s/tcp.log", dir);
    char *rx = read_file(path, NULL);
    /* every JSON line of the file is, byte for byte, the MSG of one syslog message */
    char *save = NULL;
    int matched = 0;
    for (char *line = strtok_r(file, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
        char *hit = strstr(rx, line);
        cr_assert_not_null(hit, "not received: %.200s", line);
        cr_assert(hit > rx && hit[-1] == '|' && (hit[strlen(line)] == '\n'), "not a whole MSG: %.200s", line);
        matched++;
    }
    cr_assert_eq(matched, n);
    /* the final stats event names the outputs */
    cr_assert_not_null(strstr(rx, "\"outputs\":{\"file\":{\"queued\":"), "stats: outputs by name");
    cr_assert_not_null(strstr(rx, "\"siem\":{\"queued\":"));
    free(rx);
    free(file);
}

Test(out_syslog, tcp_collector_restart_mid_stream_loses_nothing_queued)
{
    char spec[512];
    snprintf(spec, sizeof spec, "syslog+tcp://127.0.0.1:%d?backoff_max=200", port_tcp);
    struct sink_set set;
    cr_assert_eq(sink_set_init(&set), 0);
    sink_set_mode(&set, SINK_MODE_DROP);
    sink_set_flush_timeout(&set, 15000000000LL);
    char err[512];
    struct sink_opts o = {.queue_events = 1000};
    struct sink *s = sink_open(spec, &o, err, sizeof err);
    cr_assert_not_null(s, "%s", err);
    sink_set_add(&set, s);
    for (int i = 1; i <= 300; i++) {
        make_event(i);
        sink_set_emit(&set, &E);
    }
    cr_assert(sink_set_drain(&set, 10000000000LL));
    char path[4200];
    snprintf(path, sizeof path, "%s/tcp.log", dir);
    cr_assert_eq(wait_file_lines(path, 300, 15000), 300);
    /* the collector goes away; events keep coming (live: no waiting) */
    proc_stop(rsyslog_pid, 5000);
    rsyslog_pid = -1;
    usleep(200000);
    long long t0 = now_ms();
    for (int i = 301; i <= 600; i++) {
        make_event(i);
        cr_assert_eq(sink_set_emit(&set, &E), 1);
    }
    cr_assert_lt(now_ms() - t0, 1000);
    usleep(700000);
    rsyslog_pid = start_rsyslog(dir, 0, port_tcp, 0, 0); /* same port, appends to tcp.log */
    struct sink_report rep[SINK_SET_MAX];
    size_t nr;
    sink_set_close_report(&set, rep, &nr);
    cr_assert_eq(rep[0].written, 600, "failed %llu dropped %llu", (unsigned long long)rep[0].failed,
                 (unsigned long long)rep[0].dropped);
    cr_assert_geq(rep[0].errors, 1);
    check_received("tcp.log", 600, "pptp-sensor", 16, true, true);
}
