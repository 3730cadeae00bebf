#!/bin/sh
# xenith migrate between two simulated hosts over TLS: the domain moves
# live (its memory image checked on arrival), keeps its policy, runs on
# the destination and is gone from the source; progress, --json,
# --paused, --compress; refusals that leave it running where it was; and
# `xenith migrations` on both sides.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/miglib.sh"
trap 'mig_cleanup; rm -rf "$T"' EXIT

ok "certificates" mig_certs
start_host hosta
start_host hostb --sim="$SRC/tests/e2e/small-host.xml"

ok "create app1 on hosta" xa create "$(mkcfg app1 64)"
ok "policy on app1" xa policy app1 sched.class=high
outputs "migrate app1" "app1 migrated to hostb in .*downtime [0-9]* ms" \
    xa migrate app1 hostb
outputs "app1 runs on hostb" "^app1 .* r-----" xb list app1
if names xa | grep -q "^app1"; then
    fail "app1 gone from hosta" "hosta still lists $(names xa | grep app1)"
else
    pass "app1 gone from hosta"
fi
outputs "policy came along" "sched.class *high" xb policy app1
outputs "hosta lists it done" "^1 *out *app1 *hostb *done" xa migrations
outputs "hostb lists it done" "^1 *in *app1 *hosta *done" xb migrations
outputs "migrations --json" '"downtime_ms": [0-9]' xb migrations --json

# Back, compressed, with JSON events, left paused.
xb migrate app1 hosta --compress=1 --paused --json >"$T/json.out" 2>&1
rc=$?
if [ $rc -eq 0 ] && python3 - "$T/json.out" <<'PY'
import json, sys
lines = open(sys.argv[1]).read().split("\n")
events = []
i = 0
# the events, one JSON object a line, then the record (pretty-printed)
while i < len(lines) and lines[i].startswith("{\"type\""):
    events.append(json.loads(lines[i]))
    i += 1
rec = json.loads("\n".join(lines[i:]))
phases = [e["detail"]["phase"] for e in events if e["what"] == "phase"]
assert phases[:3] == ["preparing", "streaming", "restoring"], phases
assert rec["phase"] == "done" and rec["compress"] == 1, rec
PY
then pass "migrate back --json --compress --paused"
else fail "migrate back --json --compress --paused" "$(tail -5 "$T/json.out")"
fi
outputs "left paused on hosta" "^app1 .* --p---" xa list app1
ok "unpause it" xa unpause app1

# Refusals: nothing moves, the domain runs on where it was.
WANT_RC=1 fails "name taken on the destination" \
    "a domain named web1 exists on hostb already" xa migrate web1 hostb
outputs "web1 still runs on hosta" "^web1 .* r-----" xa list web1
WANT_RC=1 fails "unknown host" 'cannot find host "nowhere.invalid"' \
    xa migrate app1 nowhere.invalid
WANT_RC=1 fails "Domain-0 stays" "Domain-0 does not migrate" \
    xa migrate Domain-0 hostb
WANT_RC=2 fails "migrate needs a host" "xenith migrate: " xa migrate app1
WANT_RC=2 fails "bad port" 'port' xa migrate app1 hostb:99999
ok "big on hosta" xa create "$(mkcfg big 3500)"
WANT_RC=1 fails "no memory on the destination" \
    "refused.*big" xa migrate big hostb
outputs "big still runs on hosta" "^big .* r-----" xa list big
outputs "hostb has no partial copy" "^Domain-0" xb list
if names xb | grep -q -- "--incoming"; then
    fail "no --incoming left on hostb" "$(names xb)"
else
    pass "no --incoming left on hostb"
fi

# Evacuating hosta: web1 stays (policy), big finds no room on the small
# hostb, app2 and app3 move, two at a time.
ok "web1 stays" xa policy web1 migration.mode=never
ok "destroy app1" xa destroy app1
ok "destroy db1" xa destroy db1
ok "create app2" xa create "$(mkcfg app2 32)"
ok "create app3" xa create "$(mkcfg app3 32)"
xa host-evacuate --to hostb --parallel 2 >"$T/evac.out" 2>&1
rc=$?
if [ $rc -eq 1 ] && grep -q "^app2: moved to hostb" "$T/evac.out" &&
    grep -q "^app3: moved to hostb" "$T/evac.out" &&
    grep -q "^could not move big: .*big--incoming needs" "$T/evac.out" &&
    grep -q "^left web1: policy migration.mode is never" "$T/evac.out" &&
    grep -q "^2 moved, 1 not moved, 1 left alone" "$T/evac.out"; then
    pass "host-evacuate"
else
    fail "host-evacuate" "exit $rc: $(cat "$T/evac.out")"
fi
outputs "app2 and app3 on hostb" "^app3 " xb list
outputs "big still runs on hosta" "^big .* r-----" xa list big
WANT_RC=2 fails "host-evacuate needs --to" "\-\-to HOST" xa host-evacuate

mig_cleanup
finish
