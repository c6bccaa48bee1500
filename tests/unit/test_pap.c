/* test_pap.c - PAP codec (RFC 1334 section 2). */
#include <criterion/criterion.h>
#include <stdlib.h>
#include <string.h>

#include "auth_test_helpers.h"
#include "pap.h"

static const uint8_t req_vec[] = {0x01, 0x07, 0x00, 0x0e, 0x04, 'i', 'x', 'i', 'a',
                                  0x04, 'p',  'a',  's',  's'};
static const uint8_t ack_vec[] = {0x02, 0x08, 0x00, 0x0c, 0x07, 'W', 'e', 'l', 'c', 'o', 'm', 'e'};
static const uint8_t nak_vec[] = {0x03, 0x09, 0x00, 0x05, 0x00};

static dec_status dec(const uint8_t *b, size_t n, pap_msg *m, anomaly_set *an)
{
    cursor c;
    cursor_init(&c, b, n);
    if (an)
        anomaly_clear(an);
    return pap_decode(&c, m, an);
}

Test(pap, authenticate_request_vector)
{
    pap_msg m;
    anomaly_set an;
    cursor c;
    cursor_init(&c, req_vec, sizeof req_vec);
    anomaly_clear(&an);
    cr_assert_eq(pap_decode(&c, &m, &an), DEC_OK);
    cr_assert_eq(cursor_len(&c), 0);
    cr_assert_eq(m.code, PAP_AUTH_REQ);
    cr_assert_eq(m.id, 7);
    cr_assert_eq(m.length, 14);
    cr_assert_eq(m.peer_id_len, 4);
    cr_assert_str_eq(m.peer_id, "ixia");
    cr_assert_eq(m.password.len, 4);
    cr_assert_eq(memcmp(m.password.bytes_, "pass", 4), 0);
    cr_assert_not(anomaly_any(&an));
    cr_assert_str_eq(pap_code_name(m.code), "Authenticate-Request");
    secret_wipe(&m.password);
    cr_assert_eq(m.password.len, 0);
}

Test(pap, ack_and_nak_vectors)
{
    pap_msg m;
    cr_assert_eq(dec(ack_vec, sizeof ack_vec, &m, NULL), DEC_OK);
    cr_assert_eq(m.code, PAP_AUTH_ACK);
    cr_assert_eq(m.id, 8);
    cr_assert_eq(m.msg_len, 7);
    cr_assert_str_eq(m.message, "Welcome");
    cr_assert_eq(m.password.len, 0);
    cr_assert_eq(dec(nak_vec, sizeof nak_vec, &m, NULL), DEC_OK);
    cr_assert_eq(m.code, PAP_AUTH_NAK);
    cr_assert_eq(m.msg_len, 0);
    cr_assert_str_eq(m.message, "");
    cr_assert_str_eq(pap_code_name(2), "Authenticate-Ack");
    cr_assert_str_eq(pap_code_name(3), "Authenticate-Nak");
    cr_assert_str_eq(pap_code_name(0), "unknown");
}

Test(pap, every_prefix_is_truncated)
{
    const uint8_t *vecs[] = {req_vec, ack_vec, nak_vec};
    size_t lens[] = {sizeof req_vec, sizeof ack_vec, sizeof nak_vec};
    for (int v = 0; v < 3; v++) {
        for (size_t n = 0; n < lens[v]; n++) {
            uint8_t *copy = malloc(n ? n : 1); /* exact-size heap copy: ASan sees over-reads */
            memcpy(copy, vecs[v], n);
            pap_msg m;
            cr_assert_eq(dec(copy, n, &m, NULL), DEC_TRUNCATED, "vector %d prefix %zu", v, n);
            cr_assert_eq(m.password.len, 0, "no partial password left behind");
            free(copy);
        }
    }
}

