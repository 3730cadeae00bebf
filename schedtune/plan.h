/*
 * plan.h - the scheduler tuner's decisions, as a pure function: the pools,
 * the domains' classes, the admin's values and the measured CPU use in;
 * each domain's weight and cap out.  No I/O, no clock, no hypervisor:
 * schedtune_pass.c gathers and applies, the bench replays traces through
 * it, test_sched_plan.c checks it.
 *
 * CPU amounts are in CPUs' worth (1.0 = one pCPU busy all the time);
 * weights are Xen's (1..65535), caps Xen's percent of one pCPU (0 = none);
 * time is in nanoseconds of a monotonic clock.
 *
 * How a pass decides (docs/sched.md has the reasoning):
 *  1. Base values.  A domain's weight is the admin's when the admin chose
 *     one (admin_weight > 0), else its class's; its cap is the admin's
 *     (admin_cap, 0 = none).  Outside an episode these are what it gets:
 *     the tuner never overwrites an admin value while not throttling.  A
 *     domain's want is its base whenever its pool is not OVERLOADED or
 *     COOLING (NORMAL, HOT, or its pool not in pools[]); UNTUNED: rule 6.
 *     Weights are clamped to 1..65535 (a valid admin weight is kept
 *     exactly); a class out of range counts as normal.
 *  2. Demand.  Known demand (the driver reports time runnable but not
 *     running) is used as it is.  Unknown demand is the use, except while
 *     the pool is full (util >= enter): then a domain is assumed to want
 *     all it may run (its vCPUs, or its base cap if lower; never less than
 *     its use), since a full pool hides how much more it would take.
 *     Negative or NaN amounts count as 0.  A domain whose pool is missing
 *     has no util: its unknown demand is its use.
 *  3. Pressure = the pool's demand / its CPUs (0 for a pool without CPUs).
 *     A domain is "protectable" when its class is protected (critical,
 *     high, dom0: ranked above normal) and it has vCPUs and its demand is
 *     at least a quarter of them.  The pool is contended when, besides,
 *     some domain of a class with an overload cap uses at least
 *     SPLAN_BUSY_MIN CPU (else throttling would take from no one: a pool
 *     filled by dom0 alone is not overloaded).  The pool is HOT while
 *     pressure >= enter and some domain is protectable and it is
 *     contended; HOT for enter_ns makes it OVERLOADED
 *     (an episode starts); a pass not hot sends HOT back to NORMAL, so the
 *     enter_ns must be continuous.  While OVERLOADED, pressure < leave or
 *     nothing protectable (or not contended) makes it COOLING; COOLING for leave_ns ends the
 *     episode (back to NORMAL, every domain back to its base values);
 *     pressure back up (>= leave, something protectable) returns COOLING
 *     to OVERLOADED within the same episode: the level is kept and no new
 *     episode is counted.  A zero enter_ns or leave_ns takes the step in
 *     the same pass.  Time that goes backwards counts as none passed.
 *  4. Level.  At the start of an episode the tuner predicts (fairshare()
 *     over the pool's CPUs, each domain limited by its demand, its vCPUs
 *     and the cap it would run with, weighted by the weight it would run
 *     with) what each domain of a protected rank (dom0, critical, high)
 *     would get at level 0 (critical and dom0 weights boosted), 1 (and the
 *     low class capped), 2 (and normal capped), 3 (and high capped).  Such
 *     a domain falls short by what it gets below min(97 % of its demand,
 *     its guaranteed share), its demand counted no higher than its vCPUs
 *     and its base cap allow.  The tuner takes the lowest level from 1 up
 *     (SPLAN_LEVEL_START: an episode always caps the low class, since a
 *     boosted weight alone still lets every low vCPU take its slices and a
 *     cap bounds what the least important work takes whatever the
 *     scheduler does) at which none falls short, or failing that the level with the least total
 *     shortfall (a higher level only when it gains over 0.01 CPU).  High
 *     is checked too, so an episode that protectable high domains started
 *     caps normal and low for them; capping high never takes it below its
 *     guarantee (its cap is at least that), so level 3 is chosen only when
 *     it helps others without hurting high's guarantee.  During an episode
 *     the level only rises, at most once per enter_ns since the last rise
 *     (or the start), only while OVERLOADED (not COOLING), to the level the
 *     same prediction with the present demands picks from the present one
 *     up (so only when someone is still short); it never falls until the
 *     episode ends: one throttle and one release per episode.  Level is
 *     -1 outside episodes (a zeroed pool's 0 is reset to -1).
 *  5. Throttled domain (its class capped at the level, class cap > 0):
 *     cap = round(class cap x vCPUs x 100), at least round(guarantee x
 *     vCPUs x 100) and at least 1, at most 65535; the admin's cap instead
 *     when it is non-zero and lower (then the tuner did not cap it, and
 *     `throttled` stays false).  Its weight stays its base.  Protected
 *     domain (a class with boost > 1: critical, dom0 by default) during an
 *     episode: weight = round(base x boost), at most 65535.  Critical and
 *     dom0 are never capped by the tuner (their class cap is 0).
 *  6. Pools whose scheduler has no weights (anything but credit and
 *     credit2, including unknown) are left alone: UNTUNED, a note, and
 *     every domain in them wants what it runs with now (want == weight,
 *     cap), so nothing is ever set there.  A pool that turns UNTUNED
 *     mid-episode ends the episode (counted in `ended`).
 *
 * Domains carry no memory of their own: each pass computes their wants
 * from their present class and their pool's state, so a domain that
 * appears mid-episode, or changes class, gets its treatment at once.
 */
