/*
 * test_detect_corpus.c - the generated sample captures in pcaps/ (pptp-peer
 * scenarios, see pcaps/README.md) raise exactly the alerts and fragmentation
 * events their scenarios deserve, through the pptp-sensor program.  A capture
 * missing from the tree is skipped with a message.
 *
 * What each capture deserves (docs/alerts.md):
 *   - PAP, CHAP-MD5, EAP-MD5 sessions: their weak-authentication rule, and
 *     pptp.weak.no_encryption since they carry pings without MPPE;
 *   - MS-CHAPv2 with 128-bit MPPE: only the informational pptp.weak.mschapv2;
 *     stateful MPPE adds pptp.weak.mppe_stateful (notice);
 *   - MS-CHAPv1 / 56-bit scenarios: the client offered 128-bit keys and the
 *     server Naked to 40/56: pptp.downgrade.mppe and pptp.weak.mppe_key_length;
 *   - capture artefacts (TCP gaps, reordering, retransmissions, GRE loss and
 *     wrap, mid-stream pickups, two PNSs holding the same PAC Call ID) raise no
 *     alert; path-MTU scenarios raise ip_fragmented once per session.
 */
#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sensor_run.h"
#include "test_env.h"

static const struct {
    const char *pcap;
    const char *want; /* "rule.id or frag action" with "xN" for N > 1, sorted, space separated */
} corpus[] = {
    {"mschapv2_mppe128", "pptp.weak.mschapv2"},
    {"pap", "pptp.weak.no_encryption pptp.weak.pap"},
    {"chap_md5", "pptp.weak.chap_md5 pptp.weak.no_encryption"},
    {"eap_md5", "pptp.weak.eap_md5 pptp.weak.no_encryption"},
    {"mschapv1", "pptp.downgrade.mppe pptp.weak.mppe_key_length pptp.weak.mppe_stateful pptp.weak.mschapv1"},
    {"mppe_stateful_reset", "pptp.downgrade.mppe pptp.weak.mppe_key_length pptp.weak.mppe_stateful pptp.weak.mschapv2"},
    {"auth_fail_retry_success", "pptp.weak.mppe_stateful pptp.weak.mschapv2"},
    {"auth_fail_teardown", ""},
    {"call_refused", ""},
    {"two_calls_one_control", "pptp.weak.mschapv2x2"},
    {"multi_session", "pptp.weak.mschapv2x4"},
    {"incoming_call", "pptp.weak.mschapv2"},
    {"lcp_nak_reject", "pptp.weak.mschapv2"},
    {"gre_fragmented", "ip_fragmented pptp.weak.mschapv2"},
    {"ipv6_outer", "ip_fragmented pptp.weak.mschapv2"},
    {"gre_loss_reorder_wrap", "pptp.weak.mschapv2"},
    {"idle_timeout", "pptp.weak.mschapv2"},
    {"rst_teardown", "pptp.weak.mschapv2"},
    {"midstream_control", ""},
    {"midstream_gre_only", ""},
    {"vlan", "pptp.weak.mschapv2"},
    {"sll", "pptp.weak.mschapv2"},
    {"acfc_pfc", "pptp.weak.chap_md5 pptp.weak.no_encryption"},
    {"call_id_reuse", "pptp.weak.chap_md5x2 pptp.weak.no_encryptionx2"},
    {"tcp_gap", "pptp.weak.chap_md5 pptp.weak.no_encryption"},
    {"tcp_reorder_retransmit", "pptp.weak.chap_md5 pptp.weak.no_encryption"},
    {"tcp_split_and_coalesced", "pptp.weak.no_encryptionx2 pptp.weak.papx2"},
};

static int cmp(const void *a, const void *b) { return strcmp(*(const char *const *)a, *(const char *const *)b); }

/* The sorted summary of alerts (rule ids) and fragmentation events (actions). */
static void summary(const char *events, char *out, size_t size)
{
    char *q = sensor_query(events, "*", "event.dataset rule.id event.action");
    const char *items[512];
    size_t n = 0;
    for (char *line = strtok(q, "\n"); line && n < 512; line = strtok(NULL, "\n")) {
        char *f1 = strchr(line, '|'), *f2 = f1 ? strchr(f1 + 1, '|') : NULL;
        if (!f2)
            continue;
        *f1 = *f2 = '\0';
        if (!strcmp(line, "pptp.alert"))
            items[n++] = f1 + 1;
        else if (!strcmp(line, "pptp.frag"))
            items[n++] = f2 + 1;
    }
    qsort(items, n, sizeof items[0], cmp);
    out[0] = '\0';
    for (size_t i = 0; i < n;) {
        size_t j = i;
        while (j < n && !strcmp(items[j], items[i]))
            j++;
        char one[160];
        if (j - i > 1)
            snprintf(one, sizeof one, "%s%sx%zu", out[0] ? " " : "", items[i], j - i);
        else
            snprintf(one, sizeof one, "%s%s", out[0] ? " " : "", items[i]);
        strncat(out, one, size - strlen(out) - 1);
        i = j;
    }
    free(q);
}

Test(detect_corpus, every_sample_capture_raises_what_it_deserves)
{
    int ran = 0;
    for (size_t i = 0; i < sizeof corpus / sizeof corpus[0]; i++) {
        char rel[256], pcap[4096], events[4096], tag[300], got[4096];
        snprintf(rel, sizeof rel, "pcaps/%s.pcap", corpus[i].pcap);
        source_path(rel, pcap, sizeof pcap);
        FILE *f = fopen(pcap, "rb");
        if (!f) {
            cr_log_warn("%s absent: skipped", rel);
            continue;
        }
        fclose(f);
        snprintf(tag, sizeof tag, "detect-corpus-%s", corpus[i].pcap);
        int st = sensor_run(pcap, "", tag, events, sizeof events);
        cr_expect_eq(st, 0, "%s: exit %d", rel, st);
        summary(events, got, sizeof got);
        cr_expect_str_eq(got, corpus[i].want, "%s: got \"%s\", want \"%s\"", rel, got, corpus[i].want);
        ran++;
    }
    if (!ran)
        cr_skip_test("no capture of pcaps/ found");
}
