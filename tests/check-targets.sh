#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# tests/check-targets.sh [TARGET...]: the cross builds, proven under qemu-user.
#
# For each target (default: all of toolchains/*.mk's, as `make check-targets` passes them):
#   * builds build/TARGET/ntpsync and the unit tests (`make TARGET=... target-tests`),
#     installing the Debian packages and the musl sysroot they need (toolchains/sysroot.sh),
#     and build/TARGET/ntpsync-nts (`make TARGET=... NTS=1`: wolfSSL's TLS 1.3 client too);
#   * checks both binaries are static, for the right machine;
#   * inside tests/sandbox.sh (the clock provably cannot be set there; loopback only):
#     runs the cmocka unit tests (test_ntp_packet, test_ntpsync, test_mac, test_auth,
#     test_nts_ke, test_nts: AES-SIV and the NTS encodings on big-endian and 32-bit CPUs
#     too) under qemu-user with Debian's baseline CPU, and `ntpsync -q 127.0.0.1` against
#     tests/fake_server.py: exit 0, stratum 2, offset within 0.05 s of 0. A test_ntpsync that
#     contains a real clock-setting function is refused when it is built
#     (toolchains/common.mk);
#   * runs ntpsync-nts under qemu: -N with a CA file that does not exist (the server
#     dropped for it, exit 12), and -N -q against Debian's chronyd as an NTS server
#     (tests/servers.sh, the certificates of tests/nts_certs.sh): NTS-KE over TLS 1.3,
#     then NTPv4 with AES-SIV, exit 0, stratum 8, offset within 0.05 s of 0;
#   * checks make WOLFSSL_SRC=DIR (wolfCrypt from that tree; a tree without it refused);
#   * builds and installs ntpsync the way Buildroot, OpenWrt and Yocto would, running the
#     download, unpack, build and install commands of packaging/*/ with stubs of those
#     systems' variables (the wolfSSL 5.5.4 release they download: Debian's orig tarball),
#     checks the installed binary accepts -a under qemu (refuses it built without), and
#     parses Buildroot's Config.in with a Kconfig parser (see packaging/README); each
#     recipe's NTS switch too: Debian's fixes applied to the release's TLS files
#     (packaging/wolfssl-patches/), and the installed binary's NTS query of chronyd
#     under qemu (-N refused by the builds without);
#   * builds the Buildroot package in a real Buildroot tree, glibc and static musl for
#     armhf, offline (tests/buildroot-real.sh), and runs what it installed under qemu.
# `tests/check-targets.sh --packaging` runs the packaging checks alone (about ten
# minutes less).
# Prints "ok - ..." / "not ok - ..." lines, counts each cmocka test as one, and ends with
# "N passed, N failed". Build logs: build/TARGET/build.log.
set -u

here=$(cd "$(dirname "$0")" && pwd)
root=$(dirname "$here")
cd "$root" || exit 1
# --packaging: the packaging checks alone (no target is built or run).
if [ "${1:-}" = --packaging ]; then
    shift
    set --
elif [ $# -eq 0 ]; then
    for f in toolchains/*.mk; do
        f=${f##*/}
        [ "$f" = common.mk ] || set -- "$@" "${f%.mk}"
    done
fi
OUT=build/check-targets
# Where chronyd serves NTS in the sandbox (127.0.0.1 is tests/fake_server.py's).
NTS_ADDR=127.0.0.14

PASSED=0
FAILED=0
pass() { PASSED=$((PASSED + 1)); echo "ok - $1"; }
fail() { FAILED=$((FAILED + 1)); echo "not ok - $1: $2"; }
summary() {
    echo
    echo "$PASSED passed, $FAILED failed"
    [ "$FAILED" -eq 0 ] && [ "$PASSED" -gt 0 ]
}

# The settings of one target (TC_QEMU, X_DIR, X_UNIT, TC_GNU ...), from toolchains/*.mk.
target_env() { # TARGET [MAKE-ARG...]
    local env
    env=$(make -s --no-print-directory TARGET="$1" "${@:2}" target-env) || return 1
    eval "$env"
    # shellcheck disable=SC2034 # used by the callers
    read -ra QEMU <<<"$TC_QEMU"
}

near() { # VALUE TARGET TOL
    awk -v v="$1" -v t="$2" -v e="$3" \
        'BEGIN { if (v == "") exit 1; d = v - t; if (d < 0) d = -d; exit !(d <= e) }'
}

# NAME ADDR STRATUM LOG CMD...: CMD, an `ntpsync -q ADDR` under qemu, exits 0 and reports
# ADDR at STRATUM with an offset within 0.05 s of 0; its output is kept in LOG.
expect_query() {
    local name=$1 addr=$2 stratum=$3 log=$4 out rc line off
    shift 4
    out=$(timeout -s KILL 120 "$@" 2>&1 </dev/null)
    rc=$?
    printf '%s\n' "$out" >"$log"
    line=$(grep "^server $addr, " <<<"$out" | head -n 1)
    off=$(sed -n "s/^server $addr, stratum $stratum, offset \([-+0-9.]*\),.*/\1/p" <<<"$line")
    if [ "$rc" -eq 0 ] && near "$off" 0 0.05; then
        pass "$name: $line"
    else
        fail "$name" "exit $rc, want 0 and stratum $stratum, offset ~0: $(tr '\n' '|' <<<"$out" | cut -c1-300)"
    fi
}

# ---------------------------------------------------------------------------------------
# Inside the sandbox: run what was built.

inner() {
    local t srv ready u out rc p f
    if [ "${SANDBOXED:-}" != 1 ] || ! "$root/build/clockprobe" >/dev/null; then
        echo "check-targets: ABORT: not inside tests/sandbox.sh (the clock is not protected)" >&2
        exit 99
    fi
    # Counts from the build phase (build and static checks).
    PASSED=$(cat "$OUT/passed") FAILED=$(cat "$OUT/failed")

    srv=$(mktemp -d "${TMPDIR:-/tmp}/check-targets.XXXXXX")
    ready=$srv/ready
    timeout -s KILL 600 python3 tests/fake_server.py --addr 127.0.0.1 --port 123 --mode good \
        --lifetime 600 --max-replies 100000 --ready-file "$ready" --log "$srv/log" \
        >"$srv/out" 2>&1 </dev/null &
    for _ in $(seq 100); do
        [ -e "$ready" ] && break
        sleep 0.1
    done
    [ -e "$ready" ] || { fail "fake NTP server" "did not start: $(cat "$srv/out")"; }
    # Debian's chronyd as the NTS server of the NTS builds (NTS-KE and NTP on NTS_ADDR).
    SERVER_LIFETIME=1200
    # shellcheck source=tests/servers.sh
    . "$here/servers.sh"
    trap cleanup_servers EXIT
    NTS_CERTS=$root/build/nts-certs
    if ! start_chrony_nts "$NTS_ADDR" "$NTS_CERTS"; then
        fail "chronyd NTS server on $NTS_ADDR" "did not start"
    fi

    for t in "$@"; do
        [ -e "$OUT/$t.built" ] || continue
        target_env "$t" || { fail "$t: settings" "make TARGET=$t target-env failed"; continue; }
        # shellcheck disable=SC2153 # set by target_env
        for u in $X_UNIT; do
            # cmocka's summary goes to stderr: keep both, in order.
            out=$(timeout -s KILL 300 "${QEMU[@]}" "$u" 2>&1)
            rc=$?
            printf '%s\n' "$out" >"$OUT/$t.${u##*/}.log"
            p=$(sed -n 's/^\[  PASSED  \] \([0-9]*\) test(s)\.$/\1/p' <<<"$out")
            f=$(sed -n 's/^\[  FAILED  \] \([0-9]*\) test(s), listed below:$/\1/p' <<<"$out")
            if [ -z "$p$f" ]; then
                fail "$t: ${u##*/} under ${TC_QEMU%% *}" "no cmocka summary (exit $rc): $(tail -n 5 <<<"$out" | tr '\n' '|')"
                continue
            fi
            PASSED=$((PASSED + ${p:-0}))
            FAILED=$((FAILED + ${f:-0}))
            if [ "${f:-0}" -eq 0 ] && [ "$rc" -eq 0 ]; then
                echo "ok - $t: ${u##*/} under $TC_QEMU: ${p:-0} tests passed"
            else
                echo "not ok - $t: ${u##*/} under $TC_QEMU: ${f:-0} failed: $(grep '^\[  FAILED  \] [a-z_]' <<<"$out" | tr '\n' ' ')"
            fi
        done

        # shellcheck disable=SC2153 # set by target_env
        expect_query "$t: ntpsync -q 127.0.0.1 under $TC_QEMU" 127.0.0.1 2 "$OUT/$t.query.log" \
            "${QEMU[@]}" "$X_DIR/ntpsync" -q 127.0.0.1
        [ -e "$OUT/$t.nts" ] && nts_runs "$t"
    done
    rm -rf "$srv"
    packaging
    [ -z "${T0:-}" ] || echo "# check-targets took $(($(date +%s) - T0)) s"
    summary
}

