/*
 * xlcfg_write.c - xl.cfg text from a libxl_domain_config (xlcfg_write.h):
 * the order of the parts, and the domain itself: identity, memory, vCPUs,
 * affinity, scheduling, boot and shutdown actions.
 */
#include <stdlib.h>
#include <string.h>

#include "config/xlcfg_names.h"
#include "config/xlcfg_write_int.h"

/* ---- identity ---- */

void xlw_identity(struct xlw *w)
{
    const libxl_domain_create_info *ci = &w->dc->c_info;
    const libxl_domain_build_info *bi = &w->dc->b_info;
    char uuid[LIBXL_UUID_FMTLEN + 1];

    if (!ci->name || !ci->name[0])
        xlw_fail(w, "name: a domain needs a name");
    xlw_str(w, "name", ci->name);
    if (!libxl_uuid_is_nil(&ci->uuid)) {
        snprintf(uuid, sizeof(uuid), LIBXL_UUID_FMT,
                 LIBXL_UUID_BYTES(ci->uuid));
        xlw_str(w, "uuid", uuid);
    }
    switch (ci->type) {
    case LIBXL_DOMAIN_TYPE_PV:
    case LIBXL_DOMAIN_TYPE_PVH:
    case LIBXL_DOMAIN_TYPE_HVM:
        xlw_str(w, "type", libxl_domain_type_to_string(ci->type));
        break;
    default:
        xlw_fail(w, "type: the domain has no type (pv, pvh or hvm)");
    }
    if (bi->type != ci->type)
        xlw_fail(w, "type: the build info's type (%s) is not the domain's "
                 "(%s)", libxl_domain_type_to_string(bi->type),
                 libxl_domain_type_to_string(ci->type));
    /* With an initial label, seclabel is the one the domain switches to. */
    if (bi->exec_ssid_label) {
        if (!ci->ssid_label)
            xlw_fail(w, "seclabel: an exec label (\"%s\") needs an initial "
                     "label, which is missing", bi->exec_ssid_label);
        xlw_str(w, "init_seclabel", ci->ssid_label);
        xlw_str(w, "seclabel", bi->exec_ssid_label);
    } else {
        xlw_str(w, "seclabel", ci->ssid_label);
    }
    if (ci->ssidref || bi->exec_ssidref)
        xlw_fail(w, "seclabel: a numeric ssidref cannot be written; xl.cfg "
                 "names labels");
    xlw_str(w, "pool", ci->pool_name);
}

/* ---- memory, vCPUs, affinity, scheduling ---- */

static void memory(struct xlw *w)
{
    const libxl_domain_build_info *bi = &w->dc->b_info;
    long long mem = 0, max;

    if (bi->target_memkb != LIBXL_MEMKB_DEFAULT &&
        xlw_mib(w, "memory", bi->target_memkb, &mem))
        xlw_num(w, "memory", mem);
    if (bi->max_memkb != bi->target_memkb &&
        bi->max_memkb != LIBXL_MEMKB_DEFAULT &&
        xlw_mib(w, "maxmem", bi->max_memkb, &max)) {
        if (max < mem)
            xlw_fail(w, "maxmem: %lld MiB is less than memory (%lld MiB)",
                     max, mem);
        xlw_num(w, "maxmem", max);
    }
    if (bi->max_memkb == LIBXL_MEMKB_DEFAULT &&
        bi->target_memkb != LIBXL_MEMKB_DEFAULT)
        xlw_fail(w, "maxmem: left to libxl while memory is set, which "
                 "xl.cfg cannot say (maxmem defaults to memory)");
}

static void vcpus(struct xlw *w)
{
    const libxl_domain_build_info *bi = &w->dc->b_info;
    int n = xlw_bits(&bi->avail_vcpus);

    for (int i = 0; i < n; i++)
        if (!libxl_bitmap_test(&bi->avail_vcpus, i)) {
            xlw_fail(w, "vcpus: the vCPUs online are not 0 to %d, which "
                     "xl.cfg cannot say", n - 1);
            return;
        }
    if (n)
        xlw_num(w, "vcpus", n);
    if (bi->max_vcpus != n) {
        if (bi->max_vcpus < n)
            xlw_fail(w, "maxvcpus: %d is less than vcpus (%d)",
                     bi->max_vcpus, n);
        xlw_num(w, "maxvcpus", bi->max_vcpus);
    }
}

