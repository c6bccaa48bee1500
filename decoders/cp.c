/*
 * cp.c - PPP control-protocol packet framing and option lists (RFC 1661 §5, §6),
 * shared by LCP (RFC 1661, 1570), IPCP (RFC 1332, 1877), IPV6CP (RFC 5072) and
 * CCP (RFC 1962).  See cp.h.
 */
#include "cp.h"

#include <string.h>

#include "names.h"

#define AN_ROW(P)                                                                             \
    {                                                                                         \
        ANOMALY_CP_##P##_BAD_LENGTH, ANOMALY_CP_##P##_LENGTH_OVERRUN,                         \
            ANOMALY_CP_##P##_TRAILING_BYTES, ANOMALY_CP_##P##_UNKNOWN_CODE,                   \
            ANOMALY_CP_##P##_SHORT_BODY, ANOMALY_CP_##P##_OPTION_BAD_LENGTH,                  \
            ANOMALY_CP_##P##_OPTION_TRUNCATED, ANOMALY_CP_##P##_TOO_MANY_OPTIONS,             \
            ANOMALY_CP_##P##_OPTION_BAD_SIZE, ANOMALY_CP_##P##_DUPLICATE_OPTION,              \
    }

static const anomaly_id cp_anomaly_table[CP_PROTO_COUNT][CP_AN_KIND_COUNT] = {
    [CP_LCP] = AN_ROW(LCP),
    [CP_IPCP] = AN_ROW(IPCP),
    [CP_IPV6CP] = AN_ROW(IPV6CP),
    [CP_CCP] = AN_ROW(CCP),
};

anomaly_id cp_anomaly(cp_proto p, cp_anomaly_kind k)
{
    if ((unsigned)p >= CP_PROTO_COUNT || (unsigned)k >= CP_AN_KIND_COUNT)
        return ANOMALY_NONE;
    return cp_anomaly_table[p][k];
}

static const val_name proto_names[] = {
    {CP_LCP, "lcp"}, {CP_IPCP, "ipcp"}, {CP_IPV6CP, "ipv6cp"}, {CP_CCP, "ccp"},
};

const char *cp_proto_name(cp_proto p) { return VAL_NAME(proto_names, p, "unknown"); }

uint16_t cp_proto_number(cp_proto p)
{
    switch (p) {
    case CP_LCP: return 0xc021;
    case CP_IPCP: return 0x8021;
    case CP_IPV6CP: return 0x8057;
    case CP_CCP: return 0x80fd;
    default: return 0;
    }
}

bool cp_code_valid(cp_proto p, uint8_t code)
{
    switch (p) {
    case CP_LCP: return code >= CP_CONF_REQ && code <= CP_TIME_REMAINING;
    case CP_IPCP:
    case CP_IPV6CP: return code >= CP_CONF_REQ && code <= CP_CODE_REJ;
    case CP_CCP:
        return (code >= CP_CONF_REQ && code <= CP_CODE_REJ) || code == CP_RESET_REQ ||
               code == CP_RESET_ACK;
    default: return false;
    }
}

static const val_name code_names[] = {
    {CP_CONF_REQ, "Configure-Request"},
    {CP_CONF_ACK, "Configure-Ack"},
    {CP_CONF_NAK, "Configure-Nak"},
    {CP_CONF_REJ, "Configure-Reject"},
    {CP_TERM_REQ, "Terminate-Request"},
    {CP_TERM_ACK, "Terminate-Ack"},
    {CP_CODE_REJ, "Code-Reject"},
    {CP_PROTO_REJ, "Protocol-Reject"},
    {CP_ECHO_REQ, "Echo-Request"},
    {CP_ECHO_REPLY, "Echo-Reply"},
    {CP_DISCARD_REQ, "Discard-Request"},
    {CP_IDENTIFICATION, "Identification"},
    {CP_TIME_REMAINING, "Time-Remaining"},
    {CP_RESET_REQ, "Reset-Request"},
    {CP_RESET_ACK, "Reset-Ack"},
};

const char *cp_code_name(cp_proto p, uint8_t code)
{
    if (!cp_code_valid(p, code))
        return "unknown";
    return VAL_NAME(code_names, code, "unknown");
}

static dec_status worst(dec_status a, dec_status b) { return a > b ? a : b; }

dec_status cp_decode_options(cursor *body, cp_proto proto, cp_option_list *l, anomaly_set *an)
{
    memset(l, 0, sizeof *l);
    while (!cursor_empty(body)) {
        uint8_t type, len;
        if (!cursor_get_u8(body, &type) || !cursor_get_u8(body, &len)) {
            /* a lone Type byte at the end of an exact packet */
            if (cursor_status(body) == DEC_MALFORMED)
                anomaly_add(an, cp_anomaly(proto, CP_AN_OPTION_TRUNCATED));
            break;
        }
        if (len < 2) {
            anomaly_add(an, cp_anomaly(proto, CP_AN_OPTION_BAD_LENGTH));
            cursor_fail(body, DEC_MALFORMED);
            break;
        }
        const uint8_t *val;
        if (!cursor_get_span(body, (size_t)len - 2, &val)) {
            if (cursor_status(body) == DEC_MALFORMED)
                anomaly_add(an, cp_anomaly(proto, CP_AN_OPTION_TRUNCATED));
            break;
        }
        if (l->count >= CP_MAX_OPTIONS) {
            if (!l->overflow)
                anomaly_add(an, cp_anomaly(proto, CP_AN_TOO_MANY_OPTIONS));
            l->overflow = true;
            continue;
        }
        cp_option *o = &l->opt[l->count++];
        o->type = type;
        o->vlen = (uint8_t)(len - 2);
        o->known = false;
        o->val = val;
    }
    return cursor_status(body);
}

