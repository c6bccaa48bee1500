/* proc_util.c - see proc_util.h */
#define _GNU_SOURCE
#include "proc_util.h"

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

long long now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

pid_t proc_start(char *const argv[], int *in_fd, int *out_fd, const char *err_path)
{
    int in[2] = {-1, -1}, out[2] = {-1, -1};
    if ((in_fd && pipe2(in, O_CLOEXEC)) || (out_fd && pipe2(out, O_CLOEXEC)))
        return -1;
    pid_t parent = getpid();
    pid_t pid = fork();
    if (pid < 0)
        return -1;
    if (pid == 0) {
        prctl(PR_SET_PDEATHSIG, SIGKILL);
        if (getppid() != parent)
            _exit(127);
        if (in_fd)
            dup2(in[0], 0);
        if (out_fd)
            dup2(out[1], 1);
        if (err_path) {
            int fd = open(err_path, O_WRONLY | O_CREAT | O_TRUNC, 0644);
            if (fd >= 0)
                dup2(fd, 2);
        }
        execvp(argv[0], argv);
        _exit(127);
    }
    if (in_fd) {
        close(in[0]);
        *in_fd = in[1];
    }
    if (out_fd) {
        close(out[1]);
        *out_fd = out[0];
    }
    return pid;
}

int proc_wait(pid_t pid, int timeout_ms)
{
    long long end = now_ms() + timeout_ms;
    for (;;) {
        int st;
        pid_t r = waitpid(pid, &st, WNOHANG);
        if (r == pid)
            return st;
        if (r < 0 && errno != EINTR)
            return -1;
        if (now_ms() >= end)
            return -1;
        usleep(10000);
    }
}

int proc_stop(pid_t pid, int timeout_ms)
{
    if (pid <= 0)
        return -1;
    kill(pid, SIGTERM);
    int st = proc_wait(pid, timeout_ms);
    if (st == -1) {
        kill(pid, SIGKILL);
        st = proc_wait(pid, 5000);
    }
    return st;
}

bool proc_read_line(int fd, char *buf, size_t cap, int timeout_ms)
{
    long long end = now_ms() + timeout_ms;
    size_t n = 0;
    while (n + 1 < cap) {
        long long left = end - now_ms();
        if (left <= 0)
            return false;
        struct pollfd p = {fd, POLLIN, 0};
        if (poll(&p, 1, (int)left) <= 0)
            continue;
        char c;
        ssize_t r = read(fd, &c, 1);
        if (r <= 0)
            return false;
        if (c == '\n')
            break;
        buf[n++] = c;
    }
    buf[n] = '\0';
    return true;
}

int free_port(bool udp)
{
    int fd = socket(AF_INET, udp ? SOCK_DGRAM : SOCK_STREAM, 0);
    struct sockaddr_in a = {.sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
    socklen_t l = sizeof a;
    if (fd < 0 || bind(fd, (struct sockaddr *)&a, sizeof a) || getsockname(fd, (struct sockaddr *)&a, &l)) {
        if (fd >= 0)
            close(fd);
        return -1;
    }
    close(fd);
    return ntohs(a.sin_port);
}

bool wait_tcp_port(int port, int timeout_ms)
{
    long long end = now_ms() + timeout_ms;
    while (now_ms() < end) {
        int fd = socket(AF_INET, SOCK_STREAM, 0);
        struct sockaddr_in a = {.sin_family = AF_INET, .sin_port = htons((uint16_t)port),
                                .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
        int r = connect(fd, (struct sockaddr *)&a, sizeof a);
        close(fd);
        if (r == 0)
            return true;
        usleep(50000);
    }
    return false;
}

int wait_file_lines(const char *path, int n, int timeout_ms)
{
    long long end = now_ms() + timeout_ms;
    int lines = 0;
    for (;;) {
        lines = 0;
        FILE *f = fopen(path, "r");
        if (f) {
            int c;
            while ((c = getc(f)) != EOF)
                if (c == '\n')
                    lines++;
            fclose(f);
        }
        if (lines >= n || now_ms() >= end)
            return lines;
        usleep(50000);
    }
}
