#!/bin/bash
# tests/integration.sh [NTPSYNC]: ntpsync against real servers (chrony, NTPsec) and the
# misbehaving tests/fake_server.py, all on the loopback of tests/sandbox.sh.
#
# Re-runs itself inside the sandbox, where every clock-setting call fails with EPERM.
# To see what ntpsync does to the clock, it runs under strace with those syscalls
# injected to "succeed" without running, and the traced arguments are checked.
# Prints "ok - NAME" / "not ok - NAME: WHY" lines and ends with "N passed, N failed".
#
# Addresses: 127.0.0.1 chrony (local stratum 8), 127.0.0.2 chrony +10 s, 127.0.0.3 NTPsec
# (orphan, stratum 8), 127.0.0.4 chrony +0.2 s, ::1 chrony, 127.0.0.5..8 fake servers,
# 127.0.0.9 nothing (ICMP port unreachable).
# shellcheck source-path=SCRIPTDIR
set -u

here=$(cd "$(dirname "$0")" && pwd)
root=$(dirname "$here")
NTPSYNC=$(realpath "${1:-$root/ntpsync}")

if [ "${SANDBOXED:-}" != 1 ]; then
    exec "$here/sandbox.sh" "$here/integration.sh" "$@"
fi

. "$here/lib.sh"
require_sandbox
. "$here/servers.sh"
cleanup() {
    if [ "$FAILED" -gt 0 ] || [ -n "${KEEP_LOGS:-}" ]; then
        stop_servers
        echo "# logs kept: servers in $SERVERS_DIR, ntpsync runs in $RUN_DIR" >&2
    else
        cleanup_servers
        rm -rf "$RUN_DIR"
    fi
}
trap cleanup EXIT

# --- helpers ------------------------------------------------------------------------

# The offset ntpsync printed for ADDR in its "server ADDR, stratum S, offset O, ..." line.
printed_offset() { # ADDR
    sed -n "s/^server $1, stratum [0-9]*, offset \([-+0-9.]*\),.*/\1/p" <<<"$OUT" | head -n 1
}

has() { # REGEX: in stdout or stderr
    grep -Eq -- "$1" <<<"$ALL"
}

no_clock_call() { [ -z "$(clock_calls)" ]; }

not() { ! "$@"; }

asked() { # ADDR: ntpsync printed a server line for ADDR
    [ -n "$(printed_offset "$1")" ]
}

# What went wrong with the last run, for "not ok" lines.
why() {
    printf '%s (exit %s, %s ms); output: %s' "$1" "$RC" "$ELAPSED_MS" \
        "$(tr '\n' '|' <<<"$ALL" | cut -c1-400)"
}

expect_rc() { # NAME RC
    check "$1: exit $2" "$(why "exit status")" [ "$RC" -eq "$2" ]
}

expect_text() { # NAME REGEX
    check "$1: says '$2'" "$(why "not found")" has "$2"
}

expect_no_clock_call() { # NAME
    check "$1: clock untouched" "clock calls: $(clock_calls | tr '\n' '|')" no_clock_call
}

expect_within() { # NAME MS
    check "$1: done within $2 ms" "took $ELAPSED_MS ms" [ "$ELAPSED_MS" -le "$2" ]
}

# --- real servers: query and debug --------------------------------------------------

query_real() { # NAME ADDR OPTION OFFSET TOL
    local name=$1 addr=$2 opt=$3 want=$4 tol=$5 got
    run_ntpsync "$opt" "$addr"
    expect_rc "$name" 0
    got=$(printed_offset "$addr")
    check "$name: offset $want within $tol s" "$(why "printed offset '$got'")" near "$got" "$want" "$tol"
    expect_no_clock_call "$name"
}

scenario_query_chrony() {
    query_real query_chrony 127.0.0.1 -q 0 0.001
    expect_text query_chrony "adjust time server 127\.0\.0\.1 offset [-+]0\.000"
}

scenario_debug_chrony() {
    query_real debug_chrony 127.0.0.1 -d 0 0.001
    check "debug_chrony: decodes packets" "$(why "no decoded packets")" \
        [ "$(grep -c 'stratum 8' <<<"$ALL")" -ge 4 ]
}

