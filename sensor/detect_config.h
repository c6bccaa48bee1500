/*
 * detect_config.h - configuration of the detectors: one config-file section per
 * alert rule (`[pptp.auth.bruteforce]`) and per fragmentation event
 * (`[frag.ip_fragmented]`), `[ndpi]` and `[detect]`.  Every section takes
 * `enabled = yes|no`; the thresholds each rule reads are listed in
 * docs/alerts.md and docs/fragmentation.md, the sections in docs/configuration.md.
 *
 * The table of rules (ids, names, categories, levels, defaults) lives in
 * detect_config.c and is the single source of truth for all of them.
 */
#ifndef PPTP_SENSOR_DETECT_CONFIG_H
#define PPTP_SENSOR_DETECT_CONFIG_H

#include <stdbool.h>
#include <stdint.h>

struct sensor_config;

/* Every rule and fragmentation event.  Numeric values are not stable: persist ids. */
enum detect_rule {
    /* authentication */
    DR_AUTH_BRUTEFORCE = 0,
    DR_AUTH_SPRAYING,
    DR_AUTH_DISTRIBUTED,
    DR_AUTH_SUCCESS_AFTER_FAILURES,
    DR_AUTH_ACCOUNT_STATE,
    /* weak security */
    DR_WEAK_PAP,
    DR_WEAK_CHAP_MD5,
    DR_WEAK_EAP_MD5,
    DR_WEAK_MSCHAPV1,
    DR_WEAK_MSCHAPV2,
    DR_WEAK_NO_ENCRYPTION,
    DR_WEAK_MPPE_KEY_LENGTH,
    DR_WEAK_MPPE_STATEFUL,
    DR_DOWNGRADE_AUTH,
    DR_DOWNGRADE_MPPE,
    DR_CLEARTEXT_AFTER_ENCRYPTION,
    /* GRE */
    DR_GRE_UNOWNED,
    DR_GRE_WRONG_SOURCE,
    DR_GRE_AFTER_TEARDOWN,
    DR_GRE_CALL_ID_COLLISION,
    DR_GRE_SEQUENCE_ANOMALY,
    /* control channel */
    DR_CTRL_MALFORMED,
    DR_CTRL_STATE_VIOLATION,
    DR_CTRL_SCCRQ_FLOOD,
    DR_CTRL_CALL_FLOOD,
    DR_CTRL_SCAN,
    DR_CTRL_REFUSED,
    DR_CTRL_ECHO_FLOOD,
    DR_CTRL_TOOL_FINGERPRINT,
    DR_CTRL_NONSTANDARD_PORT,
    DR_MPPE_RESET_FLOOD,
    /* operations */
    DR_OPS_MASS_DISCONNECT,
    DR_OPS_LCP_NO_CONVERGENCE,
    DR_OPS_ECHO_TIMEOUT,
    /* fragmentation alert */
    DR_FRAG_OVERLAP_ALERT,
    DR_ALERT_COUNT,
    /* fragmentation events (event.dataset pptp.frag) */
    DR_FRAG_IP_FRAGMENTED = DR_ALERT_COUNT,
    DR_FRAG_IP_OVERLAP,
    DR_FRAG_IP_TIMEOUT,
    DR_FRAG_ICMP_FRAG_NEEDED,
    DR_FRAG_MRU_EXCEEDED,
    DR_FRAG_MSS_EXCEEDS_PATH,
    DR_COUNT
};

/* log.level values. */
enum detect_level { DL_INFO = 0, DL_NOTICE, DL_WARNING, DL_ERROR, DL_CRITICAL };

/* Settings of one rule; which fields it reads is in its table entry. */
struct detect_rule_cfg {
    bool enabled;
    uint8_t level;            /* enum detect_level */
    uint32_t threshold;
    uint64_t window_ns;
    uint32_t high_threshold;  /* bruteforce: the "high" tier */
    uint64_t high_window_ns;
    uint64_t grace_ns;
    uint32_t value;           /* the rule's own number (min_key_bits, outer_mtu, mppe_slack) */
    uint32_t max_per_minute;  /* events of this rule per minute of packet time, sensor-wide */
};

#define DETECT_MAX_FINGERPRINTS 16
#define DETECT_FP_LEN 64

struct detect_ndpi_cfg {
    bool enabled;                 /* classify unencrypted inner traffic */
    bool detect_ports;            /* find PPTP control on ports other than the configured ones */
    uint32_t max_flows;           /* inner flows inspected at once, sensor-wide */
    uint32_t max_flows_per_session;
    uint32_t max_packets_per_flow;/* packets given to nDPI before it must decide */
    uint32_t max_candidates;      /* other-port TCP connections examined at once */
};

struct detect_config {
    struct detect_rule_cfg r[DR_COUNT];
    struct detect_ndpi_cfg ndpi;
    uint32_t max_sources;     /* entries of each per-source / per-user / per-server table (LRU) */
    /* extra tool fingerprints: exact (case-insensitive) SCCRQ vendor or host names */
    uint8_t n_fp;
    struct {
        uint8_t field;        /* 0 vendor, 1 hostname */
        char text[DETECT_FP_LEN + 1];
    } fp[DETECT_MAX_FINGERPRINTS];
};

/* Static facts of a rule. */
struct detect_rule_info {
    const char *id;           /* rule.id ("pptp.auth.bruteforce") or config section ("frag.ip_fragmented") */
    const char *action;       /* event.action */
    const char *name;         /* rule.name */
    const char *category;     /* rule.category */
    const char *value_key;    /* config key of cfg.value, NULL if none */
};

const struct detect_rule_info *detect_rule_info(enum detect_rule r);
/* "info", "notice", "warning", "error", "critical". */
const char *detect_level_name(unsigned level);

void detect_config_defaults(struct detect_config *dc);
/* One `key = value` of a config-file section.  Returns 1 when the section is a
 * detector's (the setting is applied to cfg->detect, allocated on first use),
 * 0 when the section belongs to somebody else, -1 on a bad setting (*why says
 * what is wrong). */
int detect_config_apply(struct sensor_config *cfg, const char *section, const char *key, const char *val,
                        const char **why);

#endif
