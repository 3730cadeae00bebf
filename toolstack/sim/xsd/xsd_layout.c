/*
 * xsd_layout.c - domain trees laid out as the real toolstack does it
 * (libxl 4.17: libxl__domain_make, libxl__build_post, libxl__domain_rename;
 * xen-init-dom0 for dom0), so that tools reading the simulated store find
 * what they would find on Xen.
 *
 * Permissions, as libxl names them:
 *   ro  "n0 rN"  dom0 owns, the guest may read
 *   rw  "nN"     the guest owns (dom0 may do anything anyway)
 *   no  "n0"     toolstack only
 * Nodes written without a permission of their own inherit their parent's.
 */
#include "xsd_int.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define P(...) snprintf(path, sizeof(path), __VA_ARGS__)

/* libxl__xs_mknod: an empty node with the given permissions. */
static int mknod(struct xsd *x, const char *path, const struct xsd_perm *p,
                 unsigned n)
{
    int rc = xsd_write(x, path, "", 0);

    return rc < 0 ? rc : xsd_set_perms(x, path, p, n);
}

int xsd_layout_dom0(struct xsd *x)
{
    int rc = xsd_write_str(x, "/local/domain/0/domid", "0");

    return rc < 0 ? rc : xsd_write_str(x, "/local/domain/0/name", "Domain-0");
}

/* The part libxl__domain_make writes. */
static int make(struct xsd *x, const struct xsd_domain_info *d,
                const char *dom, const char *vm)
{
    static const char *const rw_nodes[] = {
        "control/shutdown", "control/feature-poweroff",
        "control/feature-reboot", "control/feature-suspend", "control/sysrq",
        "data", "drivers", "feature", "attr", "error",
    };
    static const char *const ro_nodes[] = {"cpu", "memory", "device",
                                           "control", "hvmloader"};
    const struct xsd_perm ro[2] = {{0, XSD_PERM_NONE},
                                   {d->domid, XSD_PERM_READ}};
    const struct xsd_perm rw[1] = {{d->domid, XSD_PERM_NONE}};
    const struct xsd_perm no[1] = {{0, XSD_PERM_NONE}};
    bool hvm = strcmp(d->type, "hvm") == 0;
    char path[128];
    int rc = 0;

    xsd_rm(x, dom);
    xsd_rm(x, vm);
    P("/libxl/%u", (unsigned)d->domid);
    xsd_rm(x, path);
    rc = mknod(x, dom, ro, 2);
    if (!rc) rc = mknod(x, vm, ro, 2);
    if (!rc) rc = mknod(x, path, no, 1);
    P("/libxl/%u/device", (unsigned)d->domid);
    if (!rc) rc = mknod(x, path, no, 1);
    P("/libxl/%u/type", (unsigned)d->domid);
    if (!rc) rc = xsd_write_str(x, path, d->type);
    P("%s/vm", dom);
    if (!rc) rc = xsd_write_str(x, path, vm);
    P("%s/name", dom);
    if (!rc) rc = xsd_write_str(x, path, d->name);
    for (size_t i = 0; i < (hvm ? 5u : 4u) && !rc; i++) {
        P("%s/%s", dom, ro_nodes[i]);
        rc = mknod(x, path, ro, 2);
    }
    P("%s/device/suspend/event-channel", dom);
    if (!rc) rc = mknod(x, path, rw, 1);
    for (size_t i = 0; i < sizeof(rw_nodes) / sizeof(rw_nodes[0]) && !rc;
         i++) {
        P("%s/%s", dom, rw_nodes[i]);
        rc = mknod(x, path, rw, 1);
    }
    for (int i = 0; hvm && i < 2 && !rc; i++) {
        P("%s/control/feature-s%d", dom, 3 + i);
        rc = mknod(x, path, rw, 1);
    }
    P("%s/uuid", vm);
    if (!rc) rc = xsd_write_str(x, path, d->uuid);
    P("%s/name", vm);
    if (!rc) rc = xsd_write_str(x, path, d->name);
    P("%s/control/platform-feature-multiprocessor-suspend", dom);
    if (!rc) rc = xsd_write_str(x, path, "1");
    P("%s/control/platform-feature-xs_reset_watches", dom);
    if (!rc) rc = xsd_write_str(x, path, "1");
    return rc;
}

/* The part libxl__build_post writes. */
static int build_post(struct xsd *x, const struct xsd_domain_info *d,
                      const char *dom)
{
    char path[128], val[32];
    int rc;

#define W(fmt, v, ...) (P(__VA_ARGS__), snprintf(val, sizeof(val), fmt, v), \
                        xsd_write_str(x, path, val))
    rc = W("%" PRIu64, d->max_memkb, "%s/memory/static-max", dom);
    if (!rc) rc = W("%" PRIu64, d->target_memkb, "%s/memory/target", dom);
    if (!rc) rc = W("%" PRIu64, d->video_memkb, "%s/memory/videoram", dom);
    if (!rc) rc = W("%u", (unsigned)d->domid, "%s/domid", dom);
    if (!rc) rc = W("%u", (unsigned)d->store_port, "%s/store/port", dom);
    if (!rc) rc = W("%" PRIu64, d->store_mfn, "%s/store/ring-ref", dom);
    for (unsigned i = 0; i < d->max_vcpus && !rc; i++)
        rc = W("%s", i < d->online_vcpus ? "online" : "offline",
               "%s/cpu/%u/availability", dom, i);
#undef W
    return rc;
}

int xsd_layout_domain(struct xsd *x, const struct xsd_domain_info *d)
{
    char dom[32], vm[64];
    int rc;

    if (d->domid == 0 || d->domid >= 0x7FF0 || !d->name || !d->uuid ||
        !d->type || strlen(d->uuid) > 40)
        return XN_EINVAL;
    xsd_path_domain(d->domid, dom);
    snprintf(vm, sizeof(vm), "/vm/%s", d->uuid);
    rc = make(x, d, dom, vm);
    if (!rc)
        rc = build_post(x, d, dom);
    if (!rc)
        xsd_domain_introduced(x, d->domid);
    return rc;
}

void xsd_layout_remove(struct xsd *x, uint32_t domid)
{
    char dom[32], path[96], *vm = NULL;

    xsd_path_domain(domid, dom);
    P("%s/vm", dom);
    if (xsd_read(x, path, &vm, NULL) == 0 && strncmp(vm, "/vm/", 4) == 0)
        xsd_rm(x, vm);
    free(vm);
    xsd_rm(x, dom);
    P("/libxl/%u", (unsigned)domid);
    xsd_rm(x, path);
    xsd_domain_released(x, domid);
}
