/* fuzz_json_escape.c - arbitrary bytes as a string value, and as keys, of an
 * event: the JSON must be printable ASCII, well formed (a small validator of
 * our own, which also rejects duplicate member names and unpaired
 * surrogates), and the string must decode to exactly the code points json.h
 * promises (checked against an independent reference decoder); json_escape()
 * must never write partial output. */
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "event.h"
#include "json.h"

#define CHECK(c)          \
    do {                  \
        if (!(c))         \
            abort();      \
    } while (0)

/* ---- reference: the code points the input should turn into ---------------- */

/* Shortest-form UTF-8 by code point ranges (json.c uses a byte table). */
static size_t ref_decode(const uint8_t *s, size_t n, uint32_t *out)
{
    size_t k = 0;
    for (size_t i = 0; i < n;) {
        uint8_t c = s[i];
        size_t len = c >= 0xf0 && c < 0xf8 ? 4 : c >= 0xe0 && c < 0xf0 ? 3 : c >= 0xc0 && c < 0xe0 ? 2 : 1;
        uint32_t cp = len == 1 ? c : len == 2 ? (c & 0x1fu) : len == 3 ? (c & 0x0fu) : (c & 0x07u);
        bool ok = len > 1 && i + len <= n;
        for (size_t j = 1; ok && j < len; j++) {
            ok = (s[i + j] & 0xc0) == 0x80;
            cp = (cp << 6) | (s[i + j] & 0x3fu);
        }
        if (ok) {
            static const uint32_t min[5] = {0, 0, 0x80, 0x800, 0x10000};
            ok = cp >= min[len] && cp <= 0x10ffff && !(cp >= 0xd800 && cp <= 0xdfff);
        }
        if (ok) {
            out[k++] = cp;
            i += len;
        } else {
            out[k++] = c; /* the byte itself */
            i++;
        }
    }
    return k;
}

/* ---- a small strict JSON validator --------------------------------------- */

typedef struct rd {
    const char *p, *end;
    uint32_t *cps; /* decoded code points of the last string, if not NULL */
    size_t ncp;
} rd;

static int hexv(char c)
{
    return c >= '0' && c <= '9' ? c - '0' : c >= 'a' && c <= 'f' ? c - 'a' + 10 : c >= 'A' && c <= 'F' ? c - 'A' + 10 : -1;
}

static bool rd_u4(rd *r, uint32_t *v)
{
    if (r->end - r->p < 4)
        return false;
    *v = 0;
    for (int i = 0; i < 4; i++) {
        int h = hexv(r->p[i]);
        if (h < 0)
            return false;
        *v = *v << 4 | (uint32_t)h;
    }
    r->p += 4;
    return true;
}

static void put_cp(rd *r, uint32_t cp)
{
    if (r->cps)
        r->cps[r->ncp] = cp;
    r->ncp++;
}

static bool rd_string(rd *r, const char **start, size_t *len)
{
    if (r->p >= r->end || *r->p != '"')
        return false;
    r->p++;
    *start = r->p;
    r->ncp = 0;
    while (r->p < r->end && *r->p != '"') {
        unsigned char c = (unsigned char)*r->p++;
        if (c < 0x20 || c >= 0x7f)
            return false;
        if (c != '\\') {
            put_cp(r, c);
            continue;
        }
        if (r->p >= r->end)
            return false;
        char e = *r->p++;
        const char *simple = strchr("\"\\/bfnrt", e);
        if (e && simple) {
            static const char map[] = "\"\\/\b\f\n\r\t";
            put_cp(r, (unsigned char)map[simple - "\"\\/bfnrt"]);
            continue;
        }
        uint32_t u, lo;
        if (e != 'u' || !rd_u4(r, &u))
            return false;
        if (u >= 0xdc00 && u <= 0xdfff)
            return false; /* lone low surrogate */
        if (u >= 0xd800 && u <= 0xdbff) {
            if (r->end - r->p < 6 || r->p[0] != '\\' || r->p[1] != 'u')
                return false;
            r->p += 2;
            if (!rd_u4(r, &lo) || lo < 0xdc00 || lo > 0xdfff)
                return false;
            u = 0x10000 + ((u - 0xd800) << 10) + (lo - 0xdc00);
        }
        put_cp(r, u);
    }
    if (r->p >= r->end)
        return false;
    *len = (size_t)(r->p - *start);
    r->p++;
    return true;
}

static bool rd_value(rd *r, int depth);

static bool rd_lit(rd *r, const char *w)
{
    size_t n = strlen(w);
    if ((size_t)(r->end - r->p) < n || memcmp(r->p, w, n) != 0)
        return false;
    r->p += n;
    return true;
}

