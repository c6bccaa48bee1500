/* chap.c - PPP CHAP codec (RFC 1994 section 4); see chap.h. */
#include "chap.h"

#include <string.h>

#include "auth_util.h"
#include "names.h"

static const val_name chap_code_names[] = {
    {CHAP_CHALLENGE, "Challenge"},
    {CHAP_RESPONSE, "Response"},
    {CHAP_SUCCESS, "Success"},
    {CHAP_FAILURE, "Failure"},
    {MSCHAP_CHANGE_PASSWORD_V1, "Change-Password-v1"},
    {MSCHAP_CHANGE_PASSWORD_V2, "Change-Password-v2"},
    {MSCHAPV2_CHANGE_PASSWORD, "MSCHAPv2-Change-Password"},
};

static const val_name chap_alg_names[] = {
    {CHAP_ALG_MD5, "md5"},
    {CHAP_ALG_MSCHAP, "mschap"},
    {CHAP_ALG_MSCHAPV2, "mschapv2"},
};

const char *chap_code_name(uint8_t code)
{
    return VAL_NAME(chap_code_names, code, "unknown");
}

const char *chap_alg_name(uint8_t alg)
{
    return VAL_NAME(chap_alg_names, alg, "unknown");
}

dec_status chap_decode(cursor *c, chap_msg *m, anomaly_set *an)
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

    switch (m->code) {
    case CHAP_CHALLENGE:
    case CHAP_RESPONSE:
        if (!cursor_get_u8(&body, &m->value_size) || !cursor_get_span(&body, m->value_size, &m->value))
            return cursor_status(&body);
        if (m->value_size == 0)
            anomaly_add(an, ANOMALY_CHAP_EMPTY_VALUE);
        m->name_len = cursor_len(&body);
        cursor_get_span(&body, m->name_len, &m->name);
        auth_copy_str(m->name_str, sizeof m->name_str, m->name, m->name_len);
        if (auth_has_nul(m->name, m->name_len))
            anomaly_add(an, ANOMALY_CHAP_NAME_NUL);
        break;
    case CHAP_SUCCESS:
    case CHAP_FAILURE:
        m->message_len = cursor_len(&body);
        cursor_get_span(&body, m->message_len, &m->message);
        break;
    case MSCHAP_CHANGE_PASSWORD_V1:
    case MSCHAP_CHANGE_PASSWORD_V2:
    case MSCHAPV2_CHANGE_PASSWORD:
        m->data_len = cursor_len(&body);
        cursor_get_span(&body, m->data_len, &m->data);
        break;
    default:
        anomaly_add(an, ANOMALY_CHAP_UNKNOWN_CODE);
        m->data_len = cursor_len(&body);
        cursor_get_span(&body, m->data_len, &m->data);
        break;
    }
    return DEC_OK;
}

static void put_span(wbuf *w, const uint8_t *p, size_t n)
{
    if (n && p)
        wbuf_put_bytes(w, p, n);
    else if (n)
        wbuf_put_zeros(w, n);
}

bool chap_encode(wbuf *w, const chap_msg *m)
{
    size_t start = wbuf_len(w);
    wbuf_put_u8(w, m->code);
    wbuf_put_u8(w, m->id);
    wbuf_put_be16(w, 0);
    switch (m->code) {
    case CHAP_CHALLENGE:
    case CHAP_RESPONSE:
        wbuf_put_u8(w, m->value_size);
        put_span(w, m->value, m->value_size);
        put_span(w, m->name, m->name_len);
        break;
    case CHAP_SUCCESS:
    case CHAP_FAILURE:
        put_span(w, m->message, m->message_len);
        break;
    default:
        put_span(w, m->data, m->data_len);
        break;
    }
    size_t len = wbuf_len(w) - start;
    wbuf_patch_be16(w, start + 2, m->raw_length ? m->raw_length : (uint16_t)len);
    return wbuf_ok(w) && len <= 0xffff;
}
