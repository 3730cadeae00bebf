/* test_balloon_plan.c - the balancer's planner: bounds, needs, the reserve,
 * lower-before-raise, weights, the step bound, stuck guests, hostile
 * reports.  A small world applies the actions as Xen and the guests'
 * balloon drivers would, so passes can be run until things settle. */
#include <check.h>
#include <stdlib.h>
#include <string.h>

#include "balloon/plan.h"

#define MIB 1024ull
#define GIB (1024ull * MIB)
#define SEC 1000000000ull
#define NDOM 8

struct world {
    struct bplan_params p;
    struct bplan_host h;
    struct bplan_dom d[NDOM];
    struct memreport rep[NDOM];
    uint64_t hv_max[NDOM];      /* the hypervisor's max, as SET_MAX left it */
    bool frozen[NDOM];          /* its balloon driver does not move */
    uint64_t speed;             /* KiB a driver moves per pass; 0 = all */
    size_t n;
    struct bplan_action acts[BPLAN_ACTS_MAX(NDOM)];
    int n_acts;
    struct bplan_summary sum;
};

static void world_init(struct world *w, uint64_t free_kb)
{
    memset(w, 0, sizeof(*w));
    bplan_params_default(&w->p);
    w->h.now_ns = 1000 * SEC;
    w->h.free_kb = free_kb;
}

/* A managed guest holding `mem` with maximum `max`. */
static struct bplan_dom *add(struct world *w, uint64_t mem, uint64_t max)
{
    size_t i = w->n++;
    struct bplan_dom *d = &w->d[i];

    d->domid = (uint32_t)i + 1;
    d->managed = true;
    d->cfg_kb = d->target_kb = d->actual_kb = mem;
    d->static_max_kb = w->hv_max[i] = max;
    return d;
}

/* It reports using `used` of what it holds, with PSI some avg10 `psi`. */
static void report(struct world *w, struct bplan_dom *d, uint64_t used,
                   uint32_t psi)
{
    struct memreport *r = &w->rep[d - w->d];

    r->seq++;
    r->total_kb = d->actual_kb;
    r->avail_kb = d->actual_kb > used ? d->actual_kb - used : 0;
    r->some10 = psi;
    d->report = r;
    d->report_ns = w->h.now_ns;
}

static void pass(struct world *w)
{
    w->n_acts = bplan_run(&w->p, &w->h, w->d, w->n, w->acts, &w->sum);
    ck_assert_int_ge(w->n_acts, 0);
    for (int k = 0; k < w->n_acts; k++) {
        const struct bplan_action *a = &w->acts[k];

        ck_assert_uint_eq(a->domid, w->d[a->index].domid);
        if (a->type == BPLAN_SET_MAX)
            w->hv_max[a->index] = a->kb;
        if (a->type == BPLAN_SET_TARGET)
            ck_assert_uint_le(a->kb, w->hv_max[a->index]);
    }
}

/* The drivers follow (growth only from free memory), a second passes. */
static void drivers(struct world *w)
{
    for (size_t i = 0; i < w->n; i++) {
        struct bplan_dom *d = &w->d[i];
        uint64_t step;

        if (w->frozen[i])
            continue;
        if (d->target_kb < d->actual_kb) {
            step = d->actual_kb - d->target_kb;
            if (w->speed && step > w->speed)
                step = w->speed;
            d->actual_kb -= step;
            w->h.free_kb += step;
        } else if (d->target_kb > d->actual_kb) {
            step = d->target_kb - d->actual_kb;
            if (w->speed && step > w->speed)
                step = w->speed;
            if (step > w->h.free_kb)
                step = w->h.free_kb;
            d->actual_kb += step;
            w->h.free_kb -= step;
        }
    }
    w->h.now_ns += SEC;
}

static void settle(struct world *w, int passes)
{
    for (int k = 0; k < passes; k++) {
        pass(w);
        drivers(w);
    }
}

static int count(const struct world *w, enum bplan_act_type t)
{
    int c = 0;

    for (int k = 0; k < w->n_acts; k++)
        c += w->acts[k].type == t;
    return c;
}

