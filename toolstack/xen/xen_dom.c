/*
 * xen_dom.c - domain lifecycle: create, destroy, shutdown/reboot (async),
 * pause, unpause, rename (sync).
 */
#include "xen_priv.h"

#include <stdio.h>
#include <string.h>

#include "log.h"

/* Step of one-step operations: libxl's result is the op's result. */
int xen_dom_built_step(struct xen_op *op)
{
    struct xen_drv *drv = op->drv;
    int lrc;

    if (op->lrc)
        return xen_err_code(op->lrc);
    switch (op->phase) {
    case 0:
        /* libxl leaves a new domain paused. */
        op->phase = 1;
        xen_subject(drv, op->domid, op->subj);
        if (xen_dom_adopt(drv, op->domid) < 0)
            xn_log(XN_LOG_WARNING, "xen: %s: no death watch; its shutdown "
                   "will not be reported", op->subj);
        if (op->paused)
            return 0;
        xen_op_step(op, "built but cannot unpause");
        lrc = libxl_domain_unpause(drv->ctx, op->domid, &op->how);
        if (lrc)
            return xen_fail(drv, &op->msg, lrc, "%s: %s", op->subj,
                            op->what);
        return 1;
    default:
        return 0;
    }
}

int xen_create(struct hv *hv, libxl_domain_config *cfg, bool paused,
               hv_done_fn *done, void *opaque, struct xn_msg *msg)
{
    struct xen_drv *drv = xen_drv_of(hv);
    const char *name = cfg->c_info.name;
    struct xen_op *op;
    uint32_t other;
    int lrc;

    /* `cfg` is ours whatever happens (hv.h). */
    if (libxl_name_to_domid(drv->ctx, name, &other) == 0) {
        int rc = xn_msg_set(msg, XN_EEXIST, "a domain named \"%s\" already "
                            "exists (domain %u)", name, other);
        xen_cfg_free(cfg);
        return rc;
    }
    op = xen_op_new(drv, XEN_OP_CREATE, INVALID_DOMID, done, opaque);
    if (!op) {
        xen_cfg_free(cfg);
        return xn_msg_set(msg, XN_ENOMEM, "out of memory");
    }
    snprintf(op->subj, sizeof(op->subj), "domain %s", name);
    op->cfg = cfg;      /* libxl reads it until the create completes */
    op->paused = paused;
    op->step = xen_dom_built_step;
    xen_op_step(op, "cannot create");
    lrc = libxl_domain_create_new(drv->ctx, op->cfg, &op->domid, &op->how,
                                  NULL);
    return xen_op_started(op, lrc, msg);
}

int xen_destroy(struct hv *hv, uint32_t domid, hv_done_fn *done, void *opaque,
                struct xn_msg *msg)
{
    struct xen_drv *drv = xen_drv_of(hv);
    struct xen_op *op;
    int rc, lrc;

    op = xen_op_on_domain(drv, XEN_OP_DESTROY, domid, done, opaque, &rc, msg);
    if (!op)
        return rc;
    op->step = xen_op_simple;
    xen_op_step(op, "cannot destroy");
    lrc = libxl_domain_destroy(drv->ctx, domid, &op->how);
    return xen_op_started(op, lrc, msg);
}

int xen_shutdown(struct hv *hv, uint32_t domid, bool reboot, hv_done_fn *done,
                 void *opaque, struct xn_msg *msg)
{
    struct xen_drv *drv = xen_drv_of(hv);
    struct xen_op *op;
    int rc, lrc;

    op = xen_op_on_domain(drv, XEN_OP_SHUTDOWN, domid, done, opaque, &rc,
                          msg);
    if (!op)
        return rc;
    op->reboot = reboot;
    op->step = xen_op_simple;
    xen_op_step(op, reboot ? "cannot reboot" : "cannot shut down");
    /* Done when the guest acknowledged the request (control/shutdown
     * cleared), not when it acted on it. */
    if (reboot)
        lrc = libxl_domain_reboot(drv->ctx, domid, &op->how);
    else
        lrc = libxl_domain_shutdown(drv->ctx, domid, &op->how);
    if (lrc == ERROR_NOPARAVIRT) {
        /* An HVM guest without PV drivers cannot read the request from
         * xenstore: press its virtual ACPI power (or reset) button, as
         * `xl shutdown -F` does. */
        xn_log(XN_LOG_INFO, "xen: %s has no PV drivers; sending the ACPI "
               "%s trigger", op->subj, reboot ? "reset" : "power");
        xen_op_step(op, reboot ? "cannot send the reset trigger"
                               : "cannot press the ACPI power button");
        lrc = libxl_send_trigger(drv->ctx, domid,
                                 reboot ? LIBXL_TRIGGER_RESET
                                        : LIBXL_TRIGGER_POWER,
                                 0, &op->how);
    }
    return xen_op_started(op, lrc, msg);
}

int xen_pause(struct hv *hv, uint32_t domid, struct xn_msg *msg)
{
    struct xen_drv *drv = xen_drv_of(hv);
    char subj[XEN_SUBJ_MAX];
    int rc, lrc;

    /* hv.c refused a second pause (Xen counts pauses: it would need two
     * unpauses) and a domain that shut down. */
    rc = xen_dom_check(drv, domid, subj, msg);
    if (rc < 0)
        return rc;
    xen_log_clear(drv->log);
    lrc = libxl_domain_pause(drv->ctx, domid, NULL);
    if (lrc)
        return xen_fail(drv, msg, lrc, "%s: cannot pause", subj);
    return 0;
}

int xen_unpause(struct hv *hv, uint32_t domid, struct xn_msg *msg)
{
    struct xen_drv *drv = xen_drv_of(hv);
    char subj[XEN_SUBJ_MAX];
    int rc, lrc;

    rc = xen_dom_check(drv, domid, subj, msg);
    if (rc < 0)
        return rc;
    xen_log_clear(drv->log);
    lrc = libxl_domain_unpause(drv->ctx, domid, NULL);
    if (lrc)
        return xen_fail(drv, msg, lrc, "%s: cannot unpause", subj);
    return 0;
}

int xen_rename(struct hv *hv, uint32_t domid, const char *new_name,
               struct xn_msg *msg)
{
    struct xen_drv *drv = xen_drv_of(hv);
    char subj[XEN_SUBJ_MAX];
    uint32_t other;
    int rc, lrc;

    rc = xen_dom_check(drv, domid, subj, msg);
    if (rc < 0)
        return rc;
    if (libxl_name_to_domid(drv->ctx, new_name, &other) == 0) {
        if (other == domid)
            return 0;
        return xn_msg_set(msg, XN_EEXIST, "%s cannot be renamed to \"%s\": "
                          "domain %u has that name", subj, new_name, other);
    }
    xen_log_clear(drv->log);
    lrc = libxl_domain_rename(drv->ctx, domid, NULL, new_name);
    if (lrc)
        return xen_fail(drv, msg, lrc, "%s: cannot rename to \"%s\"", subj,
                        new_name);
    xen_dom_renamed(drv, domid, new_name);
    return 0;
}
