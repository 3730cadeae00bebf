/*
 * mig_recv_stream.c - the destination's stream: DATA from the relay is fed
 * through a socketpair to the driver's restore.
 *
 * The restore's first step (hv_image_open) reads the image's head
 * synchronously, so it starts only once the whole head (hv_image_head says
 * how long it is) sits in the socketpair; what follows waits in `pending`
 * until then.  After that the feed is a bufferevent, and the relay is not
 * read while more than the restore's pace allows (pace.h) waits for
 * it, here and in the socketpair.
 */
#include "migration/migration.h"
#include "log.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include <event2/buffer.h>
#include <event2/bufferevent.h>
#include <event2/event.h>

#define HEAD_PEEK 4096u             /* enough to tell the head's length */

static void feed_drained(struct bufferevent *bev, void *arg)
{
    struct mig *g = arg;

    if (evbuffer_get_length(bufferevent_get_output(bev)) == 0 && g->got_end &&
        g->feed_fd >= 0)
        shutdown(g->feed_fd, SHUT_WR);      /* the image is all there */
    if (g->link)
        mig_link_reading(g->link, true);
}

static void feed_event(struct bufferevent *bev, short what, void *arg)
{
    struct mig *g = arg;

    if (what & (BEV_EVENT_ERROR | BEV_EVENT_EOF))
        mig_recv_fail(g, XN_EIO, "the restore stopped reading the stream");
}

int mig_recv_open_feed(struct mig *g, struct xn_msg *msg)
{
    int sv[2];

    if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv) < 0)
        return xn_msg_set(msg, xn_from_errno(errno), "cannot make a "
                          "socketpair: %s", strerror(errno));
    /* Room for the image's head, so that opening it never waits. */
    mig_sock_roomy(sv[0]);
    g->feed_fd = sv[0];
    g->restore_fd = sv[1];
    evutil_make_socket_nonblocking(g->feed_fd);
    if (!(g->pending = evbuffer_new()))
        return xn_msg_set(msg, XN_ENOMEM, "out of memory");
    return 0;
}

void mig_recv_close_feed(struct mig *g)
{
    if (g->feed) {
        bufferevent_free(g->feed);      /* closes feed_fd */
        g->feed = NULL;
        g->feed_fd = -1;
    }
    if (g->feed_fd >= 0) {
        close(g->feed_fd);
        g->feed_fd = -1;
    }
    /* The restore reads restore_fd until its done: closed there. */
    if (g->restore_fd >= 0 && !g->restoring) {
        close(g->restore_fd);
        g->restore_fd = -1;
    }
    if (g->pending) {
        evbuffer_free(g->pending);
        g->pending = NULL;
    }
}

/* RESTORED, once the domain exists and the stream was whole. */
static void maybe_restored(struct mig *g)
{
    struct mig_msg r;
    struct xn_msg m;

    if (!g->restored || !g->got_end || g->restored_sent || g->ended)
        return;
    mig_msg_init(&r, MIG_F_RESTORED);
    r.u.restored.domid = g->domid;
    g->restored_sent = true;
    if (g->link && mig_link_send(g->link, &r, &m) < 0)
        mig_recv_fail(g, XN_EIO, m.text);
}

static void restore_done(void *arg, int rc, const struct xn_msg *msg,
                         uint32_t domid, const char *name)
{
    struct mig *g = arg;
    char why[XN_MSG_MAX];

    (void)name;
    g->restoring = false;
    g->restore_start = NULL;
    if (g->restore_fd >= 0) {
        close(g->restore_fd);
        g->restore_fd = -1;
    }
    if (rc == 0) {
        g->domid = domid;
        g->restored = true;
    }
    if (g->ended) {             /* failed meanwhile: the copy goes */
        mig_recv_discard(g);
        return;
    }
    if (rc < 0) {
        snprintf(why, sizeof(why), "restoring %.80s failed: %.350s", g->name,
                 msg->text);
        mig_recv_fail(g, rc, why);
        return;
    }
    maybe_restored(g);
}

/* The whole head is in `pending`: put it in the socketpair and open the
 * image. */
