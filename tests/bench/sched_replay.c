/* sched_replay.c - one policy through the scheduler trace
 * (sched_replay.h). */
#include "sched_replay.h"

#include <string.h>

#include "sched_tuner.h"
#include "timing.h"

#define SEC 1000000000ull
#define T0_NS (1000 * SEC)          /* the fake clock at trace time 0 */
#define TAU_DEFAULT_NS (2 * SEC)    /* sched.smoothing's default */

struct fake_clock {
    uint64_t now_ns;
};

static uint64_t clock_read(void *opaque)
{
    return ((struct fake_clock *)opaque)->now_ns;
}

const char *sched_policy_name(enum sched_policy p)
{
    switch (p) {
    case SCHED_POL_XEN: return "Xen's defaults";
    case SCHED_POL_STATIC: return "static class weights";
    case SCHED_POL_XENITH: return "xenith";
    case SCHED_POL_NAIVE: return "naive tuner";
    case SCHED_POL_N: break;
    }
    return "?";
}

void sched_policy_params(enum sched_policy p, struct splan_params *sp,
                         uint64_t *tau_ns_r)
{
    splan_params_default(sp);
    *tau_ns_r = TAU_DEFAULT_NS;
    if (p == SCHED_POL_NAIVE) {
        sp->enter_ns = sp->leave_ns = 0;
        sp->leave = sp->enter;
        *tau_ns_r = 0;
    }
}

static bool tuning(enum sched_policy p)
{
    return p == SCHED_POL_XENITH || p == SCHED_POL_NAIVE;
}

/* Where the counts of the pass at second s go. */
static struct sched_ep_result *counts_of(struct sched_replay_result *r,
                                         const struct sched_trace *t,
                                         uint32_t s)
{
    for (size_t k = 0; k < t->n_eps; k++)
        if (s + SCHED_REPLAY_PRE_S >= t->eps[k].begin_s &&
            s < t->eps[k].end_s + SCHED_REPLAY_POST_S)
            return &r->ep[k];
    return &r->outside;
}

struct run {
    const struct sched_trace *t;
    struct sim_host *h;
    struct sched_tuner tuner;
    uint64_t got[SCHED_TRACE_DOMS_MAX], wanted[SCHED_TRACE_DOMS_MAX];
    struct sched_replay_result *r;
};

/* What each domain got and wanted in second s - 1. */
static int account(struct run *u, uint32_t s)
{
    int k = s ? u->t->ep_of[s - 1] : -1;

    if (k >= 0)
        u->r->over_s++;
    for (size_t i = 0; i < u->t->n; i++) {
        struct sim_dom *d = sim_dom_get(u->h, (uint32_t)i);
        uint64_t got, wanted;

        if (!d)
            return -1;
        got = sim_dom_cpu_time(u->h, d);
        wanted = sim_dom_wanted_ns(u->h, d);
        if (k >= 0) {
            u->r->got_s[i] += (double)(got - u->got[i]) / 1e9;
            u->r->wanted_s[i] += (double)(wanted - u->wanted[i]) / 1e9;
        }
        u->got[i] = got;
        u->wanted[i] = wanted;
    }
    return 0;
}

/* The tuner's pass at second s, and its counts. */
static int tune(struct run *u, uint32_t s, uint64_t now)
{
    struct sched_ep_result *e = counts_of(u->r, u->t, s);
    struct splan_result res;
    unsigned sets;

    if (sched_tuner_pass(&u->tuner, u->h, now, &res, &sets) < 0)
        return -1;
    e->starts += res.started;
    e->raises += res.raised;
    e->ends += res.ended;
    e->sets += sets;
    u->r->episodes += res.started;
    u->r->sets += sets;
    for (size_t i = 0; i < u->tuner.n && i < 32; i++)
        if (u->tuner.plan[i].want_weight != u->tuner.plan[i].weight ||
            u->tuner.plan[i].want_cap != u->tuner.plan[i].cap)
            e->tuned |= 1u << i;
    for (size_t k = 0; k < u->t->n_eps; k++) {
        const struct sched_trace_ep *te = &u->t->eps[k];
        struct sched_ep_result *ek = &u->r->ep[k];

        if (!ek->reacted && s >= te->begin_s && s < te->end_s &&
            sched_tuner_level(&u->tuner, 0) >= 0) {
            ek->reacted = true;
            ek->react_s = s - te->begin_s;
        }
    }
    return 0;
}

