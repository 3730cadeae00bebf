/* test_sched_plan.c - the scheduler tuner's planner: thresholds and dwell,
 * hysteresis, the order in which classes are capped, the admin's values,
 * untuned pools, unknown demand, a noisy trace, domains that appear or
 * change class mid-episode, degenerate inputs, a thousand domains.  A
 * small world applies the wants as the service would, one pass a second. */
#include <check.h>
#include <stdlib.h>
#include <string.h>

#include "fairshare.h"
#include "schedtune/plan.h"

#define SEC 1000000000ull
#define NDOM 64
#define NPOOL 6

struct world {
    struct splan_params p;
    struct splan_pool pools[NPOOL];
    size_t np;
    struct splan_dom d[NDOM];
    size_t n;
    uint64_t now;
    struct splan_result res;        /* the last pass's */
    struct splan_result total;      /* all passes' */
    unsigned changed[NDOM];         /* wants applied, per domain */
};

static void world_init(struct world *w)
{
    memset(w, 0, sizeof(*w));
    splan_params_default(&w->p);
    w->now = 1000 * SEC;
}

/* Weights equal (256) and no boosts, so the levels' arithmetic is
 * readable; enter_ns 0, so an episode starts on the first hot pass. */
static void flat_params(struct world *w)
{
    for (int c = 0; c < SPLAN_NCLASS; c++) {
        w->p.cls[c].weight = 256;
        w->p.cls[c].boost = 1;
    }
    w->p.enter_ns = 0;
}

static struct splan_pool *add_pool(struct world *w, uint32_t id,
                                   enum hv_sched s, double ncpus)
{
    struct splan_pool *pool = &w->pools[w->np++];

    pool->poolid = id;
    pool->sched = s;
    pool->ncpus = ncpus;
    return pool;
}

static void set_demand(struct splan_dom *d, double demand)
{
    d->demand_known = true;
    d->demand = demand;
    d->use = demand < d->vcpus ? demand : d->vcpus;
}

/* A domain running with its class's weight, no cap. */
static struct splan_dom *add(struct world *w, uint32_t pool,
                             enum splan_class c, uint32_t vcpus,
                             double demand)
{
    struct splan_dom *d = &w->d[w->n];

    d->domid = 100 + (uint32_t)w->n++;
    d->poolid = pool;
    d->cls = c;
    d->vcpus = vcpus;
    set_demand(d, demand);
    d->weight = w->p.cls[c].weight;
    return d;
}

/* One pass; the wants applied; the clock a second on. */
static void pass(struct world *w)
{
    ck_assert_int_eq(splan_run(&w->p, w->now, w->pools, w->np, w->d, w->n,
                               &w->res), 0);
    w->total.started += w->res.started;
    w->total.raised += w->res.raised;
    w->total.ended += w->res.ended;
    w->total.changes += w->res.changes;
    for (size_t i = 0; i < w->n; i++) {
        struct splan_dom *d = &w->d[i];

        if (d->want_weight != d->weight || d->want_cap != d->cap)
            w->changed[i]++;
        d->weight = d->want_weight;
        d->cap = d->want_cap;
    }
    w->now += SEC;
}

static void passes(struct world *w, int k)
{
    while (k-- > 0)
        pass(w);
}

/* Base values: the class's weight, no cap. */
static void ck_base(const struct world *w, const struct splan_dom *d)
{
    ck_assert_int_eq(d->want_weight, w->p.cls[d->cls].weight);
    ck_assert_int_eq(d->want_cap, 0);
    ck_assert(!d->throttled && !d->protected_);
}

/* A small xorshift: the noisy traces are the same on every run. */
static uint64_t rng_state;

static double noise(double pct)
{
    rng_state ^= rng_state << 13;
    rng_state ^= rng_state >> 7;
    rng_state ^= rng_state << 17;
    return 1 + pct / 100 * ((double)(rng_state % 20001) / 10000 - 1);
}

