#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# bench/run.sh [NTPSYNC]: ntpsync against its peers, side by side in one run (`make bench`).
#
# Outside the sandbox: gets the peers (bench/peers.sh), runs itself inside tests/sandbox.sh,
# then bench/report.py prints the tables, writes bench/BENCHMARKS.md and bench/bench.png.
# Inside: starts the servers on the sandbox's loopback and runs every client many times.
# Every client run happens inside the sandbox, where the clock cannot be set; the clients
# that only work in set mode (ntpdate -u) run under strace with the clock-setting syscalls
# injected to succeed without running (as tests/lib.sh run_ntpsync does).
#
# Addresses (sandbox loopback only):
#   127.0.0.1   chronyd, local stratum 8: true offset 0
#   127.0.0.2   chronyd synced to 127.0.0.1 with `offset 10`: true offset +10 s
#   127.0.0.5   fake_server.py good: counts the requests of the fast clients
#   127.0.0.5N  fake_server.py good, one per slow client (they run in parallel)
#   127.0.0.6   fake stratum16    127.0.0.7 fake silent    127.0.0.8 fake rate (KoD RATE)
#   127.0.0.9   nothing bound: ICMP port unreachable
#   127.0.0.13  chronyd, local stratum 8, NTS server (NTS-KE on port 4460, plain NTP too;
#               certificates of tests/nts_certs.sh, which name 127.0.0.13): the cost of NTS
#   127.0.0.21..24  bench/relay.py to 127.0.0.1: lan, wan, asym, loss30 (see PROFILES)
#   127.0.0.31  chronyd, local stratum 8, with an MD5, a SHA1 and an AES-128-CMAC key:
#               ntpsync -q with and without -a (the cost of authentication)
#
# Phases: A, the fast clients one run at a time, clients interleaved round-robin so that
# load from other work on the machine hits them alike; B, everything where only the give-up
# time or the success rate matters (failure modes, 30 % loss), in parallel; C, the slow
# clients (seconds per run, mostly asleep), one job per client and path, in parallel with
# each other only. In phase A too: ntpsync -q against the keyed chronyd without -a and with
# each key type, round-robin with the order turned by one each round; and NTS: ntpsync -N
# with a fresh NTS-KE each run, then ntpsync -N with a warm cookie jar and ntpsync -q
# without NTS against the same server, round-robin (chronyd -Q with nts goes in phase C).
#
# Environment: BENCH_SCALE=PERCENT scales every run count (default 100; 20 for a quick
# look), BUSYBOX=PATH a busybox binary with the ntpd applet (else one is looked for under
# build/; none: reported n/a). Every run's output stays in build/bench/results/out/, and
# `python3 bench/report.py build/bench/results bench` redoes the tables from them.
# The NTS build (build/ntpsync-nts, make NTS=1) and the certificates (build/nts-certs) are
# made here, before the sandbox.
set -u

here=$(cd "$(dirname "$0")" && pwd)
root=$(dirname "$here")
NTPSYNC=$(realpath "${1:-$root/ntpsync}")
OUT=$root/build/bench
RES=$OUT/results

