/* metrics_http.c - the registry's figures over HTTP for Prometheus: GET
 * /metrics, served by libevent's evhttp on the daemon's loop. */
#include "metrics.h"
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

/* Where to listen, from a spec. */
struct listen_addr {
    struct sockaddr_storage sa;
    socklen_t len;
};

/* The PORT of a spec quoted as q. */
static int spec_port(const char *q, const char *p, uint16_t *port_r,
                     struct xn_msg *msg)
{
    size_t n = strlen(p);
    long v = 0;
    char pq[40];

    if (n == 0 || n > 5 || strspn(p, "0123456789") != n ||
        (v = strtol(p, NULL, 10)) > 65535) {
        xn_quote(p, n, 20, pq, sizeof(pq));
        return xn_msg_set(msg, XN_EINVAL, "metrics address \"%s\": the port "
                          "\"%s\" is not a number from 0 to 65535", q, pq);
    }
    *port_r = htons((uint16_t)v);
    return 0;
}

/* A numeric address of `family` from host[0..len) into addr. */
static int spec_host(const char *q, int family, const char *host,
                     size_t len, void *addr, struct xn_msg *msg)
{
    char buf[INET6_ADDRSTRLEN], hq[60];

    if (len < sizeof(buf)) {
        memcpy(buf, host, len);
        buf[len] = '\0';
        if (inet_pton(family, buf, addr) == 1)
            return 0;
    }
    xn_quote(host, len, 40, hq, sizeof(hq));
    return xn_msg_set(msg, XN_EINVAL, "metrics address \"%s\": \"%s\" is "
                      "not a numeric %s", q, hq, family == AF_INET6
                          ? "IPv6 address"
                          : "IPv4 address (write IPv6 as [ADDR]:PORT)");
}

/* "[ADDR6]:PORT" */
static int spec_v6(const char *spec, const char *q, struct listen_addr *a,
                   struct xn_msg *msg)
{
    struct sockaddr_in6 *s6 = (struct sockaddr_in6 *)&a->sa;
    const char *end = strchr(spec, ']');
    int rc;

    if (!end)
        return xn_msg_set(msg, XN_EINVAL, "metrics address \"%s\": no ']' "
                          "after the IPv6 address", q);
    if (end[1] != ':')
        return xn_msg_set(msg, XN_EINVAL, "metrics address \"%s\": no "
                          "\":PORT\" after the ']'", q);
    s6->sin6_family = AF_INET6;
    a->len = sizeof(*s6);
    if ((rc = spec_host(q, AF_INET6, spec + 1, (size_t)(end - spec - 1),
                        &s6->sin6_addr, msg)) < 0)
        return rc;
    return spec_port(q, end + 2, &s6->sin6_port, msg);
}

/* "PORT" (loopback) or "ADDR4:PORT" */
static int spec_v4(const char *spec, const char *q, struct listen_addr *a,
                   struct xn_msg *msg)
{
    struct sockaddr_in *s4 = (struct sockaddr_in *)&a->sa;
    const char *colon = strchr(spec, ':');
    int rc;

    s4->sin_family = AF_INET;
    a->len = sizeof(*s4);
    if (!colon) {
        s4->sin_addr.s_addr = htonl(INADDR_LOOPBACK);
        return spec_port(q, spec, &s4->sin_port, msg);
    }
    if (strchr(colon + 1, ':'))
        return xn_msg_set(msg, XN_EINVAL, "metrics address \"%s\": write an "
                          "IPv6 address in brackets, as [::1]:PORT", q);
    if ((rc = spec_host(q, AF_INET, spec, (size_t)(colon - spec),
                        &s4->sin_addr, msg)) < 0)
        return rc;
    return spec_port(q, colon + 1, &s4->sin_port, msg);
}

/* "PORT", "ADDR:PORT" or "[ADDR6]:PORT" into *a. */
static int spec_parse(const char *spec, struct listen_addr *a,
                      struct xn_msg *msg)
{
    char q[120];

    xn_quote(spec, strlen(spec), 80, q, sizeof(q));
    memset(a, 0, sizeof(*a));
    return spec[0] == '[' ? spec_v6(spec, q, a, msg)
                          : spec_v4(spec, q, a, msg);
}

/* "127.0.0.1:9101" or "[::1]:9101" into buf. */
static void addr_text(const struct sockaddr_storage *sa, char *buf,
                      size_t len)
{
    char host[INET6_ADDRSTRLEN];

    if (sa->ss_family == AF_INET6) {
        const struct sockaddr_in6 *s6 = (const struct sockaddr_in6 *)sa;
        inet_ntop(AF_INET6, &s6->sin6_addr, host, sizeof(host));
        snprintf(buf, len, "[%s]:%u", host, ntohs(s6->sin6_port));
    } else {
        const struct sockaddr_in *s4 = (const struct sockaddr_in *)sa;
        inet_ntop(AF_INET, &s4->sin_addr, host, sizeof(host));
        snprintf(buf, len, "%s:%u", host, ntohs(s4->sin_port));
    }
}

/* A listening socket on a, non-blocking, into *fd_r; the port it got is
 * written back into a. */
static int listen_on(struct listen_addr *a, int *fd_r, struct xn_msg *msg)
{
    char where[INET6_ADDRSTRLEN + 8];
    int fd, one = 1, e;
    socklen_t len = sizeof(a->sa);

    addr_text(&a->sa, where, sizeof(where));
    fd = socket(a->sa.ss_family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC,
                0);
    if (fd < 0)
        goto fail;
    if (setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one)) < 0 ||
        (a->sa.ss_family == AF_INET6 &&
         setsockopt(fd, IPPROTO_IPV6, IPV6_V6ONLY, &one, sizeof(one)) < 0) ||
        bind(fd, (struct sockaddr *)&a->sa, a->len) < 0 ||
        listen(fd, BACKLOG) < 0 ||
        getsockname(fd, (struct sockaddr *)&a->sa, &len) < 0)
        goto fail;
    *fd_r = fd;
    return 0;
fail:
    e = errno;
    if (fd >= 0)
        close(fd);
    return xn_msg_set(msg, xn_from_errno(e) < 0 ? xn_from_errno(e) : XN_EFAIL,
                      "cannot listen for metrics on %s: %s", where,
                      strerror(e));
}

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
    struct listen_addr a;
    int fd = -1, rc;

    *h_r = NULL;
    if (!base || !m || !spec)
        return xn_msg_set(msg, XN_EINVAL, "metrics: no loop, registry or "
                          "address");
    if ((rc = spec_parse(spec, &a, msg)) < 0)
        return rc;
    if (!(h = calloc(1, sizeof(*h))) || !(h->http = evhttp_new(base))) {
        rc = xn_msg_set(msg, XN_ENOMEM, "out of memory");
        goto out;
    }
    if ((rc = listen_on(&a, &fd, msg)) < 0)
        goto out;
    h->m = m;
    h->port = ntohs(a.sa.ss_family == AF_INET6
                        ? ((struct sockaddr_in6 *)&a.sa)->sin6_port
                        : ((struct sockaddr_in *)&a.sa)->sin_port);
    addr_text(&a.sa, h->address, sizeof(h->address));
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
