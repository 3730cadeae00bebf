#!/bin/sh
# Per-domain policy: set, shown, kept across kill -9 and restarts, reboots
# and save/restore; bad settings refused.
. "$(dirname "$0")/lib.sh"
start_daemon

outputs "no policy: defaults" "priority *(default)" xenith policy web1
ok "set" xenith policy web1 priority=high balloon-min=512 balloon-max=2g \
    migrate=never
outputs "shown" "balloon-max *2048 MiB" xenith policy web1
outputs "as JSON" '"priority": "high"' xenith policy --json web1
fails "unknown setting" 'policy setting "colour" is unknown' \
    xenith policy web1 colour=blue
fails "bad value" 'priority "urgent" is not valid' \
    xenith policy web1 priority=urgent
fails "bad size" 'balloon-min "lots" is not valid' \
    xenith policy web1 balloon-min=lots
fails "min above max" "balloon-min 4096 MiB is above balloon-max 2048 MiB" \
    xenith policy web1 balloon-min=4g
WANT_RC=2 fails "not an assignment" '"high" is not KEY=VALUE' \
    xenith policy web1 high
outputs "a refused change changes nothing" "balloon-min *512 MiB" \
    xenith policy web1
uuid=$(field web1 uuid)
[ -f "$T/state/policy/$uuid.json" ] && pass "kept in the state directory" ||
    fail "kept in the state directory" "no $T/state/policy/$uuid.json"
outputs "mirrored in xenstore" "^high$" \
    xenith store read "/vm/$uuid/xenith/policy/priority"

# kill -9: no chance to write anything on the way out.
kill -9 "$DAEMON_PID"
wait "$DAEMON_PID" 2>/dev/null
DAEMON_PID=
start_daemon
outputs "survives kill -9" "priority *high" xenith policy web1
outputs "all of it" "migrate *never" xenith policy web1
# The restarted simulated host has a fresh store: the daemon fills it in
# from the state directory.
outputs "back in xenstore after the restart" "^2048$" \
    xenith store read "/vm/$uuid/xenith/policy/balloon-max"

ok "unset one" xenith policy web1 migrate=
outputs "unset shows default" "migrate *(default)" xenith policy web1
fails "unset leaves xenstore too" "No such file" \
    xenith store read "/vm/$uuid/xenith/policy/migrate"

# The policy follows the domain's UUID through save and restore.
ok "save" xenith save web1 "$T/web1.img"
ok "restore" xenith restore "$T/web1.img"
outputs "kept across save/restore" "priority *high" xenith policy web1
finish
