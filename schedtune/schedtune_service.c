/*
 * schedtune_service.c - the credit-scheduler tuning service's place in
 * xenithd: the policy key it owns (sched.class), its settings, its
 * operation, and how it is put together and taken apart.  What it does is
 * in the files schedtune.h lists; docs/sched.md explains it.
 */
#include "schedtune/schedtune_service.h"
#include "schedtune/schedtune.h"

#include <stdlib.h>

static const char *const classes[] = {"critical", "high", "normal", "low",
                                      "dom0", NULL};

static const struct policy_key keys[] = {
    {"sched.class", "priority", "critical, high, normal, low or dom0", NULL,
     policy_parse_choice, classes, 0, 0},
    {NULL, NULL, NULL, NULL, NULL, NULL, 0, 0},
};

static void schedtune_close(void *self)
{
    struct schedtune *t = self;

    if (!t)
        return;
    sched_jobs_orphan(t);
    sched_restore_all(t);
    sched_timer_close(t);
    bus_unsubscribe(t->d->bus, t->sub);
    free(t->doms);
    free(t->pools);
    free(t->plan);
    free(t);
}

static int schedtune_open(struct daemon *d, void **self_r,
                          struct xn_msg *msg)
{
    struct schedtune *t = calloc(1, sizeof(*t));
    int rc;

    if (!t)
        return xn_msg_set(msg, XN_ENOMEM, "out of memory");
    t->d = d;
    if ((rc = sched_read_options(t, msg)) < 0 ||
        (rc = sched_metrics_open(t, msg)) < 0)
        goto fail;
    t->sub = bus_subscribe(d->bus, BUS_DOM_ARRIVALS | BUS_MASK(BUS_DOM_DIED) |
                           BUS_MASK(BUS_DOM_POLICY), sched_on_event, t);
    if (!t->sub) {
        rc = xn_msg_set(msg, XN_ENOMEM, "out of memory");
        goto fail;
    }
    if ((rc = sched_timer_open(t, msg)) < 0)
        goto fail;
    *self_r = t;
    return 0;
fail:
    schedtune_close(t);
    return rc;
}

static const struct service_op ops[] = {
    {"sched.status", sched_op_status},
    {NULL, NULL},
};

const struct service schedtune_service = {
    .name = "sched",
    .summary = "credit-scheduler tuning: priority classes become weights; "
               "overloaded pools throttle the lower classes and protect the "
               "critical ones",
    .open = schedtune_open,
    .close = schedtune_close,
    .ops = ops,
    .keys = keys,
    .options = sched_options,
    .status = sched_status_summary,
};
