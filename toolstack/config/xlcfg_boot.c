/*
 * xlcfg_boot.c - what the domain boots: kernel, ramdisk, command line,
 * bootloader, and for PV and PVH the pvgrub firmware.
 */
#include <stdlib.h>
#include <string.h>

#include "config/xlcfg_int.h"

/* Where `firmware = "pvgrub64"` points, as Debian's xl has it. */
#ifndef XENITH_XEN_FIRMWARE_DIR
#define XENITH_XEN_FIRMWARE_DIR "/usr/lib/xen-4.17/boot"
#endif

/* cmdline wins over root + extra, which xl then ignores with a warning. */
static int parse_cmdline(struct xlcfg *c)
{
    const char *cmdline = NULL, *root = NULL, *extra = NULL;
    char **dst = &c->dc->b_info.cmdline;
    int rc;

    if ((rc = xlcfg_get_str(c, "cmdline", &cmdline)) < 0 ||
        (rc = xlcfg_get_str(c, "root", &root)) < 0 ||
        (rc = xlcfg_get_str(c, "extra", &extra)) < 0)
        return rc;
    if (cmdline && root)
        xlcfg_warn(c, "root", -1, "\"%s\" is ignored because cmdline is "
                   "set, as xl ignores it", root);
    if (cmdline && extra)
        xlcfg_warn(c, "extra", -1, "\"%s\" is ignored because cmdline is "
                   "set, as xl ignores it", extra);
    if (cmdline)
        rc = asprintf(dst, "%s", cmdline);
    else if (root && extra)
        rc = asprintf(dst, "root=%s %s", root, extra);
    else if (root)
        rc = asprintf(dst, "root=%s", root);
    else if (extra)
        rc = asprintf(dst, "%s", extra);
    if (rc < 0) {
        *dst = NULL;
        return xlcfg_oom(c);
    }
    return 0;
}

/* PV and PVH: firmware = "pvgrub32" or "pvgrub64" stands for a kernel. */
static int parse_pv_firmware(struct xlcfg *c)
{
    libxl_domain_build_info *bi = &c->dc->b_info;
    const char *v;
    int rc = xlcfg_get_str(c, "firmware", &v);

    if (rc < 0)
        return rc;
    if (rc == 1) {
        if (strcmp(v, "pvgrub32") != 0 && strcmp(v, "pvgrub64") != 0)
            return xlcfg_fail(c, "firmware", -1, "\"%s\" is not a PV "
                              "firmware (pvgrub32 or pvgrub64)", v);
        if (bi->kernel)
            return xlcfg_fail(c, "firmware", -1, "\"%s\" conflicts with "
                              "kernel", v);
        if (asprintf(&bi->kernel, XENITH_XEN_FIRMWARE_DIR "/%s.bin", v) < 0) {
            bi->kernel = NULL;
            return xlcfg_oom(c);
        }
    }
    if (!bi->kernel && !bi->bootloader)
        return xlcfg_fail(c, "kernel", -1, "missing; a %s domain needs a "
                          "kernel, a bootloader or a firmware",
                          c->dc->c_info.type == LIBXL_DOMAIN_TYPE_PV ? "PV"
                                                                     : "PVH");
    return 0;
}

int xlcfg_build_boot(struct xlcfg *c)
{
    libxl_domain_build_info *bi = &c->dc->b_info;
    int rc;

    if ((rc = xlcfg_get_strdup(c, "kernel", &bi->kernel)) < 0 ||
        (rc = xlcfg_get_strdup(c, "ramdisk", &bi->ramdisk)) < 0 ||
        (rc = xlcfg_get_strdup(c, "device_tree", &bi->device_tree)) < 0 ||
        (rc = parse_cmdline(c)) < 0 ||
        (rc = xlcfg_get_strdup(c, "bootloader", &bi->bootloader)) < 0 ||
        (rc = xlcfg_get_strlist(c, "bootloader_args", true,
                                &bi->bootloader_args)) < 0)
        return rc;
    if (bi->type == LIBXL_DOMAIN_TYPE_HVM) {
        /* xl drops a kernel that is hvmloader, with a warning: refuse. */
        const char *base = bi->kernel ? strrchr(bi->kernel, '/') : NULL;
        base = base ? base + 1 : bi->kernel;
        if (base && strcmp(base, "hvmloader") == 0)
            return xlcfg_fail(c, "kernel", -1, "\"%s\" is the HVM firmware, "
                              "not a kernel; leave it out", bi->kernel);
        return 0;
    }
    return parse_pv_firmware(c);
}
