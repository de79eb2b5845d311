#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0-or-later
"""tests/ntske_probe.py: one NTS-KE exchange (RFC 8915 section 4), decoded.

    ntske_probe.py [--ca FILE] [--name NAME] [--port N] [--wait S [--pid PID]] [--raw FILE] ADDR

Connects to ADDR:4460 with TLS 1.3 and ALPN "ntske/1", sends the request every client
sends (Next Protocol NTPv4, AEAD AES-SIV-CMAC-256, End of Message, all critical), reads
the response to its End of Message and prints one line per record, then a summary:

    summary tls=TLSv1.3 alpn=ntske/1 protocol=0 aead=15 cookies=8 cookie_len=100
            server=- port=- errors=- warnings=-

With --ca the server's certificate must verify against FILE and match NAME (default
ADDR); without it the certificate is not checked (a readiness probe). --wait S retries
for S seconds while the server does not answer (and process PID lives). --raw FILE keeps the response bytes.
Exit 0 when ALPN ntske/1 was selected and the response ends with End of Message and
carries no Error record, 1 otherwise (with the reason on stderr). Loopback addresses only.
"""
import argparse
import os
import socket
import ssl
import struct
import sys
import time

NTSKE_PORT = 4460
ALPN = "ntske/1"
CRITICAL = 0x8000
# Record types, RFC 8915 section 4 and IANA's registry.
END_OF_MESSAGE = 0
NEXT_PROTOCOL = 1
ERROR = 2
WARNING = 3
AEAD = 4
NEW_COOKIE = 5
SERVER = 6
PORT = 7
NAMES = {END_OF_MESSAGE: "end-of-message", NEXT_PROTOCOL: "next-protocol", ERROR: "error",
         WARNING: "warning", AEAD: "aead", NEW_COOKIE: "new-cookie", SERVER: "server",
         PORT: "port"}
PROTOCOL_NTPV4 = 0
AEAD_AES_SIV_CMAC_256 = 15
# What every client sends: each record is type (with the critical bit), body length, body.
REQUEST = (struct.pack("!HHH", CRITICAL | NEXT_PROTOCOL, 2, PROTOCOL_NTPV4) +
           struct.pack("!HHH", CRITICAL | AEAD, 2, AEAD_AES_SIV_CMAC_256) +
           struct.pack("!HH", CRITICAL | END_OF_MESSAGE, 0))
MAX_RESPONSE = 65536


def exchange(addr, port, ca, name, timeout):
    ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
    ctx.minimum_version = ssl.TLSVersion.TLSv1_3
    ctx.set_alpn_protocols([ALPN])
    if ca:
        ctx.load_verify_locations(ca)
    else:
        ctx.check_hostname = False
        ctx.verify_mode = ssl.CERT_NONE
    fam = socket.AF_INET6 if ":" in addr else socket.AF_INET
    with socket.socket(fam, socket.SOCK_STREAM) as raw:
        raw.settimeout(timeout)
        raw.connect((addr, port))
        with ctx.wrap_socket(raw, server_hostname=name or addr) as s:
            s.sendall(REQUEST)
            data = b""
            while len(data) < MAX_RESPONSE and not ends(data):
                chunk = s.recv(4096)
                if not chunk:
                    break
                data += chunk
            return s.version(), s.selected_alpn_protocol(), data


def records(data):
    """(critical, type, body) of each record; a truncated record ends the list."""
    out, i = [], 0
    while i + 4 <= len(data):
        t, n = struct.unpack("!HH", data[i:i + 4])
        if i + 4 + n > len(data):
            break
        out.append((bool(t & CRITICAL), t & ~CRITICAL, data[i + 4:i + 4 + n]))
        i += 4 + n
    return out


def ends(data):
    r = records(data)
    return bool(r) and r[-1][1] == END_OF_MESSAGE


def u16s(body):
    return [struct.unpack("!H", body[j:j + 2])[0] for j in range(0, len(body) - 1, 2)]


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("addr")
    ap.add_argument("--port", type=int, default=NTSKE_PORT)
    ap.add_argument("--ca")
    ap.add_argument("--name")
    ap.add_argument("--wait", type=float, default=0)
    ap.add_argument("--pid", type=int)
    ap.add_argument("--timeout", type=float, default=2)
    ap.add_argument("--raw")
    a = ap.parse_args()
    if not (a.addr.startswith("127.") or a.addr == "::1"):
        ap.error("loopback addresses only: %s" % a.addr)
    end = time.monotonic() + a.wait
    while True:
        try:
            version, alpn, data = exchange(a.addr, a.port, a.ca, a.name, a.timeout)
            break
        except (OSError, ssl.SSLError) as e:
            gone = a.pid is not None and not os.path.exists("/proc/%d" % a.pid)
            if (time.monotonic() >= end or gone or
                    isinstance(e, ssl.SSLCertVerificationError)):
                print("ntske_probe: %s:%d: %s" % (a.addr, a.port, e), file=sys.stderr)
                return 1
            time.sleep(0.1)
    if a.raw:
        open(a.raw, "wb").write(data)
    facts = {"protocol": [], "aead": [], "server": [], "port": [], "errors": [],
             "warnings": []}
    cookie_lens = []
    for crit, t, body in records(data):
        name = NAMES.get(t, "type-%d" % t)
        if t == NEW_COOKIE:
            cookie_lens.append(len(body))
            shown = "%d bytes" % len(body)
        elif t == SERVER:
            shown = body.decode("ascii", "replace")
            facts["server"].append(shown)
        elif t in (NEXT_PROTOCOL, AEAD, ERROR, WARNING, PORT):
            vals = u16s(body)
            shown = " ".join(map(str, vals))
            key = {NEXT_PROTOCOL: "protocol", AEAD: "aead", ERROR: "errors",
                   WARNING: "warnings", PORT: "port"}[t]
            facts[key] += vals
        else:
            shown = body.hex()
        print("record %s%s len=%d %s" % (name, " (critical)" if crit else "", len(body), shown))
    lens = sorted(set(cookie_lens))
    print("summary tls=%s alpn=%s protocol=%s aead=%s cookies=%d cookie_len=%s server=%s "
          "port=%s errors=%s warnings=%s bytes=%d" % (
              version, alpn, ",".join(map(str, facts["protocol"])) or "-",
              ",".join(map(str, facts["aead"])) or "-", len(cookie_lens),
              ",".join(map(str, lens)) or "-", ",".join(facts["server"]) or "-",
              ",".join(map(str, facts["port"])) or "-",
              ",".join(map(str, facts["errors"])) or "-",
              ",".join(map(str, facts["warnings"])) or "-", len(data)))
    if alpn != ALPN:
        print("ntske_probe: the server selected ALPN %s, not %s" % (alpn, ALPN), file=sys.stderr)
        return 1
    if not ends(data):
        print("ntske_probe: the response does not end with End of Message", file=sys.stderr)
        return 1
    if facts["errors"]:
        print("ntske_probe: Error record %s" % facts["errors"], file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
