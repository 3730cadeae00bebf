/*
 * sim_host.h - the model of one simulated Xen host: CPUs, pools, domains,
 * memory accounting, run states and CPU time.
 *
 * Pure data and arithmetic: no event loop, no I/O, no libxl.  It borrows
 * only plain vocabulary from hv.h (the state, scheduler and type enums,
 * the parameter structs) and cpuset.h.
 *
 * Time comes from a clock the owner supplies (sim_host_set_clock), so tests
 * drive a fake one.  CPU time is computed lazily from that clock.  Delayed
 * behaviour - a guest acting on a shutdown request, a dying domain going
 * away - is queued inside the model as timed actions; the owner asks
 * sim_host_next_due() when the next one is due and calls sim_host_step()
 * from then on, which runs due actions and returns what happened as events.
 * Several hosts may live in one process: nothing here is global.
 *
 * Messages follow hv.h: one sentence naming the subject.
 */
#ifndef XENITH_SIM_HOST_H
#define XENITH_SIM_HOST_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "cpuset.h"
#include "err.h"
#include "hv.h"

#define SIM_PAGE_KB 4u              /* one 4 KiB page */
#define SIM_DOMID_LIMIT 0x7FF0u     /* DOMID_FIRST_RESERVED */
#define SIM_POOLS_MAX 64
#define SIM_VCPUS_MAX 512
#define SIM_MS 1000000ull           /* nanoseconds in a millisecond */

/* Defaults, as Xen has them or as a plausible guest behaves. */
#define SIM_WEIGHT_DEFAULT 256
#define SIM_TSLICE_DEFAULT 30       /* credit, ms */
#define SIM_RATELIMIT_DEFAULT 1000  /* credit and credit2, us */
#define SIM_DEMAND_PER_VCPU 0.2     /* CPUs' worth wanted per online vCPU */
#define SIM_SHUTDOWN_DELAY_NS (200 * SIM_MS)
#define SIM_DYING_NS (5 * SIM_MS)

/* Returns monotonic nanoseconds. */
typedef uint64_t sim_clock_fn(void *opaque);

/* The host as a scenario describes it. */
struct sim_host_spec {
    char name[HV_NAME_MAX];
    uint32_t nr_cpus;
    uint32_t threads_per_core;
    uint32_t cores_per_socket;
    uint32_t cpu_mhz;
    uint64_t total_kb;
    uint64_t overhead_kb;       /* what Xen itself keeps */
    char version[HV_VERSION_MAX];
    enum hv_sched sched;        /* Pool-0's scheduler */
    uint64_t dying_ns;          /* how long a destroyed domain stays dying */
    uint64_t balloon_speed_kb_s;    /* guests' balloon drivers, KiB/s;
                                     * 0 = at once (the default) */
};

/* Fill with the defaults (8 CPUs, 16 GiB, credit2, "4.17.0-sim"...). */
void sim_host_spec_init(struct sim_host_spec *s);

struct sim_pool {
    uint32_t id;
    char name[HV_NAME_MAX];
    enum hv_sched sched;
    struct cpuset cpus;
    int tslice_ms;              /* credit; -1 for other schedulers */
    int ratelimit_us;           /* credit, credit2; 0 = off */
    uint32_t n_dom;
};

struct sim_vcpu {
    struct cpuset hard;
    struct cpuset soft;
    int32_t cpu;                /* last pCPU, -1 while offline */
    uint64_t time_ns;           /* settled CPU time */
};

/* Timed actions a domain may have queued (one at a time). */
enum sim_act {
    SIM_ACT_NONE = 0,
    SIM_ACT_GUEST,              /* the guest acts on its shutdown request */
    SIM_ACT_DIE,                /* a dying domain disappears */
};

/* --- guest memory: balloon driver, workload, agent (sim_balloon.c) ---
 *
 * Each guest has a balloon driver that moves what it holds toward its
 * target at its own speed (or not at all), a memory demand that follows a
 * seeded trace, and optionally the guest agent, whose reports the driver
 * writes into the host's xenstore (MEMREPORT_NODE).  Nothing moves until
 * the owner calls sim_host_mem_advance(): the driver does it from a timer,
 * the bench from its simulated clock.  The default (speed 0) is a driver
 * that follows at once, as before the model existed.  The formulas are in
 * docs/sim-host.md, "Guest memory".
 */
