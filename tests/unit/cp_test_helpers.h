/*
 * cp_test_helpers.h - shared by test_lcp.c, test_ipcp.c, test_ccp.c, test_cp.c:
 * wrap an encoded control-protocol packet in PPP/GRE v1/IPv4 for tshark, and find
 * the PPP frames of a capture file with a deliberately tiny parser of our own
 * (Ethernet, IPv4, GRE, PPP), independent of the project's lower-layer decoders.
 */
#ifndef PPTP_CP_TEST_HELPERS_H
#define PPTP_CP_TEST_HELPERS_H

#include <pcap/pcap.h>
#include <stdio.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "pcap_writer.h"

#define CPT_CLIENT 0x0a000001u /* 10.0.0.1 */
#define CPT_SERVER 0x0a000002u /* 10.0.0.2 */

/* GRE v1 (K and S set, flags 0x3001) + PPP (ff 03 proto) + cp, written as one
 * Ethernet/IPv4 frame.  Returns 0 or -1. */
static inline int cpt_write_gre_ppp(pcapw *w, uint64_t ts, uint16_t ppp_proto, const uint8_t *cp, size_t len,
                                    uint16_t call_id, uint32_t seq)
{
    uint8_t buf[2048];
    size_t ppp_len = 4 + len;
    if (12 + ppp_len > sizeof buf)
        return -1;
    size_t n = 0;
    buf[n++] = 0x30; /* K, S */
    buf[n++] = 0x01; /* version 1 */
    buf[n++] = 0x88;
    buf[n++] = 0x0b;
    buf[n++] = (uint8_t)(ppp_len >> 8);
    buf[n++] = (uint8_t)ppp_len;
    buf[n++] = (uint8_t)(call_id >> 8);
    buf[n++] = (uint8_t)call_id;
    buf[n++] = (uint8_t)(seq >> 24);
    buf[n++] = (uint8_t)(seq >> 16);
    buf[n++] = (uint8_t)(seq >> 8);
    buf[n++] = (uint8_t)seq;
    buf[n++] = 0xff;
    buf[n++] = 0x03;
    buf[n++] = (uint8_t)(ppp_proto >> 8);
    buf[n++] = (uint8_t)ppp_proto;
    memcpy(buf + n, cp, len);
    n += len;
    return pcapw_write_ip4(w, ts, CPT_CLIENT, CPT_SERVER, 47, buf, n);
}

/* One PPP frame found in a capture. */
typedef struct cpt_ppp {
    unsigned frame;      /* 1-based frame number, as tshark counts */
    uint32_t src, dst;   /* IPv4, host order */
    uint16_t proto;      /* PPP protocol */
    const uint8_t *info; /* PPP information field */
    size_t len;
} cpt_ppp;

static inline uint16_t cpt_be16(const uint8_t *p) { return (uint16_t)((p[0] << 8) | p[1]); }

/* Locate the PPP frame in an Ethernet/IPv4/GRE v1 frame.  Returns false when the
 * frame is anything else (or GRE without payload). */
static inline bool cpt_find_ppp(const uint8_t *f, size_t len, cpt_ppp *out)
{
    size_t off = 12;
    if (len < off + 2)
        return false;
    uint16_t et = cpt_be16(f + off);
    off += 2;
    while (et == 0x8100 && len >= off + 4) { /* VLAN */
        et = cpt_be16(f + off + 2);
        off += 4;
    }
    if (et != 0x0800 || len < off + 20)
        return false;
    const uint8_t *ip = f + off;
    size_t ihl = (size_t)(ip[0] & 0x0f) * 4;
    size_t tot = cpt_be16(ip + 2);
    if ((ip[0] >> 4) != 4 || ihl < 20 || tot < ihl || off + tot > len || ip[9] != 47)
        return false;
    if (cpt_be16(ip + 6) & 0x3fff) /* fragment */
        return false;
    const uint8_t *g = ip + ihl;
    size_t glen = tot - ihl;
    if (glen < 8 || (g[1] & 7) != 1 || cpt_be16(g + 2) != 0x880b)
        return false;
    size_t h = 8 + ((g[0] & 0x10) ? 4 : 0) + ((g[1] & 0x80) ? 4 : 0);
    size_t plen = cpt_be16(g + 4);
    if (!(g[0] & 0x20) || h > glen || plen == 0 || plen > glen - h)
        return false;
    const uint8_t *p = g + h;
    if (plen >= 2 && p[0] == 0xff && p[1] == 0x03) {
        p += 2;
        plen -= 2;
    }
    if (plen < 1)
        return false;
    if (p[0] & 1) { /* protocol field compressed */
        out->proto = p[0];
        p += 1;
        plen -= 1;
    } else {
        if (plen < 2)
            return false;
        out->proto = cpt_be16(p);
        p += 2;
        plen -= 2;
    }
    out->src = ((uint32_t)ip[12] << 24) | ((uint32_t)ip[13] << 16) | ((uint32_t)ip[14] << 8) | ip[15];
    out->dst = ((uint32_t)ip[16] << 24) | ((uint32_t)ip[17] << 16) | ((uint32_t)ip[18] << 8) | ip[19];
    out->info = p;
    out->len = plen;
    return true;
}

/* Read every frame of path (pcap or pcapng) and call fn for each PPP frame.
 * Returns the number of frames read, or -1 when the file cannot be opened. */
static inline int cpt_each_ppp(const char *path, void (*fn)(const cpt_ppp *, void *), void *arg)
{
    char err[PCAP_ERRBUF_SIZE];
    pcap_t *pc = pcap_open_offline(path, err);
    if (!pc)
        return -1;
    struct pcap_pkthdr *hdr;
    const u_char *data;
    unsigned frame = 0;
    while (pcap_next_ex(pc, &hdr, &data) == 1) {
        frame++;
        cpt_ppp p;
        if (pcap_datalink(pc) == DLT_EN10MB && cpt_find_ppp(data, hdr->caplen, &p)) {
            p.frame = frame;
            fn(&p, arg);
        }
    }
    pcap_close(pc);
    return (int)frame;
}

/* Value of field index col (0-based, '|' separated) on the line of tshark output
 * whose first column is frame; the first of ','-aggregated values.  Returns
 * false when absent or empty.  out gets at most out_size-1 characters. */
static inline bool cpt_tshark_col(const char *text, unsigned frame, int col, char *out, size_t out_size)
{
    const char *line = text;
    while (line && *line) {
        const char *eol = strchr(line, '\n');
        size_t ll = eol ? (size_t)(eol - line) : strlen(line);
        if ((unsigned)strtoul(line, NULL, 10) == frame) {
            const char *p = line;
            for (int i = 0; i < col; i++) {
                const char *bar = memchr(p, '|', ll - (size_t)(p - line));
                if (!bar)
                    return false;
                p = bar + 1;
            }
            size_t k = 0;
            while (p < line + ll && *p != '|' && *p != ',' && k + 1 < out_size)
                out[k++] = *p++;
            out[k] = '\0';
            return k > 0;
        }
        line = eol ? eol + 1 : NULL;
    }
    return false;
}

/* Dotted quad of a host-order IPv4 address. */
static inline const char *cpt_ip4(uint32_t a, char *buf, size_t n)
{
    snprintf(buf, n, "%u.%u.%u.%u", a >> 24, (a >> 16) & 255, (a >> 8) & 255, a & 255);
    return buf;
}

#endif
