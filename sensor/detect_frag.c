/*
 * detect_frag.c - fragmentation events (event.dataset pptp.frag): GRE or
 * TCP/1723 carried in IP fragments (ip_fragmented, at the first fragmented
 * datagram of a session and again on a rate threshold), overlapping fragments
 * (ip_fragment_overlap, with the pptp.frag.overlap alert), incomplete datagrams
 * (ip_fragment_timeout), ICMP frag-needed / packet-too-big about a tunnel
 * (icmp_frag_needed), PPP frames larger than the negotiated MRU (mru_exceeded)
 * and inner TCP SYNs whose MSS does not fit the tunnel (mss_exceeds_path).
 * Semantics: docs/fragmentation.md.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "detect_int.h"
#include "ipv4.h"
#include "ipv6.h"

/* Outer overhead of a tunnelled packet: outer IP + GRE with sequence and
 * acknowledgment (16) + PPP header with address/control and 2-byte protocol (4). */
static unsigned overhead(bool v6) { return (v6 ? 40u : 20u) + 16u + 4u; }

static void key_addrs(const ip_frag_key *k, sn_addr *src, sn_addr *dst)
{
    if (k->af == 4) {
        sn_addr_v4(src, (uint32_t)k->src[0] << 24 | (uint32_t)k->src[1] << 16 | (uint32_t)k->src[2] << 8 | k->src[3]);
        sn_addr_v4(dst, (uint32_t)k->dst[0] << 24 | (uint32_t)k->dst[1] << 16 | (uint32_t)k->dst[2] << 8 | k->dst[3]);
    } else {
        sn_addr_v6(src, k->src);
        sn_addr_v6(dst, k->dst);
    }
}

static bool key_eq(const ip_frag_key *a, const ip_frag_key *b)
{
    size_t n = a->af == 4 ? 4 : 16;
    return a->af == b->af && a->id == b->id && (a->af == 6 || a->proto == b->proto) && !memcmp(a->src, b->src, n) &&
           !memcmp(a->dst, b->dst, n);
}

static struct frag_rec *frag_slot(struct sensor *s, const ip_frag_key *k, bool create)
{
    struct detect *d = s->det;
    if (!d->frags) {
        if (!create)
            return NULL;
        d->frags = calloc(DET_FRAG_SLOTS, sizeof *d->frags);
        if (!d->frags)
            return NULL;
    }
    size_t n = k->af == 4 ? 4 : 16;
    uint64_t h = sn_mix64(k->id ^ ((uint64_t)k->af << 40));
    for (size_t i = 0; i < n; i++)
        h = sn_mix64(h ^ k->src[i] ^ ((uint64_t)k->dst[i] << 8));
    struct frag_rec *r = &d->frags[h % DET_FRAG_SLOTS];
    if (r->used && key_eq(&r->key, k))
        return r;
    if (!create)
        return NULL;
    memset(r, 0, sizeof *r); /* direct mapped: a collision forgets the older datagram */
    r->used = 1;
    r->key = *k;
    return r;
}

/* Where a datagram belongs: a call (GRE) or a control connection (TCP). */
struct owner {
    struct call *k;
    struct ctrl_conn *c;
    int dir; /* sender */
};

static bool is_pptp_port(const struct sensor *s, uint16_t port)
{
    for (int i = 0; i < s->cfg->n_pptp_ports; i++)
        if (s->cfg->pptp_ports[i] == port)
            return true;
    return false;
}

static struct owner owner_of(struct sensor *s, uint8_t proto, const sn_addr *src, const sn_addr *dst, bool have_l4,
                             uint16_t call_id, uint16_t sport, uint16_t dport)
{
    struct owner o = {NULL, NULL, DIR_CLIENT};
    if (proto == IP_PROTO_GRE) {
        if (have_l4) {
            int dir;
            o.k = gre_find(s, src, dst, call_id, &dir);
            if (o.k)
                o.dir = dir;
        }
        if (!o.k) {
            o.c = ctrl_find_pair(s, src, dst);
            if (o.c)
                o.dir = sn_addr_eq(src, &o.c->client_ip) ? DIR_CLIENT : DIR_SERVER;
        }
    } else if (proto == IP_PROTO_TCP) {
        if (have_l4) {
            o.c = ctrl_find(s, src, dst, sport, dport);
            if (o.c)
                o.dir = DIR_CLIENT;
            else if ((o.c = ctrl_find(s, dst, src, dport, sport)))
                o.dir = DIR_SERVER;
        } else if ((o.c = ctrl_find_pair(s, src, dst))) {
            o.dir = sn_addr_eq(src, &o.c->client_ip) ? DIR_CLIENT : DIR_SERVER;
        }
    }
    return o;
}

