/*
 * ieee80211.c - IEEE 802.11 MAC header of data frames (IEEE Std 802.11-2020, 9.2 and
 * 9.3.2) followed by LLC/SNAP (RFC 1042), and the radiotap capture header
 * (radiotap.org; only the Flags field is interpreted).  See link.h.
 */
#include <string.h>

#include "link.h"

enum {
    WLAN_SUBTYPE_QOS = 0x08,     /* data subtypes 8..15 carry QoS control */
    WLAN_SUBTYPE_NO_BODY = 0x04, /* null function / CF without data */
    WLAN_QOS_AMSDU = 0x0080,     /* QoS control: A-MSDU present */
};

dec_status wlan_decode(cursor *c, struct wlan_hdr *h, cursor *payload, anomaly_set *an)
{
    memset(h, 0, sizeof *h);
    cursor_init(payload, NULL, 0);
    uint16_t fc;
    if (!cursor_get_le16(c, &fc))
        return cursor_status(c);
    h->version = fc & 0x03;
    h->type = (fc >> 2) & 0x03;
    h->subtype = (fc >> 4) & 0x0f;
    h->flags = (uint8_t)(fc >> 8);
    if (h->version != 0) {
        anomaly_add(an, ANOMALY_LINK_WLAN_BAD_VERSION);
        cursor_fail(c, DEC_MALFORMED);
        return DEC_MALFORMED;
    }
    if (h->type != WLAN_TYPE_DATA) {
        h->skip = LINK_SKIP_NOT_DATA;
        cursor_rest(c, payload);
        return DEC_OK;
    }
    uint16_t seq_ctrl = 0;
    cursor_get_le16(c, &h->duration);
    cursor_get_bytes(c, h->addr1, ETH_MAC_LEN);
    cursor_get_bytes(c, h->addr2, ETH_MAC_LEN);
    cursor_get_bytes(c, h->addr3, ETH_MAC_LEN);
    cursor_get_le16(c, &seq_ctrl);
    if ((h->flags & (WLAN_FLAG_TODS | WLAN_FLAG_FROMDS)) == (WLAN_FLAG_TODS | WLAN_FLAG_FROMDS)) {
        h->has_addr4 = true;
        cursor_get_bytes(c, h->addr4, ETH_MAC_LEN);
    }
    if (h->subtype & WLAN_SUBTYPE_QOS) {
        h->has_qos = true;
        cursor_get_le16(c, &h->qos);
        h->tid = h->qos & 0x0f;
        if (h->flags & WLAN_FLAG_ORDER) {
            h->has_htc = true;
            cursor_get_le32(c, &h->htc);
        }
    }
    if (cursor_status(c) != DEC_OK)
        return cursor_status(c);
    h->seq = seq_ctrl >> 4;
    h->frag = seq_ctrl & 0x0f;
    if (h->flags & WLAN_FLAG_PROTECTED) {
        anomaly_add(an, ANOMALY_LINK_WLAN_PROTECTED);
        h->skip = LINK_SKIP_PROTECTED;
    } else if (h->subtype & WLAN_SUBTYPE_NO_BODY) {
        h->skip = LINK_SKIP_NO_BODY;
    } else if (h->frag != 0 || (h->flags & WLAN_FLAG_MOREFRAG) || (h->qos & WLAN_QOS_AMSDU)) {
        h->skip = LINK_SKIP_UNSUPPORTED; /* 802.11 fragment or A-MSDU: not reassembled */
    }
    if (h->skip != LINK_SKIP_NONE) {
        cursor_rest(c, payload);
        return DEC_OK;
    }
    h->has_llc = true;
    dec_status st = llc_decode(c, &h->llc, payload);
    if (st != DEC_OK)
        return st;
    h->next_proto = h->llc.next_proto;
    if (h->next_proto == 0)
        h->skip = LINK_SKIP_OTHER_PROTO;
    return DEC_OK;
}

