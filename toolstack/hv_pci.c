/*
 * hv_pci.c - the PCI passthrough calls of the hypervisor interface, with
 * the checks both drivers share, worded once: the device exists, is
 * assignable, is not assigned to another domain (hv.h, "PCI passthrough").
 */
#include "hv_check.h"

#include <stdio.h>
#include <stdlib.h>

/* "domain 3 (web1)", or "domain 3" when it cannot be named. */
static void dom_words(struct hv *hv, uint32_t domid, char *buf, size_t size)
{
    struct hv_dominfo info;

    if (hv->ops->dom_info(hv, domid, &info, NULL) == 0)
        snprintf(buf, size, "domain %u (%s)", domid, info.name);
    else
        snprintf(buf, size, "domain %u", domid);
}

struct hv_pci_addr hv_pci_addr_of(const libxl_device_pci *p)
{
    struct hv_pci_addr a = {.seg = (uint16_t)p->domain,
                            .bus = (uint8_t)p->bus,
                            .dev = (uint8_t)(p->dev & 0x1f),
                            .fn = (uint8_t)(p->func & 0x7)};
    return a;
}

static int unsupported(struct hv *hv, struct xn_msg *msg)
{
    return xn_msg_set(msg, XN_ENOTSUP, "the %s host has no PCI passthrough",
                      hv->ops->scheme);
}

/* The device, which must exist on the host. */
static int device(struct hv *hv, const struct hv_pci_addr *a,
                  struct hv_pcidev *dev, struct xn_msg *msg)
{
    char s[HV_PCI_ADDR_LEN];
    int rc;

    if (!hv->ops->pci_info)
        return unsupported(hv, msg);
    rc = hv->ops->pci_info(hv, a, dev, msg);

    if (rc == XN_ENOENT) {
        hv_pci_addr_str(a, s);
        return xn_msg_set(msg, XN_ENOENT, "this host has no PCI device %s",
                          s);
    }
    return rc;
}

/* XN_EBUSY when dev (at a) is assigned to a domain: "PCI device <a> is
 * <assigned> <domain><hint>", `assigned` being "assigned to" or "already
 * assigned to"; 0 when it is no one's. */
static int check_unassigned(struct hv *hv, const struct hv_pci_addr *a,
                            const struct hv_pcidev *dev, const char *assigned,
                            const char *hint, struct xn_msg *msg)
{
    char s[HV_PCI_ADDR_LEN], who[HV_NAME_MAX + 32];

    if (dev->domid == HV_NO_DOMAIN)
        return 0;
    hv_pci_addr_str(a, s);
    dom_words(hv, dev->domid, who, sizeof(who));
    return xn_msg_set(msg, XN_EBUSY, "PCI device %s is %s %s%s", s, assigned,
                      who, hint);
}

/* The device may be given to `domid`: assignable and assigned to no one. */
static int check_free(struct hv *hv, const struct hv_pci_addr *a,
                      uint32_t domid, struct xn_msg *msg)
{
    char s[HV_PCI_ADDR_LEN];
    struct hv_pcidev dev;
    int rc = device(hv, a, &dev, msg);

    if (rc < 0 ||
        (rc = check_unassigned(hv, a, &dev, "already assigned to",
                               dev.domid == domid ? "" :
                               "; detach it there first", msg)) < 0)
        return rc;
    hv_pci_addr_str(a, s);
    if (!dev.assignable)
        return xn_msg_set(msg, XN_ESTATE, "PCI device %s is not assignable "
                          "(%s); make it so with `xenith pci-assignable-add "
                          "%s`", s, dev.driver[0] ? dev.driver : "no driver",
                          s);
    return 0;
}

int hv_pci_check_config(struct hv *hv, const libxl_domain_config *cfg,
                        struct xn_msg *msg)
{
    for (int i = 0; i < cfg->num_pcidevs; i++) {
        struct hv_pci_addr a = hv_pci_addr_of(&cfg->pcidevs[i]);
        int rc = check_free(hv, &a, HV_NO_DOMAIN, msg);
        if (rc < 0)
            return rc;
    }
    return 0;
}

int hv_pci_list(struct hv *hv, struct hv_pcidev **list_r, size_t *n_r,
                struct xn_msg *msg)
{
    *list_r = NULL;
    *n_r = 0;
    if (!hv->ops->pci_list)
        return unsupported(hv, msg);
    return hv->ops->pci_list(hv, list_r, n_r, msg);
}

int hv_pci_info(struct hv *hv, const struct hv_pci_addr *a,
                struct hv_pcidev *dev, struct xn_msg *msg)
{
    return device(hv, a, dev, msg);
}

int hv_pci_assignable_add(struct hv *hv, const struct hv_pci_addr *a,
                          struct xn_msg *msg)
{
    struct hv_pcidev dev;
    int rc = device(hv, a, &dev, msg);

    if (rc < 0 ||
        (rc = check_unassigned(hv, a, &dev, "assigned to", "", msg)) < 0)
        return rc;
    if (dev.assignable)
        return 0;
    return hv->ops->pci_assignable_add(hv, a, msg);
}

int hv_pci_assignable_remove(struct hv *hv, const struct hv_pci_addr *a,
                             bool rebind, struct xn_msg *msg)
{
    char s[HV_PCI_ADDR_LEN];
    struct hv_pcidev dev;
    int rc = device(hv, a, &dev, msg);

    if (rc < 0 ||
        (rc = check_unassigned(hv, a, &dev, "assigned to",
                               "; detach it first", msg)) < 0)
        return rc;
    hv_pci_addr_str(a, s);
    if (!dev.assignable)
        return xn_msg_set(msg, XN_ESTATE, "PCI device %s is not assignable "
                          "(%s)", s, dev.driver[0] ? dev.driver : "no driver");
    return hv->ops->pci_assignable_remove(hv, a, rebind, msg);
}

int hv_pci_attach(struct hv *hv, uint32_t domid, const libxl_device_pci *pci,
                  hv_done_fn *done, void *opaque, struct xn_msg *msg)
{
    struct hv_pci_addr a = hv_pci_addr_of(pci);
    struct hv_dominfo info;
    int rc;

    if ((rc = hv_check_not_dom0(domid, "given PCI devices", msg)) < 0 ||
        (rc = hv_check_dom(hv, domid, HV_NEED_SAVABLE, "given PCI devices",
                           &info, msg)) < 0 ||
        (rc = check_free(hv, &a, domid, msg)) < 0)
        return rc;
    return hv->ops->pci_attach(hv, domid, pci, done, opaque, msg);
}

int hv_pci_detach(struct hv *hv, uint32_t domid, const struct hv_pci_addr *a,
                  bool force, hv_done_fn *done, void *opaque,
                  struct xn_msg *msg)
{
    char s[HV_PCI_ADDR_LEN], who[HV_NAME_MAX + 32];
    struct hv_dominfo info;
    struct hv_pcidev dev;
    int rc;

    if ((rc = hv_check_dom(hv, domid, HV_NEED_EXISTS, "changed", &info,
                           msg)) < 0 ||
        (rc = device(hv, a, &dev, msg)) < 0)
        return rc;
    if (dev.domid != domid) {
        hv_pci_addr_str(a, s);
        dom_words(hv, domid, who, sizeof(who));
        return xn_msg_set(msg, XN_ENOENT, "PCI device %s is not attached to "
                          "%s", s, who);
    }
    return hv->ops->pci_detach(hv, domid, a, force, done, opaque, msg);
}
