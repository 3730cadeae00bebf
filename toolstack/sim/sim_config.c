/*
 * sim_config.c - reading, copying and synthesising libxl_domain_config
 * without a libxl ctx.  Bitmaps are read and filled directly (`size` bytes
 * at `map`); strings and arrays are malloc'd so libxl's _dispose frees them.
 */
#include "sim/sim_config.h"
#include "hv_libxl.h"

#include <stdlib.h>
#include <string.h>

/* --- bitmaps --- */

static bool bm_test(const libxl_bitmap *b, unsigned i)
{
    return b->map && i < b->size * 8u && (b->map[i / 8] >> (i % 8)) & 1;
}

static unsigned bm_count(const libxl_bitmap *b)
{
    unsigned n = 0;
    for (unsigned i = 0; i < b->size * 8u; i++)
        n += bm_test(b, i);
    return n;
}

static int bm_alloc(libxl_bitmap *b, unsigned nbits)
{
    libxl_bitmap_dispose(b);
    libxl_bitmap_init(b);
    b->size = nbits ? (nbits + 7) / 8 : 1;
    b->map = calloc(b->size, 1);
    if (!b->map) {
        b->size = 0;
        return XN_ENOMEM;
    }
    return 0;
}

static int bm_copy(libxl_bitmap *dst, const libxl_bitmap *src)
{
    libxl_bitmap_init(dst);
    if (!src->map || !src->size)
        return 0;
    dst->map = malloc(src->size);
    if (!dst->map)
        return XN_ENOMEM;
    memcpy(dst->map, src->map, src->size);
    dst->size = src->size;
    return 0;
}

static int bm_from_cpuset(libxl_bitmap *b, const struct cpuset *s,
                          unsigned nbits)
{
    int rc = bm_alloc(b, nbits);
    for (unsigned i = 0; rc == 0 && i < nbits; i++)
        if (cpuset_has(s, i))
            b->map[i / 8] |= (uint8_t)(1u << (i % 8));
    return rc;
}

static void cpuset_from_bm(struct cpuset *s, const libxl_bitmap *b)
{
    cpuset_clear(s);
    for (unsigned i = 0; i < b->size * 8u && i < CPUSET_MAX; i++)
        if (bm_test(b, i))
            cpuset_add(s, i);
}

/* --- reading a configuration --- */

/* One cpuset per vCPU from libxl's per-vCPU list or its single cpumap;
 * NULL *arr_r when neither restricts anything. */
static int affinity_from(const libxl_bitmap *list, int n,
                         const libxl_bitmap *single, uint32_t vmax,
                         struct cpuset **arr_r)
{
    struct cpuset *arr;

    *arr_r = NULL;
    if (n <= 0 && (!single || bm_count(single) == 0))
        return 0;
    arr = calloc(vmax, sizeof(*arr));
    if (!arr)
        return XN_ENOMEM;
    for (uint32_t i = 0; i < vmax; i++) {
        if (n > 0 && i < (uint32_t)n)
            cpuset_from_bm(&arr[i], &list[i]);
        else if (n <= 0)
            cpuset_from_bm(&arr[i], single);
        else
            cpuset_fill(&arr[i], CPUSET_MAX);
    }
    *arr_r = arr;
    return 0;
}

int simcfg_to_spec(struct sim_host *h, const libxl_domain_config *cfg,
                   struct sim_dom_spec *s, struct xn_msg *msg)
{
    const libxl_domain_build_info *b = &cfg->b_info;
    const char *name = cfg->c_info.name ? cfg->c_info.name : "";
    const char *pool = cfg->c_info.pool_name;
    uint64_t target = b->target_memkb, max = b->max_memkb;
    enum hv_sched want = hv_sched_from_libxl(b->sched_params.sched);
    const struct sim_pool *p;
    unsigned online;

