/* sched_trace.c - the scheduler bench's seeded trace (sched_trace.h). */
#include "sched_trace.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "trace.h"

#define SEC 1000000000ull
#define MIB 1024ull
#define POOL_CPUS 16
#define EP_EVERY_S 1440         /* one episode per 24 minutes */
#define EP_MAX 6
#define JOIN_MAX_S 20           /* busy domains join and leave an episode
                                 * up to this late / early */

/* A kind of domain: its class, size and demand (CPUs' worth): `base`
 * outside episodes, `ep` during them, `burst` during its bursts (a few an
 * hour, burst_lo..burst_hi seconds long), all times (1 +- noise). */
struct role {
    const char *name;
    enum splan_class cls;
    unsigned count;
    uint32_t vcpus;
    double base, ep, burst;
    unsigned bursts_per_h;
    uint32_t burst_lo, burst_hi;
    double noise;
};

/* Guarantees: dom0 1.0 + critical 6.0 + high 3.0 + normal 3.0 + low 2.4 =
 * 15.4 of the 16 pCPUs, so every class's floor can be kept at once.
 * Background about 0.65 x the pool, episodes about 2 x. */
static const struct role roles[] = {
    {"Domain-0", SPLAN_DOM0, 1, 2, 0.2, 0.4, 0.8, 4, 5, 20, 0.2},
    {"db", SPLAN_CRITICAL, 2, 3, 0.5, 2.7, 1.5, 2, 10, 30, 0.1},
    {"web", SPLAN_HIGH, 3, 2, 0.4, 1.7, 1.2, 4, 10, 30, 0.15},
    {"app", SPLAN_NORMAL, 6, 2, 0.3, 1.4, 1.6, 6, 20, 60, 0.15},
    {"batch", SPLAN_LOW, 4, 3, 1.4, 2.0, 0, 0, 0, 0, 0.15},
    {"report", SPLAN_LOW, 4, 3, 0.3, 2.6, 1.5, 3, 30, 120, 0.15},
};

void sched_trace_dispose(struct sched_trace *t)
{
    for (size_t i = 0; i < t->n; i++) {
        free(t->doms[i].demand);
        t->doms[i].demand = NULL;
    }
    free(t->total);
    free(t->ep_of);
    t->total = NULL;
    t->ep_of = NULL;
    t->n = 0;
}

static double unit(uint64_t *rs)         /* uniform in [-1, 1] */
{
    return (double)(trace_rand(rs) >> 11) / (double)(1ull << 52) - 1.0;
}

/* The nominal spans: one per slot of the trace, 3-6 minutes (at most a
 * third of the slot), away from the slot's edges. */
static void place_episodes(struct sched_trace *t, uint64_t *rs)
{
    uint32_t n = t->seconds / EP_EVERY_S, slot;

    n = n < 1 ? 1 : n > EP_MAX ? EP_MAX : n;
    slot = t->seconds / n;
    t->n_eps = n;
    for (uint32_t k = 0; k < n; k++) {
        struct sched_trace_ep *e = &t->eps[k];
        uint32_t len = (uint32_t)trace_rand_range(rs, 180, 360);

        if (len > slot / 3)
            len = slot / 3;
        e->nominal_s = k * slot + (uint32_t)trace_rand_range(
            rs, slot / 6, slot - len - slot / 6);
        e->nominal_end_s = e->nominal_s + len;
    }
}

/* Domain i's demand, second by second, from its own stream. */
static void fill_dom(struct sched_trace *t, const struct role *r,
                     struct sched_trace_dom *d, uint64_t *rs)
{
    uint32_t join[SCHED_TRACE_EPS_MAX], leave[SCHED_TRACE_EPS_MAX];
    uint32_t burst_left = 0;
    double p_burst = r->bursts_per_h / 3600.0;

    for (size_t k = 0; k < t->n_eps; k++) {
        join[k] = t->eps[k].nominal_s +
                  (uint32_t)trace_rand_range(rs, 0, JOIN_MAX_S);
        leave[k] = t->eps[k].nominal_end_s -
                   (uint32_t)trace_rand_range(rs, 0, JOIN_MAX_S);
    }
    for (uint32_t s = 0; s < t->seconds; s++) {
        double raw = r->base, v;

        if (burst_left) {
            burst_left--;
            if (r->burst > raw)
                raw = r->burst;
        } else if (p_burst > 0 &&
                   (double)(trace_rand(rs) >> 11) / (double)(1ull << 53) <
                       p_burst) {
            burst_left = (uint32_t)trace_rand_range(rs, r->burst_lo,
                                                    r->burst_hi);
        }
        for (size_t k = 0; k < t->n_eps; k++)
            if (s >= join[k] && s < leave[k] && r->ep > raw)
                raw = r->ep;
        v = raw * (1 + r->noise * unit(rs));
        d->demand[s] = v < 0 ? 0 : v > d->vcpus ? d->vcpus : v;
    }
}