scenario_query_ntpsec() {
    query_real query_ntpsec 127.0.0.3 -q 0 0.001
}

scenario_debug_ntpsec() {
    query_real debug_ntpsec 127.0.0.3 -d 0 0.001
}

scenario_query_ipv6() {
    query_real query_ipv6 ::1 -q 0 0.001
}

scenario_query_plus10() {
    query_real query_plus10 127.0.0.2 -q 10 0.01
    expect_text query_plus10 "step time server 127\.0\.0\.2 offset \+(9\.99|10\.00)"
    query_real debug_plus10 127.0.0.2 -d 10 0.01
}

# --- the clock calls, for real (injected by strace) ---------------------------------

expect_step() { # NAME SECONDS TOL
    local got
    got=$(step_value)
    check "$1: steps by $2 s" "$(why "clock_settime moved it by '$got' s")" near "$got" "$2" "$3"
    check "$1: no slew" "$(why "slewed $(slew_us) us")" [ -z "$(slew_us)" ]
}

expect_slew() { # NAME MICROSECONDS TOL
    local got
    got=$(slew_us)
    check "$1: slews by $2 us" "$(why "ADJ_OFFSET_SINGLESHOT offset '$got'")" near "$got" "$2" "$3"
    check "$1: no step" "$(why "stepped $(step_value) s")" [ -z "$(step_value)" ]
}

scenario_step_plus10() {
    run_ntpsync 127.0.0.2
    expect_rc step_plus10 0
    expect_step step_plus10 10 0.1
    expect_text step_plus10 "step time server 127\.0\.0\.2 offset \+(9\.99|10\.00)"
}

scenario_boot_style_plus10() {
    run_ntpsync -u 127.0.0.2
    expect_rc boot_style_u 0
    expect_step boot_style_u 10 0.1
}

scenario_slew_plus02() {
    run_ntpsync 127.0.0.4
    expect_rc slew_plus02 0
    expect_slew slew_plus02 200000 10000
    expect_text slew_plus02 "adjust time server 127\.0\.0\.4 offset \+0\.(19|20)"
}

scenario_force_step() {
    run_ntpsync -b 127.0.0.4
    expect_rc force_step_b 0
    expect_step force_step_b 0.2 0.01
}

scenario_force_slew() {
    run_ntpsync -B 127.0.0.2
    expect_rc force_slew_B 0
    expect_slew force_slew_B 10000000 10000
}

scenario_tiny_offset_slews() {
    run_ntpsync 127.0.0.1
    expect_rc tiny_offset_slews 0
    expect_slew tiny_offset_slews 0 1000
}

scenario_query_never_sets() {
    local opt
    for opt in -q -d; do
        run_ntpsync "$opt" 127.0.0.2
        expect_rc "query_never_sets $opt" 0
        expect_no_clock_call "query_never_sets $opt +10 s"
    done
}

# Without strace the sandbox refuses the step: exit 5, and the refusal is reported.
scenario_set_fails_exit5() {
    run_ntpsync_plain 127.0.0.2
    expect_rc set_fails_exit5 5
    expect_text set_fails_exit5 "Operation not permitted"
}

# --- misbehaving servers (fake_server.py) --------------------------------------------

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

# --- environment ----------------------------------------------------------------------

# A board whose /etc/services has no ntp line: ntpsync falls back to port 123.
scenario_services_without_ntp() {
    local f=$RUN_DIR/services
    grep -v '^ntp[[:space:]]' /etc/services >"$f" 2>/dev/null || true
    echo "echo 7/udp" >>"$f"
    if ! mount --bind "$f" /etc/services; then
        fail services_without_ntp "cannot bind-mount a services file (no /etc/services?)"
        return
    fi
    run_ntpsync -d 127.0.0.1
    local dbg_rc=$RC dbg_all=$ALL
    run_ntpsync 127.0.0.1
    umount /etc/services
    check "services_without_ntp: -d exit 0" "exit $dbg_rc" [ "$dbg_rc" -eq 0 ]
    check "services_without_ntp: -d says it fell back to port 123" \
        "output: $(tr '\n' '|' <<<"$dbg_all" | cut -c1-300)" \
        grep -q "service ntp unknown (no /etc/services entry), using port 123" <<<"$dbg_all"
    expect_rc services_without_ntp 0
    expect_slew services_without_ntp 0 1000
}

