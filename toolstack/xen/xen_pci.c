/*
 * xen_pci.c - PCI passthrough through libxl: devices made assignable
 * (bound to xen-pciback) and given to domains, as xl pci-assignable-* and
 * pci-attach/detach do.  What a device is bound to is read from sysfs,
 * where libxl reads it too.
 */
#include "xen_priv.h"

#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define SYSFS_PCI "/sys/bus/pci/devices"

static void to_libxl(const struct hv_pci_addr *a, libxl_device_pci *p)
{
    p->domain = a->seg;
    p->bus = a->bus;
    p->dev = a->dev;
    p->func = a->fn;
}

static bool is_addr(const libxl_device_pci *p, const struct hv_pci_addr *a)
{
    struct hv_pci_addr b = hv_pci_addr_of(p);
    return hv_pci_addr_eq(a, &b);
}

/* The domain `a` is assigned to (and its slot there), from each domain's
 * devices as libxl records them. */
static void find_owner(struct xen_drv *drv, const struct hv_pci_addr *a,
                       uint32_t *domid_r, int *vslot_r)
{
    libxl_dominfo *doms;
    int ndoms = 0;

    *domid_r = HV_NO_DOMAIN;
    *vslot_r = -1;
    doms = libxl_list_domain(drv->ctx, &ndoms);
    for (int i = 0; doms && i < ndoms && *domid_r == HV_NO_DOMAIN; i++) {
        int n = 0;
        libxl_device_pci *l = libxl_device_pci_list(drv->ctx,
                                                     doms[i].domid, &n);
        for (int j = 0; l && j < n; j++)
            if (is_addr(&l[j], a)) {
                *domid_r = doms[i].domid;
                *vslot_r = (int)(l[j].vdevfn >> 3);
                break;
            }
        libxl_device_pci_list_free(l, n);
    }
    libxl_dominfo_list_free(doms, ndoms);
}

int xen_pci_info(struct hv *hv, const struct hv_pci_addr *a,
                 struct hv_pcidev *dev, struct xn_msg *msg)
{
    struct xen_drv *drv = xen_drv_of(hv);
    char s[HV_PCI_ADDR_LEN], path[PATH_MAX], link[PATH_MAX];
    ssize_t n;

    memset(dev, 0, sizeof(*dev));
    dev->addr = *a;
    hv_pci_addr_str(a, s);
    snprintf(path, sizeof(path), SYSFS_PCI "/%s", s);
    if (access(path, F_OK) != 0)
        return xn_msg_set(msg, XN_ENOENT, "this host has no PCI device %s",
                          s);
    snprintf(path, sizeof(path), SYSFS_PCI "/%s/driver", s);
    n = readlink(path, link, sizeof(link) - 1);
    if (n > 0) {
        link[n] = '\0';
        const char *base = strrchr(link, '/');
        base = base ? base + 1 : link;
        size_t len = strnlen(base, sizeof(dev->driver) - 1);
        memcpy(dev->driver, base, len);
        dev->driver[len] = '\0';
    }
    dev->assignable = strcmp(dev->driver, "pciback") == 0;
    find_owner(drv, a, &dev->domid, &dev->vslot);
    return 0;
}

static int add_dev(struct hv_pcidev **list, size_t *n, size_t *cap,
                   const struct hv_pcidev *d)
{
    if (*n == *cap) {
        size_t ncap = *cap ? *cap * 2 : 8;
        struct hv_pcidev *nl = realloc(*list, ncap * sizeof(*nl));
        if (!nl)
            return XN_ENOMEM;
        *list = nl;
        *cap = ncap;
    }
    (*list)[(*n)++] = *d;
    return 0;
}

static int by_addr(const void *x, const void *y)
{
    const struct hv_pci_addr *a = &((const struct hv_pcidev *)x)->addr;
    const struct hv_pci_addr *b = &((const struct hv_pcidev *)y)->addr;
    uint64_t ka = (uint64_t)a->seg << 16 | a->bus << 8 | a->dev << 3 | a->fn;
    uint64_t kb = (uint64_t)b->seg << 16 | b->bus << 8 | b->dev << 3 | b->fn;
    return ka < kb ? -1 : ka > kb;
}

int xen_pci_list(struct hv *hv, struct hv_pcidev **list_r, size_t *n_r,
                 struct xn_msg *msg)
{
    struct xen_drv *drv = xen_drv_of(hv);
    struct hv_pcidev *list = NULL, d;
    size_t n = 0, cap = 0;
    libxl_dominfo *doms;
    libxl_device_pci *l;
    int nl = 0, ndoms = 0, rc = 0;

