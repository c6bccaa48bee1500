/* fuzz_ip_defrag.c - the input is a script of operations on one ip_defrag
 * context with small limits (so limits are hit):
 *   byte 0: flags: bit0 "junk allowed" (fragments may carry arbitrary bytes),
 *           bits 1-7 pick the limits.
 *   then op records: op byte, followed by op-specific bytes
 *     op%4 == 0,1: add a fragment:  sel(1) off(2) len(2)
 *                  sel: bit0 af (4/6), bits1-2 id, bit3 proto, bit4 MF, bit5 junk
 *     op%4 == 2:   advance time by sel(1) * 0.5 s and expire
 *     op%4 == 3:   advance time by sel(1) ms
 * Invariants: memory and table never above the caps; a completed datagram is at
 * most 65535 bytes and, when no junk was sent, equals the model bytes
 * (each byte a function of the datagram and its offset). */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "ip_defrag.h"

static uint8_t model(const ip_frag_key *k, uint32_t pos)
{
    uint32_t x = (pos + 1) * 2654435761u ^ (k->id * 40503u) ^ ((uint32_t)k->af << 20);
    return (uint8_t)(x >> 13);
}

static uint8_t buf[65536];

static void on_expired(void *user, const ip_defrag_expired *e)
{
    size_t *n = user;
    (*n)++;
    if (e->bytes_held > 65535 || e->first_seen_ns > e->last_seen_ns)
        abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size < 1)
        return 0;
    uint8_t cfg = data[0];
    bool junk_allowed = cfg & 1;
    ip_defrag_limits lim = {
        .max_bytes = (size_t)(1 + ((cfg >> 1) & 7)) * 8192,
        .max_datagrams = 1 + ((cfg >> 4) & 7),
        .max_frags = 4 + (cfg >> 7) * 60,
        .timeout_v4_ns = 3000000000ull,
        .timeout_v6_ns = 6000000000ull,
    };
    ip_defrag *d = ip_defrag_create(&lim);
    if (!d)
        return 0;
    size_t i = 1, expired = 0;
    uint64_t now = 1;
    while (i < size) {
        uint8_t op = data[i++];
        if (op % 4 <= 1) {
            if (i + 5 > size)
                break;
            uint8_t sel = data[i];
            uint32_t off = ((uint32_t)data[i + 1] << 8 | data[i + 2]) & 0x1fff;
            size_t len = ((size_t)data[i + 3] << 8 | data[i + 4]) % 4096;
            i += 5;
            ip_frag f;
            memset(&f, 0, sizeof f);
            f.key.af = (sel & 1) ? 6 : 4;
            f.key.id = (sel >> 1) & 3;
            f.key.proto = (sel & 8) ? 47 : 6;
            f.key.src[0] = 10;
            f.key.dst[0] = 11;
            f.offset = off * 8;
            f.more = sel & 16;
            bool junk = junk_allowed && (sel & 32);
            for (size_t j = 0; j < len; j++)
                buf[j] = junk ? (uint8_t)(data[i - 1] + j * 31) : model(&f.key, f.offset + (uint32_t)j);
            f.data = buf;
            f.len = len;
            ip_defrag_result r;
            anomaly_set an;
            anomaly_clear(&an);
            ip_defrag_status s = ip_defrag_add(d, &f, now, &r, &an);
            if (s == IP_DEFRAG_COMPLETE) {
                if (r.len == 0 || r.len > 65535 || r.frags == 0)
                    abort();
                if (!junk_allowed)
                    for (size_t j = 0; j < r.len; j++)
                        if (r.data[j] != model(&r.key, (uint32_t)j))
                            abort();
            } else if (s == IP_DEFRAG_DROPPED && r.drop == IP_DEFRAG_DROP_NONE) {
                abort();
            }
            if (!junk_allowed && anomaly_has(&an, ANOMALY_REASM_IP_FRAGMENT_OVERLAP_CONFLICT))
                abort();
        } else if (op % 4 == 2) {
            if (i >= size)
                break;
            now += (uint64_t)data[i++] * 500000000ull;
            ip_defrag_expire(d, now, on_expired, &expired);
        } else {
            if (i >= size)
                break;
            now += (uint64_t)data[i++] * 1000000ull;
        }
        const ip_defrag_stats *st = ip_defrag_get_stats(d);
        if (st->bytes_in_use > lim.max_bytes || st->peak_bytes > lim.max_bytes ||
            st->datagrams_in_use > lim.max_datagrams)
            abort();
    }
    if (expired != ip_defrag_get_stats(d)->timeouts)
        abort();
    ip_defrag_destroy(d);
    return 0;
}
