/*
 * engine.c - a sink's own bounded queue and thread (sink.h, docs/outputs.md).
 *
 * The queue is a byte ring of variable-length records (header, routing key,
 * rendered line), one producer (the thread that owns the sink_set) and one
 * consumer (the sink's thread), under one mutex that is held only to reserve
 * or release a record: the copy into the ring is done under it (about 1 KiB,
 * tens of ns), the delivery is not.
 *
 * Waking: the producer wakes the sleeping consumer only when WAKE_BATCH
 * records are waiting or it is about to wait itself; otherwise the consumer
 * wakes on its own every IDLE_TICK_NS.  So at 10,000 events/s the capture
 * thread makes ~160 futex calls a second, not 10,000, and an event waits at
 * most ~50 ms in the queue of an idle sink.
 *
 * Full queue: SINK_MODE_DROP returns at once (the caller counts the event
 * dropped); SINK_MODE_BLOCK waits for room, but when the consumer makes no
 * progress for stall_ns the sink is marked stalled and its events are
 * dropped without waiting until it completes a record again.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "json.h"
#include "sink.h"

#define WAKE_BATCH 64
#define IDLE_TICK_NS (50 * 1000000LL)
#define WAIT_SLICE_NS (100 * 1000000LL)

struct rec {
    uint32_t size;  /* bytes this record takes in the ring (8-aligned) */
    uint32_t len;   /* line length */
    int64_t time_ns;
    uint8_t cls, severity, key_len, pad; /* pad: a filler up to the end of the ring */
    uint32_t reserved;
};

struct sink_async {
    pthread_t thr;
    bool started;
    pthread_mutex_t mu;
    pthread_cond_t cv_work;  /* consumer waits for records / requests */
    pthread_cond_t cv_space; /* producer waits for room */
    pthread_cond_t cv_empty; /* waiters for an empty, flushed queue or the end */
    char *ring;
    size_t cap, head, tail, used; /* byte offsets into ring; used includes fillers */
    size_t count, max_count;      /* records (fillers not counted) */
    bool sleeping, producer_waiting;
    bool stop, done, flush_req, reopen_req, dirty, stalled;
    int64_t last_progress_ns;
};

int64_t sink_now_ns(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000000000LL + ts.tv_nsec;
}

static void abs_time(struct timespec *ts, int64_t mono_ns)
{
    ts->tv_sec = (time_t)(mono_ns / 1000000000LL);
    ts->tv_nsec = (long)(mono_ns % 1000000000LL);
}

static int wait_until(pthread_cond_t *cv, pthread_mutex_t *mu, int64_t mono_ns)
{
    struct timespec ts;
    abs_time(&ts, mono_ns);
    return pthread_cond_timedwait(cv, mu, &ts);
}

bool sink_should_abort(const struct sink *s)
{
    if (atomic_load_explicit(&s->abort_, memory_order_relaxed))
        return true;
    int64_t d = atomic_load_explicit(&s->deadline_ns, memory_order_relaxed);
    return d && sink_now_ns() >= d;
}

static size_t align8(size_t n) { return (n + 7u) & ~(size_t)7u; }

/* Skip fillers at the tail (under the lock). */
static void skip_fillers(struct sink_async *q)
{
    while (q->used) {
        size_t room = q->cap - q->tail;
        if (room < sizeof(struct rec)) {
            q->used -= room;
            q->tail = 0;
            continue;
        }
        struct rec *r = (struct rec *)(q->ring + q->tail);
        if (!r->pad)
            return;
        q->used -= r->size;
        q->tail = 0;
    }
    q->head = q->tail = 0;
}

/* Reserve need bytes (under the lock); returns the offset or SIZE_MAX. */
static size_t reserve(struct sink_async *q, size_t need)
{
    if (q->count >= q->max_count)
        return SIZE_MAX;
    if (q->used == 0)
        q->head = q->tail = 0;
    size_t pos;
    if (q->used && q->head == q->tail) {
        return SIZE_MAX; /* full */
    } else if (q->head >= q->tail) {
        size_t end_room = q->cap - q->head;
        if (need <= end_room) {
            pos = q->head;
        } else if (need <= q->tail) {
            if (end_room >= sizeof(struct rec)) {
                struct rec *f = (struct rec *)(q->ring + q->head);
                memset(f, 0, sizeof *f);
                f->size = (uint32_t)end_room;
                f->pad = 1;
            }
            q->used += end_room;
            pos = 0;
        } else {
            return SIZE_MAX;
        }
    } else {
        if (need > q->tail - q->head)
            return SIZE_MAX;
        pos = q->head;
    }
    q->head = pos + need;
    if (q->head == q->cap)
        q->head = 0;
    q->used += need;
    return pos;
}