enum sim_balloon {
    SIM_BALLOON_FOLLOW = 0,     /* moves toward the target at its speed */
    SIM_BALLOON_STUCK,          /* has a driver that never moves */
    SIM_BALLOON_ABSENT,         /* no driver: the target is ignored */
};

enum sim_workload {
    SIM_WL_NONE = 0,            /* no demand model: demand = base, fixed */
    SIM_WL_IDLE,                /* a little above a third of base, quiet */
    SIM_WL_STEADY,              /* base, +-5 % noise */
    SIM_WL_BURST,               /* base/2, with bursts to 2 x base */
    SIM_WL_LEAK,                /* grows from base/2 by base per hour until
                                 * killed, then starts again */
};

/* sim_dom_spec.gm.speed_kb_s: take the host's balloon_speed_kb_s. */
#define SIM_SPEED_HOST UINT64_MAX
#define SIM_REPORT_EVERY_DEFAULT 2  /* the agent's interval, seconds */
#define SIM_REPORT_EVERY_MAX 3600
/* After an OOM kill a workload other than LEAK wants base/2 this long. */
#define SIM_OOM_CALM_NS (600 * 1000 * SIM_MS)

/* Plain data, embedded in sim_dom and sim_dom_spec: nothing to free. */
struct sim_guest_mem {
    /* behaviour (scenario, or sim_dom_set_guest_mem) */
    enum sim_balloon balloon;
    uint64_t speed_kb_s;        /* KiB per second; 0 = at once (in a spec:
                                 * SIM_SPEED_HOST = the host's default) */
    bool agent;                 /* the guest runs xenith-guest-agent */
    uint32_t report_every_s;    /* the agent's interval, 1..3600 */
    enum sim_workload workload;
    uint64_t base_kb;           /* the workload's typical demand (with
                                 * SIM_WL_NONE, 0 = no demand model: the
                                 * guest uses a third of what it holds) */
    uint64_t swap_kb;           /* the guest's swap */
    uint64_t wl_seed;           /* the trace's seed */
    /* state, advanced by sim_host_mem_advance */
    uint64_t demand_kb;         /* what the workload wants now */
    uint32_t some10, full10;    /* PSI avg10, hundredths of a percent */
    uint64_t some_us, full_us;  /* PSI totals */
    uint64_t swapin_ps, swapout_ps, refault_ps;  /* rates now */
    uint64_t report_seq;        /* the driver's: +1 for each report it
                                 * writes */
    uint64_t reported_ns;       /* the driver's: clock at its last report
                                 * (0: none yet) */
    uint64_t advanced_ns;       /* clock at the last advance */
    uint64_t wl_start_ns;       /* clock when the trace (re)started: the
                                 * guest's creation, or LEAK's last kill */
    uint64_t calm_until_ns;     /* after an OOM kill: base/2 until then */
    double some_avg, full_avg;  /* private: PSI avg10 unrounded */
    double move_kb;             /* private: balloon progress not yet a
                                 * whole page */
    /* accounting, for the bench and tests */
    double short_kbs;           /* integral of max(0, demand - held), KiB.s */
    double beyond_max_kbs;      /* integral of max(0, demand - max_kb):
                                 * what no ballooning could have given */
    uint32_t oom_kills;         /* demand above held + swap: killed */
    uint32_t oom_at_max;        /* ... of them while it held its maximum */
    uint64_t moved_kb;          /* sum of |change| of what it holds */
};

/* --- CPU demand traces (sim_cputrace.c) ---
 *
 * What a guest wants to run (CPUs' worth) as a deterministic function of
 * the host's clock: time since the host was made (sim_host_born_ns), so
 * every domain's trace lines up.  Random access, no state: the noise of
 * step k is a hash of (seed, k), constant through the step.  The shapes
 * (raw demand R at time t, exact edges):
 *
 *   STEADY    R = base
 *   BURSTS    R = peak during [phase + j period, phase + j period + on)
 *   EPISODES  for every whole j, base otherwise (the same function; the
 *             name says "long overload periods" in scenarios)
 *   STEPS     R = demand of the last step whose time is <= t, 0 before
 *             the first
 *
 * demand = max(0, R x (1 + noise x u)), u uniform in [-1, 1] per step.
 * The syntax of the scenario's cpu-trace= is in docs/sim-host.md.
 */
