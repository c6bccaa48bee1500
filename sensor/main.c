/*
 * main.c - the pptp-sensor program: parse the command line, open the outputs, run
 * the capture through the pipeline, shut down cleanly on SIGINT/SIGTERM, reopen
 * the output file on SIGHUP.
 */
#include <pcap/pcap.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "capture.h"
#include "config.h"
#include "outputs_cli.h"
#include "sensor.h"
#include "sink.h"

struct run {
    struct sensor *sensor;
    struct sink_set *sinks;
    volatile sig_atomic_t *reopen;
};

static volatile sig_atomic_t g_stop;   /* signal flags: the only process-wide state */
static volatile sig_atomic_t g_reopen;
static void *volatile g_live;          /* the live pcap handle, for pcap_breakloop() */

static void on_stop(int sig)
{
    (void)sig;
    g_stop = 1;
    /* A live capture may be blocked in poll() with no traffic: wake it
     * (pcap_breakloop is async-signal-safe: it sets a flag and writes an eventfd). */
    if (g_live)
        pcap_breakloop((pcap_t *)g_live);
}

static void on_hup(int sig)
{
    (void)sig;
    g_reopen = 1;
}

static void check_reopen(struct run *r)
{
    if (*r->reopen) {
        *r->reopen = 0;
        sink_set_reopen(r->sinks);
    }
}

static bool on_packet(void *user, const struct capture_packet *p)
{
    struct run *r = user;
    sensor_packet(r->sensor, p);
    check_reopen(r);
    return true;
}

static void on_idle(void *user)
{
    check_reopen(user);
}

static bool on_dlt(void *user, int dlt, const char *src)
{
    (void)user;
    if (sensor_dlt_supported(dlt))
        return true;
    fprintf(stderr, "pptp-sensor: %s: unsupported link type %d (%s)\n", src, dlt, sensor_dlt_name(dlt));
    return false;
}

static int run_sensor(struct sensor_config *cfgp);

int main(int argc, char **argv)
{
    struct sensor_config cfg;
    config_defaults(&cfg);
    int rc = config_parse_args(&cfg, argc, argv);
    if (rc == 0)
        rc = run_sensor(&cfg);
    else if (rc < 0) /* --help / --version */
        rc = 0;
    config_free(&cfg);
    return rc;
}

static int run_sensor(struct sensor_config *cfgp)
{
    struct sensor_config cfg = *cfgp; /* a working copy; config_free() frees via *cfgp */
    int rc;
    char host[256] = "";
    gethostname(host, sizeof host - 1);
    cfg.observer_hostname = host;

    struct sink_set set;
    struct sink_set *sinks = &set;
    if (sink_set_init(sinks)) {
        fprintf(stderr, "pptp-sensor: out of memory\n");
        return SENSOR_EXIT_FAILURE;
    }
    if (outputs_open(&cfg, sinks) != 0) {
        sink_set_close(sinks);
        return SENSOR_EXIT_FAILURE;
    }

    struct sensor *s = sensor_new(&cfg, sinks);
    if (!s) {
        fprintf(stderr, "pptp-sensor: out of memory\n");
        sink_set_close(sinks);
        return SENSOR_EXIT_FAILURE;
    }

    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = on_stop;
    sigaction(SIGINT, &sa, NULL);
    sigaction(SIGTERM, &sa, NULL);
    sa.sa_handler = on_hup;
    sa.sa_flags = SA_RESTART; /* a reopen request must not abort a blocking read */
    sigaction(SIGHUP, &sa, NULL);
    signal(SIGPIPE, SIG_IGN);

    struct run r = {.sensor = s, .sinks = sinks, .reopen = &g_reopen};
    struct capture_hooks hooks = {
        .packet = on_packet, .idle = on_idle, .dlt_check = on_dlt, .user = &r, .handle_out = &g_live};
    struct capture_stats cst;
    memset(&cst, 0, sizeof cst);
    rc = capture_run(&cfg, &hooks, &g_stop, &cst);
    check_reopen(&r); /* a SIGHUP that came while waiting for input */

    if (rc != SENSOR_EXIT_USAGE)
        sensor_finish(s, &cst);
    sink_set_flush(sinks);
    sensor_free(s);
    outputs_close(sinks, false); /* bounded by --flush-timeout; reports what was lost */
    if (g_stop && rc == 0)
        return SENSOR_EXIT_OK;
    return rc;
}
