/* replay.c - one policy through the trace's day (see replay.h). */
#include "replay.h"

#include <stdlib.h>
#include <string.h>

#define SEC 1000000000ull
#define GIB (1024.0 * 1024.0)

struct fake_clock {
    uint64_t now_ns;
};

static uint64_t clock_read(void *opaque)
{
    return ((struct fake_clock *)opaque)->now_ns;
}

struct day {
    const struct trace *t;
    struct sim_host *h;
    struct bench_vm *vms;       /* running guests */
    size_t n_vms;
    uint32_t *waiting_since;    /* per guest: 0 = not waiting, else s + 1 */
    struct replay_result *r;
    double last_short;          /* for the hourly dump */
    uint32_t last_kills;
    double last_moved;
};

static void account(struct replay_result *r, const struct sim_dom *d)
{
    const struct sim_guest_mem *gm = &d->gm;
    unsigned w = gm->workload < REPLAY_WL_KINDS ? gm->workload : 0;

    r->short_gibs += gm->short_kbs / GIB;
    r->oom_kills += gm->oom_kills;
    r->beyond_max_gibs += gm->beyond_max_kbs / GIB;
    r->oom_at_max += gm->oom_at_max;
    r->moved_gib += (double)gm->moved_kb / GIB;
    r->short_by_wl[w] += gm->short_kbs / GIB;
    r->kills_by_wl[w] += gm->oom_kills;
    r->moved_by_wl[w] += (double)gm->moved_kb / GIB;
}

/* Totals of the guests removed so far plus those still running. */
static void totals(const struct day *y, struct replay_result *out)
{
    *out = *y->r;
    for (size_t i = 0; i < y->n_vms; i++)
        account(out, sim_dom_get(y->h, y->vms[i].domid));
}

static void stop_due(struct day *y, uint32_t s)
{
    for (size_t i = 0; i < y->n_vms;) {
        const struct trace_guest *g = &y->t->guests[y->vms[i].gi];
        struct sim_dom *d = sim_dom_get(y->h, y->vms[i].domid);

        if (g->stop_s != s) {
            i++;
            continue;
        }
        account(y->r, d);
        sim_dom_remove(y->h, d);
        y->vms[i] = y->vms[--y->n_vms];
    }
}

/* Start the batch VMs whose time has come, in trace order, while free
 * memory covers them and the reserve; returns the memory still wanted. */
static uint64_t start_due(struct day *y, uint32_t s)
{
    uint64_t wanted = 0;

    for (size_t i = 0; i < y->t->n; i++) {
        const struct trace_guest *g = &y->t->guests[i];
        uint32_t domid;

        if (g->start_s == 0 || g->start_s > s || g->stop_s <= s ||
            y->waiting_since[i] == UINT32_MAX)
            continue;
        if (y->waiting_since[i] == 0)
            y->waiting_since[i] = s + 1;
        if (wanted == 0 &&
            sim_host_free_kb(y->h) >= g->cfg_kb + y->t->reserve_kb &&
            trace_add_guest(y->t, i, y->h, &domid) == 0) {
            y->r->start_wait_s += s + 1 - y->waiting_since[i];
            y->waiting_since[i] = UINT32_MAX;       /* started */
            y->vms[y->n_vms++] = (struct bench_vm){i, domid};
            continue;
        }
        wanted += g->cfg_kb;
    }
    return wanted;
}

static void dump_hour(struct day *y, FILE *f, uint32_t s)
{
    struct replay_result now;
    uint64_t demand = 0, held = 0;

    totals(y, &now);
    for (size_t i = 0; i < y->n_vms; i++) {
        const struct sim_dom *d = sim_dom_get(y->h, y->vms[i].domid);

        demand += d->gm.demand_kb;
        held += d->mem_kb;
    }
    fprintf(f, "  %-9s h%02u  guests %2zu  demand %6.1f  held %6.1f  "
               "free %5.1f GiB | hour: short %8.1f GiB.s  oom %2u  "
               "moved %6.1f GiB\n",
            "", s / 3600, y->n_vms, (double)demand / GIB, (double)held / GIB,
            (double)sim_host_free_kb(y->h) / GIB,
            now.short_gibs - y->last_short, now.oom_kills - y->last_kills,
            now.moved_gib - y->last_moved);
    y->last_short = now.short_gibs;
    y->last_kills = now.oom_kills;
    y->last_moved = now.moved_gib;
}

static int run(struct day *y, const struct policy_ops *pol, void *st,
               struct fake_clock *clk, FILE *dump)
{
    for (uint32_t s = 1; s <= y->t->seconds; s++) {
        uint64_t wanted;

        clk->now_ns = (uint64_t)s * SEC;
        sim_host_mem_advance(y->h, clk->now_ns);
        if (sim_host_free_kb(y->h) < y->t->reserve_kb)
            y->r->reserve_violation_s++;
        stop_due(y, s);
        wanted = start_due(y, s);
        if (pol->pass && pol->pass(st, y->h, y->vms, y->n_vms, clk->now_ns,
                                   wanted) < 0)
            return -1;
        if (dump && s % 3600 == 0)
            dump_hour(y, dump, s);
    }
    return 0;
}

int replay_day(const struct trace *t, const struct policy_ops *pol,
               struct replay_result *r, FILE *dump)
{
    struct fake_clock clk = {0};
    struct day y = {.t = t, .r = r};
    void *st = NULL;
    int rc = -1;

    memset(r, 0, sizeof(*r));
    y.vms = calloc(t->n, sizeof(*y.vms));
    y.waiting_since = calloc(t->n, sizeof(*y.waiting_since));
    if (!y.vms || !y.waiting_since)
        goto out;
    if (!(y.h = trace_host_new(t, clock_read, &clk)) ||
        trace_add_dom0(t, y.h) < 0)
        goto out;
    for (size_t i = 0; i < t->n; i++) {
        uint32_t domid;

        if (t->guests[i].start_s != 0)
            continue;
        if (trace_add_guest(t, i, y.h, &domid) < 0)
            goto out;
        y.vms[y.n_vms++] = (struct bench_vm){i, domid};
    }
    if (pol->init && !(st = pol->init(t)))
        goto out;
    if (dump)
        fprintf(dump, "%s:\n", pol->label);
    if (run(&y, pol, st, &clk, dump) < 0)
        goto out;
    for (size_t i = 0; i < t->n; i++)
        if (t->guests[i].start_s != 0 &&
            y.waiting_since[i] != UINT32_MAX && y.waiting_since[i] != 0) {
            r->not_started++;
            r->start_wait_s += t->guests[i].stop_s + 1 - y.waiting_since[i];
        }
    totals(&y, r);
    rc = 0;
out:
    if (pol->fini)
        pol->fini(st);
    sim_host_free(y.h);
    free(y.vms);
    free(y.waiting_since);
    return rc;
}
