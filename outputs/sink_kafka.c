/*
 * sink_kafka.c - events to Kafka with librdkafka (docs/outputs.md).
 *
 *   kafka://HOST:PORT[,HOST:PORT...]?topic_prefix=pptp.&single_topic=T&compression=lz4&idempotence=1&X.prop=v
 *
 * One topic per event class, prefix + class (pptp.session, pptp.alert,
 * pptp.frag, pptp.stats), or everything in single_topic.  Message key: the
 * event's pptp.session_id (else pptp.control_id, else none), so one session's
 * events go to one partition (murmur2 partitioner, as Java clients) and, with
 * the idempotent producer (on by default), stay in order across retries.
 * librdkafka properties: sink_opts.props (-X key=value) then X.key=value in
 * the spec, applied after the defaults.
 *
 * Counting: written and failed come from delivery reports (served by the
 * sink's thread through flush(), i.e. rd_kafka_poll()).  A broker that is
 * down does not stop anything: messages wait in librdkafka's queue; when
 * that is full the sink's thread waits (and its own queue fills).  At
 * shutdown finish() waits for delivery until the deadline, then purges what
 * is left; purged messages are counted failed.
 */
#define _GNU_SOURCE
#include <librdkafka/rdkafka.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sink.h"
#include "spec.h"

#define NTOPICS (EV_CLASS_COUNT + 1) /* + one for unclassified events */

struct kafka_sink {
    struct sink base;
    rd_kafka_t *rk;
    rd_kafka_topic_t *topics[NTOPICS];
    unsigned writes;
    _Atomic int64_t next_log_ns; /* rate limit for librdkafka's complaints */
    _Atomic uint64_t suppressed;
};

static void say(struct kafka_sink *ks, const char *what)
{
    int64_t now = sink_now_ns();
    int64_t next = atomic_load(&ks->next_log_ns);
    if (now < next || !atomic_compare_exchange_strong(&ks->next_log_ns, &next, now + 10 * 1000000000LL)) {
        atomic_fetch_add(&ks->suppressed, 1);
        return;
    }
    uint64_t sup = atomic_exchange(&ks->suppressed, 0);
    if (sup)
        fprintf(stderr, "pptp-sensor: output %s: kafka: %s (%llu similar messages suppressed)\n", ks->base.name, what,
                (unsigned long long)sup);
    else
        fprintf(stderr, "pptp-sensor: output %s: kafka: %s\n", ks->base.name, what);
}

static void dr_cb(rd_kafka_t *rk, const rd_kafka_message_t *m, void *opaque)
{
    (void)rk;
    struct kafka_sink *ks = opaque;
    if (m->err) {
        ks->base.c.failed++;
        ks->base.c.errors++;
        if (m->err != RD_KAFKA_RESP_ERR__PURGE_QUEUE && m->err != RD_KAFKA_RESP_ERR__PURGE_INFLIGHT) {
            char buf[300];
            snprintf(buf, sizeof buf, "delivery failed: %s", rd_kafka_err2str(m->err));
            say(ks, buf);
        }
    } else {
        ks->base.c.written++;
        ks->base.c.bytes += m->len;
    }
}

static void error_cb(rd_kafka_t *rk, int err, const char *reason, void *opaque)
{
    (void)rk;
    (void)err;
    struct kafka_sink *ks = opaque;
    ks->base.c.errors++;
    say(ks, reason);
}

static void log_cb(const rd_kafka_t *rk, int level, const char *fac, const char *buf)
{
    struct kafka_sink *ks = rd_kafka_opaque(rk);
    if (level > 4 || !ks)
        return;
    char line[512];
    snprintf(line, sizeof line, "%s: %s", fac, buf);
    say(ks, line);
}

