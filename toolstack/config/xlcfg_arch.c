/*
 * xlcfg_arch.c - settings of one architecture or firmware interface:
 *   mca_caps = [ "lmce" ]        HVM: machine-check capabilities;
 *   ms_vm_genid = "generate"     HVM: a Microsoft VM generation ID;
 *   gic_version = "v3"           Arm's interrupt controller;
 *   tee = "optee"                Arm's trusted execution environment.
 * xl reads the Arm settings on x86 too (they land in the JSON and libxl
 * ignores them there), so they are mapped the same way on any host.  The
 * HVM ones are ignored for PV and PVH guests, silently, as xl ignores them.
 */
#include <errno.h>
#include <string.h>
#include <sys/random.h>

#include "config/xlcfg_int.h"

#ifndef XEN_HVM_MCA_CAP_LMCE
#define XEN_HVM_MCA_CAP_LMCE (1ULL << 0)   /* xen/public/hvm/params.h */
#endif

static int build_mca_caps(struct xlcfg *c)
{
    XLU_ConfigList *l;
    int n, rc = xlcfg_get_list(c, "mca_caps", &l, &n);

    if (rc <= 0)
        return rc;
    for (int i = 0; i < n; i++) {
        const char *cap = xlu_cfg_get_listitem(l, i);

        if (strcmp(cap, "lmce") != 0)
            return xlcfg_fail(c, "mca_caps", i, "\"%s\" is not an MCA "
                              "capability (lmce)", cap);
        c->dc->b_info.u.hvm.mca_caps |= XEN_HVM_MCA_CAP_LMCE;
    }
    return 0;
}

/* Random bytes, never all zero (zero means "no ID"), as libxl makes them. */
static int generate_genid(libxl_ms_vm_genid *id)
{
    do {
        size_t got = 0;

        while (got < sizeof(id->bytes)) {
            ssize_t r = getrandom(id->bytes + got, sizeof(id->bytes) - got,
                                  0);
            if (r < 0 && errno != EINTR)
                return -1;
            if (r > 0)
                got += (size_t)r;
        }
    } while (libxl_ms_vm_genid_is_zero(id));
    return 0;
}

static int build_genid(struct xlcfg *c)
{
    const char *v;
    int rc = xlcfg_get_str(c, "ms_vm_genid", &v);

    if (rc <= 0)
        return rc;
    if (strcmp(v, "none") == 0)
        return 0;
    if (strcmp(v, "generate") != 0)
        return xlcfg_fail(c, "ms_vm_genid", -1, "\"%s\" is not \"generate\" "
                          "or \"none\"", v);
    if (generate_genid(&c->dc->b_info.u.hvm.ms_vm_genid) < 0)
        return xlcfg_fail(c, "ms_vm_genid", -1, "\"generate\" failed: no "
                          "random bytes (%s)", strerror(errno));
    return 0;
}

int xlcfg_build_arch(struct xlcfg *c)
{
    libxl_domain_build_info *bi = &c->dc->b_info;
    const char *v;
    int rc;

    if (c->dc->c_info.type == LIBXL_DOMAIN_TYPE_HVM &&
        ((rc = build_genid(c)) < 0 || (rc = build_mca_caps(c)) < 0))
        return rc;

    rc = xlcfg_get_str(c, "gic_version", &v);
    if (rc < 0)
        return rc;
    if (rc == 1 &&
        libxl_gic_version_from_string(v, &bi->arch_arm.gic_version) != 0)
        return xlcfg_fail(c, "gic_version", -1, "\"%s\" is not a GIC version "
                          "(default, v2 or v3)", v);

    rc = xlcfg_get_str(c, "tee", &v);
    if (rc < 0)
        return rc;
    if (rc == 1 && libxl_tee_type_from_string(v, &bi->tee) != 0)
        return xlcfg_fail(c, "tee", -1, "\"%s\" is not a TEE type (none or "
                          "optee)", v);
    return 0;
}
