/*
 * event.c - the bounded event builder (event.h).  No allocation: keys and
 * string values are copied into the event's own arena.
 *
 * A set costs O(key length) and scans no other field: the key is validated,
 * hashed and copied 16 (or 8) bytes at a time, one index (idx) holds both the
 * keys and the objects of the member tree, and the setters keep that tree
 * (the nesting and order json.c renders) up to date, so rendering is a walk.
 * Hot paths stay clear of library calls and of `rep movs/stos` (what a
 * compiler makes of small memcpy/memset): those cost more than a whole set.
 */
#include "event.h"
#include "event_key.h"

#include <arpa/inet.h>
#include <string.h>
#include <sys/socket.h>


_Static_assert(EV_IDX_SIZE >= 2 * (EV_MAX_FIELDS + EV_MAX_OBJS) && (EV_IDX_SIZE & (EV_IDX_SIZE - 1)) == 0,
               "name index too small");
_Static_assert(EV_IDX_SIZE % 16 == 0, "index cleared 16 bytes at a time");
_Static_assert(EV_MAX_FIELDS + EV_MAX_OBJS <= EV_NODE_NONE && EV_MAX_FIELDS <= 128, "node ids are bytes");
_Static_assert(EV_KEY_MAX < EV_NODE_NONE && EV_KEY_MAX <= 128 && EV_KEY_MAX >= 16, "key offsets are bytes, dots fit 2 words");

#define OBJ_NODE(o) ((unsigned)EV_MAX_FIELDS + (unsigned)(o))

/* ---- reset and copy ------------------------------------------------------ */

void ev_reset(ev *e)
{
#ifdef __SSE2__
    for (size_t i = 0; i < sizeof e->idx; i += 16) {
        _mm_storeu_si128((__m128i *)(void *)(e->idx + i), _mm_setzero_si128());
        __asm__("" ::: "memory"); /* stays 32 stores: a memset here becomes `rep stosq` */
    }
#else
    memset(e->idx, 0, sizeof e->idx);
#endif
    e->nfields = 0;
    e->arena_used = 0;
    e->cls = EV_CLASS_UNKNOWN;
    e->cls_forced = 0;
    e->dropped = 0;
    e->dropped_full = 0;
    e->dropped_invalid = 0;
    e->tree_ok = 1;
    e->nobjs = 1;
    e->last_parent = 0;
    e->obj[0] = (ev_obj){.first = EV_NODE_NONE, .last = EV_NODE_NONE};
    e->tm_ok = 0;
    e->tm_next = 0;
}

void ev_copy(ev *dst, const ev *src)
{
    if (dst == src)
        return;
    memcpy(dst->idx, src->idx, sizeof dst->idx);
    dst->nfields = src->nfields;
    dst->arena_used = src->arena_used;
    dst->cls = src->cls;
    dst->cls_forced = src->cls_forced;
    dst->dropped = src->dropped;
    dst->dropped_full = src->dropped_full;
    dst->dropped_invalid = src->dropped_invalid;
    dst->tree_ok = src->tree_ok;
    dst->last_parent = src->last_parent;
    dst->nobjs = src->nobjs;
    memcpy(dst->f, src->f, (size_t)src->nfields * sizeof src->f[0]);
    memcpy(dst->next, src->next, sizeof dst->next);
    memcpy(dst->leaf_name, src->leaf_name, src->nfields);
    memcpy(dst->elem_next, src->elem_next, src->nfields);
    memcpy(dst->obj, src->obj, (size_t)src->nobjs * sizeof src->obj[0]);
    memcpy(dst->arena, src->arena, src->arena_used);
}

/* The first len bytes of k equal the arena's at off. */
INLINE bool arena_eq(const ev *e, size_t off, const kinfo *k, size_t len)
{
    return bytes_eq(e->arena + off, k->p, len);
}

