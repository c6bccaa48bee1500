/* test_env.c - see test_env.h */
#include "test_env.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

static const char *env_or(const char *name, const char *dflt)
{
    const char *v = getenv(name);
    return v && *v ? v : dflt;
}

const char *external_pcap(const char *name, char *out, size_t out_size)
{
    snprintf(out, out_size, "%s/pcaps/external/%s", env_or("PPTP_SHARED_DIR", PPTP_SHARED_DIR), name);
    return access(out, R_OK) == 0 ? out : NULL;
}

const char *scratch_path(const char *name, char *out, size_t out_size)
{
    char dir[4096];
    snprintf(dir, sizeof dir, "%s/test-tmp", env_or("PPTP_BINARY_DIR", PPTP_BINARY_DIR));
    mkdir(dir, 0755);
    snprintf(out, out_size, "%s/%s", dir, name);
    return out;
}

const char *source_path(const char *rel, char *out, size_t out_size)
{
    snprintf(out, out_size, "%s/%s", env_or("PPTP_SOURCE_DIR", PPTP_SOURCE_DIR), rel);
    return out;
}

char *run_capture(const char *cmd, int *exit_status)
{
    FILE *p = popen(cmd, "r");
    if (!p)
        return NULL;
    size_t cap = 4096, len = 0;
    char *buf = malloc(cap);
    size_t n;
    while (buf && (n = fread(buf + len, 1, cap - len - 1, p)) > 0) {
        len += n;
        if (cap - len < 2) {
            char *nb = realloc(buf, cap * 2);
            if (!nb) {
                free(buf);
                buf = NULL;
                break;
            }
            buf = nb;
            cap *= 2;
        }
    }
    int st = pclose(p);
    if (exit_status)
        *exit_status = WIFEXITED(st) ? WEXITSTATUS(st) : -1;
    if (buf)
        buf[len] = '\0';
    return buf;
}

bool tshark_available(void)
{
    int st = 0;
    char *out = run_capture("command -v tshark >/dev/null 2>&1 && echo yes", &st);
    bool ok = out && strncmp(out, "yes", 3) == 0;
    free(out);
    return ok;
}

char *tshark_fields(const char *pcap, const char *filter, const char *const *fields)
{
    char cmd[8192];
    int n = snprintf(cmd, sizeof cmd, "tshark -n -r '%s' -T fields -E separator='|' -E occurrence=a -E aggregator=,",
                     pcap);
    if (filter)
        n += snprintf(cmd + n, sizeof cmd - (size_t)n, " -Y '%s'", filter);
    for (int i = 0; fields[i] && (size_t)n < sizeof cmd; i++)
        n += snprintf(cmd + n, sizeof cmd - (size_t)n, " -e %s", fields[i]);
    if ((size_t)n >= sizeof cmd - 16)
        return NULL;
    snprintf(cmd + n, sizeof cmd - (size_t)n, " 2>/dev/null");
    int st = 0;
    char *out = run_capture(cmd, &st);
    if (st != 0) {
        free(out);
        return NULL;
    }
    return out;
}

int tshark_malformed_count(const char *pcap)
{
    char cmd[4096];
    snprintf(cmd, sizeof cmd, "tshark -n -r '%s' -Y '_ws.malformed || _ws.expert.severity == error' 2>/dev/null | wc -l", pcap);
    int st = 0;
    char *out = run_capture(cmd, &st);
    int n = (out && st == 0) ? atoi(out) : -1;
    free(out);
    return n;
}

char *read_file(const char *path, size_t *len)
{
    FILE *f = fopen(path, "rb");
    if (!f)
        return NULL;
    fseek(f, 0, SEEK_END);
    long sz = ftell(f);
    fseek(f, 0, SEEK_SET);
    char *buf = sz >= 0 ? malloc((size_t)sz + 1) : NULL;
    size_t n = buf ? fread(buf, 1, (size_t)sz, f) : 0;
    fclose(f);
    if (!buf)
        return NULL;
    buf[n] = '\0';
    if (len)
        *len = n;
    return buf;
}
