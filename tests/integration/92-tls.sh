# shellcheck shell=bash
# SPDX-License-Identifier: GPL-2.0-or-later
# tests/integration/92-tls.sh: group "tls": tls.c, the TLS 1.3 edge of NTS-KE (RFC 8915
# section 4), through build/tls-probe (tests/tls_probe.c), against Debian's `openssl
# s_server` on 127.0.0.1 (ports 4461 and up, one per server) and chronyd's own NTS-KE
# server on 127.0.0.30:4460. The certificates are made here with openssl: a CA and what it
# signs (EC P-256 and RSA, DNS:nts.test and IP:127.0.0.1), a self-signed one to pin, a
# foreign CA, one valid only in 2020. Every refusal must come with its reason.
# Sourced by tests/integration.sh after helpers.sh; uses tests/lib.sh and tests/servers.sh.

scenarios tls_certs tls_ok tls_ipv6 tls_rsa tls_pin tls_untrusted tls_name tls_expired \
    tls_verify_time tls_version tls_alpn tls_ca_file tls_connect tls_closed tls_exporter \
    tls_chrony

TLS_PORT=4460
# RFC 8915 section 4: Next Protocol NTPv4, AEAD 15, End of Message, all critical.
TLS_RESPONSE='\x80\x01\x00\x02\x00\x00\x80\x04\x00\x02\x00\x0f\x80\x00\x00\x00'

# openssl QUIET ARG...: openssl, its chatter kept for "not ok" lines.
tls_openssl() {
    openssl "$@" >>"$TLS_DIR/openssl.log" 2>&1
}

# tls_sign NAME CA DAYS KEYTYPE SAN: NAME.key and NAME.pem, signed by CA (CA.pem, CA.key).
tls_sign() {
    local name=$1 ca=$2 days=$3 keyopts=$4 san=$5
    # shellcheck disable=SC2086 # keyopts: the -newkey arguments
    tls_openssl req -newkey $keyopts -nodes -keyout "$TLS_DIR/$name.key" \
        -out "$TLS_DIR/$name.csr" -subj "/CN=$name" &&
        printf 'subjectAltName=%s\nbasicConstraints=CA:FALSE\n' "$san" >"$TLS_DIR/$name.ext" &&
        tls_openssl x509 -req -in "$TLS_DIR/$name.csr" -CA "$TLS_DIR/$ca.pem" \
            -CAkey "$TLS_DIR/$ca.key" -CAcreateserial -days "$days" \
            -extfile "$TLS_DIR/$name.ext" -out "$TLS_DIR/$name.pem"
}

# tls_ca NAME KEYTYPE: a self-signed CA (or pin: it has the server's names too).
tls_ca() {
    # shellcheck disable=SC2086 # keyopts: the -newkey arguments
    tls_openssl req -x509 -newkey $2 -nodes -keyout "$TLS_DIR/$1.key" -out "$TLS_DIR/$1.pem" \
        -days 3650 -subj "/CN=$1" -addext "subjectAltName=DNS:nts.test,IP:127.0.0.1"
}

# With `openssl ca`, which can set the dates: a CA valid from 2019 to 2030 (oldca.pem) and
# a certificate it signed that was valid in 2020 only (old.pem).
tls_sign_2020() {
    local d=$TLS_DIR/ca2020
    mkdir -p "$d"
    : >"$d/index.txt"
    echo 01 >"$d/serial"
    cat >"$d/ca.cnf" <<EOF
[ca]
default_ca = ca2020
[ca2020]
database = $d/index.txt
new_certs_dir = $d
serial = $d/serial
default_md = sha256
policy = any
copy_extensions = copy
unique_subject = no
[any]
commonName = supplied
[v3ca]
basicConstraints = critical,CA:TRUE
keyUsage = critical,keyCertSign
[leaf]
basicConstraints = CA:FALSE
EOF
    tls_openssl req -new -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes \
        -keyout "$TLS_DIR/oldca.key" -out "$d/oldca.csr" -subj /CN=oldca &&
        tls_openssl ca -batch -config "$d/ca.cnf" -selfsign -keyfile "$TLS_DIR/oldca.key" \
            -extensions v3ca -startdate 20190101000000Z -enddate 20300101000000Z \
            -in "$d/oldca.csr" -out "$TLS_DIR/oldca.pem" -notext &&
        tls_openssl req -new -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes \
            -keyout "$TLS_DIR/old.key" -out "$d/old.csr" -subj /CN=nts.test \
            -addext "subjectAltName=DNS:nts.test,IP:127.0.0.1" &&
        tls_openssl ca -batch -config "$d/ca.cnf" -cert "$TLS_DIR/oldca.pem" \
            -keyfile "$TLS_DIR/oldca.key" -extensions leaf -startdate 20200101000000Z \
            -enddate 20201231000000Z -in "$d/old.csr" -out "$TLS_DIR/old.pem" -notext
}

