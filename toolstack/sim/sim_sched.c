/*
 * sim_sched.c - the simulated host's CPU scheduler: how each pool's pCPUs
 * are shared among its running domains, and CPU time, waiting time and
 * wanted time integrated exactly from piecewise-constant rates.
 *
 * The model (credit and credit2 alike; rtds, null and arinc653 pools, which
 * the sim does not run, would get the same): every running domain claims
 *
 *   limit = min(demand, online vCPUs, cap/100 when cap > 0,
 *               CPUs its vCPUs' hard affinity allows in the pool)
 *
 * and the pool's CPUs are divided by weighted max-min fairness
 * (fairshare(), shared with the tuner), work-conserving: what one cannot
 * use goes to the others by weight.
 *
 * Hard affinity: progressive filling with one constraint per distinct
 * affinity set S (the union of the domain's online vCPUs' hard affinity,
 * within the pool): the domains whose set lies within S together get at
 * most |S| CPUs.  The pool itself is the outermost constraint.  The fill
 * level rises for everyone; the constraint that saturates first (the
 * lowest level, found with fairshare() over its unfrozen members) freezes
 * its members there, and filling goes on with what is left.  This is exact
 * when the sets are nested or disjoint (a laminar family: then every
 * Hall condition is one of these constraints or a sum of them); for sets
 * that overlap without nesting, the constraints of their unions are not
 * imposed, so such domains may together get up to one CPU per set more
 * than the union holds.  Beyond SIM_SCHED_SETS_MAX - 1 distinct smaller
 * sets in a pool, further ones are only limited to their CPU count.  A
 * domain's vCPUs pinned to different sets count as their union (the
 * domain is limited to min(vCPUs, |union|), not by a matching).
 *
 * Time: a pool's rates hold from its settled_ns until something changes.
 * sim_sched_change() integrates the pool up to now at the old rates and
 * marks them stale; the next look recomputes them (once, however many
 * changes came at the same clock).  Demand traces change rates at their
 * edges: integrating crosses each edge, recomputing there.
 */
#include "sim/sim_host_int.h"

#include <stdlib.h>
#include <string.h>

#include "fairshare.h"

/* --- membership --- */

#define GROW(p, n) realloc((p), (n) * sizeof(*(p)))

static int scratch_grow(struct sim_sched_scratch *sc, size_t need)
{
    size_t cap = sc->cap ? sc->cap : 64;
    void *p;

    if (need <= sc->cap)
        return 0;
    while (cap < need)
        cap *= 2;
#define ONE(f) do {                                                        \
        if (!(p = GROW(sc->f, cap)))                                       \
            return XN_ENOMEM;                                              \
        sc->f = p;                                                         \
    } while (0)
    ONE(w); ONE(lim); ONE(rate); ONE(set); ONE(dom);
    ONE(gw); ONE(glim); ONE(gout); ONE(order);
#undef ONE
    sc->cap = cap;
    return 0;
}

int sim_sched_join(struct sim_host *h, struct sim_dom *d)
{
    struct sim_spool *sp = &h->spools[d->poolid];

    if (sp->n == sp->cap) {
        uint32_t cap = sp->cap ? sp->cap * 2 : 16;
        struct sim_dom **n = GROW(sp->doms, cap);
        if (!n)
            return XN_ENOMEM;
        sp->doms = n;
        sp->cap = cap;
    }
    if (scratch_grow(&h->scratch, (size_t)sp->n + 1) < 0)
        return XN_ENOMEM;
    sim_sched_change(h, d->poolid, false);
    d->host = h;
    d->rate = d->want = 0;
    d->pool_slot = sp->n;
    sp->doms[sp->n++] = d;
    sim_sched_affinity(h, d);
    return 0;
}

void sim_sched_leave(struct sim_host *h, struct sim_dom *d)
{
    struct sim_spool *sp = &h->spools[d->poolid];
    struct sim_dom *last;

    if (d->pool_slot >= sp->n || sp->doms[d->pool_slot] != d)
        return;     /* never joined, or the host is being freed */
    sim_sched_change(h, d->poolid, false);  /* its set may stay unused */
    last = sp->doms[--sp->n];
    sp->doms[d->pool_slot] = last;
    last->pool_slot = d->pool_slot;
}

