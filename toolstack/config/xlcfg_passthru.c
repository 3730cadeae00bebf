/*
 * xlcfg_passthru.c - passthrough other than PCI devices: dtdev (device
 * tree nodes), passthrough = (the IOMMU page table mode), ioports, irqs,
 * iomem, and gfx_passthru (HVM only).
 *
 * Numbers are read with the C library's strtoul/sscanf, as xl reads them
 * (ioports and iomem in hex, irqs in decimal); what xl reads into
 * something the text does not say (a port range that ends before it
 * starts) is an error here.  Which domain type needs passthrough = is
 * decided by libxl when the domain is created, not here, as in xl.
 */
#include <inttypes.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "config/xlcfg_int.h"

static int build_dtdevs(struct xlcfg *c)
{
    libxl_domain_config *dc = c->dc;
    XLU_ConfigList *list;
    int n, rc = xlcfg_get_list(c, "dtdev", &list, &n);

    if (rc <= 0 || n == 0)
        return rc < 0 ? rc : 0;
    dc->dtdevs = calloc((size_t)n, sizeof(*dc->dtdevs));
    if (!dc->dtdevs)
        return xlcfg_oom(c);
    for (int i = 0; i < n; i++) {
        libxl_device_dtdev_init(&dc->dtdevs[i]);
        dc->num_dtdevs = i + 1;
        dc->dtdevs[i].path = strdup(xlu_cfg_get_listitem(list, i));
        if (!dc->dtdevs[i].path)
            return xlcfg_oom(c);
    }
    return 0;
}

static int build_passthrough(struct xlcfg *c)
{
    const char *v;
    int rc = xlcfg_get_str(c, "passthrough", &v);

    if (rc <= 0)
        return rc;
    if (libxl_passthrough_from_string(v, &c->dc->c_info.passthrough) != 0)
        return xlcfg_fail(c, "passthrough", -1, "\"%s\" is not a "
                          "passthrough mode (enabled, disabled, sync_pt, "
                          "share_pt or default)", v);
    return 0;
}

/* One hex port number as strtoul reads it; 0 or XN_EINVAL with why. */
static int ioport_number(const char *s, char **end, uint32_t *v,
                         const char **why)
{
    unsigned long ul = strtoul(s, end, 16);

    if (*end == s) {
        *why = "is not a port number (hex)";
        return XN_EINVAL;
    }
    if (ul >= UINT32_MAX) {
        *why = "is out of range (0 to fffffffe)";
        return XN_EINVAL;
    }
    *v = (uint32_t)ul;
    return 0;
}

static int ioport_range(struct xlcfg *c, int i, const char *s,
                        libxl_ioport_range *r)
{
    const char *why;
    char *end;
    uint32_t first, last;

    if (ioport_number(s, &end, &first, &why) < 0)
        return xlcfg_fail(c, "ioports", i, "\"%s\" %s", s, why);
    last = first;
    if (*end == '-') {
        const char *s2 = end + 1;
        if (ioport_number(s2, &end, &last, &why) < 0 || *end)
            return xlcfg_fail(c, "ioports", i, "\"%s\": \"%s\" %s", s, s2,
                              *end ? "is not a port number (hex)" : why);
        if (last < first)
            return xlcfg_fail(c, "ioports", i, "\"%s\" ends before it "
                              "starts (xl would make it %" PRIu32 " ports)",
                              s, last - first + 1);
    } else if (*end) {
        xlcfg_warn(c, "ioports", i, "\"%s\": \"%s\" after the port is "
                   "ignored, as xl ignores it (it reports the item invalid "
                   "but uses port %" PRIx32 ")", s, end, first);
    }
    r->first = first;
    r->number = last - first + 1;
    return 0;
}

/*
 * ioports, irqs and iomem: as xl, a list that is there makes an array,
 * even an empty one.
 */
