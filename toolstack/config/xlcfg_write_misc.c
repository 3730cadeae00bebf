/*
 * xlcfg_write_misc.c - settings that are one field of the config each
 * (a table, as the parser's), the modes given by name (tsc_mode,
 * timer_mode, altp2m, and Arm's gic_version and tee, which xl reads on
 * any host) and the device model.
 */
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "config/xlcfg_write_int.h"

#define CI(f) offsetof(libxl_domain_config, c_info.f)
#define BI(f) offsetof(libxl_domain_config, b_info.f)

#define T_PV (1u << LIBXL_DOMAIN_TYPE_PV)
#define T_PVH (1u << LIBXL_DOMAIN_TYPE_PVH)
#define T_HVM (1u << LIBXL_DOMAIN_TYPE_HVM)
#define T_ALL (T_PV | T_PVH | T_HVM)

static const struct xlw_field misc_fields[] = {
    {"hap", WK_BOOL, CI(hap), T_ALL},
    {"oos", WK_BOOL, CI(oos), T_ALL},
    {"driver_domain", WK_BOOL, CI(driver_domain), T_ALL},
    {"xend_suspend_evtchn_compat", WK_BOOL, CI(xend_suspend_evtchn_compat),
     T_ALL},
    {"pvshim", WK_BOOL, BI(u.pvh.pvshim), T_PVH},
    {"pvshim_path", WK_STR, BI(u.pvh.pvshim_path), T_PVH},
    {"pvshim_cmdline", WK_STR, BI(u.pvh.pvshim_cmdline), T_PVH},
    {"pvshim_extra", WK_STR, BI(u.pvh.pvshim_extra), T_PVH},
    {"max_grant_frames", WK_U32, BI(max_grant_frames), T_ALL},
    {"max_maptrack_frames", WK_U32, BI(max_maptrack_frames), T_ALL},
    {"max_grant_version", WK_INT, BI(max_grant_version), T_ALL},
    {"e820_host", WK_BOOL, BI(u.pv.e820_host), T_PV},
    {"shadow_memory", WK_MEMKB, BI(shadow_memkb), T_ALL},
    {"nomigrate", WK_BOOL, BI(disable_migrate), T_ALL},
    {"rtc_timeoffset", WK_S32, BI(rtc_timeoffset), T_ALL},
    {"localtime", WK_BOOL, BI(localtime), T_ALL},
    {"videoram", WK_MEMKB, BI(video_memkb), T_ALL},
    {"max_event_channels", WK_U32, BI(event_channels), T_ALL},
    {"acpi", WK_BOOL, BI(acpi), T_ALL},
    {"nestedhvm", WK_BOOL, BI(nested_hvm), T_ALL},
    {"vmtrace_buf_kb", WK_INT, BI(vmtrace_buf_kb), T_ALL},
    {"device_model_override", WK_STR, BI(device_model), T_ALL},
    {"device_model_stubdomain_override", WK_BOOL,
     BI(device_model_stubdomain), T_ALL},
    {"device_model_user", WK_STR, BI(device_model_user), T_ALL},
    {"device_model_args", WK_STRLIST, BI(extra), T_ALL},
    {"device_model_args_pv", WK_STRLIST, BI(extra_pv), T_ALL},
    {"device_model_args_hvm", WK_STRLIST, BI(extra_hvm), T_ALL},
    {"device_model_stubdomain_seclabel", WK_STR,
     BI(device_model_ssid_label), T_ALL},
    {"stubdomain_kernel", WK_STR, BI(stubdomain_kernel), T_ALL},
    {"stubdomain_cmdline", WK_STR, BI(stubdomain_cmdline), T_ALL},
    {"stubdomain_ramdisk", WK_STR, BI(stubdomain_ramdisk), T_ALL},
    {"stubdomain_memory", WK_MEMKB, BI(stubdomain_memkb), T_ALL},
    {"dm_restrict", WK_BOOL, BI(dm_restrict), T_ALL},
    {"msr_relaxed", WK_BOOL, BI(arch_x86.msr_relaxed), T_ALL},
    {"vpmu", WK_BOOL, BI(vpmu), T_ALL},
};

