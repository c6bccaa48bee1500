/* config.c - command line and config file parsing; see config.h. */
#include "config.h"
#include "detect_config.h"
#include "outputs_cli.h"

#include <ctype.h>
#include <errno.h>
#include <getopt.h>
#include <stdlib.h>
#include <string.h>

#define NS_PER_S 1000000000ull

void config_defaults(struct sensor_config *cfg)
{
    memset(cfg, 0, sizeof *cfg);
    cfg->snaplen = 65535;
    cfg->buffer_mb = 64;
    cfg->promisc = true;
    cfg->idle_timeout_ns = 30 * 60 * NS_PER_S;
    cfg->expire_timeout_ns = 60 * 60 * NS_PER_S;
    cfg->interim_ns = 10 * 60 * NS_PER_S;
    cfg->stats_interval_ns = 0;
    cfg->frag_timeout_ns = 30 * NS_PER_S;
    cfg->max_calls = 2000000;
    cfg->max_ctrl = 1000000;
    cfg->defrag_memcap_mb = 32;
    cfg->reasm_memcap_mb = 64;
    cfg->flush_timeout_ns = 10 * NS_PER_S;
}

void config_free(struct sensor_config *cfg)
{
    for (int i = 0; i < cfg->n_owned; i++)
        free(cfg->owned[i]);
    cfg->n_owned = 0;
    for (int i = 0; i < cfg->n_output_sections; i++) {
        free(cfg->output_sections[i].url);
        free(cfg->output_sections[i].query);
    }
    cfg->n_output_sections = 0;
    free(cfg->detect); /* DETECT */
    cfg->detect = NULL;
}

void config_usage(FILE *f)
{
    fputs("usage: pptp-sensor (-r FILE... | -i IFACE) [options]\n"
          "\n"
          "input:\n"
          "  -r, --read FILE         read a pcap/pcapng file ('-' = stdin); repeat or list several\n"
          "  -i, --interface IFACE   capture live on IFACE\n"
          "  -f, --filter BPF        capture filter (default keeps TCP/PPTP ports, GRE, fragments, ICMP too-big)\n"
          "  -s, --snaplen N         live snap length (default 65535)\n"
          "  -B, --buffer-size MB    live kernel buffer (default 64)\n"
          "      --no-promisc        do not put the interface in promiscuous mode\n"
          "      --pptp-port PORT    PPTP control port (default 1723; repeat for several)\n"
          "output:\n"
          "  -w, --write FILE        write JSON lines to FILE (default stdout; SIGHUP reopens)\n"
          "  -o, --output SPEC       add an output (repeatable; docs/outputs.md): file:PATH,\n"
          "                          syslog+udp|tcp|tls://HOST:PORT, syslog+unix:///dev/log, kafka://HOST:PORT;\n"
          "                          ?classes=alert,session&format=json|cef&name=N&queue=N and per type options\n"
          "  -X, --kafka-property K=V  librdkafka property for every Kafka output (repeatable)\n"
          "      --flush-timeout D   bound for delivering queued events at exit (default 10s)\n"
          "      --observer-name S   observer.name in every event (default pptp-sensor)\n"
          "timers (durations: 90s, 30m, 1h, 250ms):\n"
          "      --idle-timeout D    idle threshold for teardown reason idle_timeout (default 30m)\n"
          "      --expire D          expire sessions silent this long (default 1h)\n"
          "      --interim D         session_interim interval, 0 = off (default 10m)\n"
          "      --stats-interval D  periodic pptp.stats events, 0 = at exit only (default 0)\n"
          "      --frag-timeout D    IP fragment reassembly timeout (default 30s)\n"
          "limits:\n"
          "      --max-sessions N    calls tracked at once (default 2000000)\n"
          "      --defrag-memcap MB  fragment buffer cap (default 32)\n"
          "      --reasm-memcap MB   cap on all TCP/1723 reassembly buffers together (default 64)\n"
          "  -c, --config FILE       config file (INI; see docs/configuration.md)\n"
          "  -h, --help              this text\n"
          "  -V, --version           print the version\n"
          "\n"
          "exit codes: 0 ok, 1 runtime failure, 2 usage or unsupported link type,\n"
          "            3 a capture file was truncated or corrupt (events were still emitted)\n",
          f);
}

