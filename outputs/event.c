/*
 * event.c - the bounded event builder (event.h).  No allocation: keys and
 * string values are copied into the event's own arena.
 */
#include "event.h"

#include <arpa/inet.h>
#include <string.h>
#include <sys/socket.h>

void ev_reset(ev *e)
{
    memset(e->idx, 0, sizeof e->idx);
    e->nfields = 0;
    e->arena_used = 0;
    e->cls = EV_CLASS_UNKNOWN;
    e->cls_forced = 0;
    e->dropped = 0;
    e->dropped_full = 0;
    e->dropped_invalid = 0;
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
    memcpy(dst->f, src->f, (size_t)src->nfields * sizeof src->f[0]);
    memcpy(dst->arena, src->arena, src->arena_used);
}

/* ---- keys ---------------------------------------------------------------- */

/* Byte classes in keys: 0 not allowed (NUL ends the key), 1 part of a name, 2 dot. */
static const uint8_t key_class[256] = {
#define R16(v) v, v, v, v, v, v, v, v, v, v, v, v, v, v, v, v
    R16(0), R16(0),                                 /* controls */
    0, 1, 0, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 2, 1, /* space, '"', '.' */
    R16(1), R16(1),                                 /* 0x30-0x4f */
    1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 0, 1, 1, 1, /* '\\' */
    R16(1),                                         /* 0x60-0x6f */
    1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 0, /* DEL */
    R16(0), R16(0), R16(0), R16(0), R16(0), R16(0), R16(0), R16(0),
#undef R16
};

/* Validate key and hash it.  Returns its length, or 0 when it is invalid. */
static size_t key_scan(const char *key, uint16_t *hash)
{
    if (!key)
        return 0;
    const unsigned char *p = (const unsigned char *)key;
    uint32_t h = 2166136261u;
    unsigned dots = 0;
    bool after_dot = true; /* at the start of a segment */
    size_t n = 0;
    for (;; n++) {
        unsigned char c = p[n];
        uint8_t k = key_class[c];
        if (k == 1) {
            after_dot = false;
        } else if (k == 2) {
            if (after_dot || ++dots >= EV_KEY_DEPTH)
                return 0;
            after_dot = true;
        } else if (c == 0) {
            break;
        } else {
            return 0;
        }
        h = (h ^ c) * 16777619u;
    }
    if (n == 0 || n > EV_KEY_MAX || after_dot)
        return 0;
    *hash = (uint16_t)(h ^ (h >> 16));
    return n;
}

static bool key_eq(const ev *e, const ev_field *f, const char *key, size_t klen, uint16_t h)
{
    return f->type != EV_T_NONE && f->key_hash == h && f->key_len == klen &&
           memcmp(e->arena + f->key_off, key, klen) == 0;
}

_Static_assert(EV_IDX_SIZE >= 2 * EV_MAX_FIELDS && EV_MAX_FIELDS < 256, "key index too small");

static bool key_same(const ev *e, const ev_field *f, const char *key, size_t klen, uint16_t h)
{
    return f->key_hash == h && f->key_len == klen && memcmp(e->arena + f->key_off, key, klen) == 0;
}

/* Index of the first live slot holding key at or after start, or -1. */
static int scan_from(const ev *e, int start, const char *key, size_t klen, uint16_t h)
{
    for (int i = start; i < e->nfields; i++)
        if (key_eq(e, &e->f[i], key, klen, h))
            return i;
    return -1;
}

/* Index of the first live slot holding key, or -1.  From 0 it goes through the
 * key index: the first slot ever made for the key, and only if that one was
 * deleted, a scan of the later slots. */
static int find_from(const ev *e, int start, const char *key, size_t klen, uint16_t h)
{
    if (start != 0)
        return scan_from(e, start, key, klen, h);
    for (unsigned b = h & (EV_IDX_SIZE - 1);; b = (b + 1) & (EV_IDX_SIZE - 1)) {
        unsigned ent = e->idx[b];
        if (!ent)
            return -1;
        const ev_field *f = &e->f[ent - 1];
        if ((int)(ent - 1) < e->nfields && key_same(e, f, key, klen, h))
            return f->type != EV_T_NONE ? (int)(ent - 1) : scan_from(e, (int)ent, key, klen, h);
    }
}

