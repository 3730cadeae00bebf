/*
 * trace.h - the ballooning bench's seeded day on one host: the guests, the
 * workloads they run, and when the batch VMs come and go.  The same seed
 * gives the same trace, so the three policies replay exactly the same day.
 *
 * Memory is in KiB, time in seconds of the simulated day.
 */
#ifndef XENITH_BENCH_TRACE_H
#define XENITH_BENCH_TRACE_H

#include <stddef.h>
#include <stdint.h>

#include "sim/sim_host.h"

#define TRACE_NAME_MAX 32
#define TRACE_NEVER UINT32_MAX          /* stop_s of a guest that stays */

struct trace_guest {
    char name[TRACE_NAME_MAX];
    uint64_t cfg_kb;            /* memory= */
    uint64_t smax_kb;           /* maxmem= */
    uint32_t start_s;           /* 0: there from the start */
    uint32_t stop_s;            /* TRACE_NEVER: stays all day */
    struct sim_guest_mem gm;    /* balloon driver, agent, workload, seed */
};

struct trace {
    uint64_t seed;
    uint32_t seconds;           /* length of the day */
    uint64_t host_total_kb;     /* the host's memory */
    uint64_t overhead_kb;       /* Xen's own */
    uint64_t dom0_kb;           /* domain 0, fixed */
    uint64_t guest_room_kb;     /* what the host can give guests */
    uint64_t reserve_kb;        /* host free memory every policy keeps */
    size_t n;
    struct trace_guest *guests; /* owned: trace_dispose */
};

/* The bench's day: 64 guests (56 resident, 8 batch VMs that come and go)
 * with a seeded mix of workloads, on a host overcommitted ~1.5x by the
 * guests' static maxima.  0, or -1 when out of memory. */
int trace_day(struct trace *t, uint64_t seed, uint32_t seconds,
              uint64_t reserve_kb);
void trace_dispose(struct trace *t);

/* The sim host for the trace (no domain yet).  NULL when out of memory. */
struct sim_host *trace_host_new(const struct trace *t, sim_clock_fn *clock,
                                void *opaque);

/* Add domain 0 (fixed, no balloon driver) or guest i.  0 or an XN_ code. */
int trace_add_dom0(const struct trace *t, struct sim_host *h);
int trace_add_guest(const struct trace *t, size_t i, struct sim_host *h,
                    uint32_t *domid_r);

const char *trace_workload_name(enum sim_workload w);

/* A seeded generator (splitmix64): the bench's only source of chance. */
uint64_t trace_rand(uint64_t *state);
/* Uniform in [lo, hi]. */
uint64_t trace_rand_range(uint64_t *state, uint64_t lo, uint64_t hi);

#endif
