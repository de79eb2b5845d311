#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# bench/size.sh [-v] [TARGET...]: the stripped size of ntpsync per target, next to two static
# busyboxes that have only their ntpd applet (busybox's NTP client, the usual alternative on a
# small root filesystem): one with none of ntpd's options, one with ntpd's default options.
#
# busybox is built from Debian's busybox source package (toolchains/sysroot.sh source
# busybox) with the same cross gcc, the same musl and the same size flags as ntpsync
# (toolchains/common.mk): allnoconfig plus CONFIG_STATIC and CONFIG_NTPD; CONFIG_LFS for
# musl's 64-bit off_t; no shell (allnoconfig still picks ash as "sh"). Two variants:
#   ntpd only:        ntpd's own options (server mode, /etc/ntp.conf, MD5/SHA1 keys) left out,
#                     so that it is a client like ntpsync without -a;
#   default options:  those three on, as busybox's defconfig has them (FEATURE_NTPD_SERVER,
#                     FEATURE_NTPD_CONF, FEATURE_NTP_AUTH: "default y" in networking/ntpd.c),
#                     the busybox ntpd issue 12's budget compares ntpsync (with -a) to.
# All are stripped the same way (strip --strip-all -R .comment).
#
# The NTS build (make TARGET=... NTS=1: wolfSSL's TLS 1.3 client and AES-SIV inside) is a
# column of its own, with issue 13's budget for it (at most 256 KiB on x86_64 and armhf), and
# beside it what the usual NTS client takes on disk: Debian 12's chronyd, built with GnuTLS,
# and the shared libraries it loads (on this machine's architecture, amd64: the packages of
# the libraries ldd finds, fetched with apt-get download, their files measured as shipped).
#
# Prints a Markdown table. -v adds, for x86_64 and armhf (or the targets given), where
# ntpsync's bytes go: its own code and the C library by area, from the linker map.
# Builds are cached under build/TARGET/ (busybox: build/TARGET/bb and build/TARGET/bb-default,
# about 20 s each per target).
set -eu

here=$(cd "$(dirname "$0")" && pwd)
root=$(dirname "$here")
cd "$root"
verbose=
if [ "${1:-}" = -v ]; then verbose=1; shift; fi
[ $# -gt 0 ] || set -- x86_64 i386 armhf armel arm64 mipsel mips riscv64

# The goals of issue 4, in bytes.
goal() {
    case $1 in
    x86_64) echo 57344 ;;
    armhf) echo 49152 ;;
    *) echo "" ;;
    esac
}
# Issue 13's budget of the NTS build, in bytes.
nts_goal() {
    case $1 in
    x86_64 | armhf) echo 262144 ;;
    *) echo "" ;;
    esac
}

log=$(mktemp)
trap 'rm -f "$log"' EXIT
quiet() {
    if ! "$@" >"$log" 2>&1; then
        cat "$log" >&2
        echo "size.sh: failed: $*" >&2
        return 1
    fi
}

toolchains/sysroot.sh pkgs make gcc libc6-dev bzip2 dpkg-dev
bbsrc=$(toolchains/sysroot.sh source busybox)
bbver=$(sed -n 's/^busybox_\(.*\)\.dsc$/\1/p' "$bbsrc/.unpacked")

# Sets the target's variables (TC_GNU, X_CC, X_CFLAGS, X_LDFLAGS, X_DIR ...).
target_env() {
    eval "$(make -s --no-print-directory TARGET="$1" target-env)"
}

# ntpd's options that busybox's defconfig turns on ("default y" in networking/ntpd.c).
bb_ntpd_defaults=(FEATURE_NTPD_SERVER FEATURE_NTPD_CONF FEATURE_NTP_AUTH)

