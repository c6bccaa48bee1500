/* test_pptp_ctrl_wire.c - PPTP control messages against other implementations:
 * our encoder's output dissected by tshark, and real captures (third-party pcaps
 * under ../shared/pcaps/external) decoded by our decoder. */
#include <criterion/criterion.h>
#include <pcap/pcap.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "anomaly.h"
#include "cursor.h"
#include "pcap_writer.h"
#include "pptp_ctrl.h"
#include "test_env.h"

/* ---- tshark cross-check ------------------------------------------------------ */

/* One message of each type, with distinctive values. */
static void make_msg(int t, struct pptp_ctrl_msg *m)
{
    memset(m, 0, sizeof *m);
    m->ctrl_type = (uint16_t)t;
    switch (t) {
    case PPTP_MSG_SCCRQ:
        m->u.sccrq.protocol_version = PPTP_PROTOCOL_VERSION;
        m->u.sccrq.framing_caps = 3;
        m->u.sccrq.bearer_caps = 2;
        m->u.sccrq.max_channels = 4660;
        m->u.sccrq.firmware_rev = 1281;
        strcpy(m->u.sccrq.host_name, "pnshost");
        strcpy(m->u.sccrq.vendor, "AcmeVPN");
        break;
    case PPTP_MSG_SCCRP:
        m->u.sccrp.protocol_version = PPTP_PROTOCOL_VERSION;
        m->u.sccrp.result_code = 1;
        m->u.sccrp.framing_caps = 1;
        m->u.sccrp.bearer_caps = 1;
        m->u.sccrp.max_channels = 512;
        m->u.sccrp.firmware_rev = 2571;
        strcpy(m->u.sccrp.host_name, "pachost");
        strcpy(m->u.sccrp.vendor, "AcmePAC");
        break;
    case PPTP_MSG_STOPCCRQ: m->u.stopccrq.reason = 3; break;
    case PPTP_MSG_STOPCCRP: m->u.stopccrp.result_code = 1; break;
    case PPTP_MSG_ECHORQ: m->u.echorq.identifier = 305419896; break;
    case PPTP_MSG_ECHORP:
        m->u.echorp.identifier = 305419896;
        m->u.echorp.result_code = 2;
        m->u.echorp.error_code = 4;
        break;
    case PPTP_MSG_OCRQ:
        m->u.ocrq.call_id = 16385;
        m->u.ocrq.call_serial = 258;
        m->u.ocrq.min_bps = 2400;
        m->u.ocrq.max_bps = 10000000;
        m->u.ocrq.bearer_type = 3;
        m->u.ocrq.framing_type = 2;
        m->u.ocrq.recv_window = 64;
        m->u.ocrq.proc_delay = 16;
        m->u.ocrq.phone_len = 7;
        strcpy(m->u.ocrq.phone, "5551234");
        strcpy(m->u.ocrq.subaddress, "subone");
        break;
    case PPTP_MSG_OCRP:
        m->u.ocrp.call_id = 32770;
        m->u.ocrp.peer_call_id = 16385;
        m->u.ocrp.result_code = 1;
        m->u.ocrp.cause_code = 51;
        m->u.ocrp.connect_speed = 64000;
        m->u.ocrp.recv_window = 16;
        m->u.ocrp.proc_delay = 32;
        m->u.ocrp.phys_channel_id = 16909060;
        break;
    case PPTP_MSG_ICRQ:
        m->u.icrq.call_id = 32771;
        m->u.icrq.call_serial = 515;
        m->u.icrq.bearer_type = 2;
        m->u.icrq.phys_channel_id = 168496141;
        m->u.icrq.dialed_len = 4;
        m->u.icrq.dialing_len = 7;
        strcpy(m->u.icrq.dialed, "1234");
        strcpy(m->u.icrq.dialing, "5556789");
        strcpy(m->u.icrq.subaddress, "sa");
        break;
    case PPTP_MSG_ICRP:
        m->u.icrp.call_id = 16388;
        m->u.icrp.peer_call_id = 32771;
        m->u.icrp.result_code = 1;
        m->u.icrp.recv_window = 32;
        m->u.icrp.xmit_delay = 5;
        break;
    case PPTP_MSG_ICCN:
        m->u.iccn.peer_call_id = 32771;
        m->u.iccn.connect_speed = 128000;
        m->u.iccn.recv_window = 48;
        m->u.iccn.xmit_delay = 7;
        m->u.iccn.framing_type = 1;
        break;
    case PPTP_MSG_CCRQ: m->u.ccrq.call_id = 16385; break;
    case PPTP_MSG_CDN:
        m->u.cdn.call_id = 32770;
        m->u.cdn.result_code = 4;
        m->u.cdn.cause_code = 16;
        strcpy(m->u.cdn.call_stats, "rx10tx20");
        break;
    case PPTP_MSG_WEN:
        m->u.wen.peer_call_id = 16385;
        m->u.wen.crc_errors = 1;
        m->u.wen.framing_errors = 2;
        m->u.wen.hw_overruns = 3;
        m->u.wen.buf_overruns = 4;
        m->u.wen.timeout_errors = 5;
        m->u.wen.align_errors = 6;
        break;
    case PPTP_MSG_SLI:
        m->u.sli.peer_call_id = 32770;
        m->u.sli.send_accm = 4294967295u;
        m->u.sli.recv_accm = 655360;
        break;
    }
}

