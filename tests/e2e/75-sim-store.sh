#!/bin/sh
# The simulated host's own xenstore, through Debian's unmodified
# xenstore-* tools (package xenstore-utils): the domains' trees as libxl
# lays them out, a balloon target and a shutdown request written by a
# client, @introduceDomain when a domain is created; then, on
# tests/sim/balloon.xml, the guest agents' memory reports (written by the
# guests, in their own data/) and a balloon that moves gradually.
. "$(dirname "$0")/lib.sh"

for tool in xenstore-ls xenstore-read xenstore-write xenstore-watch; do
    if ! command -v $tool >/dev/null 2>&1; then
        echo "SKIP 75-sim-store: $tool is not installed (xenstore-utils)"
        exit 0
    fi
done

start_daemon

store=$(xenith info --json | sed -n 's/^ *"store": "\(.*\)",*$/\1/p')
if [ -S "$store" ]; then
    pass "info names the store socket"
else
    fail "info names the store socket" "\"$store\" is not a socket"
    finish
    exit 1
fi
export XENSTORED_PATH="$store"

# --- the tree of web1 ---
uuid=$(field web1 uuid)
xenstore-ls /local/domain/1 >"$T/ls" 2>&1
for want in 'name = "web1"' 'vm = "/vm/'"$uuid"'"' 'domid = "1"' \
            'static-max = "1048576"' 'target = "1048576"' \
            'availability = "online"' 'shutdown = ""' \
            'feature-poweroff = ""'; do
    grep -qF "$want" "$T/ls" && pass "xenstore-ls web1: $want" ||
        fail "xenstore-ls web1: $want" "not in: $(cat "$T/ls")"
done
outputs "xenstore-read /vm/UUID/name" '^web1$' \
    xenstore-read "/vm/$uuid/name"
outputs "xenstore-read Domain-0" '^Domain-0$' xenstore-read /local/domain/0/name
outputs "xenstore-read /libxl/1/type" '^pvh$' xenstore-read /libxl/1/type
xenstore-ls /local/domain >"$T/doms" 2>&1
doms=$(grep -c '^[0-9]' "$T/doms")
[ "$doms" -eq 3 ] && pass "three domains in the store" ||
    fail "three domains in the store" "$(cat "$T/doms")"

# --- a balloon target written by a client ---
web1_mem() { xenith list web1 | awk '$1 == "web1" {print $3}'; }
ok "xenstore-write memory/target" \
    xenstore-write /local/domain/1/memory/target 524288
wait_for "web1 balloons down to 512 MiB" 10 test "$(web1_mem)" = 512
[ "$(field web1 target_kb)" = 524288 ] && pass "target_kb follows" ||
    fail "target_kb follows" "$(xenith list --json web1)"
# above the maximum: the guest keeps its target, the store is put back
ok "xenstore-write too much" \
    xenstore-write /local/domain/1/memory/target 4194304
wait_for "an impossible target is put back" 10 \
    test "$(xenstore-read /local/domain/1/memory/target)" = 524288
[ "$(web1_mem)" = 512 ] && pass "web1 keeps 512 MiB" ||
    fail "web1 keeps 512 MiB" "$(xenith list web1)"
# the toolstack's own change shows in the store
ok "xenith mem-set" xenith mem-set web1 768m
outputs "mem-set writes memory/target" '^786432$' \
    xenstore-read /local/domain/1/memory/target
ok "xenith rename" xenith rename db1 db9
outputs "rename writes the name" '^db9$' xenstore-read /local/domain/2/name

# --- @introduceDomain when a domain is created ---
xenstore-watch -n 2 @introduceDomain >"$T/watch" 2>&1 &
WATCH=$!
wait_for "xenstore-watch is watching" 10 grep -q '@introduceDomain' \
    "$T/watch"
ok "xenith create" xenith create "$(mkcfg web2 128)"
i=0
while kill -0 $WATCH 2>/dev/null && [ $i -lt 100 ]; do
    sleep 0.1
    i=$((i + 1))
done
if kill -0 $WATCH 2>/dev/null; then
    kill $WATCH
    fail "xenstore-watch sees @introduceDomain" "only: $(cat "$T/watch")"
