/* peer_net.c - simulated network and pcap writer; see peer_net.h */
#include "peer_net.h"

#include <stdlib.h>
#include <string.h>

#include "cursor.h"
#include "ip_common.h"
#include "ipv4.h"
#include "ipv6.h"
#include "link.h"

#define FRAME_MAX 2200

void pnet_cfg_default(pnet_cfg *c)
{
    memset(c, 0, sizeof *c);
    c->link = PNET_LINK_ETH;
    c->step = 1 * PT_MS;
    c->epoch = 1735689600ull * PT_SEC; /* 2025-01-01T00:00:00Z */
    c->mtu = 1500;
    c->ttl = 64;
}

void pnet_init(pnet *n, const pnet_cfg *cfg)
{
    memset(n, 0, sizeof *n);
    n->cfg = *cfg;
    n->capture = PNET_CAP_ALL;
}

static void le32(uint8_t *p, uint32_t v)
{
    p[0] = (uint8_t)v, p[1] = (uint8_t)(v >> 8), p[2] = (uint8_t)(v >> 16), p[3] = (uint8_t)(v >> 24);
}

bool pnet_open_pcap(pnet *n, const char *path)
{
    n->pcap = fopen(path, "wb");
    if (!n->pcap)
        return false;
    uint8_t h[24] = {0};
    le32(h, 0xa1b2c3d4);
    h[4] = 2;
    h[6] = 4;
    le32(h + 16, 262144);
    le32(h + 20, n->cfg.link == PNET_LINK_SLL ? LINK_DLT_LINUX_SLL : LINK_DLT_EN10MB);
    if (fwrite(h, 1, sizeof h, n->pcap) != sizeof h)
        n->write_error = true;
    return true;
}

bool pnet_close(pnet *n)
{
    while (n->head) {
        pnet_item *it = n->head;
        n->head = it->next;
        free(it);
    }
    n->tail = NULL;
    n->queued = 0;
    if (n->pcap) {
        if (fclose(n->pcap) != 0)
            n->write_error = true;
        n->pcap = NULL;
    }
    return !n->write_error;
}

void pnet_advance(pnet *n, ptime t)
{
    if (t > n->now)
        n->now = t;
}

/* Write one frame at the current time if the capture wants it; time moves on. */
static void emit_frame(pnet *n, const uint8_t *f, size_t len, unsigned kind, unsigned flags)
{
    n->frames++;
    if (n->pcap && (n->capture & kind) && !(flags & PNET_NO_CAPTURE)) {
        ptime ts = n->cfg.epoch + n->now;
        uint8_t h[16];
        le32(h, (uint32_t)(ts / PT_SEC));
        le32(h + 4, (uint32_t)(ts % PT_SEC));
        le32(h + 8, (uint32_t)len);
        le32(h + 12, (uint32_t)len);
        if (fwrite(h, 1, 16, n->pcap) != 16 || fwrite(f, 1, len, n->pcap) != len)
            n->write_error = true;
        n->frames_written++;
        n->bytes_written += len;
    }
    n->now += n->cfg.step;
}

static void put_link(pnet *n, wbuf *w, const pnet_host *src, const pnet_host *dst)
{
    struct link_info li;
    memset(&li, 0, sizeof li);
    li.next_proto = n->cfg.ipv6 ? ETH_TYPE_IPV6 : ETH_TYPE_IPV4;
    li.n_vlans = (uint8_t)n->cfg.n_vlans;
    for (int i = 0; i < n->cfg.n_vlans; i++) {
        li.vlans[i].tpid = ETH_TYPE_VLAN;
        li.vlans[i].vid = n->cfg.vlans[i];
    }
    if (n->cfg.link == PNET_LINK_SLL) {
        li.sll.version = 1;
        li.sll.pkttype = src->capture_side ? SLL_OUTGOING : SLL_HOST;
        li.sll.hatype = 1; /* ARPHRD_ETHER */
        li.sll.halen = 6;
        memcpy(li.sll.addr, src->mac, 6);
        link_encode(LINK_DLT_LINUX_SLL, w, &li);
    } else {
        memcpy(li.eth.dst, dst->mac, 6);
        memcpy(li.eth.src, src->mac, 6);
        link_encode(LINK_DLT_EN10MB, w, &li);
    }
}

