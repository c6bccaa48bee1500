/*
 * detect_auth.c - authentication rules: brute force (failures per source in a
 * sliding window, with a "high" tier), password spraying (distinct failing
 * users per source), distributed failures (one user failing from many
 * sources), a success after repeated failures, and logins refused for the
 * account's state (MS-CHAP 646/647/648/649/709).  Fed by pppneg's
 * auth_success / auth_failure outcomes.  Rules: docs/alerts.md.
 */
#include <ctype.h>
#include <stdio.h>
#include <string.h>

#include "detect_int.h"

static const char *method_name(const struct pppneg *n, char *buf, size_t size)
{
    const char *m = pppneg_auth_method(n, buf, size);
    return m ? m : "unknown";
}

static uint64_t user_hash(const char *u)
{
    char low[PPPNEG_USER_MAX];
    size_t i = 0;
    for (; u[i] && i + 1 < sizeof low; i++)
        low[i] = (char)tolower((unsigned char)u[i]);
    low[i] = '\0';
    return detect_hash_str(low);
}

static void copy_name(char *dst, const char *src)
{
    size_t n = strnlen(src, DET_NAME_LEN - 1); /* cut to fit, always terminated */
    memcpy(dst, src, n);
    dst[n] = '\0';
}

/* Record a failing user for src; returns the distinct users failing within window. */
static uint32_t src_user(struct auth_src *a, const char *user, uint64_t now, uint64_t window)
{
    if (user[0]) {
        uint64_t h = user_hash(user);
        int slot = -1, oldest = 0;
        for (int i = 0; i < DET_USERS_PER_SRC; i++) {
            if (a->users[i].last_ns && a->users[i].h == h) {
                slot = i;
                break;
            }
            if (a->users[i].last_ns < a->users[oldest].last_ns)
                oldest = i;
        }
        if (slot < 0) {
            slot = oldest;
            a->users[slot].h = h;
            copy_name(a->users[slot].name, user);
        }
        a->users[slot].last_ns = now;
    }
    uint32_t n = 0;
    for (int i = 0; i < DET_USERS_PER_SRC; i++)
        if (a->users[i].last_ns && now - a->users[i].last_ns < window)
            n++;
    return n;
}

static void add_users(ev *e, const struct auth_src *a, uint64_t now, uint64_t window)
{
    for (int i = 0; i < DET_USERS_PER_SRC; i++)
        if (a->users[i].last_ns && now - a->users[i].last_ns < window && a->users[i].name[0]) {
            ev_add_str_array(e, "pptp.alert.users", a->users[i].name);
            const char *bs = strrchr(a->users[i].name, '\\'); /* related.user holds user.name values */
            ev_add_str_array(e, "related.user", bs && bs[1] ? bs + 1 : a->users[i].name);
        }
}

static void common_evidence(ev *e, const struct call *k, const char *method)
{
    ev_set_str(e, "pptp.alert.auth_method", method);
    if (k->ppp.auth_error) {
        ev_set_uint(e, "pptp.alert.error_code", k->ppp.auth_error);
        const char *en = pppneg_auth_error_name(k->ppp.auth_error);
        if (en)
            ev_set_str(e, "pptp.alert.error", en);
    }
}

static void bruteforce(struct sensor *s, struct call *k, struct auth_src *a, const char *method, uint64_t now)
{
    const struct detect_rule_cfg *rc = det_rc(s, DR_AUTH_BRUTEFORCE);
    uint32_t n = swin_add(&a->fail, now, rc->window_ns, 1);
    uint32_t nh = rc->high_threshold ? swin_add(&a->fail_high, now, rc->high_window_ns, 1) : 0;
    if (!det_on(s, DR_AUTH_BRUTEFORCE))
        return;
    bool high = rc->high_threshold && nh >= rc->high_threshold &&
                !(a->bf_high_alert_ns && now - a->bf_high_alert_ns < rc->high_window_ns);
    bool low = n >= rc->threshold && !(a->bf_alert_ns && now - a->bf_alert_ns < rc->window_ns);
    if (!high && !low)
        return;
    ev *e = det_begin(s, DR_AUTH_BRUTEFORCE, now, high ? 1 : 0);
    if (!e)
        return;
    a->bf_alert_ns = now;
    if (high)
        a->bf_high_alert_ns = now;
    char ip[64];
    uint32_t cnt = high ? nh : n;
    uint64_t win = high ? rc->high_window_ns : rc->window_ns;
    emit_call_identity(s, e, k);
    ev_set_uint(e, "pptp.alert.count", cnt);
    ev_set_uint(e, "pptp.alert.threshold", high ? rc->high_threshold : rc->threshold);
    ev_set_uint(e, "pptp.alert.window", win);
    ev_set_str(e, "pptp.alert.tier", high ? "high" : "normal");
    ev_set_uint(e, "pptp.alert.failures_total", a->failures_total);
    common_evidence(e, k, method);
    add_users(e, a, now, rc->window_ns);
    det_message(e, "%u failed PPTP logins from %s within %llu s%s", cnt, det_addr_str(&k->client_ip, ip, sizeof ip),
                (unsigned long long)(win / NS_PER_SEC), high ? " (high rate)" : "");
    det_send(s, e);
}