enum sim_cpu_trace_kind {
    SIM_CT_NONE = 0,            /* no trace: the domain's demand is fixed */
    SIM_CT_STEADY,
    SIM_CT_BURSTS,
    SIM_CT_EPISODES,
    SIM_CT_STEPS,
};

#define SIM_CT_STEPS_MAX 32
#define SIM_CT_STEP_DEFAULT (1000 * SIM_MS)    /* the noise's step */

/* Plain data, embedded in sim_dom and sim_dom_spec: nothing to free. */
struct sim_cpu_trace {
    enum sim_cpu_trace_kind kind;
    double base;                /* STEADY, BURSTS, EPISODES */
    double peak;                /* BURSTS, EPISODES */
    uint64_t period_ns;         /* BURSTS, EPISODES: > 0 */
    uint64_t on_ns;             /* ... <= period_ns */
    uint64_t phase_ns;          /* ... the first burst's start */
    uint32_t n_steps;           /* STEPS: 1..SIM_CT_STEPS_MAX */
    struct sim_ct_step {
        uint64_t at_ns;         /* strictly increasing */
        double demand;
    } steps[SIM_CT_STEPS_MAX];
    double noise;               /* relative amplitude, 0..1 */
    bool has_seed;              /* in a spec: else the domain's seed */
    uint64_t seed;
    uint64_t step_ns;           /* the noise's step, > 0 */
};

/* No trace (SIM_CT_NONE), step SIM_CT_STEP_DEFAULT. */
void sim_cpu_trace_init(struct sim_cpu_trace *t);
/* Read "KIND:k=v,..." (docs/sim-host.md) into *t.  XN_EINVAL with the
 * reason, a phrase naming the bad part ("peak \"x\" is not a number of
 * CPUs from 0 to 512"), in why[len]; *t is then undefined. */
int sim_cpu_trace_parse(const char *text, struct sim_cpu_trace *t,
                        char *why, size_t len);
/* The demand at trace time t_ns (ns since the host was made); 0 for
 * SIM_CT_NONE.  Pure. */
double sim_cpu_trace_demand(const struct sim_cpu_trace *t, uint64_t t_ns);
/* The first trace time after t_ns at which the demand may change
 * (UINT64_MAX: never); the demand is constant on [t_ns, that). */
uint64_t sim_cpu_trace_next(const struct sim_cpu_trace *t, uint64_t t_ns);

/* --- the guest writing to its memory (sim_dirty.c) ---
 *
 * A running guest writes `rate_kb_s` KiB a second to pages of its working
 * set (the fraction `set` of its pages, spread over its memory), each write
 * bumping one page's generation (its content changes).  Which page the
 * k-th write hits is a hash of (the domain's seed, k): seeded and
 * deterministic, however the time is cut.  Writes are made lazily: when
 * the domain's state changes and when someone settles it
 * (sim_dom_dirty_settle, as a live save does before each piece), for the
 * running time since; a settle makes at most max(working set, 2^20)
 * writes (after a long quiet time the working set is dirty either way).
 * Paused, suspended and shut-down guests write nothing.
 *
 * While log-dirty mode is on (a live save), every page written - by the
 * model or by sim_dom_dirty_page - gets its bit set in the log, as Xen's
 * log-dirty mode does; the save takes the log each pass.
 */
#define SIM_DIRTY_RATE_MAX (UINT64_C(1) << 30)    /* KiB/s: 1 TiB/s */

struct sim_dirty {
    /* behaviour (scenario, or sim_dom_set_dirty) */
    uint64_t rate_kb_s;         /* KiB the guest writes a second; 0: none;
                                 * at most 1 TiB/s (SIM_DIRTY_RATE_MAX) */
    double set;                 /* its working set: a fraction of its
                                 * pages, (0, 1]; 0 in a spec = 1 */
    /* state */
    uint64_t settled_ns;        /* clock at the last settle */
    uint64_t run_ns;            /* running time at this rate */
    uint64_t writes;            /* page writes made at this rate */
    uint64_t *log;              /* log-dirty bitmap (a bit a page), NULL
                                 * when off; owned by the domain */
    uint64_t log_pages;         /* pages the log covers */
    uint64_t log_count;         /* bits set */
};

/*
 * A domain.  Read its fields freely; change it only through sim_dom_*().
 * The pointer is valid until the domain is removed (sim_host_step reporting
 * its death, sim_dom_remove, sim_host_free): hold domids, not pointers,
 * across event-loop turns.
 */
