/*
 * dispatch.h - the one place that routes payloads between decoders (Zeek-style
 * packet analysis): each decoder returns its payload and a next-protocol number;
 * the tables in dispatch.c say which decoder takes it next.  A depth limit guards
 * IP-in-IP recursion.
 *
 *   link (DLT) -> ethertype -> IPv4 / IPv6 [-> IPv4 / IPv6 tunnels ...]
 *              -> IP protocol -> TCP | GRE (-> PPP header) | ICMP | ICMPv6
 *   PPP protocol -> dispatch_ppp_kind(): LCP, PAP, CHAP, EAP, IPCP, IPV6CP, CCP, data
 *
 * Decoding stops at an IP fragment (PKT_IP_FRAGMENT) so the caller can reassemble
 * and continue with dispatch_l4() on the reassembled payload.
 */
#ifndef PPTP_DISPATCH_H
#define PPTP_DISPATCH_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "anomaly.h"
#include "cursor.h"
#include "gre.h"
#include "icmp.h"
#include "ip_common.h"
#include "link.h"
#include "ppp.h"
#include "tcp.h"

#define DISPATCH_MAX_IP_DEPTH 4

enum pkt_kind {
    PKT_BAD = 0,         /* a header could not be decoded: p->status says why */
    PKT_SKIPPED,         /* not for us: non-IP link payload, 802.11 management, ... */
    PKT_IP_FRAGMENT,     /* an IP fragment: p->frag_* and p->l4 describe it */
    PKT_TCP,
    PKT_GRE,
    PKT_ICMP,            /* ICMPv4 (p->icmp, p->payload = embedded packet for errors) */
    PKT_ICMP6,
    PKT_OTHER_IP,        /* an IP protocol nobody here consumes */
};

struct pkt {
    struct link_info link;
    uint8_t ip_depth;       /* IP headers decoded (2+ means IP-in-IP) */
    uint8_t ip_version;     /* of the innermost header */
    uint8_t proto;          /* innermost IP protocol */
    uint8_t ttl;
    struct ip_pair ip;      /* innermost addresses */
    uint32_t ip_len;        /* IP-layer length: IPv4 total length, IPv6 payload + 40 */
    bool ip_truncated;      /* the capture ended inside the IP datagram */
    /* fragment facts (PKT_IP_FRAGMENT) */
    uint32_t frag_id;
    uint32_t frag_offset;   /* bytes */
    bool frag_more;
    uint16_t frag_hdr_len;
    cursor l4;              /* the IP payload */
    /* L4 */
    struct tcp_hdr tcp;
    struct gre_hdr gre;
    struct icmp_msg icmp;
    bool has_ppp;           /* GRE v1 carried a PPP frame header */
    struct ppp_frame ppp;
    cursor payload;         /* TCP payload / PPP information field / ICMP embedded packet */
    dec_status status;      /* first failure, DEC_OK otherwise */
    anomaly_set an;         /* anomalies of every layer */
};

/* Decode a captured frame of link type dlt as far as it goes.  data is borrowed:
 * p's cursors point into it.  Never fails beyond returning PKT_BAD. */
enum pkt_kind dispatch_packet(int dlt, const uint8_t *data, size_t caplen, struct pkt *p);
/* The same without the fast path: every layer's own decoder (tests compare both). */
enum pkt_kind dispatch_packet_full(int dlt, const uint8_t *data, size_t caplen, struct pkt *p);
/* The fused fast path (dispatch_fast.c) for Ethernet [802.1Q] / IPv4 / GRE v1 / PPP
 * frames that no decoder would flag: true when it took the frame and filled p as
 * dispatch_packet_full() would (kind PKT_GRE); false leaves p to the full path. */
bool dispatch_fast(int dlt, const uint8_t *data, size_t caplen, struct pkt *p);
/* Continue with an IP payload of protocol proto (e.g. a reassembled datagram);
 * exact: the payload is complete (not cut by the capture). p->ip* are kept. */
enum pkt_kind dispatch_l4(struct pkt *p, uint8_t proto, const uint8_t *data, size_t len, bool exact);

/* What a PPP protocol number carries. */
enum ppp_kind {
    PPP_KIND_OTHER = 0,
    PPP_KIND_LCP, PPP_KIND_PAP, PPP_KIND_CHAP, PPP_KIND_EAP,
    PPP_KIND_IPCP, PPP_KIND_IPV6CP, PPP_KIND_CCP,
    PPP_KIND_IPV4, PPP_KIND_IPV6, PPP_KIND_COMPRESSED, /* MPPE/MPPC */
    PPP_KIND_VJ,
};
enum ppp_kind dispatch_ppp_kind(uint16_t proto);
const char *pkt_kind_name(enum pkt_kind k);

#endif
