/* anomaly.c - anomaly name tables; see anomaly.h. */
#include "anomaly.h"

#include <string.h>

static const char *const names[ANOMALY_COUNT] = {
    [ANOMALY_NONE] = "none",
#define ANOMALY(id, name, desc) [ANOMALY_##id] = name,
#include "anomaly_defs/all.def"
#undef ANOMALY
};

static const char *const descs[ANOMALY_COUNT] = {
    [ANOMALY_NONE] = "",
#define ANOMALY(id, name, desc) [ANOMALY_##id] = desc,
#include "anomaly_defs/all.def"
#undef ANOMALY
};

const char *anomaly_name(anomaly_id id)
{
    if ((unsigned)id >= ANOMALY_COUNT)
        return "unknown";
    return names[id];
}

const char *anomaly_desc(anomaly_id id)
{
    if ((unsigned)id >= ANOMALY_COUNT)
        return "";
    return descs[id];
}

anomaly_id anomaly_by_name(const char *name)
{
    for (int i = 1; i < ANOMALY_COUNT; i++)
        if (strcmp(names[i], name) == 0)
            return (anomaly_id)i;
    return ANOMALY_NONE;
}

anomaly_id anomaly_next(const anomaly_set *s, anomaly_id prev)
{
    /* word-wise: the common case is an empty set, answered in ANOMALY_WORDS loads */
    unsigned i = (unsigned)prev + 1;
    if (prev == ANOMALY_NONE && !anomaly_any(s))
        return ANOMALY_NONE;
    while (i < ANOMALY_COUNT) {
        uint64_t w = s->bits[i / 64] >> (i % 64);
        if (w) {
            unsigned id = i + (unsigned)__builtin_ctzll(w);
            return id < ANOMALY_COUNT ? (anomaly_id)id : ANOMALY_NONE;
        }
        i = (i / 64 + 1) * 64;
    }
    return ANOMALY_NONE;
}