Test(pap, malformed_lengths)
{
    pap_msg m;
    anomaly_set an;
    /* Length below the header size */
    static const uint8_t short_len[] = {0x01, 0x01, 0x00, 0x03, 0x00};
    cr_assert_eq(dec(short_len, sizeof short_len, &m, &an), DEC_MALFORMED);
    /* Peer-ID Length runs past Length */
    static const uint8_t pid_over[] = {0x01, 0x01, 0x00, 0x08, 0x09, 'a', 'b', 'c', 'd', 0, 0, 0, 0, 0, 0};
    cr_assert_eq(dec(pid_over, sizeof pid_over, &m, &an), DEC_MALFORMED);
    /* Passwd-Length runs past Length */
    static const uint8_t pw_over[] = {0x01, 0x01, 0x00, 0x08, 0x01, 'a', 0x05, 'x', 'y', 'z', 0, 0};
    cr_assert_eq(dec(pw_over, sizeof pw_over, &m, &an), DEC_MALFORMED);
    cr_assert_eq(m.password.len, 0);
    /* Request with no Passwd-Length octet inside Length */
    static const uint8_t no_pw[] = {0x01, 0x01, 0x00, 0x06, 0x01, 'a', 0x00};
    cr_assert_eq(dec(no_pw, sizeof no_pw, &m, &an), DEC_MALFORMED);
    /* Msg-Length runs past Length */
    static const uint8_t msg_over[] = {0x02, 0x01, 0x00, 0x06, 0x04, 'o', 'k', 0, 0};
    cr_assert_eq(dec(msg_over, sizeof msg_over, &m, &an), DEC_MALFORMED);
    /* Ack with Length 4: no Msg-Length */
    static const uint8_t ack4[] = {0x02, 0x01, 0x00, 0x04};
    cr_assert_eq(dec(ack4, sizeof ack4, &m, &an), DEC_MALFORMED);
    /* Length beyond the captured bytes is truncation, not malformation */
    static const uint8_t long_len[] = {0x02, 0x01, 0x00, 0x40, 0x02, 'o', 'k'};
    cr_assert_eq(dec(long_len, sizeof long_len, &m, &an), DEC_TRUNCATED);
}

Test(pap, padding_after_length_is_left_and_trailing_inside_is_flagged)
{
    uint8_t b[sizeof req_vec + 3];
    memcpy(b, req_vec, sizeof req_vec);
    b[sizeof req_vec] = 0xaa; /* PPP padding after the packet */
    b[sizeof req_vec + 1] = 0xbb;
    b[sizeof req_vec + 2] = 0xcc;
    cursor c;
    cursor_init(&c, b, sizeof b);
    pap_msg m;
    anomaly_set an;
    anomaly_clear(&an);
    cr_assert_eq(pap_decode(&c, &m, &an), DEC_OK);
    cr_assert_eq(cursor_len(&c), 3, "bytes after Length are not consumed");
    cr_assert_not(anomaly_any(&an));
    /* now make Length cover 2 extra bytes */
    b[3] = 0x10;
    cursor_init(&c, b, sizeof b);
    cr_assert_eq(pap_decode(&c, &m, &an), DEC_OK);
    cr_assert(anomaly_has(&an, ANOMALY_PAP_TRAILING_DATA));
    cr_assert_str_eq(m.peer_id, "ixia");
}

Test(pap, unknown_code_and_peer_id_oddities)
{
    pap_msg m;
    anomaly_set an;
    static const uint8_t unk[] = {0x09, 0x01, 0x00, 0x07, 0xde, 0xad, 0xbe};
    cr_assert_eq(dec(unk, sizeof unk, &m, &an), DEC_OK);
    cr_assert(anomaly_has(&an, ANOMALY_PAP_UNKNOWN_CODE));
    cr_assert_eq(m.data_len, 3);
    cr_assert_eq(m.data[0], 0xde);
    static const uint8_t nul[] = {0x01, 0x01, 0x00, 0x09, 0x03, 'a', 0x00, 'b', 0x00};
    cr_assert_eq(dec(nul, sizeof nul, &m, &an), DEC_OK);
    cr_assert(anomaly_has(&an, ANOMALY_PAP_PEER_ID_NUL));
    cr_assert_eq(m.peer_id_len, 3, "the true length is kept");
    cr_assert_str_eq(m.peer_id, "a");
    static const uint8_t empty[] = {0x01, 0x01, 0x00, 0x06, 0x00, 0x00};
    cr_assert_eq(dec(empty, sizeof empty, &m, &an), DEC_OK);
    cr_assert(anomaly_has(&an, ANOMALY_PAP_PEER_ID_EMPTY));
    cr_assert_str_eq(m.peer_id, "");
    cr_assert_eq(m.password.len, 0);
}

