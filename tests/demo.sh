#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# tests/demo.sh [NTPSYNC]: what `make demo` shows. Inside tests/sandbox.sh (the machine's
# clock cannot be changed there and nothing leaves the sandbox's loopback) it starts two
# chrony servers, diagnoses one with `ntpsync -d`, and runs a boot-style `ntpsync -u`
# against the one that is 10 s ahead, under strace with the clock syscalls injected to
# "succeed" without running, to show the step ntpsync makes. Exit 0 if all went as expected.
# shellcheck source-path=SCRIPTDIR
set -u

here=$(cd "$(dirname "$0")" && pwd)
root=$(dirname "$here")
NTPSYNC=$(realpath "${1:-$root/ntpsync}")

if [ "${SANDBOXED:-}" != 1 ]; then
    exec "$here/sandbox.sh" "$here/demo.sh" "$@"
fi

. "$here/lib.sh"
require_sandbox
. "$here/servers.sh"
trap 'cleanup_servers; rm -rf "$RUN_DIR"' EXIT

heading() {
    printf '\n== %s\n' "$*"
}

show() { # the command as typed on a board
    printf '$ %s\n' "$*"
}

ok=1
expect() { # WHAT CMD...
    local what=$1
    shift
    if "$@"; then printf '   [ok] %s\n' "$what"; else printf '   [FAILED] %s\n' "$what"; ok=0; fi
}

[ -x "$NTPSYNC" ] || { echo "demo: no executable $NTPSYNC (run make)" >&2; exit 1; }
# How the binary is shown: as given to `make demo` (./ntpsync), else its full path.
prog=${1:-$NTPSYNC}

heading "ntpsync demo: everything below runs in a sandbox (user, network, pid and mount"
echo "   namespaces); the machine's clock is never touched, nothing leaves its loopback."
"$root/build/clockprobe"

heading "1. Two NTP servers on the sandbox's loopback"
t0=$(now_ms)
start_chrony 127.0.0.1 || exit 1
echo "   127.0.0.1  chronyd, local clock, stratum 8            (answering after $(($(now_ms) - t0)) ms)"
t0=$(now_ms)
start_offset_chrony 127.0.0.2 127.0.0.1 10 || exit 1
echo "   127.0.0.2  chronyd synced to 127.0.0.1, time +10 s    (answering after $(($(now_ms) - t0)) ms)"

heading "2. Diagnosis: what does 127.0.0.1 answer? (-d never touches the clock)"
show "$prog -d 127.0.0.1"
run_ntpsync -d 127.0.0.1
printf '%s\n' "$ALL" | sed '/^$/d'
echo "   (exit $RC, $ELAPSED_MS ms)"
expect "exit 0" [ "$RC" -eq 0 ]
expect "no clock call under -d" [ -z "$(clock_calls)" ]

heading "3. Boot: the board's clock is 10 s behind 127.0.0.2"
echo "   strace logs the clock calls with their arguments and makes them return success"
echo "   without running them:"
show "strace -f -e trace=$CLOCK_SYSCALLS -e inject=$CLOCK_SYSCALLS:retval=0 $prog -u 127.0.0.2"
run_ntpsync -u 127.0.0.2
printf '%s\n' "$ALL" | sed '/^$/d'
echo "   (exit $RC, $ELAPSED_MS ms)"
echo "strace:"
clock_calls | sed 's/^[0-9]* *[0-9.]* /   /'
step=$(step_value)
echo "   => step: time set minus time of the call = ${step:-(no step)} s"
expect "exit 0" [ "$RC" -eq 0 ]
expect "stepped once (clock_settime)" [ "$(clock_calls | grep -c 'clock_settime\|settimeofday')" -eq 1 ]
expect "not slewed" [ -z "$(slew_us)" ]
expect "step is +10 s (within 0.1 s)" near "$step" 10 0.1
expect "says 'step time server 127.0.0.2 offset +10.0...'" \
    grep -Eq 'step time server 127\.0\.0\.2 offset \+(9\.99|10\.00)' <<<"$ALL"

if [ "$ok" = 1 ]; then
    heading "Demo OK"
    exit 0
fi
heading "Demo FAILED"
exit 1
