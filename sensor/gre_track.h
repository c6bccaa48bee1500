/*
 * gre_track.h - per-direction GRE sequence accounting for one call: packets, bytes,
 * lost, reordered, duplicated, ack-only, with 32-bit sequence wrap.
 *
 * Model: the highest sequence number seen so far and a 64-packet bitmap of which of
 * the numbers below it arrived.  A jump forward counts the numbers skipped as lost;
 * a number below the highest that was not yet seen is a reordering (and is no
 * longer lost); one already seen is a duplicate.  A number more than 64 below the
 * highest, or implausibly far ahead, is "out of window" (counted; it does not move
 * the state), which a detector may report as replay or injection.
 */
#ifndef PPTP_SENSOR_GRE_TRACK_H
#define PPTP_SENSOR_GRE_TRACK_H

#include <stdbool.h>
#include <stdint.h>

#define GRE_TRACK_WINDOW 64
#define GRE_TRACK_MAX_JUMP 65536u /* forward jumps larger than this are out of window */

/* What every packet of one direction updates: 48 bytes, so both directions and
 * the call's other per-packet fields share three cache lines (session.h). */
struct gre_dir {
    uint64_t packets;      /* every GRE packet captured in this direction (dups, ack-only included) */
    uint64_t bytes;        /* IP-layer bytes of those packets */
    uint64_t ppp_bytes;    /* PPP payload bytes carried */
    uint64_t window;       /* bit i set: max_seq - i was seen */
    uint32_t max_seq;
    uint32_t last_ack;
    uint8_t have_seq;
    uint8_t have_ack;
};

/* What is counted when something goes wrong (kept away from the hot fields).
 * The 32-bit counters saturate at UINT32_MAX. */
struct gre_errs {
    uint64_t lost;
    uint64_t ack_only;
    uint32_t reordered;
    uint32_t duplicates;
    uint32_t out_of_window;
};

enum gre_seq_verdict {
    GRE_SEQ_FIRST,
    GRE_SEQ_IN_ORDER,
    GRE_SEQ_GAP,        /* jumped forward: some lost (for now) */
    GRE_SEQ_REORDERED,  /* late arrival of a missing number */
    GRE_SEQ_DUPLICATE,
    GRE_SEQ_OUT_OF_WINDOW,
};

/* Account one sequence number (d: the direction's state, x: its error counters,
 * touched only when the number is not the next one); returns what it was. */
enum gre_seq_verdict gre_track_seq(struct gre_dir *d, struct gre_errs *x, uint32_t seq);
/* Account an acknowledgment number (tracks the highest seen). */
void gre_track_ack(struct gre_dir *d, uint32_t ack);

#endif
