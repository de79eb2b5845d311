# SPDX-License-Identifier: GPL-2.0-or-later
# shellcheck shell=bash
# tests/buildroot-real.sh, sourced by tests/check-targets.sh: packaging/buildroot built by
# a real Buildroot tree (BR_TREE, unpacked from ../shared/buildroot/), offline, for armhf
# with an external toolchain, the two ways issue 14 found its faults with:
#   glibc        Debian's arm-linux-gnueabihf gcc 12 and glibc 2.36, dynamic,
#                BR2_INIT_SYSTEMD; the sources fetched by ntpsync.mk's git method (from
#                this checkout, at its HEAD commit); then `make ntpsync-legal-info`, and
#                a wolfSSL download that is not the release refused by ntpsync.hash
#   musl-static  the same gcc with Debian's musl 1.2.3 for armhf, BR2_STATIC_LIBS,
#                BR2_PACKAGE_NTPSYNC_NTS, BR2_INIT_BUSYBOX, BR2_REPRODUCIBLE; the sources
#                from NTPSYNC_OVERRIDE_SRCDIR in local.mk (packaging/README's way), then
#                changed there and `make ntpsync-rebuild`
# Each `make ntpsync` runs the toolchain's steps, then ntpsync's download, extract, build
# and install as Buildroot runs them; the installed binary runs under qemu-arm (-V, -a,
# -N, a query of chronyd), and the man page and contrib/ files of the init system are
# checked.
#
# br_prepare (outside the sandbox: it installs packages) makes the toolchains;
# br_real (inside it: Buildroot gets no network, so nothing can be downloaded) builds
# and checks. The caller runs in the checkout and gives BR_TREE, BR_OUT, PKG_WOLFSSL_TAR
# (Debian's wolfssl_5.5.4.orig.tar.gz: the release the package downloads), QEMU,
# NTS_ADDR (chronyd), CLOCK_H_DATE, pass, fail, expect_query and the pkg_* checks of the
# recipes.
#
# What a Debian 12 host without internet needs (../shared/buildroot/README.md):
# - Buildroot refuses a distribution's cross gcc ("non-relocatable", --with-sysroot=/):
#   such a gcc mixes its build machine's target libraries into every link. br_prepare
#   copies the gcc (hard links) into one directory with a sysroot of its own holding
#   only the C library, and a gcc script that always passes --sysroot=that and, for
#   Buildroot's check alone (`gcc -v`), reports that sysroot in place of "/". The
#   copied gcc finds its cc1 and as relative to itself, and its directory has no
#   usr/arm-linux-gnueabihf/lib: no library outside the sysroot reaches a link.
# - Buildroot wants tar >= 1.35 and would build host-tar, whose source cannot be
#   downloaded: `make TAR=` a script that runs Debian's 1.34 and reports 1.35. (The
#   archive Buildroot makes of ntpsync's git download may then differ from a 1.35 one;
#   it has no fixed hash anyway, see packaging/README.)
# - A musl external toolchain selects BR2_PACKAGE_MUSL_COMPAT_HEADERS, which downloads
#   NetBSD's sys/queue.h: local.mk gives it a directory instead
#   (MUSL_COMPAT_HEADERS_OVERRIDE_SRCDIR, and a MUSL_COMPAT_HEADERS_SITE, which an
#   overridden package with a _SOURCE must have) with glibc's BSD queue.h.
# - glibc 2.36 has no RPC (BR2_TOOLCHAIN_EXTERNAL_INET_RPC off); Debian's gcc has
#   libgomp and SSP (BR2_TOOLCHAIN_EXTERNAL_OPENMP, _HAS_SSP), the musl copy no
#   usable libgomp (its libgomp is glibc's).

BR_ARCH_TRIPLE=arm-linux-gnueabihf

# The Debian packages the toolchains and Buildroot's host checks need.
br_packages() {
    toolchains/sysroot.sh pkgs gcc-$BR_ARCH_TRIPLE libc6-dev-armhf-cross linux-libc-dev-armhf-cross \
        g++ make patch gzip bzip2 xz-utils perl cpio unzip rsync bc file wget findutils diffutils
}

