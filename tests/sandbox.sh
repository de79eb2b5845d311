#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# tests/sandbox.sh CMD [ARG...]: run CMD where it cannot change the system clock and can
# reach nothing but its own loopback.
#
# CMD runs in new user, network, pid and mount namespaces (root only inside its own user
# namespace: CAP_SYS_TIME is checked against the initial one, so every clock-setting call
# fails with EPERM). Before CMD runs, build/clockprobe proves that; if it does not, the
# sandbox aborts with exit 99. When CMD (pid 1 of the new pid namespace) exits, every
# process left in the sandbox is killed, servers included.
#
# Environment: SANDBOX_TIMEOUT=SECONDS (default 900) bounds the whole run.
# Inside, SANDBOXED=1 is exported; /run is a private tmpfs; lo is up (127.0.0.0/8 and ::1), and /etc/resolv.conf
# is replaced (in the private mount namespace only) by one that asks 127.0.0.1, once, with
# a 1 s timeout, so that name look-ups stay on the loopback and fail fast.
set -eu

here=$(cd "$(dirname "$0")" && pwd)
root=$(dirname "$here")
probe=$root/build/clockprobe

if [ "${_SANDBOX_INNER:-}" != "$$" ]; then
    [ $# -gt 0 ] || { echo "usage: $0 CMD [ARG...]" >&2; exit 2; }
    if [ ! -x "$probe" ] || [ "$here/clockprobe.c" -nt "$probe" ]; then
        mkdir -p "$root/build"
        cc -Wall -Wextra -Werror -O2 -o "$probe.tmp" "$here/clockprobe.c"
        mv "$probe.tmp" "$probe"
    fi
    # The inner shell is pid 1 of the new pid namespace, so "$$" is 1 there.
    exec timeout -s KILL "${SANDBOX_TIMEOUT:-900}" \
        unshare --user --map-root-user --net --pid --fork --kill-child --mount --mount-proc \
        env _SANDBOX_INNER=1 "$0" "$@"
fi

unset _SANDBOX_INNER
if ! ip link set lo up; then
    echo "sandbox.sh: cannot bring up lo" >&2
    exit 99
fi
if ! "$probe" >/dev/null; then
    echo "sandbox.sh: ABORT: the clock is not protected here; not running: $*" >&2
    exit 99
fi
# A private /run: ntpsync's default lock (/run/ntpsync.lock) and anything a server puts
# there must not meet the machine's, nor another sandbox's.
if ! mount -t tmpfs -o mode=755 tmpfs /run; then
    echo "sandbox.sh: cannot mount a private /run" >&2
    exit 99
fi
resolv=$root/build/sandbox-resolv.conf
printf 'nameserver 127.0.0.1\noptions timeout:1 attempts:1\n' >"$resolv"
if [ -e /etc/resolv.conf ] && ! mount --bind "$resolv" /etc/resolv.conf; then
    echo "sandbox.sh: cannot replace /etc/resolv.conf" >&2
    exit 99
fi
export SANDBOXED=1
exec "$@"
