/* test_ipv6.c - IPv6 decoder/encoder (ipv6.h): extension header chains, fragments,
 * AH/ESP/no-next-header, limits, lengths, every prefix, round trips, tshark. */
#include <criterion/criterion.h>
#include <string.h>

#include "ipv6.h"
#include "link.h"
#include "link_test_helpers.h"
#include "names.h"
#include "pcap_writer.h"
#include "test_env.h"

#define SRC6 0x20, 0x01, 0x0d, 0xb8, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0x01
#define DST6 0x20, 0x01, 0x0d, 0xb8, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0x02
/* version 6, traffic class 0xab, flow label 0xcdef1, hop limit 64 */
#define FIXED(plen, nh) 0x6a, 0xbc, 0xde, 0xf1, 0x00, plen, nh, 0x40, SRC6, DST6
#define PADN4 0x01, 0x04, 0x00, 0x00, 0x00, 0x00

/* HbH -> Routing (SRH, 24 bytes) -> Fragment (offset 0, M, id 0x12345678) ->
 * Destination Options -> TCP (16 bytes of upper-layer data) */
static const uint8_t v_chain[] = {
    FIXED(0x40, 0),
    43, 0, PADN4,
    44, 2, 4, 0, 0, 0, 0, 0, 0x20, 0x01, 0x0d, 0xb8, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff,
    60, 0, 0x00, 0x01, 0x12, 0x34, 0x56, 0x78,
    6, 0, PADN4,
    0x40, 0x41, 0x42, 0x43, 0x44, 0x45, 0x46, 0x47, 0x48, 0x49, 0x4a, 0x4b, 0x4c, 0x4d, 0x4e, 0x4f,
};
/* last fragment at offset 1448 of a TCP packet, id 0xdeadbeef, 12 data bytes */
static const uint8_t v_frag_last[] = {FIXED(0x14, 44), 6, 0, 0x05, 0xa8, 0xde, 0xad, 0xbe, 0xef,
                                      0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11};
/* AH (payload len 4 -> 24 bytes) then UDP */
static const uint8_t v_ah[] = {FIXED(0x20, 51), 17, 4, 0, 0, 0, 0, 0x01, 0x00, 0, 0, 0, 7,
                               0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
                               0x04, 0x00, 0x06, 0xbb, 0x00, 0x08, 0x00, 0x00};
static const uint8_t v_esp[] = {FIXED(0x08, 50), 0, 0, 1, 0, 0, 0, 0, 1};
static const uint8_t v_nonext[] = {FIXED(0x00, 59)};
static const uint8_t v_ipip[] = {FIXED(0x04, 4), 0x45, 0, 0, 0};

static dec_status dec_open(const uint8_t *b, size_t n, struct ipv6_hdr *h, cursor *p, anomaly_set *an)
{
    cursor c;
    cursor_init(&c, b, n);
    if (an)
        anomaly_clear(an);
    return ipv6_decode(&c, h, p, an);
}

static dec_status dec_exact(const uint8_t *b, size_t n, struct ipv6_hdr *h, cursor *p, anomaly_set *an)
{
    cursor c;
    cursor_init_exact(&c, b, n);
    if (an)
        anomaly_clear(an);
    return ipv6_decode(&c, h, p, an);
}

static const uint8_t src6[16] = {SRC6}, dst6[16] = {DST6};

Test(ipv6, fixed_header)
{
    struct ipv6_hdr h;
    cursor p;
    anomaly_set an;
    cr_assert_eq(dec_open(v_ipip, sizeof v_ipip, &h, &p, &an), DEC_OK);
    cr_assert_eq(h.version, 6);
    cr_assert_eq(h.tclass, 0xab);
    cr_assert_eq(h.flow, 0xcdef1);
    cr_assert_eq(h.payload_len, 4);
    cr_assert_eq(h.next_header, 4);
    cr_assert_eq(h.hop_limit, 64);
    cr_assert(memcmp(h.src, src6, 16) == 0);
    cr_assert(memcmp(h.dst, dst6, 16) == 0);
    cr_assert_eq(h.proto, IP_PROTO_IPIP);
    cr_assert_eq(h.n_ext, 0);
    cr_assert_not(h.has_frag);
    cr_assert_eq(cursor_len(&p), 4);
    cr_assert_eq(cursor_data(&p)[0], 0x45);
    cr_assert_not(anomaly_any(&an));
    char s[64];
    cr_assert_str_eq(ipv6_addr_str(h.src, s, sizeof s), "2001:db8::1");
}

