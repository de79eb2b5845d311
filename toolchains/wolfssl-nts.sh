#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# toolchains/wolfssl-nts.sh PREFIX: wolfSSL for `make NTS=1` (a TLS 1.3 client, AES-SIV,
# and what mac.c needs) from Debian 12's wolfssl source package, built with $CC into
# PREFIX/lib/libwolfssl.a, its headers in PREFIX/include (user_settings.h =
# toolchains/wolfssl-nts-settings.h, the whole configuration). Nothing is installed
# outside PREFIX.
#
# Environment (the Makefile sets it): CC, AR, WC_CFLAGS as for toolchains/wolfcrypt.sh,
# which this follows (WOLFSSL_USER_SETTINGS, the needed .c files compiled directly, no
# autotools; the source from sysroot.sh, or WOLFSSL_SRC=DIR).
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
[ $# -eq 1 ] || { echo "usage: $0 PREFIX" >&2; exit 2; }
prefix=$1
: "${CC:?CC is not set}" "${AR:?AR is not set}"
WC_CFLAGS=${WC_CFLAGS:--Os}

# The TLS 1.3 client (src/) and the wolfCrypt files it and mac.c need.
TLS_FILES="ssl internal tls tls13 keys wolfio"
WC_FILES="aes cmac md5 sha sha256 sha512 hmac hash kdf random sp_int wolfmath ecc curve25519
    fe_low_mem rsa asn coding signature memory wc_port error logging misc"

src=${WOLFSSL_SRC:-$("$here/sysroot.sh" source wolfssl)}
tmp=$prefix.tmp
rm -rf "$tmp"
mkdir -p "$tmp/include/wolfssl/wolfcrypt" "$tmp/include/wolfssl/openssl" "$tmp/lib" "$tmp/obj"
cp "$src"/wolfssl/*.h "$tmp/include/wolfssl/"
cp "$src"/wolfssl/openssl/*.h "$tmp/include/wolfssl/openssl/"
cp "$src"/wolfssl/wolfcrypt/*.h "$tmp/include/wolfssl/wolfcrypt/"
cp "$src"/wolfssl/options.h.in "$tmp/include/wolfssl/options.h" 2>/dev/null || : >"$tmp/include/wolfssl/options.h"
cp "$here/wolfssl-nts-settings.h" "$tmp/include/user_settings.h"
objs=()
for f in $TLS_FILES; do objs+=("src/$f"); done
for f in $WC_FILES; do objs+=("wolfcrypt/src/$f"); done
for f in "${objs[@]}"; do
    # shellcheck disable=SC2086 # CC and WC_CFLAGS are word lists
    $CC $WC_CFLAGS -DWOLFSSL_USER_SETTINGS -I"$tmp/include" -I"$src" \
        -c -o "$tmp/obj/${f//\//_}.o" "$src/$f.c"
done
rm -f "$tmp/lib/libwolfssl.a"
"$AR" rcs "$tmp/lib/libwolfssl.a" "$tmp"/obj/*.o
rm -rf "$tmp/obj" "$prefix"
mv "$tmp" "$prefix"
echo "wolfssl-nts.sh: $prefix ($(grep '\.dsc$' "$src/.unpacked"), $TLS_FILES $WC_FILES)" >&2
