/* test_mppe_crypto.c - MPPE key derivation (RFC 3079 sections 2.5 and 3.5
 * sample derivations), the RC4 data path with stateless/stateful rekeying
 * (RFC 3078), and decryption of real captured MPPE traffic. */
#include <criterion/criterion.h>
#include <stdlib.h>
#include <string.h>

#include "auth_test_helpers.h"
#include "mppe_crypto.h"
#include "mschap_crypto.h"

static mschap_crypto *cx;

static void setup(void)
{
    cx = mschap_crypto_new();
    cr_assert_not_null(cx);
    cr_assert(mschap_crypto_has_legacy(cx));
}

static void teardown(void)
{
    mschap_crypto_free(cx);
    cx = NULL;
}

TestSuite(mppe_crypto, .init = setup, .fini = teardown);

static void assert_hex(const uint8_t *got, size_t n, const char *want)
{
    uint8_t w[256];
    size_t wn = auth_unhex(want, w, sizeof w);
    char gh[600];
    auth_tohex(got, n, gh);
    cr_assert_eq(wn, n, "length %zu vs expected %zu", n, wn);
    cr_assert_eq(memcmp(got, w, n), 0, "got %s, expected %s", gh, want);
}

static mppe_key key_from_hex(const char *h)
{
    mppe_key k;
    memset(&k, 0, sizeof k);
    k.len = (uint8_t)auth_unhex(h, k.bytes_, sizeof k.bytes_);
    return k;
}

static secret pw(const char *s)
{
    secret x;
    secret_set(&x, (const uint8_t *)s, strlen(s));
    return x;
}

/* RFC 3079 section 3.5: the common inputs */
#define PW_HASH_HASH "41C00C584BD2D91C4017A2A12FA59F3F"
#define NT_RESPONSE "82309ECD8D708B5EA08FAA3981CD83544233114A3D85D6DF"
#define MASTER_KEY "FDECE3717A8C838CB388E527AE3CDD31"

Test(mppe_crypto, master_key_rfc3079_3_5)
{
    mschap_hash hh;
    uint8_t nt[24];
    auth_unhex(PW_HASH_HASH, hh.bytes_, 16);
    auth_unhex(NT_RESPONSE, nt, 24);
    mppe_key mk;
    cr_assert_eq(mppe_get_master_key(cx, &hh, nt, &mk), MPPE_OK);
    cr_assert_eq(mk.len, 16);
    assert_hex(mk.bytes_, 16, MASTER_KEY);
}

static void sample(unsigned bits, const char *start_hex, const char *session_hex, const char *cipher_hex)
{
    mppe_key mk = key_from_hex(MASTER_KEY), start, session;
    size_t kl = mppe_key_len(bits);
    /* the RFC samples are GetAsymmetricStartKey(..., IsSend=TRUE, IsServer=TRUE):
     * the server's send key (Magic3), which is the client's receive key */
    cr_assert_eq(mppe_get_asymmetric_start_key(cx, &mk, kl, true, true, &start), MPPE_OK);
    assert_hex(start.bytes_, kl, start_hex);
    mppe_key cli_recv;
    cr_assert_eq(mppe_get_asymmetric_start_key(cx, &mk, kl, false, false, &cli_recv), MPPE_OK);
    cr_assert_eq(memcmp(start.bytes_, cli_recv.bytes_, kl), 0);
    cr_assert_eq(mppe_initial_session_key(cx, &start, bits, &session), MPPE_OK);
    assert_hex(session.bytes_, kl, session_hex);
    uint8_t ct[12];
    mppe_rc4(session.bytes_, kl, (const uint8_t *)"test message", 12, ct);
    assert_hex(ct, 12, cipher_hex);
}

Test(mppe_crypto, sample_40bit_rfc3079_3_5_1)
{
    sample(40, "8B7CDC149B993A1B", "D1269EC49FA62E3E", "92 91 37 91 7E 58 03 D6 68 D7 58 98");
}

Test(mppe_crypto, sample_56bit_rfc3079_3_5_2)
{
    /* RFC 3079 prints the last octet of the encrypted sample as 58; RC4 with the
     * printed SendSessionKey56 gives B8 (a typo in the RFC: every other octet,
     * and all the key values, agree). */
    sample(56, "8B7CDC149B993A1B", "D15C00C49FA62E3E", "3F 10 68 33 FA 44 8D A8 42 BC 57 B8");
}

