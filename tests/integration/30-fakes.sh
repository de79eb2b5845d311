# shellcheck shell=bash
# SPDX-License-Identifier: GPL-2.0-or-later
# tests/integration/30-fakes.sh: group "fakes": misbehaving servers (tests/fake_server.py),
# ICMP port unreachable and silence.
# Sourced by tests/integration.sh after helpers.sh; uses tests/lib.sh and tests/servers.sh.

scenarios fake_failures fake_successes precision_bounded slow_sample_not_server icmp_unreachable \
    silent_short_timeout

# fake_case MODE RC REGEX: start the fake on 127.0.0.5, sync from it, expect failure.
fake_case() {
    local mode=$1 rc=$2 re=$3 name="fake_${1}"
    start_fake 127.0.0.5 "$mode" || { fail "$name" "fake server did not start"; return; }
    run_ntpsync -t 1 127.0.0.5
    stop_fakes
    expect_rc "$name" "$rc"
    expect_text "$name" "$re"
    expect_text "$name" "no server suitable for synchronization found"
    expect_no_clock_call "$name"
    expect_within "$name" 2000
}

# A server's precision is a tolerance for T3 before T2 and a negative delay, but at most
# 2^-6 s: one that claimed a clock of 4 s (precision +2) with T3 1 s before T2 was used
# (slew -0.5 s); one that claimed 2^30 s with a delay of -10 s stepped the clock +5 s.
scenario_precision_bounded() {
    start_fake 127.0.0.5 tx-before-rx --precision 2 ||
        { fail precision_tx_before_rx "fake server did not start"; return; }
    run_ntpsync -t 1 127.0.0.5
    stop_fakes
    expect_rc precision_tx_before_rx 1
    expect_text precision_tx_before_rx "server is very broken \(transmit timestamp earlier than receive"
    expect_no_clock_call precision_tx_before_rx
    start_fake 127.0.0.5 negative-delay --precision 30 ||
        { fail precision_negative_delay "fake server did not start"; return; }
    run_ntpsync -t 0.5 127.0.0.5
    stop_fakes
    expect_rc precision_negative_delay 1
    expect_text precision_negative_delay "Server dropped: negative delay"
    expect_no_clock_call precision_negative_delay
}

# A server whose own root distance is fine (root delay 2.94 s: 1.47 s, + 0.001 s root
# dispersion) and whose first reply takes 80 ms: with that round trip the sample's root
# distance is (2.94 + 0.08) / 2 + 0.001 = 1.511 s, above 1.5 s. That sample is dropped, the
# next four are used. Before, "root distance too large" dropped the server.
scenario_slow_sample_not_server() {
    local name=slow_sample_not_server accepted dropped
    start_fake 127.0.0.5 slow-first=80 --root-delay 2.94 ||
        { fail "$name" "fake server did not start"; return; }
    run_ntpsync -d -p 4 127.0.0.5
    expect_rc "$name -d" 0
    accepted=$(count '^  accepted$' "$OUT")
    dropped=$(count '^  rejected: delay too large \(with this round trip the root distance' "$OUT")
    check "$name: the slow sample dropped" "$(why "$dropped dropped")" [ "$dropped" -eq 1 ]
    check "$name: the other 4 used" "$(why "$accepted accepted")" [ "$accepted" -eq 4 ]
    run_ntpsync -p 4 127.0.0.5
    stop_fakes
    expect_rc "$name" 0
    expect_slew "$name" 0 2000
}

# fake_ok MODE [NTPSYNC-OPTION...]: the fake's quirk must not stop the sync.
fake_ok() {
    local mode=$1 name="fake_${1}_ok"
    shift
    start_fake 127.0.0.5 "$mode" || { fail "$name" "fake server did not start"; return; }
    run_ntpsync -t 1 "$@" 127.0.0.5
    stop_fakes
    expect_rc "$name" 0
    expect_text "$name" "adjust time server 127\.0\.0\.5 offset [-+]0\.00"
    expect_slew "$name" 0 2000
    expect_within "$name" 2000
}

scenario_fake_failures() {
    fake_case stratum16 1 "strata too high"
    fake_case li3 1 "Leap not in sync"
    fake_case stratum0 1 "strata too high|kiss-o'-death|stratum 0"
    fake_case rate 6 "kiss-o'-death RATE"
    fake_case deny 6 "kiss-o'-death DENY"
    fake_case rstr 6 "kiss-o'-death RSTR"
    fake_case wrong-origin 1 "origin"
    fake_case other-port 4 "no reply"
    fake_case short 1 "too short"
    fake_case bad-mode 1 "mode"
    fake_case bad-version 1 "version"
    fake_case version0 1 "version"
    fake_case zero-ts 1 "zero"
    fake_case zero-rx 1 "zero"
    fake_case tx-before-rx 1 "transmit timestamp earlier than receive"
    fake_case ref-future 1 "Server dropped: reference time in the future \(the server's reference time"
    fake_case huge-dispersion 1 "root distance"
    fake_case huge-delay 1 "root distance"
    fake_case silent 4 "no reply"
}

scenario_fake_successes() {
    fake_ok extension
    fake_ok forged-first
    fake_ok duplicate
    fake_ok first-only -p 4
    fake_ok rate-after-first -p 4
}

scenario_icmp_unreachable() {
    run_ntpsync 127.0.0.9
    expect_rc icmp_unreachable 4
    expect_text icmp_unreachable "port unreachable"
    expect_no_clock_call icmp_unreachable
    expect_within icmp_unreachable 500
}

scenario_silent_short_timeout() {
    start_fake 127.0.0.5 silent || { fail silent_t05 "fake server did not start"; return; }
    run_ntpsync -t 0.5 127.0.0.5
    stop_fakes
    expect_rc silent_t05 4
    expect_within silent_t05 1500
}
