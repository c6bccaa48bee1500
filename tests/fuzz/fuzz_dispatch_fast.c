/* fuzz_dispatch_fast.c - any bytes as an Ethernet frame: whenever the dispatcher's
 * fast path takes it, the full decoders must decode it without any anomaly and
 * fill struct pkt the same way (a differential check; abort() on disagreement). */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "../util/pkt_same.h"
#include "dispatch.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct pkt a, b;
    memset(&a, 0x5a, sizeof a);
    memset(&b, 0xa5, sizeof b);
    if (!dispatch_fast(1, data, size, &a))
        return 0;
    if (dispatch_packet_full(1, data, size, &b) != PKT_GRE || b.status != DEC_OK)
        abort();
    for (int w = 0; w < ANOMALY_WORDS; w++)
        if (b.an.bits[w])
            abort();
    if (pkt_same(&a, &b))
        abort();
    return 0;
}
