#!/bin/sh
# Domain lifecycle on the simulated host, through xenith and xenithd.
. "$(dirname "$0")/lib.sh"
start_daemon

outputs "list shows dom0" "^Domain-0 *0 " xenith list
outputs "info names the sim driver" "driver *: sim" xenith info

free0=$(free_mib)
cfg=$(mkcfg e2e-a 512)
outputs "create" "Created domain e2e-a (id [0-9]*)" xenith create "$cfg"
outputs "list shows it" "^e2e-a " xenith list
[ "$(field e2e-a state)" = running ] && pass "it runs" ||
    fail "it runs" "state is $(field e2e-a state)"
free1=$(free_mib)
[ $((free0 - free1)) -eq 512 ] && pass "free memory down by 512 MiB" ||
    fail "free memory down by 512 MiB" "was $free0, now $free1"
fails "duplicate name" 'a domain named "e2e-a" already exists' \
    xenith create "$cfg"

outputs "create paused" "paused" xenith create -p "$(mkcfg e2e-b 256)"
[ "$(field e2e-b state)" = paused ] && pass "it is paused" ||
    fail "it is paused" "state is $(field e2e-b state)"
ok "unpause" xenith unpause e2e-b
[ "$(field e2e-b state)" = running ] && pass "unpaused" ||
    fail "unpaused" "state is $(field e2e-b state)"
ok "pause" xenith pause e2e-a
fails "pause twice" "e2e-a.*paused" xenith pause e2e-a
ok "unpause by id" xenith unpause "$(xenith domid e2e-a)"

ok "rename" xenith rename e2e-b e2e-c
outputs "renamed in list" "^e2e-c " xenith list
fails "old name gone" 'no domain named "e2e-b"' xenith list e2e-b
fails "rename onto a taken name" 'already exists' xenith rename e2e-c e2e-a
fails "rename to a number" 'is a number' xenith rename e2e-c 42

ok "destroy" xenith destroy e2e-c
ok "destroy by id" xenith destroy "$(xenith domid e2e-a)"
[ "$(free_mib)" -eq "$free0" ] && pass "free memory restored" ||
    fail "free memory restored" "was $free0, now $(free_mib)"

fails "unknown domain" 'no domain named "ghost"' xenith pause ghost
fails "unknown id" 'no domain with id 999' xenith destroy 999
fails "dom0 protected" 'domain 0 .* cannot be destroyed' xenith destroy 0

# Memory is accounted: a domain larger than the free memory is refused.
big=$(( $(free_mib) + 1024 ))
fails "not enough memory" "e2e-big" xenith create "$(mkcfg e2e-big $big)"
outputs "nothing half-made" "" sh -c "! xenith list | grep e2e-big"

# Config errors come back with file:line and the quoted value.
printf 'name = "bad"\nmemory = "lots"\n' >"$T/bad.cfg"
fails "bad config" "bad.cfg:2: memory: \"lots\"" xenith create "$T/bad.cfg"
fails "missing config file" "cannot open $T/none.cfg" \
    xenith create "$T/none.cfg"
finish