START_TEST(names_and_defaults)
{
    struct splan_params p;
    static const char *const names[] = {"dom0", "critical", "high",
                                        "normal", "low"};

    for (int c = 0; c < SPLAN_NCLASS; c++) {
        ck_assert_str_eq(splan_class_name(c), names[c]);
        ck_assert_int_eq(splan_class_parse(names[c]), c);
    }
    ck_assert_ptr_null(splan_class_name(SPLAN_NCLASS));
    ck_assert_ptr_null(splan_class_name((enum splan_class)-1));
    ck_assert_int_eq(splan_class_parse("medium"), -1);
    ck_assert_int_eq(splan_class_parse("Critical"), -1);
    ck_assert_int_eq(splan_class_parse(NULL), -1);
    ck_assert_str_eq(splan_state_name(SPLAN_NORMAL_STATE), "normal");
    ck_assert_str_eq(splan_state_name(SPLAN_HOT), "hot");
    ck_assert_str_eq(splan_state_name(SPLAN_OVERLOADED), "overloaded");
    ck_assert_str_eq(splan_state_name(SPLAN_COOLING), "cooling");
    ck_assert_str_eq(splan_state_name(SPLAN_UNTUNED), "untuned");

    splan_params_default(&p);
    ck_assert_int_eq(p.cls[SPLAN_DOM0].weight, 512);
    ck_assert_int_eq(p.cls[SPLAN_CRITICAL].weight, 1024);
    ck_assert_int_eq(p.cls[SPLAN_HIGH].weight, 512);
    ck_assert_int_eq(p.cls[SPLAN_NORMAL].weight, 256);
    ck_assert_int_eq(p.cls[SPLAN_LOW].weight, 128);
    ck_assert_double_eq(p.cls[SPLAN_DOM0].guarantee, 0.5);
    ck_assert_double_eq(p.cls[SPLAN_CRITICAL].guarantee, 1.0);
    ck_assert_double_eq(p.cls[SPLAN_LOW].guarantee, 0.1);
    ck_assert_double_eq(p.cls[SPLAN_DOM0].cap, 0);
    ck_assert_double_eq(p.cls[SPLAN_CRITICAL].cap, 0);
    ck_assert_double_eq(p.cls[SPLAN_HIGH].cap, 0.75);
    ck_assert_double_eq(p.cls[SPLAN_NORMAL].cap, 0.5);
    ck_assert_double_eq(p.cls[SPLAN_LOW].cap, 0.15);
    ck_assert_double_eq(p.cls[SPLAN_DOM0].boost, 4);
    ck_assert_double_eq(p.cls[SPLAN_CRITICAL].boost, 8);
    ck_assert_double_eq(p.cls[SPLAN_NORMAL].boost, 1);
    ck_assert_double_eq(p.enter, 0.95);
    ck_assert_double_eq(p.leave, 0.80);
    ck_assert_uint_eq(p.enter_ns, 3 * SEC);
    ck_assert_uint_eq(p.leave_ns, 10 * SEC);
}
END_TEST

/* Pressure 1.5 with a critical domain: HOT, and OVERLOADED only after
 * three continuous seconds; the wants stay the base values until then. */
START_TEST(dwell_before_episode)
{
    struct world w;
    struct splan_dom *crit, *low;

    world_init(&w);
    add_pool(&w, 0, HV_SCHED_CREDIT, 4);
    crit = add(&w, 0, SPLAN_CRITICAL, 2, 2);
    low = add(&w, 0, SPLAN_LOW, 4, 4);
    for (int i = 0; i < 3; i++) {
        pass(&w);
        ck_assert_int_eq(w.pools[0].state, SPLAN_HOT);
        ck_assert_int_eq(w.pools[0].level, -1);
        ck_assert_uint_eq(w.res.changes, 0);
        ck_base(&w, crit);
        ck_base(&w, low);
    }
    ck_assert_double_eq_tol(w.pools[0].pressure, 1.5, 1e-9);
    ck_assert_double_eq_tol(w.pools[0].util, 1.5, 1e-9);
    pass(&w);
    ck_assert_int_eq(w.pools[0].state, SPLAN_OVERLOADED);
    ck_assert_uint_eq(w.res.started, 1);
    ck_assert_int_ge(w.pools[0].level, 0);
    ck_assert(crit->protected_);
    ck_assert_int_eq(crit->want_weight, 8192);
    ck_assert_int_eq(crit->want_cap, 0);
    passes(&w, 30);
    ck_assert_uint_eq(w.total.started, 1);
    ck_assert_uint_eq(w.total.ended, 0);
}
END_TEST

/* Above enter for less than enter_ns at a time, however often: never an
 * episode.  And hot needs something protectable. */
START_TEST(brief_crossings)
{
    struct world w;
    struct splan_dom *crit, *low;

    world_init(&w);
    add_pool(&w, 0, HV_SCHED_CREDIT2, 4);
    crit = add(&w, 0, SPLAN_CRITICAL, 2, 1);
    low = add(&w, 0, SPLAN_LOW, 4, 2);
    for (int round = 0; round < 50; round++) {
        set_demand(low, 3.0);           /* pressure 1.0: hot */
        passes(&w, 3);
        ck_assert_int_eq(w.pools[0].state, SPLAN_HOT);
        set_demand(low, 2.5);           /* 0.875: one dip */
        pass(&w);
        ck_assert_int_eq(w.pools[0].state, SPLAN_NORMAL_STATE);
    }
    ck_assert_uint_eq(w.total.started, 0);
    ck_assert_uint_eq(w.total.changes, 0);

    /* Pressure without anyone protectable (critical wants less than a
     * quarter of its vCPUs) is no reason to throttle. */
    set_demand(crit, 0.4);
    set_demand(low, 4);
    passes(&w, 20);
    ck_assert_int_eq(w.pools[0].state, SPLAN_NORMAL_STATE);
    ck_assert_uint_eq(w.total.started, 0);
    ck_base(&w, low);
}
END_TEST

/* Between leave and enter the episode goes on; below leave it cools;
 * back above leave while cooling resumes it (no new episode, level
 * kept); below leave for leave_ns ends it, everyone back to base. */
