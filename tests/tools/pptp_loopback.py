#!/usr/bin/env python3
"""Drive a small real PPTP exchange over the loopback interface for live-capture
tests: a TCP/1723 server and client exchange SCCRQ/SCCRP and OCRQ/OCRP through
real sockets, then the client sends GRE v1 packets (LCP Echo-Requests) to the
server's Call ID through a raw IPPROTO_GRE socket (needs root), then CCRQ/CDN and
StopCCRQ/StopCCRP, and both sides close.

usage: pptp_loopback.py [PORT] [GRE_PACKETS]   prints a summary line on success
"""
import socket
import struct
import sys
import threading
import time

MAGIC = 0x1A2B3C4D


def msg(ctrl_type, body):
    length = 12 + len(body)
    return struct.pack("!HHIHH", length, 1, MAGIC, ctrl_type, 0) + body


def sccrq():
    return msg(1, struct.pack("!HHIIHH64s64s", 0x100, 0, 1, 1, 0, 1, b"loop-client", b"pptp-sensor-test"))


def sccrp():
    return msg(2, struct.pack("!HBBIIHH64s64s", 0x100, 1, 0, 1, 1, 0, 1, b"loop-server", b"pptp-sensor-test"))


def ocrq(call_id):
    return msg(7, struct.pack("!HHIIIIHHHH64s64s", call_id, 1, 300, 100000000, 3, 3, 64, 0, 0, 0, b"", b""))


def ocrp(call_id, peer):
    return msg(8, struct.pack("!HHBBHIHHI", call_id, peer, 1, 0, 0, 100000000, 64, 0, 0))


def ccrq(call_id):
    return msg(12, struct.pack("!HH", call_id, 0))


def cdn(call_id):
    return msg(13, struct.pack("!HBBHH128s", call_id, 4, 0, 0, 0, b""))


def stopccrq():
    return msg(3, struct.pack("!BBH", 1, 0, 0))


def stopccrp():
    return msg(4, struct.pack("!BBH", 1, 0, 0))


def recv_msg(sock):
    hdr = b""
    while len(hdr) < 2:
        hdr += sock.recv(2 - len(hdr))
    (length,) = struct.unpack("!H", hdr)
    data = hdr
    while len(data) < length:
        chunk = sock.recv(length - len(data))
        if not chunk:
            raise EOFError("peer closed")
        data += chunk
    return struct.unpack("!H", data[8:10])[0], data


def server(lsock, result):
    conn, _ = lsock.accept()
    conn.settimeout(10)
    t, _ = recv_msg(conn)
    assert t == 1
    conn.sendall(sccrp())
    t, m = recv_msg(conn)
    assert t == 7
    pns_id = struct.unpack("!H", m[12:14])[0]
    conn.sendall(ocrp(4242, pns_id))
    t, _ = recv_msg(conn)
    assert t == 12
    conn.sendall(cdn(4242))
    t, _ = recv_msg(conn)
    assert t == 3
    conn.sendall(stopccrp())
    conn.close()
    result.append("server-ok")


def gre_packet(call_id, seq, payload):
    # K and S set, version 1, protocol 0x880B, payload length, call id, sequence
    return struct.pack("!HHHHI", 0x3001, 0x880B, len(payload), call_id, seq) + payload


def main():
    port = int(sys.argv[1]) if len(sys.argv) > 1 else 1723
    n_gre = int(sys.argv[2]) if len(sys.argv) > 2 else 5
    lsock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    lsock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    lsock.bind(("127.0.0.1", port))
    lsock.listen(1)
    lsock.settimeout(10)
    result = []
    th = threading.Thread(target=server, args=(lsock, result), daemon=True)
    th.start()
    c = socket.create_connection(("127.0.0.1", port), timeout=10)
    c.sendall(sccrq())
    assert recv_msg(c)[0] == 2
    c.sendall(ocrq(77))
    t, m = recv_msg(c)
    assert t == 8
    pac_id = struct.unpack("!H", m[12:14])[0]
    raw = socket.socket(socket.AF_INET, socket.SOCK_RAW, 47)
    for i in range(n_gre):
        lcp_echo = bytes([0xFF, 0x03, 0xC0, 0x21, 9, i & 0xFF, 0, 8, 0x11, 0x22, 0x33, 0x44])
        raw.sendto(gre_packet(pac_id, i + 1, lcp_echo), ("127.0.0.1", 0))
        time.sleep(0.01)
    raw.close()
    c.sendall(ccrq(77))
    assert recv_msg(c)[0] == 13
    c.sendall(stopccrq())
    assert recv_msg(c)[0] == 4
    c.close()
    th.join(10)
    print(f"exchange done: {n_gre} GRE packets to Call ID {pac_id}; {' '.join(result)}")
    return 0 if result == ["server-ok"] else 1


if __name__ == "__main__":
    sys.exit(main())
