/*
 * peer_scenario.h - pptp-peer's scenario language: a line-based text file with
 * settings (addresses, credentials, authentication, MPPE, IPCP, LCP options,
 * link framing) and a script of actions, faults and timing.  The full syntax
 * is in docs/peer.md.
 */
#ifndef PPTP_PEER_SCENARIO_H
#define PPTP_PEER_SCENARIO_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "peer_ctrl.h"
#include "peer_gre.h"
#include "peer_net.h"
#include "peer_ppp.h"
#include "peer_util.h"

enum side { SIDE_CLIENT = 0, SIDE_SERVER = 1 };

enum dkind {
    D_CONNECT = 1,
    D_CALL,
    D_DATA,
    D_ECHO,       /* PPTP Echo-Request */
    D_LCP_ECHO,
    D_SLI,
    D_WEN,
    D_WAIT,       /* idle / wait: the clock jumps */
    D_STEP,       /* change the time per packet */
    D_MTU,
    D_HANGUP,
    D_LCP_TERM,   /* LCP Terminate only */
    D_DISCONNECT, /* StopCCRQ / StopCCRP then FIN */
    D_CLOSE,      /* TCP FIN without StopCCRQ */
    D_RST,        /* TCP RST */
    D_CAPTURE,
    D_TCP,        /* TCP segmentation / fault */
    D_GRE,        /* GRE fault */
    D_BATCH,      /* batch ... end: run together */
    D_END,
};

enum tcp_op { TOP_NORMAL = 0, TOP_SPLIT, TOP_COALESCE, TOP_REORDER, TOP_RETRANSMIT, TOP_LOSE, TOP_GAP };
enum gre_op { GOP_DROP = 1, GOP_DUPLICATE, GOP_REORDER };
enum call_expect { EXPECT_ANY = 0, EXPECT_UP, EXPECT_AUTH_FAIL, EXPECT_REFUSED };

#define CALL_NAME_MAX 16

typedef struct directive {
    int kind;
    int line;
    char call[CALL_NAME_MAX]; /* "" = the latest call */
    int side;                 /* enum side */
    /* call */
    bool incoming;
    uint16_t id, peer_id, serial;
    int expect;
    /* data */
    int ipkind;
    uint32_t count;
    uint16_t size;
    ptime interval;
    bool noreply, burst;
    uint16_t mss, port;
    uint32_t dst;             /* inner destination; 0 = the peer's tunnel address */
    /* hangup / disconnect */
    uint8_t result;           /* CDN result, StopCCRQ reason */
    bool lcp;                 /* hangup: LCP Terminate first */
    char text[64];            /* Terminate reason */
    /* generic */
    uint64_t n;
    ptime dur;
    int op;
    unsigned mode;
} directive;

typedef struct scenario {
    char path[256];
    uint64_t seed;
    pnet_cfg net;
    uint32_t ip4[2];          /* outer addresses [client, server] */
    uint8_t ip6[2][16];
    uint16_t client_port;     /* 0: from the seed */
    int sessions, concurrency; /* defaults for synth (0: 1 / all at once) */
    pctrl_cfg ctrl[2];        /* [PNS, PAC] */
    pppe_cfg ppp[2];          /* [client, server] */
    pgre_cfg gre[2];
    directive *dirs;
    int n_dirs, cap_dirs;
} scenario;

/* Parse a scenario file.  On failure returns false with a message
 * "file:line: ..." in err. */
bool scenario_load(scenario *sc, const char *path, char *err, size_t err_size);
/* Parse from a string (tests); name is used in messages. */
bool scenario_parse(scenario *sc, const char *name, const char *text, char *err, size_t err_size);
void scenario_free(scenario *sc);

#endif
