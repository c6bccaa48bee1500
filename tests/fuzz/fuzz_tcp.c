/* fuzz_tcp.c - tcp_decode() on arbitrary segments (first byte: exact or open,
 * IPv4 or IPv6 pseudo-header); a decoded header re-encodes (raw options) to the
 * same header bytes with a correct checksum. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "tcp.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size < 1)
        return 0;
    uint8_t sel = data[0];
    data++;
    size--;
    struct ip_pair ip;
    if (sel & 1) {
        static const uint8_t a[16] = {0x20, 0x01, [15] = 1}, b[16] = {0x20, 0x01, [15] = 2};
        ip_pair_v6(&ip, a, b);
    } else {
        ip_pair_v4(&ip, 0x0a000001, 0x0a000002);
    }
    cursor c, p;
    if (sel & 0x80)
        cursor_init_exact(&c, data, size);
    else
        cursor_init(&c, data, size);
    anomaly_set an;
    anomaly_clear(&an);
    struct tcp_hdr h;
    if (tcp_decode(&c, &ip, &h, &p, &an) != DEC_OK)
        return 0;
    if (h.hdr_len < 20 || h.hdr_len > 60 || h.n_sack > TCP_MAX_SACK || h.n_unknown > TCP_MAX_UNKNOWN_OPT)
        abort();
    for (int i = 0; i < h.n_unknown; i++)
        if ((size_t)h.unknown[i].off + h.unknown[i].len > h.opt_len)
            abort();
    if (cursor_len(&p) && (cursor_data(&p) < data || cursor_data(&p) + cursor_len(&p) > data + size))
        abort();
    static uint8_t out[1 << 17];
    wbuf w;
    wbuf_init(&w, out, sizeof out);
    if (!tcp_encode(&w, &ip, &h, cursor_data(&p), cursor_len(&p)))
        abort();
    /* all header bytes but the checksum match */
    if (wbuf_len(&w) != h.hdr_len + cursor_len(&p) || memcmp(out, data, 16) != 0 ||
        memcmp(out + 18, data + 18, h.hdr_len - 18) != 0)
        abort();
    cursor c2, p2;
    struct tcp_hdr h2;
    cursor_init_exact(&c2, out, wbuf_len(&w));
    if (tcp_decode(&c2, &ip, &h2, &p2, NULL) != DEC_OK || h2.csum != IP_CSUM_OK || h2.mss != h.mss ||
        h2.n_sack != h.n_sack || h2.ts_val != h.ts_val)
        abort();
    return 0;
}
