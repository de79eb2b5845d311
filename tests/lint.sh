#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# tests/lint.sh: static analysis of ntpsync's C sources (every *.c at the top), shell
# scripts and Python scripts; exits non-zero on any finding.
#
#   - cppcheck: --enable=warning,style,performance,portability, C11, POSIX library model
#   - clang-tidy: the checks in .clang-tidy (bugprone, cert, clang-analyzer, misc,
#     performance, portability, selected readability), warnings as errors
#   - shellcheck -x: every shell script (*.sh anywhere but build/, .ci/run and contrib/'s
#     boot and DHCP scripts), with the files they source
#   - pyflakes (Debian's python3-pyflakes, under /usr/bin/python3): every *.py but build/'s
#   - tests/fmtcheck.py: every format given to ntpsync's own printf (str_fmt, out) uses
#     only the conversions fmt.c implements (the compiler's printf check accepts more);
#     its --self-test first, so that the check itself is known to catch a bad format
#
# Suppress a finding that is a false positive where it occurs, with the reason beside it:
#   /* cppcheck-suppress ID */ on the line before, or // NOLINT(CHECK) / NOLINTNEXTLINE,
#   # shellcheck disable=SCNNNN # reason, on the line before the command.
# Installs cppcheck, clang-tidy, shellcheck and python3-pyflakes (Debian packages) if they
# are missing.
set -u

here=$(cd "$(dirname "$0")" && pwd)
root=$(dirname "$here")
cd "$root" || exit 1
# shellcheck source-path=SCRIPTDIR
. "$here/need.sh"

SRCS="ntpsync.c options.c exchange.c auth_none.c auth_key.c clock.c report.c output.c fmt.c ntp_packet.c keyfile.c mac.c nts_ke.c nts.c savefile.c floor.c"
# The NTS build's own files (make NTS=1), on the wolfSSL of toolchains/wolfssl-nts.sh, and
# the files whose NTS parts are compiled only then (-DNTPSYNC_NTS).
NTS_SRCS="tls.c nts_ke_tls.c auth_nts.c jar.c tests/tls_probe.c ntpsync.c report.c"
DEFS="-D_GNU_SOURCE"
# mac.c includes wolfCrypt's headers: clang-tidy reads them from the private prefix `make
# lint` builds (WOLFCRYPT_INCLUDE) as system headers, so that only our code is judged;
# cppcheck checks our code without them.
WOLFCRYPT_INCLUDE=${WOLFCRYPT_INCLUDE:-build/wolfcrypt/test-gcc/include}
if [ ! -e "$WOLFCRYPT_INCLUDE/user_settings.h" ]; then
    echo "lint: no wolfCrypt headers in $WOLFCRYPT_INCLUDE: run 'make lint'" >&2
    exit 1
fi
TIDY_DEFS="$DEFS -DWOLFSSL_USER_SETTINGS -isystem $WOLFCRYPT_INCLUDE"
WOLFSSL_NTS_INCLUDE=${WOLFSSL_NTS_INCLUDE:-build/wolfssl-nts/test-gcc/include}
if [ ! -e "$WOLFSSL_NTS_INCLUDE/user_settings.h" ]; then
    echo "lint: no wolfSSL headers in $WOLFSSL_NTS_INCLUDE: run 'make lint'" >&2
    exit 1
fi
NTS_TIDY_DEFS="$DEFS -DNTPSYNC_NTS -DWOLFSSL_USER_SETTINGS -isystem $WOLFSSL_NTS_INCLUDE"

need "cppcheck --version" cppcheck || exit 1
need "clang-tidy --version" clang-tidy || exit 1
need "shellcheck --version" shellcheck || exit 1
PYTHON=/usr/bin/python3
need "$PYTHON -m pyflakes --version" python3-pyflakes || exit 1

failed=0
report() { # TOOL RC
    if [ "$2" -eq 0 ]; then
        echo "ok - $1"
    else
        echo "not ok - $1"
        failed=$((failed + 1))
    fi
}

