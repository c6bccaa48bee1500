/*
 * ctrl.c - PPTP control connections (RFC 2637 section 2): TCP/1723 reassembly per
 * direction, message framing with resynchronisation after gaps, the control and
 * call state machines, and the control/call events.
 */
#include <stdlib.h>
#include <string.h>

#include "sensor_int.h"

/* How long a hole in a control stream may wait for its bytes before it is skipped. */
#define CTRL_HOLE_WAIT_NS (2 * NS_PER_SEC)

static void ctrl_shut(struct sensor *s, struct ctrl_conn *c, const char *reason, uint8_t initiator, uint64_t now);
static void ctrl_free(struct sensor *s, struct ctrl_conn *c);
static uint64_t conn_mem(const struct ctrl_conn *c);

static bool is_pptp_port(const struct sensor *s, uint16_t port)
{
    for (int i = 0; i < s->cfg->n_pptp_ports; i++)
        if (s->cfg->pptp_ports[i] == port)
            return true;
    return false;
}

static void count_anomalies(struct sensor *s, const anomaly_set *an)
{
    for (anomaly_id a = anomaly_next(an, ANOMALY_NONE); a != ANOMALY_NONE; a = anomaly_next(an, a))
        s->st.anomalies[a]++;
}

static struct ctrl_conn *ctrl_new(struct sensor *s, const sn_addr *cli, const sn_addr *srv, uint16_t cport,
                                  uint16_t sport, uint64_t now)
{
    if (s->st.ctrl_active >= s->cfg->max_ctrl)
        return NULL;
    struct ctrl_conn *c = calloc(1, sizeof *c);
    if (!c)
        return NULL;
    c->client_ip = *cli;
    c->server_ip = *srv;
    c->client_port = cport;
    c->server_port = sport;
    c->start_ns = c->last_ns = now;
    c->control_id = sensor_new_id(s, now, sn_addr_hash(cli, cport) ^ sn_addr_hash(srv, sport));
    ctrl_insert(s, c);
    s->st.ctrl_total++;
    s->st.ctrl_active++;
    return c;
}

static struct tcp_stream *stream_of(struct sensor *s, struct ctrl_conn *c, int dir)
{
    if (!c->stream[dir]) {
        c->stream[dir] = malloc(sizeof(struct tcp_stream));
        if (c->stream[dir]) {
            if (c->parked[dir])
                tcp_stream_park_restore(c->stream[dir], &s->tcp_lim, &c->park[dir]);
            else
                tcp_stream_init(c->stream[dir], &s->tcp_lim);
        }
        c->parked[dir] = 0;
    }
    return c->stream[dir];
}

/* Free an idle stream, keeping only its position: a long-lived control
 * connection then costs a few words between its messages. */
static void stream_park(struct ctrl_conn *c, int dir)
{
    struct tcp_stream *st = c->stream[dir];
    if (!st || !tcp_stream_parkable(st))
        return;
    tcp_stream_park_save(st, &c->park[dir]);
    c->parked[dir] = 1;
    tcp_stream_destroy(st);
    free(st);
    c->stream[dir] = NULL;
}

static struct call *find_call(struct ctrl_conn *c, int have_pns, uint16_t pns, int have_pac, uint16_t pac)
{
    for (struct call *k = c->calls; k; k = k->ctrl_next) {
        if (k->state == CALL_STATE_DOWN)
            continue;
        if (have_pns && k->have_pns_id && k->pns_call_id == pns)
            return k;
        if (have_pac && k->have_pac_id && k->pac_call_id == pac)
            return k;
    }
    return NULL;
}

/* A call the control channel mentions but whose request we did not see. */
static struct call *partial_call(struct sensor *s, struct ctrl_conn *c, int have_pns, uint16_t pns, int have_pac,
                                 uint16_t pac, uint64_t now)
{
    struct call *k = call_new(s, c, now);
    if (!k)
        return NULL;
    k->partial = 1;
    k->state = CALL_STATE_ESTABLISHED;
    call_set_ids(s, k, have_pns, pns, have_pac, pac);
    return k;
}

