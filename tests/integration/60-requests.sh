# shellcheck shell=bash
# SPDX-License-Identifier: GPL-2.0-or-later
# tests/integration/60-requests.sh: group "requests": what the requests look like, and an
# off-path attacker.
# Sourced by tests/integration.sh after helpers.sh; uses tests/lib.sh and tests/servers.sh.

scenarios request_fields attack_wrong_origin attack_wrong_port attack_wrong_addr \
    attack_duplicates attack_flood attack_icmp_sweep request_privacy backoff_silent \
    silent_after_answer rate_limited_ntpsec

scenario_request_fields() {
    start_fake 127.0.0.5 good || { fail request_fields "fake server did not start"; return; }
    run_ntpsync -q -p 4 127.0.0.5
    stop_fakes
    expect_rc request_fields 0
    local n z
    n=$(grep -c '^rx ' "$FAKE_LOG")
    z=$(grep -c '^rx .*vn4 mode3 request-fields-zero=yes' "$FAKE_LOG")
    check "request_fields: 4 requests with -p 4" "$n requests" [ "$n" -eq 4 ]
    check "request_fields: all fields zero but byte 0 and transmit" "$(cat "$FAKE_LOG")" [ "$z" -eq "$n" ]

    start_fake 127.0.0.5 good || { fail request_version "fake server did not start"; return; }
    run_ntpsync -q -o 3 -p 1 127.0.0.5
    stop_fakes
    expect_rc request_version_o3 0
    check "request_version_o3: sends version 3" "$(cat "$FAKE_LOG")" grep -q '^rx .* vn3 mode3' "$FAKE_LOG"
}

# --- an off-path attacker -----------------------------------------------------------------
# Forged replies race the real one: none may be used, and none may keep the real reply from
# being used. The forged times are 100 s off, so using one would show.

# forged-first: per request, a reply with a wrong origin, then a kiss-o'-death DENY with a
# wrong origin, then the real reply. -d shows every datagram that reached ntpsync.
scenario_attack_wrong_origin() {
    local name=attack_wrong_origin bogus accepted
    start_fake 127.0.0.5 forged-first || { fail "$name" "fake server did not start"; return; }
    run_ntpsync -d -p 4 127.0.0.5
    stop_fakes
    expect_rc "$name" 0
    bogus=$(count '^  rejected: bogus origin' "$OUT")
    accepted=$(count '^  accepted$' "$OUT")
    check "$name: all 8 forgeries rejected as bogus origin" "$(why "$bogus bogus")" [ "$bogus" -eq 8 ]
    check "$name: the 4 real replies used" "$(why "$accepted accepted")" [ "$accepted" -eq 4 ]
    check "$name: the forged DENY does not drop the server" "$(why "")" \
        not has "Server dropped|rejected: kiss-o'-death"
    check "$name: offset of the real replies" "$(why "")" near "$(printed_offset 127.0.0.5)" 0 0.01
    expect_within "$name" 2000
}

# race_case NAME MODE [FAKE-ARG...]: the fake sends, per request, a forged reply with the
# RIGHT origin (time +100 s) and a forged DENY with the right origin from a source that
# is not the server's (another port or address), then the real reply. The connected
# socket must drop both forgeries: -d sees only the 4 real replies, the sync uses them.
race_case() {
    local name=$1 mode=$2 received sent
    shift 2
    start_fake 127.0.0.5 "$mode" "$@" || { fail "$name" "fake server did not start"; return; }
    run_ntpsync -d -p 4 127.0.0.5
    expect_rc "$name -d" 0
    received=$(count '^receive 127\.0\.0\.5' "$OUT")
    sent=$(grep -c "reply=forged-time" "$FAKE_LOG")
    check "$name: forgeries were sent" "fake log: $(tr '\n' '|' <"$FAKE_LOG")" [ "$sent" -eq 4 ]
    check "$name: only the 4 real replies reach ntpsync" "$(why "$received received")" \
        [ "$received" -eq 4 ]
    check "$name: -d offset of the real replies" "$(why "")" near "$(printed_offset 127.0.0.5)" 0 0.01
    check "$name: the forged DENY does not drop the server" "$(why "")" not has "kiss-o'-death"
    run_ntpsync -t 1 127.0.0.5
    stop_fakes
    expect_rc "$name" 0
    expect_text "$name" "adjust time server 127\.0\.0\.5 offset [-+]0\.00"
    expect_slew "$name" 0 2000
    expect_within "$name" 2000
}