# build/TARGET/busybox-ntpd (VARIANT only) or build/TARGET/busybox-ntpd-default (VARIANT
# default): redone only when the compiler, flags or source change.
busybox_ntpd() { # TARGET VARIANT
    local t=$1 v=$2 o out id ldflags opt allow=
    local on=()
    ldflags=${X_LDFLAGS//-static/}
    case $v in
    only)
        o=$root/build/$t/bb out=build/$t/busybox-ntpd
        id="recipe=2 busybox=$bbver cc=$X_CC cflags=$X_CFLAGS ldflags=$ldflags"
        ;;
    default)
        o=$root/build/$t/bb-default out=build/$t/busybox-ntpd-default
        on=("${bb_ntpd_defaults[@]}")
        id="recipe=1 options=${on[*]} busybox=$bbver cc=$X_CC cflags=$X_CFLAGS ldflags=$ldflags"
        ;;
    *) echo "size.sh: unknown busybox variant $v" >&2; return 1 ;;
    esac
    if [ -x "$out" ] && [ "$(cat "$o/.id" 2>/dev/null)" = "$id" ]; then
        return 0
    fi
    echo "size.sh: building busybox $bbver (ntpd, $v) for $t" >&2
    rm -rf "$o"
    mkdir -p "$o"
    local mk=(make -C "$bbsrc" O="$o" CC="$X_CC" CROSS_COMPILE="$TC_GNU-" HOSTCC=gcc)
    quiet "${mk[@]}" allnoconfig || return 1
    # LFS: musl's off_t is 64-bit everywhere, busybox's check refuses anything else.
    sed -i -e 's/^# CONFIG_STATIC is not set/CONFIG_STATIC=y/' \
        -e 's/^# CONFIG_LFS is not set/CONFIG_LFS=y/' \
        -e 's/^# CONFIG_NTPD is not set/CONFIG_NTPD=y/' \
        -e 's/^CONFIG_SH_IS_ASH=y/# CONFIG_SH_IS_ASH is not set\nCONFIG_SH_IS_NONE=y/' \
        -e "s|^CONFIG_EXTRA_CFLAGS=.*|CONFIG_EXTRA_CFLAGS=\"$X_CFLAGS\"|" \
        -e "s|^CONFIG_EXTRA_LDFLAGS=.*|CONFIG_EXTRA_LDFLAGS=\"$ldflags\"|" "$o/.config"
    for opt in "${on[@]}"; do
        sed -i "s/^# CONFIG_$opt is not set/CONFIG_$opt=y/" "$o/.config"
        allow+="|$opt"
    done
    yes "" | quiet "${mk[@]}" oldconfig || return 1
    # allnoconfig still picks ash as the default of the "sh is" choice: only ntpd (and, in
    # the default variant, exactly its default options) may be in.
    if [ "$(grep -c '^CONFIG_[A-Z_]*=y' "$o/.config")" -ne "$(grep -cE "^CONFIG_(HAVE_DOT_CONFIG|PLATFORM_LINUX|STATIC|LFS|INSTALL_APPLET_SYMLINKS|NO_DEBUG_LIB|FEATURE_BUFFERS_USE_MALLOC|NTPD|SH_IS_NONE|BASH_IS_NONE$allow)=y" "$o/.config")" ]; then
        echo "size.sh: busybox config has more than ntpd ($v):" >&2
        grep '^CONFIG_[A-Z_]*=y' "$o/.config" >&2
        return 1
    fi
    for opt in NTPD "${on[@]}"; do
        if ! grep -q "^CONFIG_$opt=y" "$o/.config"; then
            echo "size.sh: busybox config ($v) lacks CONFIG_$opt" >&2
            return 1
        fi
    done
    quiet "${mk[@]}" -j"$(nproc)" busybox_unstripped || return 1
    "$X_STRIP" --strip-all -R .comment -o "$out" "$o/busybox_unstripped" || return 1
    echo "$id" >"$o/.id"
}

kib() { awk -v b="$1" 'BEGIN { printf "%.1f", b / 1024 }'; }

# "BYTES (KiB)" of a busybox variant, or "build failed".
bb_size() { # TARGET VARIANT FILE
    if busybox_ntpd "$1" "$2"; then
        local b
        b=$(stat -c %s "$3")
        echo "$b ($(kib "$b") KiB)"
    else
        echo "build failed"
    fi
}

# "<= N KiB: met" or "<= N KiB: B over" for SIZE against GOAL (empty without a goal).
against() { # SIZE GOAL
    [ -n "$2" ] || return 0
    if [ "$1" -le "$2" ]; then echo "<= $(kib "$2") KiB: met"; else echo "<= $(kib "$2") KiB: $(($1 - $2)) B over"; fi
}

# The .deb of PACKAGE in DIR (the first, by name).
deb_of() { # DIR PACKAGE
    find "$1" -maxdepth 1 -name "$2_*.deb" | sort | head -n 1
}

