/*
 * xlcfg_build.c - the domain itself: name, uuid, type, memory, vCPUs,
 * scheduling, shutdown actions, what it boots, and the simple settings.
 */
#include <limits.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "config/xlcfg_int.h"

/* Where `firmware = "pvgrub64"` points, as Debian's xl has it. */
#ifndef XENITH_XEN_FIRMWARE_DIR
#define XENITH_XEN_FIRMWARE_DIR "/usr/lib/xen-4.17/boot"
#endif

#define MAX_VCPUS 4096
#define MAX_MIB (LONG_MAX / 1024)

#define CI(f) offsetof(libxl_domain_config, c_info.f)
#define BI(f) offsetof(libxl_domain_config, b_info.f)

static int oom(struct xlcfg *c)
{
    return xn_msg_set(c->msg, XN_ENOMEM, "%s: out of memory", c->file);
}

/* ---- identity ---- */

static int parse_type(struct xlcfg *c, libxl_domain_type *type)
{
    const char *v;
    int rc = xlcfg_get_str(c, "type", &v);

    *type = LIBXL_DOMAIN_TYPE_INVALID;
    if (rc == 1) {
        if (strcmp(v, "pv") == 0)
            *type = LIBXL_DOMAIN_TYPE_PV;
        else if (strcmp(v, "pvh") == 0)
            *type = LIBXL_DOMAIN_TYPE_PVH;
        else if (strcmp(v, "hvm") == 0)
            *type = LIBXL_DOMAIN_TYPE_HVM;
        else
            return xlcfg_fail(c, "type", -1, "\"%s\" is not a domain type "
                              "(pv, pvh or hvm)", v);
    }
    rc = xlcfg_get_str(c, "builder", &v);   /* xm's name for it */
    if (rc == 1) {
        libxl_domain_type b;
        if (strcmp(v, "hvm") == 0)
            b = LIBXL_DOMAIN_TYPE_HVM;
        else if (strcmp(v, "generic") == 0)
            b = LIBXL_DOMAIN_TYPE_PV;
        else
            return xlcfg_fail(c, "builder", -1, "\"%s\" is not a builder "
                              "(hvm or generic)", v);
        if (*type != LIBXL_DOMAIN_TYPE_INVALID && *type != b)
            return xlcfg_fail(c, "builder", -1, "\"%s\" contradicts type "
                              "\"%s\"", v, libxl_domain_type_to_string(*type));
        *type = b;
    }
    if (rc < 0)
        return rc;
    if (*type == LIBXL_DOMAIN_TYPE_INVALID)
        *type = LIBXL_DOMAIN_TYPE_PV;
    return 0;
}

static int parse_seclabels(struct xlcfg *c)
{
    libxl_domain_config *dc = c->dc;
    int rc = xlcfg_get_strdup(c, "init_seclabel", &dc->c_info.ssid_label);

    if (rc < 0)
        return rc;
    /* With an init label, seclabel is the label the domain switches to. */
    rc = xlcfg_get_strdup(c, "seclabel", dc->c_info.ssid_label
                                             ? &dc->b_info.exec_ssid_label
                                             : &dc->c_info.ssid_label);
    return rc < 0 ? rc : 0;
}

int xlcfg_build_identity(struct xlcfg *c)
{
    libxl_domain_create_info *ci = &c->dc->c_info;
    libxl_domain_type type;
    const char *v;
    int rc;

    if ((rc = parse_seclabels(c)) < 0 || (rc = parse_type(c, &type)) < 0)
        return rc;
    ci->type = type;
    libxl_defbool_set(&ci->run_hotplug_scripts, true);

    rc = xlcfg_get_strdup(c, "name", &ci->name);
    if (rc < 0)
        return rc;
    if (rc == 0)
        return xlcfg_fail(c, "name", -1, "missing; every domain needs "
                          "a name");
    if (!ci->name[0])
        return xlcfg_fail(c, "name", -1, "\"\" is not a domain name");

    rc = xlcfg_get_str(c, "uuid", &v);
    if (rc < 0)
        return rc;
    if (rc == 0)
        libxl_uuid_generate(&ci->uuid);
    else if (libxl_uuid_from_string(&ci->uuid, v) != 0)
        return xlcfg_fail(c, "uuid", -1, "\"%s\" is not a UUID", v);

    libxl_domain_build_info_init_type(&c->dc->b_info, type);
    return 0;
}

/* ---- memory, vCPUs, scheduling ---- */