/* Requests travel PNS -> PAC, replies and PAC-originated messages PAC -> PNS. */
static int from_pac(int t)
{
    switch (t) {
    case PPTP_MSG_SCCRP: case PPTP_MSG_STOPCCRP: case PPTP_MSG_ECHORP: case PPTP_MSG_OCRP:
    case PPTP_MSG_ICRQ: case PPTP_MSG_ICCN: case PPTP_MSG_CDN: case PPTP_MSG_WEN:
        return 1;
    default:
        return 0;
    }
}

/* Fields asked of tshark, in column order. */
static const char *const tfields[] = {
    "pptp.length", "pptp.type", "pptp.magic_cookie", "pptp.control_message_type",
    "pptp.protocol_version", "pptp.framing_capabilities", "pptp.bearer_capabilities",
    "pptp.maximum_channels", "pptp.firmware_revision", "pptp.host_name", "pptp.vendor_name",
    "pptp.control_result", "pptp.error", "pptp.reason", "pptp.stop_result", "pptp.identifier",
    "pptp.echo_result", "pptp.call_id", "pptp.call_serial_number", "pptp.minimum_bps",
    "pptp.maximum_bps", "pptp.bearer_type", "pptp.framing_type", "pptp.packet_receive_window_size",
    "pptp.packet_processing_delay", "pptp.phone_number_length", "pptp.phone_number",
    "pptp.subaddress", "pptp.peer_call_id", "pptp.out_result", "pptp.cause", "pptp.connect_speed",
    "pptp.physical_channel_id", "pptp.dialed_number_length", "pptp.dialed_number",
    "pptp.dialing_number_length", "pptp.dialing_number", "pptp.in_result", "pptp.disc_result",
    "pptp.call_Statistics", "pptp.crc_errors", "pptp.framing_errors", "pptp.hardware_overruns",
    "pptp.buffer_overruns", "pptp.timeout_errors", "pptp.alignment_errors", "pptp.send_accm",
    "pptp.receive_accm", NULL,
};

typedef struct expect {
    const char *field;
    char value[80];
} expect;

static size_t add(expect *e, size_t n, const char *field, const char *fmt, unsigned long v)
{
    e[n].field = field;
    snprintf(e[n].value, sizeof e[n].value, fmt, v);
    return n + 1;
}
static size_t adds(expect *e, size_t n, const char *field, const char *s)
{
    e[n].field = field;
    snprintf(e[n].value, sizeof e[n].value, "%s", s);
    return n + 1;
}
#define U(f, v) n = add(e, n, f, "%lu", (unsigned long)(v))
#define H(f, v) n = add(e, n, f, "0x%08lx", (unsigned long)(v))
#define S(f, v) n = adds(e, n, f, v)

