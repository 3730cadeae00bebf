/* sched_status.c - what the tuning service shows: sched.status, its events
 * on the bus when an episode starts, rises and ends, and its metrics. */
#include "schedtune/schedtune.h"

#include <stddef.h>
#include <stdio.h>
#include <string.h>

#include "log.h"

struct family {
    const char *name, *help;
    enum metric_kind kind;
    enum metric_scope scope;
    size_t off;                     /* the pointer's place in t->m */
};

#define FAM(name, help, kind, scope, member)                                \
    {name, help, kind, scope, offsetof(struct schedtune, m.member)}

static const struct family families[] = {
    FAM("xenith_sched_use_cpus", "CPUs' worth the domain used (smoothed)",
        METRIC_GAUGE, METRIC_DOMAIN, use),
    FAM("xenith_sched_demand_cpus", "CPUs' worth the domain wanted "
        "(smoothed; its use where the driver cannot tell)", METRIC_GAUGE,
        METRIC_DOMAIN, demand),
    FAM("xenith_sched_throttled", "1 while the tuner caps the domain",
        METRIC_GAUGE, METRIC_DOMAIN, throttled),
    FAM("xenith_sched_pool_util_max", "The busiest pool's use of its CPUs "
        "(fraction)", METRIC_GAUGE, METRIC_HOST, util),
    FAM("xenith_sched_overloaded_pools", "Pools in an overload episode",
        METRIC_GAUGE, METRIC_HOST, overloaded),
    FAM("xenith_sched_throttled_domains", "Domains capped by the tuner",
        METRIC_GAUGE, METRIC_HOST, n_throttled),
    FAM("xenith_sched_passes_total", "Tuning passes", METRIC_COUNTER,
        METRIC_HOST, passes),
    FAM("xenith_sched_episodes_total", "Overload episodes started",
        METRIC_COUNTER, METRIC_HOST, episodes),
    FAM("xenith_sched_raises_total", "Times an episode throttled more",
        METRIC_COUNTER, METRIC_HOST, raises),
    FAM("xenith_sched_changes_total", "Weight or cap changes asked",
        METRIC_COUNTER, METRIC_HOST, changes),
};

int sched_metrics_open(struct schedtune *t, struct xn_msg *msg)
{
    if (!t->d->metrics)
        return 0;
    for (size_t i = 0; i < sizeof(families) / sizeof(families[0]); i++) {
        const struct family *f = &families[i];
        int rc = metrics_declare(t->d->metrics, f->name, f->help, f->kind,
                                 f->scope,
                                 (struct metric **)((char *)t + f->off), msg);
        if (rc < 0)
            return rc;
    }
    return 0;
}

void sched_metrics_update(struct schedtune *t)
{
    double util = 0;
    size_t overloaded = 0, throttled = 0;

    for (size_t i = 0; i < t->n_doms; i++) {
        const struct sdom *sd = &t->doms[i];

        metric_dom_set(t->m.use, sd->uuid, sd->domid, sd->name, sd->m.use);
        metric_dom_set(t->m.demand, sd->uuid, sd->domid, sd->name,
                       sd->plan.demand_est);
        metric_dom_set(t->m.throttled, sd->uuid, sd->domid, sd->name,
                       sd->plan.throttled);
        throttled += sd->plan.throttled;
    }
    for (size_t i = 0; i < t->n_pools; i++) {
        if (t->pools[i].p.util > util)
            util = t->pools[i].p.util;
        overloaded += t->pools[i].p.level >= 0;
    }
    metric_set(t->m.util, util);
    metric_set(t->m.overloaded, (double)overloaded);
    metric_set(t->m.n_throttled, (double)throttled);
}

/* The classes a level caps, lowest first. */
static struct json_object *throttled_classes(int level)
{
    static const enum splan_class order[] = {SPLAN_LOW, SPLAN_NORMAL,
                                             SPLAN_HIGH};
    struct json_object *a = json_object_new_array();

    for (int i = 0; i < level && i < 3; i++)
        json_object_array_add(a, json_object_new_string(
                                  splan_class_name(order[i])));
    return a;
}

static struct json_object *num_or_null(bool have, double v)
{
    return have ? json_object_new_double(v) : NULL;
}

static struct json_object *pool_json(const struct spool *sp, uint64_t now)
{
    struct json_object *o = json_object_new_object();
    const struct splan_pool *p = &sp->p;
    bool tuned = p->state != SPLAN_UNTUNED;

    json_object_object_add(o, "poolid", json_object_new_int64(p->poolid));
    json_object_object_add(o, "name", json_object_new_string(sp->name));
    json_object_object_add(o, "sched",
                           json_object_new_string(hv_sched_name(p->sched)));
    json_object_object_add(o, "cpus", json_object_new_int64(sp->ncpus));
    json_object_object_add(o, "util", num_or_null(tuned, p->util));
    json_object_object_add(o, "pressure", num_or_null(tuned, p->pressure));
    json_object_object_add(o, "state",
                           json_object_new_string(splan_state_name(p->state)));
    json_object_object_add(o, "level", p->level >= 0 ?
                           json_object_new_int(p->level) : NULL);
    json_object_object_add(o, "throttled_classes",
                           throttled_classes(p->level));
    json_object_object_add(o, "since_s", num_or_null(
                               p->since_ns && now >= p->since_ns,
                               (double)(now - p->since_ns) / 1e9));
    json_object_object_add(o, "note", p->note ?
                           json_object_new_string(p->note) : NULL);
    return o;
}