/* Record slot as the first for its key unless the key already has one. */
static void index_slot(ev *e, int slot)
{
    const ev_field *nf = &e->f[slot];
    const char *key = e->arena + nf->key_off;
    for (unsigned b = nf->key_hash & (EV_IDX_SIZE - 1);; b = (b + 1) & (EV_IDX_SIZE - 1)) {
        unsigned ent = e->idx[b];
        if (!ent) {
            e->idx[b] = (uint8_t)(slot + 1);
            return;
        }
        if ((int)(ent - 1) < e->nfields && key_same(e, &e->f[ent - 1], key, nf->key_len, nf->key_hash))
            return;
    }
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

/* Copy len bytes + NUL into the arena.  Returns the offset, or -1 when full. */
static int arena_put(ev *e, const char *p, size_t len)
{
    if (len + 1 > (size_t)(EV_ARENA_SIZE - e->arena_used))
        return -1;
    int off = e->arena_used;
    if (len)
        memcpy(e->arena + off, p, len);
    e->arena[off + len] = '\0';
    e->arena_used = (uint16_t)(e->arena_used + len + 1);
    return off;
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

/* Store v in slot f (whose key is already set).  For strings, reuse the old
 * bytes when the new value fits in them.  Returns false when the arena is full. */
static bool store_value(ev *e, ev_field *f, const value *v)
{
    switch (v->type) {
    case EV_T_STR:
        if (f->type == EV_T_STR && v->slen <= f->v.s.len) {
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

static void delete_from(ev *e, int start, const char *key, size_t klen, uint16_t h)
{
    for (int i = start; i < e->nfields; i++)
        if (key_eq(e, &e->f[i], key, klen, h))
            e->f[i].type = EV_T_NONE;
}

/* New slot at the end for key; the key is copied into the arena unless
 * key_off >= 0 (an array element sharing its array's key).  NULL when full. */
static ev_field *new_slot(ev *e, const char *key, size_t klen, uint16_t h, int key_off)
{
    if (e->nfields >= EV_MAX_FIELDS)
        return NULL;
    if (key_off < 0) {
        key_off = arena_put(e, key, klen);
        if (key_off < 0)
            return NULL;
    }
    ev_field *f = &e->f[e->nfields++];
    f->key_off = (uint16_t)key_off;
    f->key_len = (uint8_t)klen;
    f->key_hash = h;
    f->type = EV_T_NONE;
    f->flags = 0;
    index_slot(e, e->nfields - 1);
    return f;
}

static void note_dataset(ev *e, const char *key, size_t klen, const value *v)
{
    if (!e->cls_forced && is_dataset_key(key, klen))
        e->cls = v ? (uint8_t)(v->type == EV_T_STR ? ev_class_from_dataset(v->s, v->slen)
                                                    : EV_CLASS_UNKNOWN)
                   : (uint8_t)EV_CLASS_UNKNOWN;
}

static bool set_scalar(ev *e, const char *key, const value *v)
{
    uint16_t h;
    size_t klen = key_scan(key, &h);
    if (!klen)
        return drop_invalid(e);
    if (v->type == EV_T_STR && v->slen > EV_ARENA_SIZE)
        return drop_full(e);
    int i = find_from(e, 0, key, klen, h);
    if (i >= 0) {
        ev_field *f = &e->f[i];
        delete_from(e, i + 1, key, klen, h); /* other array elements */
        f->flags = 0;
        if (!store_value(e, f, v)) {
            f->type = EV_T_NONE;
            note_dataset(e, key, klen, NULL);
            return drop_full(e);
        }
    } else {
        uint16_t mark = e->arena_used;
        ev_field *f = new_slot(e, key, klen, h, -1);
        if (!f || !store_value(e, f, v)) {
            if (f)
                e->nfields--;
            e->arena_used = mark;
            return drop_full(e);
        }
    }
    note_dataset(e, key, klen, v);
    return true;
}

bool ev_unset(ev *e, const char *key)
{
    uint16_t h;
    size_t klen = key_scan(key, &h);
    if (!klen)
        return false;
    int i = find_from(e, 0, key, klen, h);
    if (i < 0)
        return false;
    delete_from(e, i, key, klen, h);
    note_dataset(e, key, klen, NULL);
    return true;
}

bool ev_set_str_n(ev *e, const char *key, const char *val, size_t len)
{
    if (!val || len == 0) {
        if (!key_scan(key, &(uint16_t){0}))
            return drop_invalid(e);
        ev_unset(e, key);
        return true;
    }
    value v = {.type = EV_T_STR, .s = val, .slen = len};
    return set_scalar(e, key, &v);
}

bool ev_set_str(ev *e, const char *key, const char *val)
{
    return ev_set_str_n(e, key, val, val ? strlen(val) : 0);
}

bool ev_set_int(ev *e, const char *key, int64_t val)
{
    value v = {.type = EV_T_INT, .i = val};
    return set_scalar(e, key, &v);
}

bool ev_set_uint(ev *e, const char *key, uint64_t val)
{
    value v = {.type = EV_T_UINT, .u = val};
    return set_scalar(e, key, &v);
}

bool ev_set_bool(ev *e, const char *key, bool val)
{
    value v = {.type = EV_T_BOOL, .b = val};
    return set_scalar(e, key, &v);
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

static size_t ip_text(int af, const void *addr, char *out, size_t cap)
{
    if (!addr || (af != AF_INET && af != AF_INET6))
        return 0;
    if (af == AF_INET && cap >= 16)
        return ipv4_text(addr, out);
    if (!inet_ntop(af, addr, out, (socklen_t)cap))
        return 0;
    return strlen(out);
}

bool ev_set_ip(ev *e, const char *key, int af, const void *addr)
{
    char buf[INET6_ADDRSTRLEN];
    size_t n = ip_text(af, addr, buf, sizeof buf);
    if (!n)
        return drop_invalid(e);
    return ev_set_str_n(e, key, buf, n);
}

bool ev_set_time(ev *e, const char *key, int64_t ns)
{
    char buf[EV_TIME_BUFSZ];
    size_t n = ev_format_time(ns, buf);
    return ev_set_str_n(e, key, buf, n);
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

static bool add_element(ev *e, const char *key, const value *v)
{
    uint16_t h;
    size_t klen = key_scan(key, &h);
    if (!klen)
        return drop_invalid(e);
    if (v->type == EV_T_STR && v->slen > EV_ARENA_SIZE)
        return drop_full(e);
    int first = find_from(e, 0, key, klen, h);
    if (first >= 0 && !(e->f[first].flags & EV_F_ARRAY)) {
        /* a scalar under this key: the array replaces it */
        ev_field *f = &e->f[first];
        f->flags = EV_F_ARRAY;
        if (!store_value(e, f, v)) {
            f->type = EV_T_NONE;
            return drop_full(e);
        }
        return true;
    }
    if (first >= 0)
        for (int i = first; i >= 0; i = find_from(e, i + 1, key, klen, h))
            if (same_value(e, &e->f[i], v))
                return true;
    uint16_t mark = e->arena_used;
    ev_field *f = new_slot(e, key, klen, h, first >= 0 ? e->f[first].key_off : -1);
    if (!f || !store_value(e, f, v)) {
        if (f)
            e->nfields--;
        e->arena_used = mark;
        return drop_full(e);
    }
    f->flags = EV_F_ARRAY;
    return true;
}

bool ev_add_str_array_n(ev *e, const char *key, const char *val, size_t len)
{
    if (!val || len == 0)
        return true;
    value v = {.type = EV_T_STR, .s = val, .slen = len};
    return add_element(e, key, &v);
}

bool ev_add_str_array(ev *e, const char *key, const char *val)
{
    return ev_add_str_array_n(e, key, val, val ? strlen(val) : 0);
}

bool ev_add_ip_array(ev *e, const char *key, int af, const void *addr)
{
    char buf[INET6_ADDRSTRLEN];
    size_t n = ip_text(af, addr, buf, sizeof buf);
    if (!n)
        return drop_invalid(e);
    return ev_add_str_array_n(e, key, buf, n);
}

bool ev_add_int_array(ev *e, const char *key, int64_t val)
{
    value v = {.type = EV_T_INT, .i = val};
    return add_element(e, key, &v);
}

/* ---- readers ------------------------------------------------------------- */

static const ev_field *lookup(const ev *e, const char *key)
{
    uint16_t h;
    size_t klen = key_scan(key, &h);
    if (!klen)
        return NULL;
    int i = find_from(e, 0, key, klen, h);
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
            if (find_from(e, 0, k, f->key_len, f->key_hash) != i)
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

size_t ev_format_time(int64_t ns, char *out)
{
    /* floor to microseconds, then split into days / second of day / usec */
    int64_t us = ns / 1000 - ((ns % 1000) < 0);
    int64_t secs = us / 1000000 - ((us % 1000000) < 0);
    unsigned usec = (unsigned)(us - secs * 1000000);
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
    *p++ = '.';
    p = put2(p, usec / 10000);
    p = put2(p, usec / 100 % 100);
    p = put2(p, usec % 100);
    *p++ = 'Z';
    *p = '\0';
    return (size_t)(p - out);
}
