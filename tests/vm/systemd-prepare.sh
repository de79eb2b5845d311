#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# tests/vm/systemd-prepare.sh NTPSYNC: the initramfs of the VM boot test's "systemd"
# and "systemd-epoch" scenarios (x86_64; after tests/vm/prepare.sh x86_64, whose kernel
# modules and busybox it takes), build/vm/x86_64/systemd.cpio: a board whose init is
# Debian 12's systemd.
#
#   * Debian's systemd (252) and libsystemd-shared for amd64, fetched with
#     toolchains/sysroot.sh deb (apt-get download + dpkg-deb -x through its private apt
#     state, never installed), and the shared libraries the binaries need: readelf's
#     NEEDED entries resolved in the unpacked packages, whose Depends (the lib* ones) are
#     fetched until every library is found. Cached in build/vm/x86_64/systemd-debs/.
#   * Only what a minimal systemd board runs: /lib/systemd/systemd (/init),
#     systemd-journald (ntpsync -s logs to syslog: /dev/log; journald forwards it to
#     the console), systemctl, the libraries and the loader, the targets of the boot
#     (basic, sysinit, network-online, time-sync, timers, multi-user, ...) and journald's
#     units, with the package's own .wants links among them.
#   * ntpsync as its packages install it (packaging/buildroot/ntpsync.mk):
#     /usr/sbin/ntpsync (NTPSYNC), contrib/systemd/ntpsync.service and ntpsync.timer in
#     /usr/lib/systemd/system, contrib/default/ntpsync as /etc/default/ntpsync with
#     NTPSYNC_SERVERS="10.0.2.2" (qemu's gateway: the sandbox's NTP server).
#   * The test's own units (tests/vm/systemd/): vmtest-net.service brings eth0 up
#     (10.0.2.15/24 via 10.0.2.2) before network-online.target, as a board's network
#     configuration would; vmtest-check.service runs after ntpsync.service and
#     time-sync.target, prints what the test checks as "VMTEST ..." lines on the console
#     and powers off. busybox (sh and the applets the scripts use) and the virtio-net
#     modules of build/vm/x86_64/.
#   * Every unit is enabled the way Buildroot does it: `systemctl --root=DIR preset-all`
#     (the unpacked systemctl, run through the unpacked loader), on the image directory
#     build/vm/x86_64/systemd-root before it is packed with tests/vm/mkcpio.py.
#   * build/vm/x86_64/systemd-epoch.cpio, the "systemd-epoch" scenario's board: that
#     archive and a second one after it with /usr/lib/clock-epoch modified a second after
#     NTPSYNC's build date (ntpsync -V) and /etc/default/ntpsync adding -m 10 to
#     NTPSYNC_OPTIONS; build/vm/x86_64/clock-epoch tells the scenario those numbers.
#
# Cached runs need no network. Runs as root without stdin (CI); quiet unless it fails.
set -eu

here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
NTPSYNC=$(realpath "${1:?usage: systemd-prepare.sh NTPSYNC}")
A=$root/build/vm/x86_64
DEBS=$A/systemd-debs
R=$A/systemd-root
MULTIARCH=x86_64-linux-gnu
# The programs of the image that come from the packages
SD_PROGRAMS="lib/systemd/systemd lib/systemd/systemd-journald bin/systemctl"
# The units of the systemd package the boot needs (the targets a board's boot passes)
SD_UNITS="basic.target sysinit.target local-fs-pre.target local-fs.target swap.target
    sockets.target timers.target paths.target slices.target network-pre.target
    network.target network-online.target time-set.target time-sync.target
    multi-user.target shutdown.target umount.target systemd-journald.service
    systemd-journald.socket systemd-journald-dev-log.socket"
# What the test's scripts run, from busybox
APPLETS="sh uname awk cat cut date adjtimex hwclock ip insmod sed grep dmesg paste poweroff tr stat"
# systemd-epoch: the -m limit of its NTPSYNC_OPTIONS (seconds), far below the step it needs
EPOCH_MAX_STEP=10

