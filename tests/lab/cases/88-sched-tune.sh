# 88-sched-tune.sh - credit2 (Xen's default scheduler) with guests that burn
# CPU in a cpupool of one pCPU: weights set through xenith share the pCPU in
# their ratio, a cap holds a guest to its share, and xenithd's scheduler
# tuning throttles a low-class guest while a critical one is short and
# releases it afterwards, also across a kill -9 (sched-tune-lib.sh; the same
# under credit in boot B: 88-sched-tune-credit.sh).
# shellcheck shell=dash source=sched-tune-lib.sh
# lab-timeout: 180

. /lab/cases/sched-tune-lib.sh
