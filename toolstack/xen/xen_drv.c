/*
 * xen_drv.c - the libxl driver, xen:///: open, close and the ops table.
 *
 * Child processes: libxl forks helpers (libxl-save-helper for save and
 * restore, hotplug scripts for devices).  We leave libxl in its default
 * SIGCHLD mode (libxl_sigchld_owner_libxl): libxl installs its own SIGCHLD
 * handler while it has children and reaps them itself, reporting through a
 * self-pipe that it registers on our loop like any other fd.  That is
 * correct only because the daemon neither installs a SIGCHLD handler nor
 * reaps children while libxl runs; should it ever start children of its
 * own, this must switch to libxl_sigchld_owner_mainloop and forward exits
 * with libxl_childproc_reaped.
 */
#include "xen_priv.h"

#include <stdlib.h>
#include <string.h>

#include <event2/event.h>

#include "log.h"

static void drv_free(struct xen_drv *drv)
{
    bool idle = true;

    if (!drv)
        return;
    xen_store_close(drv);
    if (drv->ctx)
        idle = xen_op_abandon_all(drv);
    xen_dom_forget_all(drv);
    if (drv->ctx && idle) {
        libxl_ctx_free(drv->ctx);
    } else if (drv->ctx) {
        /* libxl_ctx_free asserts that no operation is in progress: the
         * ctx and its logger are left behind, unused. */
        xn_log(XN_LOG_WARNING, "xen: libxl context left open because an "
               "operation could not be aborted");
        drv->log = NULL;
    }
    xen_loop_free(drv->loop);
    xen_log_free(drv->log);
    free(drv);
}

static int xen_open(struct hv *hv, const char *path,
                    const struct hv_open_opts *opts, struct xn_msg *msg)
{
    struct xen_drv *drv;
    int lrc, rc;

    (void)opts;
    if (path[0] && strcmp(path, "/") != 0)
        return xn_msg_set(msg, XN_EINVAL, "hypervisor URI \"%s\": the xen "
                          "driver manages the local host only (use xen:///)",
                          hv->uri);
    drv = calloc(1, sizeof(*drv));
    if (!drv)
        return xn_msg_set(msg, XN_ENOMEM, "out of memory");
    drv->hv = hv;
    drv->evq_tail = &drv->evq_head;
    drv->log = xen_log_new();
    drv->loop = xen_loop_new(hv->base);
    if (!drv->log || !drv->loop) {
        rc = xn_msg_set(msg, XN_ENOMEM, "out of memory");
        goto fail;
    }
    lrc = libxl_ctx_alloc(&drv->ctx, LIBXL_VERSION, 0,
                          xen_log_logger(drv->log));
    if (lrc) {
        const char *last = xen_log_last(drv->log);
        drv->ctx = NULL;
        rc = xn_msg_set(msg, XN_ECONNECT, "cannot connect to Xen (is this "
                        "a Xen dom0 with xenstored running?): libxl: %s",
                        last ? last : "cannot open a libxl context");
        goto fail;
    }
    /* The hooks must come before any other call on the ctx. */
    xen_loop_attach(drv->loop, drv->ctx);
    libxl_osevent_register_hooks(drv->ctx, &xen_loop_hooks, drv->loop);
    /* And the event callbacks before any death watch is enabled. */
    libxl_event_register_callbacks(drv->ctx, &xen_ev_hooks, drv);
    rc = xen_ev_init(drv);
    if (rc < 0) {
        xn_msg_set(msg, rc, "out of memory");
        goto fail;
    }
    hv->priv = drv;
    xen_store_watch_domains(drv);
    xn_log(XN_LOG_INFO, "xen: connected to libxl");
    return 0;

fail:
    drv_free(drv);
    return rc;
}

static void xen_close(struct hv *hv)
{
    drv_free(hv->priv);
    hv->priv = NULL;
}

static char *xen_config_json(struct hv *hv, const libxl_domain_config *cfg)
{
    return libxl_domain_config_to_json(xen_drv_of(hv)->ctx,
                                       (libxl_domain_config *)cfg);
}

const struct hv_ops hv_xen_ops = {
    .scheme = "xen",
    .open = xen_open,
    .close = xen_close,
    .host_info = xen_host_info,
    .dom_list = xen_dom_list,
    .dom_info = xen_dom_info,
    .dom_config = xen_dom_config,
    .vcpu_list = xen_vcpu_list,
    .pool_list = xen_pool_list,
    .create = xen_create,
    .destroy = xen_destroy,
    .shutdown = xen_shutdown,
    .pause = xen_pause,
    .unpause = xen_unpause,
    .rename = xen_rename,
    .mem_target = xen_mem_target,
    .mem_max = xen_mem_max,
    .vcpu_set = xen_vcpu_set,
    .vcpu_pin = xen_vcpu_pin,
    .sched_get = xen_sched_get,
    .sched_set = xen_sched_set,
    .pool_sched_get = xen_pool_sched_get,
    .pool_sched_set = xen_pool_sched_set,
    .save = xen_save,
    .resume = xen_resume,
    .save_progress = xen_save_progress,
    .image_open = xen_image_open,
    .image_head = xen_image_head,
    .image_free = xen_image_free,
    .restore = xen_restore,
    .need_memory = xen_need_memory,
    .config_json = xen_config_json,
    .pci_list = xen_pci_list,
    .pci_info = xen_pci_info,
    .pci_assignable_add = xen_pci_assignable_add,
    .pci_assignable_remove = xen_pci_assignable_remove,
    .pci_attach = xen_pci_attach,
    .pci_detach = xen_pci_detach,
    .store_open = xen_store_open,
};