static void send_v4(pnet *n, pnet_host *src, const pnet_host *dst, uint8_t proto, unsigned kind,
                    const uint8_t *l4, size_t len, unsigned flags)
{
    struct ipv4_hdr h;
    memset(&h, 0, sizeof h);
    h.ttl = n->cfg.ttl;
    h.proto = proto;
    h.src = src->ip4;
    h.dst = dst->ip4;
    h.id = src->ip_id++;
    h.dont_fragment = (flags & PNET_DF) != 0;
    size_t mtu = n->cfg.mtu ? n->cfg.mtu : 1500;
    size_t chunk = len;
    if (IPV4_MIN_HDR + len > mtu && !(flags & PNET_DF))
        chunk = (mtu - IPV4_MIN_HDR) / 8 * 8;
    for (size_t off = 0; off < len || (off == 0 && len == 0);) {
        size_t k = len - off < chunk ? len - off : chunk;
        h.frag_offset = (uint16_t)off;
        h.more_fragments = off + k < len;
        uint8_t f[FRAME_MAX];
        wbuf w;
        wbuf_init(&w, f, sizeof f);
        put_link(n, &w, src, dst);
        if (ipv4_encode(&w, &h, l4 + off, k) && wbuf_ok(&w))
            emit_frame(n, f, wbuf_len(&w), kind, flags);
        if (chunk < len)
            n->fragments++;
        off += k;
        if (!k)
            break;
    }
}

static void send_v6(pnet *n, pnet_host *src, const pnet_host *dst, uint8_t proto, unsigned kind,
                    const uint8_t *l4, size_t len, unsigned flags)
{
    struct ipv6_hdr h;
    memset(&h, 0, sizeof h);
    h.version = 6;
    h.hop_limit = n->cfg.ttl;
    h.proto = proto;
    memcpy(h.src, src->ip6, 16);
    memcpy(h.dst, dst->ip6, 16);
    size_t mtu = n->cfg.mtu >= 1280 ? n->cfg.mtu : 1280;
    size_t chunk = len;
    if (IPV6_HDR_LEN + len > mtu) {
        h.has_frag = true;
        h.frag_id = src->frag_id++;
        chunk = (mtu - IPV6_HDR_LEN - IPV6_FRAG_HDR_LEN) / 8 * 8;
    }
    for (size_t off = 0; off < len || (off == 0 && len == 0);) {
        size_t k = len - off < chunk ? len - off : chunk;
        h.frag_offset = (uint16_t)off;
        h.more_fragments = off + k < len;
        uint8_t f[FRAME_MAX];
        wbuf w;
        wbuf_init(&w, f, sizeof f);
        put_link(n, &w, src, dst);
        if (ipv6_encode(&w, &h, l4 + off, k) && wbuf_ok(&w))
            emit_frame(n, f, wbuf_len(&w), kind, flags);
        if (h.has_frag)
            n->fragments++;
        off += k;
        if (!k)
            break;
    }
}

void pnet_send(pnet *n, pnet_host *src, const pnet_host *dst, uint8_t proto, unsigned kind, const uint8_t *l4,
               size_t len, unsigned flags, pnet_deliver_fn fn, void *ctx)
{
    if (n->cfg.ipv6)
        send_v6(n, src, dst, proto, kind, l4, len, flags);
    else
        send_v4(n, src, dst, proto, kind, l4, len, flags);
    if ((flags & PNET_NO_DELIVER) || !fn)
        return;
    pnet_item *it = malloc(sizeof *it + len + 1);
    if (!it)
        return;
    it->next = NULL;
    it->fn = fn;
    it->ctx = ctx;
    it->len = len;
    if (len)
        memcpy(it->data, l4, len);
    if (n->tail)
        n->tail->next = it;
    else
        n->head = it;
    n->tail = it;
    n->queued++;
}

bool pnet_step(pnet *n)
{
    pnet_item *it = n->head;
    if (!it)
        return false;
    n->head = it->next;
    if (!n->head)
        n->tail = NULL;
    n->queued--;
    it->fn(it->ctx, it->data, it->len);
    free(it);
    return true;
}
