/*
 * pppneg_int.h - shared by pppneg.c (control protocols, data frames),
 * pppneg_auth.c (PAP/CHAP/EAP) and pppneg_fill.c (event fields).  Internal to
 * sensor/: use pppneg.h.
 */
#ifndef PPTP_SENSOR_PPPNEG_INT_H
#define PPTP_SENSOR_PPPNEG_INT_H

#include <stddef.h>
#include <stdint.h>

#include "dispatch.h"
#include "pppneg.h"

#define PPPNEG_CPF_REQ(d) ((uint8_t)(PPPNEG_CPF_REQ0 << (d)))
#define PPPNEG_CPF_ACK(d) ((uint8_t)(PPPNEG_CPF_ACK0 << (d)))
#define PPPNEG_CPF_ACKS ((uint8_t)(PPPNEG_CPF_ACK(0) | PPPNEG_CPF_ACK(1)))

/* PAP, CHAP (and the MS-CHAP dialects) and EAP frames. */
unsigned pppneg_auth_frame(struct pppneg *n, int dir, enum ppp_kind kind, cursor *info, anomaly_set *an);

/* Copy len bytes as printable ASCII into dst (size > 0): bytes outside 0x20..0x7e
 * become '?', an embedded NUL ends the text, leading and trailing spaces are
 * dropped; cut to size - 1 bytes, always NUL terminated. */
void pppneg_copy_text(char *dst, size_t size, const uint8_t *p, size_t len);
/* Copy a user name: control characters (0x00-0x1f, 0x7f) become '?' (a NUL ends
 * it), other bytes (UTF-8) are kept; cut to size - 1 bytes without splitting a
 * UTF-8 sequence; always NUL terminated. */
void pppneg_copy_user(char *dst, size_t size, const uint8_t *p, size_t len);

#endif