/* What tshark should show for message m (values from m, formatted independently). */
static size_t expectations(const struct pptp_ctrl_msg *m, expect *e)
{
    size_t n = 0;
    U("pptp.length", pptp_ctrl_msg_size(m->ctrl_type));
    U("pptp.type", 1);
    H("pptp.magic_cookie", 0x1A2B3C4D);
    U("pptp.control_message_type", m->ctrl_type);
    switch (m->ctrl_type) {
    case PPTP_MSG_SCCRQ:
        U("pptp.protocol_version", m->u.sccrq.protocol_version);
        U("pptp.framing_capabilities", m->u.sccrq.framing_caps);
        U("pptp.bearer_capabilities", m->u.sccrq.bearer_caps);
        U("pptp.maximum_channels", m->u.sccrq.max_channels);
        U("pptp.firmware_revision", m->u.sccrq.firmware_rev);
        S("pptp.host_name", m->u.sccrq.host_name);
        S("pptp.vendor_name", m->u.sccrq.vendor);
        break;
    case PPTP_MSG_SCCRP:
        U("pptp.protocol_version", m->u.sccrp.protocol_version);
        U("pptp.control_result", m->u.sccrp.result_code);
        U("pptp.error", m->u.sccrp.error_code);
        U("pptp.framing_capabilities", m->u.sccrp.framing_caps);
        U("pptp.bearer_capabilities", m->u.sccrp.bearer_caps);
        U("pptp.maximum_channels", m->u.sccrp.max_channels);
        U("pptp.firmware_revision", m->u.sccrp.firmware_rev);
        S("pptp.host_name", m->u.sccrp.host_name);
        S("pptp.vendor_name", m->u.sccrp.vendor);
        break;
    case PPTP_MSG_STOPCCRQ: U("pptp.reason", m->u.stopccrq.reason); break;
    case PPTP_MSG_STOPCCRP:
        U("pptp.stop_result", m->u.stopccrp.result_code);
        U("pptp.error", m->u.stopccrp.error_code);
        break;
    case PPTP_MSG_ECHORQ: U("pptp.identifier", m->u.echorq.identifier); break;
    case PPTP_MSG_ECHORP:
        U("pptp.identifier", m->u.echorp.identifier);
        U("pptp.echo_result", m->u.echorp.result_code);
        U("pptp.error", m->u.echorp.error_code);
        break;
    case PPTP_MSG_OCRQ:
        U("pptp.call_id", m->u.ocrq.call_id);
        U("pptp.call_serial_number", m->u.ocrq.call_serial);
        U("pptp.minimum_bps", m->u.ocrq.min_bps);
        U("pptp.maximum_bps", m->u.ocrq.max_bps);
        U("pptp.bearer_type", m->u.ocrq.bearer_type);
        U("pptp.framing_type", m->u.ocrq.framing_type);
        U("pptp.packet_receive_window_size", m->u.ocrq.recv_window);
        U("pptp.packet_processing_delay", m->u.ocrq.proc_delay);
        U("pptp.phone_number_length", m->u.ocrq.phone_len);
        S("pptp.phone_number", m->u.ocrq.phone);
        S("pptp.subaddress", m->u.ocrq.subaddress);
        break;
    case PPTP_MSG_OCRP:
        U("pptp.call_id", m->u.ocrp.call_id);
        U("pptp.peer_call_id", m->u.ocrp.peer_call_id);
        U("pptp.out_result", m->u.ocrp.result_code);
        U("pptp.error", m->u.ocrp.error_code);
        U("pptp.cause", m->u.ocrp.cause_code);
        U("pptp.connect_speed", m->u.ocrp.connect_speed);
        U("pptp.packet_receive_window_size", m->u.ocrp.recv_window);
        U("pptp.packet_processing_delay", m->u.ocrp.proc_delay);
        U("pptp.physical_channel_id", m->u.ocrp.phys_channel_id);
        break;
    case PPTP_MSG_ICRQ:
        U("pptp.call_id", m->u.icrq.call_id);
        U("pptp.call_serial_number", m->u.icrq.call_serial);
        U("pptp.bearer_type", m->u.icrq.bearer_type);
        U("pptp.physical_channel_id", m->u.icrq.phys_channel_id);
        U("pptp.dialed_number_length", m->u.icrq.dialed_len);
        U("pptp.dialing_number_length", m->u.icrq.dialing_len);
        S("pptp.dialed_number", m->u.icrq.dialed);
        S("pptp.dialing_number", m->u.icrq.dialing);
        S("pptp.subaddress", m->u.icrq.subaddress);
        break;
    case PPTP_MSG_ICRP:
        U("pptp.call_id", m->u.icrp.call_id);
        U("pptp.peer_call_id", m->u.icrp.peer_call_id);
        U("pptp.in_result", m->u.icrp.result_code);
        U("pptp.error", m->u.icrp.error_code);
        U("pptp.packet_receive_window_size", m->u.icrp.recv_window);
        /* wireshark labels ICRP's transmit delay "processing delay" */
        U("pptp.packet_processing_delay", m->u.icrp.xmit_delay);
        break;
    case PPTP_MSG_ICCN:
        U("pptp.peer_call_id", m->u.iccn.peer_call_id);
        U("pptp.connect_speed", m->u.iccn.connect_speed);
        U("pptp.packet_receive_window_size", m->u.iccn.recv_window);
        U("pptp.packet_processing_delay", m->u.iccn.xmit_delay);
        U("pptp.framing_type", m->u.iccn.framing_type);
        break;
    case PPTP_MSG_CCRQ: U("pptp.call_id", m->u.ccrq.call_id); break;
    case PPTP_MSG_CDN:
        U("pptp.call_id", m->u.cdn.call_id);
        U("pptp.disc_result", m->u.cdn.result_code);
        U("pptp.error", m->u.cdn.error_code);
        U("pptp.cause", m->u.cdn.cause_code);
        S("pptp.call_Statistics", m->u.cdn.call_stats);
        break;
    case PPTP_MSG_WEN:
        U("pptp.peer_call_id", m->u.wen.peer_call_id);
        U("pptp.crc_errors", m->u.wen.crc_errors);
        U("pptp.framing_errors", m->u.wen.framing_errors);
        U("pptp.hardware_overruns", m->u.wen.hw_overruns);
        U("pptp.buffer_overruns", m->u.wen.buf_overruns);
        U("pptp.timeout_errors", m->u.wen.timeout_errors);
        U("pptp.alignment_errors", m->u.wen.align_errors);
        break;
    case PPTP_MSG_SLI:
        U("pptp.peer_call_id", m->u.sli.peer_call_id);
        H("pptp.send_accm", m->u.sli.send_accm);
        H("pptp.receive_accm", m->u.sli.recv_accm);
        break;
    }
    return n;
}

