/* mschap_text.c - the MS-CHAP Success (RFC 2759 section 5) and Failure
 * (RFC 2433 section 8, RFC 2759 section 6) texts and the error code names;
 * see mschap.h. */
#include "mschap.h"

#include <stdio.h>
#include <string.h>

#include "auth_util.h"
#include "names.h"

/* ---- text helpers (all reads through the cursor) ----------------------------- */

static void skip_spaces(cursor *c)
{
    uint8_t ch;
    while (cursor_peek_u8(c, &ch) && ch == ' ')
        cursor_get_u8(c, NULL);
}

/* Carve the bytes up to the next space (or the end) into *tok. */
static void take_token(cursor *c, cursor *tok)
{
    const uint8_t *start = cursor_data(c);
    size_t n = 0;
    uint8_t ch;
    while (cursor_peek_u8(c, &ch) && ch != ' ') {
        cursor_get_u8(c, NULL);
        n++;
    }
    cursor_init_exact(tok, start, n);
}

static int hexval(uint8_t ch)
{
    if (ch >= '0' && ch <= '9')
        return ch - '0';
    if (ch >= 'A' && ch <= 'F')
        return ch - 'A' + 10;
    if (ch >= 'a' && ch <= 'f')
        return ch - 'a' + 10;
    return -1;
}

/* Decode the whole of tok (2*n hex digits) into out[n]. */
static bool hex_decode(cursor *tok, uint8_t *out, size_t n)
{
    if (cursor_len(tok) != 2 * n)
        return false;
    for (size_t i = 0; i < n; i++) {
        uint8_t hi, lo;
        if (!cursor_get_u8(tok, &hi) || !cursor_get_u8(tok, &lo))
            return false;
        int h = hexval(hi), l = hexval(lo);
        if (h < 0 || l < 0)
            return false;
        out[i] = (uint8_t)(h << 4 | l);
    }
    return true;
}

/* Decode the whole of tok as a decimal number that fits 32 bits. */
static bool dec_decode(cursor *tok, uint32_t *out)
{
    if (cursor_empty(tok) || cursor_len(tok) > 10)
        return false;
    uint64_t v = 0;
    uint8_t ch;
    while (cursor_get_u8(tok, &ch)) {
        if (ch < '0' || ch > '9')
            return false;
        v = v * 10 + (uint64_t)(ch - '0');
    }
    if (v > 0xffffffffu)
        return false;
    *out = (uint32_t)v;
    return true;
}

/* Is the next thing "K=" (K the key letter)?  Consumes it when so. */
static bool take_key(cursor *c, uint8_t key)
{
    uint16_t two;
    if (!cursor_peek_be16(c, &two) || two != (uint16_t)(key << 8 | '='))
        return false;
    cursor_skip(c, 2);
    return true;
}

/* The rest of c as message text into dst (cut), true length into *len. */
static void take_rest_text(cursor *c, char *dst, size_t dst_size, size_t *len)
{
    const uint8_t *p;
    *len = cursor_len(c);
    cursor_get_span(c, *len, &p);
    auth_copy_str(dst, dst_size, p, *len);
}

static const char hexdig[] = "0123456789ABCDEF";

static void put_hex(wbuf *w, const uint8_t *p, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        wbuf_put_u8(w, (uint8_t)hexdig[p[i] >> 4]);
        wbuf_put_u8(w, (uint8_t)hexdig[p[i] & 15]);
    }
}

static void put_dec(wbuf *w, uint32_t v)
{
    char tmp[16];
    int n = snprintf(tmp, sizeof tmp, "%u", (unsigned)v);
    wbuf_put_bytes(w, tmp, (size_t)n);
}

static void put_str(wbuf *w, const char *s)
{
    wbuf_put_bytes(w, s, strlen(s));
}

/* ---- Success ----------------------------------------------------------------- */

dec_status mschapv2_success_parse(const uint8_t *msg, size_t len, mschapv2_success *out, anomaly_set *an)
{
    memset(out, 0, sizeof *out);
    cursor c, tok;
    cursor_init_exact(&c, msg, msg ? len : 0);
    skip_spaces(&c);
    if (!take_key(&c, 'S'))
        goto bad;
    take_token(&c, &tok);
    if (!hex_decode(&tok, out->auth_response, sizeof out->auth_response))
        goto bad;
    skip_spaces(&c);
    if (take_key(&c, 'M')) {
        out->has_message = true;
        take_rest_text(&c, out->message, sizeof out->message, &out->message_len);
    } else if (!cursor_empty(&c)) {
        anomaly_add(an, ANOMALY_MSCHAP_BAD_SUCCESS_MESSAGE);
    }
    return DEC_OK;
bad:
    memset(out, 0, sizeof *out);
    anomaly_add(an, ANOMALY_MSCHAP_BAD_SUCCESS_MESSAGE);
    return DEC_MALFORMED;
}

bool mschapv2_success_encode(wbuf *w, const mschapv2_success *s)
{
    put_str(w, "S=");
    put_hex(w, s->auth_response, sizeof s->auth_response);
    if (s->has_message) {
        put_str(w, " M=");
        wbuf_put_bytes(w, s->message, strnlen(s->message, sizeof s->message));
    }
    return wbuf_ok(w);
}