Test(mppe_crypto, sample_128bit_rfc3079_3_5_3)
{
    sample(128, "8B7CDC149B993A1BA118CB153F56DCCB", "405CB2247A7956E6E211007AE27B22D4",
           "81 84 83 17 DF 68 84 62 72 FB 5A BE");
}

Test(mppe_crypto, start_keys_from_password_and_directions)
{
    uint8_t nt[24];
    auth_unhex(NT_RESPONSE, nt, 24);
    secret p = pw("clientPass");
    mppe_key c2s, s2c;
    cr_assert_eq(mppe_start_keys_from_mschapv2(cx, &p, nt, 128, &c2s, &s2c), MPPE_OK);
    /* server-to-client data uses the server's send key = the RFC sample (Magic3) */
    assert_hex(s2c.bytes_, 16, "8B7CDC149B993A1BA118CB153F56DCCB");
    /* client-to-server uses Magic2: client send == server receive */
    mppe_key mk = key_from_hex(MASTER_KEY), srv_recv, cli_send;
    cr_assert_eq(mppe_get_asymmetric_start_key(cx, &mk, 16, false, true, &srv_recv), MPPE_OK);
    cr_assert_eq(mppe_get_asymmetric_start_key(cx, &mk, 16, true, false, &cli_send), MPPE_OK);
    cr_assert_eq(memcmp(c2s.bytes_, srv_recv.bytes_, 16), 0);
    cr_assert_eq(memcmp(c2s.bytes_, cli_send.bytes_, 16), 0);
    cr_assert_neq(memcmp(s2c.bytes_, c2s.bytes_, 16), 0);
    assert_hex(c2s.bytes_, 16, "D5F0E9521E3EA9589645E86051C82226");
    /* 40-bit start keys are the first 8 octets */
    mppe_key c2s40, s2c40;
    cr_assert_eq(mppe_start_keys_from_mschapv2(cx, &p, nt, 40, &c2s40, &s2c40), MPPE_OK);
    cr_assert_eq(c2s40.len, 8);
    cr_assert_eq(memcmp(c2s40.bytes_, c2s.bytes_, 8), 0);
    cr_assert_eq(memcmp(s2c40.bytes_, s2c.bytes_, 8), 0);
}

Test(mppe_crypto, get_new_key_from_sha_sample)
{
    /* RFC 3079 3.5.1 step 5 before the 40-bit reduction: 96 5C 00 C4 ... */
    mppe_key start = key_from_hex("8B7CDC149B993A1B"), out;
    cr_assert_eq(mppe_get_new_key_from_sha(cx, &start, &start, 8, &out), MPPE_OK);
    assert_hex(out.bytes_, 8, "965C00C49FA62E3E");
    mppe_reduce_key(&out, 40);
    assert_hex(out.bytes_, 8, "D1269EC49FA62E3E");
    cr_assert_eq(mppe_get_new_key_from_sha(cx, &start, &start, 16, &out), MPPE_ERR_PARAM,
                 "an 8-octet key cannot make a 16-octet one");
    cr_assert_eq(mppe_get_new_key_from_sha(cx, &start, &start, 12, &out), MPPE_ERR_PARAM);
}

Test(mppe_crypto, key_reduction_and_lengths)
{
    mppe_key k = key_from_hex("0102030405060708");
    mppe_reduce_key(&k, 40);
    assert_hex(k.bytes_, 8, "D1269E0405060708");
    k = key_from_hex("0102030405060708");
    mppe_reduce_key(&k, 56);
    assert_hex(k.bytes_, 8, "D102030405060708");
    k = key_from_hex("0102030405060708090a0b0c0d0e0f10");
    mppe_reduce_key(&k, 128);
    assert_hex(k.bytes_, 16, "0102030405060708090a0b0c0d0e0f10");
    cr_assert_eq(mppe_key_len(40), 8);
    cr_assert_eq(mppe_key_len(56), 8);
    cr_assert_eq(mppe_key_len(128), 16);
    cr_assert_eq(mppe_key_len(64), 0);
    mppe_key out;
    cr_assert_eq(mppe_initial_session_key(cx, &k, 64, &out), MPPE_ERR_PARAM);
}

