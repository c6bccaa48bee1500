/* capture.c - libpcap packet sources; see capture.h. */
#include "capture.h"

#include <pcap/pcap.h>
#include <stdio.h>
#include <string.h>

#include "config.h"

void capture_default_filter(const struct sensor_config *cfg, char *buf, size_t size)
{
    char ports[256] = "";
    size_t n = 0;
    for (int i = 0; i < cfg->n_pptp_ports; i++)
        n += (size_t)snprintf(ports + n, sizeof ports - n, "%stcp port %u", i ? " or " : "", cfg->pptp_ports[i]);
    /* The same expression with and without a VLAN tag in front. IPv4 non-first
     * fragments carry no TCP/GRE header; ICMP frag-needed and ICMPv6 too-big
     * embed the header of a tunnel packet. */
    const char *core = "%s or ip proto 47 or ip6 proto 47 or (ip[6:2] & 0x1fff != 0)"
                       " or (icmp[0] == 3 and icmp[1] == 4) or (icmp6 and ip6[40] == 2)"
                       " or (ip6 and ip6[6] == 44)";
    char one[1024];
    snprintf(one, sizeof one, core, ports);
    snprintf(buf, size, "(%s) or (vlan and (%s)) or (vlan and vlan and (%s))", one, one, one);
}

static int apply_filter(pcap_t *p, const struct sensor_config *cfg, const char *src)
{
    char dflt[4096];
    const char *expr = cfg->bpf;
    if (!expr) {
        capture_default_filter(cfg, dflt, sizeof dflt);
        expr = dflt;
    }
    if (!*expr)
        return 0;
    struct bpf_program prog;
    if (pcap_compile(p, &prog, expr, 1, PCAP_NETMASK_UNKNOWN) != 0) {
        fprintf(stderr, "pptp-sensor: bad capture filter for %s: %s\n", src, pcap_geterr(p));
        return SENSOR_EXIT_USAGE;
    }
    int rc = pcap_setfilter(p, &prog);
    pcap_freecode(&prog);
    if (rc != 0) {
        fprintf(stderr, "pptp-sensor: cannot set capture filter on %s: %s\n", src, pcap_geterr(p));
        return SENSOR_EXIT_FAILURE;
    }
    return 0;
}

static int read_loop(pcap_t *p, const char *src, const struct capture_hooks *h, volatile sig_atomic_t *stop,
                     struct capture_stats *st, bool live)
{
    int dlt = pcap_datalink(p);
    bool nano = pcap_get_tstamp_precision(p) == PCAP_TSTAMP_PRECISION_NANO;
    if (h->dlt_check && !h->dlt_check(h->user, dlt, src))
        return SENSOR_EXIT_USAGE;
    for (;;) {
        if (stop && *stop)
            return 0;
        struct pcap_pkthdr *hdr;
        const u_char *data;
        int rc = pcap_next_ex(p, &hdr, &data);
        if (rc == 1) {
            struct capture_packet pk = {
                .ts_ns = (uint64_t)hdr->ts.tv_sec * 1000000000ull + (uint64_t)hdr->ts.tv_usec * (nano ? 1u : 1000u),
                .dlt = dlt,
                .data = data,
                .caplen = hdr->caplen,
                .wirelen = hdr->len,
            };
            st->packets++;
            st->bytes += hdr->len;
            if (!h->packet(h->user, &pk))
                return 0;
        } else if (rc == 0) { /* live timeout */
            if (h->idle)
                h->idle(h->user);
        } else if (rc == PCAP_ERROR_BREAK) {
            return 0;
        } else {
            if (stop && *stop) /* a read interrupted by SIGINT/SIGTERM */
                return 0;
            if (live) {
                fprintf(stderr, "pptp-sensor: capture error on %s: %s\n", src, pcap_geterr(p));
                return SENSOR_EXIT_FAILURE;
            }
            fprintf(stderr, "pptp-sensor: %s: damaged capture file after %llu packets: %s\n", src,
                    (unsigned long long)st->packets, pcap_geterr(p));
            st->files_damaged++;
            return SENSOR_EXIT_DAMAGED_INPUT;
        }
    }
}

int capture_run(const struct sensor_config *cfg, const struct capture_hooks *hooks,
                volatile sig_atomic_t *stop, struct capture_stats *st)
{
    char err[PCAP_ERRBUF_SIZE];
    int worst = 0;
    if (cfg->interface) {
        pcap_t *p = pcap_create(cfg->interface, err);
        if (!p) {
            fprintf(stderr, "pptp-sensor: cannot open interface %s: %s\n", cfg->interface, err);
            return SENSOR_EXIT_FAILURE;
        }
        pcap_set_snaplen(p, cfg->snaplen);
        pcap_set_promisc(p, cfg->promisc);
        pcap_set_buffer_size(p, cfg->buffer_mb * 1024 * 1024);
        pcap_set_immediate_mode(p, 0);
        pcap_set_timeout(p, 200);
        pcap_set_tstamp_precision(p, PCAP_TSTAMP_PRECISION_NANO);
        int rc = pcap_activate(p);
        if (rc < 0) {
            fprintf(stderr, "pptp-sensor: cannot capture on %s: %s\n", cfg->interface, pcap_geterr(p));
            pcap_close(p);
            return SENSOR_EXIT_FAILURE;
        }
        rc = apply_filter(p, cfg, cfg->interface);
        if (hooks->handle_out)
            *hooks->handle_out = p;
        if (rc == 0 && !(stop && *stop))
            rc = read_loop(p, cfg->interface, hooks, stop, st, true);
        if (hooks->handle_out)
            *hooks->handle_out = NULL;
        struct pcap_stat ps;
        if (pcap_stats(p, &ps) == 0) {
            st->kernel_received = ps.ps_recv;
            st->kernel_dropped = ps.ps_drop;
            st->iface_dropped = ps.ps_ifdrop;
        }
        pcap_close(p);
        return rc;
    }
    for (int i = 0; i < cfg->n_read_files; i++) {
        if (stop && *stop)
            break;
        const char *f = cfg->read_files[i];
        pcap_t *p = pcap_open_offline_with_tstamp_precision(f, PCAP_TSTAMP_PRECISION_NANO, err);
        if (!p) {
            fprintf(stderr, "pptp-sensor: cannot read %s: %s\n", f, err);
            /* An unreadable header is a damaged input, not a usage error, unless the file is missing. */
            if (strstr(err, "No such file") || strstr(err, "Permission denied"))
                return SENSOR_EXIT_FAILURE;
            st->files_damaged++;
            worst = SENSOR_EXIT_DAMAGED_INPUT;
            continue;
        }
        st->files_read++;
        int rc = cfg->bpf ? apply_filter(p, cfg, f) : 0; /* offline: no default filter, the sensor sorts */
        if (rc == 0)
            rc = read_loop(p, f, hooks, stop, st, false);
        pcap_close(p);
        if (rc == SENSOR_EXIT_USAGE || rc == SENSOR_EXIT_FAILURE)
            return rc;
        if (rc > worst)
            worst = rc;
    }
    return worst;
}
