/*
 * xlcfg_vnuma.c - vnuma =: the guest's virtual NUMA nodes.
 *
 *   vnuma = [ [ "pnode=0", "size=512", "vcpus=0-1", "vdistances=10,20" ],
 *             [ "pnode=1", "size=512", "vcpus=2-3", "vdistances=20,10" ] ]
 *
 * Vnode i is item i: the host node it sits on (pnode, default 0), its
 * memory in MiB (size, default 0), its vCPUs (ranges, as in cpus=) and its
 * distance to each vnode (vdistances, default 0).  As in xl, the vnodes
 * then make the domain: the sizes add up to maxmem (which, when given,
 * must match) and the vCPUs counted make maxvcpus (likewise); naming a pnode
 * turns automatic NUMA placement off.  Runs after the memory and vCPU
 * settings and before cpus=, which sees the vCPU count set here.
 *
 * xl leaves some checks to libxl at creation (every vCPU in exactly one
 * vnode, local distances no larger than remote ones); they are made here,
 * so that a file that cannot be created is refused when checked.  Beyond
 * xl: an unknown vnode setting, a setting given twice, a number with junk
 * after it and a vnuma that is not a list are refused (xl drops them), and
 * so are more than 32 vnodes (Xen refuses them at creation).
 *
 * Host facts (xlcfg_opts): pnode must be below nr_nodes, and without
 * maxvcpus the vCPU count may not pass online_cpus.  When a fact that
 * matters is unknown, one warning says what was not checked.
 *
 * b_info.vnuma_nodes (and each node's distances and vcpus) is owned by the
 * domain config.
 */
#include <ctype.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "config/xlcfg_int.h"

#define VCPU_LIMIT 4096   /* as vcpus/maxvcpus */
/* Xen refuses a domain whose nr_vnodes^2 distances pass a 4 KiB page. */
#define MAX_VNODES 32

/* One vnode while it is read: its vCPUs before the count is known. */
struct vnode_scratch {
    unsigned char vcpus[VCPU_LIMIT / 8];
    unsigned seen;        /* which of the four settings were given */
};

enum { SEEN_PNODE = 1, SEEN_SIZE = 2, SEEN_VCPUS = 4, SEEN_DIST = 8 };

static bool test_bit(const unsigned char *m, unsigned long i)
{
    return m[i / 8] & (1u << (i % 8));
}

static void set_bit(unsigned char *m, unsigned long i)
{
    m[i / 8] |= (unsigned char)(1u << (i % 8));
}

/* A whole decimal number in [0, max] (blanks around it allowed). */
static bool parse_ulong(const char *s, size_t len, unsigned long max,
                        unsigned long *v)
{
    while (len && isspace((unsigned char)*s))
        s++, len--;
    while (len && isspace((unsigned char)s[len - 1]))
        len--;
    if (!len)
        return false;
    *v = 0;
    for (size_t i = 0; i < len; i++) {
        if (s[i] < '0' || s[i] > '9')
            return false;
        *v = *v * 10 + (unsigned long)(s[i] - '0');
        if (*v > max)
            return false;
    }
    return true;
}

/* "0-3,8": the vCPUs of one vnode; counts each named (as xl counts). */
static int parse_vcpus(struct xlcfg *c, int node, const char *item,
                       const char *v, struct vnode_scratch *s, long *count)
{
    for (const char *p = v;; p++) {
        size_t len = strcspn(p, ",");
        const char *dash = memchr(p, '-', len);
        unsigned long lo, hi;

        if (!(dash ? parse_ulong(p, (size_t)(dash - p), VCPU_LIMIT - 1,
                                 &lo) &&
                     parse_ulong(dash + 1, len - (size_t)(dash + 1 - p),
                                 VCPU_LIMIT - 1, &hi)
                   : parse_ulong(p, len, VCPU_LIMIT - 1, &lo)))
            return xlcfg_fail(c, "vnuma", node, "vnode %d: \"%s\" has a bad "
                              "vCPU or range (vCPUs are 0 to %d)", node,
                              item, VCPU_LIMIT - 1);
        if (!dash)
            hi = lo;
        if (hi < lo)
            return xlcfg_fail(c, "vnuma", node, "vnode %d: \"%s\" has a "
                              "range that ends before it starts", node,
                              item);
        for (unsigned long i = lo; i <= hi; i++) {
            set_bit(s->vcpus, i);
            (*count)++;
        }
        p += len;
        if (!*p)
            return 0;
    }
}

