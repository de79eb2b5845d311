# shellcheck shell=bash
# SPDX-License-Identifier: GPL-2.0-or-later
# tests/integration/96-hooks.sh: group "hooks": contrib/'s boot and DHCP scripts.
#
#   udhcpc_lease   for real: busybox udhcpd on one end of a veth pair serves a lease
#                  whose option 42 names a chronyd on 192.0.2.1; busybox udhcpc in a
#                  network namespace of its own, on the other end, runs the udhcpc hook,
#                  which runs ntpsync (under strace, clock calls answered) against it;
#                  a lease without option 42 syncs from the configured server
#   dhclient_lease the same with ISC dhclient, its exit hook sourced as Debian's
#                  dhclient-script sources them
#   dhcpcd_lease   the same with dhcpcd, the hook sourced by its own dhcpcd-run-hooks
#   dhcp_hooks     the udhcpc, dhclient, dhcpcd and odhcp6c hooks run as those clients
#                  run them (executed or sourced, their variables), in dash and in
#                  busybox ash: the ntpsync command lines they lead to, the fallback to
#                  the configured servers, and the events that must not sync
#   initd          S49ntpsync start/stop/restart: restore with -F and sync with -W in one
#                  run (restore only without servers), save with -F -S; in dash and
#                  busybox ash
#   systemd_units  ntpsync.service and ntpsync.timer: the keys the issue asks for, and
#                  systemd-analyze verify (offline, on a copy of the host's units)
#   procd          the OpenWrt service with procd's and UCI's functions replaced by
#                  recording ones, on the shipped /etc/config/ntpsync; the hotplug
#                  script with /etc/init.d/ntpsync replaced
#
# The scripts read /etc/default/ntpsync and (hotplug) run /etc/init.d/ntpsync: each run
# gets its own files there on a tmpfs in a mount namespace of its own (hk_with_etc), so
# that the host's /etc is never touched.  Except in the *_lease scenarios, ntpsync is a
# stub that records its arguments (hk_stub).  The real -F of ntpsync is used where the
# binary has it (the time floor is another branch's work); the command lines are
# checked as text.
# Sourced by tests/integration.sh after helpers.sh; uses tests/lib.sh and tests/servers.sh.

scenarios udhcpc_lease dhclient_lease dhcpcd_lease dhcp_hooks initd systemd_units procd

# Where contrib/ and busybox are (tests/servers.sh's paths, known once it is loaded).
hk_init() {
    HK_CONTRIB=$REPO_DIR/contrib
    HK_BUSYBOX=$DEPS_DIR/busybox/bin/busybox
}