Test(ipv6, extension_chain_with_fragment_header)
{
    struct ipv6_hdr h;
    cursor p;
    anomaly_set an;
    cr_assert_eq(dec_open(v_chain, sizeof v_chain, &h, &p, &an), DEC_OK);
    cr_assert_eq(h.next_header, 0);
    cr_assert_eq(h.n_ext, 4);
    cr_assert_eq(h.ext[0], IP_PROTO_HOPOPTS);
    cr_assert_eq(h.ext[1], IP_PROTO_ROUTING);
    cr_assert_eq(h.ext[2], IP_PROTO_FRAGMENT);
    cr_assert_eq(h.ext[3], IP_PROTO_DSTOPTS);
    cr_assert_eq(h.ext_len, 48);
    cr_assert_eq(h.proto, IP_PROTO_TCP);
    cr_assert(h.has_frag);
    cr_assert(h.is_fragment);
    cr_assert_eq(h.frag_offset, 0);
    cr_assert(h.more_fragments);
    cr_assert_eq(h.frag_id, 0x12345678);
    cr_assert_eq(cursor_len(&p), 16);
    cr_assert_eq(cursor_data(&p)[0], 0x40);
    cr_assert_not(anomaly_any(&an), "first anomaly %s", anomaly_name(anomaly_next(&an, ANOMALY_NONE)));
}

Test(ipv6, non_first_fragment_stops_the_walk)
{
    struct ipv6_hdr h;
    cursor p;
    anomaly_set an;
    cr_assert_eq(dec_open(v_frag_last, sizeof v_frag_last, &h, &p, &an), DEC_OK);
    cr_assert_eq(h.next_header, IP_PROTO_FRAGMENT);
    cr_assert(h.is_fragment);
    cr_assert_eq(h.frag_offset, 1448);
    cr_assert_not(h.more_fragments);
    cr_assert_eq(h.frag_id, 0xdeadbeef);
    cr_assert_eq(h.proto, IP_PROTO_TCP);
    cr_assert_eq(h.n_ext, 1);
    cr_assert_eq(cursor_len(&p), 12);
    cr_assert_eq(cursor_data(&p)[11], 11);
    cr_assert_not(anomaly_any(&an));
}

Test(ipv6, ah_esp_and_no_next_header)
{
    struct ipv6_hdr h;
    cursor p;
    anomaly_set an;
    cr_assert_eq(dec_open(v_ah, sizeof v_ah, &h, &p, &an), DEC_OK);
    cr_assert_eq(h.n_ext, 1);
    cr_assert_eq(h.ext[0], IP_PROTO_AH);
    cr_assert_eq(h.ext_len, 24, "AH length is in 4-byte units + 2");
    cr_assert_eq(h.proto, IP_PROTO_UDP);
    cr_assert_eq(cursor_len(&p), 8);
    cr_assert_eq(cursor_data(&p)[3], 0xbb);
    cr_assert_eq(dec_open(v_esp, sizeof v_esp, &h, &p, &an), DEC_OK);
    cr_assert_eq(h.proto, IP_PROTO_ESP);
    cr_assert_eq(h.n_ext, 0);
    cr_assert_eq(cursor_len(&p), 8);
    cr_assert_eq(dec_open(v_nonext, sizeof v_nonext, &h, &p, &an), DEC_OK);
    cr_assert_eq(h.proto, IP_PROTO_NONE);
    cr_assert_eq(cursor_len(&p), 0);
    cr_assert_not(anomaly_any(&an), "payload length 0 with no next header is normal");
}

/* count Destination Options headers, then TCP */
static size_t build_dstopts_chain(uint8_t *b, int count)
{
    static const uint8_t fixed[40] = {FIXED(0, 60)};
    memcpy(b, fixed, 40);
    size_t n = 40;
    for (int i = 0; i < count; i++) {
        static const uint8_t opt[8] = {60, 0, PADN4};
        memcpy(b + n, opt, 8);
        if (i == count - 1)
            b[n] = 6;
        n += 8;
    }
    memset(b + n, 0xab, 4);
    n += 4;
    b[5] = (uint8_t)(n - 40);
    return n;
}

Test(ipv6, extension_header_limit)
{
    uint8_t b[256];
    struct ipv6_hdr h;
    cursor p;
    anomaly_set an;
    size_t n = build_dstopts_chain(b, IPV6_MAX_EXT);
    cr_assert_eq(dec_open(b, n, &h, &p, &an), DEC_OK);
    cr_assert_eq(h.proto, IP_PROTO_TCP);
    cr_assert_eq(h.n_ext, IPV6_MAX_EXT);
    cr_assert_not(anomaly_has(&an, ANOMALY_IP6_TOO_MANY_EXT_HEADERS));
    n = build_dstopts_chain(b, IPV6_MAX_EXT + 1);
    cr_assert_eq(dec_open(b, n, &h, &p, &an), DEC_OK);
    cr_assert(anomaly_has(&an, ANOMALY_IP6_TOO_MANY_EXT_HEADERS));
    cr_assert_eq(h.n_ext, IPV6_MAX_EXT);
    cr_assert_eq(h.proto, IP_PROTO_DSTOPTS, "the walk stops on the unwalked header");
    cr_assert_eq(cursor_len(&p), 8 + 4);
}

