/* mschap_crypto.c - CHAP-MD5, MS-CHAPv1 and MS-CHAPv2 computations through
 * OpenSSL 3 EVP in a private library context; see mschap_crypto.h. */
#include "mschap_crypto.h"

#include <string.h>

#include <openssl/crypto.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/provider.h>

struct mschap_crypto {
    OSSL_LIB_CTX *lib;
    OSSL_PROVIDER *legacy; /* NULL when it could not be loaded */
    OSSL_PROVIDER *dflt;
    EVP_MD *md4;           /* NULL without legacy */
    EVP_MD *md5;
    EVP_MD *sha1;
    EVP_CIPHER *des;       /* NULL without legacy */
};

void mschap_crypto_free(mschap_crypto *cx)
{
    if (!cx)
        return;
    EVP_MD_free(cx->md4);
    EVP_MD_free(cx->md5);
    EVP_MD_free(cx->sha1);
    EVP_CIPHER_free(cx->des);
    if (cx->legacy)
        OSSL_PROVIDER_unload(cx->legacy);
    if (cx->dflt)
        OSSL_PROVIDER_unload(cx->dflt);
    OSSL_LIB_CTX_free(cx->lib);
    OPENSSL_free(cx);
}

mschap_crypto *mschap_crypto_new_ex(const char *modules_dir)
{
    mschap_crypto *cx = OPENSSL_zalloc(sizeof *cx);
    if (!cx)
        return NULL;
    cx->lib = OSSL_LIB_CTX_new();
    if (!cx->lib)
        goto fail;
    if (modules_dir && !OSSL_PROVIDER_set_default_search_path(cx->lib, modules_dir))
        goto fail;
    cx->legacy = OSSL_PROVIDER_load(cx->lib, "legacy");
    cx->dflt = OSSL_PROVIDER_load(cx->lib, "default");
    if (!cx->dflt)
        goto fail;
    cx->md5 = EVP_MD_fetch(cx->lib, "MD5", NULL);
    cx->sha1 = EVP_MD_fetch(cx->lib, "SHA1", NULL);
    if (!cx->md5 || !cx->sha1)
        goto fail;
    if (cx->legacy) {
        cx->md4 = EVP_MD_fetch(cx->lib, "MD4", NULL);
        cx->des = EVP_CIPHER_fetch(cx->lib, "DES-ECB", NULL);
    }
    ERR_clear_error(); /* a missing legacy provider is reported per call instead */
    return cx;
fail:
    ERR_clear_error();
    mschap_crypto_free(cx);
    return NULL;
}

mschap_crypto *mschap_crypto_new(void)
{
    return mschap_crypto_new_ex(NULL);
}

bool mschap_crypto_has_legacy(const mschap_crypto *cx)
{
    return cx && cx->md4 && cx->des;
}

void mschap_hash_wipe(mschap_hash *h)
{
    OPENSSL_cleanse(h->bytes_, sizeof h->bytes_);
}

/* ---- primitives ------------------------------------------------------------- */

static int digest(const EVP_MD *md, const mschap_part *parts, size_t n, uint8_t *out, size_t out_len)
{
    if (!md)
        return MSCHAP_CRYPTO_UNAVAILABLE;
    uint8_t buf[EVP_MAX_MD_SIZE];
    unsigned got = 0;
    int rc = MSCHAP_CRYPTO_ERROR;
    EVP_MD_CTX *ctx = EVP_MD_CTX_new();
    if (!ctx || !EVP_DigestInit_ex2(ctx, md, NULL))
        goto done;
    for (size_t i = 0; i < n; i++)
        if (parts[i].n && !EVP_DigestUpdate(ctx, parts[i].p, parts[i].n))
            goto done;
    if (!EVP_DigestFinal_ex(ctx, buf, &got) || got < out_len)
        goto done;
    memcpy(out, buf, out_len);
    rc = MSCHAP_CRYPTO_OK;
done:
    EVP_MD_CTX_free(ctx);
    OPENSSL_cleanse(buf, sizeof buf);
    if (rc != MSCHAP_CRYPTO_OK)
        ERR_clear_error();
    return rc;
}

int mschap_crypto_sha1(mschap_crypto *cx, const mschap_part *parts, size_t n, uint8_t out[20])
{
    if (!cx)
        return MSCHAP_CRYPTO_ERROR;
    return digest(cx->sha1, parts, n, out, 20);
}

