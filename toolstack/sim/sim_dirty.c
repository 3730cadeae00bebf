/*
 * sim_dirty.c - a simulated guest writing to its memory: page generations
 * bumped at the guest's write rate over its working set, and log-dirty
 * mode for live saves (the model in sim_host.h, "the guest writing to its
 * memory"; docs/sim-host.md, "Dirty pages").
 *
 * Writes are counted, not timed one by one: the k-th write since the rate
 * was set happens once the guest has run k / (pages a second) seconds, and
 * hits a page chosen by a hash of (seed, k).  So the pages written by a
 * given running time are the same however often the model is settled.
 */
#include "sim/sim_host_int.h"

#include <stdlib.h>
#include <string.h>

#define NS_PER_S 1000000000ull
#define SETTLE_MAX (UINT64_C(1) << 20)  /* writes a settle makes at least
                                         * room for */
#define SALT 0x6469727479ull            /* "dirty" */

static uint64_t mix64(uint64_t x)
{
    x += 0x9e3779b97f4a7c15ull;
    x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9ull;
    x = (x ^ (x >> 27)) * 0x94d049bb133111ebull;
    return x ^ (x >> 31);
}

static uint64_t gcd(uint64_t a, uint64_t b)
{
    while (b) {
        uint64_t t = a % b;
        a = b;
        b = t;
    }
    return a;
}

/* A step coprime with `pages`: i -> i * step % pages spreads the working
 * set (the first indexes) over the whole memory, each page once. */
static uint64_t spread_step(uint64_t pages)
{
    uint64_t s = (uint64_t)((double)pages * 0.6180339887) | 1;

    while (gcd(s, pages) != 1)
        s += 2;
    return s;
}

/* Pages written in `run_ns` of running at rate_kb_s (no overflow for rates
 * up to SIM_DIRTY_RATE_MAX). */
static uint64_t writes_owed(uint64_t run_ns, uint64_t rate_kb_s)
{
    uint64_t kb = run_ns / NS_PER_S * rate_kb_s +
                  run_ns % NS_PER_S * rate_kb_s / NS_PER_S;
    return kb / SIM_PAGE_KB;
}

/* --- log-dirty mode --- */

static uint64_t *log_new(uint64_t pages)
{
    uint64_t words = (pages + 63) / 64;
    return calloc(words ? words : 1, sizeof(uint64_t));
}

static void log_mark(struct sim_dirty *w, uint64_t pfn)
{
    uint64_t bit = UINT64_C(1) << (pfn % 64);

    if (!w->log || pfn >= w->log_pages || (w->log[pfn / 64] & bit))
        return;
    w->log[pfn / 64] |= bit;
    w->log_count++;
}

int sim_dom_log_dirty_start(struct sim_dom *d)
{
    uint64_t *log = log_new(sim_dom_pages(d));

    if (!log)
        return XN_ENOMEM;
    free(d->dirty.log);
    d->dirty.log = log;
    d->dirty.log_pages = sim_dom_pages(d);
    d->dirty.log_count = 0;
    return 0;
}

void sim_dom_log_dirty_stop(struct sim_dom *d)
{
    free(d->dirty.log);
    d->dirty.log = NULL;
    d->dirty.log_pages = 0;
    d->dirty.log_count = 0;
}

uint64_t sim_dom_log_dirty_count(const struct sim_dom *d)
{
    return d->dirty.log_count;
}

int sim_dom_log_dirty_take(struct sim_dom *d, uint64_t **map_r,
                           uint64_t *count_r)
{
    uint64_t *clear;

    *map_r = NULL;
    *count_r = 0;
    if (!d->dirty.log)
        return XN_ESTATE;
    if (!(clear = log_new(d->dirty.log_pages)))
        return XN_ENOMEM;
    *map_r = d->dirty.log;
    *count_r = d->dirty.log_count;
    d->dirty.log = clear;
    d->dirty.log_count = 0;
    return 0;
}

/* --- writes --- */

int sim_dom_dirty_page(struct sim_dom *d, uint64_t pfn)
{
    if (pfn >= sim_dom_pages(d))
        return XN_EINVAL;
    if (!d->page_gen) {
        d->page_gen = calloc(sim_dom_pages(d), sizeof(*d->page_gen));
        if (!d->page_gen)
            return XN_ENOMEM;
    }
    d->page_gen[pfn]++;
    log_mark(&d->dirty, pfn);
    return 0;
}

uint64_t sim_dom_dirty_set_pages(const struct sim_dom *d)
{
    uint64_t pages = sim_dom_pages(d), ws;
    double set = d->dirty.set > 0 && d->dirty.set < 1 ? d->dirty.set : 1;

    if (pages == 0)
        return 0;
    ws = (uint64_t)((double)pages * set);
    if ((double)ws < (double)pages * set)
        ws++;                               /* rounded up */
    return ws < 1 ? 1 : ws > pages ? pages : ws;
}

/* Writes number first..owed-1 (k-th: a hash of the seed and k). */
static void make_writes(struct sim_dom *d, uint64_t first, uint64_t owed)
{
    uint64_t pages = sim_dom_pages(d), ws = sim_dom_dirty_set_pages(d);
    uint64_t step, key = mix64(d->seed ^ SALT);

    if (ws == 0)
        return;
    step = spread_step(pages);
    for (uint64_t k = first; k < owed; k++) {
        uint64_t i = mix64(key ^ mix64(k)) % ws;
        if (sim_dom_dirty_page(d, i * step % pages) < 0)
            return;                         /* out of memory: no content */
    }
}

void sim_dom_dirty_settle(struct sim_host *h, struct sim_dom *d)
{
    struct sim_dirty *w = &d->dirty;
    uint64_t now = sim_host_now(h), owed, cap;

    if (now > w->settled_ns && d->state == HV_STATE_RUNNING &&
        w->rate_kb_s)
        w->run_ns += now - w->settled_ns;
    w->settled_ns = now;                /* a clock set back: from now */
    if (!w->rate_kb_s)
        return;
    owed = writes_owed(w->run_ns, w->rate_kb_s);
    if (owed <= w->writes)
        return;
    cap = sim_dom_dirty_set_pages(d);
    cap = cap > SETTLE_MAX ? cap : SETTLE_MAX;
    make_writes(d, owed - w->writes > cap ? owed - cap : w->writes, owed);
    w->writes = owed;
}

void sim_dom_set_dirty(struct sim_host *h, struct sim_dom *d,
                       uint64_t rate_kb_s, double set)
{
    sim_dom_dirty_settle(h, d);
    d->dirty.rate_kb_s = rate_kb_s < SIM_DIRTY_RATE_MAX ? rate_kb_s
                                                   : SIM_DIRTY_RATE_MAX;
    d->dirty.set = set > 0 && set < 1 ? set : 1;
    d->dirty.run_ns = 0;
    d->dirty.writes = 0;
}
