/* test_eap.c - EAP codec (RFC 3748) incl. MD5-Challenge, Nak, TLS flags,
 * EAP-MSCHAPv2 framing and Expanded types. */
#include <criterion/criterion.h>
#include <stdlib.h>
#include <string.h>

#include "auth_test_helpers.h"
#include "eap.h"
#include "names.h"

static const uint8_t ident_vec[] = {2, 1, 0, 10, 1, 'u', 's', 'e', 'r', '1'};
static const uint8_t ident_req_vec[] = {1, 1, 0, 5, 1};
static const uint8_t notif_vec[] = {1, 2, 0, 10, 2, 'h', 'e', 'l', 'l', 'o'};
static const uint8_t nak_vec[] = {2, 3, 0, 7, 3, 26, 25};
static const uint8_t md5_vec[] = {1, 4, 0, 25, 4, 16, 0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15,
                                  's', 'r', 'v'};
static const uint8_t tls_start_vec[] = {1, 5, 0, 6, 13, 0x20};
static const uint8_t tls_len_vec[] = {1, 6, 0, 11, 25, 0xc0, 0x00, 0x00, 0x10, 0x00, 0x16};
static const uint8_t ms_chal_vec[] = {1, 7, 0, 29, 26, 1, 7, 0, 24, 16, 0xa0, 0xa1, 0xa2, 0xa3, 0xa4,
                                      0xa5, 0xa6, 0xa7, 0xa8, 0xa9, 0xaa, 0xab, 0xac, 0xad, 0xae, 0xaf,
                                      's', 'r', 'v'};
static const uint8_t ms_succ_req_vec[] = {1, 8, 0, 19, 26, 3, 7, 0, 14, 'S', '=', 'x', ' ', 'M', '=', 'o', 'k', 0x21, 0x21};
static const uint8_t ms_succ_resp_vec[] = {2, 8, 0, 6, 26, 3};
static const uint8_t expanded_vec[] = {1, 9, 0, 14, 254, 0x00, 0x37, 0x2a, 0, 0, 0, 1, 0xde, 0xad};
static const uint8_t success_vec[] = {3, 10, 0, 4};
static const uint8_t failure_vec[] = {4, 11, 0, 4};

static dec_status dec(const uint8_t *b, size_t n, eap_msg *m, anomaly_set *an)
{
    cursor c;
    cursor_init(&c, b, n);
    if (an)
        anomaly_clear(an);
    return eap_decode(&c, m, an);
}

Test(eap, identity_vectors)
{
    eap_msg m;
    anomaly_set an;
    cr_assert_eq(dec(ident_vec, sizeof ident_vec, &m, &an), DEC_OK);
    cr_assert_eq(m.code, EAP_RESPONSE);
    cr_assert_eq(m.id, 1);
    cr_assert_eq(m.length, 10);
    cr_assert_eq(m.type, EAP_TYPE_IDENTITY);
    cr_assert_eq(m.text_len, 5);
    cr_assert_eq(m.text, ident_vec + 5);
    cr_assert_str_eq(m.text_str, "user1");
    cr_assert_not(anomaly_any(&an));
    cr_assert_str_eq(eap_code_name(m.code), "Response");
    cr_assert_str_eq(eap_type_name(m.type), "identity");
    cr_assert_eq(dec(ident_req_vec, sizeof ident_req_vec, &m, &an), DEC_OK);
    cr_assert_eq(m.code, EAP_REQUEST);
    cr_assert_eq(m.text_len, 0);
    cr_assert_str_eq(m.text_str, "");
}

