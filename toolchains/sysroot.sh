#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# toolchains/sysroot.sh: what the cross builds need, from Debian 12 packages only, without
# adding foreign architectures to the machine (no `dpkg --add-architecture`).
#
#   sysroot.sh pkgs PKG...     install the Debian packages that are missing (amd64 ones:
#                              cross compilers, qemu-user, ...) with the system's apt-get
#   sysroot.sh sysroot ARCH DIR  make DIR (build/cross/sysroot-ARCH): musl's headers, crt*.o
#                              and libc.a plus a musl-gcc.specs for Debian's GCC cross compiler
#   sysroot.sh source PKG      unpack Debian's source package PKG (with Debian's patches) into
#                              build/cross/src/PKG and print that directory
#   sysroot.sh orig PKG        download the upstream tarball of Debian's source package PKG
#                              (as Debian took it from upstream, unpatched) into
#                              build/cross/src/PKG.orig and print its path
#   sysroot.sh deb PKG:ARCH DIR  download the binary package PKG of Debian architecture ARCH
#                              and unpack it into DIR (never installed; tests/vm/prepare.sh:
#                              a kernel and busybox-static for the emulated boards)
#   sysroot.sh depends PKG:ARCH  print `apt-cache depends` of it (which kernel a
#                              metapackage names)
#
# `sysroot` reads from the environment (the Makefile sets them from toolchains/ARCH.mk):
#   TC_GNU    GNU triple of Debian's cross gcc, e.g. arm-linux-gnueabihf
#   TC_MUSL   src:MUSLTARGET          musl built from Debian's musl source package, with
#                                     --enable-optimize=size and CFLAGS=$TC_MUSL_CFLAGS
#             deb:DEBARCH:MUSLTRIPLE  Debian's musl-dev:DEBARCH (and musl:DEBARCH),
#                                     downloaded and unpacked
#   TC_PKGS   the amd64 packages that toolchain needs (installed first)
#
# Foreign .debs and source packages come through a private apt state in build/cross/apt/
# (its own sources.list, lists, cache and an empty dpkg status): the machine's apt
# configuration, package database and `apt-get update` are left alone. Files are checked
# by apt against Debian's signed indexes. Runs as root without stdin (CI); idempotent.
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
root=$(dirname "$here")
CROSS=$root/build/cross
A=$CROSS/apt
MIRROR=${NTPSYNC_DEBIAN_MIRROR:-http://deb.debian.org/debian}
SUITE=${NTPSYNC_DEBIAN_SUITE:-bookworm}
KEYRING=/usr/share/keyrings/debian-archive-keyring.gpg
export DEBIAN_FRONTEND=noninteractive

say() { echo "sysroot.sh: $*" >&2; }
die() { say "$*"; exit 1; }

log=$(mktemp)
trap 'rm -f "$log"' EXIT
quiet() { # CMD...: run quietly, show its output only if it fails
    if ! "$@" >"$log" 2>&1; then
        cat "$log" >&2
        say "failed: $*"
        return 1
    fi
}

# --- packages of the machine (amd64) --------------------------------------------------

pkgs() {
    local p missing=()
    for p in "$@"; do
        dpkg-query -W -f='${Status}\n' "$p" 2>/dev/null | grep -q '^install ok installed' ||
            missing+=("$p")
    done
    [ ${#missing[@]} -eq 0 ] && return 0
    [ "$(id -u)" = 0 ] || die "missing Debian packages: ${missing[*]} (run as root, or apt-get install them)"
    say "installing ${missing[*]}"
    # An `apt-get update` that fails (a mirror mid-sync) must not stop an install that
    # the existing lists can satisfy.
    quiet apt-get -q -y -o DPkg::Lock::Timeout=300 update || say "apt-get update failed; trying the install anyway"
    quiet apt-get -q -y -o DPkg::Lock::Timeout=300 install --no-install-recommends "${missing[@]}"
}

# --- the private apt state --------------------------------------------------------------

# Every Debian architecture some toolchains/*.mk takes musl-dev from.
deb_arches() {
    sed -n 's/^TC_MUSL_DEB *= *\([a-z0-9]*\):.*/\1/p' "$here"/*.mk | sort -u
}

xapt_opts() { # sets opts
    local arch
    opts=(-q -o "Dir::Etc::SourceList=$A/sources.list" -o Dir::Etc::SourceParts=/dev/null
        -o Dir::Etc::Preferences=/dev/null -o Dir::Etc::PreferencesParts=/dev/null
        -o "Dir::State::Lists=$A/lists" -o "Dir::State::Status=$A/status"
        -o "Dir::State::extended_states=$A/extended_states" -o "Dir::Cache=$A/cache"
        -o APT::Sandbox::User=root -o Acquire::Languages=none -o Acquire::Retries=3
        -o APT::Architecture=amd64 -o APT::Architectures::=amd64)
    for arch in $(deb_arches); do opts+=(-o "APT::Architectures::=$arch"); done
}

xapt() {
    local opts
    xapt_opts
    apt-get "${opts[@]}" "$@"
}

xapt_init() {
    mkdir -p "$A/lists/partial" "$A/cache/archives/partial"
    : >>"$A/status"
    printf 'deb [signed-by=%s] %s %s main\ndeb-src [signed-by=%s] %s %s main\n' \
        "$KEYRING" "$MIRROR" "$SUITE" "$KEYRING" "$MIRROR" "$SUITE" >"$A/sources.list.new"
    if ! cmp -s "$A/sources.list.new" "$A/sources.list"; then
        mv "$A/sources.list.new" "$A/sources.list"
        rm -f "$A/lists/"*_Packages* "$A/lists/"*_Sources* "$A/updated"
    fi
    rm -f "$A/sources.list.new"
    # A new architecture in toolchains/*.mk needs its Packages index.
    deb_arches >"$A/arches.new"
    if ! cmp -s "$A/arches.new" "$A/arches"; then rm -f "$A/updated"; fi
    mv "$A/arches.new" "$A/arches"
}

xapt_update() { # [force]
    if [ -n "${1:-}" ] || [ ! -e "$A/updated" ]; then
        say "updating the private package lists (build/cross/apt)"
        quiet xapt update
        touch "$A/updated"
    fi
}

# xapt_get download|source ARGS...: with the lists refreshed once if it fails (a package
# superseded on the mirror since the last update).
xapt_get() {
    xapt_update
    if ! quiet xapt -y "$@"; then
        xapt_update force
        quiet xapt -y "$@"
    fi
}

# Everything that uses the private state holds this lock (make -j may run several).
with_lock() {
    mkdir -p "$A"
    exec 9>"$A/.lock"
    flock 9
    xapt_init
}

# --- musl ---------------------------------------------------------------------------------

# musl-gcc.specs as musl's tools/musl-gcc.specs.sh writes it, for a sysroot SR.
write_specs() { # SR LDSO
    local sr=$1 ldso=$2
    cat <<EOF
%rename cpp_options old_cpp_options

*cpp_options:
-nostdinc -isystem $sr/include -isystem include%s %(old_cpp_options)

*cc1:
%(cc1_cpu) -nostdinc -isystem $sr/include -isystem include%s

*link_libgcc:
-L$sr/lib -L .%s

*libgcc:
libgcc.a%s %:if-exists(libgcc_eh.a%s)

*startfile:
%{!shared: $sr/lib/Scrt1.o} $sr/lib/crti.o crtbeginS.o%s

*endfile:
crtendS.o%s $sr/lib/crtn.o

*link:
-dynamic-linker $ldso -nostdlib %{shared:-shared} %{static:-static} %{rdynamic:-export-dynamic}

*esp_link:


*esp_options:


*esp_cpp_options:


EOF
}

sysroot_from_deb() { # ARCH DEBARCH MUSLTRIPLE SR
    local arch=$1 debarch=$2 triple=$3 sr=$4 dl=$CROSS/dl/$2 deb
    rm -rf "$dl" "$sr.tmp"
    mkdir -p "$dl" "$sr.tmp"
    # musl (libc.so and the loader) too, for dynamic links such as the packaging checks.
    (cd "$dl" && xapt_get download "musl-dev:$debarch" "musl:$debarch")
    for deb in "$dl"/*.deb; do dpkg-deb -x "$deb" "$sr.tmp/root"; done
    [ -e "$sr.tmp/root/usr/lib/$triple/libc.a" ] || die "musl-dev:$debarch has no usr/lib/$triple/libc.a"
    # Absolute symlinks (the loader) would point into the machine's own /usr: make them
    # relative so that `qemu-ARCH -L SYSROOT/root` finds them.
    find "$sr.tmp/root" -type l -lname '/*' | while read -r l; do
        ln -sfn "$(realpath -m --relative-to="$(dirname "$l")" "$sr.tmp/root$(readlink "$l")")" "$l"
    done
    # libc.so beside libc.a, where the linker looks for -lc in a dynamic link.
    if [ -e "$sr.tmp/root/lib/$triple/libc.so" ] && [ ! -e "$sr.tmp/root/usr/lib/$triple/libc.so" ]; then
        ln -s "../../../lib/$triple/libc.so" "$sr.tmp/root/usr/lib/$triple/libc.so"
    fi
    ln -s "root/usr/include/$triple" "$sr.tmp/include"
    ln -s "root/usr/lib/$triple" "$sr.tmp/lib"
    cp "$dl"/*.deb "$sr.tmp/"
}

sysroot_from_source() { # ARCH MUSLTARGET SR
    local arch=$1 target=$2 sr=$3 src bld=$CROSS/musl-build-$1 jobs
    src=$(source_pkg musl)
    jobs=$(nproc 2>/dev/null || echo 2)
    rm -rf "$bld" "$sr.tmp"
    mkdir -p "$bld"
    say "building musl for $target from Debian's source package (about 40 s)"
    # -Os for all of it (musl's default compiles malloc and the string functions with -O2);
    # musl adds -ffunction-sections -fdata-sections itself.
    (cd "$bld" && quiet "$src/configure" --target="$target" --prefix=/ --disable-shared \
        --enable-optimize=size CC="$TC_GNU-gcc" AR="$TC_GNU-ar" RANLIB="$TC_GNU-ranlib" \
        CFLAGS="${TC_MUSL_CFLAGS:-}")
    quiet make -C "$bld" -j"$jobs"
    quiet make -C "$bld" DESTDIR="$sr.tmp" install
    [ -e "$sr.tmp/lib/libc.a" ] || die "musl build for $target installed no lib/libc.a"
    rm -rf "$bld"
}

sysroot() { # ARCH DIR
    local arch=$1 sr=$2 kind ldso l
    if [ -z "${TC_GNU:-}" ] || [ -z "${TC_MUSL:-}" ]; then
        die "TC_GNU and TC_MUSL are not set: run it through 'make TARGET=$arch'"
    fi
    # shellcheck disable=SC2086 # a list of packages
    pkgs ${TC_PKGS:-} dpkg-dev
    command -v "$TC_GNU-gcc" >/dev/null || die "$TC_GNU-gcc not found after installing ${TC_PKGS:-}"
    with_lock
    kind=${TC_MUSL%%:*}
    case $kind in
    deb) IFS=: read -r _ debarch triple <<<"$TC_MUSL"
         sysroot_from_deb "$arch" "$debarch" "$triple" "$sr" ;;
    src) sysroot_from_source "$arch" "${TC_MUSL#src:}" "$sr" ;;
    *) die "TC_MUSL=$TC_MUSL: expected deb:DEBARCH:TRIPLE or src:TARGET" ;;
    esac
    # The loader's name only matters to dynamic links (the packaging checks); musl names
    # it after its own architecture name, which for the from-source targets is ours.
    ldso=/lib/ld-musl-$arch.so.1
    for l in "$sr.tmp"/root/lib/ld-musl-*.so.1; do
        [ -e "$l" ] && ldso=/lib/${l##*/}
    done
    write_specs "$sr" "$ldso" >"$sr.tmp/musl-gcc.specs"
    rm -rf "$sr"
    mv "$sr.tmp" "$sr"
    # The specs name the final path: rewrite them now that it is there.
    write_specs "$sr" "$ldso" >"$sr/musl-gcc.specs"
    say "$sr ready ($TC_MUSL)"
}

# --- Debian source packages ---------------------------------------------------------------

# Prints build/cross/src/PKG, a directory holding the unpacked, patched source.
source_pkg() { # PKG
    local pkg=$1 dir=$CROSS/src/$1 tmp
    if [ ! -e "$dir/.unpacked" ]; then
        pkgs dpkg-dev >&2
        tmp=$CROSS/src/$pkg.tmp
        rm -rf "$tmp" "$dir"
        mkdir -p "$tmp"
        (cd "$tmp" && xapt_get source --download-only "$pkg")
        (cd "$tmp" && quiet dpkg-source --no-check -x ./*.dsc src)
        mv "$tmp/src" "$dir"
        ls "$tmp" >"$dir/.unpacked"
        rm -rf "$tmp"
        say "$pkg source in $dir ($(grep '\.dsc$' "$dir/.unpacked"))"
    fi
    echo "$dir"
}

orig_pkg() { # PKG
    local dir=$CROSS/src/$1.orig f
    if ! compgen -G "$dir/*.orig.tar.*" >/dev/null; then
        rm -rf "$dir" "$dir.tmp"
        mkdir -p "$dir.tmp"
        (cd "$dir.tmp" && xapt_get source --download-only "$1")
        mkdir -p "$dir"
        mv "$dir.tmp"/*.orig.tar.* "$dir/"
        rm -rf "$dir.tmp"
    fi
    for f in "$dir"/*.orig.tar.*; do
        case $f in *.asc) ;; *) echo "$f" ;; esac
    done
}

# --- Debian binary packages of other architectures ----------------------------------------

deb_pkg() { # PKG:ARCH DIR
    local tmp=$CROSS/deb.tmp
    rm -rf "$tmp" "$2"
    mkdir -p "$tmp" "$2"
    (cd "$tmp" && xapt_get download "$1")
    quiet dpkg-deb -x "$tmp"/*.deb "$2"
    rm -rf "$tmp"
}

depends_pkg() { # PKG:ARCH
    local opts
    xapt_opts
    xapt_update
    apt-cache "${opts[@]}" depends "$1"
}

cmd=${1:-}
[ $# -gt 0 ] && shift
case $cmd in
pkgs) pkgs "$@" ;;
sysroot) [ $# -eq 2 ] || die "usage: $0 sysroot ARCH DIR"; sysroot "$1" "$2" ;;
source) [ $# -eq 1 ] || die "usage: $0 source PKG"; with_lock; source_pkg "$1" ;;
orig) [ $# -eq 1 ] || die "usage: $0 orig PKG"; with_lock; orig_pkg "$1" ;;
deb) [ $# -eq 2 ] || die "usage: $0 deb PKG:ARCH DIR"; with_lock; deb_pkg "$1" "$2" ;;
depends) [ $# -eq 1 ] || die "usage: $0 depends PKG:ARCH"; with_lock; depends_pkg "$1" ;;
*) sed -n '3,/^set -euo/p' "$0" | sed '$d' >&2; exit 2 ;;
esac
