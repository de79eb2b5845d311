#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0-or-later
"""A scripted, deliberately misbehaving NTP server for ntpsync's integration tests.

It answers mode-3 requests on one UDP address with replies broken in exactly
one way, chosen by --mode, so a test can check how the client reacts to each.
Standard library only.  It only ever reads the clock (time.time_ns()) and
serves whatever address it is given: run it on loopback inside a network
namespace (tests/sandbox.sh).

Its run is always bounded: it exits 0 after --lifetime seconds, after
--max-replies answered requests, or on SIGTERM/SIGINT.
"""

import argparse
import fractions
import hashlib
import os
import select
import signal
import socket
import struct
import sys
import time

# Byte offsets of the header fields (RFC 5905 figure 8); all big-endian.
NTP_OFF_LI_VN_MODE = 0
NTP_OFF_STRATUM = 1
NTP_OFF_POLL = 2
NTP_OFF_PRECISION = 3
NTP_OFF_ROOT_DELAY = 4
NTP_OFF_ROOT_DISP = 8
NTP_OFF_REFID = 12
NTP_OFF_REF = 16
NTP_OFF_ORIGIN = 24
NTP_OFF_RECEIVE = 32
NTP_OFF_TRANSMIT = 40
NTP_PACKET_LEN = 48
# Everything from NTP_OFF_LI_VN_MODE to NTP_OFF_TRANSMIT, in that order.
NTP_HEADER = struct.Struct(">BBbbII4sQQQQ")
assert NTP_HEADER.size == NTP_PACKET_LEN

NTP_MODE_CLIENT = 3
NTP_MODE_SERVER = 4
NTP_LI_ALARM = 3
NTP_UNIX_DELTA = 2208988800  # seconds from 1900-01-01 to 1970-01-01
NS_PER_SEC = 10**9
NTP_ONE_SEC = 1 << 32  # one second in the 32.32 timestamp format
NTP_TS_MOD = 1 << 64  # timestamps wrap with the era

GOOD_STRATUM = 2
GOOD_PRECISION = -20  # log2 s, about 1 us
GOOD_ROOT_DISP = 0x00000042  # 16.16 short format: 66/65536 s = 0.001 s
GOOD_REFID = bytes([127, 0, 0, 1])
REF_AGE = 10 * NTP_ONE_SEC  # reference timestamp = now - 10 s
MAX_LIFETIME = 3600  # s; --lifetime is capped so a forgotten server still ends

# Appended by --mode extension: an RFC 7822 extension field, type/length
# header then zero padding.  The type is arbitrary; a client must skip it.
EXT_FIELD_TYPE = 0x0104
EXT_FIELD_LEN = 28
EXTENSION = struct.pack(">HH", EXT_FIELD_TYPE, EXT_FIELD_LEN) + bytes(EXT_FIELD_LEN - 4)
# Appended by --mode jumbo: one extension field that makes the reply JUMBO_LEN bytes,
# more than ntpsync reads of a datagram (1024).
JUMBO_LEN = 1400
JUMBO = (struct.pack(">HH", EXT_FIELD_TYPE, JUMBO_LEN - NTP_PACKET_LEN)
         + bytes(JUMBO_LEN - NTP_PACKET_LEN - 4))


def _kod(code):
    def tweak(f):
        f.update(li=NTP_LI_ALARM, stratum=0, refid=code)
    return tweak


def _unsynced(refid, root_delay, root_disp, precision):
    """What a server without a reference answers (LI 3, stratum 0, reference
    time 0), with the other fields as the daemon in question sets them."""
    def tweak(f):
        f.update(li=NTP_LI_ALARM, stratum=0, refid=refid, ref=0,
                 root_delay=root_delay, root_disp=root_disp, precision=precision)
    return tweak


def _forged_deny(f):
    """forged-first's fake kiss-o'-death: origin off by one second, so it
    differs from the fake time reply's origin as well as the real one."""
    _kod(b"DENY")(f)
    f["org"] ^= NTP_ONE_SEC


