/* fuzz_tcp_reasm.c - the input is a script of operations on one tcp_stream with
 * small limits (so they are hit):
 *   byte 0: bit0 "junk allowed" (segments may carry bytes that disagree with
 *           earlier ones), bits 1-7 pick the limits.
 *   then op records: op byte, then op-specific bytes
 *     op%8 0-3: segment:  rel(2, signed, from next_seq) flags(1) len(2)
 *     op%8 4:   consume n(1)          op%8 5: discard n(1)
 *     op%8 6:   skip_gap              op%8 7: ack(2, signed, from next_seq) ->
 *                                              ack_beyond, skip_to when beyond
 * Invariants: held out-of-order data and the ready buffer never exceed their
 * limits; without junk, every ready byte that is contiguous with next_seq equals
 * the model byte for its sequence number (bytes land where they belong) and no
 * overlap conflict is ever reported. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "tcp_reasm.h"

static uint8_t model(uint32_t seq) { return (uint8_t)((seq * 2654435761u) >> 11); }

static uint8_t buf[4096];

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size < 1)
        return 0;
    uint8_t cfg = data[0];
    bool junk_allowed = cfg & 1;
    tcp_stream_limits lim = {
        .max_ooo_bytes = 256u << ((cfg >> 1) & 3),
        .max_ooo_segs = 2 + ((cfg >> 3) & 7) * 4,
        .max_ready_bytes = 512u << ((cfg >> 6) & 3),
    };
    tcp_stream st;
    tcp_stream_init(&st, &lim);
    uint32_t base = 0x7ffffff0u ^ ((uint32_t)cfg << 25); /* near the wrap sometimes */
    size_t i = 1;
    uint64_t now = 0;
    while (i < size) {
        uint8_t op = data[i++];
        anomaly_set an;
        anomaly_clear(&an);
        uint32_t next = st.synced ? st.next_seq : base;
        switch (op % 8) {
        case 0: case 1: case 2: case 3: {
            if (i + 5 > size)
                goto out;
            int16_t rel = (int16_t)((uint16_t)data[i] << 8 | data[i + 1]);
            uint8_t flags = data[i + 2];
            size_t len = ((size_t)data[i + 3] << 8 | data[i + 4]) % sizeof buf;
            i += 5;
            uint32_t seq = next + (uint32_t)(int32_t)rel;
            uint32_t dseq = seq + ((flags & TCP_STREAM_SYN) ? 1u : 0u);
            bool junk = junk_allowed && (flags & 0x80);
            for (size_t j = 0; j < len; j++)
                buf[j] = junk ? (uint8_t)(flags + j) : model(dseq + (uint32_t)j);
            now += 1000;
            tcp_stream_add(&st, seq, flags, buf, len, now, &an);
            break;
        }
        case 4:
            if (i >= size)
                goto out;
            tcp_stream_consume(&st, data[i++]);
            break;
        case 5:
            if (i >= size)
                goto out;
            tcp_stream_discard(&st, data[i++]);
            break;
        case 6:
            tcp_stream_skip_gap(&st, &an);
            break;
        default: {
            if (i + 2 > size)
                goto out;
            int16_t rel = (int16_t)((uint16_t)data[i] << 8 | data[i + 1]);
            i += 2;
            uint32_t ack = next + (uint32_t)(int32_t)rel;
            if (tcp_stream_ack_beyond(&st, ack))
                tcp_stream_skip_to(&st, ack, &an);
            break;
        }
        }
        if (st.ooo_bytes > lim.max_ooo_bytes || st.ooo_segs > lim.max_ooo_segs ||
            st.rd_len > lim.max_ready_bytes || st.buf_cap > lim.max_ready_bytes ||
            st.rd_contig > st.rd_len)
            abort();
        if (tcp_stream_mem(&st) > (size_t)lim.max_ready_bytes + lim.max_ooo_bytes + lim.max_ooo_segs * 32u)
            abort();
        if (!junk_allowed) {
            if (anomaly_has(&an, ANOMALY_REASM_TCP_OVERLAP_CONFLICT))
                abort();
            const uint8_t *p;
            size_t n;
            tcp_stream_peek(&st, &p, &n);
            for (uint32_t k = 0; k < st.rd_contig; k++)
                if (p[n - st.rd_contig + k] != model(st.next_seq - st.rd_contig + k))
                    abort();
        }
    }
out:
    tcp_stream_destroy(&st);
    return 0;
}
