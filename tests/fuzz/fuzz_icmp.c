/* fuzz_icmp.c - icmp4_decode() / icmp6_decode() (first byte: family, exact or
 * open), then the embedded original packet with the IPv4/IPv6 decoders, as the
 * dispatcher does; and decode(encode(decode(x))) agrees on the header. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "icmp.h"
#include "ipv4.h"
#include "ipv6.h"

static void inside(const cursor *p, const uint8_t *data, size_t size)
{
    if (cursor_len(p) && (cursor_data(p) < data || cursor_data(p) + cursor_len(p) > data + size))
        abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size < 1)
        return 0;
    uint8_t sel = data[0];
    data++;
    size--;
    static const uint8_t a[16] = {0x20, 0x01, 0x0d, 0xb8, [15] = 1}, b[16] = {0xfe, 0x80, [15] = 2};
    struct ip_pair ip;
    ip_pair_v6(&ip, a, b);
    cursor c, p;
    if (sel & 0x80)
        cursor_init_exact(&c, data, size);
    else
        cursor_init(&c, data, size);
    anomaly_set an;
    anomaly_clear(&an);
    bool v6 = sel & 1;
    struct icmp_msg m;
    dec_status st = v6 ? icmp6_decode(&c, &ip, &m, &p, &an) : icmp4_decode(&c, &m, &p, &an);
    if (st != DEC_OK)
        return 0;
    inside(&p, data, size);
    if (m.is_error) {
        cursor q;
        uint8_t b0 = 0;
        cursor_peek_u8(&p, &b0);
        if (b0 >> 4 == 6) {
            struct ipv6_hdr h;
            ipv6_decode(&p, &h, &q, &an);
        } else {
            struct ipv4_hdr h;
            ipv4_decode(&p, &h, &q, &an);
        }
        inside(&q, data, size);
        return 0;
    }
    /* re-encode and decode again: same type, code and views */
    static uint8_t out[1 << 17];
    wbuf w;
    wbuf_init(&w, out, sizeof out);
    if (!(v6 ? icmp6_encode(&w, &ip, &m, cursor_data(&p), cursor_len(&p))
             : icmp4_encode(&w, &m, cursor_data(&p), cursor_len(&p))))
        abort();
    struct icmp_msg m2;
    cursor c2, p2;
    cursor_init_exact(&c2, out, wbuf_len(&w));
    if ((v6 ? icmp6_decode(&c2, &ip, &m2, &p2, NULL) : icmp4_decode(&c2, &m2, &p2, NULL)) != DEC_OK)
        abort();
    if (m2.type != m.type || m2.code != m.code || m2.rest != m.rest || m2.id != m.id || m2.seq != m.seq ||
        m2.mtu != m.mtu || m2.csum != IP_CSUM_OK || cursor_len(&p2) != cursor_len(&p))
        abort();
    return 0;
}