struct sim_dom {
    uint32_t domid;
    char name[HV_NAME_MAX];
    uint8_t uuid[16];
    enum hv_domtype type;
    enum hv_state state;        /* RUNNING, PAUSED, SHUTDOWN or DYING;
                                 * sim_dom_state() tells BLOCKED apart */
    enum hv_shutdown reason;    /* when SHUTDOWN */
    uint64_t mem_kb;            /* held now (always whole pages) */
    uint64_t target_kb;         /* balloon target */
    uint64_t max_kb;
    uint32_t vcpus_online;      /* vCPUs 0..online-1 are online */
    uint32_t vcpus_max;
    struct sim_vcpu *vcpus;     /* vcpus_max entries */
    int weight;
    int cap;                    /* % of one pCPU, 0 = none */
    uint32_t poolid;
    double demand;              /* CPUs' worth the guest wants to run
                                 * (with a trace: as of the pool's last
                                 * settle) */
    struct sim_cpu_trace cpu;   /* demand trace; SIM_CT_NONE: fixed */
    uint64_t shutdown_delay_ns; /* guest's reaction time to a request */
    bool ignore_shutdown;       /* the guest never acts on requests */
    enum hv_shutdown shutdown_req;  /* request not yet acted on */
    uint64_t seed;              /* memory content; kept across save/restore */
    uint32_t *page_gen;         /* per-page generation, NULL = all 0 */
    /* the scheduler's (sim_sched.c); read through sim_dom_rate() etc. */
    double rate;                /* CPUs' worth it runs, as of the last
                                 * recompute of its pool's rates */
    double want;                /* min(demand, online vCPUs) if running */
    double wait_ns;             /* settled time runnable, not running */
    double wanted_ns;           /* settled integral of want */
    uint32_t aff_cpus;          /* private: CPUs its vCPUs may use */
    uint32_t aff_set;           /* private: its affinity constraint */
    uint32_t pool_slot;         /* private: index in its pool's list */
    struct sim_host *host;      /* private: the host it lives on */
    enum sim_act act;
    uint64_t act_due;
    uint32_t act_seq;
    struct sim_guest_mem gm;    /* balloon driver, workload, agent */
    struct sim_dirty dirty;     /* writes to memory, log-dirty mode */
    void *drv;                  /* owner's data; see sim_host_set_drv_free */
    struct sim_dom *name_next;  /* private: name hash chain */
};

/* What a new domain should look like.  init gives the defaults; dispose
 * frees hard/soft. */
struct sim_dom_spec {
    bool dom0;                  /* domain 0 (once per host) */
    char name[HV_NAME_MAX];
    bool has_uuid;              /* else one is generated */
    uint8_t uuid[16];
    enum hv_domtype type;
    uint64_t mem_kb;            /* memory now (and target) */
    uint64_t target_kb;         /* 0 = mem_kb */
    uint64_t max_kb;            /* 0 = mem_kb */
    uint32_t vcpus;             /* online; 0 = vcpus_max */
    uint32_t vcpus_max;         /* 0 = 1 */
    struct cpuset *hard;        /* vcpus_max entries, malloc'd, or NULL:
                                 * every CPU; owned by the spec */
    struct cpuset *soft;        /* the same */
    int weight;                 /* -1 = 256 */
    int cap;                    /* -1 = 0 */
    uint32_t poolid;
    double demand;              /* < 0: SIM_DEMAND_PER_VCPU per vCPU;
                                 * ignored with a trace */
    struct sim_cpu_trace cpu;   /* init: SIM_CT_NONE (demand is fixed);
                                 * no seed: the domain's */
    uint64_t shutdown_delay_ns; /* UINT64_MAX = default */
    bool ignore_shutdown;
    enum hv_state state;        /* RUNNING, PAUSED or SHUTDOWN */
    enum hv_shutdown reason;    /* when SHUTDOWN */
    bool has_seed;              /* else derived from the uuid and domid */
    uint64_t seed;
    struct sim_guest_mem gm;    /* behaviour only (the state fields are
                                 * ignored); init: follow at the host's
                                 * speed, no agent, reports every 2 s, no
                                 * workload, no swap */
    bool has_wl_seed;           /* else gm.wl_seed is derived from the
                                 * uuid */
    struct sim_dirty dirty;     /* behaviour only (rate_kb_s, set); init:
                                 * no writes */
};