static void *worker(void *arg)
{
    struct sink *s = arg;
    struct sink_async *q = s->q;
    pthread_mutex_lock(&q->mu);
    for (;;) {
        skip_fillers(q);
        if (q->reopen_req) {
            q->reopen_req = false;
            pthread_mutex_unlock(&q->mu);
            if (s->ops->reopen)
                s->ops->reopen(s);
            pthread_mutex_lock(&q->mu);
            continue;
        }
        if (q->count == 0) {
            if (q->dirty || q->flush_req) {
                q->dirty = false;
                pthread_mutex_unlock(&q->mu);
                if (s->ops->flush)
                    s->ops->flush(s);
                pthread_mutex_lock(&q->mu);
                if (q->count)
                    continue;
                q->flush_req = false;
            }
            pthread_cond_broadcast(&q->cv_empty);
            if (q->stop)
                break;
            q->sleeping = true;
            int rc = wait_until(&q->cv_work, &q->mu, sink_now_ns() + IDLE_TICK_NS);
            q->sleeping = false;
            if (rc == ETIMEDOUT && q->count == 0)
                q->dirty = true; /* idle tick: flush() doubles as a poll */
            continue;
        }
        struct rec *r = (struct rec *)(q->ring + q->tail);
        pthread_mutex_unlock(&q->mu);

        if (atomic_load_explicit(&s->abort_, memory_order_relaxed)) {
            s->c.failed++;
        } else {
            const char *key = (const char *)(r + 1);
            struct sink_msg m = {
                .line = key + r->key_len,
                .len = r->len,
                .cls = (ev_class)r->cls,
                .severity = r->severity,
                .key = r->key_len ? key : NULL,
                .key_len = r->key_len,
                .time_ns = r->time_ns,
                .e = NULL,
            };
            if (s->ops->write(s, &m) != 0)
                s->c.dropped++;
        }

        pthread_mutex_lock(&q->mu);
        q->tail += r->size;
        if (q->tail >= q->cap)
            q->tail = 0;
        q->used -= r->size;
        q->count--;
        q->dirty = true;
        q->stalled = false;
        q->last_progress_ns = sink_now_ns();
        if (q->producer_waiting)
            pthread_cond_signal(&q->cv_space);
    }
    pthread_mutex_unlock(&q->mu);

    if (s->ops->finish)
        s->ops->finish(s);
    else if (s->ops->flush)
        s->ops->flush(s);

    pthread_mutex_lock(&q->mu);
    q->done = true;
    pthread_cond_broadcast(&q->cv_empty);
    pthread_mutex_unlock(&q->mu);
    return NULL;
}

int sink_async_start(struct sink *s, const struct sink_opts *o, char *err, size_t errlen)
{
    struct sink_async *q = calloc(1, sizeof *q);
    if (!q) {
        snprintf(err, errlen, "out of memory");
        return -1;
    }
    q->max_count = o->queue_events;
    size_t bytes = o->queue_bytes ? o->queue_bytes : o->queue_events * 2048;
    size_t min = 4 * (EV_JSON_MAX + sizeof(struct rec) + 256);
    if (bytes < min)
        bytes = min;
    q->cap = align8(bytes);
    q->ring = malloc(q->cap);
    pthread_condattr_t ca;
    pthread_condattr_init(&ca);
    pthread_condattr_setclock(&ca, CLOCK_MONOTONIC);
    pthread_mutex_init(&q->mu, NULL);
    pthread_cond_init(&q->cv_work, &ca);
    pthread_cond_init(&q->cv_space, &ca);
    pthread_cond_init(&q->cv_empty, &ca);
    pthread_condattr_destroy(&ca);
    q->last_progress_ns = sink_now_ns();
    if (!q->ring) {
        snprintf(err, errlen, "out of memory (queue of %zu bytes)", q->cap);
        goto fail;
    }
    s->q = q;
    /* The sink's thread takes no signals: they stay with the main loop. */
    sigset_t all, old;
    sigfillset(&all);
    pthread_sigmask(SIG_BLOCK, &all, &old);
    int rc = pthread_create(&q->thr, NULL, worker, s);
    pthread_sigmask(SIG_SETMASK, &old, NULL);
    if (rc != 0) {
        s->q = NULL;
        snprintf(err, errlen, "cannot start output thread: %s", strerror(rc));
        goto fail;
    }
    q->started = true;
    char tname[16];
    snprintf(tname, sizeof tname, "out-%.11s", s->type);
    pthread_setname_np(q->thr, tname);
    return 0;
fail:
    pthread_cond_destroy(&q->cv_work);
    pthread_cond_destroy(&q->cv_space);
    pthread_cond_destroy(&q->cv_empty);
    pthread_mutex_destroy(&q->mu);
    free(q->ring);
    free(q);
    return -1;
}

