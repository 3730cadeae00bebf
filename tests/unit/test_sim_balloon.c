/*
 * test_sim_balloon.c - the simulated guests' memory (sim_balloon.c,
 * sim_workload.c) on a fake clock: balloon speed, growth limited by the
 * host's free memory, stuck and absent drivers, exact accounting, the
 * workloads' traces, PSI, swap and OOM kills, the agent's report, the
 * scenario attributes (tests/sim/balloon.xml); and the driver writing
 * reports into the store as the guest.
 */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "memreport.h"
#include "sim/sim_drv.h"
#include "sim/sim_host.h"
#include "sim/xsd/xsd.h"

#include "sim_testlib.h"

#define MINUTE (60 * SEC)
#define HOUR (60 * MINUTE)

/* Free + what the domains hold = what the host has for domains. */
static void check_accounting(struct sim_host *h)
{
    const struct sim_host_spec *s = sim_host_spec(h);
    uint64_t held = 0;

    for (struct sim_dom *d = sim_dom_next(h, NULL); d;
         d = sim_dom_next(h, d)) {
        ck_assert_uint_eq(d->mem_kb % SIM_PAGE_KB, 0);
        held += d->mem_kb;
    }
    ck_assert_uint_eq(held + sim_host_free_kb(h),
                      s->total_kb - s->overhead_kb);
}

/* Move the fake clock by ns and advance the model. */
static void run(struct sim_host *h, uint64_t ns)
{
    simt_fake_now += ns;
    sim_host_mem_advance(h, 0);
}

START_TEST(scenario_attributes)
{
    struct sim_host *h = simt_load("balloon.xml");
    const struct sim_guest_mem *p = &simt_named(h, "pressed")->gm;
    const struct sim_guest_mem *q = &simt_named(h, "quiet")->gm;
    const struct sim_guest_mem *d0 = &sim_dom_get(h, 0)->gm;

    ck_assert_uint_eq(sim_host_spec(h)->balloon_speed_kb_s, 32 * MiB);
    ck_assert_int_eq(p->balloon, SIM_BALLOON_FOLLOW);
    ck_assert_uint_eq(p->speed_kb_s, 32 * MiB);     /* the host's */
    ck_assert(p->agent);
    ck_assert_uint_eq(p->report_every_s, 1);
    ck_assert_int_eq(p->workload, SIM_WL_STEADY);
    ck_assert_uint_eq(p->base_kb, 1280 * MiB);
    ck_assert_uint_eq(p->swap_kb, 512 * MiB);
    ck_assert_uint_eq(p->wl_seed, 7);
    ck_assert_int_eq(q->workload, SIM_WL_IDLE);
    ck_assert_uint_eq(q->base_kb, 1 * GiB);         /* memory= */
    ck_assert_uint_eq(q->report_every_s, 2);
    ck_assert_int_eq(simt_named(h, "stuck")->gm.balloon, SIM_BALLOON_STUCK);
    ck_assert_int_eq(simt_named(h, "nodriver")->gm.balloon,
                     SIM_BALLOON_ABSENT);
    ck_assert_uint_eq(simt_named(h, "nodriver")->gm.report_every_s, 5);
    ck_assert_uint_eq(simt_named(h, "slow")->gm.speed_kb_s, 64 * MiB);
    ck_assert(!simt_named(h, "slow")->gm.agent);
    ck_assert_uint_eq(simt_named(h, "instant")->gm.speed_kb_s, 0);
    ck_assert_int_eq(simt_named(h, "bursty")->gm.workload, SIM_WL_BURST);
    ck_assert_uint_eq(simt_named(h, "bursty")->gm.swap_kb, 0);
    ck_assert_int_eq(simt_named(h, "leaky")->gm.workload, SIM_WL_LEAK);
    ck_assert_uint_eq(simt_named(h, "leaky")->gm.base_kb, 256 * MiB);
    /* Domain-0: no agent, no workload, a balloon that follows at once */
    ck_assert(!d0->agent);
    ck_assert_int_eq(d0->workload, SIM_WL_NONE);
    ck_assert_uint_eq(d0->base_kb, 0);
    ck_assert_uint_eq(d0->speed_kb_s, 0);
    sim_host_free(h);
}
END_TEST

