/* policy.c - what the bench's policies share, and the static one (no
 * ballooning: xl leaves every target at memory=). */
#include "policies.h"

void policy_bounds(const struct trace_guest *g, uint64_t *lo_r,
                   uint64_t *hi_r)
{
    uint64_t lo = g->gm.agent ? g->cfg_kb / 4 : g->cfg_kb;

    if (lo < BPLAN_FLOOR_KB)
        lo = BPLAN_FLOOR_KB;
    *hi_r = g->smax_kb;
    *lo_r = lo < g->smax_kb ? lo : g->smax_kb;
}

int policy_apply(struct sim_host *h, const struct bplan_action *a)
{
    struct sim_dom *d = sim_dom_get(h, a->domid);

    if (!d)
        return XN_ENOENT;
    switch (a->type) {
    case BPLAN_SET_TARGET:
        return sim_dom_set_target(h, d, a->kb, NULL);
    case BPLAN_SET_MAX:
        return sim_dom_set_max(h, d, a->kb, NULL);
    case BPLAN_STATE:
        break;
    }
    return 0;
}

const struct policy_ops policy_static = {
    .name = "static",
    .label = "static (no ballooning)",
};
