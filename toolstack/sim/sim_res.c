/*
 * sim_res.c - what a simulated domain holds: memory (with the host's
 * accounting and the balloon target), vCPUs and their affinity, and its
 * scheduler parameters.
 */
#include "sim/sim_host_int.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define LABEL_MAX SIM_LABEL_MAX

/* --- memory --- */

int sim_dom_set_mem(struct sim_host *h, struct sim_dom *d, uint64_t kb)
{
    uint64_t pages = kb / SIM_PAGE_KB, old = sim_dom_pages(d);

    if (d->page_gen && pages != old) {
        uint32_t *g = realloc(d->page_gen, (pages ? pages : 1) * sizeof(*g));
        if (!g)
            return XN_ENOMEM;
        if (pages > old)
            memset(g + old, 0, (pages - old) * sizeof(*g));
        d->page_gen = g;
    }
    h->used_kb = h->used_kb - d->mem_kb + kb;
    d->mem_kb = kb;
    return 0;
}

/*
 * The guest's balloon driver acting on a new target: one that follows at
 * once (FOLLOW at speed 0, the default) moves now; a gradual one moves in
 * sim_host_mem_advance (sim_balloon.c), as far as free memory allows; a
 * stuck or absent one never.
 */
static int guest_balloon(struct sim_host *h, struct sim_dom *d)
{
    if (!sim_dom_balloon_at_once(d))
        return 0;
    return sim_dom_set_mem(h, d, d->target_kb / SIM_PAGE_KB * SIM_PAGE_KB);
}

int sim_dom_check_target(const struct sim_host *h, const struct sim_dom *d,
                         uint64_t target_kb, struct xn_msg *msg)
{
    char l[LABEL_MAX], a[32], b[32], c[32];
    uint64_t want = target_kb / SIM_PAGE_KB * SIM_PAGE_KB;
    int rc = sim_dom_not_dying(d, msg);

    if (rc < 0)
        return rc;
    if (target_kb > d->max_kb)
        return xn_msg_set(msg, XN_EINVAL, "cannot set the memory target of "
                          "%s to %s: its maximum is %s",
                          sim_dom_label(d, l, sizeof(l)),
                          sim_fmt_kb(target_kb, a, sizeof(a)),
                          sim_fmt_kb(d->max_kb, b, sizeof(b)));
    /* Xen refuses no target up to the maximum; only a balloon that
     * follows at once (the sim's old behaviour) must find the memory now */
    if (sim_dom_balloon_at_once(d) && want > d->mem_kb &&
        want - d->mem_kb > sim_host_free_kb(h))
        return xn_msg_set(msg, XN_ENOMEM, "cannot grow %s to %s: it needs "
                          "%s more but the host has %s free",
                          sim_dom_label(d, l, sizeof(l)),
                          sim_fmt_kb(target_kb, a, sizeof(a)),
                          sim_fmt_kb(want - d->mem_kb, b, sizeof(b)),
                          sim_fmt_kb(sim_host_free_kb(h), c, sizeof(c)));
    return 0;
}

int sim_dom_set_target(struct sim_host *h, struct sim_dom *d,
                       uint64_t target_kb, struct xn_msg *msg)
{
    int rc = sim_dom_check_target(h, d, target_kb, msg);

    if (rc < 0)
        return rc;
    sim_dom_mem_settle(h, d);       /* the old target up to now */
    d->target_kb = target_kb;
    if (guest_balloon(h, d) < 0)
        return xn_msg_set(msg, XN_ENOMEM, "out of memory");
    return 0;
}

int sim_dom_set_max(struct sim_host *h, struct sim_dom *d, uint64_t max_kb,
                    struct xn_msg *msg)
{
    char l[LABEL_MAX], a[32], b[32];
    int rc = sim_dom_not_dying(d, msg);

    if (rc < 0)
        return rc;
    if (max_kb < d->target_kb)
        return xn_msg_set(msg, XN_EINVAL, "cannot set the maximum memory of "
                          "%s to %s: it is below the domain's memory target "
                          "of %s (lower the target first)",
                          sim_dom_label(d, l, sizeof(l)),
                          sim_fmt_kb(max_kb, a, sizeof(a)),
                          sim_fmt_kb(d->target_kb, b, sizeof(b)));
    d->max_kb = max_kb;
    return 0;
}

int sim_dom_set_image(struct sim_dom *d, uint64_t seed, const uint32_t *gens)
{
    uint32_t *g = NULL;

    if (gens) {
        size_t n = sim_dom_pages(d);
        g = malloc((n ? n : 1) * sizeof(*g));
        if (!g)
            return XN_ENOMEM;
        memcpy(g, gens, n * sizeof(*g));
    }
    free(d->page_gen);
    d->page_gen = g;
    d->seed = seed;
    return 0;
}

