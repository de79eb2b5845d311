#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# toolchains/wolfcrypt.sh PREFIX: wolfSSL's wolfCrypt (MD5, SHA-1, AES, CMAC) from Debian
# 12's wolfssl source package, built with $CC into PREFIX/lib/libwolfcrypt.a, its headers in
# PREFIX/include (user_settings.h = toolchains/wolfcrypt-settings.h, the whole
# configuration). Nothing is installed outside PREFIX.
#
# Environment (the Makefile sets it): CC (a compiler command, e.g. musl-gcc or
# "arm-linux-gnueabihf-gcc -specs ..."), AR, WC_CFLAGS (optimization, PIC or not), and
# WOLFSSL_SRC: an unpacked wolfSSL source tree to take the files from (a build system's own
# download of the upstream release, see packaging/README), or empty for Debian's source.
#
# wolfSSL's own embedded route (WOLFSSL_USER_SETTINGS, the needed .c files compiled
# directly) rather than its autotools configure: Debian's source has no generated
# configure (autoreconf would need autoconf, automake and libtool), and a cross configure
# per target costs more than compiling the five files. By default the source comes through
# sysroot.sh's private apt state (deb-src), as musl's does.
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
[ $# -eq 1 ] || { echo "usage: $0 PREFIX" >&2; exit 2; }
prefix=$1
: "${CC:?CC is not set}" "${AR:?AR is not set}"
WC_CFLAGS=${WC_CFLAGS:--Os}

# The wolfCrypt files that MD5, SHA-1 and AES-CMAC need (misc.c: NO_INLINE).
FILES="md5 sha aes cmac misc"

# What is taken from the tree, checked before anything is built: a tree that lacks a
# file is refused in one line rather than by the compiler's first error.
NEED="wolfssl/version.h wolfssl/wolfcrypt/settings.h"
for f in $FILES; do NEED="$NEED wolfcrypt/src/$f.c"; done

if [ -n "${WOLFSSL_SRC:-}" ]; then
    src=$WOLFSSL_SRC
    [ -d "$src" ] || { echo "wolfcrypt.sh: WOLFSSL_SRC=$src: no such directory" >&2; exit 1; }
    missing=()
    for f in $NEED; do [ -f "$src/$f" ] || missing+=("$f"); done
    [ ${#missing[@]} -eq 0 ] || {
        echo "wolfcrypt.sh: WOLFSSL_SRC=$src is not an unpacked wolfSSL source tree: no ${missing[*]}" >&2
        exit 1
    }
    from="WOLFSSL_SRC=$src, $(sed -n 's/^#define LIBWOLFSSL_VERSION_STRING "\(.*\)"/wolfSSL \1/p' "$src/wolfssl/version.h")"
else
    src=$("$here/sysroot.sh" source wolfssl)
    from=$(grep '\.dsc$' "$src/.unpacked")
fi
tmp=$prefix.tmp
rm -rf "$tmp"
mkdir -p "$tmp/include/wolfssl/wolfcrypt" "$tmp/lib" "$tmp/obj"
cp "$src"/wolfssl/wolfcrypt/*.h "$tmp/include/wolfssl/wolfcrypt/"
cp "$src"/wolfssl/options.h.in "$tmp/include/wolfssl/options.h" 2>/dev/null || : >"$tmp/include/wolfssl/options.h"
cp "$src"/wolfssl/version.h "$tmp/include/wolfssl/"
cp "$here/wolfcrypt-settings.h" "$tmp/include/user_settings.h"
objs=()
for f in $FILES; do
    # shellcheck disable=SC2086 # CC and WC_CFLAGS are word lists
    $CC $WC_CFLAGS -DWOLFSSL_USER_SETTINGS -I"$tmp/include" -I"$src" \
        -c -o "$tmp/obj/$f.o" "$src/wolfcrypt/src/$f.c"
    objs+=("$tmp/obj/$f.o")
done
rm -f "$tmp/lib/libwolfcrypt.a"
"$AR" rcs "$tmp/lib/libwolfcrypt.a" "${objs[@]}"
rm -rf "$tmp/obj" "$prefix"
mv "$tmp" "$prefix"
echo "wolfcrypt.sh: $prefix ($from, $FILES)" >&2
