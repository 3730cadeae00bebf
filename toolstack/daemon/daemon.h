/*
 * daemon.h - xenithd's core: the state every module reaches, how the
 * daemon is put together and taken apart, and the interfaces between the
 * core's modules.  Services see the core through service.h only.
 *
 *   daemon.c       daemon_open / daemon_close: the modules, in order
 *   bus.c          the event bus (bus.h)
 *   jobs.c         one operation at a time per domain (jobs.h)
 *   claims.c       names and UUIDs being taken by starts and renames
 *   start.c        the one path by which a domain starts (start.h)
 *   stream.c       suspend, write the stream, then end (stream.h)
 *   monitor.c      shutdown actions and waiters for a domain to go
 *   events_out.c   the control socket's event stream (a bus subscriber)
 *   policy_*.c     per-domain policy: keys, files, the xenstore mirror
 *   services.c     the service table: open, close, ops, keys, status
 *   metrics*.c     the metrics registry and its HTTP endpoint
 *   control.c      the control socket: connections, framing, peer checks
 *   request.c      one request's life: reply once, then free
 *   dispatch.c     the table of operations
 *   ops_*.c        the core's operations, grouped by subject
 *   parse_guard.c  xl.cfg text from clients, parsed in a child first
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
#include "daemon/bus.h"

struct event_base;
struct bus;
struct jobs;
struct claims;
struct starter;
struct monitor;
struct control;
struct events_out;
struct policy_keys;
struct policy_mirror;
struct services;
struct metrics;
struct metrics_http;
struct service;

/* How to put a daemon together (the options of main.c). */
struct daemon_opts {
    const char *uri;                /* xen:/// or sim:///NAME */
    const char *scenario;           /* sim: scenario file, or NULL */
    const char *socket;             /* control socket, NULL for none */
    const char *run_dir;            /* where the sim puts its store socket;
                                     * NULL: a private directory */
    const char *state_dir;          /* where per-domain policy is kept */
    const char *metrics;            /* ADDR:PORT to serve metrics, or NULL */
    /* The services to run, NULL-terminated (main.c's table); NULL none. */
    const struct service *const *services;
    /* Service options, "SERVICE.NAME=VALUE", NULL-terminated; NULL none.
     * Not copied: they must outlive the daemon. */
    const char *const *options;
};

struct daemon {
    struct event_base *base;        /* not owned */
    struct hv *hv;                  /* owned */
    struct bus *bus;                /* owned */
    struct jobs *jobs;              /* owned */
    struct claims *claims;          /* owned */
    struct starter *starter;        /* owned: the start gates */
    struct monitor *monitor;        /* owned */
    struct xsc *store;              /* owned; the host's xenstore, NULL when
                                     * the driver has none */
    struct policy_keys *keys;       /* owned: every service's keys */
    struct policy_mirror *mirror;   /* owned */
    struct metrics *metrics;        /* owned */
    struct metrics_http *metrics_http;  /* owned; NULL when not serving */
    struct services *services;      /* owned: the services running */
    struct control *control;        /* owned; NULL without a socket */
    struct events_out *events_out;  /* owned; NULL without a socket */
    char *state_dir;                /* owned copy */
    const char *const *options;     /* not owned: daemon_opts.options */
};

/*
 * Put a daemon together on `base` (not owned; it must outlive the daemon):
 * the hypervisor connection, the bus, jobs, policy, metrics, the services,
 * and the control socket when o->socket is set.  On failure nothing is
 * left behind and msg says what failed.  Check suites call this without a
 * socket and drive the modules in-process.
 */
int daemon_open(struct event_base *base, const struct daemon_opts *o,
                struct daemon **d_r, struct xn_msg *msg);
/* Take it apart in the reverse order; requests in flight are cancelled.
 * Not from inside one of the daemon's own callbacks.  NULL ok. */
void daemon_close(struct daemon *d);

/* Rename domain `domid` (the caller holds its job): the name is claimed
 * while the driver renames, and the renamed event published
 * (dom_change.c). */
int daemon_dom_rename(struct daemon *d, uint32_t domid, const char *name,
                      struct xn_msg *msg);
/* Unpause domain `domid` (the caller holds its job), and publish the
 * unpaused event (dom_change.c). */
int daemon_dom_unpause(struct daemon *d, uint32_t domid, struct xn_msg *msg);

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

/* --- the event stream (events_out.c): the bus, as JSON, to the control
 * socket's subscribers --- */
int events_out_open(struct daemon *d, struct events_out **e_r);
void events_out_close(struct events_out *e);
/* The stream's form of an event: {"type", "domid", "uuid", "name", "time",
 * and the fields of its type}.  One reference for the caller. */
struct json_object *events_out_json(const struct bus_event *ev);

/* --- dispatch (dispatch.c) --- */
/* Route a decoded request to its operation: the core's table first, then
 * the services'.  Takes ownership of r. */
void dispatch(struct request *r);
/* Names of the core's operations, NULL-terminated (for tests and docs). */
const char *const *dispatch_ops(void);

/* --- xl.cfg text and libvirt XML from clients (parse_guard.c) --- */
struct xlcfg_warnings;
/* The formats of a configuration create takes. */
enum config_format {
    CONFIG_XL,          /* xl.cfg */
    CONFIG_LIBVIRT,     /* libvirt domain XML */
};
/* Parse `text` (`len` bytes, in `format`) into cfg as xl would on this
 * host (CPU lists bounded by its CPUs), first in a child process so
 * libxlutil's or libxml2's faults on hostile input cannot reach the
 * daemon.  cfg as for xlcfg_parse; the parse's warnings in *warn (may be
 * NULL). */
int daemon_parse_config(struct daemon *d, const char *filename,
                        const char *text, size_t len,
                        enum config_format format, libxl_domain_config *cfg,
                        struct xlcfg_warnings *warn, struct xn_msg *msg);

/* --- shutdown actions and waiters (monitor.c) --- */
int monitor_open(struct daemon *d, struct monitor **m_r);
void monitor_close(struct monitor *m);
/* At start-up: apply the shutdown action of every domain that shut down
 * while no daemon was watching (its event is long gone). */
void monitor_catch_up(struct monitor *m);

/* Wait for a domain to go away.  `fn` runs once, from the loop: rc 0 when
 * it died (or was shut down and preserved by its on_* action),
 * XN_ETIMEDOUT after `timeout_ms`, XN_ECANCELED when the daemon stops. */
typedef void wait_fn(void *arg, int rc, uint32_t domid);
void monitor_wait_gone(struct monitor *m, uint32_t domid,
                       unsigned timeout_ms, wait_fn *fn, void *arg);

#endif
