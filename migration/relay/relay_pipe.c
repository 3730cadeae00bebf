/*
 * relay_pipe.c - one authenticated connection: frames between the peer
 * (c->net, TLS driven by relay_net.c) and the daemon (c->loc, its
 * socketpair).
 *
 * Every frame's header is checked both ways.  From the peer, control
 * frames are decoded (and refused when they do not decode), DATA_Z is
 * unpacked to DATA, and a second HELLO is a protocol error.  From the
 * daemon, DATA is packed to DATA_Z when the connect op asked for it and
 * the peer offered zstd (and it helps); a daemon never sends DATA_Z or
 * HELLO.  A protocol error ends the connection with `closed` and the
 * sentence.
 *
 * Memory is bounded: a side's frames are taken only while the other's
 * output holds less than RELAY_HIGH, and an input stops being read at
 * RELAY_HIGH plus one frame.  Toward the peer the bound is lower on a
 * slow link: what its pace lets wait (pace.h), for the output, the
 * kernel's unsent bytes and the daemon's input alike.  Whole DATA frames move between buffers
 * without a copy (evbuffer_remove_buffer).  The daemon's socketpair is
 * read by relay_io.c in large pieces and written by its bufferevent.
 *
 * The end: the daemon's EOF flushes to the peer and closes TLS cleanly
 * (close_notify), then lingers; the peer's clean close flushes to the
 * daemon and shuts down its write side.  Both report `closed` with "".
 */
#include <errno.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include <event2/buffer.h>
#include <event2/bufferevent.h>
#include <zstd.h>

#include "log.h"
#include "migration/wire/frame.h"
#include "relay.h"

#define READ_HIGH (RELAY_HIGH + MIG_FRAME_HDR + MIG_DATAZ_MAX)

enum { PUMP_MORE = 0, PUMP_FULL = 1 };      /* or a negative code */

/* The next frame of `in`: 1 when whole (*h), 0 when more must come. */
static int next_frame(struct evbuffer *in, struct mig_frame_hdr *h,
                      struct xn_msg *msg)
{
    uint8_t hb[MIG_FRAME_HDR];
    int rc;

    if (evbuffer_copyout(in, hb, sizeof(hb)) < (ev_ssize_t)sizeof(hb))
        return 0;
    if ((rc = mig_frame_hdr_decode(hb, sizeof(hb), h, msg)) < 0)
        return rc;
    return evbuffer_get_length(in) >= MIG_FRAME_HDR + (size_t)h->len;
}

/* A DATA_Z frame of `in` (flen bytes) as a DATA frame in `out`. */
static int unpack(struct relay_conn *c, struct evbuffer *in,
                  struct evbuffer *out, size_t flen, struct xn_msg *msg)
{
    struct evbuffer_iovec v;
    unsigned char *p = evbuffer_pullup(in, (ev_ssize_t)flen);
    size_t n;
    int rc;

    if (!c->dctx && !(c->dctx = ZSTD_createDCtx()))
        return xn_msg_set(msg, XN_ENOMEM, "out of memory");
    if (!p || evbuffer_reserve_space(out, MIG_FRAME_HDR + MIG_DATA_MAX,
                                     &v, 1) < 1)
        return xn_msg_set(msg, XN_ENOMEM, "out of memory");
    rc = mig_dataz_unpack(c->dctx, p + MIG_FRAME_HDR, flen - MIG_FRAME_HDR,
                          (uint8_t *)v.iov_base + MIG_FRAME_HDR, &n, msg);
    if (rc < 0)
        return rc;
    mig_frame_hdr_encode(v.iov_base, MIG_F_DATA, (uint32_t)n);
    v.iov_len = MIG_FRAME_HDR + n;
    evbuffer_commit_space(out, &v, 1);
    evbuffer_drain(in, flen);
    c->raw_bytes += MIG_FRAME_HDR + n;
    return 0;
}

/* A control frame of `in`, when it decodes, moved to `out`. */
static int control(struct evbuffer *in, struct evbuffer *out,
                   const struct mig_frame_hdr *h, struct xn_msg *msg)
{
    size_t flen = MIG_FRAME_HDR + (size_t)h->len;
    unsigned char *p = evbuffer_pullup(in, (ev_ssize_t)flen);
    struct mig_msg m;
    int rc;

    if (!p)
        return xn_msg_set(msg, XN_ENOMEM, "out of memory");
    rc = mig_msg_decode(h->type, p + MIG_FRAME_HDR, h->len, &m, msg);
    if (rc < 0)
        return rc;
    mig_msg_dispose(&m);
    evbuffer_remove_buffer(in, out, flen);
    return 0;
}

