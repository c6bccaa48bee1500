/*
 * anomaly.h - protocol anomalies as data (Suricata style).
 *
 * Every anomaly has an enum constant ANOMALY_<X> and a stable string name such as
 * "pptp.bad_magic".  The names are an interface (counted in stats, alert evidence);
 * never rename one.  Enum numeric values are NOT stable: persist names only.
 *
 * The list lives in anomaly_defs/<module>.def, one X-macro line each:
 *     ANOMALY(PPTP_BAD_MAGIC, "pptp.bad_magic", "magic cookie is not 0x1A2B3C4D")
 * Each decoder module owns its own .def file.
 *
 * Decoders report anomalies by adding them to an anomaly_set the caller passes in
 * (may be NULL when the caller does not care).
 */
#ifndef PPTP_ANOMALY_H
#define PPTP_ANOMALY_H

#include <stdbool.h>
#include <stdint.h>

typedef enum anomaly_id {
    ANOMALY_NONE = 0,
#define ANOMALY(id, name, desc) ANOMALY_##id,
#include "anomaly_defs/all.def"
#undef ANOMALY
    ANOMALY_COUNT
} anomaly_id;

/* Exactly as many 64-bit words as the registry needs: sets are cleared and tested
 * on every packet, so no spare words. */
#define ANOMALY_WORDS ((ANOMALY_COUNT + 63) / 64)
_Static_assert(ANOMALY_COUNT <= ANOMALY_WORDS * 64, "anomaly_set too small");

typedef struct anomaly_set {
    uint64_t bits[ANOMALY_WORDS];
} anomaly_set;

/* Stable name ("pptp.bad_magic"); "unknown" for an out-of-range id. */
const char *anomaly_name(anomaly_id id);
/* One-line human description; "" for an out-of-range id. */
const char *anomaly_desc(anomaly_id id);
/* Reverse lookup by name; ANOMALY_NONE when not found. */
anomaly_id anomaly_by_name(const char *name);

static inline void anomaly_clear(anomaly_set *s)
{
    for (int i = 0; i < ANOMALY_WORDS; i++)
        s->bits[i] = 0;
}
/* Add id to s; a NULL s is ignored. */
static inline void anomaly_add(anomaly_set *s, anomaly_id id)
{
    if (s && id > ANOMALY_NONE && id < ANOMALY_COUNT)
        s->bits[id / 64] |= (uint64_t)1 << (id % 64);
}
static inline bool anomaly_has(const anomaly_set *s, anomaly_id id)
{
    return s && id > ANOMALY_NONE && id < ANOMALY_COUNT && (s->bits[id / 64] >> (id % 64)) & 1;
}
static inline bool anomaly_any(const anomaly_set *s)
{
    for (int i = 0; i < ANOMALY_WORDS; i++)
        if (s->bits[i])
            return true;
    return false;
}
/* Union src into dst. */
static inline void anomaly_merge(anomaly_set *dst, const anomaly_set *src)
{
    for (int i = 0; i < ANOMALY_WORDS; i++)
        dst->bits[i] |= src->bits[i];
}
/* Iterate: returns the next set id after prev (start with ANOMALY_NONE), or ANOMALY_NONE. */
anomaly_id anomaly_next(const anomaly_set *s, anomaly_id prev);

#endif