Test(pap, longest_fields_fit)
{
    uint8_t b[4 + 1 + 255 + 1 + 255];
    b[0] = 1;
    b[1] = 2;
    b[2] = (uint8_t)(sizeof b >> 8);
    b[3] = (uint8_t)sizeof b;
    b[4] = 255;
    memset(b + 5, 'u', 255);
    b[260] = 255;
    memset(b + 261, 'p', 255);
    pap_msg m;
    cr_assert_eq(dec(b, sizeof b, &m, NULL), DEC_OK);
    cr_assert_eq(m.peer_id_len, 255);
    cr_assert_eq(strlen(m.peer_id), 255);
    cr_assert_eq(m.password.len, 255);
    cr_assert_eq(m.password.bytes_[254], 'p');
}

static void rand_str(char *s, size_t maxlen)
{
    size_t n = (size_t)rand() % (maxlen + 1);
    for (size_t i = 0; i < n; i++)
        s[i] = (char)(1 + rand() % 255); /* any non-NUL byte */
    s[n] = 0;
}

Test(pap, random_round_trips)
{
    srand(42);
    for (int it = 0; it < 3000; it++) {
        pap_msg m, d;
        memset(&m, 0, sizeof m);
        m.code = (uint8_t)(1 + rand() % 3);
        m.id = (uint8_t)rand();
        if (m.code == PAP_AUTH_REQ) {
            rand_str(m.peer_id, 255);
            uint8_t p[255];
            size_t pl = (size_t)rand() % 256;
            for (size_t i = 0; i < pl; i++)
                p[i] = (uint8_t)rand();
            secret_set(&m.password, p, pl);
        } else {
            rand_str(m.message, 255);
        }
        uint8_t buf[1024];
        wbuf w;
        wbuf_init(&w, buf, sizeof buf);
        cr_assert(pap_encode(&w, &m));
        cursor c;
        cursor_init(&c, buf, wbuf_len(&w));
        anomaly_set an;
        anomaly_clear(&an);
        cr_assert_eq(pap_decode(&c, &d, &an), DEC_OK);
        cr_assert_eq(cursor_len(&c), 0);
        cr_assert_eq(d.code, m.code);
        cr_assert_eq(d.id, m.id);
        cr_assert_eq(d.length, wbuf_len(&w));
        cr_assert_str_eq(d.peer_id, m.peer_id);
        cr_assert_eq(d.peer_id_len, strlen(m.peer_id));
        cr_assert_eq(d.password.len, m.password.len);
        cr_assert_eq(memcmp(d.password.bytes_, m.password.bytes_, m.password.len), 0);
        cr_assert_str_eq(d.message, m.message);
        cr_assert_eq(d.msg_len, strlen(m.message));
        cr_assert_not(anomaly_has(&an, ANOMALY_PAP_TRAILING_DATA));
    }
}

Test(pap, encode_vectors_overflow_and_raw_length)
{
    pap_msg m;
    memset(&m, 0, sizeof m);
    m.code = PAP_AUTH_REQ;
    m.id = 7;
    strcpy(m.peer_id, "ixia");
    secret_set(&m.password, (const uint8_t *)"pass", 4);
    uint8_t buf[64];
    wbuf w;
    wbuf_init(&w, buf, sizeof buf);
    cr_assert(pap_encode(&w, &m));
    cr_assert_eq(wbuf_len(&w), sizeof req_vec);
    cr_assert_eq(memcmp(buf, req_vec, sizeof req_vec), 0);
    /* too small a buffer */
    wbuf_init(&w, buf, 10);
    cr_assert_not(pap_encode(&w, &m));
    /* fault injection: a lying Length decodes as malformed */
    m.raw_length = 9;
    wbuf_init(&w, buf, sizeof buf);
    cr_assert(pap_encode(&w, &m));
    cr_assert_eq(buf[3], 9);
    pap_msg d;
    cursor c;
    cursor_init(&c, buf, wbuf_len(&w));
    cr_assert_eq(pap_decode(&c, &d, NULL), DEC_MALFORMED);
    /* ack */
    memset(&m, 0, sizeof m);
    m.code = PAP_AUTH_ACK;
    m.id = 8;
    strcpy(m.message, "Welcome");
    wbuf_init(&w, buf, sizeof buf);
    cr_assert(pap_encode(&w, &m));
    cr_assert_eq(wbuf_len(&w), sizeof ack_vec);
    cr_assert_eq(memcmp(buf, ack_vec, sizeof ack_vec), 0);
}

