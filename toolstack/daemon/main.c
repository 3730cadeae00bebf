/* main.c - xenithd: options, start-up, signals and the event loop. */
#include "daemon.h"
#include "log.h"
#include "metrics.h"
#include "xsc.h"

#include <getopt.h>
#include <libgen.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <syslog.h>

#include <event2/event.h>

#define DEFAULT_SOCKET XENITH_RUNDIR "/xenithd.sock"
#define DEFAULT_STATE_DIR XENITH_STATEDIR

struct options {
    const char *uri;
    const char *scenario;
    const char *socket;
    const char *log;
    const char *state_dir;
    const char *metrics;            /* --metrics SPEC, NULL when off */
    bool verbose;
};

static void usage(FILE *f)
{
    fprintf(f,
        "Usage: xenithd [OPTION]...\n"
        "The xenith daemon: manages the Xen domains of this host.\n\n"
        "  --uri URI          hypervisor: xen:/// (default) or sim:///NAME\n"
        "  --sim[=SCENARIO]   run on a simulated host (sim:///default), "
        "seeded\n"
        "                     from the SCENARIO file when given\n"
        "  --socket PATH      control socket (default %s,\n"
        "                     or $XENITH_SOCKET)\n"
        "  --state-dir DIR    where per-domain policy is kept (default %s)\n"
        "  --log stderr|syslog  where log lines go (default stderr)\n"
        "  --metrics [ADDR:]PORT  serve Prometheus metrics over HTTP at\n"
        "                     /metrics (ADDR 127.0.0.1 when not given;\n"
        "                     [ADDR]:PORT for IPv6); off by default\n"
        "  -v, --verbose      log debug lines too\n"
        "  -h, --help         this text\n", DEFAULT_SOCKET,
        DEFAULT_STATE_DIR);
}

static int parse_options(int argc, char **argv, struct options *o)
{
    static const struct option longopts[] = {
        {"uri", required_argument, NULL, 'u'},
        {"sim", optional_argument, NULL, 'S'},
        {"socket", required_argument, NULL, 's'},
        {"log", required_argument, NULL, 'l'},
        {"state-dir", required_argument, NULL, 'd'},
        {"metrics", required_argument, NULL, 'm'},
        {"verbose", no_argument, NULL, 'v'},
        {"help", no_argument, NULL, 'h'},
        {NULL, 0, NULL, 0},
    };
    int c;

    o->uri = "xen:///";
    o->socket = getenv("XENITH_SOCKET");
    if (!o->socket || !*o->socket)
        o->socket = DEFAULT_SOCKET;
    o->log = "stderr";
    o->state_dir = DEFAULT_STATE_DIR;
    opterr = 0;
    while ((c = getopt_long(argc, argv, ":vh", longopts, NULL)) != -1) {
        switch (c) {
        case 'u': o->uri = optarg; break;
        case 'S':
            o->uri = "sim:///default";
            o->scenario = optarg;
            break;
        case 's': o->socket = optarg; break;
        case 'd': o->state_dir = optarg; break;
        case 'm': o->metrics = optarg; break;
        case 'l':
            if (strcmp(optarg, "stderr") && strcmp(optarg, "syslog")) {
                fprintf(stderr, "xenithd: --log \"%s\" is not stderr or "
                        "syslog\n", optarg);
                return -1;
            }
            o->log = optarg;
            break;
        case 'v': o->verbose = true; break;
        case 'h': usage(stdout); exit(0);
        case ':':
            fprintf(stderr, "xenithd: option \"%s\" needs a value\n",
                    argv[optind - 1]);
            return -1;
        default:
            fprintf(stderr, "xenithd: unknown option \"%s\" (see xenithd "
                    "--help)\n", argv[optind - 1]);
            return -1;
        }
    }
    if (optind < argc) {
        fprintf(stderr, "xenithd: unexpected argument \"%s\" (see xenithd "
                "--help)\n", argv[optind]);
        return -1;
    }
    return 0;
}

static void on_signal(evutil_socket_t sig, short what, void *arg)
{
    struct daemon *d = arg;
    xn_log(XN_LOG_NOTICE, "signal %d: stopping", (int)sig);
    event_base_loopexit(d->base, NULL);
}

