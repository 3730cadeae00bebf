# 60-errors.sh - errors: one line on stderr that names the bad input, a
# non-zero exit status, and nothing changed.
# shellcheck shell=dash disable=SC2086,SC1087
# ($X is one word, and "$G[[:space:]]" is a regular expression.)
# lab-timeout: 90

if xenith_only errors; then
    expect_error unknown-domain.pause lab-nosuch $X pause lab-nosuch
    expect_error unknown-domain.destroy lab-nosuch $X destroy lab-nosuch
    expect_error unknown-domain.domid lab-nosuch $X domid lab-nosuch
    expect_error unknown-domain.list lab-nosuch $X list lab-nosuch
    expect_error unknown-id.unpause 4242 $X unpause 4242
    expect_error unknown-command frobnicate $X frobnicate
    expect_error missing-config /lab/nonexistent.cfg $X create /lab/nonexistent.cfg
    expect_error no-daemon /run/lab-nosuch.sock $X --socket /run/lab-nosuch.sock list

    # Bad arguments against a real (paused) guest must change nothing.
    G=lab-err
    cfg=$(guest_cfg $G pv)
    need check create-paused xl create -p "$cfg"
    id=$(xl_domid $G)
    expect_error bad-size 12X $X mem-set $G 12X
    expect_eq bad-size.unchanged "memory target" "$(xenstore-read "/local/domain/$id/memory/target")" 131072
    expect_error bad-vcpu-count abc $X vcpu-set $G abc
    expect_error bad-cpu-list '9-x' $X vcpu-pin $G 0 9-x
    expect_error bad-weight abc $X sched-credit2 -d $G -w abc
    expect_error missing-argument . $X pause
    check destroy xl destroy $G
fi
