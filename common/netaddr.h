/*
 * netaddr.h - a TCP address to listen on, as an admin writes it, and the
 * listening socket: for the metrics endpoint and the migration listener.
 */
#ifndef XENITH_NETADDR_H
#define XENITH_NETADDR_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/socket.h>

#include "err.h"

/* Where to listen.  Plain value. */
struct net_addr {
    struct sockaddr_storage sa;
    socklen_t len;
};

/* "PORT", "ADDR:PORT" or "[ADDR6]:PORT" (numeric addresses only) into *a.
 * A bare PORT means the loopback address, or every address when `any`.
 * `what` names the address in errors: "metrics" gives
 * `metrics address "x": ...`. */
int net_addr_parse(const char *what, const char *spec, bool any,
                   struct net_addr *a, struct xn_msg *msg);

/* "127.0.0.1:9101" or "[::1]:9101" into buf. */
void net_addr_text(const struct sockaddr_storage *sa, char *buf, size_t len);

/* A listening socket on a, non-blocking and close-on-exec, into *fd_r;
 * the port it got (for port 0) is written back into a.  Errors say
 * "cannot listen for WHAT on ADDR: REASON". */
int net_listen(const char *what, struct net_addr *a, int backlog, int *fd_r,
               struct xn_msg *msg);

#endif
