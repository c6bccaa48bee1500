/* fuzz_ppp.c - ppp_decode on open and exact cursors; a decoded frame re-encodes
 * to exactly the input bytes. */
#include <stdint.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#include "ppp.h"

static uint8_t out[1 << 17];

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    for (int exact = 0; exact < 2; exact++) {
        cursor c, pl;
        if (exact)
            cursor_init_exact(&c, data, size);
        else
            cursor_init(&c, data, size);
        struct ppp_frame f;
        anomaly_set an;
        anomaly_clear(&an);
        dec_status st = ppp_decode(&c, &f, &pl, &an);
        if (cursor_len(&pl) > size)
            abort();
        if (st != DEC_OK)
            continue;
        if (!ppp_protocol_valid(f.protocol) || anomaly_any(&an))
            abort();
        if (size > sizeof out)
            continue;
        wbuf w;
        wbuf_init(&w, out, sizeof out);
        if (!ppp_encode(&w, &f, cursor_data(&pl), cursor_len(&pl)))
            abort();
        if (wbuf_len(&w) != size || memcmp(out, data, size) != 0)
            abort();
    }
    return 0;
}
