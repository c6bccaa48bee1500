/* pcap_writer.c - see pcap_writer.h */
#include "pcap_writer.h"

#include "gre.h"
#include "mppe.h"
#include "ppp.h"

#include <stdlib.h>
#include <string.h>

static void le32(uint8_t *p, uint32_t v)
{
    p[0] = (uint8_t)v; p[1] = (uint8_t)(v >> 8); p[2] = (uint8_t)(v >> 16); p[3] = (uint8_t)(v >> 24);
}

pcapw *pcapw_open(const char *path, int linktype)
{
    pcapw *w = calloc(1, sizeof *w);
    if (!w)
        return NULL;
    w->f = fopen(path, "wb");
    if (!w->f) {
        free(w);
        return NULL;
    }
    w->linktype = linktype;
    uint8_t h[24] = {0};
    le32(h, 0xa1b2c3d4);
    h[4] = 2; h[6] = 4;
    le32(h + 16, 262144);
    le32(h + 20, (uint32_t)linktype);
    fwrite(h, 1, sizeof h, w->f);
    return w;
}

int pcapw_write(pcapw *w, uint64_t ts_usec, const uint8_t *frame, size_t len)
{
    uint8_t h[16];
    le32(h, (uint32_t)(ts_usec / 1000000));
    le32(h + 4, (uint32_t)(ts_usec % 1000000));
    le32(h + 8, (uint32_t)len);
    le32(h + 12, (uint32_t)len);
    if (fwrite(h, 1, 16, w->f) != 16 || fwrite(frame, 1, len, w->f) != len)
        return -1;
    return 0;
}

uint16_t inet_csum(const uint8_t *p, size_t len, uint32_t sum)
{
    while (len > 1) {
        sum += (uint32_t)((p[0] << 8) | p[1]);
        p += 2;
        len -= 2;
    }
    if (len)
        sum += (uint32_t)(p[0] << 8);
    while (sum >> 16)
        sum = (sum & 0xffff) + (sum >> 16);
    return (uint16_t)~sum;
}

size_t pcapw_build_ip4(uint8_t *out, size_t cap, uint32_t src, uint32_t dst, uint8_t proto,
                       uint16_t ip_id, uint16_t frag_field, const uint8_t *payload, size_t len)
{
    if (len + 20 > cap || len + 20 > 65535)
        return 0;
    uint8_t *ip = out;
    memset(ip, 0, 20);
    ip[0] = 0x45;
    ip[2] = (uint8_t)((len + 20) >> 8); ip[3] = (uint8_t)(len + 20);
    ip[4] = (uint8_t)(ip_id >> 8); ip[5] = (uint8_t)ip_id;
    ip[6] = (uint8_t)(frag_field >> 8); ip[7] = (uint8_t)frag_field;
    ip[8] = 64;
    ip[9] = proto;
    for (int i = 0; i < 4; i++) {
        ip[12 + i] = (uint8_t)(src >> (24 - 8 * i));
        ip[16 + i] = (uint8_t)(dst >> (24 - 8 * i));
    }
    uint16_t c = inet_csum(ip, 20, 0);
    ip[10] = (uint8_t)(c >> 8); ip[11] = (uint8_t)c;
    if (len)
        memcpy(ip + 20, payload, len);
    return len + 20;
}

static size_t eth_hdr(uint8_t *f)
{
    static const uint8_t macs[12] = {0x02, 0, 0, 0, 0, 2, 0x02, 0, 0, 0, 0, 1};
    memcpy(f, macs, 12);
    f[12] = 0x08; f[13] = 0x00;
    return 14;
}

int pcapw_write_ip4(pcapw *w, uint64_t ts_usec, uint32_t src, uint32_t dst, uint8_t proto,
                    const uint8_t *payload, size_t len)
{
    static uint16_t id = 1;
    uint8_t *f = malloc(len + 64);
    if (!f)
        return -1;
    size_t n = eth_hdr(f);
    size_t ipn = pcapw_build_ip4(f + n, len + 50, src, dst, proto, id++, 0x4000, payload, len);
    int rc = ipn ? pcapw_write(w, ts_usec, f, n + ipn) : -1;
    free(f);
    return rc;
}

int pcapw_write_tcp4(pcapw *w, uint64_t ts_usec, uint32_t src, uint32_t dst, uint16_t sport,
                     uint16_t dport, uint32_t seq, uint32_t ack, uint8_t flags,
                     const uint8_t *payload, size_t len)
{
    uint8_t *seg = malloc(len + 20);
    if (!seg)
        return -1;
    uint8_t *t = seg;
    memset(t, 0, 20);
    t[0] = (uint8_t)(sport >> 8); t[1] = (uint8_t)sport;
    t[2] = (uint8_t)(dport >> 8); t[3] = (uint8_t)dport;
    for (int i = 0; i < 4; i++) {
        t[4 + i] = (uint8_t)(seq >> (24 - 8 * i));
        t[8 + i] = (uint8_t)(ack >> (24 - 8 * i));
    }
    t[12] = 0x50;
    t[13] = flags;
    t[14] = 0xff; t[15] = 0xff;
    if (len)
        memcpy(t + 20, payload, len);
    /* pseudo header sum */
    uint32_t sum = 0;
    sum += (src >> 16) + (src & 0xffff) + (dst >> 16) + (dst & 0xffff);
    sum += 6 + (uint32_t)(len + 20);
    uint16_t c = inet_csum(t, len + 20, sum);
    t[16] = (uint8_t)(c >> 8); t[17] = (uint8_t)c;
    int rc = pcapw_write_ip4(w, ts_usec, src, dst, 6, seg, len + 20);
    free(seg);
    return rc;
}

void pcapw_close(pcapw *w)
{
    if (!w)
        return;
    if (w->f)
        fclose(w->f);
    free(w);
}

int pcapw_write_gre_mppe(pcapw *w, uint64_t ts_usec, uint32_t src, uint32_t dst, uint16_t call_id, uint32_t seq,
                         size_t mppe_len, uint8_t fill)
{
    uint8_t payload[1500], mbuf[1600], ppp[1600], out[1700];
    if (mppe_len > sizeof payload)
        return -1;
    memset(payload, fill, mppe_len);
    wbuf mw, pw, gw;
    wbuf_init(&mw, mbuf, sizeof mbuf);
    struct mppe_hdr mh = {.encrypted = true, .coherency_count = (uint16_t)(seq & 0xfff)};
    mppe_encode(&mw, &mh, payload, mppe_len);
    wbuf_init(&pw, ppp, sizeof ppp);
    struct ppp_frame pf = {.has_acfc_hdr = true, .pfc = false, .protocol = 0x00fd};
    ppp_encode(&pw, &pf, mbuf, wbuf_len(&mw));
    struct gre_hdr g;
    memset(&g, 0, sizeof g);
    g.k = g.s = g.has_seq = true;
    g.version = GRE_VERSION_PPTP;
    g.protocol = GRE_PROTO_PPP;
    g.call_id = call_id;
    g.seq = seq;
    g.payload_length = (uint16_t)wbuf_len(&pw);
    wbuf_init(&gw, out, sizeof out);
    if (!gre_encode(&gw, &g, ppp, wbuf_len(&pw)))
        return -1;
    return pcapw_write_ip4(w, ts_usec, src, dst, 47, out, wbuf_len(&gw));
}
