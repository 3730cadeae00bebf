/*
 * sim_dom.c - domains of the simulated host: creation with memory
 * accounting, removal and run states.  Their resources (memory, vCPUs,
 * scheduler shares) are in sim_res.c, their CPU time in sim_sched.c.
 */
#include "sim/sim_host_int.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>

#define LABEL_MAX SIM_LABEL_MAX

void sim_dom_spec_init(struct sim_dom_spec *s)
{
    memset(s, 0, sizeof(*s));
    s->type = HV_TYPE_PVH;
    s->weight = -1;
    s->cap = -1;
    s->demand = -1;
    sim_cpu_trace_init(&s->cpu);
    s->shutdown_delay_ns = UINT64_MAX;
    s->state = HV_STATE_RUNNING;
    s->gm.balloon = SIM_BALLOON_FOLLOW;
    s->gm.speed_kb_s = SIM_SPEED_HOST;
    s->gm.report_every_s = SIM_REPORT_EVERY_DEFAULT;
    s->gm.workload = SIM_WL_NONE;
}

void sim_dom_spec_dispose(struct sim_dom_spec *s)
{
    free(s->hard);
    free(s->soft);
    s->hard = s->soft = NULL;
}

char *sim_dom_label(const struct sim_dom *d, char *buf, size_t len)
{
    snprintf(buf, len, "domain %u (%s)", d->domid, d->name);
    return buf;
}

static uint64_t mix64(uint64_t x)
{
    x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9ull;
    x = (x ^ (x >> 27)) * 0x94d049bb133111ebull;
    return x ^ (x >> 31);
}

static void uuid_generate_v4(uint8_t uuid[16], uint64_t salt)
{
    if (getrandom(uuid, 16, 0) != 16) {
        uint64_t a = mix64(salt), b = mix64(a);
        memcpy(uuid, &a, 8);
        memcpy(uuid + 8, &b, 8);
    }
    uuid[6] = (uint8_t)((uuid[6] & 0x0f) | 0x40);
    uuid[8] = (uint8_t)((uuid[8] & 0x3f) | 0x80);
}

/* The n-th member of s below limit, counting from 0; -1 when empty. */
static int32_t nth_cpu(const struct cpuset *s, unsigned limit, unsigned n)
{
    unsigned count = 0;

    for (unsigned c = 0; c < limit; c++)
        if (cpuset_has(s, c))
            count++;
    if (count == 0)
        return -1;
    n %= count;
    for (unsigned c = 0; c < limit; c++)
        if (cpuset_has(s, c) && n-- == 0)
            return (int32_t)c;
    return -1;
}

/* Where vCPU i runs: spread over its hard affinity within the pool. */
void sim_vcpu_place(struct sim_host *h, struct sim_dom *d, uint32_t i)
{
    const struct sim_pool *pool = &h->pools[d->poolid];
    struct cpuset where = d->vcpus[i].hard;

    if (i >= d->vcpus_online) {
        d->vcpus[i].cpu = -1;
        return;
    }
    for (size_t w = 0; w < CPUSET_MAX / 64; w++)
        where.bits[w] &= pool->cpus.bits[w];
    if (cpuset_empty(&where))
        where = d->vcpus[i].hard;
    d->vcpus[i].cpu = nth_cpu(&where, h->spec.nr_cpus, d->domid + i);
}

/* A spec's affinity for vCPU i, within the host's CPUs. */
static void spec_affinity(const struct sim_host *h, const struct cpuset *arr,
                          uint32_t i, struct cpuset *out)
{
    struct cpuset host;

    cpuset_fill(&host, h->spec.nr_cpus);
    if (!arr) {
        *out = host;
        return;
    }
    for (size_t w = 0; w < CPUSET_MAX / 64; w++)
        out->bits[w] = arr[i].bits[w] & host.bits[w];
}

static int spec_check(struct sim_host *h, const struct sim_dom_spec *s,
                      struct xn_msg *msg)
{
    uint32_t vmax = s->vcpus_max ? s->vcpus_max : 1;
    uint32_t von = s->vcpus ? s->vcpus : vmax;
    uint64_t max = s->max_kb ? s->max_kb : s->mem_kb;
    uint64_t target = s->target_kb ? s->target_kb : s->mem_kb;
    char a[32], b[32];
    const struct sim_dom *other;