if [ "${SANDBOXED:-}" != 1 ]; then
    t0=$(date +%s.%N)
    [ -x "$NTPSYNC" ] || { echo "run.sh: $NTPSYNC not found (make ntpsync)" >&2; exit 2; }
    make -C "$root" --no-print-directory build/ntpsync-nts >&2 ||
        { echo "run.sh: make build/ntpsync-nts failed" >&2; exit 1; }
    "$root/tests/nts_certs.sh" "$root/build/nts-certs" || exit 1
    "$here/peers.sh" || exit 1
    t1=$(date +%s.%N)
    rm -rf "$RES"
    mkdir -p "$RES/out"
    {
        echo "date=$(date -u '+%Y-%m-%d %H:%M UTC')"
        echo "cpu=$(sed -n 's/^model name[[:space:]]*: //p' /proc/cpuinfo | head -n 1)"
        echo "nproc=$(nproc)"
        echo "kernel=$(uname -sr)"
        echo "mem=$(awk '/MemTotal/ {printf "%.0f GiB", $2 / 1048576}' /proc/meminfo)"
        echo "os=$(. /etc/os-release && echo "$PRETTY_NAME")"
        echo "loadavg_start=$(cut -d' ' -f1-3 /proc/loadavg)"
        echo "ntpsync=$("$NTPSYNC" -V 2>&1 | head -n 1)"
        echo "ntpsync_nts=$("$root/build/ntpsync-nts" -V 2>&1 | head -n 1)"
        echo "ntpsync_nts_bytes=$(stat -c %s "$root/build/ntpsync-nts")"
        echo "ntpsync_git=$(git -C "$root" describe --always --dirty 2>/dev/null || echo unknown)"
    } >"$RES/machine"
    SANDBOX_TIMEOUT=${SANDBOX_TIMEOUT:-900} "$root/tests/sandbox.sh" "$here/run.sh" "$NTPSYNC"
    rc=$?
    t2=$(date +%s.%N)
    echo "loadavg_end=$(cut -d' ' -f1-3 /proc/loadavg)" >>"$RES/machine"
    if [ "$rc" -ne 0 ]; then
        echo "run.sh: the measurements failed (exit $rc); results so far in $RES" >&2
        exit "$rc"
    fi
    awk -v a="$t0" -v b="$t1" -v c="$t2" 'BEGIN { printf "peers_s=%.1f\nsandbox_s=%.1f\n", b - a, c - b }' \
        >>"$RES/machine"
    python3 "$here/report.py" "$RES" "$here" || exit 1
    if command -v gnuplot >/dev/null; then
        (cd "$RES" && gnuplot "$here/plot.gnuplot") || echo "run.sh: gnuplot failed" >&2
        [ -s "$RES/bench.png" ] && cp "$RES/bench.png" "$here/bench.png"
    fi
    t3=$(date +%s.%N)
    awk -v a="$t0" -v b="$t1" -v c="$t2" -v d="$t3" 'BEGIN {
        printf "make bench: %.0f s in all (peers %.0f s, measurements %.0f s, report and plot %.0f s)\n",
            d - a, b - a, c - b, d - c }'
    exit 0
fi

# ---------------------------------------------------------------- inside the sandbox
# shellcheck source-path=SCRIPTDIR/../tests
. "$root/tests/lib.sh"
require_sandbox
SERVER_LIFETIME=900
. "$root/tests/servers.sh"

D=$root/build/deps
RUNNER=$OUT/runner
CHRONYD=$D/chrony/usr/sbin/chronyd
NTPSYNC_NTS=$root/build/ntpsync-nts
NTS_CA=$root/build/nts-certs/ca.pem
NTS_ADDR=127.0.0.13
CLASSIC=$D/ntp-classic
NTPSEC=$D/ntpsec-clients
CLASSIC_ENV=(LD_LIBRARY_PATH="$CLASSIC/usr/lib/x86_64-linux-gnu")
# PATH: only ntpdig's own directory (the shim runs `ntpdig`), as on a board without a compiler:
# ntpdig's ctypes.util.find_library("ntpc") runs gcc and ld when it finds them.
NTPSEC_ENV=(PYTHONPATH="$NTPSEC/usr/lib/python3/dist-packages" PATH="$NTPSEC/usr/bin")
TMPD=$(mktemp -d "${TMPDIR:-/tmp}/ntpsync-bench.XXXXXX")
STRACE=$(command -v strace)
TIMEOUT=$(command -v timeout)
SCALE=${BENCH_SCALE:-100}
FAIL_LIMIT=20 # s: a failure-mode run still going then is killed (bench/report.py knows it)
RELAY_PIDS=()

