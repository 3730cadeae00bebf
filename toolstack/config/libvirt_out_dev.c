/*
 * libvirt_out_dev.c - the <devices> of a libxl_domain_config as libvirt
 * writes them: emulator, disks, controllers, interfaces, host devices,
 * character devices, inputs, graphics, video, sound and the balloon.
 */
#include <stdlib.h>
#include <string.h>

#include "config/libvirt_out_int.h"

static const char *bus_of(const char *vdev)
{
    if (!vdev)
        return "xen";
    if (strncmp(vdev, "hd", 2) == 0)
        return "ide";
    if (strncmp(vdev, "sd", 2) == 0)
        return "scsi";
    return "xen";
}

/* "rbd:POOL/IMAGE:opt=v:mon_host=H\:P\;H2\:P2" -> <source> with hosts. */
static void rbd_source(struct lvo *o, const char *spec)
{
    const char *p = spec + 4, *colon = strchr(p, ':');
    const char *mon = strstr(p, ":mon_host=");
    char *name = strndup(p, colon ? (size_t)(colon - p) : strlen(p));

    lvo_put(o, "      <source protocol='rbd'");
    lvo_attr(o, "name", name);
    free(name);
    if (!mon) {
        lvo_put(o, "/>\n");
        return;
    }
    lvo_put(o, ">\n");
    for (p = mon + 10; *p && *p != ':';) {
        char host[256], port[16] = "";
        size_t h = 0, n = 0;
        while (*p && *p != ':' && !(p[0] == '\\' && (p[1] == ':' ||
                                                     p[1] == ';')))
            if (h < sizeof(host) - 1)
                host[h++] = *p++;
            else
                p++;
        host[h] = '\0';
        if (p[0] == '\\' && p[1] == ':')
            for (p += 2; *p && *p != ':' && *p != '\\'; p++)
                if (n < sizeof(port) - 1)
                    port[n++] = *p;
        port[n] = '\0';
        lvo_put(o, "        <host");
        lvo_attr(o, "name", host);
        lvo_attr(o, "port", *port ? port : NULL);
        lvo_put(o, "/>\n");
        if (p[0] == '\\' && p[1] == ';')
            p += 2;
        else
            break;
    }
    lvo_put(o, "      </source>\n");
}

static void disks(struct lvo *o)
{
    for (int i = 0; i < o->c->num_disks; i++) {
        const libxl_device_disk *d = &o->c->disks[i];
        const char *path = d->pdev_path && *d->pdev_path ? d->pdev_path
                                                          : NULL;
        bool rbd = path && strncmp(path, "rbd:", 4) == 0;
        const char *driver =
            d->backend == LIBXL_DISK_BACKEND_PHY ? "phy" :
            d->backend == LIBXL_DISK_BACKEND_QDISK ? "qemu" :
            d->backend == LIBXL_DISK_BACKEND_TAP ? "tap" : NULL;
        const char *format =
            d->format == LIBXL_DISK_FORMAT_QCOW ? "qcow" :
            d->format == LIBXL_DISK_FORMAT_QCOW2 ? "qcow2" :
            d->format == LIBXL_DISK_FORMAT_QED ? "qed" :
            d->format == LIBXL_DISK_FORMAT_VHD ? "vhd" : "raw";
        bool block = d->backend == LIBXL_DISK_BACKEND_PHY;

        lvo_put(o, "    <disk type='%s' device='%s'>\n",
                rbd ? "network" : block ? "block" : "file",
                d->is_cdrom ? "cdrom" : "disk");
        lvo_put(o, "      <driver");
        lvo_attr(o, "name", driver);
        lvo_attr(o, "type", format);
        lvo_put(o, "/>\n");
        if (rbd)
            rbd_source(o, path);
        else if (path) {
            lvo_put(o, "      <source");
            lvo_attr(o, block ? "dev" : "file", path);
            lvo_put(o, "/>\n");
        }
        lvo_put(o, "      <target");
        lvo_attr(o, "dev", d->vdev);
        lvo_attr(o, "bus", bus_of(d->vdev));
        lvo_put(o, "/>\n");
        if (!d->readwrite)
            lvo_put(o, "      <readonly/>\n");
        lvo_put(o, "    </disk>\n");
    }
}

