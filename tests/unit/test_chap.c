/* test_chap.c - CHAP codec (RFC 1994) and the MS-CHAP v1/v2 formats (RFC 2433,
 * RFC 2759): values, Success/Failure text, Change-Password packets, names, and
 * MS-CHAPv2 verification on real captures. */
#include <criterion/criterion.h>
#include <stdlib.h>
#include <string.h>

#include "auth_test_helpers.h"
#include "chap.h"
#include "mschap.h"
#include "mschap_crypto.h"
#include "names.h"

/* chapcrack__pptp.cap frames 1-3 (MS-CHAPv2, user moxie) */
static uint8_t chal_vec[26], resp_vec[59];
static const char *CHAL_VALUE = "258d4fc024f111512d0b61f9c375aee1";
static const char *RESP_VALUE = "abfe01e6c759850155b4d8d6258cdb670000000000000000"
                                "1c93abce815400686baeca315f348469256420598a73ad4900";

static void build_vectors(void)
{
    chal_vec[0] = 1;
    chal_vec[1] = 0xb0;
    chal_vec[2] = 0;
    chal_vec[3] = 26;
    chal_vec[4] = 16;
    auth_unhex(CHAL_VALUE, chal_vec + 5, 16);
    memcpy(chal_vec + 21, "pptpd", 5);
    resp_vec[0] = 2;
    resp_vec[1] = 0xb0;
    resp_vec[2] = 0;
    resp_vec[3] = 59;
    resp_vec[4] = 49;
    auth_unhex(RESP_VALUE, resp_vec + 5, 49);
    memcpy(resp_vec + 54, "moxie", 5);
}

TestSuite(chap, .init = build_vectors);
TestSuite(mschap, .init = build_vectors);

static const char *SUCCESS_TEXT = "S=54644F81E5F18C0EE9E26776495D6BC7ADDFB767 M=Access granted";
static const char *FAILURE_TEXT = "E=691 R=1 C=0102030405060708090A0B0C0D0E0F10 V=3 M=Authentication failed";

static size_t text_packet(uint8_t code, uint8_t id, const char *text, uint8_t *out)
{
    size_t n = strlen(text);
    out[0] = code;
    out[1] = id;
    out[2] = (uint8_t)((4 + n) >> 8);
    out[3] = (uint8_t)(4 + n);
    memcpy(out + 4, text, n);
    return 4 + n;
}

static dec_status dec(const uint8_t *b, size_t n, chap_msg *m, anomaly_set *an)
{
    cursor c;
    cursor_init(&c, b, n);
    if (an)
        anomaly_clear(an);
    return chap_decode(&c, m, an);
}

static dec_status ms_text(dec_status (*fn)(const uint8_t *, size_t, void *, anomaly_set *), const char *t,
                          void *out, anomaly_set *an)
{
    anomaly_clear(an);
    return fn((const uint8_t *)t, strlen(t), out, an);
}

/* adapters with void* out, for a table-free call style */
static dec_status succ_fn(const uint8_t *p, size_t n, void *o, anomaly_set *an)
{
    return mschapv2_success_parse(p, n, o, an);
}
static dec_status fail_fn(const uint8_t *p, size_t n, void *o, anomaly_set *an)
{
    return mschap_failure_parse(p, n, o, an);
}

/* ---- generic CHAP ------------------------------------------------------------ */

Test(chap, challenge_vector)
{
    chap_msg m;
    anomaly_set an;
    cr_assert_eq(dec(chal_vec, sizeof chal_vec, &m, &an), DEC_OK);
    cr_assert_eq(m.code, CHAP_CHALLENGE);
    cr_assert_eq(m.id, 0xb0);
    cr_assert_eq(m.length, 26);
    cr_assert_eq(m.value_size, 16);
    cr_assert_eq(m.value, chal_vec + 5, "the value points into the input");
    cr_assert_eq(m.name_len, 5);
    cr_assert_eq(memcmp(m.name, "pptpd", 5), 0);
    cr_assert_str_eq(m.name_str, "pptpd");
    cr_assert_not(anomaly_any(&an));
    cr_assert_str_eq(chap_code_name(m.code), "Challenge");
}

Test(chap, response_vector)
{
    chap_msg m;
    anomaly_set an;
    cr_assert_eq(dec(resp_vec, sizeof resp_vec, &m, &an), DEC_OK);
    cr_assert_eq(m.code, CHAP_RESPONSE);
    cr_assert_eq(m.value_size, 49);
    cr_assert_eq(m.value[0], 0xab);
    cr_assert_eq(m.value[48], 0x00);
    cr_assert_str_eq(m.name_str, "moxie");
    cr_assert_not(anomaly_any(&an));
}

Test(chap, success_failure_vectors)
{
    uint8_t b[256];
    chap_msg m;
    size_t n = text_packet(3, 0xb0, SUCCESS_TEXT, b);
    cr_assert_eq(dec(b, n, &m, NULL), DEC_OK);
    cr_assert_eq(m.code, CHAP_SUCCESS);
    cr_assert_eq(m.message_len, strlen(SUCCESS_TEXT));
    cr_assert_eq(memcmp(m.message, SUCCESS_TEXT, m.message_len), 0);
    n = text_packet(4, 0x11, FAILURE_TEXT, b);
    cr_assert_eq(dec(b, n, &m, NULL), DEC_OK);
    cr_assert_eq(m.code, CHAP_FAILURE);
    cr_assert_eq(m.id, 0x11);
    cr_assert_eq(m.message_len, strlen(FAILURE_TEXT));
    /* a bare Success (Length 4) is fine */
    static const uint8_t bare[] = {3, 1, 0, 4};
    cr_assert_eq(dec(bare, sizeof bare, &m, NULL), DEC_OK);
    cr_assert_eq(m.message_len, 0);
}

Test(chap, every_prefix_is_truncated)
{
    uint8_t s[256], f[256];
    size_t sn = text_packet(3, 1, SUCCESS_TEXT, s), fn = text_packet(4, 1, FAILURE_TEXT, f);
    const uint8_t *vecs[] = {chal_vec, resp_vec, s, f};
    size_t lens[] = {sizeof chal_vec, sizeof resp_vec, sn, fn};
    for (int v = 0; v < 4; v++)
        for (size_t n = 0; n < lens[v]; n++) {
            uint8_t *copy = malloc(n ? n : 1);
            memcpy(copy, vecs[v], n);
            chap_msg m;
            cr_assert_eq(dec(copy, n, &m, NULL), DEC_TRUNCATED, "vector %d prefix %zu", v, n);
            free(copy);
        }
}

