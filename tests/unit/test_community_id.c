/* test_community_id.c - Community ID v1 against the published spec baseline
 * (corelight/community-id-spec, baseline/baseline_deflt.json and
 * baseline_seed1.json), plus GRE cross-checked with tshark's own
 * implementation. */
#include <arpa/inet.h>
#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include "community_id.h"
#include "pcap_writer.h"
#include "test_env.h"

typedef struct vec {
    uint16_t seed;
    uint8_t proto;
    const char *saddr, *daddr;
    int sport, dport; /* -1: no ports */
    const char *id;
} vec;

static void check(const vec *v)
{
    int af = strchr(v->saddr, ':') ? AF_INET6 : AF_INET;
    uint8_t s[16], d[16];
    cr_assert_eq(inet_pton(af, v->saddr, s), 1);
    cr_assert_eq(inet_pton(af, v->daddr, d), 1);
    bool ports = v->sport >= 0;
    char out[COMMUNITY_ID_BUFSZ];
    cr_assert(community_id_v1(v->seed, af, s, d, v->proto, ports ? (uint16_t)v->sport : 0,
                              ports ? (uint16_t)v->dport : 0, ports, out));
    cr_assert_str_eq(out, v->id, "proto %u %s:%d -> %s:%d seed %u", v->proto, v->saddr, v->sport,
                     v->daddr, v->dport, v->seed);
    cr_assert_eq(strlen(out), COMMUNITY_ID_LEN);
}

/* baseline_deflt.json (seed 0) */
static const vec published_seed0[] = {
    {0, 6, "128.232.110.120", "66.35.250.204", 34855, 80, "1:LQU9qZlK+B5F3KDmev6m5PMibrg="},
    {0, 6, "66.35.250.204", "128.232.110.120", 80, 34855, "1:LQU9qZlK+B5F3KDmev6m5PMibrg="},
    {0, 17, "192.168.1.52", "8.8.8.8", 54585, 53, "1:d/FP5EW3wiY1vCndhwleRRKHowQ="},
    {0, 17, "8.8.8.8", "192.168.1.52", 53, 54585, "1:d/FP5EW3wiY1vCndhwleRRKHowQ="},
    {0, 132, "192.168.170.8", "192.168.170.56", 7, 7, "1:MP2EtRCAUIZvTw6MxJHLV7N7JDs="},
    {0, 132, "192.168.170.56", "192.168.170.8", 7, 7, "1:MP2EtRCAUIZvTw6MxJHLV7N7JDs="},
    {0, 6, "2001:470:e5bf:dead:4957:2174:e82c:4887", "2607:f8b0:400c:c03::1a", 63943, 25,
     "1:/qFaeAR+gFe1KYjMzVDsMv+wgU4="},
    {0, 6, "2607:f8b0:400c:c03::1a", "2001:470:e5bf:dead:4957:2174:e82c:4887", 25, 63943,
     "1:/qFaeAR+gFe1KYjMzVDsMv+wgU4="},
    /* ICMP / ICMPv6 with the spec's type/code port mapping done by the caller */
    {0, 1, "192.168.0.89", "192.168.0.1", 8, 0, "1:X0snYXpgwiv9TZtqg64sgzUn6Dk="},
    {0, 1, "192.168.0.1", "192.168.0.89", 0, 8, "1:X0snYXpgwiv9TZtqg64sgzUn6Dk="},
    {0, 1, "10.0.0.1", "10.0.0.2", 11, 0, "1:YHxtAirCG//0OzkcVAukqKQN9xM="},
    {0, 58, "fe80::200:86ff:fe05:80da", "fe80::260:97ff:fe07:69ea", 135, 136,
     "1:dGHyGvjMfljg6Bppwm3bg0LO8TY="},
    {0, 58, "fe80::260:97ff:fe07:69ea", "fe80::200:86ff:fe05:80da", 135, 136,
     "1:zavyT/cezQr1fmImYCwYnMXbgck="},
    {0, 58, "3ffe:507:0:1:200:86ff:fe05:80da", "3ffe:501:0:1001::2", 128, 129,
     "1:+TW+HtLHvV1xnGhV1lv7XoJrqQg="},
    {0, 58, "fe80::200:86ff:fe05:80da", "ff02::2", 133, 134, "1:hO+sN4H+MG5MY/8hIrXPqc4ZQz0="},
    /* a protocol without ports (RSVP, 46): the same rule as GRE */
    {0, 46, "10.1.12.1", "10.1.12.2", -1, -1, "1:KHlLkgoJW7ifUTyTSgyVfkFHzKw="},
    {0, 46, "10.1.12.2", "10.1.12.1", -1, -1, "1:KHlLkgoJW7ifUTyTSgyVfkFHzKw="},
};