# The NTS build of TARGET under qemu: a CA file that cannot be read drops the server
# before any NTS-KE traffic (exit 12, NTS-KE failed with every server); then a whole NTS query of
# chronyd: its certificate checked against the test CA, NTS-KE's records, the cookie in
# the NTP request and the reply's AES-SIV tag, on this CPU's byte order and word size.
nts_runs() { # TARGET
    local out rc line nts=$X_DIR/ntpsync-nts
    out=$(timeout -s KILL 60 "${QEMU[@]}" "$nts" -N -c /nonexistent/ca.pem -q "$NTS_ADDR" 2>&1 </dev/null)
    rc=$?
    printf '%s\n' "$out" >"$OUT/$t.nts-noca.log"
    line=$(grep -F "$NTS_ADDR: Server dropped: NTS-KE failed: cannot read the CA file" <<<"$out")
    if [ "$rc" -eq 12 ] && [ -n "$line" ]; then
        pass "$1: ntpsync-nts -N -c /nonexistent/ca.pem under $TC_QEMU: exit 12, $line"
    else
        fail "$1: ntpsync-nts -N -c /nonexistent/ca.pem under $TC_QEMU" "want exit 12 (NTS-KE failed), the server dropped for the CA file: exit $rc, $(tr '\n' '|' <<<"$out" | cut -c1-300)"
    fi
    expect_query "$1: ntpsync-nts -N -c ca.pem -q (chronyd NTS) under $TC_QEMU" "$NTS_ADDR" 8 \
        "$OUT/$t.nts-query.log" "${QEMU[@]}" "$nts" -N -c "$NTS_CERTS/ca.pem" -q "$NTS_ADDR"
}

# ---------------------------------------------------------------------------------------
# Packaging: build and install with the commands of packaging/*/, as those systems would.
# Each gets a copy of the sources (they build in the source tree) and a cross compiler
# with the CFLAGS/LDFLAGS those systems pass.

# shellcheck source=tests/buildroot-real.sh
. "$here/buildroot-real.sh"