Test(chap, malformed_lengths)
{
    chap_msg m;
    static const uint8_t short_len[] = {1, 1, 0, 3, 0, 0};
    cr_assert_eq(dec(short_len, sizeof short_len, &m, NULL), DEC_MALFORMED);
    static const uint8_t no_vsize[] = {1, 1, 0, 4, 0x10, 0};
    cr_assert_eq(dec(no_vsize, sizeof no_vsize, &m, NULL), DEC_MALFORMED, "Challenge without Value-Size");
    static const uint8_t v_over[] = {2, 1, 0, 8, 0x10, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13};
    cr_assert_eq(dec(v_over, sizeof v_over, &m, NULL), DEC_MALFORMED, "Value-Size past Length");
    static const uint8_t cap_short[] = {1, 1, 0, 30, 0x10, 1, 2, 3};
    cr_assert_eq(dec(cap_short, sizeof cap_short, &m, NULL), DEC_TRUNCATED);
}

Test(chap, anomalies_and_odd_names)
{
    chap_msg m;
    anomaly_set an;
    static const uint8_t empty_val[] = {1, 1, 0, 6, 0, 'x'};
    cr_assert_eq(dec(empty_val, sizeof empty_val, &m, &an), DEC_OK);
    cr_assert(anomaly_has(&an, ANOMALY_CHAP_EMPTY_VALUE));
    cr_assert_str_eq(m.name_str, "x");
    static const uint8_t nul_name[] = {2, 1, 0, 9, 1, 0xaa, 'a', 0, 'b'};
    cr_assert_eq(dec(nul_name, sizeof nul_name, &m, &an), DEC_OK);
    cr_assert(anomaly_has(&an, ANOMALY_CHAP_NAME_NUL));
    cr_assert_eq(m.name_len, 3);
    static const uint8_t unk[] = {9, 1, 0, 6, 0xca, 0xfe};
    cr_assert_eq(dec(unk, sizeof unk, &m, &an), DEC_OK);
    cr_assert(anomaly_has(&an, ANOMALY_CHAP_UNKNOWN_CODE));
    cr_assert_eq(m.data_len, 2);
    cr_assert_eq(m.data[1], 0xfe);
    cr_assert_str_eq(chap_code_name(9), "unknown");
    /* a 1000-byte name: the true length is kept, the copy is cut */
    uint8_t big[4 + 1 + 8 + 1000];
    big[0] = 2;
    big[1] = 3;
    big[2] = (uint8_t)(sizeof big >> 8);
    big[3] = (uint8_t)sizeof big;
    big[4] = 8;
    memset(big + 5, 0x11, 8);
    memset(big + 13, 'n', 1000);
    cr_assert_eq(dec(big, sizeof big, &m, &an), DEC_OK);
    cr_assert_eq(m.name_len, 1000);
    cr_assert_eq(strlen(m.name_str), CHAP_NAME_MAX - 1);
    cr_assert_str_eq(chap_alg_name(CHAP_ALG_MSCHAPV2), "mschapv2");
    cr_assert_str_eq(chap_alg_name(CHAP_ALG_MSCHAP), "mschap");
    cr_assert_str_eq(chap_alg_name(CHAP_ALG_MD5), "md5");
    cr_assert_str_eq(chap_alg_name(0x42), "unknown");
}

/* equal spans; an empty span may have a NULL pointer */
static bool same(const uint8_t *a, const uint8_t *b, size_t n)
{
    return n == 0 || memcmp(a, b, n) == 0;
}

Test(chap, random_round_trips)
{
    srand(99);
    static uint8_t pool[2000];
    for (size_t i = 0; i < sizeof pool; i++)
        pool[i] = (uint8_t)rand();
    for (int it = 0; it < 5000; it++) {
        chap_msg m, d;
        memset(&m, 0, sizeof m);
        m.code = (uint8_t)(1 + rand() % 7);
        m.id = (uint8_t)rand();
        const uint8_t *a = pool + rand() % 500, *b = pool + rand() % 500;
        switch (m.code) {
        case 1:
        case 2:
            m.value_size = (uint8_t)rand();
            m.value = a;
            m.name = b;
            m.name_len = (size_t)rand() % 300;
            break;
        case 3:
        case 4:
            m.message = a;
            m.message_len = (size_t)rand() % 600;
            break;
        default:
            m.data = a;
            m.data_len = (size_t)rand() % 1200;
            break;
        }
        uint8_t buf[2048];
        wbuf w;
        wbuf_init(&w, buf, sizeof buf);
        cr_assert(chap_encode(&w, &m));
        cursor c;
        cursor_init(&c, buf, wbuf_len(&w));
        cr_assert_eq(chap_decode(&c, &d, NULL), DEC_OK);
        cr_assert_eq(cursor_len(&c), 0);
        cr_assert_eq(d.code, m.code);
        cr_assert_eq(d.id, m.id);
        cr_assert_eq(d.length, wbuf_len(&w));
        cr_assert_eq(d.value_size, m.value_size);
        cr_assert(same(d.value, m.value, m.value_size));
        cr_assert_eq(d.name_len, m.name_len);
        cr_assert(same(d.name, m.name, m.name_len));
        cr_assert_eq(d.message_len, m.message_len);
        cr_assert(same(d.message, m.message, m.message_len));
        cr_assert_eq(d.data_len, m.data_len);
        cr_assert(same(d.data, m.data, m.data_len));
    }
}

Test(chap, encode_vectors_overflow_and_raw_length)
{
    chap_msg m;
    memset(&m, 0, sizeof m);
    m.code = CHAP_CHALLENGE;
    m.id = 0xb0;
    m.value_size = 16;
    m.value = chal_vec + 5;
    m.name = (const uint8_t *)"pptpd";
    m.name_len = 5;
    uint8_t buf[64];
    wbuf w;
    wbuf_init(&w, buf, sizeof buf);
    cr_assert(chap_encode(&w, &m));
    cr_assert_eq(wbuf_len(&w), sizeof chal_vec);
    cr_assert_eq(memcmp(buf, chal_vec, sizeof chal_vec), 0);
    wbuf_init(&w, buf, 20);
    cr_assert_not(chap_encode(&w, &m));
    m.raw_length = 10;
    wbuf_init(&w, buf, sizeof buf);
    cr_assert(chap_encode(&w, &m));
    chap_msg d;
    cursor c;
    cursor_init(&c, buf, wbuf_len(&w));
    cr_assert_eq(chap_decode(&c, &d, NULL), DEC_MALFORMED);
}

