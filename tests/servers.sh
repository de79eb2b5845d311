# shellcheck shell=bash
# SPDX-License-Identifier: GPL-2.0-or-later
# tests/servers.sh: start and stop NTP servers for the tests. Source it INSIDE
# tests/sandbox.sh only (it refuses to load elsewhere).
#
#   start_chrony ADDR [STRATUM]               chronyd -x serving its local clock (default stratum 8)
#   start_offset_chrony ADDR UPSTREAM OFFSET  chronyd -x synced to UPSTREAM, serving time that is
#                                             OFFSET seconds AHEAD of the true time
#   start_ntpsec ADDR [CONF-LINE...]          NTPsec ntpd in orphan mode (stratum 8), with
#                                             CONF-LINEs added to its ntp.conf
# Servers that have just started and are not synchronized (they answer LI=3, stratum 0;
# README, "Servers that are not synchronized"); each returns once it answers:
#   start_chrony_unsynced ADDR [UPSTREAM]     chronyd -x without `local`, asking UPSTREAM
#                                             (default 127.0.0.9, where nothing answers)
#   start_ntpsec_unsynced ADDR [ORPHANWAIT]   NTPsec in orphan mode, stratum 8 only after
#                                             ORPHANWAIT seconds (default 300, ntpd's); INIT
#                                             until then
#   start_openntpd ADDR                       OpenNTPD asking 127.0.0.9: never synchronized
# NTS servers (RFC 8915): NTP on ADDR:123 and NTS-KE on ADDR:4460 (TLS 1.3, ALPN ntske/1),
# with CERTDIR/$NTS_CERT.pem and CERTDIR/$NTS_KEY.key (default "server" and $NTS_CERT;
# CERTDIR made by tests/nts_certs.sh, whose header lists the other certificates; e.g.
# NTS_CERT=server-inter-chain NTS_KEY=server-inter for a chain). Each returns once an NTS-KE exchange
# (tests/ntske_probe.py, certificate not checked) and an NTP query both succeed. The
# cookie keys live in $SERVERS_DIR/ntskeys-ADDR, kept when the server stops: a server
# started again on ADDR takes the cookies it gave before; remove that directory first for
# one that does not (its answer to old cookies is an NTS NAK). Neither server touches
# /var or /run (seen with strace); they read only their binaries' libraries and /etc.
#   start_chrony_nts ADDR CERTDIR [CONF-LINE...]  chronyd -x, local stratum 8, NTS server
#                                             (ntsservercert/ntsserverkey/ntsdumpdir);
#                                             e.g. "ntsntpserver ADDR2" (a Server record)
#   start_ntpsec_nts ADDR CERTDIR [CONF-LINE...]  NTPsec ntpd, orphan stratum 8, with
#                                             "nts enable"; its NTS-KE listener, bound to
#                                             the wildcards by ntpd, is moved to ADDR
#                                             (tests/ntske_bind.c)
#   stop_nts ADDR                             kill the NTS server on ADDR
#   start_fake_ntske ADDR CERTDIR MODE [ARG...]  tests/fake_ntske.py on ADDR:4460 (TLS 1.2
#                                             only, no ALPN, Error records...; no NTP);
#                                             its log in $FAKE_NTSKE_LOG; stop_nts ADDR
#   start_fake ADDR MODE [ARG...]             tests/fake_server.py (log in $FAKE_LOG after start)
#   stop_fakes                                kill the fake servers only
#   stop_unsynced                             kill the unsynchronized servers only
#   stop_ntpsec ADDR                          kill the NTPsec ntpd on ADDR
#   stop_chrony ADDR                          kill the chronyd of start_chrony ADDR
#   stop_servers                              kill every server started here
#   cleanup_servers                           stop_servers, then remove $SERVERS_DIR
#   ntp_query ADDR [TIMEOUT]                  one SNTP query; prints "li=L stratum=S offset=O delay=D"
#   wait_synced ADDR SECONDS [OFFSET]         poll until ADDR answers LI!=3 and stratum 1..15
#                                             (and, if given, offset within 0.1 s of OFFSET)
#   wait_answer ADDR SECONDS                  poll until ADDR answers at all
#
# Each server gets its own directory under $SERVERS_DIR for its conf, pid, drift and log
# files; on failure the log is printed to stderr. Every server is bounded in time: it dies
# with the sandbox, at stop_servers, and after SERVER_LIFETIME seconds (default 600) anyway.