/* --- vCPUs --- */

int sim_dom_set_vcpus(struct sim_host *h, struct sim_dom *d, uint32_t count,
                      struct xn_msg *msg)
{
    char l[LABEL_MAX];
    int rc = sim_dom_not_dying(d, msg);

    if (rc < 0)
        return rc;
    if (count > d->vcpus_max)
        return xn_msg_set(msg, XN_EINVAL, "%s has at most %u vCPUs; cannot "
                          "bring %u online", sim_dom_label(d, l, sizeof(l)),
                          d->vcpus_max, count);
    sim_sched_change(h, d->poolid, false);
    d->vcpus_online = count;
    for (uint32_t i = 0; i < d->vcpus_max; i++)
        if ((i < count) != (d->vcpus[i].cpu >= 0))
            sim_vcpu_place(h, d, i);
    sim_sched_affinity(h, d);
    return 0;
}

/* The first CPU of s that the host lacks, or -1. */
static int missing_cpu(const struct sim_host *h, const struct cpuset *s)
{
    unsigned span = cpuset_span(s);
    return span > h->spec.nr_cpus ? (int)span - 1 : -1;
}

int sim_dom_pin(struct sim_host *h, struct sim_dom *d, int vcpu,
                const struct cpuset *hard, const struct cpuset *soft,
                struct xn_msg *msg)
{
    const struct sim_pool *pool = &h->pools[d->poolid];
    char l[LABEL_MAX], a[64], b[64];
    int rc = sim_dom_not_dying(d, msg), bad;
    bool in_pool = false;

    if (rc < 0)
        return rc;
    if (vcpu >= 0 && (uint32_t)vcpu >= d->vcpus_max)
        return xn_msg_set(msg, XN_EINVAL, "%s has no vCPU %d (it has %u)",
                          sim_dom_label(d, l, sizeof(l)), vcpu, d->vcpus_max);
    if ((bad = missing_cpu(h, hard)) >= 0 ||
        (soft && (bad = missing_cpu(h, soft)) >= 0))
        return xn_msg_set(msg, XN_EINVAL, "CPU %d does not exist on host %s "
                          "(CPUs 0-%u)", bad, h->spec.name,
                          h->spec.nr_cpus - 1);
    for (unsigned c = 0; c < h->spec.nr_cpus && !in_pool; c++)
        in_pool = cpuset_has(hard, c) && cpuset_has(&pool->cpus, c);
    if (!in_pool)
        return xn_msg_set(msg, XN_EINVAL, "hard affinity %s of %s has no CPU "
                          "of its pool %s (CPUs %s)",
                          cpuset_format(hard, 0, a, sizeof(a)),
                          sim_dom_label(d, l, sizeof(l)), pool->name,
                          cpuset_format(&pool->cpus, 0, b, sizeof(b)));
    sim_sched_change(h, d->poolid, false);
    for (uint32_t i = 0; i < d->vcpus_max; i++) {
        if (vcpu >= 0 && (uint32_t)vcpu != i)
            continue;
        d->vcpus[i].hard = *hard;
        if (soft)
            d->vcpus[i].soft = *soft;
        sim_vcpu_place(h, d, i);
    }
    sim_sched_affinity(h, d);
    return 0;
}

/* --- scheduler --- */

static int sched_check(struct sim_host *h, const struct sim_dom *d,
                       enum hv_sched want, struct xn_msg *msg)
{
    const struct sim_pool *pool = &h->pools[d->poolid];
    char l[LABEL_MAX];

    if (want != HV_SCHED_UNKNOWN && want != pool->sched)
        return xn_msg_set(msg, XN_ENOTSUP, "%s runs in pool %s under %s, "
                          "not %s", sim_dom_label(d, l, sizeof(l)),
                          pool->name, hv_sched_name(pool->sched),
                          hv_sched_name(want));
    return 0;
}

int sim_dom_sched_get(struct sim_host *h, struct sim_dom *d,
                      struct hv_sched_params *p, struct xn_msg *msg)
{
    int rc = sched_check(h, d, p->sched, msg);

    if (rc < 0)
        return rc;
    p->sched = h->pools[d->poolid].sched;
    p->weight = d->weight;
    p->cap = d->cap;
    return 0;
}

int sim_dom_sched_set(struct sim_host *h, struct sim_dom *d,
                      const struct hv_sched_params *p, struct xn_msg *msg)
{
    int rc = sched_check(h, d, p->sched, msg);

    if (rc == 0)
        rc = sim_dom_not_dying(d, msg);
    if (rc < 0)
        return rc;
    sim_sched_change(h, d->poolid, false);  /* new shares from now */
    if (p->weight != -1)
        d->weight = p->weight;
    if (p->cap != -1)
        d->cap = p->cap;
    return 0;
}