scenario_names_and_usage() {
    run_ntpsync
    expect_rc usage_no_server 2
    run_ntpsync -p 9 127.0.0.1
    expect_rc usage_p9 2
    run_ntpsync -o 5 127.0.0.1
    expect_rc usage_o5 2
    run_ntpsync -V
    expect_rc version_V 0
    run_ntpsync -h
    expect_rc help_h 0
    # sandbox.sh points DNS at 127.0.0.1 (nothing there) with a 1 s timeout
    run_ntpsync -q no-such-host.invalid
    expect_rc unresolvable 3
    expect_within unresolvable 3000
    expect_no_clock_call unresolvable
}

# Names from /etc/hosts (a private copy): every address of a name is asked, -4/-6 filter.
scenario_host_names() {
    local f=$RUN_DIR/hosts
    printf '127.0.0.1 localhost\n::1 localhost\n127.0.0.2 plus10.test\n' >"$f"
    if ! mount --bind "$f" /etc/hosts; then
        fail host_names "cannot bind-mount a hosts file (no /etc/hosts?)"
        return
    fi
    run_ntpsync -q localhost
    expect_rc host_names 0
    check "host_names: asks 127.0.0.1" "$(why "")" asked 127.0.0.1
    check "host_names: asks ::1" "$(why "")" asked ::1
    run_ntpsync -4 -q localhost
    expect_rc "host_names -4" 0
    check "host_names -4: asks 127.0.0.1" "$(why "")" asked 127.0.0.1
    check "host_names -4: not ::1" "$(why "")" not asked ::1
    run_ntpsync -6 -q localhost
    expect_rc "host_names -6" 0
    check "host_names -6: not 127.0.0.1" "$(why "")" not asked 127.0.0.1
    check "host_names -6: asks ::1" "$(why "")" asked ::1
    run_ntpsync plus10.test
    umount /etc/hosts
    expect_rc host_names_step 0
    expect_step host_names_step 10 0.1
}

# --- several servers ----------------------------------------------------------------

scenario_liar_outvoted() {
    if ! start_fake 127.0.0.5 good || ! start_fake 127.0.0.6 good --offset 10; then
        fail liar_outvoted "fake servers did not start"
        return
    fi
    run_ntpsync 127.0.0.1 127.0.0.5 127.0.0.6
    stop_fakes
    expect_rc liar_outvoted 0
    expect_text liar_outvoted "adjust time server 127\.0\.0\.[15] offset [-+]0\.00"
    expect_slew liar_outvoted 0 2000
}

scenario_dead_server() {
    start_fake 127.0.0.7 silent || { fail dead_server "fake server did not start"; return; }
    run_ntpsync 127.0.0.1 127.0.0.7
    stop_fakes
    expect_rc dead_server 0
    expect_text dead_server "adjust time server 127\.0\.0\.1 "
    expect_slew dead_server 0 1000
    expect_within dead_server 2000
}

scenario_unreachable_and_good() {
    run_ntpsync 127.0.0.9 127.0.0.1
    expect_rc unreachable_and_good 0
    expect_text unreachable_and_good "adjust time server 127\.0\.0\.1 "
    expect_within unreachable_and_good 1000
}

# --- what the requests look like ----------------------------------------------------

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

count() { # REGEX TEXT: lines of TEXT matching REGEX
    grep -Ec -- "$1" <<<"$2" || true
}

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

# ntpdate (glibc getopt permutes) takes `ntpdate SERVER -q` as a query. musl's getopt stops
# at the first server name, so an option after it must not be taken as a server while the
# clock is set: it either works as the option or is a usage error; the clock stays put.
# KNOWN BUG (issue 7): not in main's list until ntpsync.c handles it.
rc_in() { # CODE...: the last run exited with one of them
    local c
    for c in "$@"; do [ "$RC" -eq "$c" ] && return 0; done
    return 1
}