    /* Assigned devices, domain by domain ... */
    doms = libxl_list_domain(drv->ctx, &ndoms);
    for (int i = 0; doms && i < ndoms && rc == 0; i++) {
        l = libxl_device_pci_list(drv->ctx, doms[i].domid, &nl);
        for (int j = 0; l && j < nl && rc == 0; j++) {
            memset(&d, 0, sizeof(d));
            d.addr = hv_pci_addr_of(&l[j]);
            snprintf(d.driver, sizeof(d.driver), "pciback");
            d.assignable = true;
            d.domid = doms[i].domid;
            d.vslot = (int)(l[j].vdevfn >> 3);
            rc = add_dev(&list, &n, &cap, &d);
        }
        libxl_device_pci_list_free(l, nl);
    }
    libxl_dominfo_list_free(doms, ndoms);
    /* ... and those bound to pciback and free (libxl leaves the assigned
     * ones out of this list). */
    l = libxl_device_pci_assignable_list(drv->ctx, &nl);
    for (int j = 0; l && j < nl && rc == 0; j++) {
        memset(&d, 0, sizeof(d));
        d.addr = hv_pci_addr_of(&l[j]);
        snprintf(d.driver, sizeof(d.driver), "pciback");
        d.assignable = true;
        d.domid = HV_NO_DOMAIN;
        d.vslot = -1;
        rc = add_dev(&list, &n, &cap, &d);
    }
    libxl_device_pci_assignable_list_free(l, nl);
    if (rc < 0) {
        free(list);
        return xn_msg_set(msg, rc, "out of memory");
    }
    if (n)
        qsort(list, n, sizeof(*list), by_addr);
    *list_r = list;
    *n_r = n;
    return 0;
}

/* Bind `a` to xen-pciback or release it (`bind`, one of libxl's two
 * calls, with its `rebind` flag); `what` ends the failure message. */
static int pciback(struct hv *hv, const struct hv_pci_addr *a,
                   int (*bind)(libxl_ctx *, libxl_device_pci *, int),
                   int rebind, const char *what, struct xn_msg *msg)
{
    struct xen_drv *drv = xen_drv_of(hv);
    char s[HV_PCI_ADDR_LEN];
    libxl_device_pci p;
    int lrc;

    libxl_device_pci_init(&p);
    to_libxl(a, &p);
    xen_log_clear(drv->log);
    lrc = bind(drv->ctx, &p, rebind);
    libxl_device_pci_dispose(&p);
    if (lrc == 0)
        return 0;
    hv_pci_addr_str(a, s);
    return xen_fail(drv, msg, lrc, "PCI device %s: cannot %s", s, what);
}

int xen_pci_assignable_add(struct hv *hv, const struct hv_pci_addr *a,
                           struct xn_msg *msg)
{
    return pciback(hv, a, libxl_device_pci_assignable_add, 1,
                   "make it assignable", msg);
}

int xen_pci_assignable_remove(struct hv *hv, const struct hv_pci_addr *a,
                              bool rebind, struct xn_msg *msg)
{
    return pciback(hv, a, libxl_device_pci_assignable_remove, rebind,
                   "release it from xen-pciback", msg);
}

int xen_pci_attach(struct hv *hv, uint32_t domid, const libxl_device_pci *pci,
                   hv_done_fn *done, void *opaque, struct xn_msg *msg)
{
    struct xen_drv *drv = xen_drv_of(hv);
    struct xen_op *op;
    int rc, lrc;

    op = xen_op_on_domain(drv, XEN_OP_PCI, domid, done, opaque, &rc, msg);
    if (!op)
        return rc;
    libxl_device_pci_copy(drv->ctx, &op->pci, pci);
    op->step = xen_op_simple;
    xen_op_step(op, "cannot attach the PCI device");
    lrc = libxl_device_pci_add(drv->ctx, domid, &op->pci, &op->how);
    return xen_op_started(op, lrc, msg);
}

int xen_pci_detach(struct hv *hv, uint32_t domid, const struct hv_pci_addr *a,
                   bool force, hv_done_fn *done, void *opaque,
                   struct xn_msg *msg)
{
    struct xen_drv *drv = xen_drv_of(hv);
    struct xen_op *op;
    int rc, lrc;

    op = xen_op_on_domain(drv, XEN_OP_PCI, domid, done, opaque, &rc, msg);
    if (!op)
        return rc;
    to_libxl(a, &op->pci);
    op->step = xen_op_simple;
    xen_op_step(op, "cannot detach the PCI device");
    lrc = force ? libxl_device_pci_destroy(drv->ctx, domid, &op->pci,
                                           &op->how)
                : libxl_device_pci_remove(drv->ctx, domid, &op->pci,
                                          &op->how);
    return xen_op_started(op, lrc, msg);
}