# DIR [FLAG...]: Debian's cross gcc and binutils, copied (hard links where the file
# system allows) into DIR/usr, with DIR/bin/TRIPLE-* the commands Buildroot calls; gcc
# gets FLAG... (after the sysroot) on every call.
br_copy_gcc() {
    local dir=$1 f n flags
    local gccdir=usr/lib/gcc-cross/$BR_ARCH_TRIPLE/12
    shift
    rm -rf "$dir"
    mkdir -p "$dir/usr/bin" "$dir/${gccdir%/*}" "$dir/usr/$BR_ARCH_TRIPLE" "$dir/bin"
    cp -al /usr/bin/$BR_ARCH_TRIPLE-* "$dir/usr/bin/" 2>/dev/null || cp -a /usr/bin/$BR_ARCH_TRIPLE-* "$dir/usr/bin/"
    cp -al "/$gccdir" "$dir/$gccdir" 2>/dev/null || cp -a "/$gccdir" "$dir/$gccdir"
    cp -a "/usr/$BR_ARCH_TRIPLE/bin" "$dir/usr/$BR_ARCH_TRIPLE/bin"
    for f in "$dir/usr/bin/$BR_ARCH_TRIPLE"-*; do
        n=${f##*/}
        case $n in
        *-gcc | *-gcc-12 | *-cpp | *-cpp-12)
            # The compiler: always this sysroot (a later --sysroot, Buildroot's, wins).
            flags=
            case $n in *-gcc | *-gcc-12) flags=" $*" ;; esac
            cat >"$dir/bin/$n" <<EOF
#!/bin/sh
# Debian's cross $n with the sysroot $dir/sysroot (tests/buildroot-real.sh).
if [ "\$#" = 1 ] && [ "\$1" = -v ]; then
    "$f" -v 2>&1 | sed 's| --with-sysroot=/ | --with-sysroot=$dir/sysroot |' >&2
    exit 0
fi
exec "$f" --sysroot="$dir/sysroot"$flags "\$@"
EOF
            chmod 755 "$dir/bin/$n"
            ;;
        *) ln -s "../usr/bin/$n" "$dir/bin/$n" ;;
        esac
    done
}