/*
 * cpus = "LIST" gives every vCPU the same map; cpus = [ ... ] one map per
 * vCPU and turns NUMA placement off (as does cpus_soft in either form).
 */
static void affinity(struct xlw *w, const char *key, const libxl_bitmap *maps,
                     int n, bool hard)
{
    const libxl_domain_build_info *bi = &w->dc->b_info;
    bool same = n == bi->max_vcpus;
    struct xlw_list l;

    if (n == 0) {
        /* Placement off and no map: a list whose items go beyond the last
         * vCPU (xl keeps none of them) turns it off, when there is no vCPU
         * at all.  With vCPUs, a list would give vCPU 0 a map. */
        if (hard && !libxl_defbool_is_default(bi->numa_placement) &&
            !libxl_defbool_val(bi->numa_placement) &&
            bi->num_vcpu_soft_affinity == 0 && bi->num_vnuma_nodes == 0) {
            if (bi->max_vcpus > 0)
                xlw_fail(w, "numa_placement: False with no affinity map for "
                         "%d vCPUs cannot be written (xl turns it off with "
                         "a cpus list, which would map vCPU 0)",
                         bi->max_vcpus);
            xlw_list_start(w, &l);
            xlw_list_add(&l, "all");
            xlw_list_end(&l, key, true);
        }
        return;
    }
    for (int i = 1; same && i < n; i++)
        same = xlw_bitmap_equal(&maps[0], &maps[i]);
    /* A string for hard affinity leaves NUMA placement alone: when it is
     * off and no soft affinity turns it off, the list form must. */
    if (hard && !libxl_defbool_is_default(bi->numa_placement) &&
        !libxl_defbool_val(bi->numa_placement) &&
        bi->num_vcpu_soft_affinity == 0)
        same = false;
    if (n > bi->max_vcpus)
        xlw_fail(w, "%s: %d maps for %d vCPUs", key, n, bi->max_vcpus);
    xlw_list_start(w, &l);
    for (int i = 0; i < (same ? 1 : n); i++) {
        char *text = xlw_cpulist(&maps[i]);
        if (text && !text[0])
            xlw_fail(w, "%s: vCPU %d may run on no CPU", key, i);
        if (same)
            xlw_str(w, key, text);
        else
            xlw_list_add(&l, text);
        free(text);
    }
    xlw_list_end(&l, key, false);
}

static void sched(struct xlw *w)
{
    const libxl_domain_sched_params *sp = &w->dc->b_info.sched_params;
    const libxl_domain_sched_params *d = &w->dflt.b_info.sched_params;

    if (sp->sched != d->sched)
        xlw_fail(w, "sched_params: a scheduler (%s) cannot be chosen per "
                 "domain in xl.cfg; it comes from the pool",
                 libxl_scheduler_to_string(sp->sched));
    if (sp->weight != d->weight)
        xlw_num(w, "cpu_weight", sp->weight);
    if (sp->cap != d->cap)
        xlw_num(w, "cap", sp->cap);
    if (sp->period != d->period)
        xlw_num(w, "period", sp->period);
    if (sp->slice != d->slice)
        xlw_num(w, "slice", sp->slice);
    if (sp->latency != d->latency)
        xlw_num(w, "latency", sp->latency);
    if (sp->extratime != d->extratime)
        xlw_num(w, "extratime", sp->extratime);
    if (sp->budget != d->budget)
        xlw_fail(w, "sched_params: a budget (%d) cannot be set in xl.cfg",
                 sp->budget);
}

void xlw_resources(struct xlw *w)
{
    const libxl_domain_build_info *bi = &w->dc->b_info;

    memory(w);
    vcpus(w);
    affinity(w, "cpus", bi->vcpu_hard_affinity, bi->num_vcpu_hard_affinity,
             true);
    affinity(w, "cpus_soft", bi->vcpu_soft_affinity,
             bi->num_vcpu_soft_affinity, false);
    /* xl turns NUMA placement off with a list (affinity() writes one
     * whenever placement is off) or soft affinity, or with a vNUMA node's
     * pnode (xlcfg_write_numa.c); it never turns it on. */
    if (!libxl_defbool_is_default(bi->numa_placement) &&
        libxl_defbool_val(bi->numa_placement))
        xlw_fail(w, "numa_placement: True cannot be set in xl.cfg (xl only "
                 "turns it off)");
    sched(w);
}

