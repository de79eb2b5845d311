#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# tests/vm/prepare.sh ARCH NTPSYNC NTPSYNC_NTS|- CERTDIR: everything the VM boot test needs
# for the board ARCH (x86_64, arm64 or armhf), cached under build/vm/ARCH/.
#
#   * qemu-system-x86_64 (apt-get install qemu-system-x86 if missing), or for the ARM
#     boards qemu-system-aarch64 and qemu-system-arm (qemu-system-arm);
#   * a Debian kernel: the package behind linux-image-cloud-amd64 (x86_64),
#     linux-image-arm64 (arm64) or linux-image-armmp (armhf), fetched with `apt-get
#     download` (the ARM ones through toolchains/sysroot.sh's private apt state) and
#     unpacked with dpkg-deb (never installed): its vmlinuz and the virtio-net modules,
#     ordered by the dependencies recorded in the modules (build/vm/ARCH/modules.order);
#   * busybox-static of that architecture, likewise downloaded and unpacked;
#   * build/vm/ARCH/initramfs.cpio, rebuilt on every run (NTPSYNC may have changed):
#     /init (tests/vm/init.sh), busybox, ntpsync, the NTS build as ntpsync-nts (unless
#     "-"), the test CA and the foreign CA of tests/nts_certs.sh (CERTDIR) as /etc/ca.pem
#     and /etc/foreign-ca.pem, the modules, /dev/console, and a time floor
#     /var/lib/ntpsync/floor (ntpsync -F) one hour before now, for the board without an
#     RTC; the udhcpc hook of contrib/dhcp (as Buildroot installs it) and an
#     /etc/default/ntpsync naming 10.0.2.2; for busybox init (scenario initd)
#     /etc/inittab (tests/vm/inittab), /etc/init.d/rcS and rcK (tests/vm/rcS.sh, rcK.sh),
#     contrib/init.d/S49ntpsync, and contrib/default/ntpsync as
#     /etc/default/ntpsync.initd with NTPSYNC_SERVERS="10.0.2.2" and NTPSYNC_OPTIONS=""
#     (the console instead of syslog). No /etc/services, no /etc/hosts: a bare board.
#
# Cached runs need no network and take well under a second. `rm -rf build/vm` starts over.
# Runs as root without stdin (CI); quiet unless something fails.
set -eu

here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
usage="usage: prepare.sh ARCH NTPSYNC NTPSYNC_NTS|- CERTDIR"
ARCH=${1:?$usage}
NTPSYNC=$(realpath "${2:?$usage}")
NTPSYNC_NTS=${3:?$usage}
[ "$NTPSYNC_NTS" = - ] || NTPSYNC_NTS=$(realpath "$NTPSYNC_NTS")
CERTS=$(realpath "${4:?$usage}")
VM=$root/build/vm
A=$VM/$ARCH
# Debian's architecture, kernel metapackage and flavour, and the qemu package
case $ARCH in
x86_64) DEBARCH=amd64 KMETA=linux-image-cloud-amd64 KFLAVOUR=cloud-amd64
        QEMU=qemu-system-x86_64 QEMU_PKG=qemu-system-x86 ;;
arm64) DEBARCH=arm64 KMETA=linux-image-arm64 KFLAVOUR=arm64
       QEMU=qemu-system-aarch64 QEMU_PKG=qemu-system-arm ;;
armhf) DEBARCH=armhf KMETA=linux-image-armmp KFLAVOUR=armmp
       QEMU=qemu-system-arm QEMU_PKG=qemu-system-arm ;;
*) echo "prepare.sh: unknown ARCH $ARCH (x86_64, arm64, armhf)" >&2; exit 2 ;;
esac
export DEBIAN_FRONTEND=noninteractive
APT="apt-get -q -y -o DPkg::Lock::Timeout=300"
# The modules /init loads (with their dependencies, first); built-in ones are skipped.
ROOT_MODULES="virtio_pci virtio_net"