static void identity(struct sensor *s, ev *e, const struct owner *o, const sn_addr *src, const sn_addr *dst,
                     uint8_t proto)
{
    if (o->k)
        emit_call_identity(s, e, o->k);
    else if (o->c)
        emit_ctrl_identity(s, e, o->c);
    else {
        det_set_ip(e, "source.ip", src);
        det_set_ip(e, "destination.ip", dst);
        det_add_ip(e, "related.ip", src);
        det_add_ip(e, "related.ip", dst);
        if (proto == IP_PROTO_GRE)
            det_gre_flow(e, src, dst);
        else
            ev_set_str(e, "network.transport", "tcp");
    }
    if (o->k || o->c)
        ev_set_str(e, "pptp.frag.direction", det_side(o->dir));
    ev_set_str(e, "pptp.frag.protocol", proto == IP_PROTO_GRE ? "gre" : "tcp");
}

/* ---- fragments ---- */

static void overlap(struct sensor *s, const struct pkt *p, const ip_frag *f, struct frag_rec *r, bool conflict,
                    uint64_t now)
{
    sn_addr src, dst;
    key_addrs(&f->key, &src, &dst);
    uint8_t proto = r->have_l4 ? r->key.proto : f->key.proto;
    struct owner o = owner_of(s, proto, &src, &dst, r->have_l4, r->call_id, r->sport, r->dport);
    if (proto == IP_PROTO_TCP && !o.c && !(r->have_l4 && (is_pptp_port(s, r->sport) || is_pptp_port(s, r->dport))))
        return; /* TCP that is not a PPTP control connection */
    char a[64], b[64];
    for (int pass = 0; pass < 2; pass++) {
        enum detect_rule rule = pass == 0 ? DR_FRAG_IP_OVERLAP : DR_FRAG_OVERLAP_ALERT;
        ev *e = det_begin(s, rule, now, 0);
        if (!e)
            continue;
        identity(s, e, &o, &src, &dst, proto);
        ev_set_uint(e, "pptp.frag.ip_id", f->key.id);
        ev_set_uint(e, "pptp.frag.offset", f->offset);
        ev_set_uint(e, "pptp.frag.fragment_bytes", f->len);
        ev_set_uint(e, "pptp.frag.ip_length", p->ip_len);
        ev_set_bool(e, "pptp.frag.conflict", conflict);
        ev_set_uint(e, "pptp.frag.fragments", r->frags);
        if (pass == 1) {
            ev_set_uint(e, "pptp.alert.ip_id", f->key.id);
            ev_set_uint(e, "pptp.alert.offset", f->offset);
            ev_set_bool(e, "pptp.alert.conflict", conflict);
        }
        det_message(e, "IP fragment of %s datagram %u from %s to %s overlaps bytes already received%s",
                    proto == IP_PROTO_GRE ? "GRE" : "PPTP control", f->key.id, det_addr_str(&src, a, sizeof a),
                    det_addr_str(&dst, b, sizeof b),
                    conflict ? " with different content (evasion or corruption)" : "");
        det_send(s, e);
    }
}

