/*
 * test_peer_interop.c - pptp-peer against third-party PPTP, captured LIVE by
 * pptp-sensor.
 *
 * Every test builds its own network: namespace A (server, 10.X.Y.1) and B
 * (client, 10.X.Y.2) joined by a veth pair (tests/util/netns_util.h);
 * pptp-sensor and tcpdump capture on A's end.  Combinations:
 *
 *   a  pptp-linux (pptp --nolaunchpppd) -> pptpd, pptp-peer ppp at both ends
 *   b  pptp-peer pns -> pptpd (running pptp-peer ppp as its ppp program)
 *   c  pptp-linux -> pptp-peer pac (pptp-peer ppp --role client --exec pptp: pptp's stdin is
 *      the PPP stream)
 *   d  pptp-peer pns -> pptp-peer pac, two calls on one control connection
 *
 * Each checks that the sensor's events say what the peers did: user, auth
 * method and outcome, MPPE bits, IPCP addresses, Call IDs (against tshark's
 * decode of the capture and the peers' own reports), GRE packets and bytes per
 * direction equal to the peers' counters (pptp-peer's "pptp-peer: call ..."
 * lines; for pptp-linux / pptpd, which keep no per-call counters, the PPP
 * frames our PPP end wrote and read, plus tshark's count of the capture), and
 * tshark decodes the capture without a malformed packet.
 *
 * Needs root (namespaces, raw GRE, capture), pptpd, pptp, tcpdump and tshark;
 * skips with a message otherwise.  Each test is bounded (well under 60 s).
 */
#define _GNU_SOURCE
#include <criterion/criterion.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "netns_util.h"
#include "proc_util.h"
#include "sensor_run.h"
#include "test_env.h"

#define PATH_LEN 2048

typedef struct rig {
    netns_pair np;
    char dir[PATH_LEN];
    char events[PATH_LEN], pcap[PATH_LEN];
    pid_t sensor, tcpdump;
    bool capturing;
    long long t0;
    const char *tag;
} rig;

static rig R;

static const char *peer_binary(void)
{
    static char p[PATH_LEN];
    const char *b = getenv("PPTP_BINARY_DIR");
    snprintf(p, sizeof p, "%s/pptp-peer", b && *b ? b : PPTP_BINARY_DIR);
    return p;
}

static void scenario(const char *name, char *out, size_t cap)
{
    char rel[256];
    snprintf(rel, sizeof rel, "tests/peer/scenarios/live/%s", name);
    source_path(rel, out, cap);
}

static bool have(const char *prog)
{
    char cmd[256];
    snprintf(cmd, sizeof cmd, "command -v %s >/dev/null 2>&1", prog);
    return system(cmd) == 0;
}

static void in_dir(const char *name, char *out, size_t cap)
{
    snprintf(out, cap, "%s/%s", R.dir, name);
}

static void stop_capture(void)
{
    if (!R.capturing)
        return;
    R.capturing = false;
    usleep(300000); /* the last packets through the capture buffers */
    int st = proc_stop(R.sensor, 10000);
    proc_stop(R.tcpdump, 5000);
    R.sensor = R.tcpdump = 0;
    cr_expect(st != -1 && WIFEXITED(st) && WEXITSTATUS(st) == 0, "pptp-sensor exit status %d", st);
}

static void rig_fini(void)
{
    if (R.capturing) {
        R.capturing = false;
        proc_stop(R.sensor, 5000);
        proc_stop(R.tcpdump, 5000);
    }
    netns_pair_teardown(&R.np);
    if (R.t0)
        cr_log_info("%s: %.2f s", R.tag ? R.tag : "interop", (double)(now_ms() - R.t0) / 1000.0);
}

