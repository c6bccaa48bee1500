/*
 * auth_test_helpers.h - helpers shared by the auth module's tests (test_pap.c,
 * test_chap.c, test_eap.c, test_mppe_crypto.c): hex, a tiny
 * Ethernet/IPv4/GRE/PPP walker for external captures (independent of the
 * project's own lower-layer decoders, which are written concurrently) and a
 * PPP-in-GRE-v1 wrapper for tshark cross-checks.  Header only (static).
 */
#ifndef PPTP_AUTH_TEST_HELPERS_H
#define PPTP_AUTH_TEST_HELPERS_H

#include <criterion/criterion.h>
#include <pcap/pcap.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "pcap_writer.h"
#include "test_env.h"

/* hex string (spaces allowed) -> bytes; returns the count */
static inline size_t auth_unhex(const char *s, uint8_t *out, size_t cap)
{
    size_t n = 0;
    while (*s && n < cap) {
        if (*s == ' ' || *s == ':') {
            s++;
            continue;
        }
        char b[3] = {s[0], s[1], 0};
        out[n++] = (uint8_t)strtoul(b, NULL, 16);
        s += s[1] ? 2 : 1;
    }
    return n;
}

static inline void auth_tohex(const uint8_t *p, size_t n, char *out)
{
    static const char h[] = "0123456789abcdef";
    for (size_t i = 0; i < n; i++) {
        out[2 * i] = h[p[i] >> 4];
        out[2 * i + 1] = h[p[i] & 15];
    }
    out[2 * n] = 0;
}

/* One PPP frame found in a capture. */
typedef struct auth_ppp_frame {
    unsigned frame_no;  /* 1-based, as tshark numbers frames */
    uint32_t src, dst;  /* IPv4, host order */
    uint16_t proto;     /* PPP protocol */
    const uint8_t *info; /* the information field */
    size_t info_len;
} auth_ppp_frame;

typedef bool (*auth_ppp_cb)(void *ctx, const auth_ppp_frame *f); /* return false to stop */

static inline uint16_t auth_be16(const uint8_t *p) { return (uint16_t)(p[0] << 8 | p[1]); }

/* Parse Ethernet [VLAN] / IPv4 / GRE v1 (PPTP) / PPP; true when it is one. */
static inline bool auth_find_ppp(const uint8_t *p, size_t n, auth_ppp_frame *f)
{
    size_t off = 12;
    if (n < 14)
        return false;
    uint16_t et = auth_be16(p + off);
    while (et == 0x8100 && n >= off + 6) {
        off += 4;
        et = auth_be16(p + off);
    }
    off += 2;
    if (et != 0x0800 || n < off + 20)
        return false;
    const uint8_t *ip = p + off;
    size_t ihl = (size_t)(ip[0] & 15) * 4;
    size_t tot = auth_be16(ip + 2);
    if ((ip[0] >> 4) != 4 || ihl < 20 || ip[9] != 47 || (auth_be16(ip + 6) & 0x1fff) != 0)
        return false;
    if (tot > n - off)
        tot = n - off;
    if (tot < ihl + 8)
        return false;
    f->src = (uint32_t)ip[12] << 24 | (uint32_t)ip[13] << 16 | (uint32_t)ip[14] << 8 | ip[15];
    f->dst = (uint32_t)ip[16] << 24 | (uint32_t)ip[17] << 16 | (uint32_t)ip[18] << 8 | ip[19];
    const uint8_t *g = ip + ihl;
    size_t glen = tot - ihl;
    if ((g[1] & 7) != 1 || auth_be16(g + 2) != 0x880b)
        return false;
    size_t h = 4;
    if (g[0] & 0xc0)
        h += 4; /* C or R */
    uint16_t payload_len = 0;
    if (g[0] & 0x20) {
        payload_len = auth_be16(g + h);
        h += 4;
    }
    if (g[0] & 0x10)
        h += 4; /* S */
    if (g[1] & 0x80)
        h += 4; /* A */
    if (glen < h || payload_len == 0)
        return false;
    const uint8_t *ppp = g + h;
    size_t plen = glen - h;
    if (plen > payload_len)
        plen = payload_len;
    if (plen >= 2 && ppp[0] == 0xff && ppp[1] == 0x03) {
        ppp += 2;
        plen -= 2;
    }
    if (plen < 1)
        return false;
    if (ppp[0] & 1) { /* protocol field compressed */
        f->proto = ppp[0];
        ppp += 1;
        plen -= 1;
    } else {
        if (plen < 2)
            return false;
        f->proto = auth_be16(ppp);
        ppp += 2;
        plen -= 2;
    }
    f->info = ppp;
    f->info_len = plen;
    return true;
}

/* Call cb for every PPTP PPP frame of an Ethernet capture.  Returns the number
 * of frames read, or -1 when the file cannot be opened. */
static inline int auth_walk_ppp(const char *path, auth_ppp_cb cb, void *ctx)
{
    char err[PCAP_ERRBUF_SIZE];
    pcap_t *pc = pcap_open_offline(path, err);
    if (!pc)
        return -1;
    if (pcap_datalink(pc) != DLT_EN10MB) {
        pcap_close(pc);
        return -1;
    }
    struct pcap_pkthdr *hdr;
    const u_char *data;
    int n = 0;
    while (pcap_next_ex(pc, &hdr, &data) == 1) {
        n++;
        auth_ppp_frame f;
        memset(&f, 0, sizeof f);
        if (!auth_find_ppp(data, hdr->caplen, &f))
            continue;
        f.frame_no = (unsigned)n;
        if (!cb(ctx, &f))
            break;
    }
    pcap_close(pc);
    return n;
}

/* Write one PPP frame (ff 03, 2-byte protocol, info) in a hand-built 16-byte
 * GRE v1 header (K and S set: flags 0x30 0x01, protocol 0x880b, payload
 * length, call id, sequence) in IPv4 protocol 47. */
static inline int auth_write_gre_ppp(pcapw *w, uint64_t ts, uint16_t call_id, uint32_t seq, uint16_t proto,
                                     const uint8_t *info, size_t len)
{
    uint8_t buf[4096];
    size_t plen = 4 + len;
    if (16 + plen > sizeof buf)
        return -1;
    buf[0] = 0x30;
    buf[1] = 0x01;
    buf[2] = 0x88;
    buf[3] = 0x0b;
    buf[4] = (uint8_t)(plen >> 8);
    buf[5] = (uint8_t)plen;
    buf[6] = (uint8_t)(call_id >> 8);
    buf[7] = (uint8_t)call_id;
    buf[8] = (uint8_t)(seq >> 24);
    buf[9] = (uint8_t)(seq >> 16);
    buf[10] = (uint8_t)(seq >> 8);
    buf[11] = (uint8_t)seq;
    buf[12] = 0xff;
    buf[13] = 0x03;
    buf[14] = (uint8_t)(proto >> 8);
    buf[15] = (uint8_t)proto;
    memcpy(buf + 16, info, len);
    return pcapw_write_ip4(w, ts, 0x0a000001, 0x0a000002, 47, buf, 16 + len);
}

/* Split tshark_fields() output into lines; returns the count (<= max).  The
 * buffer is modified in place. */
static inline size_t auth_lines(char *out, char **lines, size_t max)
{
    size_t n = 0;
    char *save = NULL;
    for (char *l = strtok_r(out, "\n", &save); l && n < max; l = strtok_r(NULL, "\n", &save))
        lines[n++] = l;
    return n;
}

#endif
