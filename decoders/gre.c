/*
 * gre.c - GRE header codec: PPTP enhanced GRE v1 (RFC 2637 section 4.1) and
 * plain GRE v0 (RFC 1701, RFC 2784, RFC 2890).  See gre.h.
 */
#include "gre.h"

#include <string.h>

#include "names.h"

static const val_name gre_proto_names[] = {
    {0x880B, "PPP"},  {0x0800, "IPv4"}, {0x86DD, "IPv6"}, {0x6558, "Ethernet"},
    {0x8847, "MPLS"}, {0x0806, "ARP"},  {0x883E, "ERSPAN"}, {0x88BE, "ERSPAN"},
};

const char *gre_protocol_name(uint16_t proto)
{
    return VAL_NAME(gre_proto_names, proto, "unknown");
}

static const val_name gre_version_names[] = {{0, "gre"}, {1, "enhanced-gre"}};

const char *gre_version_name(uint8_t version)
{
    return VAL_NAME(gre_version_names, version, "unknown");
}

/* One's complement sum (RFC 1071) of n bytes, folded. */
static uint16_t csum_fold(const uint8_t *p, size_t n)
{
    uint32_t sum = 0;
    size_t i = 0;
    for (; i + 1 < n; i += 2)
        sum += (uint32_t)(p[i] << 8 | p[i + 1]);
    if (i < n)
        sum += (uint32_t)p[i] << 8;
    while (sum >> 16)
        sum = (sum & 0xffff) + (sum >> 16);
    return (uint16_t)sum;
}

/* Skip the source route entries (RFC 1701 section 2.1): address family (16),
 * SRE offset (8), SRE length (8), routing information (length bytes); the list
 * ends with family 0 and length 0.  Every entry consumes >= 4 bytes. */
static void skip_sres(cursor *c)
{
    for (;;) {
        uint16_t af;
        uint8_t off, len;
        if (!cursor_get_be16(c, &af) || !cursor_get_u8(c, &off) || !cursor_get_u8(c, &len))
            return;
        if (af == 0 && len == 0)
            return;
        if (!cursor_skip(c, len))
            return;
    }
}

dec_status gre_decode(cursor *c, struct gre_hdr *h, cursor *payload, anomaly_set *an)
{
    cursor pl_dummy;
    if (!payload)
        payload = &pl_dummy;
    memset(h, 0, sizeof *h);
    cursor_init_exact(payload, NULL, 0);

    const cursor start = *c; /* for the checksum */
    uint16_t fv;
    if (!cursor_get_be16(c, &fv) || !cursor_get_be16(c, &h->protocol))
        return cursor_status(c);
    h->c = fv & GRE_F_CHECKSUM;
    h->r = fv & GRE_F_ROUTING;
    h->k = fv & GRE_F_KEY;
    h->s = fv & GRE_F_SEQ;
    h->strict = fv & GRE_F_STRICT;
    h->recur = (uint8_t)((fv & GRE_F_RECUR_MASK) >> 8);
    h->a = fv & GRE_F_ACK;
    h->flags = (uint8_t)((fv & GRE_F_FLAGS_MASK) >> 3);
    h->version = (uint8_t)(fv & GRE_F_VERSION_MASK);

    if (h->version > GRE_VERSION_PPTP) {
        /* The layout of anything after the first word is unknown. */
        anomaly_add(an, ANOMALY_GRE_BAD_VERSION);
        cursor_rest(c, payload);
        cursor_fail(c, DEC_MALFORMED);
        return DEC_MALFORMED;
    }
    const bool v1 = h->version == GRE_VERSION_PPTP;

    if (h->c || h->r) {
        cursor_get_be16(c, &h->checksum);
        cursor_get_be16(c, &h->offset);
    }
    if (h->k && cursor_get_be32(c, &h->key)) {
        if (v1) {
            h->payload_length = (uint16_t)(h->key >> 16);
            h->call_id = (uint16_t)h->key;
        }
    }
    if (h->s)
        h->has_seq = cursor_get_be32(c, &h->seq);
    if (h->a && v1)
        h->has_ack = cursor_get_be32(c, &h->ack);
    if (h->r) {
        const cursor before = *c;
        skip_sres(c);
        if (cursor_status(c) == DEC_OK) {
            h->routing = cursor_data(&before);
            h->routing_len = cursor_len(&before) - cursor_len(c);
        }
    }
    if (cursor_status(c) != DEC_OK)
        return cursor_status(c);
    const size_t hdr_len = cursor_len(&start) - cursor_len(c);

    if (h->flags)
        anomaly_add(an, ANOMALY_GRE_RESERVED_FLAGS);

    dec_status st = DEC_OK;
    bool complete; /* the whole packet is known to be present (checksum check) */
    if (!v1) {
        if (h->a)
            anomaly_add(an, ANOMALY_GRE_V0_ACK_BIT);
        cursor_rest(c, payload);
        complete = !c->open_end;
    } else {
        if (h->protocol != GRE_PROTO_PPP)
            anomaly_add(an, ANOMALY_GRE_V1_BAD_PROTOCOL);
        if (h->c)
            anomaly_add(an, ANOMALY_GRE_V1_CHECKSUM_BIT);
        if (h->r)
            anomaly_add(an, ANOMALY_GRE_V1_ROUTING_BIT);
        if (h->strict)
            anomaly_add(an, ANOMALY_GRE_V1_STRICT_ROUTE);
        if (h->recur)
            anomaly_add(an, ANOMALY_GRE_V1_RECURSION);

        if (!h->k) {
            /* No payload length and no call id: the payload has no authoritative
             * end and belongs to no call. */
            anomaly_add(an, ANOMALY_GRE_V1_NO_KEY);
            cursor_rest(c, payload);
            cursor_fail(c, DEC_MALFORMED);
            return DEC_MALFORMED;
        }
        if (h->payload_length > 0 && !h->s)
            anomaly_add(an, ANOMALY_GRE_PAYLOAD_WITHOUT_SEQ);
        if (h->payload_length == 0 && h->s)
            anomaly_add(an, ANOMALY_GRE_SEQ_WITHOUT_PAYLOAD);
        if (h->payload_length == 0 && !h->s && !h->a)
            anomaly_add(an, ANOMALY_GRE_V1_EMPTY);

        if (cursor_len(c) >= h->payload_length) {
            cursor_sub(c, h->payload_length, payload);
            if (!cursor_empty(c)) {
                anomaly_add(an, ANOMALY_GRE_TRAILING_BYTES);
                cursor_skip(c, cursor_len(c));
            }
            complete = true;
        } else if (c->open_end) {
            /* The capture stopped inside the payload: not the sender's fault. */
            cursor_sub_upto(c, h->payload_length, payload);
            h->payload_truncated = true;
            complete = false;
        } else {
            /* The enclosing layer's length is authoritative and shorter. */
            anomaly_add(an, ANOMALY_GRE_PAYLOAD_LENGTH_EXCEEDS);
            cursor_rest(c, payload);
            payload->open_end = 0;
            cursor_fail(c, DEC_MALFORMED);
            st = DEC_MALFORMED;
            complete = false;
        }
    }

    if (h->c && complete) {
        cursor all = start;
        const uint8_t *p;
        size_t n = hdr_len + cursor_len(payload);
        if (cursor_get_span(&all, n, &p)) {
            h->checksum_verified = true;
            if (csum_fold(p, n) != 0xffff)
                anomaly_add(an, ANOMALY_GRE_BAD_CHECKSUM);
        }
    }
    return st;
}