bool wlan_encode(wbuf *w, const struct wlan_hdr *h)
{
    if (h->type > 3 || h->subtype > 15 || h->frag > 15 || h->seq > 0x0fff)
        return false;
    wbuf_put_le16(w, (uint16_t)(h->type << 2 | h->subtype << 4 | h->flags << 8));
    if (h->type != WLAN_TYPE_DATA)
        return wbuf_ok(w); /* only the frame control of other frames */
    wbuf_put_le16(w, h->duration);
    wbuf_put_bytes(w, h->addr1, ETH_MAC_LEN);
    wbuf_put_bytes(w, h->addr2, ETH_MAC_LEN);
    wbuf_put_bytes(w, h->addr3, ETH_MAC_LEN);
    wbuf_put_le16(w, (uint16_t)(h->seq << 4 | h->frag));
    if ((h->flags & (WLAN_FLAG_TODS | WLAN_FLAG_FROMDS)) == (WLAN_FLAG_TODS | WLAN_FLAG_FROMDS))
        wbuf_put_bytes(w, h->addr4, ETH_MAC_LEN);
    if (h->subtype & WLAN_SUBTYPE_QOS) {
        wbuf_put_le16(w, h->qos);
        if (h->flags & WLAN_FLAG_ORDER)
            wbuf_put_le32(w, h->htc);
    }
    bool body = !(h->flags & (WLAN_FLAG_PROTECTED | WLAN_FLAG_MOREFRAG)) && !(h->subtype & WLAN_SUBTYPE_NO_BODY) &&
                h->frag == 0 && !((h->qos & WLAN_QOS_AMSDU) && (h->subtype & WLAN_SUBTYPE_QOS));
    if (body)
        llc_snap_encode(w, h->next_proto);
    return wbuf_ok(w);
}

dec_status radiotap_decode(cursor *c, struct radiotap_hdr *h, cursor *payload, anomaly_set *an)
{
    memset(h, 0, sizeof *h);
    cursor_init(payload, NULL, 0);
    cursor all = *c;
    cursor_get_u8(c, &h->version);
    cursor_skip(c, 1); /* pad */
    cursor_get_le16(c, &h->len);
    cursor_get_le32(c, &h->present);
    if (cursor_status(c) != DEC_OK)
        return cursor_status(c);
    if (h->version != 0 || h->len < 8) {
        cursor_fail(c, DEC_MALFORMED);
        return DEC_MALFORMED;
    }
    cursor hdr;
    if (!cursor_sub(&all, h->len, &hdr)) {
        cursor_fail(c, cursor_status(&all));
        return cursor_status(c);
    }
    *c = all;
    /* walk the fields only as far as Flags (bit 1); TSFT (bit 0) is 8 bytes, 8-aligned */
    uint32_t word = h->present;
    cursor_skip(&hdr, 8);
    size_t off = 8;
    while (word & 0x80000000u) { /* extended present bitmaps */
        if (!cursor_get_le32(&hdr, &word))
            break;
        off += 4;
    }
    if (h->present & 0x1) {
        size_t pad = (8 - off % 8) % 8;
        cursor_skip(&hdr, pad + 8);
    }
    if (h->present & 0x2) {
        h->has_flags = true;
        cursor_get_u8(&hdr, &h->flags);
    }
    if (cursor_status(&hdr) != DEC_OK) { /* present bits promise fields past len */
        cursor_fail(c, DEC_MALFORMED);
        return DEC_MALFORMED;
    }
    if (h->flags & RADIOTAP_F_BADFCS)
        anomaly_add(an, ANOMALY_LINK_RADIOTAP_BAD_FCS);
    cursor rest;
    cursor_rest(c, &rest);
    if ((h->flags & RADIOTAP_F_FCS) && cursor_len(&rest) >= 4)
        cursor_init(payload, cursor_data(&rest), cursor_len(&rest) - 4); /* open ended */
    else
        *payload = rest;
    return DEC_OK;
}

bool radiotap_encode(wbuf *w, const struct radiotap_hdr *h)
{
    if (h->has_flags && (h->flags & RADIOTAP_F_FCS))
        return false; /* the encoder never writes an FCS */
    wbuf_put_u8(w, 0);
    wbuf_put_u8(w, 0);
    wbuf_put_le16(w, h->has_flags ? 9 : 8);
    wbuf_put_le32(w, h->has_flags ? 0x2 : 0);
    if (h->has_flags)
        wbuf_put_u8(w, h->flags);
    return wbuf_ok(w);
}
