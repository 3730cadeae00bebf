/*
 * libvirt_out.c - a libxl_domain_config as libvirt domain XML, laid out as
 * libvirt writes a domain it imported from xl.cfg: name, uuid, memory,
 * vCPUs, <os>, <features>, <cpu>, <clock>, lifecycle actions, <devices>
 * (libvirt_out_dev.c) and the Xen namespace's qemu arguments.
 */
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "config/libvirt_int.h"
#include "config/libvirt_out_int.h"

#define XEN_NS "http://libvirt.org/schemas/domain/xen/1.0"

void lvo_esc(struct lvo *o, const char *s)
{
    for (; s && *s; s++) {
        switch (*s) {
        case '&': fputs("&amp;", o->f); break;
        case '<': fputs("&lt;", o->f); break;
        case '>': fputs("&gt;", o->f); break;
        case '\'': fputs("&apos;", o->f); break;
        case '"': fputs("&quot;", o->f); break;
        default: fputc(*s, o->f);
        }
    }
}

void lvo_put(struct lvo *o, const char *fmt, ...)
{
    va_list ap;

    va_start(ap, fmt);
    vfprintf(o->f, fmt, ap);
    va_end(ap);
}

void lvo_attr(struct lvo *o, const char *name, const char *value)
{
    if (!value)
        return;
    fprintf(o->f, " %s='", name);
    lvo_esc(o, value);
    fputc('\'', o->f);
}

void lvo_elem(struct lvo *o, int indent, const char *name, const char *text)
{
    if (!text || !*text)
        return;
    fprintf(o->f, "%*s<%s>", indent, "", name);
    lvo_esc(o, text);
    fprintf(o->f, "</%s>\n", name);
}

void lvo_warn(struct lvo *o, const char *fmt, ...)
{
    va_list ap;

    if (!o->warn)
        return;
    if (o->warn->n == XLCFG_WARN_MAX) {
        o->warn->dropped++;
        return;
    }
    va_start(ap, fmt);
    vsnprintf(o->warn->text[o->warn->n++], XN_MSG_MAX, fmt, ap);
    va_end(ap);
}

/* A CPU bitmap as libvirt writes it: "0-3,6". */
static void cpulist(struct lvo *o, const libxl_bitmap *m)
{
    int n = (int)m->size * 8;
    bool first = true;

    for (int i = 0; i < n; i++) {
        int j = i;
        if (!libxl_bitmap_test(m, i))
            continue;
        while (j + 1 < n && libxl_bitmap_test(m, j + 1))
            j++;
        lvo_put(o, first ? "" : ",");
        lvo_put(o, j > i ? "%d-%d" : "%d", i, j);
        first = false;
        i = j;
    }
}

static bool same_map(const libxl_bitmap *a, const libxl_bitmap *b)
{
    return a->size == b->size && memcmp(a->map, b->map, a->size) == 0;
}

static void vcpus(struct lvo *o)
{
    const libxl_domain_build_info *b = &o->c->b_info;
    int max = b->max_vcpus > 0 ? b->max_vcpus : 1;
    int cur = b->avail_vcpus.size ? libxl_bitmap_count_set(&b->avail_vcpus)
                                  : max;
    bool one_map = b->num_vcpu_hard_affinity > 0;

    for (int i = 1; i < b->num_vcpu_hard_affinity; i++)
        one_map &= same_map(&b->vcpu_hard_affinity[0],
                            &b->vcpu_hard_affinity[i]);
    if (b->num_vcpu_hard_affinity > 0 && !one_map)
        lvo_warn(o, "vCPUs pinned to different CPUs each: libvirt's <vcpu "
                 "cpuset> says one set for all; the first vCPU's is written");
    lvo_put(o, "  <vcpu placement='static'");
    if (b->num_vcpu_hard_affinity > 0) {
        lvo_put(o, " cpuset='");
        cpulist(o, &b->vcpu_hard_affinity[0]);
        lvo_put(o, "'");
    }
    if (cur < max)
        lvo_put(o, " current='%d'", cur);
    lvo_put(o, ">%d</vcpu>\n", max);
}

