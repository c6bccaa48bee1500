/* peer_ctrl.c - PPTP control-connection engine (RFC 2637); see peer_ctrl.h */
#include "peer_ctrl.h"

#include <stdio.h>
#include <string.h>

#include "cursor.h"

void pctrl_cfg_default(pctrl_cfg *c, int role)
{
    memset(c, 0, sizeof *c);
    if (role == PCTRL_PAC) {
        snprintf(c->host_name, sizeof c->host_name, "local");
        snprintf(c->vendor, sizeof c->vendor, "linux");
        c->firmware_rev = 1;
        c->max_channels = 1;
        c->recv_window = 64;
        c->proc_delay = 0;
    } else {
        /* Windows sends an empty host name and vendor "Microsoft" */
        snprintf(c->vendor, sizeof c->vendor, "Microsoft");
        c->firmware_rev = 0x0a28; /* 10.40 */
        c->max_channels = 0;
        c->recv_window = 64;
        c->proc_delay = 0;
    }
    c->framing_caps = PPTP_FRAMING_CAP_ASYNC | PPTP_FRAMING_CAP_SYNC;
    c->bearer_caps = PPTP_BEARER_CAP_ANALOG | PPTP_BEARER_CAP_DIGITAL;
    c->min_bps = 300;
    c->max_bps = 100000000;
    c->connect_speed = 100000000;
    c->sccrp_result = PPTP_SCCRP_SUCCESS;
    c->call_result = 1;
}

void pctrl_init(pctrl *e, int role, const pctrl_cfg *cfg, pctrl_send_fn send, pctrl_event_fn event, void *ctx)
{
    memset(e, 0, sizeof *e);
    e->role = role;
    e->state = PCTRL_IDLE;
    e->cfg = *cfg;
    e->send = send;
    e->event = event;
    e->ctx = ctx;
    e->next_call_id = 0;
    e->next_serial = 1;
}

const char *pctrl_state_name(int st)
{
    switch (st) {
    case PCTRL_IDLE: return "idle";
    case PCTRL_WAIT_REPLY: return "wait_reply";
    case PCTRL_ESTABLISHED: return "established";
    case PCTRL_WAIT_STOP: return "wait_stop";
    case PCTRL_CLOSED: return "closed";
    default: return "unknown";
    }
}

static void emit(pctrl *e, int ev, pctrl_call *c)
{
    if (e->event)
        e->event(e->ctx, e, ev, c);
}

static void msg_init(struct pptp_ctrl_msg *m, uint16_t type)
{
    memset(m, 0, sizeof *m);
    m->ctrl_type = type;
}

static bool send_msg(pctrl *e, const struct pptp_ctrl_msg *m)
{
    uint8_t buf[PPTP_CTRL_MAX_MSG_SIZE + 64];
    wbuf w;
    wbuf_init(&w, buf, sizeof buf);
    if (!pptp_ctrl_encode(&w, m))
        return false;
    e->msgs_out++;
    if (e->send)
        e->send(e->ctx, buf, wbuf_len(&w));
    return true;
}

pctrl_call *pctrl_find_call(pctrl *e, uint16_t call_id)
{
    for (int i = 0; i < PCTRL_MAX_CALLS; i++)
        if (e->calls[i].used && e->calls[i].call_id == call_id)
            return &e->calls[i];
    return NULL;
}

static pctrl_call *find_by_peer(pctrl *e, uint16_t peer_call_id)
{
    for (int i = 0; i < PCTRL_MAX_CALLS; i++)
        if (e->calls[i].used && e->calls[i].peer_call_id == peer_call_id)
            return &e->calls[i];
    return NULL;
}

int pctrl_active_calls(const pctrl *e)
{
    int n = 0;
    for (int i = 0; i < PCTRL_MAX_CALLS; i++)
        n += e->calls[i].used;
    return n;
}

void pctrl_set_next_call_id(pctrl *e, uint16_t id)
{
    e->next_call_id = id;
}

/* A new call slot with the next free Call ID (or the one set by
 * pctrl_set_next_call_id). */
