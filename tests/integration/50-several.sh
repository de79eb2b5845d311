# shellcheck shell=bash
# SPDX-License-Identifier: GPL-2.0-or-later
# tests/integration/50-several.sh: group "several": several servers at once: a liar, a dead
# one, an unreachable one, two or four that disagree without a majority (README, "Which
# server is used").
# Sourced by tests/integration.sh after helpers.sh; uses tests/lib.sh and tests/servers.sh.

scenarios liar_outvoted liar_stratum1_outvoted two_servers_disagree four_split_two_two \
    dead_server unreachable_and_good

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

# The liar claims stratum 1: among three, it is still the falseticker.
scenario_liar_stratum1_outvoted() {
    if ! start_fake 127.0.0.5 good || ! start_fake 127.0.0.6 good --offset 10 --stratum 1; then
        fail liar_stratum1_outvoted "fake servers did not start"
        return
    fi
    run_ntpsync -v 127.0.0.1 127.0.0.5 127.0.0.6
    stop_fakes
    expect_rc liar_stratum1_outvoted 0
    expect_text liar_stratum1_outvoted "127\.0\.0\.6: Server dropped: disagrees with the majority \(offset \+(9\.99|10\.00)"
    expect_slew liar_stratum1_outvoted 0 2000
}

# chrony (true time) and chrony +10 s, same stratum: before, the clock was stepped +10 s in
# 9 of 10 runs (the lower delay won). Without a majority nothing is chosen, every time.
scenario_two_servers_disagree() {
    local i got
    for i in 1 2 3 4 5; do
        run_ntpsync 127.0.0.1 127.0.0.2
        expect_rc "two_servers_disagree run $i" 11
        expect_no_clock_call "two_servers_disagree run $i"
    done
    expect_text two_servers_disagree "^127\.0\.0\.2: Server dropped: no majority \(offset \+(9\.99|10\.00)[0-9]* \+- "
    expect_text two_servers_disagree "^127\.0\.0\.1: Server dropped: no majority \("
    expect_text two_servers_disagree "no server suitable for synchronization found: the 2 servers that answered disagree, without a majority"
    run_ntpsync -q 127.0.0.1 127.0.0.2
    expect_rc "two_servers_disagree -q" 11
    check "two_servers_disagree -q: both server lines" "$(why "")" asked 127.0.0.2
    check "two_servers_disagree -q: no result line" "$(why "")" not has "(adjust|step) time server"
    run_ntpsync -j 127.0.0.1 127.0.0.2
    expect_rc "two_servers_disagree -j" 11
    got=$(json_eval '(d["majority"], d["chosen"], d["action"], d["exit"], d["servers"][0]["error"][:11], d["servers"][1]["error"][:11])')
    check "two_servers_disagree -j: majority false, nothing chosen, exit 11, each says why" \
        "$(why "got '$got'")" [ "$got" = "False None none 11 no majority no majority" ]
    expect_no_clock_call "two_servers_disagree -j"
}

# Two right (chrony, the fake), two +10 s (chrony +10 s, the fake +10 s at stratum 1).
scenario_four_split_two_two() {
    if ! start_fake 127.0.0.5 good || ! start_fake 127.0.0.6 good --offset 10 --stratum 1; then
        fail four_split_two_two "fake servers did not start"
        return
    fi
    run_ntpsync 127.0.0.1 127.0.0.2 127.0.0.5 127.0.0.6
    stop_fakes
    expect_rc four_split_two_two 11
    expect_text four_split_two_two "the 4 servers that answered disagree, without a majority"
    expect_no_clock_call four_split_two_two
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
