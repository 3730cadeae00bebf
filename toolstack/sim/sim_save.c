/*
 * sim_save.c - save, resume and restore: the image stream (sim_image.c)
 * pumped through a file descriptor by the event loop (a live save's later
 * passes in sim_live.c).
 *
 * Each turn moves at most STEP_BYTES and then yields with a zero timer, so
 * other work runs in between; on EAGAIN (a socket or pipe) the op waits
 * for the fd instead.  The fd is never read past the image's end.
 */
#include "sim/sim_drv.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include "sim/sim_config.h"

#define STEP_BYTES (8u << 20)
#define LABEL_MAX (HV_NAME_MAX + 32)

/* --- save --- */

/* The save ends (log-dirty mode off); false when done closed the hv. */
static bool save_finish(struct simdrv_op *op, int rc, const struct xn_msg *m)
{
    simlive_stop(op);
    return simdrv_op_finish(op, rc, m, op->domid);
}

/* The domain being saved, or NULL when it was destroyed or changed size
 * (op finished). */
static struct sim_dom *save_dom(struct simdrv_op *op)
{
    struct sim_dom *d = sim_dom_get(op->drv->host, op->domid);
    struct xn_msg m;

    if (!d || d->state == HV_STATE_DYING) {
        xn_msg_set(&m, XN_ECANCELED, "domain %u was destroyed while it was "
                   "being saved", op->domid);
        save_finish(op, XN_ECANCELED, &m);
        return NULL;
    }
    if (sim_dom_pages(d) != op->pages) {
        xn_msg_set(&m, XN_EBUSY, "the memory of domain %u (%s) changed size "
                   "while it was being saved", d->domid, d->name);
        save_finish(op, XN_EBUSY, &m);
        return NULL;
    }
    return d;
}

/* Hand out the next piece of the image; false when the op finished.  A
 * live save makes the guest's writes up to now first, and after its first
 * pass goes on with the later ones (sim_live.c), which suspend the guest
 * before the last. */
static bool save_next(struct simdrv_op *op, struct sim_dom *d)
{
    struct xn_msg m;
    int rc;

    op->wlen = op->woff = 0;
    if (op->flags & HV_SAVE_LIVE) {
        sim_dom_dirty_settle(op->drv->host, d);
        if (sim_img_writer_at_end(op->w) && !op->end) {
            rc = simlive_next(op, d, &m);
            if (rc < 0) {
                save_finish(op, rc, &m);
                return false;
            }
            if (op->wlen)
                return true;
        }
    }
    rc = sim_img_writer_next(op->w, d->page_gen, &op->wbuf, &op->wlen);
    if (rc < 0) {
        xn_msg_set(&m, rc, "cannot encode the image of domain %u (%s)",
                   d->domid, d->name);
        save_finish(op, rc, &m);
        return false;
    }
    return true;
}

/* The guest suspended: Xen reports that as a shutdown with reason suspend
 * (the daemon knows to ignore it).  Returns the domain, or NULL when the op
 * finished or the hv was closed meanwhile. */
static struct sim_dom *save_report(struct simdrv_op *op, struct sim_dom *d)
{
    struct simdrv *drv = op->drv;
    struct sim_event ev = { .type = SIM_EV_SHUTDOWN,
                            .reason = HV_SHUTDOWN_SUSPEND };
    uint32_t domid = op->domid;

    if (op->told || d->state != HV_STATE_SHUTDOWN ||
        d->reason != HV_SHUTDOWN_SUSPEND)
        return d;
    op->told = true;
    ev.domid = d->domid;
    snprintf(ev.name, sizeof(ev.name), "%s", d->name);
    memcpy(ev.uuid, d->uuid, 16);
    if (!simdrv_emit(drv, &ev))
        return NULL;
    if (!simdrv_op_find(drv, SIMOP_SAVE, domid))
        return NULL;
    return save_dom(op);
}

