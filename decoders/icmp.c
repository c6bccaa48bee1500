/* icmp.c - ICMP (RFC 792, RFC 1191) and ICMPv6 (RFC 4443); see icmp.h. */
#include "icmp.h"

#include <string.h>

#include "names.h"

static const val_name icmp4_types[] = {
    {0, "echo-reply"},     {3, "dest-unreachable"}, {4, "source-quench"},  {5, "redirect"},
    {8, "echo-request"},   {9, "router-advertisement"}, {10, "router-solicitation"},
    {11, "time-exceeded"}, {12, "parameter-problem"}, {13, "timestamp"},   {14, "timestamp-reply"},
    {15, "info-request"},  {16, "info-reply"},       {17, "address-mask-request"},
    {18, "address-mask-reply"}, {42, "extended-echo-request"}, {43, "extended-echo-reply"},
};
static const val_name icmp4_unreach_codes[] = {
    {0, "net-unreachable"}, {1, "host-unreachable"}, {2, "protocol-unreachable"},
    {3, "port-unreachable"}, {4, "frag-needed"}, {5, "source-route-failed"},
    {6, "dest-net-unknown"}, {7, "dest-host-unknown"}, {8, "source-host-isolated"},
    {9, "net-prohibited"}, {10, "host-prohibited"}, {11, "net-unreachable-tos"},
    {12, "host-unreachable-tos"}, {13, "admin-prohibited"}, {14, "host-precedence-violation"},
    {15, "precedence-cutoff"},
};
static const val_name icmp4_redirect_codes[] = {
    {0, "net"}, {1, "host"}, {2, "tos-net"}, {3, "tos-host"},
};
static const val_name icmp4_time_codes[] = {{0, "ttl-exceeded"}, {1, "reassembly-time-exceeded"}};
static const val_name icmp4_param_codes[] = {{0, "pointer"}, {1, "missing-option"}, {2, "bad-length"}};

static const val_name icmp6_types[] = {
    {1, "dest-unreachable"}, {2, "packet-too-big"}, {3, "time-exceeded"}, {4, "parameter-problem"},
    {128, "echo-request"}, {129, "echo-reply"}, {130, "mld-query"}, {131, "mld-report"},
    {132, "mld-done"}, {133, "router-solicitation"}, {134, "router-advertisement"},
    {135, "neighbor-solicitation"}, {136, "neighbor-advertisement"}, {137, "redirect"},
    {143, "mldv2-report"},
};
static const val_name icmp6_unreach_codes[] = {
    {0, "no-route"}, {1, "admin-prohibited"}, {2, "beyond-scope"}, {3, "address-unreachable"},
    {4, "port-unreachable"}, {5, "source-policy-failed"}, {6, "reject-route"},
    {7, "source-routing-header-error"},
};
static const val_name icmp6_time_codes[] = {{0, "hop-limit-exceeded"}, {1, "reassembly-time-exceeded"}};
static const val_name icmp6_param_codes[] = {
    {0, "erroneous-header-field"}, {1, "unrecognized-next-header"}, {2, "unrecognized-option"},
    {3, "incomplete-header-chain"},
};

const char *icmp4_type_name(uint8_t type)
{
    return VAL_NAME(icmp4_types, type, "unknown");
}

const char *icmp4_code_name(uint8_t type, uint8_t code)
{
    switch (type) {
    case ICMP4_DEST_UNREACH: return VAL_NAME(icmp4_unreach_codes, code, "unknown");
    case ICMP4_REDIRECT: return VAL_NAME(icmp4_redirect_codes, code, "unknown");
    case ICMP4_TIME_EXCEEDED: return VAL_NAME(icmp4_time_codes, code, "unknown");
    case ICMP4_PARAM_PROBLEM: return VAL_NAME(icmp4_param_codes, code, "unknown");
    default: return code == 0 ? "none" : "unknown";
    }
}

const char *icmp6_type_name(uint8_t type)
{
    return VAL_NAME(icmp6_types, type, "unknown");
}

const char *icmp6_code_name(uint8_t type, uint8_t code)
{
    switch (type) {
    case ICMP6_DEST_UNREACH: return VAL_NAME(icmp6_unreach_codes, code, "unknown");
    case ICMP6_TIME_EXCEEDED: return VAL_NAME(icmp6_time_codes, code, "unknown");
    case ICMP6_PARAM_PROBLEM: return VAL_NAME(icmp6_param_codes, code, "unknown");
    default: return code == 0 ? "none" : "unknown";
    }
}

bool icmp4_is_error(uint8_t type)
{
    return type == ICMP4_DEST_UNREACH || type == ICMP4_SOURCE_QUENCH || type == ICMP4_REDIRECT ||
           type == ICMP4_TIME_EXCEEDED || type == ICMP4_PARAM_PROBLEM;
}

bool icmp6_is_error(uint8_t type)
{
    return type >= ICMP6_DEST_UNREACH && type <= ICMP6_PARAM_PROBLEM;
}

/* The common 8-byte header; payload per icmp.h. */
static dec_status icmp_common(cursor *c, struct icmp_msg *m, bool error, cursor *payload)
{
    cursor_get_u8(c, &m->type);
    cursor_get_u8(c, &m->code);
    cursor_get_be16(c, &m->checksum);
    cursor_get_be32(c, &m->rest);
    if (cursor_status(c) != DEC_OK)
        return cursor_status(c);
    m->is_error = error;
    cursor_rest(c, payload);
    if (error)
        payload->open_end = 1;
    return DEC_OK;
}