int config_parse_duration(const char *s, uint64_t *ns)
{
    if (!s || !*s)
        return -1;
    errno = 0;
    char *end;
    double v = strtod(s, &end);
    if (errno || end == s || v < 0 || v > 1e9)
        return -1;
    double mult = NS_PER_S;
    if (strcmp(end, "ms") == 0)
        mult = 1e6;
    else if (strcmp(end, "s") == 0 || *end == '\0')
        mult = NS_PER_S;
    else if (strcmp(end, "m") == 0)
        mult = 60.0 * NS_PER_S;
    else if (strcmp(end, "h") == 0)
        mult = 3600.0 * NS_PER_S;
    else if (strcmp(end, "d") == 0)
        mult = 86400.0 * NS_PER_S;
    else
        return -1;
    *ns = (uint64_t)(v * mult);
    return 0;
}

static int parse_uint(const char *s, unsigned long max, unsigned long *out)
{
    if (!s || !*s || !isdigit((unsigned char)*s))
        return -1;
    errno = 0;
    char *end;
    unsigned long v = strtoul(s, &end, 10);
    if (errno || *end || v > max)
        return -1;
    *out = v;
    return 0;
}

/* Apply one setting (shared by CLI and config file). Returns 0 or -1 with *why set. */
static int apply(struct sensor_config *cfg, const char *key, const char *val, const char **why)
{
    unsigned long u;
    uint64_t ns;
    if (strcmp(key, "read") == 0) {
        if (cfg->n_read_files >= CONFIG_MAX_FILES) {
            *why = "too many input files";
            return -1;
        }
        cfg->read_files[cfg->n_read_files++] = val;
    } else if (strcmp(key, "interface") == 0) {
        cfg->interface = val;
    } else if (strcmp(key, "filter") == 0) {
        cfg->bpf = val;
    } else if (strcmp(key, "snaplen") == 0) {
        if (parse_uint(val, 262144, &u) || u < 68) {
            *why = "snaplen must be 68..262144";
            return -1;
        }
        cfg->snaplen = (int)u;
    } else if (strcmp(key, "buffer-size") == 0) {
        if (parse_uint(val, 4096, &u) || u < 1) {
            *why = "buffer size must be 1..4096 MB";
            return -1;
        }
        cfg->buffer_mb = (int)u;
    } else if (strcmp(key, "promisc") == 0) {
        cfg->promisc = strcmp(val, "no") != 0 && strcmp(val, "false") != 0 && strcmp(val, "0") != 0;
    } else if (strcmp(key, "pptp-port") == 0) {
        if (parse_uint(val, 65535, &u) || u == 0) {
            *why = "port must be 1..65535";
            return -1;
        }
        if (cfg->n_pptp_ports >= CONFIG_MAX_PORTS) {
            *why = "too many PPTP ports";
            return -1;
        }
        cfg->pptp_ports[cfg->n_pptp_ports++] = (uint16_t)u;
    } else if (strcmp(key, "write") == 0) {
        cfg->write_file = val;
    } else if (strcmp(key, "output") == 0) {
        if (cfg->n_outputs >= CONFIG_MAX_OUTPUTS) {
            *why = "too many outputs";
            return -1;
        }
        cfg->outputs[cfg->n_outputs++] = val;
    } else if (strcmp(key, "kafka-property") == 0) {
        if (!strchr(val, '=') || val[0] == '=') {
            *why = "expected KEY=VALUE";
            return -1;
        }
        if (cfg->n_kafka_props >= CONFIG_MAX_KAFKA_PROPS) {
            *why = "too many Kafka properties";
            return -1;
        }
        cfg->kafka_props[cfg->n_kafka_props++] = val;
    } else if (strcmp(key, "flush-timeout") == 0) {
        if (config_parse_duration(val, &ns)) {
            *why = "not a duration (e.g. 5s, 250ms)";
            return -1;
        }
        cfg->flush_timeout_ns = ns;
    } else if (strcmp(key, "observer-name") == 0) {
        cfg->observer_name = val;
    } else if (strcmp(key, "idle-timeout") == 0 || strcmp(key, "expire") == 0 ||
               strcmp(key, "interim") == 0 || strcmp(key, "stats-interval") == 0 ||
               strcmp(key, "frag-timeout") == 0) {
        if (config_parse_duration(val, &ns)) {
            *why = "not a duration (e.g. 90s, 30m, 1h)";
            return -1;
        }
        if (key[0] == 'i' && key[1] == 'd')
            cfg->idle_timeout_ns = ns;
        else if (key[0] == 'e')
            cfg->expire_timeout_ns = ns;
        else if (key[0] == 'i')
            cfg->interim_ns = ns;
        else if (key[0] == 's')
            cfg->stats_interval_ns = ns;
        else
            cfg->frag_timeout_ns = ns;
        if ((key[0] == 'e' || key[0] == 'f') && ns == 0) {
            *why = "must be greater than 0";
            return -1;
        }
    } else if (strcmp(key, "max-sessions") == 0) {
        if (parse_uint(val, 100000000, &u) || u < 1) {
            *why = "must be 1..100000000";
            return -1;
        }
        cfg->max_calls = (uint32_t)u;
        cfg->max_ctrl = (uint32_t)u;
    } else if (strcmp(key, "reasm-memcap") == 0) {
        if (parse_uint(val, 65536, &u) || u < 1) {
            *why = "must be 1..65536 MB";
            return -1;
        }
        cfg->reasm_memcap_mb = (uint32_t)u;
    } else if (strcmp(key, "defrag-memcap") == 0) {
        if (parse_uint(val, 65536, &u) || u < 1) {
            *why = "must be 1..65536 MB";
            return -1;
        }
        cfg->defrag_memcap_mb = (uint32_t)u;
    } else {
        *why = "unknown setting";
        return -1;
    }
    return 0;
}

