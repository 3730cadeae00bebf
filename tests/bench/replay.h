/*
 * replay.h - replay the trace's day on a fresh sim host under one policy,
 * in one-second steps of a simulated clock, and add up what the guests
 * went through.
 *
 * Each second: the guests' memory moves to the new second
 * (sim_host_mem_advance); the batch VMs due stop; those due start once
 * free memory covers them and the reserve (until then their memory is a
 * reservation the policy must free); the policy makes its pass; a second
 * in which free memory was below the reserve counts as a violation.
 */
#ifndef XENITH_BENCH_REPLAY_H
#define XENITH_BENCH_REPLAY_H

#include <stdint.h>
#include <stdio.h>

#include "policies.h"
#include "trace.h"

#define REPLAY_WL_KINDS 5       /* enum sim_workload */

struct replay_result {
    double short_gibs;          /* demand above what guests held, GiB.s */
    uint32_t oom_kills;
    double beyond_max_gibs;     /* of the shortfall, demand above maxmem:
                                 * no ballooning could have given it */
    uint32_t oom_at_max;        /* kills of guests holding their maximum */
    double moved_gib;           /* what the balloons moved, GiB */
    uint32_t reserve_violation_s;
    uint32_t start_wait_s;      /* batch VMs' waits for memory, summed */
    uint32_t not_started;       /* batch VMs that never got memory (their
                                 * wait counts until their stop time) */
    double short_by_wl[REPLAY_WL_KINDS];
    uint32_t kills_by_wl[REPLAY_WL_KINDS];
    double moved_by_wl[REPLAY_WL_KINDS];
};

/* 0, or -1 (out of memory, or the sim refused the trace's set-up).
 * dump: per-hour aggregates are printed there when not NULL. */
int replay_day(const struct trace *t, const struct policy_ops *pol,
               struct replay_result *r, FILE *dump);

#endif
