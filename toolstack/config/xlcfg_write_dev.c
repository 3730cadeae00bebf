/*
 * xlcfg_write_dev.c - disk = [...], vif = [...] and vfb = [...].
 *
 * A disk is written in libxlutil's key=value form with target= last: the
 * target takes the rest of the spec, commas included, so any path can be
 * written (except one ending in a comma, which libxlutil drops).
 */
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#include "config/xlcfg_names.h"
#include "config/xlcfg_write_int.h"

/* ---- disks ---- */

static const char *disk_format(libxl_disk_format f)
{
    switch (f) {
    case LIBXL_DISK_FORMAT_QCOW: return "qcow";
    case LIBXL_DISK_FORMAT_QCOW2: return "qcow2";
    case LIBXL_DISK_FORMAT_VHD: return "vhd";
    case LIBXL_DISK_FORMAT_RAW: return "raw";
    case LIBXL_DISK_FORMAT_EMPTY: return "empty";
    case LIBXL_DISK_FORMAT_QED: return "qed";
    default: return NULL;
    }
}

static const char *disk_backend(libxl_disk_backend b)
{
    switch (b) {
    case LIBXL_DISK_BACKEND_PHY: return "phy";
    case LIBXL_DISK_BACKEND_TAP: return "tap";
    case LIBXL_DISK_BACKEND_QDISK: return "qdisk";
    case LIBXL_DISK_BACKEND_STANDALONE: return "standalone";
    default: return NULL;
    }
}

static void defbool_flag(struct xlw_spec *s, libxl_defbool b,
                         const char *yes, const char *no)
{
    if (!libxl_defbool_is_default(b))
        xlw_spec_flag(s, libxl_defbool_val(b) ? yes : no);
}

/* What libxlutil sets by itself (raw, or empty for a cdrom without a
 * medium) is left out. */
static bool format_implied(const libxl_device_disk *d)
{
    if (d->format == LIBXL_DISK_FORMAT_RAW)
        return true;
    return d->format == LIBXL_DISK_FORMAT_EMPTY && d->is_cdrom &&
           (!d->pdev_path || !d->pdev_path[0]);
}

static void disk_checks(struct xlw *w, int n, const libxl_device_disk *d)
{
    if (!d->vdev)
        xlw_fail(w, "disk %d: no vdev, which xl.cfg needs", n);
    if (!d->pdev_path && !d->is_cdrom)
        xlw_fail(w, "disk %d: no target, which xl.cfg needs for a disk "
                 "that is not a cdrom", n);
    if (d->removable != d->is_cdrom)
        xlw_fail(w, "disk %d: removable is %d, xl.cfg has it only for "
                 "(and always for) a cdrom", n, d->removable);
    if (d->is_cdrom && d->readwrite)
        xlw_fail(w, "disk %d: a writable cdrom cannot be written (xl.cfg's "
                 "cdroms are read-only)", n);
    if (d->backend_domid)
        xlw_fail(w, "disk %d: backend domain %u is given by id; xl.cfg "
                 "names it (backend=)", n, d->backend_domid);
    if (d->transport || d->irq || d->base)
        xlw_fail(w, "disk %d: a transport, irq or base (virtio-mmio) "
                 "cannot be written", n);
    if (!libxl_defbool_is_default(d->colo_restore_enable))
        xlw_fail(w, "disk %d: colo_restore_enable cannot be written", n);
    if (!format_implied(d) && !disk_format(d->format))
        xlw_fail(w, "disk %d: the format is unknown; xl.cfg's default is "
                 "raw", n);
    if (d->pdev_path && d->pdev_path[0] &&
        d->pdev_path[strlen(d->pdev_path) - 1] == ',')
        xlw_fail(w, "disk %d: target \"%s\" ends in a comma, which "
                 "libxlutil drops", n, d->pdev_path);
    if (d->pdev_path && strchr(d->pdev_path, '\n'))
        xlw_fail(w, "disk %d: target \"%s\" holds a newline, which a disk "
                 "spec cannot carry", n, d->pdev_path);
}