static char *trim(char *s)
{
    while (isspace((unsigned char)*s))
        s++;
    char *e = s + strlen(s);
    while (e > s && isspace((unsigned char)e[-1]))
        *--e = '\0';
    return s;
}

int config_load_file(struct sensor_config *cfg, const char *path)
{
    FILE *f = fopen(path, "r");
    if (!f) {
        fprintf(stderr, "pptp-sensor: cannot open config file %s: %s\n", path, strerror(errno));
        return SENSOR_EXIT_USAGE;
    }
    char line[1024];
    char section[64] = "sensor";
    int lineno = 0, rc = 0;
    while (fgets(line, sizeof line, f)) {
        lineno++;
        char *s = trim(line);
        if (!*s || *s == '#' || *s == ';')
            continue;
        if (*s == '[') {
            char *e = strchr(s, ']');
            if (!e) {
                fprintf(stderr, "pptp-sensor: %s:%d: missing ']'\n", path, lineno);
                rc = SENSOR_EXIT_USAGE;
                break;
            }
            *e = '\0';
            snprintf(section, sizeof section, "%s", trim(s + 1));
            continue;
        }
        char *eq = strchr(s, '=');
        if (!eq) {
            fprintf(stderr, "pptp-sensor: %s:%d: expected key = value\n", path, lineno);
            rc = SENSOR_EXIT_USAGE;
            break;
        }
        *eq = '\0';
        char *key = trim(s), *val = trim(eq + 1);
        if (strncmp(section, "output.", 7) == 0) {
            const char *why = NULL;
            if (outputs_config_section(cfg, section + 7, key, val, &why)) {
                fprintf(stderr, "pptp-sensor: %s:%d: [%s] %s: %s\n", path, lineno, section, key, why);
                rc = SENSOR_EXIT_USAGE;
                break;
            }
            continue;
        }
        if (strcmp(section, "sensor") != 0) {
            /* DETECT: rule, [ndpi] and [detect] sections (detect_config.c) */
            const char *dwhy = NULL;
            if (detect_config_apply(cfg, section, key, val, &dwhy) < 0) {
                fprintf(stderr, "pptp-sensor: %s:%d: [%s] %s: %s\n", path, lineno, section, key, dwhy);
                rc = SENSOR_EXIT_USAGE;
                break;
            }
            continue;
        }
        const char *why = NULL;
        char *copy = cfg->n_owned < CONFIG_MAX_OWNED ? strdup(val) : NULL;
        if (copy)
            cfg->owned[cfg->n_owned++] = copy;
        if (!copy || apply(cfg, key, copy, &why)) {
            fprintf(stderr, "pptp-sensor: %s:%d: %s: %s\n", path, lineno, key, why ? why : "too many settings");
            rc = SENSOR_EXIT_USAGE;
            break;
        }
    }
    fclose(f);
    return rc;
}

