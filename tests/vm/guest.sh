# SPDX-License-Identifier: GPL-2.0-or-later
# shellcheck shell=dash
# tests/vm/guest.sh: what the VM boot test's guest scripts print, sourced from
# /usr/lib/vmtest/guest.sh by tests/vm/init.sh (the busybox initramfs) and
# tests/vm/systemd/vmtest.sh (the systemd image). Lines for the test start with
# "VMTEST "; times are UTC, epochs in seconds.

say() { echo "VMTEST $*"; }
uptime_s() { cut -d' ' -f1 /proc/uptime; }
clock() { # LABEL: the system clock and the RTC
    # busybox date has no %N; adjtimex (a read: no options) has the microseconds
    say "$1 clock $(adjtimex | awk '/tv_sec/ { s = $2 } /tv_usec/ { printf "%d.%06d", s, $2 }')" \
        "$(date -u '+%Y-%m-%d %H:%M:%S') UTC"
    if [ ! -e /sys/class/rtc/rtc0 ]; then
        say "$1 rtc none"
        return 0
    fi
    say "$1 rtc $(cat /sys/class/rtc/rtc0/since_epoch) $(cat /sys/class/rtc/rtc0/date)" \
        "$(cat /sys/class/rtc/rtc0/time) UTC, hwclock -r -u: $(hwclock -r -u 2>&1)"
}
