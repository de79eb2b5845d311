#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# tests/nts_certs.sh DIR: the certificates the NTS tests use, made with Debian's openssl
# (3.0) into DIR. Idempotent: DIR is made once per version of this script (DIR/stamp holds
# its checksum) and atomically (built in DIR.tmp.PID, then renamed), so callers may cache
# it (e.g. build/nts-certs) and call this before every use.
#
# Every certificate has fixed dates, so that the boot-time rule can be tested with known
# ones: a board whose clock reads 2000-01-01 is before every notBefore here; ntpsync's build
# date (its last commit) is after 2024-01-01 and before 2049. The CAs cover every
# certificate they signed, so a check at any time inside a leaf's dates fails only on
# what the test is about.
#
#   file (PEM)                key            signed by   notBefore..notAfter (UTC)   names (SAN)
#   ca.pem                    ca.key         itself      2019-01-01..2099-12-31      - (CN "ntpsync test CA")
#   server.pem                server.key     ca          2024-01-01..2049-12-31      SERVER_NAMES
#   inter.pem                 inter.key      ca          2019-01-01..2099-12-31      - (an intermediate CA)
#   server-inter.pem          server-inter.key inter     2024-01-01..2049-12-31      SERVER_NAMES
#   server-inter-chain.pem    server-inter.key (the leaf, then inter.pem: what a server sends)
#   rsa-ca.pem                rsa-ca.key     itself      2019-01-01..2099-12-31      - (RSA CA)
#   server-rsa.pem            server-rsa.key rsa-ca      2024-01-01..2049-12-31      SERVER_NAMES
#   selfsigned.pem            selfsigned.key itself      2024-01-01..2049-12-31      SERVER_NAMES (a pin)
#   foreign-ca.pem            foreign-ca.key itself      2019-01-01..2099-12-31      - (signed nothing here)
#   other-name.pem            other-name.key ca          2024-01-01..2049-12-31      DNS:other.test, IP:127.0.0.99
#   expired.pem               expired.key    ca          2020-01-01..2021-01-01      SERVER_NAMES
#   notyet.pem                notyet.key     ca          2090-01-01..2099-12-31      SERVER_NAMES
#   shortlived.pem            shortlived.key ca          2024-01-01..2035-12-31      SERVER_NAMES
#                             (valid at the build date, expired at a time floor of 2036)
#
# SERVER_NAMES: DNS:nts.test, IP:127.0.0.1 (the bench's server), IP:127.0.0.13 to
# IP:127.0.0.17 (the NTS servers and relays of the integration tests), IP:::1, and
# IP:10.0.2.2 (the sandbox's 127.0.0.1 as a qemu guest sees it).
#
# Keys are EC P-256 (ECDSA-SHA256 signatures) but rsa-ca and server-rsa (RSA 2048,
# SHA256 with RSA). CAs have basicConstraints critical CA:TRUE and keyUsage keyCertSign;
# servers CA:FALSE, keyUsage digitalSignature, extendedKeyUsage serverAuth; the self-signed
# one is made as `openssl req -x509` makes one (CA:TRUE) plus the server names, as a user
# would pin it. DIR/certs.txt lists what openssl says of each. Keys are mode 0600.
set -eu