static inline bool key_same(const ev *e, const ev_field *f, const char *key, size_t klen, uint16_t h)
{
    return f->key_hash == h && f->key_len == klen && memcmp(e->arena + f->key_off, key, klen) == 0;
}

static inline bool key_eq(const ev *e, const ev_field *f, const char *key, size_t klen, uint16_t h)
{
    return f->type != EV_T_NONE && key_same(e, f, key, klen, h);
}

/* ---- index --------------------------------------------------------------- */

/* What the index holds for the first len bytes of k (hash h): the first slot
 * ever made for them as a key (*slot, -1: none) and the object with them as
 * its path (*obj, node id, -1: none).  Returns the empty bucket ending the
 * probe sequence. */
INLINE unsigned probe(const ev *e, const kinfo *k, size_t len, uint16_t h, int *slot, int *obj)
{
    *slot = -1;
    *obj = -1;
    for (unsigned b = h & (EV_IDX_SIZE - 1);; b = (b + 1) & (EV_IDX_SIZE - 1)) {
        unsigned ent = e->idx[b];
        if (!ent)
            return b;
        unsigned id = ent - 1;
        if (id < EV_MAX_FIELDS) {
            const ev_field *f = &e->f[id];
            if (*slot < 0 && (int)id < e->nfields && f->key_hash == h && f->key_len == len &&
                arena_eq(e, f->key_off, k, len))
                *slot = (int)id;
        } else {
            const ev_obj *o = &e->obj[id - EV_MAX_FIELDS];
            if (*obj < 0 && o->hash == h && o->path_len == len && arena_eq(e, o->path_off, k, len))
                *obj = (int)id;
        }
    }
}

/* The first slot ever made for a key, or -1 (stops at it). */
static int probe_key(const ev *e, const char *key, size_t klen, uint16_t h)
{
    for (unsigned b = h & (EV_IDX_SIZE - 1);; b = (b + 1) & (EV_IDX_SIZE - 1)) {
        unsigned ent = e->idx[b];
        if (!ent)
            return -1;
        unsigned id = ent - 1;
        if (id < EV_MAX_FIELDS && (int)id < e->nfields && key_same(e, &e->f[id], key, klen, h))
            return (int)id;
    }
}

/* Index of the first live slot holding key at or after start, or -1. */
static int scan_from(const ev *e, int start, const char *key, size_t klen, uint16_t h)
{
    for (int i = start; i < e->nfields; i++)
        if (key_eq(e, &e->f[i], key, klen, h))
            return i;
    return -1;
}

/* The first live slot of a key whose first slot ever is `first` (-1: none):
 * that one, and only if it was deleted, a scan of the later slots. */
INLINE int live_from(const ev *e, int first, const char *key, size_t klen, uint16_t h)
{
    if (first < 0)
        return -1;
    return e->f[first].type != EV_T_NONE ? first : scan_from(e, first + 1, key, klen, h);
}

static int find_key(const ev *e, const char *key, size_t klen, uint16_t h)
{
    return live_from(e, probe_key(e, key, klen, h), key, klen, h);
}

static bool drop_invalid(ev *e)
{
    e->dropped++;
    e->dropped_invalid++;
    return false;
}

static bool drop_full(ev *e)
{
    e->dropped++;
    e->dropped_full++;
    return false;
}

/* ---- member tree --------------------------------------------------------- */

/*
 * The tree json.c renders (json.h): obj[0] is the top level, every other
 * object is named by a segment of the key of the slot that made it, and every
 * slot that got a place is a leaf; members are appended, so they are in the
 * order of their first slot.  A new key walks down by segments: a name that
 * already exists as a leaf (or the whole key as an object) means the key gets
 * no place (the first one wins).  This is exactly the tree json.c would build
 * from the live slots in order, as long as no key lost its first slot
 * (ev_unset, a replacement that did not fit): then tree_ok is cleared and
 * json.c builds the tree itself.
 */

