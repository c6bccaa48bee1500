/*
 * sink_syslog.c - events as syslog messages (docs/outputs.md).
 *
 *   syslog+udp://HOST[:514]   one message per datagram (RFC 5426)
 *   syslog+tcp://HOST[:514]   octet counting (RFC 6587 3.4.1; framing=lf for LF)
 *   syslog+tls://HOST[:6514]  RFC 5425 (OpenSSL, CA verification, optional client cert)
 *   syslog+unix:///dev/log    local datagram socket
 *
 * Header: RFC 5424 (default; RFC 3164 for unix) or RFC 3164 (format=rfc3164).
 * PRI = facility * 8 + severity (from log.level); APP-NAME app= (default
 * pptp-sensor); MSGID = event.dataset (pptp.session, pptp.alert ...);
 * HOSTNAME hostname= (default gethostname()); PROCID the pid; no structured
 * data; MSG the event in the sink's format, after "@cee: " with cee=1.
 * max= caps the whole message (header + MSG, framing not counted): the set
 * shortens longer events field by field (sink_render_max) so they stay valid.
 *
 * TCP/TLS: messages are batched in a 64 KiB buffer and sent when it is full
 * or when the queue runs empty; a lost connection is re-established with
 * exponential backoff (100 ms .. backoff_max, default 30 s) and the messages
 * that were not completely sent are sent again on the new connection, whole.
 * While disconnected the sink's thread waits, so events gather in its queue
 * (bounded; then dropped in live mode).  What the kernel accepted before the
 * peer vanished cannot be known and counts as written (syslog has no acks).
 */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netdb.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <openssl/err.h>
#include <openssl/ssl.h>
#include <openssl/x509v3.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

#include "sink.h"
#include "spec.h"

#define STREAM_BUF (64 * 1024)
#define STREAM_MAX_MSGS 2048
#define CONNECT_TIMEOUT_NS (5 * 1000000000LL)
#define SLICE_MS 100

enum transport { T_UDP, T_TCP, T_TLS, T_UNIX };
enum hdr { H_5424, H_3164 };

struct syslog_sink {
    struct sink base;
    enum transport tr;
    enum hdr hf;
    bool octet, cee, verify;
    int facility;
    char host[256];
    unsigned port;
    struct sockaddr_storage addr;
    socklen_t addrlen;
    char hostname[256], app[49], procid[16];
    size_t max; /* cap of a whole message */
    int fd;
    bool connected, ever_connected, down_reported;
    SSL_CTX *ctx;
    SSL *ssl;
    char servername[256];
    /* stream batching */
    char *buf;
    size_t used;
    uint32_t ends[STREAM_MAX_MSGS];
    size_t nmsgs;
    char *msg; /* one formatted message */
    int64_t backoff_ns, backoff_max_ns, next_try_ns;
};

static const char *const facilities[] = {
    "kern", "user", "mail", "daemon", "auth", "syslog", "lpr", "news", "uucp", "cron", "authpriv", "ftp",
    "ntp", "audit", "alert", "clock", "local0", "local1", "local2", "local3", "local4", "local5", "local6", "local7",
};

static void note_error(struct syslog_sink *ss, int err)
{
    ss->base.c.errors++;
    ss->base.c.last_errno = err;
}

static const char *target_text(struct syslog_sink *ss, char *buf, size_t cap)
{
    if (ss->tr == T_UNIX)
        snprintf(buf, cap, "%s", ss->host);
    else
        snprintf(buf, cap, "%s:%u", ss->host, ss->port);
    return buf;
}

static void ssl_errors(char *out, size_t cap)
{
    unsigned long e = ERR_get_error();
    if (e)
        ERR_error_string_n(e, out, cap);
    else
        snprintf(out, cap, "%s", strerror(errno));
    ERR_clear_error();
}

static void disconnect(struct syslog_sink *ss)
{
    if (ss->ssl) {
        SSL_free(ss->ssl);
        ss->ssl = NULL;
    }
    if (ss->fd >= 0)
        close(ss->fd);
    ss->fd = -1;
    ss->connected = false;
}

/* poll one fd for events, at most until the sink must give up or timeout_ns.
 * 1 ready, 0 timed out, -1 abort. */
