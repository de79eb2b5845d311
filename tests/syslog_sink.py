#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0-or-later
"""tests/syslog_sink.py SOCKET OUT: a stand-in for the syslog daemon: receives the
datagrams sent to the Unix socket SOCKET (such as /dev/log in a private mount
namespace) and appends each to OUT as one line, with every byte outside printable
ASCII written as \\xNN, so that a control character inside a message shows instead of
starting a line of its own. Runs until killed; SOCKET exists once it listens.
"""
import socket
import sys


def main(path, out):
    s = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
    s.bind(path)
    with open(out, 'a', buffering=1) as f:
        while True:
            data = s.recv(65536)
            f.write(''.join(chr(b) if 32 <= b < 127 else '\\x%02x' % b for b in data))
            f.write('\n')


if __name__ == '__main__':
    main(sys.argv[1], sys.argv[2])