Test(eap, notification_nak_md5_vectors)
{
    eap_msg m;
    anomaly_set an;
    cr_assert_eq(dec(notif_vec, sizeof notif_vec, &m, &an), DEC_OK);
    cr_assert_eq(m.type, EAP_TYPE_NOTIFICATION);
    cr_assert_str_eq(m.text_str, "hello");
    cr_assert_eq(dec(nak_vec, sizeof nak_vec, &m, &an), DEC_OK);
    cr_assert_eq(m.type, EAP_TYPE_NAK);
    cr_assert_eq(m.nak_count, 2);
    cr_assert_eq(m.nak_types[0], EAP_TYPE_MSCHAPV2);
    cr_assert_eq(m.nak_types[1], EAP_TYPE_PEAP);
    cr_assert_not(anomaly_any(&an));
    cr_assert_eq(dec(md5_vec, sizeof md5_vec, &m, &an), DEC_OK);
    cr_assert_eq(m.type, EAP_TYPE_MD5);
    cr_assert_eq(m.value_size, 16);
    cr_assert_eq(m.value, md5_vec + 6);
    cr_assert_eq(m.value[15], 15);
    cr_assert_eq(m.name_len, 3);
    cr_assert_eq(memcmp(m.name, "srv", 3), 0);
    cr_assert_str_eq(m.text_str, "srv");
    cr_assert_str_eq(eap_type_name(m.type), "md5");
}

Test(eap, tls_and_peap_flags)
{
    eap_msg m;
    cr_assert_eq(dec(tls_start_vec, sizeof tls_start_vec, &m, NULL), DEC_OK);
    cr_assert_eq(m.type, EAP_TYPE_TLS);
    cr_assert_eq(m.tls_flags, EAP_TLS_FLAG_S);
    cr_assert_eq(dec(tls_len_vec, sizeof tls_len_vec, &m, NULL), DEC_OK);
    cr_assert_eq(m.type, EAP_TYPE_PEAP);
    cr_assert_eq(m.tls_flags, EAP_TLS_FLAG_L | EAP_TLS_FLAG_M);
    cr_assert_eq(m.tls_length, 0x1000);
    cr_assert_eq(m.type_data_len, 6);
    cr_assert_str_eq(eap_type_name(m.type), "peap");
}

Test(eap, mschapv2_framing)
{
    eap_msg m;
    anomaly_set an;
    cr_assert_eq(dec(ms_chal_vec, sizeof ms_chal_vec, &m, &an), DEC_OK);
    cr_assert_eq(m.type, EAP_TYPE_MSCHAPV2);
    cr_assert_eq(m.ms_opcode, EAP_MSCHAPV2_CHALLENGE);
    cr_assert_eq(m.ms_id, 7);
    cr_assert_eq(m.ms_length, 24);
    cr_assert_eq(m.value_size, 16);
    cr_assert_eq(m.value[0], 0xa0);
    cr_assert_eq(m.name_len, 3);
    cr_assert_str_eq(m.text_str, "srv");
    cr_assert_not(anomaly_any(&an));
    cr_assert_str_eq(eap_type_name(m.type), "mschapv2");
    cr_assert_eq(dec(ms_succ_req_vec, sizeof ms_succ_req_vec, &m, &an), DEC_OK);
    cr_assert_eq(m.ms_opcode, EAP_MSCHAPV2_SUCCESS);
    cr_assert_eq(m.ms_message_len, 10);
    cr_assert_eq(memcmp(m.ms_message, "S=x M=ok!!", 10), 0);
    cr_assert_not(anomaly_any(&an));
    cr_assert_eq(dec(ms_succ_resp_vec, sizeof ms_succ_resp_vec, &m, &an), DEC_OK);
    cr_assert_eq(m.ms_opcode, EAP_MSCHAPV2_SUCCESS);
    cr_assert_eq(m.ms_length, 0);
    /* MS-Length that disagrees with the EAP Length */
    uint8_t b[sizeof ms_chal_vec];
    memcpy(b, ms_chal_vec, sizeof b);
    b[8] = 99;
    cr_assert_eq(dec(b, sizeof b, &m, &an), DEC_OK);
    cr_assert(anomaly_has(&an, ANOMALY_EAP_MSCHAPV2_LENGTH));
    /* Value-Size past the end */
    memcpy(b, ms_chal_vec, sizeof b);
    b[9] = 40;
    cr_assert_eq(dec(b, sizeof b, &m, &an), DEC_MALFORMED);
}