/* A domain made through the API gets the host's speed; the workload seed
 * follows from the uuid when not given. */
START_TEST(api_defaults)
{
    struct sim_host *a = simt_load("balloon.xml"), *b;
    struct sim_dom_spec s;
    struct sim_dom *da, *db;
    struct xn_msg msg;

    sim_dom_spec_init(&s);
    snprintf(s.name, sizeof(s.name), "late");
    s.mem_kb = 128 * MiB;
    s.has_uuid = true;
    memset(s.uuid, 0x5a, 16);
    s.gm.workload = SIM_WL_STEADY;
    ck_assert_int_eq(sim_dom_add(a, &s, &da, &msg), 0);
    ck_assert_uint_eq(da->gm.speed_kb_s, 32 * MiB);
    ck_assert_uint_eq(da->gm.report_every_s, SIM_REPORT_EVERY_DEFAULT);
    ck_assert(!da->gm.agent);
    ck_assert_uint_eq(da->gm.base_kb, 128 * MiB);
    b = simt_load(NULL);
    ck_assert_int_eq(sim_dom_add(b, &s, &db, &msg), 0);
    ck_assert_uint_eq(db->gm.speed_kb_s, 0);        /* that host's */
    ck_assert_uint_eq(da->gm.wl_seed, db->gm.wl_seed);
    sim_dom_spec_dispose(&s);
    sim_host_free(a);
    sim_host_free(b);
}
END_TEST

START_TEST(speed_respected)
{
    struct sim_host *h = simt_load("balloon.xml");
    struct sim_dom *slow = simt_named(h, "slow");
    struct xn_msg msg;

    ck_assert_int_eq(sim_dom_set_target(h, slow, 1 * GiB, &msg), 0);
    ck_assert_uint_eq(slow->target_kb, 1 * GiB);
    ck_assert_uint_eq(slow->mem_kb, 512 * MiB);     /* not yet */
    run(h, SEC);
    ck_assert_uint_eq(slow->mem_kb, 576 * MiB);
    run(h, 500 * SIM_MS);
    ck_assert_uint_eq(slow->mem_kb, 608 * MiB);
    for (int i = 0; i < 10; i++) {
        run(h, 100 * SIM_MS);
        check_accounting(h);
    }
    ck_assert_uint_eq(slow->mem_kb, 672 * MiB);
    run(h, 10 * SEC);
    ck_assert_uint_eq(slow->mem_kb, 1 * GiB);
    ck_assert_uint_eq(slow->gm.moved_kb, 512 * MiB);
    /* down again, at the same speed; a slow speed keeps partial pages */
    ck_assert_int_eq(sim_dom_set_target(h, slow, 1000 * MiB, &msg), 0);
    run(h, SEC / 4);
    ck_assert_uint_eq(slow->mem_kb, 1008 * MiB);
    run(h, SEC);
    ck_assert_uint_eq(slow->mem_kb, 1000 * MiB);
    ck_assert_uint_eq(slow->gm.moved_kb, 536 * MiB);
    slow->gm.speed_kb_s = 6;                        /* 1.5 pages a second */
    ck_assert_int_eq(sim_dom_set_target(h, slow, 999 * MiB, &msg), 0);
    run(h, SEC);
    ck_assert_uint_eq(slow->mem_kb, 1000 * MiB - 4);
    run(h, SEC);
    ck_assert_uint_eq(slow->mem_kb, 1000 * MiB - 12);
    /* a paused guest's driver does not run */
    ck_assert_int_eq(sim_dom_pause(h, slow, &msg), 0);
    run(h, 10 * SEC);
    ck_assert_uint_eq(slow->mem_kb, 1000 * MiB - 12);
    check_accounting(h);
    sim_host_free(h);
}
END_TEST

