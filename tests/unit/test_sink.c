/* test_sink.c - the sink interface, the fan-out set and the file sink
 * (outputs/sink.h, outputs/sink_file.c). */
#include <criterion/criterion.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "event.h"
#include "json.h"
#include "sink.h"
#include "test_env.h"

static ev E;
static struct sink_set S;

static void make_event(ev *e, const char *dataset, const char *action, int seq)
{
    ev_reset(e);
    ev_set_time(e, "@timestamp", 1763627525123456789LL + seq * 1000LL);
    if (dataset)
        ev_set_str(e, "event.dataset", dataset);
    ev_set_str(e, "event.action", action);
    ev_set_int(e, "event.sequence", seq);
}

static const char *line_for(const char *dataset, const char *action, int seq)
{
    static char buf[512];
    char ds[64] = "";
    if (dataset)
        snprintf(ds, sizeof ds, "\"dataset\":\"%s\",", dataset);
    snprintf(buf, sizeof buf,
             "{\"@timestamp\":\"2025-11-20T08:32:05.%06dZ\",\"event\":{%s\"action\":\"%s\","
             "\"sequence\":%d}}\n",
             123456 + seq, ds, action, seq);
    return buf;
}

static char *tmp(const char *name)
{
    static char paths[8][4096];
    static int next;
    char *p = paths[next++ % 8];
    scratch_path(name, p, 4096);
    unlink(p);
    return p;
}

static char *slurp(const char *path)
{
    char *s = read_file(path, NULL);
    cr_assert_not_null(s, "cannot read %s", path);
    return s;
}

static void assert_invariant(const struct sink *s)
{
    cr_assert_eq(s->c.queued, s->c.written + s->c.failed + s->c.dropped + sink_pending(s));
}

static struct sink *open_file(const char *path, const struct sink_opts *o)
{
    char err[256];
    struct sink *s = sink_open(path, o, err, sizeof err);
    cr_assert_not_null(s, "sink_open(%s): %s", path, err);
    return s;
}

/* ---- file sink ----------------------------------------------------------- */

Test(sink, file_sink_writes_one_line_per_event_on_flush)
{
    char *path = tmp("sink_basic.json");
    cr_assert_eq(sink_set_init(&S), 0);
    struct sink *s = open_file(path, NULL);
    cr_assert_str_eq(s->type, "file");
    cr_assert_str_eq(s->name, path);
    cr_assert_eq(sink_set_add(&S, s), 0);
    for (int i = 0; i < 3; i++) {
        make_event(&E, "pptp.session", "call_request", i);
        cr_assert_eq(sink_set_emit(&S, &E), 1);
    }
    /* buffered: nothing in the file yet */
    char *c = slurp(path);
    cr_assert_str_eq(c, "");
    free(c);
    cr_assert_eq(s->c.queued, 3);
    cr_assert_eq(s->c.written, 0);
    cr_assert_eq(sink_pending(s), 3);
    assert_invariant(s);

    cr_assert_eq(sink_set_flush(&S), 0);
    char want[2048] = "";
    for (int i = 0; i < 3; i++)
        strcat(want, line_for("pptp.session", "call_request", i));
    c = slurp(path);
    cr_assert_str_eq(c, want);
    free(c);
    cr_assert_eq(s->c.written, 3);
    cr_assert_eq(s->c.bytes, strlen(want));
    cr_assert_eq(sink_pending(s), 0);
    assert_invariant(s);
    struct stat st;
    cr_assert_eq(stat(path, &st), 0);
    mode_t um = umask(0);
    umask(um);
    cr_assert_eq(st.st_mode & 0777, 0640 & ~um);
    sink_set_close(&S);
}

