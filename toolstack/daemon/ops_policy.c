/*
 * ops_policy.c - per-domain policy: shown and changed through the control
 * socket, kept in the state directory, mirrored into xenstore.
 *
 * The state file is the record: it is written (atomically) before a change
 * is acknowledged, so a change the client saw succeed survives a kill -9.
 * xenstore (/vm/UUID/xenith/policy/KEY) is brought in line with it at every
 * change, when the daemon starts, and when a domain appears.
 */
#include "ops.h"
#include "log.h"
#include "policy.h"
#include "proto.h"
#include "uuid.h"
#include "xsc.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct mirror {
    const uint8_t *uuid;
    const struct policy *p;
};

static int mirror_body(struct xsc *x, void *arg, struct xn_msg *msg)
{
    struct mirror *m = arg;
    char path[XSC_PATH_MAX], key[64];

    for (int k = 0; k < POLICY_NKEYS; k++) {
        int rc;
        snprintf(key, sizeof(key), "policy/%s", policy_key_name(k));
        xsc_xenith_path(path, m->uuid, key);
        rc = m->p->set[k] ? xsc_write_str(x, path, m->p->value[k], msg)
                          : xsc_rm(x, path, msg);
        if (rc < 0)
            return rc;
    }
    return 0;
}

/* Bring the domain's xenstore copy in line; a failure is logged, not
 * fatal: the state file is the record. */
static void mirror(struct daemon *d, const struct hv_dominfo *info,
                   const struct policy *p)
{
    struct mirror m = {info->uuid, p};
    struct xn_msg msg;

    if (!d->store)
        return;
    if (xsc_transaction(d->store, mirror_body, &m, 10, &msg) < 0)
        xn_log(XN_LOG_WARNING, "policy of %s (id %u) not mirrored to "
               "xenstore: %s", info->name, info->domid, msg.text);
}

void policy_sync_domain(struct daemon *d, uint32_t domid)
{
    struct hv_dominfo info;
    struct policy p;
    struct xn_msg msg;
    int rc;

    if (hv_dom_info(d->hv, domid, &info, NULL) < 0)
        return;
    rc = policy_load(d->state_dir, info.uuid, &p, &msg);
    if (rc == XN_ENOENT)
        return;
    if (rc < 0) {
        xn_log(XN_LOG_WARNING, "policy of %s (id %u): %s", info.name,
               info.domid, msg.text);
        return;
    }
    mirror(d, &info, &p);
}

void policy_sync_all(struct daemon *d)
{
    struct hv_dominfo *list;
    size_t n;

    if (hv_dom_list(d->hv, &list, &n, NULL) < 0)
        return;
    for (size_t i = 0; i < n; i++)
        policy_sync_domain(d, list[i].domid);
    free(list);
}

static struct json_object *policy_result(const struct hv_dominfo *info,
                                         const struct policy *p)
{
    struct json_object *o = op_domref(info->domid, info->name);
    char u[XN_UUID_TEXT];
    json_object_object_add(o, "uuid", json_object_new_string(
                               xn_uuid_format(info->uuid, u)));
    json_object_object_add(o, "policy", policy_to_json(p));
    return o;
}

void op_policy_get(struct request *r)
{
    struct hv_dominfo info;
    struct policy p;
    struct xn_msg msg;
    uint32_t domid;
    int rc = op_lookup(r, &domid, &msg);

    if (rc == 0)
        rc = hv_dom_info(r->d->hv, domid, &info, &msg);
    if (rc == 0) {
        rc = policy_load(r->d->state_dir, info.uuid, &p, &msg);
        if (rc == XN_ENOENT)
            rc = 0;             /* nothing set: every default applies */
    }
    if (rc < 0) {
        request_fail_msg(r, rc, &msg);
        return;
    }
    request_ok(r, policy_result(&info, &p));
}

/* Apply {"set": {key: value}, "unset": [key...]} to p. */
static int apply_changes(struct request *r, struct policy *p,
                         struct xn_msg *msg)
{
    struct json_object *set = NULL, *unset = NULL;

    json_object_object_get_ex(r->args, "set", &set);
    json_object_object_get_ex(r->args, "unset", &unset);
    if (set && !json_object_is_type(set, json_type_object))
        return xn_msg_set(msg, XN_EINVAL, "argument \"set\" must be an "
                          "object");
    if (unset && !json_object_is_type(unset, json_type_array))
        return xn_msg_set(msg, XN_EINVAL, "argument \"unset\" must be an "
                          "array of setting names");
    for (size_t i = 0; unset && i < json_object_array_length(unset); i++) {
        struct json_object *v = json_object_array_get_idx(unset, i);
        enum policy_key k = POLICY_NKEYS;
        int rc = policy_key_parse(json_object_get_string(v), &k, msg);
        if (rc < 0)
            return rc;
        p->set[k] = false;
        p->value[k][0] = '\0';
    }
    if (set) {
        json_object_object_foreach(set, key, val) {
            enum policy_key k = POLICY_NKEYS;
            int rc = policy_key_parse(key, &k, msg);
            if (rc == 0 && !json_object_is_type(val, json_type_string))
                rc = xn_msg_set(msg, XN_EINVAL, "policy setting \"%s\" must "
                                "be a string", key);
            if (rc == 0)
                rc = policy_value_parse(k, json_object_get_string(val),
                                        p->value[k], msg);
            if (rc < 0)
                return rc;
            p->set[k] = true;
        }
    }
    return policy_check(p, msg);
}

static int policy_set_run(struct request *r, uint32_t domid,
                          struct json_object **result_r, struct xn_msg *msg)
{
    struct hv_dominfo info;
    struct policy p;
    int rc = hv_dom_info(r->d->hv, domid, &info, msg);

    if (rc < 0)
        return rc;
    rc = policy_load(r->d->state_dir, info.uuid, &p, msg);
    if (rc < 0 && rc != XN_ENOENT)
        return rc;
    if ((rc = apply_changes(r, &p, msg)) < 0 ||
        (rc = policy_save(r->d->state_dir, info.uuid, info.name, &p,
                          msg)) < 0)
        return rc;
    mirror(r->d, &info, &p);
    monitor_publish(r->d, "policy", domid, info.name, policy_to_json(&p));
    *result_r = policy_result(&info, &p);
    return 0;
}

void op_policy_set(struct request *r)
{
    op_sync(r, policy_set_run);
}