/* ---- Failure ----------------------------------------------------------------- */

static const val_name mschap_error_names[] = {
    {MSCHAP_ERROR_RESTRICTED_LOGON_HOURS, "ERROR_RESTRICTED_LOGON_HOURS"},
    {MSCHAP_ERROR_ACCT_DISABLED, "ERROR_ACCT_DISABLED"},
    {MSCHAP_ERROR_PASSWD_EXPIRED, "ERROR_PASSWD_EXPIRED"},
    {MSCHAP_ERROR_NO_DIALIN_PERMISSION, "ERROR_NO_DIALIN_PERMISSION"},
    {MSCHAP_ERROR_AUTHENTICATION_FAILURE, "ERROR_AUTHENTICATION_FAILURE"},
    {MSCHAP_ERROR_CHANGING_PASSWORD, "ERROR_CHANGING_PASSWORD"},
};

static const val_name mschap_error_descs[] = {
    {MSCHAP_ERROR_RESTRICTED_LOGON_HOURS, "restricted logon hours"},
    {MSCHAP_ERROR_ACCT_DISABLED, "account disabled"},
    {MSCHAP_ERROR_PASSWD_EXPIRED, "password expired"},
    {MSCHAP_ERROR_NO_DIALIN_PERMISSION, "no dial-in permission"},
    {MSCHAP_ERROR_AUTHENTICATION_FAILURE, "authentication failure"},
    {MSCHAP_ERROR_CHANGING_PASSWORD, "error changing password"},
};

const char *mschap_error_name(uint32_t code)
{
    return VAL_NAME(mschap_error_names, code, "unknown");
}

const char *mschap_error_desc(uint32_t code)
{
    return VAL_NAME(mschap_error_descs, code, "unknown");
}

dec_status mschap_failure_parse(const uint8_t *msg, size_t len, mschap_failure *out, anomaly_set *an)
{
    memset(out, 0, sizeof *out);
    cursor c, tok;
    cursor_init_exact(&c, msg, msg ? len : 0);
    for (;;) {
        skip_spaces(&c);
        uint8_t key, eq;
        if (!cursor_get_u8(&c, &key))
            break;
        if (!cursor_get_u8(&c, &eq) || eq != '=')
            goto bad;
        if (key == 'M') {
            out->has_message = true;
            take_rest_text(&c, out->message, sizeof out->message, &out->message_len);
            break;
        }
        take_token(&c, &tok);
        switch (key) {
        case 'E':
            if (!dec_decode(&tok, &out->error))
                goto bad;
            out->has_error = true;
            break;
        case 'R':
            if (!dec_decode(&tok, &out->retry))
                goto bad;
            out->has_retry = true;
            break;
        case 'V':
            if (!dec_decode(&tok, &out->version))
                goto bad;
            out->has_version = true;
            break;
        case 'C':
            if (cursor_len(&tok) == 2 * MSCHAPV1_CHALLENGE_LEN)
                out->challenge_len = MSCHAPV1_CHALLENGE_LEN;
            else if (cursor_len(&tok) == 2 * MSCHAPV2_CHALLENGE_LEN)
                out->challenge_len = MSCHAPV2_CHALLENGE_LEN;
            else
                goto bad;
            if (!hex_decode(&tok, out->challenge, out->challenge_len))
                goto bad;
            out->has_challenge = true;
            break;
        default:
            anomaly_add(an, ANOMALY_MSCHAP_BAD_FAILURE_MESSAGE);
            break;
        }
    }
    if (!out->has_error)
        goto bad;
    if (strcmp(mschap_error_name(out->error), "unknown") == 0)
        anomaly_add(an, ANOMALY_MSCHAP_UNKNOWN_ERROR);
    return DEC_OK;
bad:
    memset(out, 0, sizeof *out);
    anomaly_add(an, ANOMALY_MSCHAP_BAD_FAILURE_MESSAGE);
    return DEC_MALFORMED;
}

bool mschap_failure_encode(wbuf *w, const mschap_failure *f)
{
    bool first = true;
#define SEP()                       \
    do {                            \
        if (!first)                 \
            wbuf_put_u8(w, ' ');    \
        first = false;              \
    } while (0)
    if (f->has_error) {
        SEP();
        put_str(w, "E=");
        put_dec(w, f->error);
    }
    if (f->has_retry) {
        SEP();
        put_str(w, "R=");
        put_dec(w, f->retry);
    }
    if (f->has_challenge) {
        SEP();
        put_str(w, "C=");
        put_hex(w, f->challenge, f->challenge_len <= 16 ? f->challenge_len : 16);
    }
    if (f->has_version) {
        SEP();
        put_str(w, "V=");
        put_dec(w, f->version);
    }
    if (f->has_message) {
        SEP();
        put_str(w, "M=");
        wbuf_put_bytes(w, f->message, strnlen(f->message, sizeof f->message));
    }
#undef SEP
    return wbuf_ok(w);
}