/* RFC 3079 section 2.5: keys from MS-CHAPv1 credentials */
Test(mppe_crypto, mschapv1_samples_rfc3079_2_5)
{
    secret p = pw("clientPass");
    uint8_t chal[8];
    auth_unhex("102db5df085d3041", chal, 8);
    mppe_key start, session;
    /* 2.5.1: 40-bit from the LM hash */
    cr_assert_eq(mppe_v1_start_key(cx, &p, chal, 40, &start), MPPE_OK);
    assert_hex(start.bytes_, 8, "76a152936096d783");
    mppe_key lmfull = key_from_hex("76a152936096d7830e2390227404afd2"), raw;
    cr_assert_eq(mppe_get_new_key_from_sha(cx, &lmfull, &lmfull, 8, &raw), MPPE_OK);
    assert_hex(raw.bytes_, 8, "d80801538cec4a08");
    cr_assert_eq(mppe_initial_session_key(cx, &start, 40, &session), MPPE_OK);
    assert_hex(session.bytes_, 8, "d1269e538cec4a08");
    /* 2.5.2: 56-bit */
    cr_assert_eq(mppe_initial_session_key(cx, &start, 56, &session), MPPE_OK);
    assert_hex(session.bytes_, 8, "d10801538cec4a08");
    /* 2.5.3: 128-bit from GetStartKey(challenge, NtPasswordHashHash) */
    mschap_hash hh;
    auth_unhex(PW_HASH_HASH, hh.bytes_, 16);
    cr_assert_eq(mppe_v1_get_start_key(cx, chal, &hh, &start), MPPE_OK);
    assert_hex(start.bytes_, 16, "a8947850cfc0acc1d1789fb62ddcddb0");
    mppe_key start2;
    cr_assert_eq(mppe_v1_start_key(cx, &p, chal, 128, &start2), MPPE_OK);
    cr_assert_eq(memcmp(start.bytes_, start2.bytes_, 16), 0);
    cr_assert_eq(mppe_initial_session_key(cx, &start, 128, &session), MPPE_OK);
    assert_hex(session.bytes_, 16, "59d159bc09f76f1da2a86a28ffec0b1e");
}

Test(mppe_crypto, rc4_known_answer)
{
    /* the classic "Key"/"Plaintext" RC4 test */
    uint8_t out[9];
    mppe_rc4((const uint8_t *)"Key", 3, (const uint8_t *)"Plaintext", 9, out);
    assert_hex(out, 9, "BBF316E8D940AF0AD3");
    uint8_t buf[9];
    memcpy(buf, "Plaintext", 9);
    mppe_rc4((const uint8_t *)"Key", 3, buf, 9, buf); /* in place */
    assert_hex(buf, 9, "BBF316E8D940AF0AD3");
}

/* ---- data path ------------------------------------------------------------ */

static void make_pair(unsigned bits, bool stateless, mppe_state *tx, mppe_state *rx)
{
    mppe_key mk = key_from_hex(MASTER_KEY), start;
    cr_assert_eq(mppe_get_asymmetric_start_key(cx, &mk, mppe_key_len(bits), true, true, &start), MPPE_OK);
    cr_assert_eq(mppe_state_init(cx, tx, &start, bits, stateless), MPPE_OK);
    cr_assert_eq(mppe_state_init(cx, rx, &start, bits, stateless), MPPE_OK);
}

typedef struct pkt {
    uint16_t cc;
    bool flushed;
    size_t len;
    uint8_t plain[64], ct[64];
} pkt;

static void gen(mppe_state *tx, pkt *p, unsigned seed)
{
    p->len = 1 + seed % 60;
    for (size_t i = 0; i < p->len; i++)
        p->plain[i] = (uint8_t)(seed * 31 + i);
    cr_assert_eq(mppe_encrypt(cx, tx, p->plain, p->len, p->ct, &p->cc, &p->flushed), MPPE_OK);
}

static void expect_ok(mppe_state *rx, const pkt *p)
{
    uint8_t out[64];
    cr_assert_eq(mppe_decrypt(cx, rx, p->cc, p->flushed, p->ct, p->len, out), MPPE_OK, "cc %03x", p->cc);
    cr_assert_eq(memcmp(out, p->plain, p->len), 0, "cc %03x decrypts wrong", p->cc);
}