bool gre_encode(wbuf *w, const struct gre_hdr *h, const uint8_t *payload, size_t len)
{
    const bool v1 = (h->version & 7) == GRE_VERSION_PPTP;
    const bool s = h->s || h->has_seq;
    const bool a = h->a || h->has_ack;
    if (v1 && h->k && !h->raw_payload_length && len > 0xffff)
        return false;
    const size_t start = wbuf_len(w);

    uint16_t fv = (uint16_t)((h->c ? GRE_F_CHECKSUM : 0) | (h->r ? GRE_F_ROUTING : 0) |
                             (h->k ? GRE_F_KEY : 0) | (s ? GRE_F_SEQ : 0) |
                             (h->strict ? GRE_F_STRICT : 0) | ((h->recur & 7u) << 8) |
                             (a ? GRE_F_ACK : 0) | ((h->flags & 15u) << 3) | (h->version & 7u));
    wbuf_put_be16(w, fv);
    wbuf_put_be16(w, h->protocol);
    size_t csum_off = 0;
    if (h->c || h->r) {
        csum_off = wbuf_len(w);
        wbuf_put_be16(w, h->raw_checksum ? h->checksum : 0);
        wbuf_put_be16(w, h->offset);
    }
    if (h->k) {
        if (v1) {
            wbuf_put_be16(w, h->raw_payload_length ? h->payload_length : (uint16_t)len);
            wbuf_put_be16(w, h->call_id);
        } else {
            wbuf_put_be32(w, h->key);
        }
    }
    if (s)
        wbuf_put_be32(w, h->seq);
    if (a && v1)
        wbuf_put_be32(w, h->ack);
    if (h->r) {
        if (h->routing)
            wbuf_put_bytes(w, h->routing, h->routing_len);
        else
            wbuf_put_zeros(w, 4);
    }
    wbuf_put_bytes(w, payload, len);
    if (h->c && !h->raw_checksum && wbuf_ok(w)) {
        uint16_t sum = csum_fold(w->buf + start, wbuf_len(w) - start);
        wbuf_patch_be16(w, csum_off, (uint16_t)~sum);
    }
    return wbuf_ok(w);
}
