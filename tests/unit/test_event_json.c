/* test_event_json.c - the event builder (outputs/event.h) and its JSON
 * rendering (outputs/json.h): exact strings, limits, and a randomized check of
 * the output with Python's json module. */
#include <arpa/inet.h>
#include <criterion/criterion.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>

#include "event.h"
#include "json.h"
#include "test_env.h"

static ev E; /* 10 KiB: keep it off the stack */
static char J[EV_JSON_MAX];

static const char *js(const ev *e)
{
    size_t n = ev_to_json(e, J, sizeof J);
    cr_assert_gt(n, 0, "event did not render");
    cr_assert_eq(strlen(J), n);
    return J;
}

#define assert_json(e, expect) cr_assert_str_eq(js(e), (expect))

/* ---- shape --------------------------------------------------------------- */

Test(event_json, empty_event_is_empty_object)
{
    ev_reset(&E);
    assert_json(&E, "{}");
    cr_assert_eq(ev_field_count(&E), 0);
}

Test(event_json, dotted_keys_nest_in_first_set_order)
{
    ev_reset(&E);
    ev_set_time(&E, "@timestamp", 1763627525123456789LL);
    ev_set_str(&E, "event.kind", "event");
    ev_set_str(&E, "source.ip", "10.0.0.1");
    ev_set_str(&E, "event.dataset", "pptp.session");
    ev_set_int(&E, "source.port", 1723);
    ev_set_str(&E, "pptp.gre.client.lost", "x");
    ev_set_int(&E, "pptp.schema_version", 1);
    ev_set_str(&E, "event.action", "teardown");
    ev_set_uint(&E, "pptp.gre.server.lost", 7);
    ev_set_bool(&E, "pptp.partial", true);
    assert_json(&E, "{\"@timestamp\":\"2025-11-20T08:32:05.123456Z\","
                    "\"event\":{\"kind\":\"event\",\"dataset\":\"pptp.session\",\"action\":\"teardown\"},"
                    "\"source\":{\"ip\":\"10.0.0.1\",\"port\":1723},"
                    "\"pptp\":{\"gre\":{\"client\":{\"lost\":\"x\"},\"server\":{\"lost\":7}},"
                    "\"schema_version\":1,\"partial\":true}}");
    cr_assert_eq(ev_field_count(&E), 10);
    cr_assert_eq(ev_dropped(&E), 0);
}

Test(event_json, same_calls_give_same_bytes)
{
    static char first[EV_JSON_MAX];
    for (int round = 0; round < 3; round++) {
        ev_reset(&E);
        ev_set_str(&E, "b.y", "1");
        ev_set_str(&E, "a", "2");
        ev_set_str(&E, "b.x", "3");
        ev_set_str(&E, "c.d.e", "4");
        ev_set_str(&E, "b.z.q", "5");
        ev_set_str(&E, "c.a", "6");
        if (round == 0)
            strcpy(first, js(&E));
        else
            cr_assert_str_eq(js(&E), first);
    }
    cr_assert_str_eq(first, "{\"b\":{\"y\":\"1\",\"x\":\"3\",\"z\":{\"q\":\"5\"}},\"a\":\"2\","
                            "\"c\":{\"d\":{\"e\":\"4\"},\"a\":\"6\"}}");
}

Test(event_json, integers_and_booleans)
{
    ev_reset(&E);
    ev_set_int(&E, "i.zero", 0);
    ev_set_int(&E, "i.neg", -42);
    ev_set_int(&E, "i.min", INT64_MIN);
    ev_set_int(&E, "i.max", INT64_MAX);
    ev_set_uint(&E, "u.max", UINT64_MAX);
    ev_set_uint(&E, "u.zero", 0);
    ev_set_bool(&E, "b.t", true);
    ev_set_bool(&E, "b.f", false);
    assert_json(&E, "{\"i\":{\"zero\":0,\"neg\":-42,\"min\":-9223372036854775808,"
                    "\"max\":9223372036854775807},"
                    "\"u\":{\"max\":18446744073709551615,\"zero\":0},"
                    "\"b\":{\"t\":true,\"f\":false}}");
}

Test(event_json, arrays_dedupe_and_keep_order)
{
    ev_reset(&E);
    uint8_t a4[4] = {10, 0, 0, 1}, b4[4] = {192, 168, 7, 200};
    uint8_t a6[16] = {0x20, 0x01, 0x0d, 0xb8, [15] = 1};
    ev_set_str(&E, "user.name", "jm");
    ev_add_ip_array(&E, "related.ip", AF_INET, a4);
    ev_add_str_array(&E, "related.user", "jm");
    ev_add_ip_array(&E, "related.ip", AF_INET6, a6);
    ev_add_ip_array(&E, "related.ip", AF_INET, a4); /* duplicate */
    ev_add_str_array(&E, "related.ip", "192.168.7.200");
    ev_add_ip_array(&E, "related.ip", AF_INET, b4); /* duplicate */
    ev_add_str_array(&E, "related.user", "");        /* ignored */
    ev_add_int_array(&E, "pptp.lcp.rejected", 3);
    ev_add_int_array(&E, "pptp.lcp.rejected", -1);
    ev_add_int_array(&E, "pptp.lcp.rejected", 3);
    assert_json(&E, "{\"user\":{\"name\":\"jm\"},"
                    "\"related\":{\"ip\":[\"10.0.0.1\",\"2001:db8::1\",\"192.168.7.200\"],"
                    "\"user\":[\"jm\"]},\"pptp\":{\"lcp\":{\"rejected\":[3,-1]}}}");
    cr_assert_eq(ev_field_count(&E), 4);
    cr_assert_str_eq(ev_get_str(&E, "related.ip", NULL), "10.0.0.1");
}

Test(event_json, ip_text_forms)
{
    ev_reset(&E);
    uint8_t v4[4] = {203, 0, 113, 5};
    uint8_t v6[16] = {0xfe, 0x80, [8] = 0x02, [9] = 0x00, [10] = 0x86, [11] = 0xff, [12] = 0xfe,
                      [13] = 0x05, [14] = 0x80, [15] = 0xda};
    uint8_t mapped[16] = {[10] = 0xff, [11] = 0xff, [12] = 1, [13] = 2, [14] = 3, [15] = 4};
    cr_assert(ev_set_ip(&E, "source.ip", AF_INET, v4));
    cr_assert(ev_set_ip(&E, "destination.ip", AF_INET6, v6));
    cr_assert(ev_set_ip(&E, "x.ip", AF_INET6, mapped));
    cr_assert_not(ev_set_ip(&E, "y.ip", AF_UNIX, v4));
    cr_assert_not(ev_set_ip(&E, "y.ip", AF_INET, NULL));
    cr_assert_eq(E.dropped_invalid, 2);
    assert_json(&E, "{\"source\":{\"ip\":\"203.0.113.5\"},"
                    "\"destination\":{\"ip\":\"fe80::200:86ff:fe05:80da\"},"
                    "\"x\":{\"ip\":\"::ffff:1.2.3.4\"}}");
}