void sim_sched_free(struct sim_host *h)
{
    struct sim_sched_scratch *sc = &h->scratch;

    for (uint32_t i = 0; i < SIM_POOLS_MAX; i++) {
        free(h->spools[i].doms);
        h->spools[i].doms = NULL;
        h->spools[i].n = h->spools[i].cap = 0;
    }
    free(sc->w); free(sc->lim); free(sc->rate); free(sc->set); free(sc->dom);
    free(sc->gw); free(sc->glim); free(sc->gout); free(sc->order);
    memset(sc, 0, sizeof(*sc));
}

void sim_sched_restart(struct sim_host *h)
{
    uint64_t now = sim_host_now(h);

    for (uint32_t i = 0; i < SIM_POOLS_MAX; i++) {
        h->spools[i].settled_ns = now;
        h->spools[i].dirty = h->spools[i].aff_dirty = true;
    }
}

/* --- affinity constraints --- */

static bool subset(const struct cpuset *a, const struct cpuset *b)
{
    for (size_t w = 0; w < CPUSET_MAX / 64; w++)
        if (a->bits[w] & ~b->bits[w])
            return false;
    return true;
}

/* The CPUs of the pool d's online vCPUs may run on (all of the pool when
 * their affinity has none of them, as sim_vcpu_place falls back). */
static void dom_affinity(const struct sim_pool *pool, const struct sim_dom *d,
                         struct cpuset *out)
{
    cpuset_clear(out);
    for (uint32_t i = 0; i < d->vcpus_online; i++)
        for (size_t w = 0; w < CPUSET_MAX / 64; w++)
            out->bits[w] |= d->vcpus[i].hard.bits[w];
    for (size_t w = 0; w < CPUSET_MAX / 64; w++)
        out->bits[w] &= pool->cpus.bits[w];
    if (cpuset_empty(out))
        *out = pool->cpus;
}

/* The index of set a in the pool's table, added if new; SIM_SCHED_SETS_MAX
 * when the table is full. */
static uint32_t set_index(struct sim_spool *sp, const struct cpuset *a,
                          uint32_t count)
{
    uint32_t s;

    if (cpuset_equal(a, &sp->sets[0]))
        return 0;
    for (s = 1; s < sp->n_sets; s++)
        if (cpuset_equal(a, &sp->sets[s]))
            return s;
    if (s == SIM_SCHED_SETS_MAX)
        return s;
    sp->sets[s] = *a;
    sp->set_cpus[s] = count;
    sp->n_sets++;
    for (uint32_t x = 0; x < sp->n_sets; x++) {
        sp->sub[s][x] = x == 0 || subset(a, &sp->sets[x]);
        sp->sub[x][s] = x == s || (x != 0 && subset(&sp->sets[x], a));
    }
    return s;
}

/* Every domain's set and CPU count, the table made again from the sets
 * in use (after the pool's CPUs change, or when the table is full). */
static void affinity_sets(struct sim_host *h, uint32_t pid)
{
    struct sim_spool *sp = &h->spools[pid];
    const struct sim_pool *pool = &h->pools[pid];
    struct cpuset a;

    sp->n_sets = 1;
    sp->sets[0] = pool->cpus;
    sp->set_cpus[0] = cpuset_count(&pool->cpus);
    sp->sub[0][0] = true;
    for (uint32_t k = 0; k < sp->n; k++) {
        struct sim_dom *d = sp->doms[k];
        dom_affinity(pool, d, &a);
        d->aff_cpus = cpuset_count(&a);
        d->aff_set = set_index(sp, &a, d->aff_cpus);
        if (d->aff_set == SIM_SCHED_SETS_MAX)
            d->aff_set = 0;     /* limited to its CPU count only */
    }
    sp->aff_dirty = false;
}

void sim_sched_affinity(struct sim_host *h, struct sim_dom *d)
{
    struct sim_spool *sp = &h->spools[d->poolid];
    struct cpuset a;

    if (sp->n_sets == 0)
        sp->aff_dirty = true;   /* no table yet */
    if (sp->aff_dirty)
        return;                 /* made again at the next look */
    dom_affinity(&h->pools[d->poolid], d, &a);
    d->aff_cpus = cpuset_count(&a);
    d->aff_set = set_index(sp, &a, d->aff_cpus);
    if (d->aff_set == SIM_SCHED_SETS_MAX)
        sp->aff_dirty = true;   /* drop the sets no one uses any more */
}

/* --- rates --- */

