/*
 * xlcfg_hvm.c - settings only HVM domains have: firmware, platform
 * features, viridian, emulated devices (vga, serial, usb ...).
 */
#include <limits.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#include "config/xlcfg_int.h"

#define BI(f) offsetof(libxl_domain_config, b_info.f)
#define HVM(f) BI(u.hvm.f)

/* The MMIO hole below 4 GiB, in MiB (xen/hvm/e820.h). */
#define MMIO_HOLE_MIN 256
#define MMIO_HOLE_MAX 3840

static const struct xlcfg_field hvm_fields[] = {
    {"firmware_override", XK_STR, HVM(firmware), XT_HVM, 0, 0},
    {"bios_path_override", XK_STR, HVM(system_firmware), XT_HVM, 0, 0},
    {"pae", XK_BOOL, HVM(pae), XT_HVM, 0, 0},
    {"acpi_s3", XK_BOOL, HVM(acpi_s3), XT_HVM, 0, 0},
    {"acpi_s4", XK_BOOL, HVM(acpi_s4), XT_HVM, 0, 0},
    {"acpi_laptop_slate", XK_BOOL, HVM(acpi_laptop_slate), XT_HVM, 0, 0},
    {"nx", XK_BOOL, HVM(nx), XT_HVM, 0, 0},
    {"hpet", XK_BOOL, HVM(hpet), XT_HVM, 0, 0},
    {"vpt_align", XK_BOOL, HVM(vpt_align), XT_HVM, 0, 0},
    {"apic", XK_BOOL, BI(apic), XT_HVM, 0, 0},
    {"altp2mhvm", XK_BOOL, HVM(altp2m), XT_HVM, 0, 0},
    {"smbios_firmware", XK_STR, HVM(smbios_firmware), XT_HVM, 0, 0},
    {"acpi_firmware", XK_STR, HVM(acpi_firmware), XT_HVM, 0, 0},
    {"mmio_hole", XK_MEMKB, HVM(mmio_hole_memkb), XT_HVM, MMIO_HOLE_MIN,
     MMIO_HOLE_MAX},
    {"rdm_mem_boundary", XK_MEMKB, HVM(rdm_mem_boundary_memkb), XT_HVM, 0,
     LONG_MAX / 1024},
    {"keymap", XK_STR, HVM(keymap), XT_HVM, 0, 0},
    {"nographic", XK_BOOL, HVM(nographic), XT_HVM, 0, 0},
    {"boot", XK_STR, HVM(boot), XT_HVM, 0, 0},
    {"usb", XK_BOOL, HVM(usb), XT_HVM, 0, 0},
    {"usbversion", XK_INT, HVM(usbversion), XT_HVM, 0, 3},
    {"vkb_device", XK_BOOL, HVM(vkb_device), XT_HVM, 0, 0},
    {"soundhw", XK_STR, HVM(soundhw), XT_HVM, 0, 0},
    {"xen_platform_pci", XK_BOOL, HVM(xen_platform_pci), XT_HVM, 0, 0},
    {"spice", XK_BOOL, HVM(spice.enable), XT_HVM, 0, 0},
    {"spiceport", XK_INT, HVM(spice.port), XT_HVM, 0, 65535},
    {"spicetls_port", XK_INT, HVM(spice.tls_port), XT_HVM, 0, 65535},
    {"spicehost", XK_STR, HVM(spice.host), XT_HVM, 0, 0},
    {"spicedisable_ticketing", XK_BOOL, HVM(spice.disable_ticketing), XT_HVM,
     0, 0},
    {"spicepasswd", XK_STR, HVM(spice.passwd), XT_HVM, 0, 0},
    {"spiceagent_mouse", XK_BOOL, HVM(spice.agent_mouse), XT_HVM, 0, 0},
    {"spicevdagent", XK_BOOL, HVM(spice.vdagent), XT_HVM, 0, 0},
    {"spice_clipboard_sharing", XK_BOOL, HVM(spice.clipboard_sharing),
     XT_HVM, 0, 0},
    {"spiceusbredirection", XK_INT, HVM(spice.usbredirection), XT_HVM, 0,
     INT_MAX},
    {"spice_image_compression", XK_STR, HVM(spice.image_compression), XT_HVM,
     0, 0},
    {"spice_streaming_video", XK_STR, HVM(spice.streaming_video), XT_HVM, 0,
     0},
};