static pctrl_call *new_call(pctrl *e)
{
    pctrl_call *c = NULL;
    for (int i = 0; i < PCTRL_MAX_CALLS && !c; i++)
        if (!e->calls[i].used)
            c = &e->calls[i];
    if (!c)
        return NULL;
    uint16_t id = e->next_call_id;
    if (!id) {
        /* automatic: lowest id >= 1 not in use, deterministic */
        static const uint16_t base[2] = {0x4000, 0x0080};
        id = base[e->role];
        while (pctrl_find_call(e, id))
            id++;
    }
    e->next_call_id = 0;
    memset(c, 0, sizeof *c);
    c->used = true;
    c->call_id = id;
    return c;
}

static void free_call(pctrl_call *c)
{
    memset(c, 0, sizeof *c);
}

bool pctrl_start(pctrl *e)
{
    if (e->role != PCTRL_PNS || e->state != PCTRL_IDLE)
        return false;
    struct pptp_ctrl_msg m;
    msg_init(&m, PPTP_MSG_SCCRQ);
    m.u.sccrq.protocol_version = PPTP_PROTOCOL_VERSION;
    m.u.sccrq.framing_caps = e->cfg.framing_caps;
    m.u.sccrq.bearer_caps = e->cfg.bearer_caps;
    m.u.sccrq.max_channels = e->cfg.max_channels;
    m.u.sccrq.firmware_rev = e->cfg.firmware_rev;
    snprintf(m.u.sccrq.host_name, sizeof m.u.sccrq.host_name, "%s", e->cfg.host_name);
    snprintf(m.u.sccrq.vendor, sizeof m.u.sccrq.vendor, "%s", e->cfg.vendor);
    e->state = PCTRL_WAIT_REPLY;
    return send_msg(e, &m);
}

pctrl_call *pctrl_call_out(pctrl *e, uint16_t serial)
{
    if (e->role != PCTRL_PNS || e->state != PCTRL_ESTABLISHED)
        return NULL;
    pctrl_call *c = new_call(e);
    if (!c)
        return NULL;
    c->serial = serial ? serial : e->next_serial++;
    c->state = PPTP_CALL_STATE_WAIT_REPLY;
    struct pptp_ctrl_msg m;
    msg_init(&m, PPTP_MSG_OCRQ);
    m.u.ocrq.call_id = c->call_id;
    m.u.ocrq.call_serial = c->serial;
    m.u.ocrq.min_bps = e->cfg.min_bps;
    m.u.ocrq.max_bps = e->cfg.max_bps;
    m.u.ocrq.bearer_type = PPTP_BEARER_ANY;
    m.u.ocrq.framing_type = PPTP_FRAMING_ANY;
    m.u.ocrq.recv_window = e->cfg.recv_window;
    m.u.ocrq.proc_delay = e->cfg.proc_delay;
    m.u.ocrq.phone_len = (uint16_t)strlen(e->cfg.phone);
    snprintf(m.u.ocrq.phone, sizeof m.u.ocrq.phone, "%s", e->cfg.phone);
    send_msg(e, &m);
    return c;
}

pctrl_call *pctrl_call_in(pctrl *e, uint16_t serial)
{
    if (e->role != PCTRL_PAC || e->state != PCTRL_ESTABLISHED)
        return NULL;
    pctrl_call *c = new_call(e);
    if (!c)
        return NULL;
    c->incoming = true;
    c->serial = serial ? serial : e->next_serial++;
    c->state = PPTP_CALL_STATE_WAIT_REPLY;
    struct pptp_ctrl_msg m;
    msg_init(&m, PPTP_MSG_ICRQ);
    m.u.icrq.call_id = c->call_id;
    m.u.icrq.call_serial = c->serial;
    m.u.icrq.bearer_type = PPTP_BEARER_ANALOG;
    m.u.icrq.phys_channel_id = 0;
    m.u.icrq.dialed_len = (uint16_t)strlen(e->cfg.phone);
    m.u.icrq.dialing_len = (uint16_t)strlen(e->cfg.dialing);
    snprintf(m.u.icrq.dialed, sizeof m.u.icrq.dialed, "%s", e->cfg.phone);
    snprintf(m.u.icrq.dialing, sizeof m.u.icrq.dialing, "%s", e->cfg.dialing);
    send_msg(e, &m);
    return c;
}

