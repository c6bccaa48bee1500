/*
 * pptp-peer - a PPTP implementation playing both ends, for testing the sensor.
 *
 *   pptp-peer synth SCENARIO -w OUT.pcap [--seed N] [--sessions N] [--concurrency M] [-v]
 *   pptp-peer check SCENARIO...
 *   pptp-peer pns --server ADDR [--port N] [--bind ADDR] [--timeout T] [--seed N] [-v] SCENARIO
 *   pptp-peer pac [--listen ADDR] [--port N] [--connections N] [--accept-timeout T] [--ready-file F] ... SCENARIO
 *   pptp-peer ppp --role client|server [--scenario FILE | FILE.scn] [--report FILE] [--log FILE] [--exec CMD]
 *                 [pppd options]
 *
 * synth runs the scenario's client (PNS) and server (PAC) in memory over a
 * simulated network and writes every packet to OUT.pcap, deterministically.
 * check only parses.  pns / pac run one end over real sockets (TCP/1723 and a
 * raw GRE socket); ppp runs PPP alone on stdin/stdout in async HDLC framing,
 * for pptpd (its `ppp` program) and pptp --nolaunchpppd.  Scenario syntax and
 * the live modes: docs/peer.md.
 */
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <termios.h>
#include <time.h>
#include <unistd.h>

#include "peer_live.h"
#include "peer_scenario.h"
#include "peer_synth.h"

static void usage(FILE *f)
{
    fprintf(f, "usage: pptp-peer synth SCENARIO -w OUT.pcap [--seed N] [--sessions N] [--concurrency M] [-v]\n"
               "       pptp-peer check SCENARIO...\n"
               "       pptp-peer pns --server ADDR [--port N] [--bind ADDR] [--timeout T] [--seed N] [-v] SCENARIO\n"
               "       pptp-peer pac [--listen ADDR] [--port N] [--connections N] [--accept-timeout T]\n"
               "                     [--ready-file FILE] [--timeout T] [--seed N] [-v] SCENARIO\n"
               "       pptp-peer ppp --role client|server [--scenario FILE | FILE.scn] [--report FILE] [--log FILE]\n"
               "                     [--exec CMD] [--timeout T] [--seed N] [-v] [pppd-style options, e.g. from pptpd]\n"
               "synth runs both ends of a PPTP scenario in memory and writes the packets to a pcap;\n"
               "pns / pac run one end over real sockets (TCP/1723, raw GRE: root); ppp runs PPP over\n"
               "stdin/stdout in async HDLC framing (pptpd's ppp program, pptp --nolaunchpppd).\n"
               "T: seconds, or 500ms, 2s... Scenario syntax: docs/peer.md\n");
}

static bool num_arg(int argc, char **argv, int *i, uint64_t max, uint64_t *out)
{
    if (*i + 1 >= argc) {
        fprintf(stderr, "pptp-peer: %s needs a value\n", argv[*i]);
        return false;
    }
    ++*i;
    char *end;
    unsigned long long v = strtoull(argv[*i], &end, 0);
    if (*end || !*argv[*i] || v > max) {
        fprintf(stderr, "pptp-peer: bad value '%s' for %s\n", argv[*i], argv[*i - 1]);
        return false;
    }
    *out = v;
    return true;
}

static int cmd_check(int argc, char **argv)
{
    int rc = 0;
    for (int i = 2; i < argc; i++) {
        scenario sc;
        char err[512];
        if (!scenario_load(&sc, argv[i], err, sizeof err)) {
            fprintf(stderr, "%s\n", err);
            rc = 1;
            continue;
        }
        printf("%s: ok, %d actions\n", argv[i], sc.n_dirs);
        scenario_free(&sc);
    }
    return rc;
}

