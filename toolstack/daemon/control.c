/*
 * control.c - the control socket.
 *
 * A unix stream socket, mode 0600, that only root (or the daemon's own
 * user) may use: the peer's credentials come from SO_PEERCRED, never from
 * anything the client says.  Each connection carries newline-delimited JSON
 * messages (proto.h); requests may be answered out of order.
 *
 * A client cannot make the daemon hold more than a bounded amount for it:
 * once CONN_OUTPUT_HIGH bytes of replies wait unread, or CONN_INFLIGHT_MAX
 * of its requests are unanswered, the daemon reads nothing more from it
 * until the replies drain below CONN_OUTPUT_LOW and a request finishes; its
 * unread requests wait in the kernel's socket buffer, and its writes block.
 * When accept() fails (out of file handles), the listener rests and tries
 * again later instead of spinning.
 */
#include "daemon.h"
#include "log.h"
#include "proto.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/queue.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include <event2/buffer.h>
#include <event2/bufferevent.h>
#include <event2/event.h>
#include <event2/listener.h>

/* A subscriber whose unread events pass this is dropped, so a stuck client
 * cannot make the daemon buffer without bound. */
#define SUBSCRIBER_BACKLOG_MAX (8 * 1024 * 1024)

/* Unsent output at which a connection's requests stop being read, and at
 * which they are read again. */
#define CONN_OUTPUT_HIGH (4 * 1024 * 1024)
#define CONN_OUTPUT_LOW (1024 * 1024)
/* Requests of one connection being worked on at once. */
#define CONN_INFLIGHT_MAX 64
/* Clients connected at once; one more is told so and closed.  With the
 * per-connection bounds above, this bounds what all clients can make the
 * daemon hold. */
#define CONNS_MAX 128

/* How long the listener rests after accept() failed: doubling from the
 * first to the last. */
#define ACCEPT_REST_MIN_MS 100
#define ACCEPT_REST_MAX_MS 1000

struct conn {
    int refs;
    struct control *control;
    struct bufferevent *bev;        /* NULL once closed */
    bool subscribed;
    bool closing;                   /* close when the output has drained */
    bool backlogged;                /* output passed CONN_OUTPUT_HIGH and
                                     * has not yet drained to _LOW */
    unsigned inflight;              /* requests not yet answered */
    pid_t pid;
    uid_t uid;
    LIST_ENTRY(conn) link;          /* on control->conns while open */
};

struct control {
    struct daemon *d;
    struct evconnlistener *listener;
    struct event *accept_retry;     /* ends the listener's rest */
    int accept_rest_ms;             /* 0 unless accept() is failing */
    char *path;
    LIST_HEAD(, conn) conns;
    unsigned n_conns;
    bool full;                      /* said so in the log, until below */
};

void conn_ref(struct conn *c)
{
    c->refs++;
}

void conn_unref(struct conn *c)
{
    if (--c->refs == 0)
        free(c);
}

bool conn_closed(const struct conn *c)
{
    return c->bev == NULL;
}

static size_t conn_unsent(const struct conn *c)
{
    return evbuffer_get_length(bufferevent_get_output(c->bev));
}

/* Whether to take another request from the connection now. */
static bool conn_ready(const struct conn *c)
{
    return c->bev && !c->closing && !c->backlogged &&
           c->inflight < CONN_INFLIGHT_MAX;
}

/* Read requests again after a hold.  Lines that arrived before the hold
 * wait in the input buffer and no new data may come to announce them, so
 * the read callback is run as well: later, from the loop, never inside
 * the reply or request that ended the hold. */
static void conn_resume(struct conn *c)
{
    if (!conn_ready(c) || (bufferevent_get_enabled(c->bev) & EV_READ))
        return;
    bufferevent_enable(c->bev, EV_READ);
    bufferevent_trigger(c->bev, EV_READ, BEV_TRIG_IGNORE_WATERMARKS |
                                         BEV_TRIG_DEFER_CALLBACKS);
}

void conn_request_begin(struct conn *c)
{
    c->inflight++;
}

void conn_request_end(struct conn *c)
{
    c->inflight--;
    conn_resume(c);
}

static void conn_close(struct conn *c)
{
    if (!c->bev)
        return;
    bufferevent_free(c->bev);
    c->bev = NULL;
    LIST_REMOVE(c, link);
    if (--c->control->n_conns < CONNS_MAX)
        c->control->full = false;
    conn_unref(c);
}

