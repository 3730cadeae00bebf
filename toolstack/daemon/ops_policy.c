/*
 * ops_policy.c - per-domain policy through the control socket.
 *
 * The services own the keys (policy_keys.h); this checks a change with
 * them, writes the state file (atomically, before the change is
 * acknowledged, so a change the client saw succeed survives a kill -9) and
 * publishes the change on the bus, where the mirror and the services pick
 * it up.
 */
#include "ops.h"
#include "daemon/policy_keys.h"
#include "daemon/policy_mirror.h"
#include "proto.h"
#include "uuid.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static struct json_object *policy_result(struct daemon *d,
                                         const struct hv_dominfo *info,
                                         const struct policy *p)
{
    struct json_object *o = op_domref(info->domid, info->name);
    char u[XN_UUID_TEXT];

    json_object_object_add(o, "uuid", json_object_new_string(
                               xn_uuid_format(info->uuid, u)));
    json_object_object_add(o, "policy", policy_to_json(p));
    json_object_object_add(o, "keys", policy_keys_json(d->keys));
    return o;
}

void op_policy_get(struct request *r)
{
    struct hv_dominfo info;
    struct policy p;
    struct xn_msg msg;
    int rc = op_lookup(r, &info, &msg);

    if (rc == 0)
        rc = daemon_policy_load(r->d, info.uuid, &p, &msg);
    if (rc < 0) {
        request_fail_msg(r, rc, &msg);
        return;
    }
    request_ok(r, policy_result(r->d, &info, &p));
}

/* Apply {"set": {key: value}, "unset": [key...]} to p: each key known,
 * each value valid, no key both set and unset. */
static int apply_changes(struct request *r, struct policy *p,
                         struct xn_msg *msg)
{
    struct json_object *set = NULL, *unset = NULL;
    const struct policy_key *k;
    int rc;

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
        if (!json_object_is_type(v, json_type_string))
            return xn_msg_set(msg, XN_EINVAL, "argument \"unset\" must be "
                              "an array of setting names");
        if ((rc = policy_keys_lookup(r->d->keys, json_object_get_string(v),
                                     &k, msg)) < 0)
            return rc;
        if (set) {
            json_object_object_foreach(set, key, val) {
                const struct policy_key *k2 = policy_keys_find(r->d->keys,
                                                               key);
                (void)val;
                if (k2 == k)
                    return xn_msg_set(msg, XN_EINVAL, "policy setting "
                                      "\"%s\" is both set and unset",
                                      k->name);
            }
        }
        policy_unset(p, k->name);
    }
    if (set) {
        json_object_object_foreach(set, key, val) {
            char out[POLICY_VALUE_MAX];
            if (!json_object_is_type(val, json_type_string))
                return xn_msg_set(msg, XN_EINVAL, "policy setting \"%s\" "
                                  "must be a string", key);
            if ((rc = policy_keys_parse(r->d->keys, key,
                                        json_object_get_string(val), &k, out,
                                        msg)) < 0 ||
                (rc = policy_set(p, k->name, out, msg)) < 0)
                return rc;
        }
    }
    return policy_keys_check(r->d->keys, p, msg);
}

static int policy_set_run(struct request *r, uint32_t domid,
                          struct json_object **result_r, struct xn_msg *msg)
{
    struct hv_dominfo info;
    struct policy p;
    int rc = hv_dom_info(r->d->hv, domid, &info, msg);

    if (rc == 0)
        rc = daemon_policy_load(r->d, info.uuid, &p, msg);
    if (rc == 0)
        rc = apply_changes(r, &p, msg);
    if (rc == 0)
        rc = daemon_policy_store(r->d, &info, &p, msg);
    if (rc < 0)
        return rc;
    *result_r = policy_result(r->d, &info, &p);
    return 0;
}

void op_policy_set(struct request *r)
{
    op_sync(r, policy_set_run);
}
