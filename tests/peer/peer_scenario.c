/* peer_scenario.c - scenario parser; see peer_scenario.h and docs/peer.md */
#include "peer_scenario.h"

#include <ctype.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lcp.h"
#include "peer_ipdata.h"

#define MAX_TOK 40
#define LINE_MAX_LEN 1024

typedef struct parser {
    scenario *sc;
    const char *name;
    int line;
    char *err;
    size_t err_size;
    bool actions_started;
    bool user_seen, login_set, attempts_set;
    int batch_depth;
    char *tok[MAX_TOK];
    int ntok;
    char buf[LINE_MAX_LEN];
} parser;

static bool fail(parser *p, const char *fmt, ...)
{
    int n = snprintf(p->err, p->err_size, "%s:%d: ", p->name, p->line);
    if (n < 0 || (size_t)n >= p->err_size)
        return false;
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(p->err + n, p->err_size - (size_t)n, fmt, ap);
    va_end(ap);
    return false;
}

/* Split into tokens; "quoted strings" are one token; # starts a comment. */
static bool tokenize(parser *p, const char *line)
{
    size_t len = strlen(line);
    if (len >= sizeof p->buf)
        return fail(p, "line too long");
    memcpy(p->buf, line, len + 1);
    p->ntok = 0;
    char *s = p->buf;
    while (*s) {
        while (*s && isspace((unsigned char)*s))
            s++;
        if (!*s || *s == '#')
            break;
        if (p->ntok == MAX_TOK)
            return fail(p, "too many words");
        if (*s == '"') {
            char *start = ++s;
            while (*s && *s != '"')
                s++;
            if (!*s)
                return fail(p, "unterminated quote");
            *s++ = '\0';
            p->tok[p->ntok++] = start;
            continue;
        }
        p->tok[p->ntok++] = s;
        while (*s && !isspace((unsigned char)*s))
            s++;
        if (*s)
            *s++ = '\0';
    }
    return true;
}

static bool get_uint(parser *p, int i, uint64_t max, uint64_t *out)
{
    if (i >= p->ntok)
        return fail(p, "'%s' needs a number", p->tok[i - 1]);
    if (!parse_uint(p->tok[i], max, out))
        return fail(p, "bad number '%s' (max %llu)", p->tok[i], (unsigned long long)max);
    return true;
}

static bool get_dur(parser *p, int i, ptime *out)
{
    if (i >= p->ntok)
        return fail(p, "'%s' needs a duration", p->tok[i - 1]);
    if (!parse_duration(p->tok[i], out))
        return fail(p, "bad duration '%s' (e.g. 250ms, 3s, 31m, 2h)", p->tok[i]);
    return true;
}

static bool get_ip4(parser *p, int i, uint32_t *out)
{
    if (i >= p->ntok)
        return fail(p, "'%s' needs an IPv4 address", p->tok[i - 1]);
    if (!parse_ipv4(p->tok[i], out))
        return fail(p, "bad IPv4 address '%s'", p->tok[i]);
    return true;
}

static bool get_side(parser *p, int i, int *side)
{
    if (i < p->ntok && !strcmp(p->tok[i], "client"))
        *side = SIDE_CLIENT;
    else if (i < p->ntok && !strcmp(p->tok[i], "server"))
        *side = SIDE_SERVER;
    else
        return fail(p, "'%s' needs 'client' or 'server'", p->tok[i - 1]);
    return true;
}

static void copy_str(char *dst, size_t size, const char *s)
{
    snprintf(dst, size, "%s", s);
}

static directive *add_dir(parser *p, int kind)
{
    scenario *sc = p->sc;
    if (sc->n_dirs == sc->cap_dirs) {
        int cap = sc->cap_dirs ? sc->cap_dirs * 2 : 32;
        directive *d = realloc(sc->dirs, (size_t)cap * sizeof *d);
        if (!d)
            return NULL;
        sc->dirs = d;
        sc->cap_dirs = cap;
    }
    directive *d = &sc->dirs[sc->n_dirs++];
    memset(d, 0, sizeof *d);
    d->kind = kind;
    d->line = p->line;
    p->actions_started = true;
    return d;
}

/* Optional "@name" at token i: copied into d->call; returns the next index. */
static int call_name(parser *p, int i, directive *d)
{
    if (i < p->ntok && p->tok[i][0] == '@') {
        copy_str(d->call, sizeof d->call, p->tok[i] + 1);
        return i + 1;
    }
    return i;
}