static int wait_fd(struct syslog_sink *ss, short events, int64_t until_ns)
{
    for (;;) {
        if (sink_should_abort(&ss->base))
            return -1;
        int64_t now = sink_now_ns();
        if (until_ns && now >= until_ns)
            return 0;
        int ms = SLICE_MS;
        if (until_ns && (until_ns - now) / 1000000 < ms)
            ms = (int)((until_ns - now) / 1000000) + 1;
        struct pollfd p = {ss->fd, events, 0};
        int r = poll(&p, 1, ms);
        if (r > 0)
            return 1;
        if (r < 0 && errno != EINTR)
            return 1; /* let the caller's I/O call report it */
    }
}

static int tls_handshake(struct syslog_sink *ss, int64_t until, char *why, size_t whylen)
{
    ss->ssl = SSL_new(ss->ctx);
    if (!ss->ssl || !SSL_set_fd(ss->ssl, ss->fd)) {
        ssl_errors(why, whylen);
        return -1;
    }
    if (ss->servername[0]) {
        SSL_set_tlsext_host_name(ss->ssl, ss->servername);
        if (ss->verify) {
            X509_VERIFY_PARAM *vp = SSL_get0_param(ss->ssl);
            struct in6_addr a6;
            struct in_addr a4;
            if (inet_pton(AF_INET, ss->servername, &a4) == 1 || inet_pton(AF_INET6, ss->servername, &a6) == 1)
                X509_VERIFY_PARAM_set1_ip_asc(vp, ss->servername);
            else
                X509_VERIFY_PARAM_set1_host(vp, ss->servername, 0);
        }
    }
    for (;;) {
        ERR_clear_error();
        int r = SSL_connect(ss->ssl);
        if (r == 1)
            return 0;
        int e = SSL_get_error(ss->ssl, r);
        if (e == SSL_ERROR_WANT_READ || e == SSL_ERROR_WANT_WRITE) {
            int w = wait_fd(ss, e == SSL_ERROR_WANT_READ ? POLLIN : POLLOUT, until);
            if (w <= 0) {
                snprintf(why, whylen, "TLS handshake timed out");
                return -1;
            }
            continue;
        }
        long vr = SSL_get_verify_result(ss->ssl);
        if (vr != X509_V_OK)
            snprintf(why, whylen, "TLS: certificate verification failed: %s", X509_verify_cert_error_string(vr));
        else
            ssl_errors(why, whylen);
        return -1;
    }
}

