/*
 * xlcfg_misc.c - the settings that are one field each (a table), and the
 * modes given by name or number: tsc_mode, timer_mode, altp2m, and the
 * device model.  A mode given as a number is deprecated: xl uses it and
 * warns, and so does xenith.
 */
#include <limits.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "config/xlcfg_int.h"

#define CI(f) offsetof(libxl_domain_config, c_info.f)
#define BI(f) offsetof(libxl_domain_config, b_info.f)

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
    {"shadow_memory", XK_MEMKB, BI(shadow_memkb), XT_ALL, 0, XLCFG_MAX_MIB},
    {"nomigrate", XK_BOOL, BI(disable_migrate), XT_ALL, 0, 0},
    /* seconds, negative allowed: libxl keeps it as a uint32 */
    {"rtc_timeoffset", XK_U32, BI(rtc_timeoffset), XT_ALL, INT32_MIN,
     UINT32_MAX},
    {"localtime", XK_BOOL, BI(localtime), XT_ALL, 0, 0},
    {"videoram", XK_MEMKB, BI(video_memkb), XT_ALL, 0, XLCFG_MAX_MIB},
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
     XLCFG_MAX_MIB},
    {"dm_restrict", XK_BOOL, BI(dm_restrict), XT_ALL, 0, 0},
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

/* xl takes a mode by number, with a warning naming it. */
static void warn_number(struct xlcfg *c, const char *key, const char *v,
                        const char *name)
{
    xlcfg_warn(c, key, -1, "\"%s\" is a number, which is deprecated; xl "
               "reads it as \"%s\" (write %s = \"%s\")", v, name, key, name);
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
    if (rc == 2) {
        bi->tsc_mode = (libxl_tsc_mode)l;
        warn_number(c, "tsc_mode", v, libxl_tsc_mode_to_string(bi->tsc_mode));
    }
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
    if (rc == 2) {
        bi->timer_mode = (libxl_timer_mode)l;
        warn_number(c, "timer_mode", v,
                    libxl_timer_mode_to_string(bi->timer_mode));
    }
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

/* device_model = is xm's; xl ignores it, with a hint for a stub domain. */
static int ignore_device_model(struct xlcfg *c)
{
    static const char why[] = "is ignored, as xl ignores it; use "
                              "device_model_override for another device model";
    const char *v;
    int rc = xlcfg_get_str(c, "device_model", &v);

    if (rc <= 0)
        return rc;
    if (!strstr(v, "stubdom-dm"))
        xlcfg_warn(c, "device_model", -1, "\"%s\" %s", v, why);
    else if (c->dc->c_info.type == LIBXL_DOMAIN_TYPE_HVM)
        xlcfg_warn(c, "device_model", -1, "\"%s\" %s, or "
                   "device_model_stubdomain_override = 1 for a stub domain",
                   v, why);
    else
        xlcfg_warn(c, "device_model", -1, "\"%s\" %s; a stub domain is "
                   "for HVM domains only", v, why);
    return 0;
}

static int parse_device_model(struct xlcfg *c)
{
    libxl_domain_build_info *bi = &c->dc->b_info;
    const char *v;
    int rc = ignore_device_model(c);

    if (rc < 0 || (rc = xlcfg_get_str(c, "device_model_version", &v)) < 0)
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
        xlcfg_warn(c, "device_model_override", -1, "\"%s\" is given "
                   "without device_model_version; libxl picks the version",
                   bi->device_model);
    return 0;
}

/* xl uses msr_relaxed, warning that it is going away. */
static int parse_msr_relaxed(struct xlcfg *c)
{
    const char *v;
    int rc = xlcfg_get_bool(c, "msr_relaxed",
                            &c->dc->b_info.arch_x86.msr_relaxed);

    if (rc == 1 && xlcfg_get_str(c, "msr_relaxed", &v) == 1)
        xlcfg_warn(c, "msr_relaxed", -1, "\"%s\" is used, but xl warns that "
                   "msr_relaxed will be removed in a future version", v);
    return rc < 0 ? rc : 0;
}

int xlcfg_build_misc(struct xlcfg *c)
{
    int rc;

    libxl_defbool_set(&c->dc->b_info.claim_mode, true);
    rc = xlcfg_apply_fields(c, misc_fields,
                            sizeof(misc_fields) / sizeof(misc_fields[0]));
    if (rc < 0 || (rc = parse_modes(c)) < 0 ||
        (rc = parse_device_model(c)) < 0)
        return rc;
    return parse_msr_relaxed(c);
}