void detect_on_fragment(struct sensor *s, const struct pkt *p, const ip_frag *f, ip_defrag_status st,
                        const ip_defrag_result *res, const anomaly_set *an, uint64_t now)
{
    struct detect *d = s->det;
    if (!d || d->quiet)
        return;
    uint8_t proto = f->key.proto;
    if (proto != IP_PROTO_GRE && proto != IP_PROTO_TCP)
        return;
    struct frag_rec *r = frag_slot(s, &f->key, true);
    if (!r)
        return;
    if (!r->first_ns)
        r->first_ns = now;
    r->frags++;
    if (p->ip_len > r->largest)
        r->largest = p->ip_len;
    if (f->offset == 0 && f->len >= 8 && !r->have_l4) {
        const uint8_t *b = f->data;
        if (proto == IP_PROTO_GRE) {
            uint16_t flags = (uint16_t)(b[0] << 8 | b[1]);
            if ((flags & GRE_F_VERSION_MASK) == GRE_VERSION_PPTP && (flags & GRE_F_KEY) && !(flags & (GRE_F_CHECKSUM | GRE_F_ROUTING))) {
                r->call_id = (uint16_t)(b[6] << 8 | b[7]);
                r->have_l4 = 1;
            }
        } else {
            r->sport = (uint16_t)(b[0] << 8 | b[1]);
            r->dport = (uint16_t)(b[2] << 8 | b[3]);
            r->have_l4 = 1;
        }
    }
    bool ov = anomaly_has(an, ANOMALY_REASM_IP_FRAGMENT_OVERLAP) ||
              (st == IP_DEFRAG_DROPPED && res->drop == IP_DEFRAG_DROP_OVERLAP);
    if (ov && !r->overlap_reported) {
        r->overlap_reported = 1;
        overlap(s, p, f, r, anomaly_has(an, ANOMALY_REASM_IP_FRAGMENT_OVERLAP_CONFLICT), now);
    }
    if (st == IP_DEFRAG_COMPLETE) {
        d->last_done = *r;
        d->have_last_done = true;
        r->used = 0;
    }
}

void detect_on_reassembled(struct sensor *s, const struct pkt *p, enum pkt_kind kind, uint32_t frags, uint64_t now)
{
    struct detect *d = s->det;
    if (!d || d->quiet || frags < 2 || (kind != PKT_GRE && kind != PKT_TCP))
        return;
    struct frag_rec done = d->last_done;
    bool have = d->have_last_done;
    d->have_last_done = false;
    sn_addr src, dst;
    if (p->ip.version == 4) {
        sn_addr_v4(&src, p->ip.src4);
        sn_addr_v4(&dst, p->ip.dst4);
    } else {
        sn_addr_v6(&src, p->ip.src6);
        sn_addr_v6(&dst, p->ip.dst6);
    }
    struct owner o;
    if (kind == PKT_GRE) {
        if (!gre_is_pptp(&p->gre))
            return;
        o = owner_of(s, IP_PROTO_GRE, &src, &dst, true, p->gre.call_id, 0, 0);
        if (!o.k)
            return; /* counted per session: a datagram no call owns is not reported */
    } else {
        o = owner_of(s, IP_PROTO_TCP, &src, &dst, true, 0, p->tcp.sport, p->tcp.dport);
        if (!o.c)
            return;
    }
    const struct detect_rule_cfg *rc = det_rc(s, DR_FRAG_IP_FRAGMENTED);
    uint32_t count, in_window;
    const char *trigger;
    if (o.k) {
        struct detect_call *dc = det_call(s, o.k);
        struct detect_rare *rr = dc ? det_rare(s, dc) : NULL;
        if (!rr)
            return;
        count = ++rr->frag_events;
        in_window = swin_add(&rr->frag_win, now, rc->window_ns, 1);
        if (count == 1)
            trigger = "first";
        else if (in_window >= rc->threshold && !(rr->frag_rate_ns && now - rr->frag_rate_ns < rc->window_ns)) {
            trigger = "rate";
            rr->frag_rate_ns = now;
        } else
            return;
    } else {
        struct detect_ctrl *dt = det_ctrl(s, o.c);
        if (!dt)
            return;
        count = ++dt->frag_events;
        in_window = 0;
        if (count != 1)
            return;
        trigger = "first";
    }
    ev *e = det_begin(s, DR_FRAG_IP_FRAGMENTED, now, 0);
    if (!e)
        return;
    identity(s, e, &o, &src, &dst, kind == PKT_GRE ? IP_PROTO_GRE : IP_PROTO_TCP);
    ev_set_str(e, "pptp.frag.trigger", trigger);
    ev_set_uint(e, "pptp.frag.datagram_bytes", p->ip_len);
    ev_set_uint(e, "pptp.frag.fragments", frags);
    if (have && done.largest)
        ev_set_uint(e, "pptp.frag.largest_fragment_bytes", done.largest);
    ev_set_uint(e, "pptp.frag.count", count);
    if (in_window) {
        ev_set_uint(e, "pptp.frag.rate_count", in_window);
        ev_set_uint(e, "pptp.frag.rate_window", rc->window_ns);
    }
    char a[64];
    if (trigger[0] == 'f')
        det_message(e, "%s of this session arrives in IP fragments: a %u-byte datagram in %u fragments (path MTU %u or less)",
                    kind == PKT_GRE ? "GRE" : "The control connection", p->ip_len, frags,
                    have ? done.largest : 0);
    else
        det_message(e, "%u fragmented GRE datagrams of this session within %llu s (from %s)", in_window,
                    (unsigned long long)(rc->window_ns / NS_PER_SEC), det_addr_str(&src, a, sizeof a));
    det_send(s, e);
}