static void defaults(scenario *sc)
{
    memset(sc, 0, sizeof *sc);
    sc->seed = 1;
    pnet_cfg_default(&sc->net);
    sc->ip4[SIDE_CLIENT] = 0x0a000002; /* 10.0.0.2 */
    sc->ip4[SIDE_SERVER] = 0x0a000001;
    parse_ipv6("2001:db8::2", sc->ip6[SIDE_CLIENT]);
    parse_ipv6("2001:db8::1", sc->ip6[SIDE_SERVER]);
    pctrl_cfg_default(&sc->ctrl[SIDE_CLIENT], PCTRL_PNS);
    pctrl_cfg_default(&sc->ctrl[SIDE_SERVER], PCTRL_PAC);
    pppe_cfg *c = &sc->ppp[SIDE_CLIENT], *s = &sc->ppp[SIDE_SERVER];
    pppe_cfg_default(c, PPPE_CLIENT);
    pppe_cfg_default(s, PPPE_SERVER);
    /* a Windows-like client: MRU 1400 + magic; a pppd-like server: ACCM 0 + magic */
    c->mru = 1400;
    s->mru = 0;
    s->req_accm = true;
    s->accm = 0;
    c->ip_local = 0;
    s->ip_local = 0xc0a86401;  /* 192.168.100.1 */
    s->ip_assign = 0xc0a8640a; /* 192.168.100.10 */
    c->mppe_offer_all = true;
    for (int i = 0; i < 2; i++) {
        sc->gre[i].seq_start = 0;
        sc->gre[i].ack_delay = 100 * PT_MS;
    }
}

static bool parse_reject_list(parser *p, const char *list, uint32_t *mask)
{
    static const struct {
        const char *name;
        int type;
    } names[] = {{"mru", LCP_OPT_MRU},   {"accm", LCP_OPT_ACCM},         {"auth", LCP_OPT_AUTH},
                 {"magic", LCP_OPT_MAGIC}, {"pfc", LCP_OPT_PFC},         {"acfc", LCP_OPT_ACFC},
                 {"callback", LCP_OPT_CALLBACK}, {"mrru", LCP_OPT_MRRU}, {"endpoint", LCP_OPT_ENDPOINT_DISC}};
    char tmp[128];
    copy_str(tmp, sizeof tmp, list);
    for (char *t = strtok(tmp, ","); t; t = strtok(NULL, ",")) {
        int type = -1;
        for (size_t k = 0; k < sizeof names / sizeof names[0]; k++)
            if (!strcmp(t, names[k].name))
                type = names[k].type;
        uint64_t v;
        if (type < 0 && parse_uint(t, 31, &v))
            type = (int)v;
        if (type < 0)
            return fail(p, "unknown LCP option '%s'", t);
        *mask |= 1u << type;
    }
    return true;
}

static bool kw_lcp(parser *p)
{
    int side = 0;
    if (!get_side(p, 1, &side))
        return false;
    pppe_cfg *c = &p->sc->ppp[side];
    for (int i = 2; i < p->ntok; i++) {
        const char *k = p->tok[i];
        uint64_t v;
        if (!strcmp(k, "mru")) {
            if (!get_uint(p, ++i, 65535, &v))
                return false;
            c->mru = (uint16_t)v;
        } else if (!strcmp(k, "no-mru")) {
            c->mru = 0;
        } else if (!strcmp(k, "accm")) {
            if (!get_uint(p, ++i, UINT32_MAX, &v))
                return false;
            c->req_accm = true;
            c->accm = (uint32_t)v;
        } else if (!strcmp(k, "no-accm")) {
            c->req_accm = false;
        } else if (!strcmp(k, "pfc")) {
            c->req_pfc = true;
        } else if (!strcmp(k, "acfc")) {
            c->req_acfc = true;
        } else if (!strcmp(k, "callback")) {
            if (!get_uint(p, ++i, 255, &v))
                return false;
            c->req_callback = true;
            c->callback_op = (uint8_t)v;
        } else if (!strcmp(k, "mrru")) {
            if (!get_uint(p, ++i, 65535, &v))
                return false;
            c->req_mrru = true;
            c->mrru = (uint16_t)v;
        } else if (!strcmp(k, "no-magic")) {
            c->req_magic = false;
        } else if (!strcmp(k, "max-mru")) {
            if (!get_uint(p, ++i, 65535, &v))
                return false;
            c->max_peer_mru = (uint16_t)v;
        } else if (!strcmp(k, "reject")) {
            if (++i >= p->ntok)
                return fail(p, "reject needs a list of options");
            if (!parse_reject_list(p, p->tok[i], &c->reject_opts))
                return false;
        } else if (!strcmp(k, "restart")) {
            if (!get_dur(p, ++i, &c->restart_time))
                return false;
        } else {
            return fail(p, "unknown lcp setting '%s'", k);
        }
    }
    return true;
}