Test(sink, close_flushes_and_file_is_appended)
{
    char *path = tmp("sink_append.json");
    int fd = open(path, O_WRONLY | O_CREAT, 0600);
    cr_assert(write(fd, "old\n", 4) == 4);
    close(fd);
    cr_assert_eq(sink_set_init(&S), 0);
    sink_set_add(&S, open_file(path, NULL));
    make_event(&E, "pptp.alert", "x", 1);
    sink_set_emit(&S, &E);
    sink_set_close(&S);
    char want[1024];
    snprintf(want, sizeof want, "old\n%s", line_for("pptp.alert", "x", 1));
    char *c = slurp(path);
    cr_assert_str_eq(c, want);
    free(c);
}

Test(sink, line_buffered_writes_at_once)
{
    char *path = tmp("sink_line.json");
    struct sink_opts o = {.line_buffered = true, .fsync = true};
    cr_assert_eq(sink_set_init(&S), 0);
    struct sink *s = open_file(path, &o);
    sink_set_add(&S, s);
    make_event(&E, "pptp.frag", "ip_fragmented", 7);
    sink_set_emit(&S, &E);
    char *c = slurp(path);
    cr_assert_str_eq(c, line_for("pptp.frag", "ip_fragmented", 7));
    free(c);
    cr_assert_eq(s->c.written, 1);
    cr_assert_eq(s->c.errors, 0, "fsync on a regular file must work");
    sink_set_close(&S);
}

static volatile sig_atomic_t hup;
static void on_hup(int sig)
{
    (void)sig;
    hup = 1;
}

Test(sink, reopen_after_logrotate_rename)
{
    char *path = tmp("sink_rotate.json");
    char *rotated = tmp("sink_rotate.json.1");
    cr_assert_eq(sink_set_init(&S), 0);
    struct sink *s = open_file(path, NULL);
    sink_set_add(&S, s);
    struct sigaction sa = {.sa_handler = on_hup};
    sigemptyset(&sa.sa_mask);
    sigaction(SIGHUP, &sa, NULL);

    for (int i = 0; i < 2; i++) {
        make_event(&E, "pptp.session", "a", i);
        sink_set_emit(&S, &E);
    }
    sink_set_flush(&S);
    cr_assert_eq(rename(path, rotated), 0); /* logrotate moves the file ... */
    make_event(&E, "pptp.session", "a", 2);
    sink_set_emit(&S, &E); /* still buffered for the old file */
    raise(SIGHUP);          /* ... and signals the sensor */
    cr_assert_eq(hup, 1);
    if (hup) { /* the main loop's check */
        hup = 0;
        cr_assert_eq(sink_set_reopen(&S), 0);
    }
    for (int i = 3; i < 5; i++) {
        make_event(&E, "pptp.session", "a", i);
        sink_set_emit(&S, &E);
    }
    sink_set_flush(&S);

    char want_old[2048] = "", want_new[2048] = "";
    for (int i = 0; i < 3; i++)
        strcat(want_old, line_for("pptp.session", "a", i));
    for (int i = 3; i < 5; i++)
        strcat(want_new, line_for("pptp.session", "a", i));
    char *c = slurp(rotated);
    cr_assert_str_eq(c, want_old);
    free(c);
    c = slurp(path);
    cr_assert_str_eq(c, want_new);
    free(c);
    cr_assert_eq(s->c.reopens, 1);
    cr_assert_eq(s->c.written, 5);
    assert_invariant(s);
    sink_set_close(&S);
}

Test(sink, failed_reopen_keeps_the_old_file)
{
    char dir[4096];
    scratch_path("sink_gone", dir, sizeof dir);
    mkdir(dir, 0755);
    char path[4200], moved[4200];
    snprintf(path, sizeof path, "%s/events.json", dir);
    snprintf(moved, sizeof moved, "%s.json", dir);
    unlink(path);
    unlink(moved);
    cr_assert_eq(sink_set_init(&S), 0);
    struct sink *s = open_file(path, NULL);
    sink_set_add(&S, s);
    make_event(&E, "pptp.session", "a", 0);
    sink_set_emit(&S, &E);
    cr_assert_eq(rename(path, moved), 0);
    cr_assert_eq(rmdir(dir), 0); /* the directory is gone: open() fails */
    cr_assert_eq(sink_set_reopen(&S), -1);
    cr_assert_eq(s->c.errors, 1);
    cr_assert_eq(s->c.last_errno, ENOENT);
    cr_assert_eq(s->c.reopens, 0);
    make_event(&E, "pptp.session", "a", 1);
    sink_set_emit(&S, &E);
    sink_set_close(&S);
    char want[2048] = "";
    strcat(want, line_for("pptp.session", "a", 0));
    strcat(want, line_for("pptp.session", "a", 1));
    char *c = slurp(moved);
    cr_assert_str_eq(c, want);
    free(c);
}

