# 88-sched-tune.sh - credit2 (Xen's default scheduler; here a cpupool's)
# with guests that burn CPU in a cpupool of one pCPU: weights set through
# xenith share the pCPU in their ratio, a cap holds a guest to its share,
# and xenithd's scheduler tuning throttles a low-class guest while a
# critical one is short, releases it when the overload ends, and a restart
# after kill -9 puts the base values back (sched-tune-lib.sh; the same under
# credit: 88-sched-tune-credit.sh).  In boot B with 80-hv-probe: boot A's
# budget has no room left, and a cpupool has its own scheduler.
# shellcheck shell=dash source=sched-tune-lib.sh
# lab-boot: B
# lab-timeout: 150

SCHED=credit2
. /lab/cases/sched-tune-lib.sh
