/*
 * xsd-serve.c - serve an in-process xenstore (toolstack/sim/xsd) on a socket
 * until SIGTERM or SIGINT, for tests/xsd/debian-tools.sh.
 *
 *   xsd-serve [-d] [-v MAX_VALUE] SOCKET
 *
 * -d lays out dom0 and a domain 1 "guest1" as libxl would.  Prints "ready"
 * on stdout once clients may connect.  XENITH_DEBUG=1 sends the store's log
 * lines to stderr.
 */
#include <event2/event.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

#include "log.h"
#include "sim/xsd/xsd.h"

static void on_signal(evutil_socket_t sig, short what, void *base)
{
    event_base_loopexit(base, NULL);
}

static int lay_out(struct xsd *x)
{
    const struct xsd_domain_info d = {
        .domid = 1, .name = "guest1", .type = "pv",
        .uuid = "00000000-0000-4000-8000-000000000001",
        .max_memkb = 524288, .target_memkb = 524288, .max_vcpus = 2,
        .online_vcpus = 2, .store_port = 1, .store_mfn = 1234,
    };
    int rc = xsd_layout_dom0(x);

    return rc < 0 ? rc : xsd_layout_domain(x, &d);
}

int main(int argc, char **argv)
{
    struct event_base *base;
    struct event *term, *intr;
    struct xsd_limits lim;
    struct xsd *x;
    struct xn_msg msg;
    int opt, domain = 0;

    xsd_limits_default(&lim);
    while ((opt = getopt(argc, argv, "dv:")) != -1) {
        if (opt == 'd')
            domain = 1;
        else if (opt == 'v')
            lim.max_value = (unsigned)atoi(optarg);
        else
            return 2;
    }
    if (optind != argc - 1) {
        fprintf(stderr, "usage: xsd-serve [-d] [-v MAX_VALUE] SOCKET\n");
        return 2;
    }
    signal(SIGPIPE, SIG_IGN);
    if (getenv("XENITH_DEBUG"))
        xn_log_set_sink(xn_log_sink_stderr, NULL, XN_LOG_DEBUG);
    base = event_base_new();
    if (!base || xsd_new(base, argv[optind], &lim, &x, &msg) < 0) {
        fprintf(stderr, "xsd-serve: %s\n", base ? msg.text : "no loop");
        return 1;
    }
    if (domain && lay_out(x) < 0) {
        fprintf(stderr, "xsd-serve: cannot lay out the domains\n");
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
