/* test_ip_defrag.c - IPv4/IPv6 fragment reassembly (decoders/ip_defrag.c). */
#include <criterion/criterion.h>
#include <stdlib.h>
#include <string.h>

#include "anomaly.h"
#include "ip_defrag.h"

#define SEC 1000000000ull

static ip_frag_key key4(uint32_t id, uint8_t proto)
{
    ip_frag_key k;
    memset(&k, 0, sizeof k);
    k.af = 4;
    k.proto = proto;
    k.id = id;
    uint8_t s[4] = {10, 0, 0, 1}, d[4] = {10, 0, 0, 2};
    memcpy(k.src, s, 4);
    memcpy(k.dst, d, 4);
    return k;
}

static ip_frag_key key6(uint32_t id, uint8_t nh)
{
    ip_frag_key k;
    memset(&k, 0, sizeof k);
    k.af = 6;
    k.proto = nh;
    k.id = id;
    k.src[0] = 0x20, k.src[1] = 0x01, k.src[15] = 1;
    k.dst[0] = 0x20, k.dst[1] = 0x01, k.dst[15] = 2;
    return k;
}

static void fill_pattern(uint8_t *b, size_t n, uint32_t seed)
{
    for (size_t i = 0; i < n; i++)
        b[i] = (uint8_t)(i * 7 + seed + (i >> 8));
}

static ip_defrag_status add(ip_defrag *d, ip_frag_key k, uint32_t off, bool more, const uint8_t *p, size_t len,
                            uint64_t now, ip_defrag_result *r, anomaly_set *an)
{
    ip_frag f = {.key = k, .offset = off, .more = more, .data = p, .len = len};
    return ip_defrag_add(d, &f, now, r, an);
}

/* Feed payload[0..total) cut into frag-byte fragments, in the order given by idx. */
static int feed_order(ip_defrag *d, ip_frag_key k, const uint8_t *payload, size_t total, size_t frag,
                      const size_t *idx, size_t n, ip_defrag_result *r, anomaly_set *an)
{
    int completes = 0;
    for (size_t i = 0; i < n; i++) {
        size_t off = idx[i] * frag;
        size_t len = off + frag < total ? frag : total - off;
        ip_defrag_status s = add(d, k, (uint32_t)off, off + len < total, payload + off, len, 1000 + i, r, an);
        if (s == IP_DEFRAG_COMPLETE)
            completes++;
        else
            cr_assert(i + 1 < n || s == IP_DEFRAG_COMPLETE, "last fragment should complete, got %d", s);
    }
    return completes;
}

Test(ip_defrag, in_order_three_fragments)
{
    ip_defrag *d = ip_defrag_create(NULL);
    cr_assert_not_null(d);
    uint8_t pl[3000];
    fill_pattern(pl, sizeof pl, 1);
    ip_defrag_result r;
    anomaly_set an;
    anomaly_clear(&an);
    ip_frag_key k = key4(0x1234, 47);
    cr_assert_eq(add(d, k, 0, true, pl, 1480, 1, &r, &an), IP_DEFRAG_NEED_MORE);
    cr_assert_eq(add(d, k, 1480, true, pl + 1480, 1480, 2, &r, &an), IP_DEFRAG_NEED_MORE);
    cr_assert_eq(ip_defrag_get_stats(d)->datagrams_in_use, 1);
    cr_assert_eq(add(d, k, 2960, false, pl + 2960, 40, 3, &r, &an), IP_DEFRAG_COMPLETE);
    cr_assert_eq(r.len, sizeof pl);
    cr_assert_eq(memcmp(r.data, pl, sizeof pl), 0);
    cr_assert_eq(r.frags, 3);
    cr_assert_eq(r.key.proto, 47);
    cr_assert_eq(r.key.id, 0x1234);
    cr_assert_eq(r.first_seen_ns, 1);
    cr_assert_not(anomaly_any(&an));
    const ip_defrag_stats *st = ip_defrag_get_stats(d);
    cr_assert_eq(st->fragments_in, 3);
    cr_assert_eq(st->datagrams_completed, 1);
    cr_assert_eq(st->datagrams_in_use, 0);
    cr_assert_eq(st->bytes_in_use, 0, "completion must release all memory");
    cr_assert_gt(st->peak_bytes, 3000);
    ip_defrag_destroy(d);
}

