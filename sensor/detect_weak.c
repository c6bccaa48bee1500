/*
 * detect_weak.c - weak security negotiated in a call: PAP (the password crosses
 * the network in cleartext), CHAP-MD5, MS-CHAPv1 (with or without an LM
 * response), MS-CHAPv2 (informational), no CCP/MPPE while IP data flows, 40/56-bit
 * and stateful MPPE, downgrades (a side's stronger offer of authentication or key
 * length Naked/Rejected towards a weaker one), and cleartext IP after MPPE
 * opened.  Rules: docs/alerts.md.
 */
#include <stdio.h>
#include <string.h>

#include "ccp.h"
#include "detect_int.h"
#include "eap.h"
#include "lcp.h"

/* ---- authentication strength ---- */

static uint8_t auth_rank(uint16_t proto, uint8_t alg)
{
    switch (proto) {
    case LCP_AUTH_PAP:
        return 1;
    case LCP_AUTH_CHAP:
        return alg == LCP_CHAP_MSCHAPV2 ? 4 : alg == LCP_CHAP_MSCHAP ? 3 : 2;
    case LCP_AUTH_EAP:
        return 4; /* method unknown at LCP time: not ranked above MS-CHAPv2 */
    default:
        return proto ? 2 : 0;
    }
}

static void weak_auth(struct sensor *s, struct call *k, struct detect_call *dc, uint64_t now)
{
    const struct pppneg *n = &k->ppp;
    if (n->auth_state == PPPNEG_AUTH_STATE_NONE)
        return;
    enum detect_rule r;
    switch (n->auth_method) {
    case PPPNEG_AUTH_PAP:
        r = DR_WEAK_PAP;
        break;
    case PPPNEG_AUTH_CHAP_MD5:
        r = DR_WEAK_CHAP_MD5;
        break;
    case PPPNEG_AUTH_MSCHAPV1:
        r = DR_WEAK_MSCHAPV1;
        break;
    case PPPNEG_AUTH_EAP:
        if (n->eap_type != EAP_TYPE_MD5)
            return;
        r = DR_WEAK_EAP_MD5;
        break;
    default:
        return;
    }
    if (!det_on(s, r) || !det_once(&dc->fired, r))
        return;
    bool lm = r == DR_WEAK_MSCHAPV1 && n->auth_lm_response;
    ev *e = det_begin(s, r, now, lm ? 1 : 0);
    if (!e)
        return;
    const char *user = n->user[0] ? n->user : "(unknown)";
    emit_call_identity(s, e, k);
    char mb[32];
    const char *m = pppneg_auth_method(n, mb, sizeof mb);
    ev_set_str(e, "pptp.alert.auth_method", m ? m : "unknown");
    switch (r) {
    case DR_WEAK_PAP:
        ev_set_bool(e, "pptp.alert.cleartext_password", true);
        det_message(e, "PAP authentication: the password of %s crossed the network in cleartext (not recorded by the "
                       "sensor)",
                    user);
        break;
    case DR_WEAK_CHAP_MD5:
        det_message(e, "CHAP-MD5 authentication for %s: the server keeps reversible passwords and the exchange "
                       "allows an offline dictionary attack",
                    user);
        break;
    case DR_WEAK_EAP_MD5:
        det_message(e, "EAP-MD5 authentication for %s: no server authentication, and the exchange allows an offline "
                       "dictionary attack",
                    user);
        break;
    default:
        ev_set_bool(e, "pptp.alert.lm_response", lm);
        det_message(e, "MS-CHAPv1 authentication for %s%s: the NT response can be cracked offline", user,
                    lm ? " with a non-zero LAN Manager response (trivially crackable)" : "");
        break;
    }
    det_send(s, e);
}

static void mschapv2_info(struct sensor *s, struct call *k, struct detect_call *dc, uint64_t now)
{
    if (k->ppp.auth_method != PPPNEG_AUTH_MSCHAPV2 || !det_on(s, DR_WEAK_MSCHAPV2) ||
        !det_once(&dc->fired, DR_WEAK_MSCHAPV2))
        return;
    ev *e = det_begin(s, DR_WEAK_MSCHAPV2, now, 0);
    if (!e)
        return;
    emit_call_identity(s, e, k);
    ev_set_str(e, "pptp.alert.auth_method", "mschapv2");
    det_message(e, "MS-CHAPv2 login of %s: a captured handshake reduces to one DES key, so PPTP should be "
                   "retired",
                k->ppp.user[0] ? k->ppp.user : "(unknown)");
    det_send(s, e);
}