INLINE void tree_append(ev *e, unsigned parent_obj, unsigned node)
{
    ev_obj *p = &e->obj[parent_obj];
    e->next[node] = EV_NODE_NONE;
    if (p->last == EV_NODE_NONE)
        p->first = (uint8_t)node;
    else
        e->next[p->last] = (uint8_t)node;
    p->last = (uint8_t)node;
}

/* Place a new key whose parent is not the last key's: its parent exists
 * (usually), or objects are made for it.  plen: where its last segment
 * starts - 1. */
static void tree_add_slow(ev *e, int s, const kinfo *k, size_t plen)
{
    int slot, obj;
    uint16_t ph = name_hash(k->p, plen);
    unsigned pb = probe(e, k, plen, ph, &slot, &obj);
    unsigned parent = 0;
    if (obj >= 0) {
        parent = (unsigned)obj - EV_MAX_FIELDS;
    } else {
        if (slot >= 0 && e->leaf_name[slot] != EV_NODE_NONE)
            return; /* a leaf has that name: no place */
        uint8_t dot[EV_KEY_DEPTH - 1];
        uint16_t hash[EV_KEY_DEPTH - 1];
        unsigned bucket[EV_KEY_DEPTH - 1];
        unsigned nd = key_dots(k, dot), depth = nd - 1;
        hash[depth] = ph;
        bucket[depth] = pb;
        /* the deepest proper prefix that exists */
        for (; depth > 0; depth--) {
            size_t len = dot[depth - 1];
            hash[depth - 1] = name_hash(k->p, len);
            bucket[depth - 1] = probe(e, k, len, hash[depth - 1], &slot, &obj);
            if (obj >= 0) {
                parent = (unsigned)obj - EV_MAX_FIELDS;
                break;
            }
            if (slot >= 0 && e->leaf_name[slot] != EV_NODE_NONE)
                return;
        }
        uint16_t key_off = e->f[s].key_off;
        for (unsigned d = depth + 1; d <= nd; d++) {
            if (e->nobjs >= EV_MAX_OBJS) {
                e->tree_ok = 0;
                return;
            }
            unsigned o = e->nobjs++;
            size_t len = dot[d - 1];
            e->obj[o] = (ev_obj){.path_off = key_off,
                                 .hash = hash[d - 1],
                                 .path_len = (uint8_t)len,
                                 .name_pos = (uint8_t)(d >= 2 ? dot[d - 2] + 1 : 0),
                                 .first = EV_NODE_NONE,
                                 .last = EV_NODE_NONE};
            /* the bucket that ended its probe, unless a shallower one took it */
            unsigned b = bucket[d - 1];
            if (e->idx[b])
                b = probe(e, k, len, hash[d - 1], &slot, &obj);
            e->idx[b] = (uint8_t)(OBJ_NODE(o) + 1);
            tree_append(e, parent, OBJ_NODE(o));
            parent = o;
        }
    }
    e->last_parent = (uint8_t)parent;
    e->leaf_name[s] = (uint8_t)(plen + 1);
    tree_append(e, parent, (unsigned)s);
}

/* Give slot s (new key k; full_obj: k is already an object's path) its place. */
INLINE void tree_add(ev *e, int s, const kinfo *k, bool full_obj)
{
    if (full_obj) {
        e->leaf_name[s] = EV_NODE_NONE;
        return;
    }
    unsigned parent = 0;
    size_t plen = k->last_dot;
    if (key_has_dot(k)) {
        /* usually the parent is the last key's */
        const ev_obj *lp = &e->obj[e->last_parent];
        if (lp->path_len != plen || e->last_parent == 0 || !arena_eq(e, lp->path_off, k, plen)) {
            e->leaf_name[s] = EV_NODE_NONE;
            tree_add_slow(e, s, k, plen);
            return;
        }
        parent = e->last_parent;
        plen++;
    }
    e->leaf_name[s] = (uint8_t)plen;
    tree_append(e, parent, (unsigned)s);
}

