/*
 * ip_defrag.c - IPv4 (RFC 791/815) and IPv6 (RFC 8200, RFC 5722, RFC 6946)
 * fragment reassembly; see ip_defrag.h for the API and the policies.
 *
 * Layout: a hash table of datagrams in progress (chained, O(1) removal), two
 * lists ordered by deadline (one per address family, since the timeouts differ)
 * so expiry only touches what expires, and per datagram a list of disjoint byte
 * ranges ("pieces") sorted by offset.  A new fragment is cut into the holes it
 * fills, so held pieces never overlap and "complete" is simply
 * bytes covered == known end.
 */
#include "ip_defrag.h"

#include <stdlib.h>
#include <string.h>

#include "names.h"

typedef struct ipd_piece {
    struct ipd_piece *next;
    uint32_t off, end; /* [off, end) */
    uint8_t data[];
} ipd_piece;

typedef struct ipd_entry {
    struct ipd_entry *hnext, **hpprev; /* hash chain */
    struct ipd_entry *tprev, *tnext;   /* deadline list */
    ip_frag_key key;
    uint64_t first_seen, last_seen, deadline;
    ipd_piece *pieces, *tail;
    size_t mem;        /* bytes accounted to this entry */
    uint32_t covered;  /* payload bytes held */
    uint32_t end;      /* datagram payload length once have_end */
    uint32_t npieces, frags, dups, overlaps;
    bool have_end, have_first, dead;
} ipd_entry;

typedef struct ipd_list {
    ipd_entry *head, *tail;
} ipd_list;

struct ip_defrag {
    ip_defrag_limits lim;
    ipd_entry **buckets;
    uint32_t mask;
    ipd_list lists[2]; /* [0] IPv4, [1] IPv6 */
    uint8_t *out;
    ip_defrag_stats st;
};

void ip_defrag_limits_default(ip_defrag_limits *lim)
{
    memset(lim, 0, sizeof *lim);
    lim->max_bytes = (size_t)32 << 20;
    lim->max_datagrams = 4096;
    lim->max_frags = 256;
    lim->max_datagram_size = IP_DEFRAG_MAX_DATAGRAM;
    lim->timeout_v4_ns = 30ull * 1000000000ull;
    lim->timeout_v6_ns = 60ull * 1000000000ull;
}

ip_defrag *ip_defrag_create(const ip_defrag_limits *user)
{
    ip_defrag_limits lim;
    ip_defrag_limits_default(&lim);
    if (user) {
        if (user->max_bytes)
            lim.max_bytes = user->max_bytes;
        if (user->max_datagrams)
            lim.max_datagrams = user->max_datagrams;
        if (user->max_frags)
            lim.max_frags = user->max_frags;
        if (user->max_datagram_size && user->max_datagram_size < IP_DEFRAG_MAX_DATAGRAM)
            lim.max_datagram_size = user->max_datagram_size;
        if (user->timeout_v4_ns)
            lim.timeout_v4_ns = user->timeout_v4_ns;
        if (user->timeout_v6_ns)
            lim.timeout_v6_ns = user->timeout_v6_ns;
        lim.hash_seed = user->hash_seed;
    }
    if (lim.max_datagrams > (1u << 24))
        lim.max_datagrams = 1u << 24;
    ip_defrag *d = calloc(1, sizeof *d);
    if (!d)
        return NULL;
    d->lim = lim;
    uint32_t nb = 16;
    while (nb < lim.max_datagrams * 2u)
        nb <<= 1;
    d->mask = nb - 1;
    d->buckets = calloc(nb, sizeof *d->buckets);
    d->out = malloc(lim.max_datagram_size);
    if (!d->buckets || !d->out) {
        free(d->buckets);
        free(d->out);
        free(d);
        return NULL;
    }
    return d;
}

static void free_pieces(ipd_entry *e)
{
    ipd_piece *p = e->pieces;
    while (p) {
        ipd_piece *n = p->next;
        free(p);
        p = n;
    }
    e->pieces = e->tail = NULL;
    e->npieces = 0;
    e->covered = 0;
}

