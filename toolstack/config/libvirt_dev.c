/*
 * libvirt_dev.c - <devices>: disks, controllers (xenbus limits, USB
 * controllers), input devices, host devices (PCI and USB), sound, video and
 * the emulator, mapped as libvirt's Xen driver maps them.  Interfaces are
 * in libvirt_net.c, graphics in libvirt_gfx.c, character devices in
 * libvirt_chr.c.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "config/libvirt_int.h"

#define OOM(l) xn_msg_set((l)->msg, XN_ENOMEM, "%s: out of memory", (l)->file)

/* "rbd:POOL/IMAGE:auth_supported=none:mon_host=H\:P\;H2..." */
static int rbd_target(struct lv *l, xmlNodePtr src, const char *name,
                      FILE *f)
{
    bool first = true;

    if (strchr(name, ':'))
        return lv_fail(l, src, "\":\" is not allowed in an RBD volume name "
                       "(\"%s\")", name);
    fprintf(f, ",target=rbd:%s:auth_supported=none", name);
    for (xmlNodePtr h = lv_child(src, "host"); h; h = lv_next(h, "host")) {
        char *host = lv_attr(h, "name"), *port = lv_attr(h, "port");
        lv_take(h);
        fputs(first ? ":mon_host=" : "\\;", f);
        first = false;
        if (host && strchr(host, ':')) {
            fputc('[', f);
            for (const char *p = host; *p; p++)
                fprintf(f, *p == ':' ? "\\%c" : "%c", *p);
            fputc(']', f);
        } else if (host) {
            fputs(host, f);
        }
        if (port)
            fprintf(f, "\\:%s", port);
        xmlFree(host);
        xmlFree(port);
    }
    return 0;
}

static const char *disk_format(const char *type)
{
    static const char *const ok[][2] = {
        {"raw", "raw"}, {"qcow", "qcow"}, {"qcow2", "qcow2"},
        {"qed", "qed"}, {"vhd", "vhd"}, {"aio", "raw"},
    };
    if (!type)
        return "raw";
    for (size_t i = 0; i < sizeof(ok) / sizeof(ok[0]); i++)
        if (strcmp(type, ok[i][0]) == 0)
            return ok[i][1];
    return NULL;
}

static int source_of(struct lv *l, xmlNodePtr disk, xmlNodePtr src,
                     const char *type, FILE *f)
{
    char *path = NULL;
    int rc = 0;

    lv_take(src);
    if (!src)
        return 0;       /* an empty drive (a CD-ROM without a medium) */
    if (type && strcmp(type, "network") == 0) {
        char *proto = lv_attr(src, "protocol"), *name = lv_attr(src, "name");
        if (!proto || strcmp(proto, "rbd") != 0)
            rc = lv_fail(l, src, "network disks of protocol \"%s\" are not "
                         "supported by Xen (only rbd)", proto ? proto : "");
        else if (!name)
            rc = lv_fail(l, src, "the RBD source has no name");
        else
            rc = rbd_target(l, src, name, f);
        xmlFree(proto);
        xmlFree(name);
        return rc;
    }
    if (!(path = lv_attr(src, "file")) && !(path = lv_attr(src, "dev")) &&
        !(path = lv_attr(src, "dir")))
        return 0;
    if (type && strcmp(type, "file") != 0 && strcmp(type, "block") != 0 &&
        strcmp(type, "dir") != 0)
        rc = lv_fail(l, disk, "disks of type \"%s\" are not supported by "
                     "Xen (file, block, network)", type);
    else
        fprintf(f, ",target=%s", path);
    xmlFree(path);
    return rc;
}

