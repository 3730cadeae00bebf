/*
 * cmd_store.c - xenith store ls|read|write|rm|watch|chmod: xenstore from
 * the command line, through the project's xenstore client.
 *
 * Which store: $XENSTORED_PATH when set (libxenstore reads it); otherwise
 * the store xenithd names (the simulated host serves its own); otherwise
 * the local xenstored.  So it works on any host, with or without xenithd.
 */
#include "cli.h"
#include "xsc.h"

#include <getopt.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <event2/event.h>

/* The store xenithd's host uses, if a daemon answers and names one. */
static char *daemon_store(void)
{
    struct json_object *res;
    struct xn_msg msg;
    char *path = NULL;

    if (getenv("XENSTORED_PATH"))
        return NULL;            /* the admin chose; libxenstore reads it */
    if (cli_request("host.info", NULL, &res, &msg) == 0) {
        const char *s = jstr(res, "store");
        if (*s)
            path = strdup(s);
        json_object_put(res);
    }
    return path;
}

static int store_open(struct event_base *base, struct xsc **x_r)
{
    struct xn_msg msg;
    char *path = daemon_store();
    int rc = xsc_open(base, path, x_r, &msg);

    free(path);
    if (rc < 0) {
        cli_error("%s", msg.text);
        return 1;
    }
    return 0;
}

/* --- ls --- */

struct ls {
    struct xsc *x;
    struct json_object *json;   /* flat list when --json */
    int status;
};

static void ls_node(struct ls *l, const char *path, const char *name,
                    int depth)
{
    char **kids = NULL, *val = NULL;
    unsigned n = 0;
    struct xn_msg msg;

    if (xsc_read(l->x, path, &val, NULL, &msg) < 0) {
        cli_error("%s", msg.text);
        l->status = 1;
        return;
    }
    if (l->json) {
        struct json_object *o = json_object_new_object();
        json_object_object_add(o, "path", json_object_new_string(path));
        json_object_object_add(o, "value", json_object_new_string(val));
        json_object_array_add(l->json, o);
    } else if (depth >= 0) {
        printf("%*s%s = \"%s\"\n", depth, "", name, val);
    }
    free(val);
    if (xsc_directory(l->x, path, &kids, &n, &msg) < 0)
        return;                 /* removed meanwhile: nothing below */
    for (unsigned i = 0; i < n; i++) {
        char child[XSC_PATH_MAX];
        snprintf(child, sizeof(child), "%s/%s", strcmp(path, "/") ? path : "",
                 kids[i]);
        ls_node(l, child, kids[i], depth + 1);
    }
    free(kids);
}

static int store_ls(int argc, char **argv, bool json)
{
    struct ls l = {.json = json ? json_object_new_array() : NULL};
    const char *path = optind + 1 < argc ? argv[optind + 1] : "/";
    int status;

    if ((status = cli_nargs(argc, argv, "store", 1, 2)))
        return status;
    if (store_open(NULL, &l.x)) {
        json_object_put(l.json);
        return 1;
    }
    ls_node(&l, path, path, -1);
    if (l.json && !l.status)
        cli_print_json(l.json);
    json_object_put(l.json);
    xsc_close(l.x);
    return l.status;
}

/* --- read, write, rm --- */

static int store_read(int argc, char **argv, bool json)
{
    struct json_object *out = json ? json_object_new_object() : NULL;
    struct xsc *x;
    struct xn_msg msg;
    int status;

    if ((status = cli_nargs(argc, argv, "store", 2, -1)))
        return status;
    if (store_open(NULL, &x))
        return 1;
    for (int i = optind + 1; i < argc && !status; i++) {
        char *v;
        if (xsc_read(x, argv[i], &v, NULL, &msg) < 0) {
            cli_error("%s", msg.text);
            status = 1;
        } else if (out) {
            json_object_object_add(out, argv[i], json_object_new_string(v));
            free(v);
        } else {
            puts(v);
            free(v);
        }
    }
    if (out && !status)
        cli_print_json(out);
    json_object_put(out);
    xsc_close(x);
    return status;
}

struct pairs {
    int argc;
    char **argv;
};

/* All writes of one command go in one transaction: all or none. */
static int write_body(struct xsc *x, void *arg, struct xn_msg *msg)
{
    struct pairs *p = arg;
    for (int i = 0; i + 1 < p->argc; i += 2) {
        int rc = xsc_write_str(x, p->argv[i], p->argv[i + 1], msg);
        if (rc < 0)
            return rc;
    }
    return 0;
}

static int rm_body(struct xsc *x, void *arg, struct xn_msg *msg)
{
    struct pairs *p = arg;
    for (int i = 0; i < p->argc; i++) {
        int rc = xsc_rm(x, p->argv[i], msg);
        if (rc < 0)
            return rc;
    }
    return 0;
}

