# 87-balloon.sh - the ballooning service on real Xen, with Linux guests
# running xenith-guest-agent: a policy change moves a guest's real memory
# (xl agrees); a guest whose memhog keeps growing gets memory from an idle
# guest; a paused guest is reported stuck and its memory given to no one;
# a domain that does not fit in free memory is created after others are
# ballooned down, one that never can is refused naming the shortfall;
# xenithd killed with -9 and started again puts no guest back toward what
# it was made with.
# shellcheck shell=dash disable=SC2086,SC2317
# ($X is one word; the functions are called through wait_until.)
# lab-timeout: 300

xenith_only balloon || exit 0
GI=lab-bal-idle
GH=lab-bal-hog
GN=lab-bal-new
EVENTS=/tmp/balloon-events.log

# (restart_xenithd: lib.sh)
OPTS="-o balloon.stuck=4 -o balloon.uncooperative=6 -o balloon.interval=2 -o balloon.start-timeout=15"

xl_mem() { xl list "$1" 2>/dev/null | awk 'NR == 2 { print $3 }'; }
free_mib() { xl info | awk '$1 == "free_memory" { print $3 }'; }
# bal NAME COLUMN: a column of `xenith balloon status` for the domain
# (NAME ID MANAGED STATE MIN MAX WEIGHT BUF TARGET ACTUAL NEED PRESSURE)
bal() { $X balloon status 2>/dev/null | awk -v n="$1" -v c="$2" '$1 == n { print $c; exit }'; }
mem_above() { local m; m=$(xl_mem "$1"); echo "$1 holds $m MiB"; [ -n "$m" ] && [ "$m" -gt "$2" ]; }
mem_below() { local m; m=$(xl_mem "$1"); echo "$1 holds $m MiB"; [ -n "$m" ] && [ "$m" -lt "$2" ]; }
is_state() { local s; s=$(bal "$1" 4); echo "$1 is $s"; [ "$s" = "$2" ]; }
has_agent() { local p; p=$(bal "$1" 12); echo "$1 pressure: $p"; [ -n "$p" ] && [ "$p" != - ]; }
target() { xenstore-read /local/domain/$(xl_domid "$1")/memory/target 2>/dev/null; }

# --- an idle guest with the agent; a policy change moves its real memory ---
cfgi=$(guest_cfg $GI pv "memory = 384" \
       'extra = "console=hvc0 quiet xenith_agent=1"')
need boot_guest idle $GI $X create "$cfgi"
check policy.max $X balloon set $GI --max 256
wait_until policy.moves-memory 40 mem_below $GI 264
expect_eq policy.target "xenstore memory/target of $GI <= 256 MiB" \
    "$(($(target $GI) / 1024 <= 256))" 1

# --- the daemon now keeps all but 320 MiB of the host's free memory as
# its reserve: the hog's start takes most of that, and what the hog wants
# beyond must come from the idle guest ---
reserve=$(($(free_mib) - 320))
note "free $(free_mib) MiB: reserve $reserve MiB"
restart_xenithd $OPTS -o balloon.reserve=$reserve
need wait_until restart 30 $X list
$X events --json > $EVENTS 2>&1 &
EV=$!
wait_until reports.arrive 30 has_agent $GI
expect_out status.managed "^$GI +[0-9]+ +yes +ok" $X balloon status

# --- a paused guest is stuck; its memory goes to no one ---
check idle.pause $X pause $GI
held=$(xl_mem $GI)
# 48 MiB more than is free beyond the reserve: only the idle guest has it
want=$(( $(free_mib) - reserve + 48 ))
$X mem-reserve $want --for 5 > /tmp/balloon-resv.out 2>&1 &
RESV=$!
wait_until idle.stuck 30 is_state $GI stuck
wait_until idle.uncooperative 30 is_state $GI uncooperative
expect_eq idle.memory-kept "$GI's memory (MiB)" "$(xl_mem $GI)" "$held"
wait $RESV
expect_out reserve.refused "did not give memory back in time" \
    cat /tmp/balloon-resv.out
check idle.unpause $X unpause $GI
wait_until idle.recovered 30 is_state $GI ok

