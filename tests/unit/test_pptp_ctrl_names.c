/* test_pptp_ctrl_names.c - PPTP value-to-name tables: known codes give their
 * names, anything else gives "unknown"; anomaly names are registered. */
#include <criterion/criterion.h>
#include <string.h>

#include "anomaly.h"
#include "pptp_ctrl.h"

Test(pptp_ctrl_names, message_types)
{
    static const char *const shorts[16] = {"unknown", "SCCRQ", "SCCRP", "StopCCRQ", "StopCCRP", "ECHORQ",
                                           "ECHORP",  "OCRQ",  "OCRP",  "ICRQ",     "ICRP",     "ICCN",
                                           "CCRQ",    "CDN",   "WEN",   "SLI"};
    for (int t = 0; t <= 15; t++)
        cr_assert_str_eq(pptp_msg_type_name((uint32_t)t), shorts[t]);
    cr_assert_str_eq(pptp_msg_type_long_name(1), "Start-Control-Connection-Request");
    cr_assert_str_eq(pptp_msg_type_long_name(4), "Stop-Control-Connection-Reply");
    cr_assert_str_eq(pptp_msg_type_long_name(11), "Incoming-Call-Connected");
    cr_assert_str_eq(pptp_msg_type_long_name(13), "Call-Disconnect-Notify");
    cr_assert_str_eq(pptp_msg_type_long_name(15), "Set-Link-Info");
    cr_assert_str_eq(pptp_msg_type_name(16), "unknown");
    cr_assert_str_eq(pptp_msg_type_long_name(0), "unknown");
    cr_assert_str_eq(pptp_msg_type_long_name(0xffffffffu), "unknown");
}

Test(pptp_ctrl_names, result_codes_per_message)
{
    cr_assert_str_eq(pptp_result_name(PPTP_MSG_SCCRP, 1), "successful channel establishment");
    cr_assert_str_eq(pptp_result_name(PPTP_MSG_SCCRP, 3), "command channel already exists");
    cr_assert_str_eq(pptp_result_name(PPTP_MSG_SCCRP, 4), "requester not authorized");
    cr_assert_str_eq(pptp_result_name(PPTP_MSG_SCCRP, 5), "protocol version not supported");
    cr_assert_str_eq(pptp_result_name(PPTP_MSG_SCCRP, 6), "unknown");
    cr_assert_str_eq(pptp_result_name(PPTP_MSG_STOPCCRP, 1), "control connection closed");
    cr_assert_str_eq(pptp_result_name(PPTP_MSG_STOPCCRP, 2), "general error");
    cr_assert_str_eq(pptp_result_name(PPTP_MSG_STOPCCRP, 3), "unknown");
    cr_assert_str_eq(pptp_result_name(PPTP_MSG_ECHORP, 1), "ok");
    static const char *const ocrp[] = {"unknown",   "connected", "general error", "no carrier", "busy",
                                       "no dial tone", "time-out",  "do not accept", "unknown"};
    for (uint32_t i = 0; i < 9; i++)
        cr_assert_str_eq(pptp_result_name(PPTP_MSG_OCRP, i), ocrp[i]);
    cr_assert_str_eq(pptp_result_name(PPTP_MSG_ICRP, 1), "connect");
    cr_assert_str_eq(pptp_result_name(PPTP_MSG_ICRP, 3), "do not accept");
    cr_assert_str_eq(pptp_result_name(PPTP_MSG_ICRP, 4), "unknown");
    cr_assert_str_eq(pptp_result_name(PPTP_MSG_CDN, 1), "lost carrier");
    cr_assert_str_eq(pptp_result_name(PPTP_MSG_CDN, 3), "admin shutdown");
    cr_assert_str_eq(pptp_result_name(PPTP_MSG_CDN, 4), "request");
    cr_assert_str_eq(pptp_result_name(PPTP_MSG_CDN, 0), "unknown");
    /* messages without a result code */
    cr_assert_str_eq(pptp_result_name(PPTP_MSG_SCCRQ, 1), "unknown");
    cr_assert_str_eq(pptp_result_name(99, 1), "unknown");
}

