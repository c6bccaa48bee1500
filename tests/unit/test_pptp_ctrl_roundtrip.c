/* test_pptp_ctrl_roundtrip.c - randomised round trips decode(encode(x)) == x for
 * every PPTP control message type (and unknown types), seeded for repeatability. */
#include <criterion/criterion.h>
#include <string.h>

#include "anomaly.h"
#include "cursor.h"
#include "pptp_ctrl.h"

/* ---- randomised round trips ------------------------------------------------ */

static uint64_t rng_state;
static uint32_t rnd(void)
{
    /* xorshift64*: deterministic for a given seed */
    rng_state ^= rng_state >> 12;
    rng_state ^= rng_state << 25;
    rng_state ^= rng_state >> 27;
    return (uint32_t)((rng_state * 2685821657736338717ull) >> 32);
}
static uint8_t r8(void) { return (uint8_t)rnd(); }
static uint16_t r16(void) { return (uint16_t)rnd(); }
/* Reserved fields: mostly zero, sometimes not (exercises the anomaly path). */
static uint16_t rrsv(void) { return rnd() % 8 == 0 ? (uint16_t)(rnd() | 1) : 0; }
static void rstr(char *dst, size_t field)
{
    size_t k = rnd() % (field + 1);
    if (rnd() % 8 == 0)
        k = field;
    for (size_t i = 0; i < k; i++)
        dst[i] = (char)(0x20 + rnd() % 95);
    dst[k] = '\0';
}

static void random_msg(struct pptp_ctrl_msg *m)
{
    memset(m, 0, sizeof m[0]);
    uint32_t pick = rnd() % 17;
    m->ctrl_type = pick == 0 ? 0 : pick == 16 ? (uint16_t)(16 + rnd() % 1000) : (uint16_t)pick;
    m->reserved0 = rrsv();
    m->extra_len = rnd() % 4 == 0 ? (uint16_t)(rnd() % 64) : 0;
    switch (m->ctrl_type) {
    case PPTP_MSG_SCCRQ: {
        struct pptp_sccrq *p = &m->u.sccrq;
        p->protocol_version = rnd() % 4 ? 0x0100 : r16();
        p->reserved1 = rrsv();
        p->framing_caps = rnd();
        p->bearer_caps = rnd();
        p->max_channels = r16();
        p->firmware_rev = r16();
        rstr(p->host_name, 64);
        rstr(p->vendor, 64);
        break;
    }
    case PPTP_MSG_SCCRP: {
        struct pptp_sccrp *p = &m->u.sccrp;
        p->protocol_version = r16();
        p->result_code = r8();
        p->error_code = r8();
        p->framing_caps = rnd();
        p->bearer_caps = rnd();
        p->max_channels = r16();
        p->firmware_rev = r16();
        rstr(p->host_name, 64);
        rstr(p->vendor, 64);
        break;
    }
    case PPTP_MSG_STOPCCRQ:
        m->u.stopccrq.reason = r8();
        m->u.stopccrq.reserved1 = (uint8_t)rrsv();
        m->u.stopccrq.reserved2 = rrsv();
        break;
    case PPTP_MSG_STOPCCRP:
        m->u.stopccrp.result_code = r8();
        m->u.stopccrp.error_code = r8();
        m->u.stopccrp.reserved1 = rrsv();
        break;
    case PPTP_MSG_ECHORQ: m->u.echorq.identifier = rnd(); break;
    case PPTP_MSG_ECHORP:
        m->u.echorp.identifier = rnd();
        m->u.echorp.result_code = r8();
        m->u.echorp.error_code = r8();
        m->u.echorp.reserved1 = rrsv();
        break;
    case PPTP_MSG_OCRQ: {
        struct pptp_ocrq *p = &m->u.ocrq;
        p->call_id = r16();
        p->call_serial = r16();
        p->min_bps = rnd();
        p->max_bps = rnd();
        p->bearer_type = rnd();
        p->framing_type = rnd();
        p->recv_window = r16();
        p->proc_delay = r16();
        p->phone_len = r16();
        p->reserved1 = rrsv();
        rstr(p->phone, 64);
        rstr(p->subaddress, 64);
        break;
    }
    case PPTP_MSG_OCRP: {
        struct pptp_ocrp *p = &m->u.ocrp;
        p->call_id = r16();
        p->peer_call_id = r16();
        p->result_code = r8();
        p->error_code = r8();
        p->cause_code = r16();
        p->connect_speed = rnd();
        p->recv_window = r16();
        p->proc_delay = r16();
        p->phys_channel_id = rnd();
        break;
    }
    case PPTP_MSG_ICRQ: {
        struct pptp_icrq *p = &m->u.icrq;
        p->call_id = r16();
        p->call_serial = r16();
        p->bearer_type = rnd();
        p->phys_channel_id = rnd();
        p->dialed_len = r16();
        p->dialing_len = r16();
        rstr(p->dialed, 64);
        rstr(p->dialing, 64);
        rstr(p->subaddress, 64);
        break;
    }
    case PPTP_MSG_ICRP: {
        struct pptp_icrp *p = &m->u.icrp;
        p->call_id = r16();
        p->peer_call_id = r16();
        p->result_code = r8();
        p->error_code = r8();
        p->recv_window = r16();
        p->xmit_delay = r16();
        p->reserved1 = rrsv();
        break;
    }
    case PPTP_MSG_ICCN: {
        struct pptp_iccn *p = &m->u.iccn;
        p->peer_call_id = r16();
        p->reserved1 = rrsv();
        p->connect_speed = rnd();
        p->recv_window = r16();
        p->xmit_delay = r16();
        p->framing_type = rnd();
        break;
    }
    case PPTP_MSG_CCRQ:
        m->u.ccrq.call_id = r16();
        m->u.ccrq.reserved1 = rrsv();
        break;
    case PPTP_MSG_CDN: {
        struct pptp_cdn *p = &m->u.cdn;
        p->call_id = r16();
        p->result_code = r8();
        p->error_code = r8();
        p->cause_code = r16();
        p->reserved1 = rrsv();
        rstr(p->call_stats, 128);
        break;
    }
    case PPTP_MSG_WEN: {
        struct pptp_wen *p = &m->u.wen;
        p->peer_call_id = r16();
        p->reserved1 = rrsv();
        p->crc_errors = rnd();
        p->framing_errors = rnd();
        p->hw_overruns = rnd();
        p->buf_overruns = rnd();
        p->timeout_errors = rnd();
        p->align_errors = rnd();
        break;
    }
    case PPTP_MSG_SLI:
        m->u.sli.peer_call_id = r16();
        m->u.sli.reserved1 = rrsv();
        m->u.sli.send_accm = rnd();
        m->u.sli.recv_accm = rnd();
        break;
    default: /* unknown type: header only */
        break;
    }
    /* What decoding will report for the header. */
    size_t size = pptp_ctrl_msg_size(m->ctrl_type);
    m->length = (uint16_t)((size ? size : 12) + m->extra_len);
    m->msg_type = 1;
    m->magic = PPTP_MAGIC_COOKIE;
}