pkg_src() { # DIR: a copy of what `make` and `make install` use
    rm -rf "$1"
    mkdir -p "$1"
    cp -r Makefile ./*.c ./*.h ntpsync.8 LICENSE toolchains contrib "$1/"
    mkdir -p "$1/packaging"
    cp -r packaging/wolfssl-patches "$1/packaging/"
}

# make WOLFSSL_SRC=DIR: wolfCrypt from that tree, rebuilt when the tree given changes (a
# second path to the same tree is enough), and a tree without wolfSSL's files refused
# in one line before anything is compiled.
wolfssl_src() { # WORKDIR CC
    local w=$1 b=$1/build log=$1/make.log out n
    local mk=(make -C "$b" CC="$2" AR="$TC_GNU-gcc-ar" STATIC=1 ntpsync)
    pkg_src "$b"
    mkdir -p "$w/empty"
    ln -s "$PKG_WOLFSSL" "$w/other"
    out=$("${mk[@]}" WOLFSSL_SRC="$w/empty" 2>&1)
    n=$(grep -c 'wolfcrypt\.sh: \|error' <<<"$out")
    if [ -z "$(find "$b" -name '*.o')" ] && [ "$n" -eq 1 ] &&
        grep -q "^wolfcrypt\.sh: WOLFSSL_SRC=$w/empty is not an unpacked wolfSSL source tree: no wolfssl/version.h .*wolfcrypt/src/cmac\.c" <<<"$out"; then
        pass "make WOLFSSL_SRC=(empty dir): $(grep 'wolfcrypt\.sh: ' <<<"$out" | cut -c1-100)..."
    else
        fail "make WOLFSSL_SRC=(empty dir)" "want one wolfcrypt.sh error and nothing compiled: $(tr '\n' '|' <<<"$out" | cut -c1-400)"
    fi
    if "${mk[@]}" WOLFSSL_SRC="$PKG_WOLFSSL" >"$log" 2>&1 &&
        "${mk[@]}" WOLFSSL_SRC="$w/other" >>"$log" 2>&1 &&
        "${mk[@]}" WOLFSSL_SRC="$w/other" >>"$log" 2>&1; then
        out=$(grep '^wolfcrypt\.sh: ' "$log" | sed 's/ (\(.*\), md5.*/: \1/')
        if [ "$out" = "wolfcrypt.sh: build/wolfcrypt/$TC_GNU-gcc: WOLFSSL_SRC=$PKG_WOLFSSL, wolfSSL 5.5.4
wolfcrypt.sh: build/wolfcrypt/$TC_GNU-gcc: WOLFSSL_SRC=$w/other, wolfSSL 5.5.4" ]; then
            pass "make WOLFSSL_SRC=DIR: wolfCrypt 5.5.4 from DIR, rebuilt for another DIR, not for the same"
        else
            fail "make WOLFSSL_SRC=DIR" "want one wolfCrypt build per tree: $(tr '\n' '|' <<<"$out")"
        fi
    else
        fail "make WOLFSSL_SRC=DIR" "$(tail -n 5 "$log" | tr '\n' '|')"
    fi
}

# make NTS=1 WOLFSSL_SRC=DIR where one of packaging/wolfssl-patches/ neither applies nor is
# applied already (DIR's src/tls13.c is not wolfSSL's): refused in one line before anything
# is compiled.
nts_unpatchable() { # WORKDIR CC
    local w=$1 b=$1/build out
    pkg_src "$b"
    mkdir -p "$w/tree"
    cp -r "$PKG_WOLFSSL/wolfssl" "$PKG_WOLFSSL/src" "$w/tree/"
    echo '/* not wolfSSL 5.5.4 */' >"$w/tree/src/tls13.c"
    out=$(make -C "$b" CC="$2" AR="$TC_GNU-gcc-ar" STATIC=1 NTS=1 WOLFSSL_SRC="$w/tree" ntpsync 2>&1)
    if [ -z "$(find "$b" -name '*.o')" ] && [ ! -e "$b/ntpsync" ] &&
        grep -qx "wolfssl-nts\.sh: cve-2023-3724\.patch: neither applies to $w/tree nor is applied there" <<<"$out"; then
        pass "make NTS=1 WOLFSSL_SRC=(tls13.c not wolfSSL's): refused, cve-2023-3724.patch neither applies nor is applied"
    else
        fail "make NTS=1 WOLFSSL_SRC=(tls13.c not wolfSSL's)" "want one wolfssl-nts.sh error and nothing compiled: $(tr '\n' '|' <<<"$out" | cut -c1-400)"
    fi
}

# Stubs of what Buildroot, OpenWrt and bitbake give a package: their variables (values
# as those systems set them for an ARM board) and the bits of their package
# infrastructure that run the package's build and install commands.
write_stubs() { # DIR
    mkdir -p "$1/openwrt"
    cat >"$1/fetch.sh" <<'STUB'
#!/bin/sh
# fetch.sh URL DEST [SHA256]: what a build system's download step gives: the file the test
# serves for exactly that URL (in $STUB_MIRROR/list: URL PATH), its sha256 checked.
set -eu
f=$(awk -v u="$1" '$1 == u { print $2 }' "$STUB_MIRROR/list")
[ -n "$f" ] || { echo "fetch.sh: $1: not found (404)" >&2; exit 1; }
mkdir -p "$(dirname "$2")"
cp "$f" "$2"
[ -z "${3:-}" ] || [ "$(sha256sum <"$2" | cut -d' ' -f1)" = "$3" ] ||
    { echo "fetch.sh: $2: sha256 mismatch (want $3)" >&2; rm -f "$2"; exit 1; }
STUB
    chmod +x "$1/fetch.sh"
    cat >"$1/buildroot.mk" <<'STUB'
# Buildroot's package/Makefile.in and pkg-generic.mk, reduced to what a generic-package
# with EXTRA_DOWNLOADS, POST_EXTRACT_HOOKS, BUILD_CMDS and INSTALL_TARGET_CMDS uses. The
# downloads are checked against the package's .hash, and after the extraction the licence
# files too (as `make legal-info` does).
TARGET_CFLAGS = -D_LARGEFILE_SOURCE -D_LARGEFILE64_SOURCE -D_FILE_OFFSET_BITS=64 -Os -g0 -D_FORTIFY_SOURCE=1
TARGET_CPPFLAGS = -D_LARGEFILE_SOURCE -D_LARGEFILE64_SOURCE -D_FILE_OFFSET_BITS=64
TARGET_LDFLAGS =
TARGET_MAKE_ENV = PATH="$(PATH)"
TARGET_CONFIGURE_OPTS = PATH="$(PATH)" AR="$(TARGET_CROSS)gcc-ar" AS="$(TARGET_CROSS)as" \
	LD="$(TARGET_CROSS)ld" NM="$(TARGET_CROSS)gcc-nm" CC="$(TARGET_CC)" GCC="$(TARGET_CC)" \
	CPP="$(TARGET_CC) -E" RANLIB="$(TARGET_CROSS)gcc-ranlib" READELF="$(TARGET_CROSS)readelf" \
	STRIP="$(TARGET_CROSS)strip" OBJCOPY="$(TARGET_CROSS)objcopy" OBJDUMP="$(TARGET_CROSS)objdump" \
	AR_FOR_BUILD="ar" CC_FOR_BUILD="gcc" CPPFLAGS="$(TARGET_CPPFLAGS)" \
	CFLAGS="$(TARGET_CFLAGS)" LDFLAGS="$(TARGET_LDFLAGS)" PKG_CONFIG="pkg-config" STAGING_DIR="/nonexistent"
TAR = tar
TAR_OPTIONS = -xf
INSTALL = install
suitable-extractor = $(if $(filter %.tar.gz %.tgz,$(1)),gzip -d -c,cat)
NTPSYNC_DL_DIR = $(DL_DIR)/ntpsync
define sep


endef
br_hash = $$(awk '$$1 == "sha256" && $$3 == "$(1)" { print $$2 }' $(PKGDIR)/ntpsync.hash)
.DEFAULT_GOAL := all
define generic-package
$(BUILD_DIR)/.stamp_extracted:
	$$(foreach u,$$(NTPSYNC_EXTRA_DOWNLOADS),$(STUB)/fetch.sh $$(u) $$(NTPSYNC_DL_DIR)/$$(notdir $$(u)) $$(call br_hash,$$(notdir $$(u)))$$(sep))
	$$(foreach h,$$(NTPSYNC_POST_EXTRACT_HOOKS),$$(call $$(h))$$(sep))
	$$(foreach f,$$(NTPSYNC_LICENSE_FILES),[ "$$$$(sha256sum <$$(@D)/$$(f) | cut -d' ' -f1)" = "$$(call br_hash,$$(f))" ]$$(sep))
	touch $$@
$(BUILD_DIR)/.stamp_built: $(BUILD_DIR)/.stamp_extracted
	$$(NTPSYNC_BUILD_CMDS)
	touch $$@
$(BUILD_DIR)/.stamp_target_installed: $(BUILD_DIR)/.stamp_built
	mkdir -p $(TARGET_DIR)
	$$(NTPSYNC_INSTALL_TARGET_CMDS)
	$$(if $(BR2_INIT_SYSTEMD),$$(NTPSYNC_INSTALL_INIT_SYSTEMD))
	$$(if $(BR2_INIT_SYSV)$(BR2_INIT_BUSYBOX),$$(NTPSYNC_INSTALL_INIT_SYSV))
	touch $$@
all: $(BUILD_DIR)/.stamp_target_installed
endef
include $(PKGDIR)/ntpsync.mk
STUB
    cat >"$1/openwrt/rules.mk" <<'STUB'
# OpenWrt's rules.mk, reduced: the toolchain variables a package's Build/Compile uses.
TARGET_CFLAGS = -Os -pipe -fno-caller-saves -fno-plt -Wformat -Werror=format-security -fstack-protector -D_FORTIFY_SOURCE=1 -Wl,-z,now -Wl,-z,relro
TARGET_CPPFLAGS = -I/nonexistent/usr/include
TARGET_LDFLAGS = -L/nonexistent/usr/lib -znow -zrelro
TARGET_CONFIGURE_OPTS = AR="$(TARGET_CROSS)gcc-ar" AS="$(TARGET_CC) -c" LD="$(TARGET_CROSS)ld" \
	NM="$(TARGET_CROSS)gcc-nm" CC="$(TARGET_CC)" GCC="$(TARGET_CC)" CXX="$(TARGET_CROSS)g++" \
	RANLIB="$(TARGET_CROSS)gcc-ranlib" STRIP="$(TARGET_CROSS)strip" \
	OBJCOPY="$(TARGET_CROSS)objcopy" OBJDUMP="$(TARGET_CROSS)objdump" SIZE="$(TARGET_CROSS)size"
INSTALL_DIR = install -d -m0755
INSTALL_BIN = install -m0755
INSTALL_CONF = install -m0600
INSTALL_DATA = install -m0644
TAR = tar
STUB
    cat >"$1/openwrt/package.mk" <<'STUB'
# OpenWrt's package.mk and download.mk, reduced: Download fetches a Download/NAME's
# URL/URL_FILE into DL_DIR/FILE, its HASH checked; BuildPackage NAME gives stub-install-NAME,
# which runs Build/Prepare (after the downloads; the sources themselves are in
# PKG_BUILD_DIR already), Build/Compile and Package/NAME/install (and writes
# Package/NAME/conffiles into CONTROL/conffiles, as the ipk has it), as OpenWrt does for each
# package: in its own build directory, with BUILD_VARIANT (given on the command line, as
# OpenWrt's package build passes it) the package's VARIANT.
.PHONY: stub-download
stub-download:
define Download
$(eval URL:=)$(eval URL_FILE:=)$(eval FILE:=)$(eval HASH:=)$(eval $(Download/$(1)))
stub-download: $(DL_DIR)/$(FILE)
$(DL_DIR)/$(FILE):
	$(STUB)/fetch.sh $(URL)/$(or $(URL_FILE),$(FILE)) $$@ $(HASH)
endef
Build/Prepare/Default =
define BuildPackage
$(eval VARIANT:=)$(eval $(Package/$(1)))
.PHONY: stub-prepare-$(1) stub-compile-$(1) stub-install-$(1)
stub-prepare-$(1): stub-download
	[ "$(VARIANT)" = "$(BUILD_VARIANT)" ] || { echo "$(1): VARIANT $(VARIANT), BUILD_VARIANT $(BUILD_VARIANT)" >&2; exit 1; }
	$$(call Build/Prepare)
stub-compile-$(1): stub-prepare-$(1)
	$$(call Build/Compile)
stub-install-$(1): stub-compile-$(1)
	$$(call Package/$(1)/install,$(STUB_INSTALL_ROOT))
	mkdir -p $(STUB_INSTALL_ROOT)/CONTROL
	printf '%s\n' $$(strip $$(Package/$(1)/conffiles)) >$(STUB_INSTALL_ROOT)/CONTROL/conffiles
endef
STUB
    cat >"$1/yocto.py" <<'STUB'
"""Run a recipe's fetch, unpack, do_compile and do_install as bitbake would: the recipe's
simple assignments and shell tasks, ${VAR} expanded from OE's variables for an ARM board,
PACKAGECONFIG_CONFARGS from PACKAGECONFIG, oe_runmake = make ${EXTRA_OEMAKE}.  SRC_URI's
http(s) entries are fetched (fetch.sh) with their SRC_URI[NAME.sha256sum] and unpacked
into WORKDIR; LIC_FILES_CHKSUM's md5s are checked.  The git entry is the source copy
already in SRCDIR (= WORKDIR = S).  After do_install, what the classes update-rc.d and
systemd would act on must be there: ${D}/etc/init.d/${INITSCRIPT_NAME} and each of
SYSTEMD_SERVICE:${PN} in ${D}${systemd_system_unitdir}, with the recipe inheriting both.
Usage: yocto.py RECIPE SRCDIR DESTDIR CC AR"""
import hashlib, os, re, subprocess, sys
recipe, src, dest, cc, ar = sys.argv[1:6]
text = open(recipe).read().replace("\\\n", " ")
d = {"CC": cc, "AR": ar, "CFLAGS": "-O2 -pipe -g -feliminate-unused-debug-types",
     "CPPFLAGS": "", "LDFLAGS": "-Wl,-O1 -Wl,--hash-style=gnu -Wl,--as-needed -Wl,-z,relro,-z,now",
     "D": dest, "prefix": "/usr", "WORKDIR": src, "S": src, "SRCPV": "1", "AUTOREV": "x",
     "MAKE": "make", "PN": "ntpsync", "sbindir": "/usr/sbin", "sysconfdir": "/etc",
     "systemd_system_unitdir": "/lib/systemd/system"}
for k in sys.argv[6:]:
    d[k.split("=", 1)[0]] = k.split("=", 1)[1]
tasks = {}
for m in re.finditer(r"^(do_\w+)\(\)\s*\{\n(.*?)^\}", text, re.S | re.M):
    tasks[m.group(1)] = m.group(2)
for m in re.finditer(r'^([A-Za-z_][\w:${}-]*(?:\[[\w.]+\])?)\s*(\?\?=|\?=|:=|=)\s*"(.*)"\s*$', text, re.M):
    d.setdefault(m.group(1), m.group(3))
def expand(s):
    for _ in range(10):
        s = re.sub(r"\$\{(\w+)\}", lambda m: d.get(m.group(1), m.group(0)), s)
    return s
on = expand(d.get("PACKAGECONFIG", "")).split()
d["PACKAGECONFIG_CONFARGS"] = " ".join(
    v.split(",")[0 if k[len("PACKAGECONFIG["):-1] in on else 1]
    for k, v in d.items() if k.startswith("PACKAGECONFIG["))
for url in expand(d["SRC_URI"]).split():
    if not url.startswith("http"):
        continue
    parm = dict(p.split("=", 1) for p in url.split(";")[1:])
    url = url.split(";")[0]
    name = os.path.join(src, "downloads", parm.get("downloadfilename", os.path.basename(url)))
    subprocess.run([os.path.join(os.path.dirname(__file__), "fetch.sh"), url, name,
                    d["SRC_URI[%s.sha256sum]" % parm["name"]]], check=True)
    subprocess.run(["tar", "-C", src, "-xzf", name], check=True)
for f in expand(d["LIC_FILES_CHKSUM"]).split():
    path, md5 = f[len("file://"):].split(";md5=")
    got = hashlib.md5(open(os.path.join(src, path), "rb").read()).hexdigest()
    if got != md5:
        sys.exit("LIC_FILES_CHKSUM: %s: md5 %s, recipe says %s" % (path, got, md5))
for t in ("do_compile", "do_install"):
    script = "set -e\noe_runmake() { %s %s \"$@\"; }\n%s" % (d["MAKE"], expand(d["EXTRA_OEMAKE"]), expand(tasks[t]))
    print("# " + t + ":\n" + script, flush=True)
    subprocess.run(["bash", "-c", script], cwd=src, check=True)
inherits = " ".join(re.findall(r"^inherit\s+(.*)$", text, re.M)).split()
for c in ("update-rc.d", "systemd"):
    if c not in inherits:
        sys.exit("the recipe does not inherit %s" % c)
want = [os.path.join("/etc/init.d", expand(d["INITSCRIPT_NAME"]))]
want += [os.path.join(d["systemd_system_unitdir"], u)
         for u in expand(d["SYSTEMD_SERVICE:${PN}"]).split()]
for f in want:
    if not os.path.isfile(dest + f):
        sys.exit("%s: not installed, but the classes are told to act on it" % f)
print("# classes: update-rc.d %s (%s), systemd %s" % (d["INITSCRIPT_NAME"],
      d["INITSCRIPT_PARAMS"], d["SYSTEMD_SERVICE:${PN}"]))
STUB
}

# The installed binary is there, for the target, and runs there (under qemu); with -a
# (AUTH=1, the default) it reads a key file (the error for a key id the file lacks, not
# the one of a build without authentication), else it refuses -a. Built with NTS
# (NTS=1), it queries chronyd with -N, and LOG (the build's) says wolfssl-nts.sh patched
# the release with each of packaging/wolfssl-patches/; without, it refuses -N.
pkg_installed() { # NAME BINARY [AUTH [NTS LOG]]
    local out want auth rc nts=${4:-0} p line
    if [ ! -x "$2" ]; then
        fail "$1" "nothing installed at $2"
        return
    fi
    out=$(timeout -s KILL 60 "${QEMU[@]}" -L "$PKG_QEMU_ROOT" "$2" -V 2>&1)
    if grep -q '^ntpsync ' <<<"$out"; then
        pass "$1: $(file -b "$2" | cut -d, -f1-2,5 | sed 's/ (GNU\/Linux)//'); runs: $out"
    else
        fail "$1" "$2 -V under qemu: $out"
    fi
    auth=${3:-1}
    want="$PKG_KEYS: key 1 is not in the file"
    [ "$auth" = 1 ] || want="-a: this ntpsync was built without authentication (AUTH=0)"
    out=$(timeout -s KILL 60 "${QEMU[@]}" -L "$PKG_QEMU_ROOT" "$2" -q -a 1 -k "$PKG_KEYS" 127.0.0.1 2>&1)
    rc=$?
    if [ "$rc" -eq 2 ] && grep -qF -- "$want" <<<"$out" &&
        { [ "$auth" = 0 ] || ! grep -q 'built without' <<<"$out"; }; then
        pass "$1: -a 1 -k KEYFILE (key 2 only) under qemu: exit 2, ${want/"$PKG_KEYS"/KEYFILE}"
    else
        fail "$1: -a 1 -k KEYFILE under qemu" "want exit 2 and '$want': exit $rc, $(tr '\n' '|' <<<"$out")"
    fi
    out=$(timeout -s KILL 120 "${QEMU[@]}" -L "$PKG_QEMU_ROOT" "$2" -N -c "$NTS_CERTS/ca.pem" -q "$NTS_ADDR" 2>&1)
    rc=$?
    if [ "$nts" = 0 ]; then
        want="-N: this ntpsync was built without NTS (make NTS=1)"
        if [ "$rc" -eq 2 ] && grep -qF -- "$want" <<<"$out"; then
            pass "$1: -N under qemu: exit 2, $want"
        else
            fail "$1: -N under qemu" "want exit 2 and '$want': exit $rc, $(tr '\n' '|' <<<"$out")"
        fi
        return
    fi
    line=$(grep "^server $NTS_ADDR, stratum 8, " <<<"$out" | head -n 1)
    if [ "$rc" -eq 0 ] && [ -n "$line" ] && ! grep -q 'built without' <<<"$out"; then
        pass "$1: -N -c ca.pem -q (chronyd NTS) under qemu: $line"
    else
        fail "$1: -N -q (chronyd NTS) under qemu" "want exit 0 and stratum 8: exit $rc, $(tr '\n' '|' <<<"$out" | cut -c1-300)"
    fi
    for p in "$root"/packaging/wolfssl-patches/*.patch; do
        p=${p##*/}
        if grep -q "^wolfssl-nts\.sh: .*WOLFSSL_SRC=.*wolfSSL 5\.5\.4.*, patched ${p%.patch}[,;]" "$5"; then
            pass "$1: wolfSSL release patched with $p"
        else
            fail "$1: wolfSSL release patched with $p" "no such wolfssl-nts.sh line in $5: $(grep '^wolfssl-nts\.sh: ' "$5" | cut -c1-300)"
        fi
    done
}