void xlw_fields(struct xlw *w, const struct xlw_field *f, size_t n)
{
    unsigned type = 1u << w->dc->c_info.type;

    for (size_t i = 0; i < n; i++) {
        const void *p = (const char *)w->dc + f[i].off;
        const void *d = (const char *)&w->dflt + f[i].off;
        long long mib;

        if (!(f[i].types & type))
            continue;
        switch (f[i].kind) {
        case WK_STR:
            xlw_str(w, f[i].key, *(char *const *)p);
            break;
        case WK_BOOL:
            xlw_bool(w, f[i].key, *(const libxl_defbool *)p);
            break;
        case WK_INT:
            if (*(const int *)p != *(const int *)d)
                xlw_num(w, f[i].key, *(const int *)p);
            break;
        case WK_U32:
            if (*(const uint32_t *)p != *(const uint32_t *)d)
                xlw_num(w, f[i].key, *(const uint32_t *)p);
            break;
        case WK_S32:   /* a uint32 that xl.cfg gives as a signed number */
            if (*(const uint32_t *)p != *(const uint32_t *)d)
                xlw_num(w, f[i].key, (int32_t)*(const uint32_t *)p);
            break;
        case WK_MEMKB:
            if (*(const uint64_t *)p != *(const uint64_t *)d &&
                xlw_mib(w, f[i].key, *(const uint64_t *)p, &mib))
                xlw_num(w, f[i].key, mib);
            break;
        case WK_STRLIST: {
            char *const *sl = *(char **const *)p;
            struct xlw_list l;
            xlw_list_start(w, &l);
            for (int k = 0; sl && sl[k]; k++)
                xlw_list_add(&l, sl[k]);
            xlw_list_end(&l, f[i].key, sl != NULL);
            break;
        }
        }
    }
}

/* A mode by the name libxl gives it, unless it is the default. */
static void mode(struct xlw *w, const char *key, int v, int dflt,
                 const char *name)
{
    if (v == dflt)
        return;
    if (!name)
        xlw_fail(w, "%s: mode %d has no name", key, v);
    xlw_str(w, key, name);
}

void xlw_misc(struct xlw *w)
{
    const libxl_domain_build_info *bi = &w->dc->b_info;
    const libxl_domain_build_info *d = &w->dflt.b_info;

    xlw_fields(w, misc_fields, sizeof(misc_fields) / sizeof(misc_fields[0]));
    mode(w, "tsc_mode", bi->tsc_mode, d->tsc_mode,
         libxl_tsc_mode_to_string(bi->tsc_mode));
    if (bi->timer_mode != d->timer_mode && bi->type == LIBXL_DOMAIN_TYPE_PV)
        xlw_fail(w, "timer_mode: a PV domain has none");
    mode(w, "timer_mode", bi->timer_mode, d->timer_mode,
         libxl_timer_mode_to_string(bi->timer_mode));
    mode(w, "altp2m", bi->altp2m, d->altp2m,
         libxl_altp2m_mode_to_string(bi->altp2m));
    mode(w, "gic_version", bi->arch_arm.gic_version,
         d->arch_arm.gic_version,
         libxl_gic_version_to_string(bi->arch_arm.gic_version));
    mode(w, "tee", bi->tee, d->tee, libxl_tee_type_to_string(bi->tee));
    switch (bi->device_model_version) {
    case LIBXL_DEVICE_MODEL_VERSION_QEMU_XEN:
        xlw_str(w, "device_model_version", "qemu-xen");
        break;
    case LIBXL_DEVICE_MODEL_VERSION_QEMU_XEN_TRADITIONAL:
        xlw_str(w, "device_model_version", "qemu-xen-traditional");
        break;
    default:
        if (bi->device_model_version != d->device_model_version)
            xlw_fail(w, "device_model_version: %s cannot be written",
                     libxl_device_model_version_to_string(
                         bi->device_model_version));
    }
    /* xl sets these for every domain; xl.cfg has no key to clear them. */
    if (!libxl_defbool_is_default(bi->claim_mode) &&
        !libxl_defbool_val(bi->claim_mode))
        xlw_fail(w, "claim_mode: False cannot be set in xl.cfg (it is "
                 "xl.conf's claim_mode)");
    if (!libxl_defbool_is_default(w->dc->c_info.run_hotplug_scripts) &&
        !libxl_defbool_val(w->dc->c_info.run_hotplug_scripts))
        xlw_fail(w, "run_hotplug_scripts: False cannot be set in xl.cfg "
                 "(it is xl.conf's run_hotplug_scripts)");
}