Test(sink, write_errors_are_counted_as_failed)
{
    if (access("/dev/full", W_OK) != 0)
        cr_skip_test("SKIP /dev/full: not available");
    cr_assert_eq(sink_set_init(&S), 0);
    struct sink *s = open_file("file:/dev/full", NULL);
    sink_set_add(&S, s);
    for (int i = 0; i < 4; i++) {
        make_event(&E, "pptp.session", "a", i);
        cr_assert_eq(sink_set_emit(&S, &E), 1);
    }
    cr_assert_eq(sink_set_flush(&S), -1);
    cr_assert_eq(s->c.failed, 4);
    cr_assert_eq(s->c.written, 0);
    cr_assert_eq(s->c.last_errno, ENOSPC);
    cr_assert_geq(s->c.errors, 1);
    assert_invariant(s);
    sink_set_close(&S);
}

Test(sink, small_buffer_and_oversized_lines)
{
    char *path = tmp("sink_small.json");
    struct sink_opts o = {.buffer_size = 200};
    cr_assert_eq(sink_set_init(&S), 0);
    struct sink *s = open_file(path, &o);
    sink_set_add(&S, s);
    char want[16384] = "";
    for (int i = 0; i < 20; i++) {
        make_event(&E, "pptp.session", "a", i);
        if (i % 3 == 0) { /* larger than the whole buffer */
            char big[300];
            memset(big, 'b', sizeof big - 1);
            big[sizeof big - 1] = '\0';
            ev_set_str(&E, "message", big);
        }
        sink_set_emit(&S, &E);
        char one[1024];
        ev_to_json(&E, one, sizeof one);
        strcat(want, one);
        strcat(want, "\n");
    }
    sink_set_flush(&S);
    char *c = slurp(path);
    cr_assert_str_eq(c, want);
    free(c);
    cr_assert_eq(s->c.written, 20);
    cr_assert_eq(s->c.bytes, strlen(want));
    assert_invariant(s);
    sink_set_close(&S);
}

Test(sink, stdout_sink)
{
    char *path = tmp("sink_stdout.json");
    fflush(stdout);
    int saved = dup(STDOUT_FILENO);
    int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0600);
    cr_assert(fd >= 0 && saved >= 0);
    dup2(fd, STDOUT_FILENO);
    close(fd);
    cr_assert_eq(sink_set_init(&S), 0);
    struct sink *s = open_file("-", NULL);
    cr_assert_str_eq(s->name, "stdout");
    sink_set_add(&S, s);
    make_event(&E, "pptp.stats", "stats", 1);
    sink_set_emit(&S, &E);
    cr_assert_eq(sink_set_reopen(&S), 0); /* nothing to reopen, but flushes */
    sink_set_close(&S);                  /* must not close fd 1 */
    cr_assert_neq(fcntl(STDOUT_FILENO, F_GETFD), -1);
    dup2(saved, STDOUT_FILENO);
    close(saved);
    char *c = slurp(path);
    cr_assert_str_eq(c, line_for("pptp.stats", "stats", 1));
    free(c);
}

