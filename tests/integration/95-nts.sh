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
    nts_fake_ke nts_sync

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
