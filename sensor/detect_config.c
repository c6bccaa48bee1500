/* detect_config.c - the rule table, defaults and config-file sections of the
 * detectors; see detect_config.h and docs/alerts.md. */
#include "detect_config.h"

#include <ctype.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "config.h"

#define S_NS 1000000000ull

static const struct detect_rule_info rules[DR_COUNT] = {
    [DR_AUTH_BRUTEFORCE] = {"pptp.auth.bruteforce", "auth_bruteforce", "Authentication brute force", "authentication", NULL},
    [DR_AUTH_SPRAYING] = {"pptp.auth.spraying", "auth_spraying", "Password spraying", "authentication", NULL},
    [DR_AUTH_DISTRIBUTED] = {"pptp.auth.distributed", "auth_distributed", "Distributed authentication failures", "authentication", NULL},
    [DR_AUTH_SUCCESS_AFTER_FAILURES] = {"pptp.auth.success_after_failures", "auth_success_after_failures", "Successful login after repeated failures", "authentication", NULL},
    [DR_AUTH_ACCOUNT_STATE] = {"pptp.auth.account_state", "auth_account_state", "Login refused for the account's state", "authentication", NULL},
    [DR_WEAK_PAP] = {"pptp.weak.pap", "weak_pap", "Cleartext password (PAP)", "weak_security", NULL},
    [DR_WEAK_CHAP_MD5] = {"pptp.weak.chap_md5", "weak_chap_md5", "CHAP-MD5 authentication", "weak_security", NULL},
    [DR_WEAK_EAP_MD5] = {"pptp.weak.eap_md5", "weak_eap_md5", "EAP-MD5 authentication", "weak_security", NULL},
    [DR_WEAK_MSCHAPV1] = {"pptp.weak.mschapv1", "weak_mschapv1", "MS-CHAPv1 authentication", "weak_security", NULL},
    [DR_WEAK_MSCHAPV2] = {"pptp.weak.mschapv2", "weak_mschapv2", "MS-CHAPv2 handshake exposed", "weak_security", NULL},
    [DR_WEAK_NO_ENCRYPTION] = {"pptp.weak.no_encryption", "weak_no_encryption", "Tunnel carries data without encryption", "weak_security", NULL},
    [DR_WEAK_MPPE_KEY_LENGTH] = {"pptp.weak.mppe_key_length", "weak_mppe_key_length", "Short MPPE key", "weak_security", "min_key_bits"},
    [DR_WEAK_MPPE_STATEFUL] = {"pptp.weak.mppe_stateful", "weak_mppe_stateful", "Stateful MPPE", "weak_security", NULL},
    [DR_DOWNGRADE_AUTH] = {"pptp.downgrade.auth", "downgrade_auth", "Authentication downgrade", "weak_security", NULL},
    [DR_DOWNGRADE_MPPE] = {"pptp.downgrade.mppe", "downgrade_mppe", "MPPE key length downgrade", "weak_security", NULL},
    [DR_CLEARTEXT_AFTER_ENCRYPTION] = {"pptp.cleartext_after_encryption", "cleartext_after_encryption", "Cleartext data after encryption was negotiated", "weak_security", NULL},
    [DR_GRE_UNOWNED] = {"pptp.gre.unowned_call_id", "gre_unowned_call_id", "GRE for a Call ID no call owns", "tunnel_integrity", NULL},
    [DR_GRE_WRONG_SOURCE] = {"pptp.gre.wrong_source", "gre_wrong_source", "GRE from an address that is not the tunnel peer", "tunnel_integrity", NULL},
    [DR_GRE_AFTER_TEARDOWN] = {"pptp.gre.after_teardown", "gre_after_teardown", "GRE for a call that has ended", "tunnel_integrity", NULL},
    [DR_GRE_CALL_ID_COLLISION] = {"pptp.gre.call_id_collision", "gre_call_id_collision", "Call ID collision", "tunnel_integrity", NULL},
    [DR_GRE_SEQUENCE_ANOMALY] = {"pptp.gre.sequence_anomaly", "gre_sequence_anomaly", "GRE sequence numbers outside the window", "tunnel_integrity", NULL},
    [DR_CTRL_MALFORMED] = {"pptp.ctrl.malformed", "ctrl_malformed", "Malformed control message", "control_channel", NULL},
    [DR_CTRL_STATE_VIOLATION] = {"pptp.ctrl.state_violation", "ctrl_state_violation", "Control message out of sequence", "control_channel", NULL},
    [DR_CTRL_SCCRQ_FLOOD] = {"pptp.ctrl.sccrq_flood", "ctrl_sccrq_flood", "Flood of control connection requests", "control_channel", NULL},
    [DR_CTRL_CALL_FLOOD] = {"pptp.ctrl.call_request_flood", "ctrl_call_request_flood", "Flood of call requests", "control_channel", NULL},
    [DR_CTRL_SCAN] = {"pptp.ctrl.scan", "ctrl_scan", "PPTP port probed without a PPTP request", "reconnaissance", NULL},
    [DR_CTRL_REFUSED] = {"pptp.ctrl.refused", "ctrl_refused", "Control connection refused", "control_channel", NULL},
    [DR_CTRL_ECHO_FLOOD] = {"pptp.ctrl.echo_flood", "ctrl_echo_flood", "Flood of control Echo-Requests", "control_channel", NULL},
    [DR_CTRL_TOOL_FINGERPRINT] = {"pptp.ctrl.tool_fingerprint", "ctrl_tool_fingerprint", "Known scanning tool", "reconnaissance", NULL},
    [DR_CTRL_NONSTANDARD_PORT] = {"pptp.ctrl.nonstandard_port", "ctrl_nonstandard_port", "PPTP control on a non-standard port", "control_channel", NULL},
    [DR_MPPE_RESET_FLOOD] = {"pptp.mppe.reset_flood", "mppe_reset_flood", "Excessive MPPE resets", "tunnel_integrity", NULL},
    [DR_OPS_MASS_DISCONNECT] = {"pptp.ops.mass_disconnect", "ops_mass_disconnect", "Mass disconnect", "operations", NULL},
    [DR_OPS_LCP_NO_CONVERGENCE] = {"pptp.ops.lcp_no_convergence", "ops_lcp_no_convergence", "LCP negotiation does not converge", "operations", NULL},
    [DR_OPS_ECHO_TIMEOUT] = {"pptp.ops.echo_timeout", "ops_echo_timeout", "Keepalives unanswered", "operations", NULL},
    [DR_FRAG_OVERLAP_ALERT] = {"pptp.frag.overlap", "frag_overlap", "Overlapping IP fragments in a tunnel", "fragmentation", NULL},
    [DR_FRAG_IP_FRAGMENTED] = {"frag.ip_fragmented", "ip_fragmented", NULL, NULL, NULL},
    [DR_FRAG_IP_OVERLAP] = {"frag.ip_fragment_overlap", "ip_fragment_overlap", NULL, NULL, NULL},
    [DR_FRAG_IP_TIMEOUT] = {"frag.ip_fragment_timeout", "ip_fragment_timeout", NULL, NULL, NULL},
    [DR_FRAG_ICMP_FRAG_NEEDED] = {"frag.icmp_frag_needed", "icmp_frag_needed", NULL, NULL, NULL},
    [DR_FRAG_MRU_EXCEEDED] = {"frag.mru_exceeded", "mru_exceeded", NULL, NULL, "mppe_slack"},
    [DR_FRAG_MSS_EXCEEDS_PATH] = {"frag.mss_exceeds_path", "mss_exceeds_path", NULL, NULL, "outer_mtu"},
};

