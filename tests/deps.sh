#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# Install what the build, the tests and the demo need on a fresh Debian 12 machine.
# Runs as root without stdin (CI). Idempotent and quiet unless something fails.
#
# Time servers (chrony, NTPsec, OpenNTPD) are NOT installed: installing them would start a time
# daemon and hooks on the host. They are downloaded and unpacked into build/deps/
# instead, and only their libraries are installed. They only ever run inside
# tests/sandbox.sh, where they cannot change the clock.
set -eu

cd "$(dirname "$0")/.."
DEPS=build/deps
export DEBIAN_FRONTEND=noninteractive
APT="apt-get -q -y -o DPkg::Lock::Timeout=300"

# Build and test tools, plus the shared libraries chronyd and ntpd link against.
PKGS="build-essential musl-tools libcmocka-dev pkg-config iproute2 python3 strace netbase
      util-linux procps libcap2 libedit2 libgnutls30 libnettle8 libseccomp2 libbsd0 libssl3
      openssl"

log=$(mktemp)
trap 'rm -f "$log"' EXIT
run() { # run CMD quietly; show its output only on failure
    if ! "$@" >"$log" 2>&1; then
        cat "$log" >&2
        echo "deps.sh: failed: $*" >&2
        exit 1
    fi
}

missing=
for p in $PKGS; do
    dpkg-query -W -f='${Status}\n' "$p" 2>/dev/null | grep -q '^install ok installed' ||
        missing="$missing $p"
done
need_download=
[ -x "$DEPS/chrony/usr/sbin/chronyd" ] || need_download=1
[ -x "$DEPS/ntpsec/usr/sbin/ntpd" ] || need_download=1
[ -x "$DEPS/openntpd/usr/sbin/ntpd" ] || need_download=1
[ -x "$DEPS/busybox/bin/busybox" ] || need_download=1
[ -x "$DEPS/isc-dhcp-client/sbin/dhclient" ] || need_download=1
[ -x "$DEPS/dhcpcd-base/usr/sbin/dhcpcd" ] || need_download=1

if [ -n "$missing" ] || [ -n "$need_download" ]; then
    run $APT update
fi
if [ -n "$missing" ]; then
    # shellcheck disable=SC2086 # word splitting wanted
    run $APT install --no-install-recommends $missing
fi

# Download and unpack (never install) a package into build/deps/NAME.
unpack() { # NAME CHECKFILE
    [ -e "$DEPS/$1/$2" ] && return 0
    mkdir -p "$DEPS/dl"
    rm -f "$DEPS/dl/$1"_*.deb
    (cd "$DEPS/dl" && run apt-get -q -o DPkg::Lock::Timeout=300 download "$1")
    rm -rf "${DEPS:?}/$1"
    run dpkg-deb -x "$DEPS/dl/$1"_*.deb "$DEPS/$1"
    [ -e "$DEPS/$1/$2" ] || { echo "deps.sh: $1 unpacked but $2 missing" >&2; exit 1; }
}
unpack chrony usr/sbin/chronyd
unpack ntpsec usr/sbin/ntpd
# OpenNTPD: a real server that answers unsynchronized (LI=3, stratum 0) in the sandbox.
unpack openntpd usr/sbin/ntpd
# busybox: udhcpd and udhcpc for the DHCP hooks' test (group hooks), and its ash, the shell
# the boot scripts must run in.  Unpacked like the servers, so that nothing of it is set up
# on the host (Debian's busybox has no ntpd).
unpack busybox bin/busybox
# ISC dhclient for its exit hook's test; unpacked, so that no hook, profile or service of
# it lands on the host.
unpack isc-dhcp-client sbin/dhclient
# dhcpcd for its hook's test, the same way.
unpack dhcpcd-base usr/sbin/dhcpcd