Test(pptp_ctrl_names, error_reason_framing_bearer_states)
{
    static const char *const errs[] = {"none",        "not-connected", "bad-format", "bad-value",
                                       "no-resource", "bad-call-id",   "pac-error",  "unknown"};
    for (uint32_t i = 0; i < 8; i++)
        cr_assert_str_eq(pptp_error_name(i), errs[i]);
    cr_assert_str_eq(pptp_error_name(255), "unknown");
    cr_assert_str_eq(pptp_stop_reason_name(0), "unknown");
    cr_assert_str_eq(pptp_stop_reason_name(1), "none");
    cr_assert_str_eq(pptp_stop_reason_name(2), "stop-protocol");
    cr_assert_str_eq(pptp_stop_reason_name(3), "stop-local-shutdown");
    cr_assert_str_eq(pptp_stop_reason_name(4), "unknown");
    cr_assert_str_eq(pptp_framing_type_name(1), "async");
    cr_assert_str_eq(pptp_framing_type_name(3), "either");
    cr_assert_str_eq(pptp_framing_type_name(4), "unknown");
    cr_assert_str_eq(pptp_bearer_type_name(2), "digital");
    cr_assert_str_eq(pptp_bearer_type_name(0), "unknown");
    cr_assert_str_eq(pptp_ctrl_state_name(PPTP_CTRL_STATE_WAIT_CTL_REPLY), "wait_ctl_reply");
    cr_assert_str_eq(pptp_ctrl_state_name(PPTP_CTRL_STATE_WAIT_STOP_REPLY), "wait_stop_reply");
    cr_assert_str_eq(pptp_ctrl_state_name(4), "unknown");
    cr_assert_str_eq(pptp_call_state_name(PPTP_CALL_STATE_WAIT_CONNECT), "wait_connect");
    cr_assert_str_eq(pptp_call_state_name(PPTP_CALL_STATE_WAIT_DISCONNECT), "wait_disconnect");
    cr_assert_str_eq(pptp_call_state_name(77), "unknown");
}

Test(pptp_ctrl_names, capability_strings)
{
    char buf[64];
    cr_assert_str_eq(pptp_framing_caps_str(3, buf, sizeof buf), "async,sync");
    cr_assert_str_eq(pptp_framing_caps_str(2, buf, sizeof buf), "sync");
    cr_assert_str_eq(pptp_framing_caps_str(0, buf, sizeof buf), "none");
    cr_assert_str_eq(pptp_bearer_caps_str(1, buf, sizeof buf), "analog");
    cr_assert_str_eq(pptp_bearer_caps_str(0x13, buf, sizeof buf), "analog,digital,0x10");
    cr_assert_str_eq(pptp_bearer_caps_str(0x80000000u, buf, sizeof buf), "0x80000000");
    char small[4];
    cr_assert_str_eq(pptp_bearer_caps_str(0xffffffffu, small, sizeof small), "ana");
    cr_assert_eq(pptp_bearer_caps_str(3, NULL, 0), NULL);
    char one[1] = {'x'};
    cr_assert_str_eq(pptp_framing_caps_str(3, one, sizeof one), "");
}

Test(pptp_ctrl_names, anomaly_names_are_registered)
{
    static const char *const names[] = {"pptp.bad_length",         "pptp.bad_magic",
                                        "pptp.bad_message_type",    "pptp.unknown_ctrl_type",
                                        "pptp.undersized_message",  "pptp.oversized_message",
                                        "pptp.reserved_nonzero",    "pptp.bad_protocol_version",
                                        "pptp.number_length_overflow"};
    for (size_t i = 0; i < sizeof names / sizeof names[0]; i++)
        cr_assert_neq(anomaly_by_name(names[i]), ANOMALY_NONE, "%s", names[i]);
    cr_assert_str_eq(anomaly_name(ANOMALY_PPTP_BAD_MAGIC), "pptp.bad_magic");
}
