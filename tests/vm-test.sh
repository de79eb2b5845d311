#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# tests/vm-test.sh [NTPSYNC]: boot an emulated x86_64 board whose clock really is wrong and
# let ntpsync set it (`make vm-test`; issue 5).
#
# 1. tests/vm/prepare.sh installs qemu-system-x86 if missing and fetches (apt-get
#    download + dpkg-deb -x, never installed) the kernel behind linux-image-cloud-amd64
#    and busybox-static into build/vm/ (cached: later runs need no network), then packs
#    an initramfs with the static NTPSYNC, busybox and /init = tests/vm/init.sh.
# 2. tests/vm/scenarios.sh runs in tests/sandbox.sh (the host clock cannot be set
#    there; only its loopback is reachable): NTP servers on 127.0.0.1:123, and qemu
#    (TCG; KVM does not work on these machines) with -rtc base=2000-01-01, whose guest
#    reaches them as 10.0.2.2. Two boots: "boot" (`ntpsync -u -w`) and "wait" (the
#    server answers stratum 16 first; `ntpsync -W 60 -u -w`).
#
# Prints the guest's clock and RTC before and after, "ok"/"not ok" lines, and
# "N passed, N failed"; exits non-zero on failure. Guest consoles: build/vm/logs/.
# VERBOSE=1 shows them always. Runs as root without stdin (CI).
set -eu

here=$(cd "$(dirname "$0")" && pwd)
root=$(dirname "$here")
NTPSYNC=$(realpath "${1:-$root/ntpsync}")

[ -x "$NTPSYNC" ] || { echo "vm-test: $NTPSYNC: not an executable" >&2; exit 2; }
# The guest has no libc: the binary must be static (no program interpreter).
if command -v readelf >/dev/null && readelf -l "$NTPSYNC" | grep -q 'INTERP'; then
    echo "vm-test: $NTPSYNC is dynamically linked; the guest needs the static build (make)" >&2
    exit 2
fi

t0=$EPOCHREALTIME
"$here/vm/prepare.sh" "$NTPSYNC"
echo "# prepared in $(awk -v a="$t0" -v b="$EPOCHREALTIME" 'BEGIN { printf "%.1f", b - a }') s" \
    "(build/vm/; rm -rf build/vm to fetch again)"
VM_TEST_T0=$t0 SANDBOX_TIMEOUT=${SANDBOX_TIMEOUT:-300} exec "$here/sandbox.sh" "$here/vm/scenarios.sh"