# Reply variants: how each one alters a good reply's fields (a dict named as
# the parameters of pack_reply), or its bytes (post).  A mode sends one or more
# of these per request.
VARIANTS = {
    "good": {},
    # Unsynchronized servers as they answer (README, "Servers that are not
    # synchronized"): chrony 4.3, NTPsec 1.2.2 and OpenNTPD 6.2p3 measured in the
    # sandbox right after they started without a reference; classic ntpd 4.2.8p15
    # sends what NTPsec sends; busybox ntpd read from its source.
    "init": {"tweak": _unsynced(b"INIT", 0, 0, -24)},
    "unsynced-chrony": {"tweak": _unsynced(bytes(4), 0x00010000, 0x00010000, -26)},
    "unsynced-openntpd": {"tweak": _unsynced(bytes(4), 0, 0, -29)},
    "stratum16": {"tweak": lambda f: f.update(li=NTP_LI_ALARM, stratum=16,
                                              refid=bytes(4), ref=0)},
    "li3": {"tweak": lambda f: f.update(li=NTP_LI_ALARM)},
    "stratum0": {"tweak": lambda f: f.update(stratum=0, refid=b"XXXX")},
    "rate": {"tweak": _kod(b"RATE")},
    "deny": {"tweak": _kod(b"DENY")},
    "rstr": {"tweak": _kod(b"RSTR")},
    "wrong-origin": {"tweak": lambda f: f.update(org=f["org"] ^ 1)},
    "deny-wrong-origin": {"tweak": _forged_deny},
    "short": {"post": lambda data: data[:NTP_PACKET_LEN - 1]},
    "bad-mode": {"tweak": lambda f: f.update(mode=NTP_MODE_CLIENT)},
    "bad-version": {"tweak": lambda f: f.update(vn=5)},
    "version0": {"tweak": lambda f: f.update(vn=0)},
    "zero-ts": {"tweak": lambda f: f.update(rx=0, tx=0)},
    "zero-rx": {"tweak": lambda f: f.update(rx=0)},
    "tx-before-rx": {"tweak": lambda f: f.update(tx=(f["rx"] - NTP_ONE_SEC) % NTP_TS_MOD)},
    "negative-delay": {"tweak": lambda f: f.update(tx=(f["tx"] + 10 * NTP_ONE_SEC) % NTP_TS_MOD)},
    "ref-future": {"tweak": lambda f: f.update(ref=(f["tx"] + NTP_ONE_SEC) % NTP_TS_MOD)},
    "huge-dispersion": {"tweak": lambda f: f.update(root_disp=0x00140000)},  # 20 s
    "huge-delay": {"tweak": lambda f: f.update(root_delay=0x000A0000)},  # 10 s
    "extension": {"post": lambda data: data + EXTENSION},
    "jumbo": {"post": lambda data: data + JUMBO},
    # What an attacker who saw the request would send: the right origin, a time
    # FORGED_SHIFT seconds off.  Only the *-race modes send it, from the wrong
    # port or address.
    "forged-time": {"tweak": lambda f: f.update(rx=(f["rx"] + FORGED_SHIFT) % NTP_TS_MOD,
                                                tx=(f["tx"] + FORGED_SHIFT) % NTP_TS_MOD)},
    # Symmetric-key replies (--md5-key): the good reply signed with a digest bit
    # flipped; the same with a forged time; ntpd's crypto-NAK (key id 0, no digest).
    "mac-flip": {},
    "forged-time-mac-flip": {"tweak": lambda f: f.update(
        rx=(f["rx"] + FORGED_SHIFT) % NTP_TS_MOD, tx=(f["tx"] + FORGED_SHIFT) % NTP_TS_MOD)},
    "crypto-nak": {"post": lambda data: data + bytes(4)},
}
# Sent with --md5-key but not signed; signed with one digest bit flipped.
UNSIGNED = ("crypto-nak",)
MAC_FLIPPED = ("mac-flip", "forged-time-mac-flip")


def sign(data, variant, key):
    """RFC 5905 section 7.3 with --md5-key ID:SECRET: the key id, then
    MD5(secret || packet); a datagram as it is without a key."""
    if key is None or variant in UNSIGNED:
        return data
    keyid, secret = key
    digest = bytearray(hashlib.md5(secret + data).digest())
    if variant in MAC_FLIPPED:
        digest[0] ^= 1
    return data + struct.pack(">I", keyid) + bytes(digest)