START_TEST(hysteresis_on_leave)
{
    struct world w;
    struct splan_dom *crit, *low;
    int level;

    world_init(&w);
    add_pool(&w, 0, HV_SCHED_CREDIT, 4);
    crit = add(&w, 0, SPLAN_CRITICAL, 2, 2);
    low = add(&w, 0, SPLAN_LOW, 4, 4);
    passes(&w, 4);
    ck_assert_int_eq(w.pools[0].state, SPLAN_OVERLOADED);
    level = w.pools[0].level;

    set_demand(low, 1.6);               /* pressure 0.9 */
    passes(&w, 20);
    ck_assert_int_eq(w.pools[0].state, SPLAN_OVERLOADED);

    set_demand(low, 0.8);               /* 0.7 */
    passes(&w, 5);
    ck_assert_int_eq(w.pools[0].state, SPLAN_COOLING);
    ck_assert(crit->protected_);        /* still in the episode */
    set_demand(low, 1.4);               /* 0.85: above leave */
    pass(&w);
    ck_assert_int_eq(w.pools[0].state, SPLAN_OVERLOADED);
    ck_assert_int_eq(w.pools[0].level, level);
    ck_assert_uint_eq(w.total.started, 1);

    set_demand(low, 0.8);
    pass(&w);                           /* cooling from here */
    ck_assert_int_eq(w.pools[0].state, SPLAN_COOLING);
    passes(&w, 9);                      /* 9 s: not yet */
    ck_assert_int_eq(w.pools[0].state, SPLAN_COOLING);
    ck_assert_uint_eq(w.total.ended, 0);
    pass(&w);                           /* 10 s */
    ck_assert_int_eq(w.pools[0].state, SPLAN_NORMAL_STATE);
    ck_assert_int_eq(w.pools[0].level, -1);
    ck_assert_uint_eq(w.res.ended, 1);
    ck_base(&w, crit);
    ck_base(&w, low);
    ck_assert_uint_le(w.changed[0], 2);
    ck_assert_uint_le(w.changed[1], 2);

    /* Nothing protectable any more also cools an episode. */
    set_demand(low, 4);
    passes(&w, 4);
    ck_assert_int_eq(w.pools[0].state, SPLAN_OVERLOADED);
    set_demand(crit, 0.2);
    pass(&w);
    ck_assert_int_eq(w.pools[0].state, SPLAN_COOLING);
}
END_TEST

/* The level is the lowest that leaves no critical domain short: low is
 * capped first, then normal, then high; critical never.  Flat weights
 * (no boosts) so the shares are easy to follow. */
START_TEST(class_order)
{
    struct world w;
    struct splan_dom *crit, *hi, *norm, *low;

    /* Level 1: 4 CPUs, critical 3 of 3, low 4 of 4: even shares give
     * critical 2; low capped at 0.6 leaves it 3. */
    world_init(&w);
    flat_params(&w);
    add_pool(&w, 0, HV_SCHED_CREDIT, 4);
    crit = add(&w, 0, SPLAN_CRITICAL, 3, 3);
    low = add(&w, 0, SPLAN_LOW, 4, 4);
    pass(&w);
    ck_assert_int_eq(w.pools[0].state, SPLAN_OVERLOADED);
    ck_assert_int_eq(w.pools[0].level, 1);
    ck_assert(low->throttled);
    ck_assert_int_eq(low->want_cap, 60);
    ck_assert(!crit->throttled);
    ck_assert_int_eq(crit->want_cap, 0);

    /* Level 2: 5 CPUs, critical 3, normal 2 of 2, low 4 of 4. */
    world_init(&w);
    flat_params(&w);
    add_pool(&w, 0, HV_SCHED_CREDIT, 5);
    crit = add(&w, 0, SPLAN_CRITICAL, 3, 3);
    norm = add(&w, 0, SPLAN_NORMAL, 2, 2);
    low = add(&w, 0, SPLAN_LOW, 4, 4);
    pass(&w);
    ck_assert_int_eq(w.pools[0].level, 2);
    ck_assert(low->throttled && norm->throttled && !crit->throttled);
    ck_assert_int_eq(norm->want_cap, 100);
    ck_assert_int_eq(low->want_cap, 60);

    /* Level 3: 5 CPUs, critical, high, normal, low, 2 of 2 each. */
    world_init(&w);
    flat_params(&w);
    add_pool(&w, 0, HV_SCHED_CREDIT, 5);
    crit = add(&w, 0, SPLAN_CRITICAL, 2, 2);
    hi = add(&w, 0, SPLAN_HIGH, 2, 2);
    norm = add(&w, 0, SPLAN_NORMAL, 2, 2);
    low = add(&w, 0, SPLAN_LOW, 2, 2);
    pass(&w);
    ck_assert_int_eq(w.pools[0].level, 3);
    ck_assert(hi->throttled && norm->throttled && low->throttled);
    ck_assert_int_eq(hi->want_cap, 150);
    ck_assert_int_eq(norm->want_cap, 100);
    ck_assert_int_eq(low->want_cap, 30);
    ck_assert(!crit->throttled);
    ck_assert_int_eq(crit->want_cap, 0);

    /* With the default boosts critical's 8192 against low's 128 would be
     * enough, but an episode always starts at level 1: the low class is
     * capped, critical and dom0 boosted. */
    world_init(&w);
    w.p.enter_ns = 0;
    add_pool(&w, 0, HV_SCHED_CREDIT, 4);
    crit = add(&w, 0, SPLAN_CRITICAL, 3, 3);
    low = add(&w, 0, SPLAN_LOW, 4, 4);
    struct splan_dom *dom0 = add(&w, 0, SPLAN_DOM0, 1, 0.1);
    pass(&w);
    ck_assert_int_eq(w.pools[0].level, 1);
    ck_assert(low->throttled);
    ck_assert_int_eq(low->want_cap, 60);
    ck_assert(crit->protected_ && dom0->protected_);
    ck_assert_int_eq(crit->want_weight, 8192);
    ck_assert_int_eq(dom0->want_weight, 2048);
    ck_assert_int_eq(dom0->want_cap, 0);
}
END_TEST

