/* tcp.c - TCP header and options (RFC 9293, RFC 7323, RFC 2018); see tcp.h. */
#include "tcp.h"

#include <stdio.h>
#include <string.h>

#include "names.h"

static const val_name tcp_opt_names[] = {
    {0, "eol"}, {1, "nop"}, {2, "mss"}, {3, "wscale"}, {4, "sack-perm"}, {5, "sack"},
    {8, "timestamp"}, {19, "md5sig"}, {28, "user-timeout"}, {29, "tcp-ao"}, {30, "mptcp"},
    {34, "tfo"}, {253, "experimental-253"}, {254, "experimental-254"},
};

const char *tcp_option_name(uint8_t kind)
{
    return VAL_NAME(tcp_opt_names, kind, "unknown");
}

char *tcp_flags_str(uint16_t flags, char *buf, size_t size)
{
    static const char *const names[] = {"FIN", "SYN", "RST", "PSH", "ACK", "URG", "ECE", "CWR", "AE"};
    size_t n = 0;
    if (size)
        buf[0] = '\0';
    for (size_t i = 0; i < ARRAY_LEN(names) && n < size; i++)
        if (flags & (1u << i))
            n += (size_t)snprintf(buf + n, size - n, "%s%s", n ? "," : "", names[i]);
    return buf;
}

static void keep_unknown(struct tcp_hdr *h, uint8_t kind, size_t off, uint8_t len)
{
    if (h->n_unknown < TCP_MAX_UNKNOWN_OPT)
        h->unknown[h->n_unknown++] = (struct tcp_opt_ref){kind, (uint8_t)off, len};
}

/* Walk the options; false when one is structurally broken (length < 2 / past end). */
static bool parse_options(struct tcp_hdr *h, anomaly_set *an)
{
    cursor o;
    cursor_init_exact(&o, h->options, h->opt_len);
    uint8_t kind, len;
    while (cursor_get_u8(&o, &kind)) {
        size_t off = (size_t)h->opt_len - cursor_len(&o) - 1;
        if (kind == TCP_OPT_EOL)
            break;
        if (kind == TCP_OPT_NOP)
            continue;
        if (!cursor_get_u8(&o, &len) || len < 2)
            return false;
        cursor v;
        if (!cursor_sub(&o, (size_t)len - 2, &v))
            return false;
        bool ok = true;
        switch (kind) {
        case TCP_OPT_MSS:
            if ((ok = len == 4)) {
                h->has_mss = true;
                cursor_get_be16(&v, &h->mss);
            }
            break;
        case TCP_OPT_WSCALE:
            if ((ok = len == 3)) {
                h->has_wscale = true;
                cursor_get_u8(&v, &h->wscale);
            }
            break;
        case TCP_OPT_SACK_PERM:
            h->sack_permitted = ok = len == 2;
            break;
        case TCP_OPT_SACK:
            if ((ok = len >= 10 && (len - 2) % 8 == 0)) {
                h->n_sack = 0;
                while (h->n_sack < TCP_MAX_SACK && cursor_get_be32(&v, &h->sack[h->n_sack].left) &&
                       cursor_get_be32(&v, &h->sack[h->n_sack].right))
                    h->n_sack++;
            }
            break;
        case TCP_OPT_TIMESTAMP:
            if ((ok = len == 10)) {
                h->has_ts = true;
                cursor_get_be32(&v, &h->ts_val);
                cursor_get_be32(&v, &h->ts_ecr);
            }
            break;
        default:
            keep_unknown(h, kind, off, len);
            continue;
        }
        if (!ok) {
            anomaly_add(an, ANOMALY_TCP_BAD_OPTION_LENGTH);
            keep_unknown(h, kind, off, len);
        }
    }
    return true;
}

ip_csum_status tcp_checksum_verify(const struct ip_pair *ip, const cursor *seg)
{
    return ip ? ip_csum_verify(ip, IP_PROTO_TCP, seg) : IP_CSUM_UNCHECKED;
}

bool tcp_checksum_ok(const struct ip_pair *ip, const cursor *seg)
{
    return tcp_checksum_verify(ip, seg) == IP_CSUM_OK;
}

