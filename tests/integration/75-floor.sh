# shellcheck shell=bash
# SPDX-License-Identifier: GPL-2.0-or-later
# tests/integration/75-floor.sh: group "floor": the time floor (-F FILE) of a board without
# an RTC: restored before anything else, saved after a sync and at shutdown (-S), a damaged
# or future-dated file refused, a server's time before it refused unless -b.
# Sourced by tests/integration.sh after helpers.sh; uses tests/lib.sh and tests/servers.sh.
# build/ntpsync-fakeclock makes the clock read 1970, as such a board boots; strace answers
# the clock calls, so the clock itself never moves.

scenarios floor_restore floor_unusable floor_saved_after_sync floor_rollback \
    floor_save_at_shutdown floor_unset_clock floor_fresh_boot

floor_date() { # SECONDS: as the floor file writes them
    date -u -d "@$1" +%Y-%m-%dT%H:%M:%SZ
}

floor_line() { # SECONDS [BOOT-ID]: the floor file's line
    printf '%s %s%s\n' "$1" "$(floor_date "$1")" "${2:+ $2}"
}

# The seconds of a floor file that holds exactly one well-formed line, or nothing.
floor_seconds() { # FILE
    local sec
    sec=$(cut -d' ' -f1 "$1" 2>/dev/null)
    [ -n "$sec" ] && [ "$(cat "$1")" = "$(floor_line "$sec" "$(floor_boot "$1")")" ] && echo "$sec"
}

floor_boot() { # FILE: the boot id it was saved in, if any
    cut -s -d' ' -f3 "$1" 2>/dev/null
}

BOOT_ID=$(cat /proc/sys/kernel/random/boot_id)
OTHER_BOOT=0a1b2c3d-4e5f-4a6b-8c7d-9e0f1a2b3c4d

fake_clock() { # the binary whose clock reads what $RUN_DIR/fakeclock-1970 says
    echo "$TESTS_DIR/../build/ntpsync-fakeclock"
}

at_1970() { # a clock file that makes build/ntpsync-fakeclock read 1970
    echo "-$(date +%s)" >"$RUN_DIR/fakeclock-1970"
    echo "$RUN_DIR/fakeclock-1970"
}

# -F alone: a board at 1970 is stepped forward to the floor (clock_settime, to the second),
# under -q only said; a clock past it and a first boot without a file are left alone.
scenario_floor_restore() {
    local f=$RUN_DIR/floor-restore floor clock got
    floor=$(($(date +%s) - 3600))
    floor_line "$floor" >"$f"
    clock=$(at_1970)
    NTPSYNC_FAKECLOCK=$clock NTPSYNC=$(fake_clock) run_ntpsync -F "$f"
    expect_rc floor_restore 0
    expect_text floor_restore "clock stepped forward to the time floor $(floor_date "$floor")"
    check "floor_restore: clock_settime to the floor's second" \
        "$(why "trace: $(clock_calls | tr '\n' '|')")" grep -q "tv_sec=$floor, tv_nsec=0" "$TRACE"
    check "floor_restore: one clock call" "$(why "trace: $(clock_calls | tr '\n' '|')")" \
        [ "$(clock_calls | wc -l)" -eq 1 ]
    check "floor_restore: the file is only read" "$(cat "$f")" \
        [ "$(floor_seconds "$f")" = "$floor" ]
    NTPSYNC_FAKECLOCK=$clock NTPSYNC=$(fake_clock) run_ntpsync -j -F "$f"
    expect_rc floor_restore_json 0
    got=$(json_eval '(d["floor"]["time"], d["floor"]["stepped"], d["floor"]["saved"], d["exit"])')
    check "floor_restore_json: the floor used, stepped to, nothing saved" "$(why "got '$got'")" \
        [ "$got" = "$floor True None 0" ]
    NTPSYNC_FAKECLOCK=$clock NTPSYNC=$(fake_clock) run_ntpsync -q -F "$f"
    expect_rc floor_restore_q 0
    expect_text floor_restore_q "reads before the time floor $(floor_date "$floor") .*: a real run steps it forward"
    expect_no_clock_call floor_restore_q
    run_ntpsync -v -F "$f"
    expect_rc floor_restore_past 0
    expect_text floor_restore_past "the clock is past the time floor"
    expect_no_clock_call floor_restore_past
    NTPSYNC_FAKECLOCK=$clock NTPSYNC=$(fake_clock) run_ntpsync -v -F "$RUN_DIR/no-floor"
    expect_rc floor_restore_none_yet 0
    expect_text floor_restore_none_yet "no time floor saved in .*no-floor yet"
    expect_no_clock_call floor_restore_none_yet
    check "floor_restore_none_yet: no file made" "$(ls "$RUN_DIR")" \
        [ ! -e "$RUN_DIR/no-floor" ]
}