static int parse_distances(struct xlcfg *c, int node, const char *item,
                           const char *v, libxl_vnode_info *p)
{
    int j = 0;

    for (const char *q = v;; q++, j++) {
        size_t len = strcspn(q, ",");
        unsigned long d;

        if (j >= p->num_distances)
            return xlcfg_fail(c, "vnuma", node, "vnode %d: \"%s\" gives "
                              "more distances than the %d vnodes", node,
                              item, p->num_distances);
        if (!parse_ulong(q, len, UINT32_MAX, &d))
            return xlcfg_fail(c, "vnuma", node, "vnode %d: \"%s\" has a bad "
                              "distance (a number up to %u)", node, item,
                              UINT32_MAX);
        p->distances[j] = (uint32_t)d;
        q += len;
        if (!*q)
            return 0;
    }
}

/* One "KEY=VALUE" of vnode `node`. */
static int parse_setting(struct xlcfg *c, int node, const char *item,
                         libxl_vnode_info *p, struct vnode_scratch *s,
                         long *vcpus, uint64_t *memkb)
{
    static const char *const keys[] = {"pnode", "size", "vcpus",
                                       "vdistances"};
    const char *eq = strchr(item, '='), *k = item, *v;
    size_t klen;
    unsigned long n;
    int which = -1;

    if (!eq)
        return xlcfg_fail(c, "vnuma", node, "vnode %d: \"%s\" is not "
                          "KEY=VALUE", node, item);
    while (isspace((unsigned char)*k))
        k++;
    for (klen = (size_t)(eq - k);
         klen && isspace((unsigned char)k[klen - 1]); klen--)
        ;
    for (int i = 0; i < 4; i++)
        if (strlen(keys[i]) == klen && strncmp(k, keys[i], klen) == 0)
            which = i;
    if (which < 0)
        return xlcfg_fail(c, "vnuma", node, "vnode %d: \"%s\" is not a vnode "
                          "setting (pnode, size, vcpus or vdistances)", node,
                          item);
    if (s->seen & (1u << which))
        return xlcfg_fail(c, "vnuma", node, "vnode %d: \"%s\" sets %s a "
                          "second time", node, item, keys[which]);
    s->seen |= 1u << which;
    v = eq + 1;
    switch (which) {
    case 0:
        if (!parse_ulong(v, strlen(v), UINT32_MAX, &n))
            return xlcfg_fail(c, "vnuma", node, "vnode %d: \"%s\" is not a "
                              "NUMA node number", node, item);
        if (c->host->nr_nodes > 0 && n >= (unsigned long)c->host->nr_nodes)
            return xlcfg_fail(c, "vnuma", node, "vnode %d: \"%s\" names a "
                              "NUMA node the host does not have (it has "
                              "%d)", node, item, c->host->nr_nodes);
        p->pnode = (uint32_t)n;
        libxl_defbool_set(&c->dc->b_info.numa_placement, false);
        return 0;
    case 1:
        if (!parse_ulong(v, strlen(v), XLCFG_MAX_MIB, &n))
            return xlcfg_fail(c, "vnuma", node, "vnode %d: \"%s\" is not a "
                              "number of MiB", node, item);
        p->memkb = (uint64_t)n * 1024;
        if (*memkb + p->memkb > (uint64_t)XLCFG_MAX_MIB * 1024)
            return xlcfg_fail(c, "vnuma", node, "vnode %d: \"%s\" brings "
                              "the vnodes' sizes above %ld MiB", node, item,
                              (long)XLCFG_MAX_MIB);
        *memkb += p->memkb;
        return 0;
    case 2:
        return parse_vcpus(c, node, item, v, s, vcpus);
    default:
        return parse_distances(c, node, item, v, p);
    }
}

static int parse_vnode(struct xlcfg *c, XLU_ConfigList *vnuma, int node,
                       struct vnode_scratch *s, long *vcpus, uint64_t *memkb)
{
    libxl_vnode_info *p = &c->dc->b_info.vnuma_nodes[node];
    XLU_ConfigValue *spec = xlu_cfg_get_listitem2(vnuma, node);
    XLU_ConfigList *settings;
    const char *item;
    int rc;

