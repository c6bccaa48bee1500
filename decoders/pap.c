/* pap.c - PPP PAP codec (RFC 1334 section 2); see pap.h. */
#include "pap.h"

#include <string.h>

#include "auth_util.h"
#include "names.h"

static const val_name pap_code_names[] = {
    {PAP_AUTH_REQ, "Authenticate-Request"},
    {PAP_AUTH_ACK, "Authenticate-Ack"},
    {PAP_AUTH_NAK, "Authenticate-Nak"},
};

const char *pap_code_name(uint8_t code)
{
    return VAL_NAME(pap_code_names, code, "unknown");
}

/* Read a one-octet length and that many bytes from body. */
static bool get_lv(cursor *body, uint8_t *len, const uint8_t **p)
{
    return cursor_get_u8(body, len) && cursor_get_span(body, *len, p);
}

dec_status pap_decode(cursor *c, pap_msg *m, anomaly_set *an)
{
    memset(m, 0, sizeof *m);
    if (!cursor_get_u8(c, &m->code) || !cursor_get_u8(c, &m->id) || !cursor_get_be16(c, &m->length))
        return cursor_status(c);
    if (m->length < 4) {
        cursor_fail(c, DEC_MALFORMED);
        return DEC_MALFORMED;
    }
    cursor body;
    if (!cursor_sub(c, (size_t)m->length - 4, &body))
        return cursor_status(c);

    const uint8_t *p;
    switch (m->code) {
    case PAP_AUTH_REQ: {
        uint8_t pwlen;
        if (!get_lv(&body, &m->peer_id_len, &p))
            return cursor_status(&body);
        auth_copy_str(m->peer_id, sizeof m->peer_id, p, m->peer_id_len);
        if (auth_has_nul(p, m->peer_id_len))
            anomaly_add(an, ANOMALY_PAP_PEER_ID_NUL);
        if (m->peer_id_len == 0)
            anomaly_add(an, ANOMALY_PAP_PEER_ID_EMPTY);
        if (!get_lv(&body, &pwlen, &p)) {
            secret_wipe(&m->password);
            return cursor_status(&body);
        }
        secret_set(&m->password, p, pwlen);
        break;
    }
    case PAP_AUTH_ACK:
    case PAP_AUTH_NAK:
        if (!get_lv(&body, &m->msg_len, &p))
            return cursor_status(&body);
        auth_copy_str(m->message, sizeof m->message, p, m->msg_len);
        break;
    default:
        anomaly_add(an, ANOMALY_PAP_UNKNOWN_CODE);
        m->data = cursor_data(&body);
        m->data_len = cursor_len(&body);
        return DEC_OK;
    }
    if (!cursor_empty(&body))
        anomaly_add(an, ANOMALY_PAP_TRAILING_DATA);
    return DEC_OK;
}

static void put_lv_str(wbuf *w, const char *s)
{
    size_t n = strnlen(s, PAP_STR_MAX);
    if (n > 255)
        n = 255;
    wbuf_put_u8(w, (uint8_t)n);
    wbuf_put_bytes(w, s, n);
}

bool pap_encode(wbuf *w, const pap_msg *m)
{
    size_t start = wbuf_len(w);
    wbuf_put_u8(w, m->code);
    wbuf_put_u8(w, m->id);
    wbuf_put_be16(w, 0);
    switch (m->code) {
    case PAP_AUTH_REQ:
        put_lv_str(w, m->peer_id);
        wbuf_put_u8(w, m->password.len);
        wbuf_put_bytes(w, m->password.bytes_, m->password.len);
        break;
    case PAP_AUTH_ACK:
    case PAP_AUTH_NAK:
        put_lv_str(w, m->message);
        break;
    default:
        if (m->data_len)
            wbuf_put_bytes(w, m->data, m->data_len);
        break;
    }
    size_t len = wbuf_len(w) - start;
    wbuf_patch_be16(w, start + 2, m->raw_length ? m->raw_length : (uint16_t)len);
    return wbuf_ok(w) && len <= 0xffff;
}
