/*
 * ppp.c - PPP frame header codec (RFC 1661, RFC 1662 section 3.1).  See ppp.h.
 */
#include "ppp.h"

#include "names.h"

static const val_name ppp_proto_names[] = {
    {PPP_PROTO_IP, "IPv4"},
    {PPP_PROTO_OSI, "OSI"},
    {PPP_PROTO_APPLETALK, "AppleTalk"},
    {PPP_PROTO_IPX, "IPX"},
    {PPP_PROTO_VJ_COMP, "VJ-compressed-TCP/IP"},
    {PPP_PROTO_VJ_UNCOMP, "VJ-uncompressed-TCP/IP"},
    {PPP_PROTO_BPDU, "Bridging-PDU"},
    {PPP_PROTO_MP, "Multilink"},
    {PPP_PROTO_IPV6, "IPv6"},
    {PPP_PROTO_LINK_COMP, "Link-compressed-datagram"},
    {PPP_PROTO_COMP, "Compressed-datagram"},
    {PPP_PROTO_MPLS, "MPLS"},
    {PPP_PROTO_IPCP, "IPCP"},
    {PPP_PROTO_OSINLCP, "OSINLCP"},
    {PPP_PROTO_ATCP, "ATCP"},
    {PPP_PROTO_IPXCP, "IPXCP"},
    {PPP_PROTO_BCP, "BCP"},
    {PPP_PROTO_MPCP, "MPCP"},
    {PPP_PROTO_IPV6CP, "IPV6CP"},
    {PPP_PROTO_LINK_CCP, "Link-CCP"},
    {PPP_PROTO_CCP, "CCP"},
    {PPP_PROTO_MPLSCP, "MPLSCP"},
    {PPP_PROTO_LCP, "LCP"},
    {PPP_PROTO_PAP, "PAP"},
    {PPP_PROTO_LQR, "LQR"},
    {PPP_PROTO_CBCP, "CBCP"},
    {PPP_PROTO_CHAP, "CHAP"},
    {PPP_PROTO_EAP, "EAP"},
};

const char *ppp_protocol_name(uint16_t proto)
{
    return VAL_NAME(ppp_proto_names, proto, "unknown");
}

dec_status ppp_decode(cursor *c, struct ppp_frame *f, cursor *payload, anomaly_set *an)
{
    cursor pl_dummy;
    if (!payload)
        payload = &pl_dummy;
    f->has_acfc_hdr = false;
    f->pfc = false;
    f->protocol = 0;
    cursor_init_exact(payload, NULL, 0);

    if (cursor_empty(c)) {
        anomaly_add(an, ANOMALY_PPP_EMPTY);
        cursor_fail(c, cursor_need(c, 1));
        return cursor_status(c);
    }
    uint8_t b0, b1;
    cursor_peek_u8(c, &b0);
    if (b0 == PPP_ADDRESS) {
        /* 0xFF can never start a compressed protocol field (0x00FF is not a
         * protocol), so it is always the address octet. */
        cursor_get_u8(c, NULL);
        if (!cursor_get_u8(c, &b1))
            return cursor_status(c);
        if (b1 != PPP_CONTROL) {
            anomaly_add(an, ANOMALY_PPP_BAD_ADDRESS_CONTROL);
            cursor_rest(c, payload);
            cursor_fail(c, DEC_MALFORMED);
            return DEC_MALFORMED;
        }
        f->has_acfc_hdr = true;
    }
    if (!cursor_get_u8(c, &b0))
        return cursor_status(c);
    if (b0 & 1) {
        f->pfc = true;
        f->protocol = b0;
    } else {
        if (!cursor_get_u8(c, &b1))
            return cursor_status(c);
        f->protocol = (uint16_t)(b0 << 8 | b1);
        if (!(b1 & 1)) {
            anomaly_add(an, ANOMALY_PPP_BAD_PROTOCOL);
            cursor_rest(c, payload);
            cursor_fail(c, DEC_MALFORMED);
            return DEC_MALFORMED;
        }
    }
    cursor_rest(c, payload);
    return DEC_OK;
}

bool ppp_encode(wbuf *w, const struct ppp_frame *f, const uint8_t *info, size_t len)
{
    if (f->has_acfc_hdr) {
        wbuf_put_u8(w, PPP_ADDRESS);
        wbuf_put_u8(w, PPP_CONTROL);
    }
    if (f->pfc && f->protocol <= 0xFF)
        wbuf_put_u8(w, (uint8_t)f->protocol);
    else
        wbuf_put_be16(w, f->protocol);
    wbuf_put_bytes(w, info, len);
    return wbuf_ok(w);
}