void detect_on_frag_expired(struct sensor *s, const ip_defrag_expired *x)
{
    struct detect *d = s->det;
    if (!d || d->quiet)
        return;
    uint8_t proto = x->key.proto;
    struct frag_rec *r = frag_slot(s, &x->key, false);
    if (r && r->have_l4)
        proto = r->key.proto;
    if (proto != IP_PROTO_GRE && proto != IP_PROTO_TCP) {
        if (r)
            r->used = 0;
        return;
    }
    sn_addr src, dst;
    key_addrs(&x->key, &src, &dst);
    struct owner o = owner_of(s, proto, &src, &dst, r && r->have_l4, r ? r->call_id : 0, r ? r->sport : 0,
                              r ? r->dport : 0);
    bool pptp_tcp = r && r->have_l4 && (is_pptp_port(s, r->sport) || is_pptp_port(s, r->dport));
    uint32_t largest = r ? r->largest : 0;
    if (r)
        r->used = 0;
    if (proto == IP_PROTO_TCP && !o.c && !pptp_tcp)
        return;
    uint64_t now = s->now;
    ev *e = det_begin(s, DR_FRAG_IP_TIMEOUT, now, 0);
    if (!e)
        return;
    char a[64], b[64];
    identity(s, e, &o, &src, &dst, proto);
    ev_set_uint(e, "pptp.frag.ip_id", x->key.id);
    ev_set_uint(e, "pptp.frag.bytes_held", x->bytes_held);
    ev_set_uint(e, "pptp.frag.fragments", x->frags_seen);
    ev_set_bool(e, "pptp.frag.have_first", x->have_first);
    ev_set_bool(e, "pptp.frag.have_last", x->have_last);
    if (largest)
        ev_set_uint(e, "pptp.frag.largest_fragment_bytes", largest);
    ev_set_time(e, "pptp.frag.first_seen", (int64_t)x->first_seen_ns);
    ev_set_uint(e, "pptp.frag.waited", now >= x->first_seen_ns ? now - x->first_seen_ns : 0);
    det_message(e, "Incomplete %s datagram %u from %s to %s expired: %u bytes in %u fragments arrived%s%s",
                proto == IP_PROTO_GRE ? "GRE" : "PPTP control", x->key.id, det_addr_str(&src, a, sizeof a),
                det_addr_str(&dst, b, sizeof b), x->bytes_held, x->frags_seen, x->have_first ? "" : ", not the first",
                x->have_last ? "" : ", not the last");
    det_send(s, e);
}

/* ---- ICMP frag-needed / packet-too-big ---- */

