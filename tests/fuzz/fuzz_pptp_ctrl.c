/* fuzz_pptp_ctrl.c - PPTP control messages: header peek / plausibility at every
 * offset, decoding a byte stream message by message (open-ended and exact cursors),
 * and the round-trip property decode(encode(decode(x))) == decode(x). */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "anomaly.h"
#include "cursor.h"
#include "pptp_ctrl.h"

static void use_names(const struct pptp_ctrl_msg *m)
{
    char buf[48];
    volatile size_t sink = 0;
    sink += strlen(pptp_msg_type_name(m->ctrl_type));
    sink += strlen(pptp_msg_type_long_name(m->ctrl_type));
    sink += strlen(pptp_result_name(m->ctrl_type, m->u.sccrp.result_code));
    sink += strlen(pptp_error_name(m->u.sccrp.error_code));
    sink += strlen(pptp_stop_reason_name(m->u.stopccrq.reason));
    sink += strlen(pptp_framing_caps_str(m->u.sccrq.framing_caps, buf, sizeof buf));
    sink += strlen(pptp_bearer_caps_str(m->u.sccrq.bearer_caps, buf, 5));
    sink += strlen(pptp_framing_type_name(m->u.ocrq.framing_type));
    sink += strlen(pptp_bearer_type_name(m->u.ocrq.bearer_type));
    uint16_t cid, pcid;
    sink += pptp_ctrl_call_ids(m, &cid, &pcid);
    (void)sink;
}

static void roundtrip(const struct pptp_ctrl_msg *m)
{
    uint8_t out[UINT16_MAX + 1];
    wbuf w;
    wbuf_init(&w, out, sizeof out);
    if (!pptp_ctrl_encode(&w, m))
        abort(); /* a decoded message always fits */
    if (wbuf_len(&w) != m->length)
        abort();
    cursor c;
    cursor_init_exact(&c, out, wbuf_len(&w));
    struct pptp_ctrl_msg d;
    if (pptp_ctrl_decode(&c, &d, NULL) != DEC_OK || cursor_len(&c) != 0)
        abort();
    if (memcmp(&d, m, sizeof d) != 0)
        abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    /* framing helpers at every offset (bounded, to keep runs fast) */
    for (size_t off = 0; off < size && off < 64; off++) {
        uint16_t len, type;
        pptp_ctrl_header_peek(data + off, size - off, &len, &type);
        pptp_ctrl_header_plausible(data + off, size - off);
    }

    /* a stream of messages, as captured */
    cursor c;
    cursor_init(&c, data, size);
    for (int i = 0; i < 64 && !cursor_empty(&c); i++) {
        struct pptp_ctrl_msg m;
        anomaly_set an;
        anomaly_clear(&an);
        size_t before = cursor_len(&c);
        dec_status st = pptp_ctrl_decode(&c, &m, &an);
        if (st == DEC_TRUNCATED && cursor_len(&c) != before)
            abort(); /* a prefix consumes nothing */
        if (st != DEC_OK)
            break;
        if (before - cursor_len(&c) != m.length)
            abort();
        use_names(&m);
        roundtrip(&m);
    }

    /* the same bytes as one exact message: never truncated */
    cursor_init_exact(&c, data, size);
    struct pptp_ctrl_msg m;
    if (pptp_ctrl_decode(&c, &m, NULL) == DEC_TRUNCATED)
        abort();
    return 0;
}
