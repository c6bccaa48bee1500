/*
 * mppe.c - MPPE/MPPC data header codec (RFC 3078 section 3, RFC 2118 section 3)
 * and coherency count arithmetic.  See mppe.h.
 */
#include "mppe.h"

#include "names.h"

static const val_name mppe_bit_names[] = {
    {MPPE_BIT_A, "flushed"},
    {MPPE_BIT_B, "at_front"},
    {MPPE_BIT_C, "compressed"},
    {MPPE_BIT_D, "encrypted"},
};

const char *mppe_bit_name(uint8_t bit)
{
    return VAL_NAME(mppe_bit_names, bit, "unknown");
}

dec_status mppe_decode(cursor *c, struct mppe_hdr *h, cursor *payload, anomaly_set *an)
{
    cursor pl_dummy;
    if (!payload)
        payload = &pl_dummy;
    h->flushed = h->at_front = h->compressed = h->encrypted = false;
    h->coherency_count = 0;
    cursor_init_exact(payload, NULL, 0);

    uint16_t v;
    if (!cursor_get_be16(c, &v))
        return cursor_status(c);
    uint8_t bits = (uint8_t)(v >> 8);
    h->flushed = bits & MPPE_BIT_A;
    h->at_front = bits & MPPE_BIT_B;
    h->compressed = bits & MPPE_BIT_C;
    h->encrypted = bits & MPPE_BIT_D;
    h->coherency_count = v & MPPE_CC_MASK;
    cursor_rest(c, payload);
    /* An open-ended cursor may just have been cut by the snaplen. */
    if (cursor_empty(payload) && !payload->open_end)
        anomaly_add(an, ANOMALY_MPPE_EMPTY_PAYLOAD);
    if (!h->compressed && !h->encrypted)
        anomaly_add(an, ANOMALY_MPPE_CLEARTEXT);
    return DEC_OK;
}

bool mppe_encode(wbuf *w, const struct mppe_hdr *h, const uint8_t *payload, size_t len)
{
    uint8_t bits = (uint8_t)((h->flushed ? MPPE_BIT_A : 0) | (h->at_front ? MPPE_BIT_B : 0) |
                             (h->compressed ? MPPE_BIT_C : 0) | (h->encrypted ? MPPE_BIT_D : 0));
    wbuf_put_be16(w, (uint16_t)(bits << 8 | (h->coherency_count & MPPE_CC_MASK)));
    wbuf_put_bytes(w, payload, len);
    return wbuf_ok(w);
}

unsigned mppe_key_changes(uint16_t prev_cc, uint16_t cur_cc, bool stateless)
{
    unsigned d = mppe_cc_distance(prev_cc, cur_cc);
    if (stateless)
        return d;
    /* Counts with low octet 0xFF in (prev, cur]: the first one is at distance
     * k0 = (0xFF - low(prev)) mod 256 (256 when prev itself ends in 0xFF), then
     * one every 256. */
    unsigned k0 = (0xFFu - (prev_cc & 0xFFu)) & 0xFFu;
    if (k0 == 0)
        k0 = 256;
    return d < k0 ? 0 : 1 + (d - k0) / 256;
}