void detect_on_icmp(struct sensor *s, const struct pkt *p, uint64_t now)
{
    if (!s->det || s->det->quiet || !det_on(s, DR_FRAG_ICMP_FRAG_NEEDED))
        return;
    const struct icmp_msg *m = &p->icmp;
    bool v6 = p->ip.version == 6;
    if (v6 ? m->type != ICMP6_PACKET_TOO_BIG : !(m->type == ICMP4_DEST_UNREACH && m->code == ICMP4_CODE_FRAG_NEEDED))
        return;
    cursor c = p->payload, pl;
    sn_addr esrc, edst;
    uint8_t proto;
    uint32_t plen;
    bool df = false;
    if (!v6) {
        struct ipv4_hdr h;
        if (ipv4_decode(&c, &h, &pl, NULL) != DEC_OK)
            return;
        sn_addr_v4(&esrc, h.src);
        sn_addr_v4(&edst, h.dst);
        proto = h.proto;
        plen = h.total_len;
        df = h.dont_fragment;
        if (h.is_fragment && h.frag_offset)
            return; /* no L4 header in the quote */
    } else {
        struct ipv6_hdr h;
        if (ipv6_decode(&c, &h, &pl, NULL) != DEC_OK)
            return;
        sn_addr_v6(&esrc, h.src);
        sn_addr_v6(&edst, h.dst);
        proto = h.proto;
        plen = (uint32_t)h.payload_len + IPV6_HDR_LEN;
        if (h.is_fragment && h.frag_offset)
            return;
    }
    if (cursor_len(&pl) < 8 || (proto != IP_PROTO_GRE && proto != IP_PROTO_TCP))
        return;
    const uint8_t *b = cursor_data(&pl);
    uint16_t call_id = 0, sport = 0, dport = 0;
    if (proto == IP_PROTO_GRE) {
        uint16_t flags = (uint16_t)(b[0] << 8 | b[1]);
        if ((flags & GRE_F_VERSION_MASK) != GRE_VERSION_PPTP || !(flags & GRE_F_KEY) || (flags & (GRE_F_CHECKSUM | GRE_F_ROUTING)))
            return;
        call_id = (uint16_t)(b[6] << 8 | b[7]);
    } else {
        sport = (uint16_t)(b[0] << 8 | b[1]);
        dport = (uint16_t)(b[2] << 8 | b[3]);
    }
    struct owner o = owner_of(s, proto, &esrc, &edst, true, call_id, sport, dport);
    if (proto == IP_PROTO_GRE ? !o.k : !o.c)
        return; /* not about a tunnel the sensor knows */
    uint32_t mtu = m->mtu;
    if (o.k) {
        struct detect_call *dc = det_call(s, o.k);
        if (!dc)
            return;
        if (dc->path_mtu && dc->path_mtu == mtu)
            return; /* already reported */
        if (!dc->path_mtu || mtu < dc->path_mtu)
            dc->path_mtu = (uint16_t)(mtu > 65535 ? 65535 : mtu);
    }
    ev *e = det_begin(s, DR_FRAG_ICMP_FRAG_NEEDED, now, 0);
    if (!e)
        return;
    sn_addr router;
    if (v6)
        sn_addr_v6(&router, p->ip.src6);
    else
        sn_addr_v4(&router, p->ip.src4);
    char a[64];
    identity(s, e, &o, &esrc, &edst, proto);
    ev_set_uint(e, "pptp.frag.mtu", mtu);
    ev_set_uint(e, "pptp.frag.packet_bytes", plen);
    unsigned ov = overhead(esrc.v6);
    if (proto == IP_PROTO_GRE && mtu > ov)
        ev_set_uint(e, "pptp.frag.tunnel_mtu", mtu - ov);
    det_set_ip(e, "pptp.frag.icmp_source_ip", &router);
    det_add_ip(e, "related.ip", &router);
    ev_set_uint(e, "pptp.frag.icmp_type", m->type);
    ev_set_uint(e, "pptp.frag.icmp_code", m->code);
    if (!v6)
        ev_set_bool(e, "pptp.frag.dont_fragment", df);
    if (proto == IP_PROTO_GRE)
        ev_set_uint(e, "pptp.frag.call_id", call_id);
    det_message(e, "%s reports a %u-byte %s packet of this %s too big for its next hop (MTU %u)",
                det_addr_str(&router, a, sizeof a), plen, proto == IP_PROTO_GRE ? "GRE" : "control",
                o.k ? "session" : "control connection", mtu);
    det_send(s, e);
}

/* ---- MRU and MSS ---- */

static unsigned ppp_hdr_len(const struct ppp_frame *f) { return (f->has_acfc_hdr ? 2u : 0u) + (f->pfc ? 1u : 2u); }