scenario_tls_certs() {
    local ec="ec -pkeyopt ec_paramgen_curve:P-256" ok=1
    TLS_DIR=$RUN_DIR/tls
    TLS_PROBE=$REPO_DIR/build/tls-probe
    mkdir -p "$TLS_DIR"
    printf '%b' "$TLS_RESPONSE" >"$TLS_DIR/response"
    # The same without its End of Message record.
    head -c 12 "$TLS_DIR/response" >"$TLS_DIR/no-eom"
    echo "not a certificate" >"$TLS_DIR/junk.pem"
    tls_ca ca "$ec" && tls_ca foreign "$ec" && tls_ca pin "$ec" &&
        tls_ca rsaca "rsa:2048" &&
        tls_sign server ca 365 "$ec" "DNS:nts.test,IP:127.0.0.1" &&
        tls_sign short ca 30 "$ec" "DNS:nts.test,IP:127.0.0.1" &&
        tls_sign rsa rsaca 365 "rsa:2048" "DNS:nts.test,IP:127.0.0.1" &&
        tls_sign chrony ca 365 "$ec" "DNS:nts.test,IP:127.0.0.30" &&
        tls_sign v6 ca 365 "$ec" "IP:::1" &&
        tls_sign_2020 || ok=
    check "tls_certs: openssl made the certificates" \
        "$(tail -n 5 "$TLS_DIR/openssl.log" | tr '\n' '|')" [ -n "$ok" ]
    check "tls_certs: build/tls-probe is built" "no $TLS_PROBE (make build/tls-probe)" \
        [ -x "$TLS_PROBE" ]
    [ -n "$ok" ] && TLS_UP=1
}

tls_ready() { # NAME
    [ "${TLS_UP:-}" = 1 ] || scenario_tls_certs >/dev/null
    [ "${TLS_UP:-}" = 1 ] || { fail "$1" "no test certificates"; return 1; }
}

# tls_server ARG...: one `openssl s_server` on 127.0.0.1:$TLS_PORT (a new port each time;
# TLS_LISTEN='[::1]' for IPv6), for one connection; it sends TLS_RESPONSE when the
# handshake is done (TLS_SEND=FILE: FILE, and closes at once).
tls_server() {
    TLS_PORT=$((TLS_PORT + 1))
    _new_dir "s_server-$TLS_PORT"
    { cat "${TLS_SEND:-$TLS_DIR/response}"; [ -n "${TLS_SEND:-}" ] || sleep 10; } |
        timeout -s KILL 15 openssl s_server -quiet -naccept 1 \
            -accept "${TLS_LISTEN:-127.0.0.1}:$TLS_PORT" \
            "$@" >"$_DIR/log" 2>&1 &
    for _ in $(seq 50); do
        ss -Hltn "sport = :$TLS_PORT" | grep -q . && return 0
        sleep 0.1
    done
    _server_failed "openssl s_server on port $TLS_PORT" "$_DIR/log"
}

# tls_probe [OPTION...] NAME ADDRESS: build/tls-probe at the last server (RC, OUT, ALL).
tls_probe() {
    NTPSYNC=$TLS_PROBE run_ntpsync_plain "$@" "$TLS_PORT"
}

# tls_expect NAME RC REGEX: the probe's exit status and what it printed.
tls_expect() {
    expect_rc "$1" "$2"
    expect_text "$1" "$3"
}

# What every accepted exchange shows: the whole response, 32-byte keys that differ.
TLS_OK_TEXT='^ok: 16 bytes, records 1,4,0; c2s 32 bytes, s2c 32 bytes, keys differ$'

tls_srv() { # CERT [ARG...]: s_server with CERT.pem and CERT.key, TLS 1.3 and ntske/1
    local cert=$1
    shift
    tls_server -cert "$TLS_DIR/$cert.pem" -key "$TLS_DIR/$cert.key" "$@"
}

