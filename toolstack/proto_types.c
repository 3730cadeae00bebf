/* proto_types.c - hypervisor types as protocol JSON, and back. */
#include "proto.h"
#include "utf8.h"
#include "uuid.h"

#include <stdio.h>
#include <string.h>

static void add_str(struct json_object *o, const char *k, const char *v)
{
    json_object_object_add(o, k, json_object_new_string(v));
}

static void add_int(struct json_object *o, const char *k, int64_t v)
{
    json_object_object_add(o, k, json_object_new_int64(v));
}

static struct json_object *sched_to_json(const struct hv_sched_params *s)
{
    struct json_object *o = json_object_new_object();
    add_str(o, "scheduler", hv_sched_name(s->sched));
    add_int(o, "weight", s->weight);
    add_int(o, "cap", s->cap);
    return o;
}

struct json_object *proto_dominfo_to_json(const struct hv_dominfo *d)
{
    struct json_object *o = json_object_new_object();
    char uuid[37];

    add_int(o, "domid", d->domid);
    add_str(o, "name", d->name);
    add_str(o, "uuid", xn_uuid_format(d->uuid, uuid));
    add_str(o, "type", hv_domtype_name(d->type));
    add_str(o, "state", hv_state_name(d->state));
    if (d->state == HV_STATE_SHUTDOWN)
        add_str(o, "shutdown_reason", hv_shutdown_name(d->shutdown_reason));
    add_int(o, "mem_kb", (int64_t)d->mem_kb);
    add_int(o, "target_kb", (int64_t)d->target_kb);
    add_int(o, "max_kb", (int64_t)d->max_kb);
    add_int(o, "vcpus_online", d->vcpus_online);
    add_int(o, "vcpus_max", d->vcpus_max);
    add_int(o, "cpu_time_ns", (int64_t)d->cpu_time_ns);
    add_int(o, "poolid", d->poolid);
    json_object_object_add(o, "sched", sched_to_json(&d->sched));
    json_object_object_add(o, "foreign", json_object_new_boolean(d->foreign));
    return o;
}

struct json_object *proto_pcidev_to_json(const struct hv_pcidev *p)
{
    struct json_object *o = json_object_new_object();
    bool given = p->domid != HV_NO_DOMAIN;
    char s[HV_PCI_ADDR_LEN];

    hv_pci_addr_str(&p->addr, s);
    add_str(o, "addr", s);
    add_str(o, "driver", p->driver);
    json_object_object_add(o, "assignable",
                           json_object_new_boolean(p->assignable));
    json_object_object_add(o, "domid", given ? json_object_new_int64(
                                                   p->domid) : NULL);
    json_object_object_add(o, "vslot", given && p->vslot >= 0
                                       ? json_object_new_int64(p->vslot)
                                       : NULL);
    return o;
}

/* Lookup helpers for decoding: a missing or mistyped field is an error. */
static int get_int(struct json_object *o, const char *k, int64_t *v,
                   struct xn_msg *msg)
{
    struct json_object *x;
    if (!json_object_object_get_ex(o, k, &x) ||
        !json_object_is_type(x, json_type_int))
        return xn_msg_set(msg, XN_EPROTO, "domain record: \"%s\" is missing "
                          "or not an integer", k);
    *v = json_object_get_int64(x);
    return 0;
}

static int get_str(struct json_object *o, const char *k, const char **v,
                   struct xn_msg *msg)
{
    struct json_object *x;
    if (!json_object_object_get_ex(o, k, &x) ||
        !json_object_is_type(x, json_type_string))
        return xn_msg_set(msg, XN_EPROTO, "domain record: \"%s\" is missing "
                          "or not a string", k);
    *v = json_object_get_string(x);
    return 0;
}

static enum hv_state state_parse(const char *s)
{
    for (int i = HV_STATE_RUNNING; i <= HV_STATE_DYING; i++)
        if (strcmp(s, hv_state_name((enum hv_state)i)) == 0)
            return (enum hv_state)i;
    return HV_STATE_BLOCKED;
}

static enum hv_shutdown reason_parse(const char *s)
{
    for (int i = HV_SHUTDOWN_NONE; i <= HV_SHUTDOWN_SOFT_RESET; i++)
        if (strcmp(s, hv_shutdown_name((enum hv_shutdown)i)) == 0)
            return (enum hv_shutdown)i;
    return HV_SHUTDOWN_NONE;
}

static enum hv_domtype type_parse(const char *s)
{
    for (int i = HV_TYPE_PV; i <= HV_TYPE_HVM; i++)
        if (strcmp(s, hv_domtype_name((enum hv_domtype)i)) == 0)
            return (enum hv_domtype)i;
    return HV_TYPE_UNKNOWN;
}

int proto_dominfo_from_json(struct json_object *o, struct hv_dominfo *d,
                            struct xn_msg *msg)
{
    int64_t v[10];
    const char *name, *uuid, *type, *state, *reason = NULL;
    struct json_object *sched, *x;
    int rc = 0;

