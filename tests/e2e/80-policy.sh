#!/bin/sh
# Per-domain policy: set, shown, kept across kill -9 and restarts, reboots
# and save/restore; bad settings refused; the names the settings had before
# the services owned them (priority, balloon-min, balloon-max, migrate) still
# read, from clients and from old policy files.
. "$(dirname "$0")/lib.sh"
start_daemon

outputs "no policy: defaults" "sched.class *(default)" xenith policy web1
outputs "every service's keys listed" "balloon.max *(default)" \
    xenith policy web1
outputs "the services and their keys" "policy  *balloon.managed, balloon.min, balloon.max" \
    xenith services
outputs "a service's own operation" '"reserve_kb": 131072' \
    xenith services balloon
fails "no such service" 'unknown operation "nosuch.status"' \
    xenith services nosuch
ok "set" xenith policy web1 sched.class=high balloon.min=512 balloon.max=2g \
    migration.mode=never
outputs "shown" "balloon.max *2048 MiB" xenith policy web1
outputs "as JSON" '"sched.class": "high"' xenith policy --json web1
fails "unknown setting" 'policy setting "colour" is unknown (balloon.managed, balloon.min' \
    xenith policy web1 colour=blue
fails "bad value" 'sched.class "urgent" is not valid' \
    xenith policy web1 sched.class=urgent
fails "bad size" 'balloon.min "lots" is not valid' \
    xenith policy web1 balloon.min=lots
fails "min above max" "balloon.min 4096 MiB is above balloon.max 2048 MiB" \
    xenith policy web1 balloon.min=4g
WANT_RC=2 fails "not an assignment" '"high" is not KEY=VALUE' \
    xenith policy web1 high
fails "set and unset at once" '"balloon.min" is both set and unset' \
    xenith policy web1 balloon.min=1g balloon-min=
outputs "a refused change changes nothing" "balloon.min *512 MiB" \
    xenith policy web1
uuid=$(field web1 uuid)
[ -f "$T/state/policy/$uuid.json" ] && pass "kept in the state directory" ||
    fail "kept in the state directory" "no $T/state/policy/$uuid.json"
sched_block() { xenith services | sed -n '/^sched:/,/^[a-z]*:/p'; }
outputs "counted by its service" "domains_with_policy: 1" sched_block
outputs "mirrored in xenstore" "^high$" \
    xenith store read "/vm/$uuid/xenith/policy/sched/class"

# The old names, from a client: read as the new ones.
ok "old name accepted" xenith policy web1 priority=low
outputs "stored under the new name" "sched.class *low" xenith policy web1
ok "old name unsets too" xenith policy web1 priority=
outputs "unset through the old name" "sched.class *(default)" \
    xenith policy web1
ok "set again" xenith policy web1 sched.class=high

# kill -9: no chance to write anything on the way out.
kill -9 "$DAEMON_PID"
wait "$DAEMON_PID" 2>/dev/null
DAEMON_PID=
start_daemon
outputs "survives kill -9" "sched.class *high" xenith policy web1
outputs "all of it" "migration.mode *never" xenith policy web1
# The restarted simulated host has a fresh store: the daemon fills it in
# from the state directory.
outputs "back in xenstore after the restart" "^2048$" \
    xenith store read "/vm/$uuid/xenith/policy/balloon/max"

ok "unset one" xenith policy web1 migration.mode=
outputs "unset shows default" "migration.mode *(default)" xenith policy web1
fails "unset leaves xenstore too" "No such file" \
    xenith store read "/vm/$uuid/xenith/policy/migration/mode"

# The policy follows the domain's UUID through save and restore.
ok "save" xenith save web1 "$T/web1.img"
ok "restore" xenith restore "$T/web1.img"
outputs "kept across save/restore" "sched.class *high" xenith policy web1

# A policy file written by the daemon before the services owned their keys.
stop_daemon
u2=$(grep -o '"uuid": *"[^"]*"' "$T/state/policy/$uuid.json" | head -1 |
     sed 's/.*"\([^"]*\)"$/\1/')
cat >"$T/state/policy/$uuid.json" <<EOT
{
  "uuid": "$u2",
  "name": "web1",
  "policy": { "priority": "critical", "balloon-min": "256",
              "balloon-max": "1024", "migrate": "allowed" }
}
EOT
start_daemon
outputs "an old file's priority" "sched.class *critical" xenith policy web1
outputs "an old file's sizes" "balloon.min *256 MiB" xenith policy web1
outputs "an old file's migrate" "migration.mode *allowed" xenith policy web1
outputs "an old file mirrored under the new names" "^1024$" \
    xenith store read "/vm/$uuid/xenith/policy/balloon/max"
ok "a change rewrites it" xenith policy web1 balloon.max=2g
outputs "in the new names" '"balloon.max": *"2048"' \
    cat "$T/state/policy/$uuid.json"
finish