/* ---- MS-CHAP values ---------------------------------------------------------- */

Test(mschap, interpret_v2_challenge_and_response)
{
    chap_msg m;
    mschap_info info;
    anomaly_set an;
    cr_assert_eq(dec(chal_vec, sizeof chal_vec, &m, &an), DEC_OK);
    cr_assert_eq(mschap_interpret(&m, CHAP_ALG_MSCHAPV2, &info, &an), DEC_OK);
    cr_assert_eq(info.kind, MSCHAP_KIND_CHALLENGE);
    cr_assert_eq(info.challenge_len, 16);
    cr_assert_eq(info.challenge[0], 0x25);
    cr_assert_not(anomaly_any(&an));
    /* the same 16-byte challenge is wrong for MS-CHAPv1 */
    cr_assert_eq(mschap_interpret(&m, CHAP_ALG_MSCHAP, &info, &an), DEC_OK);
    cr_assert(anomaly_has(&an, ANOMALY_MSCHAP_BAD_VALUE_SIZE));

    cr_assert_eq(dec(resp_vec, sizeof resp_vec, &m, &an), DEC_OK);
    cr_assert_eq(mschap_interpret(&m, CHAP_ALG_MSCHAPV2, &info, &an), DEC_OK);
    cr_assert_eq(info.kind, MSCHAP_KIND_RESPONSE_V2);
    uint8_t want[49];
    auth_unhex(RESP_VALUE, want, 49);
    cr_assert_eq(memcmp(info.v2.peer_challenge, want, 16), 0);
    cr_assert_eq(memcmp(info.v2.reserved, want + 16, 8), 0);
    cr_assert_eq(memcmp(info.v2.nt_response, want + 24, 24), 0);
    cr_assert_eq(info.v2.flags, 0);
    cr_assert_not(anomaly_any(&an));
    /* MD5 CHAP: not interpreted */
    cr_assert_eq(mschap_interpret(&m, CHAP_ALG_MD5, &info, &an), DEC_OK);
    cr_assert_eq(info.kind, MSCHAP_KIND_NONE);
}

Test(mschap, response_value_anomalies_and_v1)
{
    uint8_t v[49];
    mschapv2_response r2;
    mschapv1_response r1;
    anomaly_set an;
    memset(v, 0, sizeof v);
    v[20] = 1; /* reserved */
    v[48] = 2; /* flags */
    anomaly_clear(&an);
    cr_assert(mschapv2_response_parse(v, 49, &r2, &an));
    cr_assert(anomaly_has(&an, ANOMALY_MSCHAPV2_RESERVED_NONZERO));
    cr_assert(anomaly_has(&an, ANOMALY_MSCHAPV2_FLAGS_NONZERO));
    cr_assert_not(mschapv2_response_parse(v, 48, &r2, &an));
    cr_assert_not(mschapv2_response_parse(v, 50, &r2, &an));
    /* v1: LM (24) | NT (24) | use-NT */
    for (int i = 0; i < 49; i++)
        v[i] = (uint8_t)i;
    v[48] = 1;
    anomaly_clear(&an);
    cr_assert(mschapv1_response_parse(v, 49, &r1, &an));
    cr_assert_eq(r1.lm_response[0], 0);
    cr_assert_eq(r1.lm_response[23], 23);
    cr_assert_eq(r1.nt_response[0], 24);
    cr_assert_eq(r1.nt_response[23], 47);
    cr_assert_eq(r1.use_nt, 1);
    cr_assert_not(anomaly_any(&an));
    v[48] = 0;
    cr_assert(mschapv1_response_parse(v, 49, &r1, &an));
    cr_assert(anomaly_has(&an, ANOMALY_MSCHAP_LM_RESPONSE));
    /* encode gives the same 49 bytes back */
    uint8_t out[49];
    wbuf w;
    wbuf_init(&w, out, sizeof out);
    cr_assert(mschapv1_response_encode(&w, &r1));
    cr_assert_eq(memcmp(out, v, 49), 0);
    wbuf_init(&w, out, sizeof out);
    cr_assert(mschapv2_response_encode(&w, &r2));
    cr_assert_eq(out[20], 1);
    cr_assert_eq(out[48], 2);
    wbuf_init(&w, out, 48);
    cr_assert_not(mschapv2_response_encode(&w, &r2));
}

Test(mschap, interpret_v1_response_and_bad_size)
{
    uint8_t b[4 + 1 + 49 + 4];
    b[0] = 2;
    b[1] = 5;
    b[2] = 0;
    b[3] = sizeof b;
    b[4] = 49;
    memset(b + 5, 0, 24); /* LM response unused */
    memset(b + 29, 0x5a, 24);
    b[53] = 1;
    memcpy(b + 54, "user", 4);
    chap_msg m;
    mschap_info info;
    anomaly_set an;
    cr_assert_eq(dec(b, sizeof b, &m, &an), DEC_OK);
    cr_assert_eq(mschap_interpret(&m, CHAP_ALG_MSCHAP, &info, &an), DEC_OK);
    cr_assert_eq(info.kind, MSCHAP_KIND_RESPONSE_V1);
    cr_assert_eq(info.v1.nt_response[5], 0x5a);
    cr_assert_eq(info.v1.use_nt, 1);
    cr_assert_eq(mschap_guess_alg(&m), CHAP_ALG_MSCHAP);
    /* a 48-byte response value is malformed MS-CHAP */
    b[4] = 48;
    cr_assert_eq(dec(b, sizeof b, &m, &an), DEC_OK);
    cr_assert_eq(mschap_interpret(&m, CHAP_ALG_MSCHAPV2, &info, &an), DEC_MALFORMED);
    cr_assert(anomaly_has(&an, ANOMALY_MSCHAP_BAD_VALUE_SIZE));
}

