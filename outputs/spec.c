/* spec.c - output spec parsing (spec.h). */
#include "spec.h"

#include "sink.h"

#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int hexval(int c)
{
    if (c >= '0' && c <= '9')
        return c - '0';
    c = tolower(c);
    if (c >= 'a' && c <= 'f')
        return c - 'a' + 10;
    return -1;
}

/* Percent-decode in place. */
static void pct_decode(char *s)
{
    char *w = s;
    for (char *r = s; *r; r++) {
        int a, b;
        if (*r == '%' && (a = hexval(r[1])) >= 0 && (b = hexval(r[2])) >= 0) {
            *w++ = (char)(a * 16 + b);
            r += 2;
        } else {
            *w++ = *r;
        }
    }
    *w = '\0';
}

int sink_spec_parse(const char *arg, struct sink_spec *sp, char *err, size_t errlen)
{
    memset(sp, 0, sizeof *sp);
    sp->buf = strdup(arg ? arg : "");
    if (!sp->buf) {
        snprintf(err, errlen, "out of memory");
        return -1;
    }
    char *p = sp->buf;
    char *sep = strstr(p, "://");
    if (sep) {
        bool scheme = sep > p;
        for (char *q = p; q < sep; q++)
            if (!isalnum((unsigned char)*q) && *q != '-')
                scheme = false;
        if (scheme) {
            *sep = '\0';
            sp->transport = p;
            p = sep + 3;
        }
    }
    if (!sp->transport && p[0] == '/' && p[1] == '/')
        p += 2;
    sp->target = p;
    char *qm = strchr(p, '?');
    if (qm) {
        *qm = '\0';
        char *save = NULL;
        for (char *tok = strtok_r(qm + 1, "&", &save); tok; tok = strtok_r(NULL, "&", &save)) {
            if (sp->nkv >= SINK_SPEC_MAX_KV) {
                snprintf(err, errlen, "too many parameters");
                sink_spec_free(sp);
                return -1;
            }
            char *eq = strchr(tok, '=');
            if (!eq || eq == tok) {
                snprintf(err, errlen, "parameter '%s' is not key=value", tok);
                sink_spec_free(sp);
                return -1;
            }
            *eq = '\0';
            pct_decode(tok);
            pct_decode(eq + 1);
            sp->kv[sp->nkv].k = tok;
            sp->kv[sp->nkv].v = eq + 1;
            sp->nkv++;
        }
    }
    pct_decode(sp->target);
    /* the parameters sink_open() handles for every type */
    for (int i = 0; i < sp->nkv; i++) {
        enum sink_format f;
        const char *k = sp->kv[i].k;
        if (!strcmp(k, "classes") || !strcmp(k, "name") || !strcmp(k, "queue") || !strcmp(k, "fsync") ||
            !strcmp(k, "line_buffered") ||
            (!strcmp(k, "format") && sink_format_parse(sp->kv[i].v, &f)))
            sp->kv[i].used = true;
    }
    return 0;
}

const char *sink_spec_get(struct sink_spec *sp, const char *key)
{
    const char *v = NULL;
    for (int i = 0; i < sp->nkv; i++)
        if (strcmp(sp->kv[i].k, key) == 0) {
            sp->kv[i].used = true;
            v = sp->kv[i].v;
        }
    return v;
}

void sink_spec_each(struct sink_spec *sp, const char *prefix,
                    void (*f)(void *user, const char *key, const char *val), void *user)
{
    size_t n = strlen(prefix);
    for (int i = 0; i < sp->nkv; i++)
        if (strncmp(sp->kv[i].k, prefix, n) == 0) {
            sp->kv[i].used = true;
            f(user, sp->kv[i].k, sp->kv[i].v);
        }
}

int sink_spec_check(const struct sink_spec *sp, char *err, size_t errlen)
{
    for (int i = 0; i < sp->nkv; i++)
        if (!sp->kv[i].used) {
            snprintf(err, errlen, "unknown parameter '%s'", sp->kv[i].k);
            return -1;
        }
    return 0;
}

void sink_spec_free(struct sink_spec *sp)
{
    free(sp->buf);
    memset(sp, 0, sizeof *sp);
}

bool sink_spec_bool(const char *v, bool *out)
{
    if (!v)
        return false;
    if (!strcmp(v, "1") || !strcmp(v, "true") || !strcmp(v, "yes") || !strcmp(v, "on")) {
        *out = true;
        return true;
    }
    if (!strcmp(v, "0") || !strcmp(v, "false") || !strcmp(v, "no") || !strcmp(v, "off")) {
        *out = false;
        return true;
    }
    return false;
}

bool sink_spec_uint(const char *v, unsigned long long min, unsigned long long max, unsigned long long *out)
{
    if (!v || !isdigit((unsigned char)*v))
        return false;
    errno = 0;
    char *end;
    unsigned long long u = strtoull(v, &end, 10);
    if (errno || *end || u < min || u > max)
        return false;
    *out = u;
    return true;
}

int sink_spec_hostport(const char *s, char *host, size_t cap, unsigned *port, unsigned defport)
{
    const char *h = s, *he, *ps = NULL;
    if (*s == '[') {
        h = s + 1;
        he = strchr(h, ']');
        if (!he)
            return -1;
        if (he[1] == ':')
            ps = he + 2;
        else if (he[1])
            return -1;
    } else {
        he = strrchr(s, ':');
        if (he && strchr(s, ':') != he)
            he = NULL; /* bare IPv6 without brackets: no port */
        if (he)
            ps = he + 1;
        else
            he = s + strlen(s);
    }
    size_t n = (size_t)(he - h);
    if (n == 0 || n >= cap)
        return -1;
    memcpy(host, h, n);
    host[n] = '\0';
    *port = defport;
    if (ps) {
        unsigned long long u;
        if (!sink_spec_uint(ps, 1, 65535, &u))
            return -1;
        *port = (unsigned)u;
    }
    return 0;
}
