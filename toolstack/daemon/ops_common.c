/* ops_common.c - running an operation on one domain inside its job. */
#include "ops.h"
#include "proto.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct op_ctx {
    struct request *r;
    struct hv_dominfo info;         /* the domain as the request named it */
    op_sync_fn *sync;
    op_async_fn *async;
};

int op_lookup(struct request *r, struct hv_dominfo *info_r,
              struct xn_msg *msg)
{
    const char *ref;
    uint32_t domid;
    int rc = proto_arg_string(r->args, "dom", true, &ref, msg);

    if (rc == 0)
        rc = hv_dom_lookup(r->d->hv, ref, &domid, msg);
    if (rc == 0)
        rc = hv_dom_info(r->d->hv, domid, info_r, msg);
    return rc;
}

struct json_object *op_domref(uint32_t domid, const char *name)
{
    struct json_object *o = json_object_new_object();
    json_object_object_add(o, "domid", json_object_new_int64(domid));
    json_object_object_add(o, "name", json_object_new_string(name));
    return o;
}

void op_publish(struct daemon *d, enum bus_type type, uint32_t domid)
{
    struct hv_dominfo info;
    struct bus_event ev;

    if (hv_dom_info(d->hv, domid, &info, NULL) < 0)
        return;
    bus_event_init(&ev, type, &info);
    bus_publish(d->bus, &ev);
}

void op_done(struct request *r, job_token token, int rc,
             const struct xn_msg *msg, struct json_object *take_result)
{
    struct daemon *d = r->d;

    if (rc < 0) {
        json_object_put(take_result);
        request_fail_msg(r, rc, msg);
    } else {
        request_ok(r, take_result);
    }
    if (d->jobs)
        jobs_end(d->jobs, token);
}

/* The domain the request named, now: the same id if it still has the same
 * UUID, else whichever domain has that UUID (a restart changes the id). */
static int find_again(struct daemon *d, const struct hv_dominfo *was,
                      uint32_t *domid_r, struct xn_msg *msg)
{
    struct hv_dominfo now;

    if (hv_dom_info(d->hv, was->domid, &now, NULL) == 0 &&
        memcmp(now.uuid, was->uuid, 16) == 0) {
        *domid_r = now.domid;
        return 0;
    }
    if (hv_dom_by_uuid(d->hv, was->uuid, &now, NULL) == 0) {
        *domid_r = now.domid;
        return 0;
    }
    return xn_msg_set(msg, XN_ENOENT, "domain %s (id %u) no longer exists",
                      was->name, was->domid);
}

static void op_start(void *arg, job_token token)
{
    struct op_ctx *c = arg;
    struct request *r = c->r;
    struct json_object *result = NULL;
    struct xn_msg msg;
    uint32_t domid = 0;
    int rc;

    xn_msg_clear(&msg);
    if (request_orphaned(r))
        rc = xn_msg_set(&msg, XN_ECANCELED, "the client has gone");
    else
        rc = find_again(r->d, &c->info, &domid, &msg);
    if (rc < 0) {
        free(c);
        op_done(r, token, rc, &msg, NULL);
        return;
    }
    if (c->async) {
        op_async_fn *fn = c->async;
        free(c);
        fn(r, domid, token);
        return;
    }
    rc = c->sync(r, domid, &result, &msg);
    free(c);
    op_done(r, token, rc, &msg, result);
}

static void op_cancel(void *arg)
{
    struct op_ctx *c = arg;
    request_fail(c->r, XN_ECANCELED, "the daemon is stopping");
    free(c);
}

static void op_queue(struct request *r, op_sync_fn *sync, op_async_fn *async)
{
    struct op_ctx *c = calloc(1, sizeof(*c));
    struct xn_msg msg;
    int rc;

    if (!c) {
        request_fail(r, XN_ENOMEM, "out of memory");
        return;
    }
    rc = op_lookup(r, &c->info, &msg);
    if (rc < 0) {
        free(c);
        request_fail_msg(r, rc, &msg);
        return;
    }
    c->r = r;
    c->sync = sync;
    c->async = async;
    if (jobs_begin(r->d->jobs, c->info.uuid, "request", op_start, op_cancel,
                   c) < 0) {
        free(c);
        request_fail(r, XN_ENOMEM, "out of memory");
    }
}

void op_sync(struct request *r, op_sync_fn *fn)
{
    op_queue(r, fn, NULL);
}

void op_async(struct request *r, op_async_fn *fn)
{
    op_queue(r, NULL, fn);
}