static bool kw_ctrl(parser *p)
{
    int side = 0;
    if (!get_side(p, 1, &side))
        return false;
    pctrl_cfg *c = &p->sc->ctrl[side];
    for (int i = 2; i < p->ntok; i++) {
        const char *k = p->tok[i];
        uint64_t v;
        bool str = !strcmp(k, "host") || !strcmp(k, "vendor") || !strcmp(k, "phone") || !strcmp(k, "dialing");
        if (str && i + 1 >= p->ntok)
            return fail(p, "'%s' needs a value", k);
        if (!strcmp(k, "host")) {
            copy_str(c->host_name, sizeof c->host_name, p->tok[++i]);
        } else if (!strcmp(k, "vendor")) {
            copy_str(c->vendor, sizeof c->vendor, p->tok[++i]);
        } else if (!strcmp(k, "phone")) {
            copy_str(c->phone, sizeof c->phone, p->tok[++i]);
        } else if (!strcmp(k, "dialing")) {
            copy_str(c->dialing, sizeof c->dialing, p->tok[++i]);
        } else if (!strcmp(k, "firmware")) {
            if (!get_uint(p, ++i, 65535, &v))
                return false;
            c->firmware_rev = (uint16_t)v;
        } else if (!strcmp(k, "max-channels")) {
            if (!get_uint(p, ++i, 65535, &v))
                return false;
            c->max_channels = (uint16_t)v;
        } else if (!strcmp(k, "window")) {
            if (!get_uint(p, ++i, 65535, &v))
                return false;
            c->recv_window = (uint16_t)v;
        } else if (!strcmp(k, "delay")) {
            if (!get_uint(p, ++i, 65535, &v))
                return false;
            c->proc_delay = (uint16_t)v;
        } else if (!strcmp(k, "speed")) {
            if (!get_uint(p, ++i, UINT32_MAX, &v))
                return false;
            c->connect_speed = (uint32_t)v;
        } else if (!strcmp(k, "refuse")) {
            if (!get_uint(p, ++i, 255, &v))
                return false;
            c->sccrp_result = (uint8_t)v;
        } else if (!strcmp(k, "call-result")) {
            if (!get_uint(p, ++i, 255, &v))
                return false;
            c->call_result = (uint8_t)v;
        } else {
            return fail(p, "unknown ctrl setting '%s'", k);
        }
    }
    return true;
}

static bool kw_auth_list(parser *p, int *out, int max, int *n)
{
    *n = 0;
    for (int i = 1; i < p->ntok; i++) {
        int m = pauth_method_from_name(p->tok[i]);
        if (m <= 0)
            return fail(p, "unknown authentication method '%s'", p->tok[i]);
        if (*n == max)
            return fail(p, "too many methods");
        out[(*n)++] = m;
    }
    return true;
}

static bool kw_ipcp(parser *p)
{
    scenario *sc = p->sc;
    pppe_cfg *c = &sc->ppp[SIDE_CLIENT], *s = &sc->ppp[SIDE_SERVER];
    if (p->ntok == 2 && !strcmp(p->tok[1], "off")) {
        c->ipcp = s->ipcp = false;
        return true;
    }
    c->ipcp = s->ipcp = true;
    for (int i = 1; i < p->ntok; i++) {
        const char *k = p->tok[i];
        if (!strcmp(k, "client")) {
            if (!get_ip4(p, ++i, &s->ip_assign))
                return false;
        } else if (!strcmp(k, "server")) {
            if (!get_ip4(p, ++i, &s->ip_local))
                return false;
        } else if (!strcmp(k, "dns") || !strcmp(k, "wins")) {
            uint32_t *v = !strcmp(k, "dns") ? s->dns : s->nbns;
            if (!get_ip4(p, ++i, &v[0]))
                return false;
            if (i + 1 < p->ntok && isdigit((unsigned char)p->tok[i + 1][0]) && !get_ip4(p, ++i, &v[1]))
                return false;
            if (v == s->dns)
                c->req_dns = true;
            else
                c->req_nbns = true;
        } else if (!strcmp(k, "request-all")) {
            c->req_dns = c->req_nbns = true;
        } else if (!strcmp(k, "static")) {
            c->ip_local = s->ip_assign; /* client asks for its address itself */
        } else {
            return fail(p, "unknown ipcp setting '%s'", k);
        }
    }
    return true;
}

static bool kw_mppe(parser *p)
{
    pppe_cfg *c = &p->sc->ppp[SIDE_CLIENT], *s = &p->sc->ppp[SIDE_SERVER];
    if (p->ntok < 2)
        return fail(p, "mppe needs none, 40, 56 or 128");
    unsigned bits = 0;
    if (strcmp(p->tok[1], "none")) {
        uint64_t v;
        if (!parse_uint(p->tok[1], 128, &v) || (v != 40 && v != 56 && v != 128))
            return fail(p, "mppe strength must be 40, 56 or 128");
        bits = (unsigned)v;
    }
    c->mppe_bits = s->mppe_bits = bits;
    for (int i = 2; i < p->ntok; i++) {
        const char *k = p->tok[i];
        if (!strcmp(k, "stateless"))
            c->mppe_stateless = s->mppe_stateless = true;
        else if (!strcmp(k, "stateful"))
            c->mppe_stateless = s->mppe_stateless = false;
        else if (!strcmp(k, "offer-all"))
            c->mppe_offer_all = true;
        else if (!strcmp(k, "exact"))
            c->mppe_offer_all = false;
        else
            return fail(p, "unknown mppe setting '%s'", k);
    }
    return true;
}