int config_parse_args(struct sensor_config *cfg, int argc, char **argv)
{
    enum { O_NOPROMISC = 256, O_PORT, O_OBS, O_IDLE, O_EXPIRE, O_INTERIM, O_STATS, O_FRAG, O_MAXS, O_MEMCAP, O_FLUSH, O_REASM };
    static const struct option longopts[] = {
        {"read", required_argument, 0, 'r'},
        {"interface", required_argument, 0, 'i'},
        {"filter", required_argument, 0, 'f'},
        {"snaplen", required_argument, 0, 's'},
        {"buffer-size", required_argument, 0, 'B'},
        {"no-promisc", no_argument, 0, O_NOPROMISC},
        {"pptp-port", required_argument, 0, O_PORT},
        {"write", required_argument, 0, 'w'},
        {"observer-name", required_argument, 0, O_OBS},
        {"idle-timeout", required_argument, 0, O_IDLE},
        {"expire", required_argument, 0, O_EXPIRE},
        {"interim", required_argument, 0, O_INTERIM},
        {"stats-interval", required_argument, 0, O_STATS},
        {"frag-timeout", required_argument, 0, O_FRAG},
        {"max-sessions", required_argument, 0, O_MAXS},
        {"defrag-memcap", required_argument, 0, O_MEMCAP},
        {"reasm-memcap", required_argument, 0, O_REASM},
        {"output", required_argument, 0, 'o'},
        {"kafka-property", required_argument, 0, 'X'},
        {"flush-timeout", required_argument, 0, O_FLUSH},
        {"config", required_argument, 0, 'c'},
        {"help", no_argument, 0, 'h'},
        {"version", no_argument, 0, 'V'},
        {0, 0, 0, 0},
    };
    static const char *keys[] = {
        [O_NOPROMISC - 256] = "promisc", [O_PORT - 256] = "pptp-port", [O_OBS - 256] = "observer-name",
        [O_IDLE - 256] = "idle-timeout", [O_EXPIRE - 256] = "expire", [O_INTERIM - 256] = "interim",
        [O_STATS - 256] = "stats-interval", [O_FRAG - 256] = "frag-timeout", [O_MAXS - 256] = "max-sessions",
        [O_MEMCAP - 256] = "defrag-memcap", [O_FLUSH - 256] = "flush-timeout", [O_REASM - 256] = "reasm-memcap",
    };
    /* First pass: the config file, so the command line overrides it. */
    for (int i = 1; i < argc - 1; i++)
        if (strcmp(argv[i], "-c") == 0 || strcmp(argv[i], "--config") == 0) {
            cfg->config_file = argv[i + 1];
            int rc = config_load_file(cfg, argv[i + 1]);
            if (rc)
                return rc;
        }
    optind = 1;
    opterr = 0;
    int opt;
    while ((opt = getopt_long(argc, argv, ":r:i:f:s:B:w:o:X:c:hV", longopts, NULL)) != -1) {
        const char *key = NULL, *val = optarg, *why = NULL;
        switch (opt) {
        case 'r': key = "read"; break;
        case 'i': key = "interface"; break;
        case 'f': key = "filter"; break;
        case 's': key = "snaplen"; break;
        case 'B': key = "buffer-size"; break;
        case 'w': key = "write"; break;
        case 'o': key = "output"; break;
        case 'X': key = "kafka-property"; break;
        case 'c': continue;
        case 'h': config_usage(stdout); return -1;
        case 'V': printf("pptp-sensor %s\n", PPTP_SENSOR_VERSION); return -1;
        case ':':
            fprintf(stderr, "pptp-sensor: option %s needs a value\n", argv[optind - 1]);
            return SENSOR_EXIT_USAGE;
        case '?':
            fprintf(stderr, "pptp-sensor: unknown option %s (see --help)\n", argv[optind - 1]);
            return SENSOR_EXIT_USAGE;
        default:
            key = keys[opt - 256];
            if (opt == O_NOPROMISC)
                val = "no";
            break;
        }
        if (apply(cfg, key, val, &why)) {
            fprintf(stderr, "pptp-sensor: --%s %s: %s\n", key, val ? val : "", why);
            return SENSOR_EXIT_USAGE;
        }
    }
    /* Extra operands after -r are more files to read. */
    for (int i = optind; i < argc; i++) {
        const char *why = NULL;
        if (cfg->n_read_files == 0) {
            fprintf(stderr, "pptp-sensor: unexpected argument '%s' (see --help)\n", argv[i]);
            return SENSOR_EXIT_USAGE;
        }
        if (apply(cfg, "read", argv[i], &why)) {
            fprintf(stderr, "pptp-sensor: %s: %s\n", argv[i], why);
            return SENSOR_EXIT_USAGE;
        }
    }
    if (cfg->n_read_files == 0 && !cfg->interface) {
        fprintf(stderr, "pptp-sensor: nothing to read: give -r FILE or -i IFACE (see --help)\n");
        return SENSOR_EXIT_USAGE;
    }
    if (cfg->n_read_files && cfg->interface) {
        fprintf(stderr, "pptp-sensor: -r and -i cannot be combined\n");
        return SENSOR_EXIT_USAGE;
    }
    if (cfg->n_pptp_ports == 0)
        cfg->pptp_ports[cfg->n_pptp_ports++] = 1723;
    if (!cfg->observer_name)
        cfg->observer_name = "pptp-sensor";
    return 0;
}
