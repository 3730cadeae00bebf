# sched-tune-lib.sh - the body of 88-sched-tune.sh (credit2) and
# 88-sched-tune-credit.sh (credit), sourced by both after lib.sh: guests
# that burn CPU in a cpupool of one pCPU, where
#   weights:  weights set through xenith give CPU-time shares in their ratio;
#   cap:      a cap holds a guest to its share, the other gets the rest;
#   service:  xenithd's scheduler tuning throttles a low-class guest while a
#             critical one is short (its cap 15, the critical one's weight
#             x8), the end of the overload releases it, and a restart
#             after kill -9 mid-episode puts the base values back (the
#             admin's weight, the class's).
# The caller sets SCHED (credit2 or credit), the test pool's scheduler; both
# files run in boot B (Xen's sched=credit), beside 80-hv-probe: a cpupool
# has its own scheduler, and boot A has no time left in its budget.
# shellcheck shell=dash disable=SC2086,SC1087
# ($X and $SCMD are words to split, and "$GA[[:space:]]" is a regular expression.)

case ${SCHED:-} in
credit|credit2) ;;
*) fail scheduler "SCHED is \"${SCHED:-}\", not credit or credit2"; exit 0 ;;
esac
note "Xen's scheduler: $(xl info 2>/dev/null | awk '$1 == "xen_scheduler" { print $3 }'); the test pool's: $SCHED"
SCMD="$X sched-$SCHED"
POOL=lab-$SCHED
GA=lab-burn-a
GB=lab-burn-b
EVENTS=/tmp/sched-events.log
XLOG=/var/log/xenith/xenithd.log
# The service's settings for an episode within seconds: 1 s over `enter`
# starts it, 2 s below `leave` ends it; a fast average and passes.
SHORT="-o sched.enter-after=1 -o sched.leave-after=2 -o sched.smoothing=1000 -o sched.interval=500"

# --- the pool, and its teardown whatever happens ---

xl_pool_of() { xl list -c "$1" 2>/dev/null | awk 'NR == 2 { print $7 }'; }
pool0_cpus() { xl cpupool-list 2>/dev/null | awk '$1 == "Pool-0" { print $2 }'; }
RESTARTED=0
sched_teardown() {
    quiet xl destroy $GA
    quiet xl destroy $GB
    destroy_pools
    # Stopped early: the daemon as the lab runs it for the next file.
    if [ "$1" = early ] && [ "$X" = xenith ] &&
        { [ $RESTARTED = 1 ] || [ -z "$(pidof xenithd)" ]; }; then
        restart_xenithd
    fi
}
trap 'sched_teardown early' EXIT

need check pool.cpu-remove xl cpupool-cpu-remove Pool-0 1
need check pool.create xl cpupool-create "name=\"$POOL\"" "sched=\"$SCHED\"" 'cpus="1"'
expect_out pool.listed "^$POOL[[:space:]]+1[[:space:]]+$SCHED[[:space:]]" $X cpupool-list

# Both burners from their boot on: one busy loop on their one vCPU.
burner() {
    local g=$1 cfg
    cfg=$(guest_cfg $g pv "pool = \"$POOL\"" 'extra = "console=hvc0 quiet burn=1"')
    need boot_guest $2 $g $X create "$cfg"
    expect_eq $2.pool "$g's cpupool (xl list -c)" "$(xl_pool_of $g)" $POOL
}
burner $GA burn-a
burner $GB burn-b
wait_console burn-a.burning $GA '^GUEST-BURN started' 10
wait_console burn-b.burning $GB '^GUEST-BURN started' 10

# --- CPU time over a window ---

xl_time() { xl list "$1" 2>/dev/null | awk 'NR == 2 { print $6 }'; }
# measure SECS: each burner's CPU seconds over SECS s of wall time, in
# $DA and $DB; $SHA and $SHB are their shares of it (in %).
uptime_s() { awk '{ print $1 }' /proc/uptime; }
measure() {
    local a0 b0 a1 b1 t0 t1 t
    t0=$(uptime_s); a0=$(xl_time $GA); b0=$(xl_time $GB)
    sleep "$1"
    t1=$(uptime_s); a1=$(xl_time $GA); b1=$(xl_time $GB)
    t=$(awk -v x="$t0" -v y="$t1" 'BEGIN { printf "%.1f", y - x }')
    DA=$(awk -v x="$a0" -v y="$a1" 'BEGIN { printf "%.1f", y - x }')
    DB=$(awk -v x="$b0" -v y="$b1" 'BEGIN { printf "%.1f", y - x }')
    SHA=$(awk -v d="$DA" -v t="$t" 'BEGIN { printf "%.0f", 100 * d / t }')
    SHB=$(awk -v d="$DB" -v t="$t" 'BEGIN { printf "%.0f", 100 * d / t }')
    note "over $t s: $GA ran $DA s ($SHA %), $GB $DB s ($SHB %)"
}
# within X LO HI: LO <= X <= HI (decimals)
within() { awk -v x="$1" -v lo="$2" -v hi="$3" 'BEGIN { exit !(x >= lo && x <= hi) }'; }

# --- weights: 512 against 256 is a 2:1 share of the one pCPU ---

check weights.set-a $SCMD -d $GA -w 512
check weights.set-b $SCMD -d $GB -w 256
expect_out weights.xl "^$GA[[:space:]]+[0-9]+[[:space:]]+512[[:space:]]+0[[:space:]]*\$" xl sched-$SCHED -d $GA
sleep 1
measure 8
ratio=$(awk -v a="$DA" -v b="$DB" 'BEGIN { if (b > 0) printf "%.2f", a / b; else print "inf" }')
note "weights 512:256: measured ratio $ratio ($DA s : $DB s)"
expect_eq weights.ratio "CPU time ratio $GA:$GB = $ratio within 1.5-2.8" \
    "$(within "$ratio" 1.5 2.8 && echo yes)" yes
