#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0-or-later
"""bench/report.py RESULTS_DIR BENCH_DIR: the tables of one `make bench` run.

Reads what bench/run.sh measured in RESULTS_DIR (runs*.tsv, out/, clients, machine,
profiles), prints the tables to stdout, writes BENCH_DIR/BENCHMARKS.md and the data files
bench/plot.gnuplot draws (RESULTS_DIR/plot-time.dat, plot-err.dat).
Every figure and ratio comes from this one run; nothing is compared with older numbers.
"""
import collections
import glob
import os
import re
import struct
import sys

RES, BENCH = sys.argv[1], sys.argv[2]
ROOT = os.path.dirname(os.path.abspath(BENCH))
FAIL_LIMIT = 20  # s: bench/run.sh kills a failure-mode run after this long

# --- input -------------------------------------------------------------------------------


def read_kv(path):
    d = {}
    if os.path.exists(path):
        for line in open(path):
            k, _, v = line.rstrip("\n").partition("=")
            d[k] = v
    return d


MACHINE = read_kv(os.path.join(RES, "machine"))
CLIENTS, LABEL, CLASS = [], {}, {}
for line in open(os.path.join(RES, "clients")):
    cid, cls, label = line.rstrip("\n").split("\t")
    LABEL[cid], CLASS[cid] = label, cls
    if cls not in ("extra", "auth", "nts"):
        CLIENTS.append(cid)
PROFILES = collections.OrderedDict()
for line in open(os.path.join(RES, "profiles")):
    name, _, args = line.strip().partition(" ")
    PROFILES[name] = args

OFFSET_RE = {
    # ntpdate's words: "server A, stratum S, offset O, delay D" / "... time server A offset O sec"
    "ntpdate": re.compile(r"offset ([-+]?\d+\.\d+)"),
    # sntp and ntpdig: "2024-11-25 12:34:56.789 (+0000) +0.000012 +/- 0.000081 host ..."
    "sntp": re.compile(r"^\d{4}-\d\d-\d\d \S+ \([-+]\d{4}\) ([-+]?\d+\.\d+) \+/-", re.M),
    "chrony": re.compile(r"System clock wrong by ([-+]?\d+\.\d+) seconds"),
    # busybox ntpd -d: "reply from A: offset:+0.000123 delay:..."; the last one counts
    "busybox": re.compile(r"offset[:\s(]*([-+]?\d+\.\d+)"),
}
STYLE = {"ntpsync": "ntpdate", "ntpsync-p1": "ntpdate", "ntpsync-t3": "ntpdate", "ntpsync-p8": "ntpdate",
         "ntpsync-md5": "ntpdate", "ntpsync-sha1": "ntpdate", "ntpsync-aes": "ntpdate",
         "ntpsync-nts": "ntpdate", "ntpsync-nts-jar": "ntpdate", "ntpsync-nts-jar-tmpfs": "ntpdate",
         "chrony-nts": "chrony",
         "ntpdate-u": "ntpdate", "ntpdate-q": "ntpdate", "sntp": "sntp", "ntpdig": "sntp",
         "ntpdate-ntpsec": "sntp", "chrony-iburst": "chrony", "chrony-1": "chrony",
         "busybox": "busybox"}
TRUE_OFFSET = {"loop0": 0.0, "loop10": 10.0, "count": 0.0}


def parse_offset(cid, text):
    found = OFFSET_RE[STYLE[cid]].findall(text)
    if not found:
        return None
    return float(found[-1] if cid == "busybox" else found[0])


Run = collections.namedtuple("Run", "sc cid kind sec rss rc out req offset ok err")
RUNS = []
for path in sorted(glob.glob(os.path.join(RES, "runs*.tsv"))):
    for line in open(path):
        f = line.rstrip("\n").split("\t")
        if len(f) < 8:
            continue
        sc, cid, kind, sec, rss, rc, out, req = f[:8]
        try:
            text = open(os.path.join(RES, out), errors="replace").read()
        except OSError:
            text = ""
        off = parse_offset(cid, text) if kind == "time" else None
        rc = int(rc)
        # sntp exits 0 whatever happened: a result is a printed offset, with exit 0
        ok = off is not None and rc == 0
        true = 0.0 if sc.startswith("relay-") else TRUE_OFFSET.get(sc)
        err = off - true if (ok and true is not None) else None
        RUNS.append(Run(sc, cid, kind, float(sec), int(rss), rc, out,
                        None if req == "-" else int(req), off, ok, err))


def runs(sc, cid, kind="time"):
    return [r for r in RUNS if r.sc == sc and r.cid == cid and r.kind == kind]


# --- statistics and formatting -------------------------------------------------------------


def pct(values, p):
    v = sorted(values)
    if not v:
        return None
    k = (len(v) - 1) * p / 100.0
    i = int(k)
    return v[i] if i + 1 >= len(v) else v[i] + (v[i + 1] - v[i]) * (k - i)


def med(values):
    return pct(values, 50)