scenario_tls_ok() {
    tls_ready tls_ok || return
    tls_srv server -tls1_3 -alpn ntske/1 && tls_probe -c "$TLS_DIR/ca.pem" 127.0.0.1 127.0.0.1
    tls_expect "tls_ok address (IP SAN)" 0 "$TLS_OK_TEXT"
    tls_srv server -tls1_3 -alpn ntske/1 && tls_probe -c "$TLS_DIR/ca.pem" nts.test 127.0.0.1
    tls_expect "tls_ok name (DNS SAN)" 0 "$TLS_OK_TEXT"
    # A server that also speaks TLS 1.2 and has ntske/1 second in its ALPN list.
    tls_srv server -alpn http/1.1,ntske/1 && tls_probe -c "$TLS_DIR/ca.pem" nts.test 127.0.0.1
    tls_expect "tls_ok TLS 1.2 and 1.3 server, two ALPN protocols" 0 "$TLS_OK_TEXT"
}

# An IPv6 address is matched whatever its spelling (wolfSSL writes the certificate's
# in full, 0000:...:0001).
scenario_tls_ipv6() {
    tls_ready tls_ipv6 || return
    TLS_LISTEN='[::1]' tls_srv v6 -alpn ntske/1 && tls_probe -c "$TLS_DIR/ca.pem" ::1 ::1
    tls_expect "tls_ipv6 ::1" 0 "$TLS_OK_TEXT"
    TLS_LISTEN='[::1]' tls_srv v6 -alpn ntske/1 && tls_probe -c "$TLS_DIR/ca.pem" 0:0::1 ::1
    tls_expect "tls_ipv6 0:0::1" 0 "$TLS_OK_TEXT"
    TLS_LISTEN='[::1]' tls_srv v6 -alpn ntske/1 && tls_probe -c "$TLS_DIR/ca.pem" ::2 ::1
    tls_expect "tls_ipv6 another address" 1 "^refused: the certificate is not for that name or address"
}

# RSA certificates: PKCS#1 v1.5 signature on the certificate, RSA-PSS in CertificateVerify.
scenario_tls_rsa() {
    tls_ready tls_rsa || return
    tls_srv rsa -tls1_3 -alpn ntske/1 && tls_probe -c "$TLS_DIR/rsaca.pem" nts.test 127.0.0.1
    tls_expect "tls_rsa" 0 "$TLS_OK_TEXT"
}

# A self-signed server certificate given as the CA file is a pin.
scenario_tls_pin() {
    tls_ready tls_pin || return
    tls_srv pin -tls1_3 -alpn ntske/1 && tls_probe -c "$TLS_DIR/pin.pem" 127.0.0.1 127.0.0.1
    tls_expect "tls_pin" 0 "$TLS_OK_TEXT"
}

scenario_tls_untrusted() {
    tls_ready tls_untrusted || return
    tls_srv server -tls1_3 -alpn ntske/1 &&
        tls_probe -c "$TLS_DIR/foreign.pem" nts.test 127.0.0.1
    tls_expect "tls_untrusted foreign CA" 1 "^refused: untrusted certificate .*handshake"
    tls_srv pin -tls1_3 -alpn ntske/1 && tls_probe -c "$TLS_DIR/ca.pem" nts.test 127.0.0.1
    tls_expect "tls_untrusted self-signed, not pinned" 1 "^refused: untrusted certificate"
}

scenario_tls_name() {
    tls_ready tls_name || return
    tls_srv server -tls1_3 -alpn ntske/1 && tls_probe -c "$TLS_DIR/ca.pem" other.test 127.0.0.1
    tls_expect "tls_name other name" 1 "^refused: the certificate is not for that name or address"
    # The certificate has 127.0.0.1, not 127.0.0.2 (reached at 127.0.0.1 all the same).
    tls_srv server -tls1_3 -alpn ntske/1 && tls_probe -c "$TLS_DIR/ca.pem" 127.0.0.2 127.0.0.1
    tls_expect "tls_name other address" 1 "^refused: the certificate is not for that name or address"
    # The chrony certificate names 127.0.0.30: the address given is not in it.
    tls_srv chrony -tls1_3 -alpn ntske/1 && tls_probe -c "$TLS_DIR/ca.pem" 127.0.0.1 127.0.0.1
    tls_expect "tls_name address of another server" 1 "^refused: the certificate is not for"
}

