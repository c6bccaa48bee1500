/*
 * sink.h - where events go (docs/outputs.md has the developer guide).
 *
 * A `struct sink` is one output (a file, stdout, syslog, Kafka): a vtable,
 * per-sink counters, a class filter, a format and optionally its own bounded
 * queue and thread.  A `struct sink_set` fans one event out to several sinks,
 * rendering it once per format that some sink wants.  Sink types are found by
 * name: every outputs/sink_<name>.c defines `const struct sink_type
 * sink_type_<name>`, which the build lists automatically
 * (outputs/CMakeLists.txt), so adding a sink type only adds a file.
 *
 * Threading: the set and its emit/flush/reopen/close run on the thread that
 * owns the set (the packet loop).  A sink opened with a queue
 * (sink_opts.queue_events > 0) gets its own thread: sink_set_emit copies the
 * rendered event into the sink's queue (blocking or dropping when it is full,
 * sink_set_mode()) and the sink's thread calls its write/flush/reopen.  A sink
 * without a queue is called directly on the owner's thread.  Counters are
 * atomics: any thread may read them.  A signal handler only sets a flag; the
 * main loop then calls sink_set_reopen() (SIGHUP, logrotate).
 * Allocation: only when opening (sink_open, sink_set_init); emitting,
 * flushing and reopening do not allocate.
 */
#ifndef PPTP_SINK_H
#define PPTP_SINK_H

#include <stdatomic.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "event.h"

/* Rendering of an event. */
enum sink_format {
    SINK_FMT_JSON = 0, /* json.h: one line of ASCII JSON (the contract) */
    SINK_FMT_CEF = 1,  /* cef.h: ArcSight Common Event Format, one line */
    SINK_FMT_COUNT,
};

/* "json", "cef" (NULL for unknown values). */
const char *sink_format_name(enum sink_format f);
/* Parse a format name; false when unknown. */
bool sink_format_parse(const char *name, enum sink_format *out);
/* Render e in format f into buf, NUL terminated, no newline.  Returns the
 * length, 0 when it does not fit (or the format is unknown). */
size_t sink_render(enum sink_format f, const ev *e, char *buf, size_t cap);
/* Render e in format f in at most max bytes (NUL excluded): when the full
 * rendering is longer, fields are removed one by one, largest first (never
 * the envelope: @timestamp, event.*, log.level, observer.*, the session
 * identity, rule.id/name, message), and "pptp.truncated": true is added, so the
 * result stays a valid event.  scratch is a caller-owned ev used for the
 * copy.  Returns the length, 0 when even the envelope does not fit. */
size_t sink_render_max(enum sink_format f, const ev *e, size_t max, ev *scratch, char *buf, size_t cap);

/* Counters, all monotonic totals, atomics (read them from any thread).  For
 * each sink at any moment:
 *   queued == written + failed + dropped + pending (in its queue or buffer).
 * queued:   events that passed the class filter and were handed to the sink;
 * written:  delivered ("sent": a file's write(2), a syslog send(2), a Kafka
 *           delivery report with no error);
 * failed:   accepted but then lost (write error, broken connection, Kafka
 *           delivery failure, still queued when the flush time ran out);
 * dropped:  not accepted (could not be rendered, its queue was full in live
 *           mode, the sink refused it);
 * filtered: events skipped by the class filter (not in queued). */
struct sink_counters {
    _Atomic uint64_t queued, written, failed, dropped, filtered;
    _Atomic uint64_t bytes;      /* bytes delivered */
    _Atomic uint64_t reopens;    /* successful reopen() calls / reconnections */
    _Atomic uint64_t errors;     /* I/O errors seen (a failed write, open, connect) */
    _Atomic uint64_t truncated;  /* events shortened to fit the sink's size cap */
    _Atomic int last_errno;      /* errno of the latest error, 0 if none */
};

/* Options common to every sink type (zero-initialise, then set). */
struct sink_opts {
    unsigned class_mask;      /* EV_CLASS_BIT()s to accept; 0 means all */
    enum sink_format format;  /* default JSON */
    const char *name;         /* label for stats; default: the spec */
    size_t buffer_size;       /* userspace buffer, 0: default (64 KiB) */
    bool line_buffered;       /* deliver every event at once (no batching) */
    bool fsync;               /* fdatasync() on every flush (files) */
    unsigned file_mode;       /* creation mode for files, 0: 0640 */
    /* Own queue and thread: capacity in events (0: no queue, the sink is
     * called on the emitting thread) and in bytes (0: 4 KiB per event, at
     * least 4 MiB). */
    size_t queue_events;
    size_t queue_bytes;
    /* Type-specific settings given outside the spec, "key=value" strings
     * (e.g. librdkafka properties from -X), NULL terminated or NULL. */
    const char *const *props;
};

