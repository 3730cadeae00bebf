/*
 * xen_res.c - a domain's resources: memory target and maximum, vCPU count
 * and affinity, scheduler parameters of domains and of CPU pools.  All
 * synchronous (hypercalls and xenstore writes).
 */
#include "xen_priv.h"
#include "hv_libxl.h"

#include <stdio.h>
#include <string.h>

int xen_mem_target(struct hv *hv, uint32_t domid, uint64_t target_kb,
                   struct xn_msg *msg)
{
    struct xen_drv *drv = xen_drv_of(hv);
    char subj[XEN_SUBJ_MAX];
    int rc, lrc;

    rc = xen_dom_check(drv, domid, subj, msg);
    if (rc < 0)
        return rc;
    if (target_kb > INT64_MAX)
        return xn_msg_set(msg, XN_EINVAL, "%s: memory target %llu KiB is "
                          "too large", subj, (unsigned long long)target_kb);
    xen_log_clear(drv->log);
    /* Absolute target; enforce = 1 also moves Xen's allocation limit to
     * match, as `xl mem-set` does, so a guest cannot balloon past it. */
    lrc = libxl_set_memory_target(drv->ctx, domid, (int64_t)target_kb, 0, 1);
    if (lrc)
        return xen_fail(drv, msg, lrc, "%s: cannot set the memory target to "
                        "%llu KiB", subj, (unsigned long long)target_kb);
    return 0;
}

int xen_mem_max(struct hv *hv, uint32_t domid, uint64_t max_kb,
                struct xn_msg *msg)
{
    struct xen_drv *drv = xen_drv_of(hv);
    char subj[XEN_SUBJ_MAX];
    int rc, lrc;

    rc = xen_dom_check(drv, domid, subj, msg);
    if (rc < 0)
        return rc;
    xen_log_clear(drv->log);
    lrc = libxl_domain_setmaxmem(drv->ctx, domid, max_kb);
    if (lrc)
        return xen_fail(drv, msg, lrc, "%s: cannot set the maximum memory to "
                        "%llu KiB", subj, (unsigned long long)max_kb);
    return 0;
}

/* The number of vCPUs a domain was built with (max id + 1), or 0. */
static uint32_t vcpus_max(struct xen_drv *drv, uint32_t domid)
{
    libxl_dominfo di;
    uint32_t n = 0;

    libxl_dominfo_init(&di);
    if (libxl_domain_info(drv->ctx, &di, domid) == 0)
        n = di.vcpu_max_id + 1;
    libxl_dominfo_dispose(&di);
    return n;
}

int xen_vcpu_set(struct hv *hv, uint32_t domid, uint32_t count,
                 struct xn_msg *msg)
{
    struct xen_drv *drv = xen_drv_of(hv);
    char subj[XEN_SUBJ_MAX];
    libxl_bitmap map;
    uint32_t max;
    int rc, lrc;

    rc = xen_dom_check(drv, domid, subj, msg);
    if (rc < 0)
        return rc;
    max = vcpus_max(drv, domid);
    if (max && count > max)
        return xn_msg_set(msg, XN_EINVAL, "%s has %u vCPUs at most (asked "
                          "for %u)", subj, max, count);
    libxl_bitmap_init(&map);
    xen_log_clear(drv->log);
    lrc = libxl_bitmap_alloc(drv->ctx, &map, (int)(max ? max : count));
    if (lrc) {
        libxl_bitmap_dispose(&map);
        return xn_msg_set(msg, XN_ENOMEM, "out of memory");
    }
    for (uint32_t i = 0; i < count; i++)
        libxl_bitmap_set(&map, (int)i);
    lrc = libxl_set_vcpuonline(drv->ctx, domid, &map, NULL);
    libxl_bitmap_dispose(&map);
    if (lrc)
        return xen_fail(drv, msg, lrc, "%s: cannot set %u vCPUs online",
                        subj, count);
    return 0;
}

int xen_bitmap_from_cpuset(struct xen_drv *drv, libxl_bitmap *bm,
                           const struct cpuset *set, const char *subj,
                           struct xn_msg *msg)
{
    unsigned span = cpuset_span(set);
    unsigned ncpus;

    if (libxl_cpu_bitmap_alloc(drv->ctx, bm, 0))
        return xn_msg_set(msg, XN_ENOMEM, "out of memory");
    ncpus = bm->size * 8;
    {
        int online = libxl_get_online_cpus(drv->ctx);
        if (online > 0 && (unsigned)online < ncpus)
            ncpus = (unsigned)online;
    }
    if (span > ncpus)
        return xn_msg_set(msg, XN_EINVAL, "%s: CPU %u does not exist on "
                          "this host (CPUs 0-%u)", subj, span - 1, ncpus - 1);
    for (unsigned i = 0; i < span; i++)
        if (cpuset_has(set, i))
            libxl_bitmap_set(bm, (int)i);
    return 0;
}