dec_status icmp4_decode(cursor *c, struct icmp_msg *m, cursor *payload, anomaly_set *an)
{
    memset(m, 0, sizeof *m);
    cursor_init(payload, NULL, 0);
    cursor whole = *c;
    uint8_t type = 0;
    cursor_peek_u8(c, &type);
    dec_status st = icmp_common(c, m, icmp4_is_error(type), payload);
    if (st != DEC_OK)
        return st;
    switch (m->type) {
    case ICMP4_ECHO_REPLY:
    case ICMP4_ECHO_REQUEST:
    case ICMP4_TIMESTAMP:
    case ICMP4_TIMESTAMP_REPLY:
        m->id = (uint16_t)(m->rest >> 16);
        m->seq = (uint16_t)m->rest;
        break;
    case ICMP4_DEST_UNREACH:
        if (m->code == ICMP4_CODE_FRAG_NEEDED) {
            m->mtu = m->rest & 0xffff;
            if (m->mtu < 68)
                anomaly_add(an, ANOMALY_ICMP_FRAG_NEEDED_SMALL_MTU);
        }
        break;
    case ICMP4_REDIRECT:
        m->gateway = m->rest;
        break;
    case ICMP4_PARAM_PROBLEM:
        m->pointer = m->rest >> 24;
        break;
    default:
        break;
    }
    m->csum = ip_csum_verify(NULL, IP_PROTO_ICMP, &whole);
    if (m->csum == IP_CSUM_BAD)
        anomaly_add(an, ANOMALY_ICMP_BAD_CHECKSUM);
    return DEC_OK;
}

dec_status icmp6_decode(cursor *c, const struct ip_pair *ip, struct icmp_msg *m, cursor *payload,
                        anomaly_set *an)
{
    memset(m, 0, sizeof *m);
    cursor_init(payload, NULL, 0);
    cursor whole = *c;
    uint8_t type = 0;
    cursor_peek_u8(c, &type);
    dec_status st = icmp_common(c, m, icmp6_is_error(type), payload);
    if (st != DEC_OK)
        return st;
    switch (m->type) {
    case ICMP6_ECHO_REQUEST:
    case ICMP6_ECHO_REPLY:
        m->id = (uint16_t)(m->rest >> 16);
        m->seq = (uint16_t)m->rest;
        break;
    case ICMP6_PACKET_TOO_BIG:
        m->mtu = m->rest;
        if (m->mtu < 1280)
            anomaly_add(an, ANOMALY_ICMP6_PTB_SMALL_MTU);
        break;
    case ICMP6_PARAM_PROBLEM:
        m->pointer = m->rest;
        break;
    default:
        break;
    }
    m->csum = ip ? ip_csum_verify(ip, IP_PROTO_ICMPV6, &whole) : IP_CSUM_UNCHECKED;
    if (m->csum == IP_CSUM_BAD)
        anomaly_add(an, ANOMALY_ICMP6_BAD_CHECKSUM);
    return DEC_OK;
}

static uint32_t rest4(const struct icmp_msg *m)
{
    switch (m->type) {
    case ICMP4_ECHO_REPLY:
    case ICMP4_ECHO_REQUEST:
    case ICMP4_TIMESTAMP:
    case ICMP4_TIMESTAMP_REPLY:
        return (uint32_t)m->id << 16 | m->seq;
    case ICMP4_DEST_UNREACH:
        return m->code == ICMP4_CODE_FRAG_NEEDED ? (m->rest & 0xffff0000u) | (m->mtu & 0xffff) : m->rest;
    case ICMP4_REDIRECT:
        return m->gateway;
    case ICMP4_PARAM_PROBLEM:
        return (m->pointer & 0xff) << 24 | (m->rest & 0x00ffffffu);
    default:
        return m->rest;
    }
}

static uint32_t rest6(const struct icmp_msg *m)
{
    switch (m->type) {
    case ICMP6_ECHO_REQUEST:
    case ICMP6_ECHO_REPLY:
        return (uint32_t)m->id << 16 | m->seq;
    case ICMP6_PACKET_TOO_BIG:
        return m->mtu;
    case ICMP6_PARAM_PROBLEM:
        return m->pointer;
    default:
        return m->rest;
    }
}

static bool icmp_put(wbuf *w, const struct icmp_msg *m, uint32_t rest, const uint8_t *payload, size_t len,
                     uint32_t pseudo)
{
    size_t start = wbuf_len(w);
    wbuf_put_u8(w, m->type);
    wbuf_put_u8(w, m->code);
    wbuf_put_be16(w, 0);
    wbuf_put_be32(w, rest);
    wbuf_put_bytes(w, payload, len);
    if (!wbuf_ok(w))
        return false;
    uint32_t sum = ip_csum_add_bytes(pseudo, w->buf + start, wbuf_len(w) - start);
    wbuf_patch_be16(w, start + 2, ip_csum_finish(sum));
    return true;
}

bool icmp4_encode(wbuf *w, const struct icmp_msg *m, const uint8_t *payload, size_t len)
{
    return icmp_put(w, m, rest4(m), payload, len, 0);
}

bool icmp6_encode(wbuf *w, const struct ip_pair *ip, const struct icmp_msg *m, const uint8_t *payload,
                  size_t len)
{
    if (!ip || ip->version != 6 || len + ICMP_HDR_LEN > 0xffffffffu)
        return false;
    return icmp_put(w, m, rest6(m), payload, len,
                    ip_pseudo_sum(ip, IP_PROTO_ICMPV6, (uint32_t)(len + ICMP_HDR_LEN)));
}