Test(mppe_crypto, stateful_first_packet_uses_initial_session_key)
{
    mppe_state tx, rx;
    make_pair(128, false, &tx, &rx);
    pkt p;
    gen(&tx, &p, 7);
    cr_assert_eq(p.cc, 0);
    cr_assert_not(p.flushed);
    uint8_t ref[64];
    mppe_key session = key_from_hex("405CB2247A7956E6E211007AE27B22D4");
    mppe_rc4(session.bytes_, 16, p.plain, p.len, ref);
    cr_assert_eq(memcmp(ref, p.ct, p.len), 0);
    expect_ok(&rx, &p);
    mppe_state_wipe(&tx);
    mppe_state_wipe(&rx);
}

Test(mppe_crypto, stateless_rekeys_every_packet)
{
    mppe_state tx, rx;
    make_pair(40, true, &tx, &rx);
    pkt p;
    gen(&tx, &p, 3);
    cr_assert_eq(p.cc, 0);
    cr_assert(p.flushed, "stateless packets are all flushed");
    /* first packet key: RC4(interim, interim) reduced, interim = SHA(start, initial) */
    mppe_key start = key_from_hex("8B7CDC149B993A1B"), initial = key_from_hex("D1269EC49FA62E3E"), interim, k;
    cr_assert_eq(mppe_get_new_key_from_sha(cx, &start, &initial, 8, &interim), MPPE_OK);
    k.len = 8;
    mppe_rc4(interim.bytes_, 8, interim.bytes_, 8, k.bytes_);
    mppe_reduce_key(&k, 40);
    uint8_t ref[64];
    mppe_rc4(k.bytes_, 8, p.plain, p.len, ref);
    cr_assert_eq(memcmp(ref, p.ct, p.len), 0);
    expect_ok(&rx, &p);
    /* 300 more, dropping every 7th; 40-bit keys keep their prefix */
    for (unsigned i = 0; i < 300; i++) {
        gen(&tx, &p, i);
        cr_assert(p.flushed);
        if (i % 7 == 3)
            continue;
        expect_ok(&rx, &p);
        cr_assert_eq(rx.session_.bytes_[0], 0xd1);
        cr_assert_eq(rx.session_.bytes_[1], 0x26);
        cr_assert_eq(rx.session_.bytes_[2], 0x9e);
    }
    cr_assert_eq(rx.rekeys, tx.rekeys, "the receiver caught up over the lost packets");
    /* a duplicate and a late packet are refused */
    uint8_t out[64];
    cr_assert_eq(mppe_decrypt(cx, &rx, p.cc, p.flushed, p.ct, p.len, out), MPPE_ERR_LATE);
    cr_assert_eq(mppe_decrypt(cx, &rx, (uint16_t)((p.cc + 4096 - 5) % 4096), true, p.ct, p.len, out),
                 MPPE_ERR_LATE);
    /* and the stream continues */
    gen(&tx, &p, 1);
    expect_ok(&rx, &p);
}

Test(mppe_crypto, stateful_rekeys_on_flag_packets_and_wraps)
{
    mppe_state tx, rx;
    make_pair(56, false, &tx, &rx);
    pkt p;
    for (unsigned i = 0; i < 4096 + 600; i++) {
        gen(&tx, &p, i);
        cr_assert_eq(p.cc, i % 4096);
        cr_assert_eq(p.flushed, (p.cc & 0xff) == 0xff, "only flag packets are flushed (cc %03x)", p.cc);
        expect_ok(&rx, &p);
        cr_assert_eq(rx.session_.bytes_[0], 0xd1);
    }
    cr_assert_eq(tx.rekeys, (4096 + 600) / 256);
    cr_assert_eq(rx.rekeys, tx.rekeys);
}

