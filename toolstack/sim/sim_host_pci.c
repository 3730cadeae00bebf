/*
 * sim_host_pci.c - the simulated host's PCI devices: which driver each is
 * bound to, which it had before pciback, and which domain has it in which
 * virtual slot (sim_host.h, "PCI devices").  Bookkeeping only: no loop,
 * no I/O.
 */
#include "sim/sim_host_int.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static uint64_t addr_key(const struct hv_pci_addr *a)
{
    return (uint64_t)a->seg << 16 | (uint64_t)a->bus << 8 |
           (uint64_t)(a->dev & 0x1f) << 3 | (a->fn & 0x7);
}

static struct sim_pcidev *find(const struct sim_host *h,
                               const struct hv_pci_addr *a)
{
    for (uint32_t i = 0; i < h->n_pci; i++)
        if (hv_pci_addr_eq(&h->pci[i].addr, a))
            return &h->pci[i];
    return NULL;
}

/* The device, or XN_ENOENT with the sentence. */
static int get(const struct sim_host *h, const struct hv_pci_addr *a,
               struct sim_pcidev **p_r, struct xn_msg *msg)
{
    char s[HV_PCI_ADDR_LEN];

    *p_r = find(h, a);
    if (*p_r)
        return 0;
    hv_pci_addr_str(a, s);
    return xn_msg_set(msg, XN_ENOENT, "this host has no PCI device %s", s);
}

/* XN_EBUSY with the sentence while p is assigned. */
static int not_assigned(struct sim_host *h, const struct sim_pcidev *p,
                        struct xn_msg *msg)
{
    char s[HV_PCI_ADDR_LEN], l[SIM_LABEL_MAX];
    const struct sim_dom *d;

    if (p->domid == HV_NO_DOMAIN)
        return 0;
    hv_pci_addr_str(&p->addr, s);
    d = sim_dom_get(h, p->domid);
    if (d)
        sim_dom_label(d, l, sizeof(l));
    else
        snprintf(l, sizeof(l), "domain %u", p->domid);
    return xn_msg_set(msg, XN_EBUSY, "PCI device %s is assigned to %s", s,
                      l);
}

int sim_pci_add(struct sim_host *h, const struct hv_pci_addr *a,
                const char *driver, const char *name, struct xn_msg *msg)
{
    char s[HV_PCI_ADDR_LEN];
    struct sim_pcidev *list, *p;
    uint32_t at = 0;

    hv_pci_addr_str(a, s);
    if (find(h, a))
        return xn_msg_set(msg, XN_EEXIST, "PCI device %s is given twice", s);
    if (strlen(driver) >= SIM_PCI_DRIVER_MAX)
        return xn_msg_set(msg, XN_EINVAL, "PCI device %s: driver name "
                          "\"%.40s...\" is longer than %d characters", s,
                          driver, SIM_PCI_DRIVER_MAX - 1);
    if (strlen(name) >= SIM_PCI_NAME_MAX)
        return xn_msg_set(msg, XN_EINVAL, "PCI device %s: name \"%.40s...\" "
                          "is longer than %d characters", s, name,
                          SIM_PCI_NAME_MAX - 1);
    if (h->n_pci >= SIM_PCI_MAX)
        return xn_msg_set(msg, XN_EINVAL, "PCI device %s: a host has at most "
                          "%d PCI devices", s, SIM_PCI_MAX);
    list = realloc(h->pci, (h->n_pci + 1) * sizeof(*list));
    if (!list)
        return xn_msg_set(msg, XN_ENOMEM, "out of memory");
    h->pci = list;
    while (at < h->n_pci && addr_key(&list[at].addr) < addr_key(a))
        at++;
    memmove(&list[at + 1], &list[at], (h->n_pci - at) * sizeof(*list));
    h->n_pci++;
    p = &list[at];
    memset(p, 0, sizeof(*p));
    p->addr = *a;
    snprintf(p->name, sizeof(p->name), "%s", name);
    snprintf(p->driver, sizeof(p->driver), "%s", driver);
    p->domid = HV_NO_DOMAIN;
    p->vslot = -1;
    return 0;
}

uint32_t sim_pci_count(const struct sim_host *h)
{
    return h->n_pci;
}

const struct sim_pcidev *sim_pci_at(const struct sim_host *h, uint32_t i)
{
    return i < h->n_pci ? &h->pci[i] : NULL;
}

const struct sim_pcidev *sim_pci_get(const struct sim_host *h,
                                     const struct hv_pci_addr *a)
{
    return find(h, a);
}

int sim_pci_bind(struct sim_host *h, const struct hv_pci_addr *a,
                 struct xn_msg *msg)
{
    struct sim_pcidev *p;
    int rc = get(h, a, &p, msg);

