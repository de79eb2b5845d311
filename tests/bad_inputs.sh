#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# tests/bad_inputs.sh [NTPSYNC] [OUT.md]: run ntpsync against every bad input the tests
# know (each tests/fake_server.py mode, forged packets, ICMP unreachable, silence, and
# bad command lines) in tests/sandbox.sh (this script re-executes itself there), and
# write what it does (its messages and exit code) as a Markdown table to OUT.md
# (default build/bad-inputs.md), for the README.  Clock calls are injected to succeed
# under strace (tests/lib.sh run_ntpsync), so the table shows what happens on a board.
# shellcheck source-path=SCRIPTDIR
set -u

here=$(cd "$(dirname "$0")" && pwd)
root=$(dirname "$here")
NTPSYNC=$(realpath "${1:-$root/ntpsync}")
MD=$(realpath -m "${2:-$root/build/bad-inputs.md}")

if [ "${SANDBOXED:-}" != 1 ]; then
    exec "$here/sandbox.sh" "$here/bad_inputs.sh" "$NTPSYNC" "$MD"
fi

. "$here/lib.sh"
require_sandbox
SERVER_LIFETIME=300
. "$here/servers.sh"
trap 'cleanup_servers; rm -rf "$RUN_DIR"' EXIT

# The messages without ntpdate's "25 Nov 12:34:56 ntpsync[123]: " prefix, one cell.
cell() {
    sed -E -e 's/^[ 0-9][0-9] [A-Z][a-z]{2} [0-9:]{8} ntpsync\[[0-9]+\]: //' \
        -e "s#^$NTPSYNC: #ntpsync: #" <<<"$1" |
        grep -v '^$' | sed -e 's/|/\\|/g' -e 's/`/'"'"'/g' | awk '
            { gsub(/127\.0\.0\.1 /, "127.0.0.1 "); printf "%s`%s`", (NR > 1 ? "<br>" : ""), $0 }'
}

# What a board's clock saw, from the strace log of the last run.
clock_effect() {
    local s u
    s=$(step_value)
    u=$(slew_us)
    if [ -n "$s" ]; then
        printf 'stepped %+.3f s' "$s"
    elif [ -n "$u" ]; then
        printf 'slewed %+.6f s' "$(awk -v u="$u" 'BEGIN { print u / 1e6 }')"
    elif [ -n "$(clock_calls)" ]; then
        echo "clock call: $(clock_calls | head -n 1 | cut -c1-60)"
    else
        echo "untouched"
    fi
}

# The arguments as a shell would need them typed ('' for an empty one).
shown_args() {
    local a out=()
    for a in "$@"; do
        case $a in
        '') out+=("''") ;;
        *[!A-Za-z0-9._:/=+-]*) out+=("'$a'") ;;
        *) out+=("$a") ;;
        esac
    done
    echo "${out[*]}"
}

ROWS=$RUN_DIR/rows
: >"$ROWS"
row() { # INPUT ARG...: run ntpsync ARG... and add a table row
    local input=$1
    shift
    run_ntpsync "$@"
    # shellcheck disable=SC2016 # the backquotes are Markdown
    printf '| %s | `ntpsync %s` | %s | %s | %s |\n' "$input" "$(shown_args "$@")" "$(cell "$ALL")" \
        "$RC" "$(clock_effect)" >>"$ROWS"
}

