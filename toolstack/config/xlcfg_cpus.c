/*
 * xlcfg_cpus.c - vCPU affinity: cpus = and cpus_soft =.
 *
 * A CPU list is comma-separated terms applied left to right: "N", "N-M" or
 * "all", each optionally negated with '^' ("all,^0", "0-7,^2").  A string
 * gives every vCPU the same affinity; a list gives vCPU i its item i.
 *
 * xl sizes the bitmaps from the host (libxl_cpu_bitmap_alloc); without a
 * ctx they are sized from xlcfg_opts.max_cpus or from the CPUs named.
 */
#include <stdlib.h>
#include <string.h>

#include "config/xlcfg_int.h"

#define CPU_LIMIT 4096   /* Xen's largest NR_CPUS */

struct term {
    bool neg, all;
    unsigned long lo, hi;
};

int xlcfg_bitmap_alloc(libxl_bitmap *map, int bits)
{
    libxl_bitmap_dispose(map);
    libxl_bitmap_init(map);
    map->size = bits > 8 ? ((unsigned)bits + 7) / 8 : 1;
    map->map = calloc(map->size, 1);
    if (!map->map) {
        map->size = 0;
        return XN_ENOMEM;
    }
    return 0;
}

/* A decimal number after optional blanks (strtoul's view, without signs). */
static const char *parse_num(const char *p, unsigned long *v)
{
    while (*p == ' ' || *p == '\t')
        p++;
    if (*p < '0' || *p > '9')
        return NULL;
    for (*v = 0; *p >= '0' && *p <= '9'; p++) {
        *v = *v * 10 + (unsigned long)(*p - '0');
        if (*v >= CPU_LIMIT)
            *v = CPU_LIMIT;   /* saturate; rejected by the caller */
    }
    return p;
}

static int parse_term(const char *tok, struct term *t, const char **why)
{
    const char *p;

    memset(t, 0, sizeof(*t));
    if (*tok == '^') {
        t->neg = true;
        tok++;
    }
    if (strncmp(tok, "node:", 5) == 0 || strncmp(tok, "nodes:", 6) == 0) {
        *why = "names NUMA nodes, which xenith does not support";
        return XN_EINVAL;
    }
    if (strcmp(tok, "all") == 0) {
        t->all = true;
        if (t->neg) {
            *why = "negates \"all\"";
            return XN_EINVAL;
        }
        return 0;
    }
    p = parse_num(tok, &t->lo);
    t->hi = t->lo;
    if (p && *p == '-')
        p = parse_num(p + 1, &t->hi);
    if (!p || *p || t->hi < t->lo) {
        *why = "has a bad CPU or range";
        return XN_EINVAL;
    }
    if (t->hi >= CPU_LIMIT) {
        *why = "names a CPU above 4095";
        return XN_EINVAL;
    }
    return 0;
}

/* Split at ',' (empty terms skipped, as xl does); call fn on each term. */
static int each_term(const char *text, const char **why,
                     int (*fn)(const struct term *, void *), void *arg)
{
    char *copy = strdup(text), *tok, *save = NULL;
    struct term t;
    int rc = 0, n = 0;

    if (!copy)
        return XN_ENOMEM;
    for (tok = strtok_r(copy, ",", &save); tok && rc == 0;
         tok = strtok_r(NULL, ",", &save), n++)
        if ((rc = parse_term(tok, &t, why)) == 0)
            rc = fn(&t, arg);
    free(copy);
    if (rc == 0 && n == 0) {
        *why = "names no CPU";
        rc = XN_EINVAL;
    }
    return rc;
}

static int widest(const struct term *t, void *arg)
{
    int *bits = arg;

    if (!t->all && (int)t->hi + 1 > *bits)
        *bits = (int)t->hi + 1;
    return 0;
}

