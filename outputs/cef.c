/* cef.c - Common Event Format rendering (cef.h). */
#include "cef.h"

#include <inttypes.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>

#define NOFIT ((size_t)-1)

struct out {
    char *p;
    size_t cap, n;
    bool full;
};

static void put(struct out *o, const char *s, size_t len)
{
    if (o->full || o->n + len >= o->cap) {
        o->full = true;
        return;
    }
    memcpy(o->p + o->n, s, len);
    o->n += len;
}

static void puts_(struct out *o, const char *s) { put(o, s, strlen(s)); }

/* Length of a well-formed UTF-8 sequence at s (RFC 3629), 0 if none. */
static size_t utf8_len(const unsigned char *s, size_t n)
{
    unsigned c = s[0];
    size_t k;
    uint32_t cp;
    if (c >= 0xc2 && c <= 0xdf) {
        k = 2;
        cp = c & 0x1f;
    } else if (c >= 0xe0 && c <= 0xef) {
        k = 3;
        cp = c & 0x0f;
    } else if (c >= 0xf0 && c <= 0xf4) {
        k = 4;
        cp = c & 0x07;
    } else {
        return 0;
    }
    if (n < k)
        return 0;
    for (size_t i = 1; i < k; i++) {
        if ((s[i] & 0xc0) != 0x80)
            return 0;
        cp = (cp << 6) | (s[i] & 0x3f);
    }
    if ((k == 3 && (cp < 0x800 || (cp >= 0xd800 && cp <= 0xdfff))) || (k == 4 && (cp < 0x10000 || cp > 0x10ffff)))
        return 0;
    return k;
}

/* header: \ | escaped, CR LF -> space; value: \ = escaped, LF -> \n, CR -> \r */
static void esc(struct out *o, const char *s, size_t len, bool header)
{
    const unsigned char *u = (const unsigned char *)s;
    for (size_t i = 0; i < len; i++) {
        unsigned c = u[i];
        if (c == '\\') {
            put(o, "\\\\", 2);
        } else if (header && c == '|') {
            put(o, "\\|", 2);
        } else if (!header && c == '=') {
            put(o, "\\=", 2);
        } else if (!header && c == '\n') {
            put(o, "\\n", 2);
        } else if (!header && c == '\r') {
            put(o, "\\r", 2);
        } else if (c < 0x20 || c == 0x7f) {
            put(o, " ", 1);
        } else if (c < 0x80) {
            char ch = (char)c;
            put(o, &ch, 1);
        } else {
            size_t k = utf8_len(u + i, len - i);
            if (k) {
                put(o, s + i, k);
                i += k - 1;
            } else {
                put(o, "\xef\xbf\xbd", 3);
            }
        }
    }
}

static size_t esc_to(const char *s, size_t len, char *out, size_t cap, bool header)
{
    struct out o = {out, cap, 0, false};
    esc(&o, s, len, header);
    if (o.full || !cap)
        return NOFIT;
    out[o.n] = '\0';
    return o.n;
}

size_t cef_escape_header(const char *s, size_t len, char *out, size_t cap) { return esc_to(s, len, out, cap, true); }
size_t cef_escape_value(const char *s, size_t len, char *out, size_t cap) { return esc_to(s, len, out, cap, false); }

static long long days_from_civil(long long y, unsigned m, unsigned d)
{
    y -= m <= 2;
    long long era = (y >= 0 ? y : y - 399) / 400;
    unsigned yoe = (unsigned)(y - era * 400);
    unsigned doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
    unsigned doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    return era * 146097 + (long long)doe - 719468;
}

int cef_time_ms(const char *s, long long *ms)
{
    int Y, M, D, h, mi, sec, n = 0;
    if (!s || sscanf(s, "%4d-%2d-%2dT%2d:%2d:%2d%n", &Y, &M, &D, &h, &mi, &sec, &n) != 6 || n != 19)
        return 0;
    long long frac = 0;
    int digits = 0;
    const char *p = s + 19;
    if (*p == '.')
        for (p++; *p >= '0' && *p <= '9'; p++, digits++)
            if (digits < 3)
                frac = frac * 10 + (*p - '0');
    while (digits > 0 && digits < 3)
        frac *= 10, digits++;
    if (*p != 'Z' || M < 1 || M > 12 || D < 1 || D > 31)
        return 0;
    *ms = (days_from_civil(Y, (unsigned)M, (unsigned)D) * 86400 + h * 3600 + mi * 60 + sec) * 1000 + frac;
    return 1;
}

/* Any scalar field as text into buf; NULL when absent. */
static const char *field_text(const ev *e, const char *key, char *buf, size_t cap, size_t *len)
{
    const char *s = ev_get_str(e, key, len);
    if (s)
        return s;
    int64_t i;
    uint64_t u;
    bool b;
    if (ev_get_int(e, key, &i))
        snprintf(buf, cap, "%" PRId64, i);
    else if (ev_get_uint(e, key, &u))
        snprintf(buf, cap, "%" PRIu64, u);
    else if (ev_get_bool(e, key, &b))
        snprintf(buf, cap, "%s", b ? "true" : "false");
    else
        return NULL;
    *len = strlen(buf);
    return buf;
}

enum conv { C_TEXT, C_TIME, C_IP4, C_IP6 };