if [ "${SANDBOXED:-}" != 1 ]; then
    echo "servers.sh: must be sourced inside tests/sandbox.sh" >&2
    # shellcheck disable=SC2317 # reached when executed instead of sourced
    return 99 2>/dev/null || exit 99
fi

TESTS_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
REPO_DIR=$(dirname "$TESTS_DIR")
DEPS_DIR=$REPO_DIR/build/deps
CHRONYD=$DEPS_DIR/chrony/usr/sbin/chronyd
NTPSEC_NTPD=$DEPS_DIR/ntpsec/usr/sbin/ntpd
OPENNTPD=$DEPS_DIR/openntpd/usr/sbin/ntpd
if [ -z "${PYTHON:-}" ]; then
    if [ -x /usr/bin/python3 ]; then PYTHON=/usr/bin/python3; else PYTHON=python3; fi
fi
SERVER_LIFETIME=${SERVER_LIFETIME:-600}
SERVERS_DIR=$(mktemp -d "${TMPDIR:-/tmp}/ntpsync-servers.XXXXXX")
_SERVER_PIDS=()
_SERVER_KINDS=()
_SERVER_SEQ=0

# One SNTP client in python: "query ADDR TIMEOUT", "wait ADDR SECONDS [OFFSET]" (until
# synchronized) or "answer ADDR SECONDS" (until it answers at all).
cat >"$SERVERS_DIR/ntpq.py" <<'EOF'
import os, socket, struct, sys, time
EPOCH = 2208988800
def ts(b):
    s, f = struct.unpack("!II", b)
    return s - EPOCH + f / 2**32
def query(addr, timeout):
    fam = socket.AF_INET6 if ":" in addr else socket.AF_INET
    s = socket.socket(fam, socket.SOCK_DGRAM)
    s.settimeout(timeout)
    try:
        s.connect((addr, 123))
        t1 = time.time()
        sec = int(t1)
        req = bytes([0x23]) + bytes(39) + struct.pack("!II", sec + EPOCH, int((t1 - sec) * 2**32))
        s.send(req)
        while True:
            d = s.recv(512)
            t4 = time.time()
            if len(d) >= 48 and d[24:32] == req[40:48]:
                break
    except OSError:
        return None
    finally:
        s.close()
    t2, t3 = ts(d[32:40]), ts(d[40:48])
    return d[0] >> 6, d[1], ((t2 - t1) + (t3 - t4)) / 2, (t4 - t1) - (t3 - t2)
def show(r):
    print("li=%d stratum=%d offset=%+.6f delay=%.6f" % r)
if sys.argv[1] == "query":
    r = query(sys.argv[2], float(sys.argv[3]))
    if r is None:
        sys.exit(1)
    show(r)
else:
    end = time.monotonic() + float(sys.argv[3])
    want = float(sys.argv[4]) if len(sys.argv) > 4 else None
    r = None
    pid = os.environ.get("WAIT_PID")
    while time.monotonic() < end:
        if pid and not os.path.exists("/proc/" + pid):
            print("server process exited")
            break
        r = query(sys.argv[2], 0.2)
        if r and (sys.argv[1] == "answer" or r[0] != 3 and 1 <= r[1] <= 15 and
                  (want is None or abs(r[2] - want) < 0.1)):
            show(r)
            sys.exit(0)
        time.sleep(0.1)
    print("last answer: " + ("none" if r is None else "li=%d stratum=%d offset=%+.6f delay=%.6f" % r))
    sys.exit(1)
