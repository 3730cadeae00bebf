/*
 * mig_send_stream.c - the source's stream: the core's stream path (live
 * save, the domain kept suspended at the end) writes into one end of a
 * socketpair; the other end is read on the loop and goes to the relay as
 * DATA frames.  What waits for the relay, here and in the socketpair, is
 * bounded by the relay's pace (pace.h), so the last round never waits
 * behind seconds of older pages.
 *
 * The stream path calls commit when the driver has written everything;
 * the socketpair is then shut so that its end is seen after the last
 * byte, END goes out, and commit is answered only when the peer has
 * restored the domain and go is sent (mig_send.c) - or with the failure,
 * and then the stream path resumes the domain.
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

static void send_end(struct mig *g)
{
    struct mig_msg e;
    struct xn_msg m;

    if (g->end_sent || !g->src_eof || !g->commit_done)
        return;
    g->end_sent = true;
    mig_msg_init(&e, MIG_F_END);
    e.u.end.bytes = g->bytes;
    if (mig_link_send(g->link, &e, &m) < 0) {
        mig_send_on_error(g, XN_EIO, m.text);
        return;
    }
    mig_phase(g, MIG_RESTORING);
}

/* Where the save is (the simulated host says; libxl does not). */
static void sample(struct mig *g)
{
    struct hv_save_progress p;

    if (hv_save_progress(g->svc->d->hv, g->domid, &p, NULL) < 0)
        return;
    g->round = p.round;
    g->remaining = p.pages_dirty * 4096ull;
    if (p.suspended_ns && !g->suspended_ns)
        g->suspended_ns = p.suspended_ns;
}

/* The bound on what waits, from the relay's pace; the socketpair's send
 * buffer follows it. */
static size_t queue_bound(struct mig *g)
{
    size_t queued = mig_link_queued(g->link);
    size_t bound = pace_bound(&g->pace, g->bytes - queued, mig_now());

    if (bound != g->queue_bound && g->sink_fd >= 0)
        mig_sock_bound(g->sink_fd, bound);
    g->queue_bound = bound;
    return bound;
}

/* Move what the driver wrote to the relay, while the relay keeps up. */
static void pump(struct mig *g)
{
    struct evbuffer *in;
    size_t n, bound;

    if (!g->src || !g->link || g->stalled)
        return;
    sample(g);
    in = bufferevent_get_input(g->src);
    bound = queue_bound(g);
    while ((n = evbuffer_get_length(in)) > 0 &&
           mig_link_queued(g->link) < bound) {
        if (n > bound)
            n = bound;
        if (mig_link_send_data(g->link, in, n) < 0) {
            mig_send_on_error(g, XN_ENOMEM, "out of memory");
            return;
        }
        g->bytes += n;
    }
    if (evbuffer_get_length(in) > 0)
        bufferevent_disable(g->src, EV_READ);     /* the relay is behind */
    else if (!g->src_eof)
        bufferevent_enable(g->src, EV_READ);
    else
        send_end(g);
}

static void on_src_read(struct bufferevent *bev, void *arg)
{
    pump(arg);
}

static void on_src_event(struct bufferevent *bev, short what, void *arg)
{
    struct mig *g = arg;

    if (what & BEV_EVENT_EOF) {
        g->src_eof = true;
        pump(g);
    } else if (what & BEV_EVENT_ERROR) {
        mig_send_on_error(g, XN_EIO, "reading the domain's stream failed");
    }
}

void mig_send_drained(void *arg)
{
    struct mig *g = arg;

    if (g->src)
        bufferevent_enable(g->src, EV_READ);
    pump(g);
}

/* The sink's commit: the driver is done writing. */
static void sink_commit(void *arg, stream_commit_fn *done, void *done_arg)
{
    struct mig *g = arg;

    g->commit_done = done;
    g->commit_arg = done_arg;
    if (g->sink_fd >= 0)
        shutdown(g->sink_fd, SHUT_WR);
    pump(g);
}

static void answer_commit(struct mig *g, int rc, const char *why)
{
    stream_commit_fn *done = g->commit_done;
    struct xn_msg m;

    if (!done)
        return;
    g->commit_done = NULL;
    xn_msg_set(&m, rc, "%s", why ? why : "");
    done(g->commit_arg, rc, rc < 0 ? &m : NULL);
}

void mig_send_stream_commit(struct mig *g)
{
    answer_commit(g, 0, NULL);
}

/* The stream path is done: before go a failure (the source runs on), or
 * after go the end of the stream (the source stays suspended). */
