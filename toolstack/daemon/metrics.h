/*
 * metrics.h - the figures xenithd publishes: counters and gauges per host
 * and per domain, shown by `xenith metrics` and served to Prometheus.
 *
 *   metrics.c       the registry: families, series, collectors, rendering
 *                   as Prometheus text (format 0.0.4) or JSON; no I/O
 *   metrics_http.c  GET /metrics over HTTP on the daemon's loop (evhttp)
 *   metrics_core.c  the daemon core's own figures
 *
 * A family is declared once (name, help, kind, scope) and lives as long as
 * the registry.  A host family has one series without labels; a domain
 * family has one series per domain, keyed by the domain's UUID and
 * labelled domid, name and uuid.  The labels belong to the domain, not to
 * a series: setting any series of a domain with a new domid or name
 * relabels all of its series.
 *
 * Values are finite doubles; a counter's are never negative and metric_add
 * never lowers it.  metric_set on a counter copies a count kept elsewhere
 * (the hypervisor's CPU time); a lower value than before is a reset, as
 * Prometheus understands it.
 *
 * Bounds: at most METRICS_MAX_FAMILIES families and METRICS_MAX_SERIES
 * domain series over all families.  At the cap, declaring a new family
 * fails (XN_ENOMEM, with a sentence) and a new domain series is refused
 * (XN_ENOMEM); series that exist still change, and every refusal is
 * counted (metrics_refused), which the core publishes as
 * xenith_metrics_series_refused_total.  Domain names longer than
 * METRICS_LABEL_MAX bytes are cut, and bytes that are not UTF-8 become
 * U+FFFD, so the output is always valid UTF-8.
 *
 * Everything runs on the daemon's one thread; nothing here blocks.
 */
#ifndef XENITH_METRICS_H
#define XENITH_METRICS_H

#include <stddef.h>
#include <stdint.h>

#include "err.h"

struct daemon;
struct event_base;
struct json_object;

#define METRICS_MAX_FAMILIES 1024
#define METRICS_MAX_SERIES 100000   /* domain series, all families */
#define METRICS_NAME_MAX 200        /* longest family name */
#define METRICS_HELP_MAX 1024       /* longest help text, bytes */
#define METRICS_LABEL_MAX 256       /* longest domain name label, bytes */

enum metric_kind {
    METRIC_COUNTER,
    METRIC_GAUGE,
};

enum metric_scope {
    METRIC_HOST,        /* one series, no labels */
    METRIC_DOMAIN,      /* one series per domain: domid, name, uuid */
};

struct metrics;
struct metric;          /* a family */

/* --- the registry (metrics.c) --- */

/* A new empty registry, owned by the caller (metrics_free); NULL when out
 * of memory. */
struct metrics *metrics_new(void);
/* Free the registry, its families and series.  NULL ok.  Pointers to its
 * families die with it. */
void metrics_free(struct metrics *m);

/*
 * Declare a family.  `name` follows Prometheus' rule [a-zA-Z_:][a-zA-Z0-9_:]*,
 * is "xenith_" and more, at most METRICS_NAME_MAX characters; `help`
 * is UTF-8 for people, at most METRICS_HELP_MAX bytes.  Both are copied.
 * Declaring a name again with the same kind and scope gives the family
 * already there (its help unchanged), so a service opened twice shares its
 * figures; with another kind or scope it fails with XN_EEXIST.  On success
 * *f_r points into the registry (not owned; lives until metrics_free).
 */
int metrics_declare(struct metrics *m, const char *name, const char *help,
                    enum metric_kind kind, enum metric_scope scope,
                    struct metric **f_r, struct xn_msg *msg);

/* The family named `name`, or NULL. */
struct metric *metrics_find(const struct metrics *m, const char *name);

/*
 * Host series.  0, or XN_EINVAL when f is NULL or a domain family, the
 * value is not finite, a counter would go negative, or metric_add is given
 * a negative amount for a counter.  A gauge appears in the output once
 * set; a counter from its declaration, at 0.
 */
int metric_set(struct metric *f, double v);
int metric_add(struct metric *f, double v);

/*
 * Domain series: the series of the domain with this UUID (16 bytes),
 * labelled with `domid` and `name` (copied; they replace the domain's
 * labels when they differ).  0, XN_EINVAL as for metric_set (or f a host
 * family, or name NULL), XN_ENOMEM when the series is new and the
 * registry is full or out of memory (counted in metrics_refused).
 */
