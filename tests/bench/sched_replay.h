/*
 * sched_replay.h - the scheduler trace replayed under one policy on a
 * fresh sim host, in 1 s steps of a fake clock, and what the domains got
 * during the trace's overload episodes.
 *
 * Each second s: the CPU each domain got and wanted in second s - 1 is
 * read (sim_dom_cpu_time, sim_dom_wanted_ns) and added up when s - 1 is
 * an overload second; a tuning policy makes its pass at s; then every
 * domain's demand becomes the trace's of second s.
 */
#ifndef XENITH_BENCH_SCHED_REPLAY_H
#define XENITH_BENCH_SCHED_REPLAY_H

#include <stdbool.h>
#include <stdint.h>

#include "sched_trace.h"

enum sched_policy {
    SCHED_POL_XEN = 0,          /* Xen's defaults: weight 256, no cap */
    SCHED_POL_STATIC,           /* the class's base weight, no cap */
    SCHED_POL_XENITH,           /* the service, default settings */
    SCHED_POL_NAIVE,            /* the planner without hysteresis or
                                 * smoothing: the flapping reference */
    SCHED_POL_N,
};

const char *sched_policy_name(enum sched_policy p);

/* The policy's planner settings and smoothing (tuning policies only). */
void sched_policy_params(enum sched_policy p, struct splan_params *sp,
                         uint64_t *tau_ns_r);

/* A tuner's passes count toward an episode from SCHED_REPLAY_PRE_S before
 * its begin_s to SCHED_REPLAY_POST_S after its end_s (the ramp, and the
 * release after leave-after); the others count as outside the episodes
 * (throttles for short overloads of the background). */
#define SCHED_REPLAY_PRE_S 30
#define SCHED_REPLAY_POST_S 60

struct sched_ep_result {
    unsigned starts, raises, ends;  /* the pool's */
    unsigned sets;              /* domains' weights or caps set */
    uint32_t tuned;             /* bit i: domain i was set */
    bool reacted;               /* throttling began in [begin_s, end_s) or
                                 * was on at begin_s */
    unsigned react_s;           /* then: seconds from begin_s */
};

struct sched_replay_result {
    enum sched_policy pol;
    double got_s[SCHED_TRACE_DOMS_MAX];     /* CPU-s got in overload */
    double wanted_s[SCHED_TRACE_DOMS_MAX];  /* CPU-s wanted in overload */
    uint32_t over_s;            /* overload seconds */
    struct sched_ep_result ep[SCHED_TRACE_EPS_MAX];
    struct sched_ep_result outside;     /* passes outside the episodes */
    unsigned episodes;          /* the tuner's throttle starts, all told */
    unsigned sets;              /* the tuner's sets, all told */
    double wall_s;              /* the replay's wall-clock time */
};

/* 0, or -1 (out of memory, or the sim refused the set-up). */
int sched_replay_run(const struct sched_trace *t, enum sched_policy pol,
                     struct sched_replay_result *r);

/* CPU got / wanted by class c's domains in overload, %.  Percentages
 * are rounded down to 0.1. */
double sched_replay_served(const struct sched_replay_result *r,
                           const struct sched_trace *t, enum splan_class c);
/* Domain i's floor kept: CPU got in overload / min(wanted, guarantee x
 * vCPUs x overload seconds), % (100 when it wanted nothing). */
double sched_replay_floor(const struct sched_replay_result *r,
                          const struct sched_trace *t, size_t i);
/* The lowest floor kept by a domain of class c (1e9 when none). */
double sched_replay_class_floor(const struct sched_replay_result *r,
                                const struct sched_trace *t,
                                enum splan_class c);

#endif
