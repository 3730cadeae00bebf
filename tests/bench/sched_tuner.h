/*
 * sched_tuner.h - xenith's scheduler tuner driven over a sim host exactly
 * as the service's pass does it (schedtune/sched_pass.c): every domain
 * sampled with smeasure_sample (the sim knows the waiting time, so demand
 * is known), the planner's inputs built the same way, splan_run, and each
 * want that differs from what the domain runs with set through
 * sim_dom_sched_set.  No admin values: every domain starts at its base
 * (the bench makes them so), so admin_weight and admin_cap are 0.
 */
#ifndef XENITH_BENCH_SCHED_TUNER_H
#define XENITH_BENCH_SCHED_TUNER_H

#include <stddef.h>
#include <stdint.h>

#include "schedtune/measure.h"
#include "schedtune/plan.h"
#include "sim/sim_host.h"

struct sched_tuner {
    struct splan_params p;
    uint64_t tau_ns;            /* the smoothing (sched.smoothing) */
    size_t n;
    uint32_t *domids;           /* n entries, owned */
    enum splan_class *cls;      /* n entries, owned */
    struct smeasure *m;         /* n entries, owned */
    struct splan_dom *plan;     /* n entries, owned: the last pass's */
    size_t n_pools;
    struct splan_pool *pools;   /* the planner's memory, owned */
};

/* Domains domids[0..n) with classes cls[0..n) (copied); the host's pools
 * as they are now (each NORMAL).  0, or -1 when out of memory (t is then
 * disposed). */
int sched_tuner_init(struct sched_tuner *t, const struct splan_params *p,
                     uint64_t tau_ns, struct sim_host *h,
                     const uint32_t *domids, const enum splan_class *cls,
                     size_t n);
void sched_tuner_dispose(struct sched_tuner *t);

/* One pass at the host's clock `now`: *res as splan_run fills it, *sets_r
 * the domains whose weight or cap was set.  0, or -1 (out of memory, or a
 * domain gone, or the sim refused a value). */
int sched_tuner_pass(struct sched_tuner *t, struct sim_host *h, uint64_t now,
                     struct splan_result *res, unsigned *sets_r);

/* The pool's level (-1: not throttling), or -2 when there is no such
 * pool. */
int sched_tuner_level(const struct sched_tuner *t, uint32_t poolid);

#endif
