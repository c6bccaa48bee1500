/*
 * link.c - the unified link-layer entry (by pcap LINKTYPE, tcpdump.org/linktypes),
 * BSD null / OpenBSD loop headers, raw IP, and the link-layer name tables.
 * See link.h.
 */
#include "link.h"

#include <string.h>

#include "names.h"

static const val_name dlt_names[] = {
    {0, "NULL"},
    {1, "EN10MB"},
    {6, "IEEE802"},
    {8, "SLIP"},
    {9, "PPP"},
    {10, "FDDI"},
    {12, "RAW"},
    {14, "RAW"},
    {50, "PPP_SERIAL"},
    {51, "PPP_ETHER"},
    {101, "RAW"},
    {104, "C_HDLC"},
    {105, "IEEE802_11"},
    {108, "LOOP"},
    {113, "LINUX_SLL"},
    {119, "PRISM_HEADER"},
    {127, "IEEE802_11_RADIO"},
    {163, "IEEE802_11_RADIO_AVS"},
    {192, "PPI"},
    {197, "ERF"},
    {204, "PPP_PPPD"},
    {228, "IPV4"},
    {229, "IPV6"},
    {239, "NFLOG"},
    {276, "LINUX_SLL2"},
};

static const val_name ethertype_names[] = {
    {0x0800, "IPv4"},     {0x0806, "ARP"},      {0x8035, "RARP"},      {0x8100, "802.1Q"},
    {0x86dd, "IPv6"},     {0x880b, "PPP"},      {0x8847, "MPLS"},      {0x8848, "MPLS-multicast"},
    {0x8863, "PPPoE-discovery"}, {0x8864, "PPPoE-session"}, {0x888e, "EAPOL"},
    {0x88a8, "802.1ad"},  {0x88cc, "LLDP"},     {0x88e5, "MACsec"},    {0x88f7, "PTP"},
    {0x8906, "FCoE"},     {0x9000, "loopback"}, {0x9100, "802.1QinQ"},
};

static const val_name skip_names[] = {
    {LINK_SKIP_NONE, "none"},           {LINK_SKIP_NOT_DATA, "not_data"},
    {LINK_SKIP_NO_BODY, "no_body"},     {LINK_SKIP_PROTECTED, "protected"},
    {LINK_SKIP_OTHER_PROTO, "other_proto"}, {LINK_SKIP_UNSUPPORTED, "unsupported"},
};

static const val_name pkttype_names[] = {
    {SLL_HOST, "host"},         {SLL_BROADCAST, "broadcast"}, {SLL_MULTICAST, "multicast"},
    {SLL_OTHERHOST, "otherhost"}, {SLL_OUTGOING, "outgoing"},
};

static const val_name wlan_type_names[] = {
    {WLAN_TYPE_MGMT, "mgmt"}, {WLAN_TYPE_CTRL, "ctrl"}, {WLAN_TYPE_DATA, "data"}, {WLAN_TYPE_EXT, "ext"},
};

const char *link_dlt_name(int dlt)
{
    return dlt < 0 ? "unknown" : VAL_NAME(dlt_names, dlt, "unknown");
}

const char *link_ethertype_name(uint16_t type)
{
    return VAL_NAME(ethertype_names, type, "unknown");
}

const char *link_skip_name(link_skip s)
{
    return VAL_NAME(skip_names, s, "unknown");
}

const char *sll_pkttype_name(uint16_t t)
{
    return VAL_NAME(pkttype_names, t, "unknown");
}

const char *wlan_type_name(uint8_t type)
{
    return VAL_NAME(wlan_type_names, type, "unknown");
}

bool link_dlt_supported(int dlt)
{
    switch (dlt) {
    case LINK_DLT_NULL:
    case LINK_DLT_EN10MB:
    case LINK_DLT_RAW:
    case LINK_DLT_RAW_OPENBSD:
    case LINK_DLT_RAW_LINKTYPE:
    case LINK_DLT_IEEE802_11:
    case LINK_DLT_LOOP:
    case LINK_DLT_LINUX_SLL:
    case LINK_DLT_IEEE802_11_RADIO:
    case LINK_DLT_IPV4:
    case LINK_DLT_IPV6:
    case LINK_DLT_LINUX_SLL2:
        return true;
    default:
        return false;
    }
}

