/* ops_sched.c - scheduler parameters of domains and of cpupools. */
#include "ops.h"
#include "proto.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* The "sched" argument: "credit" or "credit2". */
static int arg_sched(struct request *r, enum hv_sched *s_r,
                     struct xn_msg *msg)
{
    const char *name;
    int rc = proto_arg_string(r->args, "sched", true, &name, msg);
    if (rc < 0)
        return rc;
    *s_r = hv_sched_parse(name);
    if (*s_r != HV_SCHED_CREDIT && *s_r != HV_SCHED_CREDIT2)
        return xn_msg_set(msg, XN_EINVAL, "scheduler \"%s\" is not "
                          "supported (credit or credit2)", name);
    return 0;
}

static struct json_object *dom_sched_json(const struct hv_dominfo *info,
                                          const struct hv_sched_params *p)
{
    struct json_object *o = op_domref(info->domid, info->name);
    json_object_object_add(o, "weight", json_object_new_int(p->weight));
    json_object_object_add(o, "cap", json_object_new_int(p->cap));
    return o;
}

static int dom_sched(struct daemon *d, const struct hv_dominfo *info,
                     enum hv_sched want, struct json_object *out,
                     struct xn_msg *msg)
{
    struct hv_sched_params p = {.sched = want, .weight = -1, .cap = -1};
    int rc = hv_sched_get(d->hv, info->domid, &p, msg);
    if (rc < 0)
        return rc;
    if (p.sched != want)
        return xn_msg_set(msg, XN_ENOTSUP, "domain %s (id %u) runs under "
                          "%s, not %s", info->name, info->domid,
                          hv_sched_name(p.sched), hv_sched_name(want));
    json_object_array_add(out, dom_sched_json(info, &p));
    return 0;
}

void op_sched_get(struct request *r)
{
    struct json_object *out = json_object_new_array(), *res;
    struct hv_dominfo info, *list = NULL;
    struct xn_msg msg;
    enum hv_sched want;
    const char *ref = NULL;
    size_t n = 0;
    int rc;

    if ((rc = arg_sched(r, &want, &msg)) == 0)
        rc = proto_arg_string(r->args, "dom", false, &ref, &msg);
    if (rc == 0 && ref) {
        uint32_t domid;
        rc = hv_dom_lookup(r->d->hv, ref, &domid, &msg);
        if (rc == 0)
            rc = hv_dom_info(r->d->hv, domid, &info, &msg);
        if (rc == 0)
            rc = dom_sched(r->d, &info, want, out, &msg);
    } else if (rc == 0) {
        /* Every domain in a pool run by the scheduler asked for. */
        rc = hv_dom_list(r->d->hv, &list, &n, &msg);
        for (size_t i = 0; rc == 0 && i < n; i++) {
            if (list[i].sched.sched != want)
                continue;
            rc = dom_sched(r->d, &list[i], want, out, &msg);
            if (rc == XN_ENOENT)
                rc = 0;
        }
        free(list);
    }
    if (rc < 0) {
        json_object_put(out);
        request_fail_msg(r, rc, &msg);
        return;
    }
    res = json_object_new_object();
    json_object_object_add(res, "scheduler",
                           json_object_new_string(hv_sched_name(want)));
    json_object_object_add(res, "domains", out);
    request_ok(r, res);
}

static int sched_set_run(struct request *r, uint32_t domid,
                         struct json_object **result_r, struct xn_msg *msg)
{
    struct hv_sched_params p = {.weight = -1, .cap = -1};
    int64_t weight = -1, cap = -1;
    int rc;

    if ((rc = arg_sched(r, &p.sched, msg)) < 0 ||
        (rc = proto_arg_int(r->args, "weight", false, 1, 65535, &weight,
                            msg)) < 0 ||
        (rc = proto_arg_int(r->args, "cap", false, 0, 65535, &cap, msg)) < 0)
        return rc;
    p.weight = (int)weight;
    p.cap = (int)cap;
    return hv_sched_set(r->d->hv, domid, &p, msg);
}

void op_sched_set(struct request *r)
{
    op_sync(r, sched_set_run);
}

/* --- cpupools --- */

void op_pool_list(struct request *r)
{
    struct hv_poolinfo *pools;
    struct json_object *out, *res;
    struct xn_msg msg;
    size_t n;
    int rc = hv_pool_list(r->d->hv, &pools, &n, &msg);

    if (rc < 0) {
        request_fail_msg(r, rc, &msg);
        return;
    }
    out = json_object_new_array();
    for (size_t i = 0; i < n; i++)
        json_object_array_add(out, proto_poolinfo_to_json(&pools[i]));
    free(pools);
    res = json_object_new_object();
    json_object_object_add(res, "pools", out);
    request_ok(r, res);
}

