# SPDX-License-Identifier: GPL-2.0-or-later
# mips: MIPS32r2 big-endian, o32, FPXX (Atheros, Lantiq, Broadcom routers). Debian 12
# has no musl for it: musl is always built from Debian's musl source package.
TC_GNU     = mips-linux-gnu
TC_PKGS    = gcc-mips-linux-gnu
TC_MUSL    = src:mips-linux-musl
TC_MUSL_DEB =
TC_QEMU    = qemu-mips -cpu 24Kf
TC_CFLAGS  = -mplt
TC_LDFLAGS =
TC_MUSL_CFLAGS = -fno-pie -mno-shared
TC_LP64    = 0
