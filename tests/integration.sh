#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# tests/integration.sh [NTPSYNC [SELECTION...]]: ntpsync against real servers (chrony,
# NTPsec) and the misbehaving tests/fake_server.py, all on the loopback of tests/sandbox.sh.
#
# Re-runs itself inside the sandbox, where every clock-setting call fails with EPERM.
# To see what ntpsync does to the clock, it runs under strace with those syscalls
# injected to "succeed" without running, and the traced arguments are checked.
# Prints "ok - NAME" / "not ok - NAME: WHY" lines and ends with "N passed, N failed".
#
# The scenarios are in tests/integration/, one file per group (NN-GROUP.sh, run in the
# order of NN; each lists its scenarios in order with `scenarios`), and the helpers they
# share in tests/integration/helpers.sh. This script starts the servers, runs the groups
# and prints the summary.
#
# One group or scenario at a time: T=SELECTION (several: T='A B'), or SELECTION... after
# NTPSYNC, where a SELECTION is GROUP, GROUP/SCENARIO or SCENARIO. Only those scenarios run,
# in suite order, against the same servers; without a selection everything runs.
#
#   make check T=clock                   group clock (with T, make check skips the unit tests)
#   make check T=boot/lock               scenario lock of group boot
#   make check T=lock                    the same: scenario names are unique
#   make check T='query boot/lock'       several
#   make integration T=clock             the same without make check's deps and unit tests
#   T=clock tests/integration.sh ./ntpsync, or tests/integration.sh ./ntpsync clock
#   tests/integration.sh --list [SELECTION...]   GROUP/SCENARIO of what would run, in order
#
# An unknown selection is an error (one line on stderr, exit 2) before anything runs.
# KEEP_LOGS=1 keeps the server logs and ntpsync's runs even when everything passed.
#
# Addresses: 127.0.0.1 chrony (local stratum 8), 127.0.0.2 chrony +10 s, 127.0.0.3 NTPsec
# (orphan, stratum 8), 127.0.0.4 chrony +0.2 s, ::1 chrony, 127.0.0.5..8 fake servers,
# 127.0.0.9 nothing (ICMP port unreachable); started by the scenarios that use them:
# 127.0.0.10 chrony, 127.0.0.11 NTPsec and 127.0.0.12 OpenNTPD, all just started and not
# synchronized.
# shellcheck source-path=SCRIPTDIR
set -u

here=$(cd "$(dirname "$0")" && pwd)
root=$(dirname "$here")
groups_dir=$here/integration

# --- the groups and the selection ---------------------------------------------------------

GROUP_NAMES=()  # in suite order
SCEN_GROUP=()   # every scenario's group and name, in suite order
SCEN_NAME=()
RUN=()          # indexes into SCEN_* of the selected scenarios, in suite order

scenarios() { # NAME...: the scenarios of the group file being sourced, in order
    local s
    for s in "$@"; do
        SCEN_GROUP+=("$_group")
        SCEN_NAME+=("$s")
    done
}

# Source helpers.sh and every group file (function definitions only).
load_groups() {
    local f i
    declare -A seen=()
    # shellcheck source=integration/helpers.sh
    . "$groups_dir/helpers.sh"
    for f in "$groups_dir"/[0-9]*.sh; do
        _group=${f##*/}
        _group=${_group#*-}
        _group=${_group%.sh}
        GROUP_NAMES+=("$_group")
        # shellcheck source=/dev/null # one of tests/integration/NN-GROUP.sh
        . "$f"
    done
    for i in "${!SCEN_NAME[@]}"; do
        if ! declare -F "scenario_${SCEN_NAME[$i]}" >/dev/null; then
            echo "integration.sh: group ${SCEN_GROUP[$i]} lists ${SCEN_NAME[$i]} but defines no scenario_${SCEN_NAME[$i]}" >&2
            exit 2
        fi
        if [ -n "${seen[${SCEN_NAME[$i]}]:-}" ]; then
            echo "integration.sh: scenario ${SCEN_NAME[$i]} is in group ${seen[${SCEN_NAME[$i]}]} and ${SCEN_GROUP[$i]}" >&2
            exit 2
        fi
        seen[${SCEN_NAME[$i]}]=${SCEN_GROUP[$i]}
    done
}

select_scenarios() { # SELECTION... -> RUN
    local sel i hit
    declare -A chosen=()
    for sel in "$@"; do
        hit=
        for i in "${!SCEN_NAME[@]}"; do
            case $sel in
            "${SCEN_GROUP[$i]}" | "${SCEN_GROUP[$i]}/${SCEN_NAME[$i]}" | "${SCEN_NAME[$i]}")
                chosen[$i]=1
                hit=1
                ;;
            esac
        done
        if [ -z "$hit" ]; then
            echo "integration.sh: no group or scenario '$sel' (groups: ${GROUP_NAMES[*]}; tests/integration.sh --list shows the scenarios)" >&2
            exit 2
        fi
    done
    for i in "${!SCEN_NAME[@]}"; do
        if [ $# -eq 0 ] || [ -n "${chosen[$i]:-}" ]; then RUN+=("$i"); fi
    done
}

list=
if [ "${1:-}" = --list ]; then
    list=1
    shift
    set -- "" "$@"
fi
selection=("${@:2}")
[ ${#selection[@]} -gt 0 ] || read -r -a selection <<<"${T:-}"
load_groups
select_scenarios "${selection[@]}"
if [ -n "$list" ]; then
    for i in "${RUN[@]}"; do echo "${SCEN_GROUP[$i]}/${SCEN_NAME[$i]}"; done
    exit 0
fi

NTPSYNC=$(realpath "${1:-$root/ntpsync}")

if [ "${SANDBOXED:-}" != 1 ]; then
    exec "$here/sandbox.sh" "$here/integration.sh" "$@"
fi

. "$here/lib.sh"
require_sandbox
. "$here/servers.sh"
cleanup() {
    if [ "$FAILED" -gt 0 ] || [ -n "${KEEP_LOGS:-}" ]; then
        stop_servers
        echo "# logs kept: servers in $SERVERS_DIR, ntpsync runs in $RUN_DIR" >&2
    else
        cleanup_servers
        rm -rf "$RUN_DIR"
    fi
}
trap cleanup EXIT

# --- run --------------------------------------------------------------------------------

main() {
    local t0 t1 s i
    if [ ! -x "$NTPSYNC" ]; then
        fail setup "no executable $NTPSYNC (run make)"
        summary
        exit 1
    fi
    for s in "$CHRONYD" "$NTPSEC_NTPD" "$OPENNTPD"; do
        if [ ! -x "$s" ]; then
            fail setup "$s missing (run tests/deps.sh)"
            summary
            exit 1
        fi
    done
    t0=$(now_ms)
    [ ${#selection[@]} -eq 0 ] || echo "# selected: ${selection[*]} (${#RUN[@]} scenarios)"
    echo "# starting servers"
    if ! { start_chrony 127.0.0.1 && start_offset_chrony 127.0.0.2 127.0.0.1 10 &&
        start_ntpsec 127.0.0.3 && start_offset_chrony 127.0.0.4 127.0.0.1 0.2 &&
        start_chrony ::1; }; then
        fail setup "servers did not start"
        summary
        exit 1
    fi
    t1=$(now_ms)
    echo "# servers ready after $((t1 - t0)) ms"
    for i in "${RUN[@]}"; do
        s=${SCEN_NAME[$i]}
        echo "# $s"
        "scenario_$s"
    done
    stop_servers
    echo "# suite took $(($(now_ms) - t0)) ms"
    summary
}

main