static int read_disk(struct lv *l, xmlNodePtr d)
{
    char *type = lv_attr(d, "type"), *device = lv_attr(d, "device");
    xmlNodePtr drv = lv_child(d, "driver"), tgt = lv_child(d, "target");
    char *dname = lv_attr(drv, "name"), *dtype = lv_attr(drv, "type");
    char *dev = lv_attr(tgt, "dev"), *item = NULL;
    const char *format = disk_format(dtype);
    size_t len = 0;
    FILE *f = NULL;
    int rc = 0;

    lv_take(d);
    lv_take(drv);
    lv_take(tgt);
    lv_take_all(lv_child(d, "address"));
    lv_take_all(lv_child(d, "alias"));
    if (device && strcmp(device, "floppy") == 0) {
        lv_warn(l, d, "floppy disks are not supported by Xen's libxl; it is "
                "ignored");
        lv_take_all(d);
        goto out;
    }
    if (!dev) {
        rc = lv_fail(l, d, "<target dev=...> is missing");
        goto out;
    }
    if (!format) {
        rc = lv_fail(l, drv, "format \"%s\" is not raw, qcow, qcow2, qed or "
                     "vhd", dtype);
        goto out;
    }
    if (lv_child(d, "transient")) {
        rc = lv_fail(l, lv_child(d, "transient"), "transient disks are not "
                     "supported by Xen");
        goto out;
    }
    if (!(f = open_memstream(&item, &len))) {
        rc = OOM(l);
        goto out;
    }
    fprintf(f, "format=%s,vdev=%s,access=%s", format, dev,
            lv_child(d, "readonly") ? "ro" : "rw");
    if (lv_child(d, "shareable") && !lv_child(d, "readonly"))
        lv_warn(l, lv_child(d, "shareable"), "xl has no shared access mode "
                "(libvirt writes access=!, which xl refuses); the disk is "
                "attached read-write");
    lv_take(lv_child(d, "readonly"));
    lv_take(lv_child(d, "shareable"));
    if (dname) {
        if (strcmp(dname, "qemu") == 0 || strcmp(dname, "file") == 0)
            fputs(",backendtype=qdisk", f);
        else if (strcmp(dname, "tap") == 0 || strcmp(dname, "tap2") == 0)
            fputs(",backendtype=tap", f);
        else if (strcmp(dname, "phy") == 0)
            fputs(",backendtype=phy", f);
        else
            lv_warn(l, drv, "driver \"%s\" is not qemu, file, tap or phy; "
                    "libxl picks the backend", dname);
    }
    if (device && strcmp(device, "cdrom") == 0)
        fputs(",devtype=cdrom", f);
    /* target= takes the rest of the specification: it comes last. */
    rc = source_of(l, d, lv_child(d, "source"), type, f);
    if (fclose(f) != 0 && rc == 0)
        rc = OOM(l);
    if (rc == 0)
        rc = lv_add_str(l, "disk", d, item);
out:
    free(item);
    xmlFree(type);
    xmlFree(device);
    xmlFree(dname);
    xmlFree(dtype);
    xmlFree(dev);
    return rc;
}

/* <controller>: xenbus limits, USB controllers; the rest is implied. */
static int read_controller(struct lv *l, xmlNodePtr c)
{
    char *type = lv_attr(c, "type"), *model = lv_attr(c, "model");
    char *ports = lv_attr(c, "ports");
    int rc = 0;

    lv_take(c);
    lv_take_all(lv_child(c, "address"));
    lv_take_all(lv_child(c, "alias"));
    if (type && strcmp(type, "xenbus") == 0) {
        static const char *const lim[][2] = {
            {"maxGrantFrames", "max_grant_frames"},
            {"maxEventChannels", "max_event_channels"},
        };
        for (size_t i = 0; i < 2 && rc == 0; i++) {
            char *v = lv_attr(c, lim[i][0]);
            long n;
            if (v && (rc = lv_long(l, c, lim[i][0], v, 1, 2147483647L,
                                   &n)) == 0)
                rc = lv_set_num(l, lim[i][1], c, n);
            xmlFree(v);
        }
    } else if (type && strcmp(type, "usb") == 0) {
        char item[64];
        long p = 0;
        int ver = model && strcmp(model, "qusb1") == 0 ? 1 :
                  model && strcmp(model, "qusb2") == 0 ? 2 : 0;
        if (model && strcmp(model, "none") == 0)
            goto out;
        if (!ver) {
            lv_warn(l, c, "USB controller model \"%s\" is not qusb1 or qusb2 "
                    "(the models Xen provides); it is ignored",
                    model ? model : "");
            goto out;
        }
        if (ports && (rc = lv_long(l, c, "ports", ports, 1, 31, &p)))
            goto out;
        if (ports)
            snprintf(item, sizeof(item), "type=qusb,version=%d,ports=%ld",
                     ver, p);
        else
            snprintf(item, sizeof(item), "type=qusb,version=%d", ver);
        rc = lv_add_str(l, "usbctrl", c, item);
    } else if (!type || (strcmp(type, "ide") != 0 &&
                         strcmp(type, "pci") != 0 &&
                         strcmp(type, "scsi") != 0 &&
                         strcmp(type, "sata") != 0)) {
        lv_warn(l, c, "controller type \"%s\" is not mapped for Xen; it is "
                "ignored", type ? type : "");
    }
out:
    xmlFree(type);
    xmlFree(model);
    xmlFree(ports);
    return rc;
}

