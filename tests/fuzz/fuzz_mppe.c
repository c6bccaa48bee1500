/* fuzz_mppe.c - mppe_decode on open and exact cursors; a decoded header
 * re-encodes to exactly the input bytes; coherency helpers agree. */
#include <stdint.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#include "mppe.h"

static uint8_t out[1 << 17];

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    for (int exact = 0; exact < 2; exact++) {
        cursor c, pl;
        if (exact)
            cursor_init_exact(&c, data, size);
        else
            cursor_init(&c, data, size);
        struct mppe_hdr h;
        dec_status st = mppe_decode(&c, &h, &pl, NULL);
        if (st != DEC_OK) {
            if (size >= MPPE_HDR_LEN)
                abort();
            continue;
        }
        if (h.coherency_count > MPPE_CC_MASK || size > sizeof out)
            abort();
        wbuf w;
        wbuf_init(&w, out, sizeof out);
        if (!mppe_encode(&w, &h, cursor_data(&pl), cursor_len(&pl)))
            abort();
        if (wbuf_len(&w) != size || memcmp(out, data, size) != 0)
            abort();
    }
    if (size >= 4) {
        uint16_t a = (uint16_t)((data[0] << 8 | data[1]) & MPPE_CC_MASK);
        uint16_t b = (uint16_t)((data[2] << 8 | data[3]) & MPPE_CC_MASK);
        uint16_t d = mppe_cc_distance(a, b);
        if (((a + d) & MPPE_CC_MASK) != b)
            abort();
        if (mppe_key_changes(a, b, true) != d || mppe_key_changes(a, b, false) > 16)
            abort();
    }
    return 0;
}
