#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
# /etc/init.d/rcK of the VM boot test's busybox init board (scenario initd; busybox init
# runs it at shutdown, tests/vm/inittab): stop every /etc/init.d/S??* in the reverse
# order of their names, as Buildroot's rcK (package/initscripts) does: scripts named
# *.sh sourced in a subshell with "stop" as $1, the others run with "stop".

# shellcheck disable=SC2045 # the names are /etc/init.d's S??*, without blanks
for i in $(ls -r /etc/init.d/S??*); do
    [ -f "$i" ] || continue
    case $i in
    *.sh)
        (
            trap - INT QUIT TSTP
            set stop
            # shellcheck source=/dev/null
            . "$i"
        )
        ;;
    *)
        "$i" stop
        ;;
    esac
done
