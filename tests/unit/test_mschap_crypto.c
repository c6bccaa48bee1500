/* test_mschap_crypto.c - CHAP-MD5, MS-CHAPv1 and MS-CHAPv2 computations against
 * the RFC 2759 section 9, RFC 2433 appendix B and RFC 3079 section 2.5 vectors. */
#include <criterion/criterion.h>
#include <stdlib.h>
#include <string.h>

#include "mschap_crypto.h"

static mschap_crypto *cx;

static void setup(void)
{
    cx = mschap_crypto_new();
    cr_assert_not_null(cx, "mschap_crypto_new failed");
    cr_assert(mschap_crypto_has_legacy(cx), "the legacy provider (MD4, DES) must be available here");
}

static void teardown(void)
{
    mschap_crypto_free(cx);
    cx = NULL;
}

TestSuite(mschap_crypto, .init = setup, .fini = teardown);

/* hex string (spaces allowed) -> bytes; returns count */
static size_t unhex(const char *s, uint8_t *out, size_t cap)
{
    size_t n = 0;
    while (*s && n < cap) {
        if (*s == ' ') {
            s++;
            continue;
        }
        char b[3] = {s[0], s[1], 0};
        out[n++] = (uint8_t)strtoul(b, NULL, 16);
        s += 2;
    }
    return n;
}

static void assert_hex(const uint8_t *got, size_t n, const char *want)
{
    uint8_t w[256];
    size_t wn = unhex(want, w, sizeof w);
    cr_assert_eq(wn, n, "length %zu vs expected %zu", n, wn);
    for (size_t i = 0; i < n; i++)
        cr_assert_eq(got[i], w[i], "byte %zu: %02x, expected %02x (%s)", i, got[i], w[i], want);
}

static secret pw(const char *s)
{
    secret x;
    secret_set(&x, (const uint8_t *)s, strlen(s));
    return x;
}

/* RFC 2759 section 9.2 */
static const char *AUTH_CHAL = "5B5D7C7D7B3F2F3E3C2C602132262628";
static const char *PEER_CHAL = "21402324255E262A28295F2B3A337C7E";

Test(mschap_crypto, des_key_expansion_rfc2759_9_3)
{
    static const uint8_t k1[7] = {0xFC, 0x15, 0x6A, 0xF7, 0xED, 0xCD, 0x6C};
    static const uint8_t k2[7] = {0x0E, 0xDD, 0xE3, 0x33, 0x7D, 0x42, 0x7F};
    uint8_t out[8];
    mschap_des_key_expand(k1, out);
    assert_hex(out, 8, "FD 0B 5B 5E 7F 6E 34 D9");
    mschap_des_key_expand(k2, out);
    assert_hex(out, 8, "0E 6E 79 67 37 EA 08 FE");
}

Test(mschap_crypto, nt_password_hash_vectors)
{
    mschap_hash h, hh;
    secret p = pw("clientPass");
    cr_assert_eq(mschap_nt_password_hash(cx, &p, &h), MSCHAP_CRYPTO_OK);
    assert_hex(h.bytes_, 16, "44EBBA8D5312B8D611474411F56989AE");
    cr_assert_eq(mschap_hash_nt_password_hash(cx, &h, &hh), MSCHAP_CRYPTO_OK);
    assert_hex(hh.bytes_, 16, "41C00C584BD2D91C4017A2A12FA59F3F");
    p = pw("MyPw"); /* RFC 2759 section 9.3 / RFC 2433 B.2 */
    cr_assert_eq(mschap_nt_password_hash(cx, &p, &h), MSCHAP_CRYPTO_OK);
    assert_hex(h.bytes_, 16, "FC156AF7EDCD6C0EDDE3337D427F4EAC");
}

Test(mschap_crypto, nt_password_hash_is_utf16le_of_utf8)
{
    mschap_hash a, b;
    /* U+00E9 in UTF-8 and the invalid-UTF-8 Latin-1 byte both give E9 00 */
    secret s1, s2;
    secret_set(&s1, (const uint8_t *)"\xc3\xa9", 2);
    secret_set(&s2, (const uint8_t *)"\xe9", 1);
    cr_assert_eq(mschap_nt_password_hash(cx, &s1, &a), MSCHAP_CRYPTO_OK);
    cr_assert_eq(mschap_nt_password_hash(cx, &s2, &b), MSCHAP_CRYPTO_OK);
    assert_hex(a.bytes_, 16, "e77286d072c7858e9110cc3a011d2ac8"); /* MD4(E9 00) */
    cr_assert_eq(memcmp(a.bytes_, b.bytes_, 16), 0);
    /* U+1F600 becomes the surrogate pair 3D D8 00 DE, then 'a' */
    secret_set(&s1, (const uint8_t *)"\xf0\x9f\x98\x80" "a", 5);
    cr_assert_eq(mschap_nt_password_hash(cx, &s1, &a), MSCHAP_CRYPTO_OK);
    assert_hex(a.bytes_, 16, "af052dc2182793c3f81b79775fe2779c");
}

