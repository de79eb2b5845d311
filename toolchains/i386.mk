# SPDX-License-Identifier: GPL-2.0-or-later
# i386: i686 without SSE (Debian's i386 baseline); qemu's pentium2 checks that.
TC_GNU     = i686-linux-gnu
TC_PKGS    = gcc-i686-linux-gnu
TC_MUSL    = src:i386-linux-musl
TC_MUSL_DEB = i386:i386-linux-musl
TC_QEMU    = qemu-i386 -cpu pentium2
# With link-time optimization, inlining every function called once makes
# this target's code larger (by about 1 KB); on the others it is smaller.
# Debian's i686 gcc keeps the frame pointer at -Os (its default on every
# other target, and in musl's and busybox's own builds, is to omit it):
# omitting it takes 1,120 bytes off ntpsync.
TC_CFLAGS  = -fno-inline-functions-called-once -fomit-frame-pointer
TC_LDFLAGS =
TC_MUSL_CFLAGS = -fno-pie
TC_LP64    = 0