void ip_defrag_destroy(ip_defrag *d)
{
    if (!d)
        return;
    for (int l = 0; l < 2; l++) {
        ipd_entry *e = d->lists[l].head;
        while (e) {
            ipd_entry *n = e->tnext;
            free_pieces(e);
            free(e);
            e = n;
        }
    }
    free(d->buckets);
    free(d->out);
    free(d);
}

const ip_defrag_stats *ip_defrag_get_stats(const ip_defrag *d) { return &d->st; }

static const val_name drop_names[] = {
    {IP_DEFRAG_DROP_NONE, "none"},       {IP_DEFRAG_DROP_DUPLICATE, "duplicate"},
    {IP_DEFRAG_DROP_INVALID, "invalid"}, {IP_DEFRAG_DROP_OVERLAP, "overlap"},
    {IP_DEFRAG_DROP_TOO_MANY, "too_many"}, {IP_DEFRAG_DROP_DEAD, "dead"},
    {IP_DEFRAG_DROP_MEMCAP, "memcap"},   {IP_DEFRAG_DROP_TABLE_FULL, "table_full"},
};

const char *ip_defrag_drop_name(ip_defrag_drop r) { return VAL_NAME(drop_names, r, "unknown"); }

/* ---- key hashing ----------------------------------------------------------- */

static size_t addr_len(uint8_t af) { return af == 6 ? 16 : 4; }

static uint32_t mix(uint32_t h, uint32_t v)
{
    h ^= v;
    h *= 0x9e3779b1u;
    return h ^ (h >> 15);
}

static uint32_t key_hash(const ip_defrag *d, const ip_frag_key *k)
{
    uint32_t h = 0x811c9dc5u ^ d->lim.hash_seed;
    size_t n = addr_len(k->af);
    for (size_t i = 0; i < n; i += 4) {
        h = mix(h, (uint32_t)k->src[i] | (uint32_t)k->src[i + 1] << 8 | (uint32_t)k->src[i + 2] << 16 |
                       (uint32_t)k->src[i + 3] << 24);
        h = mix(h, (uint32_t)k->dst[i] | (uint32_t)k->dst[i + 1] << 8 | (uint32_t)k->dst[i + 2] << 16 |
                       (uint32_t)k->dst[i + 3] << 24);
    }
    h = mix(h, k->id);
    h = mix(h, (uint32_t)k->af << 8 | (k->af == 4 ? k->proto : 0));
    return h;
}

static bool key_eq(const ip_frag_key *a, const ip_frag_key *b)
{
    if (a->af != b->af || a->id != b->id)
        return false;
    if (a->af == 4 && a->proto != b->proto)
        return false;
    size_t n = addr_len(a->af);
    return memcmp(a->src, b->src, n) == 0 && memcmp(a->dst, b->dst, n) == 0;
}

static ipd_entry *lookup(ip_defrag *d, const ip_frag_key *k, uint32_t h)
{
    for (ipd_entry *e = d->buckets[h & d->mask]; e; e = e->hnext)
        if (key_eq(&e->key, k))
            return e;
    return NULL;
}

/* ---- entry lifetime -------------------------------------------------------- */

static ipd_list *list_of(ip_defrag *d, uint8_t af) { return &d->lists[af == 6]; }

static void account(ip_defrag *d, ipd_entry *e, size_t add, size_t sub)
{
    e->mem = e->mem + add - sub;
    d->st.bytes_in_use = d->st.bytes_in_use + add - sub;
    if (d->st.bytes_in_use > d->st.peak_bytes)
        d->st.peak_bytes = d->st.bytes_in_use;
}