# Validity at the time the caller gives: the 30-day certificate has expired 60 days from now.
scenario_tls_expired() {
    local later=$(($(date +%s) + 60 * 86400))
    tls_ready tls_expired || return
    tls_srv short -tls1_3 -alpn ntske/1 &&
        tls_probe -t "$later" -c "$TLS_DIR/ca.pem" nts.test 127.0.0.1
    tls_expect "tls_expired in 60 days" 1 "^refused: certificate expired at the verification time \\(in the TLS handshake"
    tls_srv old -tls1_3 -alpn ntske/1 && tls_probe -c "$TLS_DIR/oldca.pem" nts.test 127.0.0.1
    tls_expect "tls_expired since 2021" 1 "^refused: certificate expired at the verification time"
    # A pin is checked too, when it is loaded.
    tls_srv pin -tls1_3 -alpn ntske/1 &&
        tls_probe -t "$((later + 3650 * 86400))" -c "$TLS_DIR/pin.pem" nts.test 127.0.0.1
    tls_expect "tls_expired pin" 1 "^refused: certificate expired at the verification time \\(loading the CA file"
}

# The clock is not asked: a certificate of 2020 is good at a time in 2020, one made today
# is not yet valid in 2000 (the board that has just booted: the caller gives a later time).
scenario_tls_verify_time() {
    tls_ready tls_verify_time || return
    tls_srv old -tls1_3 -alpn ntske/1 &&
        tls_probe -t 1590969600 -c "$TLS_DIR/oldca.pem" nts.test 127.0.0.1
    tls_expect "tls_verify_time in 2020" 0 "$TLS_OK_TEXT"
    tls_srv server -tls1_3 -alpn ntske/1 &&
        tls_probe -t 946684800 -c "$TLS_DIR/ca.pem" nts.test 127.0.0.1
    tls_expect "tls_verify_time in 2000" 1 "^refused: certificate not yet valid at the verification time"
}

scenario_tls_version() {
    tls_ready tls_version || return
    tls_srv server -tls1_2 -alpn ntske/1 && tls_probe -c "$TLS_DIR/ca.pem" nts.test 127.0.0.1
    tls_expect "tls_version TLS 1.2 only" 1 "^refused: the server does not speak TLS 1.3"
}

scenario_tls_alpn() {
    tls_ready tls_alpn || return
    tls_srv server -tls1_3 && tls_probe -c "$TLS_DIR/ca.pem" nts.test 127.0.0.1
    tls_expect "tls_alpn none" 1 "^refused: the server did not select ALPN \"ntske/1\""
    tls_srv server -tls1_3 -alpn http/1.1 && tls_probe -c "$TLS_DIR/ca.pem" nts.test 127.0.0.1
    tls_expect "tls_alpn other protocol" 1 "^refused: the server did not select ALPN \"ntske/1\""
}

scenario_tls_ca_file() {
    tls_ready tls_ca_file || return
    tls_probe -c "$TLS_DIR/missing.pem" nts.test 127.0.0.1
    tls_expect "tls_ca_file missing" 1 "^refused: cannot read the CA file \\(loading the CA file; No such file"
    tls_probe -c "$TLS_DIR/junk.pem" nts.test 127.0.0.1
    tls_expect "tls_ca_file no certificate" 1 "^refused: no usable certificate in the CA file"
    tls_probe -c "$TLS_DIR" nts.test 127.0.0.1
    tls_expect "tls_ca_file a directory" 1 "^refused: cannot read the CA file \\(loading the CA file; Is a directory"
}

scenario_tls_connect() {
    local pid
    tls_ready tls_connect || return
    TLS_PORT=$((TLS_PORT + 1))
    tls_probe -c "$TLS_DIR/ca.pem" nts.test 127.0.0.1
    tls_expect "tls_connect refused" 1 "^refused: cannot connect \\(connecting; Connection refused"
    # A server that accepts the connection and says nothing.
    "$PYTHON" -c 'import socket, sys, time
s = socket.socket(); s.bind(("127.0.0.1", int(sys.argv[1]))); s.listen(1); time.sleep(10)' \
        "$TLS_PORT" &
    pid=$!
    sleep 0.3
    tls_probe -w 300 -c "$TLS_DIR/ca.pem" nts.test 127.0.0.1
    kill "$pid" 2>/dev/null
    tls_expect "tls_connect silent server" 1 "^refused: timed out \\(in the TLS handshake"
    expect_within "tls_connect silent server" 2000
}