# The declarations sit at the top of each function (style(9)), so cppcheck's
# variableScope note would flag nearly every function: it is off.
echo "# cppcheck $(cppcheck --version | sed 's/^Cppcheck //')"
# shellcheck disable=SC2086 # SRCS, DEFS: word splitting wanted
cppcheck --enable=warning,style,performance,portability --std=c11 --library=posix \
    --inline-suppr --error-exitcode=1 --quiet -I. $DEFS \
    --suppress=variableScope --suppress=missingIncludeSystem \
    --template='{file}:{line}: {severity}: {id}: {message}' $SRCS 2>&1
rc=$?
# shellcheck disable=SC2086 # NTS_SRCS, DEFS: word splitting wanted
cppcheck --enable=warning,style,performance,portability --std=c11 --library=posix \
    --inline-suppr --error-exitcode=1 --quiet -I. $DEFS -DNTPSYNC_NTS \
    --suppress=variableScope --suppress=missingIncludeSystem \
    --template='{file}:{line}: {severity}: {id}: {message}' $NTS_SRCS 2>&1 || rc=1
report cppcheck $rc

# One process per file: clang-tidy 14 carries analyzer state from one translation unit
# into the next and then reports a false clang-analyzer-valist.Uninitialized.
echo "# $(clang-tidy --version | grep -o 'LLVM version [0-9.]*' | sed 's/LLVM/clang-tidy/')"
rc=0
for f in $SRCS; do
    # shellcheck disable=SC2086 # TIDY_DEFS: word splitting wanted
    clang-tidy --quiet "$f" -- -std=c11 $TIDY_DEFS -I. -Wall -Wextra 2>&1 |
        grep -v -E '^[0-9]+ warnings? (and [0-9]+ errors? )?generated\.$|^Suppressed [0-9]+ warnings|^Use -header-filter'
    [ "${PIPESTATUS[0]}" -eq 0 ] || rc=1
done
for f in $NTS_SRCS; do
    # shellcheck disable=SC2086 # NTS_TIDY_DEFS: word splitting wanted
    clang-tidy --quiet "$f" -- -std=c11 $NTS_TIDY_DEFS -I. -Wall -Wextra 2>&1 |
        grep -v -E '^[0-9]+ warnings? (and [0-9]+ errors? )?generated\.$|^Suppressed [0-9]+ warnings|^Use -header-filter'
    [ "${PIPESTATUS[0]}" -eq 0 ] || rc=1
done
report clang-tidy $rc

# Every shell and Python script of the repository; build/ holds unpacked packages.
scripts() { # FIND-NAME-TEST...
    find . \( -path ./.git -o -path ./build \) -prune -o -type f \( "$@" \) -print |
        sed 's|^\./||' | sort
}
# contrib/'s scripts keep the names they are installed under (S49ntpsync, no .sh).
mapfile -t shell_scripts < <({ scripts -name '*.sh' -o -path ./.ci/run
    grep -rlE '^(#!/bin/sh|# shellcheck shell=sh)' contrib; } | sort)
mapfile -t python_scripts < <(scripts -name '*.py')

echo "# shellcheck $(shellcheck --version | sed -n 's/^version: //p'), ${#shell_scripts[@]} scripts"
shellcheck -x "${shell_scripts[@]}" 2>&1 </dev/null
report shellcheck $?

echo "# pyflakes $("$PYTHON" -m pyflakes --version | cut -d' ' -f1), ${#python_scripts[@]} scripts"
"$PYTHON" -m pyflakes "${python_scripts[@]}" 2>&1 </dev/null
report pyflakes $?

echo "# fmtcheck: the formats of ntpsync's own printf"
# shellcheck disable=SC2086 # SRCS: word splitting wanted
"$PYTHON" tests/fmtcheck.py --self-test && "$PYTHON" tests/fmtcheck.py $SRCS
report fmtcheck $?

echo "lint: $((5 - failed)) passed, $failed failed"
[ "$failed" -eq 0 ]
