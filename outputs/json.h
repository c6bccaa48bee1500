/*
 * json.h - render an event as one line of pure-ASCII JSON (RFC 8259).
 *
 * Shape: dotted keys become nested objects, {"event":{"dataset":"pptp.session"}};
 * members of each object appear in the order their first field was set
 * (first of those still set; a replaced field keeps its place), so the output
 * is deterministic for a given sequence of setter calls; arrays
 * are JSON arrays in the order elements were added; integers are JSON
 * integers, booleans true/false.  No whitespace, no trailing newline.
 *
 * String escaping (keys are printable ASCII by construction, see event.h):
 *   - '"' and '\\' as \" and \\;
 *   - control characters 0x00-0x1f and DEL 0x7f as \u00XX (no \n, \t short forms);
 *   - a well-formed UTF-8 sequence (RFC 3629: no overlongs, no surrogates,
 *     <= U+10FFFF) as \uXXXX of its code point, a UTF-16 surrogate pair
 *     \uD8xx\uDCxx for code points above U+FFFF;
 *   - any other byte >= 0x80 (not part of a well-formed sequence) as \u00XX of
 *     the byte itself, i.e. read as Latin-1.  This keeps every input byte
 *     visible and the output valid JSON; the price is that \u00e9 may stand
 *     for the UTF-8 "é" (c3 a9) or for a lone e9 byte.  A consumer that needs
 *     the exact bytes must not rely on the JSON text for non-UTF-8 input.
 * Hex digits are lowercase.
 */
#ifndef PPTP_JSON_H
#define PPTP_JSON_H

#include <stddef.h>

#include "event.h"

/* Every ev renders in fewer bytes than this (NUL included): the arena bounds
 * the input and no byte expands beyond 6 output bytes (see json.c). */
#define EV_JSON_MAX 65536

/* Write e as JSON into buf (cap bytes) with a terminating NUL.  Returns the
 * length (without the NUL), or 0 when it does not fit: then buf holds "" and
 * never a partial object.  Does not allocate; uses about 10 KiB of stack. */
size_t ev_to_json(const ev *e, char *buf, size_t cap);

#define JSON_NOFIT ((size_t)-1)
/* Escape len bytes of s (any bytes) as the inside of a JSON string, without
 * the quotes, NUL terminated.  Returns the length, or JSON_NOFIT. */
size_t json_escape(const void *s, size_t len, char *out, size_t cap);

#endif
