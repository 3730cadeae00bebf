/*
 * ops.h - helpers shared by the core's operations (ops_*.c).
 *
 * Operations on one domain go through op_sync or op_async: they resolve the
 * request's "dom" argument (a name or an id), wait for the domain's turn
 * (its job, by UUID: jobs.h), find the domain again by its UUID (its id may
 * have changed meanwhile, by a restart), run, and answer.
 */
#ifndef XENITH_OPS_H
#define XENITH_OPS_H

#include "daemon/bus.h"
#include "daemon/daemon.h"
#include "daemon/jobs.h"

/* A quick operation: fills *result_r (may stay NULL) or returns <0 with
 * msg set.  The caller replies and ends the job. */
typedef int op_sync_fn(struct request *r, uint32_t domid,
                       struct json_object **result_r, struct xn_msg *msg);

/* A long operation: must end with exactly one op_done(r, token, ...). */
typedef void op_async_fn(struct request *r, uint32_t domid, job_token token);

void op_sync(struct request *r, op_sync_fn *fn);
void op_async(struct request *r, op_async_fn *fn);
/* Finish an op_async operation: end the domain's job and answer. */
void op_done(struct request *r, job_token token, int rc,
             const struct xn_msg *msg, struct json_object *take_result);

/* Resolve the "dom" argument. */
int op_lookup(struct request *r, struct hv_dominfo *info_r,
              struct xn_msg *msg);

/* A small result object {"domid": N, "name": "..."}. */
struct json_object *op_domref(uint32_t domid, const char *name);

/* Publish a domain event about domain `domid` as it is now. */
void op_publish(struct daemon *d, enum bus_type type, uint32_t domid);

/* Handlers, one per operation, grouped by file. */
typedef void op_handler(struct request *r);
/* ops_host.c */
op_handler op_host_info, op_daemon_info, op_events_subscribe,
    op_services_list;
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
/* ops_pci.c */
op_handler op_pci_assignable_list, op_pci_assignable_add,
    op_pci_assignable_remove, op_pci_list, op_pci_attach, op_pci_detach;
/* Add "pci": [{"addr", "vslot"}, ...] to a domain record (an object with
 * a "domid"), or to each record of an array of them: the devices the
 * domain has; [] when none, or when the host has no passthrough. */
void op_pci_annotate(struct daemon *d, struct json_object *recs);

#endif
