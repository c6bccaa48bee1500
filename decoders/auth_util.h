/*
 * auth_util.h - small helpers shared by the PPP authentication codecs
 * (pap.c, chap.c, mschap.c, eap.c).  Internal to the auth module.
 */
#ifndef PPTP_AUTH_UTIL_H
#define PPTP_AUTH_UTIL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

/* Copy n bytes from p into dst as a NUL-terminated string cut to dst_size - 1
 * bytes (raw bytes: an embedded NUL ends the C string early). dst_size > 0. */
static inline void auth_copy_str(char *dst, size_t dst_size, const uint8_t *p, size_t n)
{
    size_t k = n < dst_size - 1 ? n : dst_size - 1;
    if (k)
        memcpy(dst, p, k);
    dst[k] = '\0';
}

/* True when p[0..n) contains a NUL byte. */
static inline bool auth_has_nul(const uint8_t *p, size_t n)
{
    return n && memchr(p, 0, n) != NULL;
}

#endif