Test(eap, expanded_success_failure)
{
    eap_msg m;
    anomaly_set an;
    cr_assert_eq(dec(expanded_vec, sizeof expanded_vec, &m, &an), DEC_OK);
    cr_assert_eq(m.type, EAP_TYPE_EXPANDED);
    cr_assert_eq(m.vendor_id, 0x372a);
    cr_assert_eq(m.vendor_type, 1);
    cr_assert_eq(m.type_data_len, 2);
    cr_assert_eq(m.type_data[0], 0xde);
    cr_assert_eq(dec(success_vec, sizeof success_vec, &m, &an), DEC_OK);
    cr_assert_eq(m.code, EAP_SUCCESS);
    cr_assert_eq(m.id, 10);
    cr_assert_not(anomaly_any(&an));
    cr_assert_eq(dec(failure_vec, sizeof failure_vec, &m, &an), DEC_OK);
    cr_assert_eq(m.code, EAP_FAILURE);
    cr_assert_str_eq(eap_code_name(m.code), "Failure");
    static const uint8_t succ_data[] = {3, 1, 0, 6, 0xaa, 0xbb};
    cr_assert_eq(dec(succ_data, sizeof succ_data, &m, &an), DEC_OK);
    cr_assert(anomaly_has(&an, ANOMALY_EAP_SUCCESS_FAILURE_DATA));
    static const uint8_t unk[] = {7, 1, 0, 6, 0xaa, 0xbb};
    cr_assert_eq(dec(unk, sizeof unk, &m, &an), DEC_OK);
    cr_assert(anomaly_has(&an, ANOMALY_EAP_UNKNOWN_CODE));
    cr_assert_eq(m.type_data_len, 2);
    cr_assert_str_eq(eap_code_name(7), "unknown");
}

Test(eap, every_prefix_is_truncated)
{
    const uint8_t *vecs[] = {ident_vec, ident_req_vec, notif_vec, nak_vec, md5_vec, tls_start_vec, tls_len_vec,
                             ms_chal_vec, ms_succ_req_vec, ms_succ_resp_vec, expanded_vec, success_vec};
    size_t lens[] = {sizeof ident_vec, sizeof ident_req_vec, sizeof notif_vec, sizeof nak_vec, sizeof md5_vec,
                     sizeof tls_start_vec, sizeof tls_len_vec, sizeof ms_chal_vec, sizeof ms_succ_req_vec,
                     sizeof ms_succ_resp_vec, sizeof expanded_vec, sizeof success_vec};
    for (size_t v = 0; v < ARRAY_LEN(vecs); v++)
        for (size_t n = 0; n < lens[v]; n++) {
            uint8_t *copy = malloc(n ? n : 1);
            memcpy(copy, vecs[v], n);
            eap_msg m;
            cr_assert_eq(dec(copy, n, &m, NULL), DEC_TRUNCATED, "vector %zu prefix %zu", v, n);
            free(copy);
        }
}