static void emit_control_connect(struct sensor *s, struct ctrl_conn *c, uint64_t now)
{
    ev *e = emit_begin(s, EV_CLASS_SESSION, "control_connect", now, "info");
    emit_ctrl_identity(s, e, c);
    struct ctrl_info *in = c->info;
    if (in && in->have_rq) {
        const struct pptp_sccrq *q = &in->rq;
        ev_set_str(e, "pptp.ctrl.client.hostname", q->host_name);
        ev_set_str(e, "pptp.ctrl.client.vendor", q->vendor);
        ev_set_uint(e, "pptp.ctrl.client.firmware", q->firmware_rev);
        ev_set_uint(e, "pptp.ctrl.client.max_channels", q->max_channels);
        ev_set_uint(e, "pptp.ctrl.client.protocol_version", q->protocol_version);
        ev_set_uint(e, "pptp.ctrl.client.framing_caps", q->framing_caps);
        ev_set_uint(e, "pptp.ctrl.client.bearer_caps", q->bearer_caps);
    }
    if (in && in->have_rp) {
        const struct pptp_sccrp *r = &in->rp;
        ev_set_str(e, "pptp.ctrl.server.hostname", r->host_name);
        ev_set_str(e, "pptp.ctrl.server.vendor", r->vendor);
        ev_set_uint(e, "pptp.ctrl.server.firmware", r->firmware_rev);
        ev_set_uint(e, "pptp.ctrl.server.max_channels", r->max_channels);
        ev_set_uint(e, "pptp.ctrl.server.protocol_version", r->protocol_version);
        ev_set_uint(e, "pptp.ctrl.server.framing_caps", r->framing_caps);
        ev_set_uint(e, "pptp.ctrl.server.bearer_caps", r->bearer_caps);
        ev_set_uint(e, "pptp.ctrl.protocol_version", r->protocol_version);
        ev_set_uint(e, "pptp.ctrl.result_code", r->result_code);
        ev_set_str(e, "pptp.ctrl.result", pptp_result_name(PPTP_MSG_SCCRP, r->result_code));
        if (r->result_code == PPTP_SCCRP_GENERAL_ERROR) {
            ev_set_uint(e, "pptp.ctrl.error_code", r->error_code);
            ev_set_str(e, "pptp.ctrl.error", pptp_error_name(r->error_code));
        }
        ev_set_str(e, "event.outcome", r->result_code == PPTP_SCCRP_SUCCESS ? "success" : "failure");
    } else {
        ev_set_str(e, "event.outcome", "unknown");
    }
    emit_send(s, e);
    c->connect_emitted = 1;
    free(c->info);
    c->info = NULL;
}

static void emit_call_request(struct sensor *s, struct call *k, const struct pptp_ctrl_msg *m, uint64_t now)
{
    ev *e = emit_begin(s, EV_CLASS_SESSION, "call_request", now, "info");
    emit_call_identity(s, e, k);
    if (m->ctrl_type == PPTP_MSG_OCRQ) {
        const struct pptp_ocrq *q = &m->u.ocrq;
        ev_set_str(e, "pptp.call.bearer", pptp_bearer_type_name(q->bearer_type));
        ev_set_str(e, "pptp.call.framing", pptp_framing_type_name(q->framing_type));
        ev_set_uint(e, "pptp.call.min_bps", q->min_bps);
        ev_set_uint(e, "pptp.call.max_bps", q->max_bps);
        ev_set_uint(e, "pptp.call.client.window", q->recv_window);
        ev_set_uint(e, "pptp.call.client.processing_delay", q->proc_delay);
        ev_set_str(e, "pptp.call.phone_number", q->phone);
        ev_set_str(e, "pptp.call.subaddress", q->subaddress);
    } else {
        const struct pptp_icrq *q = &m->u.icrq;
        ev_set_str(e, "pptp.call.bearer", pptp_bearer_type_name(q->bearer_type));
        ev_set_uint(e, "pptp.call.physical_channel", q->phys_channel_id);
        ev_set_str(e, "pptp.call.dialed_number", q->dialed);
        ev_set_str(e, "pptp.call.dialing_number", q->dialing);
        ev_set_str(e, "pptp.call.subaddress", q->subaddress);
    }
    emit_send(s, e);
}

static void emit_call_result(struct sensor *s, struct call *k, bool ok, uint16_t type, uint8_t result,
                             uint8_t error, uint16_t cause, uint64_t now)
{
    ev *e = emit_begin(s, EV_CLASS_SESSION, ok ? "call_established" : "call_failed", now, ok ? "info" : "notice");
    emit_call_identity(s, e, k);
    ev_set_str(e, "event.outcome", ok ? "success" : "failure");
    ev_set_uint(e, "pptp.call.result_code", result);
    ev_set_str(e, "pptp.call.result", pptp_result_name(type, result));
    if (!ok || error) {
        ev_set_uint(e, "pptp.call.error_code", error);
        ev_set_str(e, "pptp.call.error", pptp_error_name(error));
    }
    if (cause)
        ev_set_uint(e, "pptp.call.cause_code", cause);
    if (ok) {
        if (k->connect_speed)
            ev_set_uint(e, "pptp.call.connect_speed", k->connect_speed);
        ev_set_uint(e, "pptp.call.client.window", k->window[DIR_CLIENT]);
        ev_set_uint(e, "pptp.call.server.window", k->window[DIR_SERVER]);
    }
    emit_send(s, e);
}