EOF

ntp_query() { # ADDR [TIMEOUT]
    "$PYTHON" "$SERVERS_DIR/ntpq.py" query "$1" "${2:-1}"
}

wait_synced() { # ADDR SECONDS [OFFSET]; gives up early if $WAIT_PID exits
    "$PYTHON" "$SERVERS_DIR/ntpq.py" wait "$@"
}

wait_answer() { # ADDR SECONDS; gives up early if $WAIT_PID exits
    "$PYTHON" "$SERVERS_DIR/ntpq.py" answer "$@"
}

# Make sure ADDR is an address of lo, so servers that enumerate interfaces (ntpd) see it
# and replies leave from it. Only the sandbox's own lo is touched.
_lo_addr() { # ADDR
    case $1 in
    127.0.0.1 | ::1) ;;
    *:*) ip -6 addr add "$1/128" dev lo 2>/dev/null || true ;;
    *) ip addr add "$1/32" dev lo 2>/dev/null || true ;;
    esac
}

_new_dir() { # NAME -> sets _DIR
    _SERVER_SEQ=$((_SERVER_SEQ + 1))
    _DIR=$SERVERS_DIR/$_SERVER_SEQ-$1
    mkdir -p "$_DIR"
}

_spawn() { # LOG CMD... (in the background, bounded by SERVER_LIFETIME) -> sets _PID
    local log=$1
    shift
    timeout -s KILL "$SERVER_LIFETIME" "$@" >"$log" 2>&1 </dev/null &
    _PID=$!
    _SERVER_PIDS+=("$_PID")
    _SERVER_KINDS+=("${_DIR##*/}")
}

_server_failed() { # WHAT LOG
    echo "servers.sh: $1 did not come up; its log ($2):" >&2
    sed 's/^/    /' "$2" >&2
    return 1
}

# chronyd binds the wildcard of the other address family unless told -4/-6, which
# would take port 123 from the next server.
_chrony_family() { # ADDR
    case $1 in *:*) echo -6 ;; *) echo -4 ;; esac
}

_chrony_conf() { # ADDR -> common lines
    cat <<EOF
port 123
bindaddress $1
bindacqaddress $1
allow all
cmdport 0
bindcmdaddress /
pidfile $_DIR/chronyd.pid
driftfile $_DIR/drift
EOF
}

