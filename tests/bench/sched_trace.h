/*
 * sched_trace.h - the scheduler bench's seeded trace: one credit2 pool of
 * 16 pCPUs, domain 0 and 19 guests of every class, and what each wants to
 * run every second: a steady background, short bursts, and a few overload
 * episodes of some minutes in which the critical and high domains get
 * busy and the batch load rises, to about twice the pool's capacity.
 *
 * The demand is a table (one value per domain and second), so every
 * policy replays exactly the same seconds.  CPU amounts are CPUs' worth,
 * time is whole seconds of the trace.
 */
#ifndef XENITH_BENCH_SCHED_TRACE_H
#define XENITH_BENCH_SCHED_TRACE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "schedtune/plan.h"
#include "sim/sim_host.h"

#define SCHED_TRACE_DOMS_MAX 32
#define SCHED_TRACE_EPS_MAX 8
#define SCHED_TRACE_MIN_S 300       /* the shortest trace that holds one
                                     * episode */

struct sched_trace_dom {
    char name[HV_NAME_MAX];
    enum splan_class cls;
    uint32_t vcpus;
    bool dom0;
    double *demand;             /* seconds entries, 0..vcpus; owned */
};

/* An overload episode: its nominal span (when the busy domains join and
 * leave), and the seconds in which the total demand is above the pool's
 * capacity ([begin_s, end_s), begin_s the first such second). */
struct sched_trace_ep {
    uint32_t nominal_s, nominal_end_s;
    uint32_t begin_s, end_s;
    uint32_t busy_s;            /* the first overload second in which a
                                 * domain of a protected class (dom0,
                                 * critical, high) wants a quarter of its
                                 * vCPUs or more: from then on the tuner
                                 * has someone to protect (docs/sched.md,
                                 * "hot"); end_s if never */
    double peak;                /* highest total demand, CPUs */
};

struct sched_trace {
    uint64_t seed;
    uint32_t seconds;
    uint32_t ncpus;             /* the pool's pCPUs */
    size_t n;
    struct sched_trace_dom doms[SCHED_TRACE_DOMS_MAX];  /* doms[0]: dom0 */
    size_t n_eps;
    struct sched_trace_ep eps[SCHED_TRACE_EPS_MAX];
    double *total;              /* seconds entries: Σ demand; owned */
    int8_t *ep_of;              /* seconds entries: the episode whose
                                 * [begin_s, end_s) holds it, or -1 */
};

/* The trace for seed, `seconds` long (>= SCHED_TRACE_MIN_S): one episode
 * per 24 minutes, 1 to 6.  0, or -1 when out of memory (t is then
 * disposed). */
int sched_trace_make(struct sched_trace *t, uint64_t seed, uint32_t seconds);
void sched_trace_dispose(struct sched_trace *t);

/* A fresh host on the caller's clock (set before the domains are made, so
 * trace time 0 is the clock now) with the trace's domains, each running
 * with weight weights[i] (doms[i]), no cap, and its demand of second 0.
 * Domain i gets domid i (domain 0 first).  *h_r is the caller's
 * (sim_host_free).  0, or an XN_ code. */
int sched_trace_host(const struct sched_trace *t, const int *weights,
                     sim_clock_fn *clock, void *opaque,
                     struct sim_host **h_r);

#endif
