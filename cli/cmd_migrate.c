/*
 * cmd_migrate.c - live migration from the command line:
 *   xenith migrate DOMAIN HOST[:PORT] [--compress[=LEVEL]]
 *                  [--bandwidth RATE] [--paused] [--json]
 *   xenith migrations [--json] [--recover ID --resume|--destroy]
 *   xenith host-evacuate --to HOST[,HOST...] [--parallel N] [--json]
 *
 * migrate follows the daemon's "migration" events for the domain while
 * the request runs: a progress bar on a terminal, a line a second
 * otherwise, the events themselves with --json.
 */
#include "cli.h"
#include "proto.h"

#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define MIB (1024.0 * 1024.0)

struct migrate_opts {
    int compress;                   /* -1: not asked */
    int64_t bandwidth_kb;
    bool paused, json;
};

static int migrate_opt(int c, const char *arg, void *p)
{
    struct migrate_opts *o = p;
    int64_t v;

    switch (c) {
    case 'z':
        if (!arg) {
            o->compress = 3;
            return 0;
        }
        if ((v = cli_parse_int("migrate", "--compress", arg, 1, 19)) < 0)
            return 2;
        o->compress = (int)v;
        return 0;
    case 'b':
        if ((v = cli_parse_size_kb("migrate", "--bandwidth", arg)) < 0)
            return 2;
        if (v == 0)
            return cli_usage_error("migrate", "--bandwidth must be above 0");
        o->bandwidth_kb = v;
        return 0;
    case 'p': o->paused = true; return 0;
    case 'j': o->json = true; return 0;
    }
    return 2;
}

/* HOST, HOST:PORT or [ADDR6]:PORT into host and *port. */
static int split_host(const char *arg, char *host, size_t len,
                      int64_t *port)
{
    const char *colon = strrchr(arg, ':');

    *port = -1;
    if (arg[0] == '[') {
        const char *end = strchr(arg, ']');
        if (!end || (end[1] && end[1] != ':'))
            return cli_usage_error("migrate", "\"%s\" is not [ADDRESS]:PORT",
                                   arg);
        snprintf(host, len, "%.*s", (int)(end - arg - 1), arg + 1);
        colon = end[1] ? end + 1 : NULL;
    } else if (colon && strchr(arg, ':') != colon) {
        snprintf(host, len, "%s", arg);     /* a bare IPv6 address */
        colon = NULL;
    } else {
        snprintf(host, len, "%.*s", colon ? (int)(colon - arg)
                                          : (int)strlen(arg), arg);
    }
    if (colon && (*port = cli_parse_int("migrate", "port", colon + 1, 1,
                                        65535)) < 0)
        return 2;
    if (!host[0])
        return cli_usage_error("migrate", "\"%s\" names no host", arg);
    return 0;
}

/* A connection subscribed to the daemon's events, then request `op`
 * (id 2; take_args consumed) sent on it: the events that follow it come
 * before its reply.  The fd, or -1 with the error printed. */
static int request_followed(const char *op, struct json_object *take_args)
{
    struct json_object *req;
    int fd = cli_connect(), rc;

    if (fd < 0) {
        json_object_put(take_args);
        return -1;
    }
    req = proto_request(1, "events.subscribe", NULL);
    rc = cli_send(fd, req);
    json_object_put(req);
    req = proto_request(2, op, take_args);
    if (rc == 0)
        rc = cli_send(fd, req);
    json_object_put(req);
    if (rc < 0) {
        close(fd);
        return -1;
    }
    return fd;
}

/* --- progress --- */

static void show_progress(struct json_object *d, bool tty)
{
    double bytes = (double)jint(d, "bytes"), rate = (double)jint(d, "rate");
    double rem = (double)jint(d, "remaining");
    const char *phase = jstr(d, "phase");

    if (tty) {
        char bar[21];
        double total = bytes + rem;
        int fill = total > 0 ? (int)(20 * bytes / total) : 0;

        for (int i = 0; i < 20; i++)
            bar[i] = i < fill ? '#' : '.';
        bar[20] = '\0';
        fprintf(stderr, "\r%-10s [%s] %8.1f MiB %7.1f MiB/s round %lld",
                phase, bar, bytes / MIB, rate / MIB,
                (long long)jint(d, "round"));
        if (rate > 0 && rem > 0)
            fprintf(stderr, " ~%.0fs left ", rem / rate);
        else
            fprintf(stderr, "           ");
        fflush(stderr);
    } else {
        printf("%s: %s, %.1f MiB sent, %.1f MiB/s, round %lld\n",
               jstr(d, "domain"), phase, bytes / MIB, rate / MIB,
               (long long)jint(d, "round"));
        fflush(stdout);
    }
}