# --mode kiss=CODE: a kiss-o'-death with any code.
KISS = "kiss="
# In a mode's reply list: send the previous datagram again, byte for byte.
REPEAT = "repeat"
# In a mode's reply list, VARIANT@other sends that datagram from the second socket
# (PORT+1 for other-port and port-race, --other-addr port PORT for addr-race).
OTHER = "@other"
FORGED_SHIFT = 100 * NTP_ONE_SEC
# In a mode's reply list, VARIANT@flood sends that datagram again and again, as fast as
# the socket takes it, for FLOOD_SECONDS (one log line for them all).
FLOOD = "@flood"
FLOOD_SECONDS = 4
# Modes that need the second socket, and where it is bound.
SECOND_ON_NEXT_PORT = ("other-port", "port-race")
SECOND_ON_OTHER_ADDR = ("addr-race",)

MODES = {
    "good": "a correct reply",
    "init": "LI=3, stratum 0, refid INIT, reference time 0, root delay and\n"
            "dispersion 0, precision -24: what classic ntpd and NTPsec send\n"
            "until they are synchronized",
    "unsynced-chrony": "LI=3, stratum 0, refid 0, reference time 0, root delay and\n"
                       "dispersion 1 s, precision -26: chrony without a reference",
    "unsynced-openntpd": "LI=3, stratum 0, refid 0, reference time 0, root delay and\n"
                         "dispersion 0, precision -29: OpenNTPD, unsynchronized",
    "stratum16": "LI=3, stratum 16, refid 0, reference time 0: busybox ntpd's\n"
                 "server before it is synchronized",
    "kiss=CODE": "LI=3, stratum 0, refid CODE (up to 4 ASCII characters, zero\n"
                 "filled): any kiss code",
    "li3": "LI=3 (unsynchronized), otherwise good",
    "stratum0": "stratum 0 with the unknown kiss code XXXX",
    "rate": "kiss-o'-death RATE: LI=3, stratum 0, correct origin,\n"
            "real receive/transmit times",
    "deny": "kiss-o'-death DENY (as rate)",
    "rstr": "kiss-o'-death RSTR (as rate)",
    "wrong-origin": "origin = request's transmit timestamp XOR 1",
    "other-port": "good reply, but sent from a second socket on PORT+1",
    "short": "the first 47 bytes of a good reply",
    "bad-mode": "mode 3 instead of 4",
    "bad-version": "VN 5",
    "version0": "VN 0",
    "zero-ts": "receive and transmit timestamps 0",
    "zero-rx": "receive timestamp 0",
    "tx-before-rx": "transmit timestamp 1 s before the receive timestamp",
    "negative-delay": "transmit timestamp 10 s after the real one: the server claims\n"
                      "it held the request 10 s (delay -10 s, offset +5 s)",
    "ref-future": "reference timestamp 1 s after the transmit timestamp",
    "huge-dispersion": "root dispersion 20 s",
    "huge-delay": "root delay 10 s",
    "silent": "never answer (requests are still logged)",
    "first-only": "answer the first request, then stay silent (rate limiting)",
    "stratum16-then-silent": "answer the first request as stratum16 does, then stay\n"
                             "silent (a server that rate-limits by silence)",
    "rate-after-first": "answer the first request, then send RATE kiss-o'-death",
    "extension": "good reply + a 28-byte extension field (type 0x0104,\n"
                 "zero padding): 76 bytes",
    "jumbo": f"good reply + one extension field of {JUMBO_LEN - NTP_PACKET_LEN} bytes: "
             f"{JUMBO_LEN} bytes",
    "duplicate": "send each good reply twice, identical bytes",
    "port-race": "per request, back to back from a second socket on PORT+1: a reply\n"
                 "with the right origin but a time 100 s ahead, then a DENY with the\n"
                 "right origin; then the good reply from PORT",
    "addr-race": "as port-race, but the forged two come from --other-addr, port PORT",
    "flood": f"per request, replies with origin XOR 1 back to back for {FLOOD_SECONDS} s,\n"
             "never the good one (a flood of forgeries)",
    "forged-first": "per request, back to back: a reply with origin XOR 1, then\n"
                    "DENY with origin XOR 2^32 (off by 1 s), then the good reply",
    "delay=MS": "good reply sent MS milliseconds after the request arrived\n"
                "(T2 at arrival, T3 at sending; other requests are not held up)",
    "mac-flip": "with --md5-key: the good reply, signed, one digest bit flipped",
    "mac-forged-first": "with --md5-key, per request back to back: a reply with the\n"
                        "right origin and a time 100 s ahead whose MAC does not verify,\n"
                        "then the good reply, signed",
    "crypto-nak": "ntpd's crypto-NAK: the good header + key id 0, no digest",
    "slow-first=MS": "the first reply sent MS milliseconds late with T2 = T3 at\n"
                     "sending, as if the network had held the request: a round\n"
                     "trip of MS ms; the others at once",
}


