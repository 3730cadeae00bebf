/*
 * sim_balloon.c - what happens inside a simulated guest's memory: its
 * balloon driver moving toward the target, its workload's demand (the
 * trace is sim_workload.c's), memory pressure as Linux reports it (PSI,
 * swap, refaults), OOM kills, and the report the guest agent makes of it.
 * Pure arithmetic on the model's clock; the formulas are documented in
 * docs/sim-host.md, "Guest memory".
 */
#include "sim/sim_host_int.h"

#include <string.h>

#include "memreport.h"

#define STEP_NS (1000 * SIM_MS)     /* at most one second a step */
#define PSI_TAU_S 10.0              /* avg10's time constant */
#define PSI_MAX 10000.0             /* 100 %, in hundredths */
#define PSI_TIGHT 200.0             /* demand near what it holds */
#define SWAP_CHURN 10               /* swapped pages / this = pages/s */
#define REFAULT_DIV 100             /* pages above 90 % / this = pages/s */
#define CACHE_SLACK 50              /* 1/50 of used memory is cache the
                                     * guest can drop: MemAvailable */

/* --- behaviour --- */

bool sim_dom_balloon_at_once(const struct sim_dom *d)
{
    return d->gm.balloon == SIM_BALLOON_FOLLOW && d->gm.speed_kb_s == 0;
}

static uint64_t want_kb(const struct sim_dom *d)
{
    return d->target_kb / SIM_PAGE_KB * SIM_PAGE_KB;
}

static bool balloon_moving(const struct sim_dom *d)
{
    return d->gm.balloon == SIM_BALLOON_FOLLOW && d->mem_kb != want_kb(d);
}

/* Is there a demand model (else the guest uses a third of what it holds,
 * without pressure)? */
static bool has_demand(const struct sim_guest_mem *gm)
{
    return gm->workload != SIM_WL_NONE || gm->base_kb > 0;
}

/* Must d be stepped second by second, or may it jump to any time? */
static bool needs_steps(const struct sim_dom *d)
{
    return d->state == HV_STATE_RUNNING &&
           (has_demand(&d->gm) || balloon_moving(d));
}

bool sim_dom_mem_active(const struct sim_dom *d)
{
    return needs_steps(d) ||
           (d->state == HV_STATE_RUNNING && d->gm.agent);
}

static uint64_t uuid_seed(const uint8_t uuid[16])
{
    uint64_t a, b;

    memcpy(&a, uuid, 8);
    memcpy(&b, uuid + 8, 8);
    a ^= 0x6a09e667f3bcc909ull;     /* not the content seed */
    a = (a ^ (a >> 31)) * 0x9e3779b97f4a7c15ull;
    return a ^ (b * 0xbf58476d1ce4e5b9ull) ^ (b >> 29);
}

/* The demand at `now` (after any OOM kill), with no side effects. */
static uint64_t demand_at(const struct sim_dom *d, uint64_t now)
{
    const struct sim_guest_mem *gm = &d->gm;

    if (!has_demand(gm))
        return d->mem_kb / 3;
    if (now < gm->calm_until_ns)
        return gm->base_kb / 2;
    return sim_workload_demand(gm, now > gm->wl_start_ns
                                        ? now - gm->wl_start_ns : 0);
}

void sim_dom_mem_init(struct sim_host *h, struct sim_dom *d,
                      const struct sim_dom_spec *s)
{
    struct sim_guest_mem *gm = &d->gm;
    uint64_t now = sim_host_now(h);

    memset(gm, 0, sizeof(*gm));
    sim_dom_set_guest_mem(d, &s->gm);
    if (s->gm.speed_kb_s == SIM_SPEED_HOST)     /* Domain-0: at once */
        gm->speed_kb_s = s->dom0 ? 0 : sim_host_spec(h)->balloon_speed_kb_s;
    if (gm->workload != SIM_WL_NONE && gm->base_kb == 0)
        gm->base_kb = d->mem_kb;
    gm->wl_seed = s->has_wl_seed ? s->gm.wl_seed : uuid_seed(d->uuid);
    gm->advanced_ns = gm->wl_start_ns = now;
    gm->demand_kb = demand_at(d, now);
}