static int apply(const struct term *t, void *arg)
{
    libxl_bitmap *map = arg;

    if (t->all) {
        libxl_bitmap_set_any(map);
        return 0;
    }
    for (unsigned long i = t->lo; i <= t->hi; i++) {
        if (t->neg)
            libxl_bitmap_reset(map, (int)i);
        else
            libxl_bitmap_set(map, (int)i);
    }
    return 0;
}

int xlcfg_cpumap_parse(const char *text, int max_cpus, libxl_bitmap *map,
                       const char **why_r)
{
    int bits = 1, rc;

    rc = each_term(text, why_r, widest, &bits);
    if (rc == 0 && max_cpus > 0) {
        if (bits > max_cpus) {
            *why_r = "names a CPU the host does not have";
            return XN_EINVAL;
        }
        bits = max_cpus;
    }
    if (rc == 0 && (rc = xlcfg_bitmap_alloc(map, bits)) < 0)
        *why_r = "could not be stored (out of memory)";
    if (rc == 0)
        rc = each_term(text, why_r, apply, map);
    if (rc == 0 && libxl_bitmap_is_empty(map)) {
        *why_r = "selects no CPU";
        rc = XN_EINVAL;
    }
    return rc;
}

static int bad_list(struct xlcfg *c, const char *key, int item,
                    const char *text, const char *why)
{
    return xlcfg_fail(c, key, item, "\"%s\" %s", text, why);
}

static int build_affinity(struct xlcfg *c, const char *key, bool hard)
{
    libxl_domain_build_info *bi = &c->dc->b_info;
    libxl_bitmap **maps = hard ? &bi->vcpu_hard_affinity
                               : &bi->vcpu_soft_affinity;
    int *nmaps = hard ? &bi->num_vcpu_hard_affinity
                      : &bi->num_vcpu_soft_affinity;
    XLU_ConfigList *list = NULL;
    const char *text = NULL, *why = NULL;
    int n = 0, rc;

    if (!xlcfg_is_set(c, key))
        return 0;
    rc = xlcfg_is_list(c, key) ? xlcfg_get_list(c, key, &list, &n)
                               : xlcfg_get_str(c, key, &text);
    if (rc < 0)
        return rc;
    if (bi->max_vcpus == 0) {
        char v[200];
        return xlcfg_fail(c, key, -1, "%s has no effect without vcpus",
                          xlcfg_value_text(c, key, v, sizeof(v)));
    }
    if (list && n == 0)
        return xlcfg_fail(c, key, -1, "[] names no CPU");

    /* A list entry beyond the last vCPU is checked but, as in xl, unused. */
    int count = list ? (n < bi->max_vcpus ? n : bi->max_vcpus)
                     : bi->max_vcpus;
    *maps = calloc((size_t)count, sizeof(**maps));
    if (!*maps)
        return xlcfg_oom(c);
    *nmaps = count;
    for (int i = 0; i < (list ? n : 1); i++) {
        libxl_bitmap scratch;
        libxl_bitmap *map = i < count ? &(*maps)[i] : &scratch;

        if (list)
            text = xlu_cfg_get_listitem(list, i);
        libxl_bitmap_init(&scratch);
        rc = xlcfg_cpumap_parse(text, c->max_cpus, map, &why);
        libxl_bitmap_dispose(&scratch);
        if (rc == XN_ENOMEM)
            return xlcfg_oom(c);
        if (rc < 0)
            return bad_list(c, key, list ? i : -1, text, why);
    }
    for (int i = 1; !list && i < count; i++) {
        if (xlcfg_bitmap_alloc(&(*maps)[i], (int)(*maps)[0].size * 8) < 0)
            return xlcfg_oom(c);
        libxl_bitmap_copy(NULL, &(*maps)[i], &(*maps)[0]);
    }
    /* xl turns NUMA placement off for per-vCPU lists and soft affinity. */
    if (list || !hard)
        libxl_defbool_set(&bi->numa_placement, false);
    return 0;
}

int xlcfg_build_cpus(struct xlcfg *c)
{
    int rc = build_affinity(c, "cpus", true);

    return rc < 0 ? rc : build_affinity(c, "cpus_soft", false);
}
