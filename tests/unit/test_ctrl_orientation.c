/*
 * test_ctrl_orientation.c - which end of a TCP control connection is the client
 * (PNS) when both ports are PPTP ports (10.0.0.2:1723 -> 192.168.0.1:1723): one
 * control connection, not one per direction, with the client taken from the SYN,
 * the SYN+ACK or, picked up mid-stream, from the first message's type.  Builds the
 * captures with pptp_ctrl_encode() and runs pptp-sensor on them.
 */
#include <criterion/criterion.h>
#include <stdlib.h>
#include <string.h>

#include "cursor.h"
#include "gre.h"
#include "mppe.h"
#include "pcap_writer.h"
#include "ppp.h"
#include "pptp_ctrl.h"
#include "sensor_run.h"
#include "test_env.h"

#define CLI 0x0a000002u /* 10.0.0.2 */
#define SRV 0xc0a80001u /* 192.168.0.1 */
#define PNS_CALL_ID 0x1111
#define PAC_CALL_ID 0x2222

enum start {
    START_SYN,         /* SYN, SYN+ACK, ACK */
    START_SYNACK,      /* the SYN was not captured */
    START_SCCRQ,       /* no handshake: first packet is the client's SCCRQ */
    START_SCCRP,       /* no handshake, no SCCRQ: first packet is the server's SCCRP */
};

struct conn {
    pcapw *w;
    uint64_t ts;
    uint32_t seq[2]; /* next sequence number: [0] client, [1] server */
    uint32_t gseq[2];
    bool skip; /* encode but do not write (a message the capture missed) */
};

static void tcp(struct conn *c, int from_client, uint8_t flags, const uint8_t *data, size_t len)
{
    int d = from_client ? 0 : 1;
    if (!c->skip) {
        if (from_client)
            pcapw_write_tcp4(c->w, c->ts, CLI, SRV, 1723, 1723, c->seq[0], c->seq[1], flags, data, len);
        else
            pcapw_write_tcp4(c->w, c->ts, SRV, CLI, 1723, 1723, c->seq[1], c->seq[0], flags, data, len);
    }
    c->seq[d] += (uint32_t)len + ((flags & 0x03) ? 1u : 0u); /* SYN and FIN take a number */
    c->ts += 1000;
}

static void msg(struct conn *c, int from_client, struct pptp_ctrl_msg *m)
{
    uint8_t buf[256];
    wbuf wb;
    wbuf_init(&wb, buf, sizeof buf);
    cr_assert(pptp_ctrl_encode(&wb, m));
    tcp(c, from_client, 0x18, buf, wbuf_len(&wb));
}

/* One MPPE-encrypted PPP frame in GRE v1, Call ID of the receiving peer. */
static void gre(struct conn *c, int from_client)
{
    int d = from_client ? 0 : 1;
    uint16_t id = from_client ? PAC_CALL_ID : PNS_CALL_ID;
    cr_assert_eq(pcapw_write_gre_mppe(c->w, c->ts, from_client ? CLI : SRV, from_client ? SRV : CLI, id,
                                      c->gseq[d]++, 100, 0x5a),
                 0);
    c->ts += 1000;
}

/* A whole session; GRE: 3 packets client -> server, 2 server -> client. */
static void make_capture(const char *path, enum start start)
{
    struct conn c = {.ts = 1735689600ull * 1000000, .seq = {1000, 5000}};
    c.w = pcapw_open(path, 1);
    cr_assert(c.w, "%s", path);
    c.skip = start != START_SYN;
    tcp(&c, 1, 0x02, NULL, 0); /* SYN */
    c.skip = start == START_SCCRQ || start == START_SCCRP;
    tcp(&c, 0, 0x12, NULL, 0); /* SYN+ACK */
    tcp(&c, 1, 0x10, NULL, 0); /* ACK */

    struct pptp_ctrl_msg m;
    memset(&m, 0, sizeof m);
    m.ctrl_type = PPTP_MSG_SCCRQ;
    m.u.sccrq.protocol_version = 0x100;
    m.u.sccrq.max_channels = 1;
    strcpy(m.u.sccrq.host_name, "pns");
    strcpy(m.u.sccrq.vendor, "test");
    c.skip = start == START_SCCRP;
    msg(&c, 1, &m);
    c.skip = false;
    memset(&m, 0, sizeof m);
    m.ctrl_type = PPTP_MSG_SCCRP;
    m.u.sccrp.protocol_version = 0x100;
    m.u.sccrp.result_code = PPTP_SCCRP_SUCCESS;
    strcpy(m.u.sccrp.host_name, "pac");
    strcpy(m.u.sccrp.vendor, "test");
    msg(&c, 0, &m);

    memset(&m, 0, sizeof m);
    m.ctrl_type = PPTP_MSG_OCRQ;
    m.u.ocrq.call_id = PNS_CALL_ID;
    m.u.ocrq.call_serial = 7;
    m.u.ocrq.recv_window = 64;
    msg(&c, 1, &m);
    memset(&m, 0, sizeof m);
    m.ctrl_type = PPTP_MSG_OCRP;
    m.u.ocrp.call_id = PAC_CALL_ID;
    m.u.ocrp.peer_call_id = PNS_CALL_ID;
    m.u.ocrp.result_code = PPTP_OCRP_CONNECTED;
    m.u.ocrp.recv_window = 32;
    msg(&c, 0, &m);

    gre(&c, 1);
    gre(&c, 0);
    gre(&c, 1);
    gre(&c, 0);
    gre(&c, 1);

    memset(&m, 0, sizeof m);
    m.ctrl_type = PPTP_MSG_CDN;
    m.u.cdn.call_id = PAC_CALL_ID;
    m.u.cdn.result_code = 4;
    msg(&c, 0, &m);
    memset(&m, 0, sizeof m);
    m.ctrl_type = PPTP_MSG_STOPCCRQ;
    m.u.stopccrq.reason = 1;
    msg(&c, 1, &m);
    memset(&m, 0, sizeof m);
    m.ctrl_type = PPTP_MSG_STOPCCRP;
    m.u.stopccrp.result_code = 1;
    msg(&c, 0, &m);
    pcapw_close(c.w);
}