static void save_step(struct simdrv_op *op)
{
    struct sim_dom *d = save_dom(op);
    char l[LABEL_MAX];
    struct xn_msg m;
    size_t moved = 0;

    if (!d || !(d = save_report(op, d)))
        return;
    while (moved < STEP_BYTES) {
        ssize_t n;
        if (op->woff == op->wlen) {
            if (!save_next(op, d) || !(d = save_report(op, d)))
                return;
            if (op->wlen == 0) {
                simdrv_rearm(op->drv);
                save_finish(op, 0, NULL);
                return;
            }
        }
        n = send(op->fd, op->wbuf + op->woff, op->wlen - op->woff,
                 MSG_NOSIGNAL);         /* a socket whose peer is gone */
        if (n < 0 && errno == ENOTSOCK)
            n = write(op->fd, op->wbuf + op->woff, op->wlen - op->woff);
        if (n < 0 && errno == EINTR)
            continue;
        if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) {
            if (simdrv_op_wait_fd(op, EV_WRITE) == 0)
                return;
            errno = EIO;
        }
        if (n <= 0) {
            xn_msg_set(&m, XN_EIO, "writing the image of %s failed after "
                       "%llu bytes: %s", sim_dom_label(d, l, sizeof(l)),
                       (unsigned long long)(sim_img_writer_offset(op->w) -
                                            op->wlen + op->woff),
                       n < 0 ? strerror(errno) : "nothing written");
            save_finish(op, XN_EIO, &m);
            return;
        }
        op->woff += (size_t)n;
        moved += (size_t)n;
    }
    simdrv_op_kick(op);
}

/* The image's writer, with the configuration the domain runs with. */
static int save_writer(struct simdrv *drv, struct sim_dom *d,
                       const struct sim_img_info *info, struct simdrv_op *op,
                       struct xn_msg *msg)
{
    const struct simdrv_dom *dd = d->drv;
    libxl_domain_config cfg;
    char l[LABEL_MAX];
    char *json = NULL;
    int rc;

    libxl_domain_config_init(&cfg);
    rc = simcfg_for_dom(drv->host, d, dd ? dd->cfg : NULL, &cfg, msg);
    if (rc == 0 && !(json = simcfg_to_json(&cfg)))
        rc = xn_msg_set(msg, XN_EFAIL, "cannot save %s: its configuration "
                        "cannot be written as JSON",
                        sim_dom_label(d, l, sizeof(l)));
    if (rc == 0 && strlen(json) > SIM_IMG_CONFIG_MAX)
        rc = xn_msg_set(msg, XN_EINVAL, "cannot save %s: its configuration "
                        "is larger than %u bytes",
                        sim_dom_label(d, l, sizeof(l)), SIM_IMG_CONFIG_MAX);
    if (rc == 0 && sim_img_writer_new(info, json, &op->w) < 0)
        rc = xn_msg_set(msg, XN_ENOMEM, "out of memory");
    free(json);
    libxl_domain_config_dispose(&cfg);
    return rc;
}

