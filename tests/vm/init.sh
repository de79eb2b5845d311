#!/bin/busybox sh
# SPDX-License-Identifier: GPL-2.0-or-later
# shellcheck shell=dash
# /init of the VM boot test (tests/vm-test.sh): a bare board (x86_64, arm64 or armhf)
# booting with its clock at 2000-01-01 (qemu -rtc base=2000-01-01: the CMOS clock, the
# PL031 of qemu's ARM virt board; the kernel copies the RTC to the system clock),
# no battery-backed time, no /etc/services. It brings up the network, syncs the clock
# with ntpsync the way a board's boot script would, writes the RTC (-w), and powers off.
#
# The scenario comes from the kernel command line (vmtest=NAME):
#   boot   ntpsync -u -w 10.0.2.2            the server is up and synchronized
#   wait   ntpsync -W 60 -v -u -w 10.0.2.2   the server answers stratum 16 at first
#   floor  a board without an RTC (the kernel's PL031 driver kept from starting): the
#          clock starts at 1970; the time floor of its last shutdown is restored, as an
#          early init script does, then the sync script runs (no -m 0: the floor names
#          the boot that saved it, not this one, so -m does not hold the step):
#          ntpsync -F /var/lib/ntpsync/floor
#          ntpsync -W 60 -u -F /var/lib/ntpsync/floor 10.0.2.2
#   dhcp   the address from qemu's DHCP server, whose lease names no NTP server (no
#          option 42): udhcpc -O ntpsrv runs the hook of contrib/dhcp (udhcpc-ntpsync,
#          ntpsync-dhcp) from its script, as Buildroot's default.script does; it syncs
#          with /etc/default/ntpsync's fallback: ntpsync -u -w 10.0.2.2
#   dhcp-ntpsrv  the same udhcpc and hook on a tap device: the lease comes from busybox
#          udhcpd in the sandbox and names 10.0.2.3 (option 42), where the NTP server
#          is; nothing answers NTP on the fallback 10.0.2.2: ntpsync -u -w 10.0.2.3
#   initd  busybox init boots the board (the ARM boards without an RTC, as floor; x86_64
#          with its RTC at 2000): /init execs /sbin/init, whose /etc/inittab
#          (tests/vm/inittab) runs /etc/init.d/rcS, which starts
#          contrib/init.d/S49ntpsync with contrib/default/ntpsync
#          (NTPSYNC_SERVERS="10.0.2.2", NTPSYNC_OPTIONS="": its output on the console,
#          the floor /var/lib/ntpsync/floor): ntpsync -F FLOOR -W 60 10.0.2.2 restores
#          the floor, then syncs; "/init synced" reports; poweroff: rcK runs
#          S49ntpsync stop (ntpsync -F FLOOR -S), "/init stopped" prints the floor file
#   nts    the NTS build (/usr/sbin/ntpsync-nts) is the board's ntpsync:
#          ntpsync -N -c /etc/ca.pem -u -w 10.0.2.2
#   nts-refuse  the same board, the clock left at 2000:
#          ntpsync -N -c /etc/foreign-ca.pem -u -w 10.0.2.2   a CA that signed nothing
#                                                             here: refused, no step
#          ntpsync -d -N -c /etc/ca.pem 10.0.2.2              -d: the time the
#                                                             certificates were checked at
# 10.0.2.2 is qemu's user-mode network gateway: the host's (the sandbox's) 127.0.0.1
# (dhcp-ntpsrv: the sandbox's end of the tap device).
#
# Lines for the test start with "VMTEST "; times are UTC, epochs in seconds.
PATH=/usr/sbin:/usr/bin:/sbin:/bin
export PATH
FLOOR=/var/lib/ntpsync/floor

# shellcheck source=tests/vm/guest.sh
. /usr/lib/vmtest/guest.sh

# Run again by busybox init in scenario initd (tests/vm/inittab): the reports.
case ${1:-} in
synced)
    # after rcS: S49ntpsync start has synced the clock and saved the floor
    clock after
    ntpsync -q 10.0.2.2
    say "query exit=$?"
    say "floor file $(cat "$FLOOR")"
    # so that the floor S49ntpsync stop saves is a later second than this one
    sleep 1
    exit 0
    ;;
stopped)
    # after rcK: S49ntpsync stop has saved the floor
    clock stopped
    say "floor stopped $(cat "$FLOOR") mtime=$(stat -c %Y "$FLOOR")"
    say "end uptime=$(uptime_s)"
    exit 0
    ;;
esac

/bin/busybox --install -s
mount -t proc proc /proc
mount -t sysfs sysfs /sys
mount -t devtmpfs devtmpfs /dev
mount -t tmpfs -o mode=755 tmpfs /run

