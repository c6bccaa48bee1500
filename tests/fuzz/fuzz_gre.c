/* fuzz_gre.c - gre_decode on open and exact cursors; every header that decodes
 * is re-encoded (raw length/checksum) and must decode to the same fields. */
#include <stdint.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#include "gre.h"

static uint8_t out[70000];

static void check_same(const struct gre_hdr *a, const struct gre_hdr *b)
{
    if (a->c != b->c || a->r != b->r || a->k != b->k || a->s != b->s || a->strict != b->strict ||
        a->recur != b->recur || a->a != b->a || a->flags != b->flags || a->version != b->version ||
        a->protocol != b->protocol || a->checksum != b->checksum || a->offset != b->offset ||
        a->key != b->key || a->payload_length != b->payload_length || a->call_id != b->call_id ||
        a->has_seq != b->has_seq || a->seq != b->seq || a->has_ack != b->has_ack || a->ack != b->ack ||
        a->routing_len != b->routing_len)
        abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    for (int exact = 0; exact < 2; exact++) {
        cursor c, pl;
        if (exact)
            cursor_init_exact(&c, data, size);
        else
            cursor_init(&c, data, size);
        struct gre_hdr h;
        anomaly_set an;
        anomaly_clear(&an);
        dec_status st = gre_decode(&c, &h, &pl, &an);
        if (cursor_len(&pl) > size)
            abort();
        if (st != DEC_OK)
            continue;
        if (h.payload_truncated && exact)
            abort();
        struct gre_hdr again = h, h2;
        again.raw_checksum = true;
        again.raw_payload_length = true;
        wbuf w;
        wbuf_init(&w, out, sizeof out);
        if (!gre_encode(&w, &again, cursor_data(&pl), cursor_len(&pl)))
            abort();
        cursor c2, pl2;
        cursor_init(&c2, out, wbuf_len(&w));
        if (gre_decode(&c2, &h2, &pl2, NULL) != DEC_OK)
            abort();
        check_same(&h, &h2);
        if (cursor_len(&pl2) != cursor_len(&pl) || memcmp(cursor_data(&pl2), cursor_data(&pl), cursor_len(&pl)))
            abort();
    }
    return 0;
}