void sim_dom_set_guest_mem(struct sim_dom *d, const struct sim_guest_mem *in)
{
    struct sim_guest_mem *gm = &d->gm;

    gm->balloon = in->balloon;
    gm->speed_kb_s = in->speed_kb_s;
    gm->agent = in->agent;
    gm->report_every_s = in->report_every_s == 0 ? SIM_REPORT_EVERY_DEFAULT
                         : in->report_every_s > SIM_REPORT_EVERY_MAX
                             ? SIM_REPORT_EVERY_MAX : in->report_every_s;
    gm->workload = in->workload;
    gm->base_kb = in->base_kb;
    gm->swap_kb = in->swap_kb;
    gm->wl_seed = in->wl_seed;
}

/* --- one step --- */

/* e^-x for x >= 0, without libm: halve x until small, a few terms of the
 * series, square back.  Relative error below 1e-9. */
static double exp_neg(double x)
{
    double y;
    int k = 0;

    if (x > 700)
        return 0;
    while (x > 0.125) {
        x /= 2;
        k++;
    }
    y = 1 - x * (1 - x / 2 * (1 - x / 3 * (1 - x / 4 * (1 - x / 5 *
        (1 - x / 6 * (1 - x / 7))))));
    while (k-- > 0)
        y *= y;
    return y;
}

/* The balloon's move over dt seconds: toward the target at its speed (0:
 * at once), growing only into free host memory.  Progress of less than a
 * page is kept for the next step; speed it could not use is not. */
static void balloon_step(struct sim_host *h, struct sim_dom *d, double dt)
{
    struct sim_guest_mem *gm = &d->gm;
    uint64_t want = want_kb(d), room = UINT64_MAX, delta, free_kb;

    if (!balloon_moving(d)) {
        gm->move_kb = 0;
        return;
    }
    if (gm->speed_kb_s) {
        gm->move_kb += (double)gm->speed_kb_s * dt;
        room = (uint64_t)gm->move_kb / SIM_PAGE_KB * SIM_PAGE_KB;
    }
    if (want > d->mem_kb) {
        free_kb = sim_host_free_kb(h) / SIM_PAGE_KB * SIM_PAGE_KB;
        delta = want - d->mem_kb;
        delta = delta < free_kb ? delta : free_kb;
    } else {
        delta = d->mem_kb - want;
    }
    delta = delta < room ? delta : room;
    if (delta && sim_dom_set_mem(h, d, want > d->mem_kb ? d->mem_kb + delta
                                                        : d->mem_kb - delta)
                     < 0)
        delta = 0;
    gm->moved_kb += delta;
    if (gm->speed_kb_s && delta == room)
        gm->move_kb -= (double)delta;
    else
        gm->move_kb = 0;
}

/* PSI, swap and refaults for demand against what the guest holds, over
 * dt seconds. */
static void pressure_step(struct sim_guest_mem *gm, uint64_t held, double dt)
{
    double dem = (double)gm->demand_kb, h = (double)held, target = 0, old;
    double decay = exp_neg(dt / PSI_TAU_S);
    uint64_t shortage = gm->demand_kb > held ? gm->demand_kb - held : 0;
    uint64_t swapped = shortage < gm->swap_kb ? shortage : gm->swap_kb;

    if (shortage) {
        target = PSI_MAX * 4 * (double)shortage / dem;
        if (target > PSI_MAX)
            target = PSI_MAX;
    } else if (h > 0 && dem > 0.95 * h) {
        target = PSI_TIGHT * (dem - 0.95 * h) / (0.05 * h);
    }
    old = gm->some_avg;
    gm->some_avg = target + (old - target) * decay;
    gm->full_avg = gm->some_avg / 3;
    gm->some10 = (uint32_t)(gm->some_avg + 0.5);
    gm->full10 = (uint32_t)(gm->full_avg + 0.5);
    /* stalled share of the step (hundredths of % -> us: x 100 per s) */
    gm->some_us += (uint64_t)((old + gm->some_avg) / 2 * dt * 100 + 0.5);
    gm->full_us += (uint64_t)((old + gm->some_avg) / 6 * dt * 100 + 0.5);
    gm->swapin_ps = gm->swapout_ps =
        swapped ? (swapped / SIM_PAGE_KB) / SWAP_CHURN + 1 : 0;
    gm->refault_ps = h > 0 && dem > 0.9 * h
        ? (uint64_t)((dem - 0.9 * h) / SIM_PAGE_KB) / REFAULT_DIV + 1 : 0;
    gm->short_kbs += (double)shortage * dt;
}

