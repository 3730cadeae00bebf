/* plan.c - the balancer's decisions (see plan.h for the steps). */
#include "balloon/plan.h"

#include <stdlib.h>
#include <string.h>

#define MIB 1024u
#define SEC 1000000000ull
#define SPARE_KB (256u * MIB)       /* less unspent is not worth moving */
#define PAGE_KB 4u
#define BOOST_MIN_PCT 5             /* need raised per report under pressure */
#define BOOST_MAX_PCT 50
#define TAX_WINDOW_NS (10 * 60 * SEC)   /* longest gap the idle tax counts */

void bplan_params_default(struct bplan_params *p)
{
    p->reserve_kb = 128 * MIB;
    p->step_kb = 256 * MIB;
    p->slack_kb = 4 * MIB;
    p->stuck_ns = 30 * SEC;
    p->uncoop_ns = 120 * SEC;
    p->report_age_ns = 30 * SEC;
    p->psi_raise = 100;
    p->idle_tax_pct = 10;
}

const char *bplan_state_name(enum bplan_state s)
{
    switch (s) {
    case BPLAN_OK: return "ok";
    case BPLAN_STUCK: return "stuck";
    case BPLAN_UNCOOP: return "uncooperative";
    }
    return "?";
}

static uint64_t min64(uint64_t a, uint64_t b) { return a < b ? a : b; }
static uint64_t max64(uint64_t a, uint64_t b) { return a > b ? a : b; }
static uint64_t clamp64(uint64_t v, uint64_t lo, uint64_t hi)
{
    return v < lo ? lo : v > hi ? hi : v;
}
static uint64_t pages(uint64_t kb) { return kb / PAGE_KB * PAGE_KB; }
static uint64_t growth(const struct bplan_dom *d)
{
    return d->target_kb > d->actual_kb ? d->target_kb - d->actual_kb : 0;
}

/* --- sharing by weight --- */

struct claim {
    double per_weight;          /* cap / weight: when this claim is full */
    size_t i;
};

static int by_fill_level(const void *a, const void *b)
{
    double x = ((const struct claim *)a)->per_weight;
    double y = ((const struct claim *)b)->per_weight;

    return x < y ? -1 : x > y;
}

int64_t bplan_share(uint64_t amount, const uint64_t *cap,
                    const double *weight, size_t n, uint64_t *out)
{
    struct claim *c = malloc((n ? n : 1) * sizeof(*c));
    uint64_t left = amount;
    double wsum = 0;
    size_t k = 0;

    if (!c)
        return -1;
    for (size_t i = 0; i < n; i++) {
        double w = weight[i] > 0 ? weight[i] : 1;

        out[i] = 0;
        if (cap[i] == 0)
            continue;
        c[k].per_weight = (double)cap[i] / w;
        c[k++].i = i;
        wsum += w;
    }
    qsort(c, k, sizeof(*c), by_fill_level);
    /* Claims that fill below the common level take their cap; the rest
     * share what is left by weight. */
    for (size_t j = 0; j < k; j++) {
        size_t i = c[j].i;
        double w = weight[i] > 0 ? weight[i] : 1;
        uint64_t fair = wsum > 0 ? (uint64_t)((double)left * w / wsum) : 0;

        out[i] = min64(cap[i], fair);
        left -= out[i];
        wsum -= w;
    }
    free(c);
    return (int64_t)(amount - left);
}

/* --- one domain: bounds, need, progress --- */

static bool report_fresh(const struct bplan_params *p, uint64_t now,
                         const struct bplan_dom *d)
{
    return d->report && d->report->total_kb > 0 &&
           now - d->report_ns <= p->report_age_ns;
}

static void bounds(const struct bplan_params *p, uint64_t now,
                   struct bplan_dom *d)
{
    uint64_t smax = d->static_max_kb ? d->static_max_kb
                                     : max64(d->cfg_kb, d->actual_kb);
    bool reports = report_fresh(p, now, d) || d->admin_kb;

