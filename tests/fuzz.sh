#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# tests/fuzz.sh [SECONDS]: build the libFuzzer targets (clang,
# -fsanitize=fuzzer,address,undefined) into build/fuzz_TARGET and
#
#   SECONDS > 0 (default 60)  fuzz $FUZZ_TARGET for SECONDS in one process (one core),
#                             starting from a working copy of its seeds
#                             (build/fuzz-corpus-TARGET: tests/corpus/TARGET and its files
#                             in tests/corpus/regress are copied in; the committed files are
#                             never written to); prints the executions and the coverage
#                             reached; a crash or hang input is saved into
#                             tests/corpus/regress/ and the script fails.
#   SECONDS = 0               regression: every file in tests/corpus/*/ through its target
#                             once; ends with "N passed, N failed".
#
# Targets (FUZZ_TARGET, default reply; "all" splits SECONDS between them):
#   reply   tests/fuzz_reply.c: ntp_packet.c's reply path (decode, checks, offset/delay,
#           conversions, selection); seeds tests/corpus/reply (tests/fuzz_seeds.sh)
#   format  tests/fuzz_format.c: fmt.c, ntpsync's own printf (str_vfmt) against snprintf;
#           seeds tests/corpus/format
#   keyfile tests/fuzz_keyfile.c: keyfile.c's key-file parser (keyfile_parse); seeds
#           tests/corpus/keyfile (a 4-byte key id, a reason buffer size, the file's text)
#   auth    tests/fuzz_auth.c: auth_key.c's MAC on a reply and a request (with mac.c and
#           wolfCrypt, `make lint` builds it: build/wolfcrypt/test-gcc); seeds tests/corpus/auth
#   ntske   tests/fuzz_ntske.c: nts_ke.c's NTS-KE response parser; seeds tests/corpus/ntske
#   nts     tests/fuzz_nts.c: nts.c's NTS request and reply check (with mac.c and wolfCrypt's
#           AES-SIV); seeds tests/corpus/nts
# The ntske and nts seeds are made by tests/fuzz_seeds_nts.py (no server needed).
# In tests/corpus/regress a file named format-* belongs to the format target, keyfile-*
# to keyfile, auth-* to auth, ntske-* to ntske, nts-* to nts, any other to reply.
#
# Environment: FUZZ_MERGE=1 adds the inputs of the working corpus that reach new coverage
# to tests/corpus/TARGET (libFuzzer -merge=1: a small set) after a run; FUZZ_FLAGS adds
# libFuzzer flags.  The targets call no clock and no socket, so they run on the host.
set -u

here=$(cd "$(dirname "$0")" && pwd)
root=$(dirname "$here")
cd "$root" || exit 1
# shellcheck source-path=SCRIPTDIR
. "$here/need.sh"

SECONDS_WANTED=${1:-60}
case $SECONDS_WANTED in
'' | *[!0-9]*) echo "usage: $0 [SECONDS]" >&2; exit 2 ;;
esac
FUZZ_TARGET=${FUZZ_TARGET:-reply}
case $FUZZ_TARGET in
reply | format | keyfile | auth | ntske | nts) TARGETS=$FUZZ_TARGET ;;
all) TARGETS="reply format keyfile auth ntske nts" ;;
*) echo "fuzz: FUZZ_TARGET must be reply, format, keyfile, auth, ntske, nts or all" >&2; exit 2 ;;
esac
REGRESS=tests/corpus/regress
ARTIFACTS=build/fuzz-artifacts
# wolfCrypt as the unit tests use it (plain objects, no LTO: clang links them).
WC=build/wolfcrypt/test-gcc
MAX_LEN=1100 # ntpsync reads at most 1024 bytes, plus the 25-byte header of the input
TIMEOUT=10   # s for one input: longer is a hang

probe='printf "int LLVMFuzzerTestOneInput(const char *d, unsigned long n) { return 0; }\n" |
    clang -x c -fsanitize=fuzzer,address,undefined -o /dev/null -'
need "$probe" clang libclang-rt-14-dev || exit 1

mkdir -p build "$REGRESS" "$ARTIFACTS"
build() { # TARGET
    local bin=build/fuzz_$1 src=tests/fuzz_$1.c extra=() hdrs=() stale=0 f
    case $1 in
    format) extra=(fmt.c) ;;
    keyfile) extra=(keyfile.c savefile.c fmt.c) hdrs=(keyfile.h savefile.h fmt.h) ;;
    auth)
        [ -e "$WC/lib/libwolfcrypt.a" ] || make --no-print-directory "$WC/lib/libwolfcrypt.a" ||
            return 1
        extra=(auth_key.c mac.c "$WC/lib/libwolfcrypt.a" -DWOLFSSL_USER_SETTINGS -I"$WC/include")
        hdrs=(auth.h keyfile.h mac.h) ;;
    ntske) extra=(nts_ke.c fmt.c) hdrs=(nts_ke.h fmt.h) ;;
    nts)
        [ -e "$WC/lib/libwolfcrypt.a" ] || make --no-print-directory "$WC/lib/libwolfcrypt.a" ||
            return 1
        extra=(nts.c mac.c "$WC/lib/libwolfcrypt.a" -DWOLFSSL_USER_SETTINGS -I"$WC/include")
        hdrs=(nts.h nts_ke.h mac.h) ;;
    esac
    for f in "$src" tests/fuzz.sh tests/fuzz_check.h ntp_packet.c ntp_packet.h "${extra[@]}" \
        "${hdrs[@]}"; do
        [ -e "$f" ] && [ "$f" -nt "$bin" ] && stale=1
    done
    if [ ! -x "$bin" ] || [ "$stale" -eq 1 ]; then
        echo "# building $bin"
        # As the NTS build compiles them (-DNTPSYNC_NTS): every verdict with its words.
        clang -g -O1 -Wall -Wextra -Werror -fsanitize=fuzzer,address,undefined \
            -fno-sanitize-recover=all -fno-omit-frame-pointer -I. -DNTPSYNC_NTS \
            -o "$bin" "$src" ntp_packet.c "${extra[@]}" || return 1
    fi
}
for t in reply format keyfile auth ntske nts; do
    if [ "$SECONDS_WANTED" -eq 0 ] || [[ " $TARGETS " == *" $t "* ]]; then
        build "$t" || exit 1
    fi