/* Skip unless everything is there; namespaces; capture running in A. */
static void rig_start(const char *tag, bool need_pptpd, bool need_pptp)
{
    memset(&R, 0, sizeof R);
    R.tag = tag;
    char why[256];
    if (!netns_available(why, sizeof why))
        cr_skip_test("interop test %s %s: skipped", tag, why);
    const char *need[] = {"tcpdump", "tshark", need_pptpd ? "pptpd" : NULL, need_pptp ? "pptp" : NULL};
    for (size_t i = 0; i < sizeof need / sizeof need[0]; i++)
        if (need[i] && !have(need[i]))
            cr_skip_test("interop test %s needs %s (scripts/install-deps.sh): skipped", tag, need[i]);
    R.t0 = now_ms();
    netns_reap_stale();
    cr_assert(netns_pair_setup(&R.np, why, sizeof why), "%s", why);
    char d[256];
    snprintf(d, sizeof d, "interop-%s-%ld", tag, (long)getpid());
    scratch_path(d, R.dir, sizeof R.dir);
    mkdir(R.dir, 0755);
    in_dir("events.jsonl", R.events, sizeof R.events);
    in_dir("capture.pcap", R.pcap, sizeof R.pcap);
    unlink(R.events);
    unlink(R.pcap);
    char serr[PATH_LEN], terr[PATH_LEN];
    in_dir("sensor.err", serr, sizeof serr);
    in_dir("tcpdump.err", terr, sizeof terr);
    char *sargv[] = {(char *)sensor_binary(), "-i", R.np.if_a, "-w", R.events, NULL};
    R.sensor = netns_spawn(R.np.a, sargv, -1, -1, serr);
    char *targv[] = {"tcpdump", "-i", R.np.if_a, "-n", "--immediate-mode", "-U", "-s", "0", "-Z", "root", "-w", R.pcap, NULL};
    R.tcpdump = netns_spawn(R.np.a, targv, -1, -1, terr);
    cr_assert(R.sensor > 0 && R.tcpdump > 0, "cannot start the capture");
    R.capturing = true;
    cr_assert(netns_wait_capture(R.sensor, 2, 10000), "pptp-sensor and tcpdump did not start capturing on %s",
              R.np.if_a);
    usleep(300000);
}

/* ---- reading results ---------------------------------------------------------------- */

/* Value of key in the report line of call `name` ("" when absent). */
static void rep(const char *report, const char *name, const char *key, char *out, size_t cap)
{
    out[0] = '\0';
    char want[64];
    snprintf(want, sizeof want, "pptp-peer: call name=%s ", name);
    const char *l = report ? strstr(report, want) : NULL;
    if (!l)
        return;
    const char *end = strchr(l, '\n');
    if (!end)
        end = l + strlen(l);
    char k[64];
    snprintf(k, sizeof k, " %s=", key);
    const char *p = strstr(l, k);
    if (!p || p > end)
        return;
    p += strlen(k);
    size_t n = strcspn(p, " \n");
    if (n >= cap)
        n = cap - 1;
    memcpy(out, p, n);
    out[n] = '\0';
}

static long long rep_num(const char *report, const char *name, const char *key)
{
    char v[64];
    rep(report, name, key, v, sizeof v);
    return v[0] ? atoll(v) : -1;
}

static char *slurp(const char *name)
{
    char p[PATH_LEN];
    in_dir(name, p, sizeof p);
    char *s = read_file(p, NULL);
    return s ? s : strdup("");
}

/* The sensor's event of `action` for the call whose PNS Call ID is pns_id:
 * its fields, '|'-joined (malloc'd; "" when none). */
static char *ev_for(const char *action, long pns_id, const char *fields)
{
    char f[1024];
    snprintf(f, sizeof f, "pptp.call.pns_call_id %s", fields);
    char *all = sensor_query(R.events, action, f);
    char want[32];
    snprintf(want, sizeof want, "%ld|", pns_id);
    char *res = strdup("");
    for (char *line = all, *next; line && *line; line = next) {
        next = strchr(line, '\n');
        if (next)
            *next++ = '\0';
        if (!strncmp(line, want, strlen(want))) {
            free(res);
            res = strdup(line + strlen(want));
            break;
        }
    }
    free(all);
    return res;
}

/* Field i (0-based) of a '|'-joined line. */
static void field(const char *line, int i, char *out, size_t cap)
{
    const char *p = line;
    for (; i > 0 && p; i--) {
        p = strchr(p, '|');
        if (p)
            p++;
    }
    out[0] = '\0';
    if (!p)
        return;
    size_t n = strcspn(p, "|\n");
    if (n >= cap)
        n = cap - 1;
    memcpy(out, p, n);
    out[n] = '\0';
}

static long long field_num(const char *line, int i)
{
    char v[64];
    field(line, i, v, sizeof v);
    return v[0] ? atoll(v) : -1;
}

/* tshark over the capture: packets and IP bytes of GRE from src. */
static void tshark_gre(const char *src, long long *pkts, long long *bytes)
{
    char filter[128];
    snprintf(filter, sizeof filter, "gre && ip.src==%s", src);
    const char *fields[] = {"ip.len", NULL};
    char *out = tshark_fields(R.pcap, filter, fields);
    *pkts = *bytes = 0;
    for (char *l = out; l && *l;) {
        (*pkts)++;
        *bytes += atoll(l);
        char *nl = strchr(l, '\n');
        l = nl ? nl + 1 : l + strlen(l);
    }
    free(out);
}

