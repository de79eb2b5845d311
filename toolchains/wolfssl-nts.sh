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
#
# The wolfSSL 5.5.4 release (WOLFSSL_SRC, the packaging recipes' download) lacks two fixes
# Debian 12 applies to the TLS code: packaging/wolfssl-patches/ (CVE-2023-3724 in tls.c and
# tls13.c, CVE-2025-7394 in ssl.c). Each one the tree lacks is applied to a copy of the
# files it touches, here, so that the tree given is left as it is; Debian's tree has them.
# A patch that neither applies nor is already there stops the build.
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

patches=$(dirname "$here")/packaging/wolfssl-patches
if [ -n "${WOLFSSL_SRC:-}" ]; then
    src=$WOLFSSL_SRC
    for f in wolfssl/version.h $TLS_FILES; do
        case $f in */*) ;; *) f=src/$f.c ;; esac
        [ -f "$src/$f" ] || {
            echo "wolfssl-nts.sh: WOLFSSL_SRC=$src is not an unpacked wolfSSL source tree: no $f" >&2
            exit 1
        }
    done
    from="WOLFSSL_SRC=$src, $(sed -n 's/^#define LIBWOLFSSL_VERSION_STRING "\(.*\)"/wolfSSL \1/p' "$src/wolfssl/version.h")"
else
    src=$("$here/sysroot.sh" source wolfssl)
    from=$(grep '\.dsc$' "$src/.unpacked")
fi
tmp=$prefix.tmp
rm -rf "$tmp"
mkdir -p "$tmp/include/wolfssl/wolfcrypt" "$tmp/include/wolfssl/openssl" "$tmp/lib" "$tmp/obj"
# The files a patch changes, patched, in $tmp/patched (the same paths as in the tree).
for p in "$patches"/*.patch; do
    name=${p##*/}
    if patch -p1 -d "$src" -R -f -s --dry-run <"$p" >/dev/null 2>&1; then
        from="$from, has ${name%.patch}"
        continue
    fi
    while read -r f; do
        [ -f "$tmp/patched/$f" ] || install -D -m 644 "$src/$f" "$tmp/patched/$f"
    done < <(sed -n 's|^+++ b/\([^[:space:]]*\).*|\1|p' "$p")
    patch -p1 -d "$tmp/patched" -f -s --no-backup-if-mismatch <"$p" >/dev/null 2>&1 || {
        echo "wolfssl-nts.sh: $name: neither applies to $src nor is applied there" >&2
        exit 1
    }
    from="$from, patched ${name%.patch}"
done
cp "$src"/wolfssl/*.h "$tmp/include/wolfssl/"
cp "$src"/wolfssl/openssl/*.h "$tmp/include/wolfssl/openssl/"
cp "$src"/wolfssl/wolfcrypt/*.h "$tmp/include/wolfssl/wolfcrypt/"
cp "$src"/wolfssl/options.h.in "$tmp/include/wolfssl/options.h" 2>/dev/null || : >"$tmp/include/wolfssl/options.h"
cp "$here/wolfssl-nts-settings.h" "$tmp/include/user_settings.h"
objs=()
for f in $TLS_FILES; do objs+=("src/$f"); done
for f in $WC_FILES; do objs+=("wolfcrypt/src/$f"); done
for f in "${objs[@]}"; do
    c=$src/$f.c
    [ ! -f "$tmp/patched/$f.c" ] || c=$tmp/patched/$f.c
    # shellcheck disable=SC2086 # CC and WC_CFLAGS are word lists
    $CC $WC_CFLAGS -DWOLFSSL_USER_SETTINGS -I"$tmp/include" -I"$src" \
        -c -o "$tmp/obj/${f//\//_}.o" "$c"
done
rm -f "$tmp/lib/libwolfssl.a"
"$AR" rcs "$tmp/lib/libwolfssl.a" "$tmp"/obj/*.o
rm -rf "$tmp/obj" "$tmp/patched" "$prefix"
mv "$tmp" "$prefix"
echo "wolfssl-nts.sh: $prefix ($from; $TLS_FILES $WC_FILES)" >&2
