/*
 * xen_op.c - asynchronous libxl operations.
 *
 * Each long operation is a struct xen_op whose libxl_asyncop_how calls
 * op_libxl_done.  libxl may call it from inside the initiating call (its
 * header allows that), and the hv interface forbids calling `done` from
 * there, so the callback only records libxl's result and activates a
 * libevent event; op_run then does the rest from the loop: an op's step
 * function may start another libxl step (create -> unpause), or end the op,
 * which calls `done` exactly once and frees the op.
 */
#include "xen_priv.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <event2/event.h>

#include "log.h"

static void op_unlink(struct xen_op *op)
{
    if (!op->drv)
        return;
    for (struct xen_op **pp = &op->drv->ops; *pp; pp = &(*pp)->next)
        if (*pp == op) {
            *pp = op->next;
            break;
        }
}

static void op_free(struct xen_op *op)
{
    op_unlink(op);      /* no-op once op_run detached it */
    if (op->ev)
        event_free(op->ev);
    xen_cfg_free(op->cfg);
    libxl_domain_restore_params_dispose(&op->rparams);
    libxl_device_pci_dispose(&op->pci);
    free(op);
}

int xen_op_simple(struct xen_op *op)
{
    return op->lrc ? xen_err_code(op->lrc) : 0;
}

void xen_cfg_free(libxl_domain_config *cfg)
{
    if (!cfg)
        return;
    libxl_domain_config_dispose(cfg);
    free(cfg);
}

static void op_run(evutil_socket_t fd, short what, void *arg)
{
    struct xen_op *op = arg;
    int rc;

    (void)fd;
    (void)what;
    if (!op->started) {
        /* The initiating call failed after libxl called back: the caller
         * got the error already. */
        op_free(op);
        return;
    }
    op->fired = false;
    rc = op->step(op);
    if (rc == 1)
        return;         /* another libxl step is under way */
    /* Detach and free first: `done` may close the hv, which frees drv and
     * every op still on its list. */
    struct hv *hv = op->drv->hv;
    hv_done_fn *done = op->done;
    void *opaque = op->opaque;
    uint32_t domid = op->domid;
    struct xn_msg m = op->msg;

    op_free(op);
    hv_complete(hv, done, opaque, rc, &m, domid);
}

static void op_libxl_done(libxl_ctx *ctx, int lrc, void *for_callback)
{
    struct xen_op *op = for_callback;

    (void)ctx;
    op->lrc = lrc;
    op->fired = true;
    /* Keep libxl's words now: other operations may log before op_run. */
    if (lrc)
        xen_fail(op->drv, &op->msg, lrc, "%s: %s", op->subj, op->what);
    event_active(op->ev, EV_TIMEOUT, 1);
}

struct xen_op *xen_op_new(struct xen_drv *drv, enum xen_op_kind kind,
                          uint32_t domid, hv_done_fn *done, void *opaque)
{
    struct xen_op *op = calloc(1, sizeof(*op));

    if (!op)
        return NULL;
    libxl_domain_restore_params_init(&op->rparams);
    libxl_device_pci_init(&op->pci);
    op->drv = drv;
    op->kind = kind;
    op->domid = domid;
    op->done = done;
    op->opaque = opaque;
    op->fd = -1;
    op->what = "failed";
    op->how.callback = op_libxl_done;
    op->how.u.for_callback = op;
    op->ev = event_new(drv->hv->base, -1, 0, op_run, op);
    if (!op->ev) {
        libxl_domain_restore_params_dispose(&op->rparams);
        libxl_device_pci_dispose(&op->pci);
        free(op);
        return NULL;
    }
    op->next = drv->ops;
    drv->ops = op;
    return op;
}

struct xen_op *xen_op_on_domain(struct xen_drv *drv, enum xen_op_kind kind,
                                uint32_t domid, hv_done_fn *done,
                                void *opaque, int *rc_r, struct xn_msg *msg)
{
    char subj[XEN_SUBJ_MAX];
    struct xen_op *op;

    *rc_r = xen_dom_check(drv, domid, subj, msg);
    if (*rc_r < 0)
        return NULL;
    op = xen_op_new(drv, kind, domid, done, opaque);
    if (!op) {
        *rc_r = xn_msg_set(msg, XN_ENOMEM, "out of memory");
        return NULL;
    }
    snprintf(op->subj, sizeof(op->subj), "%s", subj);
    return op;
}

void xen_op_step(struct xen_op *op, const char *what)
{
    op->what = what;
    xen_log_clear(op->drv->log);
}

int xen_op_started(struct xen_op *op, int lrc, struct xn_msg *msg)
{
    int rc;

    if (lrc == 0) {
        op->started = true;
        return 0;
    }
    rc = xen_fail(op->drv, msg, lrc, "%s: %s", op->subj, op->what);
    if (op->fired)
        return rc;      /* op_run frees it (not started: no done) */
    op_free(op);
    return rc;
}

bool xen_op_creating(struct xen_drv *drv, uint32_t domid,
                     const uint8_t *uuid)
{
    for (struct xen_op *op = drv->ops; op; op = op->next) {
        if (op->kind != XEN_OP_CREATE && op->kind != XEN_OP_RESTORE)
            continue;
        if (op->domid == domid)
            return true;
        /* libxl tells the new id only when the create completes; until
         * then the domain is known by the UUID of its configuration. */
        if (uuid && op->cfg && !libxl_uuid_is_nil(&op->cfg->c_info.uuid) &&
            memcmp(libxl_uuid_bytearray(&op->cfg->c_info.uuid), uuid,
                   16) == 0)
            return true;
    }
    return false;
}

bool xen_op_abandon_all(struct xen_drv *drv)
{
    bool idle = true;

    for (struct xen_op *op = drv->ops; op; op = op->next)
        if (op->started && !op->fired)
            libxl_ao_abort(drv->ctx, &op->how);
    for (struct xen_op *op = drv->ops; op; op = op->next)
        if (op->started && !op->fired) {
            xn_log(XN_LOG_WARNING, "xen: closing with an operation on %s "
                   "in flight; it is abandoned", op->subj);
            idle = false;
        }
    while (drv->ops)
        op_free(drv->ops);
    return idle;
}
