/*
 * main.c - xenithd: options, the table of services, signals and the event
 * loop.  daemon.c puts the daemon together.
 */
#include "daemon/conffile.h"
#include "daemon/daemon.h"
#include "daemon/service.h"
#include "log.h"

#include "balloon/balloon_service.h"
#include "migration/migration_service.h"
#include "schedtune/schedtune_service.h"

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

/* The services xenithd runs, in the order they open.  A new service is
 * one line here (docs/architecture.md, "Adding a service"). */
static const struct service *const services[] = {
    &balloon_service,
    &schedtune_service,
    &migration_service,
    NULL,
};

struct options {
    const char *uri;
    const char *scenario;
    const char *socket;
    const char *log;
    const char *state_dir;
    const char *metrics;            /* --metrics SPEC, NULL when off */
    const char *config;             /* --config FILE, NULL: the default */
    char **file_opts;               /* the file's NAME=VALUE..., owned */
    size_t n_file_opts;
    const char **svc_opts;          /* the file's then -o's, NULL-
                                     * terminated; owned (the strings are
                                     * file_opts' and argv's) */
    size_t n_svc_opts;
    char **shorthands;              /* --listen, --cert-dir as -o's; owned */
    size_t n_shorthands;
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
        "  --config FILE      the services' settings, SERVICE.NAME = VALUE "
        "a line\n"
        "                     (default %s, when it exists)\n"
        "  --listen [ADDR:]PORT  accept migrations from other hosts over "
        "TLS\n"
        "                     (-o migration.listen=...; off by default)\n"
        "  --cert-dir DIR     this host's key and certificates\n"
        "                     (-o migration.cert-dir=...)\n"
        "  -o, --option SERVICE.NAME=VALUE  a service's setting (below); "
        "wins\n"
        "                     over the file's\n"
        "  -v, --verbose      log debug lines too\n"
        "  -h, --help         this text\n", DEFAULT_SOCKET,
        DEFAULT_STATE_DIR, CONFFILE_DEFAULT);
    fprintf(f, "\nService settings (-o):\n");
    for (size_t i = 0; services[i]; i++)
        for (const struct service_option *so = services[i]->options;
             so && so->name; so++)
            fprintf(f, "  %-24s %s\n", so->name, so->help);
}

/* Keep `-o NAME=VALUE` for the services (checked when they open). */
static int add_svc_opt(struct options *o, const char *arg)
{
    const char **n = realloc(o->svc_opts,
                             (o->n_svc_opts + 2) * sizeof(*n));

    if (!n) {
        fprintf(stderr, "xenithd: out of memory\n");
        return -1;
    }
    o->svc_opts = n;
    n[o->n_svc_opts++] = arg;
    n[o->n_svc_opts] = NULL;
    return 0;
}

/* --listen and --cert-dir are short for -o migration.NAME=VALUE. */
static int add_shorthand(struct options *o, const char *name,
                         const char *value)
{
    char **n = realloc(o->shorthands, (o->n_shorthands + 1) * sizeof(*n));

    if (!n || asprintf(&n[o->n_shorthands], "%s=%s", name, value) < 0) {
        if (n)
            o->shorthands = n;
        fprintf(stderr, "xenithd: out of memory\n");
        return -1;
    }
    o->shorthands = n;
    return add_svc_opt(o, n[o->n_shorthands++]);
}

/* The configuration file's settings go before the command line's, so
 * that daemon_option (the last one given) takes -o's. */
