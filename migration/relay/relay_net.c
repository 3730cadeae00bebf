/*
 * relay_net.c - the peer's side of an authenticated connection: TLS (or,
 * plain, the bare socket) driven by the relay itself once the hello is
 * done.
 *
 * libevent's OpenSSL bufferevent, which carries the handshake and the
 * hello, costs a loop turn and two read()s per 16 KiB record, and a
 * write() per record: at a gigabyte a second those system calls, not the
 * cipher, are the limit.  Here instead:
 *
 *  - reading: a buffering BIO of RELAY_NET_RBUF sits between OpenSSL and
 *    the socket, so one read() brings many records (OpenSSL's own
 *    read-ahead is off: see read_bio); SSL_read is called until it wants
 *    more from the socket, the input is full, or a turn's budget is
 *    spent.  Records may then wait in that buffer with nothing on the
 *    socket to wake us: so a budget cut, and a resume after back-pressure,
 *    retry at once (event_active) rather than waiting for the socket.
 *  - writing: SSL_write takes up to WR_CHUNK of plaintext at a time; its
 *    records go to a BIO of our own that only appends them to a flat
 *    batch (the wire), which goes to the socket in one write() once
 *    WR_BATCH is collected or nothing more is queued.
 *  - the bandwidth limit is a token bucket on what goes to the socket.
 *
 * Plain, reads go straight into the input evbuffer in RELAY_RD_CHUNK
 * pieces, and writes are evbuffer_write_atmost's writev.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include <event2/buffer.h>
#include <openssl/err.h>

#include "relay.h"

#define WR_CHUNK (64u * 1024u)          /* plaintext an SSL_write takes */
#define WR_BATCH (256u * 1024u)         /* records collected per write() */
/* The batch's room: a batch, a chunk's records over it, and what OpenSSL
 * may write on its own (alerts, a key update). */
#define WR_ROOM (WR_BATCH + 2 * WR_CHUNK)
#define RD_SPACE (256u * 1024u)         /* space reserved per SSL_read run */
#define TURN_MAX (4u << 20)             /* bytes a callback moves, each way */

static BIO_METHOD *wire_method;

/* --- the batching BIO: SSL's records appended to n->wire --- */

static int wire_write(BIO *b, const char *p, int len)
{
    struct relay_net *n = BIO_get_data(b);

    BIO_clear_retry_flags(b);
    if (!n || len < 0)
        return -1;
    if (n->wire_off > 0 && n->wire_len + (size_t)len > WR_ROOM) {
        memmove(n->wire, n->wire + n->wire_off, n->wire_len - n->wire_off);
        n->wire_len -= n->wire_off;
        n->wire_off = 0;
    }
    if (n->wire_len + (size_t)len > WR_ROOM) {
        BIO_set_retry_write(b);         /* flushed first, then retried */
        return -1;
    }
    memcpy(n->wire + n->wire_len, p, (size_t)len);
    n->wire_len += (size_t)len;
    return len;
}

static long wire_ctrl(BIO *b, int cmd, long num, void *ptr)
{
    return cmd == BIO_CTRL_FLUSH ? 1 : 0;
}

static int wire_create(BIO *b)
{
    BIO_set_init(b, 1);
    return 1;
}

static BIO *wire_bio(struct relay_net *n)
{
    BIO *b;

    if (!wire_method) {
        wire_method = BIO_meth_new(BIO_get_new_index() | BIO_TYPE_SOURCE_SINK,
                                   "xenith-relay batch");
        if (!wire_method || !BIO_meth_set_write(wire_method, wire_write) ||
            !BIO_meth_set_ctrl(wire_method, wire_ctrl) ||
            !BIO_meth_set_create(wire_method, wire_create)) {
            BIO_meth_free(wire_method);
            wire_method = NULL;
            return NULL;
        }
    }
    if (!(b = BIO_new(wire_method)))
        return NULL;
    BIO_set_data(b, n);
    return b;
}

void relay_net_cleanup(void)
{
    BIO_meth_free(wire_method);
    wire_method = NULL;
}

/* --- reading: the socket behind a buffer of records read ahead --- */

/* A buffering BIO of RELAY_NET_RBUF in front of the socket: one read()
 * brings many records, and OpenSSL, without read-ahead of its own, takes
 * each record's header and body from it as it needs them (a copy of 16 KiB
 * that is still in the cache).  OpenSSL 3.0's own read-ahead into a large
 * buffer does the same reads, but before each record it moves all that is
 * left in the buffer to its front (ssl3_read_n's payload alignment): with
 * 256 KiB read ahead, up to seven times the stream in memmove.  The
 * returned chain becomes the SSL's; the descriptor stays the caller's. */
