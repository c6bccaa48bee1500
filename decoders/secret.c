/* secret.c - see secret.h */
#include "secret.h"

#include <string.h>

void secret_wipe(secret *s)
{
    volatile uint8_t *p = s->bytes_;
    for (size_t i = 0; i < sizeof s->bytes_; i++)
        p[i] = 0;
    s->len = 0;
}

void secret_set(secret *s, const uint8_t *p, size_t n)
{
    if (n > SECRET_MAX)
        n = SECRET_MAX;
    secret_wipe(s);
    if (n)
        memcpy(s->bytes_, p, n);
    s->len = (uint8_t)n;
}
