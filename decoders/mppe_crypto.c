/* mppe_crypto.c - MPPE key derivation (RFC 3079) and RC4 data path with
 * rekeying (RFC 3078); see mppe_crypto.h. */
#include "mppe_crypto.h"

#include <string.h>

#include <openssl/crypto.h>

/* RFC 3079 section 3.4 constants. */
static const char magic1[] = "This is the MPPE Master Key";
static const char magic2[] = "On the client side, this is the send key; on the server side, it is the receive key.";
static const char magic3[] = "On the client side, this is the receive key; on the server side, it is the send key.";

static const uint8_t sha_pad1[40] = {0};
static const uint8_t sha_pad2[40] = {
    0xf2, 0xf2, 0xf2, 0xf2, 0xf2, 0xf2, 0xf2, 0xf2, 0xf2, 0xf2, 0xf2, 0xf2, 0xf2, 0xf2,
    0xf2, 0xf2, 0xf2, 0xf2, 0xf2, 0xf2, 0xf2, 0xf2, 0xf2, 0xf2, 0xf2, 0xf2, 0xf2, 0xf2,
    0xf2, 0xf2, 0xf2, 0xf2, 0xf2, 0xf2, 0xf2, 0xf2, 0xf2, 0xf2, 0xf2, 0xf2,
};

size_t mppe_key_len(unsigned bits)
{
    switch (bits) {
    case 40:
    case 56:
        return 8;
    case 128:
        return 16;
    default:
        return 0;
    }
}

void mppe_reduce_key(mppe_key *k, unsigned bits)
{
    if (bits == 40 && k->len >= 3) {
        k->bytes_[0] = 0xd1;
        k->bytes_[1] = 0x26;
        k->bytes_[2] = 0x9e;
    } else if (bits == 56 && k->len >= 1) {
        k->bytes_[0] = 0xd1;
    }
}

void mppe_key_wipe(mppe_key *k)
{
    OPENSSL_cleanse(k, sizeof *k);
}

static int sha1_rc(mschap_crypto *cx, const mschap_part *parts, size_t n, uint8_t out[20])
{
    return mschap_crypto_sha1(cx, parts, n, out) == MSCHAP_CRYPTO_OK ? MPPE_OK : MPPE_ERR_CRYPTO;
}

/* ---- RFC 3079 section 3 -------------------------------------------------------- */

int mppe_get_master_key(mschap_crypto *cx, const mschap_hash *pw_hash_hash, const uint8_t nt_response[24],
                        mppe_key *master)
{
    if (!pw_hash_hash || !nt_response || !master)
        return MPPE_ERR_PARAM;
    uint8_t d[20];
    mschap_part parts[3] = {{pw_hash_hash->bytes_, 16}, {nt_response, 24}, {magic1, sizeof magic1 - 1}};
    int rc = sha1_rc(cx, parts, 3, d);
    if (rc == MPPE_OK) {
        master->len = 16;
        memcpy(master->bytes_, d, 16);
    }
    OPENSSL_cleanse(d, sizeof d);
    return rc;
}

int mppe_get_asymmetric_start_key(mschap_crypto *cx, const mppe_key *master, size_t key_len, bool is_send,
                                  bool is_server, mppe_key *out)
{
    if (!master || !out || (key_len != 8 && key_len != 16) || master->len != 16)
        return MPPE_ERR_PARAM;
    /* client send = server receive = Magic2; client receive = server send = Magic3 */
    const char *s = (is_send != is_server) ? magic2 : magic3;
    uint8_t d[20];
    mschap_part parts[4] = {{master->bytes_, 16}, {sha_pad1, 40}, {s, sizeof magic2 - 1}, {sha_pad2, 40}};
    int rc = sha1_rc(cx, parts, 4, d);
    if (rc == MPPE_OK) {
        out->len = (uint8_t)key_len;
        memset(out->bytes_, 0, sizeof out->bytes_);
        memcpy(out->bytes_, d, key_len);
    }
    OPENSSL_cleanse(d, sizeof d);
    return rc;
}

int mppe_get_new_key_from_sha(mschap_crypto *cx, const mppe_key *start, const mppe_key *session,
                              size_t key_len, mppe_key *out)
{
    if (!start || !session || !out || (key_len != 8 && key_len != 16) || start->len < key_len ||
        session->len < key_len)
        return MPPE_ERR_PARAM;
    uint8_t d[20];
    mschap_part parts[4] = {{start->bytes_, key_len}, {sha_pad1, 40}, {session->bytes_, key_len}, {sha_pad2, 40}};
    int rc = sha1_rc(cx, parts, 4, d);
    if (rc == MPPE_OK) {
        out->len = (uint8_t)key_len;
        memset(out->bytes_, 0, sizeof out->bytes_);
        memcpy(out->bytes_, d, key_len);
    }
    OPENSSL_cleanse(d, sizeof d);
    return rc;
}

