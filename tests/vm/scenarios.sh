#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# tests/vm/scenarios.sh: the VM boot test's scenarios. tests/vm-test.sh runs it inside
# tests/sandbox.sh after tests/vm/prepare.sh has built build/vm/ARCH/ for every ARCH in
# VM_ARCHS (default: x86_64 arm64 armhf).
#
# qemu (TCG) boots the board's Debian kernel with the initramfs (/init is
# tests/vm/init.sh) and the RTC at 2000-01-01: qemu-system-x86_64 (the PC's CMOS clock),
# qemu-system-aarch64 and qemu-system-arm with -M virt (a PL031). qemu runs here, in the
# sandbox, so its user-mode network reaches only the sandbox's loopback: the guest's
# 10.0.2.2:123 is the NTP server started here on 127.0.0.1:123. dhcp-ntpsrv gives qemu a
# tap device instead, in the sandbox's network namespace (nothing there but lo and the
# tap, no forwarding). The guest's clock is emulated: setting it is the point; this
# machine's clock cannot be touched from the sandbox.
#
# Every board boots "boot", "wait", "nts", "nts-refuse" and "initd"; the ARM boards also
# "floor", "dhcp" and "dhcp-ntpsrv", x86_64 "systemd" (systemd as PID 1 runs
# contrib/systemd's ntpsync.service) and "systemd-epoch" (the same from a clock systemd
# started at /usr/lib/clock-epoch's mtime, after ntpsync's build date, with a small -m and
# no floor yet; both in tests/vm/systemd-scenario.sh). VM_SCENARIOS="dhcp floor" (say)
# boots only those.
#
#   boot  chronyd serving; the guest runs `ntpsync -u -w 10.0.2.2`
#   wait  fake_server.py answers stratum 16 (LI=3) until the guest has asked a few times
#         and for at least UNSYNC_SECONDS, then chronyd takes over port 123; the guest
#         runs `ntpsync -W 60 -v -u -w 10.0.2.2`
#   floor a board without an RTC: the kernel's PL031 driver is kept from starting
#         (initcall_blacklist=pl031_driver_init; qemu's virt board always has the PL031),
#         so the clock starts at 1970; `ntpsync -F FILE` must step it to the time floor in
#         the initramfs (an hour before the test started, saved by another boot), then
#         `ntpsync -W 60 -u -F FILE 10.0.2.2` sync it (the hour's step: -m does not
#         hold a boot that has not synced yet) and save the new floor
#   dhcp  chronyd serving; qemu's DHCP server gives the guest its address; its lease
#         names no NTP server (qemu's offers no option 42), so the udhcpc hook of
#         contrib/dhcp syncs with the fallback of /etc/default/ntpsync (10.0.2.2, -u -w)
#   dhcp-ntpsrv  option 42 for real: the tap device vmtap0 has 10.0.2.2 (busybox udhcpd,
#         the router; the fallback of /etc/default/ntpsync, where nothing answers NTP,
#         which is checked first) and 10.0.2.3 (chronyd); udhcpd's lease names 10.0.2.3
#         (option ntpsrv), so only the lease can make the hook sync: the step and the
#         query must name 10.0.2.3, ntpsync-dhcp must not have fallen back, and the
#         guest's frames (qemu's filter-dump on the tap netdev) must have gone to
#         10.0.2.3:123 and DHCP broadcasts only
#   initd chronyd serving; busybox init boots the board (on ARM without an RTC, as floor;
#         x86_64 with its RTC at 2000): its inittab (tests/vm/inittab) runs rcS, which
#         starts contrib/init.d/S49ntpsync with contrib/default/ntpsync
#         (NTPSYNC_SERVERS="10.0.2.2", NTPSYNC_OPTIONS="": the console); checked: "Setting
#         the clock (ntpsync): OK", the floor restored by the same run (the step is the
#         distance from the floor to the server's time), the clock synced and the floor
#         saved; at poweroff init runs rcK, S49ntpsync stop must say "Saving the time
#         floor: OK" and the floor file (printed by the next shutdown action) must hold
#         the stop's time, a later second than the start's; init powers off
#   nts   chronyd with NTS (NTS-KE on 127.0.0.1:4460, the certificate of
#         tests/nts_certs.sh, which names 10.0.2.2 and is valid from 2024, after the
#         guest's 2000); the guest's ntpsync is the NTS build and runs
#         `ntpsync -N -c /etc/ca.pem -u -w 10.0.2.2`
#   nts-refuse  the same server; with the guest's clock left at 2000,
#         `ntpsync -N -c /etc/foreign-ca.pem -u -w 10.0.2.2` must fail (exit 12,
#         untrusted certificate) and leave the clock and RTC alone, and
#         `ntpsync -d -N -c /etc/ca.pem 10.0.2.2` must say the certificates were
#         checked at the build date
#
# Each guest console line is logged with the host's time of arrival (build/vm/logs/).
# The guest passes when, after ntpsync: `ntpsync -q 10.0.2.2` in the guest measures
# |offset| < 0.5 s, the guest's clock printed on the console is within 0.5 s of the
# host's time at which the line arrived, and the RTC holds the new time (within 2 s).
# qemu records the guest's network traffic (build/vm/logs/[ARCH-]SCENARIO.log.pcap): every
# frame the guest sent must have gone to the server (10.0.2.2; dhcp-ntpsrv: 10.0.2.3),
# and only to the scenario's ports.
# shellcheck source-path=SCRIPTDIR/..
set -u

