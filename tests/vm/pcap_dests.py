#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0-or-later
"""pcap_dests.py PCAP MAC: where the frames MAC sent went, one line per destination.

PCAP is what qemu's filter-dump wrote (libpcap format, Ethernet).  Each line is
"COUNT FAMILY PROTO DESTINATION PORT", e.g. "12 ipv4 udp 10.0.2.2 123"; PORT is "-"
for protocols without one (ARP, ICMP...).  The VM boot test checks that the guest sent
nothing but to the server it was given.
"""

import collections
import ipaddress
import struct
import sys

PCAP_MAGIC_USEC = 0xA1B2C3D4
PCAP_MAGIC_NSEC = 0xA1B23C4D
PCAP_HEADER_LEN = 24
PCAP_RECORD_LEN = 16
LINKTYPE_ETHERNET = 1
ETH_HEADER_LEN = 14
ETHERTYPE_IPV4 = 0x0800
ETHERTYPE_ARP = 0x0806
ETHERTYPE_IPV6 = 0x86DD
IPV6_HEADER_LEN = 40
PROTOS = {1: "icmp", 6: "tcp", 17: "udp", 58: "icmpv6"}
PORTED = (6, 17)


def frames(data):
    """The frames of a pcap file's bytes."""
    magic = struct.unpack_from("<I", data)[0]
    if magic in (PCAP_MAGIC_USEC, PCAP_MAGIC_NSEC):
        order = "<"
    elif struct.unpack_from(">I", data)[0] in (PCAP_MAGIC_USEC, PCAP_MAGIC_NSEC):
        order = ">"
    else:
        raise ValueError("not a pcap file")
    linktype = struct.unpack_from(order + "I", data, 20)[0]
    if linktype != LINKTYPE_ETHERNET:
        raise ValueError(f"link type {linktype}, not Ethernet")
    off = PCAP_HEADER_LEN
    while off + PCAP_RECORD_LEN <= len(data):
        incl = struct.unpack_from(order + "I", data, off + 8)[0]
        off += PCAP_RECORD_LEN
        yield data[off:off + incl]
        off += incl


def destination(frame):
    """(family, proto, destination, port) of one Ethernet frame."""
    etype = struct.unpack_from("!H", frame, 12)[0]
    ip = frame[ETH_HEADER_LEN:]
    if etype == ETHERTYPE_ARP:
        return ("arp", "-", str(ipaddress.IPv4Address(ip[24:28])), "-")
    if etype == ETHERTYPE_IPV4:
        ihl = (ip[0] & 0x0F) * 4
        proto, dst = ip[9], ip[16:20]
        l4 = ip[ihl:]
        family = "ipv4"
        dst = str(ipaddress.IPv4Address(dst))
    elif etype == ETHERTYPE_IPV6:
        proto, dst = ip[6], ip[24:40]
        l4 = ip[IPV6_HEADER_LEN:]
        family = "ipv6"
        dst = str(ipaddress.IPv6Address(dst))
    else:
        return (f"ethertype-{etype:04x}", "-", "-", "-")
    port = str(struct.unpack_from("!H", l4, 2)[0]) if proto in PORTED else "-"
    return (family, PROTOS.get(proto, str(proto)), dst, port)


def main():
    if len(sys.argv) != 3:
        sys.exit("usage: pcap_dests.py PCAP MAC")
    with open(sys.argv[1], "rb") as f:
        data = f.read()
    mac = bytes.fromhex(sys.argv[2].replace(":", ""))
    seen = collections.Counter(destination(fr) for fr in frames(data)
                               if len(fr) >= ETH_HEADER_LEN and fr[6:12] == mac)
    for (family, proto, dst, port), n in sorted(seen.items()):
        print(n, family, proto, dst, port)


if __name__ == "__main__":
    main()
