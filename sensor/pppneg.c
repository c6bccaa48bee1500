/*
 * pppneg.c - the per-call PPP negotiation tracker: frame routing, the
 * Configure-Request/Ack matching shared by LCP, CCP, IPCP and IPV6CP, LCP echo
 * and Terminate, MPPE data frames (coherency counts, key changes) and the
 * unencrypted-frame counters.  Authentication is in pppneg_auth.c, event fields
 * in pppneg_fill.c.  Semantics: docs/ppp-negotiation.md.
 *
 * Configure matching (RFC 1661 section 5.2): a side's options are agreed when
 * the other side sends a Configure-Ack with the identifier of that side's latest
 * Configure-Request and exactly its options.  Instead of copying every request
 * we keep its identifier and a 32-bit FNV-1a digest of its option bytes; the
 * Ack, which must repeat them byte for byte, then supplies the values.  When the
 * request was not seen (capture started later, or it was cut by the snap
 * length) the Ack is taken on its own.
 */
#include "pppneg.h"

#include <string.h>

#include "ccp.h"
#include "cp.h"
#include "dispatch.h"
#include "ipcp.h"
#include "ipv6cp.h"
#include "lcp.h"
#include "mppe.h"
#include "pppneg_int.h"

void pppneg_init(struct pppneg *n) { memset(n, 0, sizeof *n); }

/* ---- text helpers ----------------------------------------------------------- */

void pppneg_copy_text(char *dst, size_t size, const uint8_t *p, size_t len)
{
    size_t k = 0;
    size_t i = 0;
    while (i < len && p[i] == ' ')
        i++;
    for (; i < len && k + 1 < size; i++) {
        uint8_t b = p[i];
        if (b == 0)
            break;
        dst[k++] = (char)(b >= 0x20 && b <= 0x7e ? b : '?');
    }
    while (k > 0 && dst[k - 1] == ' ')
        k--;
    dst[k] = '\0';
}

void pppneg_copy_user(char *dst, size_t size, const uint8_t *p, size_t len)
{
    size_t k = 0;
    for (size_t i = 0; i < len && k + 1 < size; i++) {
        uint8_t b = p[i];
        if (b == 0)
            break;
        dst[k++] = (char)(b < 0x20 || b == 0x7f ? '?' : b);
    }
    /* Cut inside a UTF-8 sequence?  Drop its partial bytes. */
    if (k + 1 >= size && k < len) {
        size_t j = k;
        while (j > 0 && ((uint8_t)dst[j - 1] & 0xc0) == 0x80)
            j--;
        if (j > 0 && ((uint8_t)dst[j - 1] & 0xc0) == 0xc0)
            k = j - 1;
    }
    dst[k] = '\0';
}

/* ---- Configure-Request/Ack matching ----------------------------------------- */

static uint32_t fnv1a(const uint8_t *p, size_t n)
{
    uint32_t h = 2166136261u;
    for (size_t i = 0; i < n; i++) {
        h ^= p[i];
        h *= 16777619u;
    }
    return h;
}

/* A Configure-Request from dir.  Returns true when the protocol was up: a new
 * negotiation starts (both directions must be acked again). */
static bool cp_request(struct pppneg_cp *c, int dir, const cp_packet *p)
{
    bool was_up = (c->flags & PPPNEG_CPF_UP) != 0;
    if (was_up)
        c->flags &= (uint8_t) ~(PPPNEG_CPF_UP | PPPNEG_CPF_ACKS);
    else
        c->flags &= (uint8_t)~PPPNEG_CPF_ACK(dir);
    if (p->body_cut) {
        c->flags &= (uint8_t)~PPPNEG_CPF_REQ(dir); /* options unknown: take the Ack's */
    } else {
        c->flags |= PPPNEG_CPF_REQ(dir);
        c->req_id[dir] = p->id;
        c->req_hash[dir] = fnv1a(p->body, p->body_len);
    }
    return was_up;
}