static int column_of(const char *field)
{
    for (int i = 0; tfields[i]; i++)
        if (strcmp(tfields[i], field) == 0)
            return i;
    return -1;
}

/* Split line at '|' in place into cols[]; returns the count. */
static int split_cols(char *line, char **cols, int max)
{
    int n = 0;
    cols[n++] = line;
    for (char *p = line; *p && n < max; p++)
        if (*p == '|') {
            *p = '\0';
            cols[n++] = p + 1;
        }
    return n;
}

Test(pptp_ctrl_tshark, every_message_type_matches_wireshark)
{
    if (!tshark_available())
        cr_skip_test("tshark is not on PATH");
    char path[4096];
    scratch_path("pptp_ctrl_all_types.pcap", path, sizeof path);
    pcapw *pw = pcapw_open(path, 1 /* DLT_EN10MB */);
    cr_assert_not_null(pw, "cannot write %s", path);

    const uint32_t pns = 0x0a000001, pac = 0x0a000002;
    const uint16_t pns_port = 40000;
    uint32_t seq_pns = 1000, seq_pac = 5000;
    uint64_t ts = 1700000000000000ull;
    /* handshake so the stream looks ordinary */
    pcapw_write_tcp4(pw, ts++, pns, pac, pns_port, PPTP_TCP_PORT, seq_pns - 1, 0, 0x02, NULL, 0);
    pcapw_write_tcp4(pw, ts++, pac, pns, PPTP_TCP_PORT, pns_port, seq_pac - 1, seq_pns, 0x12, NULL, 0);
    pcapw_write_tcp4(pw, ts++, pns, pac, pns_port, PPTP_TCP_PORT, seq_pns, seq_pac, 0x10, NULL, 0);

    struct pptp_ctrl_msg msgs[16];
    for (int t = 1; t <= 15; t++) {
        make_msg(t, &msgs[t]);
        uint8_t out[300];
        wbuf w;
        wbuf_init(&w, out, sizeof out);
        cr_assert(pptp_ctrl_encode(&w, &msgs[t]));
        size_t len = wbuf_len(&w);
        int rc;
        if (from_pac(t)) {
            rc = pcapw_write_tcp4(pw, ts++, pac, pns, PPTP_TCP_PORT, pns_port, seq_pac, seq_pns, 0x18, out, len);
            seq_pac += (uint32_t)len;
        } else {
            rc = pcapw_write_tcp4(pw, ts++, pns, pac, pns_port, PPTP_TCP_PORT, seq_pns, seq_pac, 0x18, out, len);
            seq_pns += (uint32_t)len;
        }
        cr_assert_eq(rc, 0);
    }
    pcapw_close(pw);

    cr_assert_eq(tshark_malformed_count(path), 0, "tshark reports malformed packets in %s", path);
    char *out = tshark_fields(path, "pptp", tfields);
    cr_assert_not_null(out, "tshark failed on %s", path);

    int t = 1;
    char *save = NULL;
    for (char *line = strtok_r(out, "\n", &save); line; line = strtok_r(NULL, "\n", &save), t++) {
        cr_assert_leq(t, 15, "more PPTP lines than messages");
        char *cols[64];
        int ncols = split_cols(line, cols, 64);
        cr_assert_eq(ncols, (int)(sizeof tfields / sizeof tfields[0]) - 1, "type %d: %d columns", t, ncols);
        expect e[32];
        size_t ne = expectations(&msgs[t], e);
        bool checked[64] = {false};
        for (size_t i = 0; i < ne; i++) {
            int col = column_of(e[i].field);
            cr_assert_geq(col, 0, "%s not requested", e[i].field);
            cr_assert_str_eq(cols[col], e[i].value, "type %d (%s) field %s", t, pptp_msg_type_name((uint32_t)t),
                             e[i].field);
            checked[col] = true;
        }
        /* Fields not belonging to this message must be absent: the dissector read the
         * same layout as we wrote. */
        for (int col = 0; col < ncols; col++)
            if (!checked[col])
                cr_assert_str_eq(cols[col], "", "type %d: unexpected %s=%s", t, tfields[col], cols[col]);
    }
    cr_assert_eq(t, 16, "tshark showed %d PPTP messages, expected 15", t - 1);
    free(out);
}