/* ---- escaping ------------------------------------------------------------ */

static const char *escaped(const char *bytes, size_t n)
{
    ev_reset(&E);
    cr_assert(ev_set_str_n(&E, "s", bytes, n));
    const char *j = js(&E);
    /* strip {"s":" and "} */
    static char inner[EV_JSON_MAX];
    size_t len = strlen(j);
    cr_assert(len >= 8 && memcmp(j, "{\"s\":\"", 6) == 0 && strcmp(j + len - 2, "\"}") == 0);
    memcpy(inner, j + 6, len - 8);
    inner[len - 8] = '\0';
    /* json_escape gives the same text */
    static char direct[EV_JSON_MAX];
    cr_assert_eq(json_escape(bytes, n, direct, sizeof direct), len - 8);
    cr_assert_str_eq(direct, inner);
    return inner;
}

#define assert_escaped(lit, expect) cr_assert_str_eq(escaped(lit, sizeof(lit) - 1), (expect))

Test(event_json, escapes_quotes_and_backslashes)
{
    assert_escaped("say \"hi\"", "say \\\"hi\\\"");
    assert_escaped("DOMAIN\\user", "DOMAIN\\\\user");
    assert_escaped("/path/ok", "/path/ok");
}

Test(event_json, escapes_control_characters_and_del)
{
    assert_escaped("a\nb\tc\rd", "a\\u000ab\\u0009c\\u000dd");
    assert_escaped("\x01\x1f\x7f~ ", "\\u0001\\u001f\\u007f~ ");
    assert_escaped("nul\0byte", "nul\\u0000byte");
    assert_escaped("\b\f", "\\u0008\\u000c");
}

Test(event_json, escapes_valid_utf8_as_code_points)
{
    assert_escaped("caf\xc3\xa9", "caf\\u00e9");                    /* 2 bytes */
    assert_escaped("\xe2\x82\xac" "5", "\\u20ac5");                 /* 3 bytes */
    assert_escaped("\xf0\x9f\x98\x80", "\\ud83d\\ude00");           /* U+1F600: surrogate pair */
    assert_escaped("\xf4\x8f\xbf\xbf", "\\udbff\\udfff");           /* U+10FFFF, the last */
    assert_escaped("\xf0\x90\x80\x80", "\\ud800\\udc00");           /* U+10000, the first */
    assert_escaped("\xef\xbb\xbf", "\\ufeff");                      /* BOM */
    assert_escaped("\xe2\x80\xa8", "\\u2028");                      /* JS line separator */
    assert_escaped("\xc2\x80", "\\u0080");
    assert_escaped("\xed\x9f\xbf", "\\ud7ff");                      /* just below surrogates */
}

Test(event_json, escapes_invalid_utf8_bytewise)
{
    assert_escaped("\xff", "\\u00ff");
    assert_escaped("\xe9t\xe9", "\\u00e9t\\u00e9");                  /* Latin-1 text */
    assert_escaped("\xe2\x82", "\\u00e2\\u0082");                    /* truncated */
    assert_escaped("\xe2\x82" "A", "\\u00e2\\u0082A");
    assert_escaped("\xc0\xaf", "\\u00c0\\u00af");                    /* overlong '/' */
    assert_escaped("\xe0\x80\xaf", "\\u00e0\\u0080\\u00af");         /* overlong */
    assert_escaped("\xed\xa0\x80", "\\u00ed\\u00a0\\u0080");         /* surrogate D800 */
    assert_escaped("\xf4\x90\x80\x80", "\\u00f4\\u0090\\u0080\\u0080"); /* > U+10FFFF */
    assert_escaped("\xf8\x88\x80\x80\x80", "\\u00f8\\u0088\\u0080\\u0080\\u0080");
    assert_escaped("\x80" "\xc3\xa9", "\\u0080\\u00e9");             /* stray continuation */
}

Test(event_json, output_is_ascii_for_every_byte)
{
    char all[256];
    for (int i = 0; i < 256; i++)
        all[i] = (char)i;
    const char *s = escaped(all, sizeof all);
    for (const char *p = s; *p; p++)
        cr_assert((unsigned char)*p >= 0x20 && (unsigned char)*p < 0x7f, "byte %02x", (unsigned char)*p);
}

/* ---- setter semantics ---------------------------------------------------- */

Test(event_json, empty_and_null_strings_are_omitted)
{
    ev_reset(&E);
    cr_assert(ev_set_str(&E, "user.name", ""));
    cr_assert(ev_set_str(&E, "user.domain", NULL));
    cr_assert(ev_set_str_n(&E, "user.x", "abc", 0));
    assert_json(&E, "{}");
    ev_set_str(&E, "user.name", "jm");
    ev_set_str(&E, "source.ip", "10.0.0.1");
    cr_assert(ev_set_str(&E, "user.name", "")); /* empty removes */
    assert_json(&E, "{\"source\":{\"ip\":\"10.0.0.1\"}}");
    cr_assert_not(ev_has(&E, "user.name"));
    cr_assert_eq(ev_dropped(&E), 0);
}

Test(event_json, setting_again_replaces_in_place)
{
    ev_reset(&E);
    ev_set_str(&E, "a", "first-long-value");
    ev_set_str(&E, "b", "x");
    ev_set_str(&E, "a", "short");
    assert_json(&E, "{\"a\":\"short\",\"b\":\"x\"}");
    ev_set_str(&E, "a", "now a much longer value than before");
    assert_json(&E, "{\"a\":\"now a much longer value than before\",\"b\":\"x\"}");
    ev_set_int(&E, "a", 5); /* type change */
    assert_json(&E, "{\"a\":5,\"b\":\"x\"}");
    ev_set_str(&E, "a", "back");
    assert_json(&E, "{\"a\":\"back\",\"b\":\"x\"}");
    ev_add_str_array(&E, "b", "y"); /* an array replaces a scalar */
    ev_add_str_array(&E, "b", "z");
    assert_json(&E, "{\"a\":\"back\",\"b\":[\"y\",\"z\"]}");
    ev_set_bool(&E, "b", false); /* a scalar replaces the whole array */
    assert_json(&E, "{\"a\":\"back\",\"b\":false}");
    cr_assert_eq(ev_field_count(&E), 2);
    cr_assert(ev_unset(&E, "a"));
    cr_assert_not(ev_unset(&E, "a"));
    assert_json(&E, "{\"b\":false}");
}

