/*
 * ref_plan.h - the bench's reference policy, "reference: squeezed-style
 * proportional": a reimplementation, from squeezed's documentation (not
 * from its code), of how xapi's squeezed shares a host's memory.  It is
 * the baseline xenith's balancer is measured against; xenithd never runs
 * it.
 *
 * One pass, as squeezed documents its policy:
 *  - every balloonable domain has a range [min, max] (dynamic-min and
 *    dynamic-max); the memory the host can give them (free memory plus
 *    what they hold, less the reserve and the reservations) is shared so
 *    that every domain sits at the same fraction of its range;
 *  - targets are lowered before any is raised, and raises come only from
 *    memory that is free now (never from memory still being given back);
 *  - a domain asked to shrink that does not move for a while is left out:
 *    what it holds counts as fixed (squeezed's "inactive" domains);
 *  - guests' own reports play no part.
 * Memory in KiB, time in nanoseconds, as plan.h.
 */
#ifndef XENITH_BENCH_REF_PLAN_H
#define XENITH_BENCH_REF_PLAN_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "balloon/plan.h"

struct ref_params {
    uint64_t reserve_kb;        /* host free memory always kept */
    uint64_t slack_kb;          /* this close to its target counts as there */
    uint64_t stuck_ns;          /* no progress this long: left out */
};

/* The reserve of the trace, and xenith's slack and stuck time, so that
 * both balancers judge progress alike. */
void ref_params_init(struct ref_params *p, uint64_t reserve_kb);

struct ref_memo {
    uint64_t progress_kb;       /* what it held when it last moved down */
    uint64_t progress_ns;
    bool inactive;              /* left out: its memory is fixed */
};

struct ref_dom {
    uint32_t domid;
    bool managed;               /* false: fixed (domain 0) */
    uint64_t min_kb, max_kb;    /* the range */
    uint64_t target_kb, actual_kb;
    struct ref_memo memo;       /* kept by the caller between passes */
    uint64_t goal_kb;           /* out */
};

/* One pass; acts must hold BPLAN_ACTS_MAX(n); lowers come before raises.
 * Returns the number of actions (only BPLAN_SET_TARGET), -1 when out of
 * memory. */
int ref_plan_run(const struct ref_params *p, const struct bplan_host *h,
                 struct ref_dom *doms, size_t n, struct bplan_action *acts);

#endif
