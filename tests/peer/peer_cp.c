/* peer_cp.c - RFC 1661 automaton; see peer_cp.h */
#include "peer_cp.h"

#include <stdio.h>
#include <string.h>

#include "cursor.h"

#define CP_BUF 1600

const char *cps_name(int st)
{
    static const char *const n[] = {"initial", "starting", "closed",  "stopped", "closing",
                                    "stopping", "req-sent", "ack-rcvd", "ack-sent", "opened"};
    return st >= 0 && st <= CPS_OPENED ? n[st] : "unknown";
}

void cpfsm_init(cpfsm *f, const cp_ops *ops, void *ctx, cp_proto proto, const char *name)
{
    memset(f, 0, sizeof *f);
    f->ops = ops;
    f->ctx = ctx;
    f->proto = proto;
    f->ppp_proto = cp_proto_number(proto);
    f->name = name;
    f->state = CPS_INITIAL;
    f->next_id = 1;
    f->deadline = PT_NEVER;
    f->restart_time = 3 * PT_SEC;
    f->max_configure = 10;
    f->max_terminate = 2;
}

uint8_t cpfsm_new_id(cpfsm *f)
{
    return f->next_id++;
}

bool popts_from_cp(popts *out, const cp_option_list *l)
{
    popts_clear(out);
    for (int i = 0; i < l->count; i++)
        if (!popts_add(out, l->opt[i].type, l->opt[i].val, l->opt[i].vlen))
            return false;
    return true;
}

size_t cp_build_options(uint8_t *buf, size_t cap, uint8_t code, uint8_t id, const popts *o)
{
    wbuf w;
    wbuf_init(&w, buf, cap);
    size_t start = cp_encode_header(&w, code, id);
    for (int i = 0; o && i < o->n; i++)
        cp_put_option(&w, o->o[i].type, o->o[i].val, o->o[i].len);
    return cp_finish(&w, start) ? wbuf_len(&w) : 0;
}

void cpfsm_send(cpfsm *f, uint8_t code, uint8_t id, const uint8_t *body, size_t n)
{
    uint8_t buf[CP_BUF];
    wbuf w;
    wbuf_init(&w, buf, sizeof buf);
    size_t start = cp_encode_header(&w, code, id ? id : cpfsm_new_id(f));
    if (n)
        wbuf_put_bytes(&w, body, n);
    if (cp_finish(&w, start))
        f->ops->output(f->ctx, f, buf, wbuf_len(&w));
}

static void send_opts(cpfsm *f, uint8_t code, uint8_t id, const popts *o)
{
    uint8_t buf[CP_BUF];
    size_t n = cp_build_options(buf, sizeof buf, code, id, o);
    if (n)
        f->ops->output(f->ctx, f, buf, n);
}

/* ---- actions --------------------------------------------------------------- */

static void irc(cpfsm *f, bool configure)
{
    f->restart = configure ? f->max_configure : f->max_terminate;
}

static void start_timer(cpfsm *f, ptime now)
{
    f->deadline = now + f->restart_time;
}

static void stop_timer(cpfsm *f)
{
    f->deadline = PT_NEVER;
}

static void scr(cpfsm *f, ptime now)
{
    popts_clear(&f->req);
    f->ops->build_req(f->ctx, f, &f->req);
    f->req_id = cpfsm_new_id(f);
    f->restart--;
    f->confreq_sent++;
    send_opts(f, CP_CONF_REQ, f->req_id, &f->req);
    start_timer(f, now);
}

static void str(cpfsm *f, ptime now)
{
    f->restart--;
    size_t n = strlen(f->term_reason);
    cpfsm_send(f, CP_TERM_REQ, 0, (const uint8_t *)f->term_reason, n);
    start_timer(f, now);
}

static void sta(cpfsm *f, uint8_t id)
{
    cpfsm_send(f, CP_TERM_ACK, id, NULL, 0);
}

static void tlu(cpfsm *f)
{
    f->opened_once = true;
    if (f->ops->up)
        f->ops->up(f->ctx, f);
}

static void tld(cpfsm *f)
{
    if (f->ops->down)
        f->ops->down(f->ctx, f);
}

static void tlf(cpfsm *f)
{
    stop_timer(f);
    if (f->ops->finished)
        f->ops->finished(f->ctx, f);
}

/* ---- events ------------------------------------------------------------------ */

