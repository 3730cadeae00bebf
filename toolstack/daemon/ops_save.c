/*
 * ops_save.c - save a domain to a file and restore it.
 *
 * Nothing is lost on failure: the image is written to PATH.partial and
 * renamed into place only when complete and synced; the domain is destroyed
 * only after that (or resumed, for a checkpoint); a failed save resumes the
 * domain and removes the partial file.
 */
#include "ops.h"
#include "log.h"
#include "proto.h"
#include "savefile.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

struct save_ctx {
    struct request *r;
    uint32_t domid;
    char name[HV_NAME_MAX];
    char *path;                 /* final file (owned) */
    char *partial;              /* PATH.partial while writing (owned) */
    int fd;
    bool checkpoint;
    int rc;                     /* the failure being reported, if any */
    struct xn_msg msg;
};

static void save_free(struct save_ctx *c)
{
    if (c->fd >= 0)
        close(c->fd);
    free(c->path);
    free(c->partial);
    free(c);
}

/* Answer and release the domain. */
static void save_finish(struct save_ctx *c, int rc, const char *message)
{
    struct request *r = c->r;
    uint32_t domid = c->domid;
    struct json_object *res = NULL;
    struct xn_msg m;

    if (rc == 0) {
        res = op_domref(c->domid, c->name);
        json_object_object_add(res, "path", json_object_new_string(c->path));
        monitor_publish(r->d, "saved", c->domid, c->name, NULL);
    }
    snprintf(m.text, sizeof(m.text), "%s", message ? message : "");
    save_free(c);
    op_done(r, domid, rc, &m, res);
}

static void after_failure_resume(void *opaque, int rc,
                                 const struct xn_msg *msg, uint32_t domid)
{
    struct save_ctx *c = opaque;
    char m[2 * XN_MSG_MAX + 64];

    if (rc < 0) {
        xn_log(XN_LOG_ERR, "domain %s (id %u) stays suspended: resume "
               "failed: %s", c->name, c->domid, msg->text);
        snprintf(m, sizeof(m), "%s; resuming the domain failed too (%s)",
                 c->msg.text, msg->text);
    } else {
        snprintf(m, sizeof(m), "%s; the domain runs on", c->msg.text);
    }
    save_finish(c, c->rc, m);
}

/* The save failed: drop the partial file, let the domain run again. */
static void save_failed(struct save_ctx *c, int rc)
{
    struct hv_dominfo info;
    struct xn_msg m;

    c->rc = rc;
    if (c->fd >= 0) {
        close(c->fd);
        c->fd = -1;
    }
    unlink(c->partial);
    xn_log(XN_LOG_ERR, "save of %s (id %u) failed: %s", c->name, c->domid,
           c->msg.text);
    if (hv_dom_info(c->r->d->hv, c->domid, &info, NULL) == 0 &&
        info.state == HV_STATE_SHUTDOWN &&
        info.shutdown_reason == HV_SHUTDOWN_SUSPEND &&
        hv_resume(c->r->d->hv, c->domid, after_failure_resume, c, &m) == 0)
        return;
    save_finish(c, rc, c->msg.text);
}

static void after_success(void *opaque, int rc, const struct xn_msg *msg,
                          uint32_t domid)
{
    struct save_ctx *c = opaque;
    char m[2 * XN_MSG_MAX + 64];

    if (rc < 0) {
        /* The image is safe on disk; say what did not follow. */
        snprintf(m, sizeof(m), "saved to %s, but %s failed: %s", c->path,
                 c->checkpoint ? "resuming the domain" : "destroying the "
                 "saved domain", msg->text);
        save_finish(c, rc, m);
        return;
    }
    xn_log(XN_LOG_NOTICE, "saved %s (id %u) to %s%s", c->name, c->domid,
           c->path, c->checkpoint ? " (checkpoint)" : "");
    save_finish(c, 0, NULL);
}

static void image_written(void *opaque, int rc, const struct xn_msg *msg,
                          uint32_t domid)
{
    struct save_ctx *c = opaque;
    struct xn_msg m;

    if (rc < 0) {
        c->msg = *msg;
        save_failed(c, rc);
        return;
    }
    if (fsync(c->fd) < 0 || close(c->fd) < 0) {
        c->fd = -1;
        save_failed(c, xn_msg_set(&c->msg, XN_EIO, "cannot write %s: %s",
                                  c->partial, strerror(errno)));
        return;
    }
    c->fd = -1;
    if (rename(c->partial, c->path) < 0) {
        save_failed(c, xn_msg_set(&c->msg, XN_EIO, "cannot rename %s to "
                                  "%s: %s", c->partial, c->path,
                                  strerror(errno)));
        return;
    }
    rc = c->checkpoint
             ? hv_resume(c->r->d->hv, c->domid, after_success, c, &m)
             : hv_destroy(c->r->d->hv, c->domid, after_success, c, &m);
    if (rc < 0)
        after_success(c, rc, &m, c->domid);
}

