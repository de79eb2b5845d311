#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
# /etc/init.d/rcS of the VM boot test's busybox init board (scenario initd; busybox init
# runs it at boot, tests/vm/inittab): start every /etc/init.d/S??* in the order of their
# names, as Buildroot's rcS (package/initscripts) does: scripts named *.sh sourced in a
# subshell with "start" as $1, the others run with "start".

for i in /etc/init.d/S??*; do
    # a dangling symbolic link, or no script at all (the pattern itself)
    [ -f "$i" ] || continue
    case $i in
    *.sh)
        (
            trap - INT QUIT TSTP
            set start
            # shellcheck source=/dev/null
            . "$i"
        )
        ;;
    *)
        "$i" start
        ;;
    esac
done