log=$(mktemp)
tmp=
trap 'rm -f "$log"; [ -z "$tmp" ] || rm -rf "$tmp"' EXIT
run() { # CMD...: quietly; its output only on failure
    if ! "$@" >"$log" 2>&1; then
        cat "$log" >&2
        echo "prepare.sh: failed: $*" >&2
        exit 1
    fi
}
updated=
apt_update() { # once per run, and only when something has to be fetched
    [ -n "$updated" ] && return 0
    echo "vm-test: apt-get update" >&2
    run $APT update
    updated=1
}
fetch() { # PACKAGE DIR: download PACKAGE's .deb and unpack it into DIR (never installed)
    local dl=$VM/dl
    if [ "$DEBARCH" != amd64 ]; then
        # another architecture: through the cross builds' private apt state, which leaves
        # the machine's dpkg architectures and package lists alone
        echo "vm-test: downloading $1:$DEBARCH" >&2
        run "$root/toolchains/sysroot.sh" deb "$1:$DEBARCH" "$2"
        return 0
    fi
    mkdir -p "$dl"
    rm -f "$dl/$1"_*.deb
    echo "vm-test: downloading $1" >&2
    (cd "$dl" && run apt-get -q -o DPkg::Lock::Timeout=300 download "$1")
    rm -rf "$2"
    mkdir -p "$2"
    run dpkg-deb -x "$dl/$1"_*.deb "$2"
    rm -f "$dl/$1"_*.deb
}

if ! command -v "$QEMU" >/dev/null; then
    apt_update
    echo "vm-test: apt-get install $QEMU_PKG" >&2
    run $APT install --no-install-recommends "$QEMU_PKG"
fi
command -v python3 >/dev/null || { apt_update; run $APT install --no-install-recommends python3; }

mkdir -p "$A"

# --- busybox-static ------------------------------------------------------------------
if [ ! -x "$A/busybox" ]; then
    [ "$DEBARCH" != amd64 ] || apt_update
    tmp=$(mktemp -d "$VM/tmp.XXXXXX")
    fetch busybox-static "$tmp/bb"
    cp "$tmp/bb/bin/busybox" "$A/busybox.tmp"
    mv "$A/busybox.tmp" "$A/busybox"
    rm -rf "$tmp"
    tmp=
fi