static int read_config(struct options *o)
{
    const char **cmdline = o->svc_opts;
    size_t n_cmdline = o->n_svc_opts;
    struct xn_msg msg;

    if (conffile_read(o->config ? o->config : CONFFILE_DEFAULT,
                      o->config != NULL, &o->file_opts, &o->n_file_opts,
                      &msg) < 0) {
        fprintf(stderr, "xenithd: %s\n", msg.text);
        return -1;
    }
    o->svc_opts = NULL;
    o->n_svc_opts = 0;
    for (size_t i = 0; i < o->n_file_opts; i++)
        if (add_svc_opt(o, o->file_opts[i]) < 0)
            return -1;
    for (size_t i = 0; i < n_cmdline; i++)
        if (add_svc_opt(o, cmdline[i]) < 0)
            return -1;
    free(cmdline);
    return 0;
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
        {"option", required_argument, NULL, 'o'},
        {"config", required_argument, NULL, 'c'},
        {"listen", required_argument, NULL, 'L'},
        {"cert-dir", required_argument, NULL, 'C'},
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
    while ((c = getopt_long(argc, argv, ":vho:", longopts, NULL)) != -1) {
        switch (c) {
        case 'u': o->uri = optarg; break;
        case 'S':
            o->uri = "sim:///default";
            o->scenario = optarg;
            break;
        case 's': o->socket = optarg; break;
        case 'd': o->state_dir = optarg; break;
        case 'm': o->metrics = optarg; break;
        case 'c': o->config = optarg; break;
        case 'L':
            if (add_shorthand(o, "migration.listen", optarg) < 0)
                return -1;
            break;
        case 'C':
            if (add_shorthand(o, "migration.cert-dir", optarg) < 0)
                return -1;
            break;
        case 'o':
            if (add_svc_opt(o, optarg) < 0)
                return -1;
            break;
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
    return read_config(o);
}

static void on_signal(evutil_socket_t sig, short what, void *arg)
{
    struct event_base *base = arg;
    xn_log(XN_LOG_NOTICE, "signal %d: stopping", (int)sig);
    event_base_loopexit(base, NULL);
}

int main(int argc, char **argv)
{
    struct options o = {0};
    struct daemon_opts dopts = {0};
    struct event_base *base = NULL;
    struct event *sigint = NULL, *sigterm = NULL;
    struct daemon *d = NULL;
    struct xn_msg msg;
    char rundir[512];
    int rc;

    if (parse_options(argc, argv, &o) < 0) {
        rc = 2;
        goto out_opts;
    }
    if (strcmp(o.log, "syslog") == 0) {
        openlog("xenithd", LOG_PID, LOG_DAEMON);
        xn_log_set_sink(xn_log_sink_syslog, NULL,
                        o.verbose ? XN_LOG_DEBUG : XN_LOG_INFO);
    } else {
        xn_log_set_sink(xn_log_sink_stderr, NULL,
                        o.verbose ? XN_LOG_DEBUG : XN_LOG_INFO);
    }
    /* Writes fail with an error instead: a closed client, a file too big. */
    signal(SIGPIPE, SIG_IGN);
    signal(SIGXFSZ, SIG_IGN);

    snprintf(rundir, sizeof(rundir), "%s", o.socket);
    dopts.uri = o.uri;
    dopts.scenario = o.scenario;
    dopts.socket = o.socket;
    dopts.run_dir = dirname(rundir);
    dopts.state_dir = o.state_dir;
    dopts.metrics = o.metrics;
    dopts.services = services;
    dopts.options = o.svc_opts;

    rc = XN_ENOMEM;
    base = event_base_new();
    if (!base) {
        xn_log(XN_LOG_ERR, "out of memory");
        goto out;
    }
    rc = daemon_open(base, &dopts, &d, &msg);
    if (rc < 0) {
        xn_log(XN_LOG_ERR, "%s", msg.text);
        goto out;
    }
    sigint = evsignal_new(base, SIGINT, on_signal, base);
    sigterm = evsignal_new(base, SIGTERM, on_signal, base);
    evsignal_add(sigint, NULL);
    evsignal_add(sigterm, NULL);
    xn_log(XN_LOG_NOTICE, "xenithd ready: %s, socket %s", o.uri, o.socket);

    event_base_dispatch(base);
    rc = 0;
out:
    if (sigint)
        event_free(sigint);
    if (sigterm)
        event_free(sigterm);
    daemon_close(d);
    if (base)
        event_base_free(base);
out_opts:
    free(o.svc_opts);
    for (size_t i = 0; i < o.n_file_opts; i++)
        free(o.file_opts[i]);
    free(o.file_opts);
    for (size_t i = 0; i < o.n_shorthands; i++)
        free(o.shorthands[i]);
    free(o.shorthands);
    return rc == 2 ? 2 : rc < 0 ? 1 : 0;
}
