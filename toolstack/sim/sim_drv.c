/*
 * sim_drv.c - the sim:///NAME driver: hv_ops over the host model.  Opening,
 * closing, the event timer, the machinery of asynchronous operations and
 * the table of hv_ops live here; the queries and the synchronous calls are
 * in sim_calls.c.
 */
#include "sim/sim_drv.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "log.h"
#include "sim/sim_config.h"
#include "sim/sim_scenario.h"

/* --- domains --- */

int simdrv_find(struct simdrv *drv, uint32_t domid, struct sim_dom **d_r,
                struct xn_msg *msg)
{
    *d_r = sim_dom_get(drv->host, domid);
    if (!*d_r)
        return xn_msg_set(msg, XN_ENOENT, "no domain with id %u", domid);
    return 0;
}

libxl_domain_config *simdrv_cfg_new(void)
{
    libxl_domain_config *cfg = malloc(sizeof(*cfg));

    if (cfg)
        libxl_domain_config_init(cfg);
    return cfg;
}

void simdrv_cfg_free(libxl_domain_config *cfg)
{
    if (!cfg)
        return;
    libxl_domain_config_dispose(cfg);
    free(cfg);
}

struct simdrv_dom *simdrv_dom_new(libxl_domain_config *cfg)
{
    struct simdrv_dom *dd = calloc(1, sizeof(*dd));

    if (!dd) {
        simdrv_cfg_free(cfg);
        return NULL;
    }
    dd->cfg = cfg;
    return dd;
}

void simdrv_dom_free(void *p)
{
    struct simdrv_dom *dd = p;

    if (!dd)
        return;
    simdrv_cfg_free(dd->cfg);
    free(dd);
}

/* --- events out of the model --- */

bool simdrv_emit(struct simdrv *drv, const struct sim_event *sev)
{
    struct hv_event ev = {
        .type = sev->type == SIM_EV_DEATH ? HV_EV_DEATH : HV_EV_SHUTDOWN,
        .domid = sev->domid,
        .reason = sev->reason,
    };

    snprintf(ev.name, sizeof(ev.name), "%s", sev->name);
    memcpy(ev.uuid, sev->uuid, 16);
    xn_log(XN_LOG_DEBUG, "sim %s: domain %u (%s) %s", hv_uri(drv->hv),
           ev.domid, ev.name, ev.type == HV_EV_DEATH ? "died" : "shut down");
    simstore_event(drv, sev);       /* the store first, as on Xen */
    return hv_emit(drv->hv, &ev);
}

static void tick_cb(evutil_socket_t fd, short what, void *arg)
{
    struct simdrv *drv = arg;
    struct sim_event ev;

    (void)fd;
    (void)what;
    while (sim_host_step(drv->host, &ev)) {
        if (!simdrv_emit(drv, &ev))
            return;
        if (ev.type == SIM_EV_DEATH && !simdrv_deaths(drv, ev.domid))
            return;
    }
    simdrv_rearm(drv);
}

void simdrv_rearm(struct simdrv *drv)
{
    uint64_t due, now, wait;
    struct timeval tv;

    if (!sim_host_next_due(drv->host, &due)) {
        evtimer_del(drv->tick);
        return;
    }
    now = sim_host_now(drv->host);
    wait = due > now ? due - now : 0;
    wait = (wait + 999) / 1000;         /* microseconds, never early */
    tv.tv_sec = (time_t)(wait / 1000000);
    tv.tv_usec = (suseconds_t)(wait % 1000000);
    evtimer_add(drv->tick, &tv);
}

/* --- asynchronous operations --- */

static void kick_cb(evutil_socket_t fd, short what, void *arg)
{
    struct simdrv_op *op = arg;

    (void)fd;
    (void)what;
    op->step(op);
}

/* Ops in flight are listed by domid (hashed), so that finding the ones
 * of a domain stays quick with thousands in flight. */
static struct simdrv_op **op_bucket(struct simdrv *drv, uint32_t domid)
{
    return &drv->ops[domid % SIMDRV_OP_BUCKETS];
}

