#!/bin/sh
# Memory, vCPUs and scheduler parameters on the simulated host.
. "$(dirname "$0")/lib.sh"
start_daemon

xenith create "$(mkcfg r1 1024 'maxmem = 2048' 'maxvcpus = 4' \
    'vcpus = 2')" >/dev/null || fail "create r1" "create failed"

ok "mem-set" xenith mem-set r1 768m
[ "$(field r1 target_kb)" -eq $((768 * 1024)) ] && pass "target follows" ||
    fail "target follows" "target_kb is $(field r1 target_kb)"
ok "mem-set grows up to maxmem" xenith mem-set r1 2g
fails "mem-set above maxmem" "r1" xenith mem-set r1 3g
ok "mem-max" xenith mem-max r1 4g
[ "$(field r1 max_kb)" -eq $((4096 * 1024)) ] && pass "max follows" ||
    fail "max follows" "max_kb is $(field r1 max_kb)"
ok "mem-set in KiB" xenith mem-set r1 524288k

ok "vcpu-set up" xenith vcpu-set r1 4
[ "$(field r1 vcpus_online)" -eq 4 ] && pass "4 online" ||
    fail "4 online" "vcpus_online is $(field r1 vcpus_online)"
ok "vcpu-set down" xenith vcpu-set r1 1
fails "vcpu-set beyond maxvcpus" "r1" xenith vcpu-set r1 5
ok "vcpu-pin one" xenith vcpu-pin r1 0 1-2
outputs "vcpu-list shows the pin" "^r1 .* 1-2 / all" xenith vcpu-list r1
ok "vcpu-pin all" xenith vcpu-pin r1 all 3 0-1
outputs "vcpu-list shows both affinities" " 3 / 0-1" xenith vcpu-list r1
fails "pin to a CPU the host lacks" 'CPU list "999"' \
    xenith vcpu-pin r1 0 999
fails "bad CPU list" 'CPU list "1-x"' xenith vcpu-pin r1 0 1-x

ok "sched-credit2 set" xenith sched-credit2 -d r1 -w 512 -c 50
outputs "sched-credit2 reads back" "^r1 .* 512 *50$" \
    xenith sched-credit2 -d r1
outputs "sched-credit2 lists all" "^Domain-0 " xenith sched-credit2
fails "credit on a credit2 host" "credit2, not credit" \
    xenith sched-credit -d r1
ok "pool ratelimit" xenith sched-credit2 -s -r 2000
outputs "pool reads back" "Cpupool Pool-0: ratelimit=2000us" \
    xenith sched-credit2 -s
fails "pool of wrong scheduler" "runs credit2, not credit" \
    xenith sched-credit -s
fails "unknown pool" 'no cpupool named "nopool"' \
    xenith sched-credit2 -s -p nopool
outputs "cpupool-list" "^Pool-0 .*credit2" xenith cpupool-list
finish
