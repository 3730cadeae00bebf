/*
 * policies.h - the memory policies the ballooning bench compares, behind one
 * interface: each second the replay hands a policy the host and the
 * guests that run, and the policy sets targets and maxima through the sim
 * host's calls, as a daemon would.
 *
 *   policy_static     no ballooning: targets stay at memory= (what xl does)
 *   policy_reference  "reference: squeezed-style proportional", written
 *                     for the bench from squeezed's documentation
 *   policy_xenith     xenith's balancer: balloon/plan.c's bplan_run
 */
#ifndef XENITH_BENCH_POLICIES_H
#define XENITH_BENCH_POLICIES_H

#include <stddef.h>
#include <stdint.h>

#include "balloon/plan.h"
#include "sim/sim_host.h"
#include "trace.h"

/* A guest that runs: trace guest index and its domid. */
struct bench_vm {
    size_t gi;
    uint32_t domid;
};

struct policy_ops {
    const char *name;           /* "static", "reference", "xenith" */
    const char *label;          /* for the table */
    /* State for one replay of t (freed by fini); NULL when out of memory.
     * NULL init: the policy keeps no state. */
    void *(*init)(const struct trace *t);
    /* One pass at `now_ns`: dom0 is fixed; reserved_kb is held for a
     * domain being made.  0, or -1 when out of memory.  NULL: nothing. */
    int (*pass)(void *st, struct sim_host *h, const struct bench_vm *vms,
                size_t n, uint64_t now_ns, uint64_t reserved_kb);
    void (*fini)(void *st);
};

extern const struct policy_ops policy_static;
extern const struct policy_ops policy_reference;
extern const struct policy_ops policy_xenith;

/* The planner parameters every xenith run uses (the defaults, with the
 * trace's reserve). */
void policy_xenith_params(const struct trace *t, struct bplan_params *p);

/* The bounds both balancing policies give a guest: xenith's defaults for
 * a guest that reports (max(BPLAN_FLOOR_KB, memory/4)) or does not
 * (memory=), up to maxmem. */
void policy_bounds(const struct trace_guest *g, uint64_t *lo_r,
                   uint64_t *hi_r);

/* Apply one planner action to the sim host.  0, or the sim's error. */
int policy_apply(struct sim_host *h, const struct bplan_action *a);

#endif
