/* sched_tuner.c - xenith's tuning pass over a sim host (sched_tuner.h). */
#include "sched_tuner.h"

#include <stdlib.h>
#include <string.h>

void sched_tuner_dispose(struct sched_tuner *t)
{
    free(t->domids);
    free(t->cls);
    free(t->m);
    free(t->plan);
    free(t->pools);
    memset(t, 0, sizeof(*t));
}

int sched_tuner_init(struct sched_tuner *t, const struct splan_params *p,
                     uint64_t tau_ns, struct sim_host *h,
                     const uint32_t *domids, const enum splan_class *cls,
                     size_t n)
{
    size_t k = 0;

    memset(t, 0, sizeof(*t));
    t->p = *p;
    t->tau_ns = tau_ns;
    t->n = n;
    t->domids = calloc(n ? n : 1, sizeof(*t->domids));
    t->cls = calloc(n ? n : 1, sizeof(*t->cls));
    t->m = calloc(n ? n : 1, sizeof(*t->m));
    t->plan = calloc(n ? n : 1, sizeof(*t->plan));
    t->pools = calloc(SIM_POOLS_MAX, sizeof(*t->pools));
    if (!t->domids || !t->cls || !t->m || !t->plan || !t->pools) {
        sched_tuner_dispose(t);
        return -1;
    }
    memcpy(t->domids, domids, n * sizeof(*domids));
    memcpy(t->cls, cls, n * sizeof(*cls));
    /* as sync_pools() does: a new pool starts NORMAL, level -1 */
    for (uint32_t id = 0; id < SIM_POOLS_MAX; id++) {
        const struct sim_pool *sp = sim_pool_get(h, id);

        if (!sp)
            continue;
        t->pools[k].poolid = sp->id;
        t->pools[k].sched = sp->sched;
        t->pools[k].ncpus = cpuset_count(&sp->cpus);
        t->pools[k].level = -1;
        k++;
    }
    t->n_pools = k;
    return 0;
}

/* plan_input() of sched_pass.c, with the sim host as the driver. */
static int input(struct sched_tuner *t, struct sim_host *h, size_t i,
                 uint64_t now)
{
    struct sim_dom *d = sim_dom_get(h, t->domids[i]);
    struct splan_dom *pd = &t->plan[i];
    enum hv_state st;
    bool running;

    if (!d)
        return -1;
    st = sim_dom_state(d);
    running = st == HV_STATE_RUNNING || st == HV_STATE_BLOCKED;
    smeasure_sample(&t->m[i], now, sim_dom_cpu_time(h, d),
                    sim_dom_wait_ns(h, d), true, running, t->tau_ns);
    memset(pd, 0, sizeof(*pd));
    pd->domid = d->domid;
    pd->poolid = d->poolid;
    pd->cls = t->cls[i];
    pd->vcpus = d->vcpus_online;
    pd->use = t->m[i].use;
    pd->demand = t->m[i].demand;
    pd->demand_known = true;
    pd->weight = d->weight;
    pd->cap = d->cap;
    return 0;
}

int sched_tuner_pass(struct sched_tuner *t, struct sim_host *h, uint64_t now,
                     struct splan_result *res, unsigned *sets_r)
{
    unsigned sets = 0;

    for (size_t i = 0; i < t->n; i++)
        if (input(t, h, i, now) < 0)
            return -1;
    if (splan_run(&t->p, now, t->pools, t->n_pools, t->plan, t->n, res) < 0)
        return -1;
    for (size_t i = 0; i < t->n; i++) {
        const struct splan_dom *pd = &t->plan[i];
        struct sim_dom *d;
        struct hv_sched_params sp;

        if (pd->want_weight == pd->weight && pd->want_cap == pd->cap)
            continue;
        if (!(d = sim_dom_get(h, pd->domid)))
            return -1;
        sp.sched = HV_SCHED_UNKNOWN;
        sp.weight = pd->want_weight;
        sp.cap = pd->want_cap;
        if (sim_dom_sched_set(h, d, &sp, NULL) < 0)
            return -1;
        sets++;
    }
    *sets_r = sets;
    return 0;
}

int sched_tuner_level(const struct sched_tuner *t, uint32_t poolid)
{
    for (size_t i = 0; i < t->n_pools; i++)
        if (t->pools[i].poolid == poolid)
            return t->pools[i].level;
    return -2;
}