class Terminate(Exception):
    """Raised from the SIGTERM/SIGINT handler to leave the serve loop."""


def ntp_time(unix_ns):
    """Unix time in ns -> 64-bit NTP timestamp (era wraps), exact integers."""
    return ((unix_ns + NTP_UNIX_DELTA * NS_PER_SEC) << 32) // NS_PER_SEC % NTP_TS_MOD


def pack_reply(li, vn, mode, stratum, poll, precision, root_delay, root_disp,
               refid, ref, org, rx, tx):
    return NTP_HEADER.pack(li << 6 | vn << 3 | mode, stratum, poll, precision,
                           root_delay, root_disp, refid, ref, org, rx, tx)


def build_reply(variant, request, t2, t3, base=None):
    """The datagram for one reply variant; t2 and t3 are NTP timestamps.  base
    overrides fields of the good reply (--stratum, --precision, --root-delay)."""
    org, = struct.unpack_from(">Q", request, NTP_OFF_TRANSMIT)
    poll, = struct.unpack_from(">b", request, NTP_OFF_POLL)
    fields = dict(li=0, vn=request[0] >> 3 & 7, mode=NTP_MODE_SERVER,
                  stratum=GOOD_STRATUM, poll=poll, precision=GOOD_PRECISION,
                  root_delay=0, root_disp=GOOD_ROOT_DISP, refid=GOOD_REFID,
                  ref=(t3 - REF_AGE) % NTP_TS_MOD, org=org, rx=t2, tx=t3)
    fields.update(base or {})
    if variant.startswith(KISS):
        fields.update(li=NTP_LI_ALARM, stratum=0,
                      refid=variant[len(KISS):].encode().ljust(4, b"\0"))
        return pack_reply(**fields)
    spec = VARIANTS[variant]
    if "tweak" in spec:
        spec["tweak"](fields)
    data = pack_reply(**fields)
    return spec["post"](data) if "post" in spec else data


def replies_for(mode, nth):
    """(delay in s, socket index, variants) answering the nth (0-based) request."""
    if mode.startswith("delay="):
        return float(mode[6:]) / 1000, 0, ["good"]
    if mode.startswith("slow-first="):
        return float(mode[11:]) / 1000 if nth == 0 else 0, 0, ["good"]
    if mode == "silent":
        return 0, 0, []
    if mode == "first-only":
        return 0, 0, ["good"] if nth == 0 else []
    if mode == "stratum16-then-silent":
        return 0, 0, ["stratum16"] if nth == 0 else []
    if mode == "rate-after-first":
        return 0, 0, ["good" if nth == 0 else "rate"]
    if mode == "duplicate":
        return 0, 0, ["good", REPEAT]
    if mode == "flood":
        return 0, 0, ["wrong-origin" + FLOOD]
    if mode == "mac-forged-first":
        return 0, 0, ["forged-time-mac-flip", "good"]
    if mode == "forged-first":
        return 0, 0, ["wrong-origin", "deny-wrong-origin", "good"]
    if mode == "other-port":
        return 0, 1, ["good"]
    if mode in ("port-race", "addr-race"):
        return 0, 0, ["forged-time" + OTHER, "deny" + OTHER, "good"]
    return 0, 0, [mode]


def fmt_addr(sockaddr):
    host, port = sockaddr[:2]
    return f"[{host}]:{port}" if ":" in host else f"{host}:{port}"


