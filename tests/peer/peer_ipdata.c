/* peer_ipdata.c - tunnelled test packets; see peer_ipdata.h */
#include "peer_ipdata.h"

#include <string.h>

#include "cursor.h"
#include "icmp.h"
#include "ip_common.h"
#include "ipv4.h"
#include "tcp.h"

#define UDP_HDR 8

int ipd_kind_from_name(const char *s)
{
    if (!strcmp(s, "icmp"))
        return IPD_ICMP_ECHO;
    if (!strcmp(s, "udp"))
        return IPD_UDP;
    if (!strcmp(s, "tcp-syn") || !strcmp(s, "tcp"))
        return IPD_TCP_SYN;
    return -1;
}

static void fill_pattern(uint8_t *p, size_t n, uint16_t seed)
{
    for (size_t i = 0; i < n; i++)
        p[i] = (uint8_t)(0x20 + (i + seed) % 0x5f); /* printable, like ping's pattern */
}

static size_t wrap_ip(uint32_t src, uint32_t dst, uint8_t proto, uint16_t id, const uint8_t *l4, size_t len,
                      uint8_t *out, size_t cap)
{
    struct ipv4_hdr h;
    memset(&h, 0, sizeof h);
    h.ttl = 128;
    h.proto = proto;
    h.src = src;
    h.dst = dst;
    h.id = id;
    wbuf w;
    wbuf_init(&w, out, cap);
    return ipv4_encode(&w, &h, l4, len) ? wbuf_len(&w) : 0;
}

static size_t build_udp(const ipd_spec *s, size_t plen, uint8_t *out, size_t cap)
{
    uint8_t seg[1600];
    if (UDP_HDR + plen > sizeof seg)
        return 0;
    size_t len = UDP_HDR + plen;
    seg[0] = (uint8_t)(s->sport >> 8), seg[1] = (uint8_t)s->sport;
    seg[2] = (uint8_t)(s->dport >> 8), seg[3] = (uint8_t)s->dport;
    seg[4] = (uint8_t)(len >> 8), seg[5] = (uint8_t)len;
    seg[6] = seg[7] = 0;
    fill_pattern(seg + UDP_HDR, plen, s->seq);
    struct ip_pair ip;
    ip_pair_v4(&ip, s->src, s->dst);
    uint16_t c = ip_csum_finish(ip_csum_add_bytes(ip_pseudo_sum(&ip, IP_PROTO_UDP, (uint32_t)len), seg, len));
    if (!c)
        c = 0xffff;
    seg[6] = (uint8_t)(c >> 8), seg[7] = (uint8_t)c;
    return wrap_ip(s->src, s->dst, IP_PROTO_UDP, s->ip_id, seg, len, out, cap);
}

size_t ipd_build(const ipd_spec *s, uint8_t *out, size_t cap)
{
    uint8_t l4[1600];
    size_t want = s->size;
    switch (s->kind) {
    case IPD_ICMP_ECHO:
    case IPD_ICMP_REPLY: {
        size_t plen = want > IPV4_MIN_HDR + ICMP_HDR_LEN ? want - IPV4_MIN_HDR - ICMP_HDR_LEN : 0;
        if (plen > sizeof l4 - 64)
            return 0;
        uint8_t data[1600];
        fill_pattern(data, plen, 0);
        struct icmp_msg m;
        memset(&m, 0, sizeof m);
        m.type = s->kind == IPD_ICMP_ECHO ? ICMP4_ECHO_REQUEST : ICMP4_ECHO_REPLY;
        m.id = s->ident;
        m.seq = s->seq;
        wbuf w;
        wbuf_init(&w, l4, sizeof l4);
        if (!icmp4_encode(&w, &m, data, plen))
            return 0;
        return wrap_ip(s->src, s->dst, IP_PROTO_ICMP, s->ip_id, l4, wbuf_len(&w), out, cap);
    }
    case IPD_UDP: {
        size_t plen = want > IPV4_MIN_HDR + UDP_HDR ? want - IPV4_MIN_HDR - UDP_HDR : 0;
        return build_udp(s, plen, out, cap);
    }
    case IPD_TCP_SYN:
    case IPD_TCP_SYNACK: {
        struct tcp_hdr h;
        memset(&h, 0, sizeof h);
        h.sport = s->sport;
        h.dport = s->dport;
        h.seq = s->tcp_seq;
        h.flags = s->kind == IPD_TCP_SYN ? TCP_SYN : (TCP_SYN | TCP_ACK);
        h.window = 64240;
        h.has_mss = true;
        h.mss = s->mss ? s->mss : 1460;
        h.sack_permitted = true;
        struct ip_pair ip;
        ip_pair_v4(&ip, s->src, s->dst);
        wbuf w;
        wbuf_init(&w, l4, sizeof l4);
        if (!tcp_encode(&w, &ip, &h, NULL, 0))
            return 0;
        return wrap_ip(s->src, s->dst, IP_PROTO_TCP, s->ip_id, l4, wbuf_len(&w), out, cap);
    }
    default:
        return 0;
    }
}