static int build_ioports(struct xlcfg *c)
{
    libxl_domain_build_info *bi = &c->dc->b_info;
    XLU_ConfigList *list;
    int n, rc = xlcfg_get_list(c, "ioports", &list, &n);

    if (rc <= 0)
        return rc;
    bi->ioports = calloc((size_t)n + 1, sizeof(*bi->ioports));
    if (!bi->ioports)
        return xlcfg_oom(c);
    bi->num_ioports = n;
    for (int i = 0; i < n; i++)
        if ((rc = ioport_range(c, i, xlu_cfg_get_listitem(list, i),
                               &bi->ioports[i])) < 0)
            return rc;
    return 0;
}

static int build_irqs(struct xlcfg *c)
{
    libxl_domain_build_info *bi = &c->dc->b_info;
    XLU_ConfigList *list;
    int n, rc = xlcfg_get_list(c, "irqs", &list, &n);

    if (rc <= 0)
        return rc;
    bi->irqs = calloc((size_t)n + 1, sizeof(*bi->irqs));
    if (!bi->irqs)
        return xlcfg_oom(c);
    bi->num_irqs = n;
    for (int i = 0; i < n; i++) {
        const char *s = xlu_cfg_get_listitem(list, i);
        char *end;
        unsigned long ul = strtoul(s, &end, 10);

        if (end == s || *end)
            return xlcfg_fail(c, "irqs", i, "\"%s\" is not an IRQ number",
                              s);
        if (ul >= UINT32_MAX)
            return xlcfg_fail(c, "irqs", i, "\"%s\" is out of range (0 to "
                              "4294967294)", s);
        bi->irqs[i] = (uint32_t)ul;
    }
    return 0;
}

static int build_iomem(struct xlcfg *c)
{
    libxl_domain_build_info *bi = &c->dc->b_info;
    XLU_ConfigList *list;
    int n, rc = xlcfg_get_list(c, "iomem", &list, &n);

    if (rc <= 0)
        return rc;
    bi->iomem = calloc((size_t)n + 1, sizeof(*bi->iomem));
    if (!bi->iomem)
        return xlcfg_oom(c);
    bi->num_iomem = n;
    for (int i = 0; i < n; i++) {
        const char *s = xlu_cfg_get_listitem(list, i);
        libxl_iomem_range *r = &bi->iomem[i];
        uint64_t start, number, gfn;
        int used = -1, got;

        libxl_iomem_range_init(r);
        got = sscanf(s, "%" SCNx64 ",%" SCNx64 "%n@%" SCNx64 "%n", &start,
                     &number, &used, &gfn, &used);
        if (got < 2 || s[used] != '\0')
            return xlcfg_fail(c, "iomem", i, "\"%s\" is not a memory range "
                              "(START,PAGES[@GFN], in hex)", s);
        r->start = start;
        r->number = number;
        if (got == 3)
            r->gfn = gfn;
    }
    return 0;
}

/* gfx_passthru = 1 / 0, or a kind ("default", "igd"), which means 1. */
static int build_gfx(struct xlcfg *c)
{
    libxl_domain_build_info *bi = &c->dc->b_info;
    const char *v;
    long l;
    int rc;

    if (c->dc->c_info.type != LIBXL_DOMAIN_TYPE_HVM)
        return 0;
    if (xlu_cfg_get_long(c->xlu, "gfx_passthru", &l, 1) == 0) {
        libxl_defbool_set(&bi->u.hvm.gfx_passthru, l != 0);
        return 0;
    }
    rc = xlcfg_get_str(c, "gfx_passthru", &v);
    if (rc <= 0)
        return rc;
    if (libxl_gfx_passthru_kind_from_string(v, &bi->u.hvm.gfx_passthru_kind))
        return xlcfg_fail(c, "gfx_passthru", -1, "\"%s\" is neither a "
                          "number (1 = yes, 0 = no) nor a kind (default or "
                          "igd)", v);
    libxl_defbool_set(&bi->u.hvm.gfx_passthru, true);
    return 0;
}

int xlcfg_build_passthru(struct xlcfg *c)
{
    int rc;

    if ((rc = build_dtdevs(c)) < 0 || (rc = build_passthrough(c)) < 0 ||
        (rc = build_ioports(c)) < 0 || (rc = build_irqs(c)) < 0 ||
        (rc = build_iomem(c)) < 0 || (rc = build_gfx(c)) < 0)
        return rc;
    return 0;
}
