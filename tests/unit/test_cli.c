/*
 * test_cli.c - the pptp-sensor program: command-line errors and exit codes,
 * unsupported link types, damaged capture files, stdin, SIGTERM shutdown with
 * sensor_shutdown teardowns, SIGHUP reopening the output file.
 */
#include <criterion/criterion.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "pcap_writer.h"
#include "pptp_ctrl.h"
#include "test_env.h"

static const char *sensor_bin(void)
{
    static char p[4096];
    snprintf(p, sizeof p, "%s/sensor/pptp-sensor", getenv("PPTP_BINARY_DIR") ? getenv("PPTP_BINARY_DIR") : PPTP_BINARY_DIR);
    return p;
}

static char *run(const char *args, int *st)
{
    char cmd[20000];
    snprintf(cmd, sizeof cmd, "'%s' %s 2>&1", sensor_bin(), args);
    return run_capture(cmd, st);
}

static size_t count(const char *hay, const char *needle)
{
    size_t n = 0;
    for (const char *p = hay; (p = strstr(p, needle)); p += strlen(needle))
        n++;
    return n;
}

/* A small capture: one control connection with an outgoing call. */
static void write_session(const char *path, int dlt_override)
{
    pcapw *w = pcapw_open(path, dlt_override ? dlt_override : 1);
    cr_assert_not_null(w);
    uint32_t cli = 0x0a000002, srv = 0x0a000001, cs = 100, ss = 900;
    pcapw_write_tcp4(w, 1000000, cli, srv, 40000, 1723, cs - 1, 0, 0x02, NULL, 0);
    pcapw_write_tcp4(w, 1000100, srv, cli, 1723, 40000, ss - 1, cs, 0x12, NULL, 0);
    struct pptp_ctrl_msg m;
    uint8_t buf[256];
    wbuf wb;
    memset(&m, 0, sizeof m);
    m.ctrl_type = PPTP_MSG_SCCRQ;
    m.u.sccrq.protocol_version = 0x100;
    strcpy(m.u.sccrq.host_name, "cli-host");
    wbuf_init(&wb, buf, sizeof buf);
    pptp_ctrl_encode(&wb, &m);
    pcapw_write_tcp4(w, 1000200, cli, srv, 40000, 1723, cs, ss, 0x18, buf, wbuf_len(&wb));
    cs += (uint32_t)wbuf_len(&wb);
    memset(&m, 0, sizeof m);
    m.ctrl_type = PPTP_MSG_SCCRP;
    m.u.sccrp.protocol_version = 0x100;
    m.u.sccrp.result_code = 1;
    wbuf_init(&wb, buf, sizeof buf);
    pptp_ctrl_encode(&wb, &m);
    pcapw_write_tcp4(w, 1000300, srv, cli, 1723, 40000, ss, cs, 0x18, buf, wbuf_len(&wb));
    ss += (uint32_t)wbuf_len(&wb);
    memset(&m, 0, sizeof m);
    m.ctrl_type = PPTP_MSG_OCRQ;
    m.u.ocrq.call_id = 7;
    wbuf_init(&wb, buf, sizeof buf);
    pptp_ctrl_encode(&wb, &m);
    pcapw_write_tcp4(w, 1000400, cli, srv, 40000, 1723, cs, ss, 0x18, buf, wbuf_len(&wb));
    cs += (uint32_t)wbuf_len(&wb);
    memset(&m, 0, sizeof m);
    m.ctrl_type = PPTP_MSG_OCRP;
    m.u.ocrp.call_id = 9;
    m.u.ocrp.peer_call_id = 7;
    m.u.ocrp.result_code = 1;
    wbuf_init(&wb, buf, sizeof buf);
    pptp_ctrl_encode(&wb, &m);
    pcapw_write_tcp4(w, 1000500, srv, cli, 1723, 40000, ss, cs, 0x18, buf, wbuf_len(&wb));
    pcapw_close(w);
}

Test(cli, help_and_version_exit_zero)
{
    int st;
    char *out = run("--help", &st);
    cr_assert_eq(st, 0);
    cr_assert(strstr(out, "usage: pptp-sensor"));
    free(out);
    out = run("--version", &st);
    cr_assert_eq(st, 0);
    cr_assert(strstr(out, "pptp-sensor 0."));
    free(out);
}