Test(ipv6, anomalies)
{
    uint8_t b[sizeof v_chain];
    struct ipv6_hdr h;
    cursor p;
    anomaly_set an;
    /* Hop-by-Hop after Routing */
    memcpy(b, v_chain, sizeof b);
    b[6] = 43;
    b[40] = 0; /* the first header (now read as Routing, 8 bytes) says: next is HbH */
    b[48] = 0; /* that HbH (24 bytes) says: next is HbH again, then Dst Options, TCP */
    cr_assert_eq(dec_open(b, sizeof b, &h, &p, &an), DEC_OK);
    cr_assert(anomaly_has(&an, ANOMALY_IP6_HBH_NOT_FIRST));
    /* atomic fragment */
    memcpy(b, v_frag_last, sizeof v_frag_last);
    b[42] = 0;
    b[43] = 0;
    cr_assert_eq(dec_open(b, sizeof v_frag_last, &h, &p, &an), DEC_OK);
    cr_assert(h.has_frag);
    cr_assert_not(h.is_fragment);
    cr_assert(anomaly_has(&an, ANOMALY_IP6_ATOMIC_FRAGMENT));
    /* M set with a fragmentable part that is not a multiple of 8 */
    b[43] = 1;
    cr_assert_eq(dec_open(b, sizeof v_frag_last, &h, &p, &an), DEC_OK);
    cr_assert(anomaly_has(&an, ANOMALY_IP6_FRAG_MISALIGNED));
    /* payload length 0 with a next header: jumbogram or offload */
    memcpy(b, v_ipip, sizeof v_ipip);
    b[5] = 0;
    cr_assert_eq(dec_open(b, sizeof v_ipip, &h, &p, &an), DEC_OK);
    cr_assert(anomaly_has(&an, ANOMALY_IP6_ZERO_PAYLOAD_LENGTH));
    cr_assert_eq(cursor_len(&p), 4);
}

Test(ipv6, lengths_and_malformed)
{
    struct ipv6_hdr h;
    cursor p;
    uint8_t b[sizeof v_chain + 10];
    /* trailing bytes after payload_len are padding */
    memset(b, 0xee, sizeof b);
    memcpy(b, v_ipip, sizeof v_ipip);
    cr_assert_eq(dec_open(b, sizeof v_ipip + 10, &h, &p, NULL), DEC_OK);
    cr_assert_eq(cursor_len(&p), 4);
    cr_assert_not(h.payload_truncated);
    /* payload_len beyond an exact region */
    cr_assert_eq(dec_exact(v_ipip, sizeof v_ipip - 1, &h, &p, NULL), DEC_MALFORMED);
    /* version */
    memcpy(b, v_ipip, sizeof v_ipip);
    b[0] = 0x4a;
    cr_assert_eq(dec_open(b, sizeof v_ipip, &h, &p, NULL), DEC_MALFORMED);
    /* an extension header running past payload_len */
    memcpy(b, v_chain, sizeof v_chain);
    b[5] = 20; /* payload_len 20 ends inside the routing header */
    cr_assert_eq(dec_open(b, sizeof v_chain, &h, &p, NULL), DEC_MALFORMED);
    memcpy(b, v_chain, sizeof v_chain);
    b[81] = 10; /* destination options claims 88 bytes */
    cr_assert_eq(dec_open(b, sizeof v_chain, &h, &p, NULL), DEC_MALFORMED);
    cr_assert_eq(dec_exact(b, sizeof v_chain, &h, &p, NULL), DEC_MALFORMED);
}

