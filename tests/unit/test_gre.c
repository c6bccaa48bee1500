/* test_gre.c - GRE v1 (PPTP) / v0 header codec, sequence arithmetic, tshark
 * cross-checks of GRE+PPP+MPPE packets and the external GRE captures. */
#include <criterion/criterion.h>
#include <pcap/pcap.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "anomaly.h"
#include "cursor.h"
#include "gre.h"
#include "mppe.h"
#include "pcap_writer.h"
#include "ppp.h"
#include "test_env.h"

static uint64_t rng_state = 0x9e3779b97f4a7c15ull;
static uint32_t rnd(void)
{
    rng_state ^= rng_state << 13;
    rng_state ^= rng_state >> 7;
    rng_state ^= rng_state << 17;
    return (uint32_t)(rng_state >> 16);
}

/* v1 data packet: K S, payload length 4, call id 0x1234, seq 5. */
static const uint8_t v1_seq[] = {0x30, 0x01, 0x88, 0x0b, 0x00, 0x04, 0x12, 0x34,
                                 0x00, 0x00, 0x00, 0x05, 0xff, 0x03, 0xc0, 0x21};
/* v1 data + ack: K S A, length 2, call id 0x0011, seq 7, ack 9. */
static const uint8_t v1_seq_ack[] = {0x30, 0x81, 0x88, 0x0b, 0x00, 0x02, 0x00, 0x11, 0x00,
                                     0x00, 0x00, 0x07, 0x00, 0x00, 0x00, 0x09, 0x21, 0x45};
/* v1 ack only: K A, length 0, call id 0x0011, ack 0xfffffffe. */
static const uint8_t v1_ack_only[] = {0x20, 0x81, 0x88, 0x0b, 0x00, 0x00, 0x00, 0x11,
                                      0xff, 0xff, 0xff, 0xfe};
/* v0 no options, PPP. */
static const uint8_t v0_plain[] = {0x00, 0x00, 0x88, 0x0b, 0x21, 0x45, 0x00};

static dec_status dec(const uint8_t *b, size_t n, bool exact, struct gre_hdr *h, cursor *pl,
                      anomaly_set *an)
{
    cursor c;
    if (exact)
        cursor_init_exact(&c, b, n);
    else
        cursor_init(&c, b, n);
    anomaly_clear(an);
    return gre_decode(&c, h, pl, an);
}

Test(gre, v1_data_packet_with_seq)
{
    struct gre_hdr h;
    cursor pl;
    anomaly_set an;
    cr_assert_eq(dec(v1_seq, sizeof v1_seq, true, &h, &pl, &an), DEC_OK);
    cr_assert_eq(h.version, 1);
    cr_assert(gre_is_pptp(&h));
    cr_assert(h.k);
    cr_assert(h.s);
    cr_assert_not(h.a);
    cr_assert_not(h.c);
    cr_assert_eq(h.protocol, GRE_PROTO_PPP);
    cr_assert_eq(h.payload_length, 4);
    cr_assert_eq(h.call_id, 0x1234);
    cr_assert_eq(h.key, 0x00041234u);
    cr_assert(h.has_seq);
    cr_assert_eq(h.seq, 5);
    cr_assert_not(h.has_ack);
    cr_assert_not(h.payload_truncated);
    cr_assert_eq(cursor_len(&pl), 4);
    cr_assert_eq(cursor_data(&pl)[0], 0xff);
    cr_assert_eq(cursor_data(&pl)[3], 0x21);
    cr_assert_not(anomaly_any(&an), "clean packet must have no anomalies");
}

Test(gre, v1_data_packet_with_seq_and_ack)
{
    struct gre_hdr h;
    cursor pl;
    anomaly_set an;
    cr_assert_eq(dec(v1_seq_ack, sizeof v1_seq_ack, false, &h, &pl, &an), DEC_OK);
    cr_assert(h.has_seq);
    cr_assert(h.has_ack);
    cr_assert_eq(h.seq, 7);
    cr_assert_eq(h.ack, 9);
    cr_assert_eq(h.call_id, 0x11);
    cr_assert_eq(cursor_len(&pl), 2);
    cr_assert_eq(cursor_data(&pl)[0], 0x21);
    cr_assert_not(anomaly_any(&an));
}

Test(gre, v1_ack_only_has_ack_where_seq_would_be)
{
    struct gre_hdr h;
    cursor pl;
    anomaly_set an;
    cr_assert_eq(dec(v1_ack_only, sizeof v1_ack_only, true, &h, &pl, &an), DEC_OK);
    cr_assert_not(h.s);
    cr_assert_not(h.has_seq);
    cr_assert(h.a);
    cr_assert(h.has_ack);
    cr_assert_eq(h.ack, 0xfffffffeu);
    cr_assert_eq(h.seq, 0);
    cr_assert_eq(h.payload_length, 0);
    cr_assert_eq(cursor_len(&pl), 0);
    cr_assert_not(anomaly_any(&an), "ack-only is normal traffic");
}