    memset(d, 0, sizeof(*d));
    if (!json_object_is_type(o, json_type_object))
        return xn_msg_set(msg, XN_EPROTO, "domain record is not an object");
    if ((rc = get_int(o, "domid", &v[0], msg)) ||
        (rc = get_str(o, "name", &name, msg)) ||
        (rc = get_str(o, "uuid", &uuid, msg)) ||
        (rc = get_str(o, "type", &type, msg)) ||
        (rc = get_str(o, "state", &state, msg)) ||
        (rc = get_int(o, "mem_kb", &v[1], msg)) ||
        (rc = get_int(o, "target_kb", &v[2], msg)) ||
        (rc = get_int(o, "max_kb", &v[3], msg)) ||
        (rc = get_int(o, "vcpus_online", &v[4], msg)) ||
        (rc = get_int(o, "vcpus_max", &v[5], msg)) ||
        (rc = get_int(o, "cpu_time_ns", &v[6], msg)) ||
        (rc = get_int(o, "poolid", &v[7], msg)))
        return rc;
    d->domid = (uint32_t)v[0];
    snprintf(d->name, sizeof(d->name), "%s", name);
    if (xn_uuid_parse(uuid, d->uuid) < 0) {
        char q[64];
        return xn_msg_set(msg, XN_EPROTO, "domain record: uuid \"%s\" is "
                          "not a UUID", xn_quote(uuid, strlen(uuid), 40, q,
                                                 sizeof(q)));
    }
    d->type = type_parse(type);
    d->state = state_parse(state);
    if (json_object_object_get_ex(o, "shutdown_reason", &x) &&
        json_object_is_type(x, json_type_string))
        reason = json_object_get_string(x);
    d->shutdown_reason = reason ? reason_parse(reason) : HV_SHUTDOWN_NONE;
    d->mem_kb = (uint64_t)v[1];
    d->target_kb = (uint64_t)v[2];
    d->max_kb = (uint64_t)v[3];
    d->vcpus_online = (uint32_t)v[4];
    d->vcpus_max = (uint32_t)v[5];
    d->cpu_time_ns = (uint64_t)v[6];
    d->poolid = (uint32_t)v[7];
    if (json_object_object_get_ex(o, "foreign", &x))
        d->foreign = json_object_get_boolean(x);
    d->sched.weight = d->sched.cap = -1;
    if (json_object_object_get_ex(o, "sched", &sched) &&
        json_object_is_type(sched, json_type_object)) {
        if (json_object_object_get_ex(sched, "scheduler", &x))
            d->sched.sched = hv_sched_parse(json_object_get_string(x));
        if (json_object_object_get_ex(sched, "weight", &x))
            d->sched.weight = json_object_get_int(x);
        if (json_object_object_get_ex(sched, "cap", &x))
            d->sched.cap = json_object_get_int(x);
    }
    return 0;
}

struct json_object *proto_hostinfo_to_json(const struct hv_hostinfo *h)
{
    struct json_object *o = json_object_new_object();
    add_str(o, "host", h->hostname);
    add_str(o, "driver", h->driver);
    add_str(o, "xen_version", h->xen_version);
    add_int(o, "nr_cpus", h->nr_cpus);
    add_int(o, "threads_per_core", h->threads_per_core);
    add_int(o, "cores_per_socket", h->cores_per_socket);
    add_int(o, "cpu_mhz", h->cpu_mhz);
    add_int(o, "total_kb", (int64_t)h->total_kb);
    add_int(o, "free_kb", (int64_t)h->free_kb);
    add_str(o, "xen_scheduler", hv_sched_name(h->sched));
    add_str(o, "store", h->store_path);
    return o;
}

static struct json_object *cpuset_to_json(const struct cpuset *s)
{
    char buf[512];
    return json_object_new_string(cpuset_format(s, 0, buf, sizeof(buf)));
}

struct json_object *proto_vcpuinfo_to_json(const struct hv_vcpuinfo *v)
{
    struct json_object *o = json_object_new_object();
    add_int(o, "vcpu", v->vcpu);
    add_int(o, "cpu", v->cpu);
    json_object_object_add(o, "online", json_object_new_boolean(v->online));
    json_object_object_add(o, "running", json_object_new_boolean(v->running));
    json_object_object_add(o, "blocked", json_object_new_boolean(v->blocked));
    add_int(o, "time_ns", (int64_t)v->time_ns);
    json_object_object_add(o, "hard_affinity", cpuset_to_json(&v->hard));
    json_object_object_add(o, "soft_affinity", cpuset_to_json(&v->soft));
    return o;
}

struct json_object *proto_poolinfo_to_json(const struct hv_poolinfo *p)
{
    struct json_object *o = json_object_new_object();
    add_int(o, "poolid", p->poolid);
    add_str(o, "name", p->name);
    add_str(o, "scheduler", hv_sched_name(p->sched));
    add_int(o, "n_dom", p->n_dom);
    add_int(o, "n_cpus", cpuset_count(&p->cpus));
    json_object_object_add(o, "cpus", cpuset_to_json(&p->cpus));
    return o;
}