    snprintf(s->name, sizeof(s->name), "%s", name);
    s->type = hv_domtype_from_libxl(cfg->c_info.type);
    if (s->type == HV_TYPE_UNKNOWN)
        s->type = hv_domtype_from_libxl(b->type);
    if (s->type == HV_TYPE_UNKNOWN)
        return xn_msg_set(msg, XN_EINVAL, "domain %s has no type (set type "
                          "to pv, pvh or hvm)", name);
    if (!libxl_uuid_is_nil(&cfg->c_info.uuid)) {
        memcpy(s->uuid, libxl_uuid_bytearray_const(&cfg->c_info.uuid), 16);
        s->has_uuid = true;
    }

    /* Memory as libxl defaults it: maxmem 32 MiB, target = maxmem. */
    if (max == LIBXL_MEMKB_DEFAULT)
        max = target != LIBXL_MEMKB_DEFAULT ? target : 32 * 1024;
    if (target == LIBXL_MEMKB_DEFAULT)
        target = max;
    if (target == 0)
        return xn_msg_set(msg, XN_EINVAL, "domain %s has no memory (memory "
                          "= 0)", name);
    s->mem_kb = (target + SIM_PAGE_KB - 1) / SIM_PAGE_KB * SIM_PAGE_KB;
    s->target_kb = target;
    s->max_kb = max > s->mem_kb ? max : s->mem_kb;
    if (max < target)
        return xn_msg_set(msg, XN_EINVAL, "domain %s: memory %llu MiB is "
                          "above maxmem %llu MiB", name,
                          (unsigned long long)(target / 1024),
                          (unsigned long long)(max / 1024));

    s->vcpus_max = b->max_vcpus > 0 ? (uint32_t)b->max_vcpus : 1;
    online = 0;
    for (uint32_t i = 0; i < s->vcpus_max; i++)
        online += bm_test(&b->avail_vcpus, i);
    s->vcpus = online ? online : s->vcpus_max;
    if (affinity_from(b->vcpu_hard_affinity, b->num_vcpu_hard_affinity,
                      &b->cpumap, s->vcpus_max, &s->hard) < 0 ||
        affinity_from(b->vcpu_soft_affinity, b->num_vcpu_soft_affinity,
                      NULL, s->vcpus_max, &s->soft) < 0)
        return xn_msg_set(msg, XN_ENOMEM, "out of memory");

    if (pool && *pool) {
        p = sim_pool_by_name(h, pool);
        if (!p)
            return xn_msg_set(msg, XN_ENOENT, "domain %s: host %s has no "
                              "pool named \"%s\"", name,
                              sim_host_spec(h)->name, pool);
    } else {
        p = sim_pool_get(h, 0);
    }
    s->poolid = p->id;
    if (want != HV_SCHED_UNKNOWN && want != p->sched)
        return xn_msg_set(msg, XN_ENOTSUP, "domain %s asks for %s parameters "
                          "but pool %s runs %s", name, hv_sched_name(want),
                          p->name, hv_sched_name(p->sched));
    s->weight = b->sched_params.weight;
    s->cap = b->sched_params.cap;
    if (s->weight != -1 && (s->weight < 1 || s->weight > 65535))
        return xn_msg_set(msg, XN_EINVAL, "domain %s: weight %d is out of "
                          "range (1-65535)", name, s->weight);
    if (s->cap != -1 && (s->cap < 0 || s->cap > 65535))
        return xn_msg_set(msg, XN_EINVAL, "domain %s: cap %d is out of "
                          "range (0-65535)", name, s->cap);
    return 0;
}

/* --- copying --- */

static int str_copy(char **dst, const char *src)
{
    *dst = NULL;
    if (src && !(*dst = strdup(src)))
        return XN_ENOMEM;
    return 0;
}

/* NULL-terminated string arrays: libxl_string_list and key_value_list. */
static int strv_copy(char ***dst, char *const *src)
{
    size_t n = 0;

    *dst = NULL;
    if (!src)
        return 0;
    while (src[n])
        n++;
    *dst = calloc(n + 1, sizeof(char *));
    if (!*dst)
        return XN_ENOMEM;
    for (size_t i = 0; i < n; i++)
        if (!((*dst)[i] = strdup(src[i])))
            return XN_ENOMEM;
    return 0;
}