start_chrony() { # ADDR [STRATUM [CONF-LINE...]]
    local addr=$1 stratum=${2:-8} a
    shift
    [ $# -gt 0 ] && shift
    _new_dir "chrony-$addr"
    {
        _chrony_conf "$addr"
        echo "local stratum $stratum"
        for a in "$@"; do echo "$a"; done
    } >"$_DIR/chrony.conf"
    _spawn "$_DIR/log" "$CHRONYD" -x -d -u root "$(_chrony_family "$addr")" -f "$_DIR/chrony.conf"
    WAIT_PID=$_PID wait_synced "$addr" 10 >"$_DIR/ready" 2>&1 || _server_failed "chronyd on $addr" "$_DIR/log"
}

start_offset_chrony() { # ADDR UPSTREAM OFFSET
    local addr=$1 upstream=$2 offset=$3
    _new_dir "chrony-$addr-offset"
    {
        _chrony_conf "$addr"
        echo "server $upstream iburst minpoll 0 maxpoll 4 offset $offset"
    } >"$_DIR/chrony.conf"
    _spawn "$_DIR/log" "$CHRONYD" -x -d -u root "$(_chrony_family "$addr")" -f "$_DIR/chrony.conf"
    WAIT_PID=$_PID wait_synced "$addr" 30 "$offset" >"$_DIR/ready" 2>&1 ||
        _server_failed "chronyd on $addr (offset $offset, upstream $upstream)" "$_DIR/log"
}

# ntpd binds the wildcards and every lo address (also those added later) unless told
# not to: it would take port 123 from the other servers. "interface ignore all" does not
# stop it; ignoring both families and then listening on ADDR does.
_ntpsec_conf() { # ADDR ORPHANWAIT
    echo "driftfile $_DIR/drift"
    echo "tos orphan 8 orphanwait $2"
    echo "interface ignore ipv4"
    echo "interface ignore ipv6"
    echo "interface listen $1"
}

start_ntpsec() { # ADDR [CONF-LINE...]
    local addr=$1 a
    shift
    _new_dir "ntpsec-$addr"
    _lo_addr "$addr"
    {
        _ntpsec_conf "$addr" 0
        for a in "$@"; do echo "$a"; done
    } >"$_DIR/ntp.conf"
    _spawn "$_DIR/log" "$NTPSEC_NTPD" -n -c "$_DIR/ntp.conf" -p "$_DIR/ntpd.pid" -l "$_DIR/ntpd.log"
    WAIT_PID=$_PID wait_synced "$addr" "${NTPSEC_WAIT:-90}" >"$_DIR/ready" 2>&1 ||
        _server_failed "NTPsec ntpd on $addr" "$_DIR/ntpd.log"
}

# --- NTS servers ----------------------------------------------------------------------------

_nts_ready() { # ADDR WHAT LOG: NTS-KE, then NTP, answer
    if ! { "$PYTHON" "$TESTS_DIR/ntske_probe.py" --wait 10 --pid "$_PID" "$1" >"$_DIR/ready" 2>&1 &&
        WAIT_PID=$_PID wait_synced "$1" "${NTPSEC_WAIT:-90}" >>"$_DIR/ready" 2>&1; }; then
        cat "$_DIR/ready" >>"$3"
        _server_failed "$2 on $1" "$3"
    fi
}

_nts_files() { # CERTDIR -> sets _CERT, _KEY, _KEYDIR (for ADDR in $addr)
    _CERT=$1/${NTS_CERT:-server}.pem
    _KEY=$1/${NTS_KEY:-${NTS_CERT:-server}}.key
    _KEYDIR=$SERVERS_DIR/ntskeys-$addr
    if [ ! -r "$_CERT" ] || [ ! -r "$_KEY" ]; then
        echo "servers.sh: no $_CERT or $_KEY (tests/nts_certs.sh makes them)" >&2
        return 1
    fi
    mkdir -p "$_KEYDIR"
}

# chronyd's NTS-KE server listens on its bindaddress; its helper process (ntsprocesses 1)
# shares the keys, which it keeps in ntsdumpdir (nothing in /var/lib/chrony is used).
start_chrony_nts() { # ADDR CERTDIR [CONF-LINE...]
    local addr=$1 certdir=$2 a
    shift 2
    _new_dir "chrony-nts-$addr"
    _nts_files "$certdir" || return 1
    _lo_addr "$addr"
    {
        _chrony_conf "$addr"
        echo "local stratum 8"
        echo "ntsservercert $_CERT"
        echo "ntsserverkey $_KEY"
        echo "ntsport 4460"
        echo "ntsdumpdir $_KEYDIR"
        for a in "$@"; do echo "$a"; done
    } >"$_DIR/chrony.conf"
    _spawn "$_DIR/log" "$CHRONYD" -x -d -u root "$(_chrony_family "$addr")" -f "$_DIR/chrony.conf"
    _nts_ready "$addr" "chronyd NTS" "$_DIR/log"
}

# ntpd keeps its cookie keys in "nts cookie" (default /var/lib/ntpsec/nts-keys) and its
# statistics in statsdir (default /var/log/ntpsec/): both are under $SERVERS_DIR here.
start_ntpsec_nts() { # ADDR CERTDIR [CONF-LINE...]
    local addr=$1 certdir=$2 a stub=$REPO_DIR/build/ntske_bind.so
    shift 2
    _new_dir "ntpsec-nts-$addr"
    _nts_files "$certdir" || return 1
    _lo_addr "$addr"
    if [ ! -e "$stub" ] || [ "$TESTS_DIR/ntske_bind.c" -nt "$stub" ]; then
        cc -shared -fPIC -O2 -Wall -Wextra -Werror -o "$stub" "$TESTS_DIR/ntske_bind.c" -ldl ||
            { echo "servers.sh: cannot build $stub" >&2; return 1; }
    fi
    {
        _ntpsec_conf "$addr" 0
        echo "statsdir $_DIR/"
        echo "nts enable"
        echo "nts cert $_CERT"
        echo "nts key $_KEY"
        echo "nts cookie $_KEYDIR/nts-keys"
        for a in "$@"; do echo "$a"; done
    } >"$_DIR/ntp.conf"
    _spawn "$_DIR/log" env NTSKE_BIND_ADDR="$addr" LD_PRELOAD="$stub" \
        "$NTPSEC_NTPD" -n -c "$_DIR/ntp.conf" -p "$_DIR/ntpd.pid" -l "$_DIR/ntpd.log"
    _nts_ready "$addr" "NTPsec ntpd NTS" "$_DIR/ntpd.log"
}

start_fake_ntske() { # ADDR CERTDIR MODE [ARG...]
    local addr=$1 certdir=$2 mode=$3 i
    shift 3
    _new_dir "fake-ntske-nts-$addr"
    _nts_files "$certdir" || return 1
    _lo_addr "$addr"
    FAKE_NTSKE_LOG=$_DIR/connections.log
    _spawn "$_DIR/log" "$PYTHON" "$TESTS_DIR/fake_ntske.py" --addr "$addr" --cert "$_CERT" \
        --key "$_KEY" --ready-file "$_DIR/ready" --log "$FAKE_NTSKE_LOG" \
        --lifetime "$SERVER_LIFETIME" --mode "$mode" "$@"
    for i in $(seq 50); do
        [ -e "$_DIR/ready" ] && return 0
        kill -0 "$_PID" 2>/dev/null || break
        sleep 0.1
    done
    _server_failed "fake_ntske.py --mode $mode on $addr" "$_DIR/log"
}

stop_nts() { # ADDR
    _stop "*-nts-$1"
}

# --- servers that are not synchronized yet ------------------------------------------------

start_chrony_unsynced() { # ADDR [UPSTREAM]
    local addr=$1 upstream=${2:-127.0.0.9}
    _new_dir "chrony-$addr-unsynced"
    { _chrony_conf "$addr"; echo "server $upstream iburst minpoll 0 maxpoll 4"; } >"$_DIR/chrony.conf"
    _spawn "$_DIR/log" "$CHRONYD" -x -d -u root "$(_chrony_family "$addr")" -f "$_DIR/chrony.conf"
    WAIT_PID=$_PID wait_answer "$addr" 10 >"$_DIR/ready" 2>&1 ||
        _server_failed "chronyd on $addr (unsynchronized)" "$_DIR/log"
}

start_ntpsec_unsynced() { # ADDR [ORPHANWAIT]
    local addr=$1
    _new_dir "ntpsec-$addr-unsynced"
    _lo_addr "$addr"
    _ntpsec_conf "$addr" "${2:-300}" >"$_DIR/ntp.conf"
    _spawn "$_DIR/log" "$NTPSEC_NTPD" -n -c "$_DIR/ntp.conf" -p "$_DIR/ntpd.pid" -l "$_DIR/ntpd.log"
    WAIT_PID=$_PID wait_answer "$addr" 10 >"$_DIR/ready" 2>&1 ||
        _server_failed "NTPsec ntpd on $addr (unsynchronized)" "$_DIR/ntpd.log"
}

# OpenNTPD drops privileges to the user "ntpd" and chroots into its home directory,
# /var/lib/openntpd as Debian builds it (its control socket and drift file are there
# too). It runs in a mount namespace of its own, where a tmpfs on /var/lib holds that
# directory and /etc/passwd has the user (uid 0, the only one in the sandbox); the
# sandbox's refusal of setgroups() is stubbed (tests/nosetgroups.c). Its adjtime fails
# here, so it never synchronizes and answers LI=3, stratum 0 for as long as it runs.
start_openntpd() { # ADDR
    local addr=$1 stub=$REPO_DIR/build/nosetgroups.so
    _new_dir "openntpd-$addr-unsynced"
    if [ ! -e "$stub" ] || [ "$TESTS_DIR/nosetgroups.c" -nt "$stub" ]; then
        cc -shared -fPIC -O2 -Wall -Wextra -Werror -o "$stub" "$TESTS_DIR/nosetgroups.c" ||
            { echo "servers.sh: cannot build $stub" >&2; return 1; }
    fi
    printf 'listen on %s\nserver 127.0.0.9\n' "$addr" >"$_DIR/ntpd.conf"
    { grep -v '^ntpd:' /etc/passwd; echo "ntpd:x:0:0:OpenNTPD:/var/lib/openntpd:/bin/false"; } \
        >"$_DIR/passwd"
    # shellcheck disable=SC2016 # expanded by the inner shell
    _spawn "$_DIR/log" unshare --mount bash -c '
        mount -t tmpfs -o mode=755 tmpfs /var/lib &&
            mkdir -p /var/lib/openntpd/run /var/lib/openntpd/db &&
            mount --bind "$1" /etc/passwd &&
            LD_PRELOAD=$2 exec "$3" -d -f "$4"' \
        openntpd "$_DIR/passwd" "$stub" "$OPENNTPD" "$_DIR/ntpd.conf"
    WAIT_PID=$_PID wait_answer "$addr" 10 >"$_DIR/ready" 2>&1 ||
        _server_failed "OpenNTPD on $addr" "$_DIR/log"
}

# start_fake ADDR MODE [ARG...]: fake_server.py; FAKE_LOG is set to its log file.
start_fake() {
    local addr=$1 mode=$2 i
    shift 2
    _new_dir "fake-$addr-$mode"
    FAKE_LOG=$_DIR/requests.log
    _spawn "$_DIR/log" "$PYTHON" "$TESTS_DIR/fake_server.py" --addr "$addr" --port 123 \
        --mode "$mode" --pidfile "$_DIR/pid" --ready-file "$_DIR/ready" --log "$FAKE_LOG" \
        --lifetime "$SERVER_LIFETIME" "$@"
    for i in $(seq 50); do
        [ -e "$_DIR/ready" ] && return 0
        kill -0 "$_PID" 2>/dev/null || break
        sleep 0.1
    done
    _server_failed "fake_server.py --mode $mode on $addr" "$_DIR/log"
}

_stop() { # KIND-PATTERN: kill the servers whose directory name matches, and wait
    local i pids=() pids_left=() kinds_left=()
    for i in "${!_SERVER_PIDS[@]}"; do
        # shellcheck disable=SC2053 # pattern match wanted
        if [[ ${_SERVER_KINDS[$i]} == $1 ]]; then
            pids+=("${_SERVER_PIDS[$i]}")
        else
            pids_left+=("${_SERVER_PIDS[$i]}")
            kinds_left+=("${_SERVER_KINDS[$i]}")
        fi
    done
    for i in "${pids[@]}"; do kill -TERM "$i" 2>/dev/null || true; done
    for i in "${pids[@]}"; do wait "$i" 2>/dev/null || true; done
    _SERVER_PIDS=("${pids_left[@]}")
    _SERVER_KINDS=("${kinds_left[@]}")
}

stop_fakes() {
    _stop '*-fake-*'
}

stop_unsynced() {
    _stop '*-unsynced'
}

stop_ntpsec() { # ADDR
    _stop "*-ntpsec-$1"
}

stop_chrony() { # ADDR
    _stop "*-chrony-$1"
}

stop_servers() {
    _stop '*'
}

cleanup_servers() {
    stop_servers
    rm -rf "$SERVERS_DIR"
}