    d->hi_kb = d->max_kb ? min64(d->max_kb, smax) : smax;
    if (d->min_kb)
        d->lo_kb = d->min_kb;
    else if (reports)
        d->lo_kb = max64(BPLAN_FLOOR_KB, d->cfg_kb / 4);
    else
        d->lo_kb = d->cfg_kb;
    d->lo_kb = min64(d->lo_kb, d->hi_kb);
}

/* A new report changes the need estimate: use plus the buffer, raised
 * under pressure, taxed down slowly while idle. */
static uint64_t need_from_report(const struct bplan_params *p, uint64_t now,
                                 const struct bplan_dom *d)
{
    const struct memreport *r = d->report;
    uint32_t buf = d->buffer_pct ? d->buffer_pct : BPLAN_BUFFER_DEFAULT;
    uint64_t used = r->total_kb - r->avail_kb;
    uint64_t base = used + used * buf / 100 + d->memo.overhead_kb;
    uint64_t prev = d->memo.need_kb;

    if (r->some10 >= p->psi_raise || r->swapin_ps > 0) {
        uint64_t pct = BOOST_MIN_PCT + r->some10 / 50;  /* 2 per PSI % */
        uint64_t cur = max64(prev, d->actual_kb);

        pct = min64(pct, BOOST_MAX_PCT);
        return max64(base, cur + cur * pct / 100);
    }
    if (prev == 0 || base >= prev)
        return base;
    {
        uint64_t dt = min64(now - d->memo.seq_ns, TAX_WINDOW_NS);
        double tax = (double)(prev - base) * p->idle_tax_pct / 100.0 *
                     (double)dt / (60.0 * SEC);

        return max64(base, prev - (uint64_t)tax);
    }
}

/* A guest's MemTotal leaves out what its kernel keeps for itself (about
 * 50 MiB for Debian's kernel): the need must add it back.  Learnt only
 * while the domain holds its target, when the report and what it holds
 * agree; kept otherwise. */
static void learn_overhead(const struct bplan_params *p, struct bplan_dom *d)
{
    uint64_t total = d->report->total_kb;
    bool still = d->actual_kb + p->slack_kb >= d->target_kb &&
                 d->target_kb + p->slack_kb >= d->actual_kb;

    if (still)
        d->memo.overhead_kb = d->actual_kb > total
                              ? min64(d->actual_kb - total, d->actual_kb / 2)
                              : 0;
}

static void update_need(const struct bplan_params *p, uint64_t now,
                        struct bplan_dom *d)
{
    uint64_t need = 0;

    if (d->admin_kb) {
        need = d->admin_kb;
    } else if (report_fresh(p, now, d)) {
        if (d->report->seq != d->memo.seq || d->memo.seq_ns == 0) {
            learn_overhead(p, d);
            d->memo.need_kb = need_from_report(p, now, d);
            d->memo.seq = d->report->seq;
            d->memo.seq_ns = now;
        }
        need = d->memo.need_kb;
    }
    d->need_kb = pages(clamp64(need, d->lo_kb, d->hi_kb));
    d->pressure = d->report ? d->report->some10 : 0;
}

/* Output, in the order actions must be applied (see plan.h). */
struct out {
    struct bplan_action *first;     /* states and clamps, then lowers */
    size_t n_first;
    struct bplan_action *last;      /* raises, then maxima given back */
    size_t n_last;
};

static void emit(struct bplan_action *list, size_t *n,
                 enum bplan_act_type t, const struct bplan_dom *d, size_t i,
                 uint64_t kb, enum bplan_state s)
{
    list[(*n)++] = (struct bplan_action){t, d->domid, i, kb, s};
}

static void set_state(struct out *o, struct bplan_dom *d, size_t i,
                      enum bplan_state s)
{
    d->memo.state = s;
    emit(o->first, &o->n_first, BPLAN_STATE, d, i, 0, s);
}

/* Stuck, uncooperative, recovered: from whether what it holds moved
 * toward a lower target. */
static void track_progress(const struct bplan_params *p, uint64_t now,
                           struct bplan_dom *d, size_t i, struct out *o)
{
    struct bplan_memo *m = &d->memo;
    bool asked = d->target_kb + p->slack_kb < d->actual_kb;
    bool moved = d->actual_kb + p->slack_kb <= m->progress_kb;

