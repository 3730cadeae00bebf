/*
 * xsd-serve.c - serve an in-process xenstore (toolstack/xsd) on a socket
 * until SIGTERM or SIGINT, for tests/xsd/debian-tools.sh.
 *
 *   xsd-serve SOCKET [MAX_VALUE]
 *
 * Prints "ready" on stdout once clients may connect.  XENITH_DEBUG=1 sends
 * the store's log lines to stderr.
 */
#include <event2/event.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>

#include "log.h"
#include "xsd/xsd.h"

static void on_signal(evutil_socket_t sig, short what, void *base)
{
    event_base_loopexit(base, NULL);
}

int main(int argc, char **argv)
{
    struct event_base *base;
    struct event *term, *intr;
    struct xsd_limits lim;
    struct xsd *x;
    struct xn_msg msg;

    if (argc < 2 || argc > 3) {
        fprintf(stderr, "usage: xsd-serve SOCKET [MAX_VALUE]\n");
        return 2;
    }
    signal(SIGPIPE, SIG_IGN);
    if (getenv("XENITH_DEBUG"))
        xn_log_set_sink(xn_log_sink_stderr, NULL, XN_LOG_DEBUG);
    xsd_limits_default(&lim);
    if (argc == 3)
        lim.max_value = (unsigned)atoi(argv[2]);
    base = event_base_new();
    if (!base || xsd_new(base, argv[1], &lim, &x, &msg) < 0) {
        fprintf(stderr, "xsd-serve: %s\n", base ? msg.text : "no loop");
        return 1;
    }
    term = evsignal_new(base, SIGTERM, on_signal, base);
    intr = evsignal_new(base, SIGINT, on_signal, base);
    event_add(term, NULL);
    event_add(intr, NULL);
    printf("ready\n");
    fflush(stdout);
    event_base_dispatch(base);
    event_free(term);
    event_free(intr);
    xsd_free(x);
    event_base_free(base);
    return 0;
}