# shellcheck disable=SC2317 # called by the trap
cleanup() {
    local p
    for p in "${RELAY_PIDS[@]}"; do kill "$p" 2>/dev/null; done
    cleanup_servers
    rm -rf "$TMPD" "$RUN_DIR"
}
trap cleanup EXIT

n() { # COUNT: scaled by BENCH_SCALE, at least 1
    local v=$((($1 * SCALE + 50) / 100))
    [ "$v" -ge 1 ] || v=1
    echo "$v"
}

phase() { # NAME: note when it starts
    echo "phase $1 $(date +%s.%N)" >>"$RES/phases"
    echo "# bench: $1 ($(date +%T))" >&2
}

# --- the clients -------------------------------------------------------------------
# Each has an id, a label for the table, a command (cmd_ID ADDR sets CMD, ENVS, WRAP) and a
# class: fast (phase A) or slow (phase C). WRAP=strace: in time runs, run under strace with
# the clock calls injected (set-mode clients); memory runs never use strace (their clock
# calls then fail with EPERM, at the very end, which changes nothing in the memory used).
CLIENTS=(ntpsync ntpsync-p1 ntpdate-u ntpdate-q sntp ntpdig ntpdate-ntpsec chrony-iburst chrony-1)
declare -A LABEL CLASS
LABEL[ntpsync]="ntpsync -q (4 samples)"
LABEL[ntpsync-p1]="ntpsync -q -p 1"
LABEL[ntpdate-u]="ntpdate 4.2.8p15 -u (boot)"
LABEL[ntpdate-q]="ntpdate 4.2.8p15 -q"
LABEL[sntp]="sntp 4.2.8p15"
LABEL[ntpdig]="ntpdig (NTPsec 1.2.2)"
LABEL[ntpdate-ntpsec]="ntpdate -u (NTPsec shim)"
LABEL[chrony-iburst]="chronyd 4.3 -Q iburst"
LABEL[chrony-1]="chronyd 4.3 -Q maxsamples 1"
LABEL[busybox]="busybox ntpd -q"
LABEL[ntpsync-t3]="ntpsync -q -t 3"
LABEL[ntpsync-p8]="ntpsync -q -p 8"
# -a against the keyed chronyd (127.0.0.31), next to ntpsync -q without a key on it
AUTH_CLIENTS=(ntpsync ntpsync-md5 ntpsync-sha1 ntpsync-aes)
LABEL[ntpsync-md5]="ntpsync -q -a (MD5)"
LABEL[ntpsync-sha1]="ntpsync -q -a (SHA1)"
LABEL[ntpsync-aes]="ntpsync -q -a (AES-128-CMAC)"
# NTS against the chronyd on 127.0.0.13: ntpsync -N with NTS-KE against chronyd -Q nts, and
# ntpsync -N with a warm cookie jar against ntpsync -q without NTS. The jar twice: in $TMPD (on disk, as /var/lib/ntpsync is on a board), and on
# the sandbox's private tmpfs /run: the difference is the jar's fsync and rename.
NTS_CLIENTS=(ntpsync-nts chrony-nts ntpsync-nts-jar ntpsync-nts-jar-tmpfs)
NTS_JAR=$TMPD/nts.jar
NTS_JAR_TMPFS=/run/ntpsync-bench-nts.jar
LABEL[ntpsync-nts]="ntpsync -N -q (NTS-KE each run)"
LABEL[chrony-nts]="chronyd 4.3 -Q nts maxsamples 1"
LABEL[ntpsync-nts-jar]="ntpsync -N -C JAR -q (warm jar, $(findmnt -n -o FSTYPE -T "$TMPD"))"
LABEL[ntpsync-nts-jar-tmpfs]="ntpsync -N -C JAR -q (warm jar, $(findmnt -n -o FSTYPE -T /run))"
for c in "${CLIENTS[@]}" busybox; do CLASS[$c]=fast; done
CLASS[ntpdate-u]=slow
CLASS[chrony-iburst]=slow
CLASS[busybox]=slow

