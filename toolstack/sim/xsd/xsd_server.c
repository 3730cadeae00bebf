/*
 * xsd_server.c - the store's unix socket and its connections, on the
 * owner's libevent loop.
 *
 * A connection is a bufferevent.  Requests are handled as soon as they are
 * whole; a header that claims more than XENSTORE_PAYLOAD_MAX gets an E2BIG
 * reply and the connection is closed once that reply is out (xenstored
 * drops such clients too).  A client that leaves half a message unsent for
 * frame_timeout_ms, or lets more than XSD_OUTBUF_MAX bytes of replies and
 * events pile up unread, is dropped.  Connections are freed from a loop
 * callback (the "reaper"), never while a request or a watch list is being
 * worked on.
 */
#include "xsd_int.h"

#include <event2/buffer.h>
#include <event2/bufferevent.h>
#include <event2/event.h>
#include <event2/listener.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include "log.h"

#define XSD_OUTBUF_MAX (1024u * 1024u)

void xsd_limits_default(struct xsd_limits *lim)
{
    lim->max_nodes = 16384;
    lim->max_value = XENSTORE_PAYLOAD_MAX;
    lim->max_watches_per_conn = 128;
    lim->max_txns_per_conn = 10;
    lim->max_conns = 64;
    lim->frame_timeout_ms = 10000;
}

static void limits_fill(struct xsd_limits *lim, const struct xsd_limits *in)
{
    struct xsd_limits def;

    xsd_limits_default(&def);
    *lim = in ? *in : def;
    if (!lim->max_nodes)
        lim->max_nodes = def.max_nodes;
    if (!lim->max_value || lim->max_value > XENSTORE_PAYLOAD_MAX)
        lim->max_value = def.max_value;
    if (!lim->max_watches_per_conn)
        lim->max_watches_per_conn = def.max_watches_per_conn;
    if (!lim->max_txns_per_conn)
        lim->max_txns_per_conn = def.max_txns_per_conn;
    if (!lim->max_conns)
        lim->max_conns = def.max_conns;
    if (!lim->frame_timeout_ms)
        lim->frame_timeout_ms = def.frame_timeout_ms;
}

static void main_changed(void *opaque, const char *path, bool exact)
{
    xsd_watch_fire(opaque, path, exact);
}

void xsd_main_caller(struct xsd *x, uint32_t domid, struct xsd_caller *c)
{
    c->domid = domid;
    c->max_nodes = x->lim.max_nodes;
    c->max_value = x->lim.max_value;
    c->hooks = &x->main_hooks;
}

/* ---- connections ---- */

static void conn_free(struct xsd_conn *conn)
{
    struct xsd *x = conn->x;

    xsd_watch_del_conn(x, conn);
    xsd_conn_drop_txns(conn);
    if (conn->bev)
        bufferevent_free(conn->bev);
    if (conn->prev)
        conn->prev->next = conn->next;
    else
        x->conns = conn->next;
    if (conn->next)
        conn->next->prev = conn->prev;
    x->nconns--;
    free(conn);
}

void xsd_conn_kill(struct xsd_conn *conn, const char *why)
{
    if (conn->dead)
        return;
    xn_log(XN_LOG_DEBUG, "xenstore: connection %u closed: %s", conn->id,
           why);
    conn->dead = true;
    bufferevent_disable(conn->bev, EV_READ | EV_WRITE);
    event_active(conn->x->reap_ev, EV_TIMEOUT, 0);
}

static void reap_cb(evutil_socket_t fd, short what, void *opaque)
{
    struct xsd *x = opaque;
    struct xsd_conn *conn = x->conns, *next;

    for (; conn; conn = next) {
        next = conn->next;
        if (conn->dead)
            conn_free(conn);
    }
}

int xsd_conn_send(struct xsd_conn *conn, uint32_t type, uint32_t req_id,
                  uint32_t tx_id, const void *a, size_t alen,
                  const void *b, size_t blen)
{
    struct evbuffer *out;
    int rc;

    if (conn->dead)
        return -EPIPE;
    out = bufferevent_get_output(conn->bev);
    rc = xsd_wire_put2(out, type, req_id, tx_id, a, alen, b, blen);
    if (rc < 0) {
        xsd_conn_kill(conn, "cannot queue a message");
        return rc;
    }
    if (evbuffer_get_length(out) > XSD_OUTBUF_MAX) {
        xsd_conn_kill(conn, "it leaves its replies and events unread");
        return -EPIPE;
    }
    return 0;
}