expect_eq weights.busy "the pool's pCPU busy ($SHA % + $SHB %) at least 85 %" \
    "$(within $((SHA + SHB)) 85 110 && echo yes)" yes

# --- cap: 25 % holds $GA there although its weight is twice $GB's ---

check cap.set $SCMD -d $GA -c 25
expect_out cap.xl "^$GA[[:space:]]+[0-9]+[[:space:]]+512[[:space:]]+25[[:space:]]*\$" xl sched-$SCHED -d $GA
sleep 1
measure 6
note "cap 25: $GA's share $SHA %, $GB's $SHB %"
expect_eq cap.share "$GA's share ($SHA %) at most 30 %" "$(within "$SHA" 0 30 && echo yes)" yes
expect_eq cap.rest "$GB's share ($SHB %) at least 60 %: the rest is not lost" \
    "$(within "$SHB" 60 110 && echo yes)" yes
check cap.clear $SCMD -d $GA -c 0

# --- the service (xenith only) ---

xenith_only service || exit 0

# wc NAME: "WEIGHT/CAP" of the domain, as xl reads it.
wc_of() { xl sched-$SCHED -d "$1" 2>/dev/null | awk -v n="$1" '$1 == n { print $3 "/" $4; exit }'; }
# is_wc NAME W/C: xl and xenith both read W/C.
is_wc() {
    local x c
    x=$(wc_of "$1")
    c=$($SCMD -d "$1" 2>/dev/null | awk -v n="$1" '$1 == n { print $3 "/" $4; exit }')
    echo "$1: xl $x, xenith $c (want $2)"
    [ "$x" = "$2" ] && [ "$c" = "$2" ]
}
throttled() { is_wc $GA 2048/15 && is_wc $GB 8192/0; }
base() { is_wc $GA 2048/0 && is_wc $GB 1024/0; }
log_mark() { wc -l < $XLOG; }
# sched_log FROM: the service's lines in xenithd's log after line FROM.
sched_log() { tail -n +$(($1 + 1)) $XLOG | grep 'sched: '; }
vm_of() { xenstore-read "/local/domain/$(xl_domid "$1")/vm" 2>/dev/null; }
rec() { xenstore-read "$(vm_of "$1")/xenith/sched/$2" 2>/dev/null; }
is_rec() { local v; v=$(rec "$1" "$2"); echo "$1 sched/$2: $v"; [ "$v" = "$3" ]; }

RESTARTED=1
restart_xenithd $SHORT
need wait_until restart.short 30 $X list
$X events --json > $EVENTS 2>&1 &
EV=$!
# The admin's weight on $GA, by hand: the service records it as the admin's.
check admin.weight $SCMD -d $GA -w 2048
wait_until admin.recorded 15 is_rec $GA admin-weight 2048
# $GB critical (its class's weight 1024, x8 while throttling), $GA low
# (capped at 15 % while throttling; with weight 2048 it would take 20 % of
# the pCPU against 8192, so the cap does something: with the admin's weight
# below ~1450 it would get less than 15 % anyway, and the planner would
# boost $GB alone, at level 0).
mark=$(log_mark)
check class.low $X policy $GA sched.class=low
check class.critical $X policy $GB sched.class=critical
wait_until throttle 30 throttled
expect_out throttle.log "sched: pool $POOL: throttle-start" sched_log $mark
expect_eq throttle.recorded "$GA's sched/expect-cap in xenstore" "$(rec $GA expect-cap)" 15
run $X services sched || true
measure 3
note "throttled: $GA $SHA %, $GB $SHB % (cap 15; weight 8192 against 2048)"
expect_eq throttle.share "$GA's share throttled ($SHA %) at most 22 %" \
    "$(within "$SHA" 0 22 && echo yes)" yes

# The overload ends ($GB paused: nothing to protect): $GA is released.
mark=$(log_mark)
check overload.end $X pause $GB
wait_until release 20 base
expect_out release.log "sched: pool $POOL: throttle-end" sched_log $mark
expect_eq release.recorded "$GA's sched/admin-weight, admin-cap in xenstore" \
    "$(rec $GA admin-weight)/$(rec $GA admin-cap)" 2048/0
kill $EV 2>/dev/null
expect_out events.start '"service":"sched","what":"throttle-start"' cat $EVENTS
expect_out events.end '"service":"sched","what":"throttle-end"' cat $EVENTS

# A new episode ...
check overload.again $X unpause $GB
wait_until throttle.again 30 throttled
# ... and xenithd killed in it: nothing is put back (no orderly close) ...
pid=$(pidof xenithd)
kill -9 $pid
while kill -0 $pid 2>/dev/null; do sleep 0.2; done
kept="$(wc_of $GA) $(wc_of $GB)"
restart_xenithd -o sched.enter-after=60
expect_eq killed.kept "weight/cap of $GA, $GB right after kill -9" "$kept" "2048/15 8192/0"
need wait_until restart.long 30 $X list
# ... the new daemon (no episode for 60 s) puts back the base values: the
# admin's weight on $GA, the class's on $GB.
wait_until restart.base 10 base
note "after the restart: $GA $(wc_of $GA), $GB $(wc_of $GB)"

# The daemon as the lab runs it, for the files after this one.
restart_xenithd
wait_until restart.plain 30 $X list

# --- the host as it was ---
trap - EXIT
sched_teardown at-end
expect_eq teardown "Pool-0's pCPUs; pools" "$(pool0_cpus) $(xl cpupool-list | awk 'NR > 1' | wc -l)" "2 1"