int xen_vcpu_pin(struct hv *hv, uint32_t domid, int vcpu,
                 const struct cpuset *hard, const struct cpuset *soft,
                 struct xn_msg *msg)
{
    struct xen_drv *drv = xen_drv_of(hv);
    char subj[XEN_SUBJ_MAX];
    libxl_bitmap hmap, smap;
    uint32_t max;
    int rc, lrc;

    rc = xen_dom_check(drv, domid, subj, msg);
    if (rc < 0)
        return rc;
    max = vcpus_max(drv, domid);
    if (vcpu >= 0 && (uint32_t)vcpu >= max)
        return xn_msg_set(msg, XN_EINVAL, "%s has no vCPU %d (it has %u)",
                          subj, vcpu, max);
    libxl_bitmap_init(&hmap);
    libxl_bitmap_init(&smap);
    rc = xen_bitmap_from_cpuset(drv, &hmap, hard, subj, msg);
    if (rc == 0 && soft)
        rc = xen_bitmap_from_cpuset(drv, &smap, soft, subj, msg);
    if (rc == 0) {
        xen_log_clear(drv->log);
        if (vcpu < 0)
            lrc = libxl_set_vcpuaffinity_all(drv->ctx, domid, max, &hmap,
                                             soft ? &smap : NULL);
        else
            lrc = libxl_set_vcpuaffinity(drv->ctx, domid, (uint32_t)vcpu,
                                         &hmap, soft ? &smap : NULL);
        if (lrc && vcpu < 0)
            rc = xen_fail(drv, msg, lrc, "%s: cannot pin its vCPUs", subj);
        else if (lrc)
            rc = xen_fail(drv, msg, lrc, "%s: cannot pin vCPU %d", subj,
                          vcpu);
    }
    libxl_bitmap_dispose(&hmap);
    libxl_bitmap_dispose(&smap);
    return rc;
}

/* --- per-domain scheduler parameters --- */

int xen_sched_get(struct hv *hv, uint32_t domid, struct hv_sched_params *p,
                  struct xn_msg *msg)
{
    struct xen_drv *drv = xen_drv_of(hv);
    char subj[XEN_SUBJ_MAX];
    libxl_domain_sched_params sp;
    int rc, lrc;

    rc = xen_dom_check(drv, domid, subj, msg);
    if (rc < 0)
        return rc;
    libxl_domain_sched_params_init(&sp);
    xen_log_clear(drv->log);
    lrc = libxl_domain_sched_params_get(drv->ctx, domid, &sp);
    if (lrc) {
        rc = xen_fail(drv, msg, lrc, "%s: cannot read its scheduler "
                      "parameters", subj);
    } else {
        p->sched = hv_sched_from_libxl(sp.sched);
        p->weight = sp.weight;
        p->cap = sp.cap;
    }
    libxl_domain_sched_params_dispose(&sp);
    return rc;
}

int xen_sched_set(struct hv *hv, uint32_t domid,
                  const struct hv_sched_params *p, struct xn_msg *msg)
{
    struct xen_drv *drv = xen_drv_of(hv);
    char subj[XEN_SUBJ_MAX];
    struct hv_sched_params now;
    libxl_domain_sched_params sp;
    enum hv_sched cur;
    int rc, lrc;

    rc = xen_sched_get(hv, domid, &now, msg);
    if (rc < 0)
        return rc;
    xen_subject(drv, domid, subj);
    cur = now.sched;
    /* libxl would answer a mismatch with a bare EINVAL. */
    if (p->sched != HV_SCHED_UNKNOWN && p->sched != cur)
        return xn_msg_set(msg, XN_ENOTSUP, "%s runs under %s, not %s", subj,
                          hv_sched_name(cur), hv_sched_name(p->sched));
    if (cur != HV_SCHED_CREDIT && cur != HV_SCHED_CREDIT2 &&
        (p->weight != -1 || p->cap != -1))
        return xn_msg_set(msg, XN_ENOTSUP, "%s runs under %s, which has no "
                          "weight or cap", subj, hv_sched_name(cur));
    /* Only what is asked for changes; the rest stays at "default" (-1),
     * which libxl leaves alone. */
    libxl_domain_sched_params_init(&sp);
    sp.sched = cur == HV_SCHED_CREDIT || cur == HV_SCHED_CREDIT2
                   ? hv_sched_to_libxl(cur) : LIBXL_SCHEDULER_UNKNOWN;
    sp.weight = p->weight;
    sp.cap = p->cap;
    xen_log_clear(drv->log);
    lrc = libxl_domain_sched_params_set(drv->ctx, domid, &sp);
    if (lrc)
        rc = xen_fail(drv, msg, lrc, "%s: cannot set its scheduler "
                      "parameters", subj);
    libxl_domain_sched_params_dispose(&sp);
    return rc;
}