    if (s->dom0 && sim_dom_get(h, 0))
        return xn_msg_set(msg, XN_EEXIST, "host %s has a domain 0 already",
                          h->spec.name);
    if (!s->dom0 && h->next_domid >= SIM_DOMID_LIMIT)
        return xn_msg_set(msg, XN_EFAIL, "cannot create %s: host %s has "
                          "used up its domain ids", s->name, h->spec.name);
    if (!s->name[0])
        return xn_msg_set(msg, XN_EINVAL, "a domain needs a name");
    other = sim_dom_by_name(h, s->name);
    if (other)
        return xn_msg_set(msg, XN_EEXIST, "a domain named \"%s\" already "
                          "exists (domain %u)", s->name, other->domid);
    if (vmax > SIM_VCPUS_MAX)
        return xn_msg_set(msg, XN_EINVAL, "%s: %u vCPUs is more than the "
                          "simulated host allows (%d)", s->name, vmax,
                          SIM_VCPUS_MAX);
    if (von > vmax)
        return xn_msg_set(msg, XN_EINVAL, "%s: %u online vCPUs is more than "
                          "its maximum of %u", s->name, von, vmax);
    if (s->mem_kb == 0 || s->mem_kb % SIM_PAGE_KB)
        return xn_msg_set(msg, XN_EINVAL, "%s: memory of %llu KiB is not a "
                          "positive number of 4 KiB pages", s->name,
                          (unsigned long long)s->mem_kb);
    if (max < s->mem_kb || max < target)
        return xn_msg_set(msg, XN_EINVAL, "%s: maximum memory %s is below "
                          "its memory of %s", s->name,
                          sim_fmt_kb(max, a, sizeof(a)),
                          sim_fmt_kb(s->mem_kb > target ? s->mem_kb : target,
                                     b, sizeof(b)));
    if (!sim_pool_get(h, s->poolid))
        return xn_msg_set(msg, XN_ENOENT, "%s: host %s has no pool with id "
                          "%u", s->name, h->spec.name, s->poolid);
    if (s->state != HV_STATE_RUNNING && s->state != HV_STATE_PAUSED &&
        s->state != HV_STATE_SHUTDOWN)
        return xn_msg_set(msg, XN_EINVAL, "%s: a domain cannot start %s",
                          s->name, hv_state_name(s->state));
    for (uint32_t i = 0; s->hard && i < vmax; i++) {
        struct cpuset c;
        spec_affinity(h, s->hard, i, &c);
        if (cpuset_empty(&c))
            return xn_msg_set(msg, XN_EINVAL, "%s: the hard affinity of "
                              "vCPU %u selects no CPU of host %s (CPUs "
                              "0-%u)", s->name, i, h->spec.name,
                              h->spec.nr_cpus - 1);
    }
    if (s->mem_kb > sim_host_free_kb(h))
        return xn_msg_set(msg, XN_ENOMEM, "cannot create %s: it needs %s "
                          "but the host has %s free", s->name,
                          sim_fmt_kb(s->mem_kb, a, sizeof(a)),
                          sim_fmt_kb(sim_host_free_kb(h), b, sizeof(b)));
    return 0;
}

int sim_dom_add(struct sim_host *h, const struct sim_dom_spec *s,
                struct sim_dom **d_r, struct xn_msg *msg)
{
    struct sim_dom *d;
    int rc = spec_check(h, s, msg);

