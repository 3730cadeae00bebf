/*
 * libvirt_dom.c - the domain-wide parts of libvirt domain XML: name, uuid,
 * memory, vCPUs, <os>, <features>, <clock>, lifecycle actions and the Xen
 * namespace's qemu arguments, mapped to the xl.cfg settings libvirt's Xen
 * driver writes for them.  <cpu> is in libvirt_cpu.c, <devices> in
 * libvirt_dev.c.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "config/libvirt_int.h"

#define XEN_NS "http://libvirt.org/schemas/domain/xen/1.0"

/* A simple text element -> a string setting. */
static int text_setting(struct lv *l, xmlNodePtr parent, const char *elem,
                        const char *key)
{
    xmlNodePtr n = lv_child(parent, elem);
    char *v;
    int rc = 0;

    if (!n)
        return 0;
    v = lv_text(n);
    if (v)
        rc = lv_set_str(l, key, n, v);
    free(v);
    return rc;
}

/* <memory> and <currentMemory> -> maxmem and memory, in MiB rounded up. */
static int read_memory(struct lv *l, xmlNodePtr dom)
{
    xmlNodePtr mem = lv_child(dom, "memory");
    xmlNodePtr cur = lv_child(dom, "currentMemory");
    unsigned long long max_kib = 0, cur_kib = 0;
    int rc = 0;

    for (int i = 0; i < 2 && rc == 0; i++) {
        xmlNodePtr n = i ? cur : mem;
        char *t, *unit;
        if (!n)
            continue;
        t = lv_text(n);
        unit = lv_attr(n, "unit");
        rc = lv_size_kib(l, n, t, unit, i ? &cur_kib : &max_kib);
        free(t);
        xmlFree(unit);
    }
    if (rc < 0)
        return rc;
    if (!mem)
        return lv_fail(l, dom, "<memory> is missing; libvirt requires the "
                       "domain's memory size");
    if (!cur)
        cur_kib = max_kib;
    if ((rc = lv_set_num(l, "maxmem", mem, (long)((max_kib + 1023) / 1024))))
        return rc;
    return lv_set_num(l, "memory", cur ? cur : mem,
                      (long)((cur_kib + 1023) / 1024));
}

/* <vcpu current='N' cpuset='LIST'>MAX</vcpu> -> vcpus, maxvcpus, cpus. */
static int read_vcpu(struct lv *l, xmlNodePtr dom)
{
    xmlNodePtr n = lv_child(dom, "vcpu");
    char *t, *cur, *set, *placement;
    long max = 1, now;
    int rc;

    l->max_vcpus = 1;
    if (!n)
        return lv_set_num(l, "vcpus", dom, 1);
    t = lv_text(n);
    cur = lv_attr(n, "current");
    set = lv_attr(n, "cpuset");
    placement = lv_attr(n, "placement");
    rc = lv_long(l, n, "the vCPU count", t, 1, 4096, &max);
    now = max;
    if (rc == 0 && cur)
        rc = lv_long(l, n, "current", cur, 1, max, &now);
    if (rc == 0 && placement && strcmp(placement, "static") != 0)
        lv_warn(l, n, "placement \"%s\" is ignored: Xen places vCPUs itself "
                "unless cpuset is given", placement);
    if (rc == 0 && now < max)
        rc = lv_set_num(l, "maxvcpus", n, max);
    if (rc == 0)
        rc = lv_set_num(l, "vcpus", n, now);
    if (rc == 0 && set && *set)
        rc = lv_set_str(l, "cpus", n, set);
    l->max_vcpus = max;
    free(t);
    xmlFree(cur);
    xmlFree(set);
    xmlFree(placement);
    return rc;
}

