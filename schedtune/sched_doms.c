/* sched_doms.c - the domains the tuning service knows: their class, the
 * admin's weight and cap, and what the service expects them to run with,
 * recorded in /vm/UUID/xenith/sched/ (gone with the domain). */
#include "schedtune/schedtune.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "log.h"
#include "xsc.h"

#define XEN_DEFAULT_WEIGHT 256

static int by_domid(const void *key, const void *elem)
{
    uint32_t k = *(const uint32_t *)key;
    uint32_t e = ((const struct sdom *)elem)->domid;

    return k < e ? -1 : k > e;
}

struct sdom *sdom_find(struct schedtune *t, uint32_t domid)
{
    return t->n_doms ? bsearch(&domid, t->doms, t->n_doms, sizeof(*t->doms),
                               by_domid)
                     : NULL;
}

/* /vm/UUID/xenith/sched/NAME, or -1 when absent or unreadable. */
static int recorded(struct schedtune *t, const struct sdom *sd,
                    const char *name)
{
    char path[XSC_PATH_MAX], rel[64];
    uint64_t v;

    snprintf(rel, sizeof(rel), "sched/%s", name);
    if (!t->d->store ||
        xsc_read_u64(t->d->store, xsc_xenith_path(path, sd->uuid, rel), &v,
                     NULL) < 0 || v > 65535)
        return -1;
    return (int)v;
}

static void record(struct schedtune *t, const struct sdom *sd,
                   const char *name, int v)
{
    char path[XSC_PATH_MAX], rel[64], val[16];
    struct xn_msg msg;

    snprintf(rel, sizeof(rel), "sched/%s", name);
    snprintf(val, sizeof(val), "%d", v);
    if (t->d->store &&
        xsc_write_str(t->d->store, xsc_xenith_path(path, sd->uuid, rel), val,
                      &msg) < 0)
        xn_log(XN_LOG_WARNING, "sched: %s", msg.text);
}

static void take_class(struct schedtune *t, struct sdom *sd)
{
    struct policy p;
    const char *c = NULL;
    int cls = -1;

    if (daemon_policy_load(t->d, sd->uuid, &p, NULL) == 0 &&
        (c = policy_get(&p, "sched.class")))
        cls = splan_class_parse(c);
    sd->cls = cls >= 0 ? (enum splan_class)cls
                       : sd->domid == 0 ? SPLAN_DOM0 : SPLAN_NORMAL;
    sd->policy_dirty = false;
}

/* A domain seen for the first time by this daemon: what it had recorded
 * (a restart), or what it runs with now.  A weight other than Xen's
 * default and any cap were chosen by someone: the admin's. */
static void learn(struct schedtune *t, struct sdom *sd,
                  const struct hv_dominfo *info)
{
    sd->admin_weight = recorded(t, sd, "admin-weight");
    sd->admin_cap = recorded(t, sd, "admin-cap");
    sd->expect_weight = recorded(t, sd, "expect-weight");
    sd->expect_cap = recorded(t, sd, "expect-cap");
    if (sd->admin_weight < 0 || sd->admin_cap < 0 || sd->expect_weight < 1 ||
        sd->expect_cap < 0) {
        int w = info->sched.weight, c = info->sched.cap;

        sd->admin_weight = w > 0 && w != XEN_DEFAULT_WEIGHT ? w : 0;
        sd->admin_cap = c > 0 ? c : 0;
        sdom_expect(t, sd, w > 0 ? w : XEN_DEFAULT_WEIGHT, c > 0 ? c : 0);
        record(t, sd, "admin-weight", sd->admin_weight);
        record(t, sd, "admin-cap", sd->admin_cap);
    }
    take_class(t, sd);
}

void sdom_expect(struct schedtune *t, struct sdom *sd, int weight, int cap)
{
    if (weight != sd->expect_weight)
        record(t, sd, "expect-weight", weight);
    if (cap != sd->expect_cap)
        record(t, sd, "expect-cap", cap);
    sd->expect_weight = weight;
    sd->expect_cap = cap;
}

void sdom_base(const struct schedtune *t, const struct sdom *sd,
               int *weight_r, int *cap_r)
{
    struct splan_dom pd = {.cls = sd->cls, .vcpus = sd->vcpus,
                           .admin_weight = sd->admin_weight,
                           .admin_cap = sd->admin_cap};

    splan_dom_want(&t->params, &pd, -1);
    *weight_r = pd.want_weight;
    *cap_r = pd.want_cap;
}

void sdom_observe(struct schedtune *t, struct sdom *sd,
                  const struct hv_dominfo *info)
{
    const struct hv_sched_params *s = &info->sched;

    sd->poolid = info->poolid;
    sd->vcpus = info->vcpus_online;
    sd->sched = s->sched;
    sd->running = hv_state_runs(info->state);
    snprintf(sd->name, sizeof(sd->name), "%s", info->name);
    if (s->weight < 1 || s->cap < 0)
        return;                     /* not readable now */
    sd->weight = s->weight;
    sd->cap = s->cap;
    if (s->weight != sd->expect_weight) {
        xn_log(XN_LOG_INFO, "sched: %s (id %u): weight %d set by the admin "
               "(kept, and restored after throttling)", sd->name, sd->domid,
               s->weight);
        sd->admin_weight = s->weight;
        record(t, sd, "admin-weight", sd->admin_weight);
    }
    if (s->cap != sd->expect_cap) {
        xn_log(XN_LOG_INFO, "sched: %s (id %u): cap %d set by the admin",
               sd->name, sd->domid, s->cap);
        sd->admin_cap = s->cap;
        record(t, sd, "admin-cap", sd->admin_cap);
    }
    sdom_expect(t, sd, s->weight, s->cap);
}

int sdom_sync(struct schedtune *t, const struct hv_dominfo *list, size_t n)
{
    struct sdom *doms = calloc(n ? n : 1, sizeof(*doms));
    size_t k = 0, old = 0;

    if (!doms)
        return -1;
    for (size_t i = 0; i < n; i++) {
        const struct hv_dominfo *info = &list[i];
        struct sdom *sd = &doms[k];

        if (info->state == HV_STATE_DYING)
            continue;
        while (old < t->n_doms && t->doms[old].domid < info->domid)
            old++;
        if (old < t->n_doms && t->doms[old].domid == info->domid &&
            memcmp(t->doms[old].uuid, info->uuid, 16) == 0) {
            *sd = t->doms[old];
            if (sd->policy_dirty)
                take_class(t, sd);
        } else {
            sd->domid = info->domid;
            memcpy(sd->uuid, info->uuid, 16);
            snprintf(sd->name, sizeof(sd->name), "%s", info->name);
            learn(t, sd, info);
        }
        k++;
    }
    free(t->doms);
    t->doms = doms;
    t->n_doms = k;
    return 0;
}

void sched_on_event(void *arg, const struct bus_event *ev)
{
    struct schedtune *t = arg;
    struct sdom *sd;

    if (ev->type == BUS_DOM_POLICY && (sd = sdom_find(t, ev->domid)))
        sd->policy_dirty = true;
    sched_pass_soon(t);
}
