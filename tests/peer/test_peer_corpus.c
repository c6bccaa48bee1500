/*
 * test_peer_corpus.c - the sample-capture corpus in pcaps/ and pptp-peer's
 * synthesis mode:
 *   - every tests/peer/scenarios/NAME.scn regenerates pcaps/NAME.pcap byte
 *     for byte (and there is no pcap without a scenario);
 *   - tshark decodes every capture without a malformed packet or an error;
 *   - each capture shows what its scenario says (tshark fields), and the
 *     credentials on the wire verify with decoders/mschap_crypto.h against
 *     the scenario's passwords;
 *   - determinism (same seed, same bytes; another seed, other bytes),
 *     several sessions, and the scenario parser's error messages.
 */
#include <criterion/criterion.h>
#include <dirent.h>
#include <pcap/pcap.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "gre.h"
#include "ip_common.h"
#include "ipv4.h"
#include "link.h"
#include "mppe.h"
#include "mppe_crypto.h"
#include "mschap.h"
#include "mschap_crypto.h"
#include "ppp.h"
#include "peer_scenario.h"
#include "peer_synth.h"
#include "peer_util.h"
#include "pptp_ctrl.h"
#include "test_env.h"

/* ---- helpers ---------------------------------------------------------------------- */

static int cmp_str(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

/* Sorted names (without the extension) of the files in dir ending in ext. */
static int list_dir(const char *rel, const char *ext, char ***out)
{
    char dir[4096];
    source_path(rel, dir, sizeof dir);
    DIR *d = opendir(dir);
    cr_assert_not_null(d, "cannot open %s", dir);
    int n = 0, cap = 64;
    char **names = calloc((size_t)cap, sizeof *names);
    struct dirent *e;
    size_t el = strlen(ext);
    while ((e = readdir(d)) != NULL) {
        size_t l = strlen(e->d_name);
        if (l <= el || strcmp(e->d_name + l - el, ext))
            continue;
        cr_assert_lt(n, cap);
        names[n] = strndup(e->d_name, l - el);
        n++;
    }
    closedir(d);
    qsort(names, (size_t)n, sizeof *names, cmp_str);
    *out = names;
    return n;
}

static void free_list(char **l, int n)
{
    for (int i = 0; i < n; i++)
        free(l[i]);
    free(l);
}

static const char *pcap_path(const char *name, char *out, size_t size)
{
    char rel[512];
    snprintf(rel, sizeof rel, "pcaps/%s.pcap", name);
    return source_path(rel, out, size);
}

static void synth_to(const char *scn_rel, const char *out, uint64_t seed, bool seed_set, int sessions)
{
    char path[4096], err[512];
    source_path(scn_rel, path, sizeof path);
    scenario sc;
    cr_assert(scenario_load(&sc, path, err, sizeof err), "%s", err);
    synth_opts o;
    memset(&o, 0, sizeof o);
    o.out = out;
    o.seed = seed;
    o.seed_set = seed_set;
    o.sessions = sessions ? sessions : (sc.sessions ? sc.sessions : 1);
    o.concurrency = sc.concurrency ? sc.concurrency : o.sessions;
    synth_stats st;
    bool ok = synth_run(&sc, &o, &st, err, sizeof err);
    scenario_free(&sc);
    cr_assert(ok, "%s", err);
}

static void skip_without_tshark(void)
{
    if (!tshark_available())
        cr_skip_test("tshark not installed");
}

/* tshark -Y filter -e f1 -e f2 ... (flist separated by spaces); output fields
 * separated by '|', lines joined with ';'. */
static char *fields(const char *name, const char *filter, const char *flist)
{
    char path[4096];
    pcap_path(name, path, sizeof path);
    char tmp[512];
    snprintf(tmp, sizeof tmp, "%s", flist);
    const char *f[16];
    int n = 0;
    for (char *t = strtok(tmp, " "); t && n < 15; t = strtok(NULL, " "))
        f[n++] = t;
    f[n] = NULL;
    char *out = tshark_fields(path, filter, f);
    cr_assert_not_null(out, "tshark failed on %s", path);
    for (char *p = out; *p; p++)
        if (*p == '\n')
            *p = ';';
    return out;
}

static void expect_fields(const char *name, const char *filter, const char *flist, const char *want)
{
    char *got = fields(name, filter, flist);
    cr_expect_str_eq(got, want, "%s: -Y '%s' -e %s:\n  got  %s\n  want %s", name, filter, flist, got, want);
    free(got);
}

static int count(const char *name, const char *filter)
{
    char *out = fields(name, filter, "frame.number");
    int n = 0;
    for (char *p = out; *p; p++)
        n += *p == ';';
    free(out);
    return n;
}

/* ---- regeneration -------------------------------------------------------------------- */

Test(corpus, every_scenario_regenerates_its_pcap_byte_for_byte, .timeout = 300)
{
    char **scn, **pcaps;
    int ns = list_dir("tests/peer/scenarios", ".scn", &scn);
    int np = list_dir("pcaps", ".pcap", &pcaps);
    cr_assert_geq(ns, 22, "the corpus needs at least the 22 required captures");
    cr_assert_eq(ns, np, "%d scenarios but %d pcaps", ns, np);
    for (int i = 0; i < ns; i++) {
        cr_assert_str_eq(scn[i], pcaps[i], "scenario and pcap names differ");
        char rel[512], out[4096], want[4096];
        snprintf(rel, sizeof rel, "tests/peer/scenarios/%s.scn", scn[i]);
        char tmp[300];
        snprintf(tmp, sizeof tmp, "regen_%s.pcap", scn[i]);
        scratch_path(tmp, out, sizeof out);
        synth_to(rel, out, 0, false, 0);
        size_t la = 0, lb = 0;
        char *a = read_file(out, &la);
        char *b = read_file(pcap_path(scn[i], want, sizeof want), &lb);
        cr_assert_not_null(a);
        cr_assert_not_null(b, "missing %s", want);
        cr_expect(la == lb && !memcmp(a, b, la),
                  "%s differs from its scenario's output: run scripts/regen-pcaps.sh and review", want);
        free(a);
        free(b);
    }
    free_list(scn, ns);
    free_list(pcaps, np);
}

Test(corpus, deterministic_and_seeded)
{
    char a[4096], b[4096], c[4096];
    scratch_path("det_a.pcap", a, sizeof a);
    scratch_path("det_b.pcap", b, sizeof b);
    scratch_path("det_c.pcap", c, sizeof c);
    synth_to("tests/peer/scenarios/mschapv2_mppe128.scn", a, 77, true, 0);
    synth_to("tests/peer/scenarios/mschapv2_mppe128.scn", b, 77, true, 0);
    synth_to("tests/peer/scenarios/mschapv2_mppe128.scn", c, 78, true, 0);
    size_t la, lb, lc;
    char *pa = read_file(a, &la), *pb = read_file(b, &lb), *pc = read_file(c, &lc);
    cr_assert(la == lb && !memcmp(pa, pb, la), "same seed, same bytes");
    cr_assert(la != lc || memcmp(pa, pc, la), "another seed changes the capture");
    free(pa);
    free(pb);
    free(pc);
}

Test(corpus, sessions_and_concurrency)
{
    char out[4096];
    scratch_path("sessions.pcap", out, sizeof out);
    char path[4096], err[512];
    source_path("tests/peer/scenarios/pap.scn", path, sizeof path);
    scenario sc;
    cr_assert(scenario_load(&sc, path, err, sizeof err), "%s", err);
    synth_opts o = {.out = out, .sessions = 6, .concurrency = 3};
    synth_stats st;
    cr_assert(synth_run(&sc, &o, &st, err, sizeof err), "%s", err);
    scenario_free(&sc);
    cr_assert_eq(st.sessions_done, 6);
    cr_assert_eq(st.calls_up, 6);
    if (!tshark_available())
        return;
    const char *f[] = {"ip.src", NULL};
    char *s = tshark_fields(out, "tcp.flags.syn==1 && tcp.flags.ack==0", f);
    cr_assert_not_null(s);
    cr_assert_str_eq(s, "10.0.1.2\n10.0.1.3\n10.0.1.4\n10.0.1.5\n10.0.1.6\n10.0.1.7\n");
    free(s);
    const char *g[] = {"pap.peer_id", NULL};
    s = tshark_fields(out, "pap.code==1", g);
    cr_assert_str_eq(s, "bob\nbob\nbob\nbob\nbob\nbob\n");
    free(s);
}

/* ---- tshark: clean decode ---------------------------------------------------------------- */

/* tshark 4.0's PPTP dissector does not reassemble a message split across TCP
 * segments (and reads only the first message of a segment): in captures that
 * split messages on purpose PPTP is left out and everything else checked. */
static bool splits_messages(const char *name)
{
    return !strcmp(name, "tcp_split_and_coalesced");
}

Test(corpus, tshark_decodes_every_capture_cleanly, .timeout = 300)
{
    skip_without_tshark();
    char **names;
    int n = list_dir("pcaps", ".pcap", &names);
    for (int i = 0; i < n; i++) {
        char path[4096];
        pcap_path(names[i], path, sizeof path);
        int bad;
        if (splits_messages(names[i])) {
            char cmd[8192];
            snprintf(cmd, sizeof cmd,
                     "tshark -n --disable-protocol pptp -r '%s' -Y '_ws.malformed || _ws.expert.severity == error' "
                     "2>/dev/null | wc -l",
                     path);
            int st = 0;
            char *o = run_capture(cmd, &st);
            bad = o && st == 0 ? atoi(o) : -1;
            free(o);
        } else {
            bad = tshark_malformed_count(path);
        }
        cr_expect_eq(bad, 0, "%s: %d malformed/error packets", names[i], bad);
    }
    free_list(names, n);
}

/* ---- tshark: the facts of each capture ------------------------------------------------------ */

Test(corpus, facts_control_channel)
{
    skip_without_tshark();
    const char *t = "pptp.control_message_type";
    expect_fields("mschapv2_mppe128", "pptp", t, "1;2;7;8;15;12;13;3;4;");
    expect_fields("mschapv2_mppe128", "pptp.control_message_type==1", "pptp.host_name pptp.vendor_name",
                  "WIN-CLIENT|Microsoft;");
    expect_fields("incoming_call", "pptp", t, "1;2;9;10;11;13;3;4;");
    expect_fields("incoming_call", "pptp.control_message_type==13", "pptp.disc_result", "1;");
    expect_fields("call_id_reuse", "pptp.control_message_type==7 || pptp.control_message_type==8",
                  "pptp.control_message_type pptp.call_id pptp.peer_call_id", "7|5|;8|9|5;7|5|;8|9|5;");
    expect_fields("two_calls_one_control", "pptp.control_message_type==7", "pptp.call_id pptp.call_serial_number",
                  "16384|1;16385|2;");
    expect_fields("two_calls_one_control", "pptp.control_message_type==13", "pptp.disc_result", "4;3;");
    expect_fields("call_refused", "pptp", "pptp.control_message_type pptp.out_result", "1|;2|;7|;8|4;3|;4|;");
    expect_fields("chap_md5", "pptp.control_message_type==3", "pptp.reason", "3;");
    /* mid-stream: no handshake, no SCCRQ/OCRQ; echo and teardown seen */
    expect_fields("midstream_control", "pptp", t, "5;6;12;13;3;4;");
    cr_expect_eq(count("midstream_control", "tcp.flags.syn==1"), 0);
    cr_expect_eq(count("midstream_gre_only", "tcp"), 0);
    cr_expect_eq(count("midstream_gre_only", "gre"), count("midstream_gre_only", "frame"));
    /* TCP faults */
    cr_expect_geq(count("tcp_reorder_retransmit", "tcp.analysis.retransmission"), 2);
    cr_expect_geq(count("tcp_reorder_retransmit", "tcp.analysis.out_of_order"), 1);
    cr_expect_geq(count("tcp_gap", "tcp.analysis.ack_lost_segment"), 1);
    cr_expect_eq(count("tcp_gap", "pptp.control_message_type==8"), 0, "the OCRP is the missing segment");
    cr_expect_eq(count("tcp_split_and_coalesced", "tcp.dstport==1723 && tcp.len==10"), 15,
                 "SCCRQ in 10-byte pieces");
    cr_expect_eq(count("tcp_split_and_coalesced", "tcp.srcport==1723 && tcp.len==100"), 1);
    cr_expect_eq(count("tcp_split_and_coalesced", "tcp.dstport==1723 && tcp.len==352"), 1,
                 "Echo-Request + 2 OCRQ in one segment");
    cr_expect_eq(count("tcp_split_and_coalesced", "tcp.srcport==1723 && tcp.len==84"), 1,
                 "Echo-Reply + 2 OCRP in one segment");
    cr_expect_eq(count("rst_teardown", "tcp.flags.reset==1"), 1);
    cr_expect_eq(count("rst_teardown", "pptp.control_message_type==13"), 0);
    expect_fields("multi_session", "tcp.flags.syn==1 && tcp.flags.ack==0", "ip.src",
                  "10.0.27.2;10.0.27.3;10.0.27.4;10.0.27.5;");
}

Test(corpus, facts_ppp)
{
    skip_without_tshark();
    expect_fields("mschapv2_mppe128", "chap.code==2", "chap.name", "CORP\\alice;");
    expect_fields("mschapv2_mppe128", "ccp && ppp.code==2", "ccp.opt.supported_bits", "0x01000040;0x01000040;");
    expect_fields("mschapv2_mppe128", "ipcp && ppp.code==3",
                  "ipcp.opt.ip_address ipcp.opt.pri_dns_address ipcp.opt.sec_dns_address",
                  "192.168.100.10|8.8.8.8|8.8.4.4;");
    cr_expect_eq(count("mschapv2_mppe128", "ppp.protocol==0x00fd"), 46, "20 + 3 pings, encrypted");
    expect_fields("pap", "pap.code==1", "pap.peer_id pap.password", "bob|pap-pass;");
    expect_fields("chap_md5", "chap.code==2", "chap.name", "carol;");
    expect_fields("chap_md5", "chap.code==1", "chap.name", "rtr1;");
    expect_fields("mschapv1", "chap.code==2", "chap.name", "WORKGROUP\\dave;");
    expect_fields("mschapv1", "ccp && ppp.code==2", "ccp.opt.supported_bits", "0x00000020;0x00000020;");
    expect_fields("auth_fail_retry_success", "chap", "chap.code chap.identifier", "1|212;2|212;4|212;2|213;3|213;");
    expect_fields("auth_fail_teardown", "chap.code==4", "chap.message",
                  "E=691 R=0 C=E635DC152D03F9D56C4E49DE42758EC4 V=3 M=Authentication failed;");
    expect_fields("auth_fail_teardown", "lcp", "ppp.code", "1;1;2;2;5;6;");
    cr_expect_eq(count("auth_fail_teardown", "ccp || ipcp || ppp.protocol==0x00fd"), 0);
    expect_fields("eap_md5", "eap", "eap.code eap.identity", "1|;2|wendy;1|;2|;3|;");
    expect_fields("mppe_stateful_reset", "ccp && (ppp.code==14 || ppp.code==15)", "ppp.code", "14;15;");
    expect_fields("lcp_nak_reject", "lcp.opt.auth_protocol && ppp.code==3", "lcp.opt.auth_protocol lcp.opt.algorithm",
                  "0xc223|129;");
    expect_fields("lcp_nak_reject", "lcp && ppp.code==3 && lcp.opt.mru", "lcp.opt.mru", "1300;");
    cr_expect_eq(count("lcp_nak_reject", "lcp && ppp.code==4 && lcp.opt.callback"), 1);
    cr_expect_eq(count("lcp_nak_reject", "lcp && ppp.code==8"), 1, "IPV6CP Protocol-Reject");
    expect_fields("two_calls_one_control", "ipcp && ppp.code==3", "ipcp.opt.ip_address",
                  "192.168.60.10;192.168.60.11;");
    /* ACFC/PFC: IP frames without address/control and a one-byte protocol */
    cr_expect_eq(count("acfc_pfc", "ppp.protocol==0x21 && !ppp.address"), 12);
    cr_expect_eq(count("acfc_pfc", "ppp.protocol==0x21 && ppp.address"), 0);
    cr_expect_eq(count("acfc_pfc", "lcp && !ppp.address"), 0, "LCP is never compressed");
    cr_expect_eq(count("acfc_pfc", "tcp.flags.syn==1 && tcp.options.mss_val==1360"), 4, "inner SYN and SYN-ACK");
    cr_expect_eq(count("mschapv2_mppe128", "ppp.protocol==0x21 && !ppp.address"), 0);
}

Test(corpus, facts_gre_and_link)
{
    skip_without_tshark();
    /* fragmentation: 10 big GRE packets (4 pings each way, 2 UDP), each in 3
     * fragments (2 with More Fragments); small ones whole */
    cr_expect_eq(count("gre_fragmented", "ip.flags.mf==1"), 20);
    cr_expect_eq(count("gre_fragmented", "ip.fragment.count==3 && gre"), 10, "reassembled into GRE");
    cr_expect_eq(count("gre_fragmented", "gre && !ip.fragment"), 23, "negotiation and small pings: whole");
    /* sequence numbers wrap, losses, reordering, duplicates, ack-only */
    cr_expect_geq(count("gre_loss_reorder_wrap", "gre.sequence_number==4294967295"), 2);
    cr_expect_geq(count("gre_loss_reorder_wrap", "gre.sequence_number==0"), 2);
    cr_expect_geq(count("gre_loss_reorder_wrap", "gre.flags.sequence_number==0"), 2);
    expect_fields("gre_loss_reorder_wrap", "ip.src==10.0.15.1 && gre.sequence_number>=2 && gre.sequence_number<=4",
                  "gre.sequence_number", "3;2;4;");
    expect_fields("gre_loss_reorder_wrap", "ip.src==10.0.15.2 && gre.sequence_number==1", "gre.sequence_number",
                  "1;1;");
    cr_expect_eq(count("gre_loss_reorder_wrap", "ip.src==10.0.15.2 && gre.sequence_number==4294967293"), 0,
                 "lost before the capture point");
    /* link framing */
    cr_expect_eq(count("vlan", "vlan.id==100"), count("vlan", "frame"));
    cr_expect_gt(count("sll", "sll.pkttype==0"), 0);
    cr_expect_gt(count("sll", "sll.pkttype==4"), 0);
    cr_expect_eq(count("sll", "sll"), count("sll", "frame"));
    cr_expect_eq(count("ipv6_outer", "ipv6"), count("ipv6_outer", "frame"));
    expect_fields("ipv6_outer", "tcp.flags.syn==1 && tcp.flags.ack==0", "ipv6.src ipv6.dst",
                  "2001:db8:20::2|2001:db8:20::1;");
    cr_expect_eq(count("ipv6_outer", "ipv6.fraghdr && ipv6.fraghdr.more==1"), 4,
                 "1300-byte pings over an IPv6 path MTU of 1280: Fragment headers");
    cr_expect_eq(count("ipv6_outer", "ipv6.fragment.count==2 && gre"), 4);
    cr_expect_gt(count("ipv6_outer", "ipv6cp"), 0);
}

Test(corpus, idle_call_is_silent_for_more_than_30_minutes)
{
    skip_without_tshark();
    char *g = fields("idle_timeout", "gre", "frame.time_relative");
    char *d = fields("idle_timeout", "pptp.control_message_type==13", "frame.time_relative");
    /* last GRE packet */
    char *last = NULL;
    for (char *t = strtok(g, ";"); t; t = strtok(NULL, ";"))
        last = t;
    cr_assert_not_null(last);
    double silent = atof(d) - atof(last);
    cr_expect_geq(silent, 1800.0, "GRE silent %.0f s before the CDN", silent);
    free(g);
    free(d);
    cr_expect_eq(count("idle_timeout", "pptp.control_message_type==5"), 1, "one control echo meanwhile");
}

/* ---- credentials on the wire verify with the scenario's passwords ------------------------- */

typedef struct chap_row {
    int code, id;
    uint8_t value[64];
    size_t vlen;
    char name[128];
    char message[256];
} chap_row;

static int chap_rows(const char *pcap, chap_row *rows, int max)
{
    char *s = fields(pcap, "chap", "chap.code chap.identifier chap.value chap.name chap.message");
    int n = 0;
    char *save = NULL;
    for (char *line = strtok_r(s, ";", &save); line && n < max; line = strtok_r(NULL, ";", &save)) {
        chap_row *r = &rows[n++];
        memset(r, 0, sizeof *r);
        char *f[5] = {0};
        int k = 0;
        char *p = line;
        f[k++] = p;
        while (*p && k < 5) {
            if (*p == '|') {
                *p = '\0';
                f[k++] = p + 1;
            }
            p++;
        }
        r->code = atoi(f[0]);
        r->id = f[1] ? atoi(f[1]) : 0;
        if (f[2] && *f[2]) {
            r->vlen = strlen(f[2]) / 2;
            cr_assert(hex_parse(f[2], strlen(f[2]), r->value, r->vlen));
        }
        snprintf(r->name, sizeof r->name, "%s", f[3] ? f[3] : "");
        snprintf(r->message, sizeof r->message, "%s", f[4] ? f[4] : "");
    }
    free(s);
    return n;
}

static void set_pw(secret *s, const char *pw)
{
    secret_set(s, (const uint8_t *)pw, strlen(pw));
}

static mschap_crypto *cx;

static void crypto_init(void)
{
    cx = mschap_crypto_new();
    cr_assert_not_null(cx);
    if (!mschap_crypto_has_legacy(cx))
        cr_skip_test("OpenSSL legacy provider (MD4/DES) not available");
}

static void crypto_fini(void)
{
    mschap_crypto_free(cx);
}

Test(credentials, mschapv2_nt_response_and_authenticator_verify, .init = crypto_init, .fini = crypto_fini)
{
    skip_without_tshark();
    chap_row r[8];
    int n = chap_rows("mschapv2_mppe128", r, 8);
    cr_assert_eq(n, 3);
    cr_assert_eq(r[0].code, 1);
    cr_assert_eq(r[0].vlen, 16);
    cr_assert_eq(r[1].code, 2);
    mschapv2_response resp;
    cr_assert(mschapv2_response_parse(r[1].value, r[1].vlen, &resp, NULL));
    secret pw;
    set_pw(&pw, "s3cret");
    bool match = false;
    cr_assert_eq(mschapv2_verify(cx, r[0].value, resp.peer_challenge, r[1].name, &pw, resp.nt_response, &match),
                 MSCHAP_CRYPTO_OK);
    cr_expect(match, "NT-Response verifies against the scenario's password");
    /* the Success message's S= is the right authenticator response */
    mschapv2_success s;
    cr_assert_eq(mschapv2_success_parse((const uint8_t *)r[2].message, strlen(r[2].message), &s, NULL), DEC_OK);
    mschap_hash h;
    cr_assert_eq(mschap_nt_password_hash(cx, &pw, &h), MSCHAP_CRYPTO_OK);
    match = false;
    cr_assert_eq(mschapv2_check_authenticator_response(cx, &h, resp.nt_response, resp.peer_challenge, r[0].value,
                                                       "alice", 5, s.auth_response, &match),
                 MSCHAP_CRYPTO_OK);
    cr_expect(match, "S= verifies");
    set_pw(&pw, "S3cret");
    cr_assert_eq(mschapv2_verify(cx, r[0].value, resp.peer_challenge, r[1].name, &pw, resp.nt_response, &match),
                 MSCHAP_CRYPTO_OK);
    cr_expect_not(match, "a wrong password does not verify");
}

Test(credentials, retry_uses_the_challenge_from_the_failure, .init = crypto_init, .fini = crypto_fini)
{
    skip_without_tshark();
    chap_row r[8];
    int n = chap_rows("auth_fail_retry_success", r, 8);
    cr_assert_eq(n, 5);
    secret right, wrong;
    set_pw(&right, "right-one");
    set_pw(&wrong, "wrong-one");
    mschapv2_response r1, r2;
    cr_assert(mschapv2_response_parse(r[1].value, r[1].vlen, &r1, NULL));
    cr_assert(mschapv2_response_parse(r[3].value, r[3].vlen, &r2, NULL));
    bool m = false;
    mschapv2_verify(cx, r[0].value, r1.peer_challenge, r[1].name, &wrong, r1.nt_response, &m);
    cr_expect(m, "first attempt: the wrong password");
    mschapv2_verify(cx, r[0].value, r1.peer_challenge, r[1].name, &right, r1.nt_response, &m);
    cr_expect_not(m);
    mschap_failure f;
    cr_assert_eq(mschap_failure_parse((const uint8_t *)r[2].message, strlen(r[2].message), &f, NULL), DEC_OK);
    cr_expect_eq(f.error, 691);
    cr_expect_eq(f.retry, 1);
    cr_assert_eq(f.challenge_len, 16);
    mschapv2_verify(cx, f.challenge, r2.peer_challenge, r[3].name, &right, r2.nt_response, &m);
    cr_expect(m, "second attempt answers the Failure's C= challenge with the right password");
    cr_expect_eq(r[3].id, r[2].id + 1, "Identifier + 1");
}

Test(credentials, mschapv1_and_chap_md5_verify, .init = crypto_init, .fini = crypto_fini)
{
    skip_without_tshark();
    chap_row r[8];
    int n = chap_rows("mschapv1", r, 8);
    cr_assert_eq(n, 3);
    mschapv1_response v1;
    cr_assert(mschapv1_response_parse(r[1].value, r[1].vlen, &v1, NULL));
    cr_assert_eq(r[0].vlen, 8);
    secret pw;
    set_pw(&pw, "Passw0rd");
    bool m = false;
    cr_assert_eq(mschapv1_verify(cx, r[0].value, &pw, v1.lm_response, v1.nt_response, true, &m), MSCHAP_CRYPTO_OK);
    cr_expect(m, "MS-CHAPv1 NT-Response");

    n = chap_rows("chap_md5", r, 8);
    cr_assert_eq(n, 3);
    set_pw(&pw, "chap-secret");
    m = false;
    cr_assert_eq(chap_md5_verify(cx, (uint8_t)r[1].id, &pw, r[0].value, r[0].vlen, r[1].value, r[1].vlen, &m),
                 MSCHAP_CRYPTO_OK);
    cr_expect(m, "CHAP-MD5 response");
}

/* Decrypt every MPPE frame of a capture with keys derived from its own
 * MS-CHAP exchange and the scenario's password: each must give an IPv4
 * packet (protocol 0x21) with a valid header checksum. */
typedef struct mppe_walk {
    mppe_state st[2]; /* [0] client to server, [1] server to client */
    uint32_t client_ip;
    int ok, bad, frames;
} mppe_walk;

static void mppe_walk_pcap(const char *name, mppe_walk *w)
{
    char path[4096], err[PCAP_ERRBUF_SIZE];
    pcap_t *p = pcap_open_offline(pcap_path(name, path, sizeof path), err);
    cr_assert_not_null(p, "%s", err);
    struct pcap_pkthdr *h;
    const u_char *d;
    while (pcap_next_ex(p, &h, &d) == 1) {
        cursor c, l3, l4, pl, info, enc;
        cursor_init(&c, d, h->caplen);
        struct link_info li;
        struct ipv4_hdr ip;
        struct gre_hdr g;
        struct ppp_frame f;
        struct mppe_hdr m;
        if (link_decode(pcap_datalink(p), &c, &li, &l3, NULL) != DEC_OK || li.next_proto != 0x0800 ||
            ipv4_decode(&l3, &ip, &l4, NULL) != DEC_OK || ip.proto != IP_PROTO_GRE || ip.is_fragment ||
            gre_decode(&l4, &g, &pl, NULL) != DEC_OK || ppp_decode(&pl, &f, &info, NULL) != DEC_OK ||
            f.protocol != PPP_PROTO_COMP || mppe_decode(&info, &m, &enc, NULL) != DEC_OK)
            continue;
        w->frames++;
        uint8_t plain[2048];
        size_t n = cursor_len(&enc);
        int dir = ip.src == w->client_ip ? 0 : 1;
        if (n > sizeof plain ||
            mppe_decrypt(cx, &w->st[dir], m.coherency_count, m.flushed, cursor_data(&enc), n, plain) != MPPE_OK) {
            w->bad++;
            continue;
        }
        size_t k = plain[0] == 0x21 ? 1 : 2; /* PFC or not */
        cursor ic, ipl;
        cursor_init_exact(&ic, plain + k, n - k);
        struct ipv4_hdr inner;
        bool good = (k == 1 || (plain[0] == 0 && plain[1] == 0x21)) && ipv4_decode(&ic, &inner, &ipl, NULL) == DEC_OK &&
                    inner.checksum_ok;
        if (good)
            w->ok++;
        else
            w->bad++;
    }
    pcap_close(p);
}

Test(credentials, mppe_v2_traffic_decrypts_from_the_capture, .init = crypto_init, .fini = crypto_fini)
{
    skip_without_tshark();
    chap_row r[8];
    cr_assert_eq(chap_rows("mschapv2_mppe128", r, 8), 3);
    mschapv2_response resp;
    cr_assert(mschapv2_response_parse(r[1].value, r[1].vlen, &resp, NULL));
    secret pw;
    set_pw(&pw, "s3cret");
    mppe_key c2s, s2c;
    cr_assert_eq(mppe_start_keys_from_mschapv2(cx, &pw, resp.nt_response, 128, &c2s, &s2c), MPPE_OK);
    mppe_walk w;
    memset(&w, 0, sizeof w);
    cr_assert_eq(mppe_state_init(cx, &w.st[0], &c2s, 128, true), MPPE_OK);
    cr_assert_eq(mppe_state_init(cx, &w.st[1], &s2c, 128, true), MPPE_OK);
    w.client_ip = 0x0a000002;
    mppe_walk_pcap("mschapv2_mppe128", &w);
    cr_expect_eq(w.frames, 46);
    cr_expect_eq(w.ok, 46, "decrypted %d of %d (%d bad)", w.ok, w.frames, w.bad);
}

Test(credentials, mppe_v1_stateful_40_decrypts_from_the_capture, .init = crypto_init, .fini = crypto_fini)
{
    skip_without_tshark();
    chap_row r[8];
    cr_assert_eq(chap_rows("mschapv1", r, 8), 3);
    secret pw;
    set_pw(&pw, "Passw0rd");
    mppe_key k;
    cr_assert_eq(mppe_v1_start_key(cx, &pw, r[0].value, 40, &k), MPPE_OK);
    mppe_walk w;
    memset(&w, 0, sizeof w);
    cr_assert_eq(mppe_state_init(cx, &w.st[0], &k, 40, false), MPPE_OK);
    cr_assert_eq(mppe_state_init(cx, &w.st[1], &k, 40, false), MPPE_OK);
    w.client_ip = 0x0a000302;
    mppe_walk_pcap("mschapv1", &w);
    cr_expect_eq(w.frames, 16);
    cr_expect_eq(w.ok, 16, "decrypted %d of %d (%d bad)", w.ok, w.frames, w.bad);
}

/* ---- scenario language ----------------------------------------------------------------------- */

static void expect_parse_error(const char *text, const char *want)
{
    scenario sc;
    char err[512];
    cr_assert_not(scenario_parse(&sc, "t.scn", text, err, sizeof err), "parsed: %s", text);
    cr_expect(strstr(err, want) != NULL, "error '%s' does not contain '%s'", err, want);
}

Test(scenario, errors_name_file_and_line)
{
    expect_parse_error("seed 1\nfrobnicate\n", "t.scn:2: unknown keyword 'frobnicate'");
    expect_parse_error("call outgoing\nseed 2\n", "t.scn:2: setting 'seed' after the first action");
    expect_parse_error("mppe 128\nauth pap\nuser a password b\n", "MPPE needs MS-CHAP");
    expect_parse_error("auth mschapv2\n", "authentication needs a 'user' line");
    expect_parse_error("data icmp lots\n", "bad number 'lots'");
    expect_parse_error("idle forever\n", "bad duration");
    expect_parse_error("batch\ncall outgoing\n", "batch without end");
    expect_parse_error("client 10.0.0.300 server 10.0.0.1\n", "bad IPv4 address");
    expect_parse_error("call outgoing\ngre server seq-start 5\n", "put it before the first action");
    expect_parse_error("lcp client reject bogus\n", "unknown LCP option 'bogus'");
    expect_parse_error("hangup nobody\n", "needs 'client' or 'server'");
}

Test(scenario, settings_reach_the_engines)
{
    const char *text = "# comment\n"
                       "seed 42\n"
                       "client 2001:db8::5 server 2001:db8::1\n"
                       "user alice password \"pass word\" domain CORP\n"
                       "attempts bad \"pass word\"\n"
                       "auth mschapv2 retries 1\n"
                       "mppe 56 stateful exact\n"
                       "ipcp client 10.9.0.2 server 10.9.0.1 dns 1.1.1.1 wins 10.9.0.53\n"
                       "lcp client mru 1300 pfc acfc\n"
                       "lcp server reject callback,mrru max-mru 1400\n"
                       "gre client seq-start 0xfffffff0 ack-delay 50ms\n"
                       "vlan 10 20\n"
                       "link sll\n"
                       "call @x outgoing id 5 peer-id 9 expect up\n"
                       "data @x icmp 3 size 1000 from server interval 1s\n"
                       "hangup @x server cdn 1 lcp \"Session timeout\"\n";
    scenario sc;
    char err[512];
    cr_assert(scenario_parse(&sc, "t.scn", text, err, sizeof err), "%s", err);
    cr_expect_eq(sc.seed, 42);
    cr_expect(sc.net.ipv6);
    cr_expect_eq(sc.net.link, PNET_LINK_SLL);
    cr_expect_eq(sc.net.n_vlans, 2);
    cr_expect_str_eq(sc.ppp[SIDE_CLIENT].login, "CORP\\alice");
    cr_expect_eq(sc.ppp[SIDE_CLIENT].n_attempts, 2);
    cr_expect_str_eq(sc.ppp[SIDE_CLIENT].attempts[1], "pass word");
    cr_expect_str_eq(sc.ppp[SIDE_SERVER].users[0].password, "pass word");
    cr_expect_eq(sc.ppp[SIDE_SERVER].auth_retries, 1);
    cr_expect_eq(sc.ppp[SIDE_SERVER].mppe_bits, 56);
    cr_expect_not(sc.ppp[SIDE_CLIENT].mppe_stateless);
    cr_expect_not(sc.ppp[SIDE_CLIENT].mppe_offer_all);
    cr_expect_eq(sc.ppp[SIDE_SERVER].ip_assign, 0x0a090002);
    cr_expect_eq(sc.ppp[SIDE_SERVER].nbns[0], 0x0a090035);
    cr_expect(sc.ppp[SIDE_CLIENT].req_dns && sc.ppp[SIDE_CLIENT].req_nbns);
    cr_expect_eq(sc.ppp[SIDE_CLIENT].mru, 1300);
    cr_expect_eq(sc.ppp[SIDE_SERVER].reject_opts, (1u << 13) | (1u << 17));
    cr_expect_eq(sc.gre[SIDE_CLIENT].seq_start, 0xfffffff0u);
    cr_expect_eq(sc.gre[SIDE_CLIENT].ack_delay, 50 * PT_MS);
    cr_assert_eq(sc.n_dirs, 3);
    cr_expect_str_eq(sc.dirs[0].call, "x");
    cr_expect_eq(sc.dirs[0].id, 5);
    cr_expect_eq(sc.dirs[0].peer_id, 9);
    cr_expect_eq(sc.dirs[1].side, SIDE_SERVER);
    cr_expect_eq(sc.dirs[1].interval, PT_SEC);
    cr_expect_eq(sc.dirs[2].result, 1);
    cr_expect(sc.dirs[2].lcp);
    cr_expect_str_eq(sc.dirs[2].text, "Session timeout");
    scenario_free(&sc);
}

Test(scenario, stalls_are_reported_with_the_line)
{
    /* the server refuses the call, but the script expects data on it */
    const char *text = "ctrl server call-result 4\n"
                       "call outgoing\n"
                       "data icmp 1\n";
    scenario sc;
    char err[512];
    cr_assert(scenario_parse(&sc, "s.scn", text, err, sizeof err), "%s", err);
    synth_opts o = {.sessions = 1, .concurrency = 1};
    cr_expect_not(synth_run(&sc, &o, NULL, err, sizeof err));
    cr_expect(strstr(err, "s.scn:3: call c1 is not up") != NULL, "%s", err);
    scenario_free(&sc);

    text = "call outgoing expect auth-fail\n";
    cr_assert(scenario_parse(&sc, "e.scn", text, err, sizeof err), "%s", err);
    cr_expect_not(synth_run(&sc, &o, NULL, err, sizeof err));
    cr_expect(strstr(err, "e.scn:1: call c1 ended up, expected auth-fail") != NULL, "%s", err);
    scenario_free(&sc);
}
