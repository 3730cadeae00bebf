/*
 * plan.c - the scheduler tuner's pass (see plan.h for the rules): the
 * domains grouped by pool, each pool's demand and pressure, its episode
 * state, and every domain's wants.  The level prediction and the values a
 * level gives a domain are plan_level.c's.
 */
#include "schedtune/plan.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#define SEC 1000000000ull

void splan_params_default(struct splan_params *p)
{
    static const struct splan_class_params cls[SPLAN_NCLASS] = {
        [SPLAN_DOM0] = {512, 0.50, 0, 4},
        [SPLAN_CRITICAL] = {1024, 1.00, 0, 8},
        [SPLAN_HIGH] = {512, 0.50, 0.75, 1},
        [SPLAN_NORMAL] = {256, 0.25, 0.50, 1},
        [SPLAN_LOW] = {128, 0.10, 0.15, 1},
    };

    memcpy(p->cls, cls, sizeof(cls));
    p->enter = 0.95;
    p->leave = 0.80;
    p->enter_ns = 3 * SEC;
    p->leave_ns = 10 * SEC;
}

static const char *const class_names[SPLAN_NCLASS] = {
    [SPLAN_DOM0] = "dom0", [SPLAN_CRITICAL] = "critical",
    [SPLAN_HIGH] = "high", [SPLAN_NORMAL] = "normal", [SPLAN_LOW] = "low",
};

const char *splan_class_name(enum splan_class c)
{
    return (unsigned)c < SPLAN_NCLASS ? class_names[c] : NULL;
}

int splan_class_parse(const char *name)
{
    for (int c = 0; name && c < SPLAN_NCLASS; c++)
        if (strcmp(name, class_names[c]) == 0)
            return c;
    return -1;
}

const char *splan_state_name(enum splan_state s)
{
    switch (s) {
    case SPLAN_NORMAL_STATE: return "normal";
    case SPLAN_HOT: return "hot";
    case SPLAN_OVERLOADED: return "overloaded";
    case SPLAN_COOLING: return "cooling";
    case SPLAN_UNTUNED: return "untuned";
    }
    return "?";
}

/* --- one pool --- */

struct pool_key {
    uint32_t poolid;
    size_t i;
};

/* A pass's scratch, allocated before anything is changed. */
struct work {
    size_t *pool_of;            /* doms[i]'s pool index; n_pools: none */
    size_t *first;              /* by_pool[first[k]..first[k+1]): pool k */
    struct splan_dom **by_pool;
    struct pool_key *sorted;    /* the pools by poolid */
    double *ws;                 /* splan_level_pick's scratch */
    size_t *order;
};

static double nonneg(double x)
{
    return x > 0 ? x : 0;       /* NaN too */
}

static uint64_t elapsed(uint64_t now, uint64_t since)
{
    return now > since ? now - since : 0;
}

static bool in_episode(enum splan_state s)
{
    return s == SPLAN_OVERLOADED || s == SPLAN_COOLING;
}

static const char *untuned_note(enum hv_sched s)
{
    switch (s) {
    case HV_SCHED_CREDIT:
    case HV_SCHED_CREDIT2: return NULL;
    case HV_SCHED_RTDS: return "scheduler rtds has no weights: not tuned";
    case HV_SCHED_ARINC653:
        return "scheduler arinc653 has no weights: not tuned";
    case HV_SCHED_NULL: return "scheduler null has no weights: not tuned";
    case HV_SCHED_UNKNOWN: break;
    }
    return "scheduler unknown: not tuned";
}

/* Rule 2 for one domain; `full`: its pool's util is at least enter. */
static double demand_of(const struct splan_dom *d, bool full)
{
    double use = nonneg(d->use), all = d->vcpus;

    if (d->demand_known)
        return nonneg(d->demand);
    if (!full)
        return use;
    if (d->admin_cap > 0 && d->admin_cap / 100.0 < all)
        all = d->admin_cap / 100.0;
    return all > use ? all : use;
}

static bool protectable(const struct splan_dom *d)
{
    return (unsigned)d->cls < SPLAN_NORMAL && d->vcpus > 0 &&
           d->demand_est >= d->vcpus / 4.0;
}

/* A domain the tuner could cap (its class has an overload cap) that uses
 * CPU: without one, throttling would take nothing from anyone. */
