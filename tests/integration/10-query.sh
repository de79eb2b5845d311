# shellcheck shell=bash
# SPDX-License-Identifier: GPL-2.0-or-later
# tests/integration/10-query.sh: group "query": ntpsync -q and -d against the real servers
# (chrony, NTPsec, IPv6, a chrony 10 s ahead); the clock is never touched.
# Sourced by tests/integration.sh after helpers.sh; uses tests/lib.sh and tests/servers.sh.

scenarios query_chrony debug_chrony query_ntpsec debug_ntpsec query_ipv6 query_plus10

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