/* baseline_seed1.json */
static const vec published_seed1[] = {
    {1, 6, "128.232.110.120", "66.35.250.204", 34855, 80, "1:3V71V58M3Ksw/yuFALMcW0LAHvc="},
    {1, 17, "8.8.8.8", "192.168.1.52", 53, 54585, "1:Q9We8WO3piVF8yEQBNJF4uiSVrI="},
    {1, 6, "2001:470:e5bf:dead:4957:2174:e82c:4887", "2607:f8b0:400c:c03::1a", 63943, 25,
     "1:eJYTW6AOzFLlSUoESovMjnu7rMw="},
    {1, 58, "fe80::200:86ff:fe05:80da", "fe80::260:97ff:fe07:69ea", 135, 136,
     "1:kHa1FhMYIT6Ym2Vm2AOtoOARDzY="},
    {1, 46, "10.1.12.2", "10.1.12.1", -1, -1, "1:rYir8gphR31noO9iDRQmF/BteEI="},
};

/* GRE (47): no published baseline entry.  The IPv4 values are what tshark
 * 4.0's Community ID dissector prints for such packets (and what an
 * independent Python hashlib computation gives); the IPv6 value is from that
 * Python computation only (tshark 4.0 prints no ID for IPv6 GRE).  The live
 * tshark cross-check below re-derives the IPv4 ones. */
static const vec gre[] = {
    {0, 47, "10.0.0.1", "10.0.0.2", -1, -1, "1:+KlEHDT0vJgzs/eNmzHq0aSpRYw="},
    {0, 47, "10.0.0.2", "10.0.0.1", -1, -1, "1:+KlEHDT0vJgzs/eNmzHq0aSpRYw="},
    {0, 47, "192.168.1.10", "203.0.113.5", -1, -1, "1:5mYFAH6rpOKQZhQ8L18qBdr2nII="},
    {0, 47, "2001:db8::1", "2001:db8::2", -1, -1, "1:RgLHDf67jKnjcEaiCVvPAVCpfSc="},
    {0, 47, "2001:db8::2", "2001:db8::1", -1, -1, "1:RgLHDf67jKnjcEaiCVvPAVCpfSc="},
};

Test(community_id, published_baseline_seed0)
{
    for (size_t i = 0; i < sizeof published_seed0 / sizeof *published_seed0; i++)
        check(&published_seed0[i]);
}

Test(community_id, published_baseline_seed1)
{
    for (size_t i = 0; i < sizeof published_seed1 / sizeof *published_seed1; i++)
        check(&published_seed1[i]);
}

Test(community_id, gre_without_ports)
{
    for (size_t i = 0; i < sizeof gre / sizeof *gre; i++)
        check(&gre[i]);
}

Test(community_id, ports_are_ignored_without_has_ports)
{
    uint8_t a[4] = {10, 0, 0, 1}, b[4] = {10, 0, 0, 2};
    char x[COMMUNITY_ID_BUFSZ], y[COMMUNITY_ID_BUFSZ];
    cr_assert(community_id_v1(0, AF_INET, a, b, 47, 1723, 5555, false, x));
    cr_assert(community_id_v1(0, AF_INET, b, a, 47, 0, 0, false, y));
    cr_assert_str_eq(x, "1:+KlEHDT0vJgzs/eNmzHq0aSpRYw=");
    cr_assert_str_eq(y, x);
    /* with ports the same addresses hash differently */
    cr_assert(community_id_v1(0, AF_INET, a, b, 47, 0, 0, true, y));
    cr_assert_str_neq(y, x);
}

Test(community_id, equal_addresses_order_by_port)
{
    uint8_t a[4] = {127, 0, 0, 1};
    char x[COMMUNITY_ID_BUFSZ], y[COMMUNITY_ID_BUFSZ];
    cr_assert(community_id_v1(0, AF_INET, a, a, 6, 1234, 80, true, x));
    cr_assert(community_id_v1(0, AF_INET, a, a, 6, 80, 1234, true, y));
    cr_assert_str_eq(x, y);
}

Test(community_id, rejects_bad_family)
{
    uint8_t a[16] = {0};
    char out[COMMUNITY_ID_BUFSZ] = "junk";
    cr_assert_not(community_id_v1(0, AF_UNIX, a, a, 6, 1, 2, true, out));
    cr_assert_str_eq(out, "");
    cr_assert_not(community_id_v1(0, AF_INET, NULL, a, 6, 1, 2, true, out));
}