/* The fill level at which constraint c saturates with the unfrozen
 * claimants within it, given `left` CPUs; -1 when it never does (their
 * limits fit).  *none_r: it has no unfrozen claimant. */
static double saturation(const struct sim_spool *sp,
                         struct sim_sched_scratch *sc, size_t n, uint32_t c,
                         double left, bool *none_r)
{
    size_t m = 0;
    double sum = 0, level = 0;

    for (size_t i = 0; i < n; i++) {
        if (sc->rate[i] >= 0 || !sp->sub[sc->set[i]][c])
            continue;
        sc->gw[m] = sc->w[i];
        sc->glim[m] = sc->lim[i];
        sum += sc->lim[i];
        m++;
    }
    *none_r = m == 0;
    if (m == 0 || sum <= left)
        return -1;
    fairshare(m, sc->gw, sc->glim, left, sc->gout, sc->order);
    /* the unlimited members all sit at the level; the limited below it */
    for (size_t k = 0; k < m; k++)
        if (sc->gout[k] / sc->gw[k] > level)
            level = sc->gout[k] / sc->gw[k];
    return level;
}

/* Progressive filling of n claimants (w, lim, set) into rate. */
static void fill(const struct sim_spool *sp, struct sim_sched_scratch *sc,
                 size_t n)
{
    double left[SIM_SCHED_SETS_MAX];
    bool done[SIM_SCHED_SETS_MAX] = { false };

    for (uint32_t c = 0; c < sp->n_sets; c++)
        left[c] = sp->set_cpus[c];
    for (size_t i = 0; i < n; i++)
        sc->rate[i] = -1;       /* not frozen yet */
    for (;;) {
        double best = -1;
        int bc = -1;
        for (uint32_t c = 0; c < sp->n_sets; c++) {
            bool none;
            double level;
            if (done[c])
                continue;
            level = saturation(sp, sc, n, c, left[c], &none);
            done[c] = none;
            if (level >= 0 && (bc < 0 || level < best)) {
                best = level;
                bc = (int)c;
            }
        }
        if (bc < 0)
            break;              /* no constraint binds: limits for all */
        for (size_t i = 0; i < n; i++) {
            double r;
            if (sc->rate[i] >= 0 || !sp->sub[sc->set[i]][bc])
                continue;
            r = sc->w[i] * best < sc->lim[i] ? sc->w[i] * best : sc->lim[i];
            sc->rate[i] = r;
            for (uint32_t c = 0; c < sp->n_sets; c++)
                if (sp->sub[sc->set[i]][c])
                    left[c] = left[c] > r ? left[c] - r : 0;
        }
        done[bc] = true;
    }
    for (size_t i = 0; i < n; i++)
        if (sc->rate[i] < 0)
            sc->rate[i] = sc->lim[i];
}

/* Demands (traces at settled_ns), wants and rates of every domain of the
 * pool, and the pool's next trace edge. */
static void recompute(struct sim_host *h, uint32_t pid)
{
    struct sim_spool *sp = &h->spools[pid];
    struct sim_sched_scratch *sc = &h->scratch;
    uint64_t tt = sp->settled_ns > h->born_ns ? sp->settled_ns - h->born_ns
                                              : 0;
    size_t n = 0;

    if (sp->aff_dirty)
        affinity_sets(h, pid);
    sp->next_ns = UINT64_MAX;
    for (uint32_t k = 0; k < sp->n; k++) {
        struct sim_dom *d = sp->doms[k];
        double want, lim;
        d->rate = d->want = 0;
        if (d->cpu.kind != SIM_CT_NONE) {
            d->demand = sim_cpu_trace_demand(&d->cpu, tt);
            if (d->state == HV_STATE_RUNNING) {
                uint64_t next = sim_cpu_trace_next(&d->cpu, tt);
                if (next != UINT64_MAX && next - tt < sp->next_ns -
                                                      sp->settled_ns)
                    sp->next_ns = sp->settled_ns + (next - tt);
            }
        }
        if (d->state != HV_STATE_RUNNING)
            continue;
        want = d->demand < d->vcpus_online ? d->demand : d->vcpus_online;
        d->want = want > 0 ? want : 0;
        lim = d->want;
        if (d->cap > 0 && lim > d->cap / 100.0)
            lim = d->cap / 100.0;
        if (lim > d->aff_cpus)
            lim = d->aff_cpus;
        if (lim <= 0)
            continue;
        sc->dom[n] = d;
        sc->w[n] = d->weight > 0 ? d->weight : 1;
        sc->lim[n] = lim;
        sc->set[n] = d->aff_set;
        n++;
    }
    fill(sp, sc, n);
    for (size_t i = 0; i < n; i++)
        sc->dom[i]->rate = sc->rate[i];
    sp->dirty = false;
}

