# SPDX-License-Identifier: GPL-2.0-or-later
# shellcheck shell=bash
# tests/vm/systemd-scenario.sh: the VM boot test's "systemd" and "systemd-epoch" scenarios
# (x86_64), sourced by tests/vm/scenarios.sh, whose helpers it uses (vm_start, vmtest,
# check_traffic, ...).
#
#   systemd  chronyd serving; the guest boots build/vm/x86_64/systemd.cpio
#         (tests/vm/systemd-prepare.sh): Debian 12's systemd as PID 1, with ntpsync.service
#         and ntpsync.timer of contrib/systemd enabled by `systemctl preset-all`,
#         /etc/default/ntpsync from contrib/default naming 10.0.2.2, and the test's
#         vmtest-net.service (eth0 up before network-online.target) and
#         vmtest-check.service (after ntpsync.service and time-sync.target: prints the
#         units' state and the clock, powers off).
#
# Checks: systemd 252 is PID 1; the RTC started at 2000 and systemd set the clock to its
# build date (TIME_EPOCH, a clock before it being wrong for sure); ntpsync.service ran
# and succeeded (Result=success, ExecMainStatus=0); it started after network-online.target
# was reached and time-sync.target was reached after it exited (systemd's monotonic
# timestamps); it stepped the clock by the guest's error (its syslog line, which journald
# forwards to the console); the clock is then within 0.5 s of the server (`ntpsync -q`)
# and of the host; the time floor (-F /var/lib/ntpsync/floor), none at boot, was saved
# with the new time; the RTC, which the unit does not write (no -w), still reads 2000;
# ntpsync.timer is loaded and waiting, next in about an hour (OnBootSec=1h); the guest
# powered off by itself; its traffic went only to 10.0.2.2:123.
#
#   systemd-epoch  the same board (build/vm/x86_64/systemd-epoch.cpio) with
#         /usr/lib/clock-epoch modified one second after ntpsync's build date and
#         NTPSYNC_OPTIONS="-s -m 10": systemd starts the clock at that mtime, after
#         ntpsync's build date, with no time floor saved yet (a fresh image), so the
#         clock looks set although nothing has synced it since this boot; the step it
#         needs (now - the epoch) is far over -m. ntpsync must treat that clock as
#         unset and step it (before that fix it refused, exit 9, and so did every
#         later run, nothing ever being saved).
#
# Checks: the step was over -m by a margin (on the host, before the boot: else it
# fails saying so, ntpsync's build date being too recent); systemd 252 is PID 1; the RTC
# started at 2000 and systemd set the clock to clock-epoch's mtime, after ntpsync's
# build date; no floor before ntpsync.service; it succeeded, stepped the clock by the
# guest's error, over -m, to within 0.5 s of the server and of the host, and saved the
# floor; the guest powered off by itself; its traffic went only to 10.0.2.2:123.

# How far over the -m limit of systemd-epoch the step must be when the guest boots: the
# guest's clock starts at the epoch while the host's has moved on since this check
EPOCH_MARGIN=20

# The checks both systemd boots make once ntpsync.service has run. $1: the scenario.
check_systemd_synced() {
    local s=$1 before_c svc step q after_c floor0 floor refused soff expect g t
    before_c=$(vmtest before clock)
    svc=$(vmtest unit ntpsync.service)
    after_c=$(vmtest after clock)
    floor0=$(vmtest before floor)
    floor=$(vmtest after floor)
    # ntpsync.service's log lines (journald forwards them), between the network and the report
    step=$(between 'VMTEST net' 'VMTEST check' 'ntpsync\[[0-9]*\]: step time server 10\.0\.2\.2 offset')
    refused=$(between 'VMTEST net' 'VMTEST check' 'ntpsync\[[0-9]*\]: refusing to step')
    q=$(between 'VMTEST after rtc' 'VMTEST query exit=' ' server 10\.0\.2\.2, stratum')
    echo "# $s: ntpsync.service:    $(cut -d' ' -f5- <<<"$svc" | sed 's/ ExecStart=[^ ]*//')"
    echo "# $s: ntpsync.service ExecStart: $(value ExecStart "$svc" | sed 's/.*argv\[\]=\([^;]*\);.*/\1/; s/_/ /g; s/ *$//')"
    echo "# $s: ntpsync said:       $(cut -d' ' -f2- <<<"${step:-$refused}")"
    echo "# $s: guest clock after:  $(cut -d' ' -f6-8 <<<"$after_c") (epoch $(field 5 <<<"$after_c"), host $(field 1 <<<"$after_c"))"
    echo "# $s: guest query after:  $(cut -d' ' -f2- <<<"$q")"
    echo "# $s: floor before:       $(cut -d' ' -f4- <<<"$floor0")"
    echo "# $s: floor after:        $(cut -d' ' -f4- <<<"$floor")"

    check "$s: ntpsync.service ran and succeeded (Result=$(value Result "$svc") ExecMainStatus=$(value ExecMainStatus "$svc"))" \
        "ntpsync.service: ${svc:-no line}${refused:+; ntpsync said: ${refused#* }}" \
        [ "$(value Result "$svc")/$(value ExecMainStatus "$svc")" = success/0 ]
    # The step is the guest's error: host time minus guest time when "before clock" arrived.
    soff=$(sed -n 's/.* offset \([-+0-9.]*\) sec.*/\1/p' <<<"$step")
    expect=$(awk -v h="$(field 1 <<<"$before_c")" -v g="$(field 5 <<<"$before_c")" \
        'BEGIN { printf "%.3f", h - g }')
    check "$s: ntpsync stepped the clock by the guest's error (${soff:-no step}, +$expect s expected)" \
        "step: ${step:-no 'step time server 10.0.2.2' line (journald to the console)}" \
        near "${soff:-}" "$expect" 1
    check_synced "$s" "after the sync"
    # A fresh image: no floor until ntpsync.service saved the synced time (-F), in whole
    # seconds, as it stepped: when its step line reached the host
    t=$(field 6 <<<"$floor")
    check "$s: no floor at boot; ntpsync.service saved it ($(utc "${t:-0}")), within 2 s of its step" \
        "floor before: ${floor0:-none}; after: ${floor:-none}; step line at ${step%% *}" \
        eval "[ -n '$(vmtest before floor none)' ] && near '${t:-}' '${step%% *}' 2"
}

