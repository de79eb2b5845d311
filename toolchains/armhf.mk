# SPDX-License-Identifier: GPL-2.0-or-later
# armhf: ARMv7-A, VFPv3-D16, Thumb-2, hard-float EABI (Debian's armhf baseline). Does NOT
# run on ARMv6 (Raspberry Pi Zero/1): use armel there.
TC_GNU     = arm-linux-gnueabihf
TC_PKGS    = gcc-arm-linux-gnueabihf
TC_MUSL    = src:arm-linux-musleabihf
TC_MUSL_DEB = armhf:arm-linux-musleabihf
TC_QEMU    = qemu-arm -cpu cortex-a7
TC_CFLAGS  =
TC_LDFLAGS =
TC_MUSL_CFLAGS = -fno-pie
TC_LP64    = 0
