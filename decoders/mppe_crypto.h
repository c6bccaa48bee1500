/*
 * mppe_crypto.h - MPPE session keys (RFC 3079) and the RC4 data path with its
 * rekeying rules (RFC 3078 sections 7-8).
 *
 * Key derivation
 *   From MS-CHAPv2 (RFC 3079 section 3): GetMasterKey, GetAsymmetricStartKey,
 *   GetNewKeyFromSHA; 40/56-bit keys are 8 octets whose first 3 octets are
 *   forced to D1 26 9E (40-bit) or whose first octet is forced to D1 (56-bit);
 *   128-bit keys are 16 octets.
 *   From MS-CHAPv1 (RFC 3079 section 2): GetKey (same as GetNewKeyFromSHA) on
 *   the LM hash for 40/56 bits, GetStartKey on the NT hash hash for 128 bits.
 *
 * Data path (mppe_state)
 *   RC4 (a small internal implementation: no OpenSSL object, no allocation).
 *   Stateless mode (CCP option H bit): a new key for every packet; the receiver
 *   rekeys once per coherency-count step it moves forward.
 *   Stateful mode: a new key whenever the low octet of the coherency count is
 *   0xFF (the sender marks that "flag" packet flushed, A bit) and whenever a
 *   packet is flushed after a CCP Reset-Request; the RC4 stream otherwise runs
 *   on across packets.  A receiver that sees a gap in the count waits (discard
 *   state) for the next flushed packet and rekeys once per 256-packet group it
 *   missed.  The coherency count starts at 0 for the first packet.
 *
 * A passive observer cannot authenticate packets: a forged or corrupt count
 * moves the receive state just as a real one does (and a stateless jump forward
 * costs one SHA-1 + RC4 key set-up per step, at most 2047).  mppe_state is a
 * plain value with no pointers, so a caller that wants to can copy it, decrypt
 * with the copy and keep the copy only if the plaintext looks right.
 *
 * Keys are held in mppe_key / mppe_state, whose key members end in "_": never
 * print them.  SHA-1 comes from the caller's mschap_crypto context.
 */
#ifndef PPTP_MPPE_CRYPTO_H
#define PPTP_MPPE_CRYPTO_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "mschap_crypto.h"

#define MPPE_CCOUNT_SPACE 4096 /* the coherency count is 12 bits */

/* An MPPE key: 8 octets (40/56-bit) or 16 octets (128-bit). */
typedef struct mppe_key {
    uint8_t len;
    uint8_t bytes_[16]; /* trailing underscore: do not print */
} mppe_key;

typedef enum mppe_rc {
    MPPE_OK = 0,
    MPPE_ERR_CRYPTO = -1,   /* SHA-1/MD4 failed or unavailable */
    MPPE_ERR_PARAM = -2,    /* bad key length / strength / NULL */
    MPPE_ERR_LOST = -3,     /* stateful: packets were lost; waiting for a flushed packet */
    MPPE_ERR_LATE = -4,     /* stateless: the count went backwards (late or replayed packet) */
} mppe_rc;

/* Key length in octets for a strength in bits: 8 for 40 and 56, 16 for 128, 0 otherwise. */
size_t mppe_key_len(unsigned bits);
/* Force the RFC 3079 prefix: 40 bits -> D1 26 9E, 56 bits -> D1; 128 unchanged. */
void mppe_reduce_key(mppe_key *k, unsigned bits);
/* Overwrite a key. */
void mppe_key_wipe(mppe_key *k);

/* ---- RFC 3079 section 3 (MS-CHAPv2) ------------------------------------------ */

/* GetMasterKey: first 16 octets of SHA1(PasswordHashHash | NT-Response | Magic1). */
int mppe_get_master_key(mschap_crypto *cx, const mschap_hash *pw_hash_hash, const uint8_t nt_response[24],
                        mppe_key *master);
/* GetAsymmetricStartKey: key_len (8 or 16) octets of SHA1(MasterKey | pad1 |
 * Magic2-or-3 | pad2).  Magic2 (is_send != is_server) is the client's send =
 * server's receive key (client-to-server data); Magic3 (is_send == is_server)
 * the server's send = client's receive key.  RFC 3079's samples use
 * IsSend = IsServer = TRUE (Magic3). */
int mppe_get_asymmetric_start_key(mschap_crypto *cx, const mppe_key *master, size_t key_len, bool is_send,
                                  bool is_server, mppe_key *out);
