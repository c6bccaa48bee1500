/*
 * event.h - one event (docs/outputs.md, ../shared/spec/events.md): a flat,
 * bounded set of fields keyed by DOTTED names exactly as in the event contract
 * ("user.name", "source.port", "@timestamp"), rendered as nested JSON objects
 * by json.h.
 *
 * Memory: an `ev` is a fixed-size object (EV_MAX_FIELDS field slots and an
 * EV_ARENA_SIZE byte string arena).  Setters copy keys and string values into
 * the arena and never allocate.  When a slot or the arena runs out, or a key is
 * not valid, the field is dropped and counted (ev->dropped, ev_dropped()): never
 * a crash, never a partial value.  Reuse an event with ev_reset() (O(1)).
 *
 * Semantics every setter follows:
 *   - absent = omitted: a NULL or empty string value removes the key (so does
 *     ev_unset()); nothing is ever rendered as null or "".
 *   - setting a key again replaces its value (of any type) in place: the key
 *     keeps the position of its first setting, which fixes the JSON key order.
 *   - keys: 1..EV_KEY_MAX bytes of printable ASCII (0x21..0x7e) except '"' and
 *     '\\', 1..EV_KEY_DEPTH dot-separated segments, none empty ("a..b", ".a",
 *     "a." are invalid).
 *     A name that is both a leaf and an object ("a" and "a.b") cannot be
 *     rendered: json.h keeps whichever was set first and skips the other.
 *   - the event's class (session/alert/frag/stats) follows event.dataset
 *     ("pptp.session" ...) unless set explicitly with ev_set_class().
 *
 * Not thread safe; an event belongs to the thread that builds it.
 */
#ifndef PPTP_EVENT_H
#define PPTP_EVENT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#define EV_MAX_FIELDS 128  /* field slots; each array element uses one */
#define EV_ARENA_SIZE 8192 /* bytes for keys and string values (each + NUL) */
#define EV_KEY_MAX 96      /* longest accepted key */
#define EV_IDX_SIZE 512    /* name index buckets: keys and objects (> 2 x (EV_MAX_FIELDS + EV_MAX_OBJS)) */
#define EV_KEY_DEPTH 8     /* most segments in a key (nesting depth) */
#define EV_MAX_OBJS 127    /* objects in the member tree, the top level included */

/* Output class, used by sinks for routing and filtering. */
typedef enum ev_class {
    EV_CLASS_SESSION = 0, /* event.dataset pptp.session */
    EV_CLASS_ALERT = 1,   /* pptp.alert */
    EV_CLASS_FRAG = 2,    /* pptp.frag */
    EV_CLASS_STATS = 3,   /* pptp.stats */
    EV_CLASS_COUNT = 4,
    EV_CLASS_UNKNOWN = 255, /* no event.dataset set (yet) */
} ev_class;

#define EV_CLASS_BIT(c) (1u << (unsigned)(c))
#define EV_CLASS_ALL ((1u << EV_CLASS_COUNT) - 1u)

typedef enum ev_type {
    EV_T_NONE = 0, /* deleted slot */
    EV_T_STR,
    EV_T_INT,
    EV_T_UINT,
    EV_T_BOOL,
} ev_type;

#define EV_F_ARRAY 0x01u /* slot is one element of an array (same key, several slots) */

/* One field slot.  Internal layout, exposed only so an ev can live on the stack
 * or inside another struct; use the functions below. */
typedef struct ev_field {
    union {
        int64_t i;
        uint64_t u;
        bool b;
        struct {
            uint16_t off, len;
        } s;
    } v;
    uint16_t key_hash; /* hash of the key (event.c): quick inequality test */
    uint16_t key_off;
    uint8_t key_len;
    uint8_t type;  /* ev_type */
    uint8_t flags; /* EV_F_* */
} ev_field;

/* An object of the member tree (internal, for json.c): its full dotted path
 * is a prefix of the key of the slot that made it. */
typedef struct ev_obj {
    uint16_t path_off; /* arena offset of the path */
    uint16_t hash;     /* hash of the path (as a key would have) */
    uint8_t path_len;
    uint8_t name_pos;  /* its name: path[name_pos .. path_len) */
    uint8_t first;     /* first member (node id), EV_NODE_NONE: none yet */
    uint8_t last;      /* last member (node id) */
} ev_obj;

#define EV_NODE_NONE 0xffu

