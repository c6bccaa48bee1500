/* fuzz_hdlc.c - the streaming HDLC decoder fed in chunks whose sizes come from
 * the input; every delivered frame re-encodes and decodes to itself.  The input
 * is also encoded as one frame and must come back intact. */
#include <stdint.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#include "hdlc.h"

static struct hdlc_decoder dec, dec2;
static uint8_t enc_buf[2 * HDLC_MAX_FRAME + 16];
static uint8_t copy[HDLC_MAX_FRAME];

static void reencode_check(const uint8_t *frame, size_t len)
{
    wbuf w;
    wbuf_init(&w, enc_buf, sizeof enc_buf);
    if (!hdlc_encode(&w, frame, len, HDLC_ACCM_ALL))
        abort();
    hdlc_decoder_init(&dec2, 0);
    cursor in, fr;
    cursor_init(&in, enc_buf, wbuf_len(&w));
    if (!hdlc_decoder_next(&dec2, &in, &fr, NULL))
        abort();
    if (cursor_len(&fr) != len || memcmp(cursor_data(&fr), frame, len) != 0)
        abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size < 5)
        return 0;
    uint32_t rx_accm = (uint32_t)data[0] << 24 | (uint32_t)data[1] << 16 | (uint32_t)data[2] << 8 | data[3];
    size_t chunk = 1 + data[4] % 64;
    data += 5;
    size -= 5;
    hdlc_decoder_init(&dec, rx_accm & 0xff00ff00u);
    anomaly_set an;
    anomaly_clear(&an);
    for (size_t pos = 0; pos < size; pos += chunk) {
        size_t k = size - pos < chunk ? size - pos : chunk;
        cursor in, fr;
        cursor_init(&in, data + pos, k);
        while (hdlc_decoder_next(&dec, &in, &fr, &an)) {
            size_t n = cursor_len(&fr);
            if (n + 2 > HDLC_MAX_FRAME || n + 2 < HDLC_MIN_FRAME)
                abort();
            memcpy(copy, cursor_data(&fr), n);
            reencode_check(copy, n);
        }
        if (cursor_len(&in) != 0)
            abort();
    }
    if (size >= 2 && size + 2 <= HDLC_MAX_FRAME)
        reencode_check(data, size);
    return 0;
}