/* ---- real captures ------------------------------------------------------------ */

typedef struct flow_next {
    uint32_t src;
    uint16_t sport;
    uint32_t next_seq;
} flow_next;

typedef struct seen {
    int types[64];
    struct pptp_ctrl_msg msgs[64];
    int n;
    int anomalies;
    char first_anomaly[64];
    flow_next flows[8];
    int nflows;
} seen;

/* True when this segment repeats data already seen in its direction (a
 * retransmission, or the duplicated frames of tcpdump__pptp.pcap): tshark does not
 * dissect those as PPTP either. */
static bool already_seen(seen *s, uint32_t src, uint16_t sport, uint32_t seq, size_t len)
{
    for (int i = 0; i < s->nflows; i++) {
        flow_next *f = &s->flows[i];
        if (f->src == src && f->sport == sport) {
            if ((int32_t)(seq - f->next_seq) < 0)
                return true;
            f->next_seq = seq + (uint32_t)len;
            return false;
        }
    }
    cr_assert_lt(s->nflows, 8);
    s->flows[s->nflows++] = (flow_next){src, sport, seq + (uint32_t)len};
    return false;
}

/* Fixed-offset parse (Ethernet II, IPv4, TCP) to reach the payload of TCP port 1723
 * segments, then decode every PPTP message in it. */
