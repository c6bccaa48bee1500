/*
 * peer_ipdata.h - the IPv4 packets pptp-peer carries inside the tunnel: ICMP
 * echo, UDP, TCP SYN with an MSS option, of a chosen IP total length, and a
 * responder (echo request -> echo reply, SYN -> SYN-ACK).
 */
#ifndef PPTP_PEER_IPDATA_H
#define PPTP_PEER_IPDATA_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

enum ipd_kind {
    IPD_OTHER = 0,
    IPD_ICMP_ECHO,
    IPD_ICMP_REPLY,
    IPD_UDP,
    IPD_TCP_SYN,
    IPD_TCP_SYNACK,
};

typedef struct ipd_spec {
    int kind;           /* IPD_ICMP_ECHO, IPD_UDP, IPD_TCP_SYN */
    uint32_t src, dst;  /* host order */
    uint16_t size;      /* IP total length wanted (raised to the minimum) */
    uint16_t ip_id;
    uint16_t seq;       /* ICMP sequence; UDP/TCP source port offset */
    uint16_t ident;     /* ICMP identifier */
    uint16_t sport, dport;
    uint16_t mss;       /* TCP SYN MSS option */
    uint32_t tcp_seq;
} ipd_spec;

/* Build one packet into out (cap bytes); returns its length, 0 on error. */
size_t ipd_build(const ipd_spec *s, uint8_t *out, size_t cap);
/* What a received packet is. */
int ipd_classify(const uint8_t *p, size_t n);
/* The answer to p (echo reply / SYN-ACK), or 0 when p needs none. */
size_t ipd_respond(const uint8_t *p, size_t n, uint16_t ip_id, uint16_t mss, uint8_t *out, size_t cap);
/* Kind from a name: "icmp", "udp", "tcp-syn"; -1 when unknown. */
int ipd_kind_from_name(const char *s);

#endif