struct sink;

/* One event as a sink's write() receives it. */
struct sink_msg {
    const char *line;  /* rendered in the sink's format, NUL terminated, no newline */
    size_t len;
    ev_class cls;      /* routing class (Kafka topic, syslog MSGID) */
    uint8_t severity;  /* syslog severity from log.level: critical 2, error 3,
                        * warning 4, notice 5, info 6 (default), debug 7 */
    const char *key;   /* pptp.session_id, else pptp.control_id; key_len 0 if none */
    size_t key_len;
    int64_t time_ns;   /* wall clock (CLOCK_REALTIME) when it was emitted */
    const ev *e;       /* the event; NULL when delivered from the sink's queue */
};

struct sink_ops {
    /* Take one event (m->line already rendered in the sink's format).  Return
     * 0 when accepted (buffered or delivered: the sink then counts it as
     * written, or failed, when delivery is known), -1 when refused (the caller
     * counts it dropped).  Copy what you keep: m is reused.  A sink without a
     * queue must not block for long; a queued sink runs on its own thread and
     * may wait, but must give up when sink_should_abort() says so. */
    int (*write)(struct sink *s, const struct sink_msg *m);
    /* Deliver everything buffered.  0 or -1 (counted by the sink).  A queued
     * sink's thread calls it whenever its queue runs empty and about every
     * 50 ms while idle, so it also serves as a poll (Kafka delivery reports). */
    int (*flush)(struct sink *s);
    /* Re-open the destination (a renamed log file, a lost connection).  The
     * old destination is flushed first.  0 or -1; on failure the sink keeps
     * its old destination if it has one.  May be NULL (nothing to reopen). */
    int (*reopen)(struct sink *s);
    /* Release everything, including s itself, after a last flush (bounded by
     * s->deadline_ns when set).  Whatever is undelivered is counted failed. */
    void (*close)(struct sink *s);
    /* Optional: the final delivery before close, bounded by s->deadline_ns
     * (e.g. wait for Kafka delivery reports, then purge and count the rest
     * failed).  A queued sink's thread calls it once its queue is empty at
     * shutdown, so several sinks finish in parallel.  NULL: flush is used. */
    int (*finish)(struct sink *s);
};

struct sink_async; /* the queue and thread, engine.c */

/* The common part of every sink; a sink type embeds it first in its own struct. */
struct sink {
    const struct sink_ops *ops;
    const char *type;          /* "file", "syslog", "kafka" ... */
    char name[128];
    unsigned class_mask;       /* EV_CLASS_BIT()s accepted */
    enum sink_format format;
    size_t max_len;            /* longest rendering the sink takes, 0: no cap (sink_render_max) */
    bool line_only;            /* write() reads only m->line and m->len: without a queue, the rest
                                * of m is left unset (three field lookups and a clock read less
                                * per event).  false (sink_init_common): all of m is set */
    struct sink_counters c;
    struct sink_async *q;      /* NULL: called directly on the emitting thread */
    _Atomic int64_t deadline_ns; /* CLOCK_MONOTONIC bound for close()/flush, 0: none */
    atomic_bool abort_;        /* give up waiting: shutdown time ran out */
};

/* A sink type: a name and a constructor taking the text after "name:" (or
 * the "transport://..." after "name+"). */
struct sink_type {
    const char *name;
    const char *usage; /* lines for --help, e.g. "file:PATH  append to PATH ('-' = stdout)" */
    struct sink *(*open)(const char *arg, const struct sink_opts *o, char *err, size_t errlen);
};

/* Fill the common part (for sink types' constructors). */
void sink_init_common(struct sink *s, const struct sink_ops *ops, const char *type,
                      const char *label, const struct sink_opts *o);

/* Open a sink from a spec: "TYPE:ARG" or "TYPE+TRANSPORT://..." where TYPE is
 * a registered sink type ("file:/x.json", "syslog+udp://h:514?...",
 * "kafka://h:9092?..."); a spec without such a prefix is a file path, and
 * NULL or "-" is stdout.  Query parameters common to every type are taken
 * out here (spec.h): classes=, format=json|cef, name=, queue=; the type sees
 * the rest.  Returns NULL with a message in err on failure. */
struct sink *sink_open(const char *spec, const struct sink_opts *o, char *err, size_t errlen);
/* Registered sink types, NULL terminated. */
const struct sink_type *const *sink_types(void);