void sim_dom_spec_init(struct sim_dom_spec *s);
void sim_dom_spec_dispose(struct sim_dom_spec *s);

/* Events sim_host_step reports. */
enum sim_event_type {
    SIM_EV_SHUTDOWN = 1,        /* the guest shut down: reason */
    SIM_EV_DEATH,               /* the domain is gone */
};

struct sim_event {
    enum sim_event_type type;
    uint32_t domid;
    char name[HV_NAME_MAX];
    uint8_t uuid[16];
    enum hv_shutdown reason;
};

struct sim_host;

/* --- host --- */

/* Make a host with Pool-0 holding every CPU and no domain.  *h_r is owned
 * by the caller: sim_host_free() it. */
int sim_host_new(const struct sim_host_spec *spec, struct sim_host **h_r,
                 struct xn_msg *msg);
/* Free the host and its domains (calling the drv_free hook).  NULL ok. */
void sim_host_free(struct sim_host *h);

/* The clock (NULL: CLOCK_MONOTONIC).  Set it before adding domains. */
void sim_host_set_clock(struct sim_host *h, sim_clock_fn *fn, void *opaque);
uint64_t sim_host_now(const struct sim_host *h);
/* The clock when the host was made (or its clock last set): time zero of
 * every CPU demand trace. */
uint64_t sim_host_born_ns(const struct sim_host *h);
/* Called with sim_dom.drv when a domain that has one is freed. */
void sim_host_set_drv_free(struct sim_host *h, void (*fn)(void *drv));

const struct sim_host_spec *sim_host_spec(const struct sim_host *h);
uint64_t sim_host_free_kb(const struct sim_host *h);
uint32_t sim_host_n_dom(const struct sim_host *h);

/* --- pools --- */
/* Add a pool with its scheduler's default parameters.  The CPUs must exist
 * and belong to no other pool (they are taken from Pool-0 if there). */
int sim_pool_add(struct sim_host *h, const char *name, enum hv_sched sched,
                 const struct cpuset *cpus, uint32_t *poolid_r,
                 struct xn_msg *msg);
/* Give a pool exactly `cpus` (none may belong to another pool); for setting
 * a host up, before domains run in the pool. */
int sim_pool_set_cpus(struct sim_host *h, uint32_t poolid,
                      const struct cpuset *cpus, struct xn_msg *msg);
uint32_t sim_pool_count(const struct sim_host *h);
/* NULL when there is no such pool. */
struct sim_pool *sim_pool_get(struct sim_host *h, uint32_t poolid);
struct sim_pool *sim_pool_by_name(struct sim_host *h, const char *name);
int sim_pool_sched_get(struct sim_host *h, uint32_t poolid,
                       struct hv_pool_sched *p, struct xn_msg *msg);
/* Fields of -1 are left as they are; ranges are as hv.c checks them. */
int sim_pool_sched_set(struct sim_host *h, uint32_t poolid,
                       const struct hv_pool_sched *p, struct xn_msg *msg);

/* --- domains: lookup and iteration (sorted by domid) --- */
struct sim_dom *sim_dom_get(struct sim_host *h, uint32_t domid);
struct sim_dom *sim_dom_by_name(struct sim_host *h, const char *name);
/* The domain after `prev` by domid; NULL prev: the first. */
struct sim_dom *sim_dom_next(struct sim_host *h, const struct sim_dom *prev);

/* "domain 3 (web1)", for messages; returns buf. */
char *sim_dom_label(const struct sim_dom *d, char *buf, size_t len);
/* "1024 MiB", or "1000 KiB" when not whole MiB; returns buf. */
char *sim_fmt_kb(uint64_t kb, char *buf, size_t len);

/* --- domains: lifecycle --- */
/* Create a domain; guests get the next domid (never reused).  Fails with
 * XN_ENOMEM when the host lacks memory, XN_EEXIST on a duplicate name. */
int sim_dom_add(struct sim_host *h, const struct sim_dom_spec *s,
                struct sim_dom **d_r, struct xn_msg *msg);
/* Remove at once, without an event (e.g. a restore that failed). */
void sim_dom_remove(struct sim_host *h, struct sim_dom *d);
/* DYING now; gone (memory back, SIM_EV_DEATH) after the host's dying time.
 * Destroying a dying domain is a no-op. */
int sim_dom_destroy(struct sim_host *h, struct sim_dom *d,
                    struct xn_msg *msg);
