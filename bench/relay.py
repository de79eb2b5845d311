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

Datagrams may overtake each other, as on a real path. The kernel here has no netem qdisc,
which is why this exists. With --log FILE one line per datagram:
    up|down LEN delay_ms=D | dropped
The relay exits after --lifetime seconds (default 600) or on SIGTERM; it only ever binds and
sends to the loopback addresses it is given.
"""
import argparse
import heapq
import random
import select
import signal
import socket
import sys
import time


HEADER_LEN = 48  # the NTP header; a MAC or extension fields follow it


def tamper(how, data):
    """A reply as an on-path attacker would pass it on: its MAC's last bit flipped, or
    the MAC cut off."""
    if how is None or len(data) <= HEADER_LEN:
        return data
    if how == "strip-mac":
        return data[:HEADER_LEN]
    return data[:-1] + bytes([data[-1] ^ 1])


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
    ap.add_argument("--tamper", choices=("flip-mac", "strip-mac"))
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
                schedule("down", lsock, tamper(a.tamper, data), client_of[s.fileno()])
    return 0


if __name__ == "__main__":
    sys.exit(main())