Test(ip_defrag, reverse_order)
{
    ip_defrag *d = ip_defrag_create(NULL);
    uint8_t pl[5000];
    fill_pattern(pl, sizeof pl, 2);
    size_t idx[7];
    for (size_t i = 0; i < 7; i++)
        idx[i] = 6 - i;
    ip_defrag_result r;
    anomaly_set an;
    anomaly_clear(&an);
    cr_assert_eq(feed_order(d, key4(7, 6), pl, sizeof pl, 800, idx, 7, &r, &an), 1);
    cr_assert_eq(r.len, sizeof pl);
    cr_assert_eq(memcmp(r.data, pl, sizeof pl), 0);
    cr_assert_eq(r.frags, 7);
    cr_assert_not(anomaly_any(&an));
    cr_assert_eq(ip_defrag_get_stats(d)->bytes_in_use, 0);
    ip_defrag_destroy(d);
}

static void shuffle(size_t *a, size_t n, unsigned *seed)
{
    for (size_t i = n - 1; i > 0; i--) {
        size_t j = (size_t)rand_r(seed) % (i + 1);
        size_t t = a[i];
        a[i] = a[j];
        a[j] = t;
    }
}

Test(ip_defrag, random_order_with_duplicates)
{
    unsigned seed = 12345;
    ip_defrag_limits lim = {.max_frags = 4096}; /* allow 8-byte fragments of 20 KB */
    for (int round = 0; round < 200; round++) {
        ip_defrag *d = ip_defrag_create(&lim);
        size_t total = 1 + (size_t)rand_r(&seed) % 20000;
        size_t frag = 8 * (1 + (size_t)rand_r(&seed) % 200);
        size_t nf = (total + frag - 1) / frag;
        uint8_t *pl = malloc(total);
        fill_pattern(pl, total, (uint32_t)round);
        /* every fragment once, plus some duplicates, shuffled; the last one to
         * arrive must be a first copy for completion to happen exactly there. */
        size_t ndup = (size_t)rand_r(&seed) % 5;
        size_t *idx = malloc((nf + ndup) * sizeof *idx);
        for (size_t i = 0; i < nf; i++)
            idx[i] = i;
        shuffle(idx, nf, &seed);
        /* duplicates are re-sends of fragments already sent: insert them before the
         * last fragment */
        size_t n = nf;
        for (size_t i = 0; i < ndup && nf > 1; i++) {
            size_t pos = (size_t)rand_r(&seed) % (n - 1);
            size_t src = (size_t)rand_r(&seed) % (pos + 1);
            memmove(idx + pos + 2, idx + pos + 1, (n - pos - 1) * sizeof *idx);
            idx[pos + 1] = idx[src];
            n++;
        }
        ip_defrag_result r;
        anomaly_set an;
        anomaly_clear(&an);
        ip_frag_key k = key4((uint32_t)round, 17);
        int completes = 0;
        for (size_t i = 0; i < n; i++) {
            size_t off = idx[i] * frag, len = off + frag < total ? frag : total - off;
            ip_defrag_status s = add(d, k, (uint32_t)off, off + len < total, pl + off, len, i, &r, &an);
            if (s == IP_DEFRAG_COMPLETE) {
                completes++;
                cr_assert_eq(i, n - 1, "round %d: completed early at %zu/%zu", round, i, n);
                cr_assert_eq(r.len, total);
                cr_assert_eq(memcmp(r.data, pl, total), 0, "round %d: bytes differ", round);
                cr_assert_eq(r.frags, nf);
            }
        }
        cr_assert_eq(completes, 1, "round %d: %d completes, nf %zu n %zu total %zu frag %zu", round, completes, nf, n, total, frag);
        cr_assert_not(anomaly_has(&an, ANOMALY_REASM_IP_FRAGMENT_OVERLAP), "duplicates are not overlaps");
        cr_assert_eq(ip_defrag_get_stats(d)->duplicates, nf == 1 ? 0 : ndup);
        cr_assert_eq(ip_defrag_get_stats(d)->bytes_in_use, 0);
        ip_defrag_destroy(d);
        free(idx);
        free(pl);
    }
}