Test(mschap_crypto, challenge_hash_rfc2759)
{
    uint8_t ac[16], pc[16], ch[8];
    unhex(AUTH_CHAL, ac, 16);
    unhex(PEER_CHAL, pc, 16);
    cr_assert_eq(mschapv2_challenge_hash(cx, pc, ac, "User", 4, ch), MSCHAP_CRYPTO_OK);
    assert_hex(ch, 8, "D02E4386BCE91226");
}

Test(mschap_crypto, generate_nt_response_rfc2759)
{
    uint8_t ac[16], pc[16], nt[24];
    unhex(AUTH_CHAL, ac, 16);
    unhex(PEER_CHAL, pc, 16);
    secret p = pw("clientPass");
    cr_assert_eq(mschapv2_generate_nt_response(cx, ac, pc, "User", 4, &p, nt), MSCHAP_CRYPTO_OK);
    assert_hex(nt, 24, "82309ECD8D708B5EA08FAA3981CD83544233114A3D85D6DF");
}

Test(mschap_crypto, authenticator_response_rfc2759)
{
    uint8_t ac[16], pc[16], nt[24], ar[20];
    unhex(AUTH_CHAL, ac, 16);
    unhex(PEER_CHAL, pc, 16);
    unhex("82309ECD8D708B5EA08FAA3981CD83544233114A3D85D6DF", nt, 24);
    secret p = pw("clientPass");
    mschap_hash h;
    cr_assert_eq(mschap_nt_password_hash(cx, &p, &h), MSCHAP_CRYPTO_OK);
    cr_assert_eq(mschapv2_generate_authenticator_response(cx, &h, nt, pc, ac, "User", 4, ar), MSCHAP_CRYPTO_OK);
    char s[43];
    mschapv2_format_authenticator_response(ar, s);
    cr_assert_str_eq(s, "S=407A5589115FD0D6209F510FE9C04566932CDA56");

    bool match = false;
    cr_assert_eq(mschapv2_check_authenticator_response(cx, &h, nt, pc, ac, "User", 4, ar, &match),
                 MSCHAP_CRYPTO_OK);
    cr_assert(match);
    ar[19] ^= 1;
    cr_assert_eq(mschapv2_check_authenticator_response(cx, &h, nt, pc, ac, "User", 4, ar, &match),
                 MSCHAP_CRYPTO_OK);
    cr_assert_not(match);
}

Test(mschap_crypto, verify_strips_domain_and_rejects_wrong_password)
{
    uint8_t ac[16], pc[16], nt[24];
    unhex(AUTH_CHAL, ac, 16);
    unhex(PEER_CHAL, pc, 16);
    unhex("82309ECD8D708B5EA08FAA3981CD83544233114A3D85D6DF", nt, 24);
    secret good = pw("clientPass"), bad = pw("clientpass");
    bool match = false;
    cr_assert_eq(mschapv2_verify(cx, ac, pc, "User", &good, nt, &match), MSCHAP_CRYPTO_OK);
    cr_assert(match);
    match = false;
    cr_assert_eq(mschapv2_verify(cx, ac, pc, "CORP\\User", &good, nt, &match), MSCHAP_CRYPTO_OK);
    cr_assert(match, "the domain prefix is not part of the challenge hash");
    cr_assert_eq(mschapv2_verify(cx, ac, pc, "User", &bad, nt, &match), MSCHAP_CRYPTO_OK);
    cr_assert_not(match);
    cr_assert_eq(mschapv2_verify(cx, ac, pc, "user", &good, nt, &match), MSCHAP_CRYPTO_OK);
    cr_assert_not(match, "the user name is hashed case-sensitively");
    cr_assert_eq(mschapv2_verify(cx, ac, pc, NULL, &good, nt, &match), MSCHAP_CRYPTO_ERROR);
}

