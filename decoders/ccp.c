/*
 * ccp.c - PPP CCP codec (RFC 1962; MPPE/MPPC option RFC 3078, RFC 2118).
 * See ccp.h.
 */
#include "ccp.h"

#include <string.h>

#include "names.h"

static const val_name ccp_opt_names[] = {
    {CCP_OPT_OUI, "OUI"},
    {CCP_OPT_PREDICTOR1, "Predictor-1"},
    {CCP_OPT_PREDICTOR2, "Predictor-2"},
    {CCP_OPT_PUDDLE, "Puddle-Jumper"},
    {CCP_OPT_HP_PPC, "Hewlett-Packard-PPC"},
    {CCP_OPT_STAC_LZS, "Stac-LZS"},
    {CCP_OPT_MPPE, "MPPE/MPPC"},
    {CCP_OPT_GANDALF_FZA, "Gandalf-FZA"},
    {CCP_OPT_V42BIS, "V.42bis"},
    {CCP_OPT_BSD_COMPRESS, "BSD-Compress"},
    {CCP_OPT_LZS_DCP, "LZS-DCP"},
    {CCP_OPT_MVRCA, "MVRCA"},
    {CCP_OPT_DCE, "DCE"},
    {CCP_OPT_DEFLATE, "Deflate"},
    {CCP_OPT_V44, "V.44"},
};

const char *ccp_code_name(uint8_t code) { return cp_code_name(CP_CCP, code); }
const char *ccp_opt_name(uint8_t type) { return VAL_NAME(ccp_opt_names, type, "unknown"); }

void ccp_mppe_set_bits(ccp_options *o, uint32_t bits)
{
    o->has_mppe = true;
    o->mppe_bits = bits;
    o->mppe_stateless = (bits & CCP_MPPE_H) != 0;
    o->mppe_128 = (bits & CCP_MPPE_S) != 0;
    o->mppe_56 = (bits & CCP_MPPE_M) != 0;
    o->mppe_40 = (bits & CCP_MPPE_L) != 0;
    o->mppe_obsolete_d = (bits & CCP_MPPE_D) != 0;
    o->mppc = (bits & CCP_MPPE_C) != 0;
}

uint32_t ccp_mppe_bits(const ccp_options *o)
{
    uint32_t b = o->mppe_bits;
    if (o->mppe_stateless)
        b |= CCP_MPPE_H;
    if (o->mppe_128)
        b |= CCP_MPPE_S;
    if (o->mppe_56)
        b |= CCP_MPPE_M;
    if (o->mppe_40)
        b |= CCP_MPPE_L;
    if (o->mppe_obsolete_d)
        b |= CCP_MPPE_D;
    if (o->mppc)
        b |= CCP_MPPE_C;
    return b;
}

unsigned ccp_mppe_key_bits(uint32_t bits)
{
    if (bits & CCP_MPPE_S)
        return 128;
    if (bits & CCP_MPPE_M)
        return 56;
    if (bits & CCP_MPPE_L)
        return 40;
    return 0;
}

void ccp_options_from_list(cp_option_list *l, ccp_options *o, anomaly_set *an)
{
    memset(o, 0, sizeof *o);
    for (int i = 0; i < l->count && i < CP_MAX_OPTIONS; i++) {
        cp_option *op = &l->opt[i];
        op->known = false;
        if (op->type != CCP_OPT_MPPE)
            continue;
        if (op->vlen != 4) {
            anomaly_add(an, cp_anomaly(CP_CCP, CP_AN_OPTION_BAD_SIZE));
            continue;
        }
        if (o->has_mppe) {
            anomaly_add(an, cp_anomaly(CP_CCP, CP_AN_DUPLICATE_OPTION));
            continue;
        }
        const uint8_t *v = op->val;
        uint32_t bits = ((uint32_t)v[0] << 24) | ((uint32_t)v[1] << 16) | ((uint32_t)v[2] << 8) | v[3];
        ccp_mppe_set_bits(o, bits);
        if (bits & ~CCP_MPPE_KNOWN_BITS)
            anomaly_add(an, ANOMALY_CP_CCP_MPPE_UNKNOWN_BITS);
        op->known = true;
    }
}

dec_status ccp_decode(cursor *c, ccp_packet *p, anomaly_set *an)
{
    memset(p, 0, sizeof *p);
    dec_status st = cp_decode(c, CP_CCP, &p->cp, an);
    if (p->cp.length < CP_HEADER_LEN)
        return st;
    if (cp_code_has_options(p->cp.code)) {
        ccp_options_from_list(&p->cp.options, &p->opts, an);
    } else if (p->cp.body_len) {
        p->data = p->cp.body;
        p->data_len = p->cp.body_len;
    }
    return st;
}

bool ccp_put_options(wbuf *w, const ccp_options *o)
{
    if (o->has_mppe) {
        size_t s = cp_option_begin(w, CCP_OPT_MPPE);
        wbuf_put_be32(w, ccp_mppe_bits(o));
        cp_option_end(w, s);
    }
    return wbuf_ok(w);
}

bool ccp_encode(wbuf *w, const ccp_packet *p)
{
    size_t start = cp_encode_header(w, p->cp.code, p->cp.id);
    if (cp_code_has_options(p->cp.code)) {
        ccp_put_options(w, &p->opts);
        cp_put_options(w, &p->cp.options, true);
    } else if (p->data_len) {
        if (!p->data)
            w->overflow = true;
        else
            wbuf_put_bytes(w, p->data, p->data_len);
    }
    return cp_finish(w, start);
}
