/* fuzz_chap.c - CHAP decode, the MS-CHAP interpretations and text parsers, and
 * encode/decode agreement. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "chap.h"
#include "mschap.h"

static void round_trip(const chap_msg *m)
{
    static uint8_t buf[70000];
    wbuf w;
    wbuf_init(&w, buf, sizeof buf);
    if (!chap_encode(&w, m))
        abort();
    cursor c;
    cursor_init(&c, buf, wbuf_len(&w));
    chap_msg d;
    if (chap_decode(&c, &d, NULL) != DEC_OK || d.code != m->code || d.id != m->id ||
        d.value_size != m->value_size || d.name_len != m->name_len || d.message_len != m->message_len ||
        d.data_len != m->data_len)
        abort();
    if ((m->value_size && memcmp(d.value, m->value, m->value_size)) ||
        (m->name_len && memcmp(d.name, m->name, m->name_len)) ||
        (m->message_len && memcmp(d.message, m->message, m->message_len)) ||
        (m->data_len && memcmp(d.data, m->data, m->data_len)))
        abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    cursor c;
    cursor_init(&c, data, size);
    chap_msg m;
    anomaly_set an;
    anomaly_clear(&an);
    if (chap_decode(&c, &m, &an) == DEC_OK) {
        mschap_info info;
        mschap_interpret(&m, CHAP_ALG_MSCHAP, &info, &an);
        mschap_interpret(&m, CHAP_ALG_MSCHAPV2, &info, &an);
        mschap_guess_alg(&m);
        round_trip(&m);
        char dom[16], user[16];
        auth_split_user(m.name_str, dom, sizeof dom, user, sizeof user);
    }
    /* the text parsers straight on the input, and their encoders */
    mschapv2_success s;
    if (mschapv2_success_parse(data, size, &s, &an) == DEC_OK) {
        uint8_t buf[400];
        wbuf w;
        wbuf_init(&w, buf, sizeof buf);
        mschapv2_success_encode(&w, &s);
    }
    mschap_failure f;
    if (mschap_failure_parse(data, size, &f, &an) == DEC_OK) {
        uint8_t buf[400];
        wbuf w;
        wbuf_init(&w, buf, sizeof buf);
        mschap_failure_encode(&w, &f);
    }
    mschapv1_response r1;
    mschapv2_response r2;
    mschapv1_response_parse(data, size, &r1, &an);
    mschapv2_response_parse(data, size, &r2, &an);
    return 0;
}
