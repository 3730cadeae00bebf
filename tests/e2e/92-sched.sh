#!/bin/sh
# The scheduler-tuning service on the simulated host (tests/e2e/sched.xml):
# classes become weights; while the critical guest is busy the pool is
# overloaded, the low class is capped and the critical guest gets its
# demand; when it stops every weight and cap goes back to what it was,
# the admin's included.  One throttle and one release.  (A daemon killed
# mid-episode needs the host to outlive it: test_sched_service.c reopens
# the service on one simulated host, and the lab kills xenithd on Xen.)
. "$(dirname "$0")/lib.sh"
printf 'sched.enter-after = 2\nsched.enter 90\n' >"$T/bad.conf"
WANT_RC=2 fails "a configuration file's bad line" \
    'bad.conf line 2: "sched.enter 90" is not SERVICE.NAME = VALUE' \
    "$XENITH_BIN/xenithd" --sim --socket "$T/other.sock" --config "$T/bad.conf"
WANT_RC=2 fails "a configuration file that is not there" \
    'cannot read .*/nosuch.conf: No such file' \
    "$XENITH_BIN/xenithd" --sim --socket "$T/other.sock" --config "$T/nosuch.conf"
printf 'sched.enter = lots\n' >"$T/bad2.conf"
fails "a configuration file's bad value" 'sched.enter "lots" must be a whole number' \
    "$XENITH_BIN/xenithd" --sim --socket "$T/other.sock" --config "$T/bad2.conf"

# The settings come from a configuration file; -o wins over it (with the
# file's leave-after the episode would not end within the test).
cat >"$T/xenithd.conf" <<'CONF'
# the tuner, quick for a test
sched.enter-after = 2
sched.smoothing   = 1000
sched.leave-after = 600
CONF
start_daemon --sim="$SRC/tests/e2e/sched.xml" --config "$T/xenithd.conf" \
    -o sched.leave-after=3

# st DOMAIN KEY: a domain's figure from sched status
st() {
    xenith sched status --json | python3 -c '
import json, sys
d = [x for x in json.load(sys.stdin)["domains"] if x["name"] == sys.argv[1]]
v = d[0][sys.argv[2]] if d else None
print(round(v, 2) if isinstance(v, float) else v)
' "$1" "$2"
}
is() { [ "$(st "$1" "$2")" = "$3" ]; }
at_least() { python3 -c 'import sys; sys.exit(not float(sys.argv[1]) >= float(sys.argv[2]))' "$(st "$1" "$2")" "$3"; }
pool_state() { xenith sched status --json | python3 -c '
import json, sys; print(json.load(sys.stdin)["pools"][0]["state"])'; }
pool_is() { [ "$(pool_state)" = "$1" ]; }
weight_cap() { xenith sched-credit2 -d "$1" | awk -v d="$1" '$1 == d {print $3 "/" $4}'; }

fails "a bad class setting" 'sched.class-low "weight=0": weight 0 is out of range' \
    "$XENITH_BIN/xenithd" --sim --socket "$T/other.sock" \
    -o sched.class-low=weight=0
fails "leave above enter" 'sched.leave 96 must be below sched.enter 95' \
    "$XENITH_BIN/xenithd" --sim --socket "$T/other.sock" -o sched.leave=96

xenith events --json >"$T/events.log" 2>&1 &
EVENTS_PID=$!

ok "crit is critical" xenith sched set crit --class critical
ok "low1 is low" xenith sched set low1 --class low
ok "low2 is low" xenith policy low2 priority=low
ok "low3 is low" xenith sched set low3 --class low
ok "the admin sets low1's weight" xenith sched-credit2 -d low1 -w 200

# --- before the episode: classes become weights, the admin's kept ---
wait_for "crit gets the critical weight" 10 is crit weight 1024
wait_for "low1 keeps the admin's weight" 5 is low1 weight 200
ok "low1's admin weight is recorded" is low1 admin_weight 200
ok "low2 keeps its weight and cap" is low2 weight 300
ok "low2 keeps its cap" is low2 cap 350
ok "norm keeps Xen's default" is norm weight 256
ok "Domain-0 has the dom0 class" is Domain-0 class dom0
ok "not overloaded while only the low class is busy" pool_is normal

# --- the episode: the critical guest runs ---
ok "crit runs" xenith unpause crit
wait_for "the pool becomes overloaded" 20 pool_is overloaded
wait_for "crit gets its demand" 10 at_least crit use 3.35
ok "low1 is throttled" is low1 throttled True
ok "low2 is throttled" is low2 throttled True
ok "low1 capped at 15% of its 4 vCPUs" is low1 cap 60
ok "low2 capped below the admin's cap" is low2 cap 60
ok "crit is protected" is crit protected True
ok "norm is left alone" is norm throttled False
outputs "status shows it" "overloaded" xenith sched status
ok "low1 keeps its floor" at_least low1 use 0.38
ok "low3 is throttled" is low3 throttled True

# --- the release: the critical guest stops ---
ok "crit stops" xenith pause crit
wait_for "the episode ends" 30 pool_is normal
wait_for "low1's weight is back" 5 is low1 weight 200
ok "low1's cap is back" is low1 cap 0
ok "low2's weight is back" is low2 weight 300
ok "low2's cap is back" is low2 cap 350
ok "crit's weight is back" is crit weight 1024
outputs "sched-credit2 agrees" "^low2 .* 300 .* 350" xenith sched-credit2 -d low2
kill "$EVENTS_PID" 2>/dev/null
wait "$EVENTS_PID" 2>/dev/null
n_start=$(grep -c '"throttle-start"' "$T/events.log")
n_end=$(grep -c '"throttle-end"' "$T/events.log")
n_raise=$(grep -c '"throttle-raise"' "$T/events.log")
if [ "$n_start/$n_end/$n_raise" = 1/1/0 ]; then
    pass "one throttle and one release"
else
    fail "one throttle and one release" "start/end/raise = $n_start/$n_end/$n_raise"
fi
outputs "metrics count the episode" "xenith_sched_episodes_total 1" \
    xenith metrics --prometheus
finish
