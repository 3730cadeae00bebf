/*
 * mig_pci.c - PCI passthrough keeps a domain where it is: Xen cannot save
 * a domain that has devices assigned, so a migration refuses it (when it
 * is asked for and again in the domain's job, just before it starts) and
 * an evacuation leaves it, each naming the devices.  Only the core's
 * hypervisor interface is used.
 */
#include "migration/migration.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

size_t mig_pci_devices(struct daemon *d, uint32_t domid, char *buf,
                       size_t len)
{
    struct hv_pcidev *list;
    size_t n = 0, used = 0, count = 0;
    char s[HV_PCI_ADDR_LEN];

    buf[0] = '\0';
    /* A host without passthrough has no devices to keep a domain. */
    if (hv_pci_list(d->hv, &list, &n, NULL) < 0)
        return 0;
    for (size_t i = 0; i < n; i++) {
        if (list[i].domid != domid)
            continue;
        count++;
        hv_pci_addr_str(&list[i].addr, s);
        if (used + strlen(s) + 8 >= len) {
            if (used + 6 < len)
                used += (size_t)snprintf(buf + used, len - used, ", ...");
            continue;
        }
        used += (size_t)snprintf(buf + used, len - used, "%s%s",
                                 used ? ", " : "", s);
    }
    free(list);
    return count;
}

int mig_pci_check(struct daemon *d, uint32_t domid, const char *name,
                  struct xn_msg *msg)
{
    char devs[160];

    if (mig_pci_devices(d, domid, devs, sizeof(devs)) == 0)
        return 0;
    return xn_msg_set(msg, XN_ESTATE, "domain %s has PCI passthrough "
                      "devices (%s); detach them before migrating", name,
                      devs);
}