static bool cappable_busy(const struct splan_params *p,
                          const struct splan_dom *d)
{
    enum splan_class c = (unsigned)d->cls < SPLAN_NCLASS ? d->cls
                                                          : SPLAN_NORMAL;

    return p->cls[c].cap > 0 && nonneg(d->use) >= SPLAN_BUSY_MIN;
}

static void set_state(struct splan_pool *pool, enum splan_state s,
                      uint64_t now)
{
    pool->state = s;
    pool->since_ns = now;
}

/* Rule 3's state machine, and rule 4's level at the start and rises. */
static void step(const struct splan_params *p, uint64_t now,
                 struct splan_pool *pool, struct splan_dom *const *doms,
                 size_t n, bool any_protectable, const struct work *w,
                 struct splan_result *res)
{
    bool hot = pool->pressure >= p->enter && any_protectable;
    bool cool = pool->pressure < p->leave || !any_protectable;

    switch (pool->state) {
    default:
        set_state(pool, SPLAN_NORMAL_STATE, now);
        /* fall through */
    case SPLAN_NORMAL_STATE:
        if (!hot)
            return;
        set_state(pool, SPLAN_HOT, now);
        /* fall through */
    case SPLAN_HOT:
        if (!hot) {
            set_state(pool, SPLAN_NORMAL_STATE, now);
            return;
        }
        if (elapsed(now, pool->since_ns) < p->enter_ns)
            return;
        set_state(pool, SPLAN_OVERLOADED, now);
        pool->level = splan_level_pick(p, doms, n, pool->ncpus,
                                       SPLAN_LEVEL_START, w->ws, w->order);
        pool->level_ns = now;
        res->started++;
        return;
    case SPLAN_OVERLOADED:
        if (!cool)
            break;
        set_state(pool, SPLAN_COOLING, now);
        /* fall through */
    case SPLAN_COOLING:
        if (!cool) {
            set_state(pool, SPLAN_OVERLOADED, now);
            break;
        }
        if (elapsed(now, pool->since_ns) >= p->leave_ns) {
            set_state(pool, SPLAN_NORMAL_STATE, now);
            pool->level = -1;
            res->ended++;
        }
        return;
    }
    /* OVERLOADED: a rise when the last is enter_ns old and someone is
     * still short. */
    if (pool->level < SPLAN_LEVEL_MAX &&
        elapsed(now, pool->level_ns) >= p->enter_ns) {
        int level = splan_level_pick(p, doms, n, pool->ncpus, pool->level,
                                     w->ws, w->order);

        if (level > pool->level) {
            pool->level = level;
            pool->level_ns = now;
            res->raised++;
        }
    }
}

static void pool_pass(const struct splan_params *p, uint64_t now,
                      struct splan_pool *pool, struct splan_dom *const *doms,
                      size_t n, const struct work *w,
                      struct splan_result *res)
{
    double use = 0, demand = 0, ncpus = pool->ncpus > 0 ? pool->ncpus : 0;
    bool any_protectable = false, any_cappable = false, full;

    for (size_t i = 0; i < n; i++)
        use += nonneg(doms[i]->use);
    pool->util = ncpus > 0 ? use / ncpus : 0;
    full = ncpus > 0 && pool->util >= p->enter;
    for (size_t i = 0; i < n; i++) {
        doms[i]->demand_est = demand_of(doms[i], full);
        demand += doms[i]->demand_est;
        any_protectable |= protectable(doms[i]);
        any_cappable |= cappable_busy(p, doms[i]);
    }
    pool->pressure = ncpus > 0 ? demand / ncpus : 0;

    pool->note = untuned_note(pool->sched);
    if (pool->note) {
        if (in_episode(pool->state))
            res->ended++;
        if (pool->state != SPLAN_UNTUNED)
            set_state(pool, SPLAN_UNTUNED, now);
        pool->level = -1;
        for (size_t i = 0; i < n; i++) {
            doms[i]->want_weight = doms[i]->weight;
            doms[i]->want_cap = doms[i]->cap;
            doms[i]->throttled = doms[i]->protected_ = false;
        }
        return;
    }
    if (!in_episode(pool->state))
        pool->level = -1;
    else if (pool->level < 0 || pool->level > SPLAN_LEVEL_MAX)
        pool->level = pool->level < 0 ? 0 : SPLAN_LEVEL_MAX;
    step(p, now, pool, doms, n, any_protectable && any_cappable, w, res);
    for (size_t i = 0; i < n; i++)
        splan_dom_want(p, doms[i], pool->level);
}

