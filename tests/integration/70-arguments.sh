# shellcheck shell=bash
# SPDX-License-Identifier: GPL-2.0-or-later
# tests/integration/70-arguments.sh: group "arguments": command lines ntpsync must not
# misread: an option after the server name, an over-long option argument; one error line
# for a bad one.
# Sourced by tests/integration.sh after helpers.sh; uses tests/lib.sh and tests/servers.sh.

scenarios options_after_server long_argument one_error_line long_name_lines

# ntpdate (glibc getopt permutes) takes `ntpdate SERVER -q` as a query. musl's getopt stops
# at the first server name, so an option after it must not be taken as a server while the
# clock is set: it either works as the option or is a usage error; the clock stays put.
# (Issue 7.)
rc_in() { # CODE...: the last run exited with one of them
    local c
    for c in "$@"; do [ "$RC" -eq "$c" ] && return 0; done
    return 1
}

scenario_options_after_server() {
    local opt
    for opt in -q -d; do
        run_ntpsync 127.0.0.2 "$opt"
        check "options_after_server $opt: query or usage error" "$(why "")" rc_in 0 2
        expect_no_clock_call "options_after_server 127.0.0.2 $opt"
    done
}

# A message longer than the output buffer (1024 bytes) with a number after the cut: the
# small printf must truncate it and go on, not loop forever. (An option argument is
# echoed before "must be 1 to 8".)
# Issue 7: str_vfmt's PUT(num[--k]) did not evaluate its argument once the buffer was
# full, so k never reached 0.
scenario_long_argument() {
    local long
    long=$(printf '9%.0s' $(seq 1100))
    run_ntpsync_plain -p "$long" 127.0.0.1
    expect_rc long_argument_p 2
    expect_within long_argument_p 1000
    expect_text long_argument_p "^ntpsync: -p 9999"
}

# A bad command line gets one error line (ntpsync's, not the C library's too), then the
# usage as -h prints it, on stderr.
scenario_one_error_line() {
    local args name usage
    # The usage: three lines since -a, -e and -k.
    usage=$("$NTPSYNC" -h | grep -c .)
    for args in "-x 127.0.0.1" "-t" "-p"; do
        name="one_error_line ${args%% *}"
        # shellcheck disable=SC2086 # args: word splitting wanted
        run_ntpsync $args
        expect_rc "$name" 2
        check "$name: one error line, then the usage" "stderr: $(tr '\n' '|' <<<"$ERR")" \
            [ "$(grep -c . <<<"$ERR")" -eq $((1 + usage)) ]
        expect_text "$name" "^ntpsync: -(x: unknown option|[tp] needs an argument)$"
    done
}

# A line longer than ntpsync's line buffer is cut, but still ends its line: the next
# message starts a line of its own (a 1,108-character name glued them before).
scenario_long_name_lines() {
    local name
    name=$(printf 'a%.0s' $(seq 1100)).invalid
    run_ntpsync_plain -q -t 0.2 "$name"
    expect_rc long_name_lines 3
    check "long_name_lines: the last message starts its own line" "$(why "glued")" \
        grep -Eq '^[ 0-9][0-9] [A-Z][a-z]{2} [0-9:]{8} ntpsync\[[0-9]+\]: no server suitable' \
        <<<"$ERR"
}