static void run(enum start start, const char *tag, char *ev, size_t n)
{
    char pcap[4096], name[256];
    snprintf(name, sizeof name, "%s.pcap", tag);
    scratch_path(name, pcap, sizeof pcap);
    make_capture(pcap, start);
    cr_assert_eq(sensor_run(pcap, "", tag, ev, n), 0);
}

static void expect(const char *ev, const char *action, const char *fields, const char *want)
{
    char *got = sensor_query(ev, action, fields);
    cr_expect_str_eq(got, want, "%s [%s]: got \"%s\", want \"%s\"", action, fields, got, want);
    free(got);
}

/* What every variant must show: one connection, 10.0.0.2 the client, one call
 * with the right Call IDs, its GRE counted in the right directions, no alert. */
static void expect_one_connection(const char *ev, const char *partial, int client_msgs)
{
    cr_expect_eq(sensor_count(ev, "control_connect"), 1);
    cr_expect_eq(sensor_count(ev, "control_disconnect"), 1);
    cr_expect_eq(sensor_count(ev, "ctrl_state_violation"), 0);
    char want[256];
    snprintf(want, sizeof want, "10.0.0.2|1723|192.168.0.1|1723|%s|success\n", partial);
    expect(ev, "control_connect", "source.ip source.port destination.ip destination.port pptp.partial event.outcome",
           want);
    snprintf(want, sizeof want, "10.0.0.2|stop_request|client|%d|4\n", client_msgs);
    expect(ev, "control_disconnect",
           "source.ip pptp.ctrl.reason pptp.ctrl.initiator pptp.ctrl.client.messages pptp.ctrl.server.messages", want);
    expect(ev, "call_established", "source.ip pptp.call.pns_call_id pptp.call.pac_call_id pptp.call.direction",
           "10.0.0.2|4369|8738|outgoing\n");
    expect(ev, "teardown",
           "source.ip pptp.call.pns_call_id pptp.call.pac_call_id source.packets destination.packets "
           "pptp.gre.client.packets pptp.gre.server.packets pptp.teardown.cdn_result_code",
           "10.0.0.2|4369|8738|3|2|3|2|4\n");
    expect(ev, "stats", "pptp.stats.control.total pptp.stats.sessions.total pptp.stats.gre_unowned", "1|1|0\n");
}

/* Only alert events count: the filter keeps the event.kind lines that say alert. */
static int alerts(const char *ev)
{
    char *got = sensor_query(ev, "*", "event.kind");
    int n = 0;
    for (char *p = strstr(got, "alert"); p; p = strstr(p + 1, "alert"))
        n++;
    free(got);
    return n;
}

Test(ctrl_orientation, both_ports_1723_with_handshake_is_one_connection)
{
    char ev[4096];
    run(START_SYN, "orient-syn", ev, sizeof ev);
    expect_one_connection(ev, "", 3);
    cr_expect_eq(alerts(ev), 0);
}

Test(ctrl_orientation, both_ports_1723_syn_missed_the_syn_ack_sender_is_the_server)
{
    char ev[4096];
    run(START_SYNACK, "orient-synack", ev, sizeof ev);
    expect_one_connection(ev, "true", 3);
    cr_expect_eq(alerts(ev), 0);
}

Test(ctrl_orientation, both_ports_1723_mid_stream_the_sccrq_sender_is_the_client)
{
    char ev[4096];
    run(START_SCCRQ, "orient-mid-sccrq", ev, sizeof ev);
    expect_one_connection(ev, "true", 3);
    cr_expect_eq(alerts(ev), 0);
}

Test(ctrl_orientation, both_ports_1723_mid_stream_the_sccrp_sender_is_the_server)
{
    char ev[4096];
    run(START_SCCRP, "orient-mid-sccrp", ev, sizeof ev);
    expect_one_connection(ev, "true", 2);
    cr_expect_eq(alerts(ev), 0);
}
