#!/bin/sh
# Live migration of guests that write while they move (simulated hosts):
# one converges in rounds and arrives intact, one writes faster than the
# stream carries, so its live save gives up and it runs on where it was.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/miglib.sh"
trap 'mig_cleanup; rm -rf "$T"' EXIT

ok "certificates" mig_certs
start_host hosta --sim="$SRC/tests/e2e/busy-host.xml"
start_host hostb --sim="$SRC/tests/e2e/small-host.xml"

outputs "still migrates" "still migrated to hostb" xa migrate still hostb
outputs "calm migrates" "calm migrated to hostb" xa migrate calm hostb
# calm's stream carried the pages it dirtied again: more than still's,
# which is the same size and writes nothing (one round).
more=$(xa migrations --json | python3 -c 'import json, sys
b = {m["domain"]: m["bytes"] for m in json.load(sys.stdin)}
print(b["calm"] - b["still"])')
if [ "${more:-0}" -gt $((256 * 4096)) ]; then
    pass "calm sent its dirtied pages again"
else
    fail "calm sent its dirtied pages again" "only $more bytes more than still"
fi
outputs "calm runs on hostb" "^calm .* r-----" xb list calm

xa migrate busy hostb >"$T/busy.out" 2>"$T/busy.err"
rc=$?
if [ $rc -eq 1 ] && [ "$(wc -l <"$T/busy.err")" -eq 1 ] &&
    grep -q "live save of busy did not converge" "$T/busy.err"; then
    pass "busy does not converge"
else
    fail "busy does not converge" "exit $rc: $(cat "$T/busy.err")"
fi
outputs "busy runs on hosta" "^busy .* r-----" xa list busy
wait_for "hostb done with it" 60 mig_idle xb
outputs "hosta records why" "failed .*did not converge" xa migrations
if names xb | grep -q "busy"; then
    fail "nothing of busy on hostb" "$(names xb)"
else
    pass "nothing of busy on hostb"
fi
outputs "hostb records the failure" "in *busy *hosta *failed" xb migrations

mig_cleanup
finish
