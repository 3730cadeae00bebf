/*
 * xlcfg_write_pt.c - passthrough: pci = [...], rdm, passthrough,
 * gfx_passthru, and the raw resources dtdev, iomem, ioports and irqs.
 *
 * A PCI device is "[DDDD:]BB:DD.F[@VSLOT]" (F may be '*': every function)
 * or "name=NAME", then options.  Its options are written per device, so
 * the pci_permissive-style defaults of xl.cfg are never needed.
 */
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "config/xlcfg_write_int.h"

/* The BDF (and virtual slot) of a device, or its name. */
static void pci_address(struct xlw_spec *s, const libxl_device_pci *pci)
{
    char bdf[48];
    bool addr = pci->domain || pci->bus || pci->dev || pci->func ||
                pci->vfunc_mask;

    if (pci->name) {
        if (addr)
            xlw_fail(s->w, "pci %d: both a name (\"%s\") and an address; "
                     "xl.cfg takes one or the other", s->item, pci->name);
        xlw_spec_str(s, "name", pci->name);
        if (pci->vdevfn & 7)
            xlw_fail(s->w, "pci %d: virtual devfn %#x is not a slot",
                     s->item, pci->vdevfn);
        else if (pci->vdevfn)
            xlw_spec_num(s, "vslot", pci->vdevfn >> 3);
        return;
    }
    if (pci->domain < 0 || pci->domain > 0xffff || pci->dev > 0x1f ||
        pci->func > 7 ||
        (pci->vfunc_mask != 1 && pci->vfunc_mask != LIBXL_PCI_FUNC_ALL) ||
        (pci->vfunc_mask == LIBXL_PCI_FUNC_ALL && pci->func != 0)) {
        xlw_fail(s->w, "pci %d: %04x:%02x:%02x.%x (functions %#x) is not an "
                 "address xl.cfg can write", s->item, (unsigned)pci->domain,
                 pci->bus, pci->dev, pci->func, pci->vfunc_mask);
        return;
    }
    if (pci->vfunc_mask == LIBXL_PCI_FUNC_ALL)
        snprintf(bdf, sizeof(bdf), "%04x:%02x:%02x.*", (unsigned)pci->domain,
                 pci->bus, pci->dev);
    else
        snprintf(bdf, sizeof(bdf), "%04x:%02x:%02x.%x",
                 (unsigned)pci->domain, pci->bus, pci->dev, pci->func);
    if (pci->vdevfn) {
        if ((pci->vdevfn & 7) || pci->vdevfn > (0x1f << 3))
            xlw_fail(s->w, "pci %d: virtual devfn %#x is not a slot",
                     s->item, pci->vdevfn);
        snprintf(bdf + strlen(bdf), sizeof(bdf) - strlen(bdf), "@%02x",
                 pci->vdevfn >> 3);
    }
    xlw_spec_flag(s, bdf);
}

static void pci_spec(struct xlw *w, struct xlw_list *l, int i,
                     const libxl_device_pci *pci)
{
    /* xl starts each device with the policy it reads from the HVM part
     * of the union, whatever the domain's type: so does the writer. */
    libxl_rdm_reserve_policy dflt = w->dc->b_info.u.hvm.rdm.policy;
    struct xlw_spec s;

    xlw_spec_start(w, &s, "pci", i + 1, ",");
    pci_address(&s, pci);
    /* xl's defaults (pci_permissive = 0 ...) are all off. */
    if (pci->permissive)
        xlw_spec_flag(&s, "permissive=1");
    if (pci->msitranslate)
        xlw_spec_flag(&s, "msitranslate=1");
    if (pci->seize)
        xlw_spec_flag(&s, "seize=1");
    if (pci->power_mgmt)
        xlw_spec_flag(&s, "power_mgmt=1");
    /* Each device follows rdm's policy unless it says otherwise. */
    if (pci->rdm_policy != dflt) {
        const char *p = libxl_rdm_reserve_policy_to_string(pci->rdm_policy);
        if (!p)
            xlw_fail(w, "pci %d: rdm_policy %d has no name", i + 1,
                     (int)pci->rdm_policy);
        xlw_spec_str(&s, "rdm_policy", p);
    }
    xlw_list_add(l, xlw_spec_text(&s));
    xlw_spec_done(&s);
}

/* rdm = "strategy=host".  xl 4.17's reader refuses any policy= (its
 * check of the policy is inverted), so a policy cannot be written. */
