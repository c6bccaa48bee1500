/*
 * pkt_same.h - compare two decoded packets field by field (the fields the full
 * dispatcher fills for a GRE frame); used to check the fast path against the full
 * decoders in tests/unit/test_dispatch_fast.c and tests/fuzz/fuzz_dispatch_fast.c.
 */
#ifndef PPTP_TEST_PKT_SAME_H
#define PPTP_TEST_PKT_SAME_H

#include <string.h>

#include "dispatch.h"

static inline bool pkt_cursor_same(const cursor *a, const cursor *b)
{
    return a->data == b->data && a->len == b->len && a->open_end == b->open_end && a->status == b->status;
}

/* NULL when a and b agree, else the name of the first field that differs. */
static inline const char *pkt_same(const struct pkt *a, const struct pkt *b)
{
#define PKT_SAME(f)                                                                                          \
    if (!(a->f == b->f))                                                                                     \
    return #f
#define PKT_SAME_BYTES(f)                                                                                    \
    if (memcmp(&a->f, &b->f, sizeof a->f))                                                                   \
    return #f
    PKT_SAME(status);
    PKT_SAME_BYTES(an);
    PKT_SAME(link.dlt);
    PKT_SAME(link.next_proto);
    PKT_SAME(link.skip);
    PKT_SAME(link.n_vlans);
    for (int i = 0; i < a->link.n_vlans && i < LINK_MAX_VLANS; i++) {
        PKT_SAME(link.vlans[i].tpid);
        PKT_SAME(link.vlans[i].pcp);
        PKT_SAME(link.vlans[i].dei);
        PKT_SAME(link.vlans[i].vid);
        PKT_SAME(link.vlans[i].type);
        PKT_SAME(link.vlans[i].has_llc);
        PKT_SAME(link.vlans[i].next_proto);
    }
    PKT_SAME_BYTES(link.eth.dst);
    PKT_SAME_BYTES(link.eth.src);
    PKT_SAME(link.eth.type);
    PKT_SAME(link.eth.has_llc);
    PKT_SAME(link.eth.next_proto);
    PKT_SAME(ip_depth);
    PKT_SAME(ip_version);
    PKT_SAME(proto);
    PKT_SAME(ttl);
    PKT_SAME(ip.version);
    PKT_SAME(ip.src4);
    PKT_SAME(ip.dst4);
    PKT_SAME(ip_len);
    PKT_SAME(ip_truncated);
    PKT_SAME(frag_id);
    PKT_SAME(frag_hdr_len);
    if (!pkt_cursor_same(&a->l4, &b->l4))
        return "l4";
    PKT_SAME(gre.c);
    PKT_SAME(gre.r);
    PKT_SAME(gre.k);
    PKT_SAME(gre.s);
    PKT_SAME(gre.strict);
    PKT_SAME(gre.recur);
    PKT_SAME(gre.a);
    PKT_SAME(gre.flags);
    PKT_SAME(gre.version);
    PKT_SAME(gre.protocol);
    PKT_SAME(gre.checksum);
    PKT_SAME(gre.offset);
    PKT_SAME(gre.checksum_verified);
    PKT_SAME(gre.key);
    PKT_SAME(gre.payload_length);
    PKT_SAME(gre.call_id);
    PKT_SAME(gre.has_seq);
    PKT_SAME(gre.seq);
    PKT_SAME(gre.has_ack);
    PKT_SAME(gre.ack);
    PKT_SAME(gre.routing);
    PKT_SAME(gre.routing_len);
    PKT_SAME(gre.payload_truncated);
    PKT_SAME(has_ppp);
    if (a->has_ppp) {
        PKT_SAME(ppp.has_acfc_hdr);
        PKT_SAME(ppp.pfc);
        PKT_SAME(ppp.protocol);
    }
    if (!pkt_cursor_same(&a->payload, &b->payload))
        return "payload";
    return NULL;
#undef PKT_SAME
#undef PKT_SAME_BYTES
}

#endif