static BIO *read_bio(int fd)
{
    BIO *buf = BIO_new(BIO_f_buffer());
    BIO *sock = BIO_new_socket(fd, BIO_NOCLOSE);

    if (!buf || !sock ||
        BIO_set_read_buffer_size(buf, (int)RELAY_NET_RBUF) != 1) {
        BIO_free(buf);
        BIO_free(sock);
        return NULL;
    }
    return BIO_push(buf, sock);
}

/* --- errors --- */

static void set_err(struct relay_net *n, int err, const char *why)
{
    if (n->err)
        return;
    n->err = err ? err : EIO;
    snprintf(n->why, sizeof(n->why), "%s", why ? why : strerror(n->err));
}

/* After a failed SSL_read or SSL_write: end of data, nothing yet, or an
 * error (n->err, n->why).  1 when more may come later, 0 at the peer's
 * close_notify, -1 on an error. */
static int ssl_fail(struct relay_net *n, int ret)
{
    int e = SSL_get_error(n->ssl, ret);
    unsigned long first = 0, x;
    const char *reason;

    if (e == SSL_ERROR_WANT_READ || e == SSL_ERROR_WANT_WRITE) {
        ERR_clear_error();
        return 1;
    }
    if (e == SSL_ERROR_ZERO_RETURN)
        return 0;
    while ((x = ERR_get_error()))
        if (!first)
            first = x;
    if (e == SSL_ERROR_SYSCALL && !first) {
        set_err(n, errno ? errno : EPIPE, errno ? NULL :
                "the peer closed the connection");
        return -1;
    }
    reason = first ? ERR_reason_error_string(first) : NULL;
    set_err(n, EPROTO, reason ? reason : "TLS error");
    return -1;
}

/* --- the bucket --- */