static bool scan_capture(const char *name, seen *s)
{
    char path[4096];
    if (!external_pcap(name, path, sizeof path))
        return false;
    char err[PCAP_ERRBUF_SIZE];
    pcap_t *p = pcap_open_offline(path, err);
    cr_assert_not_null(p, "%s: %s", path, err);
    cr_assert_eq(pcap_datalink(p), DLT_EN10MB, "%s is not Ethernet", name);
    memset(s, 0, sizeof *s);
    struct pcap_pkthdr *h;
    const u_char *d;
    while (pcap_next_ex(p, &h, &d) == 1) {
        size_t n = h->caplen;
        if (n < 14 + 20 || d[12] != 0x08 || d[13] != 0x00)
            continue;
        const u_char *ip = d + 14;
        size_t ihl = (size_t)(ip[0] & 0x0f) * 4;
        size_t ip_total = ((size_t)ip[2] << 8) | ip[3];
        if ((ip[0] >> 4) != 4 || ip[9] != 6 || ihl < 20 || n < 14 + ihl + 20)
            continue;
        const u_char *tcp = ip + ihl;
        uint16_t sport = (uint16_t)((tcp[0] << 8) | tcp[1]), dport = (uint16_t)((tcp[2] << 8) | tcp[3]);
        if (sport != PPTP_TCP_PORT && dport != PPTP_TCP_PORT)
            continue;
        size_t thl = (size_t)(tcp[12] >> 4) * 4;
        size_t end = 14 + ip_total; /* ignore Ethernet padding */
        if (end > n)
            end = n;
        if (14 + ihl + thl >= end)
            continue;
        uint32_t src = ((uint32_t)ip[12] << 24) | ((uint32_t)ip[13] << 16) | ((uint32_t)ip[14] << 8) | ip[15];
        uint32_t seq = ((uint32_t)tcp[4] << 24) | ((uint32_t)tcp[5] << 16) | ((uint32_t)tcp[6] << 8) | tcp[7];
        size_t plen = end - (14 + ihl + thl);
        if (already_seen(s, src, sport, seq, plen))
            continue;
        cursor c;
        cursor_init(&c, d + 14 + ihl + thl, plen);
        while (!cursor_empty(&c)) {
            anomaly_set an;
            anomaly_clear(&an);
            cr_assert_lt(s->n, 64);
            struct pptp_ctrl_msg *m = &s->msgs[s->n];
            cr_assert_eq(pptp_ctrl_decode(&c, m, &an), DEC_OK, "%s: message %d", name, s->n + 1);
            if (anomaly_any(&an) && s->anomalies++ == 0)
                snprintf(s->first_anomaly, sizeof s->first_anomaly, "%s",
                         anomaly_name(anomaly_next(&an, ANOMALY_NONE)));
            s->types[s->n++] = m->ctrl_type;
        }
    }
    pcap_close(p);
    return true;
}

static void assert_types(const seen *s, const int *want, int nwant, const char *name)
{
    char got[256] = "";
    for (int i = 0; i < s->n; i++)
        snprintf(got + strlen(got), sizeof got - strlen(got), "%d,", s->types[i]);
    cr_assert_eq(s->n, nwant, "%s: control types %s", name, got);
    for (int i = 0; i < nwant; i++)
        cr_assert_eq(s->types[i], want[i], "%s: message %d; control types %s", name, i + 1, got);
}

