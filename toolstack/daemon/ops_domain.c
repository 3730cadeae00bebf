/* ops_domain.c - list, inspect, create, destroy, pause and rename domains. */
#include "ops.h"
#include "log.h"
#include "proto.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* --- names being claimed --- */

int daemon_claim_name(struct daemon *d, const char *name, struct xn_msg *msg)
{
    uint32_t domid;
    char **grown;

    for (size_t i = 0; i < d->n_creating; i++)
        if (strcmp(d->creating[i], name) == 0)
            return xn_msg_set(msg, XN_EEXIST, "a domain named \"%s\" is "
                              "being created already", name);
    if (hv_dom_lookup(d->hv, name, &domid, NULL) == 0)
        return xn_msg_set(msg, XN_EEXIST, "a domain named \"%s\" already "
                          "exists (id %u)", name, domid);
    grown = realloc(d->creating, (d->n_creating + 1) * sizeof(*grown));
    if (!grown)
        return xn_msg_set(msg, XN_ENOMEM, "out of memory");
    d->creating = grown;
    if (!(d->creating[d->n_creating] = strdup(name)))
        return xn_msg_set(msg, XN_ENOMEM, "out of memory");
    d->n_creating++;
    return 0;
}

void daemon_unclaim_name(struct daemon *d, const char *name)
{
    for (size_t i = 0; i < d->n_creating; i++) {
        if (strcmp(d->creating[i], name) == 0) {
            free(d->creating[i]);
            d->creating[i] = d->creating[--d->n_creating];
            return;
        }
    }
}

/* --- list and info --- */

static int list_selected(struct request *r, struct json_object *refs,
                         struct json_object *out, struct xn_msg *msg)
{
    size_t n = json_object_array_length(refs);
    for (size_t i = 0; i < n; i++) {
        struct json_object *ref = json_object_array_get_idx(refs, i);
        struct hv_dominfo info;
        uint32_t domid;
        int rc;

        if (!json_object_is_type(ref, json_type_string))
            return xn_msg_set(msg, XN_EINVAL, "argument \"doms\" must be "
                              "an array of names or ids");
        rc = hv_dom_lookup(r->d->hv, json_object_get_string(ref), &domid,
                           msg);
        if (rc == 0)
            rc = hv_dom_info(r->d->hv, domid, &info, msg);
        if (rc < 0)
            return rc;
        json_object_array_add(out, proto_dominfo_to_json(&info));
    }
    return 0;
}

void op_dom_list(struct request *r)
{
    struct json_object *refs, *out = json_object_new_array();
    struct xn_msg msg;
    int rc = 0;

    if (json_object_object_get_ex(r->args, "doms", &refs) && refs) {
        if (!json_object_is_type(refs, json_type_array))
            rc = xn_msg_set(&msg, XN_EINVAL, "argument \"doms\" must be an "
                            "array of names or ids");
        else
            rc = list_selected(r, refs, out, &msg);
    } else {
        struct hv_dominfo *list;
        size_t n;
        rc = hv_dom_list(r->d->hv, &list, &n, &msg);
        for (size_t i = 0; rc == 0 && i < n; i++)
            json_object_array_add(out, proto_dominfo_to_json(&list[i]));
        if (rc == 0)
            free(list);
    }
    if (rc < 0) {
        json_object_put(out);
        request_fail_msg(r, rc, &msg);
        return;
    }
    struct json_object *res = json_object_new_object();
    json_object_object_add(res, "domains", out);
    request_ok(r, res);
}

void op_dom_info(struct request *r)
{
    struct hv_dominfo info;
    struct xn_msg msg;
    uint32_t domid;
    int rc = op_lookup(r, &domid, &msg);

    if (rc == 0)
        rc = hv_dom_info(r->d->hv, domid, &info, &msg);
    if (rc < 0) {
        request_fail_msg(r, rc, &msg);
        return;
    }
    request_ok(r, proto_dominfo_to_json(&info));
}

/* --- create --- */

struct create_ctx {
    struct request *r;
    char *name;
};

static void create_done(void *opaque, int rc, const struct xn_msg *msg,
                        uint32_t domid)
{
    struct create_ctx *c = opaque;
    struct daemon *d = c->r->d;

    daemon_unclaim_name(d, c->name);
    if (rc < 0) {
        xn_log(XN_LOG_ERR, "create %s failed: %s", c->name, msg->text);
        request_fail_msg(c->r, rc, msg);
    } else {
        xn_log(XN_LOG_NOTICE, "created domain %s (id %u)", c->name, domid);
        monitor_publish(d, "created", domid, c->name, NULL);
        policy_sync_domain(d, domid);
        request_ok(c->r, op_domref(domid, c->name));
    }
    free(c->name);
    free(c);
}