Test(gre, v0_is_recognised_as_not_pptp_without_error)
{
    struct gre_hdr h;
    cursor pl;
    anomaly_set an;
    cr_assert_eq(dec(v0_plain, sizeof v0_plain, false, &h, &pl, &an), DEC_OK);
    cr_assert_eq(h.version, 0);
    cr_assert_not(gre_is_pptp(&h));
    cr_assert_eq(h.protocol, 0x880b);
    cr_assert_eq(cursor_len(&pl), 3);
    cr_assert_eq(pl.open_end, 1, "v0 payload keeps the capture's open end");
    cr_assert_not(anomaly_any(&an));
    cr_assert_str_eq(gre_version_name(h.version), "gre");
    cr_assert_str_eq(gre_version_name(1), "enhanced-gre");
    cr_assert_str_eq(gre_protocol_name(h.protocol), "PPP");
    cr_assert_str_eq(gre_protocol_name(0x1234), "unknown");
}

Test(gre, v0_with_key_seq_and_checksum)
{
    /* C K S, proto IPv4, checksum computed by the encoder. */
    struct gre_hdr in = {.c = true, .k = true, .s = true, .version = 0, .protocol = 0x0800,
                         .key = 0xdeadbeef, .seq = 42, .offset = 0};
    static const uint8_t payload[] = {0x45, 0x00, 0x00, 0x14, 1, 2, 3};
    uint8_t buf[64];
    wbuf w;
    wbuf_init(&w, buf, sizeof buf);
    cr_assert(gre_encode(&w, &in, payload, sizeof payload));
    cr_assert_eq(wbuf_len(&w), 16 + sizeof payload);
    cr_assert_eq(buf[0], 0xb0);
    cr_assert_eq(buf[1], 0x00);
    struct gre_hdr h;
    cursor pl;
    anomaly_set an;
    cr_assert_eq(dec(buf, wbuf_len(&w), true, &h, &pl, &an), DEC_OK);
    cr_assert_eq(h.version, 0);
    cr_assert(h.c);
    cr_assert_eq(h.key, 0xdeadbeefu);
    cr_assert_eq(h.call_id, 0, "v0 key is not split into length/call id");
    cr_assert_eq(h.payload_length, 0);
    cr_assert_eq(h.seq, 42);
    cr_assert(h.checksum_verified);
    cr_assert_not(anomaly_has(&an, ANOMALY_GRE_BAD_CHECKSUM));
    cr_assert_eq(cursor_len(&pl), sizeof payload);
    /* corrupt one payload byte: the checksum no longer verifies */
    buf[wbuf_len(&w) - 1] ^= 0x40;
    cr_assert_eq(dec(buf, wbuf_len(&w), true, &h, &pl, &an), DEC_OK);
    cr_assert(anomaly_has(&an, ANOMALY_GRE_BAD_CHECKSUM));
    /* open-ended v0: the end of the packet is unknown, no verification */
    cr_assert_eq(dec(buf, wbuf_len(&w), false, &h, &pl, &an), DEC_OK);
    cr_assert_not(h.checksum_verified);
    cr_assert_not(anomaly_has(&an, ANOMALY_GRE_BAD_CHECKSUM));
}

Test(gre, v0_routing_entries_are_skipped_and_kept)
{
    /* C R: checksum+offset, one SRE (AF 0x0800, offset 0, len 4, 10.0.0.1), NULL SRE */
    static const uint8_t b[] = {0x40, 0x00, 0x08, 0x00, 0x00, 0x00, 0x00, 0x00, 0x08, 0x00,
                                0x00, 0x04, 10,   0,    0,    1,    0x00, 0x00, 0x00, 0x00,
                                0x45, 0x00};
    struct gre_hdr h;
    cursor pl;
    anomaly_set an;
    cr_assert_eq(dec(b, sizeof b, false, &h, &pl, &an), DEC_OK);
    cr_assert(h.r);
    cr_assert_eq(h.routing, b + 8);
    cr_assert_eq(h.routing_len, 12);
    cr_assert_eq(cursor_len(&pl), 2);
    uint8_t out[64];
    wbuf w;
    wbuf_init(&w, out, sizeof out);
    cr_assert(gre_encode(&w, &h, cursor_data(&pl), cursor_len(&pl)));
    cr_assert_eq(wbuf_len(&w), sizeof b);
    cr_assert_eq(memcmp(out, b, sizeof b), 0);
    /* every prefix that cuts the route list is truncated */
    for (size_t n = 0; n < 20; n++)
        cr_assert_eq(dec(b, n, false, &h, &pl, &an), DEC_TRUNCATED, "prefix %zu", n);
}