/* --- time --- */

static void integrate(struct sim_spool *sp, uint64_t dt)
{
    double fdt = (double)dt;

    for (uint32_t k = 0; k < sp->n; k++) {
        struct sim_dom *d = sp->doms[k];
        if (d->want <= 0 && d->rate <= 0)
            continue;
        if (d->rate > 0 && d->vcpus_online > 0) {
            uint64_t total = (uint64_t)(d->rate * fdt + 0.5);
            uint64_t each = total / d->vcpus_online;
            for (uint32_t i = 0; i < d->vcpus_online; i++)
                d->vcpus[i].time_ns += each;
            d->vcpus[0].time_ns += total % d->vcpus_online;
        }
        d->wanted_ns += d->want * fdt;
        if (d->want > d->rate)
            d->wait_ns += (d->want - d->rate) * fdt;
    }
}

static void settle_to(struct sim_host *h, uint32_t pid, uint64_t now)
{
    struct sim_spool *sp = &h->spools[pid];

    while (sp->settled_ns < now) {
        uint64_t end;
        if (sp->dirty)
            recompute(h, pid);
        end = sp->next_ns < now ? sp->next_ns : now;
        integrate(sp, end - sp->settled_ns);
        sp->settled_ns = end;
        if (end == sp->next_ns)
            sp->dirty = true;   /* a trace edge */
    }
}

void sim_sched_change(struct sim_host *h, uint32_t poolid, bool affinity)
{
    struct sim_spool *sp = &h->spools[poolid];

    settle_to(h, poolid, sim_host_now(h));
    sp->dirty = true;
    if (affinity)
        sp->aff_dirty = true;
}

void sim_sched_settle(struct sim_host *h, uint32_t poolid)
{
    settle_to(h, poolid, sim_host_now(h));
    if (h->spools[poolid].dirty)
        recompute(h, poolid);
}

/* --- queries and demand --- */

double sim_dom_rate(const struct sim_dom *d)
{
    if (d->host)
        sim_sched_settle(d->host, d->poolid);
    return d->rate;
}

uint64_t sim_dom_cpu_time(struct sim_host *h, struct sim_dom *d)
{
    uint64_t sum = 0;

    sim_sched_settle(h, d->poolid);
    for (uint32_t i = 0; i < d->vcpus_max; i++)
        sum += d->vcpus[i].time_ns;
    return sum;
}

uint64_t sim_vcpu_time(struct sim_host *h, struct sim_dom *d, uint32_t vcpu)
{
    sim_sched_settle(h, d->poolid);
    return vcpu < d->vcpus_max ? d->vcpus[vcpu].time_ns : 0;
}

uint64_t sim_dom_wait_ns(struct sim_host *h, struct sim_dom *d)
{
    sim_sched_settle(h, d->poolid);
    return (uint64_t)(d->wait_ns + 0.5);
}

uint64_t sim_dom_wanted_ns(struct sim_host *h, struct sim_dom *d)
{
    sim_sched_settle(h, d->poolid);
    return (uint64_t)(d->wanted_ns + 0.5);
}

void sim_dom_set_demand(struct sim_host *h, struct sim_dom *d, double demand)
{
    sim_sched_change(h, d->poolid, false);
    d->cpu.kind = SIM_CT_NONE;
    d->demand = demand > 0 ? demand : 0;
}

void sim_dom_set_cpu_trace(struct sim_host *h, struct sim_dom *d,
                           const struct sim_cpu_trace *t)
{
    sim_sched_change(h, d->poolid, false);
    if (!t || t->kind == SIM_CT_NONE) {
        d->cpu.kind = SIM_CT_NONE;
        return;
    }
    d->cpu = *t;
    if (!d->cpu.has_seed) {
        d->cpu.seed = d->seed;
        d->cpu.has_seed = true;
    }
    if (d->cpu.step_ns == 0)
        d->cpu.step_ns = SIM_CT_STEP_DEFAULT;
}