int sink_async_push(struct sink *s, const struct sink_msg *m, enum sink_mode mode, int64_t stall_ns)
{
    struct sink_async *q = s->q;
    size_t key_len = m->key_len > 255 ? 255 : m->key_len;
    size_t need = align8(sizeof(struct rec) + key_len + m->len + 1);
    if (need > q->cap / 2 || need > UINT32_MAX)
        return -1;
    pthread_mutex_lock(&q->mu);
    if (q->stop) {
        pthread_mutex_unlock(&q->mu);
        return -1;
    }
    size_t pos;
    int64_t wait_start = 0;
    while ((pos = reserve(q, need)) == SIZE_MAX) {
        if (mode != SINK_MODE_BLOCK || q->stalled) {
            pthread_mutex_unlock(&q->mu);
            return -1;
        }
        int64_t now = sink_now_ns();
        if (!wait_start)
            wait_start = now;
        int64_t since = q->last_progress_ns > wait_start ? q->last_progress_ns : wait_start;
        if (now - since >= stall_ns) {
            q->stalled = true;
            pthread_mutex_unlock(&q->mu);
            return -1;
        }
        if (q->sleeping)
            pthread_cond_signal(&q->cv_work);
        q->producer_waiting = true;
        int64_t until = since + stall_ns;
        if (until > now + WAIT_SLICE_NS)
            until = now + WAIT_SLICE_NS;
        wait_until(&q->cv_space, &q->mu, until);
        q->producer_waiting = false;
    }
    struct rec *r = (struct rec *)(q->ring + pos);
    r->size = (uint32_t)need;
    r->len = (uint32_t)m->len;
    r->time_ns = m->time_ns;
    r->cls = (uint8_t)m->cls;
    r->severity = m->severity;
    r->key_len = (uint8_t)key_len;
    r->pad = 0;
    r->reserved = 0;
    char *p = (char *)(r + 1);
    if (key_len)
        memcpy(p, m->key, key_len);
    memcpy(p + key_len, m->line, m->len);
    p[key_len + m->len] = '\0';
    q->count++;
    if (q->sleeping && (q->count >= WAKE_BATCH || q->used >= q->cap / 4))
        pthread_cond_signal(&q->cv_work);
    pthread_mutex_unlock(&q->mu);
    return 0;
}

void sink_async_request(struct sink *s, bool flush, bool reopen)
{
    struct sink_async *q = s->q;
    pthread_mutex_lock(&q->mu);
    if (flush)
        q->flush_req = true;
    if (reopen)
        q->reopen_req = true;
    pthread_cond_signal(&q->cv_work);
    pthread_mutex_unlock(&q->mu);
}

bool sink_async_wait_empty(struct sink *s, int64_t deadline_ns)
{
    struct sink_async *q = s->q;
    pthread_mutex_lock(&q->mu);
    q->flush_req = true;
    pthread_cond_signal(&q->cv_work);
    while ((q->count || q->flush_req) && !q->done)
        if (wait_until(&q->cv_empty, &q->mu, deadline_ns) == ETIMEDOUT)
            break;
    bool empty = q->count == 0 && (!q->flush_req || q->done);
    pthread_mutex_unlock(&q->mu);
    return empty;
}

void sink_async_begin_stop(struct sink *s)
{
    struct sink_async *q = s->q;
    if (!q)
        return;
    pthread_mutex_lock(&q->mu);
    q->stop = true;
    pthread_cond_signal(&q->cv_work);
    pthread_mutex_unlock(&q->mu);
}

void sink_async_end_stop(struct sink *s, int64_t deadline_ns)
{
    struct sink_async *q = s->q;
    if (!q)
        return;
    sink_async_begin_stop(s);
    pthread_mutex_lock(&q->mu);
    while (!q->done)
        if (wait_until(&q->cv_empty, &q->mu, deadline_ns) == ETIMEDOUT)
            break;
    bool late = !q->done;
    pthread_mutex_unlock(&q->mu);
    if (late) {
        /* out of time: the thread fails what it still holds and returns */
        atomic_store(&s->abort_, true);
        pthread_mutex_lock(&q->mu);
        pthread_cond_signal(&q->cv_work);
        pthread_mutex_unlock(&q->mu);
    }
    pthread_join(q->thr, NULL);
    s->q = NULL;
    pthread_cond_destroy(&q->cv_work);
    pthread_cond_destroy(&q->cv_space);
    pthread_cond_destroy(&q->cv_empty);
    pthread_mutex_destroy(&q->mu);
    free(q->ring);
    free(q);
}