#ifndef XENITH_SCHEDTUNE_PLAN_H
#define XENITH_SCHEDTUNE_PLAN_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "hv_types.h"

/* Classes in order of importance; their names are sched.class's values. */
enum splan_class {
    SPLAN_DOM0 = 0,             /* Domain-0 unless its policy says else */
    SPLAN_CRITICAL,
    SPLAN_HIGH,
    SPLAN_NORMAL,               /* a domain with no class */
    SPLAN_LOW,
    SPLAN_NCLASS,
};

struct splan_class_params {
    int weight;                 /* base weight, 1..65535 */
    double guarantee;           /* pCPU per vCPU protected (0..1) */
    double cap;                 /* pCPU per vCPU when throttled (0..1);
                                 * 0 = never throttled */
    double boost;               /* weight factor when protected (>= 1);
                                 * 1 = not protected */
};

struct splan_params {
    struct splan_class_params cls[SPLAN_NCLASS];
    double enter;               /* pressure that starts an episode */
    double leave;               /* pressure below which it ends */
    uint64_t enter_ns;          /* HOT this long: OVERLOADED */
    uint64_t leave_ns;          /* COOLING this long: NORMAL */
};

/* The defaults xenithd runs with:
 *   class     weight  guarantee  cap   boost
 *   dom0        512     0.50     -      4
 *   critical   1024     1.00     -      8
 *   high        512     0.50    0.75    1
 *   normal      256     0.25    0.50    1
 *   low         128     0.10    0.15    1
 * enter 0.95, leave 0.80, enter after 3 s, leave after 10 s. */
void splan_params_default(struct splan_params *p);

/* "dom0", "critical", ... ; NULL for an out-of-range value. */
const char *splan_class_name(enum splan_class c);
/* -1 when `name` is not a class. */
int splan_class_parse(const char *name);

enum splan_state {
    SPLAN_NORMAL_STATE = 0,     /* no episode */
    SPLAN_HOT,                  /* above enter, not yet for enter_ns */
    SPLAN_OVERLOADED,           /* episode: throttling */
    SPLAN_COOLING,              /* episode, below leave, not yet leave_ns */
    SPLAN_UNTUNED,              /* scheduler without weights: left alone */
};
const char *splan_state_name(enum splan_state s);

/* One cpupool.  The caller keeps these between passes: the state fields
 * are the planner's memory. */
struct splan_pool {
    /* in */
    uint32_t poolid;
    enum hv_sched sched;
    double ncpus;               /* pCPUs in the pool */
    /* kept: the planner's, zero-initialise for a new pool */
    enum splan_state state;
    uint64_t since_ns;          /* when it entered `state` */
    int level;                  /* -1 = not throttling; else 0..3 */
    uint64_t level_ns;          /* when the level last rose */
    /* out, for status */
    double util;                /* use / ncpus */
    double pressure;            /* demand / ncpus */
    const char *note;           /* static text or NULL ("scheduler rtds
                                 * has no weights: not tuned") */
};

struct splan_dom {
    /* in */
    uint32_t domid;
    uint32_t poolid;
    enum splan_class cls;
    uint32_t vcpus;             /* online */
    double use;                 /* smoothed CPUs used */
    double demand;              /* smoothed CPUs wanted (>= use) */
    bool demand_known;          /* else demand is ignored (rule 2) */
    int weight, cap;            /* the values it runs with now */
    int admin_weight;           /* the admin's, 0 = none (class weight) */
    int admin_cap;              /* the admin's, 0 = none */
    /* out */
    double demand_est;          /* rule 2's demand */
    int want_weight, want_cap;  /* what it should run with */
    bool throttled;             /* capped by the tuner */
    bool protected_;            /* weight boosted by the tuner */
};

/* Counts of what a pass decided, for events and the bench. */
struct splan_result {
    unsigned started;           /* episodes that began (pools) */
    unsigned raised;            /* levels that rose within an episode */
    unsigned ended;             /* episodes that ended */
    unsigned changes;           /* domains whose want differs from now */
};

/* One pass at `now`.  pools[] and doms[] in any order (poolids unique);
 * a domain whose pool is not in pools[] gets its base values.  Fills the
 * out fields of both and updates the pools' kept fields; `res` is set
 * (NULL: not wanted).  O(n log n) in the domains.  -1 (errno ENOMEM) when
 * out of memory, with nothing changed; else 0. */
int splan_run(const struct splan_params *p, uint64_t now,
              struct splan_pool *pools, size_t n_pools,
              struct splan_dom *doms, size_t n_doms,
              struct splan_result *res);

/* Rules 1 and 5 for one domain: fills d's want_weight, want_cap,
 * throttled and protected_ for `level` (-1: no episode, base values). */
void splan_dom_want(const struct splan_params *p, struct splan_dom *d,
                    int level);

#define SPLAN_LEVEL_MAX 3
#define SPLAN_BUSY_MIN 0.05     /* CPUs: a cappable domain counts as busy */
/* The least level an episode starts at: the low class is always capped
 * (rule 4). */
#define SPLAN_LEVEL_START 1

/* Rule 4's prediction for a pool of `ncpus` holding doms[0..n) (their
 * demand_est filled): the level from `from` (0..3) up at which no domain
 * of a protected rank falls short, else the one with the least shortfall
 * (`from` itself when nothing higher gains).  `ws` (3n doubles) and
 * `order` (n entries) are the caller's scratch.  O(n log n), no
 * allocation. */
int splan_level_pick(const struct splan_params *p,
                     struct splan_dom *const *doms, size_t n, double ncpus,
                     int from, double *ws, size_t *order);

#endif
