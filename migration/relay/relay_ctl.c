/*
 * relay_ctl.c - the control channel to xenithd (ctl.h), on the loop.
 *
 * Ops come one packet at a time; each is answered (config: ready or error,
 * listen: listening or error) or starts a connection whose outcome comes
 * later.  Replies are sent blocking: the daemon always reads its end, and
 * they are small.  The channel's end (or a broken channel) ends the loop.
 */
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "log.h"
#include "migration/wire/ctl.h"
#include "relay.h"
#include "utf8.h"

static void send_error(struct relay *r, const char *text)
{
    struct json_object *o = json_object_new_object();

    json_object_object_add(o, "op", json_object_new_string("error"));
    json_object_object_add(o, "error", json_object_new_string(text));
    relay_ctl_send(r, o, -1);
}

void relay_ctl_send(struct relay *r, struct json_object *o, int fd)
{
    struct xn_msg msg;

    xn_msg_clear(&msg);
    if (r->ctl_fd >= 0 && mig_ctl_send(r->ctl_fd, o, fd, &msg) < 0) {
        xn_log(XN_LOG_ERR, "control channel: %s", msg.text);
        event_base_loopbreak(r->base);
    }
    json_object_put(o);
}

static int conf_parse(struct json_object *op, struct relay_conf *conf,
                      struct xn_msg *msg)
{
    const char *host = mig_ctl_str(op, "host");
    struct json_object *plain;
    long long v;
    char q[80];

    if (!host || !mig_host_valid(host))
        return xn_msg_set(msg, XN_EINVAL, "config: host \"%s\" is not a "
                          "host name", xn_quote(host ? host : "", host ?
                          strlen(host) : 0, 60, q, sizeof(q)));
    snprintf(conf->host, sizeof(conf->host), "%s", host);
    v = mig_ctl_int(op, "max_incoming", RELAY_MAX_INCOMING);
    if (v < 1 || v > 1024)
        return xn_msg_set(msg, XN_EINVAL, "config: max_incoming %lld is "
                          "not within 1..1024", v);
    conf->max_incoming = (unsigned)v;
    v = mig_ctl_int(op, "handshake_ms", RELAY_HANDSHAKE_MS);
    if (v < 1 || v > 600000)
        return xn_msg_set(msg, XN_EINVAL, "config: handshake_ms %lld is "
                          "not within 1..600000", v);
    conf->handshake_ms = (unsigned)v;
    conf->plain = json_object_object_get_ex(op, "plain", &plain) &&
                  json_object_is_type(plain, json_type_boolean) &&
                  json_object_get_boolean(plain);
    return 0;
}

/* A config, first or again: the new context serves new connections; the
 * ones under way keep theirs. */
static void op_config(struct relay *r, struct json_object *op)
{
    struct relay_conf conf;
    struct xn_msg msg;
    SSL_CTX *ctx = NULL;

    xn_msg_clear(&msg);
    if (conf_parse(op, &conf, &msg) < 0 ||
        (!conf.plain &&
         relay_tls_ctx_new(op, conf.host, &ctx, &msg) < 0)) {
        send_error(r, msg.text);
        return;
    }
    SSL_CTX_free(r->ctx);
    r->ctx = ctx;
    r->conf = conf;
    r->configured = true;
    xn_log(XN_LOG_INFO, "configured as %s%s", conf.host,
           conf.plain ? " (plain, no TLS)" : "");
    struct json_object *o = json_object_new_object();
    json_object_object_add(o, "op", json_object_new_string("ready"));
    relay_ctl_send(r, o, -1);
}

static void op_listen(struct relay *r, struct json_object *op, int fd)
{
    const char *addr = mig_ctl_str(op, "addr");
    struct xn_msg msg;

    xn_msg_clear(&msg);
    if (fd < 0)
        xn_msg_set(&msg, XN_EINVAL, "listen: no socket came with it");
    else if (!r->configured)
        xn_msg_set(&msg, XN_ESTATE, "listen: no config yet");
    else if (relay_listen(r, fd, addr ? addr : "", &msg) == 0)
        return;                         /* it replied, and owns fd */
    if (fd >= 0)
        close(fd);
    send_error(r, msg.text);
}

static void op_cancel(struct relay *r, struct json_object *op)
{
    long long id = mig_ctl_int(op, "id", -1);
    struct relay_conn *c = id > 0 ? relay_conn_find(r, (uint64_t)id) : NULL;

    if (!c)
        return;         /* already over: its report is on its way */
    if (c->state == RC_PIPE)
        relay_pipe_abort(c, "cancelled");
    else if (c->state != RC_LINGER)
        relay_conn_fail(c, XN_ECANCELED, "%s (%s): cancelled", c->host,
                        c->addr);
}

static void ctl_read(evutil_socket_t sock, short what, void *arg)
{
    struct relay *r = arg;
    struct json_object *op = NULL;
    struct xn_msg msg;
    const char *name;
    char q[80];
    int fd = -1, rc;

    xn_msg_clear(&msg);
    rc = mig_ctl_recv(r->ctl_fd, &op, &fd, &msg);
    if (rc == XN_EBUSY)
        return;
    if (rc == XN_EIO) {
        xn_log(XN_LOG_INFO, "control channel closed: exiting");
        event_base_loopbreak(r->base);
        return;
    }
    if (rc < 0) {
        send_error(r, msg.text);
        return;
    }
    name = mig_ctl_str(op, "op");
    if (!name)
        name = "";
    if (strcmp(name, "config") == 0) {
        op_config(r, op);
    } else if (strcmp(name, "listen") == 0) {
        op_listen(r, op, fd);
        fd = -1;
    } else if (strcmp(name, "connect") == 0) {
        relay_connect_op(r, op, fd);
        fd = -1;
    } else if (strcmp(name, "cancel") == 0) {
        op_cancel(r, op);
    } else {
        xn_msg_set(&msg, XN_EINVAL, "unknown op \"%s\"",
                   xn_quote(name, strlen(name), 40, q, sizeof(q)));
        send_error(r, msg.text);
    }
    if (fd >= 0)
        close(fd);
    json_object_put(op);
}

int relay_ctl_start(struct relay *r, struct xn_msg *msg)
{
    int fl = fcntl(r->ctl_fd, F_GETFL);

    if (fl < 0)
        return xn_msg_set(msg, XN_EINVAL, "--ctl-fd %d: not open",
                          r->ctl_fd);
    if (fl & O_NONBLOCK)
        fcntl(r->ctl_fd, F_SETFL, fl & ~O_NONBLOCK);
    fcntl(r->ctl_fd, F_SETFD, FD_CLOEXEC);
    r->ctl_ev = event_new(r->base, r->ctl_fd, EV_READ | EV_PERSIST,
                          ctl_read, r);
    if (!r->ctl_ev || event_add(r->ctl_ev, NULL) < 0)
        return xn_msg_set(msg, XN_ENOMEM, "cannot watch the control "
                          "channel");
    return 0;
}