# A server that closes before End of Message: what came is not taken as complete.
scenario_tls_closed() {
    tls_ready tls_closed || return
    TLS_SEND=$TLS_DIR/no-eom tls_srv server -alpn ntske/1 &&
        tls_probe -c "$TLS_DIR/ca.pem" nts.test 127.0.0.1
    tls_expect "tls_closed before End of Message" 1 "^refused: the server closed the connection early \\(reading the response"
    TLS_SEND=/dev/null tls_srv server -alpn ntske/1 &&
        tls_probe -c "$TLS_DIR/ca.pem" nts.test 127.0.0.1
    tls_expect "tls_closed without a response" 1 "^refused: the server closed the connection early \\(reading the response"
}

# The exporter (RFC 8446 section 7.5) against OpenSSL's, with the same label and an
# empty context: the key s_server prints is the one tls_ke() exported.
scenario_tls_exporter() {
    local want got
    tls_ready tls_exporter || return
    TLS_PORT=$((TLS_PORT + 1))
    _new_dir "s_server-$TLS_PORT"
    { sleep 1; cat "$TLS_DIR/response"; sleep 5; } |
        timeout -s KILL 15 openssl s_server -naccept 1 -accept "127.0.0.1:$TLS_PORT" \
            -cert "$TLS_DIR/server.pem" -key "$TLS_DIR/server.key" -alpn ntske/1 \
            -keymatexport EXPORTER-network-time-security -keymatexportlen 32 \
            >"$_DIR/log" 2>&1 &
    for _ in $(seq 50); do
        ss -Hltn "sport = :$TLS_PORT" | grep -q . && break
        sleep 0.1
    done
    tls_probe -X -c "$TLS_DIR/ca.pem" nts.test 127.0.0.1
    wait $!
    want=$(sed -n 's/^ *Keying material: \([0-9A-F]*\).*/\1/p' "$_DIR/log" | head -n 1)
    got=$(sed -n 's/^exported: //p' <<<"$OUT")
    # Both keys have the same (empty) context here, so they are equal.
    tls_expect "tls_exporter" 0 "^ok: 16 bytes, records 1,4,0; c2s 32 bytes, s2c 32 bytes, keys EQUAL$"
    check "tls_exporter: the key is OpenSSL's" "$(why "openssl: '$want', tls_ke: '$got'")" \
        [ "${want:-none}" = "$got" ]
}

# chronyd 4.3's NTS-KE server (GnuTLS): the response has cookies (5) before End of Message.
scenario_tls_chrony() {
    local up=
    tls_ready tls_chrony || return
    mkdir -p "$TLS_DIR/chrony-dump"
    if start_chrony 127.0.0.30 8 "ntsserverkey $TLS_DIR/chrony.key" \
        "ntsservercert $TLS_DIR/chrony.pem" "ntsport 4460" "ntsdumpdir $TLS_DIR/chrony-dump"; then
        for _ in $(seq 50); do
            ss -Hltn "sport = :4460" | grep -q 127.0.0.30 && { up=1; break; }
            sleep 0.1
        done
    fi
    check "tls_chrony: chronyd listens for NTS-KE" "see the servers' logs" [ -n "$up" ]
    [ -n "$up" ] || return
    NTPSYNC=$TLS_PROBE run_ntpsync_plain -c "$TLS_DIR/ca.pem" 127.0.0.30 127.0.0.30 4460
    tls_expect "tls_chrony" 0 '^ok: [0-9]+ bytes, records 1,4(,5)+,0; c2s 32 bytes, s2c 32 bytes, keys differ$'
    NTPSYNC=$TLS_PROBE run_ntpsync_plain -c "$TLS_DIR/ca.pem" nts.test 127.0.0.30 4460
    tls_expect "tls_chrony by name" 0 '^ok: [0-9]+ bytes, records 1,4(,5)+,0;'
    NTPSYNC=$TLS_PROBE run_ntpsync_plain -c "$TLS_DIR/foreign.pem" nts.test 127.0.0.30 4460
    tls_expect "tls_chrony foreign CA" 1 "^refused: untrusted certificate"
}