/* --- grouping --- */

static int by_poolid(const void *a, const void *b)
{
    uint32_t x = ((const struct pool_key *)a)->poolid;
    uint32_t y = ((const struct pool_key *)b)->poolid;

    return x < y ? -1 : x > y;
}

/* Index of the pool with `poolid`, n_pools when none. */
static size_t find_pool(const struct pool_key *sorted, size_t n_pools,
                        uint32_t poolid)
{
    size_t lo = 0, hi = n_pools;

    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        uint32_t id = sorted[mid].poolid;

        if (id == poolid)
            return sorted[mid].i;
        if (id < poolid)
            lo = mid + 1;
        else
            hi = mid;
    }
    return n_pools;
}

static void work_free(struct work *w)
{
    free(w->pool_of);
    free(w->first);
    free(w->by_pool);
    free(w->sorted);
    free(w->ws);
    free(w->order);
}

static int work_alloc(struct work *w, size_t n_pools, size_t n_doms)
{
    size_t nd = n_doms ? n_doms : 1;

    w->pool_of = malloc(nd * sizeof(*w->pool_of));
    w->first = calloc(n_pools + 2, sizeof(*w->first));
    w->by_pool = malloc(nd * sizeof(*w->by_pool));
    w->sorted = malloc((n_pools ? n_pools : 1) * sizeof(*w->sorted));
    w->ws = malloc(3 * nd * sizeof(*w->ws));
    w->order = malloc(nd * sizeof(*w->order));
    if (w->pool_of && w->first && w->by_pool && w->sorted && w->ws &&
        w->order)
        return 0;
    work_free(w);
    errno = ENOMEM;
    return -1;
}

/* A counting sort of the domains by pool: pool k's are
 * by_pool[first[k]..first[k+1]), the pool-less ones come last. */
static void group(const struct splan_pool *pools, size_t n_pools,
                  struct splan_dom *doms, size_t n_doms, struct work *w)
{
    for (size_t k = 0; k < n_pools; k++)
        w->sorted[k] = (struct pool_key){pools[k].poolid, k};
    qsort(w->sorted, n_pools, sizeof(*w->sorted), by_poolid);
    for (size_t i = 0; i < n_doms; i++) {
        w->pool_of[i] = find_pool(w->sorted, n_pools, doms[i].poolid);
        w->first[w->pool_of[i] + 1]++;
    }
    for (size_t k = 0; k <= n_pools; k++)
        w->first[k + 1] += w->first[k];
    for (size_t i = 0; i < n_doms; i++)
        w->by_pool[w->first[w->pool_of[i]]++] = &doms[i];
    for (size_t k = n_pools + 1; k > 0; k--)    /* undo the increments */
        w->first[k] = w->first[k - 1];
    w->first[0] = 0;
}

int splan_run(const struct splan_params *p, uint64_t now,
              struct splan_pool *pools, size_t n_pools,
              struct splan_dom *doms, size_t n_doms,
              struct splan_result *res)
{
    struct splan_result ignored;
    struct work w;

    if (work_alloc(&w, n_pools, n_doms) < 0)
        return -1;
    if (!res)
        res = &ignored;
    memset(res, 0, sizeof(*res));
    group(pools, n_pools, doms, n_doms, &w);
    for (size_t k = 0; k < n_pools; k++)
        pool_pass(p, now, &pools[k], w.by_pool + w.first[k],
                  w.first[k + 1] - w.first[k], &w, res);
    for (size_t i = w.first[n_pools]; i < n_doms; i++) {
        struct splan_dom *d = w.by_pool[i];

        d->demand_est = demand_of(d, false);
        splan_dom_want(p, d, -1);
    }
    for (size_t i = 0; i < n_doms; i++)
        if (doms[i].want_weight != doms[i].weight ||
            doms[i].want_cap != doms[i].cap)
            res->changes++;
    work_free(&w);
    return 0;
}
