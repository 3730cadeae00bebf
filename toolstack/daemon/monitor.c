/*
 * monitor.c - what happens when a domain shuts down or dies.
 *
 * A subscriber of the bus's shutdown and death events.  For domains xenith
 * looks after (all but those another toolstack made, hv_dominfo .foreign),
 * the monitor carries out the domain's on_poweroff / on_reboot / on_crash /
 * on_watchdog action, as xl's per-domain monitor process does: destroy,
 * restart (destroy, then start again from the same configuration, through
 * the start path, in the same job), or preserve.  It also wakes requests
 * waiting for a domain to go.
 */
#include "daemon/daemon.h"
#include "daemon/bus.h"
#include "daemon/jobs.h"
#include "daemon/start.h"
#include "log.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/queue.h>

#include <event2/event.h>

struct waiter {
    struct monitor *m;
    uint32_t domid;
    wait_fn *fn;
    void *arg;
    struct event *timer;            /* owned */
    LIST_ENTRY(waiter) link;
};

struct monitor {
    struct daemon *d;
    struct bus_sub *sub;            /* shutdowns and deaths */
    LIST_HEAD(, waiter) waiters;
};

static void waiter_end(struct waiter *w, int rc)
{
    wait_fn *fn = w->fn;
    void *arg = w->arg;
    uint32_t domid = w->domid;

    LIST_REMOVE(w, link);
    event_free(w->timer);
    free(w);
    fn(arg, rc, domid);
}


/* Wake every waiter of a domain. */
static void wake(struct monitor *m, uint32_t domid, int rc)
{
    struct waiter *w, *next;
    for (w = LIST_FIRST(&m->waiters); w; w = next) {
        next = LIST_NEXT(w, link);
        if (w->domid == domid)
            waiter_end(w, rc);
    }
}

static void waiter_timeout(evutil_socket_t fd, short what, void *arg)
{
    struct waiter *w = arg;
    struct hv_dominfo info;
    /* Gone (the zero timer of monitor_wait_gone), or out of time. */
    int rc = hv_dom_info(w->m->d->hv, w->domid, &info, NULL);
    waiter_end(w, rc == XN_ENOENT ? 0 : XN_ETIMEDOUT);
}

void monitor_wait_gone(struct monitor *m, uint32_t domid,
                       unsigned timeout_ms, wait_fn *fn, void *arg)
{
    struct daemon *d = m->d;
    struct waiter *w = calloc(1, sizeof(*w));
    struct hv_dominfo info;
    struct timeval tv;

    if (!w) {
        fn(arg, XN_ENOMEM, domid);
        return;
    }
    w->m = m;
    w->domid = domid;
    w->fn = fn;
    w->arg = arg;
    w->timer = evtimer_new(d->base, waiter_timeout, w);
    LIST_INSERT_HEAD(&m->waiters, w, link);
    /* Gone already: answer from the loop, not from inside this call. */
    if (hv_dom_info(d->hv, domid, &info, NULL) == XN_ENOENT)
        timeout_ms = 0;
    tv.tv_sec = timeout_ms / 1000;
    tv.tv_usec = (timeout_ms % 1000) * 1000;
    evtimer_add(w->timer, &tv);
}

/* --- shutdown actions --- */

struct action {
    struct daemon *d;
    uint32_t domid;
    uint8_t uuid[16];
    char name[HV_NAME_MAX];
    job_token token;
    libxl_action_on_shutdown what;
    libxl_domain_config *cfg;       /* for a restart; owned until handed to
                                     * the start path */
};

static void action_free(struct action *a)
{
    if (a->cfg) {
        libxl_domain_config_dispose(a->cfg);
        free(a->cfg);
    }
    free(a);
}

static void restarted(void *opaque, int rc, const struct xn_msg *msg,
                      uint32_t domid, const char *name)
{
    struct action *a = opaque;

    if (rc < 0)
        xn_log(XN_LOG_ERR, "could not restart %s: %s", a->name, msg->text);
    else
        xn_log(XN_LOG_NOTICE, "restarted %s as id %u", name, domid);
    free(a);
}

static void action_destroyed(void *opaque, int rc, const struct xn_msg *msg,
                             uint32_t domid)
{
    struct action *a = opaque;
    struct start_req req = {.kind = START_RESTART};
    struct xn_msg m;

    if (rc < 0 || !a->cfg) {
        if (rc < 0)
            xn_log(XN_LOG_ERR, "could not destroy %s (id %u) after it shut "
                   "down: %s", a->name, a->domid, msg->text);
        if (a->d->jobs)
            jobs_end(a->d->jobs, a->token);
        action_free(a);
        return;
    }
    /* The same job goes on: nothing runs between the destroy and the
     * start again. */
    req.cfg = a->cfg;
    a->cfg = NULL;
    req.old_domid = a->domid;
    req.held = a->token;
    if (start_domain(a->d, &req, restarted, a, &m) < 0) {
        xn_log(XN_LOG_ERR, "could not restart %s: %s", a->name, m.text);
        free(a);
    }
}

static void action_start(void *arg, job_token token)
{
    struct action *a = arg;
    struct hv_dominfo info;
    struct xn_msg m;

    a->token = token;
    /* Still the domain that shut down?  (A request ahead of us in the
     * queue may have destroyed it, or restarted it by hand.) */
    if (hv_dom_info(a->d->hv, a->domid, &info, NULL) < 0 ||
        memcmp(info.uuid, a->uuid, 16) != 0 ||
        info.state != HV_STATE_SHUTDOWN) {
        jobs_end(a->d->jobs, token);
        action_free(a);
        return;
    }
    if (hv_destroy(a->d->hv, a->domid, action_destroyed, a, &m) < 0) {
        jobs_end(a->d->jobs, token);
        xn_log(XN_LOG_WARNING, "%s (id %u): %s", a->name, a->domid, m.text);
        action_free(a);
    }
}

