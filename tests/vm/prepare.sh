#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# tests/vm/prepare.sh NTPSYNC NTPSYNC_NTS CERTDIR: everything the VM boot test needs, cached
# under build/vm/.
#
#   * qemu-system-x86_64 (apt-get install qemu-system-x86 if missing);
#   * a Debian kernel: the package behind linux-image-cloud-amd64, fetched with
#     `apt-get download` and unpacked with dpkg-deb (never installed): its vmlinuz and
#     the virtio-net modules, ordered by the dependencies recorded in the modules
#     (build/vm/x86_64/modules.order);
#   * busybox-static, likewise downloaded and unpacked;
#   * build/vm/x86_64/initramfs.cpio, rebuilt on every run (NTPSYNC may have changed):
#     /init (tests/vm/init.sh), busybox, ntpsync, the NTS build as ntpsync-nts, the test
#     CA and the foreign CA of tests/nts_certs.sh (CERTDIR) as /etc/ca.pem and
#     /etc/foreign-ca.pem, the modules, /dev/console. No /etc/services, no /etc/hosts:
#     a bare board.
#
# Cached runs need no network and take well under a second. `rm -rf build/vm` starts over.
# Runs as root without stdin (CI); quiet unless something fails.
set -eu

here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
usage="usage: prepare.sh NTPSYNC NTPSYNC_NTS CERTDIR"
NTPSYNC=$(realpath "${1:?$usage}")
NTPSYNC_NTS=$(realpath "${2:?$usage}")
CERTS=$(realpath "${3:?$usage}")
VM=$root/build/vm
A=$VM/x86_64
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
    mkdir -p "$dl"
    rm -f "$dl/$1"_*.deb
    echo "vm-test: downloading $1" >&2
    (cd "$dl" && run apt-get -q -o DPkg::Lock::Timeout=300 download "$1")
    rm -rf "$2"
    mkdir -p "$2"
    run dpkg-deb -x "$dl/$1"_*.deb "$2"
    rm -f "$dl/$1"_*.deb
}

if ! command -v qemu-system-x86_64 >/dev/null; then
    apt_update
    echo "vm-test: apt-get install qemu-system-x86" >&2
    run $APT install --no-install-recommends qemu-system-x86
fi
command -v python3 >/dev/null || { apt_update; run $APT install --no-install-recommends python3; }

mkdir -p "$A"

# --- busybox-static ------------------------------------------------------------------
if [ ! -x "$A/busybox" ]; then
    apt_update
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
    apt_update
    kpkg=$(apt-cache depends linux-image-cloud-amd64 |
        sed -n 's/^ *Depends: \(linux-image-[0-9].*-cloud-amd64\)$/\1/p' | head -n 1)
    [ -n "$kpkg" ] || { echo "prepare.sh: cannot resolve linux-image-cloud-amd64" >&2; exit 1; }
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
    grep -E '^CONFIG_RTC_DRV_CMOS=y' "$K/boot/config-$kver" >/dev/null ||
        echo "prepare.sh: warning: $kver has no built-in CMOS RTC driver" >&2
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
    dir:lib:755 dir:lib/modules:755
    nod:dev/console:600:c:5:1 nod:dev/null:666:c:1:3
    file:bin/busybox:755:"$A/busybox"
    file:init:755:"$here/init.sh"
    file:usr/sbin/ntpsync:755:"$NTPSYNC"
    file:usr/sbin/ntpsync-nts:755:"$NTPSYNC_NTS"
    file:etc/ca.pem:644:"$CERTS/ca.pem"
    file:etc/foreign-ca.pem:644:"$CERTS/foreign-ca.pem"
    file:lib/modules/modules.order:644:"$A/modules.order"
)
while IFS= read -r m; do
    entries+=("file:lib/modules/$m.ko:644:$A/modules/$m.ko")
done <"$A/modules.order"
python3 "$here/mkcpio.py" "$A/initramfs.cpio" "${entries[@]}"