static ipd_entry *entry_new(ip_defrag *d, const ip_frag_key *k, uint32_t h, uint64_t now)
{
    ipd_entry *e = calloc(1, sizeof *e);
    if (!e)
        return NULL;
    e->key = *k;
    e->first_seen = e->last_seen = now;
    uint64_t to = k->af == 6 ? d->lim.timeout_v6_ns : d->lim.timeout_v4_ns;
    e->deadline = now > UINT64_MAX - to ? UINT64_MAX : now + to;
    /* hash chain */
    ipd_entry **b = &d->buckets[h & d->mask];
    e->hnext = *b;
    if (*b)
        (*b)->hpprev = &e->hnext;
    *b = e;
    e->hpprev = b;
    /* deadline list: packets arrive almost in time order, so walking back from
     * the tail is O(1) in practice. */
    ipd_list *l = list_of(d, k->af);
    ipd_entry *after = l->tail;
    while (after && after->deadline > e->deadline)
        after = after->tprev;
    e->tprev = after;
    e->tnext = after ? after->tnext : l->head;
    if (e->tnext)
        e->tnext->tprev = e;
    else
        l->tail = e;
    if (after)
        after->tnext = e;
    else
        l->head = e;
    d->st.datagrams_in_use++;
    account(d, e, sizeof *e, 0);
    return e;
}

static void entry_free(ip_defrag *d, ipd_entry *e)
{
    *e->hpprev = e->hnext;
    if (e->hnext)
        e->hnext->hpprev = e->hpprev;
    ipd_list *l = list_of(d, e->key.af);
    if (e->tprev)
        e->tprev->tnext = e->tnext;
    else
        l->head = e->tnext;
    if (e->tnext)
        e->tnext->tprev = e->tprev;
    else
        l->tail = e->tprev;
    d->st.bytes_in_use -= e->mem;
    d->st.datagrams_in_use--;
    free_pieces(e);
    free(e);
}

/* Discard a datagram's bytes but keep a tombstone until its deadline so its
 * later fragments are dropped too (RFC 5722). */
static void entry_kill(ip_defrag *d, ipd_entry *e)
{
    size_t held = e->mem - sizeof *e;
    free_pieces(e);
    account(d, e, 0, held);
    e->dead = true;
    d->st.dropped_datagrams++;
}

/* ---- add ------------------------------------------------------------------- */

static ip_defrag_status drop(ip_defrag_result *out, ip_defrag_drop why)
{
    out->drop = why;
    return IP_DEFRAG_DROPPED;
}

static ip_defrag_status invalid(ip_defrag *d, ip_defrag_result *out, anomaly_set *an, anomaly_id id)
{
    anomaly_add(an, id);
    d->st.dropped_invalid++;
    return drop(out, IP_DEFRAG_DROP_INVALID);
}

static void complete(ip_defrag *d, ipd_entry *e, ip_defrag_result *out)
{
    for (ipd_piece *p = e->pieces; p; p = p->next)
        memcpy(d->out + p->off, p->data, p->end - p->off);
    out->data = d->out;
    out->len = e->end;
    out->key = e->key;
    out->frags = e->frags;
    out->duplicates = e->dups;
    out->overlaps = e->overlaps;
    out->first_seen_ns = e->first_seen;
    d->st.datagrams_completed++;
    entry_free(d, e);
}

/* How the fragment [off, end) relates to the pieces held, starting the walk at
 * *start (the first piece whose end is beyond off). */
typedef struct classify {
    uint32_t holes, hole_bytes;
    bool overlap, conflict, duplicate;
} classify;

static void classify_frag(ipd_piece *start, uint32_t off, uint32_t end, const uint8_t *data, classify *c)
{
    memset(c, 0, sizeof *c);
    uint32_t cur = off;
    for (ipd_piece *p = start; p && p->off < end; p = p->next) {
        if (p->off > cur) {
            c->holes++;
            c->hole_bytes += p->off - cur;
        }
        uint32_t os = p->off > off ? p->off : off;
        uint32_t oe = p->end < end ? p->end : end;
        c->overlap = true;
        if (memcmp(p->data + (os - p->off), data + (os - off), oe - os) != 0)
            c->conflict = true;
        else if (p->off == off && p->end == end)
            c->duplicate = true;
        cur = p->end;
    }
    if (cur < end) {
        c->holes++;
        c->hole_bytes += end - cur;
    }
}