START_TEST(share_by_weight)
{
    uint64_t cap[3] = {100, 1000, 1000}, out[3];
    uint32_t wt[3] = {1, 1, 3};

    /* 900 by weights 1:1:3, the first capped at 100 */
    ck_assert_int_eq(bplan_share(900, cap, wt, 3, out), 900);
    ck_assert_uint_eq(out[0], 100);
    ck_assert_uint_eq(out[1], 200);
    ck_assert_uint_eq(out[2], 600);
    /* more than the caps: each gets its cap */
    ck_assert_int_eq(bplan_share(5000, cap, wt, 3, out), 2100);
    ck_assert_uint_eq(out[2], 1000);
    ck_assert_int_eq(bplan_share(0, cap, wt, 0, out), 0);
}
END_TEST

/* A guest that reports nothing keeps its configured memory; an admin's
 * min below it lets it go lower; its max bounds it from above. */
START_TEST(bounds_without_reports)
{
    struct world w;
    struct bplan_dom *a, *b;

    world_init(&w, 256 * MIB);
    a = add(&w, 1 * GIB, 2 * GIB);
    b = add(&w, 1 * GIB, 2 * GIB);
    w.h.reserved_kb = 1 * GIB;      /* someone wants a GiB */
    settle(&w, 10);
    ck_assert_uint_eq(a->actual_kb, 1 * GIB);
    ck_assert_uint_eq(a->lo_kb, 1 * GIB);
    ck_assert_uint_eq(w.sum.reclaimable_kb, 0);
    b->min_kb = 512 * MIB;
    settle(&w, 10);
    ck_assert_uint_eq(a->actual_kb, 1 * GIB);
    ck_assert_uint_eq(b->actual_kb, 512 * MIB);
    /* nobody wants it any more: back up, but never above the policy max */
    w.h.reserved_kb = 0;
    a->max_kb = 1200 * MIB;
    settle(&w, 10);
    ck_assert_uint_le(a->target_kb, 1200 * MIB);
    ck_assert_uint_le(b->target_kb, 2 * GIB);
    ck_assert_uint_ge(w.h.free_kb, w.p.reserve_kb);
}
END_TEST

/* The reserve is kept, whatever the guests want. */
START_TEST(reserve_kept)
{
    struct world w;

    world_init(&w, 600 * MIB);
    for (int i = 0; i < 4; i++)
        add(&w, 512 * MIB, 4 * GIB);
    for (int k = 0; k < 30; k++) {
        for (size_t i = 0; i < w.n; i++)
            report(&w, &w.d[i], w.d[i].actual_kb, 5000);   /* all starved */
        settle(&w, 1);
        ck_assert_uint_ge(w.h.free_kb, w.p.reserve_kb);
    }
    ck_assert_uint_gt(w.sum.short_kb, 0);
}
END_TEST

/* Memory goes from an idle guest to one under pressure: the idle one is
 * lowered first, and the other raised only once the memory is free. */
START_TEST(lower_before_raise)
{
    struct world w;
    struct bplan_dom *idle, *busy;
    bool raised_early = false;

    world_init(&w, 200 * MIB);
    idle = add(&w, 2 * GIB, 2 * GIB);
    busy = add(&w, 1 * GIB, 3 * GIB);
    w.speed = 64 * MIB;                 /* drivers move 64 MiB a second */
    for (int k = 0; k < 60; k++) {
        report(&w, idle, 200 * MIB, 0);
        report(&w, busy, busy->actual_kb, 2000);
        pass(&w);
        /* every lower comes before every raise */
        for (int j = 0, seen_raise = 0; j < w.n_acts; j++) {
            const struct bplan_action *a = &w.acts[j];
            bool up = a->type == BPLAN_SET_TARGET &&
                      a->kb > w.d[a->index].actual_kb;

            if (up)
                seen_raise = 1;
            else if (a->type == BPLAN_SET_TARGET)
                ck_assert_msg(!seen_raise, "a lower after a raise");
        }
        /* raises never spend memory that is not free yet */
        {
            uint64_t growth = 0;

            for (size_t i = 0; i < w.n; i++)
                if (w.d[i].target_kb > w.d[i].actual_kb)
                    growth += w.d[i].target_kb - w.d[i].actual_kb;
            if (growth + w.p.reserve_kb > w.h.free_kb)
                raised_early = true;
        }
        drivers(&w);
    }
    ck_assert(!raised_early);
    ck_assert_uint_lt(idle->actual_kb, 1 * GIB);
    ck_assert_uint_gt(busy->actual_kb, 2 * GIB);
    ck_assert_uint_ge(idle->actual_kb, idle->lo_kb);
}
END_TEST