class Server:
    def __init__(self, args):
        self.args = args
        self.offset_ns = args.offset
        self.log_file = open(args.log, "a", buffering=1) if args.log else None
        self.socks = []
        self.requests = 0  # valid requests received
        self.replies = 0  # requests answered (all their datagrams sent)
        self.pending = []  # [due (monotonic), seq, sock, addr, request, t2, variants]
        self.seq = 0
        self.base = {}  # fields of the good reply the options change
        if args.stratum is not None:
            self.base["stratum"] = args.stratum
        if args.precision is not None:
            self.base["precision"] = args.precision
        if args.root_delay is not None:
            self.base["root_delay"] = args.root_delay

    def log(self, line):
        if self.log_file:
            self.log_file.write(line + "\n")

    def now_ntp(self):
        return ntp_time(time.time_ns() + self.offset_ns)

    def bind(self):
        family = socket.AF_INET6 if ":" in self.args.addr else socket.AF_INET
        main = socket.socket(family, socket.SOCK_DGRAM)
        main.bind((self.args.addr, self.args.port))
        self.socks.append(main)
        self.port = main.getsockname()[1]  # the real one if --port 0
        if self.args.mode in SECOND_ON_NEXT_PORT:
            if self.port == 65535:
                raise OSError(f"{self.args.mode} needs PORT+1 <= 65535")
            other = socket.socket(family, socket.SOCK_DGRAM)
            other.bind((self.args.addr, self.port + 1))
            self.socks.append(other)
        elif self.args.mode in SECOND_ON_OTHER_ADDR:
            other = socket.socket(family, socket.SOCK_DGRAM)
            other.bind((self.args.other_addr, self.port))
            self.socks.append(other)

    def receive(self):
        data, peer = self.socks[0].recvfrom(65535)
        t2 = self.now_ntp()  # as close to arrival as Python gets
        vn = f"vn{data[0] >> 3 & 7}" if data else "vn?"
        mode = f"mode{data[0] & 7}" if data else "mode?"
        zero = "yes" if len(data) >= NTP_OFF_TRANSMIT and not any(
            data[1:NTP_OFF_TRANSMIT]) else "no"
        xmt = data[NTP_OFF_TRANSMIT:NTP_PACKET_LEN].hex() if len(data) >= NTP_PACKET_LEN else "-"
        line = (f"rx {len(data)} bytes from {fmt_addr(peer)} {vn} {mode} "
                f"request-fields-zero={zero} xmt={xmt}")
        if len(data) < NTP_PACKET_LEN or data[0] & 7 != NTP_MODE_CLIENT:
            self.log(line + " ignored")
            return
        self.log(line)
        delay, sock_index, variants = replies_for(self.args.mode, self.requests)
        if self.args.mode.startswith("slow-first=") and self.requests == 0:
            t2 = None  # taken when sent: the request "arrived" late
        self.requests += 1
        if variants:
            self.seq += 1
            self.pending.append([time.monotonic() + delay, self.seq,
                                 self.socks[sock_index], peer, data, t2, variants])

    def send_due(self):
        now = time.monotonic()
        for item in sorted(p for p in self.pending if p[0] <= now):
            self.pending.remove(item)
            _, _, sock, peer, request, t2, variants = item
            data = b""
            for variant in variants:
                out = sock
                flood = variant.endswith(FLOOD)
                if flood:
                    variant = variant[:-len(FLOOD)]
                if variant.endswith(OTHER):
                    variant = variant[:-len(OTHER)]
                    out = self.socks[1]
                if variant != REPEAT:
                    t3 = self.now_ntp()  # just before sending
                    data = sign(build_reply(variant, request, t3 if t2 is None else t2,
                                            t3, self.base), variant, self.args.md5_key)
                if flood:
                    result = f" flood={self.flood(out, data, peer)}"
                else:
                    try:
                        out.sendto(data, peer)
                        result = ""
                    except OSError as e:  # e.g. ENOBUFS; keep serving
                        result = f" error={e.strerror}"
                src = out.getsockname()
                self.log(f"tx {len(data)} bytes mode={self.args.mode} reply={variant} "
                         f"to {fmt_addr(peer)} from-port={src[1]} from-addr={src[0]}{result}")
            self.replies += 1
            if self.replies >= self.args.max_replies:
                return

    @staticmethod
    def flood(sock, data, peer):
        """Send data to peer for FLOOD_SECONDS as fast as it goes; return how many."""
        sent = 0
        end = time.monotonic() + FLOOD_SECONDS
        while time.monotonic() < end:
            try:
                sock.sendto(data, peer)
                sent += 1
            except OSError:  # the peer's queue is full, or it is gone
                time.sleep(0.001)
        return sent

    def serve(self):
        """Serve until lifetime or max-replies; return the reason."""
        deadline = time.monotonic() + self.args.lifetime
        while True:
            self.send_due()
            if self.replies >= self.args.max_replies:
                return "max-replies"
            now = time.monotonic()
            if now >= deadline:
                return "lifetime"
            wake = min([deadline] + [p[0] for p in self.pending])
            readable, _, _ = select.select(self.socks[:1], [], [], max(0, wake - now))
            if readable:
                self.receive()