/* Demand beyond what it holds and its swap: the kernel kills the
 * workload.  LEAK starts again from base/2; the others want base/2 for
 * SIM_OOM_CALM_NS. */
static void oom_check(struct sim_dom *d, uint64_t now)
{
    struct sim_guest_mem *gm = &d->gm;

    if (gm->demand_kb <= d->mem_kb ||
        gm->demand_kb - d->mem_kb <= gm->swap_kb)
        return;
    gm->oom_kills++;
    if (gm->workload == SIM_WL_LEAK)
        gm->wl_start_ns = now;
    else
        gm->calm_until_ns = now + SIM_OOM_CALM_NS;
    gm->demand_kb = demand_at(d, now);
    gm->swapin_ps = gm->swapout_ps = 0;
}

/* Advance d to `to`: one step of at most STEP_NS when it needs steps, a
 * jump otherwise (its PSI decays in one go). */
static void dom_step(struct sim_host *h, struct sim_dom *d, uint64_t to)
{
    struct sim_guest_mem *gm = &d->gm;
    double dt = (double)(to - gm->advanced_ns) / 1e9;

    gm->advanced_ns = to;
    if (d->state != HV_STATE_RUNNING) {     /* it does not run: frozen */
        gm->swapin_ps = gm->swapout_ps = gm->refault_ps = 0;
        return;
    }
    balloon_step(h, d, dt);
    gm->demand_kb = demand_at(d, to);
    pressure_step(gm, d->mem_kb, dt);
    oom_check(d, to);
}

void sim_dom_mem_settle(struct sim_host *h, struct sim_dom *d)
{
    uint64_t now = sim_host_now(h);

    while (d->gm.advanced_ns < now) {
        uint64_t to = now;
        if (needs_steps(d) && now - d->gm.advanced_ns > STEP_NS)
            to = d->gm.advanced_ns + STEP_NS;
        dom_step(h, d, to);
    }
}

void sim_host_mem_advance(struct sim_host *h, uint64_t now)
{
    uint64_t t = UINT64_MAX;

    if (now == 0)
        now = sim_host_now(h);
    /* Those that need no steps jump; the others go second by second, all
     * together, so that they share the free memory as time passes. */
    for (struct sim_dom *d = sim_dom_next(h, NULL); d;
         d = sim_dom_next(h, d)) {
        if (d->gm.advanced_ns >= now)
            continue;
        if (!needs_steps(d))
            dom_step(h, d, now);
        else if (d->gm.advanced_ns < t)
            t = d->gm.advanced_ns;
    }
    while (t < now) {
        uint64_t next = now - t > STEP_NS ? t + STEP_NS : now;
        for (struct sim_dom *d = sim_dom_next(h, NULL); d;
             d = sim_dom_next(h, d))
            if (d->gm.advanced_ns < next)
                dom_step(h, d, next);
        t = next;
    }
}

/* --- the agent's report --- */

int sim_dom_memreport(const struct sim_dom *d, struct memreport *r)
{
    const struct sim_guest_mem *gm = &d->gm;
    uint64_t held = d->mem_kb, used, avail;

    if (!gm->agent || d->state != HV_STATE_RUNNING)
        return XN_ENOENT;
    used = has_demand(gm) ? gm->demand_kb : held / 3;
    used = used < held ? used : held;
    avail = held - used + used / CACHE_SLACK;
    memset(r, 0, sizeof(*r));
    r->seq = gm->report_seq;
    r->every_s = gm->report_every_s;
    r->total_kb = held;
    r->avail_kb = avail < held ? avail : held;
    r->swapin_ps = gm->swapin_ps;
    r->swapout_ps = gm->swapout_ps;
    r->refault_ps = gm->refault_ps;
    r->some10 = gm->some10 < 10000 ? gm->some10 : 10000;
    r->full10 = gm->full10 < 10000 ? gm->full10 : 10000;
    r->some_us = gm->some_us;
    r->full_us = gm->full_us;
    return 0;
}