Test(ip_defrag, exact_duplicate_is_not_an_overlap)
{
    ip_defrag *d = ip_defrag_create(NULL);
    uint8_t pl[24];
    fill_pattern(pl, sizeof pl, 3);
    ip_defrag_result r;
    anomaly_set an;
    anomaly_clear(&an);
    ip_frag_key k = key4(1, 47);
    cr_assert_eq(add(d, k, 0, true, pl, 16, 1, &r, &an), IP_DEFRAG_NEED_MORE);
    cr_assert_eq(add(d, k, 0, true, pl, 16, 2, &r, &an), IP_DEFRAG_DROPPED);
    cr_assert_eq(r.drop, IP_DEFRAG_DROP_DUPLICATE);
    cr_assert_str_eq(ip_defrag_drop_name(r.drop), "duplicate");
    cr_assert_eq(add(d, k, 16, false, pl + 16, 8, 3, &r, &an), IP_DEFRAG_COMPLETE);
    cr_assert_eq(r.duplicates, 1);
    cr_assert_eq(r.overlaps, 0);
    cr_assert_eq(memcmp(r.data, pl, sizeof pl), 0);
    cr_assert_not(anomaly_any(&an));
    cr_assert_eq(ip_defrag_get_stats(d)->duplicates, 1);
    cr_assert_eq(ip_defrag_get_stats(d)->overlaps, 0);
    ip_defrag_destroy(d);
}

Test(ip_defrag, v4_overlap_first_bytes_win)
{
    ip_defrag *d = ip_defrag_create(NULL);
    uint8_t a[16], b[16], c[8];
    memset(a, 'A', sizeof a);
    memset(b, 'B', sizeof b);
    memset(c, 'C', sizeof c);
    ip_defrag_result r;
    anomaly_set an;
    anomaly_clear(&an);
    ip_frag_key k = key4(2, 47);
    cr_assert_eq(add(d, k, 0, true, a, 16, 1, &r, &an), IP_DEFRAG_NEED_MORE);
    cr_assert_not(anomaly_any(&an));
    /* B covers [8,24): [8,16) already held as 'A' */
    cr_assert_eq(add(d, k, 8, true, b, 16, 2, &r, &an), IP_DEFRAG_NEED_MORE);
    cr_assert(anomaly_has(&an, ANOMALY_REASM_IP_FRAGMENT_OVERLAP));
    cr_assert(anomaly_has(&an, ANOMALY_REASM_IP_FRAGMENT_OVERLAP_CONFLICT));
    cr_assert_eq(add(d, k, 24, false, c, 8, 3, &r, &an), IP_DEFRAG_COMPLETE);
    uint8_t want[32];
    memset(want, 'A', 16);
    memset(want + 16, 'B', 8);
    memset(want + 24, 'C', 8);
    cr_assert_eq(r.len, 32);
    cr_assert_eq(memcmp(r.data, want, 32), 0);
    cr_assert_eq(r.overlaps, 1);
    cr_assert_eq(ip_defrag_get_stats(d)->overlaps, 1);
    cr_assert_eq(ip_defrag_get_stats(d)->overlap_conflicts, 1);
    ip_defrag_destroy(d);
}

Test(ip_defrag, v4_overlap_fills_holes_on_both_sides)
{
    /* held [8,16)='M'; new [0,24)='N' keeps [0,8) and [16,24) only */
    ip_defrag *d = ip_defrag_create(NULL);
    uint8_t m[8], n[24], last[8];
    memset(m, 'M', sizeof m);
    memset(n, 'N', sizeof n);
    memset(last, 'L', sizeof last);
    ip_defrag_result r;
    anomaly_set an;
    anomaly_clear(&an);
    ip_frag_key k = key4(3, 47);
    cr_assert_eq(add(d, k, 8, true, m, 8, 1, &r, &an), IP_DEFRAG_NEED_MORE);
    cr_assert_eq(add(d, k, 24, false, last, 8, 2, &r, &an), IP_DEFRAG_NEED_MORE);
    cr_assert_eq(add(d, k, 0, true, n, 24, 3, &r, &an), IP_DEFRAG_COMPLETE);
    static const char want[] = "NNNNNNNNMMMMMMMMNNNNNNNNLLLLLLLL";
    cr_assert_eq(r.len, 32);
    cr_assert_eq(memcmp(r.data, want, 32), 0);
    cr_assert(anomaly_has(&an, ANOMALY_REASM_IP_FRAGMENT_OVERLAP));
    ip_defrag_destroy(d);
}

Test(ip_defrag, v4_overlap_with_same_bytes_is_overlap_without_conflict)
{
    ip_defrag *d = ip_defrag_create(NULL);
    uint8_t pl[32];
    fill_pattern(pl, sizeof pl, 9);
    ip_defrag_result r;
    anomaly_set an;
    anomaly_clear(&an);
    ip_frag_key k = key4(4, 47);
    add(d, k, 0, true, pl, 16, 1, &r, &an);
    cr_assert_eq(add(d, k, 8, true, pl + 8, 16, 2, &r, &an), IP_DEFRAG_NEED_MORE);
    cr_assert(anomaly_has(&an, ANOMALY_REASM_IP_FRAGMENT_OVERLAP));
    cr_assert_not(anomaly_has(&an, ANOMALY_REASM_IP_FRAGMENT_OVERLAP_CONFLICT));
    cr_assert_eq(add(d, k, 24, false, pl + 24, 8, 3, &r, &an), IP_DEFRAG_COMPLETE);
    cr_assert_eq(memcmp(r.data, pl, 32), 0);
    ip_defrag_destroy(d);
}