[ $# -eq 1 ] || { echo "usage: $0 DIR" >&2; exit 2; }
dir=$(realpath -m "$1")
stamp=$(sha256sum "$0" | cut -d' ' -f1)
[ "$(cat "$dir/stamp" 2>/dev/null)" = "$stamp" ] && exit 0

SERVER_NAMES="DNS:nts.test,IP:127.0.0.1,IP:127.0.0.13,IP:127.0.0.14,IP:127.0.0.15"
SERVER_NAMES="$SERVER_NAMES,IP:127.0.0.16,IP:127.0.0.17,IP:::1,IP:10.0.2.2"
VALID_FROM=20240101000000Z
VALID_TO=20491231235959Z
CA_FROM=20190101000000Z
CA_TO=20991231235959Z

tmp=$dir.tmp.$$
rm -rf "$tmp"
mkdir -p "$tmp/ca-db"
trap 'rm -rf "$tmp"' EXIT
cd "$tmp"

log=ca-db/log
run() { # CMD...: quiet unless it fails
    if ! "$@" >"$log" 2>&1; then
        cat "$log" >&2
        echo "nts_certs.sh: failed: $*" >&2
        exit 1
    fi
}

# `openssl ca` is the one way openssl 3.0 sets both dates of a certificate
# (-startdate/-enddate; `x509 -req` has only -days from now). Its database is throwaway.
cat >ca-db/openssl.cnf <<'EOF'
[ca]
default_ca = test
[test]
dir = ca-db
database = $dir/index.txt
new_certs_dir = $dir
serial = $dir/serial
default_md = sha256
policy = any
unique_subject = no
email_in_dn = no
[any]
commonName = supplied
organizationName = optional
[req]
distinguished_name = dn
prompt = no
[dn]
[ca_ext]
basicConstraints = critical, CA:TRUE
keyUsage = critical, keyCertSign, cRLSign
subjectKeyIdentifier = hash
authorityKeyIdentifier = keyid:always
[server_ext]
basicConstraints = critical, CA:FALSE
keyUsage = critical, digitalSignature
extendedKeyUsage = serverAuth
subjectKeyIdentifier = hash
authorityKeyIdentifier = keyid:always
subjectAltName = ${ENV::SAN}
[selfsigned_ext]
basicConstraints = critical, CA:TRUE
subjectKeyIdentifier = hash
authorityKeyIdentifier = keyid:always
subjectAltName = ${ENV::SAN}
EOF
: >ca-db/index.txt
echo 1000 >ca-db/serial
export SAN=$SERVER_NAMES OPENSSL_CONF=$tmp/ca-db/openssl.cnf

key() { # NAME ec|rsa
    if [ "$2" = rsa ]; then
        run openssl genpkey -algorithm RSA -pkeyopt rsa_keygen_bits:2048 -out "$1.key"
    else
        run openssl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-256 -out "$1.key"
    fi
    chmod 600 "$1.key"
}

# cert NAME ec|rsa CN ISSUER|self EXTENSIONS FROM TO
cert() {
    local name=$1 alg=$2 cn=$3 issuer=$4 ext=$5 from=$6 to=$7
    key "$name" "$alg"
    run openssl req -new -key "$name.key" -subj "/O=ntpsync tests/CN=$cn" -out "ca-db/$name.csr"
    if [ "$issuer" = self ]; then
        run openssl ca -batch -notext -selfsign -keyfile "$name.key" -in "ca-db/$name.csr" \
            -extensions "$ext" -startdate "$from" -enddate "$to" -out "$name.pem"
    else
        run openssl ca -batch -notext -cert "$issuer.pem" -keyfile "$issuer.key" \
            -in "ca-db/$name.csr" -extensions "$ext" -startdate "$from" -enddate "$to" \
            -out "$name.pem"
    fi
}

cert ca ec "ntpsync test CA" self ca_ext $CA_FROM $CA_TO
cert server ec nts.test ca server_ext $VALID_FROM $VALID_TO
cert inter ec "ntpsync test intermediate CA" ca ca_ext $CA_FROM $CA_TO
cert server-inter ec nts.test inter server_ext $VALID_FROM $VALID_TO
cat server-inter.pem inter.pem >server-inter-chain.pem
cert rsa-ca rsa "ntpsync test RSA CA" self ca_ext $CA_FROM $CA_TO
cert server-rsa rsa nts.test rsa-ca server_ext $VALID_FROM $VALID_TO
cert selfsigned ec nts.test self selfsigned_ext $VALID_FROM $VALID_TO
cert foreign-ca ec "ntpsync foreign CA" self ca_ext $CA_FROM $CA_TO
SAN="DNS:other.test,IP:127.0.0.99" cert other-name ec other.test ca server_ext $VALID_FROM $VALID_TO
cert expired ec nts.test ca server_ext 20200101000000Z 20210101000000Z
cert notyet ec nts.test ca server_ext 20900101000000Z 20991231235959Z
cert shortlived ec nts.test ca server_ext 20240101000000Z 20351231235959Z

# Each certificate verifies against its issuer as intended (the expired and the
# not-yet-valid ones only at a time inside their dates), so a mistake here shows now.
verify() { # CERT CA [OPTIONS...]
    local c=$1 a=$2
    shift 2
    run openssl verify -x509_strict -purpose sslserver -CAfile "$a" "$@" "$c"
}
verify server.pem ca.pem
verify server-inter.pem ca.pem -untrusted inter.pem
verify server-rsa.pem rsa-ca.pem
verify selfsigned.pem selfsigned.pem
verify other-name.pem ca.pem
verify expired.pem ca.pem -attime 1590000000
verify notyet.pem ca.pem -attime 3800000000
verify shortlived.pem ca.pem -attime 2051222400
if openssl verify -CAfile foreign-ca.pem server.pem >"$log" 2>&1; then
    echo "nts_certs.sh: the foreign CA verifies the server" >&2
    exit 1
fi

for c in *.pem; do
    case $c in *-chain.pem) continue ;; esac
    printf '%s: %s\n' "$c" "$(openssl x509 -in "$c" -noout -subject -issuer -startdate -enddate \
        -ext subjectAltName,basicConstraints -nameopt compat 2>/dev/null |
        sed 's/^ *//' | paste -sd' ' -)"
done >certs.txt

rm -rf ca-db
cd - >/dev/null
echo "$stamp" >"$tmp/stamp"
rm -rf "$dir"
mv "$tmp" "$dir"
trap - EXIT
