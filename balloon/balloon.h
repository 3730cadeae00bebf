/*
 * balloon.h - what the ballooning service's files share.  Nothing outside
 * balloon/ includes it.
 *
 *   balloon_service.c   the service's entry: keys, options, open/close, ops
 *   balloon_doms.c      the domains it knows: policy, configuration, memo
 *   balloon_reports.c   the guests' memory reports, by xenstore watch
 *   balloon_pass.c      one pass: gather, plan (plan.c), apply in jobs
 *   balloon_reserve.c   reservations: the start gate and mem-reserve
 *   balloon_status.c    balloon.status, events and metrics
 */
#ifndef XENITH_BALLOON_H
#define XENITH_BALLOON_H

#include <stdbool.h>
#include <stdint.h>

#include "balloon/plan.h"
#include "daemon/service.h"
#include "memreport.h"

struct pacer;
struct xsc_watch;
struct metric;

/* One domain, as the service knows it. */
struct bdom {
    uint32_t domid;
    uint8_t uuid[16];
    char name[HV_NAME_MAX];
    bool gone;                  /* died: dropped at the next pass */
    /* configuration: what the domain was made with, recorded in
     * /vm/UUID/xenith/balloon/ the first time it is seen (libxl reports
     * the current target and maximum as the configuration later) */
    uint64_t cfg_kb;
    uint64_t static_max_kb;
    /* policy (balloon.*), parsed */
    int managed;                /* 1, 0, or -1: the default */
    uint64_t min_kb, max_kb, need_kb;
    uint32_t weight, buffer_pct;
    /* the latest report */
    struct memreport report;
    bool has_report;
    uint64_t report_ns;         /* when it was read */
    uint64_t read_ns;           /* when the node was last read */
    bool report_dirty;          /* changed since, not read yet */
    bool report_bad_logged;     /* a bad report was logged: once */
    /* the planner's memory, and what it decided last */
    struct bplan_memo memo;
    struct bplan_dom last;
    /* actions waiting for the domain's job */
    uint64_t want_target, want_max;     /* 0: none */
    bool job_queued;
};

/* A reservation of host memory. */
enum resv_state { RESV_WAITING, RESV_HELD };

struct resv {
    uint64_t id;
    uint64_t kb;
    char what[HV_NAME_MAX];     /* the domain starting, "" for mem-reserve */
    enum resv_state state;
    uint64_t asked_ns;
    uint64_t expires_ns;        /* waiting: give up; held: expire */
    uint64_t hold_ns;           /* mem-reserve: how long to hold */
    /* who is told: a start gate's reply, or a client's request */
    start_reply_fn *reply;
    void *reply_arg;
    const struct start_info *si;
    struct request *req;
    struct resv *next;
};

struct balloon {
    struct daemon *d;
    struct bplan_params params;
    uint64_t interval_ns;       /* the slow periodic check */
    uint64_t resv_timeout_ns;   /* a start waits this long for memory */
    struct bdom *doms;          /* sorted by domid */
    size_t n_doms, cap_doms;
    struct resv *resv;          /* in the order asked */
    uint64_t next_resv_id;
    struct bus_sub *sub;
    struct xsc_watch *watch;
    struct pacer *pacer;        /* when passes run */
    struct bplan_summary sum;   /* the last pass's */
    uint64_t free_kb;           /* the host's free memory at the last pass */
    bool in_motion;             /* targets not reached: pass again soon */
    struct {
        struct metric *target, *need, *pressure;     /* per domain */
        struct metric *stuck, *uncoop, *reserved, *short_kb;
        struct metric *passes, *moved, *became_stuck, *reports_bad;
        struct metric *resv_made, *resv_refused;
    } m;
};

uint64_t balloon_now(void);         /* CLOCK_MONOTONIC, ns */

/* balloon_doms.c */
struct bdom *bdom_find(struct balloon *b, uint32_t domid);
struct bdom *bdom_find_uuid(struct balloon *b, const uint8_t uuid[16]);
/* Start knowing a domain (its configuration, policy and report). */
struct bdom *bdom_add(struct balloon *b, const struct hv_dominfo *info);
void bdom_drop_gone(struct balloon *b);
/* Read balloon.* from a policy. */
void bdom_take_policy(struct bdom *bd, const struct policy *p);
bool bdom_managed(const struct bdom *bd);
/* Know exactly the domains of `list` (sorted by domid, as hv_dom_list
 * gives it): those gone are dropped, new ones added (but a domain being
 * started, until its start is over). */
void bdom_sync_list(struct balloon *b, const struct hv_dominfo *list,
                    size_t n);
/* The same from the hypervisor's list now. */
void bdom_sync(struct balloon *b);
/* The bus: arrivals, deaths, renames, policy, mem-set. */
void balloon_on_event(void *arg, const struct bus_event *ev);

/* balloon_reports.c */
int balloon_reports_open(struct balloon *b, struct xn_msg *msg);
void balloon_reports_close(struct balloon *b);
/* Read the report node of bd now (rate limits are the caller's). */
void balloon_report_read(struct balloon *b, struct bdom *bd);
/* Read the reports that changed and were held back by the rate limit. */
void balloon_reports_catch_up(struct balloon *b);

/* balloon_pass.c */
/* A pass at the next turn of the loop (several asks make one pass). */
void balloon_pass_soon(struct balloon *b);
int balloon_timer_open(struct balloon *b, struct xn_msg *msg);
void balloon_timer_close(struct balloon *b);
/* Plan without acting, with `extra_kb` more reserved: what could still be
 * freed.  False when the host cannot be read. */
bool balloon_dry_run(struct balloon *b, uint64_t extra_kb,
                     struct bplan_summary *sum, uint64_t *free_kb);

/* balloon_reserve.c */
extern const struct start_gate balloon_gate;
uint64_t balloon_reserved_kb(const struct balloon *b);
/* Is dom a domain being started, whose reservation is held?  The pass
 * leaves it alone until the start is over. */
bool balloon_starting(const struct balloon *b, const struct hv_dominfo *dom);
/* The reservations less what domains being started already hold of
 * them (counting both would count their memory twice). */
uint64_t balloon_reserved_now(const struct balloon *b,
                              const struct hv_dominfo *list, size_t n);
/* After a pass: grant what fits, refuse what cannot, expire old ones. */
void balloon_reservations_step(struct balloon *b, uint64_t free_kb);
bool balloon_reservations_waiting(const struct balloon *b);
void balloon_reservations_close(struct balloon *b);
void balloon_op_reserve(void *self, struct request *r);
void balloon_op_release(void *self, struct request *r);

/* balloon_status.c */
int balloon_metrics_open(struct balloon *b, struct xn_msg *msg);
void balloon_publish(struct balloon *b, const struct bdom *bd,
                     const char *what, struct json_object *detail);
struct json_object *balloon_status_json(struct balloon *b);
/* The per-domain and host figures of a pass (pd[i] is b->doms[owner[i]]). */
void balloon_status_metrics(struct balloon *b, const struct bplan_dom *pd,
                            const size_t *owner, size_t n);
void balloon_op_status(void *self, struct request *r);

/* "1024 MiB" (or KiB when not whole MiB) into buf. */
const char *balloon_fmt_kb(uint64_t kb, char *buf, size_t len);

#endif