Test(ip_defrag, v4_fully_covered_last_fragment_sets_the_end)
{
    /* [0,16) and [16,32) held; a last fragment [8,32) adds no bytes but ends it */
    ip_defrag *d = ip_defrag_create(NULL);
    uint8_t pl[32];
    fill_pattern(pl, sizeof pl, 5);
    ip_defrag_result r;
    anomaly_set an;
    anomaly_clear(&an);
    ip_frag_key k = key4(5, 47);
    add(d, k, 0, true, pl, 16, 1, &r, &an);
    add(d, k, 16, true, pl + 16, 16, 2, &r, &an);
    cr_assert_eq(add(d, k, 8, false, pl + 8, 24, 3, &r, &an), IP_DEFRAG_COMPLETE);
    cr_assert_eq(r.len, 32);
    cr_assert_eq(memcmp(r.data, pl, 32), 0);
    ip_defrag_destroy(d);
}

Test(ip_defrag, ipv6_in_order_uses_offset0_next_header)
{
    ip_defrag *d = ip_defrag_create(NULL);
    uint8_t pl[2000];
    fill_pattern(pl, sizeof pl, 6);
    ip_defrag_result r;
    anomaly_set an;
    anomaly_clear(&an);
    /* the Next Header of later fragments may differ (RFC 8200): same datagram */
    cr_assert_eq(add(d, key6(0xdeadbeef, 44), 1232, false, pl + 1232, 768, 1, &r, &an), IP_DEFRAG_NEED_MORE);
    cr_assert_eq(add(d, key6(0xdeadbeef, 47), 0, true, pl, 1232, 2, &r, &an), IP_DEFRAG_COMPLETE);
    cr_assert_eq(r.key.af, 6);
    cr_assert_eq(r.key.proto, 47);
    cr_assert_eq(r.key.id, 0xdeadbeef);
    cr_assert_eq(r.len, sizeof pl);
    cr_assert_eq(memcmp(r.data, pl, sizeof pl), 0);
    cr_assert_not(anomaly_any(&an));
    ip_defrag_destroy(d);
}

Test(ip_defrag, ipv6_overlap_discards_whole_datagram)
{
    ip_defrag *d = ip_defrag_create(NULL);
    uint8_t pl[64];
    fill_pattern(pl, sizeof pl, 7);
    ip_defrag_result r;
    anomaly_set an;
    anomaly_clear(&an);
    ip_frag_key k = key6(99, 47);
    cr_assert_eq(add(d, k, 0, true, pl, 32, 1, &r, &an), IP_DEFRAG_NEED_MORE);
    cr_assert_eq(add(d, k, 0, true, pl, 32, 2, &r, &an), IP_DEFRAG_DROPPED, "exact duplicate");
    cr_assert_eq(r.drop, IP_DEFRAG_DROP_DUPLICATE);
    cr_assert_not(anomaly_any(&an));
    cr_assert_eq(add(d, k, 16, true, pl + 16, 32, 3, &r, &an), IP_DEFRAG_DROPPED);
    cr_assert_eq(r.drop, IP_DEFRAG_DROP_OVERLAP);
    cr_assert(anomaly_has(&an, ANOMALY_REASM_IP_FRAGMENT_OVERLAP));
    /* the remaining fragments, even ones that would have completed it, are dropped */
    cr_assert_eq(add(d, k, 32, false, pl + 32, 32, 4, &r, &an), IP_DEFRAG_DROPPED);
    cr_assert_eq(r.drop, IP_DEFRAG_DROP_DEAD);
    const ip_defrag_stats *st = ip_defrag_get_stats(d);
    cr_assert_eq(st->dropped_datagrams, 1);
    cr_assert_eq(st->dropped_dead, 1);
    cr_assert_eq(st->datagrams_completed, 0);
    /* the tombstone is not reported as a timeout */
    cr_assert_eq(ip_defrag_expire(d, 100 * SEC, NULL, NULL), 0);
    cr_assert_eq(st->datagrams_in_use, 0);
    cr_assert_eq(st->bytes_in_use, 0);
    /* after the tombstone expired the key is usable again */
    cr_assert_eq(add(d, k, 0, true, pl, 32, 101 * SEC, &r, &an), IP_DEFRAG_NEED_MORE);
    cr_assert_eq(add(d, k, 32, false, pl + 32, 32, 101 * SEC, &r, &an), IP_DEFRAG_COMPLETE);
    cr_assert_eq(memcmp(r.data, pl, 64), 0);
    ip_defrag_destroy(d);
}

