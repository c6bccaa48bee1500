/* eap.c - EAP codec (RFC 3748); see eap.h. */
#include "eap.h"

#include <string.h>

#include "auth_util.h"
#include "names.h"

static const val_name eap_code_names[] = {
    {EAP_REQUEST, "Request"},
    {EAP_RESPONSE, "Response"},
    {EAP_SUCCESS, "Success"},
    {EAP_FAILURE, "Failure"},
};

static const val_name eap_type_names[] = {
    {EAP_TYPE_IDENTITY, "identity"},
    {EAP_TYPE_NOTIFICATION, "notification"},
    {EAP_TYPE_NAK, "nak"},
    {EAP_TYPE_MD5, "md5"},
    {EAP_TYPE_OTP, "otp"},
    {EAP_TYPE_GTC, "gtc"},
    {EAP_TYPE_TLS, "tls"},
    {EAP_TYPE_LEAP, "leap"},
    {EAP_TYPE_SIM, "sim"},
    {EAP_TYPE_TTLS, "ttls"},
    {EAP_TYPE_AKA, "aka"},
    {EAP_TYPE_PEAP, "peap"},
    {EAP_TYPE_MSCHAPV2, "mschapv2"},
    {EAP_TYPE_FAST, "fast"},
    {EAP_TYPE_PSK, "psk"},
    {EAP_TYPE_IKEV2, "ikev2"},
    {EAP_TYPE_AKA_PRIME, "aka-prime"},
    {EAP_TYPE_PWD, "pwd"},
    {EAP_TYPE_TEAP, "teap"},
    {EAP_TYPE_EXPANDED, "expanded"},
    {EAP_TYPE_EXPERIMENTAL, "experimental"},
};

const char *eap_code_name(uint8_t code)
{
    return VAL_NAME(eap_code_names, code, "unknown");
}

const char *eap_type_name(uint8_t type)
{
    return VAL_NAME(eap_type_names, type, "unknown");
}

/* Value-Size, Value, Name (rest). */
static bool get_value_name(cursor *td, eap_msg *m)
{
    if (!cursor_get_u8(td, &m->value_size) || !cursor_get_span(td, m->value_size, &m->value))
        return false;
    m->name_len = cursor_len(td);
    cursor_get_span(td, m->name_len, &m->name);
    auth_copy_str(m->text_str, sizeof m->text_str, m->name, m->name_len);
    return true;
}

static dec_status decode_mschapv2(cursor *td, eap_msg *m, anomaly_set *an)
{
    if (!cursor_get_u8(td, &m->ms_opcode))
        return cursor_status(td);
    /* A Success/Failure Response is the bare OpCode. */
    if (cursor_empty(td) && m->code == EAP_RESPONSE &&
        (m->ms_opcode == EAP_MSCHAPV2_SUCCESS || m->ms_opcode == EAP_MSCHAPV2_FAILURE))
        return DEC_OK;
    if (!cursor_get_u8(td, &m->ms_id) || !cursor_get_be16(td, &m->ms_length))
        return cursor_status(td);
    /* MS-Length counts from the OpCode: EAP Length minus the 5-byte EAP header. */
    if ((size_t)m->ms_length != (size_t)m->length - 5)
        anomaly_add(an, ANOMALY_EAP_MSCHAPV2_LENGTH);
    switch (m->ms_opcode) {
    case EAP_MSCHAPV2_CHALLENGE:
    case EAP_MSCHAPV2_RESPONSE:
        if (!get_value_name(td, m))
            return cursor_status(td);
        break;
    case EAP_MSCHAPV2_SUCCESS:
    case EAP_MSCHAPV2_FAILURE:
        m->ms_message_len = cursor_len(td);
        cursor_get_span(td, m->ms_message_len, &m->ms_message);
        break;
    default:
        break;
    }
    return DEC_OK;
}

