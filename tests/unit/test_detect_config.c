/*
 * test_detect_config.c - the detectors' config-file sections (docs/configuration.md,
 * "Detection"): every rule has a section with enabled/level/thresholds, bad
 * values stop the program with file:line, other sections are left alone, and
 * the statistics report the detectors' memory.
 */
#include <fcntl.h>
#include <unistd.h>

#include "detect_helpers.h"
#include "sensor_run.h"

static int load(const char *text, char *err, size_t errsize)
{
    char path[1024], name[64];
    snprintf(name, sizeof name, "detect-cfg-%d.ini", (int)getpid());
    scratch_path(name, path, sizeof path);
    FILE *f = fopen(path, "w");
    cr_assert_not_null(f);
    fputs(text, f);
    fclose(f);
    struct sensor_config cfg;
    config_defaults(&cfg);
    /* capture stderr */
    char errpath[1024];
    snprintf(name, sizeof name, "detect-cfg-%d.err", (int)getpid());
    scratch_path(name, errpath, sizeof errpath);
    fflush(stderr);
    int saved = dup(2), fd = open(errpath, O_WRONLY | O_CREAT | O_TRUNC, 0600);
    cr_assert(saved >= 0 && fd >= 0);
    dup2(fd, 2);
    close(fd);
    int rc = config_load_file(&cfg, path);
    fflush(stderr);
    dup2(saved, 2);
    close(saved);
    char *msg = read_file(errpath, NULL);
    snprintf(err, errsize, "%s", msg ? msg : "");
    free(msg);
    if (rc == 0 && strstr(text, "[pptp."))
        cr_expect_not_null(cfg.detect, "a rule section allocates the detector settings: %s", text);
    config_free(&cfg);
    return rc;
}

Test(detect_config, every_rule_has_a_section_and_defaults)
{
    struct detect_config dc;
    detect_config_defaults(&dc);
    for (int r = 0; r < DR_COUNT; r++) {
        const struct detect_rule_info *ri = detect_rule_info((enum detect_rule)r);
        cr_assert_not_null(ri->id);
        cr_expect(dc.r[r].enabled, "%s on by default", ri->id);
        cr_expect(dc.r[r].max_per_minute > 0);
        if (r < DR_ALERT_COUNT) {
            cr_expect(!strncmp(ri->id, "pptp.", 5), "%s", ri->id);
            cr_expect(ri->name && ri->category, "%s", ri->id);
        } else {
            cr_expect(!strncmp(ri->id, "frag.", 5), "%s", ri->id);
        }
        char text[256], err[512];
        snprintf(text, sizeof text, "[%s]\nenabled = no\nlevel = notice\nmax_per_minute = 5\n", ri->id);
        cr_expect_eq(load(text, err, sizeof err), 0, "%s: %s", ri->id, err);
    }
    cr_expect_eq(dc.r[DR_AUTH_BRUTEFORCE].threshold, 10);
    cr_expect_eq(dc.r[DR_AUTH_BRUTEFORCE].window_ns, 300ull * 1000000000ull);
    cr_expect_eq(dc.r[DR_AUTH_BRUTEFORCE].high_threshold, 100);
    cr_expect_eq(dc.r[DR_AUTH_BRUTEFORCE].high_window_ns, 60ull * 1000000000ull);
    cr_expect_eq(dc.r[DR_AUTH_SPRAYING].threshold, 3);
    cr_expect_eq(dc.r[DR_AUTH_SUCCESS_AFTER_FAILURES].threshold, 5);
    cr_expect_eq(dc.r[DR_AUTH_SUCCESS_AFTER_FAILURES].level, DL_CRITICAL);
    cr_expect_eq(dc.r[DR_WEAK_MSCHAPV2].level, DL_INFO);
}

Test(detect_config, bad_settings_name_file_and_line)
{
    static const struct {
        const char *text, *want;
    } bad[] = {
        {"[pptp.auth.bruteforce]\nthreshold = 0\n", ".ini:2: [pptp.auth.bruteforce] threshold"},
        {"[pptp.auth.bruteforce]\nwindow = soon\n", "window"},
        {"[pptp.auth.bruteforce]\nenabled = maybe\n", "expected yes or no"},
        {"[pptp.auth.bruteforce]\nlevel = loud\n", "level"},
        {"[pptp.auth.bruteforce]\ncolour = red\n", "unknown setting"},
        {"# typo\n[pptp.auth.brutforce]\nenabled = no\n", ".ini:3: [pptp.auth.brutforce] enabled: unknown rule section"},
        {"[ndpi]\nmax_flows = lots\n", "[ndpi] max_flows"},
        {"[ndpi]\nturbo = yes\n", "unknown setting for [ndpi]"},
        {"[detect]\nmax_sources = 3\n", "max_sources"},
        {"[pptp.auth.spraying]\nthreshold = 8\n", "8 user names are remembered"},
        {"[pptp.weak.mppe_key_length]\nmin_key_bits = 512\n", "min_key_bits"},
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        char err[512];
        cr_expect_eq(load(bad[i].text, err, sizeof err), SENSOR_EXIT_USAGE, "accepted: %s", bad[i].text);
        cr_expect_not_null(strstr(err, bad[i].want), "said \"%s\", want \"%s\"", err, bad[i].want);
    }
}

