/*
 * secret.h - bytes that must never reach a log line or an event.
 *
 * A decoded password (PAP) or key material is stored in a `secret` and nowhere
 * else.  The event and output layers only accept strings and integers, so a
 * secret cannot be passed to them by accident; there is deliberately no
 * function here that turns a secret into text.  Use secret_wipe() when done.
 */
#ifndef PPTP_SECRET_H
#define PPTP_SECRET_H

#include <stddef.h>
#include <stdint.h>

#define SECRET_MAX 255

typedef struct secret {
    uint8_t len;
    uint8_t bytes_[SECRET_MAX]; /* trailing underscore: do not print */
} secret;

/* Overwrite the bytes so they do not linger in memory. */
void secret_wipe(secret *s);
/* Store n bytes (cut to SECRET_MAX). */
void secret_set(secret *s, const uint8_t *p, size_t n);

#endif
