/* timing.h - wall-clock timing for the bench: CLOCK_MONOTONIC, median of
 * repeated runs.  Only timings use it; the simulated figures never do. */
#ifndef XENITH_BENCH_TIMING_H
#define XENITH_BENCH_TIMING_H

#include <stddef.h>
#include <stdint.h>

uint64_t timing_now_ns(void);
/* The median of v[0..n) (sorts v in place); 0 when n is 0. */
uint64_t timing_median(uint64_t *v, size_t n);

#endif