static int read_boot_order(struct lv *l, xmlNodePtr os)
{
    char order[16];
    size_t n = 0;
    xmlNodePtr b, first = lv_child(os, "boot");

    for (b = first; b; b = lv_next(b, "boot")) {
        char *dev = lv_attr(b, "dev");
        char c = 0;
        lv_take(b);
        if (!l->hvm) {
            lv_warn(l, b, "a boot order applies to HVM domains only; it is "
                    "ignored");
            xmlFree(dev);
            continue;
        }
        if (dev && strcmp(dev, "fd") == 0)
            c = 'a';
        else if (dev && strcmp(dev, "cdrom") == 0)
            c = 'd';
        else if (dev && strcmp(dev, "network") == 0)
            c = 'n';
        else if (dev && strcmp(dev, "hd") == 0)
            c = 'c';
        else {
            int rc = lv_fail(l, b, "dev \"%s\" is not fd, hd, cdrom or "
                             "network", dev ? dev : "");
            xmlFree(dev);
            return rc;
        }
        xmlFree(dev);
        if (n < sizeof(order) - 1)
            order[n++] = c;
    }
    if (!l->hvm)
        return 0;
    if (n == 0)
        order[n++] = 'c';
    order[n] = '\0';
    return lv_set_str(l, "boot", first ? first : os, order);
}

/* <os><type>: hvm, xen/linux (PV; machine xenpvh: PVH) or xenpvh. */
static int read_os_type(struct lv *l, xmlNodePtr dom, xmlNodePtr os)
{
    xmlNodePtr t = lv_child(os, "type");
    char *type = lv_text(t), *machine = lv_attr(t, "machine");
    int rc = 0;

    if (!type)
        rc = lv_fail(l, os ? os : dom, "<os><type> is missing; it says "
                     "whether the domain is hvm, xen (PV) or xenpvh");
    else if (strcmp(type, "hvm") == 0)
        l->hvm = true;
    else if (strcmp(type, "xenpvh") == 0 ||
             ((strcmp(type, "xen") == 0 || strcmp(type, "linux") == 0) &&
              machine && strcmp(machine, "xenpvh") == 0))
        l->pvh = true;
    else if (strcmp(type, "xen") != 0 && strcmp(type, "linux") != 0)
        rc = lv_fail(l, t, "\"%s\" is not hvm, xen, linux or xenpvh", type);
    if (rc == 0)
        rc = lv_set_str(l, "type", t, l->hvm ? "hvm" : l->pvh ? "pvh"
                                                            : "pv");
    free(type);
    xmlFree(machine);
    return rc;
}

static int read_os(struct lv *l, xmlNodePtr dom)
{
    xmlNodePtr os = lv_child(dom, "os"), n;
    int rc;

    lv_take(os);
    if ((rc = read_os_type(l, dom, os)))
        return rc;
    if ((n = lv_child(os, "loader"))) {
        char *path = lv_text(n), *type = lv_attr(n, "type");
        bool ovmf = (type && strcmp(type, "pflash") == 0) ||
                    (path && strstr(path, "ovmf"));
        if (!l->hvm)
            lv_warn(l, n, "a firmware applies to HVM domains only; it is "
                    "ignored");
        else if (ovmf)
            rc = lv_set_str(l, "bios", n, "ovmf");
        else if (path && !strstr(path, "hvmloader"))
            lv_warn(l, n, "\"%s\" is ignored: Xen boots HVM domains with its "
                    "hvmloader (or OVMF, with type='pflash')", path);
        free(path);
        xmlFree(type);
        if (rc)
            return rc;
    }
    if ((rc = text_setting(l, os, "kernel", "kernel")) ||
        (rc = text_setting(l, os, "initrd", "ramdisk")) ||
        (rc = text_setting(l, os, "cmdline", "cmdline")) ||
        (rc = read_boot_order(l, os)))
        return rc;
    if ((n = lv_child(os, "acpi"))) {
        lv_take(n);
        for (xmlNodePtr t = lv_child(n, "table"); t; t = lv_next(t, "table")) {
            char *v = lv_text(t);
            if (!lv_attr_is(t, "type", "slic"))
                rc = lv_fail(l, t, "only ACPI tables of type slic are "
                             "supported");
            else if (!l->hvm)
                lv_warn(l, t, "ACPI tables apply to HVM domains only; it is "
                        "ignored");
            else if (v)
                rc = lv_set_str(l, "acpi_firmware", t, v);
            free(v);
            if (rc)
                return rc;
        }
    }
    return 0;
}