/* GetNewKeyFromSHA (= RFC 3079 section 2.4 GetKey): key_len octets of
 * SHA1(StartKey[key_len] | pad1 | SessionKey[key_len] | pad2).  Both keys must
 * be at least key_len long. */
int mppe_get_new_key_from_sha(mschap_crypto *cx, const mppe_key *start, const mppe_key *session,
                              size_t key_len, mppe_key *out);
/* The first session key for a direction: GetNewKeyFromSHA(start, start) then
 * the strength reduction. */
int mppe_initial_session_key(mschap_crypto *cx, const mppe_key *start, unsigned bits, mppe_key *out);
/* Both directions' start keys from an MS-CHAPv2 exchange: the password (UTF-8
 * secret) and the NT-Response.  c2s protects client-to-server data (client send
 * = server receive), s2c the other way.  Needs MD4. */
int mppe_start_keys_from_mschapv2(mschap_crypto *cx, const secret *password, const uint8_t nt_response[24],
                                  unsigned bits, mppe_key *c2s, mppe_key *s2c);

/* ---- RFC 3079 section 2 (MS-CHAPv1) ------------------------------------------ */

/* GetStartKey: first 16 octets of SHA1(NtPasswordHashHash | NtPasswordHashHash | Challenge). */
int mppe_v1_get_start_key(mschap_crypto *cx, const uint8_t challenge[8], const mschap_hash *nt_hash_hash,
                          mppe_key *out);
/* The MS-CHAPv1 key for both directions: 40/56 bits from the LM password hash,
 * 128 bits from GetStartKey(challenge, hash of the NT hash).  The result is the
 * start key to give mppe_state_init (RFC 3079 sections 2.1-2.3). */
int mppe_v1_start_key(mschap_crypto *cx, const secret *password, const uint8_t challenge[8], unsigned bits,
                      mppe_key *out);

/* ---- data path ---------------------------------------------------------------------- */

typedef struct mppe_state {
    mppe_key start_;     /* the start ("master session") key of this direction */
    mppe_key session_;   /* the current session key */
    uint8_t rc4_s_[256]; /* RC4 permutation */
    uint8_t rc4_i_, rc4_j_;
    uint16_t ccount;     /* last coherency count sent / accepted (starts at 0xFFF) */
    uint16_t bits;       /* 40, 56 or 128 */
    bool stateless;
    bool discard;        /* receiver: lost packets, waiting for a flushed one */
    bool flush_next;     /* sender: rekey and set the A bit on the next packet */
    uint32_t rekeys;     /* number of rekeys since init (statistics, tests) */
} mppe_state;

/* Initialise one direction from its start key (8 octets for 40/56 bits, 16
 * for 128): session key = mppe_initial_session_key(start), RC4 keyed with it.
 * Failure: MPPE_ERR_PARAM for a bad strength/key length, MPPE_ERR_CRYPTO. */
int mppe_state_init(mschap_crypto *cx, mppe_state *st, const mppe_key *start, unsigned bits, bool stateless);
/* Overwrite all key material in st. */
void mppe_state_wipe(mppe_state *st);

/* Receive side: decrypt len bytes of one packet's encrypted data (everything
 * after the 2-byte MPPE header) with coherency count ccount (12 bits) and the
 * flushed (A) bit, rekeying as RFC 3078 requires.  in and out may be the same
 * buffer.  Failure: MPPE_ERR_LOST (stateful gap: nothing written until a
 * flushed packet arrives), MPPE_ERR_LATE (stateless count went backwards by
 * more than half the space), MPPE_ERR_CRYPTO, MPPE_ERR_PARAM. */
int mppe_decrypt(mschap_crypto *cx, mppe_state *st, uint16_t ccount, bool flushed, const uint8_t *in,
                 size_t len, uint8_t *out);
/* Send side: next coherency count into *ccount, the A bit into *flushed, and
 * len encrypted bytes into out (in == out allowed). */
int mppe_encrypt(mschap_crypto *cx, mppe_state *st, const uint8_t *in, size_t len, uint8_t *out,
                 uint16_t *ccount, bool *flushed);
/* Sender: a CCP Reset-Request arrived; the next packet is rekeyed and flushed. */
void mppe_request_flush(mppe_state *st);

/* Raw RC4 with a key of key_len octets over len bytes (in == out allowed).
 * For tests and one-shot uses; no state kept. */
void mppe_rc4(const uint8_t *key, size_t key_len, const uint8_t *in, size_t len, uint8_t *out);

#endif