here=$(cd "$(dirname "$0")" && pwd)
tests=$(dirname "$here")
root=$(dirname "$tests")
. "$tests/lib.sh"
require_sandbox
. "$tests/servers.sh"
# shellcheck source=vm/systemd-scenario.sh
. "$here/systemd-scenario.sh"

VM_ARCHS=${VM_ARCHS:-x86_64 arm64 armhf}
LOGS=$root/build/vm/logs
VM_TIMEOUT=${VM_TIMEOUT:-80}
# More qemu options, e.g. VM_EXTRA="-d guest_errors"
VM_EXTRA=${VM_EXTRA:-}
UNSYNC_SECONDS=${UNSYNC_SECONDS:-3}
Y2000=946684800
Y2024=1704067200
GUEST_MAC=52:54:00:12:34:56
# The guest's network: qemu's user-mode one (slirp: 10.0.2.2 is the sandbox's loopback),
# or "tap" (dhcp-ntpsrv): the tap device VM_TAP in the sandbox's network namespace.
VM_NET=user
VM_TAP=vmtap0
# The NTP server the guest syncs with, as it names it
SERVER=10.0.2.2
CERTS=$root/build/nts-certs
mkdir -p "$LOGS"
trap cleanup_servers EXIT

# --- the VM ----------------------------------------------------------------------------

# Each line of stdin, prefixed with the host's time (epoch seconds, microseconds).
stamp_lines() {
    local line
    while IFS= read -r line || [ -n "$line" ]; do
        printf '%s %s\n' "$EPOCHREALTIME" "${line%$'\r'}"
    done
}

vm_arch() { # ARCH: the board: A (its build/vm/ directory), QEMU, CONSOLE, PFX
    ARCH=$1
    A=$root/build/vm/$ARCH
    case $ARCH in
    x86_64) QEMU=(qemu-system-x86_64) CONSOLE=ttyS0 ;;
    arm64) QEMU=(qemu-system-aarch64 -M virt -cpu cortex-a57) CONSOLE=ttyAMA0 ;;
    # highmem=off: the armmp kernel cannot claim the PCIe window above 4 GiB (no eth0)
    armhf) QEMU=(qemu-system-arm -M 'virt,highmem=off' -cpu cortex-a15) CONSOLE=ttyAMA0 ;;
    esac
    # the checks' and logs' names: x86_64's as before the ARM boards came
    PFX=
    [ "$ARCH" = x86_64 ] || PFX="$ARCH "
}

vm_start() { # SCENARIO [KERNEL-ARG...]: boot the guest in the background; its console
    # goes to $VM_LOG
    local s=$1 netdev=user,id=n0
    shift
    [ "$VM_NET" != tap ] || netdev=tap,id=n0,ifname=$VM_TAP,script=no,downscript=no,vnet_hdr=off
    VM_LOG=$LOGS/${PFX:+$ARCH-}$s.log
    rm -f "$VM_LOG" "$VM_LOG.rc" "$VM_LOG.pcap"
    VM_T0=$EPOCHREALTIME
    (
        timeout -s KILL "$VM_TIMEOUT" "${QEMU[@]}" -accel tcg -m 256 -smp 1 \
            -nodefaults -no-user-config -display none -serial stdio -no-reboot \
            -rtc base=2000-01-01 -kernel "$A/vmlinuz" -initrd "${VM_INITRD:-$A/initramfs.cpio}" \
            -append "console=$CONSOLE quiet panic=-1 vmtest=$s${*:+ $*}" \
            -netdev "$netdev" -device virtio-net-pci,netdev=n0,mac="$GUEST_MAC" \
            -object filter-dump,id=d0,netdev=n0,file="$VM_LOG.pcap" ${VM_EXTRA:+$VM_EXTRA} \
            </dev/null 2>"$VM_LOG.stderr" | stamp_lines >"$VM_LOG"
        echo "${PIPESTATUS[0]}" >"$VM_LOG.rc"
    ) &
    VM_PID=$!
}

vm_wait() { # sets VM_RC (124/137: killed by the timeout) and VM_SECONDS
    wait "$VM_PID"
    VM_RC=$(cat "$VM_LOG.rc" 2>/dev/null || echo "?")
    VM_SECONDS=$(awk -v a="$VM_T0" -v b="$EPOCHREALTIME" 'BEGIN { printf "%.1f", b - a }')
}

# --- reading the guest's console ---------------------------------------------------------

vmtest() { # PREFIX: the first "VMTEST PREFIX..." line, host time first
    awk -v w="$*" '$2 == "VMTEST" { l = $3; for (i = 4; i <= NF; i++) l = l " " $i
                                    if (index(l, w) == 1) { print; exit } }' "$VM_LOG"
}
between() { # FROM TO REGEX: the first line matching REGEX after the line FROM, before TO
    awk -v a="$1" -v b="$2" -v r="$3" 'index($0, b) { exit } on && $0 ~ r { print; exit }
                                       index($0, a) { on = 1 }' "$VM_LOG"
}
field() { # N: the Nth word of stdin's line
    awk -v n="$1" '{ print $n }'
}
value() { # KEY LINE: the value of KEY=VALUE in LINE
    sed -n "s/.* $1=\([^ ]*\).*/\1/p" <<<"$2"
}
abs_diff() { # A B
    awk -v a="$1" -v b="$2" 'BEGIN { d = a - b; if (d < 0) d = -d; printf "%.6f", d }'
}
utc() { # EPOCH
    date -u -d "@${1%.*}" '+%Y-%m-%d %H:%M:%S'
}
show_console() { # the guest's console, indented, without the host times
    cut -d' ' -f2- "$VM_LOG" | sed 's/^/    | /'
}

