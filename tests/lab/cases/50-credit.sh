# 50-credit.sh - the credit scheduler (boot B: Xen runs with sched=credit):
# per-domain weight/cap and the pool's tslice/ratelimit, read back.
# shellcheck shell=dash disable=SC2086,SC1087
# ($X is one word, and "$G[[:space:]]" is a regular expression.)
# lab-boot: B
# lab-timeout: 90

expect_out info.scheduler '^xen_scheduler[[:space:]]*:[[:space:]]*credit$' $X info
expect_out cpupool-list '^Pool-0[[:space:]]+2[[:space:]]+credit[[:space:]]' $X cpupool-list

G=lab-sched
cfg=$(guest_cfg $G pv)
need check create-paused $X create -p "$cfg"
id=$(xl_domid $G)

check domain.set $X sched-credit -d $G -w 512 -c 50
expect_out domain.get "^$G[[:space:]]+$id[[:space:]]+512[[:space:]]+50[[:space:]]*\$" $X sched-credit -d $G
expect_out domain.xl "^$G[[:space:]]+$id[[:space:]]+512[[:space:]]+50[[:space:]]*\$" xl sched-credit -d $G
check domain.cap-only $X sched-credit -d $G -c 25
expect_out domain.cap-only.get "^$G[[:space:]]+$id[[:space:]]+512[[:space:]]+25[[:space:]]*\$" $X sched-credit -d $G

pool_param() { xl sched-credit -s -p Pool-0 2>/dev/null | sed -n "s/.*$1=\\([0-9]*\\).*/\\1/p"; }
tslice=$(pool_param tslice)
rlimit=$(pool_param ratelimit)
note "Pool-0 had tslice=${tslice}ms ratelimit=${rlimit}us"
check pool.set $X sched-credit -s -p Pool-0 -t 20 -r 2000
expect_out pool.get 'tslice=20ms.*ratelimit=2000us' $X sched-credit -s -p Pool-0
expect_eq pool.xl "tslice/ratelimit per xl" "$(pool_param tslice)/$(pool_param ratelimit)" 20/2000
check pool.restore $X sched-credit -s -p Pool-0 -t "${tslice:-30}" -r "${rlimit:-1000}"

if xenith_only wrong-scheduler; then
    expect_error wrong-scheduler 'credit2' $X sched-credit2 -d $G
fi
check destroy $X destroy $G