def ft(s):  # a duration
    if s is None:
        return "-"
    if s < 1e-3:
        return "%.0f µs" % (s * 1e6)
    if s < 0.01:
        return "%.2f ms" % (s * 1e3)
    if s < 0.1:
        return "%.1f ms" % (s * 1e3)
    if s < 1:
        return "%.0f ms" % (s * 1e3)
    return "%.2f s" % s


def fe(x):  # an offset error, seconds (signed or absolute)
    if x is None:
        return "-"
    a = abs(x)
    sign = "-" if x < 0 else ""
    if a < 1e-6:
        return "<1 µs"
    if a < 1e-3:
        return "%s%.0f µs" % (sign, a * 1e6)
    if a < 0.1:
        return "%s%.2f ms" % (sign, a * 1e3)
    return "%s%.3f s" % (sign, a)


def fk(kb):  # peak RSS in kB
    if kb is None:
        return "-"
    return "%d KB" % kb if kb < 1024 else "%.1f MB" % (kb / 1024.0)


def fb(b):  # bytes on disk
    if b is None:
        return "-"
    if b < 1024 * 1024:
        return "%.0f KB" % (b / 1024.0)
    return "%.1f MB" % (b / 1048576.0)


def fr(x):  # a ratio ntpsync / peer
    if x is None:
        return "-"
    if x == 0:
        return "0"
    if x >= 10:
        return "%.0f" % x
    if x >= 0.1:
        return "%.2f" % x
    return "%.2g" % x if x >= 0.001 else "%.1e" % x


def ratio(a, b):
    if a is None or b is None or b == 0:
        return None
    return a / b


def table(header, rows, align=None):
    align = align or ["l"] + ["r"] * (len(header) - 1)
    out = ["| " + " | ".join(header) + " |",
           "|" + "|".join(":--" if a == "l" else "--:" for a in align) + "|"]
    for r in rows:
        out.append("| " + " | ".join(str(c) for c in r) + " |")
    return "\n".join(out)


# --- size on disk: the files each client loaded (strace of one run) -------------------------


def elf_interp(path):
    try:
        with open(path, "rb") as f:
            h = f.read(64)
            if h[:4] != b"\x7fELF" or h[4] != 2:
                return None
            phoff, = struct.unpack_from("<Q", h, 32)
            phentsize, phnum = struct.unpack_from("<HH", h, 54)
            for i in range(phnum):
                f.seek(phoff + i * phentsize)
                ph = f.read(phentsize)
                ptype, = struct.unpack_from("<I", ph, 0)
                if ptype == 3:  # PT_INTERP
                    off, = struct.unpack_from("<Q", ph, 8)
                    size, = struct.unpack_from("<Q", ph, 32)
                    f.seek(off)
                    return f.read(size).rstrip(b"\0").decode()
    except (OSError, struct.error):
        pass
    return None


TRACE_RE = re.compile(r'^\s*\d+\s+(execve|openat|open)\((?:AT_FDCWD, |\d+, )?"([^"]*)".*\)\s+=\s+(-?\d+)')
SKIP = ("/proc/", "/sys/", "/dev/", "/etc/", "/tmp/", "/run/", "/var/")
DEPS = os.path.join(ROOT, "build", "deps") + "/"


def sizes(cid):
    """(own bytes, loaded bytes): own = the client's executables and its python modules;
    loaded = own + every shared library, interpreter and module it loaded."""
    rs = runs("size", cid, "size")
    if not rs:
        return None, None
    trace = os.path.join(RES, rs[0].out + ".trace")
    if not os.path.exists(trace):
        return None, None
    own, total, first = {}, {}, None
    todo = []
    for line in open(trace, errors="replace"):
        m = TRACE_RE.match(line)
        if not m or int(m.group(3)) < 0 or not m.group(2).startswith("/"):
            continue
        todo.append((m.group(1) == "execve", m.group(2)))
    while todo:
        execd, p = todo.pop(0)
        rp = os.path.realpath(p)
        if rp in total or not os.path.isfile(rp) or rp.startswith(SKIP):
            continue
        with open(rp, "rb") as f:
            head = f.read(256)
        py = rp.endswith((".py", ".pyc"))
        if head[:4] == b"\x7fELF":
            interp = elf_interp(rp)
            if interp:
                todo.append((False, interp))
        elif execd and head[:2] == b"#!":
            todo.append((True, head[2:].split(b"\n")[0].split()[0].decode()))
        elif not py:
            continue
        size = os.path.getsize(rp)
        total[rp] = size
        if execd and first is None:
            first = rp
        if rp == first or (rp.startswith(DEPS) and (execd or py)):
            own[rp] = size
    return sum(own.values()), sum(total.values())


# --- the figures -----------------------------------------------------------------------------

ALL = CLIENTS
FAILS = [("stratum16", "stratum 16"), ("silent", "silent"), ("icmp", "ICMP unreachable"),
         ("rate", "KoD RATE")]


class Fig:
    pass