static int mem_dup(void **dst, const void *src, size_t n)
{
    *dst = NULL;
    if (!src || !n)
        return 0;
    *dst = malloc(n);
    if (!*dst)
        return XN_ENOMEM;
    memcpy(*dst, src, n);
    return 0;
}

#define TRY(x) do { if ((x) < 0) return XN_ENOMEM; } while (0)

static int copy_c_info(libxl_domain_create_info *d,
                       const libxl_domain_create_info *s)
{
    d->type = s->type;
    d->hap = s->hap;
    d->oos = s->oos;
    d->ssidref = s->ssidref;
    d->domid = s->domid;
    d->uuid = s->uuid;
    d->poolid = s->poolid;
    d->run_hotplug_scripts = s->run_hotplug_scripts;
    d->driver_domain = s->driver_domain;
    d->passthrough = s->passthrough;
    d->xend_suspend_evtchn_compat = s->xend_suspend_evtchn_compat;
    TRY(str_copy(&d->ssid_label, s->ssid_label));
    TRY(str_copy(&d->name, s->name));
    TRY(str_copy(&d->pool_name, s->pool_name));
    TRY(strv_copy(&d->xsdata, s->xsdata));
    TRY(strv_copy(&d->platformdata, s->platformdata));
    return 0;
}

static int copy_affinity(libxl_bitmap **dst, int *n_dst,
                         const libxl_bitmap *src, int n)
{
    *dst = NULL;
    *n_dst = 0;
    if (n <= 0 || !src)
        return 0;
    *dst = calloc((size_t)n, sizeof(**dst));
    if (!*dst)
        return XN_ENOMEM;
    *n_dst = n;
    for (int i = 0; i < n; i++)
        TRY(bm_copy(&(*dst)[i], &src[i]));
    return 0;
}

static int copy_hvm(libxl_domain_build_info *d,
                    const libxl_domain_build_info *s)
{
    typeof(d->u.hvm) *dh = &d->u.hvm;
    const typeof(s->u.hvm) *sh = &s->u.hvm;

    dh->bios = sh->bios;
    dh->pae = sh->pae;
    dh->apic = sh->apic;
    dh->acpi = sh->acpi;
    dh->acpi_s3 = sh->acpi_s3;
    dh->acpi_s4 = sh->acpi_s4;
    dh->acpi_laptop_slate = sh->acpi_laptop_slate;
    dh->nx = sh->nx;
    dh->viridian = sh->viridian;
    dh->hpet = sh->hpet;
    dh->vpt_align = sh->vpt_align;
    dh->mmio_hole_memkb = sh->mmio_hole_memkb;
    dh->timer_mode = sh->timer_mode;
    dh->nested_hvm = sh->nested_hvm;
    dh->altp2m = sh->altp2m;
    dh->hdtype = sh->hdtype;
    dh->nographic = sh->nographic;
    dh->vga = sh->vga;
    dh->vnc.enable = sh->vnc.enable;
    dh->vnc.display = sh->vnc.display;
    dh->vnc.findunused = sh->vnc.findunused;
    dh->sdl.enable = sh->sdl.enable;
    dh->sdl.opengl = sh->sdl.opengl;
    dh->gfx_passthru = sh->gfx_passthru;
    dh->gfx_passthru_kind = sh->gfx_passthru_kind;
    dh->usb = sh->usb;
    dh->usbversion = sh->usbversion;
    dh->vkb_device = sh->vkb_device;
    dh->xen_platform_pci = sh->xen_platform_pci;
    dh->vendor_device = sh->vendor_device;
    dh->ms_vm_genid = sh->ms_vm_genid;
    dh->rdm = sh->rdm;
    dh->rdm_mem_boundary_memkb = sh->rdm_mem_boundary_memkb;
    dh->mca_caps = sh->mca_caps;
    TRY(str_copy(&dh->firmware, sh->firmware));
    TRY(str_copy(&dh->timeoffset, sh->timeoffset));
    TRY(str_copy(&dh->system_firmware, sh->system_firmware));
    TRY(str_copy(&dh->smbios_firmware, sh->smbios_firmware));
    TRY(str_copy(&dh->acpi_firmware, sh->acpi_firmware));
    TRY(str_copy(&dh->keymap, sh->keymap));
    TRY(str_copy(&dh->serial, sh->serial));
    TRY(str_copy(&dh->boot, sh->boot));
    TRY(str_copy(&dh->usbdevice, sh->usbdevice));
    TRY(str_copy(&dh->soundhw, sh->soundhw));
    TRY(str_copy(&dh->vnc.listen, sh->vnc.listen));
    TRY(str_copy(&dh->vnc.passwd, sh->vnc.passwd));
    TRY(str_copy(&dh->sdl.display, sh->sdl.display));
    TRY(str_copy(&dh->sdl.xauthority, sh->sdl.xauthority));
    TRY(bm_copy(&dh->viridian_enable, &sh->viridian_enable));
    TRY(bm_copy(&dh->viridian_disable, &sh->viridian_disable));
    TRY(strv_copy(&dh->usbdevice_list, sh->usbdevice_list));
    TRY(strv_copy(&dh->serial_list, sh->serial_list));
    return 0;
}

