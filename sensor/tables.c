/*
 * tables.c - hash tables and activity lists of the sensor.
 *
 * Both tables are chained, power-of-two sized and grow (rehash) at load 1, so the
 * GRE lookup on the per-packet path is one hash and a short chain walk.  The
 * control table hashes the address pair only (ports are compared in the chain),
 * so all connections between two hosts share a bucket and ctrl_find_pair() is one
 * bucket walk.
 */
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#include "sensor_int.h"

#define TABLE_INITIAL 1024u

/* Intrusive doubly linked FIFO lists (activity and interim order): O(1). */
#define LIST_UNLINK(head, tail, x, prev, next)                                                                 \
    do {                                                                                                     \
        if ((x)->prev)                                                                                       \
            (x)->prev->next = (x)->next;                                                                     \
        else if ((head) == (x))                                                                              \
            (head) = (x)->next;                                                                              \
        if ((x)->next)                                                                                       \
            (x)->next->prev = (x)->prev;                                                                     \
        else if ((tail) == (x))                                                                              \
            (tail) = (x)->prev;                                                                              \
        (x)->prev = (x)->next = NULL;                                                                        \
    } while (0)

#define LIST_APPEND(head, tail, x, prev, next)                                                                 \
    do {                                                                                                     \
        (x)->prev = (tail);                                                                                  \
        (x)->next = NULL;                                                                                    \
        if (tail)                                                                                            \
            (tail)->next = (x);                                                                              \
        else                                                                                                 \
            (head) = (x);                                                                                    \
        (tail) = (x);                                                                                        \
    } while (0)


static uint64_t pair_hash(const sn_addr *cli, const sn_addr *srv)
{
    return sn_addr_hash(cli, 0x9e3779b97f4a7c15ull) ^ sn_addr_hash(srv, 0x632be59bd9b4e019ull);
}

static uint64_t gre_hash(const sn_addr *dst, uint16_t call_id)
{
    return sn_addr_hash(dst, 0xc2b2ae3d27d4eb4full + call_id);
}

int tables_init(struct sensor *s)
{
    s->ctrl_tab = calloc(TABLE_INITIAL, sizeof *s->ctrl_tab);
    s->gre_tab = calloc(TABLE_INITIAL, sizeof *s->gre_tab);
    if (!s->ctrl_tab || !s->gre_tab)
        return -1;
    s->ctrl_mask = s->gre_mask = TABLE_INITIAL - 1;
    return 0;
}

void tables_free(struct sensor *s)
{
    free(s->ctrl_tab);
    free(s->gre_tab);
    s->ctrl_tab = NULL;
    s->gre_tab = NULL;
}

/* ---- control connections ---- */

static void ctrl_grow(struct sensor *s)
{
    uint32_t nsize = (s->ctrl_mask + 1) * 2;
    struct ctrl_conn **nt = calloc(nsize, sizeof *nt);
    if (!nt)
        return; /* keep the old table: longer chains, still correct */
    for (uint32_t i = 0; i <= s->ctrl_mask; i++) {
        struct ctrl_conn *c = s->ctrl_tab[i], *next;
        for (; c; c = next) {
            next = c->next;
            uint32_t b = (uint32_t)pair_hash(&c->client_ip, &c->server_ip) & (nsize - 1);
            c->next = nt[b];
            nt[b] = c;
        }
    }
    free(s->ctrl_tab);
    s->ctrl_tab = nt;
    s->ctrl_mask = nsize - 1;
}

struct ctrl_conn *ctrl_find(struct sensor *s, const sn_addr *cli, const sn_addr *srv, uint16_t cport, uint16_t sport)
{
    uint32_t b = (uint32_t)pair_hash(cli, srv) & s->ctrl_mask;
    for (struct ctrl_conn *c = s->ctrl_tab[b]; c; c = c->next)
        if (c->client_port == cport && c->server_port == sport && sn_addr_eq(&c->client_ip, cli) &&
            sn_addr_eq(&c->server_ip, srv))
            return c;
    return NULL;
}

