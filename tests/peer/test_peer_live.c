/*
 * test_peer_live.c - pptp-peer's live and stdio modes on their own: bad input
 * gives a clear message and a non-zero exit within its timeout, never a hang
 * (refused, silent, garbage-speaking and vanishing servers, an unreachable
 * address, a client that speaks garbage or never comes, no raw-socket
 * privilege, usage errors), and the stdio PPP mode end to end (two ends on a
 * socketpair with pptpd-style arguments, a server on a pty, the PPTP daemon
 * ending the call, garbage on the stream).
 *
 * Live-mode tests need root (the raw GRE socket is opened first); they skip
 * with a message otherwise.  The stdio tests run anywhere.
 */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <criterion/criterion.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <poll.h>
#include <pty.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <termios.h>
#include <unistd.h>

#include "netns_util.h"
#include "proc_util.h"
#include "test_env.h"

#define PATH_LEN 2048

static const char *peer(void)
{
    static char p[PATH_LEN];
    const char *b = getenv("PPTP_BINARY_DIR");
    snprintf(p, sizeof p, "%s/pptp-peer", b && *b ? b : PPTP_BINARY_DIR);
    return p;
}

static const char *scn(const char *rel)
{
    static char p[4][PATH_LEN];
    static int k;
    k = (k + 1) % 4;
    return source_path(rel, p[k], sizeof p[k]);
}

#define LIVE_SCN "tests/peer/scenarios/live/interop_mschapv2.scn"

/* A scratch file of this test process (parallel runs of one tree never meet). */
static const char *scratch(const char *name, char *out, size_t cap)
{
    char n[256];
    snprintf(n, sizeof n, "peer-live-%ld-%s", (long)getpid(), name);
    scratch_path(n, out, cap);
    unlink(out);
    return out;
}

static void need_root(void)
{
    if (geteuid() != 0)
        cr_skip_test("live mode needs root (raw GRE socket): skipped");
}

/* Run a shell command under a hard bound; its output (stdout+stderr), exit
 * status and duration. */
static char *run(const char *cmd, int *status, long long *ms)
{
    char full[8192];
    snprintf(full, sizeof full, "timeout -s KILL 30 %s 2>&1", cmd);
    long long t0 = now_ms();
    char *out = run_capture(full, status);
    *ms = now_ms() - t0;
    return out ? out : strdup("");
}