static int copy_b_info(libxl_domain_build_info *d,
                       const libxl_domain_build_info *s)
{
    char *features = NULL;

    libxl_domain_build_info_dispose(d);
    libxl_domain_build_info_init(d);
    libxl_domain_build_info_init_type(d, s->type);
    d->max_vcpus = s->max_vcpus;
    d->numa_placement = s->numa_placement;
    d->tsc_mode = s->tsc_mode;
    d->max_memkb = s->max_memkb;
    d->target_memkb = s->target_memkb;
    d->video_memkb = s->video_memkb;
    d->shadow_memkb = s->shadow_memkb;
    d->iommu_memkb = s->iommu_memkb;
    d->rtc_timeoffset = s->rtc_timeoffset;
    d->exec_ssidref = s->exec_ssidref;
    d->localtime = s->localtime;
    d->disable_migrate = s->disable_migrate;
    d->max_grant_frames = s->max_grant_frames;
    d->max_maptrack_frames = s->max_maptrack_frames;
    d->max_grant_version = s->max_grant_version;
    d->device_model_version = s->device_model_version;
    d->device_model_stubdomain = s->device_model_stubdomain;
    d->stubdomain_memkb = s->stubdomain_memkb;
    d->device_model_ssidref = s->device_model_ssidref;
    d->sched_params = s->sched_params;
    d->claim_mode = s->claim_mode;
    d->event_channels = s->event_channels;
    d->acpi = s->acpi;
    d->timer_mode = s->timer_mode;
    d->nested_hvm = s->nested_hvm;
    d->apic = s->apic;
    d->dm_restrict = s->dm_restrict;
    d->tee = s->tee;
    d->arch_arm = s->arch_arm;
    d->arch_x86 = s->arch_x86;
    d->altp2m = s->altp2m;
    d->vmtrace_buf_kb = s->vmtrace_buf_kb;
    d->vpmu = s->vpmu;
    TRY(bm_copy(&d->avail_vcpus, &s->avail_vcpus));
    TRY(bm_copy(&d->cpumap, &s->cpumap));
    TRY(bm_copy(&d->nodemap, &s->nodemap));
    TRY(copy_affinity(&d->vcpu_hard_affinity, &d->num_vcpu_hard_affinity,
                      s->vcpu_hard_affinity, s->num_vcpu_hard_affinity));
    TRY(copy_affinity(&d->vcpu_soft_affinity, &d->num_vcpu_soft_affinity,
                      s->vcpu_soft_affinity, s->num_vcpu_soft_affinity));
    TRY(str_copy(&d->exec_ssid_label, s->exec_ssid_label));
    TRY(str_copy(&d->blkdev_start, s->blkdev_start));
    TRY(str_copy(&d->stubdomain_kernel, s->stubdomain_kernel));
    TRY(str_copy(&d->stubdomain_cmdline, s->stubdomain_cmdline));
    TRY(str_copy(&d->stubdomain_ramdisk, s->stubdomain_ramdisk));
    TRY(str_copy(&d->device_model, s->device_model));
    TRY(str_copy(&d->device_model_ssid_label, s->device_model_ssid_label));
    TRY(str_copy(&d->device_model_user, s->device_model_user));
    TRY(strv_copy(&d->extra, s->extra));
    TRY(strv_copy(&d->extra_pv, s->extra_pv));
    TRY(strv_copy(&d->extra_hvm, s->extra_hvm));
    TRY(str_copy(&d->kernel, s->kernel));
    TRY(str_copy(&d->cmdline, s->cmdline));
    TRY(str_copy(&d->ramdisk, s->ramdisk));
    TRY(str_copy(&d->device_tree, s->device_tree));
    TRY(str_copy(&d->bootloader, s->bootloader));
    TRY(strv_copy(&d->bootloader_args, s->bootloader_args));
    TRY(mem_dup((void **)&d->ioports, s->ioports,
                (size_t)(s->num_ioports > 0 ? s->num_ioports : 0) *
                    sizeof(*s->ioports)));
    d->num_ioports = d->ioports ? s->num_ioports : 0;
    TRY(mem_dup((void **)&d->irqs, s->irqs,
                (size_t)(s->num_irqs > 0 ? s->num_irqs : 0) *
                    sizeof(*s->irqs)));
    d->num_irqs = d->irqs ? s->num_irqs : 0;
    TRY(mem_dup((void **)&d->iomem, s->iomem,
                (size_t)(s->num_iomem > 0 ? s->num_iomem : 0) *
                    sizeof(*s->iomem)));
    d->num_iomem = d->iomem ? s->num_iomem : 0;

    switch (s->type) {
    case LIBXL_DOMAIN_TYPE_HVM:
        return copy_hvm(d, s);
    case LIBXL_DOMAIN_TYPE_PV:
        d->u.pv.slack_memkb = s->u.pv.slack_memkb;
        d->u.pv.e820_host = s->u.pv.e820_host;
        TRY(str_copy(&d->u.pv.kernel, s->u.pv.kernel));
        TRY(str_copy(&d->u.pv.bootloader, s->u.pv.bootloader));
        TRY(strv_copy(&d->u.pv.bootloader_args, s->u.pv.bootloader_args));
        TRY(str_copy(&d->u.pv.cmdline, s->u.pv.cmdline));
        TRY(str_copy(&d->u.pv.ramdisk, s->u.pv.ramdisk));
        TRY(str_copy(&features, s->u.pv.features));
        d->u.pv.features = features;
        return 0;
    case LIBXL_DOMAIN_TYPE_PVH:
        d->u.pvh.pvshim = s->u.pvh.pvshim;
        TRY(str_copy(&d->u.pvh.pvshim_path, s->u.pvh.pvshim_path));
        TRY(str_copy(&d->u.pvh.pvshim_cmdline, s->u.pvh.pvshim_cmdline));
        TRY(str_copy(&d->u.pvh.pvshim_extra, s->u.pvh.pvshim_extra));
        return 0;
    default:
        return 0;
    }
}

