#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0-or-later
"""bench/relay.py: a UDP relay that makes the loopback look like a real network path.

    relay.py --listen ADDR[:PORT] --server ADDR[:PORT] [impairments] [--lifetime S]

Every datagram a client sends to --listen is forwarded to --server from a socket of its
own per client address (so the replies find their way back), and every reply is sent back
to the client from --listen (port 123 stays port 123). Each direction is impaired on its
own, per datagram:

    --up-delay MS / --down-delay MS     fixed one-way delay (client->server / back)
    --up-jitter MS / --down-jitter MS   plus a random extra delay, exponential with this
                                        mean (queueing: never negative, a long tail)
    --loss P                            drop each datagram, each direction, with
                                        probability P (0..1)
    --seed N                            random seed (default: fixed, for repeatable runs)
    --tamper flip-mac|strip-mac         on the way back, flip the last bit of each reply
                                        longer than the 48-byte header (its MAC), or cut the
                                        reply to the header (an on-path attacker's edits)
    --tamper flip-nts-auth              NTS (RFC 8915): on the way back, flip one byte of the
                                        ciphertext inside the reply's NTS Authenticator and
                                        Encrypted Extension Fields field (the first byte of
                                        its AES-SIV tag); replies without one pass unchanged
    --tamper strip-nts-auth             NTS: remove that extension field from the reply,
                                        nothing else changed (lengths stay as they were)
    --tamper nts-wrong-uid              NTS: on the way back, flip one byte of the reply's
                                        Unique Identifier (the answer to someone else's
                                        request, as a forger would send it); nothing else
    --tamper nts-nak                    NTS: answer each request that carries a Unique
                                        Identifier with an NTS NAK (kiss code NTSN, stratum
                                        0, LI 3, that Unique Identifier and nothing else)
                                        from --listen; nothing goes to the server
    --tamper replay                     on the way back, answer each request with the genuine
                                        reply to the latest request of ANOTHER client (another
                                        address or port: an earlier run), unchanged: its MAC
                                        verifies, its origin is that client's. The server's
                                        reply to this request is kept for the next client.
                                        The first client gets nothing (there is no other
                                        reply yet): run one to prime the relay. Another
                                        client's, because ntpsync keeps the nonces of a run's
                                        earlier requests: a late reply to one of them is a
                                        real answer, not a replay.
    --then-genuine                      after each tampered reply, send the untouched one too
                                        (the forger was faster than the server): a client
                                        that keeps its request open takes the real answer;
                                        with nts-nak, the request goes on to the server too

Datagrams may overtake each other, as on a real path. The kernel here has no netem qdisc,
which is why this exists. With --log FILE one line per datagram:
    up|down LEN delay_ms=D | dropped | held back (replay: nothing to send instead yet)
The relay exits after --lifetime seconds (default 600) or on SIGTERM; it only ever binds and
sends to the loopback addresses it is given.
"""
import argparse
import heapq
import random
import select
import signal
import socket
import struct
import sys
import time


HEADER_LEN = 48  # the NTP header; a MAC or extension fields follow it


def tamper(how, data):
    """A reply as an on-path attacker would pass it on: its MAC's last bit flipped, or
    the MAC cut off; its NTS authenticator flipped or cut off. (nts-nak acts on the
    requests.)"""
    if how in (None, "nts-nak") or len(data) <= HEADER_LEN:
        return data
    if how == "flip-nts-auth":
        return flip_nts_auth(data)
    if how == "strip-nts-auth":
        return strip_nts_auth(data)
    if how == "nts-wrong-uid":
        return wrong_uid(data)
    if how == "strip-mac":
        return data[:HEADER_LEN]
    return data[:-1] + bytes([data[-1] ^ 1])


# RFC 7822: after the header, extension fields of type (16 bits), length (16 bits, the
# whole field, a multiple of 4, at least 16) and value; a MAC may follow the last one.
EF_HEADER_LEN = 4
EF_MIN_LEN = 16
# RFC 8915 section 5.7: the NTS extension field types.
EF_UNIQUE_IDENTIFIER = 0x0104
EF_NTS_AUTHENTICATOR = 0x0404
# RFC 8915 section 5.6: the authenticator's value starts with Nonce Length and Ciphertext
# Length (16 bits each), then the nonce and the ciphertext, each padded to 4 bytes.
NTS_AUTH_LENGTHS_LEN = 4
# RFC 8915 section 5.7: an NTS NAK is a kiss-o'-death with code NTSN (RFC 5905: stratum
# 0, the kiss code in the reference ID; LI 3, alarm, as servers send it).
KISS_NTSN = b"NTSN"
LI_ALARM = 3
MODE_SERVER = 4
PRECISION = -20 & 0xff  # about a microsecond, as a server's clock would say
NTP_EPOCH_OFFSET = 2208988800