    if (m->progress_ns == 0 || moved || !asked) {
        m->progress_kb = d->actual_kb;
        m->progress_ns = now;
        if (m->state != BPLAN_OK) {
            set_state(o, d, i, BPLAN_OK);
            if (m->clamped) {
                emit(o->last, &o->n_last, BPLAN_SET_MAX, d, i,
                     d->static_max_kb ? d->static_max_kb : d->hi_kb, 0);
                m->clamped = false;
            }
        }
        return;
    }
    if (m->state == BPLAN_OK && now - m->progress_ns >= p->stuck_ns) {
        set_state(o, d, i, BPLAN_STUCK);
        m->stuck_ns = now;
        emit(o->first, &o->n_first, BPLAN_SET_MAX, d, i, d->actual_kb, 0);
        m->clamped = true;
    } else if (m->state == BPLAN_STUCK && now - m->stuck_ns >= p->uncoop_ns) {
        set_state(o, d, i, BPLAN_UNCOOP);
    }
}

/* A domain the balancer does not manage: give back what it clamped. */
static void leave_alone(struct bplan_dom *d, size_t i, struct out *o)
{
    if (d->memo.clamped) {
        emit(o->last, &o->n_last, BPLAN_SET_MAX, d, i,
             d->static_max_kb ? d->static_max_kb
                              : max64(d->cfg_kb, d->actual_kb), 0);
        d->memo.clamped = false;
    }
    d->memo.state = BPLAN_OK;       /* no event: it was let go, not cured */
    d->lo_kb = d->hi_kb = d->need_kb = d->goal_kb =
        max64(d->actual_kb, d->target_kb);
    d->pressure = d->report ? d->report->some10 : 0;
}

static bool flexible(const struct bplan_dom *d)
{
    return d->managed && d->memo.state == BPLAN_OK;
}

/* --- goals --- */

struct scratch {
    uint64_t *cap;
    double *weight;
    uint64_t *share;
};

/* Free memory now, less the reserve, the reservations and what domains
 * are still growing into; may be negative. */
static int64_t free_for_raises(const struct bplan_params *p,
                               const struct bplan_host *h,
                               const struct bplan_dom *doms, size_t n)
{
    int64_t avail = (int64_t)h->free_kb - (int64_t)p->reserve_kb -
                    (int64_t)h->reserved_kb;

    for (size_t i = 0; i < n; i++)
        avail -= (int64_t)growth(&doms[i]);
    return avail;
}

static double weight_of(const struct bplan_dom *d)
{
    return d->weight ? d->weight : BPLAN_WEIGHT_DEFAULT;
}

/* goal_kb for every flexible domain; the memory they may have between
 * them is `budget`.  Returns the needs not met. */
static int goals(struct bplan_dom *doms, size_t n, int64_t budget,
                 struct scratch *s, uint64_t *short_r)
{
    uint64_t sum_lo = 0, left, shortfall = 0;
    int64_t given;

    for (size_t i = 0; i < n; i++)
        if (flexible(&doms[i]))
            sum_lo += doms[i].lo_kb;
    left = budget > (int64_t)sum_lo ? (uint64_t)budget - sum_lo : 0;
    if (budget < (int64_t)sum_lo)       /* not even the floors fit */
        shortfall = sum_lo - (uint64_t)(budget > 0 ? budget : 0);
    /* lo for all, then the needs above lo by weight */
    for (size_t i = 0; i < n; i++) {
        struct bplan_dom *d = &doms[i];

        s->cap[i] = flexible(d) ? d->need_kb - d->lo_kb : 0;
        s->weight[i] = weight_of(d);
    }
    if ((given = bplan_share(left, s->cap, s->weight, n, s->share)) < 0)
        return -1;
    left -= (uint64_t)given;
    for (size_t i = 0; i < n; i++) {
        struct bplan_dom *d = &doms[i];

        s->cap[i] = 0;
        if (!flexible(d))
            continue;
        d->goal_kb = d->lo_kb + s->share[i];
        shortfall += d->need_kb - d->goal_kb;
        /* what is left, by weight up to hi, each the same share of its
         * head-room (an admin need is exact) */
        s->cap[i] = d->admin_kb ? 0 : d->hi_kb - d->goal_kb;
        s->weight[i] = weight_of(d) * (double)s->cap[i] / MIB;
    }
    if ((given = bplan_share(left, s->cap, s->weight, n, s->share)) < 0)
        return -1;
    for (size_t i = 0; i < n; i++)
        if (flexible(&doms[i]))
            doms[i].goal_kb = pages(doms[i].goal_kb + s->share[i]);
    *short_r = shortfall;
    return 0;
}

