/*
 * detect_tab.c - the detectors' bounded tables (hash + LRU, fixed capacity,
 * entries in chunks that never move) and sliding-window counters.
 */
#include <stdlib.h>
#include <string.h>

#include "detect_int.h"

/* ---- sliding windows ---- */

static uint64_t bucket_width(uint64_t window)
{
    uint64_t w = window / SWIN_N;
    return w ? w : 1;
}

static void swin_advance(struct swin *w, uint64_t now, uint64_t window)
{
    uint64_t idx = now / bucket_width(window);
    if (idx <= w->base)
        return; /* same bucket (time never runs backwards in the sensor) */
    uint64_t d = idx - w->base;
    if (d >= SWIN_N) {
        memset(w->b, 0, sizeof w->b);
    } else {
        for (uint64_t i = 1; i <= d; i++)
            w->b[(w->base + i) % SWIN_N] = 0;
    }
    w->base = idx;
}

static uint32_t swin_sum(const struct swin *w)
{
    uint32_t n = 0;
    for (int i = 0; i < SWIN_N; i++)
        n += w->b[i];
    return n;
}

uint32_t swin_add(struct swin *w, uint64_t now, uint64_t window, uint32_t n)
{
    swin_advance(w, now, window);
    uint16_t *b = &w->b[w->base % SWIN_N];
    *b = (uint16_t)(*b + n > UINT16_MAX ? UINT16_MAX : *b + n);
    return swin_sum(w);
}

uint32_t swin_count(struct swin *w, uint64_t now, uint64_t window)
{
    swin_advance(w, now, window);
    return swin_sum(w);
}

/* ---- keys ---- */

void dkey_addr(struct dkey *k, const sn_addr *a)
{
    memset(k, 0, sizeof *k);
    memcpy(k->b, a->a, 16);
    k->b[16] = a->v6;
}

void dkey_pair(struct dkey *k, const sn_addr *a, const sn_addr *b)
{
    memset(k, 0, sizeof *k);
    memcpy(k->b, a->a, 16);
    k->b[16] = a->v6;
    memcpy(k->b + 17, b->a, 16);
    k->b[33] = b->v6;
}

void dkey_u64(struct dkey *k, uint64_t v)
{
    memset(k, 0, sizeof *k);
    memcpy(k->b, &v, sizeof v);
    k->b[39] = 0xa5; /* never equal to an address key */
}

uint64_t detect_hash_str(const char *s)
{
    uint64_t h = 0xcbf29ce484222325ull;
    for (; *s; s++) {
        h ^= (uint8_t)*s;
        h *= 0x100000001b3ull;
    }
    return h;
}

static uint64_t dkey_hash(const struct dkey *k)
{
    uint64_t h = 0x9e3779b97f4a7c15ull, w;
    for (size_t i = 0; i < sizeof k->b; i += 8) {
        memcpy(&w, k->b + i, 8);
        h = sn_mix64(h ^ w);
    }
    return h;
}

/* ---- tables ---- */

#define DTAB_CHUNK 256u

struct dtab_hdr {
    struct dkey key;
    uint32_t hnext;      /* chain, index + 1 */
    uint32_t prev, next; /* LRU (free list uses next), index + 1 */
    uint32_t live;
};

static size_t esize(const struct dtab *t)
{
    return (sizeof(struct dtab_hdr) + t->psize + 7) & ~(size_t)7;
}

static uint32_t nchunks(const struct dtab *t) { return (t->cap + DTAB_CHUNK - 1) / DTAB_CHUNK; }

static struct dtab_hdr *ent(const struct dtab *t, uint32_t i1)
{
    uint32_t i = i1 - 1;
    return (struct dtab_hdr *)(t->chunk[i / DTAB_CHUNK] + (size_t)(i % DTAB_CHUNK) * esize(t));
}

static uint32_t idx_of(const struct dtab *t, const struct dtab_hdr *h)
{
    for (uint32_t c = 0; c * DTAB_CHUNK < t->used; c++) {
        const uint8_t *base = t->chunk[c];
        if ((const uint8_t *)h >= base && (const uint8_t *)h < base + DTAB_CHUNK * esize(t))
            return c * DTAB_CHUNK + (uint32_t)(((const uint8_t *)h - base) / esize(t)) + 1;
    }
    return 0;
}

int dtab_init(struct dtab *t, struct sensor *s, uint32_t cap, uint32_t psize, void (*on_drop)(struct sensor *, void *))
{
    memset(t, 0, sizeof *t);
    t->s = s;
    t->psize = psize;
    t->cap = cap ? cap : 1;
    t->on_drop = on_drop;
    t->nbucket = 64;
    while (t->nbucket < t->cap && t->nbucket < (1u << 24))
        t->nbucket <<= 1;
    t->chunk = calloc(nchunks(t), sizeof *t->chunk);
    return t->chunk ? 0 : -1;
}

