/*
 * sim_live.c - the passes of a live save (HV_SAVE_LIVE) after the first,
 * and the progress of any save.
 *
 * The first pass (round 0) sends every page in order while the guest runs
 * with log-dirty mode on (sim_dirty.c); sim_save.c pumps it.  At the end of
 * each pass the pages the guest wrote meanwhile decide what follows:
 *   - at most SIMDRV_SAVE_FEW: suspend the guest and send them (the last
 *     pass, the downtime), then the end record;
 *   - more, and fewer than SIMDRV_SAVE_ROUNDS passes made: another pass of
 *     them while the guest runs;
 *   - more, at the limit: if more than 1/SIMDRV_SAVE_GIVEUP of its memory,
 *     give up (XN_ETIMEDOUT, the guest left running, nothing more written),
 *     else suspend and send them.
 * A guest that does not run (paused, shut down) writes nothing: its save
 * converges at once.
 */
#include "sim/sim_drv.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define LABEL_MAX (HV_NAME_MAX + 32)

static uint64_t realtime_ns(void)
{
    struct timespec ts;

    clock_gettime(CLOCK_REALTIME, &ts);
    return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

/* "812 MiB", "3.1 GiB", "1 GiB"; returns buf. */
static char *fmt_kb(uint64_t kb, char *buf, size_t len)
{
    static const char *const units[] = { "KiB", "MiB", "GiB", "TiB" };
    double v = (double)kb;
    unsigned u = 0;

    while (v >= 1024 && u + 1 < sizeof(units) / sizeof(units[0])) {
        v /= 1024;
        u++;
    }
    snprintf(buf, len, "%.1f", v);
    if (strcmp(buf + strlen(buf) - 2, ".0") == 0)
        buf[strlen(buf) - 2] = '\0';
    snprintf(buf + strlen(buf), len - strlen(buf), " %s", units[u]);
    return buf;
}

int simlive_start(struct simdrv_op *op, struct sim_dom *d)
{
    sim_dom_dirty_settle(op->drv->host, d);     /* what it wrote before */
    return sim_dom_log_dirty_start(d);
}

void simlive_stop(struct simdrv_op *op)
{
    struct sim_dom *d = sim_dom_get(op->drv->host, op->domid);

    if (d && op->flags & HV_SAVE_LIVE)
        sim_dom_log_dirty_stop(d);
}

void simlive_suspended(struct simdrv_op *op)
{
    op->suspended_ns = realtime_ns();
}

/* Pass `round` sends the pages logged since the last pass. */
static int take(struct simdrv_op *op, struct sim_dom *d, uint32_t round,
                struct xn_msg *msg)
{
    uint64_t *map, n;

    if (sim_dom_log_dirty_take(d, &map, &n) < 0)
        return xn_msg_set(msg, XN_ENOMEM, "out of memory");
    free(op->map);
    op->map = map;
    op->map_at = 0;
    op->map_left = n;
    op->round = round;
    return 0;
}

static int give_up(struct simdrv_op *op, struct sim_dom *d, uint64_t left,
                   struct xn_msg *msg)
{
    char sent[32], dirty[32], rate[32];

    return xn_msg_set(msg, XN_ETIMEDOUT, "live save of %s did not converge: "
                      "%u rounds sent %s, %s still dirtied per round at %s/s",
                      d->name, op->round + 1,
                      fmt_kb(sim_img_writer_offset(op->w) / 1024, sent,
                             sizeof(sent)),
                      fmt_kb(left * SIM_PAGE_KB, dirty, sizeof(dirty)),
                      fmt_kb(d->dirty.rate_kb_s, rate, sizeof(rate)));
}

/* A pass went out: the next one, the last one, or give up. */
static int pass_end(struct simdrv_op *op, struct sim_dom *d,
                    struct xn_msg *msg)
{
    uint64_t left = sim_dom_log_dirty_count(d);
    bool runs = d->state != HV_STATE_SHUTDOWN;
    int rc;

    if (runs && left > SIMDRV_SAVE_FEW && op->round + 1 < SIMDRV_SAVE_ROUNDS)
        return take(op, d, op->round + 1, msg);
    if (runs && left > op->pages / SIMDRV_SAVE_GIVEUP)
        return give_up(op, d, left, msg);
    if (runs) {
        rc = sim_dom_suspend(op->drv->host, d, msg);
        if (rc < 0)
            return rc;
        simlive_suspended(op);
    }
    op->last = true;
    left = sim_dom_log_dirty_count(d);  /* up to the suspend */
    return take(op, d, left ? op->round + 1 : op->round, msg);
}

int simlive_next(struct simdrv_op *op, struct sim_dom *d, struct xn_msg *msg)
{
    int rc;

    op->wlen = 0;
    for (;;) {
        if (op->map) {
            uint64_t sent = sim_img_writer_sent(op->w);
            rc = sim_img_writer_pass(op->w, op->map, &op->map_at,
                                     d->page_gen, &op->wbuf, &op->wlen);
            if (rc < 0)
                return xn_msg_set(msg, rc, "cannot encode the image of "
                                  "domain %u (%s)", d->domid, d->name);
            sent = sim_img_writer_sent(op->w) - sent;
            op->map_left -= sent < op->map_left ? sent : op->map_left;
            if (op->wlen)
                return 0;
        }
        if (op->last) {
            op->end = true;
            return 0;
        }
        rc = pass_end(op, d, msg);
        if (rc < 0)
            return rc;
    }
}

int simdrv_save_progress(struct hv *hv, uint32_t domid,
                         struct hv_save_progress *p, struct xn_msg *msg)
{
    struct simdrv *drv = simdrv_of(hv);
    const struct simdrv_op *op;
    struct sim_dom *d;
    char l[LABEL_MAX];
    int rc = simdrv_find(drv, domid, &d, msg);
    uint64_t sent;

    if (rc < 0)
        return rc;
    op = simdrv_op_find(drv, SIMOP_SAVE, domid);
    if (!op)
        return xn_msg_set(msg, XN_ENOENT, "%s is not being saved",
                          sim_dom_label(d, l, sizeof(l)));
    p->round = op->round;
    p->bytes = sim_img_writer_offset(op->w) - op->wlen + op->woff;
    p->pages_total = op->pages;
    sent = sim_img_writer_sent(op->w);
    p->pages_dirty = op->map ? op->map_left
                             : op->pages - (sent < op->pages ? sent
                                                             : op->pages);
    if (!op->last)
        p->pages_dirty += sim_dom_log_dirty_count(d);
    p->suspended = op->suspended_ns != 0;
    p->suspended_ns = op->suspended_ns;
    return 0;
}
