/* netns_util.c - see netns_util.h */
#define _GNU_SOURCE
#include "netns_util.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

#include "proc_util.h"

#define NETNS_DIR "/run/netns"
#define PREFIX "ppi"

static int sh(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static int sh(const char *fmt, ...)
{
    char cmd[8192];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(cmd, sizeof cmd, fmt, ap);
    va_end(ap);
    char full[8300];
    snprintf(full, sizeof full, "%s >/dev/null 2>&1", cmd);
    int st = system(full);
    return WIFEXITED(st) ? WEXITSTATUS(st) : -1;
}

bool netns_available(char *why, size_t why_size)
{
    if (geteuid() != 0) {
        snprintf(why, why_size, "needs root (network namespaces, raw GRE sockets, capture)");
        return false;
    }
    if (sh("ip netns list") != 0) {
        snprintf(why, why_size, "`ip netns` is not usable here");
        return false;
    }
    return true;
}

/* Pids of the processes in namespace ns. */
static int ns_pids(const char *ns, pid_t *out, int cap)
{
    char cmd[256];
    snprintf(cmd, sizeof cmd, "ip netns pids %s 2>/dev/null", ns);
    FILE *f = popen(cmd, "r");
    if (!f)
        return -1;
    int n = 0;
    long v;
    while (n < cap && fscanf(f, "%ld", &v) == 1)
        if (v > 1 && v != getpid())
            out[n++] = (pid_t)v;
    pclose(f);
    return n;
}

int netns_count_pids(const char *ns)
{
    pid_t p[256];
    return ns_pids(ns, p, 256);
}

static void ns_kill_all(const char *ns)
{
    pid_t p[256];
    int n = ns_pids(ns, p, 256);
    for (int i = 0; i < n; i++)
        kill(p[i], SIGTERM);
    long long end = now_ms() + 2000;
    while (n > 0 && now_ms() < end) {
        usleep(20000);
        for (int i = 0; i < n; i++)
            waitpid(p[i], NULL, WNOHANG); /* our own children */
        n = ns_pids(ns, p, 256);
    }
    for (int i = 0; i < n; i++)
        kill(p[i], SIGKILL);
    for (int i = 0; i < n; i++)
        waitpid(p[i], NULL, WNOHANG);
}

static void ns_delete(const char *ns)
{
    char path[4200]; /* the name may be up to a path long (gcc -O3 checks) */
    snprintf(path, sizeof path, NETNS_DIR "/%s", ns);
    if (access(path, F_OK) != 0)
        return;
    ns_kill_all(ns);
    sh("ip netns del %s", ns);
}

void netns_reap_stale(void)
{
    DIR *d = opendir(NETNS_DIR);
    if (!d)
        return;
    struct dirent *e;
    char names[64][64];
    int n = 0;
    while ((e = readdir(d)) && n < 64) {
        long pid;
        char side;
        if (strlen(e->d_name) >= sizeof names[0] || sscanf(e->d_name, PREFIX "%ld%c", &pid, &side) != 2 ||
            (side != 'a' && side != 'b'))
            continue;
        if (pid == getpid() || kill((pid_t)pid, 0) == 0 || errno != ESRCH)
            continue; /* its test process is alive */
        memcpy(names[n++], e->d_name, strlen(e->d_name) + 1);
    }
    closedir(d);
    for (int i = 0; i < n; i++)
        ns_delete(names[i]);
}

bool netns_pair_setup(netns_pair *p, char *why, size_t why_size)
{
    memset(p, 0, sizeof *p);
    long pid = getpid();
    snprintf(p->a, sizeof p->a, PREFIX "%lda", pid);
    snprintf(p->b, sizeof p->b, PREFIX "%ldb", pid);
    snprintf(p->if_a, sizeof p->if_a, "vpa");
    snprintf(p->if_b, sizeof p->if_b, "vpb");
    int x = 100 + (int)((pid / 250) % 100), y = (int)(pid % 250) + 1;
    snprintf(p->ip_a, sizeof p->ip_a, "10.%d.%d.1", x, y);
    snprintf(p->ip_b, sizeof p->ip_b, "10.%d.%d.2", x, y);
    ns_delete(p->a);
    ns_delete(p->b);
    p->made = true;
    int bad = 0;
    bad |= sh("ip netns add %s", p->a);
    bad |= sh("ip netns add %s", p->b);
    /* created inside A directly: the interface names never exist in our namespace */
    bad |= sh("ip -n %s link add %s type veth peer name %s netns %s", p->a, p->if_a, p->if_b, p->b);
    bad |= sh("ip -n %s addr add %s/24 dev %s", p->a, p->ip_a, p->if_a);
    bad |= sh("ip -n %s addr add %s/24 dev %s", p->b, p->ip_b, p->if_b);
    bad |= sh("ip -n %s link set lo up", p->a);
    bad |= sh("ip -n %s link set lo up", p->b);
    bad |= sh("ip -n %s link set %s up", p->a, p->if_a);
    bad |= sh("ip -n %s link set %s up", p->b, p->if_b);
    if (bad) {
        snprintf(why, why_size, "cannot set up namespaces %s/%s with a veth pair", p->a, p->b);
        netns_pair_teardown(p);
        return false;
    }
    return true;
}

void netns_pair_teardown(netns_pair *p)
{
    if (!p->made)
        return;
    ns_delete(p->b);
    ns_delete(p->a);
    p->made = false;
}

pid_t netns_spawn(const char *ns, char *const argv[], int in_fd, int out_fd, const char *err_path)
{
    int nsfd = -1;
    if (ns) {
        char path[256];
        snprintf(path, sizeof path, NETNS_DIR "/%s", ns);
        nsfd = open(path, O_RDONLY | O_CLOEXEC);
        if (nsfd < 0)
            return -1;
    }
    pid_t parent = getpid();
    pid_t pid = fork();
    if (pid < 0) {
        if (nsfd >= 0)
            close(nsfd);
        return -1;
    }
    if (pid == 0) {
        prctl(PR_SET_PDEATHSIG, SIGKILL);
        if (getppid() != parent)
            _exit(127);
        if (nsfd >= 0 && setns(nsfd, CLONE_NEWNET) != 0)
            _exit(126);
        int null = open("/dev/null", O_RDWR);
        int err = err_path ? open(err_path, O_WRONLY | O_CREAT | O_TRUNC, 0644) : null;
        /* stdin/stdout may be the same descriptor (a socketpair end) */
        int i0 = in_fd >= 0 ? in_fd : null, o1 = out_fd >= 0 ? out_fd : null;
        int ti = dup(i0), to = dup(o1), te = dup(err >= 0 ? err : null);
        dup2(ti, 0);
        dup2(to, 1);
        dup2(te, 2);
        for (int fd = 3; fd < 1024; fd++)
            close(fd);
        signal(SIGPIPE, SIG_DFL);
        execvp(argv[0], argv);
        _exit(127);
    }
    if (nsfd >= 0)
        close(nsfd);
    return pid;
}

static bool proc_file_has(pid_t inside, const char *file, int port, int min_entries)
{
    char path[128], line[512];
    snprintf(path, sizeof path, "/proc/%ld/net/%s", (long)inside, file);
    FILE *f = fopen(path, "r");
    if (!f)
        return false;
    int n = 0;
    bool found = false;
    if (!fgets(line, sizeof line, f)) {
        fclose(f);
        return false;
    }
    while (fgets(line, sizeof line, f)) {
        n++;
        if (port > 0) {
            unsigned lport, st;
            char la[64];
            if (sscanf(line, " %*d: %63[0-9A-Fa-f]:%x %*[0-9A-Fa-f]:%*x %x", la, &lport, &st) == 3 &&
                (int)lport == port && st == 0x0A)
                found = true;
        }
    }
    fclose(f);
    return port > 0 ? found : n >= min_entries;
}

/* Still running (not reaped: the caller may want its status). */
static bool alive(pid_t pid)
{
    siginfo_t si;
    memset(&si, 0, sizeof si);
    if (waitid(P_PID, (id_t)pid, &si, WEXITED | WNOHANG | WNOWAIT) != 0)
        return kill(pid, 0) == 0; /* not our child */
    return si.si_pid == 0;
}

bool netns_wait_listen(pid_t inside, int port, int timeout_ms)
{
    long long end = now_ms() + timeout_ms;
    while (now_ms() < end) {
        if (proc_file_has(inside, "tcp", port, 0))
            return true;
        if (!alive(inside))
            return false;
        usleep(20000);
    }
    return false;
}

bool netns_wait_capture(pid_t inside, int n, int timeout_ms)
{
    long long end = now_ms() + timeout_ms;
    while (now_ms() < end) {
        if (proc_file_has(inside, "packet", 0, n))
            return true;
        if (!alive(inside))
            return false;
        usleep(20000);
    }
    return false;
}