/* A call request failed: report it and forget the call (it never carried a session). */
static void call_failed(struct sensor *s, struct call *k, uint16_t type, uint8_t result, uint8_t error,
                        uint16_t cause, uint64_t now)
{
    emit_call_result(s, k, false, type, result, error, cause, now);
    struct call_end why = {.cause = TD_PROTOCOL_FAILURE, .initiator = INIT_SERVER};
    k->state = CALL_STATE_DOWN;
    k->end_ns = now;
    call_end(s, k, why, now); /* silent for failed calls: see call.c */
}

static void handle_msg(struct sensor *s, struct ctrl_conn *c, int dir, const struct pptp_ctrl_msg *m, uint64_t now)
{
    uint16_t cid = 0, peer = 0;
    unsigned has = pptp_ctrl_call_ids(m, &cid, &peer);
    (void)has;
    struct call *k;
    c->msgs[dir]++;
    s->st.ctrl_messages++;
    switch (m->ctrl_type) {
    case PPTP_MSG_SCCRQ:
        if (!c->info)
            c->info = calloc(1, sizeof *c->info);
        if (c->info) {
            c->info->rq = m->u.sccrq;
            c->info->have_rq = 1;
        }
        c->state = CTRL_STATE_WAIT_REPLY;
        break;
    case PPTP_MSG_SCCRP:
        if (!c->info)
            c->info = calloc(1, sizeof *c->info);
        if (c->info) {
            c->info->rp = m->u.sccrp;
            c->info->have_rp = 1;
        }
        c->state = m->u.sccrp.result_code == PPTP_SCCRP_SUCCESS ? CTRL_STATE_ESTABLISHED : CTRL_STATE_REFUSED;
        emit_control_connect(s, c, now);
        break;
    case PPTP_MSG_STOPCCRQ:
        c->stop_reason = m->u.stopccrq.reason ? m->u.stopccrq.reason : 1;
        c->closed_by = (uint8_t)(dir == DIR_CLIENT ? INIT_CLIENT : INIT_SERVER);
        c->state = CTRL_STATE_STOPPING;
        break;
    case PPTP_MSG_STOPCCRP:
        if (!c->stop_reason)
            c->stop_reason = 1;
        ctrl_shut(s, c, "stop_request", c->closed_by ? c->closed_by : (uint8_t)(dir == DIR_CLIENT ? INIT_SERVER : INIT_CLIENT), now);
        return;
    case PPTP_MSG_ECHORQ:
    case PPTP_MSG_ECHORP:
        /* keepalives keep the calls alive too */
        for (k = c->calls; k; k = k->ctrl_next) {
            k->last_other_ns = now;
            call_touch(s, k);
        }
        break;
    case PPTP_MSG_OCRQ:
    case PPTP_MSG_ICRQ: {
        bool outgoing = m->ctrl_type == PPTP_MSG_OCRQ;
        /* OCRQ comes from the PNS (its Call ID); ICRQ from the PAC (its Call ID). */
        k = call_new(s, c, now);
        if (!k)
            break;
        k->incoming = !outgoing;
        k->state = CALL_STATE_WAIT_REPLY;
        k->serial = outgoing ? m->u.ocrq.call_serial : m->u.icrq.call_serial;
        if (outgoing) {
            k->window[DIR_CLIENT] = m->u.ocrq.recv_window;
            call_set_ids(s, k, 1, m->u.ocrq.call_id, 0, 0);
        } else {
            call_set_ids(s, k, 0, 0, 1, m->u.icrq.call_id);
        }
        emit_call_request(s, k, m, now);
        break;
    }
    case PPTP_MSG_OCRP:
        k = find_call(c, 1, m->u.ocrp.peer_call_id, 0, 0);
        if (!k)
            k = partial_call(s, c, 1, m->u.ocrp.peer_call_id, 1, m->u.ocrp.call_id, now);
        if (!k)
            break;
        call_set_ids(s, k, 1, m->u.ocrp.peer_call_id, 1, m->u.ocrp.call_id);
        k->window[DIR_SERVER] = m->u.ocrp.recv_window;
        k->connect_speed = m->u.ocrp.connect_speed;
        if (m->u.ocrp.result_code == PPTP_OCRP_CONNECTED) {
            k->state = CALL_STATE_ESTABLISHED;
            emit_call_result(s, k, true, PPTP_MSG_OCRP, m->u.ocrp.result_code, m->u.ocrp.error_code,
                             m->u.ocrp.cause_code, now);
        } else {
            call_failed(s, k, PPTP_MSG_OCRP, m->u.ocrp.result_code, m->u.ocrp.error_code, m->u.ocrp.cause_code, now);
        }
        break;
    case PPTP_MSG_ICRP:
        k = find_call(c, 0, 0, 1, m->u.icrp.peer_call_id);
        if (!k)
            k = partial_call(s, c, 1, m->u.icrp.call_id, 1, m->u.icrp.peer_call_id, now);
        if (!k)
            break;
        call_set_ids(s, k, 1, m->u.icrp.call_id, 1, m->u.icrp.peer_call_id);
        k->window[DIR_CLIENT] = m->u.icrp.recv_window;
        if (m->u.icrp.result_code == PPTP_ICRP_CONNECT)
            k->state = CALL_STATE_WAIT_CONNECT;
        else
            call_failed(s, k, PPTP_MSG_ICRP, m->u.icrp.result_code, m->u.icrp.error_code, 0, now);
        break;
    case PPTP_MSG_ICCN:
        k = find_call(c, 1, m->u.iccn.peer_call_id, 0, 0);
        if (!k)
            k = partial_call(s, c, 1, m->u.iccn.peer_call_id, 0, 0, now);
        if (!k)
            break;
        k->window[DIR_SERVER] = m->u.iccn.recv_window;
        k->connect_speed = m->u.iccn.connect_speed;
        if (k->state != CALL_STATE_ESTABLISHED) {
            k->state = CALL_STATE_ESTABLISHED;
            emit_call_result(s, k, true, PPTP_MSG_ICRP, PPTP_ICRP_CONNECT, 0, 0, now);
        }
        break;
    case PPTP_MSG_CCRQ:
        /* sent by the PNS with its own Call ID */
        k = find_call(c, 1, m->u.ccrq.call_id, 0, 0);
        if (k) {
            k->cleared = 1;
            k->state = CALL_STATE_CLEARING;
            if (!k->teardown_initiator)
                k->teardown_initiator = INIT_CLIENT;
        }
        break;
    case PPTP_MSG_CDN: {
        /* sent by the PAC with its Call ID; some PNSs send one with theirs */
        uint16_t id = m->u.cdn.call_id;
        k = dir == DIR_SERVER ? find_call(c, 0, 0, 1, id) : find_call(c, 1, id, 0, 0);
        if (!k)
            k = find_call(c, 1, id, 1, id);
        if (!k)
            break;
        k->cdn_result = m->u.cdn.result_code;
        k->cdn_seen = 1;
        if (!k->teardown_initiator)
            k->teardown_initiator = (uint8_t)(dir == DIR_CLIENT ? INIT_CLIENT : INIT_SERVER);
        enum teardown_reason r = TD_PROTOCOL_FAILURE;
        switch (m->u.cdn.result_code) {
        case PPTP_CDN_LOST_CARRIER: r = TD_LOST_CARRIER; break;
        case PPTP_CDN_GENERAL_ERROR: r = TD_PROTOCOL_FAILURE; break;
        case PPTP_CDN_ADMIN_SHUTDOWN: r = TD_ADMIN; break;
        case PPTP_CDN_REQUEST: r = TD_USER_REQUEST; break;
        default: r = k->cleared ? TD_USER_REQUEST : TD_PROTOCOL_FAILURE; break;
        }
        struct call_end why = {.cause = r, .initiator = k->teardown_initiator};
        call_end(s, k, why, now);
        break;
    }
    case PPTP_MSG_WEN:
    case PPTP_MSG_SLI: {
        uint16_t id = m->ctrl_type == PPTP_MSG_WEN ? m->u.wen.peer_call_id : m->u.sli.peer_call_id;
        /* WEN goes PAC->PNS (PNS's id); SLI PNS->PAC (PAC's id) */
        bool to_client = dir == DIR_SERVER;
        k = to_client ? find_call(c, 1, id, 0, 0) : find_call(c, 0, 0, 1, id);
        if (!k && c->mid_stream)
            partial_call(s, c, to_client, id, !to_client, id, now);
        break;
    }
    default:
        break;
    }
}

