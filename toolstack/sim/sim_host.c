/*
 * sim_host.c - the simulated host: pools, the domain index, the clock and
 * the queue of timed actions.  Per-domain behaviour is in sim_dom.c.
 */
#include "sim/sim_host_int.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

void sim_host_spec_init(struct sim_host_spec *s)
{
    memset(s, 0, sizeof(*s));
    snprintf(s->name, sizeof(s->name), "default");
    s->nr_cpus = 8;
    s->threads_per_core = 2;
    s->cores_per_socket = 4;
    s->cpu_mhz = 2400;
    s->total_kb = 16ull << 20;
    s->overhead_kb = 128ull << 10;
    snprintf(s->version, sizeof(s->version), "4.17.0-sim");
    s->sched = HV_SCHED_CREDIT2;
    s->dying_ns = SIM_DYING_NS;
}

static uint64_t monotonic_ns(void *opaque)
{
    struct timespec ts;
    (void)opaque;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

static void pool_defaults(struct sim_pool *p)
{
    p->tslice_ms = p->sched == HV_SCHED_CREDIT ? SIM_TSLICE_DEFAULT : -1;
    p->ratelimit_us = (p->sched == HV_SCHED_CREDIT ||
                       p->sched == HV_SCHED_CREDIT2) ? SIM_RATELIMIT_DEFAULT
                                                     : -1;
}

int sim_host_new(const struct sim_host_spec *spec, struct sim_host **h_r,
                 struct xn_msg *msg)
{
    struct sim_host *h;

    *h_r = NULL;
    if (spec->nr_cpus == 0 || spec->nr_cpus > CPUSET_MAX)
        return xn_msg_set(msg, XN_EINVAL, "host %s: %u CPUs is out of range "
                          "(1-%d)", spec->name, spec->nr_cpus, CPUSET_MAX);
    if (spec->overhead_kb >= spec->total_kb)
        return xn_msg_set(msg, XN_EINVAL, "host %s: the hypervisor overhead "
                          "leaves no memory for domains", spec->name);
    h = calloc(1, sizeof(*h));
    if (!h)
        return xn_msg_set(msg, XN_ENOMEM, "out of memory");
    h->spec = *spec;
    h->clock = monotonic_ns;
    h->n_buckets = 64;
    h->names = calloc(h->n_buckets, sizeof(*h->names));
    if (!h->names) {
        free(h);
        return xn_msg_set(msg, XN_ENOMEM, "out of memory");
    }
    h->born_ns = sim_host_now(h);
    sim_sched_restart(h);
    h->next_domid = 1;
    h->n_pools = 1;
    h->pools[0].id = 0;
    snprintf(h->pools[0].name, sizeof(h->pools[0].name), "Pool-0");
    h->pools[0].sched = spec->sched;
    cpuset_fill(&h->pools[0].cpus, spec->nr_cpus);
    pool_defaults(&h->pools[0]);
    *h_r = h;
    return 0;
}

void sim_host_free(struct sim_host *h)
{
    if (!h)
        return;
    sim_sched_free(h);      /* no settling for domains about to go */
    for (uint32_t i = 0; i < h->by_id_cap; i++)
        if (h->by_id[i])
            sim_dom_remove(h, h->by_id[i]);
    free(h->by_id);
    free(h->names);
    free(h->heap);
    free(h->pci);
    free(h);
}

void sim_host_set_clock(struct sim_host *h, sim_clock_fn *fn, void *opaque)
{
    h->clock = fn ? fn : monotonic_ns;
    h->clock_opaque = opaque;
    h->born_ns = sim_host_now(h);
    sim_sched_restart(h);
}

uint64_t sim_host_now(const struct sim_host *h)
{
    return h->clock(h->clock_opaque);
}

uint64_t sim_host_born_ns(const struct sim_host *h)
{
    return h->born_ns;
}

void sim_host_set_drv_free(struct sim_host *h, void (*fn)(void *drv))
{
    h->drv_free = fn;
}

const struct sim_host_spec *sim_host_spec(const struct sim_host *h)
{
    return &h->spec;
}

uint64_t sim_host_free_kb(const struct sim_host *h)
{
    uint64_t avail = h->spec.total_kb - h->spec.overhead_kb;
    return h->used_kb >= avail ? 0 : avail - h->used_kb;
}

uint32_t sim_host_n_dom(const struct sim_host *h)
{
    return h->n_dom;
}

char *sim_fmt_kb(uint64_t kb, char *buf, size_t len)
{
    if (kb % 1024 == 0)
        snprintf(buf, len, "%llu MiB", (unsigned long long)(kb / 1024));
    else
        snprintf(buf, len, "%llu KiB", (unsigned long long)kb);
    return buf;
}

/* --- pools --- */

/* CPUs for pool `self` (an id, or n_pools for a new one): they exist, are
 * not empty and belong to no pool but `self` and Pool-0. */
static int pool_cpus_check(struct sim_host *h, const char *name,
                           uint32_t self, const struct cpuset *cpus,
                           struct xn_msg *msg)
{
    if (cpuset_empty(cpus))
        return xn_msg_set(msg, XN_EINVAL, "pool \"%s\" would have no CPU",
                          name);
    if (cpuset_span(cpus) > h->spec.nr_cpus)
        return xn_msg_set(msg, XN_EINVAL, "pool \"%s\": CPU %u does not "
                          "exist on host %s (CPUs 0-%u)", name,
                          cpuset_span(cpus) - 1, h->spec.name,
                          h->spec.nr_cpus - 1);
    for (uint32_t i = 1; i < h->n_pools; i++) {
        if (i == self)
            continue;
        for (unsigned c = 0; c < h->spec.nr_cpus; c++)
            if (cpuset_has(cpus, c) && cpuset_has(&h->pools[i].cpus, c))
                return xn_msg_set(msg, XN_EBUSY, "pool \"%s\": CPU %u "
                                  "already belongs to pool %s", name, c,
                                  h->pools[i].name);
    }
    return 0;
}

int sim_pool_add(struct sim_host *h, const char *name, enum hv_sched sched,
                 const struct cpuset *cpus, uint32_t *poolid_r,
                 struct xn_msg *msg)
{
    struct sim_pool *p;
    int rc;

    if (h->n_pools >= SIM_POOLS_MAX)
        return xn_msg_set(msg, XN_EINVAL, "host %s cannot have more than %d "
                          "pools", h->spec.name, SIM_POOLS_MAX);
    if (!name[0] || strlen(name) >= HV_NAME_MAX)
        return xn_msg_set(msg, XN_EINVAL, "pool name \"%.40s\" is empty or "
                          "too long", name);
    if (sim_pool_by_name(h, name))
        return xn_msg_set(msg, XN_EEXIST, "a pool named \"%s\" already "
                          "exists", name);
    if (sched != HV_SCHED_CREDIT && sched != HV_SCHED_CREDIT2)
        return xn_msg_set(msg, XN_ENOTSUP, "pool \"%s\": the simulated host "
                          "runs only credit and credit2, not %s", name,
                          hv_sched_name(sched));
    rc = pool_cpus_check(h, name, h->n_pools, cpus, msg);
    if (rc < 0)
        return rc;
    sim_sched_change(h, 0, true);       /* Pool-0 loses CPUs from now */
    h->spools[h->n_pools].settled_ns = sim_host_now(h);
    h->spools[h->n_pools].dirty = true;
    for (unsigned c = 0; c < h->spec.nr_cpus; c++)
        if (cpuset_has(cpus, c))
            cpuset_del(&h->pools[0].cpus, c);
    p = &h->pools[h->n_pools];
    memset(p, 0, sizeof(*p));
    p->id = h->n_pools++;
    snprintf(p->name, sizeof(p->name), "%s", name);
    p->sched = sched;
    p->cpus = *cpus;
    pool_defaults(p);
    if (poolid_r)
        *poolid_r = p->id;
    return 0;
}

int sim_pool_set_cpus(struct sim_host *h, uint32_t poolid,
                      const struct cpuset *cpus, struct xn_msg *msg)
{
    struct sim_pool *p = sim_pool_get(h, poolid);
    int rc;

    if (!p)
        return xn_msg_set(msg, XN_ENOENT, "no pool with id %u", poolid);
    rc = pool_cpus_check(h, p->name, poolid, cpus, msg);
    if (rc < 0)
        return rc;
    sim_sched_change(h, 0, true);
    sim_sched_change(h, poolid, true);
    if (poolid != 0)
        for (unsigned c = 0; c < h->spec.nr_cpus; c++)
            if (cpuset_has(cpus, c))
                cpuset_del(&h->pools[0].cpus, c);
    p->cpus = *cpus;
    return 0;
}

uint32_t sim_pool_count(const struct sim_host *h)
{
    return h->n_pools;
}

struct sim_pool *sim_pool_get(struct sim_host *h, uint32_t poolid)
{
    return poolid < h->n_pools ? &h->pools[poolid] : NULL;
}

struct sim_pool *sim_pool_by_name(struct sim_host *h, const char *name)
{
    for (uint32_t i = 0; i < h->n_pools; i++)
        if (strcmp(h->pools[i].name, name) == 0)
            return &h->pools[i];
    return NULL;
}

static int pool_check_sched(const struct sim_pool *p, enum hv_sched want,
                            struct xn_msg *msg)
{
    if (want != HV_SCHED_UNKNOWN && want != p->sched)
        return xn_msg_set(msg, XN_ENOTSUP, "pool %s runs %s, not %s",
                          p->name, hv_sched_name(p->sched),
                          hv_sched_name(want));
    return 0;
}

int sim_pool_sched_get(struct sim_host *h, uint32_t poolid,
                       struct hv_pool_sched *p, struct xn_msg *msg)
{
    struct sim_pool *pool = sim_pool_get(h, poolid);
    int rc;

    if (!pool)
        return xn_msg_set(msg, XN_ENOENT, "no pool with id %u", poolid);
    rc = pool_check_sched(pool, p->sched, msg);
    if (rc < 0)
        return rc;
    p->sched = pool->sched;
    p->tslice_ms = pool->tslice_ms;
    p->ratelimit_us = pool->ratelimit_us;
    return 0;
}

int sim_pool_sched_set(struct sim_host *h, uint32_t poolid,
                       const struct hv_pool_sched *p, struct xn_msg *msg)
{
    struct sim_pool *pool = sim_pool_get(h, poolid);
    int tslice, ratelimit, rc;

    if (!pool)
        return xn_msg_set(msg, XN_ENOENT, "no pool with id %u", poolid);
    rc = pool_check_sched(pool, p->sched, msg);
    if (rc < 0)
        return rc;
    if (pool->sched != HV_SCHED_CREDIT && p->tslice_ms != -1)
        return xn_msg_set(msg, XN_ENOTSUP, "pool %s runs %s, which has no "
                          "time slice (tslice is a credit parameter)",
                          pool->name, hv_sched_name(pool->sched));
    tslice = p->tslice_ms != -1 ? p->tslice_ms : pool->tslice_ms;
    ratelimit = p->ratelimit_us != -1 ? p->ratelimit_us : pool->ratelimit_us;
    if (pool->sched == HV_SCHED_CREDIT &&
        (int64_t)ratelimit > (int64_t)tslice * 1000)
        return xn_msg_set(msg, XN_EINVAL, "ratelimit %d us is longer than "
                          "the %d ms time slice of pool %s; it must not "
                          "exceed it", ratelimit, tslice, pool->name);
    pool->tslice_ms = tslice;
    pool->ratelimit_us = ratelimit;
    return 0;
}

/* --- the domain index --- */

static size_t name_hash(const char *s, size_t n_buckets)
{
    uint64_t x = 0xcbf29ce484222325ull;    /* FNV-1a */
    for (; *s; s++)
        x = (x ^ (unsigned char)*s) * 0x100000001b3ull;
    return (size_t)(x & (n_buckets - 1));
}

static void name_grow(struct sim_host *h)
{
    size_t n = h->n_buckets * 2;
    struct sim_dom **nb = calloc(n, sizeof(*nb));

    if (!nb)
        return;     /* keep the old table: slower, still correct */
    for (size_t i = 0; i < h->n_buckets; i++) {
        struct sim_dom *d = h->names[i], *next;
        for (; d; d = next) {
            size_t b = name_hash(d->name, n);
            next = d->name_next;
            d->name_next = nb[b];
            nb[b] = d;
        }
    }
    free(h->names);
    h->names = nb;
    h->n_buckets = n;
}

void sim_name_insert(struct sim_host *h, struct sim_dom *d)
{
    size_t b;

    if (h->n_dom >= h->n_buckets)
        name_grow(h);
    b = name_hash(d->name, h->n_buckets);
    d->name_next = h->names[b];
    h->names[b] = d;
}

void sim_name_remove(struct sim_host *h, struct sim_dom *d)
{
    struct sim_dom **pp = &h->names[name_hash(d->name, h->n_buckets)];

    for (; *pp; pp = &(*pp)->name_next) {
        if (*pp == d) {
            *pp = d->name_next;
            d->name_next = NULL;
            return;
        }
    }
}

int sim_index_insert(struct sim_host *h, struct sim_dom *d)
{
    if (d->domid >= h->by_id_cap) {
        uint32_t cap = h->by_id_cap ? h->by_id_cap : 64;
        struct sim_dom **n;
        while (cap <= d->domid)
            cap *= 2;
        n = realloc(h->by_id, cap * sizeof(*n));
        if (!n)
            return XN_ENOMEM;
        memset(n + h->by_id_cap, 0, (cap - h->by_id_cap) * sizeof(*n));
        h->by_id = n;
        h->by_id_cap = cap;
    }
    h->by_id[d->domid] = d;
    return 0;
}

void sim_index_remove(struct sim_host *h, struct sim_dom *d)
{
    if (d->domid < h->by_id_cap && h->by_id[d->domid] == d)
        h->by_id[d->domid] = NULL;
}

struct sim_dom *sim_dom_get(struct sim_host *h, uint32_t domid)
{
    return domid < h->by_id_cap ? h->by_id[domid] : NULL;
}

struct sim_dom *sim_dom_by_name(struct sim_host *h, const char *name)
{
    struct sim_dom *d = h->names[name_hash(name, h->n_buckets)];

    for (; d; d = d->name_next)
        if (strcmp(d->name, name) == 0)
            return d;
    return NULL;
}

struct sim_dom *sim_dom_next(struct sim_host *h, const struct sim_dom *prev)
{
    for (uint32_t id = prev ? prev->domid + 1 : 0; id < h->by_id_cap; id++)
        if (h->by_id[id])
            return h->by_id[id];
    return NULL;
}

/* --- timed actions: a min-heap on due time, stale entries skipped --- */

static bool due_less(const struct sim_due *a, const struct sim_due *b)
{
    return a->due < b->due || (a->due == b->due && a->domid < b->domid);
}

static void heap_swap(struct sim_due *a, struct sim_due *b)
{
    struct sim_due t = *a;
    *a = *b;
    *b = t;
}

static void heap_pop(struct sim_host *h)
{
    size_t i = 0;

    h->heap[0] = h->heap[--h->heap_len];
    for (;;) {
        size_t l = 2 * i + 1, r = l + 1, m = i;
        if (l < h->heap_len && due_less(&h->heap[l], &h->heap[m]))
            m = l;
        if (r < h->heap_len && due_less(&h->heap[r], &h->heap[m]))
            m = r;
        if (m == i)
            break;
        heap_swap(&h->heap[i], &h->heap[m]);
        i = m;
    }
}

int sim_act_schedule(struct sim_host *h, struct sim_dom *d, enum sim_act act,
                     uint64_t due)
{
    size_t i;

    if (h->heap_len == h->heap_cap) {
        size_t cap = h->heap_cap ? h->heap_cap * 2 : 64;
        struct sim_due *n = realloc(h->heap, cap * sizeof(*n));
        if (!n)
            return XN_ENOMEM;
        h->heap = n;
        h->heap_cap = cap;
    }
    d->act = act;
    d->act_due = due;
    d->act_seq++;
    i = h->heap_len++;
    h->heap[i] = (struct sim_due){ due, d->domid, d->act_seq };
    while (i > 0 && due_less(&h->heap[i], &h->heap[(i - 1) / 2])) {
        heap_swap(&h->heap[i], &h->heap[(i - 1) / 2]);
        i = (i - 1) / 2;
    }
    return 0;
}

void sim_act_cancel(struct sim_dom *d)
{
    d->act = SIM_ACT_NONE;
    d->act_seq++;       /* its heap entry goes stale */
}

/* The domain a heap entry still stands for, or NULL when stale. */
static struct sim_dom *due_dom(struct sim_host *h, const struct sim_due *e)
{
    struct sim_dom *d = sim_dom_get(h, e->domid);

    if (!d || d->act == SIM_ACT_NONE || d->act_seq != e->seq)
        return NULL;
    return d;
}

bool sim_host_next_due(struct sim_host *h, uint64_t *due_r)
{
    while (h->heap_len > 0) {
        if (due_dom(h, &h->heap[0])) {
            *due_r = h->heap[0].due;
            return true;
        }
        heap_pop(h);
    }
    return false;
}

bool sim_host_step(struct sim_host *h, struct sim_event *ev_r)
{
    uint64_t now = sim_host_now(h);

    while (h->heap_len > 0 && h->heap[0].due <= now) {
        struct sim_dom *d = due_dom(h, &h->heap[0]);
        heap_pop(h);
        if (d && sim_dom_act(h, d, ev_r))
            return true;
    }
    return false;
}