F = {}
for c in ALL:
    f = Fig()
    t0 = [r.sec for r in runs("loop0", c) if r.ok]
    f.n = len(runs("loop0", c)) + len(runs("loop10", c))
    f.nok = sum(r.ok for r in runs("loop0", c) + runs("loop10", c))
    f.t_med, f.t_p10, f.t_p90 = med(t0), pct(t0, 10), pct(t0, 90)
    f.t_runs = len(t0)
    reqs = [r.req for r in runs("count", c) if r.req is not None]
    f.req = med(reqs)
    rss = [r.rss for r in runs("loop0", c, "mem")]
    f.rss = max(rss) if rss else None
    f.own, f.total = sizes(c)
    for sc in ("loop0", "loop10"):
        e = [abs(r.err) for r in runs(sc, c) if r.err is not None]
        setattr(f, sc + "_med", med(e))
        setattr(f, sc + "_max", max(e) if e else None)
    f.fail = {}
    for sc, _ in FAILS:
        rs = runs(sc, c)
        if rs:
            rcs = collections.Counter(r.rc for r in rs).most_common()
            f.fail[sc] = (med([r.sec for r in rs]), max(r.sec for r in rs), rcs, len(rs))
    f.relay = {}
    for prof in PROFILES:
        rs = runs("relay-" + prof, c)
        if rs:
            e = [r.err for r in rs if r.err is not None]
            ae = [abs(x) for x in e]
            f.relay[prof] = dict(n=len(rs), ok=sum(r.ok for r in rs), t=med([r.sec for r in rs if r.ok]),
                                 tmax=max(r.sec for r in rs), emed=med(ae), emax=max(ae) if ae else None,
                                 esigned=med(e))
    F[c] = f
# ntpsync variants measured only through the relay: -p 8 (lan, wan, asym), -t 3 (loss30)
EXTRA = collections.OrderedDict()
for c in [c for c in LABEL if CLASS[c] == "extra"]:
    ex = {}
    for prof in PROFILES:
        rs = runs("relay-" + prof, c)
        if rs:
            e = [r.err for r in rs if r.err is not None]
            ae = [abs(x) for x in e]
            ex[prof] = dict(n=len(rs), ok=sum(r.ok for r in rs), t=med([r.sec for r in rs if r.ok]),
                            tmax=max(r.sec for r in rs), emed=med(ae), emax=max(ae) if ae else None,
                            esigned=med(e))
    if ex:
        EXTRA[c] = ex

NS = F.get("ntpsync")
PEERS = [c for c in ALL if not c.startswith("ntpsync")]

# -a: ntpsync -q against the keyed chronyd, without a key and with each key type. The
# ratios to the runs without a key: of the medians (the goal's figure) and of the p10s (the
# fast runs, those least slowed down by other work on the machine).
AUTH_GOAL = 1.05  # an authenticated query takes at most 5 % longer to a result
AUTH = collections.OrderedDict()
for c in ["ntpsync"] + [c for c in LABEL if CLASS[c] == "auth"]:
    rs = runs("auth", c)
    if rs:
        t = [r.sec for r in rs if r.ok]
        AUTH[c] = dict(n=len(rs), ok=sum(r.ok for r in rs), t=med(t), p10=pct(t, 10), p90=pct(t, 90))
AUTH_BASE = AUTH.get("ntpsync")
for v in AUTH.values():
    v["r_med"] = ratio(v["t"], AUTH_BASE["t"]) if AUTH_BASE else None
    v["r_p10"] = ratio(v["p10"], AUTH_BASE["p10"]) if AUTH_BASE else None


# NTS (-N) against chronyd's NTS server: (a) ntpsync -N with NTS-KE each run against (b)
# chronyd -Q nts maxsamples 1; (c) ntpsync -N with a warm cookie jar against (d) ntpsync -q
# without NTS, interleaved, the jar on disk and on tmpfs. The goals are read on the medians.
NTS_KE_GOAL = 1 / 20.0  # (a) at most 1/20 of (b)
NTS_JAR_GOAL = 2.0  # (c) at most twice (d)


def nts_fig(sc, c):
    rs = runs(sc, c)
    if not rs:
        return None
    t = [r.sec for r in rs if r.ok]
    rss = [r.rss for r in runs(sc, c, "mem")]
    return dict(n=len(rs), ok=sum(r.ok for r in rs), t=med(t), p10=pct(t, 10), p90=pct(t, 90),
                rss=max(rss) if rss else None)


NTS = collections.OrderedDict((k, v) for k, v in (
    ("ntpsync-nts", nts_fig("nts", "ntpsync-nts")), ("chrony-nts", nts_fig("nts", "chrony-nts")),
    ("ntpsync-nts-jar", nts_fig("nts-jar", "ntpsync-nts-jar")),
    ("ntpsync-nts-jar-tmpfs", nts_fig("nts-jar", "ntpsync-nts-jar-tmpfs")),
    ("ntpsync", nts_fig("nts-jar", "ntpsync")))
    if v is not None)
JARS = [c for c in ("ntpsync-nts-jar", "ntpsync-nts-jar-tmpfs") if c in NTS]
if "ntpsync" in NTS and NS:
    NTS["ntpsync"]["rss"] = NS.rss  # measured against the plain chronyd: the same query