/* A Configure-Ack sent by dir, for the request of the other side.  Returns true
 * when it acknowledges that request (then its options are the agreed ones);
 * *opened when both directions are now acked for the first time in this
 * negotiation. */
static bool cp_ack(struct pppneg_cp *c, int dir, const cp_packet *p, bool *opened)
{
    int o = 1 - dir;
    *opened = false;
    if (p->body_cut)
        return false;
    if ((c->flags & PPPNEG_CPF_REQ(o)) && (p->id != c->req_id[o] || fnv1a(p->body, p->body_len) != c->req_hash[o]))
        return false; /* RFC 1661: an Ack that does not match is discarded */
    c->flags |= PPPNEG_CPF_ACK(o);
    if ((c->flags & PPPNEG_CPF_ACKS) == PPPNEG_CPF_ACKS && !(c->flags & PPPNEG_CPF_UP)) {
        c->flags |= PPPNEG_CPF_UP;
        *opened = true;
    }
    return true;
}

/* The protocol goes down (Terminate-Request, or LCP left Opened). */
static void cp_down(struct pppneg_cp *c) { c->flags &= (uint8_t) ~(PPPNEG_CPF_UP | PPPNEG_CPF_ACKS); }

/* Count one more report when allowed. */
static bool cp_report(struct pppneg_cp *c)
{
    if (c->reports >= PPPNEG_MAX_REPORTS)
        return false;
    c->reports++;
    return true;
}

static void ccp_down(struct pppneg *n)
{
    cp_down(&n->cp[PPPNEG_CP_CCP]);
    n->ccp_acked[0] = n->ccp_acked[1] = 0;
    n->mppe_have_cc = 0;
    n->mppe_reset_pending = 0;
}

static void ipcp_down(struct pppneg *n)
{
    cp_down(&n->cp[PPPNEG_CP_IPCP]);
    n->ipcp_acked[0] = n->ipcp_acked[1] = 0;
}

static void ipv6cp_down(struct pppneg *n)
{
    cp_down(&n->cp[PPPNEG_CP_IPV6CP]);
    n->ipv6cp_acked[0] = n->ipv6cp_acked[1] = 0;
}

/* LCP left Opened: every network/compression protocol goes down with it. */
static void lcp_down(struct pppneg *n)
{
    cp_down(&n->cp[PPPNEG_CP_LCP]);
    n->lcp[0].acked = n->lcp[1].acked = 0;
    ccp_down(n);
    ipcp_down(n);
    ipv6cp_down(n);
}

/* Status of a decoded control packet: usable (complete, or header complete and
 * body cut by the capture) or to be ignored. */
static bool cp_usable(dec_status st, const cp_packet *p)
{
    if (st == DEC_OK)
        return true;
    return st == DEC_TRUNCATED && p->body_cut;
}

/* ---- LCP -------------------------------------------------------------------- */

static void lcp_side_from(struct pppneg_lcp_side *s, const lcp_packet *p)
{
    const lcp_options *o = &p->opts;
    memset(s, 0, sizeof *s);
    s->magic = o->has_magic ? o->magic : 0;
    s->mru = o->has_mru ? o->mru : 0;
    if (o->has_auth) {
        s->auth_proto = o->auth_protocol;
        s->auth_alg = o->auth_protocol == LCP_AUTH_CHAP ? o->auth_algorithm : 0;
    }
    s->acfc = o->acfc;
    s->pfc = o->pfc;
    s->req_id = p->cp.id;
    s->acked = 1;
}