int simdrv_save(struct hv *hv, uint32_t domid, int fd, unsigned flags,
                hv_done_fn *done, void *opaque, struct xn_msg *msg)
{
    struct simdrv *drv = simdrv_of(hv);
    struct sim_img_info info;
    struct simdrv_op *op;
    struct sim_dom *d;
    char l[LABEL_MAX];
    int rc = simdrv_find(drv, domid, &d, msg);

    if (rc < 0)
        return rc;
    if (simdrv_op_find(drv, SIMOP_SAVE, domid))
        return xn_msg_set(msg, XN_EBUSY, "%s is already being saved",
                          sim_dom_label(d, l, sizeof(l)));
    if (d->state != HV_STATE_RUNNING && d->state != HV_STATE_PAUSED)
        return sim_dom_suspend(drv->host, d, msg);  /* says why not */
    if ((rc = simpci_check_savable(drv, d, msg)) < 0)
        return rc;
    memset(&info, 0, sizeof(info));
    info.pages = sim_dom_pages(d);
    info.mem_kb = d->mem_kb;
    info.target_kb = d->target_kb;
    info.max_kb = d->max_kb;
    info.seed = d->seed;
    info.vcpus_max = d->vcpus_max;
    info.vcpus_online = d->vcpus_online;
    info.type = d->type;
    info.domid = d->domid;
    memcpy(info.uuid, d->uuid, 16);
    snprintf(info.name, sizeof(info.name), "%s", d->name);

    op = simdrv_op_new(drv, SIMOP_SAVE, domid, done, opaque, save_step);
    if (!op)
        return xn_msg_set(msg, XN_ENOMEM, "out of memory");
    rc = save_writer(drv, d, &info, op, msg);
    if (rc < 0) {
        simdrv_op_free(op);
        return rc;
    }
    op->fd = fd;
    hv_fd_blocking(fd, false);
    op->flags = flags;
    op->pages = info.pages;
    if (flags & HV_SAVE_LIVE) {
        if (simlive_start(op, d) < 0)
            rc = xn_msg_set(msg, XN_ENOMEM, "out of memory");
    } else {
        rc = sim_dom_suspend(drv->host, d, msg);
        simlive_suspended(op);
        op->last = op->end = true;
    }
    if (rc < 0) {
        simdrv_op_free(op);
        return rc;
    }
    simdrv_op_kick(op);
    return 0;
}

/* --- resume --- */

static void resume_step(struct simdrv_op *op)
{
    simdrv_op_finish(op, 0, NULL, op->domid);
}

int simdrv_resume(struct hv *hv, uint32_t domid, hv_done_fn *done,
                  void *opaque, struct xn_msg *msg)
{
    struct simdrv *drv = simdrv_of(hv);
    struct simdrv_op *op;
    struct sim_dom *d;
    char l[LABEL_MAX];
    int rc = simdrv_find(drv, domid, &d, msg);

    if (rc < 0)
        return rc;
    if (simdrv_op_find(drv, SIMOP_SAVE, domid))
        return xn_msg_set(msg, XN_EBUSY, "%s is still being saved",
                          sim_dom_label(d, l, sizeof(l)));
    op = simdrv_op_new(drv, SIMOP_RESUME, domid, done, opaque, resume_step);
    if (!op)
        return xn_msg_set(msg, XN_ENOMEM, "out of memory");
    rc = sim_dom_resume(drv->host, d, msg);
    if (rc < 0) {
        simdrv_op_free(op);
        return rc;
    }
    simstore_guest_runs(drv, d);
    simdrv_rearm(drv);
    simdrv_op_kick(op);
    return 0;
}

/* --- restore --- */

int simdrv_image_open(struct hv *hv, struct hv_image *img, struct xn_msg *msg)
{
    struct sim_img_reader *r = NULL;
    libxl_domain_config *cfg = NULL;
    int rc;

    (void)hv;
    if (sim_img_reader_new(&r) < 0)
        return xn_msg_set(msg, XN_ENOMEM, "out of memory");
    /* The header and the configuration come first; read until the reader
     * has both (it never asks for bytes past the image). */
    while (!sim_img_reader_config(r)) {
        uint8_t *buf;
        size_t len;
        ssize_t n;

        sim_img_reader_space(r, &buf, &len);
        n = read(img->fd, buf, len);
        if (n < 0 && errno == EINTR)
            continue;
        if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK) &&
            hv_fd_wait(img->fd, POLLIN) == 0)
            continue;
        if (n < 0) {
            rc = xn_msg_set(msg, XN_EIO, "cannot read the image: %s",
                            strerror(errno));
            goto fail;
        }
        rc = n == 0 ? sim_img_reader_eof(r, msg)
                    : sim_img_reader_commit(r, (size_t)n, msg);
        if (rc < 0)
            goto fail;
    }
    if (!(cfg = simdrv_cfg_new())) {
        rc = xn_msg_set(msg, XN_ENOMEM, "out of memory");
        goto fail;
    }
    rc = simcfg_from_json(sim_img_reader_config(r), cfg, msg);
    if (rc < 0)
        goto fail;
    img->cfg = cfg;
    img->priv = r;
    return 0;