static int copy_disk(libxl_device_disk *d, const libxl_device_disk *s)
{
    libxl_device_disk_init(d);
    d->backend_domid = s->backend_domid;
    d->backend = s->backend;
    d->format = s->format;
    d->removable = s->removable;
    d->readwrite = s->readwrite;
    d->is_cdrom = s->is_cdrom;
    d->direct_io_safe = s->direct_io_safe;
    d->discard_enable = s->discard_enable;
    d->specification = s->specification;
    d->transport = s->transport;
    d->irq = s->irq;
    d->base = s->base;
    d->colo_enable = s->colo_enable;
    d->colo_restore_enable = s->colo_restore_enable;
    d->colo_port = s->colo_port;
    d->trusted = s->trusted;
    TRY(str_copy(&d->backend_domname, s->backend_domname));
    TRY(str_copy(&d->pdev_path, s->pdev_path));
    TRY(str_copy(&d->vdev, s->vdev));
    TRY(str_copy(&d->script, s->script));
    TRY(str_copy(&d->colo_host, s->colo_host));
    TRY(str_copy(&d->colo_export, s->colo_export));
    TRY(str_copy(&d->active_disk, s->active_disk));
    TRY(str_copy(&d->hidden_disk, s->hidden_disk));
    return 0;
}

static int copy_nic(libxl_device_nic *d, const libxl_device_nic *s)
{
    libxl_device_nic_init(d);
    d->backend_domid = s->backend_domid;
    d->devid = s->devid;
    d->mtu = s->mtu;
    memcpy(d->mac, s->mac, sizeof(d->mac));
    d->nictype = s->nictype;
    d->rate_bytes_per_interval = s->rate_bytes_per_interval;
    d->rate_interval_usecs = s->rate_interval_usecs;
    TRY(str_copy(&d->backend_domname, s->backend_domname));
    TRY(str_copy(&d->model, s->model));
    TRY(str_copy(&d->ip, s->ip));
    TRY(str_copy(&d->bridge, s->bridge));
    TRY(str_copy(&d->ifname, s->ifname));
    TRY(str_copy(&d->script, s->script));
    TRY(str_copy(&d->gatewaydev, s->gatewaydev));
    return 0;
}