def nts_ratio(a, b, key="t"):
    return ratio(NTS[a][key], NTS[b][key]) if a in NTS and b in NTS else None


NTS_KE_R = nts_ratio("ntpsync-nts", "chrony-nts")
JAR_R = {c: (nts_ratio(c, "ntpsync"), nts_ratio(c, "ntpsync", "p10")) for c in JARS}


def jar_met(c):  # the goal on the medians, and what the p10s say
    r, r10 = JAR_R[c]
    return "%s (p10s: %s)" % (met(None if r is None else r <= NTS_JAR_GOAL),
                              met(None if r10 is None else r10 <= NTS_JAR_GOAL))


def met(cond):
    return "n/a" if cond is None else ("met" if cond else "NOT met")


def fpc(x):  # a ratio as a percentage
    return "-" if x is None else "%.1f %%" % (x * 100)


def auth_met(v):  # the -a goal on the medians, and what the p10s say
    return "%s (p10s: %s)" % (met(None if v["r_med"] is None else v["r_med"] <= AUTH_GOAL),
                              met(None if v["r_p10"] is None else v["r_p10"] <= AUTH_GOAL))


def fail_cell(c, sc, with_ratio=False):
    v = F[c].fail.get(sc)
    if not v:
        return "-"
    tmed, tmax, rcs, n = v
    rc = rcs[0][0]
    if rc == 137 or tmed >= FAIL_LIMIT - 0.01:
        return "no exit in %d s (killed)" % FAIL_LIMIT
    s = "%s, exit %d" % (ft(tmed), rc)
    if len(rcs) > 1:
        s += " (%s)" % ", ".join("exit %d ×%d" % x for x in rcs)
    return s


lines = []
out = lines.append
m = MACHINE
out("# ntpsync benchmarks")
out("")
out("Measured by `make bench` (bench/run.sh) on %s: %s, %s CPUs, %s, %s, %s. "
    "ntpsync %s (git %s). Load average %s at the start, %s at the end: the machine was shared "
    "with other work, so times are noisy; every ratio below is between figures of this one run."
    % (m.get("date", "?"), m.get("cpu", "?"), m.get("nproc", "?"), m.get("mem", "?"),
       m.get("kernel", "?"), m.get("os", "?"), m.get("ntpsync", "?").replace("ntpsync ", ""),
       m.get("ntpsync_git", "?"), m.get("loadavg_start", "?"), m.get("loadavg_end", "?")))
out("")
out("All clients ran in tests/sandbox.sh (the clock cannot be set there) against servers on its "
    "loopback: chronyd with `local stratum 8` (true offset 0), a second chronyd serving time "
    "10 s ahead (true offset +10 s), tests/fake_server.py for counting requests and for the "
    "failure modes, and bench/relay.py for network paths. Method and caveats: see the end.")
out("")
out("![time to result and offset error per client](bench.png)")
out("")

# In brief (also written alone to RESULTS_DIR/brief.md, for the README)
brief = ["| client | time to result | requests | peak RSS | size on disk (with libraries) | "
         "gives up on ICMP unreachable | offset error, wan path (median) |",
         "|:--|--:|--:|--:|--:|--:|--:|"]
for c in ALL:
    f = F[c]
    icmp = f.fail.get("icmp")
    brief.append("| %s | %s | %s | %s | %s | %s | %s |" % (
        LABEL[c], ft(f.t_med), "-" if f.req is None else "%g" % f.req, fk(f.rss), fb(f.total),
        ft(icmp[0]) if icmp else "-", fe(f.relay.get("wan", {}).get("emed"))))
if "busybox" not in ALL:
    brief.append("| busybox ntpd -q | n/a (no Debian busybox with ntpd) | | | | | |")
out("## In brief")
out("")
out("\n".join(brief))
out("")
with open(os.path.join(RES, "brief.md"), "w") as fh:
    fh.write("\n".join(brief) + "\n")

# Table 1
out("## On the loopback: time to result, requests, memory, size, accuracy")
out("")
rows = []
for c in ALL:
    f = F[c]
    rows.append([LABEL[c], "%d/%d" % (f.nok, f.n), ft(f.t_med), "%s – %s" % (ft(f.t_p10), ft(f.t_p90)),
                 "-" if f.req is None else "%g" % f.req, fk(f.rss),
                 "%s / %s" % (fb(f.own), fb(f.total)),
                 "%s (%s)" % (fe(f.loop0_med), fe(f.loop0_max)),
                 "%s (%s)" % (fe(f.loop10_med), fe(f.loop10_max))])
if "busybox" not in ALL:
    rows.append([LABEL.get("busybox", "busybox ntpd -q"), "n/a (no Debian busybox with ntpd)"] + [""] * 7)
out(table(["client", "ok", "time to result (median)", "p10 – p90", "requests", "peak RSS",
           "size: own / loaded", "error, true offset 0: median (worst)", "error, +10 s: median (worst)"],
          rows))
