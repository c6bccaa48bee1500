/*
 * lcp.c - PPP Link Control Protocol codec (RFC 1661, RFC 1570, RFC 1990 options,
 * CHAP algorithm numbers of RFC 1994 / 2433 / 2759).  See lcp.h.
 */
#include "lcp.h"

#include <string.h>

#include "names.h"

static const val_name lcp_opt_names[] = {
    {LCP_OPT_VENDOR, "Vendor-Specific"},
    {LCP_OPT_MRU, "MRU"},
    {LCP_OPT_ACCM, "ACCM"},
    {LCP_OPT_AUTH, "Authentication-Protocol"},
    {LCP_OPT_QUALITY, "Quality-Protocol"},
    {LCP_OPT_MAGIC, "Magic-Number"},
    {LCP_OPT_PFC, "Protocol-Field-Compression"},
    {LCP_OPT_ACFC, "Address-and-Control-Field-Compression"},
    {LCP_OPT_FCS_ALT, "FCS-Alternatives"},
    {LCP_OPT_SDP, "Self-Describing-Padding"},
    {LCP_OPT_NUMBERED_MODE, "Numbered-Mode"},
    {12, "Multi-Link-Procedure"},
    {LCP_OPT_CALLBACK, "Callback"},
    {14, "Connect-Time"},
    {15, "Compound-Frames"},
    {16, "Nominal-Data-Encapsulation"},
    {LCP_OPT_MRRU, "Multilink-MRRU"},
    {LCP_OPT_SSNHF, "Multilink-Short-Sequence-Number-Header-Format"},
    {LCP_OPT_ENDPOINT_DISC, "Multilink-Endpoint-Discriminator"},
    {20, "Proprietary"},
    {21, "DCE-Identifier"},
    {22, "Multi-Link-Plus-Procedure"},
    {LCP_OPT_LINK_DISC, "Link-Discriminator"},
    {24, "LCP-Authentication-Option"},
    {25, "COBS"},
    {26, "Prefix-Elision"},
    {27, "Multilink-Header-Format"},
    {LCP_OPT_INTERNATIONALIZATION, "Internationalization"},
    {29, "Simple-Data-Link-on-SONET-SDH"},
    {30, "PPP-Muxing"},
};

static const val_name auth_names[] = {
    {LCP_AUTH_PAP, "PAP"},
    {LCP_AUTH_CHAP, "CHAP"},
    {LCP_AUTH_EAP, "EAP"},
    {0xc027, "SPAP"},
    {0xc123, "SPAP-old"},
    {0xc126, "Stampede-BCP"},
    {0xc281, "Proprietary-Authentication"},
};

static const val_name chap_alg_names[] = {
    {LCP_CHAP_MD5, "MD5"},
    {6, "SHA-1"},
    {7, "SHA-256"},
    {LCP_CHAP_MSCHAP, "MS-CHAP"},
    {LCP_CHAP_MSCHAPV2, "MS-CHAP-v2"},
};

static const val_name callback_names[] = {
    {0, "user-authentication"},
    {1, "dialing-string"},
    {2, "location-identifier"},
    {3, "e164"},
    {4, "distinguished-name"},
    {6, "cbcp"},
};

const char *lcp_code_name(uint8_t code) { return cp_code_name(CP_LCP, code); }
const char *lcp_opt_name(uint8_t type) { return VAL_NAME(lcp_opt_names, type, "unknown"); }
const char *lcp_auth_protocol_name(uint16_t proto) { return VAL_NAME(auth_names, proto, "unknown"); }
const char *lcp_chap_algorithm_name(uint8_t alg) { return VAL_NAME(chap_alg_names, alg, "unknown"); }
const char *lcp_callback_op_name(uint8_t op) { return VAL_NAME(callback_names, op, "unknown"); }

const char *lcp_auth_method_name(uint16_t proto, uint8_t algorithm)
{
    switch (proto) {
    case LCP_AUTH_PAP: return "pap";
    case LCP_AUTH_EAP: return "eap";
    case LCP_AUTH_CHAP:
        switch (algorithm) {
        case LCP_CHAP_MD5: return "chap-md5";
        case LCP_CHAP_MSCHAP: return "mschapv1";
        case LCP_CHAP_MSCHAPV2: return "mschapv2";
        default: return "chap";
        }
    default: return "unknown";
    }
}

static uint16_t be16(const uint8_t *p) { return (uint16_t)((p[0] << 8) | p[1]); }
static uint32_t be32(const uint8_t *p)
{
    return ((uint32_t)p[0] << 24) | ((uint32_t)p[1] << 16) | ((uint32_t)p[2] << 8) | p[3];
}

/* Whether an Endpoint Discriminator address length fits its class (RFC 1990 §5.1.3). */
static bool endpoint_len_ok(uint8_t cls, size_t n)
{
    switch (cls) {
    case 0: return n == 0;
    case 2: return n == 4;
    case 3: return n == 6;
    case 4: return n >= 4 && n <= 20 && n % 4 == 0;
    case 5: return n <= 15;
    default: return n <= 20;
    }
}