# A busybox with the ntpd applet: $BUSYBOX, or one built under build/ (toolchains/);
# binaries for other architectures fail to run and are skipped.
find_busybox_ntpd() {
    local b
    for b in ${BUSYBOX:-} $(find "$root/build" -maxdepth 5 -path "$root/build/deps" -prune -o \
        -type f \( -name busybox -o -name 'busybox-ntpd*' -o -name 'busybox_ntpd*' \) -print 2>/dev/null); do
        [ -x "$b" ] || continue
        if "$b" ntpd --help 2>&1 | grep -q -- '-p.*PEER'; then
            realpath "$b"
            return 0
        fi
    done
    return 1
}
BUSYBOX_BIN=$(find_busybox_ntpd) && CLIENTS+=(busybox)

client_cmd() { # ID ADDR -> CMD ENVS WRAP
    local id=$1 a=$2
    ENVS=()
    WRAP=
    case $id in
    ntpsync) CMD=("$NTPSYNC" -q "$a") ;;
    ntpsync-p1) CMD=("$NTPSYNC" -q -p 1 "$a") ;;
    ntpsync-t3) CMD=("$NTPSYNC" -q -t 3 "$a") ;;
    ntpsync-p8) CMD=("$NTPSYNC" -q -p 8 "$a") ;;
    ntpsync-md5) CMD=("$NTPSYNC" -q -a 1 -k "$AUTH_KEYS" "$a") ;;
    ntpsync-sha1) CMD=("$NTPSYNC" -q -a 2 -k "$AUTH_KEYS" "$a") ;;
    ntpsync-aes) CMD=("$NTPSYNC" -q -a 3 -k "$AUTH_KEYS" "$a") ;;
    ntpsync-nts) CMD=("$NTPSYNC_NTS" -N -c "$NTS_CA" -q "$a") ;;
    ntpsync-nts-jar) CMD=("$NTPSYNC_NTS" -N -c "$NTS_CA" -C "$NTS_JAR" -q "$a") ;;
    ntpsync-nts-jar-tmpfs) CMD=("$NTPSYNC_NTS" -N -c "$NTS_CA" -C "$NTS_JAR_TMPFS" -q "$a") ;;
    ntpdate-u) CMD=("$CLASSIC/usr/sbin/ntpdate" -u "$a") ENVS=("${CLASSIC_ENV[@]}") WRAP=strace ;;
    ntpdate-q) CMD=("$CLASSIC/usr/sbin/ntpdate" -q "$a") ENVS=("${CLASSIC_ENV[@]}") ;;
    sntp) CMD=("$CLASSIC/usr/bin/sntp" -K /dev/null "$a") ENVS=("${CLASSIC_ENV[@]}") ;;
    ntpdig) CMD=("$NTPSEC/usr/bin/ntpdig" "$a") ENVS=("${NTPSEC_ENV[@]}") ;;
    ntpdate-ntpsec) CMD=("$NTPSEC/usr/sbin/ntpdate" -u "$a") ENVS=("${NTPSEC_ENV[@]}") WRAP=strace ;;
    chrony-iburst | chrony-1)
        local opt=
        [ "$id" = chrony-1 ] && opt=" maxsamples 1"
        _CHRONY_SEQ=$((${_CHRONY_SEQ:-0} + 1))
        CMD=("$CHRONYD" -Q -u root "server $a iburst$opt" "pidfile $TMPD/chronyd.$BASHPID.$_CHRONY_SEQ.pid"
            "cmdport 0" "bindcmdaddress /")
        ;;
    chrony-nts)
        # An empty ntsdumpdir of its own: no cookies kept from an earlier run, so every
        # run starts with NTS-KE, as a board's first boot does.
        _CHRONY_SEQ=$((${_CHRONY_SEQ:-0} + 1))
        local dir=$TMPD/chrony-nts.$BASHPID.$_CHRONY_SEQ
        mkdir -p "$dir"
        CMD=("$CHRONYD" -Q -u root "server $a iburst nts maxsamples 1" "ntstrustedcerts $NTS_CA"
            nosystemcert "ntsdumpdir $dir" "pidfile $dir/chronyd.pid" "cmdport 0" "bindcmdaddress /")
        ;;
    busybox) CMD=("$BUSYBOX_BIN" ntpd -n -q -d -p "$a") WRAP=strace ;;
    *) echo "run.sh: unknown client $id" >&2; return 1 ;;
    esac
}

