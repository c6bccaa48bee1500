/*
 * sensor_run.h - test helper: run the pptp-sensor program on a capture and query
 * the events it wrote (through tests/tools/evq.py).
 */
#ifndef PPTP_TEST_SENSOR_RUN_H
#define PPTP_TEST_SENSOR_RUN_H

#include <stddef.h>

/* Path of the built pptp-sensor. */
const char *sensor_binary(void);
/* Run pptp-sensor EXTRA_ARGS -r pcap -w out (a scratch file named after tag).
 * Returns the exit status; *out_path receives the events file path. */
int sensor_run(const char *pcap, const char *extra_args, const char *tag, char *out_path, size_t out_size);
/* Fields of every event with event.action == action ("*" = all), one line per
 * event, fields '|'-joined. malloc'd; caller frees. */
char *sensor_query(const char *events, const char *action, const char *fields);
/* Number of events with that action. */
int sensor_count(const char *events, const char *action);

#endif