# A damaged, future-dated or linked file is never trusted: -F alone fails (exit 13) with
# the clock untouched; a sync says so, goes on from the build date and writes a good one.
scenario_floor_unusable() {
    local f=$RUN_DIR/floor-bad now clock sec
    now=$(date +%s)
    clock=$(at_1970)
    printf '%s %s\n' "$((now - 3600))" "$(floor_date "$((now - 3599))")" >"$f"
    NTPSYNC_FAKECLOCK=$clock NTPSYNC=$(fake_clock) run_ntpsync -F "$f"
    expect_rc floor_damaged 13
    expect_text floor_damaged "cannot use the time floor .*floor-bad: the date is not the seconds' own: damaged"
    expect_no_clock_call floor_damaged
    floor_line "$((now + 30 * 365 * 86400))" >"$f"
    NTPSYNC_FAKECLOCK=$clock NTPSYNC=$(fake_clock) run_ntpsync -F "$f"
    expect_rc floor_future 13
    expect_text floor_future "more than 20 years after ntpsync's build date .*: not trusted"
    expect_no_clock_call floor_future
    floor_line "$((now - 3600))" >"$f"
    ln -sf "$f" "$RUN_DIR/floor-link"
    NTPSYNC_FAKECLOCK=$clock NTPSYNC=$(fake_clock) run_ntpsync -F "$RUN_DIR/floor-link"
    expect_rc floor_link 13
    expect_text floor_link "cannot use the time floor .*floor-link: a symbolic link, not followed"
    expect_no_clock_call floor_link
    echo "garbage" >"$f"
    run_ntpsync -F "$f" 127.0.0.1
    expect_rc floor_damaged_sync 0
    expect_text floor_damaged_sync "time floor .*floor-bad: not a line of seconds since 1970 and a date: damaged: ignored"
    expect_slew floor_damaged_sync 0 1000
    sec=$(floor_seconds "$f")
    check "floor_damaged_sync: replaced by the synced time" "$(why "file: $(cat "$f")")" \
        near "$sec" "$(date +%s)" 3
}

# After a sync that set the clock the floor is the servers' time (mode 0644); -q, -d and a
# failed sync write nothing; a floor that cannot be written is exit 13, the clock set.
scenario_floor_saved_after_sync() {
    local f=$RUN_DIR/floor-saved sec
    start_fake 127.0.0.5 good --offset 10 ||
        { fail floor_saved "fake server did not start"; return; }
    run_ntpsync -F "$f" 127.0.0.5
    expect_rc floor_saved 0
    expect_step floor_saved 10 0.1
    sec=$(floor_seconds "$f")
    check "floor_saved: the servers' time, 10 s ahead" "$(why "file: $(cat "$f" 2>&1)")" \
        near "$sec" "$(($(date +%s) + 10))" 3
    check "floor_saved: mode 0644" "$(stat -c %a "$f")" [ "$(stat -c %a "$f")" = 644 ]
    check "floor_saved: no temporary file left" "$(ls "$RUN_DIR")" [ ! -e "$f.tmp" ]
    run_ntpsync -j -F "$f" 127.0.0.5
    expect_rc floor_saved_json 0
    # The clock, which strace only pretended to step, is still before that floor.
    check "floor_saved_json: the floor read and stepped to, the new one saved" \
        "$(why "file: $(cat "$f")")" \
        [ "$(json_eval '(d["floor"]["time"], d["floor"]["stepped"], d["floor"]["saved"])')" = \
        "$sec True $(floor_seconds "$f")" ]
    rm -f "$f"
    run_ntpsync -q -F "$f" 127.0.0.5
    expect_rc floor_saved_q 0
    expect_text floor_saved_q "a real run saves the time floor"
    check "floor_saved_q: nothing written" "$(ls "$RUN_DIR")" [ ! -e "$f" ]
    run_ntpsync -d -F "$f" 127.0.0.5
    expect_rc floor_saved_d 0
    check "floor_saved_d: nothing written" "$(ls "$RUN_DIR")" [ ! -e "$f" ]
    mkdir -p "$f"
    run_ntpsync -F "$f" 127.0.0.5
    expect_rc floor_save_fails 13
    expect_text floor_save_fails "cannot save the time floor in .*floor-saved"
    expect_step floor_save_fails 10 0.1
    rmdir "$f"
    stop_fakes
    start_fake 127.0.0.5 stratum16 || { fail floor_not_synced "fake server did not start"; return; }
    run_ntpsync -F "$f" 127.0.0.5
    stop_fakes
    expect_rc floor_not_synced 1
    check "floor_not_synced: nothing written" "$(ls "$RUN_DIR")" [ ! -e "$f" ]
}

