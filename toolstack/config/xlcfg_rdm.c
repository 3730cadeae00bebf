/*
 * xlcfg_rdm.c - rdm = "strategy=host,policy=...": how reserved device
 * memory is kept out of a guest's memory map.
 *
 * The text is read by libxlutil's xlu_rdm_parse, as xl reads it.  In Xen
 * 4.17 that parser refuses every item that names a valid policy (its test
 * of the policy is inverted) and leaves the policy unset otherwise; xl
 * then drops a setting libxlutil refused, and copies an unset policy
 * from uninitialised memory.  So:
 *   - what libxlutil refuses is ignored, as xl ignores it, with a warning;
 *   - an unknown policy (libxlutil accepts the item, leaving the policy
 *     undefined) is an error;
 *   - so is "strategy=host" alone, which leaves xl's policy undefined
 *     too (xl prints it as null).
 * Which leaves no rdm setting xl 4.17 reads into a defined value: every
 * accepted one is ignored.  The result is given in *rdm only for the
 * accepted cases, should libxlutil ever be fixed.
 */
#include <string.h>

#include "config/xlcfg_int.h"

/* Values libxlutil never stores, to see what it has set. */
#define UNSET_STRATEGY ((libxl_rdm_reserve_strategy)0x7e57)
#define UNSET_POLICY ((libxl_rdm_reserve_policy)0x7e57)

int xlcfg_parse_rdm(struct xlcfg *c, libxl_rdm_reserve *rdm)
{
    libxl_rdm_reserve got = {UNSET_STRATEGY, UNSET_POLICY};
    char said[200];
    const char *v;
    size_t mark;
    int rc = xlcfg_get_str(c, "rdm", &v);

    if (rc <= 0)
        return rc;
    mark = xlcfg_report_mark(c);
    rc = xlu_rdm_parse(c->xlu, &got, v);
    if (rc == ERROR_NOMEM)
        return xlcfg_oom(c);
    xlcfg_report_since(c, mark, said, sizeof(said));
    if (rc) {
        if (said[0])
            xlcfg_warn(c, "rdm", -1, "\"%s\" is ignored, as xl ignores it "
                       "(%s)", v, said);
        else if (got.policy != UNSET_POLICY)
            xlcfg_warn(c, "rdm", -1, "\"%s\" is ignored, as xl ignores it: "
                       "xl 4.17 drops an rdm setting that names a valid "
                       "policy", v);
        else
            xlcfg_warn(c, "rdm", -1, "\"%s\" is ignored, as xl ignores it: "
                       "it is not strategy=host[,policy=...]", v);
        return 0;
    }
    if (said[0])
        return xlcfg_fail(c, "rdm", -1, "\"%s\" names an unknown policy "
                          "(strict or relaxed), which xl would leave "
                          "undefined", v);
    if (got.policy == UNSET_POLICY)
        return xlcfg_fail(c, "rdm", -1, "\"%s\" sets no policy, and xl "
                          "4.17 would then use an undefined one (it drops "
                          "an rdm setting that names a policy)", v);
    rdm->strategy = got.strategy;
    rdm->policy = got.policy;
    return 0;
}