/* bios = and firmware = ("seabios", "uefi", a path ...). */
static int parse_firmware(struct xlcfg *c)
{
    libxl_domain_build_info *bi = &c->dc->b_info;
    const char *v;
    int rc = xlcfg_get_str(c, "bios", &v);

    if (rc == 1 && libxl_bios_type_from_string(v, &bi->u.hvm.bios) != 0)
        return xlcfg_fail(c, "bios", -1, "\"%s\" is not a BIOS (rombios, "
                          "seabios or ovmf)", v);
    if (rc == 0 && bi->u.hvm.system_firmware)
        xlcfg_warn(c, "bios_path_override", -1, "\"%s\" is given without "
                   "bios; libxl picks the BIOS type",
                   bi->u.hvm.system_firmware);
    if (rc < 0 || (rc = xlcfg_get_str(c, "firmware", &v)) <= 0)
        return rc;
    if (libxl_bios_type_from_string(v, &bi->u.hvm.bios) == 0)
        return 0;
    /* xl takes any prefix of "uefi" or "bios" as that word: refuse those. */
    if (strcmp(v, "uefi") == 0)
        bi->u.hvm.bios = LIBXL_BIOS_TYPE_OVMF;
    else if (strcmp(v, "bios") == 0)
        ;   /* libxl picks the BIOS that goes with the device model */
    else if (strncmp(v, "uefi", strlen(v)) == 0 ||
             strncmp(v, "bios", strlen(v)) == 0)
        return xlcfg_fail(c, "firmware", -1, "\"%s\" is ambiguous (say uefi "
                          "or bios)", v);
    else if (xlcfg_get_strdup(c, "firmware", &bi->u.hvm.firmware) < 0)
        return XN_EINVAL;
    return 0;
}

/* viridian = 1, or a list of enlightenments ("all", "defaults", "!name"). */
static int parse_viridian(struct xlcfg *c)
{
    libxl_domain_build_info *bi = &c->dc->b_info;
    XLU_ConfigList *list;
    int n, rc;

    if (!xlcfg_is_list(c, "viridian"))
        return xlcfg_get_bool(c, "viridian", &bi->u.hvm.viridian);
    if ((rc = xlcfg_get_list(c, "viridian", &list, &n)) <= 0 || n == 0)
        return rc;
    if (xlcfg_bitmap_alloc(&bi->u.hvm.viridian_enable,
                           LIBXL_BUILDINFO_HVM_VIRIDIAN_ENABLE_DISABLE_WIDTH) ||
        xlcfg_bitmap_alloc(&bi->u.hvm.viridian_disable,
                           LIBXL_BUILDINFO_HVM_VIRIDIAN_ENABLE_DISABLE_WIDTH))
        return xlcfg_oom(c);
    for (int i = 0; i < n; i++) {
        const char *v = xlu_cfg_get_listitem(list, i), *name = v;
        libxl_bitmap *set = &bi->u.hvm.viridian_enable;
        libxl_bitmap *clear = &bi->u.hvm.viridian_disable;
        libxl_viridian_enlightenment e;

        if (strcmp(v, "all") == 0) {
            libxl_bitmap_set_any(set);
            continue;
        }
        if (strcmp(v, "defaults") == 0) {
            libxl_defbool_set(&bi->u.hvm.viridian, true);
            continue;
        }
        if (*name == '!') {
            set = &bi->u.hvm.viridian_disable;
            clear = &bi->u.hvm.viridian_enable;
            name++;
        }
        if (libxl_viridian_enlightenment_from_string(name, &e) != 0)
            return xlcfg_fail(c, "viridian", i, "\"%s\" is not a viridian "
                              "enlightenment", v);
        libxl_bitmap_set(set, e);
        libxl_bitmap_reset(clear, e);
    }
    return 0;
}