Test(mschap_crypto, mschapv1_nt_response_rfc2433_b2)
{
    uint8_t ch[8], nt[24];
    unhex("102DB5DF085D3041", ch, 8);
    secret p = pw("MyPw");
    cr_assert_eq(mschapv1_nt_response(cx, ch, &p, nt), MSCHAP_CRYPTO_OK);
    assert_hex(nt, 24, "4E9D3C8F9CFD385D5BF4D3246791956CA4C351AB409A3D61");
    bool match = false;
    uint8_t lm[24] = {0};
    cr_assert_eq(mschapv1_verify(cx, ch, &p, lm, nt, true, &match), MSCHAP_CRYPTO_OK);
    cr_assert(match);
    nt[0] ^= 0x80;
    cr_assert_eq(mschapv1_verify(cx, ch, &p, lm, nt, true, &match), MSCHAP_CRYPTO_OK);
    cr_assert_not(match);
}

Test(mschap_crypto, lm_password_hash_rfc3079_2_5_1)
{
    mschap_hash h, h2;
    secret p = pw("clientPass");
    cr_assert_eq(mschap_lm_password_hash(cx, &p, &h), MSCHAP_CRYPTO_OK);
    assert_hex(h.bytes_, 16, "76a152936096d7830e2390227404afd2");
    /* LM is case-insensitive and stops at 14 characters */
    p = pw("CLIENTPASS");
    cr_assert_eq(mschap_lm_password_hash(cx, &p, &h2), MSCHAP_CRYPTO_OK);
    cr_assert_eq(memcmp(h.bytes_, h2.bytes_, 16), 0);
    secret a = pw("abcdefghijklmnXYZ"), b = pw("ABCDEFGHIJKLMN");
    cr_assert_eq(mschap_lm_password_hash(cx, &a, &h), MSCHAP_CRYPTO_OK);
    cr_assert_eq(mschap_lm_password_hash(cx, &b, &h2), MSCHAP_CRYPTO_OK);
    cr_assert_eq(memcmp(h.bytes_, h2.bytes_, 16), 0);
    /* the empty password has the well known LM hash AAD3B435B51404EE twice */
    secret e = pw("");
    cr_assert_eq(mschap_lm_password_hash(cx, &e, &h), MSCHAP_CRYPTO_OK);
    assert_hex(h.bytes_, 16, "AAD3B435B51404EEAAD3B435B51404EE");
}

Test(mschap_crypto, lm_response_is_challenge_response_of_lm_hash)
{
    uint8_t ch[8], lm[24], lm2[24], nt[24] = {0};
    unhex("102DB5DF085D3041", ch, 8);
    secret p = pw("clientPass");
    mschap_hash h;
    cr_assert_eq(mschapv1_lm_response(cx, ch, &p, lm), MSCHAP_CRYPTO_OK);
    cr_assert_eq(mschap_lm_password_hash(cx, &p, &h), MSCHAP_CRYPTO_OK);
    cr_assert_eq(mschap_challenge_response(cx, ch, &h, lm2), MSCHAP_CRYPTO_OK);
    cr_assert_eq(memcmp(lm, lm2, 24), 0);
    /* third DES block uses hash[14..15] + 5 zero octets */
    uint8_t key7[7] = {h.bytes_[14], h.bytes_[15], 0, 0, 0, 0, 0}, blk[8];
    cr_assert_eq(mschap_des_encrypt(cx, ch, key7, blk), MSCHAP_CRYPTO_OK);
    cr_assert_eq(memcmp(lm + 16, blk, 8), 0);
    bool match = false;
    cr_assert_eq(mschapv1_verify(cx, ch, &p, lm, nt, false, &match), MSCHAP_CRYPTO_OK);
    cr_assert(match);
}

Test(mschap_crypto, des_known_answer)
{
    /* classic DES test: key 133457799BBCDFF1, plaintext 0123456789ABCDEF ->
     * 85E813540F0AB405.  The 7-octet form of that key drops the parity bits. */
    static const uint8_t key8[8] = {0x13, 0x34, 0x57, 0x79, 0x9B, 0xBC, 0xDF, 0xF1};
    uint8_t key7[7] = {0};
    /* pack the 7 high bits of each octet */
    unsigned bit = 0;
    for (int i = 0; i < 8; i++)
        for (int j = 7; j >= 1; j--, bit++)
            if ((key8[i] >> j) & 1)
                key7[bit / 8] |= (uint8_t)(0x80 >> (bit % 8));
    uint8_t pt[8], ct[8];
    unhex("0123456789ABCDEF", pt, 8);
    cr_assert_eq(mschap_des_encrypt(cx, pt, key7, ct), MSCHAP_CRYPTO_OK);
    assert_hex(ct, 8, "85E813540F0AB405");
}

