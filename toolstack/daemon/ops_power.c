/*
 * ops_power.c - shutdown and reboot, optionally waiting for the domain to
 * go, and falling back to destroy after the timeout only when asked.
 *
 * The domain's job is held only while the request is delivered to the
 * guest; the wait itself holds nothing, so an admin can still destroy a
 * guest that ignores the request.
 */
#include "ops.h"
#include "log.h"
#include "proto.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define WAIT_DEFAULT_MS (300 * 1000)

struct power_ctx {
    struct request *r;
    uint32_t domid;
    uint8_t uuid[16];
    job_token token;                /* while the domain's job is held */
    char name[HV_NAME_MAX];
    bool reboot;
    bool wait;
    bool force;
    unsigned timeout_ms;
};

static void end_job(struct power_ctx *c)
{
    if (c->r->d->jobs)
        jobs_end(c->r->d->jobs, c->token);
    c->token = JOB_NONE;
}

static void power_finish(struct power_ctx *c, int rc, const char *message,
                         bool forced)
{
    if (rc < 0) {
        request_fail(c->r, rc, message);
    } else {
        struct json_object *res = op_domref(c->domid, c->name);
        json_object_object_add(res, "forced", json_object_new_boolean(forced));
        request_ok(c->r, res);
    }
    free(c);
}

static void forced_done(void *opaque, int rc, const struct xn_msg *msg,
                        uint32_t domid)
{
    struct power_ctx *c = opaque;
    end_job(c);
    if (rc == 0)
        xn_log(XN_LOG_NOTICE, "domain %s (id %u) ignored the %s request; "
               "destroyed it as asked", c->name, c->domid,
               c->reboot ? "reboot" : "shutdown");
    power_finish(c, rc, rc < 0 ? msg->text : NULL, true);
}

static void forced_start(void *arg, job_token token)
{
    struct power_ctx *c = arg;
    struct xn_msg msg;
    int rc;

    c->token = token;
    rc = hv_destroy(c->r->d->hv, c->domid, forced_done, c, &msg);
    if (rc < 0) {
        end_job(c);
        if (rc == XN_ENOENT)        /* it went by itself meanwhile */
            power_finish(c, 0, NULL, false);
        else
            power_finish(c, rc, msg.text, true);
    }
}

static void forced_cancel(void *arg)
{
    power_finish(arg, XN_ECANCELED, "the daemon is stopping", false);
}

static void waited(void *arg, int rc, uint32_t domid)
{
    struct power_ctx *c = arg;
    char m[256];

    if (rc == 0) {
        power_finish(c, 0, NULL, false);
        return;
    }
    if (c->force) {
        if (jobs_begin(c->r->d->jobs, c->uuid, "forced destroy", forced_start,
                       forced_cancel, c) < 0)
            power_finish(c, XN_ENOMEM, "out of memory", false);
        return;
    }
    snprintf(m, sizeof(m), "domain %s (id %u) did not %s within %u s; "
             "destroy it, or retry with --force", c->name, c->domid,
             c->reboot ? "reboot" : "shut down", c->timeout_ms / 1000);
    power_finish(c, XN_ETIMEDOUT, m, false);
}

static void request_sent(void *opaque, int rc, const struct xn_msg *msg,
                         uint32_t domid)
{
    struct power_ctx *c = opaque;

    end_job(c);
    if (rc < 0) {
        power_finish(c, rc, msg->text, false);
        return;
    }
    xn_log(XN_LOG_INFO, "asked domain %s (id %u) to %s", c->name, c->domid,
           c->reboot ? "reboot" : "shut down");
    if (!c->wait) {
        power_finish(c, 0, NULL, false);
        return;
    }
    monitor_wait_gone(c->r->d->monitor, c->domid, c->timeout_ms, waited, c);
}

static void power_start(void *arg, job_token token)
{
    struct power_ctx *c = arg;
    struct hv_dominfo info;
    struct xn_msg msg;
    int rc;

    c->token = token;
    if (request_orphaned(c->r)) {
        end_job(c);
        power_finish(c, XN_ECANCELED, NULL, false);
        return;
    }
    /* The domain as it is now: a restart may have changed its id. */
    if (hv_dom_by_uuid(c->r->d->hv, c->uuid, &info, NULL) == 0) {
        c->domid = info.domid;
        snprintf(c->name, sizeof(c->name), "%s", info.name);
    }
    rc = hv_shutdown(c->r->d->hv, c->domid, c->reboot, request_sent, c,
                     &msg);
    if (rc < 0) {
        end_job(c);
        power_finish(c, rc, msg.text, false);
    }
}

void op_dom_shutdown(struct request *r)
{
    struct power_ctx *c = calloc(1, sizeof(*c));
    int64_t timeout_ms = WAIT_DEFAULT_MS;
    struct hv_dominfo info;
    struct xn_msg msg;
    int rc;

    if (!c) {
        request_fail(r, XN_ENOMEM, "out of memory");
        return;
    }
    c->r = r;
    if ((rc = proto_arg_bool(r->args, "reboot", &c->reboot, &msg)) < 0 ||
        (rc = proto_arg_bool(r->args, "wait", &c->wait, &msg)) < 0 ||
        (rc = proto_arg_bool(r->args, "force", &c->force, &msg)) < 0 ||
        (rc = proto_arg_int(r->args, "timeout_ms", false, 1,
                            24 * 3600 * 1000, &timeout_ms, &msg)) < 0 ||
        (rc = op_lookup(r, &info, &msg)) < 0) {
        free(c);
        request_fail_msg(r, rc, &msg);
        return;
    }
    if (c->force && !c->wait) {
        free(c);
        request_fail(r, XN_EINVAL, "\"force\" needs \"wait\": destroying "
                     "after a timeout means waiting for one");
        return;
    }
    c->timeout_ms = (unsigned)timeout_ms;
    c->domid = info.domid;
    memcpy(c->uuid, info.uuid, 16);
    snprintf(c->name, sizeof(c->name), "%s", info.name);
    if (jobs_begin(r->d->jobs, c->uuid, "shutdown", power_start,
                   forced_cancel, c) < 0)
        power_finish(c, XN_ENOMEM, "out of memory", false);
}