/* --- per-pool scheduler parameters --- */

/* The scheduler and name of pool `poolid`; XN_ENOENT when there is none. */
static int pool_read(struct xen_drv *drv, uint32_t poolid, enum hv_sched *s,
                     char *name, size_t len, struct xn_msg *msg)
{
    libxl_cpupoolinfo info;
    int lrc;

    libxl_cpupoolinfo_init(&info);
    xen_log_clear(drv->log);
    lrc = libxl_cpupool_info(drv->ctx, &info, poolid);
    if (lrc == 0) {
        *s = hv_sched_from_libxl(info.sched);
        snprintf(name, len, "%s", info.pool_name ? info.pool_name : "");
    }
    libxl_cpupoolinfo_dispose(&info);
    if (lrc)
        return xn_msg_set(msg, XN_ENOENT, "no CPU pool with id %u", poolid);
    return 0;
}

int xen_pool_sched_get(struct hv *hv, uint32_t poolid,
                       struct hv_pool_sched *p, struct xn_msg *msg)
{
    struct xen_drv *drv = xen_drv_of(hv);
    char name[HV_NAME_MAX];
    enum hv_sched s;
    int rc, lrc = 0;

    rc = pool_read(drv, poolid, &s, name, sizeof(name), msg);
    if (rc < 0)
        return rc;
    p->sched = s;
    p->tslice_ms = -1;
    p->ratelimit_us = -1;
    xen_log_clear(drv->log);
    if (s == HV_SCHED_CREDIT) {
        libxl_sched_credit_params cp;
        libxl_sched_credit_params_init(&cp);
        lrc = libxl_sched_credit_params_get(drv->ctx, poolid, &cp);
        if (lrc == 0) {
            p->tslice_ms = cp.tslice_ms;
            p->ratelimit_us = cp.ratelimit_us;
        }
    } else if (s == HV_SCHED_CREDIT2) {
        libxl_sched_credit2_params cp;
        libxl_sched_credit2_params_init(&cp);
        lrc = libxl_sched_credit2_params_get(drv->ctx, poolid, &cp);
        if (lrc == 0)
            p->ratelimit_us = cp.ratelimit_us;
    }
    if (lrc)
        return xen_fail(drv, msg, lrc, "CPU pool %u (%s): cannot read its "
                        "%s parameters", poolid, name, hv_sched_name(s));
    return 0;
}

int xen_pool_sched_set(struct hv *hv, uint32_t poolid,
                       const struct hv_pool_sched *p, struct xn_msg *msg)
{
    struct xen_drv *drv = xen_drv_of(hv);
    char name[HV_NAME_MAX];
    enum hv_sched s;
    int rc, lrc = 0;

    rc = pool_read(drv, poolid, &s, name, sizeof(name), msg);
    if (rc < 0)
        return rc;
    if (p->sched != HV_SCHED_UNKNOWN && p->sched != s)
        return xn_msg_set(msg, XN_ENOTSUP, "CPU pool %u (%s) runs %s, not "
                          "%s", poolid, name, hv_sched_name(s),
                          hv_sched_name(p->sched));
    xen_log_clear(drv->log);
    if (s == HV_SCHED_CREDIT) {
        libxl_sched_credit_params cp;
        libxl_sched_credit_params_init(&cp);
        lrc = libxl_sched_credit_params_get(drv->ctx, poolid, &cp);
        if (lrc == 0) {
            if (p->tslice_ms != -1)
                cp.tslice_ms = p->tslice_ms;
            if (p->ratelimit_us != -1)
                cp.ratelimit_us = p->ratelimit_us;
            lrc = libxl_sched_credit_params_set(drv->ctx, poolid, &cp);
        }
    } else if (s == HV_SCHED_CREDIT2) {
        libxl_sched_credit2_params cp;
        if (p->tslice_ms != -1)
            return xn_msg_set(msg, XN_ENOTSUP, "CPU pool %u (%s) runs "
                              "credit2, which has no time slice", poolid,
                              name);
        libxl_sched_credit2_params_init(&cp);
        lrc = libxl_sched_credit2_params_get(drv->ctx, poolid, &cp);
        if (lrc == 0) {
            if (p->ratelimit_us != -1)
                cp.ratelimit_us = p->ratelimit_us;
            lrc = libxl_sched_credit2_params_set(drv->ctx, poolid, &cp);
        }
    } else if (p->tslice_ms != -1 || p->ratelimit_us != -1) {
        return xn_msg_set(msg, XN_ENOTSUP, "CPU pool %u (%s) runs %s, which "
                          "has no time slice or rate limit", poolid, name,
                          hv_sched_name(s));
    }
    if (lrc)
        return xen_fail(drv, msg, lrc, "CPU pool %u (%s): cannot set its "
                        "%s parameters", poolid, name, hv_sched_name(s));
    return 0;
}
