# shellcheck shell=bash
# SPDX-License-Identifier: GPL-2.0-or-later
# tests/integration/35-unsynced.sh: group "unsynced": servers that are not synchronized
# yet, real ones just started (chrony, NTPsec, OpenNTPD: LI 3, stratum 0; README, "Servers
# that are not synchronized") and fakes sending every form and kiss code. ntpdate's
# words ("strata too high") and why, in every mode; -W waits through them.
# Sourced by tests/integration.sh after helpers.sh; uses tests/lib.sh and tests/servers.sh.

scenarios unsynced_chrony unsynced_ntpsec unsynced_openntpd unsynced_every_mode \
    unsynced_fakes kiss_codes_in_words wait_through_init wait_through_unsynced_chrony

UNSYNCED_WHY="the server is not synchronized yet \(just started\? it needs a few minutes, or a local clock / .local stratum. line\)"

# unsynced_case NAME ADDR REASON: a plain run against ADDR fails with exit 1, says
# "ADDR: Server dropped: strata too high (REASON: <why>)" and leaves the clock alone.
unsynced_case() {
    local name=$1 addr=$2 reason=$3
    run_ntpsync "$addr"
    expect_rc "$name" 1
    expect_text "$name" "^${addr//./\\.}: Server dropped: strata too high \($reason: $UNSYNCED_WHY\)$"
    expect_text "$name" "no server suitable for synchronization found"
    check "$name: not called a kiss-o'-death" "$(why "")" not has "kiss-o'-death"
    expect_no_clock_call "$name"
}

scenario_unsynced_chrony() {
    start_chrony_unsynced 127.0.0.10 || { fail unsynced_chrony "chronyd did not start"; return; }
    unsynced_case unsynced_chrony 127.0.0.10 "stratum 0, leap indicator 3"
    stop_unsynced
}

scenario_unsynced_ntpsec() {
    start_ntpsec_unsynced 127.0.0.11 || { fail unsynced_ntpsec "ntpd did not start"; return; }
    unsynced_case unsynced_ntpsec 127.0.0.11 "stratum 0, kiss code INIT"
    stop_unsynced
}

scenario_unsynced_openntpd() {
    start_openntpd 127.0.0.12 || { fail unsynced_openntpd "OpenNTPD did not start"; return; }
    unsynced_case unsynced_openntpd 127.0.0.12 "stratum 0, leap indicator 3"
    stop_unsynced
}

# Against NTPsec's INIT: the same words whatever the mode, -s in syslog (with_syslog, from
# 85-output.sh), -j names the code.
scenario_unsynced_every_mode() {
    local name re opt got
    start_ntpsec_unsynced 127.0.0.11 || { fail unsynced_every_mode "ntpd did not start"; return; }
    re="127\.0\.0\.11: Server dropped: strata too high \(stratum 0, kiss code INIT: $UNSYNCED_WHY\)"
    run_ntpsync 127.0.0.11
    check "unsynced_every_mode plain: the reason on stderr" "$(why "")" grep -Eq "$re" <<<"$ERR"
    for opt in -q -d -v; do
        name="unsynced_every_mode $opt"
        run_ntpsync "$opt" 127.0.0.11
        expect_rc "$name" 1
        expect_text "$name" "$re"
    done
    run_ntpsync -d 127.0.0.11
    expect_text "unsynced_every_mode -d" "^  rejected: strata too high \(stratum 0, kiss code INIT: "
    expect_text "unsynced_every_mode -d" \
        "^  kiss code: the association has not yet synchronized for the first time$"

    with_syslog "$RUN_DIR/syslog-unsynced" "$NTPSYNC" -s 127.0.0.11
    name="unsynced_every_mode -s"
    check "$name: exit 1" "exit $RC" [ "$RC" = 1 ]
    check "$name: the reason in syslog" "syslog: $(tr '\n' '|' <<<"$SYSLOG")" \
        grep -Eq "^<27>.* ntpsync\[[0-9]+\]: $re$" <<<"$SYSLOG"
    check "$name: and the result" "syslog: $(tr '\n' '|' <<<"$SYSLOG")" \
        grep -q "no server suitable for synchronization found" <<<"$SYSLOG"
    check "$name: nothing on stdout or stderr" "$(why "")" [ -z "$OUT$ERR" ]

    run_ntpsync -j 127.0.0.11
    expect_rc "unsynced_every_mode -j" 1
    got=$(json_eval '(d["servers"][0]["replies"][0]["kiss_code"], d["servers"][0]["replies"][0]["verdict"].replace(" ", "_"), d["servers"][0]["error"].startswith("strata too high (stratum 0, kiss code INIT: the server is not synchronized yet"), d["exit"])')
    check "unsynced_every_mode -j: kiss code INIT, strata too high, why, exit 1" \
        "$(why "got '$got'")" [ "$got" = "INIT strata_too_high True 1" ]
    stop_unsynced
}