def extension_fields(data):
    """(offset, type, length) of each extension field after the header, per RFC 7822;
    the walk stops at what cannot be one (a MAC, or garbage)."""
    out, i = [], HEADER_LEN
    while i + EF_MIN_LEN <= len(data):
        t, n = struct.unpack("!HH", data[i:i + EF_HEADER_LEN])
        if n < EF_MIN_LEN or n % 4 or i + n > len(data):
            break
        out.append((i, t, n))
        i += n
    return out


def find_ef(data, ef_type):
    for off, t, n in extension_fields(data):
        if t == ef_type:
            return off, n
    return None


def pad4(n):
    return (n + 3) & ~3


def flip_nts_auth(data):
    """The reply with the first ciphertext byte of its NTS authenticator flipped: the
    AES-SIV tag no longer matches. Unchanged when it has no well-formed authenticator."""
    ef = find_ef(data, EF_NTS_AUTHENTICATOR)
    if ef is None:
        return data
    off, n = ef
    value = off + EF_HEADER_LEN
    nonce_len, ct_len = struct.unpack("!HH", data[value:value + NTS_AUTH_LENGTHS_LEN])
    ct = value + NTS_AUTH_LENGTHS_LEN + pad4(nonce_len)
    if ct_len == 0 or ct + ct_len > off + n:
        return data
    return data[:ct] + bytes([data[ct] ^ 0xff]) + data[ct + 1:]


def strip_nts_auth(data):
    ef = find_ef(data, EF_NTS_AUTHENTICATOR)
    if ef is None:
        return data
    off, n = ef
    return data[:off] + data[off + n:]


def wrong_uid(data):
    """The reply with the first byte of its Unique Identifier's value flipped: the reply
    to a request that is not the client's. Unchanged when it has none."""
    ef = find_ef(data, EF_UNIQUE_IDENTIFIER)
    if ef is None:
        return data
    value = ef[0] + EF_HEADER_LEN
    return data[:value] + bytes([data[value] ^ 0xff]) + data[value + 1:]


def nts_nak(request):
    """An NTS NAK to REQUEST (RFC 8915 section 5.7), or None if it carries no Unique
    Identifier: the server's answer to a cookie it cannot decrypt."""
    ef = find_ef(request, EF_UNIQUE_IDENTIFIER)
    if ef is None or len(request) < HEADER_LEN:
        return None
    off, n = ef
    version = (request[0] >> 3) & 7
    now = time.time() + NTP_EPOCH_OFFSET
    stamp = struct.pack("!II", int(now), int((now % 1) * 2**32))
    header = (bytes([LI_ALARM << 6 | version << 3 | MODE_SERVER, 0, request[2], PRECISION]) +
              bytes(8) + KISS_NTSN + bytes(8) + request[40:48] + stamp + stamp)
    return header + request[off:off + n]


def replay(kept, client, data):
    """The reply to send CLIENT in place of DATA, the server's reply to it: the latest reply
    to another client, or None while there is none. DATA is kept for the others; KEPT holds
    the latest reply of the two clients seen last."""
    old = next((kept[c] for c in reversed(kept) if c != client), None)
    kept.pop(client, None)
    kept[client] = data
    if len(kept) > 2:
        del kept[next(iter(kept))]
    return old