/* Find a pool by name or id; NULL ref means pool 0. */
static int find_pool(struct daemon *d, const char *ref,
                     struct hv_poolinfo *pool, struct xn_msg *msg)
{
    struct hv_poolinfo *pools;
    size_t n;
    bool by_id = ref && *ref && strspn(ref, "0123456789") == strlen(ref);
    int rc = hv_pool_list(d->hv, &pools, &n, msg);

    if (rc < 0)
        return rc;
    rc = ref ? xn_msg_set(msg, XN_ENOENT, "no cpupool named \"%s\"", ref)
             : xn_msg_set(msg, XN_ENOENT, "the host has no cpupool 0");
    for (size_t i = 0; i < n; i++) {
        bool match = !ref ? pools[i].poolid == 0
                     : by_id ? pools[i].poolid == strtoul(ref, NULL, 10)
                             : strcmp(pools[i].name, ref) == 0;
        if (match) {
            *pool = pools[i];
            rc = 0;
            break;
        }
    }
    free(pools);
    return rc;
}

static struct json_object *pool_params_json(const struct hv_poolinfo *pool,
                                            const struct hv_pool_sched *p)
{
    struct json_object *o = json_object_new_object();
    json_object_object_add(o, "poolid", json_object_new_int64(pool->poolid));
    json_object_object_add(o, "name", json_object_new_string(pool->name));
    json_object_object_add(o, "scheduler", json_object_new_string(
                               hv_sched_name(pool->sched)));
    if (p->tslice_ms >= 0)
        json_object_object_add(o, "tslice_ms",
                               json_object_new_int(p->tslice_ms));
    if (p->ratelimit_us >= 0)
        json_object_object_add(o, "ratelimit_us",
                               json_object_new_int(p->ratelimit_us));
    return o;
}

/* Resolve the request's pool and check it runs the scheduler asked for. */
static int request_pool(struct request *r, enum hv_sched *want,
                        struct hv_poolinfo *pool, struct xn_msg *msg)
{
    const char *ref = NULL;
    int rc;

    if ((rc = arg_sched(r, want, msg)) < 0 ||
        (rc = proto_arg_string(r->args, "pool", false, &ref, msg)) < 0 ||
        (rc = find_pool(r->d, ref, pool, msg)) < 0)
        return rc;
    if (pool->sched != *want)
        return xn_msg_set(msg, XN_ENOTSUP, "cpupool %s runs %s, not %s",
                          pool->name, hv_sched_name(pool->sched),
                          hv_sched_name(*want));
    return 0;
}

void op_pool_sched_get(struct request *r)
{
    struct hv_poolinfo pool;
    struct hv_pool_sched p = {.tslice_ms = -1, .ratelimit_us = -1};
    struct xn_msg msg;
    enum hv_sched want;
    int rc = request_pool(r, &want, &pool, &msg);

    if (rc == 0) {
        p.sched = want;
        rc = hv_pool_sched_get(r->d->hv, pool.poolid, &p, &msg);
    }
    if (rc < 0) {
        request_fail_msg(r, rc, &msg);
        return;
    }
    request_ok(r, pool_params_json(&pool, &p));
}

void op_pool_sched_set(struct request *r)
{
    struct hv_poolinfo pool;
    struct hv_pool_sched p = {.tslice_ms = -1, .ratelimit_us = -1};
    int64_t tslice = -1, ratelimit = -1;
    struct xn_msg msg;
    enum hv_sched want;
    int rc = request_pool(r, &want, &pool, &msg);

    if (rc == 0)
        rc = proto_arg_int(r->args, "tslice_ms", false, 1, 1000, &tslice,
                           &msg);
    if (rc == 0)
        rc = proto_arg_int(r->args, "ratelimit_us", false, 0, 500000,
                           &ratelimit, &msg);
    if (rc == 0 && tslice >= 0 && want != HV_SCHED_CREDIT)
        rc = xn_msg_set(&msg, XN_EINVAL, "tslice applies to credit only; "
                        "cpupool %s runs %s", pool.name,
                        hv_sched_name(want));
    if (rc == 0) {
        p.sched = want;
        p.tslice_ms = (int)tslice;
        p.ratelimit_us = (int)ratelimit;
        rc = hv_pool_sched_set(r->d->hv, pool.poolid, &p, &msg);
    }
    if (rc == 0) {
        p.tslice_ms = p.ratelimit_us = -1;
        rc = hv_pool_sched_get(r->d->hv, pool.poolid, &p, &msg);
    }
    if (rc < 0) {
        request_fail_msg(r, rc, &msg);
        return;
    }
    request_ok(r, pool_params_json(&pool, &p));
}
