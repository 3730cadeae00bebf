/*
 * mig_relay_ctl.c - what the relay says (ctl.h's replies), the connections
 * the daemon asked it for, and the peers it refused.
 */
#include "migration/mig_relay_int.h"
#include "log.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include <event2/event.h>

static struct relay_conn **conn_slot(struct mig_relay *r, uint64_t id)
{
    struct relay_conn **p = &r->conns;

    while (*p && (*p)->id != id)
        p = &(*p)->next;
    return p;
}

static void conn_drop(struct mig_relay *r, uint64_t id)
{
    struct relay_conn **p = conn_slot(r, id), *c = *p;

    if (c) {
        *p = c->next;
        free(c);
    }
}

/* The relay is gone: connections not yet made have failed, those made
 * have closed. */
void relay_conns_lost(struct mig_relay *r, const char *why)
{
    while (r->conns) {
        struct relay_conn *c = r->conns;
        uint64_t id = c->id;
        bool was = c->connected;

        r->conns = c->next;
        free(c);
        if (!was && r->cbs.failed && !r->stopping)
            r->cbs.failed(r->arg, id, XN_ECONNECT, why);
        else if (was && r->cbs.closed && !r->stopping)
            r->cbs.closed(r->arg, id, why, 0, 0);
    }
}

void relay_conns_free(struct mig_relay *r)
{
    while (r->conns) {
        struct relay_conn *c = r->conns;
        r->conns = c->next;
        free(c);
    }
}

static void on_refused(struct mig_relay *r, struct json_object *o)
{
    const char *addr = mig_ctl_str(o, "addr");
    const char *error = mig_ctl_str(o, "error");
    struct relay_refusal *f = &r->last[r->refused % RELAY_REFUSED_KEEP];

    snprintf(f->addr, sizeof(f->addr), "%s", addr ? addr : "?");
    snprintf(f->error, sizeof(f->error), "%s", error ? error : "refused");
    f->when = time(NULL);
    r->refused++;
    xn_log(XN_LOG_WARNING, "migration: refused a connection from %s: %s",
           f->addr, f->error);
}

static void on_incoming(struct mig_relay *r, struct json_object *o, int fd)
{
    const char *peer = mig_ctl_str(o, "peer");
    const char *addr = mig_ctl_str(o, "addr");
    long long id = mig_ctl_int(o, "id", -1);

    if (fd < 0 || id < 0 || !peer) {
        xn_log(XN_LOG_ERR, "migration: the relay announced an incoming "
               "connection without its id, peer or socket");
        if (fd >= 0)
            close(fd);
        return;
    }
    xn_log(XN_LOG_INFO, "migration: %s (%s) connected", peer,
           addr ? addr : "?");
    if (r->cbs.incoming)
        r->cbs.incoming(r->arg, (uint64_t)id, peer, addr ? addr : "?", fd);
    else
        close(fd);
}

/* Replies about a connection of ours. */
static void on_conn_reply(struct mig_relay *r, const char *op,
                          struct json_object *o)
{
    long long id = mig_ctl_int(o, "id", -1);
    struct relay_conn *c = id >= 0 ? *conn_slot(r, (uint64_t)id) : NULL;
    const char *error = mig_ctl_str(o, "error");
    uint64_t wire = (uint64_t)mig_ctl_int(o, "wire_bytes", 0);
    uint64_t raw = (uint64_t)mig_ctl_int(o, "raw_bytes", 0);

    if (!strcmp(op, "connected") && c) {
        const char *peer = mig_ctl_str(o, "peer");
        c->connected = true;
        if (r->cbs.connected)
            r->cbs.connected(r->arg, c->id, peer ? peer : "?");
    } else if (!strcmp(op, "failed") && c) {
        const char *code = mig_ctl_str(o, "code");
        conn_drop(r, (uint64_t)id);
        if (r->cbs.failed)
            r->cbs.failed(r->arg, (uint64_t)id,
                          code ? xn_errcode(code) : XN_ECONNECT,
                          error ? error : "the connection failed");
    } else if (!strcmp(op, "closed") && id >= 0) {
        conn_drop(r, (uint64_t)id);
        if (r->cbs.closed)
            r->cbs.closed(r->arg, (uint64_t)id, error ? error : "", wire,
                          raw);
    } else if (!strcmp(op, "stats") && id >= 0 && r->cbs.stats) {
        r->cbs.stats(r->arg, (uint64_t)id, wire, raw);
    }
}

