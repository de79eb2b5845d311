#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# tests/check.sh UNIT_TEST... -- SUITE [ARGS...]
# Runs the cmocka unit test binaries and then the integration suite, shows
# their output, and ends with one line: "N passed, N failed" over all of
# them.  Exits non-zero when anything failed or a runner said nothing.
set -u

passed=0
failed=0

# cmocka's summary goes to stderr: keep both streams, in order.
run_unit() {
	local out p f
	out=$("$1" 2>&1)
	printf '%s\n' "$out"
	p=$(sed -n 's/^\[  PASSED  \] \([0-9]*\) test(s)\.$/\1/p' <<<"$out")
	f=$(sed -n 's/^\[  FAILED  \] \([0-9]*\) test(s), listed below:$/\1/p' <<<"$out")
	if [ -z "$p" ] && [ -z "$f" ]; then
		echo "check: $1 printed no cmocka summary (crashed?)" >&2
		failed=$((failed + 1))
		return
	fi
	passed=$((passed + ${p:-0}))
	failed=$((failed + ${f:-0}))
}

run_suite() {
	local out last
	out=$("$@" 2>&1)
	printf '%s\n' "$out"
	last=$(grep -E '^[0-9]+ passed, [0-9]+ failed' <<<"$out" | tail -n 1)
	if [ -z "$last" ]; then
		echo "check: $1 printed no 'N passed, N failed' line" >&2
		failed=$((failed + 1))
		return
	fi
	passed=$((passed + ${last%% passed*}))
	last=${last#* passed, }
	failed=$((failed + ${last%% failed*}))
}

while [ $# -gt 0 ] && [ "$1" != "--" ]; do
	run_unit "$1"
	shift
done
if [ $# -gt 1 ]; then
	shift
	run_suite "$@"
fi
echo
echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ] && [ "$passed" -gt 0 ]