static void send_cdn(pctrl *e, pctrl_call *c, uint8_t result)
{
    struct pptp_ctrl_msg m;
    msg_init(&m, PPTP_MSG_CDN);
    m.u.cdn.call_id = c->call_id;
    m.u.cdn.result_code = result;
    m.u.cdn.error_code = result == PPTP_CDN_GENERAL_ERROR ? PPTP_ERR_PAC_ERROR : 0;
    m.u.cdn.cause_code = e->cfg.cause_code;
    send_msg(e, &m);
}

bool pctrl_call_clear(pctrl *e, pctrl_call *c, uint8_t result)
{
    if (!c || !c->used || e->state != PCTRL_ESTABLISHED)
        return false;
    if (e->role == PCTRL_PNS) {
        if (c->state == PPTP_CALL_STATE_WAIT_DISCONNECT)
            return false;
        struct pptp_ctrl_msg m;
        msg_init(&m, PPTP_MSG_CCRQ);
        m.u.ccrq.call_id = c->call_id;
        c->state = PPTP_CALL_STATE_WAIT_DISCONNECT;
        return send_msg(e, &m);
    }
    c->result = result ? result : PPTP_CDN_ADMIN_SHUTDOWN;
    send_cdn(e, c, c->result);
    emit(e, PCTRL_EV_CALL_DOWN, c);
    free_call(c);
    return true;
}

bool pctrl_echo(pctrl *e)
{
    if (e->state != PCTRL_ESTABLISHED)
        return false;
    struct pptp_ctrl_msg m;
    msg_init(&m, PPTP_MSG_ECHORQ);
    m.u.echorq.identifier = ++e->echo_id;
    e->echo_pending = m.u.echorq.identifier;
    return send_msg(e, &m);
}

bool pctrl_sli(pctrl *e, pctrl_call *c, uint32_t send_accm, uint32_t recv_accm)
{
    if (!c || !c->used || e->role != PCTRL_PNS || e->state != PCTRL_ESTABLISHED)
        return false;
    struct pptp_ctrl_msg m;
    msg_init(&m, PPTP_MSG_SLI);
    m.u.sli.peer_call_id = c->peer_call_id;
    m.u.sli.send_accm = send_accm;
    m.u.sli.recv_accm = recv_accm;
    return send_msg(e, &m);
}

bool pctrl_wen(pctrl *e, pctrl_call *c, uint32_t crc_errors)
{
    if (!c || !c->used || e->role != PCTRL_PAC || e->state != PCTRL_ESTABLISHED)
        return false;
    struct pptp_ctrl_msg m;
    msg_init(&m, PPTP_MSG_WEN);
    m.u.wen.peer_call_id = c->peer_call_id;
    m.u.wen.crc_errors = crc_errors;
    return send_msg(e, &m);
}

bool pctrl_stop(pctrl *e, uint8_t reason)
{
    if (e->state != PCTRL_ESTABLISHED)
        return false;
    struct pptp_ctrl_msg m;
    msg_init(&m, PPTP_MSG_STOPCCRQ);
    m.u.stopccrq.reason = reason ? reason : PPTP_STOP_NONE;
    e->stop_reason = m.u.stopccrq.reason;
    e->stop_initiator = true;
    e->state = PCTRL_WAIT_STOP;
    return send_msg(e, &m);
}

static void all_calls_down(pctrl *e)
{
    for (int i = 0; i < PCTRL_MAX_CALLS; i++) {
        pctrl_call *c = &e->calls[i];
        if (!c->used)
            continue;
        emit(e, PCTRL_EV_CALL_DOWN, c);
        free_call(c);
    }
}

void pctrl_transport_down(pctrl *e)
{
    all_calls_down(e);
    if (e->state != PCTRL_CLOSED) {
        e->state = PCTRL_CLOSED;
        emit(e, PCTRL_EV_DOWN, NULL);
    }
}

/* ---- receiving ----------------------------------------------------------- */

