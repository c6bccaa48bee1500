/*
 * link_test_helpers.h - small helpers shared by the lower-layer decoder tests
 * (test_link.c, test_ipv4.c, test_ipv6.c, test_icmp.c, test_tcp.c): a seeded PRNG
 * for randomised round trips, tshark output splitting, and running tshark with
 * extra preferences.
 */
#ifndef PPTP_LINK_TEST_HELPERS_H
#define PPTP_LINK_TEST_HELPERS_H

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "test_env.h"

static uint64_t lt_rng_state = 0x9e3779b97f4a7c15ull;

static inline void lt_seed(uint64_t s)
{
    lt_rng_state = s ? s : 1;
}

/* xorshift64* */
static inline uint32_t lt_rand(void)
{
    lt_rng_state ^= lt_rng_state >> 12;
    lt_rng_state ^= lt_rng_state << 25;
    lt_rng_state ^= lt_rng_state >> 27;
    return (uint32_t)((lt_rng_state * 0x2545f4914f6cdd1dull) >> 32);
}

static inline uint32_t lt_below(uint32_t n)
{
    return n ? lt_rand() % n : 0;
}

static inline void lt_rand_bytes(uint8_t *p, size_t n)
{
    for (size_t i = 0; i < n; i++)
        p[i] = (uint8_t)lt_rand();
}

/* Split text into lines in place (trailing empty line dropped); returns count. */
static inline int lt_lines(char *text, char **lines, int max)
{
    int n = 0;
    char *p = text;
    while (p && *p && n < max) {
        lines[n++] = p;
        char *nl = strchr(p, '\n');
        if (!nl)
            break;
        *nl = '\0';
        p = nl + 1;
    }
    return n;
}

/* Field idx (0-based, '|' separated) of line, copied into out. */
static inline const char *lt_field(const char *line, int idx, char *out, size_t size)
{
    const char *p = line;
    for (int i = 0; i < idx && p; i++) {
        p = strchr(p, '|');
        if (p)
            p++;
    }
    if (!p) {
        snprintf(out, size, "<missing>");
        return out;
    }
    size_t n = strcspn(p, "|");
    if (n >= size)
        n = size - 1;
    memcpy(out, p, n);
    out[n] = '\0';
    return out;
}

/* tshark -T fields with extra options (e.g. "-o tcp.check_checksum:TRUE"); fields is
 * a space-separated list of "-e name".  Returns malloc'd output or NULL. */
static inline char *lt_tshark(const char *pcap, const char *opts, const char *filter, const char *fields)
{
    char cmd[16384];
    snprintf(cmd, sizeof cmd,
             "tshark -n -r '%s' %s %s%s%s -T fields -E separator='|' -E occurrence=a -E aggregator=, %s 2>/dev/null",
             pcap, opts ? opts : "", filter ? "-Y '" : "", filter ? filter : "", filter ? "'" : "", fields);
    int st = 0;
    char *out = run_capture(cmd, &st);
    if (st != 0) {
        free(out);
        return NULL;
    }
    return out;
}

#endif