# The boot and DHCP files a recipe installed under ROOT: each line of WANT is "PATH MODE
# SRC", the file ROOT/PATH with that mode and SRC's contents (SRC under contrib/); each
# of ABSENT (space-separated paths) is not there.
pkg_files() { # NAME ROOT WANT [ABSENT]
    local path mode src bad='' n=0
    while read -r path mode src; do
        [ -n "$path" ] || continue
        n=$((n + 1))
        if [ ! -f "$2/$path" ]; then
            bad="$bad $path: missing;"
        elif [ "$(stat -c %a "$2/$path")" != "$mode" ]; then
            bad="$bad $path: mode $(stat -c %a "$2/$path"), want $mode;"
        elif ! cmp -s "$2/$path" "contrib/$src"; then
            bad="$bad $path: not contrib/$src;"
        fi
    done <<<"$3"
    for path in ${4:-}; do
        [ ! -e "$2/$path" ] || bad="$bad $path: installed, should not be;"
    done
    if [ -z "$bad" ]; then
        pass "$1: $n boot/DHCP files installed from contrib/$([ -z "${4:-}" ] || echo ", not ${4// /, }")"
    else
        fail "$1" "$bad"
    fi
}

# make AUTH=0 NTS=1 (NTS without -a's MAC code, which it needs): refused in one line
# before anything is compiled, not left to fail at the link.
nts_without_auth() { # WORKDIR CC
    local out rc
    pkg_src "$1"
    out=$(make -C "$1" CC="$2" AUTH=0 NTS=1 ntpsync 2>&1)
    rc=$?
    if [ "$rc" -ne 0 ] && [ ! -e "$1/ntpsync" ] && [ -z "$(find "$1" -name '*.o')" ] &&
        [ "$(grep -c 'AUTH=0 NTS=1' <<<"$out")" = 1 ] && ! grep -q 'undefined reference' <<<"$out"; then
        pass "make AUTH=0 NTS=1: refused before compiling: $(grep -o 'AUTH=0 NTS=1:.*' <<<"$out")"
    else
        fail "make AUTH=0 NTS=1" "want one error before anything is compiled: exit $rc, $(tr '\n' '|' <<<"$out" | cut -c1-300)"
    fi
}

# The build date ntpsync -V prints (under qemu) is WANT.
pkg_build_date() { # NAME BINARY WANT
    local out
    out=$(timeout -s KILL 60 "${QEMU[@]}" -L "$PKG_QEMU_ROOT" "$2" -V 2>&1)
    if [ "$out" = "ntpsync $(sed -n 's/^VERSION *= *//p' Makefile) (built $3)" ]; then
        pass "$1: the build date is $3: $out"
    else
        fail "$1" "want the build date $3: ntpsync -V says: $(tr '\n' '|' <<<"$out")"
    fi
}

packaging() {
    local d st log cc sr v init sysv units files
    # clock.h's NTPSYNC_BUILD_EPOCH, the date of a build with neither SOURCE_DATE_EPOCH
    # nor git.
    CLOCK_H_DATE=$(date -u -d "@$(sed -n 's/^#define NTPSYNC_BUILD_EPOCH[[:space:]]*\([0-9]*\).*/\1/p' clock.h)" +%Y-%m-%dT%H:%M:%SZ)
    target_env armhf MUSL_FROM=deb || { fail "packaging" "no armhf toolchain"; return; }
    d=$root/$OUT/pkg
    st=$d/stub
    rm -rf "$d"
    write_stubs "$st"
    # An ARM cross compiler as these systems set theirs up: gcc with its C library (here
    # Debian's musl-dev and musl for armhf, which have libc.so for the dynamic builds).
    sr=$X_SYSROOT
    PKG_QEMU_ROOT=$sr/root
    cc="$TC_GNU-gcc -specs $sr/musl-gcc.specs"

    wolfssl_src "$d/wc" "$cc"
    nts_unpatchable "$d/ntsbad" "$cc"
    nts_without_auth "$d/noauth" "$cc"

    # What the recipes download: the wolfSSL 5.5.4 release, here Debian's
    # wolfssl_5.5.4.orig.tar.gz (the same file: its sha256 is the one the recipes hold).
    export STUB_MIRROR=$d/mirror
    mkdir -p "$STUB_MIRROR"
    echo "https://github.com/wolfSSL/wolfssl/archive/refs/tags/v5.5.4-stable.tar.gz $PKG_WOLFSSL_TAR" \
        >"$STUB_MIRROR/list"
    # A key file without key 1, for -a 1 (pkg_installed).
    PKG_KEYS=$d/ntp.keys
    echo "2 SHA1 HEX:0123456789abcdef0123456789abcdef01234567" >"$PKG_KEYS"
    chmod 600 "$PKG_KEYS"

    # Buildroot's Config.in through a Kconfig parser (busybox's scripts/kconfig/conf).
    log=$d/kconfig.log
    mkdir -p "$d/kconfig"
    printf 'mainmenu "ntpsync"\nconfig BR2_STATIC_LIBS\n\tbool "static"\nconfig BR2_TOOLCHAIN_HEADERS_AT_LEAST_3_17\n\tbool "headers"\nsource "%s"\n' \
        "$root/packaging/buildroot/Config.in" >"$d/kconfig/Kconfig"
    if [ ! -x "${KCONF:-}" ]; then
        fail "buildroot: Config.in parses" "no Kconfig parser (busybox's conf) was built"
    elif (cd "$d/kconfig" && "$KCONF" -n Kconfig </dev/null >"$log" 2>&1) &&
        printf 'CONFIG_BR2_PACKAGE_NTPSYNC=y\n' >"$d/kconfig/old-headers.defconfig" &&
        (cd "$d/kconfig" && "$KCONF" -D old-headers.defconfig Kconfig </dev/null >>"$log" 2>&1) &&
        ! grep -q '^CONFIG_BR2_PACKAGE_NTPSYNC=y' "$d/kconfig/.config" &&
        grep -qx '# ntpsync needs a toolchain w/ headers >= 3.17' "$d/kconfig/.config" &&
        ! grep -q '^CONFIG_BR2_PACKAGE_NTPSYNC_\(AUTH\|NTS\)' "$d/kconfig/.config" &&
        (cd "$d/kconfig" && "$KCONF" -y Kconfig </dev/null >>"$log" 2>&1) &&
        grep -q '^CONFIG_BR2_PACKAGE_NTPSYNC=y' "$d/kconfig/.config" &&
        grep -q '^CONFIG_BR2_PACKAGE_NTPSYNC_AUTH=y' "$d/kconfig/.config" &&
        grep -q '^CONFIG_BR2_PACKAGE_NTPSYNC_NTS=y' "$d/kconfig/.config" &&
        printf 'CONFIG_BR2_TOOLCHAIN_HEADERS_AT_LEAST_3_17=y\nCONFIG_BR2_PACKAGE_NTPSYNC=y\nCONFIG_BR2_PACKAGE_NTPSYNC_NTS=y\n# CONFIG_BR2_PACKAGE_NTPSYNC_AUTH is not set\n' \
            >"$d/kconfig/nts.defconfig" &&
        (cd "$d/kconfig" && "$KCONF" -D nts.defconfig Kconfig </dev/null >>"$log" 2>&1) &&
        grep -q '^CONFIG_BR2_PACKAGE_NTPSYNC_AUTH=y' "$d/kconfig/.config" &&
        printf 'CONFIG_BR2_TOOLCHAIN_HEADERS_AT_LEAST_3_17=y\nCONFIG_BR2_PACKAGE_NTPSYNC=y\n' >"$d/kconfig/ntpsync.defconfig" &&
        (cd "$d/kconfig" && "$KCONF" -D ntpsync.defconfig Kconfig </dev/null >>"$log" 2>&1) &&
        grep -q '^CONFIG_BR2_PACKAGE_NTPSYNC_AUTH=y' "$d/kconfig/.config" &&
        ! grep -q '^CONFIG_BR2_PACKAGE_NTPSYNC_NTS=y' "$d/kconfig/.config"; then
        pass "buildroot: Config.in parses (Kconfig); BR2_PACKAGE_NTPSYNC only with headers >= 3.17 (else its comment); _AUTH, _NTS only with it; _NTS default n, selects _AUTH"
    else
        fail "buildroot: Config.in parses" "$(tail -n 3 "$log" | tr '\n' '|')"
    fi

    # Buildroot's own utils/check-package, on the three files as package/ntpsync of its
    # tree (unpacked outside the sandbox, into BR_TREE).
    log=$d/check-package.log
    if [ ! -x "$BR_TREE/utils/check-package" ]; then
        fail "buildroot: utils/check-package" "no Buildroot tree at $BR_TREE (BUILDROOT_TAR)"
    else
        rm -rf "$BR_TREE/package/ntpsync"
        cp -r packaging/buildroot "$BR_TREE/package/ntpsync"
        if (cd "$BR_TREE" && /usr/bin/python3 utils/check-package package/ntpsync/*) >"$log" 2>&1 &&
            grep -qx '0 warnings generated' "$log"; then
            pass "buildroot: utils/check-package package/ntpsync/*: $(tr '\n' ' ' <"$log")"
        else
            fail "buildroot: utils/check-package" "$(tr '\n' '|' <"$log" | cut -c1-600)"
        fi
    fi
    # A real Buildroot build of it, glibc and static musl (tests/buildroot-real.sh).
    br_real

    # The release the recipes name is the Makefile's VERSION (Buildroot's tag v0.1.0,
    # OpenWrt's PKG_VERSION, Yocto's PV), not a version of their own.
    v=$(sed -n 's/^VERSION *= *//p' Makefile)
    if grep -qx "NTPSYNC_VERSION = v$v" packaging/buildroot/ntpsync.mk &&
        grep -qx "PKG_VERSION:=$v" packaging/openwrt/Makefile &&
        grep -q "^PV = \"$v+git" packaging/yocto/ntpsync_git.bb; then
        pass "packaging: the recipes name release $v, the Makefile's VERSION"
    else
        fail "packaging: the recipes' version" "want $v (the Makefile's VERSION) in ntpsync.mk, the OpenWrt Makefile and ntpsync_git.bb"
    fi

    # BR2_PACKAGE_NTPSYNC_AUTH: y is its default; unset, the build without -a. NTS:
    # BR2_PACKAGE_NTPSYNC_NTS, with the _AUTH it selects. The first as BR2_REPRODUCIBLE
    # builds, with SOURCE_DATE_EPOCH in the environment; the others without, from a
    # tree without .git inside this checkout: the build date is clock.h's, not the
    # checkout's last commit.
    for conf in 1 0 nts; do
        auth=1 nts=0 what='' init=''
        epoch=(env -u SOURCE_DATE_EPOCH)
        case $conf in
        1) epoch=(env SOURCE_DATE_EPOCH=1700000000) init=BR2_INIT_BUSYBOX ;;
        0) auth=0 what=", no BR2_PACKAGE_NTPSYNC_AUTH" init=BR2_INIT_NONE ;;
        nts) nts=1 what=", BR2_PACKAGE_NTPSYNC_NTS" init=BR2_INIT_SYSTEMD ;;
        esac
        log=$d/buildroot$conf.log
        pkg_src "$d/br$conf/build"
        if "${epoch[@]}" make -f "$st/buildroot.mk" PKGDIR="$root/packaging/buildroot" STUB="$st" \
            BUILD_DIR="$d/br$conf/build" DL_DIR="$d/br$conf/dl" TARGET_DIR="$d/br$conf/target" \
            TARGET_CC="$cc" TARGET_CROSS="$TC_GNU-" BR2_STATIC_LIBS=y \
            BR2_PACKAGE_NTPSYNC_AUTH="$([ $auth = 0 ] || echo y)" \
            BR2_PACKAGE_NTPSYNC_NTS="$([ $nts = 0 ] || echo y)" "$init=y" >"$log" 2>&1; then
            pkg_installed "buildroot: ntpsync.mk build + install, BR2_STATIC_LIBS$what" \
                "$d/br$conf/target/usr/sbin/ntpsync" $auth $nts "$log"
            sysv="etc/init.d/S49ntpsync 755 init.d/S49ntpsync"
            units="usr/lib/systemd/system/ntpsync.service 644 systemd/ntpsync.service