Test(mppe_crypto, stateful_loss_waits_for_flushed_packet)
{
    mppe_state tx, rx;
    make_pair(128, false, &tx, &rx);
    pkt p;
    uint8_t out[64];
    for (unsigned i = 0; i < 0x10; i++) {
        gen(&tx, &p, i);
        expect_ok(&rx, &p);
    }
    gen(&tx, &p, 99); /* cc 0x010 lost */
    gen(&tx, &p, 100); /* cc 0x011: gap */
    cr_assert_eq(mppe_decrypt(cx, &rx, p.cc, p.flushed, p.ct, p.len, out), MPPE_ERR_LOST);
    cr_assert(rx.discard);
    /* everything up to the flag packet 0x0ff is refused */
    while (p.cc != 0xfe) {
        gen(&tx, &p, p.cc);
        cr_assert_eq(mppe_decrypt(cx, &rx, p.cc, p.flushed, p.ct, p.len, out), MPPE_ERR_LOST);
    }
    gen(&tx, &p, 5);
    cr_assert_eq(p.cc, 0xff);
    cr_assert(p.flushed);
    expect_ok(&rx, &p);
    cr_assert_not(rx.discard);
    for (unsigned i = 0; i < 20; i++) {
        gen(&tx, &p, i);
        expect_ok(&rx, &p);
    }
}

Test(mppe_crypto, stateful_lost_flag_packet_is_counted_on_resync)
{
    mppe_state tx, rx;
    make_pair(128, false, &tx, &rx);
    pkt p;
    uint8_t out[64];
    for (unsigned i = 0; i < 0xf0; i++) {
        gen(&tx, &p, i);
        expect_ok(&rx, &p);
    }
    /* lose 0x0f0..0x120, including the flag packet 0x0ff */
    while (p.cc != 0x120)
        gen(&tx, &p, p.cc);
    cr_assert_not(p.flushed);
    cr_assert_eq(mppe_decrypt(cx, &rx, p.cc, p.flushed, p.ct, p.len, out), MPPE_ERR_LOST);
    /* the sender gets a CCP Reset-Request and flushes the next packet */
    mppe_request_flush(&tx);
    gen(&tx, &p, 42);
    cr_assert_eq(p.cc, 0x121);
    cr_assert(p.flushed);
    expect_ok(&rx, &p);
    cr_assert_eq(rx.rekeys, tx.rekeys);
    for (unsigned i = 0; i < 300; i++) {
        gen(&tx, &p, i);
        expect_ok(&rx, &p);
    }
}

Test(mppe_crypto, stateful_gap_on_a_flushed_packet_resyncs_at_once)
{
    mppe_state tx, rx;
    make_pair(40, false, &tx, &rx);
    pkt p;
    for (unsigned i = 0; i < 0x300; i++) {
        gen(&tx, &p, i);
        if (i < 0x80 || i >= 0x2ff)
            expect_ok(&rx, &p); /* 0x080..0x2fe lost; 0x2ff is a flag packet */
    }
    cr_assert_eq(rx.rekeys, tx.rekeys);
    uint8_t out[64];
    cr_assert_eq(mppe_decrypt(cx, &rx, p.cc, p.flushed, p.ct, p.len, out), MPPE_ERR_LATE, "duplicate");
}

Test(mppe_crypto, bad_parameters)
{
    mppe_state st;
    mppe_key k = key_from_hex("0102030405060708");
    cr_assert_eq(mppe_state_init(cx, &st, &k, 128, false), MPPE_ERR_PARAM, "8-octet key for 128 bits");
    cr_assert_eq(mppe_state_init(cx, &st, &k, 48, false), MPPE_ERR_PARAM);
    cr_assert_eq(mppe_state_init(cx, &st, &k, 40, false), MPPE_OK);
    uint8_t b[4] = {0};
    cr_assert_eq(mppe_decrypt(cx, &st, 4096, false, b, 4, b), MPPE_ERR_PARAM);
    cr_assert_eq(mppe_decrypt(cx, &st, 0, false, NULL, 4, b), MPPE_ERR_PARAM);
    mppe_state_wipe(&st);
    cr_assert_eq(st.bits, 0);
    cr_assert_eq(mppe_decrypt(cx, &st, 0, false, b, 4, b), MPPE_ERR_PARAM, "a wiped state is unusable");
    /* no legacy provider: SHA-1 still works for the MPPE keys, MD4 does not */
    mschap_crypto *nl = mschap_crypto_new_ex("/nonexistent-ossl-modules");
    cr_assert_not_null(nl);
    secret p = pw("x");
    uint8_t nt[24] = {0};
    mppe_key a, c;
    cr_assert_eq(mppe_start_keys_from_mschapv2(nl, &p, nt, 128, &a, &c), MPPE_ERR_CRYPTO);
    cr_assert_eq(mppe_state_init(nl, &st, &k, 40, true), MPPE_OK);
    mschap_crypto_free(nl);
}