def write_file(path, text):
    """Write atomically, so a test polling for the file never reads it half-written."""
    tmp = f"{path}.tmp.{os.getpid()}"
    with open(tmp, "w") as f:
        f.write(text)
    os.replace(tmp, path)


def remove(path):
    try:
        os.unlink(path)
    except FileNotFoundError:
        pass


def parse_offset(text):
    """Seconds as a decimal string -> integer ns, exactly (no float rounding)."""
    try:
        return int(fractions.Fraction(text) * NS_PER_SEC)
    except (ValueError, ZeroDivisionError):
        raise argparse.ArgumentTypeError(f"not a number of seconds: {text!r}")


def parse_short(text):
    """Seconds -> the 16.16 short format, exactly."""
    try:
        v = fractions.Fraction(text)
    except (ValueError, ZeroDivisionError):
        raise argparse.ArgumentTypeError(f"not a number of seconds: {text!r}")
    if not 0 <= v < 65536:
        raise argparse.ArgumentTypeError(f"must be 0 to 65535 s: {text}")
    return int(v * 65536)


def parse_key(text):
    """--md5-key ID:SECRET -> (id, secret bytes)."""
    keyid, sep, secret = text.partition(":")
    if not sep or not keyid.isdigit() or not 0 < int(keyid) < 2**32 or not secret:
        raise argparse.ArgumentTypeError(f"{text!r}: want ID:SECRET, ID 1..2^32-1")
    return int(keyid), secret.encode()


def parse_mode(text):
    for prefix in ("delay=", "slow-first="):
        if text.startswith(prefix):
            try:
                ms = float(text[len(prefix):])
            except ValueError:
                ms = -1
            if not 0 <= ms <= 600_000:
                raise argparse.ArgumentTypeError(f"{prefix}MS needs 0 <= MS <= 600000")
            return text
    if text.startswith(KISS):
        code = text[len(KISS):]
        if not 1 <= len(code) <= 4 or not code.isascii():
            raise argparse.ArgumentTypeError("kiss=CODE needs 1 to 4 ASCII characters")
        return text
    if text not in MODES:
        raise argparse.ArgumentTypeError(f"unknown mode {text!r}; see --help")
    return text


def bounded(kind, top):
    def parse(text):
        value = kind(text)
        if not 0 < value <= top:  # also rejects nan
            raise argparse.ArgumentTypeError(f"must be > 0 and <= {top}: {text}")
        return value
    return parse


