/*
 * mig_link.c - a migration's frames over the relay's local socket, with
 * libevent's buffering.
 */
#include "migration/mig_link.h"
#include "migration/wire/frame.h"

#include <stdio.h>
#include <sys/queue.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include <event2/buffer.h>
#include <event2/bufferevent.h>
#include <event2/event.h>

#define LOW_MARK (1u << 20)

struct mig_link {
    LIST_ENTRY(mig_link) closing_entry;     /* while closing */
    struct bufferevent *bev;        /* owned; owns the fd */
    struct mig_link_cbs cbs;
    void *arg;
    bool in_cb;                     /* inside a callback */
    bool freed;                     /* freed from inside one */
    bool stalled;                   /* a test's fault: deaf and dumb */
    bool closing;                   /* close_after: no more callbacks */
    bool close_started;             /* flushing, the timer runs */
    unsigned close_secs;
    struct event *close_timer;      /* owned, for close_after */
};

/* Links flushing their last frames belong to no one but this list, until
 * they are gone (mig_link_close_all at the end). */
static LIST_HEAD(, mig_link) closing_links =
    LIST_HEAD_INITIALIZER(closing_links);

static void link_destroy(struct mig_link *l)
{
    if (l->close_started)
        LIST_REMOVE(l, closing_entry);
    if (l->close_timer)
        event_free(l->close_timer);
    bufferevent_free(l->bev);
    free(l);
}

void mig_link_free(struct mig_link *l)
{
    if (!l)
        return;
    if (l->in_cb) {
        l->freed = true;
        bufferevent_disable(l->bev, EV_READ | EV_WRITE);
        return;
    }
    link_destroy(l);
}

static void fail(struct mig_link *l, int rc, const char *why)
{
    void (*error)(void *, int, const char *) = l->cbs.error;

    bufferevent_disable(l->bev, EV_READ);
    l->cbs.msg = NULL;
    l->cbs.data = NULL;
    l->cbs.error = NULL;
    l->cbs.drained = NULL;
    if (error)
        error(l->arg, rc, why);
}

/* One frame from the input, when whole: 1 handled, 0 needs more bytes,
 * <0 the link failed (already reported). */
static int one_frame(struct mig_link *l, struct evbuffer *in)
{
    uint8_t hdr[MIG_FRAME_HDR];
    struct mig_frame_hdr h;
    struct xn_msg m;

    if (evbuffer_get_length(in) < MIG_FRAME_HDR)
        return 0;
    evbuffer_copyout(in, hdr, sizeof(hdr));
    if (mig_frame_hdr_decode(hdr, sizeof(hdr), &h, &m) < 0 ||
        h.type == MIG_F_HELLO || h.type == MIG_F_DATA_Z) {
        if (h.type == MIG_F_HELLO || h.type == MIG_F_DATA_Z)
            snprintf(m.text, sizeof(m.text), "the relay passed on a %s "
                     "frame", mig_ftype_name(h.type));
        fail(l, XN_EPROTO, m.text);
        return -1;
    }
    if (evbuffer_get_length(in) < MIG_FRAME_HDR + (size_t)h.len)
        return 0;
    evbuffer_drain(in, MIG_FRAME_HDR);
    if (h.type == MIG_F_DATA) {
        struct evbuffer *payload = evbuffer_new();
        if (!payload) {
            fail(l, XN_ENOMEM, "out of memory");
            return -1;
        }
        evbuffer_remove_buffer(in, payload, h.len);
        if (l->cbs.data)
            l->cbs.data(l->arg, payload);
        evbuffer_free(payload);
        return 1;
    } else {
        struct mig_msg msg;
        uint8_t *body = evbuffer_pullup(in, h.len);
        int rc = mig_msg_decode(h.type, body, h.len, &msg, &m);

        evbuffer_drain(in, h.len);
        if (rc < 0) {
            fail(l, XN_EPROTO, m.text);
            return -1;
        }
        if (l->cbs.msg)
            l->cbs.msg(l->arg, &msg);
        mig_msg_dispose(&msg);
        return 1;
    }
}

static void on_close_timer(evutil_socket_t fd, short what, void *arg)
{
    link_destroy(arg);
}

static void after_cb(struct mig_link *l);

/* Every whole frame in the input, while reading is on. */
static void drain_input(struct mig_link *l, bool at_eof)
{
    struct evbuffer *in = bufferevent_get_input(l->bev);

    while (!l->freed && !l->closing &&
           (at_eof || (bufferevent_get_enabled(l->bev) & EV_READ)) &&
           one_frame(l, in) > 0)
        ;
}

static void on_read(struct bufferevent *bev, void *arg)
{
    struct mig_link *l = arg;

    l->in_cb = true;
    drain_input(l, false);
    after_cb(l);
}

static void on_write(struct bufferevent *bev, void *arg)
{
    struct mig_link *l = arg;

    if (l->closing) {
        if (l->close_started &&
            evbuffer_get_length(bufferevent_get_output(bev)) == 0)
            link_destroy(l);
        return;
    }
    if (!l->cbs.drained)
        return;
    l->in_cb = true;
    l->cbs.drained(l->arg);
    after_cb(l);
}

static void on_event(struct bufferevent *bev, short what, void *arg)
{
    struct mig_link *l = arg;

    if (l->close_started) {
        link_destroy(l);
        return;
    }
    l->in_cb = true;
    if (what & BEV_EVENT_EOF) {
        /* Frames still buffered come first. */
        drain_input(l, true);
        if (!l->freed && l->cbs.error)
            fail(l, XN_EIO, "the connection was closed");
    } else if (what & BEV_EVENT_ERROR && l->cbs.error) {
        fail(l, XN_EIO, "the connection failed");
    }
    after_cb(l);
}