# Debian's chronyd (tests/deps.sh unpacks it into build/deps/chrony) and the shared libraries
# it loads, each from its Debian package (apt-get download into build/size-chrony/, cached):
# CHRONY_ROWS gets "| file | package version | bytes |" rows, CHRONY_TOTAL the sum of them
# all and CHRONY_LIBC that of glibc's part (libc6: libc, libm, the dynamic loader).
chrony_gnutls() {
    local d=$root/build/size-chrony chronyd=$root/build/deps/chrony/usr/sbin/chronyd
    local lib real pkg f b deb
    [ -x "$chronyd" ] || quiet tests/deps.sh || return 1
    mkdir -p "$d/deb" "$d/root"
    b=$(stat -c %s "$chronyd")
    CHRONY_TOTAL=$b CHRONY_LIBC=0
    deb=$(deb_of "$root/build/deps/dl" chrony)
    CHRONY_ROWS=("| usr/sbin/chronyd | chrony $(dpkg-deb -f "$deb" Version) | $b |")
    while read -r lib; do
        real=$(readlink -f "$lib")
        # usrmerge: the package may list the file under /lib or /usr/lib.
        pkg=$(dpkg -S "$real" 2>/dev/null || dpkg -S "${real#/usr}" 2>/dev/null) || {
            echo "size.sh: no package has $real" >&2
            return 1
        }
        pkg=${pkg%%:*}
        deb=$(deb_of "$d/deb" "$pkg")
        if [ -z "$deb" ]; then
            (cd "$d/deb" && quiet apt-get download "$pkg") || return 1
            deb=$(deb_of "$d/deb" "$pkg")
            dpkg-deb -x "$deb" "$d/root"
        fi
        f=$(find "$d/root" -name "${real##*/}" -type f | head -n 1)
        [ -n "$f" ] || { echo "size.sh: $pkg has no ${real##*/}" >&2; return 1; }
        b=$(stat -c %s "$f")
        CHRONY_TOTAL=$((CHRONY_TOTAL + b))
        [ "$pkg" != libc6 ] || CHRONY_LIBC=$((CHRONY_LIBC + b))
        CHRONY_ROWS+=("| ${f#"$d/root/"} | $pkg $(dpkg-deb -f "$deb" Version) | $b |")
    done < <(ldd "$chronyd" | awk '$2 == "=>" && $3 ~ /^\// { print $3 } $1 ~ /^\/.*ld-linux/ { print $1 }')
}

rows=()
for t in "$@"; do
    mkdir -p "build/$t"
    if ! quiet make --no-print-directory TARGET="$t"; then
        rows+=("| $t | build failed | | | | | |")
        continue
    fi
    target_env "$t"
    n=$(stat -c %s "$X_DIR/ntpsync")
    bb=$(bb_size "$t" only "build/$t/busybox-ntpd")
    pct=
    [ "$bb" = "build failed" ] || pct="$((n * 100 / ${bb%% *})) %"
    bbd=$(bb_size "$t" default "build/$t/busybox-ntpd-default")
    pctd=
    if [ "$bbd" != "build failed" ]; then
        d=${bbd%% *}
        if [ "$n" -lt "$d" ]; then
            pctd="$((n * 100 / d)) %: below, by $((d - n)) B"
        else
            pctd="$((n * 100 / d)) %: NOT below, $((n - d)) B over"
        fi
    fi
    g=$(against "$n" "$(goal "$t")")
    if quiet make --no-print-directory TARGET="$t" NTS=1; then
        nb=$(stat -c %s "$X_DIR/ntpsync-nts")
        nts="$nb ($(kib "$nb") KiB)"
        ng=$(against "$nb" "$(nts_goal "$t")")
    else
        nts="build failed" ng=
    fi
    rows+=("| $t | $n ($(kib "$n") KiB) | $bb | $pct | $bbd | $pctd | $g | $nts | $ng |")
done

echo "| target | ntpsync | busybox $bbver, ntpd only | ntpsync / busybox | busybox ntpd, default options | ntpsync / default | goal | ntpsync with NTS | NTS budget |"
echo "| --- | --- | --- | --- | --- | --- | --- | --- | --- |"
printf '%s\n' "${rows[@]}"

echo
echo "The usual NTS client on disk, for comparison: Debian 12's chronyd (GnuTLS) and the shared"
echo "libraries it loads (amd64; every file as its Debian package ships it):"
echo
if chrony_gnutls; then
    echo "| file | package | bytes |"
    echo "| --- | --- | --- |"
    printf '%s\n' "${CHRONY_ROWS[@]}"
    echo
    echo "chrony + GnuTLS on disk: $CHRONY_TOTAL B ($(kib "$CHRONY_TOTAL") KiB); without glibc (libc6: $CHRONY_LIBC B), which ntpsync's static musl replaces: $((CHRONY_TOTAL - CHRONY_LIBC)) B ($(kib $((CHRONY_TOTAL - CHRONY_LIBC))) KiB)."
else
    echo "chrony + GnuTLS: could not be measured (see above)"
fi

[ -n "$verbose" ] || exit 0