# --- kernel ---------------------------------------------------------------------------
# modinfo's "depends=" of a module file (.ko or .ko.xz)
mod_depends() {
    case $1 in
    *.xz) xz -dc "$1" ;;
    *) cat "$1" ;;
    esac | tr '\0' '\n' | sed -n 's/^depends=//p' | head -n 1 | tr ',' ' '
}
if [ ! -s "$A/vmlinuz" ] || [ ! -e "$A/modules.order" ]; then
    if [ "$DEBARCH" = amd64 ]; then
        apt_update
        deps=$(apt-cache depends "$KMETA")
    else
        deps=$("$root/toolchains/sysroot.sh" depends "$KMETA:$DEBARCH")
    fi
    kpkg=$(sed -n "s/^ *Depends: \(linux-image-[0-9].*-$KFLAVOUR\)\(:$DEBARCH\)\{0,1\}\$/\1/p" <<<"$deps" | head -n 1)
    [ -n "$kpkg" ] || { echo "prepare.sh: cannot resolve $KMETA" >&2; exit 1; }
    kver=${kpkg#linux-image-}
    tmp=$(mktemp -d "$VM/tmp.XXXXXX")
    fetch "$kpkg" "$tmp/k"
    K=$tmp/k
    rm -rf "$A/modules" "$A/modules.order"
    mkdir -p "$A/modules"
    # name -> file, for every module of the kernel (names use _ where files may use -)
    declare -A modfile=()
    while IFS= read -r f; do
        b=${f##*/}
        b=${b%.xz}
        b=${b%.ko}
        modfile[${b//-/_}]=$f
    done < <(find "$K/lib/modules/$kver" -name '*.ko' -o -name '*.ko.xz')
    order=()
    add_module() { # NAME: its dependencies first, then NAME, each once
        local m=${1//-/_} d x
        for x in "${order[@]}"; do [ "$x" = "$m" ] && return 0; done
        if [ -z "${modfile[$m]:-}" ]; then
            # not a module: it must be built in
            sed 's:.*/::; s/\.ko$//; s/-/_/g' "$K/lib/modules/$kver/modules.builtin" |
                grep -qx "$m" && return 0
            echo "prepare.sh: module $m: neither a module nor built into $kver" >&2
            exit 1
        fi
        for d in $(mod_depends "${modfile[$m]}"); do add_module "$d"; done
        order+=("$m")
    }
    for m in $ROOT_MODULES; do add_module "$m"; done
    for m in "${order[@]}"; do
        case ${modfile[$m]} in
        *.xz) xz -dc "${modfile[$m]}" >"$A/modules/$m.ko" ;;
        *) cp "${modfile[$m]}" "$A/modules/$m.ko" ;;
        esac
    done
    # the board's RTC: the PC's CMOS clock, the PL031 of qemu's virt board
    rtc=CONFIG_RTC_DRV_CMOS
    [ "$ARCH" = x86_64 ] || rtc=CONFIG_RTC_DRV_PL031
    grep -E "^$rtc=y" "$K/boot/config-$kver" >/dev/null ||
        echo "prepare.sh: warning: $kver has no built-in RTC driver ($rtc)" >&2
    cp "$K/boot/vmlinuz-$kver" "$A/vmlinuz.tmp"
    echo "$kver" >"$A/kernel-version"
    printf '%s\n' "${order[@]}" >"$A/modules.order"
    mv "$A/vmlinuz.tmp" "$A/vmlinuz"
    rm -rf "$tmp"
    tmp=
fi

# --- initramfs (every run) --------------------------------------------------------------
entries=(
    dir:bin:755 dir:sbin:755 dir:dev:755 dir:proc:555 dir:sys:555 dir:run:755
    dir:tmp:1777 dir:etc:755 dir:root:700 dir:usr:755 dir:usr/bin:755 dir:usr/sbin:755
    dir:lib:755 dir:lib/modules:755 dir:var:755 dir:var/lib:755 dir:var/lib/ntpsync:755
    dir:etc/default:755 dir:etc/init.d:755 dir:usr/share:755 dir:usr/share/udhcpc:755
    dir:usr/share/udhcpc/default.script.d:755 dir:usr/lib:755 dir:usr/lib/vmtest:755
    nod:dev/console:600:c:5:1 nod:dev/null:666:c:1:3
    file:bin/busybox:755:"$A/busybox"
    file:init:755:"$here/init.sh"
    file:usr/lib/vmtest/guest.sh:644:"$here/guest.sh"
    file:usr/sbin/ntpsync:755:"$NTPSYNC"
    file:etc/ca.pem:644:"$CERTS/ca.pem"
    file:etc/foreign-ca.pem:644:"$CERTS/foreign-ca.pem"
    file:lib/modules/modules.order:644:"$A/modules.order"
    file:var/lib/ntpsync/floor:644:"$A/floor"
    file:usr/sbin/ntpsync-dhcp:755:"$root/contrib/dhcp/ntpsync-dhcp"
    file:usr/share/udhcpc/default.script.d/ntpsync:755:"$root/contrib/dhcp/udhcpc-ntpsync"
    file:etc/default/ntpsync:644:"$A/default-ntpsync"
    file:etc/inittab:644:"$here/inittab"
    file:etc/init.d/rcS:755:"$here/rcS.sh"
    file:etc/init.d/rcK:755:"$here/rcK.sh"
    file:etc/init.d/S49ntpsync:755:"$root/contrib/init.d/S49ntpsync"
    file:etc/default/ntpsync.initd:644:"$A/default-ntpsync-initd"
)
# The fallback server of ntpsync-dhcp: qemu's DHCP server names no NTP server (dhcp);
# in dhcp-ntpsrv nothing answers NTP there and the lease names another
printf '%s\n' 'NTPSYNC_SERVERS="10.0.2.2"' 'NTPSYNC_OPTIONS="-u -w"' >"$A/default-ntpsync"
# The shipped settings for busybox init's boot (initd), the servers and the options
# changed: no syslogd on this board, ntpsync's lines go to the console.
sed -e 's/^NTPSYNC_SERVERS=.*/NTPSYNC_SERVERS="10.0.2.2"/' -e 's/^NTPSYNC_OPTIONS=.*/NTPSYNC_OPTIONS=""/' \
    "$root/contrib/default/ntpsync" >"$A/default-ntpsync-initd"
for v in 'NTPSYNC_SERVERS="10.0.2.2"' 'NTPSYNC_OPTIONS=""' 'NTPSYNC_FLOOR="/var/lib/ntpsync/floor"'; do
    grep -qx "$v" "$A/default-ntpsync-initd" ||
        { echo "prepare.sh: contrib/default/ntpsync: no $v line after the edit" >&2; exit 1; }
done
[ "$NTPSYNC_NTS" = - ] || entries+=("file:usr/sbin/ntpsync-nts:755:$NTPSYNC_NTS")
# The time floor a board without an RTC saved at its last shutdown: an hour ago, in the
# format ntpsync -F writes (seconds, the same second in UTC, the id of the boot that
# saved it: a new random one, as every boot's is).
floor=$(($(date +%s) - 3600))
date -u -d "@$floor" "+$floor %Y-%m-%dT%H:%M:%SZ $(cat /proc/sys/kernel/random/uuid)" >"$A/floor"
while IFS= read -r m; do
    entries+=("file:lib/modules/$m.ko:644:$A/modules/$m.ko")
done <"$A/modules.order"
python3 "$here/mkcpio.py" "$A/initramfs.cpio" "${entries[@]}"