void cpfsm_open(cpfsm *f, ptime now)
{
    switch (f->state) {
    case CPS_INITIAL:
    case CPS_STARTING:
    case CPS_CLOSED:
    case CPS_STOPPED:
        irc(f, true);
        scr(f, now);
        f->state = CPS_REQSENT;
        break;
    case CPS_CLOSING:
        f->state = CPS_STOPPING;
        break;
    default:
        break;
    }
}

void cpfsm_close(cpfsm *f, ptime now, const char *reason)
{
    snprintf(f->term_reason, sizeof f->term_reason, "%s", reason ? reason : "");
    switch (f->state) {
    case CPS_STOPPED:
        f->state = CPS_CLOSED;
        break;
    case CPS_STOPPING:
        f->state = CPS_CLOSING;
        break;
    case CPS_OPENED:
        tld(f);
        /* fall through */
    case CPS_REQSENT:
    case CPS_ACKRCVD:
    case CPS_ACKSENT:
        irc(f, false);
        str(f, now);
        f->state = CPS_CLOSING;
        break;
    default:
        break;
    }
}

void cpfsm_lower_down(cpfsm *f)
{
    if (f->state == CPS_OPENED)
        tld(f);
    stop_timer(f);
    f->state = CPS_INITIAL;
}

void cpfsm_proto_rejected(cpfsm *f, ptime now)
{
    switch (f->state) {
    case CPS_CLOSED:
    case CPS_CLOSING:
        tlf(f);
        f->state = CPS_CLOSED;
        break;
    case CPS_STOPPED:
    case CPS_STOPPING:
    case CPS_REQSENT:
    case CPS_ACKRCVD:
    case CPS_ACKSENT:
        tlf(f);
        f->state = CPS_STOPPED;
        break;
    case CPS_OPENED:
        tld(f);
        irc(f, false);
        str(f, now);
        f->state = CPS_STOPPING;
        break;
    default:
        break;
    }
}

ptime cpfsm_next_timer(const cpfsm *f)
{
    return f->deadline;
}

void cpfsm_timer(cpfsm *f, ptime now)
{
    if (f->deadline == PT_NEVER || now < f->deadline)
        return;
    stop_timer(f);
    bool plus = f->restart > 0;
    switch (f->state) {
    case CPS_CLOSING:
    case CPS_STOPPING:
        if (plus) {
            str(f, now);
        } else {
            tlf(f);
            f->state = f->state == CPS_CLOSING ? CPS_CLOSED : CPS_STOPPED;
        }
        break;
    case CPS_REQSENT:
    case CPS_ACKRCVD:
    case CPS_ACKSENT:
        if (plus) {
            scr(f, now);
            if (f->state == CPS_ACKRCVD)
                f->state = CPS_REQSENT;
        } else {
            tlf(f);
            f->state = CPS_STOPPED;
        }
        break;
    default:
        break;
    }
}

static void rcr(cpfsm *f, ptime now, uint8_t id, const popts *req)
{
    popts resp;
    popts_clear(&resp);
    int verdict = CP_CONF_ACK;
    if (f->state != CPS_CLOSED && f->state != CPS_CLOSING && f->state != CPS_STOPPING)
        verdict = f->ops->check_req(f->ctx, f, req, &resp);
    bool good = verdict == CP_CONF_ACK;

    switch (f->state) {
    case CPS_CLOSED:
        sta(f, id);
        return;
    case CPS_CLOSING:
    case CPS_STOPPING:
        return;
    case CPS_INITIAL:
    case CPS_STARTING:
    case CPS_STOPPED:
        irc(f, true);
        scr(f, now);
        f->state = CPS_REQSENT;
        break;
    case CPS_OPENED:
        tld(f);
        scr(f, now);
        f->state = CPS_REQSENT;
        break;
    default:
        break;
    }
    if (good) {
        f->peer_req = *req;
        send_opts(f, CP_CONF_ACK, id, req);
        if (f->state == CPS_ACKRCVD) {
            f->state = CPS_OPENED;
            stop_timer(f);
            tlu(f);
        } else {
            f->state = CPS_ACKSENT;
        }
    } else {
        if (verdict == CP_CONF_NAK)
            f->naks_sent++;
        else
            f->rejs_sent++;
        send_opts(f, (uint8_t)verdict, id, &resp);
        if (f->state == CPS_ACKSENT)
            f->state = CPS_REQSENT;
    }
}