typedef struct ev {
    uint16_t nfields;    /* slots in use (deleted ones included) */
    uint16_t arena_used; /* bytes of arena in use */
    uint8_t cls;         /* ev_class from event.dataset */
    uint8_t cls_forced;  /* set by ev_set_class(): event.dataset no longer decides */
    uint32_t dropped;    /* fields dropped: dropped_full + dropped_invalid */
    uint32_t dropped_full;    /* ... because no slot or arena space was left */
    uint32_t dropped_invalid; /* ... because the key (or IP family) was invalid */
    ev_field f[EV_MAX_FIELDS];
    uint16_t nobjs;      /* objects in obj[] (obj[0] is the top level) */
    uint8_t tree_ok;     /* the member tree below is what json.h renders: no key lost its first slot */
    uint8_t last_parent; /* object the last key placed in the tree went into */
    /* name index (linear probing; 0 = empty), 1 + a node id: for a key, the
     * first slot ever made for it; for an object of the member tree, its
     * node.  Makes a set O(1) instead of a scan. */
    uint8_t idx[EV_IDX_SIZE];
    /* The member tree json.h renders, kept up to date by the setters.  Node
     * ids: a slot (< EV_MAX_FIELDS, a leaf) or EV_MAX_FIELDS + an object;
     * EV_NODE_NONE ends a list.  Members of an object are in the order their
     * first slot was made. */
    uint8_t next[EV_MAX_FIELDS + EV_MAX_OBJS]; /* next member of the same object */
    uint8_t leaf_name[EV_MAX_FIELDS]; /* leaf: where its name (last segment) starts in
                                         its key; EV_NODE_NONE: the slot is no member */
    uint8_t elem_next[EV_MAX_FIELDS]; /* arrays: slot of the next element, 0 = none */
    ev_obj obj[EV_MAX_OBJS];
    /* ev_set_time(): the "YYYY-MM-DDTHH:MM:SS" text of the last two seconds it
     * formatted (events carry packet and wall-clock times), whatever the
     * fields; cleared by ev_reset(), left alone by ev_copy() */
    int64_t tm_sec[2];
    char tm_text[2][20];
    uint8_t tm_ok;   /* bit i: entry i holds a second */
    uint8_t tm_next; /* entry to replace next */
    char arena[EV_ARENA_SIZE];
} ev;

/* Empty the event (fields, arena, counters, class).  O(1); also the initialiser. */
void ev_reset(ev *e);

/* Length of a key (NULL: 0, an invalid key).  The setters below are inline
 * wrappers that take it here, where a literal key's length is a constant, and
 * pass it to the *_k functions: no strlen() per field.  The *_k functions
 * take klen = strlen(key). */
static inline size_t ev_key_len(const char *key) { return key ? strlen(key) : 0; }
bool ev_set_str_kn(ev *e, const char *key, size_t klen, const char *val, size_t len);
bool ev_set_int_k(ev *e, const char *key, size_t klen, int64_t val);
bool ev_set_uint_k(ev *e, const char *key, size_t klen, uint64_t val);
bool ev_set_bool_k(ev *e, const char *key, size_t klen, bool val);
bool ev_set_ip_k(ev *e, const char *key, size_t klen, int af, const void *addr);
bool ev_set_time_k(ev *e, const char *key, size_t klen, int64_t ns);
bool ev_add_str_array_kn(ev *e, const char *key, size_t klen, const char *val, size_t len);

/* Scalars.  Return true when the field is stored (or, for an empty string,
 * removed as asked); false when it was dropped (counted in e->dropped). */
static inline bool ev_set_str(ev *e, const char *key, const char *val)
{
    return ev_set_str_kn(e, key, ev_key_len(key), val, val ? strlen(val) : 0);
}
/* len bytes from val, which need not be NUL terminated and may contain any
 * byte (json.h escapes them).  val may be NULL when len is 0. */
static inline bool ev_set_str_n(ev *e, const char *key, const char *val, size_t len)
{
    return ev_set_str_kn(e, key, ev_key_len(key), val, len);
}
static inline bool ev_set_int(ev *e, const char *key, int64_t val) { return ev_set_int_k(e, key, ev_key_len(key), val); }
static inline bool ev_set_uint(ev *e, const char *key, uint64_t val)
{
    return ev_set_uint_k(e, key, ev_key_len(key), val);
}
static inline bool ev_set_bool(ev *e, const char *key, bool val) { return ev_set_bool_k(e, key, ev_key_len(key), val); }
/* An IP address in text form (inet_ntop): af AF_INET (addr: 4 bytes, network
 * order) or AF_INET6 (16 bytes).  Other families are dropped as invalid. */
