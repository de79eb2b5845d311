# shellcheck shell=bash
# SPDX-License-Identifier: GPL-2.0-or-later
# tests/integration/30-fakes.sh: group "fakes": misbehaving servers (tests/fake_server.py),
# ICMP port unreachable and silence.
# Sourced by tests/integration.sh after helpers.sh; uses tests/lib.sh and tests/servers.sh.

scenarios fake_failures fake_successes fake_auth precision_bounded slow_sample_not_server \
    icmp_unreachable \
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
# The fake's clock is the machine's: the offset's error is at most half the delay (RFC
# 5905 section 8), whatever a loaded machine makes of the delay; the slew is the offset.
fake_ok() {
    local mode=$1 name="fake_${1}_ok" offset delay
    shift
    start_fake 127.0.0.5 "$mode" || { fail "$name" "fake server did not start"; return; }
    run_ntpsync -j -t 1 "$@" 127.0.0.5
    stop_fakes
    expect_rc "$name" 0
    check "$name: slews" "$(why "action")" [ "$(json_eval '[d["action"]]')" = slew ]
    offset=$(json_eval '[d["offset"]]')
    delay=$(json_eval '[d["delay"]]')
    check "$name: |offset| <= delay / 2" "$(why "offset $offset, delay $delay")" \
        awk -v o="$offset" -v d="$delay" 'BEGIN { if (o < 0) o = -o; exit !(o != "" && o <= d / 2 + 1e-6) }'
    expect_slew "$name" "$(awk -v o="$offset" 'BEGIN { printf "%d", o * 1e6 }')" 1
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

# -a/-k against the fake signing with MD5 key 1 (--md5-key): a signed reply is used; a
# forged time whose MAC fails is not, and does not keep the real reply from being used
# (without -a it would step the clock 100 s); each way a reply can fail authentication
# is exit 1 with its reason and no clock call; an unusable key is exit 2 before any
# request is sent.
not_grep() { # REGEX FILE: REGEX is not in FILE
    ! grep -q "$1" "$2"
}

auth_case() { # NAME RC REGEX MODE [FAKE ARGS...]
    local name=$1 rc=$2 re=$3 mode=$4
    shift 4
    start_fake 127.0.0.5 "$mode" "$@" || { fail "$name" "fake server did not start"; return; }
    run_ntpsync -t 1 -a 1 -k "$KEYS" 127.0.0.5
    stop_fakes
    expect_rc "$name" "$rc"
    expect_text "$name" "$re"
    [ "$rc" -eq 0 ] && expect_slew "$name" 0 2000
    [ "$rc" -ne 0 ] && expect_no_clock_call "$name"
    expect_within "$name" 2000
}

scenario_fake_auth() {
    KEYS=$RUN_DIR/ntp.keys
    printf '1 MD5 secret1\n' >"$KEYS"
    chmod 600 "$KEYS"
    auth_case auth_ok 0 "adjust time server 127\.0\.0\.5" good --md5-key 1:secret1
    auth_case auth_forged_mac_then_real 0 "adjust time server 127\.0\.0\.5" \
        mac-forged-first --md5-key 1:secret1
    auth_case auth_flipped_mac 1 "Server dropped: authentication failed" mac-flip \
        --md5-key 1:secret1
    auth_case auth_other_secret 1 "Server dropped: authentication failed" good \
        --md5-key 1:wrongsecret
    auth_case auth_wrong_key_id 1 "Server dropped: wrong key id" good --md5-key 2:secret1
    auth_case auth_stripped 1 "Server dropped: no MAC" good
    auth_case auth_crypto_nak 1 "Server dropped: crypto-NAK .*does not have this key" crypto-nak
    start_fake 127.0.0.5 good --md5-key 1:secret1 ||
        { fail auth_unknown_key "fake server did not start"; return; }
    run_ntpsync -t 1 -a 9 -k "$KEYS" 127.0.0.5
    stop_fakes
    expect_rc auth_unknown_key 2
    expect_text auth_unknown_key "ntp\.keys: key 9 is not in the file"
    check auth_unknown_key "nothing sent: $(grep '^rx ' "$FAKE_LOG")" \
        not_grep '^rx ' "$FAKE_LOG"
    # Each request: the header, key id 1 and the 16-byte MD5 digest.
    start_fake 127.0.0.5 good --md5-key 1:secret1 ||
        { fail auth_request "fake server did not start"; return; }
    run_ntpsync -t 1 -p 1 -a 1 -k "$KEYS" 127.0.0.5
    stop_fakes
    expect_rc auth_request 0
    check auth_request "68-byte requests: $(grep '^rx ' "$FAKE_LOG")" \
        grep -q '^rx 68 bytes' "$FAKE_LOG"
    # -j: the key id and MAC type (never the key), the check; without -a no such check.
    start_fake 127.0.0.5 mac-flip --md5-key 1:secret1 ||
        { fail auth_json "fake server did not start"; return; }
    run_ntpsync -j -t 0.5 -a 1 -k "$KEYS" 127.0.0.5
    stop_fakes
    got=$(json_eval '(d["authentication"]["key_id"], d["authentication"]["mac"], d["servers"][0]["replies"][0]["verdict"].replace(" ", "_"), d["servers"][0]["replies"][0]["checks"]["authentication"], d["servers"][0]["replies"][0]["checks"]["version"], d["exit"])')
    check auth_json "$(why "got '$got'")" \
        [ "$got" = "1 MD5 authentication_failed fail not reached 1" ]
    check auth_json_no_key "key bytes in -j" [ "${OUT/secret1/}" = "$OUT" ]
    start_fake 127.0.0.5 good || { fail auth_json_none "fake server did not start"; return; }
    run_ntpsync -j -t 0.5 127.0.0.5
    stop_fakes
    got=$(json_eval '("authentication" in d, "authentication" in d["servers"][0]["replies"][0]["checks"])')
    check auth_json_none "$(why "got '$got'")" [ "$got" = "False False" ]
}