Test(ip_defrag, atomic_fragment_passes_through)
{
    ip_defrag *d = ip_defrag_create(NULL);
    uint8_t pl[40], other[16];
    fill_pattern(pl, sizeof pl, 8);
    fill_pattern(other, sizeof other, 80);
    ip_defrag_result r;
    anomaly_set an;
    anomaly_clear(&an);
    ip_frag_key k = key6(5, 58);
    cr_assert_eq(add(d, k, 0, true, other, 16, 1, &r, &an), IP_DEFRAG_NEED_MORE);
    cr_assert_eq(add(d, k, 0, false, pl, sizeof pl, 2, &r, &an), IP_DEFRAG_COMPLETE);
    cr_assert_eq(r.len, sizeof pl);
    cr_assert_eq(memcmp(r.data, pl, sizeof pl), 0);
    cr_assert_eq(r.frags, 1);
    cr_assert_eq(ip_defrag_get_stats(d)->atomic, 1);
    cr_assert_eq(ip_defrag_get_stats(d)->datagrams_in_use, 1, "RFC 6946: the datagram in progress is untouched");
    cr_assert_not(anomaly_any(&an));
    ip_defrag_destroy(d);
}

typedef struct expired_log {
    int n;
    ip_defrag_expired e[8];
} expired_log;

static void on_expired(void *user, const ip_defrag_expired *e)
{
    expired_log *l = user;
    if (l->n < 8)
        l->e[l->n] = *e;
    l->n++;
}

Test(ip_defrag, timeout_reports_incomplete_datagrams)
{
    ip_defrag *d = ip_defrag_create(NULL);
    uint8_t pl[64];
    fill_pattern(pl, sizeof pl, 10);
    ip_defrag_result r;
    anomaly_set an;
    anomaly_clear(&an);
    add(d, key4(1, 47), 0, true, pl, 32, 10 * SEC, &r, &an);
    add(d, key4(1, 47), 48, true, pl, 8, 12 * SEC, &r, &an);
    add(d, key6(2, 6), 32, false, pl, 16, 11 * SEC, &r, &an);
    add(d, key4(3, 47), 8, false, pl, 8, 20 * SEC, &r, &an);
    expired_log log = {0};
    cr_assert_eq(ip_defrag_expire(d, 39 * SEC, on_expired, &log), 0);
    cr_assert_eq(ip_defrag_expire(d, 40 * SEC, on_expired, &log), 1, "v4 times out 30 s after its first fragment");
    cr_assert_eq(log.e[0].key.af, 4);
    cr_assert_eq(log.e[0].key.id, 1);
    cr_assert_eq(log.e[0].bytes_held, 40);
    cr_assert_eq(log.e[0].frags_seen, 2);
    cr_assert_eq(log.e[0].first_seen_ns, 10 * SEC);
    cr_assert_eq(log.e[0].last_seen_ns, 12 * SEC);
    cr_assert(log.e[0].have_first);
    cr_assert_not(log.e[0].have_last);
    cr_assert_eq(ip_defrag_expire(d, 50 * SEC, on_expired, &log), 1);
    cr_assert_eq(log.e[1].key.id, 3);
    cr_assert(log.e[1].have_last);
    cr_assert_eq(ip_defrag_expire(d, 70 * SEC, on_expired, &log), 0, "v6 waits 60 s");
    cr_assert_eq(ip_defrag_expire(d, 71 * SEC, on_expired, &log), 1);
    cr_assert_eq(log.e[2].key.af, 6);
    cr_assert_eq(log.n, 3);
    const ip_defrag_stats *st = ip_defrag_get_stats(d);
    cr_assert_eq(st->timeouts, 3);
    cr_assert_eq(st->datagrams_in_use, 0);
    cr_assert_eq(st->bytes_in_use, 0);
    ip_defrag_destroy(d);
}

