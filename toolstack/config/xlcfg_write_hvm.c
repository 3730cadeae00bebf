/*
 * xlcfg_write_hvm.c - settings only HVM domains have: firmware, platform
 * features, viridian, emulated devices (vga, serial, usb ...) and the
 * emulated display (vnc, sdl, spice at the top level), machine-check
 * capabilities and the VM generation ID.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "config/xlcfg_write_int.h"

#ifndef XEN_HVM_MCA_CAP_LMCE
#define XEN_HVM_MCA_CAP_LMCE (1ULL << 0)   /* xen/public/hvm/params.h */
#endif

#define BI(f) offsetof(libxl_domain_config, b_info.f)
#define HVM(f) BI(u.hvm.f)
#define T_HVM (1u << LIBXL_DOMAIN_TYPE_HVM)

static const struct xlw_field hvm_fields[] = {
    {"pae", WK_BOOL, HVM(pae), T_HVM},
    {"acpi_s3", WK_BOOL, HVM(acpi_s3), T_HVM},
    {"acpi_s4", WK_BOOL, HVM(acpi_s4), T_HVM},
    {"acpi_laptop_slate", WK_BOOL, HVM(acpi_laptop_slate), T_HVM},
    {"nx", WK_BOOL, HVM(nx), T_HVM},
    {"hpet", WK_BOOL, HVM(hpet), T_HVM},
    {"vpt_align", WK_BOOL, HVM(vpt_align), T_HVM},
    {"apic", WK_BOOL, BI(apic), T_HVM},
    {"altp2mhvm", WK_BOOL, HVM(altp2m), T_HVM},
    {"smbios_firmware", WK_STR, HVM(smbios_firmware), T_HVM},
    {"acpi_firmware", WK_STR, HVM(acpi_firmware), T_HVM},
    {"mmio_hole", WK_MEMKB, HVM(mmio_hole_memkb), T_HVM},
    {"rdm_mem_boundary", WK_MEMKB, HVM(rdm_mem_boundary_memkb), T_HVM},
    {"nographic", WK_BOOL, HVM(nographic), T_HVM},
    {"boot", WK_STR, HVM(boot), T_HVM},
    {"usb", WK_BOOL, HVM(usb), T_HVM},
    {"usbversion", WK_INT, HVM(usbversion), T_HVM},
    {"vkb_device", WK_BOOL, HVM(vkb_device), T_HVM},
    {"soundhw", WK_STR, HVM(soundhw), T_HVM},
    {"xen_platform_pci", WK_BOOL, HVM(xen_platform_pci), T_HVM},
};

static const struct xlw_field display_fields[] = {
    {"vnc", WK_BOOL, HVM(vnc.enable), T_HVM},
    {"vnclisten", WK_STR, HVM(vnc.listen), T_HVM},
    {"vncpasswd", WK_STR, HVM(vnc.passwd), T_HVM},
    {"vncdisplay", WK_INT, HVM(vnc.display), T_HVM},
    {"vncunused", WK_BOOL, HVM(vnc.findunused), T_HVM},
    {"keymap", WK_STR, HVM(keymap), T_HVM},
    {"sdl", WK_BOOL, HVM(sdl.enable), T_HVM},
    {"opengl", WK_BOOL, HVM(sdl.opengl), T_HVM},
    {"display", WK_STR, HVM(sdl.display), T_HVM},
    {"xauthority", WK_STR, HVM(sdl.xauthority), T_HVM},
    {"spice", WK_BOOL, HVM(spice.enable), T_HVM},
    {"spiceport", WK_INT, HVM(spice.port), T_HVM},
    {"spicetls_port", WK_INT, HVM(spice.tls_port), T_HVM},
    {"spicehost", WK_STR, HVM(spice.host), T_HVM},
    {"spicedisable_ticketing", WK_BOOL, HVM(spice.disable_ticketing), T_HVM},
    {"spicepasswd", WK_STR, HVM(spice.passwd), T_HVM},
    {"spiceagent_mouse", WK_BOOL, HVM(spice.agent_mouse), T_HVM},
    {"spicevdagent", WK_BOOL, HVM(spice.vdagent), T_HVM},
    {"spice_clipboard_sharing", WK_BOOL, HVM(spice.clipboard_sharing),
     T_HVM},
    {"spiceusbredirection", WK_INT, HVM(spice.usbredirection), T_HVM},
    {"spice_image_compression", WK_STR, HVM(spice.image_compression), T_HVM},
    {"spice_streaming_video", WK_STR, HVM(spice.streaming_video), T_HVM},
};

