/*
 * sensor.h - the pipeline: packets in, PPTP sessions tracked, events out.
 *
 *   struct sensor *s = sensor_new(&cfg, sinks);
 *   sensor_packet(s, &pkt);      for every captured packet (packet time drives timers)
 *   sensor_finish(s, reason);    close everything (end of input / signal), final stats
 *   sensor_free(s);
 *
 * All state lives in struct sensor; there are no globals.
 */
#ifndef PPTP_SENSOR_SENSOR_H
#define PPTP_SENSOR_SENSOR_H

#include <stdbool.h>
#include <stdint.h>

#include "anomaly.h"
#include "capture.h"
#include "config.h"

struct sensor;
struct sink_set;

/* Counters reported in pptp.stats events and at exit. */
struct sensor_stats {
    uint64_t packets, bytes;
    uint64_t ip_packets, tcp_ctrl_segments, gre_packets, gre_v0_packets;
    uint64_t not_ip, not_pptp, decode_truncated, decode_malformed;
    uint64_t ctrl_messages, ctrl_total, ctrl_active;
    uint64_t calls_total, calls_active, calls_partial;
    uint64_t gre_unowned;            /* GRE for a Call ID no call owns */
    uint64_t gre_unowned_pairs;      /* distinct address pairs with such GRE */
    uint64_t calls_evicted;          /* table full */
    uint64_t events;
    uint64_t fragments, datagrams_reassembled;
    uint64_t anomalies[ANOMALY_COUNT];
};

/* Create a sensor. cfg and sinks are borrowed and must outlive it. NULL on OOM. */
struct sensor *sensor_new(const struct sensor_config *cfg, struct sink_set *sinks);
/* Process one packet. Never fails: bad input becomes counted anomalies/events. */
void sensor_packet(struct sensor *s, const struct capture_packet *p);
/* Advance timers to packet time now_ns (also called by sensor_packet). */
void sensor_tick(struct sensor *s, uint64_t now_ns);
/* Close every open session and control connection (teardown reason
 * sensor_shutdown) and emit the final pptp.stats event. Idempotent. */
void sensor_finish(struct sensor *s, const struct capture_stats *cst);
/* Emit a pptp.stats event now. */
void sensor_emit_stats(struct sensor *s, const struct capture_stats *cst);
const struct sensor_stats *sensor_get_stats(const struct sensor *s);
/* Bytes of state held for sessions and control connections (approximate, exact for the structs). */
uint64_t sensor_state_bytes(const struct sensor *s);
/* Link types the sensor decodes. */
bool sensor_dlt_supported(int dlt);
const char *sensor_dlt_name(int dlt);
void sensor_free(struct sensor *s);

#endif
