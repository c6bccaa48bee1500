/*
 * ip_defrag.h - IP fragment reassembly: IPv4 (RFC 791, hole bookkeeping after
 * RFC 815) and the IPv6 Fragment header (RFC 8200 section 4.5, overlaps per
 * RFC 5722, atomic fragments per RFC 6946).
 *
 * The engine is fed fragments whose headers the caller already parsed; it never
 * calls a protocol decoder, never reads a clock (times are packet timestamps in
 * nanoseconds passed by the caller) and keeps no global state.  It returns the
 * reassembled *payload* (the bytes after the IP header / Fragment header); the
 * caller keeps header facts (addresses, protocol) from the key.
 *
 * Policies (see docs/decoders/reassembly.md):
 *   - IPv4 overlap: the bytes received first win; only the new bytes that fill
 *     holes are kept.  reasm.ip_fragment_overlap (and ..._overlap_conflict when
 *     the overlapping bytes differ).
 *   - IPv6 overlap: the whole datagram is discarded (RFC 5722), and so are its
 *     later fragments until the datagram's timeout.
 *   - A fragment identical to one already held (same offset, length and bytes)
 *     is a duplicate: counted, dropped, not an anomaly.
 *   - A fragment that disagrees with the known end of the datagram is dropped
 *     (the end seen first wins).
 *
 * Memory is bounded by limits.max_bytes (fragment data plus bookkeeping), the
 * number of datagrams in progress and fragments per datagram.
 */
#ifndef PPTP_IP_DEFRAG_H
#define PPTP_IP_DEFRAG_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "anomaly.h"

#define IP_DEFRAG_MAX_DATAGRAM 65535u

/* Identifies one datagram in reassembly.
 * IPv4 (af 4): src/dst use the first 4 bytes, id is the 16-bit Identification,
 *   proto is the Protocol field; all four are part of the match (RFC 791).
 * IPv6 (af 6): src/dst are 16 bytes, id is the 32-bit Identification; proto is the
 *   Fragment header's Next Header and is NOT part of the match (RFC 8200: only
 *   the offset-0 fragment's value counts); a completed datagram's key carries the
 *   offset-0 fragment's proto.
 * Unused address bytes are ignored (need not be zeroed). */
typedef struct ip_frag_key {
    uint8_t af; /* 4 or 6 */
    uint8_t proto;
    uint32_t id;
    uint8_t src[16];
    uint8_t dst[16];
} ip_frag_key;

/* One fragment, as parsed by the caller.  data is only read during the call. */
typedef struct ip_frag {
    ip_frag_key key;
    uint32_t offset;    /* bytes: Fragment Offset field * 8 */
    bool more;          /* MF / M flag */
    uint16_t hdr_len;   /* v4: IHL*4 (0 means 20); v6: extension headers before the
                           Fragment header (unfragmentable part, may be 0).  Counted
                           against the 65535 datagram limit. */
    const uint8_t *data; /* fragment payload */
    size_t len;
} ip_frag;

/* Limits; a zero field means "use the default". */
typedef struct ip_defrag_limits {
    size_t max_bytes;            /* memory cap for all held fragments: 32 MiB */
    uint32_t max_datagrams;      /* datagrams in progress: 4096 */
    uint32_t max_frags;          /* fragments (pieces) held per datagram: 256 */
    uint32_t max_datagram_size;  /* header + payload; default and ceiling 65535 */
    uint64_t timeout_v4_ns;      /* from the first fragment seen: 30 s */
    uint64_t timeout_v6_ns;      /* 60 s */
    uint32_t hash_seed;          /* mix into the table hash (pass a random value) */
} ip_defrag_limits;

typedef struct ip_defrag_stats {
    uint64_t fragments_in;       /* every ip_defrag_add call */
    uint64_t datagrams_completed;
    uint64_t atomic;             /* offset 0 and no MF: passed straight through */
    uint64_t timeouts;           /* incomplete datagrams expired */
    uint64_t duplicates;         /* exact duplicate fragments dropped */
    uint64_t overlaps;           /* fragments that overlapped held bytes */
    uint64_t overlap_conflicts;  /* ... whose overlapping bytes differed */
    uint64_t dropped_invalid;    /* zero length, unaligned, too big, bad end */
    uint64_t dropped_memcap;
    uint64_t dropped_table_full;
    uint64_t dropped_datagrams;  /* datagrams discarded (v6 overlap, too many frags) */
    uint64_t dropped_dead;       /* fragments of a discarded datagram */
    uint64_t datagrams_in_use;
    uint64_t bytes_in_use;       /* fragment data + bookkeeping now held */
    uint64_t peak_bytes;
} ip_defrag_stats;

