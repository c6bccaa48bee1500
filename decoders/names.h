/*
 * names.h - value-to-name tables that can never index out of bounds.
 *
 *   static const val_name pptp_msg_names[] = { {1, "SCCRQ"}, {2, "SCCRP"}, ... };
 *   const char *n = VAL_NAME(pptp_msg_names, type, "unknown");
 */
#ifndef PPTP_NAMES_H
#define PPTP_NAMES_H

#include <stddef.h>
#include <stdint.h>

typedef struct val_name {
    uint32_t val;
    const char *name;
} val_name;

/* Linear search of tab[0..n); dflt when val is absent. Never NULL unless dflt is. */
static inline const char *val_name_lookup(const val_name *tab, size_t n, uint32_t val, const char *dflt)
{
    for (size_t i = 0; i < n; i++)
        if (tab[i].val == val)
            return tab[i].name;
    return dflt;
}

#define ARRAY_LEN(a) (sizeof(a) / sizeof((a)[0]))
#define VAL_NAME(tab, v, dflt) val_name_lookup((tab), ARRAY_LEN(tab), (uint32_t)(v), (dflt))

#endif