void conn_send(struct conn *c, struct json_object *msg)
{
    size_t len;
    char *line;

    if (!c->bev)
        return;
    line = proto_encode(msg, &len);
    if (!line || bufferevent_write(c->bev, line, len) < 0) {
        xn_log(XN_LOG_WARNING, "client pid %d: cannot queue a reply, "
               "closing", (int)c->pid);
        conn_close(c);
    } else if (!c->backlogged && conn_unsent(c) >= CONN_OUTPUT_HIGH) {
        c->backlogged = true;       /* until conn_write sees it drain */
        bufferevent_disable(c->bev, EV_READ);
    }
    free(line);
}

void conn_subscribe(struct conn *c)
{
    c->subscribed = true;
}

void control_broadcast(struct control *ctl, struct json_object *take_event)
{
    struct json_object *msg = proto_event(take_event);
    struct conn *c, *next;

    for (c = LIST_FIRST(&ctl->conns); c; c = next) {
        next = LIST_NEXT(c, link);
        if (!c->subscribed)
            continue;
        if (conn_unsent(c) > SUBSCRIBER_BACKLOG_MAX) {
            xn_log(XN_LOG_WARNING, "event subscriber pid %d is not reading;"
                   " dropping it", (int)c->pid);
            conn_close(c);
            continue;
        }
        conn_send(c, msg);
    }
    json_object_put(msg);
}

/* Send an error that answers no request, then close once it is written. */
static void conn_refuse(struct conn *c, int64_t id, int code,
                        const char *message)
{
    struct json_object *reply = proto_reply_err(id, code, message);
    conn_send(c, reply);
    json_object_put(reply);
    c->closing = true;
    if (c->bev)
        bufferevent_disable(c->bev, EV_READ);
}

static void handle_line(struct conn *c, const char *line, size_t len)
{
    struct daemon *d = c->control->d;
    struct proto_msg m;
    struct xn_msg msg;
    struct request *r;
    int rc;

    /* msg quotes the client's text safely: it may be logged. */
    if ((rc = proto_decode(line, len, &m, &msg)) < 0) {
        xn_log(XN_LOG_WARNING, "client pid %d: %s", (int)c->pid, msg.text);
        struct json_object *reply = proto_reply_err(m.id, rc, msg.text);
        conn_send(c, reply);
        json_object_put(reply);
        proto_msg_dispose(&m);
        return;
    }
    if (m.kind != PROTO_REQUEST) {
        conn_refuse(c, m.id, XN_EPROTO, "clients send requests only");
        proto_msg_dispose(&m);
        return;
    }
    r = request_new(d, c, m.id, m.op, m.args);
    proto_msg_dispose(&m);
    if (!r) {
        conn_refuse(c, -1, XN_ENOMEM, "out of memory");
        return;
    }
    dispatch(r);
}

static void conn_read(struct bufferevent *bev, void *arg)
{
    struct conn *c = arg;
    struct evbuffer *in = bufferevent_get_input(bev);

    conn_ref(c);
    for (;;) {
        size_t len;
        char *line;

        if (!conn_ready(c)) {
            if (c->bev)             /* held: see conn_resume */
                bufferevent_disable(c->bev, EV_READ);
            break;
        }
        line = evbuffer_readln(in, &len, EVBUFFER_EOL_LF);
        if (!line) {
            if (evbuffer_get_length(in) >= PROTO_MAX_LINE) {
                char m[128];
                snprintf(m, sizeof(m), "message longer than %d bytes "
                         "without a newline", PROTO_MAX_LINE);
                xn_log(XN_LOG_WARNING, "client pid %d: %s", (int)c->pid, m);
                conn_refuse(c, -1, XN_EPROTO, m);
            }
            break;
        }
        handle_line(c, line, len);
        free(line);
    }
    conn_unref(c);
}

/* Runs after each write that leaves at most CONN_OUTPUT_LOW unsent. */
static void conn_write(struct bufferevent *bev, void *arg)
{
    struct conn *c = arg;

    if (c->closing) {
        if (conn_unsent(c) == 0)
            conn_close(c);
        return;
    }
    if (c->backlogged && conn_unsent(c) <= CONN_OUTPUT_LOW) {
        c->backlogged = false;
        conn_resume(c);
    }
}

static void conn_event(struct bufferevent *bev, short what, void *arg)
{
    struct conn *c = arg;
    if (what & (BEV_EVENT_EOF | BEV_EVENT_ERROR))
        conn_close(c);
}

static void accept_conn(struct evconnlistener *l, evutil_socket_t fd,
                        struct sockaddr *sa, int salen, void *arg)
{
    struct control *ctl = arg;
    struct ucred cred;
    socklen_t clen = sizeof(cred);
    struct conn *c;