fail:
    simdrv_cfg_free(cfg);
    sim_img_reader_free(r);
    return rc;
}

void simdrv_image_free(struct hv_image *img)
{
    sim_img_reader_free(img->priv);
    img->priv = NULL;
}

/* Fail a restore: the half-made domain goes away (unless someone is
 * already destroying it), then done hears why, naming the domain. */
static void restore_fail(struct simdrv_op *op, int rc, const struct xn_msg *m)
{
    struct sim_dom *d = op->created ? sim_dom_get(op->drv->host, op->domid)
                                    : NULL;
    struct xn_msg named;

    if (d && d->state != HV_STATE_DYING) {
        sim_dom_remove(op->drv->host, d);
        simstore_remove(op->drv, op->domid);
    }
    xn_msg_set(&named, rc, "cannot restore %s: %s", op->name, m->text);
    simdrv_op_finish(op, rc, &named, SIMDRV_DOMID_INVALID);
}

/* Before the pages: make the (paused) domain that receives them, from the
 * image's header and configuration. */
static int restore_make(struct simdrv_op *op, struct xn_msg *msg)
{
    const struct sim_img_info *in = sim_img_reader_info(op->r);
    struct sim_host *h = op->drv->host;
    struct sim_dom_spec *s = &op->spec;
    libxl_domain_config *cfg = op->cfg;
    const struct sim_dom *other;
    struct sim_dom *d;
    char a[32], b[32];
    int rc;

    if (strcmp(cfg->c_info.name, op->name) != 0) {
        free(cfg->c_info.name);
        if (!(cfg->c_info.name = strdup(op->name)))
            return xn_msg_set(msg, XN_ENOMEM, "out of memory");
    }
    rc = simcfg_to_spec(h, cfg, s, msg);
    if (rc < 0)
        return rc;
    if ((other = sim_dom_by_name(h, s->name)))
        return xn_msg_set(msg, XN_EEXIST, "a domain named \"%s\" already "
                          "exists (domain %u)", s->name, other->domid);
    if (in->type != s->type)
        return xn_msg_set(msg, XN_ECORRUPT, "the image holds a %s domain "
                          "but its configuration says %s",
                          hv_domtype_name(in->type),
                          hv_domtype_name(s->type));
    if (in->vcpus_online > s->vcpus_max)
        return xn_msg_set(msg, XN_ECORRUPT, "the image has %u vCPUs online "
                          "but its configuration allows %u", in->vcpus_online,
                          s->vcpus_max);
    if (in->mem_kb > sim_host_free_kb(h))
        return xn_msg_set(msg, XN_ENOMEM, "it needs %s but the host has %s "
                          "free", sim_fmt_kb(in->mem_kb, a, sizeof(a)),
                          sim_fmt_kb(sim_host_free_kb(h), b, sizeof(b)));
    /* The guest as it was: memory and vCPUs from the image. */
    s->mem_kb = in->mem_kb;
    s->target_kb = in->target_kb;
    s->max_kb = in->max_kb;
    s->vcpus = in->vcpus_online ? in->vcpus_online : 1;
    s->has_seed = true;
    s->seed = in->seed;
    if (!s->has_uuid) {
        memcpy(s->uuid, in->uuid, 16);
        s->has_uuid = true;
    }
    s->state = HV_STATE_PAUSED;
    rc = sim_dom_add(h, s, &d, msg);
    if (rc < 0)
        return rc;
    d->drv = simdrv_dom_new(cfg);
    op->cfg = NULL;
    if (!d->drv) {
        sim_dom_remove(h, d);
        return xn_msg_set(msg, XN_ENOMEM, "out of memory");
    }
    rc = simstore_add(op->drv, d, msg);     /* as libxl makes it first */
    if (rc < 0) {
        sim_dom_remove(h, d);
        return rc;
    }
    simdrv_op_set_domid(op, d->domid);
    op->created = true;
    return 0;
}

