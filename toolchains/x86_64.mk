# SPDX-License-Identifier: GPL-2.0-or-later
# x86_64: Debian's amd64 baseline (x86-64 without SSE3 and later).
TC_GNU     = x86_64-linux-gnu
TC_PKGS    = gcc
TC_MUSL    = src:x86_64-linux-musl
TC_MUSL_DEB = amd64:x86_64-linux-musl
TC_QEMU    = qemu-x86_64 -cpu qemu64
# With link-time optimization, inlining every function called once makes
# this target's code larger (by about 1 KB); on the others it is smaller.
TC_CFLAGS  = -fno-inline-functions-called-once
TC_LDFLAGS =
TC_MUSL_CFLAGS = -fno-pie
TC_LP64    = 1
