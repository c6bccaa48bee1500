/*
 * peer_live.h - live and stdio modes of pptp-peer: ONE end of a scenario over
 * real transports, with the same engines as synthesis (peer_ctrl, peer_gre,
 * peer_ppp).
 *
 *   PNS    TCP/1723 client (--server ADDR) + enhanced GRE on a raw IPPROTO_GRE
 *          socket; PPP client in user space
 *   PAC    TCP/1723 listener + raw GRE; PPP server in user space
 *   stdio  PPP only, in RFC 1662 async HDLC framing on two file descriptors
 *          (stdin/stdout), for pptpd's `ppp` program or pptp --nolaunchpppd
 *
 * The script is the scenario's: a directive for our side is performed, one
 * for the other side is awaited (its effect: a call to answer, packets to
 * receive, a hangup or disconnect to see), one that has no meaning on this
 * transport (capture, tcp faults, step, mtu) is ignored.  The same scenario
 * file can so drive both ends.  Every wait is bounded by opts.timeout.
 *
 * Results go to opts.report, one line per call:
 *   pptp-peer: call name=c1 mode=pns call_id=... peer_call_id=... outcome=up
 *     user=... auth=mschapv2 auth_result=success mppe_bits=128 mppe_stateless=1
 *     ip_local=... ip_peer=... gre_tx_packets=... gre_tx_bytes=... ...
 * (docs/peer.md lists the keys).
 */
#ifndef PPTP_PEER_LIVE_H
#define PPTP_PEER_LIVE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "peer_scenario.h"

enum live_mode { LIVE_PNS = 0, LIVE_PAC, LIVE_STDIO };

typedef struct live_opts {
    int mode;               /* enum live_mode */
    int side;               /* SIDE_CLIENT / SIDE_SERVER (pns: client, pac: server, stdio: --role) */
    const char *addr;       /* pns: the server; pac: listen address (NULL: any) */
    const char *bind_addr;  /* pns: local address to bind (NULL: any) */
    uint16_t port;          /* 1723 */
    ptime timeout;          /* bound of every wait (connect, reply, the peer's action) */
    ptime accept_timeout;   /* pac: wait for a client */
    int connections;        /* pac: control connections to serve, one after the other */
    bool seed_set;
    uint64_t seed;
    int verbose;
    FILE *report;           /* result lines (stdout; stdio mode: stderr or --report) */
    int in_fd, out_fd;      /* stdio: PPP stream */
    const char *ready_file; /* pac: write "ADDR PORT\n" here once listening */
} live_opts;

/* Defaults: port 1723, timeout 10 s, accept 30 s, 1 connection, stdio fds 0/1. */
void live_opts_default(live_opts *o, int mode);

/* Run.  0 on success; 1 on failure with a message in err ("file:line: ..." for
 * a directive, or what went wrong with the transport). */
int live_run(const scenario *sc, const live_opts *o, char *err, size_t err_size);

#endif