/* Decode one option into o; false when its length does not fit its type (or the
 * type is not one this decoder types).  *typed says whether the type is known. */
static bool lcp_take_option(const cp_option *op, lcp_options *o, bool *typed, bool *dup)
{
    const uint8_t *v = op->val;
    size_t n = op->vlen;
    *typed = true;
    *dup = false;
    switch (op->type) {
    case LCP_OPT_MRU:
        if (n != 2)
            return false;
        if ((*dup = o->has_mru))
            return true;
        o->has_mru = true;
        o->mru = be16(v);
        return true;
    case LCP_OPT_ACCM:
        if (n != 4)
            return false;
        if ((*dup = o->has_accm))
            return true;
        o->has_accm = true;
        o->accm = be32(v);
        return true;
    case LCP_OPT_AUTH: {
        if (n < 2)
            return false;
        uint16_t proto = be16(v);
        if (proto == LCP_AUTH_CHAP ? (n != 3) : ((proto == LCP_AUTH_PAP || proto == LCP_AUTH_EAP) && n != 2))
            return false;
        if ((*dup = o->has_auth))
            return true;
        o->has_auth = true;
        o->auth_protocol = proto;
        if (proto == LCP_AUTH_CHAP) {
            o->auth_algorithm = v[2];
        } else if (n > 2) {
            o->auth_data = v + 2;
            o->auth_data_len = n - 2;
        }
        return true;
    }
    case LCP_OPT_QUALITY:
        if (n < 2)
            return false;
        if ((*dup = o->has_quality))
            return true;
        o->has_quality = true;
        o->quality_protocol = be16(v);
        if (n > 2) {
            o->quality_data = v + 2;
            o->quality_data_len = n - 2;
        }
        return true;
    case LCP_OPT_MAGIC:
        if (n != 4)
            return false;
        if ((*dup = o->has_magic))
            return true;
        o->has_magic = true;
        o->magic = be32(v);
        return true;
    case LCP_OPT_PFC:
        if (n != 0)
            return false;
        *dup = o->pfc;
        o->pfc = true;
        return true;
    case LCP_OPT_ACFC:
        if (n != 0)
            return false;
        *dup = o->acfc;
        o->acfc = true;
        return true;
    case LCP_OPT_CALLBACK:
        if (n < 1)
            return false;
        if ((*dup = o->has_callback))
            return true;
        o->has_callback = true;
        o->callback_operation = v[0];
        if (n > 1) {
            o->callback_message = v + 1;
            o->callback_message_len = n - 1;
        }
        return true;
    case LCP_OPT_MRRU:
        if (n != 2)
            return false;
        if ((*dup = o->has_mrru))
            return true;
        o->has_mrru = true;
        o->mrru = be16(v);
        return true;
    case LCP_OPT_ENDPOINT_DISC:
        if (n < 1 || !endpoint_len_ok(v[0], n - 1))
            return false;
        if ((*dup = o->has_endpoint_disc))
            return true;
        o->has_endpoint_disc = true;
        o->endpoint_class = v[0];
        if (n > 1) {
            o->endpoint_address = v + 1;
            o->endpoint_address_len = n - 1;
        }
        return true;
    default:
        *typed = false;
        return false;
    }
}

void lcp_options_from_list(cp_option_list *l, lcp_options *o, anomaly_set *an)
{
    memset(o, 0, sizeof *o);
    for (int i = 0; i < l->count && i < CP_MAX_OPTIONS; i++) {
        bool typed, dup;
        bool ok = lcp_take_option(&l->opt[i], o, &typed, &dup);
        l->opt[i].known = ok && !dup;
        if (typed && !ok)
            anomaly_add(an, cp_anomaly(CP_LCP, CP_AN_OPTION_BAD_SIZE));
        if (dup)
            anomaly_add(an, cp_anomaly(CP_LCP, CP_AN_DUPLICATE_OPTION));
    }
}

dec_status lcp_decode(cursor *c, lcp_packet *p, anomaly_set *an)
{
    memset(p, 0, sizeof *p);
    dec_status st = cp_decode(c, CP_LCP, &p->cp, an);
    if (p->cp.length < CP_HEADER_LEN) /* header incomplete or Length < 4 */
        return st;
    if (cp_code_has_options(p->cp.code)) {
        lcp_options_from_list(&p->cp.options, &p->opts, an);
        return st;
    }
    cursor b;
    cp_body_cursor(&p->cp, &b);
    bool ok = true;
    switch (p->cp.code) {
    case CP_PROTO_REJ:
        ok = cursor_get_be16(&b, &p->rejected_protocol);
        break;
    case CP_ECHO_REQ:
    case CP_ECHO_REPLY:
    case CP_DISCARD_REQ:
    case CP_IDENTIFICATION:
        ok = cursor_get_be32(&b, &p->magic);
        break;
    case CP_TIME_REMAINING: {
        /* read both or neither, so a cut packet never shows half the fields */
        uint32_t magic, secs;
        ok = cursor_need(&b, 8) == DEC_OK && cursor_get_be32(&b, &magic) && cursor_get_be32(&b, &secs);
        if (ok) {
            p->magic = magic;
            p->seconds = secs;
        } else {
            cursor_fail(&b, cursor_need(&b, 8));
        }
        break;
    }
    default:
        break;
    }
    if (!ok) {
        if (cursor_status(&b) == DEC_MALFORMED) {
            anomaly_add(an, cp_anomaly(CP_LCP, CP_AN_SHORT_BODY));
            cursor_fail(c, DEC_MALFORMED);
            return DEC_MALFORMED;
        }
        return st == DEC_OK ? cursor_status(&b) : st;
    }
    cursor rest;
    cursor_rest(&b, &rest);
    p->data = cursor_len(&rest) ? cursor_data(&rest) : NULL;
    p->data_len = cursor_len(&rest);
    return st;
}