static bool kw_gre_setting(parser *p, int side_from, int side_to, int i)
{
    scenario *sc = p->sc;
    for (; i < p->ntok; i++) {
        const char *k = p->tok[i];
        uint64_t v;
        ptime t;
        for (int s = side_from; s <= side_to; s++) {
            if (!strcmp(k, "seq-start")) {
                if (!get_uint(p, i + 1, UINT32_MAX, &v))
                    return false;
                sc->gre[s].seq_start = (uint32_t)v;
            } else if (!strcmp(k, "ack-delay")) {
                if (!get_dur(p, i + 1, &t))
                    return false;
                sc->gre[s].ack_delay = t;
            } else if (!strcmp(k, "ack-every")) {
                sc->gre[s].ack_every = true;
            } else if (!strcmp(k, "window")) {
                if (!get_uint(p, i + 1, 65535, &v))
                    return false;
                sc->ctrl[s].recv_window = (uint16_t)v;
            } else {
                return fail(p, "unknown gre setting '%s'", k);
            }
        }
        if (strcmp(k, "ack-every"))
            i++;
    }
    return true;
}

static bool kw_gre(parser *p)
{
    if (p->ntok < 2)
        return fail(p, "gre needs a side or a setting");
    int i = 1, from = 0, to = 1;
    if (!strcmp(p->tok[1], "client") || !strcmp(p->tok[1], "server")) {
        from = to = !strcmp(p->tok[1], "client") ? SIDE_CLIENT : SIDE_SERVER;
        i = 2;
    }
    if (i >= p->ntok)
        return fail(p, "gre: what?");
    const char *op = p->tok[i];
    if (!strcmp(op, "drop") || !strcmp(op, "duplicate") || !strcmp(op, "reorder")) {
        if (from != to)
            return fail(p, "gre %s needs 'client' or 'server'", op);
        directive *d = add_dir(p, D_GRE);
        if (!d)
            return fail(p, "out of memory");
        d->side = from;
        d->op = !strcmp(op, "drop") ? GOP_DROP : !strcmp(op, "duplicate") ? GOP_DUPLICATE : GOP_REORDER;
        d->n = 1;
        if (d->op != GOP_REORDER && i + 1 < p->ntok && !get_uint(p, i + 1, 100000, &d->n))
            return false;
        return true;
    }
    if (p->actions_started)
        return fail(p, "gre %s is a setting: put it before the first action", op);
    return kw_gre_setting(p, from, to, i);
}