usr/lib/systemd/system/ntpsync.timer 644 systemd/ntpsync.timer"
            files="usr/sbin/ntpsync-dhcp 755 dhcp/ntpsync-dhcp
etc/default/ntpsync 644 default/ntpsync
usr/share/udhcpc/default.script.d/ntpsync 755 dhcp/udhcpc-ntpsync"
            case $init in
            BR2_INIT_BUSYBOX)
                pkg_files "buildroot$what, $init" "$d/br$conf/target" "$files
$sysv" "usr/lib/systemd" ;;
            BR2_INIT_SYSTEMD)
                pkg_files "buildroot$what, $init" "$d/br$conf/target" "$files
$units" "etc/init.d" ;;
            *) pkg_files "buildroot$what, $init" "$d/br$conf/target" "$files" "etc/init.d usr/lib/systemd" ;;
            esac
            # STRIP_BIN=0: Buildroot strips (or not, BR2_STRIP_none) by itself.
            if file -b "$d/br$conf/target/usr/sbin/ntpsync" | grep -q ', not stripped$'; then
                pass "buildroot$what: the installed ntpsync is not stripped (Buildroot strips itself)"
            else
                fail "buildroot$what: not stripped" "$(file -b "$d/br$conf/target/usr/sbin/ntpsync")"
            fi
            if [ "$conf" = 1 ]; then
                pkg_build_date "buildroot: SOURCE_DATE_EPOCH=1700000000" \
                    "$d/br$conf/target/usr/sbin/ntpsync" 2023-11-14T22:13:20Z
            else
                pkg_build_date "buildroot$what: no SOURCE_DATE_EPOCH, no .git" \
                    "$d/br$conf/target/usr/sbin/ntpsync" "$CLOCK_H_DATE"
            fi
        else
            fail "buildroot: ntpsync.mk ($conf)" "$(tail -n 5 "$log" | tr '\n' '|')"
        fi
    done

    # ntpsync (VARIANT plain, CONFIG_NTPSYNC_AUTH=y) and ntpsync-nts (VARIANT nts; with -a
    # although CONFIG_NTPSYNC_AUTH is unset: that option is ntpsync's).
    for pkg in ntpsync ntpsync-nts; do
        log=$d/$pkg.log
        pkg_src "$d/$pkg/build"
        if [ "$pkg" = ntpsync ]; then set -- BUILD_VARIANT=plain CONFIG_NTPSYNC_AUTH=y; else set -- BUILD_VARIANT=nts; fi
        if make -f packaging/openwrt/Makefile TOPDIR="$st/openwrt" INCLUDE_DIR="$st/openwrt" STUB="$st" \
            PKG_BUILD_DIR="$d/$pkg/build" DL_DIR="$d/$pkg/dl" STUB_INSTALL_ROOT="$d/$pkg/ipkg" \
            TARGET_CC="$cc" TARGET_CROSS="$TC_GNU-" "$@" "stub-install-$pkg" >"$log" 2>&1; then
            pkg_installed "openwrt: Makefile Download + Build/Prepare, Build/Compile, Package/$pkg/install ($1)" \
                "$d/$pkg/ipkg/usr/sbin/ntpsync" 1 "$([ $pkg = ntpsync ] && echo 0 || echo 1)" "$log"
            pkg_files "openwrt: Package/$pkg/install" "$d/$pkg/ipkg" "usr/sbin/ntpsync-dhcp 755 dhcp/ntpsync-dhcp
