/*
 * xen_info.c - queries: host, domains, vCPUs, CPU pools, configurations.
 * All synchronous: hypercalls and xenstore reads.
 */
#include "xen_priv.h"
#include "hv_libxl.h"
#include "xsc.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "log.h"

void xen_cpuset_from_bitmap(struct cpuset *set, const libxl_bitmap *bm)
{
    cpuset_clear(set);
    for (uint32_t i = 0; i < bm->size * 8 && i < CPUSET_MAX; i++)
        if (libxl_bitmap_test(bm, (int)i))
            cpuset_add(set, i);
}

/* The scheduler of a pool; HV_SCHED_UNKNOWN when it cannot be read. */
static enum hv_sched pool_sched(struct xen_drv *drv, uint32_t poolid)
{
    libxl_cpupoolinfo info;
    enum hv_sched s = HV_SCHED_UNKNOWN;

    libxl_cpupoolinfo_init(&info);
    if (libxl_cpupool_info(drv->ctx, &info, poolid) == 0)
        s = hv_sched_from_libxl(info.sched);
    libxl_cpupoolinfo_dispose(&info);
    return s;
}

/* The node of each CPU, as libxl_get_cpu_topology tells it (node 0 for a
 * CPU it leaves out). */
static void cpu_nodes(struct xen_drv *drv, struct hv_hostinfo *info)
{
    int n = 0;
    libxl_cputopology *t = libxl_get_cpu_topology(drv->ctx, &n);

    memset(info->cpu_node, 0, sizeof(info->cpu_node));
    for (int i = 0; t && i < n && i < CPUSET_MAX; i++)
        if (t[i].node != LIBXL_CPUTOPOLOGY_INVALID_ENTRY)
            info->cpu_node[i] = (uint16_t)t[i].node;
    libxl_cputopology_list_free(t, n);
}

int xen_host_info(struct hv *hv, struct hv_hostinfo *info, struct xn_msg *msg)
{
    struct xen_drv *drv = xen_drv_of(hv);
    const libxl_version_info *ver;
    libxl_physinfo phys;
    int lrc;

    libxl_physinfo_init(&phys);
    xen_log_clear(drv->log);
    lrc = libxl_get_physinfo(drv->ctx, &phys);
    if (lrc) {
        libxl_physinfo_dispose(&phys);
        return xen_fail(drv, msg, lrc, "cannot read the host's physical "
                        "information");
    }
    if (gethostname(info->hostname, sizeof(info->hostname) - 1) < 0)
        snprintf(info->hostname, sizeof(info->hostname), "localhost");
    snprintf(info->driver, sizeof(info->driver), "xen");
    ver = libxl_get_version_info(drv->ctx);
    if (ver)
        snprintf(info->xen_version, sizeof(info->xen_version), "%d.%d%s",
                 ver->xen_version_major, ver->xen_version_minor,
                 ver->xen_version_extra ? ver->xen_version_extra : "");
    info->nr_cpus = phys.nr_cpus;
    info->nr_nodes = phys.nr_nodes;
    cpu_nodes(drv, info);
    info->threads_per_core = phys.threads_per_core;
    info->cores_per_socket = phys.cores_per_socket;
    info->cpu_mhz = phys.cpu_khz / 1000;
    /* Xen counts in 4 KiB pages on x86. */
    info->total_kb = phys.total_pages * 4;
    info->free_kb = phys.free_pages * 4;
    info->sched = pool_sched(drv, 0);
    if (info->sched == HV_SCHED_UNKNOWN) {
        int s = libxl_get_scheduler(drv->ctx);
        if (s >= 0)
            info->sched = hv_sched_from_libxl((libxl_scheduler)s);
    }
    libxl_physinfo_dispose(&phys);
    return 0;
}

/* Xen itself knows PV and HVM only: a PVH guest is an HVM container, and
 * libxl's dominfo says HVM.  libxl records the type it built in xenstore
 * (/libxl/DOMID/type), which tells PVH apart. */
static enum hv_domtype type_from_store(struct xen_drv *drv, uint32_t domid,
                                       enum hv_domtype hypervisor_says)
{
    char path[64], *v = NULL;
    enum hv_domtype t = hypervisor_says;

    if (hypervisor_says != HV_TYPE_HVM || !drv->store)
        return t;
    snprintf(path, sizeof(path), "/libxl/%u/type", domid);
    if (xsc_read(drv->store, path, &v, NULL, NULL) == 0 &&
        strcmp(v, "pvh") == 0)
        t = HV_TYPE_PVH;
    free(v);
    return t;
}

