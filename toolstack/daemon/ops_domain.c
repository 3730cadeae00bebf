/* ops_domain.c - list, inspect, create, destroy, pause and rename domains. */
#include "ops.h"
#include "config/xlcfg_check.h"
#include "daemon/claims.h"
#include "daemon/start.h"
#include "log.h"
#include "proto.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* A list naming more domains than this is refused: one request's work and
 * reply stay bounded. */
#define LIST_REFS_MAX 1024

/* --- list and info --- */

static int list_selected(struct request *r, struct json_object *refs,
                         struct json_object *out, struct xn_msg *msg)
{
    size_t n = json_object_array_length(refs);

    if (n > LIST_REFS_MAX)
        return xn_msg_set(msg, XN_EINVAL, "argument \"doms\" names %zu "
                          "domains; at most %d at a time", n, LIST_REFS_MAX);
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
    op_pci_annotate(r->d, out);
    struct json_object *res = json_object_new_object();
    json_object_object_add(res, "domains", out);
    request_ok(r, res);
}

void op_dom_info(struct request *r)
{
    struct hv_dominfo info;
    struct xn_msg msg;
    int rc = op_lookup(r, &info, &msg);

    if (rc < 0) {
        request_fail_msg(r, rc, &msg);
        return;
    }
    struct json_object *rec = proto_dominfo_to_json(&info);
    op_pci_annotate(r->d, rec);
    request_ok(r, rec);
}

/* --- create --- */

/* A create under way: its request and the parse's warnings, which the
 * reply carries. */
struct create_ctx {
    struct request *r;
    struct xlcfg_warnings warn;
};

static void create_done(void *arg, int rc, const struct xn_msg *msg,
                        uint32_t domid, const char *name)
{
    struct create_ctx *c = arg;
    struct json_object *res, *warn;

    if (rc < 0) {
        request_fail_msg(c->r, rc, msg);
    } else {
        res = op_domref(domid, name);
        warn = json_object_new_array();
        for (int i = 0; i < c->warn.n; i++)
            json_object_array_add(warn,
                                   json_object_new_string(c->warn.text[i]));
        if (c->warn.dropped) {
            char more[64];
            snprintf(more, sizeof(more), "(%d more warnings)",
                     c->warn.dropped);
            json_object_array_add(warn, json_object_new_string(more));
        }
        json_object_object_add(res, "warnings", warn);
        request_ok(c->r, res);
    }
    free(c);
}

void op_dom_create(struct request *r)
{
    const char *text, *filename = NULL, *format = NULL;
    enum config_format fmt = CONFIG_XL;
    struct start_req req = {.kind = START_CREATE};
    struct create_ctx *c = NULL;
    struct xn_msg msg;
    int rc;

    if ((rc = proto_arg_string(r->args, "config", true, &text, &msg)) < 0 ||
        (rc = proto_arg_string(r->args, "filename", false, &filename,
                               &msg)) < 0 ||
        (rc = proto_arg_string(r->args, "format", false, &format,
                               &msg)) < 0 ||
        (rc = proto_arg_bool(r->args, "paused", &req.paused, &msg)) < 0)
        goto fail;
    if (format && strcmp(format, "libvirt") == 0)
        fmt = CONFIG_LIBVIRT;
    else if (format && strcmp(format, "xl") != 0) {
        rc = xn_msg_set(&msg, XN_EINVAL, "format \"%.64s\" is not xl or "
                        "libvirt", format);
        goto fail;
    }
    if (strlen(text) > XLCFG_TEXT_MAX) {
        rc = xn_msg_set(&msg, XN_EINVAL, "the configuration is larger than "
                        "%d KiB; that is no xl.cfg file",
                        XLCFG_TEXT_MAX / 1024);
        goto fail;
    }
    req.cfg = malloc(sizeof(*req.cfg));
    c = calloc(1, sizeof(*c));
    if (!req.cfg || !c) {
        free(req.cfg);
        rc = xn_msg_set(&msg, XN_ENOMEM, "out of memory");
        goto fail;
    }
    libxl_domain_config_init(req.cfg);
    c->r = r;
    rc = daemon_parse_config(r->d, filename ? filename : "<config>", text,
                             strlen(text), fmt, req.cfg, &c->warn, &msg);
    if (rc == 0)
        rc = start_domain(r->d, &req, create_done, c, &msg);
    else {
        libxl_domain_config_dispose(req.cfg);
        free(req.cfg);
    }
    if (rc == 0)
        return;
fail:
    free(c);
    request_fail_msg(r, rc, &msg);
}

/* --- destroy --- */

struct destroy_ctx {
    struct request *r;
    job_token token;
};

static void destroy_done(void *opaque, int rc, const struct xn_msg *msg,
                         uint32_t domid)
{
    struct destroy_ctx *c = opaque;
    if (rc == 0)
        xn_log(XN_LOG_NOTICE, "destroyed domain %u", domid);
    op_done(c->r, c->token, rc, msg, NULL);
    free(c);
}

static void destroy_start(struct request *r, uint32_t domid, job_token token)
{
    struct destroy_ctx *c = calloc(1, sizeof(*c));
    struct xn_msg msg;
    int rc;

    if (!c) {
        xn_msg_set(&msg, XN_ENOMEM, "out of memory");
        op_done(r, token, XN_ENOMEM, &msg, NULL);
        return;
    }
    c->r = r;
    c->token = token;
    rc = hv_destroy(r->d->hv, domid, destroy_done, c, &msg);
    if (rc < 0) {
        free(c);
        op_done(r, token, rc, &msg, NULL);
    }
}

void op_dom_destroy(struct request *r)
{
    op_async(r, destroy_start);
}

/* --- pause, unpause, rename --- */

static int pause_run(struct request *r, uint32_t domid,
                     struct json_object **result_r, struct xn_msg *msg)
{
    int rc = hv_pause(r->d->hv, domid, msg);
    if (rc == 0)
        op_publish(r->d, BUS_DOM_PAUSED, domid);
    return rc;
}

static int unpause_run(struct request *r, uint32_t domid,
                       struct json_object **result_r, struct xn_msg *msg)
{
    return daemon_dom_unpause(r->d, domid, msg);
}

static int rename_run(struct request *r, uint32_t domid,
                      struct json_object **result_r, struct xn_msg *msg)
{
    const char *name;
    int rc = proto_arg_string(r->args, "name", true, &name, msg);

    if (rc == 0)
        rc = daemon_dom_rename(r->d, domid, name, msg);
    if (rc < 0)
        return rc;
    *result_r = op_domref(domid, name);
    return 0;
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
