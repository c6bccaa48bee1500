/*
 * ipcp.c - PPP IPCP codec (RFC 1332, RFC 1877, RFC 1172 IP-Addresses).  See ipcp.h.
 */
#include "ipcp.h"

#include <string.h>

#include "names.h"

static const val_name ipcp_opt_names[] = {
    {IPCP_OPT_ADDRESSES, "IP-Addresses"},
    {IPCP_OPT_COMPRESSION, "IP-Compression-Protocol"},
    {IPCP_OPT_ADDRESS, "IP-Address"},
    {IPCP_OPT_MOBILE_IPV4, "Mobile-IPv4"},
    {IPCP_OPT_PRIMARY_DNS, "Primary-DNS"},
    {IPCP_OPT_PRIMARY_NBNS, "Primary-NBNS"},
    {IPCP_OPT_SECONDARY_DNS, "Secondary-DNS"},
    {IPCP_OPT_SECONDARY_NBNS, "Secondary-NBNS"},
};

static const val_name ipcp_comp_names[] = {
    {IPCP_COMP_VJ, "Van-Jacobson"},
    {IPCP_COMP_IPHC, "IPHC"},
    {0x0003, "ROHC"},
};

const char *ipcp_code_name(uint8_t code) { return cp_code_name(CP_IPCP, code); }
const char *ipcp_opt_name(uint8_t type) { return VAL_NAME(ipcp_opt_names, type, "unknown"); }
const char *ipcp_compression_name(uint16_t proto) { return VAL_NAME(ipcp_comp_names, proto, "unknown"); }

static uint32_t be32(const uint8_t *p)
{
    return ((uint32_t)p[0] << 24) | ((uint32_t)p[1] << 16) | ((uint32_t)p[2] << 8) | p[3];
}

/* Store a 4-byte address option; *dup when already present. */
static bool take_addr(const cp_option *op, bool *has, uint32_t *val, bool *dup)
{
    if (op->vlen != 4)
        return false;
    if ((*dup = *has))
        return true;
    *has = true;
    *val = be32(op->val);
    return true;
}

static bool ipcp_take_option(const cp_option *op, ipcp_options *o, bool *typed, bool *dup)
{
    const uint8_t *v = op->val;
    size_t n = op->vlen;
    *typed = true;
    *dup = false;
    switch (op->type) {
    case IPCP_OPT_ADDRESSES:
        if (n != 8)
            return false;
        if ((*dup = o->has_addresses))
            return true;
        o->has_addresses = true;
        o->src_address = be32(v);
        o->dst_address = be32(v + 4);
        return true;
    case IPCP_OPT_COMPRESSION: {
        if (n < 2)
            return false;
        uint16_t proto = (uint16_t)((v[0] << 8) | v[1]);
        if (proto == IPCP_COMP_VJ && n != 4)
            return false;
        if ((*dup = o->has_compression))
            return true;
        o->has_compression = true;
        o->compression_protocol = proto;
        if (proto == IPCP_COMP_VJ) {
            o->vj_max_slot_id = v[2];
            o->vj_comp_slot_id = v[3];
        } else if (n > 2) {
            o->compression_data = v + 2;
            o->compression_data_len = n - 2;
        }
        return true;
    }
    case IPCP_OPT_ADDRESS: return take_addr(op, &o->has_address, &o->address, dup);
    case IPCP_OPT_PRIMARY_DNS: return take_addr(op, &o->has_primary_dns, &o->primary_dns, dup);
    case IPCP_OPT_PRIMARY_NBNS: return take_addr(op, &o->has_primary_nbns, &o->primary_nbns, dup);
    case IPCP_OPT_SECONDARY_DNS: return take_addr(op, &o->has_secondary_dns, &o->secondary_dns, dup);
    case IPCP_OPT_SECONDARY_NBNS: return take_addr(op, &o->has_secondary_nbns, &o->secondary_nbns, dup);
    default: *typed = false; return false;
    }
}

void ipcp_options_from_list(cp_option_list *l, ipcp_options *o, anomaly_set *an)
{
    memset(o, 0, sizeof *o);
    for (int i = 0; i < l->count && i < CP_MAX_OPTIONS; i++) {
        bool typed, dup;
        bool ok = ipcp_take_option(&l->opt[i], o, &typed, &dup);
        l->opt[i].known = ok && !dup;
        if (typed && !ok)
            anomaly_add(an, cp_anomaly(CP_IPCP, CP_AN_OPTION_BAD_SIZE));
        if (dup)
            anomaly_add(an, cp_anomaly(CP_IPCP, CP_AN_DUPLICATE_OPTION));
    }
}

dec_status ipcp_decode(cursor *c, ipcp_packet *p, anomaly_set *an)
{
    memset(p, 0, sizeof *p);
    dec_status st = cp_decode(c, CP_IPCP, &p->cp, an);
    if (p->cp.length < CP_HEADER_LEN)
        return st;
    if (cp_code_has_options(p->cp.code)) {
        ipcp_options_from_list(&p->cp.options, &p->opts, an);
    } else if (p->cp.body_len) {
        p->data = p->cp.body;
        p->data_len = p->cp.body_len;
    }
    return st;
}

static void put_addr_opt(wbuf *w, uint8_t type, uint32_t a)
{
    size_t s = cp_option_begin(w, type);
    wbuf_put_be32(w, a);
    cp_option_end(w, s);
}

bool ipcp_put_options(wbuf *w, const ipcp_options *o)
{
    if (o->has_addresses) {
        size_t s = cp_option_begin(w, IPCP_OPT_ADDRESSES);
        wbuf_put_be32(w, o->src_address);
        wbuf_put_be32(w, o->dst_address);
        cp_option_end(w, s);
    }
    if (o->has_compression) {
        size_t s = cp_option_begin(w, IPCP_OPT_COMPRESSION);
        wbuf_put_be16(w, o->compression_protocol);
        if (o->compression_protocol == IPCP_COMP_VJ) {
            wbuf_put_u8(w, o->vj_max_slot_id);
            wbuf_put_u8(w, o->vj_comp_slot_id);
        } else if (o->compression_data_len) {
            if (!o->compression_data || o->compression_data_len > CP_OPTION_MAX_VALUE - 2)
                w->overflow = true;
            else
                wbuf_put_bytes(w, o->compression_data, o->compression_data_len);
        }
        cp_option_end(w, s);
    }
    if (o->has_address)
        put_addr_opt(w, IPCP_OPT_ADDRESS, o->address);
    if (o->has_primary_dns)
        put_addr_opt(w, IPCP_OPT_PRIMARY_DNS, o->primary_dns);
    if (o->has_primary_nbns)
        put_addr_opt(w, IPCP_OPT_PRIMARY_NBNS, o->primary_nbns);
    if (o->has_secondary_dns)
        put_addr_opt(w, IPCP_OPT_SECONDARY_DNS, o->secondary_dns);
    if (o->has_secondary_nbns)
        put_addr_opt(w, IPCP_OPT_SECONDARY_NBNS, o->secondary_nbns);
    return wbuf_ok(w);
}

bool ipcp_encode(wbuf *w, const ipcp_packet *p)
{
    size_t start = cp_encode_header(w, p->cp.code, p->cp.id);
    if (cp_code_has_options(p->cp.code)) {
        ipcp_put_options(w, &p->opts);
        cp_put_options(w, &p->cp.options, true);
    } else if (p->data_len) {
        if (!p->data)
            w->overflow = true;
        else
            wbuf_put_bytes(w, p->data, p->data_len);
    }
    return cp_finish(w, start);
}