Test(mschap_crypto, chap_md5_response_rfc1994)
{
    uint8_t ch[16], r[16];
    size_t n = unhex("c49c74a7d3f8fa006ea57190f28ab34c", ch, sizeof ch);
    secret s = pw("MyPw");
    cr_assert_eq(chap_md5_response(cx, 1, &s, ch, n, r), MSCHAP_CRYPTO_OK);
    assert_hex(r, 16, "822c2bc654b1d0a8dbea8737fbbdde0e");
    unhex("00112233445566778899aabbccddeeff", ch, 16);
    s = pw("secret");
    cr_assert_eq(chap_md5_response(cx, 0x2a, &s, ch, 16, r), MSCHAP_CRYPTO_OK);
    assert_hex(r, 16, "b315fb98595bfed70521be60163cc41e");
    bool match = false;
    cr_assert_eq(chap_md5_verify(cx, 0x2a, &s, ch, 16, r, 16, &match), MSCHAP_CRYPTO_OK);
    cr_assert(match);
    cr_assert_eq(chap_md5_verify(cx, 0x2b, &s, ch, 16, r, 16, &match), MSCHAP_CRYPTO_OK);
    cr_assert_not(match, "the identifier is part of the hash");
    cr_assert_eq(chap_md5_verify(cx, 0x2a, &s, ch, 16, r, 15, &match), MSCHAP_CRYPTO_OK);
    cr_assert_not(match, "a short response never matches");
}

Test(mschap_crypto, sha1_parts)
{
    uint8_t d[20];
    mschap_part parts[2] = {{"a", 1}, {"bc", 2}};
    cr_assert_eq(mschap_crypto_sha1(cx, parts, 2, d), MSCHAP_CRYPTO_OK);
    assert_hex(d, 20, "a9993e364706816aba3e25717850c26c9cd0d89d"); /* SHA1("abc") */
}

Test(mschap_crypto, random_v2_roundtrip_generate_then_verify)
{
    srand(1234);
    for (int it = 0; it < 50; it++) {
        uint8_t ac[16], pc[16], nt[24];
        for (int i = 0; i < 16; i++) {
            ac[i] = (uint8_t)rand();
            pc[i] = (uint8_t)rand();
        }
        char pwbuf[32], user[16];
        int pl = 1 + rand() % 30, ul = 1 + rand() % 14;
        for (int i = 0; i < pl; i++)
            pwbuf[i] = (char)(' ' + rand() % 94);
        pwbuf[pl] = 0;
        for (int i = 0; i < ul; i++)
            user[i] = (char)('a' + rand() % 26);
        user[ul] = 0;
        secret p = pw(pwbuf);
        cr_assert_eq(mschapv2_generate_nt_response(cx, ac, pc, user, (size_t)ul, &p, nt), MSCHAP_CRYPTO_OK);
        bool match = false;
        cr_assert_eq(mschapv2_verify(cx, ac, pc, user, &p, nt, &match), MSCHAP_CRYPTO_OK);
        cr_assert(match);
        pc[it % 16] ^= 1;
        cr_assert_eq(mschapv2_verify(cx, ac, pc, user, &p, nt, &match), MSCHAP_CRYPTO_OK);
        cr_assert_not(match);
    }
}

/* No legacy provider: MD4/DES calls fail cleanly, MD5/SHA1 still work. */
Test(mschap_crypto_nolegacy, missing_legacy_provider_is_an_error_not_a_crash)
{
    mschap_crypto *c = mschap_crypto_new_ex("/nonexistent-ossl-modules");
    cr_assert_not_null(c, "the default provider is built in");
    cr_assert_not(mschap_crypto_has_legacy(c));
    secret p = pw("clientPass");
    mschap_hash h;
    memset(&h, 0, sizeof h);
    cr_assert_eq(mschap_nt_password_hash(c, &p, &h), MSCHAP_CRYPTO_UNAVAILABLE);
    cr_assert_eq(mschap_lm_password_hash(c, &p, &h), MSCHAP_CRYPTO_UNAVAILABLE);
    uint8_t ac[16] = {0}, pc[16] = {0}, nt[24] = {0}, r[16];
    bool match = true;
    cr_assert_eq(mschapv2_verify(c, ac, pc, "User", &p, nt, &match), MSCHAP_CRYPTO_UNAVAILABLE);
    cr_assert_eq(chap_md5_response(c, 1, &p, ac, 16, r), MSCHAP_CRYPTO_OK);
    uint8_t ch[8];
    cr_assert_eq(mschapv2_challenge_hash(c, pc, ac, "User", 4, ch), MSCHAP_CRYPTO_OK);
    mschap_crypto_free(c);
    /* NULL context is an error too */
    cr_assert_eq(mschap_nt_password_hash(NULL, &p, &h), MSCHAP_CRYPTO_ERROR);
    mschap_crypto_free(NULL);
}