# A server whose time is before the floor is refused (exit 14), under -q too, the reason in
# -j; -b takes it, and the floor follows.
scenario_floor_rollback() {
    local f=$RUN_DIR/floor-rollback floor sec
    floor=$(($(date +%s) - 100))
    floor_line "$floor" >"$f"
    start_fake 127.0.0.5 good --offset -1000 ||
        { fail floor_rollback "fake server did not start"; return; }
    run_ntpsync -F "$f" 127.0.0.5
    expect_rc floor_rollback 14
    expect_text floor_rollback "refusing to set the clock to .*: before the time floor $(floor_date "$floor") .*; -b allows it"
    expect_no_clock_call floor_rollback
    check "floor_rollback: floor kept" "$(cat "$f")" [ "$(floor_seconds "$f")" = "$floor" ]
    run_ntpsync -q -F "$f" 127.0.0.5
    expect_rc floor_rollback_q 14
    run_ntpsync -j -F "$f" 127.0.0.5
    expect_rc floor_rollback_json 14
    check "floor_rollback_json: the reason says so" "$(why "reason: $(json_eval '(d["reason"],)')")" \
        grep -q "before the time floor" <<<"$(json_eval '(d["reason"],)')"
    run_ntpsync -b -F "$f" 127.0.0.5
    stop_fakes
    expect_rc floor_rollback_b 0
    expect_step floor_rollback_b -1000 0.1
    sec=$(floor_seconds "$f")
    check "floor_rollback_b: the floor follows the clock back" "$(why "file: $(cat "$f")")" \
        near "$sec" "$(($(date +%s) - 1000))" 3
}

# -F -S at shutdown: the clock's time, unless the clock reads before the build date (never
# set) or before the floor saved; -q says what it would save.
scenario_floor_save_at_shutdown() {
    local f=$RUN_DIR/floor-shutdown later clock
    run_ntpsync -F "$f" -S
    expect_rc floor_shutdown 0
    expect_no_clock_call floor_shutdown
    check "floor_shutdown: the clock's time saved" "$(why "file: $(cat "$f" 2>&1)")" \
        near "$(floor_seconds "$f")" "$(date +%s)" 3
    run_ntpsync -q -F "$RUN_DIR/floor-shutdown-q" -S
    expect_rc floor_shutdown_q 0
    expect_text floor_shutdown_q "a real run saves the time floor"
    check "floor_shutdown_q: nothing written" "$(ls "$RUN_DIR")" [ ! -e "$RUN_DIR/floor-shutdown-q" ]
    clock=$(at_1970)
    NTPSYNC_FAKECLOCK=$clock NTPSYNC=$(fake_clock) run_ntpsync -F "$f" -S
    expect_rc floor_shutdown_unset 13
    expect_text floor_shutdown_unset "the clock reads 1970-.*: not saved"
    later=$(($(date +%s) + 3600))
    floor_line "$later" >"$f"
    run_ntpsync -F "$f" -S
    expect_rc floor_shutdown_lower 13
    check "floor_shutdown_lower: the floor is never lowered" "$(cat "$f")" \
        [ "$(floor_seconds "$f")" = "$later" ]
}

