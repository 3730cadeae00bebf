#!/bin/sh
# The event stream follows what happens to domains.
. "$(dirname "$0")/lib.sh"
start_daemon

xenith events >"$T/events.txt" 2>&1 &
EV=$!
xenith events --json >"$T/events.json" 2>&1 &
EVJ=$!
# Both listeners are subscribed once they see an event: make some.
subscribed() {
    "$XENITH_BIN/xenith" pause db1 && "$XENITH_BIN/xenith" unpause db1 &&
        grep -q "unpaused *db1" "$T/events.txt" &&
        grep -q '"unpaused"' "$T/events.json"
}
wait_for "listeners subscribed" 20 subscribed
xenith create "$(mkcfg ev1 128)" >/dev/null
xenith pause ev1
xenith unpause ev1
xenith rename ev1 ev2
xenith shutdown -w ev2
wait_for "last event arrives" 10 grep -q "died *ev2" "$T/events.txt"
wait_for "last JSON event arrives" 10 grep -q '"type":"died","domid":[0-9]*,"name":"ev2"' "$T/events.json"
kill $EV $EVJ 2>/dev/null
wait $EV $EVJ 2>/dev/null
for e in "created *ev1" "paused *ev1" "unpaused *ev1" \
         "renamed *ev2.*old_name=ev1" "shutdown *ev2.*reason=poweroff" \
         "died *ev2"; do
    grep -q "$e" "$T/events.txt" && pass "event: $e" ||
        fail "event: $e" "not in: $(cat "$T/events.txt")"
done
grep -q '"type":"died"' "$T/events.json" && pass "events as JSON" ||
    fail "events as JSON" "$(cat "$T/events.json")"
order=$(grep -o '^[^ ]* [^ ]* [a-z]*' "$T/events.txt" | awk '{print $3}' |
    tr '\n' ' ')
case $order in
*"created paused unpaused renamed shutdown died"*) pass "events in order" ;;
*) fail "events in order" "$order" ;;
esac
finish
