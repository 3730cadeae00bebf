/*
 * mig_peer.c - where a peer host is: the pool's table (migration.peers =
 * "NAME=ADDR[:PORT] ..."), a numeric address, or the resolver (libevent's
 * asynchronous DNS, which reads /etc/hosts and /etc/resolv.conf), so that
 * a name a client gives never blocks the loop.
 */
#include "migration/migration.h"
#include "utf8.h"

#include <arpa/inet.h>
#include <netdb.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <event2/dns.h>
#include <event2/util.h>

/* One "NAME=ADDR[:PORT]" of the table; true when it names host. */
static bool table_entry(const char *e, size_t len, const char *host,
                        char *addr, size_t alen, unsigned *port)
{
    const char *eq = memchr(e, '=', len);
    const char *v, *colon;
    size_t vlen;

    if (!eq || (size_t)(eq - e) != strlen(host) ||
        strncmp(e, host, (size_t)(eq - e)) != 0)
        return false;
    v = eq + 1;
    vlen = len - (size_t)(v - e);
    colon = memchr(v, ':', vlen);
    if (colon && !memchr(colon + 1, ':', vlen - (size_t)(colon - v) - 1)) {
        *port = (unsigned)strtoul(colon + 1, NULL, 10);
        vlen = (size_t)(colon - v);
    }
    snprintf(addr, alen, "%.*s", (int)vlen, v);
    return true;
}

int mig_peers_check(const char *table, struct xn_msg *msg)
{
    const char *p = table;

    while (*p) {
        size_t len = strcspn(p, " \t,");
        if (len) {
            char e[300], host[MIG_HOST_MAX], addr[64], q[80];
            unsigned port = MIG_DEFAULT_PORT;
            const char *eq = memchr(p, '=', len);
            struct in6_addr a6;

            snprintf(e, sizeof(e), "%.*s", (int)len, p);
            xn_quote(e, strlen(e), 60, q, sizeof(q));
            if (!eq || eq == p || len >= sizeof(e))
                return xn_msg_set(msg, XN_EINVAL, "migration.peers: \"%s\" "
                                  "is not NAME=ADDR[:PORT]", q);
            snprintf(host, sizeof(host), "%.*s", (int)(eq - p), p);
            table_entry(p, len, host, addr, sizeof(addr), &port);
            if (!mig_host_valid(host) ||
                (inet_pton(AF_INET, addr, &a6) != 1 &&
                 inet_pton(AF_INET6, addr, &a6) != 1) ||
                port == 0 || port > 65535)
                return xn_msg_set(msg, XN_EINVAL, "migration.peers: \"%s\" "
                                  "is not NAME=ADDR[:PORT] with a numeric "
                                  "ADDR", q);
        }
        p += len;
        p += strspn(p, " \t,");
    }
    return 0;
}

/* The table's or a numeric address: 1 found, 0 not (a name to resolve). */
static int lookup_now(struct migration *m, const char *host, unsigned *port,
                      char *addr, size_t len)
{
    const char *p = daemon_option(m->d, "migration.peers");
    struct in6_addr a6;

    while (p && *p) {
        size_t n = strcspn(p, " \t,");
        if (n && table_entry(p, n, host, addr, len, port))
            return 1;
        p += n;
        p += strspn(p, " \t,");
    }
    if (inet_pton(AF_INET, host, &a6) == 1 ||
        inet_pton(AF_INET6, host, &a6) == 1) {
        snprintf(addr, len, "%s", host);
        return 1;
    }
    return 0;
}

struct resolve {
    struct migration *m;
    char host[MIG_HOST_MAX];
    unsigned port;
    mig_resolved_fn *done;
    void *arg;
};

static void on_dns(int err, struct evutil_addrinfo *ai, void *arg)
{
    struct resolve *r = arg;
    char addr[64] = "";
    struct xn_msg msg;

    if (err == 0 && ai) {
        if (ai->ai_family == AF_INET)
            inet_ntop(AF_INET, &((struct sockaddr_in *)ai->ai_addr)->sin_addr,
                      addr, sizeof(addr));
        else if (ai->ai_family == AF_INET6)
            inet_ntop(AF_INET6,
                      &((struct sockaddr_in6 *)ai->ai_addr)->sin6_addr, addr,
                      sizeof(addr));
    }
    if (ai)
        evutil_freeaddrinfo(ai);
    if (err == EVUTIL_EAI_CANCEL) {
        free(r);
        return;
    }
    if (!addr[0]) {
        xn_msg_set(&msg, XN_ENOENT, "cannot find host \"%s\": %s", r->host,
                   err ? evutil_gai_strerror(err) : "no address");
        r->done(r->arg, XN_ENOENT, NULL, 0, &msg);
    } else {
        r->done(r->arg, 0, addr, r->port, NULL);
    }
    free(r);
}

int mig_peer_resolve(struct migration *m, const char *host, unsigned port,
                     mig_resolved_fn *done, void *arg, struct xn_msg *msg)
{
    struct evutil_addrinfo hints;
    struct resolve *r;
    char addr[64];

    if (lookup_now(m, host, &port, addr, sizeof(addr))) {
        done(arg, 0, addr, port, NULL);
        return 0;
    }
    if (!m->dns && !(m->dns = evdns_base_new(m->d->base,
                                             EVDNS_BASE_INITIALIZE_NAMESERVERS
                                             | EVDNS_BASE_DISABLE_WHEN_INACTIVE)))
        return xn_msg_set(msg, XN_EFAIL, "cannot find host \"%s\": the "
                          "resolver cannot start (no /etc/resolv.conf?); "
                          "name it in migration.peers", host);
    if (!(r = calloc(1, sizeof(*r))))
        return xn_msg_set(msg, XN_ENOMEM, "out of memory");
    r->m = m;
    snprintf(r->host, sizeof(r->host), "%s", host);
    r->port = port;
    r->done = done;
    r->arg = arg;
    memset(&hints, 0, sizeof(hints));
    hints.ai_family = AF_UNSPEC;
    hints.ai_socktype = SOCK_STREAM;
    evdns_getaddrinfo(m->dns, host, NULL, &hints, on_dns, r);
    return 0;
}