static bool setting(parser *p, const char *k, bool *handled)
{
    scenario *sc = p->sc;
    *handled = true;
    uint64_t v;
    if (!strcmp(k, "seed")) {
        return get_uint(p, 1, UINT64_MAX, &sc->seed);
    } else if (!strcmp(k, "epoch")) {
        if (!get_uint(p, 1, 4000000000ull, &v))
            return false;
        sc->net.epoch = v * PT_SEC;
    } else if (!strcmp(k, "link")) {
        if (p->ntok < 2)
            return fail(p, "link needs ethernet or sll");
        if (!strcmp(p->tok[1], "ethernet"))
            sc->net.link = PNET_LINK_ETH;
        else if (!strcmp(p->tok[1], "sll"))
            sc->net.link = PNET_LINK_SLL;
        else
            return fail(p, "unknown link '%s'", p->tok[1]);
    } else if (!strcmp(k, "vlan")) {
        sc->net.n_vlans = 0;
        for (int i = 1; i < p->ntok; i++) {
            if (sc->net.n_vlans == 2)
                return fail(p, "at most two VLAN tags");
            if (!get_uint(p, i, 4094, &v))
                return false;
            sc->net.vlans[sc->net.n_vlans++] = (uint16_t)v;
        }
        if (!sc->net.n_vlans)
            return fail(p, "vlan needs an id");
    } else if (!strcmp(k, "outer")) {
        if (p->ntok < 2 || (strcmp(p->tok[1], "ipv4") && strcmp(p->tok[1], "ipv6")))
            return fail(p, "outer needs ipv4 or ipv6");
        sc->net.ipv6 = !strcmp(p->tok[1], "ipv6");
    } else if (!strcmp(k, "client") || !strcmp(k, "server")) {
        for (int i = 0; i < p->ntok; i += 2) {
            if (i + 1 >= p->ntok)
                return fail(p, "'%s' needs an address", p->tok[i]);
            int s = !strcmp(p->tok[i], "client") ? SIDE_CLIENT : !strcmp(p->tok[i], "server") ? SIDE_SERVER : -1;
            if (s < 0)
                return fail(p, "expected client or server, got '%s'", p->tok[i]);
            const char *a = p->tok[i + 1];
            if (strchr(a, ':')) {
                if (!parse_ipv6(a, sc->ip6[s]))
                    return fail(p, "bad IPv6 address '%s'", a);
                sc->net.ipv6 = true;
            } else if (!parse_ipv4(a, &sc->ip4[s])) {
                return fail(p, "bad IPv4 address '%s'", a);
            }
        }
    } else if (!strcmp(k, "sessions")) {
        if (!get_uint(p, 1, 10000, &v))
            return false;
        if (!v)
            return fail(p, "sessions needs a number > 0");
        sc->sessions = (int)v;
        if (p->ntok == 4 && !strcmp(p->tok[2], "concurrency")) {
            if (!get_uint(p, 3, 10000, &v))
                return false;
            if (!v)
                return fail(p, "concurrency needs a number > 0");
            sc->concurrency = (int)v;
        } else if (p->ntok != 2) {
            return fail(p, "usage: sessions N [concurrency M]");
        }
    } else if (!strcmp(k, "client-port")) {
        if (!get_uint(p, 1, 65535, &v))
            return false;
        sc->client_port = (uint16_t)v;
    } else if (!strcmp(k, "user")) {
        pppe_cfg *s = &sc->ppp[SIDE_SERVER], *c = &sc->ppp[SIDE_CLIENT];
        if (p->ntok < 4 || strcmp(p->tok[2], "password"))
            return fail(p, "usage: user NAME password PW [domain DOMAIN]");
        if (s->n_users == PPPE_MAX_USERS)
            return fail(p, "too many users");
        ppp_user *u = &s->users[s->n_users++];
        copy_str(u->name, sizeof u->name, p->tok[1]);
        copy_str(u->password, sizeof u->password, p->tok[3]);
        const char *domain = NULL;
        if (p->ntok >= 6 && !strcmp(p->tok[4], "domain"))
            domain = p->tok[5];
        else if (p->ntok > 4)
            return fail(p, "usage: user NAME password PW [domain DOMAIN]");
        if (!p->user_seen) {
            p->user_seen = true;
            if (!p->login_set) {
                if (domain)
                    snprintf(c->login, sizeof c->login, "%.30s\\%.30s", domain, u->name);
                else
                    copy_str(c->login, sizeof c->login, u->name);
            }
            if (!p->attempts_set) {
                copy_str(c->attempts[0], sizeof c->attempts[0], u->password);
                c->n_attempts = 1;
            }
        }
    } else if (!strcmp(k, "login")) {
        if (p->ntok != 2)
            return fail(p, "usage: login NAME");
        copy_str(sc->ppp[SIDE_CLIENT].login, sizeof sc->ppp[SIDE_CLIENT].login, p->tok[1]);
        p->login_set = true;
    } else if (!strcmp(k, "attempts")) {
        pppe_cfg *c = &sc->ppp[SIDE_CLIENT];
        if (p->ntok < 2 || p->ntok - 1 > PPPE_MAX_ATTEMPTS)
            return fail(p, "attempts takes 1 to %d passwords", PPPE_MAX_ATTEMPTS);
        for (int i = 1; i < p->ntok; i++)
            copy_str(c->attempts[i - 1], sizeof c->attempts[0], p->tok[i]);
        c->n_attempts = p->ntok - 1;
        p->attempts_set = true;
    } else if (!strcmp(k, "auth")) {
        if (p->ntok < 2)
            return fail(p, "auth needs a method");
        int m = pauth_method_from_name(p->tok[1]);
        if (m < 0)
            return fail(p, "unknown authentication method '%s'", p->tok[1]);
        pppe_cfg *c = &sc->ppp[SIDE_CLIENT], *s = &sc->ppp[SIDE_SERVER];
        s->n_auth_offer = m ? 1 : 0;
        s->auth_offer[0] = m;
        c->auth_accept = m ? 1u << m : 0;
        if (p->ntok == 4 && !strcmp(p->tok[2], "retries")) {
            if (!get_uint(p, 3, 10, &v))
                return false;
            s->auth_retries = (int)v;
        } else if (p->ntok != 2) {
            return fail(p, "usage: auth METHOD [retries N]");
        }
    } else if (!strcmp(k, "auth-offer")) {
        pppe_cfg *s = &sc->ppp[SIDE_SERVER];
        return kw_auth_list(p, s->auth_offer, PAUTH_COUNT, &s->n_auth_offer);
    } else if (!strcmp(k, "auth-accept")) {
        int list[PAUTH_COUNT], n;
        if (!kw_auth_list(p, list, PAUTH_COUNT, &n))
            return false;
        sc->ppp[SIDE_CLIENT].auth_accept = 0;
        for (int i = 0; i < n; i++)
            sc->ppp[SIDE_CLIENT].auth_accept |= 1u << list[i];
    } else if (!strcmp(k, "auth-name")) {
        if (p->ntok != 2)
            return fail(p, "usage: auth-name NAME");
        copy_str(sc->ppp[SIDE_SERVER].auth_name, sizeof sc->ppp[SIDE_SERVER].auth_name, p->tok[1]);
    } else if (!strcmp(k, "mppe")) {
        return kw_mppe(p);
    } else if (!strcmp(k, "ipcp")) {
        return kw_ipcp(p);
    } else if (!strcmp(k, "ipv6cp")) {
        if (p->ntok != 2)
            return fail(p, "usage: ipv6cp on|off|client|server");
        const char *w = p->tok[1];
        bool on = !strcmp(w, "on");
        if (!on && strcmp(w, "off") && strcmp(w, "client") && strcmp(w, "server"))
            return fail(p, "usage: ipv6cp on|off|client|server");
        sc->ppp[SIDE_CLIENT].ipv6cp = on || !strcmp(w, "client");
        sc->ppp[SIDE_SERVER].ipv6cp = on || !strcmp(w, "server");
    } else if (!strcmp(k, "lcp")) {
        return kw_lcp(p);
    } else if (!strcmp(k, "ctrl")) {
        return kw_ctrl(p);
    } else {
        *handled = false;
        return true;
    }
    return true;
}