/* Decode and handle one whole message (len bytes at p) of direction dir,
 * consuming it from st (NULL: the bytes are not in a stream).  False when the
 * connection was closed by it. */
static bool ctrl_message(struct sensor *s, struct ctrl_conn *c, int dir, const uint8_t *p, uint16_t len,
                         struct tcp_stream *st, uint64_t now)
{
    struct pptp_ctrl_msg m;
    cursor cur;
    cursor_init_exact(&cur, p, len);
    anomaly_set an;
    anomaly_clear(&an);
    dec_status ds = pptp_ctrl_decode(&cur, &m, &an);
    count_anomalies(s, &an);
    if (st)
        tcp_stream_consume(st, len);
    detect_on_ctrl_msg(s, c, dir, &m, ds, &an, now); /* DETECT: control-channel rules */
    if (ds != DEC_OK) {
        s->st.decode_malformed++;
        return true;
    }
    handle_msg(s, c, dir, &m, now);
    return c->state != CTRL_STATE_CLOSED; /* closed by this message */
}

/* Frame and handle every complete message in one direction's stream. */
static void ctrl_drain(struct sensor *s, struct ctrl_conn *c, int dir, uint64_t now)
{
    struct tcp_stream *st = c->stream[dir];
    if (!st)
        return;
    for (;;) {
        const uint8_t *p;
        size_t n;
        if (!tcp_stream_peek(st, &p, &n) || n < PPTP_CTRL_HEADER_LEN)
            return;
        if (!pptp_ctrl_header_plausible(p, n)) {
            /* Resynchronise: skip to the next plausible PPTP header (length,
             * message type 1, magic cookie). Keep a tail that may be a header prefix. */
            size_t skip = 1;
            while (skip + PPTP_CTRL_HEADER_LEN <= n && !pptp_ctrl_header_plausible(p + skip, n - skip))
                skip++;
            s->st.anomalies[ANOMALY_SENSOR_CTRL_RESYNC]++;
            detect_on_ctrl_garbage(s, c, dir, p, n, tcp_stream_resync_needed(st), now); /* DETECT */
            if (skip + PPTP_CTRL_HEADER_LEN > n) {
                tcp_stream_discard(st, n - (PPTP_CTRL_HEADER_LEN - 1));
                return;
            }
            tcp_stream_discard(st, skip);
            continue;
        }
        tcp_stream_resync_done(st);
        uint16_t len = 0, type = 0;
        pptp_ctrl_header_peek(p, n, &len, &type);
        if (n < len)
            return; /* wait for the rest */
        if (!ctrl_message(s, c, dir, p, len, st, now))
            return;
    }
}