# The guest synced (S, WHEN: the boot and when it printed): ntpsync -q in the guest ($q)
# measures the remaining offset against the server to the µs; and, independently of
# ntpsync, the guest's clock on the console ($after_c) against the host's (the server's)
# when the line arrived, whose latency counts against it. Leaves the guest's clock in g.
check_synced() { # S WHEN
    local qoff host
    qoff=$(sed -n 's/.* offset \([-+0-9.]*\), delay.*/\1/p' <<<"$q")
    check "$1: guest clock within 0.5 s of the server $2 (ntpsync -q offset ${qoff:-none})" \
        "query: ${q:-none}; $(vmtest query exit=)" near "${qoff:-}" 0 0.5
    host=$(field 1 <<<"$after_c")
    g=$(field 5 <<<"$after_c")
    check "$1: guest clock printed $2 within 0.5 s of the host's ($(abs_diff "${host:-0}" "${g:-0}") s)" \
        "host $host, guest ${g:-none}" near "${g:-}" "$host" 0.5
}

# The checks shared by the syncing scenarios, on $VM_LOG. $1: the scenario.
check_guest() {
    local v=$1 s=$PFX$1 start before_c before_r run ran after_c after_r q step soff expect
    local t g floor0 r_ran r_c saved lease sx=${SERVER//./\\.}
    start=$(vmtest start)
    before_c=$(vmtest before clock)
    before_r=$(vmtest before rtc)
    run=$(vmtest run ntpsync)
    ran=$(vmtest run exit=)
    after_c=$(vmtest after clock)
    after_r=$(vmtest after rtc)
    # ntpsync's lines while it ran, and the query's after it (which says "step" too)
    step=$(between 'VMTEST run ntpsync' 'VMTEST run exit=' "step time server $sx offset")
    q=$(between 'VMTEST run exit=' 'VMTEST query exit=' " server $sx, stratum")

    echo "# $s: guest clock before: $(cut -d' ' -f6-8 <<<"$before_c") (epoch $(field 5 <<<"$before_c"))"
    echo "# $s: guest RTC before:   $(cut -d' ' -f5-8 <<<"$before_r" | cut -d' ' -f2- | tr -d ,)"
    echo "# $s: guest ran:          ${run#* VMTEST run } -> $(cut -d' ' -f4- <<<"$ran")"
    echo "# $s: ntpsync said:       $(cut -d' ' -f2- <<<"$step")"
    echo "# $s: guest clock after:  $(cut -d' ' -f6-8 <<<"$after_c") (epoch $(field 5 <<<"$after_c"), host $(field 1 <<<"$after_c"))"
    echo "# $s: guest RTC after:    $(cut -d' ' -f5- <<<"$after_r" | cut -d' ' -f2-)"
    echo "# $s: guest query after:  $(cut -d' ' -f2- <<<"$q")"

    check "$s: guest booted (kernel $(value kernel "$start"))" \
        "no VMTEST start line; qemu exit $VM_RC" [ -n "$start" ]
    check "$s: bare board: no /etc/services in the guest" "$(vmtest etc-services)" \
        [ -n "$(vmtest etc-services absent)" ]
    if [ "$v" = floor ]; then
        check "$s: no RTC: the guest clock started at 1970-01-01" "before: $before_c; $before_r" \
            awk -v e="$(field 5 <<<"$before_c")" -v r="$(field 5 <<<"$before_r")" \
            'BEGIN { exit !(e >= 0 && e < 86400 && r == "none") }'
        # ntpsync -F FILE alone: the clock stepped forward to the floor, to the second
        floor0=$(cut -d' ' -f1 "$A/floor")
        r_ran=$(vmtest restore exit=)
        r_c=$(vmtest restore clock)
        echo "# $s: ntpsync -F restored: $(cut -d' ' -f6-8 <<<"$r_c") (epoch $(field 5 <<<"$r_c");" \
            "floor $(cut -d' ' -f2 "$A/floor"))"
        check "$s: ntpsync -F FILE exit 0, the clock stepped forward to the floor" \
            "${r_ran:-no exit line}; $r_c; floor $floor0" \
            awk -v x="$(value exit "$r_ran")" -v e="$(field 5 <<<"$r_c")" -v f="$floor0" \
            'BEGIN { exit !(x == "0" && e >= f && e < f + 3) }'
        # the step then measured from the restored clock
        before_c=$r_c
    else
        check "$s: guest clock and RTC started at 2000-01-01" "before: $before_c; $before_r" \
            awk -v e="$(field 5 <<<"$before_c")" -v r="$(field 5 <<<"$before_r")" -v y="$Y2000" \
            'BEGIN { exit !(e >= y && e < y + 86400 && r >= y && r < y + 86400) }'
    fi
    check "$s: ntpsync exit 0" "$ran" [ "$(value exit "$ran")" = 0 ]
    case $v in
    dhcp)
        lease=$(vmtest lease bound)
        echo "# $s: $(cut -d' ' -f3- <<<"$lease")"
        check "$s: udhcpc took qemu's lease (10.0.2.15/24 via 10.0.2.2, no NTP server)" \
            "lease: ${lease:-none}" \
            [ "$(cut -d' ' -f5- <<<"$lease")" = "ip=10.0.2.15/24 router=10.0.2.2 ntpsrv=" ]
        ;;
    dhcp-ntpsrv)
        lease=$(vmtest lease bound)
        echo "# $s: $(cut -d' ' -f3- <<<"$lease")"
        check "$s: udhcpc took udhcpd's lease (10.0.2.15/24 via 10.0.2.2, option 42: $SERVER)" \
            "lease: ${lease:-none}" \
            [ "$(cut -d' ' -f5- <<<"$lease")" = "ip=10.0.2.15/24 router=10.0.2.2 ntpsrv=$SERVER" ]
        # ntpsync-dhcp says so when it falls back to /etc/default/ntpsync's servers
        t=$(grep -m1 'ntpsync-dhcp:' "$VM_LOG" | cut -d' ' -f2-)
        check "$s: the hook synced with the lease's server, no fallback" "$t" [ -z "$t" ]
        ;;
    esac

    # The step is the guest's error: host time minus guest time when "before clock" arrived.
    if [ -n "$step" ] && [ -n "$before_c" ]; then
        soff=$(sed -n 's/.* offset \([-+0-9.]*\) sec.*/\1/p' <<<"$step")
        expect=$(awk -v h="$(field 1 <<<"$before_c")" -v g="$(field 5 <<<"$before_c")" \
            'BEGIN { printf "%.3f", h - g }')
        check "$s: ntpsync stepped the clock by the guest's error (+$expect s)" \
            "step offset $soff, expected $expect +- 1" near "$soff" "$expect" 1
    else
        fail "$s: ntpsync stepped the clock" "no 'step time server $SERVER' line"
    fi

    # A board at boot has no entropy yet: the request's random nonce must not stall the
    # exchange (on Linux >= 5.18 a read of /dev/urandom before the pool is ready spends up
    # to a second generating jitter entropy). The exchange itself takes milliseconds
    # here even under TCG; writing the RTC (-w) afterwards waits for the next second edge.
    # Under udhcpc the hook starts ntpsync when the lease is bound.
    case $v in dhcp*) run=$(vmtest lease bound) ;; esac
    if [ -n "$step" ] && [ -n "$run" ]; then
        t=$(awk -v a="$(field 1 <<<"$run")" -v b="$(field 1 <<<"$step")" 'BEGIN { printf "%.2f", b - a }')
        if [ "$v" = wait ]; then
            pass "$s: ntpsync stepped ${t} s after it started (it waited for the server)"
        elif [ "$v" = nts ]; then
            # a figure: NTS-KE and the wait for the kernel's random pool (below) included
            echo "# $s: ntpsync stepped ${t} s after it started"
        else
            check "$s: ntpsync stepped ${t} s after it started (< 0.5 s: no stall at boot)" \
                "the step came ${t} s after ntpsync started" near "$t" 0 0.5
        fi
    fi

    check_synced "$s" "after the sync"

    if [ "$v" = floor ]; then
        saved=$(vmtest floor file)
        echo "# $s: floor file after:   $(cut -d' ' -f5- <<<"$saved")"
        t=$(field 5 <<<"$saved")
        check "$s: the new floor saved, within 2 s of the guest clock" \
            "floor file: ${saved:-none}; guest clock ${g:-none}" near "${t:-}" "${g:-0}" 2
    else
    t=$(field 5 <<<"$after_r")
    check "$s: RTC written: $(field 6 <<<"$after_r") $(field 7 <<<"$after_r") within 2 s of the guest clock" \
        "RTC after: ${after_r:-none}; guest clock ${g:-none}" near "${t:-}" "${g:-0}" 2
    fi
    check "$s: guest powered off by itself (${VM_SECONDS} s)" "qemu exit $VM_RC (124/137: timeout)" \
        [ "$VM_RC" = 0 ]
}