static int kf_write(struct sink *s, const struct sink_msg *m)
{
    struct kafka_sink *ks = (struct kafka_sink *)s;
    unsigned t = (unsigned)m->cls < EV_CLASS_COUNT ? (unsigned)m->cls : EV_CLASS_COUNT;
    for (;;) {
        if (rd_kafka_produce(ks->topics[t], RD_KAFKA_PARTITION_UA, RD_KAFKA_MSG_F_COPY, (void *)m->line, m->len,
                             m->key_len ? m->key : NULL, m->key_len, NULL) == 0)
            break;
        rd_kafka_resp_err_t err = rd_kafka_last_error();
        if (err == RD_KAFKA_RESP_ERR__QUEUE_FULL && !sink_should_abort(s)) {
            rd_kafka_poll(ks->rk, 100); /* wait for room: backpressure into our queue */
            continue;
        }
        s->c.failed++;
        s->c.errors++;
        char buf[300];
        snprintf(buf, sizeof buf, "cannot produce: %s", rd_kafka_err2str(err));
        say(ks, buf);
        return 0;
    }
    if (++ks->writes % 64 == 0)
        rd_kafka_poll(ks->rk, 0);
    return 0;
}

static int kf_flush(struct sink *s)
{
    rd_kafka_poll(((struct kafka_sink *)s)->rk, 0);
    return 0;
}

static int kf_finish(struct sink *s)
{
    struct kafka_sink *ks = (struct kafka_sink *)s;
    int64_t left = s->deadline_ns ? s->deadline_ns - sink_now_ns() : 10 * 1000000000LL;
    int ms = left > 0 ? (int)(left / 1000000) : 0;
    if (atomic_load(&s->abort_))
        ms = 0;
    rd_kafka_resp_err_t err = rd_kafka_flush(ks->rk, ms);
    if (err == RD_KAFKA_RESP_ERR__TIMED_OUT) {
        int n = rd_kafka_outq_len(ks->rk);
        rd_kafka_purge(ks->rk, RD_KAFKA_PURGE_F_QUEUE | RD_KAFKA_PURGE_F_INFLIGHT);
        /* serve the purged messages' delivery reports (they count as failed) */
        int64_t until = sink_now_ns() + 1000000000LL;
        while (sink_pending(s) && sink_now_ns() < until)
            rd_kafka_poll(ks->rk, 10);
        fprintf(stderr, "pptp-sensor: output %s: kafka: %d messages not delivered within the flush timeout\n",
                s->name, n);
        return -1;
    }
    rd_kafka_poll(ks->rk, 0);
    return 0;
}

static void kf_close(struct sink *s)
{
    struct kafka_sink *ks = (struct kafka_sink *)s;
    if (ks->rk) {
        kf_finish(s);
        for (int i = 0; i < NTOPICS; i++)
            if (ks->topics[i])
                rd_kafka_topic_destroy(ks->topics[i]);
        rd_kafka_destroy(ks->rk);
    }
    free(ks);
}

static const struct sink_ops kf_ops = {
    .write = kf_write,
    .flush = kf_flush,
    .reopen = NULL,
    .close = kf_close,
    .finish = kf_finish,
};

struct conf_ctx {
    rd_kafka_conf_t *conf;
    char *err;
    size_t errlen;
    int rc;
};

static void set_prop(void *user, const char *key, const char *val)
{
    struct conf_ctx *c = user;
    if (c->rc)
        return;
    if (!strncmp(key, "X.", 2))
        key += 2;
    char e[256];
    if (rd_kafka_conf_set(c->conf, key, val, e, sizeof e) != RD_KAFKA_CONF_OK) {
        snprintf(c->err, c->errlen, "kafka property %s=%s: %s", key, val, e);
        c->rc = -1;
    }
}