for f in "$A/busybox" "$A/modules.order"; do
    [ -e "$f" ] || { echo "systemd-prepare.sh: no $f (tests/vm/prepare.sh x86_64 first)" >&2; exit 1; }
done

log=$(mktemp)
trap 'rm -f "$log"' EXIT
run() { # CMD...: quietly; its output only on failure
    if ! "$@" >"$log" 2>&1; then
        cat "$log" >&2
        echo "systemd-prepare.sh: failed: $*" >&2
        exit 1
    fi
}

# --- the packages, and the libraries their programs need ----------------------------------
fetch() { # PACKAGE: unpacked into $DEBS/PACKAGE once
    [ -e "$DEBS/$1/.unpacked" ] && return 0
    echo "vm-test: downloading $1:amd64" >&2
    run "$root/toolchains/sysroot.sh" deb "$1:amd64" "$DEBS/$1"
    touch "$DEBS/$1/.unpacked"
}
find_lib() { # SONAME [RUNPATH...]: the file in an unpacked package, or nothing
    local d p
    for p in "$DEBS"/*/; do
        for d in "${@:2}" /lib/$MULTIARCH /usr/lib/$MULTIARCH; do
            if [ -e "$p$d/$1" ]; then
                echo "$p$d/$1"
                return 0
            fi
        done
    done
}
needed() { # ELF: its NEEDED sonames
    readelf -d "$1" | sed -n 's/.*(NEEDED).*\[\(.*\)\]/\1/p'
}
runpath() { # ELF: its RUNPATH directories
    readelf -d "$1" | sed -n 's/.*(RUNPATH).*\[\(.*\)\]/\1/p' | tr ':' ' '
}
declare -A libs=()   # soname -> file
missing=()
closure() { # ELF...: every library they need, in libs[]; the unresolved ones in missing[]
    local queue=("$@") f s l
    missing=()
    while [ ${#queue[@]} -gt 0 ]; do
        f=${queue[0]}
        queue=("${queue[@]:1}")
        for s in $(needed "$f"); do
            [ -n "${libs[$s]:-}" ] && continue
            # shellcheck disable=SC2046 # RUNPATH: a list of directories
            l=$(find_lib "$s" $(runpath "$f"))
            if [ -z "$l" ]; then
                missing+=("$s")
                continue
            fi
            libs[$s]=$l
            queue+=("$l")
        done
    done
}

mkdir -p "$DEBS"
fetched=(systemd libsystemd-shared)
for p in "${fetched[@]}"; do fetch "$p"; done
programs=()
for p in $SD_PROGRAMS; do programs+=("$DEBS/systemd/$p"); done
while :; do
    libs=()
    closure "${programs[@]}"
    [ ${#missing[@]} -eq 0 ] && break
    # Some library is in none of the packages yet: fetch the lib* Depends of those we have.
    new=()
    for p in "${fetched[@]}"; do
        for d in $("$root/toolchains/sysroot.sh" depends "$p:amd64" |
            sed -n 's/^ *\(Pre\)\{0,1\}Depends: \(lib[^ <>]*\)$/\2/p'); do
            case " ${fetched[*]} ${new[*]} " in *" $d "*) ;; *) new+=("$d") ;; esac
        done
    done
    [ ${#new[@]} -gt 0 ] || { echo "systemd-prepare.sh: no package has ${missing[*]}" >&2; exit 1; }
    for p in "${new[@]}"; do fetch "$p"; done
    fetched+=("${new[@]}")
done
loader=${libs[ld-linux-x86-64.so.2]:-}
[ -n "$loader" ] || { echo "systemd-prepare.sh: no dynamic loader among the libraries" >&2; exit 1; }

# --- the image directory -------------------------------------------------------------------
rm -rf "$R"
mkdir -p "$R"/{bin,sbin,dev,proc,sys,run,tmp,root,lib64,var/lib,etc/default} \
    "$R"/etc/systemd/{system,system.conf.d,journald.conf.d} "$R"/lib/{modules,systemd/system} \
    "$R"/usr/{bin,sbin,lib/vmtest,lib/systemd/system} "$R/lib/$MULTIARCH"
chmod 1777 "$R/tmp"
chmod 700 "$R/root"
for p in $SD_PROGRAMS; do install -m 755 "$DEBS/systemd/$p" "$R/$p"; done
for s in "${!libs[@]}"; do
    # each under its soname where the package has it (symbolic links followed), with the
    # package's mode (the loader must be executable)
    install -D -m "$(stat -L -c %a "${libs[$s]}")" "${libs[$s]}" "$R/${libs[$s]#"$DEBS"/*/}"