void op_dom_create(struct request *r)
{
    const char *text, *filename = NULL;
    bool paused = false;
    libxl_domain_config *cfg = NULL;
    struct create_ctx *c = NULL;
    struct xn_msg msg;
    int rc;

    if ((rc = proto_arg_string(r->args, "config", true, &text, &msg)) < 0 ||
        (rc = proto_arg_string(r->args, "filename", false, &filename,
                               &msg)) < 0 ||
        (rc = proto_arg_bool(r->args, "paused", &paused, &msg)) < 0)
        goto fail;
    cfg = malloc(sizeof(*cfg));
    c = calloc(1, sizeof(*c));
    if (!cfg || !c) {
        rc = xn_msg_set(&msg, XN_ENOMEM, "out of memory");
        goto fail;
    }
    libxl_domain_config_init(cfg);
    rc = daemon_parse_config(r->d, filename ? filename : "<config>", text,
                             cfg, &msg);
    if (rc < 0)
        goto fail;
    if ((rc = daemon_claim_name(r->d, cfg->c_info.name, &msg)) < 0)
        goto fail;
    c->r = r;
    c->name = strdup(cfg->c_info.name);
    if (!c->name) {
        daemon_unclaim_name(r->d, cfg->c_info.name);
        rc = xn_msg_set(&msg, XN_ENOMEM, "out of memory");
        goto fail;
    }
    rc = hv_create(r->d->hv, cfg, paused, create_done, c, &msg);
    cfg = NULL;                     /* the driver owns it now */
    if (rc < 0) {
        daemon_unclaim_name(r->d, c->name);
        free(c->name);
        goto fail;
    }
    return;
fail:
    if (cfg) {
        libxl_domain_config_dispose(cfg);
        free(cfg);
    }
    free(c);
    request_fail_msg(r, rc, &msg);
}

/* --- destroy --- */

static void destroy_done(void *opaque, int rc, const struct xn_msg *msg,
                         uint32_t domid)
{
    struct request *r = opaque;
    if (rc == 0)
        xn_log(XN_LOG_NOTICE, "destroyed domain %u", domid);
    op_done(r, domid, rc, msg, NULL);
}

static void destroy_start(struct request *r, uint32_t domid)
{
    struct xn_msg msg;
    int rc = hv_destroy(r->d->hv, domid, destroy_done, r, &msg);
    if (rc < 0)
        op_done(r, domid, rc, &msg, NULL);
}

void op_dom_destroy(struct request *r)
{
    op_async(r, destroy_start);
}

/* --- pause, unpause, rename --- */

static int pause_run(struct request *r, uint32_t domid,
                     struct json_object **result_r, struct xn_msg *msg)
{
    char name[HV_NAME_MAX];
    int rc = hv_pause(r->d->hv, domid, msg);
    if (rc == 0)
        monitor_publish(r->d, "paused", domid, op_domname(r->d, domid, name),
                        NULL);
    return rc;
}

static int unpause_run(struct request *r, uint32_t domid,
                       struct json_object **result_r, struct xn_msg *msg)
{
    char name[HV_NAME_MAX];
    int rc = hv_unpause(r->d->hv, domid, msg);
    if (rc == 0)
        monitor_publish(r->d, "unpaused", domid,
                        op_domname(r->d, domid, name), NULL);
    return rc;
}

static int rename_run(struct request *r, uint32_t domid,
                      struct json_object **result_r, struct xn_msg *msg)
{
    char old[HV_NAME_MAX];
    const char *name;
    int rc = proto_arg_string(r->args, "name", true, &name, msg);

    if (rc < 0)
        return rc;
    op_domname(r->d, domid, old);
    if ((rc = daemon_claim_name(r->d, name, msg)) < 0)
        return rc;
    rc = hv_rename(r->d->hv, domid, name, msg);
    daemon_unclaim_name(r->d, name);
    if (rc == 0) {
        struct json_object *extra = json_object_new_object();
        json_object_object_add(extra, "old_name",
                               json_object_new_string(old));
        monitor_publish(r->d, "renamed", domid, name, extra);
        *result_r = op_domref(domid, name);
    }
    return rc;
}

void op_dom_pause(struct request *r)
{
    op_sync(r, pause_run);
}

void op_dom_unpause(struct request *r)
{
    op_sync(r, unpause_run);
}

void op_dom_rename(struct request *r)
{
    op_sync(r, rename_run);
}