Test(event_json, value_may_alias_the_event)
{
    ev_reset(&E);
    ev_set_str(&E, "a", "hello world");
    const char *p = ev_get_str(&E, "a", NULL);
    cr_assert(ev_set_str(&E, "b", p));
    cr_assert(ev_set_str(&E, "a", p + 6));
    assert_json(&E, "{\"a\":\"world\",\"b\":\"hello world\"}");
}

Test(event_json, invalid_keys_are_dropped_and_counted)
{
    ev_reset(&E);
    static const char *bad[] = {"", "a..b", ".a", "a.", "with space", "quo\"te", "back\\slash",
                                "tab\tkey", "caf\xc3\xa9", "."};
    for (size_t i = 0; i < sizeof bad / sizeof *bad; i++)
        cr_assert_not(ev_set_int(&E, bad[i], 1), "key %zu accepted", i);
    cr_assert_not(ev_set_int(&E, NULL, 1));
    char longkey[EV_KEY_MAX + 2];
    memset(longkey, 'k', sizeof longkey - 1);
    longkey[sizeof longkey - 1] = '\0';
    cr_assert_not(ev_set_int(&E, longkey, 1));
    longkey[EV_KEY_MAX] = '\0'; /* exactly EV_KEY_MAX is fine */
    cr_assert(ev_set_int(&E, longkey, 1));
    cr_assert(ev_set_int(&E, "@timestamp-ok_1.x-y", 2));
    cr_assert_eq(E.dropped_invalid, sizeof bad / sizeof *bad + 2);
    cr_assert_eq(E.dropped_full, 0);
    cr_assert_eq(ev_field_count(&E), 2);
}

Test(event_json, nesting_depth_is_bounded)
{
    ev_reset(&E);
    cr_assert(ev_set_int(&E, "a.b.c.d.e.f.g.h", 8)); /* EV_KEY_DEPTH segments */
    cr_assert_not(ev_set_int(&E, "a.b.c.d.e.f.g.h.i", 9));
    cr_assert(ev_set_int(&E, "a.b.c.d.e.f.g.x", 7));
    cr_assert(ev_set_int(&E, "a.y", 2));
    assert_json(&E, "{\"a\":{\"b\":{\"c\":{\"d\":{\"e\":{\"f\":{\"g\":{\"h\":8,\"x\":7}}}}}},"
                    "\"y\":2}}");
    cr_assert_eq(E.dropped_invalid, 1);
}

Test(event_json, interleaved_objects_group_under_first_position)
{
    ev_reset(&E);
    ev_set_int(&E, "p.q.r", 1);
    ev_set_int(&E, "s", 2);
    ev_set_int(&E, "p.t", 3);
    ev_set_int(&E, "u.v", 4);
    ev_set_int(&E, "p.q.w", 5);
    ev_set_int(&E, "u.x", 6);
    ev_set_int(&E, "p.q.r", 7); /* replacement keeps the place */
    assert_json(&E, "{\"p\":{\"q\":{\"r\":7,\"w\":5},\"t\":3},\"s\":2,\"u\":{\"v\":4,\"x\":6}}");
    ev_unset(&E, "p.q.r");
    ev_unset(&E, "p.q.w");
    /* "p" now starts at its first field still set, p.t, which came after s */
    assert_json(&E, "{\"s\":2,\"p\":{\"t\":3},\"u\":{\"v\":4,\"x\":6}}");
}

Test(event_json, leaf_and_object_with_one_name_keep_the_first)
{
    ev_reset(&E);
    ev_set_int(&E, "a", 1);
    ev_set_int(&E, "a.b", 2);
    ev_set_int(&E, "c.d", 3);
    ev_set_int(&E, "c", 4);
    ev_set_int(&E, "c.e", 5);
    assert_json(&E, "{\"a\":1,\"c\":{\"d\":3,\"e\":5}}");
}

Test(event_json, class_follows_dataset_unless_forced)
{
    ev_reset(&E);
    cr_assert_eq(ev_get_class(&E), EV_CLASS_UNKNOWN);
    ev_set_str(&E, "event.dataset", "pptp.alert");
    cr_assert_eq(ev_get_class(&E), EV_CLASS_ALERT);
    ev_set_str(&E, "event.dataset", "pptp.frag");
    cr_assert_eq(ev_get_class(&E), EV_CLASS_FRAG);
    ev_set_str(&E, "event.dataset", "pptp.bogus");
    cr_assert_eq(ev_get_class(&E), EV_CLASS_UNKNOWN);
    ev_set_str(&E, "event.dataset", "pptp.stats");
    cr_assert_eq(ev_get_class(&E), EV_CLASS_STATS);
    ev_unset(&E, "event.dataset");
    cr_assert_eq(ev_get_class(&E), EV_CLASS_UNKNOWN);
    ev_set_class(&E, EV_CLASS_SESSION);
    ev_set_str(&E, "event.dataset", "pptp.alert");
    cr_assert_eq(ev_get_class(&E), EV_CLASS_SESSION);
    ev_reset(&E);
    cr_assert_eq(ev_get_class(&E), EV_CLASS_UNKNOWN);
    cr_assert_str_eq(ev_class_name(EV_CLASS_FRAG), "frag");
    cr_assert_str_eq(ev_class_name(EV_CLASS_UNKNOWN), "unknown");

    unsigned m = 0;
    cr_assert(ev_class_mask_parse("session,alert", &m));
    cr_assert_eq(m, EV_CLASS_BIT(EV_CLASS_SESSION) | EV_CLASS_BIT(EV_CLASS_ALERT));
    cr_assert(ev_class_mask_parse("all", &m));
    cr_assert_eq(m, EV_CLASS_ALL);
    cr_assert(ev_class_mask_parse("stats", &m));
    cr_assert_eq(m, EV_CLASS_BIT(EV_CLASS_STATS));
    cr_assert_not(ev_class_mask_parse("session,nope", &m));
    cr_assert_not(ev_class_mask_parse("", &m));
}