Test(eap, malformed_lengths_and_anomalies)
{
    eap_msg m;
    anomaly_set an;
    static const uint8_t short_len[] = {1, 1, 0, 3, 1};
    cr_assert_eq(dec(short_len, sizeof short_len, &m, &an), DEC_MALFORMED);
    static const uint8_t no_type[] = {1, 1, 0, 4, 1, 2, 3};
    cr_assert_eq(dec(no_type, sizeof no_type, &m, &an), DEC_MALFORMED, "Request without a Type");
    static const uint8_t md5_over[] = {1, 1, 0, 8, 4, 16, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16};
    cr_assert_eq(dec(md5_over, sizeof md5_over, &m, &an), DEC_MALFORMED, "Value-Size past Length");
    static const uint8_t md5_none[] = {1, 1, 0, 5, 4};
    cr_assert_eq(dec(md5_none, sizeof md5_none, &m, &an), DEC_MALFORMED, "MD5 without Value-Size");
    static const uint8_t tls_short[] = {1, 1, 0, 8, 13, 0x80, 0, 0, 0, 0};
    cr_assert_eq(dec(tls_short, sizeof tls_short, &m, &an), DEC_MALFORMED, "L bit without 4 length octets");
    static const uint8_t exp_short[] = {1, 1, 0, 9, 254, 0, 0, 0, 0, 0};
    cr_assert_eq(dec(exp_short, sizeof exp_short, &m, &an), DEC_MALFORMED);
    static const uint8_t ms_short[] = {1, 1, 0, 7, 26, 1, 2};
    cr_assert_eq(dec(ms_short, sizeof ms_short, &m, &an), DEC_MALFORMED);
    static const uint8_t cap_short[] = {2, 1, 0, 40, 1, 'a'};
    cr_assert_eq(dec(cap_short, sizeof cap_short, &m, &an), DEC_TRUNCATED);
    static const uint8_t nak_req[] = {1, 1, 0, 6, 3, 4};
    cr_assert_eq(dec(nak_req, sizeof nak_req, &m, &an), DEC_OK);
    cr_assert(anomaly_has(&an, ANOMALY_EAP_NAK_IN_REQUEST));
    static const uint8_t nak_empty[] = {2, 1, 0, 5, 3};
    cr_assert_eq(dec(nak_empty, sizeof nak_empty, &m, &an), DEC_OK);
    cr_assert(anomaly_has(&an, ANOMALY_EAP_EMPTY_NAK));
    /* a Nak with 40 types keeps 32 and the true count */
    uint8_t big[5 + 40];
    big[0] = 2;
    big[1] = 1;
    big[2] = 0;
    big[3] = sizeof big;
    big[4] = 3;
    for (int i = 0; i < 40; i++)
        big[5 + i] = (uint8_t)(i + 1);
    cr_assert_eq(dec(big, sizeof big, &m, &an), DEC_OK);
    cr_assert_eq(m.nak_count, 40);
    cr_assert_eq(m.nak_types[EAP_NAK_MAX - 1], EAP_NAK_MAX);
    /* a long identity is cut, its true length kept; padding after Length is left */
    uint8_t id[5 + 400 + 2];
    id[0] = 2;
    id[1] = 9;
    id[2] = (uint8_t)((5 + 400) >> 8);
    id[3] = (uint8_t)(5 + 400);
    id[4] = 1;
    memset(id + 5, 'i', 400);
    id[405] = id[406] = 0;
    cursor c;
    cursor_init(&c, id, sizeof id);
    cr_assert_eq(eap_decode(&c, &m, NULL), DEC_OK);
    cr_assert_eq(cursor_len(&c), 2);
    cr_assert_eq(m.text_len, 400);
    cr_assert_eq(strlen(m.text_str), EAP_TEXT_MAX - 1);
}

Test(eap, type_names)
{
    static const struct {
        uint8_t t;
        const char *n;
    } tab[] = {{1, "identity"}, {2, "notification"}, {3, "nak"},     {4, "md5"},      {5, "otp"},
               {6, "gtc"},      {13, "tls"},         {17, "leap"},   {18, "sim"},     {21, "ttls"},
               {23, "aka"},     {25, "peap"},        {26, "mschapv2"}, {43, "fast"},  {47, "psk"},
               {49, "ikev2"},   {50, "aka-prime"},   {52, "pwd"},    {55, "teap"},    {254, "expanded"},
               {255, "experimental"}, {0, "unknown"}, {200, "unknown"}};
    for (size_t i = 0; i < ARRAY_LEN(tab); i++)
        cr_assert_str_eq(eap_type_name(tab[i].t), tab[i].n, "type %u", tab[i].t);
}