dec_status tcp_decode(cursor *c, const struct ip_pair *ip, struct tcp_hdr *h, cursor *payload, anomaly_set *an)
{
    memset(h, 0, sizeof *h);
    cursor_init(payload, NULL, 0);
    cursor whole = *c;
    uint8_t off = 0, fl = 0;
    cursor_get_be16(c, &h->sport);
    cursor_get_be16(c, &h->dport);
    cursor_get_be32(c, &h->seq);
    cursor_get_be32(c, &h->ack);
    cursor_get_u8(c, &off);
    cursor_get_u8(c, &fl);
    cursor_get_be16(c, &h->window);
    cursor_get_be16(c, &h->checksum);
    cursor_get_be16(c, &h->urgent);
    if (cursor_status(c) != DEC_OK)
        return cursor_status(c);
    h->hdr_len = (uint8_t)((off >> 4) * 4);
    h->reserved = (off >> 1) & 0x07;
    h->flags = (uint16_t)((off & 1) << 8 | fl);
    if (h->hdr_len < TCP_MIN_HDR) {
        cursor_fail(c, DEC_MALFORMED);
        return DEC_MALFORMED;
    }
    h->opt_len = (uint8_t)(h->hdr_len - TCP_MIN_HDR);
    if (!cursor_get_bytes(c, h->options, h->opt_len))
        return cursor_status(c);
    if (!parse_options(h, an)) {
        cursor_fail(c, DEC_MALFORMED);
        return DEC_MALFORMED;
    }
    cursor_rest(c, payload);

    uint16_t f = h->flags;
    if ((f & (TCP_SYN | TCP_FIN)) == (TCP_SYN | TCP_FIN) || (f & (TCP_SYN | TCP_RST)) == (TCP_SYN | TCP_RST) ||
        (f & 0xff) == 0)
        anomaly_add(an, ANOMALY_TCP_BAD_FLAGS);
    if (h->sport == 0 || h->dport == 0)
        anomaly_add(an, ANOMALY_TCP_PORT_ZERO);
    h->csum = tcp_checksum_verify(ip, &whole);
    if (h->csum == IP_CSUM_BAD)
        anomaly_add(an, ANOMALY_TCP_BAD_CHECKSUM);
    return DEC_OK;
}

/* Options from the parsed fields (see tcp.h), unpadded. */
static void build_options(wbuf *o, const struct tcp_hdr *h)
{
    if (h->has_mss) {
        wbuf_put_u8(o, TCP_OPT_MSS);
        wbuf_put_u8(o, 4);
        wbuf_put_be16(o, h->mss);
    }
    if (h->has_wscale) {
        wbuf_put_u8(o, TCP_OPT_NOP);
        wbuf_put_u8(o, TCP_OPT_WSCALE);
        wbuf_put_u8(o, 3);
        wbuf_put_u8(o, h->wscale);
    }
    if (h->sack_permitted) {
        wbuf_put_u8(o, TCP_OPT_SACK_PERM);
        wbuf_put_u8(o, 2);
    }
    if (h->has_ts) {
        wbuf_put_u8(o, TCP_OPT_NOP);
        wbuf_put_u8(o, TCP_OPT_NOP);
        wbuf_put_u8(o, TCP_OPT_TIMESTAMP);
        wbuf_put_u8(o, 10);
        wbuf_put_be32(o, h->ts_val);
        wbuf_put_be32(o, h->ts_ecr);
    }
    if (h->n_sack) {
        if (h->n_sack > TCP_MAX_SACK) {
            o->overflow = true;
            return;
        }
        wbuf_put_u8(o, TCP_OPT_NOP);
        wbuf_put_u8(o, TCP_OPT_NOP);
        wbuf_put_u8(o, TCP_OPT_SACK);
        wbuf_put_u8(o, (uint8_t)(2 + 8 * h->n_sack));
        for (int i = 0; i < h->n_sack; i++) {
            wbuf_put_be32(o, h->sack[i].left);
            wbuf_put_be32(o, h->sack[i].right);
        }
    }
}

bool tcp_encode(wbuf *w, const struct ip_pair *ip, const struct tcp_hdr *h, const uint8_t *payload, size_t len)
{
    uint8_t ob[TCP_MAX_OPT];
    wbuf o;
    wbuf_init(&o, ob, sizeof ob);
    if (h->opt_len)
        wbuf_put_bytes(&o, h->options, h->opt_len);
    else
        build_options(&o, h);
    while (wbuf_ok(&o) && wbuf_len(&o) % 4)
        wbuf_put_u8(&o, TCP_OPT_EOL);
    if (!wbuf_ok(&o))
        return false;
    size_t hl = TCP_MIN_HDR + wbuf_len(&o);
    size_t start = wbuf_len(w);
    wbuf_put_be16(w, h->sport);
    wbuf_put_be16(w, h->dport);
    wbuf_put_be32(w, h->seq);
    wbuf_put_be32(w, h->ack);
    wbuf_put_u8(w, (uint8_t)(hl / 4 << 4 | (h->reserved & 7) << 1 | ((h->flags >> 8) & 1)));
    wbuf_put_u8(w, (uint8_t)h->flags);
    wbuf_put_be16(w, h->window);
    wbuf_put_be16(w, 0);
    wbuf_put_be16(w, h->urgent);
    wbuf_put_bytes(w, ob, wbuf_len(&o));
    wbuf_put_bytes(w, payload, len);
    if (!wbuf_ok(w))
        return false;
    if (ip) {
        size_t seg = wbuf_len(w) - start;
        uint32_t sum = ip_pseudo_sum(ip, IP_PROTO_TCP, (uint32_t)seg);
        wbuf_patch_be16(w, start + 16, ip_csum_finish(ip_csum_add_bytes(sum, w->buf + start, seg)));
    }
    return true;
}