/* ---- class --------------------------------------------------------------- */

static const char *const class_names[EV_CLASS_COUNT] = {"session", "alert", "frag", "stats"};

const char *ev_class_name(ev_class c)
{
    return (unsigned)c < EV_CLASS_COUNT ? class_names[c] : "unknown";
}

ev_class ev_class_from_dataset(const char *s, size_t len)
{
    if (!s || len < 5 || memcmp(s, "pptp.", 5) != 0)
        return EV_CLASS_UNKNOWN;
    for (unsigned c = 0; c < EV_CLASS_COUNT; c++) {
        size_t n = strlen(class_names[c]);
        if (len - 5 == n && memcmp(s + 5, class_names[c], n) == 0)
            return (ev_class)c;
    }
    return EV_CLASS_UNKNOWN;
}

bool ev_class_mask_parse(const char *list, unsigned *mask)
{
    unsigned m = 0;
    const char *p = list ? list : "";
    while (*p) {
        const char *end = strchr(p, ',');
        size_t n = end ? (size_t)(end - p) : strlen(p);
        bool ok = false;
        if (n == 3 && memcmp(p, "all", 3) == 0) {
            m |= EV_CLASS_ALL;
            ok = true;
        }
        for (unsigned c = 0; c < EV_CLASS_COUNT && !ok; c++)
            if (strlen(class_names[c]) == n && memcmp(p, class_names[c], n) == 0) {
                m |= EV_CLASS_BIT(c);
                ok = true;
            }
        if (!ok)
            return false;
        p += n;
        if (*p == ',')
            p++;
    }
    if (m == 0)
        return false;
    *mask = m;
    return true;
}

void ev_set_class(ev *e, ev_class c)
{
    e->cls = (uint8_t)c;
    e->cls_forced = 1;
}

static bool is_dataset_key(const char *key, size_t klen)
{
    return klen == 13 && memcmp(key, "event.dataset", 13) == 0;
}

/* ---- setters ------------------------------------------------------------- */

typedef struct value {
    uint8_t type;
    int64_t i;
    uint64_t u;
    bool b;
    const char *s;
    size_t slen;
} value;

/* Copy len bytes + NUL into the arena.  Returns the offset, or -1 when full. */
INLINE int arena_put(ev *e, const char *p, size_t len)
{
    if (len + 1 > (size_t)(EV_ARENA_SIZE - e->arena_used))
        return -1;
    int off = e->arena_used;
    copy_bytes(e->arena + off, p, len);
    e->arena[off + len] = '\0';
    e->arena_used = (uint16_t)(e->arena_used + len + 1);
    return off;
}

/* Store v in slot f (whose key is already set).  For strings, reuse the old
 * bytes when the new value fits in them.  Returns false when the arena is full. */
INLINE bool store_value(ev *e, ev_field *f, const value *v)
{
    switch (v->type) {
    case EV_T_STR:
        if (v->slen == 0) { /* a placeholder (the only empty string stored): no bytes */
            f->v.s.off = 0;
        } else if (f->type == EV_T_STR && v->slen <= f->v.s.len) {
            memmove(e->arena + f->v.s.off, v->s, v->slen);
            e->arena[f->v.s.off + v->slen] = '\0';
        } else {
            int off = arena_put(e, v->s, v->slen);
            if (off < 0)
                return false;
            f->v.s.off = (uint16_t)off;
        }
        f->v.s.len = (uint16_t)v->slen;
        break;
    case EV_T_INT:
        f->v.i = v->i;
        break;
    case EV_T_UINT:
        f->v.u = v->u;
        break;
    default:
        f->v.b = v->b;
        break;
    }
    f->type = v->type;
    return true;
}

/* A key lost its first live slot: the member tree may change shape. */
static void kill_slot(ev *e, ev_field *f)
{
    f->type = EV_T_NONE;
    e->tree_ok = 0;
}

/* Delete the later elements of the array whose first live slot is i.  (They
 * never have a place in the member tree: the tree stays valid.) */