static struct json_object *int_or_null(int v)
{
    return v > 0 ? json_object_new_int(v) : NULL;
}

static struct json_object *dom_json(const struct schedtune *t,
                                    const struct sdom *sd)
{
    struct json_object *o = json_object_new_object();
    int base_weight, base_cap;

    sdom_base(t, sd, &base_weight, &base_cap);

    json_object_object_add(o, "domid", json_object_new_int64(sd->domid));
    json_object_object_add(o, "name", json_object_new_string(sd->name));
    json_object_object_add(o, "pool", json_object_new_int64(sd->poolid));
    json_object_object_add(o, "class",
                           json_object_new_string(splan_class_name(sd->cls)));
    json_object_object_add(o, "vcpus", json_object_new_int64(sd->vcpus));
    json_object_object_add(o, "weight", json_object_new_int(sd->weight));
    json_object_object_add(o, "cap", json_object_new_int(sd->cap));
    json_object_object_add(o, "admin_weight", int_or_null(sd->admin_weight));
    json_object_object_add(o, "admin_cap", int_or_null(sd->admin_cap));
    json_object_object_add(o, "base_weight",
                           json_object_new_int(base_weight));
    json_object_object_add(o, "base_cap", json_object_new_int(base_cap));
    json_object_object_add(o, "use", json_object_new_double(sd->m.use));
    json_object_object_add(o, "demand",
                           json_object_new_double(sd->plan.demand_est));
    json_object_object_add(o, "demand_known",
                           json_object_new_boolean(sd->plan.demand_known));
    json_object_object_add(o, "throttled",
                           json_object_new_boolean(sd->plan.throttled));
    json_object_object_add(o, "protected",
                           json_object_new_boolean(sd->plan.protected_));
    return o;
}

static struct json_object *status_json(const struct schedtune *t)
{
    struct json_object *o = json_object_new_object();
    struct json_object *pools = json_object_new_array();
    struct json_object *doms = json_object_new_array();
    uint64_t now = sched_now();

    json_object_object_add(o, "tuning", json_object_new_boolean(t->enabled));
    for (size_t i = 0; i < t->n_pools; i++)
        json_object_array_add(pools, pool_json(&t->pools[i], now));
    for (size_t i = 0; i < t->n_doms; i++)
        json_object_array_add(doms, dom_json(t, &t->doms[i]));
    json_object_object_add(o, "pools", pools);
    json_object_object_add(o, "domains", doms);
    json_object_object_add(o, "episodes", json_object_new_int64(
                               (int64_t)t->episodes));
    return o;
}

void sched_op_status(void *self, struct request *r)
{
    request_ok(r, status_json(self));
}

struct json_object *sched_status_summary(void *self)
{
    struct schedtune *t = self;
    struct json_object *o = json_object_new_object();
    size_t throttled = 0, overloaded = 0;

    for (size_t i = 0; i < t->n_doms; i++)
        throttled += t->doms[i].plan.throttled;
    for (size_t i = 0; i < t->n_pools; i++)
        overloaded += t->pools[i].p.level >= 0;
    json_object_object_add(o, "tuning", json_object_new_boolean(t->enabled));
    json_object_object_add(o, "overloaded_pools",
                           json_object_new_int64((int64_t)overloaded));
    json_object_object_add(o, "throttled_domains",
                           json_object_new_int64((int64_t)throttled));
    json_object_object_add(o, "episodes",
                           json_object_new_int64((int64_t)t->episodes));
    return o;
}

/* The names of the pool's domains that are throttled, or protected. */
static struct json_object *names(const struct schedtune *t, uint32_t poolid,
                                 bool throttled)
{
    struct json_object *a = json_object_new_array();

    for (size_t i = 0; i < t->n_doms; i++) {
        const struct sdom *sd = &t->doms[i];

        if (sd->poolid == poolid &&
            (throttled ? sd->plan.throttled : sd->plan.protected_))
            json_object_array_add(a, json_object_new_string(sd->name));
    }
    return a;
}

void sched_event_pool(struct schedtune *t, const struct spool *sp,
                      const char *what)
{
    struct bus_event ev;
    struct json_object *d = json_object_new_object();

    json_object_object_add(d, "pool", json_object_new_string(sp->name));
    json_object_object_add(d, "poolid", json_object_new_int64(sp->p.poolid));
    json_object_object_add(d, "level", sp->p.level >= 0 ?
                           json_object_new_int(sp->p.level) : NULL);
    json_object_object_add(d, "pressure",
                           json_object_new_double(sp->p.pressure));
    json_object_object_add(d, "throttled_classes",
                           throttled_classes(sp->p.level));
    json_object_object_add(d, "throttled", names(t, sp->p.poolid, true));
    json_object_object_add(d, "protected", names(t, sp->p.poolid, false));
    if (sp->p.level >= 0)
        xn_log(XN_LOG_NOTICE, "sched: pool %s: %s (level %d, demand %.0f%% "
               "of its CPUs)", sp->name, what, sp->p.level,
               sp->p.pressure * 100);
    else
        xn_log(XN_LOG_NOTICE, "sched: pool %s: %s (demand %.0f%% of its "
               "CPUs): every weight and cap back", sp->name, what,
               sp->p.pressure * 100);
    bus_event_init_dom(&ev, BUS_SERVICE, 0, NULL, "");
    snprintf(ev.service, sizeof(ev.service), "sched");
    snprintf(ev.what, sizeof(ev.what), "%s", what);
    ev.detail = d;
    bus_publish(t->d->bus, &ev);
}