/* One connection attempt.  0 or -1 with why. */
static int do_connect(struct syslog_sink *ss, char *why, size_t whylen)
{
    int type = ss->tr == T_UDP || ss->tr == T_UNIX ? SOCK_DGRAM : SOCK_STREAM;
    ss->fd = socket(ss->addr.ss_family, type | SOCK_CLOEXEC | (type == SOCK_STREAM ? SOCK_NONBLOCK : 0), 0);
    if (ss->fd < 0) {
        snprintf(why, whylen, "socket: %s", strerror(errno));
        return -1;
    }
    if (type == SOCK_DGRAM) {
        struct timeval tv = {1, 0}; /* a slow local daemon: give up on a message after 1 s */
        setsockopt(ss->fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof tv);
        if (connect(ss->fd, (struct sockaddr *)&ss->addr, ss->addrlen) != 0) {
            snprintf(why, whylen, "%s", strerror(errno));
            note_error(ss, errno);
            disconnect(ss);
            return -1;
        }
        ss->connected = true;
        return 0;
    }
    int one = 1;
    setsockopt(ss->fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
    setsockopt(ss->fd, SOL_SOCKET, SO_KEEPALIVE, &one, sizeof one);
    int64_t until = sink_now_ns() + CONNECT_TIMEOUT_NS;
    if (connect(ss->fd, (struct sockaddr *)&ss->addr, ss->addrlen) != 0) {
        if (errno != EINPROGRESS) {
            snprintf(why, whylen, "%s", strerror(errno));
            note_error(ss, errno);
            disconnect(ss);
            return -1;
        }
        if (wait_fd(ss, POLLOUT, until) <= 0) {
            snprintf(why, whylen, "connect timed out");
            note_error(ss, ETIMEDOUT);
            disconnect(ss);
            return -1;
        }
        int err = 0;
        socklen_t el = sizeof err;
        getsockopt(ss->fd, SOL_SOCKET, SO_ERROR, &err, &el);
        if (err) {
            snprintf(why, whylen, "%s", strerror(err));
            note_error(ss, err);
            disconnect(ss);
            return -1;
        }
    }
    if (ss->tr == T_TLS && tls_handshake(ss, until, why, whylen) != 0) {
        note_error(ss, EPROTO);
        disconnect(ss);
        return -1;
    }
    ss->connected = true;
    return 0;
}

/* Connect, retrying with backoff until connected or the sink must give up
 * (wait=false: one attempt if due).  0 when connected. */
static int ensure_connected(struct syslog_sink *ss, bool wait)
{
    while (!ss->connected) {
        if (sink_should_abort(&ss->base))
            return -1;
        int64_t now = sink_now_ns();
        if (now < ss->next_try_ns) {
            if (!wait)
                return -1;
            int64_t d = ss->next_try_ns - now;
            if (d > SLICE_MS * 1000000LL)
                d = SLICE_MS * 1000000LL;
            struct timespec ts = {0, (long)d};
            nanosleep(&ts, NULL);
            continue;
        }
        char why[256] = "", tgt[300];
        if (do_connect(ss, why, sizeof why) == 0) {
            if (ss->ever_connected)
                ss->base.c.reopens++;
            if (ss->down_reported)
                fprintf(stderr, "pptp-sensor: output %s: connected to %s\n", ss->base.name,
                        target_text(ss, tgt, sizeof tgt));
            ss->ever_connected = true;
            ss->down_reported = false;
            ss->backoff_ns = 0;
            return 0;
        }
        ss->backoff_ns = ss->backoff_ns ? ss->backoff_ns * 2 : 100 * 1000000LL;
        if (ss->backoff_ns > ss->backoff_max_ns)
            ss->backoff_ns = ss->backoff_max_ns;
        ss->next_try_ns = sink_now_ns() + ss->backoff_ns;
        if (!ss->down_reported) {
            fprintf(stderr, "pptp-sensor: output %s: cannot reach %s: %s (retrying with backoff)\n",
                    ss->base.name, target_text(ss, tgt, sizeof tgt), why);
            ss->down_reported = true;
        }
        if (!wait)
            return -1;
    }
    return 0;
}

/* True when the peer closed the connection (a collector sends us nothing). */
static bool peer_closed(struct syslog_sink *ss)
{
    struct pollfd p = {ss->fd, POLLIN | POLLRDHUP, 0};
    if (poll(&p, 1, 0) <= 0)
        return false;
    if (p.revents & (POLLHUP | POLLERR | POLLRDHUP))
        return true;
    char junk[512];
    if (ss->ssl) {
        int r = SSL_read(ss->ssl, junk, sizeof junk);
        if (r > 0)
            return false;
        int e = SSL_get_error(ss->ssl, r);
        ERR_clear_error();
        return e != SSL_ERROR_WANT_READ && e != SSL_ERROR_WANT_WRITE;
    }
    ssize_t r = recv(ss->fd, junk, sizeof junk, MSG_DONTWAIT);
    return r == 0 || (r < 0 && errno != EAGAIN && errno != EWOULDBLOCK && errno != EINTR);
}

/* Send some of p on the stream.  >0 bytes sent, -1 error (errno), -2 abort. */
static ssize_t stream_send(struct syslog_sink *ss, const char *p, size_t n)
{
    for (;;) {
        if (ss->ssl) {
            ERR_clear_error();
            int r = SSL_write(ss->ssl, p, (int)(n > (1u << 30) ? (1u << 30) : n));
            if (r > 0)
                return r;
            int e = SSL_get_error(ss->ssl, r);
            if (e == SSL_ERROR_WANT_WRITE || e == SSL_ERROR_WANT_READ) {
                if (wait_fd(ss, e == SSL_ERROR_WANT_READ ? POLLIN : POLLOUT, 0) < 0)
                    return -2;
                continue;
            }
            errno = e == SSL_ERROR_SYSCALL && errno ? errno : EPIPE;
            return -1;
        }
        ssize_t r = send(ss->fd, p, n, MSG_NOSIGNAL);
        if (r >= 0)
            return r;
        if (errno == EINTR)
            continue;
        if (errno == EAGAIN || errno == EWOULDBLOCK) {
            if (wait_fd(ss, POLLOUT, 0) < 0)
                return -2;
            continue;
        }
        return -1;
    }
}

/* Send the batch; on a broken connection reconnect and resend whole messages. */
static int stream_flush(struct syslog_sink *ss)
{
    struct sink *s = &ss->base;
    size_t off = 0, done_msgs = 0;
    int rc = 0;
    while (done_msgs < ss->nmsgs) {
        if (ss->connected && peer_closed(ss)) {
            note_error(ss, EPIPE);
            disconnect(ss);
        }
        if (ensure_connected(ss, true) != 0) {
            rc = -1;
            break;
        }
        ssize_t w = stream_send(ss, ss->buf + off, ss->used - off);
        if (w == -2) {
            rc = -1;
            break;
        }
        if (w < 0) {
            char tgt[300];
            note_error(ss, errno);
            fprintf(stderr, "pptp-sensor: output %s: connection to %s lost: %s (reconnecting)\n", s->name,
                    target_text(ss, tgt, sizeof tgt), strerror(errno));
            ss->down_reported = true;
            disconnect(ss);
            /* resend from the first message not completely sent */
            off = done_msgs ? ss->ends[done_msgs - 1] : 0;
            continue;
        }
        off += (size_t)w;
        while (done_msgs < ss->nmsgs && ss->ends[done_msgs] <= off) {
            size_t start = done_msgs ? ss->ends[done_msgs - 1] : 0;
            s->c.bytes += ss->ends[done_msgs] - start;
            s->c.written++;
            done_msgs++;
        }
    }
    if (done_msgs < ss->nmsgs)
        s->c.failed += ss->nmsgs - done_msgs;
    ss->used = 0;
    ss->nmsgs = 0;
    return rc;
}

/* Format the syslog message for m into ss->msg.  Returns its length or 0. */
static size_t format_msg(struct syslog_sink *ss, const struct sink_msg *m)
{
    static const char *const msgids[] = {"pptp.session", "pptp.alert", "pptp.frag", "pptp.stats"};
    const char *msgid = (unsigned)m->cls < EV_CLASS_COUNT ? msgids[m->cls] : "-";
    unsigned pri = (unsigned)ss->facility * 8u + (m->severity & 7u);
    size_t cap = ss->max + 1;
    int n;
    if (ss->hf == H_5424) {
        char ts[EV_TIME_BUFSZ];
        ev_format_time(m->time_ns, ts);
        n = snprintf(ss->msg, cap, "<%u>1 %s %s %s %s %s - %s", pri, ts, ss->hostname, ss->app, ss->procid, msgid,
                     ss->cee ? "@cee: " : "");
    } else {
        static const char *const mon[] = {"Jan", "Feb", "Mar", "Apr", "May", "Jun",
                                          "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};
        time_t t = (time_t)(m->time_ns / 1000000000LL);
        struct tm tm;
        localtime_r(&t, &tm);
        if (ss->tr == T_UNIX) /* local convention: no HOSTNAME */
            n = snprintf(ss->msg, cap, "<%u>%s %2d %02d:%02d:%02d %s[%s]: %s", pri, mon[tm.tm_mon], tm.tm_mday,
                         tm.tm_hour, tm.tm_min, tm.tm_sec, ss->app, ss->procid, ss->cee ? "@cee: " : "");
        else
            n = snprintf(ss->msg, cap, "<%u>%s %2d %02d:%02d:%02d %s %s[%s]: %s", pri, mon[tm.tm_mon], tm.tm_mday,
                         tm.tm_hour, tm.tm_min, tm.tm_sec, ss->hostname, ss->app, ss->procid,
                         ss->cee ? "@cee: " : "");
    }
    if (n < 0 || (size_t)n + m->len > ss->max)
        return 0;
    memcpy(ss->msg + n, m->line, m->len);
    return (size_t)n + m->len;
}

static int sl_write(struct sink *s, const struct sink_msg *m)
{
    struct syslog_sink *ss = (struct syslog_sink *)s;
    size_t n = format_msg(ss, m);
    if (!n)
        return -1; /* longer than max even after shortening: dropped */
    if (ss->tr == T_UDP || ss->tr == T_UNIX) {
        if (!ss->connected && ensure_connected(ss, false) != 0) {
            s->c.failed++;
            return 0;
        }
        ssize_t r = send(ss->fd, ss->msg, n, MSG_NOSIGNAL);
        if (r == (ssize_t)n) {
            s->c.written++;
            s->c.bytes += n;
        } else {
            s->c.failed++;
            note_error(ss, r < 0 ? errno : EMSGSIZE);
            if (ss->tr == T_UNIX && r < 0 && errno != EAGAIN && errno != EMSGSIZE)
                disconnect(ss); /* the daemon restarted: reconnect next time */
        }
        return 0;
    }
    char frame[16] = "";
    size_t fl = 0;
    if (ss->octet)
        fl = (size_t)snprintf(frame, sizeof frame, "%zu ", n);
    size_t need = fl + n + (ss->octet ? 0 : 1);
    if (ss->used + need > STREAM_BUF || ss->nmsgs == STREAM_MAX_MSGS)
        stream_flush(ss);
    memcpy(ss->buf + ss->used, frame, fl);
    memcpy(ss->buf + ss->used + fl, ss->msg, n);
    ss->used += fl + n;
    if (!ss->octet)
        ss->buf[ss->used++] = '\n';
    ss->ends[ss->nmsgs++] = (uint32_t)ss->used;
    return 0;
}

static int sl_flush(struct sink *s)
{
    struct syslog_sink *ss = (struct syslog_sink *)s;
    if (ss->tr == T_UDP || ss->tr == T_UNIX)
        return 0;
    if (ss->nmsgs == 0) {
        if (ss->connected && peer_closed(ss)) {
            note_error(ss, EPIPE);
            disconnect(ss);
        }
        return 0;
    }
    return stream_flush(ss);
}

static int sl_reopen(struct sink *s)
{
    struct syslog_sink *ss = (struct syslog_sink *)s;
    sl_flush(s);
    disconnect(ss);
    ss->next_try_ns = 0;
    return ss->tr == T_UDP || ss->tr == T_UNIX ? ensure_connected(ss, false) : 0;
}

static void sl_close(struct sink *s)
{
    struct syslog_sink *ss = (struct syslog_sink *)s;
    if (ss->nmsgs)
        stream_flush(ss);
    if (ss->ssl)
        SSL_shutdown(ss->ssl);
    disconnect(ss);
    if (ss->ctx)
        SSL_CTX_free(ss->ctx);
    free(ss->buf);
    free(ss->msg);
    free(ss);
}

static const struct sink_ops sl_ops = {
    .write = sl_write,
    .flush = sl_flush,
    .reopen = sl_reopen,
    .close = sl_close,
    .finish = NULL,
};

static bool valid_token(const char *s, size_t max)
{
    size_t n = strlen(s);
    if (n == 0 || n > max)
        return false;
    for (size_t i = 0; i < n; i++)
        if (s[i] <= 32 || s[i] >= 127)
            return false;
    return true;
}

static struct sink *sl_open(const char *arg, const struct sink_opts *o, char *err, size_t errlen)
{
    struct sink_spec sp;
    if (sink_spec_parse(arg, &sp, err, errlen))
        return NULL;
    struct syslog_sink *ss = calloc(1, sizeof *ss);
    if (!ss) {
        snprintf(err, errlen, "out of memory");
        sink_spec_free(&sp);
        return NULL;
    }
    ss->fd = -1;
    const char *v;
    const char *tr = sp.transport ? sp.transport : "udp";
    if (!strcmp(tr, "udp"))
        ss->tr = T_UDP;
    else if (!strcmp(tr, "tcp"))
        ss->tr = T_TCP;
    else if (!strcmp(tr, "tls"))
        ss->tr = T_TLS;
    else if (!strcmp(tr, "unix"))
        ss->tr = T_UNIX;
    else {
        snprintf(err, errlen, "unknown syslog transport '%s' (udp, tcp, tls, unix)", tr);
        goto fail;
    }
    ss->hf = ss->tr == T_UNIX ? H_3164 : H_5424;
    for (int i = 0; i < sp.nkv; i++) {
        if (strcmp(sp.kv[i].k, "format") != 0)
            continue;
        if (!strcmp(sp.kv[i].v, "rfc5424") || !strcmp(sp.kv[i].v, "5424"))
            ss->hf = H_5424;
        else if (!strcmp(sp.kv[i].v, "rfc3164") || !strcmp(sp.kv[i].v, "3164") || !strcmp(sp.kv[i].v, "bsd"))
            ss->hf = H_3164;
        else if (!sp.kv[i].used) { /* json and cef were taken by sink_open */
            snprintf(err, errlen, "format=%s: expected rfc5424, rfc3164, json or cef", sp.kv[i].v);
            goto fail;
        }
        sp.kv[i].used = true;
    }
    ss->facility = 16; /* local0 */
    if ((v = sink_spec_get(&sp, "facility"))) {
        unsigned long long u;
        ss->facility = -1;
        for (int f = 0; f < 24; f++)
            if (!strcmp(v, facilities[f]))
                ss->facility = f;
        if (ss->facility < 0 && sink_spec_uint(v, 0, 23, &u))
            ss->facility = (int)u;
        if (ss->facility < 0) {
            snprintf(err, errlen, "facility=%s: expected kern, user, daemon, auth, local0..local7 or 0..23", v);
            goto fail;
        }
    }
    snprintf(ss->app, sizeof ss->app, "%s", "pptp-sensor");
    if ((v = sink_spec_get(&sp, "app"))) {
        if (!valid_token(v, 48)) {
            snprintf(err, errlen, "app=%s: 1..48 printable characters, no spaces", v);
            goto fail;
        }
        snprintf(ss->app, sizeof ss->app, "%s", v);
    }
    if ((v = sink_spec_get(&sp, "hostname"))) {
        snprintf(ss->hostname, sizeof ss->hostname, "%s", v);
    } else if (gethostname(ss->hostname, sizeof ss->hostname - 1) != 0) {
        snprintf(ss->hostname, sizeof ss->hostname, "-");
    }
    if (!valid_token(ss->hostname, 255)) {
        snprintf(err, errlen, "hostname '%s': 1..255 printable characters, no spaces", ss->hostname);
        goto fail;
    }
    snprintf(ss->procid, sizeof ss->procid, "%ld", (long)getpid());
    bool b;
    if ((v = sink_spec_get(&sp, "cee"))) {
        if (!sink_spec_bool(v, &ss->cee)) {
            snprintf(err, errlen, "cee=%s: expected 0 or 1", v);
            goto fail;
        }
    }
    ss->octet = true;
    if ((v = sink_spec_get(&sp, "framing"))) {
        if (!strcmp(v, "octet") || !strcmp(v, "octet-counting"))
            ss->octet = true;
        else if (!strcmp(v, "lf"))
            ss->octet = false;
        else {
            snprintf(err, errlen, "framing=%s: expected octet or lf", v);
            goto fail;
        }
    }
    ss->max = 8192;
    unsigned long long u;
    if ((v = sink_spec_get(&sp, "max"))) {
        if (!sink_spec_uint(v, 256, 65000, &u)) {
            snprintf(err, errlen, "max=%s: expected 256..65000 bytes", v);
            goto fail;
        }
        ss->max = (size_t)u;
    }
    ss->backoff_max_ns = 30 * 1000000000LL;
    if ((v = sink_spec_get(&sp, "backoff_max"))) {
        if (!sink_spec_uint(v, 1, 3600000, &u)) {
            snprintf(err, errlen, "backoff_max=%s: expected milliseconds, 1..3600000", v);
            goto fail;
        }
        ss->backoff_max_ns = (int64_t)u * 1000000LL;
    }
    /* destination */
    if (ss->tr == T_UNIX) {
        const char *path = sp.target && *sp.target ? sp.target : "/dev/log";
        struct sockaddr_un *un = (struct sockaddr_un *)&ss->addr;
        if (strlen(path) >= sizeof un->sun_path) {
            snprintf(err, errlen, "socket path too long: %s", path);
            goto fail;
        }
        un->sun_family = AF_UNIX;
        snprintf(un->sun_path, sizeof un->sun_path, "%s", path);
        ss->addrlen = sizeof *un;
        snprintf(ss->host, sizeof ss->host, "%s", path);
    } else {
        if (sink_spec_hostport(sp.target, ss->host, sizeof ss->host, &ss->port, ss->tr == T_TLS ? 6514 : 514)) {
            snprintf(err, errlen, "expected HOST[:PORT] after %s://, got '%s'", tr, sp.target);
            goto fail;
        }
        struct addrinfo hints = {0}, *res = NULL;
        hints.ai_socktype = ss->tr == T_UDP ? SOCK_DGRAM : SOCK_STREAM;
        char port[8];
        snprintf(port, sizeof port, "%u", ss->port);
        int gr = getaddrinfo(ss->host, port, &hints, &res);
        if (gr != 0 || !res) {
            snprintf(err, errlen, "%s: %s", ss->host, gai_strerror(gr));
            goto fail;
        }
        memcpy(&ss->addr, res->ai_addr, res->ai_addrlen);
        ss->addrlen = res->ai_addrlen;
        freeaddrinfo(res);
    }
    if (ss->tr == T_TLS) {
        ss->verify = true;
        if ((v = sink_spec_get(&sp, "verify")) && !sink_spec_bool(v, &ss->verify)) {
            snprintf(err, errlen, "verify=%s: expected 0 or 1", v);
            goto fail;
        }
        snprintf(ss->servername, sizeof ss->servername, "%s", (v = sink_spec_get(&sp, "servername")) ? v : ss->host);
        ss->ctx = SSL_CTX_new(TLS_client_method());
        if (!ss->ctx)
            goto ssl_fail;
        SSL_CTX_set_min_proto_version(ss->ctx, TLS1_2_VERSION);
        SSL_CTX_set_mode(ss->ctx, SSL_MODE_ENABLE_PARTIAL_WRITE | SSL_MODE_ACCEPT_MOVING_WRITE_BUFFER);
        const char *ca = sink_spec_get(&sp, "ca");
        if (ca) {
            if (SSL_CTX_load_verify_locations(ss->ctx, ca, NULL) != 1) {
                char e[200];
                ssl_errors(e, sizeof e);
                snprintf(err, errlen, "ca=%s: %s", ca, e);
                goto fail;
            }
        } else if (SSL_CTX_set_default_verify_paths(ss->ctx) != 1) {
            goto ssl_fail;
        }
        SSL_CTX_set_verify(ss->ctx, ss->verify ? SSL_VERIFY_PEER : SSL_VERIFY_NONE, NULL);
        const char *cert = sink_spec_get(&sp, "cert"), *key = sink_spec_get(&sp, "key");
        if (cert || key) {
            if (!cert || !key) {
                snprintf(err, errlen, "a client certificate needs both cert= and key=");
                goto fail;
            }
            if (SSL_CTX_use_certificate_chain_file(ss->ctx, cert) != 1 ||
                SSL_CTX_use_PrivateKey_file(ss->ctx, key, SSL_FILETYPE_PEM) != 1 ||
                SSL_CTX_check_private_key(ss->ctx) != 1) {
                char e[200];
                ssl_errors(e, sizeof e);
                snprintf(err, errlen, "cert=%s key=%s: %s", cert, key, e);
                goto fail;
            }
        }
    }
    (void)b;
    if (sink_spec_check(&sp, err, errlen))
        goto fail;
    ss->msg = malloc(ss->max + 1);
    if (ss->tr == T_TCP || ss->tr == T_TLS)
        ss->buf = malloc(STREAM_BUF);
    if (!ss->msg || ((ss->tr == T_TCP || ss->tr == T_TLS) && !ss->buf)) {
        snprintf(err, errlen, "out of memory");
        goto fail;
    }
    char label[300], tgt[280];
    snprintf(label, sizeof label, "syslog+%s://%s", tr, target_text(ss, tgt, sizeof tgt));
    sink_init_common(&ss->base, &sl_ops, "syslog", label, o);
    /* header bound: PRI, version, timestamp, names, MSGID, SD, cee cookie */
    size_t hdr = 7 + EV_TIME_BUFSZ + strlen(ss->hostname) + strlen(ss->app) + strlen(ss->procid) + 16 + 8 + 8;
    if (ss->max <= hdr + 64) {
        snprintf(err, errlen, "max=%zu leaves no room for the event after a %zu-byte header", ss->max, hdr);
        goto fail;
    }
    ss->base.max_len = ss->max - hdr;
    sink_spec_free(&sp);
    /* datagram sockets: connect now so a bad socket path shows at once (not fatal) */
    if (ss->tr == T_UDP || ss->tr == T_UNIX)
        ensure_connected(ss, false);
    return &ss->base;
ssl_fail : {
    char e[200];
    ssl_errors(e, sizeof e);
    snprintf(err, errlen, "TLS: %s", e);
}
fail:
    sink_spec_free(&sp);
    if (ss->ctx)
        SSL_CTX_free(ss->ctx);
    free(ss->msg);
    free(ss->buf);
    free(ss);
    return NULL;
}

const struct sink_type sink_type_syslog = {
    .name = "syslog",
    .usage = "syslog+udp://HOST[:514], syslog+tcp://HOST[:514], syslog+tls://HOST[:6514], syslog+unix:///dev/log\n"
             "      ?format=rfc5424|rfc3164 facility=local0 app=pptp-sensor hostname=H max=8192 cee=0|1\n"
             "       framing=octet|lf (tcp) ca=FILE cert=FILE key=FILE verify=1 servername=H (tls) backoff_max=MS",
    .open = sl_open,
};