out("")
out("ok: runs that gave an offset with exit 0, of all runs against both servers. Time: from "
    "start to exit, against the true-offset-0 server. Requests: datagrams fake_server.py "
    "received in one run (median of the runs). Size: own = the client's executables (and "
    "python modules); loaded = everything it loaded from disk to run: executables, shared "
    "libraries, interpreters, modules.")
out("")

# Table 1b: -a
if AUTH:
    out("## Authentication (-a): time to result with a MAC and without")
    out("")
    rows = []
    for c, v in AUTH.items():
        base = c == "ntpsync"
        rows.append(["ntpsync -q (no key)" if base else LABEL[c], "%d/%d" % (v["ok"], v["n"]),
                     ft(v["t"]), "%s – %s" % (ft(v["p10"]), ft(v["p90"])),
                     "-" if base else fpc(v["r_med"]), "-" if base else fpc(v["r_p10"]),
                     "-" if base else auth_met(v)])
    out(table(["client", "ok", "time to result (median)", "p10 – p90", "vs no key: medians",
               "vs no key: p10s", "goal: at most %s" % fpc(AUTH_GOAL)], rows))
    out("")
    out("All against the same chronyd on the loopback, with a key file holding an MD5 (id 1), a "
        "SHA1 (id 2) and an AES-128-CMAC key (id 3); ntpsync -q, 4 samples, with `-a ID -k FILE` "
        "or without a key. The runs are interleaved round-robin, the order turned by one each "
        "round. The time includes reading the key file and the server's MACs; the clock is "
        "never touched (-q). The goal is read on the medians; when other work on the machine "
        "slows down some runs by milliseconds, the medians move by more than 5 %, and the p10s "
        "(the fast tenth of the runs) show the cost of the MAC alone better.")
    out("")

# Table 1c: NTS
if NTS:
    out("## NTS (-N): time to an authenticated result")
    out("")
    rows = []
    for c, v in NTS.items():
        if c == "ntpsync-nts":
            vs = "%s of chronyd's (goal: at most %s): %s" % (
                fpc(NTS_KE_R), fpc(NTS_KE_GOAL), met(None if NTS_KE_R is None else NTS_KE_R <= NTS_KE_GOAL))
        elif c in JAR_R:
            vs = "%s × ntpsync -q's, p10s %s × (goal: at most %g ×): %s" % (
                fr(JAR_R[c][0]), fr(JAR_R[c][1]), NTS_JAR_GOAL, jar_met(c))
        else:
            vs = "-"
        rows.append(["ntpsync -q (no NTS, same server)" if c == "ntpsync" else LABEL[c],
                     "%d/%d" % (v["ok"], v["n"]), ft(v["t"]), "%s – %s" % (ft(v["p10"]), ft(v["p90"])),
                     fk(v["rss"]), vs])
    out(table(["client", "ok", "time to result (median)", "p10 – p90", "peak RSS", "ratio (medians)"],
              rows))
    out("")
    out("All against one chronyd 4.3 on the loopback, an NTS server (NTS-KE on TCP port 4460, TLS 1.3, "
        "an ECDSA P-256 certificate of tests/nts_certs.sh; it answers plain NTP too). ntpsync -N -q: "
        "4 samples, each run a new NTS-KE (TCP, TLS 1.3 handshake, the certificate checked against "
        "-c ca.pem), then 4 NTS-protected requests; one run at a time. chronyd -Q 'server ADDR iburst "
        "nts maxsamples 1' with an empty ntsdumpdir of its own: NTS-KE, then its first request some "
        "2 s later; fewer runs, in phase C alongside the other multi-second clients (it is asleep "
        "for most of its time). Warm jar: ntpsync -N -c ca.pem -C JAR -q after one run that filled "
        "the jar; each run spends 4 cookies and gets 4 back (%s cookies in the two jars after "
        "priming, %s at the end), so no run does NTS-KE. One jar is on the disk (the bench's "
        "temporary directory), one on the sandbox's tmpfs /run: ntpsync writes the jar back at the "
        "end of every run through a temporary file, fsync and rename, and the difference between "
        "the two rows is that write reaching the disk. Both interleaved with ntpsync -q (no NTS) "
        "against the same server, the order turned by one each round. The goal is read on the "
        "medians; when other work on the machine slows some runs down by milliseconds, the medians "
        "of these sub-millisecond runs move with it, and the p10s (the fast tenth of the runs) show "
        "the cost of the jar better. The ntpsync -N binary is the NTS build (make NTS=1, %s)." % (MACHINE.get("nts_jar_cookies_primed", "?"), MACHINE.get("nts_jar_cookies_end", "?"),
                  fb(int(MACHINE["ntpsync_nts_bytes"])) if MACHINE.get("ntpsync_nts_bytes") else "?"))
    out("")

# Table 2
out("## Failure behaviour: time to give up and exit code")
out("")
rows = []
for c in ALL:
    rows.append([LABEL[c]] + [fail_cell(c, sc) for sc, _ in FAILS])