/* Mid-episode the level rises when a critical domain is short again,
 * once per enter_ns at most, and never falls. */
START_TEST(level_rises)
{
    struct world w;
    struct splan_dom *norm;

    world_init(&w);
    flat_params(&w);
    w.p.enter_ns = 3 * SEC;
    add_pool(&w, 0, HV_SCHED_CREDIT, 4);
    add(&w, 0, SPLAN_CRITICAL, 3, 3);
    add(&w, 0, SPLAN_LOW, 4, 4);
    passes(&w, 4);
    ck_assert_int_eq(w.pools[0].level, 1);
    norm = add(&w, 0, SPLAN_NORMAL, 2, 2);
    pass(&w);
    ck_assert_int_eq(w.pools[0].level, 1);      /* a second since */
    ck_assert(!norm->throttled);
    passes(&w, 2);
    ck_assert_int_eq(w.pools[0].level, 2);
    ck_assert_uint_eq(w.total.raised, 1);
    ck_assert(norm->throttled);
    ck_assert_int_eq(norm->want_cap, 100);
    /* Critical is still short (2.4 of 3), but level 3 caps nobody more. */
    passes(&w, 20);
    ck_assert_int_eq(w.pools[0].level, 2);
    ck_assert_uint_eq(w.total.raised, 1);
    /* Less pressure within the episode: the level stays. */
    set_demand(&w.d[2], 0.5);
    passes(&w, 5);
    ck_assert_int_eq(w.pools[0].level, 2);
    ck_assert_uint_eq(w.total.started, 1);
}
END_TEST

START_TEST(level_pick_direct)
{
    struct world w;
    struct splan_dom *ptr[3];
    double ws[9];
    size_t order[3];

    world_init(&w);
    flat_params(&w);
    ptr[0] = add(&w, 0, SPLAN_CRITICAL, 3, 3);
    ptr[1] = add(&w, 0, SPLAN_NORMAL, 2, 2);
    ptr[2] = add(&w, 0, SPLAN_LOW, 4, 4);
    for (int i = 0; i < 3; i++)
        ptr[i]->demand_est = ptr[i]->demand;
    ck_assert_int_eq(splan_level_pick(&w.p, ptr, 3, 5, 0, ws, order), 2);
    ck_assert_int_eq(splan_level_pick(&w.p, ptr, 3, 5, 3, ws, order), 3);
    ck_assert_int_eq(splan_level_pick(&w.p, ptr, 3, 20, 0, ws, order), 0);
    ck_assert_int_eq(splan_level_pick(&w.p, ptr, 3, 0, 1, ws, order), 1);
    ck_assert_int_eq(splan_level_pick(&w.p, ptr + 1, 2, 1, 0, ws, order),
                     0);                /* no one to protect */
}
END_TEST

/* Admin values: kept exactly outside episodes; a boosted admin weight is
 * clamped; a lower admin cap is kept while throttling; back exactly. */
