#!/bin/sh
# Guests that ignore a shutdown request: timeouts, --force, and destroy
# while someone waits.  Uses a scenario with such guests.
. "$(dirname "$0")/lib.sh"
start_daemon --sim="$SRC/tests/e2e/stubborn.xml"

fails "shutdown times out" \
    "domain stubborn (id [0-9]*) did not shut down within 1 s" \
    xenith shutdown -w -t 1 stubborn
[ "$(field stubborn state)" = running ] && pass "left running" ||
    fail "left running" "state $(field stubborn state)"
outputs "--force destroys it" "did not shut down in 1 s: destroyed" \
    xenith shutdown -t 1 --force stubborn
fails "it is gone" 'no domain named "stubborn"' xenith list stubborn

xenith shutdown -w -t 30 slow >"$T/wait.out" 2>&1 &
W=$!
# Destroy only once the request is delivered and the wait has begun.
wait_for "request delivered" 20 grep -q "asked domain slow .* to shut down" \
    "$T/xenithd.log"
ok "destroy while someone waits" xenith destroy slow
if wait $W; then pass "the waiter sees it go"; else
    fail "the waiter sees it go" "$(cat "$T/wait.out")"; fi
finish
