/*
 * schedtune.h - what the scheduler-tuning service's files share.  Nothing
 * outside schedtune/ includes it.
 *
 *   schedtune_service.c  the service's entry: keys, open/close, ops
 *   sched_options.c      its settings (-o sched.*, the configuration file)
 *   sched_doms.c         the domains it knows: class, the admin's values,
 *                        what it set, recorded in /vm/UUID/xenith/sched/
 *   sched_pass.c         one pass: measure (measure.c), plan (plan.c),
 *                        apply in the domains' jobs
 *   sched_status.c       sched.status, events and metrics
 */
#ifndef XENITH_SCHEDTUNE_H
#define XENITH_SCHEDTUNE_H

#include <stdbool.h>
#include <stdint.h>

#include "daemon/service.h"
#include "schedtune/measure.h"
#include "schedtune/plan.h"

struct apply;

/* One domain, as the service knows it. */
struct sdom {
    uint32_t domid;
    uint8_t uuid[16];
    char name[HV_NAME_MAX];
    enum splan_class cls;       /* its sched.class, or the default */
    bool policy_dirty;          /* its policy changed: read it again */
    /* The admin's values (0 = none chosen), and what the domain should be
     * running with as far as the service knows (what it last set, or what
     * it found): a value found different from `expect_*` was set by
     * someone else (xl, xenith sched-credit) and becomes the admin's.
     * Both recorded in /vm/UUID/xenith/sched/ so a restarted daemon, even
     * after kill -9, knows what it had changed. */
    int admin_weight, admin_cap;
    int expect_weight, expect_cap;
    /* as last seen */
    uint32_t poolid, vcpus;
    enum hv_sched sched;
    int weight, cap;
    bool running;
    struct smeasure m;
    /* the planner's decision */
    struct splan_dom plan;
    bool job_queued;
};

/* One cpupool: the planner's state for it, kept between passes. */
struct spool {
    struct splan_pool p;
    char name[HV_NAME_MAX];
    uint32_t ncpus;
};

struct schedtune {
    struct daemon *d;
    struct splan_params params;
    uint64_t interval_ns;       /* between passes */
    uint64_t tau_ns;            /* the measurement's smoothing */
    bool enabled;               /* sched.tune */
    struct sdom *doms;          /* sorted by domid */
    size_t n_doms;
    struct spool *pools;
    size_t n_pools;
    struct splan_dom *plan;     /* scratch for the planner, n_doms */
    struct apply *applies;      /* jobs asked, not yet run */
    struct bus_sub *sub;
    struct pacer *pacer;        /* when passes run; NULL: not tuning */
    uint64_t episodes;          /* started since the daemon started */
    struct {
        struct metric *use, *demand, *throttled;        /* per domain */
        struct metric *util, *overloaded, *n_throttled;
        struct metric *passes, *episodes, *raises, *changes;
    } m;
};

uint64_t sched_now(void);           /* CLOCK_MONOTONIC, ns */

/* sched_options.c */
extern const struct service_option sched_options[];
int sched_read_options(struct schedtune *t, struct xn_msg *msg);

/* sched_doms.c */
struct sdom *sdom_find(struct schedtune *t, uint32_t domid);
/* Know exactly the domains of `list` (sorted by domid): new ones read
 * their class and records, gone ones are dropped.  -1 when out of
 * memory (nothing changed). */
int sdom_sync(struct schedtune *t, const struct hv_dominfo *list, size_t n);
/* Take in what the domain runs with now; values that differ from what
 * the service expected are the admin's from now on. */
void sdom_observe(struct schedtune *t, struct sdom *sd,
                  const struct hv_dominfo *info);
/* What the domain runs with outside episodes (plan.h rule 1). */
void sdom_base(const struct schedtune *t, const struct sdom *sd,
               int *weight_r, int *cap_r);
/* The service has set these (or found them): the expected values. */
void sdom_expect(struct schedtune *t, struct sdom *sd, int weight, int cap);
void sched_on_event(void *arg, const struct bus_event *ev);

/* sched_pass.c */
void sched_pass_soon(struct schedtune *t);
/* Set the domain's weight and cap now (unless the admin changed them
 * since the service last looked: then they are the admin's). */
void sched_set(struct schedtune *t, struct sdom *sd, int weight, int cap);
/* The service is closing: its queued jobs will find nothing to do. */
void sched_jobs_orphan(struct schedtune *t);
/* Put every domain the service throttled or boosted back to its base
 * values (closing: a stopped daemon leaves nothing throttled). */
void sched_restore_all(struct schedtune *t);
int sched_timer_open(struct schedtune *t, struct xn_msg *msg);
void sched_timer_close(struct schedtune *t);

/* sched_status.c */
int sched_metrics_open(struct schedtune *t, struct xn_msg *msg);
void sched_metrics_update(struct schedtune *t);
/* An event "sched"/`what` about a pool's episode. */
void sched_event_pool(struct schedtune *t, const struct spool *sp,
                      const char *what);
void sched_op_status(void *self, struct request *r);
struct json_object *sched_status_summary(void *self);

#endif
