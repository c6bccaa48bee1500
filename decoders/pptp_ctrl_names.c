/*
 * pptp_ctrl_names.c - RFC 2637 value-to-name tables for the control connection
 * (message types, result/error codes, stop reasons, framing/bearer values) and the
 * sensor's control/call state names.  See pptp_ctrl.h.
 */
#include <stdio.h>

#include "names.h"
#include "pptp_ctrl.h"

static const val_name msg_short[] = {
    {PPTP_MSG_SCCRQ, "SCCRQ"},       {PPTP_MSG_SCCRP, "SCCRP"},   {PPTP_MSG_STOPCCRQ, "StopCCRQ"},
    {PPTP_MSG_STOPCCRP, "StopCCRP"}, {PPTP_MSG_ECHORQ, "ECHORQ"}, {PPTP_MSG_ECHORP, "ECHORP"},
    {PPTP_MSG_OCRQ, "OCRQ"},         {PPTP_MSG_OCRP, "OCRP"},     {PPTP_MSG_ICRQ, "ICRQ"},
    {PPTP_MSG_ICRP, "ICRP"},         {PPTP_MSG_ICCN, "ICCN"},     {PPTP_MSG_CCRQ, "CCRQ"},
    {PPTP_MSG_CDN, "CDN"},           {PPTP_MSG_WEN, "WEN"},       {PPTP_MSG_SLI, "SLI"},
};

static const val_name msg_long[] = {
    {PPTP_MSG_SCCRQ, "Start-Control-Connection-Request"},
    {PPTP_MSG_SCCRP, "Start-Control-Connection-Reply"},
    {PPTP_MSG_STOPCCRQ, "Stop-Control-Connection-Request"},
    {PPTP_MSG_STOPCCRP, "Stop-Control-Connection-Reply"},
    {PPTP_MSG_ECHORQ, "Echo-Request"},
    {PPTP_MSG_ECHORP, "Echo-Reply"},
    {PPTP_MSG_OCRQ, "Outgoing-Call-Request"},
    {PPTP_MSG_OCRP, "Outgoing-Call-Reply"},
    {PPTP_MSG_ICRQ, "Incoming-Call-Request"},
    {PPTP_MSG_ICRP, "Incoming-Call-Reply"},
    {PPTP_MSG_ICCN, "Incoming-Call-Connected"},
    {PPTP_MSG_CCRQ, "Call-Clear-Request"},
    {PPTP_MSG_CDN, "Call-Disconnect-Notify"},
    {PPTP_MSG_WEN, "WAN-Error-Notify"},
    {PPTP_MSG_SLI, "Set-Link-Info"},
};

static const val_name sccrp_results[] = {
    {PPTP_SCCRP_SUCCESS, "successful channel establishment"},
    {PPTP_SCCRP_GENERAL_ERROR, "general error"},
    {PPTP_SCCRP_CHANNEL_EXISTS, "command channel already exists"},
    {PPTP_SCCRP_NOT_AUTHORIZED, "requester not authorized"},
    {PPTP_SCCRP_BAD_VERSION, "protocol version not supported"},
};

static const val_name stopccrp_results[] = {
    {PPTP_STOPCCRP_OK, "control connection closed"},
    {PPTP_STOPCCRP_GENERAL_ERROR, "general error"},
};

static const val_name echorp_results[] = {
    {PPTP_ECHORP_OK, "ok"},
    {PPTP_ECHORP_GENERAL_ERROR, "general error"},
};

static const val_name ocrp_results[] = {
    {PPTP_OCRP_CONNECTED, "connected"},   {PPTP_OCRP_GENERAL_ERROR, "general error"},
    {PPTP_OCRP_NO_CARRIER, "no carrier"}, {PPTP_OCRP_BUSY, "busy"},
    {PPTP_OCRP_NO_DIAL_TONE, "no dial tone"}, {PPTP_OCRP_TIMEOUT, "time-out"},
    {PPTP_OCRP_DO_NOT_ACCEPT, "do not accept"},
};

static const val_name icrp_results[] = {
    {PPTP_ICRP_CONNECT, "connect"},
    {PPTP_ICRP_GENERAL_ERROR, "general error"},
    {PPTP_ICRP_DO_NOT_ACCEPT, "do not accept"},
};

static const val_name cdn_results[] = {
    {PPTP_CDN_LOST_CARRIER, "lost carrier"},
    {PPTP_CDN_GENERAL_ERROR, "general error"},
    {PPTP_CDN_ADMIN_SHUTDOWN, "admin shutdown"},
    {PPTP_CDN_REQUEST, "request"},
};

static const val_name error_names[] = {
    {PPTP_ERR_NONE, "none"},           {PPTP_ERR_NOT_CONNECTED, "not-connected"},
    {PPTP_ERR_BAD_FORMAT, "bad-format"}, {PPTP_ERR_BAD_VALUE, "bad-value"},
    {PPTP_ERR_NO_RESOURCE, "no-resource"}, {PPTP_ERR_BAD_CALL_ID, "bad-call-id"},
    {PPTP_ERR_PAC_ERROR, "pac-error"},
};

