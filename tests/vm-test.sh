#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# tests/vm-test.sh [NTPSYNC [NTPSYNC_NTS]]: boot emulated x86_64, arm64 and armhf boards
# whose clock really is wrong and let ntpsync set it (`make vm-test`; issues 5, 13 and 14).
# NTPSYNC_NTS is the static NTS build (make NTS=1; default build/ntpsync-nts); the ARM
# boards run the cross builds build/arm64/ntpsync and build/armhf/ntpsync (make
# TARGET=arm64, TARGET=armhf) and their NTS builds build/ARCH/ntpsync-nts (make
# TARGET=arm64 NTS=1, ...). VM_ARCHS="x86_64 arm64 armhf" (the default) chooses.
#
# 1. tests/nts_certs.sh makes the test certificates into build/nts-certs (once).
#    tests/vm/prepare.sh, for each board, installs qemu-system-x86 / qemu-system-arm if
#    missing and fetches (apt-get download + dpkg-deb -x, never installed) the kernel
#    behind linux-image-cloud-amd64 / linux-image-arm64 / linux-image-armmp and that
#    architecture's busybox-static into build/vm/ARCH/ (cached: later runs need no
#    network), then packs an initramfs with the static ntpsync and its NTS build, the
#    test CA and a foreign CA, a time floor, busybox and /init = tests/vm/init.sh.
#    x86_64 also gets a second initramfs, build/vm/x86_64/systemd.cpio
#    (tests/vm/systemd-prepare.sh): Debian 12's systemd 252 as /init with its libraries
#    (unpacked, never installed), ntpsync.service and ntpsync.timer of contrib/systemd
#    enabled by `systemctl --root preset-all`, and the test's units (tests/vm/systemd/);
#    and build/vm/x86_64/systemd-epoch.cpio, the same with /usr/lib/clock-epoch a second
#    after ntpsync's build date and NTPSYNC_OPTIONS="-s -m 10".
# 2. tests/vm/scenarios.sh runs in tests/sandbox.sh (the host clock cannot be set
#    there; only its loopback is reachable): NTP servers on 127.0.0.1:123, and qemu
#    (TCG; KVM does not work on these machines) with -rtc base=2000-01-01, whose guest
#    reaches them as 10.0.2.2 (qemu's user-mode network). Every board boots "boot"
#    (`ntpsync -u -w`) and "wait" (the server answers stratum 16 first;
#    `ntpsync -W 60 -u -w`), "nts" and "nts-refuse" (chronyd with NTS; the NTS build:
#    `ntpsync -N -c /etc/ca.pem -u -w`, and the same with a foreign CA, which must not
#    step); x86_64 "systemd" (systemd boots, ntpsync.service syncs between
#    network-online.target and time-sync.target, the timer waits) and "systemd-epoch"
#    (systemd starts the clock at clock-epoch's mtime, after ntpsync's build date; with
#    no floor yet, -m 10 must not stop the boot's step; tests/vm/systemd-scenario.sh); arm64 and armhf "floor" (no
#    RTC: the clock starts at 1970, `ntpsync -F FILE` restores the time floor, then
#    `ntpsync -W 60 -u -m 0 -F FILE` syncs), "dhcp" (qemu's DHCP server, no option 42:
#    the udhcpc hook syncs with /etc/default/ntpsync's fallback, 10.0.2.2) and
#    "dhcp-ntpsrv" (a tap device in the sandbox instead: busybox udhcpd's lease names
#    10.0.2.3 in option 42, chronyd is there, nothing answers NTP on the fallback: the
#    hook must sync with the lease's server); every board "initd" (busybox init runs
#    rcS, which starts contrib/init.d/S49ntpsync: restore the floor, sync, save it; at
#    poweroff rcK runs S49ntpsync stop, which saves the floor again; the ARM boards
#    without an RTC). VM_SCENARIOS="dhcp wait" boots only those.
#
# Prints the guest's clock and RTC before and after, "ok"/"not ok" lines, and
# "N passed, N failed"; exits non-zero on failure. Guest consoles: build/vm/logs/.
# VERBOSE=1 shows them always. Runs as root without stdin (CI).
set -eu

here=$(cd "$(dirname "$0")" && pwd)
root=$(dirname "$here")
NTPSYNC=$(realpath "${1:-$root/ntpsync}")
NTPSYNC_NTS=$(realpath "${2:-$root/build/ntpsync-nts}")
CERTS=$root/build/nts-certs
VM_ARCHS=${VM_ARCHS:-x86_64 arm64 armhf}
export VM_ARCHS
bins=()
for a in $VM_ARCHS; do
    case $a in
    x86_64) bins+=("$NTPSYNC" "$NTPSYNC_NTS") ;;
    arm64 | armhf) bins+=("$root/build/$a/ntpsync" "$root/build/$a/ntpsync-nts") ;;
    *) echo "vm-test: VM_ARCHS: unknown board $a (x86_64, arm64, armhf)" >&2; exit 2 ;;
    esac
done

for b in "${bins[@]}"; do
    [ -x "$b" ] || { echo "vm-test: $b: not an executable (make ntpsync build/ntpsync-nts; make TARGET=arm64 [NTS=1], TARGET=armhf [NTS=1])" >&2; exit 2; }
    # The guest has no libc: the binary must be static (no program interpreter).
    if command -v readelf >/dev/null && readelf -l "$b" | grep -q 'INTERP'; then
        echo "vm-test: $b is dynamically linked; the guest needs the static build (make)" >&2
        exit 2
    fi
done

t0=$EPOCHREALTIME
"$here/nts_certs.sh" "$CERTS"
for a in $VM_ARCHS; do
    if [ "$a" = x86_64 ]; then
        "$here/vm/prepare.sh" "$a" "$NTPSYNC" "$NTPSYNC_NTS" "$CERTS"
        "$here/vm/systemd-prepare.sh" "$NTPSYNC"
    else
        "$here/vm/prepare.sh" "$a" "$root/build/$a/ntpsync" "$root/build/$a/ntpsync-nts" "$CERTS"
    fi
done
echo "# prepared in $(awk -v a="$t0" -v b="$EPOCHREALTIME" 'BEGIN { printf "%.1f", b - a }') s" \
    "(build/vm/; rm -rf build/vm to fetch again)"
VM_TEST_T0=$t0 SANDBOX_TIMEOUT=${SANDBOX_TIMEOUT:-300} exec "$here/sandbox.sh" "$here/vm/scenarios.sh"
