/*
 * ppp_frames.h - test helper: PPP information fields built with the decoders'
 * own encoders (CCP with MPPE bits, PAP, CHAP, an MS-CHAPv2 response value),
 * shared by the PPP-tracker and detector tests.  Header-only, test code.
 */
#ifndef PPTP_TEST_PPP_FRAMES_H
#define PPTP_TEST_PPP_FRAMES_H

#include <criterion/criterion.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>

#include "ccp.h"
#include "chap.h"
#include "cursor.h"
#include "mschap.h"
#include "pap.h"
#include "secret.h"

#define PF_U __attribute__((unused)) static

typedef struct frame {
    uint8_t b[2048];
    size_t n;
} frame;

PF_U frame ccp_frame(uint8_t code, uint8_t id, bool mppe, uint32_t bits)
{
    ccp_packet p;
    memset(&p, 0, sizeof p);
    p.cp.code = code;
    p.cp.id = id;
    if (mppe)
        ccp_mppe_set_bits(&p.opts, bits);
    frame f;
    wbuf w;
    wbuf_init(&w, f.b, sizeof f.b);
    cr_assert(ccp_encode(&w, &p));
    f.n = wbuf_len(&w);
    return f;
}

PF_U frame pap_frame(uint8_t code, uint8_t id, const char *user, const char *password, const char *msg)
{
    static pap_msg m;
    memset(&m, 0, sizeof m);
    m.code = code;
    m.id = id;
    if (user)
        snprintf(m.peer_id, sizeof m.peer_id, "%s", user);
    if (password)
        secret_set(&m.password, (const uint8_t *)password, strlen(password));
    if (msg)
        snprintf(m.message, sizeof m.message, "%s", msg);
    frame f;
    wbuf w;
    wbuf_init(&w, f.b, sizeof f.b);
    cr_assert(pap_encode(&w, &m));
    f.n = wbuf_len(&w);
    secret_wipe(&m.password);
    return f;
}

PF_U frame chap_frame(uint8_t code, uint8_t id, const uint8_t *value, size_t vlen, const char *name, const char *msg)
{
    chap_msg m;
    memset(&m, 0, sizeof m);
    m.code = code;
    m.id = id;
    m.value = value;
    m.value_size = (uint8_t)vlen;
    if (name) {
        m.name = (const uint8_t *)name;
        m.name_len = strlen(name);
    }
    if (msg) {
        m.message = (const uint8_t *)msg;
        m.message_len = strlen(msg);
    }
    frame f;
    wbuf w;
    wbuf_init(&w, f.b, sizeof f.b);
    cr_assert(chap_encode(&w, &m));
    f.n = wbuf_len(&w);
    return f;
}

PF_U size_t v2_response(uint8_t out[49])
{
    mschapv2_response r;
    memset(&r, 0, sizeof r);
    for (int i = 0; i < 16; i++)
        r.peer_challenge[i] = (uint8_t)(0xa0 + i);
    for (int i = 0; i < 24; i++)
        r.nt_response[i] = (uint8_t)(0xc0 + i);
    wbuf w;
    wbuf_init(&w, out, 49);
    cr_assert(mschapv2_response_encode(&w, &r));
    return wbuf_len(&w);
}

#endif
