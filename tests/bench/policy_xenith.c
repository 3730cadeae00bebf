/* policy_xenith.c - xenith's balancer (balloon/plan.c) on the sim host,
 * as balloon_service.c drives it: every second one bplan_run over the
 * domains, the agents' reports as they arrive, each domain's memo kept
 * from pass to pass, and the actions applied in the order given. */
#include "policies.h"

#include <stdlib.h>

#include "memreport.h"

#define SEC 1000000000ull

struct guest_seen {             /* what the service knows of a guest */
    struct bplan_memo memo;
    struct memreport report;
    bool has_report;
    uint64_t report_ns;
    uint64_t seq;               /* the agent's count of reports */
};

struct xen_state {
    struct bplan_params p;
    const struct trace *t;
    struct guest_seen *seen;    /* per trace guest */
    struct bplan_memo memo0;    /* domain 0's */
    struct bplan_dom *doms;     /* n + 1 */
    struct bplan_action *acts;
};

void policy_xenith_params(const struct trace *t, struct bplan_params *p)
{
    bplan_params_default(p);
    p->reserve_kb = t->reserve_kb;
}

static void xen_fini(void *arg)
{
    struct xen_state *s = arg;

    if (!s)
        return;
    free(s->seen);
    free(s->doms);
    free(s->acts);
    free(s);
}

static void *xen_init(const struct trace *t)
{
    struct xen_state *s = calloc(1, sizeof(*s));

    if (!s)
        return NULL;
    policy_xenith_params(t, &s->p);
    s->t = t;
    s->seen = calloc(t->n, sizeof(*s->seen));
    s->doms = calloc(t->n + 1, sizeof(*s->doms));
    s->acts = calloc(BPLAN_ACTS_MAX(t->n + 1), sizeof(*s->acts));
    if (!s->seen || !s->doms || !s->acts) {
        xen_fini(s);
        return NULL;
    }
    return s;
}

/* The agent writes a report every report_every_s; the service sees it at
 * once (a xenstore watch). */
static void take_report(struct guest_seen *g, const struct sim_dom *d,
                        uint64_t now_ns)
{
    uint64_t every = (uint64_t)d->gm.report_every_s * SEC;

    if (g->has_report && now_ns - g->report_ns < every)
        return;
    if (sim_dom_memreport(d, &g->report) < 0)
        return;
    g->report.seq = ++g->seq;
    g->report_ns = now_ns;
    g->has_report = true;
}

static int xen_pass(void *arg, struct sim_host *h, const struct bench_vm *vms,
                    size_t n, uint64_t now_ns, uint64_t reserved_kb)
{
    struct xen_state *s = arg;
    struct bplan_host host = {now_ns, sim_host_free_kb(h), reserved_kb};
    struct sim_dom *d0 = sim_dom_get(h, 0);
    size_t m = 0, off = d0 ? 1 : 0;
    int k;

    if (d0)
        s->doms[m++] = (struct bplan_dom){
            .domid = 0, .managed = false, .cfg_kb = d0->mem_kb,
            .static_max_kb = d0->max_kb, .target_kb = d0->target_kb,
            .actual_kb = d0->mem_kb, .memo = s->memo0};
    for (size_t i = 0; i < n; i++) {
        const struct trace_guest *tg = &s->t->guests[vms[i].gi];
        struct guest_seen *g = &s->seen[vms[i].gi];
        const struct sim_dom *d = sim_dom_get(h, vms[i].domid);

        take_report(g, d, now_ns);
        s->doms[m++] = (struct bplan_dom){
            .domid = d->domid, .managed = true, .cfg_kb = tg->cfg_kb,
            .static_max_kb = tg->smax_kb, .target_kb = d->target_kb,
            .actual_kb = d->mem_kb,
            .report = g->has_report ? &g->report : NULL,
            .report_ns = g->report_ns, .memo = g->memo};
    }
    if ((k = bplan_run(&s->p, &host, s->doms, m, s->acts, NULL)) < 0)
        return -1;
    if (d0)
        s->memo0 = s->doms[0].memo;
    for (size_t i = 0; i < n; i++)
        s->seen[vms[i].gi].memo = s->doms[i + off].memo;
    for (int a = 0; a < k; a++)
        policy_apply(h, &s->acts[a]);
    return 0;
}

const struct policy_ops policy_xenith = {
    .name = "xenith",
    .label = "xenith balancer",
    .init = xen_init,
    .pass = xen_pass,
    .fini = xen_fini,
};