etc/init.d/ntpsync 755 openwrt/ntpsync.init
etc/config/ntpsync 600 openwrt/ntpsync.config
etc/default/ntpsync 644 default/ntpsync
etc/hotplug.d/iface/25-ntpsync 644 openwrt/ntpsync.hotplug
etc/udhcpc.user.d/ntpsync 755 dhcp/udhcpc-ntpsync
etc/odhcp6c.user.d/ntpsync 755 dhcp/odhcp6c-ntpsync"
            if [ "$(cat "$d/$pkg/ipkg/CONTROL/conffiles")" = "/etc/config/ntpsync
/etc/default/ntpsync" ]; then
                pass "openwrt: Package/$pkg/conffiles: /etc/config/ntpsync, /etc/default/ntpsync"
            else
                fail "openwrt: Package/$pkg/conffiles" "want /etc/config/ntpsync and /etc/default/ntpsync: $(tr '\n' ' ' <"$d/$pkg/ipkg/CONTROL/conffiles")"
            fi
        else
            fail "openwrt: Makefile, $pkg" "$(tail -n 5 "$log" | tr '\n' '|')"
        fi
    done

    # PACKAGECONFIG as the recipe has it ("auth"), then with "nts" appended.
    for conf in auth nts; do
        log=$d/yocto-$conf.log
        pkg_src "$d/oe-$conf/build"
        if [ "$conf" = auth ]; then set --; else set -- PACKAGECONFIG="auth nts"; fi
        if python3 "$st/yocto.py" packaging/yocto/ntpsync_git.bb "$d/oe-$conf/build" "$d/oe-$conf/image" \
            "$cc" "$TC_GNU-gcc-ar" "$@" >"$log" 2>&1; then
            pkg_installed "yocto: ntpsync_git.bb fetch + unpack, do_compile, do_install$([ $conf = auth ] ||
                echo ', PACKAGECONFIG nts')" "$d/oe-$conf/image/usr/sbin/ntpsync" 1 \
                "$([ $conf = auth ] && echo 0 || echo 1)" "$log"
            pkg_files "yocto: do_install ($conf), $(sed -n 's/^# classes: //p' "$log")" "$d/oe-$conf/image" \
                "usr/sbin/ntpsync-dhcp 755 dhcp/ntpsync-dhcp
