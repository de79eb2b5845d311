# shellcheck shell=bash
# SPDX-License-Identifier: GPL-2.0-or-later
# tests/need.sh: `need PROBE PACKAGE...` installs the Debian PACKAGEs (apt-get, as root,
# without stdin) unless PROBE already succeeds; PROBE is a command line run by `sh -c`.
# Sourced by tests/fuzz.sh, tests/lint.sh and tests/valgrind.sh.  Quiet unless it fails.
need() { # PROBE PACKAGE...
    local probe=$1 log
    shift
    sh -c "$probe" >/dev/null 2>&1 && return 0
    log=$(mktemp)
    echo "# installing $*" >&2
    if ! { DEBIAN_FRONTEND=noninteractive apt-get -q -y -o DPkg::Lock::Timeout=300 update &&
        DEBIAN_FRONTEND=noninteractive apt-get -q -y -o DPkg::Lock::Timeout=300 \
            install --no-install-recommends "$@"; } >"$log" 2>&1; then
        cat "$log" >&2
        rm -f "$log"
        echo "need: cannot install $*" >&2
        return 1
    fi
    rm -f "$log"
    sh -c "$probe" >/dev/null 2>&1 || { echo "need: $* installed but '$probe' still fails" >&2; return 1; }
}
