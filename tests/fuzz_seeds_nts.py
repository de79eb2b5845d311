#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0-or-later
"""tests/fuzz_seeds_nts.py [DIR]: (re)write the seed corpora of tests/fuzz_ntske.c and
tests/fuzz_nts.c into DIR/ntske and DIR/nts (default DIR: tests/corpus).

The seeds are made here, byte by byte, as RFC 8915 lays the messages out (no server and
no crypto needed: the nts target encrypts the replies it makes itself).  ntske: NTS-KE
responses as chrony's server sends them (8 cookies of 100 bytes), with server and port
records, Error, Warning, unknown records, cut short.  nts: control byte, two bytes of
the bit to flip, then a reply as it is (control bit 0 clear: NAK, no authenticator,
a forged one, malformed lengths) or a header and the plaintext of the encrypted
fields (control bit 0 set).  The output is the same on every run."""
import os
import struct
import sys

CRIT = 0x8000
UID = b"0123456789abcdef0123456789abcdef"  # tests/fuzz_nts.c's identifier


def rec(rtype, body=b""):
    return struct.pack(">HH", rtype, len(body)) + body


def rec16(rtype, value):
    return rec(rtype, struct.pack(">H", value))


def cookies(n, size=100):
    return b"".join(rec(5, bytes([0xC0 + i]) * size) for i in range(n))


END = rec(CRIT | 0)
NEGOTIATED = rec16(CRIT | 1, 0) + rec16(4, 15)


def ef(etype, body):
    return struct.pack(">HH", etype, 4 + len(body)) + body


def header(stratum=2, refid=b"\x7f\x7f\x01\x00"):
    return (bytes([0x24, stratum, 6, 0xE8]) + bytes(8) + refid +
            struct.pack(">QQQQ", 0xEEB779427F78CF03, 0x0123456789ABCDEF,
                        0xEEB7794345327D51, 0xEEB7794345450299))


def main():
    out = sys.argv[1] if len(sys.argv) > 1 else os.path.join(os.path.dirname(__file__),
                                                             "corpus")
    ke = {
        "chrony": NEGOTIATED + cookies(8) + END,
        "server-port": NEGOTIATED + cookies(2) + rec(6, b"ntp.example.org") +
        rec16(7, 10123) + END,
        "server-ipv6": NEGOTIATED + cookies(1) + rec(6, b"2001:db8::123") + END,
        "unknown-noncritical": NEGOTIATED + rec16(0x4000, 1) + cookies(1) + END,
        "unknown-critical": NEGOTIATED + rec16(CRIT | 99, 1) + cookies(1) + END,
        "error": rec16(CRIT | 2, 1) + END,
        "warning": NEGOTIATED + rec16(CRIT | 3, 7) + cookies(1) + END,
        "no-ntpv4": rec(CRIT | 1) + rec16(4, 15) + END,
        "aead-30": rec16(CRIT | 1, 0) + rec16(4, 30) + cookies(1) + END,
        "no-cookies": NEGOTIATED + END,
        "request": rec16(CRIT | 1, 0) + rec16(4, 15) + END,
        "cut": (NEGOTIATED + cookies(2) + END)[:-7],
        "after-end": NEGOTIATED + cookies(1) + END + b"\0",
    }
    plain2 = ef(0x0204, b"\xa0" * 100) + ef(0x0204, b"\xa1" * 100)
    auth_forged = ef(0x0404, struct.pack(">HH", 16, 16) + b"n" * 16 + b"t" * 16)
    nts = {
        # control bit 0 set: the target encrypts the plaintext after the header
        "server-2-cookies": b"\x01\x00\x00" + header() + plain2,
        "server-outside-cookie": b"\x03\x01\x00" + header() + plain2,
        "server-empty": b"\x71\x02\x00" + header(),
        "server-malformed": b"\x01\x00\x10" + header() + ef(0x0204, b"")[:2] + b"\0\2",
        "server-8-cookies": b"\xf1\x12\x34" + header() +
        b"".join(ef(0x0204, bytes([i]) * 100) for i in range(8)),
        # control bit 0 clear: the reply as it is
        "nak": b"\0\0\0" + header(0, b"NTSN") + ef(0x0104, UID),
        "no-authenticator": b"\0\0\0" + header() + ef(0x0104, UID),
        "forged": b"\0\0\0" + header() + ef(0x0104, UID) + auth_forged,
        "other-uid": b"\0\0\0" + header() + ef(0x0104, b"x" * 32) + auth_forged,
        "after-authenticator": b"\0\0\0" + header() + ef(0x0104, UID) + auth_forged +
        ef(0x7777, bytes(12)),
        "bad-length": b"\0\0\0" + header() + struct.pack(">HH", 0x0104, 38) + UID,
        "plain-ntp": b"\0\0\0" + header(),
    }
    for sub, seeds in (("ntske", ke), ("nts", nts)):
        d = os.path.join(out, sub)
        os.makedirs(d, exist_ok=True)
        for name, data in seeds.items():
            with open(os.path.join(d, name), "wb") as f:
                f.write(data)
        print(f"fuzz_seeds_nts: {len(seeds)} seeds in {d}")


main()