/* ---- encryption ---- */

static void no_encryption(struct sensor *s, struct call *k, struct detect_call *dc, uint64_t now, bool at_end)
{
    const struct pppneg *n = &k->ppp;
    uint64_t frames = n->ip_frames[0] + n->ip_frames[1];
    if (n->ccp_open || !frames || !det_on(s, DR_WEAK_NO_ENCRYPTION))
        return;
    if (!at_end && frames < det_rc(s, DR_WEAK_NO_ENCRYPTION)->threshold)
        return;
    if (!det_once(&dc->fired, DR_WEAK_NO_ENCRYPTION))
        return;
    ev *e = det_begin(s, DR_WEAK_NO_ENCRYPTION, now, 0);
    if (!e)
        return;
    emit_call_identity(s, e, k);
    ev_set_uint(e, "pptp.alert.frames", frames);
    ev_set_uint(e, "pptp.alert.client.frames", n->ip_frames[0]);
    ev_set_uint(e, "pptp.alert.server.frames", n->ip_frames[1]);
    ev_set_bool(e, "pptp.alert.ccp_rejected", n->ccp_rejected != 0);
    det_message(e, "This call carries IP data without MPPE encryption (%llu cleartext frames%s)",
                (unsigned long long)frames, n->ccp_rejected ? ", CCP/MPPE was rejected" : "");
    det_send(s, e);
}

static void mppe_opened(struct sensor *s, struct call *k, struct detect_call *dc, uint64_t now)
{
    const struct pppneg *n = &k->ppp;
    for (int d = 0; d < 2; d++) {
        dc->comp_clear_at_mppe[d] = n->comp_clear[d];
        dc->ip_at_mppe[d] = n->ip_frames[d];
    }
    unsigned min_bits = det_rc(s, DR_WEAK_MPPE_KEY_LENGTH)->value;
    if (n->mppe_key_bits && n->mppe_key_bits < min_bits && det_on(s, DR_WEAK_MPPE_KEY_LENGTH) &&
        det_once(&dc->fired, DR_WEAK_MPPE_KEY_LENGTH)) {
        ev *e = det_begin(s, DR_WEAK_MPPE_KEY_LENGTH, now, 0);
        if (e) {
            emit_call_identity(s, e, k);
            ev_set_uint(e, "pptp.alert.key_bits", n->mppe_key_bits);
            ev_set_uint(e, "pptp.alert.min_key_bits", min_bits);
            det_message(e, "MPPE negotiated with %u-bit keys (below %u bits; 40- and 56-bit RC4 keys are brute-forceable)",
                        n->mppe_key_bits, min_bits);
            det_send(s, e);
        }
    }
    if (n->mppe_key_bits && !n->mppe_stateless && det_on(s, DR_WEAK_MPPE_STATEFUL) &&
        det_once(&dc->fired, DR_WEAK_MPPE_STATEFUL)) {
        ev *e = det_begin(s, DR_WEAK_MPPE_STATEFUL, now, 0);
        if (e) {
            emit_call_identity(s, e, k);
            ev_set_uint(e, "pptp.alert.key_bits", n->mppe_key_bits);
            ev_set_bool(e, "pptp.alert.stateless", false);
            det_message(e, "Stateful MPPE: the RC4 key changes only every 256 packets, and forged resets make both "
                           "directions reuse key stream");
            det_send(s, e);
        }
    }
}