static int copy_devices(libxl_domain_config *dst,
                        const libxl_domain_config *src)
{
    if (src->num_disks > 0 && src->disks) {
        dst->disks = calloc((size_t)src->num_disks, sizeof(*dst->disks));
        if (!dst->disks)
            return XN_ENOMEM;
        dst->num_disks = src->num_disks;
        for (int i = 0; i < src->num_disks; i++)
            TRY(copy_disk(&dst->disks[i], &src->disks[i]));
    }
    if (src->num_nics > 0 && src->nics) {
        dst->nics = calloc((size_t)src->num_nics, sizeof(*dst->nics));
        if (!dst->nics)
            return XN_ENOMEM;
        dst->num_nics = src->num_nics;
        for (int i = 0; i < src->num_nics; i++)
            TRY(copy_nic(&dst->nics[i], &src->nics[i]));
    }
    return 0;
}

int simcfg_copy(libxl_domain_config *dst, const libxl_domain_config *src)
{
    libxl_domain_config_dispose(dst);
    libxl_domain_config_init(dst);
    if (copy_c_info(&dst->c_info, &src->c_info) < 0 ||
        copy_b_info(&dst->b_info, &src->b_info) < 0 ||
        copy_devices(dst, src) < 0) {
        libxl_domain_config_dispose(dst);
        libxl_domain_config_init(dst);
        return XN_ENOMEM;
    }
    dst->on_poweroff = src->on_poweroff;
    dst->on_reboot = src->on_reboot;
    dst->on_watchdog = src->on_watchdog;
    dst->on_crash = src->on_crash;
    dst->on_soft_reset = src->on_soft_reset;
    return 0;
}

char *simcfg_to_json(libxl_domain_config *cfg)
{
    /* libxl takes the ctx only to log a failure, which a well-formed
     * config cannot have. */
    return libxl_domain_config_to_json(NULL, cfg);
}

/* --- a domain's configuration now --- */