static void action_cancel(void *arg)
{
    action_free(arg);
}

static libxl_action_on_shutdown pick_action(const libxl_domain_config *cfg,
                                            enum hv_shutdown reason)
{
    /* libxl leaves unset actions at 0; xl's defaults apply then. */
    switch (reason) {
    case HV_SHUTDOWN_POWEROFF:
        return cfg->on_poweroff ? cfg->on_poweroff
                                : LIBXL_ACTION_ON_SHUTDOWN_DESTROY;
    case HV_SHUTDOWN_REBOOT:
        return cfg->on_reboot ? cfg->on_reboot
                              : LIBXL_ACTION_ON_SHUTDOWN_RESTART;
    case HV_SHUTDOWN_CRASH:
        return cfg->on_crash ? cfg->on_crash
                             : LIBXL_ACTION_ON_SHUTDOWN_DESTROY;
    case HV_SHUTDOWN_WATCHDOG:
        return cfg->on_watchdog ? cfg->on_watchdog
                                : LIBXL_ACTION_ON_SHUTDOWN_DESTROY;
    default:
        return LIBXL_ACTION_ON_SHUTDOWN_PRESERVE;
    }
}

static void on_shutdown(struct monitor *mon, uint32_t domid,
                        enum hv_shutdown reason)
{
    struct daemon *d = mon->d;
    struct hv_dominfo info;
    struct action *a;
    struct xn_msg m;
    int rc;

    if (reason == HV_SHUTDOWN_SUSPEND)
        return;                     /* a save or migration is under way */
    if (hv_dom_info(d->hv, domid, &info, NULL) < 0 || info.foreign ||
        info.state != HV_STATE_SHUTDOWN)
        return;
    a = calloc(1, sizeof(*a));
    if (!a || !(a->cfg = malloc(sizeof(*a->cfg)))) {
        free(a);
        return;
    }
    libxl_domain_config_init(a->cfg);
    a->d = d;
    a->domid = domid;
    memcpy(a->uuid, info.uuid, 16);
    snprintf(a->name, sizeof(a->name), "%s", info.name);
    rc = hv_dom_config(d->hv, domid, a->cfg, &m);
    if (rc < 0) {
        xn_log(XN_LOG_WARNING, "%s (id %u) shut down but its configuration "
               "is unknown (%s); destroying it", a->name, a->domid, m.text);
        libxl_domain_config_dispose(a->cfg);
        libxl_domain_config_init(a->cfg);
    }
    a->what = pick_action(a->cfg, reason);
    xn_log(XN_LOG_INFO, "%s (id %u) shut down (%s): action %s", a->name,
           a->domid, hv_shutdown_name(reason),
           libxl_action_on_shutdown_to_string(a->what));
    switch (a->what) {
    case LIBXL_ACTION_ON_SHUTDOWN_PRESERVE:
    case LIBXL_ACTION_ON_SHUTDOWN_SOFT_RESET:
        wake(mon, domid, 0);
        action_free(a);
        return;
    case LIBXL_ACTION_ON_SHUTDOWN_RESTART:
    case LIBXL_ACTION_ON_SHUTDOWN_RESTART_RENAME:
    case LIBXL_ACTION_ON_SHUTDOWN_COREDUMP_RESTART:
        if (rc < 0) {                   /* nothing to restart from */
            libxl_domain_config_dispose(a->cfg);
            free(a->cfg);
            a->cfg = NULL;
        }
        break;
    default:                            /* destroy, coredump-destroy */
        libxl_domain_config_dispose(a->cfg);
        free(a->cfg);
        a->cfg = NULL;
        break;
    }
    if (jobs_begin(d->jobs, a->uuid, "shutdown action", action_start,
                   action_cancel, a) < 0)
        action_free(a);
}

void monitor_catch_up(struct monitor *m)
{
    struct hv_dominfo *list;
    size_t n;

    if (hv_dom_list(m->d->hv, &list, &n, NULL) < 0)
        return;
    for (size_t i = 0; i < n; i++) {
        if (list[i].state != HV_STATE_SHUTDOWN || hv_dom_suspended(&list[i]))
            continue;
        xn_log(XN_LOG_NOTICE, "%s (id %u) shut down (%s) while no daemon "
               "was watching", list[i].name, list[i].domid,
               hv_shutdown_name(list[i].shutdown_reason));
        on_shutdown(m, list[i].domid, list[i].shutdown_reason);
    }
    free(list);
}

static void on_event(void *arg, const struct bus_event *ev)
{
    struct monitor *m = arg;

    if (ev->type == BUS_DOM_SHUTDOWN)
        on_shutdown(m, ev->domid, ev->reason);
    else if (ev->type == BUS_DOM_DIED)
        wake(m, ev->domid, 0);
}

int monitor_open(struct daemon *d, struct monitor **m_r)
{
    struct monitor *m = calloc(1, sizeof(*m));

    *m_r = NULL;
    if (!m)
        return XN_ENOMEM;
    m->d = d;
    LIST_INIT(&m->waiters);
    m->sub = bus_subscribe(d->bus, BUS_MASK(BUS_DOM_SHUTDOWN) |
                           BUS_MASK(BUS_DOM_DIED), on_event, m);
    if (!m->sub) {
        free(m);
        return XN_ENOMEM;
    }
    *m_r = m;
    return 0;
}

void monitor_close(struct monitor *m)
{
    struct waiter *w;

    if (!m)
        return;
    bus_unsubscribe(m->d->bus, m->sub);
    while ((w = LIST_FIRST(&m->waiters)))
        waiter_end(w, XN_ECANCELED);
    free(m);
}