    if (ctl->accept_rest_ms) {
        ctl->accept_rest_ms = 0;
        xn_log(XN_LOG_NOTICE, "accepting connections on %s again",
               ctl->path);
    }
    if (!(c = calloc(1, sizeof(*c)))) {
        close(fd);
        return;
    }
    c->refs = 1;                    /* held while on the list */
    c->control = ctl;
    c->bev = bufferevent_socket_new(ctl->d->base, fd,
                                    BEV_OPT_CLOSE_ON_FREE);
    if (!c->bev) {
        close(fd);
        free(c);
        return;
    }
    LIST_INSERT_HEAD(&ctl->conns, c, link);
    ctl->n_conns++;
    bufferevent_setcb(c->bev, conn_read, conn_write, conn_event, c);
    bufferevent_setwatermark(c->bev, EV_WRITE, CONN_OUTPUT_LOW, 0);
    bufferevent_enable(c->bev, EV_READ | EV_WRITE);
    if (ctl->n_conns > CONNS_MAX) {
        char m[128];
        snprintf(m, sizeof(m), "xenithd has %d clients connected, the most "
                 "it takes; try again later", CONNS_MAX);
        if (!ctl->full)
            xn_log(XN_LOG_WARNING, "%s", m);
        ctl->full = true;
        conn_refuse(c, -1, XN_EBUSY, m);
        return;
    }

    if (getsockopt(fd, SOL_SOCKET, SO_PEERCRED, &cred, &clen) < 0) {
        conn_refuse(c, -1, XN_EPERM, "cannot read the peer's credentials");
        return;
    }
    c->pid = cred.pid;
    c->uid = cred.uid;
    if (cred.uid != 0 && cred.uid != geteuid()) {
        char m[128];
        snprintf(m, sizeof(m), "permission denied: uid %u may not use "
                 "xenithd (root only)", (unsigned)cred.uid);
        xn_log(XN_LOG_WARNING, "refused client pid %d: %s", (int)cred.pid,
               m);
        conn_refuse(c, -1, XN_EPERM, m);
    }
}

/*
 * accept() failed for a reason that retrying at once cannot mend (libevent
 * retries EAGAIN, EINTR and ECONNABORTED itself): mostly EMFILE or ENFILE,
 * out of file handles.  The pending connection stays queued and the
 * listener would wake again at once, so it rests instead, longer each time
 * up to ACCEPT_REST_MAX_MS, and says so once until a connection gets in.
 */
static void accept_failed(struct evconnlistener *l, void *arg)
{
    struct control *ctl = arg;
    int err = EVUTIL_SOCKET_ERROR();
    struct timeval tv;

    evconnlistener_disable(l);
    if (ctl->accept_rest_ms == 0) {
        ctl->accept_rest_ms = ACCEPT_REST_MIN_MS;
        xn_log(XN_LOG_WARNING, "cannot accept connections on %s: %s; "
               "new clients wait, and the daemon tries again at least "
               "every %d ms", ctl->path, strerror(err), ACCEPT_REST_MAX_MS);
    } else if (ctl->accept_rest_ms < ACCEPT_REST_MAX_MS) {
        ctl->accept_rest_ms *= 2;
        if (ctl->accept_rest_ms > ACCEPT_REST_MAX_MS)
            ctl->accept_rest_ms = ACCEPT_REST_MAX_MS;
    }
    tv.tv_sec = ctl->accept_rest_ms / 1000;
    tv.tv_usec = (ctl->accept_rest_ms % 1000) * 1000;
    evtimer_add(ctl->accept_retry, &tv);
}

static void accept_again(evutil_socket_t fd, short what, void *arg)
{
    struct control *ctl = arg;
    evconnlistener_enable(ctl->listener);
}

static const char *file_kind(mode_t mode)
{
    if (S_ISREG(mode))
        return "a regular file";
    if (S_ISDIR(mode))
        return "a directory";
    if (S_ISLNK(mode))
        return "a symbolic link";
    if (S_ISFIFO(mode))
        return "a FIFO";
    if (S_ISCHR(mode) || S_ISBLK(mode))
        return "a device";
    return "not a socket";
}

/*
 * Create the socket's directory.  Something already at the path is taken
 * over only when it is a socket nobody listens on (left by a daemon that
 * died); anything else, or a socket in use, is left alone.
 */
