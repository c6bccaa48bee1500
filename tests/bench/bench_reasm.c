/* bench_reasm.c - cost of the reassembly engines (decoders/tcp_reasm.c,
 * decoders/ip_defrag.c): ns per in-order TCP segment (consumer draining after
 * each segment, the sensor's common case), per out-of-order TCP segment (pairs
 * swapped), and per IP fragment reassembled.  Build type matters: use a
 * RelWithDebInfo/Release build without sanitizers for real figures. */
#define _POSIX_C_SOURCE 200809L
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "ip_defrag.h"
#include "tcp_reasm.h"

static uint64_t now_ns(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

static volatile size_t sink;

static double bench_tcp_inorder(size_t seglen, int n)
{
    uint8_t *seg = malloc(seglen);
    memset(seg, 0x5a, seglen);
    tcp_stream st;
    tcp_stream_init(&st, NULL);
    tcp_stream_add(&st, 1000, TCP_STREAM_SYN, NULL, 0, 0, NULL);
    uint32_t seq = 1001;
    uint64_t t0 = now_ns();
    for (int i = 0; i < n; i++) {
        tcp_stream_add(&st, seq, 0, seg, seglen, (uint64_t)i, NULL);
        seq += (uint32_t)seglen;
        const uint8_t *p;
        size_t len;
        tcp_stream_peek(&st, &p, &len);
        sink += p[len - 1];
        tcp_stream_consume(&st, len);
    }
    uint64_t t1 = now_ns();
    tcp_stream_destroy(&st);
    free(seg);
    return (double)(t1 - t0) / n;
}

static double bench_tcp_swapped(size_t seglen, int n)
{
    uint8_t *seg = malloc(seglen);
    memset(seg, 0xa5, seglen);
    tcp_stream st;
    tcp_stream_init(&st, NULL);
    tcp_stream_add(&st, 0, TCP_STREAM_SYN, NULL, 0, 0, NULL);
    uint32_t seq = 1;
    uint64_t t0 = now_ns();
    for (int i = 0; i < n; i += 2) {
        tcp_stream_add(&st, seq + (uint32_t)seglen, 0, seg, seglen, (uint64_t)i, NULL);
        tcp_stream_add(&st, seq, 0, seg, seglen, (uint64_t)i, NULL);
        seq += 2 * (uint32_t)seglen;
        const uint8_t *p;
        size_t len;
        tcp_stream_peek(&st, &p, &len);
        sink += len;
        tcp_stream_consume(&st, len);
    }
    uint64_t t1 = now_ns();
    tcp_stream_destroy(&st);
    free(seg);
    return (double)(t1 - t0) / n;
}

/* Datagrams of total bytes cut into frag-byte fragments; in order, or last
 * fragment first.  Returns ns per fragment. */
static double bench_defrag(int af, size_t total, size_t frag, int reverse, int datagrams)
{
    ip_defrag *d = ip_defrag_create(NULL);
    uint8_t *pl = malloc(total);
    memset(pl, 0x33, total);
    size_t nf = (total + frag - 1) / frag;
    ip_frag f;
    memset(&f, 0, sizeof f);
    f.key.af = (uint8_t)af;
    f.key.proto = 47;
    f.key.src[0] = 10;
    f.key.dst[0] = 11;
    uint64_t fragments = 0, t0 = now_ns();
    for (int g = 0; g < datagrams; g++) {
        f.key.id = (uint32_t)g & (af == 4 ? 0xffffu : 0xffffffffu);
        for (size_t k = 0; k < nf; k++) {
            size_t idx = reverse ? nf - 1 - k : k;
            size_t off = idx * frag, len = off + frag < total ? frag : total - off;
            f.offset = (uint32_t)off;
            f.more = off + len < total;
            f.data = pl + off;
            f.len = len;
            ip_defrag_result r;
            if (ip_defrag_add(d, &f, (uint64_t)g, &r, NULL) == IP_DEFRAG_COMPLETE)
                sink += r.len;
            fragments++;
        }
    }
    uint64_t t1 = now_ns();
    if (ip_defrag_get_stats(d)->datagrams_completed != (uint64_t)datagrams)
        fprintf(stderr, "bench_defrag: only %llu of %d completed\n",
                (unsigned long long)ip_defrag_get_stats(d)->datagrams_completed, datagrams);
    ip_defrag_destroy(d);
    free(pl);
    return (double)(t1 - t0) / (double)fragments;
}

int main(int argc, char **argv)
{
    int n = argc > 1 ? atoi(argv[1]) : 2000000;
    if (n < 2)
        n = 2;
    printf("tcp in-order   156 B segments: %7.1f ns/segment\n", bench_tcp_inorder(156, n));
    printf("tcp in-order  1460 B segments: %7.1f ns/segment\n", bench_tcp_inorder(1460, n));
    printf("tcp swapped   1460 B segments: %7.1f ns/segment\n", bench_tcp_swapped(1460, n));
    printf("ipv4 defrag 3000 B / 1480 B in order: %7.1f ns/fragment\n", bench_defrag(4, 3000, 1480, 0, n / 3));
    printf("ipv4 defrag 3000 B / 1480 B reversed: %7.1f ns/fragment\n", bench_defrag(4, 3000, 1480, 1, n / 3));
    printf("ipv6 defrag 3000 B / 1232 B in order: %7.1f ns/fragment\n", bench_defrag(6, 3000, 1232, 0, n / 3));
    printf("ipv4 defrag 65515 B / 1480 B in order: %7.1f ns/fragment\n", bench_defrag(4, 65515, 1480, 0, n / 45));
    return 0;
}
