# 70-store-events.sh - xenith's xenstore client on the real xenstored, the
# event stream following guests' lives (libxl events and @introduceDomain),
# and per-domain policy mirrored into xenstore.
# shellcheck shell=dash disable=SC2086,SC1087
# ($X is one word, and "$G[[:space:]]" is a regular expression.)
# lab-timeout: 180

xenith_only store-events || exit 0
G=lab-ev
GX=lab-ev-xl
EV=$WORK/events.txt
WATCH=$WORK/watch.txt

# The event stream runs through the whole area.
setsid $X events > "$EV" 2>&1 < /dev/null &
EVPID=$!
wait_until events.subscribed 5 kill -0 $EVPID

cfg=$(guest_cfg $G pv)
need boot_guest create $G $X create "$cfg"
id=$(xl_domid $G)
wait_until events.created 10 grep -Eq "created +$G \\(id $id\\)" "$EV"

# --- xenith store against the real xenstored ---
expect_out store.read "^$G\$" $X store read /local/domain/$id/name
expect_out store.ls "^ *target = \"131072\"" $X store ls /local/domain/$id/memory
expect_out store.read.json "\"/local/domain/$id/domid\": \"$id\"" \
    $X store read --json /local/domain/$id/domid
setsid $X store watch -n 2 /local/domain/$id/memory/target > "$WATCH" 2>&1 < /dev/null &
WPID=$!
sleep 1
check store.watch.trigger $X mem-set $G 112m
watch_done() { ! kill -0 $WPID 2>/dev/null; }
wait_until store.watch.ends 15 watch_done
expect_eq store.watch.events "events seen by store watch" \
    "$(grep -c "^/local/domain/$id/memory/target\$" "$WATCH")" 2
check store.write $X store write /local/domain/$id/data/lab hello \
    /local/domain/$id/data/lab2 world
expect_eq store.write.xenstore-read "xenstore-read of what xenith wrote" \
    "$(xenstore-read /local/domain/$id/data/lab 2>/dev/null)" hello
check store.rm $X store rm /local/domain/$id/data/lab /local/domain/$id/data/lab2
expect_eq store.rm.gone "data/lab after rm" \
    "$(xenstore-read /local/domain/$id/data/lab 2>/dev/null || echo gone)" gone
expect_error store.read.missing "cannot read /local/domain/$id/nothing" \
    $X store read /local/domain/$id/nothing

# --- policy: kept by the daemon, mirrored under /vm/UUID/xenith ---
uuid=$(xenstore-read /local/domain/$id/vm 2>/dev/null | sed 's|^/vm/||')
# (priority is the old name of sched.class, still read)
check policy.set $X policy $G priority=high balloon.min=64
wait_until policy.xenstore 5 xs_is "/vm/$uuid/xenith/policy/sched/class" high
expect_out policy.show "balloon.min +64 MiB" $X policy $G

# --- a domain made by xl is noticed as it appears (@introduceDomain) ---
cfgx=$(guest_cfg $GX pv)
need boot_guest xl-create $GX xl create "$cfgx"
idx=$(xl_domid $GX)
wait_until events.discovered 15 grep -Eq "discovered +$GX \\(id $idx\\)" "$EV"
check xl.destroy xl destroy $GX
wait_until events.xl.died 15 grep -Eq "died +$GX " "$EV"

# --- the guest's shutdown and death, as they happen ---
check shutdown $X shutdown -w -t 90 $G
wait_until events.shutdown 10 grep -Eq "shutdown +$G \\(id $id\\).*reason=poweroff" "$EV"
wait_until events.died 10 grep -Eq "died +$G \\(id $id\\)" "$EV"
kill $EVPID 2>/dev/null
note "events seen:"
sed 's/^/    /' "$EV"
