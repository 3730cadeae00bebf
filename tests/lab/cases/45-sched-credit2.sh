# 45-sched-credit2.sh - credit2 (Xen's default scheduler) through xenith:
# per-domain weight/cap and the pool's ratelimit, read back.
# shellcheck shell=dash disable=SC2086,SC1087
# ($X is one word, and "$G[[:space:]]" is a regular expression.)
# lab-timeout: 90

G=lab-sched2
cfg=$(guest_cfg $G pv)
# Scheduling parameters need no running guest: a paused one is quicker.
need check create-paused $X create -p "$cfg"
cp "$OUT" "$WORK/create.out"
id=$(xl_domid $G)
if xenith_only create-paused.message; then
    expect_out create-paused.message "^Created domain $G \\(id $id\\)(, paused)?\$" cat "$WORK/create.out"
fi
expect_eq create-paused.state "xl's state" "$(state_paused "$(xl_state $G)" && echo paused)" paused

check domain.set $X sched-credit2 -d $G -w 512 -c 50
expect_out domain.get "^$G[[:space:]]+$id[[:space:]]+512[[:space:]]+50[[:space:]]*\$" $X sched-credit2 -d $G
expect_out domain.xl "^$G[[:space:]]+$id[[:space:]]+512[[:space:]]+50[[:space:]]*\$" xl sched-credit2 -d $G
check domain.weight-only $X sched-credit2 -d $G -w 300
expect_out domain.weight-only.get "^$G[[:space:]]+$id[[:space:]]+300[[:space:]]+50[[:space:]]*\$" $X sched-credit2 -d $G

ratelimit() { xl sched-credit2 -s -p Pool-0 2>/dev/null | sed -n 's/.*ratelimit=\([0-9]*\)us.*/\1/p'; }
orig=$(ratelimit)
note "Pool-0 ratelimit was ${orig}us"
check pool.set $X sched-credit2 -s -p Pool-0 -r 2000
expect_out pool.get 'ratelimit=2000us' $X sched-credit2 -s -p Pool-0
expect_eq pool.xl "ratelimit per xl" "$(ratelimit)" 2000
check pool.restore $X sched-credit2 -s -p Pool-0 -r "${orig:-1000}"

# credit's commands fail cleanly on a credit2 pool.
if xenith_only wrong-scheduler; then
    expect_error wrong-scheduler 'credit' $X sched-credit -d $G
fi
check destroy $X destroy $G
