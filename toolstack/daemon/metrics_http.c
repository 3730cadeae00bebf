/* metrics_http.c - the registry's figures over HTTP for Prometheus: GET
 * /metrics, served by libevent's evhttp on the daemon's loop. */
#include "metrics.h"
#include "netaddr.h"
#include "utf8.h"

#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include <event2/buffer.h>
#include <event2/http.h>
#include <event2/keyvalq_struct.h>

#define CONTENT_TYPE "text/plain; version=0.0.4; charset=utf-8"
#define MAX_HEADERS 8192
#define MAX_BODY 1024
#define IDLE_SECS 10
#define BACKLOG 16

struct metrics_http {
    struct evhttp *http;        /* owned; owns the listening socket */
    struct metrics *m;          /* not owned */
    int port;
    char address[INET6_ADDRSTRLEN + 8];
};

/* A reply with a short text body (none for HEAD, which evhttp would send
 * otherwise). */
static void reply_text(struct evhttp_request *req, int code,
                       const char *reason, const char *text)
{
    struct evkeyvalq *h = evhttp_request_get_output_headers(req);
    struct evbuffer *body = NULL;
    char len[24];

    evhttp_add_header(h, "Content-Type", "text/plain; charset=utf-8");
    if (evhttp_request_get_command(req) == EVHTTP_REQ_HEAD) {
        snprintf(len, sizeof(len), "%zu", strlen(text));
        evhttp_add_header(h, "Content-Length", len);
    } else if ((body = evbuffer_new())) {
        evbuffer_add(body, text, strlen(text));
    }
    evhttp_send_reply(req, code, reason, body);
    if (body)
        evbuffer_free(body);
}

static void free_text(const void *data, size_t len, void *arg)
{
    free((void *)data);
}

static void on_request(struct evhttp_request *req, void *arg)
{
    struct metrics_http *h = arg;
    const struct evhttp_uri *uri = evhttp_request_get_evhttp_uri(req);
    const char *path = uri ? evhttp_uri_get_path(uri) : NULL;
    enum evhttp_cmd_type cmd = evhttp_request_get_command(req);
    struct evkeyvalq *out = evhttp_request_get_output_headers(req);
    struct evbuffer *body = NULL;
    char *text;
    char len[24];

    if (!path || strcmp(path, "/metrics") != 0) {
        reply_text(req, HTTP_NOTFOUND, "Not Found",
                   "Not found: the figures are at /metrics.\n");
        return;
    }
    if (cmd != EVHTTP_REQ_GET && cmd != EVHTTP_REQ_HEAD) {
        evhttp_add_header(out, "Allow", "GET, HEAD");
        reply_text(req, HTTP_BADMETHOD, "Method Not Allowed",
                   "Method not allowed: use GET.\n");
        return;
    }
    metrics_collect(h->m);
    if (!(text = metrics_render_text(h->m))) {
        reply_text(req, HTTP_INTERNAL, "Internal Server Error",
                   "Out of memory.\n");
        return;
    }
    evhttp_add_header(out, "Content-Type", CONTENT_TYPE);
    evhttp_add_header(out, "Cache-Control", "no-store");
    if (cmd == EVHTTP_REQ_HEAD) {
        snprintf(len, sizeof(len), "%zu", strlen(text));
        evhttp_add_header(out, "Content-Length", len);
        free(text);
    } else if (!(body = evbuffer_new()) ||
               evbuffer_add_reference(body, text, strlen(text), free_text,
                                      NULL) < 0) {
        free(text);
        if (body)
            evbuffer_free(body);
        evhttp_remove_header(out, "Content-Type");
        reply_text(req, HTTP_INTERNAL, "Internal Server Error",
                   "Out of memory.\n");
        return;
    }
    evhttp_send_reply(req, HTTP_OK, "OK", body);
    if (body)
        evbuffer_free(body);
}

int metrics_http_open(struct event_base *base, struct metrics *m,
                      const char *spec, struct metrics_http **h_r,
                      struct xn_msg *msg)
{
    struct metrics_http *h = NULL;
    struct net_addr a;
    int fd = -1, rc;

    *h_r = NULL;
    if (!base || !m || !spec)
        return xn_msg_set(msg, XN_EINVAL, "metrics: no loop, registry or "
                          "address");
    if ((rc = net_addr_parse("metrics", spec, false, &a, msg)) < 0)
        return rc;
    if (!(h = calloc(1, sizeof(*h))) || !(h->http = evhttp_new(base))) {
        rc = xn_msg_set(msg, XN_ENOMEM, "out of memory");
        goto out;
    }
    if ((rc = net_listen("metrics", &a, BACKLOG, &fd, msg)) < 0)
        goto out;
    h->m = m;
    h->port = ntohs(a.sa.ss_family == AF_INET6
                        ? ((struct sockaddr_in6 *)&a.sa)->sin6_port
                        : ((struct sockaddr_in *)&a.sa)->sin_port);
    net_addr_text(&a.sa, h->address, sizeof(h->address));
    evhttp_set_max_headers_size(h->http, MAX_HEADERS);
    evhttp_set_max_body_size(h->http, MAX_BODY);
    evhttp_set_timeout(h->http, IDLE_SECS);
    /* Every method reaches on_request, which answers 405 (evhttp would
     * answer 501 to those it was not told of). */
    evhttp_set_allowed_methods(h->http, EVHTTP_REQ_GET | EVHTTP_REQ_POST |
                               EVHTTP_REQ_HEAD | EVHTTP_REQ_PUT |
                               EVHTTP_REQ_DELETE | EVHTTP_REQ_OPTIONS |
                               EVHTTP_REQ_TRACE | EVHTTP_REQ_CONNECT |
                               EVHTTP_REQ_PATCH);
    evhttp_set_gencb(h->http, on_request, h);
    if (!evhttp_accept_socket_with_handle(h->http, fd)) {
        rc = xn_msg_set(msg, XN_ENOMEM, "cannot serve metrics on %s: out "
                        "of memory", h->address);
        goto out;
    }
    fd = -1;                    /* the evhttp's now */
    *h_r = h;
    h = NULL;
    rc = 0;
out:
    if (fd >= 0)
        close(fd);
    metrics_http_close(h);
    return rc;
}

void metrics_http_close(struct metrics_http *h)
{
    if (!h)
        return;
    if (h->http)
        evhttp_free(h->http);
    free(h);
}

int metrics_http_port(const struct metrics_http *h)
{
    return h ? h->port : -1;
}

const char *metrics_http_address(const struct metrics_http *h)
{
    return h ? h->address : "";
}