/* The balloon target, out->target_kb, and whether the domain is still
 * being built, out->building.  A guest's is memory/target in the store,
 * read as libxl_get_memory_target would (a number of KiB), but once: a
 * domain being built (created, or restored by an incoming migration) has
 * none yet, and libxl logs an error each time it is asked.  Domain-0's
 * (which libxl fills in when missing) and any without a store: libxl's. */
static void read_target(struct xen_drv *drv, uint32_t domid,
                        struct hv_dominfo *out)
{
    char path[64], *v = NULL, *end;
    uint64_t target;

    if (domid == 0 || !drv->store) {
        if (libxl_get_memory_target(drv->ctx, domid, &target) == 0)
            out->target_kb = target;
        return;
    }
    snprintf(path, sizeof(path), "/local/domain/%u/memory/target", domid);
    if (xsc_read(drv->store, path, &v, NULL, NULL) < 0) {
        out->building = true;
        return;
    }
    target = strtoull(v, &end, 10);
    if (*v && !*end)
        out->target_kb = target;
    free(v);
}

/* Fill `out` from libxl's dominfo and the per-domain extras. */
static void fill_dominfo(struct xen_drv *drv, const libxl_dominfo *di,
                         struct hv_dominfo *out)
{
    libxl_domain_sched_params sp;
    char *name;

    memset(out, 0, sizeof(*out));
    out->domid = di->domid;
    memcpy(out->uuid, libxl_uuid_bytearray_const(&di->uuid),
           sizeof(out->uuid));
    name = libxl_domid_to_name(drv->ctx, di->domid);
    snprintf(out->name, sizeof(out->name), "%s", name ? name : "");
    free(name);
    out->type = type_from_store(drv, di->domid, hv_domtype_from_libxl(di->domain_type));
    if (di->dying) {
        out->state = HV_STATE_DYING;
    } else if (di->shutdown) {
        out->state = HV_STATE_SHUTDOWN;
        out->shutdown_reason = xen_reason_from_libxl(di->shutdown_reason);
    } else if (di->paused) {
        out->state = HV_STATE_PAUSED;
    } else if (di->running) {
        out->state = HV_STATE_RUNNING;
    } else {
        out->state = HV_STATE_BLOCKED;
    }
    out->mem_kb = di->current_memkb;
    out->max_kb = di->max_memkb;
    out->target_kb = di->current_memkb;
    if (!di->dying)
        read_target(drv, di->domid, out);
    out->vcpus_online = di->vcpu_online;
    out->vcpus_max = di->vcpu_max_id + 1;
    out->cpu_time_ns = di->cpu_time;
    out->poolid = di->cpupool;
    out->sched.sched = HV_SCHED_UNKNOWN;
    out->sched.weight = -1;
    out->sched.cap = -1;
    libxl_domain_sched_params_init(&sp);
    if (!di->dying &&
        libxl_domain_sched_params_get(drv->ctx, di->domid, &sp) == 0) {
        out->sched.sched = hv_sched_from_libxl(sp.sched);
        out->sched.weight = sp.weight;
        out->sched.cap = sp.cap;
    }
    libxl_domain_sched_params_dispose(&sp);
}

static int cmp_domid(const void *a, const void *b)
{
    const struct hv_dominfo *x = a, *y = b;
    return (x->domid > y->domid) - (x->domid < y->domid);
}

int xen_dom_list(struct hv *hv, struct hv_dominfo **list_r, size_t *n_r,
                 struct xn_msg *msg)
{
    struct xen_drv *drv = xen_drv_of(hv);
    libxl_dominfo *dis;
    struct hv_dominfo *list;
    int n = 0;

    xen_log_clear(drv->log);
    dis = libxl_list_domain(drv->ctx, &n);
    if (!dis)
        return xen_fail(drv, msg, ERROR_FAIL, "cannot list the domains");
    list = calloc(n ? (size_t)n : 1, sizeof(*list));
    if (!list) {
        libxl_dominfo_list_free(dis, n);
        return xn_msg_set(msg, XN_ENOMEM, "out of memory");
    }
    for (int i = 0; i < n; i++) {
        fill_dominfo(drv, &dis[i], &list[i]);
        if (!dis[i].dying)
            xen_dom_seen(drv, list[i].domid, list[i].uuid, list[i].name);
        list[i].foreign = xen_dom_foreign(drv, list[i].domid);
    }
    libxl_dominfo_list_free(dis, n);
    qsort(list, (size_t)n, sizeof(*list), cmp_domid);
    *list_r = list;
    *n_r = (size_t)n;
    return 0;
}

int xen_dom_info(struct hv *hv, uint32_t domid, struct hv_dominfo *info,
                 struct xn_msg *msg)
{
    struct xen_drv *drv = xen_drv_of(hv);
    libxl_dominfo di;
    int lrc;

