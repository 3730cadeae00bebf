#!/bin/sh
# Out of file handles: clients hold every handle the daemon may have.  It
# must not spin on accept() (CPU, a log line per try): it rests, says so
# once, and takes connections again when handles free up.
. "$(dirname "$0")/lib.sh"

# This shell and all it starts, the daemon too, get few handles.
if ! ulimit -n 64; then
    fail "file limit" "cannot lower the open file limit"
    exit 1
fi
start_daemon

# CPU time (user + system) the daemon has used, in clock ticks.  The name
# field may hold spaces: count from the ')' that ends it.
cpu_ticks() {
    sed 's/.*) //' "/proc/$DAEMON_PID/stat" | awk '{print $12 + $13}'
}
warnings() { grep -c "cannot accept connections" "$T/xenithd.log"; }

# More subscribers than the daemon has handles: each holds a connection.
HOLDERS=
i=0
while [ $i -lt 72 ]; do
    "$XENITH_BIN/xenith" events >/dev/null 2>&1 &
    HOLDERS="$HOLDERS $!"
    i=$((i + 1))
done
# It says so; or, spinning, it fills its log with failed accept()s.
out_of_handles() {
    grep -q "cannot accept connections" "$T/xenithd.log" ||
        [ "$(wc -c <"$T/xenithd.log")" -gt 1000000 ]
}
wait_for "the daemon runs out of handles" 60 out_of_handles

# A resource bound, not a timing: spinning on accept() burns a whole CPU
# for these two seconds; resting costs next to nothing.
sleep 0.5
before=$(cpu_ticks)
sleep 2
after=$(cpu_ticks)
ticks=$((after - before))
hz=$(getconf CLK_TCK)
if [ $((ticks * 2)) -lt "$hz" ]; then
    pass "out of handles, the daemon rests (CPU $ticks/$hz s in 2 s)"
else
    fail "out of handles, the daemon rests" \
        "it used $ticks/$hz s of CPU in 2 s"
fi
n=$(warnings)
[ "$n" -eq 1 ] && pass "the warning is logged once" ||
    fail "the warning is logged once" "$n times: $(grep accept \
"$T/xenithd.log" | head -3)"
grep -q "Too many open files" "$T/xenithd.log" &&
    pass "the warning says why" ||
    fail "the warning says why" "$(grep "cannot accept" "$T/xenithd.log")"
kill -0 "$DAEMON_PID" 2>/dev/null && pass "the daemon is still running" ||
    fail "the daemon is still running" "it is gone"

# Handles free up: the daemon answers again, and says so.
# shellcheck disable=SC2086
kill $HOLDERS 2>/dev/null
# shellcheck disable=SC2086
wait $HOLDERS 2>/dev/null
wait_for "answers once handles free up" 30 xenith info
grep -q "accepting connections on .* again" "$T/xenithd.log" &&
    pass "recovery is logged" ||
    fail "recovery is logged" "$(tail -3 "$T/xenithd.log")"
outputs "a new client is served" "Domain-0" xenith list
n=$(warnings)
[ "$n" -eq 1 ] && pass "still one warning" ||
    fail "still one warning" "$n warnings"
finish
