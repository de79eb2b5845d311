# shellcheck shell=bash
# SPDX-License-Identifier: GPL-2.0-or-later
# tests/integration/95-nts.sh: group "nts": Network Time Security (RFC 8915) against real
# NTS servers: chronyd 4.3 on 127.0.0.14 and NTPsec's ntpd 1.2.2 on 127.0.0.15, each with
# NTP on port 123 and NTS-KE on port 4460 (tests/servers.sh start_chrony_nts and
# start_ntpsec_nts) and the certificates of tests/nts_certs.sh (made once into
# build/nts-certs: $NTS_CERTS; server.pem signed by ca.pem, names 127.0.0.1, .13 to .17,
# ::1, 10.0.2.2, nts.test). Scenario nts_relay adds chronyd on 127.0.0.17 whose NTS-KE
# sends the client to 127.0.0.16 for NTP (a Server record, "ntsntpserver"), where
# bench/relay.py forwards to 127.0.0.17:123, editing the replies (--tamper flip-nts-auth,
# strip-nts-auth) or answering with an NTS NAK (nts-nak) as an on-path attacker would.
# The first scenarios prove that the servers are NTS servers, with a real NTS client
# (Debian's chronyd -Q, which only measures and never sets the clock); ntpsync's own
# scenarios follow them in this file.
#
# What the servers send in NTS-KE (tests/ntske_probe.py, TLS 1.3, ALPN ntske/1, after
# the request Next Protocol 0, AEAD 15, End of Message, all critical; measured):
#   chronyd 4.3  Next Protocol 0 (critical), AEAD 15 (critical), 8 New Cookie records of
#                100 bytes, End of Message (critical): 848 bytes; no Server or Port
#                record unless "ntsntpserver" is configured.
#   NTPsec 1.2.2 Next Protocol 0 (critical), AEAD 15 (NOT critical), 8 New Cookie
#                records of 104 bytes, End of Message (critical): 880 bytes; no Server
#                or Port record.
#   Both negotiate TLS_AES_256_GCM_SHA384 (X25519, ECDSA with server.pem) with Debian's
#   openssl 3.0 or python as client.
# chronyd -Q 'server 127.0.0.1 iburst nts maxsamples 1' (start_chrony_nts 127.0.0.1)
# takes 2.23 s to its result in the sandbox (median of 9, 2.21 to 2.25 s; 2.23 s against
# NTPsec too; 0.21 s without nts): NTS-KE is done 45 ms after its connect(), then
# chronyd waits 2 s before its first NTP request, answered in 3 ms (strace -tt).
# Sourced by tests/integration.sh after helpers.sh; uses tests/lib.sh and tests/servers.sh.

scenarios nts_servers nts_ke_records nts_chrony_client nts_foreign_ca nts_relay nts_certificates \
    nts_fake_ke nts_sync nts_refused nts_forgeries \
    nts_works nts_wait nts_jar nts_rekey nts_cert_time nts_floor
    

NTS_CHRONY=127.0.0.14
NTS_NTPSEC=127.0.0.15

# Started once, by the first scenario of the group that runs.
scenario_nts_servers() {
    NTS_CERTS=$REPO_DIR/build/nts-certs
    "$TESTS_DIR/nts_certs.sh" "$NTS_CERTS" ||
        { fail nts_servers "tests/nts_certs.sh failed"; return; }
    start_chrony_nts "$NTS_CHRONY" "$NTS_CERTS" ||
        { fail nts_servers "chronyd NTS server did not start"; return; }
    start_ntpsec_nts "$NTS_NTPSEC" "$NTS_CERTS" ||
        { fail nts_servers "NTPsec NTS server did not start"; return; }
    pass "nts_servers: chronyd and NTPsec ntpd answer NTS-KE and NTP"
    NTS_UP=1
}

nts_ready() { # NAME
    [ "${NTS_UP:-}" = 1 ] || scenario_nts_servers
    [ "${NTS_UP:-}" = 1 ] || { fail "$1" "the NTS servers are not running"; return 1; }
}

# One NTS-KE exchange, the certificate checked against CA: sets NTSKE_OUT and NTSKE_RC.
nts_probe() { # ADDR CA
    NTSKE_OUT=$("$PYTHON" "$TESTS_DIR/ntske_probe.py" --ca "$2" "$1" 2>&1)
    NTSKE_RC=$?
}

nts_summary_has() { # FIELD=VALUE: in the probe's summary line
    grep -q "^summary.* $1\( \|$\)" <<<"$NTSKE_OUT"
}

scenario_nts_ke_records() {
    local addr f name
    nts_ready nts_ke_records || return
    for addr in "$NTS_CHRONY" "$NTS_NTPSEC"; do
        name="nts_ke_records $addr"
        nts_probe "$addr" "$NTS_CERTS/ca.pem"
        check "$name: exchange ends with End of Message" "exit $NTSKE_RC: $NTSKE_OUT" \
            [ "$NTSKE_RC" -eq 0 ]
        for f in tls=TLSv1.3 alpn=ntske/1 protocol=0 aead=15 cookies=8 errors=-; do
            check "$name: $f" "$(grep summary <<<"$NTSKE_OUT")" nts_summary_has "$f"
        done
    done
}

