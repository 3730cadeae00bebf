/*
 * monitor.c - what happens when a domain shuts down or dies.
 *
 * The driver reports guest shutdowns and deaths (hv_event).  For domains
 * xenith looks after (all but those another toolstack made, hv_dominfo
 * .foreign), the monitor carries out the domain's on_poweroff / on_reboot /
 * on_crash / on_watchdog action, as xl's per-domain monitor process does:
 * destroy, restart (destroy, then create again from the same
 * configuration), or preserve.  It also wakes requests waiting for a domain
 * to go, and publishes every event on the stream (`xenith events`).
 */
#include "daemon.h"
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
    LIST_HEAD(, waiter) waiters;
};

struct monitor *monitor_new(struct daemon *d)
{
    struct monitor *m = calloc(1, sizeof(*m));
    if (m) {
        m->d = d;
        LIST_INIT(&m->waiters);
    }
    return m;
}

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

void monitor_free(struct monitor *m)
{
    struct waiter *w;
    if (!m)
        return;
    while ((w = LIST_FIRST(&m->waiters)))
        waiter_end(w, XN_ECANCELED);
    free(m);
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

void monitor_wait_gone(struct daemon *d, uint32_t domid, unsigned timeout_ms,
                       wait_fn *fn, void *arg)
{
    struct monitor *m = d->monitor;
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

void monitor_publish(struct daemon *d, const char *type, uint32_t domid,
                     const char *name, struct json_object *take_extra)
{
    struct json_object *ev = json_object_new_object();
    struct timespec ts;

    clock_gettime(CLOCK_REALTIME, &ts);
    json_object_object_add(ev, "type", json_object_new_string(type));
    json_object_object_add(ev, "domid", json_object_new_int64(domid));
    json_object_object_add(ev, "name", json_object_new_string(name));
    json_object_object_add(ev, "time", json_object_new_double(
                               (double)ts.tv_sec + ts.tv_nsec / 1e9));
    if (take_extra) {
        json_object_object_foreach(take_extra, k, v)
            json_object_object_add(ev, k, json_object_get(v));
        json_object_put(take_extra);
    }
    control_broadcast(d->control, ev);
}

/* --- shutdown actions --- */

struct action {
    struct daemon *d;
    uint32_t domid;
    char name[HV_NAME_MAX];
    libxl_action_on_shutdown what;
    libxl_domain_config *cfg;       /* for a restart; owned until handed to
                                     * hv_create */
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
                      uint32_t domid)
{
    struct action *a = opaque;
    if (rc < 0) {
        xn_log(XN_LOG_ERR, "could not restart %s: %s", a->name, msg->text);
    } else {
        struct json_object *extra = json_object_new_object();
        json_object_object_add(extra, "old_domid",
                               json_object_new_int64(a->domid));
        xn_log(XN_LOG_NOTICE, "restarted %s as id %u", a->name, domid);
        monitor_publish(a->d, "restarted", domid, a->name, extra);
        policy_sync_domain(a->d, domid);
    }
    free(a);
}

static void action_destroyed(void *opaque, int rc, const struct xn_msg *msg,
                             uint32_t domid)
{
    struct action *a = opaque;
    struct xn_msg m;

    jobs_release(a->d->jobs, a->domid);
    if (rc < 0) {
        xn_log(XN_LOG_ERR, "could not destroy %s (id %u) after it shut "
               "down: %s", a->name, a->domid, msg->text);
        action_free(a);
        return;
    }
    if (!a->cfg) {
        action_free(a);
        return;
    }
    libxl_domain_config *cfg = a->cfg;
    a->cfg = NULL;
    if (hv_create(a->d->hv, cfg, false, restarted, a, &m) < 0) {
        xn_log(XN_LOG_ERR, "could not restart %s: %s", a->name, m.text);
        free(a);
    }
}

static void action_start(void *arg)
{
    struct action *a = arg;
    struct xn_msg m;

    if (hv_destroy(a->d->hv, a->domid, action_destroyed, a, &m) < 0) {
        jobs_release(a->d->jobs, a->domid);
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

static void on_shutdown(struct daemon *d, const struct hv_event *ev)
{
    struct hv_dominfo info;
    struct action *a;
    struct xn_msg m;
    int rc;

    if (ev->reason == HV_SHUTDOWN_SUSPEND)
        return;                     /* a save or migration is under way */
    if (hv_dom_info(d->hv, ev->domid, &info, NULL) < 0 || info.foreign)
        return;
    a = calloc(1, sizeof(*a));
    if (!a || !(a->cfg = malloc(sizeof(*a->cfg)))) {
        free(a);
        return;
    }
    libxl_domain_config_init(a->cfg);
    a->d = d;
    a->domid = ev->domid;
    snprintf(a->name, sizeof(a->name), "%s", info.name);
    rc = hv_dom_config(d->hv, ev->domid, a->cfg, &m);
    if (rc < 0) {
        xn_log(XN_LOG_WARNING, "%s (id %u) shut down but its configuration "
               "is unknown (%s); destroying it", a->name, a->domid, m.text);
        libxl_domain_config_dispose(a->cfg);
        libxl_domain_config_init(a->cfg);
    }
    a->what = pick_action(a->cfg, ev->reason);
    xn_log(XN_LOG_INFO, "%s (id %u) shut down (%s): action %s", a->name,
           a->domid, hv_shutdown_name(ev->reason),
           libxl_action_on_shutdown_to_string(a->what));
    switch (a->what) {
    case LIBXL_ACTION_ON_SHUTDOWN_PRESERVE:
    case LIBXL_ACTION_ON_SHUTDOWN_SOFT_RESET:
        wake(d->monitor, ev->domid, 0);
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
    jobs_submit(d->jobs, a->domid, action_start, action_cancel, a);
}

void monitor_catch_up(struct daemon *d)
{
    struct hv_dominfo *list;
    size_t n;

    if (hv_dom_list(d->hv, &list, &n, NULL) < 0)
        return;
    for (size_t i = 0; i < n; i++) {
        if (list[i].state != HV_STATE_SHUTDOWN)
            continue;
        struct hv_event ev = {
            .type = HV_EV_SHUTDOWN,
            .domid = list[i].domid,
            .reason = list[i].shutdown_reason,
        };
        snprintf(ev.name, sizeof(ev.name), "%s", list[i].name);
        xn_log(XN_LOG_NOTICE, "%s (id %u) shut down (%s) while no daemon "
               "was watching", ev.name, ev.domid,
               hv_shutdown_name(ev.reason));
        on_shutdown(d, &ev);
    }
    free(list);
}

void monitor_hv_event(void *opaque, const struct hv_event *ev)
{
    struct daemon *d = opaque;
    struct json_object *extra;

    switch (ev->type) {
    case HV_EV_NEW:
        monitor_publish(d, "discovered", ev->domid, ev->name, NULL);
        policy_sync_domain(d, ev->domid);
        break;
    case HV_EV_SHUTDOWN:
        extra = json_object_new_object();
        json_object_object_add(extra, "reason", json_object_new_string(
                                   hv_shutdown_name(ev->reason)));
        monitor_publish(d, "shutdown", ev->domid, ev->name, extra);
        on_shutdown(d, ev);
        break;
    case HV_EV_DEATH:
        monitor_publish(d, "died", ev->domid, ev->name, NULL);
        wake(d->monitor, ev->domid, 0);
        break;
    }
}
