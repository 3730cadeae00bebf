/*
 * trace.c - the ballooning bench's seeded day (see trace.h and
 * docs/bench.md, "The trace").
 *
 *   56 resident guests: 14 idle, 20 steady, 17 burst, 5 leak, shuffled;
 *      memory 512 MiB-4 GiB, maxmem 1.5-2x memory, swap 10-25 % of memory;
 *      balloon drivers at 64, 128 or 256 MiB/s, one of them stuck; three
 *      guests without the agent, the others report every 2-10 s.
 *   8 batch VMs (steady, 2-4 GiB, maxmem 1.5x) that start between the
 *      first and the twentieth hour and run 1-3 hours.
 *   The host gives guests two thirds of the sum of the 64 maxima (the
 *   maxima overcommit it 1.5x), besides domain 0 (1 GiB) and Xen (512 MiB).
 */
#include "trace.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define MIB 1024ull
#define N_RESIDENT 56
#define N_BATCH 8
#define OVERCOMMIT_PCT 150

static const uint64_t sizes_mib[] = {512, 768, 1024, 1536, 2048, 3072, 4096};
static const uint64_t speeds_mib[] = {64, 128, 256};

/* How many residents run each workload; shuffled over the guests. */
static const struct {
    enum sim_workload wl;
    unsigned count;
    unsigned base_lo_pct, base_hi_pct;      /* base, % of memory= */
} mix[] = {
    {SIM_WL_IDLE, 14, 100, 100},
    {SIM_WL_STEADY, 20, 70, 120},
    {SIM_WL_BURST, 17, 40, 70},
    {SIM_WL_LEAK, 5, 20, 30},
};

uint64_t trace_rand(uint64_t *state)
{
    uint64_t x = (*state += 0x9e3779b97f4a7c15ull);

    x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9ull;
    x = (x ^ (x >> 27)) * 0x94d049bb133111ebull;
    return x ^ (x >> 31);
}

uint64_t trace_rand_range(uint64_t *state, uint64_t lo, uint64_t hi)
{
    return lo + trace_rand(state) % (hi - lo + 1);
}

const char *trace_workload_name(enum sim_workload w)
{
    switch (w) {
    case SIM_WL_NONE: return "none";
    case SIM_WL_IDLE: return "idle";
    case SIM_WL_STEADY: return "steady";
    case SIM_WL_BURST: return "burst";
    case SIM_WL_LEAK: return "leak";
    }
    return "?";
}

static uint64_t pct_of(uint64_t kb, uint64_t pct)
{
    return kb * pct / 100 / MIB * MIB;      /* whole MiB */
}

static void resident(struct trace_guest *g, size_t i, enum sim_workload wl,
                     unsigned lo_pct, unsigned hi_pct, uint64_t *rs)
{
    snprintf(g->name, sizeof(g->name), "vm%02u", (unsigned)(i % 100));
    g->cfg_kb = sizes_mib[trace_rand(rs) % 7] * MIB;
    g->smax_kb = pct_of(g->cfg_kb, trace_rand_range(rs, 150, 200));
    g->start_s = 0;
    g->stop_s = TRACE_NEVER;
    g->gm.balloon = SIM_BALLOON_FOLLOW;
    g->gm.speed_kb_s = speeds_mib[trace_rand(rs) % 3] * MIB;
    g->gm.agent = true;
    g->gm.report_every_s = (uint32_t)trace_rand_range(rs, 2, 10);
    g->gm.workload = wl;
    g->gm.base_kb = pct_of(g->cfg_kb, trace_rand_range(rs, lo_pct, hi_pct));
    g->gm.swap_kb = pct_of(g->cfg_kb, trace_rand_range(rs, 10, 25));
    g->gm.wl_seed = trace_rand(rs);
}

static void batch(struct trace_guest *g, size_t k, uint32_t day,
                  uint64_t *rs)
{
    uint32_t hour = day / 24;

    snprintf(g->name, sizeof(g->name), "batch%u", (unsigned)(k % 100));
    g->cfg_kb = (2 + trace_rand(rs) % 3) * 1024 * MIB;
    g->smax_kb = pct_of(g->cfg_kb, 150);
    g->start_s = (uint32_t)trace_rand_range(rs, hour, 20 * (uint64_t)hour);
    g->stop_s = g->start_s + (uint32_t)trace_rand_range(rs, hour, 3 * hour);
    if (g->stop_s >= day)
        g->stop_s = day - 1;
    g->gm.balloon = SIM_BALLOON_FOLLOW;
    g->gm.speed_kb_s = 128 * MIB;
    g->gm.agent = true;
    g->gm.report_every_s = 2;
    g->gm.workload = SIM_WL_STEADY;
    g->gm.base_kb = pct_of(g->cfg_kb, 90);
    g->gm.swap_kb = pct_of(g->cfg_kb, 10);
    g->gm.wl_seed = trace_rand(rs);
}

