/*
 * relay_accept.c - listening sockets and the peers that come in on them.
 *
 * xenithd binds the sockets (a port below 1024 needs root) and hands them
 * over with the listen op.  A peer is taken through the handshake and the
 * hello (relay_hello.c) with at most RELAY_MAX_PENDING of them under way;
 * once its hello is good, it is refused when max_incoming authenticated
 * peers are piping already, or handed to the daemon (`incoming`, with the
 * daemon's end of a fresh socketpair).
 */
#include <errno.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include <event2/bufferevent.h>
#include <event2/listener.h>
#include <event2/util.h>

#include "log.h"
#include "migration/wire/frame.h"
#include "relay.h"
#include "utf8.h"

struct relay_listener {
    struct relay_listener *next;
    struct relay *r;
    struct evconnlistener *l;           /* owns the socket */
    char addr[RELAY_ADDR_MAX];
};

static void accept_cb(struct evconnlistener *l, evutil_socket_t fd,
                      struct sockaddr *sa, int salen, void *arg)
{
    struct relay_listener *lst = arg;
    struct relay *r = lst->r;
    struct relay_conn *c;

    if (r->pending >= RELAY_MAX_PENDING || !r->configured) {
        time_t now = time(NULL);
        if (now != r->flood_logged)
            xn_log(XN_LOG_WARNING, "%s: %u handshakes under way already: "
                   "closing new connections", lst->addr, r->pending);
        r->flood_logged = now;
        close(fd);
        return;
    }
    c = relay_conn_new(r, 0, true);
    if (!c) {
        close(fd);
        return;
    }
    c->fd = fd;
    relay_addr_str(sa, c->addr, sizeof(c->addr));
    snprintf(c->host, sizeof(c->host), "%s", c->addr);
    relay_tcp_tune(fd);
    relay_hello_start(c);
}

static void accept_error(struct evconnlistener *l, void *arg)
{
    struct relay_listener *lst = arg;

    xn_log(XN_LOG_ERR, "%s: cannot accept: %s", lst->addr, strerror(errno));
}

int relay_listen(struct relay *r, int fd, const char *addr,
                 struct xn_msg *msg)
{
    struct relay_listener *lst = calloc(1, sizeof(*lst));
    struct sockaddr_storage ss;
    socklen_t sl = sizeof(ss);

    if (!lst)
        return xn_msg_set(msg, XN_ENOMEM, "listen: out of memory");
    lst->r = r;
    if (*addr)
        snprintf(lst->addr, sizeof(lst->addr), "%s", addr);
    else if (getsockname(fd, (struct sockaddr *)&ss, &sl) == 0)
        relay_addr_str((struct sockaddr *)&ss, lst->addr, sizeof(lst->addr));
    evutil_make_socket_nonblocking(fd);
    evutil_make_socket_closeonexec(fd);
    lst->l = evconnlistener_new(r->base, accept_cb, lst,
                                LEV_OPT_CLOSE_ON_FREE, 0, fd);
    if (!lst->l) {
        free(lst);
        return xn_msg_set(msg, XN_EINVAL, "listen: cannot listen on %s",
                          addr);
    }
    evconnlistener_set_error_cb(lst->l, accept_error);
    lst->next = r->listeners;
    r->listeners = lst;
    xn_log(XN_LOG_INFO, "listening on %s", lst->addr);

    struct json_object *o = json_object_new_object();
    json_object_object_add(o, "op", json_object_new_string("listening"));
    json_object_object_add(o, "addr", json_object_new_string(lst->addr));
    relay_ctl_send(r, o, -1);
    return 0;
}

void relay_listeners_free(struct relay *r)
{
    while (r->listeners) {
        struct relay_listener *lst = r->listeners;
        r->listeners = lst->next;
        evconnlistener_free(lst->l);
        free(lst);
    }
}

static unsigned incoming_count(struct relay *r)
{
    unsigned n = 0;

    for (struct relay_conn *c = r->conns; c; c = c->next)
        n += c->incoming && c->state == RC_PIPE;
    return n;
}

/* Over max_incoming: a refuse frame instead of our hello, then close. */
static void refuse_busy(struct relay_conn *c, unsigned n)
{
    struct relay *r = c->r;
    struct mig_msg m;
    struct xn_msg msg;
    uint8_t *buf = NULL;
    size_t len;
    char text[RELAY_TEXT_MAX];

    mig_msg_init(&m, MIG_F_REFUSE);
    m.u.refuse.code = XN_EBUSY;
    snprintf(m.u.refuse.reason, sizeof(m.u.refuse.reason), "host %s has "
             "%u incoming migrations already", r->conf.host, n);
    xn_msg_clear(&msg);
    if (mig_msg_frame(&m, &buf, &len, &msg) == 0)
        bufferevent_write(c->hs, buf, len);
    free(buf);
    snprintf(text, sizeof(text), "%s (%s): %s", c->host, c->addr,
             m.u.refuse.reason);
    mig_msg_dispose(&m);
    relay_conn_report(c, XN_EBUSY, text);
    relay_pipe_linger(c);
}

void relay_accept_hello(struct relay_conn *c, const struct mig_hello *h)
{
    struct relay *r = c->r;
    struct xn_msg msg;
    unsigned n = incoming_count(r);
    int sp[2] = {-1, -1};

    snprintf(c->host, sizeof(c->host), "%s", h->host);
    c->peer_caps = h->caps;
    c->pending = false;
    r->pending--;
    if (n >= r->conf.max_incoming) {
        refuse_busy(c, n);
        return;
    }
    xn_msg_clear(&msg);
    if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sp) < 0) {
        relay_conn_fail(c, XN_EFAIL, "%s (%s): no socketpair for it: %s",
                        c->host, c->addr, strerror(errno));
        return;
    }
    if (relay_hello_send(c, &msg) < 0) {
        close(sp[0]);
        close(sp[1]);
        relay_conn_fail(c, XN_EFAIL, "%s (%s): %s", c->host, c->addr,
                        msg.text);
        return;
    }
    c->id = r->next_in_id;
    r->next_in_id += 2;
    c->loc_fd = sp[0];
    xn_log(XN_LOG_INFO, "connection %llu: %s (%s) came in",
           (unsigned long long)c->id, c->host, c->addr);

    struct json_object *o = json_object_new_object();
    json_object_object_add(o, "op", json_object_new_string("incoming"));
    json_object_object_add(o, "id", json_object_new_int64((int64_t)c->id));
    json_object_object_add(o, "peer", json_object_new_string(c->host));
    json_object_object_add(o, "addr", json_object_new_string(c->addr));
    json_object_object_add(o, "caps", relay_caps_json(c->peer_caps));
    relay_ctl_send(r, o, sp[1]);
    close(sp[1]);
    relay_pipe_start(c);
}
