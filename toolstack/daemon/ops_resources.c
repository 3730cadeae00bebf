/* ops_resources.c - memory targets and limits, vCPUs and their affinity. */
#include "ops.h"
#include "proto.h"

#include <stdio.h>
#include <stdlib.h>

#define KB_MAX (INT64_C(1) << 50)   /* 1 EiB in KiB: beyond any host */

static int mem_target_run(struct request *r, uint32_t domid,
                          struct json_object **result_r, struct xn_msg *msg)
{
    struct hv_dominfo info;
    struct bus_event ev;
    int64_t kb = 0;
    int rc = proto_arg_int(r->args, "kb", true, 1, KB_MAX, &kb, msg);

    if (rc == 0)
        rc = hv_mem_target(r->d->hv, domid, (uint64_t)kb, msg);
    if (rc < 0)
        return rc;
    /* Said on the bus, so that a service balancing memory takes the
     * admin's figure as the domain's need instead of undoing it. */
    if (hv_dom_info(r->d->hv, domid, &info, NULL) == 0) {
        bus_event_init(&ev, BUS_DOM_MEM_TARGET, &info);
        ev.detail = json_object_new_object();
        json_object_object_add(ev.detail, "target_kb",
                               json_object_new_int64(kb));
        bus_publish(r->d->bus, &ev);
    }
    return 0;
}

static int mem_max_run(struct request *r, uint32_t domid,
                       struct json_object **result_r, struct xn_msg *msg)
{
    int64_t kb = 0;
    int rc = proto_arg_int(r->args, "kb", true, 1, KB_MAX, &kb, msg);
    return rc < 0 ? rc : hv_mem_max(r->d->hv, domid, (uint64_t)kb, msg);
}

void op_mem_target(struct request *r)
{
    op_sync(r, mem_target_run);
}

void op_mem_max(struct request *r)
{
    op_sync(r, mem_max_run);
}

/* Append the vCPUs of one domain to `out`. */
static int vcpus_of(struct daemon *d, const struct hv_dominfo *info,
                    struct json_object *out, struct xn_msg *msg)
{
    struct hv_vcpuinfo *list;
    size_t n;
    int rc = hv_vcpu_list(d->hv, info->domid, &list, &n, msg);

    if (rc < 0)
        return rc;
    for (size_t i = 0; i < n; i++) {
        struct json_object *v = proto_vcpuinfo_to_json(&list[i]);
        json_object_object_add(v, "domid", json_object_new_int64(
                                   info->domid));
        json_object_object_add(v, "name", json_object_new_string(
                                   info->name));
        json_object_array_add(out, v);
    }
    free(list);
    return 0;
}

void op_vcpu_list(struct request *r)
{
    struct json_object *out = json_object_new_array(), *res;
    struct hv_hostinfo host;
    struct hv_dominfo info, *list = NULL;
    struct xn_msg msg;
    const char *ref;
    size_t n = 0;
    int rc;

    rc = proto_arg_string(r->args, "dom", false, &ref, &msg);
    if (rc == 0)
        rc = hv_host_info(r->d->hv, &host, &msg);
    if (rc == 0 && ref) {
        uint32_t domid;
        rc = hv_dom_lookup(r->d->hv, ref, &domid, &msg);
        if (rc == 0)
            rc = hv_dom_info(r->d->hv, domid, &info, &msg);
        if (rc == 0)
            rc = vcpus_of(r->d, &info, out, &msg);
    } else if (rc == 0) {
        rc = hv_dom_list(r->d->hv, &list, &n, &msg);
        for (size_t i = 0; rc == 0 && i < n; i++) {
            rc = vcpus_of(r->d, &list[i], out, &msg);
            if (rc == XN_ENOENT)    /* died while we listed: skip it */
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
    json_object_object_add(res, "host_cpus", json_object_new_int64(
                               host.nr_cpus));
    json_object_object_add(res, "vcpus", out);
    request_ok(r, res);
}

static int vcpu_set_run(struct request *r, uint32_t domid,
                        struct json_object **result_r, struct xn_msg *msg)
{
    int64_t count = 0;
    int rc = proto_arg_int(r->args, "count", true, 1, 4096, &count, msg);
    return rc < 0 ? rc : hv_vcpu_set(r->d->hv, domid, (uint32_t)count, msg);
}

static int vcpu_pin_run(struct request *r, uint32_t domid,
                        struct json_object **result_r, struct xn_msg *msg)
{
    struct hv_hostinfo host;
    struct cpuset hard, soft;
    const char *hard_s, *soft_s = NULL;
    int64_t vcpu = -1;
    int rc;

    if ((rc = proto_arg_int(r->args, "vcpu", false, -1, 4095, &vcpu,
                            msg)) < 0 ||
        (rc = proto_arg_string(r->args, "hard", true, &hard_s, msg)) < 0 ||
        (rc = proto_arg_string(r->args, "soft", false, &soft_s, msg)) < 0 ||
        (rc = hv_host_info(r->d->hv, &host, msg)) < 0 ||
        (rc = cpuset_parse(&hard, hard_s, host.nr_cpus, msg)) < 0 ||
        (soft_s && (rc = cpuset_parse(&soft, soft_s, host.nr_cpus,
                                      msg)) < 0))
        return rc;
    return hv_vcpu_pin(r->d->hv, domid, (int)vcpu, &hard,
                       soft_s ? &soft : NULL, msg);
}

void op_vcpu_set(struct request *r)
{
    op_sync(r, vcpu_set_run);
}

void op_vcpu_pin(struct request *r)
{
    op_sync(r, vcpu_pin_run);
}
