# SPDX-License-Identifier: GPL-2.0-or-later
# armel: ARMv5TE, soft-float EABI (Debian's armel baseline); runs on ARMv5, ARMv6
# (Raspberry Pi Zero/1) and every later ARM with a 32-bit user space. ntpsync itself is
# Thumb code (-mthumb: 4 KB smaller; every ARMv5TE has Thumb), musl stays ARM code.
TC_GNU     = arm-linux-gnueabi
TC_PKGS    = gcc-arm-linux-gnueabi
TC_MUSL    = src:arm-linux-musleabi
TC_MUSL_DEB = armel:arm-linux-musleabi
TC_QEMU    = qemu-arm -cpu arm926
TC_CFLAGS  = -mthumb
TC_LDFLAGS =
TC_MUSL_CFLAGS = -fno-pie
TC_LP64    = 0