static void on_sccrq(pctrl *e, const struct pptp_sccrq *q)
{
    if (e->role != PCTRL_PAC)
        return;
    snprintf(e->peer_host, sizeof e->peer_host, "%s", q->host_name);
    struct pptp_ctrl_msg m;
    msg_init(&m, PPTP_MSG_SCCRP);
    m.u.sccrp.protocol_version = PPTP_PROTOCOL_VERSION;
    m.u.sccrp.result_code = e->state == PCTRL_IDLE ? e->cfg.sccrp_result : PPTP_SCCRP_CHANNEL_EXISTS;
    m.u.sccrp.error_code = e->cfg.sccrp_error;
    m.u.sccrp.framing_caps = e->cfg.framing_caps;
    m.u.sccrp.bearer_caps = e->cfg.bearer_caps;
    m.u.sccrp.max_channels = e->cfg.max_channels;
    m.u.sccrp.firmware_rev = e->cfg.firmware_rev;
    snprintf(m.u.sccrp.host_name, sizeof m.u.sccrp.host_name, "%s", e->cfg.host_name);
    snprintf(m.u.sccrp.vendor, sizeof m.u.sccrp.vendor, "%s", e->cfg.vendor);
    bool ok = m.u.sccrp.result_code == PPTP_SCCRP_SUCCESS;
    bool was_idle = e->state == PCTRL_IDLE;
    send_msg(e, &m);
    if (!was_idle)
        return;
    e->state = ok ? PCTRL_ESTABLISHED : PCTRL_CLOSED;
    emit(e, ok ? PCTRL_EV_UP : PCTRL_EV_REFUSED, NULL);
}

static void on_sccrp(pctrl *e, const struct pptp_sccrp *r)
{
    if (e->role != PCTRL_PNS || e->state != PCTRL_WAIT_REPLY)
        return;
    snprintf(e->peer_host, sizeof e->peer_host, "%s", r->host_name);
    e->peer_result = r->result_code;
    bool ok = r->result_code == PPTP_SCCRP_SUCCESS;
    e->state = ok ? PCTRL_ESTABLISHED : PCTRL_CLOSED;
    emit(e, ok ? PCTRL_EV_UP : PCTRL_EV_REFUSED, NULL);
}

static void on_ocrq(pctrl *e, const struct pptp_ocrq *q)
{
    if (e->role != PCTRL_PAC || e->state != PCTRL_ESTABLISHED)
        return;
    pctrl_call *c = new_call(e);
    struct pptp_ctrl_msg m;
    msg_init(&m, PPTP_MSG_OCRP);
    m.u.ocrp.peer_call_id = q->call_id;
    m.u.ocrp.recv_window = e->cfg.recv_window;
    m.u.ocrp.proc_delay = e->cfg.proc_delay;
    m.u.ocrp.phys_channel_id = 0;
    if (!c) {
        m.u.ocrp.result_code = PPTP_OCRP_GENERAL_ERROR;
        m.u.ocrp.error_code = PPTP_ERR_NO_RESOURCE;
        send_msg(e, &m);
        return;
    }
    c->peer_call_id = q->call_id;
    c->serial = q->call_serial;
    c->peer_window = q->recv_window;
    c->peer_delay = q->proc_delay;
    m.u.ocrp.call_id = c->call_id;
    m.u.ocrp.result_code = e->cfg.call_result;
    m.u.ocrp.error_code = e->cfg.call_error;
    m.u.ocrp.cause_code = e->cfg.cause_code;
    m.u.ocrp.connect_speed = e->cfg.connect_speed;
    send_msg(e, &m);
    if (e->cfg.call_result == PPTP_OCRP_CONNECTED) {
        c->state = PPTP_CALL_STATE_ESTABLISHED;
        emit(e, PCTRL_EV_CALL_UP, c);
    } else {
        c->result = e->cfg.call_result;
        emit(e, PCTRL_EV_CALL_FAILED, c);
        free_call(c);
    }
}

static void on_ocrp(pctrl *e, const struct pptp_ocrp *r)
{
    pctrl_call *c = pctrl_find_call(e, r->peer_call_id);
    if (e->role != PCTRL_PNS || !c || c->state != PPTP_CALL_STATE_WAIT_REPLY)
        return;
    c->peer_call_id = r->call_id;
    c->peer_window = r->recv_window;
    c->peer_delay = r->proc_delay;
    if (r->result_code == PPTP_OCRP_CONNECTED) {
        c->state = PPTP_CALL_STATE_ESTABLISHED;
        emit(e, PCTRL_EV_CALL_UP, c);
    } else {
        c->result = r->result_code;
        c->error = r->error_code;
        emit(e, PCTRL_EV_CALL_FAILED, c);
        free_call(c);
    }
}