/* A TCP listener on 127.0.0.1 (port in *port); the test plays the other end. */
static int listener(int *port)
{
    int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    struct sockaddr_in a = {.sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
    socklen_t l = sizeof a;
    cr_assert(fd >= 0 && bind(fd, (struct sockaddr *)&a, sizeof a) == 0 && listen(fd, 4) == 0 &&
              getsockname(fd, (struct sockaddr *)&a, &l) == 0);
    *port = ntohs(a.sin_port);
    return fd;
}

/* A child that accepts one connection on lfd and then does what mode says:
 * 0 nothing (silent), 1 answer garbage, 2 read and close. */
static pid_t fake_server(int lfd, int mode)
{
    pid_t pid = fork();
    cr_assert(pid >= 0);
    if (pid == 0) {
        prctl(PR_SET_PDEATHSIG, SIGKILL);
        alarm(20);
        int c = accept(lfd, NULL, NULL);
        if (c < 0)
            _exit(1);
        char buf[512];
        if (mode == 1) {
            if (read(c, buf, sizeof buf) < 0)
                _exit(1);
            const char *g = "HTTP/1.0 400 Bad Request\r\nContent-Length: 0\r\n\r\n";
            if (write(c, g, strlen(g)) < 0)
                _exit(1);
            sleep(10);
        } else if (mode == 2) {
            if (read(c, buf, sizeof buf) < 0)
                _exit(1);
            close(c);
            sleep(10);
        } else {
            sleep(10);
        }
        _exit(0);
    }
    return pid;
}

static void stop(pid_t pid)
{
    if (pid > 0) {
        kill(pid, SIGKILL);
        waitpid(pid, NULL, 0);
    }
}

/* ---- PNS against broken servers --------------------------------------------------------- */

Test(live_errors, refused_connection, .timeout = 30)
{
    need_root();
    int port = free_port(false);
    char cmd[4096];
    snprintf(cmd, sizeof cmd, "'%s' pns --server 127.0.0.1 --port %d '%s'", peer(), port, scn(LIVE_SCN));
    int st;
    long long ms;
    char *out = run(cmd, &st, &ms);
    cr_expect_eq(st, 1, "exit %d: %s", st, out);
    cr_expect(strstr(out, "Connection refused") != NULL, "%s", out);
    cr_expect_lt(ms, 3000, "took %lld ms", ms);
    free(out);
}

Test(live_errors, silent_server_times_out, .timeout = 30)
{
    need_root();
    int port, lfd = listener(&port);
    pid_t srv = fake_server(lfd, 0);
    char cmd[4096];
    snprintf(cmd, sizeof cmd, "'%s' pns --server 127.0.0.1 --port %d --timeout 1 '%s'", peer(), port,
             scn(LIVE_SCN));
    int st;
    long long ms;
    char *out = run(cmd, &st, &ms);
    stop(srv);
    close(lfd);
    cr_expect_eq(st, 1, "exit %d: %s", st, out);
    cr_expect(strstr(out, "timed out after 1000 ms waiting for the control connection (SCCRQ/SCCRP)") != NULL, "%s",
              out);
    cr_expect(ms >= 900 && ms < 4000, "took %lld ms for a 1 s timeout", ms);
    free(out);
}

Test(live_errors, server_answering_garbage, .timeout = 30)
{
    need_root();
    int port, lfd = listener(&port);
    pid_t srv = fake_server(lfd, 1);
    char cmd[4096];
    snprintf(cmd, sizeof cmd, "'%s' pns --server 127.0.0.1 --port %d --timeout 5 '%s'", peer(), port,
             scn(LIVE_SCN));
    int st;
    long long ms;
    char *out = run(cmd, &st, &ms);
    stop(srv);
    close(lfd);
    cr_expect_eq(st, 1, "exit %d: %s", st, out);
    cr_expect(strstr(out, "the server sent something that is not PPTP on the control connection") != NULL, "%s", out);
    cr_expect(strstr(out, "48 54 54 50") != NULL, "the first bytes are shown: %s", out);
    cr_expect_lt(ms, 3000, "took %lld ms", ms);
    free(out);
}

Test(live_errors, server_closing_without_answer, .timeout = 30)
{
    need_root();
    int port, lfd = listener(&port);
    pid_t srv = fake_server(lfd, 2);
    char cmd[4096];
    snprintf(cmd, sizeof cmd, "'%s' pns --server 127.0.0.1 --port %d --timeout 5 '%s'", peer(), port,
             scn(LIVE_SCN));
    int st;
    long long ms;
    char *out = run(cmd, &st, &ms);
    stop(srv);
    close(lfd);
    cr_expect_eq(st, 1, "exit %d: %s", st, out);
    cr_expect(strstr(out, "the server closed the control connection without a PPTP message") != NULL, "%s", out);
    cr_expect_lt(ms, 3000, "took %lld ms", ms);
    free(out);
}

/* In a namespace pair of our own: an address with no route, and one on the
 * link that nobody answers ARP for. */
static netns_pair np;

static void np_fini(void)
{
    netns_pair_teardown(&np); /* on every path, a failed assertion included */
}

Test(live_errors, unreachable_server, .timeout = 40, .fini = np_fini)
{
    char why[256];
    if (!netns_available(why, sizeof why))
        cr_skip_test("%s: skipped", why);
    netns_reap_stale();
    cr_assert(netns_pair_setup(&np, why, sizeof why), "%s", why);
    char nobody[32];
    snprintf(nobody, sizeof nobody, "%.*s77", (int)(strlen(np.ip_a) - 1), np.ip_a);
    const char *targets[2] = {"10.254.254.1", nobody};
    const char *want[2][2] = {{"Network is unreachable", NULL}, {"No route to host", "no answer within 2000 ms"}};
    for (int i = 0; i < 2; i++) {
        char cmd[4096];
        snprintf(cmd, sizeof cmd, "ip netns exec %s '%s' pns --server %s --timeout 2 '%s'", np.b, peer(), targets[i],
                 scn(LIVE_SCN));
        int st;
        long long ms;
        char *out = run(cmd, &st, &ms);
        cr_expect_eq(st, 1, "%s: exit %d: %s", targets[i], st, out);
        cr_expect(strstr(out, want[i][0]) || (want[i][1] && strstr(out, want[i][1])), "%s: %s", targets[i], out);
        cr_expect_lt(ms, 6000, "%s: took %lld ms", targets[i], ms);
        cr_log_info("%s: %lld ms: %s", targets[i], ms, out);
        free(out);
    }
}

/* ---- PAC against broken clients ----------------------------------------------------------- */

Test(live_errors, pac_without_a_client, .timeout = 30)
{
    need_root();
    int port = free_port(false);
    char cmd[4096];
    snprintf(cmd, sizeof cmd, "'%s' pac --listen 127.0.0.1 --port %d --accept-timeout 1 '%s'", peer(), port,
             scn(LIVE_SCN));
    int st;
    long long ms;
    char *out = run(cmd, &st, &ms);
    cr_expect_eq(st, 1, "exit %d: %s", st, out);
    cr_expect(strstr(out, "no client connected within 1000 ms") != NULL, "%s", out);
    cr_expect(ms >= 900 && ms < 4000, "took %lld ms", ms);
    free(out);
}

Test(live_errors, pac_client_closing_at_once, .timeout = 30)
{
    need_root();
    int port = free_port(false);
    char ef[PATH_LEN], ports[16];
    scratch("live-pac-close.err", ef, sizeof ef);
    snprintf(ports, sizeof ports, "%d", port);
    char *argv[] = {(char *)peer(), "pac", "--listen", "127.0.0.1", "--port", ports, "--timeout", "5",
                    (char *)scn(LIVE_SCN), NULL};
    long long t0 = now_ms();
    pid_t pac = netns_spawn(NULL, argv, -1, -1, ef);
    cr_assert(pac > 0);
    cr_assert(wait_tcp_port(port, 5000), "pptp-peer pac does not listen");
    int fd = socket(AF_INET, SOCK_STREAM, 0);
    struct sockaddr_in a = {.sin_family = AF_INET, .sin_port = htons((uint16_t)port),
                            .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
    /* wait_tcp_port's probe was the first connection: the PAC took it and saw it close */
    int st = proc_wait(pac, 3000);
    if (st == -1) {
        cr_assert(connect(fd, (struct sockaddr *)&a, sizeof a) == 0);
        const char *g = "GET / HTTP/1.0\r\n\r\n";
        cr_assert(write(fd, g, strlen(g)) > 0);
        st = proc_wait(pac, 10000);
    }
    close(fd);
    if (st == -1)
        proc_stop(pac, 1000);
    char *err = read_file(ef, NULL);
    cr_expect(st != -1 && WIFEXITED(st) && WEXITSTATUS(st) == 1, "status %d: %s", st, err);
    cr_expect(strstr(err, "the client closed the control connection without a PPTP message") ||
                  strstr(err, "the client sent something that is not PPTP"),
              "%s", err);
    cr_expect_lt(now_ms() - t0, 8000);
    free(err);
}

Test(live_errors, pac_client_sending_garbage_after_connecting, .timeout = 30)
{
    need_root();
    int port = free_port(false);
    char ef[PATH_LEN], ports[16], rf[PATH_LEN];
    scratch("live-pac-garbage2.err", ef, sizeof ef);
    scratch("live-pac-garbage2.ready", rf, sizeof rf);
    unlink(rf);
    snprintf(ports, sizeof ports, "%d", port);
    char *argv[] = {(char *)peer(), "pac", "--listen", "127.0.0.1", "--port", ports, "--timeout", "5", "--ready-file",
                    rf, (char *)scn(LIVE_SCN), NULL};
    pid_t pac = netns_spawn(NULL, argv, -1, -1, ef);
    cr_assert(pac > 0);
    cr_assert(wait_file_lines(rf, 1, 5000) == 1, "pptp-peer pac never got ready");
    int fd = socket(AF_INET, SOCK_STREAM, 0);
    struct sockaddr_in a = {.sin_family = AF_INET, .sin_port = htons((uint16_t)port),
                            .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
    cr_assert(connect(fd, (struct sockaddr *)&a, sizeof a) == 0);
    const char *g = "SSH-2.0-OpenSSH_9.2\r\n";
    cr_assert(write(fd, g, strlen(g)) > 0);
    int st = proc_wait(pac, 10000);
    close(fd);
    if (st == -1)
        proc_stop(pac, 1000);
    char *err = read_file(ef, NULL);
    cr_expect(st != -1 && WIFEXITED(st) && WEXITSTATUS(st) == 1, "status %d: %s", st, err);
    cr_expect(strstr(err, "the client sent something that is not PPTP on the control connection") != NULL, "%s", err);
    free(err);
}

/* ---- privilege and usage ----------------------------------------------------------------- */

Test(live_errors, no_raw_socket_privilege, .timeout = 30)
{
    const char *drop = "";
    if (geteuid() == 0) {
        if (system("command -v setpriv >/dev/null 2>&1") == 0)
            drop = "setpriv --reuid=65534 --regid=65534 --clear-groups";
        else if (system("command -v runuser >/dev/null 2>&1") == 0)
            drop = "runuser -u nobody --";
        else
            cr_skip_test("root without setpriv or runuser: cannot run as an unprivileged user: skipped");
    }
    const char *modes[2] = {"pns --server 127.0.0.1 --port 9", "pac --listen 127.0.0.1 --port 9"};
    for (int i = 0; i < 2; i++) {
        char cmd[4096];
        snprintf(cmd, sizeof cmd, "%s '%s' %s '%s'", drop, peer(), modes[i], scn(LIVE_SCN));
        int st;
        long long ms;
        char *out = run(cmd, &st, &ms);
        if (strstr(out, "Permission denied") && !strstr(out, "raw GRE")) {
            free(out);
            cr_skip_test("the build tree is not readable by nobody: skipped");
        }
        cr_expect_eq(st, 1, "%s: exit %d: %s", modes[i], st, out);
        cr_expect(strstr(out, "cannot open a raw GRE socket (IPPROTO_GRE): Operation not permitted - live mode needs "
                              "root or CAP_NET_RAW") != NULL,
                  "%s: %s", modes[i], out);
        cr_expect_lt(ms, 3000);
        free(out);
    }
}

Test(live_errors, usage_errors, .timeout = 30)
{
    struct {
        const char *args;
        int status;
        const char *msg;
    } cases[] = {
        /* %s: the scenario */
        {"pns %s", 2, "pns needs --server ADDR"},
        {"pns --server 127.0.0.1", 2, "no scenario given"},
        {"pac --bogus x %s", 2, "unknown option --bogus"},
        {"pac --port 70000 %s", 2, "bad value '70000' for --port"},
        {"pns --server 127.0.0.1 --timeout 0 %s", 2, "--timeout must be above 0"},
        {"ppp %s", 2, "--role client|server is required"},
        {"ppp --role client", 2, "no scenario"},
        {"ppp --role server --scenario /nonexistent.scn", 1, "/nonexistent.scn"},
        {"live %s", 2, "unknown command 'live'"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        char args[2048], cmd[4096];
        snprintf(args, sizeof args, cases[i].args, scn(LIVE_SCN));
        snprintf(cmd, sizeof cmd, "'%s' %s </dev/null", peer(), args);
        int st;
        long long ms;
        char *out = run(cmd, &st, &ms);
        cr_expect_eq(st, cases[i].status, "'%s': exit %d: %s", args, st, out);
        cr_expect(strstr(out, cases[i].msg) != NULL, "'%s': %s", args, out);
        free(out);
    }
}

/* ---- stdio PPP mode ----------------------------------------------------------------------- */

/* Value of key in a "pptp-peer: call ..." line. */
static void rep(const char *text, const char *key, char *out, size_t cap)
{
    out[0] = '\0';
    const char *l = text ? strstr(text, "pptp-peer: call name=") : NULL;
    if (!l)
        return;
    char k[64];
    snprintf(k, sizeof k, " %s=", key);
    const char *p = strstr(l, k);
    const char *end = strchr(l, '\n');
    if (!p || (end && p > end))
        return;
    p += strlen(k);
    size_t n = strcspn(p, " \n");
    if (n >= cap)
        n = cap - 1;
    memcpy(out, p, n);
    out[n] = '\0';
}

static long long rep_num(const char *text, const char *key)
{
    char v[64];
    rep(text, key, v, sizeof v);
    return v[0] ? atoll(v) : -1;
}

static int wait_ok(pid_t pid, int ms)
{
    int st = proc_wait(pid, ms);
    if (st == -1)
        proc_stop(pid, 1000);
    return st != -1 && WIFEXITED(st) ? WEXITSTATUS(st) : -1;
}

/* What one end wrote the other read, and both agree on the session. */
static void expect_pair(const char *c, const char *s)
{
    cr_expect_eq(rep_num(c, "ppp_tx_frames"), rep_num(s, "ppp_rx_frames"), "client wrote / server read");
    cr_expect_eq(rep_num(c, "ppp_tx_bytes"), rep_num(s, "ppp_rx_bytes"));
    cr_expect_eq(rep_num(s, "ppp_tx_frames"), rep_num(c, "ppp_rx_frames"), "server wrote / client read");
    cr_expect_eq(rep_num(s, "ppp_tx_bytes"), rep_num(c, "ppp_rx_bytes"));
    cr_expect_gt(rep_num(c, "ppp_tx_frames"), 10);
    char a[64], b[64];
    rep(c, "outcome", a, sizeof a);
    cr_expect_str_eq(a, "up");
    rep(s, "outcome", a, sizeof a);
    cr_expect_str_eq(a, "up");
    rep(c, "ip_local", a, sizeof a);
    rep(s, "ip_peer", b, sizeof b);
    cr_expect_str_eq(a, b, "the address the server gave");
    rep(s, "user", a, sizeof a);
    cr_expect_str_eq(a, "CORP\\alice");
    cr_expect_eq(rep_num(c, "mppe_bits"), 128);
    cr_expect_eq(rep_num(s, "mppe_bits"), 128);
    cr_expect_eq(rep_num(c, "ip_rx"), 13, "10 echo replies and 3 requests from the server");
}

/* Both ends over a socketpair; the server gets pptpd's arguments (addresses
 * from localip/remoteip, an options file with ms-dns and name). */
Test(stdio, client_and_server_with_pptpd_arguments, .timeout = 30)
{
    int sv[2];
    cr_assert(socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv) == 0);
    char crep[PATH_LEN], srep[PATH_LEN], opts[PATH_LEN], slog[PATH_LEN];
    scratch("stdio-pair-client.report", crep, sizeof crep);
    scratch("stdio-pair-server.report", srep, sizeof srep);
    scratch("stdio-pair-options", opts, sizeof opts);
    scratch("stdio-pair-server.log", slog, sizeof slog);
    unlink(crep);
    unlink(srep);
    FILE *f = fopen(opts, "w");
    cr_assert(f);
    fprintf(f, "# pppd options\nname vpn-gw\nrequire-mschap-v2\nms-dns 192.0.2.1  # comment\nms-dns 192.0.2.2\n");
    fclose(f);
    char *sargv[] = {(char *)peer(), "ppp", "--role", "server", "--scenario", (char *)scn(LIVE_SCN), "--report", srep,
                     "-v", "local", "file", opts, "115200", "10.9.8.1:10.9.8.77", "ipparam", "203.0.113.9",
                     "remotenumber", "203.0.113.9", NULL};
    char *cargv[] = {(char *)peer(), "ppp", "--role", "client", (char *)scn(LIVE_SCN), "--report", crep, NULL};
    pid_t s = netns_spawn(NULL, sargv, sv[0], sv[0], slog);
    pid_t c = netns_spawn(NULL, cargv, sv[1], sv[1], NULL);
    close(sv[0]);
    close(sv[1]);
    cr_expect_eq(wait_ok(c, 15000), 0, "client");
    cr_expect_eq(wait_ok(s, 15000), 0, "server");
    char *ct = read_file(crep, NULL), *st = read_file(srep, NULL), *lg = read_file(slog, NULL);
    cr_assert(ct && st, "reports missing; server log: %s", lg ? lg : "");
    expect_pair(ct, st);
    char v[64];
    rep(ct, "ip_local", v, sizeof v);
    cr_expect_str_eq(v, "10.9.8.77", "the remote address of LOCAL:REMOTE");
    rep(st, "ip_local", v, sizeof v);
    cr_expect_str_eq(v, "10.9.8.1", "the local address of LOCAL:REMOTE");
    cr_expect(strstr(lg, "pppd option 'ipparam 203.0.113.9' ignored") != NULL, "%s", lg);
    free(ct);
    free(st);
    free(lg);
}

/* pptpd gives its ppp program the slave of a pty: it must go raw. */
Test(stdio, server_on_a_pty, .timeout = 30)
{
    int master, slave;
    cr_assert(openpty(&master, &slave, NULL, NULL, NULL) == 0);
    fcntl(master, F_SETFD, FD_CLOEXEC);
    fcntl(slave, F_SETFD, FD_CLOEXEC);
    int sv[2];
    cr_assert(socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv) == 0);
    char crep[PATH_LEN], srep[PATH_LEN];
    scratch("stdio-pty-client.report", crep, sizeof crep);
    scratch("stdio-pty-server.report", srep, sizeof srep);
    unlink(crep);
    unlink(srep);
    char *sargv[] = {(char *)peer(), "ppp", "--role", "server", (char *)scn(LIVE_SCN), "--report", srep, NULL};
    char *cargv[] = {(char *)peer(), "ppp", "--role", "client", (char *)scn(LIVE_SCN), "--report", crep, NULL};
    pid_t s = netns_spawn(NULL, sargv, slave, slave, NULL);
    pid_t c = netns_spawn(NULL, cargv, sv[1], sv[1], NULL);
    close(slave);
    close(sv[1]);
    /* the server makes its tty raw (no echo, no line editing) before anything
     * reaches it: until then the line discipline would echo and mangle frames */
    bool raw = false;
    for (long long end0 = now_ms() + 5000; !raw && now_ms() < end0;) {
        struct termios t;
        raw = tcgetattr(master, &t) == 0 && !(t.c_lflag & (ICANON | ECHO)) && !(t.c_iflag & ICRNL);
        if (!raw)
            usleep(5000);
    }
    cr_expect(raw, "pptp-peer ppp did not put its pty in raw mode");
    /* the test relays between the pty master and the client, as pptpctrl would */
    long long end = now_ms() + 15000;
    bool c_done = false;
    while (now_ms() < end && !c_done) {
        struct pollfd p[2] = {{master, POLLIN, 0}, {sv[0], POLLIN, 0}};
        poll(p, 2, 50);
        char buf[4096];
        if (p[0].revents & POLLIN) {
            ssize_t k = read(master, buf, sizeof buf);
            if (k > 0 && write(sv[0], buf, (size_t)k) < 0)
                break;
        }
        if (p[1].revents & POLLIN) {
            ssize_t k = read(sv[0], buf, sizeof buf);
            if (k > 0 && write(master, buf, (size_t)k) < 0)
                break;
            if (k == 0)
                c_done = true;
        }
        if (p[1].revents & POLLHUP)
            c_done = true;
    }
    cr_expect_eq(wait_ok(c, 5000), 0, "client");
    close(master); /* the server sees the hangup it waits for */
    close(sv[0]);
    cr_expect_eq(wait_ok(s, 5000), 0, "server");
    char *ct = read_file(crep, NULL), *st = read_file(srep, NULL);
    cr_assert(ct && st);
    expect_pair(ct, st);
    free(ct);
    free(st);
}

/* pptpd ends a call by killing its ppp program: that is the hangup the
 * server's script waits for, not an error; the report is still written. */
Test(stdio, sigterm_is_the_hangup, .timeout = 30)
{
    int sv[2];
    cr_assert(socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv) == 0);
    char srep[PATH_LEN];
    scratch("stdio-term-server.report", srep, sizeof srep);
    unlink(srep);
    char *sargv[] = {(char *)peer(), "ppp", "--role", "server", (char *)scn(LIVE_SCN), "--report", srep, NULL};
    pid_t s = netns_spawn(NULL, sargv, sv[0], sv[0], NULL);
    close(sv[0]);
    usleep(300000); /* it sent its LCP Configure-Request and waits for us */
    kill(s, SIGTERM);
    int st = wait_ok(s, 5000);
    close(sv[1]);
    cr_expect_eq(st, 1, "killed before the call came up: a failure");

    /* now with the call up: the client hangs up by closing, the server exits 0 */
    cr_assert(socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv) == 0);
    char crep[PATH_LEN];
    scratch("stdio-term-client.report", crep, sizeof crep);
    unlink(crep);
    unlink(srep);
    char *cargv[] = {(char *)peer(), "ppp", "--role", "client", (char *)scn(LIVE_SCN), "--report", crep, NULL};
    s = netns_spawn(NULL, sargv, sv[0], sv[0], NULL);
    pid_t c = netns_spawn(NULL, cargv, sv[1], sv[1], NULL);
    close(sv[0]);
    close(sv[1]);
    cr_expect_eq(wait_ok(c, 10000), 0);
    cr_expect_eq(wait_ok(s, 10000), 0);
    char *text = read_file(srep, NULL);
    cr_expect(text && strstr(text, "outcome=up"), "%s", text ? text : "");
    free(text);
}

Test(stdio, garbage_on_the_stream_times_out, .timeout = 30)
{
    int sv[2];
    cr_assert(socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv) == 0);
    char serr[PATH_LEN];
    scratch("stdio-garbage.err", serr, sizeof serr);
    char *sargv[] = {(char *)peer(), "ppp", "--role", "server", "--timeout", "1", (char *)scn(LIVE_SCN), NULL};
    long long t0 = now_ms();
    pid_t s = netns_spawn(NULL, sargv, sv[0], sv[0], serr);
    close(sv[0]);
    const char junk[] = "\x7e\x01\x02\x03\x04\x05\x7e garbage \x7d\x7e\xff\x03\xc0\x21\x7e";
    for (int i = 0; i < 20; i++)
        if (write(sv[1], junk, sizeof junk - 1) < 0)
            break;
    int st = wait_ok(s, 10000);
    close(sv[1]);
    char *err = read_file(serr, NULL);
    cr_expect_eq(st, 1, "%s", err ? err : "");
    cr_expect(err && strstr(err, "timed out after 1000 ms waiting for call c1 to come up"), "%s", err ? err : "");
    cr_expect_lt(now_ms() - t0, 5000);
    free(err);
}
