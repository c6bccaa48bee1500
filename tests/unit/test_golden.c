/*
 * test_golden.c - golden tests: every capture in pcaps/ that has an expected
 * events file (NAME.jsonl beside NAME.pcap) is run through pptp-sensor and the
 * events are compared field by field (tests/tools/jsonl_compare.py), volatile
 * fields (event.created, observer.hostname/version, memory figures) left out.
 * Regenerate expectations after an intended change with scripts/update-golden.sh
 * and review the diff.
 */
#include <criterion/criterion.h>
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "test_env.h"

Test(golden, every_capture_matches_its_expected_events)
{
    char dir[4096], sensor[4096];
    source_path("pcaps", dir, sizeof dir);
    snprintf(sensor, sizeof sensor, "%s/sensor/pptp-sensor", getenv("PPTP_BINARY_DIR") ? getenv("PPTP_BINARY_DIR") : PPTP_BINARY_DIR);
    cr_assert(access(sensor, X_OK) == 0, "pptp-sensor not built at %s", sensor);
    DIR *d = opendir(dir);
    cr_assert_not_null(d, "no pcaps/ folder");
    struct dirent *e;
    int checked = 0, failed = 0;
    while ((e = readdir(d))) {
        size_t n = strlen(e->d_name);
        if (n < 7 || strcmp(e->d_name + n - 6, ".jsonl") != 0)
            continue;
        char base[256], pcap[8192], expected[8192], actual[8192], cmd[32768];
        snprintf(base, sizeof base, "%.*s", (int)(n - 6), e->d_name);
        snprintf(pcap, sizeof pcap, "%s/%s.pcap", dir, base);
        if (access(pcap, R_OK) != 0)
            snprintf(pcap, sizeof pcap, "%s/%s.pcapng", dir, base);
        snprintf(expected, sizeof expected, "%s/%s", dir, e->d_name);
        char scratch[300];
        snprintf(scratch, sizeof scratch, "golden-%s.jsonl", base);
        scratch_path(scratch, actual, sizeof actual);
        unlink(actual); /* the file sink appends */
        snprintf(cmd, sizeof cmd, "'%s' -r '%s' -w '%s' 2>&1", sensor, pcap, actual);
        int st = 0;
        char *out = run_capture(cmd, &st);
        cr_expect_eq(st, 0, "%s: pptp-sensor exited %d: %s", base, st, out ? out : "");
        free(out);
        snprintf(cmd, sizeof cmd, "python3 '%s/tests/tools/jsonl_compare.py' '%s' '%s' 2>&1",
                 getenv("PPTP_SOURCE_DIR") ? getenv("PPTP_SOURCE_DIR") : PPTP_SOURCE_DIR, expected, actual);
        out = run_capture(cmd, &st);
        if (st != 0)
            failed++;
        cr_expect_eq(st, 0, "%s: events differ from %s:\n%s", base, expected, out ? out : "");
        free(out);
        checked++;
    }
    closedir(d);
    cr_log_info("golden: %d captures checked, %d differ", checked, failed);
    cr_assert_gt(checked, 0, "no golden captures (pcaps/*.jsonl) found");
}