static void controllers(struct lvo *o)
{
    const libxl_domain_build_info *b = &o->c->b_info;

    lvo_put(o, "    <controller type='xenbus' index='0'");
    if (b->max_grant_frames != o->def.max_grant_frames)
        lvo_put(o, " maxGrantFrames='%u'", b->max_grant_frames);
    if (b->event_channels != o->def.event_channels)
        lvo_put(o, " maxEventChannels='%u'", b->event_channels);
    lvo_put(o, "/>\n");
    for (int i = 0; i < o->c->num_usbctrls; i++) {
        const libxl_device_usbctrl *u = &o->c->usbctrls[i];
        lvo_put(o, "    <controller type='usb' index='%d'", i);
        if (u->type == LIBXL_USBCTRL_TYPE_QUSB && u->version)
            lvo_put(o, " model='qusb%d'", u->version);
        if (u->ports)
            lvo_put(o, " ports='%d'", u->ports);
        lvo_put(o, "/>\n");
    }
}

/* bridge as libxl has it: NAME, NAME.TAG or NAME:TAG:TAG (Open vSwitch). */
static void nic_bridge(struct lvo *o, const libxl_device_nic *n, bool ovs)
{
    size_t len = strcspn(n->bridge, ovs ? ".:" : "");
    char *name = strndup(n->bridge, len);
    const char *tags = n->bridge + len;

    lvo_put(o, "      <source");
    lvo_attr(o, "bridge", name ? name : n->bridge);
    lvo_put(o, "/>\n");
    free(name);
    if (!*tags)
        return;
    lvo_put(o, *tags == ':' ? "      <vlan trunk='yes'>\n" : "      <vlan>\n");
    for (const char *p = tags; *p;) {
        size_t t = strcspn(p + 1, ".:");
        char *tag = strndup(p + 1, t);
        lvo_put(o, "        <tag");
        lvo_attr(o, "id", tag);
        lvo_put(o, "/>\n");
        free(tag);
        p += 1 + t;
    }
    lvo_put(o, "      </vlan>\n");
}

static void nics(struct lvo *o)
{
    for (int i = 0; i < o->c->num_nics; i++) {
        const libxl_device_nic *n = &o->c->nics[i];
        bool ovs = n->script && strstr(n->script, "openvswitch");
        char mac[32];

        snprintf(mac, sizeof(mac), LIBXL_MAC_FMT, LIBXL_MAC_BYTES(n->mac));
        lvo_put(o, "    <interface type='%s'>\n",
                n->bridge ? "bridge" : "ethernet");
        if (memcmp(n->mac, "\0\0\0\0\0\0", 6) != 0) {
            lvo_put(o, "      <mac");
            lvo_attr(o, "address", mac);
            lvo_put(o, "/>\n");
        }
        if (n->bridge)
            nic_bridge(o, n, ovs);
        if (ovs)
            lvo_put(o, "      <virtualport type='openvswitch'/>\n");
        for (const char *p = n->ip; p && *p;) {
            size_t len = strcspn(p, " ");
            char *ip = strndup(p, len);
            lvo_put(o, "      <ip");
            lvo_attr(o, "address", ip);
            lvo_attr(o, "family", strchr(ip ? ip : "", ':') ? "ipv6"
                                                              : "ipv4");
            lvo_put(o, "/>\n");
            free(ip);
            p += len;
            p += strspn(p, " ");
        }
        if (n->rate_interval_usecs && n->rate_bytes_per_interval) {
            unsigned long long bps = n->rate_bytes_per_interval * 1000000ULL /
                                     n->rate_interval_usecs;
            lvo_put(o, "      <bandwidth>\n        <outbound average='%llu'/>"
                    "\n      </bandwidth>\n", (bps + 500) / 1000);
        }
        if (n->script) {
            lvo_put(o, "      <script");
            lvo_attr(o, "path", n->script);
            lvo_put(o, "/>\n");
        }
        if (n->ifname) {
            lvo_put(o, "      <target");
            lvo_attr(o, "dev", n->ifname);
            lvo_put(o, "/>\n");
        }
        if (n->nictype == LIBXL_NIC_TYPE_VIF && o->hvm)
            lvo_put(o, "      <model type='netfront'/>\n");
        else if (n->model) {
            lvo_put(o, "      <model");
            lvo_attr(o, "type", n->model);
            lvo_put(o, "/>\n");
        }
        lvo_put(o, "    </interface>\n");
    }
}

