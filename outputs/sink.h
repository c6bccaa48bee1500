/*
 * sink.h - where events go (docs/outputs.md has the developer guide).
 *
 * A `struct sink` is one output (a file, stdout; later syslog, Kafka ...): a
 * vtable, per-sink counters, a class filter and a format.  A `struct
 * sink_set` fans one event out to several sinks, rendering it once per format
 * that some sink wants.  Sink types are found by name: every
 * outputs/sink_<name>.c defines `const struct sink_type sink_type_<name>`,
 * which the build lists automatically (outputs/CMakeLists.txt), so adding a
 * sink type only adds a file.
 *
 * Threading: everything here runs on the thread that owns the set (the main
 * loop).  A signal handler only sets a flag; the main loop then calls
 * sink_set_reopen() (SIGHUP, logrotate) or sink_set_flush().
 * Allocation: only when opening (sink_open, sink_set_init); emitting,
 * flushing and reopening do not allocate (reopen re-opens a file).
 */
#ifndef PPTP_SINK_H
#define PPTP_SINK_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "event.h"

/* Rendering of an event.  CEF and others plug in here (sink_render()). */
enum sink_format {
    SINK_FMT_JSON = 0, /* json.h: one line of ASCII JSON */
    SINK_FMT_COUNT,
};

/* "json" (NULL for unknown values). */
const char *sink_format_name(enum sink_format f);
/* Parse a format name; false when unknown. */
bool sink_format_parse(const char *name, enum sink_format *out);
/* Render e in format f into buf, NUL terminated, no newline.  Returns the
 * length, 0 when it does not fit (or the format is unknown). */
size_t sink_render(enum sink_format f, const ev *e, char *buf, size_t cap);

/* Counters, all monotonic totals.  For each sink at any moment:
 *   queued == written + failed + dropped + pending (buffered, not yet out).
 * queued:   events that passed the class filter and were handed to the sink;
 * written:  delivered (for a file: the write(2) carrying them succeeded);
 * failed:   accepted but then lost (write error, broken connection);
 * dropped:  not accepted (could not be rendered, sink refused it);
 * filtered: events skipped by the class filter (not in queued). */
struct sink_counters {
    uint64_t queued, written, failed, dropped, filtered;
    uint64_t bytes;      /* bytes delivered */
    uint64_t reopens;    /* successful reopen() calls */
    uint64_t errors;     /* I/O errors seen (a failed write, open, fsync) */
    int last_errno;      /* errno of the latest error, 0 if none */
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
};

struct sink;

struct sink_ops {
    /* Take one event, already rendered in the sink's format as line (len
     * bytes, NUL terminated, no newline; the sink adds its own framing).  e is
     * there for sinks that route on fields (ev_get_class, ev_get_str).
     * Return 0 when accepted (buffered or delivered: the sink then counts it
     * as written, or failed, when delivery is known), -1 when refused (the
     * caller counts it dropped).  Must not block for long. */
    int (*write)(struct sink *s, const ev *e, const char *line, size_t len);
    /* Deliver everything buffered.  0 or -1 (counted by the sink). */
    int (*flush)(struct sink *s);
    /* Re-open the destination (a renamed log file, a lost connection).  The
     * old destination is flushed first.  0 or -1; on failure the sink keeps
     * its old destination if it has one.  May be NULL (nothing to reopen). */
    int (*reopen)(struct sink *s);
    /* Flush and release everything, including s itself. */
    void (*close)(struct sink *s);
};

/* The common part of every sink; a sink type embeds it first in its own struct. */
struct sink {
    const struct sink_ops *ops;
    const char *type;          /* "file", ... */
    char name[128];
    unsigned class_mask;       /* EV_CLASS_BIT()s accepted */
    enum sink_format format;
    struct sink_counters c;
};

/* A sink type: a name and a constructor taking the text after "name:". */
struct sink_type {
    const char *name;
    const char *usage; /* one line for --help, e.g. "file:PATH  append to PATH ('-' = stdout)" */
    struct sink *(*open)(const char *arg, const struct sink_opts *o, char *err, size_t errlen);
};

/* Fill the common part (for sink types' constructors). */
void sink_init_common(struct sink *s, const struct sink_ops *ops, const char *type,
                      const char *label, const struct sink_opts *o);

/* Open a sink from a spec "TYPE:ARG" where TYPE is a registered sink type; a
 * spec without such a prefix is a file path, and NULL or "-" is stdout.
 * Returns NULL with a message in err on failure. */
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

/* ---- fan-out ------------------------------------------------------------- */

#define SINK_SET_MAX 8

struct sink_set {
    struct sink *sinks[SINK_SET_MAX];
    size_t n;
    char *buf[SINK_FMT_COUNT]; /* render buffers, EV_JSON_MAX + 1 bytes each */
    uint64_t emitted;          /* events given to sink_set_emit */
    uint64_t render_failed;    /* (event, format) renderings that did not fit */
};

/* Allocate the render buffers.  0 or -1 (out of memory). */
int sink_set_init(struct sink_set *set);
/* Add a sink (the set owns it from now on).  0, or -1 when the set is full
 * (the sink is then closed). */
int sink_set_add(struct sink_set *set, struct sink *s);
/* Give e to every sink whose class filter accepts it, rendering it once per
 * format needed.  Returns the number of sinks that accepted it. */
size_t sink_set_emit(struct sink_set *set, const ev *e);
/* Flush / reopen every sink.  Return 0, or -1 if any sink failed. */
int sink_set_flush(struct sink_set *set);
int sink_set_reopen(struct sink_set *set);
/* Flush, close every sink, free the buffers.  The set is then empty. */
void sink_set_close(struct sink_set *set);

#endif