static void rdm(struct xlw *w)
{
    const libxl_rdm_reserve *r, *d = &w->dflt.b_info.u.hvm.rdm;

    if (w->dc->b_info.type != LIBXL_DOMAIN_TYPE_HVM)
        return;
    r = &w->dc->b_info.u.hvm.rdm;
    if (r->policy != d->policy)
        xlw_fail(w, "rdm: policy \"%s\" cannot be written; xl 4.17 ignores "
                 "an rdm setting that has a policy",
                 libxl_rdm_reserve_policy_to_string(r->policy));
    if (r->strategy == LIBXL_RDM_RESERVE_STRATEGY_HOST)
        xlw_str(w, "rdm", "strategy=host");
    else if (r->strategy != d->strategy)
        xlw_fail(w, "rdm: strategy %d cannot be written", (int)r->strategy);
}

static void gfx_passthru(struct xlw *w)
{
    const libxl_domain_build_info *bi = &w->dc->b_info;
    libxl_defbool on;

    if (bi->type != LIBXL_DOMAIN_TYPE_HVM)
        return;
    on = bi->u.hvm.gfx_passthru;
    if (bi->u.hvm.gfx_passthru_kind != w->dflt.b_info.u.hvm.gfx_passthru_kind) {
        if (libxl_defbool_is_default(on) || !libxl_defbool_val(on))
            xlw_fail(w, "gfx_passthru: a kind (%s) without gfx_passthru on "
                     "cannot be written",
                     libxl_gfx_passthru_kind_to_string(
                         bi->u.hvm.gfx_passthru_kind));
        xlw_str(w, "gfx_passthru", libxl_gfx_passthru_kind_to_string(
                                       bi->u.hvm.gfx_passthru_kind));
        return;
    }
    xlw_bool(w, "gfx_passthru", on);
}

static void resources(struct xlw *w)
{
    const libxl_domain_config *dc = w->dc;
    const libxl_domain_build_info *bi = &dc->b_info;
    libxl_iomem_range unset;   /* its gfn: none given */
    struct xlw_list l;
    char item[80];

    libxl_iomem_range_init(&unset);
    xlw_list_start(w, &l);
    for (int i = 0; i < dc->num_dtdevs; i++) {
        if (!dc->dtdevs[i].path)
            xlw_fail(w, "dtdev %d: no path", i + 1);
        xlw_list_add(&l, dc->dtdevs[i].path);
    }
    xlw_list_end(&l, "dtdev", false);

    xlw_list_start(w, &l);
    for (int i = 0; i < bi->num_iomem; i++) {
        const libxl_iomem_range *r = &bi->iomem[i];
        int n = snprintf(item, sizeof(item), "%" PRIx64 ",%" PRIx64,
                         r->start, r->number);
        if (r->gfn != unset.gfn)
            snprintf(item + n, sizeof(item) - (size_t)n, "@%" PRIx64, r->gfn);
        xlw_list_add(&l, item);
    }
    xlw_list_end(&l, "iomem", false);

    xlw_list_start(w, &l);
    for (int i = 0; i < bi->num_ioports; i++) {
        const libxl_ioport_range *r = &bi->ioports[i];
        uint64_t last = (uint64_t)r->first + r->number - 1;
        if (r->number == 0 || last >= UINT32_MAX)
            xlw_fail(w, "ioports %d: %u ports from %#x cannot be written",
                     i + 1, r->number, r->first);
        if (r->number == 1)
            snprintf(item, sizeof(item), "%x", r->first);
        else
            snprintf(item, sizeof(item), "%x-%" PRIx64, r->first, last);
        xlw_list_add(&l, item);
    }
    xlw_list_end(&l, "ioports", false);

    xlw_list_start(w, &l);
    for (int i = 0; i < bi->num_irqs; i++) {
        if (bi->irqs[i] == UINT32_MAX)
            xlw_fail(w, "irqs %d: %u is too big", i + 1, bi->irqs[i]);
        snprintf(item, sizeof(item), "%u", bi->irqs[i]);
        xlw_list_add(&l, item);
    }
    xlw_list_end(&l, "irqs", false);
}

void xlw_passthrough(struct xlw *w)
{
    const libxl_domain_config *dc = w->dc;
    struct xlw_list l;

    if (dc->c_info.passthrough != w->dflt.c_info.passthrough)
        xlw_str(w, "passthrough",
                libxl_passthrough_to_string(dc->c_info.passthrough));
    rdm(w);
    xlw_list_start(w, &l);
    for (int i = 0; i < dc->num_pcidevs; i++)
        pci_spec(w, &l, i, &dc->pcidevs[i]);
    xlw_list_end(&l, "pci", false);
    gfx_passthru(w);
    resources(w);
}
