/* ref_plan.c - the reference squeezed-style proportional policy (see
 * ref_plan.h); a reimplementation from squeezed's documentation. */
#include "ref_plan.h"

#include <stdlib.h>

#define PAGE_KB 4u
#define MIB 1024u

static uint64_t pages(uint64_t kb) { return kb / PAGE_KB * PAGE_KB; }
static uint64_t growth(uint64_t target, uint64_t actual)
{
    return target > actual ? target - actual : 0;
}

void ref_params_init(struct ref_params *p, uint64_t reserve_kb)
{
    struct bplan_params x;

    bplan_params_default(&x);
    p->reserve_kb = reserve_kb;
    p->slack_kb = x.slack_kb;
    p->stuck_ns = x.stuck_ns;
}

static bool active(const struct ref_dom *d)
{
    return d->managed && !d->memo.inactive;
}

/* Left out when asked to shrink and not moving for stuck_ns; back in as
 * soon as it moves or is no longer asked. */
static void track(const struct ref_params *p, uint64_t now, struct ref_dom *d)
{
    struct ref_memo *m = &d->memo;
    bool asked = d->target_kb + p->slack_kb < d->actual_kb;
    bool moved = d->actual_kb + p->slack_kb <= m->progress_kb;

    if (m->progress_ns == 0 || moved || !asked) {
        m->progress_kb = d->actual_kb;
        m->progress_ns = now;
        m->inactive = false;
    } else if (now - m->progress_ns >= p->stuck_ns) {
        m->inactive = true;
    }
}

static void emit(struct bplan_action *acts, int *k, struct ref_dom *d,
                 size_t i, uint64_t kb)
{
    acts[(*k)++] = (struct bplan_action){BPLAN_SET_TARGET, d->domid, i, kb,
                                         BPLAN_OK};
    d->target_kb = kb;
}

int ref_plan_run(const struct ref_params *p, const struct bplan_host *h,
                 struct ref_dom *doms, size_t n, struct bplan_action *acts)
{
    int64_t pool = (int64_t)h->free_kb - (int64_t)p->reserve_kb -
                   (int64_t)h->reserved_kb;
    int64_t room = pool;
    uint64_t sum_min = 0, sum_max = 0, *cap = NULL, *give = NULL;
    double *weight = NULL;
    double f;
    int k = 0;

    for (size_t i = 0; i < n; i++) {
        struct ref_dom *d = &doms[i];

        if (d->managed)
            track(p, h->now_ns, d);
        if (active(d)) {
            pool += (int64_t)d->actual_kb;
            sum_min += d->min_kb;
            sum_max += d->max_kb;
        } else {
            pool -= (int64_t)growth(d->target_kb, d->actual_kb);
        }
    }
    /* the one fraction of every range that uses the pool */
    if (pool <= (int64_t)sum_min || sum_max == sum_min)
        f = pool <= (int64_t)sum_min ? 0 : 1;
    else if (pool >= (int64_t)sum_max)
        f = 1;
    else
        f = (double)(pool - (int64_t)sum_min) / (double)(sum_max - sum_min);
    for (size_t i = 0; i < n; i++) {
        struct ref_dom *d = &doms[i];

        d->goal_kb = active(d) ? pages(d->min_kb + (uint64_t)(f *
                                 (double)(d->max_kb - d->min_kb)))
                               : d->target_kb;
        if (active(d) && d->goal_kb < d->target_kb)
            emit(acts, &k, d, i, d->goal_kb);       /* lowers first */
    }
    /* raises from what is free now, in proportion to the ranges */
    cap = calloc(n ? n : 1, sizeof(*cap));
    give = calloc(n ? n : 1, sizeof(*give));
    weight = calloc(n ? n : 1, sizeof(*weight));
    if (!cap || !give || !weight) {
        k = -1;
        goto out;
    }
    for (size_t i = 0; i < n; i++) {
        struct ref_dom *d = &doms[i];
        uint64_t range_mib = (d->max_kb - d->min_kb) / MIB;

        room -= (int64_t)growth(d->target_kb, d->actual_kb);
        cap[i] = active(d) && d->goal_kb > d->target_kb
                 ? d->goal_kb - d->target_kb : 0;
        weight[i] = range_mib ? (double)range_mib : 1;
    }
    if (room > 0 && bplan_share((uint64_t)room, cap, weight, n, give) < 0) {
        k = -1;
        goto out;
    }
    for (size_t i = 0; room > 0 && i < n; i++) {
        uint64_t t = pages(doms[i].target_kb + give[i]);

        if (t > doms[i].target_kb)
            emit(acts, &k, &doms[i], i, t);
    }
out:
    free(cap);
    free(give);
    free(weight);
    return k;
}
