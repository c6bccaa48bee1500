/* test_call_tables.c - the call slab and the open-addressing GRE table
 * (sensor/call_slab.c, sensor/tables.c), against a plain reference model. */
#include <criterion/criterion.h>
#include <stdlib.h>
#include <string.h>

#include "config.h"
#include "sensor_int.h"
#include "sink.h"

Test(call_slab, slots_are_aligned_zeroed_and_reused)
{
    struct call_slab sl;
    memset(&sl, 0, sizeof sl);
    enum { N = 300 };
    struct call *k[N];
    uint32_t idx[N];
    for (uint32_t i = 0; i < N; i++) {
        k[i] = call_slab_alloc(&sl, &idx[i]);
        cr_assert_not_null(k[i]);
        cr_assert_eq(idx[i], i);
        cr_assert_eq((uintptr_t)k[i] % 64, 0, "slot %u not on a cache line", i);
        cr_assert_eq(call_slab_get(&sl, idx[i]), k[i]);
        memset(k[i], 0xa5, sizeof *k[i]);
    }
    cr_assert_eq(sizeof(struct call) % 64, 0);
    cr_assert_eq(CALL_HOT_BYTES, 192);
    /* freed slots come back first, most recent first, zeroed */
    call_slab_free(&sl, 7);
    call_slab_free(&sl, 100);
    uint32_t a, b, c;
    struct call *x = call_slab_alloc(&sl, &a);
    struct call *y = call_slab_alloc(&sl, &b);
    struct call *z = call_slab_alloc(&sl, &c);
    cr_assert_eq(a, 100);
    cr_assert_eq(b, 7);
    cr_assert_eq(c, N);
    cr_assert_eq(x, k[100]);
    cr_assert_eq(y, k[7]);
    static const struct call zero;
    cr_assert_eq(memcmp(x, &zero, sizeof zero), 0);
    cr_assert_eq(memcmp(z, &zero, sizeof zero), 0);
    cr_assert_geq(call_slab_bytes(&sl), (uint64_t)(N + 1) * sizeof(struct call));
    call_slab_destroy(&sl);
    cr_assert_eq(sl.n_chunks, 0);
}

/* ---- the GRE table against a model ---- */

enum { MAXC = 3000 };

struct model {
    struct call *k[MAXC];
    bool in[MAXC][2];
    int n;
};

static uint64_t rng_state = 0x9e3779b97f4a7c15ull;
static uint32_t rnd(uint32_t n)
{
    rng_state ^= rng_state << 13;
    rng_state ^= rng_state >> 7;
    rng_state ^= rng_state << 17;
    return (uint32_t)(rng_state % n);
}

/* A call with few distinct keys: 4 servers, 8 PAC Call IDs, 6 clients, 8 PNS
 * Call IDs (many calls share keys and peers, as NATed clients of one PAC do). */
static struct call *model_call(struct sensor *s)
{
    uint32_t slot;
    struct call *k = call_slab_alloc(&s->calls, &slot);
    cr_assert_not_null(k);
    k->slot = slot;
    sn_addr_v4(&k->server_ip, 0xc0a80001u + rnd(4));
    if (rnd(5) == 0) {
        uint8_t v6[16] = {0x20, 0x01, 0x0d, 0xb8};
        v6[15] = (uint8_t)rnd(6);
        sn_addr_v6(&k->client_ip, v6);
    } else {
        sn_addr_v4(&k->client_ip, 0x0a000001u + rnd(6));
    }
    k->pac_call_id = (uint16_t)rnd(8);
    k->pns_call_id = (uint16_t)(0x8000u + rnd(8));
    return k;
}

/* What gre_find may return for a packet from src to dst with call_id: a call
 * holding the key whose other end is src if there is one, else any holding it. */
static void check_find(struct sensor *s, const struct model *m, const sn_addr *src, const sn_addr *dst, uint16_t id)
{
    bool any = false, peer = false;
    for (int i = 0; i < m->n; i++)
        for (int d = 0; d < 2; d++) {
            const struct call *k = m->k[i];
            if (!m->in[i][d])
                continue;
            const sn_addr *kd = d == DIR_CLIENT ? &k->server_ip : &k->client_ip;
            const sn_addr *kp = d == DIR_CLIENT ? &k->client_ip : &k->server_ip;
            uint16_t kid = d == DIR_CLIENT ? k->pac_call_id : k->pns_call_id;
            if (kid == id && sn_addr_eq(kd, dst)) {
                any = true;
                peer |= sn_addr_eq(kp, src);
            }
        }
    int dir = -1;
    struct call *got = gre_find(s, src, dst, id, &dir);
    if (!any) {
        cr_assert_null(got);
        return;
    }
    cr_assert_not_null(got, "a call holds the key but the lookup missed it");
    int i = 0;
    while (i < m->n && m->k[i] != got)
        i++;
    cr_assert_lt(i, m->n);
    cr_assert(m->in[i][dir], "returned a direction not in the table");
    const sn_addr *kd = dir == DIR_CLIENT ? &got->server_ip : &got->client_ip;
    const sn_addr *kp = dir == DIR_CLIENT ? &got->client_ip : &got->server_ip;
    cr_assert(sn_addr_eq(kd, dst));
    cr_assert_eq(dir == DIR_CLIENT ? got->pac_call_id : got->pns_call_id, id);
    if (peer)
        cr_assert(sn_addr_eq(kp, src), "a call whose peer sent the packet exists but another was returned");
}