/* No target falls faster than step_kb a second below what it holds. */
START_TEST(step_bound)
{
    struct world w;
    struct bplan_dom *a;

    world_init(&w, 0);
    a = add(&w, 4 * GIB, 4 * GIB);
    a->min_kb = 256 * MIB;
    w.h.reserved_kb = 3 * GIB;
    w.speed = 1 * GIB;
    for (int k = 0; k < 20; k++) {
        uint64_t before = a->actual_kb;

        pass(&w);
        ck_assert_uint_ge(a->target_kb + w.p.step_kb, before);
        drivers(&w);
    }
    ck_assert_uint_le(a->actual_kb, 4 * GIB - 3 * GIB - w.p.reserve_kb);
}
END_TEST

/* When memory is short, needs are met by weight. */
START_TEST(weights_decide_who_waits)
{
    struct world w;
    struct bplan_dom *a, *b;

    world_init(&w, 1 * GIB + 128 * MIB);
    a = add(&w, 256 * MIB, 8 * GIB);
    b = add(&w, 256 * MIB, 8 * GIB);
    a->min_kb = b->min_kb = 256 * MIB;
    a->weight = 300;
    b->weight = 100;
    a->admin_kb = b->admin_kb = 4 * GIB;    /* both want far more */
    settle(&w, 5);
    /* 1 GiB above the mins, shared 3:1 */
    ck_assert_uint_ge(a->actual_kb - 256 * MIB, 760 * MIB);
    ck_assert_uint_le(a->actual_kb - 256 * MIB, 770 * MIB);
    ck_assert_uint_ge(b->actual_kb - 256 * MIB, 250 * MIB);
    ck_assert_uint_le(b->actual_kb - 256 * MIB, 260 * MIB);
}
END_TEST

/* The admin's need (mem-set) is the target: no share of the rest. */
START_TEST(admin_need_is_exact)
{
    struct world w;
    struct bplan_dom *a, *b;

    world_init(&w, 4 * GIB);
    a = add(&w, 1 * GIB, 4 * GIB);
    b = add(&w, 1 * GIB, 4 * GIB);
    a->admin_kb = 1536 * MIB;
    settle(&w, 5);
    ck_assert_uint_eq(a->actual_kb, 1536 * MIB);
    ck_assert_uint_gt(b->actual_kb, 2 * GIB);   /* b takes the rest */
}
END_TEST

/* A guest whose balloon does not move is stuck: clamped, its memory fixed,
 * uncooperative later, and recovered once it moves. */