/* Frames from the peer to the daemon. */
static int pump_net(struct relay_conn *c, struct xn_msg *msg)
{
    struct evbuffer *in = c->net.in;
    struct evbuffer *out = bufferevent_get_output(c->loc);
    struct mig_frame_hdr h;
    int rc;

    for (;;) {
        if (evbuffer_get_length(out) >= RELAY_HIGH)
            return PUMP_FULL;
        if ((rc = next_frame(in, &h, msg)) <= 0)
            return rc;
        size_t flen = MIG_FRAME_HDR + (size_t)h.len;
        if (h.type == MIG_F_DATA) {
            evbuffer_remove_buffer(in, out, flen);
            c->raw_bytes += flen;
        } else if (h.type == MIG_F_DATA_Z) {
            if ((rc = unpack(c, in, out, flen, msg)) < 0)
                return rc;
        } else if (h.type == MIG_F_HELLO) {
            return xn_msg_set(msg, XN_EPROTO, "a second hello frame");
        } else {
            if ((rc = control(in, out, &h, msg)) < 0)
                return rc;
            c->raw_bytes += flen;
        }
        c->wire_bytes += flen;
    }
}

/* A DATA frame of `in` packed into `out` when that makes it smaller: 1
 * when packed, 0 when left for moving as it is. */
static int pack(struct relay_conn *c, struct evbuffer *in,
                struct evbuffer *out, size_t flen, struct xn_msg *msg)
{
    struct evbuffer_iovec v;
    unsigned char *p;
    size_t n, raw = flen - MIG_FRAME_HDR;
    int rc;

    if (raw == 0)
        return 0;
    if (!c->cctx && !(c->cctx = ZSTD_createCCtx()))
        return xn_msg_set(msg, XN_ENOMEM, "out of memory");
    p = evbuffer_pullup(in, (ev_ssize_t)flen);
    if (!p || evbuffer_reserve_space(out, MIG_FRAME_HDR + MIG_DATAZ_MAX,
                                     &v, 1) < 1)
        return xn_msg_set(msg, XN_ENOMEM, "out of memory");
    rc = mig_dataz_pack(c->cctx, c->level, p + MIG_FRAME_HDR, raw,
                        (uint8_t *)v.iov_base + MIG_FRAME_HDR, &n, msg);
    if (rc < 0)
        return rc;
    if (n >= raw)
        return 0;                       /* not committed: nothing added */
    mig_frame_hdr_encode(v.iov_base, MIG_F_DATA_Z, (uint32_t)n);
    v.iov_len = MIG_FRAME_HDR + n;
    evbuffer_commit_space(out, &v, 1);
    evbuffer_drain(in, flen);
    c->wire_bytes += MIG_FRAME_HDR + n;
    return 1;
}

/* How much may wait toward the peer now; the kernel's share and what is
 * read from the daemon ahead of it (one frame more) follow. */
static size_t net_bound(struct relay_conn *c, size_t queued)
{
    struct timespec ts;
    size_t bound;

    clock_gettime(CLOCK_MONOTONIC, &ts);
    bound = pace_bound(&c->net_pace, c->to_net - queued,
                       (double)ts.tv_sec + (double)ts.tv_nsec / 1e9);
    if (bound > RELAY_HIGH)
        bound = RELAY_HIGH;
    if (bound != c->net_bound) {
        int lowat = (int)bound;
        setsockopt(c->fd, IPPROTO_TCP, TCP_NOTSENT_LOWAT, &lowat,
                   sizeof(lowat));
        c->loc_rd.high = bound + MIG_FRAME_HDR + MIG_DATAZ_MAX;
        c->net_bound = bound;
    }
    return bound;
}

/* Frames from the daemon to the peer. */
static int pump_loc(struct relay_conn *c, struct xn_msg *msg)
{
    struct evbuffer *in = c->loc_rd.buf;
    struct evbuffer *out = c->net.out;
    struct mig_frame_hdr h;
    size_t before;
    int rc;

    for (;;) {
        before = evbuffer_get_length(out);
        if (before >= net_bound(c, before))
            return PUMP_FULL;
        if ((rc = next_frame(in, &h, msg)) <= 0)
            return rc;
        size_t flen = MIG_FRAME_HDR + (size_t)h.len;
        if (h.type == MIG_F_DATA_Z || h.type == MIG_F_HELLO)
            return xn_msg_set(msg, XN_EPROTO, "a %s frame, which only "
                              "relays send", mig_ftype_name(h.type));
        c->raw_bytes += flen;
        rc = 0;
        if (h.type == MIG_F_DATA && c->zstd_out &&
            (rc = pack(c, in, out, flen, msg)) < 0)
            return rc;
        if (rc == 0) {
            evbuffer_remove_buffer(in, out, flen);
            c->wire_bytes += flen;
        }
        c->to_net += evbuffer_get_length(out) - before;
    }
}

static void linger_end(struct relay_conn *c)
{
    relay_conn_free(c);
}