static void op_link(struct simdrv_op *op)
{
    struct simdrv_op **head = op_bucket(op->drv, op->domid);

    op->prev = NULL;
    op->next = *head;
    if (*head)
        (*head)->prev = op;
    *head = op;
}

static void op_unlink(struct simdrv_op *op)
{
    if (op->prev)
        op->prev->next = op->next;
    else
        *op_bucket(op->drv, op->domid) = op->next;
    if (op->next)
        op->next->prev = op->prev;
}

struct simdrv_op *simdrv_op_new(struct simdrv *drv, enum simdrv_op_kind kind,
                                uint32_t domid, hv_done_fn *done,
                                void *opaque, simdrv_step_fn *step)
{
    struct simdrv_op *op = calloc(1, sizeof(*op));

    if (!op)
        return NULL;
    op->kick = evtimer_new(drv->hv->base, kick_cb, op);
    if (!op->kick) {
        free(op);
        return NULL;
    }
    op->drv = drv;
    op->kind = kind;
    op->domid = domid;
    op->done = done;
    op->opaque = opaque;
    op->step = step;
    op->fd = -1;
    sim_dom_spec_init(&op->spec);
    op_link(op);
    return op;
}

void simdrv_op_set_domid(struct simdrv_op *op, uint32_t domid)
{
    op_unlink(op);
    op->domid = domid;
    op_link(op);
}

void simdrv_op_kick(struct simdrv_op *op)
{
    static const struct timeval now = { 0, 0 };

    evtimer_add(op->kick, &now);
}

int simdrv_op_wait_fd(struct simdrv_op *op, short what)
{
    if (!op->io) {
        op->io = event_new(op->drv->hv->base, op->fd, what, kick_cb, op);
        if (!op->io)
            return XN_ENOMEM;
    }
    return event_add(op->io, NULL) < 0 ? XN_EIO : 0;
}

void simdrv_op_free(struct simdrv_op *op)
{
    op_unlink(op);
    event_free(op->kick);
    if (op->io)
        event_free(op->io);
    sim_img_writer_free(op->w);
    free(op->map);
    sim_img_reader_free(op->r);
    sim_dom_spec_dispose(&op->spec);
    simdrv_cfg_free(op->cfg);
    free(op);
}

bool simdrv_op_finish(struct simdrv_op *op, int rc, const struct xn_msg *msg,
                      uint32_t domid)
{
    struct simdrv *drv = op->drv;
    hv_done_fn *done = op->done;
    void *opaque = op->opaque;
    struct xn_msg copy;

    xn_msg_clear(&copy);
    if (rc < 0 && msg)
        copy = *msg;
    simdrv_op_free(op);
    return hv_complete(drv->hv, done, opaque, rc, &copy, domid);
}

struct simdrv_op *simdrv_op_find(struct simdrv *drv, enum simdrv_op_kind kind,
                                 uint32_t domid)
{
    for (struct simdrv_op *op = *op_bucket(drv, domid); op; op = op->next)
        if (op->kind == kind && op->domid == domid)
            return op;
    return NULL;
}

/* --- open and close --- */