/* Per-vCPU hard affinity, when any vCPU is pinned below the host. */
static int live_affinity(struct sim_host *h, const struct sim_dom *d,
                         libxl_domain_build_info *b)
{
    unsigned ncpus = sim_host_spec(h)->nr_cpus;
    struct cpuset all;
    bool pinned = false;

    cpuset_fill(&all, ncpus);
    for (uint32_t i = 0; i < d->vcpus_max; i++)
        pinned |= !cpuset_equal(&d->vcpus[i].hard, &all);
    if (!pinned)
        return 0;
    for (int i = 0; i < b->num_vcpu_hard_affinity; i++)
        libxl_bitmap_dispose(&b->vcpu_hard_affinity[i]);
    free(b->vcpu_hard_affinity);
    b->vcpu_hard_affinity = calloc(d->vcpus_max,
                                   sizeof(*b->vcpu_hard_affinity));
    b->num_vcpu_hard_affinity = 0;
    if (!b->vcpu_hard_affinity)
        return XN_ENOMEM;
    b->num_vcpu_hard_affinity = (int)d->vcpus_max;
    for (uint32_t i = 0; i < d->vcpus_max; i++)
        TRY(bm_from_cpuset(&b->vcpu_hard_affinity[i], &d->vcpus[i].hard,
                           ncpus));
    return 0;
}

/* The PCI devices the model has given d, as libxl lists them. */
static int live_pci(struct sim_host *h, const struct sim_dom *d,
                    libxl_domain_config *c)
{
    uint32_t n = sim_pci_dom_count(h, d->domid), j = 0;

    for (int i = 0; i < c->num_pcidevs; i++)
        libxl_device_pci_dispose(&c->pcidevs[i]);
    free(c->pcidevs);
    c->pcidevs = NULL;
    c->num_pcidevs = 0;
    if (n == 0)
        return 0;
    c->pcidevs = calloc(n, sizeof(*c->pcidevs));
    if (!c->pcidevs)
        return XN_ENOMEM;
    for (uint32_t i = 0; i < sim_pci_count(h) && j < n; i++) {
        const struct sim_pcidev *p = sim_pci_at(h, i);
        libxl_device_pci *x;
        if (p->domid != d->domid)
            continue;
        x = &c->pcidevs[j++];
        libxl_device_pci_init(x);
        x->domain = p->addr.seg;
        x->bus = p->addr.bus;
        x->dev = p->addr.dev;
        x->func = p->addr.fn;
        x->vdevfn = (uint32_t)p->vslot << 3;
    }
    c->num_pcidevs = (int)j;
    return 0;
}

static int live_update(struct sim_host *h, const struct sim_dom *d,
                       libxl_domain_config *c)
{
    libxl_domain_build_info *b = &c->b_info;
    const struct sim_pool *pool = sim_pool_get(h, d->poolid);
    struct cpuset online;

    free(c->c_info.name);
    free(c->c_info.pool_name);
    c->c_info.pool_name = NULL;
    TRY(str_copy(&c->c_info.name, d->name));
    TRY(str_copy(&c->c_info.pool_name, pool->name));
    c->c_info.poolid = pool->id;
    memcpy(libxl_uuid_bytearray(&c->c_info.uuid), d->uuid, 16);
    b->target_memkb = d->target_kb;
    b->max_memkb = d->max_kb;
    b->max_vcpus = (int)d->vcpus_max;
    cpuset_fill(&online, d->vcpus_online);
    TRY(bm_from_cpuset(&b->avail_vcpus, &online, d->vcpus_max));
    b->sched_params.sched = hv_sched_to_libxl(pool->sched);
    b->sched_params.weight = d->weight;
    b->sched_params.cap = d->cap;
    TRY(live_pci(h, d, c));
    return live_affinity(h, d, b);
}

int simcfg_for_dom(struct sim_host *h, const struct sim_dom *d,
                   const libxl_domain_config *base, libxl_domain_config *out,
                   struct xn_msg *msg)
{
    int rc = 0;

    if (base) {
        rc = simcfg_copy(out, base);
    } else {
        libxl_domain_config_dispose(out);
        libxl_domain_config_init(out);
        out->c_info.type = hv_domtype_to_libxl(d->type);
        libxl_domain_build_info_init_type(&out->b_info, out->c_info.type);
    }
    if (rc == 0)
        rc = live_update(h, d, out);
    if (rc < 0)
        return xn_msg_set(msg, XN_ENOMEM, "out of memory");
    return 0;
}
