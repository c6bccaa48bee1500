/* ip_common.c - IP protocol names, Internet checksum (RFC 1071), pseudo-headers. */
#include "ip_common.h"

#include <string.h>

#include "names.h"

static const val_name ip_proto_names[] = {
    {0, "hopopt"},      {1, "icmp"},       {2, "igmp"},     {4, "ipip"},
    {6, "tcp"},         {8, "egp"},        {17, "udp"},     {41, "ipv6"},
    {43, "ipv6-route"}, {44, "ipv6-frag"}, {46, "rsvp"},    {47, "gre"},
    {50, "esp"},        {51, "ah"},        {58, "ipv6-icmp"}, {59, "ipv6-nonxt"},
    {60, "ipv6-opts"},  {88, "eigrp"},     {89, "ospf"},    {103, "pim"},
    {112, "vrrp"},      {115, "l2tp"},     {132, "sctp"},   {135, "mobility"},
    {136, "udplite"},   {137, "mpls-in-ip"}, {139, "hip"},  {140, "shim6"},
    {253, "experimental-253"}, {254, "experimental-254"}, {255, "reserved"},
};

const char *ip_proto_name(uint8_t proto)
{
    return VAL_NAME(ip_proto_names, proto, "unknown");
}

void ip_pair_v4(struct ip_pair *p, uint32_t src, uint32_t dst)
{
    memset(p, 0, sizeof *p);
    p->version = 4;
    p->src4 = src;
    p->dst4 = dst;
}

void ip_pair_v6(struct ip_pair *p, const uint8_t src[16], const uint8_t dst[16])
{
    memset(p, 0, sizeof *p);
    p->version = 6;
    memcpy(p->src6, src, 16);
    memcpy(p->dst6, dst, 16);
}

const char *ip_csum_status_name(ip_csum_status s)
{
    switch (s) {
    case IP_CSUM_UNCHECKED: return "unchecked";
    case IP_CSUM_OK: return "ok";
    case IP_CSUM_BAD: return "bad";
    }
    return "unknown";
}

static uint32_t fold(uint32_t sum)
{
    while (sum >> 16)
        sum = (sum & 0xffff) + (sum >> 16);
    return sum;
}

uint32_t ip_csum_add(uint32_t sum, const cursor *c)
{
    /* One bounds-checked span, then a word loop with a wide accumulator. */
    cursor r = *c;
    size_t n = cursor_len(&r);
    const uint8_t *p;
    if (!cursor_get_span(&r, n, &p))
        return fold(sum);
    uint64_t acc = sum;
    size_t i = 0;
    for (; i + 1 < n; i += 2)
        acc += (uint32_t)((p[i] << 8) | p[i + 1]);
    if (i < n)
        acc += (uint32_t)p[i] << 8;
    while (acc >> 16)
        acc = (acc & 0xffff) + (acc >> 16);
    return (uint32_t)acc;
}

uint32_t ip_csum_add_bytes(uint32_t sum, const uint8_t *p, size_t n)
{
    cursor c;
    cursor_init(&c, p, n);
    return ip_csum_add(sum, &c);
}

uint16_t ip_csum_finish(uint32_t sum)
{
    return (uint16_t)~fold(sum);
}

uint32_t ip_pseudo_sum(const struct ip_pair *p, uint8_t proto, uint32_t len)
{
    uint32_t sum = 0;
    if (p->version == 4) {
        sum += (p->src4 >> 16) + (p->src4 & 0xffff) + (p->dst4 >> 16) + (p->dst4 & 0xffff);
        sum += proto;
        sum += len & 0xffff; /* the IPv4 form has a 16-bit length */
    } else {
        sum = ip_csum_add_bytes(sum, p->src6, 16);
        sum = ip_csum_add_bytes(sum, p->dst6, 16);
        sum += (len >> 16) + (len & 0xffff);
        sum += proto;
    }
    return fold(sum);
}

ip_csum_status ip_csum_verify(const struct ip_pair *pseudo, uint8_t proto, const cursor *msg)
{
    if (msg->open_end)
        return IP_CSUM_UNCHECKED;
    uint32_t sum = 0;
    if (pseudo) {
        if (pseudo->version != 4 && pseudo->version != 6)
            return IP_CSUM_UNCHECKED;
        sum = ip_pseudo_sum(pseudo, proto, (uint32_t)cursor_len(msg));
    }
    sum = ip_csum_add(sum, msg);
    return ip_csum_finish(sum) == 0 ? IP_CSUM_OK : IP_CSUM_BAD;
}
