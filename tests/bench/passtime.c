/* passtime.c - one pass at n domains, timed (see passtime.h). */
#include "passtime.h"

#include <stdlib.h>
#include <string.h>

#include "balloon/plan.h"
#include "memreport.h"
#include "ref_plan.h"
#include "timing.h"
#include "trace.h"

#define MIB 1024ull
#define SEC 1000000000ull

struct setup {
    struct bplan_dom *doms;     /* the state before a timed pass */
    struct memreport *reports;
    struct ref_dom *refs;
    struct bplan_action *acts;
    struct bplan_host host;
};

static void setup_free(struct setup *s)
{
    free(s->doms);
    free(s->reports);
    free(s->refs);
    free(s->acts);
}

/* Seeded domains of 512 MiB-8 GiB, maxmem 1.5-2x, each somewhere in its
 * range, reporting 10-90 % use, one in ten under pressure; free memory
 * is a tenth of what they hold, so the planner has to share. */
static int setup(struct setup *s, size_t n, uint64_t seed)
{
    uint64_t rs = seed, held = 0;

    memset(s, 0, sizeof(*s));
    s->doms = calloc(n, sizeof(*s->doms));
    s->reports = calloc(n, sizeof(*s->reports));
    s->refs = calloc(n, sizeof(*s->refs));
    s->acts = calloc(BPLAN_ACTS_MAX(n), sizeof(*s->acts));
    if (!s->doms || !s->reports || !s->refs || !s->acts)
        return -1;
    for (size_t i = 0; i < n; i++) {
        struct bplan_dom *d = &s->doms[i];
        struct memreport *r = &s->reports[i];
        uint64_t cfg = trace_rand_range(&rs, 1, 16) * 512 * MIB;
        uint64_t smax = cfg * trace_rand_range(&rs, 150, 200) / 100 / 4 * 4;
        uint64_t actual = cfg / 2 + trace_rand_range(&rs, 0, cfg) / 4 * 4;

        r->seq = 1;
        r->every_s = 5;
        r->total_kb = actual;
        r->avail_kb = actual * trace_rand_range(&rs, 10, 90) / 100;
        if (i % 10 == 3) {
            r->some10 = (uint32_t)trace_rand_range(&rs, 100, 3000);
            r->swapin_ps = trace_rand_range(&rs, 0, 500);
        }
        *d = (struct bplan_dom){
            .domid = (uint32_t)i + 1, .managed = i % 50 != 0,
            .cfg_kb = cfg, .static_max_kb = smax, .target_kb = actual,
            .actual_kb = actual, .report = i % 20 == 7 ? NULL : r,
            .report_ns = 100 * SEC - trace_rand_range(&rs, 0, 20) * SEC};
        s->refs[i] = (struct ref_dom){
            .domid = d->domid, .managed = d->managed,
            .min_kb = d->report ? cfg / 4 : cfg, .max_kb = smax,
            .target_kb = actual, .actual_kb = actual};
        held += actual;
    }
    s->host = (struct bplan_host){100 * SEC, held / 10, 0};
    return 0;
}

/* One policy's pass over `work` (n domains), as the bench times it. */
typedef int pass_fn(const void *params, struct bplan_host *h, void *work,
                    size_t n, struct bplan_action *acts);

static int xenith_pass(const void *params, struct bplan_host *h, void *work,
                       size_t n, struct bplan_action *acts)
{
    return bplan_run(params, h, work, n, acts, NULL);
}

static int reference_pass(const void *params, struct bplan_host *h,
                          void *work, size_t n, struct bplan_action *acts)
{
    return ref_plan_run(params, h, work, n, acts);
}

/* The median of `runs` timed passes, each over a fresh copy of `state`
 * (n domains of `size` bytes, as a first untimed pass left them). */
static int time_passes(pass_fn *run, const void *params, void *state,
                       size_t size, size_t n, const struct setup *s,
                       unsigned runs, uint64_t *ns_r)
{
    void *work = malloc(n * size);
    struct bplan_host h = s->host;
    uint64_t *t = calloc(runs, sizeof(*t));
    int rc = -1;

    if (!work || !t)
        goto out;
    for (unsigned k = 0; k < runs; k++) {
        uint64_t t0;

        memcpy(work, state, n * size);
        h.now_ns = s->host.now_ns + SEC;
        t0 = timing_now_ns();
        if (run(params, &h, work, n, s->acts) < 0)
            goto out;
        t[k] = timing_now_ns() - t0;
    }
    *ns_r = timing_median(t, runs);
    rc = 0;
out:
    free(work);
    free(t);
    return rc;
}

static int time_xenith(const struct setup *s, size_t n, unsigned runs,
                       uint64_t *ns_r)
{
    struct bplan_params p;
    struct bplan_host h = s->host;

    bplan_params_default(&p);
    /* a first pass fills the memos, as a running service has them */
    if (bplan_run(&p, &h, s->doms, n, s->acts, NULL) < 0)
        return -1;
    for (size_t i = 0; i < n; i += 3)   /* a third have a new report */
        s->doms[i].memo.seq = 0;
    return time_passes(xenith_pass, &p, s->doms, sizeof(*s->doms), n, s,
                       runs, ns_r);
}

static int time_reference(const struct setup *s, size_t n, unsigned runs,
                          uint64_t *ns_r)
{
    struct ref_params p;
    struct bplan_host h = s->host;

    ref_params_init(&p, 128 * MIB);
    if (ref_plan_run(&p, &h, s->refs, n, s->acts) < 0)
        return -1;
    return time_passes(reference_pass, &p, s->refs, sizeof(*s->refs), n, s,
                       runs, ns_r);
}

int passtime_measure(size_t n, unsigned runs, uint64_t seed,
                     struct passtime *r)
{
    struct setup s;
    int rc = -1;

    if (setup(&s, n, seed) < 0)
        goto out;
    if (time_xenith(&s, n, runs, &r->xenith_ns) < 0 ||
        time_reference(&s, n, runs, &r->reference_ns) < 0)
        goto out;
    rc = 0;
out:
    setup_free(&s);
    return rc;
}