setenv() { [ ${#ENVS[@]} -eq 0 ] || export "${ENVS[@]}"; }

# run_one SCENARIO CLIENT ADDR KIND [FAKELOG]: one run; KIND time|mem|size. Appends
#   SCENARIO CLIENT KIND SECONDS RSS_KB STATUS OUTFILE REQUESTS
# to $TSV (REQUESTS: datagrams FAKELOG received during the run, else -).
declare -A SEQ
run_one() {
    local sc=$1 id=$2 a=$3 kind=$4 flog=${5:-} key stat out before=0 req=- line limit=40
    case $sc in stratum16 | silent | icmp | rate) limit=$FAIL_LIMIT ;; esac
    client_cmd "$id" "$a" || return
    key=$sc.$id.$kind
    SEQ[$key]=$((${SEQ[$key]:-0} + 1))
    out=$RES/out/$key.${SEQ[$key]}
    stat=$TMPD/stat.$BASHPID
    [ -n "$flog" ] && before=$(grep -c '^rx ' "$flog")
    case $kind in
    mem)
        (setenv; exec "$RUNNER" -m "$stat" "$limit" "${CMD[@]}") >"$out" 2>&1 </dev/null ;;
    size)
        (setenv; exec "$TIMEOUT" -s KILL "$limit" "$STRACE" -f -qq -e signal=none \
            -e trace=execve,open,openat -o "$out.trace" "${CMD[@]}") >"$out" 2>&1 </dev/null
        echo "0 0 $?" >"$stat" ;;
    *)
        if [ "$WRAP" = strace ]; then
            CMD=("$STRACE" -f --seccomp-bpf -qq -e signal=none -o "$out.trace" -e trace="$CLOCK_SYSCALLS"
                -e inject="$CLOCK_SYSCALLS":retval=0 -- "${CMD[@]}")
        fi
        (setenv; exec "$RUNNER" "$stat" "$limit" "${CMD[@]}") >"$out" 2>&1 </dev/null ;;
    esac
    [ -n "$flog" ] && req=$(($(grep -c '^rx ' "$flog") - before))
    line=$(cat "$stat" 2>/dev/null) || line="0 0 255"
    printf '%s\t%s\t%s\t%s\t%s\t%s\n' "$sc" "$id" "$kind" "${line// /$'\t'}" "${out#"$RES/"}" "$req" >>"$TSV"
}