/* Would firmware = "v" be read as something other than a path? */
static bool firmware_is_word(const char *v)
{
    libxl_bios_type b;

    return libxl_bios_type_from_string(v, &b) == 0 ||
           strncmp(v, "uefi", strlen(v)) == 0 ||
           strncmp(v, "bios", strlen(v)) == 0;
}

static void firmware(struct xlw *w)
{
    const libxl_domain_build_info *bi = &w->dc->b_info;

    if (bi->u.hvm.bios != w->dflt.b_info.u.hvm.bios)
        xlw_str(w, "bios", libxl_bios_type_to_string(bi->u.hvm.bios));
    if (bi->u.hvm.firmware)
        xlw_str(w, firmware_is_word(bi->u.hvm.firmware) ? "firmware_override"
                                                        : "firmware",
                bi->u.hvm.firmware);
    /* Without bios, xl keeps the path with a warning (so does the parser,
     * reading it back). */
    xlw_str(w, "bios_path_override", bi->u.hvm.system_firmware);
}

/*
 * viridian = 0/1, or a list applied in order: "defaults" (the bool),
 * "name" (enable), "!name" (disable, and no longer enabled) and "all"
 * (enable every bit, named or not).  Bits without a name are enabled only
 * by "all", so they tell it was there; a name disabled while enabled must
 * come before it, one disabled and not enabled after it.
 */
static void viridian(struct xlw *w)
{
    const libxl_domain_build_info *bi = &w->dc->b_info;
    const libxl_bitmap *en = &bi->u.hvm.viridian_enable;
    const libxl_bitmap *dis = &bi->u.hvm.viridian_disable;
    int bits = (int)(en->size > dis->size ? en->size : dis->size) * 8;
    bool all = false;
    struct xlw_list l;
    char item[64];

    if (xlw_bits(en) == 0 && xlw_bits(dis) == 0) {
        xlw_bool(w, "viridian", bi->u.hvm.viridian);
        return;
    }
    for (int i = 0; i < bits; i++)
        if (libxl_bitmap_test(en, i) &&
            !libxl_viridian_enlightenment_to_string(i))
            all = true;
    if (!libxl_defbool_is_default(bi->u.hvm.viridian) &&
        !libxl_defbool_val(bi->u.hvm.viridian))
        xlw_fail(w, "viridian: enlightenments with viridian off cannot be "
                 "written");
    xlw_list_start(w, &l);
    if (!libxl_defbool_is_default(bi->u.hvm.viridian))
        xlw_list_add(&l, "defaults");
    /* pass 0: before "all"; pass 1: after it (or without it) */
    for (int pass = 0; pass < 2; pass++) {
        if (pass == 1 && all)
            xlw_list_add(&l, "all");
        for (int i = 0; i < bits; i++) {
            const char *name = libxl_viridian_enlightenment_to_string(i);
            bool on = libxl_bitmap_test(en, i), off = libxl_bitmap_test(dis, i);
            if (!name && (off || (on && !all)))
                xlw_fail(w, "viridian: enlightenment %d has no name", i);
            if (!name)
                continue;
            if (!all && on && off)
                xlw_fail(w, "viridian: \"%s\" is both enabled and disabled",
                         name);
            if (all && !on && !off)
                xlw_fail(w, "viridian: \"%s\" is left out of \"all\" "
                         "without being disabled", name);
            if (off && pass == (all && !on ? 1 : 0)) {
                snprintf(item, sizeof(item), "!%s", name);
                xlw_list_add(&l, item);
            }
            if (on && !off && !all && pass == 1)
                xlw_list_add(&l, name);
        }
    }
    xlw_list_end(&l, "viridian", false);
}

