/*
 * outputs_cli.h - the sensor's outputs from its configuration (-w, -o, -X,
 * --flush-timeout, [output.NAME] sections; docs/outputs.md).
 */
#ifndef PPTP_SENSOR_OUTPUTS_CLI_H
#define PPTP_SENSOR_OUTPUTS_CLI_H

#include "config.h"

struct sink_set;

/* Default queue of every output opened here, in events. */
#define OUTPUTS_QUEUE_EVENTS 4096

/* One "key = value" of an [output.NAME] config-file section: builds the
 * output's spec in cfg (url = ... is the spec itself, every other key one of
 * its parameters).  0, or -1 with *why set. */
int outputs_config_section(struct sensor_config *cfg, const char *name, const char *key, const char *val,
                           const char **why);
/* Open every configured output into set (initialised): -w FILE as a JSON
 * file, each -o SPEC and [output.NAME] in order, stdout when there is none.
 * Each gets its own queue and thread; a full queue blocks offline (-r) and
 * drops live (-i); shutdown is bounded by the flush timeout.  Names (for
 * stats): name= or the section name, else the type (file, syslog, kafka;
 * stdout), with _2, _3 ... for repeats.  0, or SENSOR_EXIT_FAILURE after
 * printing why. */
int outputs_open(const struct sensor_config *cfg, struct sink_set *set);
/* Close the set within the flush timeout and print every output's final
 * counters to stderr (and what was lost) when anything was not delivered or
 * when verbose. */
void outputs_close(struct sink_set *set, bool verbose);

#endif