/* ---- Success text --------------------------------------------------------------- */

Test(mschap, success_parse_good_and_odd)
{
    mschapv2_success s;
    anomaly_set an;
    cr_assert_eq(ms_text(succ_fn, SUCCESS_TEXT, &s, &an), DEC_OK);
    uint8_t want[20];
    auth_unhex("54644F81E5F18C0EE9E26776495D6BC7ADDFB767", want, 20);
    cr_assert_eq(memcmp(s.auth_response, want, 20), 0);
    cr_assert(s.has_message);
    cr_assert_str_eq(s.message, "Access granted");
    cr_assert_eq(s.message_len, 14);
    cr_assert_not(anomaly_any(&an));
    /* lower-case hex, leading and repeated spaces, no M= */
    cr_assert_eq(ms_text(succ_fn, "  S=54644f81e5f18c0ee9e26776495d6bc7addfb767   ", &s, &an), DEC_OK);
    cr_assert_eq(memcmp(s.auth_response, want, 20), 0);
    cr_assert_not(s.has_message);
    cr_assert_not(anomaly_any(&an));
    cr_assert_eq(ms_text(succ_fn, "S=54644F81E5F18C0EE9E26776495D6BC7ADDFB767    M=  two  spaces ", &s, &an),
                 DEC_OK);
    cr_assert_str_eq(s.message, "  two  spaces ", "the M= text is kept verbatim");
    cr_assert_eq(ms_text(succ_fn, "S=54644F81E5F18C0EE9E26776495D6BC7ADDFB767 M=", &s, &an), DEC_OK);
    cr_assert(s.has_message);
    cr_assert_eq(s.message_len, 0);
    /* something other than M= after S=: still OK, flagged */
    cr_assert_eq(ms_text(succ_fn, "S=54644F81E5F18C0EE9E26776495D6BC7ADDFB767 hello", &s, &an), DEC_OK);
    cr_assert(anomaly_has(&an, ANOMALY_MSCHAP_BAD_SUCCESS_MESSAGE));
    cr_assert_eq(memcmp(s.auth_response, want, 20), 0);
}

Test(mschap, success_parse_malformed)
{
    static const char *bad[] = {
        "",
        "M=Access granted",
        "S=",
        "S=54644F81E5F18C0EE9E26776495D6BC7ADDFB76",   /* 39 digits */
        "S=54644F81E5F18C0EE9E26776495D6BC7ADDFB7670", /* 41 digits */
        "S=54644F81E5F18C0EE9E26776495D6BC7ADDFB76G",  /* not hex */
        "S=54644F81E5F18C0EE9E26776495D6BC7ADDFB767M=x", /* no space */
        "s=54644F81E5F18C0EE9E26776495D6BC7ADDFB767",
        "S =54644F81E5F18C0EE9E26776495D6BC7ADDFB767",
        "E=691 R=0",
    };
    for (size_t i = 0; i < ARRAY_LEN(bad); i++) {
        mschapv2_success s;
        anomaly_set an;
        memset(&s, 0x55, sizeof s);
        cr_assert_eq(ms_text(succ_fn, bad[i], &s, &an), DEC_MALFORMED, "'%s'", bad[i]);
        cr_assert(anomaly_has(&an, ANOMALY_MSCHAP_BAD_SUCCESS_MESSAGE));
        cr_assert_eq(s.auth_response[0], 0, "a failed parse leaves a zeroed result");
    }
    mschapv2_success s;
    cr_assert_eq(mschapv2_success_parse(NULL, 5, &s, NULL), DEC_MALFORMED);
}

Test(mschap, success_long_message_is_cut_with_true_length)
{
    char t[600] = "S=54644F81E5F18C0EE9E26776495D6BC7ADDFB767 M=";
    size_t base = strlen(t);
    memset(t + base, 'z', 500);
    t[base + 500] = 0;
    mschapv2_success s;
    anomaly_set an;
    cr_assert_eq(ms_text(succ_fn, t, &s, &an), DEC_OK);
    cr_assert_eq(s.message_len, 500);
    cr_assert_eq(strlen(s.message), MSCHAP_MSG_MAX - 1);
}

Test(mschap, success_encode_round_trip)
{
    srand(5);
    for (int it = 0; it < 500; it++) {
        mschapv2_success s, d;
        memset(&s, 0, sizeof s);
        for (int i = 0; i < 20; i++)
            s.auth_response[i] = (uint8_t)rand();
        s.has_message = rand() & 1;
        if (s.has_message) {
            size_t n = (size_t)rand() % 100;
            for (size_t i = 0; i < n; i++)
                s.message[i] = (char)(' ' + rand() % 95);
            s.message_len = n;
        }
        uint8_t buf[256];
        wbuf w;
        wbuf_init(&w, buf, sizeof buf);
        cr_assert(mschapv2_success_encode(&w, &s));
        cr_assert_eq(mschapv2_success_parse(buf, wbuf_len(&w), &d, NULL), DEC_OK);
        cr_assert_eq(memcmp(d.auth_response, s.auth_response, 20), 0);
        cr_assert_eq(d.has_message, s.has_message);
        cr_assert_str_eq(d.message, s.message);
        cr_assert_eq(d.message_len, s.message_len);
    }
    /* upper-case hex on the wire */
    mschapv2_success s;
    memset(&s, 0xab, sizeof s.auth_response);
    s.has_message = false;
    uint8_t buf[64];
    wbuf w;
    wbuf_init(&w, buf, sizeof buf);
    cr_assert(mschapv2_success_encode(&w, &s));
    cr_assert_eq(wbuf_len(&w), 42);
    cr_assert_eq(memcmp(buf, "S=ABABAB", 8), 0);
}

/* ---- Failure text --------------------------------------------------------------- */

