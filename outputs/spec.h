/*
 * spec.h - output specs: "TYPE:ARG", "TYPE+TRANSPORT://TARGET?k=v&k=v",
 * "TYPE://TARGET?k=v" (docs/outputs.md).  sink_open() splits off TYPE; a sink
 * type parses its ARG with sink_spec_parse() and asks for its parameters by
 * name.  Parameters common to every type (classes, format=json|cef, name,
 * queue) are handled by sink_open() and marked as used.  Values are
 * percent-decoded (%2C, %26 ...).
 */
#ifndef PPTP_SPEC_H
#define PPTP_SPEC_H

#include <stdbool.h>
#include <stddef.h>

#define SINK_SPEC_MAX_KV 48

struct sink_spec {
    char *buf;        /* owned copy of the arg, split in place */
    char *transport;  /* "udp" for "udp://...", NULL when absent */
    char *target;     /* "127.0.0.1:5514", "/dev/log", "h1:9092,h2:9092", "/path" */
    struct {
        char *k, *v;
        bool used;
    } kv[SINK_SPEC_MAX_KV];
    int nkv;
};

/* Split arg; 0, or -1 with a message in err.  Free with sink_spec_free(). */
int sink_spec_parse(const char *arg, struct sink_spec *sp, char *err, size_t errlen);
/* The value of key (the last one when repeated), or NULL; marks it used. */
const char *sink_spec_get(struct sink_spec *sp, const char *key);
/* Call f for every parameter whose key starts with prefix (marking it used). */
void sink_spec_each(struct sink_spec *sp, const char *prefix,
                    void (*f)(void *user, const char *key, const char *val), void *user);
/* -1 with "unknown parameter 'x'" in err if any parameter was not asked for. */
int sink_spec_check(const struct sink_spec *sp, char *err, size_t errlen);
void sink_spec_free(struct sink_spec *sp);
/* Parse "1", "true", "yes", "on" / "0", "false", "no", "off". */
bool sink_spec_bool(const char *v, bool *out);
/* Parse an unsigned decimal in [min, max]. */
bool sink_spec_uint(const char *v, unsigned long long min, unsigned long long max, unsigned long long *out);
/* Split "host:port", "[v6]:port", "host" (port = defport) into host (cap bytes) and port. */
int sink_spec_hostport(const char *s, char *host, size_t cap, unsigned *port, unsigned defport);

#endif