# series SCENARIO ADDR KIND [FAKELOG] -- ID:COUNT...: COUNT runs of each ID, round-robin.
series() {
    local sc=$1 a=$2 kind=$3 flog='' i max=0 spec id cnt
    shift 3
    [ "$1" != -- ] && { flog=$1; shift; }
    shift
    for spec in "$@"; do cnt=${spec##*:}; [ "$cnt" -gt "$max" ] && max=$cnt; done
    for ((i = 1; i <= max; i++)); do
        for spec in "$@"; do
            id=${spec%:*}
            cnt=${spec##*:}
            [ "$i" -le "$cnt" ] && run_one "$sc" "$id" "$a" "$kind" "$flog"
        done
    done
}

has_client() { # ID
    local c
    for c in "${CLIENTS[@]}"; do [ "$c" = "$1" ] && return 0; done
    return 1
}

# --- servers and relays ------------------------------------------------------------
phase servers
start_chrony 127.0.0.1 || exit 1
start_offset_chrony 127.0.0.2 127.0.0.1 10 || exit 1
start_fake 127.0.0.5 good --max-replies 1000000 || exit 1
GOOD_LOG=$FAKE_LOG
declare -A SLOW_GOOD
i=1
for c in "${CLIENTS[@]}"; do
    [ "${CLASS[$c]}" = slow ] || continue
    start_fake "127.0.0.5$i" good --max-replies 1000000 || exit 1
    SLOW_GOOD[$c]="127.0.0.5$i $FAKE_LOG"
    i=$((i + 1))
done
start_fake 127.0.0.6 stratum16 --max-replies 1000000 || exit 1
start_fake 127.0.0.7 silent || exit 1
start_fake 127.0.0.8 rate --max-replies 1000000 || exit 1
# The key ids ntpsync-md5, -sha1 and -aes use; chrony's key file dialect is also ntpsync's.
AUTH_KEYS=$TMPD/auth.keys
printf '1 MD5 ASCII:bench-secret\n2 SHA1 HEX:%s\n3 AES128 HEX:%s\n' \
    0123456789abcdef0123456789abcdef01234567 000102030405060708090a0b0c0d0e0f >"$AUTH_KEYS"
chmod 600 "$AUTH_KEYS"
start_chrony 127.0.0.31 8 "keyfile $AUTH_KEYS" || exit 1
start_chrony_nts "$NTS_ADDR" "$(dirname "$NTS_CA")" || exit 1

# name address one-way delays and jitters (ms), loss per datagram per direction
PROFILES=(
    "lan 127.0.0.21 --up-delay 0.2 --down-delay 0.2 --up-jitter 0.2 --down-jitter 0.2"
    "wan 127.0.0.22 --up-delay 15 --down-delay 15 --up-jitter 5 --down-jitter 5"
    "asym 127.0.0.23 --up-delay 5 --down-delay 25 --up-jitter 1 --down-jitter 1"
    "loss30 127.0.0.24 --up-delay 10 --down-delay 10 --up-jitter 2 --down-jitter 2 --loss 0.3"
)
declare -A RELAY
for p in "${PROFILES[@]}"; do
    read -r name addr args <<<"$p"
    RELAY[$name]=$addr
    echo "$name $args" >>"$RES/profiles"
    # shellcheck disable=SC2086 # word splitting wanted
    timeout -s KILL 900 python3 "$here/relay.py" --listen "$addr" --server 127.0.0.1 --lifetime 880 \
        --ready-file "$TMPD/relay.$name" $args >"$TMPD/relay.$name.log" 2>&1 &
    RELAY_PIDS+=($!)
done
for i in $(seq 50); do
    ok=1
    for p in "${PROFILES[@]}"; do [ -e "$TMPD/relay.${p%% *}" ] || ok=; done
    [ -n "$ok" ] && break
    sleep 0.1
done
[ -n "$ok" ] || { echo "run.sh: relays did not start" >&2; cat "$TMPD"/relay.*.log >&2; exit 1; }
{
    for c in "${CLIENTS[@]}"; do printf '%s\t%s\t%s\n' "$c" "${CLASS[$c]}" "${LABEL[$c]}"; done
    printf '%s\t%s\t%s\n' ntpsync-p8 extra "${LABEL[ntpsync-p8]}" ntpsync-t3 extra "${LABEL[ntpsync-t3]}"
    for c in "${AUTH_CLIENTS[@]:1}"; do printf '%s\t%s\t%s\n' "$c" auth "${LABEL[$c]}"; done
    for c in "${NTS_CLIENTS[@]}"; do printf '%s\t%s\t%s\n' "$c" nts "${LABEL[$c]}"; done
} >"$RES/clients"
[ -n "${BUSYBOX_BIN:-}" ] && echo "busybox=$BUSYBOX_BIN" >>"$RES/machine"

FAST=()
SLOW=()
for c in "${CLIENTS[@]}"; do
    if [ "${CLASS[$c]}" = fast ]; then FAST+=("$c"); else SLOW+=("$c"); fi
done
# Run counts: the fast clients by how long a run takes.
# shellcheck disable=SC2034 # read through specs' nameref
declare -A N_LOOP N_RELAY
for c in "${FAST[@]}"; do N_LOOP[$c]=$(n 20) N_RELAY[$c]=$(n 15); done
N_LOOP[ntpsync]=$(n 40)
N_LOOP[ntpsync-p1]=$(n 40)
N_RELAY[ntpsync]=$(n 30)
N_RELAY[ntpsync-p1]=$(n 30)
N_LOOP[ntpdate-q]=$(n 10)
# shellcheck disable=SC2034 # read through specs' nameref
N_LOOP[chrony-1]=$(n 10)
N_RELAY[ntpdate-q]=$(n 10)
N_RELAY[chrony-1]=$(n 10)
specs() { # ARRAY-NAME DIVISOR CLIENT...: ID:COUNT words
    local -n arr=$1
    local div=$2 c v
    shift 2
    for c in "$@"; do
        # shellcheck disable=SC2004 # $c is an associative array's key
        v=$(((arr[$c] + div - 1) / div))
        echo "$c:$v"
    done
}

# --- phase A: fast clients, one run at a time ---------------------------------------
phase A
TSV=$RES/runs.A.tsv
"$RUNNER" -m "$TMPD/floor" 5 "$NTPSYNC" -V >/dev/null 2>&1
echo "floor_kb=$(cut -d' ' -f2 "$TMPD/floor")" >>"$RES/machine"
# What GNU time says about the same query, for comparison with the runner's figure.
/usr/bin/time -f %M -o "$TMPD/gnutime" "$NTPSYNC" -q 127.0.0.1 >/dev/null 2>&1
echo "gnutime_ntpsync_kb=$(tail -n 1 "$TMPD/gnutime")" >>"$RES/machine"
# shellcheck disable=SC2046 # word splitting wanted
{
    series loop0 127.0.0.1 time -- $(specs N_LOOP 1 "${FAST[@]}")
    series loop10 127.0.0.2 time -- $(specs N_LOOP 2 "${FAST[@]}")
    series loop0 127.0.0.1 mem -- $(for c in "${FAST[@]}"; do echo "$c:3"; done)
    series count 127.0.0.5 time "$GOOD_LOG" -- $(for c in "${FAST[@]}"; do echo "$c:3"; done)
    for c in "${FAST[@]}"; do run_one size "$c" 127.0.0.1 size; done
    # The same binary four ways: turning the order each round spreads whatever the
    # previous run leaves behind (caches, the server's state) over all four alike.
    cnt=$(n 200)
    for ((i = 0; i < cnt; i++)); do
        for ((j = 0; j < ${#AUTH_CLIENTS[@]}; j++)); do
            run_one auth "${AUTH_CLIENTS[(i + j) % ${#AUTH_CLIENTS[@]}]}" 127.0.0.31 time
        done
    done
    # NTS: a fresh NTS-KE (TCP, TLS 1.3, the certificate) every run; then, once the jars
    # are primed, each run spends its cookies and gets as many back, so they stay warm:
    # the jars against ntpsync -q without NTS, same server, the order turned each round.
    series nts "$NTS_ADDR" time -- ntpsync-nts:"$(n 100)"
    series nts "$NTS_ADDR" mem -- ntpsync-nts:3
    for j in "$NTS_JAR" "$NTS_JAR_TMPFS"; do
        "$NTPSYNC_NTS" -N -c "$NTS_CA" -C "$j" -q "$NTS_ADDR" >>"$RES/out/nts-jar.prime" 2>&1 ||
            echo "run.sh: priming the cookie jar $j failed (see $RES/out/nts-jar.prime)" >&2
    done
    echo "nts_jar_cookies_primed=$(cat "$NTS_JAR" "$NTS_JAR_TMPFS" | grep -c '^cookie ')" >>"$RES/machine"
    JAR_CLIENTS=(ntpsync-nts-jar ntpsync-nts-jar-tmpfs ntpsync)
    cnt=$(n 200)
    for ((i = 0; i < cnt; i++)); do
        for ((j = 0; j < ${#JAR_CLIENTS[@]}; j++)); do
            run_one nts-jar "${JAR_CLIENTS[(i + j) % ${#JAR_CLIENTS[@]}]}" "$NTS_ADDR" time
        done
    done
    series nts-jar "$NTS_ADDR" mem -- ntpsync-nts-jar:3
    echo "nts_jar_cookies_end=$(cat "$NTS_JAR" "$NTS_JAR_TMPFS" | grep -c '^cookie ')" >>"$RES/machine"
    for m in stratum16:127.0.0.6 silent:127.0.0.7 icmp:127.0.0.9 rate:127.0.0.8; do
        series "${m%:*}" "${m#*:}" time -- ntpsync:"$(n 10)" ntpsync-p1:"$(n 5)"
    done
    for prof in lan wan asym; do
        series "relay-$prof" "${RELAY[$prof]}" time -- $(specs N_RELAY 1 "${FAST[@]}") \
            ntpsync-p8:"${N_RELAY[ntpsync]}"
    done
}

# --- phase B: failure modes of the peers and 30 % loss, in parallel ------------------
phase B
JOBS=()
for c in "${CLIENTS[@]}"; do
    case $c in ntpsync*) ;; *)
        for m in stratum16:127.0.0.6 silent:127.0.0.7 icmp:127.0.0.9 rate:127.0.0.8; do
            (TSV=$RES/runs.B.fail.$c.${m%:*}.tsv run_one "${m%:*}" "$c" "${m#*:}" time) &
            JOBS+=($!)
        done
        ;;
    esac
done
for c in "${CLIENTS[@]}" ntpsync-t3; do
    case $c in
    ntpsync | ntpsync-t3) cnt=$(n 40) ;;
    ntpsync-p1) cnt=$(n 20) ;;
    ntpdate-u | chrony-iburst | busybox) cnt=$(n 4) ;;
    *) cnt=$(n 10) ;;
    esac
    (TSV=$RES/runs.B.loss.$c.tsv series relay-loss30 "${RELAY[loss30]}" time -- "$c:$cnt") &
    JOBS+=($!)
done
wait "${JOBS[@]}"

# --- phase C: the slow clients (seconds per run), in parallel with each other ---------
phase C
JOBS=()
for c in "${SLOW[@]}"; do
    read -r gaddr glog <<<"${SLOW_GOOD[$c]}"
    (
        TSV=$RES/runs.C.loop.$c.tsv
        series loop0 127.0.0.1 time -- "$c:$(n 5)"
        series loop10 127.0.0.2 time -- "$c:$(n 3)"
        run_one loop0 "$c" 127.0.0.1 mem
        run_one count "$c" "$gaddr" time "$glog"
        run_one size "$c" 127.0.0.1 size
    ) &
    JOBS+=($!)
    for prof in lan wan asym; do
        cnt=$(n 10)
        [ "$prof" = wan ] && cnt=$(n 15) # the path the accuracy goals are read on
        (TSV=$RES/runs.C.relay.$c.$prof.tsv series "relay-$prof" "${RELAY[$prof]}" time -- "$c:$cnt") &
        JOBS+=($!)
    done
done
# chronyd -Q with nts: NTS-KE, then some 2 s of waiting before its one request.
(
    TSV=$RES/runs.C.nts.tsv
    series nts "$NTS_ADDR" time -- chrony-nts:"$(n 7)"
    run_one nts chrony-nts "$NTS_ADDR" mem
) &
JOBS+=($!)
wait "${JOBS[@]}"
phase end
has_client busybox || echo "busybox=" >>"$RES/machine"
exit 0