static void linger_timeout(evutil_socket_t fd, short what, void *arg)
{
    linger_end(arg);
}

/* The lingering connection: no id, no reader of the daemon's frames, and
 * the deadline. */
static int linger_start(struct relay_conn *c)
{
    struct timeval tv = {RELAY_LINGER_MS / 1000,
                         (RELAY_LINGER_MS % 1000) * 1000};

    c->state = RC_LINGER;
    c->id = 0;
    relay_rd_dispose(&c->loc_rd);
    if (c->timer)
        event_free(c->timer);
    c->timer = evtimer_new(c->r->base, linger_timeout, c);
    return c->timer && evtimer_add(c->timer, &tv) == 0 ? 0 : -1;
}

/* The handshake's bufferevent gives way to c->net: what it read (frames
 * after the hello) and what it has yet to send (our hello, a refusal)
 * move over. */
static int net_take(struct relay_conn *c, void (*cb)(void *))
{
    struct evbuffer *out = bufferevent_get_output(c->hs);

    evbuffer_unfreeze(out, 1);      /* a socket bufferevent's: it drains */
    if (relay_net_init(&c->net, c->r->base, c->fd, c->ssl, READ_HIGH,
                       c->bandwidth, cb, c) < 0 ||
        evbuffer_add_buffer(c->net.in, bufferevent_get_input(c->hs)) < 0 ||
        evbuffer_add_buffer(c->net.out, out) < 0)
        return -1;
    relay_hs_free(c);
    return 0;
}

/* Lingering on the peer's side: the end, clean or not, or our deadline. */
static void linger_net_cb(void *arg)
{
    struct relay_conn *c = arg;

    if (c->net.err || (c->net.eof && c->net.shut))
        linger_end(c);
}

/* The daemon's side is gone: send the rest, close_notify, then drop what
 * the peer sends until it closes. */
static void linger_net(struct relay_conn *c)
{
    if (c->loc)
        bufferevent_free(c->loc);
    c->loc = NULL;
    if (linger_start(c) < 0 || (c->hs && net_take(c, linger_net_cb) < 0)) {
        relay_conn_free(c);
        return;
    }
    c->net.cb = linger_net_cb;
    relay_net_close(&c->net, true);
}

static void linger_read(struct bufferevent *bev, void *arg)
{
    struct evbuffer *in = bufferevent_get_input(bev);

    evbuffer_drain(in, evbuffer_get_length(in));
}

static void linger_event(struct bufferevent *bev, short what, void *arg)
{
    if (what & (BEV_EVENT_EOF | BEV_EVENT_ERROR))
        linger_end(arg);
}

/* The daemon's output is sent: close its write side. */
static void linger_flushed(struct bufferevent *loc, void *arg)
{
    if (evbuffer_get_length(bufferevent_get_output(loc)) > 0)
        return;
    shutdown(bufferevent_getfd(loc), SHUT_WR);
    bufferevent_setcb(loc, linger_read, NULL, linger_event, arg);
    bufferevent_disable(loc, EV_WRITE);
}

/* The peer's side is gone: close it, send the daemon the rest, and wait
 * for the daemon to close its end. */
static void linger_loc(struct relay_conn *c)
{
    relay_net_dispose(&c->net);
    SSL_free(c->ssl);
    c->ssl = NULL;
    if (c->fd >= 0)
        close(c->fd);
    c->fd = -1;
    if (linger_start(c) < 0) {
        relay_conn_free(c);
        return;
    }
    bufferevent_setwatermark(c->loc, EV_READ, 0, 0);
    bufferevent_setwatermark(c->loc, EV_WRITE, 0, 0);
    bufferevent_setcb(c->loc, linger_read, linger_flushed, linger_event, c);
    bufferevent_enable(c->loc, EV_READ | EV_WRITE);
    linger_flushed(c->loc, c);
}

void relay_pipe_linger(struct relay_conn *c)
{
    linger_net(c);
}

void relay_pipe_abort(struct relay_conn *c, const char *error)
{
    relay_conn_closed(c, error);
    relay_conn_free(c);
}

