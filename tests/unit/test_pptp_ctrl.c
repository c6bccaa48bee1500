/* test_pptp_ctrl.c - PPTP control messages (RFC 2637): byte vectors for all 15
 * types decoded field by field, prefixes, malformed and oversized messages, header
 * peek / resync, encoding, call IDs.  Round trips: test_pptp_ctrl_roundtrip.c;
 * names: test_pptp_ctrl_names.c; tshark and real captures: test_pptp_ctrl_wire.c. */
#include <criterion/criterion.h>
#include <string.h>

#include "anomaly.h"
#include "cursor.h"
#include "pptp_ctrl.h"

/* ---- hand-built vectors (RFC 2637 section 2 layouts) ------------------------ */

typedef struct vec {
    uint8_t b[600];
    size_t n;
} vec;

static void v8(vec *v, uint8_t x) { v->b[v->n++] = x; }
static void v16(vec *v, uint16_t x) { v8(v, (uint8_t)(x >> 8)); v8(v, (uint8_t)x); }
static void v32(vec *v, uint32_t x) { v16(v, (uint16_t)(x >> 16)); v16(v, (uint16_t)x); }
static void vstr(vec *v, const char *s, size_t field)
{
    size_t k = strlen(s);
    cr_assert_leq(k, field);
    memcpy(v->b + v->n, s, k);
    memset(v->b + v->n + k, 0, field - k);
    v->n += field;
}
/* Length, PPTP message type 1, magic cookie, control type, reserved0. */
static void vhdr(vec *v, uint16_t len, uint16_t ctrl_type)
{
    v->n = 0;
    v16(v, len);
    v16(v, 1);
    v32(v, 0x1A2B3C4D);
    v16(v, ctrl_type);
    v16(v, 0);
}

static void vec_sccrq(vec *v)
{
    vhdr(v, 156, 1);
    v16(v, 0x0100);      /* protocol version */
    v16(v, 0);           /* reserved1 */
    v32(v, 0x00000003);  /* framing capabilities */
    v32(v, 0x00000002);  /* bearer capabilities */
    v16(v, 0x1234);      /* maximum channels */
    v16(v, 0x0501);      /* firmware revision */
    vstr(v, "pns-host.example", 64);
    vstr(v, "Acme VPN", 64);
}
static void vec_sccrp(vec *v)
{
    vhdr(v, 156, 2);
    v16(v, 0x0100); /* protocol version */
    v8(v, 1);       /* result code */
    v8(v, 0);       /* error code */
    v32(v, 1);      /* framing capabilities */
    v32(v, 3);      /* bearer capabilities */
    v16(v, 0x0200); /* maximum channels */
    v16(v, 0x0a0b); /* firmware revision */
    vstr(v, "pac-host", 64);
    vstr(v, "Acme PAC", 64);
}
static void vec_stopccrq(vec *v)
{
    vhdr(v, 16, 3);
    v8(v, 3);  /* reason */
    v8(v, 0);  /* reserved1 */
    v16(v, 0); /* reserved2 */
}
static void vec_stopccrp(vec *v)
{
    vhdr(v, 16, 4);
    v8(v, 1);  /* result */
    v8(v, 0);  /* error */
    v16(v, 0); /* reserved1 */
}
static void vec_echorq(vec *v)
{
    vhdr(v, 16, 5);
    v32(v, 0xdeadbeef); /* identifier */
}
static void vec_echorp(vec *v)
{
    vhdr(v, 20, 6);
    v32(v, 0xdeadbeef); /* identifier */
    v8(v, 2);           /* result */
    v8(v, 6);           /* error */
    v16(v, 0);          /* reserved1 */
}
static void vec_ocrq(vec *v)
{
    vhdr(v, 168, 7);
    v16(v, 0x4001);     /* call id */
    v16(v, 0x0102);     /* call serial number */
    v32(v, 2400);       /* minimum bps */
    v32(v, 10000000);   /* maximum bps */
    v32(v, 3);          /* bearer type */
    v32(v, 2);          /* framing type */
    v16(v, 64);         /* packet recv window */
    v16(v, 0x0010);     /* packet processing delay */
    v16(v, 11);         /* phone number length */
    v16(v, 0);          /* reserved1 */
    vstr(v, "5551234567x", 64);
    vstr(v, "sub-1", 64);
}
static void vec_ocrp(vec *v)
{
    vhdr(v, 32, 8);
    v16(v, 0x8002);     /* call id */
    v16(v, 0x4001);     /* peer's call id */
    v8(v, 1);           /* result */
    v8(v, 0);           /* error */
    v16(v, 0x0033);     /* cause code */
    v32(v, 64000);      /* connect speed */
    v16(v, 16);         /* recv window */
    v16(v, 0x0020);     /* processing delay */
    v32(v, 0x01020304); /* physical channel id */
}
static void vec_icrq(vec *v)
{
    vhdr(v, 220, 9);
    v16(v, 0x8003);     /* call id */
    v16(v, 0x0203);     /* call serial */
    v32(v, 2);          /* call bearer type */
    v32(v, 0x0a0b0c0d); /* physical channel id */
    v16(v, 4);          /* dialed number length */
    v16(v, 7);          /* dialing number length */
    vstr(v, "1234", 64);
    vstr(v, "5556789", 64);
    vstr(v, "sa", 64);
}
static void vec_icrp(vec *v)
{
    vhdr(v, 24, 10);
    v16(v, 0x4004); /* call id */
    v16(v, 0x8003); /* peer's call id */
    v8(v, 1);       /* result */
    v8(v, 0);       /* error */
    v16(v, 32);     /* recv window */
    v16(v, 5);      /* transmit delay */
    v16(v, 0);      /* reserved1 */
}
static void vec_iccn(vec *v)
{
    vhdr(v, 28, 11);
    v16(v, 0x8003); /* peer's call id */
    v16(v, 0);      /* reserved1 */
    v32(v, 128000); /* connect speed */
    v16(v, 48);     /* recv window */
    v16(v, 7);      /* transmit delay */
    v32(v, 1);      /* framing type */
}
static void vec_ccrq(vec *v)
{
    vhdr(v, 16, 12);
    v16(v, 0x4001); /* call id */
    v16(v, 0);      /* reserved1 */
}
static void vec_cdn(vec *v)
{
    vhdr(v, 148, 13);
    v16(v, 0x8002); /* call id */
    v8(v, 4);       /* result */
    v8(v, 0);       /* error */
    v16(v, 0x0010); /* cause code */
    v16(v, 0);      /* reserved1 */
    vstr(v, "rx=10 tx=20", 128);
}
static void vec_wen(vec *v)
{
    vhdr(v, 40, 14);
    v16(v, 0x4001); /* peer's call id */
    v16(v, 0);      /* reserved1 */
    v32(v, 1);      /* crc errors */
    v32(v, 2);      /* framing errors */
    v32(v, 3);      /* hardware overruns */
    v32(v, 4);      /* buffer overruns */
    v32(v, 5);      /* time-out errors */
    v32(v, 6);      /* alignment errors */
}
static void vec_sli(vec *v)
{
    vhdr(v, 24, 15);
    v16(v, 0x8002);     /* peer's call id */
    v16(v, 0);          /* reserved1 */
    v32(v, 0xffffffff); /* send accm */
    v32(v, 0x000a0000); /* receive accm */
}