/* <hostdev mode='subsystem' type='pci'|'usb'>. */
static int read_hostdev(struct lv *l, xmlNodePtr h)
{
    char *type = lv_attr(h, "type"), *mode = lv_attr(h, "mode");
    xmlNodePtr src = lv_child(h, "source"), a = lv_child(src, "address");
    int rc = 0;

    lv_take(h);
    lv_take(src);
    lv_take(a);
    lv_take_all(lv_child(h, "alias"));
    lv_take_all(lv_child(h, "address"));
    if (mode && strcmp(mode, "subsystem") != 0) {
        lv_warn(l, h, "host devices of mode \"%s\" are not supported by Xen; "
                "it is ignored", mode);
        lv_take_all(h);
    } else if (type && strcmp(type, "pci") == 0) {
        char *v[4] = {lv_attr(a, "domain"), lv_attr(a, "bus"),
                      lv_attr(a, "slot"), lv_attr(a, "function")};
        static const long max[4] = {0xffff, 0xff, 0x1f, 7};
        unsigned long n[4];
        char item[64], *wf = lv_attr(src, "writeFiltering");
        for (int i = 0; i < 4 && rc == 0; i++) {
            char *end;
            n[i] = v[i] ? strtoul(v[i], &end, 0) : 0;
            if (!v[i] || *end || n[i] > (unsigned long)max[i])
                rc = lv_fail(l, a ? a : h, "the PCI address (domain, bus, "
                             "slot, function) is missing or out of range");
        }
        snprintf(item, sizeof(item), "%04lx:%02lx:%02lx.%lx%s", n[0], n[1],
                 n[2], n[3], wf && strcmp(wf, "yes") == 0 ? ",permissive=0" :
                 wf && strcmp(wf, "no") == 0 ? ",permissive=1" : "");
        if (rc == 0)
            rc = lv_add_str(l, "pci", h, item);
        for (int i = 0; i < 4; i++)
            xmlFree(v[i]);
        xmlFree(wf);
    } else if (type && strcmp(type, "usb") == 0) {
        char *bus = lv_attr(a, "bus"), *dev = lv_attr(a, "device");
        long b = 0, d = 0;
        char item[64];
        if (!a || !bus || !dev)
            rc = lv_fail(l, src ? src : h, "a USB host device is given by "
                         "<address bus=... device=...> under Xen (not by "
                         "vendor and product)");
        if (rc == 0 && (rc = lv_long(l, a, "bus", bus, 0, 255, &b)) == 0)
            rc = lv_long(l, a, "device", dev, 0, 255, &d);
        snprintf(item, sizeof(item), "hostbus=%ld,hostaddr=%ld", b, d);
        if (rc == 0)
            rc = lv_add_str(l, "usbdev", h, item);
        lv_take_all(src);
        xmlFree(bus);
        xmlFree(dev);
    } else {
        lv_warn(l, h, "host devices of type \"%s\" are not supported by Xen; "
                "it is ignored", type ? type : "");
        lv_take_all(h);
    }
    xmlFree(type);
    xmlFree(mode);
    return rc;
}

/* <input>: USB ones are usbdevice; ps2 and xen ones are implied. */
static int read_inputs(struct lv *l, xmlNodePtr devs)
{
    xmlNodePtr usb[8], first = NULL;
    const char *names[8];
    int n = 0, rc = 0;

    for (xmlNodePtr i = lv_child(devs, "input"); i; i = lv_next(i, "input")) {
        char *type = lv_attr(i, "type"), *bus = lv_attr(i, "bus");
        const char *name = !type ? NULL :
                           strcmp(type, "mouse") == 0 ? "mouse" :
                           strcmp(type, "tablet") == 0 ? "tablet" :
                           strcmp(type, "keyboard") == 0 ? "keyboard" : NULL;
        lv_take(i);
        lv_take_all(lv_child(i, "address"));
        lv_take_all(lv_child(i, "alias"));
        if (bus && strcmp(bus, "usb") == 0 && l->hvm && name) {
            if (n < 8) {
                usb[n] = i;
                names[n++] = name;
            }
            if (!first)
                first = i;
        } else if (bus && strcmp(bus, "usb") == 0) {
            lv_warn(l, i, "USB input devices apply to HVM domains only; it "
                    "is ignored");
        } else if (bus && strcmp(bus, "ps2") != 0 && strcmp(bus, "xen") != 0) {
            lv_warn(l, i, "input bus \"%s\" is not mapped for Xen; it is "
                    "ignored", bus);
        }
        xmlFree(type);
        xmlFree(bus);
    }
    if (n == 0)
        return 0;
    rc = lv_set_num(l, "usb", first, 1);
    if (rc == 0 && n == 1)
        rc = lv_set_str(l, "usbdevice", usb[0], names[0]);
    for (int i = 0; rc == 0 && n > 1 && i < n; i++)
        rc = lv_add_str(l, "usbdevice", usb[i], names[i]);
    return rc;
}

