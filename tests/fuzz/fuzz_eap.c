/* fuzz_eap.c - EAP decode and encode/decode agreement for what decodes. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "eap.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    cursor c;
    cursor_init(&c, data, size);
    eap_msg m;
    anomaly_set an;
    anomaly_clear(&an);
    if (eap_decode(&c, &m, &an) == DEC_OK && m.nak_count <= EAP_NAK_MAX) {
        static uint8_t buf[70000];
        wbuf w;
        wbuf_init(&w, buf, sizeof buf);
        if (!eap_encode(&w, &m))
            abort();
        cursor c2;
        cursor_init(&c2, buf, wbuf_len(&w));
        eap_msg d;
        if (eap_decode(&c2, &d, NULL) != DEC_OK || d.code != m.code || d.id != m.id)
            abort();
        if ((m.code == EAP_REQUEST || m.code == EAP_RESPONSE) &&
            (d.type != m.type || d.text_len != m.text_len || d.nak_count != m.nak_count ||
             d.value_size != m.value_size || d.name_len != m.name_len || d.vendor_id != m.vendor_id ||
             d.tls_flags != m.tls_flags || d.ms_opcode != m.ms_opcode))
            abort();
    }
    eap_type_name(m.type);
    eap_code_name(m.code);
    return 0;
}
