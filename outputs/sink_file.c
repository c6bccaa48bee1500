/*
 * sink_file.c - the file sink: one event per line, appended to a file or
 * written to stdout.  Spec: "file:PATH", a bare PATH, or "-" (stdout).
 *
 * Lines are gathered in a userspace buffer and handed to write(2) when the
 * buffer is full, on flush() (the main loop calls it at least once a second
 * and at exit) or after every event with line_buffered (the default when
 * stdout is a terminal).  A line never straddles two write(2) calls unless it
 * is larger than the buffer.  reopen() flushes, opens PATH again and switches
 * to it: after logrotate renamed the file, new events go to a new file at PATH.
 * With fsync, every flush ends with fdatasync().
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/uio.h>
#include <unistd.h>

#include "sink.h"

#define FILE_SINK_DEFAULT_BUFFER (64 * 1024)

struct file_sink {
    struct sink base; /* first: a struct sink * is a struct file_sink * */
    int fd;
    bool is_stdout;
    bool line_buffered;
    bool fsync;
    mode_t mode;
    char *path;       /* NULL for stdout */
    char *buf;
    size_t cap, used;
    uint64_t buf_lines; /* complete lines in buf */
    bool unsynced;      /* written since the last fdatasync() */
};

static void note_error(struct file_sink *fs, int err)
{
    fs->base.c.errors++;
    fs->base.c.last_errno = err;
}

/* write(2) all of p.  Returns the number of bytes written (n on success);
 * errno is set when it returns less. */
static size_t write_all(int fd, const char *p, size_t n)
{
    size_t done = 0;
    while (done < n) {
        ssize_t r = write(fd, p + done, n - done);
        if (r < 0) {
            if (errno == EINTR)
                continue;
            return done;
        }
        if (r == 0) {
            errno = EIO;
            return done;
        }
        done += (size_t)r;
    }
    return done;
}

static size_t count_lines(const char *p, size_t n)
{
    size_t c = 0;
    for (const char *q = p; (q = memchr(q, '\n', n - (size_t)(q - p))) != NULL; q++)
        c++;
    return c;
}

static int file_flush(struct sink *s)
{
    struct file_sink *fs = (struct file_sink *)s;
    int rc = 0;
    if (fs->used) {
        size_t w = write_all(fs->fd, fs->buf, fs->used);
        if (w == fs->used) {
            s->c.written += fs->buf_lines;
        } else {
            int err = errno;
            uint64_t ok = count_lines(fs->buf, w);
            s->c.written += ok;
            s->c.failed += fs->buf_lines - ok;
            note_error(fs, err);
            rc = -1;
        }
        s->c.bytes += w;
        fs->unsynced = true;
        fs->used = 0;
        fs->buf_lines = 0;
    }
    if (fs->fsync && fs->unsynced) {
        fs->unsynced = false;
        if (fdatasync(fs->fd) != 0 && errno != EINVAL && errno != EROFS) {
            note_error(fs, errno);
            rc = -1;
        }
    }
    return rc;
}

static int file_write(struct sink *s, const struct sink_msg *m)
{
    const char *line = m->line;
    size_t len = m->len;
    struct file_sink *fs = (struct file_sink *)s;
    size_t need = len + 1;
    if (fs->used + need > fs->cap)
        file_flush(s);
    if (need > fs->cap) {
        /* larger than the whole buffer: straight out */
        struct iovec iov[2] = {{(void *)line, len}, {(void *)"\n", 1}};
        ssize_t r;
        do
            r = writev(fs->fd, iov, 2);
        while (r < 0 && errno == EINTR);
        fs->unsynced = true;
        if (r == (ssize_t)need) {
            s->c.written++;
            s->c.bytes += need;
        } else {
            if (r > 0)
                s->c.bytes += (uint64_t)r;
            s->c.failed++;
            note_error(fs, r < 0 ? errno : EIO);
        }
        return 0;
    }
    memcpy(fs->buf + fs->used, line, len);
    fs->buf[fs->used + len] = '\n';
    fs->used += need;
    fs->buf_lines++;
    if (fs->line_buffered)
        file_flush(s);
    return 0;
}

static int open_path(const char *path, mode_t mode)
{
    return open(path, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC | O_NOCTTY, mode);
}

static int file_reopen(struct sink *s)
{
    struct file_sink *fs = (struct file_sink *)s;
    int rc = file_flush(s);
    if (fs->is_stdout)
        return rc;
    int fd = open_path(fs->path, fs->mode);
    if (fd < 0) {
        note_error(fs, errno);
        return -1; /* keep writing to the old file */
    }
    close(fs->fd);
    fs->fd = fd;
    s->c.reopens++;
    return rc;
}

static void file_close(struct sink *s)
{
    struct file_sink *fs = (struct file_sink *)s;
    file_flush(s);
    if (!fs->is_stdout)
        close(fs->fd);
    free(fs->buf);
    free(fs->path);
    free(fs);
}

static const struct sink_ops file_ops = {
    .write = file_write,
    .flush = file_flush,
    .reopen = file_reopen,
    .close = file_close,
};

static struct sink *file_open(const char *arg, const struct sink_opts *o, char *err, size_t errlen)
{
    static const struct sink_opts defaults;
    if (!o)
        o = &defaults;
    struct file_sink *fs = calloc(1, sizeof *fs);
    if (!fs) {
        snprintf(err, errlen, "out of memory");
        return NULL;
    }
    fs->is_stdout = !arg || !*arg || strcmp(arg, "-") == 0;
    fs->mode = o->file_mode ? (mode_t)o->file_mode : 0640;
    fs->fsync = o->fsync;
    fs->line_buffered = o->line_buffered || (fs->is_stdout && isatty(STDOUT_FILENO));
    fs->cap = o->buffer_size ? o->buffer_size : FILE_SINK_DEFAULT_BUFFER;
    fs->buf = malloc(fs->cap);
    if (!fs->is_stdout)
        fs->path = strdup(arg);
    if (!fs->buf || (!fs->is_stdout && !fs->path)) {
        snprintf(err, errlen, "out of memory");
        goto fail;
    }
    if (fs->is_stdout) {
        fs->fd = STDOUT_FILENO;
    } else {
        fs->fd = open_path(fs->path, fs->mode);
        if (fs->fd < 0) {
            snprintf(err, errlen, "%s: %s", fs->path, strerror(errno));
            goto fail;
        }
    }
    sink_init_common(&fs->base, &file_ops, "file", fs->is_stdout ? "stdout" : fs->path, o);
    fs->base.line_only = true; /* file_write() */
    return &fs->base;
fail:
    free(fs->buf);
    free(fs->path);
    free(fs);
    return NULL;
}

const struct sink_type sink_type_file = {
    .name = "file",
    .usage = "file:PATH  append one JSON line per event to PATH ('-' or empty: stdout)",
    .open = file_open,
};