/* Lengths of the whole messages that make up the n bytes at p exactly (each
 * header plausible, as ctrl_drain() would frame them); false when the bytes end
 * inside a message or hold anything else. */
static bool whole_messages(const uint8_t *p, size_t n)
{
    while (n) {
        uint16_t len = 0, type = 0;
        if (n < PPTP_CTRL_HEADER_LEN || !pptp_ctrl_header_plausible(p, n))
            return false;
        pptp_ctrl_header_peek(p, n, &len, &type);
        if (n < len)
            return false;
        p += len;
        n -= len;
    }
    return true;
}

/*
 * The usual control segment: the next bytes of a parked (idle) stream, holding
 * whole messages and no SYN, FIN or RST.  Restoring the stream, copying the
 * bytes into its ready buffer (a 2 KiB allocation), framing them and parking
 * the stream again would give the same messages and the same saved position:
 * handle them in place.  False when the segment needs the stream.
 */
static bool ctrl_direct(struct sensor *s, struct ctrl_conn *c, int dir, const struct tcp_hdr *t, const uint8_t *p,
                        size_t n, uint64_t now)
{
    if (c->stream[dir] || !c->parked[dir] || (t->flags & (TCP_SYN | TCP_FIN | TCP_RST)) || !whole_messages(p, n) ||
        !tcp_stream_park_advance(&c->park[dir], &s->tcp_lim, t->seq, n))
        return false;
    /* The other side acknowledges bytes we never captured (as in ctrl_tcp()). */
    struct tcp_stream *other = c->stream[!dir];
    if ((t->flags & TCP_ACK) && other && tcp_stream_ack_beyond(other, t->ack) &&
        tcp_stream_hole_age(other, now) >= CTRL_HOLE_WAIT_NS) {
        anomaly_set an;
        anomaly_clear(&an);
        tcp_stream_skip_to(other, t->ack, &an);
        ctrl_drain(s, c, !dir, now);
        count_anomalies(s, &an);
    }
    while (n && c->state != CTRL_STATE_CLOSED) {
        uint16_t len = 0, type = 0;
        pptp_ctrl_header_peek(p, n, &len, &type);
        if (!ctrl_message(s, c, dir, p, len, NULL, now))
            break;
        p += len;
        n -= len;
    }
    return true;
}

