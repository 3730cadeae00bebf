/*
 * sched_passtime.h - the wall-clock time of one full tuning pass at many
 * domains (sample every domain from a sim host, build the planner's
 * inputs, splan_run, apply), against the time to read the same domains'
 * CPU counters alone (median of repeated passes, CLOCK_MONOTONIC).
 */
#ifndef XENITH_BENCH_SCHED_PASSTIME_H
#define XENITH_BENCH_SCHED_PASSTIME_H

#include <stddef.h>
#include <stdint.h>

#define SCHED_PASSTIME_POOLS 4
#define SCHED_PASSTIME_POOL_CPUS 64

struct sched_passtime {
    uint64_t pass_ns;           /* median of a full pass */
    uint64_t sample_ns;         /* median of reading the counters only */
    unsigned throttling;        /* pools in an episode while timed */
};

/* n domains (domain 0 and n - 1 guests of seeded classes, sizes and fixed
 * demands, about 1.5 x the CPUs of each of the host's pools) in
 * SCHED_PASSTIME_POOLS pools; a few untimed passes first, so that the
 * pools are in their episodes as a running service has them, then `runs`
 * of each, one simulated second apart.  0, or -1 when out of memory or
 * the sim refused the set-up. */
int sched_passtime_measure(size_t n, unsigned runs, uint64_t seed,
                           struct sched_passtime *r);

#endif