Test(mschap, failure_parse_v2_and_v1)
{
    mschap_failure f;
    anomaly_set an;
    cr_assert_eq(ms_text(fail_fn, FAILURE_TEXT, &f, &an), DEC_OK);
    cr_assert(f.has_error && f.has_retry && f.has_challenge && f.has_version && f.has_message);
    cr_assert_eq(f.error, 691);
    cr_assert_eq(f.retry, 1);
    cr_assert_eq(f.challenge_len, 16);
    cr_assert_eq(f.challenge[0], 0x01);
    cr_assert_eq(f.challenge[15], 0x10);
    cr_assert_eq(f.version, 3);
    cr_assert_str_eq(f.message, "Authentication failed");
    cr_assert_not(anomaly_any(&an));
    cr_assert_str_eq(mschap_error_name(f.error), "ERROR_AUTHENTICATION_FAILURE");
    /* v1 (RFC 2433): 8-octet challenge, no message; the RFC pads E= and V= to 10 digits */
    cr_assert_eq(ms_text(fail_fn, "E=0000000649 R=0 C=0011223344556677 V=0000000002", &f, &an), DEC_OK);
    cr_assert_eq(f.error, 649);
    cr_assert_eq(f.retry, 0);
    cr_assert_eq(f.challenge_len, 8);
    cr_assert_eq(f.challenge[7], 0x77);
    cr_assert_eq(f.version, 2);
    cr_assert_not(f.has_message);
    cr_assert_str_eq(mschap_error_desc(f.error), "no dial-in permission");
    /* pppd's form, only E= and R= and in another order, extra spaces */
    cr_assert_eq(ms_text(fail_fn, "  R=1   E=691  ", &f, &an), DEC_OK);
    cr_assert_eq(f.error, 691);
    cr_assert_eq(f.retry, 1);
    cr_assert_not(f.has_challenge);
    cr_assert_not(f.has_version);
    /* M= takes everything, even text that looks like fields */
    cr_assert_eq(ms_text(fail_fn, "E=709 M=bad E=1 C=zz", &f, &an), DEC_OK);
    cr_assert_eq(f.error, 709);
    cr_assert_str_eq(f.message, "bad E=1 C=zz");
    cr_assert_not(f.has_challenge);
}

Test(mschap, failure_parse_odd_and_malformed)
{
    mschap_failure f;
    anomaly_set an;
    /* unknown key: skipped, flagged, still OK */
    cr_assert_eq(ms_text(fail_fn, "E=691 X=abc R=0", &f, &an), DEC_OK);
    cr_assert(anomaly_has(&an, ANOMALY_MSCHAP_BAD_FAILURE_MESSAGE));
    cr_assert_eq(f.retry, 0);
    cr_assert(f.has_retry);
    /* unknown error code: flagged */
    cr_assert_eq(ms_text(fail_fn, "E=123 R=0", &f, &an), DEC_OK);
    cr_assert(anomaly_has(&an, ANOMALY_MSCHAP_UNKNOWN_ERROR));
    cr_assert_str_eq(mschap_error_name(123), "unknown");
    static const char *bad[] = {
        "",
        "   ",
        "R=1 V=3",                          /* no E= */
        "E=",                               /* empty number */
        "E=69x",                            /* not decimal */
        "E=99999999999",                    /* does not fit 32 bits */
        "E=-1",
        "E=691 C=0102",                     /* challenge of the wrong length */
        "E=691 C=0102030405060708090A0B0C0D0E0F1G", /* not hex */
        "E=691 R=1 junk",                   /* token without '=' */
        "Access denied",
        "E=691 R",
    };
    for (size_t i = 0; i < ARRAY_LEN(bad); i++) {
        cr_assert_eq(ms_text(fail_fn, bad[i], &f, &an), DEC_MALFORMED, "'%s'", bad[i]);
        cr_assert(anomaly_has(&an, ANOMALY_MSCHAP_BAD_FAILURE_MESSAGE), "'%s'", bad[i]);
        cr_assert_not(f.has_error);
    }
}

Test(mschap, failure_encode_round_trip)
{
    srand(11);
    for (int it = 0; it < 500; it++) {
        mschap_failure f, d;
        memset(&f, 0, sizeof f);
        f.has_error = true;
        f.error = (uint32_t)rand();
        f.has_retry = rand() & 1;
        f.retry = f.has_retry ? (uint32_t)(rand() & 1) : 0;
        f.has_challenge = rand() & 1;
        f.challenge_len = f.has_challenge ? ((rand() & 1) ? 16 : 8) : 0;
        for (int i = 0; i < f.challenge_len; i++)
            f.challenge[i] = (uint8_t)rand();
        f.has_version = rand() & 1;
        f.version = f.has_version ? (uint32_t)rand() : 0;
        f.has_message = rand() & 1;
        if (f.has_message) {
            size_t n = (size_t)rand() % 80;
            for (size_t i = 0; i < n; i++)
                f.message[i] = (char)(' ' + rand() % 95);
            f.message_len = n;
        }
        uint8_t buf[256];
        wbuf w;
        wbuf_init(&w, buf, sizeof buf);
        cr_assert(mschap_failure_encode(&w, &f));
        cr_assert_eq(mschap_failure_parse(buf, wbuf_len(&w), &d, NULL), DEC_OK);
        /* both were zeroed first, so unused fields and padding compare equal */
        cr_assert_eq(memcmp(&d, &f, sizeof d), 0, "iteration %d", it);
    }
    mschap_failure f;
    memset(&f, 0, sizeof f);
    f.has_error = f.has_retry = f.has_challenge = f.has_version = f.has_message = true;
    f.error = 691;
    f.retry = 1;
    f.challenge_len = 16;
    for (int i = 0; i < 16; i++)
        f.challenge[i] = (uint8_t)(i + 1);
    f.version = 3;
    strcpy(f.message, "Authentication failed");
    uint8_t buf[256];
    wbuf w;
    wbuf_init(&w, buf, sizeof buf);
    cr_assert(mschap_failure_encode(&w, &f));
    cr_assert_eq(wbuf_len(&w), strlen(FAILURE_TEXT));
    cr_assert_eq(memcmp(buf, FAILURE_TEXT, wbuf_len(&w)), 0);
}