Test(sink, open_errors_and_registry)
{
    char err[256] = "";
    struct sink_opts o = {0};
    cr_assert_null(sink_open("/nonexistent-dir/x/events.json", &o, err, sizeof err));
    cr_assert_not_null(strstr(err, "No such file"), "%s", err);
    o.format = SINK_FMT_COUNT;
    cr_assert_null(sink_open("-", &o, err, sizeof err));
    const struct sink_type *const *t = sink_types();
    bool file = false;
    for (; *t; t++)
        file |= strcmp((*t)->name, "file") == 0 && (*t)->usage && (*t)->open;
    cr_assert(file);
    enum sink_format f;
    cr_assert(sink_format_parse("json", &f));
    cr_assert_eq(f, SINK_FMT_JSON);
    cr_assert(sink_format_parse("cef", &f));
    cr_assert_eq(f, SINK_FMT_CEF);
    cr_assert_not(sink_format_parse("xml", &f));
    cr_assert_str_eq(sink_format_name(SINK_FMT_JSON), "json");
}

/* ---- fan-out, filters and counters, with a test sink --------------------- */

/* A sink type written the way docs/outputs.md describes: it keeps lines in
 * memory and refuses every event once `refuse` is set. */
struct mem_sink {
    struct sink base;
    char lines[4096];
    size_t used;
    bool refuse;
    int flushes, reopens;
    bool *closed;
};

static int mem_write(struct sink *s, const struct sink_msg *msg)
{
    struct mem_sink *m = (struct mem_sink *)s;
    const char *line = msg->line;
    size_t len = msg->len;
    cr_assert_not_null(msg->e);
    cr_assert_eq(strlen(line), len);
    if (m->refuse || m->used + len + 1 >= sizeof m->lines)
        return -1;
    memcpy(m->lines + m->used, line, len);
    m->used += len;
    m->lines[m->used++] = '\n';
    m->lines[m->used] = '\0';
    s->c.written++; /* delivered at once */
    s->c.bytes += len + 1;
    return 0;
}

static int mem_flush(struct sink *s)
{
    ((struct mem_sink *)s)->flushes++;
    return 0;
}

static int mem_reopen(struct sink *s)
{
    ((struct mem_sink *)s)->reopens++;
    s->c.reopens++;
    return 0;
}

static void mem_close(struct sink *s)
{
    struct mem_sink *m = (struct mem_sink *)s;
    if (m->closed)
        *m->closed = true;
    free(m);
}

static const struct sink_ops mem_ops = {mem_write, mem_flush, mem_reopen, mem_close, NULL};

static struct mem_sink *mem_open(const char *label, unsigned mask, bool *closed)
{
    struct mem_sink *m = calloc(1, sizeof *m);
    struct sink_opts o = {.class_mask = mask};
    sink_init_common(&m->base, &mem_ops, "mem", label, &o);
    m->closed = closed;
    return m;
}

