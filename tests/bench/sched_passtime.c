/* sched_passtime.c - one tuning pass at n domains, timed
 * (sched_passtime.h). */
#include "sched_passtime.h"

#include <stdio.h>
#include <stdlib.h>

#include "sched_replay.h"
#include "sched_tuner.h"
#include "timing.h"
#include "trace.h"

#define SEC 1000000000ull
#define MIB 1024ull
#define WARMUP_PASSES 10

struct clock {
    uint64_t now_ns;
};

static uint64_t clock_read(void *opaque)
{
    return ((struct clock *)opaque)->now_ns;
}

static int make_host(struct clock *clk, struct sim_host **h_r)
{
    struct sim_host_spec spec;
    struct sim_host *h = NULL;
    unsigned per = SCHED_PASSTIME_POOL_CPUS;

    sim_host_spec_init(&spec);
    snprintf(spec.name, sizeof(spec.name), "bench-sched-pass");
    spec.nr_cpus = SCHED_PASSTIME_POOLS * per;
    spec.threads_per_core = 1;
    spec.cores_per_socket = per;
    spec.total_kb = 256 * 1024 * MIB;
    if (sim_host_new(&spec, &h, NULL) < 0)
        return -1;
    sim_host_set_clock(h, clock_read, clk);
    *h_r = h;
    for (unsigned k = 1; k < SCHED_PASSTIME_POOLS; k++) {
        struct cpuset cpus;
        char name[16];

        cpuset_clear(&cpus);
        for (unsigned c = k * per; c < (k + 1) * per; c++)
            cpuset_add(&cpus, c);
        snprintf(name, sizeof(name), "pool%u", k);
        if (sim_pool_add(h, name, HV_SCHED_CREDIT2, &cpus, NULL, NULL) < 0)
            return -1;
    }
    return 0;
}

/* 3 % critical, 10 % high, 47 % normal, 40 % low; 1-4 vCPUs; demand
 * 5-25 % of the vCPUs (critical 60 %: busy, so worth protecting). */
static enum splan_class pick_class(uint64_t *rs)
{
    uint64_t x = trace_rand_range(rs, 0, 99);

    return x < 3 ? SPLAN_CRITICAL : x < 13 ? SPLAN_HIGH
                                 : x < 60 ? SPLAN_NORMAL : SPLAN_LOW;
}

static int add_doms(struct sim_host *h, size_t n, uint64_t seed,
                    uint32_t *domids, enum splan_class *cls)
{
    struct splan_params p;
    uint64_t rs = seed;

    splan_params_default(&p);
    for (size_t i = 0; i < n; i++) {
        struct sim_dom_spec s;
        struct sim_dom *d = NULL;
        int rc;

        sim_dom_spec_init(&s);
        s.dom0 = i == 0;
        cls[i] = i == 0 ? SPLAN_DOM0 : pick_class(&rs);
        snprintf(s.name, sizeof(s.name), i ? "guest%zu" : "Domain-0", i);
        s.mem_kb = 64 * MIB;
        s.vcpus = s.vcpus_max = (uint32_t)trace_rand_range(&rs, 1, 4);
        s.weight = p.cls[cls[i]].weight;
        s.poolid = i ? (uint32_t)(i % SCHED_PASSTIME_POOLS) : 0;
        s.demand = s.vcpus * (cls[i] == SPLAN_CRITICAL
                                  ? 0.6
                                  : trace_rand_range(&rs, 5, 25) / 100.0);
        rc = sim_dom_add(h, &s, &d, NULL);
        sim_dom_spec_dispose(&s);
        if (rc < 0)
            return -1;
        domids[i] = d->domid;
    }
    return 0;
}

/* Reading every domain's counters, as the pass's sampling does. */
static uint64_t sample_only(struct sim_host *h, const uint32_t *domids,
                            size_t n)
{
    uint64_t sum = 0;

    for (size_t i = 0; i < n; i++) {
        struct sim_dom *d = sim_dom_get(h, domids[i]);

        if (d)
            sum += sim_dom_cpu_time(h, d) + sim_dom_wait_ns(h, d);
    }
    return sum;
}

static int time_runs(struct sched_tuner *tu, struct sim_host *h,
                     struct clock *clk, unsigned runs,
                     struct sched_passtime *r)
{
    uint64_t *tp = calloc(runs, sizeof(*tp)), *ts = calloc(runs, sizeof(*ts));
    volatile uint64_t sink = 0;
    struct splan_result res;
    unsigned sets;
    int rc = -1;

    if (!tp || !ts)
        goto out;
    for (unsigned k = 0; k < runs; k++) {
        uint64_t t0;

        clk->now_ns += SEC;
        t0 = timing_now_ns();
        sink += sample_only(h, tu->domids, tu->n);
        ts[k] = timing_now_ns() - t0;
        clk->now_ns += SEC;
        t0 = timing_now_ns();
        if (sched_tuner_pass(tu, h, clk->now_ns, &res, &sets) < 0)
            goto out;
        tp[k] = timing_now_ns() - t0;
    }
    (void)sink;
    r->pass_ns = timing_median(tp, runs);
    r->sample_ns = timing_median(ts, runs);
    r->throttling = 0;
    for (size_t i = 0; i < tu->n_pools; i++)
        r->throttling += tu->pools[i].level >= 0;
    rc = 0;
out:
    free(tp);
    free(ts);
    return rc;
}

int sched_passtime_measure(size_t n, unsigned runs, uint64_t seed,
                           struct sched_passtime *r)
{
    struct clock clk = {1000 * SEC};
    struct sim_host *h = NULL;
    struct sched_tuner tu = {0};
    struct splan_params p;
    uint64_t tau;
    uint32_t *domids = calloc(n ? n : 1, sizeof(*domids));
    enum splan_class *cls = calloc(n ? n : 1, sizeof(*cls));
    struct splan_result res;
    unsigned sets;
    int rc = -1;

    sched_policy_params(SCHED_POL_XENITH, &p, &tau);
    if (!domids || !cls || make_host(&clk, &h) < 0 ||
        add_doms(h, n, seed, domids, cls) < 0 ||
        sched_tuner_init(&tu, &p, tau, h, domids, cls, n) < 0)
        goto out;
    for (unsigned k = 0; k < WARMUP_PASSES; k++) {
        clk.now_ns += SEC;
        if (sched_tuner_pass(&tu, h, clk.now_ns, &res, &sets) < 0)
            goto out;
    }
    rc = time_runs(&tu, h, &clk, runs, r);
out:
    sched_tuner_dispose(&tu);
    sim_host_free(h);
    free(domids);
    free(cls);
    return rc;
}
