/*
 * relay_connect.c - outgoing connections: the connect op, the TCP connect
 * (non-blocking, under handshake_ms), then the handshake and the hello
 * (relay_hello.c), then `connected` and the pipe.
 *
 * Every way it can end before the pipe is one `failed` with the op's id
 * and one sentence ("cannot connect to hostb (127.0.0.1:8002): Connection
 * refused").
 */
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include <event2/util.h>

#include "log.h"
#include "migration/wire/ctl.h"
#include "relay.h"
#include "utf8.h"

static void connect_done(evutil_socket_t fd, short what, void *arg)
{
    struct relay_conn *c = arg;
    int err = 0;
    socklen_t len = sizeof(err);

    if (what & EV_TIMEOUT)
        err = ETIMEDOUT;
    else if (getsockopt(c->fd, SOL_SOCKET, SO_ERROR, &err, &len) < 0)
        err = errno;
    if (err) {
        relay_conn_fail(c, XN_ECONNECT, "cannot connect to %s (%s): %s",
                        c->host, c->addr, strerror(err));
        return;
    }
    event_free(c->conn_ev);
    c->conn_ev = NULL;
    relay_hello_start(c);
}

/* Check the op into c; 0 or a code with the sentence. */
static int connect_args(struct relay_conn *c, struct json_object *op,
                        struct sockaddr_storage *ss, socklen_t *sl,
                        struct xn_msg *msg)
{
    const char *host = mig_ctl_str(op, "host");
    const char *addr = mig_ctl_str(op, "addr");
    long long port = mig_ctl_int(op, "port", -1);
    long long level = mig_ctl_int(op, "compress", 0);
    long long bw = mig_ctl_int(op, "bandwidth", 0);
    struct sockaddr_in *s4 = (struct sockaddr_in *)ss;
    struct sockaddr_in6 *s6 = (struct sockaddr_in6 *)ss;
    char q[80];

    memset(ss, 0, sizeof(*ss));
    if (!c->r->configured)
        return xn_msg_set(msg, XN_ESTATE, "connect: no config yet");
    if (!host || !mig_host_valid(host))
        return xn_msg_set(msg, XN_EINVAL, "connect: host \"%s\" is not a "
                          "host name", xn_quote(host ? host : "", host ?
                          strlen(host) : 0, 60, q, sizeof(q)));
    snprintf(c->host, sizeof(c->host), "%s", host);
    if (port < 1 || port > 65535)
        return xn_msg_set(msg, XN_EINVAL, "connect: port %lld is not "
                          "within 1..65535", port);
    if (addr && inet_pton(AF_INET, addr, &s4->sin_addr) == 1) {
        s4->sin_family = AF_INET;
        s4->sin_port = htons((uint16_t)port);
        *sl = sizeof(*s4);
    } else if (addr && inet_pton(AF_INET6, addr, &s6->sin6_addr) == 1) {
        s6->sin6_family = AF_INET6;
        s6->sin6_port = htons((uint16_t)port);
        *sl = sizeof(*s6);
    } else {
        return xn_msg_set(msg, XN_EINVAL, "connect: addr \"%s\" is not an "
                          "IP address", xn_quote(addr ? addr : "", addr ?
                          strlen(addr) : 0, 60, q, sizeof(q)));
    }
    relay_addr_str((struct sockaddr *)ss, c->addr, sizeof(c->addr));
    if (level < 0 || level > 19)
        return xn_msg_set(msg, XN_EINVAL, "connect: compress %lld is not "
                          "within 0..19", level);
    c->level = (int)level;
    if (bw < 0)
        return xn_msg_set(msg, XN_EINVAL, "connect: bandwidth %lld is "
                          "negative", bw);
    c->bandwidth = (uint64_t)bw;
    if (c->loc_fd < 0)
        return xn_msg_set(msg, XN_EINVAL, "connect: no socketpair came "
                          "with it");
    return 0;
}

void relay_connect_op(struct relay *r, struct json_object *op, int fd)
{
    long long id = mig_ctl_int(op, "id", -1);
    struct sockaddr_storage ss;
    socklen_t sl = 0;
    struct relay_conn *c;
    struct xn_msg msg;
    int rc;
    struct timeval tv = {r->conf.handshake_ms / 1000,
                         (r->conf.handshake_ms % 1000) * 1000};

    c = relay_conn_new(r, id > 0 ? (uint64_t)id : 0, false);
    if (!c) {
        if (fd >= 0)
            close(fd);
        return;
    }
    c->loc_fd = fd;
    snprintf(c->host, sizeof(c->host), "?");
    snprintf(c->addr, sizeof(c->addr), "?");
    xn_msg_clear(&msg);
    if (id <= 0) {
        relay_conn_fail(c, XN_EINVAL, "connect: no id");
        return;
    }
    for (struct relay_conn *o = r->conns; o; o = o->next)
        if (o != c && o->id == c->id) {
            relay_conn_fail(c, XN_EEXIST, "connect: id %lld is in use",
                            id);
            return;
        }
    if ((rc = connect_args(c, op, &ss, &sl, &msg)) < 0) {
        relay_conn_fail(c, rc, "%s", msg.text);
        return;
    }
    evutil_make_socket_nonblocking(c->loc_fd);
    c->fd = socket(ss.ss_family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC,
                   0);
    if (c->fd < 0) {
        relay_conn_fail(c, XN_EFAIL, "cannot connect to %s (%s): %s",
                        c->host, c->addr, strerror(errno));
        return;
    }
    relay_tcp_tune(c->fd);
    xn_log(XN_LOG_INFO, "connection %lld: connecting to %s (%s)", id,
           c->host, c->addr);
    if (connect(c->fd, (struct sockaddr *)&ss, sl) == 0) {
        relay_hello_start(c);
        return;
    }
    if (errno != EINPROGRESS) {
        relay_conn_fail(c, XN_ECONNECT, "cannot connect to %s (%s): %s",
                        c->host, c->addr, strerror(errno));
        return;
    }
    c->conn_ev = event_new(r->base, c->fd, EV_WRITE, connect_done, c);
    if (!c->conn_ev || event_add(c->conn_ev, &tv) < 0)
        relay_conn_fail(c, XN_EFAIL, "cannot connect to %s (%s): out of "
                        "memory", c->host, c->addr);
}

void relay_connect_hello(struct relay_conn *c, const struct mig_hello *h)
{
    struct json_object *o = json_object_new_object();

    c->peer_caps = h->caps;
    c->zstd_out = c->level > 0 && (h->caps & MIG_CAP_ZSTD);
    xn_log(XN_LOG_INFO, "connection %llu: connected to %s (%s)%s",
           (unsigned long long)c->id, h->host, c->addr,
           c->zstd_out ? ", compressing" : "");
    json_object_object_add(o, "op", json_object_new_string("connected"));
    json_object_object_add(o, "id", json_object_new_int64((int64_t)c->id));
    json_object_object_add(o, "peer", json_object_new_string(h->host));
    json_object_object_add(o, "caps", relay_caps_json(h->caps));
    relay_ctl_send(c->r, o, -1);
    relay_pipe_start(c);
}
