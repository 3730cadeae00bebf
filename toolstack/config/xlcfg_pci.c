/*
 * xlcfg_pci.c - PCI passthrough: pci = [...], the defaults every device
 * starts from (pci_permissive, pci_msitranslate, pci_seize,
 * pci_power_mgmt, and the rdm policy), and e820_host for a PV domain
 * with devices.
 *
 * Each item is read by libxlutil (xlu_pci_parse_spec_string), as xl reads
 * it, after xlcfg_pci_spec_check has refused what libxlutil would read
 * into something the item does not say.
 */
#include <limits.h>
#include <stdlib.h>
#include <string.h>

#include "config/xlcfg_int.h"

/* The per-device defaults, in the order xl reads them. */
struct pci_defaults {
    bool msitranslate, power_mgmt, permissive, seize;
    libxl_rdm_reserve_policy rdm_policy;
};

static int get_flag(struct xlcfg *c, const char *key, bool *flag)
{
    long l;
    int rc = xlcfg_get_long(c, key, INT_MIN, INT_MAX,
                            "a number (1 = yes, 0 = no)", &l);

    if (rc == 1)
        *flag = l != 0;
    return rc < 0 ? rc : 0;
}

static int parse_device(struct xlcfg *c, int i, const char *spec,
                        const struct pci_defaults *d, libxl_device_pci *pci)
{
    char why[256], said[256];
    size_t mark;
    int rc = xlcfg_pci_spec_check(spec, why, sizeof(why));

    if (rc == XN_ENOMEM)
        return xlcfg_oom(c);
    if (rc < 0)
        return xlcfg_fail(c, "pci", i, "\"%s\" is not a valid PCI device "
                          "(%s)", spec, why);
    pci->msitranslate = d->msitranslate;
    pci->power_mgmt = d->power_mgmt;
    pci->permissive = d->permissive;
    pci->seize = d->seize;
    pci->rdm_policy = d->rdm_policy;
    mark = xlcfg_report_mark(c);
    rc = xlu_pci_parse_spec_string(c->xlu, pci, spec);
    if (rc == ERROR_NOMEM)
        return xlcfg_oom(c);
    if (rc) {
        /* The check above should have caught it; say what libxlutil said. */
        xlcfg_report_since(c, mark, said, sizeof(said));
        return xlcfg_fail(c, "pci", i, "\"%s\" is not a valid PCI device "
                          "(%s)", spec, said[0] ? said : "libxlutil "
                          "refuses it");
    }
    return 0;
}

int xlcfg_build_pci(struct xlcfg *c)
{
    libxl_domain_config *dc = c->dc;
    libxl_domain_build_info *bi = &dc->b_info;
    bool hvm = dc->c_info.type == LIBXL_DOMAIN_TYPE_HVM;
    /*
     * xl takes each device's rdm policy from the build info's HVM part
     * even for PV and PVH domains; there that memory is still zero
     * (strict) unless rdm = sets it.
     */
    libxl_rdm_reserve rdm = {
        .strategy = LIBXL_RDM_RESERVE_STRATEGY_IGNORE,
        .policy = hvm ? bi->u.hvm.rdm.policy
                      : LIBXL_RDM_RESERVE_POLICY_STRICT,
    };
    struct pci_defaults d = {false, false, false, false, 0};
    XLU_ConfigList *list;
    char why[200];
    int n, rc;

    if (hvm)
        rdm.strategy = bi->u.hvm.rdm.strategy;
    if ((rc = get_flag(c, "pci_msitranslate", &d.msitranslate)) < 0 ||
        (rc = get_flag(c, "pci_power_mgmt", &d.power_mgmt)) < 0 ||
        (rc = get_flag(c, "pci_permissive", &d.permissive)) < 0 ||
        (rc = get_flag(c, "pci_seize", &d.seize)) < 0 ||
        (rc = xlcfg_parse_rdm(c, &rdm)) < 0)
        return rc;
    if (hvm)
        bi->u.hvm.rdm = rdm;
    d.rdm_policy = rdm.policy;

    rc = xlcfg_get_list(c, "pci", &list, &n);
    if (rc <= 0 || n == 0)
        return rc < 0 ? rc : 0;
    dc->pcidevs = calloc((size_t)n, sizeof(*dc->pcidevs));
    if (!dc->pcidevs)
        return xlcfg_oom(c);
    for (int i = 0; i < n; i++) {
        libxl_device_pci_init(&dc->pcidevs[i]);
        dc->num_pcidevs = i + 1;
        rc = parse_device(c, i, xlu_cfg_get_listitem(list, i), &d,
                          &dc->pcidevs[i]);
        if (rc < 0)
            return rc;
    }
    /* xl gives a PV domain with devices the host's memory map, always. */
    if (dc->c_info.type == LIBXL_DOMAIN_TYPE_PV) {
        if (libxl_defbool_is_default(bi->u.pv.e820_host) == false &&
            !libxl_defbool_val(bi->u.pv.e820_host))
            xlcfg_warn(c, "e820_host", -1, "%s is ignored, as xl ignores "
                       "it: a PV domain with PCI devices gets the host's "
                       "memory map", xlcfg_value_text(c, "e820_host", why,
                                                      sizeof(why)));
        libxl_defbool_set(&bi->u.pv.e820_host, true);
    }
    return 0;
}