etc/default/ntpsync 644 default/ntpsync
etc/init.d/ntpsync 755 init.d/S49ntpsync
lib/systemd/system/ntpsync.service 644 systemd/ntpsync.service
lib/systemd/system/ntpsync.timer 644 systemd/ntpsync.timer"
        else
            fail "yocto: ntpsync_git.bb ($conf)" "$(tail -n 5 "$log" | tr '\n' '|')"
        fi
    done
}

# ---------------------------------------------------------------------------------------
# Outside: install, build, then run the rest in the sandbox.

if [ "${1:-}" = --inner ]; then
    shift
    inner "$@"
    exit
fi

t0=$(date +%s)
mkdir -p "$OUT"
rm -f "$OUT"/*.built "$OUT"/*.nts
# make, gcc (build/clockprobe), the sandbox's tools, the test server, qemu-user; what
# Buildroot's utils/check-package imports.
toolchains/sysroot.sh pkgs make gcc libc6-dev util-linux iproute2 python3 qemu-user file \
    python3-magic python3-flake8 ||
    { fail "packages" "could not install make gcc util-linux iproute2 python3 qemu-user python3-magic python3-flake8"; summary; exit 1; }
# Debian's chronyd (unpacked into build/deps, never installed) and the NTS certificates.
if ! { tests/deps.sh && tests/nts_certs.sh build/nts-certs; }; then
    fail "packages" "tests/deps.sh or tests/nts_certs.sh failed"
    summary
    exit 1
fi

for t in "$@"; do
    mkdir -p "build/$t"
    if make --no-print-directory TARGET="$t" target-tests >"build/$t/build.log" 2>&1; then
        target_env "$t"
        touch "$OUT/$t.built"
        pass "$t: build ($(stat -c %s "$X_DIR/ntpsync") bytes stripped)"
        hdr=$("$TC_GNU-readelf" -lh "$X_DIR/ntpsync" 2>&1)
        if grep -q 'EXEC (Executable file)' <<<"$hdr" && ! grep -q INTERP <<<"$hdr"; then
            pass "$t: static executable for $("$TC_GNU-readelf" -h "$X_DIR/ntpsync" | sed -n 's/^ *Machine: *//p')"
        else
            fail "$t: static executable" "$(grep -E 'Type:|INTERP' <<<"$hdr" | tr '\n' ' ')"
        fi
    else
        fail "$t: build" "see build/$t/build.log: $(tail -n 3 "build/$t/build.log" | tr '\n' '|')"
        continue
    fi
    # The NTS build: wolfSSL's TLS client compiled for the target too (about a minute).
    if make --no-print-directory TARGET="$t" NTS=1 >>"build/$t/build.log" 2>&1; then
        target_env "$t" NTS=1
        hdr=$("$TC_GNU-readelf" -lh "$X_BIN" 2>&1)
        if grep -q 'EXEC (Executable file)' <<<"$hdr" && ! grep -q INTERP <<<"$hdr"; then
            touch "$OUT/$t.nts"
            pass "$t: NTS build, static ($(stat -c %s "$X_BIN") bytes stripped)"
        else
            fail "$t: NTS build, static" "$(grep -E 'Type:|INTERP' <<<"$hdr" | tr '\n' ' ')"
        fi
    else
        fail "$t: NTS build" "see build/$t/build.log: $(tail -n 3 "build/$t/build.log" | tr '\n' '|')"
    fi