static bool action(parser *p, const char *k)
{
    directive *d;
    uint64_t v;
    if (!strcmp(k, "connect")) {
        return add_dir(p, D_CONNECT) != NULL;
    } else if (!strcmp(k, "call")) {
        if (!(d = add_dir(p, D_CALL)))
            return false;
        int i = call_name(p, 1, d);
        if (i >= p->ntok || (strcmp(p->tok[i], "outgoing") && strcmp(p->tok[i], "incoming")))
            return fail(p, "usage: call [@NAME] outgoing|incoming [id N] [peer-id N] [serial N] [expect ...]");
        d->incoming = !strcmp(p->tok[i], "incoming");
        for (i++; i < p->ntok; i++) {
            const char *o = p->tok[i];
            if (!strcmp(o, "id") || !strcmp(o, "peer-id") || !strcmp(o, "serial")) {
                if (!get_uint(p, ++i, 65535, &v))
                    return false;
                if (!strcmp(o, "id"))
                    d->id = (uint16_t)v;
                else if (!strcmp(o, "peer-id"))
                    d->peer_id = (uint16_t)v;
                else
                    d->serial = (uint16_t)v;
            } else if (!strcmp(o, "expect")) {
                if (++i >= p->ntok)
                    return fail(p, "expect needs up, auth-fail or refused");
                const char *e = p->tok[i];
                d->expect = !strcmp(e, "up")          ? EXPECT_UP
                            : !strcmp(e, "auth-fail") ? EXPECT_AUTH_FAIL
                            : !strcmp(e, "refused")   ? EXPECT_REFUSED
                                                      : -1;
                if (d->expect < 0)
                    return fail(p, "expect needs up, auth-fail or refused");
            } else {
                return fail(p, "unknown call option '%s'", o);
            }
        }
    } else if (!strcmp(k, "data")) {
        if (!(d = add_dir(p, D_DATA)))
            return false;
        int i = call_name(p, 1, d);
        if (i + 1 >= p->ntok || (d->ipkind = ipd_kind_from_name(p->tok[i])) < 0)
            return fail(p, "usage: data [@NAME] icmp|udp|tcp-syn COUNT [size N] [from client|server] ...");
        if (!get_uint(p, i + 1, 1000000, &v))
            return false;
        d->count = (uint32_t)v;
        d->size = 84;
        d->side = SIDE_CLIENT;
        d->noreply = d->ipkind == IPD_UDP;
        for (i += 2; i < p->ntok; i++) {
            const char *o = p->tok[i];
            if (!strcmp(o, "size")) {
                if (!get_uint(p, ++i, 1500, &v))
                    return false;
                d->size = (uint16_t)v;
            } else if (!strcmp(o, "from")) {
                if (!get_side(p, ++i, &d->side))
                    return false;
            } else if (!strcmp(o, "interval")) {
                if (!get_dur(p, ++i, &d->interval))
                    return false;
            } else if (!strcmp(o, "noreply")) {
                d->noreply = true;
            } else if (!strcmp(o, "burst")) {
                d->burst = true;
            } else if (!strcmp(o, "mss")) {
                if (!get_uint(p, ++i, 65535, &v))
                    return false;
                d->mss = (uint16_t)v;
            } else if (!strcmp(o, "port")) {
                if (!get_uint(p, ++i, 65535, &v))
                    return false;
                d->port = (uint16_t)v;
            } else if (!strcmp(o, "to")) {
                if (!get_ip4(p, ++i, &d->dst))
                    return false;
            } else {
                return fail(p, "unknown data option '%s'", o);
            }
        }
    } else if (!strcmp(k, "echo") || !strcmp(k, "lcp-echo")) {
        if (!(d = add_dir(p, !strcmp(k, "echo") ? D_ECHO : D_LCP_ECHO)))
            return false;
        int i = d->kind == D_LCP_ECHO ? call_name(p, 1, d) : 1;
        if (!get_side(p, i, &d->side))
            return false;
        d->n = 1;
        if (i + 1 < p->ntok && !get_uint(p, i + 1, 1000, &d->n))
            return false;
    } else if (!strcmp(k, "sli") || !strcmp(k, "wen")) {
        if (!(d = add_dir(p, !strcmp(k, "sli") ? D_SLI : D_WEN)))
            return false;
        if (call_name(p, 1, d) != p->ntok)
            return fail(p, "usage: %s [@NAME]", k);
    } else if (!strcmp(k, "idle") || !strcmp(k, "wait")) {
        if (!(d = add_dir(p, D_WAIT)))
            return false;
        return get_dur(p, 1, &d->dur);
    } else if (!strcmp(k, "step")) {
        if (!(d = add_dir(p, D_STEP)))
            return false;
        return get_dur(p, 1, &d->dur);
    } else if (!strcmp(k, "mtu")) {
        if (!(d = add_dir(p, D_MTU)))
            return false;
        if (!get_uint(p, 1, 9000, &d->n))
            return false;
        if (d->n < 68)
            return fail(p, "mtu below 68");
    } else if (!strcmp(k, "hangup") || !strcmp(k, "lcp-terminate")) {
        if (!(d = add_dir(p, !strcmp(k, "hangup") ? D_HANGUP : D_LCP_TERM)))
            return false;
        int i = call_name(p, 1, d);
        if (!get_side(p, i, &d->side))
            return false;
        d->result = d->side == SIDE_SERVER ? PPTP_CDN_ADMIN_SHUTDOWN : PPTP_CDN_REQUEST;
        copy_str(d->text, sizeof d->text, d->side == SIDE_SERVER ? "Terminated by server" : "User request");
        d->lcp = d->kind == D_LCP_TERM;
        for (i++; i < p->ntok; i++) {
            if (!strcmp(p->tok[i], "cdn") && d->kind == D_HANGUP) {
                if (!get_uint(p, ++i, 255, &v))
                    return false;
                d->result = (uint8_t)v;
            } else if (!strcmp(p->tok[i], "lcp") && d->kind == D_HANGUP) {
                d->lcp = true;
                if (i + 1 < p->ntok && strcmp(p->tok[i + 1], "cdn"))
                    copy_str(d->text, sizeof d->text, p->tok[++i]);
            } else if (d->kind == D_LCP_TERM && i == p->ntok - 1) {
                copy_str(d->text, sizeof d->text, p->tok[i]);
            } else {
                return fail(p, "unknown %s option '%s'", k, p->tok[i]);
            }
        }
    } else if (!strcmp(k, "disconnect") || !strcmp(k, "close") || !strcmp(k, "rst")) {
        int kind = !strcmp(k, "disconnect") ? D_DISCONNECT : !strcmp(k, "close") ? D_CLOSE : D_RST;
        if (!(d = add_dir(p, kind)))
            return false;
        if (!get_side(p, 1, &d->side))
            return false;
        d->result = PPTP_STOP_NONE;
        if (kind == D_DISCONNECT && p->ntok == 4 && !strcmp(p->tok[2], "reason")) {
            if (!get_uint(p, 3, 255, &v))
                return false;
            d->result = (uint8_t)v;
        } else if (p->ntok != 2) {
            return fail(p, "usage: %s client|server%s", k, kind == D_DISCONNECT ? " [reason N]" : "");
        }
    } else if (!strcmp(k, "capture")) {
        if (!(d = add_dir(p, D_CAPTURE)))
            return false;
        const char *m = p->ntok == 2 ? p->tok[1] : "";
        d->mode = !strcmp(m, "on")          ? PNET_CAP_ALL
                  : !strcmp(m, "off")       ? 0
                  : !strcmp(m, "gre-only")  ? PNET_CAP_GRE
                  : !strcmp(m, "ctrl-only") ? PNET_CAP_TCP
                                            : 99;
        if (d->mode == 99)
            return fail(p, "usage: capture on|off|gre-only|ctrl-only");
    } else if (!strcmp(k, "tcp")) {
        if (!(d = add_dir(p, D_TCP)))
            return false;
        if (!get_side(p, 1, &d->side))
            return false;
        const char *o = p->ntok >= 3 ? p->tok[2] : "";
        d->op = !strcmp(o, "normal")       ? TOP_NORMAL
                : !strcmp(o, "split")      ? TOP_SPLIT
                : !strcmp(o, "coalesce")   ? TOP_COALESCE
                : !strcmp(o, "reorder")    ? TOP_REORDER
                : !strcmp(o, "retransmit") ? TOP_RETRANSMIT
                : !strcmp(o, "lose")       ? TOP_LOSE
                : !strcmp(o, "gap")        ? TOP_GAP
                                           : -1;
        if (d->op < 0)
            return fail(p, "usage: tcp client|server normal|split N|coalesce|reorder|retransmit|lose|gap");
        if (d->op == TOP_SPLIT) {
            if (!get_uint(p, 3, 1460, &d->n))
                return false;
            if (!d->n)
                return fail(p, "split needs a size > 0");
        }
    } else if (!strcmp(k, "gre")) {
        return kw_gre(p);
    } else if (!strcmp(k, "batch")) {
        if (p->batch_depth)
            return fail(p, "batches do not nest");
        p->batch_depth = 1;
        return add_dir(p, D_BATCH) != NULL;
    } else if (!strcmp(k, "end")) {
        if (!p->batch_depth)
            return fail(p, "end without batch");
        p->batch_depth = 0;
        return add_dir(p, D_END) != NULL;
    } else {
        return fail(p, "unknown keyword '%s'", k);
    }
    return true;
}