    if (d_r)
        *d_r = NULL;
    if (rc < 0)
        return rc;
    d = calloc(1, sizeof(*d));
    if (d)
        d->vcpus_max = s->vcpus_max ? s->vcpus_max : 1;
    if (!d || !(d->vcpus = calloc(d->vcpus_max, sizeof(*d->vcpus)))) {
        free(d);
        return xn_msg_set(msg, XN_ENOMEM, "out of memory");
    }
    d->domid = s->dom0 ? 0 : h->next_domid;
    snprintf(d->name, sizeof(d->name), "%s", s->name);
    if (s->has_uuid)
        memcpy(d->uuid, s->uuid, 16);
    else
        uuid_generate_v4(d->uuid, sim_host_now(h) ^ d->domid);
    d->type = s->type;
    d->state = s->state;
    d->reason = s->state == HV_STATE_SHUTDOWN ? s->reason : HV_SHUTDOWN_NONE;
    d->mem_kb = s->mem_kb;
    d->target_kb = s->target_kb ? s->target_kb : s->mem_kb;
    d->max_kb = s->max_kb ? s->max_kb : s->mem_kb;
    d->vcpus_online = s->vcpus ? s->vcpus : d->vcpus_max;
    d->weight = s->weight >= 0 ? s->weight : SIM_WEIGHT_DEFAULT;
    d->cap = s->cap >= 0 ? s->cap : 0;
    d->poolid = s->poolid;
    d->demand = s->demand >= 0 ? s->demand
                               : SIM_DEMAND_PER_VCPU * d->vcpus_online;
    d->shutdown_delay_ns = s->shutdown_delay_ns != UINT64_MAX
                               ? s->shutdown_delay_ns : SIM_SHUTDOWN_DELAY_NS;
    d->ignore_shutdown = s->ignore_shutdown;
    if (s->has_seed) {
        d->seed = s->seed;
    } else {
        uint64_t u0, u1;
        memcpy(&u0, d->uuid, 8);
        memcpy(&u1, d->uuid + 8, 8);
        d->seed = mix64(u0 ^ mix64(u1 ^ d->domid));
    }
    sim_cpu_trace_init(&d->cpu);
    if (s->cpu.kind != SIM_CT_NONE) {
        d->cpu = s->cpu;
        if (!d->cpu.has_seed)
            d->cpu.seed = d->seed;
        d->cpu.has_seed = true;
        if (d->cpu.step_ns == 0)
            d->cpu.step_ns = SIM_CT_STEP_DEFAULT;
        uint64_t now = sim_host_now(h);
        d->demand = sim_cpu_trace_demand(&d->cpu, now > h->born_ns
                                                      ? now - h->born_ns : 0);
    }
    sim_dom_mem_init(h, d, s);
    d->dirty.settled_ns = sim_host_now(h);
    sim_dom_set_dirty(h, d, s->dirty.rate_kb_s, s->dirty.set);
    for (uint32_t i = 0; i < d->vcpus_max; i++) {
        spec_affinity(h, s->hard, i, &d->vcpus[i].hard);
        spec_affinity(h, s->soft, i, &d->vcpus[i].soft);
        sim_vcpu_place(h, d, i);
    }
    if (sim_index_insert(h, d) < 0 || sim_sched_join(h, d) < 0) {
        sim_index_remove(h, d);
        free(d->vcpus);
        free(d);
        return xn_msg_set(msg, XN_ENOMEM, "out of memory");
    }
    sim_name_insert(h, d);
    h->pools[d->poolid].n_dom++;
    h->used_kb += d->mem_kb;
    h->n_dom++;
    if (!s->dom0)
        h->next_domid++;
    if (d_r)
        *d_r = d;
    return 0;
}

void sim_dom_remove(struct sim_host *h, struct sim_dom *d)
{
    sim_pci_release_dom(h, d->domid);   /* its devices go back */
    sim_act_cancel(d);
    sim_sched_leave(h, d);
    sim_index_remove(h, d);
    sim_name_remove(h, d);
    h->pools[d->poolid].n_dom--;
    h->used_kb -= d->mem_kb;
    h->n_dom--;
    if (d->drv && h->drv_free)
        h->drv_free(d->drv);
    free(d->page_gen);
    free(d->dirty.log);
    free(d->vcpus);
    free(d);
}

/* --- run states --- */

enum hv_state sim_dom_state(const struct sim_dom *d)
{
    if (d->state == HV_STATE_RUNNING && sim_dom_rate(d) <= 0)
        return HV_STATE_BLOCKED;
    return d->state;
}