int sim_dom_pause(struct sim_host *h, struct sim_dom *d, struct xn_msg *msg);
int sim_dom_unpause(struct sim_host *h, struct sim_dom *d,
                    struct xn_msg *msg);
/* Ask the guest to power off or reboot; it acts after its delay (never if
 * it ignores requests, later if paused), giving SIM_EV_SHUTDOWN. */
int sim_dom_request_shutdown(struct sim_host *h, struct sim_dom *d,
                             bool reboot, struct xn_msg *msg);
/* Whether a shutdown request may be made now (not dying, not shut down):
 * 0, or the error sim_dom_request_shutdown would give. */
int sim_dom_check_shutdown(const struct sim_dom *d, struct xn_msg *msg);
/* The guest suspended itself (for a save): SHUTDOWN, reason SUSPEND. */
int sim_dom_suspend(struct sim_host *h, struct sim_dom *d,
                    struct xn_msg *msg);
/* Back to running from SHUTDOWN/SUSPEND. */
int sim_dom_resume(struct sim_host *h, struct sim_dom *d, struct xn_msg *msg);
int sim_dom_rename(struct sim_host *h, struct sim_dom *d, const char *name,
                   struct xn_msg *msg);

/* --- domains: CPU (sim_sched.c) ---
 *
 * Each pool's CPUs are shared among its running domains as credit and
 * credit2 share them: weighted max-min fair, each domain limited to
 * min(demand, online vCPUs, cap/100, CPUs its hard affinity allows),
 * work-conserving, hard affinity as constraints (docs/sim-host.md, "The
 * CPU scheduler", has the model and its approximation).  Rates are
 * piecewise constant; time is integrated lazily and exactly: every change
 * settles the domain's pool up to now at the old rates first.  The
 * queries below settle the pool of d to the host's clock (hence they take
 * d non-const for the model's cache even where the prototype says const).
 */
/* RUNNING, BLOCKED (running with rate 0), PAUSED, SHUTDOWN or DYING. */
enum hv_state sim_dom_state(const struct sim_dom *d);
/* CPUs' worth of time the domain gets now. */
double sim_dom_rate(const struct sim_dom *d);
/* Settle and return the CPU time of the domain, or of one vCPU. */
uint64_t sim_dom_cpu_time(struct sim_host *h, struct sim_dom *d);
uint64_t sim_vcpu_time(struct sim_host *h, struct sim_dom *d, uint32_t vcpu);
/* Time runnable but not running: integral of (want - rate), cap included,
 * want = min(demand, online vCPUs). */
uint64_t sim_dom_wait_ns(struct sim_host *h, struct sim_dom *d);
/* CPU time the domain wanted: integral of want (CPU-ns). */
uint64_t sim_dom_wanted_ns(struct sim_host *h, struct sim_dom *d);
/* Change what the guest wants to run (CPUs' worth, >= 0), from now on;
 * drops its trace. */
void sim_dom_set_demand(struct sim_host *h, struct sim_dom *d, double demand);
/* Make the demand follow t from now on (NULL or SIM_CT_NONE: fixed at
 * what it is now).  Without a seed, the domain's is taken. */
void sim_dom_set_cpu_trace(struct sim_host *h, struct sim_dom *d,
                           const struct sim_cpu_trace *t);

/* --- domains: resources --- */
/* A new balloon target: at most the maximum; growing needs free host
 * memory.  The guest's balloon follows (guest_balloon() in sim_res.c).
 * check says whether set would accept it, changing nothing. */
int sim_dom_set_target(struct sim_host *h, struct sim_dom *d,
                       uint64_t target_kb, struct xn_msg *msg);
int sim_dom_check_target(const struct sim_host *h, const struct sim_dom *d,
                         uint64_t target_kb, struct xn_msg *msg);
int sim_dom_set_max(struct sim_host *h, struct sim_dom *d, uint64_t max_kb,
                    struct xn_msg *msg);
int sim_dom_set_vcpus(struct sim_host *h, struct sim_dom *d, uint32_t count,
                      struct xn_msg *msg);
/* Pin one vCPU, or all when vcpu < 0; soft may be NULL (unchanged). */
int sim_dom_pin(struct sim_host *h, struct sim_dom *d, int vcpu,
                const struct cpuset *hard, const struct cpuset *soft,
                struct xn_msg *msg);