START_TEST(partial_growth_when_short)
{
    struct sim_host *h = simt_load("balloon.xml");
    struct sim_dom *p = simt_named(h, "pressed"),
                   *inst = simt_named(h, "instant");
    struct xn_msg msg;

    ck_assert_uint_eq(sim_host_free_kb(h), 896 * MiB);
    /* Xen takes a target the host cannot give; the balloon cannot grow */
    ck_assert_int_eq(sim_dom_set_target(h, p, 2 * GiB, &msg), 0);
    for (int i = 0; i < 600; i++) {
        run(h, 100 * SIM_MS);
        check_accounting(h);
    }
    ck_assert_uint_eq(p->mem_kb, 1920 * MiB);
    ck_assert_uint_eq(sim_host_free_kb(h), 0);
    ck_assert_uint_eq(p->target_kb, 2 * GiB);
    /* a balloon that follows at once still refuses what it cannot get */
    ck_assert_int_eq(sim_dom_set_target(h, inst, 1 * GiB, &msg), XN_ENOMEM);
    ck_assert_str_eq(msg.text, "cannot grow domain 8 (instant) to 1024 MiB: "
                     "it needs 512 MiB more but the host has 0 MiB free");
    ck_assert_int_eq(sim_dom_set_target(h, inst, 256 * MiB, &msg), 0);
    ck_assert_uint_eq(inst->mem_kb, 256 * MiB);     /* at once */
    ck_assert_uint_eq(sim_host_free_kb(h), 256 * MiB);
    run(h, 10 * SEC);
    ck_assert_uint_eq(p->mem_kb, 2 * GiB);          /* the rest */
    ck_assert_uint_eq(sim_host_free_kb(h), 128 * MiB);
    check_accounting(h);
    sim_host_free(h);
}
END_TEST

START_TEST(stuck_and_absent_never_move)
{
    struct sim_host *h = simt_load("balloon.xml");
    struct sim_dom *st = simt_named(h, "stuck"), *ab = simt_named(h,
                                                                  "nodriver");
    struct xn_msg msg;

    ck_assert_int_eq(sim_dom_set_target(h, st, 1 * GiB, &msg), 0);
    ck_assert_int_eq(sim_dom_set_target(h, ab, 256 * MiB, &msg), 0);
    ck_assert_int_eq(sim_dom_set_target(h, ab, 2 * GiB, &msg), XN_EINVAL);
    run(h, 100 * SEC);
    ck_assert_uint_eq(st->mem_kb, 512 * MiB);
    ck_assert_uint_eq(ab->mem_kb, 512 * MiB);
    ck_assert_uint_eq(st->target_kb, 1 * GiB);
    ck_assert_uint_eq(ab->target_kb, 256 * MiB);
    ck_assert_uint_eq(st->gm.moved_kb + ab->gm.moved_kb, 0);
    check_accounting(h);
    sim_host_free(h);
}
END_TEST