Test(pap, tshark_cross_check)
{
    if (!tshark_available())
        cr_skip("tshark not installed");
    char path[4096];
    scratch_path("auth_pap.pcap", path, sizeof path);
    pcapw *w = pcapw_open(path, 1);
    cr_assert_not_null(w);
    srand(7);
    char ids[20][32];
    char msgs[20][32];
    uint8_t buf[600];
    for (int i = 0; i < 20; i++) {
        pap_msg m;
        memset(&m, 0, sizeof m);
        m.code = (uint8_t)(1 + i % 3);
        m.id = (uint8_t)(i + 1);
        snprintf(ids[i], sizeof ids[i], "user%d", rand() % 100000);
        snprintf(msgs[i], sizeof msgs[i], "msg %d", rand() % 1000);
        if (m.code == PAP_AUTH_REQ) {
            strcpy(m.peer_id, ids[i]);
            secret_set(&m.password, (const uint8_t *)"pw-x", 4);
        } else {
            strcpy(m.message, msgs[i]);
        }
        wbuf wb;
        wbuf_init(&wb, buf, sizeof buf);
        cr_assert(pap_encode(&wb, &m));
        cr_assert_eq(auth_write_gre_ppp(w, 1000000u + (uint64_t)i, 0x1234, (uint32_t)i, 0xc023, buf, wbuf_len(&wb)), 0);
    }
    pcapw_close(w);
    cr_assert_eq(tshark_malformed_count(path), 0);
    const char *fields[] = {"pap.code", "pap.identifier", "pap.length", "pap.peer_id", "pap.password",
                            "pap.message", NULL};
    char *out = tshark_fields(path, "pap", fields);
    cr_assert_not_null(out);
    char *lines[32];
    size_t n = auth_lines(out, lines, 32);
    cr_assert_eq(n, 20);
    for (int i = 0; i < 20; i++) {
        char want[128];
        int code = 1 + i % 3;
        if (code == 1)
            snprintf(want, sizeof want, "%d|%d|%zu|%s|pw-x|", code, i + 1, 4 + 1 + strlen(ids[i]) + 1 + 4,
                     ids[i]);
        else
            snprintf(want, sizeof want, "%d|%d|%zu|||%s", code, i + 1, 4 + 1 + strlen(msgs[i]), msgs[i]);
        cr_assert_str_eq(lines[i], want);
    }
    free(out);
}

/* packetlife: PAP with user "ixia" (password "ixia") */
typedef struct pl_ctx {
    int requests, acks;
    char peer[PAP_STR_MAX];
    uint8_t pwlen;
    uint8_t pw0;
} pl_ctx;

static bool pl_cb(void *v, const auth_ppp_frame *f)
{
    pl_ctx *c = v;
    if (f->proto != 0xc023)
        return true;
    cursor cur;
    cursor_init(&cur, f->info, f->info_len);
    pap_msg m;
    anomaly_set an;
    anomaly_clear(&an);
    cr_assert_eq(pap_decode(&cur, &m, &an), DEC_OK, "frame %u", f->frame_no);
    cr_assert_not(anomaly_any(&an));
    if (m.code == PAP_AUTH_REQ) {
        c->requests++;
        strcpy(c->peer, m.peer_id);
        c->pwlen = m.password.len;
        c->pw0 = m.password.bytes_[0];
    } else if (m.code == PAP_AUTH_ACK) {
        c->acks++;
    }
    secret_wipe(&m.password);
    return true;
}

Test(pap, packetlife_capture_peer_id_ixia)
{
    char path[4096];
    if (!external_pcap("packetlife__PPTP_negotiation.cap", path, sizeof path))
        cr_skip("external capture packetlife__PPTP_negotiation.cap not present");
    pl_ctx c;
    memset(&c, 0, sizeof c);
    cr_assert_gt(auth_walk_ppp(path, pl_cb, &c), 0);
    cr_assert_eq(c.requests, 1);
    cr_assert_eq(c.acks, 1);
    cr_assert_str_eq(c.peer, "ixia");
    cr_assert_eq(c.pwlen, 4);
    cr_assert_eq(c.pw0, 'i');
}
