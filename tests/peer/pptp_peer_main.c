/*
 * pptp-peer - a PPTP implementation playing both ends, for testing the sensor.
 *
 *   pptp-peer synth SCENARIO -w OUT.pcap [--seed N] [--sessions N] [--concurrency M] [-v]
 *   pptp-peer check SCENARIO...
 *
 * synth runs the scenario's client (PNS) and server (PAC) in memory over a
 * simulated network and writes every packet to OUT.pcap, deterministically.
 * check only parses.  Scenario syntax: docs/peer.md.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "peer_scenario.h"
#include "peer_synth.h"

static void usage(FILE *f)
{
    fprintf(f, "usage: pptp-peer synth SCENARIO -w OUT.pcap [--seed N] [--sessions N] [--concurrency M] [-v]\n"
               "       pptp-peer check SCENARIO...\n"
               "Runs both ends of a PPTP scenario in memory and writes the packets to a pcap.\n"
               "Scenario syntax: docs/peer.md\n");
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
    fprintf(stderr, "pptp-peer: unknown command '%s' (live and stdio modes are not implemented yet)\n", argv[1]);
    usage(stderr);
    return 2;
}