done
ln -s "/${loader#"$DEBS"/*/}" "$R/lib64/ld-linux-x86-64.so.2"
for u in $SD_UNITS; do
    install -m 644 "$DEBS/systemd/lib/systemd/system/$u" "$R/lib/systemd/system/$u"
done
# the package's own .wants links between those units
for w in "$DEBS"/systemd/lib/systemd/system/*.wants/*; do
    case " ${SD_UNITS//[$'\n ']/ } " in *" ${w##*/} "*) ;; *) continue ;; esac
    d=${w%/*}
    d=${d##*/}
    [ -e "$R/lib/systemd/system/${d%.wants}" ] || continue
    mkdir -p "$R/lib/systemd/system/$d"
    cp -P "$w" "$R/lib/systemd/system/$d/"
done
install -m 644 "$DEBS"/systemd/lib/systemd/system-preset/90-systemd.preset -D \
    "$R/lib/systemd/system-preset/90-systemd.preset"
ln -s /lib/systemd/system/multi-user.target "$R/etc/systemd/system/default.target"

install -m 755 "$A/busybox" "$R/bin/busybox"
for a in $APPLETS; do ln -s busybox "$R/bin/$a"; done
while IFS= read -r m; do install -m 644 "$A/modules/$m.ko" "$R/lib/modules/$m.ko"; done <"$A/modules.order"
install -m 644 "$A/modules.order" "$R/lib/modules/modules.order"

# ntpsync, installed as packaging/buildroot/ntpsync.mk does
install -m 755 "$NTPSYNC" "$R/usr/sbin/ntpsync"
install -m 644 "$root/contrib/systemd/ntpsync.service" "$root/contrib/systemd/ntpsync.timer" \
    "$R/usr/lib/systemd/system/"
sed 's/^NTPSYNC_SERVERS=.*/NTPSYNC_SERVERS="10.0.2.2"/' "$root/contrib/default/ntpsync" \
    >"$R/etc/default/ntpsync"
grep -qx 'NTPSYNC_SERVERS="10.0.2.2"' "$R/etc/default/ntpsync" ||
    { echo "systemd-prepare.sh: contrib/default/ntpsync has no NTPSYNC_SERVERS= line" >&2; exit 1; }

# the test's units and their script
install -m 644 "$here"/systemd/*.service "$R/usr/lib/systemd/system/"
install -m 755 "$here/systemd/vmtest.sh" "$R/usr/lib/vmtest/vmtest.sh"
install -m 644 "$here/guest.sh" "$R/usr/lib/vmtest/guest.sh"

# A bare board's /etc: root, an empty machine-id (systemd makes a transient one), the
# OS's name, journald forwarding to the console (the log ntpsync -s writes).
echo 'root:x:0:0:root:/root:/bin/sh' >"$R/etc/passwd"
echo 'root:x:0:' >"$R/etc/group"
: >"$R/etc/machine-id"
printf '%s\n' 'NAME="ntpsync vm-test"' 'ID=vmtest' 'PRETTY_NAME="ntpsync vm-test (systemd)"' \
    >"$R/etc/os-release"
printf '%s\n' '[Journal]' 'Storage=volatile' 'ForwardToConsole=yes' 'MaxLevelConsole=info' \
    >"$R/etc/systemd/journald.conf.d/console.conf"

ln -s /run "$R/var/run"
# systemd starts a clock that reads before its build date (TIME_EPOCH: the package's
# changelog date) at that date: the scenario checks the guest's clock against it.
date -u -d "$(zcat "$DEBS/systemd/usr/share/doc/systemd/changelog.Debian.gz" |
    sed -n '1,/^ -- /s/^ -- .*>  //p')" +%s >"$A/systemd-epoch"

# Enabled as Buildroot enables every unit of the image: preset-all on the image directory.
libpath=$(for s in "${!libs[@]}"; do dirname "$R/${libs[$s]#"$DEBS"/*/}"; done | sort -u | paste -sd:)
run "$loader" --library-path "$libpath" "$R/bin/systemctl" --root="$R" preset-all
for u in ntpsync.service ntpsync.timer vmtest-net.service vmtest-check.service; do
    [ -n "$(find "$R/etc/systemd/system" -name "$u" -type l)" ] ||
        { echo "systemd-prepare.sh: preset-all did not enable $u" >&2; exit 1; }