out(table(["client"] + [h for _, h in FAILS], rows))
out("")
out("stratum 16: the server answers LI=3, stratum 16 (just started); silent: it never answers; "
    "ICMP unreachable: nothing listens on the address; KoD RATE: kiss-o'-death RATE. "
    "ntpsync: median of several runs; peers: one run each (their give-up times are timers). "
    "Runs are killed after %d s." % FAIL_LIMIT)
out("")

# Table 3: relay
out("## Through a simulated network path (bench/relay.py): offset error vs the true offset 0")
out("")
pdesc = []
for p, a in PROFILES.items():
    kv = dict(re.findall(r"--([a-z-]+) (\S+)", a))
    d = "%s: one-way delay %s ms up / %s ms down, exponential jitter mean %s / %s ms" % (
        p, kv.get("up-delay", "0"), kv.get("down-delay", "0"), kv.get("up-jitter", "0"),
        kv.get("down-jitter", "0"))
    if "loss" in kv:
        d += ", %.0f %% loss each way" % (float(kv["loss"]) * 100)
    up, down = float(kv.get("up-delay", 0)), float(kv.get("down-delay", 0))
    if up != down:
        d += " (the asymmetry alone makes every client's offset %s off: (up - down) / 2)" % fe((up - down) / 2000)
    pdesc.append("- " + d)
out("\n".join(pdesc))
out("")
hdr = ["client"]
for p in PROFILES:
    if p == "loss30":
        hdr += ["loss30: ok", "loss30: time median (worst)", "loss30: abs. error median (worst)"]
    elif p == "asym":
        hdr += ["asym: error median (worst abs.)"]
    else:
        hdr += ["%s: abs. error median (worst)" % p]
rows = []


def relay_cells(v, prof):
    if not v:
        return ["-"] * (3 if prof == "loss30" else 1)
    if prof == "loss30":
        return ["%d/%d" % (v["ok"], v["n"]), "%s (%s)" % (ft(v["t"]), ft(v["tmax"])),
                "%s (%s)" % (fe(v["emed"]), fe(v["emax"]))]
    okn = "" if v["ok"] == v["n"] else ", %d/%d ok" % (v["ok"], v["n"])
    if prof == "asym":
        return ["%s (%s)%s" % (fe(v["esigned"]), fe(v["emax"]), okn)]
    return ["%s (%s)%s" % (fe(v["emed"]), fe(v["emax"]), okn)]


for c in ALL:
    r = [LABEL[c]]
    for p in PROFILES:
        r += relay_cells(F[c].relay.get(p), p)
    rows.append(r)
for c, ex in EXTRA.items():
    r = [LABEL[c]]
    for p in PROFILES:
        r += relay_cells(ex.get(p), p)
    rows.append(r)
out(table(hdr, rows))
out("")
nr = {p: max([F[c].relay[p]["n"] for c in ALL if p in F[c].relay] or [0]) for p in PROFILES}
out("Runs per client and path: %s (fewer for the multi-second clients). Worst = the largest "
    "|error| of the runs that gave a result." % ", ".join("%s up to %d" % (p, n) for p, n in nr.items()))
out("")

# Ratios
out("## Ratios ntpsync / peer (this run; below 1 means ntpsync needs less)")
out("")
rows = []
for c in PEERS:
    f = F[c]
    wan_n = NS.relay.get("wan", {}).get("emed")
    wan_p = f.relay.get("wan", {}).get("emed")
    r = [LABEL[c], fr(ratio(NS.t_med, f.t_med)), fr(ratio(NS.req, f.req)), fr(ratio(NS.rss, f.rss)),
         fr(ratio(NS.total, f.total)), fr(ratio(wan_n, wan_p))]
    for sc, _ in FAILS:
        a, b = NS.fail.get(sc), f.fail.get(sc)
        x = fr(ratio(a[0] if a else None, b[0] if b else None))
        if b and (b[2][0][0] == 137 or b[0] >= FAIL_LIMIT - 0.01) and x != "-":
            x = "< " + x  # the peer never gave up: its time is a lower bound
        r.append(x)
    rows.append(r)
out(table(["peer", "time to result", "requests", "peak RSS", "size loaded", "wan: abs. error"]
          + ["give up: " + h for _, h in FAILS], rows))
out("")

# Goals
out("## Goals (figures of this run)")
out("")
goals = []


def cmp(a, b, op):
    if a is None or b is None:
        return None
    return a <= b if op == "<=" else a < b


fast_peer = min((c for c in PEERS if F[c].t_med is not None), key=lambda c: F[c].t_med, default=None)
if NS and fast_peer:
    rr = ratio(NS.t_med, F[fast_peer].t_med)
    goals.append("ntpsync, 4 samples, loopback: %s median vs the fastest peer, %s: %s; ratio %s "
                 "(goal: at most 0.5): %s." % (ft(NS.t_med), LABEL[fast_peer], ft(F[fast_peer].t_med),
                                               fr(rr), met(rr is not None and rr <= 0.5)))
    single = [c for c in PEERS if F[c].req == 1 and F[c].t_med is not None]
    p1 = F.get("ntpsync-p1")
    if single and p1 and p1.t_med is not None:
        s1 = min(single, key=lambda c: F[c].t_med)
        goals.append("One sample: ntpsync -p 1 %s median vs the fastest single-request peer, %s: %s; "
                     "ratio %s." % (ft(p1.t_med), LABEL[s1], ft(F[s1].t_med), fr(ratio(p1.t_med, F[s1].t_med))))