Test(mschap, interpret_success_and_failure_packets)
{
    uint8_t b[256];
    chap_msg m;
    mschap_info info;
    anomaly_set an;
    size_t n = text_packet(3, 1, SUCCESS_TEXT, b);
    cr_assert_eq(dec(b, n, &m, &an), DEC_OK);
    cr_assert_eq(mschap_interpret(&m, CHAP_ALG_MSCHAPV2, &info, &an), DEC_OK);
    cr_assert_eq(info.kind, MSCHAP_KIND_SUCCESS_V2);
    cr_assert_str_eq(info.success.message, "Access granted");
    cr_assert_eq(mschap_guess_alg(&m), CHAP_ALG_MSCHAPV2);
    cr_assert_eq(mschap_interpret(&m, CHAP_ALG_MSCHAP, &info, &an), DEC_OK);
    cr_assert_eq(info.kind, MSCHAP_KIND_SUCCESS_V1);
    n = text_packet(3, 1, "Welcome", b);
    cr_assert_eq(dec(b, n, &m, &an), DEC_OK);
    cr_assert_eq(mschap_interpret(&m, CHAP_ALG_MSCHAPV2, &info, &an), DEC_MALFORMED);
    cr_assert(anomaly_has(&an, ANOMALY_MSCHAP_BAD_SUCCESS_MESSAGE));
    cr_assert_eq(mschap_guess_alg(&m), CHAP_ALG_UNKNOWN);
    n = text_packet(4, 1, FAILURE_TEXT, b);
    cr_assert_eq(dec(b, n, &m, &an), DEC_OK);
    cr_assert_eq(mschap_interpret(&m, CHAP_ALG_MSCHAPV2, &info, &an), DEC_OK);
    cr_assert_eq(info.kind, MSCHAP_KIND_FAILURE);
    cr_assert_eq(info.failure.error, 691);
    cr_assert_eq(mschap_guess_alg(&m), CHAP_ALG_MSCHAPV2);
    n = text_packet(4, 1, "E=691 R=1 C=0011223344556677 V=2", b);
    cr_assert_eq(dec(b, n, &m, &an), DEC_OK);
    cr_assert_eq(mschap_guess_alg(&m), CHAP_ALG_MSCHAP);
    cr_assert_eq(dec(chal_vec, sizeof chal_vec, &m, &an), DEC_OK);
    cr_assert_eq(mschap_guess_alg(&m), CHAP_ALG_UNKNOWN, "16 octets: MD5 or MS-CHAPv2");
    cr_assert_eq(dec(resp_vec, sizeof resp_vec, &m, &an), DEC_OK);
    cr_assert_eq(mschap_guess_alg(&m), CHAP_ALG_MSCHAPV2);
}

/* ---- Change-Password packets ------------------------------------------------------ */

Test(mschap, change_password_v1_code5)
{
    /* RFC 2433 section 9: Length 72 */
    uint8_t b[72];
    b[0] = 5;
    b[1] = 9;
    b[2] = 0;
    b[3] = 72;
    for (int i = 0; i < 64; i++)
        b[4 + i] = (uint8_t)i;
    b[68] = 0x00;
    b[69] = 0x0c; /* new password length 12 */
    b[70] = 0x00;
    b[71] = 0x01; /* use NT */
    chap_msg m;
    mschap_info info;
    anomaly_set an;
    cr_assert_eq(dec(b, sizeof b, &m, &an), DEC_OK);
    cr_assert_str_eq(chap_code_name(m.code), "Change-Password-v1");
    cr_assert_eq(mschap_interpret(&m, CHAP_ALG_MSCHAP, &info, &an), DEC_OK);
    cr_assert_eq(info.kind, MSCHAP_KIND_CPW1);
    cr_assert_eq(info.cpw1.enc_lm_old[0], 0);
    cr_assert_eq(info.cpw1.enc_lm_new[0], 16);
    cr_assert_eq(info.cpw1.enc_nt_old[0], 32);
    cr_assert_eq(info.cpw1.enc_nt_new[15], 63);
    cr_assert_eq(info.cpw1.new_password_len, 12);
    cr_assert_eq(info.cpw1.flags, 1);
    uint8_t out[128];
    wbuf w;
    wbuf_init(&w, out, sizeof out);
    cr_assert(mschap_cpw1_encode(&w, &info.cpw1));
    cr_assert_eq(wbuf_len(&w), 68);
    cr_assert_eq(memcmp(out, b + 4, 68), 0);
    /* one byte short */
    b[3] = 71;
    cr_assert_eq(dec(b, sizeof b, &m, &an), DEC_OK);
    cr_assert_eq(mschap_interpret(&m, CHAP_ALG_MSCHAP, &info, &an), DEC_MALFORMED);
    cr_assert(anomaly_has(&an, ANOMALY_MSCHAP_BAD_CPW_LENGTH));
}