Test(eap, random_round_trips)
{
    srand(77);
    static uint8_t pool[1500];
    for (size_t i = 0; i < sizeof pool; i++)
        pool[i] = (uint8_t)rand();
    static const uint8_t types[] = {1, 2, 3, 4, 5, 6, 17, 18, 23, 254, 255, 99};
    for (int it = 0; it < 5000; it++) {
        eap_msg m, d;
        memset(&m, 0, sizeof m);
        m.code = (uint8_t)(1 + rand() % 4);
        m.id = (uint8_t)rand();
        if (m.code <= 2) {
            m.type = types[rand() % ARRAY_LEN(types)];
            if (m.type == 3 && m.code == 1)
                m.code = 2;
            switch (m.type) {
            case 1:
            case 2:
                m.text = pool + rand() % 500;
                m.text_len = (size_t)rand() % 300;
                break;
            case 3:
                m.nak_count = 1 + (size_t)rand() % EAP_NAK_MAX;
                for (size_t i = 0; i < m.nak_count; i++)
                    m.nak_types[i] = (uint8_t)rand();
                break;
            case 4:
                m.value_size = (uint8_t)rand();
                m.value = pool + rand() % 500;
                m.name = pool + rand() % 500;
                m.name_len = (size_t)rand() % 200;
                break;
            case 254:
                m.vendor_id = (uint32_t)rand() & 0xffffff;
                m.vendor_type = (uint32_t)rand();
                /* fall through */
            default:
                m.type_data = pool + rand() % 500;
                m.type_data_len = (size_t)rand() % 600;
                break;
            }
        }
        uint8_t buf[2048];
        wbuf w;
        wbuf_init(&w, buf, sizeof buf);
        cr_assert(eap_encode(&w, &m));
        cursor c;
        cursor_init(&c, buf, wbuf_len(&w));
        anomaly_set an;
        anomaly_clear(&an);
        cr_assert_eq(eap_decode(&c, &d, &an), DEC_OK, "iteration %d type %u", it, m.type);
        cr_assert_eq(cursor_len(&c), 0);
        cr_assert_eq(d.code, m.code);
        cr_assert_eq(d.id, m.id);
        cr_assert_eq(d.length, wbuf_len(&w));
        cr_assert_not(anomaly_has(&an, ANOMALY_EAP_SUCCESS_FAILURE_DATA));
        if (m.code > 2)
            continue;
        cr_assert_eq(d.type, m.type);
        switch (m.type) {
        case 1:
        case 2:
            cr_assert_eq(d.text_len, m.text_len);
            cr_assert_eq(memcmp(d.text, m.text, m.text_len), 0);
            break;
        case 3:
            cr_assert_eq(d.nak_count, m.nak_count);
            cr_assert_eq(memcmp(d.nak_types, m.nak_types, m.nak_count), 0);
            break;
        case 4:
            cr_assert_eq(d.value_size, m.value_size);
            cr_assert_eq(memcmp(d.value, m.value, m.value_size), 0);
            cr_assert_eq(d.name_len, m.name_len);
            cr_assert_eq(memcmp(d.name, m.name, m.name_len), 0);
            break;
        default:
            cr_assert_eq(d.vendor_id, m.vendor_id);
            cr_assert_eq(d.vendor_type, m.vendor_type);
            cr_assert_eq(d.type_data_len, m.type_data_len);
            cr_assert_eq(memcmp(d.type_data, m.type_data, m.type_data_len), 0);
            break;
        }
    }
}

Test(eap, encode_vectors_and_limits)
{
    eap_msg m;
    memset(&m, 0, sizeof m);
    m.code = EAP_RESPONSE;
    m.id = 1;
    m.type = EAP_TYPE_IDENTITY;
    m.text = (const uint8_t *)"user1";
    m.text_len = 5;
    uint8_t buf[64];
    wbuf w;
    wbuf_init(&w, buf, sizeof buf);
    cr_assert(eap_encode(&w, &m));
    cr_assert_eq(wbuf_len(&w), sizeof ident_vec);
    cr_assert_eq(memcmp(buf, ident_vec, sizeof ident_vec), 0);
    memset(&m, 0, sizeof m);
    m.code = EAP_SUCCESS;
    m.id = 10;
    wbuf_init(&w, buf, sizeof buf);
    cr_assert(eap_encode(&w, &m));
    cr_assert_eq(wbuf_len(&w), 4);
    cr_assert_eq(memcmp(buf, success_vec, 4), 0);
    memset(&m, 0, sizeof m);
    m.code = EAP_RESPONSE;
    m.type = EAP_TYPE_NAK;
    m.nak_count = EAP_NAK_MAX + 1;
    wbuf_init(&w, buf, sizeof buf);
    cr_assert_not(eap_encode(&w, &m), "more desired types than the array holds");
    m.nak_count = 2;
    m.nak_types[0] = 26;
    m.nak_types[1] = 25;
    m.id = 3;
    wbuf_init(&w, buf, sizeof buf);
    cr_assert(eap_encode(&w, &m));
    cr_assert_eq(memcmp(buf, nak_vec, sizeof nak_vec), 0);
    wbuf_init(&w, buf, 5);
    cr_assert_not(eap_encode(&w, &m));
    m.raw_length = 4;
    wbuf_init(&w, buf, sizeof buf);
    cr_assert(eap_encode(&w, &m));
    eap_msg d;
    cursor c;
    cursor_init(&c, buf, wbuf_len(&w));
    cr_assert_eq(eap_decode(&c, &d, NULL), DEC_MALFORMED, "Length 4 leaves no Type");
}