# Where the bytes go: the sizes of the input sections the linker kept (text, rodata,
# data; not bss), from build/TARGET/ntpsync.map, by ntpsync's own objects and by musl's
# archive members grouped into areas.
breakdown() { # TARGET
    python3 - "build/$1/ntpsync.map" <<'EOF'
import collections, re, sys
areas = [
    ("libgcc: 64-bit division, int64/double conversion, soft-float", r"^libgcc"),
    ("resolver: getaddrinfo, DNS, /etc/hosts, /etc/services, resolv.conf",
     r"getaddrinfo|freeaddrinfo|gai_strerror|lookup_|res_|dns_|dn_|resolvconf|inet_|"
     r"if_nametoindex|htons|ntohs|htonl|ntohl|__fopen_rb_ca|__fclose_ca|qsort|strstr|"
     r"mbstowcs|mbsrtowcs|isalnum|strtol|intscan|shgetc|fgets|getc|__uflow|__toread|__stdio_read"),
    ("malloc (mallocng) and calloc", r"malloc|calloc|free|madvise|mmap|munmap|mprotect|brk|realloc|aligned_alloc|replaced"),
    ("stdio output: FILE, fputs, fwrite, stdout/stderr", r"fput|fwrite|putc|stdout|stderr|stdin|__stdio|__overflow|__towrite|__lockfile|ofl|fflush|__stdout_write|vfprintf|printf|snprintf"),
    ("strerror messages", r"strerror|__lctrans"),
    ("getopt (+ mbtowc)", r"getopt|mbtowc|internal\.lo"),
    ("time: clock_gettime (vDSO), gmtime, nanosleep, TZ", r"clock_|vdso|gmtime|__secs_to_tm|__tz|__year_to_secs|nanosleep|time\.lo|localtime|strftime|getenv|adjtime|settimeofday"),
    ("syslog", r"syslog"),
    ("start-up, exit, TLS, errno, syscalls", r"__libc_start|__init_tls|exit|_Exit|errno|syscall|defsysinfo|libc\.lo|__environ|default_attr|__set_thread_area|crt|__lock|pthread|__stack_chk"),
    ("sockets, files, misc syscalls", r"socket|connect|send|recv|bind|setsockopt|getsockname|poll|open|close|read|write|lseek|ioctl|flock|getrandom|getpid|fcntl|sigaction|kill|raise"),
    ("string functions", r"mem|str"),
]
text = open(sys.argv[1]).read()
text = text[text.index("Linker script and memory map"):]
own = collections.Counter(); libc = collections.Counter()
pending = None
for line in text.split("\n"):
    m = re.match(r"^ (\.[\w.$-]+)(?:\s+0x([0-9a-f]+)\s+0x([0-9a-f]+)\s+(\S+))?\s*$", line)
    if m and m.group(2) is None:
        pending = m.group(1); continue
    if pending:
        m2 = re.match(r"^\s+0x([0-9a-f]+)\s+0x([0-9a-f]+)\s+(\S+)\s*$", line)
        sec, pending = pending, None
        if not m2: continue
        size, f = int(m2.group(2), 16), m2.group(3)
    elif m:
        sec, size, f = m.group(1), int(m.group(3), 16), m.group(4)
    else:
        continue
    if size == 0 or sec.startswith((".bss", ".tbss", ".sbss", ".comment", ".debug", ".note", ".gnu.attributes", ".ARM.attributes", ".mdebug", ".pdr", ".reginfo", ".MIPS.abiflags", ".riscv.attributes")):
        continue
    name = f.split("/")[-1]
    if "libc.a(" in name:
        libc[name[7:-1]] += size
    elif "libgcc" in name:
        libc["libgcc " + name[9:-1]] += size
    elif name.endswith(".o") and not re.match(r"(crt|Scrt)", name) and "crtbegin" not in name and "crtend" not in name:
        own["ntpsync's own code"] += size
    else:
        libc[name] += size
by_area = collections.Counter(); members = collections.defaultdict(list)
for obj, size in libc.items():
    for area, rx in areas:
        if re.search(rx, obj):
            break
    else:
        area = "other"
    by_area[area] += size
    members[area].append((size, obj))
total = sum(own.values()) + sum(libc.values())
print("| part | bytes | largest pieces |")
print("| --- | --- | --- |")
for k, v in own.items():
    print("| %s | %d |  |" % (k, v))
for area, size in by_area.most_common():
    top = ", ".join("%s %d" % (o.replace(".lo", "").replace(".o", ""), s) for s, o in sorted(members[area], reverse=True)[:6])
    print("| %s%s | %d | %s |" % ("" if area.startswith("libgcc") else "musl: ", area, size, top))
print("| total (text + data; the file adds ELF headers and alignment) | %d |  |" % total)
EOF
}

for t in "$@"; do
    case $t in x86_64 | armhf) ;; *) [ $# -le 2 ] || continue ;; esac
    echo
    echo "Where ntpsync's bytes go on $t (build/$t/ntpsync.map):"
    echo
    breakdown "$t"
done