static void (*const builders[16])(vec *) = {
    NULL,      vec_sccrq, vec_sccrp, vec_stopccrq, vec_stopccrp, vec_echorq, vec_echorp, vec_ocrq,
    vec_ocrp,  vec_icrq,  vec_icrp,  vec_iccn,     vec_ccrq,     vec_cdn,    vec_wen,    vec_sli,
};
static const size_t rfc_sizes[16] = {0, 156, 156, 16, 16, 16, 20, 168, 32, 220, 24, 28, 16, 148, 40, 24};

/* Decode a complete vector of type t; asserts OK, no anomalies, all consumed. */
static void decode_vec(vec *v, int t, struct pptp_ctrl_msg *m)
{
    builders[t](v);
    cr_assert_eq(v->n, rfc_sizes[t], "vector %d has %zu bytes", t, v->n);
    cursor c;
    cursor_init(&c, v->b, v->n);
    anomaly_set an;
    anomaly_clear(&an);
    cr_assert_eq(pptp_ctrl_decode(&c, m, &an), DEC_OK, "type %d", t);
    cr_assert_not(anomaly_any(&an), "type %d: unexpected anomaly %s", t,
                  anomaly_name(anomaly_next(&an, ANOMALY_NONE)));
    cr_assert_eq(cursor_len(&c), 0);
    cr_assert_eq(m->length, rfc_sizes[t]);
    cr_assert_eq(m->msg_type, 1);
    cr_assert_eq(m->magic, 0x1A2B3C4Du);
    cr_assert_eq(m->ctrl_type, t);
    cr_assert_eq(m->reserved0, 0);
    cr_assert_eq(m->extra_len, 0);
}

Test(pptp_ctrl_vectors, sccrq)
{
    vec v;
    struct pptp_ctrl_msg m;
    decode_vec(&v, PPTP_MSG_SCCRQ, &m);
    cr_assert_eq(m.u.sccrq.protocol_version, 0x0100);
    cr_assert_eq(m.u.sccrq.reserved1, 0);
    cr_assert_eq(m.u.sccrq.framing_caps, 3);
    cr_assert_eq(m.u.sccrq.bearer_caps, 2);
    cr_assert_eq(m.u.sccrq.max_channels, 0x1234);
    cr_assert_eq(m.u.sccrq.firmware_rev, 0x0501);
    cr_assert_str_eq(m.u.sccrq.host_name, "pns-host.example");
    cr_assert_str_eq(m.u.sccrq.vendor, "Acme VPN");
}

Test(pptp_ctrl_vectors, sccrp)
{
    vec v;
    struct pptp_ctrl_msg m;
    decode_vec(&v, PPTP_MSG_SCCRP, &m);
    cr_assert_eq(m.u.sccrp.protocol_version, 0x0100);
    cr_assert_eq(m.u.sccrp.result_code, 1);
    cr_assert_eq(m.u.sccrp.error_code, 0);
    cr_assert_eq(m.u.sccrp.framing_caps, 1);
    cr_assert_eq(m.u.sccrp.bearer_caps, 3);
    cr_assert_eq(m.u.sccrp.max_channels, 0x0200);
    cr_assert_eq(m.u.sccrp.firmware_rev, 0x0a0b);
    cr_assert_str_eq(m.u.sccrp.host_name, "pac-host");
    cr_assert_str_eq(m.u.sccrp.vendor, "Acme PAC");
}

Test(pptp_ctrl_vectors, stopccrq_stopccrp)
{
    vec v;
    struct pptp_ctrl_msg m;
    decode_vec(&v, PPTP_MSG_STOPCCRQ, &m);
    cr_assert_eq(m.u.stopccrq.reason, 3);
    cr_assert_eq(m.u.stopccrq.reserved1, 0);
    cr_assert_eq(m.u.stopccrq.reserved2, 0);
    decode_vec(&v, PPTP_MSG_STOPCCRP, &m);
    cr_assert_eq(m.u.stopccrp.result_code, 1);
    cr_assert_eq(m.u.stopccrp.error_code, 0);
    cr_assert_eq(m.u.stopccrp.reserved1, 0);
}