static void on_icrq(pctrl *e, const struct pptp_icrq *q)
{
    if (e->role != PCTRL_PNS || e->state != PCTRL_ESTABLISHED)
        return;
    pctrl_call *c = new_call(e);
    struct pptp_ctrl_msg m;
    msg_init(&m, PPTP_MSG_ICRP);
    m.u.icrp.peer_call_id = q->call_id;
    m.u.icrp.recv_window = e->cfg.recv_window;
    m.u.icrp.xmit_delay = e->cfg.proc_delay;
    if (!c) {
        m.u.icrp.result_code = PPTP_ICRP_GENERAL_ERROR;
        m.u.icrp.error_code = PPTP_ERR_NO_RESOURCE;
        send_msg(e, &m);
        return;
    }
    c->incoming = true;
    c->peer_call_id = q->call_id;
    c->serial = q->call_serial;
    m.u.icrp.call_id = c->call_id;
    m.u.icrp.result_code = e->cfg.call_result;
    m.u.icrp.error_code = e->cfg.call_error;
    send_msg(e, &m);
    if (e->cfg.call_result == PPTP_ICRP_CONNECT) {
        c->state = PPTP_CALL_STATE_WAIT_CONNECT;
    } else {
        c->result = e->cfg.call_result;
        emit(e, PCTRL_EV_CALL_FAILED, c);
        free_call(c);
    }
}

static void on_icrp(pctrl *e, const struct pptp_icrp *r)
{
    pctrl_call *c = pctrl_find_call(e, r->peer_call_id);
    if (e->role != PCTRL_PAC || !c || c->state != PPTP_CALL_STATE_WAIT_REPLY)
        return;
    c->peer_call_id = r->call_id;
    c->peer_window = r->recv_window;
    c->peer_delay = r->xmit_delay;
    if (r->result_code != PPTP_ICRP_CONNECT) {
        c->result = r->result_code;
        c->error = r->error_code;
        emit(e, PCTRL_EV_CALL_FAILED, c);
        free_call(c);
        return;
    }
    struct pptp_ctrl_msg m;
    msg_init(&m, PPTP_MSG_ICCN);
    m.u.iccn.peer_call_id = c->peer_call_id;
    m.u.iccn.connect_speed = e->cfg.connect_speed;
    m.u.iccn.recv_window = e->cfg.recv_window;
    m.u.iccn.xmit_delay = e->cfg.proc_delay;
    m.u.iccn.framing_type = PPTP_FRAMING_ASYNC;
    send_msg(e, &m);
    c->state = PPTP_CALL_STATE_ESTABLISHED;
    emit(e, PCTRL_EV_CALL_UP, c);
}

static void on_iccn(pctrl *e, const struct pptp_iccn *n)
{
    pctrl_call *c = pctrl_find_call(e, n->peer_call_id);
    if (e->role != PCTRL_PNS || !c || c->state != PPTP_CALL_STATE_WAIT_CONNECT)
        return;
    c->peer_window = n->recv_window;
    c->peer_delay = n->xmit_delay;
    c->state = PPTP_CALL_STATE_ESTABLISHED;
    emit(e, PCTRL_EV_CALL_UP, c);
}

static void on_ccrq(pctrl *e, const struct pptp_ccrq *q)
{
    /* CCRQ carries the PNS's Call ID: the PAC's peer_call_id */
    pctrl_call *c = find_by_peer(e, q->call_id);
    if (e->role != PCTRL_PAC || !c)
        return;
    emit(e, PCTRL_EV_CCRQ, c);
    c->result = PPTP_CDN_REQUEST;
    send_cdn(e, c, PPTP_CDN_REQUEST);
    emit(e, PCTRL_EV_CALL_DOWN, c);
    free_call(c);
}

static void on_cdn(pctrl *e, const struct pptp_cdn *d)
{
    /* CDN carries the PAC's Call ID: the PNS's peer_call_id */
    pctrl_call *c = find_by_peer(e, d->call_id);
    if (e->role != PCTRL_PNS || !c)
        return;
    c->result = d->result_code;
    c->error = d->error_code;
    emit(e, PCTRL_EV_CALL_DOWN, c);
    free_call(c);
}

