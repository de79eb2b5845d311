# shellcheck shell=bash
# SPDX-License-Identifier: GPL-2.0-or-later
# tests/integration/90-auth.sh: group "auth": symmetric keys (-a KEYID -k KEYFILE, RFC 5905
# MACs and RFC 8573 AES-CMAC) against real servers that hold the same keys: chronyd
# (keyfile) on 127.0.0.11 and NTPsec's ntpd (keys, trustedkey) on 127.0.0.12, each with an
# MD5 (1), a SHA1 (2) and an AES-128-CMAC key (3); ntpsync reads each server's own key
# file dialect, and the ntp 4.2.8 one. A relay on 127.0.0.13 edits or replays the replies of
# the chrony server as an on-path attacker would. The clock is touched only after a verified
# reply to one of our own requests.
# Sourced by tests/integration.sh after helpers.sh; uses tests/lib.sh and tests/servers.sh.

scenarios auth_servers auth_query auth_sync auth_wrong_key auth_tampered auth_replayed \
    auth_key_errors

AUTH_MD5=secret1
AUTH_SHA1=0123456789abcdef0123456789abcdef01234567
AUTH_AES=000102030405060708090a0b0c0d0e0f

# The three dialects of the same three keys, and chrony's with other secrets.
auth_key_files() {
    AUTH_DIR=$RUN_DIR/auth
    mkdir -p "$AUTH_DIR"
    printf '1 MD5 ASCII:%s\n2 SHA1 HEX:%s\n3 AES128 HEX:%s\n' \
        "$AUTH_MD5" "$AUTH_SHA1" "$AUTH_AES" >"$AUTH_DIR/chrony.keys"
    printf '# NTPsec\n1 md5 %s\n2 sha1 %s\n3 aes-128 %s\n' \
        "$AUTH_MD5" "$AUTH_SHA1" "$AUTH_AES" >"$AUTH_DIR/ntpsec.keys"
    printf '1 MD5 %s\n2 SHA1 %s\n3 AES128CMAC %s\n' \
        "$AUTH_MD5" "$AUTH_SHA1" "$AUTH_AES" >"$AUTH_DIR/ntp.keys"
    printf '1 MD5 ASCII:other\n2 SHA1 HEX:%s\n3 AES128 HEX:%s\n' \
        ffffffffffffffffffffffffffffffffffffffff ffffffffffffffffffffffffffffffff \
        >"$AUTH_DIR/wrong.keys"
    chmod 600 "$AUTH_DIR"/*.keys
}

# Started once, by the first scenario of the group that runs.
scenario_auth_servers() {
    auth_key_files
    start_chrony 127.0.0.11 8 "keyfile $AUTH_DIR/chrony.keys" ||
        { fail auth_servers "keyed chronyd did not start"; return; }
    start_ntpsec 127.0.0.12 "keys $AUTH_DIR/ntpsec.keys" "trustedkey 1 2 3" ||
        { fail auth_servers "keyed NTPsec ntpd did not start"; return; }
    pass "auth_servers: keyed chronyd and NTPsec ntpd answer"
    AUTH_UP=1
}

auth_ready() { # NAME
    [ "${AUTH_UP:-}" = 1 ] || scenario_auth_servers
    [ "${AUTH_UP:-}" = 1 ] || { fail "$1" "the keyed servers are not running"; return 1; }
}

# Every key type with every server, in the server's own key-file dialect and ntp's.
# NTPsec's ntpd stops answering a client that asks too often (its default rate limits),
# so it gets one request a query (-p 1) and each dialect once.
scenario_auth_query() {
    local id name
    auth_ready auth_query || return
    for id in 1 2 3; do
        for file in ntp.keys chrony.keys; do
            name="auth_query chrony key $id $file"
            run_ntpsync -q -a "$id" -k "$AUTH_DIR/$file" 127.0.0.11
            expect_rc "$name" 0
            check "$name: a server line" "$(why "none")" asked 127.0.0.11
            expect_no_clock_call "$name"
        done
        file=$([ "$id" = 2 ] && echo ntp.keys || echo ntpsec.keys)
        name="auth_query ntpsec key $id $file"
        run_ntpsync -q -p 1 -a "$id" -k "$AUTH_DIR/$file" 127.0.0.12
        expect_rc "$name" 0
        check "$name: a server line" "$(why "none")" asked 127.0.0.12
        expect_no_clock_call "$name"
    done
    # -d shows the key id and the MAC, never the key.
    run_ntpsync -d -a 2 -k "$AUTH_DIR/ntp.keys" 127.0.0.11
    expect_rc auth_debug 0
    check "auth_debug: no key bytes in -d" "$(why "key printed")" \
        not grep -qiE "$AUTH_MD5|$AUTH_SHA1|$AUTH_AES" <<<"$ALL"
}

# A real run: the clock is slewed after a verified reply.
scenario_auth_sync() {
    auth_ready auth_sync || return
    run_ntpsync -a 3 -k "$AUTH_DIR/chrony.keys" 127.0.0.11
    expect_rc auth_sync_chrony 0
    expect_slew auth_sync_chrony 0 1000
    run_ntpsync -p 1 -a 1 -k "$AUTH_DIR/ntpsec.keys" 127.0.0.12
    expect_rc auth_sync_ntpsec 0
    expect_slew auth_sync_ntpsec 0 1000
}

# The same key ids with other secrets: chrony stays silent, NTPsec answers with a
# crypto-NAK or stays silent; either way no time is used.
scenario_auth_wrong_key() {
    local addr
    auth_ready auth_wrong_key || return
    for addr in 127.0.0.11 127.0.0.12; do
        run_ntpsync -p 1 -t 0.5 -a 1 -k "$AUTH_DIR/wrong.keys" "$addr"
        check "auth_wrong_key $addr: fails" "$(why "exit")" [ "$RC" -ne 0 ]
        expect_no_clock_call "auth_wrong_key $addr"
    done
}

# auth_relay HOW: bench/relay.py --tamper HOW on 127.0.0.13, in front of the keyed chronyd;
# auth_relay_stop ends it.
auth_relay() { # HOW
    rm -f "$RUN_DIR/relay.ready"
    "$PYTHON" "$TESTS_DIR/../bench/relay.py" --listen 127.0.0.13:123 --server 127.0.0.11:123 \
        --tamper "$1" --lifetime 20 --ready-file "$RUN_DIR/relay.ready" >/dev/null 2>&1 &
    AUTH_RELAY=$!
    for _ in $(seq 50); do [ -e "$RUN_DIR/relay.ready" ] && return 0; sleep 0.1; done
    auth_relay_stop
    return 1
}

auth_relay_stop() {
    kill "$AUTH_RELAY" 2>/dev/null
    wait "$AUTH_RELAY" 2>/dev/null
    rm -f "$RUN_DIR/relay.ready"
}

# An on-path relay flips a bit of each reply's MAC, or strips the MAC: never used.
scenario_auth_tampered() {
    local how
    auth_ready auth_tampered || return
    for how in flip-mac strip-mac; do
        auth_relay "$how" || { fail "auth_tampered $how" "relay.py did not start"; continue; }
        run_ntpsync -t 0.5 -a 1 -k "$AUTH_DIR/chrony.keys" 127.0.0.13
        auth_relay_stop
        check "auth_tampered $how: fails" "$(why "exit")" [ "$RC" -ne 0 ]
        expect_no_clock_call "auth_tampered $how"
        # Without a key the same relay's replies are used: the relay itself works.
        if [ "$how" = strip-mac ]; then
            auth_relay "$how" || { fail "auth_tampered $how" "relay.py did not start"; continue; }
            run_ntpsync -q -t 0.5 127.0.0.13
            auth_relay_stop
            expect_rc "auth_tampered relay works without a key" 0
        fi
    done
}

# An on-path relay answers each request with chronyd's genuine, signed reply to an earlier
# run (bench/relay.py --tamper replay): the MAC is right, the origin is another run's nonce.
# Every such reply is rejected for its origin, before its MAC is looked at; the run fails
# as when every reply is rejected (exit 1) and the clock is untouched. Using one would show:
# its times are those of the earlier run, its offset off by their age.
scenario_auth_replayed() {
    local name=auth_replayed bogus replies
    auth_ready "$name" || return
    auth_relay replay || { fail "$name" "relay.py did not start"; return; }
    # The first run through the relay gets nothing: its replies are kept for the next.
    run_ntpsync -q -p 1 -t 0.5 -a 1 -k "$AUTH_DIR/chrony.keys" 127.0.0.13
    check "$name: the first run gets no reply" "$(why "exit")" [ "$RC" -eq 4 ]
    run_ntpsync -d -t 0.5 -a 1 -k "$AUTH_DIR/chrony.keys" 127.0.0.13
    bogus=$(count '^  rejected: bogus origin' "$OUT")
    replies=$(count '^  (rejected|accepted)' "$OUT")
    check "$name: replies came" "$(why "$bogus bogus origin")" [ "$bogus" -ge 1 ]
    check "$name: every one rejected as bogus origin" "$(why "$bogus of $replies")" \
        [ "$bogus" -eq "$replies" ]
    # A real run, as a boot script makes it: the clock stays as it was.
    run_ntpsync -t 0.5 -a 1 -k "$AUTH_DIR/chrony.keys" 127.0.0.13
    auth_relay_stop
    expect_rc "$name" 1
    expect_text "$name" "Server dropped: bogus origin"
    expect_no_clock_call "$name"
}

# Bad key files and ids: one line, exit 2, nothing sent.
scenario_auth_key_errors() {
    auth_key_files
    run_ntpsync -a 9 -k "$AUTH_DIR/ntp.keys" 127.0.0.1
    expect_rc auth_unknown_id 2
    check "auth_unknown_id: one line" "$(why "lines")" [ "$(grep -c . <<<"$ERR")" -eq 1 ]
    run_ntpsync -a 1 -k "$AUTH_DIR/none.keys" 127.0.0.1
    expect_rc auth_missing_file 2
    printf '1 MD5 secret1\n2 FOO 0123\n' >"$AUTH_DIR/bad.keys"
    chmod 600 "$AUTH_DIR/bad.keys"
    run_ntpsync -a 1 -k "$AUTH_DIR/bad.keys" 127.0.0.1
    expect_rc auth_bad_line 2
    expect_text auth_bad_line "line 2"
    chmod 644 "$AUTH_DIR/ntp.keys"
    run_ntpsync -q -a 1 -k "$AUTH_DIR/ntp.keys" 127.0.0.1
    expect_text auth_world_readable "readable"
    chmod 600 "$AUTH_DIR/ntp.keys"
    expect_no_clock_call auth_key_errors
}