/* Spread 56 key bits over 8 octets, each with odd parity in its low bit. */
void mschap_des_key_expand(const uint8_t k[7], uint8_t out[8])
{
    out[0] = k[0];
    out[1] = (uint8_t)(k[0] << 7 | k[1] >> 1);
    out[2] = (uint8_t)(k[1] << 6 | k[2] >> 2);
    out[3] = (uint8_t)(k[2] << 5 | k[3] >> 3);
    out[4] = (uint8_t)(k[3] << 4 | k[4] >> 4);
    out[5] = (uint8_t)(k[4] << 3 | k[5] >> 5);
    out[6] = (uint8_t)(k[5] << 2 | k[6] >> 6);
    out[7] = (uint8_t)(k[6] << 1);
    for (int i = 0; i < 8; i++) {
        uint8_t b = out[i] & 0xfe, ones = 0;
        for (int j = 1; j < 8; j++)
            ones += (b >> j) & 1;
        out[i] = (uint8_t)(b | ((ones & 1) ? 0 : 1));
    }
}

int mschap_des_encrypt(mschap_crypto *cx, const uint8_t clear[8], const uint8_t key7[7], uint8_t out[8])
{
    if (!cx)
        return MSCHAP_CRYPTO_ERROR;
    if (!cx->des)
        return MSCHAP_CRYPTO_UNAVAILABLE;
    uint8_t key[8], buf[16];
    int n1 = 0, n2 = 0;
    int rc = MSCHAP_CRYPTO_ERROR;
    mschap_des_key_expand(key7, key);
    EVP_CIPHER_CTX *ctx = EVP_CIPHER_CTX_new();
    if (!ctx || !EVP_EncryptInit_ex2(ctx, cx->des, key, NULL, NULL) || !EVP_CIPHER_CTX_set_padding(ctx, 0))
        goto done;
    if (!EVP_EncryptUpdate(ctx, buf, &n1, clear, 8) || !EVP_EncryptFinal_ex(ctx, buf + n1, &n2) || n1 + n2 != 8)
        goto done;
    memcpy(out, buf, 8);
    rc = MSCHAP_CRYPTO_OK;
done:
    EVP_CIPHER_CTX_free(ctx);
    OPENSSL_cleanse(key, sizeof key);
    OPENSSL_cleanse(buf, sizeof buf);
    if (rc != MSCHAP_CRYPTO_OK)
        ERR_clear_error();
    return rc;
}

/* UTF-8 to UTF-16LE; invalid sequences take the byte as Latin-1.  Returns the
 * number of output bytes (at most cap). */
static size_t utf8_to_utf16le(const uint8_t *s, size_t n, uint8_t *out, size_t cap)
{
    size_t i = 0, o = 0;
    while (i < n) {
        uint32_t cp = s[i], min = 0;
        size_t extra = 0;
        if (cp >= 0xc2 && cp <= 0xdf)
            extra = 1, cp &= 0x1f, min = 0x80;
        else if (cp >= 0xe0 && cp <= 0xef)
            extra = 2, cp &= 0x0f, min = 0x800;
        else if (cp >= 0xf0 && cp <= 0xf4)
            extra = 3, cp &= 0x07, min = 0x10000;
        bool ok = extra <= n - i - 1;
        for (size_t k = 1; ok && k <= extra; k++) {
            if ((s[i + k] & 0xc0) != 0x80)
                ok = false;
            else
                cp = cp << 6 | (s[i + k] & 0x3f);
        }
        /* reject overlong forms, surrogates and values past U+10FFFF */
        if (ok && extra && (cp < min || cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff)))
            ok = false;
        if (!ok) {
            cp = s[i];
            extra = 0;
        }
        i += extra + 1;
        if (cp >= 0x10000) {
            if (o + 4 > cap)
                break;
            uint32_t v = cp - 0x10000;
            uint16_t hi = (uint16_t)(0xd800 | (v >> 10)), lo = (uint16_t)(0xdc00 | (v & 0x3ff));
            out[o++] = (uint8_t)hi;
            out[o++] = (uint8_t)(hi >> 8);
            out[o++] = (uint8_t)lo;
            out[o++] = (uint8_t)(lo >> 8);
        } else {
            if (o + 2 > cap)
                break;
            out[o++] = (uint8_t)cp;
            out[o++] = (uint8_t)(cp >> 8);
        }
    }
    return o;
}

int mschap_nt_password_hash(mschap_crypto *cx, const secret *password, mschap_hash *out)
{
    if (!cx || !password || !out)
        return MSCHAP_CRYPTO_ERROR;
    uint8_t u16[2 * SECRET_MAX];
    size_t n = utf8_to_utf16le(password->bytes_, password->len, u16, sizeof u16);
    mschap_part part = {u16, n};
    int rc = digest(cx->md4, &part, 1, out->bytes_, 16);
    OPENSSL_cleanse(u16, sizeof u16);
    return rc;
}