static int cmd_synth(int argc, char **argv)
{
    const char *path = NULL;
    synth_opts o;
    memset(&o, 0, sizeof o);
    bool conc_set = false;
    for (int i = 2; i < argc; i++) {
        uint64_t v;
        if (!strcmp(argv[i], "-w") || !strcmp(argv[i], "--write")) {
            if (i + 1 >= argc) {
                fprintf(stderr, "pptp-peer: -w needs a file\n");
                return 2;
            }
            o.out = argv[++i];
        } else if (!strcmp(argv[i], "--seed")) {
            if (!num_arg(argc, argv, &i, UINT64_MAX, &v))
                return 2;
            o.seed = v;
            o.seed_set = true;
        } else if (!strcmp(argv[i], "--sessions")) {
            if (!num_arg(argc, argv, &i, 100000, &v) || !v)
                return 2;
            o.sessions = (int)v;
        } else if (!strcmp(argv[i], "--concurrency")) {
            if (!num_arg(argc, argv, &i, 100000, &v) || !v)
                return 2;
            o.concurrency = (int)v;
            conc_set = true;
        } else if (!strcmp(argv[i], "-v") || !strcmp(argv[i], "--verbose")) {
            o.verbose++;
        } else if (argv[i][0] == '-') {
            fprintf(stderr, "pptp-peer: unknown option %s\n", argv[i]);
            usage(stderr);
            return 2;
        } else if (!path) {
            path = argv[i];
        } else {
            fprintf(stderr, "pptp-peer: one scenario at a time\n");
            return 2;
        }
    }
    if (!path || !o.out) {
        usage(stderr);
        return 2;
    }
    scenario sc;
    char err[512];
    if (!scenario_load(&sc, path, err, sizeof err)) {
        fprintf(stderr, "%s\n", err);
        return 1;
    }
    if (!o.sessions)
        o.sessions = sc.sessions ? sc.sessions : 1;
    if (!conc_set)
        o.concurrency = sc.concurrency ? sc.concurrency : o.sessions;
    synth_stats st;
    bool ok = synth_run(&sc, &o, &st, err, sizeof err);
    scenario_free(&sc);
    if (!ok) {
        fprintf(stderr, "pptp-peer: %s\n", err);
        return 1;
    }
    printf("%s: %llu packets written (%llu on the wire, %llu IP fragments), %llu.%06llu s, "
           "%d session(s), calls up %d, auth failed %d, refused %d\n",
           o.out, (unsigned long long)st.frames_written, (unsigned long long)st.frames,
           (unsigned long long)st.fragments, (unsigned long long)(st.duration / 1000000),
           (unsigned long long)(st.duration % 1000000), st.sessions_done, st.calls_up, st.calls_auth_failed,
           st.calls_refused);
    return 0;
}

/* A duration on the command line: a plain number is seconds. */
static bool dur_arg(int argc, char **argv, int *i, ptime *out)
{
    if (*i + 1 >= argc) {
        fprintf(stderr, "pptp-peer: %s needs a value\n", argv[*i]);
        return false;
    }
    const char *v = argv[++*i];
    uint64_t secs;
    if (parse_uint(v, 86400, &secs)) {
        *out = secs * PT_SEC;
    } else if (!parse_duration(v, out)) {
        fprintf(stderr, "pptp-peer: bad duration '%s' for %s\n", v, argv[*i - 1]);
        return false;
    }
    if (!*out) {
        fprintf(stderr, "pptp-peer: %s must be above 0\n", argv[*i - 1]);
        return false;
    }
    return true;
}

static bool str_arg(int argc, char **argv, int *i, const char **out)
{
    if (*i + 1 >= argc) {
        fprintf(stderr, "pptp-peer: %s needs a value\n", argv[*i]);
        return false;
    }
    *out = argv[++*i];
    return true;
}

