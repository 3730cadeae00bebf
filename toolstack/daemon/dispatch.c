/* dispatch.c - the table of the core's operations; the services add
 * theirs (services.c). */
#include "daemon/metrics.h"
#include "ops.h"
#include "daemon/service.h"

#include <stdio.h>
#include <string.h>

static const struct {
    const char *op;
    op_handler *handler;
} optab[] = {
    {"daemon.info", op_daemon_info},
    {"host.info", op_host_info},
    {"events.subscribe", op_events_subscribe},
    {"services.list", op_services_list},
    {"domain.list", op_dom_list},
    {"domain.info", op_dom_info},
    {"domain.create", op_dom_create},
    {"domain.destroy", op_dom_destroy},
    {"domain.shutdown", op_dom_shutdown},
    {"domain.pause", op_dom_pause},
    {"domain.unpause", op_dom_unpause},
    {"domain.rename", op_dom_rename},
    {"domain.save", op_dom_save},
    {"domain.restore", op_dom_restore},
    {"memory.target", op_mem_target},
    {"memory.max", op_mem_max},
    {"vcpu.list", op_vcpu_list},
    {"vcpu.set", op_vcpu_set},
    {"vcpu.pin", op_vcpu_pin},
    {"sched.get", op_sched_get},
    {"sched.set", op_sched_set},
    {"pool.list", op_pool_list},
    {"pool.sched_get", op_pool_sched_get},
    {"pool.sched_set", op_pool_sched_set},
    {"policy.get", op_policy_get},
    {"policy.set", op_policy_set},
    {"metrics.get", op_metrics_get},
    {"pci.assignable_list", op_pci_assignable_list},
    {"pci.assignable_add", op_pci_assignable_add},
    {"pci.assignable_remove", op_pci_assignable_remove},
    {"pci.list", op_pci_list},
    {"pci.attach", op_pci_attach},
    {"pci.detach", op_pci_detach},
};

#define NOPS (sizeof(optab) / sizeof(optab[0]))

void dispatch(struct request *r)
{
    metrics_core_request(r->d);
    for (size_t i = 0; i < NOPS; i++) {
        if (strcmp(optab[i].op, r->op) == 0) {
            optab[i].handler(r);
            return;
        }
    }
    if (services_dispatch(r->d->services, r))
        return;
    char m[160];
    snprintf(m, sizeof(m), "unknown operation \"%.100s\"", r->op);
    request_fail(r, XN_EINVAL, m);
}

const char *const *dispatch_ops(void)
{
    static const char *names[NOPS + 1];
    for (size_t i = 0; i < NOPS; i++)
        names[i] = optab[i].op;
    names[NOPS] = NULL;
    return names;
}