/* Is a feature element on?  Present without state=off. */
static bool on(xmlNodePtr f)
{
    return f && !lv_attr_is(f, "state", "off");
}

static int read_xen_features(struct lv *l, xmlNodePtr xen)
{
    xmlNodePtr n;
    int rc = 0;

    lv_take(xen);
    if ((n = lv_child(xen, "e820_host"))) {
        lv_take(n);
        if (l->hvm)
            lv_warn(l, n, "e820_host applies to PV domains only; it is "
                    "ignored");
        else if (lv_attr_is(n, "state", "on"))
            rc = lv_set_num(l, "e820_host", n, 1);
    }
    if (rc == 0 && (n = lv_child(xen, "passthrough"))) {
        char *mode = lv_attr(n, "mode");
        lv_take(n);
        if (lv_attr_is(n, "state", "on"))
            rc = lv_set_str(l, "passthrough", n, mode ? mode : "enabled");
        xmlFree(mode);
    }
    return rc;
}

static int read_features(struct lv *l, xmlNodePtr dom)
{
    xmlNodePtr f = lv_child(dom, "features"), n;
    static const char *const hvm_only[] = {"pae", "acpi", "apic", "viridian"};
    int rc = 0;

    lv_take(f);
    for (size_t i = 0; i < 4; i++) {
        n = lv_child(f, hvm_only[i]);
        lv_take(n);
        if (l->hvm)
            rc = lv_set_num(l, hvm_only[i], n ? n : f ? f : dom, on(n));
        else if (n)
            lv_warn(l, n, "<%s> applies to HVM domains only; it is ignored",
                    hvm_only[i]);
        if (rc)
            return rc;
    }
    if ((n = lv_child(f, "hap"))) {
        lv_take(n);
        if (!on(n))
            rc = lv_set_num(l, "hap", n, 0);
    }
    if (rc == 0 && (n = lv_child(f, "xen")))
        rc = read_xen_features(l, n);
    return rc;
}

static int read_timer(struct lv *l, xmlNodePtr t)
{
    char *name = lv_attr(t, "name"), *mode = lv_attr(t, "mode");
    int rc = 0;

    lv_take(t);
    if (name && strcmp(name, "tsc") == 0) {
        const char *xl = "default";
        if (mode && strcmp(mode, "native") == 0)
            xl = "native";
        else if (mode && strcmp(mode, "paravirt") == 0)
            xl = "native_paravirt";
        else if (mode && strcmp(mode, "emulate") == 0)
            xl = "always_emulate";
        rc = lv_set_str(l, "tsc_mode", t, xl);
    } else if (name && strcmp(name, "hpet") == 0 && l->hvm) {
        rc = lv_set_num(l, "hpet", t, !lv_attr_is(t, "present", "no"));
    } else {
        lv_warn(l, t, "timer \"%s\" is ignored: Xen's domains take the tsc "
                "timer, and HVM domains the hpet", name ? name : "");
    }
    xmlFree(name);
    xmlFree(mode);
    return rc;
}