static void stream_done(void *arg, const struct stream_outcome *o)
{
    struct mig *g = arg;

    g->streaming = false;
    close(g->sink_fd);          /* the driver is done with it */
    g->sink_fd = -1;
    if (g->ended)
        return;
    if (o->rc < 0 && !g->go_sent) {
        if (g->renamed) {
            struct xn_msg m;
            if (daemon_dom_rename(g->svc->d, g->domid, g->name, &m) < 0)
                xn_log(XN_LOG_ERR, "migration of %s: cannot take its name "
                       "back: %s", g->name, m.text);
            g->renamed = false;
        }
        mig_say_no(g, MIG_F_ABORT, o->rc, o->msg.text);
        mig_end(g, MIG_FAILED, g->rc < 0 ? g->rc : o->rc, "%s%s%s",
                g->error[0] ? g->error : "", g->error[0] ? "; " : "",
                o->msg.text);
    }
}

void mig_send_stream_fail(struct mig *g, int rc, const char *why)
{
    if (!g->streaming) {
        mig_end(g, MIG_FAILED, rc, "%s", why);
        return;
    }
    if (g->commit_done) {
        answer_commit(g, rc, why);
        return;
    }
    /* The driver still writes: close its way out, and it fails. */
    if (g->src) {
        bufferevent_free(g->src);
        g->src = NULL;
    }
}

/* The suspend, as it happens: for the downtime. */
static void on_bus(void *arg, const struct bus_event *ev)
{
    struct mig *g = arg;

    if (ev->domid == g->domid && ev->reason == HV_SHUTDOWN_SUSPEND &&
        !g->suspended_ns)
        g->suspended_ns = (uint64_t)(ev->time * 1e9);
}

int mig_send_stream(struct mig *g, struct xn_msg *msg)
{
    struct daemon *d = g->svc->d;
    struct stream_sink sink = {
        .commit = sink_commit,
        .arg = g,
    };
    int sv[2];
    int rc;

    if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv) < 0)
        return xn_msg_set(msg, xn_from_errno(errno), "cannot make a "
                          "socketpair: %s", strerror(errno));
    g->sink_fd = sv[0];
    mig_sock_roomy(sv[0]);
    evutil_make_socket_nonblocking(sv[1]);
    g->src = bufferevent_socket_new(d->base, sv[1], BEV_OPT_CLOSE_ON_FREE);
    if (!g->src) {
        close(sv[1]);
        return xn_msg_set(msg, XN_ENOMEM, "out of memory");
    }
    bufferevent_setcb(g->src, on_src_read, NULL, on_src_event, g);
    bufferevent_set_max_single_read(g->src, MIG_IO_CHUNK);
    bufferevent_enable(g->src, EV_READ);
    g->sub = bus_subscribe(d->bus, BUS_MASK(BUS_DOM_SHUTDOWN), on_bus, g);
    sink.fd = g->sink_fd;
    rc = stream_out(d, g->domid, &sink, HV_SAVE_LIVE, STREAM_KEEP,
                    stream_done, g, msg);
    if (rc < 0)
        return rc;
    g->streaming = true;
    mig_progress_start(g);
    return 0;
}

void mig_send_teardown(struct mig *g)
{
    struct daemon *d = g->svc->d;

    /* A stream still waiting for its commit hears the outcome: kept
     * suspended after go, resumed before. */
    if (g->commit_done)
        answer_commit(g, g->go_sent ? 0 : g->rc < 0 ? g->rc : XN_ECANCELED,
                      g->error[0] ? g->error : "the migration ended");

    if (g->src) {
        bufferevent_free(g->src);
        g->src = NULL;
    }
    if (g->sink_fd >= 0 && !g->streaming) {
        close(g->sink_fd);
        g->sink_fd = -1;
    }
    if (g->sub) {
        bus_unsubscribe(d->bus, g->sub);
        g->sub = NULL;
    }
    if (g->conn_fd >= 0) {
        close(g->conn_fd);
        g->conn_fd = -1;
    }
    if (g->link) {
        mig_link_free(g->link);
        g->link = NULL;
    }
    if (g->relay_id && g->svc->relay && g->phase == MIG_CONNECTING)
        mig_relay_cancel(g->svc->relay, g->relay_id);
    /* Whoever started it hears the outcome (an unconfirmed migration is
     * not a failure of the request: its record says what to do). */
    if (g->job != JOB_NONE && d->jobs)
        jobs_end(d->jobs, g->job);
    if (g->done) {
        void (*done)(void *, struct mig *) = g->done;
        g->done = NULL;
        done(g->done_arg, g);
    }
    g->job = JOB_NONE;
}
