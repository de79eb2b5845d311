# SPDX-License-Identifier: GPL-2.0-or-later
# riscv64: RV64GC, lp64d. Debian 12 has no musl for it: musl is always built from Debian's
# musl source package.
TC_GNU     = riscv64-linux-gnu
TC_PKGS    = gcc-riscv64-linux-gnu
TC_MUSL    = src:riscv64-linux-musl
TC_MUSL_DEB =
TC_QEMU    = qemu-riscv64 -cpu rv64
# With link-time optimization, inlining every function called once makes
# this target's code larger (by about 1 KB); on the others it is smaller.
TC_CFLAGS  = -fno-inline-functions-called-once
TC_LDFLAGS =
TC_MUSL_CFLAGS = -fno-pie
TC_LP64    = 1