# Where the guest's frames went ($VM_LOG.pcap): IPv4 only as allowed, "[ADDRESS] PROTO
# PORT" (ADDRESS: 10.0.2.2 if left out; "broadcast": 255.255.255.255, DHCP), and ARP
# only for those addresses; IPv6 only to link-local multicast (ff02::, the kernel's
# neighbour discovery and MLD on link-up, which never leaves the link). $1: the scenario.
check_traffic() { # SCENARIO "[ADDRESS] PROTO PORT"...
    local s=$PFX$1 dests other ok allowed a
    shift
    allowed=
    for a in "$@"; do
        case $a in
        broadcast\ *) a="255.255.255.255 ${a#* }" ;;
        *\ *\ *) ;;
        *) a="10.0.2.2 $a" ;;
        esac
        allowed+=$a$'\n'
    done
    dests=$("$PYTHON" "$here/pcap_dests.py" "$VM_LOG.pcap" "$GUEST_MAC" 2>&1 || echo "(no capture)")
    other=$(awk -v allowed="$allowed" '
        BEGIN {
            n = split(allowed, a, "\n")
            for (i = 1; i <= n; i++) {
                if (a[i] == "") continue
                ok[a[i]] = 1
                split(a[i], w, " ")
                if (w[1] != "255.255.255.255") arp[w[1]] = 1
            }
        }
        $2 == "arp" && ($4 in arp) { next }
        $2 == "ipv4" && (($4 " " $3 " " $5) in ok) { next }
        $2 == "ipv6" && $4 ~ /^ff02:/ { next }
        { print }' <<<"$dests")
    echo "# $s: the guest sent (count family proto destination port): $(paste -sd';' <<<"$dests")"
    ok=0
    [ -n "$dests" ] && [ -z "$other" ] && ok=1
    check "$s: the guest's traffic went only to $(paste -sd, <<<"${allowed%$'\n'}")" \
        "${dests//$'\n'/; }; not allowed: ${other//$'\n'/; }" [ "$ok" = 1 ]
}