const struct detect_rule_info *detect_rule_info(enum detect_rule r)
{
    return (unsigned)r < DR_COUNT ? &rules[r] : NULL;
}

static const char *const level_names[] = {"info", "notice", "warning", "error", "critical"};

const char *detect_level_name(unsigned level) { return level <= DL_CRITICAL ? level_names[level] : "info"; }

static void set(struct detect_config *dc, enum detect_rule r, uint8_t level, uint32_t thr, uint64_t win)
{
    dc->r[r].level = level;
    dc->r[r].threshold = thr;
    dc->r[r].window_ns = win;
}

void detect_config_defaults(struct detect_config *dc)
{
    memset(dc, 0, sizeof *dc);
    for (int r = 0; r < DR_COUNT; r++) {
        dc->r[r].enabled = true;
        dc->r[r].level = DL_WARNING;
        dc->r[r].max_per_minute = 100;
    }
    set(dc, DR_AUTH_BRUTEFORCE, DL_WARNING, 10, 300 * S_NS);
    dc->r[DR_AUTH_BRUTEFORCE].high_threshold = 100;
    dc->r[DR_AUTH_BRUTEFORCE].high_window_ns = 60 * S_NS;
    set(dc, DR_AUTH_SPRAYING, DL_WARNING, 3, 300 * S_NS);
    set(dc, DR_AUTH_DISTRIBUTED, DL_WARNING, 5, 600 * S_NS);
    set(dc, DR_AUTH_SUCCESS_AFTER_FAILURES, DL_CRITICAL, 5, 300 * S_NS);
    set(dc, DR_AUTH_ACCOUNT_STATE, DL_NOTICE, 0, 0);
    set(dc, DR_WEAK_PAP, DL_WARNING, 0, 0);
    set(dc, DR_WEAK_CHAP_MD5, DL_WARNING, 0, 0);
    set(dc, DR_WEAK_EAP_MD5, DL_WARNING, 0, 0);
    set(dc, DR_WEAK_MSCHAPV1, DL_WARNING, 0, 0);
    set(dc, DR_WEAK_MSCHAPV2, DL_INFO, 0, 0);
    set(dc, DR_WEAK_NO_ENCRYPTION, DL_WARNING, 10, 0);
    set(dc, DR_WEAK_MPPE_KEY_LENGTH, DL_WARNING, 0, 0);
    dc->r[DR_WEAK_MPPE_KEY_LENGTH].value = 128;
    set(dc, DR_WEAK_MPPE_STATEFUL, DL_NOTICE, 0, 0);
    set(dc, DR_DOWNGRADE_AUTH, DL_WARNING, 0, 0);
    set(dc, DR_DOWNGRADE_MPPE, DL_WARNING, 0, 0);
    set(dc, DR_CLEARTEXT_AFTER_ENCRYPTION, DL_ERROR, 1, 0);
    set(dc, DR_GRE_UNOWNED, DL_NOTICE, 10, 60 * S_NS);
    set(dc, DR_GRE_WRONG_SOURCE, DL_WARNING, 1, 0);
    set(dc, DR_GRE_AFTER_TEARDOWN, DL_NOTICE, 3, 60 * S_NS);
    dc->r[DR_GRE_AFTER_TEARDOWN].grace_ns = 2 * S_NS;
    set(dc, DR_GRE_CALL_ID_COLLISION, DL_WARNING, 0, 0);
    set(dc, DR_GRE_SEQUENCE_ANOMALY, DL_WARNING, 5, 0);
    set(dc, DR_CTRL_MALFORMED, DL_WARNING, 0, 0);
    set(dc, DR_CTRL_STATE_VIOLATION, DL_WARNING, 0, 0);
    set(dc, DR_CTRL_SCCRQ_FLOOD, DL_WARNING, 20, 60 * S_NS);
    set(dc, DR_CTRL_CALL_FLOOD, DL_WARNING, 30, 60 * S_NS);
    set(dc, DR_CTRL_SCAN, DL_NOTICE, 5, 300 * S_NS);
    set(dc, DR_CTRL_REFUSED, DL_NOTICE, 0, 0);
    set(dc, DR_CTRL_ECHO_FLOOD, DL_NOTICE, 20, 60 * S_NS);
    set(dc, DR_CTRL_TOOL_FINGERPRINT, DL_WARNING, 0, 0);
    set(dc, DR_CTRL_NONSTANDARD_PORT, DL_NOTICE, 0, 0);
    set(dc, DR_MPPE_RESET_FLOOD, DL_WARNING, 20, 60 * S_NS);
    set(dc, DR_OPS_MASS_DISCONNECT, DL_WARNING, 20, 60 * S_NS);
    set(dc, DR_OPS_LCP_NO_CONVERGENCE, DL_NOTICE, 10, 0);
    set(dc, DR_OPS_ECHO_TIMEOUT, DL_NOTICE, 4, 0);
    set(dc, DR_FRAG_OVERLAP_ALERT, DL_WARNING, 0, 0);
    /* fragmentation events */
    set(dc, DR_FRAG_IP_FRAGMENTED, DL_INFO, 100, 60 * S_NS);
    set(dc, DR_FRAG_IP_OVERLAP, DL_WARNING, 0, 0);
    set(dc, DR_FRAG_IP_TIMEOUT, DL_NOTICE, 0, 0);
    set(dc, DR_FRAG_ICMP_FRAG_NEEDED, DL_NOTICE, 0, 0);
    set(dc, DR_FRAG_MRU_EXCEEDED, DL_NOTICE, 100, 60 * S_NS);
    dc->r[DR_FRAG_MRU_EXCEEDED].value = 4;
    set(dc, DR_FRAG_MSS_EXCEEDS_PATH, DL_NOTICE, 0, 0);
    dc->r[DR_FRAG_MSS_EXCEEDS_PATH].value = 1500;
    for (int r = DR_ALERT_COUNT; r < DR_COUNT; r++)
        dc->r[r].max_per_minute = 600;
    dc->ndpi.enabled = true;
    dc->ndpi.detect_ports = true;
    dc->ndpi.max_flows = 4096;
    dc->ndpi.max_flows_per_session = 16;
    dc->ndpi.max_packets_per_flow = 16;
    dc->ndpi.max_candidates = 4096;
    dc->max_sources = 16384;
}

