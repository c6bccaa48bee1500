/*
 * mschap_crypto.h - the hash and cipher computations behind PPP authentication:
 *   CHAP-MD5 responses                  RFC 1994 section 4.1
 *   MS-CHAPv1 LM/NT responses           RFC 2433 appendix A
 *   MS-CHAPv2 NT-Response and
 *   authenticator response (S=...)      RFC 2759 section 8
 *
 * OpenSSL 3 and providers
 * -----------------------
 * MD4 and single DES are only in OpenSSL's "legacy" provider.  Rather than
 * loading it into OpenSSL's process-wide default library context (which would
 * change what every other user of OpenSSL in the process sees), all work here
 * goes through an explicit context, `mschap_crypto`, that owns a private
 * OSSL_LIB_CTX with the "legacy" and "default" providers loaded into it and the
 * algorithms fetched once.  There is no global state in this module; OpenSSL
 * keeps only its own internal state.  A context may be shared by threads for
 * the hash/cipher calls (the fetched algorithms are read only); create and free
 * it from one thread.
 *
 * When the legacy provider cannot be loaded (not installed, or a
 * restricted/FIPS build), mschap_crypto_new() still succeeds; every function
 * that needs MD4 or DES then returns MSCHAP_CRYPTO_UNAVAILABLE instead of
 * crashing.  CHAP-MD5 and the SHA-1 based functions keep working.
 *
 * Secrets: passwords come in as `secret` (secret.h, UTF-8 bytes), password
 * hashes go out as `mschap_hash`, whose bytes_ member must never be printed.
 * Comparisons of responses are constant time.
 */
#ifndef PPTP_MSCHAP_CRYPTO_H
#define PPTP_MSCHAP_CRYPTO_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "secret.h"

/* Opaque crypto context (private OpenSSL library context + fetched algorithms). */
typedef struct mschap_crypto mschap_crypto;

/* A 16-octet password hash (NT hash, LM hash, or the hash of one).  Key material. */
typedef struct mschap_hash {
    uint8_t bytes_[16]; /* trailing underscore: do not print */
} mschap_hash;

typedef enum mschap_crypto_rc {
    MSCHAP_CRYPTO_OK = 0,
    MSCHAP_CRYPTO_UNAVAILABLE = -1, /* MD4 or DES could not be fetched (no legacy provider) */
    MSCHAP_CRYPTO_ERROR = -2,       /* bad argument or an OpenSSL call failed */
} mschap_crypto_rc;

/* Create a context: new OSSL_LIB_CTX, providers "legacy" (optional) and "default"
 * (required), fetch MD4, MD5, SHA1, DES-ECB.  Returns NULL only when memory or
 * the default provider is unavailable.  Ownership: free with mschap_crypto_free(). */
mschap_crypto *mschap_crypto_new(void);
/* As mschap_crypto_new() but provider modules are searched in modules_dir
 * (NULL: OpenSSL's default).  Used by tests to simulate a missing legacy provider. */
mschap_crypto *mschap_crypto_new_ex(const char *modules_dir);
/* Free every OpenSSL object of cx (providers, fetched algorithms, library
 * context).  NULL is ignored. */
void mschap_crypto_free(mschap_crypto *cx);
/* True when MD4 and DES are available (the legacy provider loaded). */
bool mschap_crypto_has_legacy(const mschap_crypto *cx);

/* ---- building blocks (RFC 2759 section 8, RFC 2433 appendix A) ---------------- */

/* NtPasswordHash: MD4 of the UTF-16LE form of the UTF-8 password (bytes that are
 * not valid UTF-8 are taken as Latin-1).  Needs MD4. */
int mschap_nt_password_hash(mschap_crypto *cx, const secret *password, mschap_hash *out);
/* HashNtPasswordHash: MD4 of a 16-octet hash.  Needs MD4. */
int mschap_hash_nt_password_hash(mschap_crypto *cx, const mschap_hash *in, mschap_hash *out);
/* LmPasswordHash: the password upper-cased (ASCII letters), cut/zero-padded to 14
 * octets, each 7-octet half used as a DES key on "KGS!@#$%".  Needs DES. */
int mschap_lm_password_hash(mschap_crypto *cx, const secret *password, mschap_hash *out);
/* Spread a 7-octet DES key over 8 octets, each with odd parity in its low bit
 * (RFC 2759 section 9.3 example).  Pure function, no OpenSSL. */
void mschap_des_key_expand(const uint8_t key7[7], uint8_t key8[8]);
/* DesEncrypt: one DES-ECB block with a 7-octet key expanded to 8 (parity set). */
int mschap_des_encrypt(mschap_crypto *cx, const uint8_t clear[8], const uint8_t key7[7], uint8_t out[8]);
/* ChallengeResponse: the hash zero-padded to 21 octets, three DES keys over the
 * 8-octet challenge -> 24 octets.  Needs DES. */
int mschap_challenge_response(mschap_crypto *cx, const uint8_t challenge[8], const mschap_hash *hash,
                              uint8_t response[24]);