/* Every header prefix is DEC_TRUNCATED on an open cursor and DEC_MALFORMED on an
 * exact one; prefixes that cut the v1 payload are DEC_OK + payload_truncated. */
static void check_prefixes(const uint8_t *b, size_t n, size_t hdr_len)
{
    struct gre_hdr h;
    cursor pl;
    anomaly_set an;
    for (size_t k = 0; k < n; k++) {
        dec_status st = dec(b, k, false, &h, &pl, &an);
        if (k < hdr_len) {
            cr_assert_eq(st, DEC_TRUNCATED, "prefix %zu of header %zu", k, hdr_len);
            cr_assert_eq(dec(b, k, true, &h, &pl, &an), DEC_MALFORMED, "exact prefix %zu", k);
        } else {
            cr_assert_eq(st, DEC_OK, "prefix %zu", k);
            cr_assert(h.payload_truncated, "prefix %zu", k);
            cr_assert_eq(cursor_len(&pl), k - hdr_len);
            cr_assert_eq(pl.open_end, 1);
            cr_assert_not(anomaly_has(&an, ANOMALY_GRE_PAYLOAD_LENGTH_EXCEEDS));
            /* the header fields are all right despite the cut */
            cr_assert_eq(h.call_id, (uint16_t)(b[6] << 8 | b[7]));
            cr_assert_eq(dec(b, k, true, &h, &pl, &an), DEC_MALFORMED, "exact prefix %zu", k);
            cr_assert(anomaly_has(&an, ANOMALY_GRE_PAYLOAD_LENGTH_EXCEEDS));
            cr_assert_eq(cursor_len(&pl), k - hdr_len);
        }
    }
    cr_assert_eq(dec(b, n, false, &h, &pl, &an), DEC_OK);
    cr_assert_not(h.payload_truncated);
}

Test(gre, every_prefix_is_truncated_or_partial_payload)
{
    check_prefixes(v1_seq, sizeof v1_seq, 12);
    check_prefixes(v1_seq_ack, sizeof v1_seq_ack, 16);
    check_prefixes(v1_ack_only, sizeof v1_ack_only, 12);
    struct gre_hdr h;
    cursor pl;
    anomaly_set an;
    for (size_t k = 0; k < 4; k++)
        cr_assert_eq(dec(v0_plain, k, false, &h, &pl, &an), DEC_TRUNCATED);
}

/* Every value of the flags-and-version word: fields decode to the bits, the
 * header length follows the presence rules and each shorter prefix is truncated. */
Test(gre, every_flag_combination)
{
    uint8_t b[64];
    for (uint32_t fv = 0; fv <= 0xffff; fv++) {
        memset(b, 0, sizeof b);
        b[0] = (uint8_t)(fv >> 8);
        b[1] = (uint8_t)fv;
        b[2] = 0x88;
        b[3] = 0x0b;
        unsigned ver = fv & 7;
        bool c = fv & 0x8000, r = fv & 0x4000, k = fv & 0x2000, s = fv & 0x1000, a = fv & 0x80;
        size_t hl = 4 + 4 * (c || r) + 4 * k + 4 * s + 4 * (a && ver == 1) + 4 * r;
        struct gre_hdr h;
        cursor pl;
        anomaly_set an;
        dec_status st = dec(b, hl, true, &h, &pl, &an);
        if (ver > 1) {
            cr_assert_eq(st, DEC_MALFORMED);
            cr_assert(anomaly_has(&an, ANOMALY_GRE_BAD_VERSION));
            continue;
        }
        cr_assert_eq(h.c, c);
        cr_assert_eq(h.r, r);
        cr_assert_eq(h.k, k);
        cr_assert_eq(h.s, s);
        cr_assert_eq(h.has_seq, s);
        cr_assert_eq(h.strict, (bool)(fv & 0x800));
        cr_assert_eq(h.recur, (fv >> 8) & 7);
        cr_assert_eq(h.a, a);
        cr_assert_eq(h.has_ack, a && ver == 1);
        cr_assert_eq(h.flags, (fv >> 3) & 15);
        cr_assert_eq(h.version, ver);
        cr_assert_eq(anomaly_has(&an, ANOMALY_GRE_RESERVED_FLAGS), ((fv >> 3) & 15) != 0);
        if (ver == 1) {
            cr_assert_eq(anomaly_has(&an, ANOMALY_GRE_V1_CHECKSUM_BIT), c);
            cr_assert_eq(anomaly_has(&an, ANOMALY_GRE_V1_ROUTING_BIT), r);
            cr_assert_eq(anomaly_has(&an, ANOMALY_GRE_V1_STRICT_ROUTE), (bool)(fv & 0x800));
            cr_assert_eq(anomaly_has(&an, ANOMALY_GRE_V1_RECURSION), ((fv >> 8) & 7) != 0);
            cr_assert_eq(anomaly_has(&an, ANOMALY_GRE_V1_NO_KEY), !k);
            cr_assert_eq(st, k ? DEC_OK : DEC_MALFORMED, "fv %04x", fv);
        } else {
            cr_assert_eq(st, DEC_OK, "fv %04x", fv);
            cr_assert_eq(anomaly_has(&an, ANOMALY_GRE_V0_ACK_BIT), a);
            cr_assert_eq(cursor_len(&pl), 0);
        }
        if (r)
            cr_assert_eq(h.routing_len, 4);
        for (size_t n = 0; n < hl; n++)
            cr_assert_eq(dec(b, n, false, &h, &pl, &an), DEC_TRUNCATED, "fv %04x prefix %zu", fv, n);
    }
}