/* ---- parsing ---- */

static int parse_bool(const char *v, bool *out)
{
    if (!strcasecmp(v, "yes") || !strcasecmp(v, "true") || !strcasecmp(v, "on") || !strcmp(v, "1"))
        *out = true;
    else if (!strcasecmp(v, "no") || !strcasecmp(v, "false") || !strcasecmp(v, "off") || !strcmp(v, "0"))
        *out = false;
    else
        return -1;
    return 0;
}

static int parse_u32(const char *v, uint32_t min, uint32_t max, uint32_t *out)
{
    if (!v || !isdigit((unsigned char)*v))
        return -1;
    errno = 0;
    char *end;
    unsigned long long x = strtoull(v, &end, 10);
    if (errno || *end || x < min || x > max)
        return -1;
    *out = (uint32_t)x;
    return 0;
}

static int parse_level(const char *v, uint8_t *out)
{
    for (unsigned i = 0; i <= DL_CRITICAL; i++)
        if (!strcasecmp(v, level_names[i])) {
            *out = (uint8_t)i;
            return 0;
        }
    return -1;
}

static int rule_by_section(const char *section)
{
    for (int r = 0; r < DR_COUNT; r++)
        if (!strcmp(section, rules[r].id))
            return r;
    return -1;
}

static int apply_rule(struct detect_config *dc, int r, const char *key, const char *val, const char **why)
{
    struct detect_rule_cfg *c = &dc->r[r];
    uint64_t ns;
    if (!strcmp(key, "enabled")) {
        if (parse_bool(val, &c->enabled)) {
            *why = "expected yes or no";
            return -1;
        }
    } else if (!strcmp(key, "level")) {
        if (parse_level(val, &c->level)) {
            *why = "expected info, notice, warning, error or critical";
            return -1;
        }
    } else if (!strcmp(key, "threshold") || !strcmp(key, "high_threshold")) {
        uint32_t *dst = key[0] == 't' ? &c->threshold : &c->high_threshold;
        /* distinct users / sources are remembered in small sets (detect_int.h) */
        uint32_t hi = r == DR_AUTH_SPRAYING ? 7 : r == DR_AUTH_DISTRIBUTED ? 16 : 1000000;
        if (parse_u32(val, 1, hi, dst)) {
            *why = hi == 7 ? "expected 1..7 (8 user names are remembered per source)"
                 : hi == 16 ? "expected 1..16 (16 sources are remembered per user)"
                            : "expected a number 1..1000000";
            return -1;
        }
    } else if (!strcmp(key, "window") || !strcmp(key, "high_window") || !strcmp(key, "grace")) {
        if (config_parse_duration(val, &ns) || (ns == 0 && key[0] != 'g') || ns > 7 * 86400 * S_NS) {
            *why = "expected a duration (e.g. 60s, 5m) up to 7d";
            return -1;
        }
        if (!strcmp(key, "window"))
            c->window_ns = ns;
        else if (key[0] == 'h')
            c->high_window_ns = ns;
        else
            c->grace_ns = ns;
    } else if (!strcmp(key, "max_per_minute")) {
        if (parse_u32(val, 1, 1000000, &c->max_per_minute)) {
            *why = "expected a number 1..1000000";
            return -1;
        }
    } else if (rules[r].value_key && !strcmp(key, rules[r].value_key)) {
        uint32_t lo = 0, hi = 65535;
        if (r == DR_WEAK_MPPE_KEY_LENGTH)
            lo = 40, hi = 128;
        else if (r == DR_FRAG_MSS_EXCEEDS_PATH)
            lo = 576, hi = 65535;
        else
            hi = 64;
        if (parse_u32(val, lo, hi, &c->value)) {
            *why = "value out of range (see docs/alerts.md)";
            return -1;
        }
    } else if (r == DR_CTRL_TOOL_FINGERPRINT && (!strcmp(key, "vendor") || !strcmp(key, "hostname"))) {
        if (dc->n_fp >= DETECT_MAX_FINGERPRINTS) {
            *why = "too many fingerprints (16)";
            return -1;
        }
        if (!*val || strlen(val) > DETECT_FP_LEN) {
            *why = "expected 1..64 characters";
            return -1;
        }
        dc->fp[dc->n_fp].field = key[0] == 'v' ? 0 : 1;
        strcpy(dc->fp[dc->n_fp].text, val);
        dc->n_fp++;
    } else {
        *why = "unknown setting for this rule";
        return -1;
    }
    return 0;
}