int trace_day(struct trace *t, uint64_t seed, uint32_t seconds,
              uint64_t reserve_kb)
{
    enum sim_workload wl[N_RESIDENT];
    unsigned lo[N_RESIDENT], hi[N_RESIDENT];
    uint64_t rs = seed, smax_sum = 0;
    size_t k = 0;

    memset(t, 0, sizeof(*t));
    t->guests = calloc(N_RESIDENT + N_BATCH, sizeof(*t->guests));
    if (!t->guests)
        return -1;
    for (size_t m = 0; m < sizeof(mix) / sizeof(mix[0]); m++)
        for (unsigned c = 0; c < mix[m].count; c++, k++) {
            wl[k] = mix[m].wl;
            lo[k] = mix[m].base_lo_pct;
            hi[k] = mix[m].base_hi_pct;
        }
    for (size_t i = N_RESIDENT - 1; i > 0; i--) {      /* Fisher-Yates */
        size_t j = trace_rand(&rs) % (i + 1);
        enum sim_workload w = wl[i];
        unsigned l = lo[i], h = hi[i];

        wl[i] = wl[j], lo[i] = lo[j], hi[i] = hi[j];
        wl[j] = w, lo[j] = l, hi[j] = h;
    }
    for (size_t i = 0; i < N_RESIDENT; i++)
        resident(&t->guests[i], i, wl[i], lo[i], hi[i], &rs);
    /* the odd ones out: three without the agent, one stuck driver */
    t->guests[7].gm.agent = false;
    t->guests[23].gm.agent = false;
    t->guests[41].gm.agent = false;
    t->guests[30].gm.balloon = SIM_BALLOON_STUCK;
    for (size_t b = 0; b < N_BATCH; b++)
        batch(&t->guests[N_RESIDENT + b], b, seconds, &rs);
    t->n = N_RESIDENT + N_BATCH;
    for (size_t i = 0; i < t->n; i++)
        smax_sum += t->guests[i].smax_kb;
    t->seed = seed;
    t->seconds = seconds;
    t->reserve_kb = reserve_kb;
    t->dom0_kb = 1024 * MIB;
    t->overhead_kb = 512 * MIB;
    t->guest_room_kb = smax_sum * 100 / OVERCOMMIT_PCT / MIB * MIB;
    t->host_total_kb = t->guest_room_kb + t->dom0_kb + t->overhead_kb;
    return 0;
}

void trace_dispose(struct trace *t)
{
    free(t->guests);
    t->guests = NULL;
    t->n = 0;
}

struct sim_host *trace_host_new(const struct trace *t, sim_clock_fn *clock,
                                void *opaque)
{
    struct sim_host_spec spec;
    struct sim_host *h = NULL;

    sim_host_spec_init(&spec);
    snprintf(spec.name, sizeof(spec.name), "bench");
    spec.nr_cpus = 32;
    spec.cores_per_socket = 16;
    spec.threads_per_core = 1;
    spec.total_kb = t->host_total_kb;
    spec.overhead_kb = t->overhead_kb;
    if (sim_host_new(&spec, &h, NULL) < 0)
        return NULL;
    sim_host_set_clock(h, clock, opaque);
    return h;
}

int trace_add_dom0(const struct trace *t, struct sim_host *h)
{
    struct sim_dom_spec s;
    int rc;

    sim_dom_spec_init(&s);
    s.dom0 = true;
    snprintf(s.name, sizeof(s.name), "Domain-0");
    s.mem_kb = t->dom0_kb;
    s.gm.speed_kb_s = 0;
    rc = sim_dom_add(h, &s, NULL, NULL);
    sim_dom_spec_dispose(&s);
    return rc;
}

int trace_add_guest(const struct trace *t, size_t i, struct sim_host *h,
                    uint32_t *domid_r)
{
    const struct trace_guest *g = &t->guests[i];
    struct sim_dom_spec s;
    struct sim_dom *d = NULL;
    int rc;

    sim_dom_spec_init(&s);
    snprintf(s.name, sizeof(s.name), "%s", g->name);
    s.mem_kb = g->cfg_kb;
    s.max_kb = g->smax_kb;
    s.gm = g->gm;
    s.has_wl_seed = true;
    rc = sim_dom_add(h, &s, &d, NULL);
    sim_dom_spec_dispose(&s);
    if (rc == 0)
        *domid_r = d->domid;
    return rc;
}