static uint64_t now_ns(void)
{
    struct timespec ts;

    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

/* Bytes the socket may take now (SIZE_MAX without a limit); when none,
 * the tick is set for when some will be. */
static size_t allowance(struct relay_net *n)
{
    uint64_t t, add;

    if (n->rate == 0)
        return SIZE_MAX;
    t = now_ns();
    add = t - n->filled_ns >= 1000000000ull ? n->burst :
          (uint64_t)((double)(t - n->filled_ns) * (double)n->rate / 1e9);
    if (add > 0) {
        n->tokens = add >= n->burst - n->tokens ? n->burst : n->tokens + add;
        n->filled_ns = t;
    }
    if (n->tokens == 0 && !evtimer_pending(n->tick, NULL)) {
        uint64_t want = n->burst < 16384 ? n->burst : 16384;
        uint64_t ns = want * 1000000000ull / n->rate;
        struct timeval tv = {(time_t)(ns / 1000000000ull),
                             (suseconds_t)(ns % 1000000000ull / 1000)};
        evtimer_add(n->tick, &tv);
    }
    return (size_t)n->tokens;
}

static void spend(struct relay_net *n, size_t k)
{
    if (n->rate)
        n->tokens -= k < n->tokens ? k : n->tokens;
}

/* --- writing --- */

/* Encrypt queued plaintext into the wire until a batch is there. */
static int seal(struct relay_net *n)
{
    ERR_clear_error();                  /* SSL_get_error reads the queue */
    while (n->wire_len - n->wire_off < WR_BATCH &&
           evbuffer_get_length(n->out) > 0) {
        struct evbuffer_iovec v;
        size_t k;
        int ret;

        evbuffer_peek(n->out, -1, NULL, &v, 1);
        k = v.iov_len;
        if (k < 16384 && evbuffer_get_length(n->out) > k) {
            /* a small piece ahead of more: one record, not two */
            k = evbuffer_get_length(n->out) < 16384 ?
                evbuffer_get_length(n->out) : 16384;
            v.iov_base = evbuffer_pullup(n->out, (ev_ssize_t)k);
            if (!v.iov_base) {
                set_err(n, ENOMEM, NULL);
                return -1;
            }
        }
        if (k > WR_CHUNK)
            k = WR_CHUNK;
        ret = SSL_write(n->ssl, v.iov_base, (int)k);
        if (ret <= 0) {
            /* the batch is full: write it, then the same again */
            int f = ssl_fail(n, ret);
            if (f == 0)
                set_err(n, EPIPE, NULL);
            if (f <= 0)
                return -1;
            break;
        }
        evbuffer_drain(n->out, (size_t)ret);
    }
    return 0;
}

/* The wire to the socket: 1 when all of it went, 0 when the socket (or
 * the bucket) is full, -1 on an error. */
static int send_wire(struct relay_net *n, size_t *moved)
{
    while (n->wire_off < n->wire_len) {
        size_t k = n->wire_len - n->wire_off, allow = allowance(n);
        ssize_t m;

        if (allow == 0)
            return 0;
        if (k > allow)
            k = allow;
        m = send(n->fd, n->wire + n->wire_off, k, MSG_NOSIGNAL);
        if (m < 0 && errno == EINTR)
            continue;
        if (m < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) {
            event_add(n->wev, NULL);
            return 0;
        }
        if (m < 0) {
            set_err(n, errno, NULL);
            return -1;
        }
        n->wire_off += (size_t)m;
        spend(n, (size_t)m);
        *moved += (size_t)m;
    }
    n->wire_off = n->wire_len = 0;
    return 1;
}

/* Plain: the queue to the socket. */
static int send_plain(struct relay_net *n, size_t *moved)
{
    while (evbuffer_get_length(n->out) > 0 && *moved < TURN_MAX) {
        size_t allow = allowance(n);
        int m;

        if (allow == 0)
            return 0;
        if (allow > TURN_MAX)
            allow = TURN_MAX;
        m = evbuffer_write_atmost(n->out, n->fd, (ev_ssize_t)allow);
        if (m < 0 && (errno == EAGAIN || errno == EWOULDBLOCK ||
                      errno == EINTR)) {
            event_add(n->wev, NULL);
            return 0;
        }
        if (m <= 0) {
            set_err(n, m < 0 ? errno : EPIPE, NULL);
            return -1;
        }
        spend(n, (size_t)m);
        *moved += (size_t)m;
    }
    return evbuffer_get_length(n->out) == 0;
}

/* Our side is done: close_notify (TLS) and the write side, once. */
static int send_close(struct relay_net *n, size_t *moved)
{
    int rc;

    if (n->ssl && !n->notified) {
        n->notified = true;
        SSL_shutdown(n->ssl);
        ERR_clear_error();
        if ((rc = send_wire(n, moved)) <= 0)
            return rc;
    }
    shutdown(n->fd, SHUT_WR);
    n->shut = true;
    return 1;
}

/* Move what is queued toward the peer; bytes sent in *moved. */
static int flush(struct relay_net *n, size_t *moved)
{
    int rc;

    if (!n->ssl) {
        rc = send_plain(n, moved);
    } else {
        do {
            if ((rc = send_wire(n, moved)) <= 0)
                return rc;
            if (seal(n) < 0)
                return -1;
        } while (n->wire_len > 0 && *moved < TURN_MAX);
        rc = n->wire_len == 0 && evbuffer_get_length(n->out) == 0;
    }
    if (rc == 1 && n->closing && !n->shut)
        rc = send_close(n, moved);
    /* the turn's budget is spent (neither the socket nor the bucket
     * holds us back): the rest on the next turn */
    if (rc == 0 && !event_pending(n->wev, EV_WRITE, NULL) &&
        !evtimer_pending(n->tick, NULL))
        event_active(n->wev, EV_WRITE, 1);
    return rc;
}

static void on_write(evutil_socket_t fd, short what, void *arg)
{
    struct relay_net *n = arg;
    size_t moved = 0;
    bool was_shut = n->shut;

    if (n->err)
        return;
    flush(n, &moved);
    if (moved || n->err || n->shut != was_shut)
        n->cb(n->arg);
}

/* --- reading --- */

static bool in_full(const struct relay_net *n)
{
    return evbuffer_get_length(n->in) >= n->high;
}

/* One run of SSL_read into reserved space: bytes read; *st 1 while more
 * may come at once, 0 when OpenSSL wants the socket, -1 at the end
 * (n->eof or n->err). */
static size_t read_tls(struct relay_net *n, int *st)
{
    struct evbuffer_iovec v;
    size_t want = n->high - evbuffer_get_length(n->in), got = 0, k;

    if (want > RD_SPACE)
        want = RD_SPACE;
    if (evbuffer_reserve_space(n->in, (ev_ssize_t)want, &v, 1) < 1) {
        set_err(n, ENOMEM, NULL);
        *st = -1;
        return 0;
    }
    if (v.iov_len > want)
        v.iov_len = want;
    *st = 1;
    ERR_clear_error();                  /* SSL_get_error reads the queue */
    while (got < v.iov_len) {
        int ret = SSL_read_ex(n->ssl, (char *)v.iov_base + got,
                              v.iov_len - got, &k);
        if (ret == 1) {
            got += k;
            continue;
        }
        int f = ssl_fail(n, ret);
        if (f == 0)
            n->eof = true;
        *st = f > 0 ? 0 : -1;
        break;
    }
    v.iov_len = got;
    evbuffer_commit_space(n->in, &v, 1);
    return got;
}

/* Lingering: what comes is dropped, undecrypted, until the end. */
static void read_drop(struct relay_net *n)
{
    char buf[16384];

    for (int i = 0; i < 64; i++) {
        ssize_t m = recv(n->fd, buf, sizeof(buf), MSG_DONTWAIT);
        if (m > 0)
            continue;
        if (m == 0)
            n->eof = true;
        else if (errno != EAGAIN && errno != EWOULDBLOCK && errno != EINTR)
            set_err(n, errno, NULL);
        return;
    }
}

static void on_read(evutil_socket_t fd, short what, void *arg)
{
    struct relay_net *n = arg;
    size_t total = 0;
    int st = 1;

    if (n->err || n->eof)
        return;
    if (n->drop) {
        read_drop(n);
    } else {
        while (st > 0 && total < TURN_MAX && !in_full(n)) {
            if (n->ssl) {
                total += read_tls(n, &st);
            } else {
                ssize_t m = relay_io_read(fd, n->in, n->high -
                                          evbuffer_get_length(n->in));
                if (m > 0) {
                    total += (size_t)m;
                    continue;
                }
                if (m == 0)
                    n->eof = true;
                else if (errno != EAGAIN && errno != EWOULDBLOCK &&
                         errno != EINTR)
                    set_err(n, errno, NULL);
                st = m < 0 && !n->err ? 0 : -1;
            }
        }
    }
    if (n->eof || n->err || in_full(n)) {
        event_del(n->rev);
        n->paused = !n->eof && !n->err;
    } else if (st > 0) {
        event_active(n->rev, EV_READ, 1);   /* the budget: more at once */
    }
    if (total || n->eof || n->err)
        n->cb(n->arg);
}

/* --- the interface --- */

static void on_tick(evutil_socket_t fd, short what, void *arg)
{
    on_write(fd, what, arg);
}

int relay_net_init(struct relay_net *n, struct event_base *base, int fd,
                   SSL *ssl, size_t high, uint64_t bandwidth,
                   void (*cb)(void *), void *arg)
{
    BIO *rb = NULL, *wb = NULL;

    memset(n, 0, sizeof(*n));
    n->fd = fd;
    n->ssl = ssl;
    n->high = high;
    n->cb = cb;
    n->arg = arg;
    n->rate = bandwidth;
    n->burst = bandwidth / 5 > 16384 ? bandwidth / 5 : 16384;
    n->tokens = n->burst;
    n->filled_ns = now_ns();
    n->in = evbuffer_new();
    n->out = evbuffer_new();
    n->rev = event_new(base, fd, EV_READ | EV_PERSIST, on_read, n);
    n->wev = event_new(base, fd, EV_WRITE, on_write, n);
    n->tick = evtimer_new(base, on_tick, n);
    if (!n->in || !n->out || !n->rev || !n->wev || !n->tick)
        return -1;
    if (ssl) {
        if (!(n->wire = malloc(WR_ROOM)) || !(rb = read_bio(fd)) ||
            !(wb = wire_bio(n))) {
            BIO_free_all(rb);
            BIO_free(wb);
            return -1;
        }
        SSL_set_bio(ssl, rb, wb);           /* the SSL owns both now */
        SSL_set_read_ahead(ssl, 0);
        SSL_set_mode(ssl, SSL_MODE_ACCEPT_MOVING_WRITE_BUFFER);
    }
    if (event_add(n->rev, NULL) < 0)
        return -1;
    event_active(n->rev, EV_READ, 1);       /* OpenSSL may hold records */
    return 0;
}

void relay_net_kick(struct relay_net *n)
{
    if (!n->rev || n->err)
        return;
    if (n->paused && !in_full(n)) {
        n->paused = false;
        event_add(n->rev, NULL);
        event_active(n->rev, EV_READ, 1);   /* OpenSSL may hold records */
    }
    if ((evbuffer_get_length(n->out) > 0 || n->wire_len > 0 ||
         (n->closing && !n->shut)) &&
        !event_pending(n->wev, EV_WRITE, NULL) &&
        !evtimer_pending(n->tick, NULL))
        event_active(n->wev, EV_WRITE, 1);
}

void relay_net_close(struct relay_net *n, bool drop)
{
    n->closing = true;
    if (drop) {
        n->drop = true;
        n->paused = false;
        if (!n->eof && !n->err)
            event_add(n->rev, NULL);
    }
    relay_net_kick(n);
}

bool relay_net_flushed(const struct relay_net *n)
{
    return evbuffer_get_length(n->out) == 0 && n->wire_len == 0;
}

void relay_net_dispose(struct relay_net *n)
{
    if (n->ssl) {
        BIO *wb = SSL_get_wbio(n->ssl);
        if (wb && BIO_get_data(wb) == n)   /* it may outlive us */
            BIO_set_data(wb, NULL);
    }
    if (n->rev)
        event_free(n->rev);
    if (n->wev)
        event_free(n->wev);
    if (n->tick)
        event_free(n->tick);
    if (n->in)
        evbuffer_free(n->in);
    if (n->out)
        evbuffer_free(n->out);
    free(n->wire);
    memset(n, 0, sizeof(*n));
}