static void spraying(struct sensor *s, struct call *k, struct auth_src *a, const char *method, uint64_t now)
{
    const struct detect_rule_cfg *rc = det_rc(s, DR_AUTH_SPRAYING);
    uint32_t users = src_user(a, k->ppp.user, now, rc->window_ns);
    if (!det_on(s, DR_AUTH_SPRAYING) || users <= rc->threshold ||
        (a->spray_alert_ns && now - a->spray_alert_ns < rc->window_ns))
        return;
    ev *e = det_begin(s, DR_AUTH_SPRAYING, now, 0);
    if (!e)
        return;
    a->spray_alert_ns = now;
    char ip[64];
    emit_call_identity(s, e, k);
    ev_set_uint(e, "pptp.alert.count", users);
    ev_set_uint(e, "pptp.alert.threshold", rc->threshold);
    ev_set_uint(e, "pptp.alert.window", rc->window_ns);
    common_evidence(e, k, method);
    add_users(e, a, now, rc->window_ns);
    det_message(e, "%u different user names failed to log in from %s within %llu s (password spraying)", users,
                det_addr_str(&k->client_ip, ip, sizeof ip), (unsigned long long)(rc->window_ns / NS_PER_SEC));
    det_send(s, e);
}

static void distributed(struct sensor *s, struct call *k, const char *method, uint64_t now)
{
    const char *user = k->ppp.user;
    if (!det_on(s, DR_AUTH_DISTRIBUTED) || !user[0])
        return;
    const struct detect_rule_cfg *rc = det_rc(s, DR_AUTH_DISTRIBUTED);
    struct dkey key;
    dkey_u64(&key, user_hash(user));
    bool created;
    struct auth_user *u = dtab_get(&s->det->auth_user, &key, true, &created);
    if (!u)
        return;
    if (created)
        copy_name(u->name, user);
    int slot = -1, oldest = 0;
    for (int i = 0; i < DET_SRCS_PER_USER; i++) {
        if (u->src[i].last_ns && sn_addr_eq(&u->src[i].ip, &k->client_ip)) {
            slot = i;
            break;
        }
        if (u->src[i].last_ns < u->src[oldest].last_ns)
            oldest = i;
    }
    if (slot < 0) {
        slot = oldest;
        u->src[slot].ip = k->client_ip;
    }
    u->src[slot].last_ns = now;
    uint32_t n = 0;
    for (int i = 0; i < DET_SRCS_PER_USER; i++)
        if (u->src[i].last_ns && now - u->src[i].last_ns < rc->window_ns)
            n++;
    if (n < rc->threshold || (u->alert_ns && now - u->alert_ns < rc->window_ns))
        return;
    ev *e = det_begin(s, DR_AUTH_DISTRIBUTED, now, 0);
    if (!e)
        return;
    u->alert_ns = now;
    emit_call_identity(s, e, k);
    ev_set_uint(e, "pptp.alert.count", n);
    ev_set_uint(e, "pptp.alert.threshold", rc->threshold);
    ev_set_uint(e, "pptp.alert.window", rc->window_ns);
    ev_set_str(e, "pptp.alert.user", u->name);
    common_evidence(e, k, method);
    for (int i = 0; i < DET_SRCS_PER_USER; i++)
        if (u->src[i].last_ns && now - u->src[i].last_ns < rc->window_ns) {
            det_add_ip(e, "pptp.alert.sources", &u->src[i].ip);
            det_add_ip(e, "related.ip", &u->src[i].ip);
        }
    det_message(e, "User %s failed to log in from %u different addresses within %llu s", u->name, n,
                (unsigned long long)(rc->window_ns / NS_PER_SEC));
    det_send(s, e);
}

