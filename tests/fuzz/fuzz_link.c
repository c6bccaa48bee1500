/* fuzz_link.c - link_decode() for every supported DLT (first byte picks it), then
 * the per-layer decoders directly; checks that payloads stay inside the input and
 * that a decoded frame re-encodes without trouble. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "link.h"

static const int dlts[] = {0, 1, 12, 14, 101, 105, 108, 113, 127, 228, 229, 276, 9};

static void inside(const cursor *p, const uint8_t *data, size_t size)
{
    if (cursor_len(p) && (cursor_data(p) < data || cursor_data(p) + cursor_len(p) > data + size))
        abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size < 1)
        return 0;
    int dlt = dlts[data[0] % (sizeof dlts / sizeof dlts[0])];
    bool exact = data[0] & 0x80;
    data++;
    size--;
    cursor c, p;
    struct link_info li;
    anomaly_set an;
    anomaly_clear(&an);
    if (exact)
        cursor_init_exact(&c, data, size);
    else
        cursor_init(&c, data, size);
    dec_status st = link_decode(dlt, &c, &li, &p, &an);
    inside(&p, data, size);
    if (st == DEC_OK) {
        if (li.n_vlans > LINK_MAX_VLANS)
            abort();
        if (li.next_proto == 0 && li.skip == LINK_SKIP_NONE)
            abort(); /* nothing to route must say why */
        uint8_t out[256];
        wbuf w;
        wbuf_init(&w, out, sizeof out);
        link_encode(dlt, &w, &li);
        /* the caller may keep walking VLAN tags past the limit */
        if (vlan_tpid(li.next_proto)) {
            struct vlan_tag t;
            cursor q;
            vlan_decode(&p, li.next_proto, &t, &q, &an);
            inside(&q, data, size);
        }
    }
    /* the per-layer entry points on the same bytes */
    struct ether_hdr eh;
    struct sll_hdr sh;
    struct wlan_hdr wh;
    struct radiotap_hdr rh;
    struct llc_hdr lh;
    struct null_hdr nh;
    cursor_init(&c, data, size);
    ether_decode(&c, &eh, &p, &an);
    inside(&p, data, size);
    cursor_init(&c, data, size);
    sll_decode(&c, &sh, &p, &an);
    inside(&p, data, size);
    cursor_init(&c, data, size);
    sll2_decode(&c, &sh, &p, &an);
    inside(&p, data, size);
    cursor_init(&c, data, size);
    wlan_decode(&c, &wh, &p, &an);
    inside(&p, data, size);
    cursor_init(&c, data, size);
    radiotap_decode(&c, &rh, &p, &an);
    inside(&p, data, size);
    cursor_init_exact(&c, data, size);
    llc_decode(&c, &lh, &p);
    inside(&p, data, size);
    cursor_init(&c, data, size);
    null_decode(&c, false, &nh, &p);
    inside(&p, data, size);
    return 0;
}