static void os(struct lvo *o)
{
    const libxl_domain_build_info *b = &o->c->b_info;
    enum libxl_domain_type t = o->c->c_info.type;

    lvo_put(o, "  <os>\n    <type arch='x86_64' machine='%s'>%s</type>\n",
            t == LIBXL_DOMAIN_TYPE_HVM ? "xenfv" :
            t == LIBXL_DOMAIN_TYPE_PVH ? "xenpvh" : "xenpv",
            t == LIBXL_DOMAIN_TYPE_HVM ? "hvm" :
            t == LIBXL_DOMAIN_TYPE_PVH ? "xenpvh" : "linux");
    if (o->hvm) {
        if (b->u.hvm.bios == LIBXL_BIOS_TYPE_OVMF)
            lvo_put(o, "    <loader readonly='yes' type='pflash'>"
                    "/usr/lib/xen/boot/ovmf.bin</loader>\n");
        else
            lvo_put(o, "    <loader type='rom'>/usr/lib/xen/boot/hvmloader"
                    "</loader>\n");
    }
    lvo_elem(o, 4, "kernel", b->kernel);
    lvo_elem(o, 4, "initrd", b->ramdisk);
    lvo_elem(o, 4, "cmdline", b->cmdline);
    if (o->hvm) {
        /* libxl's default order; libvirt reads no <boot> as "c". */
        const char *boot = b->u.hvm.boot ? b->u.hvm.boot : "cda";
        for (const char *p = boot; *p; p++)
            lvo_put(o, "    <boot dev='%s'/>\n",
                    *p == 'a' ? "fd" : *p == 'd' ? "cdrom" :
                    *p == 'n' ? "network" : "hd");
        if (b->u.hvm.acpi_firmware) {
            lvo_put(o, "    <acpi>\n");
            lvo_put(o, "      <table type='slic'>");
            lvo_esc(o, b->u.hvm.acpi_firmware);
            lvo_put(o, "</table>\n    </acpi>\n");
        }
    }
    lvo_put(o, "  </os>\n");
}

static bool is_true(libxl_defbool d)
{
    return !libxl_defbool_is_default(d) && libxl_defbool_val(d);
}

static bool is_false(libxl_defbool d)
{
    return !libxl_defbool_is_default(d) && !libxl_defbool_val(d);
}

static void features(struct lvo *o)
{
    const libxl_domain_config *c = o->c;
    const libxl_domain_build_info *b = &c->b_info;
    bool e820 = !o->hvm && c->c_info.type == LIBXL_DOMAIN_TYPE_PV &&
                is_true(b->u.pv.e820_host);
    bool pt = c->c_info.passthrough != LIBXL_PASSTHROUGH_DEFAULT &&
              c->c_info.passthrough != LIBXL_PASSTHROUGH_DISABLED;
    bool hap_off = is_false(c->c_info.hap);
    /* Left to libxl, acpi, apic and pae are on; libvirt reads their
     * absence as off, so they are written unless off (as libvirt writes a
     * cfg that leaves them out). */
    bool acpi = o->hvm && !is_false(b->acpi) && !is_false(b->u.hvm.acpi);
    bool apic = o->hvm && !is_false(b->apic) && !is_false(b->u.hvm.apic);
    bool pae = o->hvm && !is_false(b->u.hvm.pae);
    bool viridian = o->hvm && is_true(b->u.hvm.viridian);

    if (!(acpi || apic || pae || viridian || hap_off || e820 || pt))
        return;
    lvo_put(o, "  <features>\n");
    if (acpi)
        lvo_put(o, "    <acpi/>\n");
    if (apic)
        lvo_put(o, "    <apic/>\n");
    if (pae)
        lvo_put(o, "    <pae/>\n");
    if (viridian)
        lvo_put(o, "    <viridian/>\n");
    if (hap_off)
        lvo_put(o, "    <hap state='off'/>\n");
    if (e820 || pt) {
        lvo_put(o, "    <xen>\n");
        if (e820)
            lvo_put(o, "      <e820_host state='on'/>\n");
        if (pt && c->c_info.passthrough == LIBXL_PASSTHROUGH_ENABLED)
            lvo_put(o, "      <passthrough state='on'/>\n");
        else if (pt)
            lvo_put(o, "      <passthrough state='on' mode='%s'/>\n",
                    libxl_passthrough_to_string(c->c_info.passthrough));
        lvo_put(o, "    </xen>\n");
    }
    lvo_put(o, "  </features>\n");
}