/* Targets stay where they are, within [max(lo, need), hi]: memory moves
 * only where it is needed.  When the kept targets spend more than the
 * budget (a need grew, a reservation came), the domains above their fair
 * goal give, each in proportion to how far above it is.  When much is
 * left unspent (a domain died), it goes to those below their goal, in
 * proportion to how far below.  goal_kb becomes the target decided. */
static void sticky(struct bplan_dom *doms, size_t n, int64_t budget)
{
    int64_t spent = 0;
    uint64_t far = 0;

    for (size_t i = 0; i < n; i++) {
        struct bplan_dom *d = &doms[i];

        if (!flexible(d))
            continue;
        d->keep_kb = clamp64(d->target_kb, max64(d->lo_kb, d->need_kb),
                             d->hi_kb);
        spent += (int64_t)d->keep_kb;
    }
    for (size_t i = 0; i < n; i++) {
        struct bplan_dom *d = &doms[i];

        if (!flexible(d))
            continue;
        if (spent > budget && d->keep_kb > d->goal_kb)
            far += d->keep_kb - d->goal_kb;
        else if (spent <= budget && d->keep_kb < d->goal_kb)
            far += d->goal_kb - d->keep_kb;
    }
    if (spent <= budget &&
        (uint64_t)(budget - spent) < max64(SPARE_KB, (uint64_t)budget / 16))
        far = 0;                    /* not worth a move */
    for (size_t i = 0; i < n && far; i++) {
        struct bplan_dom *d = &doms[i];
        double part;

        if (!flexible(d))
            continue;
        if (spent > budget && d->keep_kb > d->goal_kb) {
            part = (double)(d->keep_kb - d->goal_kb) / (double)far;
            d->keep_kb -= min64(d->keep_kb - d->goal_kb,
                                (uint64_t)((double)(spent - budget) * part) +
                                PAGE_KB);
        } else if (spent <= budget && d->keep_kb < d->goal_kb) {
            part = (double)(d->goal_kb - d->keep_kb) / (double)far;
            d->keep_kb += min64(d->goal_kb - d->keep_kb,
                                (uint64_t)((double)(budget - spent) * part));
        }
    }
    for (size_t i = 0; i < n; i++)
        if (flexible(&doms[i]))
            doms[i].goal_kb = pages(doms[i].keep_kb);
}

/* --- actions --- */

static void lowers(const struct bplan_params *p, uint64_t now,
                   struct bplan_dom *doms, size_t n, struct out *o,
                   uint64_t *lowered)
{
    for (size_t i = 0; i < n; i++) {
        struct bplan_dom *d = &doms[i];
        uint64_t since, allow, t;

        if (!flexible(d) || d->goal_kb >= d->target_kb)
            continue;
        since = d->memo.lowered_ns ? min64(now - d->memo.lowered_ns, SEC)
                                   : SEC;
        allow = (uint64_t)((double)p->step_kb * (double)since / SEC);
        t = d->actual_kb > allow ? d->actual_kb - allow : 0;
        t = pages(min64(max64(d->goal_kb, t), d->target_kb));
        if (t >= d->target_kb)
            continue;               /* still on its way down */
        *lowered += d->target_kb - t;
        emit(o->first, &o->n_first, BPLAN_SET_TARGET, d, i, t, 0);
        d->target_kb = t;
        d->memo.lowered_ns = now;
    }
}