Test(gre, bad_versions_are_malformed)
{
    for (uint8_t v = 2; v < 8; v++) {
        uint8_t b[] = {0x30, (uint8_t)(0x80 | v), 0x88, 0x0b, 0, 0, 0, 0, 0, 0, 0, 0};
        struct gre_hdr h;
        cursor pl;
        anomaly_set an;
        cr_assert_eq(dec(b, sizeof b, false, &h, &pl, &an), DEC_MALFORMED);
        cr_assert_eq(h.version, v);
        cr_assert(anomaly_has(&an, ANOMALY_GRE_BAD_VERSION));
        cr_assert_not(gre_is_pptp(&h));
        cr_assert_str_eq(gre_version_name(v), "unknown");
    }
}

Test(gre, v1_anomalies)
{
    struct gre_hdr h;
    cursor pl;
    anomaly_set an;
    /* no K: malformed, still decodes seq */
    static const uint8_t nokey[] = {0x10, 0x01, 0x88, 0x0b, 0, 0, 0, 3, 0xaa};
    cr_assert_eq(dec(nokey, sizeof nokey, false, &h, &pl, &an), DEC_MALFORMED);
    cr_assert(anomaly_has(&an, ANOMALY_GRE_V1_NO_KEY));
    cr_assert_eq(h.seq, 3);
    cr_assert_eq(cursor_len(&pl), 1);
    /* wrong protocol */
    static const uint8_t badproto[] = {0x30, 0x01, 0x08, 0x00, 0, 1, 0, 1, 0, 0, 0, 1, 0x45};
    cr_assert_eq(dec(badproto, sizeof badproto, false, &h, &pl, &an), DEC_OK);
    cr_assert(anomaly_has(&an, ANOMALY_GRE_V1_BAD_PROTOCOL));
    cr_assert_eq(h.protocol, 0x0800);
    /* trailing bytes after payload_length */
    static const uint8_t trailing[] = {0x30, 0x01, 0x88, 0x0b, 0, 1, 0, 1, 0, 0, 0, 1, 0x21, 0xee, 0xee};
    cr_assert_eq(dec(trailing, sizeof trailing, true, &h, &pl, &an), DEC_OK);
    cr_assert(anomaly_has(&an, ANOMALY_GRE_TRAILING_BYTES));
    cr_assert_eq(cursor_len(&pl), 1);
    cr_assert_eq(cursor_data(&pl)[0], 0x21);
    /* payload without S */
    static const uint8_t noseq[] = {0x20, 0x01, 0x88, 0x0b, 0, 1, 0, 1, 0x21};
    cr_assert_eq(dec(noseq, sizeof noseq, true, &h, &pl, &an), DEC_OK);
    cr_assert(anomaly_has(&an, ANOMALY_GRE_PAYLOAD_WITHOUT_SEQ));
    cr_assert_eq(cursor_len(&pl), 1);
    /* S with zero payload */
    static const uint8_t seqnopl[] = {0x30, 0x01, 0x88, 0x0b, 0, 0, 0, 1, 0, 0, 0, 9};
    cr_assert_eq(dec(seqnopl, sizeof seqnopl, true, &h, &pl, &an), DEC_OK);
    cr_assert(anomaly_has(&an, ANOMALY_GRE_SEQ_WITHOUT_PAYLOAD));
    /* nothing at all */
    static const uint8_t empty[] = {0x20, 0x01, 0x88, 0x0b, 0, 0, 0, 1};
    cr_assert_eq(dec(empty, sizeof empty, true, &h, &pl, &an), DEC_OK);
    cr_assert(anomaly_has(&an, ANOMALY_GRE_V1_EMPTY));
    /* C set in v1: checksum+offset are consumed (generic layout) */
    static const uint8_t cbit[] = {0xb0, 0x01, 0x88, 0x0b, 0x12, 0x34, 0, 0, 0, 1, 0, 2, 0, 0, 0, 5, 0x21};
    cr_assert_eq(dec(cbit, sizeof cbit, true, &h, &pl, &an), DEC_OK);
    cr_assert(anomaly_has(&an, ANOMALY_GRE_V1_CHECKSUM_BIT));
    cr_assert_eq(h.checksum, 0x1234);
    cr_assert_eq(h.call_id, 2);
    cr_assert_eq(h.seq, 5);
    cr_assert(h.checksum_verified);
    cr_assert(anomaly_has(&an, ANOMALY_GRE_BAD_CHECKSUM));
    cr_assert_eq(cursor_len(&pl), 1);
}

