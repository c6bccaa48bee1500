/* fuzz_dispatch.c - any bytes as a captured frame of any supported link type,
 * decoded through every layer the dispatcher routes to. */
#include <stddef.h>
#include <stdint.h>

#include "dispatch.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static const int dlts[] = {0, 1, 12, 101, 105, 108, 113, 127, 228, 229, 276};
    if (size < 1)
        return 0;
    struct pkt p;
    int dlt = dlts[data[0] % (sizeof dlts / sizeof dlts[0])];
    enum pkt_kind k = dispatch_packet(dlt, data + 1, size - 1, &p);
    if (k == PKT_IP_FRAGMENT && cursor_len(&p.l4) > 0)
        dispatch_l4(&p, p.proto, cursor_data(&p.l4), cursor_len(&p.l4), true);
    return 0;
}