int metric_dom_set(struct metric *f, const uint8_t uuid[16], uint32_t domid,
                   const char *name, double v);
int metric_dom_add(struct metric *f, const uint8_t uuid[16], uint32_t domid,
                   const char *name, double v);

/* Drop every series of a domain, in every family (when it dies).  A domain
 * it does not know is ignored. */
void metrics_forget_domain(struct metrics *m, const uint8_t uuid[16]);
/* Drop every series of every domain whose UUID is not among uuids[0..n):
 * a collector that has just listed the host's domains forgets the dead. */
void metrics_forget_domains_except(struct metrics *m,
                                   const uint8_t (*uuids)[16], size_t n);

/* New domain series refused at the cap (or for want of memory) so far. */
uint64_t metrics_refused(const struct metrics *m);

/*
 * Collectors refresh figures kept elsewhere (a gauge read from the
 * hypervisor).  metrics_collect calls each once, in the order added; the
 * HTTP server and the metrics.get operation call it before they render.
 * `arg` is not owned and must outlive the registration.  A collector may
 * set and forget series, and remove collectors (itself too: it is dropped
 * when the round ends), but adding one during a collection fails with
 * XN_EBUSY.  Adding fails otherwise with XN_EINVAL (no fn) or XN_ENOMEM;
 * removing one not added does nothing.
 */
typedef void metrics_collect_fn(struct metrics *m, void *arg);
int metrics_add_collector(struct metrics *m, metrics_collect_fn *fn,
                          void *arg);
void metrics_remove_collector(struct metrics *m, metrics_collect_fn *fn,
                              void *arg);
void metrics_collect(struct metrics *m);

/*
 * Render the figures as they are (collectors are not called): families in
 * the order declared, each with # HELP and # TYPE lines (also when it has
 * no series yet), then its series, a domain family's by domid.
 * metrics_render_text gives Prometheus' text format 0.0.4, malloc'd, owned
 * by the caller (free); metrics_to_json gives the same figures as a new
 * JSON array owned by the caller (json_object_put):
 *   [{"name", "kind": "counter"|"gauge", "help",
 *     "series": [{"labels": {"domid", "name", "uuid"} or {}, "value"}]}]
 * where each value prints as in the text.  Both NULL when out of memory.
 */
char *metrics_render_text(const struct metrics *m);
struct json_object *metrics_to_json(const struct metrics *m);

/* --- serving them over HTTP (metrics_http.c) --- */
struct metrics_http;

/*
 * Serve GET (and HEAD) /metrics on `spec`: "PORT" (127.0.0.1:PORT),
 * "ADDR:PORT" with a numeric IPv4 address, or "[ADDR]:PORT" with a numeric
 * IPv6 one; PORT 0 picks a free port (metrics_http_port tells which).
 * Other paths get 404, other methods 405.  Requests are answered on
 * `base`'s loop and never block it; headers are bounded to 8 KiB, bodies
 * to 1 KiB, and an idle connection is closed after 10 seconds.  `base`
 * and `m` are not owned and must outlive the server.  On success *h_r is
 * owned by the caller (metrics_http_close).  A bad spec fails with
 * XN_EINVAL quoting it; a socket that cannot be bound names the address.
 */
int metrics_http_open(struct event_base *base, struct metrics *m,
                      const char *spec, struct metrics_http **h_r,
                      struct xn_msg *msg);
/* Stop serving and free; open connections are dropped.  NULL ok. */
void metrics_http_close(struct metrics_http *h);
/* The port it listens on. */
int metrics_http_port(const struct metrics_http *h);
/* The address it listens on, "127.0.0.1:9101" or "[::1]:9101" (the port
 * it got when asked for 0); kept in h, lives as long as h. */
const char *metrics_http_address(const struct metrics_http *h);

/* --- the daemon core's figures (metrics_core.c) --- */
/* Declare the core's families in d->metrics and add the collector that
 * reads the hypervisor (d->hv, when open) at each collection. */
int metrics_core_start(struct daemon *d, struct xn_msg *msg);
/* Count one request on the control socket (dispatch.c).  No-op without a
 * registry. */
void metrics_core_request(struct daemon *d);

#endif
