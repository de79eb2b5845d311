# shellcheck shell=bash
# SPDX-License-Identifier: GPL-2.0-or-later
# tests/integration/50-several.sh: group "several": several servers at once: a liar, a dead
# one, an unreachable one.
# Sourced by tests/integration.sh after helpers.sh; uses tests/lib.sh and tests/servers.sh.

scenarios liar_outvoted dead_server unreachable_and_good

scenario_liar_outvoted() {
    if ! start_fake 127.0.0.5 good || ! start_fake 127.0.0.6 good --offset 10; then
        fail liar_outvoted "fake servers did not start"
        return
    fi
    run_ntpsync 127.0.0.1 127.0.0.5 127.0.0.6
    stop_fakes
    expect_rc liar_outvoted 0
    expect_text liar_outvoted "adjust time server 127\.0\.0\.[15] offset [-+]0\.00"
    expect_slew liar_outvoted 0 2000
}

scenario_dead_server() {
    start_fake 127.0.0.7 silent || { fail dead_server "fake server did not start"; return; }
    run_ntpsync 127.0.0.1 127.0.0.7
    stop_fakes
    expect_rc dead_server 0
    expect_text dead_server "adjust time server 127\.0\.0\.1 "
    expect_slew dead_server 0 1000
    expect_within dead_server 2000
}

scenario_unreachable_and_good() {
    run_ntpsync 127.0.0.9 127.0.0.1
    expect_rc unreachable_and_good 0
    expect_text unreachable_and_good "adjust time server 127\.0\.0\.1 "
    expect_within unreachable_and_good 1000
}
