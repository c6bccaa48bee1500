/* ipv4.c - IPv4 (RFC 791) decoder and encoder; see ipv4.h. */
#include "ipv4.h"

#include <stdio.h>
#include <string.h>

enum { IPOPT_EOL = 0, IPOPT_NOP = 1 };

/* Options are kept as bytes; only their TLV structure is checked (RFC 791 3.1). */
static bool options_well_formed(const uint8_t *opt, size_t n)
{
    cursor c;
    cursor_init_exact(&c, opt, n);
    uint8_t kind, len;
    while (cursor_get_u8(&c, &kind)) {
        if (kind == IPOPT_EOL)
            return true;
        if (kind == IPOPT_NOP)
            continue;
        if (!cursor_get_u8(&c, &len) || len < 2 || !cursor_skip(&c, (size_t)len - 2))
            return false;
    }
    return true;
}

dec_status ipv4_decode(cursor *c, struct ipv4_hdr *h, cursor *payload, anomaly_set *an)
{
    memset(h, 0, sizeof *h);
    cursor_init(payload, NULL, 0);
    uint8_t vihl;
    if (!cursor_peek_u8(c, &vihl)) {
        cursor_fail(c, cursor_need(c, 1));
        return cursor_status(c);
    }
    h->version = vihl >> 4;
    h->hdr_len = (uint8_t)((vihl & 0x0f) * 4);
    if (h->version != 4 || h->hdr_len < IPV4_MIN_HDR) {
        cursor_fail(c, DEC_MALFORMED);
        return DEC_MALFORMED;
    }
    cursor hdr;
    if (!cursor_sub(c, h->hdr_len, &hdr))
        return cursor_status(c);
    h->checksum_ok = ip_csum_finish(ip_csum_add(0, &hdr)) == 0;
    uint16_t frag = 0;
    cursor_skip(&hdr, 1);
    cursor_get_u8(&hdr, &h->tos);
    cursor_get_be16(&hdr, &h->total_len);
    cursor_get_be16(&hdr, &h->id);
    cursor_get_be16(&hdr, &frag);
    cursor_get_u8(&hdr, &h->ttl);
    cursor_get_u8(&hdr, &h->proto);
    cursor_get_be16(&hdr, &h->checksum);
    cursor_get_be32(&hdr, &h->src);
    cursor_get_be32(&hdr, &h->dst);
    h->opt_len = (uint8_t)(h->hdr_len - IPV4_MIN_HDR);
    cursor_get_bytes(&hdr, h->options, h->opt_len);
    /* hdr was carved whole: these reads cannot fail */
    h->reserved_flag = (frag & 0x8000) != 0;
    h->dont_fragment = (frag & 0x4000) != 0;
    h->more_fragments = (frag & 0x2000) != 0;
    h->frag_offset = (uint16_t)((frag & 0x1fff) * 8);
    h->is_fragment = h->more_fragments || h->frag_offset != 0;

    if (h->total_len == 0) { /* TSO: the NIC fills the length in later */
        anomaly_add(an, ANOMALY_IP_ZERO_TOTAL_LENGTH);
        cursor_rest(c, payload);
    } else if (h->total_len < h->hdr_len) {
        cursor_fail(c, DEC_MALFORMED);
        return DEC_MALFORMED;
    } else {
        size_t plen = (size_t)h->total_len - h->hdr_len;
        dec_status need = cursor_need(c, plen);
        if (need == DEC_MALFORMED) {
            cursor_fail(c, DEC_MALFORMED);
            return DEC_MALFORMED;
        }
        h->payload_truncated = !cursor_sub_upto(c, plen, payload);
        if (h->more_fragments && plen % 8 != 0)
            anomaly_add(an, ANOMALY_IP_FRAG_MISALIGNED);
        if (h->frag_offset + plen > 65535)
            anomaly_add(an, ANOMALY_IP_FRAG_TOO_LARGE);
    }
    if (!h->checksum_ok)
        anomaly_add(an, ANOMALY_IP_BAD_CHECKSUM);
    if (h->reserved_flag)
        anomaly_add(an, ANOMALY_IP_RESERVED_FLAG);
    if (h->opt_len && !options_well_formed(h->options, h->opt_len))
        anomaly_add(an, ANOMALY_IP_BAD_OPTIONS);
    return DEC_OK;
}

bool ipv4_encode(wbuf *w, const struct ipv4_hdr *h, const uint8_t *payload, size_t len)
{
    if (h->opt_len > IPV4_MAX_OPT || h->frag_offset % 8 != 0)
        return false;
    size_t hl = IPV4_MIN_HDR + ((size_t)h->opt_len + 3) / 4 * 4;
    if (hl + len > 65535)
        return false;
    size_t start = wbuf_len(w);
    uint16_t frag = (uint16_t)((h->reserved_flag ? 0x8000 : 0) | (h->dont_fragment ? 0x4000 : 0) |
                               (h->more_fragments ? 0x2000 : 0) | (h->frag_offset / 8));
    wbuf_put_u8(w, (uint8_t)(0x40 | hl / 4));
    wbuf_put_u8(w, h->tos);
    wbuf_put_be16(w, h->raw_total_len ? h->raw_total_len : (uint16_t)(hl + len));
    wbuf_put_be16(w, h->id);
    wbuf_put_be16(w, frag);
    wbuf_put_u8(w, h->ttl);
    wbuf_put_u8(w, h->proto);
    wbuf_put_be16(w, 0);
    wbuf_put_be32(w, h->src);
    wbuf_put_be32(w, h->dst);
    wbuf_put_bytes(w, h->options, h->opt_len);
    wbuf_put_zeros(w, hl - IPV4_MIN_HDR - h->opt_len);
    if (!wbuf_ok(w))
        return false;
    wbuf_patch_be16(w, start + 10, ip_csum_finish(ip_csum_add_bytes(0, w->buf + start, hl)));
    wbuf_put_bytes(w, payload, len);
    return wbuf_ok(w);
}

void ipv4_pair(const struct ipv4_hdr *h, struct ip_pair *p)
{
    ip_pair_v4(p, h->src, h->dst);
}

char *ipv4_addr_str(uint32_t a, char *buf, size_t size)
{
    snprintf(buf, size, "%u.%u.%u.%u", a >> 24, (a >> 16) & 0xff, (a >> 8) & 0xff, a & 0xff);
    return buf;
}