Test(pptp_ctrl_vectors, echo)
{
    vec v;
    struct pptp_ctrl_msg m;
    decode_vec(&v, PPTP_MSG_ECHORQ, &m);
    cr_assert_eq(m.u.echorq.identifier, 0xdeadbeefu);
    decode_vec(&v, PPTP_MSG_ECHORP, &m);
    cr_assert_eq(m.u.echorp.identifier, 0xdeadbeefu);
    cr_assert_eq(m.u.echorp.result_code, 2);
    cr_assert_eq(m.u.echorp.error_code, 6);
    cr_assert_eq(m.u.echorp.reserved1, 0);
}

Test(pptp_ctrl_vectors, ocrq)
{
    vec v;
    struct pptp_ctrl_msg m;
    decode_vec(&v, PPTP_MSG_OCRQ, &m);
    cr_assert_eq(m.u.ocrq.call_id, 0x4001);
    cr_assert_eq(m.u.ocrq.call_serial, 0x0102);
    cr_assert_eq(m.u.ocrq.min_bps, 2400);
    cr_assert_eq(m.u.ocrq.max_bps, 10000000);
    cr_assert_eq(m.u.ocrq.bearer_type, 3);
    cr_assert_eq(m.u.ocrq.framing_type, 2);
    cr_assert_eq(m.u.ocrq.recv_window, 64);
    cr_assert_eq(m.u.ocrq.proc_delay, 0x0010);
    cr_assert_eq(m.u.ocrq.phone_len, 11);
    cr_assert_eq(m.u.ocrq.reserved1, 0);
    cr_assert_str_eq(m.u.ocrq.phone, "5551234567x");
    cr_assert_str_eq(m.u.ocrq.subaddress, "sub-1");
}

Test(pptp_ctrl_vectors, ocrp)
{
    vec v;
    struct pptp_ctrl_msg m;
    decode_vec(&v, PPTP_MSG_OCRP, &m);
    cr_assert_eq(m.u.ocrp.call_id, 0x8002);
    cr_assert_eq(m.u.ocrp.peer_call_id, 0x4001);
    cr_assert_eq(m.u.ocrp.result_code, 1);
    cr_assert_eq(m.u.ocrp.error_code, 0);
    cr_assert_eq(m.u.ocrp.cause_code, 0x0033);
    cr_assert_eq(m.u.ocrp.connect_speed, 64000);
    cr_assert_eq(m.u.ocrp.recv_window, 16);
    cr_assert_eq(m.u.ocrp.proc_delay, 0x0020);
    cr_assert_eq(m.u.ocrp.phys_channel_id, 0x01020304);
}

Test(pptp_ctrl_vectors, icrq)
{
    vec v;
    struct pptp_ctrl_msg m;
    decode_vec(&v, PPTP_MSG_ICRQ, &m);
    cr_assert_eq(m.u.icrq.call_id, 0x8003);
    cr_assert_eq(m.u.icrq.call_serial, 0x0203);
    cr_assert_eq(m.u.icrq.bearer_type, 2);
    cr_assert_eq(m.u.icrq.phys_channel_id, 0x0a0b0c0d);
    cr_assert_eq(m.u.icrq.dialed_len, 4);
    cr_assert_eq(m.u.icrq.dialing_len, 7);
    cr_assert_str_eq(m.u.icrq.dialed, "1234");
    cr_assert_str_eq(m.u.icrq.dialing, "5556789");
    cr_assert_str_eq(m.u.icrq.subaddress, "sa");
}

Test(pptp_ctrl_vectors, icrp_iccn)
{
    vec v;
    struct pptp_ctrl_msg m;
    decode_vec(&v, PPTP_MSG_ICRP, &m);
    cr_assert_eq(m.u.icrp.call_id, 0x4004);
    cr_assert_eq(m.u.icrp.peer_call_id, 0x8003);
    cr_assert_eq(m.u.icrp.result_code, 1);
    cr_assert_eq(m.u.icrp.error_code, 0);
    cr_assert_eq(m.u.icrp.recv_window, 32);
    cr_assert_eq(m.u.icrp.xmit_delay, 5);
    cr_assert_eq(m.u.icrp.reserved1, 0);
    decode_vec(&v, PPTP_MSG_ICCN, &m);
    cr_assert_eq(m.u.iccn.peer_call_id, 0x8003);
    cr_assert_eq(m.u.iccn.reserved1, 0);
    cr_assert_eq(m.u.iccn.connect_speed, 128000);
    cr_assert_eq(m.u.iccn.recv_window, 48);
    cr_assert_eq(m.u.iccn.xmit_delay, 7);
    cr_assert_eq(m.u.iccn.framing_type, 1);
}

Test(pptp_ctrl_vectors, ccrq_cdn)
{
    vec v;
    struct pptp_ctrl_msg m;
    decode_vec(&v, PPTP_MSG_CCRQ, &m);
    cr_assert_eq(m.u.ccrq.call_id, 0x4001);
    cr_assert_eq(m.u.ccrq.reserved1, 0);
    decode_vec(&v, PPTP_MSG_CDN, &m);
    cr_assert_eq(m.u.cdn.call_id, 0x8002);
    cr_assert_eq(m.u.cdn.result_code, 4);
    cr_assert_eq(m.u.cdn.error_code, 0);
    cr_assert_eq(m.u.cdn.cause_code, 0x0010);
    cr_assert_eq(m.u.cdn.reserved1, 0);
    cr_assert_str_eq(m.u.cdn.call_stats, "rx=10 tx=20");
}

