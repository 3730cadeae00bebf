/*
 * ops.h - helpers shared by the operations (ops_*.c) and their handlers.
 *
 * Operations on one domain go through op_sync or op_async: they resolve the
 * request's "dom" argument (a name or an id), wait for the domain's turn in
 * the job queue (jobs.c), run, and answer.
 */
#ifndef XENITH_OPS_H
#define XENITH_OPS_H

#include "daemon.h"

/* A quick operation: fills *result_r (may stay NULL) or returns <0 with
 * msg set.  The caller replies and releases the job. */
typedef int op_sync_fn(struct request *r, uint32_t domid,
                       struct json_object **result_r, struct xn_msg *msg);

/* A long operation: must end with exactly one op_done(r, domid, ...). */
typedef void op_async_fn(struct request *r, uint32_t domid);

void op_sync(struct request *r, op_sync_fn *fn);
void op_async(struct request *r, op_async_fn *fn);
/* Finish an op_async operation: release the domain's job and answer. */
void op_done(struct request *r, uint32_t domid, int rc,
             const struct xn_msg *msg, struct json_object *take_result);

/* Resolve the "dom" argument. */
int op_lookup(struct request *r, uint32_t *domid_r, struct xn_msg *msg);

/* A small result object {"domid": N, "name": "..."}. */
struct json_object *op_domref(uint32_t domid, const char *name);

/* The name of a domain, or "" if it is gone; into buf (HV_NAME_MAX). */
const char *op_domname(struct daemon *d, uint32_t domid, char *buf);

/* Handlers, one per operation, grouped by file. */
typedef void op_handler(struct request *r);
/* ops_host.c */
op_handler op_host_info, op_daemon_info, op_events_subscribe;
/* ops_domain.c */
op_handler op_dom_list, op_dom_info, op_dom_create, op_dom_destroy,
    op_dom_pause, op_dom_unpause, op_dom_rename;
/* ops_power.c */
op_handler op_dom_shutdown;
/* ops_resources.c */
op_handler op_mem_target, op_mem_max, op_vcpu_list, op_vcpu_set,
    op_vcpu_pin;
/* ops_sched.c */
op_handler op_sched_get, op_sched_set, op_pool_list, op_pool_sched_get,
    op_pool_sched_set;
/* ops_save.c */
op_handler op_dom_save, op_dom_restore;
/* ops_policy.c */
op_handler op_policy_get, op_policy_set;
/* ops_metrics.c */
op_handler op_metrics_get;

#endif
