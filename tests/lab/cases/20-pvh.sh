# 20-pvh.sh - a PVH guest through xenith: create, list, pause/unpause,
# save/restore, destroy.
# shellcheck shell=dash disable=SC2086,SC1087
# ($X is one word, and "$G[[:space:]]" is a regular expression.)
# lab-timeout: 180

G=lab-pvh
cfg=$(guest_cfg $G pvh)
need boot_guest pvh $G $X create "$cfg"
id=$(xl_domid $G)

expect_out list "^$G[[:space:]]+$id[[:space:]]+[0-9]+[[:space:]]+1[[:space:]]" $X list
expect_out domid "^$id\$" $X domid $G
if xenith_only list.json; then
    run $X list --json $G
    expect_eq list.json.name "name in list --json" "$(jget name "$OUT")" $G
    expect_eq list.json.type "type in list --json" "$(jget type "$OUT")" pvh
fi

check pause $X pause $G
expect_eq pause.xl "xl's state" "$(state_paused "$(xl_state $G)" && echo paused)" paused
beats_stopped pause.heartbeats $G
b=$(last_beat $G)
check unpause $X unpause $G
beats_resume unpause.heartbeats $G "$b"

f=$SAVE_DIR/$G.save
b=$(last_beat $G)
slow 180 check save $X save $G "$f"
wait_until save.gone 10 xl_gone $G
from=$(con_lines $G)
slow 180 check restore $X restore "$f"
rm -f "$f"
beats_resume restore.heartbeats $G "$b" 60
expect_eq restore.no-reboot "GUEST-UP lines after restore" "$(con_since $G "$from" | grep -c '^GUEST-UP')" 0

check destroy $X destroy $G
wait_until destroy.gone 10 xl_gone $G
wait_until destroy.list 10 cli_lacks $G
expect_error destroy.domid $G $X domid $G