for sc, what in (("icmp", "ICMP port unreachable handled"), ("stratum16", "stratum-16 server rejected")):
    v = NS.fail.get(sc) if NS else None
    if v:
        others = [F[c].fail[sc][0] for c in PEERS if sc in F[c].fail and F[c].fail[sc][2][0][0] != 255]
        goals.append("%s in %s median, %s worst of %d runs, exit %d (goal: within 10 ms): %s; the "
                     "fastest peer takes %s." % (what, ft(v[0]), ft(v[1]), v[3], v[2][0][0],
                                                 met(v[1] <= 0.010), ft(min(others)) if others else "-"))
if AUTH_BASE and len(AUTH) > 1:
    keyed = [(LABEL[c].split("(")[-1].rstrip(")"), v) for c, v in AUTH.items() if c != "ntpsync"]
    goals.append("Authenticated query on the loopback (keyed chronyd), median time with -a / without "
                 "(%s) (goal: at most %s): %s. The same for the p10s: %s."
                 % (ft(AUTH_BASE["t"]), fpc(AUTH_GOAL),
                    ", ".join("%s %s (%s)" % (k, fpc(v["r_med"]), met(None if v["r_med"] is None else
                                                                      v["r_med"] <= AUTH_GOAL))
                              for k, v in keyed),
                    ", ".join("%s %s" % (k, fpc(v["r_p10"])) for k, v in keyed)))
if NTS_KE_R is not None:
    goals.append("NTS, a fresh NTS-KE each run: ntpsync -N -q %s median vs chronyd -Q nts maxsamples 1 "
                 "%s: %s (goal: at most %s): %s." % (
                     ft(NTS["ntpsync-nts"]["t"]), ft(NTS["chrony-nts"]["t"]), fpc(NTS_KE_R), fpc(NTS_KE_GOAL),
                     met(NTS_KE_R <= NTS_KE_GOAL)))
if JAR_R and "ntpsync" in NTS:
    goals.append("NTS with a warm cookie jar, median vs ntpsync -q without NTS (%s) (goal: at most %g ×): "
                 "%s." % (ft(NTS["ntpsync"]["t"]), NTS_JAR_GOAL, "; ".join(
                     "%s %s, %s × (p10s %s ×): %s" % (
                         LABEL[c].split("(")[-1].rstrip(")"), ft(NTS[c]["t"]), fr(JAR_R[c][0]), fr(JAR_R[c][1]),
                         jar_met(c)) for c in JARS)))
if NS and NS.rss is not None:
    floor = read_kv(os.path.join(RES, "machine")).get("floor_kb")
    smallest = min((c for c in PEERS if F[c].rss), key=lambda c: F[c].rss, default=None)
    goals.append("Peak RSS: ntpsync %s during a query; `ntpsync -V` (start and exit only) %s, the "
                 "floor for this binary as measured here; smallest peer: %s, %s."
                 % (fk(NS.rss), fk(int(floor)) if floor else "-", LABEL[smallest] if smallest else "-",
                    fk(F[smallest].rss) if smallest else "-"))
if NS:
    goals.append("Correctness on the loopback: %d/%d ntpsync runs gave a result; worst offset error "
                 "%s at true offset 0 and %s at +10 s."
                 % (NS.nok, NS.n, fe(NS.loop0_max), fe(NS.loop10_max)))
    w = NS.relay.get("wan")
    ci = F.get("chrony-iburst") and F["chrony-iburst"].relay.get("wan")
    if w and ci:
        goals.append("wan path: ntpsync median |error| %s (worst %s) vs chronyd -Q iburst %s (worst %s): "
                     "%s (goal: at least as accurate); ntpsync took %s, chronyd %s."
                     % (fe(w["emed"]), fe(w["emax"]), fe(ci["emed"]), fe(ci["emax"]),
                        met(cmp(w["emed"], ci["emed"], "<=")), ft(w["t"]), ft(ci["t"])))
    singles = [c for c in PEERS if F[c].req == 1 and F[c].relay.get("wan", {}).get("emed") is not None]
    if w and w.get("emed") is None:
        singles = []
    if w and singles:
        best = min(singles, key=lambda c: F[c].relay["wan"]["emed"])
        goals.append("wan path: the most accurate single-sample peer, %s, %s median (worst %s): %s "
                     "(goal: ntpsync more accurate)." % (LABEL[best], fe(F[best].relay["wan"]["emed"]),
                                                        fe(F[best].relay["wan"]["emax"]),
                                                        met(cmp(w["emed"], F[best].relay["wan"]["emed"], "<"))))
    lo = NS.relay.get("loss30")
    if lo:
        s = "30 %% loss each way: ntpsync with the default -t 1 succeeded %d/%d (%s)" % (
            lo["ok"], lo["n"], met(lo["ok"] == lo["n"]))
        t3 = EXTRA.get("ntpsync-t3", {}).get("loss30")
        if t3:
            s += ", with -t 3 %d/%d (%s)" % (t3["ok"], t3["n"], met(t3["ok"] == t3["n"]))
        goals.append(s + " (goal: every time).")