Test(gre, malformed_lengths_in_exact_region)
{
    /* payload length 0x100 but the IP payload ends after 2 bytes */
    static const uint8_t b[] = {0x30, 0x01, 0x88, 0x0b, 0x01, 0x00, 0, 7, 0, 0, 0, 1, 0xff, 0x03};
    struct gre_hdr h;
    cursor pl;
    anomaly_set an;
    cr_assert_eq(dec(b, sizeof b, true, &h, &pl, &an), DEC_MALFORMED);
    cr_assert(anomaly_has(&an, ANOMALY_GRE_PAYLOAD_LENGTH_EXCEEDS));
    cr_assert_eq(h.payload_length, 0x100);
    cr_assert_eq(h.call_id, 7);
    cr_assert_eq(cursor_len(&pl), 2);
    cr_assert_eq(pl.open_end, 0);
    /* same bytes from a capture cut by the snaplen: partial payload, DEC_OK */
    cr_assert_eq(dec(b, sizeof b, false, &h, &pl, &an), DEC_OK);
    cr_assert(h.payload_truncated);
    cr_assert_not(anomaly_any(&an));
}

static void random_hdr(struct gre_hdr *h)
{
    memset(h, 0, sizeof *h);
    if (rnd() % 4 == 0) {
        h->version = 0;
        h->protocol = (uint16_t)rnd();
        h->c = rnd() & 1;
        h->k = rnd() & 1;
        h->s = rnd() & 1;
        h->has_seq = h->s;
        h->key = h->k ? rnd() : 0;
        h->seq = h->s ? rnd() : 0;
        h->recur = (uint8_t)(rnd() & 7);
        h->strict = rnd() & 1;
    } else {
        h->version = 1;
        h->protocol = GRE_PROTO_PPP;
        h->k = true;
        h->call_id = (uint16_t)rnd();
        h->s = h->has_seq = rnd() & 1;
        h->a = h->has_ack = rnd() & 1;
        h->seq = h->s ? rnd() : 0;
        h->ack = h->a ? rnd() : 0;
    }
}

Test(gre, random_round_trips)
{
    uint8_t payload[300], buf[400];
    for (int i = 0; i < 20000; i++) {
        struct gre_hdr in, out;
        random_hdr(&in);
        size_t len = rnd() % sizeof payload;
        for (size_t j = 0; j < len; j++)
            payload[j] = (uint8_t)rnd();
        wbuf w;
        wbuf_init(&w, buf, sizeof buf);
        cr_assert(gre_encode(&w, &in, payload, len));
        cursor pl;
        anomaly_set an;
        cr_assert_eq(dec(buf, wbuf_len(&w), true, &out, &pl, &an), DEC_OK);
        cr_assert_eq(out.version, in.version);
        cr_assert_eq(out.protocol, in.protocol);
        cr_assert_eq(out.c, in.c);
        cr_assert_eq(out.k, in.k);
        cr_assert_eq(out.s, in.s);
        cr_assert_eq(out.has_seq, in.has_seq);
        cr_assert_eq(out.seq, in.seq);
        cr_assert_eq(out.a, in.a);
        cr_assert_eq(out.has_ack, in.has_ack);
        cr_assert_eq(out.ack, in.ack);
        cr_assert_eq(out.strict, in.strict);
        cr_assert_eq(out.recur, in.recur);
        if (in.version == 1) {
            cr_assert_eq(out.call_id, in.call_id);
            cr_assert_eq(out.payload_length, len);
        } else {
            cr_assert_eq(out.key, in.key);
            if (in.c) {
                cr_assert(out.checksum_verified);
                cr_assert_not(anomaly_has(&an, ANOMALY_GRE_BAD_CHECKSUM));
            }
        }
        cr_assert_eq(cursor_len(&pl), len);
        cr_assert_eq(memcmp(cursor_data(&pl), payload, len), 0);
    }
}

