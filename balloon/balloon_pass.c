/*
 * balloon_pass.c - one pass of the balancer: read the host and the
 * domains, let the planner decide (plan.c), and carry out its actions,
 * each inside the domain's job like any other change to a domain.
 *
 * Passes run when something happens (a domain arrives or dies, a report
 * or a policy changes, a reservation is asked), once a second while
 * targets are being reached or reservations wait, and otherwise every
 * balloon.interval seconds.
 */
#include "balloon/balloon.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "log.h"

#define MOTION_NS 1000000000ull     /* pass every second while moving */
#define GAP_NS 100000000ull         /* events: at most ten passes a second */

/* The planner's view of every domain, and the domain it came from. */
struct view {
    struct bplan_dom *pd;
    size_t *owner;                  /* index into b->doms */
    size_t n;
    uint64_t free_kb;
    uint64_t reserved_kb;           /* balloon_reserved_now */
};

static void view_free(struct view *v)
{
    free(v->pd);
    free(v->owner);
}

static bool movable(const struct hv_dominfo *info)
{
    return hv_state_runs(info->state) || info->state == HV_STATE_PAUSED;
}

static void fill(const struct bdom *bd, const struct hv_dominfo *info,
                 struct bplan_dom *pd)
{
    memset(pd, 0, sizeof(*pd));
    pd->domid = info->domid;
    pd->managed = bdom_managed(bd) && movable(info);
    pd->cfg_kb = bd->cfg_kb;
    pd->static_max_kb = bd->static_max_kb;
    pd->min_kb = bd->min_kb;
    pd->max_kb = bd->max_kb;
    pd->weight = bd->weight;
    pd->buffer_pct = bd->buffer_pct;
    pd->admin_kb = bd->need_kb;
    pd->target_kb = info->target_kb;
    pd->actual_kb = info->mem_kb;
    pd->report = bd->has_report ? &bd->report : NULL;
    pd->report_ns = bd->report_ns;
    /* A paused guest cannot report: its last report still says what it
     * uses (a stale one would make its configured memory its floor). */
    if (info->state == HV_STATE_PAUSED)
        pd->report_ns = balloon_now();
    pd->memo = bd->memo;
}

/* Read the host and every domain into v; false when the host cannot be
 * read. */
static bool gather(struct balloon *b, struct view *v)
{
    struct hv_hostinfo host;
    struct hv_dominfo *list;
    size_t n;

    memset(v, 0, sizeof(*v));
    if (hv_host_info(b->d->hv, &host, NULL) < 0 ||
        hv_dom_list(b->d->hv, &list, &n, NULL) < 0)
        return false;
    bdom_sync_list(b, list, n);
    v->pd = calloc(n ? n : 1, sizeof(*v->pd));
    v->owner = calloc(n ? n : 1, sizeof(*v->owner));
    if (!v->pd || !v->owner) {
        free(list);
        view_free(v);
        return false;
    }
    for (size_t j = 0; j < n; j++) {
        struct bdom *bd = bdom_find(b, list[j].domid);

        if (!bd || list[j].building || balloon_starting(b, &list[j]))
            continue;
        fill(bd, &list[j], &v->pd[v->n]);
        v->owner[v->n++] = (size_t)(bd - b->doms);
    }
    v->free_kb = host.free_kb;
    v->reserved_kb = balloon_reserved_now(b, list, n);
    free(list);
    return true;
}

static int plan(struct balloon *b, struct view *v, uint64_t extra_kb,
                struct bplan_action **acts_r, struct bplan_summary *sum)
{
    struct bplan_host h = {balloon_now(), v->free_kb,
                           v->reserved_kb + extra_kb};
    struct bplan_action *acts = calloc(BPLAN_ACTS_MAX(v->n ? v->n : 1),
                                       sizeof(*acts));
    int n;

    if (!acts)
        return -1;
    n = bplan_run(&b->params, &h, v->pd, v->n, acts, sum);
    if (n < 0) {
        free(acts);
        return -1;
    }
    *acts_r = acts;
    return n;
}

bool balloon_dry_run(struct balloon *b, uint64_t extra_kb,
                     struct bplan_summary *sum, uint64_t *free_kb)
{
    struct bplan_action *acts;
    struct view v;
    int n;

    if (!gather(b, &v))
        return false;
    n = plan(b, &v, extra_kb, &acts, sum);
    *free_kb = v.free_kb;
    if (n >= 0)
        free(acts);
    view_free(&v);
    return n >= 0;
}

/* --- carrying actions out, in the domain's job --- */

struct apply {
    struct balloon *b;
    uint8_t uuid[16];
};

static void apply_cancel(void *arg)
{
    free(arg);
}