/* ---- real captures ---------------------------------------------------------------- */

typedef struct cap_ctx {
    uint32_t client;        /* IPv4 of the peer that sent the CHAP Response */
    bool have_resp;
    uint8_t nt[24];
    mppe_state c2s, s2c;
    bool keyed;
    const char *password;
    int ok, bad, late, total;
} cap_ctx;

static bool plausible(const uint8_t *p, size_t n)
{
    /* decrypted MPPE data starts with the PPP protocol (maybe compressed) */
    if (n >= 3 && p[0] == 0x00 && p[1] == 0x21 && (p[2] >> 4) == 4)
        return true;
    if (n >= 2 && p[0] == 0x21 && (p[1] >> 4) == 4)
        return true;
    if (n >= 3 && p[0] == 0x00 && p[1] == 0x57 && (p[2] >> 4) == 6)
        return true;
    if (n >= 2 && p[0] == 0x57 && (p[1] >> 4) == 6)
        return true;
    return false;
}

static bool cap_cb(void *vctx, const auth_ppp_frame *f)
{
    cap_ctx *c = vctx;
    if (f->proto == 0xc223 && f->info_len >= 5 + 49 && f->info[0] == 2 && f->info[4] == 49) {
        c->client = f->src;
        memcpy(c->nt, f->info + 5 + 24, 24);
        c->have_resp = true;
        return true;
    }
    if (f->proto != 0x00fd || f->info_len < 3)
        return true;
    if (!c->keyed) {
        cr_assert(c->have_resp, "MPPE data before the CHAP Response");
        secret p = pw(c->password);
        mppe_key k1, k2;
        cr_assert_eq(mppe_start_keys_from_mschapv2(cx, &p, c->nt, 128, &k1, &k2), MPPE_OK);
        cr_assert_eq(mppe_state_init(cx, &c->c2s, &k1, 128, true), MPPE_OK);
        cr_assert_eq(mppe_state_init(cx, &c->s2c, &k2, 128, true), MPPE_OK);
        c->keyed = true;
    }
    uint16_t hdr = auth_be16(f->info);
    cr_assert(hdr & 0x1000, "encrypted (D) bit");
    uint8_t out[2048];
    size_t n = f->info_len - 2 < sizeof out ? f->info_len - 2 : sizeof out;
    mppe_state *st = f->src == c->client ? &c->c2s : &c->s2c;
    int rc = mppe_decrypt(cx, st, hdr & 0x0fff, (hdr & 0x8000) != 0, f->info + 2, n, out);
    c->total++;
    if (rc == MPPE_ERR_LATE)
        c->late++;
    else if (rc == MPPE_OK && plausible(out, n))
        c->ok++;
    else
        c->bad++;
    return true;
}

static void decrypt_capture(const char *file, const char *password, int min_ok)
{
    char path[4096];
    if (!external_pcap(file, path, sizeof path))
        cr_skip("external capture %s not present (../shared/pcaps/external)", file);
    cap_ctx c;
    memset(&c, 0, sizeof c);
    c.password = password;
    cr_assert_gt(auth_walk_ppp(path, cap_cb, &c), 0);
    cr_assert_geq(c.ok, min_ok, "%s: %d decrypted plausibly of %d (%d bad, %d late)", file, c.ok, c.total,
                  c.bad, c.late);
    cr_assert_eq(c.bad, 0, "%s: %d frames did not decrypt to a PPP IPv4/IPv6 datagram", file, c.bad);
    mppe_state_wipe(&c.c2s);
    mppe_state_wipe(&c.s2c);
}

Test(mppe_crypto, decrypts_pptp_vpn_sniffer_capture)
{
    /* MS-CHAPv2 jm/123, stateless 128-bit MPPE, 309 data frames */
    decrypt_capture("pptp_vpn_sniffer__connect.pcapng", "123", 300);
}

Test(mppe_crypto, decrypts_john_lulu_capture)
{
    /* MS-CHAPv2 lulu/password, stateless 128-bit MPPE, 25 data frames */
    decrypt_capture("john-samples__lulu-password-pptp.pcap", "password", 25);
}
