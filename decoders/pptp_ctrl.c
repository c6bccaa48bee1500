/*
 * pptp_ctrl.c - PPTP control-connection messages (RFC 2637 section 2): framing
 * helpers, decode and encode.  See pptp_ctrl.h.
 *
 * Each message body is described once, as a list of fields in wire order (offset
 * and size of the host-order struct member, and whether it is a string or a reserved
 * field).  Decoder and encoder walk the same list, so they cannot disagree on the
 * layout; the unit tests check the lists against the RFC sizes and hand-built byte
 * vectors.
 */
#include "pptp_ctrl.h"

#include <string.h>

#include "names.h"

enum field_kind {
    FK_INT, /* big-endian integer of `size` bytes (1, 2 or 4) */
    FK_RSV, /* reserved integer: kept as is, not flagged (real stacks leave junk in
               body reserved fields, e.g. SLI in ndpi__pptp.pcap); only the header's
               Reserved0 raises pptp.reserved_nonzero */
    FK_STR, /* NUL-padded string of size - 1 bytes on the wire, char[size] in m */
};

typedef struct field {
    uint16_t off;  /* offset in struct pptp_ctrl_msg */
    uint8_t size;  /* sizeof the struct member */
    uint8_t kind;  /* enum field_kind */
} field;

#define MEMBER_SIZE(t, f) sizeof(((struct pptp_ctrl_msg *)0)->u.t.f)
#define FLD(kind, t, f) {offsetof(struct pptp_ctrl_msg, u.t.f), MEMBER_SIZE(t, f), kind}
#define INT(t, f) FLD(FK_INT, t, f)
#define RSV(t, f) FLD(FK_RSV, t, f)
#define STR(t, f) FLD(FK_STR, t, f)

static const field sccrq_fields[] = {
    INT(sccrq, protocol_version), RSV(sccrq, reserved1), INT(sccrq, framing_caps),
    INT(sccrq, bearer_caps),      INT(sccrq, max_channels), INT(sccrq, firmware_rev),
    STR(sccrq, host_name),        STR(sccrq, vendor),
};
static const field sccrp_fields[] = {
    INT(sccrp, protocol_version), INT(sccrp, result_code),  INT(sccrp, error_code),
    INT(sccrp, framing_caps),     INT(sccrp, bearer_caps),  INT(sccrp, max_channels),
    INT(sccrp, firmware_rev),     STR(sccrp, host_name),    STR(sccrp, vendor),
};
static const field stopccrq_fields[] = {
    INT(stopccrq, reason), RSV(stopccrq, reserved1), RSV(stopccrq, reserved2),
};
static const field stopccrp_fields[] = {
    INT(stopccrp, result_code), INT(stopccrp, error_code), RSV(stopccrp, reserved1),
};
static const field echorq_fields[] = {
    INT(echorq, identifier),
};
static const field echorp_fields[] = {
    INT(echorp, identifier), INT(echorp, result_code), INT(echorp, error_code), RSV(echorp, reserved1),
};
static const field ocrq_fields[] = {
    INT(ocrq, call_id),     INT(ocrq, call_serial), INT(ocrq, min_bps),   INT(ocrq, max_bps),
    INT(ocrq, bearer_type), INT(ocrq, framing_type), INT(ocrq, recv_window), INT(ocrq, proc_delay),
    INT(ocrq, phone_len),   RSV(ocrq, reserved1),   STR(ocrq, phone),     STR(ocrq, subaddress),
};
static const field ocrp_fields[] = {
    INT(ocrp, call_id),       INT(ocrp, peer_call_id), INT(ocrp, result_code),
    INT(ocrp, error_code),    INT(ocrp, cause_code),   INT(ocrp, connect_speed),
    INT(ocrp, recv_window),   INT(ocrp, proc_delay),   INT(ocrp, phys_channel_id),
};
static const field icrq_fields[] = {
    INT(icrq, call_id),    INT(icrq, call_serial), INT(icrq, bearer_type), INT(icrq, phys_channel_id),
    INT(icrq, dialed_len), INT(icrq, dialing_len), STR(icrq, dialed),      STR(icrq, dialing),
    STR(icrq, subaddress),
};
static const field icrp_fields[] = {
    INT(icrp, call_id),     INT(icrp, peer_call_id), INT(icrp, result_code), INT(icrp, error_code),
    INT(icrp, recv_window), INT(icrp, xmit_delay),   RSV(icrp, reserved1),
};
static const field iccn_fields[] = {
    INT(iccn, peer_call_id), RSV(iccn, reserved1),  INT(iccn, connect_speed),
    INT(iccn, recv_window),  INT(iccn, xmit_delay), INT(iccn, framing_type),
};
static const field ccrq_fields[] = {
    INT(ccrq, call_id), RSV(ccrq, reserved1),
};
static const field cdn_fields[] = {
    INT(cdn, call_id),    INT(cdn, result_code), INT(cdn, error_code),
    INT(cdn, cause_code), RSV(cdn, reserved1),   STR(cdn, call_stats),
};
static const field wen_fields[] = {
    INT(wen, peer_call_id), RSV(wen, reserved1),    INT(wen, crc_errors),     INT(wen, framing_errors),
    INT(wen, hw_overruns),  INT(wen, buf_overruns), INT(wen, timeout_errors), INT(wen, align_errors),
};
static const field sli_fields[] = {
    INT(sli, peer_call_id), RSV(sli, reserved1), INT(sli, send_accm), INT(sli, recv_accm),
};