scenario_systemd() {
    local failed0=$FAILED s=systemd start before_c before_r net svc online tsync timer
    local epoch after_r r t_start t_exit t_online t_sync next
    start_chrony 127.0.0.1 || exit 1
    echo "# systemd: chronyd on 127.0.0.1:123 (the guest's 10.0.2.2); initramfs" \
        "$(($(stat -c %s "$A/systemd.cpio") / 1024)) KiB"
    # the systemd image instead of the busybox one, for this boot only
    VM_INITRD=$A/systemd.cpio vm_start systemd
    vm_wait
    epoch=$(cat "$A/systemd-epoch")
    start=$(vmtest start)
    before_c=$(vmtest before clock)
    before_r=$(vmtest before rtc)
    net=$(vmtest net)
    svc=$(vmtest unit ntpsync.service)
    online=$(vmtest unit network-online.target)
    tsync=$(vmtest unit time-sync.target)
    timer=$(vmtest unit ntpsync.timer)
    after_r=$(vmtest after rtc)

    echo "# $s: guest clock before: $(cut -d' ' -f6-8 <<<"$before_c") (epoch $(field 5 <<<"$before_c"))"
    echo "# $s: $(cut -d' ' -f3- <<<"$net")"
    echo "# $s: network-online.target: $(cut -d' ' -f5- <<<"$online")"
    echo "# $s: time-sync.target:   $(cut -d' ' -f5- <<<"$tsync")"
    echo "# $s: ntpsync.timer:      $(cut -d' ' -f5- <<<"$timer")"
    echo "# $s: guest RTC after:    $(cut -d' ' -f5- <<<"$after_r" | cut -d' ' -f2-)"
    echo "# $s: the report ran at uptime $(value uptime "$(vmtest check)") s; qemu ran ${VM_SECONDS} s"

    check "$s: guest booted with systemd as PID 1 ($(value init "$start") $(value systemd "$start"), kernel $(value kernel "$start"))" \
        "start line: ${start:-none}; qemu exit $VM_RC" \
        [ "$(value init "$start")/$(value systemd "$start")" = systemd/252 ]
    check "$s: bare board: no /etc/services in the guest" "$(vmtest etc-services)" \
        [ -n "$(vmtest etc-services absent)" ]
    # The RTC reads 2000; systemd, seeing a clock before its build date, sets it to that
    # date (TIME_EPOCH) before anything runs: ntpsync steps from there.
    check "$s: RTC at 2000-01-01, the clock at systemd's build date ($(utc "$epoch")) before ntpsync" \
        "before: $before_c; $before_r" \
        awk -v e="$(field 5 <<<"$before_c")" -v r="$(field 5 <<<"$before_r")" -v y="$Y2000" \
        -v t="$epoch" 'BEGIN { exit !(e >= t && e < t + 60 && r >= y && r < y + 86400) }'
    check "$s: vmtest-net.service brought eth0 up (10.0.2.15/24)" "net: ${net:-none}" \
        [ "$(value exit "$net")" = 0 ]
    # systemd's monotonic timestamps (microseconds since boot): the step does not move them
    t_start=$(value ExecMainStartTimestampMonotonic "$svc")
    t_exit=$(value ExecMainExitTimestampMonotonic "$svc")
    t_online=$(value ActiveEnterTimestampMonotonic "$online")
    t_sync=$(value ActiveEnterTimestampMonotonic "$tsync")
    check "$s: ntpsync.service started after network-online.target was reached" \
        "network-online.target at ${t_online:-?} us, ntpsync started at ${t_start:-?} us" \
        awk -v a="${t_online:-}" -v b="${t_start:-}" 'BEGIN { exit !(a > 0 && b >= a) }'
    check "$s: time-sync.target was reached after ntpsync.service exited" \
        "ntpsync exited at ${t_exit:-?} us, time-sync.target at ${t_sync:-?} us" \
        awk -v a="${t_exit:-}" -v b="${t_sync:-}" 'BEGIN { exit !(a > 0 && b >= a) }'
    echo "# $s: boot (us since boot): network-online.target ${t_online:-?}, ntpsync.service" \
        "${t_start:-?} .. ${t_exit:-?}, time-sync.target ${t_sync:-?}"

    check_systemd_synced "$s"
    # The unit runs ntpsync without -w: the RTC keeps counting from 2000.
    r=$(field 5 <<<"$after_r")
    check "$s: RTC left alone by the unit (no -w): still at $(field 6 <<<"$after_r") $(field 7 <<<"$after_r")" \
        "RTC after: ${after_r:-none}" \
        awk -v r="${r:-}" -v y="$Y2000" 'BEGIN { exit !(r != "" && r >= y && r < y + 86400) }'
    # OnBootSec=1h: next elapse between 1 h and 1 h + RandomizedDelaySec (60 s) after boot
    next=$(value NextElapseUSecMonotonic "$timer")
    check "$s: ntpsync.timer loaded, enabled and waiting (next at ${next:-?} after boot)" \
        "ntpsync.timer: ${timer:-no line}; list-timers: $(grep -c 'VMTEST timers.*ntpsync\.timer' "$VM_LOG") lines" \
        eval "[ '$(value ActiveState "$timer")' = active ] && [ '$(value SubState "$timer")' = waiting ] &&
              [ '$(value UnitFileState "$timer")' = enabled ] &&
              grep -q 'VMTEST timers.*ntpsync\.timer.*ntpsync\.service' '$VM_LOG'"
    check "$s: guest powered off by itself (${VM_SECONDS} s)" "qemu exit $VM_RC (124/137: timeout)" \
        [ "$VM_RC" = 0 ]
    check_traffic systemd "udp 123"
    report_vm "$failed0"
    stop_servers
}