Test(event_json, getters)
{
    ev_reset(&E);
    ev_set_str(&E, "s", "v");
    ev_set_int(&E, "i", -3);
    ev_set_uint(&E, "u", 9);
    ev_set_bool(&E, "b", true);
    size_t len = 0;
    cr_assert_str_eq(ev_get_str(&E, "s", &len), "v");
    cr_assert_eq(len, 1);
    cr_assert_null(ev_get_str(&E, "i", NULL));
    int64_t i;
    uint64_t u;
    bool b;
    cr_assert(ev_get_int(&E, "i", &i));
    cr_assert_eq(i, -3);
    cr_assert_not(ev_get_uint(&E, "i", &u));
    cr_assert(ev_get_uint(&E, "u", &u));
    cr_assert_eq(u, 9);
    cr_assert(ev_get_int(&E, "u", &i));
    cr_assert_eq(i, 9);
    cr_assert(ev_get_bool(&E, "b", &b));
    cr_assert(b);
    cr_assert_not(ev_get_bool(&E, "s", &b));
    cr_assert_not(ev_has(&E, "missing"));
}

/* ---- limits -------------------------------------------------------------- */

Test(event_json, arena_overflow_drops_fields_not_the_event)
{
    ev_reset(&E);
    ev_set_str(&E, "event.action", "teardown");
    char big[1000];
    memset(big, 'x', sizeof big - 1);
    big[sizeof big - 1] = '\0';
    int stored = 0, dropped = 0;
    for (int i = 0; i < 20; i++) {
        char key[32];
        snprintf(key, sizeof key, "blob.k%02d", i);
        if (ev_set_str(&E, key, big))
            stored++;
        else
            dropped++;
    }
    /* 8192 bytes: "teardown" and its key, then 8 x (1000 + key) fit */
    cr_assert_eq(stored, 8);
    cr_assert_eq(dropped, 12);
    cr_assert_eq(ev_dropped(&E), 12);
    cr_assert_eq(E.dropped_full, 12);
    cr_assert(E.arena_used <= EV_ARENA_SIZE);
    char *huge = malloc(EV_ARENA_SIZE + 10);
    memset(huge, 'y', EV_ARENA_SIZE + 9);
    huge[EV_ARENA_SIZE + 9] = '\0';
    cr_assert_not(ev_set_str(&E, "huge", huge));
    free(huge);
    const char *j = js(&E);
    const char *head = "{\"event\":{\"action\":\"teardown\"},\"blob\":{\"k00\":\"xxx";
    cr_assert(strncmp(j, head, strlen(head)) == 0, "%s", j);
    cr_assert_null(strstr(j, "k08"));
    /* a replacement that no longer fits removes the old value (no stale data) */
    ev_set_str(&E, "event.action", big);
    cr_assert_not(ev_has(&E, "event.action"));
    /* reuse after reset */
    ev_reset(&E);
    cr_assert(ev_set_str(&E, "a", big));
    cr_assert_eq(ev_dropped(&E), 0);
}

Test(event_json, field_slots_overflow)
{
    ev_reset(&E);
    int stored = 0;
    for (int i = 0; i < EV_MAX_FIELDS + 50; i++) {
        char key[16];
        snprintf(key, sizeof key, "n.f%d", i);
        stored += ev_set_int(&E, key, i);
    }
    cr_assert_eq(stored, EV_MAX_FIELDS);
    cr_assert_eq(E.dropped_full, 50);
    /* replacing an existing key still works when full */
    cr_assert(ev_set_int(&E, "n.f0", -1));
    cr_assert(ev_add_str_array(&E, "n.f1", "x"));
    cr_assert_not(ev_add_str_array(&E, "n.f1", "y"));
    const char *j = js(&E);
    const char *head = "{\"n\":{\"f0\":-1,\"f1\":[\"x\"],\"f2\":2,";
    cr_assert(strncmp(j, head, strlen(head)) == 0, "%s", j);
}

Test(event_json, worst_case_fits_json_max)
{
    /* arena filled with bytes that each need a 6-byte escape */
    ev_reset(&E);
    char ctl[200];
    memset(ctl, 0x01, sizeof ctl);
    for (int i = 0; i < EV_MAX_FIELDS; i++) {
        char key[8];
        snprintf(key, sizeof key, "a.%d", i);
        ev_set_str_n(&E, key, ctl, sizeof ctl);
    }
    cr_assert_gt(E.arena_used, EV_ARENA_SIZE - 220);
    static char big[EV_JSON_MAX];
    size_t n = ev_to_json(&E, big, sizeof big);
    cr_assert_gt(n, 40000);
    cr_assert_lt(n, EV_JSON_MAX);
}

Test(event_json, too_small_buffer_gives_nothing)
{
    ev_reset(&E);
    ev_set_str(&E, "event.kind", "alert");
    ev_set_int(&E, "n", 12345);
    const char *full = "{\"event\":{\"kind\":\"alert\"},\"n\":12345}";
    size_t len = strlen(full);
    char buf[64];
    for (size_t cap = 0; cap <= len; cap++) {
        memset(buf, '#', sizeof buf);
        cr_assert_eq(ev_to_json(&E, buf, cap), 0, "cap %zu", cap);
        if (cap)
            cr_assert_eq(buf[0], '\0');
    }
    cr_assert_eq(ev_to_json(&E, buf, len + 1), len);
    cr_assert_str_eq(buf, full);
    cr_assert_eq(json_escape("ab\"", 3, buf, 4), JSON_NOFIT);
    cr_assert_eq(json_escape("ab\"", 3, buf, 5), 4);
    cr_assert_str_eq(buf, "ab\\\"");
}

/* ---- time ---------------------------------------------------------------- */

static const char *tfmt(int64_t ns)
{
    static char b[EV_TIME_BUFSZ];
    size_t n = ev_format_time(ns, b);
    cr_assert_eq(n, strlen(b));
    cr_assert_eq(n, 27);
    return b;
}

Test(event_json, time_format)
{
    cr_assert_str_eq(tfmt(0), "1970-01-01T00:00:00.000000Z");
    cr_assert_str_eq(tfmt(1763627525123456789LL), "2025-11-20T08:32:05.123456Z");
    cr_assert_str_eq(tfmt(1763627525123456999LL), "2025-11-20T08:32:05.123456Z"); /* truncated */
    cr_assert_str_eq(tfmt(999), "1970-01-01T00:00:00.000000Z");
    cr_assert_str_eq(tfmt(-1), "1969-12-31T23:59:59.999999Z"); /* floored */
    cr_assert_str_eq(tfmt(-1000), "1969-12-31T23:59:59.999999Z");
    cr_assert_str_eq(tfmt(-1001), "1969-12-31T23:59:59.999998Z");
    cr_assert_str_eq(tfmt(951782400000000000LL), "2000-02-29T00:00:00.000000Z");
    cr_assert_str_eq(tfmt(1709164800999999000LL), "2024-02-29T00:00:00.999999Z");
    cr_assert_str_eq(tfmt(946684799999999999LL), "1999-12-31T23:59:59.999999Z");
    cr_assert_str_eq(tfmt(INT64_MAX), "2262-04-11T23:47:16.854775Z");
    cr_assert_str_eq(tfmt(INT64_MIN), "1677-09-21T00:12:43.145224Z");
    ev_reset(&E);
    ev_set_time(&E, "event.start", 0);
    assert_json(&E, "{\"event\":{\"start\":\"1970-01-01T00:00:00.000000Z\"}}");
}