static void save_start(struct request *r, uint32_t domid)
{
    struct save_ctx *c = calloc(1, sizeof(*c));
    struct savefile_header h = {0};
    struct hv_dominfo info;
    const char *path;
    int rc;

    if (!c) {
        op_done(r, domid, XN_ENOMEM, NULL, NULL);
        return;
    }
    c->r = r;
    c->domid = domid;
    c->fd = -1;
    if ((rc = proto_arg_string(r->args, "path", true, &path, &c->msg)) < 0 ||
        (rc = proto_arg_bool(r->args, "checkpoint", &c->checkpoint,
                             &c->msg)) < 0 ||
        (rc = hv_dom_info(r->d->hv, domid, &info, &c->msg)) < 0)
        goto fail;
    if (path[0] != '/') {
        rc = xn_msg_set(&c->msg, XN_EINVAL, "save file \"%s\" must be an "
                        "absolute path", path);
        goto fail;
    }
    snprintf(c->name, sizeof(c->name), "%s", info.name);
    if (!(c->path = strdup(path)) ||
        asprintf(&c->partial, "%s.partial", path) < 0) {
        c->partial = NULL;
        rc = xn_msg_set(&c->msg, XN_ENOMEM, "out of memory");
        goto fail;
    }
    c->fd = open(c->partial, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
    if (c->fd < 0) {
        rc = xn_msg_set(&c->msg, xn_from_errno(errno), "cannot create %s: "
                        "%s", c->partial, strerror(errno));
        goto fail;
    }
    snprintf(h.driver, sizeof(h.driver), "%s", hv_driver(r->d->hv));
    snprintf(h.name, sizeof(h.name), "%s", info.name);
    memcpy(h.uuid, info.uuid, sizeof(h.uuid));
    if ((rc = savefile_write_header(c->fd, &h, &c->msg)) < 0 ||
        (rc = hv_save(r->d->hv, domid, c->fd, 0, image_written, c,
                      &c->msg)) < 0) {
        close(c->fd);
        c->fd = -1;
        unlink(c->partial);
        goto fail;
    }
    return;
fail:
    save_finish(c, rc, c->msg.text);
}

void op_dom_save(struct request *r)
{
    op_async(r, save_start);
}

/* --- restore --- */

struct restore_ctx {
    struct request *r;
    char name[HV_NAME_MAX];
    int fd;
};

static void restored(void *opaque, int rc, const struct xn_msg *msg,
                     uint32_t domid)
{
    struct restore_ctx *c = opaque;
    struct daemon *d = c->r->d;

    close(c->fd);
    daemon_unclaim_name(d, c->name);
    if (rc < 0) {
        xn_log(XN_LOG_ERR, "restore of %s failed: %s", c->name, msg->text);
        request_fail_msg(c->r, rc, msg);
    } else {
        xn_log(XN_LOG_NOTICE, "restored %s as id %u", c->name, domid);
        monitor_publish(d, "restored", domid, c->name, NULL);
        policy_sync_domain(d, domid);
        request_ok(c->r, op_domref(domid, c->name));
    }
    free(c);
}

void op_dom_restore(struct request *r)
{
    struct restore_ctx *c = calloc(1, sizeof(*c));
    struct savefile_header h;
    const char *path, *name = NULL;
    bool paused = false;
    struct xn_msg msg;
    int rc;

    if (!c) {
        request_fail(r, XN_ENOMEM, "out of memory");
        return;
    }
    c->r = r;
    c->fd = -1;
    if ((rc = proto_arg_string(r->args, "path", true, &path, &msg)) < 0 ||
        (rc = proto_arg_string(r->args, "name", false, &name, &msg)) < 0 ||
        (rc = proto_arg_bool(r->args, "paused", &paused, &msg)) < 0)
        goto fail;
    c->fd = open(path, O_RDONLY | O_CLOEXEC);
    if (c->fd < 0) {
        rc = xn_msg_set(&msg, xn_from_errno(errno), "cannot open save file "
                        "%s: %s", path, strerror(errno));
        goto fail;
    }
    if ((rc = savefile_read_header(c->fd, path, &h, &msg)) < 0)
        goto fail;
    if (strcmp(h.driver, hv_driver(r->d->hv)) != 0) {
        rc = xn_msg_set(&msg, XN_ECORRUPT, "%s was saved on a %s host; "
                        "this daemon runs the %s driver", path, h.driver,
                        hv_driver(r->d->hv));
        goto fail;
    }
    snprintf(c->name, sizeof(c->name), "%s", name ? name : h.name);
    if ((rc = daemon_claim_name(r->d, c->name, &msg)) < 0)
        goto fail;
    rc = hv_restore(r->d->hv, c->fd, name, paused, restored, c, &msg);
    if (rc < 0) {
        daemon_unclaim_name(r->d, c->name);
        goto fail;
    }
    return;
fail:
    if (c->fd >= 0)
        close(c->fd);
    free(c);
    request_fail_msg(r, rc, &msg);
}