Test(gre, encoder_raw_length_and_overflow)
{
    struct gre_hdr h = {.version = 1, .k = true, .s = true, .protocol = GRE_PROTO_PPP, .call_id = 5,
                        .seq = 1, .raw_payload_length = true, .payload_length = 99};
    uint8_t buf[32];
    wbuf w;
    wbuf_init(&w, buf, sizeof buf);
    cr_assert(gre_encode(&w, &h, (const uint8_t *)"ab", 2));
    cr_assert_eq(buf[4], 0);
    cr_assert_eq(buf[5], 99, "raw payload length is written as given");
    wbuf_init(&w, buf, 10);
    cr_assert_not(gre_encode(&w, &h, (const uint8_t *)"ab", 2));
    h.raw_payload_length = false;
    static uint8_t big[70000];
    wbuf_init(&w, big, sizeof big);
    cr_assert_not(gre_encode(&w, &h, big, 0x10000), "v1 payload > 65535 cannot be encoded");
}

Test(gre, seq_serial_arithmetic_wraps)
{
    cr_assert(gre_seq_after(1, 0xfffffffeu));
    cr_assert_not(gre_seq_after(0xfffffffeu, 1));
    cr_assert(gre_seq_before(0xfffffffeu, 1));
    cr_assert_eq(gre_seq_diff(1, 0xfffffffeu), 3);
    cr_assert_eq(gre_seq_diff(0xfffffffeu, 1), -3);
    cr_assert_eq(gre_seq_diff(0, 0xffffffffu), 1);
    cr_assert(gre_seq_after(0, 0xffffffffu));
    cr_assert_not(gre_seq_after(5, 5));
    cr_assert_eq(gre_seq_diff(5, 5), 0);
    cr_assert(gre_seq_after(0x7fffffffu, 0));
    cr_assert_eq(gre_seq_diff(0x7fffffffu, 0), 0x7fffffff);
    /* exactly 2^31 apart: undefined in RFC 1982, neither is after the other */
    cr_assert_not(gre_seq_after(0x80000000u, 0));
    cr_assert_not(gre_seq_after(0, 0x80000000u));
    cr_assert_eq(gre_seq_diff(0x80000000u, 0), INT32_MIN);
    for (int i = 0; i < 100000; i++) {
        uint32_t a = rnd(), d = rnd() % 0x7fffffffu + 1;
        cr_assert(gre_seq_after(a + d, a));
        cr_assert(gre_seq_before(a, a + d));
        cr_assert_eq(gre_seq_diff(a + d, a), (int32_t)d);
    }
}

/* ---- tshark cross-check ------------------------------------------------------ */

static size_t build_ppp(uint8_t *out, size_t cap, bool acfc_hdr, bool pfc, uint16_t proto,
                        const uint8_t *info, size_t len)
{
    struct ppp_frame f = {.has_acfc_hdr = acfc_hdr, .pfc = pfc, .protocol = proto};
    wbuf w;
    wbuf_init(&w, out, cap);
    cr_assert(ppp_encode(&w, &f, info, len));
    return wbuf_len(&w);
}