Test(event_json, time_format_matches_gmtime)
{
    srand(1234);
    for (int i = 0; i < 20000; i++) {
        int64_t secs = ((int64_t)rand() << 16 ^ rand()) % 9000000000LL - 4000000000LL;
        int64_t usec = rand() % 1000000;
        int64_t ns = secs * 1000000000LL + usec * 1000 + rand() % 1000;
        time_t t = (time_t)secs;
        struct tm tm;
        cr_assert_not_null(gmtime_r(&t, &tm));
        char want[64];
        snprintf(want, sizeof want, "%04d-%02d-%02dT%02d:%02d:%02d.%06dZ", tm.tm_year + 1900,
                 tm.tm_mon + 1, tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec, (int)usec);
        cr_assert_str_eq(tfmt(ns), want, "ns %" PRId64, ns);
    }
}

/* ---- randomized: Python's json module as the oracle ---------------------- */

/* A model of what the event should contain, built beside it. */
#define MODEL_MAX 64
#define MODEL_ARR 8
typedef struct mfield {
    char key[32];
    char type; /* 's' 'i' 'u' 'b' 'a' */
    int64_t i;
    uint64_t u;
    char s[MODEL_ARR][48];
    size_t slen[MODEL_ARR];
    int n; /* array elements */
} mfield;

static mfield model[MODEL_MAX];
static int nmodel;

static mfield *mfind(const char *key, bool create)
{
    for (int i = 0; i < nmodel; i++)
        if (strcmp(model[i].key, key) == 0)
            return &model[i];
    if (!create)
        return NULL;
    mfield *m = &model[nmodel++];
    memset(m, 0, sizeof *m);
    snprintf(m->key, sizeof m->key, "%s", key);
    return m;
}

static void mdel(const char *key)
{
    mfield *m = mfind(key, false);
    if (m) {
        *m = model[nmodel - 1];
        nmodel--;
    }
}

static uint32_t rnd_state = 2463534242u;
static uint32_t rnd(void)
{
    rnd_state ^= rnd_state << 13;
    rnd_state ^= rnd_state >> 17;
    rnd_state ^= rnd_state << 5;
    return rnd_state;
}

static size_t rnd_string(char *out, size_t cap)
{
    static const char *const pieces[] = {"\xc3\xa9", "\xe2\x82\xac", "\xf0\x9f\x98\x80", "\"", "\\",
                                         "\xed\xa0\x80", "\xc0\xaf", "\xe2\x82", "\x7f", "\n"};
    size_t n = rnd() % (cap - 4), len = 0;
    while (len < n) {
        uint32_t r = rnd() % 10;
        if (r < 4) {
            out[len++] = (char)(0x20 + rnd() % 95);
        } else if (r < 7) {
            out[len++] = (char)(rnd() % 256);
        } else {
            const char *p = pieces[rnd() % (sizeof pieces / sizeof *pieces)];
            size_t pl = strlen(p);
            if (len + pl > n)
                break;
            memcpy(out + len, p, pl);
            len += pl;
        }
    }
    return len;
}

static void rnd_key(char *key, size_t cap, bool array)
{
    static const char *const objs[] = {"a", "b", "pptp", "event", "x-y", "@o"};
    static const char *const leaves[] = {"s", "n", "t", "u_v", "@timestamp", "k9"};
    static const char *const arrs[] = {"l1", "l2"};
    int depth = (int)(rnd() % 3);
    size_t n = 0;
    key[0] = '\0';
    for (int d = 0; d < depth; d++)
        n += (size_t)snprintf(key + n, cap - n, "%s.", objs[rnd() % 6]);
    snprintf(key + n, cap - n, "%s", array ? arrs[rnd() % 2] : leaves[rnd() % 6]);
}

static void write_hex(FILE *f, const char *s, size_t n)
{
    for (size_t i = 0; i < n; i++)
        fprintf(f, "%02x", (unsigned char)s[i]);
}

static const char python_checker[] =
    "import codecs, json, sys\n"
    "codecs.register_error('bytewise', lambda e: (e.object[e.start:e.end].decode('latin-1'), e.end))\n"
    "def txt(h): return bytes.fromhex(h).decode('utf-8', 'bytewise')\n"
    "def nodup(pairs):\n"
    "    keys = [k for k, _ in pairs]\n"
    "    assert len(keys) == len(set(keys)), 'duplicate key %r' % keys\n"
    "    return dict(pairs)\n"
    "def flat(o, p, out):\n"
    "    for k, v in o.items():\n"
    "        if isinstance(v, dict): flat(v, p + k + '.', out)\n"
    "        else: out[p + k] = v\n"
    "lines = open(sys.argv[1], encoding='ascii').read().split('\\n')\n"
    "n = 0\n"
    "i = 0\n"
    "while i + 1 < len(lines):\n"
    "    js, spec = lines[i], lines[i + 1]\n"
    "    i += 2\n"
    "    assert js.isascii() and js.isprintable(), js\n"
    "    got = {}\n"
    "    flat(json.loads(js, object_pairs_hook=nodup), '', got)\n"
    "    want = {}\n"
    "    for item in filter(None, spec.split(' ')):\n"
    "        key, t, val = item.split('=', 2)\n"
    "        if t == 's': want[key] = ('s', txt(val))\n"
    "        elif t == 'a': want[key] = ('a', [txt(x) for x in val.split(',')])\n"
    "        elif t == 'b': want[key] = ('b', val == '1')\n"
    "        else: want[key] = ('n', int(val))\n"
    "    def kind(v):\n"
    "        if isinstance(v, bool): return ('b', v)\n"
    "        if isinstance(v, int): return ('n', v)\n"
    "        if isinstance(v, list): return ('a', v)\n"
    "        return ('s', v)\n"
    "    got = {k: kind(v) for k, v in got.items()}\n"
    "    assert got == want, 'event %d:\\n%r\\n%r' % (n, got, want)\n"
    "    n += 1\n"
    "print('OK', n)\n";

