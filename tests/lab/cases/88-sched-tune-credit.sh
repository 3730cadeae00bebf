# 88-sched-tune-credit.sh - 88-sched-tune.sh under the credit scheduler
# (boot B: Xen runs with sched=credit, and so does the test pool): the same
# checks, from sched-tune-lib.sh.
# shellcheck shell=dash source=sched-tune-lib.sh
# lab-boot: B
# lab-timeout: 180

. /lab/cases/sched-tune-lib.sh
