/* reserve.c - time to satisfy a reservation (see reserve.h).  16 guests of
 * 2 GiB (maxmem 4 GiB, a steady 1 GiB workload, the agent every 2 s,
 * drivers at 128 MiB/s) on a host that gives guests two thirds of their
 * maxima; 300 s of warm-up under the policy; then 8 GiB are asked for. */
#include "reserve.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define MIB 1024ull
#define GIB (1024 * MIB)
#define SEC 1000000000ull
#define WARMUP_S 300

struct fake_clock {
    uint64_t now_ns;
};

static uint64_t clock_read(void *opaque)
{
    return ((struct fake_clock *)opaque)->now_ns;
}

static int scenario(struct trace *t, uint64_t reserve_kb)
{
    memset(t, 0, sizeof(*t));
    t->guests = calloc(RESERVE_GUESTS, sizeof(*t->guests));
    if (!t->guests)
        return -1;
    t->n = RESERVE_GUESTS;
    for (size_t i = 0; i < t->n; i++) {
        struct trace_guest *g = &t->guests[i];

        snprintf(g->name, sizeof(g->name), "res%02u", (unsigned)(i % 100));
        g->cfg_kb = 2 * GIB;
        g->smax_kb = 4 * GIB;
        g->stop_s = TRACE_NEVER;
        g->gm.balloon = SIM_BALLOON_FOLLOW;
        g->gm.speed_kb_s = RESERVE_SPEED_KB_S;
        g->gm.agent = true;
        g->gm.report_every_s = 2;
        g->gm.workload = SIM_WL_STEADY;
        g->gm.base_kb = 1 * GIB;
        g->gm.swap_kb = 256 * MIB;
        g->gm.wl_seed = 1000 + i;
    }
    t->seconds = WARMUP_S + RESERVE_LIMIT_S;
    t->reserve_kb = reserve_kb;
    t->dom0_kb = 1 * GIB;
    t->overhead_kb = 512 * MIB;
    t->guest_room_kb = RESERVE_GUESTS * 4 * GIB * 2 / 3 / MIB * MIB;
    t->host_total_kb = t->guest_room_kb + t->dom0_kb + t->overhead_kb;
    return 0;
}

int reserve_measure(const struct policy_ops *pol, uint64_t reserve_kb,
                    struct reserve_result *r)
{
    struct fake_clock clk = {0};
    struct trace t = {0};
    struct bench_vm vms[RESERVE_GUESTS];
    struct sim_host *h = NULL;
    void *st = NULL;
    bool asked = false, done = false;
    int rc = -1;

    memset(r, 0, sizeof(*r));
    if (scenario(&t, reserve_kb) < 0 ||
        !(h = trace_host_new(&t, clock_read, &clk)) ||
        trace_add_dom0(&t, h) < 0)
        goto out;
    for (size_t i = 0; i < t.n; i++) {
        vms[i].gi = i;
        if (trace_add_guest(&t, i, h, &vms[i].domid) < 0)
            goto out;
    }
    if (pol->init && !(st = pol->init(&t)))
        goto out;
    for (uint32_t s = 1; s <= WARMUP_S + RESERVE_LIMIT_S; s++) {
        uint64_t free_kb;

        clk.now_ns = (uint64_t)s * SEC;
        sim_host_mem_advance(h, clk.now_ns);
        free_kb = sim_host_free_kb(h);
        if (s == WARMUP_S + 1) {
            asked = true;
            r->to_free_kb = RESERVE_NEED_KB + reserve_kb > free_kb
                            ? RESERVE_NEED_KB + reserve_kb - free_kb : 0;
            r->ideal_s = (double)r->to_free_kb /
                         (double)(RESERVE_GUESTS * RESERVE_SPEED_KB_S);
        }
        if (asked && free_kb >= RESERVE_NEED_KB + reserve_kb) {
            done = true;
            break;
        }
        if (pol->pass && pol->pass(st, h, vms, t.n, clk.now_ns,
                                   asked ? RESERVE_NEED_KB : 0) < 0)
            goto out;
        if (asked)
            r->seconds++;
    }
    if (!done)
        r->seconds = RESERVE_LIMIT_S + 1;
    rc = 0;
out:
    if (pol->fini)
        pol->fini(st);
    sim_host_free(h);
    trace_dispose(&t);
    return rc;
}