static int parse_vga(struct xlcfg *c)
{
    libxl_vga_interface_info *vga = &c->dc->b_info.u.hvm.vga;
    const char *v;
    long l;
    int rc = xlcfg_get_str(c, "vga", &v);

    if (rc == 1) {
        if (xlcfg_is_set(c, "stdvga"))
            return xlcfg_fail(c, "stdvga", -1, "would be ignored because "
                              "vga is set");
        if (strcmp(v, "stdvga") == 0)
            vga->kind = LIBXL_VGA_INTERFACE_TYPE_STD;
        else if (strcmp(v, "cirrus") == 0)
            vga->kind = LIBXL_VGA_INTERFACE_TYPE_CIRRUS;
        else if (strcmp(v, "none") == 0)
            vga->kind = LIBXL_VGA_INTERFACE_TYPE_NONE;
        else if (strcmp(v, "qxl") == 0)
            vga->kind = LIBXL_VGA_INTERFACE_TYPE_QXL;
        else
            return xlcfg_fail(c, "vga", -1, "\"%s\" is not a VGA card "
                              "(stdvga, cirrus, qxl or none)", v);
        return 0;
    }
    if (rc < 0 || (rc = xlcfg_get_long(c, "stdvga", 0, 1, "0 or 1", &l)) <= 0)
        return rc;
    vga->kind = l ? LIBXL_VGA_INTERFACE_TYPE_STD
                  : LIBXL_VGA_INTERFACE_TYPE_CIRRUS;
    return 0;
}

/* serial and usbdevice: a list of devices or a single one. */
static int parse_devlist(struct xlcfg *c, const char *key, char **one,
                         libxl_string_list *many)
{
    if (xlcfg_is_list(c, key))
        return xlcfg_get_strlist(c, key, false, many);
    return xlcfg_get_strdup(c, key, one);
}

static int parse_enums(struct xlcfg *c)
{
    libxl_domain_build_info *bi = &c->dc->b_info;
    const char *v;
    int rc = xlcfg_get_str(c, "hdtype", &v);

    if (rc == 1 && libxl_hdtype_from_string(v, &bi->u.hvm.hdtype) != 0)
        return xlcfg_fail(c, "hdtype", -1, "\"%s\" is not a disk type "
                          "(ide or ahci)", v);
    if (rc < 0 || (rc = xlcfg_get_str(c, "vendor_device", &v)) <= 0)
        return rc;
    if (libxl_vendor_device_from_string(v, &bi->u.hvm.vendor_device) != 0)
        return xlcfg_fail(c, "vendor_device", -1, "\"%s\" is not a vendor "
                          "device (none or xenserver)", v);
    return 0;
}

/* altp2mhvm = is the old name of altp2m = "mixed"; xl uses it and warns. */
static void warn_altp2mhvm(struct xlcfg *c)
{
    const char *v;

    if (xlcfg_get_str(c, "altp2mhvm", &v) == 1)
        xlcfg_warn(c, "altp2mhvm", -1, "\"%s\" is used, but altp2mhvm is "
                   "deprecated, as xl warns; use altp2m", v);
}

int xlcfg_build_hvm(struct xlcfg *c)
{
    libxl_domain_build_info *bi = &c->dc->b_info;
    int rc;

    if (bi->type != LIBXL_DOMAIN_TYPE_HVM)
        return 0;
    rc = xlcfg_apply_fields(c, hvm_fields,
                            sizeof(hvm_fields) / sizeof(hvm_fields[0]));
    if (rc == 0)
        warn_altp2mhvm(c);
    if (rc < 0 || (rc = parse_firmware(c)) < 0 ||
        (rc = parse_viridian(c)) < 0 || (rc = parse_vga(c)) < 0 ||
        (rc = parse_devlist(c, "serial", &bi->u.hvm.serial,
                            &bi->u.hvm.serial_list)) < 0 ||
        (rc = parse_devlist(c, "usbdevice", &bi->u.hvm.usbdevice,
                            &bi->u.hvm.usbdevice_list)) < 0 ||
        (rc = parse_enums(c)) < 0)
        return rc;
    return 0;
}