Test(ipv6, every_prefix)
{
    const struct {
        const uint8_t *b;
        size_t n, hdr;
    } vs[] = {{v_chain, sizeof v_chain, 88}, {v_frag_last, sizeof v_frag_last, 48}, {v_ah, sizeof v_ah, 64},
              {v_esp, sizeof v_esp, 40}, {v_ipip, sizeof v_ipip, 40}};
    for (size_t v = 0; v < ARRAY_LEN(vs); v++) {
        struct ipv6_hdr full, h;
        cursor p;
        cr_assert_eq(dec_open(vs[v].b, vs[v].n, &full, &p, NULL), DEC_OK);
        for (size_t n = 0; n < vs[v].n; n++) {
            dec_status st = dec_open(vs[v].b, n, &h, &p, NULL);
            if (n < vs[v].hdr) {
                cr_assert_eq(st, DEC_TRUNCATED, "vector %zu prefix %zu: %s", v, n, dec_status_name(st));
                continue;
            }
            cr_assert_eq(st, DEC_OK, "vector %zu prefix %zu", v, n);
            cr_assert(h.payload_truncated);
            cr_assert_eq(cursor_len(&p), n - vs[v].hdr);
            h.payload_truncated = false;
            cr_assert(memcmp(&h, &full, sizeof h) == 0, "vector %zu prefix %zu: values differ", v, n);
            cr_assert_eq(dec_exact(vs[v].b, n, &h, &p, NULL), DEC_MALFORMED);
        }
    }
}

Test(ipv6, encoder_and_random_round_trips)
{
    /* the fixed-header vector byte for byte */
    uint8_t buf[70000];
    wbuf w;
    wbuf_init(&w, buf, sizeof buf);
    struct ipv6_hdr e;
    memset(&e, 0, sizeof e);
    e.tclass = 0xab;
    e.flow = 0xcdef1;
    e.hop_limit = 64;
    e.proto = 4;
    memcpy(e.src, src6, 16);
    memcpy(e.dst, dst6, 16);
    cr_assert(ipv6_encode(&w, &e, v_ipip + 40, 4));
    cr_assert_eq(wbuf_len(&w), sizeof v_ipip);
    cr_assert(memcmp(buf, v_ipip, sizeof v_ipip) == 0);
    /* with a fragment header: the last-fragment vector */
    e.has_frag = true;
    e.proto = 6;
    e.frag_offset = 1448;
    e.frag_id = 0xdeadbeef;
    wbuf_init(&w, buf, sizeof buf);
    cr_assert(ipv6_encode(&w, &e, v_frag_last + 48, 12));
    cr_assert_eq(wbuf_len(&w), sizeof v_frag_last);
    cr_assert(memcmp(buf, v_frag_last, sizeof v_frag_last) == 0);
    e.frag_offset = 5;
    cr_assert_not(ipv6_encode(&w, &e, NULL, 0));

    lt_seed(0x6666);
    static uint8_t pl[3000];
    for (int iter = 0; iter < 3000; iter++) {
        struct ipv6_hdr in;
        memset(&in, 0, sizeof in);
        in.tclass = (uint8_t)lt_rand();
        in.flow = lt_rand() & 0xfffff;
        in.hop_limit = (uint8_t)lt_rand();
        static const uint8_t protos[] = {6, 17, 47, 58, 4, 41, 132};
        in.proto = protos[lt_below(ARRAY_LEN(protos))];
        lt_rand_bytes(in.src, 16);
        lt_rand_bytes(in.dst, 16);
        in.has_frag = lt_below(2);
        if (in.has_frag) {
            in.frag_offset = (uint16_t)(lt_below(8192) * 8);
            in.more_fragments = lt_below(2);
            in.frag_id = lt_rand();
        }
        size_t plen = lt_below(sizeof pl);
        lt_rand_bytes(pl, plen);
        wbuf_init(&w, buf, sizeof buf);
        cr_assert(ipv6_encode(&w, &in, pl, plen));
        struct ipv6_hdr out;
        cursor p;
        cr_assert_eq(dec_exact(buf, wbuf_len(&w), &out, &p, NULL), DEC_OK, "iter %d", iter);
        cr_assert_eq(out.tclass, in.tclass);
        cr_assert_eq(out.flow, in.flow);
        cr_assert_eq(out.hop_limit, in.hop_limit);
        cr_assert_eq(out.payload_len, plen + (in.has_frag ? 8 : 0));
        cr_assert(memcmp(out.src, in.src, 16) == 0 && memcmp(out.dst, in.dst, 16) == 0);
        cr_assert_eq(out.proto, in.proto);
        cr_assert_eq(out.has_frag, in.has_frag);
        cr_assert_eq(out.next_header, in.has_frag ? IP_PROTO_FRAGMENT : in.proto);
        if (in.has_frag) {
            cr_assert_eq(out.frag_offset, in.frag_offset);
            cr_assert_eq(out.more_fragments, in.more_fragments);
            cr_assert_eq(out.frag_id, in.frag_id);
            cr_assert_eq(out.is_fragment, in.frag_offset || in.more_fragments);
        }
        cr_assert_eq(cursor_len(&p), plen);
        cr_assert(plen == 0 || memcmp(cursor_data(&p), pl, plen) == 0);
    }
}

