#!/bin/sh
# Domains that shut down while no daemon was watching get their shutdown
# action when xenithd starts; a suspended one (a save or migration its
# predecessor did not finish) does not: the migration service resumes it
# (99-migrate-restart.sh).
. "$(dirname "$0")/lib.sh"
start_daemon --sim="$SRC/tests/e2e/downed.xml"

wait_for "powered-off domain destroyed" 10 \
    sh -c "! \"$XENITH_BIN/xenith\" list halted"
wait_for "crashed domain destroyed" 10 \
    sh -c "! \"$XENITH_BIN/xenith\" list crashed"
runs() { [ "$(field "$1" state)" = running ]; }
wait_for "suspended one kept, and resumed" 10 runs suspended
[ "$(field alive state)" = running ] && pass "running one untouched" ||
    fail "running one untouched" "state $(field alive state)"
outputs "logged" "halted (id [0-9]*) shut down (poweroff) while no daemon" \
    cat "$T/xenithd.log"
finish
