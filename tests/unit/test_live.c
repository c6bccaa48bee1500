/*
 * test_live.c - live capture: pptp-sensor -i lo sees a real PPTP exchange made
 * through real sockets (tests/tools/pptp_loopback.py: TCP/1723 control channel
 * and GRE through a raw socket), and SIGTERM ends it with the session closed and
 * the final stats emitted.  Needs root (raw sockets and capture); skips with a
 * message otherwise.
 */
#include <criterion/criterion.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

#include "sensor_run.h"
#include "test_env.h"

Test(live, loopback_pptp_exchange_is_tracked, .timeout = 180)
{
    if (geteuid() != 0)
        cr_skip_test("live capture needs root (raw GRE socket and capture on lo): skipped");
    char out[4096], port[16];
    /* a port of our own, so parallel runs (release and sanitizer trees) do not meet */
    snprintf(port, sizeof port, "%d", 20000 + (int)(getpid() % 20000));
    scratch_path("live.jsonl", out, sizeof out);
    unlink(out);
    pid_t pid = fork();
    if (pid == 0) {
        prctl(PR_SET_PDEATHSIG, SIGTERM); /* never outlive a test killed by its timeout */
        execl(sensor_binary(), "pptp-sensor", "-i", "lo", "-w", out, "--pptp-port", port, (char *)NULL);
        _exit(127);
    }
    sleep(1); /* capture running */
    char cmd[4096];
    snprintf(cmd, sizeof cmd, "timeout 30 python3 '%s/tests/tools/pptp_loopback.py' %s 7 2>&1",
             getenv("PPTP_SOURCE_DIR") ? getenv("PPTP_SOURCE_DIR") : PPTP_SOURCE_DIR, port);
    int st = -1;
    char *said = run_capture(cmd, &st);
    sleep(1); /* let the capture buffer deliver */
    kill(pid, SIGTERM);
    int ws;
    waitpid(pid, &ws, 0);
    cr_assert_eq(st, 0, "the loopback exchange failed: %s", said ? said : "");
    free(said);
    cr_assert(WIFEXITED(ws) && WEXITSTATUS(ws) == 0, "pptp-sensor status %d", ws);
    char *v = sensor_query(out, "control_connect", "pptp.ctrl.client.hostname pptp.ctrl.server.hostname destination.port observer.ingress.interface.name");
    char want[128];
    snprintf(want, sizeof want, "loop-client|loop-server|%s|lo\n", port);
    cr_expect_str_eq(v, want);
    free(v);
    v = sensor_query(out, "call_established", "pptp.call.pns_call_id pptp.call.pac_call_id");
    cr_expect_str_eq(v, "77|4242\n");
    free(v);
    /* the 7 GRE packets the client sent, each counted once (lo shows each packet once) */
    /* (other GRE on lo, e.g. a parallel test run, may add partial sessions: look for ours) */
    v = sensor_query(out, "teardown", "pptp.call.pns_call_id source.packets destination.packets pptp.gre.lost pptp.teardown.initiator");
    cr_expect(strstr(v, "77|7|0|0|client\n") != NULL, "teardowns: %s", v);
    free(v);
    v = sensor_query(out, "control_disconnect", "pptp.ctrl.reason");
    cr_expect_str_eq(v, "stop_request\n");
    free(v);
    cr_expect_eq(sensor_count(out, "stats"), 1);
}

Test(live, sigterm_stops_an_idle_live_capture, .timeout = 60)
{
    if (geteuid() != 0)
        cr_skip_test("live capture needs root: skipped");
    char out[4096];
    scratch_path("live-idle.jsonl", out, sizeof out);
    unlink(out);
    pid_t pid = fork();
    if (pid == 0) {
        prctl(PR_SET_PDEATHSIG, SIGTERM);
        execl(sensor_binary(), "pptp-sensor", "-i", "lo", "-f", "tcp port 9", "-w", out, (char *)NULL);
        _exit(127);
    }
    sleep(1); /* no packet will match: the capture waits */
    kill(pid, SIGTERM);
    int ws = 0;
    for (int i = 0; i < 50 && waitpid(pid, &ws, WNOHANG) == 0; i++)
        usleep(100000);
    bool exited = waitpid(pid, &ws, WNOHANG) != 0 || WIFEXITED(ws);
    if (!exited) {
        kill(pid, SIGKILL);
        waitpid(pid, &ws, 0);
    }
    cr_assert(exited, "pptp-sensor did not stop within 5 s of SIGTERM on an idle interface");
    cr_assert(WIFEXITED(ws) && WEXITSTATUS(ws) == 0, "status %d", ws);
    cr_assert_eq(sensor_count(out, "stats"), 1, "final stats emitted");
}