scenario_options_after_server() {
    local opt
    for opt in -q -d; do
        run_ntpsync 127.0.0.2 "$opt"
        check "options_after_server $opt: query or usage error" "$(why "")" rc_in 0 2
        expect_no_clock_call "options_after_server 127.0.0.2 $opt"
    done
}

# A message longer than the output buffer (1024 bytes) with a number after the cut: the
# small printf must truncate it and go on, not loop forever. (An option argument is
# echoed before "must be 1 to 8".)
# KNOWN BUG (issue 7): str_vfmt's PUT(num[--k]) does not evaluate its argument once the
# buffer is full, so k never reaches 0. Not in main's list until ntpsync.c is fixed.
scenario_long_argument() {
    local long
    long=$(printf '9%.0s' $(seq 1100))
    run_ntpsync_plain -p "$long" 127.0.0.1
    expect_rc long_argument_p 2
    expect_within long_argument_p 1000
    expect_text long_argument_p "^ntpsync: -p 9999"
}

# --- run --------------------------------------------------------------------------------

# --- boot and cron: -j, -W, the lock, -R, the step limit, -w ------------------------------

# Evaluate a Python expression over the JSON object ntpsync printed (d).
json_eval() { # EXPR
    "$PYTHON" -c 'import json, sys; d = json.loads(sys.stdin.read()); print(*eval(sys.argv[1]))' \
        "$1" <<<"$OUT" 2>/dev/null
}

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
}

# A server that answers stratum 16 for 1.5 s, then +10 s: -W waits, then steps.
scenario_wait_for_unsynchronized_server() {
    local later
    start_fake 127.0.0.5 stratum16 --lifetime 1.5 ||
        { fail wait_unsynced "fake server did not start"; return; }
    (sleep 1.7; exec "$PYTHON" "$TESTS_DIR/fake_server.py" --addr 127.0.0.5 --port 123 \
        --mode good --offset 10 --lifetime 8 >/dev/null 2>&1) &
    later=$!
    run_ntpsync -W 10 -v 127.0.0.5
    kill "$later" 2>/dev/null
    wait "$later" 2>/dev/null
    stop_fakes
    expect_rc wait_unsynced 0
    expect_text wait_unsynced "strata too high"
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

scenario_lock() {
    local lock=$RUN_DIR/ntpsync.lock holder i
    # The subshell becomes sleep, so that killing it frees the lock.
    (flock 9 && exec sleep 10) 9>"$lock" &
    holder=$!
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

main() {
    local t0 t1 s
    if [ ! -x "$NTPSYNC" ]; then
        fail setup "no executable $NTPSYNC (run make)"
        summary
        exit 1
    fi
    for s in "$CHRONYD" "$NTPSEC_NTPD"; do
        if [ ! -x "$s" ]; then
            fail setup "$s missing (run tests/deps.sh)"
            summary
            exit 1
        fi
    done
    t0=$(now_ms)
    echo "# starting servers"
    if ! { start_chrony 127.0.0.1 && start_offset_chrony 127.0.0.2 127.0.0.1 10 &&
        start_ntpsec 127.0.0.3 && start_offset_chrony 127.0.0.4 127.0.0.1 0.2 &&
        start_chrony ::1; }; then
        fail setup "servers did not start"
        summary
        exit 1
    fi
    t1=$(now_ms)
    echo "# servers ready after $((t1 - t0)) ms"
    for s in query_chrony debug_chrony query_ntpsec debug_ntpsec query_ipv6 query_plus10 \
        step_plus10 boot_style_plus10 slew_plus02 force_step force_slew tiny_offset_slews \
        query_never_sets set_fails_exit5 fake_failures fake_successes icmp_unreachable \
        silent_short_timeout services_without_ntp names_and_usage host_names liar_outvoted dead_server \
        unreachable_and_good request_fields \
        attack_wrong_origin attack_wrong_port attack_wrong_addr attack_duplicates request_privacy \
        options_after_server long_argument \
        json wait_for_unsynchronized_server lock jitter step_limit rtc_unavailable; do
        echo "# $s"
        "scenario_$s"
    done
    stop_servers
    echo "# suite took $(($(now_ms) - t0)) ms"
    summary
}

main
