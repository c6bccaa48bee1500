/*
 * kafka_mock.c - librdkafka's mock Kafka cluster as a process of its own, for
 * the Kafka output tests (tests/unit/test_out_kafka.c).
 *
 *   kafka-mock [-b BROKERS] [-p PARTITIONS] [-t TOPIC,TOPIC...]
 *
 * Prints its bootstrap servers ("127.0.0.1:PORT,...") on one line of stdout,
 * then serves until killed or until stdin reaches EOF.  Commands on stdin,
 * one a line:
 *   errors APIKEY ERR [ERR...]   the next requests of that type fail with
 *                                 these error codes (rd_kafka_mock_push_request_errors;
 *                                 ApiKey 0 = Produce, ERR e.g. 6 NOT_LEADER, 7 REQUEST_TIMED_OUT,
 *                                 -195 transport: disconnect)
 *   down ID / up ID              take broker ID down / up
 * Each command is answered "ok" (or "error ...") on stdout.
 */
#include <librdkafka/rdkafka.h>
#include <librdkafka/rdkafka_mock.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <unistd.h>

int main(int argc, char **argv)
{
    int brokers = 3, partitions = 4, opt;
    char topics[1024] = "pptp.session,pptp.alert,pptp.frag,pptp.stats,pptp.unknown";
    while ((opt = getopt(argc, argv, "b:p:t:")) != -1) {
        if (opt == 'b')
            brokers = atoi(optarg);
        else if (opt == 'p')
            partitions = atoi(optarg);
        else if (opt == 't')
            snprintf(topics, sizeof topics, "%s", optarg);
        else {
            fprintf(stderr, "usage: kafka-mock [-b BROKERS] [-p PARTITIONS] [-t TOPIC,...]\n");
            return 2;
        }
    }
    prctl(PR_SET_PDEATHSIG, SIGKILL); /* never outlive the test that started us */
    char err[512];
    rd_kafka_conf_t *conf = rd_kafka_conf_new();
    rd_kafka_conf_set(conf, "log_level", "3", err, sizeof err);
    rd_kafka_t *rk = rd_kafka_new(RD_KAFKA_PRODUCER, conf, err, sizeof err);
    if (!rk) {
        fprintf(stderr, "kafka-mock: %s\n", err);
        return 1;
    }
    rd_kafka_mock_cluster_t *mc = rd_kafka_mock_cluster_new(rk, brokers);
    if (!mc) {
        fprintf(stderr, "kafka-mock: cannot create the mock cluster\n");
        return 1;
    }
    char *save = NULL;
    for (char *t = strtok_r(topics, ",", &save); t; t = strtok_r(NULL, ",", &save))
        rd_kafka_mock_topic_create(mc, t, partitions, brokers < 3 ? brokers : 3);
    printf("%s\n", rd_kafka_mock_cluster_bootstraps(mc));
    fflush(stdout);
    char line[1024];
    while (fgets(line, sizeof line, stdin)) {
        char *tok[64];
        int n = 0;
        save = NULL;
        for (char *t = strtok_r(line, " \t\r\n", &save); t && n < 64; t = strtok_r(NULL, " \t\r\n", &save))
            tok[n++] = t;
        if (n >= 3 && strcmp(tok[0], "errors") == 0) {
            rd_kafka_resp_err_t errs[62];
            for (int i = 2; i < n; i++)
                errs[i - 2] = (rd_kafka_resp_err_t)atoi(tok[i]);
            rd_kafka_mock_push_request_errors_array(mc, (int16_t)atoi(tok[1]), (size_t)(n - 2), errs);
            printf("ok\n");
        } else if (n == 2 && strcmp(tok[0], "down") == 0) {
            rd_kafka_mock_broker_set_down(mc, atoi(tok[1]));
            printf("ok\n");
        } else if (n == 2 && strcmp(tok[0], "up") == 0) {
            rd_kafka_mock_broker_set_up(mc, atoi(tok[1]));
            printf("ok\n");
        } else if (n) {
            printf("error: unknown command %s\n", tok[0]);
        }
        fflush(stdout);
    }
    rd_kafka_mock_cluster_destroy(mc);
    rd_kafka_destroy(rk);
    return 0;
}