int mppe_initial_session_key(mschap_crypto *cx, const mppe_key *start, unsigned bits, mppe_key *out)
{
    size_t kl = mppe_key_len(bits);
    if (!kl)
        return MPPE_ERR_PARAM;
    int rc = mppe_get_new_key_from_sha(cx, start, start, kl, out);
    if (rc == MPPE_OK)
        mppe_reduce_key(out, bits);
    return rc;
}

int mppe_start_keys_from_mschapv2(mschap_crypto *cx, const secret *password, const uint8_t nt_response[24],
                                  unsigned bits, mppe_key *c2s, mppe_key *s2c)
{
    size_t kl = mppe_key_len(bits);
    if (!kl || !c2s || !s2c)
        return MPPE_ERR_PARAM;
    mschap_hash h, hh;
    mppe_key master;
    int rc = MPPE_ERR_CRYPTO;
    if (mschap_nt_password_hash(cx, password, &h) == MSCHAP_CRYPTO_OK &&
        mschap_hash_nt_password_hash(cx, &h, &hh) == MSCHAP_CRYPTO_OK) {
        rc = mppe_get_master_key(cx, &hh, nt_response, &master);
        if (rc == MPPE_OK)
            rc = mppe_get_asymmetric_start_key(cx, &master, kl, false, false, s2c); /* client receive */
        if (rc == MPPE_OK)
            rc = mppe_get_asymmetric_start_key(cx, &master, kl, true, false, c2s); /* client send */
    }
    mschap_hash_wipe(&h);
    mschap_hash_wipe(&hh);
    mppe_key_wipe(&master);
    return rc;
}

/* ---- RFC 3079 section 2 -------------------------------------------------------- */

int mppe_v1_get_start_key(mschap_crypto *cx, const uint8_t challenge[8], const mschap_hash *nt_hash_hash,
                          mppe_key *out)
{
    if (!challenge || !nt_hash_hash || !out)
        return MPPE_ERR_PARAM;
    uint8_t d[20];
    mschap_part parts[3] = {{nt_hash_hash->bytes_, 16}, {nt_hash_hash->bytes_, 16}, {challenge, 8}};
    int rc = sha1_rc(cx, parts, 3, d);
    if (rc == MPPE_OK) {
        out->len = 16;
        memcpy(out->bytes_, d, 16);
    }
    OPENSSL_cleanse(d, sizeof d);
    return rc;
}

int mppe_v1_start_key(mschap_crypto *cx, const secret *password, const uint8_t challenge[8], unsigned bits,
                      mppe_key *out)
{
    size_t kl = mppe_key_len(bits);
    if (!kl || !out)
        return MPPE_ERR_PARAM;
    mschap_hash h, hh;
    int rc = MPPE_ERR_CRYPTO;
    if (kl == 8) {
        if (mschap_lm_password_hash(cx, password, &h) == MSCHAP_CRYPTO_OK) {
            out->len = 8;
            memset(out->bytes_, 0, sizeof out->bytes_);
            memcpy(out->bytes_, h.bytes_, 8);
            rc = MPPE_OK;
        }
    } else if (mschap_nt_password_hash(cx, password, &h) == MSCHAP_CRYPTO_OK &&
               mschap_hash_nt_password_hash(cx, &h, &hh) == MSCHAP_CRYPTO_OK) {
        rc = mppe_v1_get_start_key(cx, challenge, &hh, out);
    }
    mschap_hash_wipe(&h);
    mschap_hash_wipe(&hh);
    return rc;
}

/* ---- RC4 ------------------------------------------------------------------------- */

static void rc4_setkey(mppe_state *st, const uint8_t *key, size_t n)
{
    for (int i = 0; i < 256; i++)
        st->rc4_s_[i] = (uint8_t)i;
    uint8_t j = 0;
    for (int i = 0; i < 256; i++) {
        j = (uint8_t)(j + st->rc4_s_[i] + key[i % n]);
        uint8_t t = st->rc4_s_[i];
        st->rc4_s_[i] = st->rc4_s_[j];
        st->rc4_s_[j] = t;
    }
    st->rc4_i_ = st->rc4_j_ = 0;
}

static void rc4_crypt(mppe_state *st, const uint8_t *in, size_t len, uint8_t *out)
{
    uint8_t i = st->rc4_i_, j = st->rc4_j_;
    for (size_t k = 0; k < len; k++) {
        i = (uint8_t)(i + 1);
        j = (uint8_t)(j + st->rc4_s_[i]);
        uint8_t t = st->rc4_s_[i];
        st->rc4_s_[i] = st->rc4_s_[j];
        st->rc4_s_[j] = t;
        out[k] = in[k] ^ st->rc4_s_[(uint8_t)(st->rc4_s_[i] + st->rc4_s_[j])];
    }
    st->rc4_i_ = i;
    st->rc4_j_ = j;
}

void mppe_rc4(const uint8_t *key, size_t key_len, const uint8_t *in, size_t len, uint8_t *out)
{
    if (!key || !key_len)
        return;
    mppe_state tmp;
    rc4_setkey(&tmp, key, key_len);
    rc4_crypt(&tmp, in, len, out);
    OPENSSL_cleanse(&tmp, sizeof tmp);
}

