/*
 * proc_util.h - test helpers for tests that run real daemons (rsyslogd, the
 * Kafka mock, pptp-sensor): start a child that dies with the test process,
 * stop it with a bounded wait, free ports, wait for a listening port, bounded
 * waits on files.
 */
#ifndef PPTP_TEST_PROC_UTIL_H
#define PPTP_TEST_PROC_UTIL_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

/* Start argv[0] (PATH searched) with SIGKILL as its parent-death signal.  If
 * in_fd/out_fd are not NULL, *in_fd receives a pipe to its stdin and *out_fd
 * one from its stdout.  stderr goes to err_path when not NULL.  -1 on error. */
pid_t proc_start(char *const argv[], int *in_fd, int *out_fd, const char *err_path);
/* SIGTERM, wait up to timeout_ms, then SIGKILL; reaps it.  Returns the wait
 * status (or -1).  Safe with pid <= 0. */
int proc_stop(pid_t pid, int timeout_ms);
/* Wait up to timeout_ms for the child to exit; its wait status, or -1 (still running). */
int proc_wait(pid_t pid, int timeout_ms);
/* Read one line from fd within timeout_ms into buf (without the newline). */
bool proc_read_line(int fd, char *buf, size_t cap, int timeout_ms);
/* A currently free TCP (or UDP) port on 127.0.0.1. */
int free_port(bool udp);
/* Wait until 127.0.0.1:port accepts TCP connections. */
bool wait_tcp_port(int port, int timeout_ms);
/* Wait until the file has at least n lines; returns the count seen. */
int wait_file_lines(const char *path, int n, int timeout_ms);
/* Milliseconds on the monotonic clock. */
long long now_ms(void);

#endif