# A clock a minute behind the floor (the kernel's receive timestamps are not faked, so the
# real clock plays the board that was down): stepped forward to the floor, then measured
# from it (the shift), stepped to the servers' time, 2000 s ahead (beyond -m: a clock
# before the floor, or stepped to it, is unset), which becomes the floor.
scenario_floor_unset_clock() {
    local f=$RUN_DIR/floor-unset floor second
    floor=$(($(date +%s) + 60))
    floor_line "$floor" >"$f"
    start_fake 127.0.0.5 good --offset 2000 ||
        { fail floor_unset "fake server did not start"; return; }
    run_ntpsync -v -F "$f" 127.0.0.5
    stop_fakes
    expect_rc floor_unset 0
    expect_text floor_unset "clock stepped forward to the time floor $(floor_date "$floor")"
    expect_text floor_unset "the clock is before the time floor \(-F\)"
    second=$(awk '/clock_settime\(/ { n++ } n == 2 {
            for (i = 1; i <= 3; i++) if ($i ~ /^[0-9]+\.[0-9]+$/) { t = $i; break }
            if (match($0, /tv_sec=[0-9]+/)) s = substr($0, RSTART + 7, RLENGTH - 7)
            if (match($0, /tv_nsec=[0-9]+/)) ns = substr($0, RSTART + 8, RLENGTH - 8)
            printf "%.6f\n", s + ns / 1e9 - t; exit }' "$TRACE")
    check "floor_unset: then stepped to the servers' time" "$(why "second step by '$second' s")" \
        near "$second" 2000 0.1
    check "floor_unset: the servers' time saved" "$(why "file: $(cat "$f")")" \
        near "$(floor_seconds "$f")" "$(($(date +%s) + 2000))" 3
}

# A clock past the floor and the build date that no sync has set since this boot: no floor
# saved yet, or one another boot saved (its boot id; a line without one was not written by
# this ntpsync). systemd, for one, moves a clock to its own build date at boot, and a
# restore-only run to the floor. -m does not hold it: stepped 2000 s, the new floor saved
# with this boot's id (/proc/sys/kernel/random/boot_id: the sandbox shares the machine's
# kernel); a floor of this boot refuses the same step (exit 9, no clock call), and -S in a
# boot without a sync keeps the floor's id.
scenario_floor_fresh_boot() {
    local f=$RUN_DIR/floor-boot since id name
    since=$(($(date +%s) - 100))
    start_fake 127.0.0.5 good --offset 2000 ||
        { fail floor_fresh_boot "fake server did not start"; return; }
    for id in "$OTHER_BOOT" "" none; do
        name=floor_other_boot
        if [ "$id" = none ]; then
            name=floor_none_yet
            rm -f "$f"
        else
            [ -n "$id" ] || name=floor_without_id
            floor_line "$since" "$id" >"$f"
        fi
        run_ntpsync -v -F "$f" 127.0.0.5
        expect_rc $name 0
        expect_text $name "no sync saved in .*floor-boot since this boot: the -m limit does not apply"
        expect_step $name 2000 0.1
        check "$name: the servers' time saved" "$(why "file: $(cat "$f")")" \
            near "$(floor_seconds "$f")" "$(($(date +%s) + 2000))" 3
        check "$name: with this boot's id" "$(why "file: $(cat "$f")")" \
            [ "$(floor_boot "$f")" = "$BOOT_ID" ]
    done
    floor_line "$since" "$BOOT_ID" >"$f"
    run_ntpsync -v -F "$f" 127.0.0.5
    stop_fakes
    expect_rc floor_this_boot 9
    expect_text floor_this_boot "refusing to step the clock by \\+2000\\.0"
    expect_no_clock_call floor_this_boot
    check "floor_this_boot: not said to be a fresh boot" "$(why "said so")" not has "this boot"
    check "floor_this_boot: floor kept" "$(cat "$f")" [ "$(floor_seconds "$f")" = "$since" ]
    # -S saves a time, not a sync: another boot's floor keeps its id; this boot's, this one.
    floor_line "$since" "$OTHER_BOOT" >"$f"
    run_ntpsync -F "$f" -S
    expect_rc floor_shutdown_fresh 0
    check "floor_shutdown_fresh: the clock's time" "$(why "file: $(cat "$f")")" \
        near "$(floor_seconds "$f")" "$(date +%s)" 3
    check "floor_shutdown_fresh: the floor's boot id kept" "$(why "file: $(cat "$f")")" \
        [ "$(floor_boot "$f")" = "$OTHER_BOOT" ]
    floor_line "$since" "$BOOT_ID" >"$f"
    run_ntpsync -F "$f" -S
    expect_rc floor_shutdown_synced 0
    check "floor_shutdown_synced: this boot's id" "$(why "file: $(cat "$f")")" \
        [ "$(floor_boot "$f")" = "$BOOT_ID" ]
}