START_TEST(admin_values)
{
    struct world w;
    struct splan_params p;
    struct splan_dom d;

    splan_params_default(&p);
    memset(&d, 0, sizeof(d));
    d.cls = SPLAN_CRITICAL;
    d.vcpus = 2;
    d.admin_weight = 10000;
    splan_dom_want(&p, &d, -1);
    ck_assert_int_eq(d.want_weight, 10000);
    splan_dom_want(&p, &d, 0);
    ck_assert_int_eq(d.want_weight, 65535);
    ck_assert(d.protected_);
    d.cls = SPLAN_NORMAL;
    d.admin_weight = 700;
    d.admin_cap = 30;
    splan_dom_want(&p, &d, 3);
    ck_assert_int_eq(d.want_weight, 700);
    ck_assert_int_eq(d.want_cap, 30);
    ck_assert(!d.throttled && !d.protected_);
    d.admin_cap = 150;
    splan_dom_want(&p, &d, 2);
    ck_assert_int_eq(d.want_cap, 100);
    ck_assert(d.throttled);
    splan_dom_want(&p, &d, 1);
    ck_assert_int_eq(d.want_cap, 150);
    ck_assert(!d.throttled);
    d.admin_cap = 0;
    d.vcpus = 1;
    d.cls = SPLAN_LOW;                  /* 0.15 of its one vCPU */
    splan_dom_want(&p, &d, 1);
    ck_assert_int_eq(d.want_cap, 15);

    /* In a pass: the critical domain is short at level 0 against a low
     * domain the admin weighted 8192, so low is capped (level 1). */
    world_init(&w);
    add_pool(&w, 0, HV_SCHED_CREDIT, 4);
    struct splan_dom *crit = add(&w, 0, SPLAN_CRITICAL, 3, 3);
    struct splan_dom *heavy = add(&w, 0, SPLAN_LOW, 4, 4);
    struct splan_dom *loose = add(&w, 0, SPLAN_LOW, 4, 4);
    struct splan_dom *tight = add(&w, 0, SPLAN_LOW, 4, 4);
    struct splan_dom *norm = add(&w, 0, SPLAN_NORMAL, 2, 2);
    heavy->admin_weight = heavy->weight = 8192;
    loose->admin_cap = loose->cap = 90;
    tight->admin_cap = tight->cap = 40;
    norm->admin_weight = norm->weight = 700;
    norm->admin_cap = norm->cap = 30;
    crit->admin_weight = crit->weight = 2000;
    passes(&w, 3);                      /* hot: the admin's values */
    ck_assert_uint_eq(w.total.changes, 0);
    ck_assert_int_eq(w.pools[0].state, SPLAN_HOT);
    pass(&w);
    ck_assert_int_eq(w.pools[0].state, SPLAN_OVERLOADED);
    ck_assert_int_ge(w.pools[0].level, 1);
    ck_assert_int_eq(crit->want_weight, 16000);
    ck_assert_int_eq(heavy->want_weight, 8192);
    ck_assert_int_eq(heavy->want_cap, 60);
    ck_assert_int_eq(loose->want_cap, 60);
    ck_assert(loose->throttled);
    ck_assert_int_eq(tight->want_cap, 40);
    ck_assert(!tight->throttled);
    ck_assert_int_eq(norm->want_weight, 700);
    ck_assert_int_eq(norm->want_cap, 30);

    for (size_t i = 0; i < w.n; i++)
        set_demand(&w.d[i], 0.1);
    passes(&w, 11);
    ck_assert_int_eq(w.pools[0].state, SPLAN_NORMAL_STATE);
    ck_assert_uint_eq(w.total.ended, 1);
    for (size_t i = 0; i < w.n; i++) {
        struct splan_dom *x = &w.d[i];

        ck_assert_int_eq(x->want_weight, x->admin_weight ? x->admin_weight
                                         : w.p.cls[x->cls].weight);
        ck_assert_int_eq(x->want_cap, x->admin_cap);
        ck_assert_uint_le(w.changed[i], 2);
    }
}
END_TEST

/* rtds, null, arinc653 and unknown: UNTUNED with a note, nothing ever
 * wanted; a credit2 pool beside them is tuned. */
START_TEST(untuned_pools)
{
    static const enum hv_sched kinds[] = {HV_SCHED_RTDS, HV_SCHED_NULL,
                                          HV_SCHED_ARINC653,
                                          HV_SCHED_UNKNOWN};
    struct world w;

    world_init(&w);
    for (uint32_t k = 0; k < 4; k++) {
        add_pool(&w, k + 1, kinds[k], 2);
        struct splan_dom *c = add(&w, k + 1, SPLAN_CRITICAL, 2, 2);
        struct splan_dom *l = add(&w, k + 1, SPLAN_LOW, 4, 4);

        c->weight = c->cap = -1;        /* what such a pool reports */
        l->weight = 7;
        l->cap = 3;
    }
    add_pool(&w, 0, HV_SCHED_CREDIT2, 2);
    add(&w, 0, SPLAN_CRITICAL, 2, 2);
    add(&w, 0, SPLAN_LOW, 4, 4);
    passes(&w, 30);
    for (size_t k = 0; k < 4; k++) {
        ck_assert_int_eq(w.pools[k].state, SPLAN_UNTUNED);
        ck_assert_int_eq(w.pools[k].level, -1);
        ck_assert_ptr_nonnull(w.pools[k].note);
        ck_assert_ptr_nonnull(strstr(w.pools[k].note, "not tuned"));
        ck_assert_double_eq_tol(w.pools[k].pressure, 3, 1e-9);
    }
    ck_assert_ptr_nonnull(strstr(w.pools[0].note, "rtds"));
    for (size_t i = 0; i < 8; i++) {
        ck_assert_uint_eq(w.changed[i], 0);
        ck_assert(!w.d[i].throttled && !w.d[i].protected_);
    }
    ck_assert_int_eq(w.d[0].want_weight, -1);
    ck_assert_int_eq(w.d[1].want_cap, 3);
    ck_assert_ptr_null(w.pools[4].note);
    ck_assert_int_eq(w.pools[4].state, SPLAN_OVERLOADED);
    ck_assert_uint_eq(w.total.started, 1);

    /* A pool whose scheduler loses its weights ends its episode. */
    w.pools[4].sched = HV_SCHED_RTDS;
    pass(&w);
    ck_assert_uint_eq(w.res.ended, 1);
    ck_assert_int_eq(w.pools[4].state, SPLAN_UNTUNED);
    ck_assert_uint_eq(w.res.changes, 0);
}
END_TEST