done
# Debian's musl for armhf (with libc.so) for the packaging checks, fetched here: the
# sandbox has no network.
make --no-print-directory TARGET=armhf MUSL_FROM=deb sysroot >"$OUT/pkg-sysroot.log" 2>&1 ||
    fail "packaging: Debian's musl for armhf" "$(tail -n 3 "$OUT/pkg-sysroot.log" | tr '\n' '|')"
# What the packaging checks use as the wolfSSL release each recipe downloads: Debian's
# unpacked wolfssl source (the same upstream 5.5.4 tree; Debian's patches touch none of
# wolfCrypt's files, and those of the NTS build's TLS files are in packaging/wolfssl-patches/).
PKG_WOLFSSL=$(toolchains/sysroot.sh source wolfssl) ||
    fail "packaging: Debian's wolfssl source" "toolchains/sysroot.sh source wolfssl failed"
# The release tarball itself, for the recipes' downloads.
PKG_WOLFSSL_TAR=$(toolchains/sysroot.sh orig wolfssl) ||
    fail "packaging: Debian's wolfssl_5.5.4.orig.tar.gz" "toolchains/sysroot.sh orig wolfssl failed"
export PKG_WOLFSSL PKG_WOLFSSL_TAR
# A Kconfig parser for Buildroot's Config.in: busybox's, from Debian's busybox source.
export KCONF=$root/$OUT/kconfig/scripts/kconfig/conf
if [ ! -x "$KCONF" ]; then
    mkdir -p "$OUT/kconfig"
    bbsrc=$(toolchains/sysroot.sh source busybox) &&
        make -C "$bbsrc" O="$root/$OUT/kconfig" HOSTCC=gcc allnoconfig >"$OUT/kconfig.log" 2>&1 ||
        echo "check-targets: could not build busybox's Kconfig parser (see $OUT/kconfig.log)" >&2
fi
# Buildroot's tree (for utils/check-package), which these machines cannot fetch: the
# tarball BUILDROOT_TAR (default: the newest buildroot-*.tar.xz in shared/buildroot/
# beside this checkout, or beside the checkout it was cloned from: CI runs in a clone),
# unpacked once under build/buildroot/.
br_origin=$(git -C "$root" config --get remote.origin.url 2>/dev/null || true)
br_tars=()
for d in "$root/.." ${br_origin:+"$br_origin/.."}; do
    [ -d "$d/shared/buildroot" ] || continue
    br_tars=("$d"/shared/buildroot/buildroot-*.tar.xz)
    break
done
BUILDROOT_TAR=${BUILDROOT_TAR:-${br_tars[-1]:-../shared/buildroot/buildroot-*.tar.xz}}
BR_TREE=$root/build/buildroot/$(basename "$BUILDROOT_TAR" .tar.xz)
export BR_TREE
if [ ! -x "$BR_TREE/utils/check-package" ] && [ -f "$BUILDROOT_TAR" ]; then
    rm -rf "$BR_TREE"
    mkdir -p "$BR_TREE"
    tar -C "$BR_TREE" --strip-components=1 -xJf "$BUILDROOT_TAR" ||
        echo "check-targets: could not unpack $BUILDROOT_TAR" >&2
fi
# The toolchains of the real Buildroot builds (tests/buildroot-real.sh).
BR_OUT=$root/$OUT/buildroot
export BR_OUT
br_prepare "$BR_OUT" "$root/build/cross/sysroot-armhf-deb" >"$OUT/br-prepare.log" 2>&1 ||
    fail "buildroot: the toolchains of the real builds" "$(tail -n 3 "$OUT/br-prepare.log" | tr '\n' '|')"
echo "# built in $(($(date +%s) - t0)) s"
echo "$PASSED" >"$OUT/passed"
echo "$FAILED" >"$OUT/failed"
T0=$t0 SANDBOX_TIMEOUT=${SANDBOX_TIMEOUT:-1200} exec tests/sandbox.sh "$here/check-targets.sh" --inner "$@"
