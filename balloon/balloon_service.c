/*
 * balloon_service.c - the memory ballooning service's place in xenithd:
 * the policy keys it owns, its settings, its operations, and how it is put
 * together and taken apart.  What it does is in the files balloon.h lists.
 */
#include "balloon/balloon_service.h"
#include "balloon/balloon.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "log.h"

static const char *const yes_no[] = {"yes", "no", NULL};

static const struct policy_key keys[] = {
    {"balloon.managed", NULL, "yes or no (guests default to yes, "
     "Domain-0 to no)", NULL, policy_parse_choice, yes_no, 0, 0},
    {"balloon.min", "balloon-min", "a memory size (e.g. 512, 2g)", "MiB",
     policy_parse_mib, NULL, 0, 0},
    {"balloon.max", "balloon-max", "a memory size (e.g. 512, 2g)", "MiB",
     policy_parse_mib, NULL, 0, 0},
    {"balloon.weight", NULL, "a whole number from 1 to 10000 (default 100)",
     NULL, policy_parse_int, NULL, 1, BPLAN_WEIGHT_MAX},
    {"balloon.buffer", NULL, "a percentage from 5 to 2000 (default 20)", "%",
     policy_parse_int, NULL, BPLAN_BUFFER_MIN, BPLAN_BUFFER_MAX},
    {"balloon.need", NULL, "a memory size (e.g. 512, 2g); xenith mem-set "
     "sets it", "MiB", policy_parse_mib, NULL, 0, 0},
    {NULL, NULL, NULL, NULL, NULL, NULL, 0, 0},
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

static const struct service_option options[] = {
    {"balloon.reserve", "SIZE: host memory always kept free (default 128)"},
    {"balloon.step", "SIZE: most a target falls per second (default 256)"},
    {"balloon.stuck", "SECS: no progress this long is stuck (default 30)"},
    {"balloon.uncooperative", "SECS: stuck this long is uncooperative "
     "(default 120)"},
    {"balloon.interval", "SECS: the periodic check (default 10)"},
    {"balloon.start-timeout", "SECS: how long a start (or mem-reserve) "
     "waits for memory (default 30)"},
    {NULL, NULL},
};

uint64_t balloon_now(void)
{
    struct timespec ts;

    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

/* One option's value: a size in MiB (as KiB) or a number of seconds (as
 * ns); `def` when not given. */
static int option(struct balloon *b, const char *name, bool size,
                  uint64_t def, uint64_t *v, struct xn_msg *msg)
{
    const char *text = daemon_option(b->d, name);
    struct policy_key k = {name, NULL, size ? "a memory size (e.g. 128, 1g)"
                           : "a whole number of seconds from 1 to 86400",
                           NULL, NULL, NULL, 1, 86400};
    char out[POLICY_VALUE_MAX];
    int rc;

    *v = def;
    if (!text)
        return 0;
    rc = size ? policy_parse_mib(&k, text, out, msg)
              : policy_parse_int(&k, text, out, msg);
    if (rc == 0)
        *v = strtoull(out, NULL, 10) * (size ? 1024ull : 1000000000ull);
    return rc;
}

static int read_options(struct balloon *b, struct xn_msg *msg)
{
    struct bplan_params *p = &b->params;
    int rc;

    bplan_params_default(p);
    if ((rc = option(b, "balloon.reserve", true, p->reserve_kb,
                     &p->reserve_kb, msg)) < 0 ||
        (rc = option(b, "balloon.step", true, p->step_kb, &p->step_kb,
                     msg)) < 0 ||
        (rc = option(b, "balloon.stuck", false, p->stuck_ns, &p->stuck_ns,
                     msg)) < 0 ||
        (rc = option(b, "balloon.uncooperative", false, p->uncoop_ns,
                     &p->uncoop_ns, msg)) < 0 ||
        (rc = option(b, "balloon.interval", false, 10000000000ull,
                     &b->interval_ns, msg)) < 0 ||
        (rc = option(b, "balloon.start-timeout", false, 30000000000ull,
                     &b->resv_timeout_ns, msg)) < 0)
        return rc;
    return 0;
}

static void balloon_close(void *self)
{
    struct balloon *b = self;

    if (!b)
        return;
    start_gate_remove(b->d, &balloon_gate, b);
    balloon_reservations_close(b);
    balloon_timer_close(b);
    balloon_reports_close(b);
    bus_unsubscribe(b->d->bus, b->sub);
    free(b->doms);
    free(b);
}

static int balloon_open(struct daemon *d, void **self_r,
                        struct xn_msg *msg)
{
    struct balloon *b = calloc(1, sizeof(*b));
    int rc;

    if (!b)
        return xn_msg_set(msg, XN_ENOMEM, "out of memory");
    b->d = d;
    b->next_resv_id = 1;
    if ((rc = read_options(b, msg)) < 0 ||
        (rc = balloon_metrics_open(b, msg)) < 0 ||
        (rc = balloon_timer_open(b, msg)) < 0)
        goto fail;
    b->sub = bus_subscribe(d->bus, BUS_DOM_ARRIVALS | BUS_MASK(BUS_DOM_DIED) |
                           BUS_MASK(BUS_DOM_RENAMED) |
                           BUS_MASK(BUS_DOM_POLICY) |
                           BUS_MASK(BUS_DOM_PAUSED) |
                           BUS_MASK(BUS_DOM_UNPAUSED) |
                           BUS_MASK(BUS_DOM_SHUTDOWN) |
                           BUS_MASK(BUS_DOM_MEM_TARGET),
                           balloon_on_event, b);
    if (!b->sub) {
        rc = xn_msg_set(msg, XN_ENOMEM, "out of memory");
        goto fail;
    }
    if ((rc = start_gate_add(d, &balloon_gate, b)) < 0) {
        xn_msg_set(msg, rc, "out of memory");
        goto fail;
    }
    bdom_sync(b);
    /* Reports already in the store count from the start: a restarted
     * daemon balances on them at once rather than on configured memory. */
    if ((rc = balloon_reports_open(b, msg)) < 0)
        goto fail;
    balloon_pass_soon(b);
    *self_r = b;
    return 0;
fail:
    balloon_close(b);
    return rc;
}

static struct json_object *status(void *self)
{
    struct balloon *b = self;
    struct json_object *o = json_object_new_object();
    size_t n = 0;

    for (size_t i = 0; i < b->n_doms; i++)
        n += !b->doms[i].gone && bdom_managed(&b->doms[i]);
    json_object_object_add(o, "balancing", json_object_new_boolean(1));
    json_object_object_add(o, "managed_domains",
                           json_object_new_int64((int64_t)n));
    json_object_object_add(o, "stuck", json_object_new_int64(b->sum.stuck));
    json_object_object_add(o, "uncooperative",
                           json_object_new_int64(b->sum.uncoop));
    json_object_object_add(o, "reserved_kb", json_object_new_int64(
                               (int64_t)balloon_reserved_kb(b)));
    return o;
}

static const struct service_op ops[] = {
    {"balloon.status", balloon_op_status},
    {"balloon.reserve", balloon_op_reserve},
    {"balloon.release", balloon_op_release},
    {NULL, NULL},
};

const struct service balloon_service = {
    .name = "balloon",
    .summary = "memory ballooning: balances guests' memory by policy and "
               "reported pressure, reserves memory for starts",
    .open = balloon_open,
    .close = balloon_close,
    .ops = ops,
    .keys = keys,
    .check_policy = check,
    .options = options,
    .status = status,
};
