/*
 * sim_pci.c - PCI passthrough on the simulated host: the hv_ops over the
 * model's devices (sim_host_pci.c), as xl pci-assignable-* and
 * pci-attach/detach behave on Xen.  An attach takes the device at once
 * (so no other domain can) and completes on the next turn of the loop, as
 * the guest sees the hot-plug; a detach completes on the next turn, when
 * the device goes back.  A domain's devices go back when it dies (the
 * model does it, sim_dom_remove).  Saving a domain that has devices is
 * refused, as libxl refuses it.
 */
#include "sim/sim_drv.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static void to_hv(const struct sim_pcidev *p, struct hv_pcidev *dev)
{
    memset(dev, 0, sizeof(*dev));
    dev->addr = p->addr;
    snprintf(dev->driver, sizeof(dev->driver), "%s", p->driver);
    dev->assignable = strcmp(p->driver, SIM_PCI_PCIBACK) == 0;
    dev->domid = p->domid;
    dev->vslot = p->vslot;
}

/* The slot asked for ("BDF@SLOT" sets vdevfn), or -1: the first free. */
static int vslot_of(const libxl_device_pci *p)
{
    return p->vdevfn ? (int)((p->vdevfn >> 3) & 0x1f) : -1;
}

int simdrv_pci_list(struct hv *hv, struct hv_pcidev **list_r, size_t *n_r,
                    struct xn_msg *msg)
{
    struct sim_host *h = simdrv_of(hv)->host;
    uint32_t total = sim_pci_count(h);
    struct hv_pcidev *list = malloc((total ? total : 1) * sizeof(*list));
    size_t n = 0;

    if (!list)
        return xn_msg_set(msg, XN_ENOMEM, "out of memory");
    for (uint32_t i = 0; i < total; i++) {
        const struct sim_pcidev *p = sim_pci_at(h, i);
        if (p->domid != HV_NO_DOMAIN ||
            strcmp(p->driver, SIM_PCI_PCIBACK) == 0)
            to_hv(p, &list[n++]);
    }
    *list_r = list;
    *n_r = n;
    return 0;
}

int simdrv_pci_info(struct hv *hv, const struct hv_pci_addr *a,
                    struct hv_pcidev *dev, struct xn_msg *msg)
{
    const struct sim_pcidev *p = sim_pci_get(simdrv_of(hv)->host, a);
    char s[HV_PCI_ADDR_LEN];

    if (!p) {
        hv_pci_addr_str(a, s);
        return xn_msg_set(msg, XN_ENOENT, "this host has no PCI device %s",
                          s);
    }
    to_hv(p, dev);
    return 0;
}

int simdrv_pci_assignable_add(struct hv *hv, const struct hv_pci_addr *a,
                              struct xn_msg *msg)
{
    return sim_pci_bind(simdrv_of(hv)->host, a, msg);
}

int simdrv_pci_assignable_remove(struct hv *hv, const struct hv_pci_addr *a,
                                 bool rebind, struct xn_msg *msg)
{
    return sim_pci_unbind(simdrv_of(hv)->host, a, rebind, msg);
}

/* The guest has the device (attach) or has let it go (detach). */
static void pci_step(struct simdrv_op *op)
{
    struct sim_host *h = op->drv->host;
    const struct sim_pcidev *p = sim_pci_get(h, &op->pci);
    char s[HV_PCI_ADDR_LEN];
    struct xn_msg msg;

    hv_pci_addr_str(&op->pci, s);
    if (op->detach) {
        if (p && p->domid == op->domid)
            sim_pci_release(h, &op->pci, op->domid, NULL);
        simdrv_op_finish(op, 0, NULL, op->domid);
        return;
    }
    if (!sim_dom_get(h, op->domid) || !p || p->domid != op->domid) {
        xn_msg_set(&msg, XN_ECANCELED, "domain %u was destroyed before it "
                   "had PCI device %s", op->domid, s);
        simdrv_op_finish(op, XN_ECANCELED, &msg, op->domid);
        return;
    }
    simdrv_op_finish(op, 0, NULL, op->domid);
}