fake_row() { # MODE INPUT [FAKE-ARG...] -- [NTPSYNC-ARG...]
    local mode=$1 input=$2 fargs=()
    shift 2
    while [ $# -gt 0 ] && [ "$1" != -- ]; do fargs+=("$1"); shift; done
    [ $# -gt 0 ] && shift
    if ! start_fake 127.0.0.5 "$mode" "${fargs[@]}"; then
        printf '| %s | fake server did not start | | | |\n' "$input" >>"$ROWS"
        return
    fi
    row "$input" "$@" 127.0.0.5
    stop_fakes
}

# row_bounded INPUT SECONDS ARG...: as row, for a run that may hang: killed after SECONDS.
row_bounded() {
    local input=$1 secs=$2 rc out
    shift 2
    out=$(timeout -s KILL "$secs" "$NTPSYNC" "$@" 2>&1 </dev/null)
    rc=$?
    if [ "$rc" -eq 137 ]; then
        out="(nothing more: hangs at 100 % CPU, killed after $secs s)"$'\n'"$out"
        rc="none (killed)"
    fi
    # shellcheck disable=SC2016 # the backquotes are Markdown
    printf '| %s | `ntpsync %s` | %s | %s | %s |\n' "$input" "$(shown_args "$@" | cut -c1-60)..." \
        "$(cell "$(cut -c1-200 <<<"$out")")" "$rc" "not traced" >>"$ROWS"
}

section() {
    printf '| **%s** | | | | |\n' "$1" >>"$ROWS"
}

start_chrony 127.0.0.1 || exit 1

section "server side (tests/fake_server.py --mode on 127.0.0.5)"
fake_row good "a good reply (for comparison)"
fake_row init "LI 3, stratum 0, INIT (classic ntpd or NTPsec that just started)"
fake_row unsynced-chrony "LI 3, stratum 0, refid 0 (chrony that just started)"
fake_row unsynced-openntpd "LI 3, stratum 0, refid 0 (OpenNTPD, unsynchronized)"
fake_row stratum16 "LI 3, stratum 16 (busybox ntpd's server, unsynchronized)"
fake_row kiss=STEP "kiss code STEP"
fake_row good "stratum 200" --stratum 200
fake_row li3 "LI 3, stratum 2"
fake_row stratum0 "stratum 0 with kiss code XXXX"
fake_row kiss=AUTH "kiss code AUTH"
fake_row rate "kiss-o'-death RATE"
fake_row deny "kiss-o'-death DENY"
fake_row rstr "kiss-o'-death RSTR"
fake_row rate-after-first "a reply, then RATE" -- -p 4
fake_row first-only "a reply, then silence (rate limiting)" -- -p 4
fake_row wrong-origin "origin not our transmit timestamp"
fake_row short "47-byte reply"
fake_row bad-mode "mode 3 instead of 4"
fake_row bad-version "version 5"
fake_row version0 "version 0"
fake_row zero-ts "receive and transmit timestamps 0"
fake_row zero-rx "receive timestamp 0"
fake_row tx-before-rx "transmit 1 s before receive"
fake_row tx-before-rx "transmit 1 s before receive, precision +2" --precision 2
fake_row negative-delay "delay -10 s, precision +30" --precision 30 -- -t 0.5
fake_row ref-future "reference time 1 s after transmit time"
fake_row slow-first=80 "root delay 2.94 s, first reply 80 ms late" --root-delay 2.94
fake_row huge-dispersion "root dispersion 20 s"
fake_row huge-delay "root delay 10 s"
fake_row extension "an extension field after the header (76 bytes)"
fake_row duplicate "every reply twice"
fake_row silent "silence"
fake_row silent "silence, -t 0.5" -- -t 0.5
fake_row delay=1500 "reply after 1.5 s (beyond -t 1)"
fake_row other-port "reply from port 124 instead of 123"
fake_row good "time 10 s ahead" --offset 10
fake_row good "time 0.2 s ahead" --offset 0.2
fake_row good "time 2000 s ahead (beyond the 1000 s step limit)" --offset 2000
fake_row good "time 2000 s ahead, -b" --offset 2000 -- -b
fake_row good "time 10 years behind" --offset -315360000
row "nothing listens (ICMP port unreachable)" 127.0.0.9

section "forged packets (an off-path attacker)"
fake_row forged-first "per request: wrong-origin reply and wrong-origin DENY before the real one"
fake_row port-race "per request: right-origin reply +100 s and right-origin DENY from port 124, then the real one"
fake_row addr-race "the same from 127.0.0.6:123" --other-addr 127.0.0.6

section "several servers"
if start_fake 127.0.0.5 good && start_fake 127.0.0.6 good --offset 10; then
    row "one liar (+10 s) among three" 127.0.0.1 127.0.0.5 127.0.0.6
    row "two servers that disagree (0 and +10 s)" 127.0.0.5 127.0.0.6
fi
stop_fakes
if start_fake 127.0.0.5 good && start_fake 127.0.0.6 good --offset 10 --stratum 1; then
    row "one liar (+10 s, stratum 1) among three" 127.0.0.1 127.0.0.5 127.0.0.6
    row "two servers that disagree, the liar stratum 1" 127.0.0.5 127.0.0.6
fi
stop_fakes
row "one dead (ICMP) and one good" 127.0.0.9 127.0.0.1

section "command line"
row "no server"
row "-p 0" -p 0 127.0.0.1
row "-p 9" -p 9 127.0.0.1
row "-p not a number" -p four 127.0.0.1
row "-p with trailing junk" -p 4x 127.0.0.1
row "-o 0" -o 0 127.0.0.1
row "-o 5" -o 5 127.0.0.1
row "-t 0" -t 0 127.0.0.1
row "-t negative" -t -1 127.0.0.1
row "-t exponent" -t 1e3 127.0.0.1
row "-t more than a year" -t 31536001 127.0.0.1
row "-t below 1 ns" -t 0.0000000001 127.0.0.1
row "-m not a number" -m x 127.0.0.1
row "-m negative" -m -5 127.0.0.1
row "-R not a number" -R soon 127.0.0.1
row "-W negative" -W -1 127.0.0.1
row "missing option argument" 127.0.0.1 -p
row "unknown option" -x 127.0.0.1
row "-j with -d" -j -d 127.0.0.1
row "17 servers" 127.0.0.1 127.0.0.2 127.0.0.3 127.0.0.4 127.0.0.5 127.0.0.6 127.0.0.7 \
    127.0.0.8 127.0.0.9 127.0.0.10 127.0.0.11 127.0.0.12 127.0.0.13 127.0.0.14 127.0.0.15 \
    127.0.0.16 127.0.0.17
row "unresolvable name" no-such-host.invalid
row "empty server name" ""
row "address with a port" 127.0.0.1:123
row "bracketed IPv6" "[::1]"
row "IPv6 address with -4" -4 ::1
row "a 300-character name" "$(printf 'a%.0s' $(seq 300)).invalid"
if start_fake 127.0.0.5 good --offset 10; then
    row "an option after the server name (a server 10 s ahead; ntpdate takes it as -q)" 127.0.0.5 -q
    row "-d after the server name (a server 10 s ahead)" 127.0.0.5 -d
fi
stop_fakes
row_bounded "an option argument of 1100 characters" 5 -p "$(printf '9%.0s' $(seq 1100))" 127.0.0.1
row "lock file in a missing directory" -l /nonexistent/dir/ntpsync.lock 127.0.0.1
row "-w without an RTC in the sandbox" -w 127.0.0.1

section "time floor (-F; files in the run directory)"
cd "$RUN_DIR" || exit 1
floor_line() { # SECONDS
    printf '%s %s\n' "$1" "$(date -u -d "@$1" +%Y-%m-%dT%H:%M:%SZ)"
}
printf '%s %s\n' "$(($(date +%s) - 100))" "$(date -u -d "@$(($(date +%s) - 99))" +%Y-%m-%dT%H:%M:%SZ)" \
    >damaged-floor
row "a floor file whose date is not its seconds' (-F alone)" -F damaged-floor
row "the same file, with a server" -F damaged-floor 127.0.0.1
floor_line "$(($(date +%s) + 30 * 365 * 86400))" >future-floor
row "a floor file 30 years ahead" -F future-floor
floor_line "$(($(date +%s) - 100))" >floor
ln -sf floor floor-link
row "a floor file that is a symbolic link" -F floor-link
row "-S without -F" -S
row "-S with a server" -F floor -S 127.0.0.1
if start_fake 127.0.0.5 good --offset -1000; then
    row "a server 1000 s behind, the floor 100 s ago" -F floor 127.0.0.5
fi
stop_fakes
cd - >/dev/null || exit 1

{
    echo "| input | command | what ntpsync prints | exit | clock |"
    echo "| --- | --- | --- | --- | --- |"
    cat "$ROWS"
} >"$MD"
echo "bad_inputs: $(grep -c '^| [^*]' "$ROWS") rows written to $MD"
