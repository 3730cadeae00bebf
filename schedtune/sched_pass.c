/*
 * sched_pass.c - one tuning pass: read the domains and pools, measure each
 * domain's CPU use and demand, let the planner decide (plan.c), and set
 * the weights and caps that changed, each in its domain's job.
 *
 * Passes run every sched.interval, and soon after a domain arrives, dies
 * or changes class (never closer than GAP_NS; pacer.h).
 */
#include "schedtune/schedtune.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "log.h"

#define GAP_NS 100000000ull         /* 100 ms between passes at least */

uint64_t sched_now(void)
{
    struct timespec ts;

    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

static bool tunable(enum hv_sched s)
{
    return s == HV_SCHED_CREDIT || s == HV_SCHED_CREDIT2;
}

/* --- the pools --- */

static struct spool *pool_find(struct schedtune *t, uint32_t poolid)
{
    for (size_t i = 0; i < t->n_pools; i++)
        if (t->pools[i].p.poolid == poolid)
            return &t->pools[i];
    return NULL;
}

/* Keep the planner's state of the pools still there; new ones start
 * NORMAL. */
static int sync_pools(struct schedtune *t, const struct hv_poolinfo *list,
                      size_t n)
{
    struct spool *pools = calloc(n ? n : 1, sizeof(*pools));

    if (!pools)
        return -1;
    for (size_t i = 0; i < n; i++) {
        struct spool *old = pool_find(t, list[i].poolid), *sp = &pools[i];

        if (old && old->p.sched == list[i].sched)
            *sp = *old;
        else
            sp->p.level = -1;
        sp->p.poolid = list[i].poolid;
        sp->p.sched = list[i].sched;
        sp->ncpus = cpuset_count(&list[i].cpus);
        sp->p.ncpus = sp->ncpus;
        snprintf(sp->name, sizeof(sp->name), "%s", list[i].name);
    }
    free(t->pools);
    t->pools = pools;
    t->n_pools = n;
    return 0;
}

/* --- carrying changes out, in the domain's job --- */

/* A job asked and not yet run.  The service keeps a list of them so that,
 * closed first, it leaves them nothing to touch (t becomes NULL). */
struct apply {
    struct schedtune *t;
    struct jobs *jobs;          /* the daemon's: outlives the service */
    uint32_t domid;
    uint8_t uuid[16];
    struct apply *next, **prev;
};

static void apply_free(struct apply *a)
{
    if (a->t) {
        if (a->next)
            a->next->prev = a->prev;
        *a->prev = a->next;
    }
    free(a);
}

static void apply_cancel(void *arg)
{
    apply_free(arg);
}

void sched_jobs_orphan(struct schedtune *t)
{
    for (struct apply *a = t->applies, *next; a; a = next) {
        next = a->next;
        a->t = NULL;
    }
    t->applies = NULL;
}

/* The domain the job was asked for, if it is still the same domain. */
static struct sdom *find(struct schedtune *t, const struct apply *a)
{
    struct sdom *sd = sdom_find(t, a->domid);

    return sd && memcmp(sd->uuid, a->uuid, 16) == 0 ? sd : NULL;
}

static void apply_start(void *arg, job_token token)
{
    struct apply *a = arg;
    struct schedtune *t = a->t;
    struct jobs *jobs = a->jobs;
    struct sdom *sd = t ? find(t, a) : NULL;

    apply_free(a);
    if (sd) {
        sd->job_queued = false;
        sched_set(t, sd, sd->plan.want_weight, sd->plan.want_cap);
    }
    jobs_end(jobs, token);
}

/* The domain's values are read again first: one changed since the pass
 * (by the admin) is taken as theirs, and the pass after decides again. */
void sched_set(struct schedtune *t, struct sdom *sd, int weight, int cap)
{
    struct hv_dominfo info;
    struct hv_sched_params p;
    struct xn_msg msg;

    if (hv_dom_by_uuid(t->d->hv, sd->uuid, &info, NULL) < 0)
        return;
    sdom_observe(t, sd, &info);
    if (!tunable(info.sched.sched) || (weight == info.sched.weight &&
                                       cap == info.sched.cap))
        return;
    p.sched = info.sched.sched;
    p.weight = weight;
    p.cap = cap;
    if (hv_sched_set(t->d->hv, info.domid, &p, &msg) < 0) {
        xn_log(XN_LOG_WARNING, "sched: %s", msg.text);
        return;
    }
    sdom_expect(t, sd, p.weight, p.cap);
    sd->weight = p.weight;          /* the status shows it at once */
    sd->cap = p.cap;
}

static void queue(struct schedtune *t, struct sdom *sd)
{
    struct apply *a;

    if (sd->job_queued)
        return;                     /* the queued job takes the latest */
    if (!(a = malloc(sizeof(*a))))
        return;
    a->t = t;
    a->jobs = t->d->jobs;
    a->domid = sd->domid;
    memcpy(a->uuid, sd->uuid, 16);
    a->next = t->applies;
    a->prev = &t->applies;
    if (t->applies)
        t->applies->prev = &a->next;
    t->applies = a;
    sd->job_queued = true;
    if (jobs_begin(t->d->jobs, sd->uuid, "sched", apply_start, apply_cancel,
                   a) < 0) {
        sd->job_queued = false;
        apply_free(a);
    }
}

/* --- the pass --- */

static void plan_input(struct schedtune *t, struct sdom *sd,
                       const struct hv_dominfo *info, uint64_t now,
                       struct splan_dom *pd)
{
    sdom_observe(t, sd, info);
    smeasure_sample(&sd->m, now, info->cpu_time_ns, info->wait_ns,
                    info->wait_known, sd->running, t->tau_ns);
    memset(pd, 0, sizeof(*pd));
    pd->domid = sd->domid;
    pd->poolid = sd->poolid;
    pd->cls = sd->cls;
    pd->vcpus = sd->vcpus;
    pd->use = sd->m.use;
    pd->demand = sd->m.demand;
    pd->demand_known = info->wait_known;
    pd->weight = sd->weight;
    pd->cap = sd->cap;
    pd->admin_weight = sd->admin_weight;
    pd->admin_cap = sd->admin_cap;
}

/* Events for the episodes that started, rose or ended in this pass. */
static void announce(struct schedtune *t, const struct splan_result *res,
                     const int *was)
{
    if (!res->started && !res->raised && !res->ended)
        return;
    for (size_t i = 0; i < t->n_pools; i++) {
        const struct spool *sp = &t->pools[i];

        if (was[i] < 0 && sp->p.level >= 0) {
            t->episodes++;
            metric_add(t->m.episodes, 1);
            sched_event_pool(t, sp, "throttle-start");
        } else if (was[i] >= 0 && sp->p.level < 0) {
            sched_event_pool(t, sp, "throttle-end");
        } else if (was[i] >= 0 && sp->p.level > was[i]) {
            metric_add(t->m.raises, 1);
            sched_event_pool(t, sp, "throttle-raise");
        }
    }
}

/* Plan over the pools' and domains' state; false when out of memory. */
static bool plan(struct schedtune *t, uint64_t now, struct splan_result *res)
{
    struct splan_pool *pp = calloc(t->n_pools ? t->n_pools : 1, sizeof(*pp));
    int *was = calloc(t->n_pools ? t->n_pools : 1, sizeof(*was));
    bool ok = pp && was;

    for (size_t i = 0; ok && i < t->n_pools; i++) {
        pp[i] = t->pools[i].p;
        was[i] = pp[i].level;
    }
    ok = ok && splan_run(&t->params, now, pp, t->n_pools, t->plan,
                         t->n_doms, res) == 0;
    for (size_t i = 0; ok && i < t->n_pools; i++)
        t->pools[i].p = pp[i];
    for (size_t i = 0; ok && i < t->n_doms; i++)
        t->doms[i].plan = t->plan[i];
    if (ok)
        announce(t, res, was);
    free(pp);
    free(was);
    return ok;
}

static void pass(struct schedtune *t)
{
    struct hv_dominfo *list = NULL;
    struct hv_poolinfo *pools = NULL;
    struct splan_result res;
    struct xn_msg msg;
    size_t n = 0, n_pools = 0;
    uint64_t now = sched_now();

    metric_add(t->m.passes, 1);
    if (hv_dom_list(t->d->hv, &list, &n, &msg) < 0 ||
        hv_pool_list(t->d->hv, &pools, &n_pools, &msg) < 0) {
        xn_log(XN_LOG_WARNING, "sched: %s", msg.text);
        goto out;
    }
    if (sdom_sync(t, list, n) < 0 || sync_pools(t, pools, n_pools) < 0)
        goto out;
    free(t->plan);
    if (!(t->plan = calloc(t->n_doms ? t->n_doms : 1, sizeof(*t->plan))))
        goto out;
    for (size_t i = 0, j = 0; i < t->n_doms; i++) {
        while (list[j].domid != t->doms[i].domid)
            j++;
        plan_input(t, &t->doms[i], &list[j], now, &t->plan[i]);
    }
    if (!plan(t, now, &res))
        goto out;
    for (size_t i = 0; i < t->n_doms; i++) {
        struct sdom *sd = &t->doms[i];

        if (tunable(sd->sched) && (sd->plan.want_weight != sd->weight ||
                                   sd->plan.want_cap != sd->cap)) {
            metric_add(t->m.changes, 1);
            queue(t, sd);
        }
    }
    sched_metrics_update(t);
out:
    free(list);
    free(pools);
}

static uint64_t paced_pass(void *arg)
{
    struct schedtune *t = arg;

    pass(t);
    return t->interval_ns;
}

void sched_pass_soon(struct schedtune *t)
{
    pacer_soon(t->pacer);
}

int sched_timer_open(struct schedtune *t, struct xn_msg *msg)
{
    if (!t->enabled)
        return 0;
    if (!(t->pacer = pacer_new(t->d->base, GAP_NS, paced_pass, t)))
        return xn_msg_set(msg, XN_ENOMEM, "out of memory");
    pacer_soon(t->pacer);
    return 0;
}

void sched_timer_close(struct schedtune *t)
{
    pacer_free(t->pacer);
    t->pacer = NULL;
}

void sched_restore_all(struct schedtune *t)
{
    for (size_t i = 0; i < t->n_doms; i++) {
        struct sdom *sd = &t->doms[i];
        int weight, cap;

        if (sd->plan.throttled || sd->plan.protected_) {
            sdom_base(t, sd, &weight, &cap);
            sched_set(t, sd, weight, cap);
            xn_log(XN_LOG_INFO, "sched: %s (id %u) back to weight %d cap %d",
                   sd->name, sd->domid, weight, cap);
        }
    }
}