static bool put_span_option(wbuf *w, uint8_t type, const uint8_t *head, size_t head_len, const uint8_t *data,
                            size_t data_len)
{
    if (head_len + data_len > CP_OPTION_MAX_VALUE || (data_len && !data)) {
        w->overflow = true;
        return false;
    }
    wbuf_put_u8(w, type);
    wbuf_put_u8(w, (uint8_t)(2 + head_len + data_len));
    wbuf_put_bytes(w, head, head_len);
    if (data_len)
        wbuf_put_bytes(w, data, data_len);
    return wbuf_ok(w);
}

bool lcp_put_options(wbuf *w, const lcp_options *o)
{
    uint8_t b[4];
    if (o->has_mru) {
        b[0] = (uint8_t)(o->mru >> 8), b[1] = (uint8_t)o->mru;
        cp_put_option(w, LCP_OPT_MRU, b, 2);
    }
    if (o->has_accm) {
        size_t s = cp_option_begin(w, LCP_OPT_ACCM);
        wbuf_put_be32(w, o->accm);
        cp_option_end(w, s);
    }
    if (o->has_auth) {
        b[0] = (uint8_t)(o->auth_protocol >> 8), b[1] = (uint8_t)o->auth_protocol;
        if (o->auth_protocol == LCP_AUTH_CHAP) {
            b[2] = o->auth_algorithm;
            cp_put_option(w, LCP_OPT_AUTH, b, 3);
        } else {
            put_span_option(w, LCP_OPT_AUTH, b, 2, o->auth_data, o->auth_data_len);
        }
    }
    if (o->has_quality) {
        b[0] = (uint8_t)(o->quality_protocol >> 8), b[1] = (uint8_t)o->quality_protocol;
        put_span_option(w, LCP_OPT_QUALITY, b, 2, o->quality_data, o->quality_data_len);
    }
    if (o->has_magic) {
        size_t s = cp_option_begin(w, LCP_OPT_MAGIC);
        wbuf_put_be32(w, o->magic);
        cp_option_end(w, s);
    }
    if (o->pfc)
        cp_put_option(w, LCP_OPT_PFC, NULL, 0);
    if (o->acfc)
        cp_put_option(w, LCP_OPT_ACFC, NULL, 0);
    if (o->has_callback) {
        b[0] = o->callback_operation;
        put_span_option(w, LCP_OPT_CALLBACK, b, 1, o->callback_message, o->callback_message_len);
    }
    if (o->has_mrru) {
        b[0] = (uint8_t)(o->mrru >> 8), b[1] = (uint8_t)o->mrru;
        cp_put_option(w, LCP_OPT_MRRU, b, 2);
    }
    if (o->has_endpoint_disc) {
        b[0] = o->endpoint_class;
        put_span_option(w, LCP_OPT_ENDPOINT_DISC, b, 1, o->endpoint_address, o->endpoint_address_len);
    }
    return wbuf_ok(w);
}

bool lcp_encode(wbuf *w, const lcp_packet *p)
{
    size_t start = cp_encode_header(w, p->cp.code, p->cp.id);
    if (cp_code_has_options(p->cp.code)) {
        lcp_put_options(w, &p->opts);
        cp_put_options(w, &p->cp.options, true);
        return cp_finish(w, start);
    }
    switch (p->cp.code) {
    case CP_PROTO_REJ:
        wbuf_put_be16(w, p->rejected_protocol);
        break;
    case CP_ECHO_REQ:
    case CP_ECHO_REPLY:
    case CP_DISCARD_REQ:
    case CP_IDENTIFICATION:
        wbuf_put_be32(w, p->magic);
        break;
    case CP_TIME_REMAINING:
        wbuf_put_be32(w, p->magic);
        wbuf_put_be32(w, p->seconds);
        break;
    default:
        break;
    }
    if (p->data_len) {
        if (!p->data) {
            w->overflow = true;
            return false;
        }
        wbuf_put_bytes(w, p->data, p->data_len);
    }
    return cp_finish(w, start);
}
