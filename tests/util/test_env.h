/*
 * test_env.h - test helpers: where things are, running tshark, reading files.
 */
#ifndef PPTP_TEST_ENV_H
#define PPTP_TEST_ENV_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Path of ../shared/pcaps/external/NAME in out, or NULL (with out untouched)
 * when the file is absent: the caller then cr_skip()s with a message. */
const char *external_pcap(const char *name, char *out, size_t out_size);
/* Fresh scratch path under the build tree: PPTP_BINARY_DIR/test-tmp/<name>. */
const char *scratch_path(const char *name, char *out, size_t out_size);
/* Path of a file in the source tree. */
const char *source_path(const char *rel, char *out, size_t out_size);

/* True when tshark is on PATH. */
bool tshark_available(void);
/* Run `tshark -r pcap [-Y filter] -T fields -E separator=| -E occurrence=a
 * -E aggregator=, -e f1 -e f2 ...` (fields NULL terminated). Returns malloc'd
 * stdout (one line per packet) or NULL on failure. Caller frees. */
char *tshark_fields(const char *pcap, const char *filter, const char *const *fields);
/* Number of packets tshark marks malformed (or -1 if tshark failed). */
int tshark_malformed_count(const char *pcap);

/* Run a shell command and capture stdout (malloc'd, NUL terminated) and exit status. */
char *run_capture(const char *cmd, int *exit_status);
/* Read a whole file (malloc'd, NUL terminated); *len set when not NULL. */
char *read_file(const char *path, size_t *len);

#endif