START_TEST(workloads_deterministic_and_shaped)
{
    struct sim_guest_mem g, g2;
    uint64_t base = 1 * GiB;

    memset(&g, 0, sizeof(g));
    g.base_kb = base;
    g.wl_seed = 1234;
    g2 = g;
    g2.wl_seed = 1235;

    g.workload = g2.workload = SIM_WL_NONE;
    ck_assert_uint_eq(sim_workload_demand(&g, 5 * HOUR), base);

    g.workload = g2.workload = SIM_WL_STEADY;
    {
        bool differ = false;
        for (uint64_t t = 0; t < 6 * HOUR; t += 7 * SEC) {
            uint64_t v = sim_workload_demand(&g, t);
            ck_assert_uint_eq(v, sim_workload_demand(&g, t));
            ck_assert_uint_ge(v, base * 95 / 100);
            ck_assert_uint_le(v, base * 105 / 100);
            differ |= v != sim_workload_demand(&g2, t);
        }
        ck_assert(differ);
    }

    g.workload = SIM_WL_IDLE;
    for (uint64_t t = 0; t < 6 * HOUR; t += 7 * SEC) {
        uint64_t v = sim_workload_demand(&g, t);
        ck_assert_uint_ge(v, base * 33 / 100);
        ck_assert_uint_le(v, base * 37 / 100);
    }

    g.workload = SIM_WL_LEAK;
    ck_assert_uint_eq(sim_workload_demand(&g, 0), base / 2);
    ck_assert_uint_eq(sim_workload_demand(&g, HOUR), base * 3 / 2);
    ck_assert_uint_eq(sim_workload_demand(&g, 30 * MINUTE), base);

    /* bursts to 2 x base a few times an hour, each some minutes long;
     * base/2 +-4 % between */
    g.workload = SIM_WL_BURST;
    for (uint64_t seed = 1; seed <= 5; seed++) {
        int bursts = 0, len = 0, shortest = 1000;
        g.wl_seed = seed;
        for (uint64_t m = 0; m < 24 * 60; m++) {
            uint64_t v = sim_workload_demand(&g, m * MINUTE + 30 * SEC);
            ck_assert_uint_eq(v, sim_workload_demand(&g, m * MINUTE +
                                                        30 * SEC));
            if (v == 2 * base) {
                bursts += len == 0;
                len++;
                continue;
            }
            ck_assert_uint_ge(v, base * 48 / 100);
            ck_assert_uint_le(v, base * 52 / 100);
            if (len && len < shortest)
                shortest = len;
            len = 0;
        }
        ck_assert_int_ge(bursts, 24);               /* 1-5 an hour */
        ck_assert_int_le(bursts, 120);
        ck_assert_int_ge(shortest, 2);
    }
}
END_TEST

START_TEST(pressure_rises_and_decays)
{
    struct sim_host *h = simt_load("balloon.xml");
    struct sim_dom *p = simt_named(h, "pressed"), *q = simt_named(h,
                                                                  "quiet");
    uint32_t after5;
    uint64_t some_us;
    double short_kbs;
    struct xn_msg msg;

    ck_assert_uint_eq(p->gm.some10, 0);
    run(h, 5 * SEC);
    after5 = p->gm.some10;
    ck_assert_uint_gt(after5, 0);
    run(h, 55 * SEC);
    ck_assert_uint_gt(p->gm.some10, after5);
    ck_assert_uint_gt(p->gm.some10, 6000);          /* 4 x 20-25 % short */
    ck_assert_uint_le(p->gm.some10, 10000);
    ck_assert_uint_le(p->gm.full10, p->gm.some10 / 3 + 1);
    ck_assert_uint_ge(p->gm.full10 + 1, p->gm.some10 / 3);
    ck_assert_uint_gt(p->gm.swapin_ps, 0);
    ck_assert_uint_gt(p->gm.swapout_ps, 0);
    ck_assert_uint_gt(p->gm.refault_ps, 0);
    ck_assert_uint_gt(p->gm.some_us, 30 * 1000000ull);
    ck_assert(p->gm.short_kbs > 60 * 192.0 * MiB);
    ck_assert_uint_eq(p->gm.oom_kills, 0);          /* swap holds it */
    /* the idle guest feels nothing */
    ck_assert_uint_eq(q->gm.some10, 0);
    ck_assert_uint_eq(q->gm.swapin_ps + q->gm.refault_ps, 0);
    ck_assert_uint_ge(q->gm.demand_kb, 330 * GiB / 1000);
    ck_assert_uint_le(q->gm.demand_kb, 370 * GiB / 1000);

    /* room: it grows past its demand and the pressure decays */
    ck_assert_int_eq(sim_dom_set_target(h, p, 2 * GiB, &msg), 0);
    run(h, 60 * SEC);
    short_kbs = p->gm.short_kbs;
    some_us = p->gm.some_us;
    run(h, 60 * SEC);
    ck_assert_uint_lt(p->gm.some10, 50);
    ck_assert_uint_eq(p->gm.swapin_ps + p->gm.swapout_ps, 0);
    ck_assert_uint_eq(p->gm.refault_ps, 0);
    ck_assert(p->gm.short_kbs == short_kbs);
    ck_assert_uint_ge(p->gm.some_us, some_us);
    sim_host_free(h);
}
END_TEST

