/*
 * test_sensor_external.c - the third-party captures in ../shared/pcaps/external/
 * produce the sessions a person reading them in Wireshark would expect.  Facts
 * were read with tshark (see ../shared/pcaps/external/README.md).  Each test skips
 * with a message when the capture is absent.
 */
#include <criterion/criterion.h>
#include <stdlib.h>
#include <string.h>

#include "sensor_run.h"
#include "test_env.h"

static const char *run_external(const char *name, char *events, size_t size)
{
    char pcap[4096];
    if (!external_pcap(name, pcap, sizeof pcap))
        return NULL;
    int st = sensor_run(pcap, "", name, events, size);
    cr_assert_eq(st, 0, "pptp-sensor exited %d on %s", st, name);
    return events;
}

#define EXTERNAL(name, ev)                                                                                      \
    char ev[4096];                                                                                          \
    if (!run_external(name, ev, sizeof ev))                                                                 \
        cr_skip_test("external capture %s absent (../shared/pcaps/external)", name)

static void expect_query(const char *events, const char *action, const char *fields, const char *want)
{
    char *got = sensor_query(events, action, fields);
    cr_expect_str_eq(got, want, "%s [%s]: got '%s' want '%s'", action, fields, got, want);
    free(got);
}

Test(external, packetlife_pap_session)
{
    EXTERNAL("packetlife__PPTP_negotiation.cap", ev);
    expect_query(ev, "control_connect", "pptp.ctrl.client.vendor event.outcome", "ixia|success\n");
    expect_query(ev, "call_established", "pptp.call.pns_call_id pptp.call.pac_call_id", "1|24\n");
    expect_query(ev, "auth_success", "pptp.auth.method user.name", "pap|ixia\n");
    expect_query(ev, "ipcp_negotiated", "pptp.ipcp.client_ip pptp.ipcp.server_ip", "17.1.1.122|17.1.1.118\n");
    expect_query(ev, "lcp_negotiated", "pptp.lcp.auth_protocol", "pap\n");
    cr_expect_eq(sensor_count(ev, "mppe_negotiated"), 0, "no encryption in this capture");
    cr_expect_eq(sensor_count(ev, "teardown"), 1);
}

Test(external, vpn_sniffer_mschapv2_mppe128)
{
    EXTERNAL("pptp_vpn_sniffer__connect.pcapng", ev);
    expect_query(ev, "call_established", "pptp.call.pns_call_id pptp.call.pac_call_id", "17611|0\n");
    expect_query(ev, "auth_success", "pptp.auth.method user.name", "mschapv2|jm\n");
    expect_query(ev, "mppe_negotiated", "pptp.mppe.key_bits pptp.mppe.stateless", "128|true\n");
    expect_query(ev, "ipcp_negotiated", "pptp.ipcp.client_ip pptp.ipcp.server_ip pptp.ipcp.dns",
                 "10.0.0.100|10.0.0.1|223.5.5.5,223.6.6.6\n");
    cr_expect_eq(sensor_count(ev, "auth_failure"), 0);
    /* the password (123) and the NT-Response never appear */
    char *all = read_file(ev, NULL);
    cr_assert_not_null(all);
    cr_expect_null(strstr(all, "\"123\""));
    free(all);
}

Test(external, john_lulu_mschapv2)
{
    EXTERNAL("john-samples__lulu-password-pptp.pcap", ev);
    expect_query(ev, "call_established", "pptp.call.pns_call_id pptp.call.pac_call_id", "2932|256\n");
    expect_query(ev, "auth_success", "pptp.auth.method user.name", "mschapv2|lulu\n");
    cr_expect_eq(sensor_count(ev, "mppe_negotiated"), 1);
}

Test(external, chapcrack_gre_only_partial_session)
{
    EXTERNAL("chapcrack__pptp.cap", ev);
    /* three GRE packets, no control channel: one partial session */
    expect_query(ev, "auth_success", "pptp.auth.method user.name pptp.partial", "mschapv2|moxie|true\n");
    cr_expect_eq(sensor_count(ev, "teardown"), 1);
    expect_query(ev, "teardown", "pptp.teardown.reason pptp.control_id", "sensor_shutdown|\n");
}

Test(external, asleap_80211_mschapv2_after_eap_offer)
{
    EXTERNAL("asleap__pptp.dump.pcap", ev);
    expect_query(ev, "call_established", "pptp.call.pns_call_id pptp.call.pac_call_id", "0|4\n");
    expect_query(ev, "auth_success", "pptp.auth.method user.name", "mschapv2|scott\n");
}

Test(external, zeek_gre_only_two_directions_one_session)
{
    EXTERNAL("zeek__gre-pptp.pcap", ev);
    cr_expect_eq(sensor_count(ev, "teardown"), 1, "both directions bind to one partial session");
    expect_query(ev, "teardown", "pptp.partial pptp.call.pac_call_id pptp.call.pns_call_id source.packets destination.packets",
                 "true|6016|17|1|1\n");
}

Test(external, suricata_gre_v0_is_not_pptp)
{
    EXTERNAL("suricata-verify__eth-ip-gre-ppp-max-ip-packet.pcap", ev);
    cr_expect_eq(sensor_count(ev, "*"), 1, "only the stats event");
    expect_query(ev, "stats", "pptp.stats.gre_v0_packets pptp.stats.gre_packets pptp.stats.sessions.total", "1024|0|0\n");
}

Test(external, tcpdump_call_ids_zero_and_duplicated_frames)
{
    EXTERNAL("tcpdump__pptp.pcap", ev);
    expect_query(ev, "call_established", "pptp.call.pns_call_id pptp.call.pac_call_id", "0|0\n");
    cr_expect_eq(sensor_count(ev, "control_connect"), 1);
}

Test(external, ndpi_control_lifecycle_ends_in_reset)
{
    EXTERNAL("ndpi__pptp.pcap", ev);
    expect_query(ev, "control_disconnect", "pptp.ctrl.reason", "tcp_reset\n");
    expect_query(ev, "call_established", "pptp.call.pns_call_id pptp.call.pac_call_id", "0|11755\n");
    cr_expect_eq(sensor_count(ev, "teardown"), 1);
}