Test(event_json, random_events_are_valid_json_per_python, .timeout = 120)
{
    int st = -1;
    char *v = run_capture("python3 -c 'print(1)' 2>/dev/null", &st);
    bool have_python = v && st == 0 && v[0] == '1';
    free(v);
    if (!have_python)
        cr_skip_test("SKIP python3: not installed");

    char data[4096], script[4096];
    scratch_path("event_json_random.txt", data, sizeof data);
    scratch_path("event_json_check.py", script, sizeof script);
    FILE *f = fopen(script, "w");
    cr_assert_not_null(f);
    fputs(python_checker, f);
    fclose(f);
    f = fopen(data, "w");
    cr_assert_not_null(f);

    const int events = 400;
    for (int n = 0; n < events; n++) {
        ev_reset(&E);
        nmodel = 0;
        int ops = 1 + (int)(rnd() % 40);
        for (int op = 0; op < ops; op++) {
            char key[64], s[48];
            uint32_t kind = rnd() % 10;
            rnd_key(key, sizeof key, kind >= 8);
            mfield *m;
            if (kind < 4) {
                size_t len = rnd_string(s, sizeof s);
                cr_assert(ev_set_str_n(&E, key, s, len));
                if (len == 0) {
                    mdel(key);
                } else {
                    m = mfind(key, true);
                    m->type = 's';
                    m->n = 1;
                    memcpy(m->s[0], s, len);
                    m->slen[0] = len;
                }
            } else if (kind < 6) {
                int64_t x = (int64_t)(((uint64_t)rnd() << 32) | rnd());
                cr_assert(ev_set_int(&E, key, x));
                m = mfind(key, true);
                m->type = 'i';
                m->i = x;
            } else if (kind < 7) {
                uint64_t x = ((uint64_t)rnd() << 32) | rnd();
                cr_assert(ev_set_uint(&E, key, x));
                m = mfind(key, true);
                m->type = 'u';
                m->u = x;
            } else if (kind < 8) {
                bool x = rnd() & 1;
                cr_assert(ev_set_bool(&E, key, x));
                m = mfind(key, true);
                m->type = 'b';
                m->i = x;
            } else {
                size_t len = rnd_string(s, 12);
                m = mfind(key, false);
                if (m && m->type == 'a' && m->n >= MODEL_ARR)
                    continue;
                cr_assert(ev_add_str_array_n(&E, key, s, len));
                if (len == 0)
                    continue;
                if (!m || m->type != 'a') {
                    m = mfind(key, true);
                    m->type = 'a';
                    m->n = 0;
                }
                bool dup = false;
                for (int k = 0; k < m->n; k++)
                    dup |= m->slen[k] == len && memcmp(m->s[k], s, len) == 0;
                if (!dup) {
                    memcpy(m->s[m->n], s, len);
                    m->slen[m->n++] = len;
                }
            }
        }
        cr_assert_eq(ev_dropped(&E), 0);
        size_t jl = ev_to_json(&E, J, sizeof J);
        cr_assert_gt(jl, 0);
        for (size_t k = 0; k < jl; k++)
            cr_assert((unsigned char)J[k] >= 0x20 && (unsigned char)J[k] < 0x7f);
        fprintf(f, "%s\n", J);
        for (int k = 0; k < nmodel; k++) {
            mfield *m = &model[k];
            fprintf(f, "%s=%c=", m->key, m->type == 'u' ? 'i' : m->type);
            switch (m->type) {
            case 's':
                write_hex(f, m->s[0], m->slen[0]);
                break;
            case 'a':
                for (int e = 0; e < m->n; e++) {
                    if (e)
                        fputc(',', f);
                    write_hex(f, m->s[e], m->slen[e]);
                }
                break;
            case 'u':
                fprintf(f, "%" PRIu64, m->u);
                break;
            default:
                fprintf(f, "%" PRId64, m->i);
                break;
            }
            fputc(' ', f);
        }
        fputc('\n', f);
    }
    fclose(f);

    char cmd[9000];
    snprintf(cmd, sizeof cmd, "python3 '%s' '%s' 2>&1", script, data);
    char *out = run_capture(cmd, &st);
    cr_assert_not_null(out);
    char want[32];
    snprintf(want, sizeof want, "OK %d\n", events);
    cr_assert_eq(st, 0, "python: %s", out);
    cr_assert_str_eq(out, want);
    free(out);
}

/* ---- fast paths (json.c writes words and digit pairs, event.c keeps the tree) */

Test(event_json, integers_at_every_digit_count)
{
    static char want[EV_JSON_MAX];
    uint64_t p = 1;
    for (int d = 0; d <= 20; d++) {
        uint64_t vals[3] = {p - 1, p, p + 1};
        if (d == 20)
            vals[0] = vals[1] = vals[2] = UINT64_MAX;
        for (int k = 0; k < 3; k++) {
            uint64_t u = vals[k];
            int64_t i = (int64_t)(u & INT64_MAX);
            ev_reset(&E);
            ev_set_uint(&E, "u", u);
            ev_set_int(&E, "i", i);
            ev_set_int(&E, "n", -i);
            ev_set_int(&E, "m", i == 0 ? INT64_MIN : -i - 1);
            snprintf(want, sizeof want, "{\"u\":%" PRIu64 ",\"i\":%" PRId64 ",\"n\":%" PRId64 ",\"m\":%" PRId64 "}", u,
                     i, -i, i == 0 ? INT64_MIN : -i - 1);
            assert_json(&E, want);
        }
        if (d < 19)
            p *= 10;
        else
            p = 10000000000000000000ull;
    }
    ev_reset(&E);
    ev_set_int(&E, "a", INT64_MIN + 1);
    ev_add_int_array(&E, "b", INT64_MIN);
    ev_add_int_array(&E, "b", 0);
    ev_add_int_array(&E, "b", INT64_MAX);
    assert_json(&E, "{\"a\":-9223372036854775807,\"b\":[-9223372036854775808,0,9223372036854775807]}");
}

