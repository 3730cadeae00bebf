#!/bin/sh
# A xenithd started where a killed one left migrations half done (the
# scenario tests/e2e/leftovers.xml stands for the host it left: the
# simulated host dies with its daemon, so it cannot be killed for real):
# partial copies NAME--incoming that do not run are destroyed and recorded
# as failed migrations in, a running one is left alone; source copies
# NAME--migratedaway become unconfirmed migrations that --recover resumes
# or destroys; a source left suspended mid-stream runs again.  All of it
# once, at start.
. "$(dirname "$0")/lib.sh"
start_daemon --sim="$SRC/tests/e2e/leftovers.xml"

# The ID of the migration of DOM listed by `xenith migrations`.
mig_id() { xenith migrations | awk -v d="$1" '$3 == d {print $1; exit}'; }
# The migration record of DOM, as `xenith migrations` lists it.
mig_row() { xenith migrations | awk -v d="$1" '$3 == d'; }
gone() { ! xenith list "$1" >/dev/null 2>&1; }

# --- NAME--incoming ---
# (a destroy's record is made, and its line logged, when it ends)
in_failed() { mig_row "$1" | grep -q "^[0-9]* *in *$1 *failed "; }
wait_for "paused app1--incoming recorded" 20 in_failed app1
wait_for "suspended app2--incoming recorded" 20 in_failed app2
gone app1--incoming && pass "app1--incoming destroyed" ||
    fail "app1--incoming destroyed" "$(xenith list app1--incoming)"
gone app2--incoming && pass "app2--incoming destroyed" ||
    fail "app2--incoming destroyed" "$(xenith list app2--incoming)"
outputs "logged why" "migration [0-9]* of app1 from an unknown host: failed: \
xenithd was restarted while app1 was coming in, before go: its partial copy \
app1--incoming (id 1) is destroyed" cat "$T/xenithd.log"
outputs "listed, saying why" "^[0-9]* *in *app1 *failed .*partial copy \
app1--incoming (id 1) is destroyed" xenith migrations
outputs "its record in JSON" '"code": "ECANCELED"' xenith migrations --json
[ "$(field odd--incoming state)" = running ] &&
    pass "running odd--incoming kept" ||
    fail "running odd--incoming kept" "state $(field odd--incoming state)"
outputs "warned about it" "odd--incoming (id 3) runs, so it is no partial \
copy of a migration, whatever its name; left alone" cat "$T/xenithd.log"

# --- a source left suspended ---
runs() { [ "$(field "$1" state)" = running ]; }
wait_for "suspended web1 resumed" 20 runs web1
wait_for "logged the resume" 20 grep -q "web1 (id 7) was left suspended by \
a migration or save that xenithd did not finish: resumed" "$T/xenithd.log"
[ "$(field web2 state)" = paused ] && pass "paused web2 left paused" ||
    fail "paused web2 left paused" "state $(field web2 state)"

# --- NAME--migratedaway ---
ID1=$(mig_id db1)
ID2=$(mig_id db2)
ID3=$(mig_id db3)
case $(mig_row db1) in
*" out "*" unconfirmed "*"xenithd was restarted during this migration; the \
source copy db1--migratedaway does not run here. Check whether db1 runs on \
the host it was migrating to"*"--recover $ID1 --destroy"*"--recover $ID1 \
--resume"*)
    pass "db1 listed unconfirmed, with what to check" ;;
*) fail "db1 listed unconfirmed, with what to check" "$(mig_row db1)" ;;
esac
case $(mig_row db3) in
*" unconfirmed "*"db3--migratedaway is running (it is not paused) here"*)
    pass "running db3--migratedaway listed, saying so" ;;
*) fail "running db3--migratedaway listed, saying so" "$(mig_row db3)" ;;
esac
outputs "logged" "migration $ID1 of db1 to an unknown host: unconfirmed: \
xenithd was restarted during this migration" cat "$T/xenithd.log"
[ "$(field db1--migratedaway state)" = shutdown ] &&
    pass "db1--migratedaway left as it was" ||
    fail "db1--migratedaway left as it was" \
        "state $(field db1--migratedaway state)"

outputs "recover db1 --resume" "migration $ID1: the source copy runs here \
again" xenith migrations --recover "$ID1" --resume
[ "$(field db1 state)" = running ] && pass "db1 runs again" ||
    fail "db1 runs again" "state $(field db1 state)"
gone db1--migratedaway && pass "db1--migratedaway renamed" ||
    fail "db1--migratedaway renamed" "it is still listed"
outputs "db1 recovered" "^$ID1 *out *db1 *recovered" xenith migrations
WANT_RC=1 fails "only once" "migration $ID1 is recovered: only an \
unconfirmed one is recovered" xenith migrations --recover "$ID1" --destroy

outputs "recover db2 --destroy" "migration $ID2: the source copy is \
destroyed" xenith migrations --recover "$ID2" --destroy
wait_for "db2--migratedaway destroyed" 20 gone db2--migratedaway
gone db2 && pass "no db2 here" || fail "no db2 here" "$(xenith list db2)"

# A name taken meanwhile: --resume says so and changes nothing.
ok "create another db3" xenith create "$(mkcfg db3 64)"
WANT_RC=1 fails "resume into a taken name" \
    'a domain named "db3" already exists' \
    xenith migrations --recover "$ID3" --resume
outputs "db3 still unconfirmed" "^$ID3 *out *db3 *unconfirmed" \
    xenith migrations
[ "$(field db3--migratedaway state)" = running ] &&
    pass "db3--migratedaway untouched" ||
    fail "db3--migratedaway untouched" "state $(field db3--migratedaway state)"
ok "then --destroy" xenith migrations --recover "$ID3" --destroy
wait_for "db3--migratedaway destroyed" 20 gone db3--migratedaway

# --- only at start ---
ok "a paused late--incoming after start" \
    xenith create --paused "$(mkcfg late--incoming 32)"
outputs "a migration list later" "^ID" xenith migrations
[ "$(field late--incoming state)" = paused ] &&
    pass "late--incoming left alone" ||
    fail "late--incoming left alone" "state $(field late--incoming state)"
if grep -q "migration.*late" "$T/xenithd.log"; then
    fail "nothing logged about late--incoming" \
        "$(grep "migration.*late" "$T/xenithd.log")"
else
    pass "nothing logged about late--incoming"
fi
finish