/* ---- MS-CHAPv2 (RFC 2759) -------------------------------------------------------- */

/* ChallengeHash: first 8 octets of SHA1(PeerChallenge | AuthenticatorChallenge |
 * UserName).  user is the name WITHOUT any "DOMAIN\" prefix (user_len bytes). */
int mschapv2_challenge_hash(mschap_crypto *cx, const uint8_t peer_challenge[16],
                            const uint8_t auth_challenge[16], const char *user, size_t user_len,
                            uint8_t challenge[8]);
/* GenerateNTResponse from a password (UTF-8 secret).  Needs MD4 and DES. */
int mschapv2_generate_nt_response(mschap_crypto *cx, const uint8_t auth_challenge[16],
                                  const uint8_t peer_challenge[16], const char *user, size_t user_len,
                                  const secret *password, uint8_t nt_response[24]);
/* GenerateNTResponse from the NT password hash.  Needs DES. */
int mschapv2_generate_nt_response_hash(mschap_crypto *cx, const uint8_t auth_challenge[16],
                                       const uint8_t peer_challenge[16], const char *user,
                                       size_t user_len, const mschap_hash *pw_hash,
                                       uint8_t nt_response[24]);
/* GenerateAuthenticatorResponse (binary, 20 octets) from the NT password hash.
 * Needs MD4 (for the hash of the hash). */
int mschapv2_generate_authenticator_response(mschap_crypto *cx, const mschap_hash *pw_hash,
                                             const uint8_t nt_response[24],
                                             const uint8_t peer_challenge[16],
                                             const uint8_t auth_challenge[16], const char *user,
                                             size_t user_len, uint8_t auth_response[20]);
/* Format 20 octets as "S=" + 40 upper-case hex digits (out: 43 bytes incl. NUL). */
void mschapv2_format_authenticator_response(const uint8_t auth_response[20], char out[43]);
/* CheckAuthenticatorResponse: recompute and compare (constant time) with the
 * received 20 octets; *match set on MSCHAP_CRYPTO_OK. */
int mschapv2_check_authenticator_response(mschap_crypto *cx, const mschap_hash *pw_hash,
                                          const uint8_t nt_response[24],
                                          const uint8_t peer_challenge[16],
                                          const uint8_t auth_challenge[16], const char *user,
                                          size_t user_len, const uint8_t received[20], bool *match);
/* Verify a captured MS-CHAPv2 exchange against a candidate password.  name is
 * the CHAP Name as sent (NUL terminated); a "DOMAIN\" prefix is stripped for the
 * hash as RFC 2759 requires.  *match set on MSCHAP_CRYPTO_OK. */
int mschapv2_verify(mschap_crypto *cx, const uint8_t auth_challenge[16], const uint8_t peer_challenge[16],
                    const char *name, const secret *password, const uint8_t nt_response[24], bool *match);

/* ---- MS-CHAPv1 (RFC 2433) -------------------------------------------------------- */

/* NT-Response: ChallengeResponse(challenge, NtPasswordHash(password)). */
int mschapv1_nt_response(mschap_crypto *cx, const uint8_t challenge[8], const secret *password,
                         uint8_t nt_response[24]);
/* LM-Response: ChallengeResponse(challenge, LmPasswordHash(password)). */
int mschapv1_lm_response(mschap_crypto *cx, const uint8_t challenge[8], const secret *password,
                         uint8_t lm_response[24]);
/* Verify a captured MS-CHAPv1 response: the NT-Response when use_nt, else the
 * LM-Response.  *match set on MSCHAP_CRYPTO_OK. */
int mschapv1_verify(mschap_crypto *cx, const uint8_t challenge[8], const secret *password,
                    const uint8_t lm_response[24], const uint8_t nt_response[24], bool use_nt,
                    bool *match);

/* ---- CHAP-MD5 (RFC 1994) ----------------------------------------------------------- */

/* MD5(Identifier | secret | challenge). */
int chap_md5_response(mschap_crypto *cx, uint8_t id, const secret *chap_secret, const uint8_t *challenge,
                      size_t challenge_len, uint8_t response[16]);
/* Recompute and compare (constant time; a response_len other than 16 never
 * matches).  *match set on MSCHAP_CRYPTO_OK. */
int chap_md5_verify(mschap_crypto *cx, uint8_t id, const secret *chap_secret, const uint8_t *challenge,
                    size_t challenge_len, const uint8_t *response, size_t response_len, bool *match);

/* ---- SHA-1 for mppe_crypto.c --------------------------------------------------------- */

/* SHA1 over n (pointer, length) parts into out[20].  For the MPPE key functions. */
typedef struct mschap_part {
    const void *p;
    size_t n;
} mschap_part;
int mschap_crypto_sha1(mschap_crypto *cx, const mschap_part *parts, size_t n, uint8_t out[20]);

/* Overwrite a hash so it does not linger in memory. */
void mschap_hash_wipe(mschap_hash *h);

#endif