/* An event of ours? */
static struct json_object *our_event(struct json_object *m, const char *dom)
{
    struct json_object *ev, *detail;

    if (!json_object_object_get_ex(m, "event", &ev) ||
        strcmp(jstr(ev, "type"), "service") != 0 ||
        strcmp(jstr(ev, "service"), "migration") != 0 ||
        !json_object_object_get_ex(ev, "detail", &detail) ||
        strcmp(jstr(detail, "direction"), "out") != 0)
        return NULL;
    if (strcmp(jstr(detail, "domain"), dom) != 0 &&
        strcmp(jstr(ev, "name"), dom) != 0)
        return NULL;
    return detail;
}

static void summary(struct json_object *res)
{
    double secs = 0, bytes = (double)jint(res, "bytes");
    double wire = (double)jint(res, "wire_bytes");

    jnum(res, "seconds", &secs);
    printf("%s migrated to %s in %.1f s: %.1f MiB", jstr(res, "domain"),
           jstr(res, "peer"), secs, bytes / MIB);
    if (wire > 0)
        printf(" (%.1f MiB on the wire)", wire / MIB);
    if (!json_object_is_type(json_object_object_get(res, "downtime_ms"),
                             json_type_null))
        printf(", downtime %lld ms", (long long)jint(res, "downtime_ms"));
    printf("\n");
}

/* Follow the migration until its reply. */
static int follow(int fd, const char *dom, bool json)
{
    bool tty = !json && isatty(2);
    struct json_object *m, *v;
    int status = 1;

    while ((m = cli_read_message(fd))) {
        struct json_object *d = our_event(m, dom);

        if (d && json) {
            puts(json_object_to_json_string_ext(
                json_object_object_get(m, "event"), JSON_C_TO_STRING_PLAIN));
            fflush(stdout);
        } else if (d && !strcmp(jstr(json_object_object_get(m, "event"),
                                     "what"), "progress")) {
            show_progress(d, tty);
        }
        if (!json_object_object_get_ex(m, "id", &v) ||
            json_object_get_int64(v) != 2) {
            json_object_put(m);
            continue;
        }
        if (tty)
            fputc('\n', stderr);
        if (!jbool(m, "ok")) {
            cli_error("%s", jstr(json_object_object_get(m, "error"),
                                 "message"));
        } else {
            struct json_object *res = json_object_object_get(m, "result");
            if (json)
                cli_print_json(res);
            else if (!strcmp(jstr(res, "phase"), "unconfirmed"))
                printf("%s: %s\n%s\n", jstr(res, "domain"),
                       jstr(res, "error"), jstr(res, "recovery"));
            else
                summary(res);
            status = strcmp(jstr(res, "phase"), "done") ? 1 : 0;
        }
        json_object_put(m);
        return status;
    }
    cli_error("xenithd closed the connection during the migration");
    return 1;
}

int cmd_migrate(int argc, char **argv)
{
    static const struct option longopts[] = {
        {"compress", optional_argument, NULL, 'z'},
        {"bandwidth", required_argument, NULL, 'b'},
        {"paused", no_argument, NULL, 'p'},
        {"json", no_argument, NULL, 'j'},
        {NULL, 0, NULL, 0},
    };
    struct migrate_opts o = {.compress = -1};
    struct json_object *args;
    char host[256];
    int64_t port;
    int status, fd;

    if (cli_getopt(argc, argv, "migrate", "", longopts, migrate_opt, &o,
                   &status))
        return status;
    if ((status = cli_nargs(argc, argv, "migrate", 2, 2)))
        return status;
    if ((status = split_host(argv[optind + 1], host, sizeof(host), &port)))
        return status;
    args = cli_dom_args(argv[optind]);
    json_object_object_add(args, "host", json_object_new_string(host));
    if (port > 0)
        json_object_object_add(args, "port", json_object_new_int64(port));
    if (o.compress > 0)
        json_object_object_add(args, "compress",
                               json_object_new_int(o.compress));
    if (o.bandwidth_kb > 0)
        json_object_object_add(args, "bandwidth",
                               json_object_new_int64(o.bandwidth_kb * 1024));
    if (o.paused)
        json_object_object_add(args, "paused", json_object_new_boolean(1));
    if ((fd = request_followed("migration.start", args)) < 0)
        return 1;
    status = follow(fd, argv[optind], o.json);
    close(fd);
    return status;
}