static bool parse_ip(const uint8_t *p, size_t n, struct ipv4_hdr *h, cursor *l4)
{
    cursor c;
    cursor_init_exact(&c, p, n);
    return ipv4_decode(&c, h, l4, NULL) == DEC_OK && !h->is_fragment;
}

int ipd_classify(const uint8_t *p, size_t n)
{
    struct ipv4_hdr h;
    cursor l4;
    if (!parse_ip(p, n, &h, &l4))
        return IPD_OTHER;
    if (h.proto == IP_PROTO_ICMP) {
        uint8_t t = 0;
        cursor_peek_u8(&l4, &t);
        return t == ICMP4_ECHO_REQUEST ? IPD_ICMP_ECHO : t == ICMP4_ECHO_REPLY ? IPD_ICMP_REPLY : IPD_OTHER;
    }
    if (h.proto == IP_PROTO_UDP)
        return IPD_UDP;
    if (h.proto == IP_PROTO_TCP) {
        struct tcp_hdr t;
        cursor pl;
        if (tcp_decode(&l4, NULL, &t, &pl, NULL) != DEC_OK)
            return IPD_OTHER;
        if ((t.flags & (TCP_SYN | TCP_ACK)) == TCP_SYN)
            return IPD_TCP_SYN;
        if ((t.flags & (TCP_SYN | TCP_ACK)) == (TCP_SYN | TCP_ACK))
            return IPD_TCP_SYNACK;
    }
    return IPD_OTHER;
}

size_t ipd_respond(const uint8_t *p, size_t n, uint16_t ip_id, uint16_t mss, uint8_t *out, size_t cap)
{
    struct ipv4_hdr h;
    cursor l4;
    if (!parse_ip(p, n, &h, &l4))
        return 0;
    if (h.proto == IP_PROTO_ICMP) {
        struct icmp_msg m;
        cursor data;
        if (icmp4_decode(&l4, &m, &data, NULL) != DEC_OK || m.type != ICMP4_ECHO_REQUEST)
            return 0;
        uint8_t l4b[1600];
        m.type = ICMP4_ECHO_REPLY;
        m.code = 0;
        wbuf w;
        wbuf_init(&w, l4b, sizeof l4b);
        if (!icmp4_encode(&w, &m, cursor_data(&data), cursor_len(&data)))
            return 0;
        return wrap_ip(h.dst, h.src, IP_PROTO_ICMP, ip_id, l4b, wbuf_len(&w), out, cap);
    }
    if (h.proto == IP_PROTO_TCP) {
        struct tcp_hdr t;
        cursor pl;
        if (tcp_decode(&l4, NULL, &t, &pl, NULL) != DEC_OK || (t.flags & (TCP_SYN | TCP_ACK)) != TCP_SYN)
            return 0;
        struct tcp_hdr r;
        memset(&r, 0, sizeof r);
        r.sport = t.dport;
        r.dport = t.sport;
        r.seq = t.seq ^ 0x5a5a0000u;
        r.ack = t.seq + 1;
        r.flags = TCP_SYN | TCP_ACK;
        r.window = 65535;
        r.has_mss = true;
        r.mss = mss ? mss : 1360;
        r.sack_permitted = true;
        struct ip_pair ip;
        ip_pair_v4(&ip, h.dst, h.src);
        uint8_t l4b[128];
        wbuf w;
        wbuf_init(&w, l4b, sizeof l4b);
        if (!tcp_encode(&w, &ip, &r, NULL, 0))
            return 0;
        return wrap_ip(h.dst, h.src, IP_PROTO_TCP, ip_id, l4b, wbuf_len(&w), out, cap);
    }
    return 0;
}
