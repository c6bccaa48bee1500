/*
 * detect_ctrl.c - control-channel rules: malformed or oversized messages,
 * messages out of sequence (call-state abuse), floods of SCCRQ and call
 * requests per source, connections to the PPTP port that never send an SCCRQ
 * (scans), refused control connections, Echo-Request floods, unanswered
 * control echoes, and known tools' SCCRQ host/vendor strings.
 * Rules: docs/alerts.md.
 */
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "detect_int.h"

/* ---- malformed messages ---- */

static const anomaly_id malformed_ids[] = {
    ANOMALY_PPTP_BAD_LENGTH,          ANOMALY_PPTP_BAD_MAGIC,          ANOMALY_PPTP_BAD_MESSAGE_TYPE,
    ANOMALY_PPTP_UNKNOWN_CTRL_TYPE,   ANOMALY_PPTP_UNDERSIZED_MESSAGE, ANOMALY_PPTP_OVERSIZED_MESSAGE,
    ANOMALY_PPTP_NUMBER_LENGTH_OVERFLOW,
};

static void malformed(struct sensor *s, struct ctrl_conn *c, struct detect_ctrl *d, int dir, const anomaly_set *an,
                      uint16_t type, uint32_t length, uint64_t now)
{
    if (d->malformed || !det_on(s, DR_CTRL_MALFORMED))
        return;
    d->malformed = 1;
    ev *e = det_begin(s, DR_CTRL_MALFORMED, now, 0);
    if (!e)
        return;
    emit_ctrl_identity(s, e, c);
    const char *first = NULL;
    for (size_t i = 0; i < sizeof malformed_ids / sizeof malformed_ids[0]; i++)
        if (anomaly_has(an, malformed_ids[i])) {
            ev_add_str_array(e, "pptp.alert.anomalies", anomaly_name(malformed_ids[i]));
            if (!first)
                first = anomaly_name(malformed_ids[i]);
        }
    ev_set_str(e, "pptp.alert.direction", det_side(dir));
    ev_set_str(e, "pptp.alert.message_type", pptp_msg_type_name(type));
    ev_set_uint(e, "pptp.alert.message_type_code", type);
    ev_set_uint(e, "pptp.alert.length", length);
    size_t want = pptp_ctrl_msg_size(type);
    if (want)
        ev_set_uint(e, "pptp.alert.expected_length", want);
    det_message(e, "Malformed PPTP control message from the %s: %s %s (length %u%s)", det_side(dir),
                pptp_msg_type_name(type), first ? first : "undecodable", length,
                want ? (length > want ? ", longer than its type's size" : length < want ? ", shorter than its type's size" : "")
                     : ", unknown type");
    det_send(s, e);
}

void detect_on_ctrl_garbage(struct sensor *s, struct ctrl_conn *c, int dir, const uint8_t *p, size_t n,
                            bool resyncing, uint64_t now)
{
    struct detect_ctrl *d = s->det && !s->det->quiet ? det_ctrl(s, c) : NULL;
    if (!d)
        return;
    if (resyncing)
        d->lossy = 1;
    if (resyncing || c->mid_stream || !det_on(s, DR_CTRL_MALFORMED) || n < PPTP_CTRL_HEADER_LEN || d->malformed)
        return;
    uint16_t len = (uint16_t)(p[0] << 8 | p[1]), mtype = (uint16_t)(p[2] << 8 | p[3]);
    uint32_t magic = (uint32_t)p[4] << 24 | (uint32_t)p[5] << 16 | (uint32_t)p[6] << 8 | p[7];
    uint16_t type = (uint16_t)(p[8] << 8 | p[9]);
    anomaly_set an;
    anomaly_clear(&an);
    if (len < PPTP_CTRL_HEADER_LEN)
        anomaly_add(&an, ANOMALY_PPTP_BAD_LENGTH);
    if (mtype != PPTP_MESSAGE_CONTROL)
        anomaly_add(&an, ANOMALY_PPTP_BAD_MESSAGE_TYPE);
    if (magic != PPTP_MAGIC_COOKIE)
        anomaly_add(&an, ANOMALY_PPTP_BAD_MAGIC);
    if (!pptp_ctrl_msg_size(type))
        anomaly_add(&an, ANOMALY_PPTP_UNKNOWN_CTRL_TYPE);
    else if (len > PPTP_CTRL_PLAUSIBLE_MAX_LEN)
        anomaly_add(&an, ANOMALY_PPTP_OVERSIZED_MESSAGE);
    else if (len < pptp_ctrl_msg_size(type))
        anomaly_add(&an, ANOMALY_PPTP_UNDERSIZED_MESSAGE);
    malformed(s, c, d, dir, &an, type, len, now);
}