INLINE void delete_elements(ev *e, int i)
{
    for (unsigned j = e->elem_next[i]; j; j = e->elem_next[j])
        e->f[j].type = EV_T_NONE;
    e->elem_next[i] = 0;
}

/* A slot for a new key (first < 0, or a new element of the array whose first
 * live slot is `first`) holding v.  NULL when no slot or arena space is left
 * (nothing is kept then).  The caller indexes and places it. */
INLINE ev_field *new_slot(ev *e, const kinfo *k, const value *v, int first)
{
    if (e->nfields >= EV_MAX_FIELDS)
        return NULL;
    uint16_t mark = e->arena_used;
    int key_off;
    if (first >= 0) {
        key_off = e->f[first].key_off;
    } else {
        if (k->len + 1 > (size_t)(EV_ARENA_SIZE - e->arena_used))
            return NULL;
        key_off = e->arena_used;
        copy_bytes(e->arena + key_off, k->p, k->len);
        e->arena[key_off + k->len] = '\0';
        e->arena_used = (uint16_t)(e->arena_used + k->len + 1);
    }
    ev_field *f = &e->f[e->nfields];
    f->key_off = (uint16_t)key_off;
    f->key_len = (uint8_t)k->len;
    f->key_hash = k->hash;
    f->type = EV_T_NONE;
    f->flags = 0;
    if (!store_value(e, f, v)) {
        e->arena_used = mark;
        return NULL;
    }
    e->elem_next[e->nfields] = 0;
    e->nfields++;
    return f;
}

/* Index and place a new key's slot s (what the index held for the key: its
 * first slot ever, the object with its path, the empty bucket after them). */
INLINE void add_key(ev *e, int s, const kinfo *k, int slot, int obj, unsigned bucket)
{
    if (slot < 0)
        e->idx[bucket] = (uint8_t)(s + 1);
    if (e->tree_ok)
        tree_add(e, s, k, obj >= 0);
}

INLINE void note_dataset(ev *e, const char *key, size_t klen, const value *v)
{
    if (!e->cls_forced && is_dataset_key(key, klen))
        e->cls = v ? (uint8_t)(v->type == EV_T_STR ? ev_class_from_dataset(v->s, v->slen)
                                                    : EV_CLASS_UNKNOWN)
                   : (uint8_t)EV_CLASS_UNKNOWN;
}

INLINE bool set_scalar(ev *e, const char *key, size_t klen, const value *v)
{
    kinfo k;
    if (!key_parse_n(key, klen, &k))
        return drop_invalid(e);
    if (v->type == EV_T_STR && v->slen > EV_ARENA_SIZE)
        return drop_full(e);
    int slot, obj;
    unsigned bucket = probe(e, &k, k.len, k.hash, &slot, &obj);
    int i = live_from(e, slot, kbytes(&k), k.len, k.hash);
    if (i >= 0) {
        ev_field *f = &e->f[i];
        delete_elements(e, i); /* the rest of an array */
        f->flags = 0;
        if (!store_value(e, f, v)) {
            kill_slot(e, f);
            note_dataset(e, kbytes(&k), k.len, NULL);
            return drop_full(e);
        }
    } else {
        int s = e->nfields;
        if (!new_slot(e, &k, v, -1))
            return drop_full(e);
        add_key(e, s, &k, slot, obj, bucket);
    }
    note_dataset(e, kbytes(&k), k.len, v);
    return true;
}

bool ev_unset(ev *e, const char *key)
{
    kinfo k;
    if (!key_parse(key, &k))
        return false;
    int i = find_key(e, kbytes(&k), k.len, k.hash);
    if (i < 0)
        return false;
    delete_elements(e, i);
    kill_slot(e, &e->f[i]);
    note_dataset(e, kbytes(&k), k.len, NULL);
    return true;
}