report_vm() { # SCENARIO: the console when something failed, or always with VERBOSE=1
    if [ "$FAILED" -gt "$1" ] || [ -n "${VERBOSE:-}" ]; then
        echo "# guest console ($VM_LOG):"
        show_console
        [ -s "$VM_LOG.stderr" ] && sed 's/^/    qemu: /' "$VM_LOG.stderr"
    fi
}

rx() { # requests the fake server received from the guest (not the query above)
    echo $(($(grep -c '^rx ' "$FAKE_LOG" 2>/dev/null) - rx0))
}

# --- boot: the server is up --------------------------------------------------------------
scenario_boot() {
    local failed0=$FAILED
    start_chrony 127.0.0.1 || exit 1
    echo "# ${PFX}boot: chronyd on 127.0.0.1:123 (the guest's 10.0.2.2): $(ntp_query 127.0.0.1)"
    vm_start boot
    vm_wait
    check_guest boot
    check_traffic boot "udp 123"
    report_vm "$failed0"
    stop_servers
}

# --- wait: the server answers stratum 16 at first ------------------------------------------
scenario_wait() {
    local failed0=$FAILED first n unsync_rx t_switch t_good step deadline
    start_fake 127.0.0.1 stratum16 --lifetime 120 || exit 1
    echo "# ${PFX}wait: fake_server.py --mode stratum16 on 127.0.0.1:123: $(ntp_query 127.0.0.1)"
    rx0=0
    rx0=$(rx)
    vm_start wait
    # Keep the server unsynchronized until the guest has asked at least 3 times and for
    # UNSYNC_SECONDS since its first request, then let chronyd take over the port.
    first=
    deadline=$(($(now_ms) + VM_TIMEOUT * 1000))
    while [ "$(now_ms)" -lt "$deadline" ] && kill -0 "$VM_PID" 2>/dev/null; do
        n=$(rx)
        [ -z "$first" ] && [ "$n" -gt 0 ] && first=$EPOCHREALTIME
        if [ -n "$first" ] && [ "$n" -ge 3 ] &&
            awk -v a="$first" -v b="$EPOCHREALTIME" -v s="$UNSYNC_SECONDS" 'BEGIN { exit !(b - a >= s) }'; then
            break
        fi
        sleep 0.1
    done
    unsync_rx=$(rx)
    stop_fakes
    t_switch=$EPOCHREALTIME
    start_chrony 127.0.0.1 || exit 1
    t_good=$EPOCHREALTIME
    echo "# ${PFX}wait: the guest asked the stratum-16 server $unsync_rx times in" \
        "$(awk -v a="${first:-$t_switch}" -v b="$t_switch" 'BEGIN { printf "%.1f", b - a }') s;" \
        "chronyd serving since $(awk -v a="$VM_T0" -v b="$t_good" 'BEGIN { printf "%.1f", b - a }') s after qemu started"
    vm_wait
    check_guest wait
    check "${PFX}wait: the guest kept asking the unsynchronized server (${unsync_rx:-0} requests)" \
        "fewer than 3 requests reached the stratum-16 server" [ "${unsync_rx:-0}" -ge 3 ]
    step=$(between 'VMTEST run ntpsync' 'VMTEST run exit=' 'step time server 10\.0\.2\.2 offset')
    check "${PFX}wait: the guest synced only once the server was (step at +$(awk -v a="$t_good" -v b="$(field 1 <<<"$step")" 'BEGIN { printf "%.2f", b - a }') s)" \
        "step line ${step:-missing} arrived before chronyd served at $t_good" \
        awk -v a="$t_switch" -v b="$(field 1 <<<"$step")" 'BEGIN { exit !(b != "" && b > a) }'
    check "${PFX}wait: ntpsync -v said what it was waiting for (a server at stratum 16)" \
        "no 'waiting' line, or no 'stratum 16' on the console" \
        eval "grep -qi 'waiting' '$VM_LOG' && grep -q 'stratum 16' '$VM_LOG'"
    check_traffic wait "udp 123"
    report_vm "$failed0"
    stop_servers
}