static const val_name stop_reasons[] = {
    {PPTP_STOP_NONE, "none"},
    {PPTP_STOP_PROTOCOL, "stop-protocol"},
    {PPTP_STOP_LOCAL_SHUTDOWN, "stop-local-shutdown"},
};

static const val_name framing_types[] = {
    {PPTP_FRAMING_ASYNC, "async"},
    {PPTP_FRAMING_SYNC, "sync"},
    {PPTP_FRAMING_ANY, "either"},
};

static const val_name bearer_types[] = {
    {PPTP_BEARER_ANALOG, "analog"},
    {PPTP_BEARER_DIGITAL, "digital"},
    {PPTP_BEARER_ANY, "any"},
};

static const val_name ctrl_states[] = {
    {PPTP_CTRL_STATE_IDLE, "idle"},
    {PPTP_CTRL_STATE_WAIT_CTL_REPLY, "wait_ctl_reply"},
    {PPTP_CTRL_STATE_ESTABLISHED, "established"},
    {PPTP_CTRL_STATE_WAIT_STOP_REPLY, "wait_stop_reply"},
};

static const val_name call_states[] = {
    {PPTP_CALL_STATE_IDLE, "idle"},
    {PPTP_CALL_STATE_WAIT_REPLY, "wait_reply"},
    {PPTP_CALL_STATE_WAIT_CONNECT, "wait_connect"},
    {PPTP_CALL_STATE_ESTABLISHED, "established"},
    {PPTP_CALL_STATE_WAIT_DISCONNECT, "wait_disconnect"},
};

const char *pptp_msg_type_name(uint32_t ctrl_type)
{
    return VAL_NAME(msg_short, ctrl_type, "unknown");
}

const char *pptp_msg_type_long_name(uint32_t ctrl_type)
{
    return VAL_NAME(msg_long, ctrl_type, "unknown");
}

const char *pptp_result_name(uint32_t ctrl_type, uint32_t code)
{
    switch (ctrl_type) {
    case PPTP_MSG_SCCRP: return VAL_NAME(sccrp_results, code, "unknown");
    case PPTP_MSG_STOPCCRP: return VAL_NAME(stopccrp_results, code, "unknown");
    case PPTP_MSG_ECHORP: return VAL_NAME(echorp_results, code, "unknown");
    case PPTP_MSG_OCRP: return VAL_NAME(ocrp_results, code, "unknown");
    case PPTP_MSG_ICRP: return VAL_NAME(icrp_results, code, "unknown");
    case PPTP_MSG_CDN: return VAL_NAME(cdn_results, code, "unknown");
    default: return "unknown";
    }
}

const char *pptp_error_name(uint32_t code)
{
    return VAL_NAME(error_names, code, "unknown");
}

const char *pptp_stop_reason_name(uint32_t reason)
{
    return VAL_NAME(stop_reasons, reason, "unknown");
}

const char *pptp_framing_type_name(uint32_t v)
{
    return VAL_NAME(framing_types, v, "unknown");
}

const char *pptp_bearer_type_name(uint32_t v)
{
    return VAL_NAME(bearer_types, v, "unknown");
}

const char *pptp_ctrl_state_name(uint32_t st)
{
    return VAL_NAME(ctrl_states, st, "unknown");
}

const char *pptp_call_state_name(uint32_t st)
{
    return VAL_NAME(call_states, st, "unknown");
}

/* Join the names of the set bits (bit0name, bit1name), then any other bits in hex. */
static const char *caps_str(uint32_t caps, const char *bit0, const char *bit1, char *out, size_t out_size)
{
    if (!out || out_size == 0)
        return out;
    out[0] = '\0';
    if (caps == 0) {
        snprintf(out, out_size, "none");
        return out;
    }
    size_t used = 0;
    const char *sep = "";
    if (caps & 1u) {
        used += (size_t)snprintf(out + used, out_size - used, "%s%s", sep, bit0);
        sep = ",";
    }
    if ((caps & 2u) && used < out_size) {
        used += (size_t)snprintf(out + used, out_size - used, "%s%s", sep, bit1);
        sep = ",";
    }
    if ((caps & ~3u) && used < out_size)
        snprintf(out + used, out_size - used, "%s0x%x", sep, (unsigned)(caps & ~3u));
    return out;
}

const char *pptp_framing_caps_str(uint32_t caps, char *out, size_t out_size)
{
    return caps_str(caps, "async", "sync", out, out_size);
}

const char *pptp_bearer_caps_str(uint32_t caps, char *out, size_t out_size)
{
    return caps_str(caps, "analog", "digital", out, out_size);
}