    if (xlu_cfg_value_get_list(c->xlu, spec, &settings, 1) != 0)
        return xlcfg_fail(c, "vnuma", node, "vnode %d: \"%s\" is not a list "
                          "of settings, as in [ \"pnode=0\", \"size=512\", "
                          "\"vcpus=0-1\", \"vdistances=10\" ]", node,
                          xlu_cfg_get_listitem(vnuma, node));
    for (int i = 0; xlu_cfg_get_listitem2(settings, i); i++) {
        item = xlu_cfg_get_listitem(settings, i);
        if (!item)
            return xlcfg_fail(c, "vnuma", node, "vnode %d: setting %d is a "
                              "list, not a \"KEY=VALUE\" string", node,
                              i + 1);
        if ((rc = parse_setting(c, node, item, p, s, vcpus, memkb)) < 0)
            return rc;
    }
    return 0;
}

/* What xl checks after reading the vnodes: the vCPU count and memory. */
static int check_totals(struct xlcfg *c, long vcpus, uint64_t memkb)
{
    libxl_domain_build_info *bi = &c->dc->b_info;

    if (vcpus == 0)
        return xlcfg_fail(c, "vnuma", -1, "the vnodes name no vCPU (each "
                          "vnode needs \"vcpus=...\")");
    if (xlcfg_is_set(c, "maxvcpus")) {
        if (vcpus != bi->max_vcpus)
            return xlcfg_fail(c, "vnuma", -1, "the vnodes name %ld vCPUs, "
                              "but maxvcpus is %d", vcpus, bi->max_vcpus);
    } else {
        if (c->host->online_cpus > 0 && vcpus > c->host->online_cpus)
            return xlcfg_fail(c, "vnuma", -1, "the vnodes name %ld vCPUs, "
                              "more than the host's %d CPUs (set maxvcpus "
                              "to allow that)", vcpus,
                              c->host->online_cpus);
        if (vcpus < c->vcpus)
            return xlcfg_fail(c, "vnuma", -1, "the vnodes name %ld vCPUs, "
                              "fewer than vcpus (%ld)", vcpus, c->vcpus);
        bi->max_vcpus = (int)vcpus;
    }
    if (xlcfg_is_set(c, "maxmem")) {
        if (memkb != bi->max_memkb)
            return xlcfg_fail(c, "vnuma", -1, "the vnodes' sizes add up to "
                              "%llu MiB, but maxmem is %llu",
                              (unsigned long long)(memkb / 1024),
                              (unsigned long long)(bi->max_memkb / 1024));
    } else {
        if (bi->target_memkb != LIBXL_MEMKB_DEFAULT &&
            memkb < bi->target_memkb)
            return xlcfg_fail(c, "vnuma", -1, "the vnodes' sizes add up to "
                              "%llu MiB, less than memory (%llu MiB)",
                              (unsigned long long)(memkb / 1024),
                              (unsigned long long)(bi->target_memkb / 1024));
        bi->max_memkb = memkb;
    }
    return 0;
}

/* What libxl checks at creation: each vCPU in one vnode, distances. */
static int check_layout(struct xlcfg *c, const struct vnode_scratch *s)
{
    libxl_domain_build_info *bi = &c->dc->b_info;
    int n = bi->num_vnuma_nodes;

    for (int v = 0; v < VCPU_LIMIT; v++) {
        int first = -1;

        for (int i = 0; i < n; i++) {
            if (!test_bit(s[i].vcpus, (unsigned long)v))
                continue;
            if (first >= 0)
                return xlcfg_fail(c, "vnuma", i, "vnode %d: vCPU %d is "
                                  "already in vnode %d", i, v, first);
            first = i;
        }
        if (first < 0 && v < bi->max_vcpus)
            return xlcfg_fail(c, "vnuma", -1, "vCPU %d is in no vnode (the "
                              "vnodes name %d vCPUs: each of 0 to %d must "
                              "be in one)", v, bi->max_vcpus,
                              bi->max_vcpus - 1);
    }
    for (int i = 0; i < n; i++) {
        const libxl_vnode_info *p = &bi->vnuma_nodes[i];

        for (int j = 0; j < n; j++)
            if (p->distances[j] < p->distances[i])
                return xlcfg_fail(c, "vnuma", i, "vnode %d: its distance to "
                                  "vnode %d (%u) is less than its local "
                                  "distance (%u)", i, j, p->distances[j],
                                  p->distances[i]);
    }
    return 0;
}

