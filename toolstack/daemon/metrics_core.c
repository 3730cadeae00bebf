/* metrics_core.c - the daemon core's own figures: the host's domains and
 * memory, read from the hypervisor at each collection, the requests counted
 * by dispatch, and the state of the core's seams (jobs, starts, the bus). */
#include "daemon.h"
#include "daemon/bus.h"
#include "daemon/jobs.h"
#include "daemon/start.h"
#include "log.h"
#include "metrics.h"

#include <stdlib.h>
#include <string.h>

#define REQUESTS "xenith_requests_total"
#define REFUSED "xenith_metrics_series_refused_total"
#define DOMAINS "xenith_domains"
#define MEM_FREE "xenith_host_memory_free_bytes"
#define MEM_TOTAL "xenith_host_memory_total_bytes"
#define DOM_MEM "xenith_domain_memory_bytes"
#define DOM_VCPUS "xenith_domain_vcpus_online"
#define DOM_CPU "xenith_domain_cpu_seconds_total"
#define JOBS_RUNNING "xenith_jobs_running"
#define JOBS_WAITING "xenith_jobs_waiting"
#define STARTS_BUSY "xenith_starts_in_flight"
#define STARTS_OK "xenith_starts_total"
#define STARTS_FAILED "xenith_start_failures_total"
#define EVENTS "xenith_events_total"

static const struct {
    const char *name, *help;
    enum metric_kind kind;
    enum metric_scope scope;
} core_families[] = {
    {DOMAINS, "Domains on the host, Domain-0 included, as xenith list "
     "shows them.", METRIC_GAUGE, METRIC_HOST},
    {MEM_FREE, "Host memory not held by any domain, in bytes.",
     METRIC_GAUGE, METRIC_HOST},
    {MEM_TOTAL, "Host memory, in bytes.", METRIC_GAUGE, METRIC_HOST},
    {REQUESTS, "Requests received on the control socket.", METRIC_COUNTER,
     METRIC_HOST},
    {REFUSED, "Domain series the metrics registry refused because it "
     "held the most it may.", METRIC_COUNTER, METRIC_HOST},
    {JOBS_RUNNING, "Domains with an operation running (one at a time per "
     "domain).", METRIC_GAUGE, METRIC_HOST},
    {JOBS_WAITING, "Operations waiting for their domain's turn.",
     METRIC_GAUGE, METRIC_HOST},
    {STARTS_BUSY, "Domains being started (created, restored, restarted, "
     "migrated in).", METRIC_GAUGE, METRIC_HOST},
    {STARTS_OK, "Starts that ended with the domain running.", METRIC_COUNTER,
     METRIC_HOST},
    {STARTS_FAILED, "Starts that failed after they began (a gate refused, "
     "the hypervisor failed); each was undone.", METRIC_COUNTER,
     METRIC_HOST},
    {EVENTS, "Events published on the daemon's event bus.", METRIC_COUNTER,
     METRIC_HOST},
    {DOM_MEM, "Memory the domain holds, in bytes.", METRIC_GAUGE,
     METRIC_DOMAIN},
    {DOM_VCPUS, "The domain's online vCPUs.", METRIC_GAUGE, METRIC_DOMAIN},
    {DOM_CPU, "CPU time the domain has used, in seconds (it starts again "
     "from 0 when the domain is rebuilt).", METRIC_COUNTER, METRIC_DOMAIN},
};

#define N_FAMILIES (sizeof(core_families) / sizeof(core_families[0]))

static void collect_host(struct daemon *d)
{
    struct metrics *m = d->metrics;
    struct hv_hostinfo info;
    struct xn_msg msg;

    if (hv_host_info(d->hv, &info, &msg) < 0) {
        xn_log(XN_LOG_WARNING, "metrics: host memory: %s", msg.text);
        return;
    }
    metric_set(metrics_find(m, MEM_FREE), (double)info.free_kb * 1024);
    metric_set(metrics_find(m, MEM_TOTAL), (double)info.total_kb * 1024);
}

static void collect_domains(struct daemon *d)
{
    struct metrics *m = d->metrics;
    struct metric *mem = metrics_find(m, DOM_MEM);
    struct metric *vcpus = metrics_find(m, DOM_VCPUS);
    struct metric *cpu = metrics_find(m, DOM_CPU);
    struct hv_dominfo *list = NULL;
    uint8_t (*uuids)[16] = NULL;
    struct xn_msg msg;
    size_t n = 0;

    if (hv_dom_list(d->hv, &list, &n, &msg) < 0) {
        xn_log(XN_LOG_WARNING, "metrics: domains: %s", msg.text);
        return;
    }
    if (n && !(uuids = calloc(n, sizeof(*uuids)))) {
        xn_log(XN_LOG_WARNING, "metrics: domains: out of memory");
        goto out;
    }
    metric_set(metrics_find(m, DOMAINS), (double)n);
    for (size_t i = 0; i < n; i++) {
        const struct hv_dominfo *di = &list[i];
        memcpy(uuids[i], di->uuid, 16);
        metric_dom_set(mem, di->uuid, di->domid, di->name,
                       (double)di->mem_kb * 1024);
        metric_dom_set(vcpus, di->uuid, di->domid, di->name,
                       (double)di->vcpus_online);
        metric_dom_set(cpu, di->uuid, di->domid, di->name,
                       (double)di->cpu_time_ns / 1e9);
    }
    /* Those gone since the last collection take their series along,
     * whichever part of the daemon published them. */
    metrics_forget_domains_except(m, (const uint8_t (*)[16])uuids, n);
out:
    free(uuids);
    free(list);
}

/* The core's seams. */
static void collect_seams(struct daemon *d)
{
    struct metrics *m = d->metrics;
    size_t running = 0, waiting = 0;
    uint64_t ok = 0, failed = 0, events = 0;

    if (d->jobs)
        jobs_count(d->jobs, &running, &waiting);
    metric_set(metrics_find(m, JOBS_RUNNING), (double)running);
    metric_set(metrics_find(m, JOBS_WAITING), (double)waiting);
    if (d->starter) {
        starter_counts(d->starter, &ok, &failed);
        metric_set(metrics_find(m, STARTS_BUSY),
                   (double)starter_busy(d->starter));
    }
    metric_set(metrics_find(m, STARTS_OK), (double)ok);
    metric_set(metrics_find(m, STARTS_FAILED), (double)failed);
    for (int t = 0; d->bus && t < BUS_NTYPES; t++)
        events += bus_count(d->bus, (enum bus_type)t);
    metric_set(metrics_find(m, EVENTS), (double)events);
}

static void core_collect(struct metrics *m, void *arg)
{
    struct daemon *d = arg;

    collect_seams(d);
    if (d->hv) {
        collect_host(d);
        collect_domains(d);
    }
    metric_set(metrics_find(m, REFUSED), (double)metrics_refused(m));
}

int metrics_core_start(struct daemon *d, struct xn_msg *msg)
{
    struct metric *f;
    int rc;

    for (size_t i = 0; i < N_FAMILIES; i++)
        if ((rc = metrics_declare(d->metrics, core_families[i].name,
                                  core_families[i].help,
                                  core_families[i].kind,
                                  core_families[i].scope, &f, msg)) < 0)
            return rc;
    if ((rc = metrics_add_collector(d->metrics, core_collect, d)) < 0)
        return xn_msg_set(msg, rc, "metrics: out of memory");
    return 0;
}

void metrics_core_request(struct daemon *d)
{
    if (d && d->metrics)
        metric_add(metrics_find(d->metrics, REQUESTS), 1);
}