static bool someone_busy(const struct sched_trace *t, uint32_t s)
{
    for (size_t i = 0; i < t->n; i++)
        if (t->doms[i].cls < SPLAN_NORMAL &&
            t->doms[i].demand[s] >= t->doms[i].vcpus / 4.0)
            return true;
    return false;
}

/* Each episode's overload seconds and peak. */
static void measure_episodes(struct sched_trace *t)
{
    memset(t->ep_of, -1, t->seconds);
    for (size_t k = 0; k < t->n_eps; k++) {
        struct sched_trace_ep *e = &t->eps[k];
        uint32_t lim = e->nominal_end_s + JOIN_MAX_S;

        e->begin_s = e->end_s = e->nominal_s;
        e->peak = 0;
        if (lim > t->seconds)
            lim = t->seconds;
        for (uint32_t s = e->nominal_s; s < lim; s++) {
            if (t->total[s] <= t->ncpus)
                continue;
            if (e->end_s == e->begin_s)
                e->begin_s = s;
            e->end_s = s + 1;
        }
        e->busy_s = e->end_s;
        for (uint32_t s = e->begin_s; s < e->end_s; s++) {
            if (e->busy_s == e->end_s && someone_busy(t, s))
                e->busy_s = s;
            t->ep_of[s] = (int8_t)k;
            if (t->total[s] > e->peak)
                e->peak = t->total[s];
        }
    }
}

int sched_trace_make(struct sched_trace *t, uint64_t seed, uint32_t seconds)
{
    uint64_t rs = seed;

    memset(t, 0, sizeof(*t));
    t->seed = seed;
    t->seconds = seconds;
    t->ncpus = POOL_CPUS;
    place_episodes(t, &rs);
    t->total = calloc(seconds, sizeof(*t->total));
    t->ep_of = calloc(seconds, sizeof(*t->ep_of));
    if (!t->total || !t->ep_of)
        goto fail;
    for (size_t r = 0; r < sizeof(roles) / sizeof(roles[0]); r++) {
        for (unsigned j = 0; j < roles[r].count; j++) {
            struct sched_trace_dom *d = &t->doms[t->n];
            uint64_t ds = seed ^ (0x5bd1e995ull * (t->n + 1));

            d->demand = calloc(seconds, sizeof(*d->demand));
            t->n++;
            if (!d->demand)
                goto fail;
            d->cls = roles[r].cls;
            d->vcpus = roles[r].vcpus;
            d->dom0 = roles[r].cls == SPLAN_DOM0;
            if (d->dom0)
                snprintf(d->name, sizeof(d->name), "%s", roles[r].name);
            else
                snprintf(d->name, sizeof(d->name), "%s%u", roles[r].name,
                         j + 1);
            fill_dom(t, &roles[r], d, &ds);
            for (uint32_t s = 0; s < seconds; s++)
                t->total[s] += d->demand[s];
        }
    }
    measure_episodes(t);
    return 0;
fail:
    sched_trace_dispose(t);
    return -1;
}

static int add_dom(const struct sched_trace *t, size_t i, int weight,
                   struct sim_host *h)
{
    const struct sched_trace_dom *td = &t->doms[i];
    struct sim_dom_spec s;
    int rc;

    sim_dom_spec_init(&s);
    s.dom0 = td->dom0;
    snprintf(s.name, sizeof(s.name), "%s", td->name);
    s.mem_kb = 512 * MIB;
    s.vcpus = s.vcpus_max = td->vcpus;
    s.weight = weight;
    s.cap = 0;
    s.demand = td->demand[0];
    s.has_seed = true;
    s.seed = t->seed + i;
    rc = sim_dom_add(h, &s, NULL, NULL);
    sim_dom_spec_dispose(&s);
    return rc;
}

int sched_trace_host(const struct sched_trace *t, const int *weights,
                     sim_clock_fn *clock, void *opaque,
                     struct sim_host **h_r)
{
    struct sim_host_spec spec;
    struct sim_host *h = NULL;
    int rc;

    sim_host_spec_init(&spec);
    snprintf(spec.name, sizeof(spec.name), "bench-sched");
    spec.nr_cpus = t->ncpus;
    spec.threads_per_core = 1;
    spec.cores_per_socket = t->ncpus;
    spec.total_kb = 64 * 1024 * MIB;
    spec.sched = HV_SCHED_CREDIT2;
    if ((rc = sim_host_new(&spec, &h, NULL)) < 0)
        return rc;
    sim_host_set_clock(h, clock, opaque);
    for (size_t i = 0; i < t->n; i++) {
        if ((rc = add_dom(t, i, weights[i], h)) < 0) {
            sim_host_free(h);
            return rc;
        }
    }
    *h_r = h;
    return 0;
}
