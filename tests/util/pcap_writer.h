/*
 * pcap_writer.h - test helper: write frames into a classic pcap file, and build
 * Ethernet/IPv4 frames around TCP or GRE payloads with correct checksums, so that
 * encoded messages can be handed to tshark or to the sensor.
 */
#ifndef PPTP_TEST_PCAP_WRITER_H
#define PPTP_TEST_PCAP_WRITER_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

typedef struct pcapw {
    FILE *f;
    int linktype;
} pcapw;

/* Open path for writing (DLT linktype, snaplen 262144). Returns NULL on error. */
pcapw *pcapw_open(const char *path, int linktype);
/* Write one frame with a microsecond timestamp. Returns 0 or -1. */
int pcapw_write(pcapw *w, uint64_t ts_usec, const uint8_t *frame, size_t len);
/* Write an Ethernet/IPv4 frame carrying proto/payload (e.g. 47 = GRE). Addresses are
 * host-order IPv4 (0x0a000001 = 10.0.0.1). */
int pcapw_write_ip4(pcapw *w, uint64_t ts_usec, uint32_t src, uint32_t dst, uint8_t proto,
                    const uint8_t *payload, size_t len);
/* Write an Ethernet/IPv4/TCP frame. flags: TCP flag byte (0x18 = PSH|ACK). */
int pcapw_write_tcp4(pcapw *w, uint64_t ts_usec, uint32_t src, uint32_t dst, uint16_t sport,
                     uint16_t dport, uint32_t seq, uint32_t ack, uint8_t flags,
                     const uint8_t *payload, size_t len);
/* Write an Ethernet/IPv4/GRE v1 (K and S) frame carrying one MPPE-encrypted-looking
 * PPP frame (ff 03 00 fd, MPPE header with the low 12 bits of seq as coherency count)
 * of mppe_len payload bytes, each `fill`.  The shape of PPTP data traffic. */
int pcapw_write_gre_mppe(pcapw *w, uint64_t ts_usec, uint32_t src, uint32_t dst, uint16_t call_id, uint32_t seq,
                         size_t mppe_len, uint8_t fill);
/* Build an IPv4 header + payload into out (cap bytes). Returns length or 0. */
size_t pcapw_build_ip4(uint8_t *out, size_t cap, uint32_t src, uint32_t dst, uint8_t proto,
                       uint16_t ip_id, uint16_t frag_field, const uint8_t *payload, size_t len);
void pcapw_close(pcapw *w);

/* Internet checksum (RFC 1071) over len bytes, starting from sum. */
uint16_t inet_csum(const uint8_t *p, size_t len, uint32_t sum);

#endif
