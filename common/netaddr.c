/*
 * netaddr.c - a TCP address to listen on, as an admin writes it
 * ("PORT", "ADDR:PORT", "[ADDR6]:PORT"), and the listening socket.
 */
#include "netaddr.h"
#include "utf8.h"

#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

/* The PORT of a spec quoted as q. */
static int spec_port(const char *what, const char *q, const char *p, uint16_t *port_r,
                     struct xn_msg *msg)
{
    size_t n = strlen(p);
    long v = 0;
    char pq[40];

    if (n == 0 || n > 5 || strspn(p, "0123456789") != n ||
        (v = strtol(p, NULL, 10)) > 65535) {
        xn_quote(p, n, 20, pq, sizeof(pq));
        return xn_msg_set(msg, XN_EINVAL, "%s address \"%s\": the port "
                          "\"%s\" is not a number from 0 to 65535", what, q,
                          pq);
    }
    *port_r = htons((uint16_t)v);
    return 0;
}

/* A numeric address of `family` from host[0..len) into addr. */
static int spec_host(const char *what, const char *q, int family, const char *host,
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
    return xn_msg_set(msg, XN_EINVAL, "%s address \"%s\": \"%s\" is "
                      "not a numeric %s", what, q, hq, family == AF_INET6
                          ? "IPv6 address"
                          : "IPv4 address (write IPv6 as [ADDR]:PORT)");
}

/* "[ADDR6]:PORT" */
static int spec_v6(const char *what, const char *spec, const char *q, struct net_addr *a,
                   struct xn_msg *msg)
{
    struct sockaddr_in6 *s6 = (struct sockaddr_in6 *)&a->sa;
    const char *end = strchr(spec, ']');
    int rc;

    if (!end)
        return xn_msg_set(msg, XN_EINVAL, "%s address \"%s\": no ']' "
                          "after the IPv6 address", what, q);
    if (end[1] != ':')
        return xn_msg_set(msg, XN_EINVAL, "%s address \"%s\": no "
                          "\":PORT\" after the ']'", what, q);
    s6->sin6_family = AF_INET6;
    a->len = sizeof(*s6);
    if ((rc = spec_host(what, q, AF_INET6, spec + 1, (size_t)(end - spec - 1),
                        &s6->sin6_addr, msg)) < 0)
        return rc;
    return spec_port(what, q, end + 2, &s6->sin6_port, msg);
}

/* "PORT" (loopback, or any address when `any`) or "ADDR4:PORT" */
static int spec_v4(const char *what, const char *spec, bool any,
                   const char *q, struct net_addr *a,
                   struct xn_msg *msg)
{
    struct sockaddr_in *s4 = (struct sockaddr_in *)&a->sa;
    const char *colon = strchr(spec, ':');
    int rc;

    s4->sin_family = AF_INET;
    a->len = sizeof(*s4);
    if (!colon) {
        s4->sin_addr.s_addr = htonl(any ? INADDR_ANY : INADDR_LOOPBACK);
        return spec_port(what, q, spec, &s4->sin_port, msg);
    }
    if (strchr(colon + 1, ':'))
        return xn_msg_set(msg, XN_EINVAL, "%s address \"%s\": write an "
                          "IPv6 address in brackets, as [::1]:PORT", what, q);
    if ((rc = spec_host(what, q, AF_INET, spec, (size_t)(colon - spec),
                        &s4->sin_addr, msg)) < 0)
        return rc;
    return spec_port(what, q, colon + 1, &s4->sin_port, msg);
}

int net_addr_parse(const char *what, const char *spec, bool any,
                   struct net_addr *a, struct xn_msg *msg)
{
    char q[120];

    xn_quote(spec, strlen(spec), 80, q, sizeof(q));
    memset(a, 0, sizeof(*a));
    return spec[0] == '[' ? spec_v6(what, spec, q, a, msg)
                          : spec_v4(what, spec, any, q, a, msg);
}

void net_addr_text(const struct sockaddr_storage *sa, char *buf,
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

int net_listen(const char *what, struct net_addr *a, int backlog,
               int *fd_r, struct xn_msg *msg)
{
    char where[INET6_ADDRSTRLEN + 8];
    int fd, one = 1, e;
    socklen_t len = sizeof(a->sa);

    net_addr_text(&a->sa, where, sizeof(where));
    fd = socket(a->sa.ss_family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC,
                0);
    if (fd < 0)
        goto fail;
    if (setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one)) < 0 ||
        (a->sa.ss_family == AF_INET6 &&
         setsockopt(fd, IPPROTO_IPV6, IPV6_V6ONLY, &one, sizeof(one)) < 0) ||
        bind(fd, (struct sockaddr *)&a->sa, a->len) < 0 ||
        listen(fd, backlog) < 0 ||
        getsockname(fd, (struct sockaddr *)&a->sa, &len) < 0)
        goto fail;
    *fd_r = fd;
    return 0;
fail:
    e = errno;
    if (fd >= 0)
        close(fd);
    return xn_msg_set(msg, xn_from_errno(e) < 0 ? xn_from_errno(e) : XN_EFAIL,
                      "cannot listen for %s on %s: %s", what, where,
                      strerror(e));
}