/* Unknown demand is the use, inflated to what it may run only while the
 * pool is full. */
START_TEST(unknown_demand)
{
    struct world w;
    struct splan_dom *a, *b, *c;

    world_init(&w);
    add_pool(&w, 0, HV_SCHED_CREDIT, 4);
    a = add(&w, 0, SPLAN_LOW, 4, 0);
    b = add(&w, 0, SPLAN_NORMAL, 2, 0);
    c = add(&w, 0, SPLAN_HIGH, 2, 0.2);
    a->demand_known = b->demand_known = false;
    a->demand = b->demand = 9;          /* ignored */
    a->use = 1.0;
    b->use = 0.5;
    b->admin_cap = b->cap = 150;
    pass(&w);
    ck_assert_double_eq_tol(w.pools[0].util, 0.425, 1e-9);
    ck_assert_double_eq_tol(a->demand_est, 1.0, 1e-9);
    ck_assert_double_eq_tol(b->demand_est, 0.5, 1e-9);
    ck_assert_double_eq_tol(c->demand_est, 0.2, 1e-9);
    ck_assert_double_eq_tol(w.pools[0].pressure, 0.425, 1e-9);

    a->use = 3.3;                       /* util 1.0: full */
    b->use = 0.5;
    pass(&w);
    ck_assert_double_eq_tol(a->demand_est, 4.0, 1e-9);
    ck_assert_double_eq_tol(b->demand_est, 1.5, 1e-9);  /* its cap */
    ck_assert_double_eq_tol(c->demand_est, 0.2, 1e-9);  /* known */
    ck_assert_double_eq_tol(w.pools[0].pressure, 5.7 / 4, 1e-9);

    a->use = 3.0;                       /* 0.925: not full */
    pass(&w);
    ck_assert_double_eq_tol(a->demand_est, 3.0, 1e-9);
    ck_assert_double_eq_tol(b->demand_est, 0.5, 1e-9);
}
END_TEST

/* The domains' true demand in two overload episodes over 600 s, each
 * amount with +-10 % noise every second.  The driver's use comes from a
 * model of the scheduler (fairshare() with the weights and caps the
 * domains run with).  Flat weights, so the low class is capped (level 1)
 * and the episodes change more than one domain.  With demand known and
 * unknown alike: exactly one start and one end per episode, at most two
 * want changes per domain per episode. */
static void noisy_trace(bool known)
{
    static const double quiet[] = {1, 1, 1, 0.5, 0.5};
    static const double busy[] = {4, 3, 3, 6, 6};
    struct world w;
    double weight[5], limit[5], got[5];
    size_t order[5];

    world_init(&w);
    flat_params(&w);
    w.p.enter_ns = 3 * SEC;
    rng_state = 0x9e3779b97f4a7c15ull;
    add_pool(&w, 0, HV_SCHED_CREDIT, 8);
    add(&w, 0, SPLAN_CRITICAL, 4, 0);
    add(&w, 0, SPLAN_NORMAL, 4, 0);
    add(&w, 0, SPLAN_NORMAL, 4, 0);
    add(&w, 0, SPLAN_LOW, 8, 0);
    add(&w, 0, SPLAN_LOW, 8, 0);
    for (int t = 0; t < 600; t++) {
        bool over = (t >= 100 && t < 200) || (t >= 350 && t < 450);

        for (size_t i = 0; i < 5; i++) {
            struct splan_dom *d = &w.d[i];
            double want = (over ? busy[i] : quiet[i]) * noise(10);

            if (want > d->vcpus)
                want = d->vcpus;
            weight[i] = d->weight;
            limit[i] = d->cap && want > d->cap / 100.0 ? d->cap / 100.0
                                                       : want;
            d->demand = want;
            d->demand_known = known;
        }
        fairshare(5, weight, limit, 8, got, order);
        for (size_t i = 0; i < 5; i++)
            w.d[i].use = got[i];
        pass(&w);
        if (t == 150 || t == 400) {
            ck_assert_int_eq(w.pools[0].state, SPLAN_OVERLOADED);
            ck_assert_int_eq(w.pools[0].level, 1);
            ck_assert(w.d[3].throttled && w.d[4].throttled);
            ck_assert(!w.d[0].throttled);
        }
    }
    ck_assert_uint_eq(w.total.started, 2);
    ck_assert_uint_eq(w.total.ended, 2);
    ck_assert_int_eq(w.pools[0].state, SPLAN_NORMAL_STATE);
    for (size_t i = 0; i < 5; i++) {
        ck_assert_uint_le(w.changed[i], 4);
        ck_base(&w, &w.d[i]);
    }
}

START_TEST(noisy_trace_known)
{
    noisy_trace(true);
}
END_TEST

START_TEST(noisy_trace_unknown)
{
    noisy_trace(false);
}
END_TEST

/* An overloaded pool at level 1 (a low domain the admin weighted heavily
 * against a critical one). */
