/* outputs_cli.c - open the configured outputs (outputs_cli.h). */
#include "outputs_cli.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sink.h"

/* Append text to a malloc'd string (the old one is freed). */
static char *cat3(const char *a, const char *b, const char *c)
{
    size_t n = strlen(a) + strlen(b) + strlen(c) + 1;
    char *s = malloc(n);
    if (s)
        snprintf(s, n, "%s%s%s", a, b, c);
    return s;
}

static char *pct_encode(const char *v)
{
    size_t n = strlen(v);
    char *o = malloc(3 * n + 1), *w = o;
    if (!o)
        return NULL;
    for (const unsigned char *p = (const unsigned char *)v; *p; p++) {
        if (isalnum(*p) || strchr("-._~/:,@[]", *p))
            *w++ = (char)*p;
        else
            w += sprintf(w, "%%%02X", *p);
    }
    *w = '\0';
    return o;
}

int outputs_config_section(struct sensor_config *cfg, const char *name, const char *key, const char *val,
                           const char **why)
{
    int i;
    for (i = 0; i < cfg->n_output_sections; i++)
        if (strcmp(cfg->output_sections[i].name, name) == 0)
            break;
    if (i == cfg->n_output_sections) {
        if (i >= CONFIG_MAX_OUTPUTS || !*name || strlen(name) >= sizeof cfg->output_sections[i].name) {
            *why = !*name ? "[output.NAME] needs a name" : "too many outputs";
            return -1;
        }
        snprintf(cfg->output_sections[i].name, sizeof cfg->output_sections[i].name, "%s", name);
        cfg->output_sections[i].url = NULL;
        cfg->output_sections[i].query = strdup("");
        cfg->n_output_sections++;
    }
    struct config_output *o = &cfg->output_sections[i];
    if (strcmp(key, "url") == 0 || strcmp(key, "spec") == 0) {
        char *u = strdup(val);
        if (!u) {
            *why = "out of memory";
            return -1;
        }
        free(o->url);
        o->url = u;
        return 0;
    }
    char *enc = pct_encode(val);
    char *q = enc ? cat3(o->query, "&", key) : NULL;
    char *q2 = q ? cat3(q, "=", enc) : NULL;
    free(enc);
    free(q);
    if (!q2) {
        *why = "out of memory";
        return -1;
    }
    free(o->query);
    o->query = q2;
    return 0;
}

/* Unique, key-safe stats name: base, base_2, ... */
static void unique_name(const struct sink_set *set, const char *base, char *out, size_t cap)
{
    char clean[100];
    size_t n = 0;
    for (const char *p = base; *p && n + 1 < sizeof clean; p++)
        clean[n++] = (isalnum((unsigned char)*p) || *p == '-' || *p == '_') ? *p : '_';
    clean[n] = '\0';
    if (!n)
        snprintf(clean, sizeof clean, "output");
    for (int k = 1;; k++) {
        if (k == 1)
            snprintf(out, cap, "%s", clean);
        else
            snprintf(out, cap, "%s_%d", clean, k);
        bool taken = false;
        for (size_t i = 0; i < set->n; i++)
            if (strcmp(set->sinks[i]->name, out) == 0)
                taken = true;
        if (!taken)
            return;
    }
}

/* The type a spec names ("syslog" for "syslog+udp://..."), "file" or "stdout". */
static void spec_type(const char *spec, char *out, size_t cap)
{
    snprintf(out, cap, "%s", !spec || !strcmp(spec, "-") ? "stdout" : "file");
    const char *colon = spec ? strchr(spec, ':') : NULL;
    if (!colon)
        return;
    size_t n = strcspn(spec, ":+");
    for (const struct sink_type *const *t = sink_types(); *t; t++)
        if (strlen((*t)->name) == n && strncmp((*t)->name, spec, n) == 0) {
            snprintf(out, cap, "%s", (*t)->name);
            if (!strcmp(out, "file") && !strcmp(colon + 1, "-"))
                snprintf(out, cap, "stdout");
        }
}

