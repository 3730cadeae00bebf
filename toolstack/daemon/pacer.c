/* pacer.c - a service's passes, paced (pacer.h). */
#include "daemon/pacer.h"

#include <stdbool.h>
#include <stdlib.h>
#include <time.h>

#include <event2/event.h>

struct pacer {
    struct event *ev;
    uint64_t gap_ns;
    pacer_fn *fn;
    void *arg;
    bool soon;                  /* a pass is due soon */
    uint64_t last_ns;           /* when the last pass ran, 0: none yet */
};

static uint64_t now_ns(void)
{
    struct timespec ts;

    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

static void arm(struct pacer *p, uint64_t ns)
{
    struct timeval tv = {(time_t)(ns / 1000000000ull),
                         (suseconds_t)(ns % 1000000000ull / 1000)};

    evtimer_add(p->ev, &tv);
}

static void on_timer(evutil_socket_t fd, short what, void *arg)
{
    struct pacer *p = arg;
    uint64_t next;

    (void)fd;
    (void)what;
    p->soon = false;
    p->last_ns = now_ns();
    next = p->fn(p->arg);
    if (!p->soon)
        arm(p, next);
}

struct pacer *pacer_new(struct event_base *base, uint64_t gap_ns,
                        pacer_fn *fn, void *arg)
{
    struct pacer *p = calloc(1, sizeof(*p));

    if (!p || !(p->ev = evtimer_new(base, on_timer, p))) {
        free(p);
        return NULL;
    }
    p->gap_ns = gap_ns;
    p->fn = fn;
    p->arg = arg;
    return p;
}

void pacer_free(struct pacer *p)
{
    if (!p)
        return;
    event_free(p->ev);
    free(p);
}

void pacer_soon(struct pacer *p)
{
    uint64_t since;

    if (!p || p->soon)
        return;
    since = now_ns() - p->last_ns;
    p->soon = true;
    arm(p, p->last_ns && since < p->gap_ns ? p->gap_ns - since : 0);
}