void dtab_free(struct dtab *t)
{
    if (!t->chunk)
        return;
    if (t->on_drop)
        for (uint32_t i = t->lru_head; i; i = ent(t, i)->next)
            t->on_drop(t->s, ent(t, i) + 1);
    for (uint32_t c = 0; c < nchunks(t); c++)
        free(t->chunk[c]);
    free(t->chunk);
    free(t->bucket);
    memset(t, 0, sizeof *t);
}

static void lru_unlink(struct dtab *t, uint32_t i, struct dtab_hdr *h)
{
    if (h->prev)
        ent(t, h->prev)->next = h->next;
    else
        t->lru_head = h->next;
    if (h->next)
        ent(t, h->next)->prev = h->prev;
    else
        t->lru_tail = h->prev;
    h->prev = h->next = 0;
    (void)i;
}

static void lru_append(struct dtab *t, uint32_t i, struct dtab_hdr *h)
{
    h->prev = t->lru_tail;
    h->next = 0;
    if (t->lru_tail)
        ent(t, t->lru_tail)->next = i;
    else
        t->lru_head = i;
    t->lru_tail = i;
}

static void chain_unlink(struct dtab *t, uint32_t i, struct dtab_hdr *h)
{
    uint32_t *pp = &t->bucket[dkey_hash(&h->key) & (t->nbucket - 1)];
    while (*pp && *pp != i)
        pp = &ent(t, *pp)->hnext;
    if (*pp)
        *pp = h->hnext;
    h->hnext = 0;
}

static void drop(struct dtab *t, uint32_t i, struct dtab_hdr *h)
{
    if (t->on_drop)
        t->on_drop(t->s, h + 1);
    chain_unlink(t, i, h);
    lru_unlink(t, i, h);
    h->live = 0;
    h->next = t->free_head;
    t->free_head = i;
    t->n--;
}

void *dtab_get(struct dtab *t, const struct dkey *k, bool create, bool *created)
{
    if (created)
        *created = false;
    if (!t->chunk)
        return NULL;
    uint64_t hv = dkey_hash(k);
    if (t->bucket) {
        for (uint32_t i = t->bucket[hv & (t->nbucket - 1)]; i; i = ent(t, i)->hnext) {
            struct dtab_hdr *h = ent(t, i);
            if (memcmp(&h->key, k, sizeof *k) == 0) {
                if (t->lru_tail != i) {
                    lru_unlink(t, i, h);
                    lru_append(t, i, h);
                }
                return h + 1;
            }
        }
    }
    if (!create)
        return NULL;
    if (!t->bucket) {
        t->bucket = calloc(t->nbucket, sizeof *t->bucket);
        if (!t->bucket)
            return NULL;
    }
    uint32_t i;
    if (t->free_head) {
        i = t->free_head;
        t->free_head = ent(t, i)->next;
    } else if (t->used < t->cap) {
        uint32_t c = t->used / DTAB_CHUNK;
        if (!t->chunk[c]) {
            t->chunk[c] = malloc(DTAB_CHUNK * esize(t));
            if (!t->chunk[c])
                return NULL;
        }
        i = ++t->used;
    } else {
        /* full: recycle the least recently used entry */
        i = t->lru_head;
        drop(t, i, ent(t, i));
        t->evicted++;
        t->free_head = ent(t, i)->next;
    }
    struct dtab_hdr *h = ent(t, i);
    memset(h, 0, esize(t));
    h->key = *k;
    h->live = 1;
    uint32_t *b = &t->bucket[hv & (t->nbucket - 1)];
    h->hnext = *b;
    *b = i;
    lru_append(t, i, h);
    t->n++;
    if (created)
        *created = true;
    return h + 1;
}

void dtab_del(struct dtab *t, void *payload)
{
    if (!payload)
        return;
    struct dtab_hdr *h = (struct dtab_hdr *)payload - 1;
    uint32_t i = idx_of(t, h);
    if (i && h->live)
        drop(t, i, h);
}

uint64_t dtab_mem(const struct dtab *t)
{
    if (!t->chunk)
        return 0;
    uint64_t b = (uint64_t)nchunks(t) * sizeof *t->chunk;
    for (uint32_t c = 0; c < nchunks(t); c++)
        if (t->chunk[c])
            b += DTAB_CHUNK * esize(t);
    if (t->bucket)
        b += (uint64_t)t->nbucket * sizeof *t->bucket;
    return b;
}
