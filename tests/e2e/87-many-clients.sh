#!/bin/sh
# Clients connected at once are bounded: one over the bound is told so in
# one line and closed; the daemon logs it once and serves again when
# clients leave.
. "$(dirname "$0")/lib.sh"

start_daemon

# More than the bound: those over it are refused and leave, the first 128
# stay connected.
HOLDERS=
i=0
while [ $i -lt 160 ]; do
    "$XENITH_BIN/xenith" events >/dev/null 2>&1 &
    HOLDERS="$HOLDERS $!"
    i=$((i + 1))
done
full() { grep -q "the most it takes" "$T/xenithd.log"; }
wait_for "the daemon fills up" 60 full
refused() {
    ! "$XENITH_BIN/xenith" list >/dev/null 2>"$T/refused.err" &&
        grep -q "128 clients connected, the most it takes" "$T/refused.err"
}
wait_for "one more client is refused" 60 refused
[ "$(wc -l <"$T/refused.err")" -eq 1 ] && pass "in one line" ||
    fail "in one line" "$(cat "$T/refused.err")"
refused
n=$(grep -c "the most it takes" "$T/xenithd.log")
[ "$n" -eq 1 ] && pass "logged once" || fail "logged once" "$n times"
# shellcheck disable=SC2086
kill $HOLDERS 2>/dev/null
wait_for "served again once they leave" 30 "$XENITH_BIN/xenith" list
finish