# --- a guest under pressure gets memory from the idle one ---
cfgh=$(guest_cfg $GH pv "memory = 256" "maxmem = 640" \
       'extra = "console=hvc0 quiet xenith_agent=1 memhog=48 memhog_grow=4 memhog_upto=300"')
need boot_guest hog $GH $X create "$cfgh"
idle0=$(xl_mem $GI)
note "after the hog's start: $GI $idle0 MiB, $GH $(xl_mem $GH) MiB, free $(free_mib) MiB"
wait_until hog.grows 150 mem_above $GH 320
wait_until idle.gave 30 mem_below $GI $((idle0 - 32))
note "$(bal $GH 1) target $(bal $GH 9) actual $(bal $GH 10) need $(bal $GH 11) pressure $(bal $GH 12)"
expect_out hog.reserve-kept "reserve $reserve MiB" $X balloon status

# --- a domain that does not fit in free memory: room is made ---
beyond=$(( $(free_mib) - reserve ))
expect_eq new.does-not-fit "free beyond the reserve ($beyond MiB) below 96 MiB" \
    "$((beyond < 96))" 1
cfgn=$(guest_cfg $GN pv "memory = 96")
slow 60 need boot_guest new $GN $X create "$cfgn"
expect_out new.reservation '"what":"reservation-used".*"for":"'$GN'"' cat $EVENTS
cfgg=$(guest_cfg lab-bal-giant pv "memory = 8192")
expect_error giant.refused \
    "balloon refused to start lab-bal-giant: lab-bal-giant needs [0-9.]+ MiB but only [0-9.]+ MiB can be made free" \
    $X create "$cfgg"
expect_eq giant.nothing-left "xl list lab-bal-giant" "$(xl_has lab-bal-giant && echo there)" ""

# --- xenithd killed with -9 and started again: no target undone ---
# Once balancing is done: while targets still move, balancing goes on
# across the restart, as it would have without it.  Where they come to
# rest depends on the guests' pressure, so on how fast the machine running
# the lab is: the hog given its need, or (a slow machine's hog asks for
# all its 640 MiB, and the squeezed idle guest may come under pressure
# too) the memory beyond the reserve shared between the two.  So: wait
# until neither target has moved by 2 MiB for 6 s (three of the daemon's
# 2 s passes).
kill $EV 2>/dev/null
check new.destroy $X destroy $GN
REST_REF= REST_SINCE=
near() { [ $(($1 - $2)) -le 2 ] && [ $(($2 - $1)) -le 2 ]; }
at_rest() {
    local th ti now
    th=$(bal $GH 9); ti=$(bal $GI 9); now=$(date +%s)
    echo "targets: $GH $th (need $(bal $GH 11)), $GI $ti (need $(bal $GI 11));" \
         "free beyond the reserve $(( $(free_mib) - reserve )) MiB"
    [ -n "$th" ] && [ -n "$ti" ] || return 1
    if [ -z "$REST_REF" ] || ! near "${REST_REF% *}" "$th" ||
       ! near "${REST_REF#* }" "$ti"; then
        REST_REF="$th $ti" REST_SINCE=$now
    fi
    echo "unmoved for $((now - REST_SINCE)) s"
    [ $((now - REST_SINCE)) -ge 6 ]
}
wait_until settled 90 at_rest
sleep 4
ti=$(target $GI)
th=$(target $GH)
restart_xenithd $OPTS -o balloon.reserve=$reserve
need wait_until restart.again 30 $X list
sleep 8
# Undoing would put the guests back toward what they were made with: the
# idle guest up (384 MiB), the hog down (256 MiB).  Balancing may go on
# (a hog under pressure raised from free memory), undoing may not.
not_up() { [ "$2" -le $(($1 + 16384)) ]; }
not_down() { [ "$2" -ge $(($1 - 16384)) ]; }
expect_eq restart.idle "$GI's target $ti KiB, now $(target $GI): not raised back" \
    "$(not_up "$ti" "$(target $GI)" && echo kept)" kept
expect_eq restart.hog "$GH's target $th KiB, now $(target $GH): not lowered back" \
    "$(not_down "$th" "$(target $GH)" && echo kept)" kept

quiet xl destroy $GI
quiet xl destroy $GH
# The daemon as the lab runs it, for the files after this one.
restart_xenithd
wait_until restart.plain 30 $X list
exit 0