static int load_and_run(const char *path, live_opts *o, void (*adjust)(scenario *, void *), void *ctx)
{
    scenario sc;
    char err[512];
    if (!scenario_load(&sc, path, err, sizeof err)) {
        fprintf(stderr, "pptp-peer: %s\n", err);
        return 1;
    }
    if (adjust)
        adjust(&sc, ctx);
    int rc = live_run(&sc, o, err, sizeof err);
    scenario_free(&sc);
    if (rc)
        fprintf(stderr, "pptp-peer %s: %s\n", o->mode == LIVE_PNS ? "pns" : o->mode == LIVE_PAC ? "pac" : "ppp",
                err);
    return rc;
}

/* pns / pac */
static int cmd_live(int argc, char **argv, int mode)
{
    live_opts o;
    live_opts_default(&o, mode);
    const char *path = NULL;
    for (int i = 2; i < argc; i++) {
        const char *a = argv[i];
        uint64_t v;
        if (mode == LIVE_PNS && (!strcmp(a, "--server") || !strcmp(a, "-s"))) {
            if (!str_arg(argc, argv, &i, &o.addr))
                return 2;
        } else if (mode == LIVE_PNS && !strcmp(a, "--bind")) {
            if (!str_arg(argc, argv, &i, &o.bind_addr))
                return 2;
        } else if (mode == LIVE_PAC && (!strcmp(a, "--listen") || !strcmp(a, "-l"))) {
            if (!str_arg(argc, argv, &i, &o.addr))
                return 2;
        } else if (!strcmp(a, "--port") || !strcmp(a, "-p")) {
            if (!num_arg(argc, argv, &i, 65535, &v))
                return 2;
            o.port = (uint16_t)v;
        } else if (!strcmp(a, "--timeout") || !strcmp(a, "-t")) {
            if (!dur_arg(argc, argv, &i, &o.timeout))
                return 2;
        } else if (mode == LIVE_PAC && !strcmp(a, "--accept-timeout")) {
            if (!dur_arg(argc, argv, &i, &o.accept_timeout))
                return 2;
        } else if (mode == LIVE_PAC && !strcmp(a, "--connections")) {
            if (!num_arg(argc, argv, &i, 100000, &v) || !v)
                return 2;
            o.connections = (int)v;
        } else if (mode == LIVE_PAC && !strcmp(a, "--ready-file")) {
            if (!str_arg(argc, argv, &i, &o.ready_file))
                return 2;
        } else if (!strcmp(a, "--seed")) {
            if (!num_arg(argc, argv, &i, UINT64_MAX, &v))
                return 2;
            o.seed = v;
            o.seed_set = true;
        } else if (!strcmp(a, "-v") || !strcmp(a, "--verbose")) {
            o.verbose++;
        } else if (a[0] == '-') {
            fprintf(stderr, "pptp-peer: unknown option %s\n", a);
            usage(stderr);
            return 2;
        } else if (!path) {
            path = a;
        } else {
            fprintf(stderr, "pptp-peer: one scenario at a time\n");
            return 2;
        }
    }
    if (!path || (mode == LIVE_PNS && !o.addr)) {
        fprintf(stderr, "pptp-peer: %s\n", !path ? "no scenario given" : "pns needs --server ADDR");
        usage(stderr);
        return 2;
    }
    return load_and_run(path, &o, NULL, NULL);
}

/* ---- ppp: pppd-style arguments (pptpd runs its ppp program like pppd) ---------- */

typedef struct pppd_args {
    int side;
    bool have_addrs;
    uint32_t local, remote;
    const char *name, *user;
    uint32_t dns[2], wins[2];
    int n_dns, n_wins;
    int verbose;
    char *owned[64]; /* strings read from option files */
    int n_owned;
} pppd_args;

