# 75-daemon-restart.sh - xenithd killed with -9 and started again on real
# Xen: a guest that shut down meanwhile gets its on_poweroff action at
# start-up, and a policy set before the kill is still there (state file,
# and its xenstore copy).
# shellcheck shell=dash disable=SC2086,SC1087
# lab-timeout: 150

xenith_only daemon-restart || exit 0
GA=lab-rs-a
GB=lab-rs-b
need boot_guest create-a $GA $X create "$(guest_cfg $GA pv)"
need boot_guest create-b $GB $X create "$(guest_cfg $GB pv)"
ida=$(xl_domid $GA)
idb=$(xl_domid $GB)
uuid=$(xenstore-read /local/domain/$idb/vm 2>/dev/null | sed 's|^/vm/||')
check policy.set $X policy $GB sched.class=low migration.mode=never

# Kill the daemon without warning; nothing watches the guests now.
pid=$(pidof xenithd)
check kill kill -9 $pid
daemon_gone() { ! kill -0 $pid 2>/dev/null; }
wait_until kill.gone 10 daemon_gone

# The guest powers off while no toolstack watches: it stays shut down.
check guest.shutdown xl shutdown $GA
is_down() { case $(xl_state $GA) in *s*) return 0 ;; esac; return 1; }
wait_until guest.down 60 is_down

# Start the daemon again, as the lab started it.
setsid xenithd -v --socket "$XENITH_SOCKET" >> /var/log/xenith/xenithd.log \
    2>&1 < /dev/null &
wait_until restart 30 $X list
wait_until catch-up.destroyed 20 xl_gone $GA
expect_out catch-up.logged "$GA \\(id $ida\\) shut down \\(poweroff\\) while no daemon" \
    cat /var/log/xenith/xenithd.log
expect_out policy.kept "sched.class +low" $X policy $GB
expect_eq policy.xenstore "xenstore copy" \
    "$(xenstore-read /vm/$uuid/xenith/policy/migration/mode 2>/dev/null)" never
expect_out other-guest.untouched "^$GB[[:space:]]+$idb[[:space:]]" $X list
check destroy-b $X destroy $GB
