#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0-or-later
"""tests/fake_ntske.py: an NTS-KE server (RFC 8915 section 4) that misbehaves on purpose.

    fake_ntske.py --addr ADDR [--port 4460] --cert PEM --key PEM --mode MODE [ARG...]
                  [--ready-file F] [--log F] [--lifetime S]

Real NTS servers (tests/servers.sh start_chrony_nts, start_ntpsec_nts) cannot be made to
speak TLS 1.2, to skip ALPN or to send an Error record; this one does, one TLS connection
at a time, for the NTS client's refusals. It has no NTP side: the cookies it sends are
random bytes. MODE:

    good                     Next Protocol 0, AEAD 15, 8 New Cookies of 100 bytes, End of
                             Message (what chronyd sends), over TLS 1.3 with ALPN ntske/1
    tls12                    the same, over TLS 1.2 at most (as an old server would)
    no-alpn                  the same, over TLS 1.3, selecting no ALPN protocol
    error CODE               an Error record (0 unrecognized critical record, 1 bad
                             request, 2 internal server error), End of Message
    warning CODE             a Warning record before the good response
    server-port NAME PORT    the good response plus Server NAME and Port PORT records
    no-eom                   the good response without its End of Message, then close
    raw HEX                  HEX (the response bytes, verbatim), then close
    silent                   complete the handshake, read the request, never answer

One line per connection in --log: "tls=V alpn=P request=HEX". Exits after --lifetime
seconds (default 600) or on SIGTERM. Loopback addresses only.
"""
import argparse
import os
import signal
import socket
import ssl
import struct
import sys
import time

# The NTS-KE numbers of RFC 8915 section 4, as the probe (the client side) has them.
from ntske_probe import (AEAD, AEAD_AES_SIV_CMAC_256, ALPN, CRITICAL, END_OF_MESSAGE, ERROR,
                         NEW_COOKIE, NEXT_PROTOCOL, PORT, PROTOCOL_NTPV4, SERVER, WARNING)

COOKIES = 8
COOKIE_LEN = 100
MAX_REQUEST = 1024
SILENT_HOLD = 30


def record(rtype, body, critical=False):
    return struct.pack("!HH", rtype | (CRITICAL if critical else 0), len(body)) + body


def u16(v):
    return struct.pack("!H", v)


def good_records():
    out = record(NEXT_PROTOCOL, u16(PROTOCOL_NTPV4), True)
    out += record(AEAD, u16(AEAD_AES_SIV_CMAC_256), True)
    for _ in range(COOKIES):
        out += record(NEW_COOKIE, os.urandom(COOKIE_LEN))
    return out


EOM = record(END_OF_MESSAGE, b"", True)


def response(mode, args):
    if mode in ("good", "tls12", "no-alpn"):
        return good_records() + EOM
    if mode == "error":
        return record(ERROR, u16(int(args[0])), True) + EOM
    if mode == "warning":
        return record(WARNING, u16(int(args[0])), True) + good_records() + EOM
    if mode == "server-port":
        return (good_records() + record(SERVER, args[0].encode("ascii"), True) +
                record(PORT, u16(int(args[1])), True) + EOM)
    if mode == "no-eom":
        return good_records()
    if mode == "raw":
        return bytes.fromhex(args[0])
    return None  # silent


def read_request(conn):
    """The client's records up to its End of Message (or what came before EOF)."""
    data = b""
    while len(data) < MAX_REQUEST:
        i = 0
        while i + 4 <= len(data):
            t, n = struct.unpack("!HH", data[i:i + 4])
            if t & ~CRITICAL == END_OF_MESSAGE and i + 4 + n <= len(data):
                return data
            i += 4 + n
        chunk = conn.recv(MAX_REQUEST)
        if not chunk:
            break
        data += chunk
    return data


NARGS = {"good": 0, "tls12": 0, "no-alpn": 0, "error": 1, "warning": 1, "server-port": 2,
         "no-eom": 0, "raw": 1, "silent": 0}


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--addr", required=True)
    ap.add_argument("--port", type=int, default=4460)
    ap.add_argument("--cert", required=True)
    ap.add_argument("--key", required=True)
    ap.add_argument("--mode", required=True, choices=sorted(NARGS))
    ap.add_argument("args", nargs="*")
    ap.add_argument("--ready-file")
    ap.add_argument("--log")
    ap.add_argument("--lifetime", type=float, default=600)
    a = ap.parse_args()
    if len(a.args) != NARGS[a.mode]:
        ap.error("--mode %s takes %d argument(s)" % (a.mode, NARGS[a.mode]))
    if not (a.addr.startswith("127.") or a.addr == "::1"):
        ap.error("loopback addresses only: %s" % a.addr)
    if not 0 < a.lifetime <= 3600:
        ap.error("bad --lifetime")

    ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    ctx.load_cert_chain(a.cert, a.key)
    if a.mode == "tls12":
        ctx.maximum_version = ssl.TLSVersion.TLSv1_2
    else:
        ctx.minimum_version = ssl.TLSVersion.TLSv1_3
    if a.mode != "no-alpn":
        ctx.set_alpn_protocols([ALPN])
    reply = response(a.mode, a.args)
    log = open(a.log, "a", buffering=1) if a.log else None

    fam = socket.AF_INET6 if ":" in a.addr else socket.AF_INET
    lsock = socket.socket(fam, socket.SOCK_STREAM)
    lsock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    lsock.bind((a.addr, a.port))
    lsock.listen(8)
    if a.ready_file:
        open(a.ready_file, "w").write("%s %d\n" % (a.addr, a.port))
    stop = []
    signal.signal(signal.SIGTERM, lambda *_: stop.append(1))
    end = time.monotonic() + a.lifetime
    while not stop and time.monotonic() < end:
        lsock.settimeout(min(0.5, max(0.01, end - time.monotonic())))
        try:
            raw, _ = lsock.accept()
        except (socket.timeout, InterruptedError):
            continue
        raw.settimeout(5)
        try:
            with ctx.wrap_socket(raw, server_side=True) as conn:
                req = read_request(conn)
                if log:
                    log.write("tls=%s alpn=%s request=%s\n" % (
                        conn.version(), conn.selected_alpn_protocol(), req.hex()))
                if reply is None:
                    hold = time.monotonic() + SILENT_HOLD
                    while not stop and time.monotonic() < min(hold, end):
                        time.sleep(0.1)
                    continue
                conn.sendall(reply)
        except (OSError, ssl.SSLError) as e:
            if log:
                log.write("failed: %s\n" % e)
        finally:
            raw.close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
