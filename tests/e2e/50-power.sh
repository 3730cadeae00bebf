#!/bin/sh
# shutdown and reboot, waiting, timeouts, and the on_* actions.
. "$(dirname "$0")/lib.sh"
start_daemon

xenith create "$(mkcfg p1 128)" >/dev/null
ok "shutdown -w" xenith shutdown -w p1
fails "gone after shutdown -w" 'no domain named "p1"' xenith list p1

xenith create "$(mkcfg p2 128)" >/dev/null
old=$(xenith domid p2)
ok "reboot -w" xenith reboot -w p2
wait_for "rebooted domain is back" 5 xenith list p2
new=$(xenith domid p2)
[ "$new" != "$old" ] && pass "new instance (id $old -> $new)" ||
    fail "new instance" "id is still $old"

xenith create "$(mkcfg p3 128 'on_poweroff = "preserve"')" >/dev/null
ok "shutdown -w with preserve" xenith shutdown -w -t 10 p3
[ "$(field p3 state)" = shutdown ] && pass "preserved as shutdown" ||
    fail "preserved as shutdown" "state $(field p3 state)"
ok "destroy the preserved one" xenith destroy p3

xenith create "$(mkcfg p4 128 'on_poweroff = "restart"')" >/dev/null
old=$(xenith domid p4)
ok "shutdown without wait" xenith shutdown p4
wait_for "on_poweroff=restart brings it back" 5 \
    sh -c "\"$XENITH_BIN/xenith\" domid p4 | grep -vx $old"
finish