/* Call IDs from the capture: OCRQ's (the PNS's) and the matching OCRP's (the PAC's). */
static int tshark_call_ids(long pns[], long pac[], int cap)
{
    const char *fields[] = {"pptp.control_message_type", "pptp.call_id", "pptp.peer_call_id", NULL};
    char *out = tshark_fields(R.pcap, "pptp.control_message_type == 8", fields);
    int n = 0;
    for (char *l = out; l && *l && n < cap;) {
        char *nl = strchr(l, '\n');
        if (nl)
            *nl = '\0';
        char pac_s[16], pns_s[16];
        field(l, 1, pac_s, sizeof pac_s);
        field(l, 2, pns_s, sizeof pns_s);
        pac[n] = atol(pac_s);
        pns[n] = atol(pns_s);
        n++;
        l = nl ? nl + 1 : l + strlen(l);
    }
    free(out);
    return n;
}

static void expect_clean_decode(void)
{
    int bad = tshark_malformed_count(R.pcap);
    cr_expect_eq(bad, 0, "tshark: %d malformed or error packets in %s", bad, R.pcap);
}

/* What every combination checks on one call, given the PNS Call ID. */
typedef struct expect_call {
    long pns_id, pac_id;
    const char *user, *domain, *method;
    int auth_failures;
    int mppe_bits;
    bool stateless;
    const char *client_ip, *server_ip;
} expect_call;

static void expect_session(const expect_call *e)
{
    char *v = ev_for("call_established", e->pns_id, "pptp.call.pac_call_id pptp.gre.client_ip pptp.gre.server_ip");
    char want[256];
    snprintf(want, sizeof want, "%ld|%s|%s", e->pac_id, R.np.ip_b, R.np.ip_a);
    cr_expect_str_eq(v, want, "call_established (pac id|client|server) for PNS call %ld", e->pns_id);
    free(v);
    v = ev_for("auth_success", e->pns_id, "user.name user.domain pptp.auth.method pptp.auth.outcome");
    snprintf(want, sizeof want, "%s|%s|%s|success", e->user, e->domain ? e->domain : "", e->method);
    cr_expect_str_eq(v, want, "auth_success (user|domain|method|outcome)");
    free(v);
    v = ev_for("auth_success", e->pns_id, "pptp.auth.failures");
    cr_expect_eq(*v ? atol(v) : 0, e->auth_failures, "auth_success: failures before it (%s)", v);
    free(v);
    if (e->auth_failures) {
        v = ev_for("auth_failure", e->pns_id, "pptp.auth.method pptp.auth.outcome");
        snprintf(want, sizeof want, "%s|failure", e->method);
        cr_expect_str_eq(v, want, "auth_failure");
        free(v);
    }
    if (e->mppe_bits) {
        v = ev_for("mppe_negotiated", e->pns_id, "pptp.mppe.key_bits pptp.mppe.stateless pptp.mppe.encrypted");
        snprintf(want, sizeof want, "%d|%s|true", e->mppe_bits, e->stateless ? "true" : "false");
        cr_expect_str_eq(v, want, "mppe_negotiated (bits|stateless|encrypted)");
        free(v);
    }
    v = ev_for("ipcp_negotiated", e->pns_id, "pptp.ipcp.client_ip pptp.ipcp.server_ip");
    snprintf(want, sizeof want, "%s|%s", e->client_ip, e->server_ip);
    cr_expect_str_eq(v, want, "ipcp_negotiated (client|server)");
    free(v);
}

/* The teardown's counters: [0] client packets, bytes, [2] server packets,
 * bytes, [4] client ack-only, server ack-only, [6] PPP client bytes, server
 * bytes.  false when no teardown for that call. */
static bool teardown_counts(long pns_id, long long c[8], char *reason, size_t rcap)
{
    char *v = ev_for("teardown", pns_id,
                     "source.packets source.bytes destination.packets destination.bytes pptp.gre.client.ack_only "
                     "pptp.gre.server.ack_only pptp.ppp.client_bytes pptp.ppp.server_bytes pptp.teardown.reason");
    bool ok = *v != '\0';
    for (int i = 0; i < 8; i++)
        c[i] = field_num(v, i);
    for (int i = 4; i < 6; i++)
        if (c[i] < 0)
            c[i] = 0; /* absent = none */
    field(v, 8, reason, rcap);
    free(v);
    return ok;
}