static const struct map {
    const char *cef, *field, *label;
    enum conv conv;
} cef_map[] = {
    {"rt", "@timestamp", NULL, C_TIME},
    {"cat", "event.dataset", NULL, C_TEXT},
    {"act", "event.action", NULL, C_TEXT},
    {"outcome", "event.outcome", NULL, C_TEXT},
    {"externalId", "event.sequence", NULL, C_TEXT},
    {"start", "event.start", NULL, C_TIME},
    {"end", "event.end", NULL, C_TIME},
    {"src", "source.ip", NULL, C_IP4},
    {"c6a2", "source.ip", "Source IPv6 Address", C_IP6},
    {"spt", "source.port", NULL, C_TEXT},
    {"dst", "destination.ip", NULL, C_IP4},
    {"c6a3", "destination.ip", "Destination IPv6 Address", C_IP6},
    {"dpt", "destination.port", NULL, C_TEXT},
    {"proto", "network.transport", NULL, C_TEXT},
    {"suser", "user.name", NULL, C_TEXT},
    {"sntdom", "user.domain", NULL, C_TEXT},
    {"out", "source.bytes", NULL, C_TEXT},
    {"in", "destination.bytes", NULL, C_TEXT},
    {"reason", "pptp.teardown.reason", NULL, C_TEXT},
    {"msg", "message", NULL, C_TEXT},
    {"dvchost", "observer.hostname", NULL, C_TEXT},
    {"deviceExternalId", "observer.name", NULL, C_TEXT},
    {"cs1", "pptp.session_id", "pptpSessionId", C_TEXT},
    {"cs2", "pptp.control_id", "pptpControlId", C_TEXT},
    {"cs3", "pptp.auth.method", "authMethod", C_TEXT},
    {"cs4", "rule.category", "ruleCategory", C_TEXT},
    {"cs5", "network.community_id", "communityId", C_TEXT},
    {"cs6", "pptp.ipcp.client_ip", "tunnelClientIp", C_TEXT},
    {"cn1", "pptp.auth.error_code", "authErrorCode", C_TEXT},
    {"cn2", "event.duration", "durationNs", C_TEXT},
    {"cn3", "pptp.mppe.key_bits", "mppeKeyBits", C_TEXT},
};

static int cef_severity(const char *level)
{
    if (!level)
        return 3;
    if (!strcmp(level, "critical"))
        return 10;
    if (!strcmp(level, "error"))
        return 8;
    if (!strcmp(level, "warning"))
        return 6;
    if (!strcmp(level, "notice"))
        return 4;
    return 3;
}

static void header_field(struct out *o, const char *s)
{
    esc(o, s, strlen(s), true);
    put(o, "|", 1);
}

size_t ev_to_cef(const ev *e, char *buf, size_t cap)
{
    struct out o = {buf, cap, 0, false};
    char tmp[64];
    size_t len;
    const char *product = ev_get_str(e, "observer.product", NULL);
    const char *version = ev_get_str(e, "observer.version", NULL);
    const char *dataset = ev_get_str(e, "event.dataset", NULL);
    const char *action = ev_get_str(e, "event.action", NULL);
    const char *rule = ev_get_str(e, "rule.id", NULL);
    puts_(&o, "CEF:0|");
    header_field(&o, "pptp-sensor");
    header_field(&o, product ? product : "pptp-sensor");
    header_field(&o, version ? version : "0");
    if (rule) {
        header_field(&o, rule);
    } else {
        char sig[160];
        snprintf(sig, sizeof sig, "%s:%s", dataset ? dataset : "pptp", action ? action : "event");
        header_field(&o, sig);
    }
    const char *name = ev_get_str(e, "message", NULL);
    if (!name)
        name = ev_get_str(e, "rule.name", NULL);
    if (!name)
        name = action ? action : "event";
    header_field(&o, name);
    snprintf(tmp, sizeof tmp, "%d|", cef_severity(ev_get_str(e, "log.level", NULL)));
    puts_(&o, tmp);
    bool first = true;
    for (size_t i = 0; i < sizeof cef_map / sizeof cef_map[0]; i++) {
        const struct map *m = &cef_map[i];
        char vbuf[64];
        const char *v = field_text(e, m->field, vbuf, sizeof vbuf, &len);
        if (!v || !len)
            continue;
        if (m->conv == C_TIME) {
            long long ms;
            if (!cef_time_ms(v, &ms))
                continue;
            snprintf(vbuf, sizeof vbuf, "%lld", ms);
            v = vbuf;
            len = strlen(vbuf);
        } else if (m->conv == C_IP4 && memchr(v, ':', len)) {
            continue;
        } else if (m->conv == C_IP6 && !memchr(v, ':', len)) {
            continue;
        }
        if (!first)
            put(&o, " ", 1);
        first = false;
        puts_(&o, m->cef);
        put(&o, "=", 1);
        esc(&o, v, len, false);
        if (m->label) {
            put(&o, " ", 1);
            puts_(&o, m->cef);
            puts_(&o, "Label=");
            puts_(&o, m->label);
        }
    }
    if (o.full || cap == 0) {
        if (cap)
            buf[0] = '\0';
        return 0;
    }
    buf[o.n] = '\0';
    return o.n;
}