typedef struct layout {
    const field *fields;
    uint8_t nfields;
    uint16_t size; /* RFC 2637 message size, header included */
} layout;

#define LAYOUT(arr, sz) {arr, (uint8_t)ARRAY_LEN(arr), sz}

static const layout layouts[PPTP_MSG_MAX + 1] = {
    [PPTP_MSG_SCCRQ] = LAYOUT(sccrq_fields, 156),      [PPTP_MSG_SCCRP] = LAYOUT(sccrp_fields, 156),
    [PPTP_MSG_STOPCCRQ] = LAYOUT(stopccrq_fields, 16), [PPTP_MSG_STOPCCRP] = LAYOUT(stopccrp_fields, 16),
    [PPTP_MSG_ECHORQ] = LAYOUT(echorq_fields, 16),     [PPTP_MSG_ECHORP] = LAYOUT(echorp_fields, 20),
    [PPTP_MSG_OCRQ] = LAYOUT(ocrq_fields, 168),        [PPTP_MSG_OCRP] = LAYOUT(ocrp_fields, 32),
    [PPTP_MSG_ICRQ] = LAYOUT(icrq_fields, 220),        [PPTP_MSG_ICRP] = LAYOUT(icrp_fields, 24),
    [PPTP_MSG_ICCN] = LAYOUT(iccn_fields, 28),         [PPTP_MSG_CCRQ] = LAYOUT(ccrq_fields, 16),
    [PPTP_MSG_CDN] = LAYOUT(cdn_fields, 148),          [PPTP_MSG_WEN] = LAYOUT(wen_fields, 40),
    [PPTP_MSG_SLI] = LAYOUT(sli_fields, 24),
};

static const layout *layout_of(uint16_t ctrl_type)
{
    if (ctrl_type == 0 || ctrl_type > PPTP_MSG_MAX)
        return NULL;
    return &layouts[ctrl_type];
}

static size_t wire_size(const field *f)
{
    return f->kind == FK_STR ? (size_t)f->size - 1 : f->size;
}

size_t pptp_ctrl_msg_size(uint16_t ctrl_type)
{
    const layout *l = layout_of(ctrl_type);
    return l ? l->size : 0;
}

/* ---- framing ------------------------------------------------------------------ */

dec_status pptp_ctrl_header_peek(const uint8_t *p, size_t n, uint16_t *length, uint16_t *ctrl_type)
{
    cursor c;
    cursor_init(&c, p, n);
    uint16_t len, type;
    if (!cursor_get_be16(&c, &len))
        return DEC_TRUNCATED;
    if (length)
        *length = len;
    if (len < PPTP_CTRL_HEADER_LEN)
        return DEC_MALFORMED;
    if (!cursor_get_be16(&c, &type))
        return DEC_TRUNCATED;
    if (type != PPTP_MESSAGE_CONTROL)
        return DEC_MALFORMED;
    /* Magic byte by byte, so that a partial header can already be rejected. */
    for (int shift = 24; shift >= 0; shift -= 8) {
        uint8_t b;
        if (!cursor_get_u8(&c, &b))
            return DEC_TRUNCATED;
        if (b != (uint8_t)(PPTP_MAGIC_COOKIE >> shift))
            return DEC_MALFORMED;
    }
    if (!cursor_get_be16(&c, &type) || !cursor_skip(&c, 2))
        return DEC_TRUNCATED;
    if (ctrl_type)
        *ctrl_type = type;
    return DEC_OK;
}

bool pptp_ctrl_header_plausible(const uint8_t *p, size_t n)
{
    uint16_t len = 0, type = 0;
    if (pptp_ctrl_header_peek(p, n, &len, &type) != DEC_OK)
        return false;
    size_t size = pptp_ctrl_msg_size(type);
    return size != 0 && len >= size && len <= PPTP_CTRL_PLAUSIBLE_MAX_LEN;
}