static void account_state(struct sensor *s, struct call *k, struct detect_call *dc, const char *method, uint64_t now)
{
    uint16_t code = k->ppp.auth_error;
    if (!det_on(s, DR_AUTH_ACCOUNT_STATE) || !(code == 646 || code == 647 || code == 648 || code == 649 || code == 709))
        return;
    if (!det_once(&dc->fired, DR_AUTH_ACCOUNT_STATE))
        return;
    /* a disabled account being tried is worth more attention than expired hours */
    ev *e = det_begin(s, DR_AUTH_ACCOUNT_STATE, now, code == 647 ? 1 : 0);
    if (!e)
        return;
    const char *name = pppneg_auth_error_name(code);
    static const struct {
        uint16_t code;
        const char *text;
    } texts[] = {
        {646, "outside its permitted logon hours"}, {647, "disabled"}, {648, "expired (password)"},
        {649, "without dial-in permission"},          {709, "required to change its password"},
    };
    const char *t = "refused";
    for (size_t i = 0; i < sizeof texts / sizeof texts[0]; i++)
        if (texts[i].code == code)
            t = texts[i].text;
    emit_call_identity(s, e, k);
    common_evidence(e, k, method);
    det_message(e, "Login as %s refused: the account is %s (%s, error %u)", k->ppp.user[0] ? k->ppp.user : "(unknown)",
                t, name ? name : "?", code);
    det_send(s, e);
}

static void success_after(struct sensor *s, struct call *k, const char *method, uint64_t now)
{
    if (!det_on(s, DR_AUTH_SUCCESS_AFTER_FAILURES))
        return;
    const struct detect_rule_cfg *rc = det_rc(s, DR_AUTH_SUCCESS_AFTER_FAILURES);
    struct dkey key;
    dkey_addr(&key, &k->client_ip);
    struct auth_src *a = dtab_get(&s->det->auth_src, &key, false, NULL);
    if (!a)
        return;
    uint32_t n = swin_count(&a->fail_recent, now, rc->window_ns);
    if (n < rc->threshold)
        return;
    ev *e = det_begin(s, DR_AUTH_SUCCESS_AFTER_FAILURES, now, 0);
    if (!e)
        return;
    memset(&a->fail_recent, 0, sizeof a->fail_recent); /* one alert per run of failures */
    char ip[64];
    emit_call_identity(s, e, k);
    ev_set_uint(e, "pptp.alert.count", n);
    ev_set_uint(e, "pptp.alert.threshold", rc->threshold);
    ev_set_uint(e, "pptp.alert.window", rc->window_ns);
    ev_set_str(e, "pptp.alert.auth_method", method);
    if (k->ppp.user[0])
        ev_set_str(e, "pptp.alert.user", k->ppp.user);
    add_users(e, a, now, rc->window_ns);
    det_message(e, "Login as %s from %s succeeded after %u failures within %llu s: a guessed password is likely",
                k->ppp.user[0] ? k->ppp.user : "(unknown)", det_addr_str(&k->client_ip, ip, sizeof ip), n,
                (unsigned long long)(rc->window_ns / NS_PER_SEC));
    det_send(s, e);
}

void det_auth_ppp(struct sensor *s, struct call *k, struct detect_call *dc, int dir, unsigned due, uint64_t now)
{
    (void)dir;
    char mbuf[32];
    const char *method = method_name(&k->ppp, mbuf, sizeof mbuf);
    if (due & PPPNEG_DUE_AUTH_FAILURE) {
        struct dkey key;
        dkey_addr(&key, &k->client_ip);
        struct auth_src *a = dtab_get(&s->det->auth_src, &key, true, NULL);
        if (a) {
            a->failures_total++;
            swin_add(&a->fail_recent, now, det_rc(s, DR_AUTH_SUCCESS_AFTER_FAILURES)->window_ns, 1);
            /* spraying first: it records the user that bruteforce lists */
            spraying(s, k, a, method, now);
            bruteforce(s, k, a, method, now);
        }
        distributed(s, k, method, now);
        account_state(s, k, dc, method, now);
    }
    if (due & PPPNEG_DUE_AUTH_SUCCESS)
        success_after(s, k, method, now);
}
