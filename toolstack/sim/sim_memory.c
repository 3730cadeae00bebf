/*
 * sim_memory.c - hv_need_memory on the simulated host: the formula libxl
 * 4.17 applies (libxl_domain_need_memory), so that a domain needs as much
 * memory here as it would on Xen:
 *
 *   target + paging (shadow/p2m) + IOMMU tables + extra, rounded up to 2 MiB
 *   paging  = shadow_memory when the file sets it, else
 *             4 KiB * (256 per vCPU + (non-PV + no HAP) per MiB of maxmem)
 *   extra   = 1 MiB for PV, 2 MiB for PVH and HVM (+ 32 MiB with a device
 *             model stub domain)
 *
 * xenith refuses passthrough devices, so the IOMMU part is always 0.
 */
#include "sim/sim_drv.h"

#define PV_EXTRA_KB 1024
#define HVM_EXTRA_KB 2048
#define STUBDOM_KB (32 * 1024)

/* libxl's defaults: 32 MiB when the file gives no size, target = max. */
static uint64_t max_kb(const libxl_domain_build_info *b)
{
    return b->max_memkb == LIBXL_MEMKB_DEFAULT ? 32 * 1024 : b->max_memkb;
}

static uint64_t target_kb(const libxl_domain_build_info *b)
{
    return b->target_memkb == LIBXL_MEMKB_DEFAULT ? max_kb(b)
                                                  : b->target_memkb;
}

static uint64_t paging_kb(const libxl_domain_config *cfg)
{
    const libxl_domain_build_info *b = &cfg->b_info;
    bool pv = cfg->c_info.type == LIBXL_DOMAIN_TYPE_PV;
    bool hap = !pv && (libxl_defbool_is_default(cfg->c_info.hap) ||
                       libxl_defbool_val(cfg->c_info.hap));
    uint64_t vcpus = b->max_vcpus > 0 ? (uint64_t)b->max_vcpus : 1;

    if (b->shadow_memkb != LIBXL_MEMKB_DEFAULT)
        return b->shadow_memkb;
    return 4 * (256 * vcpus + (uint64_t)(!pv + !hap) * (max_kb(b) / 1024));
}

int simdrv_need_memory(struct hv *hv, const libxl_domain_config *cfg,
                       uint64_t *need_kb_r, struct xn_msg *msg)
{
    const libxl_domain_build_info *b = &cfg->b_info;
    uint64_t need;

    (void)hv;
    need = target_kb(b) + paging_kb(cfg);
    switch (cfg->c_info.type) {
    case LIBXL_DOMAIN_TYPE_PV:
        need += PV_EXTRA_KB;
        break;
    case LIBXL_DOMAIN_TYPE_PVH:
    case LIBXL_DOMAIN_TYPE_HVM:
        need += HVM_EXTRA_KB;
        if (!libxl_defbool_is_default(b->device_model_stubdomain) &&
            libxl_defbool_val(b->device_model_stubdomain))
            need += STUBDOM_KB;
        break;
    default:
        return xn_msg_set(msg, XN_EINVAL, "domain %s: its configuration "
                          "has no domain type", cfg->c_info.name);
    }
    if (need % 2048)
        need += 2048 - need % 2048;
    *need_kb_r = need;
    return 0;
}