/*
 * Both ports are PPTP ports (e.g. 1723 -> 1723), so the port cannot tell the
 * client (PNS) from the server (PAC).  Decide which end src is and return the
 * connection already tracked for the 4-tuple, if any; *to_server is true when src
 * is the client.  The rule, in order:
 *   - a connection already tracked for the 4-tuple in either orientation keeps
 *     its orientation (except that a SYN without ACK from its server, after
 *     messages were exchanged, is the tuple being reused with the roles swapped:
 *     the old connection ends as sensor_expired and the SYN sender is the client);
 *   - a new connection: the sender of a SYN without ACK is the client, the sender
 *     of a SYN+ACK is the server;
 *   - picked up mid-stream (no SYN): when the segment starts with a PPTP
 *     header, a message only the PAC sends (SCCRP, OCRP, ICRQ, ICCN, CDN, WEN)
 *     makes the sender the server; otherwise (SCCRQ, OCRQ, ICRP, CCRQ, SLI, the
 *     Stop and Echo messages either side may send, or no message boundary) the
 *     sender is the client, the default for a PPTP destination port.
 * Only packets with both ports on PPTP ports pay for this (a second lookup).
 */
static bool sent_by_pac(const cursor *payload)
{
    uint16_t type = 0;
    if (!pptp_ctrl_header_plausible(cursor_data(payload), cursor_len(payload)) ||
        pptp_ctrl_header_peek(cursor_data(payload), cursor_len(payload), NULL, &type) != DEC_OK)
        return false;
    switch (type) {
    case PPTP_MSG_SCCRP:
    case PPTP_MSG_OCRP:
    case PPTP_MSG_ICRQ:
    case PPTP_MSG_ICCN:
    case PPTP_MSG_CDN:
    case PPTP_MSG_WEN:
        return true;
    default:
        return false;
    }
}

static struct ctrl_conn *orient_both_ports(struct sensor *s, const sn_addr *src, const sn_addr *dst,
                                           const struct pkt *p, bool syn_only, uint64_t now, bool *to_server)
{
    const struct tcp_hdr *t = &p->tcp;
    struct ctrl_conn *c = ctrl_find(s, src, dst, t->sport, t->dport);
    if (c) {
        *to_server = true;
        return c;
    }
    c = ctrl_find(s, dst, src, t->dport, t->sport);
    if (c) {
        if (syn_only && (c->msgs[0] || c->msgs[1])) {
            ctrl_close(s, c, "sensor_expired", INIT_SENSOR, now); /* reused, roles swapped */
            *to_server = true;
            return NULL;
        }
        *to_server = false;
        return c;
    }
    if (t->flags & TCP_SYN)
        *to_server = !(t->flags & TCP_ACK);
    else
        *to_server = !sent_by_pac(&p->payload);
    return NULL;
}

/* A segment through the direction's reassembly stream (restored if parked):
 * added, then every complete message drained.  False when no stream could be
 * allocated. */
static bool ctrl_stream(struct sensor *s, struct ctrl_conn *c, int dir, const struct pkt *p, uint64_t now,
                        uint64_t mem0)
{
    const struct tcp_hdr *t = &p->tcp;
    size_t plen = cursor_len(&p->payload);
    struct tcp_stream *st = stream_of(s, c, dir);
    if (!st)
        return false;
    anomaly_set an;
    anomaly_clear(&an);
    uint8_t fl = (uint8_t)(((t->flags & TCP_SYN) ? TCP_STREAM_SYN : 0) | ((t->flags & TCP_FIN) ? TCP_STREAM_FIN : 0) |
                           ((t->flags & TCP_RST) ? TCP_STREAM_RST : 0));
    bool fresh = st->state == TCP_STREAM_NONE;
    tcp_stream_add(st, t->seq, fl, cursor_data(&p->payload), plen, now, &an);
    if (fresh && c->mid_stream && !(t->flags & TCP_SYN))
        st->resync = true; /* picked up mid-stream: find a message boundary */
    /* The other side acknowledges bytes we never captured: skip the gap now. */
    struct tcp_stream *other = c->stream[!dir];
    /* (Only once the hole has aged: a SPAN port may show an ACK before the data.) */
    if ((t->flags & TCP_ACK) && other && tcp_stream_ack_beyond(other, t->ack) &&
        tcp_stream_hole_age(other, now) >= CTRL_HOLE_WAIT_NS) {
        tcp_stream_skip_to(other, t->ack, &an);
        ctrl_drain(s, c, !dir, now);
    }
    /* Too much held out of order, on this connection or on all of them
     * together (--reasm-memcap): give up waiting for the hole. */
    if (tcp_stream_ooo_bytes(st) > s->tcp_lim.max_ooo_bytes / 2)
        tcp_stream_skip_gap(st, &an);
    else if (tcp_stream_ooo_bytes(st) && s->tcp_mem + conn_mem(c) > s->tcp_memcap + mem0) {
        /* Under memory pressure this stream's held bytes are dropped outright
         * (not delivered past the hole), so it can be parked and freed; the
         * next plausible PPTP header resynchronises it. */
        s->st.anomalies[ANOMALY_SENSOR_REASM_MEMCAP]++;
        tcp_stream_skip_gap(st, &an);
        const uint8_t *rp;
        size_t rn;
        if (tcp_stream_peek(st, &rp, &rn))
            tcp_stream_discard(st, rn);
        tcp_stream_resync_done(st);
    }
    count_anomalies(s, &an);
    if (c->state != CTRL_STATE_CLOSED)
        ctrl_drain(s, c, dir, now);
    return true;
}