static dec_status decode_type_data(cursor *td, eap_msg *m, anomaly_set *an)
{
    switch (m->type) {
    case EAP_TYPE_IDENTITY:
    case EAP_TYPE_NOTIFICATION:
        m->text_len = cursor_len(td);
        cursor_get_span(td, m->text_len, &m->text);
        auth_copy_str(m->text_str, sizeof m->text_str, m->text, m->text_len);
        return DEC_OK;
    case EAP_TYPE_NAK: {
        if (m->code == EAP_REQUEST)
            anomaly_add(an, ANOMALY_EAP_NAK_IN_REQUEST);
        uint8_t t;
        while (cursor_get_u8(td, &t)) {
            if (m->nak_count < EAP_NAK_MAX)
                m->nak_types[m->nak_count] = t;
            m->nak_count++;
        }
        if (m->nak_count == 0)
            anomaly_add(an, ANOMALY_EAP_EMPTY_NAK);
        return DEC_OK;
    }
    case EAP_TYPE_MD5:
        return get_value_name(td, m) ? DEC_OK : cursor_status(td);
    case EAP_TYPE_TLS:
    case EAP_TYPE_TTLS:
    case EAP_TYPE_PEAP:
    case EAP_TYPE_FAST:
    case EAP_TYPE_TEAP:
        if (!cursor_get_u8(td, &m->tls_flags))
            return cursor_status(td);
        if ((m->tls_flags & EAP_TLS_FLAG_L) && !cursor_get_be32(td, &m->tls_length))
            return cursor_status(td);
        return DEC_OK;
    case EAP_TYPE_MSCHAPV2:
        return decode_mschapv2(td, m, an);
    case EAP_TYPE_EXPANDED:
        if (!cursor_get_be24(td, &m->vendor_id) || !cursor_get_be32(td, &m->vendor_type))
            return cursor_status(td);
        m->type_data_len = cursor_len(td); /* the vendor data */
        m->type_data = cursor_data(td);
        return DEC_OK;
    default:
        return DEC_OK;
    }
}

dec_status eap_decode(cursor *c, eap_msg *m, anomaly_set *an)
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
    case EAP_REQUEST:
    case EAP_RESPONSE:
        break;
    case EAP_SUCCESS:
    case EAP_FAILURE:
        if (!cursor_empty(&body))
            anomaly_add(an, ANOMALY_EAP_SUCCESS_FAILURE_DATA);
        return DEC_OK;
    default:
        anomaly_add(an, ANOMALY_EAP_UNKNOWN_CODE);
        m->type_data_len = cursor_len(&body);
        cursor_get_span(&body, m->type_data_len, &m->type_data);
        return DEC_OK;
    }
    if (!cursor_get_u8(&body, &m->type))
        return cursor_status(&body); /* exact cursor: DEC_MALFORMED */
    m->type_data_len = cursor_len(&body);
    m->type_data = cursor_data(&body);
    return decode_type_data(&body, m, an);
}

static void put_span(wbuf *w, const uint8_t *p, size_t n)
{
    if (n && p)
        wbuf_put_bytes(w, p, n);
    else if (n)
        wbuf_put_zeros(w, n);
}

bool eap_encode(wbuf *w, const eap_msg *m)
{
    size_t start = wbuf_len(w);
    bool ok = true;
    wbuf_put_u8(w, m->code);
    wbuf_put_u8(w, m->id);
    wbuf_put_be16(w, 0);
    if (m->code == EAP_REQUEST || m->code == EAP_RESPONSE) {
        wbuf_put_u8(w, m->type);
        switch (m->type) {
        case EAP_TYPE_IDENTITY:
        case EAP_TYPE_NOTIFICATION:
            put_span(w, m->text, m->text_len);
            break;
        case EAP_TYPE_NAK:
            if (m->nak_count > EAP_NAK_MAX)
                ok = false;
            else
                wbuf_put_bytes(w, m->nak_types, m->nak_count);
            break;
        case EAP_TYPE_MD5:
            wbuf_put_u8(w, m->value_size);
            put_span(w, m->value, m->value_size);
            put_span(w, m->name, m->name_len);
            break;
        case EAP_TYPE_EXPANDED:
            wbuf_put_be24(w, m->vendor_id);
            wbuf_put_be32(w, m->vendor_type);
            put_span(w, m->type_data, m->type_data_len);
            break;
        default:
            put_span(w, m->type_data, m->type_data_len);
            break;
        }
    } else if (m->code != EAP_SUCCESS && m->code != EAP_FAILURE) {
        put_span(w, m->type_data, m->type_data_len);
    }
    size_t len = wbuf_len(w) - start;
    wbuf_patch_be16(w, start + 2, m->raw_length ? m->raw_length : (uint16_t)len);
    return ok && wbuf_ok(w) && len <= 0xffff;
}