# hk_with_etc DIR CMD...: CMD with DIR/default/ntpsync as /etc/default/ntpsync and
# DIR/init.d/* as /etc/init.d/* (where DIR has them), and an empty $HK_TMPFS (if set),
# on tmpfs mounts only CMD sees.
hk_with_etc() {
    # shellcheck disable=SC2016 # expanded by the inner shell
    unshare --mount -- sh -c '
        d=$1
        shift
        for sub in default init.d; do
            [ -d "$d/$sub" ] || continue
            mount -t tmpfs -o mode=755 tmpfs "/etc/$sub" && cp -p "$d/$sub"/* "/etc/$sub/" || exit 99
        done
        [ -z "${HK_TMPFS:-}" ] || mount -t tmpfs -o mode=755 tmpfs "$HK_TMPFS" || exit 99
        exec "$@"' sh "$@"
}

# hk_stub DIR: DIR/bin/ntpsync records its arguments, one line per run, in DIR/calls and
# exits with the next code of $HK_RCS (0 once they run out); DIR/bin/ntpsync-dhcp is
# contrib's, run by the shell $HK_SH.
hk_stub() {
    mkdir -p "$1/bin"
    : >"$1/calls"
    cat >"$1/bin/ntpsync" <<EOF
#!/bin/sh
echo "\$*" >>"$1/calls"
n=\$(wc -l <"$1/calls")
exit "\$(echo "\${HK_RCS:-}" | awk -v n="\$n" '{ print (\$n == "" ? 0 : \$n) }')"
EOF
    cat >"$1/bin/ntpsync-dhcp" <<EOF
#!/bin/sh
exec \$HK_SH "$HK_CONTRIB/dhcp/ntpsync-dhcp" "\$@"
EOF
    chmod +x "$1/bin/ntpsync" "$1/bin/ntpsync-dhcp"
}

# hk_defaults DIR SERVERS OPTIONS FLOOR [WAIT]: DIR/default/ntpsync.
hk_defaults() {
    mkdir -p "$1/default"
    printf 'NTPSYNC_SERVERS="%s"\nNTPSYNC_OPTIONS="%s"\nNTPSYNC_FLOOR="%s"\nNTPSYNC_WAIT="%s"\n' \
        "$2" "$3" "$4" "${5:-60}" >"$1/default/ntpsync"
}

# hk_calls DIR: the stub's runs, joined by " | ".
hk_calls() {
    sed ':a;N;$!ba;s/\n/ | /g' "$1/calls"
}

# hk_expect NAME DIR EXPECTED: the stub ran exactly EXPECTED (runs joined by " | ").
hk_expect() {
    local got
    got=$(hk_calls "$2")
    check "$1" "ran '$got', expected '$3'" [ "$got" = "$3" ]
}

# The shells the scripts must work in: the host's /bin/sh (dash) and busybox ash.
hk_shells() {
    echo /bin/sh
    [ -x "$HK_BUSYBOX" ] && echo "$HK_BUSYBOX sh"
}

# ntpsync has -F (the time floor) when its usage names it.
hk_has_floor() {
    "$NTPSYNC" -h 2>&1 | grep -Eq -- '-[0-9A-Za-z]*F'
}

# --- udhcpc_lease, dhclient_lease: the hooks for real -----------------------------------

HK_NET=192.0.2
HK_SERVER=$HK_NET.1

# A Buildroot-style udhcpc script: configure the lease's address, then run the hooks in
# $0.d, each with the event.
hk_udhcpc_script() { # FILE
    cat >"$1" <<'EOF'
#!/bin/sh
case $1 in
bound | renew) ip addr add "$ip/$mask" dev "$interface" ;;
esac
echo "$1 ip=$ip ntpsrv=$ntpsrv" >>"$0.log"
for hook in "$0.d"/*; do
    [ -f "$hook" ] && [ -x "$hook" ] && "$hook" "$1"
done
exit 0
EOF
    chmod +x "$1"
}

# A dhclient-script that runs its exit hooks as Debian's does (each sourced, in turn,
# from $0.exit-hooks.d here), after configuring the lease's address.  dhclient hands its
# script an environment of its own, PATH included (/usr/sbin, not BINDIR): BINDIR, where
# the test's ntpsync and ntpsync-dhcp are, goes first here.
hk_dhclient_script() { # FILE BINDIR
    {
        echo '#!/bin/sh'
        echo "echo \"PATH=\$PATH\" >>\"\$0.log\""
        echo "PATH=$2:\$PATH"
        cat <<'EOF'
case $reason in
BOUND | RENEW | REBIND | REBOOT) ip addr add "$new_ip_address/24" dev "$interface" ;;
esac
echo "$reason ip=$new_ip_address ntp=$new_ntp_servers" >>"$0.log"
for hook in "$0.exit-hooks.d"/*; do
    [ -f "$hook" ] && . "$hook"
done
exit 0
EOF
    } >"$1"
    chmod +x "$1"
}

# hk_net_up DIR: the client's network namespace ($HK_HOLDER, held by a sleep), the veth
# pair hk0 (here, $HK_SERVER) - hk1 (there), a chronyd on $HK_SERVER.  DIR/bin/ntpsync
# runs $NTPSYNC under strace with the clock calls answered (tests/lib.sh _run) and
# records its arguments in DIR/calls; DIR/bin/ntpsync-dhcp is contrib's.  Prints why it
# failed, if it did.
hk_net_up() {
    local d=$1 i
    mkdir -p "$d/bin"
    ln -sf "$HK_CONTRIB/dhcp/ntpsync-dhcp" "$d/bin/ntpsync-dhcp"
    # A DHCP client runs its script with an environment of its own: the sanitizer build's
    # leak check, which cannot work under strace, is turned off here as make check does.
    cat >"$d/bin/ntpsync" <<EOF
#!/bin/sh
echo "\$*" >>"$d/calls"
ASAN_OPTIONS=detect_leaks=0 exec strace -f -qq -ttt -o "$d/trace" -e trace="$CLOCK_SYSCALLS" \\
    -e inject="$CLOCK_SYSCALLS":retval=0 -- "$NTPSYNC" "\$@" >"$d/out" 2>"$d/err"
EOF
    chmod +x "$d/bin/ntpsync"
    unshare --net sleep 120 &
    HK_HOLDER=$!
    # shellcheck disable=SC2034 # i counts the tries
    for i in $(seq 50); do
        [ "$(readlink "/proc/$HK_HOLDER/ns/net")" = "$(readlink /proc/self/ns/net)" ] || break
        sleep 0.02
    done
    if ! { ip link add hk0 type veth peer name hk1 netns "$HK_HOLDER" &&
        ip addr add "$HK_SERVER/24" dev hk0 && ip link set hk0 up &&
        nsenter --net="/proc/$HK_HOLDER/ns/net" ip link set hk1 up; }; then
        HK_WHY="cannot set up the veth pair"
        return 1
    fi
    start_chrony "$HK_SERVER" || { HK_WHY="chronyd did not start on $HK_SERVER"; return 1; }
}

hk_net_down() {
    stop_chrony "$HK_SERVER"
    kill "$HK_HOLDER" 2>/dev/null
    wait "$HK_HOLDER" 2>/dev/null
    ip link del hk0 2>/dev/null
}

# The floor the real runs use: DIR/floor where ntpsync has -F, else none.
hk_real_floor() { # DIR
    HK_FLOOR=
    if hk_has_floor; then
        HK_FLOOR=$1/floor
    else
        echo "# $NTPSYNC has no -F yet: the real runs leave the floor out"
    fi
}

# hk_lease DIR NAME OPTION-LINE CLIENT...: udhcpd serves one lease on hk0 (with
# OPTION-LINE in its config) while CLIENT runs in the client's namespace, with DIR's
# /etc/default/ntpsync and DIR/bin first on PATH.  Sets RC (the client's), and OUT,
# ALL and TRACE from the ntpsync it ran.
hk_lease() {
    local d=$1 name=$2 opt=$3 server t0
    shift 3
    cat >"$d/udhcpd-$name.conf" <<EOF
start $HK_NET.100
end $HK_NET.110
interface hk0
lease_file $d/leases-$name
pidfile $d/udhcpd-$name.pid
option subnet 255.255.255.0
$opt
EOF
    : >"$d/leases-$name"
    timeout -s KILL 60 "$HK_BUSYBOX" udhcpd -f "$d/udhcpd-$name.conf" >"$d/udhcpd-$name.log" 2>&1 &
    server=$!
    : >"$d/calls"
    rm -f "$d/trace" "$d/out" "$d/err"
    nsenter --net="/proc/$HK_HOLDER/ns/net" ip addr flush dev hk1
    t0=$(now_ms)
    PATH=$d/bin:$PATH hk_with_etc "$d" nsenter --net="/proc/$HK_HOLDER/ns/net" \
        timeout -s KILL 60 "$@" >"$d/client-$name.log" 2>&1
    RC=$?
    kill "$server" 2>/dev/null
    wait "$server" 2>/dev/null
    # shellcheck disable=SC2034 # for helpers.sh's has, why and no_clock_call
    {
        ELAPSED_MS=$(($(now_ms) - t0))
        TRACE=$d/trace
        OUT=$(cat "$d/out" 2>/dev/null)
        ALL=$OUT$'\n'$(cat "$d/err" 2>/dev/null)
    }
}

# hk_synced NAME: the last hk_lease's ntpsync set the clock from $HK_SERVER.
hk_synced() {
    check "$1: ntpsync synced against $HK_SERVER" \
        "$(why "no adjust/step line for $HK_SERVER")" has "(adjust|step) time server $HK_SERVER "
    check "$1: the clock was set (in the trace)" "$(why "no clock call")" not no_clock_call
}

scenario_udhcpc_lease() {
    local d=$RUN_DIR/udhcpc
    hk_init
    if [ ! -x "$HK_BUSYBOX" ]; then
        fail udhcpc_lease "no $HK_BUSYBOX (run tests/deps.sh)"
        return
    fi
    mkdir -p "$d/udhcpc.script.d"
    hk_udhcpc_script "$d/udhcpc.script"
    ln -s "$HK_CONTRIB/dhcp/udhcpc-ntpsync" "$d/udhcpc.script.d/ntpsync"
    if ! hk_net_up "$d"; then
        fail udhcpc_lease "$HK_WHY"
        hk_net_down
        return
    fi
    hk_real_floor "$d"
    # The fallback, 192.0.2.9, is on the link but nothing answers there.
    hk_defaults "$d" "$HK_NET.9" "" "$HK_FLOOR"

    hk_lease "$d" ntpsrv "option ntpsrv $HK_SERVER" \
        "$HK_BUSYBOX" udhcpc -f -q -n -i hk1 -t 5 -T 1 -O ntpsrv -s "$d/udhcpc.script"
    check "udhcpc_lease: udhcpc got a lease" "exit $RC: $(tr '\n' '|' <"$d/client-ntpsrv.log")" \
        [ "$RC" -eq 0 ]
    check "udhcpc_lease: the lease named $HK_SERVER (option 42)" \
        "udhcpc script saw: $(tr '\n' '|' <"$d/udhcpc.script.log")" \
        grep -q "^bound ip=$HK_NET.1[0-9]* ntpsrv=$HK_SERVER\$" "$d/udhcpc.script.log"
    hk_expect "udhcpc_lease: the hook ran ntpsync with the lease's server only" "$d" \
        "${HK_FLOOR:+-F $HK_FLOOR }$HK_SERVER"
    hk_synced udhcpc_lease
    if [ -n "$HK_FLOOR" ]; then
        check "udhcpc_lease: the floor was saved" "no $HK_FLOOR" [ -s "$HK_FLOOR" ]
    fi

    # No option 42: the configured server, now $HK_SERVER.
    hk_defaults "$d" "$HK_SERVER" "" "$HK_FLOOR"
    hk_lease "$d" none "" \
        "$HK_BUSYBOX" udhcpc -f -q -n -i hk1 -t 5 -T 1 -O ntpsrv -s "$d/udhcpc.script"
    check "udhcpc_lease: a lease without option 42" \
        "exit $RC: $(tr '\n' '|' <"$d/client-none.log")" [ "$RC" -eq 0 ]
    hk_expect "udhcpc_lease: no option 42: ntpsync with the configured server" "$d" \
        "${HK_FLOOR:+-F $HK_FLOOR }$HK_SERVER"
    hk_synced "udhcpc_lease: no option 42"
    hk_net_down
}

# ISC dhclient (Debian's isc-dhcp-client, unpacked into build/deps) and the variables it
# sets; the exit hook sourced as Debian's dhclient-script sources them.
scenario_dhclient_lease() {
    local d=$RUN_DIR/dhclient dhclient=$DEPS_DIR/isc-dhcp-client/sbin/dhclient
    hk_init
    if [ ! -x "$HK_BUSYBOX" ] || [ ! -x "$dhclient" ]; then
        fail dhclient_lease "no $HK_BUSYBOX or $dhclient (run tests/deps.sh)"
        return
    fi
    mkdir -p "$d/dhclient-script.exit-hooks.d"
    hk_dhclient_script "$d/dhclient-script" "$d/bin"
    ln -s "$HK_CONTRIB/dhcp/dhclient-exit-hook" "$d/dhclient-script.exit-hooks.d/ntpsync"
    echo "request subnet-mask, ntp-servers;" >"$d/dhclient.conf"
    if ! hk_net_up "$d"; then
        fail dhclient_lease "$HK_WHY"
        hk_net_down
        return
    fi
    hk_real_floor "$d"
    hk_defaults "$d" "$HK_NET.9" "" "$HK_FLOOR"
    # -1: one try; once bound, dhclient goes to the background, killed here.
    hk_lease "$d" ntp "option ntpsrv $HK_SERVER" "$dhclient" -1 -sf "$d/dhclient-script" \
        -lf "$d/dhclient.leases" -pf "$d/dhclient.pid" -cf "$d/dhclient.conf" hk1
    [ -s "$d/dhclient.pid" ] && kill "$(cat "$d/dhclient.pid")" 2>/dev/null
    check "dhclient_lease: dhclient got a lease" \
        "exit $RC: $(tr '\n' '|' <"$d/client-ntp.log")" [ "$RC" -eq 0 ]
    check "dhclient_lease: BOUND, the lease named $HK_SERVER (\$new_ntp_servers)" \
        "dhclient-script saw: $(tr '\n' '|' <"$d/dhclient-script.log" 2>/dev/null)" \
        grep -q "^BOUND ip=$HK_NET.1[0-9]* ntp=$HK_SERVER\$" "$d/dhclient-script.log"
    hk_expect "dhclient_lease: the hook ran ntpsync with the lease's server only" "$d" \
        "${HK_FLOOR:+-F $HK_FLOOR }$HK_SERVER"
    hk_synced dhclient_lease
    hk_net_down
}

# dhcpcd (Debian's dhcpcd-base, unpacked into build/deps) and the variables it sets, its
# own dhcpcd-run-hooks sourcing the hook: that script as the package ships it, but for
# its hook directory, /usr/lib/dhcpcd/dhcpcd-hooks, here DIR/dhcpcd-hooks.  dhcpcd
# configures the address itself; it keeps leases in /var/lib/dhcpcd, an empty tmpfs here.
scenario_dhcpcd_lease() {
    local d=$RUN_DIR/dhcpcd pkg=$DEPS_DIR/dhcpcd-base
    hk_init
    if [ ! -x "$HK_BUSYBOX" ] || [ ! -x "$pkg/usr/sbin/dhcpcd" ]; then
        fail dhcpcd_lease "no $HK_BUSYBOX or $pkg/usr/sbin/dhcpcd (run tests/deps.sh)"
        return
    fi
    mkdir -p "$d/dhcpcd-hooks"
    sed "s|/usr/lib/dhcpcd/dhcpcd-hooks/\*|$d/dhcpcd-hooks/*|" \
        "$pkg/usr/lib/dhcpcd/dhcpcd-run-hooks" >"$d/dhcpcd-run-hooks"
    chmod +x "$d/dhcpcd-run-hooks"
    if ! grep -q "$d/dhcpcd-hooks/\*" "$d/dhcpcd-run-hooks"; then
        fail dhcpcd_lease "dhcpcd-run-hooks has no /usr/lib/dhcpcd/dhcpcd-hooks/* line any more"
        return
    fi
    # What dhcpcd told its hooks, then ours.
    echo "echo \"\$reason ntp=\$new_ntp_servers\" >>\"$d/reasons\"" >"$d/dhcpcd-hooks/00-log"
    ln -s "$HK_CONTRIB/dhcp/dhcpcd-hook" "$d/dhcpcd-hooks/70-ntpsync"
    printf '%s\n' "option ntp_servers" noipv6 noipv4ll >"$d/dhcpcd.conf"
    if ! hk_net_up "$d"; then
        fail dhcpcd_lease "$HK_WHY"
        hk_net_down
        return
    fi
    hk_real_floor "$d"
    hk_defaults "$d" "$HK_NET.9" "" "$HK_FLOOR"
    # -1: exit once bound; -B: in the foreground.
    HK_TMPFS=/var/lib hk_lease "$d" ntp "option ntpsrv $HK_SERVER" "$pkg/usr/sbin/dhcpcd" \
        -f "$d/dhcpcd.conf" -c "$d/dhcpcd-run-hooks" -4 -1 -B -t 10 hk1
    check "dhcpcd_lease: dhcpcd got a lease" \
        "exit $RC: $(tr '\n' '|' <"$d/client-ntp.log")" [ "$RC" -eq 0 ]
    check "dhcpcd_lease: BOUND, the lease named $HK_SERVER (\$new_ntp_servers)" \
        "the hooks saw: $(tr '\n' '|' <"$d/reasons" 2>/dev/null)" \
        grep -q "^BOUND ntp=$HK_SERVER\$" "$d/reasons"
    hk_expect "dhcpcd_lease: the hook ran ntpsync with the lease's server only" "$d" \
        "${HK_FLOOR:+-F $HK_FLOOR }$HK_SERVER"
    hk_synced dhcpcd_lease
    hk_net_down
}

# --- dhcp_hooks: each client's hook, run as that client runs it ------------------------

# hk_hook SHELL HOW HOOK [ARG...]: in DIR=$HK_D, with $HK_D's /etc/default/ntpsync and
# the stub first on PATH, HOW=run executes HOOK with ARGs by SHELL (udhcpc's script,
# odhcp6c), HOW=source sources it (dhclient-script, dhcpcd-run-hooks) and then prints
# PATH, which the hook must leave alone.  The clients' variables come from the caller's
# environment.  Sets HK_OUT.
hk_hook() {
    local sh=$1 how=$2 hook=$3
    shift 3
    : >"$HK_D/calls"
    if [ "$how" = run ]; then
        # shellcheck disable=SC2086 # sh: "busybox sh" is two words
        HK_OUT=$(PATH=$HK_D/bin:$PATH HK_SH=$sh hk_with_etc "$HK_D" $sh "$hook" "$@" 2>&1)
    else
        # shellcheck disable=SC2016 # expanded by the inner shell
        # shellcheck disable=SC2086 # sh: "busybox sh" is two words
        HK_OUT=$(PATH=$HK_D/bin:$PATH HK_SH=$sh hk_with_etc "$HK_D" $sh -c '. "$1"; echo "PATH=$PATH"' \
            sh "$hook" 2>&1)
    fi
}

scenario_dhcp_hooks() {
    local sh n floor d
    hk_init
    HK_D=$RUN_DIR/dhcp_hooks
    d=$HK_CONTRIB/dhcp
    floor=/var/lib/ntpsync/floor
    hk_stub "$HK_D"
    hk_defaults "$HK_D" "ntp1.example ntp2.example" "-s" "$floor"
    while read -r sh; do
        n="dhcp_hooks (${sh##*/})"
        # udhcpc: $ntpsrv, the event as $1.
        ntpsrv="192.0.2.1 192.0.2.2" hk_hook "$sh" run "$d/udhcpc-ntpsync" bound
        hk_expect "$n: udhcpc bound: the lease's servers" "$HK_D" "-s -F $floor 192.0.2.1 192.0.2.2"
        ntpsrv="192.0.2.1" hk_hook "$sh" run "$d/udhcpc-ntpsync" renew
        hk_expect "$n: udhcpc renew: the lease's server" "$HK_D" "-s -F $floor 192.0.2.1"
        ntpsrv="192.0.2.1" hk_hook "$sh" run "$d/udhcpc-ntpsync" deconfig
        hk_expect "$n: udhcpc deconfig: no run" "$HK_D" ""
        ntpsrv="" hk_hook "$sh" run "$d/udhcpc-ntpsync" bound
        hk_expect "$n: udhcpc, no option 42: the configured servers" "$HK_D" \
            "-s -F $floor ntp1.example ntp2.example"
        # The fallback: after the lease's servers failed in a way others can cure.
        HK_RCS="4 0" ntpsrv="192.0.2.1" hk_hook "$sh" run "$d/udhcpc-ntpsync" bound
        hk_expect "$n: no answer (4): then the configured servers" "$HK_D" \
            "-s -F $floor 192.0.2.1 | -s -F $floor ntp1.example ntp2.example"
        check "$n: the fallback says why" "said: $HK_OUT" \
            grep -q "the lease's servers (192.0.2.1) failed (exit 4), trying ntp1.example ntp2.example" \
            <<<"$HK_OUT"
        HK_RCS="11 0" ntpsrv="192.0.2.1" hk_hook "$sh" run "$d/udhcpc-ntpsync" bound
        hk_expect "$n: no majority (11): then the configured servers" "$HK_D" \
            "-s -F $floor 192.0.2.1 | -s -F $floor ntp1.example ntp2.example"
        HK_RCS="7" ntpsrv="192.0.2.1" hk_hook "$sh" run "$d/udhcpc-ntpsync" bound
        hk_expect "$n: lock held (7): no fallback" "$HK_D" "-s -F $floor 192.0.2.1"

        # ISC dhclient: sourced by dhclient-script; $reason, $new_ntp_servers,
        # $new_dhcp6_sntp_servers.
        reason=BOUND new_ntp_servers="192.0.2.3 192.0.2.4" hk_hook "$sh" source \
            "$d/dhclient-exit-hook"
        hk_expect "$n: dhclient BOUND: option 42" "$HK_D" "-s -F $floor 192.0.2.3 192.0.2.4"
        check "$n: dhclient hook leaves PATH alone" "got: $HK_OUT" \
            grep -qx "PATH=$HK_D/bin:$PATH" <<<"$HK_OUT"
        reason=RENEW6 new_dhcp6_sntp_servers="2001:db8::3" hk_hook "$sh" source \
            "$d/dhclient-exit-hook"
        hk_expect "$n: dhclient RENEW6: option 31" "$HK_D" "-s -F $floor 2001:db8::3"
        reason=EXPIRE new_ntp_servers="192.0.2.3" hk_hook "$sh" source "$d/dhclient-exit-hook"
        hk_expect "$n: dhclient EXPIRE: no run" "$HK_D" ""
        HK_RCS="1 0" reason=REBOOT new_ntp_servers="192.0.2.3" hk_hook "$sh" source \
            "$d/dhclient-exit-hook"
        hk_expect "$n: dhclient, no usable reply (1): then the configured servers" "$HK_D" \
            "-s -F $floor 192.0.2.3 | -s -F $floor ntp1.example ntp2.example"

        # dhcpcd: sourced by dhcpcd-run-hooks; option 42, and DHCPv6 56 and 31.
        reason=BOUND new_ntp_servers="192.0.2.5" hk_hook "$sh" source "$d/dhcpcd-hook"
        hk_expect "$n: dhcpcd BOUND: option 42" "$HK_D" "-s -F $floor 192.0.2.5"
        check "$n: dhcpcd hook leaves PATH alone" "got: $HK_OUT" \
            grep -qx "PATH=$HK_D/bin:$PATH" <<<"$HK_OUT"
        reason=BOUND6 new_dhcp6_ntp_server_addr="2001:db8::5" \
            new_dhcp6_ntp_server_fqdn="ntp6.example" new_dhcp6_sntp_servers="2001:db8::6" \
            hk_hook "$sh" source "$d/dhcpcd-hook"
        hk_expect "$n: dhcpcd BOUND6: options 56 (address, name) and 31" "$HK_D" \
            "-s -F $floor 2001:db8::5 ntp6.example 2001:db8::6"
        reason=NOCARRIER new_ntp_servers="192.0.2.5" hk_hook "$sh" source "$d/dhcpcd-hook"
        hk_expect "$n: dhcpcd NOCARRIER: no run" "$HK_D" ""

        # odhcp6c: the interface as $1, the state as $2; NTP_IP, NTP_FQDN (option 56),
        # SNTP_IP (option 31).
        NTP_IP="2001:db8::7 2001:db8::8" NTP_FQDN="ntp.example.net" SNTP_IP="2001:db8::9" \
            hk_hook "$sh" run "$d/odhcp6c-ntpsync" wan6 bound
        hk_expect "$n: odhcp6c bound: option 56 and 31" "$HK_D" \
            "-s -F $floor 2001:db8::7 2001:db8::8 ntp.example.net 2001:db8::9"
        NTP_IP="2001:db8::7" hk_hook "$sh" run "$d/odhcp6c-ntpsync" wan6 updated
        hk_expect "$n: odhcp6c updated" "$HK_D" "-s -F $floor 2001:db8::7"
        NTP_IP="2001:db8::7" hk_hook "$sh" run "$d/odhcp6c-ntpsync" wan6 unbound
        hk_expect "$n: odhcp6c unbound: no run" "$HK_D" ""
    done < <(hk_shells)

    # No server anywhere: one line and a non-zero exit, no run.
    hk_defaults "$HK_D" "" "-s" ""
    : >"$HK_D/calls"
    HK_OUT=$(PATH=$HK_D/bin:$PATH HK_SH=/bin/sh hk_with_etc "$HK_D" "$d/ntpsync-dhcp" 2>&1)
    RC=$?
    check "dhcp_hooks: no server at all: exit 2" "exit $RC: $HK_OUT" [ "$RC" -eq 2 ]
    check "dhcp_hooks: no server at all: says so" "said: $HK_OUT" \
        grep -q "the lease named no NTP server and NTPSYNC_SERVERS is empty" <<<"$HK_OUT"
    hk_expect "dhcp_hooks: no server at all: no run" "$HK_D" ""
    # An empty floor: no -F.
    ntpsrv="192.0.2.1" hk_hook /bin/sh run "$d/udhcpc-ntpsync" bound
    hk_expect "dhcp_hooks: no floor configured: no -F" "$HK_D" "-s 192.0.2.1"
}

