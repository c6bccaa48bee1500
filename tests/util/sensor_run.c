/* sensor_run.c - see sensor_run.h */
#include "sensor_run.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "test_env.h"

static const char *env_or(const char *n, const char *d)
{
    const char *v = getenv(n);
    return v && *v ? v : d;
}

const char *sensor_binary(void)
{
    static char p[4096];
    snprintf(p, sizeof p, "%s/sensor/pptp-sensor", env_or("PPTP_BINARY_DIR", PPTP_BINARY_DIR));
    return p;
}

int sensor_run(const char *pcap, const char *extra_args, const char *tag, char *out_path, size_t out_size)
{
    char name[512], cmd[16384];
    snprintf(name, sizeof name, "events-%s.jsonl", tag);
    scratch_path(name, out_path, out_size);
    unlink(out_path); /* the file sink appends */
    snprintf(cmd, sizeof cmd, "'%s' %s -r '%s' -w '%s' 2>/dev/null", sensor_binary(), extra_args ? extra_args : "",
             pcap, out_path);
    int st = -1;
    free(run_capture(cmd, &st));
    return st;
}

char *sensor_query(const char *events, const char *action, const char *fields)
{
    char cmd[16384];
    snprintf(cmd, sizeof cmd, "python3 '%s/tests/tools/evq.py' '%s' '%s' %s", env_or("PPTP_SOURCE_DIR", PPTP_SOURCE_DIR),
             events, action, fields);
    int st = 0;
    char *out = run_capture(cmd, &st);
    return out ? out : strdup("");
}

int sensor_count(const char *events, const char *action)
{
    char *out = sensor_query(events, action, "event.action");
    int n = 0;
    for (char *p = out; *p; p++)
        if (*p == '\n')
            n++;
    free(out);
    return n;
}