scenario_attack_wrong_port() {
    race_case attack_wrong_port port-race
    grep -q 'reply=forged-time .* from-port=124 ' "$FAKE_LOG" ||
        fail attack_wrong_port "forgeries not sent from port 124: $(tr '\n' '|' <"$FAKE_LOG")"
}

scenario_attack_wrong_addr() {
    race_case attack_wrong_addr addr-race --other-addr 127.0.0.6
    grep -q 'reply=forged-time .* from-port=123 from-addr=127\.0\.0\.6' "$FAKE_LOG" ||
        fail attack_wrong_addr "forgeries not sent from 127.0.0.6:123: $(tr '\n' '|' <"$FAKE_LOG")"
}

# Every reply sent twice: each counts once, and -p N sends exactly N requests.
scenario_attack_duplicates() {
    local name=attack_duplicates requests dups accepted
    start_fake 127.0.0.5 duplicate || { fail "$name" "fake server did not start"; return; }
    run_ntpsync -d -p 4 127.0.0.5
    stop_fakes
    expect_rc "$name" 0
    requests=$(grep -c '^rx ' "$FAKE_LOG")
    accepted=$(count '^  accepted$' "$OUT")
    dups=$(count '^  rejected: duplicate' "$OUT")
    check "$name: server line" "$(why "")" asked 127.0.0.5
    check "$name: -p 4 sends 4 requests" "$requests requests: $(tr '\n' '|' <"$FAKE_LOG")" \
        [ "$requests" -eq 4 ]
    check "$name: 4 replies used" "$(why "$accepted accepted")" [ "$accepted" -eq 4 ]
    check "$name: duplicates rejected as such" "$(why "$dups duplicates")" [ "$dups" -ge 3 ]
    expect_within "$name" 2000
}

# A flood of forgeries from the server's own address and port, never the real reply, while
# -d writes to a reader that takes 4 KB every 10 ms: ntpsync always has a datagram to read
# and waits on its stdout, yet -t 1 must end the run after about a second (the flood lasts
# 4 s). Only ntpsync's own time counts, not the reader's.
scenario_attack_flood() {
    local name=attack_flood t0 end rc forgeries out=$RUN_DIR/flood.out
    start_fake 127.0.0.5 flood || { fail "$name" "fake server did not start"; return; }
    t0=$(now_ms)
    {
        timeout -s KILL 60 "$NTPSYNC" -d -t 1 127.0.0.5 2>&1
        echo "$? $(now_ms)" >"$out.end"
    } | "$PYTHON" -c 'import sys, time
while True:
    data = sys.stdin.buffer.read1(4096)
    if not data:
        break
    sys.stdout.buffer.write(data)
    time.sleep(0.01)' >"$out"
    stop_fakes
    read -r rc end <"$out.end"
    ELAPSED_MS=$((end - t0))
    forgeries=$(grep -c '^  rejected: bogus origin' "$out")
    echo "# $name: -t 1 under a flood of forgeries ($forgeries read), -d to a slow reader: $ELAPSED_MS ms"
    check "$name: exit 1 (only forgeries came)" "exit $rc" [ "$rc" -eq 1 ]
    check "$name: the flood was on" "$forgeries forgeries read" [ "$forgeries" -gt 100 ]
    check "$name: -t 1 holds: done within 2500 ms" "took $ELAPSED_MS ms" [ "$ELAPSED_MS" -le 2500 ]
}

