/* dispatch.c - routing tables between decoders; see dispatch.h. */
#include "dispatch.h"

#include <string.h>

#include "ipv4.h"
#include "ipv6.h"
#include "names.h"

/* IP protocol -> what takes it. */
static const struct {
    uint8_t proto;
    enum pkt_kind kind;
} ip_routes[] = {
    {IP_PROTO_TCP, PKT_TCP},
    {IP_PROTO_GRE, PKT_GRE},
    {IP_PROTO_ICMP, PKT_ICMP},
    {IP_PROTO_ICMPV6, PKT_ICMP6},
};

/* PPP protocol -> what carries it: a switch, which the compiler turns into a
 * jump table or a short search (this runs once per GRE packet). */
enum ppp_kind dispatch_ppp_kind(uint16_t proto)
{
    switch (proto) {
    case PPP_PROTO_LCP: return PPP_KIND_LCP;
    case PPP_PROTO_PAP: return PPP_KIND_PAP;
    case PPP_PROTO_CHAP: return PPP_KIND_CHAP;
    case PPP_PROTO_EAP: return PPP_KIND_EAP;
    case PPP_PROTO_IPCP: return PPP_KIND_IPCP;
    case PPP_PROTO_IPV6CP: return PPP_KIND_IPV6CP;
    case PPP_PROTO_CCP: return PPP_KIND_CCP;
    case PPP_PROTO_IP: return PPP_KIND_IPV4;
    case PPP_PROTO_IPV6: return PPP_KIND_IPV6;
    case PPP_PROTO_COMP: return PPP_KIND_COMPRESSED;
    case PPP_PROTO_VJ_COMP:
    case PPP_PROTO_VJ_UNCOMP: return PPP_KIND_VJ;
    default: return PPP_KIND_OTHER;
    }
}

static const val_name kind_names[] = {
    {PKT_BAD, "bad"}, {PKT_SKIPPED, "skipped"}, {PKT_IP_FRAGMENT, "ip_fragment"}, {PKT_TCP, "tcp"},
    {PKT_GRE, "gre"}, {PKT_ICMP, "icmp"}, {PKT_ICMP6, "icmp6"}, {PKT_OTHER_IP, "other_ip"},
};

const char *pkt_kind_name(enum pkt_kind k) { return VAL_NAME(kind_names, k, "unknown"); }

static enum pkt_kind fail(struct pkt *p, dec_status st)
{
    if (p->status == DEC_OK)
        p->status = st;
    return PKT_BAD;
}

static enum pkt_kind route_l4(struct pkt *p, uint8_t proto, cursor *c)
{
    enum pkt_kind kind = PKT_OTHER_IP;
    for (size_t i = 0; i < ARRAY_LEN(ip_routes); i++)
        if (ip_routes[i].proto == proto)
            kind = ip_routes[i].kind;
    dec_status st = DEC_OK;
    cursor pl;
    switch (kind) {
    case PKT_TCP:
        st = tcp_decode(c, &p->ip, &p->tcp, &p->payload, &p->an);
        break;
    case PKT_GRE:
        p->has_ppp = false;
        st = gre_decode(c, &p->gre, &pl, &p->an);
        if (st == DEC_OK && gre_is_pptp(&p->gre) && p->gre.protocol == GRE_PROTO_PPP && cursor_len(&pl) > 0) {
            dec_status ps = ppp_decode(&pl, &p->ppp, &p->payload, &p->an);
            if (ps == DEC_OK)
                p->has_ppp = true;
            else if (p->status == DEC_OK)
                p->status = ps; /* the GRE header is still good: keep PKT_GRE */
        } else {
            p->payload = pl;
        }
        break;
    case PKT_ICMP:
        st = icmp4_decode(c, &p->icmp, &p->payload, &p->an);
        break;
    case PKT_ICMP6:
        st = icmp6_decode(c, &p->ip, &p->icmp, &p->payload, &p->an);
        break;
    default:
        p->payload = *c;
        break;
    }
    if (st != DEC_OK)
        return fail(p, st);
    return kind;
}

enum pkt_kind dispatch_l4(struct pkt *p, uint8_t proto, const uint8_t *data, size_t len, bool exact)
{
    cursor c;
    if (exact)
        cursor_init_exact(&c, data, len);
    else
        cursor_init(&c, data, len);
    p->proto = proto;
    return route_l4(p, proto, &c);
}

enum pkt_kind dispatch_packet(int dlt, const uint8_t *data, size_t caplen, struct pkt *p)
{
    if (dispatch_fast(dlt, data, caplen, p))
        return PKT_GRE;
    return dispatch_packet_full(dlt, data, caplen, p);
}

enum pkt_kind dispatch_packet_full(int dlt, const uint8_t *data, size_t caplen, struct pkt *p)
{
    p->status = DEC_OK;
    p->ip_depth = 0;
    p->has_ppp = false;
    anomaly_clear(&p->an);
    cursor c, pl;
    cursor_init(&c, data, caplen);
    dec_status st = link_decode(dlt, &c, &p->link, &pl, &p->an);
    if (st != DEC_OK)
        return fail(p, st);
    uint16_t ethertype = p->link.next_proto;
    if (ethertype != ETH_TYPE_IPV4 && ethertype != ETH_TYPE_IPV6)
        return PKT_SKIPPED;
    /* IP, then IP-in-IP tunnels up to the depth limit. */
    uint8_t version = ethertype == ETH_TYPE_IPV4 ? 4 : 6;
    for (;;) {
        c = pl;
        if (p->ip_depth >= DISPATCH_MAX_IP_DEPTH) {
            anomaly_add(&p->an, ANOMALY_DISPATCH_TOO_DEEP);
            return PKT_SKIPPED;
        }
        p->ip_depth++;
        p->ip_version = version;
        bool frag, more;
        uint32_t off;
        if (version == 4) {
            struct ipv4_hdr h;
            st = ipv4_decode(&c, &h, &pl, &p->an);
            if (st != DEC_OK)
                return fail(p, st);
            ipv4_pair(&h, &p->ip);
            p->proto = h.proto;
            p->ttl = h.ttl;
            p->ip_len = h.total_len;
            p->ip_truncated = h.payload_truncated;
            frag = h.is_fragment;
            more = h.more_fragments;
            off = h.frag_offset;
            p->frag_id = h.id;
            p->frag_hdr_len = h.hdr_len;
        } else {
            struct ipv6_hdr h;
            st = ipv6_decode(&c, &h, &pl, &p->an);
            if (st != DEC_OK)
                return fail(p, st);
            ipv6_pair(&h, &p->ip);
            p->proto = h.proto;
            p->ttl = h.hop_limit;
            p->ip_len = (uint32_t)h.payload_len + IPV6_HDR_LEN;
            p->ip_truncated = h.payload_truncated;
            frag = h.is_fragment;
            more = h.more_fragments;
            off = h.frag_offset;
            p->frag_id = h.frag_id;
            p->frag_hdr_len = (uint16_t)(h.ext_len >= IPV6_FRAG_HDR_LEN ? h.ext_len - IPV6_FRAG_HDR_LEN : 0);
        }
        p->l4 = pl;
        if (frag) {
            p->frag_more = more;
            p->frag_offset = off;
            return PKT_IP_FRAGMENT;
        }
        if (p->proto == IP_PROTO_IPIP)
            version = 4;
        else if (p->proto == IP_PROTO_IPV6)
            version = 6;
        else
            break;
    }
    return route_l4(p, p->proto, &pl);
}