static void mru(struct sensor *s, struct call *k, struct detect_call *dc, int dir, const struct pkt *p, uint64_t now)
{
    const struct pppneg *n = &k->ppp;
    int r = 1 - dir; /* the receiver's MRU */
    unsigned limit = n->lcp[r].mru ? n->lcp[r].mru : 1500;
    unsigned hdr = ppp_hdr_len(&p->ppp);
    unsigned info = p->gre.payload_length > hdr ? p->gre.payload_length - hdr : (unsigned)cursor_len(&p->payload);
    const struct detect_rule_cfg *rc = det_rc(s, DR_FRAG_MRU_EXCEEDED);
    unsigned slack = p->ppp.protocol == PPP_PROTO_COMP ? rc->value : 0;
    if (info <= limit + slack)
        return;
    struct detect_rare *rr = det_rare(s, dc);
    if (!rr)
        return;
    if (rr->mru_count[dir] < UINT32_MAX)
        rr->mru_count[dir]++;
    uint32_t in_window = swin_add(&rr->mru_win, now, rc->window_ns, 1);
    const char *trigger;
    if (rr->mru_count[dir] == 1)
        trigger = "first";
    else if (in_window >= rc->threshold && !(rr->mru_rate_ns && now - rr->mru_rate_ns < rc->window_ns)) {
        trigger = "rate";
        rr->mru_rate_ns = now;
    } else
        return;
    ev *e = det_begin(s, DR_FRAG_MRU_EXCEEDED, now, 0);
    if (!e)
        return;
    emit_call_identity(s, e, k);
    ev_set_str(e, "pptp.frag.direction", det_side(dir));
    ev_set_str(e, "pptp.frag.trigger", trigger);
    ev_set_uint(e, "pptp.frag.mru", limit);
    ev_set_uint(e, "pptp.frag.frame_bytes", info);
    ev_set_str(e, "pptp.frag.ppp_protocol", ppp_protocol_name(p->ppp.protocol));
    ev_set_uint(e, "pptp.frag.count", rr->mru_count[dir]);
    if (trigger[0] == 'r') {
        ev_set_uint(e, "pptp.frag.rate_count", in_window);
        ev_set_uint(e, "pptp.frag.rate_window", rc->window_ns);
    }
    det_message(e, "The %s sent a %u-byte PPP frame over the %s's MRU of %u", det_side(dir), info, det_side(r), limit);
    det_send(s, e);
}

/* MSS option of an inner TCP SYN (IPv4 or IPv6 frame); 0 when none. */
static unsigned syn_mss(const struct pkt *p, bool *v6, sn_addr *isrc, sn_addr *idst, uint16_t *dport)
{
    const uint8_t *b = cursor_data(&p->payload);
    size_t n = cursor_len(&p->payload), off;
    if (p->ppp.protocol == PPP_PROTO_IP) {
        if (n < 20 || (b[0] >> 4) != 4 || b[9] != IP_PROTO_TCP || ((b[6] & 0x1f) | b[7]))
            return 0;
        off = (size_t)(b[0] & 0x0f) * 4;
        sn_addr_v4(isrc, (uint32_t)b[12] << 24 | (uint32_t)b[13] << 16 | (uint32_t)b[14] << 8 | b[15]);
        sn_addr_v4(idst, (uint32_t)b[16] << 24 | (uint32_t)b[17] << 16 | (uint32_t)b[18] << 8 | b[19]);
        *v6 = false;
    } else {
        if (n < 40 || (b[0] >> 4) != 6 || b[6] != IP_PROTO_TCP)
            return 0;
        off = 40;
        sn_addr_v6(isrc, b + 8);
        sn_addr_v6(idst, b + 24);
        *v6 = true;
    }
    if (off < 20 || n < off + 20)
        return 0;
    const uint8_t *t = b + off;
    if (!(t[13] & 0x02)) /* SYN */
        return 0;
    *dport = (uint16_t)(t[2] << 8 | t[3]);
    size_t hl = (size_t)(t[12] >> 4) * 4;
    if (hl < 20 || n < off + hl)
        return 0;
    for (size_t i = 20; i < hl;) {
        uint8_t kind = t[i];
        if (kind == 0)
            break;
        if (kind == 1) {
            i++;
            continue;
        }
        if (i + 1 >= hl || t[i + 1] < 2 || i + t[i + 1] > hl)
            break;
        if (kind == 2 && t[i + 1] == 4)
            return (unsigned)(t[i + 2] << 8 | t[i + 3]);
        i += t[i + 1];
    }
    return 0;
}