static void conn_read_cb(struct bufferevent *bev, void *opaque)
{
    struct xsd_conn *conn = opaque;
    struct evbuffer *in = bufferevent_get_input(bev);
    struct xsd_wire_msg m;

    while (!conn->dead && !conn->closing) {
        enum xsd_wire_take t = xsd_wire_take(in, &m);

        if (t == XSD_WIRE_MORE)
            break;
        if (t == XSD_WIRE_TOO_BIG) {
            xn_log(XN_LOG_DEBUG, "xenstore: connection %u: message of %u "
                   "bytes, over the maximum", conn->id,
                   (unsigned)m.hdr.len);
            xsd_conn_send(conn, XS_ERROR, m.hdr.req_id, m.hdr.tx_id,
                          "E2BIG", 6, NULL, 0);
            conn->closing = true;
            bufferevent_disable(bev, EV_READ);
            evbuffer_drain(in, evbuffer_get_length(in));
            break;
        }
        xsd_ops_handle(conn, &m);
    }
    if (conn->dead || conn->closing) {
        bufferevent_set_timeouts(bev, NULL, NULL);
    } else if (evbuffer_get_length(in) > 0) {
        /* Half a message: the rest must come soon. */
        struct timeval tv = {
            .tv_sec = conn->x->lim.frame_timeout_ms / 1000,
            .tv_usec = (conn->x->lim.frame_timeout_ms % 1000) * 1000,
        };

        bufferevent_set_timeouts(bev, &tv, NULL);
    } else {
        bufferevent_set_timeouts(bev, NULL, NULL);
    }
}

static void conn_write_cb(struct bufferevent *bev, void *opaque)
{
    struct xsd_conn *conn = opaque;

    if (conn->closing &&
        evbuffer_get_length(bufferevent_get_output(bev)) == 0)
        xsd_conn_kill(conn, "it sent an oversized message");
}

static void conn_event_cb(struct bufferevent *bev, short what, void *opaque)
{
    struct xsd_conn *conn = opaque;

    if (what & BEV_EVENT_TIMEOUT)
        xsd_conn_kill(conn, "it left a message half sent");
    else if (what & BEV_EVENT_EOF)
        xsd_conn_kill(conn, "end of file");
    else if (what & BEV_EVENT_ERROR)
        xsd_conn_kill(conn, "socket error");
}

static void accept_cb(struct evconnlistener *l, evutil_socket_t fd,
                      struct sockaddr *sa, int salen, void *opaque)
{
    struct xsd *x = opaque;
    struct xsd_conn *conn;

    if (x->nconns >= x->lim.max_conns) {
        xn_log(XN_LOG_WARNING, "xenstore %s: %u connections already, "
               "refusing another", x->socket_path, x->nconns);
        evutil_closesocket(fd);
        return;
    }
    conn = calloc(1, sizeof(*conn));
    if (conn)
        conn->bev = bufferevent_socket_new(x->base, fd,
                                           BEV_OPT_CLOSE_ON_FREE);
    if (!conn || !conn->bev) {
        xn_log(XN_LOG_ERR, "xenstore %s: out of memory for a connection",
               x->socket_path);
        free(conn);
        evutil_closesocket(fd);
        return;
    }
    conn->x = x;
    conn->id = ++x->next_conn_id;
    conn->next_txid = 1;
    conn->next = x->conns;
    if (x->conns)
        x->conns->prev = conn;
    x->conns = conn;
    x->nconns++;
    bufferevent_setcb(conn->bev, conn_read_cb, conn_write_cb, conn_event_cb,
                      conn);
    bufferevent_enable(conn->bev, EV_READ | EV_WRITE);
}

/* ---- the socket ---- */