/* p->sched HV_SCHED_UNKNOWN accepts any scheduler; another one must be the
 * pool's or the call fails with XN_ENOTSUP.  get fills p. */
int sim_dom_sched_get(struct sim_host *h, struct sim_dom *d,
                      struct hv_sched_params *p, struct xn_msg *msg);
int sim_dom_sched_set(struct sim_host *h, struct sim_dom *d,
                      const struct hv_sched_params *p, struct xn_msg *msg);

/* --- memory image --- */
static inline uint64_t sim_dom_pages(const struct sim_dom *d)
{
    return d->mem_kb / SIM_PAGE_KB;
}
static inline uint32_t sim_dom_page_gen(const struct sim_dom *d,
                                        uint64_t pfn)
{
    return d->page_gen ? d->page_gen[pfn] : 0;
}
/* The guest wrote to page `pfn`: its content changes (generation + 1),
 * and its bit is set in the log while log-dirty mode is on. */
int sim_dom_dirty_page(struct sim_dom *d, uint64_t pfn);
/* Install generations (pages entries, copied; NULL = all 0) and seed. */
int sim_dom_set_image(struct sim_dom *d, uint64_t seed, const uint32_t *gens);

/* --- writes to memory (sim_dirty.c); the type is above sim_dom --- */
/* Make the writes of d's running time up to now. */
void sim_dom_dirty_settle(struct sim_host *h, struct sim_dom *d);
/* A new write rate (KiB/s, 0: none) and working set (a fraction of the
 * pages, (0, 1]; 0 = all), from now on: the writes up to now are made at
 * the old rate first. */
void sim_dom_set_dirty(struct sim_host *h, struct sim_dom *d,
                       uint64_t rate_kb_s, double set);
/* The pages d writes to: its working set, at least 1 (0 without pages). */
uint64_t sim_dom_dirty_set_pages(const struct sim_dom *d);
/* Log-dirty mode: start (a clear log over the pages d has now; XN_ENOMEM)
 * and stop (the log is freed).  Starting twice clears the log. */
int sim_dom_log_dirty_start(struct sim_dom *d);
void sim_dom_log_dirty_stop(struct sim_dom *d);
/* Pages written since the log was started or last taken. */
uint64_t sim_dom_log_dirty_count(const struct sim_dom *d);
/* Hand the log over and start a clear one: *map_r (malloc'd, the caller
 * frees it) has bit pfn % 64 of word pfn / 64 set for each page written;
 * its pages in *count_r.  XN_ENOMEM (the log kept), XN_ESTATE when the
 * mode is off. */
int sim_dom_log_dirty_take(struct sim_dom *d, uint64_t **map_r,
                           uint64_t *count_r);

/* --- guest memory (sim_balloon.c); the types are above sim_dom --- */
/* Advance every guest's balloon and workload to `now` (the host's clock
 * when 0): balloons move (growth only into free host memory), demand
 * follows its trace, PSI and swap follow demand, OOM kills are counted.
 * Runs in steps of at most one second of model time, all domains in step.
 * Only running guests change; the others' clocks just move on. */
void sim_host_mem_advance(struct sim_host *h, uint64_t now);
/* Advance one domain to the host's clock (before its target or state
 * changes, so what follows starts from now). */
void sim_dom_mem_settle(struct sim_host *h, struct sim_dom *d);
/* Does d's guest need sim_host_mem_advance now: running, with an agent, a
 * demand model, or a balloon still on its way?  The driver's timer runs
 * only while some guest does. */
bool sim_dom_mem_active(const struct sim_dom *d);
/* Does d's balloon follow a new target at once (FOLLOW at speed 0)?  Then
 * sim_dom_set_target refuses growth the host cannot give; otherwise it
 * accepts any target up to the maximum and the balloon moves later. */
bool sim_dom_balloon_at_once(const struct sim_dom *d);
/* The agent's report of d as it would write it now: XN_ENOENT when the
 * guest has no agent or is not running. */
struct memreport;
int sim_dom_memreport(const struct sim_dom *d, struct memreport *r);
/* Change a guest's behaviour (its state is kept).  It applies from the
 * guest's last advance: advance first to make it apply from now. */
void sim_dom_set_guest_mem(struct sim_dom *d, const struct sim_guest_mem *gm);
/* The workload's demand at model time t (nanoseconds since the guest was
 * made, or since LEAK's last kill), without side effects. */
