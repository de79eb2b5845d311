#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# bench/peers.sh: get the peers `make bench` compares ntpsync with, without installing any
# package whose maintainer scripts or hooks could start a time daemon or touch the clock.
#
#   build/deps/ntpsec-clients/  NTPsec 1.2.2 from Debian 12: ntpsec-ntpdig (ntpdig),
#                               python3-ntp (its python library) and ntpsec-ntpdate (the
#                               ntpdate shell shim around ntpdig)
#   build/deps/ntp-classic/     NTP Classic 4.2.8p15: ntpdate and sntp. Debian 12 only has
#                               transitional packages of those names (ntpdate -> NTPsec's
#                               shim, sntp -> a symlink to ntpdig), so they come from
#                               Debian 11 (bullseye) through a private apt state in
#                               build/deps/apt-bullseye (the system's apt setup is not
#                               touched), with the libraries they need that Debian 12
#                               lacks (libssl1.1, libevent 2.1-7, libopts25)
#   build/bench/runner          bench/runner.c: times one run, peak RSS (static, musl)
#
# Everything is downloaded with `apt-get download` and unpacked with `dpkg-deb -x`; nothing
# of it is installed. Installed with apt-get: gnuplot-nox (the plot) and time.
# chrony and NTPsec's ntpd are unpacked by tests/deps.sh (`make deps`).
# busybox ntpd: Debian's busybox has no ntpd applet; a busybox with it is used when
# toolchains/ builds one (see find_busybox_ntpd in bench/run.sh), else it is reported n/a.
set -eu

cd "$(dirname "$0")/.."
DEPS=build/deps
export DEBIAN_FRONTEND=noninteractive
APT="apt-get -q -y -o DPkg::Lock::Timeout=300"

log=$(mktemp)
trap 'rm -f "$log"' EXIT
run() { # CMD...: quiet unless it fails
    if ! "$@" >"$log" 2>&1; then
        cat "$log" >&2
        echo "peers.sh: failed: $*" >&2
        exit 1
    fi
}

missing=
for p in gnuplot-nox time strace; do
    dpkg-query -W -f='${Status}\n' "$p" 2>/dev/null | grep -q '^install ok installed' ||
        missing="$missing $p"
done
if [ -n "$missing" ]; then
    run $APT update
    # shellcheck disable=SC2086 # word splitting wanted
    run $APT install --no-install-recommends $missing
fi

# fetch DEST CHECKFILE [APT-OPTIONS...] -- PKG...: download and unpack PKGs into DEST.
fetch() {
    local dest=$1 check=$2 opts=() pkgs=() f
    shift 2
    while [ $# -gt 0 ] && [ "$1" != -- ]; do opts+=("$1"); shift; done
    shift
    pkgs=("$@")
    [ -e "$dest/$check" ] && return 0
    rm -rf "$dest" "$dest.dl"
    mkdir -p "$dest.dl"
    (cd "$dest.dl" && run apt-get -q -o DPkg::Lock::Timeout=300 "${opts[@]}" download "${pkgs[@]}")
    for f in "$dest.dl"/*.deb; do run dpkg-deb -x "$f" "$dest"; done
    rm -rf "$dest.dl"
    [ -e "$dest/$check" ] || { echo "peers.sh: $check missing in $dest" >&2; exit 1; }
}

# NTPsec's clients from Debian 12 (the system's apt sources).
if [ ! -e "$DEPS/ntpsec-clients/usr/bin/ntpdig" ]; then
    apt-cache show ntpsec-ntpdig >/dev/null 2>&1 || run $APT update
fi
fetch "$DEPS/ntpsec-clients" usr/bin/ntpdig -- ntpsec-ntpdig python3-ntp ntpsec-ntpdate
# ntp/ntpc.py looks for libntpc.so beside itself first.
ln -sf ../../../x86_64-linux-gnu/ntp/libntpc.so.1 \
    "$DEPS/ntpsec-clients/usr/lib/python3/dist-packages/ntp/libntpc.so"

# NTP Classic from Debian 11, through a private apt state.
if [ ! -e "$DEPS/ntp-classic/usr/sbin/ntpdate" ]; then
    A=$PWD/$DEPS/apt-bullseye
    mkdir -p "$A/lists/partial" "$A/cache/archives/partial"
    echo 'deb [signed-by=/usr/share/keyrings/debian-archive-keyring.gpg] http://deb.debian.org/debian bullseye main' \
        >"$A/sources.list"
    O=(-o Dir::Etc::SourceList="$A/sources.list" -o Dir::Etc::SourceParts=/dev/null
        -o Dir::State::Lists="$A/lists" -o Dir::Cache="$A/cache" -o Dir::State::Status=/dev/null
        -o APT::Architectures::=amd64 -o Debug::NoLocking=1)
    run apt-get -q "${O[@]}" update
    fetch "$DEPS/ntp-classic" usr/sbin/ntpdate "${O[@]}" -- \
        ntpdate sntp libssl1.1 libevent-core-2.1-7 libevent-pthreads-2.1-7 libopts25
fi

# The run timer.
mkdir -p build/bench
if [ ! -x build/bench/runner ] || [ bench/runner.c -nt build/bench/runner ]; then
    if command -v musl-gcc >/dev/null; then
        run musl-gcc -static -Os -Wall -Wextra -Werror -o build/bench/runner bench/runner.c
    else
        run cc -static -O2 -Wall -Wextra -Werror -o build/bench/runner bench/runner.c
    fi
fi

# Byte-compile ntpdig's python library, as the Debian package's postinst would.
python3 -m compileall -q "$DEPS/ntpsec-clients/usr/lib/python3/dist-packages/ntp" >/dev/null 2>&1 || true