# An off-path attacker sweeps the ephemeral ports with forged ICMP port unreachables (the
# whole range every 0.5 s, tests/icmp_forger.py), while the server answers after 0.6 s:
# every run must still sync. An address that is really dead must still be given up at once:
# its ICMP error quotes our request. Prints both figures.
scenario_attack_icmp_sweep() {
    local name=attack_icmp_sweep forger i ok=0 runs=10 times=() median ignored ready
    local log=$RUN_DIR/forger.log
    for i in 1 2 3 4 5; do
        run_ntpsync_plain -q 127.0.0.9
        [ "$RC" -eq 4 ] || fail "$name: dead address, run $i" "$(why "")"
        times+=("$ELAPSED_MS")
    done
    median=$(printf '%s\n' "${times[@]}" | sort -n | sed -n 3p)
    echo "# $name: a dead address (ICMP port unreachable) given up in $median ms (median of 5 runs: ${times[*]})"
    check "$name: a dead address is given up within 500 ms" "${times[*]} ms" [ "$median" -le 500 ]
    start_fake 127.0.0.5 delay=600 || { fail "$name" "fake server did not start"; return; }
    ready=$RUN_DIR/forger.ready
    rm -f "$ready"
    "$PYTHON" "$TESTS_DIR/icmp_forger.py" --victim 127.0.0.1 --server 127.0.0.5 \
        --sweep 0.5 --seconds 60 --ready-file "$ready" --log "$log" >/dev/null 2>&1 &
    forger=$!
    for i in $(seq 50); do [ -e "$ready" ] && break; sleep 0.1; done
    for i in $(seq "$runs"); do
        run_ntpsync_plain -q 127.0.0.5
        [ "$RC" -eq 0 ] && ok=$((ok + 1))
    done
    run_ntpsync -d -p 1 127.0.0.5
    ignored=$(count 'ICMP .* does not quote our request' "$OUT")
    kill -TERM "$forger" 2>/dev/null
    wait "$forger" 2>/dev/null
    stop_fakes
    echo "# $name: $ok of $runs runs synced under the sweep ($(cat "$log" 2>/dev/null))"
    check "$name: the forger ran" "no forger log" grep -q 'sweeps=[1-9]' "$log"
    check "$name: every run synced despite the forged ICMP errors" "$ok of $runs" [ "$ok" -eq "$runs" ]
    check "$name: -d shows forged ICMP errors ignored" "$(why "$ignored ignored")" [ "$ignored" -ge 1 ]
}