Test(gre, tshark_cross_check)
{
    if (!tshark_available())
        cr_skip("tshark not installed");
    char path[4096];
    scratch_path("test_gre_tshark.pcap", path, sizeof path);
    pcapw *pw = pcapw_open(path, 1);
    cr_assert_not_null(pw);

    uint8_t ppp[200], pkt[300];
    wbuf w;
    /* 1: K S, LCP echo-request ff03 c021 */
    static const uint8_t echo[] = {0x09, 0x07, 0x00, 0x08, 0x12, 0x34, 0x56, 0x78};
    size_t n = build_ppp(ppp, sizeof ppp, true, false, PPP_PROTO_LCP, echo, sizeof echo);
    struct gre_hdr h1 = {.version = 1, .protocol = GRE_PROTO_PPP, .k = true, .call_id = 0x4001,
                         .has_seq = true, .seq = 17};
    wbuf_init(&w, pkt, sizeof pkt);
    cr_assert(gre_encode(&w, &h1, ppp, n));
    cr_assert_eq(pcapw_write_ip4(pw, 1000000, 0x0a000001, 0x0a000002, 47, pkt, wbuf_len(&w)), 0);

    /* 2: K S A, ACFC+PFC compressed IPv4 (0x21) */
    static const uint8_t ip4[] = {0x45, 0x00, 0x00, 0x14, 0x00, 0x01, 0x00, 0x00, 0x40, 0xfd,
                                  0x00, 0x00, 0x0a, 0x01, 0x01, 0x01, 0x0a, 0x01, 0x01, 0x02};
    uint8_t ip4c[sizeof ip4];
    memcpy(ip4c, ip4, sizeof ip4);
    uint16_t cs = (uint16_t)~inet_csum(ip4c, sizeof ip4c, 0);
    ip4c[10] = (uint8_t)(cs >> 8);
    ip4c[11] = (uint8_t)cs;
    n = build_ppp(ppp, sizeof ppp, false, true, PPP_PROTO_IP, ip4c, sizeof ip4c);
    cr_assert_eq(ppp[0], 0x21);
    struct gre_hdr h2 = {.version = 1, .protocol = GRE_PROTO_PPP, .k = true, .call_id = 0x4002,
                         .has_seq = true, .seq = 0xfffffffeu, .has_ack = true, .ack = 123456};
    wbuf_init(&w, pkt, sizeof pkt);
    cr_assert(gre_encode(&w, &h2, ppp, n));
    cr_assert_eq(pcapw_write_ip4(pw, 2000000, 0x0a000002, 0x0a000001, 47, pkt, wbuf_len(&w)), 0);

    /* 3: K A ack-only */
    struct gre_hdr h3 = {.version = 1, .protocol = GRE_PROTO_PPP, .k = true, .call_id = 0x4001,
                         .has_ack = true, .ack = 0xfffffffeu};
    wbuf_init(&w, pkt, sizeof pkt);
    cr_assert(gre_encode(&w, &h3, NULL, 0));
    cr_assert_eq(wbuf_len(&w), 12);
    cr_assert_eq(pcapw_write_ip4(pw, 3000000, 0x0a000001, 0x0a000002, 47, pkt, wbuf_len(&w)), 0);

    /* 4: K S A, ff03 00fd + MPPE header (A|D, cc 0x0ff) + opaque data */
    uint8_t mppe[64];
    struct mppe_hdr m = {.flushed = true, .encrypted = true, .coherency_count = 0x0ff};
    static const uint8_t secret[] = {0xde, 0xad, 0xbe, 0xef, 0x01, 0x02, 0x03, 0x04};
    wbuf_init(&w, mppe, sizeof mppe);
    cr_assert(mppe_encode(&w, &m, secret, sizeof secret));
    n = build_ppp(ppp, sizeof ppp, true, false, PPP_PROTO_COMP, mppe, wbuf_len(&w));
    struct gre_hdr h4 = {.version = 1, .protocol = GRE_PROTO_PPP, .k = true, .call_id = 0x4002,
                         .has_seq = true, .seq = 0xffffffffu, .has_ack = true, .ack = 18};
    wbuf_init(&w, pkt, sizeof pkt);
    cr_assert(gre_encode(&w, &h4, ppp, n));
    cr_assert_eq(pcapw_write_ip4(pw, 4000000, 0x0a000002, 0x0a000001, 47, pkt, wbuf_len(&w)), 0);
    pcapw_close(pw);

    cr_assert_eq(tshark_malformed_count(path), 0);
    static const char *const fields[] = {"gre.flags.version", "gre.key.payload_length", "gre.key.call_id",
                                         "gre.sequence_number", "gre.ack_number", "gre.flags.ack",
                                         "ppp.address", "ppp.protocol", "lcp.magic_number", NULL};
    char *out = tshark_fields(path, NULL, fields);
    cr_assert_not_null(out);
    char *save = NULL;
    const char *expect[] = {
        "1|12|16385|17||0|0xff|0xc021|0x12345678",
        "1|21|16386|4294967294|123456|1||0x0021|",
        "1|0|16385||4294967294|1|||",
        "1|14|16386|4294967295|18|1|0xff|0x00fd|",
    };
    int line = 0;
    for (char *l = strtok_r(out, "\n", &save); l; l = strtok_r(NULL, "\n", &save), line++) {
        cr_assert_lt(line, 4, "extra tshark line: %s", l);
        cr_assert_str_eq(l, expect[line], "packet %d", line + 1);
    }
    cr_assert_eq(line, 4);
    free(out);
    /* tshark's view of the compressed datagram: PPP protocol 0x00fd, then data */
    static const char *const f2[] = {"frame.protocols", NULL};
    out = tshark_fields(path, "frame.number == 4", f2);
    cr_assert_not_null(out);
    cr_assert(strstr(out, "ppp:comp_data") != NULL, "got %s", out);
    free(out);
}

/* ---- external captures ---------------------------------------------------------- */

/* Find the GRE header inside an Ethernet frame: skips 802.1Q tags, IPv6 and IPv4
 * headers (also IP-in-IP).  Returns false when the frame carries no GRE. */