/* ---- decode ------------------------------------------------------------------- */

static bool decode_field(cursor *c, const field *f, struct pptp_ctrl_msg *m)
{
    uint8_t *dst = (uint8_t *)m + f->off;
    if (f->kind == FK_STR)
        return cursor_get_fixed_str(c, wire_size(f), (char *)dst, f->size);
    switch (f->size) {
    case 1: {
        uint8_t x;
        if (!cursor_get_u8(c, &x))
            return false;
        memcpy(dst, &x, 1);
        return true;
    }
    case 2: {
        uint16_t x;
        if (!cursor_get_be16(c, &x))
            return false;
        memcpy(dst, &x, 2);
        return true;
    }
    default: {
        uint32_t x;
        if (!cursor_get_be32(c, &x))
            return false;
        memcpy(dst, &x, 4);
        return true;
    }
    }
}

/* Value checks that do not stop decoding. */
static void check_values(const struct pptp_ctrl_msg *m, anomaly_set *an)
{
    switch (m->ctrl_type) {
    case PPTP_MSG_SCCRQ:
        if (m->u.sccrq.protocol_version != PPTP_PROTOCOL_VERSION)
            anomaly_add(an, ANOMALY_PPTP_BAD_PROTOCOL_VERSION);
        break;
    case PPTP_MSG_SCCRP:
        if (m->u.sccrp.protocol_version != PPTP_PROTOCOL_VERSION)
            anomaly_add(an, ANOMALY_PPTP_BAD_PROTOCOL_VERSION);
        break;
    case PPTP_MSG_OCRQ:
        if (m->u.ocrq.phone_len > PPTP_PHONE_LEN)
            anomaly_add(an, ANOMALY_PPTP_NUMBER_LENGTH_OVERFLOW);
        break;
    case PPTP_MSG_ICRQ:
        if (m->u.icrq.dialed_len > PPTP_PHONE_LEN || m->u.icrq.dialing_len > PPTP_PHONE_LEN)
            anomaly_add(an, ANOMALY_PPTP_NUMBER_LENGTH_OVERFLOW);
        break;
    default:
        break;
    }
}

static dec_status fail(cursor *c, anomaly_set *an, anomaly_id id)
{
    anomaly_add(an, id);
    cursor_fail(c, DEC_MALFORMED);
    return DEC_MALFORMED;
}

dec_status pptp_ctrl_decode(cursor *c, struct pptp_ctrl_msg *m, anomaly_set *an)
{
    memset(m, 0, sizeof *m);

    cursor peek = *c;
    uint16_t length;
    if (!cursor_get_be16(&peek, &length)) {
        dec_status st = cursor_status(&peek);
        if (st == DEC_MALFORMED)
            anomaly_add(an, ANOMALY_PPTP_BAD_LENGTH);
        cursor_fail(c, st);
        return st;
    }
    m->length = length;
    if (length < PPTP_CTRL_HEADER_LEN)
        return fail(c, an, ANOMALY_PPTP_BAD_LENGTH);

    cursor msg;
    if (!cursor_sub(c, length, &msg)) {
        dec_status st = cursor_need(c, length);
        if (st == DEC_MALFORMED)
            anomaly_add(an, ANOMALY_PPTP_BAD_LENGTH);
        return st;
    }

    /* The 12-byte header is known to be present. */
    cursor_get_be16(&msg, &m->length);
    cursor_get_be16(&msg, &m->msg_type);
    cursor_get_be32(&msg, &m->magic);
    cursor_get_be16(&msg, &m->ctrl_type);
    cursor_get_be16(&msg, &m->reserved0);

    bool bad = false;
    if (m->magic != PPTP_MAGIC_COOKIE) {
        anomaly_add(an, ANOMALY_PPTP_BAD_MAGIC);
        bad = true;
    }
    if (m->msg_type != PPTP_MESSAGE_CONTROL) {
        anomaly_add(an, ANOMALY_PPTP_BAD_MESSAGE_TYPE);
        bad = true;
    }
    if (bad) {
        cursor_fail(c, DEC_MALFORMED);
        return DEC_MALFORMED;
    }
    if (m->reserved0 != 0)
        anomaly_add(an, ANOMALY_PPTP_RESERVED_NONZERO);

    const layout *l = layout_of(m->ctrl_type);
    if (!l) {
        anomaly_add(an, ANOMALY_PPTP_UNKNOWN_CTRL_TYPE);
        m->extra_len = (uint16_t)(length - PPTP_CTRL_HEADER_LEN);
        return DEC_OK;
    }
    if (length < l->size)
        return fail(c, an, ANOMALY_PPTP_UNDERSIZED_MESSAGE);
    if (length > l->size) {
        anomaly_add(an, ANOMALY_PPTP_OVERSIZED_MESSAGE);
        m->extra_len = (uint16_t)(length - l->size);
    }

    for (size_t i = 0; i < l->nfields; i++) {
        if (!decode_field(&msg, &l->fields[i], m)) {
            /* Cannot happen: the length was checked against the layout size. */
            cursor_fail(c, DEC_MALFORMED);
            return DEC_MALFORMED;
        }
    }
    check_values(m, an);
    return DEC_OK;
}