int mig_link_new(struct event_base *base, int fd,
                 const struct mig_link_cbs *cbs, void *arg,
                 struct mig_link **l_r, struct xn_msg *msg)
{
    struct mig_link *l = calloc(1, sizeof(*l));

    *l_r = NULL;
    evutil_make_socket_nonblocking(fd);
    if (!l || !(l->bev = bufferevent_socket_new(base, fd,
                                                BEV_OPT_CLOSE_ON_FREE))) {
        free(l);
        close(fd);
        return xn_msg_set(msg, XN_ENOMEM, "out of memory");
    }
    l->cbs = *cbs;
    l->arg = arg;
    bufferevent_setcb(l->bev, on_read, on_write, on_event, l);
    /* libevent moves 4 KiB a call by default: far too little here */
    bufferevent_set_max_single_read(l->bev, MIG_IO_CHUNK);
    bufferevent_set_max_single_write(l->bev, MIG_IO_CHUNK);
    bufferevent_setwatermark(l->bev, EV_WRITE, LOW_MARK, 0);
    bufferevent_setwatermark(l->bev, EV_READ, 0, 4u * MIG_DATA_MAX);
    bufferevent_enable(l->bev, EV_READ | EV_WRITE);
    *l_r = l;
    return 0;
}

/* Flush what is queued, then close (or when the time is up). */
static void start_close(struct mig_link *l)
{
    struct timeval tv = {l->close_secs, 0};

    l->close_started = true;
    LIST_INSERT_HEAD(&closing_links, l, closing_entry);
    bufferevent_disable(l->bev, EV_READ);
    if (evbuffer_get_length(bufferevent_get_output(l->bev)) == 0) {
        link_destroy(l);
        return;
    }
    bufferevent_setwatermark(l->bev, EV_WRITE, 0, 0);
    l->close_timer = evtimer_new(bufferevent_get_base(l->bev),
                                 on_close_timer, l);
    if (!l->close_timer) {
        link_destroy(l);
        return;
    }
    evtimer_add(l->close_timer, &tv);
}

void mig_link_close_after(struct mig_link *l, unsigned secs)
{
    if (!l)
        return;
    l->closing = true;
    l->close_secs = secs;
    l->cbs.msg = NULL;
    l->cbs.data = NULL;
    l->cbs.error = NULL;
    l->cbs.drained = NULL;
    if (!l->in_cb)             /* else when the callback returns */
        start_close(l);
}

void mig_link_close_all(void)
{
    while (!LIST_EMPTY(&closing_links))
        link_destroy(LIST_FIRST(&closing_links));
}

/* After a callback: free or close what it asked to. */
static void after_cb(struct mig_link *l)
{
    l->in_cb = false;
    if (l->freed)
        link_destroy(l);
    else if (l->closing && !l->close_started)
        start_close(l);
}

int mig_link_send(struct mig_link *l, const struct mig_msg *m,
                  struct xn_msg *msg)
{
    uint8_t *buf = NULL;
    size_t len = 0;
    int rc;

    if (l->stalled)
        return 0;
    if ((rc = mig_msg_frame(m, &buf, &len, msg)) < 0)
        return rc;
    if (bufferevent_write(l->bev, buf, len) < 0)
        rc = xn_msg_set(msg, XN_ENOMEM, "out of memory");
    free(buf);
    return rc;
}

int mig_link_send_data(struct mig_link *l, struct evbuffer *from, size_t n)
{
    struct evbuffer *out = bufferevent_get_output(l->bev);

    if (l->stalled)
        return 0;
    while (n > 0) {
        size_t k = n < MIG_DATA_MAX ? n : MIG_DATA_MAX;
        uint8_t hdr[MIG_FRAME_HDR];

        mig_frame_hdr_encode(hdr, MIG_F_DATA, (uint32_t)k);
        if (evbuffer_add(out, hdr, sizeof(hdr)) < 0 ||
            evbuffer_remove_buffer(from, out, k) != (int)k)
            return XN_ENOMEM;
        n -= k;
    }
    return 0;
}

size_t mig_link_queued(const struct mig_link *l)
{
    return evbuffer_get_length(bufferevent_get_output(l->bev));
}

void mig_link_stall(struct mig_link *l)
{
    l->stalled = true;
    bufferevent_disable(l->bev, EV_READ);
}

void mig_link_reading(struct mig_link *l, bool on)
{
    if (l->freed || l->closing || l->stalled)
        return;
    if (on) {
        bufferevent_enable(l->bev, EV_READ);
        /* Frames that arrived meanwhile wait in the input. */
        if (evbuffer_get_length(bufferevent_get_input(l->bev)) >=
            MIG_FRAME_HDR)
            bufferevent_trigger(l->bev, EV_READ, BEV_TRIG_IGNORE_WATERMARKS |
                                                 BEV_TRIG_DEFER_CALLBACKS);
    } else {
        bufferevent_disable(l->bev, EV_READ);
    }
}

int mig_link_send_raw(struct mig_link *l, const void *buf, size_t len)
{
    return bufferevent_write(l->bev, buf, len) < 0 ? XN_ENOMEM : 0;
}

void mig_sock_bound(int fd, size_t bytes)
{
    int size = (int)(bytes / 2);        /* the kernel doubles it */

    setsockopt(fd, SOL_SOCKET, SO_SNDBUF, &size, sizeof(size));
}

void mig_sock_roomy(int fd)
{
    int size = MIG_SOCK_BUF;

    /* Beyond net.core.wmem_max only as root (SO_SNDBUFFORCE). */
    if (setsockopt(fd, SOL_SOCKET, SO_SNDBUFFORCE, &size, sizeof(size)) < 0)
        setsockopt(fd, SOL_SOCKET, SO_SNDBUF, &size, sizeof(size));
}