static void check_all(struct sensor *s, const struct model *m)
{
    uint64_t n = 0;
    for (int i = 0; i < m->n; i++)
        n += (uint64_t)m->in[i][0] + m->in[i][1];
    cr_assert_eq(s->n_gre, n, "n_gre %llu, model %llu", (unsigned long long)s->n_gre, (unsigned long long)n);
    uint64_t used = 0;
    for (uint32_t i = 0; i <= s->gre_mask; i++)
        used += s->gre_slots[i] != 0;
    cr_assert_eq(used, n, "table holds %llu entries, model %llu", (unsigned long long)used, (unsigned long long)n);
    for (uint32_t srv = 0; srv < 4; srv++)
        for (uint16_t id = 0; id < 8; id++)
            for (uint32_t cli = 0; cli < 6; cli++) {
                sn_addr a, b;
                sn_addr_v4(&a, 0xc0a80001u + srv);
                sn_addr_v4(&b, 0x0a000001u + cli);
                check_find(s, m, &b, &a, id);          /* client to server: PAC Call ID */
                check_find(s, m, &a, &b, (uint16_t)(0x8000u + id)); /* server to client */
            }
}

Test(gre_table, random_inserts_and_removes_match_the_model)
{
    struct sensor_config cfg;
    config_defaults(&cfg);
    struct sink_set set;
    cr_assert_eq(sink_set_init(&set), 0);
    struct sensor *s = sensor_new(&cfg, &set);
    cr_assert_not_null(s);
    static struct model m;
    memset(&m, 0, sizeof m);
    uint32_t max_mask = s->gre_mask;
    /* first 20000 steps at just under 3/4 of the first 1024 slots (long clusters,
     * removals shift entries across the end of the array), then growth to a few
     * thousand entries, then a drain towards empty */
    for (int step = 0; step < 40000; step++) {
        uint32_t op = rnd(100);
        bool insert = step < 20000 ? s->n_gre < 700 || (s->n_gre < 760 && op < 50) : op < 55 || m.n < 10;
        if (insert && m.n < MAXC) {
            m.k[m.n] = model_call(s);
            m.in[m.n][0] = m.in[m.n][1] = false;
            int d = (int)rnd(3); /* one direction, the other, or both */
            for (int x = 0; x < 2; x++)
                if (d == 2 || d == x) {
                    gre_insert(s, m.k[m.n], x);
                    m.in[m.n][x] = true;
                }
            m.n++;
        } else {
            int i = (int)rnd((uint32_t)m.n);
            int d = (int)rnd(2);
            gre_remove(s, m.k[i], d);
            m.in[i][d] = false;
            if (!m.in[i][0] && !m.in[i][1]) { /* the call is gone: its slot is reused */
                call_slab_free(&s->calls, m.k[i]->slot);
                m.k[i] = m.k[m.n - 1];
                m.in[i][0] = m.in[m.n - 1][0];
                m.in[i][1] = m.in[m.n - 1][1];
                m.n--;
            }
        }
        if (s->gre_mask > max_mask)
            max_mask = s->gre_mask;
        if (step % (step < 20000 ? 97 : 997) == 0)
            check_all(s, &m);
        if (step == 19999)
            cr_assert_eq(s->gre_mask, 1023u, "the first phase stays in the first table");
        if (step == 30000) /* drain towards empty: removal on a sparse table */
            while (m.n > 5) {
                int i = m.n - 1;
                gre_remove(s, m.k[i], 0);
                gre_remove(s, m.k[i], 1);
                call_slab_free(&s->calls, m.k[i]->slot);
                m.n--;
            }
    }
    check_all(s, &m);
    cr_assert_geq(max_mask, 4095u, "the table grew (from 1024 slots)");
    for (int i = 0; i < m.n; i++) {
        gre_remove(s, m.k[i], 0);
        gre_remove(s, m.k[i], 1);
        call_slab_free(&s->calls, m.k[i]->slot);
    }
    cr_assert_eq(s->n_gre, 0);
    sensor_free(s);
    sink_set_close(&set);
}
