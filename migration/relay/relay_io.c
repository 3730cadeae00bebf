/*
 * relay_io.c - reading a socket in large pieces into an evbuffer.
 *
 * libevent 2.1's socket bufferevents read at most 4 KiB a call (its
 * EVBUFFER_MAX_READ), which costs a loop turn and three system calls per
 * 4 KiB: far too slow for a migration stream.  The relay reads its
 * daemon's socketpair (and, in plain mode, the TCP socket) with this
 * instead, up to RELAY_RD_CHUNK a call, straight into the evbuffer's own
 * space; the bufferevent on the same descriptor only writes.
 */
#include <errno.h>
#include <stdlib.h>
#include <sys/uio.h>

#include <event2/buffer.h>

#include "relay.h"

#define RELAY_RD_CHUNK (256u * 1024u)
#define RELAY_RD_TURNS 4                /* reads a loop turn, at most */

static bool rd_full(const struct relay_rd *rd)
{
    return evbuffer_get_length(rd->buf) >= rd->high;
}

ssize_t relay_io_read(int fd, struct evbuffer *buf, size_t want)
{
    struct evbuffer_iovec v[2];
    struct iovec iov[2];
    int n;
    ssize_t m;

    if (want > RELAY_RD_CHUNK)
        want = RELAY_RD_CHUNK;
    n = evbuffer_reserve_space(buf, (ev_ssize_t)want, v, 2);
    if (n < 1) {
        errno = ENOMEM;
        return -1;
    }
    for (int i = 0; i < n; i++) {
        iov[i].iov_base = v[i].iov_base;
        iov[i].iov_len = v[i].iov_len;
    }
    do
        m = readv(fd, iov, n);
    while (m < 0 && errno == EINTR);
    if (m <= 0)
        return m;
    size_t left = (size_t)m;
    for (int i = 0; i < n; i++) {
        if (v[i].iov_len > left)
            v[i].iov_len = left;
        left -= v[i].iov_len;
    }
    evbuffer_commit_space(buf, v, n);
    return m;
}

static void rd_event(evutil_socket_t fd, short what, void *arg)
{
    struct relay_rd *rd = arg;

    for (int i = 0; i < RELAY_RD_TURNS && !rd_full(rd); i++) {
        ssize_t m = relay_io_read(rd->fd, rd->buf, rd->high -
                                    evbuffer_get_length(rd->buf));
        if (m > 0)
            continue;
        if (m == 0) {
            rd->eof = true;
        } else if (errno != EAGAIN && errno != EWOULDBLOCK) {
            rd->err = errno;
        }
        break;
    }
    if (rd->eof || rd->err || rd_full(rd))
        event_del(rd->ev);
    rd->cb(rd->arg);
}

int relay_rd_init(struct relay_rd *rd, struct event_base *base, int fd,
                  size_t high, void (*cb)(void *), void *arg)
{
    rd->fd = fd;
    rd->high = high;
    rd->eof = false;
    rd->err = 0;
    rd->cb = cb;
    rd->arg = arg;
    rd->buf = evbuffer_new();
    rd->ev = event_new(base, fd, EV_READ | EV_PERSIST, rd_event, rd);
    if (!rd->buf || !rd->ev)
        return -1;
    return event_add(rd->ev, NULL);
}

void relay_rd_resume(struct relay_rd *rd)
{
    if (rd->ev && !rd->eof && !rd->err && !rd_full(rd) &&
        !event_pending(rd->ev, EV_READ, NULL))
        event_add(rd->ev, NULL);
}

void relay_rd_stop(struct relay_rd *rd)
{
    if (rd->ev)
        event_del(rd->ev);
}

void relay_rd_dispose(struct relay_rd *rd)
{
    if (rd->ev)
        event_free(rd->ev);
    if (rd->buf)
        evbuffer_free(rd->buf);
    rd->ev = NULL;
    rd->buf = NULL;
}
