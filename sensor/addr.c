/* addr.c - see addr.h */
#include "addr.h"

#include <arpa/inet.h>
#include <stdio.h>

const char *sn_addr_str(const sn_addr *x, char *buf, size_t size)
{
    if (!inet_ntop(x->v6 ? AF_INET6 : AF_INET, x->a, buf, (socklen_t)size))
        snprintf(buf, size, "?");
    return buf;
}