/* Reference escaper, byte by byte from json.h's rules. */
static size_t ref_escape(const uint8_t *s, size_t n, char *out)
{
    size_t o = 0;
    for (size_t i = 0; i < n;) {
        uint8_t c = s[i];
        uint32_t cp = c;
        size_t len = 1;
        if (c >= 0x80) {
            size_t need = c >= 0xc2 && c <= 0xdf ? 2 : c >= 0xe0 && c <= 0xef ? 3 : c >= 0xf0 && c <= 0xf4 ? 4 : 0;
            uint32_t v = need == 2 ? c & 0x1fu : need == 3 ? c & 0x0fu : c & 0x07u;
            bool ok = need && i + need <= n;
            for (size_t j = 1; ok && j < need; j++) {
                ok = (s[i + j] & 0xc0) == 0x80;
                v = v << 6 | (s[i + j] & 0x3fu);
            }
            static const uint32_t min[5] = {0, 0, 0x80, 0x800, 0x10000};
            if (ok && v >= min[need] && v <= 0x10ffff && !(v >= 0xd800 && v <= 0xdfff)) {
                cp = v;
                len = need;
            }
        }
        if (c == '"' || c == '\\') {
            o += (size_t)sprintf(out + o, "\\%c", c);
        } else if (c >= 0x20 && c < 0x7f) {
            out[o++] = (char)c;
        } else if (cp >= 0x10000) {
            o += (size_t)sprintf(out + o, "\\u%04x\\u%04x", 0xd800 + ((cp - 0x10000) >> 10),
                                 0xdc00 + ((cp - 0x10000) & 0x3ff));
        } else {
            o += (size_t)sprintf(out + o, "\\u%04x", cp);
        }
        i += len;
    }
    out[o] = '\0';
    return o;
}

Test(event_json, escapes_at_every_position_of_a_chunk)
{
    static const char *const specials[] = {"\"", "\\", "\x01", "\x7f", "\x80", "\xff", "\xc3\xa9",
                                           "\xe2\x82\xac", "\xf0\x9f\x98\x80", "\xe2\x82"};
    static char want[EV_JSON_MAX], in[64];
    for (size_t sp = 0; sp < sizeof specials / sizeof *specials; sp++) {
        size_t sl = strlen(specials[sp]);
        for (size_t len = sl; len <= 40; len++) {
            for (size_t at = 0; at + sl <= len; at++) {
                memset(in, 'x', len);
                memcpy(in + at, specials[sp], sl);
                ref_escape((const uint8_t *)in, len, want);
                cr_assert_str_eq(escaped(in, len), want, "special %zu len %zu at %zu", sp, len, at);
            }
        }
    }
}

Test(event_json, value_ending_the_arena)
{
    /* the value's last bytes are the arena's last: no word may be read past them */
    static char big[EV_ARENA_SIZE], want[EV_JSON_MAX], exp[EV_JSON_MAX];
    for (size_t tail = 0; tail < 24; tail++) {
        size_t len = EV_ARENA_SIZE - 2 - 1 - tail; /* "k" NUL value NUL, tail bytes left */
        for (size_t i = 0; i < len; i++)
            big[i] = (char)('a' + i % 26);
        memcpy(big + len - 5, "\"\x01\xc3\xa9z", 5);
        ev_reset(&E);
        cr_assert(ev_set_str_n(&E, "k", big, len));
        cr_assert_eq(E.arena_used, EV_ARENA_SIZE - tail);
        ref_escape((const uint8_t *)big, len, want);
        snprintf(exp, sizeof exp, "{\"k\":\"%s\"}", want);
        assert_json(&E, exp);
    }
    /* a key (and object names) at the very end of the arena */
    ev_reset(&E);
    cr_assert(ev_set_str_n(&E, "a", big, EV_ARENA_SIZE - 2 - 1 - 14 - 13));
    cr_assert(ev_set_int(&E, "obj.last_key1", 7));
    cr_assert_eq(E.arena_used, EV_ARENA_SIZE - 13);
    cr_assert(ev_set_int(&E, "obj.nnnnnnnn", 8));
    cr_assert_eq(E.arena_used, EV_ARENA_SIZE);
    const char *j = js(&E);
    cr_assert(strstr(j, "\"obj\":{\"last_key1\":7,\"nnnnnnnn\":8}}") != NULL, "%s", j + strlen(j) - 60);
}

Test(event_json, long_keys_with_dots_far_in)
{
    char key[EV_KEY_MAX + 1];
    /* 96 bytes, 7 dots, the last ones past byte 64 */
    memset(key, 'k', EV_KEY_MAX);
    key[EV_KEY_MAX] = '\0';
    static const int dots[] = {5, 30, 63, 64 + 2, 70, 80, 94};
    for (size_t i = 0; i < 7; i++)
        key[dots[i]] = '.';
    ev_reset(&E);
    cr_assert(ev_set_int(&E, key, 1));
    cr_assert(ev_set_int(&E, "kkkkk.x", 2));
    const char *j = js(&E);
    cr_assert(strcmp(j, "{\"kkkkk\":{\"kkkkkkkkkkkkkkkkkkkkkkkk\":{\"kkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkk\":{\"kk\":{\"kkk\":{"
                         "\"kkkkkkkkk\":{\"kkkkkkkkkkkkk\":{\"k\":1}}}}}},\"x\":2}}") == 0,
              "%s", j);
    /* an eighth dot */
    key[50] = '.';
    cr_assert_not(ev_set_int(&E, key, 1));
    key[50] = 'k';
    /* an empty segment, a dot last, one first, far in */
    key[71] = '.';
    cr_assert_not(ev_set_int(&E, key, 1));
    key[71] = 'k';
    key[63] = 'k';
    key[95] = '.';
    cr_assert_not(ev_set_int(&E, key, 1));
    key[95] = 'k';
    key[63] = '.'; /* bytes 63 and 64: an empty segment across the two dot masks */
    key[64] = '.';
    cr_assert_not(ev_set_int(&E, key, 1));
    key[63] = 'k';
    key[64] = 'k';
    key[0] = '.';
    cr_assert_not(ev_set_int(&E, key, 1));
    key[0] = 'k';
    /* bad bytes in the overlapping last chunk of long keys */
    for (size_t len = 17; len <= EV_KEY_MAX; len += 13) {
        memset(key, 'k', len);
        key[len] = '\0';
        cr_assert(ev_set_int(&E, key, 1), "len %zu", len);
        key[len - 1] = ' ';
        cr_assert_not(ev_set_int(&E, key, 1), "len %zu", len);
    }
    cr_assert_eq(E.dropped_invalid, 5 + 7);
}

/* The tree the setters keep and the one json.c builds when a key lost its
 * first slot give the same text. */
