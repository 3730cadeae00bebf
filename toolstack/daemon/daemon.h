/*
 * daemon.h - xenithd's shared state and the interfaces between its modules.
 *
 *   main.c      options, start-up, signals, the loop
 *   control.c   the control socket: connections, framing, peer checks
 *   request.c   one request's life: reply once, then free
 *   dispatch.c  the table of operations
 *   jobs.c      per-domain serialisation of operations
 *   monitor.c   domain events: shutdown actions, waiters, the event stream
 *   ops_*.c     the operations, grouped by subject
 *
 * Everything runs on one libevent loop in one thread.
 */
#ifndef XENITH_DAEMON_H
#define XENITH_DAEMON_H

#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>

#include <json.h>

#include "err.h"
#include "hv.h"

struct event_base;
struct control;
struct jobs;
struct monitor;

struct daemon {
    struct event_base *base;        /* owned */
    struct hv *hv;                  /* owned */
    struct control *control;        /* owned */
    struct jobs *jobs;              /* owned */
    struct monitor *monitor;        /* owned */
    struct xsc *store;              /* owned; the host's xenstore, NULL when
                                     * the driver has none */
    const char *state_dir;          /* not owned (the options') */
    char **creating;                /* names of domains being created or
                                     * restored (owned strings), so two
                                     * requests cannot both claim a name */
    size_t n_creating;
};

/* --- requests (request.c) --- */
struct conn;

/* One request in flight.  The handler that receives it must eventually
 * call exactly one of request_ok / request_fail, which free it. */
struct request {
    struct daemon *d;
    struct conn *conn;              /* counted reference */
    int64_t id;
    char *op;                       /* owned copy */
    struct json_object *args;       /* counted reference */
};

struct request *request_new(struct daemon *d, struct conn *conn, int64_t id,
                            const char *op, struct json_object *args);
void request_ok(struct request *r, struct json_object *take_result);
void request_fail(struct request *r, int code, const char *message);
/* Fail with a struct xn_msg's text (or the code's description). */
void request_fail_msg(struct request *r, int code, const struct xn_msg *msg);
/* True when the client closed its connection. */
bool request_orphaned(const struct request *r);

/* --- the control socket (control.c) --- */
int control_open(struct daemon *d, const char *path, struct control **c_r,
                 struct xn_msg *msg);
void control_close(struct control *c);
void conn_ref(struct conn *c);
void conn_unref(struct conn *c);
/* Count a request of the connection in flight (request_new) and done
 * (request_free): a connection with too many stops being read. */
void conn_request_begin(struct conn *c);
void conn_request_end(struct conn *c);
bool conn_closed(const struct conn *c);
void conn_send(struct conn *c, struct json_object *msg);
/* Mark the connection as an event subscriber. */
void conn_subscribe(struct conn *c);
/* Send an event to every subscriber; consumes take_event. */
void control_broadcast(struct control *c, struct json_object *take_event);

/* --- dispatch (dispatch.c) --- */
/* Route a decoded request to its operation. Takes ownership of r. */
void dispatch(struct request *r);
/* Names of all operations, NULL-terminated (for tests and docs). */
const char *const *dispatch_ops(void);

/* --- per-domain jobs (jobs.c) ---
 * At most one job runs per domain; others wait in FIFO order.  `start` is
 * called when the job's turn comes (possibly inside jobs_submit); the job
 * then runs until jobs_release(domid).  A queued job whose request's client
 * has gone is dropped with `cancel` (may be NULL). */
typedef void job_fn(void *arg);
struct jobs *jobs_new(void);
void jobs_free(struct jobs *j);
void jobs_submit(struct jobs *j, uint32_t domid, job_fn *start,
                 job_fn *cancel, void *arg);
void jobs_release(struct jobs *j, uint32_t domid);
bool jobs_busy(struct jobs *j, uint32_t domid);

/* --- names being claimed by create/restore (ops_domain.c) --- */
/* Claim a name for a domain about to be made; fails with XN_EEXIST when a
 * domain has it or another request claimed it. */
int daemon_claim_name(struct daemon *d, const char *name, struct xn_msg *msg);
void daemon_unclaim_name(struct daemon *d, const char *name);

/* --- xl.cfg text from clients (parse_guard.c) --- */
/* Parse `text` into cfg as xl would on this host (CPU lists bounded by its
 * CPUs), first in a child process so libxlutil's faults on hostile input
 * cannot reach the daemon.  cfg as for xlcfg_parse. */
int daemon_parse_config(struct daemon *d, const char *filename,
                        const char *text, libxl_domain_config *cfg,
                        struct xn_msg *msg);

/* --- per-domain policy (ops_policy.c) --- */
/* Mirror a domain's policy file into xenstore (when it has one). */
void policy_sync_domain(struct daemon *d, uint32_t domid);
/* The same for every domain: at start-up. */
void policy_sync_all(struct daemon *d);

/* --- domain events (monitor.c) --- */
struct monitor *monitor_new(struct daemon *d);
void monitor_free(struct monitor *m);
/* The hv event callback: pass to hv_open with the daemon as opaque. */
hv_event_fn monitor_hv_event;
/* At start-up: apply the shutdown action of every domain that shut down
 * while no daemon was watching (its event is long gone). */
void monitor_catch_up(struct daemon *d);

/* Publish an event on the stream: {"type": type, "domid":..., "name":...}
 * plus the fields of take_extra (may be NULL). */
void monitor_publish(struct daemon *d, const char *type, uint32_t domid,
                     const char *name, struct json_object *take_extra);

/* Wait for a domain to go away.  `fn` runs once: rc 0 when it died (or
 * was shut down and preserved by its on_* action), XN_ETIMEDOUT after
 * `timeout_ms`. */
typedef void wait_fn(void *arg, int rc, uint32_t domid);
void monitor_wait_gone(struct daemon *d, uint32_t domid, unsigned timeout_ms,
                       wait_fn *fn, void *arg);

#endif