Test(pptp_ctrl_vectors, wen_sli)
{
    vec v;
    struct pptp_ctrl_msg m;
    decode_vec(&v, PPTP_MSG_WEN, &m);
    cr_assert_eq(m.u.wen.peer_call_id, 0x4001);
    cr_assert_eq(m.u.wen.reserved1, 0);
    cr_assert_eq(m.u.wen.crc_errors, 1);
    cr_assert_eq(m.u.wen.framing_errors, 2);
    cr_assert_eq(m.u.wen.hw_overruns, 3);
    cr_assert_eq(m.u.wen.buf_overruns, 4);
    cr_assert_eq(m.u.wen.timeout_errors, 5);
    cr_assert_eq(m.u.wen.align_errors, 6);
    decode_vec(&v, PPTP_MSG_SLI, &m);
    cr_assert_eq(m.u.sli.peer_call_id, 0x8002);
    cr_assert_eq(m.u.sli.reserved1, 0);
    cr_assert_eq(m.u.sli.send_accm, 0xffffffffu);
    cr_assert_eq(m.u.sli.recv_accm, 0x000a0000u);
}

Test(pptp_ctrl_vectors, full_length_strings_keep_all_64_bytes)
{
    vec v;
    vhdr(&v, 156, 1);
    v16(&v, 0x0100);
    v16(&v, 0);
    v32(&v, 1);
    v32(&v, 1);
    v16(&v, 1);
    v16(&v, 1);
    memset(v.b + v.n, 'h', 64);
    v.n += 64;
    memset(v.b + v.n, 'v', 64);
    v.n += 64;
    cursor c;
    cursor_init(&c, v.b, v.n);
    struct pptp_ctrl_msg m;
    cr_assert_eq(pptp_ctrl_decode(&c, &m, NULL), DEC_OK);
    cr_assert_eq(strlen(m.u.sccrq.host_name), 64);
    cr_assert_eq(strlen(m.u.sccrq.vendor), 64);
    cr_assert_eq(m.u.sccrq.vendor[63], 'v');
    /* and they encode back to the same bytes */
    uint8_t out[200];
    wbuf w;
    wbuf_init(&w, out, sizeof out);
    cr_assert(pptp_ctrl_encode(&w, &m));
    cr_assert_eq(wbuf_len(&w), 156);
    cr_assert_arr_eq(out, v.b, 156);
}

Test(pptp_ctrl_vectors, sizes_match_rfc)
{
    size_t max = 0;
    for (int t = 1; t <= 15; t++) {
        cr_assert_eq(pptp_ctrl_msg_size((uint16_t)t), rfc_sizes[t], "type %d", t);
        if (rfc_sizes[t] > max)
            max = rfc_sizes[t];
    }
    cr_assert_eq(max, PPTP_CTRL_MAX_MSG_SIZE);
    cr_assert_eq(pptp_ctrl_msg_size(0), 0);
    cr_assert_eq(pptp_ctrl_msg_size(16), 0);
    cr_assert_eq(pptp_ctrl_msg_size(0xffff), 0);
}

/* ---- prefixes and malformed input ----------------------------------------- */

Test(pptp_ctrl_prefix, every_prefix_is_truncated_and_consumes_nothing)
{
    for (int t = 1; t <= 15; t++) {
        vec v;
        builders[t](&v);
        for (size_t k = 0; k < v.n; k++) {
            cursor c;
            cursor_init(&c, v.b, k);
            struct pptp_ctrl_msg m;
            anomaly_set an;
            anomaly_clear(&an);
            cr_assert_eq(pptp_ctrl_decode(&c, &m, &an), DEC_TRUNCATED, "type %d prefix %zu", t, k);
            cr_assert_not(anomaly_any(&an), "type %d prefix %zu", t, k);
            cr_assert_eq(cursor_len(&c), k, "type %d prefix %zu consumed bytes", t, k);
        }
    }
}

Test(pptp_ctrl_prefix, prefix_in_an_exact_cursor_is_malformed)
{
    for (int t = 1; t <= 15; t++) {
        vec v;
        builders[t](&v);
        for (size_t k = 0; k < v.n; k++) {
            cursor c;
            cursor_init_exact(&c, v.b, k);
            struct pptp_ctrl_msg m;
            anomaly_set an;
            anomaly_clear(&an);
            cr_assert_eq(pptp_ctrl_decode(&c, &m, &an), DEC_MALFORMED, "type %d prefix %zu", t, k);
            cr_assert(anomaly_has(&an, ANOMALY_PPTP_BAD_LENGTH), "type %d prefix %zu", t, k);
            cr_assert_eq(cursor_status(&c), DEC_MALFORMED);
        }
    }
}

static dec_status decode_bytes(const uint8_t *b, size_t n, struct pptp_ctrl_msg *m, anomaly_set *an)
{
    cursor c;
    cursor_init(&c, b, n);
    anomaly_clear(an);
    return pptp_ctrl_decode(&c, m, an);
}

Test(pptp_ctrl_malformed, length_below_type_size_is_undersized)
{
    for (int t = 1; t <= 15; t++) {
        vec v;
        builders[t](&v);
        /* Length says one byte less than the RFC size; the buffer agrees. */
        uint16_t len = (uint16_t)(v.n - 1);
        v.b[0] = (uint8_t)(len >> 8);
        v.b[1] = (uint8_t)len;
        struct pptp_ctrl_msg m;
        anomaly_set an;
        cr_assert_eq(decode_bytes(v.b, len, &m, &an), DEC_MALFORMED, "type %d", t);
        cr_assert(anomaly_has(&an, ANOMALY_PPTP_UNDERSIZED_MESSAGE), "type %d", t);
        cr_assert_eq(m.ctrl_type, t, "the header is still decoded");
        cr_assert_eq(m.length, len);
    }
    /* Length 12: a bare header for an SCCRQ. */
    vec v;
    vhdr(&v, 12, PPTP_MSG_SCCRQ);
    struct pptp_ctrl_msg m;
    anomaly_set an;
    cr_assert_eq(decode_bytes(v.b, v.n, &m, &an), DEC_MALFORMED);
    cr_assert(anomaly_has(&an, ANOMALY_PPTP_UNDERSIZED_MESSAGE));
}

