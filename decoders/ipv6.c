/* ipv6.c - IPv6 (RFC 8200) decoder and encoder; see ipv6.h. */
#include "ipv6.h"

#include <stdio.h>
#include <string.h>

bool ipv6_is_ext_header(uint8_t nh)
{
    switch (nh) {
    case IP_PROTO_HOPOPTS:
    case IP_PROTO_ROUTING:
    case IP_PROTO_FRAGMENT:
    case IP_PROTO_DSTOPTS:
    case IP_PROTO_AH:
    case IP_PROTO_MOBILITY:
    case IP_PROTO_HIP:
    case IP_PROTO_SHIM6:
    case IP_PROTO_EXP1:
    case IP_PROTO_EXP2:
        return true;
    default:
        return false;
    }
}

static dec_status fail_from(cursor *c, const cursor *inner)
{
    cursor_fail(c, cursor_status(inner));
    return cursor_status(c);
}

dec_status ipv6_decode(cursor *c, struct ipv6_hdr *h, cursor *payload, anomaly_set *an)
{
    memset(h, 0, sizeof *h);
    cursor_init(payload, NULL, 0);
    uint8_t b0;
    if (!cursor_peek_u8(c, &b0)) {
        cursor_fail(c, cursor_need(c, 1));
        return cursor_status(c);
    }
    h->version = b0 >> 4;
    if (h->version != 6) {
        cursor_fail(c, DEC_MALFORMED);
        return DEC_MALFORMED;
    }
    cursor hdr;
    if (!cursor_sub(c, IPV6_HDR_LEN, &hdr))
        return cursor_status(c);
    uint32_t vtf = 0;
    cursor_get_be32(&hdr, &vtf);
    cursor_get_be16(&hdr, &h->payload_len);
    cursor_get_u8(&hdr, &h->next_header);
    cursor_get_u8(&hdr, &h->hop_limit);
    cursor_get_bytes(&hdr, h->src, 16);
    cursor_get_bytes(&hdr, h->dst, 16);
    h->tclass = (uint8_t)(vtf >> 20);
    h->flow = vtf & 0xfffff;

    cursor body;
    if (h->payload_len == 0 && h->next_header != IP_PROTO_NONE) {
        anomaly_add(an, ANOMALY_IP6_ZERO_PAYLOAD_LENGTH);
        cursor_rest(c, &body);
    } else {
        if (cursor_need(c, h->payload_len) == DEC_MALFORMED) {
            cursor_fail(c, DEC_MALFORMED);
            return DEC_MALFORMED;
        }
        h->payload_truncated = !cursor_sub_upto(c, h->payload_len, &body);
    }

    uint8_t nh = h->next_header;
    size_t frag_end = 0; /* bytes of headers up to the end of the fragment header */
    while (ipv6_is_ext_header(nh)) {
        if (h->n_ext == IPV6_MAX_EXT) {
            anomaly_add(an, ANOMALY_IP6_TOO_MANY_EXT_HEADERS);
            break;
        }
        if (nh == IP_PROTO_HOPOPTS && h->n_ext > 0)
            anomaly_add(an, ANOMALY_IP6_HBH_NOT_FIRST);
        uint8_t next = 0, len = 0;
        size_t hl;
        if (nh == IP_PROTO_FRAGMENT) {
            uint16_t offlg = 0;
            uint32_t id = 0;
            cursor_get_u8(&body, &next);
            cursor_skip(&body, 1);
            cursor_get_be16(&body, &offlg);
            cursor_get_be32(&body, &id);
            if (cursor_status(&body) != DEC_OK)
                return fail_from(c, &body);
            h->ext[h->n_ext++] = nh;
            h->ext_len += IPV6_FRAG_HDR_LEN;
            nh = next;
            if (!h->has_frag) {
                h->has_frag = true;
                h->frag_offset = offlg & 0xfff8;
                h->more_fragments = offlg & 1;
                h->frag_id = id;
                frag_end = h->ext_len;
            }
            if (offlg & 0xfff8)
                break; /* not the first fragment: the rest is fragment data */
            continue;
        }
        cursor_get_u8(&body, &next);
        cursor_get_u8(&body, &len);
        hl = nh == IP_PROTO_AH ? ((size_t)len + 2) * 4 : ((size_t)len + 1) * 8;
        cursor_skip(&body, hl - 2);
        if (cursor_status(&body) != DEC_OK)
            return fail_from(c, &body);
        h->ext[h->n_ext++] = nh;
        h->ext_len = (uint16_t)(h->ext_len + hl);
        nh = next;
    }
    h->proto = nh;
    if (h->has_frag) {
        h->is_fragment = h->frag_offset != 0 || h->more_fragments;
        if (!h->is_fragment)
            anomaly_add(an, ANOMALY_IP6_ATOMIC_FRAGMENT);
        if (h->more_fragments && h->payload_len >= frag_end && (h->payload_len - frag_end) % 8 != 0)
            anomaly_add(an, ANOMALY_IP6_FRAG_MISALIGNED);
    }
    cursor_rest(&body, payload);
    return DEC_OK;
}

bool ipv6_encode(wbuf *w, const struct ipv6_hdr *h, const uint8_t *payload, size_t len)
{
    size_t plen = len + (h->has_frag ? IPV6_FRAG_HDR_LEN : 0);
    if (plen > 65535 || h->frag_offset % 8 != 0)
        return false;
    wbuf_put_be32(w, 6u << 28 | (uint32_t)h->tclass << 20 | (h->flow & 0xfffff));
    wbuf_put_be16(w, (uint16_t)plen);
    wbuf_put_u8(w, h->has_frag ? IP_PROTO_FRAGMENT : h->proto);
    wbuf_put_u8(w, h->hop_limit);
    wbuf_put_bytes(w, h->src, 16);
    wbuf_put_bytes(w, h->dst, 16);
    if (h->has_frag) {
        wbuf_put_u8(w, h->proto);
        wbuf_put_u8(w, 0);
        wbuf_put_be16(w, (uint16_t)(h->frag_offset | (h->more_fragments ? 1 : 0)));
        wbuf_put_be32(w, h->frag_id);
    }
    wbuf_put_bytes(w, payload, len);
    return wbuf_ok(w);
}

void ipv6_pair(const struct ipv6_hdr *h, struct ip_pair *p)
{
    ip_pair_v6(p, h->src, h->dst);
}

char *ipv6_addr_str(const uint8_t a[16], char *buf, size_t size)
{
    uint16_t g[8];
    for (int i = 0; i < 8; i++)
        g[i] = (uint16_t)(a[2 * i] << 8 | a[2 * i + 1]);
    int best = -1, best_len = 0;
    for (int i = 0; i < 8;) {
        if (g[i] != 0) {
            i++;
            continue;
        }
        int j = i;
        while (j < 8 && g[j] == 0)
            j++;
        if (j - i > best_len && j - i >= 2) {
            best = i;
            best_len = j - i;
        }
        i = j;
    }
    char tmp[48];
    size_t n = 0;
    for (int i = 0; i < 8; i++) {
        if (i == best) {
            n += (size_t)snprintf(tmp + n, sizeof tmp - n, "::");
            i += best_len - 1;
            continue;
        }
        if (n > 0 && tmp[n - 1] != ':')
            tmp[n++] = ':';
        n += (size_t)snprintf(tmp + n, sizeof tmp - n, "%x", g[i]);
    }
    tmp[n] = '\0';
    snprintf(buf, size, "%s", tmp);
    return buf;
}
