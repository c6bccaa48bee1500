/*
 * tables.c - hash tables and activity lists of the sensor.
 *
 * The control table is chained, power-of-two sized and grows (rehash) at load 1.
 * The GRE table, on the per-packet path, is open addressing (below).  The
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
    s->gre_slots = calloc(TABLE_INITIAL, sizeof *s->gre_slots);
    if (!s->ctrl_tab || !s->gre_slots)
        return -1;
    s->ctrl_mask = s->gre_mask = TABLE_INITIAL - 1;
    return 0;
}

void tables_free(struct sensor *s)
{
    free(s->ctrl_tab);
    free(s->gre_slots);
    free(s->idle);
    s->ctrl_tab = NULL;
    s->gre_slots = NULL;
    s->idle = NULL;
    s->idle_cap = 0;
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

/* ---- calls by GRE key ----
 *
 * Open addressing with linear probing; an entry is 64 bits:
 *   bits 0-31 1 + slab index of the call (0: empty slot), 32-47 the Call ID,
 *   bit 48 the direction whose key it is, 49-63 a 15-bit tag of the key's hash.
 * A lookup reads consecutive entries of one or two cache lines and opens a call
 * only when Call ID and tag both match, so it touches the slot's line and the
 * call it finds.  Several calls may hold the same key (see gre_find).  Removal
 * shifts the following entries back, so there are no tombstones; the table
 * doubles at 3/4 load. */

#define GRE_E_REF 0xffffffffull
#define GRE_E_ID_SHIFT 32
#define GRE_E_DIR (1ull << 48)
#define GRE_E_TAG_SHIFT 49
#define GRE_E_MATCH (~GRE_E_REF & ~GRE_E_DIR) /* Call ID and tag */

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

static uint64_t gre_entry_key(uint64_t h, uint16_t call_id)
{
    return ((uint64_t)call_id << GRE_E_ID_SHIFT) | ((h >> GRE_E_TAG_SHIFT) << GRE_E_TAG_SHIFT);
}

/* The entry of call k's direction dir, and the hash of its key. */
static uint64_t gre_entry(const struct call *k, int dir, uint64_t *hash)
{
    const sn_addr *dst;
    uint16_t id;
    gre_key(k, dir, &dst, &id);
    uint64_t h = gre_hash(dst, id);
    *hash = h;
    return gre_entry_key(h, id) | (dir ? GRE_E_DIR : 0) | ((uint64_t)k->slot + 1);
}

static uint64_t gre_entry_hash(const struct sensor *s, uint64_t e)
{
    uint64_t h;
    gre_entry(call_slab_get(&s->calls, (uint32_t)(e & GRE_E_REF) - 1), (e & GRE_E_DIR) ? 1 : 0, &h);
    return h;
}

static void gre_place(uint64_t *slots, uint32_t mask, uint64_t h, uint64_t e)
{
    uint32_t i = (uint32_t)h & mask;
    while (slots[i])
        i = (i + 1) & mask;
    slots[i] = e;
}

static bool gre_grow(struct sensor *s)
{
    uint32_t nsize = (s->gre_mask + 1) * 2;
    if (!nsize)
        return false;
    uint64_t *nt = calloc(nsize, sizeof *nt);
    if (!nt)
        return false;
    for (uint32_t i = 0; i <= s->gre_mask; i++)
        if (s->gre_slots[i])
            gre_place(nt, nsize - 1, gre_entry_hash(s, s->gre_slots[i]), s->gre_slots[i]);
    free(s->gre_slots);
    s->gre_slots = nt;
    s->gre_mask = nsize - 1;
    return true;
}

struct call *gre_find(struct sensor *s, const sn_addr *src, const sn_addr *dst, uint16_t call_id, int *dir)
{
    /* Call IDs are unique per PAC only in theory: Linux pptpd demultiplexes by
     * (Call ID, peer address), so two clients of one server may hold the same
     * PAC Call ID.  Prefer the call whose other endpoint sent the packet; fall
     * back to any call with the key (NAT between the sensor and a peer). */
    uint64_t h = gre_hash(dst, call_id);
    uint64_t want = gre_entry_key(h, call_id);
    struct call *any = NULL;
    int any_dir = 0;
    for (uint32_t i = (uint32_t)h & s->gre_mask;; i = (i + 1) & s->gre_mask) {
        uint64_t e = s->gre_slots[i];
        if (!e)
            break;
        if ((e & GRE_E_MATCH) != want)
            continue;
        struct call *k = call_slab_get(&s->calls, (uint32_t)(e & GRE_E_REF) - 1);
        /* the packet goes on to the call's other hot lines: ask for them now,
         * so their misses overlap the check of line 0 */
        for (size_t off = 64; off < CALL_HOT_BYTES; off += 64)
            __builtin_prefetch((const char *)k + off, 1);
        int d = (e & GRE_E_DIR) ? DIR_SERVER : DIR_CLIENT;
        const sn_addr *kd;
        uint16_t kid;
        gre_key(k, d, &kd, &kid);
        if (kid != call_id || !sn_addr_eq(kd, dst))
            continue;
        const sn_addr *peer = d == DIR_CLIENT ? &k->client_ip : &k->server_ip;
        if (sn_addr_eq(peer, src)) {
            *dir = d;
            return k;
        }
        if (!any) {
            any = k;
            any_dir = d;
        }
    }
    *dir = any_dir;
    return any;
}

