/*
 * schedtune_service.c - the credit-scheduler tuning service's place in
 * xenithd.
 *
 * It owns each domain's priority class, sched.class (critical, high,
 * normal, low).  Turning classes into credit/credit2 weights and caps and
 * throttling on overload come with the tuner (issue 8); until then the
 * service holds and checks the class, and says so in its status.
 */
#include "schedtune/schedtune_service.h"

static const char *const classes[] = {"critical", "high", "normal", "low",
                                      NULL};

static const struct policy_key keys[] = {
    {"sched.class", "priority", "critical, high, normal or low", NULL,
     policy_parse_choice, classes, 0, 0},
    {NULL, NULL, NULL, NULL, NULL, NULL, 0, 0},
};

/* What runs so far: the policy (services.c adds how many domains set
 * it). */
static struct json_object *status(void *self)
{
    struct json_object *o = json_object_new_object();

    (void)self;
    json_object_object_add(o, "tuning", json_object_new_boolean(0));
    return o;
}

static void status_op(void *self, struct request *r)
{
    request_ok(r, status(self));
}

static const struct service_op ops[] = {
    {"sched.status", status_op},
    {NULL, NULL},
};

const struct service schedtune_service = {
    .name = "sched",
    .summary = "credit-scheduler tuning: the domains' priority classes",
    .ops = ops,
    .keys = keys,
    .status = status,
};