Test(eap, tshark_cross_check)
{
    if (!tshark_available())
        cr_skip("tshark not installed");
    char path[4096];
    scratch_path("auth_eap.pcap", path, sizeof path);
    pcapw *w = pcapw_open(path, 1);
    cr_assert_not_null(w);
    enum { N = 16 };
    char expect[N][256];
    uint8_t buf[600], val[16];
    srand(21);
    for (int i = 0; i < N; i++) {
        eap_msg m;
        memset(&m, 0, sizeof m);
        m.id = (uint8_t)(0x20 + i);
        char ident[32], hex[40];
        snprintf(ident, sizeof ident, "alice%d", rand() % 1000);
        int kind = i % 4;
        if (kind == 0) { /* Identity Response */
            m.code = EAP_RESPONSE;
            m.type = EAP_TYPE_IDENTITY;
            m.text = (const uint8_t *)ident;
            m.text_len = strlen(ident);
            snprintf(expect[i], sizeof expect[i], "2|%d|%zu|1|%s|||", m.id, 5 + strlen(ident), ident);
        } else if (kind == 1) { /* MD5-Challenge Request */
            m.code = EAP_REQUEST;
            m.type = EAP_TYPE_MD5;
            for (int k = 0; k < 16; k++)
                val[k] = (uint8_t)rand();
            auth_tohex(val, 16, hex);
            m.value_size = 16;
            m.value = val;
            snprintf(expect[i], sizeof expect[i], "1|%d|22|4||16|%s|", m.id, hex);
        } else if (kind == 2) { /* Nak Response */
            m.code = EAP_RESPONSE;
            m.type = EAP_TYPE_NAK;
            m.nak_count = 1;
            m.nak_types[0] = (uint8_t)(i & 4 ? 26 : 25);
            snprintf(expect[i], sizeof expect[i], "2|%d|6|3||||%d", m.id, m.nak_types[0]);
        } else { /* Success / Failure */
            m.code = (uint8_t)(i & 4 ? EAP_SUCCESS : EAP_FAILURE);
            snprintf(expect[i], sizeof expect[i], "%d|%d|4|||||", m.code, m.id);
        }
        wbuf wb;
        wbuf_init(&wb, buf, sizeof buf);
        cr_assert(eap_encode(&wb, &m));
        cr_assert_eq(auth_write_gre_ppp(w, 3000000u + (uint64_t)i, 9, (uint32_t)i, 0xc227, buf, wbuf_len(&wb)), 0);
    }
    pcapw_close(w);
    cr_assert_eq(tshark_malformed_count(path), 0);
    const char *fields[] = {"eap.code", "eap.id", "eap.len", "eap.type", "eap.identity", "eap.md5.value_size",
                            "eap.md5.value", "eap.desired_type", NULL};
    char *out = tshark_fields(path, "eap", fields);
    cr_assert_not_null(out);
    char *lines[32];
    size_t n = auth_lines(out, lines, 32);
    cr_assert_eq(n, N);
    for (int i = 0; i < N; i++)
        cr_assert_str_eq(lines[i], expect[i]);
    free(out);
}