Test(mschap, change_password_v2_code6_and_mschapv2_code7)
{
    static uint8_t blk1[516], blk2[516], body[1200], pkt[1300];
    for (int i = 0; i < 516; i++) {
        blk1[i] = (uint8_t)i;
        blk2[i] = (uint8_t)(255 - i);
    }
    mschap_cpw2 c2;
    memset(&c2, 0, sizeof c2);
    c2.pw_enc_old_nt = blk1;
    c2.pw_enc_old_lm = blk2;
    memset(c2.old_nt_hash_enc_new_nt, 0x11, 16);
    memset(c2.old_lm_hash_enc_new_nt, 0x22, 16);
    memset(c2.lm_response, 0x33, 24);
    memset(c2.nt_response, 0x44, 24);
    c2.flags = 3;
    wbuf w;
    wbuf_init(&w, body, sizeof body);
    cr_assert(mschap_cpw2_encode(&w, &c2));
    cr_assert_eq(wbuf_len(&w), MSCHAP_CPW2_BODY_LEN);
    chap_msg m;
    memset(&m, 0, sizeof m);
    m.code = MSCHAP_CHANGE_PASSWORD_V2;
    m.id = 4;
    m.data = body;
    m.data_len = wbuf_len(&w);
    wbuf_init(&w, pkt, sizeof pkt);
    cr_assert(chap_encode(&w, &m));
    cr_assert_eq(wbuf_len(&w), 1118, "RFC 2433 section 10: Length 1118");
    chap_msg d;
    mschap_info info;
    anomaly_set an;
    cr_assert_eq(dec(pkt, wbuf_len(&w), &d, &an), DEC_OK);
    cr_assert_eq(mschap_interpret(&d, CHAP_ALG_MSCHAP, &info, &an), DEC_OK);
    cr_assert_eq(info.kind, MSCHAP_KIND_CPW2);
    cr_assert_eq(memcmp(info.cpw2.pw_enc_old_nt, blk1, 516), 0);
    cr_assert_eq(memcmp(info.cpw2.pw_enc_old_lm, blk2, 516), 0);
    cr_assert_eq(info.cpw2.old_nt_hash_enc_new_nt[3], 0x11);
    cr_assert_eq(info.cpw2.old_lm_hash_enc_new_nt[3], 0x22);
    cr_assert_eq(info.cpw2.lm_response[23], 0x33);
    cr_assert_eq(info.cpw2.nt_response[0], 0x44);
    cr_assert_eq(info.cpw2.flags, 3);
    cr_assert_eq(mschap_guess_alg(&d), CHAP_ALG_MSCHAP);

    mschapv2_cpw c3;
    memset(&c3, 0, sizeof c3);
    c3.enc_password = blk2;
    memset(c3.enc_hash, 0x55, 16);
    memset(c3.peer_challenge, 0x66, 16);
    memset(c3.nt_response, 0x77, 24);
    wbuf_init(&w, body, sizeof body);
    cr_assert(mschapv2_cpw_encode(&w, &c3));
    m.code = MSCHAPV2_CHANGE_PASSWORD;
    m.data_len = wbuf_len(&w);
    wbuf_init(&w, pkt, sizeof pkt);
    cr_assert(chap_encode(&w, &m));
    cr_assert_eq(wbuf_len(&w), 586, "RFC 2759 section 7: Length 586");
    cr_assert_eq(dec(pkt, wbuf_len(&w), &d, &an), DEC_OK);
    cr_assert_eq(mschap_interpret(&d, CHAP_ALG_MSCHAPV2, &info, &an), DEC_OK);
    cr_assert_eq(info.kind, MSCHAP_KIND_CPW_V2);
    cr_assert_eq(memcmp(info.cpw_v2.enc_password, blk2, 516), 0);
    cr_assert_eq(info.cpw_v2.enc_hash[0], 0x55);
    cr_assert_eq(info.cpw_v2.peer_challenge[15], 0x66);
    cr_assert_eq(info.cpw_v2.nt_response[23], 0x77);
    cr_assert_eq(info.cpw_v2.flags, 0);
    cr_assert_eq(mschap_guess_alg(&d), CHAP_ALG_MSCHAPV2);
    /* NULL blocks encode as zeros; wrong lengths are malformed */
    c3.enc_password = NULL;
    wbuf_init(&w, body, sizeof body);
    cr_assert(mschapv2_cpw_encode(&w, &c3));
    cr_assert_eq(body[0], 0);
    cr_assert_eq(mschapv2_cpw_decode(body, 581, &info.cpw_v2), DEC_MALFORMED);
    cr_assert_eq(mschap_cpw2_decode(body, 1115, &info.cpw2), DEC_MALFORMED);
    cr_assert_eq(mschap_cpw1_decode(NULL, 68, &info.cpw1), DEC_MALFORMED);
}

/* ---- names ---------------------------------------------------------------------- */

Test(mschap, error_names)
{
    static const struct {
        uint32_t code;
        const char *name, *desc;
    } t[] = {
        {646, "ERROR_RESTRICTED_LOGON_HOURS", "restricted logon hours"},
        {647, "ERROR_ACCT_DISABLED", "account disabled"},
        {648, "ERROR_PASSWD_EXPIRED", "password expired"},
        {649, "ERROR_NO_DIALIN_PERMISSION", "no dial-in permission"},
        {691, "ERROR_AUTHENTICATION_FAILURE", "authentication failure"},
        {709, "ERROR_CHANGING_PASSWORD", "error changing password"},
    };
    for (size_t i = 0; i < ARRAY_LEN(t); i++) {
        cr_assert_str_eq(mschap_error_name(t[i].code), t[i].name);
        cr_assert_str_eq(mschap_error_desc(t[i].code), t[i].desc);
    }
    cr_assert_str_eq(mschap_error_desc(0), "unknown");
}

Test(mschap, split_user)
{
    char d[16], u[16];
    cr_assert(auth_split_user("CORP\\alice", d, sizeof d, u, sizeof u));
    cr_assert_str_eq(d, "CORP");
    cr_assert_str_eq(u, "alice");
    cr_assert_not(auth_split_user("bob", d, sizeof d, u, sizeof u));
    cr_assert_str_eq(d, "");
    cr_assert_str_eq(u, "bob");
    cr_assert(auth_split_user("\\carol", d, sizeof d, u, sizeof u));
    cr_assert_str_eq(d, "");
    cr_assert_str_eq(u, "carol");
    cr_assert(auth_split_user("DOM\\", d, sizeof d, u, sizeof u));
    cr_assert_str_eq(d, "DOM");
    cr_assert_str_eq(u, "");
    cr_assert(auth_split_user("A\\B\\user", d, sizeof d, u, sizeof u));
    cr_assert_str_eq(d, "A\\B", "split at the last backslash, as pppd hashes");
    cr_assert_str_eq(u, "user");
    char sd[4], su[4];
    cr_assert(auth_split_user("LONGDOMAIN\\longuser", sd, sizeof sd, su, sizeof su));
    cr_assert_str_eq(sd, "LON");
    cr_assert_str_eq(su, "lon");
    cr_assert_not(auth_split_user("", d, sizeof d, u, sizeof u));
    cr_assert_str_eq(u, "");
}

/* ---- tshark ------------------------------------------------------------------------ */

