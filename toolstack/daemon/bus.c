/* bus.c - typed events, queued by publishers, delivered from the loop. */
#include "daemon/bus.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/queue.h>
#include <time.h>

#include <event2/event.h>

struct bus_sub {
    unsigned mask;
    bus_fn *fn;
    void *arg;
    bool dead;                      /* unsubscribed; freed after delivery */
    uint64_t since;                 /* first event number it may get */
    TAILQ_ENTRY(bus_sub) link;
};

struct queued {
    uint64_t seq;
    struct bus_event ev;            /* owns ev.detail */
    STAILQ_ENTRY(queued) link;
};

struct bus {
    struct event *deliver;          /* owned: runs the queue from the loop */
    TAILQ_HEAD(, bus_sub) subs;
    STAILQ_HEAD(, queued) queue;
    uint64_t next_seq;              /* number of the next published event */
    int delivering;                 /* depth: subscribers are being called */
    uint64_t counts[BUS_NTYPES];
};

static const char *const type_names[BUS_NTYPES] = {
    [BUS_DOM_APPEARED] = "discovered",
    [BUS_DOM_CREATED] = "created",
    [BUS_DOM_RESTORED] = "restored",
    [BUS_DOM_RESTARTED] = "restarted",
    [BUS_DOM_PAUSED] = "paused",
    [BUS_DOM_UNPAUSED] = "unpaused",
    [BUS_DOM_RENAMED] = "renamed",
    [BUS_DOM_SHUTDOWN] = "shutdown",
    [BUS_DOM_DIED] = "died",
    [BUS_DOM_SAVED] = "saved",
    [BUS_DOM_POLICY] = "policy",
    [BUS_DOM_MEM_TARGET] = "memory-target",
    [BUS_DOM_PCI] = "pci",
    [BUS_DOM_MIGRATED_IN] = "migrated-in",
    [BUS_DOM_MIGRATED_OUT] = "migrated-out",
    [BUS_SERVICE] = "service",
};

const char *bus_type_name(enum bus_type t)
{
    return (unsigned)t < BUS_NTYPES ? type_names[t] : "unknown";
}

void bus_event_init_dom(struct bus_event *ev, enum bus_type type,
                        uint32_t domid, const uint8_t *uuid,
                        const char *name)
{
    memset(ev, 0, sizeof(*ev));
    ev->type = type;
    ev->domid = domid;
    if (uuid)
        memcpy(ev->uuid, uuid, 16);
    snprintf(ev->name, sizeof(ev->name), "%s", name ? name : "");
}

void bus_event_init(struct bus_event *ev, enum bus_type type,
                    const struct hv_dominfo *info)
{
    bus_event_init_dom(ev, type, info->domid, info->uuid, info->name);
}

/* Free the subscribers that left, once nobody iterates the list. */
static void sweep(struct bus *b)
{
    struct bus_sub *s, *next;

    if (b->delivering)
        return;
    for (s = TAILQ_FIRST(&b->subs); s; s = next) {
        next = TAILQ_NEXT(s, link);
        if (s->dead) {
            TAILQ_REMOVE(&b->subs, s, link);
            free(s);
        }
    }
}

static void deliver_one(struct bus *b, struct queued *q)
{
    struct bus_sub *s;

    b->delivering++;
    TAILQ_FOREACH(s, &b->subs, link) {
        if (s->dead || q->seq < s->since ||
            !(s->mask & BUS_MASK(q->ev.type)))
            continue;
        s->fn(s->arg, &q->ev);
    }
    b->delivering--;
}

/* Deliver what was queued when this turn began; later events wait for the
 * next turn, so a subscriber that publishes cannot starve the loop. */
static void deliver_cb(evutil_socket_t fd, short what, void *arg)
{
    struct bus *b = arg;
    uint64_t last = b->next_seq;
    struct queued *q;

    (void)fd;
    (void)what;
    while ((q = STAILQ_FIRST(&b->queue)) && q->seq < last) {
        STAILQ_REMOVE_HEAD(&b->queue, link);
        deliver_one(b, q);
        json_object_put(q->ev.detail);
        free(q);
    }
    sweep(b);
    if (!STAILQ_EMPTY(&b->queue))
        event_active(b->deliver, EV_TIMEOUT, 1);
}

struct bus *bus_new(struct event_base *base)
{
    struct bus *b = calloc(1, sizeof(*b));

    if (!b)
        return NULL;
    b->deliver = event_new(base, -1, 0, deliver_cb, b);
    if (!b->deliver) {
        free(b);
        return NULL;
    }
    TAILQ_INIT(&b->subs);
    STAILQ_INIT(&b->queue);
    return b;
}

void bus_free(struct bus *b)
{
    struct queued *q;
    struct bus_sub *s;

    if (!b)
        return;
    while ((q = STAILQ_FIRST(&b->queue))) {
        STAILQ_REMOVE_HEAD(&b->queue, link);
        json_object_put(q->ev.detail);
        free(q);
    }
    while ((s = TAILQ_FIRST(&b->subs))) {
        TAILQ_REMOVE(&b->subs, s, link);
        free(s);
    }
    event_free(b->deliver);
    free(b);
}

struct bus_sub *bus_subscribe(struct bus *b, unsigned mask, bus_fn *fn,
                              void *arg)
{
    struct bus_sub *s = calloc(1, sizeof(*s));

    if (!s)
        return NULL;
    s->mask = mask;
    s->fn = fn;
    s->arg = arg;
    s->since = b->next_seq;
    TAILQ_INSERT_TAIL(&b->subs, s, link);
    return s;
}

void bus_unsubscribe(struct bus *b, struct bus_sub *s)
{
    if (!s)
        return;
    s->dead = true;
    sweep(b);
}

void bus_publish(struct bus *b, const struct bus_event *ev)
{
    struct queued *q = calloc(1, sizeof(*q));

    if (!q) {
        json_object_put(ev->detail);
        return;
    }
    q->ev = *ev;
    if (q->ev.time == 0) {
        struct timespec ts;
        clock_gettime(CLOCK_REALTIME, &ts);
        q->ev.time = (double)ts.tv_sec + ts.tv_nsec / 1e9;
    }
    q->seq = b->next_seq++;
    if ((unsigned)ev->type < BUS_NTYPES)
        b->counts[ev->type]++;
    STAILQ_INSERT_TAIL(&b->queue, q, link);
    event_active(b->deliver, EV_TIMEOUT, 1);
}

uint64_t bus_count(const struct bus *b, enum bus_type t)
{
    return (unsigned)t < BUS_NTYPES ? b->counts[t] : 0;
}
