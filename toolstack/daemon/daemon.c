/*
 * daemon.c - putting xenithd together and taking it apart.
 *
 * The order matters: the bus first (everything else subscribes to it),
 * then the hypervisor (its events become bus events), the services (their
 * policy keys before anything reads a policy), the policy mirror and the
 * shutdown monitor, and the control socket and the metrics endpoint last,
 * so that no client is served before the daemon is whole.  daemon_close goes the other way.
 */
#include "daemon/daemon.h"
#include "daemon/claims.h"
#include "daemon/metrics.h"
#include "daemon/policy_keys.h"
#include "daemon/policy_mirror.h"
#include "daemon/service.h"
#include "daemon/start.h"
#include "log.h"
#include "xsc.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* The driver's events, as bus events. */
static void hv_event(void *opaque, const struct hv_event *hev)
{
    struct daemon *d = opaque;
    struct bus_event ev;
    enum bus_type type;

    switch (hev->type) {
    case HV_EV_NEW: type = BUS_DOM_APPEARED; break;
    case HV_EV_SHUTDOWN: type = BUS_DOM_SHUTDOWN; break;
    case HV_EV_DEATH: type = BUS_DOM_DIED; break;
    default: return;
    }
    bus_event_init_dom(&ev, type, hev->domid, hev->uuid, hev->name);
    ev.reason = hev->reason;
    bus_publish(d->bus, &ev);
}

static int core_open(struct daemon *d, const struct daemon_opts *o,
                     struct xn_msg *msg)
{
    struct hv_open_opts hv_opts = {
        .scenario = o->scenario,
        .run_dir = o->run_dir,
    };
    int rc;

    d->state_dir = strdup(o->state_dir ? o->state_dir : XENITH_STATEDIR);
    d->options = o->options;
    d->bus = bus_new(d->base);
    d->jobs = jobs_new();
    d->claims = claims_new();
    d->starter = starter_new(d);
    d->keys = policy_keys_new();
    d->metrics = metrics_new();
    if (!d->state_dir || !d->bus || !d->jobs || !d->claims || !d->starter ||
        !d->keys || !d->metrics)
        return xn_msg_set(msg, XN_ENOMEM, "out of memory");
    rc = hv_open(o->uri, d->base, &hv_opts, hv_event, d, &d->hv, msg);
    if (rc < 0) {
        char why[XN_MSG_MAX];
        snprintf(why, sizeof(why), "%s", msg->text);
        return xn_msg_set(msg, rc, "cannot open %s: %s", o->uri, why);
    }
    if (hv_store_open(d->hv, &d->store, msg) < 0)
        xn_log(XN_LOG_WARNING, "no xenstore: %s; policies are kept in %s "
               "only", msg->text, d->state_dir);
    return metrics_core_start(d, msg);
}

int daemon_open(struct event_base *base, const struct daemon_opts *o,
                struct daemon **d_r, struct xn_msg *msg)
{
    struct daemon *d = calloc(1, sizeof(*d));
    int rc;

    *d_r = NULL;
    if (!d)
        return xn_msg_set(msg, XN_ENOMEM, "out of memory");
    d->base = base;
    if ((rc = core_open(d, o, msg)) < 0)
        goto fail;
    /* The services' keys are registered first thing in services_open, so
     * the mirror below already knows them. */
    if ((rc = services_open(d, o->services, &d->services, msg)) < 0)
        goto fail;
    if ((rc = policy_mirror_open(d, &d->mirror)) < 0 ||
        (rc = monitor_open(d, &d->monitor)) < 0) {
        xn_msg_set(msg, rc, "out of memory");
        goto fail;
    }
    if (o->socket) {
        if ((rc = control_open(d, o->socket, &d->control, msg)) < 0)
            goto fail;
        if ((rc = events_out_open(d, &d->events_out)) < 0) {
            xn_msg_set(msg, rc, "out of memory");
            goto fail;
        }
    }
    if (o->metrics) {
        if ((rc = metrics_http_open(d->base, d->metrics, o->metrics,
                                    &d->metrics_http, msg)) < 0)
            goto fail;
        xn_log(XN_LOG_NOTICE, "metrics at http://%s/metrics",
               metrics_http_address(d->metrics_http));
    }
    monitor_catch_up(d->monitor);
    *d_r = d;
    return 0;
fail:
    daemon_close(d);
    return rc;
}

void daemon_close(struct daemon *d)
{
    if (!d)
        return;
    metrics_http_close(d->metrics_http);
    events_out_close(d->events_out);
    control_close(d->control);
    services_close(d->services);
    monitor_close(d->monitor);
    policy_mirror_close(d->mirror);
    /* Waiting jobs are cancelled; then nothing may end a job any more, and
     * starts still in flight are told the daemon stops. */
    jobs_free(d->jobs);
    d->jobs = NULL;
    starter_free(d->starter);
    claims_free(d->claims);
    policy_keys_free(d->keys);
    xsc_close(d->store);
    hv_close(d->hv);
    metrics_free(d->metrics);
    bus_free(d->bus);
    free(d->state_dir);
    free(d);
}