/* ---- sequence violations ---- */

enum violation {
    V_SCCRQ_REPEATED, V_REPLY_WITHOUT_REQUEST, V_WRONG_DIRECTION, V_CALL_BEFORE_ESTABLISHED, V_AFTER_STOP,
    V_ICCN_REPEATED, V_REPLY_REPEATED, V_UNKNOWN_CALL, V_COUNT
};
static const char *const violation_names[V_COUNT] = {
    "sccrq_repeated",     "reply_without_request", "wrong_direction", "call_before_established",
    "message_after_stop", "iccn_repeated",         "reply_repeated",  "unknown_call",
};
static const char *const violation_text[V_COUNT] = {
    "a second Start-Control-Connection-Request on an established connection",
    "a reply without the request it answers",
    "a reply from the side that sent the request",
    "a call request before the control connection was established",
    "a message after Stop-Control-Connection-Request",
    "Incoming-Call-Connected for a call that is already connected",
    "a second reply for a call that is already connected",
    "a message for a Call ID no call on this connection has",
};

static const char *ctrl_state_name(uint8_t st)
{
    static const char *const names[] = {"unknown", "wait_reply", "established", "refused", "stopping", "closed"};
    return st < sizeof names / sizeof names[0] ? names[st] : "unknown";
}

static void violation(struct sensor *s, struct ctrl_conn *c, struct detect_ctrl *d, struct call *k, int dir,
                      enum violation v, const struct pptp_ctrl_msg *m, uint64_t now)
{
    if (c->mid_stream || d->lossy || (d->violations & (1u << v)) || !det_on(s, DR_CTRL_STATE_VIOLATION))
        return;
    d->violations |= 1u << v;
    ev *e = det_begin(s, DR_CTRL_STATE_VIOLATION, now, 0);
    if (!e)
        return;
    if (k)
        emit_call_identity(s, e, k);
    else
        emit_ctrl_identity(s, e, c);
    ev_set_str(e, "pptp.alert.violation", violation_names[v]);
    ev_set_str(e, "pptp.alert.message_type", pptp_msg_type_name(m->ctrl_type));
    ev_set_str(e, "pptp.alert.direction", det_side(dir));
    ev_set_str(e, "pptp.alert.ctrl_state", ctrl_state_name(c->state));
    uint16_t cid = 0, peer = 0;
    unsigned has = pptp_ctrl_call_ids(m, &cid, &peer);
    if (has & PPTP_HAS_CALL_ID)
        ev_set_uint(e, "pptp.alert.call_id", cid);
    if (has & PPTP_HAS_PEER_CALL_ID)
        ev_set_uint(e, "pptp.alert.peer_call_id", peer);
    det_message(e, "PPTP control sequence violated: %s (%s from the %s)", violation_text[v],
                pptp_msg_type_name(m->ctrl_type), det_side(dir));
    det_send(s, e);
}

static struct call *call_by(struct ctrl_conn *c, bool pns, uint16_t id)
{
    for (struct call *k = c->calls; k; k = k->ctrl_next)
        if (k->state != CALL_STATE_DOWN && (pns ? k->have_pns_id && k->pns_call_id == id : k->have_pac_id && k->pac_call_id == id))
            return k;
    return NULL;
}

/* ---- per-source floods ---- */

static void flood(struct sensor *s, struct ctrl_conn *c, int dir, enum detect_rule r, uint64_t now)
{
    if (!det_on(s, r))
        return;
    const sn_addr *src = dir == DIR_CLIENT ? &c->client_ip : &c->server_ip;
    struct dkey key;
    dkey_addr(&key, src);
    struct ctrl_src *cs = dtab_get(&s->det->ctrl_src, &key, true, NULL);
    if (!cs)
        return;
    const struct detect_rule_cfg *rc = det_rc(s, r);
    struct swin *w = r == DR_CTRL_SCCRQ_FLOOD ? &cs->sccrq : &cs->calls;
    uint64_t *last = r == DR_CTRL_SCCRQ_FLOOD ? &cs->sccrq_alert_ns : &cs->calls_alert_ns;
    uint32_t n = swin_add(w, now, rc->window_ns, 1);
    if (n < rc->threshold || (*last && now - *last < rc->window_ns))
        return;
    ev *e = det_begin(s, r, now, 0);
    if (!e)
        return;
    *last = now;
    char ip[64];
    emit_ctrl_identity(s, e, c);
    ev_set_uint(e, "pptp.alert.count", n);
    ev_set_uint(e, "pptp.alert.threshold", rc->threshold);
    ev_set_uint(e, "pptp.alert.window", rc->window_ns);
    det_set_ip(e, "pptp.alert.source_ip", src);
    det_message(e, "%u %s from %s within %llu s", n,
                r == DR_CTRL_SCCRQ_FLOOD ? "Start-Control-Connection-Requests" : "call requests",
                det_addr_str(src, ip, sizeof ip), (unsigned long long)(rc->window_ns / NS_PER_SEC));
    det_send(s, e);
}