void ctrl_tcp(struct sensor *s, const struct pkt *p, uint64_t now)
{
    const struct tcp_hdr *t = &p->tcp;
    bool to_server = is_pptp_port(s, t->dport);
    bool both_ports = to_server && is_pptp_port(s, t->sport);
    if (!to_server && !is_pptp_port(s, t->sport)) {
        int side = detect_other_tcp(s, p, now); /* DETECT: PPTP on another port (nDPI) */
        if (!side)
            return;
        to_server = side > 0;
    }
    s->st.tcp_ctrl_segments++;
    sn_addr src, dst;
    if (p->ip.version == 4) {
        sn_addr_v4(&src, p->ip.src4);
        sn_addr_v4(&dst, p->ip.dst4);
    } else {
        sn_addr_v6(&src, p->ip.src6);
        sn_addr_v6(&dst, p->ip.dst6);
    }
    size_t plen = cursor_len(&p->payload);
    bool syn_only = (t->flags & TCP_SYN) && !(t->flags & TCP_ACK);
    /* Both ports PPTP ports: orient_both_ports() decides (and looks the connection up). */
    struct ctrl_conn *c = both_ports ? orient_both_ports(s, &src, &dst, p, syn_only, now, &to_server) : NULL;
    const sn_addr *cli = to_server ? &src : &dst, *srv = to_server ? &dst : &src;
    uint16_t cport = to_server ? t->sport : t->dport, sport = to_server ? t->dport : t->sport;
    int dir = to_server ? DIR_CLIENT : DIR_SERVER;
    if (!both_ports)
        c = ctrl_find(s, cli, srv, cport, sport);
    if (c && syn_only && to_server && (c->msgs[0] || c->msgs[1])) {
        /* The 4-tuple is being reused: the old connection ended unseen. */
        ctrl_close(s, c, "sensor_expired", INIT_SENSOR, now);
        c = NULL;
    }
    if (!c) {
        if (t->flags & TCP_RST)
            return;
        if (!syn_only && plen == 0)
            return; /* a bare ACK/FIN of a connection we never saw */
        c = ctrl_new(s, cli, srv, cport, sport, now);
        if (!c)
            return;
        c->mid_stream = !syn_only;
        if (c->mid_stream)
            c->state = CTRL_STATE_UNKNOWN;
    }
    c->last_ns = now;
    ctrl_touch(s, c);
    uint64_t mem0 = conn_mem(c);
    if (!ctrl_direct(s, c, dir, t, cursor_data(&p->payload), plen, now) && !ctrl_stream(s, c, dir, p, now, mem0))
        return;
    if (c->state != CTRL_STATE_CLOSED && (t->flags & TCP_RST)) {
        ctrl_shut(s, c, "tcp_reset", (uint8_t)(dir == DIR_CLIENT ? INIT_CLIENT : INIT_SERVER), now);
    } else if (c->state != CTRL_STATE_CLOSED && (t->flags & TCP_FIN)) {
        c->fin[dir] = 1;
        if (!c->closed_by)
            c->closed_by = (uint8_t)(dir == DIR_CLIENT ? INIT_CLIENT : INIT_SERVER);
        if (c->fin[!dir])
            ctrl_shut(s, c, c->stop_reason ? "stop_request" : "tcp_fin", c->closed_by, now);
    }
    if (c->state != CTRL_STATE_CLOSED) {
        stream_park(c, DIR_CLIENT);
        stream_park(c, DIR_SERVER);
    }
    s->tcp_mem = s->tcp_mem + conn_mem(c) - mem0;
    if (c->state == CTRL_STATE_CLOSED)
        ctrl_free(s, c);
}