static ipd_piece *piece_new(uint32_t off, uint32_t end, const uint8_t *src)
{
    ipd_piece *p = malloc(sizeof *p + (end - off));
    if (!p)
        return NULL;
    p->next = NULL;
    p->off = off;
    p->end = end;
    memcpy(p->data, src, end - off);
    return p;
}

/* Insert the holes of [off, end) before/after the pieces from *link on.  Space was
 * checked; returns false only when malloc fails (state stays consistent). */
static bool fill_holes(ip_defrag *d, ipd_entry *e, ipd_piece **link, uint32_t off, uint32_t end,
                       const uint8_t *data)
{
    uint32_t cur = off;
    for (;;) {
        ipd_piece *p = *link;
        uint32_t hole_end = (p && p->off < end) ? p->off : end;
        if (hole_end > cur) {
            ipd_piece *n = piece_new(cur, hole_end, data + (cur - off));
            if (!n)
                return false;
            n->next = p;
            *link = n;
            if (!p)
                e->tail = n;
            e->npieces++;
            e->covered += hole_end - cur;
            account(d, e, sizeof *n + (hole_end - cur), 0);
            link = &n->next;
        }
        if (!p || p->off >= end)
            return true;
        cur = p->end;
        link = &p->next;
        if (cur >= end)
            return true;
    }
}

