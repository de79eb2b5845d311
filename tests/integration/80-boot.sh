# shellcheck shell=bash
# SPDX-License-Identifier: GPL-2.0-or-later
# tests/integration/80-boot.sh: group "boot": boot and cron: -j, -W, the lock, -R, the step
# limit, -w.
# Sourced by tests/integration.sh after helpers.sh; uses tests/lib.sh and tests/servers.sh.

scenarios json wait_for_unsynchronized_server clock_set_meanwhile lock jitter step_limit \
    rtc_unavailable

scenario_json() {
    local got
    run_ntpsync -j 127.0.0.1
    expect_rc json_sync 0
    got=$(json_eval '(d["chosen"], d["action"], d["exit"], len(d["servers"][0]["replies"]))')
    check "json_sync: one JSON object: chose 127.0.0.1, slewed, exit 0, 4 replies" \
        "$(why "got '$got'")" [ "$got" = "127.0.0.1 slew 0 4" ]
    expect_slew json_sync 0 1000
    start_fake 127.0.0.5 stratum16 || { fail json_failure "fake server did not start"; return; }
    run_ntpsync -j 127.0.0.5
    stop_fakes
    expect_rc json_failure 1
    got=$(json_eval '(d["servers"][0]["replies"][0]["checks"]["stratum"], d["servers"][0]["replies"][0]["checks"]["leap"], d["chosen"], d["action"], d["exit"])')
    check "json_failure: stratum check failed, the rest not reached, no action" \
        "$(why "got '$got'")" [ "$got" = "fail not reached None none 1" ]
    expect_no_clock_call json_failure
    # A reply longer than ntpsync reads: its real length, flagged; the header is used.
    start_fake 127.0.0.5 jumbo || { fail json_truncated "fake server did not start"; return; }
    run_ntpsync -j -q -p 1 127.0.0.5
    stop_fakes
    expect_rc json_truncated 0
    got=$(json_eval '(d["servers"][0]["replies"][0]["bytes"], d["servers"][0]["replies"][0]["truncated"], d["servers"][0]["replies"][0]["verdict"])')
    check "json_truncated: a 1400-byte reply says bytes 1400, truncated" \
        "$(why "got '$got'")" [ "$got" = "1400 True accepted" ]
}

# A server that has just started answers as classic ntpd and NTPsec do (LI 3, stratum 0,
# INIT) for 1.5 s, then +10 s: -W waits, then steps.
scenario_wait_for_unsynchronized_server() {
    local later
    start_fake 127.0.0.5 init --lifetime 1.5 ||
        { fail wait_unsynced "fake server did not start"; return; }
    (sleep 1.7; exec "$PYTHON" "$TESTS_DIR/fake_server.py" --addr 127.0.0.5 --port 123 \
        --mode good --offset 10 --lifetime 8 >/dev/null 2>&1) &
    later=$!
    run_ntpsync -W 10 -v 127.0.0.5
    kill "$later" 2>/dev/null
    wait "$later" 2>/dev/null
    stop_fakes
    expect_rc wait_unsynced 0
    expect_text wait_unsynced "strata too high \(stratum 0, kiss code INIT: the server is not synchronized yet"
    expect_text wait_unsynced "waiting for a synchronized server"
    expect_step wait_unsynced 10 0.1
    check "wait_unsynced: waited for the server" "$(why "too soon")" [ "$ELAPSED_MS" -ge 1500 ]

    start_fake 127.0.0.5 silent || { fail wait_deadline "fake server did not start"; return; }
    run_ntpsync -W 1 -t 0.3 127.0.0.5
    stop_fakes
    expect_rc wait_deadline 4
    check "wait_deadline: kept trying for 1 s" "$(why "too soon")" [ "$ELAPSED_MS" -ge 1000 ]
    expect_within wait_deadline 3000
    expect_no_clock_call wait_deadline
}

