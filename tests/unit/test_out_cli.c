/*
 * test_out_cli.c - outputs from the sensor's configuration (sensor/outputs_cli.c,
 * sensor/config.c): -w, repeated -o, -X, --flush-timeout and [output.NAME]
 * config-file sections; names, class filters, formats, modes, errors.
 */
#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "config.h"
#include "event.h"
#include "outputs_cli.h"
#include "sink.h"
#include "test_env.h"

static struct sensor_config cfg;
static struct sink_set set;

static int parse(int argc, char **argv)
{
    config_defaults(&cfg);
    return config_parse_args(&cfg, argc, argv);
}

Test(out_cli, options_and_config_sections)
{
    char conf[4096], a[4096], b[4096], c[4096];
    scratch_path("out_cli.conf", conf, sizeof conf);
    scratch_path("out_cli_a.jsonl", a, sizeof a);
    scratch_path("out_cli_b.cef", b, sizeof b);
    scratch_path("out_cli_c.jsonl", c, sizeof c);
    unlink(a);
    unlink(b);
    unlink(c);
    FILE *f = fopen(conf, "w");
    fprintf(f, "[sensor]\nflush-timeout = 3s\nkafka-property = linger.ms=7\n\n"
               "[output.alerts_cef]\nclasses = alert\nformat = cef\nurl = file:%s\n\n"
               "[output.other]\nurl = file:%s\nclasses = session,stats\n", b, c);
    fclose(f);
    char spec_a[4200];
    snprintf(spec_a, sizeof spec_a, "file:%s?classes=session", a);
    char *argv[] = {"pptp-sensor", "-r", "x.pcap", "-c", conf, "-o", spec_a, "-X", "acks=all", NULL};
    cr_assert_eq(parse(9, argv), 0);
    cr_assert_eq(cfg.flush_timeout_ns, 3000000000ULL);
    cr_assert_eq(cfg.n_kafka_props, 2);
    cr_assert_str_eq(cfg.kafka_props[0], "linger.ms=7");
    cr_assert_str_eq(cfg.kafka_props[1], "acks=all");
    cr_assert_null(cfg.kafka_props[2]);
    cr_assert_eq(cfg.n_outputs, 1);
    cr_assert_eq(cfg.n_output_sections, 2);

    cr_assert_eq(sink_set_init(&set), 0);
    cr_assert_eq(outputs_open(&cfg, &set), 0);
    cr_assert_eq(set.n, 3);
    cr_assert_eq(set.mode, SINK_MODE_BLOCK, "offline: backpressure");
    cr_assert_eq(set.flush_timeout_ns, 3000000000LL);
    cr_assert_str_eq(set.sinks[0]->name, "file");
    cr_assert_str_eq(set.sinks[1]->name, "alerts_cef");
    cr_assert_str_eq(set.sinks[2]->name, "other");
    cr_assert_eq(set.sinks[1]->format, SINK_FMT_CEF);
    cr_assert_eq(set.sinks[1]->class_mask, EV_CLASS_BIT(EV_CLASS_ALERT));
    for (size_t i = 0; i < set.n; i++)
        cr_assert_not_null(set.sinks[i]->q, "every output has its own queue and thread");
    static ev e;
    const char *ds[] = {"pptp.session", "pptp.alert", "pptp.stats"};
    for (int i = 0; i < 3; i++) {
        ev_reset(&e);
        ev_set_str(&e, "event.dataset", ds[i]);
        ev_set_str(&e, "event.action", "x");
        ev_set_str(&e, "user.name", "a=b|c");
        sink_set_emit(&set, &e);
    }
    outputs_close(&set, false);
    config_free(&cfg);
    char *ta = read_file(a, NULL), *tb = read_file(b, NULL), *tc = read_file(c, NULL);
    cr_assert_not_null(ta);
    cr_assert_not_null(tb);
    cr_assert_not_null(tc);
    cr_assert_str_eq(ta, "{\"event\":{\"dataset\":\"pptp.session\",\"action\":\"x\"},\"user\":{\"name\":\"a=b|c\"}}\n");
    cr_assert_str_eq(tb, "CEF:0|pptp-sensor|pptp-sensor|0|pptp.alert:x|x|3|cat=pptp.alert act=x suser=a\\=b|c\n");
    cr_assert_eq(strlen(tc) > 0 && strstr(tc, "pptp.stats") && strstr(tc, "pptp.session") && !strstr(tc, "pptp.alert"),
                 1, "%s", tc);
    free(ta);
    free(tb);
    free(tc);
}

Test(out_cli, defaults_names_and_live_mode)
{
    char *argv[] = {"pptp-sensor", "-i", "lo", "-o", "file:/dev/null", "-o", "file:/dev/null", "-w", "/dev/null", NULL};
    cr_assert_eq(parse(9, argv), 0);
    cr_assert_eq(cfg.flush_timeout_ns, 10000000000ULL);
    cr_assert_eq(sink_set_init(&set), 0);
    cr_assert_eq(outputs_open(&cfg, &set), 0);
    cr_assert_eq(set.mode, SINK_MODE_DROP, "live: never wait");
    cr_assert_eq(set.n, 3);
    cr_assert_str_eq(set.sinks[0]->name, "file");
    cr_assert_str_eq(set.sinks[1]->name, "file_2");
    cr_assert_str_eq(set.sinks[2]->name, "file_3");
    outputs_close(&set, false);
    config_free(&cfg);

    char *argv2[] = {"pptp-sensor", "-r", "x.pcap", NULL};
    cr_assert_eq(parse(3, argv2), 0);
    cr_assert_eq(sink_set_init(&set), 0);
    cr_assert_eq(outputs_open(&cfg, &set), 0);
    cr_assert_eq(set.n, 1);
    cr_assert_str_eq(set.sinks[0]->name, "stdout");
    outputs_close(&set, false);
    config_free(&cfg);
}

Test(out_cli, errors)
{
    char *a1[] = {"pptp-sensor", "-r", "x", "-X", "novalue", NULL};
    cr_assert_eq(parse(5, a1), SENSOR_EXIT_USAGE);
    char *a2[] = {"pptp-sensor", "-r", "x", "--flush-timeout", "soon", NULL};
    cr_assert_eq(parse(5, a2), SENSOR_EXIT_USAGE);
    char *a3[] = {"pptp-sensor", "-r", "x", "-o", "syslog+udp://127.0.0.1:514?nope=1", NULL};
    cr_assert_eq(parse(5, a3), 0);
    cr_assert_eq(sink_set_init(&set), 0);
    cr_assert_eq(outputs_open(&cfg, &set), SENSOR_EXIT_FAILURE);
    sink_set_close(&set);
    config_free(&cfg);
    char conf[4096];
    scratch_path("out_cli_bad.conf", conf, sizeof conf);
    FILE *f = fopen(conf, "w");
    fputs("[output.nourl]\nclasses = alert\n", f);
    fclose(f);
    char *a4[] = {"pptp-sensor", "-r", "x", "-c", conf, NULL};
    cr_assert_eq(parse(5, a4), 0);
    cr_assert_eq(sink_set_init(&set), 0);
    cr_assert_eq(outputs_open(&cfg, &set), SENSOR_EXIT_FAILURE, "a section without url");
    sink_set_close(&set);
    config_free(&cfg);
}