int sim_dom_not_dying(const struct sim_dom *d, struct xn_msg *msg)
{
    char l[LABEL_MAX];

    if (d->state == HV_STATE_DYING)
        return xn_msg_set(msg, XN_ESTATE, "%s is being destroyed",
                          sim_dom_label(d, l, sizeof(l)));
    return 0;
}

/* "running", "paused", "shut down (poweroff)" ... for messages. */
static const char *state_words(const struct sim_dom *d, char *buf, size_t len)
{
    if (d->state == HV_STATE_SHUTDOWN)
        snprintf(buf, len, "shut down (%s)", hv_shutdown_name(d->reason));
    else
        snprintf(buf, len, "%s", hv_state_name(sim_dom_state(d)));
    return buf;
}

static void set_state(struct sim_host *h, struct sim_dom *d,
                      enum hv_state state, enum hv_shutdown reason)
{
    sim_sched_change(h, d->poolid, false);  /* old rates up to now */
    sim_dom_mem_settle(h, d);
    sim_dom_dirty_settle(h, d);             /* its writes while it ran */
    d->state = state;
    d->reason = reason;
}

/* A request the guest has not acted on: it acts `delay` after it can run. */
static int guest_arm(struct sim_host *h, struct sim_dom *d)
{
    if (d->shutdown_req == HV_SHUTDOWN_NONE || d->ignore_shutdown ||
        d->act != SIM_ACT_NONE)
        return 0;
    return sim_act_schedule(h, d, SIM_ACT_GUEST,
                            sim_host_now(h) + d->shutdown_delay_ns);
}

int sim_dom_destroy(struct sim_host *h, struct sim_dom *d,
                    struct xn_msg *msg)
{
    if (d->state == HV_STATE_DYING)
        return 0;
    set_state(h, d, HV_STATE_DYING, HV_SHUTDOWN_NONE);
    d->shutdown_req = HV_SHUTDOWN_NONE;
    if (sim_act_schedule(h, d, SIM_ACT_DIE,
                         sim_host_now(h) + h->spec.dying_ns) < 0)
        return xn_msg_set(msg, XN_ENOMEM, "out of memory");
    return 0;
}

int sim_dom_pause(struct sim_host *h, struct sim_dom *d, struct xn_msg *msg)
{
    char l[LABEL_MAX], w[48];
    int rc = sim_dom_not_dying(d, msg);

    if (rc < 0)
        return rc;
    if (d->state == HV_STATE_PAUSED)
        return xn_msg_set(msg, XN_ESTATE, "%s is already paused",
                          sim_dom_label(d, l, sizeof(l)));
    if (d->state != HV_STATE_RUNNING)
        return xn_msg_set(msg, XN_ESTATE, "%s has %s and cannot be paused",
                          sim_dom_label(d, l, sizeof(l)),
                          state_words(d, w, sizeof(w)));
    set_state(h, d, HV_STATE_PAUSED, HV_SHUTDOWN_NONE);
    return 0;
}

int sim_dom_unpause(struct sim_host *h, struct sim_dom *d, struct xn_msg *msg)
{
    char l[LABEL_MAX], w[48];
    int rc = sim_dom_not_dying(d, msg);

    if (rc < 0)
        return rc;
    if (d->state != HV_STATE_PAUSED)
        return xn_msg_set(msg, XN_ESTATE, "%s is not paused (it is %s)",
                          sim_dom_label(d, l, sizeof(l)),
                          state_words(d, w, sizeof(w)));
    set_state(h, d, HV_STATE_RUNNING, HV_SHUTDOWN_NONE);
    return guest_arm(h, d) < 0 ? xn_msg_set(msg, XN_ENOMEM, "out of memory")
                               : 0;
}

int sim_dom_check_shutdown(const struct sim_dom *d, struct xn_msg *msg)
{
    char l[LABEL_MAX], w[48];
    int rc = sim_dom_not_dying(d, msg);

    if (rc < 0)
        return rc;
    if (d->state == HV_STATE_SHUTDOWN)
        return xn_msg_set(msg, XN_ESTATE, "%s has already %s",
                          sim_dom_label(d, l, sizeof(l)),
                          state_words(d, w, sizeof(w)));
    return 0;
}