# --- initd: S49ntpsync ------------------------------------------------------------------

# hk_initd SHELL ACTION: S49ntpsync ACTION in $HK_D's /etc; sets RC and HK_OUT.
hk_initd() {
    : >"$HK_D/calls"
    # shellcheck disable=SC2086 # sh: "busybox sh" is two words
    HK_OUT=$(PATH=$HK_D/bin:$PATH hk_with_etc "$HK_D" $1 "$HK_CONTRIB/init.d/S49ntpsync" "$2" 2>&1)
    RC=$?
}

scenario_initd() {
    local sh n floor
    hk_init
    HK_D=$RUN_DIR/initd
    floor=$HK_D/state/floor
    hk_stub "$HK_D"
    while read -r sh; do
        n="initd (${sh##*/})"
        rm -rf "$HK_D/state"
        hk_defaults "$HK_D" "192.0.2.1 ntp.example" "-s" "$floor" 30
        hk_initd "$sh" start
        hk_expect "$n: start: one run restores the floor and syncs (-F, -W)" "$HK_D" \
            "-s -F $floor -W 30 192.0.2.1 ntp.example"
        check "$n: start: exit 0" "exit $RC: $HK_OUT" [ "$RC" -eq 0 ]
        check "$n: start: made the floor's directory" "no $HK_D/state" [ -d "$HK_D/state" ]
        hk_initd "$sh" stop
        hk_expect "$n: stop: save the floor" "$HK_D" "-s -F $floor -S"
        hk_initd "$sh" restart
        hk_expect "$n: restart: save, then restore and sync" "$HK_D" \
            "-s -F $floor -S | -s -F $floor -W 30 192.0.2.1 ntp.example"
        HK_RCS="4" hk_initd "$sh" start
        check "$n: start: the sync's failure is the exit status" "exit $RC: $HK_OUT" [ "$RC" -eq 4 ]
        check "$n: start: and is said" "said: $HK_OUT" grep -q "FAIL (exit 4)" <<<"$HK_OUT"
        hk_initd "$sh" reload
        check "$n: an unknown action: exit 1" "exit $RC: $HK_OUT" [ "$RC" -eq 1 ]
        check "$n: an unknown action: usage" "said: $HK_OUT" \
            grep -q "Usage: .*{start|stop|restart}" <<<"$HK_OUT"
        hk_expect "$n: an unknown action: no run" "$HK_D" ""
        # No floor: no -F, nothing to save; no servers (DHCP only): no sync at boot.
        hk_defaults "$HK_D" "192.0.2.1" "" "" 5
        hk_initd "$sh" start
        hk_expect "$n: no floor: start syncs without -F" "$HK_D" "-W 5 192.0.2.1"
        hk_initd "$sh" stop
        hk_expect "$n: no floor: stop does nothing" "$HK_D" ""
        hk_defaults "$HK_D" "" "-s" "$floor"
        hk_initd "$sh" start
        hk_expect "$n: no servers: start only restores the floor" "$HK_D" "-s -F $floor"
    done < <(hk_shells)
}

