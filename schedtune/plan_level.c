/*
 * plan_level.c - what a domain runs with at a throttling level (rules 1
 * and 5 of plan.h) and which level an episode needs (rule 4): the
 * prediction runs fairshare() as Xen's credit scheduler would divide the
 * pool's CPUs among the weights and caps of that level.
 */
#include "schedtune/plan.h"

#include "fairshare.h"

#define WEIGHT_MAX 65535
#define CAP_MAX 65535           /* Xen's cap is 16 bits */
#define DEMAND_SLACK 0.97       /* within 3 % of its demand is enough */
#define SHORT_NONE 1e-6         /* CPUs: less is no shortfall */
#define GAIN_MIN 0.01           /* CPUs a higher level must win */

static enum splan_class class_of(const struct splan_dom *d)
{
    return (unsigned)d->cls < SPLAN_NCLASS ? d->cls : SPLAN_NORMAL;
}

static double nonneg(double x)
{
    return x > 0 ? x : 0;       /* NaN too */
}

static int clamp_int(double x, int lo, int hi)
{
    if (!(x > lo))
        return lo;
    if (x >= hi)
        return hi;
    return (int)(x + 0.5);
}

/* The level from which a class is capped (when its class cap is not 0). */
static int throttle_level(enum splan_class c)
{
    switch (c) {
    case SPLAN_LOW: return 1;
    case SPLAN_NORMAL: return 2;
    case SPLAN_HIGH: return 3;
    default: return SPLAN_LEVEL_MAX + 1;
    }
}

struct values {
    int weight, cap;
    bool throttled, protected_;
};

static struct values values_at(const struct splan_params *p,
                               const struct splan_dom *d, int level)
{
    const struct splan_class_params *k = &p->cls[class_of(d)];
    int base = d->admin_weight > 0 ? d->admin_weight : k->weight;
    struct values v = {clamp_int(base, 1, WEIGHT_MAX),
                       d->admin_cap > 0 ? d->admin_cap : 0, false, false};

    if (level < 0)
        return v;
    if (k->boost > 1) {
        v.weight = clamp_int(base * k->boost, 1, WEIGHT_MAX);
        v.protected_ = true;
    }
    if (k->cap > 0 && level >= throttle_level(class_of(d))) {
        double pct = k->cap * d->vcpus * 100;
        double least = k->guarantee * d->vcpus * 100;
        int cap = clamp_int(pct > least ? pct : least, 1, CAP_MAX);

        if (v.cap == 0 || cap < v.cap) {
            v.cap = cap;
            v.throttled = true;
        }
    }
    return v;
}

void splan_dom_want(const struct splan_params *p, struct splan_dom *d,
                    int level)
{
    struct values v = values_at(p, d, level);

    d->want_weight = v.weight;
    d->want_cap = v.cap;
    d->throttled = v.throttled;
    d->protected_ = v.protected_;
}

/* What d may run at most with `cap` (0 = none): demand, vCPUs, cap. */
static double ceiling(const struct splan_dom *d, int cap)
{
    double lim = nonneg(d->demand_est);

    if (lim > d->vcpus)
        lim = d->vcpus;
    if (cap > 0 && lim > cap / 100.0)
        lim = cap / 100.0;
    return lim;
}

/* Total shortfall of the protected ranks at `level`. */
static double shortfall(const struct splan_params *p,
                        struct splan_dom *const *doms, size_t n,
                        double ncpus, int level, double *ws, size_t *order)
{
    double *weight = ws, *limit = ws + n, *got = ws + 2 * n, sum = 0;

    for (size_t i = 0; i < n; i++) {
        struct values v = values_at(p, doms[i], level);

        weight[i] = v.weight;
        limit[i] = ceiling(doms[i], v.cap);
    }
    fairshare(n, weight, limit, ncpus, got, order);
    for (size_t i = 0; i < n; i++) {
        const struct splan_dom *d = doms[i];
        enum splan_class c = class_of(d);
        double want, guarantee;

        if (c >= SPLAN_NORMAL)
            continue;
        want = DEMAND_SLACK * ceiling(d, d->admin_cap > 0 ? d->admin_cap : 0);
        guarantee = nonneg(p->cls[c].guarantee) * d->vcpus;
        if (want > guarantee)
            want = guarantee;
        if (got[i] < want)
            sum += want - got[i];
    }
    return sum;
}

static bool any_protected_rank(struct splan_dom *const *doms, size_t n)
{
    for (size_t i = 0; i < n; i++)
        if (class_of(doms[i]) < SPLAN_NORMAL)
            return true;
    return false;
}

int splan_level_pick(const struct splan_params *p,
                     struct splan_dom *const *doms, size_t n, double ncpus,
                     int from, double *ws, size_t *order)
{
    int best;
    double best_short = 0;

    if (from < 0)
        from = 0;
    if (from >= SPLAN_LEVEL_MAX || !(ncpus > 0) ||
        !any_protected_rank(doms, n))
        return from > SPLAN_LEVEL_MAX ? SPLAN_LEVEL_MAX : from;
    best = from;
    for (int level = from; level <= SPLAN_LEVEL_MAX; level++) {
        double s = shortfall(p, doms, n, ncpus, level, ws, order);

        if (s <= SHORT_NONE)
            return level;
        if (level == from || s < best_short - GAIN_MIN) {
            best = level;
            best_short = s;
        }
    }
    return best;
}
