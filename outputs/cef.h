/*
 * cef.h - render an event as one ArcSight Common Event Format line
 * (docs/outputs.md has the field mapping):
 *
 *   CEF:0|pptp-sensor|pptp-sensor|VERSION|SIGNATURE|NAME|SEVERITY|k=v k=v ...
 *
 * Header fields escape '\' and '|' (as \\ and \|) and turn CR/LF into spaces;
 * extension values escape '\' and '=' (\\, \=) and newlines (\n, \r).  Other
 * control characters become spaces; well-formed UTF-8 is kept, any other byte
 * >= 0x80 becomes U+FFFD.  No trailing newline.  Bounded, no allocation.
 */
#ifndef PPTP_CEF_H
#define PPTP_CEF_H

#include <stddef.h>

#include "event.h"

/* Length written (NUL terminated), 0 when it does not fit (buf holds ""). */
size_t ev_to_cef(const ev *e, char *buf, size_t cap);
/* Escapers on their own (for tests): header or extension value.  Return the
 * length written or (size_t)-1 when it does not fit. */
size_t cef_escape_header(const char *s, size_t len, char *out, size_t cap);
size_t cef_escape_value(const char *s, size_t len, char *out, size_t cap);
/* "2025-11-20T08:32:05.123456Z" -> ms since the epoch; false if malformed. */
int cef_time_ms(const char *s, long long *ms);

#endif