int mschap_hash_nt_password_hash(mschap_crypto *cx, const mschap_hash *in, mschap_hash *out)
{
    if (!cx || !in || !out)
        return MSCHAP_CRYPTO_ERROR;
    mschap_part part = {in->bytes_, 16};
    return digest(cx->md4, &part, 1, out->bytes_, 16);
}

int mschap_lm_password_hash(mschap_crypto *cx, const secret *password, mschap_hash *out)
{
    static const uint8_t std_text[8] = {'K', 'G', 'S', '!', '@', '#', '$', '%'};
    if (!cx || !password || !out)
        return MSCHAP_CRYPTO_ERROR;
    uint8_t pw[14] = {0};
    for (size_t i = 0; i < password->len && i < sizeof pw; i++) {
        uint8_t ch = password->bytes_[i];
        pw[i] = (ch >= 'a' && ch <= 'z') ? (uint8_t)(ch - 'a' + 'A') : ch;
    }
    int rc = mschap_des_encrypt(cx, std_text, pw, out->bytes_);
    if (rc == MSCHAP_CRYPTO_OK)
        rc = mschap_des_encrypt(cx, std_text, pw + 7, out->bytes_ + 8);
    OPENSSL_cleanse(pw, sizeof pw);
    return rc;
}

int mschap_challenge_response(mschap_crypto *cx, const uint8_t challenge[8], const mschap_hash *hash,
                              uint8_t response[24])
{
    if (!cx || !hash)
        return MSCHAP_CRYPTO_ERROR;
    uint8_t z[21] = {0};
    memcpy(z, hash->bytes_, 16);
    int rc = MSCHAP_CRYPTO_OK;
    for (int i = 0; i < 3 && rc == MSCHAP_CRYPTO_OK; i++)
        rc = mschap_des_encrypt(cx, challenge, z + 7 * i, response + 8 * i);
    OPENSSL_cleanse(z, sizeof z);
    return rc;
}

/* ---- MS-CHAPv2 ---------------------------------------------------------------- */

int mschapv2_challenge_hash(mschap_crypto *cx, const uint8_t peer_challenge[16],
                            const uint8_t auth_challenge[16], const char *user, size_t user_len,
                            uint8_t challenge[8])
{
    if (!cx || (!user && user_len))
        return MSCHAP_CRYPTO_ERROR;
    mschap_part parts[3] = {{peer_challenge, 16}, {auth_challenge, 16}, {user, user_len}};
    return digest(cx->sha1, parts, 3, challenge, 8);
}

int mschapv2_generate_nt_response_hash(mschap_crypto *cx, const uint8_t auth_challenge[16],
                                       const uint8_t peer_challenge[16], const char *user,
                                       size_t user_len, const mschap_hash *pw_hash,
                                       uint8_t nt_response[24])
{
    uint8_t chal[8];
    int rc = mschapv2_challenge_hash(cx, peer_challenge, auth_challenge, user, user_len, chal);
    if (rc == MSCHAP_CRYPTO_OK)
        rc = mschap_challenge_response(cx, chal, pw_hash, nt_response);
    return rc;
}

int mschapv2_generate_nt_response(mschap_crypto *cx, const uint8_t auth_challenge[16],
                                  const uint8_t peer_challenge[16], const char *user, size_t user_len,
                                  const secret *password, uint8_t nt_response[24])
{
    mschap_hash h;
    int rc = mschap_nt_password_hash(cx, password, &h);
    if (rc == MSCHAP_CRYPTO_OK)
        rc = mschapv2_generate_nt_response_hash(cx, auth_challenge, peer_challenge, user, user_len, &h,
                                                nt_response);
    mschap_hash_wipe(&h);
    return rc;
}

/* RFC 2759 section 8.7 constants. */
static const char magic1[] = "Magic server to client signing constant";
static const char magic2[] = "Pad to make it do more than one iteration";

int mschapv2_generate_authenticator_response(mschap_crypto *cx, const mschap_hash *pw_hash,
                                             const uint8_t nt_response[24],
                                             const uint8_t peer_challenge[16],
                                             const uint8_t auth_challenge[16], const char *user,
                                             size_t user_len, uint8_t auth_response[20])
{
    mschap_hash hh;
    uint8_t d[20], chal[8];
    int rc = mschap_hash_nt_password_hash(cx, pw_hash, &hh);
    if (rc == MSCHAP_CRYPTO_OK) {
        mschap_part p1[3] = {{hh.bytes_, 16}, {nt_response, 24}, {magic1, sizeof magic1 - 1}};
        rc = digest(cx->sha1, p1, 3, d, 20);
    }
    if (rc == MSCHAP_CRYPTO_OK)
        rc = mschapv2_challenge_hash(cx, peer_challenge, auth_challenge, user, user_len, chal);
    if (rc == MSCHAP_CRYPTO_OK) {
        mschap_part p2[3] = {{d, 20}, {chal, 8}, {magic2, sizeof magic2 - 1}};
        rc = digest(cx->sha1, p2, 3, auth_response, 20);
    }
    mschap_hash_wipe(&hh);
    OPENSSL_cleanse(d, sizeof d);
    return rc;
}

