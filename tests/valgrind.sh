#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# tests/valgrind.sh: ntpsync's dynamic glibc build (gcc -g -O1, build/ntpsync-valgrind)
# under valgrind (memcheck: invalid accesses, uninitialised values, definite leaks) for
# full runs against real servers in tests/sandbox.sh (this script re-executes itself
# there): 4 samples from chrony with -d (every packet decoded and dumped), the same
# without -d up to the clock call (refused with EPERM in the sandbox: exit 5), several
# servers (selection), and failing runs (a stratum 16 fake, ICMP port unreachable, a
# usage error).  Ends with "N passed, N failed".
#
# valgrind's own error exit code is 100 so that it cannot be mistaken for one of
# ntpsync's exit codes (1 is "no server suitable").
# shellcheck source-path=SCRIPTDIR
set -u

here=$(cd "$(dirname "$0")" && pwd)
root=$(dirname "$here")
BIN=$root/build/ntpsync-valgrind

if [ "${SANDBOXED:-}" != 1 ]; then
    cd "$root" || exit 1
    . "$here/need.sh"
    need "valgrind --version" valgrind || exit 1
    need "gcc --version" gcc || exit 1
    mkdir -p build
    make -s build/ntpsync-valgrind || exit 1
    exec "$here/sandbox.sh" "$here/valgrind.sh" "$@"
fi

. "$here/lib.sh"
require_sandbox
SERVER_LIFETIME=300
. "$here/servers.sh"
RUN_DIR=$(mktemp -d "${TMPDIR:-/tmp}/ntpsync-valgrind.XXXXXX")
cleanup() {
    cleanup_servers
    if [ "$FAILED" -gt 0 ]; then
        echo "# logs kept in $RUN_DIR" >&2
    else
        rm -rf "$RUN_DIR"
    fi
}
trap cleanup EXIT

VG_ERROR=100
N=0
# vg NAME RC ARG...: run ntpsync under valgrind; expect exit RC and a clean memcheck.
vg() {
    local name=$1 want=$2 rc log
    shift 2
    N=$((N + 1))
    log=$RUN_DIR/$N.valgrind
    timeout -s KILL 120 valgrind --quiet --error-exitcode=$VG_ERROR --leak-check=full \
        --errors-for-leak-kinds=definite --show-leak-kinds=definite --track-origins=yes \
        --log-file="$log" "$BIN" "$@" >"$RUN_DIR/$N.out" 2>&1 </dev/null
    rc=$?
    if [ "$rc" -eq "$VG_ERROR" ]; then
        fail "$name" "valgrind: $(grep -m 8 '^==[0-9]*== [A-Z0-9]' "$log" | tr '\n' '|')"
    elif [ "$rc" -ne "$want" ]; then
        fail "$name" "exit $rc, expected $want: $(tr '\n' '|' <"$RUN_DIR/$N.out" | cut -c1-300)"
    else
        pass "$name (ntpsync $*: exit $rc, memcheck clean)"
    fi
}

echo "# $(valgrind --version), $BIN"
if ! { start_chrony 127.0.0.1 && start_ntpsec 127.0.0.3 && start_fake 127.0.0.5 stratum16; }; then
    fail setup "servers did not start"
    summary
    exit 1
fi
vg debug_chrony_4_samples 0 -d -p 4 127.0.0.1
vg sync_chrony_set_refused 5 -p 4 127.0.0.1
vg query_several_servers 0 -q 127.0.0.1 127.0.0.3 127.0.0.5 127.0.0.1
vg debug_stratum16_fails 1 -d -t 0.5 127.0.0.5
vg stratum16_fails 1 -t 0.5 127.0.0.5
vg icmp_unreachable 4 -t 0.5 127.0.0.9
vg usage_error 2 -p 9 127.0.0.1
# The boot and cron options, where this build has them.
usage_line=$("$BIN" -h 2>&1)
if grep -q -- '-[0-9A-Za-z]*j' <<<"$usage_line"; then
    vg json_chrony 0 -j -q -p 4 127.0.0.1
    vg json_stratum16_fails 1 -j -q -t 0.5 127.0.0.5
fi
if grep -q -- '-W' <<<"$usage_line"; then
    # -W: resolve and ask again with backoff until the wait is over (state kept per address)
    vg wait_stratum16_fails 1 -v -q -W 1 -t 0.2 127.0.0.5
fi
if grep -q -- '-l' <<<"$usage_line"; then
    vg lock_and_set_refused 5 -l "$RUN_DIR/lock" -R 0.1 127.0.0.1
fi
summary
