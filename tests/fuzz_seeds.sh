#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# tests/fuzz_seeds.sh [DIR]: (re)capture the seed corpus of tests/fuzz_reply.c into DIR
# (default tests/corpus/reply): real replies of chrony and NTPsec and of every
# tests/fake_server.py mode (kiss-o'-death, extension field, stratum 16, era 1, ...), each
# as one file in the fuzz input format: xmt, T1, T4 (8 bytes each, big-endian), a control
# byte, then the reply datagram as received.
#
# The servers run in tests/sandbox.sh (this script re-executes itself there), so nothing
# here can touch the machine's clock; the client only reads the clock.  The seeds are
# committed: run this only to refresh them (needs tests/deps.sh's servers).
# shellcheck source-path=SCRIPTDIR
set -u

here=$(cd "$(dirname "$0")" && pwd)
OUT=$(realpath -m "${1:-$here/corpus/reply}")

if [ "${SANDBOXED:-}" != 1 ]; then
    mkdir -p "$OUT"
    exec "$here/sandbox.sh" "$here/fuzz_seeds.sh" "$OUT"
fi

. "$here/lib.sh"
require_sandbox
SERVER_LIFETIME=300
. "$here/servers.sh"
trap cleanup_servers EXIT
mkdir -p "$OUT"

# capture NAME ADDR [--version V] [--local-offset S] [--ctl N] [--append HEX]:
# one request to ADDR:123, the first reply (any origin) written to $OUT/NAME.
cat >"$SERVERS_DIR/capture.py" <<'EOF'
import argparse, os, socket, struct, sys, time
p = argparse.ArgumentParser()
p.add_argument("out"); p.add_argument("addr")
p.add_argument("--version", type=int, default=4)
p.add_argument("--local-offset", type=float, default=0.0)  # shift T1/T4: a board in 2036+
p.add_argument("--ctl", type=int, default=0)
p.add_argument("--append", default="")  # hex bytes added after the reply (a MAC)
a = p.parse_args()
def now():
    ns = time.time_ns() + int(a.local_offset * 1e9) + 2208988800 * 10**9
    return ((ns << 32) // 10**9) % 2**64
fam = socket.AF_INET6 if ":" in a.addr else socket.AF_INET
s = socket.socket(fam, socket.SOCK_DGRAM)
s.settimeout(2)
s.connect((a.addr, 123))
xmt = struct.unpack(">Q", os.urandom(8))[0] or 1
req = bytes([a.version << 3 | 3]) + bytes(39) + struct.pack(">Q", xmt)
t1 = now()
s.send(req)
reply = s.recv(2048)
t4 = now()
with open(a.out, "wb") as f:
    f.write(struct.pack(">QQQB", xmt, t1, t4, a.ctl) + reply + bytes.fromhex(a.append))
print(f"{os.path.basename(a.out)}: {len(reply)} bytes, stratum {reply[1] if len(reply) > 1 else '?'}")
EOF

capture() { # NAME ADDR [ARG...]
    local name=$1 addr=$2
    shift 2
    "$PYTHON" "$SERVERS_DIR/capture.py" "$OUT/$name" "$addr" "$@" ||
        { echo "fuzz_seeds: no reply for $name" >&2; return 1; }
}

rc=0
start_chrony 127.0.0.1 || exit 1
capture chrony-v4 127.0.0.1 || rc=1
capture chrony-v3 127.0.0.1 --version 3 || rc=1
capture chrony-v1 127.0.0.1 --version 1 || rc=1
capture chrony-select 127.0.0.1 --ctl $((0x71)) || rc=1
# chrony with a 20-byte MAC after the header (RFC 5905 key id + digest)
capture chrony-mac 127.0.0.1 --append "00000001$(printf '%040d' 0)" || rc=1
start_chrony ::1 || exit 1
capture chrony-ipv6 ::1 || rc=1
start_ntpsec 127.0.0.3 || exit 1
capture ntpsec-v4 127.0.0.3 || rc=1
capture ntpsec-v3 127.0.0.3 --version 3 || rc=1
# Real servers just started, not synchronized (LI 3, stratum 0).
start_chrony_unsynced 127.0.0.10 || exit 1
capture chrony-unsynced 127.0.0.10 || rc=1
start_ntpsec_unsynced 127.0.0.11 || exit 1
capture ntpsec-init 127.0.0.11 || rc=1
start_openntpd 127.0.0.12 || exit 1
capture openntpd-unsynced 127.0.0.12 || rc=1
stop_unsynced

# Era 1: seconds from now to 100 s after 2036-02-07 06:28:16 UTC (NTP era 1, second 0).
to_era1=$((2085978496 + 100 - $(date +%s)))
fake() { # NAME MODE [FAKE-ARG...] -- [CAPTURE-ARG...]
    local name=$1 mode=$2 fargs=() cargs=()
    shift 2
    while [ $# -gt 0 ] && [ "$1" != -- ]; do fargs+=("$1"); shift; done
    [ $# -gt 0 ] && shift
    cargs=("$@")
    start_fake 127.0.0.5 "$mode" "${fargs[@]}" || { rc=1; return; }
    capture "$name" 127.0.0.5 "${cargs[@]}" || rc=1
    stop_fakes
}
for mode in good init unsynced-chrony unsynced-openntpd stratum16 li3 stratum0 rate deny \
    rstr kiss=STEP kiss=AUTH kiss=NTSN wrong-origin short bad-mode bad-version version0 \
    zero-ts zero-rx tx-before-rx negative-delay ref-future huge-dispersion huge-delay \
    extension; do
    fake "fake-$mode" "$mode"
done
fake fake-stratum200 good --stratum 200
fake fake-precision2 tx-before-rx --precision 2              # T3 1 s before T2, precision 4 s
fake fake-precision30 negative-delay --precision 30          # delay -10 s, precision 2^30 s
fake fake-slow-first slow-first=80 --root-delay 2.94         # a sample too slow, the server fine
fake fake-forged-first forged-first                          # the first datagram: origin XOR 1
fake fake-offset10 good --offset 10
fake fake-offset-minus-1y good --offset -31536000
fake era1-server good --offset "$to_era1"                    # T2/T3 in era 1, T1/T4 era 0
fake era1-both good --offset "$to_era1" -- --local-offset "$to_era1"   # a board in 2036
fake era1-local good -- --local-offset "$to_era1"            # only the local clock in era 1
fake fake-select good -- --ctl $((0xf1))                     # 16 samples for ntp_select

# The request itself (mode 3, what a forged reflection would look like) and an empty
# datagram.
"$PYTHON" - "$OUT" <<'EOF'
import os, struct, sys
out = sys.argv[1]
xmt = struct.unpack(">Q", os.urandom(8))[0]
req = bytes([0x23]) + bytes(39) + struct.pack(">Q", xmt)
open(os.path.join(out, "request"), "wb").write(struct.pack(">QQQB", xmt, 0, 0, 0) + req)
open(os.path.join(out, "empty"), "wb").write(struct.pack(">QQQB", xmt, 1, 2, 0))
EOF
echo "fuzz_seeds: $(find "$OUT" -type f | wc -l) seeds in $OUT"
exit $rc
