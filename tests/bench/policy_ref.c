/* policy_ref.c - the reference squeezed-style proportional policy
 * (ref_plan.c) run on the sim host every second, like xenith's. */
#include "policies.h"

#include <stdlib.h>

#include "ref_plan.h"

struct ref_state {
    struct ref_params p;
    const struct trace *t;
    struct ref_memo *memo;      /* per trace guest */
    struct ref_dom *doms;       /* n + 1 (domain 0) */
    struct bplan_action *acts;
};

static void ref_fini(void *arg)
{
    struct ref_state *s = arg;

    if (!s)
        return;
    free(s->memo);
    free(s->doms);
    free(s->acts);
    free(s);
}

static void *ref_init(const struct trace *t)
{
    struct ref_state *s = calloc(1, sizeof(*s));

    if (!s)
        return NULL;
    ref_params_init(&s->p, t->reserve_kb);
    s->t = t;
    s->memo = calloc(t->n, sizeof(*s->memo));
    s->doms = calloc(t->n + 1, sizeof(*s->doms));
    s->acts = calloc(BPLAN_ACTS_MAX(t->n + 1), sizeof(*s->acts));
    if (!s->memo || !s->doms || !s->acts) {
        ref_fini(s);
        return NULL;
    }
    return s;
}

static void fill(struct ref_dom *r, const struct sim_dom *d)
{
    r->domid = d->domid;
    r->target_kb = d->target_kb;
    r->actual_kb = d->mem_kb;
}

static int ref_pass(void *arg, struct sim_host *h, const struct bench_vm *vms,
                    size_t n, uint64_t now_ns, uint64_t reserved_kb)
{
    struct ref_state *s = arg;
    struct bplan_host host = {now_ns, sim_host_free_kb(h), reserved_kb};
    struct sim_dom *d0 = sim_dom_get(h, 0);
    size_t m = 0;
    int k;

    if (d0) {
        s->doms[m] = (struct ref_dom){.managed = false};
        fill(&s->doms[m++], d0);
    }
    for (size_t i = 0; i < n; i++) {
        const struct sim_dom *d = sim_dom_get(h, vms[i].domid);
        struct ref_dom *r = &s->doms[m++];

        *r = (struct ref_dom){.managed = true, .memo = s->memo[vms[i].gi]};
        policy_bounds(&s->t->guests[vms[i].gi], &r->min_kb, &r->max_kb);
        fill(r, d);
    }
    if ((k = ref_plan_run(&s->p, &host, s->doms, m, s->acts)) < 0)
        return -1;
    for (size_t i = 0; i < n; i++)
        s->memo[vms[i].gi] = s->doms[i + (d0 ? 1 : 0)].memo;
    for (int a = 0; a < k; a++)
        policy_apply(h, &s->acts[a]);
    return 0;
}

const struct policy_ops policy_reference = {
    .name = "reference",
    .label = "reference: squeezed-style proportional",
    .init = ref_init,
    .pass = ref_pass,
    .fini = ref_fini,
};