/* pppd options that take a value (so the value is not read as an option). */
static bool pppd_takes_value(const char *k)
{
    static const char *const one[] = {
        "file", "ipparam", "remotenumber", "plugin", "pptpd-original-ip", "name", "user", "remotename",
        "password", "mtu", "mru", "asyncmap", "lcp-echo-interval", "lcp-echo-failure", "lcp-restart",
        "lcp-max-configure", "lcp-max-terminate", "lcp-max-failure", "idle", "maxfail", "logfile", "logfd",
        "linkname", "unit", "connect", "disconnect", "pty", "ms-dns", "ms-wins", "holdoff", "connect-delay",
        "escape", "call", "init", "welcome", "domain", "netmask", "chap-restart", "chap-max-challenge",
        "chap-interval", "pap-restart", "pap-max-authreq", "pap-timeout", "ipcp-restart", "ipcp-max-configure",
        "ipcp-max-terminate", "ipcp-max-failure", "ipv6", "ipv6cp-restart", "ccp-restart", "mppe",
        "active-filter", "pass-filter", "maxconnect", "ktune-value", "eap-restart", "eap-timeout", "srp-interval",
        "remotenumber", "ifname", "demand-idle", NULL};
    for (int i = 0; one[i]; i++)
        if (!strcmp(k, one[i]))
            return true;
    return false;
}

static bool parse_addr_pair(const char *s, uint32_t *a, uint32_t *b)
{
    const char *colon = strchr(s, ':');
    if (!colon || strchr(colon + 1, ':'))
        return false;
    char l[64], r[64];
    size_t ll = (size_t)(colon - s);
    if (ll >= sizeof l || strlen(colon + 1) >= sizeof r)
        return false;
    memcpy(l, s, ll);
    l[ll] = '\0';
    snprintf(r, sizeof r, "%s", colon + 1);
    *a = *b = 0;
    if (*l && !parse_ipv4(l, a))
        return false;
    if (*r && !parse_ipv4(r, b))
        return false;
    return true;
}

static void pppd_apply(pppd_args *pa, char **tok, int n, int depth);

static void pppd_file(pppd_args *pa, const char *path, int depth)
{
    if (depth > 3)
        return;
    FILE *f = fopen(path, "r");
    if (!f) {
        if (pa->verbose)
            fprintf(stderr, "pptp-peer ppp: option file %s: cannot read (ignored)\n", path);
        return;
    }
    char line[512];
    char *tok[64];
    int n = 0;
    while (fgets(line, sizeof line, f) && n < 64) {
        char *h = strchr(line, '#');
        if (h)
            *h = '\0';
        for (char *t = strtok(line, " \t\r\n"); t && n < 64 && pa->n_owned < 64; t = strtok(NULL, " \t\r\n")) {
            char *d = strdup(t);
            if (!d)
                break;
            pa->owned[pa->n_owned++] = d;
            tok[n++] = d;
        }
    }
    fclose(f);
    pppd_apply(pa, tok, n, depth + 1);
}

static void pppd_apply(pppd_args *pa, char **tok, int n, int depth)
{
    for (int i = 0; i < n; i++) {
        const char *k = tok[i];
        const char *v = i + 1 < n ? tok[i + 1] : NULL;
        uint32_t a, b;
        uint64_t num;
        if (pppd_takes_value(k)) {
            if (!v) {
                if (pa->verbose)
                    fprintf(stderr, "pptp-peer ppp: pppd option '%s' without its value (ignored)\n", k);
                break;
            }
            i++;
            if (!strcmp(k, "file"))
                pppd_file(pa, v, depth);
            else if (!strcmp(k, "name"))
                pa->name = v;
            else if (!strcmp(k, "user"))
                pa->user = v;
            else if (!strcmp(k, "ms-dns") && pa->n_dns < 2 && parse_ipv4(v, &a))
                pa->dns[pa->n_dns++] = a;
            else if (!strcmp(k, "ms-wins") && pa->n_wins < 2 && parse_ipv4(v, &a))
                pa->wins[pa->n_wins++] = a;
            else if (pa->verbose)
                fprintf(stderr, "pptp-peer ppp: pppd option '%s %s' ignored\n", k, v);
        } else if (parse_uint(k, 100000000, &num)) {
            /* line speed */
        } else if (parse_addr_pair(k, &a, &b)) {
            pa->have_addrs = true;
            pa->local = a;
            pa->remote = b;
        } else if (pa->verbose) {
            fprintf(stderr, "pptp-peer ppp: pppd option '%s' ignored\n", k);
        }
    }
}