/* Each vnode's vCPU map, max_vcpus bits wide. */
static int store_vcpus(struct xlcfg *c, const struct vnode_scratch *s)
{
    libxl_domain_build_info *bi = &c->dc->b_info;

    for (int i = 0; i < bi->num_vnuma_nodes; i++) {
        libxl_bitmap *m = &bi->vnuma_nodes[i].vcpus;

        if (xlcfg_bitmap_alloc(m, bi->max_vcpus) < 0)
            return xlcfg_oom(c);
        for (int v = 0; v < bi->max_vcpus; v++)
            if (test_bit(s[i].vcpus, (unsigned long)v))
                libxl_bitmap_set(m, v);
    }
    return 0;
}

/* Say which host checks could not be made, when one matters. */
static void warn_unchecked(struct xlcfg *c)
{
    libxl_domain_build_info *bi = &c->dc->b_info;
    uint32_t top = 0;
    char nodes[120] = "", cpus[120] = "";

    for (int i = 0; i < bi->num_vnuma_nodes; i++)
        if (bi->vnuma_nodes[i].pnode > top)
            top = bi->vnuma_nodes[i].pnode;
    /* Node 0 always exists. */
    if (top > 0 && c->host->nr_nodes <= 0)
        snprintf(nodes, sizeof(nodes), "whether it has NUMA node %u (a "
                 "pnode)", top);
    if (!xlcfg_is_set(c, "maxvcpus") && c->host->online_cpus <= 0)
        snprintf(cpus, sizeof(cpus), "whether it has %d CPUs for the "
                 "vnodes' %d vCPUs (xl checks this without maxvcpus)",
                 bi->max_vcpus, bi->max_vcpus);
    if (nodes[0] || cpus[0])
        xlcfg_warn(c, "vnuma", -1, "not checked, as the host is not known "
                   "here (no daemon): %s%s%s", nodes,
                   nodes[0] && cpus[0] ? "; " : "", cpus);
}

int xlcfg_build_vnuma(struct xlcfg *c)
{
    libxl_domain_build_info *bi = &c->dc->b_info;
    XLU_ConfigList *vnuma;
    struct vnode_scratch *s = NULL;
    uint64_t memkb = 0;
    long vcpus = 0;
    int n, rc;
    char v[200];

    if (!xlcfg_is_set(c, "vnuma"))
        return 0;
    if (xlu_cfg_get_list(c->xlu, "vnuma", &vnuma, &n, 1) != 0)
        return xlcfg_fail(c, "vnuma", -1, "%s is not a list of vnodes, as in "
                          "[ [ \"pnode=0\", \"size=512\", \"vcpus=0-1\", "
                          "\"vdistances=10\" ] ]",
                          xlcfg_value_text(c, "vnuma", v, sizeof(v)));
    if (n == 0)
        return 0;   /* as xl: no vnodes */
    if (n > MAX_VNODES)
        return xlcfg_fail(c, "vnuma", MAX_VNODES, "%d vnodes are more than "
                          "Xen takes (%d: their distance table must fit in "
                          "a page)", n, MAX_VNODES);

    bi->vnuma_nodes = calloc((size_t)n, sizeof(*bi->vnuma_nodes));
    s = calloc((size_t)n, sizeof(*s));
    if (!bi->vnuma_nodes || !s) {
        free(s);
        return xlcfg_oom(c);
    }
    bi->num_vnuma_nodes = n;
    for (int i = 0; i < n; i++) {
        libxl_vnode_info *p = &bi->vnuma_nodes[i];

        libxl_vnode_info_init(p);
        p->distances = calloc((size_t)n, sizeof(*p->distances));
        if (!p->distances) {
            free(s);
            return xlcfg_oom(c);
        }
        p->num_distances = n;
    }
    rc = 0;
    for (int i = 0; rc == 0 && i < n; i++)
        rc = parse_vnode(c, vnuma, i, &s[i], &vcpus, &memkb);
    if (rc == 0)
        rc = check_totals(c, vcpus, memkb);
    if (rc == 0)
        rc = check_layout(c, s);
    if (rc == 0)
        rc = store_vcpus(c, s);
    if (rc == 0)
        warn_unchecked(c);
    free(s);
    return rc;
}