Test(pptp_ctrl_external, ndpi_full_lifecycle)
{
    static seen s;
    if (!scan_capture("ndpi__pptp.pcap", &s))
        cr_skip_test("external capture ndpi__pptp.pcap not present (../shared/pcaps/external)");
    /* tshark -Y pptp -e pptp.control_message_type: 1,2,7,8,15,15,12,13 (the
     * retransmitted CCRQ in frame 19 is not counted) */
    static const int want[] = {1, 2, 7, 8, 15, 15, 12, 13};
    assert_types(&s, want, 8, "ndpi__pptp.pcap");
    cr_assert_eq(s.anomalies, 0, "real traffic raised %s", s.first_anomaly);

    const struct pptp_sccrq *rq = &s.msgs[0].u.sccrq;
    cr_assert_eq(rq->protocol_version, 0x0100);
    cr_assert_eq(rq->framing_caps, 3);
    cr_assert_eq(rq->bearer_caps, 3);
    cr_assert_eq(rq->max_channels, 65535);
    cr_assert_eq(rq->firmware_rev, 1);
    cr_assert_str_eq(rq->host_name, "local");
    cr_assert_str_eq(rq->vendor, "cananian");
    cr_assert_eq(s.msgs[1].u.sccrp.result_code, PPTP_SCCRP_SUCCESS);
    cr_assert_str_eq(s.msgs[1].u.sccrp.vendor, "Microsoft");
    cr_assert_eq(s.msgs[2].u.ocrq.min_bps, 2400);
    cr_assert_eq(s.msgs[2].u.ocrq.max_bps, 10000000);
    cr_assert_eq(s.msgs[3].u.ocrp.call_id, 11755);
    cr_assert_eq(s.msgs[3].u.ocrp.peer_call_id, 0);
    cr_assert_eq(s.msgs[3].u.ocrp.result_code, PPTP_OCRP_CONNECTED);
    cr_assert_eq(s.msgs[4].u.sli.send_accm, 0);
    cr_assert_eq(s.msgs[4].u.sli.recv_accm, 0xffffffffu);
    cr_assert_eq(s.msgs[5].u.sli.send_accm, 0xffffffffu);
    /* this stack leaves junk in SLI Reserved1: kept, deliberately not an anomaly */
    cr_assert_eq(s.msgs[4].u.sli.reserved1, 0xa196);
    cr_assert_eq(s.msgs[6].u.ccrq.call_id, 0);
    cr_assert_eq(s.msgs[7].length, 148);
}

Test(pptp_ctrl_external, tcpdump_big_endian_capture)
{
    static seen s;
    if (!scan_capture("tcpdump__pptp.pcap", &s))
        cr_skip_test("external capture tcpdump__pptp.pcap not present (../shared/pcaps/external)");
    /* tshark: 1,2,7,8,15; the duplicated server frames are skipped */
    static const int want[] = {1, 2, 7, 8, 15};
    assert_types(&s, want, 5, "tcpdump__pptp.pcap");
    cr_assert_eq(s.anomalies, 0, "real traffic raised %s", s.first_anomaly);
    cr_assert_str_eq(s.msgs[0].u.sccrq.vendor, "Microsoft Windows NT");
    cr_assert_eq(s.msgs[0].u.sccrq.max_channels, 0);
    cr_assert_eq(s.msgs[0].u.sccrq.firmware_rev, 0x0870);
    cr_assert_str_eq(s.msgs[1].u.sccrp.host_name, "local");
    cr_assert_str_eq(s.msgs[1].u.sccrp.vendor, "MoretonBay");
    cr_assert_eq(s.msgs[2].u.ocrq.call_id, 0);
    cr_assert_eq(s.msgs[2].u.ocrq.max_bps, 100000000);
    cr_assert_eq(s.msgs[3].u.ocrp.call_id, 0);
    cr_assert_eq(s.msgs[3].u.ocrp.peer_call_id, 0);
    cr_assert_eq(s.msgs[4].u.sli.send_accm, 0xffffffffu);
}

Test(pptp_ctrl_external, other_captures_decode_without_anomalies)
{
    static const struct {
        const char *name;
        int nmsgs;
    } caps[] = {
        {"packetlife__PPTP_negotiation.cap", 4},
        {"pptp_vpn_sniffer__connect.pcapng", 6},
        {"john-samples__lulu-password-pptp.pcap", 6},
    };
    int scanned = 0;
    for (size_t i = 0; i < sizeof caps / sizeof caps[0]; i++) {
        static seen s;
        if (!scan_capture(caps[i].name, &s))
            continue;
        scanned++;
        cr_assert_eq(s.n, caps[i].nmsgs, "%s: %d messages", caps[i].name, s.n);
        cr_assert_eq(s.types[0], PPTP_MSG_SCCRQ, "%s", caps[i].name);
        cr_assert_eq(s.anomalies, 0, "%s: real traffic raised %s", caps[i].name, s.first_anomaly);
    }
    if (scanned == 0)
        cr_skip_test("external captures not present (../shared/pcaps/external)");
}