static void dispatch(struct mig_relay *r, struct json_object *o, int fd)
{
    const char *op = mig_ctl_str(o, "op");

    if (!op)
        op = "";
    if (!strcmp(op, "incoming")) {
        on_incoming(r, o, fd);
        return;
    }
    if (fd >= 0)
        close(fd);
    if (!strcmp(op, "refused"))
        on_refused(r, o);
    else if (!strcmp(op, "ready"))
        xn_log(XN_LOG_DEBUG, "migration: the relay has its certificates");
    else if (!strcmp(op, "listening"))
        r->listening = true;
    else if (!strcmp(op, "error"))
        xn_log(XN_LOG_ERR, "migration: relay: %s",
               mig_ctl_str(o, "error") ? mig_ctl_str(o, "error") : "?");
    else if (!strcmp(op, "connected") || !strcmp(op, "failed") ||
             !strcmp(op, "closed") || !strcmp(op, "stats"))
        on_conn_reply(r, op, o);
    else
        xn_log(XN_LOG_WARNING, "migration: the relay sent an unknown op "
               "\"%.40s\"", op);
}

void relay_on_ctl(evutil_socket_t sock, short what, void *arg)
{
    struct mig_relay *r = arg;

    /* A few packets a wakeup, so that one busy relay cannot hold the
     * loop. */
    for (int i = 0; i < 32; i++) {
        struct json_object *o = NULL;
        struct xn_msg msg;
        int fd = -1, rc = mig_ctl_recv((int)sock, &o, &fd, &msg);

        if (rc == XN_EBUSY)
            return;
        if (rc == XN_EPROTO) {
            xn_log(XN_LOG_ERR, "migration: relay: %s", msg.text);
            continue;
        }
        if (rc < 0) {
            xn_log(XN_LOG_WARNING, "migration: the relay (pid %d) stopped: "
                   "%s", (int)r->pid, msg.text);
            r->listening = false;
            relay_down(r, false);
            relay_schedule_restart(r);
            return;
        }
        dispatch(r, o, fd);
        json_object_put(o);
    }
}

int mig_relay_connect(struct mig_relay *r, const char *host,
                      const char *addr, unsigned port, int compress,
                      uint64_t bandwidth, uint64_t *id_r, int *fd_r,
                      struct xn_msg *msg)
{
    struct relay_conn *c = calloc(1, sizeof(*c));
    struct json_object *o;
    int sv[2] = {-1, -1}, rc;

    if (!c)
        return xn_msg_set(msg, XN_ENOMEM, "out of memory");
    if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv) < 0) {
        free(c);
        return xn_msg_set(msg, xn_from_errno(errno), "cannot make a "
                          "socketpair: %s", strerror(errno));
    }
    c->id = r->next_id;
    r->next_id += 2;
    o = json_object_new_object();
    json_object_object_add(o, "op", json_object_new_string("connect"));
    json_object_object_add(o, "id", json_object_new_int64((int64_t)c->id));
    json_object_object_add(o, "host", json_object_new_string(host));
    json_object_object_add(o, "addr", json_object_new_string(addr));
    json_object_object_add(o, "port", json_object_new_int64(port));
    json_object_object_add(o, "compress", json_object_new_int64(compress));
    json_object_object_add(o, "bandwidth",
                           json_object_new_int64((int64_t)bandwidth));
    rc = relay_send(r, o, sv[1], msg);
    close(sv[1]);
    if (rc < 0) {
        close(sv[0]);
        free(c);
        return rc;
    }
    c->next = r->conns;
    r->conns = c;
    *id_r = c->id;
    *fd_r = sv[0];
    return 0;
}

void mig_relay_cancel(struct mig_relay *r, uint64_t id)
{
    struct json_object *o = json_object_new_object();

    json_object_object_add(o, "op", json_object_new_string("cancel"));
    json_object_object_add(o, "id", json_object_new_int64((int64_t)id));
    relay_send(r, o, -1, NULL);
    conn_drop(r, id);
}

struct json_object *mig_relay_status(const struct mig_relay *r)
{
    struct json_object *o = json_object_new_object();
    struct json_object *last = json_object_new_array();
    uint64_t n = r->refused < RELAY_REFUSED_KEEP ? r->refused
                                                 : RELAY_REFUSED_KEEP;

    json_object_object_add(o, "running", json_object_new_boolean(r->pid > 0));
    json_object_object_add(o, "pid", json_object_new_int(r->pid));
    json_object_object_add(o, "restarts", json_object_new_int(r->restarts));
    json_object_object_add(o, "listening", r->listening && r->listen_fd >= 0
                           ? json_object_new_string(r->listen_addr) : NULL);
    json_object_object_add(o, "refused",
                           json_object_new_int64((int64_t)r->refused));
    /* newest first */
    for (uint64_t i = 0; i < n; i++) {
        const struct relay_refusal *f =
            &r->last[(r->refused - 1 - i) % RELAY_REFUSED_KEEP];
        struct json_object *e = json_object_new_object();
        json_object_object_add(e, "addr", json_object_new_string(f->addr));
        json_object_object_add(e, "error", json_object_new_string(f->error));
        json_object_object_add(e, "time", json_object_new_int64(f->when));
        json_object_array_add(last, e);
    }
    json_object_object_add(o, "last_refused", last);
    return o;
}