static int socket_open(const char *path, int *fd_r, struct xn_msg *msg)
{
    struct sockaddr_un sa = {.sun_family = AF_UNIX};
    struct stat st;
    int fd;

    if (strlen(path) >= sizeof(sa.sun_path))
        return xn_msg_set(msg, XN_EINVAL, "xenstore socket %s: the path is "
                          "too long for a unix socket", path);
    strcpy(sa.sun_path, path);
    if (lstat(path, &st) == 0) {
        if (!S_ISSOCK(st.st_mode))
            return xn_msg_set(msg, XN_EEXIST, "xenstore socket %s: a file "
                              "that is not a socket is in the way", path);
        fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
        if (fd >= 0 && connect(fd, (struct sockaddr *)&sa, sizeof(sa)) == 0) {
            close(fd);
            return xn_msg_set(msg, XN_EBUSY, "xenstore socket %s: another "
                              "server is listening there", path);
        }
        if (fd >= 0)
            close(fd);
        unlink(path);
    }
    fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
    if (fd < 0)
        return xn_msg_set(msg, xn_from_errno(errno), "xenstore socket %s: "
                          "socket: %s", path, strerror(errno));
    if (bind(fd, (struct sockaddr *)&sa, sizeof(sa)) < 0 ||
        chmod(path, 0600) < 0 || listen(fd, 64) < 0) {
        int e = errno;

        close(fd);
        return xn_msg_set(msg, xn_from_errno(e), "xenstore socket %s: %s",
                          path, strerror(e));
    }
    *fd_r = fd;
    return 0;
}

/* xenstored's initial tree: /tool/xenstored, all "n0". */
static int tree_setup(struct xsd *x)
{
    struct xsd_caller c = {.domid = 0};
    struct xsd_op op = {.kind = XSD_OP_MKDIR, .path = "/tool/xenstored"};
    int rc = xsd_tree_init_counted(&x->tree, &x->gen, &x->live_nodes);

    return rc < 0 ? rc : xsd_tree_apply(&x->tree, &c, &op);
}

static void deliver_cb(evutil_socket_t fd, short what, void *opaque)
{
    xsd_watch_deliver(opaque);
}

int xsd_new(struct event_base *base, const char *socket_path,
            const struct xsd_limits *lim, struct xsd **xsd_r,
            struct xn_msg *msg)
{
    struct xsd *x = calloc(1, sizeof(*x));
    int fd = -1, rc;

    if (!x)
        return xn_msg_set(msg, XN_EFAIL, "xenstore: out of memory");
    x->base = base;
    limits_fill(&x->lim, lim);
    x->main_hooks.changed = main_changed;
    x->main_hooks.opaque = x;
    x->special_perms[0][0] = (struct xsd_perm){0, XSD_PERM_NONE};
    x->special_perms[1][0] = (struct xsd_perm){0, XSD_PERM_NONE};
    x->special_nperms[0] = x->special_nperms[1] = 1;
    x->introduced[0] = 1;       /* dom0 */
    x->socket_path = strdup(socket_path);
    x->deliver_ev = event_new(base, -1, 0, deliver_cb, x);
    x->reap_ev = event_new(base, -1, 0, reap_cb, x);
    if (!x->socket_path || !x->deliver_ev || !x->reap_ev ||
        tree_setup(x) < 0) {
        rc = xn_msg_set(msg, XN_EFAIL, "xenstore: out of memory");
        goto fail;
    }
    rc = socket_open(socket_path, &fd, msg);
    if (rc < 0)
        goto fail;
    x->listener = evconnlistener_new(base, accept_cb, x,
                                     LEV_OPT_CLOSE_ON_FREE |
                                     LEV_OPT_CLOSE_ON_EXEC, 0, fd);
    if (!x->listener) {
        close(fd);
        unlink(socket_path);
        rc = xn_msg_set(msg, XN_EFAIL, "xenstore socket %s: cannot listen "
                        "on the event loop", socket_path);
        goto fail;
    }
    *xsd_r = x;
    return 0;

fail:
    free(x->socket_path);
    x->socket_path = NULL;
    xsd_free(x);
    return rc;
}

void xsd_free(struct xsd *x)
{
    if (!x)
        return;
    if (x->listener) {
        evconnlistener_free(x->listener);
        unlink(x->socket_path);
    }
    while (x->conns)
        conn_free(x->conns);
    xsd_txn_free(x->owner_txn);
    xsd_watch_dispose(x);
    xsd_tree_dispose(&x->tree);
    if (x->deliver_ev)
        event_free(x->deliver_ev);
    if (x->reap_ev)
        event_free(x->reap_ev);
    free(x->socket_path);
    free(x);
}

const char *xsd_socket_path(const struct xsd *x)
{
    return x->socket_path;
}

void xsd_stats(const struct xsd *x, struct xsd_stats *stats_r)
{
    stats_r->nodes = x->tree.nnodes;
    stats_r->live_nodes = x->live_nodes;
    stats_r->txns = x->owner_txn ? 1 : 0;
    stats_r->conns = x->nconns;
    for (const struct xsd_conn *conn = x->conns; conn; conn = conn->next)
        stats_r->txns += conn->ntxns;
}