Test(pptp_ctrl_malformed, bad_magic)
{
    vec v;
    vec_echorq(&v);
    v.b[7] = 0x4e; /* 0x1A2B3C4E */
    struct pptp_ctrl_msg m;
    anomaly_set an;
    cursor c;
    cursor_init(&c, v.b, v.n);
    anomaly_clear(&an);
    cr_assert_eq(pptp_ctrl_decode(&c, &m, &an), DEC_MALFORMED);
    cr_assert(anomaly_has(&an, ANOMALY_PPTP_BAD_MAGIC));
    cr_assert_not(anomaly_has(&an, ANOMALY_PPTP_BAD_MESSAGE_TYPE));
    cr_assert_eq(m.magic, 0x1A2B3C4Eu);
    cr_assert_eq(m.ctrl_type, PPTP_MSG_ECHORQ);
    cr_assert_eq(m.u.echorq.identifier, 0, "no body decoded");
    cr_assert_eq(cursor_status(&c), DEC_MALFORMED);
}

Test(pptp_ctrl_malformed, bad_message_type)
{
    vec v;
    vec_ccrq(&v);
    v.b[3] = 2; /* management message */
    struct pptp_ctrl_msg m;
    anomaly_set an;
    cr_assert_eq(decode_bytes(v.b, v.n, &m, &an), DEC_MALFORMED);
    cr_assert(anomaly_has(&an, ANOMALY_PPTP_BAD_MESSAGE_TYPE));
    cr_assert_not(anomaly_has(&an, ANOMALY_PPTP_BAD_MAGIC));
    cr_assert_eq(m.msg_type, 2);
}

Test(pptp_ctrl_malformed, length_below_header)
{
    static const uint16_t bad[] = {0, 1, 5, 11};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        vec v;
        vec_sccrq(&v);
        v.b[0] = (uint8_t)(bad[i] >> 8);
        v.b[1] = (uint8_t)bad[i];
        struct pptp_ctrl_msg m;
        anomaly_set an;
        cursor c;
        cursor_init(&c, v.b, v.n);
        anomaly_clear(&an);
        cr_assert_eq(pptp_ctrl_decode(&c, &m, &an), DEC_MALFORMED, "length %u", bad[i]);
        cr_assert(anomaly_has(&an, ANOMALY_PPTP_BAD_LENGTH));
        cr_assert_eq(m.length, bad[i]);
        /* Even when only the length field is captured, the verdict is malformed. */
        cr_assert_eq(decode_bytes(v.b, 2, &m, &an), DEC_MALFORMED);
    }
}

Test(pptp_ctrl_malformed, length_beyond_exact_buffer)
{
    vec v;
    vec_echorq(&v);
    v.b[1] = 200; /* Length 200, but the message is 16 bytes */
    cursor c;
    cursor_init_exact(&c, v.b, v.n);
    struct pptp_ctrl_msg m;
    anomaly_set an;
    anomaly_clear(&an);
    cr_assert_eq(pptp_ctrl_decode(&c, &m, &an), DEC_MALFORMED);
    cr_assert(anomaly_has(&an, ANOMALY_PPTP_BAD_LENGTH));
    cr_assert_eq(m.length, 200);
    /* The same bytes in an open-ended cursor are just the start of a longer message. */
    cr_assert_eq(decode_bytes(v.b, v.n, &m, &an), DEC_TRUNCATED);
    cr_assert_not(anomaly_any(&an));
}

Test(pptp_ctrl_malformed, oversized_message_is_accepted_with_anomaly)
{
    vec v;
    vec_echorq(&v);
    v.b[1] = 24; /* 8 trailing bytes */
    for (int i = 0; i < 8; i++)
        v8(&v, 0xaa);
    size_t first = v.n;
    /* followed by a normal CCRQ, which must still be found */
    vec w;
    vec_ccrq(&w);
    memcpy(v.b + v.n, w.b, w.n);
    v.n += w.n;

    cursor c;
    cursor_init(&c, v.b, v.n);
    struct pptp_ctrl_msg m;
    anomaly_set an;
    anomaly_clear(&an);
    cr_assert_eq(pptp_ctrl_decode(&c, &m, &an), DEC_OK);
    cr_assert(anomaly_has(&an, ANOMALY_PPTP_OVERSIZED_MESSAGE));
    cr_assert_eq(m.u.echorq.identifier, 0xdeadbeefu);
    cr_assert_eq(m.length, 24);
    cr_assert_eq(m.extra_len, 8);
    cr_assert_eq(cursor_len(&c), v.n - first);
    anomaly_clear(&an);
    cr_assert_eq(pptp_ctrl_decode(&c, &m, &an), DEC_OK);
    cr_assert_eq(m.ctrl_type, PPTP_MSG_CCRQ);
    cr_assert_eq(m.u.ccrq.call_id, 0x4001);
    cr_assert_not(anomaly_any(&an));
    cr_assert_eq(cursor_len(&c), 0);
}