/* The memo returns exactly what the direct computation does, hashes each flow
 * once while it stays in its slot, and copes with flows that share a slot. */
Test(community_id, memo_matches_and_remembers)
{
    static struct community_id_memo m; /* zeroed */
    char x[COMMUNITY_ID_BUFSZ], y[COMMUNITY_ID_BUFSZ];
    uint8_t a[4] = {10, 0, 0, 1}, b[4] = {10, 0, 0, 2};
    for (int round = 0; round < 3; round++) {
        cr_assert(community_id_v1_memo(&m, 0, AF_INET, a, b, 6, 5555, 1723, true, x));
        cr_assert(community_id_v1(0, AF_INET, a, b, 6, 5555, 1723, true, y));
        cr_assert_str_eq(x, y);
        cr_assert(community_id_v1_memo(&m, 0, AF_INET, b, a, 47, 0, 0, false, x));
        cr_assert_str_eq(x, "1:+KlEHDT0vJgzs/eNmzHq0aSpRYw=");
    }
    cr_assert_eq(m.misses, 2);
    cr_assert_eq(m.hits, 4);
    /* many flows: more than the slots, each answer still exact */
    for (int i = 0; i < 4 * COMMUNITY_ID_MEMO_SLOTS; i++) {
        uint8_t c[16] = {0x20, 0x01, 0x0d, 0xb8}, d[16] = {0x20, 0x01, 0x0d, 0xb8};
        c[15] = (uint8_t)i;
        d[14] = (uint8_t)(i >> 8);
        d[15] = 7;
        for (int rep = 0; rep < 2; rep++) {
            cr_assert(community_id_v1_memo(&m, (uint16_t)rep, AF_INET6, c, d, 17, (uint16_t)i, 53, true, x));
            cr_assert(community_id_v1(rep, AF_INET6, c, d, 17, (uint16_t)i, 53, true, y));
            cr_assert_str_eq(x, y, "flow %d seed %d", i, rep);
        }
    }
    cr_assert_not(community_id_v1_memo(&m, 0, AF_UNIX, a, b, 6, 1, 2, true, x));
    cr_assert_str_eq(x, "");
    community_id_memo_free(&m);
}

/* Independent oracle: tshark's Community ID post-dissector on GRE and TCP packets. */
Test(community_id, matches_tshark)
{
    if (!tshark_available())
        cr_skip_test("SKIP tshark: not installed");
    char path[4096];
    scratch_path("community_id.pcap", path, sizeof path);
    pcapw *w = pcapw_open(path, 1);
    cr_assert_not_null(w);
    static const uint8_t gre_pkt[] = {0x30, 0x01, 0x88, 0x0b, 0, 0, 0, 1, 0, 0, 0, 1};
    struct {
        uint32_t s, d;
    } flows[] = {{0x0a000001, 0x0a000002}, {0xc0a8010a, 0xcb007105}, {0xac100005, 0x0a0000fe}};
    size_t nf = sizeof flows / sizeof *flows;
    for (size_t i = 0; i < nf; i++)
        cr_assert_eq(pcapw_write_ip4(w, i, flows[i].s, flows[i].d, 47, gre_pkt, sizeof gre_pkt), 0);
    cr_assert_eq(pcapw_write_tcp4(w, 9, 0xc0a80002, 0xc0a80101, 40000, 1723, 1, 0, 0x02, NULL, 0), 0);
    pcapw_close(w);

    char cmd[8192];
    snprintf(cmd, sizeof cmd,
             "tshark -n --enable-protocol communityid -r '%s' -T fields -e communityid 2>/dev/null",
             path);
    int st = -1;
    char *out = run_capture(cmd, &st);
    cr_assert_not_null(out);
    if (st != 0 || !strchr(out, ':')) {
        free(out);
        cr_skip_test("SKIP tshark: no Community ID dissector");
    }
    char *save = NULL, *line = strtok_r(out, "\n", &save);
    for (size_t i = 0; i <= nf; i++) {
        cr_assert_not_null(line, "tshark printed %zu lines", i);
        char mine[COMMUNITY_ID_BUFSZ];
        if (i < nf) {
            uint32_t s = htonl(flows[i].s), d = htonl(flows[i].d);
            cr_assert(community_id_v1(0, AF_INET, &s, &d, 47, 0, 0, false, mine));
        } else {
            uint32_t s = htonl(0xc0a80002), d = htonl(0xc0a80101);
            cr_assert(community_id_v1(0, AF_INET, &s, &d, 6, 40000, 1723, true, mine));
        }
        cr_assert_str_eq(mine, line, "packet %zu", i + 1);
        line = strtok_r(NULL, "\n", &save);
    }
    free(out);
}