/* ---- data path --------------------------------------------------------------------- */

/* RFC 3078 section 7.3: new key from the start key and the current session key,
 * RC4-encrypted with itself, reduced, and the RC4 tables re-keyed. */
static int rekey(mschap_crypto *cx, mppe_state *st)
{
    size_t kl = mppe_key_len(st->bits);
    mppe_key interim;
    int rc = mppe_get_new_key_from_sha(cx, &st->start_, &st->session_, kl, &interim);
    if (rc != MPPE_OK)
        return rc;
    rc4_setkey(st, interim.bytes_, kl);
    rc4_crypt(st, interim.bytes_, kl, st->session_.bytes_);
    mppe_reduce_key(&st->session_, st->bits);
    rc4_setkey(st, st->session_.bytes_, kl);
    st->rekeys++;
    mppe_key_wipe(&interim);
    return MPPE_OK;
}

int mppe_state_init(mschap_crypto *cx, mppe_state *st, const mppe_key *start, unsigned bits, bool stateless)
{
    size_t kl = mppe_key_len(bits);
    if (!st || !start || !kl || start->len < kl)
        return MPPE_ERR_PARAM;
    memset(st, 0, sizeof *st);
    st->bits = (uint16_t)bits;
    st->stateless = stateless;
    st->ccount = MPPE_CCOUNT_SPACE - 1; /* the first packet carries count 0 */
    st->start_ = *start;
    st->start_.len = (uint8_t)kl;
    int rc = mppe_initial_session_key(cx, &st->start_, bits, &st->session_);
    if (rc != MPPE_OK) {
        mppe_state_wipe(st);
        return rc;
    }
    rc4_setkey(st, st->session_.bytes_, kl);
    return MPPE_OK;
}

void mppe_state_wipe(mppe_state *st)
{
    OPENSSL_cleanse(st, sizeof *st);
}

int mppe_decrypt(mschap_crypto *cx, mppe_state *st, uint16_t ccount, bool flushed, const uint8_t *in,
                 size_t len, uint8_t *out)
{
    if (!st || !mppe_key_len(st->bits) || ccount >= MPPE_CCOUNT_SPACE || (len && (!in || !out)))
        return MPPE_ERR_PARAM;
    int rc = MPPE_OK;
    if (st->stateless) {
        unsigned diff = (unsigned)(ccount - st->ccount) % MPPE_CCOUNT_SPACE;
        if (diff == 0 || diff > MPPE_CCOUNT_SPACE / 2)
            return MPPE_ERR_LATE; /* duplicate or late: its key is gone */
        /* one new key per packet the sender sent */
        while (st->ccount != ccount && rc == MPPE_OK) {
            rc = rekey(cx, st);
            st->ccount = (uint16_t)((st->ccount + 1) % MPPE_CCOUNT_SPACE);
        }
        if (rc != MPPE_OK)
            return rc;
    } else {
        if (!st->discard) {
            if (ccount == st->ccount)
                return MPPE_ERR_LATE; /* a duplicate: its key stream is spent */
            if (ccount != (st->ccount + 1) % MPPE_CCOUNT_SPACE)
                st->discard = true; /* packets lost */
        }
        if (st->discard) {
            if (!flushed)
                return MPPE_ERR_LOST;
            /* catch up: the sender rekeyed at every flag packet (low octet 0xFF)
             * strictly between the last accepted count and this one */
            uint16_t c = st->ccount;
            for (;;) {
                c = (uint16_t)((c + 1) % MPPE_CCOUNT_SPACE);
                if (c == ccount)
                    break;
                if ((c & 0xff) == 0xff && (rc = rekey(cx, st)) != MPPE_OK)
                    return rc;
            }
            st->discard = false;
        }
        st->ccount = ccount;
        if (flushed && (rc = rekey(cx, st)) != MPPE_OK)
            return rc;
    }
    rc4_crypt(st, in, len, out);
    return MPPE_OK;
}

int mppe_encrypt(mschap_crypto *cx, mppe_state *st, const uint8_t *in, size_t len, uint8_t *out,
                 uint16_t *ccount, bool *flushed)
{
    if (!st || !mppe_key_len(st->bits) || (len && (!in || !out)))
        return MPPE_ERR_PARAM;
    st->ccount = (uint16_t)((st->ccount + 1) % MPPE_CCOUNT_SPACE);
    bool flush = st->stateless || (st->ccount & 0xff) == 0xff || st->flush_next;
    if (flush) {
        int rc = rekey(cx, st);
        if (rc != MPPE_OK)
            return rc;
        st->flush_next = false;
    }
    rc4_crypt(st, in, len, out);
    if (ccount)
        *ccount = st->ccount;
    if (flushed)
        *flushed = flush;
    return MPPE_OK;
}

void mppe_request_flush(mppe_state *st)
{
    st->flush_next = true;
}
