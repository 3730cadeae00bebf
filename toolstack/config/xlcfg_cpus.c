/*
 * xlcfg_cpus.c - vCPU affinity: cpus = and cpus_soft =.
 *
 * A CPU list is comma-separated terms applied left to right: "N", "N-M" or
 * "all", each optionally negated with '^' ("all,^0", "0-7,^2"), and each
 * optionally naming NUMA nodes instead of CPUs ("nodes:0-1", "^node:1":
 * every CPU of those nodes).  A string gives every vCPU the same affinity;
 * a list gives vCPU i its item i.
 *
 * xl sizes the bitmaps from the host (libxl_cpu_bitmap_alloc) and maps
 * nodes with libxl_node_to_cpumap; without a ctx the sizes come from
 * xlcfg_opts.max_cpus or from the CPUs named, and nodes from
 * xlcfg_opts.cpu_node ("nodes:N" is refused when that is unknown, as no
 * honest bitmap can be made; "nodes:all" is "all" and needs nothing).
 */
#include <stdlib.h>
#include <string.h>

#include "config/xlcfg_int.h"

#define CPU_LIMIT 4096   /* Xen's largest NR_CPUS */

struct term {
    bool neg, all, nodes;
    unsigned long lo, hi;
};

/* What the term callbacks work on. */
struct walk {
    const struct xlcfg_opts *host;
    libxl_bitmap *map;   /* apply: the map being filled */
    int bits;            /* widest: CPUs the map must hold */
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
        t->nodes = true;
        tok = strchr(tok, ':') + 1;
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
        *why = t->nodes ? "names a NUMA node above 4095"
                        : "names a CPU above 4095";
        return XN_EINVAL;
    }
    return 0;
}

/* Is CPU `cpu` on one of the nodes of node term t?  Needs the layout. */
static bool on_nodes(const struct xlcfg_opts *host, const struct term *t,
                     int cpu)
{
    unsigned node = host->cpu_node[cpu];

    return node >= t->lo && node <= t->hi;
}

/* Split at ',' (empty terms skipped, as xl does); call fn on each term. */
static int each_term(const char *text, const char **why,
                     int (*fn)(const struct term *, struct walk *),
                     struct walk *arg)
{
    char *copy = strdup(text), *tok, *save = NULL;
    struct term t;
    int rc = 0, n = 0;

    if (!copy)
        return XN_ENOMEM;
    for (tok = strtok_r(copy, ",", &save); tok && rc == 0;
         tok = strtok_r(NULL, ",", &save), n++)
        if ((rc = parse_term(tok, &t, why)) == 0) {
            if (t.nodes && !t.all && !arg->host->cpu_node) {
                *why = "names NUMA nodes, whose CPUs are unknown here (the "
                       "host's NUMA layout is not known without a daemon)";
                rc = XN_EINVAL;
            } else {
                rc = fn(&t, arg);
            }
        }
    free(copy);
    if (rc == 0 && n == 0) {
        *why = "names no CPU";
        rc = XN_EINVAL;
    }
    return rc;
}

static int widest(const struct term *t, struct walk *w)
{
    if (t->all)
        return 0;
    if (!t->nodes) {
        if ((int)t->hi + 1 > w->bits)
            w->bits = (int)t->hi + 1;
        return 0;
    }
    for (int i = 0; i < w->host->ncpu_node; i++)
        if (on_nodes(w->host, t, i) && i + 1 > w->bits)
            w->bits = i + 1;
    return 0;
}

static void set_cpu(libxl_bitmap *map, bool neg, int cpu)
{
    if (neg)
        libxl_bitmap_reset(map, cpu);
    else
        libxl_bitmap_set(map, cpu);
}

static int apply(const struct term *t, struct walk *w)
{
    if (t->all) {
        libxl_bitmap_set_any(w->map);
        return 0;
    }
    if (t->nodes) {
        /* As libxl_node_to_cpumap: every CPU the topology puts there. */
        for (int i = 0; i < w->host->ncpu_node; i++)
            if (on_nodes(w->host, t, i))
                set_cpu(w->map, t->neg, i);
        return 0;
    }
    for (unsigned long i = t->lo; i <= t->hi; i++)
        set_cpu(w->map, t->neg, (int)i);
    return 0;
}

int xlcfg_cpumap_parse_host(const char *text, const struct xlcfg_opts *host,
                            libxl_bitmap *map, const char **why_r)
{
    struct walk w = {.host = host, .map = map, .bits = 1};
    int rc;

    rc = each_term(text, why_r, widest, &w);
    if (rc == 0 && host->max_cpus > 0) {
        if (w.bits > host->max_cpus) {
            *why_r = "names a CPU the host does not have";
            return XN_EINVAL;
        }
        w.bits = host->max_cpus;
    }
    if (rc == 0 && (rc = xlcfg_bitmap_alloc(map, w.bits)) < 0)
        *why_r = "could not be stored (out of memory)";
    if (rc == 0)
        rc = each_term(text, why_r, apply, &w);
    if (rc == 0 && libxl_bitmap_is_empty(map)) {
        *why_r = "selects no CPU";
        rc = XN_EINVAL;
    }
    return rc;
}

int xlcfg_cpumap_parse(const char *text, int max_cpus, libxl_bitmap *map,
                       const char **why_r)
{
    struct xlcfg_opts host = {.max_cpus = max_cpus};

    return xlcfg_cpumap_parse_host(text, &host, map, why_r);
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
    if (list && n == 0)
        return xlcfg_fail(c, key, -1, "[] names no CPU");

    /*
     * One map per vCPU.  Without vcpus/maxvcpus there is none: xl then
     * keeps no map, but still reads a string (and refuses a bad one).  A
     * list entry beyond the last vCPU is checked but, as in xl, unused.
     */
    int count = list ? (n < bi->max_vcpus ? n : bi->max_vcpus)
                     : bi->max_vcpus;
    if (count > 0) {
        *maps = calloc((size_t)count, sizeof(**maps));
        if (!*maps)
            return xlcfg_oom(c);
    }
    *nmaps = count;
    for (int i = 0; i < (list ? n : 1); i++) {
        libxl_bitmap scratch;
        libxl_bitmap *map = i < count ? &(*maps)[i] : &scratch;

        if (list)
            text = xlu_cfg_get_listitem(list, i);
        libxl_bitmap_init(&scratch);
        rc = xlcfg_cpumap_parse_host(text, c->host, map, &why);
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