static int store_change(int argc, char **argv, bool write)
{
    struct pairs p = {argc - optind - 1, argv + optind + 1};
    struct xsc *x;
    struct xn_msg msg;
    int status, rc;

    if ((status = cli_nargs(argc, argv, "store", write ? 3 : 2, -1)))
        return status;
    if (write && p.argc % 2)
        return cli_usage_error("store", "write takes PATH VALUE pairs; "
                               "\"%s\" has no value", argv[argc - 1]);
    if (store_open(NULL, &x))
        return 1;
    rc = xsc_transaction(x, write ? write_body : rm_body, &p, 10, &msg);
    if (rc < 0)
        cli_error("%s", msg.text);
    xsc_close(x);
    return rc < 0 ? 1 : 0;
}

/* --- chmod --- */

static int store_chmod(int argc, char **argv)
{
    struct xsc_perm perms[64];
    unsigned n = 0;
    struct xsc *x;
    struct xn_msg msg;
    int status, rc;

    if ((status = cli_nargs(argc, argv, "store", 3, 66)))
        return status;
    for (int i = optind + 2; i < argc; i++)
        if (xsc_perm_parse(argv[i], &perms[n++], &msg) < 0)
            return cli_usage_error("store", "%s", msg.text);
    if (store_open(NULL, &x))
        return 1;
    rc = xsc_set_perms(x, argv[optind + 1], perms, n, &msg);
    if (rc < 0)
        cli_error("%s", msg.text);
    xsc_close(x);
    return rc < 0 ? 1 : 0;
}

/* --- watch --- */

struct watching {
    struct event_base *base;
    bool json;
    long left;                  /* events still to print; < 0: no limit */
};

static void on_event(void *opaque, const char *path)
{
    struct watching *w = opaque;
    if (w->json) {
        struct json_object *o = json_object_new_object();
        json_object_object_add(o, "path", json_object_new_string(path));
        puts(json_object_to_json_string_ext(o, JSON_C_TO_STRING_PLAIN));
        json_object_put(o);
    } else {
        puts(path);
    }
    fflush(stdout);
    if (w->left > 0 && --w->left == 0)
        event_base_loopbreak(w->base);
}

static void on_signal(evutil_socket_t sig, short what, void *arg)
{
    event_base_loopbreak(arg);
}

static int store_watch(int argc, char **argv, bool json, long count)
{
    struct watching w = {.json = json, .left = count};
    struct event *sig;
    struct xsc *x;
    struct xn_msg msg;
    int status;

    if ((status = cli_nargs(argc, argv, "store", 2, -1)))
        return status;
    w.base = event_base_new();
    if (store_open(w.base, &x)) {
        event_base_free(w.base);
        return 1;
    }
    for (int i = optind + 1; i < argc && !status; i++) {
        struct xsc_watch *handle;
        if (xsc_watch(x, argv[i], on_event, &w, &handle, &msg) < 0) {
            cli_error("%s", msg.text);
            status = 1;
        }
    }
    sig = evsignal_new(w.base, SIGINT, on_signal, w.base);
    evsignal_add(sig, NULL);
    if (!status)
        event_base_dispatch(w.base);
    event_free(sig);
    xsc_close(x);
    event_base_free(w.base);
    return status;
}

/* --- the verb --- */

struct store_opts {
    bool json;
    long count;
};

static int store_opt(int c, const char *optarg, void *arg)
{
    struct store_opts *o = arg;
    if (c == 'j') {
        o->json = true;
    } else if (c == 'n') {
        o->count = (long)cli_parse_int("store", "count", optarg, 1, 1000000);
        if (o->count < 0)
            return EXIT_USAGE;
    }
    return 0;
}

int cmd_store(int argc, char **argv)
{
    static const struct option longopts[] = {
        {"json", no_argument, NULL, 'j'},
        {"count", required_argument, NULL, 'n'},
        {NULL, 0, NULL, 0},
    };
    struct store_opts o = {.count = -1};
    const char *verb;
    int status;

    if (cli_getopt(argc, argv, "store", "n:", longopts, store_opt, &o,
                   &status))
        return status;
    if ((status = cli_nargs(argc, argv, "store", 1, -1)))
        return status;
    verb = argv[optind];
    if (strcmp(verb, "ls") == 0)
        return store_ls(argc, argv, o.json);
    if (strcmp(verb, "read") == 0)
        return store_read(argc, argv, o.json);
    if (strcmp(verb, "write") == 0)
        return store_change(argc, argv, true);
    if (strcmp(verb, "rm") == 0)
        return store_change(argc, argv, false);
    if (strcmp(verb, "watch") == 0)
        return store_watch(argc, argv, o.json, o.count);
    if (strcmp(verb, "chmod") == 0)
        return store_chmod(argc, argv);
    return cli_usage_error("store", "unknown action \"%s\" (ls, read, "
                           "write, rm, watch or chmod)", verb);
}