Test(pptp_ctrl_malformed, unknown_ctrl_type_decodes_header_and_skips_body)
{
    static const uint16_t types[] = {0, 16, 0x00ff, 0xffff};
    for (size_t i = 0; i < sizeof types / sizeof types[0]; i++) {
        vec v;
        vhdr(&v, 20, types[i]);
        v32(&v, 0x01020304);
        v32(&v, 0x05060708);
        vec w;
        vec_sli(&w);
        memcpy(v.b + v.n, w.b, w.n);
        v.n += w.n;
        cursor c;
        cursor_init(&c, v.b, v.n);
        struct pptp_ctrl_msg m;
        anomaly_set an;
        anomaly_clear(&an);
        cr_assert_eq(pptp_ctrl_decode(&c, &m, &an), DEC_OK, "type %u", types[i]);
        cr_assert(anomaly_has(&an, ANOMALY_PPTP_UNKNOWN_CTRL_TYPE));
        cr_assert_not(anomaly_has(&an, ANOMALY_PPTP_OVERSIZED_MESSAGE));
        cr_assert_eq(m.ctrl_type, types[i]);
        cr_assert_eq(m.length, 20);
        cr_assert_eq(m.extra_len, 8);
        cr_assert_eq(cursor_len(&c), w.n, "exactly the unknown message was consumed");
        cr_assert_eq(pptp_ctrl_decode(&c, &m, NULL), DEC_OK);
        cr_assert_eq(m.ctrl_type, PPTP_MSG_SLI);
    }
}

Test(pptp_ctrl_malformed, reserved_fields_nonzero)
{
    vec v;
    vec_ccrq(&v);
    v.b[11] = 1; /* reserved0 */
    struct pptp_ctrl_msg m;
    anomaly_set an;
    cr_assert_eq(decode_bytes(v.b, v.n, &m, &an), DEC_OK);
    cr_assert(anomaly_has(&an, ANOMALY_PPTP_RESERVED_NONZERO));
    cr_assert_eq(m.reserved0, 1);

    /* Body reserved fields are kept but not flagged: real stacks leave junk there
     * (the SLIs of ndpi__pptp.pcap carry Reserved1 = 0xa196). */
    vec_ccrq(&v);
    v.b[15] = 0x7f; /* body reserved1 */
    cr_assert_eq(decode_bytes(v.b, v.n, &m, &an), DEC_OK);
    cr_assert_not(anomaly_any(&an));
    cr_assert_eq(m.u.ccrq.reserved1, 0x7f);
    cr_assert_eq(m.u.ccrq.call_id, 0x4001);

    vec_stopccrq(&v);
    v.b[13] = 9; /* reserved1 (u8) */
    v.b[15] = 1; /* reserved2 (u16) */
    cr_assert_eq(decode_bytes(v.b, v.n, &m, &an), DEC_OK);
    cr_assert_not(anomaly_any(&an));
    cr_assert_eq(m.u.stopccrq.reserved1, 9);
    cr_assert_eq(m.u.stopccrq.reserved2, 1);
    cr_assert_eq(m.u.stopccrq.reason, 3);
}

Test(pptp_ctrl_malformed, protocol_version_and_number_lengths)
{
    vec v;
    vec_sccrq(&v);
    v.b[12] = 2; /* version 0x0200 */
    struct pptp_ctrl_msg m;
    anomaly_set an;
    cr_assert_eq(decode_bytes(v.b, v.n, &m, &an), DEC_OK);
    cr_assert(anomaly_has(&an, ANOMALY_PPTP_BAD_PROTOCOL_VERSION));
    cr_assert_eq(m.u.sccrq.protocol_version, 0x0200);

    vec_sccrp(&v);
    v.b[13] = 1; /* version 0x0101 */
    cr_assert_eq(decode_bytes(v.b, v.n, &m, &an), DEC_OK);
    cr_assert(anomaly_has(&an, ANOMALY_PPTP_BAD_PROTOCOL_VERSION));

    vec_ocrq(&v);
    v.b[36] = 0;
    v.b[37] = 65; /* phone number length */
    cr_assert_eq(decode_bytes(v.b, v.n, &m, &an), DEC_OK);
    cr_assert(anomaly_has(&an, ANOMALY_PPTP_NUMBER_LENGTH_OVERFLOW));
    cr_assert_eq(m.u.ocrq.phone_len, 65);

    vec_icrq(&v);
    v.b[26] = 1; /* dialing number length 0x0107 */
    cr_assert_eq(decode_bytes(v.b, v.n, &m, &an), DEC_OK);
    cr_assert(anomaly_has(&an, ANOMALY_PPTP_NUMBER_LENGTH_OVERFLOW));
    cr_assert_eq(m.u.icrq.dialing_len, 0x0107);
}

Test(pptp_ctrl_malformed, all_messages_back_to_back)
{
    uint8_t all[1200];
    size_t n = 0;
    for (int t = 1; t <= 15; t++) {
        vec v;
        builders[t](&v);
        memcpy(all + n, v.b, v.n);
        n += v.n;
    }
    cr_assert_eq(n, 1080);
    cursor c;
    cursor_init(&c, all, n);
    for (int t = 1; t <= 15; t++) {
        struct pptp_ctrl_msg m;
        cr_assert_eq(pptp_ctrl_decode(&c, &m, NULL), DEC_OK, "message %d", t);
        cr_assert_eq(m.ctrl_type, t);
    }
    cr_assert(cursor_empty(&c));
    cr_assert_eq(cursor_status(&c), DEC_OK);
}

/* ---- header peek and resynchronisation ------------------------------------ */

Test(pptp_ctrl_peek, full_headers)
{
    for (int t = 1; t <= 15; t++) {
        vec v;
        builders[t](&v);
        uint16_t len = 0, type = 0;
        cr_assert_eq(pptp_ctrl_header_peek(v.b, v.n, &len, &type), DEC_OK);
        cr_assert_eq(len, rfc_sizes[t]);
        cr_assert_eq(type, t);
        /* a header alone is enough */
        len = type = 0;
        cr_assert_eq(pptp_ctrl_header_peek(v.b, 12, &len, &type), DEC_OK);
        cr_assert_eq(len, rfc_sizes[t]);
        cr_assert_eq(type, t);
        cr_assert(pptp_ctrl_header_plausible(v.b, v.n), "type %d", t);
        cr_assert(pptp_ctrl_header_plausible(v.b, 12), "type %d", t);
        for (size_t k = 0; k < 12; k++) {
            len = 0;
            cr_assert_eq(pptp_ctrl_header_peek(v.b, k, &len, NULL), DEC_TRUNCATED, "prefix %zu", k);
            cr_assert_eq(len, k >= 2 ? rfc_sizes[t] : 0);
            cr_assert_not(pptp_ctrl_header_plausible(v.b, k));
        }
    }
    cr_assert_eq(pptp_ctrl_header_peek(NULL, 0, NULL, NULL), DEC_TRUNCATED);
}

