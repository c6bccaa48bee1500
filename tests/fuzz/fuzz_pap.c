/* fuzz_pap.c - PAP decode, and encode/decode agreement for what decodes. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "pap.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    cursor c;
    cursor_init(&c, data, size);
    pap_msg m;
    anomaly_set an;
    anomaly_clear(&an);
    dec_status st = pap_decode(&c, &m, &an);
    if (st == DEC_OK && !anomaly_has(&an, ANOMALY_PAP_PEER_ID_NUL)) {
        uint8_t buf[1100];
        wbuf w;
        wbuf_init(&w, buf, sizeof buf);
        if (!pap_encode(&w, &m))
            abort();
        cursor c2;
        cursor_init(&c2, buf, wbuf_len(&w));
        pap_msg d;
        if (pap_decode(&c2, &d, NULL) != DEC_OK || d.code != m.code || d.id != m.id ||
            strcmp(d.peer_id, m.peer_id) != 0 || d.password.len != m.password.len ||
            memcmp(d.password.bytes_, m.password.bytes_, m.password.len) != 0 ||
            strcmp(d.message, m.message) != 0)
            abort();
        secret_wipe(&d.password);
    }
    secret_wipe(&m.password);
    /* the same bytes as an exact (reassembled) region */
    cursor_init_exact(&c, data, size);
    pap_decode(&c, &m, NULL);
    secret_wipe(&m.password);
    return 0;
}