/* Operations on one sink (the set calls these). */
bool sink_accepts(const struct sink *s, const ev *e); /* class filter */
int sink_flush(struct sink *s);
int sink_reopen(struct sink *s);
void sink_close(struct sink *s);
static inline uint64_t sink_pending(const struct sink *s)
{
    return s->c.queued - s->c.written - s->c.failed - s->c.dropped;
}
/* For a sink's own waits: true once the shutdown deadline passed (or abort
 * was requested); then stop waiting and count what is left as failed. */
bool sink_should_abort(const struct sink *s);
/* CLOCK_MONOTONIC in ns. */
int64_t sink_now_ns(void);
/* Map a log.level value to a syslog severity (6 when unknown or NULL). */
uint8_t sink_severity(const char *level);

/* ---- fan-out ------------------------------------------------------------- */

#define SINK_SET_MAX 8

/* What a full queue does to sink_set_emit. */
enum sink_mode {
    SINK_MODE_DROP = 0,  /* live capture: count the event dropped, never wait */
    SINK_MODE_BLOCK = 1, /* offline replay: wait for room (backpressure); a sink
                          * that makes no progress for the stall time has its
                          * events dropped until it makes progress again */
};

struct sink_set {
    struct sink *sinks[SINK_SET_MAX];
    size_t n;
    char *buf[SINK_FMT_COUNT]; /* render buffers, EV_JSON_MAX + 1 bytes each */
    char *cut;                 /* buffer for shortened renderings */
    ev *scratch;               /* event copy for shortening */
    uint64_t emitted;          /* events given to sink_set_emit */
    uint64_t render_failed;    /* (event, format) renderings that did not fit */
    enum sink_mode mode;
    int64_t flush_timeout_ns;  /* bound for sink_set_close (default 10 s) */
    int64_t stall_ns;          /* SINK_MODE_BLOCK stall bound (default: flush_timeout_ns) */
};

/* Allocate the render buffers.  0 or -1 (out of memory).  Mode DROP. */
int sink_set_init(struct sink_set *set);
/* Mode for full queues, and the shutdown bound (also the stall bound). */
void sink_set_mode(struct sink_set *set, enum sink_mode mode);
void sink_set_flush_timeout(struct sink_set *set, int64_t ns);
/* Add a sink (the set owns it from now on).  0, or -1 when the set is full
 * (the sink is then closed). */
int sink_set_add(struct sink_set *set, struct sink *s);
/* Give e to every sink whose class filter accepts it, rendering it once per
 * format needed.  Returns the number of sinks that accepted it. */
size_t sink_set_emit(struct sink_set *set, const ev *e);
/* Flush / reopen every sink (queued sinks: asked, done by their thread).
 * Return 0, or -1 if any (direct) sink failed. */
int sink_set_flush(struct sink_set *set);
int sink_set_reopen(struct sink_set *set);
/* Wait (at most timeout_ns) until every queued sink has emptied its queue.
 * True when all are empty. */
bool sink_set_drain(struct sink_set *set, int64_t timeout_ns);
/* Flush and close every sink, all within the flush timeout (queued sinks
 * deliver what they hold in parallel; what is still undelivered at the
 * deadline is counted failed), free the buffers.  The set is then empty.
 * sink_set_close_report() also copies every sink's final counters into
 * report[] (SINK_SET_MAX entries) and their number into *n_report. */
struct sink_report {
    char name[128];
    char type[16];
    uint64_t queued, written, failed, dropped, truncated, errors;
};
void sink_set_close_report(struct sink_set *set, struct sink_report *report, size_t *n_report);
void sink_set_close(struct sink_set *set);

/* ---- queue engine (engine.c; used by sink.c) ----------------------------- */
int sink_async_start(struct sink *s, const struct sink_opts *o, char *err, size_t errlen);
/* Queue one message; returns 0, or -1 when dropped (counted by the caller). */
int sink_async_push(struct sink *s, const struct sink_msg *m, enum sink_mode mode, int64_t stall_ns);
void sink_async_request(struct sink *s, bool flush, bool reopen);
bool sink_async_wait_empty(struct sink *s, int64_t deadline_ns);
/* Shutdown in two steps so several sinks drain in parallel: ask the thread to
 * deliver what is queued and finish; then wait for it until deadline_ns, set
 * abort_ if it is late, join it, count what was left failed, free the queue. */
void sink_async_begin_stop(struct sink *s);
void sink_async_end_stop(struct sink *s, int64_t deadline_ns);

#endif
