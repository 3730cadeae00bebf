/*
 * sim_agent.c - the simulated guests' memory on the event loop: a timer
 * that advances the model's balloons and workloads (sim_balloon.c) every
 * 200 ms while some guest needs it, and the guest agent of each running
 * guest that has one, writing its report (common/memreport.h) into
 * /local/domain/N/data/xenith-memory every report_every_s, as the guest:
 * with domain N's permissions, so the node is the guest's own.
 *
 * The store shows no memory a guest holds (only the target libxl writes),
 * so a balloon's move writes nothing; the agent's report is the only
 * thing written, once per interval.  Everything here is in memory: it
 * never blocks the loop.
 */
#include "sim/sim_drv.h"

#include <stdio.h>

#include "log.h"
#include "memreport.h"
#include "sim/xsd/xsd.h"

#define TICK_MS 200
#define REPORT_PATH_MAX 96

/* The guest's data/ as libxl lays it out: made by dom0, owned by the
 * guest ("nN"), for a guest that finds it gone. */
static int ensure_data(struct simdrv *drv, uint32_t domid)
{
    struct xsd_perm own = { domid, XSD_PERM_NONE };
    char path[REPORT_PATH_MAX];
    int rc;

    snprintf(path, sizeof(path), "/local/domain/%u/data", (unsigned)domid);
    rc = xsd_mkdir(drv->store, path);
    if (rc == 0)
        rc = xsd_set_perms(drv->store, path, &own, 1);
    return rc;
}

/* The guest writes its report: seq counts the ones written. */
static void write_report(struct simdrv *drv, struct sim_dom *d, uint64_t now)
{
    char path[REPORT_PATH_MAX], text[MEMREPORT_TEXT_MAX], l[HV_NAME_MAX + 32];
    struct memreport r;
    int len, rc;

    if (sim_dom_memreport(d, &r) < 0)
        return;
    r.seq = d->gm.report_seq + 1;
    len = memreport_format(&r, text, sizeof(text));
    if (len < 0)
        return;
    snprintf(path, sizeof(path), "/local/domain/%u/%s", (unsigned)d->domid,
             MEMREPORT_NODE);
    rc = xsd_write_as(drv->store, d->domid, path, text, (size_t)len);
    if (rc == XN_EPERM && ensure_data(drv, d->domid) == 0)
        rc = xsd_write_as(drv->store, d->domid, path, text, (size_t)len);
    d->gm.reported_ns = now;
    if (rc < 0) {
        xn_log(XN_LOG_DEBUG, "sim: the agent of %s cannot write %s (%s)",
               sim_dom_label(d, l, sizeof(l)), path, xn_strerror(rc));
        return;
    }
    d->gm.report_seq = r.seq;
}

static void arm(struct simdrv *drv)
{
    struct timeval tv = { 0, TICK_MS * 1000 };

    if (!evtimer_pending(drv->mem_tick, NULL))
        evtimer_add(drv->mem_tick, &tv);
}

static void mem_tick_cb(evutil_socket_t fd, short what, void *arg)
{
    struct simdrv *drv = arg;
    struct sim_host *h = drv->host;
    uint64_t now = sim_host_now(h);
    bool active = false;

    (void)fd;
    (void)what;
    sim_host_mem_advance(h, now);
    for (struct sim_dom *d = sim_dom_next(h, NULL); d;
         d = sim_dom_next(h, d)) {
        const struct sim_guest_mem *gm = &d->gm;
        if (gm->agent && d->state == HV_STATE_RUNNING &&
            (gm->reported_ns == 0 ||
             now - gm->reported_ns >= gm->report_every_s * 1000 * SIM_MS))
            write_report(drv, d, now);
        active |= sim_dom_mem_active(d);
    }
    if (!active)
        evtimer_del(drv->mem_tick);     /* a quiet host sleeps */
}

void simagent_kick(struct simdrv *drv, const struct sim_dom *d)
{
    if (drv->mem_tick && sim_dom_mem_active(d))
        arm(drv);
}

int simagent_open(struct simdrv *drv)
{
    drv->mem_tick = event_new(drv->hv->base, -1, EV_PERSIST, mem_tick_cb,
                              drv);
    if (!drv->mem_tick)
        return XN_ENOMEM;
    for (struct sim_dom *d = sim_dom_next(drv->host, NULL); d;
         d = sim_dom_next(drv->host, d))
        simagent_kick(drv, d);
    return 0;
}

void simagent_close(struct simdrv *drv)
{
    if (drv->mem_tick)
        event_free(drv->mem_tick);
    drv->mem_tick = NULL;
}
