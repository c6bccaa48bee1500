/*
 * config.h - pptp-sensor configuration: command line and config file.
 *
 * The config file is INI-style (`[section]`, `key = value`, `#` comments); every
 * command-line option has a config-file key in [sensor].  Command-line options win.
 */
#ifndef PPTP_SENSOR_CONFIG_H
#define PPTP_SENSOR_CONFIG_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#define CONFIG_MAX_FILES 64
#define CONFIG_MAX_PORTS 16
#define CONFIG_MAX_OWNED 256
#define CONFIG_MAX_OUTPUTS 8
#define CONFIG_MAX_KAFKA_PROPS 64

/* An [output.NAME] config-file section (outputs_cli.c builds it). */
struct config_output {
    char name[64];
    char *url;    /* url = ... */
    char *query;  /* the other keys, "&key=value..." (percent-encoded values) */
};

/* Exit codes (documented in README and docs/cli.md). */
enum sensor_exit {
    SENSOR_EXIT_OK = 0,
    SENSOR_EXIT_FAILURE = 1,        /* runtime failure (cannot open output, capture error) */
    SENSOR_EXIT_USAGE = 2,          /* bad command line / config / unsupported link type */
    SENSOR_EXIT_DAMAGED_INPUT = 3,  /* a capture file was truncated or corrupt; events were emitted */
};

struct detect_config; /* detect_config.h */

struct sensor_config {
    /* input */
    const char *read_files[CONFIG_MAX_FILES];
    int n_read_files;
    const char *interface;
    const char *bpf;          /* NULL: the default filter */
    int snaplen;
    int buffer_mb;            /* kernel capture buffer */
    bool promisc;
    uint16_t pptp_ports[CONFIG_MAX_PORTS];
    int n_pptp_ports;
    /* output */
    const char *write_file;   /* NULL or "-": stdout */
    const char *outputs[CONFIG_MAX_OUTPUTS]; /* -o SPEC (docs/outputs.md) */
    int n_outputs;
    struct config_output output_sections[CONFIG_MAX_OUTPUTS]; /* [output.NAME] */
    int n_output_sections;
    const char *kafka_props[CONFIG_MAX_KAFKA_PROPS + 1]; /* -X key=value, NULL terminated */
    int n_kafka_props;
    uint64_t flush_timeout_ns;    /* bound for delivering what is queued at exit (10 s) */
    const char *observer_name;
    const char *observer_hostname;
    /* timing (nanoseconds) */
    uint64_t idle_timeout_ns;     /* teardown reason idle_timeout threshold (30 min) */
    uint64_t expire_timeout_ns;   /* sensor_expired silence timer (1 h) */
    uint64_t interim_ns;          /* session_interim interval; 0 = off (default 10 min) */
    uint64_t stats_interval_ns;   /* periodic pptp.stats; 0 = only at exit */
    uint64_t frag_timeout_ns;     /* IP defragmentation timeout */
    /* limits */
    uint32_t max_calls;           /* sessions tracked at once */
    uint32_t max_ctrl;            /* control connections tracked at once */
    uint32_t defrag_memcap_mb;
    uint32_t reasm_memcap_mb;     /* all TCP/1723 reassembly buffers together */
    const char *config_file;
    struct detect_config *detect; /* DETECT: rule sections of the config file; NULL = defaults */
    /* strings copied from a config file, freed by config_free() */
    char *owned[CONFIG_MAX_OWNED];
    int n_owned;
};

/* Fill defaults. */
void config_defaults(struct sensor_config *cfg);
/* Free what config_load_file() copied. */
void config_free(struct sensor_config *cfg);
/* Parse argv (and the --config file it names). On error prints a clear message to
 * stderr and returns SENSOR_EXIT_USAGE; returns -1 after printing --help/--version
 * (caller exits 0); 0 on success. argv strings are borrowed, not copied. */
int config_parse_args(struct sensor_config *cfg, int argc, char **argv);
/* Load a config file; returns 0 or SENSOR_EXIT_USAGE with a message naming file:line.
 * Strings are copied into storage owned by cfg (released by config_free). */
int config_load_file(struct sensor_config *cfg, const char *path);
/* Parse a duration like "30m", "1h", "90s", "250ms", "10" (seconds). -1 on error. */
int config_parse_duration(const char *s, uint64_t *ns);
void config_usage(FILE *f);

#endif