static int apply_ndpi(struct detect_config *dc, const char *key, const char *val, const char **why)
{
    struct detect_ndpi_cfg *n = &dc->ndpi;
    bool *b = !strcmp(key, "enabled") ? &n->enabled : !strcmp(key, "detect_ports") ? &n->detect_ports : NULL;
    if (b) {
        if (parse_bool(val, b)) {
            *why = "expected yes or no";
            return -1;
        }
        return 0;
    }
    uint32_t *u = !strcmp(key, "max_flows")               ? &n->max_flows
                  : !strcmp(key, "max_flows_per_session") ? &n->max_flows_per_session
                  : !strcmp(key, "max_packets_per_flow")  ? &n->max_packets_per_flow
                  : !strcmp(key, "max_candidates")        ? &n->max_candidates
                                                          : NULL;
    if (!u) {
        *why = "unknown setting for [ndpi]";
        return -1;
    }
    uint32_t hi = u == &n->max_flows_per_session ? 255 : u == &n->max_packets_per_flow ? 255 : 1000000;
    if (parse_u32(val, 1, hi, u)) {
        *why = "number out of range (see docs/configuration.md)";
        return -1;
    }
    return 0;
}

int detect_config_apply(struct sensor_config *cfg, const char *section, const char *key, const char *val,
                        const char **why)
{
    int r = rule_by_section(section);
    bool ndpi = !strcmp(section, "ndpi"), det = !strcmp(section, "detect");
    if (r < 0 && !ndpi && !det) {
        /* a misspelt rule section would otherwise be silently ignored */
        if (!strncmp(section, "pptp.", 5) || !strncmp(section, "frag.", 5)) {
            *why = "unknown rule section (see docs/alerts.md)";
            return -1;
        }
        return 0;
    }
    if (!cfg->detect) {
        cfg->detect = malloc(sizeof *cfg->detect); /* lives as long as the process, like cfg's strings */
        if (!cfg->detect) {
            *why = "out of memory";
            return -1;
        }
        detect_config_defaults(cfg->detect);
    }
    if (ndpi)
        return apply_ndpi(cfg->detect, key, val, why) ? -1 : 1;
    if (det) {
        if (!strcmp(key, "max_sources")) {
            if (parse_u32(val, 16, 10000000, &cfg->detect->max_sources)) {
                *why = "expected a number 16..10000000";
                return -1;
            }
            return 1;
        }
        *why = "unknown setting for [detect]";
        return -1;
    }
    return apply_rule(cfg->detect, r, key, val, why) ? -1 : 1;
}
