/*
 * ether.c - Ethernet II / IEEE 802.3 (IEEE 802.3 clause 3), IEEE 802.2 LLC with the
 * RFC 1042 SNAP extension, IEEE 802.1Q / 802.1ad VLAN tags.  See link.h.
 */
#include <string.h>

#include "link.h"

dec_status llc_decode(cursor *c, struct llc_hdr *h, cursor *payload)
{
    memset(h, 0, sizeof *h);
    cursor_init(payload, NULL, 0);
    uint8_t ctl = 0;
    cursor_get_u8(c, &h->dsap);
    cursor_get_u8(c, &h->ssap);
    if (!cursor_get_u8(c, &ctl))
        return cursor_status(c);
    h->control = ctl;
    if ((ctl & 0x03) != 0x03) { /* I or S format: 16-bit control field */
        uint8_t ctl2;
        if (!cursor_get_u8(c, &ctl2))
            return cursor_status(c);
        h->control = (uint16_t)(ctl << 8 | ctl2);
    } else if (h->dsap == 0xaa && (h->ssap & 0xfe) == 0xaa && ctl == 0x03) {
        h->snap = true;
        cursor_get_be24(c, &h->oui);
        cursor_get_be16(c, &h->pid);
        if (cursor_status(c) != DEC_OK) /* check the sticky status: a short be24 then a be16 */
            return cursor_status(c);
        if (h->oui == 0x000000 || h->oui == 0x0000f8)
            h->next_proto = h->pid;
    }
    cursor_rest(c, payload);
    return DEC_OK;
}

bool llc_snap_encode(wbuf *w, uint16_t ethertype)
{
    static const uint8_t snap[6] = {0xaa, 0xaa, 0x03, 0x00, 0x00, 0x00};
    wbuf_put_bytes(w, snap, sizeof snap);
    wbuf_put_be16(w, ethertype);
    return wbuf_ok(w);
}

/* What follows a type/length field: an ethertype, or an 802.3 length and LLC. */
static dec_status type_or_length(cursor *c, uint16_t type, bool *has_llc, struct llc_hdr *llc,
                                 uint16_t *next, cursor *payload)
{
    if (type >= ETH_TYPE_MIN) {
        *next = type;
        cursor_rest(c, payload);
        return DEC_OK;
    }
    if (type > 1500) { /* neither a length nor an ethertype */
        cursor_fail(c, DEC_MALFORMED);
        return DEC_MALFORMED;
    }
    /* 802.3 length: bytes after it are padding; a capture cut short stays open ended */
    cursor body;
    dec_status need = cursor_need(c, type);
    if (need == DEC_MALFORMED) {
        cursor_fail(c, DEC_MALFORMED);
        return DEC_MALFORMED;
    }
    cursor_sub_upto(c, type, &body);
    *has_llc = true;
    dec_status st = llc_decode(&body, llc, payload);
    if (st != DEC_OK)
        return st;
    *next = llc->next_proto;
    return DEC_OK;
}

dec_status ether_decode(cursor *c, struct ether_hdr *h, cursor *payload, anomaly_set *an)
{
    (void)an;
    memset(h, 0, sizeof *h);
    cursor_init(payload, NULL, 0);
    cursor_get_bytes(c, h->dst, ETH_MAC_LEN);
    cursor_get_bytes(c, h->src, ETH_MAC_LEN);
    cursor_get_be16(c, &h->type);
    if (cursor_status(c) != DEC_OK)
        return cursor_status(c);
    return type_or_length(c, h->type, &h->has_llc, &h->llc, &h->next_proto, payload);
}

bool ether_encode(wbuf *w, const struct ether_hdr *h)
{
    wbuf_put_bytes(w, h->dst, ETH_MAC_LEN);
    wbuf_put_bytes(w, h->src, ETH_MAC_LEN);
    wbuf_put_be16(w, h->type);
    return wbuf_ok(w);
}

bool vlan_tpid(uint16_t type)
{
    return type == ETH_TYPE_VLAN || type == ETH_TYPE_QINQ || type == ETH_TYPE_QINQ_9100;
}

dec_status vlan_decode(cursor *c, uint16_t tpid, struct vlan_tag *t, cursor *payload, anomaly_set *an)
{
    (void)an;
    memset(t, 0, sizeof *t);
    cursor_init(payload, NULL, 0);
    t->tpid = tpid;
    uint16_t tci = 0;
    cursor_get_be16(c, &tci);
    cursor_get_be16(c, &t->type);
    if (cursor_status(c) != DEC_OK)
        return cursor_status(c);
    t->pcp = (uint8_t)(tci >> 13);
    t->dei = (uint8_t)((tci >> 12) & 1);
    t->vid = tci & 0x0fff;
    return type_or_length(c, t->type, &t->has_llc, &t->llc, &t->next_proto, payload);
}

bool vlan_encode(wbuf *w, const struct vlan_tag *t)
{
    wbuf_put_be16(w, (uint16_t)((t->pcp & 7) << 13 | (t->dei & 1) << 12 | (t->vid & 0x0fff)));
    wbuf_put_be16(w, t->type);
    return wbuf_ok(w);
}
