/* gre_track.c - see gre_track.h */
#include "gre_track.h"

static void sat_inc(uint32_t *c)
{
    if (*c < UINT32_MAX)
        (*c)++;
}

enum gre_seq_verdict gre_track_seq(struct gre_dir *d, struct gre_errs *x, uint32_t seq)
{
    if (!d->have_seq) {
        d->have_seq = 1;
        d->max_seq = seq;
        d->window = 1;
        return GRE_SEQ_FIRST;
    }
    uint32_t ahead = seq - d->max_seq; /* serial-number arithmetic, wraps */
    if (ahead == 0) {
        sat_inc(&x->duplicates);
        return GRE_SEQ_DUPLICATE;
    }
    if (ahead < GRE_TRACK_MAX_JUMP) {
        /* forward */
        if (ahead > 1)
            x->lost += ahead - 1;
        d->window = ahead >= GRE_TRACK_WINDOW ? 1 : (d->window << ahead) | 1;
        d->max_seq = seq;
        return ahead == 1 ? GRE_SEQ_IN_ORDER : GRE_SEQ_GAP;
    }
    uint32_t behind = d->max_seq - seq;
    if (behind < GRE_TRACK_WINDOW) {
        uint64_t bit = (uint64_t)1 << behind;
        if (d->window & bit) {
            sat_inc(&x->duplicates);
            return GRE_SEQ_DUPLICATE;
        }
        d->window |= bit;
        sat_inc(&x->reordered);
        if (x->lost)
            x->lost--;
        return GRE_SEQ_REORDERED;
    }
    sat_inc(&x->out_of_window);
    return GRE_SEQ_OUT_OF_WINDOW;
}

void gre_track_ack(struct gre_dir *d, uint32_t ack)
{
    if (!d->have_ack || (int32_t)(ack - d->last_ack) > 0) {
        d->last_ack = ack;
        d->have_ack = 1;
    }
}
