# SPDX-License-Identifier: GPL-2.0-or-later
# arm64: ARMv8-A (Cortex-A53, the oldest core Debian's arm64 runs on).
TC_GNU     = aarch64-linux-gnu
TC_PKGS    = gcc-aarch64-linux-gnu
TC_MUSL    = src:aarch64-linux-musl
TC_MUSL_DEB = arm64:aarch64-linux-musl
TC_QEMU    = qemu-aarch64 -cpu cortex-a53
TC_CFLAGS  =
# GNU ld aligns segments to 64 KiB on aarch64, which pads the file by up to 60 KB. Every
# common arm64 board kernel uses 4 KiB pages; drop this for a 16K/64K-page kernel.
TC_LDFLAGS = -Wl,-z,max-page-size=4096
TC_MUSL_CFLAGS = -fno-pie
TC_LP64    = 1