static unsigned lcp_frame(struct pppneg *n, int dir, cursor *info, anomaly_set *an)
{
    lcp_packet p;
    dec_status st = lcp_decode(info, &p, an);
    if (!cp_usable(st, &p.cp))
        return 0;
    struct pppneg_cp *c = &n->cp[PPPNEG_CP_LCP];
    unsigned due = 0;
    switch (p.cp.code) {
    case CP_CONF_REQ:
        if (n->lcp_confreqs[dir] < UINT16_MAX)
            n->lcp_confreqs[dir]++;
        if (n->lcp_term_acked) { /* a new link after a completed Terminate */
            n->lcp_terminated = 0;
            n->lcp_term_acked = 0;
        }
        if (cp_request(c, dir, &p.cp))
            lcp_down(n); /* renegotiation: NCPs restart too */
        n->lcp[dir].acked = 0;
        break;
    case CP_CONF_ACK: {
        bool opened;
        if (cp_ack(c, dir, &p.cp, &opened)) {
            lcp_side_from(&n->lcp[1 - dir], &p);
            if (opened) {
                n->lcp_open = 1;
                if (cp_report(c))
                    due |= PPPNEG_DUE_LCP;
            }
        }
        break;
    }
    case CP_CONF_NAK:
        if (n->lcp_naks[dir] < UINT16_MAX)
            n->lcp_naks[dir]++;
        break;
    case CP_CONF_REJ:
        if (n->lcp_rejects[dir] < UINT16_MAX)
            n->lcp_rejects[dir]++;
        for (unsigned i = 0; i < p.cp.options.count && i < CP_MAX_OPTIONS; i++)
            if (p.cp.options.opt[i].type < 32)
                n->lcp_rejected |= 1u << p.cp.options.opt[i].type;
        break;
    case CP_TERM_REQ:
        if (!n->lcp_terminated) {
            n->lcp_terminated = (uint8_t)(1 + dir);
            n->lcp_term_acked = 0;
            pppneg_copy_text(n->terminate_reason, sizeof n->terminate_reason, p.data, p.data_len);
            due |= PPPNEG_DUE_LCP_TERMINATE;
        }
        lcp_down(n);
        break;
    case CP_TERM_ACK:
        if (n->lcp_terminated && !n->lcp_term_acked) {
            n->lcp_term_acked = 1;
            due |= PPPNEG_DUE_LCP_TERMINATE_ACK;
        }
        break;
    case CP_PROTO_REJ:
        if (p.rejected_protocol == PPP_PROTO_CCP) {
            n->lcp_proto_rejected |= PPPNEG_PREJ_CCP;
            n->ccp_rejected = 1;
        } else if (p.rejected_protocol == PPP_PROTO_IPCP) {
            n->lcp_proto_rejected |= PPPNEG_PREJ_IPCP;
        } else if (p.rejected_protocol == PPP_PROTO_IPV6CP) {
            n->lcp_proto_rejected |= PPPNEG_PREJ_IPV6CP;
        }
        break;
    case CP_ECHO_REQ:
        if (n->lcp_echo_req[dir] < UINT32_MAX)
            n->lcp_echo_req[dir]++;
        break;
    case CP_ECHO_REPLY:
        if (n->lcp_echo_rep[dir] < UINT32_MAX)
            n->lcp_echo_rep[dir]++;
        break;
    default:
        break;
    }
    return due;
}

/* ---- CCP / MPPE ------------------------------------------------------------- */

static unsigned min_key_bits(unsigned a, unsigned b) { return a < b ? a : b; }

/* Whether MPPE is (or may be) in use: CCP not up with something else agreed. */
static bool mppe_possible(const struct pppneg *n)
{
    return !(n->cp[PPPNEG_CP_CCP].flags & PPPNEG_CPF_UP) || (n->ccp_acked[0] && n->ccp_acked[1]);
}