int sim_dom_request_shutdown(struct sim_host *h, struct sim_dom *d,
                             bool reboot, struct xn_msg *msg)
{
    int rc = sim_dom_check_shutdown(d, msg);

    if (rc < 0)
        return rc;
    d->shutdown_req = reboot ? HV_SHUTDOWN_REBOOT : HV_SHUTDOWN_POWEROFF;
    return guest_arm(h, d) < 0 ? xn_msg_set(msg, XN_ENOMEM, "out of memory")
                               : 0;
}

int sim_dom_suspend(struct sim_host *h, struct sim_dom *d, struct xn_msg *msg)
{
    char l[LABEL_MAX], w[48];
    int rc = sim_dom_not_dying(d, msg);

    if (rc < 0)
        return rc;
    if (d->state != HV_STATE_RUNNING && d->state != HV_STATE_PAUSED)
        return xn_msg_set(msg, XN_ESTATE, "%s has %s and cannot be "
                          "suspended", sim_dom_label(d, l, sizeof(l)),
                          state_words(d, w, sizeof(w)));
    if (d->act == SIM_ACT_GUEST)
        sim_act_cancel(d);      /* re-armed on resume */
    set_state(h, d, HV_STATE_SHUTDOWN, HV_SHUTDOWN_SUSPEND);
    return 0;
}

int sim_dom_resume(struct sim_host *h, struct sim_dom *d, struct xn_msg *msg)
{
    char l[LABEL_MAX], w[48];
    int rc = sim_dom_not_dying(d, msg);

    if (rc < 0)
        return rc;
    if (d->state != HV_STATE_SHUTDOWN || d->reason != HV_SHUTDOWN_SUSPEND)
        return xn_msg_set(msg, XN_ESTATE, "%s is not suspended (it is %s)",
                          sim_dom_label(d, l, sizeof(l)),
                          state_words(d, w, sizeof(w)));
    set_state(h, d, HV_STATE_RUNNING, HV_SHUTDOWN_NONE);
    return guest_arm(h, d) < 0 ? xn_msg_set(msg, XN_ENOMEM, "out of memory")
                               : 0;
}

int sim_dom_rename(struct sim_host *h, struct sim_dom *d, const char *name,
                   struct xn_msg *msg)
{
    const struct sim_dom *other = sim_dom_by_name(h, name);

    if (other == d)
        return 0;
    if (other)
        return xn_msg_set(msg, XN_EEXIST, "a domain named \"%s\" already "
                          "exists (domain %u)", name, other->domid);
    if (!name[0] || strlen(name) >= HV_NAME_MAX)
        return xn_msg_set(msg, XN_EINVAL, "domain name \"%.40s\" is empty or "
                          "too long", name);
    sim_name_remove(h, d);
    snprintf(d->name, sizeof(d->name), "%s", name);
    sim_name_insert(h, d);
    return 0;
}

bool sim_dom_act(struct sim_host *h, struct sim_dom *d, struct sim_event *ev)
{
    enum sim_act act = d->act;

    d->act = SIM_ACT_NONE;
    memset(ev, 0, sizeof(*ev));
    ev->domid = d->domid;
    snprintf(ev->name, sizeof(ev->name), "%s", d->name);
    memcpy(ev->uuid, d->uuid, 16);
    switch (act) {
    case SIM_ACT_GUEST:
        /* A paused guest cannot act; unpausing re-arms the request. */
        if (d->state != HV_STATE_RUNNING ||
            d->shutdown_req == HV_SHUTDOWN_NONE)
            return false;
        set_state(h, d, HV_STATE_SHUTDOWN, d->shutdown_req);
        d->shutdown_req = HV_SHUTDOWN_NONE;
        ev->type = SIM_EV_SHUTDOWN;
        ev->reason = d->reason;
        return true;
    case SIM_ACT_DIE:
        ev->type = SIM_EV_DEATH;
        sim_dom_remove(h, d);
        return true;
    case SIM_ACT_NONE:
        break;
    }
    return false;
}