START_TEST(stuck_and_recovered)
{
    struct world w;
    struct bplan_dom *s, *o;
    int stuck_at = -1, uncoop_at = -1;

    world_init(&w, 0);
    s = add(&w, 2 * GIB, 2 * GIB);
    o = add(&w, 2 * GIB, 2 * GIB);
    s->min_kb = o->min_kb = 512 * MIB;
    w.p.stuck_ns = 5 * SEC;
    w.p.uncoop_ns = 10 * SEC;
    w.frozen[0] = true;                 /* e.g. paused */
    w.h.reserved_kb = 2 * GIB;
    for (int k = 0; k < 30; k++) {
        pass(&w);
        for (int j = 0; j < w.n_acts; j++) {
            const struct bplan_action *a = &w.acts[j];

            if (a->type == BPLAN_STATE && a->state == BPLAN_STUCK) {
                stuck_at = k;
                ck_assert_uint_eq(a->domid, s->domid);
            }
            if (a->type == BPLAN_STATE && a->state == BPLAN_UNCOOP)
                uncoop_at = k;
        }
        drivers(&w);
    }
    ck_assert_int_ge(stuck_at, 4);
    ck_assert_int_le(stuck_at, 6);
    ck_assert_int_ge(uncoop_at - stuck_at, 10);
    ck_assert_int_eq(s->memo.state, BPLAN_UNCOOP);
    ck_assert_uint_eq(w.hv_max[0], 2 * GIB);    /* clamped to what it held */
    ck_assert(s->memo.clamped);
    /* the other gave what it could, and nothing was counted from s */
    ck_assert_uint_eq(o->actual_kb, 512 * MIB);
    ck_assert_uint_eq(w.sum.uncoop, 1);
    /* it moves again: recovered, max given back */
    w.frozen[0] = false;
    s->actual_kb -= 64 * MIB;
    w.h.free_kb += 64 * MIB;
    pass(&w);
    ck_assert_int_eq(s->memo.state, BPLAN_OK);
    ck_assert_int_eq(count(&w, BPLAN_STATE), 1);
    ck_assert_uint_eq(w.hv_max[0], 2 * GIB);
    ck_assert(!s->memo.clamped);
    /* the max comes back after any target change of that domain */
    ck_assert_int_eq(w.acts[w.n_acts - 1].type, BPLAN_SET_MAX);
}
END_TEST

/* Unmanaged domains are never touched, and what they grow into is not
 * handed out. */
START_TEST(unmanaged_untouched)
{
    struct world w;
    struct bplan_dom *u, *m;

    world_init(&w, 2 * GIB);
    u = add(&w, 1 * GIB, 4 * GIB);
    m = add(&w, 1 * GIB, 4 * GIB);
    u->managed = false;
    u->target_kb = 2 * GIB;             /* growing by a GiB */
    pass(&w);
    for (int k = 0; k < w.n_acts; k++)
        ck_assert_uint_ne(w.acts[k].domid, u->domid);
    ck_assert_uint_le(m->target_kb, 1 * GIB + 1 * GIB - w.p.reserve_kb);
}
END_TEST

/* What a guest says cannot take it out of its bounds: absurd use is
 * capped at hi, a report that stops is forgotten. */
START_TEST(hostile_reports)
{
    struct world w;
    struct bplan_dom *a, *b;
    struct memreport lie = {.seq = 1, .total_kb = 1ull << 40,
                            .avail_kb = 0, .some10 = 10000,
                            .swapin_ps = 1ull << 32};

    world_init(&w, 8 * GIB);
    a = add(&w, 1 * GIB, 2 * GIB);
    b = add(&w, 1 * GIB, 2 * GIB);
    a->report = &lie;
    a->report_ns = w.h.now_ns;
    settle(&w, 3);
    ck_assert_uint_eq(a->need_kb, 2 * GIB);
    ck_assert_uint_le(a->target_kb, 2 * GIB);
    /* a report saying it uses nothing: down to the floor, not below */
    report(&w, b, 0, 0);
    w.h.reserved_kb = 8 * GIB;
    for (int k = 0; k < 20; k++) {
        report(&w, b, 0, 0);
        settle(&w, 1);
    }
    ck_assert_uint_eq(b->lo_kb, 256 * MIB);     /* a quarter of 1 GiB */
    ck_assert_uint_eq(b->actual_kb, 256 * MIB);
    /* its reports stop: after report_age it is back to its configured
     * memory as the least */
    w.h.reserved_kb = 0;
    w.h.now_ns += w.p.report_age_ns + SEC;
    settle(&w, 10);
    ck_assert_uint_ge(b->actual_kb, 1 * GIB);
}
END_TEST