static void ppp_adjust(scenario *sc, void *ctx)
{
    pppd_args *pa = ctx;
    pppe_cfg *c = &sc->ppp[pa->side];
    if (pa->have_addrs && pa->side == SIDE_SERVER) {
        /* pptpd's localip:remoteip, as pppd would use them */
        if (pa->local)
            c->ip_local = pa->local;
        if (pa->remote)
            c->ip_assign = pa->remote;
    }
    if (pa->name && pa->side == SIDE_SERVER)
        snprintf(c->auth_name, sizeof c->auth_name, "%s", pa->name);
    if (pa->user && pa->side == SIDE_CLIENT)
        snprintf(c->login, sizeof c->login, "%s", pa->user);
    for (int i = 0; i < pa->n_dns && pa->side == SIDE_SERVER; i++)
        c->dns[i] = pa->dns[i];
    for (int i = 0; i < pa->n_wins && pa->side == SIDE_SERVER; i++)
        c->nbns[i] = pa->wins[i];
}

static bool ends_with(const char *s, const char *suf)
{
    size_t a = strlen(s), b = strlen(suf);
    return a >= b && !strcmp(s + a - b, suf);
}

static int cmd_ppp(int argc, char **argv)
{
    if (isatty(0)) {
        /* a pty from pptpd: raw before anything else, frames may already be
         * arriving (pptpctrl only turns echo off) */
        struct termios t;
        if (tcgetattr(0, &t) == 0) {
            cfmakeraw(&t);
            tcsetattr(0, TCSANOW, &t);
        }
    }
    live_opts o;
    live_opts_default(&o, LIVE_STDIO);
    o.report = stderr;
    const char *path = NULL, *report = NULL, *log = NULL, *role = NULL, *exec_cmd = NULL;
    char *extra[256];
    int n_extra = 0;
    pppd_args pa;
    memset(&pa, 0, sizeof pa);
    bool dashdash = false;
    for (int i = 2; i < argc; i++) {
        const char *a = argv[i];
        uint64_t v;
        if (dashdash || a[0] != '-') {
            if (!path && !dashdash && ends_with(a, ".scn"))
                path = a;
            else if (n_extra < 256)
                extra[n_extra++] = argv[i];
        } else if (!strcmp(a, "--")) {
            dashdash = true;
        } else if (!strcmp(a, "--role")) {
            if (!str_arg(argc, argv, &i, &role))
                return 2;
        } else if (!strcmp(a, "--scenario")) {
            if (!str_arg(argc, argv, &i, &path))
                return 2;
        } else if (!strcmp(a, "--report")) {
            if (!str_arg(argc, argv, &i, &report))
                return 2;
        } else if (!strcmp(a, "--log")) {
            if (!str_arg(argc, argv, &i, &log))
                return 2;
        } else if (!strcmp(a, "--exec")) {
            if (!str_arg(argc, argv, &i, &exec_cmd))
                return 2;
        } else if (!strcmp(a, "--timeout") || !strcmp(a, "-t")) {
            if (!dur_arg(argc, argv, &i, &o.timeout))
                return 2;
        } else if (!strcmp(a, "--seed")) {
            if (!num_arg(argc, argv, &i, UINT64_MAX, &v))
                return 2;
            o.seed = v;
            o.seed_set = true;
        } else if (!strcmp(a, "-v") || !strcmp(a, "--verbose")) {
            o.verbose++;
        } else if (n_extra < 256) {
            /* pppd takes no dashed options, but be lenient with unknown ones */
            extra[n_extra++] = argv[i];
        }
    }
    if (log && !freopen(log, "a", stderr)) {
        perror(log);
        return 2;
    }
    if (log)
        setvbuf(stderr, NULL, _IOLBF, 0);
    if (!role || (strcmp(role, "client") && strcmp(role, "server"))) {
        fprintf(stderr, "pptp-peer ppp: --role client|server is required\n");
        usage(stderr);
        return 2;
    }
    if (!path) {
        fprintf(stderr, "pptp-peer ppp: no scenario (--scenario FILE or a FILE.scn argument)\n");
        return 2;
    }
    o.side = !strcmp(role, "client") ? SIDE_CLIENT : SIDE_SERVER;
    pa.side = o.side;
    pa.verbose = o.verbose;
    if (o.verbose && n_extra) {
        fprintf(stderr, "pptp-peer ppp: pppd-style arguments:");
        for (int i = 0; i < n_extra; i++)
            fprintf(stderr, " %s", extra[i]);
        fputc('\n', stderr);
    }
    pppd_apply(&pa, extra, n_extra, 0);
    FILE *rf = NULL;
    if (report) {
        rf = fopen(report, "a");
        if (!rf) {
            perror(report);
            return 2;
        }
        o.report = rf;
    }
    /* --exec: the program's stdin (read and written, like pppd's pty) is our stream */
    pid_t child = -1;
    int sv[2] = {-1, -1};
    if (exec_cmd) {
        if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv) < 0) {
            perror("socketpair");
            return 1;
        }
        child = fork();
        if (child < 0) {
            perror("fork");
            return 1;
        }
        if (child == 0) {
            dup2(sv[0], 0);
            execl("/bin/sh", "sh", "-c", exec_cmd, (char *)NULL);
            _exit(127);
        }
        close(sv[0]);
        o.in_fd = o.out_fd = sv[1];
        if (o.verbose)
            fprintf(stderr, "pptp-peer ppp: started '%s' (pid %ld) on the PPP stream\n", exec_cmd, (long)child);
    }
    int rc = load_and_run(path, &o, ppp_adjust, &pa);
    if (child > 0) {
        close(sv[1]); /* end of our stream: the program hangs up */
        int st = 0;
        pid_t w = 0;
        struct timespec ts = {0, 20 * 1000 * 1000};
        for (int i = 0; i < 500 && (w = waitpid(child, &st, WNOHANG)) == 0; i++)
            nanosleep(&ts, NULL); /* up to 10 s */
        if (w == 0) {
            fprintf(stderr, "pptp-peer ppp: '%s' still running 10 s after the end of the stream: terminated\n",
                    exec_cmd);
            kill(child, SIGTERM);
            waitpid(child, &st, 0);
            rc = 1;
        } else if (w == child && !(WIFEXITED(st) && WEXITSTATUS(st) == 0)) {
            fprintf(stderr, "pptp-peer ppp: '%s' ended with status %d\n", exec_cmd,
                    WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st));
            rc = 1;
        }
    }
    if (rf)
        fclose(rf);
    for (int i = 0; i < pa.n_owned; i++)
        free(pa.owned[i]);
    return rc;
}

int main(int argc, char **argv)
{
    if (argc < 2 || !strcmp(argv[1], "-h") || !strcmp(argv[1], "--help") || !strcmp(argv[1], "help")) {
        usage(argc < 2 ? stderr : stdout);
        return argc < 2 ? 2 : 0;
    }
    if (!strcmp(argv[1], "synth"))
        return cmd_synth(argc, argv);
    if (!strcmp(argv[1], "check"))
        return cmd_check(argc, argv);
    if (!strcmp(argv[1], "pns"))
        return cmd_live(argc, argv, LIVE_PNS);
    if (!strcmp(argv[1], "pac"))
        return cmd_live(argc, argv, LIVE_PAC);
    if (!strcmp(argv[1], "ppp"))
        return cmd_ppp(argc, argv);
    fprintf(stderr, "pptp-peer: unknown command '%s'\n", argv[1]);
    usage(stderr);
    return 2;
}
