/* dom_change.c - changes to a domain that services make outside a client's
 * request, with the events a client's would publish: renaming (the name
 * claimed while the driver renames) and unpausing. */
#include "daemon/bus.h"
#include "daemon/claims.h"
#include "daemon/daemon.h"
#include "hv.h"

#include <stdio.h>

int daemon_dom_rename(struct daemon *d, uint32_t domid, const char *name,
                      struct xn_msg *msg)
{
    struct hv_dominfo info;
    struct bus_event ev;
    int rc = hv_dom_info(d->hv, domid, &info, msg);

    if (rc == 0)
        rc = claims_take(d->claims, d->hv, name, NULL, domid, msg);
    if (rc < 0)
        return rc;
    rc = hv_rename(d->hv, domid, name, msg);
    claims_drop(d->claims, name);
    if (rc < 0)
        return rc;
    bus_event_init(&ev, BUS_DOM_RENAMED, &info);
    snprintf(ev.old_name, sizeof(ev.old_name), "%s", info.name);
    snprintf(ev.name, sizeof(ev.name), "%s", name);
    bus_publish(d->bus, &ev);
    return 0;
}

int daemon_dom_unpause(struct daemon *d, uint32_t domid, struct xn_msg *msg)
{
    struct hv_dominfo info;
    struct bus_event ev;
    int rc = hv_unpause(d->hv, domid, msg);

    if (rc < 0)
        return rc;
    if (hv_dom_info(d->hv, domid, &info, NULL) == 0) {
        bus_event_init(&ev, BUS_DOM_UNPAUSED, &info);
        bus_publish(d->bus, &ev);
    }
    return 0;
}