/* ---- encode ------------------------------------------------------------------- */

static void encode_field(wbuf *w, const field *f, const struct pptp_ctrl_msg *m)
{
    const uint8_t *src = (const uint8_t *)m + f->off;
    if (f->kind == FK_STR) {
        wbuf_put_fixed_str(w, (const char *)src, wire_size(f));
        return;
    }
    switch (f->size) {
    case 1: {
        uint8_t x;
        memcpy(&x, src, 1);
        wbuf_put_u8(w, x);
        break;
    }
    case 2: {
        uint16_t x;
        memcpy(&x, src, 2);
        wbuf_put_be16(w, x);
        break;
    }
    default: {
        uint32_t x;
        memcpy(&x, src, 4);
        wbuf_put_be32(w, x);
        break;
    }
    }
}

bool pptp_ctrl_encode(wbuf *w, const struct pptp_ctrl_msg *m)
{
    const layout *l = layout_of(m->ctrl_type);
    size_t base = l ? l->size : PPTP_CTRL_HEADER_LEN;
    size_t total = base + m->extra_len;
    if (total > UINT16_MAX)
        return false;
    size_t start = wbuf_len(w);

    wbuf_put_be16(w, m->length_override ? m->length_override : (uint16_t)total);
    wbuf_put_be16(w, m->raw_header ? m->msg_type : (uint16_t)PPTP_MESSAGE_CONTROL);
    wbuf_put_be32(w, m->raw_header ? m->magic : PPTP_MAGIC_COOKIE);
    wbuf_put_be16(w, m->ctrl_type);
    wbuf_put_be16(w, m->reserved0);
    if (l)
        for (size_t i = 0; i < l->nfields; i++)
            encode_field(w, &l->fields[i], m);
    wbuf_put_zeros(w, m->extra_len);
    /* The field list must add up to the RFC size (checked by the unit tests too). */
    return wbuf_ok(w) && wbuf_len(w) - start == total;
}

unsigned pptp_ctrl_call_ids(const struct pptp_ctrl_msg *m, uint16_t *call_id, uint16_t *peer_call_id)
{
    uint16_t cid = 0, pcid = 0;
    unsigned has = 0;
    switch (m->ctrl_type) {
    case PPTP_MSG_OCRQ: cid = m->u.ocrq.call_id; has = PPTP_HAS_CALL_ID; break;
    case PPTP_MSG_OCRP:
        cid = m->u.ocrp.call_id;
        pcid = m->u.ocrp.peer_call_id;
        has = PPTP_HAS_CALL_ID | PPTP_HAS_PEER_CALL_ID;
        break;
    case PPTP_MSG_ICRQ: cid = m->u.icrq.call_id; has = PPTP_HAS_CALL_ID; break;
    case PPTP_MSG_ICRP:
        cid = m->u.icrp.call_id;
        pcid = m->u.icrp.peer_call_id;
        has = PPTP_HAS_CALL_ID | PPTP_HAS_PEER_CALL_ID;
        break;
    case PPTP_MSG_ICCN: pcid = m->u.iccn.peer_call_id; has = PPTP_HAS_PEER_CALL_ID; break;
    case PPTP_MSG_CCRQ: cid = m->u.ccrq.call_id; has = PPTP_HAS_CALL_ID; break;
    case PPTP_MSG_CDN: cid = m->u.cdn.call_id; has = PPTP_HAS_CALL_ID; break;
    case PPTP_MSG_WEN: pcid = m->u.wen.peer_call_id; has = PPTP_HAS_PEER_CALL_ID; break;
    case PPTP_MSG_SLI: pcid = m->u.sli.peer_call_id; has = PPTP_HAS_PEER_CALL_ID; break;
    default: break;
    }
    if (call_id && (has & PPTP_HAS_CALL_ID))
        *call_id = cid;
    if (peer_call_id && (has & PPTP_HAS_PEER_CALL_ID))
        *peer_call_id = pcid;
    return has;
}