bool ev_set_str_kn(ev *e, const char *key, size_t klen, const char *val, size_t len)
{
    if (!val || len == 0) {
        kinfo k;
        if (!key_parse_n(key, klen, &k))
            return drop_invalid(e);
        ev_unset(e, key);
        return true;
    }
    value v = {.type = EV_T_STR, .s = val, .slen = len};
    return set_scalar(e, key, klen, &v);
}

bool ev_set_placeholder(ev *e, const char *key)
{
    value v = {.type = EV_T_STR, .s = "", .slen = 0};
    return set_scalar(e, key, ev_key_len(key), &v);
}

bool ev_set_int_k(ev *e, const char *key, size_t klen, int64_t val)
{
    value v = {.type = EV_T_INT, .i = val};
    return set_scalar(e, key, klen, &v);
}

bool ev_set_uint_k(ev *e, const char *key, size_t klen, uint64_t val)
{
    value v = {.type = EV_T_UINT, .u = val};
    return set_scalar(e, key, klen, &v);
}

bool ev_set_bool_k(ev *e, const char *key, size_t klen, bool val)
{
    value v = {.type = EV_T_BOOL, .b = val};
    return set_scalar(e, key, klen, &v);
}

/* Dotted quad of 4 network-order bytes into out (>= 16 bytes); its length.
 * (inet_ntop is general and slow; events carry several addresses each.) */
static size_t ipv4_text(const uint8_t *a, char *out)
{
    size_t n = 0;
    for (int i = 0; i < 4; i++) {
        unsigned v = a[i];
        if (v >= 100)
            out[n++] = (char)('0' + v / 100);
        if (v >= 10)
            out[n++] = (char)('0' + v / 10 % 10);
        out[n++] = (char)('0' + v % 10);
        if (i < 3)
            out[n++] = '.';
    }
    out[n] = '\0';
    return n;
}

size_t ev_ip_text(int af, const void *addr, char *out, size_t cap)
{
    if (!addr || (af != AF_INET && af != AF_INET6))
        return 0;
    if (af == AF_INET && cap >= 16)
        return ipv4_text(addr, out);
    if (!inet_ntop(af, addr, out, (socklen_t)cap))
        return 0;
    return strlen(out);
}

bool ev_set_ip_k(ev *e, const char *key, size_t klen, int af, const void *addr)
{
    char buf[INET6_ADDRSTRLEN];
    size_t n = ev_ip_text(af, addr, buf, sizeof buf);
    if (!n)
        return drop_invalid(e);
    return ev_set_str_kn(e, key, klen, buf, n);
}

static void split_time(int64_t ns, int64_t *secs, unsigned *usec);
static size_t format_secs(int64_t secs, char *out);
static size_t format_usec(unsigned usec, char *out);

bool ev_set_time_k(ev *e, const char *key, size_t klen, int64_t ns)
{
    /* the date and time of day change at most once a second: the text of the
     * last two seconds is kept (a third of the cost of the calendar arithmetic) */
    char buf[EV_TIME_BUFSZ];
    int64_t secs;
    unsigned usec;
    split_time(ns, &secs, &usec);
    size_t n;
    if ((e->tm_ok & 1) && e->tm_sec[0] == secs) {
        memcpy(buf, e->tm_text[0], 19);
        n = 19;
    } else if ((e->tm_ok & 2) && e->tm_sec[1] == secs) {
        memcpy(buf, e->tm_text[1], 19);
        n = 19;
    } else {
        n = format_secs(secs, buf);
        unsigned i = e->tm_next;
        e->tm_next ^= 1;
        e->tm_sec[i] = secs;
        memcpy(e->tm_text[i], buf, 19);
        e->tm_ok |= (uint8_t)(1u << i);
    }
    n += format_usec(usec, buf + n);
    return ev_set_str_kn(e, key, klen, buf, n);
}

/* ---- arrays -------------------------------------------------------------- */

