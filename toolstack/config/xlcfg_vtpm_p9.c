/*
 * xlcfg_vtpm_p9.c - the PV devices that are little more than a backend:
 * vtpm = [ "backend=DOM,uuid=UUID" ], p9 = [ "tag=T,path=P,security_model=M,
 * backend=DOM" ] and pvcalls = [ "backend=DOM" ], for every domain type, as
 * xl reads them.  Each item's devid is its place in the list.
 *
 * xl stops reading an item at an option without '=' and ignores the rest;
 * that is an error here (unless it is an empty last option, as a trailing
 * ", " leaves).  xl lets a p9 item take the tag, path, security_model and
 * backend it does not give from the items before it: so does xenith, with a
 * warning.
 */
#include <stdlib.h>
#include <string.h>

#include "config/xlcfg_int.h"

/*
 * Option k of item i of `key` (spec `spec`): its value, or NULL when it has
 * none; *stop_r is set when xl would stop there harmlessly.  An option
 * without a value elsewhere fails (rc XN_EINVAL in *rc_r).
 */
static char *option_value(struct xlcfg *c, const char *key, int i,
                          const char *spec, struct xlcfg_kv *kv, int k,
                          int *rc_r)
{
    char *tok = kv->item[k], *v = xlcfg_kv_value(tok);

    *rc_r = 0;
    if (v || (tok[0] == '\0' && k == kv->n - 1))
        return v;
    *rc_r = xlcfg_fail(c, key, i, "option \"%s\" has no value in \"%s\" "
                       "(xl would ignore it and the rest of the item)",
                       tok, spec);
    return NULL;
}

static int set_str(struct xlcfg *c, char **dst, const char *v)
{
    free(*dst);
    *dst = strdup(v);
    return *dst ? 0 : xlcfg_oom(c);
}

/* ---- vtpm ---- */

static int parse_vtpm(struct xlcfg *c, int i, const char *spec,
                      libxl_device_vtpm *vtpm)
{
    struct xlcfg_kv kv;
    bool backend = false;
    int rc = xlcfg_kv_split(spec, ",", true, &kv);

    if (rc < 0)
        return xlcfg_oom(c);
    for (int k = 0; rc == 0 && k < kv.n; k++) {
        char *v = option_value(c, "vtpm", i, spec, &kv, k, &rc);

        if (!v)
            continue;
        if (strcmp(kv.item[k], "backend") == 0) {
            rc = set_str(c, &vtpm->backend_domname, v);
            backend = true;
        } else if (strcmp(kv.item[k], "uuid") == 0) {
            if (libxl_uuid_from_string(&vtpm->uuid, v) != 0)
                rc = xlcfg_fail(c, "vtpm", i, "uuid \"%s\" is not a UUID",
                                v);
        } else {
            rc = xlcfg_fail(c, "vtpm", i, "unknown option \"%s\" in \"%s\" "
                            "(backend or uuid)", kv.item[k], spec);
        }
    }
    xlcfg_kv_dispose(&kv);
    if (rc == 0 && !backend)
        rc = xlcfg_fail(c, "vtpm", i, "\"%s\" has no backend (a vtpm needs "
                        "backend=DOMAIN)", spec);
    return rc;
}

static int build_vtpms(struct xlcfg *c)
{
    libxl_domain_config *dc = c->dc;
    XLU_ConfigList *list;
    int n, rc = xlcfg_get_list(c, "vtpm", &list, &n);

    if (rc <= 0 || n == 0)
        return rc < 0 ? rc : 0;
    dc->vtpms = calloc((size_t)n, sizeof(*dc->vtpms));
    if (!dc->vtpms)
        return xlcfg_oom(c);
    for (int i = 0; i < n; i++) {
        libxl_device_vtpm_init(&dc->vtpms[i]);
        dc->num_vtpms = i + 1;
        dc->vtpms[i].devid = i;
        rc = parse_vtpm(c, i, xlu_cfg_get_listitem(list, i), &dc->vtpms[i]);
        if (rc < 0)
            return rc;
    }
    return 0;
}

/* ---- p9 ---- */

enum { P9_TAG, P9_PATH, P9_MODEL, P9_BACKEND, P9_N };
static const char *const p9_keys[P9_N] = {
    "tag", "path", "security_model", "backend",
};

/* What xl carries from one p9 item to the next: the last value of each
 * option (malloc'd, freed by the caller). */
struct p9_state {
    char *val[P9_N];
};

/* Warn that item i took the options it lacks from the items before. */
static void p9_warn_inherited(struct xlcfg *c, int i, const char *spec,
                              const struct p9_state *st, const bool *given)
{
    char list[600] = "";
    size_t len = 0;

    for (int o = 0; o < P9_N; o++) {
        if (given[o] || !st->val[o])
            continue;
        len += (size_t)snprintf(list + len, len < sizeof(list) ?
                                sizeof(list) - len : 0, "%s%s \"%s\"",
                                len ? ", " : "", p9_keys[o], st->val[o]);
    }
    if (len)
        xlcfg_warn(c, "p9", i, "\"%s\" takes %s from the items before it, "
                   "as xl does", spec, list);
}

