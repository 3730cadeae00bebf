/*
 * xlcfg_boot.c - what the domain boots: kernel, ramdisk, command line,
 * bootloader, and for PV and PVH the pvgrub firmware.
 */
#include <stdio.h>
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
        if (bi->kernel)
            return xlcfg_fail(c, "firmware", -1, "\"%s\" conflicts with "
                              "kernel \"%s\"; give one of them", v,
                              bi->kernel);
        /* xl takes a prefix ("pvgrub") and then boots a file that is not
         * there: refuse it. */
        if (strcmp(v, "pvgrub32") != 0 && strcmp(v, "pvgrub64") != 0)
            return xlcfg_fail(c, "firmware", -1, "\"%s\" is not a PV "
                              "firmware (pvgrub32 or pvgrub64)", v);
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

/* bootloader_args: a list, or (deprecated) one string split at blanks. */
static int parse_bootloader_args(struct xlcfg *c)
{
    libxl_string_list args;
    char list[200] = "";
    size_t len = 0;
    const char *v;
    bool one = !xlcfg_is_list(c, "bootloader_args");
    int rc = xlcfg_get_strlist(c, "bootloader_args", true,
                               &c->dc->b_info.bootloader_args);

    if (rc <= 0 || !one || xlcfg_get_str(c, "bootloader_args", &v) != 1)
        return rc < 0 ? rc : 0;
    args = c->dc->b_info.bootloader_args;
    for (int i = 0; args[i] && len < sizeof(list); i++)
        len += (size_t)snprintf(list + len, sizeof(list) - len, "%s\"%s\"",
                                i ? ", " : "", args[i]);
    xlcfg_warn(c, "bootloader_args", -1, "\"%s\" is a string, which is "
               "deprecated; xl splits it at blanks (write a list: [ %s ])", v,
               list);
    return 0;
}

/* HVM: xl drops a kernel that is hvmloader (the firmware), with a warning. */
static void drop_hvmloader(struct xlcfg *c)
{
    libxl_domain_build_info *bi = &c->dc->b_info;
    const char *base = bi->kernel ? strrchr(bi->kernel, '/') : NULL;

    base = base ? base + 1 : bi->kernel;
    if (!base || strcmp(base, "hvmloader") != 0)
        return;
    xlcfg_warn(c, "kernel", -1, "\"%s\" is ignored, as xl ignores it: it "
               "is the HVM firmware, not a kernel (firmware_override sets "
               "another firmware)", bi->kernel);
    free(bi->kernel);
    bi->kernel = NULL;
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
        (rc = parse_bootloader_args(c)) < 0)
        return rc;
    if (bi->type == LIBXL_DOMAIN_TYPE_HVM) {
        drop_hvmloader(c);
        return 0;
    }
    return parse_pv_firmware(c);
}