static int sim_open(struct hv *hv, const char *path,
                    const struct hv_open_opts *opts, struct xn_msg *msg)
{
    struct simdrv *drv;
    const char *name = path;
    int rc;

    while (*name == '/')
        name++;
    for (const char *p = name; *p; p++)
        if (!isalnum((unsigned char)*p) && !strchr("-_.", *p))
            return xn_msg_set(msg, XN_EINVAL, "sim host name \"%s\" may "
                              "hold only letters, digits, '-', '_' and '.'",
                              name);
    if (strlen(name) >= HV_NAME_MAX)
        return xn_msg_set(msg, XN_EINVAL, "sim host name \"%.40s...\" is "
                          "too long", name);
    if (!hv->base)
        return xn_msg_set(msg, XN_EINVAL, "the sim driver needs an event "
                          "loop");
    drv = calloc(1, sizeof(*drv));
    if (!drv)
        return xn_msg_set(msg, XN_ENOMEM, "out of memory");
    drv->hv = hv;
    drv->tick = evtimer_new(hv->base, tick_cb, drv);
    if (!drv->tick) {
        free(drv);
        return xn_msg_set(msg, XN_ENOMEM, "out of memory");
    }
    rc = sim_scenario_load(opts->scenario, name, NULL, NULL, &drv->host, msg);
    if (rc < 0) {
        event_free(drv->tick);
        free(drv);
        return rc;
    }
    sim_host_set_drv_free(drv->host, simdrv_dom_free);
    rc = simstore_open(drv, opts->run_dir, msg);
    if (rc == 0 && simagent_open(drv) < 0) {
        simstore_close(drv);
        rc = xn_msg_set(msg, XN_ENOMEM, "out of memory");
    }
    if (rc < 0) {
        simagent_close(drv);
        sim_host_free(drv->host);
        event_free(drv->tick);
        free(drv);
        return rc;
    }
    hv->priv = drv;
    xn_log(XN_LOG_DEBUG, "sim host %s: %u CPUs, %llu MiB, %u domains%s%s, "
           "xenstore %s",
           sim_host_spec(drv->host)->name, sim_host_spec(drv->host)->nr_cpus,
           (unsigned long long)(sim_host_spec(drv->host)->total_kb >> 10),
           sim_host_n_dom(drv->host), opts->scenario ? " from " : "",
           opts->scenario ? opts->scenario : "", simstore_path(drv));
    return 0;
}

static void sim_close(struct hv *hv)
{
    struct simdrv *drv = simdrv_of(hv);

    if (!drv)
        return;
    for (size_t i = 0; i < SIMDRV_OP_BUCKETS; i++)
        while (drv->ops[i])
            simdrv_op_free(drv->ops[i]);
    event_free(drv->tick);
    simagent_close(drv);
    simstore_close(drv);
    sim_host_free(drv->host);
    free(drv);
    hv->priv = NULL;
}

/* --- the driver's hv_ops --- */

static char *simdrv_config_json(struct hv *hv,
                                const libxl_domain_config *cfg)
{
    (void)hv;
    return simcfg_to_json((libxl_domain_config *)cfg);
}

const struct hv_ops hv_sim_ops = {
    .scheme = "sim",
    .open = sim_open,
    .close = sim_close,
    .host_info = simdrv_host_info,
    .dom_list = simdrv_dom_list,
    .dom_info = simdrv_dom_info,
    .dom_config = simdrv_dom_config,
    .vcpu_list = simdrv_vcpu_list,
    .pool_list = simdrv_pool_list,
    .create = simdrv_create,
    .destroy = simdrv_destroy,
    .shutdown = simdrv_shutdown,
    .pause = simdrv_pause,
    .unpause = simdrv_unpause,
    .rename = simdrv_rename,
    .mem_target = simdrv_mem_target,
    .mem_max = simdrv_mem_max,
    .vcpu_set = simdrv_vcpu_set,
    .vcpu_pin = simdrv_vcpu_pin,
    .sched_get = simdrv_sched_get,
    .sched_set = simdrv_sched_set,
    .pool_sched_get = simdrv_pool_sched_get,
    .pool_sched_set = simdrv_pool_sched_set,
    .save = simdrv_save,
    .resume = simdrv_resume,
    .save_progress = simdrv_save_progress,
    .image_open = simdrv_image_open,
    .image_head = sim_img_head,
    .image_free = simdrv_image_free,
    .restore = simdrv_restore,
    .need_memory = simdrv_need_memory,
    .config_json = simdrv_config_json,
    .pci_list = simdrv_pci_list,
    .pci_info = simdrv_pci_info,
    .pci_assignable_add = simdrv_pci_assignable_add,
    .pci_assignable_remove = simdrv_pci_assignable_remove,
    .pci_attach = simdrv_pci_attach,
    .pci_detach = simdrv_pci_detach,
    .store_open = simdrv_store_open,
};