static unsigned ccp_frame(struct pppneg *n, int dir, cursor *info, anomaly_set *an)
{
    ccp_packet p;
    dec_status st = ccp_decode(info, &p, an);
    if (!cp_usable(st, &p.cp))
        return 0;
    struct pppneg_cp *c = &n->cp[PPPNEG_CP_CCP];
    unsigned due = 0;
    switch (p.cp.code) {
    case CP_CONF_REQ:
        if (cp_request(c, dir, &p.cp))
            ccp_down(n);
        n->ccp_acked[dir] = 0;
        n->ccp_req_bits[dir] = p.opts.has_mppe ? p.opts.mppe_bits : 0;
        break;
    case CP_CONF_ACK: {
        bool opened;
        int o = 1 - dir;
        if (!cp_ack(c, dir, &p.cp, &opened))
            break;
        n->ccp_acked[o] = p.opts.has_mppe;
        n->ccp_ack_bits[o] = p.opts.has_mppe ? p.opts.mppe_bits : 0;
        if (opened) {
            n->mppe_have_cc = 0; /* new keys: counts restart */
            n->mppe_reset_pending = 0;
        }
        if (opened && n->ccp_acked[0] && n->ccp_acked[1]) {
            n->ccp_open = 1;
            n->mppe_key_bits = (uint16_t)min_key_bits(ccp_mppe_key_bits(n->ccp_ack_bits[0]),
                                                      ccp_mppe_key_bits(n->ccp_ack_bits[1]));
            n->mppe_stateless = (n->ccp_ack_bits[0] & CCP_MPPE_H) && (n->ccp_ack_bits[1] & CCP_MPPE_H);
            if (cp_report(c))
                due |= PPPNEG_DUE_MPPE;
        }
        break;
    }
    case CP_CONF_REJ:
        if (cp_find_option(&p.cp.options, CCP_OPT_MPPE) >= 0)
            n->ccp_rejected = 1;
        break;
    case CP_TERM_REQ:
        ccp_down(n);
        break;
    case CP_RESET_REQ: {
        /* The receiver (dir) asks the sender of the other stream to reset:
         * in MPPE that sender changes/reinitialises its key (A bit next). */
        int s = 1 - dir;
        if (n->ccp_reset_req[dir] < UINT32_MAX)
            n->ccp_reset_req[dir]++;
        if (!mppe_possible(n))
            break;
        if (n->mppe_rekeys[s] < UINT32_MAX)
            n->mppe_rekeys[s]++;
        n->mppe_rekey_dir = (uint8_t)s;
        n->mppe_rekey_trigger = PPPNEG_REKEY_RESET_REQUEST;
        n->mppe_reset_pending |= (uint8_t)(1u << s);
        due |= PPPNEG_DUE_MPPE_REKEY;
        break;
    }
    case CP_RESET_ACK:
        if (n->ccp_reset_ack[dir] < UINT32_MAX)
            n->ccp_reset_ack[dir]++;
        break;
    default:
        break;
    }
    return due;
}

static void add_rekeys(struct pppneg *n, int d, unsigned k)
{
    n->mppe_rekeys[d] = n->mppe_rekeys[d] > UINT32_MAX - k ? UINT32_MAX : n->mppe_rekeys[d] + k;
}