Test(sink, fan_out_with_class_filters)
{
    cr_assert_eq(sink_set_init(&S), 0);
    bool closed_a = false, closed_b = false;
    struct mem_sink *alerts = mem_open("alerts", EV_CLASS_BIT(EV_CLASS_ALERT), &closed_a);
    struct mem_sink *all = mem_open("all", 0, &closed_b);
    cr_assert_eq(all->base.class_mask, EV_CLASS_ALL);
    sink_set_add(&S, &alerts->base);
    sink_set_add(&S, &all->base);

    make_event(&E, "pptp.session", "teardown", 1);
    cr_assert_eq(sink_set_emit(&S, &E), 1);
    make_event(&E, "pptp.alert", "bruteforce", 2);
    cr_assert_eq(sink_set_emit(&S, &E), 2);
    make_event(&E, NULL, "unclassified", 3); /* no dataset: catch-all sinks only */
    cr_assert_eq(sink_set_emit(&S, &E), 1);
    make_event(&E, "pptp.stats", "stats", 4);
    ev_set_class(&E, EV_CLASS_ALERT); /* explicit class wins */
    cr_assert_eq(sink_set_emit(&S, &E), 2);

    char want[2048];
    snprintf(want, sizeof want, "%s", line_for("pptp.alert", "bruteforce", 2));
    strcat(want, line_for("pptp.stats", "stats", 4));
    cr_assert_str_eq(alerts->lines, want);
    snprintf(want, sizeof want, "%s", line_for("pptp.session", "teardown", 1));
    strcat(want, line_for("pptp.alert", "bruteforce", 2));
    strcat(want, line_for(NULL, "unclassified", 3));
    strcat(want, line_for("pptp.stats", "stats", 4));
    cr_assert_str_eq(all->lines, want);

    cr_assert_eq(alerts->base.c.queued, 2);
    cr_assert_eq(alerts->base.c.filtered, 2);
    cr_assert_eq(all->base.c.queued, 4);
    cr_assert_eq(all->base.c.filtered, 0);
    cr_assert_eq(S.emitted, 4);

    /* a sink that refuses: dropped, and the others still get the event */
    alerts->refuse = true;
    make_event(&E, "pptp.alert", "again", 5);
    cr_assert_eq(sink_set_emit(&S, &E), 1);
    cr_assert_eq(alerts->base.c.dropped, 1);
    assert_invariant(&alerts->base);
    assert_invariant(&all->base);

    cr_assert_eq(sink_set_flush(&S), 0);
    cr_assert_eq(sink_set_reopen(&S), 0);
    cr_assert_eq(alerts->flushes, 1);
    cr_assert_eq(all->reopens, 1);
    sink_set_close(&S);
    cr_assert(closed_a && closed_b);
    cr_assert_eq(S.n, 0);
}

Test(sink, set_capacity)
{
    cr_assert_eq(sink_set_init(&S), 0);
    bool closed[SINK_SET_MAX + 1] = {0};
    for (int i = 0; i < SINK_SET_MAX; i++)
        cr_assert_eq(sink_set_add(&S, &mem_open("m", 0, &closed[i])->base), 0);
    cr_assert_eq(sink_set_add(&S, &mem_open("extra", 0, &closed[SINK_SET_MAX])->base), -1);
    cr_assert(closed[SINK_SET_MAX], "a sink the set cannot take is closed");
    cr_assert_eq(sink_set_add(&S, NULL), -1);
    sink_set_close(&S);
    for (int i = 0; i < SINK_SET_MAX; i++)
        cr_assert(closed[i]);
}

Test(sink, two_file_sinks_split_by_class)
{
    char *pa = tmp("sink_alerts.json"), *ps = tmp("sink_sessions.json");
    cr_assert_eq(sink_set_init(&S), 0);
    unsigned m;
    cr_assert(ev_class_mask_parse("alert", &m));
    struct sink_opts oa = {.class_mask = m, .name = "alerts"};
    cr_assert(ev_class_mask_parse("session,frag", &m));
    struct sink_opts os = {.class_mask = m};
    struct sink *a = open_file(pa, &oa), *s = open_file(ps, &os);
    cr_assert_str_eq(a->name, "alerts");
    sink_set_add(&S, a);
    sink_set_add(&S, s);
    make_event(&E, "pptp.session", "call_request", 1);
    sink_set_emit(&S, &E);
    make_event(&E, "pptp.alert", "bruteforce", 2);
    sink_set_emit(&S, &E);
    make_event(&E, "pptp.frag", "mru_exceeded", 3);
    sink_set_emit(&S, &E);
    make_event(&E, "pptp.stats", "stats", 4);
    sink_set_emit(&S, &E);
    sink_set_close(&S);
    char *c = slurp(pa);
    cr_assert_str_eq(c, line_for("pptp.alert", "bruteforce", 2));
    free(c);
    char want[2048];
    snprintf(want, sizeof want, "%s", line_for("pptp.session", "call_request", 1));
    strcat(want, line_for("pptp.frag", "mru_exceeded", 3));
    c = slurp(ps);
    cr_assert_str_eq(c, want);
    free(c);
}
