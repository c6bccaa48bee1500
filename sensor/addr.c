/* addr.c - see addr.h */
#include "addr.h"

#include <stdio.h>
#include <sys/socket.h>

#include "event.h"

const char *sn_addr_str(const sn_addr *x, char *buf, size_t size)
{
    /* the event layer's text, so addresses compare equal with what events carry */
    if (!ev_ip_text(x->v6 ? AF_INET6 : AF_INET, x->a, buf, size))
        snprintf(buf, size, "?");
    return buf;
}