    if (rc == 0)
        rc = not_assigned(h, p, msg);
    if (rc < 0 || strcmp(p->driver, SIM_PCI_PCIBACK) == 0)
        return rc;
    snprintf(p->was, sizeof(p->was), "%s", p->driver);
    snprintf(p->driver, sizeof(p->driver), "%s", SIM_PCI_PCIBACK);
    return 0;
}

int sim_pci_unbind(struct sim_host *h, const struct hv_pci_addr *a,
                   bool rebind, struct xn_msg *msg)
{
    char s[HV_PCI_ADDR_LEN];
    struct sim_pcidev *p;
    int rc = get(h, a, &p, msg);

    if (rc == 0)
        rc = not_assigned(h, p, msg);
    if (rc < 0)
        return rc;
    if (strcmp(p->driver, SIM_PCI_PCIBACK) != 0) {
        hv_pci_addr_str(a, s);
        return xn_msg_set(msg, XN_ESTATE, "PCI device %s is not bound to "
                          "pciback", s);
    }
    if (rebind)
        snprintf(p->driver, sizeof(p->driver), "%s", p->was);
    else
        p->driver[0] = '\0';
    p->was[0] = '\0';
    return 0;
}

/* Is slot `slot` of domid taken? */
static bool slot_taken(const struct sim_host *h, uint32_t domid, int slot)
{
    for (uint32_t i = 0; i < h->n_pci; i++)
        if (h->pci[i].domid == domid && h->pci[i].vslot == slot)
            return true;
    return false;
}

int sim_pci_assign(struct sim_host *h, const struct hv_pci_addr *a,
                   uint32_t domid, int vslot, int *vslot_r,
                   struct xn_msg *msg)
{
    char s[HV_PCI_ADDR_LEN], l[SIM_LABEL_MAX];
    struct sim_pcidev *p;
    struct sim_dom *d = sim_dom_get(h, domid);
    int rc = get(h, a, &p, msg);

    if (rc == 0)
        rc = not_assigned(h, p, msg);
    if (rc < 0)
        return rc;
    hv_pci_addr_str(a, s);
    if (!d)
        return xn_msg_set(msg, XN_ENOENT, "no domain with id %u", domid);
    if ((rc = sim_dom_not_dying(d, msg)) < 0)
        return rc;
    sim_dom_label(d, l, sizeof(l));
    if (strcmp(p->driver, SIM_PCI_PCIBACK) != 0)
        return xn_msg_set(msg, XN_ESTATE, "PCI device %s is not bound to "
                          "pciback", s);
    if (vslot >= SIM_PCI_SLOTS)
        return xn_msg_set(msg, XN_EINVAL, "virtual slot %02x is beyond "
                          "1f", (unsigned)vslot);
    if (vslot >= 0 && slot_taken(h, domid, vslot))
        return xn_msg_set(msg, XN_EBUSY, "virtual slot %02x of %s is "
                          "taken", (unsigned)vslot, l);
    for (int i = 0; vslot < 0 && i < SIM_PCI_SLOTS; i++)
        if (!slot_taken(h, domid, i))
            vslot = i;
    if (vslot < 0)
        return xn_msg_set(msg, XN_EBUSY, "%s has no free virtual PCI slot",
                          l);
    p->domid = domid;
    p->vslot = vslot;
    if (vslot_r)
        *vslot_r = vslot;
    return 0;
}

int sim_pci_release(struct sim_host *h, const struct hv_pci_addr *a,
                    uint32_t domid, struct xn_msg *msg)
{
    char s[HV_PCI_ADDR_LEN];
    struct sim_pcidev *p;
    int rc = get(h, a, &p, msg);

    if (rc < 0)
        return rc;
    if (p->domid != domid) {
        hv_pci_addr_str(a, s);
        return xn_msg_set(msg, XN_ENOENT, "PCI device %s is not assigned to "
                          "domain %u", s, domid);
    }
    p->domid = HV_NO_DOMAIN;
    p->vslot = -1;
    return 0;
}

uint32_t sim_pci_release_dom(struct sim_host *h, uint32_t domid)
{
    uint32_t n = 0;

    for (uint32_t i = 0; i < h->n_pci; i++)
        if (h->pci[i].domid == domid) {
            h->pci[i].domid = HV_NO_DOMAIN;
            h->pci[i].vslot = -1;
            n++;
        }
    return n;
}

uint32_t sim_pci_dom_count(const struct sim_host *h, uint32_t domid)
{
    uint32_t n = 0;

    for (uint32_t i = 0; i < h->n_pci; i++)
        n += h->pci[i].domid == domid;
    return n;
}