static void rca(cpfsm *f, ptime now, uint8_t id)
{
    if (id != f->req_id)
        return; /* stale: silently discarded (RFC 1661 5.2) */
    switch (f->state) {
    case CPS_CLOSED:
    case CPS_STOPPED:
        sta(f, id);
        break;
    case CPS_REQSENT:
        irc(f, true);
        f->state = CPS_ACKRCVD;
        if (f->ops->got_ack)
            f->ops->got_ack(f->ctx, f, &f->req);
        break;
    case CPS_ACKRCVD:
        scr(f, now);
        f->state = CPS_REQSENT;
        break;
    case CPS_ACKSENT:
        irc(f, true);
        stop_timer(f);
        f->state = CPS_OPENED;
        if (f->ops->got_ack)
            f->ops->got_ack(f->ctx, f, &f->req);
        tlu(f);
        break;
    case CPS_OPENED:
        tld(f);
        scr(f, now);
        f->state = CPS_REQSENT;
        break;
    default:
        break;
    }
}

static void rcn(cpfsm *f, ptime now, uint8_t id, uint8_t code, const popts *o)
{
    if (id != f->req_id)
        return;
    switch (f->state) {
    case CPS_CLOSED:
    case CPS_STOPPED:
        sta(f, id);
        return;
    case CPS_OPENED:
        tld(f);
        break;
    case CPS_REQSENT:
    case CPS_ACKRCVD:
    case CPS_ACKSENT:
        break;
    default:
        return;
    }
    if (code == CP_CONF_NAK) {
        f->naks_rcvd++;
        if (f->ops->got_nak)
            f->ops->got_nak(f->ctx, f, o);
    } else {
        f->rejs_rcvd++;
        if (f->ops->got_rej)
            f->ops->got_rej(f->ctx, f, o);
    }
    if (f->state == CPS_REQSENT || f->state == CPS_ACKSENT)
        irc(f, true);
    scr(f, now);
    if (f->state != CPS_ACKSENT)
        f->state = CPS_REQSENT;
}

static void rtr(cpfsm *f, ptime now, uint8_t id, const uint8_t *body, size_t n)
{
    (void)now;
    size_t k = n < sizeof f->peer_reason - 1 ? n : sizeof f->peer_reason - 1;
    memcpy(f->peer_reason, body, k);
    f->peer_reason[k] = '\0';
    sta(f, id);
    switch (f->state) {
    case CPS_ACKRCVD:
    case CPS_ACKSENT:
        f->state = CPS_REQSENT;
        break;
    case CPS_OPENED:
        tld(f);
        f->restart = 0;
        f->state = CPS_STOPPING;
        start_timer(f, now);
        break;
    default:
        break;
    }
}

static void rta(cpfsm *f, ptime now)
{
    switch (f->state) {
    case CPS_CLOSING:
        tlf(f);
        f->state = CPS_CLOSED;
        break;
    case CPS_STOPPING:
        tlf(f);
        f->state = CPS_STOPPED;
        break;
    case CPS_ACKRCVD:
        f->state = CPS_REQSENT;
        break;
    case CPS_OPENED:
        tld(f);
        scr(f, now);
        f->state = CPS_REQSENT;
        break;
    default:
        break;
    }
}

void cpfsm_input(cpfsm *f, ptime now, const uint8_t *info, size_t n)
{
    cursor c;
    cursor_init_exact(&c, info, n);
    cp_packet p;
    if (cp_decode(&c, f->proto, &p, NULL) != DEC_OK)
        return;
    if (f->state == CPS_INITIAL || f->state == CPS_STARTING)
        return; /* not open: (LCP would Protocol-Reject; the owner decides) */
    popts o;
    switch (p.code) {
    case CP_CONF_REQ:
        if (!popts_from_cp(&o, &p.options))
            return;
        rcr(f, now, p.id, &o);
        break;
    case CP_CONF_ACK:
        rca(f, now, p.id);
        break;
    case CP_CONF_NAK:
    case CP_CONF_REJ:
        if (!popts_from_cp(&o, &p.options))
            return;
        rcn(f, now, p.id, p.code, &o);
        break;
    case CP_TERM_REQ:
        rtr(f, now, p.id, p.body, p.body_len);
        break;
    case CP_TERM_ACK:
        rta(f, now);
        break;
    case CP_CODE_REJ:
        break; /* RXJ+: nothing we send is optional enough to matter */
    default:
        if (f->ops->extra_code && f->ops->extra_code(f->ctx, f, p.code, p.id, p.body, p.body_len))
            break;
        f->codes_rejected++;
        cpfsm_send(f, CP_CODE_REJ, 0, info, n > 1500 ? 1500 : n);
        break;
    }
}
