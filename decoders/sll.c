/*
 * sll.c - Linux "cooked" capture headers: LINKTYPE_LINUX_SLL (113, 16 bytes) and
 * LINKTYPE_LINUX_SLL2 (276, 20 bytes), as documented on tcpdump.org/linktypes.
 * See link.h.
 */
#include <string.h>

#include "link.h"

enum {
    ARPHRD_NETLINK = 824,   /* protocol field is a netlink family, not an ethertype */
    SLL_P_802_2 = 0x0004,   /* protocol: an 802.2 LLC header follows */
};

/* Route on the protocol field (shared by both versions). */
static dec_status sll_payload(cursor *c, struct sll_hdr *h, cursor *payload)
{
    if (h->hatype == ARPHRD_NETLINK) {
        cursor_rest(c, payload);
        return DEC_OK;
    }
    if (h->protocol >= ETH_TYPE_MIN) {
        h->next_proto = h->protocol;
        cursor_rest(c, payload);
        return DEC_OK;
    }
    if (h->protocol == SLL_P_802_2) {
        h->has_llc = true;
        dec_status st = llc_decode(c, &h->llc, payload);
        if (st == DEC_OK)
            h->next_proto = h->llc.next_proto;
        return st;
    }
    cursor_rest(c, payload); /* Novell 802.3, CAN, ...: not ours */
    return DEC_OK;
}

dec_status sll_decode(cursor *c, struct sll_hdr *h, cursor *payload, anomaly_set *an)
{
    (void)an;
    memset(h, 0, sizeof *h);
    cursor_init(payload, NULL, 0);
    h->version = 1;
    cursor_get_be16(c, &h->pkttype);
    cursor_get_be16(c, &h->hatype);
    cursor_get_be16(c, &h->halen);
    cursor_get_bytes(c, h->addr, sizeof h->addr);
    cursor_get_be16(c, &h->protocol);
    if (cursor_status(c) != DEC_OK)
        return cursor_status(c);
    return sll_payload(c, h, payload);
}

dec_status sll2_decode(cursor *c, struct sll_hdr *h, cursor *payload, anomaly_set *an)
{
    (void)an;
    memset(h, 0, sizeof *h);
    cursor_init(payload, NULL, 0);
    h->version = 2;
    uint8_t pkttype = 0, halen = 0;
    cursor_get_be16(c, &h->protocol);
    cursor_get_be16(c, &h->reserved);
    cursor_get_be32(c, &h->ifindex);
    cursor_get_be16(c, &h->hatype);
    cursor_get_u8(c, &pkttype);
    cursor_get_u8(c, &halen);
    cursor_get_bytes(c, h->addr, sizeof h->addr);
    if (cursor_status(c) != DEC_OK)
        return cursor_status(c);
    h->pkttype = pkttype;
    h->halen = halen;
    return sll_payload(c, h, payload);
}

bool sll_encode(wbuf *w, const struct sll_hdr *h)
{
    wbuf_put_be16(w, h->pkttype);
    wbuf_put_be16(w, h->hatype);
    wbuf_put_be16(w, h->halen);
    wbuf_put_bytes(w, h->addr, sizeof h->addr);
    wbuf_put_be16(w, h->protocol);
    return wbuf_ok(w);
}

bool sll2_encode(wbuf *w, const struct sll_hdr *h)
{
    if (h->pkttype > 0xff || h->halen > 0xff)
        return false;
    wbuf_put_be16(w, h->protocol);
    wbuf_put_be16(w, h->reserved);
    wbuf_put_be32(w, h->ifindex);
    wbuf_put_be16(w, h->hatype);
    wbuf_put_u8(w, (uint8_t)h->pkttype);
    wbuf_put_u8(w, (uint8_t)h->halen);
    wbuf_put_bytes(w, h->addr, sizeof h->addr);
    return wbuf_ok(w);
}