static void hostdevs(struct lvo *o)
{
    for (int i = 0; i < o->c->num_pcidevs; i++) {
        const libxl_device_pci *p = &o->c->pcidevs[i];
        lvo_put(o, "    <hostdev mode='subsystem' type='pci' managed='no'>\n"
                "      <source%s>\n        <address domain='0x%04x' "
                "bus='0x%02x' slot='0x%02x' function='0x%x'/>\n"
                "      </source>\n    </hostdev>\n",
                p->permissive ? " writeFiltering='no'" : "",
                (unsigned)p->domain, p->bus, p->dev, p->func);
    }
    for (int i = 0; i < o->c->num_usbdevs; i++) {
        const libxl_device_usbdev *u = &o->c->usbdevs[i];
        lvo_put(o, "    <hostdev mode='subsystem' type='usb' managed='no'>\n"
                "      <source>\n        <address bus='%u' device='%u'/>\n"
                "      </source>\n    </hostdev>\n",
                u->u.hostdev.hostbus, u->u.hostdev.hostaddr);
    }
}

static void inputs(struct lvo *o)
{
    const libxl_domain_build_info *b = &o->c->b_info;

    if (o->hvm) {
        if (b->u.hvm.usbdevice)
            lvo_put(o, "    <input type='%s' bus='usb'/>\n",
                    b->u.hvm.usbdevice);
        for (int i = 0; b->u.hvm.usbdevice_list &&
                        b->u.hvm.usbdevice_list[i]; i++) {
            lvo_put(o, "    <input");
            lvo_attr(o, "type", b->u.hvm.usbdevice_list[i]);
            lvo_put(o, " bus='usb'/>\n");
        }
    }
    lvo_put(o, "    <input type='mouse' bus='%s'/>\n"
            "    <input type='keyboard' bus='%s'/>\n",
            o->hvm ? "ps2" : "xen", o->hvm ? "ps2" : "xen");
}

static void vnc(struct lvo *o, const libxl_vnc_info *v, const char *keymap)
{
    bool autoport = libxl_defbool_is_default(v->findunused) ||
                    libxl_defbool_val(v->findunused);

    if (autoport)
        lvo_put(o, "    <graphics type='vnc' port='-1' autoport='yes'");
    else
        lvo_put(o, "    <graphics type='vnc' port='%d' autoport='no'",
                5900 + v->display);
    lvo_attr(o, "listen", v->listen);
    lvo_attr(o, "passwd", v->passwd);
    lvo_attr(o, "keymap", keymap);
    if (!v->listen) {
        lvo_put(o, "/>\n");
        return;
    }
    lvo_put(o, ">\n      <listen type='address'");
    lvo_attr(o, "address", v->listen);
    lvo_put(o, "/>\n    </graphics>\n");
}

static void sdl(struct lvo *o, const libxl_sdl_info *s)
{
    lvo_put(o, "    <graphics type='sdl'");
    lvo_attr(o, "display", s->display);
    lvo_attr(o, "xauth", s->xauthority);
    lvo_put(o, "/>\n");
}