static bool parse_line(parser *p, const char *line)
{
    if (!tokenize(p, line))
        return false;
    if (!p->ntok)
        return true;
    const char *k = p->tok[0];
    /* "client A server B" is the address setting; "gre" is both */
    if (strcmp(k, "gre")) {
        bool handled;
        if (!setting(p, k, &handled))
            return false;
        if (handled) {
            if (p->actions_started)
                return fail(p, "setting '%s' after the first action", k);
            return true;
        }
    }
    return action(p, k);
}

/* The method LCP will settle on, as the engines negotiate it (server offers
 * in order; the client Naks an offer it does not do with its preferred one). */
static bool mschap_negotiated(const pppe_cfg *c, const pppe_cfg *s)
{
    static const int pref[] = {PAUTH_MSCHAPV2, PAUTH_MSCHAPV1, PAUTH_CHAP_MD5, PAUTH_EAP_MD5, PAUTH_PAP};
    int m = PAUTH_NONE;
    for (int i = 0; i < s->n_auth_offer && m == PAUTH_NONE; i++) {
        if (c->auth_accept & (1u << s->auth_offer[i])) {
            m = s->auth_offer[i];
            break;
        }
        int want = PAUTH_NONE;
        for (size_t k = 0; k < sizeof pref / sizeof pref[0] && want == PAUTH_NONE; k++)
            if (c->auth_accept & (1u << pref[k]))
                want = pref[k];
        for (int k = 0; k < s->n_auth_offer; k++)
            if (s->auth_offer[k] == want)
                m = want;
    }
    return m == PAUTH_MSCHAPV1 || m == PAUTH_MSCHAPV2;
}