static const struct xlcfg_field sched_fields[] = {
    {"cpu_weight", XK_INT, BI(sched_params.weight), XT_ALL, 1, 65535},
    {"cap", XK_INT, BI(sched_params.cap), XT_ALL, 0, INT_MAX},
    {"period", XK_INT, BI(sched_params.period), XT_ALL, 0, INT_MAX},
    {"slice", XK_INT, BI(sched_params.slice), XT_ALL, 0, INT_MAX},
    {"latency", XK_INT, BI(sched_params.latency), XT_ALL, 0, INT_MAX},
    {"extratime", XK_INT, BI(sched_params.extratime), XT_ALL, 0, INT_MAX},
};

static int parse_vcpus(struct xlcfg *c)
{
    libxl_domain_build_info *bi = &c->dc->b_info;
    long l, maxv = 0;
    int rc = xlcfg_get_long(c, "vcpus", 1, MAX_VCPUS, "a number of vCPUs",
                            &l);

    if (rc < 0)
        return rc;
    if (rc == 1) {
        c->vcpus = l;
        if (xlcfg_bitmap_alloc(&bi->avail_vcpus, (int)l) < 0)
            return oom(c);
        for (long i = 0; i < l; i++)
            libxl_bitmap_set(&bi->avail_vcpus, (int)i);
    }
    rc = xlcfg_get_long(c, "maxvcpus", 1, MAX_VCPUS, "a number of vCPUs",
                        &maxv);
    if (rc < 0)
        return rc;
    if (rc == 1 && maxv < c->vcpus)
        return xlcfg_fail(c, "maxvcpus", -1, "\"%ld\" is less than "
                          "vcpus (%ld)", maxv, c->vcpus);
    bi->max_vcpus = (int)(rc == 1 ? maxv : c->vcpus);
    return 0;
}

int xlcfg_build_resources(struct xlcfg *c)
{
    libxl_domain_build_info *bi = &c->dc->b_info;
    long mem = 0, maxmem;
    int rc;

    rc = xlcfg_apply_fields(c, sched_fields,
                            sizeof(sched_fields) / sizeof(sched_fields[0]));
    if (rc < 0)
        return rc;
    rc = xlcfg_get_long(c, "memory", 1, MAX_MIB, "a number of MiB", &mem);
    if (rc < 0)
        return rc;
    if (rc == 1)
        bi->target_memkb = (uint64_t)mem * 1024;
    rc = xlcfg_get_long(c, "maxmem", 1, MAX_MIB, "a number of MiB", &maxmem);
    if (rc < 0)
        return rc;
    if (rc == 1 && maxmem < mem)
        return xlcfg_fail(c, "maxmem", -1, "\"%ld\" is less than memory "
                          "(%ld MiB)", maxmem, mem);
    if (rc == 1)
        bi->max_memkb = (uint64_t)maxmem * 1024;
    else
        bi->max_memkb = bi->target_memkb;
    return parse_vcpus(c);
}

/* ---- shutdown actions ---- */

static const struct {
    const char *name;
    libxl_action_on_shutdown action;
} actions[] = {
    {"destroy", LIBXL_ACTION_ON_SHUTDOWN_DESTROY},
    {"restart", LIBXL_ACTION_ON_SHUTDOWN_RESTART},
    {"rename-restart", LIBXL_ACTION_ON_SHUTDOWN_RESTART_RENAME},
    {"preserve", LIBXL_ACTION_ON_SHUTDOWN_PRESERVE},
    {"coredump-destroy", LIBXL_ACTION_ON_SHUTDOWN_COREDUMP_DESTROY},
    {"coredump-restart", LIBXL_ACTION_ON_SHUTDOWN_COREDUMP_RESTART},
    {"soft-reset", LIBXL_ACTION_ON_SHUTDOWN_SOFT_RESET},
};

static int parse_action(struct xlcfg *c, const char *key, const char *dflt,
                        libxl_action_on_shutdown *a)
{
    const char *v = dflt;
    int rc = xlcfg_get_str(c, key, &v);

    if (rc < 0)
        return rc;
    for (size_t i = 0; i < sizeof(actions) / sizeof(actions[0]); i++) {
        if (strcmp(v, actions[i].name) == 0) {
            *a = actions[i].action;
            return 0;
        }
    }
    return xlcfg_fail(c, key, -1, "\"%s\" is not an action (destroy, "
                      "restart, rename-restart, preserve, coredump-destroy, "
                      "coredump-restart or soft-reset)", v);
}

int xlcfg_build_actions(struct xlcfg *c)
{
    libxl_domain_config *dc = c->dc;
    int rc;

    if ((rc = parse_action(c, "on_poweroff", "destroy",
                           &dc->on_poweroff)) < 0 ||
        (rc = parse_action(c, "on_reboot", "restart", &dc->on_reboot)) < 0 ||
        (rc = parse_action(c, "on_watchdog", "destroy",
                           &dc->on_watchdog)) < 0 ||
        (rc = parse_action(c, "on_crash", "destroy", &dc->on_crash)) < 0 ||
        (rc = parse_action(c, "on_soft_reset", "soft-reset",
                           &dc->on_soft_reset)) < 0)
        return rc;
    return 0;
}

