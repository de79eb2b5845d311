# shellcheck shell=bash
# SPDX-License-Identifier: GPL-2.0-or-later
# tests/integration/20-clock.sh: group "clock": the clock calls, for real (injected by
# strace): step, slew, -b, -B, -u, none for -q/-d, and exit 5 when the sandbox refuses.
# Sourced by tests/integration.sh after helpers.sh; uses tests/lib.sh and tests/servers.sh.

scenarios step_plus10 boot_style_plus10 slew_plus02 force_step force_slew tiny_offset_slews \
    query_never_sets set_fails_exit5

scenario_step_plus10() {
    run_ntpsync 127.0.0.2
    expect_rc step_plus10 0
    expect_step step_plus10 10 0.1
    expect_text step_plus10 "step time server 127\.0\.0\.2 offset \+(9\.99|10\.00)"
}

scenario_boot_style_plus10() {
    run_ntpsync -u 127.0.0.2
    expect_rc boot_style_u 0
    expect_step boot_style_u 10 0.1
}

scenario_slew_plus02() {
    run_ntpsync 127.0.0.4
    expect_rc slew_plus02 0
    expect_slew slew_plus02 200000 10000
    expect_text slew_plus02 "adjust time server 127\.0\.0\.4 offset \+0\.(19|20)"
}

scenario_force_step() {
    run_ntpsync -b 127.0.0.4
    expect_rc force_step_b 0
    expect_step force_step_b 0.2 0.01
}

scenario_force_slew() {
    run_ntpsync -B 127.0.0.2
    expect_rc force_slew_B 0
    expect_slew force_slew_B 10000000 10000
}

scenario_tiny_offset_slews() {
    run_ntpsync 127.0.0.1
    expect_rc tiny_offset_slews 0
    expect_slew tiny_offset_slews 0 1000
}

scenario_query_never_sets() {
    local opt
    for opt in -q -d; do
        run_ntpsync "$opt" 127.0.0.2
        expect_rc "query_never_sets $opt" 0
        expect_no_clock_call "query_never_sets $opt +10 s"
    done
}

# Without strace the sandbox refuses the step: exit 5, and the refusal is reported.
scenario_set_fails_exit5() {
    run_ntpsync_plain 127.0.0.2
    expect_rc set_fails_exit5 5
    expect_text set_fails_exit5 "Operation not permitted"
}
