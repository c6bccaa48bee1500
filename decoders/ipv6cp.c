/*
 * ipv6cp.c - PPP IPV6CP codec (RFC 5072).  See ipv6cp.h.
 */
#include "ipv6cp.h"

#include <string.h>

#include "names.h"

static const val_name ipv6cp_opt_names[] = {
    {IPV6CP_OPT_INTERFACE_ID, "Interface-Identifier"},
    {IPV6CP_OPT_COMPRESSION, "IPv6-Compression-Protocol"},
};

const char *ipv6cp_code_name(uint8_t code) { return cp_code_name(CP_IPV6CP, code); }
const char *ipv6cp_opt_name(uint8_t type) { return VAL_NAME(ipv6cp_opt_names, type, "unknown"); }

static bool ipv6cp_take_option(const cp_option *op, ipv6cp_options *o, bool *typed, bool *dup)
{
    const uint8_t *v = op->val;
    size_t n = op->vlen;
    *typed = true;
    *dup = false;
    switch (op->type) {
    case IPV6CP_OPT_INTERFACE_ID:
        if (n != IPV6CP_IFID_LEN)
            return false;
        if ((*dup = o->has_interface_id))
            return true;
        o->has_interface_id = true;
        memcpy(o->interface_id, v, IPV6CP_IFID_LEN);
        return true;
    case IPV6CP_OPT_COMPRESSION:
        if (n < 2)
            return false;
        if ((*dup = o->has_compression))
            return true;
        o->has_compression = true;
        o->compression_protocol = (uint16_t)((v[0] << 8) | v[1]);
        if (n > 2) {
            o->compression_data = v + 2;
            o->compression_data_len = n - 2;
        }
        return true;
    default: *typed = false; return false;
    }
}

void ipv6cp_options_from_list(cp_option_list *l, ipv6cp_options *o, anomaly_set *an)
{
    memset(o, 0, sizeof *o);
    for (int i = 0; i < l->count && i < CP_MAX_OPTIONS; i++) {
        bool typed, dup;
        bool ok = ipv6cp_take_option(&l->opt[i], o, &typed, &dup);
        l->opt[i].known = ok && !dup;
        if (typed && !ok)
            anomaly_add(an, cp_anomaly(CP_IPV6CP, CP_AN_OPTION_BAD_SIZE));
        if (dup)
            anomaly_add(an, cp_anomaly(CP_IPV6CP, CP_AN_DUPLICATE_OPTION));
    }
}

dec_status ipv6cp_decode(cursor *c, ipv6cp_packet *p, anomaly_set *an)
{
    memset(p, 0, sizeof *p);
    dec_status st = cp_decode(c, CP_IPV6CP, &p->cp, an);
    if (p->cp.length < CP_HEADER_LEN)
        return st;
    if (cp_code_has_options(p->cp.code)) {
        ipv6cp_options_from_list(&p->cp.options, &p->opts, an);
    } else if (p->cp.body_len) {
        p->data = p->cp.body;
        p->data_len = p->cp.body_len;
    }
    return st;
}

bool ipv6cp_put_options(wbuf *w, const ipv6cp_options *o)
{
    if (o->has_interface_id)
        cp_put_option(w, IPV6CP_OPT_INTERFACE_ID, o->interface_id, IPV6CP_IFID_LEN);
    if (o->has_compression) {
        size_t s = cp_option_begin(w, IPV6CP_OPT_COMPRESSION);
        wbuf_put_be16(w, o->compression_protocol);
        if (o->compression_data_len) {
            if (!o->compression_data || o->compression_data_len > CP_OPTION_MAX_VALUE - 2)
                w->overflow = true;
            else
                wbuf_put_bytes(w, o->compression_data, o->compression_data_len);
        }
        cp_option_end(w, s);
    }
    return wbuf_ok(w);
}

bool ipv6cp_encode(wbuf *w, const ipv6cp_packet *p)
{
    size_t start = cp_encode_header(w, p->cp.code, p->cp.id);
    if (cp_code_has_options(p->cp.code)) {
        ipv6cp_put_options(w, &p->opts);
        cp_put_options(w, &p->cp.options, true);
    } else if (p->data_len) {
        if (!p->data)
            w->overflow = true;
        else
            wbuf_put_bytes(w, p->data, p->data_len);
    }
    return cp_finish(w, start);
}
