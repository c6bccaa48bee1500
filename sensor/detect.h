/*
 * detect.h - alerts, fragmentation events and nDPI, hooked into the sensor
 * pipeline (ctrl.c, call.c, sensor.c call these at the points named below).
 * Rules: docs/alerts.md; fragmentation events: docs/fragmentation.md; nDPI:
 * docs/ndpi.md.  All state hangs off struct sensor (s->det), struct call (k->det)
 * and struct ctrl_conn (c->det); memory is bounded by the caps in [detect] and
 * [ndpi].  Every hook may emit events, so each is called where no other event
 * is being built (the sensor has one event buffer).
 */
#ifndef PPTP_SENSOR_DETECT_H
#define PPTP_SENSOR_DETECT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "addr.h"
#include "anomaly.h"
#include "dispatch.h"
#include "event.h"
#include "ip_defrag.h"
#include "pptp_ctrl.h"

struct sensor;
struct call;
struct ctrl_conn;
struct detect;
struct detect_call;
struct detect_ctrl;

/* sensor.c: sensor_new / sensor_free.  detect_init returns 0 or -1 (out of memory). */
int detect_init(struct sensor *s);
void detect_free(struct sensor *s);

/* call.c */
/* call_set_ids, before the new Call IDs are entered: Call ID collisions. */
void detect_on_call_ids(struct sensor *s, struct call *k, int have_pns, uint16_t pns, int have_pac, uint16_t pac);
/* call_gre, after a GRE packet found no call: k is the partial call made for it,
 * or NULL when the packet is unowned. */
void detect_on_gre_miss(struct sensor *s, const struct pkt *p, const sn_addr *src, const sn_addr *dst,
                        struct call *k, uint64_t now);
/* call_gre, after the packet was accounted to call k (dir = sender), when it was
 * out of the sequence window (oow_now), came from another address than the
 * call's peer, or s->det_gre_every is set (set by detect_init) - the only packets
 * it has anything to do for. */
void detect_on_gre(struct sensor *s, struct call *k, int dir, const struct pkt *p, const sn_addr *src, bool oow_now,
                   uint64_t now);
/* call_gre, after the PPP frame went through pppneg and its events (due bits). */
void detect_on_ppp(struct sensor *s, struct call *k, int dir, const struct pkt *p, unsigned due, uint64_t now);
/* call_end, while the teardown event e is built: pptp.inner.* fields. */
void detect_fill_teardown(struct sensor *s, struct call *k, ev *e);
/* call_end, after the teardown event was sent (reason: enum teardown_reason). */
void detect_on_teardown(struct sensor *s, struct call *k, int reason, uint64_t now);
/* call_end, before the call is freed (always, events or not). */
void detect_call_free(struct sensor *s, struct call *k);

/* ctrl.c */
/* ctrl_tcp, for TCP on no configured PPTP port: +1 when the packet goes to a
 * PPTP server found by nDPI (the sender is the client), -1 when it comes from
 * one, 0 otherwise (not PPTP: ignore it). */
int detect_other_tcp(struct sensor *s, const struct pkt *p, uint64_t now);
/* ctrl_drain, for every framed message, before the state machine sees it. */
void detect_on_ctrl_msg(struct sensor *s, struct ctrl_conn *c, int dir, const struct pptp_ctrl_msg *m,
                        dec_status ds, const anomaly_set *an, uint64_t now);
/* ctrl_drain, when bytes that are no plausible PPTP header are skipped;
 * resyncing: the stream lost bytes before (a gap, a mid-stream pickup). */
void detect_on_ctrl_garbage(struct sensor *s, struct ctrl_conn *c, int dir, const uint8_t *p, size_t n,
                            bool resyncing, uint64_t now);
/* ctrl_shut, after control_disconnect was emitted. */
void detect_on_ctrl_close(struct sensor *s, struct ctrl_conn *c, const char *reason, uint64_t now);
/* ctrl_free. */
void detect_ctrl_free(struct sensor *s, struct ctrl_conn *c);

/* sensor.c */
/* sensor_packet, after ip_defrag_add took fragment f (status st, anomalies an). */
void detect_on_fragment(struct sensor *s, const struct pkt *p, const ip_frag *f, ip_defrag_status st,
                        const ip_defrag_result *r, const anomaly_set *an, uint64_t now);
/* sensor_packet, after a reassembled datagram was routed. */
void detect_on_reassembled(struct sensor *s, const struct pkt *p, enum pkt_kind kind, uint32_t frags, uint64_t now);
/* on_frag_expired: an incomplete datagram timed out. */
void detect_on_frag_expired(struct sensor *s, const ip_defrag_expired *x);
/* route: ICMP / ICMPv6 (frag-needed, packet-too-big). */
void detect_on_icmp(struct sensor *s, const struct pkt *p, uint64_t now);

/* sensor_emit_stats: pptp.stats.memory.detect_bytes and pptp.stats.detect.*. */
void detect_fill_stats(struct sensor *s, ev *e);

/* nDPI version built against ("4.2.0"), for docs and --version. */
const char *detect_ndpi_version(void);

#endif
