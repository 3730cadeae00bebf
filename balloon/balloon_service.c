/*
 * balloon_service.c - the memory ballooning service's place in xenithd.
 *
 * It owns the domains' memory policy: balloon.min (never below) and
 * balloon.max (never above), in MiB.  The balancer that moves memory by
 * these bounds and by the pressure guests report, the start gate that
 * reserves memory for a domain about to start, and the detection of guests
 * whose balloon driver does not follow come with the balancer (issue 7);
 * until then the service holds and checks the policy, and says so in its
 * status.
 */
#include "balloon/balloon_service.h"

#include <stdlib.h>

static const struct policy_key keys[] = {
    {"balloon.min", "balloon-min", "a memory size (e.g. 512, 2g)", "MiB",
     policy_parse_mib, NULL},
    {"balloon.max", "balloon-max", "a memory size (e.g. 512, 2g)", "MiB",
     policy_parse_mib, NULL},
    {NULL, NULL, NULL, NULL, NULL, NULL},
};

static int check(const struct policy *p, struct xn_msg *msg)
{
    const char *min = policy_get(p, "balloon.min");
    const char *max = policy_get(p, "balloon.max");

    if (min && max && strtoull(min, NULL, 10) > strtoull(max, NULL, 10))
        return xn_msg_set(msg, XN_EINVAL, "balloon.min %s MiB is above "
                          "balloon.max %s MiB", min, max);
    return 0;
}

/* What runs so far: the policy (services.c adds how many domains set
 * it). */
static struct json_object *status(void *self)
{
    struct json_object *o = json_object_new_object();

    (void)self;
    json_object_object_add(o, "balancing", json_object_new_boolean(0));
    return o;
}

static void status_op(void *self, struct request *r)
{
    request_ok(r, status(self));
}

static const struct service_op ops[] = {
    {"balloon.status", status_op},
    {NULL, NULL},
};

const struct service balloon_service = {
    .name = "balloon",
    .summary = "memory ballooning: the domains' memory bounds",
    .ops = ops,
    .keys = keys,
    .check_policy = check,
    .status = status,
};