dec_status cp_decode(cursor *c, cp_proto proto, cp_packet *p, anomaly_set *an)
{
    memset(p, 0, sizeof *p);
    if (!cursor_get_u8(c, &p->code) || !cursor_get_u8(c, &p->id) || !cursor_get_be16(c, &p->length)) {
        p->code = p->id = 0;
        p->length = 0;
        cursor_skip(c, cursor_len(c)); /* consume the rest: the whole of c is this packet */
        return cursor_status(c);
    }
    if (p->length < CP_HEADER_LEN) {
        anomaly_add(an, cp_anomaly(proto, CP_AN_BAD_LENGTH));
        cursor_skip(c, cursor_len(c));
        cursor_fail(c, DEC_MALFORMED);
        return DEC_MALFORMED;
    }
    size_t want = (size_t)p->length - CP_HEADER_LEN;
    dec_status st = cursor_need(c, want);
    cursor body;
    if (st == DEC_OK) {
        cursor_sub(c, want, &body);
    } else {
        /* Decode what was captured; the status says why it is short. */
        if (st == DEC_MALFORMED)
            anomaly_add(an, cp_anomaly(proto, CP_AN_LENGTH_OVERRUN));
        cursor_sub_upto(c, want, &body);
        p->body_cut = true;
    }
    p->body = cursor_data(&body);
    p->body_len = cursor_len(&body);
    p->trailing = cursor_len(c);
    if (p->trailing) {
        anomaly_add(an, cp_anomaly(proto, CP_AN_TRAILING_BYTES));
        cursor_skip(c, p->trailing);
    }
    if (!cp_code_valid(proto, p->code))
        anomaly_add(an, cp_anomaly(proto, CP_AN_UNKNOWN_CODE));
    if (cp_code_has_options(p->code))
        st = worst(st, cp_decode_options(&body, proto, &p->options, an));
    if (st != DEC_OK)
        cursor_fail(c, st);
    return st;
}

void cp_body_cursor(const cp_packet *p, cursor *c)
{
    if (p->body_cut)
        cursor_init(c, p->body, p->body_len);
    else
        cursor_init_exact(c, p->body, p->body_len);
}

int cp_find_option(const cp_option_list *l, uint8_t type)
{
    for (int i = 0; i < l->count && i < CP_MAX_OPTIONS; i++)
        if (l->opt[i].type == type)
            return i;
    return -1;
}

/* ---- encoding -------------------------------------------------------------- */

size_t cp_encode_header(wbuf *w, uint8_t code, uint8_t id)
{
    size_t start = wbuf_len(w);
    wbuf_put_u8(w, code);
    wbuf_put_u8(w, id);
    wbuf_put_be16(w, 0);
    return start;
}

bool cp_finish(wbuf *w, size_t start)
{
    if (!wbuf_ok(w) || start > wbuf_len(w))
        return false;
    size_t n = wbuf_len(w) - start;
    if (n < CP_HEADER_LEN || n > 0xffff) {
        w->overflow = true;
        return false;
    }
    wbuf_patch_be16(w, start + 2, (uint16_t)n);
    return true;
}

bool cp_put_option(wbuf *w, uint8_t type, const void *val, size_t vlen)
{
    if (vlen > CP_OPTION_MAX_VALUE || (vlen && !val)) {
        w->overflow = true;
        return false;
    }
    wbuf_put_u8(w, type);
    wbuf_put_u8(w, (uint8_t)(vlen + 2));
    if (vlen)
        wbuf_put_bytes(w, val, vlen);
    return wbuf_ok(w);
}

size_t cp_option_begin(wbuf *w, uint8_t type)
{
    size_t start = wbuf_len(w);
    wbuf_put_u8(w, type);
    wbuf_put_u8(w, 0);
    return start;
}

bool cp_option_end(wbuf *w, size_t start)
{
    if (!wbuf_ok(w) || start > wbuf_len(w))
        return false;
    size_t n = wbuf_len(w) - start;
    if (n < 2 || n > 0xff) {
        w->overflow = true;
        return false;
    }
    wbuf_patch_u8(w, start + 1, (uint8_t)n);
    return true;
}

bool cp_put_options(wbuf *w, const cp_option_list *l, bool unknown_only)
{
    for (int i = 0; i < l->count && i < CP_MAX_OPTIONS; i++) {
        const cp_option *o = &l->opt[i];
        if (unknown_only && o->known)
            continue;
        cp_put_option(w, o->type, o->val, o->vlen);
    }
    return wbuf_ok(w);
}

bool cp_encode(wbuf *w, const cp_packet *p)
{
    size_t start = cp_encode_header(w, p->code, p->id);
    if (cp_code_has_options(p->code))
        cp_put_options(w, &p->options, false);
    else if (p->body_len)
        wbuf_put_bytes(w, p->body, p->body_len);
    return cp_finish(w, start);
}

bool cp_option_list_add(cp_option_list *l, uint8_t type, const void *val, size_t vlen)
{
    if (l->count >= CP_MAX_OPTIONS || vlen > CP_OPTION_MAX_VALUE) {
        return false;
    }
    cp_option *o = &l->opt[l->count++];
    o->type = type;
    o->vlen = (uint8_t)vlen;
    o->known = false;
    o->val = (const uint8_t *)val;
    return true;
}
