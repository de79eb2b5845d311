# SPDX-License-Identifier: GPL-2.0-or-later
# mipsel: MIPS32r2 little-endian, o32, FPXX (Debian's mipsel baseline; MT7621, many
# Atheros/Qualcomm routers). Non-PIC code (-mno-shared, -mplt): 3.6 KB smaller.
TC_GNU     = mipsel-linux-gnu
TC_PKGS    = gcc-mipsel-linux-gnu
TC_MUSL    = src:mipsel-linux-musl
TC_MUSL_DEB = mipsel:mipsel-linux-musl
TC_QEMU    = qemu-mipsel -cpu 24Kf
TC_CFLAGS  = -mplt
TC_LDFLAGS =
TC_MUSL_CFLAGS = -fno-pie -mno-shared
TC_LP64    = 0