static void cleartext_after(struct sensor *s, struct call *k, struct detect_call *dc, int dir, uint64_t now)
{
    const struct pppneg *n = &k->ppp;
    if (!n->ccp_open || !det_on(s, DR_CLEARTEXT_AFTER_ENCRYPTION) || (dc->fired & (1ull << DR_CLEARTEXT_AFTER_ENCRYPTION)))
        return;
    uint64_t ip = 0, comp = 0;
    for (int d = 0; d < 2; d++) {
        ip += n->ip_frames[d] - dc->ip_at_mppe[d];
        comp += n->comp_clear[d] - dc->comp_clear_at_mppe[d];
    }
    if (ip + comp < det_rc(s, DR_CLEARTEXT_AFTER_ENCRYPTION)->threshold)
        return;
    dc->fired |= 1ull << DR_CLEARTEXT_AFTER_ENCRYPTION;
    ev *e = det_begin(s, DR_CLEARTEXT_AFTER_ENCRYPTION, now, 0);
    if (!e)
        return;
    emit_call_identity(s, e, k);
    ev_set_uint(e, "pptp.alert.ip_frames", ip);
    ev_set_uint(e, "pptp.alert.unencrypted_compressed_frames", comp);
    ev_set_str(e, "pptp.alert.direction", det_side(dir));
    ev_set_uint(e, "pptp.alert.key_bits", n->mppe_key_bits);
    det_message(e, "The %s sent %s after MPPE encryption was negotiated", det_side(dir),
                ip ? "cleartext IP frames" : "compressed frames without encryption");
    det_send(s, e);
}

/* ---- downgrades ---- */

/* Record offers, Naks and Rejects of the authentication protocol and the MPPE bits. */
static void track_offers(struct detect_call *dc, int dir, const struct pkt *p)
{
    cursor c = p->payload;
    int peer = 1 - dir;
    if (p->ppp.protocol == PPP_PROTO_LCP) {
        lcp_packet l;
        if (lcp_decode(&c, &l, NULL) == DEC_MALFORMED)
            return;
        switch (l.cp.code) {
        case CP_CONF_REQ:
            if (l.opts.has_auth) {
                uint8_t r = auth_rank(l.opts.auth_protocol, l.opts.auth_algorithm);
                if (r > dc->auth_offer[dir])
                    dc->auth_offer[dir] = r;
            }
            break;
        case CP_CONF_NAK: /* dir Naks peer's request, suggesting a value */
            if (l.opts.has_auth)
                dc->auth_nak[peer] = auth_rank(l.opts.auth_protocol, l.opts.auth_algorithm);
            break;
        case CP_CONF_REJ:
            if (cp_find_option(&l.cp.options, LCP_OPT_AUTH) >= 0)
                dc->auth_rej[peer] = 1;
            break;
        default:
            break;
        }
    } else if (p->ppp.protocol == PPP_PROTO_CCP) {
        ccp_packet q;
        if (ccp_decode(&c, &q, NULL) == DEC_MALFORMED)
            return;
        switch (q.cp.code) {
        case CP_CONF_REQ:
            if (q.opts.has_mppe)
                dc->ccp_offer[dir] |= q.opts.mppe_bits;
            break;
        case CP_CONF_NAK:
            if (q.opts.has_mppe)
                dc->ccp_nak[peer] = q.opts.mppe_bits;
            break;
        case CP_CONF_REJ:
            if (cp_find_option(&q.cp.options, CCP_OPT_MPPE) >= 0)
                dc->ccp_rej[peer] = 1;
            break;
        default:
            break;
        }
    }
}

static const char *rank_name(uint8_t r)
{
    static const char *const names[] = {"none", "pap", "chap-md5", "mschapv1", "mschapv2"};
    return r < 5 ? names[r] : "unknown";
}