static void disk_spec(struct xlw *w, struct xlw_list *l, int n,
                      const libxl_device_disk *d)
{
    struct xlw_spec s;

    disk_checks(w, n, d);
    xlw_spec_start(w, &s, "disk", n, ", ");
    if (!format_implied(d))
        xlw_spec_str(&s, "format", disk_format(d->format));
    xlw_spec_str(&s, "vdev", d->vdev);
    if (d->is_cdrom)
        xlw_spec_flag(&s, "devtype=cdrom");
    else if (!d->readwrite)
        xlw_spec_flag(&s, "access=ro");
    xlw_spec_str(&s, "backendtype", disk_backend(d->backend));
    xlw_spec_str(&s, "backend", d->backend_domname);
    xlw_spec_str(&s, "script", d->script);
    if (d->specification == LIBXL_DISK_SPECIFICATION_XEN)
        xlw_spec_flag(&s, "specification=xen");
    else if (d->specification == LIBXL_DISK_SPECIFICATION_VIRTIO)
        xlw_spec_flag(&s, "specification=virtio");
    if (d->direct_io_safe)
        xlw_spec_flag(&s, "direct-io-safe");
    defbool_flag(&s, d->discard_enable, "discard", "no-discard");
    defbool_flag(&s, d->colo_enable, "colo", "no-colo");
    xlw_spec_str(&s, "colo-host", d->colo_host);
    if (d->colo_port)
        xlw_spec_num(&s, "colo-port", d->colo_port);
    xlw_spec_str(&s, "colo-export", d->colo_export);
    xlw_spec_str(&s, "active-disk", d->active_disk);
    xlw_spec_str(&s, "hidden-disk", d->hidden_disk);
    /* xl 4.17 documents trusted/untrusted for disks, but its generated
     * scanner predates them: they would be read as a target. */
    if (!libxl_defbool_is_default(d->trusted))
        xlw_fail(w, "disk %d: %s cannot be written; xl 4.17's disk syntax "
                 "does not read it", n,
                 libxl_defbool_val(d->trusted) ? "trusted" : "untrusted");
    xlw_spec_raw(&s, "target", d->pdev_path);
    xlw_list_add(l, xlw_spec_text(&s));
    xlw_spec_done(&s);
}

void xlw_disks(struct xlw *w)
{
    struct xlw_list l;

    xlw_list_start(w, &l);
    for (int i = 0; i < w->dc->num_disks; i++)
        disk_spec(w, &l, i + 1, &w->dc->disks[i]);
    xlw_list_end(&l, "disk", false);
}

/* ---- network interfaces ---- */

/* "NB/s", with the largest unit that keeps the number a whole one. */
static void rate_text(uint64_t bps, char *buf, size_t size)
{
    static const char *const unit[] = {"B/s", "KB/s", "MB/s", "GB/s"};
    int u = 0;

    while (u < 3 && bps % 1000 == 0 && bps >= 1000) {
        bps /= 1000;
        u++;
    }
    snprintf(buf, size, "%llu%s", (unsigned long long)bps, unit[u]);
}

/*
 * rate=: libxlutil stores bytes per interval = bytes/s * usecs / 10^6
 * (rounded down).  Find bytes/s that gives the stored figure back.
 */
