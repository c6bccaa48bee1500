/* fuzz_lcp.c - LCP decoder on arbitrary bytes (open-ended and exact cursors), and
 * properties on what decodes cleanly: the generic re-encode reproduces the input
 * packet byte for byte, and lcp_encode is a fixed point after one round. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "lcp.h"

static uint8_t out1[70000], out2[70000];

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    lcp_packet p, q;
    anomaly_set an;
    anomaly_clear(&an);
    cursor c;
    cursor_init(&c, data, size);
    lcp_decode(&c, &p, &an);
    cursor_init_exact(&c, data, size);
    dec_status st = lcp_decode(&c, &p, &an);
    if (cursor_len(&c) != 0)
        abort();
    wbuf w1, w2;
    wbuf_init(&w1, out1, sizeof out1);
    bool ok = lcp_encode(&w1, &p); /* must not crash whatever was decoded */
    if (st != DEC_OK || p.cp.options.overflow)
        return 0;
    if (!ok)
        abort();
    /* verbatim echo of the packet */
    wbuf_init(&w2, out2, sizeof out2);
    if (!cp_encode(&w2, &p.cp) || wbuf_len(&w2) != p.cp.length || memcmp(out2, data, p.cp.length) != 0)
        abort();
    /* typed round trip is a fixed point */
    cursor_init_exact(&c, out1, wbuf_len(&w1));
    if (lcp_decode(&c, &q, NULL) != DEC_OK)
        abort();
    wbuf_init(&w2, out2, sizeof out2);
    if (!lcp_encode(&w2, &q) || wbuf_len(&w2) != wbuf_len(&w1) || memcmp(out1, out2, wbuf_len(&w1)) != 0)
        abort();
    if (q.opts.has_mru != p.opts.has_mru || q.opts.mru != p.opts.mru || q.opts.magic != p.opts.magic ||
        q.opts.auth_protocol != p.opts.auth_protocol || q.magic != p.magic || q.data_len != p.data_len)
        abort();
    return 0;
}