static struct sink *kf_open(const char *arg, const struct sink_opts *o, char *err, size_t errlen)
{
    struct sink_spec sp;
    if (sink_spec_parse(arg, &sp, err, errlen))
        return NULL;
    struct kafka_sink *ks = calloc(1, sizeof *ks);
    rd_kafka_conf_t *conf = rd_kafka_conf_new();
    struct conf_ctx c = {conf, err, errlen, 0};
    if (!ks || !conf) {
        snprintf(err, errlen, "out of memory");
        goto fail;
    }
    if (sp.transport || !sp.target || !*sp.target) {
        snprintf(err, errlen, "expected kafka://HOST:PORT[,HOST:PORT...]");
        goto fail;
    }
    const char *v;
    set_prop(&c, "bootstrap.servers", sp.target);
    set_prop(&c, "client.id", "pptp-sensor");
    set_prop(&c, "partitioner", "murmur2_random");
    bool idem = true;
    if ((v = sink_spec_get(&sp, "idempotence")) && !sink_spec_bool(v, &idem)) {
        snprintf(err, errlen, "idempotence=%s: expected 0 or 1", v);
        goto fail;
    }
    set_prop(&c, "enable.idempotence", idem ? "true" : "false");
    if ((v = sink_spec_get(&sp, "compression"))) {
        if (strcmp(v, "none") && strcmp(v, "lz4") && strcmp(v, "zstd") && strcmp(v, "gzip") && strcmp(v, "snappy")) {
            snprintf(err, errlen, "compression=%s: expected none, lz4, zstd, gzip or snappy", v);
            goto fail;
        }
        set_prop(&c, "compression.codec", v);
    }
    for (const char *const *p = o->props; p && *p; p++) {
        char kv[512];
        snprintf(kv, sizeof kv, "%s", *p);
        char *eq = strchr(kv, '=');
        if (!eq) {
            snprintf(err, errlen, "kafka property '%s': expected key=value", *p);
            goto fail;
        }
        *eq = '\0';
        set_prop(&c, kv, eq + 1);
    }
    sink_spec_each(&sp, "X.", set_prop, &c);
    if (c.rc)
        goto fail;
    char prefix[200] = "pptp.", single[250] = "";
    if ((v = sink_spec_get(&sp, "topic_prefix")))
        snprintf(prefix, sizeof prefix, "%s", v);
    if ((v = sink_spec_get(&sp, "single_topic")) || (v = sink_spec_get(&sp, "topic")))
        snprintf(single, sizeof single, "%s", v);
    if (sink_spec_check(&sp, err, errlen))
        goto fail;
    char label[300];
    snprintf(label, sizeof label, "kafka://%s", sp.target);
    sink_init_common(&ks->base, &kf_ops, "kafka", label, o);
    rd_kafka_conf_set_opaque(conf, ks);
    rd_kafka_conf_set_dr_msg_cb(conf, dr_cb);
    rd_kafka_conf_set_error_cb(conf, error_cb);
    rd_kafka_conf_set_log_cb(conf, log_cb);
    /* librdkafka's threads inherit our mask: keep signals for the main loop */
    sigset_t all, old;
    sigfillset(&all);
    pthread_sigmask(SIG_BLOCK, &all, &old);
    char e[512];
    ks->rk = rd_kafka_new(RD_KAFKA_PRODUCER, conf, e, sizeof e);
    pthread_sigmask(SIG_SETMASK, &old, NULL);
    if (!ks->rk) {
        snprintf(err, errlen, "kafka: %s", e);
        goto fail;
    }
    conf = NULL; /* owned by rk now */
    for (int i = 0; i < NTOPICS; i++) {
        char name[512];
        if (single[0])
            snprintf(name, sizeof name, "%s", single);
        else
            snprintf(name, sizeof name, "%s%s", prefix, ev_class_name(i < EV_CLASS_COUNT ? (ev_class)i : EV_CLASS_UNKNOWN));
        ks->topics[i] = rd_kafka_topic_new(ks->rk, name, NULL);
        if (!ks->topics[i]) {
            snprintf(err, errlen, "kafka topic %s: %s", name, rd_kafka_err2str(rd_kafka_last_error()));
            goto fail;
        }
    }
    sink_spec_free(&sp);
    return &ks->base;
fail:
    sink_spec_free(&sp);
    if (conf)
        rd_kafka_conf_destroy(conf);
    if (ks && ks->rk) {
        for (int i = 0; i < NTOPICS; i++)
            if (ks->topics[i])
                rd_kafka_topic_destroy(ks->topics[i]);
        rd_kafka_destroy(ks->rk);
    }
    free(ks);
    return NULL;
}

const struct sink_type sink_type_kafka = {
    .name = "kafka",
    .usage = "kafka://HOST:PORT[,HOST:PORT]?topic_prefix=pptp.&single_topic=T&compression=none|lz4|zstd\n"
             "       &idempotence=1&X.PROPERTY=VALUE (librdkafka; also -X PROPERTY=VALUE); key = pptp.session_id",
    .open = kf_open,
};
