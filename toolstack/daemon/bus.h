/*
 * bus.h - the daemon's event bus.
 *
 * Modules publish typed events about domains (created, shut down, died ...)
 * and services publish their own; modules subscribe with a mask of the
 * types they want.  Delivery is deferred to the loop: bus_publish only
 * queues, and subscribers are called later from the loop, in subscription
 * order, one event at a time, never from inside the publisher.  So a
 * subscriber may publish, subscribe or unsubscribe (itself included) from
 * its callback; an unsubscribed subscriber gets nothing more, and a new
 * subscriber gets the events published after it subscribed.
 *
 * Nothing else connects the daemon's modules: the control socket's event
 * stream, the policy mirror, the shutdown monitor and the services are
 * subscribers; no module calls another's reaction.
 */
#ifndef XENITH_DAEMON_BUS_H
#define XENITH_DAEMON_BUS_H

#include <stdbool.h>
#include <stdint.h>

#include <json.h>

#include "hv_types.h"

struct event_base;

enum bus_type {
    BUS_DOM_APPEARED = 0,   /* found, made by another toolstack */
    BUS_DOM_CREATED,
    BUS_DOM_RESTORED,
    BUS_DOM_RESTARTED,      /* old_domid: the id before the restart */
    BUS_DOM_PAUSED,
    BUS_DOM_UNPAUSED,
    BUS_DOM_RENAMED,        /* old_name */
    BUS_DOM_SHUTDOWN,       /* reason */
    BUS_DOM_DIED,
    BUS_DOM_SAVED,
    BUS_DOM_POLICY,         /* detail: the domain's whole policy */
    BUS_DOM_MIGRATED_IN,
    BUS_DOM_MIGRATED_OUT,
    BUS_DOM_MEM_TARGET,     /* a client set its memory target; detail:
                             * {"target_kb": N} */
    BUS_DOM_PCI,            /* a PCI device was attached or detached by a
                             * client; detail: {"action": "attach" or
                             * "detach", "addr": "0000:03:00.0"} */
    BUS_SERVICE,            /* service, what; detail: anything */
    BUS_NTYPES,
};

#define BUS_MASK(t) (1u << (t))
#define BUS_ALL ((1u << BUS_NTYPES) - 1)
/* The events after which a domain exists that may not have existed. */
#define BUS_DOM_ARRIVALS                                                    \
    (BUS_MASK(BUS_DOM_APPEARED) | BUS_MASK(BUS_DOM_CREATED) |               \
     BUS_MASK(BUS_DOM_RESTORED) | BUS_MASK(BUS_DOM_RESTARTED) |             \
     BUS_MASK(BUS_DOM_MIGRATED_IN))

#define BUS_WORD_MAX 32

/* Plain value, but for `detail`. */
struct bus_event {
    enum bus_type type;
    uint32_t domid;
    uint8_t uuid[16];
    char name[HV_NAME_MAX];
    double time;                    /* wall clock, seconds (set by publish) */
    uint32_t old_domid;             /* restarted */
    char old_name[HV_NAME_MAX];     /* renamed */
    enum hv_shutdown reason;        /* shutdown */
    char service[BUS_WORD_MAX];     /* service events: which service */
    char what[BUS_WORD_MAX];        /* service events: what happened */
    struct json_object *detail;     /* extra fields, or NULL; see publish */
};

/* A domain event about `info`'s domain. */
void bus_event_init(struct bus_event *ev, enum bus_type type,
                    const struct hv_dominfo *info);
/* The same from its parts (uuid may be NULL). */
void bus_event_init_dom(struct bus_event *ev, enum bus_type type,
                        uint32_t domid, const uint8_t *uuid,
                        const char *name);

/* The type's name on the control socket's event stream ("created"). */
const char *bus_type_name(enum bus_type t);

struct bus;
struct bus_sub;

/* Called from the loop for each event the mask selects; `ev` (and its
 * detail) lives for the duration of the call. */
typedef void bus_fn(void *arg, const struct bus_event *ev);

/* NULL when out of memory.  bus_free drops undelivered events. */
struct bus *bus_new(struct event_base *base);
void bus_free(struct bus *b);

/* The handle is owned by the bus and valid until bus_unsubscribe. NULL
 * when out of memory. */
struct bus_sub *bus_subscribe(struct bus *b, unsigned mask, bus_fn *fn,
                              void *arg);
/* Safe from any callback, for any subscriber; NULL ok. */
void bus_unsubscribe(struct bus *b, struct bus_sub *s);

/* Queue a copy of *ev for delivery; takes the caller's reference to
 * ev->detail.  Sets the time when ev->time is 0. */
void bus_publish(struct bus *b, const struct bus_event *ev);

/* Events published so far, by type (for metrics). */
uint64_t bus_count(const struct bus *b, enum bus_type t);

#endif