/* Our live peer's GRE counters against the sensor's (side: the peer is the client or the server). */
static void expect_live_counters(const char *report, const char *name, bool is_client, const long long t[8])
{
    int tx = is_client ? 0 : 2, rx = is_client ? 2 : 0;
    cr_expect_eq(rep_num(report, name, "gre_tx_packets"), t[tx], "call %s: GRE packets sent %lld, sensor %lld",
                 name, rep_num(report, name, "gre_tx_packets"), t[tx]);
    cr_expect_eq(rep_num(report, name, "gre_tx_bytes"), t[tx + 1], "call %s: GRE bytes sent %lld, sensor %lld", name,
                 rep_num(report, name, "gre_tx_bytes"), t[tx + 1]);
    cr_expect_eq(rep_num(report, name, "gre_rx_packets"), t[rx], "call %s: GRE packets received %lld, sensor %lld",
                 name, rep_num(report, name, "gre_rx_packets"), t[rx]);
    cr_expect_eq(rep_num(report, name, "gre_rx_bytes"), t[rx + 1], "call %s: GRE bytes received %lld, sensor %lld",
                 name, rep_num(report, name, "gre_rx_bytes"), t[rx + 1]);
    cr_expect_eq(rep_num(report, name, "gre_tx_ack_only"), t[is_client ? 4 : 5], "call %s: ack-only sent", name);
    cr_expect_eq(rep_num(report, name, "ppp_tx_bytes"), t[is_client ? 6 : 7], "call %s: PPP bytes sent", name);
    cr_expect_eq(rep_num(report, name, "ppp_rx_bytes"), t[is_client ? 7 : 6], "call %s: PPP bytes received", name);
}

/* Our stdio PPP end's frames against the sensor's data packets of the PPTP
 * daemon that carried them (every frame one GRE data packet). */
static void expect_stdio_counters(const char *report, bool is_client, const long long t[8])
{
    int tx = is_client ? 0 : 2, rx = is_client ? 2 : 0;
    long long data_tx = t[tx] - t[is_client ? 4 : 5], data_rx = t[rx] - t[is_client ? 5 : 4];
    cr_expect_eq(rep_num(report, "c1", "ppp_tx_frames"), data_tx,
                 "%s: PPP frames written %lld, GRE data packets carrying them %lld", is_client ? "client" : "server",
                 rep_num(report, "c1", "ppp_tx_frames"), data_tx);
    cr_expect_eq(rep_num(report, "c1", "ppp_tx_bytes"), t[is_client ? 6 : 7], "%s: PPP bytes written",
                 is_client ? "client" : "server");
    cr_expect_eq(rep_num(report, "c1", "ppp_rx_frames"), data_rx, "%s: PPP frames read %lld, GRE data packets %lld",
                 is_client ? "client" : "server", rep_num(report, "c1", "ppp_rx_frames"), data_rx);
    cr_expect_eq(rep_num(report, "c1", "ppp_rx_bytes"), t[is_client ? 7 : 6], "%s: PPP bytes read",
                 is_client ? "client" : "server");
}

/* The sensor's per-direction totals against tshark's count of the same capture. */
static void expect_capture_totals(const long long t[8])
{
    long long cp, cb, sp, sb;
    tshark_gre(R.np.ip_b, &cp, &cb);
    tshark_gre(R.np.ip_a, &sp, &sb);
    cr_expect(cp == t[0] && cb == t[1], "client GRE in the capture %lld/%lld B, sensor %lld/%lld B", cp, cb, t[0],
              t[1]);
    cr_expect(sp == t[2] && sb == t[3], "server GRE in the capture %lld/%lld B, sensor %lld/%lld B", sp, sb, t[2],
              t[3]);
}

static void expect_report_auth(const char *report, const char *name, const expect_call *e, const char *who)
{
    char v[128];
    rep(report, name, "outcome", v, sizeof v);
    cr_expect_str_eq(v, "up", "%s: call %s outcome", who, name);
    rep(report, name, "auth", v, sizeof v);
    cr_expect_str_eq(v, e->method, "%s: auth method", who);
    rep(report, name, "auth_result", v, sizeof v);
    cr_expect_str_eq(v, "success", "%s: auth result", who);
    cr_expect_eq(rep_num(report, name, "auth_failures"), e->auth_failures, "%s: auth failures", who);
    cr_expect_eq(rep_num(report, name, "mppe_bits"), e->mppe_bits, "%s: MPPE bits", who);
    cr_expect_eq(rep_num(report, name, "mppe_stateless"), e->stateless ? 1 : 0, "%s: MPPE stateless", who);
    char user[128];
    if (e->domain)
        snprintf(user, sizeof user, "%s\\%s", e->domain, e->user);
    else
        snprintf(user, sizeof user, "%s", e->user);
    rep(report, name, "user", v, sizeof v);
    cr_expect_str_eq(v, user, "%s: user", who);
}