static void on_echorq(pctrl *e, const struct pptp_echorq *q)
{
    struct pptp_ctrl_msg m;
    msg_init(&m, PPTP_MSG_ECHORP);
    m.u.echorp.identifier = q->identifier;
    m.u.echorp.result_code = PPTP_ECHORP_OK;
    send_msg(e, &m);
}

static void on_stopccrq(pctrl *e, const struct pptp_stopccrq *q)
{
    e->stop_reason = q->reason;
    e->stop_initiator = false;
    struct pptp_ctrl_msg m;
    msg_init(&m, PPTP_MSG_STOPCCRP);
    m.u.stopccrp.result_code = PPTP_STOPCCRP_OK;
    send_msg(e, &m);
    all_calls_down(e);
    e->state = PCTRL_CLOSED;
    emit(e, PCTRL_EV_DOWN, NULL);
}

static void on_message(pctrl *e, const struct pptp_ctrl_msg *m)
{
    e->msgs_in++;
    switch (m->ctrl_type) {
    case PPTP_MSG_SCCRQ: on_sccrq(e, &m->u.sccrq); break;
    case PPTP_MSG_SCCRP: on_sccrp(e, &m->u.sccrp); break;
    case PPTP_MSG_STOPCCRQ: on_stopccrq(e, &m->u.stopccrq); break;
    case PPTP_MSG_STOPCCRP:
        if (e->state == PCTRL_WAIT_STOP) {
            all_calls_down(e);
            e->state = PCTRL_CLOSED;
            emit(e, PCTRL_EV_DOWN, NULL);
        }
        break;
    case PPTP_MSG_ECHORQ: on_echorq(e, &m->u.echorq); break;
    case PPTP_MSG_ECHORP:
        if (e->echo_pending && m->u.echorp.identifier == e->echo_pending) {
            e->echo_pending = 0;
            emit(e, PCTRL_EV_ECHO_REPLY, NULL);
        }
        break;
    case PPTP_MSG_OCRQ: on_ocrq(e, &m->u.ocrq); break;
    case PPTP_MSG_OCRP: on_ocrp(e, &m->u.ocrp); break;
    case PPTP_MSG_ICRQ: on_icrq(e, &m->u.icrq); break;
    case PPTP_MSG_ICRP: on_icrp(e, &m->u.icrp); break;
    case PPTP_MSG_ICCN: on_iccn(e, &m->u.iccn); break;
    case PPTP_MSG_CCRQ: on_ccrq(e, &m->u.ccrq); break;
    case PPTP_MSG_CDN: on_cdn(e, &m->u.cdn); break;
    case PPTP_MSG_SLI: {
        pctrl_call *c = pctrl_find_call(e, m->u.sli.peer_call_id);
        emit(e, PCTRL_EV_SLI, c);
        break;
    }
    case PPTP_MSG_WEN: {
        pctrl_call *c = pctrl_find_call(e, m->u.wen.peer_call_id);
        emit(e, PCTRL_EV_WEN, c);
        break;
    }
    default: break;
    }
}

void pctrl_input(pctrl *e, const uint8_t *p, size_t n)
{
    while (n) {
        size_t take = sizeof e->rbuf - e->rlen;
        if (take > n)
            take = n;
        memcpy(e->rbuf + e->rlen, p, take);
        e->rlen += take;
        p += take;
        n -= take;
        for (;;) {
            uint16_t len = 0, type = 0;
            dec_status st = pptp_ctrl_header_peek(e->rbuf, e->rlen, &len, &type);
            if (st == DEC_TRUNCATED)
                break;
            if (st == DEC_MALFORMED || len > sizeof e->rbuf) {
                /* not PPTP: drop the buffer (a real peer would close) */
                e->bad_in++;
                e->rlen = 0;
                break;
            }
            if (e->rlen < len)
                break;
            cursor c;
            cursor_init_exact(&c, e->rbuf, len);
            struct pptp_ctrl_msg m;
            if (pptp_ctrl_decode(&c, &m, NULL) == DEC_OK)
                on_message(e, &m);
            else
                e->bad_in++;
            memmove(e->rbuf, e->rbuf + len, e->rlen - len);
            e->rlen -= len;
        }
    }
}
