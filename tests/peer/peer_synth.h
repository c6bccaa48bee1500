/*
 * peer_synth.h - synthesis mode: run both ends of a scenario in memory over
 * the simulated network and write every packet to a pcap.
 *
 * Deterministic: everything random comes from the seed, time is virtual
 * (each packet advances the clock by the scenario's step; waits and timers
 * jump it).  The same scenario, seed and options give the same bytes.
 *
 * Several sessions: --sessions N runs the script N times, each with its own
 * client address (the scenario's + i), port and seed (seed + i), at most
 * --concurrency M at once, their packets interleaved on one capture.
 */
#ifndef PPTP_PEER_SYNTH_H
#define PPTP_PEER_SYNTH_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "peer_scenario.h"

typedef struct synth_opts {
    const char *out;    /* pcap path */
    bool seed_set;
    uint64_t seed;      /* overrides the scenario's */
    int sessions;       /* >= 1 */
    int concurrency;    /* >= 1 */
    int verbose;        /* trace to stderr */
} synth_opts;

typedef struct synth_stats {
    uint64_t frames;          /* put on the wire */
    uint64_t frames_written;  /* recorded in the pcap */
    uint64_t fragments;
    ptime duration;           /* virtual time at the end */
    int sessions_done;
    int calls_up, calls_auth_failed, calls_refused;
} synth_stats;

/* Run sc.  Returns true on success; on failure err holds "file:line: ...". */
bool synth_run(const scenario *sc, const synth_opts *o, synth_stats *st, char *err, size_t err_size);

#endif