# --- systemd_units ----------------------------------------------------------------------

# hk_unit_has FILE SECTION LINE: LINE is in [SECTION] of the unit FILE.
hk_unit_has() {
    awk -v sec="[$2]" -v line="$3" '
        /^\[/ { in_sec = ($0 == sec) }
        in_sec && $0 == line { found = 1 }
        END { exit !found }' "$1"
}

scenario_systemd_units() {
    local u root out rc line
    hk_init
    u=$HK_CONTRIB/systemd
    # shellcheck disable=SC2016 # the unit's own $VARIABLES
    for line in Type=oneshot \
        'ExecStart=/usr/sbin/ntpsync $NTPSYNC_OPTIONS -F /var/lib/ntpsync/floor -W ${NTPSYNC_WAIT} $NTPSYNC_SERVERS' \
        EnvironmentFile=-/etc/default/ntpsync StateDirectory=ntpsync; do
        check "systemd_units: ntpsync.service [Service] $line" "not in $u/ntpsync.service" \
            hk_unit_has "$u/ntpsync.service" Service "$line"
    done
    for line in After=network-online.target Wants=network-online.target \
        Before=time-sync.target Wants=time-sync.target; do
        check "systemd_units: ntpsync.service [Unit] $line" "not in $u/ntpsync.service" \
            hk_unit_has "$u/ntpsync.service" Unit "$line"
    done
    check "systemd_units: ntpsync.timer every hour" "no OnUnitActiveSec=1h in [Timer]" \
        hk_unit_has "$u/ntpsync.timer" Timer OnUnitActiveSec=1h
    check "systemd_units: ntpsync.timer is installed by timers.target" "no WantedBy=timers.target" \
        hk_unit_has "$u/ntpsync.timer" Install WantedBy=timers.target
    if ! command -v systemd-analyze >/dev/null; then
        echo "# no systemd-analyze here: only the keys above were checked"
        return
    fi
    # Offline, on a root of its own: the host's units (the targets), the two units, and
    # ntpsync as /usr/sbin/ntpsync (verify checks that ExecStart's binary exists).
    root=$RUN_DIR/systemd-root
    rm -rf "$root"
    mkdir -p "$root/usr/lib/systemd" "$root/usr/sbin" "$root/etc/systemd/system"
    cp -a /usr/lib/systemd/system "$root/usr/lib/systemd/"
    cp "$NTPSYNC" "$root/usr/sbin/ntpsync"
    cp "$u/ntpsync.service" "$u/ntpsync.timer" "$root/etc/systemd/system/"
    out=$(systemd-analyze --man=no --root="$root" verify ntpsync.service ntpsync.timer 2>&1)
    rc=$?
    # verify exits 0 even for a line it ignores (a misspelt value): it must say nothing.
    check "systemd_units: systemd-analyze verify: exit 0" "exit $rc: $out" [ "$rc" -eq 0 ]
    check "systemd_units: systemd-analyze verify: no complaint" "said: $out" [ -z "$out" ]
    # That check can fail: the same with a misspelt Type=.
    sed -i 's/^Type=oneshot$/Type=oneshoot/' "$root/etc/systemd/system/ntpsync.service"
    out=$(systemd-analyze --man=no --root="$root" verify ntpsync.service 2>&1)
    check "systemd_units: systemd-analyze verify catches a bad Type=" "said: '$out'" \
        grep -q "oneshoot" <<<"$out"
}

# --- procd: the OpenWrt service and hotplug script ---------------------------------------

# OpenWrt's functions as the service uses them: config_load parses /etc/config/NAME's
# syntax (from $HK_UCI) into CONFIG_SECTION_OPTION (lists: one item per line);
# (a new load starts them afresh); config_get, config_get_bool, config_list_foreach read
# them; procd_* print the instance's
# command line ("instance: ARG ARG ..."); start/stop as rc.common runs them.
hk_procd_stubs() {
    cat <<'EOF2'
config_load() {
    # A new load starts the lists afresh, as OpenWrt's does.
    for _v in ${_lists:-}; do unset "CONFIG_$_v"; done
    _lists=
    _sec=
    while read -r _kw _name _val; do
        _val=${_val#\'}
        _val=${_val%\'}
        case $_kw in
        config) _sec=$_val ;;
        option) eval "CONFIG_${_sec}_${_name}=\$_val" ;;
        list)
            _lists="$_lists ${_sec}_${_name}"
            eval "_old=\${CONFIG_${_sec}_${_name}:-}"
            if [ -n "$_old" ]; then _val="$_old
$_val"; fi
            eval "CONFIG_${_sec}_${_name}=\$_val"
            ;;
        esac
    done <"$HK_UCI"
}
config_get() { # VAR SECTION OPTION DEFAULT
    eval "$1=\${CONFIG_$2_$3-\$4}"
}
config_get_bool() {
    config_get "$@"
    eval "case \$$1 in 1 | on | true | yes | enabled) $1=1 ;; *) $1=0 ;; esac"
}
config_list_foreach() { # SECTION OPTION FUNCTION
    eval "_list=\${CONFIG_$1_$2:-}"
    _ifs=$IFS
    IFS='
'
    for _item in $_list; do
        IFS=$_ifs
        "$3" "$_item"
    done
    IFS=$_ifs
}
procd_open_instance() { _cmd=; }
procd_set_param() {
    [ "$1" = command ] || return 0
    shift
    _cmd="$*"
}
procd_append_param() {
    [ "$1" = command ] || return 0
    shift
    _cmd="$_cmd $*"
}
procd_close_instance() { echo "instance: $_cmd"; }
start() { start_service; }
stop() { echo stopped; }
EOF2
}