def parse_args(argv):
    width = max(map(len, MODES))
    indent = "\n" + " " * (width + 4)
    modes = "\n".join(f"  {name:<{width}}  {text.replace(chr(10), indent)}"
                      for name, text in MODES.items())
    p = argparse.ArgumentParser(
        description="""\
Scripted, misbehaving NTP server for ntpsync's integration tests.

Answers UDP requests of at least 48 bytes with mode 3.  Each --mode changes only
what it names; the rest is a good reply: LI 0, the request's VN and poll, mode 4,
stratum 2 (--stratum), precision -20 (--precision), root delay 0 (--root-delay),
root dispersion 0.001 s, refid 127.0.0.1,
reference time = now - 10 s, origin = the request's transmit timestamp (bytes
40..47), receive time T2 = arrival, transmit time T3 = just before sending; every
time sent is shifted by --offset.""",
        formatter_class=argparse.RawDescriptionHelpFormatter,
        epilog="modes:\n" + modes + """

files:
  --pidfile and then --ready-file are written once every socket is bound, and
  both are removed at exit; a stale --ready-file is removed at startup.  The
  ready file holds "ADDR PORT" (the real port if --port 0).
  --log gets one line per datagram, appended and flushed at once:
    start addr=ADDR port=PORT mode=MODE pid=PID
    rx LEN bytes from HOST:PORT vnV modeM request-fields-zero=yes|no xmt=HEX|- [ignored]
    tx LEN bytes mode=MODE reply=VARIANT to HOST:PORT from-port=PORT from-addr=ADDR [error=...]
    exit reason=lifetime|max-replies|signal requests=N replies=N
  IPv6 peers are written [HOST]:PORT.  xmt is the request's transmit timestamp
  (bytes 40..47) in hex.  request-fields-zero tells whether request
  bytes 1..39 are all zero.  "ignored" requests (short or not mode 3) get no reply.

exit status: 0 at the end of --lifetime, after --max-replies or on SIGTERM/SIGINT;
1 if the address cannot be bound; 2 on bad arguments.""")
    p.add_argument("--addr", default="127.0.0.1",
                   help="address to bind, IPv4 or IPv6 literal (default %(default)s)")
    p.add_argument("--port", type=int, default=123, help="UDP port (default %(default)s)")
    p.add_argument("--mode", type=parse_mode, default="good", help="see modes below")
    p.add_argument("--offset", type=parse_offset, default=0, metavar="SECONDS",
                   help="shift every timestamp sent by this many seconds (may be "
                   "negative or fractional; default 0)")
    p.add_argument("--stratum", type=int, choices=range(256), metavar="N",
                   help="stratum of the good reply (default %d)" % GOOD_STRATUM)
    p.add_argument("--precision", type=int, choices=range(-128, 128), metavar="P",
                   help="precision (log2 s) of the good reply (default %d)" % GOOD_PRECISION)
    p.add_argument("--root-delay", type=parse_short, metavar="SECONDS",
                   help="root delay of the good reply, 0 to 65535 s (default 0)")
    p.add_argument("--lifetime", type=bounded(float, MAX_LIFETIME), default=30.0,
                   metavar="SECONDS",
                   help=f"exit after this long, at most {MAX_LIFETIME} (default 30)")
    p.add_argument("--max-replies", type=bounded(int, 10**9), default=1000, metavar="N",
                   help="exit after answering N requests; a request answered with "
                   "several datagrams (duplicate, forged-first) counts once "
                   "(default %(default)s)")
    p.add_argument("--other-addr", metavar="ADDR",
                   help="second address, same family as --addr, for --mode addr-race")
    p.add_argument("--md5-key", type=parse_key, metavar="ID:SECRET",
                   help="sign every reply with this MD5 key (RFC 5905 section 7.3)")
    p.add_argument("--pidfile", metavar="FILE", help="write the server's pid here")
    p.add_argument("--ready-file", metavar="FILE", help="create once bound")
    p.add_argument("--log", metavar="FILE", help="append a line per datagram received and sent")
    args = p.parse_args(argv)
    if not 0 <= args.port <= 65535:
        p.error("--port must be 0..65535")
    if args.mode in SECOND_ON_OTHER_ADDR and not args.other_addr:
        p.error(f"--mode {args.mode} needs --other-addr")
    return args


def main(argv=None):
    args = parse_args(argv)
    if args.ready_file:
        remove(args.ready_file)

    def on_signal(signum, frame):
        raise Terminate()

    server = None
    reason = "signal"
    try:
        signal.signal(signal.SIGTERM, on_signal)
        signal.signal(signal.SIGINT, on_signal)
        server = Server(args)
        try:
            server.bind()
        except OSError as e:
            print(f"fake_server: cannot bind {args.addr} port {args.port}: {e}",
                  file=sys.stderr)
            return 1
        server.log(f"start addr={args.addr} port={server.port} mode={args.mode} "
                   f"pid={os.getpid()}")
        if args.pidfile:
            write_file(args.pidfile, f"{os.getpid()}\n")
        if args.ready_file:
            write_file(args.ready_file, f"{args.addr} {server.port}\n")
        reason = server.serve()
    except Terminate:
        pass
    finally:
        # Signals now would interrupt the cleanup: from here on, just exit.
        signal.signal(signal.SIGTERM, signal.SIG_IGN)
        signal.signal(signal.SIGINT, signal.SIG_IGN)
        for path in (args.ready_file, args.pidfile):
            if path:
                remove(path)
        if server:
            if server.socks:
                server.log(f"exit reason={reason} requests={server.requests} "
                           f"replies={server.replies}")
            for s in server.socks:
                s.close()
            if server.log_file:
                server.log_file.close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