START_TEST(oom_counted)
{
    struct sim_host *h = simt_load("balloon.xml");
    struct sim_dom *lk = simt_named(h, "leaky"), *q = simt_named(h, "quiet");
    struct sim_guest_mem gm = q->gm;

    /* LEAK: 128 MiB + 256 MiB an hour passes 1 GiB + 128 MiB of swap at
     * 4 h, is killed and starts again from 128 MiB */
    run(h, 3 * HOUR + 59 * MINUTE);
    ck_assert_uint_eq(lk->gm.oom_kills, 0);
    ck_assert_uint_gt(lk->gm.swapin_ps, 0);
    run(h, 2 * MINUTE);
    ck_assert_uint_eq(lk->gm.oom_kills, 1);
    ck_assert_uint_le(lk->gm.demand_kb, 140 * MiB);
    run(h, 59 * MINUTE);
    ck_assert_uint_ge(lk->gm.demand_kb, 380 * MiB);
    ck_assert_uint_le(lk->gm.demand_kb, 390 * MiB);

    /* Others: base/2 for ten minutes after a kill */
    gm.workload = SIM_WL_NONE;
    gm.base_kb = 2 * GiB;
    gm.swap_kb = 0;
    sim_dom_set_guest_mem(q, &gm);
    run(h, SEC);
    ck_assert_uint_eq(q->gm.oom_kills, 1);
    ck_assert_uint_eq(q->gm.demand_kb, 1 * GiB);
    run(h, 9 * MINUTE);
    ck_assert_uint_eq(q->gm.oom_kills, 1);
    ck_assert_uint_eq(q->gm.demand_kb, 1 * GiB);
    run(h, 2 * MINUTE);
    ck_assert_uint_eq(q->gm.oom_kills, 2);
    check_accounting(h);
    sim_host_free(h);
}
END_TEST

START_TEST(report_fields)
{
    struct sim_host *h = simt_load("balloon.xml");
    struct sim_dom *p = simt_named(h, "pressed"), *q = simt_named(h, "quiet"),
                   *st = simt_named(h, "stuck");
    struct memreport r, back;
    char text[MEMREPORT_TEXT_MAX];
    struct xn_msg msg;
    int clamped = 0, len;

    run(h, 30 * SEC);
    p->gm.report_seq = 41;
    ck_assert_int_eq(sim_dom_memreport(p, &r), 0);
    ck_assert_uint_eq(r.seq, 41);
    ck_assert_uint_eq(r.every_s, 1);
    ck_assert_uint_eq(r.total_kb, 1 * GiB);
    /* it wants more than it holds: only the cache it can drop */
    ck_assert_uint_eq(r.avail_kb, 1 * GiB / 50);
    ck_assert_uint_eq(r.some10, p->gm.some10);
    ck_assert_uint_eq(r.full10, p->gm.full10);
    ck_assert_uint_eq(r.some_us, p->gm.some_us);
    ck_assert_uint_eq(r.swapin_ps, p->gm.swapin_ps);
    ck_assert_uint_eq(r.refault_ps, p->gm.refault_ps);
    len = memreport_format(&r, text, sizeof(text));
    ck_assert_int_gt(len, 0);
    ck_assert_int_eq(memreport_parse(text, (size_t)len, &back, &clamped,
                                     &msg), 0);
    ck_assert_int_eq(clamped, 0);
    ck_assert_mem_eq(&back, &r, sizeof(r));

    /* idle: about 65 % available */
    ck_assert_int_eq(sim_dom_memreport(q, &r), 0);
    ck_assert_uint_eq(r.total_kb, 1 * GiB);
    ck_assert_uint_eq(r.avail_kb, 1 * GiB - q->gm.demand_kb +
                                  q->gm.demand_kb / 50);
    ck_assert_uint_eq(r.every_s, 2);
    /* no demand model: it uses a third of what it holds */
    ck_assert_int_eq(sim_dom_memreport(st, &r), 0);
    ck_assert_uint_eq(r.avail_kb, 512 * MiB - 512 * MiB / 3 +
                                  512 * MiB / 3 / 50);
    ck_assert_uint_eq(r.some10 + r.swapin_ps + r.refault_ps, 0);
    /* no agent, or not running: no report */
    ck_assert_int_eq(sim_dom_memreport(simt_named(h, "slow"), &r),
                     XN_ENOENT);
    ck_assert_int_eq(sim_dom_pause(h, p, &msg), 0);
    ck_assert_int_eq(sim_dom_memreport(p, &r), XN_ENOENT);
    sim_host_free(h);
}
END_TEST