/* ---- the third-party programs -------------------------------------------------------- */

static pid_t start_pptpd(const char *scn, const char *localip, const char *remoteip)
{
    char conf[PATH_LEN], wrap[PATH_LEN], opts[PATH_LEN], pidf[PATH_LEN], rep_p[PATH_LEN], log_p[PATH_LEN],
        err[PATH_LEN];
    in_dir("pptpd.conf", conf, sizeof conf);
    in_dir("ppp-server.sh", wrap, sizeof wrap);
    in_dir("pptpd-options", opts, sizeof opts);
    in_dir("pptpd.pid", pidf, sizeof pidf);
    in_dir("server.report", rep_p, sizeof rep_p);
    in_dir("server.log", log_p, sizeof log_p);
    in_dir("pptpd.err", err, sizeof err);
    unlink(rep_p);
    unlink(log_p);
    /* pptpd runs its `ppp` program like pppd: `local file OPTIONS 115200
     * LOCAL:REMOTE ipparam CLIENT remotenumber CLIENT` on a pty */
    FILE *f = fopen(wrap, "w");
    cr_assert(f);
    fprintf(f, "#!/bin/sh\nexec '%s' ppp --role server --scenario '%s' --report '%s' --log '%s' -v \"$@\"\n",
            peer_binary(), scn, rep_p, log_p);
    fclose(f);
    chmod(wrap, 0755);
    f = fopen(opts, "w");
    cr_assert(f);
    fprintf(f, "# read by pptp-peer ppp like a pppd options file\nname pptpd\nms-dns 192.0.2.53\n");
    fclose(f);
    f = fopen(conf, "w");
    cr_assert(f);
    fprintf(f, "ppp %s\noption %s\nlocalip %s\nremoteip %s\nlisten %s\npidfile %s\nstimeout 10\nconnections 4\n",
            wrap, opts, localip, remoteip, R.np.ip_a, pidf);
    fclose(f);
    char *argv[] = {"pptpd", "-f", "-c", conf, NULL};
    pid_t pid = netns_spawn(R.np.a, argv, -1, -1, err);
    cr_assert(pid > 0, "cannot start pptpd");
    cr_assert(netns_wait_listen(pid, 1723, 10000), "pptpd does not listen on %s:1723 (see %s)", R.np.ip_a, err);
    return pid;
}

/* pptp --nolaunchpppd with its stdin (read and written) one end of a
 * socketpair, pptp-peer ppp --role client on the other. */
static void run_pptp_client(const char *scn, pid_t *pptp, pid_t *ppp)
{
    int sv[2];
    cr_assert(socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv) == 0);
    char err[PATH_LEN], rep_p[PATH_LEN], log_p[PATH_LEN];
    in_dir("pptp.err", err, sizeof err);
    in_dir("client.report", rep_p, sizeof rep_p);
    in_dir("client.log", log_p, sizeof log_p);
    unlink(rep_p);
    char *pargv[] = {"pptp", R.np.ip_a, "--nolaunchpppd", "--nohostroute", "--loglevel", "1", NULL};
    *pptp = netns_spawn(R.np.b, pargv, sv[0], -1, err);
    char *cargv[] = {(char *)peer_binary(), "ppp", "--role", "client", "--scenario", (char *)scn, "--report", rep_p,
                     "--log", log_p, "-v", NULL};
    *ppp = netns_spawn(R.np.b, cargv, sv[1], sv[1], NULL);
    close(sv[0]);
    close(sv[1]);
    cr_assert(*pptp > 0 && *ppp > 0, "cannot start pptp / pptp-peer ppp");
}

static int wait_exit(pid_t pid, int ms, const char *what)
{
    int st = proc_wait(pid, ms);
    if (st == -1) {
        proc_stop(pid, 2000);
        cr_expect_fail("%s did not finish within %d ms", what, ms);
        return -1;
    }
    return st;
}

static int exit_code(int st)
{
    return st != -1 && WIFEXITED(st) ? WEXITSTATUS(st) : -1;
}

/* Wait until only the listed long-lived processes are left in namespace ns
 * (the daemon's per-connection children gone: their last packets are out). */
static void wait_ns_settled(const char *ns, int keep, int ms)
{
    long long end = now_ms() + ms;
    while (netns_count_pids(ns) > keep && now_ms() < end)
        usleep(20000);
}