Test(pptp_ctrl_peek, rejects_as_soon_as_bytes_disagree)
{
    vec v;
    vec_sccrq(&v);
    uint8_t b[16];
    memcpy(b, v.b, sizeof b);
    b[5] = 0x2c; /* second magic byte */
    cr_assert_eq(pptp_ctrl_header_peek(b, 6, NULL, NULL), DEC_MALFORMED);
    cr_assert_eq(pptp_ctrl_header_peek(b, 5, NULL, NULL), DEC_TRUNCATED);
    memcpy(b, v.b, sizeof b);
    b[3] = 2; /* message type */
    cr_assert_eq(pptp_ctrl_header_peek(b, 4, NULL, NULL), DEC_MALFORMED);
    memcpy(b, v.b, sizeof b);
    b[0] = 0;
    b[1] = 5; /* length 5 */
    uint16_t len = 0;
    cr_assert_eq(pptp_ctrl_header_peek(b, 2, &len, NULL), DEC_MALFORMED);
    cr_assert_eq(len, 5);
}

Test(pptp_ctrl_peek, plausible_is_strict)
{
    vec v;
    /* unknown control types */
    vhdr(&v, 16, 0);
    cr_assert_eq(pptp_ctrl_header_peek(v.b, v.n, NULL, NULL), DEC_OK, "peek does not judge the type");
    cr_assert_not(pptp_ctrl_header_plausible(v.b, v.n));
    vhdr(&v, 16, 16);
    cr_assert_not(pptp_ctrl_header_plausible(v.b, v.n));
    /* shorter than the type needs */
    vhdr(&v, 155, PPTP_MSG_SCCRQ);
    cr_assert_not(pptp_ctrl_header_plausible(v.b, v.n));
    /* reasonable oversize is fine, absurd length is not */
    vhdr(&v, PPTP_CTRL_PLAUSIBLE_MAX_LEN, PPTP_MSG_SLI);
    cr_assert(pptp_ctrl_header_plausible(v.b, v.n));
    vhdr(&v, PPTP_CTRL_PLAUSIBLE_MAX_LEN + 1, PPTP_MSG_SLI);
    cr_assert_not(pptp_ctrl_header_plausible(v.b, v.n));
    cr_assert_eq(pptp_ctrl_header_peek(v.b, v.n, NULL, NULL), DEC_OK);
    /* bad magic */
    vec_sli(&v);
    v.b[4] = 0;
    cr_assert_not(pptp_ctrl_header_plausible(v.b, v.n));
}

Test(pptp_ctrl_peek, resync_finds_next_message_after_garbage)
{
    uint8_t buf[400];
    size_t n = 0;
    /* tail of some earlier message, including bytes that look half like a header */
    static const uint8_t junk[] = {0x00, 0x18, 0x00, 0x01, 0x1a, 0x2b, 0x00, 0x00, 0x41, 0x42,
                                   0x00, 0x10, 0x00, 0x01, 0x1a, 0x2b, 0x3c, 0x4d, 0x00, 0x63, 0x00};
    memcpy(buf, junk, sizeof junk);
    n = sizeof junk;
    vec v;
    vec_ocrp(&v);
    memcpy(buf + n, v.b, v.n);
    n += v.n;
    size_t found = n;
    for (size_t off = 0; off < n; off++)
        if (pptp_ctrl_header_plausible(buf + off, n - off)) {
            found = off;
            break;
        }
    cr_assert_eq(found, sizeof junk);
    cursor c;
    cursor_init(&c, buf + found, n - found);
    struct pptp_ctrl_msg m;
    cr_assert_eq(pptp_ctrl_decode(&c, &m, NULL), DEC_OK);
    cr_assert_eq(m.ctrl_type, PPTP_MSG_OCRP);
    cr_assert_eq(m.u.ocrp.call_id, 0x8002);
}

/* ---- encoding --------------------------------------------------------------- */

Test(pptp_ctrl_encode, reencoding_each_vector_gives_identical_bytes)
{
    for (int t = 1; t <= 15; t++) {
        vec v;
        struct pptp_ctrl_msg m;
        decode_vec(&v, t, &m);
        uint8_t out[300];
        wbuf w;
        wbuf_init(&w, out, sizeof out);
        cr_assert(pptp_ctrl_encode(&w, &m), "type %d", t);
        cr_assert_eq(wbuf_len(&w), v.n, "type %d", t);
        cr_assert_arr_eq(out, v.b, v.n, "type %d", t);
    }
}

Test(pptp_ctrl_encode, computes_length_and_magic)
{
    for (int t = 1; t <= 15; t++) {
        struct pptp_ctrl_msg m;
        memset(&m, 0, sizeof m);
        m.ctrl_type = (uint16_t)t;
        m.length = 3;        /* ignored */
        m.magic = 0x12345678; /* ignored without raw_header */
        m.msg_type = 9;      /* ignored without raw_header */
        uint8_t out[300];
        wbuf w;
        wbuf_init(&w, out, sizeof out);
        cr_assert(pptp_ctrl_encode(&w, &m));
        cr_assert_eq(wbuf_len(&w), rfc_sizes[t], "type %d", t);
        cr_assert_eq((out[0] << 8) | out[1], (int)rfc_sizes[t]);
        cr_assert_eq((out[2] << 8) | out[3], 1);
        cr_assert_eq(out[4], 0x1a);
        cr_assert_eq(out[5], 0x2b);
        cr_assert_eq(out[6], 0x3c);
        cr_assert_eq(out[7], 0x4d);
        cr_assert_eq((out[8] << 8) | out[9], t);
    }
}