# Debian's chronyd as an NTS client, in -Q mode (it prints the offset it measured and
# exits; it never sets the clock, and could not here). Its ntsdumpdir shows what it kept
# from the exchange. Sets CQ_RC, CQ_OUT and CQ_DIR.
nts_chrony_query() { # ADDR CAFILE
    CQ_SEQ=$((${CQ_SEQ:-0} + 1))
    CQ_DIR=$RUN_DIR/chronyq-$CQ_SEQ-$1-${2##*/}
    rm -rf "$CQ_DIR"
    mkdir -p "$CQ_DIR"
    cat >"$CQ_DIR/chrony.conf" <<EOF
server $1 iburst nts maxsamples 1
ntstrustedcerts $2
nosystemcert
ntsdumpdir $CQ_DIR/cookies
pidfile $CQ_DIR/chronyd.pid
cmdport 0
bindcmdaddress /
EOF
    CQ_OUT=$(timeout 20 "$CHRONYD" -Q -t "${CQ_TIMEOUT:-6}" -u root -f "$CQ_DIR/chrony.conf" 2>&1)
    CQ_RC=$?
    printf '%s\nexit %s\n' "$CQ_OUT" "$CQ_RC" >"$CQ_DIR/out"
}

# The NTS source's cookie file that chronyd writes at exit: cookies left after one
# exchange (it started with 8 from NTS-KE, used one, got one back in the reply).
nts_cookies_kept() { # ADDR
    [ -s "$CQ_DIR/cookies/$1.nts" ] && [ "$(sed -n 1p "$CQ_DIR/cookies/$1.nts")" = NNC0 ]
}

scenario_nts_chrony_client() {
    local addr name
    nts_ready nts_chrony_client || return
    for addr in "$NTS_CHRONY" "$NTS_NTPSEC"; do
        name="nts_chrony_client $addr"
        nts_chrony_query "$addr" "$NTS_CERTS/ca.pem"
        check "$name: exit 0" "exit $CQ_RC: $CQ_OUT" [ "$CQ_RC" -eq 0 ]
        check "$name: an authenticated measurement" "$CQ_OUT" \
            grep -q "System clock wrong by" <<<"$CQ_OUT"
        check "$name: cookies kept" "no cookie file in $CQ_DIR/cookies" nts_cookies_kept "$addr"
    done
}

# A trust anchor that did not sign the servers' certificate: no NTS-KE, no measurement
# (chronyd never falls back to unauthenticated NTP for an nts source).
scenario_nts_foreign_ca() {
    local addr name
    nts_ready nts_foreign_ca || return
    for addr in "$NTS_CHRONY" "$NTS_NTPSEC"; do
        name="nts_foreign_ca $addr"
        nts_probe "$addr" "$NTS_CERTS/foreign-ca.pem"
        check "$name: ntske_probe refuses" "exit $NTSKE_RC: $NTSKE_OUT" [ "$NTSKE_RC" -ne 0 ]
        check "$name: because of the certificate" "$NTSKE_OUT" \
            grep -q "CERTIFICATE_VERIFY_FAILED" <<<"$NTSKE_OUT"
        nts_chrony_query "$addr" "$NTS_CERTS/foreign-ca.pem"
        check "$name: chronyd fails" "exit $CQ_RC: $CQ_OUT" [ "$CQ_RC" -ne 0 ]
        check "$name: chronyd measured nothing" "$CQ_OUT" \
            not grep -q "System clock wrong by" <<<"$CQ_OUT"
        check "$name: chronyd kept no cookie" "cookie file in $CQ_DIR/cookies" \
            not nts_cookies_kept "$addr"
    done
}

# The relay's tampering, seen by a real NTS client: chronyd measures through the plain
# relay, and nothing through each tampering one.
NTS_RELAY=127.0.0.16
NTS_BEHIND=127.0.0.17

nts_relay_run() { # TAMPER|none: chronyd -Q through the relay
    local relay
    if [ "$1" = none ]; then set --; else set -- --tamper "$1"; fi
    rm -f "$RUN_DIR/nts-relay.ready"
    "$PYTHON" "$TESTS_DIR/../bench/relay.py" --listen "$NTS_RELAY:123" \
        --server "$NTS_BEHIND:123" "$@" --lifetime 30 --log "$RUN_DIR/nts-relay.log" \
        --ready-file "$RUN_DIR/nts-relay.ready" >/dev/null 2>&1 &
    relay=$!
    for _ in $(seq 50); do [ -e "$RUN_DIR/nts-relay.ready" ] && break; sleep 0.1; done
    CQ_TIMEOUT=5 nts_chrony_query "$NTS_BEHIND" "$NTS_CERTS/ca.pem"
    kill "$relay" 2>/dev/null
    wait "$relay" 2>/dev/null
}

scenario_nts_relay() {
    local how name
    nts_ready nts_relay || return
    start_chrony_nts "$NTS_BEHIND" "$NTS_CERTS" "ntsntpserver $NTS_RELAY" ||
        { fail nts_relay "chronyd NTS with ntsntpserver did not start"; return; }
    nts_probe "$NTS_BEHIND" "$NTS_CERTS/ca.pem"
    check "nts_relay: a Server record for $NTS_RELAY" "$NTSKE_OUT" \
        nts_summary_has "server=$NTS_RELAY"
    : >"$RUN_DIR/nts-relay.log"
    nts_relay_run none
    check "nts_relay untouched: measured" "exit $CQ_RC: $CQ_OUT" \
        grep -q "System clock wrong by" <<<"$CQ_OUT"
    check "nts_relay untouched: through the relay" "$(cat "$RUN_DIR/nts-relay.log")" \
        grep -q "^down " "$RUN_DIR/nts-relay.log"
    for how in flip-nts-auth strip-nts-auth nts-nak; do
        name="nts_relay $how"
        : >"$RUN_DIR/nts-relay.log"
        nts_relay_run "$how"
        check "$name: a reply passed" "$(cat "$RUN_DIR/nts-relay.log")" \
            grep -q "^down " "$RUN_DIR/nts-relay.log"
        check "$name: chronyd fails" "exit $CQ_RC: $CQ_OUT" [ "$CQ_RC" -ne 0 ]
        check "$name: chronyd measured nothing" "$CQ_OUT" \
            not grep -q "System clock wrong by" <<<"$CQ_OUT"
    done
    stop_nts "$NTS_BEHIND"
}

# Both servers serve every certificate of tests/nts_certs.sh, and each verifies, or
# fails, as that file says (python's ssl, OpenSSL, as the judge), on 127.0.0.16 and .17.
nts_cert_case() { # SERVER NTS_CERT NTS_KEY CA EXPECT (ok or the reason's text)
    local name="nts_certificates $1 $2 with ${4%.pem}" addr=127.0.0.16
    [ "$1" = ntpsec ] && addr=127.0.0.17
    NTS_CERT=$2 NTS_KEY=$3 "start_$1_nts" "$addr" "$NTS_CERTS" ||
        { fail "$name" "the server did not start"; return; }
    nts_probe "$addr" "$NTS_CERTS/$4"
    if [ "$5" = ok ]; then
        check "$name: verifies" "exit $NTSKE_RC: $NTSKE_OUT" [ "$NTSKE_RC" -eq 0 ]
    else
        check "$name: refused ($5)" "exit $NTSKE_RC: $NTSKE_OUT" grep -q "$5" <<<"$NTSKE_OUT"
    fi
    stop_nts "$addr"
}

scenario_nts_certificates() {
    nts_ready nts_certificates || return
    nts_cert_case chrony server-rsa server-rsa rsa-ca.pem ok
    nts_cert_case ntpsec server-rsa server-rsa rsa-ca.pem ok
    nts_cert_case chrony server-inter-chain server-inter ca.pem ok
    nts_cert_case ntpsec server-inter-chain server-inter ca.pem ok
    nts_cert_case chrony selfsigned selfsigned selfsigned.pem ok
    nts_cert_case ntpsec selfsigned selfsigned ca.pem "self-signed certificate"
    nts_cert_case chrony expired expired ca.pem "certificate has expired"
    nts_cert_case ntpsec other-name other-name ca.pem "IP address mismatch"
    nts_cert_case chrony notyet notyet ca.pem "certificate is not yet valid"
}

# tests/fake_ntske.py as a correct client (ntske_probe.py) sees it: each misbehaviour is
# refused for its reason, and the good mode and the Server/Port records are read.
nts_fake_case() { # EXPECT MODE [ARG...]: EXPECT is "ok", or the reason's text
    local expect=$1 name="nts_fake_ke ${*:2}"
    shift
    start_fake_ntske 127.0.0.16 "$NTS_CERTS" "$@" ||
        { fail "$name" "fake_ntske.py did not start"; return; }
    nts_probe 127.0.0.16 "$NTS_CERTS/ca.pem"
    if [ "$expect" = ok ]; then
        check "$name: read" "exit $NTSKE_RC: $NTSKE_OUT" [ "$NTSKE_RC" -eq 0 ]
    else
        check "$name: refused ($expect)" "exit $NTSKE_RC: $NTSKE_OUT" \
            grep -q -- "$expect" <<<"$NTSKE_OUT"
    fi
    stop_nts 127.0.0.16
}

scenario_nts_fake_ke() {
    nts_ready nts_fake_ke || return
    nts_fake_case ok good
    nts_fake_case "TLSV1_ALERT_PROTOCOL_VERSION\|unsupported protocol" tls12
    nts_fake_case "selected ALPN None" no-alpn
    nts_fake_case "Error record \[1\]" error 1
    nts_fake_case "does not end with End of Message" no-eom
    nts_fake_case "timed out" silent
    nts_fake_case ok server-port 127.0.0.17 1234
    check "nts_fake_ke server-port: Server and Port records" "$NTSKE_OUT" \
        nts_summary_has "server=127.0.0.17 port=1234"
    nts_fake_case ok warning 7
    check "nts_fake_ke warning: the Warning record" "$NTSKE_OUT" nts_summary_has "warnings=7"
}

# run_ntpsync with the NTS build of ntpsync (make NTS=1: $NTPSYNC_NTS).
run_nts() {
    NTPSYNC=$NTPSYNC_NTS run_ntpsync "$@"
}

# ntpsync -N against both servers: -q, then a real run whose clock call strace
# answers, after NTS-KE and authenticated replies only.
scenario_nts_sync() {
    local addr
    nts_ready nts_sync || return
    for addr in "$NTS_CHRONY" "$NTS_NTPSEC"; do
        run_nts -N -c "$NTS_CERTS/ca.pem" -q "$addr"
        expect_rc "nts_sync -q $addr" 0
        check "nts_sync -q $addr: a server line" "$(why "none")" asked "$addr"
        expect_no_clock_call "nts_sync -q $addr"
        run_nts -N -c "$NTS_CERTS/ca.pem" "$addr"
        expect_rc "nts_sync $addr" 0
        expect_slew "nts_sync $addr" 0 1000
    done
}

# --- ntpsync -N: what it refuses, each for its reason, the clock untouched ---------------

# A refused NTS-KE: exit 12 (NTS-KE failed with every server), the reason, no clock call.
nts_refusal() { # NAME ADDR CA REASON
    run_nts -N -c "$NTS_CERTS/$3" -t 2 "$2"
    expect_rc "$1" 12
    expect_text "$1" "Server dropped: (NTS-KE failed: )?$4"
    expect_no_clock_call "$1"
}

nts_refused_cert() { # NAME NTS_CERT CA REASON: chronyd on .16 with that certificate
    NTS_CERT=$2 start_chrony_nts 127.0.0.16 "$NTS_CERTS" ||
        { fail "nts_refused $1" "chronyd with $2.pem did not start"; return; }
    nts_refusal "nts_refused $1" 127.0.0.16 "$3" "$4"
    stop_nts 127.0.0.16
}

nts_refused_fake() { # REASON MODE [ARG...]
    local reason=$1
    shift
    start_fake_ntske 127.0.0.16 "$NTS_CERTS" "$@" ||
        { fail "nts_refused $1" "fake_ntske.py did not start"; return; }
    nts_refusal "nts_refused $1" 127.0.0.16 ca.pem "$reason"
    stop_nts 127.0.0.16
}

scenario_nts_refused() {
    nts_ready nts_refused || return
    nts_refusal "nts_refused foreign-ca" "$NTS_CHRONY" foreign-ca.pem "untrusted certificate"
    nts_refused_cert other-name other-name ca.pem "the certificate is not for that name"
    nts_refused_cert expired expired ca.pem "certificate expired"
    nts_refused_cert notyet notyet ca.pem "certificate not yet valid"
    nts_refused_fake "the server does not speak TLS 1.3" tls12
    nts_refused_fake "the server did not select ALPN \"ntske/1\"" no-alpn
    nts_refused_fake "the server sent an NTS-KE Error record: bad request \(1\)" error 1
    nts_refused_fake "the server sent an NTS-KE Warning record \(code 7\)" warning 7
    # The records without End of Message, then the connection closed (no close_notify).
    nts_refused_fake "the server closed the connection early \(reading the response\)" no-eom
    nts_refused_fake "timed out" silent
    nts_refused_fake "NTS-KE named the NTP server nosuch.invalid, which does not resolve" \
        server-port nosuch.invalid 123
    # Next Protocol 0, AEAD 1 (AES-CCM, not ours), one cookie, End of Message.
    nts_refused_fake "AEAD not AES-SIV-CMAC-256 \(1\)" raw \
        800100020000800400020001000500040123456780000000
}

# Forged replies on the path to chronyd on .17, whose NTS-KE sends NTP to the relay on
# .16 (as in nts_relay): each rejected for its reason, the request kept open for the
# real answer (that never comes), exit 1, the clock untouched.
nts_relay_start() { # TAMPER|none [RELAY-ARG...]
    local how=$1
    shift
    [ "$how" = none ] || set -- --tamper "$how" "$@"
    rm -f "$RUN_DIR/nts-relay.ready"
    : >"$RUN_DIR/nts-relay.log"
    "$PYTHON" "$TESTS_DIR/../bench/relay.py" --listen "$NTS_RELAY:123" \
        --server "$NTS_BEHIND:123" "$@" --lifetime 60 --log "$RUN_DIR/nts-relay.log" \
        --ready-file "$RUN_DIR/nts-relay.ready" >/dev/null 2>&1 &
    NTS_RELAY_PID=$!
    for _ in $(seq 50); do [ -e "$RUN_DIR/nts-relay.ready" ] && break; sleep 0.1; done
}

nts_relay_stop() {
    kill "$NTS_RELAY_PID" 2>/dev/null
    wait "$NTS_RELAY_PID" 2>/dev/null
}

# Every reply tampered: exit 1 for that reason. Then each forgery followed by the genuine
# reply: under -d the forgery is rejected and the request, still open, takes the real one.
nts_forgery() { # TAMPER REASON
    local name="nts_forgeries $1"
    nts_relay_start "$1"
    run_nts -N -c "$NTS_CERTS/ca.pem" -t 1 "$NTS_BEHIND"
    nts_relay_stop
    check "$name: a reply passed the relay" "$(cat "$RUN_DIR/nts-relay.log")" \
        grep -q "^down " "$RUN_DIR/nts-relay.log"
    expect_rc "$name" 1
    expect_text "$name" "$2"
    expect_no_clock_call "$name"
    nts_relay_start "$1" --then-genuine
    run_nts -N -c "$NTS_CERTS/ca.pem" -d -t 1 "$NTS_BEHIND"
    nts_relay_stop
    name="nts_forgeries $1 then the real reply"
    expect_rc "$name" 0
    expect_text "$name" "rejected: $2"
    check "$name: the same request's real reply accepted" "$(why "no accepted reply")" \
        nts_forgery_then_accepted "$2"
    expect_no_clock_call "$name"
}

# In -d's output, a rejected reply (REASON) and then an accepted one with no transmit
# between them: the request stayed open.
nts_forgery_then_accepted() { # REASON
    awk -v r="rejected: $1" '/^transmit / { bad = 0 } index($0, r) { bad = 1 }
        /^  accepted$/ && bad { found = 1 } END { exit !found }' <<<"$OUT"
}

scenario_nts_forgeries() {
    nts_ready nts_forgeries || return
    start_chrony_nts "$NTS_BEHIND" "$NTS_CERTS" "ntsntpserver $NTS_RELAY" ||
        { fail nts_forgeries "chronyd NTS with ntsntpserver did not start"; return; }
    nts_forgery flip-nts-auth "NTS authentication failed"
    nts_forgery strip-nts-auth "no NTS authenticator"
    nts_forgery nts-wrong-uid "NTS wrong unique identifier"
    # A genuine reply to an earlier run's request: the first run primes the relay.
    nts_relay_start replay
    run_nts -N -c "$NTS_CERTS/ca.pem" -q -t 1 "$NTS_BEHIND"
    run_nts -N -c "$NTS_CERTS/ca.pem" -d -t 1 "$NTS_BEHIND"
    nts_relay_stop
    expect_rc "nts_forgeries replay" 1
    expect_text "nts_forgeries replay" "rejected: bogus origin"
    check "nts_forgeries replay: nothing accepted" "$(why "accepted")" \
        not grep -q "^  accepted$" <<<"$OUT"
    expect_no_clock_call "nts_forgeries replay"
    stop_nts "$NTS_BEHIND"
}

# --- ntpsync -N: what works -----------------------------------------------------------

# The hex values of a cookie jar (-C): LABEL is c2s, s2c or cookie; one per line.
jar_values() { # JAR LABEL
    sed -n "s/^$2 \([0-9a-fA-F]*\)$/\1/p" "$1"
}

# Lines of A (sorted) that are not in B.
only_in() { # A B
    comm -23 <(sort "$1") <(sort "$2")
}

both_asked() { # ADDR ADDR: accepted replies from both in -d's output
    grep -q "^receive $1: " <<<"$OUT" && grep -q "^receive $2: " <<<"$OUT" &&
        [ "$(count "^  accepted$" "$OUT")" -ge 2 ]
}

jar_has_keys() { # JAR: keys and at least one cookie
    [ -n "$(jar_values "$1" c2s)" ] && [ -n "$(jar_values "$1" cookie)" ]
}

jar_rekeyed() { # JAR OLD-C2S: keys, and not those of before
    [ -n "$(jar_values "$1" c2s)" ] && [ "$(jar_values "$1" c2s)" != "$2" ]
}

# COOKIES-AFTER (one hex a line) is COOKIES-BEFORE less at least one, and not empty.
cookies_spent() { # COOKIES-BEFORE COOKIES-AFTER
    [ "$(only_in "$1" "$2" | wc -l)" -ge 1 ] && [ -z "$(only_in "$2" "$1")" ] && [ -s "$2" ]
}

# None of the jar's keys and cookies (nor their first 8 bytes) in TEXT.
no_secret_in() { # JAR TEXT
    local v
    for v in $(jar_values "$1" c2s) $(jar_values "$1" s2c) $(jar_values "$1" cookie); do
        grep -qi -- "${v:0:16}" <<<"$2" && return 1
    done
    return 0
}

scenario_nts_works() {
    local jar=$RUN_DIR/nts-works.jar
    nts_ready nts_works || return
    # Pinning: the server's own self-signed certificate as the only trust anchor.
    NTS_CERT=selfsigned start_chrony_nts 127.0.0.16 "$NTS_CERTS" ||
        { fail nts_works "chronyd with selfsigned.pem did not start"; return; }
    run_nts -N -c "$NTS_CERTS/selfsigned.pem" -q 127.0.0.16
    expect_rc "nts_works pinned" 0
    check "nts_works pinned: a server line" "$(why "none")" asked 127.0.0.16
    stop_nts 127.0.0.16
    # The Server record: NTS-KE on .17 sends NTP to .16, where the relay passes it on.
    start_chrony_nts "$NTS_BEHIND" "$NTS_CERTS" "ntsntpserver $NTS_RELAY" ||
        { fail nts_works "chronyd NTS with ntsntpserver did not start"; return; }
    nts_relay_start none
    run_nts -N -c "$NTS_CERTS/ca.pem" -d "$NTS_BEHIND"
    nts_relay_stop
    expect_rc "nts_works server record" 0
    expect_text "nts_works server record" "NTPv4 server $NTS_RELAY"
    expect_text "nts_works server record" "NTP goes to $NTS_RELAY port 123$"
    expect_text "nts_works server record" "^transmit $NTS_RELAY: "
    check "nts_works server record: through the relay" "$(cat "$RUN_DIR/nts-relay.log")" \
        grep -q "^up " "$RUN_DIR/nts-relay.log"
    stop_nts "$NTS_BEHIND"
    # The Server and Port records of the fake: NTP goes to 127.0.0.16 port 1234, where the
    # relay hands it to chronyd (whose answer to the fake's cookies is an NTS NAK).
    start_fake_ntske 127.0.0.16 "$NTS_CERTS" server-port 127.0.0.16 1234 ||
        { fail nts_works "fake_ntske.py did not start"; return; }
    rm -f "$RUN_DIR/nts-relay.ready"
    : >"$RUN_DIR/nts-relay.log"
    "$PYTHON" "$TESTS_DIR/../bench/relay.py" --listen 127.0.0.16:1234 \
        --server "$NTS_CHRONY:123" --lifetime 60 --log "$RUN_DIR/nts-relay.log" \
        --ready-file "$RUN_DIR/nts-relay.ready" >/dev/null 2>&1 &
    NTS_RELAY_PID=$!
    for _ in $(seq 50); do [ -e "$RUN_DIR/nts-relay.ready" ] && break; sleep 0.1; done
    run_nts -N -c "$NTS_CERTS/ca.pem" -d -t 1 127.0.0.16
    nts_relay_stop
    stop_nts 127.0.0.16
    expect_text "nts_works port record" "NTPv4 server 127.0.0.16, NTPv4 port 1234"
    expect_text "nts_works port record" "NTP goes to 127.0.0.16 port 1234$"
    check "nts_works port record: NTP sent to port 1234" "$(cat "$RUN_DIR/nts-relay.log")" \
        grep -q "^up " "$RUN_DIR/nts-relay.log"
    expect_no_clock_call "nts_works port record"
    # One server whose NTS-KE fails (nothing listens on .16) and one that works: synced.
    run_nts -N -c "$NTS_CERTS/ca.pem" -v "$NTS_CHRONY" 127.0.0.16
    expect_rc "nts_works one of two" 0
    expect_text "nts_works one of two" "127.0.0.16: .*NTS-KE failed: cannot connect"
    expect_slew "nts_works one of two" 0 1000
    # -j: NTS in "authentication" and the check of each reply.
    run_nts -N -c "$NTS_CERTS/ca.pem" -j "$NTS_CHRONY"
    expect_rc "nts_works -j" 0
    check "nts_works -j: authentication nts" "$(why "json")" \
        [ "$(json_eval '[d["authentication"]["nts"]]')" = True ]
    check "nts_works -j: the authentication check passed" "$(why "json")" \
        [ "$(json_eval '[d["servers"][0]["replies"][0]["checks"]["authentication"]]')" = pass ]
    # -d shows the records and never a key or a cookie: those of the jar it wrote.
    rm -f "$jar"
    run_nts -N -c "$NTS_CERTS/ca.pem" -d -C "$jar" "$NTS_CHRONY"
    expect_rc "nts_works -d" 0
    expect_text "nts_works -d" "8 cookies of 100 bytes"
    expect_text "nts_works -d" "keys exported .*not shown"
    check "nts_works -d: a jar with keys and cookies" "$(cat "$jar" 2>&1)" \
        jar_has_keys "$jar"
    check "nts_works -d: no key or cookie shown" "$(why "a secret in the output")" \
        no_secret_in "$jar" "$ALL"
}

# -W: nothing listens on the NTS-KE port when ntpsync starts; chronyd comes up 2 s later
# (started from a subshell, its pid handed back in a file) and the run succeeds.
scenario_nts_wait() {
    local pidfile=$RUN_DIR/nts-late.pid late
    nts_ready nts_wait || return
    rm -f "$pidfile"
    (
        sleep 2
        start_chrony_nts 127.0.0.16 "$NTS_CERTS" >/dev/null 2>&1
        echo "$_PID" >"$pidfile"
    ) &
    late=$!
    run_nts -N -c "$NTS_CERTS/ca.pem" -W 20 -v 127.0.0.16
    wait "$late"
    [ -s "$pidfile" ] && kill "$(cat "$pidfile")" 2>/dev/null
    expect_rc "nts_wait" 0
    expect_text "nts_wait" "NTS-KE failed: cannot connect"
    expect_slew "nts_wait" 0 1000
}

# --- the cookie jar (-C) ----------------------------------------------------------------

scenario_nts_jar() {
    local jar=$RUN_DIR/nts.jar
    nts_ready nts_jar || return
    rm -f "$jar" "$jar".*
    run_nts -N -c "$NTS_CERTS/ca.pem" -d -C "$jar" "$NTS_CHRONY"
    expect_rc "nts_jar first run" 0
    expect_text "nts_jar first run" "^NTS-KE with $NTS_CHRONY "
    check "nts_jar first run: the jar is mode 0600" "$(stat -c %a "$jar" 2>&1)" \
        [ "$(stat -c %a "$jar" 2>/dev/null)" = 600 ]
    jar_values "$jar" cookie >"$jar.1"
    # The second run: cookies from the jar, no NTS-KE, no TCP connection at all.
    run_nts -N -c "$NTS_CERTS/ca.pem" -d -C "$jar" "$NTS_CHRONY"
    expect_rc "nts_jar second run" 0
    check "nts_jar second run: no NTS-KE" "$(why "NTS-KE")" not has "^NTS-KE with"
    # And no TCP connection: the connect() calls of a run with the jar, traced.
    cp "$jar" "$jar.copy"
    strace -f -qq -e trace=connect -o "$jar.connect" "$NTPSYNC_NTS" -N \
        -c "$NTS_CERTS/ca.pem" -q -C "$jar.copy" "$NTS_CHRONY" >/dev/null 2>&1
    check "nts_jar second run: no connect() to port 4460" "$(cat "$jar.connect")" \
        not grep -q "htons(4460)" "$jar.connect"
    check "nts_jar second run: the trace has the NTP connect()" "$(cat "$jar.connect")" \
        grep -q "htons(123)" "$jar.connect"
    jar_values "$jar" cookie >"$jar.2"
    # Each request took one cookie from the jar and its reply brought a new one: the
    # cookies used are gone, and none comes back in a later run.
    check "nts_jar second run: cookies used are gone" "$(only_in "$jar.1" "$jar.2" | wc -l)" \
        [ "$(only_in "$jar.1" "$jar.2" | wc -l)" -ge 1 ]
    check "nts_jar second run: new cookies kept" "$(only_in "$jar.2" "$jar.1" | wc -l)" \
        [ "$(only_in "$jar.2" "$jar.1" | wc -l)" -ge 1 ]
    only_in "$jar.1" "$jar.2" >"$jar.used"
    run_nts -N -c "$NTS_CERTS/ca.pem" -d -C "$jar" "$NTS_CHRONY"
    expect_rc "nts_jar third run" 0
    jar_values "$jar" cookie >"$jar.3"
    only_in "$jar.2" "$jar.3" >>"$jar.used"
    check "nts_jar third run: no cookie in the jar twice over the runs" \
        "$(sort "$jar.used" | uniq -d)" [ -z "$(sort "$jar.used" | uniq -d)" ]
    check "nts_jar third run: no used cookie back in the jar" \
        "$(comm -12 <(sort "$jar.used") <(sort "$jar.3"))" \
        [ -z "$(comm -12 <(sort "$jar.used") <(sort "$jar.3"))" ]
    # A damaged jar: one warning, NTS-KE instead, success, and a good jar again.
    printf 'server %s garbage\nc2s zz\n' "$NTS_CHRONY" >"$jar"
    run_nts -N -c "$NTS_CERTS/ca.pem" -d -C "$jar" "$NTS_CHRONY"
    expect_rc "nts_jar damaged" 0
    expect_text "nts_jar damaged" "$jar.*ignored, NTS-KE instead"
    expect_text "nts_jar damaged" "^NTS-KE with $NTS_CHRONY "
    check "nts_jar damaged: rewritten" "$(cat "$jar")" [ -n "$(jar_values "$jar" c2s)" ]
    # Both servers in one jar, NTPsec's cookies too: the next run does no NTS-KE.
    rm -f "$jar"
    run_nts -N -c "$NTS_CERTS/ca.pem" -q -C "$jar" "$NTS_CHRONY" "$NTS_NTPSEC"
    expect_rc "nts_jar two servers" 0
    check "nts_jar two servers: two blocks" "$(cat "$jar")" [ "$(grep -c '^server ' "$jar")" -eq 2 ]
    run_nts -N -c "$NTS_CERTS/ca.pem" -d -C "$jar" "$NTS_CHRONY" "$NTS_NTPSEC"
    expect_rc "nts_jar two servers again" 0
    check "nts_jar two servers again: no NTS-KE" "$(why "NTS-KE")" not has "^NTS-KE with"
    check "nts_jar two servers again: both answered" "$(why "a server line missing")" \
        both_asked "$NTS_CHRONY" "$NTS_NTPSEC"
}

# An NTS NAK. The server's keys change (chronyd restarted without its ntskeys): the jar's
# cookies are refused, ntpsync waits out -t for a valid reply (RFC 8915 section 5.7: the
# NAK is not authenticated), does NTS-KE again in the same run and succeeds. A relay that
# NAKs everything: one NTS-KE again, the NAK again, exit 1. A NAK forged ahead of the
# server's real reply: the reply is taken, the cookies kept, no NTS-KE again.
scenario_nts_rekey() {
    local jar=$RUN_DIR/nts-rekey.jar c2s
    nts_ready nts_rekey || return
    rm -f "$jar"
    start_chrony_nts 127.0.0.16 "$NTS_CERTS" ||
        { fail nts_rekey "chronyd NTS did not start"; return; }
    run_nts -N -c "$NTS_CERTS/ca.pem" -q -C "$jar" 127.0.0.16
    expect_rc "nts_rekey jar" 0
    c2s=$(jar_values "$jar" c2s)
    stop_nts 127.0.0.16
    # The server is gone: the run fails, and the cookies its requests carried are gone
    # from the jar all the same (a cookie is never sent twice, RFC 8915 section 5.7).
    jar_values "$jar" cookie >"$jar.before"
    run_nts -N -c "$NTS_CERTS/ca.pem" -q -p 1 -t 1 -C "$jar" 127.0.0.16
    jar_values "$jar" cookie >"$jar.after"
    expect_rc "nts_rekey no answer" 4
    check "nts_rekey no answer: the cookies sent are gone" \
        "before $(wc -l <"$jar.before"), after $(wc -l <"$jar.after")" \
        cookies_spent "$jar.before" "$jar.after"
    rm -rf "$SERVERS_DIR/ntskeys-127.0.0.16"
    start_chrony_nts 127.0.0.16 "$NTS_CERTS" ||
        { fail nts_rekey "chronyd NTS did not start again"; return; }
    run_nts -N -c "$NTS_CERTS/ca.pem" -d -C "$jar" 127.0.0.16
    stop_nts 127.0.0.16
    expect_rc "nts_rekey new server keys" 0
    expect_text "nts_rekey new server keys" "rejected: NTS NAK"
    expect_text "nts_rekey new server keys" "^NTS-KE with 127.0.0.16 "
    expect_text "nts_rekey new server keys" "^  accepted$"
    check "nts_rekey new server keys: the jar rewritten" "c2s $c2s" \
        jar_rekeyed "$jar" "$c2s"
    # NAK after NAK: one NTS-KE again, then given up.
    start_chrony_nts "$NTS_BEHIND" "$NTS_CERTS" "ntsntpserver $NTS_RELAY" ||
        { fail nts_rekey "chronyd NTS with ntsntpserver did not start"; return; }
    # A forged NAK, then the server's reply: the reply counts.
    nts_relay_start nts-nak --then-genuine
    run_nts -N -c "$NTS_CERTS/ca.pem" -p 1 -d "$NTS_BEHIND"
    nts_relay_stop
    expect_rc "nts_rekey forged NAK" 0
    expect_text "nts_rekey forged NAK" "rejected: NTS NAK"
    expect_text "nts_rekey forged NAK" "^  accepted$"
    check "nts_rekey forged NAK: no NTS-KE again" "$(why "NTS-KE")" \
        [ "$(count "^NTS-KE with $NTS_BEHIND " "$OUT")" -eq 1 ]
    nts_relay_start nts-nak
    run_nts -N -c "$NTS_CERTS/ca.pem" -t 1 -d "$NTS_BEHIND"
    nts_relay_stop
    stop_nts "$NTS_BEHIND"
    expect_rc "nts_rekey NAK after NAK" 1
    expect_text "nts_rekey NAK after NAK" "Server dropped: NTS NAK"
    check "nts_rekey NAK after NAK: NTS-KE twice, with $NTS_BEHIND" "$(why "NTS-KE")" \
        [ "$(count "^NTS-KE with $NTS_BEHIND \($NTS_BEHIND port 4460," "$OUT")" -eq 2 ]
    expect_no_clock_call "nts_rekey NAK after NAK"
}

# --- the certificate time -------------------------------------------------------------

# build/ntpsync-nts-fakeclock reads the clock shifted by the seconds in a file
# (tests/fakeclock.c). At a clock of 2000-01-01 (a board without an RTC) the servers'
# certificate (2024..2049) is checked at the build date and taken; at 2020-06-01, inside
# expired.pem's validity (2020-01-01..2021-01-01) but before the build date, expired.pem
# is refused as expired: the clock never makes an expired certificate valid again.
nts_fakeclock_run() { # DATE ARG...
    local f=$RUN_DIR/nts-fakeclock
    echo $(($(date -u -d "$1" +%s) - $(date +%s))) >"$f"
    shift
    NTPSYNC_FAKECLOCK=$f NTPSYNC=$REPO_DIR/build/ntpsync-nts-fakeclock run_ntpsync "$@"
}

scenario_nts_cert_time() {
    nts_ready nts_cert_time || return
    nts_fakeclock_run 2000-01-01 -N -c "$NTS_CERTS/ca.pem" -d "$NTS_CHRONY"
    expect_rc "nts_cert_time 2000" 0
    expect_text "nts_cert_time 2000" "certificates checked at .*: the build date"
    expect_text "nts_cert_time 2000" "^  accepted$"
    expect_no_clock_call "nts_cert_time 2000"
    NTS_CERT=expired start_chrony_nts 127.0.0.16 "$NTS_CERTS" ||
        { fail nts_cert_time "chronyd with expired.pem did not start"; return; }
    nts_fakeclock_run 2020-06-01 -N -c "$NTS_CERTS/ca.pem" -d 127.0.0.16
    expect_rc "nts_cert_time 2020 expired" 12
    expect_text "nts_cert_time 2020 expired" "certificates checked at .*: the build date"
    expect_text "nts_cert_time 2020 expired" "NTS-KE failed: certificate expired"
    expect_no_clock_call "nts_cert_time 2020 expired"
    stop_nts 127.0.0.16
}

# The certificate time is the latest of the clock, the build date and the time floor (-F):
# a certificate valid now but expired before the floor (2036-01-01) is refused, and -d
# says which time it was checked at. Without -F the same server is used.
scenario_nts_floor() {
    local f=$RUN_DIR/nts-floor addr=127.0.0.16
    nts_ready nts_floor || return
    NTS_CERT=shortlived NTS_KEY=shortlived start_chrony_nts "$addr" "$NTS_CERTS" ||
        { fail nts_floor "the server did not start"; return; }
    run_nts -N -c "$NTS_CERTS/ca.pem" -q "$addr"
    expect_rc nts_floor_without 0
    echo "2082758400 2036-01-01T00:00:00Z" >"$f"
    run_nts -N -c "$NTS_CERTS/ca.pem" -d -F "$f" "$addr"
    stop_nts "$addr"
    expect_rc nts_floor 12
    expect_text nts_floor "certificates checked at 2036-01-01 00:00:[0-9]+ UTC: the time floor \(-F\)"
    expect_text nts_floor "certificate expired at the verification time"
    expect_no_clock_call nts_floor
}
