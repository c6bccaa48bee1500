/*
 * test_detect_external.c - the third-party captures in ../shared/pcaps/external/
 * raise only the alerts they deserve.  Run through the pptp-sensor program;
 * each test skips with a message when its capture is absent.
 *
 * Outcomes (docs/alerts.md "External captures"):
 *   packetlife PAP session      pptp.weak.pap and pptp.weak.no_encryption (warning):
 *                               PAP password in the clear, ICMP inside without MPPE;
 *                               the teardown lists ICMP as the inner protocol
 *   vpn_sniffer, john lulu,     pptp.weak.mschapv2 at info only (clean MS-CHAPv2 with
 *   chapcrack, asleap           MPPE-128); asleap's EAP offer Naked to MS-CHAPv2 is no
 *                               downgrade, its 802.11 retries are no replay
 *   ndpi, tcpdump               nothing (control channel only / duplicated frames)
 *   zeek GRE-only DNS           pptp.weak.no_encryption (cleartext DNS in the tunnel)
 *   suricata GRE v0             nothing: not PPTP
 */
#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sensor_run.h"
#include "test_env.h"

static const char *run(const char *name, char *events, size_t size)
{
    char pcap[4096];
    if (!external_pcap(name, pcap, sizeof pcap))
        return NULL;
    char tag[300];
    snprintf(tag, sizeof tag, "detect-%s", name);
    int st = sensor_run(pcap, "", tag, events, size);
    cr_assert_eq(st, 0, "pptp-sensor exited %d on %s", st, name);
    return events;
}

#define EXTERNAL(name, ev)                                                                                      \
    char ev[4096];                                                                                          \
    if (!run(name, ev, sizeof ev))                                                                          \
    cr_skip_test("external capture %s absent (../shared/pcaps/external)", name)

/* "rule.id|log.level" of every alert, one per line, in order. */
static char *alerts(const char *events)
{
    char *all = sensor_query(events, "*", "event.kind rule.id log.level");
    /* keep the alert lines, without the kind */
    char *out = calloc(1, strlen(all) + 1), *o = out;
    for (char *line = strtok(all, "\n"); line; line = strtok(NULL, "\n"))
        if (!strncmp(line, "alert|", 6))
            o += sprintf(o, "%s\n", line + 6);
    free(all);
    return out;
}

static void expect_alerts(const char *events, const char *want)
{
    char *got = alerts(events);
    cr_expect_str_eq(got, want, "alerts:\n%s\nwant:\n%s", got, want);
    free(got);
}

Test(detect_external, packetlife_pap_cleartext)
{
    EXTERNAL("packetlife__PPTP_negotiation.cap", ev);
    expect_alerts(ev, "pptp.weak.pap|warning\npptp.weak.no_encryption|warning\n");
    char *td = sensor_query(ev, "teardown", "pptp.inner.protocols pptp.inner.flows");
    cr_expect_str_eq(td, "ICMP|1\n");
    free(td);
    char *all = read_file(ev, NULL);
    cr_expect_not_null(strstr(all, "cleartext"));
    free(all);
}

Test(detect_external, clean_mschapv2_sessions_stay_informational)
{
    static const char *const names[] = {"pptp_vpn_sniffer__connect.pcapng", "john-samples__lulu-password-pptp.pcap",
                                        "chapcrack__pptp.cap", "asleap__pptp.dump.pcap"};
    int ran = 0;
    for (size_t i = 0; i < sizeof names / sizeof names[0]; i++) {
        char ev[4096];
        if (!run(names[i], ev, sizeof ev))
            continue;
        ran++;
        expect_alerts(ev, "pptp.weak.mschapv2|info\n");
        cr_expect_eq(sensor_count(ev, "ip_fragmented") + sensor_count(ev, "mru_exceeded"), 0, "%s", names[i]);
    }
    if (!ran)
        cr_skip_test("external captures absent (../shared/pcaps/external)");
}

Test(detect_external, control_only_and_duplicated_captures_raise_nothing)
{
    static const char *const names[] = {"ndpi__pptp.pcap", "tcpdump__pptp.pcap",
                                        "suricata-verify__eth-ip-gre-ppp-max-ip-packet.pcap"};
    int ran = 0;
    for (size_t i = 0; i < sizeof names / sizeof names[0]; i++) {
        char ev[4096];
        if (!run(names[i], ev, sizeof ev))
            continue;
        ran++;
        expect_alerts(ev, "");
    }
    if (!ran)
        cr_skip_test("external captures absent (../shared/pcaps/external)");
}

Test(detect_external, zeek_gre_only_cleartext_dns)
{
    EXTERNAL("zeek__gre-pptp.pcap", ev);
    expect_alerts(ev, "pptp.weak.no_encryption|warning\n");
    char *td = sensor_query(ev, "teardown", "pptp.inner.flows");
    cr_expect_str_eq(td, "1\n");
    free(td);
    td = sensor_query(ev, "teardown", "pptp.inner.protocols");
    cr_expect_not_null(strstr(td, "DNS"), "inner protocols: %s", td);
    free(td);
}
