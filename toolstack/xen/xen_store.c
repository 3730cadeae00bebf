/*
 * xen_store.c - the host's xenstore, for the daemon and for the driver.
 *
 * The daemon's services get their own client of xenstored (hv_store_open).
 * The driver keeps one too, to learn of domains other toolstacks make as
 * they appear: xenstored fires @introduceDomain whenever a domain is
 * introduced, and the driver then lists domains, which adopts the new
 * ones (death watches on, HV_EV_NEW queued).  No polling: nothing happens
 * until xenstored says something changed.
 */
#include "xen_priv.h"
#include "log.h"
#include "xsc.h"

#include <stdlib.h>

int xen_store_open(struct hv *hv, struct xsc **x_r, struct xn_msg *msg)
{
    return xsc_open(hv->base, NULL, x_r, msg);
}

static void on_introduce(void *opaque, const char *path)
{
    struct xen_drv *drv = opaque;
    struct hv_dominfo *list;
    size_t n;

    /* Listing marks every domain seen; unknown ones become HV_EV_NEW. */
    if (xen_dom_list(drv->hv, &list, &n, NULL) == 0)
        free(list);
}

int xen_store_watch_domains(struct xen_drv *drv)
{
    struct xn_msg msg;
    int rc = xsc_open(drv->hv->base, NULL, &drv->store, &msg);

    if (rc == 0)
        rc = xsc_watch(drv->store, "@introduceDomain", on_introduce, drv,
                       &drv->introduce, &msg);
    if (rc < 0)
        xn_log(XN_LOG_WARNING, "xen: domains made by other toolstacks will "
               "be noticed only when listed: %s", msg.text);
    return rc;
}

void xen_store_close(struct xen_drv *drv)
{
    xsc_close(drv->store);      /* drops the watch */
    drv->store = NULL;
    drv->introduce = NULL;
}