/* Run the loop until the node at path holds something other than old, or
 * ms pass. */
static bool run_until_changed(struct simt *t, const char *path,
                              const char *old, int ms)
{
    bool timed_out = false;
    struct timeval tv = { ms / 1000, (ms % 1000) * 1000 };
    struct event *to = evtimer_new(t->base, simt_timeout_cb, &timed_out);

    evtimer_add(to, &tv);
    while (strcmp(simt_store_get(t, path), old) == 0 && !timed_out)
        event_base_loop(t->base, EVLOOP_ONCE);
    event_free(to);
    return strcmp(simt_store_get(t, path), old) != 0;
}

/* The driver: reports appear in the store, written by the guest (its own
 * node), seq counting; the timer sleeps on a host with nothing to do. */
START_TEST(driver_writes_reports)
{
    struct simt t;
    struct xsd_perm *perms;
    struct memreport r;
    struct xn_msg msg;
    unsigned n;
    const char *path = "/local/domain/1/data/xenith-memory";
    char first[256];

    simt_open(&t, "sim:///", NULL);
    ck_assert(!evtimer_pending(simdrv_of(t.hv)->mem_tick, NULL));
    simt_close(&t);

    simt_open(&t, "sim:///", "balloon.xml");
    ck_assert(evtimer_pending(simdrv_of(t.hv)->mem_tick, NULL));
    ck_assert(simt_run_until_node(&t, path, 5000));
    snprintf(first, sizeof(first), "%s", simt_store_get(&t, path));
    ck_assert_int_eq(memreport_parse(first, strlen(first), &r, NULL, &msg),
                     0);
    ck_assert_uint_eq(r.seq, 1);
    ck_assert_uint_eq(r.total_kb, 1 * GiB);
    ck_assert_int_eq(xsd_get_perms(simdrv_of(t.hv)->store, path, &perms,
                                   &n), 0);
    ck_assert_uint_eq(perms[0].domid, 1);           /* the guest's own */
    free(perms);
    /* the next report */
    ck_assert(run_until_changed(&t, path, first, 5000));
    ck_assert_int_eq(memreport_parse(simt_store_get(&t, path),
                                     strlen(simt_store_get(&t, path)), &r,
                                     NULL, &msg), 0);
    ck_assert_uint_eq(r.seq, 2);
    /* agents only where the scenario says */
    ck_assert(simt_run_until_node(&t, "/local/domain/4/data/xenith-memory",
                                  8000));
    ck_assert_str_eq(simt_store_get(&t, "/local/domain/5/data/"
                                        "xenith-memory"), "(absent)");
    simt_close(&t);
}
END_TEST

int main(void)
{
    Suite *s = suite_create("sim_balloon");
    TCase *model = tcase_create("model");
    TCase *drv = tcase_create("driver");

    tcase_add_test(model, scenario_attributes);
    tcase_add_test(model, api_defaults);
    tcase_add_test(model, speed_respected);
    tcase_add_test(model, partial_growth_when_short);
    tcase_add_test(model, stuck_and_absent_never_move);
    tcase_add_test(model, workloads_deterministic_and_shaped);
    tcase_add_test(model, pressure_rises_and_decays);
    tcase_add_test(model, oom_counted);
    tcase_add_test(model, report_fields);
    suite_add_tcase(s, model);
    tcase_set_timeout(drv, 30);
    tcase_add_test(drv, driver_writes_reports);
    suite_add_tcase(s, drv);
    return simt_run(s);
}
