/*
 * capture.h - packet sources: pcap/pcapng files (in order, '-' for stdin) and live
 * interfaces, through libpcap.  Timestamps are delivered in nanoseconds.
 */
#ifndef PPTP_SENSOR_CAPTURE_H
#define PPTP_SENSOR_CAPTURE_H

#include <signal.h>
#include <stdbool.h>
#include <stdint.h>

struct sensor_config;

struct capture_packet {
    uint64_t ts_ns;
    int dlt;
    const uint8_t *data;
    uint32_t caplen;
    uint32_t wirelen;
};

struct capture_stats {
    uint64_t packets;
    uint64_t bytes;
    uint64_t files_read;
    uint64_t files_damaged;    /* truncated or corrupt capture files */
    uint64_t kernel_received;  /* live: from pcap_stats */
    uint64_t kernel_dropped;
    uint64_t iface_dropped;
};

/* Called for each packet; return false to stop. */
typedef bool (*capture_cb)(void *user, const struct capture_packet *p);
/* Called when no packet arrived for a while on a live capture (wall-clock tick). */
typedef void (*capture_idle_cb)(void *user);
/* Called for each file's link type before its packets: return false to refuse it
 * (capture then stops with SENSOR_EXIT_USAGE). */
typedef bool (*capture_dlt_cb)(void *user, int dlt, const char *source);

struct capture_hooks {
    capture_cb packet;
    capture_idle_cb idle;
    capture_dlt_cb dlt_check;
    void *user;
    /* When set, receives the open pcap handle (NULL again before it is closed), so
     * a signal handler can pcap_breakloop() a live capture blocked waiting for
     * packets. */
    void *volatile *handle_out;
};

/* Build the default BPF filter for the configured PPTP ports into buf. */
void capture_default_filter(const struct sensor_config *cfg, char *buf, size_t size);

/* Run the configured source(s) to the end (files) or until *stop is set (live).
 * Returns a sensor_exit code: 0 ok, 1 runtime error, 2 refused link type or bad
 * filter, 3 a file was truncated/corrupt (the readable part was processed).
 * Errors are printed to stderr. */
int capture_run(const struct sensor_config *cfg, const struct capture_hooks *hooks,
                volatile sig_atomic_t *stop, struct capture_stats *st);

#endif