/* --- xenith migrations --- */

struct migrations_opts {
    int64_t recover;
    const char *action;
    bool json;
};

static int migrations_opt(int c, const char *arg, void *p)
{
    struct migrations_opts *o = p;

    switch (c) {
    case 'r':
        o->recover = cli_parse_int("migrations", "--recover", arg, 1,
                                   INT64_MAX);
        return o->recover < 0 ? 2 : 0;
    case 'R': o->action = "resume"; return 0;
    case 'D': o->action = "destroy"; return 0;
    case 'j': o->json = true; return 0;
    }
    return 2;
}

static void print_table(struct json_object *a)
{
    size_t n = json_object_array_length(a);
    int w = jwidth(a, n, "domain", 6);

    printf("%-4s %-3s %-*s %-16s %-11s %9s %8s %9s  %s\n", "ID", "DIR", w,
           "DOMAIN", "PEER", "PHASE", "MIB", "SECS", "DOWNTIME", "NOTE");
    for (size_t i = 0; i < n; i++) {
        struct json_object *g = json_object_array_get_idx(a, i);
        double secs = 0;
        char down[CLI_CELL];

        jnum(g, "seconds", &secs);
        printf("%-4lld %-3s %-*s %-16s %-11s %9.1f %8.1f %9s  %s\n",
               (long long)jint(g, "id"), jstr(g, "direction"), w,
               jstr(g, "domain"), jstr(g, "peer"), jstr(g, "phase"),
               (double)jint(g, "bytes") / MIB, secs,
               cell_int(down, g, "downtime_ms", "ms", true),
               *jstr(g, "recovery") ? jstr(g, "recovery")
               : *jstr(g, "error") ? jstr(g, "error") : jstr(g, "note"));
    }
}

int cmd_migrations(int argc, char **argv)
{
    static const struct option longopts[] = {
        {"recover", required_argument, NULL, 'r'},
        {"resume", no_argument, NULL, 'R'},
        {"destroy", no_argument, NULL, 'D'},
        {"json", no_argument, NULL, 'j'},
        {NULL, 0, NULL, 0},
    };
    struct migrations_opts o = {0};
    struct json_object *res = NULL, *args;
    int status;

    if (cli_getopt(argc, argv, "migrations", "", longopts, migrations_opt,
                   &o, &status))
        return status;
    if ((status = cli_nargs(argc, argv, "migrations", 0, 0)))
        return status;
    if (o.action && !o.recover)
        return cli_usage_error("migrations", "--%s goes with --recover ID",
                               o.action);
    if (o.recover && !o.action)
        return cli_usage_error("migrations", "--recover ID needs --resume "
                               "or --destroy");
    if (o.recover) {
        args = json_object_new_object();
        json_object_object_add(args, "id", json_object_new_int64(o.recover));
        json_object_object_add(args, "action",
                               json_object_new_string(o.action));
        if ((status = cli_call("migration.recover", args, &res)))
            return status;
        if (o.json)
            cli_print_json(res);
        else
            printf("migration %lld: %s\n", (long long)o.recover,
                   !strcmp(o.action, "resume") ? "the source copy runs here "
                   "again" : "the source copy is destroyed");
        json_object_put(res);
        return 0;
    }
    if ((status = cli_call("migration.list", NULL, &res)))
        return status;
    if (o.json)
        cli_print_json(res);
    else
        print_table(res);
    json_object_put(res);
    return 0;
}

/* --- xenith host-evacuate --- */

struct evacuate_opts {
    const char *to;
    int64_t parallel;
    bool json;
};