# fake_unsynced NAME MODE REASON [FAKE-ARG...]
fake_unsynced() {
    local name=$1 mode=$2 reason=$3
    shift 3
    start_fake 127.0.0.5 "$mode" "$@" || { fail "$name" "fake server did not start"; return; }
    unsynced_case "$name" 127.0.0.5 "$reason"
    stop_fakes
}

scenario_unsynced_fakes() {
    fake_unsynced unsynced_fake_init init "stratum 0, kiss code INIT"
    fake_unsynced unsynced_fake_chrony unsynced-chrony "stratum 0, leap indicator 3"
    fake_unsynced unsynced_fake_openntpd unsynced-openntpd "stratum 0, leap indicator 3"
    fake_unsynced unsynced_fake_stratum16 stratum16 "stratum 16"
    # STEP and a stratum above 16 have words of their own
    start_fake 127.0.0.5 kiss=STEP || { fail unsynced_fake_step "fake server did not start"; return; }
    run_ntpsync 127.0.0.5
    stop_fakes
    expect_rc unsynced_fake_step 1
    expect_text unsynced_fake_step "Server dropped: strata too high \(stratum 0, kiss code STEP: the server stepped its clock and is not synchronized again yet"
    start_fake 127.0.0.5 good --stratum 200 || { fail stratum_200 "fake server did not start"; return; }
    run_ntpsync 127.0.0.5
    stop_fakes
    expect_rc stratum_200 1
    expect_text stratum_200 "Server dropped: strata too high \(stratum 200: no such stratum"
    expect_no_clock_call stratum_200
}

# Every kiss code of RFC 5905 figure 13 that is not RATE, DENY, RSTR, INIT or STEP, and
# RFC 8915's NTSN, said in words; an undefined one says so. No time: exit 1.
scenario_kiss_codes_in_words() {
    local code words
    while IFS=: read -r code words; do
        start_fake 127.0.0.5 "kiss=$code" || { fail "kiss_$code" "fake server did not start"; return; }
        run_ntpsync 127.0.0.5
        stop_fakes
        expect_rc "kiss_$code" 1
        expect_text "kiss_$code" "Server dropped: kiss-o'-death $code \($words: the server sent no time\)$"
        expect_no_clock_call "kiss_$code"
    done <<'EOF'
ACST:the association belongs to a unicast server
AUTH:server authentication failed
AUTO:Autokey sequence failed
BCST:the association belongs to a broadcast server
CRYP:cryptographic authentication or identification failed
DROP:lost peer in symmetric mode
MCST:the association belongs to a dynamically discovered server
NKEY:no key found \(never installed, or not trusted\)
RMOT:alteration of association from a remote host running ntpdc
NTSN:NTS negative acknowledgment \(the server cannot verify the request's NTS cookie\)
XY:a kiss code RFC 5905 does not define
EOF
}

# The boot story with a real server: NTPsec sends INIT until its orphanwait (3 s here,
# 300 s by default) has passed; -W keeps asking through it, then syncs.
scenario_wait_through_init() {
    start_ntpsec_unsynced 127.0.0.11 3 || { fail wait_through_init "ntpd did not start"; return; }
    run_ntpsync -W 30 -v 127.0.0.11
    stop_unsynced
    expect_rc wait_through_init 0
    expect_text wait_through_init "127\.0\.0\.11: Server dropped: strata too high \(stratum 0, kiss code INIT: "
    expect_text wait_through_init "waiting for a synchronized server"
    expect_slew wait_through_init 0 1000
}

# A chrony that has just started and asks 127.0.0.1: LI 3, stratum 0 until its first
# samples are in (about a second); -W waits, then syncs.
scenario_wait_through_unsynced_chrony() {
    start_chrony_unsynced 127.0.0.10 127.0.0.1 ||
        { fail wait_through_unsynced_chrony "chronyd did not start"; return; }
    run_ntpsync -W 30 -v 127.0.0.10
    stop_unsynced
    expect_rc wait_through_unsynced_chrony 0
    expect_text wait_through_unsynced_chrony "127\.0\.0\.10: Server dropped: strata too high \(stratum 0, leap indicator 3: "
    expect_text wait_through_unsynced_chrony "waiting for a synchronized server"
    expect_slew wait_through_unsynced_chrony 0 1000
}
