# shellcheck shell=bash
# SPDX-License-Identifier: GPL-2.0-or-later
# tests/integration/85-output.sh: group "output": where ntpsync's lines go and what its
# exit code says when they cannot: one file for stdout and stderr, a full disk, a reader
# that went away, syslog (-s), the -j contract, closed descriptors and the lock file.
# Sourced by tests/integration.sh after helpers.sh; uses tests/lib.sh and tests/servers.sh.

scenarios order_in_one_file full_disk reader_gone syslog_everything json_contract \
    closed_descriptors lock_file_kinds

# A boot script's '>log 2>&1': every line in the order it happened. 127.0.0.9 answers
# with ICMP port unreachable: the -d lines (stdout) come first, the failure (stderr) last.
scenario_order_in_one_file() {
    local f=$RUN_DIR/combined.log
    timeout -s KILL 20 "$NTPSYNC" -d -t 0.3 127.0.0.9 >"$f" 2>&1 </dev/null
    check "order_in_one_file: the -d lines come first" "$(head -n 2 "$f" | tr '\n' '|')" \
        grep -q '^resolving 127.0.0.9' <(head -n 1 "$f")
    check "order_in_one_file: the failure line comes last" "$(tail -n 2 "$f" | tr '\n' '|')" \
        grep -q 'no server suitable for synchronization found' <(tail -n 1 "$f")
}

# -q prints the result and nothing else happens: a write that fails is an error (10).
scenario_full_disk() {
    local err=$RUN_DIR/full.err rc
    timeout -s KILL 20 "$NTPSYNC" -q 127.0.0.1 >/dev/full 2>"$err" </dev/null
    rc=$?
    check "full_disk: exit 10" "exit $rc, stderr: $(tr '\n' '|' <"$err")" [ "$rc" -eq 10 ]
    check "full_disk: says why" "stderr: $(tr '\n' '|' <"$err")" \
        grep -q 'cannot write the result: No space left on device' "$err"
}

# 'ntpsync SERVER | true': the reader is gone before the result line is written. The
# clock was set (here: strace makes the call succeed), so the exit code is the sync's,
# not SIGPIPE's.
scenario_reader_gone() {
    local trace=$RUN_DIR/reader_gone.trace rc
    "$PYTHON" -c 'import os, subprocess, sys
r, w = os.pipe()
os.close(r)
sys.exit(subprocess.call(sys.argv[1:], stdout=w, stderr=subprocess.DEVNULL))' \
        strace -f -qq -o "$trace" -e trace="$CLOCK_SYSCALLS" \
        -e inject="$CLOCK_SYSCALLS":retval=0 -- "$NTPSYNC" 127.0.0.1 </dev/null
    rc=$?
    check "reader_gone: exit 0, the sync's" "exit $rc" [ "$rc" -eq 0 ]
    check "reader_gone: the clock was slewed" "trace: $(tr '\n' '|' <"$trace" | cut -c1-200)" \
        grep -q 'ADJ_OFFSET_SINGLESHOT' "$trace"
}

# Runs CMD... with a syslog sink on /dev/log, in a mount namespace of its own (a tmpfs
# /dev holding the device nodes ntpsync needs). Sets SYSLOG (the messages, one a line),
# RC, OUT and ERR.
with_syslog() { # DIR CMD...
    local d=$1
    shift
    mkdir -p "$d"
    # shellcheck disable=SC2016 # expanded by the inner shell
    unshare --mount --propagation private bash -c '
        d=$1; sink=$2; py=$3; shift 3
        mkdir -p "$d/hostdev" && mount --rbind /dev "$d/hostdev" &&
            mount -t tmpfs -o mode=755 tmpfs /dev || exit 98
        for n in null zero full random urandom; do
            : >"/dev/$n" && mount --bind "$d/hostdev/$n" "/dev/$n" || exit 98
        done
        "$py" "$sink" /dev/log "$d/syslog" &
        for _ in $(seq 50); do [ -S /dev/log ] && break; sleep 0.1; done
        "$@" >"$d/out" 2>"$d/err" </dev/null
        echo $? >"$d/rc"
        sleep 0.2
        kill $!' _ "$d" "$TESTS_DIR/syslog_sink.py" "$PYTHON" "$@"
    RC=$(cat "$d/rc" 2>/dev/null || echo none)
    SYSLOG=$(cat "$d/syslog" 2>/dev/null)
    OUT=$(cat "$d/out" 2>/dev/null)
    ERR=$(cat "$d/err" 2>/dev/null)
}

# -s: every message goes to syslog, the reasons included, and nothing to stdout or
# stderr; a control character in a name cannot start a line of its own there.
scenario_syslog_everything() {
    with_syslog "$RUN_DIR/syslog1" timeout -s KILL 20 "$NTPSYNC" -s -t 0.3 127.0.0.9
    check "syslog_everything: exit 4" "exit $RC" [ "$RC" = 4 ]
    check "syslog_everything: the reason is in syslog" "syslog: $(tr '\n' '|' <<<"$SYSLOG")" \
        grep -q '127.0.0.9: Server dropped: no reply: ICMP port unreachable' <<<"$SYSLOG"
    check "syslog_everything: the failure is in syslog" "syslog: $(tr '\n' '|' <<<"$SYSLOG")" \
        grep -q 'no server suitable for synchronization found' <<<"$SYSLOG"
    check "syslog_everything: nothing on stdout or stderr" "out: $OUT err: $ERR" \
        [ -z "$OUT$ERR" ]
    with_syslog "$RUN_DIR/syslog2" timeout -s KILL 20 "$NTPSYNC" -s -t 0.3 \
        $'forged\n<11>Jan  1 00:00:00 sshd[1]: root login.invalid'
    check "syslog_control_chars: the name is in syslog" "syslog: $(tr '\n' '|' <<<"$SYSLOG")" \
        grep -q 'cannot resolve forged?<11>' <<<"$SYSLOG"
    check "syslog_control_chars: no control character reaches syslog" \
        "syslog: $(tr '\n' '|' <<<"$SYSLOG")" not grep -q '\\x' <<<"$SYSLOG"
}

