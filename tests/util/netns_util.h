/*
 * netns_util.h - test helpers for interop tests that need their own network:
 * two network namespaces joined by a veth pair (server end A, client end B),
 * processes started inside a namespace, and cleanup that leaves nothing behind
 * (processes in the namespaces are killed by pid, the namespaces deleted).
 *
 * Names are "ppi<pid>a" / "ppi<pid>b" (pid of the test process that made them),
 * so parallel runs never meet, and netns_reap_stale() removes the pairs of test
 * processes that died without cleaning up (a test killed by its timeout).
 * Addresses are 10.X.Y.1 (A) and 10.X.Y.2 (B), X.Y from the pid: pptp-linux
 * names its control socket after the server address (/var/run/pptp/ADDR:PHONE), so
 * even that is unique per run.  Traffic stays inside the pair.
 */
#ifndef PPTP_TEST_NETNS_UTIL_H
#define PPTP_TEST_NETNS_UTIL_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

typedef struct netns_pair {
    char a[32], b[32];        /* namespace names */
    char if_a[16], if_b[16];  /* the veth end in each */
    char ip_a[16], ip_b[16];  /* 10.X.Y.1 / 10.X.Y.2 */
    bool made;
} netns_pair;

/* Root and `ip netns` usable; otherwise false with the reason in why. */
bool netns_available(char *why, size_t why_size);
/* Delete the pairs left by test processes that no longer exist. */
void netns_reap_stale(void);
/* Create the pair (deleting a leftover with the same names first).  false
 * with a message in why on failure (nothing left behind). */
bool netns_pair_setup(netns_pair *p, char *why, size_t why_size);
/* Kill every process in both namespaces (by pid: SIGTERM, then SIGKILL after
 * 2 s) and delete them.  Safe to call twice or on a pair never made. */
void netns_pair_teardown(netns_pair *p);
/* Number of processes in namespace ns (-1 on error). */
int netns_count_pids(const char *ns);

/* Start argv[0] (PATH searched) inside namespace ns (NULL: ours) with SIGKILL as
 * its parent-death signal.  in_fd / out_fd become its stdin / stdout when >= 0
 * (else /dev/null); stderr goes to err_path (NULL: /dev/null).  -1 on error. */
pid_t netns_spawn(const char *ns, char *const argv[], int in_fd, int out_fd, const char *err_path);
/* Wait (bounded) until something listens on TCP port in the namespace of the
 * process inside (read from /proc/PID/net/tcp).  false when it exits first. */
bool netns_wait_listen(pid_t inside, int port, int timeout_ms);
/* Wait (bounded) until the namespace of inside holds at least n packet
 * (capture) sockets (/proc/PID/net/packet). */
bool netns_wait_capture(pid_t inside, int n, int timeout_ms);

#endif
