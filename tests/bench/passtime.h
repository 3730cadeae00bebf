/*
 * passtime.h - the wall-clock time of one balancer pass over many domains,
 * xenith's planner against the reference policy on the same host state
 * (median of repeated passes, CLOCK_MONOTONIC).
 */
#ifndef XENITH_BENCH_PASSTIME_H
#define XENITH_BENCH_PASSTIME_H

#include <stddef.h>
#include <stdint.h>

struct passtime {
    uint64_t xenith_ns;         /* median of bplan_run */
    uint64_t reference_ns;      /* median of ref_plan_run */
};

/* n domains with seeded sizes and reports on a host short of memory; each
 * planner's pass timed `runs` times.  0, or -1 when out of memory. */
int passtime_measure(size_t n, unsigned runs, uint64_t seed,
                     struct passtime *r);

#endif