Test(cli, bad_usage_exits_2_with_a_clear_message)
{
    static const struct {
        const char *args, *says;
    } cases[] = {
        {"", "nothing to read"},
        {"--bogus", "unknown option --bogus"},
        {"-r x.pcap -i eth0", "cannot be combined"},
        {"-r x.pcap --idle-timeout soon", "not a duration"},
        {"-r x.pcap --pptp-port 70000", "port must be"},
        {"-r x.pcap --snaplen 10", "snaplen"},
        {"-r", "needs a value"},
        {"-r x.pcap --expire 0", "greater than 0"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        int st;
        char *out = run(cases[i].args, &st);
        cr_expect_eq(st, 2, "'%s' exited %d", cases[i].args, st);
        cr_expect(strstr(out, cases[i].says) != NULL, "'%s' said: %s", cases[i].args, out);
        free(out);
    }
}

Test(cli, bad_config_file_names_file_and_line)
{
    char cfg[4096], args[8192];
    scratch_path("bad.conf", cfg, sizeof cfg);
    FILE *f = fopen(cfg, "w");
    fprintf(f, "[sensor]\n# comment\nidle-timeout = 5m\nexpire = never\n");
    fclose(f);
    snprintf(args, sizeof args, "-c '%s' -r x.pcap", cfg);
    int st;
    char *out = run(args, &st);
    cr_assert_eq(st, 2);
    cr_assert(strstr(out, "bad.conf:4") && strstr(out, "expire"), "said: %s", out);
    free(out);
}

Test(cli, missing_file_exits_1)
{
    int st;
    char *out = run("-r /nonexistent/x.pcap", &st);
    cr_assert_eq(st, 1);
    cr_assert(strstr(out, "/nonexistent/x.pcap"));
    free(out);
}

Test(cli, unsupported_link_type_exits_2_naming_it)
{
    char p[4096], args[8192];
    scratch_path("dlt147.pcap", p, sizeof p);
    write_session(p, 147);
    snprintf(args, sizeof args, "-r '%s'", p);
    int st;
    char *out = run(args, &st);
    cr_assert_eq(st, 2, "exit %d: %s", st, out);
    cr_assert(strstr(out, "unsupported link type 147"), "said: %s", out);
    free(out);
}

Test(cli, truncated_file_processes_what_is_readable_and_exits_3)
{
    char p[4096], args[8192];
    scratch_path("cut.pcap", p, sizeof p);
    write_session(p, 0);
    struct stat sb;
    stat(p, &sb);
    cr_assert_eq(truncate(p, sb.st_size - 30), 0);
    snprintf(args, sizeof args, "-r '%s' 2>/dev/null", p);
    char cmd[20000];
    snprintf(cmd, sizeof cmd, "'%s' %s", sensor_bin(), args);
    int st;
    char *out = run_capture(cmd, &st);
    cr_assert_eq(st, 3, "exit %d", st);
    cr_assert_eq(count(out, "\"action\":\"control_connect\""), 1, "%s", out);
    cr_assert_eq(count(out, "\"action\":\"call_request\""), 1);
    cr_assert(strstr(out, "\"files_damaged\":1"), "%s", out);
    free(out);
}

Test(cli, reads_stdin_and_several_files_in_order)
{
    char p[4096], cmd[20000];
    scratch_path("one.pcap", p, sizeof p);
    write_session(p, 0);
    snprintf(cmd, sizeof cmd, "cat '%s' | '%s' -r - ", p, sensor_bin());
    int st;
    char *out = run_capture(cmd, &st);
    cr_assert_eq(st, 0);
    cr_assert_eq(count(out, "\"action\":\"call_established\""), 1);
    free(out);
    snprintf(cmd, sizeof cmd, "'%s' -r '%s' '%s'", sensor_bin(), p, p);
    out = run_capture(cmd, &st);
    cr_assert_eq(st, 0);
    cr_assert_eq(count(out, "\"files_read\":2"), 1, "%s", out);
    /* the same 4-tuple again: the second file's SYN starts a new connection */
    cr_assert_eq(count(out, "\"action\":\"control_connect\""), 2, "%s", out);
    free(out);
}

Test(cli, sigterm_closes_sessions_and_sighup_reopens_output)
{
    char p[4096], outp[4096], rotated[4096];
    scratch_path("sig.pcap", p, sizeof p);
    scratch_path("sig.json", outp, sizeof outp);
    scratch_path("sig.json.1", rotated, sizeof rotated);
    unlink(outp);
    unlink(rotated);
    write_session(p, 0);
    int fds[2];
    cr_assert_eq(pipe(fds), 0);
    pid_t pid = fork();
    if (pid == 0) {
        dup2(fds[0], 0);
        close(fds[1]);
        execl(sensor_bin(), "pptp-sensor", "-r", "-", "-w", outp, (char *)NULL);
        _exit(127);
    }
    close(fds[0]);
    char *pc = read_file(p, NULL);
    struct stat sb;
    stat(p, &sb);
    cr_assert_eq(write(fds[1], pc, (size_t)sb.st_size), sb.st_size);
    free(pc);
    usleep(500000); /* let it read everything; its events are still buffered */
    cr_assert_eq(rename(outp, rotated), 0);
    kill(pid, SIGHUP);
    usleep(300000);
    kill(pid, SIGTERM);
    int st;
    waitpid(pid, &st, 0);
    close(fds[1]);
    cr_assert(WIFEXITED(st) && WEXITSTATUS(st) == 0, "status %d", st);
    char *a = read_file(rotated, NULL), *b = read_file(outp, NULL);
    cr_assert_not_null(b, "SIGHUP did not reopen %s", outp);
    char all[65536];
    snprintf(all, sizeof all, "%s%s", a ? a : "", b);
    cr_assert_eq(count(all, "\"action\":\"call_established\""), 1, "%s", all);
    /* the call never opened LCP, so its teardown says protocol_failure; the
     * control connection was closed by the shutdown */
    cr_assert_eq(count(all, "\"action\":\"teardown\""), 1, "%s", all);
    cr_assert_eq(count(b, "\"reason\":\"sensor_shutdown\""), 1, "control_disconnect: %s", b);
    cr_assert(a && strstr(a, "\"action\":\"call_request\""), "events before SIGHUP went to the rotated file");
    cr_assert(strstr(b, "\"dataset\":\"pptp.stats\""), "stats last: %s", b);
    free(a);
    free(b);
}
