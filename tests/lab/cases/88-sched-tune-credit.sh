# 88-sched-tune-credit.sh - 88-sched-tune.sh under the credit scheduler
# (the test pool's; boot B's Xen runs sched=credit too): the same checks,
# from sched-tune-lib.sh.
# shellcheck shell=dash source=sched-tune-lib.sh
# lab-boot: B
# lab-timeout: 150

SCHED=credit
. /lab/cases/sched-tune-lib.sh
