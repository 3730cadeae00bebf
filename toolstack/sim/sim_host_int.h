/*
 * sim_host_int.h - what sim_host.c and sim_dom.c share about the model's
 * insides.  Nothing else includes this.
 */
#ifndef XENITH_SIM_HOST_INT_H
#define XENITH_SIM_HOST_INT_H

#include "sim/sim_host.h"

struct sim_due {
    uint64_t due;
    uint32_t domid;
    uint32_t seq;               /* stale unless it matches the domain's */
};

/* Affinity constraints a pool's scheduler honours exactly: the pool's
 * CPUs and up to this many distinct smaller sets (docs/sim-host.md). */
#define SIM_SCHED_SETS_MAX 16

/* The scheduler's view of one pool (sim_sched.c). */
struct sim_spool {
    struct sim_dom **doms;      /* its domains, any order (pool_slot);
                                 * owned, realloc'd */
    uint32_t n, cap;
    uint64_t settled_ns;        /* CPU time is integrated up to here */
    uint64_t next_ns;           /* the next trace edge of a running domain
                                 * (UINT64_MAX: none) */
    bool dirty;                 /* rates stale since settled_ns */
    bool aff_dirty;             /* affinity sets stale */
    uint32_t n_sets;            /* sets[0] is the pool's CPUs */
    struct cpuset sets[SIM_SCHED_SETS_MAX];
    double set_cpus[SIM_SCHED_SETS_MAX];
    bool sub[SIM_SCHED_SETS_MAX][SIM_SCHED_SETS_MAX];  /* a within b */
};

/* Scratch for the rates of the largest pool, grown when a domain joins
 * (so recomputing never allocates); owned by the host. */
struct sim_sched_scratch {
    size_t cap;
    double *w, *lim, *rate;     /* per claimant */
    uint32_t *set;
    struct sim_dom **dom;
    double *gw, *glim, *gout;   /* one constraint's members */
    size_t *order;
};

struct sim_host {
    struct sim_host_spec spec;
    sim_clock_fn *clock;
    void *clock_opaque;
    void (*drv_free)(void *drv);
    uint64_t born_ns;           /* time zero of the CPU traces */

    struct sim_pool pools[SIM_POOLS_MAX];
    struct sim_spool spools[SIM_POOLS_MAX];
    struct sim_sched_scratch scratch;
    uint32_t n_pools;

    /* Domains by domid: ids are never reused, so a growing array indexed
     * by domid is both the index and the sorted list. */
    struct sim_dom **by_id;
    uint32_t by_id_cap;
    uint32_t next_domid;        /* next guest id */
    uint32_t n_dom;

    struct sim_dom **names;     /* hash buckets, chained by name_next */
    size_t n_buckets;

    uint64_t used_kb;           /* sum of the domains' mem_kb */

    struct sim_due *heap;       /* min-heap of timed actions */
    size_t heap_len;
    size_t heap_cap;

    struct sim_pcidev *pci;     /* PCI devices by address; owned,
                                 * realloc'd (sim_host_pci.c) */
    uint32_t n_pci;
};

/* sim_host.c */
void sim_name_insert(struct sim_host *h, struct sim_dom *d);
void sim_name_remove(struct sim_host *h, struct sim_dom *d);
int sim_index_insert(struct sim_host *h, struct sim_dom *d);
void sim_index_remove(struct sim_host *h, struct sim_dom *d);
/* Queue `act` for d at `due` (replacing what d had queued). */
int sim_act_schedule(struct sim_host *h, struct sim_dom *d, enum sim_act act,
                     uint64_t due);
void sim_act_cancel(struct sim_dom *d);

#define SIM_LABEL_MAX (HV_NAME_MAX + 32)   /* "domain N (name)" */

/* sim_res.c */
/* Set what d holds (whole pages), keeping the host's used_kb exact.
 * XN_ENOMEM (nothing changed) when its page generations cannot follow. */
int sim_dom_set_mem(struct sim_host *h, struct sim_dom *d, uint64_t kb);

/* sim_balloon.c */
/* d's guest memory as a new domain starts it: behaviour from s (the
 * host's defaults where s leaves them), state from now. */
void sim_dom_mem_init(struct sim_host *h, struct sim_dom *d,
                      const struct sim_dom_spec *s);

/* sim_sched.c */
/* d joins / leaves its pool's scheduler: the pool is settled to now
 * first.  join fails only with XN_ENOMEM. */
int sim_sched_join(struct sim_host *h, struct sim_dom *d);
void sim_sched_leave(struct sim_host *h, struct sim_dom *d);
/* Call before changing anything that sets rates in pool `poolid` (a
 * domain's state, weight, cap, vCPUs, affinity, demand, trace; the pool's
 * CPUs with `affinity` true): its CPU time up to now at the old rates,
 * new rates computed at the next look. */
void sim_sched_change(struct sim_host *h, uint32_t poolid, bool affinity);
/* After d's online vCPUs or hard affinity changed: its affinity set. */
void sim_sched_affinity(struct sim_host *h, struct sim_dom *d);
/* Integrate pool `poolid` up to now and bring its rates up to date. */
void sim_sched_settle(struct sim_host *h, uint32_t poolid);
/* The clock was replaced: every pool settled from now. */
void sim_sched_restart(struct sim_host *h);
/* Free the pools' lists and the scratch. */
void sim_sched_free(struct sim_host *h);

/* sim_dom.c */
/* XN_ESTATE with the sentence when d is dying. */
int sim_dom_not_dying(const struct sim_dom *d, struct xn_msg *msg);
/* Pick where vCPU i runs: within its hard affinity and the pool, -1 while
 * offline. */
void sim_vcpu_place(struct sim_host *h, struct sim_dom *d, uint32_t i);
/* Run d's due action; true when it produced *ev_r. */
bool sim_dom_act(struct sim_host *h, struct sim_dom *d,
                 struct sim_event *ev_r);

#endif