static bool find_gre(const uint8_t *frame, size_t len, cursor *gre)
{
    cursor c;
    cursor_init(&c, frame, len);
    uint16_t et;
    if (!cursor_skip(&c, 12) || !cursor_get_be16(&c, &et))
        return false;
    while (et == 0x8100 || et == 0x88a8)
        if (!cursor_skip(&c, 2) || !cursor_get_be16(&c, &et))
            return false;
    uint8_t next = et == 0x0800 ? 4 : et == 0x86dd ? 41 : 0;
    for (int depth = 0; depth < 4; depth++) {
        if (next == 4) {
            uint8_t vihl, proto;
            if (!cursor_peek_u8(&c, &vihl) || (vihl >> 4) != 4)
                return false;
            cursor hdr = c;
            if (!cursor_skip(&hdr, 9) || !cursor_get_u8(&hdr, &proto) || !cursor_skip(&c, (vihl & 15u) * 4))
                return false;
            next = proto;
        } else if (next == 41) {
            uint8_t nh;
            cursor hdr = c;
            if (!cursor_skip(&hdr, 6) || !cursor_get_u8(&hdr, &nh) || !cursor_skip(&c, 40))
                return false;
            next = nh;
        } else if (next == 47) {
            *gre = c;
            return true;
        } else {
            return false;
        }
    }
    return false;
}

struct ext_result {
    int gre_packets;
    int v0, v1;
    struct gre_hdr first;
    uint16_t first_ppp_proto;
    bool first_ppp_acfc;
    struct gre_hdr second;
};

static void scan_pcap(const char *path, struct ext_result *r)
{
    char err[PCAP_ERRBUF_SIZE];
    pcap_t *p = pcap_open_offline(path, err);
    cr_assert_not_null(p, "%s", err);
    struct pcap_pkthdr *ph;
    const u_char *data;
    memset(r, 0, sizeof *r);
    while (pcap_next_ex(p, &ph, &data) == 1) {
        cursor c, pl;
        if (!find_gre(data, ph->caplen, &c))
            continue;
        struct gre_hdr h;
        anomaly_set an;
        anomaly_clear(&an);
        dec_status st = gre_decode(&c, &h, &pl, &an);
        cr_assert_eq(st, DEC_OK, "packet %d: %s", r->gre_packets + 1, dec_status_name(st));
        cr_assert_not(h.payload_truncated);
        if (h.version == 0)
            r->v0++;
        else if (h.version == 1)
            r->v1++;
        if (r->gre_packets == 0) {
            r->first = h;
            struct ppp_frame f;
            cr_assert_eq(ppp_decode(&pl, &f, NULL, &an), DEC_OK);
            r->first_ppp_proto = f.protocol;
            r->first_ppp_acfc = f.has_acfc_hdr;
        } else if (r->gre_packets == 1) {
            r->second = h;
        }
        cr_assert_not(anomaly_any(&an), "packet %d has anomaly %s", r->gre_packets + 1,
                      anomaly_name(anomaly_next(&an, ANOMALY_NONE)));
        r->gre_packets++;
    }
    pcap_close(p);
}

Test(gre, zeek_gre_pptp_capture)
{
    char path[4096];
    if (!external_pcap("zeek__gre-pptp.pcap", path, sizeof path))
        cr_skip("external pcap zeek__gre-pptp.pcap not present");
    struct ext_result r;
    scan_pcap(path, &r);
    cr_assert_eq(r.gre_packets, 2);
    cr_assert_eq(r.v1, 2);
    cr_assert(gre_is_pptp(&r.first));
    cr_assert_eq(r.first.call_id, 6016);
    cr_assert_eq(r.first.payload_length, 103);
    cr_assert_eq(r.first.seq, 430001);
    cr_assert(r.first.has_ack);
    cr_assert_eq(r.first.ack, 539254);
    cr_assert_eq(r.first_ppp_proto, PPP_PROTO_IP);
    cr_assert(r.first_ppp_acfc);
    cr_assert_eq(r.second.call_id, 17);
    cr_assert_eq(r.second.seq, 539320);
    cr_assert_not(r.second.has_ack);
}

Test(gre, suricata_gre_v0_capture_is_not_pptp)
{
    char path[4096];
    if (!external_pcap("suricata-verify__eth-ip-gre-ppp-max-ip-packet.pcap", path, sizeof path))
        cr_skip("external pcap suricata-verify__eth-ip-gre-ppp-max-ip-packet.pcap not present");
    struct ext_result r;
    scan_pcap(path, &r);
    cr_assert_gt(r.gre_packets, 0);
    cr_assert_eq(r.v0, r.gre_packets, "every GRE packet there is version 0");
    cr_assert_eq(r.v1, 0);
    cr_assert_not(gre_is_pptp(&r.first));
    cr_assert_eq(r.first.protocol, GRE_PROTO_PPP);
    cr_assert_eq(r.first_ppp_proto, PPP_PROTO_IP);
    cr_assert_not(r.first_ppp_acfc);
}