Test(ip_defrag, timeout_is_configurable_and_ordered_by_deadline)
{
    ip_defrag_limits lim = {.timeout_v4_ns = 5 * SEC};
    ip_defrag *d = ip_defrag_create(&lim);
    uint8_t pl[8] = {0};
    ip_defrag_result r;
    /* a packet with an older timestamp (merged captures) still expires in order */
    add(d, key4(1, 47), 0, true, pl, 8, 10 * SEC, &r, NULL);
    add(d, key4(2, 47), 0, true, pl, 8, 8 * SEC, &r, NULL);
    expired_log log = {0};
    cr_assert_eq(ip_defrag_expire(d, 13 * SEC, on_expired, &log), 1);
    cr_assert_eq(log.e[0].key.id, 2);
    cr_assert_eq(ip_defrag_expire(d, 15 * SEC, on_expired, &log), 1);
    cr_assert_eq(log.e[1].key.id, 1);
    ip_defrag_destroy(d);
}

Test(ip_defrag, memory_cap_drops_and_never_exceeds)
{
    ip_defrag_limits lim = {.max_bytes = 64 * 1024, .max_datagrams = 100000};
    ip_defrag *d = ip_defrag_create(&lim);
    uint8_t pl[1024];
    fill_pattern(pl, sizeof pl, 11);
    ip_defrag_result r;
    anomaly_set an;
    anomaly_clear(&an);
    int held = 0, dropped = 0;
    for (uint32_t i = 0; i < 1000; i++) {
        ip_defrag_status s = add(d, key4(i, 47), 0, true, pl, sizeof pl, i, &r, &an);
        if (s == IP_DEFRAG_NEED_MORE)
            held++;
        else if (s == IP_DEFRAG_DROPPED && r.drop == IP_DEFRAG_DROP_MEMCAP)
            dropped++;
        cr_assert_leq(ip_defrag_get_stats(d)->bytes_in_use, lim.max_bytes);
    }
    const ip_defrag_stats *st = ip_defrag_get_stats(d);
    cr_assert_gt(held, 30);
    cr_assert_eq(held + dropped, 1000);
    cr_assert_eq(st->dropped_memcap, (uint64_t)dropped);
    cr_assert_leq(st->peak_bytes, lim.max_bytes);
    cr_assert(anomaly_has(&an, ANOMALY_REASM_IP_DEFRAG_MEMCAP));
    /* a held datagram can still complete when its last fragment fits */
    cr_assert_eq(add(d, key4(0, 47), 1024, false, pl, 8, 2000, &r, &an), IP_DEFRAG_COMPLETE);
    cr_assert_eq(r.len, 1032);
    ip_defrag_destroy(d);
}

Test(ip_defrag, table_full)
{
    ip_defrag_limits lim = {.max_datagrams = 4};
    ip_defrag *d = ip_defrag_create(&lim);
    uint8_t pl[8] = {0};
    ip_defrag_result r;
    anomaly_set an;
    anomaly_clear(&an);
    for (uint32_t i = 0; i < 4; i++)
        cr_assert_eq(add(d, key4(i, 47), 0, true, pl, 8, 1, &r, &an), IP_DEFRAG_NEED_MORE);
    cr_assert_eq(add(d, key4(9, 47), 0, true, pl, 8, 1, &r, &an), IP_DEFRAG_DROPPED);
    cr_assert_eq(r.drop, IP_DEFRAG_DROP_TABLE_FULL);
    cr_assert(anomaly_has(&an, ANOMALY_REASM_IP_DEFRAG_TABLE_FULL));
    /* fragments of datagrams already in the table are still accepted */
    cr_assert_eq(add(d, key4(2, 47), 8, false, pl, 8, 1, &r, &an), IP_DEFRAG_COMPLETE);
    cr_assert_eq(add(d, key4(9, 47), 0, true, pl, 8, 1, &r, &an), IP_DEFRAG_NEED_MORE);
    cr_assert_eq(ip_defrag_get_stats(d)->dropped_table_full, 1);
    ip_defrag_destroy(d);
}