static void numa(struct lvo *o)
{
    const libxl_domain_build_info *b = &o->c->b_info;

    lvo_put(o, "    <numa>\n");
    for (int i = 0; i < b->num_vnuma_nodes; i++) {
        const libxl_vnode_info *v = &b->vnuma_nodes[i];
        lvo_put(o, "      <cell id='%d' cpus='", i);
        cpulist(o, &v->vcpus);
        lvo_put(o, "' memory='%llu' unit='KiB'%s>\n",
                (unsigned long long)v->memkb, v->num_distances ? "" : "/");
        if (!v->num_distances)
            continue;
        lvo_put(o, "        <distances>\n");
        for (int j = 0; j < v->num_distances; j++)
            lvo_put(o, "          <sibling id='%d' value='%u'/>\n", j,
                    v->distances[j]);
        lvo_put(o, "        </distances>\n      </cell>\n");
    }
    lvo_put(o, "    </numa>\n");
}

/* The cpuid policy's features, written aside (malloc'd, or NULL when
 * there are none). */
static char *cpuid_features(struct lvo *o)
{
    FILE *main = o->f;
    char *text = NULL;
    size_t len = 0;
    int n;

    if (!o->c->b_info.cpuid || !(o->f = open_memstream(&text, &len))) {
        o->f = main;
        return NULL;
    }
    n = lvo_cpuid_features(o);
    if (fclose(o->f) != 0 || n == 0) {
        free(text);
        text = NULL;
    }
    o->f = main;
    return text;
}

static void cpu(struct lvo *o)
{
    const libxl_domain_build_info *b = &o->c->b_info;
    libxl_defbool nested = b->nested_hvm;
    char *features = cpuid_features(o);
    bool passthrough, vmx_off;

    if (libxl_defbool_is_default(nested))
        nested = b->u.hvm.nested_hvm;
    /* libvirt's cpuid features need a host-passthrough CPU, which libvirt
     * reads as nestedhvm on unless vmx is disabled. */
    if (features && o->hvm && libxl_defbool_is_default(nested)) {
        lvo_warn(o, "nestedhvm, left to libxl (off), is written as off: the "
                 "host-passthrough CPU that carries the cpuid features "
                 "would otherwise turn it on");
        libxl_defbool_set(&nested, false);
    }
    passthrough = features ||
                  (o->hvm && !libxl_defbool_is_default(nested));
    vmx_off = o->hvm && passthrough && !libxl_defbool_val(nested);
    if (!passthrough && b->num_vnuma_nodes == 0)
        return;
    lvo_put(o, passthrough ? "  <cpu mode='host-passthrough'" : "  <cpu");
    if (!vmx_off && !features && !b->num_vnuma_nodes) {
        lvo_put(o, "/>\n");
        return;
    }
    lvo_put(o, ">\n");
    if (vmx_off)
        lvo_put(o, "    <feature policy='disable' name='vmx'/>\n");
    if (features)
        lvo_put(o, "%s", features);
    free(features);
    if (b->num_vnuma_nodes)
        numa(o);
    lvo_put(o, "  </cpu>\n");
}

static void clock_(struct lvo *o)
{
    const libxl_domain_build_info *b = &o->c->b_info;
    bool local = is_true(b->localtime);
    bool hpet = o->hvm && !libxl_defbool_is_default(b->u.hvm.hpet);
    bool tsc = b->tsc_mode != LIBXL_TSC_MODE_DEFAULT;

    if (o->hvm)
        lvo_put(o, "  <clock offset='variable' adjustment='%d' basis='%s'",
                (int)b->rtc_timeoffset, local ? "localtime" : "utc");
    else
        lvo_put(o, "  <clock offset='%s' adjustment='reset'",
                local ? "localtime" : "utc");
    if (!hpet && !tsc) {
        lvo_put(o, "/>\n");
        return;
    }
    lvo_put(o, ">\n");
    if (tsc)
        lvo_put(o, "    <timer name='tsc' present='yes' mode='%s'/>\n",
                b->tsc_mode == LIBXL_TSC_MODE_NATIVE ? "native" :
                b->tsc_mode == LIBXL_TSC_MODE_NATIVE_PARAVIRT ? "paravirt" :
                "emulate");
    if (hpet)
        lvo_put(o, "    <timer name='hpet' present='%s'/>\n",
                libxl_defbool_val(b->u.hvm.hpet) ? "yes" : "no");
    lvo_put(o, "  </clock>\n");
}

