/* ops_common.c - running an operation on one domain inside its job. */
#include "ops.h"
#include "proto.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct op_ctx {
    struct request *r;
    uint32_t domid;
    op_sync_fn *sync;
    op_async_fn *async;
};

int op_lookup(struct request *r, uint32_t *domid_r, struct xn_msg *msg)
{
    const char *ref;
    int rc = proto_arg_string(r->args, "dom", true, &ref, msg);
    if (rc < 0)
        return rc;
    return hv_dom_lookup(r->d->hv, ref, domid_r, msg);
}

struct json_object *op_domref(uint32_t domid, const char *name)
{
    struct json_object *o = json_object_new_object();
    json_object_object_add(o, "domid", json_object_new_int64(domid));
    json_object_object_add(o, "name", json_object_new_string(name));
    return o;
}

const char *op_domname(struct daemon *d, uint32_t domid, char *buf)
{
    struct hv_dominfo info;
    buf[0] = '\0';
    if (hv_dom_info(d->hv, domid, &info, NULL) == 0)
        snprintf(buf, HV_NAME_MAX, "%s", info.name);
    return buf;
}

void op_done(struct request *r, uint32_t domid, int rc,
             const struct xn_msg *msg, struct json_object *take_result)
{
    struct daemon *d = r->d;
    if (rc < 0) {
        json_object_put(take_result);
        request_fail_msg(r, rc, msg);
    } else {
        request_ok(r, take_result);
    }
    jobs_release(d->jobs, domid);
}

static void op_start(void *arg)
{
    struct op_ctx *c = arg;
    struct request *r = c->r;
    uint32_t domid = c->domid;
    struct json_object *result = NULL;
    struct xn_msg msg;
    int rc;

    if (c->async) {
        op_async_fn *fn = c->async;
        free(c);
        if (request_orphaned(r)) {
            op_done(r, domid, XN_ECANCELED, NULL, NULL);
            return;
        }
        fn(r, domid);
        return;
    }
    xn_msg_clear(&msg);
    rc = c->sync(r, domid, &result, &msg);
    free(c);
    op_done(r, domid, rc, &msg, result);
}

static void op_cancel(void *arg)
{
    struct op_ctx *c = arg;
    request_fail(c->r, XN_ECANCELED, "the daemon is stopping");
    free(c);
}

static void op_queue(struct request *r, op_sync_fn *sync, op_async_fn *async)
{
    struct op_ctx *c;
    struct xn_msg msg;
    uint32_t domid;
    int rc = op_lookup(r, &domid, &msg);

    if (rc < 0) {
        request_fail_msg(r, rc, &msg);
        return;
    }
    c = calloc(1, sizeof(*c));
    if (!c) {
        request_fail(r, XN_ENOMEM, "out of memory");
        return;
    }
    c->r = r;
    c->domid = domid;
    c->sync = sync;
    c->async = async;
    jobs_submit(r->d->jobs, domid, op_start, op_cancel, c);
}

void op_sync(struct request *r, op_sync_fn *fn)
{
    op_queue(r, fn, NULL);
}

void op_async(struct request *r, op_async_fn *fn)
{
    op_queue(r, NULL, fn);
}