static bool check(parser *p)
{
    scenario *sc = p->sc;
    if (p->batch_depth)
        return fail(p, "batch without end");
    pppe_cfg *c = &sc->ppp[SIDE_CLIENT], *s = &sc->ppp[SIDE_SERVER];
    if (s->n_auth_offer && !c->login[0])
        return fail(p, "authentication needs a 'user' line");
    if (s->n_auth_offer && !c->auth_accept)
        c->auth_accept = 1u << s->auth_offer[s->n_auth_offer - 1];
    if (c->mppe_bits && !mschap_negotiated(c, s))
        return fail(p, "MPPE needs MS-CHAP (v1 or v2) authentication for its keys");
    for (int i = 0; i < 2; i++)
        sc->ppp[i].mppe_stateless = sc->ppp[0].mppe_stateless;
    return true;
}

bool scenario_parse(scenario *sc, const char *name, const char *text, char *err, size_t err_size)
{
    defaults(sc);
    parser *p = calloc(1, sizeof *p);
    if (!p) {
        snprintf(err, err_size, "out of memory");
        return false;
    }
    p->sc = sc;
    p->name = name;
    p->err = err;
    p->err_size = err_size;
    copy_str(sc->path, sizeof sc->path, name);
    bool ok = true;
    const char *s = text;
    while (ok && *s) {
        const char *e = strchr(s, '\n');
        size_t len = e ? (size_t)(e - s) : strlen(s);
        char line[LINE_MAX_LEN];
        p->line++;
        if (len >= sizeof line) {
            ok = fail(p, "line too long");
            break;
        }
        memcpy(line, s, len);
        line[len] = '\0';
        if (len && line[len - 1] == '\r')
            line[len - 1] = '\0';
        ok = parse_line(p, line);
        s = e ? e + 1 : s + len;
    }
    if (ok)
        ok = check(p);
    free(p);
    if (!ok)
        scenario_free(sc);
    return ok;
}

bool scenario_load(scenario *sc, const char *path, char *err, size_t err_size)
{
    FILE *f = fopen(path, "rb");
    if (!f) {
        snprintf(err, err_size, "%s: cannot open", path);
        memset(sc, 0, sizeof *sc);
        return false;
    }
    size_t cap = 4096, len = 0;
    char *buf = malloc(cap);
    size_t n;
    while (buf && (n = fread(buf + len, 1, cap - len - 1, f)) > 0) {
        len += n;
        if (cap - len < 2) {
            char *nb = realloc(buf, cap * 2);
            if (!nb) {
                free(buf);
                buf = NULL;
                break;
            }
            buf = nb;
            cap *= 2;
        }
    }
    fclose(f);
    if (!buf) {
        snprintf(err, err_size, "%s: out of memory", path);
        memset(sc, 0, sizeof *sc);
        return false;
    }
    buf[len] = '\0';
    bool ok = scenario_parse(sc, path, buf, err, err_size);
    free(buf);
    return ok;
}

void scenario_free(scenario *sc)
{
    free(sc->dirs);
    sc->dirs = NULL;
    sc->n_dirs = sc->cap_dirs = 0;
}