static void nic_rate(struct xlw_spec *s, const libxl_device_nic *nic)
{
    uint64_t b = nic->rate_bytes_per_interval;
    uint64_t us = nic->rate_interval_usecs, bps;
    char rate[64], interval[32];

    if (b == 0 && us == 0)
        return;
    if (us == 0 || b > UINT64_MAX / 1000000) {
        xlw_fail(s->w, "vif %d: rate of %llu bytes every %llu us cannot be "
                 "written", s->item, (unsigned long long)b,
                 (unsigned long long)us);
        return;
    }
    bps = (b * 1000000 + us - 1) / us;
    if (bps == 0)
        bps = 1;   /* a rate below one byte per interval */
    if (bps > UINT64_MAX / us || bps * us / 1000000 != b ||
        bps / (bps % 1000000000 == 0 ? 1000000000 : bps % 1000000 == 0
               ? 1000000 : bps % 1000 == 0 ? 1000 : 1) > UINT32_MAX) {
        xlw_fail(s->w, "vif %d: rate of %llu bytes every %llu us has no "
                 "bytes/s form", s->item, (unsigned long long)b,
                 (unsigned long long)us);
        return;
    }
    rate_text(bps, rate, sizeof(rate));
    if (us == 50000)
        interval[0] = '\0';   /* libxlutil's default */
    else if (us % 1000000 == 0)
        snprintf(interval, sizeof(interval), "@%llus",
                 (unsigned long long)us / 1000000);
    else if (us % 1000 == 0)
        snprintf(interval, sizeof(interval), "@%llums",
                 (unsigned long long)us / 1000);
    else
        snprintf(interval, sizeof(interval), "@%lluus",
                 (unsigned long long)us);
    strcat(rate, interval);
    xlw_spec_raw(s, "rate", rate);
}

static void nic_colo_opts(struct xlw_spec *s, const libxl_device_nic *nic)
{
    for (size_t i = 0; i < xlcfg_nic_ncolo; i++)
        xlw_spec_str(s, xlcfg_nic_colo[i].key,
                     *(char *const *)((const char *)nic +
                                      xlcfg_nic_colo[i].off));
}

static void nic_spec(struct xlw *w, struct xlw_list *l, int i,
                     const libxl_device_nic *nic)
{
    static const libxl_mac zero;
    struct xlw_spec s;
    char mac[18];

    xlw_spec_start(w, &s, "vif", i + 1, ",");
    if (memcmp(nic->mac, zero, sizeof(zero)) != 0) {
        snprintf(mac, sizeof(mac), LIBXL_MAC_FMT, LIBXL_MAC_BYTES(nic->mac));
        xlw_spec_raw(&s, "mac", mac);
    }
    xlw_spec_str(&s, "bridge", nic->bridge);
    xlw_spec_str(&s, "ip", nic->ip);
    xlw_spec_str(&s, "model", nic->model);
    if (nic->nictype == LIBXL_NIC_TYPE_VIF)
        xlw_spec_flag(&s, "type=vif");
    else if (nic->nictype == LIBXL_NIC_TYPE_VIF_IOEMU)
        xlw_spec_flag(&s, "type=ioemu");
    else if (nic->nictype != LIBXL_NIC_TYPE_UNKNOWN)
        xlw_fail(w, "vif %d: type %s cannot be written", i + 1,
                 libxl_nic_type_to_string(nic->nictype));
    xlw_spec_str(&s, "vifname", nic->ifname);
    xlw_spec_str(&s, "script", nic->script);
    xlw_spec_str(&s, "gatewaydev", nic->gatewaydev);
    xlw_spec_str(&s, "backend", nic->backend_domname);
    if (nic->mtu)
        xlw_spec_num(&s, "mtu", nic->mtu);
    nic_rate(&s, nic);
    defbool_flag(&s, nic->trusted, "trusted", "untrusted");
    if (nic->devid != i)   /* xl numbers them in order */
        xlw_spec_num(&s, "devid", nic->devid);
    if (nic->devid < 0)
        xlw_fail(w, "vif %d: devid %d cannot be written", i + 1, nic->devid);
    if (nic->mtu < 0 || nic->mtu > 65535)
        xlw_fail(w, "vif %d: mtu %d is not an MTU", i + 1, nic->mtu);
    if (nic->backend_domid)
        xlw_fail(w, "vif %d: backend domain %u is given by id; xl.cfg names "
                 "it (backend=)", i + 1, nic->backend_domid);
    nic_colo_opts(&s, nic);
    /* An empty spec is one ',': libxlutil has no empty-string item issue,
     * but a bare "" reads back as a default vif all the same. */
    xlw_list_add(l, xlw_spec_text(&s));
    xlw_spec_done(&s);
}

