/* fuzz_ip.c - ipv4_decode() / ipv6_decode() (first byte: version, exact or open
 * cursor), following IP-in-IP; invariants: payloads stay inside the input, an
 * IPv4 header with a good checksum re-encodes to the same bytes, IPv6 ext-walk
 * bookkeeping stays within bounds. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "ipv4.h"
#include "ipv6.h"

static void inside(const cursor *p, const uint8_t *data, size_t size)
{
    if (cursor_len(p) && (cursor_data(p) < data || cursor_data(p) + cursor_len(p) > data + size))
        abort();
}

static void check_v4_reencode(const struct ipv4_hdr *h, const cursor *p, const uint8_t *pkt)
{
    if (!h->checksum_ok || h->payload_truncated || h->total_len == 0)
        return;
    static uint8_t out[65536];
    wbuf w;
    wbuf_init(&w, out, sizeof out);
    if (!ipv4_encode(&w, h, cursor_data(p), cursor_len(p)))
        abort();
    /* all header bytes but the checksum (0x0000 and 0xffff both verify) */
    if (wbuf_len(&w) != h->total_len || memcmp(out, pkt, 10) != 0 || memcmp(out + 12, pkt + 12, h->hdr_len - 12u) != 0)
        abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size < 1)
        return 0;
    uint8_t sel = data[0];
    data++;
    size--;
    cursor c, p;
    if (sel & 0x80)
        cursor_init_exact(&c, data, size);
    else
        cursor_init(&c, data, size);
    anomaly_set an;
    anomaly_clear(&an);
    bool v6 = sel & 1;
    for (int depth = 0; depth < 4; depth++) {
        const uint8_t *start = cursor_data(&c);
        uint8_t proto;
        if (!v6) {
            struct ipv4_hdr h;
            if (ipv4_decode(&c, &h, &p, &an) != DEC_OK)
                return 0;
            inside(&p, data, size);
            if (h.hdr_len < 20 || h.hdr_len > 60 || h.opt_len != h.hdr_len - 20)
                abort();
            check_v4_reencode(&h, &p, start);
            proto = h.proto;
            if (h.frag_offset)
                return 0;
        } else {
            struct ipv6_hdr h;
            if (ipv6_decode(&c, &h, &p, &an) != DEC_OK)
                return 0;
            inside(&p, data, size);
            if (h.n_ext > IPV6_MAX_EXT)
                abort();
            if (h.payload_len && !h.payload_truncated && (size_t)h.ext_len + cursor_len(&p) != h.payload_len)
                abort();
            proto = h.proto;
            if (h.frag_offset)
                return 0;
        }
        if (proto == IP_PROTO_IPIP)
            v6 = false;
        else if (proto == IP_PROTO_IPV6)
            v6 = true;
        else
            return 0;
        c = p;
    }
    return 0;
}