/* Raise toward the goals from memory free now: needs first, then the
 * rest, each by weight. */
static int raises(const struct bplan_params *p, const struct bplan_host *h,
                  struct bplan_dom *doms, size_t n, struct scratch *s,
                  struct out *o, uint64_t *raised)
{
    int64_t avail = free_for_raises(p, h, doms, n);
    uint64_t left = avail > 0 ? (uint64_t)avail : 0;
    uint64_t *give = s->share;
    uint64_t *first = calloc(n ? n : 1, sizeof(*first));
    int64_t given;

    if (!first)
        return -1;
    for (int round = 0; round < 2; round++) {
        for (size_t i = 0; i < n; i++) {
            struct bplan_dom *d = &doms[i];
            uint64_t upto = round == 0 ? min64(d->goal_kb, d->need_kb)
                                       : d->goal_kb;
            uint64_t have = d->target_kb + (round ? first[i] : 0);

            s->cap[i] = flexible(d) && upto > have ? upto - have : 0;
            s->weight[i] = weight_of(d);
        }
        if ((given = bplan_share(left, s->cap, s->weight, n, give)) < 0) {
            free(first);
            return -1;
        }
        left -= (uint64_t)given;
        for (size_t i = 0; i < n; i++)
            if (round == 0)
                first[i] = give[i];
            else
                give[i] += first[i];
    }
    for (size_t i = 0; i < n; i++) {
        struct bplan_dom *d = &doms[i];
        uint64_t t = pages(d->target_kb + give[i]);

        if (t <= d->target_kb)
            continue;
        *raised += t - d->target_kb;
        emit(o->last, &o->n_last, BPLAN_SET_TARGET, d, i, t, 0);
        d->target_kb = t;
    }
    free(first);
    return 0;
}

int bplan_run(const struct bplan_params *p, const struct bplan_host *h,
              struct bplan_dom *doms, size_t n, struct bplan_action *acts,
              struct bplan_summary *sum_r)
{
    struct bplan_summary sum = {0};
    struct bplan_action *last = malloc((n ? n : 1) * 2 * sizeof(*last));
    struct scratch s = {
        calloc(n ? n : 1, sizeof(uint64_t)),
        calloc(n ? n : 1, sizeof(double)),
        calloc(n ? n : 1, sizeof(uint64_t)),
    };
    struct out o = {acts, 0, last, 0};
    int64_t budget;
    int rc = -1;

    if (!last || !s.cap || !s.weight || !s.share)
        goto out;
    budget = (int64_t)h->free_kb - (int64_t)p->reserve_kb -
             (int64_t)h->reserved_kb;
    for (size_t i = 0; i < n; i++) {
        struct bplan_dom *d = &doms[i];

        if (!d->managed) {
            leave_alone(d, i, &o);
            budget -= (int64_t)growth(d);
            continue;
        }
        bounds(p, h->now_ns, d);
        update_need(p, h->now_ns, d);
        track_progress(p, h->now_ns, d, i, &o);
        sum.need_kb += d->need_kb;
        if (flexible(d)) {
            budget += (int64_t)d->actual_kb;
            sum.reclaimable_kb += d->actual_kb > d->lo_kb
                                  ? d->actual_kb - d->lo_kb : 0;
        } else {
            d->goal_kb = d->actual_kb;
            sum.stuck += d->memo.state == BPLAN_STUCK;
            sum.uncoop += d->memo.state == BPLAN_UNCOOP;
        }
    }
    if (goals(doms, n, budget, &s, &sum.short_kb) < 0)
        goto out;
    sticky(doms, n, budget);
    lowers(p, h->now_ns, doms, n, &o, &sum.lowered_kb);
    if (raises(p, h, doms, n, &s, &o, &sum.raised_kb) < 0)
        goto out;
    memcpy(acts + o.n_first, last, o.n_last * sizeof(*last));
    rc = (int)(o.n_first + o.n_last);
    if (sum_r)
        *sum_r = sum;
out:
    free(last);
    free(s.cap);
    free(s.weight);
    free(s.share);
    return rc;
}