void xlw_nics(struct xlw *w)
{
    struct xlw_list l;

    xlw_list_start(w, &l);
    for (int i = 0; i < w->dc->num_nics; i++)
        nic_spec(w, &l, i, &w->dc->nics[i]);
    xlw_list_end(&l, "vif", false);
}

/* ---- framebuffers ---- */

static void vfb_spec(struct xlw *w, struct xlw_list *l, int i,
                     const libxl_device_vfb *vfb)
{
    struct xlw_spec s;

    xlw_spec_start(w, &s, "vfb", i + 1, ",");
    if (!libxl_defbool_is_default(vfb->vnc.enable))
        xlw_spec_num(&s, "vnc", libxl_defbool_val(vfb->vnc.enable));
    xlw_spec_str(&s, "vnclisten", vfb->vnc.listen);
    xlw_spec_str(&s, "vncpasswd", vfb->vnc.passwd);
    if (vfb->vnc.display)
        xlw_spec_num(&s, "vncdisplay", vfb->vnc.display);
    if (!libxl_defbool_is_default(vfb->vnc.findunused))
        xlw_spec_num(&s, "vncunused", libxl_defbool_val(vfb->vnc.findunused));
    if (!libxl_defbool_is_default(vfb->sdl.enable))
        xlw_spec_num(&s, "sdl", libxl_defbool_val(vfb->sdl.enable));
    if (!libxl_defbool_is_default(vfb->sdl.opengl))
        xlw_spec_num(&s, "opengl", libxl_defbool_val(vfb->sdl.opengl));
    xlw_spec_str(&s, "display", vfb->sdl.display);
    xlw_spec_str(&s, "xauthority", vfb->sdl.xauthority);
    xlw_spec_str(&s, "keymap", vfb->keymap);
    if (vfb->vnc.display < 0)
        xlw_fail(w, "vfb %d: vncdisplay %d is not a display", i + 1,
                 vfb->vnc.display);
    if (vfb->devid != i)
        xlw_fail(w, "vfb %d: devid %d cannot be written (xl numbers vfbs "
                 "in order)", i + 1, vfb->devid);
    if (vfb->backend_domid || vfb->backend_domname)
        xlw_fail(w, "vfb %d: a backend domain cannot be written", i + 1);
    xlw_list_add(l, xlw_spec_text(&s));
    xlw_spec_done(&s);
}

/*
 * xl pairs every vfb with a keyboard (vkbs 0 .. num_vfbs-1, defaults but
 * for devid); other keyboards are vkb = [...] (xlcfg_write_vdev.c).
 */
void xlw_vfbs(struct xlw *w)
{
    const libxl_domain_config *dc = w->dc;
    struct xlw_list l;

    if (dc->num_vkbs < dc->num_vfbs)
        xlw_fail(w, "vfb: %d framebuffers but %d keyboards; xl gives each "
                 "framebuffer a keyboard", dc->num_vfbs, dc->num_vkbs);
    for (int i = 0; i < dc->num_vfbs && i < dc->num_vkbs; i++) {
        libxl_device_vkb dflt;
        char *a, *b;
        libxl_device_vkb_init(&dflt);
        dflt.devid = i;
        a = libxl_device_vkb_to_json(NULL, &dflt);
        b = libxl_device_vkb_to_json(NULL, (libxl_device_vkb *)&dc->vkbs[i]);
        if (!a || !b || strcmp(a, b) != 0)
            xlw_fail(w, "vkb %d: the keyboard of vfb %d is not the one xl "
                     "gives it", i + 1, i + 1);
        free(a);
        free(b);
        libxl_device_vkb_dispose(&dflt);
    }
    xlw_list_start(w, &l);
    for (int i = 0; i < dc->num_vfbs; i++)
        vfb_spec(w, &l, i, &dc->vfbs[i]);
    xlw_list_end(&l, "vfb", false);
}