/* A compressed datagram (0x00FD) sent by d. */
static unsigned comp_frame(struct pppneg *n, int d, cursor *info, anomaly_set *an)
{
    struct mppe_hdr h;
    if (mppe_decode(info, &h, NULL, an) != DEC_OK)
        return 0; /* not even the 2-byte header */
    if (n->comp_frames[d] < UINT64_MAX)
        n->comp_frames[d]++;
    if (!h.encrypted) {
        if (n->comp_clear[d] < UINT32_MAX)
            n->comp_clear[d]++;
        n->dp_flags |= (uint8_t)PPPNEG_DP_CLEAR(d);
        return 0; /* MPPC only: no key */
    }
    /* the receiver's acked CCP request governs this stream (dp_refresh) */
    unsigned f = n->dp_flags;
    bool known = (f & PPPNEG_DP_KNOWN(d)) != 0;
    bool stateless = known ? (f & PPPNEG_DP_H(d)) != 0 : h.flushed;
    bool mppc = known ? (f & PPPNEG_DP_C(d)) != 0 : (h.compressed || h.at_front);
    uint16_t cc = h.coherency_count;
    unsigned due = 0;
    if (!((n->mppe_have_cc >> d) & 1u)) {
        n->mppe_have_cc |= (uint8_t)(1u << d);
        n->mppe_last_cc[d] = cc;
        if (h.flushed)
            n->mppe_reset_pending &= (uint8_t) ~(1u << d);
        return 0;
    }
    if (mppe_cc_delta(n->mppe_last_cc[d], cc) <= 0)
        return 0; /* duplicate or late packet: the count does not move back */
    unsigned k = mppe_key_changes(n->mppe_last_cc[d], cc, stateless);
    n->mppe_last_cc[d] = cc;
    bool pending = (n->mppe_reset_pending >> d) & 1u;
    if (h.flushed)
        n->mppe_reset_pending &= (uint8_t) ~(1u << d);
    if (k) {
        add_rekeys(n, d, k);
        if (!stateless) { /* stateless: a new key every packet, counted only */
            n->mppe_rekey_dir = (uint8_t)d;
            n->mppe_rekey_trigger = PPPNEG_REKEY_COHERENCY_COUNT;
            due |= PPPNEG_DUE_MPPE_REKEY;
        }
    } else if (h.flushed && !stateless && !pending && !mppc) {
        /* Stateful, no flag packet, no Reset-Request seen: the sender reset its
         * key on its own (or the Reset-Request was not captured). */
        add_rekeys(n, d, 1);
        n->mppe_rekey_dir = (uint8_t)d;
        n->mppe_rekey_trigger = PPPNEG_REKEY_FLUSHED;
        due |= PPPNEG_DUE_MPPE_REKEY;
    }
    return due;
}

/* ---- IPCP / IPV6CP ---------------------------------------------------------- */

static unsigned ipcp_frame(struct pppneg *n, int dir, cursor *info, anomaly_set *an)
{
    ipcp_packet p;
    dec_status st = ipcp_decode(info, &p, an);
    if (!cp_usable(st, &p.cp))
        return 0;
    struct pppneg_cp *c = &n->cp[PPPNEG_CP_IPCP];
    unsigned due = 0;
    switch (p.cp.code) {
    case CP_CONF_REQ:
        if (cp_request(c, dir, &p.cp))
            ipcp_down(n);
        n->ipcp_acked[dir] = 0;
        break;
    case CP_CONF_ACK: {
        bool opened;
        int o = 1 - dir;
        if (!cp_ack(c, dir, &p.cp, &opened))
            break;
        const ipcp_options *op = &p.opts;
        n->ipcp_acked[o] = 1;
        n->ipcp_addr[o] = op->has_address ? op->address : 0;
        if (o == PPPNEG_CLIENT) {
            n->ipcp_dns[0] = op->has_primary_dns ? op->primary_dns : 0;
            n->ipcp_dns[1] = op->has_secondary_dns ? op->secondary_dns : 0;
            n->ipcp_wins[0] = op->has_primary_nbns ? op->primary_nbns : 0;
            n->ipcp_wins[1] = op->has_secondary_nbns ? op->secondary_nbns : 0;
        }
        if (opened) {
            n->ipcp_open = 1;
            if (cp_report(c))
                due |= PPPNEG_DUE_IPCP;
        }
        break;
    }
    case CP_CONF_NAK:
        if (dir == PPPNEG_SERVER && p.opts.has_address)
            n->ipcp_nak_addr = p.opts.address;
        break;
    case CP_TERM_REQ:
        ipcp_down(n);
        break;
    default:
        break;
    }
    return due;
}