static void vga(struct xlw *w)
{
    switch (w->dc->b_info.u.hvm.vga.kind) {
    case LIBXL_VGA_INTERFACE_TYPE_STD:
        xlw_str(w, "vga", "stdvga");
        break;
    case LIBXL_VGA_INTERFACE_TYPE_CIRRUS:
        xlw_str(w, "vga", "cirrus");
        break;
    case LIBXL_VGA_INTERFACE_TYPE_NONE:
        xlw_str(w, "vga", "none");
        break;
    case LIBXL_VGA_INTERFACE_TYPE_QXL:
        xlw_str(w, "vga", "qxl");
        break;
    default:
        break;
    }
}

/* serial and usbdevice: one device as a string, several as a list. */
static void devlist(struct xlw *w, const char *key, const char *one,
                    char *const *many)
{
    struct xlw_list l;

    if (one && many)
        xlw_fail(w, "%s: both a device (\"%s\") and a list of them; xl.cfg "
                 "has one or the other", key, one);
    xlw_str(w, key, one);
    xlw_list_start(w, &l);
    for (int i = 0; many && many[i]; i++)
        xlw_list_add(&l, many[i]);
    xlw_list_end(&l, key, many != NULL);
}

/* mca_caps = [ "lmce" ]: the one capability xl.cfg names. */
static void mca_caps(struct xlw *w)
{
    uint64_t caps = w->dc->b_info.u.hvm.mca_caps;
    struct xlw_list l;

    if (caps & ~(uint64_t)XEN_HVM_MCA_CAP_LMCE)
        xlw_fail(w, "mca_caps: 0x%llx has capabilities xl.cfg cannot name "
                 "(it knows lmce only)", (unsigned long long)caps);
    xlw_list_start(w, &l);
    if (caps & XEN_HVM_MCA_CAP_LMCE)
        xlw_list_add(&l, "lmce");
    xlw_list_end(&l, "mca_caps", false);
}

/*
 * A VM generation ID is random: xl.cfg can only ask for a new one
 * ("generate"), never give its bytes.  So a config holding an ID is
 * written as "generate", which parses to a fresh ID -- what the file it
 * came from also did on each parse.
 */
static void genid(struct xlw *w)
{
    if (!libxl_ms_vm_genid_is_zero(&w->dc->b_info.u.hvm.ms_vm_genid))
        xlw_str(w, "ms_vm_genid", "generate");
}

void xlw_hvm(struct xlw *w)
{
    const libxl_domain_build_info *bi = &w->dc->b_info;
    const libxl_domain_build_info *d = &w->dflt.b_info;

    if (bi->type != LIBXL_DOMAIN_TYPE_HVM)
        return;
    firmware(w);
    xlw_fields(w, hvm_fields, sizeof(hvm_fields) / sizeof(hvm_fields[0]));
    viridian(w);
    vga(w);
    devlist(w, "serial", bi->u.hvm.serial, bi->u.hvm.serial_list);
    devlist(w, "usbdevice", bi->u.hvm.usbdevice, bi->u.hvm.usbdevice_list);
    if (bi->u.hvm.hdtype != d->u.hvm.hdtype)
        xlw_str(w, "hdtype", libxl_hdtype_to_string(bi->u.hvm.hdtype));
    if (bi->u.hvm.vendor_device != d->u.hvm.vendor_device)
        xlw_str(w, "vendor_device",
                libxl_vendor_device_to_string(bi->u.hvm.vendor_device));
    if (bi->u.hvm.vnc.listen && bi->u.hvm.vnc.display &&
        strchr(bi->u.hvm.vnc.listen, ':'))
        xlw_fail(w, "vncdisplay: %d beside a display in vnclisten \"%s\" "
                 "cannot be written", bi->u.hvm.vnc.display,
                 bi->u.hvm.vnc.listen);
    xlw_fields(w, display_fields,
               sizeof(display_fields) / sizeof(display_fields[0]));
    mca_caps(w);
    genid(w);
}