static bool rd_number(rd *r)
{
    const char *s = r->p;
    if (r->p < r->end && *r->p == '-')
        r->p++;
    if (r->p >= r->end || *r->p < '0' || *r->p > '9')
        return false;
    if (*r->p == '0' && r->p + 1 < r->end && r->p[1] >= '0' && r->p[1] <= '9')
        return false; /* leading zero */
    while (r->p < r->end && *r->p >= '0' && *r->p <= '9')
        r->p++;
    return r->p - s <= 21;
}

static bool rd_object(rd *r, int depth)
{
    const char *names[EV_MAX_FIELDS];
    size_t lens[EV_MAX_FIELDS];
    size_t n = 0;
    r->p++; /* { */
    if (r->p < r->end && *r->p == '}') {
        r->p++;
        return true;
    }
    for (;;) {
        const char *k;
        size_t kl;
        uint32_t *save = r->cps;
        r->cps = NULL;
        bool ok = rd_string(r, &k, &kl);
        r->cps = save;
        if (!ok || n >= EV_MAX_FIELDS)
            return false;
        for (size_t i = 0; i < n; i++)
            if (lens[i] == kl && memcmp(names[i], k, kl) == 0)
                return false; /* duplicate member name */
        names[n] = k;
        lens[n++] = kl;
        if (r->p >= r->end || *r->p++ != ':' || !rd_value(r, depth + 1))
            return false;
        if (r->p < r->end && *r->p == ',') {
            r->p++;
            continue;
        }
        if (r->p < r->end && *r->p == '}') {
            r->p++;
            return true;
        }
        return false;
    }
}

static bool rd_array(rd *r, int depth)
{
    r->p++; /* [ */
    if (r->p < r->end && *r->p == ']') {
        r->p++;
        return true;
    }
    for (;;) {
        if (!rd_value(r, depth + 1))
            return false;
        if (r->p < r->end && *r->p == ',') {
            r->p++;
            continue;
        }
        if (r->p < r->end && *r->p == ']') {
            r->p++;
            return true;
        }
        return false;
    }
}

static bool rd_value(rd *r, int depth)
{
    if (depth > 64 || r->p >= r->end)
        return false;
    switch (*r->p) {
    case '{':
        return rd_object(r, depth);
    case '[':
        return rd_array(r, depth);
    case '"': {
        const char *s;
        size_t l;
        return rd_string(r, &s, &l);
    }
    case 't':
        return rd_lit(r, "true");
    case 'f':
        return rd_lit(r, "false");
    case 'n':
        return rd_lit(r, "null");
    default:
        return rd_number(r);
    }
}

static bool valid_json(const char *s, size_t n)
{
    rd r = {s, s + n, NULL, 0};
    return n > 0 && *s == '{' && rd_value(&r, 0) && r.p == r.end;
}

/* ---- the target ---------------------------------------------------------- */

static ev E;
static char J[EV_JSON_MAX];
static uint32_t want[EV_ARENA_SIZE], got[EV_ARENA_SIZE];

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size > 4000)
        return 0;
    /* 1: the whole input as one value */
    ev_reset(&E);
    CHECK(ev_set_str_n(&E, "s", (const char *)data, size));
    size_t n = ev_to_json(&E, J, sizeof J);
    CHECK(n > 0 && n == strlen(J));
    for (size_t i = 0; i < n; i++)
        CHECK((unsigned char)J[i] >= 0x20 && (unsigned char)J[i] < 0x7f);
    CHECK(valid_json(J, n));
    if (size == 0) {
        CHECK(strcmp(J, "{}") == 0);
    } else {
        CHECK(memcmp(J, "{\"s\":", 5) == 0);
        rd r = {J + 5, J + n, got, 0};
        const char *s;
        size_t sl;
        CHECK(rd_string(&r, &s, &sl));
        size_t nw = ref_decode(data, size, want);
        CHECK(r.ncp == nw && memcmp(got, want, nw * sizeof *want) == 0);

        /* json_escape: exact fit works, one byte less gives nothing */
        static char buf[EV_JSON_MAX];
        size_t el = json_escape(data, size, buf, sizeof buf);
        CHECK(el == sl && memcmp(buf, s, sl) == 0);
        memset(buf, '#', el + 1);
        CHECK(json_escape(data, size, buf, el) == JSON_NOFIT && buf[0] == '\0');
        CHECK(json_escape(data, size, buf, el + 1) == el);
    }

    /* 2: the input cut into keys: whatever is accepted must render as
     * well-formed JSON without duplicate names */
    ev_reset(&E);
    char key[24];
    size_t k = 0;
    for (size_t i = 0; i < size; i++) {
        char c = (char)data[i];
        if (c == ' ' || k == sizeof key - 1) {
            key[k] = '\0';
            ev_set_int(&E, key, (int64_t)i);
            if (i % 3 == 0)
                ev_add_str_array(&E, key, "v");
            k = 0;
        } else {
            key[k++] = c;
        }
    }
    n = ev_to_json(&E, J, sizeof J);
    CHECK(n > 0 && valid_json(J, n));
    return 0;
}