# A board boots at 1970 and ntpsync -W waits for a server that is not synchronized yet;
# meanwhile something else (init, an RTC driver) sets the clock. The unset-clock shift
# must be measured again, or the tiny offset that is left is taken for a 56-year step and
# refused. build/ntpsync-fakeclock reads the time shifted by the seconds in a file.
scenario_clock_set_meanwhile() {
    local fake=$TESTS_DIR/../build/ntpsync-fakeclock later setter f=$RUN_DIR/fakeclock
    if [ ! -x "$fake" ]; then
        fail clock_set_meanwhile "no $fake (make check builds it)"
        return
    fi
    echo "-$(date +%s)" >"$f"
    start_fake 127.0.0.5 stratum16 --lifetime 1.5 ||
        { fail clock_set_meanwhile "fake server did not start"; return; }
    (sleep 1.7; exec "$PYTHON" "$TESTS_DIR/fake_server.py" --addr 127.0.0.5 --port 123 \
        --mode good --offset 0.2 --lifetime 8 >/dev/null 2>&1) &
    later=$!
    (sleep 0.8; echo 0 >"$f") &
    setter=$!
    NTPSYNC_FAKECLOCK=$f NTPSYNC=$fake run_ntpsync -W 10 -v 127.0.0.5
    kill "$later" "$setter" 2>/dev/null
    wait "$later" "$setter" 2>/dev/null
    stop_fakes
    expect_rc clock_set_meanwhile 0
    expect_text clock_set_meanwhile "the clock is before the build date"
    expect_slew clock_set_meanwhile 200000 20000
}

scenario_lock() {
    local lock=$RUN_DIR/ntpsync.lock holder i
    # The subshell becomes sleep, so that killing it frees the lock.
    (flock 9 && exec sleep 10) 9>"$lock" &
    holder=$!
    # shellcheck disable=SC2034 # i counts the tries
    for i in $(seq 50); do flock -n "$lock" true || break; sleep 0.05; done
    run_ntpsync -l "$lock" 127.0.0.1
    expect_rc lock_held 7
    expect_text lock_held "another ntpsync is running"
    expect_no_clock_call lock_held
    run_ntpsync -q -l "$lock" 127.0.0.1
    expect_rc lock_not_needed_for_query 0
    kill "$holder" 2>/dev/null
    wait "$holder" 2>/dev/null
    run_ntpsync -l "$lock" 127.0.0.1
    expect_rc lock_free 0
    expect_slew lock_free 0 1000
    run_ntpsync -l /nonexistent/dir/ntpsync.lock 127.0.0.1
    expect_rc lock_unusable 7
    expect_text lock_unusable "cannot open the lock file"
    expect_no_clock_call lock_unusable
}

scenario_jitter() {
    run_ntpsync -q -v -R 0.5 127.0.0.1
    expect_rc jitter 0
    expect_text jitter "waiting [0-9.]+ s before starting \(-R\)"
    expect_within jitter 3000
}

# The clock here is past the build date, so ntpd's 1000 s panic limit applies.
scenario_step_limit() {
    start_fake 127.0.0.5 good --offset 2000 ||
        { fail step_limit "fake server did not start"; return; }
    run_ntpsync 127.0.0.5
    expect_rc step_limit 9
    expect_text step_limit "refusing to step the clock by \+2000\.0"
    expect_no_clock_call step_limit
    run_ntpsync -m 0 127.0.0.5
    expect_rc step_limit_m0 0
    expect_step step_limit_m0 2000 0.1
    run_ntpsync -b 127.0.0.5
    expect_rc step_limit_b 0
    expect_step step_limit_b 2000 0.1
    run_ntpsync -m 2500 127.0.0.5
    expect_rc step_limit_m2500 0
    stop_fakes
}

# No RTC here (and RTC_SET_TIME would need CAP_SYS_TIME): -w fails on its own.
scenario_rtc_unavailable() {
    run_ntpsync -w 127.0.0.1
    expect_rc rtc_unavailable 8
    expect_text rtc_unavailable "cannot write the RTC /dev/rtc0"
}