static const char *action(libxl_action_on_shutdown a, const char *dflt)
{
    switch (a) {
    case LIBXL_ACTION_ON_SHUTDOWN_DESTROY: return "destroy";
    case LIBXL_ACTION_ON_SHUTDOWN_RESTART: return "restart";
    case LIBXL_ACTION_ON_SHUTDOWN_RESTART_RENAME: return "rename-restart";
    case LIBXL_ACTION_ON_SHUTDOWN_PRESERVE: return "preserve";
    case LIBXL_ACTION_ON_SHUTDOWN_COREDUMP_DESTROY: return "coredump-destroy";
    case LIBXL_ACTION_ON_SHUTDOWN_COREDUMP_RESTART: return "coredump-restart";
    default: return dflt;
    }
}

static void namespace_args(struct lvo *o)
{
    const libxl_string_list args = o->c->b_info.extra;

    if (!args || !args[0])
        return;
    lvo_put(o, "  <xen:commandline>\n");
    for (int i = 0; args[i]; i++) {
        lvo_put(o, "    <xen:arg");
        lvo_attr(o, "value", args[i]);
        lvo_put(o, "/>\n");
    }
    lvo_put(o, "  </xen:commandline>\n");
}

char *libvirt_xml_format(const libxl_domain_config *c,
                         struct xlcfg_warnings *warn)
{
    struct lvo o = {.c = c, .warn = warn,
                    .hvm = c->c_info.type == LIBXL_DOMAIN_TYPE_HVM};
    const libxl_domain_build_info *b = &c->b_info;
    char *buf = NULL;
    size_t len = 0;

    if (!(o.f = open_memstream(&buf, &len)))
        return NULL;
    libxl_domain_build_info_init(&o.def);
    lvo_put(&o, "<domain type='xen'%s>\n",
            b->extra && b->extra[0] ? " xmlns:xen='" XEN_NS "'" : "");
    lvo_elem(&o, 2, "name", c->c_info.name);
    if (!libxl_uuid_is_nil(&c->c_info.uuid))
        lvo_put(&o, "  <uuid>" LIBXL_UUID_FMT "</uuid>\n",
                LIBXL_UUID_BYTES(c->c_info.uuid));
    lvo_put(&o, "  <memory unit='KiB'>%llu</memory>\n"
            "  <currentMemory unit='KiB'>%llu</currentMemory>\n",
            (unsigned long long)b->max_memkb,
            (unsigned long long)(b->target_memkb ? b->target_memkb
                                                 : b->max_memkb));
    vcpus(&o);
    if (!o.hvm) {
        lvo_elem(&o, 2, "bootloader", b->bootloader);
        if (b->bootloader_args && b->bootloader_args[0]) {
            lvo_put(&o, "  <bootloader_args>");
            for (int i = 0; b->bootloader_args[i]; i++) {
                lvo_put(&o, i ? " " : "");
                lvo_esc(&o, b->bootloader_args[i]);
            }
            lvo_put(&o, "</bootloader_args>\n");
        }
    }
    os(&o);
    features(&o);
    cpu(&o);
    clock_(&o);
    lvo_put(&o, "  <on_poweroff>%s</on_poweroff>\n"
            "  <on_reboot>%s</on_reboot>\n  <on_crash>%s</on_crash>\n",
            action(c->on_poweroff, "destroy"),
            action(c->on_reboot, "restart"), action(c->on_crash, "destroy"));
    lvo_devices(&o);
    namespace_args(&o);
    lvo_put(&o, "</domain>\n");
    libxl_domain_build_info_dispose(&o.def);
    if (fclose(o.f) != 0) {
        free(buf);
        return NULL;
    }
    return buf;
}
