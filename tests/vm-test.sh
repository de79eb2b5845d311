#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# tests/vm-test.sh [NTPSYNC [NTPSYNC_NTS]]: boot an emulated x86_64 board whose clock really
# is wrong and let ntpsync set it (`make vm-test`; issues 5 and 13). NTPSYNC_NTS is the
# static NTS build (make NTS=1; default build/ntpsync-nts).
#
# 1. tests/nts_certs.sh makes the test certificates into build/nts-certs (once).
#    tests/vm/prepare.sh installs qemu-system-x86 if missing and fetches (apt-get
#    download + dpkg-deb -x, never installed) the kernel behind linux-image-cloud-amd64
#    and busybox-static into build/vm/ (cached: later runs need no network), then packs
#    an initramfs with the static NTPSYNC and NTPSYNC_NTS, the test CA and a foreign CA,
#    busybox and /init = tests/vm/init.sh.
# 2. tests/vm/scenarios.sh runs in tests/sandbox.sh (the host clock cannot be set
#    there; only its loopback is reachable): NTP servers on 127.0.0.1:123, and qemu
#    (TCG; KVM does not work on these machines) with -rtc base=2000-01-01, whose guest
#    reaches them as 10.0.2.2. Three boots: "boot" (`ntpsync -u -w`), "wait" (the
#    server answers stratum 16 first; `ntpsync -W 60 -u -w`) and "nts" (chronyd with
#    NTS; the NTS build: `ntpsync -N -c /etc/ca.pem -u -w`, after the same with a
#    foreign CA, which must not step).
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

for b in "$NTPSYNC" "$NTPSYNC_NTS"; do
    [ -x "$b" ] || { echo "vm-test: $b: not an executable (make ntpsync build/ntpsync-nts)" >&2; exit 2; }
    # The guest has no libc: the binary must be static (no program interpreter).
    if command -v readelf >/dev/null && readelf -l "$b" | grep -q 'INTERP'; then
        echo "vm-test: $b is dynamically linked; the guest needs the static build (make)" >&2
        exit 2
    fi
done

t0=$EPOCHREALTIME
"$here/nts_certs.sh" "$CERTS"
"$here/vm/prepare.sh" "$NTPSYNC" "$NTPSYNC_NTS" "$CERTS"
echo "# prepared in $(awk -v a="$t0" -v b="$EPOCHREALTIME" 'BEGIN { printf "%.1f", b - a }') s" \
    "(build/vm/; rm -rf build/vm to fetch again)"
VM_TEST_T0=$t0 SANDBOX_TIMEOUT=${SANDBOX_TIMEOUT:-300} exec "$here/sandbox.sh" "$here/vm/scenarios.sh"
