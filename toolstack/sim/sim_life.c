/*
 * sim_life.c - create, destroy and shutdown on the simulated host.
 *
 * Create builds the domain at once (paused, its memory taken, its PCI
 * devices assigned, visible in lists like a domain Xen is still building)
 * and finishes on the next turn
 * of the loop by unpausing it unless asked not to; its xenstore tree is
 * laid out when it appears.  Destroy marks it dying; the model removes it
 * after the host's dying time and the death completes every destroy
 * waiting for it.  Shutdown writes the request to the guest's
 * control/shutdown and reports it delivered on the next turn; the guest
 * sees it from its watch and acts later (sim_store.c, then an
 * HV_EV_SHUTDOWN from the model's timer).
 */
#include "sim/sim_drv.h"

#include <stdio.h>

#include "sim/sim_config.h"

static void create_step(struct simdrv_op *op)
{
    struct sim_dom *d = sim_dom_get(op->drv->host, op->domid);
    struct xn_msg msg;
    int rc = 0;

    if (!d || d->state == HV_STATE_DYING) {
        xn_msg_set(&msg, XN_ECANCELED, "domain %u was destroyed before it "
                   "finished building", op->domid);
        simdrv_op_finish(op, XN_ECANCELED, &msg, SIMDRV_DOMID_INVALID);
        return;
    }
    if (!op->paused && d->state == HV_STATE_PAUSED &&
        (rc = sim_dom_unpause(op->drv->host, d, &msg)) == 0)
        simstore_guest_runs(op->drv, d);
    simdrv_rearm(op->drv);
    simdrv_op_finish(op, rc, &msg, rc < 0 ? SIMDRV_DOMID_INVALID : d->domid);
}

/* cfg is ours from here on (hv.h): kept with the domain, or freed. */
int simdrv_create(struct hv *hv, libxl_domain_config *cfg, bool paused,
                  hv_done_fn *done, void *opaque, struct xn_msg *msg)
{
    struct simdrv *drv = simdrv_of(hv);
    struct simdrv_dom *dd = NULL;
    struct simdrv_op *op = NULL;
    struct sim_dom_spec s;
    struct sim_dom *d;
    int rc;

    sim_dom_spec_init(&s);
    rc = simcfg_to_spec(drv->host, cfg, &s, msg);
    if (rc < 0) {
        simdrv_cfg_free(cfg);
        goto out;
    }
    s.state = HV_STATE_PAUSED;      /* until the build finishes */
    dd = simdrv_dom_new(cfg);       /* owns cfg, or has freed it */
    op = simdrv_op_new(drv, SIMOP_CREATE, 0, done, opaque, create_step);
    if (!dd || !op) {
        rc = xn_msg_set(msg, XN_ENOMEM, "out of memory");
        goto out;
    }
    rc = sim_dom_add(drv->host, &s, &d, msg);
    if (rc < 0)
        goto out;
    d->drv = dd;
    dd = NULL;
    rc = simpci_assign_config(drv, d, ((struct simdrv_dom *)d->drv)->cfg,
                              msg);
    if (rc == 0)
        rc = simstore_add(drv, d, msg);     /* @introduceDomain */
    if (rc < 0) {
        sim_dom_remove(drv->host, d);       /* its devices go back */
        goto out;
    }
    simdrv_op_set_domid(op, d->domid);
    op->paused = paused;
    simdrv_op_kick(op);
    op = NULL;
out:
    if (op)
        simdrv_op_free(op);
    simdrv_dom_free(dd);
    sim_dom_spec_dispose(&s);
    return rc;
}

/* A destroy waits for the death, which tick_cb reports. */
static void destroy_step(struct simdrv_op *op)
{
    (void)op;
}

int simdrv_destroy(struct hv *hv, uint32_t domid, hv_done_fn *done,
                   void *opaque, struct xn_msg *msg)
{
    struct simdrv *drv = simdrv_of(hv);
    struct simdrv_op *op;
    struct sim_dom *d;
    int rc = simdrv_find(drv, domid, &d, msg);

    if (rc < 0)
        return rc;
    op = simdrv_op_new(drv, SIMOP_DESTROY, domid, done, opaque, destroy_step);
    if (!op)
        return xn_msg_set(msg, XN_ENOMEM, "out of memory");
    rc = sim_dom_destroy(drv->host, d, msg);
    if (rc < 0) {
        simdrv_op_free(op);
        return rc;
    }
    simdrv_rearm(drv);
    return 0;
}

bool simdrv_deaths(struct simdrv *drv, uint32_t domid)
{
    struct simdrv_op *op;

    while ((op = simdrv_op_find(drv, SIMOP_DESTROY, domid)))
        if (!simdrv_op_finish(op, 0, NULL, domid))
            return false;
    return true;
}

static void shutdown_step(struct simdrv_op *op)
{
    simdrv_op_finish(op, 0, NULL, op->domid);
}

int simdrv_shutdown(struct hv *hv, uint32_t domid, bool reboot,
                    hv_done_fn *done, void *opaque, struct xn_msg *msg)
{
    struct simdrv *drv = simdrv_of(hv);
    struct simdrv_op *op;
    struct sim_dom *d;
    int rc = simdrv_find(drv, domid, &d, msg);

    if (rc < 0)
        return rc;
    op = simdrv_op_new(drv, SIMOP_SHUTDOWN, domid, done, opaque,
                       shutdown_step);
    if (!op)
        return xn_msg_set(msg, XN_ENOMEM, "out of memory");
    rc = simstore_request_shutdown(drv, d, reboot, msg);
    if (rc < 0) {
        simdrv_op_free(op);
        return rc;
    }
    simdrv_op_kick(op);
    return 0;
}