/* ---- what the domain boots ---- */

/* cmdline wins over root + extra in xl, which then ignores them: refuse. */
static int parse_cmdline(struct xlcfg *c)
{
    const char *cmdline = NULL, *root = NULL, *extra = NULL;
    char **dst = &c->dc->b_info.cmdline;
    int rc;

    if ((rc = xlcfg_get_str(c, "cmdline", &cmdline)) < 0 ||
        (rc = xlcfg_get_str(c, "root", &root)) < 0 ||
        (rc = xlcfg_get_str(c, "extra", &extra)) < 0)
        return rc;
    if (cmdline && (root || extra))
        return xlcfg_fail(c, root ? "root" : "extra", -1, "\"%s\" would be "
                          "ignored because cmdline is set",
                          root ? root : extra);
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
        return oom(c);
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
            return oom(c);
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

/* ---- the simple settings ---- */

static const struct xlcfg_field misc_fields[] = {
    {"hap", XK_BOOL, CI(hap), XT_ALL, 0, 0},
    {"oos", XK_BOOL, CI(oos), XT_ALL, 0, 0},
    {"pool", XK_STR, CI(pool_name), XT_ALL, 0, 0},
    {"driver_domain", XK_BOOL, CI(driver_domain), XT_ALL, 0, 0},
    {"xend_suspend_evtchn_compat", XK_BOOL, CI(xend_suspend_evtchn_compat),
     XT_ALL, 0, 0},
    {"pvshim", XK_BOOL, BI(u.pvh.pvshim), XT_PVH, 0, 0},
    {"pvshim_path", XK_STR, BI(u.pvh.pvshim_path), XT_PVH, 0, 0},
    {"pvshim_cmdline", XK_STR, BI(u.pvh.pvshim_cmdline), XT_PVH, 0, 0},
    {"pvshim_extra", XK_STR, BI(u.pvh.pvshim_extra), XT_PVH, 0, 0},
    {"max_grant_frames", XK_U32, BI(max_grant_frames), XT_ALL, 0, INT_MAX},
    {"max_maptrack_frames", XK_U32, BI(max_maptrack_frames), XT_ALL, 0,
     INT_MAX},
    {"max_grant_version", XK_INT, BI(max_grant_version), XT_ALL, 0, INT_MAX},
    {"e820_host", XK_BOOL, BI(u.pv.e820_host), XT_PV, 0, 0},
    {"shadow_memory", XK_MEMKB, BI(shadow_memkb), XT_ALL, 0, MAX_MIB},
    {"nomigrate", XK_BOOL, BI(disable_migrate), XT_ALL, 0, 0},
    /* seconds, negative allowed: libxl keeps it as a uint32 */
    {"rtc_timeoffset", XK_U32, BI(rtc_timeoffset), XT_ALL, INT32_MIN,
     UINT32_MAX},
    {"localtime", XK_BOOL, BI(localtime), XT_ALL, 0, 0},
    {"videoram", XK_MEMKB, BI(video_memkb), XT_ALL, 0, MAX_MIB},
    {"max_event_channels", XK_U32, BI(event_channels), XT_ALL, 0,
     UINT32_MAX},
    {"acpi", XK_BOOL, BI(acpi), XT_ALL, 0, 0},
    {"nestedhvm", XK_BOOL, BI(nested_hvm), XT_ALL, 0, 0},
    {"vmtrace_buf_kb", XK_INT, BI(vmtrace_buf_kb), XT_ALL, 0, INT_MAX},
    {"device_model_override", XK_STR, BI(device_model), XT_ALL, 0, 0},
    {"device_model_stubdomain_override", XK_BOOL,
     BI(device_model_stubdomain), XT_ALL, 0, 0},
    {"device_model_user", XK_STR, BI(device_model_user), XT_ALL, 0, 0},
    {"device_model_args", XK_STRLIST, BI(extra), XT_ALL, 0, 0},
    {"device_model_args_pv", XK_STRLIST, BI(extra_pv), XT_ALL, 0, 0},
    {"device_model_args_hvm", XK_STRLIST, BI(extra_hvm), XT_ALL, 0, 0},
    {"device_model_stubdomain_seclabel", XK_STR,
     BI(device_model_ssid_label), XT_ALL, 0, 0},
    {"stubdomain_kernel", XK_STR, BI(stubdomain_kernel), XT_ALL, 0, 0},
    {"stubdomain_cmdline", XK_STR, BI(stubdomain_cmdline), XT_ALL, 0, 0},
    {"stubdomain_ramdisk", XK_STR, BI(stubdomain_ramdisk), XT_ALL, 0, 0},
    {"stubdomain_memory", XK_MEMKB, BI(stubdomain_memkb), XT_ALL, 0,
     MAX_MIB},
    {"dm_restrict", XK_BOOL, BI(dm_restrict), XT_ALL, 0, 0},
    {"msr_relaxed", XK_BOOL, BI(arch_x86.msr_relaxed), XT_ALL, 0, 0},
    {"vpmu", XK_BOOL, BI(vpmu), XT_ALL, 0, 0},
};

/*
 * A setting that is a libxl enum, by name or (deprecated) by number:
 * 0 = absent, 1 = a name in *v, 2 = a number in *l (in [0, max]).
 */
static int get_enum(struct xlcfg *c, const char *key, long max,
                    const char *names, const char **v, long *l)
{
    int rc = xlcfg_get_str(c, key, v);

    if (rc <= 0)
        return rc;
    if (xlu_cfg_get_long(c->xlu, key, l, 1) != 0)
        return 1;
    if (*l < 0 || *l > max)
        return xlcfg_fail(c, key, -1, "\"%s\" is not a valid value (%s)",
                          *v, names);
    return 2;
}

static int parse_modes(struct xlcfg *c)
{
    static const char tsc[] = "default, always_emulate, native or "
                              "native_paravirt";
    static const char timer[] = "delay_for_missed_ticks, "
                                "no_delay_for_missed_ticks, "
                                "no_missed_ticks_pending or "
                                "one_missed_tick_pending";
    static const char altp2m[] = "disabled, mixed, external or limited";
    libxl_domain_build_info *bi = &c->dc->b_info;
    const char *v;
    long l;
    int rc;

    rc = get_enum(c, "tsc_mode", LIBXL_TSC_MODE_NATIVE_PARAVIRT, tsc, &v, &l);
    if (rc == 2)
        bi->tsc_mode = (libxl_tsc_mode)l;
    else if (rc == 1 && libxl_tsc_mode_from_string(v, &bi->tsc_mode) != 0)
        return xlcfg_fail(c, "tsc_mode", -1, "\"%s\" is not a valid value "
                          "(%s)", v, tsc);
    else if (rc < 0)
        return rc;

    rc = get_enum(c, "timer_mode", LIBXL_TIMER_MODE_ONE_MISSED_TICK_PENDING,
                  timer, &v, &l);
    if (rc > 0 && bi->type == LIBXL_DOMAIN_TYPE_PV)
        return xlcfg_fail(c, "timer_mode", -1, "\"%s\" is not supported "
                          "for PV domains", v);
    if (rc == 2)
        bi->timer_mode = (libxl_timer_mode)l;
    else if (rc == 1 && libxl_timer_mode_from_string(v, &bi->timer_mode) != 0)
        return xlcfg_fail(c, "timer_mode", -1, "\"%s\" is not a valid "
                          "value (%s)", v, timer);
    else if (rc < 0)
        return rc;

    rc = get_enum(c, "altp2m", LIBXL_ALTP2M_MODE_LIMITED, altp2m, &v, &l);
    if (rc == 2)
        bi->altp2m = (libxl_altp2m_mode)l;
    else if (rc == 1 && libxl_altp2m_mode_from_string(v, &bi->altp2m) != 0)
        return xlcfg_fail(c, "altp2m", -1, "\"%s\" is not a valid value "
                          "(%s)", v, altp2m);
    return rc < 0 ? rc : 0;
}

static int parse_device_model(struct xlcfg *c)
{
    libxl_domain_build_info *bi = &c->dc->b_info;
    const char *v;
    int rc = xlcfg_get_str(c, "device_model_version", &v);

    if (rc < 0)
        return rc;
    if (rc == 1 && strcmp(v, "qemu-xen") == 0)
        bi->device_model_version = LIBXL_DEVICE_MODEL_VERSION_QEMU_XEN;
    else if (rc == 1 && strcmp(v, "qemu-xen-traditional") == 0)
        bi->device_model_version =
            LIBXL_DEVICE_MODEL_VERSION_QEMU_XEN_TRADITIONAL;
    else if (rc == 1)
        return xlcfg_fail(c, "device_model_version", -1, "\"%s\" is not a "
                          "device model (qemu-xen or qemu-xen-traditional)",
                          v);
    else if (bi->device_model)
        return xlcfg_fail(c, "device_model_override", -1, "\"%s\" needs "
                          "device_model_version too", bi->device_model);
    return 0;
}

int xlcfg_build_misc(struct xlcfg *c)
{
    int rc;

    libxl_defbool_set(&c->dc->b_info.claim_mode, true);
    rc = xlcfg_apply_fields(c, misc_fields,
                            sizeof(misc_fields) / sizeof(misc_fields[0]));
    if (rc < 0 || (rc = parse_modes(c)) < 0)
        return rc;
    return parse_device_model(c);
}
