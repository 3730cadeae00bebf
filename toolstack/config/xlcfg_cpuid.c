/*
 * xlcfg_cpuid.c - cpuid =: the guest's CPUID (and feature MSR) policy.
 *
 * Two forms, parsed by libxl itself (neither function needs a ctx):
 *   cpuid = "host,tm=0,sse3=0"     libxl's form: "host", then NAME=VALUE
 *                                  flags (libxl_cpuid_parse_config);
 *   cpuid = [ "1:ecx=xxx...1,edx=..." ]   xend's per-leaf form, one leaf
 *                                  per item (libxl_cpuid_parse_config_xend).
 * The result, b_info.cpuid, is owned by the domain config.
 *
 * xl does not refuse a bad flag or leaf: it prints why and goes on without
 * it (a string not starting with "host" is dropped whole).  So does this,
 * with a warning for each; the policy is what libxl left, exactly as xl's.
 */
#include <stdlib.h>
#include <string.h>

#include "config/xlcfg_int.h"

/* Why libxl_cpuid_parse_config_xend failed, in xl's words. */
static const char *xend_why(int e)
{
    switch (e) {
    case 1: return "illegal leaf number";
    case 2: return "illegal subleaf number";
    case 3: return "missing colon";
    case 4: return "invalid register name (must be e[abcd]x)";
    case 5: return "policy string must be exactly 32 characters long";
    default: return "unknown error";
    }
}

/* Why libxl_cpuid_parse_config failed, in xl's words. */
static const char *flag_why(int e)
{
    switch (e) {
    case 1: return "missing \"=\" in key=value";
    case 2: return "unknown CPUID flag name";
    case 3: return "illegal CPUID value (must be: [0|1|x|k|s])";
    default: return "unknown error";
    }
}

static int build_xend(struct xlcfg *c)
{
    libxl_domain_build_info *bi = &c->dc->b_info;
    XLU_ConfigList *list;
    int n, rc = xlcfg_get_list(c, "cpuid", &list, &n);

    if (rc <= 0)
        return rc;
    for (int i = 0; i < n; i++) {
        const char *item = xlu_cfg_get_listitem(list, i);
        int e = libxl_cpuid_parse_config_xend(&bi->cpuid, item);

        if (e == ERROR_NOMEM)
            return xlcfg_oom(c);
        /* Past the colon, libxl has kept the registers before the bad one. */
        if (e >= 1 && e <= 3)
            xlcfg_warn(c, "cpuid", i, "\"%s\" is ignored, as xl ignores "
                       "it; %s", item, xend_why(e));
        else if (e)
            xlcfg_warn(c, "cpuid", i, "\"%s\" is applied only up to its bad "
                       "register, as xl applies it; %s", item, xend_why(e));
    }
    return 0;
}

static int build_flags(struct xlcfg *c)
{
    libxl_domain_build_info *bi = &c->dc->b_info;
    const char *text;
    char *copy, *tok, *save = NULL;
    int rc = xlcfg_get_str(c, "cpuid", &text);

    if (rc <= 0)
        return rc;
    copy = strdup(text);
    if (!copy)
        return xlcfg_oom(c);
    tok = strtok_r(copy, ",", &save);
    if (tok && strcmp(tok, "host") != 0) {
        xlcfg_warn(c, "cpuid", -1, "\"%s\" is ignored, as xl ignores it; "
                   "its first word must be \"host\"", text);
        tok = NULL;
    }
    rc = 0;
    while (tok && (tok = strtok_r(NULL, ",", &save)) != NULL) {
        int e = libxl_cpuid_parse_config(&bi->cpuid, tok);

        if (e == ERROR_NOMEM) {
            rc = xlcfg_oom(c);
            break;
        }
        if (e)
            xlcfg_warn(c, "cpuid", -1, "\"%s\" is ignored, as xl ignores "
                       "it; %s", tok, flag_why(e));
    }
    free(copy);
    return rc;
}

int xlcfg_build_cpuid(struct xlcfg *c)
{
    if (!xlcfg_is_set(c, "cpuid"))
        return 0;
    return xlcfg_is_list(c, "cpuid") ? build_xend(c) : build_flags(c);
}
