/*
 * xlcfg_write_numa.c - the guest's NUMA layout (vnuma = [[...], ...]) and
 * its CPUID policy (cpuid = [...]).
 *
 * A vNUMA node is a list of "pnode=N", "size=MiB", "vcpus=LIST" and
 * "vdistances=D0,D1,...".  xl turns NUMA placement off when a pnode is
 * given, so the pnodes are written exactly when placement is off.
 *
 * libxl keeps its CPUID policy opaque; its JSON form (leaf, subleaf and
 * the 32-character policy of each register) is what xl's legacy list form
 * "leaf[,subleaf]:eax=...,ebx=..." sets, entry for entry.  MSR policies
 * (from feature names of cpuid = "host,...") have no such form.
 */
#include <stdlib.h>
#include <string.h>
#include <yajl/yajl_gen.h>
#include <yajl/yajl_tree.h>

#include "config/xlcfg_write_int.h"

#include <libxl_json.h>

/* ---- vnuma ---- */

static char *distances(const libxl_vnode_info *n)
{
    char *text = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&text, &len);

    if (!f)
        return NULL;
    fputs("vdistances=", f);
    for (int i = 0; i < n->num_distances; i++)
        fprintf(f, "%s%u", i ? "," : "", n->distances[i]);
    if (fclose(f) != 0) {
        free(text);
        return NULL;
    }
    return text;
}

void xlw_numa(struct xlw *w)
{
    const libxl_domain_build_info *bi = &w->dc->b_info;
    bool pnodes = !libxl_defbool_is_default(bi->numa_placement) &&
                  !libxl_defbool_val(bi->numa_placement);
    struct xlw_list l, node;
    char item[64];

    xlw_list_start(w, &l);
    for (int i = 0; i < bi->num_vnuma_nodes; i++) {
        const libxl_vnode_info *n = &bi->vnuma_nodes[i];
        long long mib;
        char *text;

        xlw_list_start(w, &node);
        if (n->pnode && !pnodes)
            xlw_fail(w, "vnuma %d: pnode %u with NUMA placement on cannot "
                     "be written (a pnode turns it off)", i + 1, n->pnode);
        if (pnodes) {
            snprintf(item, sizeof(item), "pnode=%u", n->pnode);
            xlw_list_add(&node, item);
        }
        if (xlw_mib(w, "vnuma", n->memkb, &mib)) {
            snprintf(item, sizeof(item), "size=%lld", mib);
            xlw_list_add(&node, item);
        }
        if ((text = xlw_cpulist(&n->vcpus)) && text[0]) {
            char *opt;
            if (asprintf(&opt, "vcpus=%s", text) >= 0) {
                xlw_list_add(&node, opt);
                free(opt);
            }
        }
        free(text);
        if (n->num_distances != bi->num_vnuma_nodes)
            xlw_fail(w, "vnuma %d: %d distances for %d nodes", i + 1,
                     n->num_distances, bi->num_vnuma_nodes);
        if ((text = distances(n)))
            xlw_list_add(&node, text);
        free(text);
        text = xlw_list_text(&node);
        if (text)
            xlw_list_add_raw(&l, text);
        free(text);
    }
    xlw_list_end(&l, "vnuma", false);
}

/* ---- cpuid ---- */

/* The policy as libxl's JSON ({"cpuid": [...], "msr": [...]}), parsed. */
static yajl_val policy_tree(libxl_cpuid_policy_list *p)
{
    yajl_gen g = yajl_gen_alloc(NULL);
    const unsigned char *buf;
    size_t len;
    yajl_val tree = NULL;
    char *copy;

    if (!g)
        return NULL;
    if (libxl_cpuid_policy_list_gen_json(g, p) == yajl_gen_status_ok &&
        yajl_gen_get_buf(g, &buf, &len) == yajl_gen_status_ok &&
        (copy = strndup((const char *)buf, len))) {
        tree = yajl_tree_parse(copy, NULL, 0);
        free(copy);
    }
    yajl_gen_free(g);
    return tree;
}

/* "leaf[,subleaf]:eax=...,ebx=..." of one entry of the JSON. */
static char *xend_entry(yajl_val e)
{
    static const char *const regs[] = {"eax", "ebx", "ecx", "edx"};
    const char *leaf[] = {"leaf", NULL}, *sub[] = {"subleaf", NULL};
    yajl_val v = yajl_tree_get(e, leaf, yajl_t_number);
    char *text = NULL;
    size_t len = 0;
    FILE *f;
    bool any = false;

    if (!v || !YAJL_IS_INTEGER(v) || !(f = open_memstream(&text, &len)))
        return NULL;
    fprintf(f, "%#llx", (unsigned long long)YAJL_GET_INTEGER(v));
    if ((v = yajl_tree_get(e, sub, yajl_t_number)) && YAJL_IS_INTEGER(v))
        fprintf(f, ",%#llx", (unsigned long long)YAJL_GET_INTEGER(v));
    fputc(':', f);
    for (int r = 0; r < 4; r++) {
        const char *path[] = {regs[r], NULL};
        if ((v = yajl_tree_get(e, path, yajl_t_string))) {
            fprintf(f, "%s%s=%s", any ? "," : "", regs[r],
                    YAJL_GET_STRING(v));
            any = true;
        }
    }
    if (fclose(f) != 0) {
        free(text);
        return NULL;
    }
    return text;
}

void xlw_cpuid(struct xlw *w)
{
    libxl_cpuid_policy_list p = w->dc->b_info.cpuid;
    const char *cpuid_path[] = {"cpuid", NULL}, *msr_path[] = {"msr", NULL};
    yajl_val tree, leaves, msrs;
    struct xlw_list l;

    if (!p)
        return;
    if (!(tree = policy_tree(&p))) {
        xlw_fail(w, "cpuid: the policy could not be read");
        return;
    }
    leaves = yajl_tree_get(tree, cpuid_path, yajl_t_array);
    msrs = yajl_tree_get(tree, msr_path, yajl_t_array);
    if (msrs && YAJL_GET_ARRAY(msrs)->len > 0)
        xlw_fail(w, "cpuid: an MSR policy (%zu MSRs) cannot be written",
                 YAJL_GET_ARRAY(msrs)->len);
    xlw_list_start(w, &l);
    for (size_t i = 0; leaves && i < YAJL_GET_ARRAY(leaves)->len; i++) {
        char *entry = xend_entry(YAJL_GET_ARRAY(leaves)->values[i]);
        if (!entry)
            xlw_fail(w, "cpuid: entry %zu could not be read", i + 1);
        xlw_list_add(&l, entry);
        free(entry);
    }
    xlw_list_end(&l, "cpuid", false);
    yajl_tree_free(tree);
}
