/*
 * plan.h - the balancer's decisions, as a pure function: the host's free
 * memory, the domains' policy, memory and reports in; new targets, maxima
 * and states out.  No I/O, no clock, no hypervisor: balloon_service.c
 * gathers the state and applies the actions, the bench replays traces
 * through it, and test_balloon_plan.c checks it.
 *
 * Memory is in KiB, time in nanoseconds of a monotonic clock.
 *
 * How one pass decides (docs/balloon.md has the reasoning):
 *  1. Bounds.  lo = the policy's min, else the configured memory for a
 *     domain that does not report, else max(BPLAN_FLOOR_KB, configured/4)
 *     for one that does; hi = the policy's max, else the static maximum
 *     (never above it); lo <= hi.
 *  2. Need.  From a new report: used (total - avail) plus the buffer;
 *     raised while PSI or swap-in show pressure, lowered slowly (the idle
 *     tax) while it is idle.  The admin's need (mem-set) replaces it.
 *     Without a report: lo.  Always within [lo, hi].
 *  3. Goals.  Memory for the flexible domains (managed, not stuck) is the
 *     host's free memory plus what they hold, less the reserve, less the
 *     reservations, less what fixed domains are still growing into.  Each
 *     gets lo; then the needs above lo, by weight when short; then what is
 *     left, by weight up to hi (not for a domain with an admin need).
 *  4. Actions.  Lowers first: a target falls at most step_kb per second
 *     below what the domain holds.  Raises only from memory free now (the
 *     freed memory seen in the host's free figure, not memory in flight),
 *     needs before excess.  Small changes (the deadband) are not made
 *     unless memory is short.
 *  5. Progress.  A domain asked to shrink that has not moved by slack_kb
 *     for stuck_ns is stuck: its max is clamped to what it holds and its
 *     memory counts as fixed; after uncoop_ns more it is uncooperative.
 *     When it moves again it has recovered: its max is given back.
 */
#ifndef XENITH_BALLOON_PLAN_H
#define XENITH_BALLOON_PLAN_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "memreport.h"

#define BPLAN_FLOOR_KB (64u * 1024)     /* the least a reporting guest gets */
#define BPLAN_WEIGHT_DEFAULT 100        /* balloon.weight: 1..10000 */
#define BPLAN_WEIGHT_MAX 10000
#define BPLAN_BUFFER_DEFAULT 20         /* balloon.buffer, percent: 5..2000 */
#define BPLAN_BUFFER_MIN 5
#define BPLAN_BUFFER_MAX 2000

struct bplan_params {
    uint64_t reserve_kb;        /* host free memory always kept */
    uint64_t step_kb;           /* most a target falls per second */
    uint64_t slack_kb;          /* this close to its target counts as there;
                                 * moving this much counts as progress */
    uint64_t stuck_ns;          /* no progress this long: stuck */
    uint64_t uncoop_ns;         /* stuck this long: uncooperative */
    uint64_t report_age_ns;     /* older reports are not used */
    uint32_t psi_raise;         /* PSI some avg10 (hundredths of %) from
                                 * which the need is raised */
    uint32_t idle_tax_pct;      /* % of the need above use given up per
                                 * minute while idle */
};

/* The defaults xenithd runs with (reserve 128 MiB, step 256 MiB/s, slack
 * 4 MiB, stuck 30 s, uncooperative 120 s, reports 30 s, PSI 1.00 %, tax
 * 10 %/min). */
void bplan_params_default(struct bplan_params *p);

enum bplan_state {
    BPLAN_OK = 0,
    BPLAN_STUCK,                /* fixed at what it holds, max clamped */
    BPLAN_UNCOOP,               /* stuck for long: left out */
};

const char *bplan_state_name(enum bplan_state s);   /* "ok", "stuck", ... */

/* What the planner remembers about a domain from one pass to the next.
 * The caller keeps it (zeroed for a new domain) and hands it back; the
 * planner updates it in place. */