static void level1_world(struct world *w)
{
    world_init(w);
    w->p.enter_ns = 0;
    add_pool(w, 0, HV_SCHED_CREDIT, 4);
    add(w, 0, SPLAN_CRITICAL, 3, 3);
    struct splan_dom *heavy = add(w, 0, SPLAN_LOW, 4, 4);

    heavy->admin_weight = heavy->weight = 8192;
    pass(w);
    ck_assert_int_eq(w->pools[0].level, 1);
}

START_TEST(new_domain_mid_episode)
{
    struct world w;
    struct splan_dom *low, *crit, *norm;

    level1_world(&w);
    low = add(&w, 0, SPLAN_LOW, 2, 2);
    crit = add(&w, 0, SPLAN_CRITICAL, 1, 1);
    norm = add(&w, 0, SPLAN_NORMAL, 1, 1);
    pass(&w);
    ck_assert(low->throttled);
    ck_assert_int_eq(low->want_cap, 30);
    ck_assert(crit->protected_);
    ck_assert_int_eq(crit->want_weight, 8192);
    ck_assert_int_eq(crit->want_cap, 0);
    ck_assert(!norm->throttled || w.pools[0].level >= 2);
    ck_assert_uint_eq(w.total.started, 1);
}
END_TEST

START_TEST(class_change_mid_episode)
{
    struct world w;
    struct splan_dom *d;

    level1_world(&w);
    d = add(&w, 0, SPLAN_NORMAL, 2, 0.3);
    pass(&w);
    ck_base(&w, d);
    d->cls = SPLAN_LOW;
    pass(&w);
    ck_assert(d->throttled);
    ck_assert_int_eq(d->want_cap, 30);
    ck_assert_int_eq(d->want_weight, 128);
    d->cls = SPLAN_CRITICAL;
    pass(&w);
    ck_assert(!d->throttled && d->protected_);
    ck_assert_int_eq(d->want_cap, 0);
    ck_assert_int_eq(d->want_weight, 8192);
    d->cls = SPLAN_NORMAL;
    pass(&w);
    ck_base(&w, d);
    ck_assert_int_eq(w.pools[0].level, 1);
}
END_TEST

/* Nothing here may divide by zero, crash or leave a throttled domain
 * uncapped. */
START_TEST(degenerate)
{
    struct world w;
    struct splan_dom *none, *idle, *zlow, *odd, *lost, *empty;

    world_init(&w);
    w.p.enter_ns = 0;
    w.p.leave_ns = 0;
    add_pool(&w, 0, HV_SCHED_CREDIT, 2);
    add_pool(&w, 7, HV_SCHED_CREDIT, 0);
    none = add(&w, 0, SPLAN_CRITICAL, 0, 0);
    idle = add(&w, 0, SPLAN_CRITICAL, 2, 0);
    zlow = add(&w, 0, SPLAN_LOW, 0, 0);
    odd = add(&w, 0, SPLAN_LOW, 2, 1);
    odd->cls = (enum splan_class)42;    /* counts as normal */
    odd->weight = 256;
    add(&w, 0, SPLAN_CRITICAL, 2, 2);
    add(&w, 0, SPLAN_LOW, 4, 4);
    lost = add(&w, 99, SPLAN_HIGH, 2, 2);
    empty = add(&w, 7, SPLAN_CRITICAL, 2, 2);
    none->use = -1;                     /* nonsense counts as nothing */
    pass(&w);
    ck_assert_int_eq(w.pools[0].state, SPLAN_OVERLOADED);
    ck_assert_int_ge(w.pools[0].level, 0);
    ck_assert_int_le(w.pools[0].level, 3);
    ck_assert_int_eq(none->want_cap, 0);
    ck_assert_int_eq(none->want_weight, 8192);
    ck_assert_int_eq(idle->want_cap, 0);
    ck_assert_double_eq(none->demand_est, 0);
    if (zlow->throttled)
        ck_assert_int_ge(zlow->want_cap, 1);
    ck_assert_int_eq(odd->want_weight, 256);
    ck_assert_int_eq(lost->want_weight, 512);
    ck_assert_int_eq(lost->want_cap, 0);
    ck_assert_double_eq_tol(lost->demand_est, 2, 1e-9);
    ck_assert_double_eq(w.pools[1].pressure, 0);
    ck_assert_int_eq(w.pools[1].state, SPLAN_NORMAL_STATE);
    ck_base(&w, empty);

    /* leave_ns 0: cooling and the end in the same pass. */
    for (size_t i = 0; i < w.n; i++)
        set_demand(&w.d[i], 0);
    pass(&w);
    ck_assert_int_eq(w.pools[0].state, SPLAN_NORMAL_STATE);
    ck_assert_uint_eq(w.res.ended, 1);

    /* A zeroed pool's level 0 means no episode; time going backwards is
     * no time at all; empty input is fine. */
    struct splan_pool pool = {.poolid = 3, .sched = HV_SCHED_CREDIT,
                              .ncpus = 1};
    struct splan_result res;

    ck_assert_int_eq(splan_run(&w.p, 5, &pool, 1, NULL, 0, &res), 0);
    ck_assert_int_eq(pool.level, -1);
    ck_assert_uint_eq(res.changes, 0);
    ck_assert_int_eq(splan_run(&w.p, 5, NULL, 0, NULL, 0, NULL), 0);
    world_init(&w);
    add_pool(&w, 0, HV_SCHED_CREDIT, 1);
    add(&w, 0, SPLAN_CRITICAL, 2, 2);
    add(&w, 0, SPLAN_LOW, 1, 1);
    pass(&w);
    ck_assert_int_eq(w.pools[0].state, SPLAN_HOT);
    w.now -= 100 * SEC;
    passes(&w, 3);
    ck_assert_int_eq(w.pools[0].state, SPLAN_HOT);
}
END_TEST