/* ---- tools ---- */

enum { FP_VENDOR = 0, FP_HOST = 1 };
static const struct {
    const char *tool;
    uint8_t field;
    const char *text;
} fingerprints[] = {
    {"nmap pptp-version", FP_VENDOR, "nmap"}, /* nmap scripts/pptp-version.nse */
    {"w9scan", FP_VENDOR, "medicean"},        /* w9scan plugins/ip/337.py */
};

static const char *tool_of(const struct sensor *s, const struct pptp_sccrq *q)
{
    for (size_t i = 0; i < sizeof fingerprints / sizeof fingerprints[0]; i++)
        if (!strcasecmp(fingerprints[i].field == FP_VENDOR ? q->vendor : q->host_name, fingerprints[i].text))
            return fingerprints[i].tool;
    const struct detect_config *dc = &s->det->cfg;
    for (unsigned i = 0; i < dc->n_fp; i++)
        if (!strcasecmp(dc->fp[i].field == FP_VENDOR ? q->vendor : q->host_name, dc->fp[i].text))
            return "configured fingerprint";
    /* the probe nmap's script sends, copied by other scanners with their own vendor */
    if (!strcmp(q->host_name, "none") && q->max_channels == 65535 && q->firmware_rev == 1 && q->framing_caps == 1 &&
        q->bearer_caps == 1)
        return "nmap-style probe";
    return NULL;
}

static void fingerprint(struct sensor *s, struct ctrl_conn *c, struct detect_ctrl *d, const struct pptp_sccrq *q,
                        uint64_t now)
{
    if (!det_on(s, DR_CTRL_TOOL_FINGERPRINT))
        return;
    const char *tool = tool_of(s, q);
    if (!tool || !det_once(&d->fired, DR_CTRL_TOOL_FINGERPRINT))
        return;
    ev *e = det_begin(s, DR_CTRL_TOOL_FINGERPRINT, now, 0);
    if (!e)
        return;
    char ip[64];
    emit_ctrl_identity(s, e, c);
    ev_set_str(e, "pptp.alert.tool", tool);
    ev_set_str(e, "pptp.alert.hostname", q->host_name);
    ev_set_str(e, "pptp.alert.vendor", q->vendor);
    ev_set_uint(e, "pptp.alert.firmware", q->firmware_rev);
    ev_set_uint(e, "pptp.alert.max_channels", q->max_channels);
    det_message(e, "Start-Control-Connection-Request from %s matches a known tool (%s: host \"%s\", vendor \"%s\")",
                det_addr_str(&c->client_ip, ip, sizeof ip), tool, q->host_name, q->vendor);
    det_send(s, e);
}

static void refused(struct sensor *s, struct ctrl_conn *c, struct detect_ctrl *d, const struct pptp_sccrp *r, uint64_t now)
{
    if (r->result_code == PPTP_SCCRP_SUCCESS || !det_on(s, DR_CTRL_REFUSED) || !det_once(&d->fired, DR_CTRL_REFUSED))
        return;
    ev *e = det_begin(s, DR_CTRL_REFUSED, now, r->result_code == PPTP_SCCRP_NOT_AUTHORIZED ? 1 : 0);
    if (!e)
        return;
    char ip[64];
    emit_ctrl_identity(s, e, c);
    ev_set_uint(e, "pptp.alert.result_code", r->result_code);
    ev_set_str(e, "pptp.alert.result", pptp_result_name(PPTP_MSG_SCCRP, r->result_code));
    if (r->result_code == PPTP_SCCRP_GENERAL_ERROR) {
        ev_set_uint(e, "pptp.alert.error_code", r->error_code);
        ev_set_str(e, "pptp.alert.error", pptp_error_name(r->error_code));
    }
    det_message(e, "PPTP server refused the control connection from %s: %s", det_addr_str(&c->client_ip, ip, sizeof ip),
                pptp_result_name(PPTP_MSG_SCCRP, r->result_code));
    det_send(s, e);
}