static char *log_text(const char *name)
{
    return slurp(name);
}

/* ---- the tests ------------------------------------------------------------------------ */

TestSuite(interop, .fini = rig_fini);

Test(interop, a_pptp_linux_to_pptpd_with_our_ppp_at_both_ends, .timeout = 60)
{
    rig_start("a", true, true);
    char scn[PATH_LEN];
    scenario("interop_mschapv2.scn", scn, sizeof scn);
    pid_t pptpd = start_pptpd(scn, "192.168.77.1", "192.168.77.10-19");
    pid_t pptp, ppp;
    run_pptp_client(scn, &pptp, &ppp);
    int st = wait_exit(ppp, 30000, "pptp-peer ppp (client)");
    char *clog = log_text("client.log");
    cr_expect_eq(exit_code(st), 0, "pptp-peer ppp --role client failed (status %d): %s", st, clog);
    free(clog);
    st = wait_exit(pptp, 10000, "pptp");
    cr_expect_eq(exit_code(st), 0, "pptp exit status %d", st);
    wait_ns_settled(R.np.a, 3, 5000); /* pptpctrl done: pptpd, sensor, tcpdump left */
    proc_stop(pptpd, 5000);
    stop_capture();

    char *crep = slurp("client.report"), *srep = slurp("server.report");
    char *slog = log_text("server.log");
    cr_assert(strstr(srep, "pptp-peer: call name=c1 "), "no report from the PPP server under pptpd: %s", slog);
    free(slog);
    long pns[4], pac[4];
    cr_assert_eq(tshark_call_ids(pns, pac, 4), 1, "one OCRP in the capture");
    expect_call e = {.pns_id = pns[0], .pac_id = pac[0], .user = "alice", .domain = "CORP", .method = "mschapv2",
                     .mppe_bits = 128, .stateless = true, .client_ip = "192.168.77.10",
                     .server_ip = "192.168.77.1"};
    expect_session(&e);
    expect_report_auth(crep, "c1", &e, "client");
    expect_report_auth(srep, "c1", &e, "server");
    char v[64];
    rep(crep, "c1", "ip_local", v, sizeof v);
    cr_expect_str_eq(v, "192.168.77.10", "the client got pptpd's remoteip");
    rep(srep, "c1", "ip_local", v, sizeof v);
    cr_expect_str_eq(v, "192.168.77.1", "the server used pptpd's localip");
    long long t[8];
    char reason[64];
    cr_assert(teardown_counts(e.pns_id, t, reason, sizeof reason), "no teardown event");
    expect_stdio_counters(crep, true, t);
    expect_stdio_counters(srep, false, t);
    expect_capture_totals(t);
    /* pptp-linux ends a call it has no PPP for with CCRQ and FIN, no StopCCRQ */
    cr_expect(!strcmp(reason, "user_request") || !strcmp(reason, "network_error"), "teardown reason %s", reason);
    expect_clean_decode();
    free(crep);
    free(srep);
}