/* A quiet guest's need falls slowly (the idle tax), not at once. */
START_TEST(idle_tax_is_slow)
{
    struct world w;
    struct bplan_dom *a;
    uint64_t need0;

    world_init(&w, 1 * GIB);
    a = add(&w, 2 * GIB, 2 * GIB);
    report(&w, a, 1800 * MIB, 0);
    pass(&w);
    need0 = a->memo.need_kb;
    report(&w, a, 100 * MIB, 0);        /* suddenly idle */
    w.h.now_ns += 6 * SEC;
    pass(&w);
    ck_assert_uint_lt(a->memo.need_kb, need0);
    ck_assert_uint_gt(a->memo.need_kb, need0 * 9 / 10);
    /* an hour of quiet: down to use plus buffer */
    for (int k = 0; k < 60; k++) {
        w.h.now_ns += 60 * SEC;
        report(&w, a, 100 * MIB, 0);
        pass(&w);
    }
    ck_assert_uint_le(a->memo.need_kb, 125 * MIB);   /* 120 + 0.9^60 */
}
END_TEST

/* Pressure raises the need above what it holds, report after report. */
START_TEST(pressure_raises_need)
{
    struct world w;
    struct bplan_dom *a;

    world_init(&w, 8 * GIB);
    a = add(&w, 1 * GIB, 4 * GIB);
    a->min_kb = 1 * GIB;
    report(&w, a, 512 * MIB, 0);
    settle(&w, 1);
    ck_assert_uint_le(a->need_kb, 1 * GIB);
    for (int k = 0; k < 10; k++) {
        report(&w, a, a->actual_kb, 3000);
        settle(&w, 1);
    }
    ck_assert_uint_gt(a->need_kb, 2 * GIB);
    /* a repeated report (same seq) changes nothing */
    {
        uint64_t need = a->memo.need_kb;

        settle(&w, 3);
        ck_assert_uint_eq(a->memo.need_kb, need);
    }
}
END_TEST

/* 1,000 domains in one pass: no allocation failure, sane actions. */
START_TEST(many_domains)
{
    size_t n = 1000;
    struct bplan_params p;
    struct bplan_host h = {.now_ns = SEC, .free_kb = 1 * GIB};
    struct bplan_dom *d = calloc(n, sizeof(*d));
    struct bplan_action *acts = calloc(BPLAN_ACTS_MAX(n), sizeof(*acts));
    struct memreport *r = calloc(n, sizeof(*r));
    int na;

    bplan_params_default(&p);
    for (size_t i = 0; i < n; i++) {
        d[i].domid = (uint32_t)i + 1;
        d[i].managed = true;
        d[i].cfg_kb = d[i].target_kb = d[i].actual_kb = 512 * MIB;
        d[i].static_max_kb = 1 * GIB;
        r[i] = (struct memreport){.seq = 1, .total_kb = 512 * MIB,
                                  .avail_kb = (i % 2) ? 400 * MIB : 0,
                                  .some10 = (i % 2) ? 0 : 500};
        d[i].report = &r[i];
        d[i].report_ns = SEC;
    }
    na = bplan_run(&p, &h, d, n, acts, NULL);
    ck_assert_int_gt(na, 0);
    ck_assert_int_le(na, (int)BPLAN_ACTS_MAX(n));
    free(d);
    free(acts);
    free(r);
}
END_TEST

int main(void)
{
    Suite *s = suite_create("balloon_plan");
    TCase *tc = tcase_create("plan");
    tcase_add_test(tc, share_by_weight);
    tcase_add_test(tc, bounds_without_reports);
    tcase_add_test(tc, reserve_kept);
    tcase_add_test(tc, lower_before_raise);
    tcase_add_test(tc, step_bound);
    tcase_add_test(tc, weights_decide_who_waits);
    tcase_add_test(tc, admin_need_is_exact);
    tcase_add_test(tc, stuck_and_recovered);
    tcase_add_test(tc, unmanaged_untouched);
    tcase_add_test(tc, hostile_reports);
    tcase_add_test(tc, idle_tax_is_slow);
    tcase_add_test(tc, pressure_raises_need);
    tcase_add_test(tc, many_domains);
    suite_add_tcase(s, tc);
    SRunner *sr = srunner_create(s);
    srunner_run_all(sr, CK_NORMAL);
    int failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