    libxl_dominfo_init(&di);
    xen_log_clear(drv->log);
    lrc = libxl_domain_info(drv->ctx, &di, domid);
    if (lrc == ERROR_DOMAIN_NOTFOUND) {
        libxl_dominfo_dispose(&di);
        return xn_msg_set(msg, XN_ENOENT, "no domain with id %u", domid);
    }
    if (lrc) {
        libxl_dominfo_dispose(&di);
        return xen_fail(drv, msg, lrc, "domain %u: cannot read its state",
                        domid);
    }
    fill_dominfo(drv, &di, info);
    if (!di.dying)
        xen_dom_seen(drv, info->domid, info->uuid, info->name);
    info->foreign = xen_dom_foreign(drv, info->domid);
    libxl_dominfo_dispose(&di);
    return 0;
}

int xen_dom_config(struct hv *hv, uint32_t domid, libxl_domain_config *cfg,
                   struct xn_msg *msg)
{
    struct xen_drv *drv = xen_drv_of(hv);
    char subj[XEN_SUBJ_MAX];
    int rc, lrc;

    rc = xen_dom_check(drv, domid, subj, msg);
    if (rc < 0)
        return rc;
    if (domid == 0)
        return xn_msg_set(msg, XN_ENOTSUP, "%s is the control domain and "
                          "has no stored configuration", subj);
    xen_log_clear(drv->log);
    lrc = libxl_retrieve_domain_configuration(drv->ctx, domid, cfg, NULL);
    if (lrc)
        return xen_fail(drv, msg, lrc, "%s: cannot read its configuration",
                        subj);
    return 0;
}

int xen_vcpu_list(struct hv *hv, uint32_t domid, struct hv_vcpuinfo **list_r,
                  size_t *n_r, struct xn_msg *msg)
{
    struct xen_drv *drv = xen_drv_of(hv);
    char subj[XEN_SUBJ_MAX];
    libxl_vcpuinfo *vis;
    struct hv_vcpuinfo *list;
    int n = 0, ncpus = 0, rc;

    rc = xen_dom_check(drv, domid, subj, msg);
    if (rc < 0)
        return rc;
    xen_log_clear(drv->log);
    vis = libxl_list_vcpu(drv->ctx, domid, &n, &ncpus);
    if (!vis)
        return xen_fail(drv, msg, ERROR_FAIL, "%s: cannot list its vCPUs",
                        subj);
    list = calloc(n ? (size_t)n : 1, sizeof(*list));
    if (!list) {
        libxl_vcpuinfo_list_free(vis, n);
        return xn_msg_set(msg, XN_ENOMEM, "out of memory");
    }
    for (int i = 0; i < n; i++) {
        list[i].vcpu = vis[i].vcpuid;
        list[i].online = vis[i].online;
        list[i].cpu = vis[i].online ? (int32_t)vis[i].cpu : -1;
        list[i].running = vis[i].running;
        list[i].blocked = vis[i].blocked;
        list[i].time_ns = vis[i].vcpu_time;
        xen_cpuset_from_bitmap(&list[i].hard, &vis[i].cpumap);
        xen_cpuset_from_bitmap(&list[i].soft, &vis[i].cpumap_soft);
    }
    libxl_vcpuinfo_list_free(vis, n);
    *list_r = list;
    *n_r = (size_t)n;
    return 0;
}

int xen_pool_list(struct hv *hv, struct hv_poolinfo **list_r, size_t *n_r,
                  struct xn_msg *msg)
{
    struct xen_drv *drv = xen_drv_of(hv);
    libxl_cpupoolinfo *pis;
    struct hv_poolinfo *list;
    int n = 0;

    xen_log_clear(drv->log);
    pis = libxl_list_cpupool(drv->ctx, &n);
    if (!pis)
        return xen_fail(drv, msg, ERROR_FAIL, "cannot list the CPU pools");
    list = calloc(n ? (size_t)n : 1, sizeof(*list));
    if (!list) {
        libxl_cpupoolinfo_list_free(pis, n);
        return xn_msg_set(msg, XN_ENOMEM, "out of memory");
    }
    for (int i = 0; i < n; i++) {
        list[i].poolid = pis[i].poolid;
        snprintf(list[i].name, sizeof(list[i].name), "%s",
                 pis[i].pool_name ? pis[i].pool_name : "");
        list[i].sched = hv_sched_from_libxl(pis[i].sched);
        list[i].n_dom = pis[i].n_dom;
        xen_cpuset_from_bitmap(&list[i].cpus, &pis[i].cpumap);
    }
    libxl_cpupoolinfo_list_free(pis, n);
    *list_r = list;
    *n_r = (size_t)n;
    return 0;
}