Test(chap, tshark_cross_check)
{
    if (!tshark_available())
        cr_skip("tshark not installed");
    char path[4096];
    scratch_path("auth_chap.pcap", path, sizeof path);
    pcapw *w = pcapw_open(path, 1);
    cr_assert_not_null(w);
    srand(3);
    enum { N = 24 };
    char expect[N][512];
    uint8_t buf[600], val[64];
    for (int i = 0; i < N; i++) {
        chap_msg m;
        memset(&m, 0, sizeof m);
        m.code = (uint8_t)(1 + i % 4);
        m.id = (uint8_t)(0x40 + i);
        char name[32], hex[200], text[128];
        snprintf(name, sizeof name, "host%d", rand() % 1000);
        size_t vs = (m.code == 1) ? 16 : 49;
        for (size_t k = 0; k < vs; k++)
            val[k] = (uint8_t)rand();
        auth_tohex(val, vs, hex);
        snprintf(text, sizeof text, "E=691 R=%d V=3 M=try %d", i & 1, i);
        if (m.code == 3)
            snprintf(text, sizeof text, "S=%040d M=ok %d", i, i);
        if (m.code <= 2) {
            m.value_size = (uint8_t)vs;
            m.value = val;
            m.name = (const uint8_t *)name;
            m.name_len = strlen(name);
            snprintf(expect[i], sizeof expect[i], "%d|%d|%zu|%zu|%s|%s|", m.code, m.id, 4 + 1 + vs + strlen(name),
                     vs, hex, name);
        } else {
            m.message = (const uint8_t *)text;
            m.message_len = strlen(text);
            snprintf(expect[i], sizeof expect[i], "%d|%d|%zu||||%s", m.code, m.id, 4 + strlen(text), text);
        }
        wbuf wb;
        wbuf_init(&wb, buf, sizeof buf);
        cr_assert(chap_encode(&wb, &m));
        cr_assert_eq(auth_write_gre_ppp(w, 2000000u + (uint64_t)i, 7, (uint32_t)i, 0xc223, buf, wbuf_len(&wb)), 0);
    }
    pcapw_close(w);
    cr_assert_eq(tshark_malformed_count(path), 0);
    const char *fields[] = {"chap.code", "chap.identifier", "chap.length", "chap.value_size", "chap.value",
                            "chap.name", "chap.message", NULL};
    char *out = tshark_fields(path, "chap", fields);
    cr_assert_not_null(out);
    char *lines[64];
    size_t n = auth_lines(out, lines, 64);
    cr_assert_eq(n, N);
    for (int i = 0; i < N; i++)
        cr_assert_str_eq(lines[i], expect[i]);
    free(out);
}

/* ---- real captures: MS-CHAPv2 user names and password verification ---------------- */

typedef struct cap_ctx {
    bool have_chal, have_resp, have_succ;
    uint8_t auth_chal[16];
    mschapv2_response resp;
    char name[CHAP_NAME_MAX];
    mschapv2_success succ;
    chap_alg guessed;
} cap_ctx;

static bool cap_cb(void *v, const auth_ppp_frame *f)
{
    cap_ctx *c = v;
    if (f->proto != 0xc223)
        return true;
    cursor cur;
    cursor_init(&cur, f->info, f->info_len);
    chap_msg m;
    anomaly_set an;
    anomaly_clear(&an);
    cr_assert_eq(chap_decode(&cur, &m, &an), DEC_OK, "frame %u", f->frame_no);
    mschap_info info;
    cr_assert_eq(mschap_interpret(&m, CHAP_ALG_MSCHAPV2, &info, &an), DEC_OK, "frame %u", f->frame_no);
    cr_assert_not(anomaly_any(&an), "frame %u has anomalies", f->frame_no);
    if (info.kind == MSCHAP_KIND_CHALLENGE && !c->have_chal) {
        memcpy(c->auth_chal, info.challenge, 16);
        c->have_chal = true;
    } else if (info.kind == MSCHAP_KIND_RESPONSE_V2 && !c->have_resp) {
        c->resp = info.v2;
        strcpy(c->name, m.name_str);
        c->have_resp = true;
        c->guessed = mschap_guess_alg(&m);
    } else if (info.kind == MSCHAP_KIND_SUCCESS_V2 && !c->have_succ) {
        c->succ = info.success;
        c->have_succ = true;
    }
    return true;
}

static void verify_capture(const char *file, const char *user, const char *password)
{
    char path[4096];
    if (!external_pcap(file, path, sizeof path))
        cr_skip("external capture %s not present (../shared/pcaps/external)", file);
    cap_ctx c;
    memset(&c, 0, sizeof c);
    cr_assert_gt(auth_walk_ppp(path, cap_cb, &c), 0);
    cr_assert(c.have_chal && c.have_resp && c.have_succ, "%s: challenge/response/success not all found", file);
    cr_assert_str_eq(c.name, user);
    cr_assert_eq(c.guessed, CHAP_ALG_MSCHAPV2);
    char dom[64], usr[64];
    auth_split_user(c.name, dom, sizeof dom, usr, sizeof usr);
    cr_assert_str_eq(usr, user);

    mschap_crypto *cx = mschap_crypto_new();
    cr_assert_not_null(cx);
    secret pw;
    secret_set(&pw, (const uint8_t *)password, strlen(password));
    uint8_t nt[24];
    cr_assert_eq(mschapv2_generate_nt_response(cx, c.auth_chal, c.resp.peer_challenge, usr, strlen(usr), &pw, nt),
                 MSCHAP_CRYPTO_OK);
    cr_assert_eq(memcmp(nt, c.resp.nt_response, 24), 0, "%s: recomputed NT-Response differs", file);
    bool match = false;
    cr_assert_eq(mschapv2_verify(cx, c.auth_chal, c.resp.peer_challenge, c.name, &pw, c.resp.nt_response, &match),
                 MSCHAP_CRYPTO_OK);
    cr_assert(match);
    /* the server's S= proves it knew the password too */
    mschap_hash h;
    cr_assert_eq(mschap_nt_password_hash(cx, &pw, &h), MSCHAP_CRYPTO_OK);
    cr_assert_eq(mschapv2_check_authenticator_response(cx, &h, c.resp.nt_response, c.resp.peer_challenge,
                                                       c.auth_chal, usr, strlen(usr), c.succ.auth_response, &match),
                 MSCHAP_CRYPTO_OK);
    cr_assert(match, "%s: the captured S= does not verify", file);
    /* a wrong password does not verify */
    secret bad;
    secret_set(&bad, (const uint8_t *)"wrong", 5);
    cr_assert_eq(mschapv2_verify(cx, c.auth_chal, c.resp.peer_challenge, c.name, &bad, c.resp.nt_response, &match),
                 MSCHAP_CRYPTO_OK);
    cr_assert_not(match);
    secret_wipe(&pw);
    mschap_crypto_free(cx);
}

Test(mschap, capture_pptp_vpn_sniffer_jm)
{
    verify_capture("pptp_vpn_sniffer__connect.pcapng", "jm", "123");
}

Test(mschap, capture_john_lulu)
{
    verify_capture("john-samples__lulu-password-pptp.pcap", "lulu", "password");
}

Test(mschap, capture_chapcrack_moxie)
{
    verify_capture("chapcrack__pptp.cap", "moxie", "bPCFyF2uL1p5Lg5yrKmqmY");
}
