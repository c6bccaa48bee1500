/* fuzz_ipcp.c - IPCP and IPV6CP decoders on arbitrary bytes; on clean decodes the
 * generic re-encode reproduces the packet and the typed encoders are a fixed
 * point after one round. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "ipcp.h"
#include "ipv6cp.h"

static uint8_t out1[70000], out2[70000];

static void check_ipcp(const uint8_t *data, size_t size)
{
    ipcp_packet p, q;
    cursor c;
    cursor_init(&c, data, size);
    ipcp_decode(&c, &p, NULL);
    cursor_init_exact(&c, data, size);
    anomaly_set an;
    anomaly_clear(&an);
    dec_status st = ipcp_decode(&c, &p, &an);
    wbuf w1, w2;
    wbuf_init(&w1, out1, sizeof out1);
    bool ok = ipcp_encode(&w1, &p);
    if (st != DEC_OK || p.cp.options.overflow)
        return;
    wbuf_init(&w2, out2, sizeof out2);
    if (!ok || !cp_encode(&w2, &p.cp) || wbuf_len(&w2) != p.cp.length || memcmp(out2, data, p.cp.length) != 0)
        abort();
    cursor_init_exact(&c, out1, wbuf_len(&w1));
    if (ipcp_decode(&c, &q, NULL) != DEC_OK)
        abort();
    wbuf_init(&w2, out2, sizeof out2);
    if (!ipcp_encode(&w2, &q) || wbuf_len(&w2) != wbuf_len(&w1) || memcmp(out1, out2, wbuf_len(&w1)) != 0)
        abort();
    if (q.opts.address != p.opts.address || q.opts.primary_dns != p.opts.primary_dns ||
        q.opts.compression_protocol != p.opts.compression_protocol)
        abort();
}

static void check_ipv6cp(const uint8_t *data, size_t size)
{
    ipv6cp_packet p, q;
    cursor c;
    cursor_init(&c, data, size);
    ipv6cp_decode(&c, &p, NULL);
    cursor_init_exact(&c, data, size);
    dec_status st = ipv6cp_decode(&c, &p, NULL);
    wbuf w1, w2;
    wbuf_init(&w1, out1, sizeof out1);
    bool ok = ipv6cp_encode(&w1, &p);
    if (st != DEC_OK || p.cp.options.overflow)
        return;
    wbuf_init(&w2, out2, sizeof out2);
    if (!ok || !cp_encode(&w2, &p.cp) || wbuf_len(&w2) != p.cp.length || memcmp(out2, data, p.cp.length) != 0)
        abort();
    cursor_init_exact(&c, out1, wbuf_len(&w1));
    if (ipv6cp_decode(&c, &q, NULL) != DEC_OK)
        abort();
    wbuf_init(&w2, out2, sizeof out2);
    if (!ipv6cp_encode(&w2, &q) || wbuf_len(&w2) != wbuf_len(&w1) || memcmp(out1, out2, wbuf_len(&w1)) != 0)
        abort();
    if (memcmp(q.opts.interface_id, p.opts.interface_id, sizeof p.opts.interface_id) != 0)
        abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    check_ipcp(data, size);
    check_ipv6cp(data, size);
    return 0;
}