/* The last byte is in and checked: the domain gets its pages and runs. */
static void restore_done(struct simdrv_op *op)
{
    const struct sim_img_info *in = sim_img_reader_info(op->r);
    struct sim_dom *d = sim_dom_get(op->drv->host, op->domid);
    struct xn_msg m;
    int rc = sim_dom_set_image(d, in->seed, sim_img_reader_gens(op->r));

    if (rc < 0) {
        xn_msg_set(&m, rc, "out of memory");
        restore_fail(op, rc, &m);
        return;
    }
    if (!op->paused && d->state == HV_STATE_PAUSED &&
        sim_dom_unpause(op->drv->host, d, NULL) == 0)
        simstore_guest_runs(op->drv, d);
    simdrv_rearm(op->drv);
    simdrv_op_finish(op, 0, NULL, d->domid);
}

static void restore_step(struct simdrv_op *op)
{
    size_t moved = 0;
    struct xn_msg m;
    int rc;

    if (!op->created && (rc = restore_make(op, &m)) < 0) {
        restore_fail(op, rc, &m);
        return;
    }
    while (moved < STEP_BYTES) {
        uint8_t *buf;
        size_t len;
        ssize_t n;
        struct sim_dom *d = sim_dom_get(op->drv->host, op->domid);

        if (!d || d->state == HV_STATE_DYING) {
            xn_msg_set(&m, XN_ECANCELED, "domain %u was destroyed while it "
                       "was being restored", op->domid);
            restore_fail(op, XN_ECANCELED, &m);
            return;
        }
        sim_img_reader_space(op->r, &buf, &len);
        if (len == 0) {
            restore_done(op);
            return;
        }
        n = read(op->fd, buf, len);
        if (n < 0 && errno == EINTR)
            continue;
        if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) {
            if (simdrv_op_wait_fd(op, EV_READ) == 0)
                return;
            errno = EIO;
        }
        if (n < 0) {
            xn_msg_set(&m, XN_EIO, "reading the image failed after "
                       "%llu bytes: %s",
                       (unsigned long long)sim_img_reader_offset(op->r),
                       strerror(errno));
            restore_fail(op, XN_EIO, &m);
            return;
        }
        rc = n == 0 ? sim_img_reader_eof(op->r, &m)
                    : sim_img_reader_commit(op->r, (size_t)n, &m);
        if (rc < 0) {
            restore_fail(op, rc, &m);
            return;
        }
        moved += (size_t)n;
    }
    simdrv_op_kick(op);
}

int simdrv_restore(struct hv *hv, struct hv_image *img, const char *name,
                   bool paused, hv_done_fn *done, void *opaque,
                   struct xn_msg *msg)
{
    struct simdrv *drv = simdrv_of(hv);
    const char *as = name ? name : img->cfg->c_info.name;
    const struct sim_dom *other;
    struct simdrv_op *op;

    if ((other = sim_dom_by_name(drv->host, as)))
        return xn_msg_set(msg, XN_EEXIST, "a domain named \"%s\" already "
                          "exists (domain %u)", as, other->domid);
    op = simdrv_op_new(drv, SIMOP_RESTORE, SIMDRV_DOMID_INVALID, done, opaque,
                       restore_step);
    if (!op)
        return xn_msg_set(msg, XN_ENOMEM, "out of memory");
    snprintf(op->name, sizeof(op->name), "%s", as);
    op->r = img->priv;
    img->priv = NULL;
    op->cfg = img->cfg;
    img->cfg = NULL;
    op->fd = img->fd;
    hv_fd_blocking(op->fd, false);
    op->paused = paused;
    simdrv_op_kick(op);
    return 0;
}
