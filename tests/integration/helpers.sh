# shellcheck shell=bash
# SPDX-License-Identifier: GPL-2.0-or-later
# tests/integration/helpers.sh: what the groups of the integration suite share, on top of
# tests/lib.sh. Sourced by tests/integration.sh before the group files
# (tests/integration/NN-GROUP.sh); like them, it only defines functions. They all share one
# shell: a function name belongs to one file only.
#
#   printed_offset ADDR          the offset ntpsync printed for ADDR
#   has REGEX                    REGEX is in the last run's stdout or stderr
#   no_clock_call / not CMD...   no clock-setting call in the trace / negate CMD
#   asked ADDR                   ntpsync printed a server line for ADDR
#   why WHAT                     WHAT and the last run's exit, time and output, for "not ok"
#   count REGEX TEXT             lines of TEXT matching REGEX
#   json_eval EXPR               a Python expression over the -j object of the last run (d)
#   expect_rc NAME RC, expect_text NAME REGEX, expect_no_clock_call NAME,
#   expect_within NAME MS, expect_step NAME SECONDS TOL, expect_slew NAME MICROSECONDS TOL
#                                one check each on the last run (tests/lib.sh run_ntpsync)

# The offset ntpsync printed for ADDR in its "server ADDR, stratum S, offset O, ..." line.
printed_offset() { # ADDR
    sed -n "s/^server $1, stratum [0-9]*, offset \([-+0-9.]*\),.*/\1/p" <<<"$OUT" | head -n 1
}

has() { # REGEX: in stdout or stderr
    grep -Eq -- "$1" <<<"$ALL"
}

no_clock_call() { [ -z "$(clock_calls)" ]; }

not() { ! "$@"; }

asked() { # ADDR: ntpsync printed a server line for ADDR
    [ -n "$(printed_offset "$1")" ]
}

# What went wrong with the last run, for "not ok" lines.
why() {
    printf '%s (exit %s, %s ms); output: %s' "$1" "$RC" "$ELAPSED_MS" \
        "$(tr '\n' '|' <<<"$ALL" | cut -c1-400)"
}

expect_rc() { # NAME RC
    check "$1: exit $2" "$(why "exit status")" [ "$RC" -eq "$2" ]
}

expect_text() { # NAME REGEX
    check "$1: says '$2'" "$(why "not found")" has "$2"
}

expect_no_clock_call() { # NAME
    check "$1: clock untouched" "clock calls: $(clock_calls | tr '\n' '|')" no_clock_call
}

expect_within() { # NAME MS
    check "$1: done within $2 ms" "took $ELAPSED_MS ms" [ "$ELAPSED_MS" -le "$2" ]
}

expect_step() { # NAME SECONDS TOL
    local got
    got=$(step_value)
    check "$1: steps by $2 s" "$(why "clock_settime moved it by '$got' s")" near "$got" "$2" "$3"
    check "$1: no slew" "$(why "slewed $(slew_us) us")" [ -z "$(slew_us)" ]
}

expect_slew() { # NAME MICROSECONDS TOL
    local got
    got=$(slew_us)
    check "$1: slews by $2 us" "$(why "ADJ_OFFSET_SINGLESHOT offset '$got'")" near "$got" "$2" "$3"
    check "$1: no step" "$(why "stepped $(step_value) s")" [ -z "$(step_value)" ]
}

# Evaluate a Python expression over the JSON object ntpsync printed (d).
json_eval() { # EXPR
    "$PYTHON" -c 'import json, sys; d = json.loads(sys.stdin.read()); print(*eval(sys.argv[1]))' \
        "$1" <<<"$OUT" 2>/dev/null
}

count() { # REGEX TEXT: lines of TEXT matching REGEX
    grep -Ec -- "$1" <<<"$2" || true
}