Test(ip_defrag, max_size_datagram_and_one_byte_more)
{
    ip_defrag *d = ip_defrag_create(NULL);
    size_t total = 65535 - 20; /* IPv4 with a 20-byte header */
    uint8_t *pl = malloc(total + 8);
    fill_pattern(pl, total + 8, 12);
    ip_defrag_result r;
    anomaly_set an;
    anomaly_clear(&an);
    ip_frag_key k = key4(77, 17);
    size_t off = 0;
    ip_defrag_status s = IP_DEFRAG_NEED_MORE;
    while (off < total) {
        size_t len = total - off > 1480 ? 1480 : total - off;
        ip_frag f = {.key = k, .offset = (uint32_t)off, .more = off + len < total, .hdr_len = 20,
                     .data = pl + off, .len = len};
        s = ip_defrag_add(d, &f, 1, &r, &an);
        off += len;
    }
    cr_assert_eq(s, IP_DEFRAG_COMPLETE);
    cr_assert_eq(r.len, total);
    cr_assert_eq(memcmp(r.data, pl, total), 0);
    cr_assert_not(anomaly_any(&an));
    /* one byte too many: 20 + 65512 + 4 = 65536 (ping of death) */
    ip_frag f = {.key = key4(78, 17), .offset = 65512, .more = false, .hdr_len = 20, .data = pl, .len = 4};
    cr_assert_eq(ip_defrag_add(d, &f, 2, &r, &an), IP_DEFRAG_DROPPED);
    cr_assert_eq(r.drop, IP_DEFRAG_DROP_INVALID);
    cr_assert(anomaly_has(&an, ANOMALY_REASM_IP_FRAGMENT_TOO_BIG));
    /* with header options the limit is lower */
    anomaly_clear(&an);
    f.len = 3;
    f.hdr_len = 24;
    cr_assert_eq(ip_defrag_add(d, &f, 2, &r, &an), IP_DEFRAG_DROPPED);
    cr_assert(anomaly_has(&an, ANOMALY_REASM_IP_FRAGMENT_TOO_BIG));
    /* IPv6: 65535 of fragmentable payload with no extension headers */
    anomaly_clear(&an);
    ip_frag f6 = {.key = key6(1, 17), .offset = 65528, .more = false, .data = pl, .len = 7};
    cr_assert_eq(ip_defrag_add(d, &f6, 3, &r, &an), IP_DEFRAG_NEED_MORE);
    f6.offset = 65528;
    f6.len = 8;
    f6.key.id = 2;
    cr_assert_eq(ip_defrag_add(d, &f6, 3, &r, &an), IP_DEFRAG_DROPPED);
    cr_assert(anomaly_has(&an, ANOMALY_REASM_IP_FRAGMENT_TOO_BIG));
    free(pl);
    ip_defrag_destroy(d);
}

Test(ip_defrag, inconsistent_ends)
{
    ip_defrag *d = ip_defrag_create(NULL);
    uint8_t pl[64];
    fill_pattern(pl, sizeof pl, 13);
    ip_defrag_result r;
    anomaly_set an;
    ip_frag_key k = key4(50, 47);
    anomaly_clear(&an);
    cr_assert_eq(add(d, k, 32, false, pl + 32, 16, 1, &r, &an), IP_DEFRAG_NEED_MORE); /* end 48 */
    /* a second last fragment with another end: dropped, first end wins */
    cr_assert_eq(add(d, k, 32, false, pl + 32, 24, 2, &r, &an), IP_DEFRAG_DROPPED);
    cr_assert_eq(r.drop, IP_DEFRAG_DROP_INVALID);
    cr_assert(anomaly_has(&an, ANOMALY_REASM_IP_FRAGMENT_INCONSISTENT_END));
    /* a middle fragment reaching beyond the end */
    anomaly_clear(&an);
    cr_assert_eq(add(d, k, 40, true, pl + 40, 16, 3, &r, &an), IP_DEFRAG_DROPPED);
    cr_assert(anomaly_has(&an, ANOMALY_REASM_IP_FRAGMENT_INCONSISTENT_END));
    anomaly_clear(&an);
    cr_assert_eq(add(d, k, 0, true, pl, 32, 4, &r, &an), IP_DEFRAG_COMPLETE);
    cr_assert_eq(r.len, 48);
    cr_assert_eq(memcmp(r.data, pl, 48), 0);
    cr_assert_not(anomaly_any(&an));

    /* last fragment that ends before data already held */
    k = key4(51, 47);
    add(d, k, 0, true, pl, 32, 5, &r, &an);
    cr_assert_eq(add(d, k, 8, false, pl + 8, 8, 6, &r, &an), IP_DEFRAG_DROPPED);
    cr_assert(anomaly_has(&an, ANOMALY_REASM_IP_FRAGMENT_INCONSISTENT_END));
    cr_assert_eq(ip_defrag_get_stats(d)->dropped_invalid, 3);
    ip_defrag_destroy(d);
}