/* After a pump: has either side ended, and is all of it delivered? */
static void check_end(struct relay_conn *c, int net_rc, int loc_rc)
{
    char text[RELAY_TEXT_MAX];
    size_t net_in = evbuffer_get_length(c->net.in);
    size_t loc_in = evbuffer_get_length(c->loc_rd.buf);

    if (c->net_eof && net_rc == PUMP_MORE && net_in > 0) {
        snprintf(text, sizeof(text), "%s (%s): the peer closed the "
                 "connection inside a frame", c->host, c->addr);
        relay_pipe_abort(c, text);
    } else if (c->net_eof && net_in == 0) {
        if (evbuffer_get_length(bufferevent_get_output(c->loc)) > 0) {
            bufferevent_setwatermark(c->loc, EV_WRITE, 0, 0);
            return;
        }
        xn_log(XN_LOG_INFO, "connection %llu: %s closed it",
               (unsigned long long)c->id, c->host);
        relay_conn_closed(c, NULL);
        linger_loc(c);
    } else if (c->loc_eof && loc_rc == PUMP_MORE && loc_in > 0) {
        snprintf(text, sizeof(text), "%s (%s): the daemon's stream ended "
                 "inside a frame", c->host, c->addr);
        relay_pipe_abort(c, text);
    } else if (c->loc_eof && loc_in == 0) {
        if (!relay_net_flushed(&c->net))
            return;                     /* net_cb comes as it is sent */
        xn_log(XN_LOG_INFO, "connection %llu with %s: done",
               (unsigned long long)c->id, c->host);
        relay_conn_closed(c, NULL);
        linger_net(c);
    }
}

static void pipe_run(struct relay_conn *c)
{
    struct xn_msg msg;
    char text[RELAY_TEXT_MAX];
    int net_rc, loc_rc;

    xn_msg_clear(&msg);
    net_rc = pump_net(c, &msg);
    if (net_rc < 0) {
        snprintf(text, sizeof(text), "%s (%s): protocol error: %s",
                 c->host, c->addr, msg.text);
        relay_pipe_abort(c, text);
        return;
    }
    loc_rc = pump_loc(c, &msg);
    if (loc_rc < 0) {
        snprintf(text, sizeof(text), "%s (%s): the daemon broke the "
                 "protocol: %s", c->host, c->addr, msg.text);
        relay_pipe_abort(c, text);
        return;
    }
    relay_rd_resume(&c->loc_rd);
    relay_net_kick(&c->net);
    check_end(c, net_rc, loc_rc);
}

static void pipe_io(struct bufferevent *bev, void *arg)
{
    pipe_run(arg);
}

/* The daemon's bufferevent: a write error. */
static void pipe_event(struct bufferevent *bev, short what, void *arg)
{
    struct relay_conn *c = arg;
    char text[RELAY_TEXT_MAX];

    if (!(what & BEV_EVENT_ERROR))
        return;
    snprintf(text, sizeof(text), "%s (%s): the daemon's socket failed: %s",
             c->host, c->addr, strerror(errno));
    relay_pipe_abort(c, text);
}

static void loc_rd_cb(void *arg)
{
    struct relay_conn *c = arg;
    char text[RELAY_TEXT_MAX];

    if (c->loc_rd.err) {
        snprintf(text, sizeof(text), "%s (%s): the daemon's socket "
                 "failed: %s", c->host, c->addr, strerror(c->loc_rd.err));
        relay_pipe_abort(c, text);
        return;
    }
    c->loc_eof = c->loc_rd.eof;
    pipe_run(c);
}

/* The peer's side moved, ended or failed. */
static void net_cb(void *arg)
{
    struct relay_conn *c = arg;
    char text[RELAY_TEXT_MAX];

    if (c->net.err) {
        snprintf(text, sizeof(text), "%s (%s): connection lost: %s",
                 c->host, c->addr, c->net.why);
        relay_pipe_abort(c, text);
        return;
    }
    c->net_eof = c->net.eof;
    pipe_run(c);
}

static void pipe_tick(evutil_socket_t fd, short what, void *arg)
{
    relay_conn_stats(arg);
}

void relay_pipe_start(struct relay_conn *c)
{
    struct timeval second = {1, 0};
    struct event_base *base = c->r->base;
    char text[RELAY_TEXT_MAX];

    c->state = RC_PIPE;
    evutil_make_socket_nonblocking(c->loc_fd);
    c->loc = bufferevent_socket_new(base, c->loc_fd, BEV_OPT_CLOSE_ON_FREE);
    if (c->loc)
        c->loc_fd = -1;
    if (c->timer)
        event_free(c->timer);
    c->timer = event_new(base, -1, EV_PERSIST, pipe_tick, c);
    if (!c->loc || !c->timer || evtimer_add(c->timer, &second) < 0 ||
        net_take(c, net_cb) < 0 ||
        relay_rd_init(&c->loc_rd, base, bufferevent_getfd(c->loc),
                      READ_HIGH, loc_rd_cb, c) < 0) {
        snprintf(text, sizeof(text), "%s (%s): out of memory", c->host,
                 c->addr);
        relay_pipe_abort(c, text);
        return;
    }
    bufferevent_set_max_single_write(c->loc, MIG_DATA_MAX);
    bufferevent_setwatermark(c->loc, EV_WRITE, RELAY_HIGH / 2, 0);
    bufferevent_setcb(c->loc, NULL, pipe_io, pipe_event, c);
    bufferevent_disable(c->loc, EV_READ);
    bufferevent_enable(c->loc, EV_WRITE);
    pipe_run(c);
}