Test(pptp_ctrl_roundtrip, random_messages_of_every_type)
{
    rng_state = 0x9e3779b97f4a7c15ull;
    int per_type[17] = {0};
    for (int iter = 0; iter < 1500; iter++) {
        struct pptp_ctrl_msg m, d;
        random_msg(&m);
        uint8_t out[400];
        wbuf w;
        wbuf_init(&w, out, sizeof out);
        cr_assert(pptp_ctrl_encode(&w, &m), "iter %d", iter);
        cr_assert_eq(wbuf_len(&w), m.length, "iter %d", iter);
        cursor c;
        cursor_init_exact(&c, out, wbuf_len(&w));
        anomaly_set an;
        anomaly_clear(&an);
        cr_assert_eq(pptp_ctrl_decode(&c, &d, &an), DEC_OK, "iter %d type %u", iter, m.ctrl_type);
        cr_assert_eq(cursor_len(&c), 0);
        cr_assert_eq(d.ctrl_type, m.ctrl_type, "iter %d", iter);
        cr_assert_eq(d.length, m.length, "iter %d", iter);
        cr_assert_eq(d.extra_len, m.extra_len, "iter %d", iter);
        cr_assert(memcmp(&m, &d, sizeof m) == 0, "iter %d type %u: decode(encode(x)) != x", iter, m.ctrl_type);
        bool known = pptp_ctrl_msg_size(m.ctrl_type) != 0;
        cr_assert_eq(anomaly_has(&an, ANOMALY_PPTP_UNKNOWN_CTRL_TYPE), !known);
        cr_assert_eq(anomaly_has(&an, ANOMALY_PPTP_OVERSIZED_MESSAGE), known && m.extra_len > 0);
        cr_assert_eq(anomaly_has(&an, ANOMALY_PPTP_RESERVED_NONZERO), m.reserved0 != 0);
        per_type[known ? m.ctrl_type : 16]++;
    }
    for (int t = 1; t <= 16; t++)
        cr_assert_geq(per_type[t], 40, "type %d only drawn %d times", t, per_type[t]);
}

Test(pptp_ctrl_roundtrip, random_streams_decode_message_by_message)
{
    rng_state = 0x2545f4914f6cdd1dull;
    for (int iter = 0; iter < 200; iter++) {
        static struct pptp_ctrl_msg in[8];
        uint8_t buf[8 * 300];
        wbuf w;
        wbuf_init(&w, buf, sizeof buf);
        int k = 1 + (int)(rnd() % 8);
        for (int i = 0; i < k; i++) {
            random_msg(&in[i]);
            cr_assert(pptp_ctrl_encode(&w, &in[i]));
        }
        /* open-ended cursor over the whole stream, as after TCP reassembly */
        cursor c;
        cursor_init(&c, buf, wbuf_len(&w));
        for (int i = 0; i < k; i++) {
            struct pptp_ctrl_msg d;
            cr_assert_eq(pptp_ctrl_decode(&c, &d, NULL), DEC_OK, "iter %d msg %d", iter, i);
            cr_assert(memcmp(&in[i], &d, sizeof d) == 0, "iter %d msg %d type %u", iter, i, in[i].ctrl_type);
        }
        cr_assert(cursor_empty(&c));
    }
}