# Evaluate a Python expression over the JSON object on stdout (d), which must be all of
# stdout and valid UTF-8.
json_of_out() { # EXPR
    "$PYTHON" -c 'import json, sys; d = json.loads(sys.stdin.buffer.read().decode("utf-8"))
print(*eval(sys.argv[1]))' "$1" <"$OUT_FILE" 2>&1
}

scenario_json_contract() {
    local got lf=$RUN_DIR/json.lock holder
    # -v and -W print what they wait for: not on stdout, which is the JSON's.
    run_ntpsync_plain -j -v -W 0.6 -t 0.2 127.0.0.9
    got=$(json_of_out '(d["exit"], d["action"])')
    check "json_wait: stdout is one JSON object" "$(why "got '$got'")" [ "$got" = "4 none" ]
    # The lock is taken: still a JSON object, with the exit code.
    flock "$lf" sleep 5 &
    holder=$!
    sleep 0.2
    run_ntpsync -j -l "$lf" 127.0.0.1
    kill "$holder" 2>/dev/null
    wait "$holder" 2>/dev/null
    expect_rc json_lock 7
    got=$(json_of_out '(d["exit"], d["action"])')
    check "json_lock: a JSON object with exit 7" "$(why "got '$got'")" [ "$got" = "7 none" ]
    # A step the limit refuses: the action is what was done.
    start_fake 127.0.0.5 good --offset 2000 || { fail json_refused "fake did not start"; return; }
    run_ntpsync -j 127.0.0.5
    expect_rc json_refused 9
    got=$(json_of_out '(d["exit"], d["action"])')
    check "json_refused: action none with exit 9" "$(why "got '$got'")" [ "$got" = "9 none" ]
    expect_no_clock_call json_refused
    # -q says what a real run would do: refuse, with the same exit code.
    run_ntpsync -q 127.0.0.5
    expect_rc query_refused 9
    expect_text query_refused "refusing to step the clock by \+2000\.0"
    stop_fakes
    # A name that is not UTF-8 still makes valid JSON.
    run_ntpsync_plain -j -t 0.2 $'bad\xff\xfe.invalid'
    got=$(json_of_out '(d["exit"],)')
    check "json_not_utf8: valid JSON" "$(why "got '$got'")" [ "$got" = 3 ]
}

# Started with stdout or stderr closed, ntpsync must not write its lines into the lock
# file (or a socket) that would get descriptor 1 or 2; a lock path that is a symbolic
# link is refused, not followed.
scenario_closed_descriptors() {
    local lf=$RUN_DIR/closed.lock victim=$RUN_DIR/victim link=$RUN_DIR/link.lock rc
    : >"$lf"
    timeout -s KILL 20 strace -f -qq -o "$RUN_DIR/closed.trace" -e trace="$CLOCK_SYSCALLS" \
        -e inject="$CLOCK_SYSCALLS":retval=0 -- "$NTPSYNC" -v -l "$lf" 127.0.0.1 \
        >&- 2>&- </dev/null
    rc=$?
    check "closed_stdout: exit 0" "exit $rc" [ "$rc" -eq 0 ]
    check "closed_stdout: nothing written into the lock file" \
        "it holds: $(head -c 200 "$lf" | tr '\n' '|')" [ ! -s "$lf" ]
    echo precious >"$victim"
    ln -sf "$victim" "$link"
    timeout -s KILL 20 strace -f -qq -o "$RUN_DIR/symlink.trace" -e trace="$CLOCK_SYSCALLS" \
        -e inject="$CLOCK_SYSCALLS":retval=0 -- "$NTPSYNC" -l "$link" 127.0.0.1 \
        >&- </dev/null 2>"$RUN_DIR/symlink.err"
    rc=$?
    check "lock_symlink: exit 7" "exit $rc" [ "$rc" -eq 7 ]
    check "lock_symlink: the link's target is untouched" "it holds: $(tr '\n' '|' <"$victim")" \
        [ "$(cat "$victim")" = precious ]
}

# The lock must be a regular file: a FIFO or a directory is refused.
scenario_lock_file_kinds() {
    local fifo=$RUN_DIR/lock.fifo
    mkfifo "$fifo"
    run_ntpsync -l "$fifo" 127.0.0.1
    expect_rc lock_fifo 7
    expect_text lock_fifo "not a regular file"
    expect_no_clock_call lock_fifo
    run_ntpsync -l "$RUN_DIR" 127.0.0.1
    expect_rc lock_directory 7
    expect_no_clock_call lock_directory
}