static int open_one(const struct sensor_config *cfg, struct sink_set *set, const char *spec, const char *section)
{
    /* its name first (name=, the section, or the type; made unique): the
     * output's thread may use it as soon as it is open */
    char base[128] = "", name[128];
    const char *q = spec && strchr(spec, ':') ? strchr(spec, '?') : NULL;
    for (const char *p = q; p; p = strchr(p + 1, '&'))
        if (strncmp(p + 1, "name=", 5) == 0)
            snprintf(base, sizeof base, "%.*s", (int)strcspn(p + 6, "&"), p + 6);
    if (!base[0] && section)
        snprintf(base, sizeof base, "%s", section);
    if (!base[0])
        spec_type(spec, base, sizeof base);
    unique_name(set, base, name, sizeof name);
    char err[512] = "";
    struct sink_opts o;
    memset(&o, 0, sizeof o);
    o.queue_events = OUTPUTS_QUEUE_EVENTS;
    o.props = cfg->kafka_props;
    o.name = name;
    struct sink *s = sink_open(spec, &o, err, sizeof err);
    if (!s) {
        fprintf(stderr, "pptp-sensor: cannot open output %s: %s\n", spec ? spec : "stdout", err);
        return SENSOR_EXIT_FAILURE;
    }
    if (strcmp(s->name, name) != 0) {
        fprintf(stderr, "pptp-sensor: output %s: name '%s' is not usable in statistics or taken; use letters, digits, - and _\n",
                spec, s->name);
        sink_close(s);
        return SENSOR_EXIT_FAILURE;
    }
    if (sink_set_add(set, s) != 0) {
        fprintf(stderr, "pptp-sensor: too many outputs (at most %d)\n", SINK_SET_MAX);
        return SENSOR_EXIT_FAILURE;
    }
    return 0;
}

int outputs_open(const struct sensor_config *cfg, struct sink_set *set)
{
    sink_set_mode(set, cfg->interface ? SINK_MODE_DROP : SINK_MODE_BLOCK);
    sink_set_flush_timeout(set, (int64_t)cfg->flush_timeout_ns);
    int rc = 0;
    bool any = cfg->write_file || cfg->n_outputs || cfg->n_output_sections;
    if (cfg->write_file) {
        /* -w FILE: a JSON file, even if the name looks like TYPE:... */
        char *spec = cat3("file:", cfg->write_file, "");
        rc = spec ? open_one(cfg, set, strcmp(cfg->write_file, "-") ? spec : "-", NULL) : SENSOR_EXIT_FAILURE;
        free(spec);
    }
    for (int i = 0; !rc && i < cfg->n_outputs; i++)
        rc = open_one(cfg, set, cfg->outputs[i], NULL);
    for (int i = 0; !rc && i < cfg->n_output_sections; i++) {
        const struct config_output *o = &cfg->output_sections[i];
        if (!o->url) {
            fprintf(stderr, "pptp-sensor: [output.%s] has no url = ... (e.g. url = syslog+udp://host:514)\n",
                    o->name);
            return SENSOR_EXIT_FAILURE;
        }
        /* query is "&k=v&k=v" */
        bool has_q = strchr(o->url, '?') != NULL;
        char *spec = !o->query[0] ? cat3(o->url, "", "")
                     : has_q      ? cat3(o->url, "", o->query)
                                  : cat3(o->url, "?", o->query + 1);
        rc = spec ? open_one(cfg, set, spec, o->name) : SENSOR_EXIT_FAILURE;
        free(spec);
    }
    if (!rc && !any)
        rc = open_one(cfg, set, "-", NULL);
    return rc;
}

void outputs_close(struct sink_set *set, bool verbose)
{
    struct sink_report rep[SINK_SET_MAX];
    size_t n = 0;
    sink_set_close_report(set, rep, &n);
    for (size_t i = 0; i < n; i++) {
        const struct sink_report *r = &rep[i];
        bool lost = r->failed || r->dropped;
        if (!lost && !verbose)
            continue;
        fprintf(stderr,
                "pptp-sensor: output %s (%s): queued %llu, sent %llu, failed %llu, dropped %llu, truncated %llu%s\n",
                r->name, r->type, (unsigned long long)r->queued, (unsigned long long)r->written,
                (unsigned long long)r->failed, (unsigned long long)r->dropped, (unsigned long long)r->truncated,
                lost ? " (events not delivered)" : "");
    }
}