Test(ip_defrag, zero_length_and_unaligned)
{
    ip_defrag *d = ip_defrag_create(NULL);
    uint8_t pl[16] = {0};
    ip_defrag_result r;
    anomaly_set an;
    anomaly_clear(&an);
    cr_assert_eq(add(d, key4(1, 47), 8, true, pl, 0, 1, &r, &an), IP_DEFRAG_DROPPED);
    cr_assert(anomaly_has(&an, ANOMALY_REASM_IP_FRAGMENT_ZERO_LENGTH));
    anomaly_clear(&an);
    cr_assert_eq(add(d, key4(1, 47), 0, true, pl, 12, 1, &r, &an), IP_DEFRAG_DROPPED);
    cr_assert(anomaly_has(&an, ANOMALY_REASM_IP_FRAGMENT_UNALIGNED));
    /* a last fragment of any length is fine */
    anomaly_clear(&an);
    cr_assert_eq(add(d, key4(1, 47), 8, false, pl, 5, 1, &r, &an), IP_DEFRAG_NEED_MORE);
    cr_assert_not(anomaly_any(&an));
    cr_assert_eq(ip_defrag_get_stats(d)->dropped_invalid, 2);
    ip_defrag_destroy(d);
}

Test(ip_defrag, too_many_fragments_discards_datagram)
{
    ip_defrag_limits lim = {.max_frags = 8};
    ip_defrag *d = ip_defrag_create(&lim);
    uint8_t pl[8] = {1, 2, 3, 4, 5, 6, 7, 8};
    ip_defrag_result r;
    anomaly_set an;
    anomaly_clear(&an);
    ip_frag_key k = key4(60, 47);
    for (uint32_t i = 0; i < 8; i++) /* every other 8-byte block: 8 pieces */
        cr_assert_eq(add(d, k, i * 16, true, pl, 8, 1, &r, &an), IP_DEFRAG_NEED_MORE);
    uint64_t held = ip_defrag_get_stats(d)->bytes_in_use;
    cr_assert_eq(add(d, k, 8 * 16, true, pl, 8, 1, &r, &an), IP_DEFRAG_DROPPED);
    cr_assert_eq(r.drop, IP_DEFRAG_DROP_TOO_MANY);
    cr_assert(anomaly_has(&an, ANOMALY_REASM_IP_FRAGMENT_TOO_MANY));
    cr_assert_eq(add(d, k, 8, true, pl, 8, 1, &r, &an), IP_DEFRAG_DROPPED);
    cr_assert_eq(r.drop, IP_DEFRAG_DROP_DEAD);
    cr_assert_leq(ip_defrag_get_stats(d)->bytes_in_use, held - 8 * 8, "the discarded datagram's bytes are freed");
    ip_defrag_destroy(d);
}

Test(ip_defrag, keys_are_separate)
{
    ip_defrag *d = ip_defrag_create(NULL);
    uint8_t a[16], b[16];
    memset(a, 'a', sizeof a);
    memset(b, 'b', sizeof b);
    ip_defrag_result r;
    /* same id, different protocol: two v4 datagrams */
    add(d, key4(1, 47), 0, true, a, 8, 1, &r, NULL);
    add(d, key4(1, 6), 0, true, b, 8, 1, &r, NULL);
    ip_frag_key k = key4(1, 47);
    k.dst[3] = 9; /* different destination */
    add(d, k, 0, true, b, 8, 1, &r, NULL);
    cr_assert_eq(ip_defrag_get_stats(d)->datagrams_in_use, 3);
    cr_assert_eq(add(d, key4(1, 47), 8, false, a + 8, 8, 2, &r, NULL), IP_DEFRAG_COMPLETE);
    cr_assert_eq(memcmp(r.data, a, 16), 0);
    cr_assert_eq(add(d, key4(1, 6), 8, false, b + 8, 8, 2, &r, NULL), IP_DEFRAG_COMPLETE);
    cr_assert_eq(memcmp(r.data, b, 16), 0);
    /* unused address bytes of a v4 key do not matter */
    ip_frag_key k2 = k;
    memset(k2.src + 4, 0xee, 12);
    cr_assert_eq(add(d, k2, 8, false, b + 8, 8, 2, &r, NULL), IP_DEFRAG_COMPLETE);
    cr_assert_eq(ip_defrag_get_stats(d)->datagrams_in_use, 0);
    ip_defrag_destroy(d);
}

Test(ip_defrag, destroy_frees_pending)
{
    /* run under ASan/LSan: nothing may leak */
    ip_defrag *d = ip_defrag_create(NULL);
    uint8_t pl[512] = {0};
    ip_defrag_result r;
    for (uint32_t i = 0; i < 100; i++) {
        add(d, key4(i, 47), 0, true, pl, 256, i, &r, NULL);
        add(d, key6(i, 47), 512, true, pl, 256, i, &r, NULL);
    }
    cr_assert_eq(ip_defrag_get_stats(d)->datagrams_in_use, 200);
    ip_defrag_destroy(d);
    ip_defrag_destroy(NULL);
}
