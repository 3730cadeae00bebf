/*
 * service.h - what a service of xenithd is, and the core it plugs into.
 *
 * A service (balloon/, migration/, schedtune/) is one `struct service`,
 * listed in main.c's table.  The core opens the services in the table's
 * order after its own modules and closes them in reverse.  A service
 *   - adds control operations, named "SERVICE.verb" (dispatch.c tries the
 *     core's table first, then each service's);
 *   - owns policy keys, named "SERVICE.key", and checks their values and
 *     their combinations (policy_keys.h);
 *   - reacts to events by subscribing to the bus (bus.h) in its open;
 *   - acts on domains through the hypervisor interface (hv.h) inside the
 *     domain's job (jobs.h), like client requests;
 *   - paces its passes with a pacer (pacer.h);
 *   - may gate domain starts (start.h: start_gate_add);
 *   - publishes figures in the metrics registry (metrics.h) and answers
 *     `status` for `xenith services`.
 * It keeps its decisions in a pure planner of its own (state in, actions
 * out) and its I/O at these edges, and includes no other service's
 * headers.
 */
#ifndef XENITH_DAEMON_SERVICE_H
#define XENITH_DAEMON_SERVICE_H

#include <json.h>

#include "daemon/bus.h"
#include "daemon/daemon.h"
#include "daemon/jobs.h"
#include "daemon/metrics.h"
#include "daemon/pacer.h"
#include "daemon/policy_keys.h"
#include "daemon/policy_mirror.h"
#include "daemon/start.h"
#include "err.h"
#include "hv.h"

struct service_op {
    const char *op;                 /* "balloon.status"; NULL ends a table */
    void (*handler)(void *self, struct request *r);
};

/* A setting of the service itself (not of a domain), given to xenithd as
 * `-o SERVICE.NAME=VALUE`; the service reads it with daemon_option() in
 * its open and refuses a bad value there. */
struct service_option {
    const char *name;               /* "balloon.reserve"; NULL ends a table */
    const char *help;               /* "SIZE: host memory kept free ..." */
};

struct service {
    const char *name;               /* "balloon": prefixes its keys, ops */
    const char *summary;            /* one line, for `xenith services` */
    /* Set up; *self_r is the service's state, handed back to every other
     * call.  May be NULL (no state). */
    int (*open)(struct daemon *d, void **self_r, struct xn_msg *msg);
    void (*close)(void *self);      /* may be NULL */
    const struct service_op *ops;   /* may be NULL */
    const struct policy_key *keys;  /* ended by a NULL name; may be NULL */
    policy_check_fn *check_policy;  /* may be NULL */
    const struct service_option *options;   /* may be NULL */
    /* A JSON object describing what it does now; may be NULL.  One
     * reference for the caller. */
    struct json_object *(*status)(void *self);
};

/* The value given for a service option ("balloon.reserve"), the last one
 * when given twice; NULL when not given. */
const char *daemon_option(const struct daemon *d, const char *name);

/* --- the running services (services.c), owned by the daemon --- */
struct services;

/* Register every service's keys, then open each in order.  On failure the
 * ones opened are closed again and msg names the service. */
int services_open(struct daemon *d, const struct service *const *table,
                  struct services **s_r, struct xn_msg *msg);
void services_close(struct services *s);    /* reverse order; NULL ok */
/* Hand a request to the service whose op it names; false when none. */
bool services_dispatch(struct services *s, struct request *r);
/* [{"name", "summary", "ops": [...], "keys": [...], "status": {...}}] */
struct json_object *services_json(struct services *s);

#endif