done

# --- the cpio: every file of the image directory, owned by root ---------------------------
entries=(nod:dev/console:600:c:5:1 nod:dev/null:666:c:1:3)
while IFS= read -r p; do
    f=$R/$p
    if [ -L "$f" ]; then
        entries+=("slink:$p:$(readlink "$f")")
    elif [ -d "$f" ]; then
        entries+=("dir:$p:$(stat -c %a "$f")")
    else
        entries+=("file:$p:$(stat -c %a "$f"):$f")
    fi
done < <(cd "$R" && find . -mindepth 1 ! -path ./dev/console ! -path ./dev/null | sed 's:^\./::' | LC_ALL=C sort)
# the kernel runs /init
entries+=(slink:init:/lib/systemd/systemd)
python3 "$here/mkcpio.py" "$A/systemd.cpio" "${entries[@]}"

# --- systemd-epoch: the same board, its clock-epoch after ntpsync's build date -------------
# systemd starts a clock that reads before /usr/lib/clock-epoch's mtime at that mtime: one
# second after ntpsync's build date (ntpsync -V), so that the clock ntpsync finds reads
# after its build date, and no floor has been saved yet (a fresh image). Its
# /etc/default/ntpsync adds -m EPOCH_MAX_STEP: the step (now - the epoch) is over it. An
# archive with those two files after systemd.cpio's (the kernel unpacks both, the later
# one's /etc/default/ntpsync over the former's); build/vm/x86_64/clock-epoch says
# "EPOCH BUILD-DATE MAX-STEP" to the scenario.
built=$("$NTPSYNC" -V | sed -n 's/^ntpsync .*(built \([-0-9T:]*Z\))$/\1/p')
[ -n "$built" ] || { echo "systemd-prepare.sh: no build date in '$("$NTPSYNC" -V)'" >&2; exit 1; }
built=$(date -u -d "$built" +%s)
epoch=$((built + 1))
O=$A/systemd-epoch-overlay
rm -rf "$O"
mkdir -p "$O"
: >"$O/clock-epoch"
sed "s/^NTPSYNC_OPTIONS=\"\(.*\)\"$/NTPSYNC_OPTIONS=\"\1 -m $EPOCH_MAX_STEP\"/" "$R/etc/default/ntpsync" \
    >"$O/default-ntpsync"
grep -qx "NTPSYNC_OPTIONS=\".* -m $EPOCH_MAX_STEP\"" "$O/default-ntpsync" ||
    { echo "systemd-prepare.sh: contrib/default/ntpsync has no NTPSYNC_OPTIONS= line" >&2; exit 1; }
python3 "$here/mkcpio.py" "$O/overlay.cpio" "dated:usr/lib/clock-epoch:644:$epoch:$O/clock-epoch" \
    "file:etc/default/ntpsync:644:$O/default-ntpsync"
cat "$A/systemd.cpio" "$O/overlay.cpio" >"$A/systemd-epoch.cpio"
echo "$epoch $built $EPOCH_MAX_STEP" >"$A/clock-epoch"