struct bplan_memo {
    uint64_t need_kb;           /* the need estimate, 0 = none yet */
    uint64_t seq;               /* last report's seq taken into the need */
    uint64_t seq_ns;            /* when that report was taken */
    uint64_t progress_kb;       /* what it held when it last moved down */
    uint64_t progress_ns;       /* when */
    uint64_t lowered_ns;        /* when a lower target was last given */
    uint64_t stuck_ns;          /* when it became stuck */
    enum bplan_state state;
    bool clamped;               /* its max is clamped to progress_kb */
};

struct bplan_dom {
    /* in */
    uint32_t domid;
    bool managed;               /* false: fixed, never touched */
    uint64_t cfg_kb;            /* configured memory (xl.cfg memory=) */
    uint64_t static_max_kb;     /* configured maximum (maxmem=) */
    uint64_t min_kb;            /* policy balloon.min, 0 = default */
    uint64_t max_kb;            /* policy balloon.max, 0 = default */
    uint32_t weight;            /* 0 = default */
    uint32_t buffer_pct;        /* 0 = default */
    uint64_t admin_kb;          /* the admin's need (mem-set), 0 = none */
    uint64_t target_kb;         /* the balloon target now; after the pass,
                                 * the target the actions set */
    uint64_t actual_kb;         /* what it holds now */
    const struct memreport *report; /* latest report, NULL = none */
    uint64_t report_ns;         /* when it arrived */
    /* in and out */
    struct bplan_memo memo;
    /* out: what the pass decided, for status */
    uint64_t lo_kb, hi_kb, need_kb, goal_kb;
    uint32_t pressure;          /* the report's some10, 0 without one */
};

enum bplan_act_type {
    BPLAN_SET_TARGET = 1,       /* kb: the new balloon target */
    BPLAN_SET_MAX,              /* kb: the new hypervisor maximum */
    BPLAN_STATE,                /* state: it became this (an event) */
};

struct bplan_action {
    enum bplan_act_type type;
    uint32_t domid;
    size_t index;               /* into the doms array */
    uint64_t kb;
    enum bplan_state state;
};

struct bplan_host {
    uint64_t now_ns;
    uint64_t free_kb;           /* the host's free memory now */
    uint64_t reserved_kb;       /* reservations held or being made */
};

struct bplan_summary {
    uint64_t reclaimable_kb;    /* what lowering the flexible domains to lo
                                 * would still free */
    uint64_t need_kb;           /* the needs of the managed domains */
    uint64_t short_kb;          /* needs not met by the goals */
    uint64_t lowered_kb;        /* sum of the target decreases made */
    uint64_t raised_kb;         /* ... increases */
    uint32_t stuck, uncoop;     /* domains in these states after the pass */
};

/* At most this many actions come from n domains. */
#define BPLAN_ACTS_MAX(n) (3 * (n))

/*
 * One pass over doms[0..n).  acts must hold BPLAN_ACTS_MAX(n); the actions
 * come in the order they must be applied: every SET_MAX that clamps and
 * every lower target before any raise, a SET_MAX that gives a max back
 * after its domain's target.  Returns the number of actions, or -1 when
 * out of memory (the planner sorts into scratch space).  sum may be NULL.
 */
int bplan_run(const struct bplan_params *p, const struct bplan_host *h,
              struct bplan_dom *doms, size_t n, struct bplan_action *acts,
              struct bplan_summary *sum);

/*
 * Share `amount` between n claims: claim i gets at most cap[i], in
 * proportion to weight[i] (water-filling: every claim not at its cap gets
 * the same amount per unit of weight).  Writes each share to out[i];
 * returns what was handed out (<= amount).  Weights of 0 count as 1.
 * -1 when out of memory.  Used by the planner and by the bench's
 * reference policy.
 */
int64_t bplan_share(uint64_t amount, const uint64_t *cap,
                    const uint32_t *weight, size_t n, uint64_t *out);

#endif
