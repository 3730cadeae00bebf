/*
 * sim_calls.c - the sim driver's hv_ops that answer at once: the queries
 * (host, domains, vCPUs, pools) and the synchronous calls (pause, rename,
 * memory, vCPUs, scheduler), each one model call on the host.  Their table
 * is in sim_drv.c.
 */
#include "sim/sim_drv.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sim/sim_config.h"

/* --- queries --- */

int simdrv_host_info(struct hv *hv, struct hv_hostinfo *info,
                     struct xn_msg *msg)
{
    struct sim_host *h = simdrv_of(hv)->host;
    const struct sim_host_spec *s = sim_host_spec(h);

    snprintf(info->hostname, sizeof(info->hostname), "%s", s->name);
    snprintf(info->driver, sizeof(info->driver), "sim");
    snprintf(info->xen_version, sizeof(info->xen_version), "%s", s->version);
    info->nr_cpus = s->nr_cpus;
    info->nr_nodes = 1;         /* the simulated host has one NUMA node */
    memset(info->cpu_node, 0, sizeof(info->cpu_node));
    info->threads_per_core = s->threads_per_core;
    info->cores_per_socket = s->cores_per_socket;
    info->cpu_mhz = s->cpu_mhz;
    info->total_kb = s->total_kb;
    info->free_kb = sim_host_free_kb(h);
    info->sched = sim_pool_get(h, 0)->sched;
    snprintf(info->store_path, sizeof(info->store_path), "%s",
             simstore_path(simdrv_of(hv)));
    return 0;
}

static void fill_info(struct sim_host *h, struct sim_dom *d,
                      struct hv_dominfo *info)
{
    memset(info, 0, sizeof(*info));
    info->domid = d->domid;
    snprintf(info->name, sizeof(info->name), "%s", d->name);
    memcpy(info->uuid, d->uuid, 16);
    info->type = d->type;
    info->state = sim_dom_state(d);
    info->shutdown_reason = d->state == HV_STATE_SHUTDOWN ? d->reason
                                                          : HV_SHUTDOWN_NONE;
    info->mem_kb = d->mem_kb;
    info->target_kb = d->target_kb;
    info->max_kb = d->max_kb;
    info->vcpus_online = d->vcpus_online;
    info->vcpus_max = d->vcpus_max;
    info->cpu_time_ns = sim_dom_cpu_time(h, d);
    info->wait_ns = sim_dom_wait_ns(h, d);
    info->wait_known = true;
    info->poolid = d->poolid;
    info->sched.sched = sim_pool_get(h, d->poolid)->sched;
    info->sched.weight = d->weight;
    info->sched.cap = d->cap;
}

int simdrv_dom_list(struct hv *hv, struct hv_dominfo **list_r,
                    size_t *n_r, struct xn_msg *msg)
{
    struct sim_host *h = simdrv_of(hv)->host;
    size_t n = 0, cap = sim_host_n_dom(h);
    struct hv_dominfo *list = malloc((cap ? cap : 1) * sizeof(*list));

    if (!list)
        return xn_msg_set(msg, XN_ENOMEM, "out of memory");
    for (struct sim_dom *d = sim_dom_next(h, NULL); d && n < cap;
         d = sim_dom_next(h, d))
        fill_info(h, d, &list[n++]);
    *list_r = list;
    *n_r = n;
    return 0;
}

int simdrv_dom_info(struct hv *hv, uint32_t domid,
                    struct hv_dominfo *info, struct xn_msg *msg)
{
    struct simdrv *drv = simdrv_of(hv);
    struct sim_dom *d;
    int rc = simdrv_find(drv, domid, &d, msg);

    if (rc == 0)
        fill_info(drv->host, d, info);
    return rc;
}

int simdrv_dom_config(struct hv *hv, uint32_t domid,
                      libxl_domain_config *cfg, struct xn_msg *msg)
{
    struct simdrv *drv = simdrv_of(hv);
    struct sim_dom *d;
    const struct simdrv_dom *dd;
    int rc = simdrv_find(drv, domid, &d, msg);

    if (rc < 0)
        return rc;
    dd = d->drv;
    return simcfg_for_dom(drv->host, d, dd ? dd->cfg : NULL, cfg, msg);
}

int simdrv_vcpu_list(struct hv *hv, uint32_t domid,
                     struct hv_vcpuinfo **list_r, size_t *n_r,
                     struct xn_msg *msg)
{
    struct simdrv *drv = simdrv_of(hv);
    struct hv_vcpuinfo *list;
    struct sim_dom *d;
    bool running;
    int rc = simdrv_find(drv, domid, &d, msg);

    if (rc < 0)
        return rc;
    list = calloc(d->vcpus_max, sizeof(*list));
    if (!list)
        return xn_msg_set(msg, XN_ENOMEM, "out of memory");
    running = d->state == HV_STATE_RUNNING && sim_dom_rate(d) > 0;
    for (uint32_t i = 0; i < d->vcpus_max; i++) {
        struct hv_vcpuinfo *v = &list[i];
        v->vcpu = i;
        v->online = i < d->vcpus_online;
        v->cpu = v->online ? d->vcpus[i].cpu : -1;
        v->running = v->online && running;
        v->blocked = v->online && d->state == HV_STATE_RUNNING && !running;
        v->time_ns = sim_vcpu_time(drv->host, d, i);
        v->hard = d->vcpus[i].hard;
        v->soft = d->vcpus[i].soft;
    }
    *list_r = list;
    *n_r = d->vcpus_max;
    return 0;
}

