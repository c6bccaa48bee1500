/* call_slab.c - see call_slab.h */
#include "call_slab.h"

#include <stdlib.h>
#include <string.h>

#include "session.h"

struct call *call_slab_alloc(struct call_slab *sl, uint32_t *idx)
{
    uint32_t i;
    if (sl->free_ref) {
        i = sl->free_ref - 1;
        struct call *k = call_slab_get(sl, i);
        uint32_t next;
        memcpy(&next, k, sizeof next);
        sl->free_ref = next;
    } else {
        if (sl->used == UINT32_MAX - 1)
            return NULL;
        i = sl->used;
        uint32_t chunk = i >> CALL_SLAB_CHUNK_BITS;
        if (chunk == sl->n_chunks) {
            if (sl->n_chunks == sl->cap_chunks) {
                uint32_t ncap = sl->cap_chunks ? sl->cap_chunks * 2 : 16;
                struct call **n = realloc(sl->chunks, ncap * sizeof *n);
                if (!n)
                    return NULL;
                sl->chunks = n;
                sl->cap_chunks = ncap;
            }
            struct call *c = aligned_alloc(_Alignof(struct call), CALL_SLAB_CHUNK * sizeof(struct call));
            if (!c)
                return NULL;
            sl->chunks[sl->n_chunks++] = c;
        }
        sl->used++;
    }
    struct call *k = call_slab_get(sl, i);
    memset(k, 0, sizeof *k);
    *idx = i;
    return k;
}

void call_slab_free(struct call_slab *sl, uint32_t idx)
{
    struct call *k = call_slab_get(sl, idx);
    memcpy(k, &sl->free_ref, sizeof sl->free_ref);
    sl->free_ref = idx + 1;
}

uint64_t call_slab_bytes(const struct call_slab *sl)
{
    return (uint64_t)sl->n_chunks * CALL_SLAB_CHUNK * sizeof(struct call) + (uint64_t)sl->cap_chunks * sizeof(void *);
}

void call_slab_destroy(struct call_slab *sl)
{
    for (uint32_t i = 0; i < sl->n_chunks; i++)
        free(sl->chunks[i]);
    free(sl->chunks);
    memset(sl, 0, sizeof *sl);
}