# hk_procd SHELL UCI-FILE FUNCTION: the service's FUNCTION (boot, start_service,
# shutdown) with UCI-FILE as its config and the stub as $PROG; sets HK_OUT.
hk_procd() {
    : >"$HK_D/calls"
    # shellcheck disable=SC2016 # expanded by the inner shell
    # shellcheck disable=SC2086 # sh: "busybox sh" is two words
    HK_OUT=$(HK_UCI=$2 $1 -c '. "$1"; . "$2"; PROG=$3; $4' sh "$HK_D/stubs.sh" \
        "$HK_CONTRIB/openwrt/ntpsync.init" "$HK_D/bin/ntpsync" "$3" 2>&1)
}

scenario_procd() {
    local sh n uci prog rc
    hk_init
    HK_D=$RUN_DIR/procd
    hk_stub "$HK_D"
    hk_procd_stubs >"$HK_D/stubs.sh"
    prog=$HK_D/bin/ntpsync
    uci=$HK_D/ntpsync.config
    for sh in /bin/sh "$HK_BUSYBOX sh"; do
        n="procd (${sh##*/})"
        # shellcheck disable=SC2086 # sh: "busybox sh" is two words
        check "$n: sh -n" "does not parse" $sh -n "$HK_CONTRIB/openwrt/ntpsync.init"
        # The shipped /etc/config/ntpsync.
        hk_procd "$sh" "$HK_CONTRIB/openwrt/ntpsync.config" start_service
        check "$n: the instance from the shipped config" "got: $HK_OUT" \
            [ "$HK_OUT" = "instance: $prog -s -F /etc/ntpsync.floor -W 60 pool.ntp.org" ]
        hk_procd "$sh" "$HK_CONTRIB/openwrt/ntpsync.config" boot
        hk_expect "$n: boot: the instance restores the floor, no run of its own" "$HK_D" ""
        check "$n: boot starts the instance" "got: $HK_OUT" \
            [ "$HK_OUT" = "instance: $prog -s -F /etc/ntpsync.floor -W 60 pool.ntp.org" ]
        grep -v "list server" "$HK_CONTRIB/openwrt/ntpsync.config" >"$uci"
        hk_procd "$sh" "$uci" boot
        hk_expect "$n: no servers: boot only restores the floor" "$HK_D" "-s -F /etc/ntpsync.floor"
        check "$n: no servers: no instance" "got: $HK_OUT" [ -z "$HK_OUT" ]
        hk_procd "$sh" "$HK_CONTRIB/openwrt/ntpsync.config" shutdown
        hk_expect "$n: shutdown saves the floor" "$HK_D" "-s -F /etc/ntpsync.floor -S"
        check "$n: shutdown then stops" "got: $HK_OUT" [ "$HK_OUT" = stopped ]
        # Two servers, no options, no floor, another wait.
        printf '%s\n' "config ntpsync 'main'" "	option enabled '1'" \
            "	list server '192.0.2.1'" "	list server 'ntp.lan'" "	option options ''" \
            "	option floor ''" "	option wait '5'" >"$uci"
        hk_procd "$sh" "$uci" start_service
        check "$n: two servers, no floor" "got: $HK_OUT" \
            [ "$HK_OUT" = "instance: $prog -W 5 192.0.2.1 ntp.lan" ]
        hk_procd "$sh" "$uci" shutdown
        hk_expect "$n: no floor: shutdown saves nothing" "$HK_D" ""
        # Disabled: no instance, no floor restored.
        sed "s/enabled '1'/enabled '0'/" "$HK_CONTRIB/openwrt/ntpsync.config" >"$uci"
        hk_procd "$sh" "$uci" boot
        check "$n: enabled 0: no instance" "got: $HK_OUT" [ -z "$HK_OUT" ]
        hk_expect "$n: enabled 0: nothing restored" "$HK_D" ""
    done

    # hotplug.d/iface: sourced by hotplug-call with ACTION and INTERFACE; it runs
    # /etc/init.d/ntpsync (here a stub recording its argument, "enabled" answered by
    # $HK_ENABLED).
    mkdir -p "$HK_D/init.d"
    cat >"$HK_D/init.d/ntpsync" <<EOF
#!/bin/sh
echo "\$1" >>"$HK_D/calls"
[ "\$1" != enabled ] || exit "\${HK_ENABLED:-0}"
EOF
    chmod +x "$HK_D/init.d/ntpsync"
    for sh in /bin/sh "$HK_BUSYBOX sh"; do
        n="procd hotplug (${sh##*/})"
        : >"$HK_D/calls"
        # shellcheck disable=SC2086 # sh: "busybox sh" is two words
        ACTION=ifup INTERFACE=wan hk_with_etc "$HK_D" $sh "$HK_CONTRIB/openwrt/ntpsync.hotplug"
        hk_expect "$n: ifup wan: restart" "$HK_D" "enabled | restart"
        : >"$HK_D/calls"
        # shellcheck disable=SC2086 # sh: "busybox sh" is two words
        ACTION=ifdown INTERFACE=wan hk_with_etc "$HK_D" $sh "$HK_CONTRIB/openwrt/ntpsync.hotplug"
        hk_expect "$n: ifdown: nothing" "$HK_D" ""
        : >"$HK_D/calls"
        # shellcheck disable=SC2086 # sh: "busybox sh" is two words
        ACTION=ifup INTERFACE=loopback hk_with_etc "$HK_D" $sh "$HK_CONTRIB/openwrt/ntpsync.hotplug"
        hk_expect "$n: ifup loopback: nothing" "$HK_D" ""
        : >"$HK_D/calls"
        # shellcheck disable=SC2086 # sh: "busybox sh" is two words
        HK_ENABLED=1 ACTION=ifup INTERFACE=wan hk_with_etc "$HK_D" $sh \
            "$HK_CONTRIB/openwrt/ntpsync.hotplug"
        rc=$?
        hk_expect "$n: service not enabled: no restart" "$HK_D" "enabled"
        check "$n: service not enabled: exit 0" "exit $rc" [ "$rc" -eq 0 ]
    done
}
