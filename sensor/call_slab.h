/*
 * call_slab.h - where calls live: fixed-size slots in chunks, each slot aligned to
 * a cache line and named by a 32-bit index.
 *
 * The per-packet path wants three things malloc cannot give: a call's hot fields
 * at a known cache-line offset (slots are 64-byte aligned), small references
 * (the GRE table and the activity list store 32-bit slot numbers, not pointers),
 * and no allocator header between calls.  Chunks are never moved or freed before
 * call_slab_destroy(), so a struct call pointer stays valid until its slot is
 * freed.  A freed slot goes on a free list and is reused first (most recently
 * freed first: its lines are the likeliest to be cached).
 */
#ifndef PPTP_SENSOR_CALL_SLAB_H
#define PPTP_SENSOR_CALL_SLAB_H

#include <stddef.h>
#include <stdint.h>

struct call;

#define CALL_SLAB_CHUNK_BITS 6u /* 64 calls (48 KiB) a chunk: little slack per sensor */
#define CALL_SLAB_CHUNK (1u << CALL_SLAB_CHUNK_BITS)

struct call_slab {
    struct call **chunks;  /* chunks[i]: CALL_SLAB_CHUNK slots */
    uint32_t n_chunks, cap_chunks;
    uint32_t used;         /* slots handed out at least once (slots >= used were never used) */
    uint32_t free_ref;     /* 1 + index of the first free slot, 0 none; each free slot holds the next */
};

/* A zeroed call and its index (*idx).  NULL when memory is exhausted or the
 * index space (2^32 - 1 slots) is used up; the slab is unchanged then. */
struct call *call_slab_alloc(struct call_slab *sl, uint32_t *idx);
/* Give slot idx back (its contents are lost). */
void call_slab_free(struct call_slab *sl, uint32_t idx);
/* Bytes the slab holds from the allocator (slots in use or free). */
uint64_t call_slab_bytes(const struct call_slab *sl);
/* Free every chunk. The slab is empty (and reusable) afterwards. */
void call_slab_destroy(struct call_slab *sl);

#endif