# --- nts: the NTS build syncs at boot; nts-refuse: the certificate time ---------------------
scenario_nts() { # and nts-refuse
    local failed0=$FAILED s f_run f_ran f_c f_r f_why d_run d_ran d_c d_when when when_s
    start_chrony_nts 127.0.0.1 "$CERTS" || exit 1
    echo "# ${PFX}nts: chronyd with NTS on 127.0.0.1 (NTS-KE :4460, NTP :123; the guest's 10.0.2.2)," \
        "certificate $(openssl x509 -in "$CERTS/server.pem" -noout -startdate -enddate | cut -d= -f2 | paste -sd' ' | sed 's/ \([A-Z]\)/ .. \1/2')"
    vm_start nts
    vm_wait
    check_guest nts
    check_traffic nts "tcp 4460" "udp 123"
    echo "# ${PFX}nts: $(vmtest crng | cut -d' ' -f3-)"
    report_vm "$failed0"

    # The foreign CA is refused although the certificates are checked at the build date (exit
    # 12, the clock and the RTC still at 2000), then -d says which time they were checked at.
    failed0=$FAILED
    s=${PFX}nts-refuse
    vm_start nts-refuse
    vm_wait
    f_run=$(vmtest foreign ntpsync)
    f_ran=$(vmtest foreign exit=)
    f_c=$(vmtest foreign clock)
    f_r=$(vmtest foreign rtc)
    f_why=$(awk '/VMTEST foreign ntpsync/ { on = 1; next } /VMTEST foreign exit=/ { on = 0 }
                 on { $1 = ""; sub(/^ /, ""); print }' "$VM_LOG" | paste -sd'|')
    d_run=$(vmtest debug ntpsync)
    d_ran=$(vmtest debug exit=)
    d_c=$(vmtest debug clock)
    d_when=$(grep -m1 'certificates checked at' "$VM_LOG")
    echo "# $s: guest clock before: $(cut -d' ' -f6-8 <<<"$(vmtest before clock)")"
    echo "# $s: guest ran:          ${f_run#* VMTEST foreign } -> $(cut -d' ' -f4- <<<"$f_ran")"
    echo "# $s: ntpsync said:       $f_why"
    echo "# $s: guest clock after:  $(cut -d' ' -f6-8 <<<"$f_c") (epoch $(field 5 <<<"$f_c")); RTC $(cut -d' ' -f6-8 <<<"$f_r" | tr -d ,)"
    echo "# $s: guest ran:          ${d_run#* VMTEST debug } -> $(cut -d' ' -f4- <<<"$d_ran")"
    echo "# $s: ntpsync -d said:    $(cut -d' ' -f2- <<<"$d_when" | sed 's/^ *//')"
    echo "# $s: guest clock after:  $(cut -d' ' -f6-8 <<<"$d_c")"
    check "$s: guest booted" "no VMTEST start line; qemu exit $VM_RC" [ -n "$(vmtest start)" ]
    check "$s: foreign CA: ntpsync exit 12 (NTS-KE failed)" "${f_ran:-no exit line}" \
        [ "$(value exit "$f_ran")" = 12 ]
    check "$s: foreign CA: refused as untrusted, not for its dates" "said: ${f_why:-nothing}" \
        grep -q 'untrusted certificate' <<<"$f_why"
    check "$s: foreign CA: guest clock and RTC still at 2000-01-01" "$f_c; $f_r" \
        awk -v e="$(field 5 <<<"$f_c")" -v r="$(field 5 <<<"$f_r")" -v y="$Y2000" \
        'BEGIN { exit !(e >= y && e < y + 86400 && r >= y && r < y + 86400) }'
    check "$s: ntpsync -d -N exit 0, the guest's clock still at 2000-01-01" "${d_ran:-no exit line}; $d_c" \
        awk -v x="$(value exit "$d_ran")" -v e="$(field 5 <<<"$d_c")" -v y="$Y2000" \
        'BEGIN { exit !(x == "0" && e >= y && e < y + 86400) }'
    # Not the guest's clock (2000, before the server certificate's notBefore) but the build
    # date: after 2024-01-01, and not after the host's now.
    when=$(sed -n 's/.*certificates checked at \([0-9-]* [0-9:]*\) UTC: the build date.*/\1/p' <<<"$d_when")
    when_s=$(date -u -d "${when:-invalid}" +%s 2>/dev/null)
    check "$s: certificates checked at the build date (${when:-none}), not at the guest's 2000" \
        "line: ${d_when:-none}" awk -v w="${when_s:-}" -v lo="$Y2024" -v hi="$(field 1 <<<"$d_when")" \
        'BEGIN { exit !(w != "" && w >= lo && w <= hi) }'
    check "$s: guest powered off by itself (${VM_SECONDS} s)" "qemu exit $VM_RC (124/137: timeout)" \
        [ "$VM_RC" = 0 ]
    check_traffic nts-refuse "tcp 4460" "udp 123"
    echo "# $s: $(vmtest crng | cut -d' ' -f3-)"
    report_vm "$failed0"
    stop_servers
}

# --- dhcp: the udhcpc hook syncs with the fallback server ----------------------------------
scenario_dhcp() {
    local failed0=$FAILED
    start_chrony 127.0.0.1 || exit 1
    vm_start dhcp
    vm_wait
    check_guest dhcp
    check_traffic dhcp "udp 123" "udp 67" "broadcast udp 67"
    report_vm "$failed0"
    stop_servers
}

# --- dhcp-ntpsrv: the lease names the NTP server (option 42), the udhcpc hook uses it -------
# A real DHCP server needs a link of its own: a tap device in the sandbox's network
# namespace (which has nothing else but lo, and does not forward), with 10.0.2.2 (busybox
# udhcpd, the router, and /etc/default/ntpsync's fallback, where nothing answers NTP) and
# 10.0.2.3 (chronyd, the server the lease names).
scenario_dhcp_ntpsrv() {
    local failed0=$FAILED s=${PFX}dhcp-ntpsrv VM_NET=tap SERVER=10.0.2.3 fb
    local udhcpd=$DEPS_DIR/busybox/bin/busybox
    if [ ! -x "$udhcpd" ]; then
        fail "$s: busybox udhcpd" "no $udhcpd (tests/deps.sh, make deps)"
        return
    fi
    if ! { ip tuntap add dev "$VM_TAP" mode tap && ip addr add 10.0.2.2/24 dev "$VM_TAP" &&
        ip addr add "$SERVER/24" dev "$VM_TAP" && ip link set "$VM_TAP" up; }; then
        fail "$s: a tap device in the sandbox" "ip tuntap add dev $VM_TAP failed"
        return
    fi
    start_chrony "$SERVER" || exit 1
    fb=$(ntp_query 10.0.2.2 0.5)
    check "$s: nothing answers NTP on the fallback 10.0.2.2: only option 42 can sync" \
        "10.0.2.2 answered: $fb" [ -z "$fb" ]
    _new_dir udhcpd
    printf '%s\n' "interface $VM_TAP" "start 10.0.2.15" "end 10.0.2.15" \
        "lease_file $_DIR/leases" "pidfile $_DIR/udhcpd.pid" "option subnet 255.255.255.0" \
        "option router 10.0.2.2" "option ntpsrv $SERVER" >"$_DIR/udhcpd.conf"
    : >"$_DIR/leases"
    # -a: the ARP probe of the address it offers (nobody has it) waits 2 s by default
    _spawn "$_DIR/log" "$udhcpd" udhcpd -f -a 200 "$_DIR/udhcpd.conf"
    echo "# $s: udhcpd on $VM_TAP (10.0.2.2) offers 10.0.2.15 with option 42 $SERVER;" \
        "chronyd on $SERVER: $(ntp_query "$SERVER")"
    vm_start dhcp-ntpsrv
    vm_wait
    check_guest dhcp-ntpsrv
    check_traffic dhcp-ntpsrv "$SERVER udp 123" "broadcast udp 67"
    report_vm "$failed0"
    [ -z "${VERBOSE:-}" ] || sed 's/^/    udhcpd: /' "$_DIR/log"
    stop_servers
    ip link del "$VM_TAP"
}

# --- floor: a board without an RTC restores the time floor, then syncs ---------------------
scenario_floor() {
    local failed0=$FAILED
    start_chrony 127.0.0.1 || exit 1
    echo "# ${PFX}floor: chronyd on 127.0.0.1:123; the floor in the initramfs: $(cat "$A/floor")"
    vm_start floor initcall_blacklist=pl031_driver_init
    vm_wait
    check_guest floor
    check_traffic floor "udp 123"
    report_vm "$failed0"
    stop_servers
}

# The board's scenarios, those of VM_SCENARIOS only if set (e.g. VM_SCENARIOS="boot dhcp";
# "nts" includes nts-refuse)
board_scenarios() {
    local all=(boot wait) sc
    if [ "$ARCH" = x86_64 ]; then
        all+=(nts initd systemd systemd-epoch)
    else
        all+=(nts floor dhcp dhcp-ntpsrv initd)
    fi
    for sc in "${all[@]}"; do
        [ -z "${VM_SCENARIOS:-}" ] || [[ " $VM_SCENARIOS " == *" $sc "* ]] || continue
        "scenario_${sc//-/_}"
    done
}

# --- initd: busybox init starts S49ntpsync (ARM: a board without an RTC), and stops it -----
# Console lines from the first containing FROM to the last before one containing TO, without
# the host's times, joined by "|".
console_text() { # FROM TO
    awk -v a="$1" -v b="$2" 'on && index($0, b) { exit } index($0, a) { on = 1 }
                             on { $1 = ""; sub(/^ /, ""); print }' "$VM_LOG" | paste -sd'|'
}

scenario_initd() {
    local failed0=$FAILED s=${PFX}initd floor0 start before_c before_r started restore step soff
    local expect q after_c g saved stopping stopped_c stopped t mt
    start_chrony 127.0.0.1 || exit 1
    floor0=$(cut -d' ' -f1 "$A/floor")
    echo "# $s: chronyd on 127.0.0.1:123; the floor in the initramfs: $(cat "$A/floor")"
    # the ARM boards without an RTC (as floor), x86_64 with its RTC at 2000
    if [ "$ARCH" = x86_64 ]; then
        vm_start initd
    else
        vm_start initd initcall_blacklist=pl031_driver_init
    fi
    vm_wait
    start=$(vmtest start)
    before_c=$(vmtest before clock)
    before_r=$(vmtest before rtc)
    started=$(console_text 'Setting the clock (ntpsync):' 'VMTEST after clock')
    restore=$(between 'VMTEST initd exec' 'VMTEST after clock' 'clock stepped forward to the time floor')
    step=$(between 'VMTEST initd exec' 'VMTEST after clock' 'step time server 10\.0\.2\.2 offset')
    after_c=$(vmtest after clock)
    q=$(between 'VMTEST after clock' 'VMTEST query exit=' ' server 10\.0\.2\.2, stratum')
    saved=$(vmtest floor file)
    stopping=$(console_text 'Saving the time floor:' 'VMTEST stopped clock')
    stopped_c=$(vmtest stopped clock)
    stopped=$(vmtest floor stopped)

    echo "# $s: guest clock before: $(cut -d' ' -f6-8 <<<"$before_c") (epoch $(field 5 <<<"$before_c")), $(cut -d' ' -f3- <<<"$before_r")"
    echo "# $s: rcS, S49ntpsync start: ${started:-nothing}"
    echo "# $s: guest clock after:  $(cut -d' ' -f6-8 <<<"$after_c") (epoch $(field 5 <<<"$after_c"), host $(field 1 <<<"$after_c"))"
    echo "# $s: guest query after:  $(cut -d' ' -f2- <<<"$q")"
    echo "# $s: floor file after S49ntpsync start: $(cut -d' ' -f5- <<<"$saved")"
    echo "# $s: rcK, S49ntpsync stop: ${stopping:-nothing}"
    echo "# $s: floor file after S49ntpsync stop:  $(cut -d' ' -f5- <<<"$stopped")" \
        "(clock $(cut -d' ' -f6-8 <<<"$stopped_c"))"

    check "$s: guest booted (kernel $(value kernel "$start"))" \
        "no VMTEST start line; qemu exit $VM_RC" [ -n "$start" ]
    if [ "$ARCH" = x86_64 ]; then
        check "$s: guest clock and RTC started at 2000-01-01" "before: $before_c; $before_r" \
            awk -v e="$(field 5 <<<"$before_c")" -v r="$(field 5 <<<"$before_r")" -v y="$Y2000" \
            'BEGIN { exit !(e >= y && e < y + 86400 && r >= y && r < y + 86400) }'
    else
        check "$s: no RTC: the guest clock started at 1970-01-01" "before: $before_c; $before_r" \
            awk -v e="$(field 5 <<<"$before_c")" -v r="$(field 5 <<<"$before_r")" \
            'BEGIN { exit !(e >= 0 && e < 86400 && r == "none") }'
    fi
    check "$s: busybox init ran rcS: S49ntpsync start said OK" \
        "S49ntpsync start said: ${started:-nothing}" \
        grep -qE '^Setting the clock \(ntpsync\): .*OK$' <<<"$started"
    # One run restores the floor, then syncs: the step is measured from the floor, not
    # from 1970 or 2000 (it would be about 1.8e9 or 8.5e8 s).
    soff=$(sed -n 's/.* offset \([-+0-9.]*\) sec.*/\1/p' <<<"$step")
    expect=$(awk -v h="$(field 1 <<<"$step")" -v f="$floor0" 'BEGIN { printf "%.3f", h - f }')
    check "$s: -F restored the floor first (\"$(sed -n 's/.*\(clock stepped.*\)/\1/p' <<<"$restore")\")" \
        "no 'clock stepped forward to the time floor' line before the sync" [ -n "$restore" ]
    check "$s: then ntpsync stepped the clock from the floor to the server's time (${soff:-no step}, +$expect s expected)" \
        "step: ${step:-none}" near "${soff:-}" "$expect" 1
    check_synced "$s" "after rcS"
    t=$(field 5 <<<"$saved")
    check "$s: S49ntpsync start saved the floor, within 2 s of the guest clock" \
        "floor file: ${saved:-none}; guest clock ${g:-none}" near "${t:-}" "${g:-0}" 2
    check "$s: at poweroff busybox init ran rcK: S49ntpsync stop said OK" \
        "S49ntpsync stop said: ${stopping:-nothing}" \
        grep -qE '^Saving the time floor: .*OK$' <<<"$stopping"
    # S49ntpsync stop (ntpsync -F FILE -S) saved the time then: a later second than the
    # start's (the report between them waits a second), and the file written then.
    g=$(field 5 <<<"$stopped_c")
    mt=$(value mtime "$stopped")
    check "$s: S49ntpsync stop saved the floor at shutdown ($(field 5 <<<"$stopped"), after the start's ${t:-none}; mtime ${mt:-none}; clock ${g:-none})" \
        "floor file at shutdown: ${stopped:-none}; clock ${stopped_c:-none}" \
        awk -v f="$(field 5 <<<"$stopped")" -v f0="${t:-}" -v m="${mt:-}" -v c="${g:-}" \
        'BEGIN { d = f - c; e = m - c; exit !(f != "" && f0 != "" && m != "" && c != "" &&
                                              f > f0 && d > -2 && d < 2 && e > -2 && e < 2) }'
    t=$(grep -c 'Requesting system poweroff$' "$VM_LOG")
    check "$s: guest powered off by busybox init (${VM_SECONDS} s)" \
        "qemu exit $VM_RC (124/137: timeout); init's 'Requesting system poweroff' seen $t times" \
        [ "$VM_RC,$t" = 0,1 ]
    check_traffic initd "udp 123"
    report_vm "$failed0"
    stop_servers
}

for arch in $VM_ARCHS; do
    vm_arch "$arch"
    echo "# $ARCH: kernel $(cat "$A/kernel-version"), $("${QEMU[0]}" --version | head -n 1), TCG"
    board_scenarios
done

[ -z "${VM_TEST_T0:-}" ] ||
    echo "# vm-test took $(awk -v a="$VM_TEST_T0" -v b="$EPOCHREALTIME" 'BEGIN { printf "%.1f", b - a }') s"
summary