ip_defrag_status ip_defrag_add(ip_defrag *d, const ip_frag *f, uint64_t now, ip_defrag_result *out,
                               anomaly_set *an)
{
    memset(out, 0, sizeof *out);
    d->st.fragments_in++;
    const ip_frag_key *k = &f->key;
    if (k->af != 4 && k->af != 6)
        return drop(out, IP_DEFRAG_DROP_INVALID);
    if (f->len == 0)
        return invalid(d, out, an, ANOMALY_REASM_IP_FRAGMENT_ZERO_LENGTH);
    uint64_t hdr = f->hdr_len ? f->hdr_len : (k->af == 4 ? 20 : 0);
    uint64_t end64 = (uint64_t)f->offset + f->len;
    if (hdr + end64 > d->lim.max_datagram_size)
        return invalid(d, out, an, ANOMALY_REASM_IP_FRAGMENT_TOO_BIG);
    if ((f->more && f->len % 8) || f->offset % 8)
        return invalid(d, out, an, ANOMALY_REASM_IP_FRAGMENT_UNALIGNED);
    uint32_t off = f->offset, end = (uint32_t)end64;

    if (off == 0 && !f->more) { /* atomic fragment: nothing to reassemble */
        memcpy(d->out, f->data, f->len);
        out->data = d->out;
        out->len = f->len;
        out->key = *k;
        out->frags = 1;
        out->first_seen_ns = now;
        d->st.atomic++;
        return IP_DEFRAG_COMPLETE;
    }

    uint32_t h = key_hash(d, k);
    ipd_entry *e = lookup(d, k, h);
    if (e && e->dead) {
        d->st.dropped_dead++;
        return drop(out, IP_DEFRAG_DROP_DEAD);
    }
    if (!e) {
        if (d->st.datagrams_in_use >= d->lim.max_datagrams) {
            anomaly_add(an, ANOMALY_REASM_IP_DEFRAG_TABLE_FULL);
            d->st.dropped_table_full++;
            return drop(out, IP_DEFRAG_DROP_TABLE_FULL);
        }
        if (d->st.bytes_in_use + sizeof(ipd_entry) + sizeof(ipd_piece) + f->len > d->lim.max_bytes) {
            anomaly_add(an, ANOMALY_REASM_IP_DEFRAG_MEMCAP);
            d->st.dropped_memcap++;
            return drop(out, IP_DEFRAG_DROP_MEMCAP);
        }
        e = entry_new(d, k, h, now);
        if (!e) {
            d->st.dropped_memcap++;
            return drop(out, IP_DEFRAG_DROP_MEMCAP);
        }
    }

    /* The end of the datagram: the first one seen wins. */
    if (!f->more) {
        if ((e->have_end && end != e->end) || (!e->have_end && e->tail && e->tail->end > end))
            return invalid(d, out, an, ANOMALY_REASM_IP_FRAGMENT_INCONSISTENT_END);
    } else if (e->have_end && end > e->end) {
        return invalid(d, out, an, ANOMALY_REASM_IP_FRAGMENT_INCONSISTENT_END);
    }

    /* Find the first piece that may overlap: fast path for in-order arrival. */
    ipd_piece **link = &e->pieces;
    if (e->tail && e->tail->end <= off) {
        link = &e->tail->next;
    } else {
        while (*link && (*link)->end <= off)
            link = &(*link)->next;
    }
    classify c;
    classify_frag(*link, off, end, f->data, &c);

    if (c.duplicate) {
        e->dups++;
        d->st.duplicates++;
        return drop(out, IP_DEFRAG_DROP_DUPLICATE);
    }
    if (c.overlap) {
        e->overlaps++;
        d->st.overlaps++;
        anomaly_add(an, ANOMALY_REASM_IP_FRAGMENT_OVERLAP);
        if (c.conflict) {
            d->st.overlap_conflicts++;
            anomaly_add(an, ANOMALY_REASM_IP_FRAGMENT_OVERLAP_CONFLICT);
        }
        if (k->af == 6) {
            entry_kill(d, e);
            return drop(out, IP_DEFRAG_DROP_OVERLAP);
        }
    }
    if (e->npieces + c.holes > d->lim.max_frags) {
        anomaly_add(an, ANOMALY_REASM_IP_FRAGMENT_TOO_MANY);
        entry_kill(d, e);
        return drop(out, IP_DEFRAG_DROP_TOO_MANY);
    }
    if (d->st.bytes_in_use + (size_t)c.holes * sizeof(ipd_piece) + c.hole_bytes > d->lim.max_bytes) {
        anomaly_add(an, ANOMALY_REASM_IP_DEFRAG_MEMCAP);
        d->st.dropped_memcap++;
        if (e->npieces == 0) /* just created for this fragment */
            entry_free(d, e);
        return drop(out, IP_DEFRAG_DROP_MEMCAP);
    }
    if (!fill_holes(d, e, link, off, end, f->data)) {
        d->st.dropped_memcap++;
        if (e->npieces == 0)
            entry_free(d, e);
        return drop(out, IP_DEFRAG_DROP_MEMCAP);
    }
    if (c.holes)
        e->frags++;
    e->last_seen = now;
    if (!f->more) {
        e->have_end = true;
        e->end = end;
    }
    if (off == 0) {
        e->have_first = true;
        e->key.proto = k->proto; /* v6: the offset-0 fragment's Next Header counts */
    }
    if (e->have_end && e->covered == e->end) {
        complete(d, e, out);
        return IP_DEFRAG_COMPLETE;
    }
    return IP_DEFRAG_NEED_MORE;
}

size_t ip_defrag_expire(ip_defrag *d, uint64_t now, ip_defrag_expire_cb cb, void *user)
{
    size_t n = 0;
    for (int l = 0; l < 2; l++) {
        ipd_entry *e;
        while ((e = d->lists[l].head) && e->deadline <= now) {
            if (!e->dead) {
                ip_defrag_expired x = {
                    .key = e->key,
                    .first_seen_ns = e->first_seen,
                    .last_seen_ns = e->last_seen,
                    .bytes_held = e->covered,
                    .frags_seen = e->frags,
                    .have_first = e->have_first,
                    .have_last = e->have_end,
                };
                d->st.timeouts++;
                n++;
                if (cb)
                    cb(user, &x);
            }
            entry_free(d, e);
        }
    }
    return n;
}