static unsigned ipv6cp_frame(struct pppneg *n, int dir, cursor *info, anomaly_set *an)
{
    ipv6cp_packet p;
    dec_status st = ipv6cp_decode(info, &p, an);
    if (!cp_usable(st, &p.cp))
        return 0;
    struct pppneg_cp *c = &n->cp[PPPNEG_CP_IPV6CP];
    unsigned due = 0;
    switch (p.cp.code) {
    case CP_CONF_REQ:
        if (cp_request(c, dir, &p.cp))
            ipv6cp_down(n);
        n->ipv6cp_acked[dir] = 0;
        break;
    case CP_CONF_ACK: {
        bool opened;
        int o = 1 - dir;
        if (!cp_ack(c, dir, &p.cp, &opened))
            break;
        n->ipv6cp_acked[o] = 1;
        if (p.opts.has_interface_id) {
            memcpy(n->ipv6cp_ifid[o], p.opts.interface_id, sizeof n->ipv6cp_ifid[o]);
            n->ipv6cp_have_ifid |= (uint8_t)(1u << o);
        } else {
            memset(n->ipv6cp_ifid[o], 0, sizeof n->ipv6cp_ifid[o]);
            n->ipv6cp_have_ifid &= (uint8_t) ~(1u << o);
        }
        if (opened) {
            n->ipv6cp_open = 1;
            if (cp_report(c))
                due |= PPPNEG_DUE_IPV6CP;
        }
        break;
    }
    case CP_TERM_REQ:
        ipv6cp_down(n);
        break;
    default:
        break;
    }
    return due;
}

/* ---- routing ---------------------------------------------------------------- */

/* What comp_frame() needs of the CCP state, in dp_flags (the data plane's line):
 * refreshed after every control frame, the only frames that change it. */
static void dp_refresh(struct pppneg *n)
{
    unsigned f = n->dp_flags & (PPPNEG_DP_CLEAR(0) | PPPNEG_DP_CLEAR(1));
    bool up = (n->cp[PPPNEG_CP_CCP].flags & PPPNEG_CPF_UP) != 0;
    for (int d = 0; d < 2; d++) {
        int r = 1 - d;
        if (!up || !n->ccp_acked[r])
            continue;
        f |= PPPNEG_DP_KNOWN(d);
        if (n->ccp_ack_bits[r] & CCP_MPPE_H)
            f |= PPPNEG_DP_H(d);
        if (n->ccp_ack_bits[r] & CCP_MPPE_C)
            f |= PPPNEG_DP_C(d);
    }
    n->dp_flags = (uint8_t)f;
}

static unsigned control_frame(struct pppneg *n, int dir, enum ppp_kind kind, cursor *info, anomaly_set *an)
{
    unsigned due;
    switch (kind) {
    case PPP_KIND_LCP:
        due = lcp_frame(n, dir, info, an);
        break;
    case PPP_KIND_PAP:
    case PPP_KIND_CHAP:
    case PPP_KIND_EAP:
        due = pppneg_auth_frame(n, dir, kind, info, an);
        break;
    case PPP_KIND_CCP:
        due = ccp_frame(n, dir, info, an);
        break;
    case PPP_KIND_IPCP:
        due = ipcp_frame(n, dir, info, an);
        break;
    case PPP_KIND_IPV6CP:
        due = ipv6cp_frame(n, dir, info, an);
        break;
    default:
        return 0;
    }
    dp_refresh(n);
    return due;
}

unsigned pppneg_frame(struct pppneg *n, int dir, uint16_t proto, cursor *info, anomaly_set *an)
{
    if (!n || !info || (dir != PPPNEG_CLIENT && dir != PPPNEG_SERVER))
        return 0;
    enum ppp_kind kind = dispatch_ppp_kind(proto);
    switch (kind) {
    case PPP_KIND_COMPRESSED:
        return comp_frame(n, dir, info, an);
    case PPP_KIND_IPV4:
    case PPP_KIND_IPV6:
    case PPP_KIND_VJ:
        if (n->ip_frames[dir] < UINT64_MAX)
            n->ip_frames[dir]++;
        return 0;
    default:
        return control_frame(n, dir, kind, info, an);
    }
}