static void echo(struct sensor *s, struct ctrl_conn *c, struct detect_ctrl *d, int dir, bool request, uint64_t now)
{
    if (!request) {
        d->echo_out[1 - dir] = 0;
        return;
    }
    if (d->echo_out[dir] < UINT16_MAX)
        d->echo_out[dir]++;
    const struct detect_rule_cfg *rc = det_rc(s, DR_CTRL_ECHO_FLOOD);
    uint32_t n = swin_add(&d->echo, now, rc->window_ns, 1);
    if (n >= rc->threshold && det_on(s, DR_CTRL_ECHO_FLOOD) && !(d->echo_alert_ns && now - d->echo_alert_ns < rc->window_ns)) {
        ev *e = det_begin(s, DR_CTRL_ECHO_FLOOD, now, 0);
        if (e) {
            d->echo_alert_ns = now;
            emit_ctrl_identity(s, e, c);
            ev_set_uint(e, "pptp.alert.count", n);
            ev_set_uint(e, "pptp.alert.threshold", rc->threshold);
            ev_set_uint(e, "pptp.alert.window", rc->window_ns);
            ev_set_str(e, "pptp.alert.direction", det_side(dir));
            det_message(e, "%u control Echo-Requests within %llu s on one connection (keepalives come once a minute)", n,
                        (unsigned long long)(rc->window_ns / NS_PER_SEC));
            det_send(s, e);
        }
    }
    uint32_t thr = det_rc(s, DR_OPS_ECHO_TIMEOUT)->threshold;
    if (d->echo_out[dir] >= thr && det_on(s, DR_OPS_ECHO_TIMEOUT) && det_once(&d->fired, DR_OPS_ECHO_TIMEOUT)) {
        ev *e = det_begin(s, DR_OPS_ECHO_TIMEOUT, now, 0);
        if (e) {
            emit_ctrl_identity(s, e, c);
            ev_set_str(e, "pptp.alert.protocol", "pptp");
            ev_set_str(e, "pptp.alert.direction", det_side(dir));
            ev_set_uint(e, "pptp.alert.unanswered", d->echo_out[dir]);
            ev_set_uint(e, "pptp.alert.threshold", thr);
            det_message(e, "%u control Echo-Requests from the %s went unanswered", d->echo_out[dir], det_side(dir));
            det_send(s, e);
        }
    }
}

/* ---- the hooks ---- */