/* A thousand domains in five pools (no timing: the bench times it). */
START_TEST(thousand_domains)
{
    enum { N = 1000, P = 5 };
    struct splan_pool pools[P];
    struct splan_dom *d = calloc(N, sizeof(*d));
    struct splan_params p;
    struct splan_result res, total = {0};

    ck_assert_ptr_nonnull(d);
    splan_params_default(&p);
    memset(pools, 0, sizeof(pools));
    for (uint32_t k = 0; k < P; k++) {
        pools[k].poolid = P - k;        /* not in order */
        pools[k].sched = k == 4 ? HV_SCHED_NULL : HV_SCHED_CREDIT;
        pools[k].ncpus = 16;
    }
    rng_state = 12345;
    for (uint32_t i = 0; i < N; i++) {
        d[i].domid = N - i;
        d[i].poolid = 1 + i % P;
        d[i].cls = (enum splan_class)(i % 7 == 0 ? SPLAN_CRITICAL
                                      : SPLAN_HIGH + i % 3);
        d[i].vcpus = 1 + i % 4;
        d[i].demand_known = i % 2;
        d[i].use = d[i].demand = d[i].vcpus * 0.5 * noise(50);
        d[i].weight = p.cls[d[i].cls].weight;
    }
    for (int t = 0; t < 10; t++) {
        ck_assert_int_eq(splan_run(&p, (uint64_t)(t + 1) * SEC, pools, P, d,
                                   N, &res), 0);
        total.started += res.started;
        for (size_t i = 0; i < N; i++) {
            d[i].weight = d[i].want_weight;
            d[i].cap = d[i].want_cap;
        }
    }
    ck_assert_uint_eq(total.started, 4);
    for (size_t i = 0; i < N; i++) {
        if (d[i].poolid == 1)       /* pools[4]: null */
            continue;
        if (d[i].cls == SPLAN_CRITICAL) {
            ck_assert_int_eq(d[i].want_cap, 0);
            ck_assert_int_eq(d[i].want_weight, 8192);
        }
    }
    free(d);
}
END_TEST

/* A pool filled by domains no one could cap (dom0 alone, critical ones)
 * is not overloaded: throttling would take from no one.  Once a low
 * domain is busy there too, it is. */
START_TEST(nothing_to_cap)
{
    struct world w;

    world_init(&w);
    w.p.enter_ns = 0;
    add_pool(&w, 0, HV_SCHED_CREDIT2, 1);
    struct splan_dom *dom0 = add(&w, 0, SPLAN_DOM0, 1, 1);
    dom0->demand_known = false;
    add(&w, 0, SPLAN_CRITICAL, 1, 1)->demand_known = false;
    passes(&w, 10);
    ck_assert_int_eq(w.pools[0].state, SPLAN_NORMAL_STATE);
    ck_assert_uint_eq(w.total.started, 0);
    ck_assert_int_eq(dom0->want_weight, w.p.cls[SPLAN_DOM0].weight);
    struct splan_dom *low = add(&w, 0, SPLAN_LOW, 1, 0.5);
    low->demand_known = false;
    passes(&w, 2);
    ck_assert_int_eq(w.pools[0].state, SPLAN_OVERLOADED);
    ck_assert(low->throttled);
    /* and when it stops, the episode ends */
    set_demand(low, 0);
    w.p.leave_ns = 0;
    passes(&w, 2);
    ck_assert_int_eq(w.pools[0].state, SPLAN_NORMAL_STATE);
}
END_TEST

int main(void)
{
    Suite *s = suite_create("sched_plan");
    TCase *tc = tcase_create("plan");
    tcase_add_test(tc, names_and_defaults);
    tcase_add_test(tc, dwell_before_episode);
    tcase_add_test(tc, brief_crossings);
    tcase_add_test(tc, hysteresis_on_leave);
    tcase_add_test(tc, class_order);
    tcase_add_test(tc, level_rises);
    tcase_add_test(tc, level_pick_direct);
    tcase_add_test(tc, admin_values);
    tcase_add_test(tc, untuned_pools);
    tcase_add_test(tc, unknown_demand);
    tcase_add_test(tc, noisy_trace_known);
    tcase_add_test(tc, noisy_trace_unknown);
    tcase_add_test(tc, new_domain_mid_episode);
    tcase_add_test(tc, class_change_mid_episode);
    tcase_add_test(tc, degenerate);
    tcase_add_test(tc, nothing_to_cap);
    tcase_add_test(tc, thousand_domains);
    suite_add_tcase(s, tc);
    SRunner *sr = srunner_create(s);
    srunner_run_all(sr, CK_NORMAL);
    int failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
