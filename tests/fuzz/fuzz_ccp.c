/* fuzz_ccp.c - CCP decoder on arbitrary bytes; on clean decodes the generic
 * re-encode reproduces the packet, ccp_encode is a fixed point after one round,
 * and the MPPE flags agree with the Supported Bits. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "ccp.h"

static uint8_t out1[70000], out2[70000];

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    ccp_packet p, q;
    cursor c;
    cursor_init(&c, data, size);
    ccp_decode(&c, &p, NULL);
    cursor_init_exact(&c, data, size);
    anomaly_set an;
    anomaly_clear(&an);
    dec_status st = ccp_decode(&c, &p, &an);
    wbuf w1, w2;
    wbuf_init(&w1, out1, sizeof out1);
    bool ok = ccp_encode(&w1, &p);
    if (p.opts.has_mppe) {
        unsigned k = ccp_mppe_key_bits(p.opts.mppe_bits);
        if ((k == 128) != p.opts.mppe_128 || ccp_mppe_bits(&p.opts) != p.opts.mppe_bits)
            abort();
    }
    if (st != DEC_OK || p.cp.options.overflow)
        return 0;
    wbuf_init(&w2, out2, sizeof out2);
    if (!ok || !cp_encode(&w2, &p.cp) || wbuf_len(&w2) != p.cp.length || memcmp(out2, data, p.cp.length) != 0)
        abort();
    cursor_init_exact(&c, out1, wbuf_len(&w1));
    if (ccp_decode(&c, &q, NULL) != DEC_OK)
        abort();
    wbuf_init(&w2, out2, sizeof out2);
    if (!ccp_encode(&w2, &q) || wbuf_len(&w2) != wbuf_len(&w1) || memcmp(out1, out2, wbuf_len(&w1)) != 0)
        abort();
    if (q.opts.mppe_bits != p.opts.mppe_bits || q.opts.has_mppe != p.opts.has_mppe)
        abort();
    return 0;
}