scenario=
read -r cmdline </proc/cmdline
for w in $cmdline; do
    case $w in vmtest=*) scenario=${w#vmtest=} ;; esac
done
say "start scenario=$scenario kernel=$(uname -r) uptime=$(uptime_s)"
if [ -e /etc/services ]; then say "etc-services present"; else say "etc-services absent"; fi

# The network, as a board's init script brings it up: virtio-net is modular in Debian's
# amd64, arm64 and armmp kernels; modules.order lists it after its dependencies.
while read -r m; do
    insmod "/lib/modules/$m.ko" || say "insmod $m failed"
done </lib/modules/modules.order
ip link set lo up
ip link set eth0 up
case $scenario in
dhcp*) ;;
*)
    ip addr add 10.0.2.15/24 dev eth0
    ip route add default via 10.0.2.2
    ;;
esac
say "net $(ip -4 -o addr show dev eth0 | awk '{ print $2, $4 }') via 10.0.2.2"

clock before

timed() { # LABEL ARG...: ntpsync ARG..., its exit code and duration
    l=$1
    shift
    say "$l ntpsync $*"
    t0=$(uptime_s)
    ntpsync "$@"
    rc=$?
    t1=$(uptime_s)
    say "$l exit=$rc seconds=$(awk -v a="$t0" -v b="$t1" 'BEGIN { printf "%.2f", b - a }')"
}

# udhcpc's script: the lease applied, then every hook in default.script.d, as
# Buildroot's default.script runs them; the hooks' exit codes go to /run/hooks.rc
# (EVENT=CODE), the lease's NTP servers to /run/ntpsrv (for the query after the sync).
cat >/run/udhcpc.script <<'END'
#!/bin/busybox sh
case $1 in
bound | renew)
    ip addr add "$ip/$mask" dev "$interface"
    ip route add default via "$router"
    echo "VMTEST lease $1 ip=$ip/$mask router=$router ntpsrv=$ntpsrv"
    echo "$ntpsrv" >/run/ntpsrv
    ;;
esac
for h in /usr/share/udhcpc/default.script.d/*; do
    "$h" "$1"
    echo "$1=$?" >>/run/hooks.rc
done
END
chmod 755 /run/udhcpc.script
dhcp() { # LABEL ARG...: udhcpc ARG... and its hooks, their exit code and duration
    l=$1
    shift
    say "$l ntpsync-dhcp (the udhcpc hook): udhcpc $*"
    t0=$(uptime_s)
    udhcpc "$@"
    u=$?
    t1=$(uptime_s)
    # the exit code: the hook's on the lease (udhcpc runs the script with "deconfig" first)
    say "$l exit=$(sed -n 's/^bound=//p' /run/hooks.rc 2>/dev/null)" \
        "hooks=$(paste -sd, /run/hooks.rc 2>/dev/null) udhcpc=$u" \
        "seconds=$(awk -v a="$t0" -v b="$t1" 'BEGIN { printf "%.2f", b - a }')"
}

run=timed
case $scenario in
boot) set -- -u -w 10.0.2.2 ;;
wait) set -- -W 60 -v -u -w 10.0.2.2 ;;
dhcp | dhcp-ntpsrv)
    run=dhcp
    set -- -i eth0 -n -q -t 5 -O ntpsrv -s /run/udhcpc.script
    ;;
floor)
    timed restore -F "$FLOOR"
    clock restore
    set -- -W 60 -u -F "$FLOOR" 10.0.2.2
    ;;
nts)
    # A board that ships the NTS build installs it as its ntpsync.
    ln -sf ntpsync-nts /usr/sbin/ntpsync
    set -- -N -c /etc/ca.pem -u -w 10.0.2.2
    ;;
initd)
    # The board's own init takes over as pid 1: busybox init with /etc/inittab
    # (tests/vm/inittab), rcS and rcK, /etc/init.d/S49ntpsync and its settings.
    mv /etc/default/ntpsync.initd /etc/default/ntpsync
    say "initd exec /sbin/init, floor $(cat "$FLOOR")"
    exec /sbin/init
    ;;
nts-refuse)
    # The clock reads 2000, before every certificate's notBefore: the certificates are
    # checked at the build date instead, and a CA that did not sign the server's must
    # still be refused, the clock left alone. No sync after these.
    ln -sf ntpsync-nts /usr/sbin/ntpsync
    timed foreign -N -c /etc/foreign-ca.pem -u -w 10.0.2.2
    clock foreign
    timed debug -d -N -c /etc/ca.pem 10.0.2.2
    clock debug
    set --
    ;;
*)
    say "unknown scenario '$scenario'"
    set -- -q 10.0.2.2
    ;;
esac
if [ $# -gt 0 ]; then
    "$run" run "$@"

    clock after

    # How far the clock is from the server's now, to the microsecond: a query only. The
    # server: the first the lease named, else 10.0.2.2.
    server=$(cut -d' ' -f1 /run/ntpsrv 2>/dev/null)
    ntpsync -q "${server:-10.0.2.2}"
    say "query exit=$?"
    [ "$scenario" != floor ] || say "floor file $(cat "$FLOOR")"
fi
# When the kernel's random pool was ready: a read before then waits for it.
say "crng $(dmesg | grep -m1 'crng init done' || echo 'not ready')"
say "end uptime=$(uptime_s)"
poweroff -f