else
    n=$(grep -c '^@introduceDomain' "$T/watch")
    [ "$n" -eq 2 ] && pass "xenstore-watch sees @introduceDomain" ||
        fail "xenstore-watch sees @introduceDomain" "$(cat "$T/watch")"
fi
wait $WATCH 2>/dev/null
id=$(field web2 domid)
outputs "web2 laid out" '^web2$' xenstore-read "/local/domain/$id/name"
outputs "web2's memory/target" '^131072$' \
    xenstore-read "/local/domain/$id/memory/target"

# --- a shutdown request written by a client ---
ok "xenstore-write control/shutdown" \
    xenstore-write "/local/domain/$id/control/shutdown" poweroff
wait_for "web2 powers off and goes away" 15 sh -c \
    '! "$XENITH_BIN/xenith" list web2'
wait_for "web2's tree goes with it" 10 sh -c \
    "! xenstore-read /local/domain/$id/name"
outputs "web1 still there" '^web1$' xenstore-read /local/domain/1/name

# --- guest memory: tests/sim/balloon.xml ---
stop_daemon
start_daemon --sim="$SRC/tests/sim/balloon.xml"
store=$(xenith info --json | sed -n 's/^ *"store": "\(.*\)",*$/\1/p')
export XENSTORED_PATH="$store"
report=/local/domain/1/data/xenith-memory      # pressed: every second
seq_of() { xenstore-read "$report" | sed -n 's/^v=1 seq=\([0-9]*\) .*/\1/p'; }

wait_for "pressed's agent writes a report" 10 xenstore-read "$report"
# (the ballooning service may already have given pressed more memory)
outputs "the report's format" \
    '^v=1 seq=[0-9]* every=1 total=[0-9]* avail=[0-9]* swapin=[0-9]* ' \
    xenstore-read "$report"
xenstore-ls -p /local/domain/1/data >"$T/data" 2>&1
grep -q '^xenith-memory = ".*(n1)$' "$T/data" &&
    pass "the report is the guest's own node (n1)" ||
    fail "the report is the guest's own node (n1)" "$(cat "$T/data")"
first=$(seq_of)
new_seq() { s=$(seq_of); [ -n "$s" ] && [ "$s" != "$first" ]; }
wait_for "the next report has a new seq" 10 new_seq
wait_for "quiet's agent (every 2 s) reports" 10 \
    xenstore-read /local/domain/2/data/xenith-memory
if xenstore-read /local/domain/5/data/xenith-memory >/dev/null 2>&1; then
    fail "no agent, no report" "slow has $(xenstore-read \
        /local/domain/5/data/xenith-memory)"
else
    pass "no agent, no report"
fi

# a balloon at 64 MiB/s: the target at once, the memory over seconds
# (the ballooning service leaves these two alone)
ok "slow unmanaged" xenith balloon set slow --unmanaged
ok "stuck unmanaged" xenith balloon set stuck --unmanaged
mem_of() { xenith list "$1" | awk -v n="$1" '$1 == n {print $3}'; }
mem_is() { [ "$(mem_of "$1")" = "$2" ]; }
ok "xenith mem-set on a slow balloon" xenith mem-set slow 1g
[ "$(field slow target_kb)" = 1048576 ] && pass "slow's target is set" ||
    fail "slow's target is set" "$(xenith list --json slow)"
outputs "slow's memory/target" '^1048576$' \
    xenstore-read /local/domain/5/memory/target
wait_for "slow's balloon reaches 1 GiB" 30 mem_is slow 1024
# a stuck driver takes the target and never moves
ok "xenith mem-set on a stuck balloon" xenith mem-set stuck 1g
[ "$(field stuck target_kb)" = 1048576 ] && pass "stuck's target is set" ||
    fail "stuck's target is set" "$(xenith list --json stuck)"
ok "xenith mem-set slow 640m" xenith mem-set slow 640m
wait_for "slow's balloon back down to 640 MiB" 30 mem_is slow 640
[ "$(mem_of stuck)" = 512 ] && pass "stuck still holds 512 MiB" ||
    fail "stuck still holds 512 MiB" "$(xenith list stuck)"

finish