static void apply_start(void *arg, job_token token)
{
    struct apply *a = arg;
    struct balloon *b = a->b;
    struct bdom *bd = bdom_find_uuid(b, a->uuid);
    struct hv_dominfo info;
    struct xn_msg msg;
    uint64_t target, max;
    int rc = 0;

    free(a);
    if (!bd || hv_dom_by_uuid(b->d->hv, bd->uuid, &info, NULL) < 0) {
        jobs_end(b->d->jobs, token);
        return;
    }
    target = bd->want_target;
    max = bd->want_max;
    bd->want_target = bd->want_max = 0;
    bd->job_queued = false;
    /* A maximum going up first (so the target fits), down after. */
    if (max && max > info.max_kb)
        rc = hv_mem_max(b->d->hv, info.domid, max, &msg);
    if (rc == 0 && target && target != info.target_kb)
        rc = hv_mem_target(b->d->hv, info.domid, target, &msg);
    if (rc == 0 && max && max <= info.max_kb)
        rc = hv_mem_max(b->d->hv, info.domid, max, &msg);
    if (rc < 0)
        xn_log(XN_LOG_WARNING, "balloon: %s", msg.text);
    jobs_end(b->d->jobs, token);
}

static void queue(struct balloon *b, struct bdom *bd)
{
    struct apply *a;

    if (bd->job_queued)
        return;                     /* the queued job takes the latest */
    if (!(a = malloc(sizeof(*a))))
        return;
    a->b = b;
    memcpy(a->uuid, bd->uuid, 16);
    bd->job_queued = true;
    if (jobs_begin(b->d->jobs, bd->uuid, "balloon", apply_start,
                   apply_cancel, a) < 0) {
        bd->job_queued = false;
        free(a);
    }
}

static void act(struct balloon *b, struct bdom *bd,
                const struct bplan_dom *pd, const struct bplan_action *a)
{
    struct json_object *det = json_object_new_object();

    switch (a->type) {
    case BPLAN_SET_TARGET:
        bd->want_target = a->kb;
        json_object_object_add(det, "target_kb",
                               json_object_new_int64((int64_t)a->kb));
        json_object_object_add(det, "actual_kb",
                               json_object_new_int64((int64_t)pd->actual_kb));
        json_object_object_add(det, "need_kb",
                               json_object_new_int64((int64_t)pd->need_kb));
        balloon_publish(b, bd, "target", det);
        break;
    case BPLAN_SET_MAX:
        bd->want_max = a->kb;
        json_object_put(det);
        break;
    case BPLAN_STATE: {
        const char *what = a->state == BPLAN_OK ? "recovered"
                           : bplan_state_name(a->state);

        json_object_object_add(det, "actual_kb",
                               json_object_new_int64((int64_t)pd->actual_kb));
        json_object_object_add(det, "target_kb",
                               json_object_new_int64((int64_t)pd->target_kb));
        balloon_publish(b, bd, what, det);
        xn_log(XN_LOG_NOTICE, "balloon: domain %u (%s) is %s (holds %llu "
               "KiB, target %llu KiB)", bd->domid, bd->name, what,
               (unsigned long long)pd->actual_kb,
               (unsigned long long)pd->target_kb);
        if (a->state == BPLAN_STUCK)
            metric_add(b->m.became_stuck, 1);
        return;
    }
    }
    queue(b, bd);
}

static bool reports_waiting(const struct balloon *b)
{
    for (size_t i = 0; i < b->n_doms; i++)
        if (b->doms[i].report_dirty)
            return true;
    return false;
}

static void pass(struct balloon *b)
{
    struct bplan_action *acts;
    struct bplan_summary sum;
    struct view v;
    int n;

    balloon_reports_catch_up(b);
    if (!gather(b, &v))
        return;
    if ((n = plan(b, &v, 0, &acts, &sum)) < 0) {
        view_free(&v);
        return;
    }
    b->in_motion = false;
    for (size_t i = 0; i < v.n; i++) {
        struct bdom *bd = &b->doms[v.owner[i]];
        const struct bplan_dom *pd = &v.pd[i];

        bd->memo = pd->memo;
        bd->last = *pd;
        bd->last.report = NULL;
        if (pd->managed && pd->memo.state == BPLAN_OK &&
            (pd->actual_kb + b->params.slack_kb < pd->target_kb ||
             pd->target_kb + b->params.slack_kb < pd->actual_kb))
            b->in_motion = true;
    }
    for (int k = 0; k < n; k++)
        act(b, &b->doms[v.owner[acts[k].index]], &v.pd[acts[k].index],
            &acts[k]);
    b->sum = sum;
    b->free_kb = v.free_kb;
    balloon_status_metrics(b, &v.pd[0], v.owner, v.n);
    free(acts);
    view_free(&v);
    balloon_reservations_step(b, b->free_kb);
}

/* One pass, and when the next is due: every second while targets are
 * being reached, reservations wait or reports were held back, else every
 * balloon.interval. */
static uint64_t paced_pass(void *arg)
{
    struct balloon *b = arg;

    pass(b);
    return b->in_motion || balloon_reservations_waiting(b) ||
           reports_waiting(b) ? MOTION_NS : b->interval_ns;
}

void balloon_pass_soon(struct balloon *b)
{
    pacer_soon(b->pacer);
}

int balloon_timer_open(struct balloon *b, struct xn_msg *msg)
{
    b->pacer = pacer_new(b->d->base, GAP_NS, paced_pass, b);
    return b->pacer ? 0 : xn_msg_set(msg, XN_ENOMEM, "out of memory");
}

void balloon_timer_close(struct balloon *b)
{
    pacer_free(b->pacer);
    b->pacer = NULL;
}
