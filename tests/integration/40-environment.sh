# shellcheck shell=bash
# SPDX-License-Identifier: GPL-2.0-or-later
# tests/integration/40-environment.sh: group "environment": no ntp line in /etc/services,
# usage errors and names (DNS, /etc/hosts, -4/-6).
# Sourced by tests/integration.sh after helpers.sh; uses tests/lib.sh and tests/servers.sh.

scenarios private_run services_without_ntp names_and_usage host_names dead_dns_wait \
    many_addresses_share names_left_after_kod

# The suite runs ntpsync without -l: its lock, /run/ntpsync.lock, must be the sandbox's
# own, or another ntpsync on the machine (or another suite) makes runs fail with exit 7
# and the suite leaves files in the machine's /run. The machine's /run is never empty;
# the sandbox's holds only ntpsync's lock and util-linux's record of the sandbox's mounts.
scenario_private_run() {
    local fstype entries
    fstype=$(stat -f -c %T /run)
    entries=$(find /run -mindepth 1 -maxdepth 1 ! -name 'ntpsync*' ! -name mount | head -n 5 | tr '\n' ' ')
    check "private_run: /run is a tmpfs" "it is $fstype" [ "$fstype" = tmpfs ]
    check "private_run: /run holds nothing of the machine's" "it holds $entries" \
        [ -z "$entries" ]
}

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

# A DNS server that never answers, with the resolvers' defaults (5 s, 2 attempts): -W 2
# with three names must end after at most the wait plus one -t (2 + 1 s), not after the
# resolver's own timeouts (musl took 15 s, glibc 30 s). Prints the figure.
scenario_dead_dns_wait() {
    local name=dead_dns_wait f=$RUN_DIR/resolv.conf dns queries
    printf 'nameserver 127.0.0.1\noptions timeout:5 attempts:2\n' >"$f"
    if ! mount --bind "$f" /etc/resolv.conf; then
        fail "$name" "cannot bind-mount a resolv.conf"
        return
    fi
    : >"$RUN_DIR/dns.log"
    "$PYTHON" -c 'import socket, sys
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
s.bind(("127.0.0.1", 53))
s.settimeout(40)
with open(sys.argv[1], "a", buffering=1) as log:
    while True:
        s.recv(512)
        log.write("query\n")' "$RUN_DIR/dns.log" 2>/dev/null &
    dns=$!
    sleep 0.3
    run_ntpsync -W 2 ntp1.test ntp2.test ntp3.test
    kill "$dns" 2>/dev/null
    wait "$dns" 2>/dev/null
    umount /etc/resolv.conf
    queries=$(grep -c query "$RUN_DIR/dns.log")
    echo "# $name: -W 2, three names, a DNS server that never answers ($queries queries): $ELAPSED_MS ms"
    expect_rc "$name" 3
    expect_text "$name" "cannot resolve ntp1\.test"
    check "$name: the DNS server was asked" "${queries:-no} queries" [ "${queries:-0}" -gt 0 ]
    check "$name: done within the wait plus one -t (3 s) and 1.5 s to spare" \
        "$(why "")" [ "$ELAPSED_MS" -le 4500 ]
    expect_no_clock_call "$name"
}

# A name with 100 addresses (nothing listens on them) must not take the whole table: the
# name after it gets its share, and its server is used.
scenario_many_addresses_share() {
    local name=many_addresses_share f=$RUN_DIR/hosts i
    {
        printf '127.0.0.1 localhost\n'
        for i in $(seq 100); do printf '127.0.1.%d many.test\n' "$i"; done
        printf '127.0.0.1 good.test\n'
    } >"$f"
    if ! mount --bind "$f" /etc/hosts; then
        fail "$name" "cannot bind-mount a hosts file"
        return
    fi
    run_ntpsync -q many.test good.test
    umount /etc/hosts
    expect_rc "$name" 0
    check "$name: good.test's server is asked" "$(why "")" asked 127.0.0.1
    expect_text "$name" "many\.test: more addresses than its share"
}

# Every server that resolved sends DENY, but another name does not resolve yet: -W goes on
# asking for the name, which appears in /etc/hosts 0.5 s later, and syncs from its server.
scenario_names_left_after_kod() {
    local name=names_left_after_kod f=$RUN_DIR/hosts adder
    printf '127.0.0.1 localhost\n127.0.0.5 deny.test\n' >"$f"
    if ! mount --bind "$f" /etc/hosts; then
        fail "$name" "cannot bind-mount a hosts file"
        return
    fi
    start_fake 127.0.0.5 deny || { umount /etc/hosts; fail "$name" "fake server did not start"; return; }
    (sleep 0.5; printf '127.0.0.1 late.test\n' >>"$f") &
    adder=$!
    run_ntpsync -q -v -W 8 deny.test late.test
    wait "$adder" 2>/dev/null
    stop_fakes
    umount /etc/hosts
    expect_rc "$name" 0
    expect_text "$name" "kiss-o'-death DENY"
    check "$name: late.test's server is asked" "$(why "")" asked 127.0.0.1
}