static struct ctrl_conn *find_pair_oriented(struct sensor *s, const sn_addr *cli, const sn_addr *srv)
{
    uint32_t b = (uint32_t)pair_hash(cli, srv) & s->ctrl_mask;
    struct ctrl_conn *best = NULL;
    for (struct ctrl_conn *c = s->ctrl_tab[b]; c; c = c->next)
        if (sn_addr_eq(&c->client_ip, cli) && sn_addr_eq(&c->server_ip, srv) && (!best || c->start_ns > best->start_ns))
            best = c;
    return best;
}

struct ctrl_conn *ctrl_find_pair(struct sensor *s, const sn_addr *a, const sn_addr *b)
{
    struct ctrl_conn *c = find_pair_oriented(s, a, b);
    return c ? c : find_pair_oriented(s, b, a);
}

void ctrl_insert(struct sensor *s, struct ctrl_conn *c)
{
    if (s->n_ctrl >= (uint64_t)s->ctrl_mask + 1)
        ctrl_grow(s);
    uint32_t b = (uint32_t)pair_hash(&c->client_ip, &c->server_ip) & s->ctrl_mask;
    c->next = s->ctrl_tab[b];
    s->ctrl_tab[b] = c;
    s->n_ctrl++;
    LIST_APPEND(s->ctrl_lru_head, s->ctrl_lru_tail, c, lru_prev, lru_next);
}

void ctrl_remove(struct sensor *s, struct ctrl_conn *c)
{
    uint32_t b = (uint32_t)pair_hash(&c->client_ip, &c->server_ip) & s->ctrl_mask;
    for (struct ctrl_conn **pp = &s->ctrl_tab[b]; *pp; pp = &(*pp)->next)
        if (*pp == c) {
            *pp = c->next;
            s->n_ctrl--;
            break;
        }
    LIST_UNLINK(s->ctrl_lru_head, s->ctrl_lru_tail, c, lru_prev, lru_next);
}

void ctrl_touch(struct sensor *s, struct ctrl_conn *c)
{
    if (s->ctrl_lru_tail == c)
        return;
    LIST_UNLINK(s->ctrl_lru_head, s->ctrl_lru_tail, c, lru_prev, lru_next);
    LIST_APPEND(s->ctrl_lru_head, s->ctrl_lru_tail, c, lru_prev, lru_next);
}

/* ---- calls by GRE key ---- */

/* dir DIR_CLIENT: packets sent by the client, addressed to the server with the
 * PAC's Call ID; DIR_SERVER: to the client with the PNS's Call ID. */
static void gre_key(const struct call *k, int dir, const sn_addr **dst, uint16_t *id)
{
    if (dir == DIR_CLIENT) {
        *dst = &k->server_ip;
        *id = k->pac_call_id;
    } else {
        *dst = &k->client_ip;
        *id = k->pns_call_id;
    }
}

static struct call *link_call(struct gre_link *l)
{
    return (struct call *)((char *)l - offsetof(struct call, gre_link) - l->dir * sizeof(struct gre_link));
}

static uint32_t link_bucket(struct gre_link *l, uint32_t mask)
{
    const sn_addr *dst;
    uint16_t id;
    gre_key(link_call(l), l->dir, &dst, &id);
    return (uint32_t)gre_hash(dst, id) & mask;
}

static void gre_grow(struct sensor *s)
{
    uint32_t nsize = (s->gre_mask + 1) * 2;
    struct gre_link **nt = calloc(nsize, sizeof *nt);
    if (!nt)
        return; /* keep the old table: longer chains, still correct */
    for (uint32_t i = 0; i <= s->gre_mask; i++) {
        struct gre_link *l = s->gre_tab[i], *next;
        for (; l; l = next) {
            next = l->next;
            uint32_t b = link_bucket(l, nsize - 1);
            l->next = nt[b];
            nt[b] = l;
        }
    }
    free(s->gre_tab);
    s->gre_tab = nt;
    s->gre_mask = nsize - 1;
}