typedef enum ip_defrag_status {
    IP_DEFRAG_NEED_MORE = 0, /* held; the datagram is not complete yet */
    IP_DEFRAG_COMPLETE = 1,  /* *out describes the reassembled payload */
    IP_DEFRAG_DROPPED = 2,   /* the fragment was not used; out->drop says why */
} ip_defrag_status;

typedef enum ip_defrag_drop {
    IP_DEFRAG_DROP_NONE = 0,
    IP_DEFRAG_DROP_DUPLICATE,   /* exact duplicate (not an anomaly) */
    IP_DEFRAG_DROP_INVALID,     /* zero length, unaligned, too big, inconsistent end */
    IP_DEFRAG_DROP_OVERLAP,     /* IPv6 overlap: datagram discarded */
    IP_DEFRAG_DROP_TOO_MANY,    /* per-datagram fragment limit: datagram discarded */
    IP_DEFRAG_DROP_DEAD,        /* belongs to a datagram discarded earlier */
    IP_DEFRAG_DROP_MEMCAP,
    IP_DEFRAG_DROP_TABLE_FULL,
} ip_defrag_drop;

/* Outcome of ip_defrag_add. */
typedef struct ip_defrag_result {
    ip_defrag_drop drop;     /* IP_DEFRAG_DROPPED only */
    /* IP_DEFRAG_COMPLETE only: */
    const uint8_t *data;     /* reassembled payload, owned by the context, valid
                                until the next call on it */
    size_t len;
    ip_frag_key key;         /* v6: proto of the offset-0 fragment */
    uint32_t frags;          /* fragments that contributed bytes */
    uint32_t duplicates;     /* duplicates seen for this datagram */
    uint32_t overlaps;       /* overlapping fragments seen for this datagram */
    uint64_t first_seen_ns;
} ip_defrag_result;

/* What ip_defrag_expire reports for each expired incomplete datagram. */
typedef struct ip_defrag_expired {
    ip_frag_key key;         /* v6: proto is that of offset 0 if seen, else of the first fragment */
    uint64_t first_seen_ns;
    uint64_t last_seen_ns;
    uint32_t bytes_held;     /* payload bytes held */
    uint32_t frags_seen;     /* fragments that contributed bytes */
    bool have_first;         /* offset-0 fragment seen */
    bool have_last;          /* last fragment (no MF) seen */
} ip_defrag_expired;

typedef void (*ip_defrag_expire_cb)(void *user, const ip_defrag_expired *e);

typedef struct ip_defrag ip_defrag;

/* Fill lim with the defaults. */
void ip_defrag_limits_default(ip_defrag_limits *lim);

/* New context (lim may be NULL for defaults).  Owned by the caller, freed with
 * ip_defrag_destroy.  Returns NULL when out of memory. */
ip_defrag *ip_defrag_create(const ip_defrag_limits *lim);
/* Free the context and everything it holds (NULL is ignored). */
void ip_defrag_destroy(ip_defrag *d);

/* Feed one fragment seen at now_ns.  The bytes are copied.  Anomalies go to an
 * (may be NULL).  out must not be NULL; on IP_DEFRAG_COMPLETE out->data points into
 * the context and is valid until the next call on d.
 * An "atomic fragment" (offset 0, no MF) is returned as COMPLETE at once and does
 * not disturb datagrams in progress with the same key (RFC 6946). */
ip_defrag_status ip_defrag_add(ip_defrag *d, const ip_frag *f, uint64_t now_ns,
                               ip_defrag_result *out, anomaly_set *an);

/* Remove every datagram whose first fragment was seen at or before
 * now_ns - timeout, calling cb(user, info) for each incomplete one (cb may be
 * NULL).  Cost is proportional to the number expired (lists ordered by deadline).
 * Returns the number of incomplete datagrams expired.  The sensor adds
 * reasm.ip_fragment_timeout for each report. */
size_t ip_defrag_expire(ip_defrag *d, uint64_t now_ns, ip_defrag_expire_cb cb, void *user);

/* Counters (never NULL for a valid d). */
const ip_defrag_stats *ip_defrag_get_stats(const ip_defrag *d);

/* Stable text name of a drop reason ("duplicate", "memcap", ...). */
const char *ip_defrag_drop_name(ip_defrag_drop r);

#endif
