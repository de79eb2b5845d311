#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
# shellcheck shell=dash
# The VM boot test's script in the "systemd" and "systemd-epoch" guests
# (tests/vm/systemd-prepare.sh installs it as /usr/lib/vmtest/vmtest.sh; busybox's sh and
# applets; the scenario is the kernel command line's vmtest=). Lines for the test start
# with "VMTEST "; times are UTC, epochs in seconds, systemd's timestamps microseconds
# since boot (monotonic: the clock's step does not move them).
#   net    (vmtest-net.service, before network-online.target) what the board booted
#          with (clock, RTC, time floor), then eth0 up as a board's network
#          configuration would
#   check  (vmtest-check.service, after ntpsync.service and time-sync.target) the units'
#          results and times, the timer, the clock and RTC, the time floor ntpsync.service
#          saved, `ntpsync -q 10.0.2.2`; then power off
PATH=/usr/sbin:/usr/bin:/sbin:/bin
export PATH
FLOOR=/var/lib/ntpsync/floor

# shellcheck source=tests/vm/guest.sh
. /usr/lib/vmtest/guest.sh
floor() { # LABEL: the time floor ntpsync -F keeps, or none
    if [ -e "$FLOOR" ]; then
        say "$1 floor file $(cat "$FLOOR") mtime=$(stat -c %Y "$FLOOR")"
    else
        say "$1 floor none"
    fi
}
unit() { # UNIT PROPERTY...: "VMTEST unit UNIT P=V P=V ..."
    u=$1
    shift
    say "unit $u $(systemctl show "$@" "$u" | sed 's/ /_/g' | paste -sd' ')"
}

case $1 in
net)
    say "start scenario=$(sed -n 's/.* vmtest=\([^ ]*\).*/\1/p' /proc/cmdline) kernel=$(uname -r) uptime=$(uptime_s)" \
        "init=$(cat /proc/1/comm) systemd=$(systemctl --version | sed -n '1s/^systemd \([0-9]*\).*/\1/p')"
    if [ -e /etc/services ]; then say "etc-services present"; else say "etc-services absent"; fi
    clock before
    floor before
    # virtio-net is modular in Debian's kernel; modules.order lists it after its dependencies
    while read -r m; do
        insmod "/lib/modules/$m.ko" || say "insmod $m failed"
    done </lib/modules/modules.order
    ip link set lo up
    ip link set eth0 up &&
        ip addr add 10.0.2.15/24 dev eth0 &&
        ip route add default via 10.0.2.2
    rc=$?
    say "net $(ip -4 -o addr show dev eth0 | awk '{ print $2, $4 }') via 10.0.2.2 exit=$rc uptime=$(uptime_s)"
    exit "$rc"
    ;;
check)
    say "check uptime=$(uptime_s)"
    unit ntpsync.service -p Result -p ExecMainStatus -p ExecMainCode -p ActiveState \
        -p ExecMainStartTimestampMonotonic -p ExecMainExitTimestampMonotonic -p ExecStart
    unit network-online.target -p ActiveState -p ActiveEnterTimestampMonotonic
    unit time-sync.target -p ActiveState -p ActiveEnterTimestampMonotonic
    unit ntpsync.timer -p ActiveState -p SubState -p NextElapseUSecMonotonic -p UnitFileState
    systemctl list-timers --all --no-pager | sed 's/^/VMTEST timers /'
    clock after
    floor after
    # How far the clock is from the server's now, to the microsecond: a query only.
    ntpsync -q 10.0.2.2
    say "query exit=$?"
    say "end uptime=$(uptime_s)"
    poweroff -f
    ;;
*)
    say "vmtest.sh: unknown step '$1'"
    exit 2
    ;;
esac
