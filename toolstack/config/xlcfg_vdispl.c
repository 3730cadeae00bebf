/*
 * xlcfg_vdispl.c - vdispl = [ "backend=DOM,be-alloc=N,connectors=ID:WxH;
 * ID:WxH" ], virtual displays, for every domain type, as xl reads them;
 * each devid is its place in the list.
 *
 * xl reads a connector's resolution with sscanf("%ux%u") and goes on after
 * one it cannot read, leaving that and the later connectors empty: here a
 * resolution must be two whole numbers, or the file is refused.
 */
#include <ctype.h>
#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "config/xlcfg_int.h"

/* Whole number at *p (blanks before it allowed), at most UINT32_MAX. */
static bool read_u32(const char **p, uint32_t *out)
{
    char *end;
    unsigned long l;

    while (isspace((unsigned char)**p))
        (*p)++;
    if (!isdigit((unsigned char)**p))
        return false;
    errno = 0;
    l = strtoul(*p, &end, 10);
    if (errno || l > UINT32_MAX)
        return false;
    *out = (uint32_t)l;
    *p = end;
    return true;
}

/* "WxH" */
static bool read_resolution(const char *s, libxl_connector_param *cp)
{
    const char *p = s;

    if (!read_u32(&p, &cp->width) || *p++ != 'x' ||
        !read_u32(&p, &cp->height))
        return false;
    while (isspace((unsigned char)*p))
        p++;
    return *p == '\0';
}

static void free_connectors(libxl_device_vdispl *vd)
{
    for (int k = 0; k < vd->num_connectors; k++)
        libxl_connector_param_dispose(&vd->connectors[k]);
    free(vd->connectors);
    vd->connectors = NULL;
    vd->num_connectors = 0;
}

/* One connector "ID:WxH" (xl cuts it at colons as strtok does). */
static int read_connector(struct xlcfg *c, int i, const char *text,
                          libxl_connector_param *cp)
{
    struct xlcfg_kv kv;
    int rc = 0;

    if (xlcfg_kv_split(text, ":", false, &kv) < 0)
        return xlcfg_oom(c);
    if (kv.n != 2)
        rc = xlcfg_fail(c, "vdispl", i, "connector \"%s\" is not ID:WxH",
                        text);
    else if (!read_resolution(kv.item[1], cp))
        rc = xlcfg_fail(c, "vdispl", i, "connector \"%s\": \"%s\" is not a "
                        "resolution WIDTHxHEIGHT", text, kv.item[1]);
    else if (!(cp->unique_id = strdup(kv.item[0])))
        rc = xlcfg_oom(c);
    xlcfg_kv_dispose(&kv);
    return rc;
}

/* connectors=ID:WxH;ID:WxH (a later connectors= replaces the list). */
static int read_connectors(struct xlcfg *c, int i, const char *v,
                           libxl_device_vdispl *vd)
{
    struct xlcfg_kv kv;
    int rc = 0;

    free_connectors(vd);
    if (xlcfg_kv_split(v, ";", false, &kv) < 0)
        return xlcfg_oom(c);
    if (kv.n == 0)
        rc = xlcfg_fail(c, "vdispl", i, "connectors \"%s\" names no "
                        "connector (ID:WxH;...)", v);
    else if (!(vd->connectors = calloc((size_t)kv.n,
                                       sizeof(*vd->connectors))))
        rc = xlcfg_oom(c);
    for (int k = 0; rc == 0 && k < kv.n; k++) {
        libxl_connector_param_init(&vd->connectors[k]);
        vd->num_connectors = k + 1;
        rc = read_connector(c, i, kv.item[k], &vd->connectors[k]);
    }
    xlcfg_kv_dispose(&kv);
    return rc;
}

static int vdispl_option(struct xlcfg *c, int i, const char *spec,
                         char *tok, void *dev)
{
    libxl_device_vdispl *vd = dev;
    char *v = xlcfg_kv_value(tok);
    unsigned long l;

    if (v && strcmp(tok, "backend") == 0) {
        free(vd->backend_domname);
        vd->backend_domname = strdup(v);
        return vd->backend_domname ? 0 : xlcfg_oom(c);
    }
    if (v && strcmp(tok, "be-alloc") == 0) {
        if (xlcfg_kv_ulong(v, ULONG_MAX, &l) < 0)
            return xlcfg_fail(c, "vdispl", i, "be-alloc \"%s\" is not a "
                              "number (1 = yes, 0 = no)", v);
        vd->be_alloc = l != 0;
        return 0;
    }
    if (v && strcmp(tok, "connectors") == 0)
        return read_connectors(c, i, v, vd);
    return xlcfg_fail(c, "vdispl", i, "unknown option \"%s\" in \"%s\" "
                      "(backend, be-alloc or connectors)", tok, spec);
}

int xlcfg_build_vdispls(struct xlcfg *c)
{
    libxl_domain_config *dc = c->dc;
    XLU_ConfigList *list;
    int n, rc = xlcfg_get_list(c, "vdispl", &list, &n);

    if (rc <= 0 || n == 0)
        return rc < 0 ? rc : 0;
    dc->vdispls = calloc((size_t)n, sizeof(*dc->vdispls));
    if (!dc->vdispls)
        return xlcfg_oom(c);
    for (int i = 0; i < n; i++) {
        const char *spec = xlu_cfg_get_listitem(list, i);
        libxl_device_vdispl *vd = &dc->vdispls[i];

        libxl_device_vdispl_init(vd);
        dc->num_vdispls = i + 1;
        vd->devid = i;
        rc = xlcfg_kv_apply(c, i, spec, vdispl_option, vd);
        if (rc < 0)
            return rc;
        if (vd->num_connectors == 0)
            return xlcfg_fail(c, "vdispl", i, "\"%s\" has no connectors "
                              "(connectors=ID:WxH;...)", spec);
    }
    return 0;
}