static int read_clock(struct lv *l, xmlNodePtr dom)
{
    xmlNodePtr c = lv_child(dom, "clock"), anchor = c ? c : dom;
    char *offset = lv_attr(c, "offset"), *adj = lv_attr(c, "adjustment");
    char *basis = lv_attr(c, "basis");
    long shift = 0;
    int local = 0, rc = 0;

    lv_take(c);
    if (!offset || strcmp(offset, "utc") == 0)
        local = 0;
    else if (strcmp(offset, "localtime") == 0)
        local = 1;
    else if (strcmp(offset, "variable") == 0 && l->hvm) {
        local = basis && strcmp(basis, "localtime") == 0;
        if (adj)
            rc = lv_long(l, c, "adjustment", adj, -2147483647L, 2147483647L,
                         &shift);
    } else
        rc = lv_fail(l, c, "offset \"%s\" is not supported for a %s domain",
                     offset, l->hvm ? "HVM" : "PV");
    if (rc == 0 && l->hvm)
        rc = lv_set_num(l, "rtc_timeoffset", anchor, shift);
    if (rc == 0)
        rc = lv_set_num(l, "localtime", anchor, local);
    for (xmlNodePtr t = lv_child(c, "timer"); rc == 0 && t;
         t = lv_next(t, "timer"))
        rc = read_timer(l, t);
    xmlFree(offset);
    xmlFree(adj);
    xmlFree(basis);
    return rc;
}

static int read_actions(struct lv *l, xmlNodePtr dom)
{
    static const char *const names[][2] = {
        {"on_poweroff", "destroy"}, {"on_reboot", "restart"},
        {"on_crash", "destroy"},
    };
    static const char *const valid[] = {
        "destroy", "restart", "preserve", "rename-restart",
        "coredump-destroy", "coredump-restart",
    };
    int rc = 0;

    for (size_t i = 0; i < 3 && rc == 0; i++) {
        xmlNodePtr n = lv_child(dom, names[i][0]);
        char *v = lv_text(n);
        bool ok = !v;
        for (size_t j = 0; v && j < sizeof(valid) / sizeof(valid[0]); j++)
            ok |= strcmp(v, valid[j]) == 0;
        if (!ok)
            rc = lv_fail(l, n, "\"%s\" is not destroy, restart, preserve, "
                         "rename-restart, coredump-destroy or "
                         "coredump-restart", v);
        else
            rc = lv_set_str(l, names[i][0], n ? n : dom,
                            v ? v : names[i][1]);
        free(v);
    }
    return rc;
}

/* <xen:commandline><xen:arg value='...'/> -> device_model_args. */
static int read_namespace(struct lv *l, xmlNodePtr dom)
{
    int rc = 0;

    for (xmlNodePtr c = lv_child(dom, "commandline"); c;
         c = lv_next(c, "commandline")) {
        if (!c->ns || strcmp((const char *)c->ns->href, XEN_NS) != 0)
            continue;
        lv_take(c);
        for (xmlNodePtr a = lv_child(c, "arg"); rc == 0 && a;
             a = lv_next(a, "arg")) {
            char *v = lv_attr(a, "value");
            lv_take(a);
            if (v)
                rc = lv_add_str(l, "device_model_args", a, v);
            xmlFree(v);
        }
    }
    return rc;
}

int lv_read_domain(struct lv *l, xmlNodePtr dom)
{
    static const char *const notes[] = {"title", "description", "metadata"};
    xmlNodePtr n;
    int rc;

    lv_take(dom);
    /* Annotations: they describe the domain and create nothing. */
    for (size_t i = 0; i < 3; i++)
        for (n = lv_child(dom, notes[i]); n; n = lv_next(n, notes[i]))
            lv_take_all(n);
    if ((rc = read_os(l, dom)) ||
        (rc = text_setting(l, dom, "name", "name")) ||
        (rc = text_setting(l, dom, "uuid", "uuid")) ||
        (rc = read_memory(l, dom)) ||
        (rc = read_vcpu(l, dom)) ||
        (rc = text_setting(l, dom, "bootloader", "bootloader")) ||
        (rc = text_setting(l, dom, "bootloader_args", "bootargs")) ||
        (rc = read_features(l, dom)) ||
        (rc = read_clock(l, dom)) ||
        (rc = read_actions(l, dom)))
        return rc;
    if ((n = lv_child(dom, "cpu")) && (rc = lv_read_cpu(l, n)))
        return rc;
    if ((n = lv_child(dom, "devices")) && (rc = lv_read_devices(l, n)))
        return rc;
    return read_namespace(l, dom);
}
