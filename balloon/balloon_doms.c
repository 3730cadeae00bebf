/* balloon_doms.c - the domains the ballooning service knows: their
 * configured memory, their balloon.* policy, and the bus events that
 * change them. */
#include "balloon/balloon.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "log.h"
#include "uuid.h"
#include "xsc.h"

/* The records are kept sorted by domid (ids only grow, so a new domain
 * mostly goes last): the first index whose domid is not below `domid`. */
static size_t lower_bound(const struct balloon *b, uint32_t domid)
{
    size_t lo = 0, hi = b->n_doms;

    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;

        if (b->doms[mid].domid < domid)
            lo = mid + 1;
        else
            hi = mid;
    }
    return lo;
}

struct bdom *bdom_find(struct balloon *b, uint32_t domid)
{
    for (size_t i = lower_bound(b, domid);
         i < b->n_doms && b->doms[i].domid == domid; i++)
        if (!b->doms[i].gone)
            return &b->doms[i];
    return NULL;
}

struct bdom *bdom_find_uuid(struct balloon *b, const uint8_t uuid[16])
{
    for (size_t i = 0; i < b->n_doms; i++)
        if (!b->doms[i].gone && memcmp(b->doms[i].uuid, uuid, 16) == 0)
            return &b->doms[i];
    return NULL;
}

bool bdom_managed(const struct bdom *bd)
{
    return bd->managed == 1 || (bd->managed == -1 && bd->domid != 0);
}

static uint64_t mib_of(const struct policy *p, const char *key)
{
    const char *v = policy_get(p, key);

    return v ? strtoull(v, NULL, 10) * 1024 : 0;
}

void bdom_take_policy(struct bdom *bd, const struct policy *p)
{
    const char *managed = policy_get(p, "balloon.managed");
    const char *w = policy_get(p, "balloon.weight");
    const char *buf = policy_get(p, "balloon.buffer");

    bd->managed = !managed ? -1 : strcmp(managed, "yes") == 0;
    bd->min_kb = mib_of(p, "balloon.min");
    bd->max_kb = mib_of(p, "balloon.max");
    bd->need_kb = mib_of(p, "balloon.need");
    bd->weight = w ? (uint32_t)strtoul(w, NULL, 10) : 0;
    bd->buffer_pct = buf ? (uint32_t)strtoul(buf, NULL, 10) : 0;
}

/* /vm/UUID/xenith/balloon/NAME as a number, or 0. */
static uint64_t recorded(struct balloon *b, const struct bdom *bd,
                         const char *name)
{
    char path[XSC_PATH_MAX], rel[64];
    uint64_t v = 0;

    snprintf(rel, sizeof(rel), "balloon/%s", name);
    if (!b->d->store ||
        xsc_read_u64(b->d->store, xsc_xenith_path(path, bd->uuid, rel), &v,
                     NULL) < 0)
        return 0;
    return v;
}

static void record(struct balloon *b, const struct bdom *bd,
                   const char *name, uint64_t v)
{
    char path[XSC_PATH_MAX], rel[64], val[32];
    struct xn_msg msg;

    snprintf(rel, sizeof(rel), "balloon/%s", name);
    snprintf(val, sizeof(val), "%" PRIu64, v);
    if (b->d->store &&
        xsc_write_str(b->d->store, xsc_xenith_path(path, bd->uuid, rel), val,
                      &msg) < 0)
        xn_log(XN_LOG_WARNING, "balloon: %s", msg.text);
}

/* What the domain was made with.  The first time it is seen: its target
 * and the static maximum libxl checks targets against, from its
 * /local/domain/N/memory (Domain-0's as xen-init-dom0 wrote them),
 * recorded in the store; later (a restarted daemon, a clamped maximum)
 * from that record. */
static void learn_config(struct balloon *b, struct bdom *bd,
                         const struct hv_dominfo *info)
{
    char path[XSC_PATH_MAX];
    uint64_t smax = 0;

    bd->cfg_kb = recorded(b, bd, "cfg-kb");
    bd->static_max_kb = recorded(b, bd, "static-max-kb");
    if (bd->cfg_kb && bd->static_max_kb >= bd->cfg_kb)
        return;
    bd->cfg_kb = info->target_kb;
    if (!b->d->store ||
        xsc_read_u64(b->d->store,
                     xsc_dom_path(path, info->domid, "memory/static-max"),
                     &smax, NULL) < 0 || smax == 0)
        smax = info->max_kb;
    bd->static_max_kb = smax < bd->cfg_kb ? bd->cfg_kb : smax;
    record(b, bd, "cfg-kb", bd->cfg_kb);
    record(b, bd, "static-max-kb", bd->static_max_kb);
}

struct bdom *bdom_add(struct balloon *b, const struct hv_dominfo *info)
{
    struct bdom *bd = bdom_find_uuid(b, info->uuid);
    struct policy p;
    size_t at;