static int read_sound(struct lv *l, xmlNodePtr devs)
{
    char models[256] = "";
    xmlNodePtr first = NULL;

    for (xmlNodePtr s = lv_child(devs, "sound"); s; s = lv_next(s, "sound")) {
        char *m = lv_attr(s, "model");
        lv_take(s);
        lv_take_all(lv_child(s, "address"));
        if (!l->hvm)
            lv_warn(l, s, "sound devices apply to HVM domains only; it is "
                    "ignored");
        else if (m && strlen(models) + strlen(m) + 2 < sizeof(models)) {
            if (*models)
                strcat(models, ",");
            strcat(models, m);
            if (!first)
                first = s;
        }
        xmlFree(m);
    }
    return first ? lv_set_str(l, "soundhw", first, models) : 0;
}

/* <video>: cirrus with 8 MiB is what an HVM domain has anyway. */
static int read_video(struct lv *l, xmlNodePtr devs)
{
    xmlNodePtr v = lv_child(devs, "video"), m = lv_child(v, "model");
    char *type = lv_attr(m, "type"), *vram = lv_attr(m, "vram");
    int rc = 0;

    lv_take(v);
    lv_take(m);
    lv_take_all(lv_child(v, "address"));
    lv_take_all(lv_child(v, "alias"));
    if (!v || !l->hvm || !type)
        goto out;
    if (strcmp(type, "vga") == 0)
        rc = lv_set_str(l, "vga", m, "stdvga");
    else if (strcmp(type, "qxl") == 0 || strcmp(type, "none") == 0)
        rc = lv_set_str(l, "vga", m, type);
    else if (strcmp(type, "cirrus") != 0 && strcmp(type, "xen") != 0)
        lv_warn(l, m, "video model \"%s\" is not cirrus, vga, qxl or none; "
                "it is ignored", type);
    if (rc == 0 && vram && strcmp(vram, "8192") != 0) {
        long kib;
        if ((rc = lv_long(l, m, "vram", vram, 1024, 1L << 30, &kib)) == 0)
            rc = lv_set_num(l, "videoram", m, kib / 1024);
    }
out:
    xmlFree(type);
    xmlFree(vram);
    return rc;
}

int lv_read_devices(struct lv *l, xmlNodePtr devs)
{
    xmlNodePtr n;
    int rc = 0;

    lv_take(devs);
    if ((n = lv_child(devs, "emulator"))) {
        char *v = lv_text(n);
        if (v)
            rc = lv_set_str(l, "device_model_override", n, v);
        free(v);
    }
    for (n = lv_child(devs, "disk"); rc == 0 && n; n = lv_next(n, "disk"))
        rc = read_disk(l, n);
    for (n = lv_child(devs, "controller"); rc == 0 && n;
         n = lv_next(n, "controller"))
        rc = read_controller(l, n);
    for (n = lv_child(devs, "interface"); rc == 0 && n;
         n = lv_next(n, "interface"))
        rc = lv_read_net(l, n);
    for (n = lv_child(devs, "hostdev"); rc == 0 && n; n = lv_next(n, "hostdev"))
        rc = read_hostdev(l, n);
    if (rc == 0)
        rc = lv_read_graphics(l, devs);
    if (rc == 0)
        rc = read_inputs(l, devs);
    if (rc == 0)
        rc = lv_read_chr(l, devs);
    if (rc == 0)
        rc = read_sound(l, devs);
    if (rc == 0)
        rc = read_video(l, devs);
    for (n = lv_child(devs, "memballoon"); n; n = lv_next(n, "memballoon")) {
        lv_take_all(n);
        if (!lv_attr_is(n, "model", "xen") && !lv_attr_is(n, "model", "none"))
            lv_warn(l, n, "Xen's balloon is its own (model xen); this model "
                    "is ignored");
    }
    return rc;
}
