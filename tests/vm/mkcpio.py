#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0-or-later
"""mkcpio.py OUT ENTRY...: write an uncompressed initramfs (cpio "newc") without root.

Each ENTRY is one of
    dir:PATH:MODE               a directory
    file:PATH:MODE:SOURCE       a regular file with SOURCE's contents
    dated:PATH:MODE:MTIME:SOURCE  the same, modified at MTIME (seconds since 1970)
    nod:PATH:MODE:c:MAJOR:MINOR a character device node (no mknod, so no root needed)
    slink:PATH:TARGET           a symbolic link
PATH is inside the archive (no leading slash needed), MODE octal.  Every entry is
owned by root and, but for dated files, modified at 0 (1970).  The kernel unpacks the
archive into its rootfs before running /init, with the entries' modification times; of
archives joined with cat, a later one's files replace an earlier one's.
"""

import os
import stat
import sys


def header(ino, mode, size, nlink, rdev, mtime, name):
    rmaj, rmin = rdev
    fields = (ino, mode, 0, 0, nlink, mtime, size, 0, 0, rmaj, rmin, len(name) + 1, 0)
    return b"070701" + b"".join(b"%08X" % f for f in fields)


def pad(n):
    return b"\0" * (-n % 4)


def member(ino, mode, name, data=b"", nlink=1, rdev=(0, 0), mtime=0):
    name_b = name.encode()
    h = header(ino, mode, len(data), nlink, rdev, mtime, name_b) + name_b + b"\0"
    return h + pad(len(h)) + data + pad(len(data))


def main(argv):
    if len(argv) < 2:
        sys.stderr.write(__doc__)
        return 2
    out = [b""]
    for ino, spec in enumerate(argv[1:], start=1):
        kind, rest = spec.split(":", 1)
        if kind == "dir":
            path, mode = rest.split(":")
            out.append(member(ino, stat.S_IFDIR | int(mode, 8), path.lstrip("/"), nlink=2))
        elif kind == "file":
            path, mode, src = rest.split(":", 2)
            with open(src, "rb") as f:
                data = f.read()
            out.append(member(ino, stat.S_IFREG | int(mode, 8), path.lstrip("/"), data))
        elif kind == "dated":
            path, mode, mtime, src = rest.split(":", 3)
            with open(src, "rb") as f:
                data = f.read()
            out.append(member(ino, stat.S_IFREG | int(mode, 8), path.lstrip("/"), data,
                              mtime=int(mtime)))
        elif kind == "nod":
            path, mode, c, major, minor = rest.split(":")
            if c != "c":
                raise SystemExit("mkcpio: only character devices: " + spec)
            out.append(member(ino, stat.S_IFCHR | int(mode, 8), path.lstrip("/"),
                              rdev=(int(major), int(minor))))
        elif kind == "slink":
            path, target = rest.split(":", 1)
            out.append(member(ino, stat.S_IFLNK | 0o777, path.lstrip("/"), target.encode()))
        else:
            raise SystemExit("mkcpio: unknown entry: " + spec)
    out.append(member(0, 0, "TRAILER!!!"))
    data = b"".join(out)
    tmp = argv[0] + ".tmp"
    with open(tmp, "wb") as f:
        f.write(data)
    os.replace(tmp, argv[0])
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
