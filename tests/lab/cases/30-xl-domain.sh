# 30-xl-domain.sh - a guest created by `xl create` is seen and driven by xenith.
# shellcheck shell=dash disable=SC2086,SC1087
# ($X is one word, and "$G[[:space:]]" is a regular expression.)
# lab-timeout: 120

G=lab-xl
cfg=$(guest_cfg $G pv)
need boot_guest xl-create $G xl create "$cfg"
id=$(xl_domid $G)

expect_out list "^$G[[:space:]]+$id[[:space:]]+[0-9]+[[:space:]]+1[[:space:]]" $X list
expect_out domid "^$id\$" $X domid $G

check pause $X pause $G
expect_eq pause.xl "xl's state" "$(state_paused "$(xl_state $G)" && echo paused)" paused
expect_eq pause.list "state in \`$X list\`" "$(state_paused "$(cli_col $G 5)" && echo paused)" paused
beats_stopped pause.heartbeats $G
b=$(last_beat $G)
check unpause $X unpause $G
beats_resume unpause.heartbeats $G "$b"

check destroy $X destroy "$id"
wait_until destroy.gone 10 xl_gone $G
wait_until destroy.list 10 cli_lacks $G