int simdrv_pool_list(struct hv *hv, struct hv_poolinfo **list_r,
                     size_t *n_r, struct xn_msg *msg)
{
    struct sim_host *h = simdrv_of(hv)->host;
    uint32_t n = sim_pool_count(h);
    struct hv_poolinfo *list = calloc(n, sizeof(*list));

    if (!list)
        return xn_msg_set(msg, XN_ENOMEM, "out of memory");
    for (uint32_t i = 0; i < n; i++) {
        const struct sim_pool *p = sim_pool_get(h, i);
        list[i].poolid = p->id;
        snprintf(list[i].name, sizeof(list[i].name), "%s", p->name);
        list[i].sched = p->sched;
        list[i].n_dom = p->n_dom;
        list[i].cpus = p->cpus;
    }
    *list_r = list;
    *n_r = n;
    return 0;
}

/* --- synchronous calls --- */

/* Look the domain up and run one model call on it. */
#define ON_DOM(hv, domid, msg, call)                                       \
    do {                                                                   \
        struct simdrv *drv_ = simdrv_of(hv);                               \
        struct sim_host *h = drv_->host;                                   \
        struct sim_dom *d;                                                 \
        int rc_ = simdrv_find(drv_, (domid), &d, (msg));                   \
        if (rc_ == 0)                                                      \
            rc_ = (call);                                                  \
        simdrv_rearm(drv_);                                                \
        return rc_;                                                        \
    } while (0)

int simdrv_pause(struct hv *hv, uint32_t domid, struct xn_msg *msg)
{
    ON_DOM(hv, domid, msg, sim_dom_pause(h, d, msg));
}

/* A model call, then what the store makes of it when it succeeded. */
static int then_store(int rc, struct simdrv *drv, struct sim_dom *d,
                      void (*store)(struct simdrv *, struct sim_dom *))
{
    if (rc == 0)
        store(drv, d);
    return rc;
}

int simdrv_unpause(struct hv *hv, uint32_t domid, struct xn_msg *msg)
{
    ON_DOM(hv, domid, msg, then_store(sim_dom_unpause(h, d, msg), drv_, d,
                                      simstore_guest_runs));
}

int simdrv_rename(struct hv *hv, uint32_t domid, const char *new_name,
                  struct xn_msg *msg)
{
    ON_DOM(hv, domid, msg, then_store(sim_dom_rename(h, d, new_name, msg),
                                      drv_, d, simstore_rename));
}

/* Through the store: the guest's balloon acts on what is written there. */
int simdrv_mem_target(struct hv *hv, uint32_t domid, uint64_t target_kb,
                      struct xn_msg *msg)
{
    struct simdrv *drv = simdrv_of(hv);
    struct sim_dom *d;
    int rc = simdrv_find(drv, domid, &d, msg);

    if (rc == 0)
        rc = simstore_mem_target(drv, d, target_kb, msg);
    return rc;
}

int simdrv_mem_max(struct hv *hv, uint32_t domid, uint64_t max_kb,
                   struct xn_msg *msg)
{
    ON_DOM(hv, domid, msg, then_store(sim_dom_set_max(h, d, max_kb, msg),
                                      drv_, d, simstore_mem_max));
}

int simdrv_vcpu_set(struct hv *hv, uint32_t domid, uint32_t count,
                    struct xn_msg *msg)
{
    ON_DOM(hv, domid, msg, then_store(sim_dom_set_vcpus(h, d, count, msg),
                                      drv_, d, simstore_vcpus));
}

int simdrv_vcpu_pin(struct hv *hv, uint32_t domid, int vcpu,
                    const struct cpuset *hard, const struct cpuset *soft,
                    struct xn_msg *msg)
{
    ON_DOM(hv, domid, msg, sim_dom_pin(h, d, vcpu, hard, soft, msg));
}

int simdrv_sched_get(struct hv *hv, uint32_t domid,
                     struct hv_sched_params *p, struct xn_msg *msg)
{
    ON_DOM(hv, domid, msg, sim_dom_sched_get(h, d, p, msg));
}

int simdrv_sched_set(struct hv *hv, uint32_t domid,
                     const struct hv_sched_params *p, struct xn_msg *msg)
{
    ON_DOM(hv, domid, msg, sim_dom_sched_set(h, d, p, msg));
}

int simdrv_pool_sched_get(struct hv *hv, uint32_t poolid,
                          struct hv_pool_sched *p, struct xn_msg *msg)
{
    return sim_pool_sched_get(simdrv_of(hv)->host, poolid, p, msg);
}

int simdrv_pool_sched_set(struct hv *hv, uint32_t poolid,
                          const struct hv_pool_sched *p,
                          struct xn_msg *msg)
{
    return sim_pool_sched_set(simdrv_of(hv)->host, poolid, p, msg);
}