out("\n".join("- " + g for g in goals))
out("")

# Method
out("## Method and caveats")
out("""
- Peers: ntpdate and sntp 4.2.8p15 (NTP Classic) come from Debian 11's packages: Debian 12's
  `ntpdate` and `sntp` are transitional packages for NTPsec's ntpdate shim and ntpdig. NTPsec
  1.2.2 ntpdig, its python library and its ntpdate shim, and chrony 4.3, are Debian 12's. All
  are unpacked into build/deps/ by bench/peers.sh and tests/deps.sh, never installed.
  busybox: Debian's busybox has no ntpd applet; `BUSYBOX=/path/to/busybox make bench` adds one
  built elsewhere (%(busybox)s).
- Modes: every client runs in its query mode except `ntpdate -u` (classic and NTPsec shim),
  the boot-script mode, which runs under strace with the clock-setting syscalls injected to
  succeed without running (`strace --seccomp-bpf`, which adds a few ms to those rows' times).
  ntpsync -q does the same exchange as ntpsync -u.
- Time to result: bench/runner.c, CLOCK_MONOTONIC from spawn to exit, p10 – p90 over the
  runs. The fast clients run one at a time, interleaved round-robin; the multi-second ones
  (ntpdate -u, chronyd iburst) in parallel with each other only.
- Peak RSS: the largest resident set of any process of the client, read from
  /proc/PID/smaps_rollup (and VmHWM) when it exits (bench/runner.c -m, ptrace exit stops).
  `/usr/bin/time -f %%M` (wait4's ru_maxrss) cannot be used for small processes here: on this
  kernel it undercounts them down to 0 KB, and through GNU time it includes a copy of the
  forked parent (a floor of about 0.4 MB): in this run it said %(gnutime)s KB for the same ntpsync
  query.
- Offset error: the client's printed offset minus the true one (0, or +10 s as served by the
  offset chronyd, exact to a few µs); ntpsync, ntpdate and chronyd print µs.
- ntpdig looks for its C library with python's ctypes.util.find_library, which runs
  ldconfig and, where a compiler is installed, gcc and ld: here it runs with PATH limited to
  its own directory, as on a board without a compiler; on a development machine it is slower.
- The relay (bench/relay.py) runs in python on the same 2 CPUs: its own scheduling adds
  some tens of µs of noise to every path, alike for all clients; the asymmetric path's error
  can't be removed by any client.
- The 30 %% loss runs go in parallel with the failure-mode runs (phase B, up to some 40
  processes on 2 CPUs): their success rates and times count, their errors are noisier than
  the other paths' (a stalled relay makes a delay asymmetric).
- Everything in the failure table is from this run's servers: fake_server.py answers
  stratum 16 (LI=3), RATE kisses, or nothing; nothing listens on 127.0.0.9.
- Whole run: peers and downloads %(peers)s s, measurements in the sandbox %(sandbox)s s.
""" % dict(gnutime=m.get("gnutime_ntpsync_kb", "?"),
            busybox="used: " + m["busybox"] if m.get("busybox") else "none was found, so it is n/a",
            peers=m.get("peers_s", "?"), sandbox=m.get("sandbox_s", "?")))

text = "\n".join(lines)
with open(os.path.join(BENCH, "BENCHMARKS.md"), "w") as fh:
    fh.write(text.rstrip("\n") + "\n")
try:
    print(text.split("## Method and caveats")[0].rstrip())
except BrokenPipeError:
    pass
print("\n(written to bench/BENCHMARKS.md)")

# plot data
with open(os.path.join(RES, "plot-time.dat"), "w") as fh:
    fh.write("# i label median_s p10_s p90_s\n")
    for i, c in enumerate(ALL):
        f = F[c]
        if f.t_med is not None:
            fh.write('%d "%s" %.6f %.6f %.6f\n' % (i, LABEL[c], f.t_med, f.t_p10, f.t_p90))
with open(os.path.join(RES, "plot-err.dat"), "w") as fh:
    fh.write("# i label loop0_median_us loop0_worst_us wan_median_us wan_worst_us (0 shown as 0.5 µs)\n")
    for i, c in enumerate(ALL):
        f = F[c]
        w = f.relay.get("wan", {})

        def us(x):
            return "NaN" if x is None else "%.2f" % max(x * 1e6, 0.5)
        fh.write('%d "%s" %s %s %s %s\n' % (i, LABEL[c], us(f.loop0_med), us(f.loop0_max),
                                             us(w.get("emed")), us(w.get("emax"))))