static void downgrade_auth(struct sensor *s, struct call *k, struct detect_call *dc, uint64_t now)
{
    if (!det_on(s, DR_DOWNGRADE_AUTH))
        return;
    for (int d = 0; d < 2; d++) {
        const struct pppneg_lcp_side *side = &k->ppp.lcp[d];
        uint8_t agreed = auth_rank(side->auth_proto, side->auth_alg);
        if (!dc->auth_offer[d] || agreed >= dc->auth_offer[d] || !det_once(&dc->fired, DR_DOWNGRADE_AUTH))
            continue;
        ev *e = det_begin(s, DR_DOWNGRADE_AUTH, now, agreed <= 1 ? 1 : 0);
        if (!e)
            return;
        const char *ag = side->auth_proto ? lcp_auth_method_name(side->auth_proto, side->auth_alg) : "none";
        emit_call_identity(s, e, k);
        ev_set_str(e, "pptp.alert.authenticator", det_side(d));
        ev_set_str(e, "pptp.alert.offered", rank_name(dc->auth_offer[d]));
        ev_set_str(e, "pptp.alert.agreed", ag);
        if (dc->auth_nak[d])
            ev_set_str(e, "pptp.alert.nak_suggested", rank_name(dc->auth_nak[d]));
        ev_set_bool(e, "pptp.alert.rejected", dc->auth_rej[d] != 0);
        det_message(e, "Authentication downgraded: the %s asked for %s, the %s %s it, and LCP settled on %s", det_side(d),
                    rank_name(dc->auth_offer[d]), det_side(1 - d),
                    dc->auth_rej[d] ? "rejected" : dc->auth_nak[d] ? "Naked" : "refused", ag);
        det_send(s, e);
    }
}

static void downgrade_mppe(struct sensor *s, struct call *k, struct detect_call *dc, uint64_t now)
{
    if (!det_on(s, DR_DOWNGRADE_MPPE))
        return;
    for (int d = 0; d < 2; d++) {
        unsigned offered = ccp_mppe_key_bits(dc->ccp_offer[d]);
        unsigned agreed = ccp_mppe_key_bits(k->ppp.ccp_ack_bits[d]);
        if (!offered || agreed >= offered || !det_once(&dc->fired, DR_DOWNGRADE_MPPE))
            continue;
        ev *e = det_begin(s, DR_DOWNGRADE_MPPE, now, 0);
        if (!e)
            return;
        emit_call_identity(s, e, k);
        ev_set_str(e, "pptp.alert.requester", det_side(d));
        ev_set_uint(e, "pptp.alert.offered_key_bits", offered);
        ev_set_uint(e, "pptp.alert.agreed_key_bits", agreed);
        if (dc->ccp_nak[d])
            ev_set_uint(e, "pptp.alert.nak_key_bits", ccp_mppe_key_bits(dc->ccp_nak[d]));
        det_message(e, "MPPE downgraded: the %s offered %u-bit keys, the %s %s, and %u-bit keys were agreed", det_side(d),
                    offered, det_side(1 - d), dc->ccp_nak[d] ? "Naked towards fewer bits" : "refused", agreed);
        det_send(s, e);
    }
}

void det_weak_ppp(struct sensor *s, struct call *k, struct detect_call *dc, int dir, const struct pkt *p,
                  unsigned due, uint64_t now)
{
    enum ppp_kind kind = dispatch_ppp_kind(p->ppp.protocol);
    switch (kind) {
    case PPP_KIND_LCP:
    case PPP_KIND_CCP:
        track_offers(dc, dir, p);
        break;
    case PPP_KIND_PAP:
    case PPP_KIND_CHAP:
    case PPP_KIND_EAP:
        weak_auth(s, k, dc, now);
        break;
    case PPP_KIND_IPV4:
    case PPP_KIND_IPV6:
    case PPP_KIND_VJ:
        no_encryption(s, k, dc, now, false);
        cleartext_after(s, k, dc, dir, now);
        break;
    case PPP_KIND_COMPRESSED:
        cleartext_after(s, k, dc, dir, now);
        break;
    default:
        break;
    }
    if (due & PPPNEG_DUE_LCP)
        downgrade_auth(s, k, dc, now);
    if (due & PPPNEG_DUE_MPPE) {
        downgrade_mppe(s, k, dc, now);
        mppe_opened(s, k, dc, now);
    }
    if (due & PPPNEG_DUE_AUTH_SUCCESS)
        mschapv2_info(s, k, dc, now);
}

/* At teardown: a call that carried cleartext data and never opened MPPE. */
void det_weak_teardown(struct sensor *s, struct call *k, uint64_t now)
{
    if (k->det)
        no_encryption(s, k, k->det, now, true);
    else if (k->ppp.ip_frames[0] + k->ppp.ip_frames[1]) {
        struct detect_call *dc = det_call(s, k);
        if (dc)
            no_encryption(s, k, dc, now, true);
    }
}