scenario_systemd_epoch() {
    local failed0=$FAILED s=systemd-epoch epoch built max_step now start before_c before_r
    local need g step over
    read -r epoch built max_step <"$A/clock-epoch"
    now=${EPOCHREALTIME%.*}
    need=$((max_step + EPOCH_MARGIN))
    echo "# $s: clock-epoch $(utc "$epoch") ($epoch), ntpsync built $(utc "$built"), -m $max_step;" \
        "the step needs $((now - epoch)) s"
    # The boot proves nothing unless the step it needs is surely over -m: the clock-epoch
    # is a second after ntpsync's build date, its last commit's date.
    if [ $((now - epoch)) -le "$need" ]; then
        fail "$s: the step (now - clock-epoch) must be over -m $max_step by $EPOCH_MARGIN s" \
            "it is $((now - epoch)) s: ntpsync's build date ($(utc "$built")) is too recent; run again in $((need + 1 - (now - epoch))) s"
        return
    fi
    start_chrony 127.0.0.1 || exit 1
    VM_INITRD=$A/systemd-epoch.cpio vm_start "$s"
    vm_wait
    start=$(vmtest start)
    before_c=$(vmtest before clock)
    before_r=$(vmtest before rtc)
    echo "# $s: guest clock before: $(cut -d' ' -f6-8 <<<"$before_c") (epoch $(field 5 <<<"$before_c"))," \
        "$(cut -d' ' -f3- <<<"$before_r" | cut -d, -f1)"

    check "$s: guest booted with systemd as PID 1 ($(value init "$start") $(value systemd "$start"))" \
        "start line: ${start:-none}; qemu exit $VM_RC" \
        [ "$(value scenario "$start")/$(value init "$start")/$(value systemd "$start")" = "$s/systemd/252" ]
    # The RTC reads 2000; systemd sets the clock to clock-epoch's mtime, after ntpsync's
    # build date: a clock that looks set, which nothing has synced since this boot.
    g=$(field 5 <<<"$before_c")
    check "$s: RTC at 2000-01-01, the clock at clock-epoch's mtime ($(utc "$epoch")), after ntpsync's build date, before ntpsync" \
        "before: $before_c; $before_r" \
        awk -v e="${g:-}" -v r="$(field 5 <<<"$before_r")" -v y="$Y2000" -v t="$epoch" \
        -v b="$built" 'BEGIN { exit !(e != "" && e >= t && e < t + 60 && e > b && r >= y && r < y + 86400) }'
    check_systemd_synced "$s"
    step=$(between 'VMTEST net' 'VMTEST check' 'ntpsync\[[0-9]*\]: step time server 10\.0\.2\.2 offset')
    over=$(sed -n 's/.* offset \([-+0-9.]*\) sec.*/\1/p' <<<"$step")
    check "$s: the step (${over:-none} s) was over -m $max_step" "step: ${step:-none}" \
        awk -v o="${over:-}" -v m="$max_step" 'BEGIN { exit !(o != "" && o > m) }'
    check "$s: guest powered off by itself (${VM_SECONDS} s)" "qemu exit $VM_RC (124/137: timeout)" \
        [ "$VM_RC" = 0 ]
    check_traffic "$s" "udp 123"
    report_vm "$failed0"
    stop_servers
}