Test(detect_config, other_sections_are_left_alone)
{
    char err[512];
    cr_expect_eq(load("[sensor]\nidle-timeout = 5m\n[somebody.else]\nanything = goes\n", err, sizeof err), 0, "%s", err);
    cr_expect_eq(load("[frag.mss_exceeds_path]\nouter_mtu = 1492\n[pptp.ctrl.tool_fingerprint]\nvendor = evil\n"
                      "[ndpi]\nmax_flows = 100\ndetect_ports = no\n[detect]\nmax_sources = 1000\n",
                      err, sizeof err),
                 0, "%s", err);
}

Test(detect_config, the_program_refuses_a_bad_rule_section)
{
    char cfg[1024], args[4096], events[1024];
    scratch_path("detect-bad.ini", cfg, sizeof cfg);
    FILE *f = fopen(cfg, "w");
    cr_assert_not_null(f);
    fputs("[pptp.auth.bruteforce]\nthreshold = -1\n", f);
    fclose(f);
    char pcap[1024];
    source_path("pcaps/pap.pcap", pcap, sizeof pcap);
    snprintf(args, sizeof args, "-c '%s'", cfg);
    cr_expect_eq(sensor_run(pcap, args, "detect-badcfg", events, sizeof events), 2);
}

Test(detect_config, stats_report_detector_memory_and_ndpi)
{
    scn x;
    scn_open(&x, "stats");
    scn_clean_session(&x, "bob");
    evlist L = run_scn(&x, NULL);
    const ev *st = find_action(&L, "stats", 0);
    cr_assert_not_null(st);
    cr_expect_gt(gu(st, "pptp.stats.memory.detect_bytes"), 0);
    cr_expect(ev_has(st, "pptp.stats.detect.suppressed"));
    cr_expect_str_eq(gs(st, "pptp.stats.detect.ndpi_version"), "4.2.0");
    evlist_free(&L);
}

Test(detect_config, per_minute_cap_suppresses_and_counts)
{
    scn x;
    scn_open(&x, "cap");
    for (int i = 0; i < 5; i++) {
        if (i)
            scn_new_conn(&x);
        scn_control(&x);
        scn_lcp_open(&x, LCP_AUTH_PAP, 0, 1400);
        scn_frame(&x, CLI, PPP_PROTO_PAP, pap_frame(PAP_AUTH_REQ, 1, "bob", "pw", NULL));
    }
    scn_close(&x);
    evlist L = run_pcap_cfg(x.path, "[pptp.weak.pap]\nmax_per_minute = 2\n");
    cr_expect_eq(count_rule(&L, "pptp.weak.pap"), 2);
    cr_expect_eq(gu(find_action(&L, "stats", 0), "pptp.stats.detect.suppressed"), 3);
    evlist_free(&L);
}

Test(detect_config, per_source_tables_stay_bounded)
{
    scn x;
    scn_open(&x, "lru");
    for (int i = 0; i < 40; i++) {
        x.cli = IP4(198, 18, 0, 1 + i);
        scn_new_conn(&x);
        scn_control(&x);
        scn_lcp_open(&x, LCP_AUTH_CHAP, LCP_CHAP_MSCHAPV2, 1400);
        scn_mschapv2(&x, 1, "victim", 691);
        scn_hangup(&x);
    }
    scn_close(&x);
    evlist L = run_pcap_cfg(x.path, "[detect]\nmax_sources = 16\n");
    const ev *st = find_action(&L, "stats", 0);
    cr_assert_not_null(st);
    cr_expect_gt(gu(st, "pptp.stats.detect.evicted"), 0);
    uint64_t small = gu(st, "pptp.stats.memory.detect_bytes");
    evlist_free(&L);
    /* one user failing from 40 sources: distributed fires despite the evictions */
    L = run_pcap_cfg(x.path, "[detect]\nmax_sources = 16\n");
    cr_expect_geq(count_rule(&L, "pptp.auth.distributed"), 1);
    evlist_free(&L);
    L = run_pcap_cfg(x.path, NULL);
    st = find_action(&L, "stats", 0);
    cr_expect_eq(gu(st, "pptp.stats.detect.evicted"), 0);
    cr_expect_leq(small, gu(st, "pptp.stats.memory.detect_bytes"));
    evlist_free(&L);
}