static int open_image(struct mig *g, struct xn_msg *msg)
{
    struct hv *hv = g->svc->d->hv;
    uint8_t *head = evbuffer_pullup(g->pending, (ssize_t)g->head_need);
    struct hv_image *img = NULL;
    ssize_t n = send(g->feed_fd, head, g->head_need, MSG_NOSIGNAL);
    int rc;

    if (n < 0 || (size_t)n != g->head_need)
        return xn_msg_set(msg, XN_EIO, "the image's head (%zu bytes) does "
                          "not fit the restore's socket", g->head_need);
    evbuffer_drain(g->pending, g->head_need);
    if ((rc = hv_image_open(hv, g->restore_fd, &img, msg)) < 0)
        return rc;
    g->image_opened = true;
    g->restoring = true;
    rc = start_hold_restore(g->hold, img, true, restore_done, g, msg);
    if (rc < 0) {
        g->restoring = false;
        return rc;              /* the hold stays: discard drops it */
    }
    g->restore_start = g->hold;
    g->hold = NULL;             /* the start path's now */
    g->feed = bufferevent_socket_new(g->svc->d->base, g->feed_fd,
                                     BEV_OPT_CLOSE_ON_FREE);
    if (!g->feed)
        return xn_msg_set(msg, XN_ENOMEM, "out of memory");
    bufferevent_setcb(g->feed, NULL, feed_drained, feed_event, g);
    bufferevent_set_max_single_write(g->feed, MIG_IO_CHUNK);
    bufferevent_setwatermark(g->feed, EV_WRITE, PACE_MAX / 2, 0);
    bufferevent_enable(g->feed, EV_WRITE);
    return 0;
}

/* The bound on what waits for the restore, from its pace; the
 * socketpair's send buffer follows it (the image's head is in by now). */
static size_t feed_bound(struct mig *g, size_t queued)
{
    size_t bound = pace_bound(&g->pace, g->fed - queued, mig_now());

    if (bound != g->queue_bound) {
        mig_sock_bound(g->feed_fd, bound);
        bufferevent_setwatermark(g->feed, EV_WRITE, bound / 2, 0);
    }
    g->queue_bound = bound;
    return bound;
}

/* Move what waits to the restore, within the limit. */
static void feed(struct mig *g)
{
    struct evbuffer *out;
    size_t queued;

    if (!g->feed)
        return;
    out = bufferevent_get_output(g->feed);
    g->fed += evbuffer_get_length(g->pending);
    evbuffer_add_buffer(out, g->pending);
    queued = evbuffer_get_length(out);
    if (queued > feed_bound(g, queued) && g->link)
        mig_link_reading(g->link, false);
    else if (g->got_end && evbuffer_get_length(out) == 0)
        shutdown(g->feed_fd, SHUT_WR);
}

void mig_recv_data(void *arg, struct evbuffer *payload)
{
    struct mig *g = arg;
    size_t len = evbuffer_get_length(payload);
    struct xn_msg m;
    int rc;

    if (g->ended)
        return;
    if (g->phase != MIG_STREAMING || g->got_end) {
        mig_recv_fail(g, XN_EPROTO, "stream data came outside the stream");
        return;
    }
    g->bytes += len;
    mig_wait_peer(g);
    evbuffer_add_buffer(g->pending, payload);
    if (!g->image_opened && !g->head_need) {
        size_t have = evbuffer_get_length(g->pending);
        size_t peek = have < HEAD_PEEK ? have : HEAD_PEEK;
        uint8_t *p = evbuffer_pullup(g->pending, (ssize_t)peek);

        if ((rc = hv_image_head(g->svc->d->hv, p, peek, &g->head_need,
                                &m)) < 0) {
            mig_recv_fail(g, rc, m.text);
            return;
        }
    }
    if (!g->image_opened && g->head_need &&
        evbuffer_get_length(g->pending) >= g->head_need &&
        (rc = open_image(g, &m)) < 0) {
        mig_recv_fail(g, rc, m.text);
        return;
    }
    feed(g);
}

void mig_recv_end(struct mig *g, uint64_t bytes)
{
    char why[200];

    if (g->phase != MIG_STREAMING || g->got_end) {
        mig_recv_fail(g, XN_EPROTO, "end came outside the stream");
        return;
    }
    if (bytes != g->bytes || !g->image_opened) {
        snprintf(why, sizeof(why), "the stream ended after %llu bytes; the "
                 "sender says it sent %llu", (unsigned long long)g->bytes,
                 (unsigned long long)bytes);
        mig_recv_fail(g, XN_ECORRUPT, why);
        return;
    }
    g->got_end = true;
    mig_phase(g, MIG_RESTORING);
    if (g->ended)
        return;
    feed(g);
    maybe_restored(g);
}