static inline bool ev_set_ip(ev *e, const char *key, int af, const void *addr)
{
    return ev_set_ip_k(e, key, ev_key_len(key), af, addr);
}
/* The text ev_set_ip() writes for an address (AF_INET: 4 bytes, AF_INET6: 16, network
 * order) into out (cap >= 46 is always enough); its length, 0 for a bad family. */
size_t ev_ip_text(int af, const void *addr, char *out, size_t cap);
/* A time as RFC 3339 UTC with microseconds, "2025-11-20T08:32:05.123456Z";
 * ns is nanoseconds since the Unix epoch (negative allowed), truncated
 * (floored) to the microsecond. */
static inline bool ev_set_time(ev *e, const char *key, int64_t ns)
{
    return ev_set_time_k(e, key, ev_key_len(key), ns);
}

/* A string field whose value comes later: the key takes its slot and its
 * place in the rendering now, the value no arena bytes, so the setting that
 * follows uses exactly the arena a first setting would.  For a template that
 * is copied (ev_copy) and then completed: set every placeholder before the
 * event is rendered (one left unset renders as "").  False when dropped. */
bool ev_set_placeholder(ev *e, const char *key);

/* Arrays: append one element to the array named key (created on first use).
 * A value equal to an element already in the array is not added again (the
 * call returns true): ECS related.* fields are sets.  Setting the key with a
 * scalar setter replaces the whole array.  Empty strings are ignored. */
static inline bool ev_add_str_array(ev *e, const char *key, const char *val)
{
    return ev_add_str_array_kn(e, key, ev_key_len(key), val, val ? strlen(val) : 0);
}
bool ev_add_str_array_n(ev *e, const char *key, const char *val, size_t len);
bool ev_add_ip_array(ev *e, const char *key, int af, const void *addr);
bool ev_add_int_array(ev *e, const char *key, int64_t val);

/* Remove a key (scalar or whole array).  Returns true if it was present. */
bool ev_unset(ev *e, const char *key);

/* Copy src into dst (only the slots and arena bytes in use). */
void ev_copy(ev *dst, const ev *src);

/* Class: explicit override (e.g. before event.dataset is known). */
void ev_set_class(ev *e, ev_class c);
static inline ev_class ev_get_class(const ev *e) { return (ev_class)e->cls; }
/* "session", "alert", "frag", "stats" ("unknown" otherwise). */
const char *ev_class_name(ev_class c);
/* ev_class for an event.dataset value ("pptp.session" ...), EV_CLASS_UNKNOWN if none. */
ev_class ev_class_from_dataset(const char *s, size_t len);
/* Parse a comma separated list of class names ("session,alert", "all") into an
 * EV_CLASS_BIT mask.  Returns false on an unknown name. */
bool ev_class_mask_parse(const char *list, unsigned *mask);

/* Readers (for sinks and tests).  For arrays the first element is returned. */
bool ev_has(const ev *e, const char *key);
/* Pointer to the NUL terminated value inside the event (valid until the next
 * change to the event), length in *len if not NULL; NULL if absent or not a string. */
const char *ev_get_str(const ev *e, const char *key, size_t *len);
bool ev_get_int(const ev *e, const char *key, int64_t *out);
bool ev_get_uint(const ev *e, const char *key, uint64_t *out);
bool ev_get_bool(const ev *e, const char *key, bool *out);
/* Number of live fields (an array counts once). */
size_t ev_field_count(const ev *e);
static inline uint32_t ev_dropped(const ev *e) { return e->dropped; }

/* Format ns since the epoch as RFC 3339 UTC microseconds into out (at least
 * EV_TIME_BUFSZ bytes).  Returns the length (27 for years 0000-9999). */
#define EV_TIME_BUFSZ 32
size_t ev_format_time(int64_t ns, char *out);

/* Internal, for json.c: key bytes and string value bytes of a slot. */
static inline const char *ev_field_key(const ev *e, const ev_field *f) { return e->arena + f->key_off; }
static inline const char *ev_field_str(const ev *e, const ev_field *f) { return e->arena + f->v.s.off; }

#endif
