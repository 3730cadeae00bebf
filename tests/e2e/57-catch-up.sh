#!/bin/sh
# Domains that shut down while no daemon was watching get their shutdown
# action when xenithd starts; a suspended one (a save in progress) does not.
. "$(dirname "$0")/lib.sh"
start_daemon --sim="$SRC/tests/e2e/downed.xml"

wait_for "powered-off domain destroyed" 10 \
    sh -c "! \"$XENITH_BIN/xenith\" list halted"
wait_for "crashed domain destroyed" 10 \
    sh -c "! \"$XENITH_BIN/xenith\" list crashed"
[ "$(field suspended state)" = shutdown ] && pass "suspended one kept" ||
    fail "suspended one kept" "state $(field suspended state)"
[ "$(field alive state)" = running ] && pass "running one untouched" ||
    fail "running one untouched" "state $(field alive state)"
outputs "logged" "halted (id [0-9]*) shut down (poweroff) while no daemon" \
    cat "$T/xenithd.log"
finish
