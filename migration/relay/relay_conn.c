/*
 * relay_conn.c - a connection's life: made, found, reported, freed.
 *
 * A connection is reported to the daemon exactly once at its end: `failed`
 * or `refused` before it is authenticated (relay_conn_fail, which frees
 * it), `closed` after (relay_conn_closed; then relay_pipe.c frees it or
 * lets it linger).
 */
#include <arpa/inet.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include <event2/bufferevent.h>
#include <zstd.h>

#include "log.h"
#include "relay.h"

struct relay_conn *relay_conn_new(struct relay *r, uint64_t id,
                                  bool incoming)
{
    struct relay_conn *c = calloc(1, sizeof(*c));

    if (!c)
        return NULL;
    c->r = r;
    c->id = id;
    c->incoming = incoming;
    c->state = incoming ? RC_HANDSHAKE : RC_CONNECTING;
    c->fd = -1;
    c->loc_fd = -1;
    c->next = r->conns;
    if (r->conns)
        r->conns->pprev = &c->next;
    c->pprev = &r->conns;
    r->conns = c;
    if (incoming) {
        c->pending = true;
        r->pending++;
    }
    return c;
}

void relay_conn_free(struct relay_conn *c)
{
    if (!c)
        return;
    if (c->pending)
        c->r->pending--;
    *c->pprev = c->next;
    if (c->next)
        c->next->pprev = c->pprev;
    relay_rd_dispose(&c->loc_rd);
    if (c->timer)
        event_free(c->timer);
    if (c->conn_ev)
        event_free(c->conn_ev);
    relay_hs_free(c);
    relay_net_dispose(&c->net);
    if (c->loc)
        bufferevent_free(c->loc);
    if (c->ssl)
        SSL_free(c->ssl);
    if (c->fd >= 0)
        close(c->fd);
    if (c->loc_fd >= 0)
        close(c->loc_fd);
    ZSTD_freeCCtx(c->cctx);
    ZSTD_freeDCtx(c->dctx);
    free(c);
}

void relay_hs_free(struct relay_conn *c)
{
    if (!c->hs)
        return;
    /* Freed inside its own callback, it lets go of the socket's events
     * only when that returns: the socket may be closed before. */
    bufferevent_disable(c->hs, EV_READ | EV_WRITE);
    bufferevent_free(c->hs);
    c->hs = NULL;
}

struct relay_conn *relay_conn_find(struct relay *r, uint64_t id)
{
    for (struct relay_conn *c = r->conns; c; c = c->next)
        if (c->id == id && c->id != 0)
            return c;
    return NULL;
}

/* Read what the peer sent and we will never take (its hello, usually):
 * a socket closed with unread bytes sends a reset, and the peer may lose
 * our alert with it. */
static void drain(struct relay_conn *c)
{
    int fd = c->fd;
    char buf[4096];

    for (int i = 0; fd >= 0 && i < 64; i++)
        if (recv(fd, buf, sizeof(buf), MSG_DONTWAIT) <= 0)
            break;
}

void relay_conn_fail(struct relay_conn *c, int code, const char *fmt, ...)
{
    char text[RELAY_TEXT_MAX];
    va_list ap;

    va_start(ap, fmt);
    vsnprintf(text, sizeof(text), fmt, ap);
    va_end(ap);
    relay_conn_report(c, code, text);
    drain(c);
    relay_conn_free(c);
}

void relay_conn_report(struct relay_conn *c, int code, const char *text)
{
    struct json_object *o = json_object_new_object();

    if (c->incoming) {
        xn_log(XN_LOG_NOTICE, "refused %s", text);
        json_object_object_add(o, "op", json_object_new_string("refused"));
        json_object_object_add(o, "addr", json_object_new_string(c->addr));
    } else {
        xn_log(XN_LOG_NOTICE, "connection %llu failed: %s",
               (unsigned long long)c->id, text);
        json_object_object_add(o, "op", json_object_new_string("failed"));
        json_object_object_add(o, "id", json_object_new_int64(
                                   (int64_t)c->id));
        json_object_object_add(o, "code",
                               json_object_new_string(xn_errname(code)));
    }
    json_object_object_add(o, "error", json_object_new_string(text));
    relay_ctl_send(c->r, o, -1);
}

static struct json_object *counters(struct relay_conn *c, const char *op)
{
    struct json_object *o = json_object_new_object();

    json_object_object_add(o, "op", json_object_new_string(op));
    json_object_object_add(o, "id", json_object_new_int64((int64_t)c->id));
    json_object_object_add(o, "wire_bytes",
                           json_object_new_int64((int64_t)c->wire_bytes));
    json_object_object_add(o, "raw_bytes",
                           json_object_new_int64((int64_t)c->raw_bytes));
    c->shown_wire = c->wire_bytes;
    c->shown_raw = c->raw_bytes;
    return o;
}

void relay_conn_closed(struct relay_conn *c, const char *error)
{
    struct json_object *o = counters(c, "closed");

    if (error)
        xn_log(XN_LOG_NOTICE, "connection %llu with %s closed: %s",
               (unsigned long long)c->id, c->host, error);
    json_object_object_add(o, "error", json_object_new_string(
                               error ? error : ""));
    relay_ctl_send(c->r, o, -1);
    c->id = 0;
}

void relay_conn_stats(struct relay_conn *c)
{
    if (c->wire_bytes == c->shown_wire && c->raw_bytes == c->shown_raw)
        return;
    relay_ctl_send(c->r, counters(c, "stats"), -1);
}

void relay_tcp_tune(int fd)
{
    int one = 1;

    setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
}

void relay_addr_str(const struct sockaddr *sa, char *buf, size_t len)
{
    char ip[INET6_ADDRSTRLEN];

    if (sa->sa_family == AF_INET) {
        const struct sockaddr_in *s = (const struct sockaddr_in *)sa;
        inet_ntop(AF_INET, &s->sin_addr, ip, sizeof(ip));
        snprintf(buf, len, "%s:%u", ip, ntohs(s->sin_port));
    } else if (sa->sa_family == AF_INET6) {
        const struct sockaddr_in6 *s = (const struct sockaddr_in6 *)sa;
        inet_ntop(AF_INET6, &s->sin6_addr, ip, sizeof(ip));
        snprintf(buf, len, "[%s]:%u", ip, ntohs(s->sin6_port));
    } else {
        snprintf(buf, len, "(local)");
    }
}

struct json_object *relay_caps_json(unsigned caps)
{
    struct json_object *a = json_object_new_array();

    if (caps & MIG_CAP_ZSTD)
        json_object_array_add(a, json_object_new_string("zstd"));
    return a;
}

void relay_dispose(struct relay *r)
{
    while (r->conns)
        relay_conn_free(r->conns);
    relay_listeners_free(r);
    relay_net_cleanup();
    SSL_CTX_free(r->ctx);
    r->ctx = NULL;
    if (r->ctl_ev)
        event_free(r->ctl_ev);
    r->ctl_ev = NULL;
    if (r->ctl_fd >= 0)
        close(r->ctl_fd);
    r->ctl_fd = -1;
}