/* The core's figures, and the HTTP endpoint when --metrics asks for it;
 * *h_r is the caller's to close. */
static int start_metrics(struct daemon *d, const char *spec,
                         struct metrics_http **h_r)
{
    struct xn_msg msg;
    int rc = metrics_core_start(d, &msg);

    if (rc == 0 && spec &&
        (rc = metrics_http_open(d->base, d->metrics, spec, h_r, &msg)) == 0)
        xn_log(XN_LOG_NOTICE, "metrics at http://%s/metrics",
               metrics_http_address(*h_r));
    if (rc < 0)
        xn_log(XN_LOG_ERR, "%s", msg.text);
    return rc;
}

static void daemon_teardown(struct daemon *d)
{
    control_close(d->control);
    xsc_close(d->store);
    monitor_free(d->monitor);
    jobs_free(d->jobs);
    hv_close(d->hv);
    metrics_free(d->metrics);
    for (size_t i = 0; i < d->n_creating; i++)
        free(d->creating[i]);
    free(d->creating);
    if (d->base)
        event_base_free(d->base);
}

int main(int argc, char **argv)
{
    struct daemon d = {0};
    struct options o = {0};
    struct hv_open_opts hv_opts = {0};
    struct event *sigint = NULL, *sigterm = NULL;
    struct metrics_http *metrics_http = NULL;
    struct xn_msg msg;
    char rundir[512];
    int rc;

    if (parse_options(argc, argv, &o) < 0)
        return 2;
    if (strcmp(o.log, "syslog") == 0) {
        openlog("xenithd", LOG_PID, LOG_DAEMON);
        xn_log_set_sink(xn_log_sink_syslog, NULL,
                        o.verbose ? XN_LOG_DEBUG : XN_LOG_INFO);
    } else {
        xn_log_set_sink(xn_log_sink_stderr, NULL,
                        o.verbose ? XN_LOG_DEBUG : XN_LOG_INFO);
    }
    signal(SIGPIPE, SIG_IGN);

    snprintf(rundir, sizeof(rundir), "%s", o.socket);
    hv_opts.scenario = o.scenario;
    hv_opts.run_dir = dirname(rundir);

    rc = XN_ENOMEM;
    d.base = event_base_new();
    d.jobs = jobs_new();
    d.monitor = monitor_new(&d);
    d.metrics = metrics_new();
    if (!d.base || !d.jobs || !d.monitor || !d.metrics) {
        xn_log(XN_LOG_ERR, "out of memory");
        goto out;
    }
    rc = hv_open(o.uri, d.base, &hv_opts, monitor_hv_event, &d, &d.hv,
                 &msg);
    if (rc < 0) {
        xn_log(XN_LOG_ERR, "cannot open %s: %s", o.uri, msg.text);
        goto out;
    }
    rc = control_open(&d, o.socket, &d.control, &msg);
    if (rc < 0) {
        xn_log(XN_LOG_ERR, "%s", msg.text);
        goto out;
    }
    if ((rc = start_metrics(&d, o.metrics, &metrics_http)) < 0)
        goto out;
    d.state_dir = o.state_dir;
    if (hv_store_open(d.hv, &d.store, &msg) < 0)
        xn_log(XN_LOG_WARNING, "no xenstore: %s; policies are kept in %s "
               "only", msg.text, d.state_dir);
    policy_sync_all(&d);
    monitor_catch_up(&d);
    sigint = evsignal_new(d.base, SIGINT, on_signal, &d);
    sigterm = evsignal_new(d.base, SIGTERM, on_signal, &d);
    evsignal_add(sigint, NULL);
    evsignal_add(sigterm, NULL);
    xn_log(XN_LOG_NOTICE, "xenithd ready: %s, socket %s", o.uri, o.socket);

    event_base_dispatch(d.base);
    rc = 0;
out:
    if (sigint)
        event_free(sigint);
    if (sigterm)
        event_free(sigterm);
    metrics_http_close(metrics_http);
    daemon_teardown(&d);
    return rc < 0 ? 1 : 0;
}