/* ---- boot ---- */

void xlw_boot(struct xlw *w)
{
    const libxl_domain_build_info *bi = &w->dc->b_info;
    struct xlw_list l;

    xlw_str(w, "kernel", bi->kernel);
    xlw_str(w, "ramdisk", bi->ramdisk);
    xlw_str(w, "cmdline", bi->cmdline);
    xlw_str(w, "device_tree", bi->device_tree);
    xlw_str(w, "bootloader", bi->bootloader);
    xlw_list_start(w, &l);
    for (int i = 0; bi->bootloader_args && bi->bootloader_args[i]; i++)
        xlw_list_add(&l, bi->bootloader_args[i]);
    xlw_list_end(&l, "bootloader_args", bi->bootloader_args != NULL);
    if (bi->type != LIBXL_DOMAIN_TYPE_HVM && !bi->kernel && !bi->bootloader)
        xlw_fail(w, "kernel: a %s domain needs a kernel or a bootloader",
                 bi->type == LIBXL_DOMAIN_TYPE_PV ? "PV" : "PVH");
}

/* ---- shutdown actions ---- */

/* `key` unless it is xl's default `dflt`. */
static void action(struct xlw *w, const char *key,
                   libxl_action_on_shutdown a, libxl_action_on_shutdown dflt)
{
    const char *name = xlcfg_action_name(a);

    if (a == dflt)
        return;
    if (name)
        xlw_str(w, key, name);
    else
        xlw_fail(w, "%s: action %d has no name in xl.cfg", key, (int)a);
}

void xlw_actions(struct xlw *w)
{
    const libxl_domain_config *dc = w->dc;

    action(w, "on_poweroff", dc->on_poweroff,
           LIBXL_ACTION_ON_SHUTDOWN_DESTROY);
    action(w, "on_reboot", dc->on_reboot, LIBXL_ACTION_ON_SHUTDOWN_RESTART);
    action(w, "on_watchdog", dc->on_watchdog,
           LIBXL_ACTION_ON_SHUTDOWN_DESTROY);
    action(w, "on_crash", dc->on_crash, LIBXL_ACTION_ON_SHUTDOWN_DESTROY);
    action(w, "on_soft_reset", dc->on_soft_reset,
           LIBXL_ACTION_ON_SHUTDOWN_SOFT_RESET);
}

/* ---- the whole file ---- */

typedef void xlw_part(struct xlw *w);

/* Parts in file order; NULL draws a blank line between groups. */
static xlw_part *const parts[] = {
    xlw_identity, NULL,
    xlw_resources, xlw_numa, NULL,
    xlw_boot, NULL,
    xlw_misc, xlw_cpuid, NULL,
    xlw_hvm, NULL,
    xlw_actions, NULL,
    xlw_disks, xlw_nics, xlw_vfbs, xlw_vdevs, xlw_passthrough,
};

char *xlcfg_write(const libxl_domain_config *cfg, struct xn_msg *msg)
{
    struct xlw w = {.dc = cfg, .msg = msg};

    xn_msg_clear(msg);
    libxl_domain_config_init(&w.dflt);
    w.dflt.c_info.type = cfg->c_info.type;
    if (cfg->c_info.type != LIBXL_DOMAIN_TYPE_INVALID)
        libxl_domain_build_info_init_type(&w.dflt.b_info, cfg->c_info.type);
    w.out = open_memstream(&w.buf, &w.len);
    if (!w.out) {
        xn_msg_set(msg, XN_ENOMEM, "out of memory");
        libxl_domain_config_dispose(&w.dflt);
        return NULL;
    }
    for (size_t i = 0; i < sizeof(parts) / sizeof(parts[0]); i++) {
        if (parts[i])
            parts[i](&w);
        else
            xlw_blank(&w);
    }
    if (fclose(w.out) != 0 && w.rc == 0) {
        w.rc = XN_ENOMEM;
        xn_msg_set(msg, XN_ENOMEM, "out of memory");
    }
    libxl_domain_config_dispose(&w.dflt);
    if (w.rc != 0) {
        free(w.buf);
        return NULL;
    }
    /* No blank line at the end. */
    while (w.len >= 2 && w.buf[w.len - 1] == '\n' && w.buf[w.len - 2] == '\n')
        w.buf[--w.len] = '\0';
    return w.buf;
}