void detect_on_ctrl_msg(struct sensor *s, struct ctrl_conn *c, int dir, const struct pptp_ctrl_msg *m,
                        dec_status ds, const anomaly_set *an, uint64_t now)
{
    if (!s->det || s->det->quiet)
        return;
    struct detect_ctrl *d = det_ctrl(s, c);
    if (!d)
        return;
    /* A gap skipped in either stream (capture loss) delivers later messages
     * out of their real order: sequence rules stop for this connection. */
    for (int i = 0; i < 2; i++)
        if (c->stream[i] && (tcp_stream_get_stats(c->stream[i])->gaps || tcp_stream_resync_needed(c->stream[i])))
            d->lossy = 1;
    bool bad = ds != DEC_OK;
    for (size_t i = 0; !bad && i < sizeof malformed_ids / sizeof malformed_ids[0]; i++)
        bad = anomaly_has(an, malformed_ids[i]);
    if (bad)
        malformed(s, c, d, dir, an, m->ctrl_type, m->length, now);
    if (ds != DEC_OK)
        return;
    struct call *k = NULL;
    bool established = c->state == CTRL_STATE_ESTABLISHED;
    if (d->stop_seen && m->ctrl_type != PPTP_MSG_STOPCCRP && m->ctrl_type != PPTP_MSG_STOPCCRQ &&
        m->ctrl_type != PPTP_MSG_ECHORQ && m->ctrl_type != PPTP_MSG_ECHORP)
        violation(s, c, d, NULL, dir, V_AFTER_STOP, m, now);
    switch (m->ctrl_type) {
    case PPTP_MSG_SCCRQ:
        if (d->sccrq_seen && established)
            violation(s, c, d, NULL, dir, V_SCCRQ_REPEATED, m, now);
        d->sccrq_seen = 1;
        d->sccrq_dir = (uint8_t)dir;
        flood(s, c, dir, DR_CTRL_SCCRQ_FLOOD, now);
        fingerprint(s, c, d, &m->u.sccrq, now);
        break;
    case PPTP_MSG_SCCRP:
        if (!d->sccrq_seen)
            violation(s, c, d, NULL, dir, V_REPLY_WITHOUT_REQUEST, m, now);
        else if (d->sccrq_dir == dir)
            violation(s, c, d, NULL, dir, V_WRONG_DIRECTION, m, now);
        d->sccrp_seen = 1;
        refused(s, c, d, &m->u.sccrp, now);
        break;
    case PPTP_MSG_STOPCCRQ:
        d->stop_seen = 1;
        break;
    case PPTP_MSG_ECHORQ:
    case PPTP_MSG_ECHORP:
        echo(s, c, d, dir, m->ctrl_type == PPTP_MSG_ECHORQ, now);
        break;
    case PPTP_MSG_OCRQ:
    case PPTP_MSG_ICRQ:
        if (!established && c->state != CTRL_STATE_UNKNOWN)
            violation(s, c, d, NULL, dir, V_CALL_BEFORE_ESTABLISHED, m, now);
        flood(s, c, dir, DR_CTRL_CALL_FLOOD, now);
        break;
    case PPTP_MSG_ICCN:
        k = call_by(c, true, m->u.iccn.peer_call_id);
        if (k && k->state == CALL_STATE_ESTABLISHED && !k->partial)
            violation(s, c, d, k, dir, V_ICCN_REPEATED, m, now);
        else if (!k)
            violation(s, c, d, NULL, dir, V_UNKNOWN_CALL, m, now);
        break;
    case PPTP_MSG_OCRP:
        k = call_by(c, true, m->u.ocrp.peer_call_id);
        if (k && k->state == CALL_STATE_ESTABLISHED && !k->partial)
            violation(s, c, d, k, dir, V_REPLY_REPEATED, m, now);
        else if (!k)
            violation(s, c, d, NULL, dir, V_REPLY_WITHOUT_REQUEST, m, now);
        break;
    case PPTP_MSG_ICRP:
        k = call_by(c, false, m->u.icrp.peer_call_id);
        if (k && k->state != CALL_STATE_WAIT_REPLY && !k->partial)
            violation(s, c, d, k, dir, V_REPLY_REPEATED, m, now);
        else if (!k)
            violation(s, c, d, NULL, dir, V_REPLY_WITHOUT_REQUEST, m, now);
        break;
    case PPTP_MSG_CCRQ:
        /* a CCRQ crossing the PAC's CDN on the wire names a call that just ended */
        if (!call_by(c, true, m->u.ccrq.call_id) &&
            !det_recently_ended(s, &c->client_ip, m->u.ccrq.call_id, now, 10 * NS_PER_SEC))
            violation(s, c, d, NULL, dir, V_UNKNOWN_CALL, m, now);
        break;
    default:
        break;
    }
}

void detect_on_ctrl_close(struct sensor *s, struct ctrl_conn *c, const char *reason, uint64_t now)
{
    if (!det_on(s, DR_CTRL_SCAN) || c->mid_stream || (c->det && c->det->sccrq_seen) || c->msgs[0] || c->msgs[1])
        return;
    if (strcmp(reason, "tcp_reset") && strcmp(reason, "tcp_fin") && strcmp(reason, "sensor_expired"))
        return;
    const struct detect_rule_cfg *rc = det_rc(s, DR_CTRL_SCAN);
    struct dkey key;
    dkey_addr(&key, &c->client_ip);
    struct ctrl_src *cs = dtab_get(&s->det->ctrl_src, &key, true, NULL);
    if (!cs)
        return;
    uint32_t n = swin_add(&cs->scan, now, rc->window_ns, 1);
    if (n < rc->threshold || (cs->scan_alert_ns && now - cs->scan_alert_ns < rc->window_ns))
        return;
    ev *e = det_begin(s, DR_CTRL_SCAN, now, 0);
    if (!e)
        return;
    cs->scan_alert_ns = now;
    char ip[64];
    emit_ctrl_identity(s, e, c);
    ev_set_uint(e, "pptp.alert.count", n);
    ev_set_uint(e, "pptp.alert.threshold", rc->threshold);
    ev_set_uint(e, "pptp.alert.window", rc->window_ns);
    ev_set_str(e, "pptp.alert.close_reason", reason);
    det_message(e, "%s opened %u connections to PPTP ports within %llu s without sending a PPTP request (scan)",
                det_addr_str(&c->client_ip, ip, sizeof ip), n, (unsigned long long)(rc->window_ns / NS_PER_SEC));
    det_send(s, e);
}