void gre_insert(struct sensor *s, struct call *k, int dir)
{
    if (k->gre_in & (1u << dir))
        return;
    /* grow at 3/4; if memory is short, fill up to 15/16 before refusing */
    uint64_t size = (uint64_t)s->gre_mask + 1;
    if ((s->n_gre + 1) * 4 > size * 3 && !gre_grow(s) && (s->n_gre + 1) * 16 > size * 15) {
        s->st.calls_evicted++;
        return;
    }
    uint64_t h;
    uint64_t e = gre_entry(k, dir, &h);
    gre_place(s->gre_slots, s->gre_mask, h, e);
    k->gre_in |= (uint8_t)(1u << dir);
    s->n_gre++;
}

void gre_remove(struct sensor *s, struct call *k, int dir)
{
    if (!(k->gre_in & (1u << dir)))
        return;
    uint64_t h;
    uint64_t e = gre_entry(k, dir, &h);
    uint32_t mask = s->gre_mask;
    uint32_t i = (uint32_t)h & mask;
    while (s->gre_slots[i] != e) {
        if (!s->gre_slots[i])
            return; /* not reached: gre_in says it is there */
        i = (i + 1) & mask;
    }
    /* backward shift: move up each later entry of the run that may live at i */
    for (uint32_t j = (i + 1) & mask; s->gre_slots[j]; j = (j + 1) & mask) {
        uint32_t home = (uint32_t)gre_entry_hash(s, s->gre_slots[j]) & mask;
        /* the entry at j stays unless its home is cyclically outside (i, j] */
        bool stays = i <= j ? (home > i && home <= j) : (home > i || home <= j);
        if (stays)
            continue;
        s->gre_slots[i] = s->gre_slots[j];
        i = j;
    }
    s->gre_slots[i] = 0;
    k->gre_in &= (uint8_t) ~(1u << dir);
    s->n_gre--;
}

/* ---- activity (expiry) and interim lists of calls ---- */

/* The activity list links slots (1 + index): they sit in the call's first line. */
static void lru_unlink(struct sensor *s, struct call *k)
{
    uint32_t self = k->slot + 1;
    if (k->lru_prev)
        call_ref(s, k->lru_prev)->lru_next = k->lru_next;
    else if (s->call_lru_head == self)
        s->call_lru_head = k->lru_next;
    if (k->lru_next)
        call_ref(s, k->lru_next)->lru_prev = k->lru_prev;
    else if (s->call_lru_tail == self)
        s->call_lru_tail = k->lru_prev;
    k->lru_prev = k->lru_next = 0;
}

static void lru_append(struct sensor *s, struct call *k)
{
    uint32_t self = k->slot + 1;
    k->lru_prev = s->call_lru_tail;
    k->lru_next = 0;
    if (s->call_lru_tail)
        call_ref(s, s->call_lru_tail)->lru_next = self;
    else
        s->call_lru_head = self;
    s->call_lru_tail = self;
}

void call_lists_add(struct sensor *s, struct call *k)
{
    lru_append(s, k);
    LIST_APPEND(s->im_head, s->im_tail, k, im_prev, im_next);
}

void call_lists_remove(struct sensor *s, struct call *k)
{
    lru_unlink(s, k);
    LIST_UNLINK(s->im_head, s->im_tail, k, im_prev, im_next);
}

void call_touch(struct sensor *s, struct call *k)
{
    uint32_t self = k->slot + 1;
    if (s->call_lru_tail == self)
        return;
    if (!k->lru_next) { /* not listed (not reached: a live call is) */
        lru_unlink(s, k);
        lru_append(s, k);
        return;
    }
    /* every packet: unlink and append spelled out, k being neither the tail nor
     * unlinked (a function call each cost a tenth of the GRE path) */
    if (k->lru_prev)
        call_ref(s, k->lru_prev)->lru_next = k->lru_next;
    else
        s->call_lru_head = k->lru_next;
    call_ref(s, k->lru_next)->lru_prev = k->lru_prev;
    call_ref(s, s->call_lru_tail)->lru_next = self;
    k->lru_prev = s->call_lru_tail;
    k->lru_next = 0;
    s->call_lru_tail = self;
}

static int idle_cmp(const void *a, const void *b)
{
    const struct call_idle *x = a, *y = b;
    if (x->last_ns != y->last_ns)
        return x->last_ns < y->last_ns ? -1 : 1;
    return x->pos < y->pos ? -1 : x->pos > y->pos;
}

size_t call_collect_idle(struct sensor *s, uint64_t lim)
{
    size_t n = 0;
    uint32_t pos = 0;
    /* the list is ordered by activity window: past lim's window nobody is idle */
    for (struct call *k = call_lru_oldest(s); k && (call_last_ns(k) >> CALL_ACT_SHIFT) <= (lim >> CALL_ACT_SHIFT);
         k = call_lru_newer(s, k), pos++) {
        uint64_t last = call_last_ns(k);
        if (last > lim)
            continue;
        if (n == s->idle_cap) {
            size_t cap = s->idle_cap ? s->idle_cap * 2 : 64;
            struct call_idle *b = realloc(s->idle, cap * sizeof *b);
            if (!b)
                break; /* the rest on a later call */
            s->idle = b;
            s->idle_cap = cap;
        }
        s->idle[n++] = (struct call_idle){.last_ns = last, .pos = pos, .slot = k->slot};
    }
    if (n > 1)
        qsort(s->idle, n, sizeof *s->idle, idle_cmp);
    return n;
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