Test(pptp_ctrl_encode, fault_injection_overrides)
{
    struct pptp_ctrl_msg m;
    memset(&m, 0, sizeof m);
    m.ctrl_type = PPTP_MSG_ECHORQ;
    m.u.echorq.identifier = 7;
    m.raw_header = true;
    m.msg_type = 1;
    m.magic = 0xcafebabe;
    m.length_override = 15;
    m.extra_len = 4;
    uint8_t out[64];
    wbuf w;
    wbuf_init(&w, out, sizeof out);
    cr_assert(pptp_ctrl_encode(&w, &m));
    cr_assert_eq(wbuf_len(&w), 20);
    cr_assert_eq(out[1], 15);
    cr_assert_eq(out[4], 0xca);
    cr_assert_eq(out[19], 0);
    struct pptp_ctrl_msg d;
    anomaly_set an;
    cr_assert_eq(decode_bytes(out, 20, &d, &an), DEC_MALFORMED);
    cr_assert(anomaly_has(&an, ANOMALY_PPTP_BAD_MAGIC));

    /* extra_len alone gives a well-formed but oversized message */
    m.raw_header = false;
    m.length_override = 0;
    wbuf_init(&w, out, sizeof out);
    cr_assert(pptp_ctrl_encode(&w, &m));
    cr_assert_eq(out[1], 20);
    cr_assert_eq(decode_bytes(out, wbuf_len(&w), &d, &an), DEC_OK);
    cr_assert(anomaly_has(&an, ANOMALY_PPTP_OVERSIZED_MESSAGE));
    cr_assert_eq(d.extra_len, 4);
    cr_assert_eq(d.u.echorq.identifier, 7);
}

Test(pptp_ctrl_encode, overflow_and_impossible_length)
{
    struct pptp_ctrl_msg m;
    memset(&m, 0, sizeof m);
    m.ctrl_type = PPTP_MSG_ICRQ;
    uint8_t out[219];
    wbuf w;
    wbuf_init(&w, out, sizeof out);
    cr_assert_not(pptp_ctrl_encode(&w, &m));
    wbuf_init(&w, out, sizeof out);
    m.extra_len = 0xffff; /* 220 + 65535 does not fit the Length field */
    cr_assert_not(pptp_ctrl_encode(&w, &m));
    cr_assert_eq(wbuf_len(&w), 0, "nothing written");
}

Test(pptp_ctrl_encode, strings_are_cut_to_field_size)
{
    struct pptp_ctrl_msg m;
    memset(&m, 0, sizeof m);
    m.ctrl_type = PPTP_MSG_CDN;
    memset(m.u.cdn.call_stats, 's', PPTP_CALL_STATS_LEN); /* 128 chars + NUL */
    uint8_t out[200];
    wbuf w;
    wbuf_init(&w, out, sizeof out);
    cr_assert(pptp_ctrl_encode(&w, &m));
    cr_assert_eq(wbuf_len(&w), 148);
    cr_assert_eq(out[20], 's');
    cr_assert_eq(out[147], 's');
    struct pptp_ctrl_msg d;
    anomaly_set an;
    cr_assert_eq(decode_bytes(out, 148, &d, &an), DEC_OK);
    cr_assert_eq(strlen(d.u.cdn.call_stats), 128);
}

/* ---- call ids ---------------------------------------------------------------- */

Test(pptp_ctrl_call_ids, per_message)
{
    vec v;
    struct pptp_ctrl_msg m;
    uint16_t cid = 0, pcid = 0;
    decode_vec(&v, PPTP_MSG_OCRP, &m);
    cr_assert_eq(pptp_ctrl_call_ids(&m, &cid, &pcid), PPTP_HAS_CALL_ID | PPTP_HAS_PEER_CALL_ID);
    cr_assert_eq(cid, 0x8002);
    cr_assert_eq(pcid, 0x4001);
    decode_vec(&v, PPTP_MSG_OCRQ, &m);
    cid = pcid = 0;
    cr_assert_eq(pptp_ctrl_call_ids(&m, &cid, &pcid), PPTP_HAS_CALL_ID);
    cr_assert_eq(cid, 0x4001);
    cr_assert_eq(pcid, 0, "untouched");
    decode_vec(&v, PPTP_MSG_SLI, &m);
    cr_assert_eq(pptp_ctrl_call_ids(&m, NULL, &pcid), PPTP_HAS_PEER_CALL_ID);
    cr_assert_eq(pcid, 0x8002);
    decode_vec(&v, PPTP_MSG_ICRP, &m);
    cr_assert_eq(pptp_ctrl_call_ids(&m, &cid, &pcid), PPTP_HAS_CALL_ID | PPTP_HAS_PEER_CALL_ID);
    cr_assert_eq(cid, 0x4004);
    cr_assert_eq(pcid, 0x8003);
    decode_vec(&v, PPTP_MSG_CDN, &m);
    cr_assert_eq(pptp_ctrl_call_ids(&m, &cid, NULL), PPTP_HAS_CALL_ID);
    cr_assert_eq(cid, 0x8002);
    decode_vec(&v, PPTP_MSG_SCCRQ, &m);
    cr_assert_eq(pptp_ctrl_call_ids(&m, &cid, &pcid), 0);
}