struct call *gre_find(struct sensor *s, const sn_addr *src, const sn_addr *dst, uint16_t call_id, int *dir)
{
    /* Call IDs are unique per PAC only in theory: Linux pptpd demultiplexes by
     * (Call ID, peer address), so two clients of one server may hold the same
     * PAC Call ID.  Prefer the call whose other endpoint sent the packet; fall
     * back to any call with the key (NAT between the sensor and a peer). */
    uint32_t b = (uint32_t)gre_hash(dst, call_id) & s->gre_mask;
    struct call *any = NULL;
    int any_dir = 0;
    for (struct gre_link *l = s->gre_tab[b]; l; l = l->next) {
        if (l->call_id != call_id)
            continue;
        struct call *k = link_call(l);
        /* The packet will touch CALL_HOT_BYTES of the call: with thousands of
         * calls interleaved they are rarely cached, so ask for all the lines now
         * and let the misses overlap instead of stalling one after another. */
        for (size_t off = 64; off < CALL_HOT_BYTES; off += 64)
            __builtin_prefetch((const char *)k + off, 1);
        const sn_addr *kd;
        uint16_t kid;
        gre_key(k, l->dir, &kd, &kid);
        if (kid != call_id || !sn_addr_eq(kd, dst))
            continue;
        const sn_addr *peer = l->dir == DIR_CLIENT ? &k->client_ip : &k->server_ip;
        if (sn_addr_eq(peer, src)) {
            *dir = l->dir;
            return k;
        }
        if (!any) {
            any = k;
            any_dir = l->dir;
        }
    }
    *dir = any_dir;
    return any;
}

void gre_insert(struct sensor *s, struct call *k, int dir)
{
    struct gre_link *l = &k->gre_link[dir];
    if (l->in)
        return;
    if (s->n_gre >= (uint64_t)s->gre_mask + 1)
        gre_grow(s);
    l->dir = (uint8_t)dir;
    l->call_id = dir == DIR_CLIENT ? k->pac_call_id : k->pns_call_id;
    uint32_t b = link_bucket(l, s->gre_mask);
    l->next = s->gre_tab[b];
    s->gre_tab[b] = l;
    l->in = 1;
    s->n_gre++;
}

void gre_remove(struct sensor *s, struct call *k, int dir)
{
    struct gre_link *l = &k->gre_link[dir];
    if (!l->in)
        return;
    uint32_t b = link_bucket(l, s->gre_mask);
    for (struct gre_link **pp = &s->gre_tab[b]; *pp; pp = &(*pp)->next)
        if (*pp == l) {
            *pp = l->next;
            break;
        }
    l->in = 0;
    l->next = NULL;
    s->n_gre--;
}

/* ---- activity (expiry) and interim lists of calls ---- */

void call_lists_add(struct sensor *s, struct call *k)
{
    LIST_APPEND(s->call_lru_head, s->call_lru_tail, k, lru_prev, lru_next);
    LIST_APPEND(s->im_head, s->im_tail, k, im_prev, im_next);
}

void call_lists_remove(struct sensor *s, struct call *k)
{
    LIST_UNLINK(s->call_lru_head, s->call_lru_tail, k, lru_prev, lru_next);
    LIST_UNLINK(s->im_head, s->im_tail, k, im_prev, im_next);
}

void call_touch(struct sensor *s, struct call *k)
{
    if (s->call_lru_tail == k)
        return;
    LIST_UNLINK(s->call_lru_head, s->call_lru_tail, k, lru_prev, lru_next);
    LIST_APPEND(s->call_lru_head, s->call_lru_tail, k, lru_prev, lru_next);
}

void interim_requeue(struct sensor *s, struct call *k)
{
    LIST_UNLINK(s->im_head, s->im_tail, k, im_prev, im_next);
    LIST_APPEND(s->im_head, s->im_tail, k, im_prev, im_next);
}

/* Stable ids: deterministic for a given input (replays give the same ids). */
uint64_t sensor_new_id(struct sensor *s, uint64_t a, uint64_t b)
{
    s->id_counter++;
    uint64_t h = sn_mix64(a ^ 0x51afd7ed558ccd2bull);
    h = sn_mix64(h ^ b);
    h = sn_mix64(h ^ s->id_counter);
    return h ? h : 1;
}
