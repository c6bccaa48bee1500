/*
 * bench_capture.h - the synthetic capture the benchmarks read: n concurrent
 * outgoing calls, each a TCP/1723 control connection (handshake, SCCRQ/SCCRP,
 * OCRQ/OCRP), then per data packets of MPPE-encrypted-looking PPP per call,
 * interleaved across calls, then a CDN per call.  64 servers, each with unique
 * PAC Call IDs, and one client address per call.  Interleaving is packet by packet
 * (the worst case for locality) or, with a burst of B, B packets of a call at a
 * time (closer to real tunnels, whose inner TCP sends window-sized trains).  Each
 * round visits every call once, in creation order (round robin: the calls' state
 * is then visited at a fixed stride, which the CPU's prefetchers follow) or in a
 * new random order each round (shuffle: as unrelated sessions on a link arrive).
 */
#ifndef PPTP_BENCH_CAPTURE_H
#define PPTP_BENCH_CAPTURE_H

#include <stdint.h>

/* Write the capture to path (Ethernet pcap); returns the number of packets. Exits on I/O error. */
uint64_t bench_make_capture(const char *path, uint32_t n, uint32_t per);
/* The same with bursts of `burst` consecutive packets per call (1 = the above). */
uint64_t bench_make_capture_burst(const char *path, uint32_t n, uint32_t per, uint32_t burst);
/* The same, the calls of each round in a new (deterministic) random order when shuffle. */
uint64_t bench_make_capture_order(const char *path, uint32_t n, uint32_t per, uint32_t burst, int shuffle);
/* Monotonic seconds. */
double bench_now_s(void);

#endif