static void mss(struct sensor *s, struct call *k, struct detect_call *dc, int dir, const struct pkt *p, uint64_t now)
{
    bool v6;
    sn_addr isrc, idst;
    uint16_t dport = 0;
    unsigned m = syn_mss(p, &v6, &isrc, &idst, &dport);
    if (!m)
        return;
    /* Segments of this size flow back towards the SYN's sender: they must fit the
     * MRU of the sender's side and the outer path. */
    const struct detect_rule_cfg *rc = det_rc(s, DR_FRAG_MSS_EXCEEDS_PATH);
    unsigned mru = k->ppp.lcp[dir].mru ? k->ppp.lcp[dir].mru : 1500;
    unsigned path = dc->path_mtu ? dc->path_mtu : rc->value;
    unsigned ov = overhead(k->client_ip.v6);
    unsigned tunnel = path > ov ? path - ov : 0;
    if (mru < tunnel)
        tunnel = mru;
    unsigned hdrs = v6 ? 60u : 40u;
    unsigned max_mss = tunnel > hdrs ? tunnel - hdrs : 0;
    if (m <= max_mss)
        return;
    struct detect_rare *rr = det_rare(s, dc);
    if (!rr || ++rr->mss_count != 1)
        return; /* one event per call */
    ev *e = det_begin(s, DR_FRAG_MSS_EXCEEDS_PATH, now, 0);
    if (!e)
        return;
    char a[64], b[64];
    emit_call_identity(s, e, k);
    ev_set_str(e, "pptp.frag.direction", det_side(dir));
    ev_set_uint(e, "pptp.frag.mss", m);
    ev_set_uint(e, "pptp.frag.max_mss", max_mss);
    ev_set_uint(e, "pptp.frag.tunnel_mtu", tunnel);
    ev_set_uint(e, "pptp.frag.mru", mru);
    if (dc->path_mtu)
        ev_set_uint(e, "pptp.frag.path_mtu", dc->path_mtu);
    else
        ev_set_uint(e, "pptp.frag.outer_mtu", rc->value);
    det_set_ip(e, "pptp.frag.inner_source_ip", &isrc);
    det_set_ip(e, "pptp.frag.inner_destination_ip", &idst);
    ev_set_uint(e, "pptp.frag.inner_destination_port", dport);
    det_message(e, "Inner TCP SYN from %s to %s announces MSS %u, more than the %u the tunnel can carry unfragmented "
                   "(MSS clamping missing)",
                det_addr_str(&isrc, a, sizeof a), det_addr_str(&idst, b, sizeof b), m, max_mss);
    det_send(s, e);
}

void det_frag_ppp(struct sensor *s, struct call *k, struct detect_call *dc, int dir, const struct pkt *p, uint64_t now)
{
    if (!dc)
        return;
    if (k->ppp.lcp_open && det_on(s, DR_FRAG_MRU_EXCEEDED))
        mru(s, k, dc, dir, p, now);
    if ((p->ppp.protocol == PPP_PROTO_IP || p->ppp.protocol == PPP_PROTO_IPV6) && det_on(s, DR_FRAG_MSS_EXCEEDS_PATH))
        mss(s, k, dc, dir, p, now);
}

/* Cheap pre-check for the encrypted data path: true when the frame is over the MRU. */
bool det_frag_over_mru(const struct sensor *s, const struct call *k, int dir, const struct pkt *p)
{
    unsigned limit = k->mru_limit[dir]; /* 0 until LCP opened (call_mru_refresh) */
    if (!limit)
        return false;
    unsigned hdr = ppp_hdr_len(&p->ppp);
    unsigned info = p->gre.payload_length > hdr ? p->gre.payload_length - hdr : 0;
    return info > limit + s->det->cfg.r[DR_FRAG_MRU_EXCEEDED].value;
}