    if (bd && bd->domid != info->domid)
        bd->gone = true;            /* restarted: a new domain, new memo */
    else if (bd)
        return bd;
    if (b->n_doms == b->cap_doms) {
        size_t cap = b->cap_doms ? 2 * b->cap_doms : 16;
        struct bdom *n = realloc(b->doms, cap * sizeof(*n));

        if (!n)
            return NULL;
        b->doms = n;
        b->cap_doms = cap;
    }
    at = lower_bound(b, info->domid);
    memmove(&b->doms[at + 1], &b->doms[at],
            (b->n_doms - at) * sizeof(*b->doms));
    b->n_doms++;
    bd = &b->doms[at];
    memset(bd, 0, sizeof(*bd));
    bd->domid = info->domid;
    memcpy(bd->uuid, info->uuid, 16);
    snprintf(bd->name, sizeof(bd->name), "%s", info->name);
    bd->managed = -1;
    learn_config(b, bd, info);
    if (daemon_policy_load(b->d, info->uuid, &p, NULL) == 0)
        bdom_take_policy(bd, &p);
    balloon_report_read(b, bd);
    return bd;
}

void bdom_drop_gone(struct balloon *b)
{
    size_t k = 0;

    for (size_t i = 0; i < b->n_doms; i++)
        if (!b->doms[i].gone)
            b->doms[k++] = b->doms[i];
    b->n_doms = k;
}

static int by_domid(const void *key, const void *elem)
{
    uint32_t k = *(const uint32_t *)key;
    uint32_t e = ((const struct hv_dominfo *)elem)->domid;

    return k < e ? -1 : k > e;
}

void bdom_sync_list(struct balloon *b, const struct hv_dominfo *list,
                    size_t n)
{
    for (size_t i = 0; i < b->n_doms; i++)
        if (!bsearch(&b->doms[i].domid, list, n, sizeof(*list), by_domid))
            b->doms[i].gone = true;
    bdom_drop_gone(b);
    for (size_t j = 0; j < n; j++)
        if (list[j].state != HV_STATE_DYING && !list[j].building &&
            !bdom_find(b, list[j].domid) && !balloon_starting(b, &list[j]))
            bdom_add(b, &list[j]);
}

void bdom_sync(struct balloon *b)
{
    struct hv_dominfo *list;
    size_t n;

    if (hv_dom_list(b->d->hv, &list, &n, NULL) < 0)
        return;
    bdom_sync_list(b, list, n);
    free(list);
}

/* mem-set on a managed domain: the admin's figure becomes its need, kept
 * in its policy, so the balancer holds it there instead of undoing it. */
static void admin_target(struct balloon *b, struct bdom *bd,
                         const struct bus_event *ev)
{
    struct json_object *v;
    struct hv_dominfo info;
    struct policy p;
    struct xn_msg msg;
    char mib[32];
    uint64_t kb;

    if (!bdom_managed(bd) || !ev->detail ||
        !json_object_object_get_ex(ev->detail, "target_kb", &v))
        return;
    kb = (uint64_t)json_object_get_int64(v);
    snprintf(mib, sizeof(mib), "%" PRIu64, (kb + 1023) / 1024);
    if (hv_dom_info(b->d->hv, bd->domid, &info, &msg) < 0 ||
        daemon_policy_load(b->d, bd->uuid, &p, &msg) < 0 ||
        policy_set(&p, "balloon.need", mib, &msg) < 0 ||
        policy_keys_check(b->d->keys, &p, &msg) < 0 ||
        daemon_policy_store(b->d, &info, &p, &msg) < 0) {
        xn_log(XN_LOG_WARNING, "balloon: cannot record the memory target "
               "of %s as its need: %s", bd->name, msg.text);
        return;
    }
    bd->need_kb = (kb + 1023) / 1024 * 1024;
    xn_log(XN_LOG_INFO, "balloon: %s: mem-set %s MiB is its need now",
           bd->name, mib);
}

void balloon_on_event(void *arg, const struct bus_event *ev)
{
    struct balloon *b = arg;
    struct bdom *bd;
    struct hv_dominfo info;
    struct policy p;

    switch (ev->type) {
    case BUS_DOM_DIED:
        if ((bd = bdom_find(b, ev->domid)))
            bd->gone = true;
        break;
    case BUS_DOM_RENAMED:
        if ((bd = bdom_find(b, ev->domid)))
            snprintf(bd->name, sizeof(bd->name), "%s", ev->name);
        break;
    case BUS_DOM_POLICY:
        if ((bd = bdom_find_uuid(b, ev->uuid)) && ev->detail &&
            policy_from_json(ev->detail, &p, NULL) == 0)
            bdom_take_policy(bd, &p);
        break;
    case BUS_DOM_MEM_TARGET:
        if ((bd = bdom_find(b, ev->domid)))
            admin_target(b, bd, ev);
        break;
    default:
        if ((ev->type == BUS_DOM_RESTARTED || !bdom_find(b, ev->domid)) &&
            (BUS_DOM_ARRIVALS & BUS_MASK(ev->type)) &&
            hv_dom_info(b->d->hv, ev->domid, &info, NULL) == 0)
            bdom_add(b, &info);
        break;
    }
    balloon_pass_soon(b);
}