/* ---- null / loop ------------------------------------------------------------ */

uint16_t null_family_ethertype(uint32_t family)
{
    switch (family) {
    case 2: /* AF_INET everywhere */
        return ETH_TYPE_IPV4;
    case 24: /* AF_INET6 on NetBSD, OpenBSD, BSD/OS */
    case 28: /* FreeBSD, DragonFly */
    case 30: /* Darwin */
        return ETH_TYPE_IPV6;
    default:
        return 0;
    }
}

dec_status null_decode(cursor *c, bool loop, struct null_hdr *h, cursor *payload)
{
    memset(h, 0, sizeof *h);
    cursor_init(payload, NULL, 0);
    uint32_t v;
    if (loop) {
        if (!cursor_get_be32(c, &v))
            return cursor_status(c);
        h->big_endian = true;
    } else {
        if (!cursor_get_le32(c, &v))
            return cursor_status(c);
        if (v & 0xffff0000u) { /* written by a big-endian host */
            v = (v >> 24) | ((v >> 8) & 0xff00) | ((v << 8) & 0xff0000) | (v << 24);
            h->big_endian = true;
        }
    }
    h->family = v;
    cursor_rest(c, payload);
    return DEC_OK;
}

bool null_encode(wbuf *w, bool loop, const struct null_hdr *h)
{
    if (loop || h->big_endian)
        wbuf_put_be32(w, h->family);
    else
        wbuf_put_le32(w, h->family);
    return wbuf_ok(w);
}

/* ---- unified entry ------------------------------------------------------------ */

/* Raw IP: the version nibble picks the protocol.  want: 4, 6 or 0 (either). */
static dec_status raw_ip(cursor *c, int want, struct link_info *li, cursor *payload, anomaly_set *an)
{
    uint8_t b;
    if (!cursor_peek_u8(c, &b)) {
        cursor_fail(c, cursor_need(c, 1));
        return cursor_status(c);
    }
    int v = b >> 4;
    if ((v != 4 && v != 6) || (want && v != want)) {
        anomaly_add(an, ANOMALY_LINK_RAW_BAD_VERSION);
        cursor_fail(c, DEC_MALFORMED);
        return DEC_MALFORMED;
    }
    li->next_proto = v == 4 ? ETH_TYPE_IPV4 : ETH_TYPE_IPV6;
    cursor_rest(c, payload);
    return DEC_OK;
}

