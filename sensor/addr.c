/* addr.c - see addr.h */
#include "addr.h"

#include <arpa/inet.h>
#include <stdio.h>

const char *sn_addr_str(const sn_addr *x, char *buf, size_t size)
{
    if (!x->v6 && size >= 16) { /* dotted quad without inet_ntop (events use it a lot) */
        size_t n = 0;
        for (int i = 0; i < 4; i++) {
            unsigned v = x->a[i];
            if (v >= 100)
                buf[n++] = (char)('0' + v / 100);
            if (v >= 10)
                buf[n++] = (char)('0' + v / 10 % 10);
            buf[n++] = (char)('0' + v % 10);
            if (i < 3)
                buf[n++] = '.';
        }
        buf[n] = '\0';
        return buf;
    }
    if (!inet_ntop(x->v6 ? AF_INET6 : AF_INET, x->a, buf, (socklen_t)size))
        snprintf(buf, size, "?");
    return buf;
}