static int evacuate_opt(int c, const char *arg, void *p)
{
    struct evacuate_opts *o = p;

    switch (c) {
    case 't': o->to = arg; return 0;
    case 'n':
        o->parallel = cli_parse_int("host-evacuate", "--parallel", arg, 1,
                                    16);
        return o->parallel < 0 ? 2 : 0;
    case 'j': o->json = true; return 0;
    }
    return 2;
}

/* One line as each migration starts (the outcomes come with the reply:
 * the daemon's events may trail it). */
static void evacuate_event(struct json_object *m)
{
    struct json_object *ev, *d;

    if (!json_object_object_get_ex(m, "event", &ev) ||
        strcmp(jstr(ev, "service"), "migration") != 0 ||
        strcmp(jstr(ev, "what"), "phase") != 0 ||
        !json_object_object_get_ex(ev, "detail", &d) ||
        strcmp(jstr(d, "direction"), "out") != 0 ||
        strcmp(jstr(d, "phase"), "preparing") != 0)
        return;
    printf("%s: moving to %s\n", jstr(d, "domain"), jstr(d, "peer"));
    fflush(stdout);
}

static int evacuate_report(struct json_object *res)
{
    struct json_object *a;
    size_t n;

    n = jarray(res, "moved", &a);
    for (size_t i = 0; i < n; i++) {
        struct json_object *f = json_object_array_get_idx(a, i);
        printf("%s: moved to %s\n", jstr(f, "domain"), jstr(f, "host"));
    }
    n = jarray(res, "failed", &a);
    for (size_t i = 0; i < n; i++) {
        struct json_object *f = json_object_array_get_idx(a, i);
        printf("could not move %s: %s\n", jstr(f, "domain"),
               jstr(f, "error"));
    }
    n = jarray(res, "skipped", &a);
    for (size_t i = 0; i < n; i++) {
        struct json_object *f = json_object_array_get_idx(a, i);
        printf("left %s: %s\n", jstr(f, "domain"), jstr(f, "reason"));
    }
    printf("%zu moved, %zu not moved, %zu left alone\n",
           jarray(res, "moved", &a), jarray(res, "failed", &a),
           jarray(res, "skipped", &a));
    return jarray(res, "failed", &a) ? 1 : 0;
}

int cmd_host_evacuate(int argc, char **argv)
{
    static const struct option longopts[] = {
        {"to", required_argument, NULL, 't'},
        {"parallel", required_argument, NULL, 'n'},
        {"json", no_argument, NULL, 'j'},
        {NULL, 0, NULL, 0},
    };
    struct evacuate_opts o = {.parallel = 1};
    struct json_object *args, *to, *m, *v;
    char *list, *save = NULL;
    int status, fd;

    if (cli_getopt(argc, argv, "host-evacuate", "", longopts, evacuate_opt,
                   &o, &status))
        return status;
    if ((status = cli_nargs(argc, argv, "host-evacuate", 0, 0)))
        return status;
    if (!o.to)
        return cli_usage_error("host-evacuate", "--to HOST[,HOST...] is "
                               "needed");
    to = json_object_new_array();
    list = strdup(o.to);
    for (char *h = strtok_r(list, ",", &save); h;
         h = strtok_r(NULL, ",", &save))
        json_object_array_add(to, json_object_new_string(h));
    free(list);
    args = json_object_new_object();
    json_object_object_add(args, "to", to);
    json_object_object_add(args, "parallel",
                           json_object_new_int64(o.parallel));
    if ((fd = request_followed("migration.evacuate", args)) < 0)
        return 1;
    status = 1;
    while ((m = cli_read_message(fd))) {
        if (!json_object_object_get_ex(m, "id", &v) ||
            json_object_get_int64(v) != 2) {
            if (!o.json)
                evacuate_event(m);
            json_object_put(m);
            continue;
        }
        if (!jbool(m, "ok"))
            cli_error("%s", jstr(json_object_object_get(m, "error"),
                                 "message"));
        else if (o.json && (status = 0) == 0)
            cli_print_json(json_object_object_get(m, "result"));
        else
            status = evacuate_report(json_object_object_get(m, "result"));
        json_object_put(m);
        close(fd);
        return status;
    }
    close(fd);
    cli_error("xenithd closed the connection during the evacuation");
    return 1;
}