static int parse_p9(struct xlcfg *c, int i, const char *spec,
                    struct p9_state *st, libxl_device_p9 *p9)
{
    struct xlcfg_kv kv;
    bool given[P9_N] = {false};
    int rc = xlcfg_kv_split(spec, ",", true, &kv), o;

    if (rc < 0)
        return xlcfg_oom(c);
    for (int k = 0; rc == 0 && k < kv.n; k++) {
        char *v = option_value(c, "p9", i, spec, &kv, k, &rc);

        if (!v)
            continue;
        for (o = 0; o < P9_N && strcmp(kv.item[k], p9_keys[o]) != 0; o++)
            ;
        if (o == P9_N)
            rc = xlcfg_fail(c, "p9", i, "unknown option \"%s\" in \"%s\" "
                            "(tag, path, security_model or backend)",
                            kv.item[k], spec);
        else if ((rc = set_str(c, &st->val[o], v)) == 0)
            given[o] = true;
    }
    xlcfg_kv_dispose(&kv);
    for (o = 0; rc == 0 && o < P9_BACKEND; o++)
        if (!st->val[o])
            rc = xlcfg_fail(c, "p9", i, "\"%s\" has no %s (a p9 share "
                            "needs tag, path and security_model)", spec,
                            p9_keys[o]);
    if (rc < 0)
        return rc;
    p9_warn_inherited(c, i, spec, st, given);
    if (set_str(c, &p9->tag, st->val[P9_TAG]) < 0 ||
        set_str(c, &p9->path, st->val[P9_PATH]) < 0 ||
        set_str(c, &p9->security_model, st->val[P9_MODEL]) < 0 ||
        (st->val[P9_BACKEND] &&
         set_str(c, &p9->backend_domname, st->val[P9_BACKEND]) < 0))
        return XN_ENOMEM;
    return 0;
}

static int build_p9s(struct xlcfg *c)
{
    libxl_domain_config *dc = c->dc;
    struct p9_state st = {{NULL}};
    XLU_ConfigList *list;
    int n, rc = xlcfg_get_list(c, "p9", &list, &n);

    if (rc <= 0 || n == 0)
        return rc < 0 ? rc : 0;
    dc->p9s = calloc((size_t)n, sizeof(*dc->p9s));
    if (!dc->p9s)
        return xlcfg_oom(c);
    rc = 0;
    for (int i = 0; rc == 0 && i < n; i++) {
        /* xl initialises the device twice: its devid stays -1 */
        libxl_device_p9_init(&dc->p9s[i]);
        dc->num_p9s = i + 1;
        rc = parse_p9(c, i, xlu_cfg_get_listitem(list, i), &st, &dc->p9s[i]);
    }
    for (int o = 0; o < P9_N; o++)
        free(st.val[o]);
    return rc;
}

/* ---- pvcalls ---- */

static int parse_pvcalls(struct xlcfg *c, int i, const char *spec,
                         libxl_device_pvcallsif *pv)
{
    struct xlcfg_kv kv;
    int rc = xlcfg_kv_split(spec, ",", true, &kv);

    if (rc < 0)
        return xlcfg_oom(c);
    for (int k = 0; rc == 0 && k < kv.n; k++) {
        char *v = option_value(c, "pvcalls", i, spec, &kv, k, &rc);

        if (!v)
            continue;
        if (strcmp(kv.item[k], "backend") == 0)
            rc = set_str(c, &pv->backend_domname, v);
        else
            rc = xlcfg_fail(c, "pvcalls", i, "unknown option \"%s\" in "
                            "\"%s\" (only backend)", kv.item[k], spec);
    }
    xlcfg_kv_dispose(&kv);
    return rc;
}

static int build_pvcalls(struct xlcfg *c)
{
    libxl_domain_config *dc = c->dc;
    XLU_ConfigList *list;
    int n, rc = xlcfg_get_list(c, "pvcalls", &list, &n);

    if (rc <= 0 || n == 0)
        return rc < 0 ? rc : 0;
    dc->pvcallsifs = calloc((size_t)n, sizeof(*dc->pvcallsifs));
    if (!dc->pvcallsifs)
        return xlcfg_oom(c);
    for (int i = 0; i < n; i++) {
        libxl_device_pvcallsif_init(&dc->pvcallsifs[i]);
        dc->num_pvcallsifs = i + 1;
        dc->pvcallsifs[i].devid = i;
        rc = parse_pvcalls(c, i, xlu_cfg_get_listitem(list, i),
                           &dc->pvcallsifs[i]);
        if (rc < 0)
            return rc;
    }
    return 0;
}

int xlcfg_build_vtpm_p9(struct xlcfg *c)
{
    int rc;

    if ((rc = build_p9s(c)) < 0 || (rc = build_vtpms(c)) < 0)
        return rc;
    return build_pvcalls(c);
}