dec_status link_decode(int dlt, cursor *c, struct link_info *li, cursor *payload, anomaly_set *an)
{
    memset(li, 0, sizeof *li);
    cursor_init(payload, NULL, 0);
    li->dlt = dlt;
    dec_status st;
    switch (dlt) {
    case LINK_DLT_EN10MB:
        st = ether_decode(c, &li->eth, payload, an);
        li->next_proto = li->eth.next_proto;
        if (st == DEC_OK && li->next_proto == 0)
            li->skip = LINK_SKIP_OTHER_PROTO;
        break;
    case LINK_DLT_LINUX_SLL:
    case LINK_DLT_LINUX_SLL2:
        st = dlt == LINK_DLT_LINUX_SLL ? sll_decode(c, &li->sll, payload, an) : sll2_decode(c, &li->sll, payload, an);
        li->next_proto = li->sll.next_proto;
        if (st == DEC_OK && li->next_proto == 0)
            li->skip = LINK_SKIP_OTHER_PROTO;
        break;
    case LINK_DLT_IEEE802_11_RADIO: {
        cursor frame;
        st = radiotap_decode(c, &li->radiotap, &frame, an);
        if (st != DEC_OK)
            return st;
        st = wlan_decode(&frame, &li->wlan, payload, an);
        li->next_proto = li->wlan.next_proto;
        li->skip = li->wlan.skip;
        if (st != DEC_OK)
            cursor_fail(c, st);
        return st; /* 802.11 never carries VLAN tags here */
    }
    case LINK_DLT_IEEE802_11:
        st = wlan_decode(c, &li->wlan, payload, an);
        li->next_proto = li->wlan.next_proto;
        li->skip = li->wlan.skip;
        return st;
    case LINK_DLT_NULL:
    case LINK_DLT_LOOP:
        st = null_decode(c, dlt == LINK_DLT_LOOP, &li->null, payload);
        li->next_proto = null_family_ethertype(li->null.family);
        if (st == DEC_OK && li->next_proto == 0)
            li->skip = LINK_SKIP_OTHER_PROTO;
        return st;
    case LINK_DLT_RAW:
    case LINK_DLT_RAW_OPENBSD:
    case LINK_DLT_RAW_LINKTYPE:
        return raw_ip(c, 0, li, payload, an);
    case LINK_DLT_IPV4:
        return raw_ip(c, 4, li, payload, an);
    case LINK_DLT_IPV6:
        return raw_ip(c, 6, li, payload, an);
    default:
        anomaly_add(an, ANOMALY_LINK_UNSUPPORTED_DLT);
        cursor_fail(c, DEC_MALFORMED);
        return DEC_MALFORMED;
    }
    if (st != DEC_OK)
        return st;
    /* VLAN stack after Ethernet / SLL */
    while (vlan_tpid(li->next_proto)) {
        if (li->n_vlans == LINK_MAX_VLANS) {
            anomaly_add(an, ANOMALY_LINK_TOO_MANY_VLAN_TAGS);
            break;
        }
        struct vlan_tag *t = &li->vlans[li->n_vlans];
        cursor in = *payload;
        st = vlan_decode(&in, li->next_proto, t, payload, an);
        if (st != DEC_OK) {
            cursor_fail(c, st);
            return st;
        }
        li->n_vlans++;
        li->next_proto = t->next_proto;
        if (li->next_proto == 0)
            li->skip = LINK_SKIP_OTHER_PROTO;
    }
    return DEC_OK;
}

bool link_encode(int dlt, wbuf *w, const struct link_info *li)
{
    if (li->n_vlans > LINK_MAX_VLANS)
        return false;
    /* the type field of each header announces the next one */
    uint16_t first = li->n_vlans ? li->vlans[0].tpid : li->next_proto;
    switch (dlt) {
    case LINK_DLT_EN10MB: {
        struct ether_hdr e = li->eth;
        e.type = first;
        ether_encode(w, &e);
        break;
    }
    case LINK_DLT_LINUX_SLL:
    case LINK_DLT_LINUX_SLL2: {
        struct sll_hdr s = li->sll;
        s.protocol = first;
        if (!(dlt == LINK_DLT_LINUX_SLL ? sll_encode(w, &s) : sll2_encode(w, &s)))
            return false;
        break;
    }
    case LINK_DLT_IEEE802_11_RADIO:
        if (!radiotap_encode(w, &li->radiotap))
            return false;
        /* fall through */
    case LINK_DLT_IEEE802_11: {
        if (li->n_vlans)
            return false;
        struct wlan_hdr h = li->wlan;
        h.next_proto = li->next_proto;
        return wlan_encode(w, &h);
    }
    case LINK_DLT_NULL:
    case LINK_DLT_LOOP:
        return !li->n_vlans && null_encode(w, dlt == LINK_DLT_LOOP, &li->null);
    case LINK_DLT_RAW:
    case LINK_DLT_RAW_OPENBSD:
    case LINK_DLT_RAW_LINKTYPE:
    case LINK_DLT_IPV4:
    case LINK_DLT_IPV6:
        return !li->n_vlans; /* no header */
    default:
        return false;
    }
    for (int i = 0; i < li->n_vlans; i++) {
        struct vlan_tag t = li->vlans[i];
        t.type = i + 1 < li->n_vlans ? li->vlans[i + 1].tpid : li->next_proto;
        vlan_encode(w, &t);
    }
    return wbuf_ok(w);
}