Test(ipv6, address_text)
{
    static const struct {
        uint8_t a[16];
        const char *s;
    } t[] = {
        {{0}, "::"},
        {{0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1}, "::1"},
        {{0xfe, 0x80, 0, 0, 0, 0, 0, 0, 0x02, 0x11, 0x22, 0xff, 0xfe, 0x33, 0x44, 0x55}, "fe80::211:22ff:fe33:4455"},
        {{0x20, 0x01, 0x0d, 0xb8, 0, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0, 1}, "2001:db8:0:1::1"},
        {{0x20, 0x01, 0x0d, 0xb8, 0, 0, 0, 1, 0, 1, 0, 1, 0, 1, 0, 1}, "2001:db8:0:1:1:1:1:1"},
        {{0x20, 0x01, 0, 0, 0, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0, 1}, "2001:0:0:1::1"},
    };
    char s[64];
    for (size_t i = 0; i < ARRAY_LEN(t); i++)
        cr_assert_str_eq(ipv6_addr_str(t[i].a, s, sizeof s), t[i].s);
}

Test(tshark, ipv6_fixed_fragment_and_chain)
{
    if (!tshark_available())
        cr_skip("tshark not installed");
    char path[4096];
    scratch_path("ipv6.pcap", path, sizeof path);
    pcapw *pw = pcapw_open(path, 1);
    cr_assert_not_null(pw);
    static const uint8_t eth[14] = {2, 0, 0, 0, 0, 2, 2, 0, 0, 0, 0, 1, 0x86, 0xdd};
    uint8_t buf[512], pl[40];
    for (size_t i = 0; i < sizeof pl; i++)
        pl[i] = (uint8_t)i;
    struct ipv6_hdr e;
    memset(&e, 0, sizeof e);
    e.tclass = 0x20;
    e.flow = 0x12345;
    e.hop_limit = 33;
    e.proto = 253;
    memcpy(e.src, src6, 16);
    memcpy(e.dst, dst6, 16);
    wbuf w;
    for (int i = 0; i < 3; i++) {
        wbuf_init(&w, buf, sizeof buf);
        wbuf_put_bytes(&w, eth, 14);
        if (i == 1) {
            e.has_frag = true;
            e.more_fragments = true;
            e.frag_id = 0xcafe0001;
        } else if (i == 2) {
            e.more_fragments = false;
            e.frag_offset = 16;
        }
        cr_assert(ipv6_encode(&w, &e, pl, i == 2 ? 5 : 16));
        cr_assert_eq(pcapw_write(pw, 1, buf, wbuf_len(&w)), 0);
    }
    wbuf_init(&w, buf, sizeof buf);
    wbuf_put_bytes(&w, eth, 14);
    wbuf_put_bytes(&w, v_chain, sizeof v_chain);
    cr_assert_eq(pcapw_write(pw, 1, buf, wbuf_len(&w)), 0);
    pcapw_close(pw);
    cr_assert_eq(tshark_malformed_count(path), 0);
    char *out = lt_tshark(path, "-o ipv6.defragment:FALSE", NULL,
                          "-e ipv6.src -e ipv6.dst -e ipv6.nxt -e ipv6.plen -e ipv6.hlim -e ipv6.flow -e ipv6.tclass "
                          "-e ipv6.fraghdr.nxt -e ipv6.fraghdr.offset -e ipv6.fraghdr.more -e ipv6.fraghdr.ident");
    cr_assert_not_null(out);
    char *l[8];
    char x[128];
    cr_assert_eq(lt_lines(out, l, 8), 4);
    static const char *const want[4][11] = {
        {"2001:db8::1", "2001:db8::2", "253", "16", "33", "0x012345", "0x00000020", "", "", "", ""},
        {"2001:db8::1", "2001:db8::2", "44", "24", "33", "0x012345", "0x00000020", "253", "0", "1", "0xcafe0001"},
        {"2001:db8::1", "2001:db8::2", "44", "13", "33", "0x012345", "0x00000020", "253", "2", "0", "0xcafe0001"},
        {"2001:db8::1", "2001:db8::2", "0", "64", "64", "0x0cdef1", "0x000000ab", "60", "0", "1", "0x12345678"},
    }; /* tshark shows the fragment offset in 8-byte units */
    for (int i = 0; i < 4; i++)
        for (int f = 0; f < 11; f++)
            cr_assert_str_eq(lt_field(l[i], f, x, sizeof x), want[i][f], "packet %d field %d", i, f);
    free(out);
}
