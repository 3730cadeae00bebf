#!/bin/sh
# The simulated host's own xenstore, through Debian's unmodified
# xenstore-* tools (package xenstore-utils): the domains' trees as libxl
# lays them out, a balloon target and a shutdown request written by a
# client, @introduceDomain when a domain is created.
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

finish