Test(event_json, kept_tree_and_rebuilt_tree_agree)
{
    static ev F;
    static char a[EV_JSON_MAX];
    for (int n = 0; n < 300; n++) {
        ev_reset(&E);
        ev_reset(&F);
        int ops = 1 + (int)(rnd() % 60);
        for (int op = 0; op < ops; op++) {
            char key[64], s[48];
            rnd_key(key, sizeof key, rnd() % 4 == 0);
            size_t len = rnd_string(s, sizeof s);
            if (len == 0)
                continue;
            if (rnd() % 3 == 0) {
                ev_add_str_array_n(&E, key, s, len);
                ev_add_str_array_n(&F, key, s, len);
            } else {
                ev_set_str_n(&E, key, s, len);
                ev_set_str_n(&F, key, s, len);
            }
        }
        /* F: one more key, set last and removed */
        cr_assert(ev_set_int(&F, "zz.last", 1));
        cr_assert(ev_unset(&F, "zz.last"));
        cr_assert_neq(E.tree_ok, F.tree_ok);
        strcpy(a, js(&E));
        cr_assert_str_eq(js(&F), a);
    }
    /* more objects than the tree keeps: json.c builds it */
    static char want[EV_JSON_MAX];
    size_t w = 0;
    ev_reset(&E);
    w += (size_t)snprintf(want + w, sizeof want - w, "{");
    for (int i = 0; i < EV_MAX_OBJS + 1; i++) {
        char key[32];
        snprintf(key, sizeof key, "o%d.v", i);
        cr_assert(ev_set_int(&E, key, i));
        w += (size_t)snprintf(want + w, sizeof want - w, "%s\"o%d\":{\"v\":%d}", i ? "," : "", i, i);
    }
    snprintf(want + w, sizeof want - w, "}");
    cr_assert_not(E.tree_ok);
    assert_json(&E, want);
}

Test(event_json, every_buffer_size_gives_all_or_nothing)
{
    static char full[EV_JSON_MAX], buf[EV_JSON_MAX];
    uint8_t ip[4] = {192, 168, 10, 23};
    ev_reset(&E);
    ev_set_time(&E, "@timestamp", 1763627525123456789LL);
    ev_set_str(&E, "event.dataset", "pptp.session");
    ev_set_str(&E, "user.name", "caf\xc3\xa9 \"x\"\x01");
    ev_set_uint(&E, "source.bytes", UINT64_MAX);
    ev_set_int(&E, "source.delta", INT64_MIN);
    ev_set_bool(&E, "pptp.partial", false);
    ev_add_ip_array(&E, "related.ip", AF_INET, ip);
    ev_add_str_array(&E, "related.ip", "10.0.0.1");
    ev_set_str(&E, "pptp.gre.a.b.c", "deep");
    size_t len = ev_to_json(&E, full, sizeof full);
    cr_assert_gt(len, 0);
    for (size_t cap = 0; cap <= len + 40; cap++) {
        memset(buf, '#', sizeof buf);
        size_t n = ev_to_json(&E, buf, cap);
        if (cap <= len) {
            cr_assert_eq(n, 0, "cap %zu", cap);
            if (cap)
                cr_assert_eq(buf[0], '\0');
            cr_assert_eq(buf[cap], '#', "wrote past cap %zu", cap);
        } else {
            cr_assert_eq(n, len, "cap %zu", cap);
            cr_assert_str_eq(buf, full);
        }
    }
    /* json_escape: exact fit, one byte short */
    static const char raw[] = "ab\"c\x01\xe2\x82\xac\xf0\x9f\x98\x80 tail to be long enough";
    size_t el = json_escape(raw, sizeof raw - 1, full, sizeof full);
    cr_assert_neq(el, JSON_NOFIT);
    for (size_t cap = 0; cap <= el + 20; cap++) {
        memset(buf, '#', sizeof buf);
        size_t n = json_escape(raw, sizeof raw - 1, buf, cap);
        cr_assert_eq(n, cap > el ? el : JSON_NOFIT, "cap %zu", cap);
        if (cap)
            cr_assert(cap > el ? strcmp(buf, full) == 0 : buf[0] == '\0');
        cr_assert_eq(buf[cap], '#', "wrote past cap %zu", cap);
    }
}

/* A template with placeholders, copied and completed, is the event set field by
 * field: the same bytes and the same arena use. */
Test(event_json, placeholders_then_values_equal_setting_in_order)
{
    static ev tpl, direct;
    static char want[EV_JSON_MAX];
    ev_reset(&direct);
    ev_set_time(&direct, "@timestamp", 1700000000123456789LL);
    ev_set_str(&direct, "event.kind", "event");
    ev_set_str(&direct, "event.action", "control_connect");
    ev_set_uint(&direct, "event.sequence", 7);
    ev_set_str(&direct, "log.level", "info");
    ev_set_str(&direct, "observer.type", "sensor");
    ev_set_str(&direct, "event.outcome", "success");
    cr_assert(ev_to_json(&direct, want, sizeof want) > 0);

    ev_reset(&tpl);
    cr_assert(ev_set_placeholder(&tpl, "@timestamp"));
    ev_set_str(&tpl, "event.kind", "event");
    cr_assert(ev_set_placeholder(&tpl, "event.action"));
    ev_set_uint(&tpl, "event.sequence", 0);
    cr_assert(ev_set_placeholder(&tpl, "log.level"));
    ev_set_str(&tpl, "observer.type", "sensor");
    for (int i = 0; i < 2; i++) { /* the template is reused unchanged */
        ev_copy(&E, &tpl);
        ev_set_time(&E, "@timestamp", 1700000000123456789LL);
        ev_set_str(&E, "event.action", "control_connect");
        ev_set_uint(&E, "event.sequence", 7);
        ev_set_str(&E, "log.level", "info");
        ev_set_str(&E, "event.outcome", "success");
        cr_assert_str_eq(js(&E), want);
        cr_assert_eq(E.arena_used, direct.arena_used);
        cr_assert_eq(E.nfields, direct.nfields);
        cr_assert_eq(ev_dropped(&E), 0);
    }
}

/* ev_set_time() remembers the text of recent seconds: alternating time bases,
 * second and day boundaries and negative times still give ev_format_time(). */
Test(event_json, set_time_memo_matches_format)
{
    static const int64_t t[] = {1700000000123456789LL, 1763627525000000000LL, 1700000000999999999LL,
                                1700000001000000000LL, 1763627525999999000LL, 1700000001000000999LL,
                                -1LL, -1000000000LL, 0, 1700006399999999999LL, 1700006400000000000LL, -1LL};
    ev_reset(&E);
    for (size_t i = 0; i < sizeof t / sizeof t[0]; i++) {
        char want[EV_TIME_BUFSZ];
        ev_format_time(t[i], want);
        cr_assert(ev_set_time(&E, "@timestamp", t[i]));
        cr_assert_str_eq(ev_get_str(&E, "@timestamp", NULL), want, "at %zu", i);
    }
}