static int set_demands(struct run *u, uint32_t s)
{
    for (size_t i = 0; i < u->t->n; i++) {
        struct sim_dom *d = sim_dom_get(u->h, (uint32_t)i);

        if (!d)
            return -1;
        sim_dom_set_demand(u->h, d, u->t->doms[i].demand[s]);
    }
    return 0;
}

static int setup(struct run *u, enum sched_policy pol,
                 struct fake_clock *clk)
{
    struct splan_params p;
    uint64_t tau;
    int weights[SCHED_TRACE_DOMS_MAX];
    uint32_t domids[SCHED_TRACE_DOMS_MAX];
    enum splan_class cls[SCHED_TRACE_DOMS_MAX];

    sched_policy_params(pol, &p, &tau);
    for (size_t i = 0; i < u->t->n; i++) {
        cls[i] = u->t->doms[i].cls;
        domids[i] = (uint32_t)i;
        weights[i] = pol == SCHED_POL_XEN ? SIM_WEIGHT_DEFAULT
                                          : p.cls[cls[i]].weight;
    }
    if (sched_trace_host(u->t, weights, clock_read, clk, &u->h) < 0)
        return -1;
    if (tuning(pol) && sched_tuner_init(&u->tuner, &p, tau, u->h, domids,
                                        cls, u->t->n) < 0)
        return -1;
    return 0;
}

int sched_replay_run(const struct sched_trace *t, enum sched_policy pol,
                     struct sched_replay_result *r)
{
    struct fake_clock clk = {T0_NS};
    struct run u;
    uint64_t w0 = timing_now_ns();
    int rc = -1;

    memset(&u, 0, sizeof(u));
    memset(r, 0, sizeof(*r));
    u.t = t;
    u.r = r;
    r->pol = pol;
    if (setup(&u, pol, &clk) < 0)
        goto out;
    for (uint32_t s = 0; s <= t->seconds; s++) {
        clk.now_ns = T0_NS + s * SEC;
        if (account(&u, s) < 0)
            goto out;
        if (s == t->seconds)
            break;
        if (tuning(pol) && tune(&u, s, clk.now_ns) < 0)
            goto out;
        if (set_demands(&u, s) < 0)
            goto out;
    }
    r->wall_s = (double)(timing_now_ns() - w0) / 1e9;
    rc = 0;
out:
    if (tuning(pol))
        sched_tuner_dispose(&u.tuner);
    sim_host_free(u.h);
    return rc;
}

/* A percentage to 0.1 below, so a figure never shows more than was got
 * (99.97 is 99.9, not "100"). */
static double pct(double got, double of)
{
    return of > 0 ? (double)(long long)(1000 * got / of + 1e-6) / 10 : 100;
}

double sched_replay_served(const struct sched_replay_result *r,
                           const struct sched_trace *t, enum splan_class c)
{
    double got = 0, wanted = 0;

    for (size_t i = 0; i < t->n; i++) {
        if (t->doms[i].cls != c)
            continue;
        got += r->got_s[i];
        wanted += r->wanted_s[i];
    }
    return pct(got, wanted);
}

double sched_replay_floor(const struct sched_replay_result *r,
                          const struct sched_trace *t, size_t i)
{
    struct splan_params p;
    double floor;

    splan_params_default(&p);
    floor = p.cls[t->doms[i].cls].guarantee * t->doms[i].vcpus * r->over_s;
    if (r->wanted_s[i] < floor)
        floor = r->wanted_s[i];
    return pct(r->got_s[i], floor);
}

double sched_replay_class_floor(const struct sched_replay_result *r,
                                const struct sched_trace *t,
                                enum splan_class c)
{
    double lo = 1e9;

    for (size_t i = 0; i < t->n; i++) {
        double f;

        if (t->doms[i].cls != c)
            continue;
        f = sched_replay_floor(r, t, i);
        if (f < lo)
            lo = f;
    }
    return lo;
}