int simdrv_pci_attach(struct hv *hv, uint32_t domid,
                      const libxl_device_pci *pci, hv_done_fn *done,
                      void *opaque, struct xn_msg *msg)
{
    struct simdrv *drv = simdrv_of(hv);
    struct hv_pci_addr a = hv_pci_addr_of(pci);
    struct simdrv_op *op;
    struct sim_dom *d;
    int rc = simdrv_find(drv, domid, &d, msg);

    if (rc < 0)
        return rc;
    op = simdrv_op_new(drv, SIMOP_PCI, domid, done, opaque, pci_step);
    if (!op)
        return xn_msg_set(msg, XN_ENOMEM, "out of memory");
    op->pci = a;
    rc = sim_pci_assign(drv->host, &a, domid, vslot_of(pci), NULL, msg);
    if (rc < 0) {
        simdrv_op_free(op);
        return rc;
    }
    simdrv_op_kick(op);
    return 0;
}

int simdrv_pci_detach(struct hv *hv, uint32_t domid,
                      const struct hv_pci_addr *a, bool force,
                      hv_done_fn *done, void *opaque, struct xn_msg *msg)
{
    struct simdrv *drv = simdrv_of(hv);
    const struct sim_pcidev *p = sim_pci_get(drv->host, a);
    char s[HV_PCI_ADDR_LEN];
    struct simdrv_op *op;
    struct sim_dom *d;
    int rc = simdrv_find(drv, domid, &d, msg);

    (void)force;        /* the simulated guest always lets go */
    if (rc < 0)
        return rc;
    if (!p || p->domid != domid) {
        hv_pci_addr_str(a, s);
        return xn_msg_set(msg, XN_ENOENT, "PCI device %s is not assigned to "
                          "domain %u", s, domid);
    }
    op = simdrv_op_new(drv, SIMOP_PCI, domid, done, opaque, pci_step);
    if (!op)
        return xn_msg_set(msg, XN_ENOMEM, "out of memory");
    op->pci = *a;
    op->detach = true;
    simdrv_op_kick(op);
    return 0;
}

int simpci_assign_config(struct simdrv *drv, struct sim_dom *d,
                         const libxl_domain_config *cfg, struct xn_msg *msg)
{
    for (int i = 0; i < cfg->num_pcidevs; i++) {
        const libxl_device_pci *p = &cfg->pcidevs[i];
        struct hv_pci_addr a = hv_pci_addr_of(p);
        int rc = sim_pci_assign(drv->host, &a, d->domid, vslot_of(p), NULL,
                                msg);
        if (rc < 0) {
            sim_pci_release_dom(drv->host, d->domid);
            return rc;
        }
    }
    return 0;
}

int simpci_check_savable(struct simdrv *drv, const struct sim_dom *d,
                         struct xn_msg *msg)
{
    struct sim_host *h = drv->host;
    char l[HV_NAME_MAX + 32], list[128] = "", s[HV_PCI_ADDR_LEN];
    size_t used = 0;

    if (sim_pci_dom_count(h, d->domid) == 0)
        return 0;
    for (uint32_t i = 0; i < sim_pci_count(h); i++) {
        const struct sim_pcidev *p = sim_pci_at(h, i);
        if (p->domid != d->domid)
            continue;
        hv_pci_addr_str(&p->addr, s);
        if (used + strlen(s) + 8 >= sizeof(list)) {
            snprintf(list + used, sizeof(list) - used, ", ...");
            break;
        }
        used += (size_t)snprintf(list + used, sizeof(list) - used, "%s%s",
                                 used ? ", " : "", s);
    }
    return xn_msg_set(msg, XN_ENOTSUP, "%s has PCI passthrough devices "
                      "(%s); a domain with PCI devices cannot be saved",
                      sim_dom_label(d, l, sizeof(l)), list);
}
