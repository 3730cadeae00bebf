/*
 * xlcfg_write_numa.c - the guest's NUMA layout (vnuma = [[...], ...]).
 *
 * A vNUMA node is a list of "pnode=N", "size=MiB", "vcpus=LIST" and
 * "vdistances=D0,D1,...".  xl turns NUMA placement off when a pnode is
 * given, so the pnodes are written exactly when placement is off.
 */
#include <stdlib.h>
#include <string.h>

#include "config/xlcfg_write_int.h"


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