static bool same_value(const ev *e, const ev_field *f, const value *v)
{
    if (f->type != v->type)
        return false;
    switch (v->type) {
    case EV_T_STR:
        return f->v.s.len == v->slen && memcmp(e->arena + f->v.s.off, v->s, v->slen) == 0;
    case EV_T_INT:
        return f->v.i == v->i;
    case EV_T_UINT:
        return f->v.u == v->u;
    default:
        return f->v.b == v->b;
    }
}

static bool add_element(ev *e, const char *key, size_t klen, const value *v)
{
    kinfo k;
    if (!key_parse_n(key, klen, &k))
        return drop_invalid(e);
    if (v->type == EV_T_STR && v->slen > EV_ARENA_SIZE)
        return drop_full(e);
    int slot, obj;
    unsigned bucket = probe(e, &k, k.len, k.hash, &slot, &obj);
    int first = live_from(e, slot, kbytes(&k), k.len, k.hash);
    if (first >= 0 && !(e->f[first].flags & EV_F_ARRAY)) {
        /* a scalar under this key: the array replaces it */
        ev_field *f = &e->f[first];
        f->flags = EV_F_ARRAY;
        e->elem_next[first] = 0;
        if (!store_value(e, f, v)) {
            kill_slot(e, f);
            return drop_full(e);
        }
        return true;
    }
    int last = first;
    for (int i = first; i >= 0; i = e->elem_next[i] ? e->elem_next[i] : -1) {
        if (same_value(e, &e->f[i], v))
            return true;
        last = i;
    }
    int s = e->nfields;
    ev_field *f = new_slot(e, &k, v, first);
    if (!f)
        return drop_full(e);
    f->flags = EV_F_ARRAY;
    if (first >= 0)
        e->elem_next[last] = (uint8_t)s;
    else
        add_key(e, s, &k, slot, obj, bucket);
    return true;
}

bool ev_add_str_array_kn(ev *e, const char *key, size_t klen, const char *val, size_t len)
{
    if (!val || len == 0)
        return true;
    value v = {.type = EV_T_STR, .s = val, .slen = len};
    return add_element(e, key, klen, &v);
}

bool ev_add_str_array_n(ev *e, const char *key, const char *val, size_t len)
{
    return ev_add_str_array_kn(e, key, ev_key_len(key), val, len);
}

bool ev_add_ip_array(ev *e, const char *key, int af, const void *addr)
{
    char buf[INET6_ADDRSTRLEN];
    size_t n = ev_ip_text(af, addr, buf, sizeof buf);
    if (!n)
        return drop_invalid(e);
    return ev_add_str_array_n(e, key, buf, n);
}

bool ev_add_int_array(ev *e, const char *key, int64_t val)
{
    value v = {.type = EV_T_INT, .i = val};
    return add_element(e, key, ev_key_len(key), &v);
}

/* ---- readers ------------------------------------------------------------- */

static const ev_field *lookup(const ev *e, const char *key)
{
    kinfo k;
    if (!key_parse(key, &k))
        return NULL;
    int i = find_key(e, kbytes(&k), k.len, k.hash);
    return i >= 0 ? &e->f[i] : NULL;
}

bool ev_has(const ev *e, const char *key)
{
    return lookup(e, key) != NULL;
}

const char *ev_get_str(const ev *e, const char *key, size_t *len)
{
    const ev_field *f = lookup(e, key);
    if (!f || f->type != EV_T_STR)
        return NULL;
    if (len)
        *len = f->v.s.len;
    return e->arena + f->v.s.off;
}

bool ev_get_int(const ev *e, const char *key, int64_t *out)
{
    const ev_field *f = lookup(e, key);
    if (!f)
        return false;
    if (f->type == EV_T_INT)
        *out = f->v.i;
    else if (f->type == EV_T_UINT && f->v.u <= (uint64_t)INT64_MAX)
        *out = (int64_t)f->v.u;
    else
        return false;
    return true;
}