void mschapv2_format_authenticator_response(const uint8_t auth_response[20], char out[43])
{
    static const char hex[] = "0123456789ABCDEF";
    out[0] = 'S';
    out[1] = '=';
    for (int i = 0; i < 20; i++) {
        out[2 + 2 * i] = hex[auth_response[i] >> 4];
        out[3 + 2 * i] = hex[auth_response[i] & 15];
    }
    out[42] = '\0';
}

int mschapv2_check_authenticator_response(mschap_crypto *cx, const mschap_hash *pw_hash,
                                          const uint8_t nt_response[24],
                                          const uint8_t peer_challenge[16],
                                          const uint8_t auth_challenge[16], const char *user,
                                          size_t user_len, const uint8_t received[20], bool *match)
{
    uint8_t mine[20];
    int rc = mschapv2_generate_authenticator_response(cx, pw_hash, nt_response, peer_challenge,
                                                      auth_challenge, user, user_len, mine);
    if (rc == MSCHAP_CRYPTO_OK && match)
        *match = CRYPTO_memcmp(mine, received, 20) == 0;
    return rc;
}

int mschapv2_verify(mschap_crypto *cx, const uint8_t auth_challenge[16], const uint8_t peer_challenge[16],
                    const char *name, const secret *password, const uint8_t nt_response[24], bool *match)
{
    if (!name)
        return MSCHAP_CRYPTO_ERROR;
    const char *user = strrchr(name, '\\');
    user = user ? user + 1 : name;
    uint8_t mine[24];
    int rc = mschapv2_generate_nt_response(cx, auth_challenge, peer_challenge, user, strlen(user), password,
                                           mine);
    if (rc == MSCHAP_CRYPTO_OK && match)
        *match = CRYPTO_memcmp(mine, nt_response, 24) == 0;
    return rc;
}

/* ---- MS-CHAPv1 ---------------------------------------------------------------- */

int mschapv1_nt_response(mschap_crypto *cx, const uint8_t challenge[8], const secret *password,
                         uint8_t nt_response[24])
{
    mschap_hash h;
    int rc = mschap_nt_password_hash(cx, password, &h);
    if (rc == MSCHAP_CRYPTO_OK)
        rc = mschap_challenge_response(cx, challenge, &h, nt_response);
    mschap_hash_wipe(&h);
    return rc;
}

int mschapv1_lm_response(mschap_crypto *cx, const uint8_t challenge[8], const secret *password,
                         uint8_t lm_response[24])
{
    mschap_hash h;
    int rc = mschap_lm_password_hash(cx, password, &h);
    if (rc == MSCHAP_CRYPTO_OK)
        rc = mschap_challenge_response(cx, challenge, &h, lm_response);
    mschap_hash_wipe(&h);
    return rc;
}

int mschapv1_verify(mschap_crypto *cx, const uint8_t challenge[8], const secret *password,
                    const uint8_t lm_response[24], const uint8_t nt_response[24], bool use_nt,
                    bool *match)
{
    uint8_t mine[24];
    int rc = use_nt ? mschapv1_nt_response(cx, challenge, password, mine)
                    : mschapv1_lm_response(cx, challenge, password, mine);
    if (rc == MSCHAP_CRYPTO_OK && match)
        *match = CRYPTO_memcmp(mine, use_nt ? nt_response : lm_response, 24) == 0;
    return rc;
}

/* ---- CHAP-MD5 ------------------------------------------------------------------- */

int chap_md5_response(mschap_crypto *cx, uint8_t id, const secret *chap_secret, const uint8_t *challenge,
                      size_t challenge_len, uint8_t response[16])
{
    if (!cx || !chap_secret || (!challenge && challenge_len))
        return MSCHAP_CRYPTO_ERROR;
    mschap_part parts[3] = {{&id, 1}, {chap_secret->bytes_, chap_secret->len}, {challenge, challenge_len}};
    return digest(cx->md5, parts, 3, response, 16);
}

int chap_md5_verify(mschap_crypto *cx, uint8_t id, const secret *chap_secret, const uint8_t *challenge,
                    size_t challenge_len, const uint8_t *response, size_t response_len, bool *match)
{
    uint8_t mine[16];
    int rc = chap_md5_response(cx, id, chap_secret, challenge, challenge_len, mine);
    if (rc == MSCHAP_CRYPTO_OK && match)
        *match = response_len == 16 && response && CRYPTO_memcmp(mine, response, 16) == 0;
    return rc;
}