static int prepare_path(const char *path, struct xn_msg *msg)
{
    struct sockaddr_un sa = {.sun_family = AF_UNIX};
    char dir[sizeof(sa.sun_path)];
    struct stat st;
    char *slash;
    int fd, err;

    if (strlen(path) >= sizeof(sa.sun_path))
        return xn_msg_set(msg, XN_EINVAL, "socket path \"%s\" is longer "
                          "than %zu bytes", path, sizeof(sa.sun_path) - 1);
    snprintf(dir, sizeof(dir), "%s", path);
    slash = strrchr(dir, '/');
    if (slash && slash != dir) {
        *slash = '\0';
        if (mkdir(dir, 0755) < 0 && errno != EEXIST)
            return xn_msg_set(msg, xn_from_errno(errno), "cannot create "
                              "directory %s: %s", dir, strerror(errno));
    }
    if (lstat(path, &st) < 0) {
        if (errno == ENOENT)
            return 0;
        return xn_msg_set(msg, xn_from_errno(errno), "cannot use socket "
                          "path %s: %s", path, strerror(errno));
    }
    if (!S_ISSOCK(st.st_mode))
        return xn_msg_set(msg, XN_EEXIST, "socket path %s is %s, not a "
                          "socket; leaving it alone", path,
                          file_kind(st.st_mode));
    memcpy(sa.sun_path, path, strlen(path) + 1);
    /* Non-blocking: a daemon too busy to take us (EAGAIN) is still one. */
    fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
    if (fd < 0)
        return xn_msg_set(msg, XN_EFAIL, "socket: %s", strerror(errno));
    err = connect(fd, (struct sockaddr *)&sa, sizeof(sa)) == 0 ? 0 : errno;
    close(fd);
    if (err == 0 || err == EAGAIN || err == EINPROGRESS)
        return xn_msg_set(msg, XN_EBUSY, "another xenithd is already "
                          "listening on %s", path);
    if (err != ECONNREFUSED && err != ENOENT)
        return xn_msg_set(msg, xn_from_errno(err), "cannot tell whether "
                          "socket %s is in use: %s", path, strerror(err));
    if (unlink(path) < 0 && errno != ENOENT)
        return xn_msg_set(msg, xn_from_errno(errno), "cannot remove stale "
                          "socket %s: %s", path, strerror(errno));
    return 0;
}

int control_open(struct daemon *d, const char *path, struct control **c_r,
                 struct xn_msg *msg)
{
    struct sockaddr_un sa = {.sun_family = AF_UNIX};
    struct control *ctl;
    mode_t old;
    int fd, rc;

    *c_r = NULL;
    if ((rc = prepare_path(path, msg)) < 0)
        return rc;
    memcpy(sa.sun_path, path, strlen(path) + 1);
    fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
    if (fd < 0)
        return xn_msg_set(msg, XN_EFAIL, "socket: %s", strerror(errno));
    old = umask(0077);              /* the socket is born 0600 */
    rc = bind(fd, (struct sockaddr *)&sa, sizeof(sa));
    umask(old);
    if (rc < 0) {
        rc = xn_msg_set(msg, xn_from_errno(errno), "cannot bind %s: %s",
                        path, strerror(errno));
        close(fd);
        return rc;
    }
    if (chmod(path, 0600) < 0 || listen(fd, 64) < 0) {
        rc = xn_msg_set(msg, xn_from_errno(errno), "cannot listen on %s: %s",
                        path, strerror(errno));
        close(fd);
        return rc;
    }
    ctl = calloc(1, sizeof(*ctl));
    if (!ctl || !(ctl->path = strdup(path))) {
        free(ctl);
        close(fd);
        return xn_msg_set(msg, XN_ENOMEM, "out of memory");
    }
    ctl->d = d;
    LIST_INIT(&ctl->conns);
    ctl->accept_retry = evtimer_new(d->base, accept_again, ctl);
    ctl->listener = ctl->accept_retry
        ? evconnlistener_new(d->base, accept_conn, ctl,
                             LEV_OPT_CLOSE_ON_FREE | LEV_OPT_CLOSE_ON_EXEC,
                             -1, fd)
        : NULL;
    if (!ctl->listener) {
        if (ctl->accept_retry)
            event_free(ctl->accept_retry);
        close(fd);
        free(ctl->path);
        free(ctl);
        return xn_msg_set(msg, XN_EFAIL, "cannot listen on %s", path);
    }
    evconnlistener_set_error_cb(ctl->listener, accept_failed);
    *c_r = ctl;
    return 0;
}

void control_close(struct control *ctl)
{
    struct conn *c;

    if (!ctl)
        return;
    evconnlistener_free(ctl->listener);
    event_free(ctl->accept_retry);
    while ((c = LIST_FIRST(&ctl->conns)))
        conn_close(c);
    unlink(ctl->path);
    free(ctl->path);
    free(ctl);
}