# DIR: the glibc toolchain. The sysroot as Buildroot expects one: the shared
# libraries in lib/, everything for linking in usr/lib/ (Debian's linker scripts
# rewritten to name them there), the headers in usr/include.
br_toolchain_glibc() {
    local dir=$1 f src=/usr/$BR_ARCH_TRIPLE
    br_copy_gcc "$dir"
    mkdir -p "$dir/sysroot/lib" "$dir/sysroot/usr"
    cp -al "$src/lib" "$dir/sysroot/usr/lib" 2>/dev/null || cp -a "$src/lib" "$dir/sysroot/usr/lib"
    cp -al "$src/include" "$dir/sysroot/usr/include" 2>/dev/null || cp -a "$src/include" "$dir/sysroot/usr/include"
    for f in "$dir"/sysroot/usr/lib/*; do
        case $f in
        *.so.*) ln "$f" "$dir/sysroot/lib/" 2>/dev/null || cp -a "$f" "$dir/sysroot/lib/" ;;
        *.so)
            if grep -q 'GNU ld script' "$f" 2>/dev/null; then
                sed "s|$src/lib/|/usr/lib/|g" "$f" >"$f.new" && rm -f "$f" && mv "$f.new" "$f"
            fi
            ;;
        esac
    done
}

# DIR MUSL_SYSROOT: the musl toolchain: Debian's musl-dev for armhf (MUSL_SYSROOT, made
# by `make TARGET=armhf MUSL_FROM=deb sysroot`) and the kernel's headers from Debian's
# linux-libc-dev-armhf-cross (Buildroot reads their version). gcc links libgcc
# statically (its libgcc_s.so.1 is glibc's) and names musl's dynamic linker, as musl's
# own musl-gcc does; what Buildroot builds with it is static (BR2_STATIC_LIBS).
br_toolchain_musl() {
    local dir=$1 musl=$2 h
    br_copy_gcc "$dir" -static-libgcc -Wl,--dynamic-linker=/lib/ld-musl-armhf.so.1
    mkdir -p "$dir/sysroot/usr/include" "$dir/sysroot/usr/lib"
    cp -a "$musl/include/." "$dir/sysroot/usr/include/"
    cp -a "$musl/lib/." "$dir/sysroot/usr/lib/"
    rm -f "$dir/sysroot/usr/lib/musl-gcc.specs"
    for h in $(dpkg -L linux-libc-dev-armhf-cross | sed -n "s|^/usr/$BR_ARCH_TRIPLE/include/\([^/]*\)$|\1|p"); do
        if [ -d "/usr/$BR_ARCH_TRIPLE/include/$h" ]; then
            cp -a "/usr/$BR_ARCH_TRIPLE/include/$h" "$dir/sysroot/usr/include/" || return 1
        fi
    done
}

# OUT MUSL_SYSROOT: both toolchains and the tar that reports 1.35, under OUT.
br_prepare() {
    local out=$1 musl=$2
    br_packages || return 1
    mkdir -p "$out/hostbin"
    cat >"$out/hostbin/tar" <<'EOF'
#!/bin/sh
# Debian 12's tar 1.34, reported as 1.35 to Buildroot (tests/buildroot-real.sh).
if [ "$1" = --version ]; then
    /bin/tar --version | sed '1s/ 1\.34$/ 1.35/'
    exit 0
fi
exec /bin/tar "$@"
EOF
    chmod 755 "$out/hostbin/tar"
    br_toolchain_glibc "$out/tc-glibc" && br_toolchain_musl "$out/tc-musl" "$musl"
}

# OUT/NAME: a Buildroot output directory configured from the defconfig lines on stdin
# (and the lines every build shares: armhf, the toolchain TC, BR_DL).
br_config() { # NAME TC
    local o=$BR_OUT/$1
    rm -rf "$o"
    mkdir -p "$o"
    {
        cat <<EOC
BR2_arm=y
BR2_cortex_a8=y
BR2_ARM_EABIHF=y
BR2_ARM_FPU_VFPV3D16=y
BR2_DL_DIR="$BR_DL"
BR2_TOOLCHAIN_EXTERNAL=y
BR2_TOOLCHAIN_EXTERNAL_CUSTOM=y
BR2_TOOLCHAIN_EXTERNAL_PREINSTALLED=y
BR2_TOOLCHAIN_EXTERNAL_PATH="$BR_OUT/$2"
BR2_TOOLCHAIN_EXTERNAL_CUSTOM_PREFIX="$BR_ARCH_TRIPLE"
BR2_TOOLCHAIN_EXTERNAL_GCC_12=y
BR2_TOOLCHAIN_EXTERNAL_HEADERS_6_1=y
BR2_PACKAGE_NTPSYNC=y
EOC
        cat
    } >"$o/defconfig"
    make -C "$BR_TREE" O="$o" BR2_DEFCONFIG="$o/defconfig" defconfig >"$o/defconfig.log" 2>&1
}

# make in OUT/NAME with the tar of br_prepare; its output goes to OUT/NAME/LOG.
br_make() { # NAME LOG MAKE-ARG...
    local o=$BR_OUT/$1 log=$BR_OUT/$1/$2
    shift 2
    make -C "$o" TAR="$BR_OUT/hostbin/tar" "$@" >"$log" 2>&1
}

# What the package installed under OUT/NAME/target: the binary (built as the config
# says, running under qemu: -V, -a, -N and a query of chronyd), the man page, the boot
# and DHCP files of the init system, and the build date.
br_installed() { # NAME WHAT AUTH NTS INIT-FILES ABSENT LINKED DATE
    local o=$BR_OUT/$1 t=$BR_OUT/$1/target
    PKG_QEMU_ROOT=$t pkg_installed "buildroot ($1): make ntpsync, $2" "$t/usr/sbin/ntpsync" "$3" "$4" "$o/make.log"
    if file -b "$t/usr/sbin/ntpsync" | grep -q "ARM, EABI5.*$7.*, not stripped$"; then
        pass "buildroot ($1): /usr/sbin/ntpsync is $7, not stripped (Buildroot's target-finalize strips)"
    else
        fail "buildroot ($1): /usr/sbin/ntpsync" "want $7, not stripped: $(file -b "$t/usr/sbin/ntpsync")"
    fi
    if cmp -s "$t/usr/share/man/man8/ntpsync.8" ntpsync.8; then
        pass "buildroot ($1): /usr/share/man/man8/ntpsync.8 installed"
    else
        fail "buildroot ($1): the man page" "$t/usr/share/man/man8/ntpsync.8 missing or not ntpsync.8"
    fi
    pkg_files "buildroot ($1)" "$t" "usr/sbin/ntpsync-dhcp 755 dhcp/ntpsync-dhcp
etc/default/ntpsync 644 default/ntpsync
usr/share/udhcpc/default.script.d/ntpsync 755 dhcp/udhcpc-ntpsync
$5" "$6"
    expect_query "buildroot ($1): ntpsync -q (chronyd) under qemu" "$NTS_ADDR" 8 "$o/query.log" \
        "${QEMU[@]}" -L "$t" "$t/usr/sbin/ntpsync" -q "$NTS_ADDR"
    PKG_QEMU_ROOT=$t pkg_build_date "buildroot ($1)" "$t/usr/sbin/ntpsync" "$8"
}

br_real() {
    local o rev epoch date src
    if [ ! -x "$BR_TREE/utils/check-package" ] || [ ! -x "$BR_OUT/tc-musl/bin/$BR_ARCH_TRIPLE-gcc" ]; then
        fail "buildroot: a real build" "no Buildroot tree at $BR_TREE or no toolchains under $BR_OUT (br_prepare)"
        return
    fi
    # The package as the manual adds one: package/ntpsync/ and its Config.in sourced.
    rm -rf "$BR_TREE/package/ntpsync"
    cp -r packaging/buildroot "$BR_TREE/package/ntpsync"
    grep -q 'package/ntpsync/Config.in' "$BR_TREE/package/Config.in" ||
        sed -i '/source "package\/ntp\/Config.in"/a\	source "package/ntpsync/Config.in"' "$BR_TREE/package/Config.in"
    # What BR2_PACKAGE_NTPSYNC_AUTH downloads, already in BR2_DL_DIR as if fetched.
    BR_DL=$BR_OUT/dl
    rm -rf "$BR_DL"
    mkdir -p "$BR_DL/ntpsync"
    cp "$PKG_WOLFSSL_TAR" "$BR_DL/ntpsync/v5.5.4-stable.tar.gz"

    # glibc, dynamic, systemd; the sources as ntpsync.mk fetches them: its git site (here
    # this repository) at a commit (this one's HEAD: what is committed is built).
    rev=$(git rev-parse HEAD 2>/dev/null)
    src=(NTPSYNC_SITE="file://$PWD" NTPSYNC_VERSION="$rev")
    if [ -z "$rev" ]; then
        fail "buildroot (glibc)" "no git commit to build (not a git checkout)"
    elif ! br_config glibc tc-glibc <<'EOC'
BR2_TOOLCHAIN_EXTERNAL_CUSTOM_GLIBC=y
BR2_TOOLCHAIN_EXTERNAL_OPENMP=y
BR2_TOOLCHAIN_EXTERNAL_HAS_SSP=y
# BR2_TOOLCHAIN_EXTERNAL_INET_RPC is not set
BR2_INIT_SYSTEMD=y
EOC
    then
        fail "buildroot (glibc): defconfig" "$(tail -n 3 "$BR_OUT/glibc/defconfig.log" | tr '\n' '|')"
    elif ! br_make glibc make.log "${src[@]}" ntpsync; then
        fail "buildroot (glibc): make ntpsync" "$(tail -n 5 "$BR_OUT/glibc/make.log" | tr '\n' '|' | cut -c1-600)"
    else
        br_installed glibc "glibc 2.36 (Debian's gcc 12), BR2_INIT_SYSTEMD, git $rev" 1 0 \
            "usr/lib/systemd/system/ntpsync.service 644 systemd/ntpsync.service
usr/lib/systemd/system/ntpsync.timer 644 systemd/ntpsync.timer" etc/init.d \
            "dynamically linked, interpreter /lib/ld-linux-armhf.so.3" "$CLOCK_H_DATE"
        # legal-info: the licences, checked against ntpsync.hash.
        o=$BR_OUT/glibc
        if br_make glibc legal.log "${src[@]}" ntpsync-legal-info &&
            grep -q "^\"ntpsync\",\"$rev\",\"GPL-2.0+, GPL-2.0+ (wolfSSL)\",\"LICENSE wolfssl/COPYING wolfssl/LICENSING\"" \
                "$o/legal-info/manifest.csv" &&
            [ "$(grep -c ': OK (sha256: ' "$o/legal.log")" = 3 ] &&
            cmp -s LICENSE "$o/legal-info/licenses/ntpsync-$rev/LICENSE"; then
            pass "buildroot (glibc): make ntpsync-legal-info: GPL-2.0+, 3 licence files matching ntpsync.hash, sources saved"
        else
            fail "buildroot (glibc): make ntpsync-legal-info" "$(grep -h 'ntpsync\|OK\|ERROR' "$o/legal.log" "$o/legal-info/manifest.csv" 2>/dev/null | tr '\n' '|' | cut -c1-600)"
        fi
        # ntpsync.hash is really checked: a wolfSSL tarball that is not the release is
        # refused (downloaded again into another BR2_DL_DIR, after dirclean).
        br_make glibc dirclean.log "${src[@]}" ntpsync-dirclean
        mkdir -p "$BR_OUT/dl-bad/ntpsync"
        cp "$PKG_WOLFSSL_TAR" "$BR_OUT/dl-bad/ntpsync/v5.5.4-stable.tar.gz"
        echo >>"$BR_OUT/dl-bad/ntpsync/v5.5.4-stable.tar.gz"
        if ! BR2_DL_DIR=$BR_OUT/dl-bad br_make glibc badhash.log "${src[@]}" ntpsync-source &&
            grep -q 'v5.5.4-stable.tar.gz has wrong sha256 hash' "$o/badhash.log"; then
            pass "buildroot (glibc): a wolfSSL tarball that is not the release is refused: $(grep -m1 'wrong sha256' "$o/badhash.log")"
        else
            fail "buildroot (glibc): ntpsync.hash" "a changed wolfSSL tarball was not refused: $(tail -n 3 "$o/badhash.log" | tr '\n' '|')"
        fi
    fi

    # musl, static, NTS, busybox init, BR2_REPRODUCIBLE; the sources from a checkout
    # (NTPSYNC_OVERRIDE_SRCDIR in local.mk in the output directory, as packaging/README
    # says), then changed there and rebuilt with ntpsync-rebuild.
    o=$BR_OUT/musl-static
    if ! br_config musl-static tc-musl <<'EOC'
BR2_TOOLCHAIN_EXTERNAL_CUSTOM_MUSL=y
BR2_STATIC_LIBS=y
BR2_REPRODUCIBLE=y
BR2_INIT_BUSYBOX=y
BR2_PACKAGE_NTPSYNC_NTS=y
EOC
    then
        fail "buildroot (musl-static): defconfig" "$(tail -n 3 "$o/defconfig.log" | tr '\n' '|')"
        return
    fi
    pkg_src "$o/src/ntpsync"
    mkdir -p "$o/src/wolfssl" "$o/src/musl-compat-headers"
    tar -C "$o/src/wolfssl" --strip-components=1 -xzf "$PKG_WOLFSSL_TAR"
    # musl-compat-headers' sys/queue.h: the BSD one glibc has, beside Buildroot's cdefs.h.
    cp "/usr/$BR_ARCH_TRIPLE/include/sys/queue.h" "$BR_TREE/package/musl-compat-headers/cdefs.h" \
        "$o/src/musl-compat-headers/"
    cat >"$o/local.mk" <<EOL
NTPSYNC_OVERRIDE_SRCDIR = $o/src/ntpsync
NTPSYNC_WOLFSSL_SRC = $o/src/wolfssl
MUSL_COMPAT_HEADERS_OVERRIDE_SRCDIR = $o/src/musl-compat-headers
MUSL_COMPAT_HEADERS_SITE = file://$o/src/musl-compat-headers
EOL
    epoch=$(make -s --no-print-directory -C "$o" printvars VARS=SOURCE_DATE_EPOCH 2>/dev/null |
        sed -n 's/^SOURCE_DATE_EPOCH=\([0-9]*\)$/\1/p')
    date=$(date -u -d "@${epoch:-0}" +%Y-%m-%dT%H:%M:%SZ)
    if ! br_make musl-static make.log ntpsync; then
        fail "buildroot (musl-static): make ntpsync" "$(tail -n 5 "$o/make.log" | tr '\n' '|' | cut -c1-600)"
        return
    fi
    br_installed musl-static "musl 1.2.3, BR2_STATIC_LIBS, BR2_PACKAGE_NTPSYNC_NTS, BR2_INIT_BUSYBOX, NTPSYNC_OVERRIDE_SRCDIR" \
        1 1 "etc/init.d/S49ntpsync 755 init.d/S49ntpsync" usr/lib/systemd "statically linked" \
        "$date"
    sed -i 's/"ntpsync %s (built %s)\\n"/"ntpsync %s+rebuilt (built %s)\\n"/' "$o/src/ntpsync/ntpsync.c"
    if br_make musl-static rebuild.log ntpsync-rebuild &&
        timeout -s KILL 60 "${QEMU[@]}" "$o/target/usr/sbin/ntpsync" -V 2>&1 | grep -q '^ntpsync [0-9.]*+rebuilt '; then
        pass "buildroot (musl-static): make ntpsync-rebuild after a change in the checkout: $("${QEMU[@]}" "$o/target/usr/sbin/ntpsync" -V 2>&1)"
    else
        fail "buildroot (musl-static): make ntpsync-rebuild" "the change did not reach the target: $(tail -n 3 "$o/rebuild.log" | tr '\n' '|')"
    fi
}