# Requests leak nothing: 48 bytes, all zero but byte 0 and the transmit timestamp, which
# is random (all differ, and they are not our clock); a random source port per run.
scenario_request_privacy() {
    local name=request_privacy i n zero xmts distinct near_now ports nports now
    start_fake 127.0.0.5 good || { fail "$name" "fake server did not start"; return; }
    for i in 1 2 3 4 5; do
        run_ntpsync -q -p 4 127.0.0.5
        [ "$RC" -eq 0 ] || fail "$name: run $i" "$(why "")"
    done
    stop_fakes
    n=$(grep -c '^rx ' "$FAKE_LOG")
    zero=$(grep -c '^rx 48 bytes .* vn4 mode3 request-fields-zero=yes xmt=[0-9a-f]\{16\}$' "$FAKE_LOG")
    check "$name: 20 requests in 5 runs of -p 4" "$n requests" [ "$n" -eq 20 ]
    check "$name: 48 bytes, all zero but byte 0 and transmit" "$(grep '^rx' "$FAKE_LOG" | head -n 3)" \
        [ "$zero" -eq "$n" ]
    xmts=$(sed -n 's/^rx .* xmt=\([0-9a-f]*\).*/\1/p' "$FAKE_LOG")
    distinct=$(sort -u <<<"$xmts" | grep -vc '^0*$')
    check "$name: 20 different transmit timestamps" "$distinct distinct: $(tr '\n' ' ' <<<"$xmts")" \
        [ "$distinct" -eq 20 ]
    # NTP seconds now; a random timestamp lands within a day of it with p = 4e-5.
    now=$(($(date +%s) + 2208988800))
    near_now=$(while read -r x; do
        s=$((16#${x:0:8}))
        d=$((s - (now & 0xffffffff)))
        [ "${d#-}" -le 86400 ] && echo "$x"
    done <<<"$xmts" | wc -l)
    check "$name: transmit timestamps do not tell our clock" "$near_now of 20 within a day of now" \
        [ "$near_now" -le 1 ]
    ports=$(sed -n 's/^rx .* from 127\.0\.0\.1:\([0-9]*\) .*/\1/p' "$FAKE_LOG" | sort -u)
    nports=$(wc -l <<<"$ports")
    check "$name: source port differs across 5 runs" "ports: $(tr '\n' ' ' <<<"$ports")" \
        [ "$nports" -ge 2 ]
    check "$name: never source port 123 or a privileged port" "ports: $(tr '\n' ' ' <<<"$ports")" \
        not grep -qvE '^([0-9]{5}|[2-9][0-9]{3}|1[1-9][0-9]{2}|10[3-9][0-9]|102[4-9])$' <<<"$ports"
}

# --- the packet budget (README) -------------------------------------------------------------

# The gaps in ms between the requests of the last run, from the T1 of each -d transmit line.
transmit_gaps() {
    "$PYTHON" -c 'import re, sys
t = [int(a, 16) + int(b, 16) / 2**32
     for a, b in re.findall(r"^transmit .* T1 ([0-9a-f]{8})\.([0-9a-f]{8})", sys.stdin.read(), re.M)]
print(" ".join("%d" % ((b - a) * 1000) for a, b in zip(t, t[1:])))' <<<"$OUT"
}

growing() { # GAP...: each at least 1.5 times the one before
    local prev=0 g
    for g in "$@"; do
        [ "$prev" -eq 0 ] || [ $((g * 2)) -ge $((prev * 3)) ] || return 1
        prev=$g
    done
}

# A silent server: requests back off exponentially (0, 0.1, 0.3, 0.7 s with -t 1), and -W
# keeps the pace across its rounds: 0, 0.1, 0.3, 0.7, 1.5, 3.1 s in 5 s.
scenario_backoff_silent() {
    local name=backoff_silent n gaps
    start_fake 127.0.0.5 silent || { fail "$name" "fake server did not start"; return; }
    run_ntpsync -d -t 1 127.0.0.5
    n=$(grep -c '^rx ' "$FAKE_LOG")
    gaps=$(transmit_gaps)
    echo "# $name: -t 1: $n requests, gaps $gaps ms"
    expect_rc "$name" 4
    check "$name: -t 1 sends 4 requests to a silent server" "$n requests" [ "$n" -eq 4 ]
    # shellcheck disable=SC2086 # one argument per gap
    check "$name: each wait at least 1.5 times the last" "gaps $gaps ms" growing $gaps
    stop_fakes
    start_fake 127.0.0.5 silent || { fail "$name" "fake server did not start"; return; }
    run_ntpsync -d -W 5 -t 1 127.0.0.5
    n=$(grep -c '^rx ' "$FAKE_LOG")
    gaps=$(transmit_gaps)
    stop_fakes
    echo "# $name: -W 5 -t 1: $n requests in $ELAPSED_MS ms, gaps $gaps ms"
    expect_rc "$name -W 5" 4
    check "$name: -W 5 sends at most 6 requests to a silent server" "$n requests" [ "$n" -le 6 ]
    # shellcheck disable=SC2086 # one argument per gap
    check "$name: -W 5: each wait at least 1.5 times the last" "gaps $gaps ms" growing $gaps
    expect_no_clock_call "$name -W 5"
}

# A server that answers (stratum 16: not synchronized yet) and then goes silent limits the
# rate by silence: asked again 2 s later, and once more, then never again in this run,
# although -W 20 would go on.
scenario_silent_after_answer() {
    local name=silent_after_answer n
    start_fake 127.0.0.5 stratum16-then-silent || { fail "$name" "fake server did not start"; return; }
    run_ntpsync -v -W 20 -t 1 127.0.0.5
    n=$(grep -c '^rx ' "$FAKE_LOG")
    stop_fakes
    echo "# $name: $n requests, $ELAPSED_MS ms"
    expect_rc "$name" 4
    check "$name: 3 requests: the answer, then 2 unanswered" "$n requests" [ "$n" -eq 3 ]
    expect_text "$name" "answered earlier in this run, then left 2 requests in a row unanswered"
    check "$name: gave up before the 20 s of -W" "$(why "")" [ "$ELAPSED_MS" -lt 15000 ]
}

# One run of ntpsync -j -q against ADDR; sets R to "EXIT REQUESTS VERDICT..." (a verdict's
# spaces as _) and WORDS to its words.
json_run() { # ADDR [OPTION...]
    local addr=$1
    shift
    run_ntpsync -j -q "$@" "$addr"
    R=$("$PYTHON" -c 'import json, sys
d = json.loads(sys.stdin.read())
s = d["servers"][0]
print(d["exit"], s["requests"], *[r["verdict"].replace(" ", "_") for r in s["replies"]])' \
        <<<"$OUT" 2>/dev/null) || R="$RC ? unparsed"
    read -r -a WORDS <<<"$R"
}

# NTPsec with "restrict default kod limited" (1 packet a second on average, bursts of 20,
# KoDs 0.5 a second), asked from 127.0.0.2, an address that is not its own: the route to
# it gets that source (ntpsync has no source option). Runs one after the other until the
# server sends RATE, then until it is silent: a RATE ends the asking at once, a silent run
# sends no more than a silent server gets (4), and -W 6 against it no more than 6.
scenario_rate_limited_ntpsec() {
    local name=rate_limited_ntpsec addr=127.0.0.10 i req rate=0 silent=0
    ip addr add 127.0.0.2/32 dev lo 2>/dev/null
    if ! NTPSEC_WAIT=30 start_ntpsec "$addr" "restrict default kod limited" ||
        ! ip route replace local "$addr" dev lo src 127.0.0.2 table local; then
        fail "$name" "NTPsec on $addr did not start"
        return
    fi
    check "$name: requests to $addr leave from 127.0.0.2" "$(ip route get "$addr")" \
        grep -q 'src 127\.0\.0\.2' <<<"$(ip route get "$addr")"
    for i in $(seq 12); do
        json_run "$addr"
        echo "# $name: run $i: exit, requests, replies: $R"
        if [[ " $R " == *RATE* ]]; then
            rate=$i
            req=$((${#WORDS[@]} - 2))
            check "$name: run $i: nothing asked after the RATE" "$R" \
                [ "${WORDS[1]}" -eq "$req" ] && [ "${WORDS[-1]}" = "kiss-o'-death_RATE" ]
            break
        fi
        check "$name: run $i syncs" "$R" [ "${WORDS[0]}" -eq 0 ]
    done
    check "$name: NTPsec sent RATE within 12 runs" "no RATE" [ "$rate" -gt 0 ]
    for i in $(seq 30); do
        json_run "$addr"
        if [ "${WORDS[0]}" -eq 4 ]; then
            silent=$i
            echo "# $name: silent after $i more runs (each one RATE): exit, requests: $R"
            check "$name: a run against the silent server sends at most 4" "$R" [ "${WORDS[1]}" -le 4 ]
            break
        fi
        check "$name: RATE run $i: one request" "$R" [ "${WORDS[0]}" -eq 6 ] && [ "${WORDS[1]}" -eq 1 ]
    done
    check "$name: NTPsec went silent within 30 runs" "never silent" [ "$silent" -gt 0 ]
    json_run "$addr" -W 6
    echo "# $name: -W 6 against it: exit, requests, replies: $R ($ELAPSED_MS ms)"
    check "$name: -W 6 sends at most 6 requests" "$R" [ "${WORDS[1]}" -le 6 ]
    if [[ " $R " == *RATE* ]]; then
        check "$name: -W 6: nothing asked after the RATE" "$R" [ "${WORDS[-1]}" = "kiss-o'-death_RATE" ]
    fi
    stop_ntpsec "$addr"
    ip addr del "$addr/32" dev lo 2>/dev/null
}