def addr(s, default_port):
    if s.startswith("["):
        host, _, rest = s[1:].partition("]")
        return host, int(rest[1:]) if rest.startswith(":") else default_port
    if s.count(":") == 1:
        host, port = s.split(":")
        return host, int(port)
    return s, default_port


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--listen", required=True)
    ap.add_argument("--server", required=True)
    for d in ("up", "down"):
        ap.add_argument("--%s-delay" % d, type=float, default=0.0)
        ap.add_argument("--%s-jitter" % d, type=float, default=0.0)
    ap.add_argument("--loss", type=float, default=0.0)
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--tamper", choices=("flip-mac", "strip-mac", "flip-nts-auth",
                                         "strip-nts-auth", "nts-wrong-uid", "nts-nak",
                                         "replay"))
    ap.add_argument("--then-genuine", action="store_true")
    ap.add_argument("--lifetime", type=float, default=600)
    ap.add_argument("--ready-file")
    ap.add_argument("--log")
    a = ap.parse_args()
    if not 0 <= a.loss < 1 or a.lifetime <= 0 or a.lifetime > 3600:
        ap.error("bad --loss or --lifetime")
    listen = addr(a.listen, 123)
    server = addr(a.server, 123)
    for h in (listen[0], server[0]):
        if not (h.startswith("127.") or h == "::1"):
            ap.error("loopback addresses only: %s" % h)
    fam = socket.AF_INET6 if ":" in listen[0] else socket.AF_INET
    rnd = random.Random(a.seed)
    log = open(a.log, "a", buffering=1) if a.log else None

    lsock = socket.socket(fam, socket.SOCK_DGRAM)
    lsock.bind(listen)
    if a.ready_file:
        open(a.ready_file, "w").write("%s %d\n" % listen)
    up_socks = {}    # client address -> socket connected to the server
    kept = {}        # --tamper replay: client address -> the server's latest reply to it
    client_of = {}   # that socket's fileno -> client address
    queue = []       # (due, seq, socket, data, destination or None)
    seq = 0
    end = time.monotonic() + a.lifetime
    stop = []
    signal.signal(signal.SIGTERM, lambda *_: stop.append(1))

    def schedule(direction, sock, data, dest):
        nonlocal seq
        if a.loss and rnd.random() < a.loss:
            if log:
                log.write("%s %d dropped\n" % (direction, len(data)))
            return
        base = a.up_delay if direction == "up" else a.down_delay
        jit = a.up_jitter if direction == "up" else a.down_jitter
        d = base + (rnd.expovariate(1.0 / jit) if jit > 0 else 0.0)
        if log:
            log.write("%s %d delay_ms=%.3f\n" % (direction, len(data), d))
        seq += 1
        heapq.heappush(queue, (time.monotonic() + d / 1000.0, seq, sock, data, dest))

    while not stop:
        now = time.monotonic()
        if now >= end:
            break
        while queue and queue[0][0] <= now:
            _, _, sock, data, dest = heapq.heappop(queue)
            try:
                if dest is None:
                    sock.send(data)
                else:
                    sock.sendto(data, dest)
            except OSError:
                pass  # e.g. ICMP unreachable from the server side: the datagram is lost
        timeout = min(end - now, 0.5)
        if queue:
            timeout = max(0.0, min(timeout, queue[0][0] - now))
        socks = [lsock] + list(up_socks.values())
        try:
            ready, _, _ = select.select(socks, [], [], timeout)
        except InterruptedError:
            continue
        for s in ready:
            try:
                data, src = s.recvfrom(65536)
            except OSError:
                continue
            if s is lsock:
                nak = nts_nak(data) if a.tamper == "nts-nak" else None
                if nak is not None:
                    schedule("down", lsock, nak, src)
                    if not a.then_genuine:
                        continue
                u = up_socks.get(src)
                if u is None:
                    if len(up_socks) > 4096:  # bounded: forget the oldest clients
                        old = next(iter(up_socks))
                        client_of.pop(up_socks[old].fileno(), None)
                        up_socks.pop(old).close()
                    u = socket.socket(fam, socket.SOCK_DGRAM)
                    u.connect(server)
                    up_socks[src] = u
                    client_of[u.fileno()] = src
                schedule("up", u, data, None)
            else:
                client = client_of[s.fileno()]
                if a.tamper == "replay":
                    old = replay(kept, client, data)
                    if old is None:
                        if log:
                            log.write("down %d held back\n" % len(data))
                        continue
                    data = old
                else:
                    forged = tamper(a.tamper, data)
                    if a.then_genuine and forged != data:
                        schedule("down", lsock, forged, client)
                    else:
                        data = forged
                schedule("down", lsock, data, client)
    return 0


if __name__ == "__main__":
    sys.exit(main())