uint64_t sim_workload_demand(const struct sim_guest_mem *gm, uint64_t t_ns);

/* --- PCI devices (sim_host_pci.c) ---
 *
 * The host's PCI functions as passthrough sees them (docs/sim-host.md,
 * "PCI devices"): an address, the host driver bound to it ("" for none,
 * "pciback" once it is assignable), the driver it had before pciback (for
 * a rebind), and the domain it is assigned to with its virtual slot there.
 * A domain's devices go back to the host (still bound to pciback) when the
 * domain is removed, however it goes.  The model keeps its own invariants
 * and says why it refuses; hv.c words the refusals clients see first.
 */
#define SIM_PCI_MAX 256             /* devices a host may have */
#define SIM_PCI_DRIVER_MAX 32       /* a driver's name and its NUL */
#define SIM_PCI_NAME_MAX 64         /* a device's description and its NUL */
#define SIM_PCI_SLOTS 32            /* virtual slots 00-1f of a domain */
#define SIM_PCI_PCIBACK "pciback"

/* Plain data, kept by the host (sorted by address). */
struct sim_pcidev {
    struct hv_pci_addr addr;
    char name[SIM_PCI_NAME_MAX];    /* what it is, for people; may be "" */
    char driver[SIM_PCI_DRIVER_MAX];    /* bound now; "" when none */
    char was[SIM_PCI_DRIVER_MAX];   /* bound before pciback; "" when none */
    uint32_t domid;                 /* assigned to, or HV_NO_DOMAIN */
    int vslot;                      /* its slot there, -1 when free */
};

/* A device the host has, bound to `driver` ("" none, "pciback":
 * assignable from the start).  XN_EEXIST for an address given twice;
 * XN_EINVAL for a name or driver too long, or beyond SIM_PCI_MAX
 * devices. */
int sim_pci_add(struct sim_host *h, const struct hv_pci_addr *a,
                const char *driver, const char *name, struct xn_msg *msg);
uint32_t sim_pci_count(const struct sim_host *h);
/* The i-th device by address (i < sim_pci_count); valid until the next
 * sim_pci_add or sim_host_free. */
const struct sim_pcidev *sim_pci_at(const struct sim_host *h, uint32_t i);
/* NULL when the host has no such device. */
const struct sim_pcidev *sim_pci_get(const struct sim_host *h,
                                     const struct hv_pci_addr *a);
/* Bind to pciback, remembering the driver it leaves; already bound: 0.
 * XN_ENOENT, or XN_EBUSY while assigned. */
int sim_pci_bind(struct sim_host *h, const struct hv_pci_addr *a,
                 struct xn_msg *msg);
/* Unbind from pciback; with `rebind` the driver it had before is bound
 * again, else it is left with none.  XN_ENOENT, XN_EBUSY while assigned,
 * XN_ESTATE when not bound to pciback. */
int sim_pci_unbind(struct sim_host *h, const struct hv_pci_addr *a,
                   bool rebind, struct xn_msg *msg);
/* Assign to domain `domid` (which must exist and not be dying) in slot
 * `vslot`, or the first free slot from 0 when vslot < 0; the slot in
 * *vslot_r (may be NULL).  XN_ENOENT, XN_ESTATE when not bound to
 * pciback, XN_EBUSY when assigned already, the slot is taken or the
 * domain has no free slot. */
int sim_pci_assign(struct sim_host *h, const struct hv_pci_addr *a,
                   uint32_t domid, int vslot, int *vslot_r,
                   struct xn_msg *msg);
/* Take it back from `domid` (it stays bound to pciback).  XN_ENOENT when
 * the host has no such device or it is not assigned to domid. */
int sim_pci_release(struct sim_host *h, const struct hv_pci_addr *a,
                    uint32_t domid, struct xn_msg *msg);
/* Take back every device of domid (sim_dom_remove does); how many. */
uint32_t sim_pci_release_dom(struct sim_host *h, uint32_t domid);
/* How many devices domid has. */
uint32_t sim_pci_dom_count(const struct sim_host *h, uint32_t domid);

/* --- time --- */
/* When the next timed action is due; false when none is queued. */
bool sim_host_next_due(struct sim_host *h, uint64_t *due_r);
/* Run actions due by now until one yields an event (true, *ev_r filled) or
 * none is left due (false). */
bool sim_host_step(struct sim_host *h, struct sim_event *ev_r);

#endif
