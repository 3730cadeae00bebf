# 10-pv-lifecycle.sh - a PV guest's life through xenith: create, list, pause,
# unpause, mem-set, vcpu-pin, vcpu-set, rename, save/restore, shutdown -w.
# shellcheck shell=dash disable=SC2086,SC1087
# ($X is one word, and "$G[[:space:]]" is a regular expression.)
# lab-timeout: 240

G=lab-pv
cfg=$(guest_cfg $G pv 'maxvcpus = 2')
need boot_guest pv $G $X create "$cfg"
id=$(xl_domid $G)
if xenith_only create.message; then
    expect_out create.message "^Created domain $G \\(id $id\\)\$" cat "$WORK/create.out"
fi

# --- list ---
expect_out list "^$G[[:space:]]+$id[[:space:]]+[0-9]+[[:space:]]+1[[:space:]]+[-r][-b]----[[:space:]]" $X list
expect_out list.by-name "^$G[[:space:]]+$id[[:space:]]" $X list $G
expect_out list.by-id "^$G[[:space:]]+$id[[:space:]]" $X list "$id"
expect_out domid "^$id\$" $X domid $G
if xenith_only list.json; then
    run $X list --json $G
    expect_eq list.json.name "name in list --json" "$(jget name "$OUT")" $G
fi

# --- pause / unpause: the guest's heartbeats stop and resume ---
check pause $X pause $G
expect_eq pause.xl "xl's state" "$(state_paused "$(xl_state $G)" && echo paused)" paused
expect_eq pause.list "state in \`$X list\`" "$(state_paused "$(cli_col $G 5)" && echo paused)" paused
if xenith_only pause.json; then
    run $X list --json $G
    expect_eq pause.json "state in list --json" "$(jget state "$OUT")" paused
fi
beats_stopped pause.heartbeats $G
b=$(last_beat $G)
check unpause $X unpause $G
beats_resume unpause.heartbeats $G "$b"
expect_eq unpause.list "state in \`$X list\`" "$(state_paused "$(cli_col $G 5)" || echo unpaused)" unpaused

# --- mem-set: the balloon target in xenstore follows, then the allocation ---
mem_is() { [ "$(cli_col $G 3)" = "$1" ]; }
check mem-set $X mem-set $G 96m
wait_until mem-set.xenstore 15 xs_is "/local/domain/$id/memory/target" 98304
if xenith_only mem-set.json; then
    run $X list --json $G
    expect_eq mem-set.json "target_kb in list --json" "$(jget target_kb "$OUT")" 98304
fi
wait_until mem-set.list 45 mem_is 96
check mem-set.back $X mem-set $G 131072k
wait_until mem-set.back.xenstore 15 xs_is "/local/domain/$id/memory/target" 131072
wait_until mem-set.back.list 45 mem_is 128

# --- vcpu-pin: hard and soft affinity as vcpu-list shows them ---
aff_is() {
    [ "$(timeout -s KILL "$T" $X vcpu-list $G 2>/dev/null </dev/null |
         awk -v d=$G '$1 == d && $3 == 0 { print $7, $8, $9; exit }')" = "$1" ]
}
check vcpu-pin $X vcpu-pin $G 0 0-1 1
wait_until vcpu-pin.list 5 aff_is "all / 1"
check vcpu-pin.all $X vcpu-pin $G all 1 all
wait_until vcpu-pin.all.list 5 aff_is "1 / all"

# --- vcpu-set: maxvcpus=2, vcpus=1; the guest onlines what it is given ---
check vcpu-set $X vcpu-set $G 2
wait_until vcpu-set.xenstore 15 xs_is "/local/domain/$id/cpu/1/availability" online
wait_console vcpu-set.guest $G '^GUEST-HEARTBEAT [0-9]+ cpus=0-1 ' 30 "$(con_lines $G)"
expect_out vcpu-set.list "^$G[[:space:]]+$id[[:space:]]+[0-9]+[[:space:]]+2[[:space:]]" $X list $G
check vcpu-set.down $X vcpu-set $G 1
wait_until vcpu-set.down.xenstore 15 xs_is "/local/domain/$id/cpu/1/availability" offline
wait_console vcpu-set.down.guest $G '^GUEST-HEARTBEAT [0-9]+ cpus=0 ' 30 "$(con_lines $G)"

# --- rename, and back ---
check rename $X rename $G lab-pv-renamed
expect_out rename.domid "^$id\$" $X domid lab-pv-renamed
expect_eq rename.xl "xl domid lab-pv-renamed" "$(xl_domid lab-pv-renamed)" "$id"
expect_error rename.old-name $G $X domid $G
check rename.back $X rename lab-pv-renamed $G
expect_eq rename.back.xl "xl domid $G" "$(xl_domid $G)" "$id"

# --- save to a file, restore: the guest carries on where it was ---
f=$SAVE_DIR/$G.save
b=$(last_beat $G)
slow 180 check save $X save $G "$f"
wait_until save.gone 10 xl_gone $G
expect_eq save.file "save file" "$([ -s "$f" ] && echo written || echo missing)" written
from=$(con_lines $G)
slow 180 check restore $X restore "$f"
rm -f "$f"
beats_resume restore.heartbeats $G "$b" 60
expect_eq restore.no-reboot "GUEST-UP lines after restore" "$(con_since $G "$from" | grep -c '^GUEST-UP')" 0
id=$(xl_domid $G)
expect_out restore.list "^$G[[:space:]]+$id[[:space:]]" $X list

# --- shutdown -w returns once the guest is gone ---
from=$(con_lines $G)
slow 120 check shutdown $X shutdown -w $G
wait_until shutdown.gone 10 xl_gone $G
wait_until shutdown.list 10 cli_lacks $G
wait_console shutdown.guest $G '^GUEST-POWEROFF' 5 "$from"