static void spice(struct lvo *o, const libxl_spice_info *s)
{
    lvo_put(o, "    <graphics type='spice'");
    if (s->port)
        lvo_put(o, " port='%d'", s->port);
    if (s->tls_port)
        lvo_put(o, " tlsPort='%d'", s->tls_port);
    lvo_put(o, " autoport='no'");
    lvo_attr(o, "listen", s->host);
    lvo_attr(o, "passwd", s->passwd);
    lvo_put(o, ">\n");
    if (s->host) {
        lvo_put(o, "      <listen type='address'");
        lvo_attr(o, "address", s->host);
        lvo_put(o, "/>\n");
    }
    if (!libxl_defbool_is_default(s->agent_mouse))
        lvo_put(o, "      <mouse mode='%s'/>\n",
                libxl_defbool_val(s->agent_mouse) ? "client" : "server");
    if (!libxl_defbool_is_default(s->clipboard_sharing) &&
        libxl_defbool_val(s->clipboard_sharing))
        lvo_put(o, "      <clipboard copypaste='yes'/>\n");
    lvo_put(o, "    </graphics>\n");
}

static bool enabled(libxl_defbool d)
{
    return !libxl_defbool_is_default(d) && libxl_defbool_val(d);
}

static void graphics(struct lvo *o)
{
    const libxl_domain_build_info *b = &o->c->b_info;

    if (o->hvm) {
        if (enabled(b->u.hvm.spice.enable))
            spice(o, &b->u.hvm.spice);
        else if (enabled(b->u.hvm.sdl.enable))
            sdl(o, &b->u.hvm.sdl);
        else if (libxl_defbool_is_default(b->u.hvm.vnc.enable) ||
                 libxl_defbool_val(b->u.hvm.vnc.enable))
            /* libxl's default for HVM is a VNC display; libvirt reads no
             * <graphics> as none. */
            vnc(o, &b->u.hvm.vnc, b->u.hvm.keymap);
    } else if (o->c->num_vfbs > 0) {
        const libxl_device_vfb *v = &o->c->vfbs[0];
        if (enabled(v->sdl.enable))
            sdl(o, &v->sdl);
        else
            vnc(o, &v->vnc, v->keymap);
    }
}

static void video_sound(struct lvo *o)
{
    const libxl_domain_build_info *b = &o->c->b_info;
    const char *model = "cirrus";
    unsigned long long vram = 8192;

    if (!o->hvm)
        return;
    /* libvirt gives video to a domain with graphics. */
    if (!(enabled(b->u.hvm.spice.enable) || enabled(b->u.hvm.sdl.enable) ||
          enabled(b->u.hvm.vnc.enable) ||
          b->u.hvm.vga.kind != LIBXL_VGA_INTERFACE_TYPE_UNKNOWN))
        goto sound;
    switch (b->u.hvm.vga.kind) {
    case LIBXL_VGA_INTERFACE_TYPE_STD: model = "vga"; break;
    case LIBXL_VGA_INTERFACE_TYPE_QXL: model = "qxl"; break;
    case LIBXL_VGA_INTERFACE_TYPE_NONE: model = "none"; break;
    default: break;
    }
    if (b->video_memkb && b->video_memkb != o->def.video_memkb)
        vram = b->video_memkb;
    lvo_put(o, "    <video>\n      <model type='%s' vram='%llu' heads='1' "
            "primary='yes'/>\n    </video>\n", model, vram);
sound:
    for (const char *p = b->u.hvm.soundhw; p && *p;) {
        size_t len = strcspn(p, ",");
        char *m = strndup(p, len);
        lvo_put(o, "    <sound");
        lvo_attr(o, "model", m);
        lvo_put(o, "/>\n");
        free(m);
        p += len;
        p += *p == ',';
    }
}

void lvo_devices(struct lvo *o)
{
    const libxl_domain_build_info *b = &o->c->b_info;

    lvo_put(o, "  <devices>\n");
    if (b->device_model)
        lvo_elem(o, 4, "emulator", b->device_model);
    disks(o);
    controllers(o);
    nics(o);
    hostdevs(o);
    lvo_chr_devices(o);
    inputs(o);
    graphics(o);
    video_sound(o);
    lvo_put(o, "    <memballoon model='xen'/>\n  </devices>\n");
}