bool ev_get_uint(const ev *e, const char *key, uint64_t *out)
{
    const ev_field *f = lookup(e, key);
    if (!f)
        return false;
    if (f->type == EV_T_UINT)
        *out = f->v.u;
    else if (f->type == EV_T_INT && f->v.i >= 0)
        *out = (uint64_t)f->v.i;
    else
        return false;
    return true;
}

bool ev_get_bool(const ev *e, const char *key, bool *out)
{
    const ev_field *f = lookup(e, key);
    if (!f || f->type != EV_T_BOOL)
        return false;
    *out = f->v.b;
    return true;
}

size_t ev_field_count(const ev *e)
{
    size_t n = 0;
    for (int i = 0; i < e->nfields; i++) {
        const ev_field *f = &e->f[i];
        if (f->type == EV_T_NONE)
            continue;
        if (f->flags & EV_F_ARRAY) {
            const char *k = e->arena + f->key_off;
            if (find_key(e, k, f->key_len, f->key_hash) != i)
                continue; /* not the array's first element */
        }
        n++;
    }
    return n;
}

/* ---- time ---------------------------------------------------------------- */

static char *put2(char *p, unsigned v)
{
    p[0] = (char)('0' + v / 10);
    p[1] = (char)('0' + v % 10);
    return p + 2;
}

/* ns since the epoch floored to microseconds: seconds and microseconds. */
static void split_time(int64_t ns, int64_t *secs, unsigned *usec)
{
    int64_t us = ns / 1000 - ((ns % 1000) < 0);
    *secs = us / 1000000 - ((us % 1000000) < 0);
    *usec = (unsigned)(us - *secs * 1000000);
}

/* "YYYY-MM-DDTHH:MM:SS" (19 bytes) of secs since the epoch; its length. */
static size_t format_secs(int64_t secs, char *out)
{
    int64_t days = secs / 86400 - ((secs % 86400) < 0);
    unsigned sod = (unsigned)(secs - days * 86400);

    /* civil date from days since 1970-01-01 (proleptic Gregorian, 400-year eras) */
    int64_t z = days + 719468; /* days since 0000-03-01 */
    int64_t era = (z >= 0 ? z : z - 146096) / 146097;
    unsigned doe = (unsigned)(z - era * 146097);                            /* [0, 146096] */
    unsigned yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;   /* [0, 399] */
    unsigned doy = doe - (365 * yoe + yoe / 4 - yoe / 100);                 /* [0, 365] */
    unsigned mp = (5 * doy + 2) / 153;                                      /* March = 0 */
    unsigned day = doy - (153 * mp + 2) / 5 + 1;
    unsigned month = mp < 10 ? mp + 3 : mp - 9;
    int64_t year = (int64_t)yoe + era * 400 + (month <= 2);

    /* int64 nanoseconds span the years 1677..2262: always four digits */
    unsigned y = (unsigned)year;
    char *p = out;
    p = put2(p, y / 100);
    p = put2(p, y % 100);
    *p++ = '-';
    p = put2(p, month);
    *p++ = '-';
    p = put2(p, day);
    *p++ = 'T';
    p = put2(p, sod / 3600);
    *p++ = ':';
    p = put2(p, sod / 60 % 60);
    *p++ = ':';
    p = put2(p, sod % 60);
    return (size_t)(p - out);
}

/* ".uuuuuuZ" and a NUL; its length (8). */
static size_t format_usec(unsigned usec, char *out)
{
    char *p = out;
    *p++ = '.';
    p = put2(p, usec / 10000);
    p = put2(p, usec / 100 % 100);
    p = put2(p, usec % 100);
    *p++ = 'Z';
    *p = '\0';
    return (size_t)(p - out);
}

size_t ev_format_time(int64_t ns, char *out)
{
    int64_t secs;
    unsigned usec;
    split_time(ns, &secs, &usec);
    size_t n = format_secs(secs, out);
    return n + format_usec(usec, out + n);
}