done
export ASAN_OPTIONS=${ASAN_OPTIONS:-abort_on_error=0:detect_leaks=1}
export UBSAN_OPTIONS=${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1}

target_of() { # FILE -> the target it belongs to
    case $1 in
    tests/corpus/format/* | "$REGRESS"/format-*) echo format ;;
    tests/corpus/keyfile/* | "$REGRESS"/keyfile-*) echo keyfile ;;
    tests/corpus/auth/* | "$REGRESS"/auth-*) echo auth ;;
    tests/corpus/ntske/* | "$REGRESS"/ntske-*) echo ntske ;;
    tests/corpus/nts/* | "$REGRESS"/nts-*) echo nts ;;
    *) echo reply ;;
    esac
}

if [ "$SECONDS_WANTED" -eq 0 ]; then
    passed=0 failed=0
    for f in tests/corpus/*/*; do
        [ -f "$f" ] || continue
        t=$(target_of "$f")
        if out=$(timeout -s KILL $((TIMEOUT + 20)) "build/fuzz_$t" -runs=1 -timeout=$TIMEOUT \
            "$f" 2>&1); then
            passed=$((passed + 1))
        else
            failed=$((failed + 1))
            echo "not ok - $f (fuzz_$t)"
            printf '%s\n' "$out" | grep -E 'ERROR|runtime error|property violated| in (str_vfmt|ntp_[a-z_]*|keyfile_[a-z_]*|parse_[a-z_]*|LLVMFuzzerTestOneInput|check_[a-z_]*|nts_[a-z_]*) ' |
                head -n 20 | sed 's/^/    /'
        fi
    done
    echo "fuzz-corpus: $passed passed, $failed failed"
    [ "$failed" -eq 0 ] && [ "$passed" -gt 0 ]
    exit
fi

rc_all=0
ntargets=$(wc -w <<<"$TARGETS")
for t in $TARGETS; do
    bin=build/fuzz_$t
    seeds=tests/corpus/$t
    work=build/fuzz-corpus-$t
    log=build/fuzz-$t.log
    secs=$((SECONDS_WANTED / ntargets))
    [ "$secs" -gt 0 ] || secs=1
    mkdir -p "$work"
    # A working copy: the committed seeds are never flooded with the fuzzer's inputs.
    for f in "$seeds"/* "$REGRESS"/*; do
        [ -f "$f" ] && [ "$(target_of "$f")" = "$t" ] && cp -n "$f" "$work/" 2>/dev/null
    done
    before=$(find "$work" -type f | wc -l)
    rm -f "$ARTIFACTS"/*
    echo "# fuzzing $bin for $secs s from $before inputs ($work); log: $log"
    # shellcheck disable=SC2086 # FUZZ_FLAGS: word splitting wanted
    "$bin" -max_total_time="$secs" -max_len=$MAX_LEN -timeout=$TIMEOUT \
        -print_final_stats=1 -artifact_prefix="$ARTIFACTS/$t-" ${FUZZ_FLAGS:-} "$work" >"$log" 2>&1
    rc=$?

    execs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log" | tail -n 1)
    rate=$(sed -n 's/^stat::average_exec_per_sec: *//p' "$log" | tail -n 1)
    took=$(sed -n 's/^Done [0-9]* runs in \([0-9]*\) second.*/\1/p' "$log" | tail -n 1)
    cov=$(grep -E '^#[0-9]+' "$log" | tail -n 1 | grep -oE 'cov: [0-9]+ ft: [0-9]+ corp: [0-9]+/[0-9]+[a-zA-Z]*')
    echo "fuzz $t: ${execs:-?} executions in ${took:-?} s (${rate:-?}/s); ${cov:-no coverage line}; corpus $before -> $(find "$work" -type f | wc -l) inputs"

    found=0
    for f in "$ARTIFACTS"/*; do
        [ -f "$f" ] || continue
        found=1
        cp "$f" "$REGRESS/"
        echo "fuzz $t: FINDING saved as $REGRESS/${f##*/} (reproduce: $bin $REGRESS/${f##*/})"
    done
    if [ "$found" -eq 1 ] || [ "$rc" -ne 0 ]; then
        grep -E 'ERROR|runtime error|property violated|SUMMARY' "$log" | head -n 20
        echo "fuzz $t: FAILED (exit $rc); see $log"
        rc_all=1
        continue
    fi
    if [ "${FUZZ_MERGE:-0}" = 1 ]; then
        n0=$(find "$seeds" -type f | wc -l)
        "$bin" -merge=1 -max_len=$MAX_LEN "$seeds" "$work" >>"$log" 2>&1 || {
            echo "fuzz $t: merge failed; see $log"
            rc_all=1
            continue
        }
        echo "fuzz $t: merged $(($(find "$seeds" -type f | wc -l) - n0)) coverage-increasing inputs into $seeds"
    fi
    echo "fuzz $t: no finding"
done
exit $rc_all