Test(interop, b_our_pns_to_pptpd, .timeout = 60)
{
    rig_start("b", true, false);
    char scn[PATH_LEN], out[PATH_LEN], err[PATH_LEN];
    scenario("interop_mschapv1_mppe40.scn", scn, sizeof scn);
    pid_t pptpd = start_pptpd(scn, "172.30.0.1", "172.30.0.50-59");
    in_dir("pns.report", out, sizeof out);
    in_dir("pns.log", err, sizeof err);
    int ofd = open(out, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
    char *argv[] = {(char *)peer_binary(), "pns", "--server", R.np.ip_a, "--timeout", "10", "-v", scn, NULL};
    pid_t pns = netns_spawn(R.np.b, argv, -1, ofd, err);
    close(ofd);
    int st = wait_exit(pns, 40000, "pptp-peer pns");
    char *plog = log_text("pns.log");
    cr_expect_eq(exit_code(st), 0, "pptp-peer pns against pptpd failed (status %d): %s", st, plog);
    free(plog);
    wait_ns_settled(R.np.a, 3, 5000);
    proc_stop(pptpd, 5000);
    stop_capture();

    char *prep = slurp("pns.report"), *srep = slurp("server.report");
    long pns_ids[4], pac_ids[4];
    cr_assert_eq(tshark_call_ids(pns_ids, pac_ids, 4), 1, "one OCRP in the capture");
    cr_expect_eq(rep_num(prep, "c1", "call_id"), pns_ids[0], "our PNS Call ID");
    cr_expect_eq(rep_num(prep, "c1", "peer_call_id"), pac_ids[0], "pptpd's Call ID as our PNS saw it");
    expect_call e = {.pns_id = pns_ids[0], .pac_id = pac_ids[0], .user = "bob", .method = "mschapv1",
                     .mppe_bits = 40, .stateless = false, .client_ip = "172.30.0.50", .server_ip = "172.30.0.1"};
    expect_session(&e);
    expect_report_auth(prep, "c1", &e, "pns");
    expect_report_auth(srep, "c1", &e, "server under pptpd");
    long long t[8];
    char reason[64];
    cr_assert(teardown_counts(e.pns_id, t, reason, sizeof reason), "no teardown event");
    expect_live_counters(prep, "c1", true, t);
    expect_stdio_counters(srep, false, t);
    expect_capture_totals(t);
    /* pptpd answers a Call-Clear-Request by dropping the control connection:
     * no CDN ("violating RFC" in pptpctrl.c), a FIN; our scenario's StopCCRQ
     * then has nothing to stop */
    cr_expect_str_eq(reason, "network_error");
    char *v = sensor_query(R.events, "control_connect", "pptp.ctrl.client.hostname event.outcome");
    cr_expect_str_eq(v, "pptp-peer-pns|success\n");
    free(v);
    v = sensor_query(R.events, "control_disconnect", "pptp.ctrl.reason pptp.ctrl.initiator");
    cr_expect_str_eq(v, "tcp_fin|server\n");
    free(v);
    v = tshark_fields(R.pcap, "pptp.control_message_type == 13", (const char *const[]){"frame.number", NULL});
    cr_expect(v && !*v, "pptpd sent a CDN after all: %s", v ? v : "(tshark failed)");
    free(v);
    expect_clean_decode();
    free(prep);
    free(srep);
}

Test(interop, c_pptp_linux_to_our_pac, .timeout = 60)
{
    rig_start("c", false, true);
    char scn[PATH_LEN], out[PATH_LEN], err[PATH_LEN];
    scenario("interop_mschapv2.scn", scn, sizeof scn);
    in_dir("pac.report", out, sizeof out);
    in_dir("pac.log", err, sizeof err);
    int ofd = open(out, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
    char *argv[] = {(char *)peer_binary(), "pac", "--listen", R.np.ip_a, "--timeout", "10", "--accept-timeout", "20",
                    "-v", scn, NULL};
    pid_t pac = netns_spawn(R.np.a, argv, -1, ofd, err);
    close(ofd);
    cr_assert(netns_wait_listen(pac, 1723, 10000), "pptp-peer pac does not listen");
    /* this time pptp-peer starts pptp itself (--exec), pptp's stdin being our stream */
    char rep_p[PATH_LEN], log_p[PATH_LEN], cmd[256];
    in_dir("client.report", rep_p, sizeof rep_p);
    in_dir("client.log", log_p, sizeof log_p);
    snprintf(cmd, sizeof cmd, "exec pptp %s --nolaunchpppd --nohostroute --loglevel 1", R.np.ip_a);
    char *cargv[] = {(char *)peer_binary(), "ppp", "--role", "client", "--scenario", scn, "--report", rep_p, "--log",
                     log_p, "--exec", cmd, "-v", NULL};
    pid_t ppp = netns_spawn(R.np.b, cargv, -1, -1, NULL);
    cr_assert(ppp > 0);
    int st = wait_exit(ppp, 30000, "pptp-peer ppp --exec pptp (client)");
    char *clog = log_text("client.log");
    cr_expect_eq(exit_code(st), 0, "pptp-peer ppp --role client --exec pptp failed (status %d): %s", st, clog);
    free(clog);
    st = wait_exit(pac, 20000, "pptp-peer pac");
    char *plog = log_text("pac.log");
    cr_expect_eq(exit_code(st), 0, "pptp-peer pac failed (status %d): %s", st, plog);
    free(plog);
    stop_capture();

    char *prep = slurp("pac.report"), *crep = slurp("client.report");
    long pns_ids[4], pac_ids[4];
    cr_assert_eq(tshark_call_ids(pns_ids, pac_ids, 4), 1, "one OCRP in the capture");
    cr_expect_eq(rep_num(prep, "c1", "call_id"), pac_ids[0], "our PAC Call ID");
    cr_expect_eq(rep_num(prep, "c1", "peer_call_id"), pns_ids[0], "pptp's Call ID as our PAC saw it");
    expect_call e = {.pns_id = pns_ids[0], .pac_id = pac_ids[0], .user = "alice", .domain = "CORP",
                     .method = "mschapv2", .mppe_bits = 128, .stateless = true, .client_ip = "192.168.100.10",
                     .server_ip = "192.168.100.1"};
    expect_session(&e);
    expect_report_auth(prep, "c1", &e, "pac");
    expect_report_auth(crep, "c1", &e, "client under pptp");
    long long t[8];
    char reason[64];
    cr_assert(teardown_counts(e.pns_id, t, reason, sizeof reason), "no teardown event");
    expect_live_counters(prep, "c1", false, t);
    expect_stdio_counters(crep, true, t);
    expect_capture_totals(t);
    cr_expect_str_eq(reason, "user_request");
    expect_clean_decode();
    free(prep);
    free(crep);
}

Test(interop, d_our_pns_to_our_pac_two_calls, .timeout = 60)
{
    rig_start("d", false, false);
    char scn[PATH_LEN], pout[PATH_LEN], perr[PATH_LEN], aout[PATH_LEN], aerr[PATH_LEN];
    scenario("two_calls.scn", scn, sizeof scn);
    in_dir("pac.report", aout, sizeof aout);
    in_dir("pac.log", aerr, sizeof aerr);
    in_dir("pns.report", pout, sizeof pout);
    in_dir("pns.log", perr, sizeof perr);
    int afd = open(aout, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
    char *aargv[] = {(char *)peer_binary(), "pac", "--listen", R.np.ip_a, "--timeout", "10", "-v", scn, NULL};
    pid_t pac = netns_spawn(R.np.a, aargv, -1, afd, aerr);
    close(afd);
    cr_assert(netns_wait_listen(pac, 1723, 10000), "pptp-peer pac does not listen");
    int pfd = open(pout, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
    char *pargv[] = {(char *)peer_binary(), "pns", "--server", R.np.ip_a, "--timeout", "10", "-v", scn, NULL};
    pid_t pns = netns_spawn(R.np.b, pargv, -1, pfd, perr);
    close(pfd);
    int st = wait_exit(pns, 30000, "pptp-peer pns");
    char *lg = log_text("pns.log");
    cr_expect_eq(exit_code(st), 0, "pptp-peer pns failed (status %d): %s", st, lg);
    free(lg);
    st = wait_exit(pac, 15000, "pptp-peer pac");
    lg = log_text("pac.log");
    cr_expect_eq(exit_code(st), 0, "pptp-peer pac failed (status %d): %s", st, lg);
    free(lg);
    stop_capture();

    char *prep = slurp("pns.report"), *arep = slurp("pac.report");
    long pns_ids[4], pac_ids[4];
    cr_assert_eq(tshark_call_ids(pns_ids, pac_ids, 4), 2, "two OCRPs in the capture");
    const char *names[2] = {"a", "b"};
    const char *ips[2] = {"192.168.50.10", "192.168.50.11"};
    for (int i = 0; i < 2; i++) {
        const char *nm = names[i];
        long pid_ = rep_num(prep, nm, "call_id");
        int k = pid_ == pns_ids[0] ? 0 : pid_ == pns_ids[1] ? 1 : -1;
        cr_assert(k >= 0, "call %s: our PNS Call ID %ld is not in the capture", nm, pid_);
        cr_expect_eq(rep_num(prep, nm, "peer_call_id"), pac_ids[k]);
        cr_expect_eq(rep_num(arep, nm, "call_id"), pac_ids[k], "call %s: the PAC's Call ID", nm);
        cr_expect_eq(rep_num(arep, nm, "peer_call_id"), pns_ids[k]);
        expect_call e = {.pns_id = pns_ids[k], .pac_id = pac_ids[k], .user = "carol", .domain = "LAB",
                         .method = "mschapv2", .auth_failures = 1, .mppe_bits = 128, .stateless = true,
                         .client_ip = ips[i], .server_ip = "192.168.50.1"};
        expect_session(&e);
        expect_report_auth(prep, nm, &e, "pns");
        expect_report_auth(arep, nm, &e, "pac");
        long long t[8];
        char reason[64];
        cr_assert(teardown_counts(e.pns_id, t, reason, sizeof reason), "no teardown for call %s", nm);
        expect_live_counters(prep, nm, true, t);
        expect_live_counters(arep, nm, false, t);
        cr_expect_str_eq(reason, i == 0 ? "user_request" : "admin", "call %s teardown reason", nm);
    }
    char *v = sensor_query(R.events, "control_disconnect", "pptp.ctrl.reason pptp.ctrl.calls");
    cr_expect_str_eq(v, "stop_request|2\n");
    free(v);
    expect_clean_decode();
    free(prep);
    free(arep);
}
