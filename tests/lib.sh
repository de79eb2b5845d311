# shellcheck shell=bash
# SPDX-License-Identifier: GPL-2.0-or-later
# tests/lib.sh: small helpers for the scenario scripts (integration.sh, demo.sh).
#
#   pass NAME / fail NAME WHY   print "ok - NAME" / "not ok - NAME: WHY" and count
#   check NAME WHY CMD...       pass if CMD succeeds, else fail with WHY
#   summary                     print "N passed, N failed"; return 1 if any failed
#   require_sandbox             abort (exit 99) unless the clock is protected here
#   now_ms                      monotonic-enough wall time in ms, for elapsed times only
#   near VALUE TARGET TOL       true if |VALUE - TARGET| <= TOL (decimals allowed)
#
#   run_ntpsync ARG...          run $NTPSYNC under strace, with every clock-setting syscall
#                               injected to succeed without running. Sets RC, ELAPSED_MS,
#                               OUT (stdout), ERR (stderr), ALL (both) and TRACE (strace log).
#   run_ntpsync_plain ARG...    the same without strace (clock calls fail with EPERM here)
#   clock_calls                 the clock-SETTING calls in $TRACE (reads are left out)
#   step_value                  seconds stepped by the first clock_settime/settimeofday in
#                               $TRACE: value set minus the time of the call
#   slew_us                     microseconds of the first ADJ_OFFSET_SINGLESHOT in $TRACE

# shellcheck disable=SC2034 # RC, ELAPSED_MS, OUT, ERR, ALL, TRACE are for the callers
PASSED=0
FAILED=0

pass() {
    PASSED=$((PASSED + 1))
    echo "ok - $1"
}

fail() {
    FAILED=$((FAILED + 1))
    echo "not ok - $1: $2"
}

check() { # NAME WHY CMD...
    local name=$1 why=$2
    shift 2
    if "$@"; then pass "$name"; else fail "$name" "$why"; fi
}

summary() {
    echo "$PASSED passed, $FAILED failed"
    [ "$FAILED" -eq 0 ]
}

require_sandbox() {
    local probe
    probe=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)/build/clockprobe
    if [ "${SANDBOXED:-}" != 1 ] || ! "$probe" >/dev/null; then
        echo "ABORT: not inside tests/sandbox.sh (the clock is not protected)" >&2
        exit 99
    fi
}

now_ms() {
    echo $(($(date +%s%N) / 1000000))
}

near() { # VALUE TARGET TOL
    awk -v v="$1" -v t="$2" -v e="$3" \
        'BEGIN { if (v == "") exit 1; d = v - t; if (d < 0) d = -d; exit !(d <= e) }'
}

CLOCK_SYSCALLS=clock_settime,settimeofday,adjtimex,clock_adjtime
RUN_DIR=${RUN_DIR:-$(mktemp -d "${TMPDIR:-/tmp}/ntpsync-run.XXXXXX")}
_RUN_SEQ=0

_run() { # strace|plain ARG...
    local how=$1 t0
    shift
    _RUN_SEQ=$((_RUN_SEQ + 1))
    OUT_FILE=$RUN_DIR/$_RUN_SEQ.out
    ERR_FILE=$RUN_DIR/$_RUN_SEQ.err
    TRACE=$RUN_DIR/$_RUN_SEQ.trace
    : >"$TRACE"
    echo "$NTPSYNC $*" >"$RUN_DIR/$_RUN_SEQ.cmd"
    t0=$(now_ms)
    if [ "$how" = strace ]; then
        timeout -s KILL 60 strace -f -qq -ttt -o "$TRACE" -e trace="$CLOCK_SYSCALLS" \
            -e inject="$CLOCK_SYSCALLS":retval=0 -- "$NTPSYNC" "$@" \
            >"$OUT_FILE" 2>"$ERR_FILE" </dev/null
    else
        timeout -s KILL 60 "$NTPSYNC" "$@" >"$OUT_FILE" 2>"$ERR_FILE" </dev/null
    fi
    RC=$?
    ELAPSED_MS=$(($(now_ms) - t0))
    OUT=$(cat "$OUT_FILE")
    ERR=$(cat "$ERR_FILE")
    ALL=$OUT$'\n'$ERR
}

run_ntpsync() {
    _run strace "$@"
}

run_ntpsync_plain() {
    _run plain "$@"
}

clock_calls() {
    grep -E 'clock_settime\(|settimeofday\(|adjtimex\(|clock_adjtime\(' "$TRACE" |
        grep -Ev 'modes=(0|ADJ_OFFSET_SS_READ),' || true
}

step_value() {
    awk '/clock_settime\(|settimeofday\(/ {
            for (i = 1; i <= 3; i++) if ($i ~ /^[0-9]+\.[0-9]+$/) { t = $i; break }
            if (match($0, /tv_sec=[0-9]+/)) s = substr($0, RSTART + 7, RLENGTH - 7)
            if (match($0, /tv_nsec=[0-9]+/)) f = substr($0, RSTART + 8, RLENGTH - 8) / 1e9
            else if (match($0, /tv_usec=[0-9]+/)) f = substr($0, RSTART + 8, RLENGTH - 8) / 1e6
            printf "%.6f\n", s + f - t
            exit
        }' "$TRACE"
}

slew_us() {
    awk '/modes=ADJ_OFFSET_SINGLESHOT/ {
            if (match($0, /offset=-?[0-9]+/)) { print substr($0, RSTART + 7, RLENGTH - 7); exit }
        }' "$TRACE"
}