/* Bytes a connection's reassembly holds (streams that are not parked). */
static uint64_t conn_mem(const struct ctrl_conn *c)
{
    uint64_t m = 0;
    for (int d = 0; d < 2; d++)
        if (c->stream[d])
            m += sizeof(struct tcp_stream) + tcp_stream_mem(c->stream[d]);
    return m;
}

static const char *init_name(uint8_t i)
{
    return i == INIT_CLIENT ? "client" : i == INIT_SERVER ? "server" : i == INIT_SENSOR ? "sensor" : NULL;
}

static void ctrl_shut(struct sensor *s, struct ctrl_conn *c, const char *reason, uint8_t initiator, uint64_t now)
{
    /* End the calls first, each by what ended the control channel. */
    enum teardown_reason r = TD_NETWORK_ERROR;
    if (c->state == CTRL_STATE_CLOSED)
        return;
    /* Whatever is still held behind a hole will never be completed: use it. */
    for (int d = 0; d < 2; d++) {
        for (int guard = 0; c->stream[d] && tcp_stream_ooo_bytes(c->stream[d]) && guard < 1024; guard++) {
            anomaly_set an;
            anomaly_clear(&an);
            tcp_stream_skip_gap(c->stream[d], &an);
            count_anomalies(s, &an);
            ctrl_drain(s, c, d, now);
            if (c->state == CTRL_STATE_CLOSED)
                return;
        }
    }
    if (strcmp(reason, "tcp_reset") == 0)
        r = TD_TCP_RESET;
    else if (strcmp(reason, "stop_request") == 0)
        r = c->stop_reason == 3 ? TD_ADMIN : TD_USER_REQUEST;
    else if (strcmp(reason, "sensor_expired") == 0)
        r = TD_SENSOR_EXPIRED;
    else if (strcmp(reason, "sensor_shutdown") == 0)
        r = TD_SENSOR_SHUTDOWN;
    while (c->calls) {
        struct call *k = c->calls;
        struct call_end why = {.cause = r, .initiator = k->teardown_initiator ? k->teardown_initiator : initiator};
        call_end(s, k, why, now); /* unlinks k from c->calls */
    }
    if (c->info && !c->connect_emitted && c->info->have_rq)
        emit_control_connect(s, c, now); /* refused or unanswered SCCRQ is still worth a record */
    if (c->connect_emitted || c->msgs[0] || c->msgs[1]) {
        ev *e = emit_begin(s, EV_CLASS_SESSION, "control_disconnect", now, "info");
        emit_ctrl_identity(s, e, c);
        ev_set_str(e, "pptp.ctrl.reason", reason);
        if (c->stop_reason) {
            ev_set_uint(e, "pptp.ctrl.stop_reason_code", c->stop_reason);
            ev_set_str(e, "pptp.ctrl.stop_reason", pptp_stop_reason_name(c->stop_reason));
        }
        const char *in = init_name(initiator);
        if (in)
            ev_set_str(e, "pptp.ctrl.initiator", in);
        ev_set_time(e, "event.start", (int64_t)c->start_ns);
        ev_set_time(e, "event.end", (int64_t)now);
        ev_set_uint(e, "event.duration", now >= c->start_ns ? now - c->start_ns : 0);
        ev_set_uint(e, "pptp.ctrl.client.messages", c->msgs[DIR_CLIENT]);
        ev_set_uint(e, "pptp.ctrl.server.messages", c->msgs[DIR_SERVER]);
        ev_set_uint(e, "pptp.ctrl.calls", c->n_calls);
        emit_send(s, e);
    }
    detect_on_ctrl_close(s, c, reason, now); /* DETECT: scans */
    ctrl_remove(s, c);
    c->state = CTRL_STATE_CLOSED;
}

static void ctrl_free(struct sensor *s, struct ctrl_conn *c)
{
    uint64_t m = conn_mem(c);
    s->tcp_mem = s->tcp_mem >= m ? s->tcp_mem - m : 0;
    for (int d = 0; d < 2; d++)
        if (c->stream[d]) {
            tcp_stream_destroy(c->stream[d]);
            free(c->stream[d]);
            c->stream[d] = NULL;
        }
    free(c->info);
    detect_ctrl_free(s, c); /* DETECT */
    s->st.ctrl_active--;
    free(c);
}

void ctrl_close(struct sensor *s, struct ctrl_conn *c, const char *reason, uint8_t initiator, uint64_t now)
{
    ctrl_shut(s, c, reason, initiator, now);
    ctrl_free(s, c);
}
